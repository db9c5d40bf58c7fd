//! The tokenizer: words and numbers with byte spans into the original text, for every script the
//! corpus holds. Filters (lowercase, apostrophes, elision) are small functions over its tokens.
//!
//! What a token is, script by script:
//! - **Alphabetic scripts** (Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic,
//!   Devanagari and other Indic scripts): a word of Unicode's word-boundary rules (UAX #29),
//!   split at spaces and punctuation; an apostrophe between letters stays inside (`don't`,
//!   `l'expertise`; [`split_elision`] separates `l'`), a hyphen does not (`e-mail` is two
//!   words). Combining marks (Devanagari vowel signs, Arabic harakat) stay with their letter.
//! - **Hangul**: a space-separated word (eojeol), particles attached (`멘토링은`).
//! - **Thai, Lao, Khmer, Myanmar** (written without spaces): one token per run of the script,
//!   since splitting them into words needs a dictionary.
//! - **Han, Hiragana, Katakana** (written without spaces): one token per run of one script
//!   (`学習効果`, `の`, `メンター`). A run is not a word: [`Token::counted_words`] counts each
//!   Han or Hiragana character as one, as word counts of Chinese and Japanese usually do, and
//!   [`char_bigrams`] gives the overlapping pairs that matching without spaces uses.
//! - **Numbers**: digits with their inner separators (`3.14`, `10,000`) are one token; a number
//!   glued to letters of an alphabetic script (`S3`, `mp3`) is part of the word.
//!
//! A token never spans two scripts: `iPhone用` is `iPhone` and `用`; `2019年` is `2019` and `年`.

use unicode_segmentation::UnicodeSegmentation;

/// The writing system of a letter, as far as tokenizing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Latin letters (with their accents).
    Latin,
    /// Greek.
    Greek,
    /// Cyrillic.
    Cyrillic,
    /// Hebrew.
    Hebrew,
    /// Arabic (and Persian, Urdu).
    Arabic,
    /// Devanagari and the other Brahmic scripts of India.
    Indic,
    /// Thai, Lao, Khmer and Myanmar: written without spaces between words.
    SoutheastAsian,
    /// Korean Hangul.
    Hangul,
    /// Chinese characters (also in Japanese and Korean).
    Han,
    /// Japanese Hiragana.
    Hiragana,
    /// Japanese Katakana (full and half width, with the prolonged sound mark).
    Katakana,
    /// Digits only.
    Number,
    /// Any other letters (Armenian, Georgian, Ethiopic…): treated like an alphabetic script.
    Other,
}

impl Script {
    /// Whether words of this script are written without spaces between them.
    pub fn is_unspaced(self) -> bool {
        matches!(
            self,
            Script::Han | Script::Hiragana | Script::Katakana | Script::SoutheastAsian
        )
    }

    /// Whether the script is Chinese, Japanese or Korean.
    pub fn is_cjk(self) -> bool {
        matches!(
            self,
            Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul
        )
    }
}

/// The script of one character (`None` for punctuation, spaces, symbols and marks).
pub fn script_of(c: char) -> Option<Script> {
    let script = match c {
        '0'..='9' => Script::Number,
        '\u{3040}'..='\u{309F}' => Script::Hiragana,
        '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => {
            Script::Katakana
        }
        '\u{1100}'..='\u{11FF}'
        | '\u{3130}'..='\u{318F}'
        | '\u{A960}'..='\u{A97F}'
        | '\u{AC00}'..='\u{D7FF}' => Script::Hangul,
        '\u{2E80}'..='\u{2FDF}'
        | '\u{3005}'..='\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{323AF}' => Script::Han,
        '\u{0E00}'..='\u{0EFF}' | '\u{1000}'..='\u{109F}' | '\u{1780}'..='\u{17FF}' => {
            Script::SoutheastAsian
        }
        '\u{0900}'..='\u{0DFF}' => Script::Indic,
        '\u{0590}'..='\u{05FF}' | '\u{FB1D}'..='\u{FB4F}' => Script::Hebrew,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}' => Script::Arabic,
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Script::Greek,
        '\u{0400}'..='\u{052F}' | '\u{1C80}'..='\u{1C8F}' | '\u{2DE0}'..='\u{2DFF}' => {
            Script::Cyrillic
        }
        '\u{A640}'..='\u{A69F}' => Script::Cyrillic,
        c if c.is_ascii_alphabetic() => Script::Latin,
        '\u{00C0}'..='\u{024F}'
        | '\u{1E00}'..='\u{1EFF}'
        | '\u{FF21}'..='\u{FF3A}'
        | '\u{FF41}'..='\u{FF5A}' => Script::Latin,
        '\u{FF10}'..='\u{FF19}' => Script::Number,
        c if c.is_numeric() => Script::Number,
        c if c.is_alphabetic() => Script::Other,
        _ => return None,
    };
    Some(script)
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters (with digits glued to them), or a run of an unspaced script.
    Word,
    /// Digits, with their inner separators.
    Number,
}

/// One token: where it stands in the original text, what it is and its script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'t> {
    /// First byte in the text.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The token as written.
    pub text: &'t str,
    /// Word or number.
    pub kind: TokenKind,
    /// The script of its letters ([`Script::Number`] for a number).
    pub script: Script,
}

impl Token<'_> {
    /// How many words the token counts for: one, or one per character of a Han or Hiragana
    /// run (the usual word count of Chinese and Japanese, and what UAX #29 gives; a Thai run,
    /// which UAX #29 cuts into letter clusters, counts once).
    pub fn counted_words(&self) -> usize {
        match self.script {
            Script::Han | Script::Hiragana => self.text.chars().count(),
            _ => 1,
        }
    }
}

/// The tokens of `text`, in order, with spans into it (see the module's rules).
pub fn tokens(text: &str) -> impl Iterator<Item = Token<'_>> {
    let mut pieces = text
        .unicode_word_indices()
        .flat_map(move |(start, word)| word_tokens(start, word))
        .peekable();
    std::iter::from_fn(move || {
        let mut token = pieces.next()?;
        // UAX #29 gives one Han or Hiragana character (one Thai cluster) at a time: join the run.
        if matches!(
            token.script,
            Script::Han | Script::Hiragana | Script::SoutheastAsian
        ) {
            while let Some(next) = pieces.peek() {
                if next.script != token.script || next.start != token.end {
                    break;
                }
                token.end = next.end;
                pieces.next();
            }
            token.text = &text[token.start..token.end];
        }
        Some(token)
    })
}

/// How many words `text` holds (see [`Token::counted_words`]).
pub fn word_count(text: &str) -> usize {
    tokens(text).map(|token| token.counted_words()).sum()
}

/// The tokens of one UAX #29 word: itself, or its pieces where the script changes. Plain ASCII
/// words (most words of most corpora) are one token without a look at each letter's script.
fn word_tokens(start: usize, word: &str) -> WordTokens<'_> {
    if word.is_ascii() {
        let script = if word.bytes().any(|b| b.is_ascii_alphabetic()) {
            Script::Latin
        } else {
            Script::Number
        };
        let kind = if script == Script::Number {
            TokenKind::Number
        } else {
            TokenKind::Word
        };
        return WordTokens::One(Some(Token {
            start,
            end: start + word.len(),
            text: word,
            kind,
            script,
        }));
    }
    WordTokens::Split(split_at_script_changes(start, word).into_iter())
}

/// The tokens of one word: one without allocating, or several.
enum WordTokens<'t> {
    One(Option<Token<'t>>),
    Split(std::vec::IntoIter<Token<'t>>),
}

impl<'t> Iterator for WordTokens<'t> {
    type Item = Token<'t>;

    fn next(&mut self) -> Option<Token<'t>> {
        match self {
            WordTokens::One(token) => token.take(),
            WordTokens::Split(tokens) => tokens.next(),
        }
    }
}

/// One UAX #29 word split where its letters change script (digits glued to an alphabetic word
/// stay in it).
fn split_at_script_changes(start: usize, word: &str) -> Vec<Token<'_>> {
    let mut out: Vec<Token<'_>> = Vec::with_capacity(1);
    let mut current: Option<(usize, Script)> = None;
    let mut push = |from: usize, to: usize, script: Script| {
        let kind = if script == Script::Number {
            TokenKind::Number
        } else {
            TokenKind::Word
        };
        out.push(Token {
            start: start + from,
            end: start + to,
            text: &word[from..to],
            kind,
            script,
        });
    };
    let mut last_end = 0;
    for (offset, c) in word.char_indices() {
        let Some(script) = script_of(c) else {
            continue;
        };
        match current {
            None => current = Some((offset, script)),
            Some((from, open)) if open != script && !same_token(open, script) => {
                push(from, offset, open);
                current = Some((offset, script));
            }
            Some((from, Script::Number)) if script != Script::Number => {
                current = Some((from, script));
            }
            Some(_) => {}
        }
        last_end = offset + c.len_utf8();
    }
    if let Some((from, script)) = current {
        // Marks and joiners (`'`) after the last letter belong to the word.
        let end = if last_end < word.len() && word[last_end..].chars().all(is_mark) {
            word.len()
        } else {
            last_end.max(from)
        };
        push(from, end.max(last_end), script);
    }
    out
}

/// Whether characters of scripts `a` then `b` stay in one token: digits with the letters of an
/// alphabetic word (`S3`, `mp3`, `3D`).
fn same_token(a: Script, b: Script) -> bool {
    let alphabetic = |s: Script| !s.is_unspaced() && s != Script::Hangul && s != Script::Number;
    (a == Script::Number && alphabetic(b)) || (alphabetic(a) && b == Script::Number)
}

/// Whether `c` is a combining mark (it belongs to the letter before it).
fn is_mark(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii_punctuation()
}

/// Articles, pronouns and conjunctions that French and Italian elide before a vowel.
const ELIDED: [&str; 20] = [
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "un", "dell",
    "nell", "sull", "all", "dall", "coll", "quell",
];

/// A word with an elided article or pronoun before its apostrophe (`'` or `’`) as the two words it
/// is (`l’expertise` gives `l` and `expertise`, `qu'il` gives `qu` and `il`); any other word as it
/// is (`don't`, `mentor's`).
pub fn split_elision(word: &str) -> impl Iterator<Item = &str> {
    // Most words hold no apostrophe (`'`, or `’` whose UTF-8 starts with 0xE2).
    let maybe_elided = word.bytes().any(|b| b == b'\'' || b == 0xE2);
    let split = maybe_elided
        .then(|| word.char_indices())
        .into_iter()
        .flatten()
        .filter(|(_, c)| matches!(c, '\'' | '\u{2019}'))
        .find_map(|(at, c)| {
            let (head, rest) = (&word[..at], &word[at + c.len_utf8()..]);
            let elided = ELIDED.iter().any(|e| head.eq_ignore_ascii_case(e));
            (elided && !rest.is_empty()).then_some((head, rest))
        });
    match split {
        Some((head, rest)) => [Some(head), Some(rest)],
        None => [Some(word), None],
    }
    .into_iter()
    .flatten()
}

/// The tokens of `text` with each run of an unspaced script cut into its characters: what
/// matching by adjacent characters reads (a Chinese or Japanese cue is a sequence of characters
/// that must stand side by side).
pub fn character_pieces(text: &str) -> impl Iterator<Item = &str> {
    tokens(text).flat_map(|token| {
        let by_character = matches!(
            token.script,
            Script::Han | Script::Hiragana | Script::SoutheastAsian
        );
        let mut bounds = token.text.char_indices().map(|(i, _)| i).skip(1);
        let mut start = 0;
        let mut whole = Some(token.text);
        std::iter::from_fn(move || {
            if !by_character {
                return whole.take();
            }
            if start >= token.text.len() {
                return None;
            }
            let end = bounds.next().unwrap_or(token.text.len());
            let piece = &token.text[start..end];
            start = end;
            Some(piece)
        })
    })
}

/// Apostrophes folded to `'` (the typographic `’` and the modifier letter `ʼ`).
pub fn fold_apostrophes(word: &str) -> std::borrow::Cow<'_, str> {
    if word.contains(['’', 'ʼ', '‘']) {
        word.replace(['’', 'ʼ', '‘'], "'").into()
    } else {
        word.into()
    }
}

/// The overlapping character pairs of a run of unspaced script (a single character alone):
/// `学習効果` gives `学習`, `習効`, `効果`. What Chinese and Japanese are matched on when there is
/// no dictionary to find words.
pub fn char_bigrams(run: &str) -> Vec<&str> {
    let bounds: Vec<usize> = run
        .char_indices()
        .map(|(i, _)| i)
        .chain([run.len()])
        .collect();
    if bounds.len() <= 2 {
        return vec![run];
    }
    bounds.windows(3).map(|w| &run[w[0]..w[2]]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(&str, Script)> {
        tokens(text).map(|t| (t.text, t.script)).collect()
    }

    #[test]
    fn every_token_is_a_slice_of_the_original_at_its_span() {
        let text = "Mentoring — l’expertise, 学習効果は高い。 멘토링은 좋다! Σ 3,5 χρόνια, सीखना 10,000 ครูที่ดี";
        for token in tokens(text) {
            assert_eq!(&text[token.start..token.end], token.text);
        }
    }

    #[test]
    fn alphabetic_scripts_split_at_spaces_and_punctuation() {
        use Script::*;
        assert_eq!(
            words("Don't stop, e-mail the mentee."),
            [
                ("Don't", Latin),
                ("stop", Latin),
                ("e", Latin),
                ("mail", Latin),
                ("the", Latin),
                ("mentee", Latin)
            ]
        );
        assert_eq!(
            words("Наставник помогает."),
            [("Наставник", Cyrillic), ("помогает", Cyrillic)]
        );
        assert_eq!(
            words("Ο μέντορας βοηθά"),
            [("Ο", Greek), ("μέντορας", Greek), ("βοηθά", Greek)]
        );
        assert_eq!(words("המנטור עוזר"), [("המנטור", Hebrew), ("עוזר", Hebrew)]);
        assert_eq!(
            words("الإرشاد يساعد"),
            [("الإرشاد", Arabic), ("يساعد", Arabic)]
        );
        assert_eq!(
            words("मेंटर सिखाता है"),
            [("मेंटर", Indic), ("सिखाता", Indic), ("है", Indic)]
        );
    }

    #[test]
    fn unspaced_scripts_give_one_token_per_run_of_one_script() {
        use Script::*;
        assert_eq!(
            words("メンターの学習効果は高い"),
            [
                ("メンター", Katakana),
                ("の", Hiragana),
                ("学習効果", Han),
                ("は", Hiragana),
                ("高", Han),
                ("い", Hiragana)
            ]
        );
        assert_eq!(words("导师制度"), [("导师制度", Han)]);
        assert_eq!(words("ครูที่ดี"), [("ครูที่ดี", SoutheastAsian)]);
    }

    #[test]
    fn hangul_words_keep_their_particles() {
        assert_eq!(
            words("멘토링은 경력에 도움이 된다"),
            [
                ("멘토링은", Script::Hangul),
                ("경력에", Script::Hangul),
                ("도움이", Script::Hangul),
                ("된다", Script::Hangul)
            ]
        );
    }

    #[test]
    fn a_token_never_spans_two_scripts_but_digits_stay_in_words() {
        use Script::*;
        assert_eq!(words("iPhone用"), [("iPhone", Latin), ("用", Han)]);
        assert_eq!(words("2019年"), [("2019", Number), ("年", Han)]);
        assert_eq!(
            words("Amazon S3やTwitter"),
            [
                ("Amazon", Latin),
                ("S3", Latin),
                ("や", Hiragana),
                ("Twitter", Latin)
            ]
        );
        assert_eq!(
            words("3,5 mp3 10,000"),
            [("3,5", Number), ("mp3", Latin), ("10,000", Number)]
        );
    }

    #[test]
    fn word_counts_count_han_and_hiragana_by_character() {
        assert_eq!(word_count("学習効果は高い"), 7);
        assert_eq!(word_count("メンター制度"), 3);
        assert_eq!(word_count("Mentors help; mentees grow."), 4);
        assert_eq!(word_count(""), 0);
    }

    #[test]
    fn elided_articles_are_split_off() {
        let parts = |word| split_elision(word).collect::<Vec<_>>();
        assert_eq!(parts("l’expertise"), ["l", "expertise"]);
        assert_eq!(parts("d'apprentissage"), ["d", "apprentissage"]);
        assert_eq!(parts("qu'il"), ["qu", "il"]);
        assert_eq!(parts("dell'apprendimento"), ["dell", "apprendimento"]);
        assert_eq!(parts("don't"), ["don't"]);
        assert_eq!(parts("l'"), ["l'"]);
    }

    #[test]
    fn character_pieces_cut_unspaced_runs_only() {
        let pieces: Vec<&str> = character_pieces("メンターの学習 self-worth 멘토링은").collect();
        assert_eq!(
            pieces,
            ["メンター", "の", "学", "習", "self", "worth", "멘토링은"]
        );
    }

    #[test]
    fn bigrams_overlap_and_a_single_character_stands_alone() {
        assert_eq!(char_bigrams("学習効果"), ["学習", "習効", "効果"]);
        assert_eq!(char_bigrams("学"), ["学"]);
    }
}
