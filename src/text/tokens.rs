//! The tokenizer: words and numbers with byte spans into the original text, for every script the
//! corpus holds. The stages read words through it (language detection alone keeps its own runs
//! of letters, see `lang`); where a stage needs other boundaries, a filter over its tokens says
//! which. Filters are small functions over its tokens:
//! [`lowercase`], [`fold_apostrophes`], [`split_elision`], [`character_pieces`] and
//! [`char_bigrams`] for matching; [`hyphenated_words`] (words joined across an inner hyphen or
//! apostrophe: the words of the English normaliser); [`word_parts`] (a token cut at its inner
//! punctuation: the words the aligner compares and reads names from); [`compounds`] (code, URLs,
//! hyphenated names and numbers with their digit groups whole), [`number_digits`],
//! [`in_context`] (whether a word opens a sentence or stands beside CJK text),
//! [`katakana_words`] with [`sound_key`], and [`dominant_script`] for grouping.
//!
//! What a token is, script by script:
//! - **Alphabetic scripts** (Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic,
//!   Devanagari and other Indic scripts): a word of Unicode's word-boundary rules (UAX #29),
//!   split at spaces and punctuation; an apostrophe between letters stays inside (`don't`,
//!   `l'expertise`; [`split_elision`] separates `l'`), a hyphen does not (`e-mail` is two
//!   words; [`hyphenated_words`] joins them). The other marks UAX #29 allows between letters
//!   or digits stay inside too: a period or colon between letters (`example.com`, `S:t`), a
//!   comma or period between digits (`3.14`), an underscore (`snake_case`), a middle dot
//!   (`col·laboració`); [`word_parts`] cuts a token there. Combining marks (Devanagari vowel
//!   signs and virama, Arabic harakat, Thai tone marks) stay with their letter.
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
#[inline]
pub fn script_of(c: char) -> Option<Script> {
    // Most characters of most texts are ASCII: told apart before the ranges are tried.
    if c.is_ascii() {
        return match c {
            '0'..='9' => Some(Script::Number),
            c if c.is_ascii_alphabetic() => Some(Script::Latin),
            _ => None,
        };
    }
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
    join_unspaced_runs(
        text,
        word_runs(text).flat_map(move |(start, end, plain)| RunTokens {
            offset: start,
            plain,
            words: run_words(&text[start..end], plain),
            pending: WordTokens::One(None),
        }),
    )
}

/// The tokens of the words of `text` (`pieces`, in order) with each run of Han, Hiragana or
/// a Southeast Asian script joined into one token: UAX #29 gives one Han or Hiragana character
/// (one Thai cluster) at a time.
fn join_unspaced_runs<'t>(
    text: &'t str,
    pieces: impl Iterator<Item = Token<'t>>,
) -> impl Iterator<Item = Token<'t>> {
    let mut pieces = pieces.peekable();
    std::iter::from_fn(move || {
        let mut token = pieces.next()?;
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

/// The tokens of the words of one run of a text, the run starting at byte `offset`: each word
/// of a plain run read from its bytes ([`plain_token`]), any other word by [`word_tokens`].
struct RunTokens<'t> {
    offset: usize,
    plain: bool,
    words: RunWords<'t>,
    /// The tokens left of the last word split.
    pending: WordTokens<'t>,
}

impl<'t> Iterator for RunTokens<'t> {
    type Item = Token<'t>;

    fn next(&mut self) -> Option<Token<'t>> {
        loop {
            if let Some(token) = self.pending.next() {
                return Some(token);
            }
            let (at, word) = self.words.next()?;
            let start = self.offset + at;
            if !self.plain {
                self.pending = word_tokens(start, word);
            } else if let Some(token) = plain_token(start, word) {
                return Some(token);
            } else {
                self.pending = WordTokens::Split(split_at_script_changes(start, word).into_iter());
            }
        }
    }
}

/// The token of a word of a plain run (see [`word_runs`]), in one pass over its bytes:
/// what [`word_tokens`] makes of it; `None` for a word with both Latin and Cyrillic letters,
/// which is split where the script changes.
fn plain_token(start: usize, word: &str) -> Option<Token<'_>> {
    if word.is_ascii() {
        return Some(ascii_token(start, word));
    }
    let bytes = word.as_bytes();
    let (mut latin, mut cyrillic) = (false, false);
    for &byte in bytes {
        match byte {
            // ASCII letters, and the first bytes of the Latin letters (U+00C0 to U+024F) and of
            // the Cyrillic ones (U+0400 to U+052F).
            b'a'..=b'z' | b'A'..=b'Z' | 0xC3..=0xC9 => latin = true,
            0xD0..=0xD4 => cyrillic = true,
            _ => {}
        }
    }
    let script = match (latin, cyrillic) {
        (true, false) => Script::Latin,
        (false, true) => Script::Cyrillic,
        _ => return None,
    };
    scripted_token(start, word, script)
}

/// The words of `text` under Unicode's word-boundary rules (UAX #29) with their offsets, as
/// `unicode_word_indices` gives them. The text is cut into runs at places where the rules always
/// break and look no further back (see [`word_runs`]); plain runs (ASCII, [`plain_letter`]s and
/// [`plain_punctuation`]: most of most European corpora, and the spaces, digits and punctuation between the words of
/// other scripts) go through [`plain_word_indices`], the others through the rules. [`tokens`]
/// reads its words run by run the same way; the tests hold this to `unicode_word_indices`.
#[cfg(test)]
fn word_indices(text: &str) -> impl Iterator<Item = (usize, &str)> {
    word_runs(text).flat_map(move |(start, end, plain)| {
        run_words(&text[start..end], plain).map(move |(at, word)| (start + at, word))
    })
}

/// The words of one run, with offsets into it.
fn run_words(run: &str, plain: bool) -> RunWords<'_> {
    if plain {
        RunWords::Plain(plain_word_indices(run))
    } else {
        RunWords::Rules(run.unicode_word_indices())
    }
}

/// The words of one run, read by bytes or by the rules.
enum RunWords<'t> {
    Plain(PlainWords<'t>),
    Rules(unicode_segmentation::UnicodeWordIndices<'t>),
}

impl<'t> Iterator for RunWords<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<(usize, &'t str)> {
        match self {
            RunWords::Plain(words) => words.next(),
            RunWords::Rules(words) => words.next(),
        }
    }
}

/// A letter outside ASCII that the word-boundary rules treat as they treat an ASCII letter (its
/// word-break property is ALetter), with its script: the letters of the Latin-1 Supplement and
/// Latin Extended-A and B blocks (`×` and `÷` apart) and of the Cyrillic blocks (their combining
/// marks apart). Each is two bytes long in UTF-8. A unit test holds every one of them to the rules.
fn plain_letter(c: char) -> Option<Script> {
    match c {
        '\u{D7}' | '\u{F7}' => None,
        '\u{C0}'..='\u{24F}' => Some(Script::Latin),
        '\u{400}'..='\u{481}' | '\u{48A}'..='\u{52F}' => Some(Script::Cyrillic),
        _ => None,
    }
}

/// Punctuation outside ASCII that plain text may hold, as the word-boundary rules read it: `’`
/// and `‘` as the apostrophe (MidNumLet: inside a word between two letters or two digits), the
/// others as nothing that makes words (quotation marks, dashes, the ellipsis, the no-break space,
/// and the C1 control characters but the next-line one, which texts decoded from Windows-1252 as
/// Latin-1 hold). A unit test holds each to the rules.
fn plain_punctuation(c: char) -> bool {
    matches!(
        c,
        '’' | '‘' | '“' | '”' | '„' | '«' | '»' | '‹' | '›' | '–' | '—' | '…' | '\u{A0}'
    ) || (('\u{80}'..='\u{9F}').contains(&c) && c != '\u{85}')
}

/// The shortest stretch of plain text taken apart from the text around it: shorter ones are read
/// with their neighbours, which costs less than switching.
const MIN_PLAIN_RUN: usize = 48;

/// Whether the word-boundary rules always break before byte `at` whatever came before it: an
/// ASCII character other than white space right after white space. (No rule joins white space
/// to what follows it, and the rules that look back, such as `a.b` or `1,000`, look for letters
/// and digits that white space is not.)
fn is_run_start(bytes: &[u8], at: usize) -> bool {
    at > 0
        && bytes[at - 1].is_ascii_whitespace()
        && bytes[at].is_ascii()
        && !bytes[at].is_ascii_whitespace()
}

/// The offset from `from` of the first character of `text` that is neither ASCII, a
/// [`plain_letter`] nor [`plain_punctuation`] (a byte inside a character counts as one, as a place to look from may fall
/// there).
fn first_other(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(&byte) = bytes.get(at) {
        // ASCII, and most plain letters (U+00C0 to U+023F but `×` and `÷`, U+0400 to U+047F and
        // U+04C0 to U+04FF), are told by their bytes; other characters are decoded.
        match byte {
            _ if byte.is_ascii() => {
                at += 1;
                continue;
            }
            0xC3 if !matches!(bytes.get(at + 1), Some(0x97 | 0xB7)) => {
                at += 2;
                continue;
            }
            0xC4..=0xC8 | 0xD0 | 0xD1 | 0xD3 => {
                at += 2;
                continue;
            }
            _ => {}
        }
        match text.get(at..).and_then(|rest| rest.chars().next()) {
            Some(c) if plain_letter(c).is_some() || plain_punctuation(c) => at += c.len_utf8(),
            _ => return Some(at - from),
        }
    }
    None
}

/// `text` cut into runs `(start, end, plain)` at places where [`is_run_start`] holds: the
/// rules read each run alone as they read it inside the text. A plain run holds only ASCII,
/// [`plain_letter`]s and [`plain_punctuation`].
fn word_runs(text: &str) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
    let bytes = text.as_bytes();
    let first_other = |from: usize| first_other(text, from);
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let Some(offset) = first_other(start) else {
            let run = (start, bytes.len(), true);
            start = bytes.len();
            return Some(run);
        };
        let other = start + offset;
        // A plain stretch before the first other character, long enough to read apart.
        if let Some(cut) = (start + 1..=other)
            .rev()
            .find(|&at| is_run_start(bytes, at))
            && cut - start >= MIN_PLAIN_RUN
        {
            let run = (start, cut, true);
            start = cut;
            return Some(run);
        }
        // A run read by the rules: up to the first run start that opens a long enough plain
        // stretch, or the end.
        let mut at = other + 1;
        let end = loop {
            let Some(offset) = first_other(at) else {
                break (at..bytes.len())
                    .find(|&at| is_run_start(bytes, at))
                    .unwrap_or(bytes.len());
            };
            let next_other = at + offset;
            if let Some(cut) = (at..next_other).find(|&at| is_run_start(bytes, at))
                && next_other - cut >= MIN_PLAIN_RUN
            {
                break cut;
            }
            at = next_other + 1;
        };
        let run = (start, end, false);
        start = end;
        Some(run)
    })
}

/// The words of plain `text` (ASCII, [`plain_letter`]s and [`plain_punctuation`]) under the
/// word-boundary rules that concern them, in one pass over its bytes: runs of letters, digits and
/// `_`, with `:` `.` `'` (or `’` `‘`) kept inside between two letters and `,` `;` `.` `'` (or `’`
/// `‘`) between two digits; a run is a word when it holds a letter or digit.
fn plain_word_indices(text: &str) -> PlainWords<'_> {
    PlainWords { text, at: 0 }
}

/// The iterator of [`plain_word_indices`].
struct PlainWords<'t> {
    text: &'t str,
    at: usize,
}

/// What a byte of plain text is to [`PlainWords`]: a letter (ASCII, or the first byte of a
/// [`plain_letter`], each two bytes long), a digit, `_`, or nothing that makes words (0: every
/// other byte, those of [`plain_punctuation`] included).
const PLAIN_BYTES: [u8; 256] = {
    let mut classes = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        classes[byte] = if b.is_ascii_alphabetic() || matches!(b, 0xC3..=0xC9 | 0xD0..=0xD4) {
            PLAIN_LETTER
        } else if b.is_ascii_digit() {
            PLAIN_DIGIT
        } else if b == b'_' {
            PLAIN_UNDERSCORE
        } else {
            0
        };
        byte += 1;
    }
    classes
};
const PLAIN_LETTER: u8 = 1;
const PLAIN_DIGIT: u8 = 2;
const PLAIN_UNDERSCORE: u8 = 3;

impl<'t> Iterator for PlainWords<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<(usize, &'t str)> {
        let bytes = self.text.as_bytes();
        let class = |b: u8| PLAIN_BYTES[usize::from(b)];
        let mut i = self.at;
        while i < bytes.len() {
            if class(bytes[i]) == 0 {
                i += 1;
                continue;
            }
            let start = i;
            let mut alphanumeric = false;
            while i < bytes.len() {
                let current = bytes[i];
                let current_class = class(current);
                alphanumeric |= current_class != PLAIN_UNDERSCORE;
                i += if current >= 0xC0 { 2 } else { 1 };
                let Some(&next) = bytes.get(i) else {
                    break;
                };
                if class(next) != 0 {
                    continue;
                }
                // `’` and `‘` join as the apostrophe does.
                let rest = &bytes[i..];
                let (joiner, width) =
                    if rest.starts_with("’".as_bytes()) || rest.starts_with("‘".as_bytes()) {
                        (b'\'', 3)
                    } else {
                        (next, 1)
                    };
                let after = class(bytes.get(i + width).copied().unwrap_or(b' '));
                let inside = match current_class {
                    PLAIN_LETTER => after == PLAIN_LETTER && matches!(joiner, b':' | b'.' | b'\''),
                    PLAIN_DIGIT => {
                        after == PLAIN_DIGIT && matches!(joiner, b',' | b';' | b'.' | b'\'')
                    }
                    _ => false,
                };
                if !inside {
                    break;
                }
                i += width;
            }
            if alphanumeric {
                self.at = i;
                return Some((start, &self.text[start..i]));
            }
        }
        self.at = i;
        None
    }
}

/// How many words `text` holds (see [`Token::counted_words`]). Plain ASCII text is counted
/// without making each token: each of its words is one token of one word; and other plain text
/// (one plain run, with no run of an unspaced script to join) by the tokens of its words.
pub fn word_count(text: &str) -> usize {
    if text.is_ascii() {
        return plain_word_indices(text).count();
    }
    if first_other(text, 0).is_none() {
        return plain_word_indices(text)
            .map(|(start, word)| match plain_token(start, word) {
                Some(_) => 1,
                None => split_at_script_changes(start, word).len(),
            })
            .sum();
    }
    tokens(text).map(|token| token.counted_words()).sum()
}

/// The tokens of one UAX #29 word: itself, or its pieces where the script changes. Plain ASCII
/// words (most words of most corpora) are one token without a look at each letter's script, and
/// words of [`plain_letter`]s of one script one token without allocating.
fn word_tokens(start: usize, word: &str) -> WordTokens<'_> {
    if word.is_ascii() {
        return WordTokens::One(Some(ascii_token(start, word)));
    }
    if let Some(token) = plain_word_token(start, word) {
        return WordTokens::One(Some(token));
    }
    WordTokens::Split(split_at_script_changes(start, word).into_iter())
}

/// The token of an ASCII word: the word whole, a number when it holds no letter.
fn ascii_token(start: usize, word: &str) -> Token<'_> {
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
    Token {
        start,
        end: start + word.len(),
        text: word,
        kind,
        script,
    }
}

/// The one token of a word outside ASCII whose letters are ASCII letters and [`plain_letter`]s of
/// one script, or digits (what [`split_at_script_changes`] makes of it: from its first letter or
/// digit to its last); `None` for any other word.
fn plain_word_token(start: usize, word: &str) -> Option<Token<'_>> {
    let mut script = None;
    for c in word.chars() {
        let letter = match c {
            'a'..='z' | 'A'..='Z' => Script::Latin,
            _ if c.is_ascii() => continue,
            _ => plain_letter(c)?,
        };
        if script.is_some_and(|script| script != letter) {
            return None;
        }
        script = Some(letter);
    }
    scripted_token(start, word, script?)
}

/// The word token of `word` (at byte `start`) in `script`, from its first letter or digit to its
/// last (as [`split_at_script_changes`] cuts it); `None` when it has neither.
fn scripted_token(start: usize, word: &str, script: Script) -> Option<Token<'_>> {
    let scripted = |b: &u8| b.is_ascii_alphanumeric() || !b.is_ascii();
    let bytes = word.as_bytes();
    let from = bytes.iter().position(scripted)?;
    let to = bytes.iter().rposition(scripted)? + 1;
    Some(Token {
        start: start + from,
        end: start + to,
        text: &word[from..to],
        kind: TokenKind::Word,
        script,
    })
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

/// A letter of Chinese, Japanese or Korean script (Han, kana, Hangul).
pub fn is_cjk(c: char) -> bool {
    !c.is_ascii() && script_of(c).is_some_and(Script::is_cjk)
}

/// Full-width ASCII forms (`１２３`, `Ａ`, `，`) and the ideographic space as their ASCII
/// counterparts; any other character as it is.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// A word in lower case ([`str::to_lowercase`]), borrowed when lower case changes none of its
/// letters (most words). An ASCII word is read by its bytes, the letters of the blocks
/// [`super::to_lowercase`] knows by their ranges.
pub fn lowercase(word: &str) -> std::borrow::Cow<'_, str> {
    if word.is_ascii() {
        return if word.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(word.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(word)
        };
    }
    let changes = |c: char| match (c.is_ascii(), super::lowercase_letter(c)) {
        (true, _) => c.is_ascii_uppercase(),
        (false, Some(lowered)) => lowered != c,
        (false, None) => !c.to_lowercase().eq(std::iter::once(c)),
    };
    if word.chars().any(changes) {
        std::borrow::Cow::Owned(super::to_lowercase(word))
    } else {
        std::borrow::Cow::Borrowed(word)
    }
}

/// Characters that join two words of alphabetic script into one compound when nothing else
/// stands between them: `Twelve-Factor`, `config/routes.rb`, `https://example.com`, `user@host`.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '.' | '/' | '_' | ':' | '@' | '\'' | '’')
}

/// Separators between the digit groups of one number beyond those the tokenizer keeps (`10 000`
/// with a no-break or thin space, Arabic `١٠٬٠٠٠`).
fn is_digit_separator(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | '\'' | '\u{A0}' | '\u{202F}' | '\u{2009}' | '٬' | '،'
    )
}

/// The tokens of `text` with compounds and numbers whole: a word of alphabetic script joined to
/// the words after it across one to three joiners (`-`, `.`, `/`, `_`, `:`, `@`, apostrophes:
/// `config/routes.rb`, `https://12factor.net/ja`, `Twelve-Factor`, `COVID-19`), and a number
/// joined to the digit groups after it across one separator (`10 000`). What names, brands, code
/// and URLs are read from; a run of an unspaced script or Hangul is never part of a compound.
pub fn compounds(text: &str) -> impl Iterator<Item = Token<'_>> {
    compounds_of(text, tokens(text))
}

/// [`compounds`] from the [`tokens`] of `text` made already (a caller that reads them in other
/// ways too tokenizes once).
pub fn compounds_of<'t>(
    text: &'t str,
    tokens: impl IntoIterator<Item = Token<'t>>,
) -> impl Iterator<Item = Token<'t>> {
    // The gap's characters are read before they are counted: most gaps are a space.
    joined(text, tokens, |token, gap, next| {
        let compound = token.kind == TokenKind::Word
            && gap.chars().all(is_joiner)
            && spaced(token)
            && spaced(next)
            && (1..=3).contains(&gap.chars().count());
        let number = token.kind == TokenKind::Number
            && next.kind == TokenKind::Number
            && gap.chars().all(is_digit_separator)
            && gap.chars().count() == 1;
        compound || number
    })
}

/// The tokens of `text` with words and numbers joined across one inner hyphen or apostrophe
/// (`to-do`, `19-year-old`, `e-mail`, `80's`): the words of English as its normaliser, its
/// lexicon and its word model count them. Every other boundary is the tokenizer's; a run of an
/// unspaced script or Hangul joins nothing.
pub fn hyphenated_words(text: &str) -> impl Iterator<Item = Token<'_>> {
    joined(text, tokens(text), |token, gap, next| {
        matches!(gap, "-" | "'" | "’") && spaced(token) && spaced(next)
    })
}

/// The `tokens` of `text`, each joined to the ones after it while `joins(token so far, gap, next
/// token)` holds: the one loop behind [`compounds`] and [`hyphenated_words`]. A joined token
/// takes the kind and script of the last word in it.
fn joined<'t>(
    text: &'t str,
    tokens: impl IntoIterator<Item = Token<'t>>,
    joins: impl Fn(&Token, &str, &Token) -> bool,
) -> impl Iterator<Item = Token<'t>> {
    let mut pieces = tokens.into_iter().peekable();
    std::iter::from_fn(move || {
        let mut token = pieces.next()?;
        while let Some(next) =
            pieces.next_if(|next| joins(&token, &text[token.end..next.start], next))
        {
            token.end = next.end;
            if next.kind == TokenKind::Word {
                token.kind = TokenKind::Word;
                token.script = next.script;
            }
        }
        token.text = &text[token.start..token.end];
        Some(token)
    })
}

/// Whether a token is of a script written with spaces between words and joined by hyphens and
/// dots: not a run of an unspaced script, not a Hangul word.
fn spaced(token: &Token) -> bool {
    token.script != Script::Hangul && !token.script.is_unspaced()
}

/// The runs of letters and digits of `token`, cut at the punctuation the tokenizer keeps inside a
/// word (apostrophes, periods, colons, commas, underscores, middle dots): `don't` gives `don` and
/// `t`, `l’expertise` `l` and `expertise`, `example.com` `example` and `com`, `10,000` `10` and
/// `000`. A name or a cognate as spelt, whatever is attached to it (`Twitter's`, `d'Anna`); marks
/// stay with their letters.
pub fn word_parts(token: Token<'_>) -> impl Iterator<Item = Token<'_>> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let rest = &token.text[from..];
        let start = from + rest.len() - rest.trim_start_matches(is_inner_punctuation).len();
        let end = token.text[start..]
            .find(is_inner_punctuation)
            .map_or(token.text.len(), |length| start + length);
        from = end;
        (start < end).then(|| Token {
            start: token.start + start,
            end: token.start + end,
            text: &token.text[start..end],
            ..token
        })
    })
}

/// Punctuation that a word of Unicode's word-boundary rules may hold between its letters or
/// digits: ASCII punctuation (`'`, `.`, `:`, `,`, `;`, `_`, and `"` in Hebrew) in either width,
/// typographic apostrophes, middle dots and the separators of Greek, Armenian and Arabic.
fn is_inner_punctuation(c: char) -> bool {
    fold_width(c).is_ascii_punctuation()
        || matches!(
            c,
            '’' | '‘'
                | '·'
                | '\u{0387}'
                | '\u{2024}'
                | '\u{2027}'
                | '\u{FE52}'
                | '\u{FE55}'
                | '\u{037E}'
                | '\u{055F}'
                | '\u{0589}'
                | '\u{05F4}'
                | '\u{060C}'
                | '\u{060D}'
                | '\u{066C}'
        )
}

/// The digits of a number token, full-width digits folded and separators left out (`10,000` and
/// `１０ ０００` give `10000`); `None` for a word.
pub fn number_digits(token: &Token) -> Option<String> {
    (token.kind == TokenKind::Number).then(|| {
        token
            .text
            .chars()
            .map(fold_width)
            .filter(char::is_ascii_digit)
            .collect()
    })
}

/// A token with what stands around it, for telling a name from a word that opens a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InContext<'t> {
    /// The token.
    pub token: Token<'t>,
    /// Whether it opens a sentence (at the start, after `.`, `!`, `?`, `:`, a closing quote, a
    /// CJK full stop or a line break, with only spaces, list marks or opening brackets between),
    /// where a capital says nothing.
    pub sentence_start: bool,
    /// Whether Chinese, Japanese or Korean text stands beside it (touching, or across one space
    /// on the same line: `Unreleased 節`), where a Latin-script word is a name or code wherever
    /// it stands.
    pub beside_cjk: bool,
}

/// `tokens` (of `text`, in order, such as [`compounds`] gives) with where each stands
/// ([`InContext`]).
pub fn in_context<'t>(
    text: &'t str,
    tokens: impl IntoIterator<Item = Token<'t>>,
) -> impl Iterator<Item = InContext<'t>> {
    let mut sentence_start = true;
    let mut last_end = 0;
    tokens.into_iter().map(move |token| {
        for c in text[last_end..token.start].chars().map(fold_width) {
            if matches!(c, '.' | '!' | '?' | ':' | '"' | '”' | '。' | '\n') {
                sentence_start = true;
            } else if !c.is_whitespace()
                && !matches!(c, '*' | '-' | '•' | '#' | '>' | '(' | '“' | '«')
            {
                sentence_start = false;
            }
        }
        let opens = sentence_start && !token.script.is_cjk();
        sentence_start = false;
        last_end = token.end;
        let before = text[..token.start].chars().rev();
        let after = text[token.end..].chars();
        InContext {
            token,
            sentence_start: opens,
            beside_cjk: cjk_beside(before) || cjk_beside(after),
        }
    })
}

/// Whether the first character of `chars` is Chinese, Japanese or Korean, or is a space (not a
/// line break) with one such character beyond it.
fn cjk_beside(mut chars: impl Iterator<Item = char>) -> bool {
    match chars.next().map(fold_width) {
        Some(c) if is_cjk(c) => true,
        Some(' ' | '\t') => chars.next().is_some_and(is_cjk),
        _ => false,
    }
}

/// The katakana words of `text` in romaji (by `wana_kana`), each as its parts: runs of Katakana
/// tokens with one middle dot or double hyphen between them are one word (`ジョン・スミス`:
/// `jon`, `sumisu`), as Japanese writes foreign names (and loanwords). The prolonged sound mark
/// alone is no part.
pub fn katakana_words(text: &str) -> Vec<Vec<String>> {
    use wana_kana::ConvertJapanese;
    let mut words: Vec<Vec<String>> = Vec::new();
    let mut last_end: Option<usize> = None;
    for token in tokens(text).filter(|t| t.script == Script::Katakana) {
        let continues = last_end.is_some_and(|end| {
            let gap = &text[end..token.start];
            gap.chars().count() == 1 && gap.chars().all(is_name_dot)
        });
        if !continues {
            words.push(Vec::new());
        }
        let Some(word) = words.last_mut() else {
            continue;
        };
        for part in token.text.split(is_name_dot) {
            if part.chars().any(|c| c != 'ー') {
                word.push(part.to_romaji());
            }
        }
        last_end = Some(token.end);
    }
    words.retain(|parts| !parts.is_empty());
    words
}

/// The marks that separate the parts of a name written in katakana (`ジョン・スミス`).
fn is_name_dot(c: char) -> bool {
    matches!(c, '・' | '゠' | '＝' | '･')
}

/// Consonant classes a name keeps across a change of script, in the order they are sounded:
/// what survives from *Microsoft* to マイクロソフト (`maikurosofuto`): `nkrspt`. Vowels, `h`, `w`
/// and `y` are dropped (Japanese adds and lengthens vowels), voiced and unvoiced consonants are
/// one class (`p`: b p f v; `t`: t d; `k`: k g c q; `s`: s z sh th; `j`: j ch, soft g; `r`: r l;
/// `n`: m n), and a class repeated is kept once (small ッ doubles a consonant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// Romaji read from kana: `g` is always hard.
    Kana,
    /// A Latin-script name as written, its `r` after a vowel sounded (*Merkel*: メルケル).
    LatinRhotic,
    /// A Latin-script name with its `r` after a vowel silent, as Japanese hears English
    /// (*Zuckerberg*: ザッカーバーグ).
    LatinNonRhotic,
}

/// The consonant classes of `word` (see [`Spelling`]); letters outside a-z (after folding
/// accents) are skipped.
pub fn sound_key(word: &str, spelling: Spelling) -> String {
    let mut letters = Vec::with_capacity(word.len());
    for c in word.chars() {
        // An ASCII letter's lower case is one ASCII letter.
        if c.is_ascii() {
            letters.push(c.to_ascii_lowercase() as u8);
            continue;
        }
        for c in c.to_lowercase() {
            if c.is_ascii() {
                letters.push(c as u8);
            } else if let Some(folded) = deunicode::deunicode_char(c) {
                letters.extend(folded.bytes());
            }
        }
    }
    letters.retain(u8::is_ascii_lowercase);
    let latin = spelling != Spelling::Kana;
    let vowel = |b: u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    let at = |k: usize| letters.get(k).copied().unwrap_or(0);
    let mut key = String::new();
    let mut push = |class: char| {
        if !key.ends_with(class) {
            key.push(class);
        }
    };
    let mut k = 0;
    while k < letters.len() {
        let (c, next) = (letters[k], at(k + 1));
        let soft = matches!(next, b'e' | b'i' | b'y');
        let (classes, used): (&[char], usize) = match c {
            b'p' if next == b'h' => (&['p'], 2),
            b't' if next == b'h' => (&['s'], 2),
            b't' if next == b's' => (&['t'], 2),
            b't' if next == b'c' && at(k + 2) == b'h' => (&['j'], 3),
            b's' if next == b'c' && at(k + 2) == b'h' => (&['s'], 3),
            b's' if next == b'h' => (&['s'], 2),
            b'c' if next == b'h' && at(k + 2) == b'r' => (&['k'], 2),
            b'c' if next == b'h' => (&['j'], 2),
            b'c' if next == b'k' => (&['k'], 2),
            b'c' if soft => (&['s'], 1),
            b'c' | b'k' | b'q' => (&['k'], 1),
            b'g' if latin && next == b'h' => (&[], 2),
            b'g' if latin && soft => (&['j'], 1),
            // `ng` before a consonant other than l or r is one sound (*Washington*: ワシントン).
            b'n' if latin
                && next == b'g'
                && !vowel(at(k + 2))
                && !matches!(at(k + 2), b'l' | b'r') =>
            {
                (&['n'], 2)
            }
            b'g' => (&['k'], 1),
            b'x' => (&['k', 's'], 1),
            b'b' | b'p' | b'f' | b'v' => (&['p'], 1),
            b't' | b'd' => (&['t'], 1),
            b's' | b'z' => (&['s'], 1),
            b'j' => (&['j'], 1),
            b'r' if spelling == Spelling::LatinNonRhotic
                && k > 0
                && vowel(at(k - 1))
                && !vowel(next) =>
            {
                (&[], 1)
            }
            b'l' | b'r' => (&['r'], 1),
            b'm' | b'n' => (&['n'], 1),
            _ => (&[], 1),
        };
        for &class in classes {
            push(class);
        }
        k += used;
    }
    key
}

/// The script most of a document's letters are written in ([`dominant_script`]). It serialises
/// as its name in snake case (`latin`, `southeast_asian`, `japanese`, `none`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DocumentScript {
    /// Latin letters.
    Latin,
    /// Cyrillic.
    Cyrillic,
    /// Greek.
    Greek,
    /// Hebrew.
    Hebrew,
    /// Arabic.
    Arabic,
    /// The scripts of India ([`Script::Indic`]).
    Indic,
    /// Thai, Lao, Myanmar and Khmer ([`Script::SoutheastAsian`]).
    SoutheastAsian,
    /// Han without kana.
    Chinese,
    /// Hangul.
    Korean,
    /// Han with kana, or kana.
    Japanese,
    /// Letters of any other script.
    Other,
    /// No letters at all.
    None,
}

/// The letters of a text counted by script, in [`DocumentScript`]'s order, as
/// [`dominant_script`] weighs them.
#[derive(Default)]
struct ScriptTally {
    counts: [usize; 11],
    kana: usize,
}

impl ScriptTally {
    /// Counts one letter of `script`.
    fn add(&mut self, script: Option<Script>) {
        let (slot, weight) = match script {
            Some(Script::Latin) => (0, 1),
            Some(Script::Cyrillic) => (1, 1),
            Some(Script::Greek) => (2, 1),
            Some(Script::Hebrew) => (3, 1),
            Some(Script::Arabic) => (4, 1),
            Some(Script::Indic) => (5, 1),
            Some(Script::SoutheastAsian) => (6, 1),
            Some(Script::Han) => (7, 3),
            Some(Script::Hangul) => (8, 3),
            Some(Script::Hiragana | Script::Katakana) => {
                self.kana += 1;
                (7, 3)
            }
            Some(Script::Number | Script::Other) | None => (10, 1),
        };
        self.counts[slot] += weight;
    }

    /// The counts, Han with kana counted as Japanese.
    fn counts(mut self) -> [usize; 11] {
        if self.kana * 10 >= self.counts[7] / 3 && self.kana > 0 {
            self.counts[9] = self.counts[7];
            self.counts[7] = 0;
        }
        self.counts
    }
}

/// The script most of a text's letters are written in, by [`script_of`] (numbers apart). A Han
/// character, kana or Hangul syllable counts as three letters (it stands for a syllable or a
/// word), so that a Korean text quoting English titles is still Korean; Han with a tenth as much
/// kana is Japanese. Two documents in one detected language but different scripts are not copies
/// of one another. Of scripts with as many letters, the first in [`DocumentScript`]'s order.
pub fn dominant_script(text: &str) -> DocumentScript {
    const SCRIPTS: [DocumentScript; 11] = [
        DocumentScript::Latin,
        DocumentScript::Cyrillic,
        DocumentScript::Greek,
        DocumentScript::Hebrew,
        DocumentScript::Arabic,
        DocumentScript::Indic,
        DocumentScript::SoutheastAsian,
        DocumentScript::Chinese,
        DocumentScript::Korean,
        DocumentScript::Japanese,
        DocumentScript::Other,
    ];
    let mut tally = ScriptTally::default();
    let mut rest = text;
    while !rest.is_empty() {
        // ASCII letters are Latin; other ASCII is not a letter: a stretch of ASCII is counted by
        // its bytes.
        let ascii = super::ascii_prefix_len(rest);
        tally.counts[0] += rest.as_bytes()[..ascii]
            .iter()
            .filter(|b| b.is_ascii_alphabetic())
            .count();
        let mut chars = rest[ascii..].chars();
        let Some(c) = chars.next() else {
            break;
        };
        rest = chars.as_str();
        // Plain letters (most other letters of European texts) are Latin or Cyrillic by range.
        if let Some(script) = plain_letter(c) {
            tally.counts[usize::from(script == Script::Cyrillic)] += 1;
            continue;
        }
        if !super::is_letter(c) {
            continue;
        }
        tally.add(script_of(c));
    }
    match tally
        .counts()
        .iter()
        .enumerate()
        .max_by_key(|&(k, &n)| (n, std::cmp::Reverse(k)))
    {
        Some((k, &n)) if n > 0 => SCRIPTS[k],
        _ => DocumentScript::None,
    }
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

    /// Every plain letter and plain punctuation mark is read as the rules read it, beside
    /// letters, digits, joiners and spaces, and every plain letter is a letter of the script
    /// [`script_of`] gives it.
    #[test]
    fn plain_characters_are_read_as_the_rules_read_them() {
        let mut checked = 0;
        let punctuation = ['’', '‘', '“', '”', '„', '«', '»', '‹', '›', '–', '—', '…'];
        let plain =
            ('\u{80}'..='\u{7FF}').filter(|&c| plain_letter(c).is_some() || plain_punctuation(c));
        for c in plain.chain(punctuation) {
            assert!(plain_letter(c).is_some() != plain_punctuation(c), "{c:?}");
            if plain_letter(c).is_some() {
                assert_eq!(plain_letter(c), script_of(c), "{c:?}");
                assert_eq!(c.len_utf8(), 2);
            }
            for text in [
                format!("{c}"),
                format!("a{c}"),
                format!("{c}:{c}"),
                format!("{c}\"{c}"),
                format!("{c}.1 1{c}"),
                format!("{c}'{c}"),
                format!("_{c}_ x,{c}"),
                format!("{c} {c}\u{301}"),
                format!("a{c}b 1{c}2 a{c}1 {c}a{c} x.{c}y"),
            ] {
                let unicode: Vec<_> = text.unicode_word_indices().collect();
                assert_eq!(word_indices(&text).collect::<Vec<_>>(), unicode, "{text:?}");
                let plain = !text.contains('\u{301}');
                if plain {
                    assert_eq!(plain_word_indices(&text).collect::<Vec<_>>(), unicode);
                }
                checked += 1;
            }
        }
        assert!(checked > 5_000, "only {checked} texts");
    }

    /// A character ends a plain stretch exactly when it is no plain letter and no plain
    /// punctuation, however its bytes are read.
    #[test]
    fn plain_stretches_end_at_the_first_other_character() {
        for c in ('\u{80}'..='\u{FFFF}').filter(|c| !c.is_ascii()) {
            let plain = plain_letter(c).is_some() || plain_punctuation(c);
            let text = format!("a{c}b");
            assert_eq!(first_other(&text, 0), (!plain).then_some(1), "{c:?}");
        }
    }

    /// The plain pass gives the words of the word-boundary rules: on every string of up to five
    /// characters over those the rules treat apart (a Latin and a Cyrillic letter among them), on
    /// the module's examples, and on every ASCII text of the language bench (its sentences,
    /// paragraphs and words, with their lines cut at every space).
    #[test]
    fn plain_words_are_the_unicode_words() {
        let alphabet = [
            "a", "Z", "1", "_", ":", ".", "'", ",", ";", " ", "-", "\"", "\n", "é", "Ж", "’", "—",
        ];
        let mut text = String::new();
        for length in 0..=5u32 {
            for mut n in 0..alphabet.len().pow(length) {
                text.clear();
                for _ in 0..length {
                    text.push_str(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                let text = text.as_str();
                let unicode: Vec<_> = text.unicode_word_indices().collect();
                assert_eq!(word_indices(text).collect::<Vec<_>>(), unicode, "{text:?}");
            }
        }
        let text = "e.g. it's 3.14, 10,000; S:t snake_case __init__ _x_ a.b.c 1'000 x'1 'tis ok' \
                    v1.2 example.com:8080 -- end.";
        let unicode: Vec<_> = text.unicode_word_indices().collect();
        assert_eq!(word_indices(text).collect::<Vec<_>>(), unicode);
        let mut checked = 0;
        for file in ["sentences.tsv", "paragraphs.tsv", "words.tsv"] {
            let path = format!("{}/tests/data/langid/{file}", env!("CARGO_MANIFEST_DIR"));
            let data = std::fs::read_to_string(&path).expect("the bench data is bundled");
            for line in data.lines().skip(1).filter(|line| line.is_ascii()) {
                let pieces = line.match_indices(' ').map(|(at, _)| &line[at..]);
                for text in std::iter::once(line).chain(pieces) {
                    let unicode: Vec<_> = text.unicode_word_indices().collect();
                    assert_eq!(word_indices(text).collect::<Vec<_>>(), unicode, "{text}");
                    assert_eq!(word_count(text), unicode.len(), "{text}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "only {checked} ASCII texts in the bench");
    }

    /// Texts of any script cut into runs give the words of the rules: every line of the language
    /// bench and the seed articles whole, and strings of ASCII stretches long enough to be read
    /// apart mixed with letters, marks, joiners, flags and spaces of other scripts.
    #[test]
    fn words_read_by_runs_are_the_unicode_words() {
        let same = |text: &str| {
            let unicode: Vec<_> = text.unicode_word_indices().collect();
            assert_eq!(word_indices(text).collect::<Vec<_>>(), unicode, "{text:?}");
            // The tokens read by runs are those of the rules' words, each read by `word_tokens`.
            let pieces = unicode
                .iter()
                .flat_map(|&(start, word)| word_tokens(start, word));
            let expected: Vec<_> = join_unspaced_runs(text, pieces).collect();
            assert_eq!(tokens(text).collect::<Vec<_>>(), expected, "{text:?}");
            let counted: usize = expected.iter().map(Token::counted_words).sum();
            assert_eq!(word_count(text), counted, "{text:?}");
            // Words outside ASCII are split where their script changes, with or without the
            // plain path.
            for (start, word) in unicode.into_iter().filter(|(_, word)| !word.is_ascii()) {
                let split = split_at_script_changes(start, word);
                assert_eq!(
                    word_tokens(start, word).collect::<Vec<_>>(),
                    split,
                    "{word:?}"
                );
            }
        };
        let root = env!("CARGO_MANIFEST_DIR");
        for file in ["sentences.tsv", "paragraphs.tsv", "words.tsv"] {
            let path = format!("{root}/tests/data/langid/{file}");
            let data = std::fs::read_to_string(&path).expect("the bench data is bundled");
            data.lines().for_each(same);
            same(&data);
        }
        for entry in std::fs::read_dir(format!("{root}/corpus")).expect("the seeds are bundled") {
            let path = entry.expect("a readable folder").path();
            same(&std::fs::read_to_string(&path).expect("a seed article"));
        }
        let long = "It's 3.14, e.g. a.b and 10,000 words; snake_case ok. ";
        let pieces = [
            long,
            "Příliš žluťoučký kůň úpěl ďábelské ódy, l’été 3,5 m.",
            "Съешь же ещё этих мягких французских булок: ґанок 2.",
            "iPhoneжук",
            "Ǆemal",
            "\u{483}",
            "×",
            "\u{2019}",
            " ",
            "\n",
            "\t",
            "é",
            "über",
            "мир",
            "学習",
            "カタカナ",
            "\u{301}",
            "\u{200D}",
            "\u{1F469}",
            "\u{1F1EB}\u{1F1F7}",
            "\u{A0}",
            "a",
            "1",
            ".",
            "'",
            ":",
            ",",
            "_",
            "\"",
        ];
        for text in crate::text::mixed_strings(&pieces, 7, 20_000, 12) {
            same(&text);
        }
    }

    #[test]
    fn hyphenated_words_join_across_one_hyphen_or_apostrophe_in_spaced_scripts() {
        let joined = |text| {
            hyphenated_words(text)
                .map(|t| (t.text, t.kind))
                .collect::<Vec<_>>()
        };
        let word = TokenKind::Word;
        assert_eq!(
            joined("it surely's a to-do {listing} -x"),
            [
                ("it", word),
                ("surely's", word),
                ("a", word),
                ("to-do", word),
                ("listing", word),
                ("x", word)
            ]
        );
        assert_eq!(
            joined("a 19-year-old's e-mail -- rock’n’roll in the 80's, 3.5-5 km"),
            [
                ("a", word),
                ("19-year-old's", word),
                ("e-mail", word),
                ("rock’n’roll", word),
                ("in", word),
                ("the", word),
                ("80's", word),
                ("3.5-5", TokenKind::Number),
                ("km", word)
            ]
        );
        // Cyrillic and Latin join alike; Hangul, Han and kana do not.
        assert_eq!(
            joined("кто-то porte-parole 멘토-링 学习-效果 メンター-の"),
            [
                ("кто-то", word),
                ("porte-parole", word),
                ("멘토", word),
                ("링", word),
                ("学习", word),
                ("效果", word),
                ("メンター", word),
                ("の", word)
            ]
        );
        let text = "well-known l’expertise — 2019-2020";
        for token in hyphenated_words(text) {
            assert_eq!(&text[token.start..token.end], token.text);
        }
    }

    #[test]
    fn word_parts_cut_tokens_at_their_inner_punctuation() {
        let parts = |text| {
            tokens(text)
                .flat_map(word_parts)
                .map(|t| t.text)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            parts("don't Twitter's l’expertise example.com S:t 10,000 snake_case"),
            [
                "don",
                "t",
                "Twitter",
                "s",
                "l",
                "expertise",
                "example",
                "com",
                "S",
                "t",
                "10",
                "000",
                "snake",
                "case"
            ]
        );
        // Catalan middle dot, Hebrew gershayim, Arabic thousands separator.
        assert_eq!(
            parts("col·laboració צה\"ל ١٠٬٠٠٠"),
            ["col", "laboració", "צה", "ל", "١٠", "٠٠٠"]
        );
        // Marks stay with their letters; words without inner punctuation and runs of unspaced
        // scripts are one part.
        assert_eq!(
            parts("सीखना مُعَلِّم Ελλάδα 学習効果は ครูที่ดี"),
            ["सीखना", "مُعَلِّم", "Ελλάδα", "学習効果", "は", "ครูที่ดี"]
        );
        let text = "Anna's co-op, d'Anna: ３.５";
        for part in tokens(text).flat_map(word_parts) {
            assert_eq!(&text[part.start..part.end], part.text);
        }
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

    /// The compounds and numbers of a text with their flags: (text, number?, sentence start,
    /// beside CJK), CJK runs left out.
    fn compound_words(text: &str) -> Vec<(&str, bool, bool, bool)> {
        in_context(text, compounds(text))
            .filter(|t| !t.token.script.is_cjk())
            .map(|t| {
                let number = t.token.kind == TokenKind::Number;
                (t.token.text, number, t.sentence_start, t.beside_cjk)
            })
            .collect()
    }

    fn compound_texts(text: &str) -> Vec<&str> {
        compounds(text).map(|t| t.text).collect()
    }

    #[test]
    fn compounds_join_code_urls_and_names_across_joiners() {
        assert_eq!(
            compound_texts("see config/routes.rb and https://12factor.net/ja now."),
            [
                "see",
                "config/routes.rb",
                "and",
                "https://12factor.net/ja",
                "now"
            ]
        );
        assert_eq!(
            compound_texts("Twelve-Factor COVID-19 user@host 10-20"),
            ["Twelve-Factor", "COVID-19", "user@host", "10", "20"]
        );
        // Four joiners in a row, or a space, end the word.
        assert_eq!(compound_texts("a----b c - d"), ["a", "b", "c", "d"]);
        // Alphabetic scripts other than Latin join too; unspaced runs and Hangul never do.
        assert_eq!(
            compound_texts("Санкт-Петербург Ελληνικά-English"),
            ["Санкт-Петербург", "Ελληνικά-English"]
        );
        assert_eq!(
            compound_texts("学習-効果 멘토링-코칭 ครู-ดี"),
            ["学習", "効果", "멘토링", "코칭", "ครู", "ดี"]
        );
        assert_eq!(compound_texts("המנטור-עוזר"), ["המנטור-עוזר"]);
        assert_eq!(compound_texts("الإرشاد-يساعد"), ["الإرشاد-يساعد"]);
        assert_eq!(compound_texts("मेंटर-सिखाता"), ["मेंटर-सिखाता"]);
    }

    #[test]
    fn numbers_fold_width_and_separators_and_stay_apart_in_cjk() {
        let numbers = |text: &str| -> Vec<String> {
            compounds(text).filter_map(|t| number_digits(&t)).collect()
        };
        assert_eq!(numbers("２０１９年に3つの"), ["2019", "3"]);
        assert_eq!(
            numbers("10,000 and 10.000 and 10\u{A0}000 and 10\u{202F}000"),
            ["10000"; 4]
        );
        // Digits of other scripts are letters of their script's words.
        assert_eq!(numbers("١٠٬٠٠٠ 2019년 2019年 ๒๕๖๗"), ["2019", "2019"]);
        assert!(numbers("S3 and utf8 and mp3").is_empty());
    }

    #[test]
    fn latin_words_inside_cjk_text_are_their_own_tokens_beside_it() {
        let words = compound_words("Amazon S3やTwitterなどの外部サービス");
        let texts: Vec<&str> = words.iter().map(|w| w.0).collect();
        assert_eq!(texts, ["Amazon", "S3", "Twitter"]);
        let beside: Vec<bool> = words.iter().map(|w| w.3).collect();
        assert_eq!(beside, [false, true, true], "{words:?}");
        // Across one space on the line too (`Unreleased 節`), not across a line break.
        let beside =
            |text: &str| -> Vec<bool> { compound_words(text).iter().map(|w| w.3).collect() };
        assert_eq!(beside("- Added 新機能について。"), [true]);
        assert_eq!(beside("の Semantic Versioning に"), [true, true]);
        assert_eq!(beside("外部\nTwitter and Amazon"), [false, false, false]);
        assert_eq!(beside("멘토링 Mentoring"), [true]);
        assert_eq!(beside("Наставник Mentor"), [false, false]);
    }

    #[test]
    fn sentence_starts_are_marked_in_every_script() {
        let starts =
            |text: &str| -> Vec<bool> { compound_words(text).iter().map(|w| w.2).collect() };
        assert_eq!(
            starts("The end. Next one, Name here"),
            [true, false, true, false, false, false]
        );
        assert_eq!(
            starts("- (Item) one\n* Two: Three"),
            [true, false, true, true]
        );
        assert_eq!(starts("Он пришёл. Она ушла"), [true, false, true, false]);
        assert_eq!(starts("学習効果。Mentor は"), [true]);
    }

    #[test]
    fn the_dominant_script_weighs_cjk_characters_as_syllables() {
        assert_eq!(
            dominant_script("設定を環境変数に格納する"),
            DocumentScript::Japanese
        );
        assert_eq!(
            dominant_script("设置存储在环境变量中"),
            DocumentScript::Chinese
        );
        assert_eq!(
            dominant_script("우리는 신입 기여자들을 환영합니다 - About Pull Requests (in english)"),
            DocumentScript::Korean
        );
        assert_eq!(
            dominant_script("Store config in the environment"),
            DocumentScript::Latin
        );
        assert_eq!(
            dominant_script("Наставник помогает"),
            DocumentScript::Cyrillic
        );
        assert_eq!(dominant_script("Ο μέντορας βοηθά"), DocumentScript::Greek);
        assert_eq!(dominant_script("המנטור עוזר"), DocumentScript::Hebrew);
        assert_eq!(dominant_script("الإرشاد يساعد"), DocumentScript::Arabic);
        assert_eq!(dominant_script("मेंटर सिखाता है"), DocumentScript::Indic);
        assert_eq!(dominant_script("ครูที่ดี"), DocumentScript::SoutheastAsian);
        assert_eq!(dominant_script("123"), DocumentScript::None);
    }

    #[test]
    fn names_in_katakana_meet_their_latin_spelling() {
        let kana = |text: &str| -> Vec<String> {
            katakana_words(text)
                .into_iter()
                .flatten()
                .map(|part| sound_key(&part, Spelling::Kana))
                .collect()
        };
        let latin = |name: &str| {
            [Spelling::LatinRhotic, Spelling::LatinNonRhotic].map(|s| sound_key(name, s))
        };
        for (katakana, name) in [
            ("マイクロソフト", "Microsoft"),
            ("ネットフリックス", "Netflix"),
            ("ザッカーバーグ", "Zuckerberg"),
            ("メルケル", "Merkel"),
            ("フェイスブック", "Facebook"),
            ("エリザベス", "Elizabeth"),
            ("ワシントン", "Washington"),
            ("クリストファー", "Christopher"),
            ("トランプ", "Trump"),
            ("ジョンソン", "Johnson"),
        ] {
            let key = kana(katakana);
            assert_eq!(key.len(), 1, "{katakana}");
            assert!(
                latin(name).contains(&key[0]),
                "{katakana} {key:?} {name} {:?}",
                latin(name)
            );
        }
        let words = katakana_words("大統領のジョン・スミス氏とパーティー");
        assert_eq!(words.len(), 2);
        assert_eq!(words[0], ["jon", "sumisu"]);
        assert_eq!(sound_key(&words[1][0], Spelling::Kana), "pt");
        assert!(katakana_words("ーー の Hiragana 한국어").is_empty());
        assert_eq!(sound_key("Microsoft", Spelling::LatinRhotic), "nkrspt");
        assert_ne!(kana("マイクロソフト"), kana("アップル"));
    }

    #[test]
    fn lowercase_borrows_what_it_does_not_change() {
        assert!(matches!(lowercase("mentor"), std::borrow::Cow::Borrowed(_)));
        assert!(matches!(lowercase("学習"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(lowercase("Ελλάδα"), "ελλάδα");
        assert_eq!(lowercase("ÜBER"), "über");
    }

    /// Random mixes of ASCII, accented, Cyrillic, Greek, CJK, full-width and other characters.
    fn mixed_scripts() -> impl Iterator<Item = String> {
        const PIECES: [&str; 29] = [
            "Hello ",
            "WORLD",
            "x1",
            " ",
            "\n",
            "ÀÉß",
            "×",
            "ĄŁ",
            "ɐ",
            "Жя",
            "\u{483}",
            "ΣΑς",
            "İ",
            "学習",
            "カナ",
            "ひら",
            "한국",
            "ครู",
            "मेंटर",
            "עזר",
            "يساعد",
            "Ａｂ",
            "\u{3000}",
            "-",
            "'",
            "’",
            ".",
            "1",
            "١",
        ];
        crate::text::mixed_strings(&PIECES, 11, 20_000, 10)
    }

    #[test]
    fn lowercase_is_str_to_lowercase() {
        for text in mixed_scripts() {
            let lowered = lowercase(&text);
            assert_eq!(lowered, text.to_lowercase(), "{text:?}");
            assert_eq!(
                matches!(lowered, std::borrow::Cow::Borrowed(_)),
                lowered == text,
                "{text:?}"
            );
        }
    }

    /// The dominant script, ASCII counted by its bytes, is the one each character's script gives.
    #[test]
    fn the_dominant_script_counts_every_character() {
        let by_characters = |text: &str| {
            let mut tally = ScriptTally::default();
            for c in text.chars().filter(|&c| crate::text::is_letter(c)) {
                tally.add(script_of(c));
            }
            tally.counts()
        };
        for text in mixed_scripts() {
            let counts = by_characters(&text);
            let most = counts.iter().copied().max().unwrap_or(0);
            let script = dominant_script(&text);
            if most == 0 {
                assert_eq!(script, DocumentScript::None, "{text:?}");
            } else {
                let first = counts.iter().position(|&n| n == most).unwrap();
                assert_eq!(script as usize, first, "{text:?} {counts:?}");
            }
        }
    }
}
