//! The report as Parquet tables (`analyze --format parquet -o DIR`): one file per table, flat
//! columns of scalars, rows joined by ids, so pandas, polars, R and DuckDB load each table in one
//! call.
//!
//! | table | one row per | keys |
//! |---|---|---|
//! | `documents` | analysed document | `id`; `group` → `groups.id` (null outside groups) |
//! | `paragraphs` | paragraph | `document` → `documents.id`, `index` from 0 |
//! | `edits` | normaliser edit | `document`, `paragraph` → `paragraphs.index` |
//! | `groups` | translation or duplicate group | `id` |
//! | `group_members` | document of a group | `group`, `document` |
//! | `group_evidence` | pair of documents that tied a group | `group`, `a`, `b` (document ids) |
//! | `alignments` | bead (row) of a pair's paragraph or sentence alignment | `group`, `a`, `b` |
//! | `themes` | taxonomy theme | `id` |
//! | `theme_documents` | document stating a taxonomy theme | `theme`, `document` |
//! | `theme_evidence` | quoted statement of a taxonomy or discovered theme | `theme` → `themes.id`, or `discovered_themes.id` when `discovered`; `document` |
//! | `discovered_themes` | recurring benefit outside the taxonomy | `id` |
//! | `errors` | input that could not be analysed | `path` |
//!
//! Integers are `int64`, scores `float64` (rounded to four places, as in the JSON report), flags
//! `bool`, everything else UTF-8 strings; only the columns documented as nullable hold nulls.
//! Offsets come in pairs: `start`/`end` in UTF-8 bytes and `start_char`/`end_char` in characters
//! (Unicode code points, as Python and R index strings); an end is one past the last.
//!
//! The bytes depend only on the report: the writer's settings are all set here (the `created_by`
//! string names this tool and its version, never a time), so a run at any thread count writes the
//! same files. The folder is written beside its final place and renamed into it, so readers never
//! see half a set of tables.

use super::output::{folder_of, remove_stale_temporary_files, temporary_builder, temporary_files};
use super::{DocumentReport, HeldListings, Report, ThemeListings, ThemeLists};
use crate::align::group::{Group, PairEvidence};
use crate::themes::{DiscoveredTheme, EvidenceReport, ThemeReport};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use serde::Serialize;
use std::borrow::Borrow;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file names `--format parquet` writes, one per table: a folder holding only these (or
/// nothing) may be replaced by a new run.
const PARQUET_TABLES: [&str; 12] = [
    "documents",
    "paragraphs",
    "edits",
    "groups",
    "group_members",
    "group_evidence",
    "alignments",
    "themes",
    "theme_documents",
    "theme_evidence",
    "discovered_themes",
    "errors",
];

/// Documents in each row group of the tables of documents, paragraphs and edits, which are written
/// a row group at a time.
pub(crate) const DOCUMENTS_PER_ROW_GROUP: usize = 8192;

/// Rows in each row group of the tables of groups and of the taxonomy themes' lists, which are
/// written a row group at a time as their groups and themes come; the tables of the themes, the
/// discovered themes and the errors are one row group each.
const ROWS_PER_ROW_GROUP: usize = 65_536;

impl Report {
    /// Writes every table as `DIR/<table>.parquet` (see the module documentation), atomically:
    /// into a temporary folder beside `folder`, then renamed to it. An existing `folder` is
    /// replaced only when it holds nothing but such tables; on failure it is left as it was.
    pub fn write_parquet(&self, folder: &Path) -> io::Result<()> {
        let mut tables = ParquetTables::create(folder)?;
        for documents in self.documents.chunks(DOCUMENTS_PER_ROW_GROUP) {
            tables.write_documents(documents)?;
        }
        tables.write_groups(self.groups.iter().map(Ok))?;
        tables.write_themes(&self.themes, &mut HeldListings, &self.discovered_themes)?;
        tables.finish(&CorpusTables {
            discovered: &self.discovered_themes,
            errors: &self.errors,
        })
    }
}

/// The tables of one report being written into a temporary folder beside their final place, in
/// the report's order: the tables of documents, paragraphs and edits a row group at a time, as the
/// documents come ([`ParquetTables::write_documents`]); the groups' tables as the groups come
/// ([`ParquetTables::write_groups`]); the themes' as each theme's lists come
/// ([`ParquetTables::write_themes`]); then the others at once ([`ParquetTables::finish`]).
pub(crate) struct ParquetTables {
    folder: PathBuf,
    /// What an earlier run left at `folder`, replaced at the end.
    replaced: Option<fs::Metadata>,
    staging: Option<tempfile::TempDir>,
    /// The writers of the tables of documents, paragraphs and edits, once a row group is written.
    writers: Option<Vec<ArrowWriter<fs::File>>>,
}

/// One table written a row group at a time: its rows gathered until [`ROWS_PER_ROW_GROUP`], each
/// row group built from them by `build`.
struct StreamedTable<R> {
    path: PathBuf,
    build: fn(&[R]) -> Table,
    rows: Vec<R>,
    writer: Option<ArrowWriter<fs::File>>,
}

impl<R> StreamedTable<R> {
    /// The table `name` of the folder `staging`.
    fn new(staging: &Path, name: &str, build: fn(&[R]) -> Table) -> Self {
        Self {
            path: staging.join(format!("{name}.parquet")),
            build,
            rows: Vec::new(),
            writer: None,
        }
    }

    fn push(&mut self, row: R) -> io::Result<()> {
        self.rows.push(row);
        if self.rows.len() == ROWS_PER_ROW_GROUP {
            self.write_rows()?;
        }
        Ok(())
    }

    /// Writes the rows gathered as one row group.
    fn write_rows(&mut self) -> io::Result<()> {
        let batch = (self.build)(&self.rows).finish()?;
        self.rows.clear();
        let writer = match &mut self.writer {
            Some(writer) => writer,
            None => {
                let file = fs::File::create(&self.path)?;
                let writer = ArrowWriter::try_new(file, batch.schema(), Some(writer_properties()))
                    .map_err(io::Error::other)?;
                self.writer.insert(writer)
            }
        };
        writer.write(&batch).map_err(io::Error::other)?;
        writer.flush().map_err(io::Error::other)
    }

    /// Writes the last rows (and the table's schema, when it has no row) and closes the file,
    /// flushed to disk.
    fn finish(mut self) -> io::Result<()> {
        if !self.rows.is_empty() || self.writer.is_none() {
            self.write_rows()?;
        }
        match self.writer {
            Some(writer) => writer.into_inner().map_err(io::Error::other)?.sync_all(),
            None => Ok(()),
        }
    }
}

/// The tables written a row group of documents at a time.
const DOCUMENT_TABLES: [&str; 3] = ["documents", "paragraphs", "edits"];

/// What the tables written at the end are made of.
pub(crate) struct CorpusTables<'a> {
    /// The discovered themes.
    pub discovered: &'a [DiscoveredTheme],
    /// The failed inputs.
    pub errors: &'a [super::ErrorReport],
}

impl ParquetTables {
    /// Starts the tables of `folder`: refuses a folder that holds anything but tables an earlier
    /// run wrote, and makes the temporary folder.
    pub(crate) fn create(folder: &Path) -> io::Result<Self> {
        let replaced = existing_output(folder)?;
        let parent = folder_of(folder);
        remove_stale_temporary_files(parent);
        // Created and listed under one lock, so an interrupt cannot miss it.
        let staging = {
            let mut listed = temporary_files();
            let staging = temporary_folder(parent)?;
            listed.push(staging.path().to_path_buf());
            staging
        };
        Ok(Self {
            folder: folder.to_path_buf(),
            replaced,
            staging: Some(staging),
            writers: None,
        })
    }

    fn staging(&self) -> io::Result<&Path> {
        self.staging
            .as_ref()
            .map(|staging| staging.path())
            .ok_or_else(|| io::Error::other("the tables are already finished"))
    }

    /// Writes one row group of the tables of documents, paragraphs and edits: `documents`, at most
    /// [`DOCUMENTS_PER_ROW_GROUP`] of them, each call the next ones in report order.
    pub(crate) fn write_documents(&mut self, documents: &[DocumentReport]) -> io::Result<()> {
        let batches = [
            documents_table(documents).finish()?,
            paragraphs_table(documents).finish()?,
            edits_table(documents).finish()?,
        ];
        if self.writers.is_none() {
            let staging = self.staging()?.to_path_buf();
            let writers = DOCUMENT_TABLES
                .iter()
                .zip(&batches)
                .map(|(name, batch)| {
                    let file = fs::File::create(staging.join(format!("{name}.parquet")))?;
                    ArrowWriter::try_new(file, batch.schema(), Some(writer_properties()))
                        .map_err(io::Error::other)
                })
                .collect::<io::Result<Vec<_>>>()?;
            self.writers = Some(writers);
        }
        for (writer, batch) in self.writers.iter_mut().flatten().zip(&batches) {
            writer.write(batch).map_err(io::Error::other)?;
            writer.flush().map_err(io::Error::other)?;
        }
        Ok(())
    }

    /// Writes the tables of the groups (`groups`, `group_members`, `group_evidence`,
    /// `alignments`) from `groups`, in report order, a row group of each at a time.
    pub(crate) fn write_groups<G: Borrow<Group>>(
        &mut self,
        groups: impl Iterator<Item = io::Result<G>>,
    ) -> io::Result<()> {
        let staging = self.staging()?;
        let mut summaries = StreamedTable::new(staging, "groups", groups_table);
        let mut members = StreamedTable::new(staging, "group_members", group_members_table);
        let mut evidence = StreamedTable::new(staging, "group_evidence", group_evidence_table);
        let mut beads = StreamedTable::new(staging, "alignments", alignments_table);
        for group in groups {
            let group = group?;
            let group = group.borrow();
            summaries.push(GroupRow {
                id: group.id.clone(),
                kind: serde_name(&group.kind),
                documents: group.documents.len(),
                score: group.score,
            })?;
            for document in &group.documents {
                members.push((group.id.clone(), document.clone()))?;
            }
            for tie in &group.evidence {
                evidence.push((group.id.clone(), tie.clone()))?;
            }
            for row in bead_rows(group) {
                beads.push(row)?;
            }
        }
        summaries.finish()?;
        members.finish()?;
        evidence.finish()?;
        beads.finish()
    }

    /// Writes the tables of the taxonomy themes (`themes`, `theme_documents`, and
    /// `theme_evidence` with the discovered themes' evidence after the taxonomy's), each theme's
    /// documents and evidence taken from `listings` as they come, a row group at a time.
    pub(crate) fn write_themes(
        &mut self,
        themes: &[ThemeReport],
        listings: &mut dyn ThemeListings,
        discovered: &[DiscoveredTheme],
    ) -> io::Result<()> {
        let staging = self.staging()?;
        let mut documents = StreamedTable::new(staging, "theme_documents", theme_documents_table);
        let mut evidence = StreamedTable::new(staging, "theme_evidence", theme_evidence_table);
        let mut counts = Vec::with_capacity(themes.len());
        for (index, theme) in themes.iter().enumerate() {
            // The tables hold no lexicon gap.
            let ThemeLists {
                documents: listed,
                evidence: quoted,
                ..
            } = listings.of(index, theme);
            let mut count = 0;
            for document in listed {
                documents.push((theme.id.clone(), document?.into_owned()))?;
                count += 1;
            }
            counts.push(count);
            for quote in quoted {
                evidence.push((theme.id.clone(), false, quote?.into_owned()))?;
            }
        }
        for theme in discovered {
            for quote in &theme.evidence {
                evidence.push((theme.id.clone(), true, quote.clone()))?;
            }
        }
        documents.finish()?;
        evidence.finish()?;
        write_table(
            &staging.join("themes.parquet"),
            &themes_table(themes, &counts).finish()?,
        )
    }

    /// Writes the other tables, closes every file and puts the folder in place.
    pub(crate) fn finish(mut self, corpus: &CorpusTables) -> io::Result<()> {
        if self.writers.is_none() {
            self.write_documents(&[])?;
        }
        for writer in self.writers.take().into_iter().flatten() {
            writer.into_inner().map_err(io::Error::other)?.sync_all()?;
        }
        let staging = self
            .staging
            .take()
            .ok_or_else(|| io::Error::other("the tables are already finished"))?;
        let staging_path = staging.path().to_path_buf();
        let result = corpus
            .tables()
            .and_then(|tables| fill_and_swap(&tables, staging, self.replaced.take(), &self.folder));
        temporary_files().retain(|listed| *listed != staging_path);
        result
    }
}

impl Drop for ParquetTables {
    fn drop(&mut self) {
        // Unfinished: the temporary folder goes (its TempDir), and off the list of temporary
        // files.
        if let Some(staging) = &self.staging {
            let path = staging.path().to_path_buf();
            temporary_files().retain(|listed| *listed != path);
        }
    }
}

impl CorpusTables<'_> {
    fn tables(&self) -> io::Result<Vec<(&'static str, RecordBatch)>> {
        let tables = [
            ("discovered_themes", self.discovered_themes_table()),
            ("errors", self.errors_table()),
        ];
        tables
            .into_iter()
            .map(|(name, table)| Ok((name, table.finish()?)))
            .collect()
    }

    fn discovered_themes_table(&self) -> Table {
        let themes = &self.discovered;
        Table::default()
            .text("id", themes.iter().map(|t| t.id.as_str()))
            .text("stem", themes.iter().map(|t| t.stem.as_str()))
            .text(
                "key_phrases",
                themes.iter().map(|t| t.key_phrases.join("\n")),
            )
            .integer("articles", themes.iter().map(|t| t.articles))
            .integer("documents", themes.iter().map(|t| t.documents.len()))
    }

    fn errors_table(&self) -> Table {
        let errors = &self.errors;
        Table::default()
            .text("path", errors.iter().map(|e| e.path.as_str()))
            .text("kind", errors.iter().map(|e| serde_name(&e.kind)))
            .text("message", errors.iter().map(|e| e.message.as_str()))
    }
}

/// One row of the `groups` table.
struct GroupRow {
    id: String,
    kind: String,
    documents: usize,
    score: f64,
}

fn groups_table(rows: &[GroupRow]) -> Table {
    Table::default()
        .text("id", rows.iter().map(|g| g.id.as_str()))
        .text("kind", rows.iter().map(|g| g.kind.as_str()))
        .integer("documents", rows.iter().map(|g| g.documents))
        .float("score", rows.iter().map(|g| g.score))
}

fn group_members_table(rows: &[(String, String)]) -> Table {
    keyed_documents_table("group", rows)
}

fn theme_documents_table(rows: &[(String, String)]) -> Table {
    keyed_documents_table("theme", rows)
}

/// A table of (`key`, document) rows.
fn keyed_documents_table(key: &str, rows: &[(String, String)]) -> Table {
    Table::default()
        .text(key, rows.iter().map(|(key, _)| key.as_str()))
        .text(
            "document",
            rows.iter().map(|(_, document)| document.as_str()),
        )
}

fn group_evidence_table(rows: &[(String, PairEvidence)]) -> Table {
    Table::default()
        .text("group", rows.iter().map(|(group, _)| group.as_str()))
        .text("a", rows.iter().map(|(_, e)| e.a.as_str()))
        .text("b", rows.iter().map(|(_, e)| e.b.as_str()))
        .float("score", rows.iter().map(|(_, e)| e.score))
        .text(
            "shared_anchors",
            rows.iter().map(|(_, e)| e.shared_anchors.join(" ")),
        )
        .float("significance", rows.iter().map(|(_, e)| e.significance))
        .float(
            "trigram_similarity",
            rows.iter().map(|(_, e)| e.trigram_similarity),
        )
        .float(
            "aligned_paragraphs",
            rows.iter().map(|(_, e)| e.aligned_paragraphs),
        )
        .integer("a_paragraphs", rows.iter().map(|(_, e)| e.paragraphs[0]))
        .integer("b_paragraphs", rows.iter().map(|(_, e)| e.paragraphs[1]))
}

/// One row of the `alignments` table.
struct BeadRow {
    group: String,
    a_document: String,
    b_document: String,
    level: &'static str,
    position: usize,
    a: (usize, usize),
    b: (usize, usize),
    score: f64,
}

/// The rows of `group`'s alignments: each pair's paragraph beads, then its sentence beads.
fn bead_rows(group: &Group) -> impl Iterator<Item = BeadRow> + '_ {
    group.alignments.iter().flat_map(move |pair| {
        [
            ("paragraph", &pair.alignment.paragraphs),
            ("sentence", &pair.alignment.sentences),
        ]
        .into_iter()
        .flat_map(move |(level, beads)| {
            let mut next = (0, 0);
            beads.iter().enumerate().map(move |(position, bead)| {
                let a = index_range(&bead.a, next.0);
                let b = index_range(&bead.b, next.1);
                next = (a.1, b.1);
                BeadRow {
                    group: group.id.clone(),
                    a_document: pair.a.clone(),
                    b_document: pair.b.clone(),
                    level,
                    position,
                    a,
                    b,
                    score: bead.score,
                }
            })
        })
    })
}

fn alignments_table(rows: &[BeadRow]) -> Table {
    Table::default()
        .text("group", rows.iter().map(|r| r.group.as_str()))
        .text("a", rows.iter().map(|r| r.a_document.as_str()))
        .text("b", rows.iter().map(|r| r.b_document.as_str()))
        .text("level", rows.iter().map(|r| r.level))
        .integer("bead", rows.iter().map(|r| r.position))
        .integer("a_start", rows.iter().map(|r| r.a.0))
        .integer("a_end", rows.iter().map(|r| r.a.1))
        .integer("b_start", rows.iter().map(|r| r.b.0))
        .integer("b_end", rows.iter().map(|r| r.b.1))
        .float("score", rows.iter().map(|r| r.score))
}

/// The `themes` table, with each theme's number of documents.
fn themes_table(themes: &[ThemeReport], documents: &[usize]) -> Table {
    Table::default()
        .text("id", themes.iter().map(|t| t.id.as_str()))
        .text("label", themes.iter().map(|t| t.label.as_str()))
        .text("definition", themes.iter().map(|t| t.definition.as_str()))
        .boolean("recurring", themes.iter().map(|t| t.recurring))
        .integer("articles", themes.iter().map(|t| t.articles))
        .integer("documents", documents.iter().copied())
}

fn theme_evidence_table(rows: &[(String, bool, EvidenceReport)]) -> Table {
    Table::default()
        .text("theme", rows.iter().map(|(theme, _, _)| theme.as_str()))
        .boolean(
            "discovered",
            rows.iter().map(|(_, discovered, _)| *discovered),
        )
        .text("document", rows.iter().map(|(_, _, e)| e.document.as_str()))
        .integer("paragraph", rows.iter().map(|(_, _, e)| e.paragraph))
        .integer("start", rows.iter().map(|(_, _, e)| e.start))
        .integer("end", rows.iter().map(|(_, _, e)| e.end))
        .integer("start_char", rows.iter().map(|(_, _, e)| e.start_char))
        .integer("end_char", rows.iter().map(|(_, _, e)| e.end_char))
        .text("language", rows.iter().map(|(_, _, e)| e.language.as_str()))
        .text("kind", rows.iter().map(|(_, _, e)| serde_name(&e.kind)))
        .float("score", rows.iter().map(|(_, _, e)| e.score))
        .text("text", rows.iter().map(|(_, _, e)| e.text.as_str()))
}

fn documents_table(documents: &[DocumentReport]) -> Table {
    Table::default()
        .text("id", documents.iter().map(|d| d.id.as_str()))
        .text("path", documents.iter().map(|d| d.path.as_str()))
        .integer("bytes", documents.iter().map(|d| d.bytes))
        .integer("chars", documents.iter().map(|d| d.chars))
        .integer("words", documents.iter().map(|d| d.words))
        .text(
            "language",
            documents.iter().map(|d| d.language.code.as_str()),
        )
        .text(
            "language_name",
            documents.iter().map(|d| d.language.name.as_str()),
        )
        .float(
            "language_confidence",
            documents.iter().map(|d| d.language.confidence),
        )
        .boolean(
            "language_reliable",
            documents.iter().map(|d| d.language.reliable),
        )
        .text(
            "secondary_languages",
            documents.iter().map(|d| {
                let codes: Vec<&str> = d
                    .secondary_languages
                    .iter()
                    .map(|secondary| secondary.code.as_str())
                    .collect();
                codes.join(",")
            }),
        )
        .integer("paragraphs", documents.iter().map(|d| d.paragraphs.len()))
        .integer("themes", documents.iter().map(|d| d.themes.len()))
        .optional_text("group", documents.iter().map(|d| d.group.as_deref()))
        .optional_float(
            "mangling_score",
            documents
                .iter()
                .map(|d| d.mangling.as_ref().map(|m| m.score)),
        )
        .optional_boolean(
            "mangled",
            documents
                .iter()
                .map(|d| d.mangling.as_ref().map(|m| m.mangled)),
        )
        .optional_float(
            "mangling_per_100_words",
            documents
                .iter()
                .map(|d| d.mangling.as_ref().map(|m| m.evidence.per_100_words)),
        )
        .optional_integer(
            "edits",
            documents
                .iter()
                .map(|d| d.mangling.as_ref().map(|m| m.edits.len())),
        )
        .optional_text(
            "normalized_text",
            documents.iter().map(|d| d.normalized_text.as_deref()),
        )
        .text("warnings", documents.iter().map(|d| d.warnings.join("\n")))
}

fn paragraphs_table(documents: &[DocumentReport]) -> Table {
    let rows: Vec<(&str, &super::ParagraphReport)> = documents
        .iter()
        .flat_map(|d| d.paragraphs.iter().map(move |p| (d.id.as_str(), p)))
        .collect();
    Table::default()
        .text("document", rows.iter().map(|(document, _)| *document))
        .integer("index", rows.iter().map(|(_, p)| p.index))
        .integer("start", rows.iter().map(|(_, p)| p.start))
        .integer("end", rows.iter().map(|(_, p)| p.end))
        .integer("start_char", rows.iter().map(|(_, p)| p.start_char))
        .integer("end_char", rows.iter().map(|(_, p)| p.end_char))
        .integer("words", rows.iter().map(|(_, p)| p.words))
        .text(
            "language",
            rows.iter().map(|(_, p)| p.language.code.as_str()),
        )
        .float(
            "language_confidence",
            rows.iter().map(|(_, p)| p.language.confidence),
        )
        .boolean(
            "language_reliable",
            rows.iter().map(|(_, p)| p.language.reliable),
        )
        .boolean("heading", rows.iter().map(|(_, p)| p.heading))
        .boolean("boilerplate", rows.iter().map(|(_, p)| p.boilerplate))
        .integer("sentences", rows.iter().map(|(_, p)| p.sentences.len()))
}

fn edits_table(documents: &[DocumentReport]) -> Table {
    let rows: Vec<(&str, &super::EditReport)> = documents
        .iter()
        .filter_map(|d| d.mangling.as_ref().map(|m| (d.id.as_str(), m)))
        .flat_map(|(document, m)| m.edits.iter().map(move |edit| (document, edit)))
        .collect();
    Table::default()
        .text("document", rows.iter().map(|(document, _)| *document))
        .integer("paragraph", rows.iter().map(|(_, e)| e.paragraph))
        .integer("start", rows.iter().map(|(_, e)| e.start))
        .integer("end", rows.iter().map(|(_, e)| e.end))
        .integer("start_char", rows.iter().map(|(_, e)| e.start_char))
        .integer("end_char", rows.iter().map(|(_, e)| e.end_char))
        .text("from", rows.iter().map(|(_, e)| e.from.as_str()))
        .text("to", rows.iter().map(|(_, e)| e.to.as_str()))
        .text("rule", rows.iter().map(|(_, e)| serde_name(&e.rule)))
        .float("confidence", rows.iter().map(|(_, e)| e.confidence))
}

/// The half-open range `start..end` of a bead side's indices: the aligner pairs runs of
/// consecutive segments. An empty side sits at `next`, where the previous bead's side ended.
fn index_range(indices: &[usize], next: usize) -> (usize, usize) {
    match (indices.first(), indices.last()) {
        (Some(&first), Some(&last)) => (first, last + 1),
        _ => (next, next),
    }
}

/// The name serde gives a unit variant (`translation`, `tortured_phrase`): the same string as
/// in the JSON report.
fn serde_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// A table being built column by column.
#[derive(Default)]
struct Table {
    fields: Vec<Field>,
    columns: Vec<ArrayRef>,
}

/// An integer as a column value: counts and offsets never reach `i64::MAX`.
fn int64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Table {
    fn column(mut self, name: &str, nullable: bool, column: ArrayRef) -> Self {
        self.fields
            .push(Field::new(name, column.data_type().clone(), nullable));
        self.columns.push(column);
        self
    }

    fn text<S: AsRef<str>>(self, name: &str, values: impl Iterator<Item = S>) -> Self {
        self.column(name, false, Arc::new(StringArray::from_iter_values(values)))
    }

    fn optional_text<'a>(self, name: &str, values: impl Iterator<Item = Option<&'a str>>) -> Self {
        self.column(name, true, Arc::new(values.collect::<StringArray>()))
    }

    fn integer(self, name: &str, values: impl Iterator<Item = usize>) -> Self {
        let array = Int64Array::from_iter_values(values.map(int64));
        self.column(name, false, Arc::new(array))
    }

    fn optional_integer(self, name: &str, values: impl Iterator<Item = Option<usize>>) -> Self {
        let array: Int64Array = values.map(|value| value.map(int64)).collect();
        self.column(name, true, Arc::new(array))
    }

    fn float(self, name: &str, values: impl Iterator<Item = f64>) -> Self {
        self.column(
            name,
            false,
            Arc::new(Float64Array::from_iter_values(values)),
        )
    }

    fn optional_float(self, name: &str, values: impl Iterator<Item = Option<f64>>) -> Self {
        self.column(name, true, Arc::new(values.collect::<Float64Array>()))
    }

    fn boolean(self, name: &str, values: impl Iterator<Item = bool>) -> Self {
        let array: BooleanArray = values.map(Some).collect();
        self.column(name, false, Arc::new(array))
    }

    fn optional_boolean(self, name: &str, values: impl Iterator<Item = Option<bool>>) -> Self {
        self.column(name, true, Arc::new(values.collect::<BooleanArray>()))
    }

    fn finish(self) -> io::Result<RecordBatch> {
        let schema = Arc::new(Schema::new(self.fields));
        RecordBatch::try_new(schema, self.columns).map_err(io::Error::other)
    }
}

/// The writer settings, every one that shapes the bytes set here rather than left to the
/// crate's defaults: Snappy pages (what pandas and Spark write), format 1.0 pages (every reader),
/// row groups only where the writer flushes them, and a `created_by` without the writer
/// library's version.
fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_created_by(format!(
            "{} {}",
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION")
        ))
        .set_writer_version(WriterVersion::PARQUET_1_0)
        .set_compression(Compression::SNAPPY)
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_max_row_group_row_count(None)
        .set_max_row_group_bytes(None)
        .set_key_value_metadata(None)
        .build()
}

/// Writes one table to `path`, flushed to disk.
fn write_table(path: &Path, table: &RecordBatch) -> io::Result<()> {
    let file = fs::File::create(path)?;
    let mut writer = ArrowWriter::try_new(file, table.schema(), Some(writer_properties()))
        .map_err(io::Error::other)?;
    writer.write(table).map_err(io::Error::other)?;
    let file = writer.into_inner().map_err(io::Error::other)?;
    file.sync_all()
}

/// What is at `folder` now: nothing (`None`), or a folder that an earlier run wrote (holding
/// only table files), which is then replaced. Anything else is an error: the user's other files
/// are never deleted.
fn existing_output(folder: &Path) -> io::Result<Option<fs::Metadata>> {
    let metadata = match fs::metadata(folder) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    if !metadata.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "it exists and is not a folder; name a new folder for the Parquet tables",
        ));
    }
    for entry in fs::read_dir(folder)? {
        let name = entry?.file_name();
        let is_table = name.to_str().is_some_and(|name| {
            name.strip_suffix(".parquet")
                .is_some_and(|table| PARQUET_TABLES.contains(&table))
        });
        if !is_table {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "the folder holds other files ({}); name a new folder or one an earlier --format parquet wrote",
                    name.to_string_lossy()
                ),
            ));
        }
    }
    Ok(Some(metadata))
}

/// Writes the tables into `staging`, then puts it at `folder`, moving a previous output
/// (`replaced`) aside first and deleting it after.
fn fill_and_swap(
    tables: &[(&'static str, RecordBatch)],
    staging: tempfile::TempDir,
    replaced: Option<fs::Metadata>,
    folder: &Path,
) -> io::Result<()> {
    for (name, table) in tables {
        write_table(&staging.path().join(format!("{name}.parquet")), table)?;
    }
    if let Some(metadata) = &replaced {
        fs::set_permissions(staging.path(), metadata.permissions())?;
    }
    let staged = staging.keep();
    let swapped = swap_into_place(&staged, replaced.is_some(), folder);
    if swapped.is_err() {
        let _ = fs::remove_dir_all(&staged);
    }
    swapped
}

/// A new empty folder in `parent` named as a temporary file (`.mentorlens-XXXXXX.tmp`), so that
/// a run killed outright leaves nothing the next run's clean-up does not recognise.
fn temporary_folder(parent: &Path) -> io::Result<tempfile::TempDir> {
    temporary_builder(0o777).tempdir_in(parent)
}

/// Renames `staged` to `folder`; when `folder` exists (an earlier output), it is renamed aside
/// first (under a temporary name, so a run killed in between leaves it to the stale clean-up),
/// put back if the second rename fails, and removed once the new tables are in place.
fn swap_into_place(staged: &Path, replace: bool, folder: &Path) -> io::Result<()> {
    if !replace {
        return fs::rename(staged, folder);
    }
    let aside = temporary_folder(folder_of(folder))?.keep();
    fs::remove_dir(&aside)?;
    fs::rename(folder, &aside)?;
    if let Err(error) = fs::rename(staged, folder) {
        let _ = fs::rename(&aside, folder);
        return Err(error);
    }
    fs::remove_dir_all(&aside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn a_streamed_table_writes_a_row_group_of_rows_at_a_time_and_every_row() {
        let folder = tempfile::tempdir().unwrap();
        let rows = ROWS_PER_ROW_GROUP * 2 + 3;
        let mut table = StreamedTable::new(folder.path(), "theme_documents", theme_documents_table);
        for row in 0..rows {
            table
                .push((format!("theme{}", row % 7), format!("doc{row}")))
                .unwrap();
        }
        table.finish().unwrap();
        let file = fs::File::open(folder.path().join("theme_documents.parquet")).unwrap();
        let metadata = SerializedFileReader::new(file).unwrap().metadata().clone();
        let groups: Vec<i64> = metadata
            .row_groups()
            .iter()
            .map(|group| group.num_rows())
            .collect();
        let full = ROWS_PER_ROW_GROUP as i64;
        assert_eq!(groups, vec![full, full, 3]);
        // No row: the table's schema, no row.
        let empty = StreamedTable::new(folder.path(), "empty", theme_documents_table);
        empty.finish().unwrap();
        let file = fs::File::open(folder.path().join("empty.parquet")).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
        assert_eq!(
            reader
                .metadata()
                .file_metadata()
                .schema_descr()
                .num_columns(),
            2
        );
    }
}
