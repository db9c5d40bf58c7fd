//! `dist assemble` of the JSON and JSON Lines reports, the Parquet tables and the fingerprint
//! index, one shard at a time. Each shard's documents are read again with their texts, given their unique ids and
//! rename warnings from the order's placement file, and rendered (their report fragments and index
//! lines, in corpus order, framed in scratch files in the work folder); what the themes need of
//! each (its statements and their quotes, not its text) is kept. The corpus steps (recurrence,
//! lexicon gaps, discovery) then run over those records and the groups, and the report is written
//! through [`write_report`] (or [`ParquetTables`], a row group of documents at a time), the
//! shards' fragments merged by corpus index: the bytes `analyze` writes, holding one shard's
//! documents at a time rather than the corpus.

use super::{GROUPS_STAGE, ORDER_STAGE, OutputOptions, ShardPlacement, WorkFolder, placed_kind};
use crate::align::group::Group;
use crate::corpus::InputError;
use crate::lang::Language;
use crate::report::{
    CorpusSummary, CorpusTables, DOCUMENTS_PER_ROW_GROUP, DocumentPart, DocumentReport,
    ErrorReport, Layout, ParquetTables, ReportParts, document_fragment, write_output, write_report,
};
use crate::themes::{DocumentThemes, QuotedStatement, StatementTexts, ThemedDocument};
use crate::{AnalysedDocument, Settings};
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// What the themes need of one document once it is rendered: its summary and its statements'
/// quotes, not its text.
struct ThemeRecord {
    /// Its corpus index.
    index: usize,
    id: String,
    language: Language,
    themes: DocumentThemes,
    quotes: Vec<QuotedStatement>,
}

/// One document rendered: its report fragment, its index line, its language code and what the
/// themes need of it.
struct RenderedDocument {
    fragment: Vec<u8>,
    index_line: Option<Vec<u8>>,
    language: &'static str,
    record: ThemeRecord,
}

/// What `assemble` writes from the shards.
pub(super) enum Assembly<'a> {
    /// The JSON or JSON Lines report, to a file or `-`.
    Report(Layout, &'a Path),
    /// The Parquet tables, in a folder.
    Parquet(&'a Path),
}

/// What assembling found over every shard, besides the rendered files.
pub(super) struct Assembled {
    /// Documents analysed.
    pub documents: usize,
    /// Inputs that failed, sorted as the report lists them.
    pub errors: Vec<InputError>,
}

impl WorkFolder {
    /// Writes the report or the tables (and the index when asked) from the shards, one at a time.
    pub(super) fn assemble_by_shard(
        &self,
        output: &OutputOptions,
        assembly: Assembly,
    ) -> Result<Assembled> {
        let pipeline = self.pipeline()?;
        let settings = pipeline.settings();
        let groups: Vec<Group> = self.read_all(GROUPS_STAGE, 0, "")?;
        let group_of: FxHashMap<&str, &str> = groups
            .iter()
            .flat_map(|group| {
                group
                    .documents
                    .iter()
                    .map(move |member| (member.as_str(), group.id.as_str()))
            })
            .collect();
        let scratch = tempfile::Builder::new()
            .prefix(".assemble-")
            .tempdir_in(&self.folder)
            .with_context(|| format!("cannot write in {}", self.folder.display()))?;
        let mut errors: Vec<InputError> = self
            .plan
            .errors
            .iter()
            .map(|e| InputError::from(e.clone()))
            .collect();
        let mut records: Vec<ThemeRecord> = Vec::new();
        let mut languages: Vec<(usize, &'static str)> = Vec::new();
        let mut fragments: Vec<PathBuf> = Vec::new();
        let mut index_lines: Vec<PathBuf> = Vec::new();
        for shard in 0..self.plan.shards.len() {
            let (documents, shard_errors) = self.shard_documents(shard)?;
            errors.extend(shard_errors);
            let placed = self.placed(shard, documents)?;
            let rendered: Vec<RenderedDocument> = placed
                .into_par_iter()
                .map(|(index, document)| {
                    let themes = pipeline.theme_matcher().stated_theme_ids(&document.themes);
                    let group = group_of.get(document.document.id.as_str());
                    let report =
                        DocumentReport::of(&document, themes, group.map(|g| g.to_string()));
                    let fragment = match assembly {
                        Assembly::Report(layout, _) => document_fragment(&report, layout),
                        // Read back a row group at a time (floats round-trip exactly).
                        Assembly::Parquet(_) => serde_json::to_vec(&report).unwrap_or_default(),
                    };
                    RenderedDocument {
                        fragment,
                        index_line: output
                            .index
                            .is_some()
                            .then(|| crate::check::index_line(&document, &settings.stages.group)),
                        language: document.languages.document.language.code(),
                        record: ThemeRecord {
                            index,
                            quotes: QuotedStatement::all_of(
                                &document.document.text,
                                &document.themes,
                            ),
                            language: document.languages.document.language,
                            id: document.document.id,
                            themes: document.themes,
                        },
                    }
                })
                .collect();
            let fragment_path = scratch.path().join(format!("{shard:05}.report"));
            let index_path = scratch.path().join(format!("{shard:05}.index"));
            let mut fragment_file = FramedWriter::create(&fragment_path)?;
            let mut index_file = match output.index {
                Some(_) => Some(FramedWriter::create(&index_path)?),
                None => None,
            };
            for document in rendered {
                let index = document.record.index;
                fragment_file.push(index, &document.fragment)?;
                if let (Some(file), Some(line)) = (index_file.as_mut(), &document.index_line) {
                    file.push(index, line)?;
                }
                languages.push((index, document.language));
                records.push(document.record);
            }
            fragment_file.finish()?;
            fragments.push(fragment_path);
            if let Some(file) = index_file {
                file.finish()?;
                index_lines.push(index_path);
            }
        }
        crate::pipeline::sort_errors(&mut errors);
        records.sort_unstable_by_key(|record| record.index);
        languages.sort_unstable_by_key(|&(index, _)| index);
        if records
            .iter()
            .enumerate()
            .any(|(at, record)| record.index != at)
        {
            bail!("the shards' records and the order disagree: run their tasks again");
        }
        let themed: Vec<ThemedDocument> = records
            .iter()
            .map(|record| ThemedDocument {
                id: &record.id,
                texts: StatementTexts::Quoted(&record.quotes),
                language: record.language,
                themes: &record.themes,
            })
            .collect();
        let themes = crate::themes::summarise(pipeline.theme_matcher(), &themed, &groups);
        drop(themed);
        let documents = records.len();
        drop(records);
        let error_reports: Vec<ErrorReport> = errors.iter().map(ErrorReport::of).collect();
        match assembly {
            Assembly::Report(layout, target) => {
                let corpus =
                    CorpusSummary::new(languages.iter().map(|&(_, code)| code), errors.len());
                write_output(target, |out| {
                    let documents = merged(&fragments, documents)?
                        .map(|fragment| fragment.map(DocumentPart::Rendered));
                    write_report(
                        out,
                        layout,
                        ReportParts {
                            settings: &settings,
                            corpus: &corpus,
                            documents,
                            groups: groups.iter().map(Ok),
                            themes: &themes.themes,
                            discovered: &themes.discovered,
                            errors: &error_reports,
                        },
                    )
                })
                .with_context(|| format!("cannot write the report to {}", target.display()))?;
            }
            Assembly::Parquet(folder) => {
                let corpus = CorpusTables {
                    groups: &groups,
                    themes: &themes.themes,
                    discovered: &themes.discovered,
                    errors: &error_reports,
                };
                write_parquet(folder, &fragments, documents, &corpus).with_context(|| {
                    format!("cannot write the Parquet tables to {}", folder.display())
                })?;
            }
        }
        if let Some(path) = &output.index {
            write_index(path, &settings, &index_lines, documents)
                .with_context(|| format!("cannot write the index to {}", path.display()))?;
        }
        Ok(Assembled { documents, errors })
    }

    /// `shard`'s analysed documents (in load order) with their unique ids and rename warnings,
    /// in corpus order, each with its corpus index, as the order's placement file gives them.
    fn placed(
        &self,
        shard: usize,
        documents: Vec<AnalysedDocument>,
    ) -> Result<Vec<(usize, AnalysedDocument)>> {
        let mut documents: Vec<Option<AnalysedDocument>> =
            documents.into_iter().map(Some).collect();
        let mut placed = Vec::with_capacity(documents.len());
        self.read_records(
            ORDER_STAGE,
            0,
            &placed_kind(shard),
            |placement: ShardPlacement| {
                let Some(mut document) =
                    documents.get_mut(placement.position).and_then(Option::take)
                else {
                    bail!(
                        "the order places a document shard {shard} lacks: run the order task again"
                    );
                };
                document.document.id = placement.id;
                document.document.warnings.extend(placement.renamed);
                placed.push((placement.index, document));
                Ok(())
            },
        )?;
        if documents.iter().any(Option::is_some) {
            bail!("the order leaves out documents of shard {shard}: run the order task again");
        }
        Ok(placed)
    }
}

/// Writes the Parquet tables: the documents' tables from the shards' fragments merged by corpus
/// index, a row group at a time, then the others.
fn write_parquet(
    folder: &Path,
    fragments: &[PathBuf],
    documents: usize,
    corpus: &CorpusTables,
) -> io::Result<()> {
    let mut tables = ParquetTables::create(folder)?;
    let mut row_group = Vec::with_capacity(DOCUMENTS_PER_ROW_GROUP.min(documents));
    for fragment in merged(fragments, documents)? {
        row_group.push(serde_json::from_slice::<DocumentReport>(&fragment?)?);
        if row_group.len() == DOCUMENTS_PER_ROW_GROUP {
            tables.write_documents(&row_group)?;
            row_group.clear();
        }
    }
    if !row_group.is_empty() {
        tables.write_documents(&row_group)?;
    }
    tables.finish(corpus)
}

/// Writes the index: its header, then the shards' lines merged by corpus index.
fn write_index(
    path: &Path,
    settings: &Settings,
    index_lines: &[PathBuf],
    documents: usize,
) -> io::Result<()> {
    write_output(path, |out| {
        crate::check::write_index_header(out, settings, documents)?;
        for line in merged(index_lines, documents)? {
            out.write_all(&line?)?;
        }
        Ok(())
    })
}

/// A scratch file of framed records: each a corpus index and a length (little-endian u64s), then
/// that many bytes.
struct FramedWriter {
    out: BufWriter<std::fs::File>,
}

impl FramedWriter {
    fn create(path: &Path) -> io::Result<Self> {
        Ok(Self {
            out: BufWriter::new(std::fs::File::create(path)?),
        })
    }

    fn push(&mut self, index: usize, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(&(index as u64).to_le_bytes())?;
        self.out.write_all(&(bytes.len() as u64).to_le_bytes())?;
        self.out.write_all(bytes)
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The records of one framed file, in order: corpus index and bytes.
fn framed(path: &Path) -> io::Result<impl Iterator<Item = io::Result<(usize, Vec<u8>)>>> {
    let mut input = BufReader::new(std::fs::File::open(path)?);
    Ok(std::iter::from_fn(move || {
        let mut word = [0u8; 8];
        match input.read_exact(&mut word) {
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return None,
            Err(error) => return Some(Err(error)),
            Ok(()) => {}
        }
        let index = u64::from_le_bytes(word) as usize;
        let read = (|| {
            input.read_exact(&mut word)?;
            let mut bytes = vec![0; u64::from_le_bytes(word) as usize];
            input.read_exact(&mut bytes)?;
            Ok((index, bytes))
        })();
        Some(read)
    }))
}

/// The records of every framed file, each sorted by corpus index, merged into corpus order; an
/// error unless the indices run from 0 to `documents` - 1 exactly.
fn merged(
    paths: &[PathBuf],
    documents: usize,
) -> io::Result<impl Iterator<Item = io::Result<Vec<u8>>>> {
    let files = paths
        .iter()
        .map(|path| framed(path))
        .collect::<io::Result<Vec<_>>>()?;
    // An error sorts first, so it comes out at once.
    let mut records = itertools::kmerge_by(
        files,
        |a: &io::Result<(usize, Vec<u8>)>, b: &io::Result<(usize, Vec<u8>)>| match (a, b) {
            (Ok(a), Ok(b)) => a.0 < b.0,
            (Err(_), _) => true,
            (Ok(_), Err(_)) => false,
        },
    );
    let mut next = 0;
    let disagree =
        || io::Error::other("the rendered shards and the order disagree: assemble again");
    Ok(std::iter::from_fn(move || match records.next() {
        Some(Ok((index, bytes))) if index == next && index < documents => {
            next += 1;
            Some(Ok(bytes))
        }
        Some(Ok(_)) => Some(Err(disagree())),
        Some(Err(error)) => Some(Err(error)),
        None if next == documents => None,
        None => {
            next = documents;
            Some(Err(disagree()))
        }
    }))
}
