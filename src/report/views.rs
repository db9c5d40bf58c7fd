//! Smaller views of a report for the commands that show one part of it: `detect --format json`
//! (languages) and `themes --format json` (themes). Typed, so `mentorlens schema detect|themes`
//! describes them; fields are in alphabetical order, as the views were first written.

use super::{DocumentReport, ErrorReport, LanguageReport, Report, SecondaryLanguageReport};
use crate::themes::DiscoveredTheme;
use crate::themes::ThemeReport;
use serde::Serialize;

/// `detect --format json`: the language of every document, and the inputs that failed.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LanguagesView<'r> {
    /// Analysed documents, sorted by id.
    pub documents: Vec<DocumentLanguagesView<'r>>,
    /// Inputs that could not be analysed, sorted by path.
    pub errors: &'r [ErrorReport],
}

/// One document's languages.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DocumentLanguagesView<'r> {
    /// Unique id: the file stem, or the JSON Lines id.
    pub id: &'r str,
    /// The document's language (a vote over its paragraphs).
    pub language: &'r LanguageReport,
    /// Number of paragraphs.
    pub paragraphs: usize,
    /// Where the text came from.
    pub path: &'r str,
    /// Other languages that several paragraphs reliably carry.
    pub secondary_languages: &'r [SecondaryLanguageReport],
    /// Number of words.
    pub words: usize,
}

/// `themes --format json`: the taxonomy themes, the discovered ones, and each document's themes.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ThemesView<'r> {
    /// Recurring benefit statements that fit no taxonomy theme.
    pub discovered_themes: &'r [DiscoveredTheme],
    /// Each analysed document's themes, sorted by id.
    pub documents: Vec<DocumentThemesView<'r>>,
    /// Inputs that could not be analysed, sorted by path.
    pub errors: &'r [ErrorReport],
    /// Every taxonomy theme: where it is stated and whether it recurs.
    pub themes: &'r [ThemeReport],
}

/// One document's themes.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DocumentThemesView<'r> {
    /// Unique id.
    pub id: &'r str,
    /// The document's language.
    pub language: &'r LanguageReport,
    /// Ids of the taxonomy themes the document states.
    pub themes: &'r [String],
}

impl<'r> LanguagesView<'r> {
    /// The languages of `report`.
    pub fn new(report: &'r Report) -> Self {
        let document = |d: &'r DocumentReport| DocumentLanguagesView {
            id: &d.id,
            language: &d.language,
            paragraphs: d.paragraphs.len(),
            path: &d.path,
            secondary_languages: &d.secondary_languages,
            words: d.words,
        };
        Self {
            documents: report.documents.iter().map(document).collect(),
            errors: &report.errors,
        }
    }

    /// The JSON Schema of this view.
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(LanguagesView<'static>)).unwrap_or_default()
    }
}

impl<'r> ThemesView<'r> {
    /// The themes of `report`.
    pub fn new(report: &'r Report) -> Self {
        let document = |d: &'r DocumentReport| DocumentThemesView {
            id: &d.id,
            language: &d.language,
            themes: &d.themes,
        };
        Self {
            discovered_themes: &report.discovered_themes,
            documents: report.documents.iter().map(document).collect(),
            errors: &report.errors,
            themes: &report.themes,
        }
    }

    /// The JSON Schema of this view.
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(ThemesView<'static>)).unwrap_or_default()
    }
}
