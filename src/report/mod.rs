//! The report: the serde types of the JSON document that users load (schema_version 1), built from
//! an [`Analysis`], and its writers (whole JSON, JSON Lines, atomic file output, `-o FILE`).
//!
//! Output is deterministic: documents sorted by id, errors by path, floats rounded to four places.
//! The JSON Schema in `schema/report.schema.json` is generated from these types.

use crate::corpus::InputErrorKind;
use crate::lang::LanguageGuess;
use crate::segment::Span;
use crate::text::round4;
use crate::{AnalysedDocument, Analysis};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub mod html;
mod output;
mod parquet;
mod stream;
mod views;

pub(crate) use output::write_atomically;
pub use output::{remove_temporary_files_and_exit, write_output};
pub(crate) use parquet::{CorpusTables, DOCUMENTS_PER_ROW_GROUP, ParquetTables};
pub(crate) use stream::{
    DocumentPart, HeldListings, Layout, Listed, ReportParts, ThemeListings, ThemeLists,
    document_fragment, refit_fragment, write_report,
};
pub use views::{DocumentLanguagesView, DocumentThemesView, LanguagesView, ThemesView};

/// Bumped only by a breaking change of the report's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole report of one run.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Report {
    /// Version of this report's shape.
    pub schema_version: u32,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// The settings that produced the report.
    pub settings: crate::Settings,
    /// Counts over the whole run.
    pub corpus: CorpusSummary,
    /// Analysed documents, sorted by id.
    pub documents: Vec<DocumentReport>,
    /// Documents that are versions of one article: translations and duplicates.
    pub groups: Vec<crate::align::group::Group>,
    /// Every taxonomy theme: where it is stated and whether it recurs across distinct articles.
    pub themes: Vec<crate::themes::ThemeReport>,
    /// Recurring benefit statements that fit no taxonomy theme.
    pub discovered_themes: Vec<crate::themes::DiscoveredTheme>,
    /// Inputs that could not be analysed, sorted by path.
    pub errors: Vec<ErrorReport>,
}

/// Name and version of the tool.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Tool {
    /// Always "mentorlens".
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl CorpusSummary {
    /// The counts of a run that analysed documents in the languages `languages` (their codes, one
    /// per document) and failed `failed` inputs.
    pub(crate) fn new<'a>(languages: impl Iterator<Item = &'a str>, failed: usize) -> Self {
        let mut tally: BTreeMap<String, usize> = BTreeMap::new();
        let mut analysed = 0;
        for code in languages {
            analysed += 1;
            match tally.get_mut(code) {
                Some(count) => *count += 1,
                None => {
                    tally.insert(code.to_string(), 1);
                }
            }
        }
        CorpusSummary {
            documents: analysed + failed,
            analysed,
            failed,
            languages: tally,
        }
    }
}

impl ErrorReport {
    /// The report of an input that failed.
    pub(crate) fn of(error: &crate::corpus::InputError) -> Self {
        ErrorReport {
            path: error.path.clone(),
            kind: error.kind,
            message: error.message.clone(),
        }
    }
}

impl Tool {
    /// This build of mentorlens.
    pub(crate) fn of_this_build() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Counts over the whole run.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct CorpusSummary {
    /// Inputs accounted for: analysed plus failed.
    pub documents: usize,
    /// Documents analysed.
    pub analysed: usize,
    /// Inputs listed in `errors`.
    pub failed: usize,
    /// Analysed documents per document language code (including "und").
    pub languages: BTreeMap<String, usize>,
}

/// One analysed document.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct DocumentReport {
    /// Unique id: the file stem, or the JSON Lines id.
    pub id: String,
    /// Where the text came from.
    pub path: String,
    /// Size of the decoded UTF-8 text in bytes; offsets refer to it.
    pub bytes: usize,
    /// Size of the text in characters (Unicode code points); `*_char` offsets refer to it.
    pub chars: usize,
    /// Number of words.
    pub words: usize,
    /// The document's language (a vote over its paragraphs).
    pub language: LanguageReport,
    /// Other languages that several paragraphs reliably carry.
    pub secondary_languages: Vec<SecondaryLanguageReport>,
    /// Paragraphs in text order.
    pub paragraphs: Vec<ParagraphReport>,
    /// How mangled the document's English is (spinner traces), with the edits that restore it;
    /// absent for documents without English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mangling: Option<ManglingReport>,
    /// The original text with the edits applied; absent for documents without English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized_text: Option<String>,
    /// Ids of the taxonomy themes the document states.
    pub themes: Vec<String>,
    /// The id of the translation or duplicate group the document belongs to, if any.
    pub group: Option<String>,
    /// Problems that did not stop the analysis.
    pub warnings: Vec<String>,
}

/// A language decision.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct LanguageReport {
    /// ISO 639-1 code, or "und" when the text is too short or ambiguous.
    pub code: String,
    /// English name ("Undetermined" for "und").
    pub name: String,
    /// 0..1.
    pub confidence: f64,
    /// Whether the decision is safe to act on.
    pub reliable: bool,
}

/// A second language of a mixed document.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct SecondaryLanguageReport {
    /// ISO 639-1 code.
    pub code: String,
    /// English name.
    pub name: String,
    /// Paragraphs reliably in this language.
    pub paragraphs: usize,
    /// Share of the identified text, 0..1.
    pub share: f64,
}

/// One paragraph.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ParagraphReport {
    /// Position in the document, from 0.
    pub index: usize,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// First character (Unicode code point), as Python's `text[start_char:end_char]` counts.
    pub start_char: usize,
    /// One past the last character.
    pub end_char: usize,
    /// Number of words.
    pub words: usize,
    /// The paragraph's own language.
    pub language: LanguageReport,
    /// A short single-line paragraph without closing punctuation.
    pub heading: bool,
    /// Page furniture (share buttons, download links, comment widgets), not article text.
    pub boilerplate: bool,
    /// Sentence ranges, in bytes and in characters.
    pub sentences: Vec<SpanReport>,
}

/// A range of a document's text in bytes (UTF-8) and in characters (Unicode code points).
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct SpanReport {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// First character.
    pub start_char: usize,
    /// One past the last character.
    pub end_char: usize,
}

/// How mangled a document's English is, with the edits that restore it.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ManglingReport {
    /// 0..1: 1 - exp(-rate / 2), where rate is `evidence.per_100_words`.
    pub score: f64,
    /// Whether the score reaches the threshold.
    pub mangled: bool,
    /// What the score is made of.
    pub evidence: crate::normalize::Evidence,
    /// Every change, in text order.
    pub edits: Vec<EditReport>,
}

/// One change to the original text.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct EditReport {
    /// Index of the paragraph the edit is in, from 0.
    pub paragraph: usize,
    /// First byte of the replaced text in the original.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// First character (Unicode code point) of the replaced text in the original.
    pub start_char: usize,
    /// One past its last character.
    pub end_char: usize,
    /// The replaced text, as in the original.
    pub from: String,
    /// The restored text.
    pub to: String,
    /// Why.
    pub rule: crate::normalize::EditRule,
    /// How sure the normaliser is, 0..1 (see the normaliser's `Edit::confidence`).
    pub confidence: f64,
}

impl ManglingReport {
    /// The report of `mangling`, found in `text`.
    pub fn new(mangling: &crate::normalize::Mangling, text: &str) -> Self {
        Self::with_offsets(mangling, &CharOffsets::new(text))
    }

    fn with_offsets(mangling: &crate::normalize::Mangling, offsets: &CharOffsets) -> Self {
        ManglingReport {
            score: mangling.score,
            mangled: mangling.mangled,
            evidence: mangling.evidence.clone(),
            edits: mangling
                .edits
                .iter()
                .map(|edit| EditReport {
                    paragraph: edit.paragraph,
                    start: edit.start,
                    end: edit.end,
                    start_char: offsets.at(edit.start),
                    end_char: offsets.at(edit.end),
                    from: edit.from.clone(),
                    to: edit.to.clone(),
                    rule: edit.rule,
                    confidence: edit.confidence,
                })
                .collect(),
        }
    }
}

/// Character (Unicode code point) offsets of byte offsets into one text, for readers whose
/// strings count characters (Python, R); a lookup scans at most [`CHAR_CHECKPOINT_STRIDE`] bytes.
struct CharOffsets<'a> {
    bytes: &'a [u8],
    /// `checkpoints[k]`: the characters in the first `k * CHAR_CHECKPOINT_STRIDE` bytes.
    checkpoints: Vec<usize>,
}

/// Bytes between two checkpoints of [`CharOffsets`].
const CHAR_CHECKPOINT_STRIDE: usize = 256;

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut checkpoints = Vec::with_capacity(bytes.len() / CHAR_CHECKPOINT_STRIDE + 1);
        let mut chars = 0;
        checkpoints.push(chars);
        for block in bytes.chunks_exact(CHAR_CHECKPOINT_STRIDE) {
            chars += count_char_starts(block);
            checkpoints.push(chars);
        }
        CharOffsets { bytes, checkpoints }
    }

    /// The character offset of byte offset `byte` (a char boundary; the end beyond the text).
    fn at(&self, byte: usize) -> usize {
        let byte = byte.min(self.bytes.len());
        let block = byte / CHAR_CHECKPOINT_STRIDE;
        let before = self.checkpoints.get(block).copied().unwrap_or(0);
        before + count_char_starts(&self.bytes[block * CHAR_CHECKPOINT_STRIDE..byte])
    }

    fn span(&self, span: Span) -> SpanReport {
        SpanReport {
            start: span.start,
            end: span.end,
            start_char: self.at(span.start),
            end_char: self.at(span.end),
        }
    }
}

/// The characters that start in `bytes` of UTF-8: every byte that is not a continuation byte.
fn count_char_starts(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .filter(|&&byte| byte & 0b1100_0000 != 0b1000_0000)
        .count()
}

/// An input that could not be analysed.
#[derive(Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ErrorReport {
    /// The path (or `path:line` for a JSON Lines record, `-` for standard input).
    pub path: String,
    /// Machine-readable kind.
    pub kind: InputErrorKind,
    /// What failed and what to do.
    pub message: String,
}

impl Report {
    /// Builds the report of an analysis.
    pub fn new(analysis: &Analysis) -> Self {
        let mut report = Self::without_normalized_texts(analysis);
        for (document, analysed) in report.documents.iter_mut().zip(&analysis.documents) {
            document.normalized_text = analysed.normalized_text().map(str::to_string);
        }
        report
    }

    /// [`Report::new`], taking the analysis: each document's normalised text moves into the
    /// report instead of being copied, so a corpus of large texts is held once, not twice.
    pub fn from_analysis(analysis: Analysis) -> Self {
        let mut report = Self::without_normalized_texts(&analysis);
        for (document, analysed) in report.documents.iter_mut().zip(analysis.documents) {
            document.normalized_text = analysed.into_normalized_text();
        }
        report
    }

    /// The report of an analysis but for the documents' normalised texts.
    fn without_normalized_texts(analysis: &Analysis) -> Self {
        let group_of: BTreeMap<&str, &str> = analysis
            .groups
            .iter()
            .flat_map(|group| {
                group
                    .documents
                    .iter()
                    .map(|document| (document.as_str(), group.id.as_str()))
            })
            .collect();
        let documents: Vec<DocumentReport> = analysis
            .documents
            .par_iter()
            .enumerate()
            .map(|(index, document)| {
                let themes = analysis.themes.document_themes.get(index);
                let group = group_of.get(document.document.id.as_str());
                document_report(
                    document,
                    themes.cloned().unwrap_or_default(),
                    group.map(|id| id.to_string()),
                )
            })
            .collect();
        let errors: Vec<ErrorReport> = analysis.errors.iter().map(ErrorReport::of).collect();
        let corpus = CorpusSummary::new(
            documents
                .iter()
                .map(|document| document.language.code.as_str()),
            errors.len(),
        );
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::of_this_build(),
            settings: analysis.settings.clone(),
            corpus,
            documents,
            groups: analysis.groups.clone(),
            themes: analysis.themes.themes.clone(),
            discovered_themes: analysis.themes.discovered.clone(),
            errors,
        }
    }

    /// Writes the whole report as pretty JSON with a final newline.
    pub fn write_json(&self, mut out: impl Write) -> io::Result<()> {
        write_report(&mut out, Layout::Json, self.parts(Layout::Json))
    }

    /// Writes one JSON object per line for every kind the report holds, each with a `record`
    /// field naming its table: `document`, `group`, `group_member`, `alignment` (one per aligned
    /// pair of a group), `theme`, `theme_evidence`, `discovered_theme`, `error`. Records point at
    /// each other by id (`document`, `group`, `theme`), so `pandas.read_json(path, lines=True)`
    /// and a filter on `record` give each table.
    pub fn write_jsonl(&self, mut out: impl Write) -> io::Result<()> {
        write_report(&mut out, Layout::Jsonl, self.parts(Layout::Jsonl))
    }

    /// The JSON Schema of the report.
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
    }
}

/// One line of the JSON Lines output.
#[derive(Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
enum JsonlRecord<'a> {
    Document(&'a DocumentReport),
    Group(GroupRecord<'a>),
    GroupMember { group: &'a str, document: &'a str },
    Alignment(AlignmentRecord<'a>),
    ThemeEvidence(ThemeEvidenceRecord<'a>),
    DiscoveredTheme(&'a crate::themes::DiscoveredTheme),
    Error(&'a ErrorReport),
}

/// A group without its alignments (they are `alignment` records).
#[derive(Serialize)]
struct GroupRecord<'a> {
    id: &'a str,
    kind: crate::align::group::GroupKind,
    documents: &'a [String],
    score: f64,
    evidence: &'a [crate::align::group::PairEvidence],
}

/// The alignment of one pair of a group's versions.
#[derive(Serialize)]
struct AlignmentRecord<'a> {
    group: &'a str,
    #[serde(flatten)]
    pair: &'a crate::align::group::PairAlignment,
}

/// One quoted statement of a theme.
#[derive(Serialize)]
struct ThemeEvidenceRecord<'a> {
    theme: &'a str,
    #[serde(flatten)]
    evidence: &'a crate::themes::EvidenceReport,
}

impl DocumentReport {
    /// The report of one analysed document that states `themes` and belongs to `group`.
    pub(crate) fn of(
        analysed: &AnalysedDocument,
        themes: Vec<String>,
        group: Option<String>,
    ) -> Self {
        let mut report = document_report(analysed, themes, group);
        report.normalized_text = analysed.normalized_text().map(str::to_string);
        report
    }
}

/// The report of one document but for its normalised text (the builders copy or move it in).
fn document_report(
    analysed: &AnalysedDocument,
    themes: Vec<String>,
    group: Option<String>,
) -> DocumentReport {
    let languages = &analysed.languages;
    let text = &analysed.document.text;
    let offsets = CharOffsets::new(text);
    DocumentReport {
        id: analysed.document.id.clone(),
        path: analysed.document.path.clone(),
        bytes: text.len(),
        chars: offsets.at(text.len()),
        words: analysed.segmented.words,
        language: language_report(&languages.document),
        secondary_languages: languages
            .secondary
            .iter()
            .map(|secondary| SecondaryLanguageReport {
                code: secondary.language.code().into(),
                name: secondary.language.name().into(),
                paragraphs: secondary.paragraphs,
                share: round4(secondary.share),
            })
            .collect(),
        paragraphs: analysed
            .segmented
            .paragraphs
            .iter()
            .zip(&languages.paragraphs)
            .enumerate()
            .map(|(index, (paragraph, language))| ParagraphReport {
                index,
                start: paragraph.span.start,
                end: paragraph.span.end,
                start_char: offsets.at(paragraph.span.start),
                end_char: offsets.at(paragraph.span.end),
                words: paragraph.words,
                language: language_report(language),
                heading: paragraph.heading,
                boilerplate: paragraph.boilerplate,
                sentences: paragraph
                    .sentences
                    .iter()
                    .map(|&sentence| offsets.span(sentence))
                    .collect(),
            })
            .collect(),
        mangling: analysed
            .mangling
            .as_ref()
            .map(|mangling| ManglingReport::with_offsets(mangling, &offsets)),
        // Filled by the report's builders, which copy or take it.
        normalized_text: None,
        themes,
        group,
        warnings: analysed.document.warnings.clone(),
    }
}

fn language_report(guess: &LanguageGuess) -> LanguageReport {
    LanguageReport {
        code: guess.language.code().into(),
        name: guess.language.name().into(),
        confidence: round4(guess.confidence),
        reliable: guess.reliable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_schema_matches_the_types() {
        let shipped: serde_json::Value =
            serde_json::from_str(include_str!("../../schema/report.schema.json")).unwrap();
        assert_eq!(
            shipped,
            Report::json_schema(),
            "schema/report.schema.json is stale: regenerate it with `mentorlens schema > schema/report.schema.json`"
        );
        for (shipped, types, view) in [
            (
                include_str!("../../schema/detect.schema.json"),
                LanguagesView::json_schema(),
                "detect",
            ),
            (
                include_str!("../../schema/themes.schema.json"),
                ThemesView::json_schema(),
                "themes",
            ),
        ] {
            let shipped: serde_json::Value = serde_json::from_str(shipped).unwrap();
            assert_eq!(
                shipped, types,
                "schema/{view}.schema.json is stale: regenerate it with `mentorlens schema {view} > schema/{view}.schema.json`"
            );
        }
    }

    #[test]
    fn character_offsets_count_code_points_at_every_boundary() {
        // Long enough to cross several checkpoints, with 1- to 4-byte characters.
        let text = "aé€😀 mentor ".repeat(60);
        let offsets = CharOffsets::new(&text);
        for (byte, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(
                offsets.at(byte),
                text[..byte].chars().count(),
                "byte {byte}"
            );
        }
        assert_eq!(CharOffsets::new("").at(0), 0);
        assert_eq!(offsets.at(text.len() + 5), text.chars().count());
    }
}
