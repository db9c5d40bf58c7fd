//! The records a `documents` task writes: everything the per-document stages found about one
//! document, except its text (read again from its path by the tasks that need it), and the inputs
//! that failed; a short summary of each document, which the tasks that never read texts read
//! instead; and what a `render` task keeps of a document for the themes. Each record reads back into exactly the value it was written from: floats keep
//! every bit (`f64` through serde_json's exact parsing, `f32` as its bits).

use crate::AnalysedDocument;
use crate::corpus::{Document, InputError, InputErrorKind};
use crate::lang::{DocumentLanguages, Language, LanguageGuess, SecondaryLanguage};
use crate::normalize::{Mangling, Restoration};
use crate::segment::{Paragraph, Segmented, Span};
use crate::themes::{
    DocumentThemes, EvidenceReport, QuotedStatement, Statement, StatementKind, ThemeHit,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One line of a shard's record file after its header.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum ShardRecord {
    /// An analysed document.
    Document(Box<DocumentRecord>),
    /// An input (a file or one JSON Lines record) that could not be analysed.
    Error(ErrorRecord),
}

/// What the copies tasks, which read no text, know of a document: its position among its shard's
/// documents and the hashes that tell exact copies. (Its id and source go to the ids tasks, its
/// script to the blocking tasks, apart.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentSummary {
    /// Its position among its shard's documents.
    pub position: usize,
    /// Grouping's hash of its text ([`crate::align::group::text_hash`]).
    pub group_hash: u64,
    /// [`text_hash`] of its text: a second hash, to tell exact copies without their texts.
    pub text_hash: u64,
}

/// What the per-document stages found in one document, without its text.
#[derive(Debug, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// The id the loader gave it (before ids are made unique across the corpus).
    pub id: String,
    /// Where its text is: a path, or `path:line` for a JSON Lines record.
    pub path: String,
    /// xxh3 of the text, to notice an input that changed after it was analysed.
    pub text_hash: u64,
    paragraphs: Vec<ParagraphRecord>,
    words: usize,
    language: GuessRecord,
    secondary_languages: Vec<SecondaryRecord>,
    paragraph_languages: Vec<GuessRecord>,
    mangling: Option<Mangling>,
    statements: Vec<StatementRecord>,
    hits: Vec<HitRecord>,
    spun: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct ParagraphRecord {
    span: Span,
    heading: bool,
    boilerplate: bool,
    sentences: Vec<Span>,
    words: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct GuessRecord {
    code: Language,
    confidence: f64,
    reliable: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct SecondaryRecord {
    code: Language,
    paragraphs: usize,
    share: f64,
}

#[derive(Debug, Serialize, Deserialize)]
struct StatementRecord {
    paragraph: usize,
    span: Span,
    kind: StatementKind,
    language: Language,
    benefit: bool,
    key_stems: Vec<String>,
    section: Option<usize>,
}

/// A theme hit; the `f32` scores as their bits, so no decimal rounding can touch them.
#[derive(Debug, Serialize, Deserialize)]
struct HitRecord {
    theme: u16,
    statement: u32,
    score_bits: u32,
    strongest_bits: u32,
}

/// A failed input, field for field.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorRecord {
    path: String,
    kind: InputErrorKind,
    message: String,
    record_line: Option<usize>,
}

impl From<&InputError> for ErrorRecord {
    fn from(error: &InputError) -> Self {
        Self {
            path: error.path.clone(),
            kind: error.kind,
            message: error.message.clone(),
            record_line: error.record_line,
        }
    }
}

impl From<ErrorRecord> for InputError {
    fn from(record: ErrorRecord) -> Self {
        Self {
            path: record.path,
            kind: record.kind,
            message: record.message,
            record_line: record.record_line,
        }
    }
}

/// The xxh3 hash of a document's text, as records carry it.
pub fn text_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

impl DocumentRecord {
    /// The record of an analysed document.
    pub fn of(analysed: &AnalysedDocument) -> Self {
        let guess = |g: &LanguageGuess| GuessRecord {
            code: g.language,
            confidence: g.confidence,
            reliable: g.reliable,
        };
        Self {
            id: analysed.document.id.clone(),
            path: analysed.document.path.clone(),
            text_hash: text_hash(&analysed.document.text),
            paragraphs: analysed
                .segmented
                .paragraphs
                .iter()
                .map(|p| ParagraphRecord {
                    span: p.span,
                    heading: p.heading,
                    boilerplate: p.boilerplate,
                    sentences: p.sentences.clone(),
                    words: p.words,
                })
                .collect(),
            words: analysed.segmented.words,
            language: guess(&analysed.languages.document),
            secondary_languages: analysed
                .languages
                .secondary
                .iter()
                .map(|s| SecondaryRecord {
                    code: s.language,
                    paragraphs: s.paragraphs,
                    share: s.share,
                })
                .collect(),
            paragraph_languages: analysed.languages.paragraphs.iter().map(guess).collect(),
            mangling: analysed.mangling.clone(),
            statements: statement_records(&analysed.themes),
            hits: hit_records(&analysed.themes),
            spun: analysed.themes.spun,
        }
    }

    /// The analysed document again, around `document` (loaded anew from the record's path).
    pub fn into_analysed(self, document: Document) -> AnalysedDocument {
        let guess = |g: GuessRecord| LanguageGuess {
            language: g.code,
            confidence: g.confidence,
            reliable: g.reliable,
        };
        let restoration = self
            .mangling
            .as_ref()
            .filter(|m| !m.edits.is_empty())
            .map(|m| Restoration::new(&document.text, &m.edits));
        AnalysedDocument {
            restoration,
            document,
            segmented: Segmented {
                paragraphs: self
                    .paragraphs
                    .into_iter()
                    .map(|p| Paragraph {
                        span: p.span,
                        heading: p.heading,
                        boilerplate: p.boilerplate,
                        sentences: p.sentences,
                        words: p.words,
                    })
                    .collect(),
                words: self.words,
            },
            languages: DocumentLanguages {
                document: guess(self.language),
                secondary: self
                    .secondary_languages
                    .into_iter()
                    .map(|s| SecondaryLanguage {
                        language: s.code,
                        paragraphs: s.paragraphs,
                        share: s.share,
                    })
                    .collect(),
                paragraphs: self.paragraph_languages.into_iter().map(guess).collect(),
            },
            mangling: self.mangling,
            themes: themes_of(self.statements, self.hits, self.spun),
        }
    }
}

/// What the themes' corpus steps read of one document, written by a `render` task: its corpus
/// index, unique id, group and language, what the theme stage found in it, and each statement's
/// quote (not its text).
#[derive(Debug, Serialize, Deserialize)]
pub struct ThemeRecord {
    /// Its corpus index.
    pub index: usize,
    /// Its unique id.
    pub id: String,
    /// Its place in its group, when it has one.
    pub group: Option<Membership>,
    /// The document's language.
    pub language: Language,
    statements: Vec<StatementRecord>,
    hits: Vec<HitRecord>,
    spun: bool,
    /// Each statement's first character and text.
    quotes: Vec<(usize, String)>,
}

impl ThemeRecord {
    /// The record of `analysed` (with its unique id), at corpus index `index`, in `group`.
    pub fn of(index: usize, analysed: &AnalysedDocument, group: Option<Membership>) -> Self {
        Self {
            index,
            id: analysed.document.id.clone(),
            group,
            language: analysed.languages.document.language,
            statements: statement_records(&analysed.themes),
            hits: hit_records(&analysed.themes),
            spun: analysed.themes.spun,
            quotes: QuotedStatement::all_of(&analysed.document.text, &analysed.themes)
                .into_iter()
                .map(|quote| (quote.start_char, quote.text.into()))
                .collect(),
        }
    }

    /// What the theme stage found, and the statements' quotes.
    pub fn into_themes(self) -> (DocumentThemes, Vec<QuotedStatement>) {
        let quotes = self
            .quotes
            .into_iter()
            .map(|(start_char, text)| QuotedStatement {
                start_char,
                text: text.into(),
            })
            .collect();
        (themes_of(self.statements, self.hits, self.spun), quotes)
    }
}

/// A grouped document's place: its group's id and rank (report order, from 0) and its own
/// position among the group's documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The group's id.
    pub id: String,
    /// The group's rank.
    pub rank: usize,
    /// The document's position in the group.
    pub member: usize,
}

/// One discovery key of one statement ([`crate::themes::KeyUse`]) with its document's article
/// (its group's id, or its own), as a `render` task writes them: framed, sorted by the key's
/// hash, so that `assemble` tallies one key at a time from a merge of the shards' files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The key.
    pub key: String,
    /// The article of the statement's document.
    pub article: String,
    /// The statement's language.
    pub language: Language,
    /// The statement is an unexplained benefit statement.
    pub unexplained: bool,
}

/// One quoted statement of a taxonomy theme a document states ([`ThemeMatcher::stated_evidence`]),
/// as a `render` task writes them: framed, sorted by theme and corpus index, so that `assemble` writes
/// each theme's evidence from a merge of the shards' files.
///
/// [`ThemeMatcher::stated_evidence`]: crate::themes::ThemeMatcher::stated_evidence
#[derive(Debug, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// The theme's taxonomy index.
    pub theme: usize,
    /// The document's corpus index.
    pub index: usize,
    /// The statement, quoted.
    pub evidence: EvidenceReport,
}

fn statement_records(themes: &DocumentThemes) -> Vec<StatementRecord> {
    themes
        .statements
        .iter()
        .map(|s| StatementRecord {
            paragraph: s.paragraph,
            span: s.span,
            kind: s.kind,
            language: s.language,
            benefit: s.benefit,
            key_stems: s.key_stems.iter().map(|stem| stem.to_string()).collect(),
            section: s.section,
        })
        .collect()
}

fn hit_records(themes: &DocumentThemes) -> Vec<HitRecord> {
    themes
        .hits
        .iter()
        .map(|h| HitRecord {
            theme: h.theme,
            statement: h.statement,
            score_bits: h.score.to_bits(),
            strongest_bits: h.strongest.to_bits(),
        })
        .collect()
}

fn themes_of(statements: Vec<StatementRecord>, hits: Vec<HitRecord>, spun: bool) -> DocumentThemes {
    DocumentThemes {
        statements: statements
            .into_iter()
            .map(|s| Statement {
                paragraph: s.paragraph,
                span: s.span,
                kind: s.kind,
                language: s.language,
                benefit: s.benefit,
                key_stems: s.key_stems.into_iter().map(Arc::from).collect(),
                section: s.section,
            })
            .collect(),
        hits: hits
            .into_iter()
            .map(|h| ThemeHit {
                theme: h.theme,
                statement: h.statement,
                score: f32::from_bits(h.score_bits),
                strongest: f32::from_bits(h.strongest_bits),
            })
            .collect(),
        spun,
    }
}
