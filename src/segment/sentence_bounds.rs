//! Unicode sentence boundaries (UAX #29) as `unicode_segmentation`'s
//! `split_sentence_bound_indices` gives them, with a fast path for plain text: text whose every
//! character's sentence-break class is known without the Unicode tables (printable ASCII and
//! tabs, the cased letters of the Latin-1, Latin Extended and Cyrillic blocks, the common
//! quotation marks, dashes, the ellipsis, the no-break space and the C1 control characters).
//! Plain text holds no paragraph separator, no format or extending character and no letter
//! without case, so of the rules only those after a full stop or another terminator (SB6 to
//! SB11) ever apply. Any other text is read by the crate. Unit tests hold the two to each other.

use unicode_segmentation::{USentenceBoundIndices, UnicodeSegmentation};

/// The sentence-break class of a character of plain text (the rules' names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Numeric,
    /// The full stop, which may end a sentence or an abbreviation.
    ATerm,
    /// `!` and `?`.
    STerm,
    /// Quotation marks and brackets.
    Close,
    /// Commas, colons, semicolons and dashes: a sentence goes on after them.
    SContinue,
    /// Spaces and tabs.
    Sp,
    /// Anything else.
    Other,
}

/// The class of each ASCII character that plain text may hold (`None` for control characters
/// but the tab).
const ASCII_CLASSES: [Option<Class>; 128] = {
    let mut classes = [None; 128];
    let mut byte = 0;
    while byte < 128 {
        classes[byte] = match byte as u8 {
            b'a'..=b'z' => Some(Class::Lower),
            b'A'..=b'Z' => Some(Class::Upper),
            b'0'..=b'9' => Some(Class::Numeric),
            b'.' => Some(Class::ATerm),
            b'!' | b'?' => Some(Class::STerm),
            b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Some(Class::Close),
            b',' | b'-' | b':' | b';' => Some(Class::SContinue),
            b' ' | b'\t' => Some(Class::Sp),
            b'!'..=b'~' => Some(Class::Other),
            _ => None,
        };
        byte += 1;
    }
    classes
};

/// The class of `c` when it is a character of plain text, `None` when only the Unicode tables
/// know it.
#[inline]
fn class_of(c: char) -> Option<Class> {
    if c.is_ascii() {
        return ASCII_CLASSES[c as usize];
    }
    let class = match c {
        '‘' | '’' | '“' | '”' | '„' | '«' | '»' | '‹' | '›' => Class::Close,
        '–' | '—' => Class::SContinue,
        '\u{A0}' => Class::Sp,
        // The ellipsis, and the C1 control characters but the next-line one (a paragraph
        // separator), which texts decoded from Windows-1252 as Latin-1 hold.
        '…' => Class::Other,
        '\u{80}'..='\u{9F}' if c != '\u{85}' => Class::Other,
        '\u{C0}'..='\u{24F}' | '\u{400}'..='\u{481}' | '\u{48A}'..='\u{52F}'
            if c != '\u{D7}' && c != '\u{F7}' =>
        {
            if c.is_lowercase() {
                Class::Lower
            } else if c.is_uppercase() {
                Class::Upper
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some(class)
}

/// The sentences of `text` with their byte offsets, as `split_sentence_bound_indices` gives them.
pub(super) fn sentence_bound_indices(text: &str) -> SentenceBounds<'_> {
    if text.chars().all(|c| class_of(c).is_some()) {
        SentenceBounds::Plain(PlainSentences {
            text,
            start: 0,
            at: 0,
            last: None,
            terminator: None,
        })
    } else {
        SentenceBounds::Rules(text.split_sentence_bound_indices())
    }
}

/// The sentences of one text, read by the fast path or by the crate.
pub(super) enum SentenceBounds<'t> {
    Plain(PlainSentences<'t>),
    Rules(USentenceBoundIndices<'t>),
}

impl<'t> Iterator for SentenceBounds<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<(usize, &'t str)> {
        match self {
            SentenceBounds::Plain(sentences) => sentences.next(),
            SentenceBounds::Rules(sentences) => sentences.next(),
        }
    }
}

/// The terminator that the text read so far ends in, followed by closing marks and spaces
/// (`SATerm Close* Sp*`): where the rules may break.
#[derive(Debug, Clone, Copy)]
struct Terminator {
    /// A full stop (not `!` or `?`).
    full_stop: bool,
    /// The full stop follows a letter with case (`(Upper | Lower) ATerm`).
    after_letter: bool,
    /// A space has followed (no closing mark may follow any more).
    spaced: bool,
}

/// The sentences of plain text (see [`sentence_bound_indices`]).
pub(super) struct PlainSentences<'t> {
    text: &'t str,
    /// Where the current sentence starts.
    start: usize,
    /// The next character to read.
    at: usize,
    /// The class of the character before it.
    last: Option<Class>,
    /// The terminator the text before it ends in, if any.
    terminator: Option<Terminator>,
}

impl PlainSentences<'_> {
    /// Whether the rules break before a character of class `class` at byte `at`.
    fn breaks_before(&self, class: Class, at: usize) -> bool {
        let Some(terminator) = self.terminator else {
            return false;
        };
        let after_full_stop = self.last == Some(Class::ATerm);
        let keeps = (after_full_stop && class == Class::Numeric) // SB6
            || (after_full_stop && terminator.after_letter && class == Class::Upper) // SB7
            || (terminator.full_stop && self.lower_case_follows(at)) // SB8
            || matches!(class, Class::SContinue | Class::STerm | Class::ATerm) // SB8a
            || (!terminator.spaced && class == Class::Close) // SB9
            || class == Class::Sp; // SB9, SB10
        !keeps
    }

    /// Whether, from byte `at` on, a lower-case letter comes before any upper-case letter or
    /// terminator (SB8: `a.b. c` goes on).
    fn lower_case_follows(&self, at: usize) -> bool {
        for c in self.text[at..].chars() {
            match class_of(c) {
                Some(Class::Lower) => return true,
                Some(Class::Upper | Class::ATerm | Class::STerm) => return false,
                _ => {}
            }
        }
        false
    }
}

impl<'t> Iterator for PlainSentences<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<(usize, &'t str)> {
        let text = self.text;
        while let Some(c) = text[self.at..].chars().next() {
            let at = self.at;
            let class = class_of(c).unwrap_or(Class::Other);
            let breaks = at > 0 && self.breaks_before(class, at);
            self.terminator = match class {
                Class::ATerm => Some(Terminator {
                    full_stop: true,
                    after_letter: matches!(self.last, Some(Class::Upper | Class::Lower)),
                    spaced: false,
                }),
                Class::STerm => Some(Terminator {
                    full_stop: false,
                    after_letter: false,
                    spaced: false,
                }),
                Class::Close => self.terminator.filter(|t| !t.spaced),
                Class::Sp => self.terminator.map(|t| Terminator { spaced: true, ..t }),
                _ => None,
            };
            self.last = Some(class);
            self.at += c.len_utf8();
            if breaks {
                let sentence = (self.start, &text[self.start..at]);
                self.start = at;
                return Some(sentence);
            }
        }
        (self.start < text.len()).then(|| {
            let sentence = (self.start, &text[self.start..]);
            self.start = text.len();
            sentence
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(text: &str) {
        let rules: Vec<_> = text.split_sentence_bound_indices().collect();
        assert_eq!(
            sentence_bound_indices(text).collect::<Vec<_>>(),
            rules,
            "{text:?}"
        );
    }

    fn plain(text: &str) -> bool {
        matches!(sentence_bound_indices(text), SentenceBounds::Plain(_))
    }

    /// Every character of plain text behaves as its class says, in every context the rules
    /// tell classes apart by.
    #[test]
    fn every_plain_character_is_read_as_the_rules_read_it() {
        let mut checked = 0;
        for c in ('\0'..='\u{7FF}').chain(['‘', '’', '“', '”', '„', '‹', '›', '–', '—', '…'])
        {
            if class_of(c).is_none() {
                continue;
            }
            for text in [
                format!("{c}"),
                format!("a.{c}b"),
                format!("a.{c}B"),
                format!("A.{c}"),
                format!("a. {c}b"),
                format!("a. {c}"),
                format!("a.{c} b"),
                format!("a.{c} B"),
                format!("a!{c} b"),
                format!("a?{c}{c} B"),
                format!("{c}. b {c}. B"),
                format!("1.{c} x"),
                format!("a.) {c} x"),
            ] {
                assert!(plain(&text), "{text:?}");
                same(&text);
                checked += 1;
            }
        }
        assert!(checked > 10_000, "only {checked} texts");
    }

    /// Every string of up to six characters over one of each class (and a letter of each
    /// script), every line of the language bench, the seeds, and random mixes give the crate's
    /// sentences.
    #[test]
    fn plain_sentences_are_the_rules_sentences() {
        let alphabet = ["a", "B", "1", ".", "!", ")", ",", " ", "#", "é", "Ж", "”"];
        let mut text = String::new();
        for length in 0..=6u32 {
            for mut n in 0..alphabet.len().pow(length) {
                text.clear();
                for _ in 0..length {
                    text.push_str(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                same(&text);
            }
        }
        let root = env!("CARGO_MANIFEST_DIR");
        let mut plain_lines = 0;
        for file in ["sentences.tsv", "paragraphs.tsv", "words.tsv"] {
            let path = format!("{root}/tests/data/langid/{file}");
            let data = std::fs::read_to_string(&path).expect("the bench data is bundled");
            for line in data.lines() {
                same(line);
                plain_lines += usize::from(plain(line));
            }
        }
        assert!(plain_lines > 1_000, "only {plain_lines} plain lines");
        for entry in std::fs::read_dir(format!("{root}/corpus")).expect("the seeds are bundled") {
            let path = entry.expect("a readable folder").path();
            let text = std::fs::read_to_string(&path).expect("a seed article");
            for line in text.lines() {
                same(line);
            }
            same(&text.replace(['\n', '\r'], " "));
        }
        let pieces = [
            "Dr. Smith met J. F. Kennedy in 1960. ",
            "etc.) and ",
            "U.S.A. ",
            "e.g. ",
            "Příliš žluťoučký kůň. ",
            "„Tak” — rzekł. ",
            "Съешь ещё? Да! ",
            "(a.b.) ",
            "3.14",
            " ",
            "\t",
            "\u{A0}",
            ".",
            "?!",
            "...",
            "'",
            "\"",
            "a",
            "Z",
            "é",
            "É",
            "ж",
            "Ж",
            "1",
            ",",
            "-",
            "—",
            "#",
            "…",
            "\u{301}",
            "\u{2029}",
            "\n",
            "学習。",
        ];
        for text in crate::text::mixed_strings(&pieces, 11, 50_000, 16) {
            same(&text);
        }
    }
}
