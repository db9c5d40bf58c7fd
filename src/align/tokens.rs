//! The tokens that versions of one article share across languages and scripts: numbers (in any
//! width, with thousands separators) and Latin-script words (names, brands, code, URLs, acronyms,
//! also inside Chinese, Japanese or Korean text, which has no spaces around them).
//!
//! Text is split where the script changes as well as at spaces and punctuation, so that
//! `Amazon S3やTwitterなどの` gives `Amazon`, `S3`, `Twitter` and two runs of CJK text, and the
//! digits of `2019年に3つの` are two numbers, not one.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Digits (separators removed, full-width digits folded): `#` anchors.
    Number,
    /// A run of letters (and digits) in an alphabetic script, with inner joiners (`-`, `.`,
    /// `/`, `_`, `:`, `@`) kept when a letter or digit follows them.
    Word,
}

/// One token: its text (full-width forms folded to ASCII) and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// The token, folded (numbers: digits only).
    pub text: String,
    /// Whether it opens a sentence of alphabetic text (after `.`, `!`, `?`, `:` or a quote and a
    /// space, or at the start of a line), where a capital says nothing.
    pub sentence_start: bool,
    /// Whether Chinese, Japanese or Korean text stands beside it (touching, or across one space
    /// on the same line: `Unreleased 節`), where a Latin-script word is a name or code wherever
    /// it stands.
    pub beside_cjk: bool,
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

/// Whether `c` is written in Chinese, Japanese or Korean script (Han, kana, Hangul).
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'
        | '\u{2E80}'..='\u{2FDF}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3130}'..='\u{318F}'
        | '\u{31F0}'..='\u{31FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{A960}'..='\u{A97F}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF66}'..='\u{FF9F}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Characters that stay inside a word when a letter or digit follows: `Twelve-Factor`,
/// `config/routes.rb`, `https://example.com`, `user@host`.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '.' | '/' | '_' | ':' | '@' | '\'' | '’')
}

/// Separators inside a number (`10,000`, `10.000`, `10 000` with a no-break or thin space,
/// `10'000`).
fn is_digit_separator(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | '\'' | '\u{A0}' | '\u{202F}' | '\u{2009}' | '٬' | '،'
    )
}

/// Machine-translation placeholders that stand where a number was.
fn is_number_placeholder(word: &str) -> bool {
    word.eq_ignore_ascii_case("xnumx")
}

/// Whether the character at `index` is Chinese, Japanese or Korean, or is a space (not a line
/// break) with one such character beyond it, looking the way `step` goes.
fn cjk_beside(chars: &[char], index: Option<usize>, step: fn(usize) -> Option<usize>) -> bool {
    let Some(c) = index.and_then(|i| chars.get(i)) else {
        return false;
    };
    if is_cjk(*c) {
        return true;
    }
    matches!(c, ' ' | '\t')
        && index
            .and_then(step)
            .and_then(|i| chars.get(i))
            .is_some_and(|n| is_cjk(*n))
}

/// The tokens of `text`, in order.
pub fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().map(fold_width).collect();
    let mut tokens = Vec::new();
    let mut sentence_start = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = |i: usize| i.checked_sub(1);
        let after = |i: usize| i.checked_add(1);
        let beside_cjk_before = cjk_beside(&chars, before(i), before);
        if c.is_ascii_digit() {
            let start = i;
            let mut digits = String::new();
            while i < chars.len() {
                if chars[i].is_ascii_digit() {
                    digits.push(chars[i]);
                    i += 1;
                } else if is_digit_separator(chars[i])
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())
                {
                    i += 1;
                } else {
                    break;
                }
            }
            // A number glued to letters (`S3`, `H264`, `utf8`) is a word with digits.
            let glued = chars
                .get(i)
                .is_some_and(|n| n.is_alphabetic() && !is_cjk(*n))
                || start > 0 && chars[start - 1].is_alphabetic() && !is_cjk(chars[start - 1]);
            if !glued {
                tokens.push(Token {
                    kind: TokenKind::Number,
                    text: digits,
                    sentence_start: false,
                    beside_cjk: beside_cjk_before || cjk_beside(&chars, Some(i), after),
                });
                sentence_start = false;
                continue;
            }
            i = start;
        }
        if is_cjk(c) {
            // Chinese, Japanese and Korean runs give no token; they only end the words around.
            i += 1;
            sentence_start = false;
            continue;
        }
        if c.is_alphanumeric() {
            let start = i;
            while i < chars.len() {
                // Letters and digits, and joiners (`://` too) when a letter or digit follows.
                let mut next = i;
                while next < chars.len() && is_joiner(chars[next]) {
                    next += 1;
                }
                let continues = chars
                    .get(next)
                    .is_some_and(|n| n.is_alphanumeric() && !is_cjk(*n));
                if !continues || next > i + 3 {
                    break;
                }
                i = next + 1;
            }
            let word: String = chars[start..i].iter().collect();
            let beside_cjk = beside_cjk_before || cjk_beside(&chars, Some(i), after);
            if !is_number_placeholder(&word) {
                let digits = word.chars().filter(char::is_ascii_digit).count();
                tokens.push(Token {
                    kind: if digits == word.chars().count() {
                        TokenKind::Number
                    } else {
                        TokenKind::Word
                    },
                    text: word,
                    sentence_start,
                    beside_cjk,
                });
            }
            sentence_start = false;
            continue;
        }
        // Punctuation and spaces: a sentence ends at `.`, `!`, `?`, `:`, a closing quote, a
        // CJK full stop, or a line break.
        if matches!(c, '.' | '!' | '?' | ':' | '"' | '”' | '。' | '\n') {
            sentence_start = true;
        } else if !c.is_whitespace() && !matches!(c, '*' | '-' | '•' | '#' | '>' | '(' | '“' | '«')
        {
            sentence_start = false;
        }
        i += 1;
    }
    tokens
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
    for c in word.chars().flat_map(char::to_lowercase) {
        if c.is_ascii() {
            letters.push(c as u8);
        } else if let Some(folded) = deunicode::deunicode_char(c) {
            letters.extend(folded.bytes());
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

/// Whether `c` is a katakana letter (full or half width) or the prolonged sound mark; not the
/// middle dot that separates the parts of a name (`ジョン・スミス`).
fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | '\u{30FC}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}')
}

/// The katakana words of `text` in romaji, each as its parts (`ジョン・スミス`: `jon`, `sumisu`):
/// how Japanese writes foreign names (and loanwords).
pub fn katakana_words(text: &str) -> Vec<Vec<String>> {
    use wana_kana::ConvertJapanese;
    let mut words = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    let mut run = String::new();
    let end_part = |run: &mut String, parts: &mut Vec<String>| {
        if run.chars().any(|c| c != '\u{30FC}') {
            parts.push(run.as_str().to_romaji());
        }
        run.clear();
    };
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_katakana(c) {
            run.push(c);
        } else if matches!(c, '・' | '゠' | '＝' | '･') && !run.is_empty() {
            end_part(&mut run, &mut parts);
        } else {
            end_part(&mut run, &mut parts);
            if !parts.is_empty() {
                words.push(std::mem::take(&mut parts));
            }
        }
    }
    words
}

/// The script most of a text's letters are written in (`latin`, `cyrillic`, `greek`, `hebrew`,
/// `arabic`, `indic`, `thai`, `japanese`, `chinese`, `korean`, `other`; `none` without letters).
/// A Han character, kana or Hangul syllable counts as three letters (it stands for a syllable or
/// a word), so that a Korean text quoting English titles is still Korean. Two documents in one
/// detected language but different scripts are not copies of one another.
pub fn dominant_script(text: &str) -> &'static str {
    const SCRIPTS: [&str; 11] = [
        "latin", "cyrillic", "greek", "hebrew", "arabic", "indic", "thai", "chinese", "korean",
        "japanese", "other",
    ];
    let mut counts = [0usize; 11];
    let mut kana = 0usize;
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let (script, weight) = match c as u32 {
            0x0000..=0x024F | 0x1E00..=0x1EFF => (0, 1),
            0x0370..=0x03FF | 0x1F00..=0x1FFF => (2, 1),
            0x0400..=0x052F => (1, 1),
            0x0590..=0x05FF => (3, 1),
            0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => (4, 1),
            0x0900..=0x0DFF => (5, 1),
            0x0E00..=0x0E7F => (6, 1),
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => (8, 3),
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => {
                kana += 1;
                (7, 3)
            }
            _ if is_cjk(c) => (7, 3),
            _ => (10, 1),
        };
        counts[script] += weight;
    }
    // Han with kana is Japanese.
    if kana * 10 >= counts[7] / 3 && kana > 0 {
        counts[9] = counts[7];
        counts[7] = 0;
    }
    match counts
        .iter()
        .enumerate()
        .max_by_key(|&(k, &n)| (n, std::cmp::Reverse(k)))
    {
        Some((k, &n)) if n > 0 => SCRIPTS[k],
        _ => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_and_texts(text: &str) -> Vec<(TokenKind, String)> {
        tokens(text).into_iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn latin_words_inside_japanese_are_their_own_tokens() {
        let found = kinds_and_texts("Amazon S3やTwitterなどの外部サービス");
        let words: Vec<&str> = found
            .iter()
            .filter(|(k, _)| *k == TokenKind::Word)
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(words, ["Amazon", "S3", "Twitter"]);
        assert!(tokens("外部Twitter").iter().any(|t| t.beside_cjk));
        // Across one space on the line too (`Unreleased 節`), not across a line break.
        let beside =
            |text: &str| -> Vec<bool> { tokens(text).iter().map(|t| t.beside_cjk).collect() };
        assert_eq!(beside("- Added 新機能について。"), [true]);
        assert_eq!(beside("の Semantic Versioning に"), [true, true]);
        assert_eq!(beside("外部\nTwitter and Amazon"), [false, false, false]);
    }

    #[test]
    fn numbers_fold_width_and_separators_and_stay_apart_in_cjk() {
        let numbers = |text: &str| -> Vec<String> {
            tokens(text)
                .into_iter()
                .filter(|t| t.kind == TokenKind::Number)
                .map(|t| t.text)
                .collect()
        };
        assert_eq!(numbers("２０１９年に3つの"), ["2019", "3"]);
        assert_eq!(numbers("10,000 and 10.000 and 10\u{A0}000"), ["10000"; 3]);
        assert_eq!(numbers("XNUMX people"), Vec::<String>::new());
        assert!(numbers("S3 and utf8").is_empty());
    }

    #[test]
    fn code_and_urls_stay_one_word() {
        let found = kinds_and_texts("see config/routes.rb and https://12factor.net/ja now.");
        assert!(found.contains(&(TokenKind::Word, "config/routes.rb".into())));
        assert!(found.contains(&(TokenKind::Word, "https://12factor.net/ja".into())));
    }

    #[test]
    fn the_dominant_script_weighs_cjk_characters_as_syllables() {
        assert_eq!(dominant_script("設定を環境変数に格納する"), "japanese");
        assert_eq!(dominant_script("设置存储在环境变量中"), "chinese");
        assert_eq!(
            dominant_script("우리는 신입 기여자들을 환영합니다 - About Pull Requests (in english)"),
            "korean"
        );
        assert_eq!(dominant_script("Store config in the environment"), "latin");
        assert_eq!(dominant_script("123"), "none");
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
        assert_eq!(sound_key("Microsoft", Spelling::LatinRhotic), "nkrspt");
        assert_ne!(kana("マイクロソフト"), kana("アップル"));
    }

    #[test]
    fn sentence_starts_are_marked() {
        let found = tokens("The end. Next one, Name here");
        let starts: Vec<bool> = found.iter().map(|t| t.sentence_start).collect();
        assert_eq!(starts, [true, false, true, false, false, false]);
    }
}
