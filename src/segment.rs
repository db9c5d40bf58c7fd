//! Segmentation: splits a document once into paragraphs, sentences and words, as byte spans into
//! the original text, and marks headings and web boilerplate.
//!
//! Paragraphs are blocks separated by blank lines. Inside a block, each line is its own paragraph
//! when the lines are separate units (headings, list items, lines that end a sentence); a block of
//! hard-wrapped prose (most line ends continue on the next line) stays one paragraph, broken only
//! before list items and after short lines. A heading is a short single-line paragraph with no
//! closing punctuation. Boilerplate (share buttons, download calls to action, comment widgets) is
//! recognised from the phrase list `segment/boilerplate.tsv`. Sentences follow Unicode sentence
//! boundaries (UAX #29), with splits after known abbreviations (`segment/abbreviations.tsv`),
//! initials and list numbers undone.

use crate::corpus::is_blank;
use crate::datafile::data_rows;
use crate::text::{Token, tokens, word_count};
use sentence_bounds::sentence_bound_indices;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

mod sentence_bounds;

const BOILERPLATE_TSV: &str = include_str!("segment/boilerplate.tsv");
const ABBREVIATIONS_TSV: &str = include_str!("segment/abbreviations.tsv");

/// Paragraphs longer than this are article text, never boilerplate.
const BOILERPLATE_MAX_WORDS: usize = 25;

/// A byte range `start..end` into a document's text, always on char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// One paragraph of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    /// Byte range of the paragraph, without surrounding white space.
    pub span: Span,
    /// A short single-line paragraph without closing punctuation.
    pub heading: bool,
    /// Page furniture rather than article text (share buttons, download links, comment widgets).
    pub boilerplate: bool,
    /// Sentences, in order, inside the paragraph (empty when only paragraphs were segmented).
    pub sentences: Vec<Span>,
    /// Number of words (Unicode word boundaries, tokens with a letter or digit).
    pub words: usize,
}

/// A document split into paragraphs, sentences and words.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Segmented {
    /// Paragraphs in text order; they never overlap.
    pub paragraphs: Vec<Paragraph>,
    /// Words in the whole document.
    pub words: usize,
}

/// Settings for segmentation.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SegmentConfig {
    /// A paragraph with more words than this is never a heading.
    pub heading_max_words: usize,
}

impl Default for SegmentConfig {
    fn default() -> Self {
        Self {
            heading_max_words: 12,
        }
    }
}

impl SegmentConfig {
    /// Prepares the boilerplate phrases and abbreviations once.
    pub fn build(&self) -> Segmenter {
        let mut boilerplate = Boilerplate::default();
        for fields in data_rows(BOILERPLATE_TSV) {
            let (Some(rule), Some(phrase)) = (fields.get(1), fields.get(2)) else {
                continue;
            };
            let phrase = boilerplate_key(phrase);
            match *rule {
                "exact" => {
                    boilerplate.exact.insert(phrase);
                }
                "line" => {
                    let first = phrase.split(' ').next().unwrap_or("").to_string();
                    boilerplate
                        .line_start
                        .entry(first)
                        .or_default()
                        .push(phrase);
                }
                "contains" => boilerplate.contains.push(format!(" {phrase} ")),
                _ => {}
            }
        }
        let abbreviations = data_rows(ABBREVIATIONS_TSV)
            .filter_map(|fields| fields.get(1).map(|a| a.to_string()))
            .collect();
        Segmenter {
            heading_max_words: self.heading_max_words,
            boilerplate,
            abbreviations,
        }
    }
}

/// The boilerplate phrases, normalised, by how they match.
#[derive(Debug, Clone, Default)]
struct Boilerplate {
    /// The whole paragraph is the phrase.
    exact: HashSet<String>,
    /// A short paragraph starts with the phrase; keyed by the phrase's first word.
    line_start: HashMap<String, Vec<String>>,
    /// A paragraph of at most `BOILERPLATE_MAX_WORDS` words contains the phrase (stored padded
    /// with spaces).
    contains: Vec<String>,
}

/// How far segmentation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// Paragraphs only; their sentence lists stay empty.
    Paragraphs,
    /// Paragraphs and their sentences.
    Sentences,
}

/// How many words each paragraph holds, paragraphs asked in text order: counted in its text, or
/// from the tokens of the whole text when the caller has them.
struct WordCounter<'a, 't> {
    text_tokens: Option<&'a [Token<'t>]>,
    /// The first token not before the last paragraph asked.
    next: usize,
}

impl WordCounter<'_, '_> {
    fn words(&mut self, text: &str, span: Span) -> usize {
        let Some(text_tokens) = self.text_tokens else {
            return word_count(&text[span.start..span.end]);
        };
        let rest = &text_tokens[self.next..];
        let first = rest.partition_point(|token| token.start < span.start);
        let inside = rest[first..].partition_point(|token| token.start < span.end);
        self.next += first + inside;
        rest[first..first + inside]
            .iter()
            .map(Token::counted_words)
            .sum()
    }
}

/// The built segmenter; cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Segmenter {
    heading_max_words: usize,
    boilerplate: Boilerplate,
    abbreviations: HashSet<String>,
}

/// A line's content range and its range without surrounding white space.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

impl Segmenter {
    /// Splits `text` into paragraphs, sentences and words.
    pub fn segment(&self, text: &str) -> Segmented {
        self.segment_to(text, Depth::Sentences, None)
    }

    /// [`Segmenter::segment`], each paragraph's words counted from `text_tokens`, the
    /// [`tokens()`] of the whole text made already (a caller that reads them in other ways too
    /// tokenizes once). No token crosses a line break, so the tokens inside a paragraph are the
    /// paragraph's own, but for a zero-width character at a line's end, which a paragraph leaves
    /// out and the word before it in the whole text takes in (as its last character: a token
    /// starts at a letter or digit): a text with a token ending in one is counted paragraph by
    /// paragraph (a unit test holds the counts to [`word_count`]).
    pub fn segment_with_tokens(&self, text: &str, text_tokens: &[Token]) -> Segmented {
        let ends_blank = |token: &Token| token.text.chars().next_back().is_some_and(is_blank);
        let shared = !text_tokens.iter().any(ends_blank);
        self.segment_to(text, Depth::Sentences, shared.then_some(text_tokens))
    }

    /// Paragraphs (with headings, boilerplate and word counts) but no sentences: all that
    /// language identification reads, at a fraction of the cost.
    pub(crate) fn segment_paragraphs(&self, text: &str) -> Segmented {
        self.segment_to(text, Depth::Paragraphs, None)
    }

    fn segment_to(&self, text: &str, depth: Depth, text_tokens: Option<&[Token]>) -> Segmented {
        let mut counter = WordCounter {
            text_tokens,
            next: 0,
        };
        let mut paragraphs = Vec::new();
        let mut block: Vec<Line> = Vec::new();
        for line in lines(text) {
            if line.start == line.end {
                self.flush_block(text, &mut block, &mut paragraphs, depth, &mut counter);
            } else {
                block.push(line);
            }
        }
        self.flush_block(text, &mut block, &mut paragraphs, depth, &mut counter);
        mark_author_bio(text, &mut paragraphs);
        let words = paragraphs.iter().map(|p| p.words).sum();
        Segmented { paragraphs, words }
    }

    fn flush_block(
        &self,
        text: &str,
        block: &mut Vec<Line>,
        out: &mut Vec<Paragraph>,
        depth: Depth,
        counter: &mut WordCounter,
    ) {
        for range in split_block(text, block) {
            let span = Span {
                start: block[range.start].start,
                end: block[range.end - 1].end,
            };
            let words = counter.words(text, span);
            out.push(self.paragraph(text, span, range.len() == 1, depth, words));
        }
        block.clear();
    }

    fn paragraph(
        &self,
        text: &str,
        span: Span,
        single_line: bool,
        depth: Depth,
        words: usize,
    ) -> Paragraph {
        let body = &text[span.start..span.end];
        let boilerplate = words <= BOILERPLATE_MAX_WORDS && self.is_boilerplate(body, words);
        let heading = !boilerplate && single_line && self.is_heading(body, words);
        let sentences = match depth {
            Depth::Paragraphs => Vec::new(),
            Depth::Sentences if heading => vec![span],
            Depth::Sentences => self.sentences(body, span.start),
        };
        Paragraph {
            span,
            heading,
            boilerplate,
            sentences,
            words,
        }
    }

    fn is_heading(&self, body: &str, words: usize) -> bool {
        words > 0
            && words <= self.heading_max_words
            && body.chars().count() <= 120
            && !ends_with_terminal(body)
            && !body.trim_end().ends_with(',')
    }

    fn is_boilerplate(&self, body: &str, words: usize) -> bool {
        let normalized = boilerplate_key(body);
        if normalized.is_empty() {
            return false;
        }
        let boilerplate = &self.boilerplate;
        if boilerplate.exact.contains(&normalized) {
            return true;
        }
        let first = normalized.split(' ').next().unwrap_or("");
        let starts_with_phrase = words <= 12
            && boilerplate.line_start.get(first).is_some_and(|phrases| {
                phrases.iter().any(|phrase| {
                    normalized
                        .strip_prefix(phrase.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
                })
            });
        starts_with_phrase || {
            let padded = format!(" {normalized} ");
            boilerplate
                .contains
                .iter()
                .any(|phrase| padded.contains(phrase.as_str()))
        }
    }

    /// Sentence spans of one paragraph body that starts at byte `offset` of the document.
    fn sentences(&self, body: &str, offset: usize) -> Vec<Span> {
        // Line breaks inside a paragraph are hard wraps, not sentence ends: read them as spaces.
        // Both are one byte, so offsets are unchanged.
        let flattened;
        let source = if body.contains(['\n', '\r']) {
            flattened = body.replace(['\n', '\r'], " ");
            flattened.as_str()
        } else {
            body
        };
        let mut spans: Vec<Span> = Vec::new();
        for (start, sentence) in sentence_bound_indices(source) {
            let Some(trimmed) = trim_span(sentence, start) else {
                continue;
            };
            let merge = spans.last().is_some_and(|previous| {
                self.continues_after(&source[previous.start..previous.end])
            });
            match spans.last_mut() {
                Some(previous) if merge => previous.end = trimmed.end,
                _ => spans.push(trimmed),
            }
        }
        for span in &mut spans {
            span.start += offset;
            span.end += offset;
        }
        spans
    }

    /// Whether a sentence that ends like `previous` was split too early (abbreviation, initial,
    /// list number).
    fn continues_after(&self, previous: &str) -> bool {
        let Some(without_stop) = previous.strip_suffix('.') else {
            return false;
        };
        let last = without_stop
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("")
            .trim_start_matches(['(', '[', '"', '\'', '“', '‘', '„', '«']);
        if last.is_empty() {
            return false;
        }
        let is_number = last.len() <= 3 && last.chars().all(|c| c.is_ascii_digit());
        if is_number && without_stop.trim() == last {
            return true;
        }
        let mut chars = last.chars();
        let is_initial =
            matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase());
        is_initial || self.abbreviations.contains(&last.to_lowercase())
    }
}

/// Lines of `text` as trimmed byte ranges; blank lines come out empty (`start == end`). A line
/// ends at `\n`, `\r\n`, a lone `\r`, or a Unicode line or paragraph separator.
fn lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    let bytes = text.as_bytes();
    let mut offset = 0;
    std::iter::from_fn(move || {
        if offset >= text.len() {
            return None;
        }
        let start = offset;
        let rest = &text[start..];
        let (length, terminator) = match rest.find(['\n', '\r', '\u{2028}', '\u{2029}']) {
            None => (rest.len(), 0),
            Some(at) => {
                let c = rest[at..].chars().next().unwrap_or('\n');
                let crlf = c == '\r' && bytes.get(start + at + 1) == Some(&b'\n');
                (at, if crlf { 2 } else { c.len_utf8() })
            }
        };
        offset = start + length + terminator;
        let raw = &text[start..start + length];
        let leading = raw.len() - raw.trim_start_matches(is_blank).len();
        let content = raw.trim_matches(is_blank);
        Some(if content.is_empty() {
            Line { start, end: start }
        } else {
            Line {
                start: start + leading,
                end: start + leading + content.len(),
            }
        })
    })
}

fn trim_span(piece: &str, start: usize) -> Option<Span> {
    let leading = piece.len() - piece.trim_start_matches(is_blank).len();
    let content = piece.trim_matches(is_blank);
    (!content.is_empty()).then(|| Span {
        start: start + leading,
        end: start + leading + content.len(),
    })
}

/// Splits a block of consecutive non-blank lines into paragraphs (ranges of line indices).
fn split_block(text: &str, block: &[Line]) -> Vec<std::ops::Range<usize>> {
    if block.len() <= 1 {
        return (!block.is_empty()).then_some(0..1).into_iter().collect();
    }
    let line = |i: usize| &text[block[i].start..block[i].end];
    let widths: Vec<usize> = (0..block.len()).map(|i| line(i).chars().count()).collect();
    let width = widths.iter().copied().max().unwrap_or(0);
    let continues: Vec<bool> = (0..block.len() - 1)
        .map(|i| continues_on_next_line(line(i), line(i + 1)))
        .collect();
    let continued = continues.iter().filter(|&&c| c).count();
    // Hard-wrapped prose: lines of a fixed width, and most line ends continue on the next line.
    let wrapped = width <= 160 && continued * 2 >= continues.len();
    let mut ranges = Vec::new();
    let mut first = 0;
    for i in 0..block.len() - 1 {
        let breaks = if wrapped {
            let short = widths[i] * 10 < width * 6;
            is_list_item(line(i + 1)) || (short && !continues[i])
        } else {
            !continues[i]
        };
        if breaks {
            ranges.push(first..i + 1);
            first = i + 1;
        }
    }
    ranges.push(first..block.len());
    ranges
}

/// Whether line `next` reads as the continuation of `line` (a hard wrap).
fn continues_on_next_line(line: &str, next: &str) -> bool {
    if is_list_item(next) || ends_with_terminal(line) {
        return false;
    }
    let trimmed = line.trim_end();
    if trimmed.ends_with(['-', ',']) {
        return true;
    }
    next.chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || matches!(c, '(' | '&' | '–' | '—'))
}

/// Ends in . ! ? … : ; (possibly followed by closing quotes or brackets).
fn ends_with_terminal(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', ']', '*', '_'])
        .ends_with(['.', '!', '?', '…', ':', ';'])
}

/// A bulleted or numbered list item: `- x`, `• x`, `1. x`, `2) x`, `a) x`.
fn is_list_item(line: &str) -> bool {
    let mut chars = line.chars();
    match chars.next() {
        Some('-' | '*' | '•' | '·' | '–' | '▪' | '◦' | '‣' | '○' | '●') => {
            chars.next().is_some_and(char::is_whitespace)
        }
        Some(c) if c.is_ascii_digit() => {
            let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
            line.len() - rest.len() <= 3 && (rest.starts_with(". ") || rest.starts_with(") "))
        }
        Some(c) if c.is_ascii_lowercase() => line[1..].starts_with(") "),
        _ => false,
    }
}

/// `text` as boilerplate phrases are compared: normalised ([`normalize_phrase`]), with every number
/// written `0`, so that the phrase `0 min read` stands for "4 min read" and "12 min read".
fn boilerplate_key(text: &str) -> String {
    let normalized = normalize_phrase(text);
    if !normalized.contains(|c: char| c.is_ascii_digit()) {
        return normalized;
    }
    normalized
        .split(' ')
        .map(|word| {
            if word.bytes().all(|b| b.is_ascii_digit()) {
                "0"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lowercase, every run of non-alphanumeric characters turned into one space, trimmed.
fn normalize_phrase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// Verbs that follow the name in an author bio ("Jane Doe is chief marketing officer at …"), in the
/// languages of the cue lexicon.
const BIO_VERBS: [&str; 8] = ["is", "was", "serves", "leads", "är", "jest", "ist", "est"];
/// Author bios are short.
const BIO_MAX_WORDS: usize = 60;

/// Marks the closing author bio (a short last paragraph that opens with a capitalised name and a
/// verb such as "is") as boilerplate: it describes the writer, not the article's subject.
fn mark_author_bio(text: &str, paragraphs: &mut [Paragraph]) {
    // A bio closes an article: a document with no other paragraph of prose has none to strip
    // ("Das Instrument ist sehr stimmungsstabil." on its own is the text itself).
    let prose = paragraphs
        .iter()
        .filter(|p| !p.boilerplate && !p.heading)
        .count();
    if prose < 2 {
        return;
    }
    let Some(last) = paragraphs.iter_mut().rev().find(|p| !p.boilerplate) else {
        return;
    };
    if last.heading || last.words > BIO_MAX_WORDS {
        return;
    }
    let words: Vec<&str> = tokens(&text[last.span.start..last.span.end])
        .take(5)
        .map(|token| token.text)
        .collect();
    let name_length = words
        .iter()
        .take_while(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    let is_bio = (2..=3).contains(&name_length)
        && words
            .get(name_length)
            .is_some_and(|verb| BIO_VERBS.contains(verb));
    if is_bio {
        last.boilerplate = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of the bundled data files has its header's columns, a known match rule and a
    /// reason, so `build` never skips one.
    #[test]
    fn built_in_rows_are_all_well_formed() {
        use crate::datafile::numbered_rows;
        let header = ["language", "match", "phrase", "reason"];
        for (line, row) in numbered_rows(BOILERPLATE_TSV, "boilerplate.tsv", &header).unwrap() {
            assert_eq!(row.len(), 4, "boilerplate.tsv line {line}: {row:?}");
            assert!(
                ["exact", "line", "contains"].contains(&row[1]),
                "boilerplate.tsv line {line}: unknown match rule {:?}",
                row[1]
            );
            assert!(
                row.iter().all(|field| !field.trim().is_empty()),
                "boilerplate.tsv line {line}: empty field in {row:?}"
            );
        }
        let header = ["language", "abbreviation", "reason"];
        for (line, row) in numbered_rows(ABBREVIATIONS_TSV, "abbreviations.tsv", &header).unwrap() {
            assert_eq!(row.len(), 3, "abbreviations.tsv line {line}: {row:?}");
            assert!(
                row.iter().all(|field| !field.trim().is_empty()),
                "abbreviations.tsv line {line}: empty field in {row:?}"
            );
        }
    }

    fn segment(text: &str) -> Segmented {
        SegmentConfig::default().build().segment(text)
    }

    fn texts<'a>(text: &'a str, segmented: &Segmented) -> Vec<&'a str> {
        segmented
            .paragraphs
            .iter()
            .map(|p| &text[p.span.start..p.span.end])
            .collect()
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        let text = "First one.\n\n \u{a0}\n\nSecond one.\r\n\r\nThird.";
        assert_eq!(
            texts(text, &segment(text)),
            ["First one.", "Second one.", "Third."]
        );
    }

    #[test]
    fn every_kind_of_line_end_is_a_line_end() {
        let text = "One.\r\n\r\nTwo.\r\rThree.\u{2029}\u{2029}Four.\n";
        assert_eq!(
            texts(text, &segment(text)),
            ["One.", "Two.", "Three.", "Four."]
        );
    }

    #[test]
    fn unit_lines_are_split_and_wrapped_prose_is_kept() {
        let text =
            "6 Ways To Grow\nMentors help. They listen.\n1. Costs are high\nTraining is dear.";
        assert_eq!(segment(text).paragraphs.len(), 4);
        let wrapped = "Mentorship is a valuable career accelerator. As you grow in\nyour career, it becomes increasingly important to have a guide\nwho can offer radical candor, empathetic listening and even a\nkey to open doors.";
        assert_eq!(segment(wrapped).paragraphs.len(), 1);
    }

    #[test]
    fn wrapped_block_breaks_before_list_items_and_after_short_lines() {
        let text = "Here are the reasons why you would want to find a mentor and\nkeep one for a long time, in short:\n- they listen\n- they know people\nThat is all.";
        let segmented = segment(text);
        assert_eq!(
            texts(text, &segmented),
            [
                "Here are the reasons why you would want to find a mentor and\nkeep one for a long time, in short:",
                "- they listen",
                "- they know people",
                "That is all."
            ]
        );
    }

    #[test]
    fn headings_and_boilerplate_are_marked() {
        let text = "Du kan utnyttja externa idéer\n\nEn mentor hjälper dig.\n\n Ladda ner e-boken\n\nPin It on Pinterest\n\nShare this post with your friends!\n\nComments are closed";
        let segmented = segment(text);
        let flags: Vec<(bool, bool)> = segmented
            .paragraphs
            .iter()
            .map(|p| (p.heading, p.boilerplate))
            .collect();
        assert_eq!(
            flags,
            [
                (true, false),
                (false, false),
                (false, true),
                (false, true),
                (false, true),
                (false, true)
            ]
        );
    }

    #[test]
    fn a_lone_paragraph_is_never_an_author_bio() {
        let text = "Das Instrument ist sehr stimmungsstabil.";
        assert!(!segment(text).paragraphs[0].boilerplate);
        let text = "Mentoring\n\nAnna Berg is a coach in Lund.";
        assert!(!segment(text).paragraphs[1].boilerplate);
    }

    #[test]
    fn a_closing_author_bio_is_boilerplate_but_an_opening_one_is_not() {
        let text = "Jane Doe is a mentor.\n\nBody text about mentoring.\n\nJane Doe is chief marketing officer at Acme.";
        let marks: Vec<bool> = segment(text)
            .paragraphs
            .iter()
            .map(|p| p.boilerplate)
            .collect();
        assert_eq!(marks, vec![false, false, true]);
        let text = "Body text.\n\nMentoring is a habit that builds leaders over many years.";
        assert!(!segment(text).paragraphs[1].boilerplate);
    }

    #[test]
    fn reading_times_and_advertisement_labels_are_boilerplate() {
        let text = "5 min read\n\nAdvertisement\n\n12-minute read · March 2024\n\nSponsored\n\n\
                    Mentors read 12 books a year, and 5 min of reading a day is how they start.";
        let marked: Vec<bool> = segment(text)
            .paragraphs
            .iter()
            .map(|p| p.boilerplate)
            .collect();
        assert_eq!(marked, [true, true, true, true, false]);
    }

    #[test]
    fn ordinary_lines_that_start_like_boilerplate_are_not_boilerplate() {
        let text = "Share this idea with your mentor, because it is a good way to start a long and honest conversation about the goals you have for your career.";
        assert!(!segment(text).paragraphs[0].boilerplate);
        assert!(!segment("Dela upp arbetet i små steg").paragraphs[0].boilerplate);
    }

    #[test]
    fn sentences_respect_abbreviations_and_initials() {
        let text = "Mam dyrektora ds. obsługi klienta. Dr. Smith met John F. Kennedy in 1960. It went well!";
        let paragraph = &segment(text).paragraphs[0];
        let sentences: Vec<&str> = paragraph
            .sentences
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(
            sentences,
            [
                "Mam dyrektora ds. obsługi klienta.",
                "Dr. Smith met John F. Kennedy in 1960.",
                "It went well!"
            ]
        );
    }

    #[test]
    fn wrapped_lines_are_not_sentence_ends() {
        let text = "A mentor is a guide who\ncan open doors for you and\nwho listens. Then you grow in\nyour role.";
        let paragraph = &segment(text).paragraphs[0];
        assert_eq!(paragraph.sentences.len(), 2);
    }

    #[test]
    fn numbered_heading_is_one_sentence() {
        let text = "1. Formal education and training are expensive";
        let paragraph = &segment(text).paragraphs[0];
        assert!(paragraph.heading);
        assert_eq!(paragraph.sentences.len(), 1);
    }

    #[test]
    fn words_are_counted() {
        assert_eq!(segment("It’s 500 pages a day — wow.").words, 6);
    }

    /// Words counted from the whole text's tokens are the words counted in each paragraph, on
    /// random texts of line breaks of every kind, blank and zero-width characters at line ends,
    /// marks, and words of spaced and unspaced scripts.
    #[test]
    fn words_counted_from_the_texts_tokens_are_each_paragraphs_words() {
        let pieces = [
            "Mentors help. ",
            "word",
            "\n",
            "\n\n",
            "\r\n",
            "\r",
            "\u{2028}",
            "\u{2029}",
            "\u{85}",
            "\u{B}",
            " ",
            "\t",
            "\u{A0}",
            "\u{200B}",
            "\u{200C}",
            "\u{200D}",
            "\u{2060}",
            "\u{FEFF}",
            "\u{301}",
            "- item",
            "# Title",
            "学習",
            "の",
            "ครู",
            "멘토",
            "3,5",
            "é",
            "'",
            ".",
        ];
        let segmenter = SegmentConfig::default().build();
        for text in crate::text::mixed_strings(&pieces, 13, 20_000, 12) {
            let text_tokens: Vec<Token> = tokens(&text).collect();
            assert_eq!(
                segmenter.segment_with_tokens(&text, &text_tokens),
                segmenter.segment(&text),
                "{text:?}"
            );
        }
    }
}
