//! The `render` stage and `dist assemble` of the JSON and JSON Lines reports, the Parquet tables
//! and the fingerprint index.
//!
//! A `render` task (one per shard) reads its shard's records and texts again, gives each document
//! its unique id and rename warning from the shard's places and its group from the shard's
//! members, and writes in corpus order, framed (corpus index, length, bytes): each document's
//! report fragment (pretty JSON at the report's depth, [`document_fragment`]) and index line; and
//! as JSON Lines what the themes read of each document ([`ThemeRecord`]: its place in its group,
//! statements and their quotes, not its text) and the shard's failed inputs; and as sorted runs, framed by
//! what they sort by, the shard's discovery keys ([`KeyRecord`], by the key's hash and bytes) and taxonomy
//! evidence ([`EvidenceRecord`], by theme and corpus index).
//!
//! `assemble` runs the themes' corpus steps with `analyze`'s functions without holding the
//! records: discovery's seeds from the shards' key runs merged, one key's tally and one
//! article's uses at a time ([`seed_keys`]); the recurrence ([`Recurrence`]) and the groups
//! discovery reads in one pass over the theme records, which counts the documents in no group
//! and sorts on disk what the grouped ones state by group and member ([`GroupedStatement`]);
//! then the groups in report order, each added to the recurrence with its members' statements
//! from that sorted file, its lexicon gaps written to a scratch file, discovery's bead sides
//! ([`BeadSide`]) sorted on disk; discovery's records of the unexplained statements of the
//! documents a seed reaches ([`SeedUse`], [`MemberStatement`], without text) sorted on disk
//! from a second pass; the clusters ([`clusters`]) one seed at a time over them, each seed's and
//! group's records found by a binary search ([`SortedFile::equal_range`]); and their
//! statements quoted from a third pass ([`ClusterBuilder`]). It writes
//! the report through [`write_report`] (or [`ParquetTables`], a row group of documents, groups
//! and theme lists at a time) with the shards' fragments merged by corpus index (a JSON Lines record is the fragment
//! refitted, [`refit_fragment`]) and each theme's documents and evidence from the shards'
//! evidence runs merged, its lexicon gaps from the scratch file ([`ThemeListings`]): the bytes
//! `analyze` writes, holding no document's text, no quote and nothing of a grouped document.

use super::record::{ErrorRecord, EvidenceRecord, KeyRecord, Membership, ThemeRecord};
use super::runs::{RunRecord, SortedFile, SortedOnDisk, put_words, word};
use super::{
    DOCUMENTS_STAGE, FINGERPRINTS, GROUPS_STAGE, ORDER_STAGE, OutputOptions, RENDER_STAGE,
    ShardPlacement, WorkFolder, levels, members_kind, partial_file, persist, placed_kind,
};
use crate::align::group::Fingerprint;
use crate::align::group::{Group, group_name};
use crate::corpus::InputError;
use crate::lang::Language;
use crate::report::{
    CorpusSummary, CorpusTables, DOCUMENTS_PER_ROW_GROUP, DocumentPart, DocumentReport,
    ErrorReport, Layout, Listed, ParquetTables, ReportParts, ThemeListings, ThemeLists,
    document_fragment, refit_fragment, write_output, write_report,
};
use crate::themes::{
    ArticleKeyUse, BeadSide, ClusterBuilder, DiscoveredTheme, DiscoveryRecords, DiscoveryStore,
    DocumentThemes, EvidenceReport, GroupRecords, LexiconGap, Listing, MemberStatement,
    MemberStatements, NO_GROUP, QuotedStatement, Recurrence, SeedIndex, SeedKey, SeedUse,
    StatementTexts, ThemeMatcher, ThemeReport, ThemedDocument, bead_sides, clusters, key_uses,
    seed_keys, seeds_in_order, unexplained_languages,
};
use crate::{AnalysedDocument, Settings};
use anyhow::{Context, Result, bail, ensure};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// What `assemble` writes from the shards.
pub(super) enum Assembly<'a> {
    /// The JSON or JSON Lines report, to a file or `-`.
    Report(Layout, &'a Path),
    /// The Parquet tables, in a folder.
    Parquet(&'a Path),
}

/// What assembling found over every shard.
pub(super) struct Assembled {
    /// Documents analysed.
    pub documents: usize,
    /// Inputs that failed, sorted as the report lists them.
    pub errors: Vec<InputError>,
}

/// A render task's framed file of report fragments.
const FRAGMENTS: &str = "fragments";
/// A render task's framed file of index lines.
const INDEX_LINES: &str = "index-lines";
/// A render task's file of theme records.
const THEMES: &str = "themes";
/// A render task's framed file of discovery's keys ([`KeyRecord`], by the key's hash).
const KEYS: &str = "keys";
/// A render task's framed file of the taxonomy themes' evidence ([`EvidenceRecord`], by theme
/// and corpus index).
const EVIDENCE: &str = "evidence";
/// A render task's file of failed inputs.
const ERRORS: &str = "errors";
/// `assemble`'s scratch folder for the recurrence: what grouped documents state, sorted by
/// group, and the lexicon gaps.
const RECURRENCE: &str = "recurrence";

/// What the themes' corpus steps read of one document: its theme record, decoded.
struct Themed {
    index: usize,
    id: String,
    group: Option<Membership>,
    language: Language,
    themes: DocumentThemes,
    quotes: Vec<QuotedStatement>,
}

impl From<ThemeRecord> for Themed {
    fn from(mut record: ThemeRecord) -> Self {
        let (index, language) = (record.index, record.language);
        let id = std::mem::take(&mut record.id);
        let group = record.group.take();
        let (themes, quotes) = record.into_themes();
        Self {
            index,
            id,
            group,
            language,
            themes,
            quotes,
        }
    }
}

impl Themed {
    /// The document as the themes' corpus steps read it.
    fn document(&self) -> ThemedDocument<'_> {
        ThemedDocument {
            id: &self.id,
            texts: StatementTexts::Quoted(&self.quotes),
            language: self.language,
            themes: &self.themes,
        }
    }
}

/// The render tasks' evidence records merged by theme and corpus index, taken a theme at a
/// time.
struct ThemeRows {
    records: std::iter::Peekable<Box<dyn Iterator<Item = io::Result<EvidenceRecord>>>>,
    /// Themes in the taxonomy.
    themes: usize,
    /// The theme and corpus index of the last record taken.
    last: (usize, usize),
}

impl ThemeRows {
    /// The next record of theme `index`, if any; an error for a record out of order, or (after
    /// the last theme) one left over.
    fn next_of(&mut self, index: usize) -> Option<io::Result<EvidenceRecord>> {
        let in_order = match self.records.peek()? {
            // An error comes out at once.
            Err(_) => true,
            Ok(record) if record.theme > index && record.theme < self.themes => return None,
            Ok(record) => record.theme == index && (record.theme, record.index) >= self.last,
        };
        if !in_order {
            return Some(Err(io::Error::other(
                "the render tasks' evidence files are out of order: run them again",
            )));
        }
        let record = self.records.next()?;
        if let Ok(record) = &record {
            self.last = (record.theme, record.index);
        }
        Some(record)
    }
}

/// The taxonomy themes' lists as the report writer takes them ([`ThemeListings`]): the
/// documents and evidence each from its own merge of the render tasks' evidence records (every
/// document that states a theme quotes evidence for it), the lexicon gaps from the file
/// `assemble` wrote them to in group order, read once a theme.
struct MergedListings {
    documents: ThemeRows,
    evidence: ThemeRows,
    lexicon_gaps: PathBuf,
}

impl ThemeListings for MergedListings {
    fn of<'s>(&'s mut self, index: usize, _theme: &'s ThemeReport) -> ThemeLists<'s> {
        let Self {
            documents,
            evidence,
            lexicon_gaps,
        } = self;
        let mut last = None;
        let documents = std::iter::from_fn(move || {
            loop {
                match documents.next_of(index)? {
                    Ok(record) if Some(record.index) == last => continue,
                    Ok(record) => {
                        last = Some(record.index);
                        return Some(Ok(Cow::Owned(record.evidence.document)));
                    }
                    Err(error) => return Some(Err(error)),
                }
            }
        });
        let evidence = std::iter::from_fn(move || {
            let record = evidence.next_of(index)?;
            Some(record.map(|record| Cow::Owned(record.evidence)))
        });
        ThemeLists {
            documents: Box::new(documents),
            evidence: Box::new(evidence),
            lexicon_gaps: gaps_of_theme(lexicon_gaps, index),
        }
    }
}

/// The lexicon gaps of the theme at `index` in the file of (theme, gap) lines at `path`, in its
/// order.
fn gaps_of_theme<'s>(path: &Path, index: usize) -> Listed<'s, LexiconGap> {
    let lines = match std::fs::File::open(path) {
        Ok(file) => BufReader::new(file).lines(),
        Err(error) => return Box::new(std::iter::once(Err(error))),
    };
    Box::new(lines.filter_map(move |line| {
        let gap = line.and_then(|line| {
            serde_json::from_str::<(usize, LexiconGap)>(&line).map_err(io::Error::other)
        });
        match gap {
            Ok((theme, gap)) => (theme == index).then_some(Ok(Cow::Owned(gap))),
            Err(error) => Some(Err(error)),
        }
    }))
}

/// What a grouped document states, as `assemble` sorts it by group and member: one record for
/// the document (slot 0, with its language) and one for each taxonomy theme it states (slot: the
/// theme's index plus one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GroupedStatement {
    /// Its group's rank.
    rank: usize,
    /// The document's position in the group.
    member: usize,
    slot: usize,
    /// The document's language ([`Language::number`]).
    language: usize,
}

impl RunRecord for GroupedStatement {
    const BYTES: usize = 32;
    type Key = (usize, usize, usize);

    fn key(&self) -> Self::Key {
        (self.rank, self.member, self.slot)
    }

    fn encode(&self, bytes: &mut [u8]) {
        let words = [self.rank, self.member, self.slot, self.language];
        put_words(bytes, &words.map(|word| word as u64));
    }

    fn decode(bytes: &[u8]) -> Self {
        Self {
            rank: word(bytes, 0) as usize,
            member: word(bytes, 1) as usize,
            slot: word(bytes, 2) as usize,
            language: word(bytes, 3) as usize,
        }
    }
}

impl WorkFolder {
    /// The task of `shard` in the `render` stage (see the module documentation); then the done
    /// mark. Does nothing when already done.
    pub(super) fn run_render_task(&self, shard: usize) -> Result<()> {
        self.check_task(RENDER_STAGE, shard, self.plan.shards.len())?;
        if self.is_done(RENDER_STAGE, shard) {
            return Ok(());
        }
        let members: Vec<(usize, usize, usize)> =
            self.read_all(GROUPS_STAGE, 0, &members_kind(shard))?;
        let group_of: FxHashMap<usize, Membership> = members
            .into_iter()
            .map(|(index, rank, member)| {
                let id = group_name(rank);
                (index, Membership { id, rank, member })
            })
            .collect();
        let (documents, errors) = self.shard_documents(shard)?;
        let fingerprints: Vec<Fingerprint> = self.read_all(DOCUMENTS_STAGE, shard, FINGERPRINTS)?;
        if fingerprints.len() != documents.len() {
            bail!(
                "shard {shard}'s records and fingerprints disagree: run its documents task again"
            );
        }
        let placed = self.placed(shard, documents)?;
        // Of the pipeline, only the theme matcher (the documents' themes are decided here).
        let matcher = self.plan.config.themes.build()?;
        type Stated = Vec<(usize, Vec<EvidenceReport>)>;
        type Rendered = (usize, Vec<u8>, Vec<u8>, ThemeRecord, Vec<KeyRecord>, Stated);
        let rendered: Vec<Rendered> = placed
            .into_par_iter()
            .map(|(index, position, document)| {
                let themes = matcher.stated_theme_ids(&document.themes);
                let membership = group_of.get(&index).cloned();
                let group = membership.as_ref().map(|m| m.id.clone());
                let article = group.as_deref().unwrap_or(&document.document.id);
                let keys = key_uses(&document.themes, matcher.thresholds())
                    .into_iter()
                    .map(|found| KeyRecord {
                        key: found.key.to_string(),
                        article: article.to_string(),
                        language: found.language,
                        unexplained: found.unexplained,
                    })
                    .collect();
                let evidence = matcher.stated_evidence(&document.themed());
                let record = ThemeRecord::of(index, &document, membership);
                let report = DocumentReport::of(&document, themes, group);
                let index_line = crate::check::index_line(
                    &document.document.path,
                    &document.document.text,
                    &fingerprints[position],
                );
                let fragment = document_fragment(&report);
                (index, fragment, index_line, record, keys, evidence)
            })
            .collect();
        self.write_framed(
            shard,
            FRAGMENTS,
            rendered.iter().map(|(i, f, ..)| (*i, &f[..])),
        )?;
        self.write_framed(
            shard,
            INDEX_LINES,
            rendered.iter().map(|(i, _, l, ..)| (*i, &l[..])),
        )?;
        let mut keys = Vec::new();
        let mut records = Vec::with_capacity(rendered.len());
        let mut evidence = Vec::new();
        for (index, _, _, record, document_keys, stated) in rendered {
            records.push(record);
            keys.extend(document_keys);
            for (theme, quoted) in stated {
                evidence.extend(quoted.into_iter().map(|evidence| EvidenceRecord {
                    theme,
                    index,
                    evidence,
                }));
            }
        }
        self.write_records(RENDER_STAGE, shard, THEMES, &records)?;
        // Sorted runs: the keys by their hash and bytes, the evidence by theme and corpus index (stable:
        // a document's evidence stays in its order).
        // By hash, then bytes: a key's records, and of them an article's, are together.
        let mut keys = keys
            .into_iter()
            .map(|record| Ok((key_frame(&record.key), serde_json::to_vec(&record)?)))
            .collect::<Result<Vec<_>>>()?;
        keys.sort_unstable();
        keys.dedup();
        self.write_framed(shard, KEYS, keys.iter().map(|(h, b)| (*h, &b[..])))?;
        let mut evidence = evidence
            .into_iter()
            .map(|record| Ok((evidence_frame(&record)?, serde_json::to_vec(&record)?)))
            .collect::<Result<Vec<_>>>()?;
        evidence.sort_by_key(|(frame, _)| *frame);
        self.write_framed(shard, EVIDENCE, evidence.iter().map(|(f, b)| (*f, &b[..])))?;
        let errors: Vec<ErrorRecord> = errors.iter().map(ErrorRecord::from).collect();
        self.write_records(RENDER_STAGE, shard, ERRORS, &errors)?;
        self.mark_done(RENDER_STAGE, shard)
    }

    /// `shard`'s analysed documents (in load order) with their unique ids and rename warnings,
    /// in corpus order, each with its corpus index and position, as the order's placement file
    /// gives them.
    fn placed(
        &self,
        shard: usize,
        documents: Vec<AnalysedDocument>,
    ) -> Result<Vec<(usize, usize, AnalysedDocument)>> {
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
                placed.push((placement.index, placement.position, document));
                Ok(())
            },
        )?;
        if documents.iter().any(Option::is_some) {
            bail!("the order leaves out documents of shard {shard}: run the order task again");
        }
        Ok(placed)
    }

    /// The path of one of a render task's framed files.
    fn framed_path(&self, shard: usize, kind: &str) -> PathBuf {
        let suffix = self.plan.compression.suffix();
        self.folder
            .join(RENDER_STAGE)
            .join(format!("{shard:05}.{kind}.frames{suffix}"))
    }

    /// Writes one of a render task's framed files, atomically: the plan's id as the first frame
    /// (index `u64::MAX`), then each record.
    fn write_framed<'a>(
        &self,
        shard: usize,
        kind: &str,
        records: impl Iterator<Item = (usize, &'a [u8])>,
    ) -> Result<()> {
        self.write_frames_file(&self.framed_path(shard, kind), |out| {
            for (index, bytes) in records {
                write_frame(out, index as u64, bytes)?;
            }
            Ok(())
        })
    }

    /// Writes a framed file at `path`, atomically: the plan's id as the first frame (index
    /// `u64::MAX`), then what `write` writes.
    fn write_frames_file(
        &self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let mut file = partial_file(path)?;
        {
            let mut out = BufWriter::new(file.as_file_mut());
            self.plan.compression.write_stream(&mut out, |out| {
                write_frame(out, u64::MAX, self.id.as_bytes())?;
                write(out)
            })?;
            out.flush()?;
        }
        persist(file, path)
    }

    /// The records of every render task's framed files of `kind`, as files to merge at once: at
    /// most the plan's `merge_fan_in` of them. When there are more shards, groups of that many
    /// are first merged into files of their own (in a scratch folder of the render stage,
    /// emptied first; each level removed once the next is written, the last by
    /// [`WorkFolder::remove_merge_scratch`]), as many levels as it takes, so that no merge opens
    /// more files than that.
    fn frames_to_merge(&self, kind: &str) -> Result<Vec<Frames>> {
        let paths = self.paths_to_merge(kind)?;
        paths.iter().map(|path| self.frames_at(path)).collect()
    }

    /// The files [`WorkFolder::frames_to_merge`] opens, its levels merged
    /// ([`levels::in_levels`]).
    fn paths_to_merge(&self, kind: &str) -> Result<Vec<PathBuf>> {
        let shards = self.plan.shards.len();
        for shard in 0..shards {
            self.ensure_done(RENDER_STAGE, shard)?;
        }
        let paths: Vec<PathBuf> = (0..shards)
            .map(|shard| self.framed_path(shard, kind))
            .collect();
        let suffix = format!(".frames{}", self.plan.compression.suffix());
        levels::in_levels(
            paths,
            self.plan.merge_fan_in,
            &self.merge_scratch(RENDER_STAGE, kind),
            &suffix,
            |chunk, path| {
                let files = chunk
                    .iter()
                    .map(|path| self.frames_at(path))
                    .collect::<Result<Vec<_>>>()?;
                self.write_frames_file(path, |out| {
                    for frame in merged_frames(files) {
                        let (index, bytes) = frame?;
                        write_frame(out, index as u64, &bytes)?;
                    }
                    Ok(())
                })
            },
            std::convert::identity,
        )
    }

    /// Removes the scratch folder of [`WorkFolder::frames_to_merge`] for `kind`, if any.
    fn remove_merge_scratch(&self, kind: &str) -> Result<()> {
        levels::remove_scratch(&self.merge_scratch(RENDER_STAGE, kind))
    }

    /// The records of the framed file at `path`, once it names this plan.
    fn frames_at(&self, path: &Path) -> Result<Frames> {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut frames = Frames {
            input: self
                .plan
                .compression
                .decoded(BufReader::new(file))
                .with_context(|| format!("cannot read {}", path.display()))?,
        };
        match frames.next() {
            Some(Ok((index, plan))) if index == u64::MAX as usize && plan == self.id.as_bytes() => {
                Ok(frames)
            }
            _ => bail!(
                "{} belongs to another plan or task: run its task of the stage {RENDER_STAGE} \
                 again",
                path.display()
            ),
        }
    }

    /// The discovery keys that may seed a cluster ([`seed_keys`]), from every render task's
    /// key records merged by the keys' hashes ([`key_frame`]) and bytes: a key's records
    /// together, and of them an article's.
    fn seed_keys(&self, matcher: &ThemeMatcher) -> Result<Vec<SeedKey>> {
        let unsorted = "the render tasks' key files are not sorted: run them again";
        let mut last: Option<(usize, Vec<u8>)> = None;
        let uses = merged_frames(self.frames_to_merge(KEYS)?).map(
            |frame| -> Result<ArticleKeyUse<String, String>> {
                let (hash, bytes) = frame?;
                let in_order = last
                    .as_ref()
                    .is_none_or(|(h, b)| (*h, &b[..]) <= (hash, &bytes[..]));
                let record: KeyRecord = serde_json::from_slice(&bytes)
                    .context("cannot read the render tasks' key files: run them again")?;
                ensure!(in_order && key_frame(&record.key) == hash, "{unsorted}");
                last = Some((hash, bytes));
                Ok((
                    record.key,
                    record.article,
                    record.language,
                    record.unexplained,
                ))
            },
        );
        let seeds = seed_keys(uses, matcher)?;
        self.remove_merge_scratch(KEYS)?;
        Ok(seeds)
    }

    /// The taxonomy themes' documents and evidence (of `themes` themes) from every render
    /// task's sorted evidence records (their levels merged once): one record in memory a file
    /// and list.
    fn merged_listings(&self, themes: usize, lexicon_gaps: &Path) -> Result<MergedListings> {
        let paths = self.paths_to_merge(EVIDENCE)?;
        let rows = |paths: &[PathBuf]| -> Result<ThemeRows> {
            let files = paths
                .iter()
                .map(|path| self.frames_at(path))
                .collect::<Result<Vec<_>>>()?;
            let records = merged_frames(files).map(|frame| {
                let (_, bytes) = frame?;
                serde_json::from_slice::<EvidenceRecord>(&bytes).map_err(io::Error::other)
            });
            let records: Box<dyn Iterator<Item = io::Result<EvidenceRecord>>> = Box::new(records);
            Ok(ThemeRows {
                records: records.peekable(),
                themes,
                last: (0, 0),
            })
        };
        Ok(MergedListings {
            documents: rows(&paths)?,
            evidence: rows(&paths)?,
            lexicon_gaps: lexicon_gaps.to_path_buf(),
        })
    }

    /// Writes the report or the tables (and the index when asked) from the render tasks' files.
    pub(super) fn assemble_by_shard(
        &self,
        output: &OutputOptions,
        assembly: Assembly,
    ) -> Result<Assembled> {
        // The plan's settings, whose fingerprint opening the folder checked; of the pipeline,
        // only the theme matcher is built.
        let settings = Settings {
            fingerprint: self.plan.fingerprint.clone(),
            stages: self.plan.config.clone(),
        };
        let matcher = self.plan.config.themes.build()?;
        let shards = self.plan.shards.len();
        let mut errors = self.plan_errors();
        // Discovery's keys: the shards' sorted key records merged, tallied one key at a time;
        // the keys that may seed a cluster (few) are kept.
        let seed_keys = self.seed_keys(&matcher)?;
        let may_seed = SeedIndex::new(&seed_keys);
        // One pass over the theme records: every document's language (counted), that the
        // corpus indices run from 0 exactly once each, the themes' recurrence (what the report
        // quotes, not the records), the languages of unexplained statements, and the groups
        // discovery reads (of a document with an unexplained statement with a key that may
        // seed).
        let mut languages: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut seen = IndexSet::default();
        let mut recurrence = Recurrence::new(&matcher, Listing::Apart);
        let mut unexplained_in: FxHashSet<Language> = FxHashSet::default();
        let mut discovery_groups = Bits::default();
        // What grouped documents state, sorted on disk by group and member.
        let scratch = self.merge_scratch(RENDER_STAGE, RECURRENCE);
        levels::remove_scratch(&scratch)?;
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("cannot create {}", scratch.display()))?;
        let mut by_group = SortedOnDisk::new(&scratch, "statements", self.plan.run_pairs);
        for shard in 0..shards {
            self.read_records(RENDER_STAGE, shard, ERRORS, |error: ErrorRecord| {
                errors.push(InputError::from(error));
                Ok(())
            })?;
            self.read_records(RENDER_STAGE, shard, THEMES, |record: ThemeRecord| {
                *languages.entry(record.language.code()).or_default() += 1;
                ensure!(seen.insert(record.index), "{DISAGREE}");
                let themed = Themed::from(record);
                let document = themed.document();
                let stated = recurrence.add(themed.index, &document, themed.group.is_some());
                if let Some(group) = &themed.group {
                    let slots = std::iter::once(0).chain(stated.iter().map(|theme| theme + 1));
                    for slot in slots {
                        by_group.push(GroupedStatement {
                            rank: group.rank,
                            member: group.member,
                            slot,
                            language: themed.language.number(),
                        })?;
                    }
                }
                let thresholds = matcher.thresholds();
                unexplained_in.extend(unexplained_languages(&themed.themes, thresholds));
                if let Some(group) = &themed.group
                    && may_seed.carried_by(&themed.themes, thresholds)
                {
                    discovery_groups.set(group.rank);
                }
                Ok(())
            })?;
        }
        crate::pipeline::sort_errors(&mut errors);
        let documents = seen.count();
        ensure!(seen.runs_from_zero(), "{DISAGREE}");
        let corpus = CorpusSummary::new(
            languages
                .iter()
                .flat_map(|(code, count)| std::iter::repeat_n(*code, *count)),
            errors.len(),
        );
        // The groups in report order, each added to the recurrence with what its members state
        // (its lexicon gaps written to a scratch file, which the report's writer reads a theme
        // at a time); of discovery's, the paragraph beads of each aligned pair of members. The
        // report's groups are read again as they are written.
        let gaps_path = scratch.join("lexicon-gaps.jsonl");
        let mut gaps = BufWriter::new(
            std::fs::File::create(&gaps_path)
                .with_context(|| format!("cannot write {}", gaps_path.display()))?,
        );
        let mut statements = by_group.finish()?.read()?.peekable();
        // Discovery sorts three kinds of record at once (the bead sides, then its seeds' uses
        // and its groups' statements), each holding a third of the plan's run.
        let discovery_run = self.plan.run_pairs.div_ceil(3);
        let mut sides = SortedOnDisk::new(&scratch, "bead-sides", discovery_run);
        let mut rank = 0;
        self.read_records(GROUPS_STAGE, 0, "", |group: Group| {
            let mut members = vec![MemberStatements::default(); group.documents.len()];
            while let Some(statement) = statements.next_if(|s| !matches!(s, Ok(s) if s.rank > rank))
            {
                let statement = statement?;
                ensure!(statement.rank == rank, "{DISAGREE}");
                let member = members.get_mut(statement.member).context(DISAGREE)?;
                match statement.slot {
                    0 => {
                        member.language =
                            Language::from_number(statement.language).context(DISAGREE)?;
                    }
                    slot => member.themes.push(slot - 1),
                }
            }
            for (theme, gap) in recurrence.add_group(&group, &members) {
                serde_json::to_writer(&mut gaps, &(theme, gap))?;
                gaps.write_all(b"\n")?;
            }
            if discovery_groups.contains(rank) {
                bead_sides(rank, &group, |side| sides.push(side))?;
            }
            rank += 1;
            Ok(())
        })?;
        ensure!(statements.next().is_none(), "{DISAGREE}");
        // Scratch: flushed, not synced.
        gaps.into_inner()
            .map_err(io::IntoInnerError::into_error)
            .with_context(|| format!("cannot write {}", gaps_path.display()))?;
        let themes = recurrence.finish();
        let seeds = seeds_in_order(seed_keys, unexplained_in.len());
        let discovered = if seeds.is_empty() {
            Vec::new()
        } else {
            self.discover(&matcher, &seeds, &discovery_groups, sides, &scratch)?
        };
        let error_reports: Vec<ErrorReport> = errors.iter().map(ErrorReport::of).collect();
        let fragments = self.frames_to_merge(FRAGMENTS)?;
        match assembly {
            Assembly::Report(layout, target) => {
                let listings = self.merged_listings(themes.len(), &gaps_path)?;
                write_output(target, |out| {
                    let documents = merged(fragments, documents).map(|fragment| {
                        fragment.map(|json| DocumentPart::Rendered(refit_fragment(json, layout)))
                    });
                    write_report(
                        out,
                        layout,
                        ReportParts {
                            settings: &settings,
                            corpus: &corpus,
                            documents,
                            groups: self
                                .record_lines(GROUPS_STAGE, 0, "")
                                .map_err(io::Error::other)?
                                .records::<Group>()
                                .map(|group| group.map_err(io::Error::other)),
                            themes: &themes,
                            listings: Box::new(listings),
                            discovered: &discovered,
                            errors: &error_reports,
                        },
                    )
                })
                .with_context(|| format!("cannot write the report to {}", target.display()))?;
            }
            Assembly::Parquet(folder) => {
                let groups = self
                    .record_lines(GROUPS_STAGE, 0, "")?
                    .records::<Group>()
                    .map(|group| group.map_err(io::Error::other));
                let mut listings = self.merged_listings(themes.len(), &gaps_path)?;
                let corpus = CorpusTables {
                    discovered: &discovered,
                    errors: &error_reports,
                };
                write_parquet(folder, fragments, documents, |mut tables| {
                    tables.write_groups(groups)?;
                    tables.write_themes(&themes, &mut listings, &discovered)?;
                    tables.finish(&corpus)
                })
                .with_context(|| {
                    format!("cannot write the Parquet tables to {}", folder.display())
                })?;
            }
        }
        if let Some(path) = &output.index {
            let lines = self.frames_to_merge(INDEX_LINES)?;
            write_index(path, &settings, lines, documents)
                .with_context(|| format!("cannot write the index to {}", path.display()))?;
            self.remove_merge_scratch(INDEX_LINES)?;
        }
        self.remove_merge_scratch(FRAGMENTS)?;
        self.remove_merge_scratch(EVIDENCE)?;
        self.remove_merge_scratch(RECURRENCE)?;
        Ok(Assembled { documents, errors })
    }
}

/// A set of small numbers, a bit each.
#[derive(Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn set(&mut self, number: usize) {
        let word = number / 64;
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << (number % 64);
    }

    fn contains(&self, number: usize) -> bool {
        self.0
            .get(number / 64)
            .is_some_and(|word| word >> (number % 64) & 1 == 1)
    }
}

/// The number that tells a document's article apart in discovery: its group's, or its own.
fn article_number(index: usize, group: Option<&Membership>) -> usize {
    group.map_or(2 * index, |group| 2 * group.rank + 1)
}

/// Discovery's records sorted on disk, each seed's and group's found by a binary search.
struct DiscoveryOnDisk {
    uses: SortedFile<SeedUse>,
    members: SortedFile<MemberStatement>,
    sides: SortedFile<BeadSide>,
}

impl DiscoveryStore for DiscoveryOnDisk {
    type Error = anyhow::Error;

    fn uses_of(&mut self, seed: usize) -> Result<Vec<SeedUse>> {
        self.uses.equal_range(|u| u.seed.cmp(&seed))
    }

    fn group(&mut self, rank: usize) -> Result<GroupRecords> {
        Ok((
            self.members.equal_range(|m| m.rank.cmp(&rank))?,
            self.sides.equal_range(|s| s.rank.cmp(&rank))?,
        ))
    }
}

impl WorkFolder {
    /// The discovered themes, around `seeds` (in order): discovery's records ([`SeedUse`],
    /// [`MemberStatement`]) from a pass over the theme records (the unexplained statements of the
    /// documents with one that carries a seed and of the members of `groups`, by rank, whose
    /// bead sides are `sides`), sorted on disk in `scratch`; the clusters over them; then the
    /// clusters' statements quoted from a second pass.
    fn discover(
        &self,
        matcher: &ThemeMatcher,
        seeds: &[SeedKey],
        groups: &Bits,
        sides: SortedOnDisk<BeadSide>,
        scratch: &Path,
    ) -> Result<Vec<DiscoveredTheme>> {
        let shards = self.plan.shards.len();
        let thresholds = matcher.thresholds();
        let seed_index = SeedIndex::new(seeds);
        let mut records = DiscoveryRecords::new(&seed_index, thresholds);
        let run = self.plan.run_pairs.div_ceil(3);
        let mut uses = SortedOnDisk::new(scratch, "seed-uses", run);
        let mut members = SortedOnDisk::new(scratch, "member-statements", run);
        for shard in 0..shards {
            self.read_records(RENDER_STAGE, shard, THEMES, |record: ThemeRecord| {
                // A member of a group discovery does not read is not decoded.
                if record
                    .group
                    .as_ref()
                    .is_some_and(|g| !groups.contains(g.rank))
                {
                    return Ok(());
                }
                let themed = Themed::from(record);
                let (index, themes) = (themed.index, &themed.themes);
                let (reads, group) = match &themed.group {
                    // Of a group discovery reads (the others were left above).
                    Some(group) => (true, (group.rank, group.member)),
                    None => (seed_index.carried_by(themes, thresholds), NO_GROUP),
                };
                if reads {
                    let article = article_number(index, themed.group.as_ref());
                    records.document(
                        index,
                        themes,
                        article,
                        group,
                        |found| uses.push(found),
                        |member| members.push(member),
                    )?;
                }
                Ok(())
            })?;
        }
        let statements = records.statements;
        let mut store = DiscoveryOnDisk {
            uses: uses.finish()?,
            members: members.finish()?,
            sides: sides.finish()?,
        };
        let clusters = clusters(&mut store, seeds.len(), statements, matcher)?;
        drop(store);
        let mut wanted: FxHashMap<usize, Vec<(usize, usize)>> = FxHashMap::default();
        for (c, cluster) in clusters.iter().enumerate() {
            for &(index, statement) in &cluster.members {
                wanted.entry(index).or_default().push((c, statement));
            }
        }
        let mut builders: Vec<ClusterBuilder> = clusters
            .iter()
            .enumerate()
            .map(|(c, cluster)| ClusterBuilder::new(c, seeds, cluster))
            .collect();
        for shard in 0..shards {
            self.read_records(RENDER_STAGE, shard, THEMES, |record: ThemeRecord| {
                let Some(statements) = wanted.get(&record.index) else {
                    return Ok(());
                };
                let themed = Themed::from(record);
                let article = article_number(themed.index, themed.group.as_ref());
                let document = themed.document();
                for &(c, statement) in statements {
                    ensure!(statement < themed.themes.statements.len(), "{DISAGREE}");
                    builders[c].add(themed.index, &document, statement, article);
                }
                Ok(())
            })?;
        }
        Ok(builders.into_iter().map(ClusterBuilder::finish).collect())
    }
}

/// A seed's use as discovery sorts it on disk: by seed, statement number and other seed.
impl RunRecord for SeedUse {
    const BYTES: usize = 72;
    type Key = (usize, usize, usize);

    fn key(&self) -> Self::Key {
        (self.seed, self.number, self.other)
    }

    fn encode(&self, bytes: &mut [u8]) {
        let words = [
            self.seed,
            self.number,
            self.other,
            self.document,
            self.statement,
            self.paragraph,
            self.article,
            self.group.0,
            self.group.1,
        ];
        put_words(bytes, &words.map(|word| word as u64));
    }

    fn decode(bytes: &[u8]) -> Self {
        let at = |n| word(bytes, n) as usize;
        Self {
            seed: at(0),
            number: at(1),
            other: at(2),
            document: at(3),
            statement: at(4),
            paragraph: at(5),
            article: at(6),
            group: (at(7), at(8)),
        }
    }
}

/// A grouped document's statement as discovery sorts it on disk: by group, member and statement.
impl RunRecord for MemberStatement {
    const BYTES: usize = 48;
    type Key = (usize, usize, usize);

    fn key(&self) -> Self::Key {
        (self.rank, self.member, self.statement)
    }

    fn encode(&self, bytes: &mut [u8]) {
        let words = [
            self.rank,
            self.member,
            self.statement,
            self.number,
            self.paragraph,
            self.document,
        ];
        put_words(bytes, &words.map(|word| word as u64));
    }

    fn decode(bytes: &[u8]) -> Self {
        let at = |n| word(bytes, n) as usize;
        Self {
            rank: at(0),
            member: at(1),
            statement: at(2),
            number: at(3),
            paragraph: at(4),
            document: at(5),
        }
    }
}

/// A bead side as discovery sorts it on disk: by group, pair, bead, side and paragraph.
impl RunRecord for BeadSide {
    const BYTES: usize = 56;
    type Key = (usize, usize, usize, usize, usize);

    fn key(&self) -> Self::Key {
        (self.rank, self.pair, self.bead, self.side, self.paragraph)
    }

    fn encode(&self, bytes: &mut [u8]) {
        let words = [
            self.rank,
            self.pair,
            self.bead,
            self.side,
            self.paragraph,
            self.members.0,
            self.members.1,
        ];
        put_words(bytes, &words.map(|word| word as u64));
    }

    fn decode(bytes: &[u8]) -> Self {
        let at = |n| word(bytes, n) as usize;
        Self {
            rank: at(0),
            pair: at(1),
            bead: at(2),
            side: at(3),
            paragraph: at(4),
            members: (at(5), at(6)),
        }
    }
}

/// Writes the Parquet tables: the documents' tables from the shards' fragments merged by corpus
/// index, a row group at a time, then the others by `rest`.
fn write_parquet(
    folder: &Path,
    fragments: Vec<Frames>,
    documents: usize,
    rest: impl FnOnce(ParquetTables) -> io::Result<()>,
) -> io::Result<()> {
    let mut tables = ParquetTables::create(folder)?;
    let mut row_group = Vec::with_capacity(DOCUMENTS_PER_ROW_GROUP.min(documents));
    for fragment in merged(fragments, documents) {
        row_group.push(serde_json::from_slice::<DocumentReport>(&fragment?)?);
        if row_group.len() == DOCUMENTS_PER_ROW_GROUP {
            tables.write_documents(&row_group)?;
            row_group.clear();
        }
    }
    if !row_group.is_empty() {
        tables.write_documents(&row_group)?;
    }
    rest(tables)
}

/// Writes the index: its header, then the shards' lines merged by corpus index.
fn write_index(
    path: &Path,
    settings: &Settings,
    index_lines: Vec<Frames>,
    documents: usize,
) -> io::Result<()> {
    write_output(path, |out| {
        crate::check::write_index_header(out, settings, documents)?;
        for line in merged(index_lines, documents) {
            out.write_all(&line?)?;
        }
        Ok(())
    })
}

/// Why `assemble` refuses theme records whose corpus indices do not run from 0 exactly once each.
const DISAGREE: &str = "the render tasks' records and the order disagree: run them again";

/// Which corpus indices were seen, a bit each.
#[derive(Default)]
struct IndexSet {
    words: Vec<u64>,
    count: usize,
}

impl IndexSet {
    /// Adds `index`; false when it was there already.
    fn insert(&mut self, index: usize) -> bool {
        let (word, bit) = (index / 64, 1u64 << (index % 64));
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        let fresh = self.words[word] & bit == 0;
        self.words[word] |= bit;
        self.count += usize::from(fresh);
        fresh
    }

    /// How many indices it holds.
    fn count(&self) -> usize {
        self.count
    }

    /// Whether it holds exactly 0 .. its count.
    fn runs_from_zero(&self) -> bool {
        let (full, rest) = (self.count / 64, self.count % 64);
        self.words.iter().take(full).all(|&word| word == u64::MAX)
            && (rest == 0 || self.words.get(full) == Some(&((1u64 << rest) - 1)))
            && self
                .words
                .iter()
                .skip(full + usize::from(rest > 0))
                .all(|&word| word == 0)
    }
}

/// Writes one frame: a corpus index and a length (little-endian u64s), then that many bytes.
fn write_frame(out: &mut dyn Write, index: u64, bytes: &[u8]) -> io::Result<()> {
    out.write_all(&index.to_le_bytes())?;
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)
}

/// The frame index of a discovery key's records: the key's stable hash, so that every shard's
/// records of one key meet in a merge of the shards' files.
fn key_frame(key: &str) -> usize {
    crate::text::stable_hash_of(key.as_bytes()) as usize
}

/// Bits of an evidence record's frame index below its theme: the corpus index's.
const CORPUS_INDEX_BITS: u32 = 40;

/// The frame index of an evidence record: its theme, then its corpus index, so that a merge of
/// the shards' files gives each theme's evidence in corpus order.
fn evidence_frame(record: &EvidenceRecord) -> Result<usize> {
    ensure!(
        record.index < 1 << CORPUS_INDEX_BITS && record.theme < 1 << (64 - CORPUS_INDEX_BITS),
        "corpus index {} or theme {} is beyond what an evidence file holds",
        record.index,
        record.theme
    );
    Ok(((record.theme as u64) << CORPUS_INDEX_BITS | record.index as u64) as usize)
}

/// The frames of one file, in order: the frame index (a corpus index, or what the file sorts
/// by: [`key_frame`], [`evidence_frame`]) and bytes.
struct Frames {
    /// The file, decoded.
    input: Box<dyn io::BufRead>,
}

impl Iterator for Frames {
    type Item = io::Result<(usize, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut word = [0u8; 8];
        match self.input.read_exact(&mut word) {
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return None,
            Err(error) => return Some(Err(error)),
            Ok(()) => {}
        }
        let index = u64::from_le_bytes(word) as usize;
        let mut read = || {
            self.input.read_exact(&mut word)?;
            let length = u64::from_le_bytes(word);
            // Read as far as the file goes, not allocated up front: a length that claims more
            // than the file holds is refused after reading what is there.
            let mut bytes = Vec::new();
            (&mut self.input).take(length).read_to_end(&mut bytes)?;
            if bytes.len() as u64 != length {
                return Err(io::Error::other(
                    "a render task's file is cut short: run it again",
                ));
            }
            Ok((index, bytes))
        };
        Some(read())
    }
}

/// The records of framed files, each sorted by frame index, merged by frame index, then by bytes
/// (only the heads of different files are compared: records of one index in one file keep their
/// order).
fn merged_frames(files: Vec<Frames>) -> impl Iterator<Item = io::Result<(usize, Vec<u8>)>> {
    // An error sorts first, so it comes out at once.
    itertools::kmerge_by(
        files,
        |a: &io::Result<(usize, Vec<u8>)>, b: &io::Result<(usize, Vec<u8>)>| match (a, b) {
            // Bytes break ties: a key's records from several files come together.
            (Ok(a), Ok(b)) => (a.0, &a.1) < (b.0, &b.1),
            (Err(_), _) => true,
            (Ok(_), Err(_)) => false,
        },
    )
}

/// The records of every framed file, each sorted by corpus index, merged into corpus order; an
/// error unless the indices run from 0 to `documents` - 1 exactly.
fn merged(files: Vec<Frames>, documents: usize) -> impl Iterator<Item = io::Result<Vec<u8>>> {
    let mut records = merged_frames(files);
    let mut next = 0;
    let disagree =
        || io::Error::other("the rendered shards and the order disagree: assemble again");
    std::iter::from_fn(move || match records.next() {
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
    })
}

#[cfg(test)]
mod tests {
    use super::IndexSet;

    #[test]
    fn an_index_set_runs_from_zero_only_when_it_holds_each_index_below_its_count() {
        for count in [1, 63, 64, 65, 130] {
            let mut set = IndexSet::default();
            for index in (0..count).rev() {
                assert!(set.insert(index));
            }
            assert!(!set.insert(0), "0 is there already");
            assert_eq!(set.count(), count);
            assert!(set.runs_from_zero(), "0..{count}");
            // As many indices, but `count - 1` left out for `count`.
            let mut gap = IndexSet::default();
            for index in (0..=count).filter(|&index| index != count - 1) {
                gap.insert(index);
            }
            assert_eq!(gap.count(), count);
            assert!(!gap.runs_from_zero(), "a gap below {count}");
        }
        assert!(IndexSet::default().runs_from_zero(), "no index at all");
    }
}
