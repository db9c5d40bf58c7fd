//! What two versions are aligned by, for `align`: paragraphs (with their sentences), sentences
//! numbered through the document, or the lines of sentence-split parallel text.

use super::{Alignment, align, align_sentences};
use crate::segment::{Segmented, Span};

/// The units of an alignment that is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Paragraphs, each with its sentences paired.
    Paragraphs,
    /// Sentences, numbered from 0 through the document.
    Sentences,
    /// Lines as they are, numbered from 0 (a sentence-split parallel text).
    Lines,
}

/// One version to align: its text and segments.
#[derive(Debug, Clone, Copy)]
pub struct Version<'a> {
    /// The text.
    pub text: &'a str,
    /// Its paragraphs and sentences.
    pub segmented: &'a Segmented,
}

impl Version<'_> {
    /// Byte spans of the version's units, in text order.
    pub fn units(&self, unit: Unit) -> Vec<Span> {
        let paragraphs = self.segmented.paragraphs.iter();
        match unit {
            Unit::Lines => line_spans(self.text),
            Unit::Sentences => paragraphs
                .flat_map(|p| p.sentences.iter().copied())
                .collect(),
            Unit::Paragraphs => paragraphs.map(|p| p.span).collect(),
        }
    }
}

/// Aligns two versions by `unit`: for paragraphs and sentences the whole alignment (the beads
/// of `unit` are `paragraphs` or `sentences`), for lines only `sentences`, one bead per line.
pub fn align_by(unit: Unit, a: Version, b: Version) -> Alignment {
    match unit {
        Unit::Lines => {
            let (lines_a, lines_b) = (lines(a.text), lines(b.text));
            Alignment {
                paragraphs: Vec::new(),
                sentences: align_sentences(&lines_a, &lines_b),
            }
        }
        Unit::Paragraphs | Unit::Sentences => align(a.text, a.segmented, b.text, b.segmented),
    }
}

/// The lines of `text`, without their line ends.
fn lines(text: &str) -> Vec<&str> {
    line_spans(text)
        .iter()
        .map(|span| &text[span.start..span.end])
        .collect()
}

/// Byte spans of the lines of `text`, without their line ends.
fn line_spans(text: &str) -> Vec<Span> {
    let mut start = 0;
    text.split_inclusive('\n')
        .map(|line| {
            let end = start + line.trim_end_matches(['\n', '\r']).len();
            let span = Span { start, end };
            start += line.len();
            span
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_leave_out_their_ends() {
        let spans = line_spans("a\r\nbb\n\nc");
        let shown: Vec<(usize, usize)> = spans.iter().map(|s| (s.start, s.end)).collect();
        assert_eq!(shown, [(0, 1), (3, 5), (6, 6), (7, 8)]);
    }
}
