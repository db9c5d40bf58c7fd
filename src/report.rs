//! The report: the serde types of the JSON document that users load (schema_version 1), built from
//! an [`Analysis`], and its writers (whole JSON, JSON Lines, atomic file output).
//!
//! Output is deterministic: documents sorted by id, errors by path, floats rounded to four places.
//! The JSON Schema in `schema/report.schema.json` is generated from these types.

use crate::corpus::InputErrorKind;
use crate::lang::{LanguageGuess, language_name};
use crate::segment::Span;
use crate::{AnalysedDocument, Analysis};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

/// Bumped only by a breaking change of the report's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole report of one run.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// Version of this report's shape.
    pub schema_version: u32,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// Counts over the whole run.
    pub corpus: CorpusSummary,
    /// Analysed documents, sorted by id.
    pub documents: Vec<DocumentReport>,
    /// Documents that are versions of one article: translations and duplicates.
    pub groups: Vec<crate::align::group::Group>,
    /// Every taxonomy theme: where it is stated and whether it recurs across distinct articles.
    pub themes: Vec<crate::themes::ThemeReport>,
    /// Recurring benefit statements that fit no taxonomy theme.
    pub discovered_themes: Vec<crate::themes::discover::DiscoveredTheme>,
    /// Inputs that could not be analysed, sorted by path.
    pub errors: Vec<ErrorReport>,
}

/// Name and version of the tool.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Tool {
    /// Always "mentorlens".
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// Counts over the whole run.
#[derive(Debug, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DocumentReport {
    /// Unique id: the file stem, or the JSON Lines id.
    pub id: String,
    /// Where the text came from.
    pub path: String,
    /// Size of the decoded UTF-8 text in bytes; offsets refer to it.
    pub bytes: usize,
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
    pub mangling: Option<crate::normalize::Mangling>,
    /// The original text with the edits applied; absent for documents without English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized_text: Option<String>,
    /// Ids of the taxonomy themes the document states.
    pub themes: Vec<String>,
    /// Problems that did not stop the analysis.
    pub warnings: Vec<String>,
}

/// A language decision.
#[derive(Debug, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ParagraphReport {
    /// Position in the document, from 0.
    pub index: usize,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Number of words.
    pub words: usize,
    /// The paragraph's own language.
    pub language: LanguageReport,
    /// A short single-line paragraph without closing punctuation.
    pub heading: bool,
    /// Page furniture (share buttons, download links, comment widgets), not article text.
    pub boilerplate: bool,
    /// Sentence byte ranges.
    pub sentences: Vec<Span>,
}

/// An input that could not be analysed.
#[derive(Debug, Serialize, schemars::JsonSchema)]
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
        let documents: Vec<DocumentReport> = analysis
            .documents
            .iter()
            .enumerate()
            .map(|(index, document)| {
                let themes = analysis.themes.document_themes.get(index);
                document_report(document, themes.cloned().unwrap_or_default())
            })
            .collect();
        let errors: Vec<ErrorReport> = analysis
            .errors
            .iter()
            .map(|error| ErrorReport {
                path: error.path.clone(),
                kind: error.kind,
                message: error.message.clone(),
            })
            .collect();
        let mut languages = BTreeMap::new();
        for document in &documents {
            *languages.entry(document.language.code.clone()).or_insert(0) += 1;
        }
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: env!("CARGO_PKG_NAME").into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            corpus: CorpusSummary {
                documents: documents.len() + errors.len(),
                analysed: documents.len(),
                failed: errors.len(),
                languages,
            },
            documents,
            groups: analysis.groups.clone(),
            themes: analysis.themes.themes.clone(),
            discovered_themes: analysis.themes.discovered.clone(),
            errors,
        }
    }

    /// Writes the whole report as pretty JSON with a final newline.
    pub fn write_json(&self, mut out: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut out, self)?;
        out.write_all(b"\n")
    }

    /// Writes one JSON object per line: every document (`"record": "document"`), then every
    /// error (`"record": "error"`).
    pub fn write_jsonl(&self, mut out: impl Write) -> io::Result<()> {
        for document in &self.documents {
            serde_json::to_writer(&mut out, &JsonlRecord::Document(document))?;
            out.write_all(b"\n")?;
        }
        for error in &self.errors {
            serde_json::to_writer(&mut out, &JsonlRecord::Error(error))?;
            out.write_all(b"\n")?;
        }
        Ok(())
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
    Error(&'a ErrorReport),
}

fn document_report(analysed: &AnalysedDocument, themes: Vec<String>) -> DocumentReport {
    let languages = &analysed.languages;
    DocumentReport {
        id: analysed.document.id.clone(),
        path: analysed.document.path.clone(),
        bytes: analysed.document.text.len(),
        words: analysed.segmented.words,
        language: language_report(&languages.document),
        secondary_languages: languages
            .secondary
            .iter()
            .map(|secondary| SecondaryLanguageReport {
                code: secondary.code.into(),
                name: language_name(secondary.code).into(),
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
                words: paragraph.words,
                language: language_report(language),
                heading: paragraph.heading,
                boilerplate: paragraph.boilerplate,
                sentences: paragraph.sentences.clone(),
            })
            .collect(),
        mangling: analysed.mangling.clone(),
        normalized_text: analysed.normalized_text(),
        themes,
        warnings: analysed.document.warnings.clone(),
    }
}

fn language_report(guess: &LanguageGuess) -> LanguageReport {
    LanguageReport {
        code: guess.code.into(),
        name: language_name(guess.code).into(),
        confidence: round4(guess.confidence),
        reliable: guess.reliable,
    }
}

/// Rounds to four decimal places, so reports compare byte for byte.
pub fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// Writes a file atomically: into a temporary file beside it, then renamed over it, so an
/// interrupted run never leaves a half-written file.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".mentorlens-");
    // A report is an ordinary file: created like any other (0666 less the umask), not private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temporary = builder.tempfile_in(folder)?;
    {
        let mut out = io::BufWriter::new(temporary.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_to_four_places() {
        assert_eq!(round4(0.123_456), 0.1235);
        assert_eq!(round4(1.0), 1.0);
    }

    #[test]
    fn shipped_schema_matches_the_types() {
        let shipped: serde_json::Value =
            serde_json::from_str(include_str!("../schema/report.schema.json")).unwrap();
        assert_eq!(
            shipped,
            Report::json_schema(),
            "schema/report.schema.json is stale: regenerate it with `mentorlens schema > schema/report.schema.json`"
        );
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        let failed = write_atomically(&path, |out: &mut dyn Write| {
            out.write_all(b"partial")?;
            Err(io::Error::other("interrupted"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        write_atomically(&path, |out: &mut dyn Write| out.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
    }
}
