//! `mentorlens dist`: the analysis cut into tasks that a cluster (Dask, Slurm, Spark) or the
//! built-in local executor runs, giving the report `analyze` gives, byte for byte.
//!
//! A work folder holds the plan and every exchange. `plan` discovers the inputs and cuts them into
//! shards (consecutive runs of sources, balanced by size, so that shard order is load order); each
//! shard's sources are listed in a file of their own (`sources/00003.json`, its hash in the plan),
//! so that every task reads a plan of the same small size and only the lists it needs.
//! Exchanges are JSON Lines files, each with a header naming the plan and task; with `plan
//! --compress` they are stored as zstd and decode to the same bytes (`storage`).
//!
//! - `documents`, one task per shard: loads the shard's inputs and runs the per-document stages
//!   ([`crate::Pipeline::analyse_document`], as `analyze` does). It writes one record per input
//!   without its text (see [`record`]), its fingerprint, the distinct scripts of the shard, and
//!   its id (with its position and source), a short summary (its position and two hashes of its
//!   text), its blocking keys (with what the candidate budgets read of it,
//!   [`crate::align::group::CandidateFacts`]: text hash, language, script, shape anchors) and its
//!   anchors, each in one file per partition (`--partitions P`, by a stable hash of the id's
//!   stem, the grouping hash ([`crate::align::group::copies_partition`]), the key or the anchor);
//!   beside its record and fingerprint files, a line index (where each document's line starts,
//!   as little-endian u64s after the file's length).
//! - `ids`, one task per partition `k`: reads every shard's ids of partition `k`, in load order,
//!   and gives them the unique ids `analyze` gives them ([`crate::corpus::assign_unique_ids`]:
//!   an id is made unique among the ids of its stem, [`crate::corpus::id_stem`], all of them in
//!   the partition, with the warning `analyze` gives a renamed document, which names the path of
//!   the id's first document); writes them sorted by unique id, each with its shard, position,
//!   source and warning.
//! - `order`, one task: merges the ids partitions' files as it reads them (a k-way merge by
//!   unique id: the order `analyze` gives the corpus; more files than the plan's `merge_fan_in`
//!   are first merged in levels, `levels::in_levels`), holding one document per file; it
//!   writes the documents in that order (unique id, shard, position, source: one line each) and
//!   the corpus index of each document in load order (a binary map: the plan's hash, the number
//!   of shards and each one's number of documents, then a little-endian u64 per document, each
//!   written in place as the merge reaches it), and per shard its documents' places in corpus
//!   order (corpus index, position, unique id, warning; one more merge for every 256 shards past
//!   the first, whose files it writes at once).
//! - `copies`, one task per partition `k`: reads every shard's summaries of partition `k`, each
//!   placed by the order's map (read where its entry lies, not held), and writes which of them
//!   are exact copies of which ([`crate::align::group::partition_copies`]: every document
//!   [`crate::align::group::exact_copies_by`] compares one with has its grouping hash, so is in
//!   its partition), sorted by copy.
//! - `blocking`, one task per partition `k`: reads every shard's keys of partition `k` with their
//!   documents' candidate facts (placed by the order's map, read where each entry lies), every
//!   copies task's copies (streamed; those of documents without keys here passed over) and each
//!   shard's distinct scripts (no id, no text, no fingerprint), and writes what each pair of
//!   documents shares in those blocks with what the budgets read of the two
//!   ([`crate::align::group::keyed_partition_share`], [`crate::align::group::PairFacts`]),
//!   sorted by pair.
//! - `candidates`, one task: merges the partitions' shares as it reads them (a k-way merge,
//!   [`crate::align::group::merge_sorted_shares`], in levels as the order's), ranks them for the
//!   budgets ([`crate::align::group::ranked_candidates`], from the facts each share carries: it
//!   holds no document's facts),
//!   sorts the ranked pairs in runs of a fixed size on disk (the plan's `run_pairs`) and keeps the
//!   candidates within their budgets over a k-way merge of the runs
//!   ([`crate::align::group::GreedyBudget`]: a counter per document, not the pairs), and writes,
//!   for each partition of the candidate pairs (by a stable hash of the pair), its pairs and the
//!   documents they name (corpus index, unique id, shard, position, source: from the order's
//!   file, streamed once for every `merge_fan_in` partitions, whose files it writes at once;
//!   the kept pairs and the documents they name wait sorted on disk, `runs::SortedOnDisk`, so it
//!   holds a counter per document and no pair); and the corpus's size and whether it holds
//!   Japanese.
//! - `anchors`, one task per partition `k`: counts the anchors of partition `k` from every
//!   shard's anchors of that partition ([`crate::align::group::AnchorFrequency::count_partition`]:
//!   documents that carry each, and distinct articles in a small corpus), sorted by anchor.
//! - `scoring`, one task per partition `k` of the candidate pairs: reads its pairs, the
//!   fingerprints and records of only the documents they name (each line found through its
//!   file's line index: no other line is read), the counts of only the anchors those documents
//!   carry (every partition's counts streamed) and those documents' texts from their paths, and
//!   scores each pair ([`crate::align::group::score_candidate`]).
//! - `batches`, one task: reads every partition's passing pairs and copies and cuts the
//!   documents they tie into batches of whole connected sets, each batch's pairs, copies and
//!   documents (with their places) in files of their own.
//! - `joins`, one task per partition: for each batch whose number is the task's modulo the
//!   partitions, reads the fingerprints, records, anchor counts and texts of only its documents,
//!   numbered among themselves in corpus order, and joins them
//!   ([`crate::align::group::join_scored`], which depends on the order of the documents, not on
//!   their numbers, and aligns the sentences of the pairs that tie a group); its groups go to the
//!   task's file, their report order (by first member) sorted on disk.
//! - `groups`, one task: reads the joins tasks' groups in report order (a merge of their sorted
//!   orders) and names them, writing each shard's members.
//! - `render` (`src/dist/assemble.rs`), one task per shard: reads its records and texts again
//!   (checking each text's hash), takes unique ids and warnings from the shard's places and
//!   groups from the shard's members, and writes each document's report fragment and index line
//!   (framed, in corpus order), what the themes read of it (its group, statements and their
//!   quotes, not its text), and sorted runs of the shard's discovery keys (by key hash and bytes) and taxonomy
//!   evidence (by theme and corpus index).
//! - `assemble`, for JSON, JSON Lines, Parquet and `--index`: runs the themes' corpus steps as
//!   `analyze` does, with the same functions: the recurrence ([`crate::themes::Recurrence`]) one
//!   theme record at a time; discovery's seeds from the merged key runs, one key's tally at a
//!   time ([`crate::themes::seed_keys`]); the clusters ([`crate::themes::clusters`]) over
//!   the unexplained statements of only the documents a seed reaches and their groups' other
//!   members, sorted on disk without text ([`crate::themes::DiscoveryStore`]: each seed's and
//!   group's records found by a binary search), then built from their statements alone
//!   ([`crate::themes::ClusterBuilder`]). It writes the report through [`crate::report`]'s streaming writer, the
//!   shards' fragments merged by corpus index and each theme's documents and evidence from the
//!   merged evidence runs. The HTML page is still made from the whole analysis, every text in
//!   memory, as `analyze` makes it.
//!
//! So an `ids` task holds the ids of its partition only (about 1/P of the corpus's), the `order`
//! task one document per file it merges (at most the plan's `merge_fan_in`), a `copies` task
//! the corpus index and two hashes of the documents of its partition (about 1/P of the
//! corpus's) and a `blocking` task the corpus
//! index, candidate facts and keys of the documents with keys in its partition (with its
//! blocks and the pairs' shares: at a few partitions nearly every document has a key in each,
//! at many more partitions than a document has keys only a share of them), and no task but
//! `candidates`, `batches` and `assemble` holds anything of every document: `candidates` one
//! budget's counters (a byte a document; the ranked pairs it chooses from, at most `run_pairs`
//! of them held, and the pairs it keeps wait in runs sorted on disk), `batches` 8 bytes a
//! grouped document (its corpus index, its parent in a union-find over them, then its batch; the ties are
//! and copies streamed from scratch files), a `joins` task one batch of those documents and its
//! copies (its groups wait in its file, their report order sorted on disk), `groups` one group
//! at a time, a `render` task its
//! shard's documents, and `assemble` (JSON, JSON Lines, Parquet): per taxonomy theme a count of
//! the articles that state it (what grouped documents state waits in runs sorted on disk by
//! group, at most `run_pairs` records held; the lexicon gaps in a scratch file), one group at a
//! time, one discovery key's tally at a time, one seed's records at a time with a bit per
//! unexplained statement of the documents a seed reaches (and of their groups' other members)
//! and a bit per group, the discovered themes (what the report lists of them), one bit per
//! document and a count per language
//! (Parquet: a row group of each table at a time; the HTML page: every analysed document).
//!
//! Every decision is a function of [`crate::align::group`]; this module only moves its inputs
//! and outputs through files. Block weights and anchor counts are integers and every ordering is
//! total, so the merged shares, the candidates, the anchor frequencies and the report are the
//! same at any number of shards and partitions and any run size. `assemble --index FILE` also writes the corpus fingerprint index
//! `check --against-index` reads.
//!
//! Every file is written to a temporary name and renamed, so a task killed half way leaves no
//! partial output, and a task run again (a retry) writes the same bytes. A work folder planned by
//! another version of the tool, with other settings or over other inputs, is refused.

mod assemble;
use assemble::Assembly;
mod levels;
pub mod record;
mod runs;
mod storage;

pub use runs::DEFAULT_RUN_PAIRS;
pub use storage::Compression;
use storage::StoredLines;

use crate::align::group::{self, Shared};
use crate::corpus::{self, Document, Input, InputError, Source};
use crate::report::{Report, html, write_output};
use crate::text::tokens::DocumentScript;
use crate::timing::Phase;
use crate::{AnalysedDocument, Analysis, Config, Outcome, Pipeline, Timings};
use anyhow::{Context, Result, bail, ensure};
use rayon::prelude::*;
use record::{DocumentRecord, DocumentSummary, ErrorRecord, ShardRecord};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Version of the work folder's layout and exchange records, and of what a fingerprint holds
/// (6: the ids and order stages; 7: one-permutation sketches; 8: the copies stage, summaries by
/// partition of their hash, scripts with the keys; 11: paths in the ids files, renames' warnings
/// and each shard's places from the order; 12: the render stage, the groups' members by shard;
/// 13: how the exchange files are stored, in the plan; 15: candidate facts with the keys, pair
/// facts with the shares; 17: discovery keys sorted by hash and bytes; 18: the batches and joins
/// stages; 19: scored pairs with paragraph beads only, sentences aligned in the joins); a folder
/// of another layout is refused.
const LAYOUT: u32 = 19;

/// The first stage: one task per shard.
const DOCUMENTS_STAGE: &str = "documents";

/// The second stage: one task per partition of the ids' stems, which makes their ids unique.
const IDS_STAGE: &str = "ids";

/// The third stage: one task, which gives every document its corpus index.
const ORDER_STAGE: &str = "order";

/// The fourth stage: one task per partition of the texts' hashes, which finds the exact copies.
const COPIES_STAGE: &str = "copies";

/// The fifth stage: one task per partition of the block keys.
const BLOCKING_STAGE: &str = "blocking";

/// The sixth stage: one task, which keeps the candidate pairs within their budgets.
const CANDIDATES_STAGE: &str = "candidates";

/// The seventh stage: one task per partition of the anchors.
const ANCHORS_STAGE: &str = "anchors";

/// The eighth stage: one task per partition of the candidate pairs.
const SCORING_STAGE: &str = "scoring";

/// Stage: the documents that passing pairs and copies tie, cut into batches of whole connected
/// sets (one task): each batch's pairs, copies and documents in files of their own.
const BATCHES_STAGE: &str = "batches";

/// Stage: each batch's groups, joined from its pairs and copies, reading only its documents
/// (one task per partition: the batches whose number is the task's modulo the partitions).
const JOINS_STAGE: &str = "joins";

/// Stage: the joined groups named in report order (one task): the groups and each shard's
/// members.
const GROUPS_STAGE: &str = "groups";

/// Stage: each document's report fragment, index line and theme record (one task per shard).
const RENDER_STAGE: &str = "render";

/// The stages, in the order they run (then `assemble`).
const STAGES: [&str; 12] = [
    DOCUMENTS_STAGE,
    IDS_STAGE,
    ORDER_STAGE,
    COPIES_STAGE,
    BLOCKING_STAGE,
    CANDIDATES_STAGE,
    ANCHORS_STAGE,
    SCORING_STAGE,
    BATCHES_STAGE,
    JOINS_STAGE,
    GROUPS_STAGE,
    RENDER_STAGE,
];

/// The buffer through which a task reads the entries of some documents of the order's map (a
/// partition's: at many partitions, far apart), so that each seek reads a few entries rather
/// than a page of them.
const SPARSE_MAP_BUFFER: usize = 256;

/// The `documents` stage's file of the distinct scripts of a shard's documents.
const SCRIPTS: &str = "scripts";

/// The `documents` stage's file of fingerprints.
const FINGERPRINTS: &str = "fingerprints";

/// What `plan` reads: the inputs, the work folder, the shard count and a settings file.
#[derive(Debug, Clone)]
pub struct PlanInputs {
    /// Files or folders (as `analyze` takes them; not standard input).
    pub paths: Vec<String>,
    /// The work folder (created when missing).
    pub work: PathBuf,
    /// Number of shards: tasks of the `documents` stage (default: 1 for `plan`, the number of
    /// workers for `run`).
    pub shards: Option<u32>,
    /// Number of partitions of the ids' stems, the texts' hashes, grouping's block keys, anchors
    /// and candidate pairs: tasks of the `ids`, `copies`, `blocking`, `anchors` and `scoring`
    /// stages (default 1).
    pub partitions: Option<u32>,
    /// Settings file in `check`'s format (mentorlens.toml): its stage tables set the analysis.
    pub config: Option<PathBuf>,
    /// Ranked candidate pairs the `candidates` task holds in memory before it writes them to
    /// sorted runs on disk (default [`DEFAULT_RUN_PAIRS`]); the result is the same at any size.
    pub run_pairs: Option<usize>,
    /// Documents the `groups` task reads at once, whole connected sets of them (default
    /// [`DEFAULT_GROUP_BATCH`]); the result is the same at any size.
    pub group_batch: Option<usize>,
    /// How the exchange files are stored.
    pub compression: Compression,
    /// Files a merge reads at once (default [`DEFAULT_MERGE_FAN_IN`]): the order's, the
    /// candidates' and `assemble`'s; more are merged in levels. Also the files a task writes at
    /// once. The result is the same at any number.
    pub merge_fan_in: Option<usize>,
}

/// The report formats, as `analyze --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// One JSON document.
    Json,
    /// JSON Lines.
    Jsonl,
    /// The HTML page.
    Html,
    /// Parquet tables, in a folder.
    Parquet,
}

/// Where and how `assemble` writes the report.
#[derive(Debug, Clone)]
pub struct OutputOptions {
    /// Write the report here instead of standard output (replaced atomically); a folder for
    /// Parquet.
    pub output: Option<PathBuf>,
    /// The report's format.
    pub format: ReportFormat,
    /// No summary on standard error.
    pub quiet: bool,
    /// Where to write the corpus fingerprint index too (see [`crate::check::write_index`]).
    pub index: Option<PathBuf>,
}

impl OutputOptions {
    /// Makes the output paths absolute: the work folder's tasks read inputs from the plan's
    /// folder.
    fn resolve(&mut self) -> Result<()> {
        let outputs = [self.output.as_mut(), self.index.as_mut()];
        for path in outputs.into_iter().flatten() {
            if *path != Path::new("-") {
                *path = std::path::absolute(&*path)
                    .with_context(|| format!("cannot resolve {}", path.display()))?;
            }
        }
        Ok(())
    }
}

/// `dist plan`: writes the plan of `inputs` in its work folder (or keeps the same plan found
/// there); returns the number of shards.
pub fn plan(inputs: &PlanInputs) -> Result<usize> {
    Ok(make_plan(inputs)?.plan.shards.len())
}

/// `dist stages`: the stages of a planned work folder and their task counts, for a driver.
pub fn stages(work: &Path) -> Result<serde_json::Value> {
    let work = WorkFolder::open(work)?;
    let stages: Vec<serde_json::Value> = work
        .stage_tasks()
        .into_iter()
        .map(|(name, tasks)| serde_json::json!({"name": name, "tasks": tasks}))
        .collect();
    Ok(serde_json::json!({"plan": work.id, "stages": stages}))
}

/// `dist task STAGE K`: runs one task (nothing when it is done already), with `threads` worker
/// threads (default: one per core).
pub fn task(work: &Path, stage: &str, task: usize, threads: Option<usize>) -> Result<()> {
    if !STAGES.contains(&stage) {
        bail!(
            "there is no stage {stage:?}: the stages are {} (then assemble)",
            STAGES.join(", ")
        );
    }
    let work = WorkFolder::open(work)?;
    let pool = thread_pool(threads)?;
    pool.install(|| match stage {
        DOCUMENTS_STAGE => work.run_documents_task(task),
        IDS_STAGE => work.run_ids_task(task),
        ORDER_STAGE => work.run_order_task(task),
        COPIES_STAGE => work.run_copies_task(task),
        BLOCKING_STAGE => work.run_blocking_task(task),
        CANDIDATES_STAGE => work.run_candidates_task(task),
        ANCHORS_STAGE => work.run_anchors_task(task),
        SCORING_STAGE => work.run_scoring_task(task),
        BATCHES_STAGE => work.run_batches_task(task),
        JOINS_STAGE => work.run_joins_task(task),
        GROUPS_STAGE => work.run_groups_task(task),
        _ => work.run_render_task(task),
    })
}

/// `dist assemble`: reads every task's output and writes the report; the exit code of
/// `analyze`.
pub fn assemble(work: &Path, mut output: OutputOptions) -> Result<ExitCode> {
    output.resolve()?;
    let work = WorkFolder::open(work)?;
    assemble_and_write(&work, &output)
}

/// `dist run`: plans (one shard per worker unless told otherwise), runs every task on this
/// machine, `workers` processes at once, and assembles; the exit code of `analyze`.
pub fn run(mut inputs: PlanInputs, workers: usize, mut output: OutputOptions) -> Result<ExitCode> {
    output.resolve()?;
    let workers = workers.max(1);
    inputs
        .shards
        .get_or_insert(u32::try_from(workers).unwrap_or(u32::MAX));
    let work = make_plan(&inputs)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (stage, tasks) in work.stage_tasks() {
        let workers = workers.min(tasks.max(1));
        let threads = (cores / workers).max(1);
        run_tasks_locally(&work.folder, stage, tasks, workers, threads)?;
    }
    assemble_and_write(&work, &output)
}

/// One source as the plan lists it: a file and the id its document takes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct PlannedSource {
    path: PathBuf,
    id: String,
}

/// One shard as the plan lists it: how many sources it has and the hash of the file that lists
/// them (`sources/00003.json`), so that the plan stays small whatever the corpus and a task reads
/// only the lists of the shards it reads.
#[derive(Debug, Serialize, Deserialize)]
struct PlannedShard {
    sources: usize,
    /// xxh3 of the list's bytes ([`plan_hash`]), in hex.
    hash: String,
}

/// What `plan` decided: the tool and settings, the inputs, the shards and the inputs that
/// failed discovery. Written once; every task reads it.
#[derive(Debug, Serialize, Deserialize)]
struct Plan {
    layout: u32,
    tool: String,
    /// Tool version and hash of the settings and lexicon ([`Pipeline::config_fingerprint`]).
    fingerprint: String,
    config: Config,
    /// The folder relative paths are read from.
    cwd: PathBuf,
    inputs: Vec<String>,
    /// Consecutive runs of the discovered sources, in discovery order, each listed in a file of
    /// its own.
    shards: Vec<PlannedShard>,
    /// Partitions of the ids' stems, the texts' hashes, the block keys, the anchors and the
    /// candidate pairs: tasks of the `ids`, `copies`, `blocking`, `anchors` and `scoring` stages.
    partitions: usize,
    /// Ranked candidate pairs the `candidates` task holds in memory at once.
    run_pairs: usize,
    /// Documents the `groups` task reads at once (a connected set of more is read whole).
    group_batch: usize,
    /// How the exchange files are stored.
    compression: Compression,
    /// Files a merge reads at once (the order's, the candidates', `assemble`'s), and files a
    /// task writes at once.
    merge_fan_in: usize,
    /// Inputs that failed discovery (missing paths, duplicates).
    errors: Vec<ErrorRecord>,
}

/// An opened work folder: its plan, the plan's id, and the pipeline built from its settings when
/// a task first needs it (most stages need only the settings).
struct WorkFolder {
    folder: PathBuf,
    plan: Plan,
    /// xxh3 of `plan.json` ([`plan_hash`]), in hex: every exchange file names the plan it
    /// belongs to.
    id: String,
    /// The same hash as a number, as the binary files name the plan.
    hash: u64,
    pipeline: std::sync::OnceLock<Pipeline>,
    /// Each shard's sources, read from its list when first asked for.
    sources: Vec<std::sync::OnceLock<Vec<PlannedSource>>>,
}

fn plan_path(folder: &Path) -> PathBuf {
    folder.join("plan.json")
}

/// The folder of the shards' source lists.
const SOURCES: &str = "sources";

fn sources_path(folder: &Path, shard: usize) -> PathBuf {
    folder.join(SOURCES).join(format!("{shard:05}.json"))
}

/// xxh3 of a plan's bytes: its id.
fn plan_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Cuts `sources` into `shards` consecutive runs of about equal size in bytes (by count when
/// they are all empty). Depends only on the sources and their sizes.
fn cut_into_shards(sources: Vec<PlannedSource>, shards: usize) -> Vec<Vec<PlannedSource>> {
    let sizes: Vec<u64> = sources
        .iter()
        .map(|s| std::fs::metadata(&s.path).map_or(0, |m| m.len()).max(1))
        .collect();
    let total: u64 = sizes.iter().sum();
    let mut cut: Vec<Vec<PlannedSource>> = vec![Vec::new(); shards];
    let mut before: u64 = 0;
    for (source, size) in sources.into_iter().zip(sizes) {
        // The shard whose share of the bytes this source starts in.
        let shard = (u128::from(before) * shards as u128 / u128::from(total.max(1))) as usize;
        cut[shard.min(shards - 1)].push(source);
        before += size;
    }
    cut
}

/// Writes the plan of `inputs` into the work folder, or keeps the one there when it is the same
/// plan (a run started again resumes); refuses a folder that holds another plan.
fn make_plan(inputs: &PlanInputs) -> Result<WorkFolder> {
    let config = match &inputs.config {
        Some(path) => crate::check::CheckSettings::from_file(path)?.stages,
        None => Config::default(),
    };
    let pipeline = Pipeline::new(&config)?;
    let given: Vec<Input> = inputs.paths.iter().map(|p| Input::from_arg(p)).collect();
    let (sources, errors) = corpus::discover_with(&given, pipeline.load_config());
    let mut planned = Vec::new();
    for source in sources {
        match source {
            Source::File { path, id } => planned.push(PlannedSource { path, id }),
            Source::Stdin => bail!(
                "dist reads files only: standard input cannot be read again by each task; save \
                 it to a file"
            ),
        }
    }
    let shards = cut_into_shards(planned, inputs.shards.map_or(1, |n| n as usize));
    let lists = shards
        .iter()
        .map(serde_json::to_vec)
        .collect::<serde_json::Result<Vec<_>>>()?;
    let plan = Plan {
        layout: LAYOUT,
        tool: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: pipeline.config_fingerprint().to_string(),
        config,
        cwd: std::env::current_dir().context("cannot tell the current folder")?,
        inputs: inputs.paths.clone(),
        shards: shards
            .iter()
            .zip(&lists)
            .map(|(sources, list)| PlannedShard {
                sources: sources.len(),
                hash: format!("{:016x}", plan_hash(list)),
            })
            .collect(),
        partitions: inputs.partitions.map_or(1, |n| n as usize),
        run_pairs: inputs.run_pairs.unwrap_or(DEFAULT_RUN_PAIRS),
        group_batch: inputs.group_batch.unwrap_or(DEFAULT_GROUP_BATCH),
        compression: inputs.compression,
        merge_fan_in: inputs.merge_fan_in.unwrap_or(DEFAULT_MERGE_FAN_IN),
        errors: errors.iter().map(ErrorRecord::from).collect(),
    };
    let bytes = serde_json::to_vec_pretty(&plan)?;
    let folder = &inputs.work;
    let path = plan_path(folder);
    match std::fs::read(&path) {
        Ok(existing) if existing == bytes => {}
        Ok(_) => bail!(
            "the work folder {} holds another plan (other inputs, shards, partitions, settings \
             or tool version): use an empty folder, or remove this one",
            folder.display()
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            for stage in STAGES.iter().chain(&[SOURCES]) {
                std::fs::create_dir_all(folder.join(stage)).with_context(|| {
                    format!("cannot create the work folder {}", folder.display())
                })?;
            }
            // The lists first: a plan that appears names only lists that are there.
            for (shard, list) in lists.iter().enumerate() {
                write_atomically(&sources_path(folder, shard), list)?;
            }
            write_atomically(&path, &bytes)?;
        }
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", path.display()));
        }
    }
    WorkFolder::open(folder)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_with(path, |out| Ok(out.write_all(bytes)?))
}

/// Writes `path` through a temporary file in the same folder and a rename: readers see the
/// whole file or none.
fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let mut file = partial_file(path)?;
    {
        let mut out = std::io::BufWriter::new(file.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    persist(file, path)
}

/// Makes `folder` an empty folder: a task's scratch files, which an attempt killed half way may
/// have left.
fn clear_folder(folder: &Path) -> Result<()> {
    if folder.exists() {
        std::fs::remove_dir_all(folder)
            .with_context(|| format!("cannot remove {}", folder.display()))?;
    }
    std::fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))
}

/// A temporary file in the folder of `path`, to be renamed to it once whole ([`persist`]).
fn partial_file(path: &Path) -> Result<tempfile::NamedTempFile> {
    let folder = path.parent().unwrap_or(Path::new("."));
    tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(folder)
        .with_context(|| format!("cannot write in {}", folder.display()))
}

/// Syncs a whole [`partial_file`] and renames it to `path`.
fn persist(file: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    file.as_file().sync_all()?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Writes a task file's header and one line per record to `out`; where each record's line
/// starts, and the length of it all.
fn record_lines_to<T: Serialize>(
    out: &mut dyn Write,
    header: &TaskHeader,
    records: &[T],
    lines: &mut StoredLines,
) -> std::io::Result<(Vec<u64>, u64)> {
    let mut out = CountingWriter { out, written: 0 };
    let mut line = Vec::new();
    write_stored_line(&mut out, &mut line, header, lines)?;
    let mut starts = Vec::with_capacity(records.len());
    for record in records {
        starts.push(out.written);
        write_stored_line(&mut out, &mut line, record, lines)?;
    }
    Ok((starts, out.written))
}

/// Writes `value` as one JSON line to `out` as `lines` stores it; `line` is a buffer to reuse.
fn write_stored_line(
    out: &mut dyn Write,
    line: &mut Vec<u8>,
    value: &impl Serialize,
    lines: &mut StoredLines,
) -> std::io::Result<()> {
    line.clear();
    serde_json::to_writer(&mut *line, value)?;
    line.push(b'\n');
    lines.write(out, line)
}

/// One of a task's files written one record at a time: the header, which announces their number,
/// then a JSON line each; renamed to its name once they are all written.
struct RecordWriter {
    out: storage::FileWriter,
    partial: tempfile::TempPath,
    path: PathBuf,
    announced: usize,
    written: usize,
}

impl RecordWriter {
    /// Starts the file at `path` with its header.
    fn create(path: PathBuf, header: &TaskHeader, compression: Compression) -> Result<Self> {
        let (file, partial) = partial_file(&path)?.into_parts();
        let mut out = compression.file_writer(file)?;
        serde_json::to_writer(&mut out, header)?;
        out.write_all(b"\n")?;
        Ok(Self {
            out,
            partial,
            path,
            announced: header.records,
            written: 0,
        })
    }

    /// Writes one record.
    fn push<T: Serialize>(&mut self, record: &T) -> Result<()> {
        serde_json::to_writer(&mut self.out, record)?;
        self.out.write_all(b"\n")?;
        self.written += 1;
        Ok(())
    }

    /// Writes the file under its name, once it holds the records its header announces.
    fn persist(self) -> Result<()> {
        ensure!(
            self.written == self.announced,
            "{} came out with {} records, not the {} announced",
            self.path.display(),
            self.written,
            self.announced
        );
        let file = self.out.finish()?;
        file.sync_all()?;
        self.partial
            .persist(&self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

/// A writer that counts the bytes written through it.
struct CountingWriter<'a> {
    out: &'a mut dyn Write,
    written: u64,
}

impl Write for CountingWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(bytes)?;
        self.written += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The first line of a task's output file: the plan and task it belongs to, and how many lines
/// follow.
#[derive(Debug, Serialize, Deserialize)]
struct TaskHeader {
    plan: String,
    task: usize,
    records: usize,
}

/// The record lines of one of a task's files after its header, one at a time; the last item is
/// an error when the file holds another number of records than its header says.
struct RecordLines {
    lines: std::io::Lines<Box<dyn BufRead>>,
    path: PathBuf,
    /// Records the header announces.
    announced: usize,
    /// Records read so far.
    read: usize,
    finished: bool,
}

impl Iterator for RecordLines {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        if self.finished {
            return None;
        }
        match self.lines.next() {
            Some(line) => {
                self.read += 1;
                Some(line.with_context(|| format!("cannot read {}", self.path.display())))
            }
            None => {
                self.finished = true;
                (self.read != self.announced).then(|| {
                    Err(anyhow::anyhow!(
                        "{} holds {} records, its header says {}",
                        self.path.display(),
                        self.read,
                        self.announced
                    ))
                })
            }
        }
    }
}

impl RecordLines {
    /// The record one line holds.
    fn parse<T: serde::de::DeserializeOwned>(&self, line: &str) -> Result<T> {
        serde_json::from_str(line)
            .with_context(|| format!("cannot read the records of {}", self.path.display()))
    }

    /// The records, one at a time.
    fn records<T: serde::de::DeserializeOwned>(mut self) -> impl Iterator<Item = Result<T>> {
        std::iter::from_fn(move || {
            let line = self.next()?;
            Some(line.and_then(|line| self.parse(&line)))
        })
    }
}

/// The corpus as the candidates task counted it: what the `anchors` and `scoring` tasks need of
/// it without reading every summary.
#[derive(Debug, Serialize, Deserialize)]
struct CorpusFacts {
    /// Documents in the corpus.
    documents: usize,
    /// Whether any of them is Japanese (sounds of names count only then).
    japanese: bool,
}

/// What the `groups` task reads of a scored pair before it reads the pair: its documents and
/// whether it passed ([`group::ScoredPair`]'s fields; its evidence and alignment skipped unread).
#[derive(Debug, Deserialize)]
struct PairTie {
    a: usize,
    b: usize,
    kept: Option<serde::de::IgnoredAny>,
}

/// Where a grouped document is: its shard and corpus index.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Place {
    shard: usize,
    index: usize,
}

/// A group as the `groups` task joined it, before it has its name: its members' places (in the
/// order of its members) and the group.
#[derive(Serialize, Deserialize)]
struct JoinedGroup {
    places: Vec<Place>,
    group: group::Group,
}

/// A document one scoring partition's pairs name: its corpus index and unique id, and where its
/// records and text are.
#[derive(Debug, Serialize, Deserialize)]
struct PairedDocument {
    index: usize,
    id: String,
    shard: usize,
    /// Its position among the shard's documents.
    position: usize,
    /// The shard's source it was loaded from.
    source: usize,
}

/// Where one of a shard's documents goes in the report: its corpus index, its position among the
/// shard's documents, its unique id and the warning of its rename; the `order` task writes a
/// shard's in corpus order.
#[derive(Debug, Serialize, Deserialize)]
struct ShardPlacement {
    index: usize,
    position: usize,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    renamed: Option<String>,
}

/// A document's unique id and where its records are: what the `ids` tasks write, sorted by unique
/// id, and the `order` task in corpus order.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PlacedDocument {
    id: String,
    shard: usize,
    /// Its position among the shard's documents.
    position: usize,
    /// The shard's source it was loaded from.
    source: usize,
    /// The warning that its id was taken and renamed, as `analyze` gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    renamed: Option<String>,
}

/// Whether `a` comes before `b` in unique id order (the ids tasks' and the order's).
fn by_unique_id(a: &PlacedDocument, b: &PlacedDocument) -> bool {
    a.id < b.id
}

/// One pair's share from a blocking task, with what the budgets read of the pair.
type PairShare = (u64, Shared, group::PairFacts);

/// Whether share `a` comes before share `b` in pair order (the blocking tasks').
fn by_pair(a: &PairShare, b: &PairShare) -> bool {
    a.0 < b.0
}

/// Records read one at a time, each an error where it cannot be read.
type Records<'a, T> = Box<dyn Iterator<Item = Result<T>> + 'a>;

/// A file of sorted records that a merge reads: one of a task's files, or one that a merge of
/// an earlier level wrote ([`levels::in_levels`]).
enum SortedRun {
    /// The file task `task` of `stage` wrote as `kind`.
    Exchange {
        stage: &'static str,
        task: usize,
        kind: String,
    },
    /// A merged file, its header naming the task that merged it.
    Merged(PathBuf),
}

impl SortedRun {
    /// The file task `task` of `stage` wrote as `kind`.
    fn exchange(stage: &'static str, task: usize, kind: &str) -> Self {
        Self::Exchange {
            stage,
            task,
            kind: kind.to_owned(),
        }
    }
}

impl WorkFolder {
    /// Files a task writes at once, at most, when it writes one per shard, partition or batch in
    /// one pass: the plan's `merge_fan_in`, so that a task stays within the open-file limit its
    /// merges are kept to.
    fn open_writers(&self) -> usize {
        self.plan.merge_fan_in.max(2)
    }

    /// The files `0..files` cut into passes of at most [`WorkFolder::open_writers`], in order
    /// (none for no file).
    fn writer_passes(&self, files: usize) -> impl Iterator<Item = std::ops::Range<usize>> + use<> {
        let open = self.open_writers();
        (0..files)
            .step_by(open)
            .map(move |first| first..files.min(first + open))
    }

    /// The folder where the task of `stage` merges its files of `what` in levels
    /// ([`levels::in_levels`]).
    fn merge_scratch(&self, stage: &str, what: &str) -> PathBuf {
        self.folder.join(stage).join(format!("merged-{what}"))
    }

    /// The records of `run` and the number its header announces, each checked as it is read to
    /// come after the one before it by `before`: strictly in a task's file, whose records are
    /// distinct, and at least not before it in a merged file, which may repeat one (the same
    /// pair's shares from two partitions). A merged file's header must name `merging`, the task
    /// that merged it.
    fn sorted_records<'a, T>(
        &self,
        run: &SortedRun,
        merging: usize,
        before: impl Fn(&T, &T) -> bool + 'a,
    ) -> Result<(usize, Records<'a, T>)>
    where
        T: serde::de::DeserializeOwned + Clone + 'a,
    {
        let (lines, strict) = match run {
            SortedRun::Exchange { stage, task, kind } => {
                (self.record_lines(stage, *task, kind)?, true)
            }
            SortedRun::Merged(path) => {
                let file = std::fs::File::open(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                (self.record_lines_of(file, path.clone(), merging)?, false)
            }
        };
        let announced = lines.announced;
        let path = lines.path.clone();
        let mut last: Option<T> = None;
        let records = lines.records::<T>().map(move |record| {
            let record = record?;
            if let Some(last) = &last {
                let sorted = if strict {
                    before(last, &record)
                } else {
                    !before(&record, last)
                };
                ensure!(
                    sorted,
                    "{} is not sorted: run the task that wrote it again",
                    path.display()
                );
            }
            last = Some(record.clone());
            Ok(record)
        });
        Ok((announced, Box::new(records)))
    }

    /// `runs`, each sorted by `before`, as at most the plan's `merge_fan_in` runs to merge at
    /// once ([`levels::in_levels`], in the folder `scratch`). Each merge of a level reads its
    /// runs' records ([`WorkFolder::sorted_records`]) and writes them merged by `before` into a
    /// file whose header names `merging`, the task that merges them.
    fn runs_to_merge<T>(
        &self,
        runs: Vec<SortedRun>,
        merging: usize,
        scratch: &Path,
        before: impl Fn(&T, &T) -> bool + Copy,
    ) -> Result<Vec<SortedRun>>
    where
        T: Serialize + serde::de::DeserializeOwned + Clone,
    {
        let suffix = format!(".jsonl{}", self.plan.compression.suffix());
        levels::in_levels(
            runs,
            self.plan.merge_fan_in,
            scratch,
            &suffix,
            |chunk, path| {
                let mut announced = 0;
                let mut inputs = Vec::with_capacity(chunk.len());
                for run in chunk {
                    let (records, sorted) = self.sorted_records(run, merging, before)?;
                    announced += records;
                    inputs.push(sorted);
                }
                let header = TaskHeader {
                    plan: self.id.clone(),
                    task: merging,
                    records: announced,
                };
                let mut merged =
                    RecordWriter::create(path.to_path_buf(), &header, self.plan.compression)?;
                // An error comes out first, to stop the merge at once.
                let ordered = |a: &Result<T>, b: &Result<T>| match (a, b) {
                    (Err(_), _) => true,
                    (_, Err(_)) => false,
                    (Ok(a), Ok(b)) => before(a, b),
                };
                for record in itertools::kmerge_by(inputs, ordered) {
                    merged.push(&record?)?;
                }
                merged.persist()
            },
            SortedRun::Merged,
        )
    }
}

impl WorkFolder {
    /// Opens a planned work folder; refuses one planned by another tool version or layout, or
    /// whose settings' data files changed since.
    fn open(folder: &Path) -> Result<Self> {
        let path = plan_path(folder);
        let bytes = std::fs::read(&path).with_context(|| {
            format!(
                "{} is not a planned work folder (no plan.json): run `mentorlens dist plan` first",
                folder.display()
            )
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a plan", path.display()))?;
        let tool = value["tool"].as_str().unwrap_or("an unknown version");
        if value["layout"].as_u64() != Some(u64::from(LAYOUT)) || tool != env!("CARGO_PKG_VERSION")
        {
            bail!(
                "the work folder {} was planned by mentorlens {tool} (layout {}); this is {} \
                 (layout {LAYOUT}): plan again in an empty folder",
                folder.display(),
                value["layout"],
                env!("CARGO_PKG_VERSION")
            );
        }
        let plan: Plan = serde_json::from_value(value)
            .with_context(|| format!("{} is not a plan", path.display()))?;
        // Relative input paths are read from the plan's folder, and reported as given.
        let folder = std::path::absolute(folder)
            .with_context(|| format!("cannot resolve {}", folder.display()))?;
        std::env::set_current_dir(&plan.cwd).with_context(|| {
            format!(
                "cannot enter {}, the folder the plan was made in",
                plan.cwd.display()
            )
        })?;
        let fingerprint = Pipeline::config_fingerprint_of(&plan.config)?;
        if fingerprint != plan.fingerprint {
            bail!(
                "the settings of the work folder {} read differently now ({} when planned, {} \
                 now: a data file changed): plan again in an empty folder",
                folder.display(),
                plan.fingerprint,
                fingerprint
            );
        }
        let hash = plan_hash(&bytes);
        let sources = plan.shards.iter().map(|_| Default::default()).collect();
        Ok(Self {
            folder,
            id: format!("{hash:016x}"),
            hash,
            plan,
            pipeline: std::sync::OnceLock::new(),
            sources,
        })
    }

    /// The stages, in the order they run, with their task counts.
    fn stage_tasks(&self) -> [(&'static str, usize); 12] {
        let partitions = self.plan.partitions;
        [
            (DOCUMENTS_STAGE, self.plan.shards.len()),
            (IDS_STAGE, partitions),
            (ORDER_STAGE, 1),
            (COPIES_STAGE, partitions),
            (BLOCKING_STAGE, partitions),
            (CANDIDATES_STAGE, 1),
            (ANCHORS_STAGE, partitions),
            (SCORING_STAGE, partitions),
            (BATCHES_STAGE, 1),
            (JOINS_STAGE, partitions),
            (GROUPS_STAGE, 1),
            (RENDER_STAGE, self.plan.shards.len()),
        ]
    }

    /// The file `task` of `stage` writes: `00007.jsonl` for its main output, `00007.KIND.jsonl`
    /// for another; `.zst` at the end when the plan compresses them.
    fn exchange_path(&self, stage: &str, task: usize, kind: &str) -> PathBuf {
        let mut path = self.task_path(stage, task, kind, "jsonl").into_os_string();
        path.push(self.plan.compression.suffix());
        path.into()
    }

    /// The line index of the file `task` of `stage` writes as `kind`
    /// ([`WorkFolder::write_indexed_records`]): `00007.index` or `00007.KIND.index`.
    fn index_path(&self, stage: &str, task: usize, kind: &str) -> PathBuf {
        self.task_path(stage, task, kind, "index")
    }

    /// `00007.EXTENSION` or `00007.KIND.EXTENSION` in the folder of `stage`.
    fn task_path(&self, stage: &str, task: usize, kind: &str, extension: &str) -> PathBuf {
        let name = if kind.is_empty() {
            format!("{task:05}.{extension}")
        } else {
            format!("{task:05}.{kind}.{extension}")
        };
        self.folder.join(stage).join(name)
    }

    fn done_path(&self, stage: &str, task: usize) -> PathBuf {
        self.folder.join(stage).join(format!("{task:05}.done"))
    }

    /// Whether `task` of `stage` finished for this plan.
    fn is_done(&self, stage: &str, task: usize) -> bool {
        std::fs::read_to_string(self.done_path(stage, task)).is_ok_and(|id| id.trim() == self.id)
    }

    /// Refuses a task number the stage does not have.
    fn check_task(&self, stage: &str, task: usize, tasks: usize) -> Result<()> {
        if task >= tasks {
            bail!(
                "the stage {stage} has {tasks} task(s), numbered from 0: there is no task {task}"
            );
        }
        Ok(())
    }

    /// [`WorkFolder::write_records`] with, beside the file, its line index: where the line of
    /// each record `is_document` says is a document starts, so that a task reads one document's
    /// line without reading the lines before it ([`WorkFolder::read_document_lines`]). The index
    /// is written first (the lines measured without writing them; compressed, each line is a
    /// zstd frame of its own, kept as measured), so that records that appear are followed by
    /// nothing but the done mark.
    fn write_indexed_records<T: Serialize>(
        &self,
        stage: &str,
        task: usize,
        kind: &str,
        records: &[T],
        is_document: impl Fn(&T) -> bool,
    ) -> Result<()> {
        let header = self.task_header(task, records);
        let lines = self.plan.compression;
        // Plain lines are measured without being kept; compressed ones are kept as they are
        // measured, so that each is compressed once.
        let (mut compressed, mut sink) = (Vec::new(), std::io::sink());
        let measured: &mut dyn Write = match lines {
            Compression::None => &mut sink,
            Compression::Zstd => &mut compressed,
        };
        let mut stored = StoredLines::new(lines);
        let (starts, length) = record_lines_to(measured, &header, records, &mut stored)?;
        let mut index = Vec::with_capacity(8 * (records.len() + 1));
        index.extend_from_slice(&length.to_le_bytes());
        for (record, start) in records.iter().zip(starts) {
            if is_document(record) {
                index.extend_from_slice(&start.to_le_bytes());
            }
        }
        write_atomically(&self.index_path(stage, task, kind), &index)?;
        let mut written = compressed.len() as u64;
        write_atomically_with(&self.exchange_path(stage, task, kind), |out| {
            match lines {
                Compression::None => {
                    (_, written) = record_lines_to(out, &header, records, &mut stored)?;
                }
                Compression::Zstd => out.write_all(&compressed)?,
            }
            Ok(())
        })?;
        ensure!(
            written == length,
            "the records of {stage} task {task} came out {written} bytes long, not the {length} \
             measured for their index"
        );
        Ok(())
    }

    /// The first line of `task`'s files of `records`.
    fn task_header<T>(&self, task: usize, records: &[T]) -> TaskHeader {
        TaskHeader {
            plan: self.id.clone(),
            task,
            records: records.len(),
        }
    }

    /// Writes one of `task`'s files (through one zstd stream when the plan compresses them).
    fn write_records<T: Serialize>(
        &self,
        stage: &str,
        task: usize,
        kind: &str,
        records: &[T],
    ) -> Result<()> {
        let header = self.task_header(task, records);
        write_atomically_with(&self.exchange_path(stage, task, kind), |out| {
            self.plan.compression.write_stream(out, |out| {
                let mut plain = StoredLines::new(Compression::None);
                record_lines_to(out, &header, records, &mut plain)?;
                Ok(())
            })
        })
    }

    /// A writer of one of `task`'s files, which writes `records` records one at a time.
    fn record_writer(
        &self,
        stage: &str,
        task: usize,
        kind: &str,
        records: usize,
    ) -> Result<RecordWriter> {
        let header = TaskHeader {
            plan: self.id.clone(),
            task,
            records,
        };
        RecordWriter::create(
            self.exchange_path(stage, task, kind),
            &header,
            self.plan.compression,
        )
    }

    /// Marks `task` of `stage` done, once every file it writes is written.
    fn mark_done(&self, stage: &str, task: usize) -> Result<()> {
        write_atomically(
            &self.done_path(stage, task),
            format!("{}\n", self.id).as_bytes(),
        )
    }

    /// The record lines of one of `task`'s files, in order, once the task is done and its header
    /// names this plan and task (one line in memory at a time).
    fn record_lines(&self, stage: &str, task: usize, kind: &str) -> Result<RecordLines> {
        let (file, path) = self.open_task_file(stage, task, kind)?;
        self.record_lines_of(file, path, task)
    }

    /// The record lines of the file at `path` (open as `file`), once its header names this plan
    /// and `task`.
    fn record_lines_of(
        &self,
        file: std::fs::File,
        path: PathBuf,
        task: usize,
    ) -> Result<RecordLines> {
        let (reader, header, path) = self.records_of(file, path, task)?;
        Ok(RecordLines {
            lines: reader.lines(),
            path,
            announced: header.records,
            read: 0,
            finished: false,
        })
    }

    /// One of `task`'s files, decoded, read as far as its header, once the task is done and the
    /// header names this plan and task; the header and the file's path.
    fn open_records(
        &self,
        stage: &str,
        task: usize,
        kind: &str,
    ) -> Result<(Box<dyn BufRead>, TaskHeader, PathBuf)> {
        let (file, path) = self.open_task_file(stage, task, kind)?;
        self.records_of(file, path, task)
    }

    /// The file at `path` (open as `file`), decoded, read as far as its header, once the header
    /// names this plan and `task`; the header and the path.
    fn records_of(
        &self,
        file: std::fs::File,
        path: PathBuf,
        task: usize,
    ) -> Result<(Box<dyn BufRead>, TaskHeader, PathBuf)> {
        let mut reader = self.plan.compression.decoded(BufReader::new(file))?;
        let mut line = String::new();
        let read = reader
            .read_line(&mut line)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let header = self.task_header_of(&path, task, read > 0, &line)?;
        Ok((reader, header, path))
    }

    /// One of `task`'s files with a line index ([`WorkFolder::write_indexed_records`]), as it is
    /// stored, read as far as its header (as [`WorkFolder::open_records`]), with the reader of
    /// its stored lines.
    fn open_indexed_records(
        &self,
        stage: &str,
        task: usize,
        kind: &str,
    ) -> Result<(BufReader<std::fs::File>, StoredLines, TaskHeader, PathBuf)> {
        let (file, path) = self.open_task_file(stage, task, kind)?;
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        let mut lines = StoredLines::new(self.plan.compression);
        let read = lines
            .read(&mut reader, &mut line)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let header = self.task_header_of(&path, task, read > 0, &line)?;
        Ok((reader, lines, header, path))
    }

    /// Refuses to go on until `task` of `stage` has finished for this plan, naming the command
    /// that runs it.
    fn ensure_done(&self, stage: &str, task: usize) -> Result<()> {
        if !self.is_done(stage, task) {
            bail!(
                "task {task} of the stage {stage} has not finished for this plan: run \
                 `mentorlens dist task {stage} {task} --work {}`",
                self.folder.display()
            );
        }
        Ok(())
    }

    /// One of `task`'s files, opened once the task is done; and its path.
    fn open_task_file(
        &self,
        stage: &str,
        task: usize,
        kind: &str,
    ) -> Result<(std::fs::File, PathBuf)> {
        self.ensure_done(stage, task)?;
        let path = self.exchange_path(stage, task, kind);
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok((file, path))
    }

    /// The header `line` of `task`'s file at `path`, refused unless it names this plan and task.
    fn task_header_of(
        &self,
        path: &Path,
        task: usize,
        read: bool,
        line: &str,
    ) -> Result<TaskHeader> {
        if !read {
            bail!("{} is empty", path.display());
        }
        let header: TaskHeader = serde_json::from_str(line)
            .with_context(|| format!("{} has no header", path.display()))?;
        if header.plan != self.id || header.task != task {
            bail!(
                "{} belongs to another plan or task: run the task again",
                path.display()
            );
        }
        Ok(header)
    }

    /// Hands `each` the line of each document at `positions` (ascending: their positions among
    /// the documents of one of `task`'s indexed files), with its number in `positions`, found
    /// through the file's line index: each read where it starts, the lines between skipped
    /// unread (one line in memory at a time).
    fn read_document_lines(
        &self,
        stage: &str,
        task: usize,
        kind: &str,
        positions: &[usize],
        mut each: impl FnMut(usize, &str) -> Result<()>,
    ) -> Result<()> {
        let (mut reader, mut lines, _, path) = self.open_indexed_records(stage, task, kind)?;
        let index_path = self.index_path(stage, task, kind);
        let disagree = || {
            anyhow::anyhow!(
                "{} and its index {} disagree: run task {task} of the stage {stage} again",
                path.display(),
                index_path.display()
            )
        };
        let index_file = std::fs::File::open(&index_path)
            .with_context(|| format!("cannot read {}", index_path.display()))?;
        let length = reader.get_ref().metadata()?.len();
        let entries = (index_file.metadata()?.len() / 8)
            .checked_sub(1)
            .ok_or_else(disagree)?;
        let mut index = BufReader::new(index_file);
        let mut word = [0u8; 8];
        index.read_exact(&mut word).map_err(|_| disagree())?;
        if u64::from_le_bytes(word) != length {
            return Err(disagree());
        }
        // Where the index and the file are read up to (the file past its header).
        let (mut index_at, mut at) = (8u64, reader.stream_position()?);
        let mut line = String::new();
        for (number, &position) in positions.iter().enumerate() {
            if position as u64 >= entries {
                return Err(disagree());
            }
            let entry = 8 * (position as u64 + 1);
            index.seek_relative(entry.checked_sub(index_at).ok_or_else(disagree)? as i64)?;
            index.read_exact(&mut word).map_err(|_| disagree())?;
            index_at = entry + 8;
            let start = u64::from_le_bytes(word);
            reader.seek_relative(start.checked_sub(at).ok_or_else(disagree)? as i64)?;
            line.clear();
            let read = lines
                .read(&mut reader, &mut line)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if line.pop() != Some('\n') {
                return Err(disagree());
            }
            at = start + read;
            each(number, &line)?;
        }
        Ok(())
    }

    /// Hands each record of one of `task`'s files to `each`, in order, checked against the plan
    /// (one record in memory at a time).
    fn read_records<T: serde::de::DeserializeOwned>(
        &self,
        stage: &str,
        task: usize,
        kind: &str,
        mut each: impl FnMut(T) -> Result<()>,
    ) -> Result<()> {
        for record in self.record_lines(stage, task, kind)?.records() {
            each(record?)?;
        }
        Ok(())
    }

    /// Every record of one of `task`'s files, in order.
    fn read_all<T: serde::de::DeserializeOwned>(
        &self,
        stage: &str,
        task: usize,
        kind: &str,
    ) -> Result<Vec<T>> {
        let mut records = Vec::new();
        self.read_records(stage, task, kind, |record| {
            records.push(record);
            Ok(())
        })?;
        Ok(records)
    }

    /// The source of `shard` numbered `source`, as the loader reads it.
    fn source(&self, shard: usize, source: usize) -> Result<Source> {
        let planned = self
            .shard_sources(shard)?
            .get(source)
            .with_context(|| format!("shard {shard} has no source {source}: plan again"))?;
        Ok(Source::File {
            path: planned.path.clone(),
            id: planned.id.clone(),
        })
    }

    /// The loaded records of `shard`'s sources, in order, each with the number of its source
    /// (relative paths are read from the plan's folder: see [`WorkFolder::open`]).
    fn load_shard(&self, shard: usize) -> Result<Vec<(usize, Result<Document, InputError>)>> {
        let load = &self.plan.config.load;
        Ok(self
            .shard_sources(shard)?
            .par_iter()
            .enumerate()
            .flat_map_iter(|(number, s)| {
                let source = Source::File {
                    path: s.path.clone(),
                    id: s.id.clone(),
                };
                corpus::load(&source, load)
                    .into_iter()
                    .map(move |result| (number, result))
            })
            .collect())
    }

    /// The pipeline of the plan's settings, built the first time a task asks for it.
    fn pipeline(&self) -> Result<&Pipeline> {
        if let Some(pipeline) = self.pipeline.get() {
            return Ok(pipeline);
        }
        let pipeline = Pipeline::new(&self.plan.config)?;
        Ok(self.pipeline.get_or_init(|| pipeline))
    }

    /// The sources of `shard`, read from its list (checked against the plan's hash of it) the
    /// first time they are asked for.
    fn shard_sources(&self, shard: usize) -> Result<&[PlannedSource]> {
        let (listed, kept) = self
            .plan
            .shards
            .get(shard)
            .zip(self.sources.get(shard))
            .with_context(|| format!("the plan has no shard {shard}: plan again"))?;
        if let Some(sources) = kept.get() {
            return Ok(sources);
        }
        let path = sources_path(&self.folder, shard);
        let bytes = std::fs::read(&path).with_context(|| {
            format!(
                "cannot read {}: plan again in an empty folder",
                path.display()
            )
        })?;
        if format!("{:016x}", plan_hash(&bytes)) != listed.hash {
            bail!(
                "{} changed since the plan was made: plan again in an empty folder",
                path.display()
            );
        }
        let sources: Vec<PlannedSource> = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a list of sources", path.display()))?;
        if sources.len() != listed.sources {
            bail!(
                "{} disagrees with the plan: plan again in an empty folder",
                path.display()
            );
        }
        Ok(kept.get_or_init(|| sources))
    }

    /// The task of `shard` in the `documents` stage: per-document stages over the shard's inputs,
    /// one record per input in load order; a summary, a fingerprint and the candidate budgets'
    /// facts per document; and its blocking keys and its anchors, one file per partition of each.
    /// Then the done mark. Does nothing when already done.
    fn run_documents_task(&self, shard: usize) -> Result<()> {
        self.check_task(DOCUMENTS_STAGE, shard, self.plan.shards.len())?;
        if self.is_done(DOCUMENTS_STAGE, shard) {
            return Ok(());
        }
        let loaded = self.load_shard(shard)?;
        let pipeline = self.pipeline()?;
        /// A document's id, source and path, two hashes of its text and its fingerprint.
        type Facts = ((String, usize, String), (u64, u64), group::Fingerprint);
        type Analysed = (ShardRecord, Option<Facts>);
        let analysed: Vec<Analysed> = loaded
            .into_par_iter()
            .map(|(source, result)| match result {
                Ok(document) => {
                    let (analysed, fingerprint) = pipeline.analyse_and_fingerprint(document);
                    let hashes = (
                        group::text_hash(&analysed.document.text),
                        record::text_hash(&analysed.document.text),
                    );
                    let record = ShardRecord::Document(Box::new(DocumentRecord::of(&analysed)));
                    let id = (
                        analysed.document.id.clone(),
                        source,
                        analysed.document.path.clone(),
                    );
                    (record, Some((id, hashes, fingerprint)))
                }
                Err(error) => (ShardRecord::Error(ErrorRecord::from(&error)), None),
            })
            .collect();
        let (records, documents): (Vec<ShardRecord>, Vec<_>) = analysed.into_iter().unzip();
        let partitions = self.plan.partitions;
        let mut named = Vec::with_capacity(documents.len());
        // Each document's position and hashes, by partition of its grouping hash, for the copies
        // tasks.
        let mut summaries: Vec<Vec<DocumentSummary>> = vec![Vec::new(); partitions];
        let mut fingerprints = Vec::with_capacity(documents.len());
        for (position, (id, (group_hash, text_hash), fingerprint)) in
            documents.into_iter().flatten().enumerate()
        {
            named.push(id);
            summaries[group::copies_partition(group_hash, partitions)].push(DocumentSummary {
                position,
                group_hash,
                text_hash,
            });
            fingerprints.push(fingerprint);
        }
        for (partition, summaries) in summaries.iter().enumerate() {
            self.write_records(
                DOCUMENTS_STAGE,
                shard,
                &summaries_kind(partition),
                summaries,
            )?;
        }
        // The distinct scripts of the shard (which kinds of keys the corpus blocks on depends on
        // which scripts it holds).
        let scripts: std::collections::BTreeSet<DocumentScript> = fingerprints
            .iter()
            .map(group::Fingerprint::script)
            .collect();
        let scripts: Vec<DocumentScript> = scripts.into_iter().collect();
        self.write_records(DOCUMENTS_STAGE, shard, SCRIPTS, &scripts)?;
        // Each document's position, source, id and path, by partition of the id's stem, for the
        // ids tasks to make unique (the path is the one a rename's warning names).
        let mut ids: Vec<Vec<(usize, usize, &str, &str)>> = vec![Vec::new(); partitions];
        for (position, (id, source, path)) in named.iter().enumerate() {
            ids[id_partition(id, partitions)].push((position, *source, id, path));
        }
        for (partition, ids) in ids.iter().enumerate() {
            self.write_records(DOCUMENTS_STAGE, shard, &ids_kind(partition), ids)?;
        }
        // Each document's candidate facts and blocking keys (sounds of names too: whether the
        // corpus needs them is known only to the blocking tasks), by partition: the facts go
        // wherever the document may meet another in a block.
        let facts: Vec<group::CandidateFacts> = fingerprints
            .iter()
            .map(group::Fingerprint::candidate_facts)
            .collect();
        type Keyed<'a> = (usize, &'a group::CandidateFacts, Vec<group::BlockKey>);
        let mut keys: Vec<Vec<Keyed>> = vec![Vec::new(); partitions];
        for (position, fingerprint) in fingerprints.iter().enumerate() {
            let mut by_partition: Vec<Vec<group::BlockKey>> = vec![Vec::new(); partitions];
            for key in group::blocking_keys(fingerprint, true, self.plan.config.group.bands) {
                by_partition[key.partition(partitions)].push(key);
            }
            for (partition, document_keys) in by_partition.into_iter().enumerate() {
                if !document_keys.is_empty() {
                    keys[partition].push((position, &facts[position], document_keys));
                }
            }
        }
        for (partition, keys) in keys.iter().enumerate() {
            self.write_records(DOCUMENTS_STAGE, shard, &keys_kind(partition), keys)?;
        }
        // Each document's anchors, by partition of the anchors, for the anchors tasks to count.
        let mut carriers: Vec<Vec<group::AnchorCarrier>> = vec![Vec::new(); partitions];
        for fingerprint in &fingerprints {
            let by_partition = fingerprint.anchor_carriers(partitions);
            for (partition, carrier) in by_partition.into_iter().enumerate() {
                if !carrier.is_empty() {
                    carriers[partition].push(carrier);
                }
            }
        }
        for (partition, carriers) in carriers.iter().enumerate() {
            self.write_records(DOCUMENTS_STAGE, shard, &anchors_kind(partition), carriers)?;
        }
        self.write_indexed_records(DOCUMENTS_STAGE, shard, FINGERPRINTS, &fingerprints, |_| {
            true
        })?;
        // The records last: they appear just before the done mark.
        self.write_indexed_records(DOCUMENTS_STAGE, shard, "", &records, |record| {
            matches!(record, ShardRecord::Document(_))
        })?;
        self.mark_done(DOCUMENTS_STAGE, shard)
    }

    /// The task of partition `partition` in the `ids` stage: every shard's documents whose ids'
    /// stems fall in that partition, in load order, given the unique ids `analyze` gives them
    /// ([`corpus::assign_unique_ids`] over the partition's documents: ids of one stem are made
    /// unique among themselves, see [`corpus::id_stem`]), one line per document in unique id
    /// order; then the done mark. Does nothing when already done.
    fn run_ids_task(&self, partition: usize) -> Result<()> {
        self.check_task(IDS_STAGE, partition, self.plan.partitions)?;
        if self.is_done(IDS_STAGE, partition) {
            return Ok(());
        }
        let mut placed: Vec<PlacedDocument> = Vec::new();
        let mut paths: Vec<String> = Vec::new();
        for shard in 0..self.plan.shards.len() {
            self.read_records(
                DOCUMENTS_STAGE,
                shard,
                &ids_kind(partition),
                |(position, source, id, path): (usize, usize, String, String)| {
                    placed.push(PlacedDocument {
                        id,
                        shard,
                        position,
                        source,
                        renamed: None,
                    });
                    paths.push(path);
                    Ok(())
                },
            )?;
        }
        // The loader's documents stand in for them (only ids, paths and load order matter).
        let mut stand_ins: Vec<Document> = placed
            .iter_mut()
            .zip(paths)
            .map(|(document, path)| Document {
                id: std::mem::take(&mut document.id),
                path,
                text: String::new(),
                warnings: Vec::new(),
                first_replacement: None,
                record_line: None,
            })
            .collect();
        corpus::assign_unique_ids(&mut stand_ins);
        for (document, mut stand_in) in placed.iter_mut().zip(stand_ins) {
            document.id = stand_in.id;
            document.renamed = stand_in.warnings.pop();
        }
        placed.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        self.write_records(IDS_STAGE, partition, "", &placed)?;
        self.mark_done(IDS_STAGE, partition)
    }

    /// The task of the `order` stage (one): the ids tasks' documents merged by unique id as they
    /// are read (a k-way merge over the partitions' files), which is the order `analyze` gives
    /// the corpus; one line per document in that order, the corpus index of each document in
    /// load order ([`IndexMapWriter`]), and per shard its documents' places in that order
    /// ([`ShardPlacement`]; one more merge for every [`WorkFolder::open_writers`] shards past the
    /// first); then the done mark. Holds one document per file it merges, not the corpus. Does
    /// nothing when already done.
    fn run_order_task(&self, task: usize) -> Result<()> {
        self.check_task(ORDER_STAGE, task, 1)?;
        if self.is_done(ORDER_STAGE, task) {
            return Ok(());
        }
        let counts = (0..self.plan.shards.len())
            .map(|shard| {
                Ok(self
                    .open_records(DOCUMENTS_STAGE, shard, FINGERPRINTS)?
                    .1
                    .records)
            })
            .collect::<Result<Vec<usize>>>()?;
        let shards = counts.len();
        let scratch = self.merge_scratch(ORDER_STAGE, IDS_STAGE);
        let ids = (0..self.plan.partitions)
            .map(|partition| SortedRun::exchange(IDS_STAGE, partition, ""))
            .collect();
        let runs = self.runs_to_merge(ids, task, &scratch, by_unique_id)?;
        // One pass at least: the first writes the order and the map, even of no document.
        for these in self.writer_passes(shards.max(1)) {
            let (first, these) = (these.start, these.start..these.end.min(shards));
            let mut placements = these
                .clone()
                .map(|shard| {
                    self.record_writer(ORDER_STAGE, task, &placed_kind(shard), counts[shard])
                })
                .collect::<Result<Vec<_>>>()?;
            let mut whole = if first == 0 {
                let map = IndexMapWriter::create(&self.map_path(), self.hash, &counts)?;
                let documents = counts.iter().sum();
                Some((map, self.record_writer(ORDER_STAGE, task, "", documents)?))
            } else {
                None
            };
            self.merge_ids(&runs, task, |index, document| {
                if let Some((map, ordered)) = whole.as_mut() {
                    map.set(document.shard, document.position, index)?;
                    ordered.push(&document)?;
                }
                if these.contains(&document.shard) {
                    placements[document.shard - first].push(&ShardPlacement {
                        index,
                        position: document.position,
                        id: document.id,
                        renamed: document.renamed,
                    })?;
                }
                Ok(())
            })?;
            if let Some((map, ordered)) = whole {
                ordered.persist()?;
                map.persist()?;
            }
            for placement in placements {
                placement.persist()?;
            }
        }
        levels::remove_scratch(&scratch)?;
        self.mark_done(ORDER_STAGE, task)
    }

    /// Hands `each` every document of the ids tasks' files with its corpus index, merged by
    /// unique id from `runs` (the files, or the merges of their levels made by the order task
    /// `task`: one document per run in memory).
    fn merge_ids(
        &self,
        runs: &[SortedRun],
        task: usize,
        mut each: impl FnMut(usize, PlacedDocument) -> Result<()>,
    ) -> Result<()> {
        let failure = std::cell::RefCell::new(None);
        let mut partitions = Vec::with_capacity(runs.len());
        for run in runs {
            let (_, documents) = self.sorted_records(run, task, by_unique_id)?;
            partitions.push(documents.map_while(|document| {
                document
                    .map_err(|error| *failure.borrow_mut() = Some(error))
                    .ok()
            }));
        }
        let mut last: Option<String> = None;
        let merged = itertools::kmerge_by(partitions, by_unique_id);
        for (index, document) in merged.enumerate() {
            // Sorted and unique (so every partition's file was sorted: the merge keeps each
            // file's order).
            if last.as_ref().is_some_and(|last| *last >= document.id) {
                bail!("the ids tasks' files are not sorted by unique id: run them again");
            }
            last = Some(document.id.clone());
            each(index, document)?;
        }
        match failure.into_inner() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// The order task's file of every document's corpus index ([`IndexMapWriter`]).
    fn map_path(&self) -> PathBuf {
        self.folder.join(ORDER_STAGE).join("00000.map")
    }

    /// The order's map opened for reading one document's corpus index at a time through a
    /// buffer of `buffer` bytes, its header checked against the plan and the order.
    fn map_reader(&self, buffer: usize) -> Result<MapReader> {
        let (_, header, _) = self.open_records(ORDER_STAGE, 0, "")?;
        let documents = header.records;
        let path = self.map_path();
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let length = file.metadata()?.len();
        let mut reader = MapReader {
            words: BufReader::with_capacity(buffer, file),
            at: 0,
            starts: vec![0],
            documents,
            path,
        };
        let shards = self.plan.shards.len();
        if reader.word()? != self.hash || reader.word()? != shards as u64 {
            return Err(reader.stale());
        }
        for _ in 0..shards {
            let count = usize::try_from(reader.word()?).map_err(|_| reader.stale())?;
            let start = reader.starts[reader.starts.len() - 1];
            reader.starts.push(start + count);
        }
        if reader.starts[shards] != documents || length != 8 * (2 + shards + documents) as u64 {
            return Err(reader.stale());
        }
        Ok(reader)
    }

    /// The fingerprints of `documents` by corpus index, each read from its shard's file through
    /// the file's line index (no other line is read).
    fn fingerprints_of(
        &self,
        documents: &[PairedDocument],
    ) -> Result<std::collections::HashMap<usize, group::Fingerprint>> {
        let mut fingerprints = std::collections::HashMap::with_capacity(documents.len());
        let by_shard = self.by_shard(documents)?;
        for (shard, wanted) in by_shard.iter().enumerate().filter(|(_, w)| !w.is_empty()) {
            let positions: Vec<usize> = wanted.iter().map(|d| d.position).collect();
            self.read_document_lines(
                DOCUMENTS_STAGE,
                shard,
                FINGERPRINTS,
                &positions,
                |number, line| {
                    let fingerprint: group::Fingerprint =
                        serde_json::from_str(line).with_context(|| {
                            format!("cannot read the fingerprints of shard {shard}")
                        })?;
                    fingerprints.insert(wanted[number].index, fingerprint);
                    Ok(())
                },
            )?;
        }
        Ok(fingerprints)
    }

    /// `documents` by shard, each shard's in the order of their positions in it.
    fn by_shard<'a>(
        &self,
        documents: &'a [PairedDocument],
    ) -> Result<Vec<Vec<&'a PairedDocument>>> {
        let mut by_shard: Vec<Vec<&PairedDocument>> = vec![Vec::new(); self.plan.shards.len()];
        for document in documents {
            by_shard
                .get_mut(document.shard)
                .with_context(|| {
                    format!("the candidates name shard {}: plan again", document.shard)
                })?
                .push(document);
        }
        for documents in &mut by_shard {
            documents.sort_unstable_by_key(|d| d.position);
            if documents.windows(2).any(|w| w[0].position == w[1].position) {
                bail!("the candidates name a document twice: run the candidates task again");
            }
        }
        Ok(by_shard)
    }

    /// The task of partition `partition` in the `copies` stage: every shard's documents whose
    /// grouping hashes fall in that partition ([`group::copies_partition`]: their positions and
    /// two hashes, placed by the order's map read where each lies), and which of them are exact
    /// copies of which ([`group::partition_copies`]), one `[copy, first]` line per copy in the
    /// order of the copies' corpus indices; then the done mark. Does nothing when already done.
    fn run_copies_task(&self, partition: usize) -> Result<()> {
        self.check_task(COPIES_STAGE, partition, self.plan.partitions)?;
        if self.is_done(COPIES_STAGE, partition) {
            return Ok(());
        }
        let mut map = self.map_reader(SPARSE_MAP_BUFFER)?;
        let mut documents: Vec<(usize, u64, u64)> = Vec::new();
        for shard in 0..self.plan.shards.len() {
            self.read_records(
                DOCUMENTS_STAGE,
                shard,
                &summaries_kind(partition),
                |summary: DocumentSummary| {
                    let index = map.index(shard, summary.position)?;
                    documents.push((index, summary.group_hash, summary.text_hash));
                    Ok(())
                },
            )?;
        }
        let copies = group::partition_copies(documents);
        self.write_records(COPIES_STAGE, partition, "", &copies)?;
        self.mark_done(COPIES_STAGE, partition)
    }

    /// The task of partition `partition` in the `blocking` stage: every shard's documents with
    /// keys in that partition (their scripts and keys, placed by the order's map read where each
    /// lies), which of them are exact copies (every copies task's copies streamed, those of other
    /// documents passed over) and the scripts of the corpus (each shard's distinct ones), and
    /// the corpus's share of the partition ([`group::keyed_partition_share`]), one
    /// `[pair, shared]` line per pair in pair order; then the done mark. Holds only the
    /// documents with keys in the partition. Does nothing when already done.
    fn run_blocking_task(&self, partition: usize) -> Result<()> {
        self.check_task(BLOCKING_STAGE, partition, self.plan.partitions)?;
        if self.is_done(BLOCKING_STAGE, partition) {
            return Ok(());
        }
        let mut map = self.map_reader(SPARSE_MAP_BUFFER)?;
        let scripts = self.corpus_scripts()?;
        // As many as the shards' files announce, so that the list never grows past them.
        let keyed = (0..self.plan.shards.len())
            .map(|shard| {
                let kind = keys_kind(partition);
                Ok(self.open_records(DOCUMENTS_STAGE, shard, &kind)?.1.records)
            })
            .sum::<Result<usize>>()?;
        let mut documents: Vec<group::KeyedDocument> = Vec::with_capacity(keyed);
        for shard in 0..self.plan.shards.len() {
            self.read_records(
                DOCUMENTS_STAGE,
                shard,
                &keys_kind(partition),
                |(position, facts, keys): (usize, group::CandidateFacts, Vec<group::BlockKey>)| {
                    documents.push(group::KeyedDocument {
                        index: map.index(shard, position)?,
                        facts,
                        copy: false,
                        keys,
                    });
                    Ok(())
                },
            )?;
        }
        drop(map);
        documents.sort_unstable_by_key(|document| document.index);
        if documents.windows(2).any(|w| w[0].index == w[1].index) {
            bail!("a shard's keys name a document twice: run its documents task again");
        }
        for copies in 0..self.plan.partitions {
            self.read_records(COPIES_STAGE, copies, "", |(copy, _): (usize, usize)| {
                if let Ok(at) = documents.binary_search_by_key(&copy, |d| d.index) {
                    documents[at].copy = true;
                }
                Ok(())
            })?;
        }
        let share =
            group::keyed_partition_share(documents, &scripts, partition, self.plan.partitions);
        self.write_records(BLOCKING_STAGE, partition, "", &share)?;
        self.mark_done(BLOCKING_STAGE, partition)
    }

    /// The distinct scripts of the corpus's documents, in order, from every shard's.
    fn corpus_scripts(&self) -> Result<Vec<DocumentScript>> {
        let mut scripts: std::collections::BTreeSet<DocumentScript> = Default::default();
        for shard in 0..self.plan.shards.len() {
            self.read_records(DOCUMENTS_STAGE, shard, SCRIPTS, |script| {
                scripts.insert(script);
                Ok(())
            })?;
        }
        Ok(scripts.into_iter().collect())
    }

    /// The task of the `candidates` stage (one): every partition's shares merged as they are
    /// read, the candidate pairs kept within their budgets (from each document's candidate facts,
    /// not its fingerprint; the ranked pairs sorted in runs on disk), and for each scoring
    /// partition its pairs and the documents they name (their unique ids and places read from
    /// the order's file); then the corpus's size, and the done mark. Does nothing when already
    /// done.
    fn run_candidates_task(&self, task: usize) -> Result<()> {
        self.check_task(CANDIDATES_STAGE, task, 1)?;
        if self.is_done(CANDIDATES_STAGE, task) {
            return Ok(());
        }
        // The levels first: they hold nothing but their files' buffers.
        let partitions = self.plan.partitions;
        let scratch = self.merge_scratch(CANDIDATES_STAGE, BLOCKING_STAGE);
        let blocks = (0..partitions)
            .map(|partition| SortedRun::exchange(BLOCKING_STAGE, partition, ""))
            .collect();
        let runs = self.runs_to_merge(blocks, task, &scratch, by_pair)?;
        let corpus = CorpusFacts {
            documents: self.open_records(ORDER_STAGE, 0, "")?.1.records,
            japanese: self.corpus_scripts()?.contains(&DocumentScript::Japanese),
        };
        let failure = std::cell::RefCell::new(None);
        let shares = runs
            .iter()
            .map(|run| {
                let (_, shares) = self.sorted_records(run, task, by_pair)?;
                Ok(shares.map_while(|share| {
                    share
                        .map_err(|error| *failure.borrow_mut() = Some(error))
                        .ok()
                }))
            })
            .collect::<Result<Vec<_>>>()?;
        let ranked = group::ranked_candidates(group::merge_sorted_shares(shares));
        let sorting = self
            .folder
            .join(CANDIDATES_STAGE)
            .join(format!("{task:05}.runs"));
        let candidates = runs::budget_in_runs(
            ranked,
            self.plan.config.group.candidates_per_document,
            &sorting,
            self.plan.run_pairs,
        );
        if let Some(error) = failure.into_inner() {
            return Err(error);
        }
        let candidates = candidates?;
        levels::remove_scratch(&scratch)?;
        // Each partition's pairs (in pair order, as the file gives them), for every
        // `open_writers` partitions one pass over the file; and in the first, the documents each
        // partition's pairs name, sorted on disk by corpus index.
        let mut counts = vec![0; partitions];
        for pair in candidates.read()? {
            counts[pair_partition(pair?, partitions)] += 1;
        }
        let mut naming = runs::SortedOnDisk::new(&sorting, "named", self.plan.run_pairs);
        for these in self.writer_passes(partitions) {
            let first = these.start;
            let mut writers = these
                .clone()
                .map(|partition| {
                    let kind = pairs_kind(partition);
                    self.record_writer(CANDIDATES_STAGE, task, &kind, counts[partition])
                })
                .collect::<Result<Vec<_>>>()?;
            for pair in candidates.read()? {
                let pair = pair?;
                let partition = pair_partition(pair, partitions);
                if these.contains(&partition) {
                    writers[partition - first].push(&pair)?;
                }
                if first == 0 {
                    naming.push((pair.0, partition))?;
                    naming.push((pair.1, partition))?;
                }
            }
            for writer in writers {
                writer.persist()?;
            }
        }
        let naming = naming.finish()?;
        self.write_places(
            &|| Ok(Box::new(naming.read()?) as Records<_>),
            partitions,
            |partition, count| {
                self.record_writer(CANDIDATES_STAGE, task, &paired_kind(partition), count)
            },
        )?;
        std::fs::remove_dir_all(&sorting)
            .with_context(|| format!("cannot remove {}", sorting.display()))?;
        self.write_records(CANDIDATES_STAGE, task, "", &[corpus])?;
        self.mark_done(CANDIDATES_STAGE, task)
    }

    /// Writes, for each of `files` files (the one `writer` starts for a number and its count of
    /// records), the documents `naming` names in it (`(corpus index, file)`, sorted; read once
    /// for the counts and once a pass) with their unique ids and places, as the order's file
    /// gives them in corpus order: one pass over that file for every
    /// [`WorkFolder::open_writers`] files, writing them at once.
    fn write_places<'a>(
        &self,
        naming: &dyn Fn() -> Result<Records<'a, (usize, usize)>>,
        files: usize,
        writer: impl Fn(usize, usize) -> Result<RecordWriter>,
    ) -> Result<()> {
        let mut counts = vec![0; files];
        for named in naming()? {
            counts[named?.1] += 1;
        }
        for these in self.writer_passes(files) {
            let first = these.start;
            let mut writers = these
                .clone()
                .map(|file| writer(file, counts[file]))
                .collect::<Result<Vec<_>>>()?;
            // An error passes every filter, to be returned where it is met.
            let mut wanted = naming()?
                .filter(|named| named.as_ref().map_or(true, |(_, f)| these.contains(f)))
                .peekable();
            let mut index = 0;
            self.read_records(ORDER_STAGE, 0, "", |document: PlacedDocument| {
                while let Some(named) =
                    wanted.next_if(|named| named.as_ref().map_or(true, |&(n, _)| n == index))
                {
                    let (_, file) = named?;
                    writers[file - first].push(&PairedDocument {
                        index,
                        id: document.id.clone(),
                        shard: document.shard,
                        position: document.position,
                        source: document.source,
                    })?;
                }
                index += 1;
                Ok(())
            })?;
            if let Some(named) = wanted.next() {
                named?;
                bail!("a document named is not in the order: run the order task again");
            }
            for writer in writers {
                writer.persist()?;
            }
        }
        Ok(())
    }

    /// The corpus's size and whether it holds Japanese, as the candidates task wrote them.
    fn corpus_facts(&self) -> Result<CorpusFacts> {
        self.read_all(CANDIDATES_STAGE, 0, "")?
            .pop()
            .context("the candidates task wrote no corpus facts: run it again")
    }

    /// The task of partition `partition` in the `anchors` stage: from every shard's anchors of
    /// that partition, how many documents carry each anchor and how many articles
    /// ([`group::AnchorFrequency::count_partition`]), one line per anchor in anchor order; then
    /// the done mark. Does nothing when already done.
    fn run_anchors_task(&self, partition: usize) -> Result<()> {
        self.check_task(ANCHORS_STAGE, partition, self.plan.partitions)?;
        if self.is_done(ANCHORS_STAGE, partition) {
            return Ok(());
        }
        let corpus = self.corpus_facts()?;
        let mut carriers: Vec<group::AnchorCarrier> = Vec::new();
        for shard in 0..self.plan.shards.len() {
            self.read_records(
                DOCUMENTS_STAGE,
                shard,
                &anchors_kind(partition),
                |carrier| {
                    carriers.push(carrier);
                    Ok(())
                },
            )?;
        }
        let counts =
            group::AnchorFrequency::count_partition(&carriers, corpus.documents, corpus.japanese);
        self.write_records(ANCHORS_STAGE, partition, "", &counts)?;
        self.mark_done(ANCHORS_STAGE, partition)
    }

    /// The task of partition `partition` in the `scoring` stage: its candidate pairs, each scored
    /// with the fingerprints of its two documents (only those are read), the counts of the
    /// anchors they carry (only those are kept) and both texts read from their paths, one line
    /// per pair in pair order; then the done mark. Does nothing when already done.
    fn run_scoring_task(&self, partition: usize) -> Result<()> {
        self.check_task(SCORING_STAGE, partition, self.plan.partitions)?;
        if self.is_done(SCORING_STAGE, partition) {
            return Ok(());
        }
        let corpus = self.corpus_facts()?;
        let candidates: Vec<(usize, usize)> =
            self.read_all(CANDIDATES_STAGE, 0, &pairs_kind(partition))?;
        let named: Vec<PairedDocument> =
            self.read_all(CANDIDATES_STAGE, 0, &paired_kind(partition))?;
        let fingerprints = self.fingerprints_of(&named)?;
        let frequency = self.frequency_of_carried(fingerprints.values(), &corpus)?;
        let documents = self.documents_by_index(&named)?;
        let input = |i: usize| documents[&i].grouped();
        let cache = crate::align::ParagraphCache::default();
        let scored: Vec<group::ScoredPair> = candidates
            .par_iter()
            .map(|&(i, j)| {
                group::score_candidate(
                    (i, &input(i), &fingerprints[&i]),
                    (j, &input(j), &fingerprints[&j]),
                    &frequency,
                    self.plan.config.group.threshold,
                    &cache,
                )
            })
            .collect();
        self.write_records(SCORING_STAGE, partition, "", &scored)?;
        self.mark_done(SCORING_STAGE, partition)
    }

    /// How many documents carry each anchor that `fingerprints` carry, streamed from every
    /// partition's anchor counts (the others passed over).
    fn frequency_of_carried<'a>(
        &self,
        fingerprints: impl Iterator<Item = &'a group::Fingerprint>,
        corpus: &CorpusFacts,
    ) -> Result<group::AnchorFrequency> {
        let carried: std::collections::HashSet<&str> =
            fingerprints.flat_map(group::Fingerprint::anchors).collect();
        let mut counts = Vec::new();
        for anchors in 0..self.plan.partitions {
            self.read_records(ANCHORS_STAGE, anchors, "", |count: group::AnchorCount| {
                if carried.contains(count.anchor.as_str()) {
                    counts.push(count);
                }
                Ok(())
            })?;
        }
        Ok(group::AnchorFrequency::from_counts(
            counts,
            corpus.documents,
        ))
    }

    /// The task of the `groups` stage (one): every partition's scored pairs and every exact copy
    /// joined into groups ([`group::join_scored`]), one line per group in report order, and per
    /// shard its grouped documents (corpus index, group rank, position in the group); then the
    /// done mark. Only the
    /// documents grouping can touch are read (both of every passing pair, every copy and what it
    /// copies), a batch of whole connected sets of them at a time (passing pairs and copies
    /// connect documents; a join never looks past its set): their fingerprints, records, anchor
    /// counts and texts, numbered among themselves in corpus order (joins depend on the order of
    /// documents, never on their numbers). Each batch's pairs, copies and documents' places wait
    /// in scratch files of their own until it is joined; its groups go to a scratch file as they are
    /// joined, and are then read back in report order (by first member) and named. Does nothing
    /// when already done.
    fn run_batches_task(&self, task: usize) -> Result<()> {
        self.check_task(BATCHES_STAGE, task, 1)?;
        if self.is_done(BATCHES_STAGE, task) {
            return Ok(());
        }
        let scratch = self.batches_folder();
        clear_folder(&scratch)?;
        // Pass 1: every document that passing pairs and copies tie, sorted on disk, and the
        // passing pairs' ties and the copies in files of their own; then the ties join those
        // documents into connected sets, cut into batches. No tie or copy is held.
        let mut tied = runs::SortedOnDisk::new(&scratch, "tied", self.plan.run_pairs);
        let ties_path = scratch.join("ties.run");
        let mut ties = runs::RunFileWriter::create(&ties_path)?;
        for partition in 0..self.plan.partitions {
            self.read_records(SCORING_STAGE, partition, "", |pair: PairTie| {
                if pair.kept.is_some() {
                    tied.push(pair.a)?;
                    tied.push(pair.b)?;
                    ties.push(&(pair.a, pair.b))?;
                }
                Ok(())
            })?;
        }
        ties.persist()?;
        let copies_path = scratch.join("copies.run");
        let mut copies = runs::RunFileWriter::create(&copies_path)?;
        for partition in 0..self.plan.partitions {
            self.read_records(COPIES_STAGE, partition, "", |(copy, first)| {
                copies.push(&(copy, first))?;
                tied.push(copy)?;
                tied.push(first)
            })?;
        }
        copies.persist()?;
        let copies = || runs::read_run_file::<(usize, usize)>(&copies_path);
        let documents = tied
            .finish()?
            .read()?
            .map(|document| u32::try_from(document?).context("more than 2^32 documents"))
            .collect::<Result<Vec<u32>>>()?;
        let batches = ConnectedBatches::connect(
            documents,
            |tie| {
                for pair in runs::read_run_file::<(usize, usize)>(&ties_path)? {
                    let (a, b) = pair?;
                    tie(a, b)?;
                }
                for pair in copies()? {
                    let (copy, first) = pair?;
                    tie(copy, first)?;
                }
                Ok(())
            },
            self.plan.group_batch,
        )?;
        // Each batch's copies into a run file of its own, in the order they came, for every
        // `open_writers` batches one pass over the copies.
        let copies_of = |batch: usize| scratch.join(format!("{batch:08}.copies.run"));
        for these in self.writer_passes(batches.batches) {
            let mut writers = these
                .clone()
                .map(|batch| runs::RunFileWriter::create(&copies_of(batch)))
                .collect::<Result<Vec<_>>>()?;
            for pair in copies()? {
                let (copy, first) = pair?;
                let batch = batches
                    .same_batch(copy, first)
                    .context("a copy and its first fell apart")?;
                if these.contains(&batch) {
                    writers[batch - these.start].push(&(copy, first))?;
                }
            }
            for writer in writers {
                writer.persist()?;
            }
        }
        // Pass 2: each batch's pairs into a scratch file of its own, for every `open_writers`
        // batches one pass over the scoring files.
        for these in self.writer_passes(batches.batches) {
            let first = these.start;
            let mut writers = these
                .clone()
                .map(|batch| {
                    let path = scratch.join(format!("{batch:08}.jsonl"));
                    Ok(std::io::BufWriter::new(
                        std::fs::File::create(&path)
                            .with_context(|| format!("cannot write {}", path.display()))?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            for partition in 0..self.plan.partitions {
                let mut lines = self.record_lines(SCORING_STAGE, partition, "")?;
                while let Some(line) = lines.next() {
                    let line = line?;
                    let pair: PairTie = lines.parse(&line)?;
                    if let Some(batch) = batches
                        .same_batch(pair.a, pair.b)
                        .filter(|b| these.contains(b))
                    {
                        let out = &mut writers[batch - first];
                        out.write_all(line.as_bytes())?;
                        out.write_all(b"\n")?;
                    }
                }
            }
            for mut writer in writers {
                writer.flush()?;
            }
        }
        // Every batch's documents with their places, into a scratch file of its own, from one
        // pass over the order's file for every `open_writers` batches.
        let places_path = |batch: usize| scratch.join(format!("{batch:08}.places.jsonl"));
        self.write_places(
            &|| Ok(Box::new(batches.naming().map(Ok)) as Records<_>),
            batches.batches,
            |batch, count| {
                let header = TaskHeader {
                    plan: self.id.clone(),
                    task,
                    records: count,
                };
                RecordWriter::create(places_path(batch), &header, self.plan.compression)
            },
        )?;
        std::fs::remove_file(&ties_path)
            .and_then(|()| std::fs::remove_file(&copies_path))
            .with_context(|| format!("cannot clear {}", scratch.display()))?;
        self.write_records(BATCHES_STAGE, task, "", &[batches.batches])?;
        self.mark_done(BATCHES_STAGE, task)
    }

    /// The folder of the batches task's files: each batch's copies, pairs and places.
    fn batches_folder(&self) -> PathBuf {
        self.folder.join(BATCHES_STAGE).join("00000.batches")
    }

    /// The folder of a joins task's files: its groups, joined, and their report order.
    fn joins_folder(&self, task: usize) -> PathBuf {
        self.folder
            .join(JOINS_STAGE)
            .join(format!("{task:05}.joined"))
    }

    /// The task of `task` in the `joins` stage: the groups of the batches whose number is `task`
    /// modulo the partitions, joined from their pairs and copies and written as they come, each
    /// with its members' places; each group's first member (the least corpus index, which
    /// orders the groups as `group::number_groups` does: they share no member) and where its
    /// line starts sorted on disk; then the number of groups and of members in each shard, and
    /// the done mark. Does nothing when already done.
    fn run_joins_task(&self, task: usize) -> Result<()> {
        self.check_task(JOINS_STAGE, task, self.plan.partitions)?;
        if self.is_done(JOINS_STAGE, task) {
            return Ok(());
        }
        let batches_count = self
            .read_all::<usize>(BATCHES_STAGE, 0, "")?
            .pop()
            .context("the batches task wrote no count: run it again")?;
        let corpus = self.corpus_facts()?;
        let batches = self.batches_folder();
        let copies_of = |batch: usize| batches.join(format!("{batch:08}.copies.run"));
        let places_path = |batch: usize| batches.join(format!("{batch:08}.places.jsonl"));
        let scratch = self.joins_folder(task);
        clear_folder(&scratch)?;
        let joined_path = scratch.join("joined.jsonl");
        let mut joined = std::io::BufWriter::new(
            std::fs::File::create(&joined_path)
                .with_context(|| format!("cannot write {}", joined_path.display()))?,
        );
        // Each group's first member and where its line starts, sorted on disk: report order.
        let mut report_order = runs::SortedOnDisk::new(&scratch, "order", self.plan.run_pairs);
        let mut groups = 0;
        let mut members_of_shard = vec![0; self.plan.shards.len()];
        let mut written = 0;
        for batch in (task..batches_count).step_by(self.plan.partitions) {
            let copies = runs::read_run_file::<(usize, usize)>(&copies_of(batch))?
                .collect::<Result<Vec<_>>>()?;
            let path = places_path(batch);
            let file = std::fs::File::open(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let named: Vec<PairedDocument> = self
                .record_lines_of(file, path, 0)?
                .records()
                .collect::<Result<_>>()?;
            let path = batches.join(format!("{batch:08}.jsonl"));
            let pairs = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .lines()
                .map(serde_json::from_str)
                .collect::<Result<Vec<group::ScoredPair>, _>>()
                .with_context(|| format!("cannot read the pairs of {}", path.display()))?;
            let place_of: std::collections::HashMap<&str, Place> = named
                .iter()
                .map(|document| {
                    let place = Place {
                        shard: document.shard,
                        index: document.index,
                    };
                    (document.id.as_str(), place)
                })
                .collect();
            for group in self.join_batch(&named, pairs, copies, &corpus)? {
                let places = group
                    .documents
                    .iter()
                    .map(|member| place_of.get(member.as_str()).copied())
                    .collect::<Option<Vec<Place>>>()
                    .context("a group names a document of no batch")?;
                let first = places.iter().map(|place| place.index).min();
                for place in &places {
                    *members_of_shard
                        .get_mut(place.shard)
                        .context("a group names a document of no shard")? += 1;
                }
                let line = serde_json::to_vec(&JoinedGroup { places, group })?;
                let first = first.context("a group without members")?;
                report_order.push((first, usize::try_from(written)?))?;
                groups += 1;
                joined.write_all(&line)?;
                joined.write_all(b"\n")?;
                written += line.len() as u64 + 1;
            }
        }
        joined.flush()?;
        drop(joined);
        report_order.finish()?;
        let mut counts = vec![groups];
        counts.extend(members_of_shard);
        self.write_records(JOINS_STAGE, task, "", &counts)?;
        self.mark_done(JOINS_STAGE, task)
    }

    /// The task of `task` in the `groups` stage: the joins tasks' groups in report order (a
    /// merge of their sorted orders), named as they are written; and each shard's grouped
    /// documents (corpus index, group rank, position in the group), in that order, for its
    /// render task, in passes of at most `open_writers` shards; then the done mark, and the
    /// batches' and joins' files removed. Does nothing when already done.
    fn run_groups_task(&self, task: usize) -> Result<()> {
        self.check_task(GROUPS_STAGE, task, 1)?;
        if self.is_done(GROUPS_STAGE, task) {
            return Ok(());
        }
        let shards = self.plan.shards.len();
        let joins = self.plan.partitions;
        let mut groups = 0;
        let mut members_of_shard = vec![0; shards];
        for join in 0..joins {
            let counts: Vec<usize> = self.read_all(JOINS_STAGE, join, "")?;
            ensure!(
                counts.len() == shards + 1,
                "the joins task {join} counts other shards: run it again"
            );
            groups += counts[0];
            for (total, count) in members_of_shard.iter_mut().zip(&counts[1..]) {
                *total += count;
            }
        }
        let orders: Vec<PathBuf> = (0..joins)
            .map(|join| self.joins_folder(join).join("order.sorted"))
            .collect();
        let mut joined_files = (0..joins)
            .map(|join| {
                let path = self.joins_folder(join).join("joined.jsonl");
                let file = std::fs::File::open(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                Ok((path, BufReader::new(file)))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut groups_out = Some(self.record_writer(GROUPS_STAGE, task, "", groups)?);
        for pass in self.writer_passes(shards.max(1)) {
            let pass = pass.start..pass.end.min(shards);
            let mut writers = pass
                .clone()
                .map(|shard| {
                    let kind = members_kind(shard);
                    self.record_writer(GROUPS_STAGE, task, &kind, members_of_shard[shard])
                })
                .collect::<Result<Vec<_>>>()?;
            let mut line = String::new();
            for (rank, placed) in runs::merged_sorted::<(usize, usize)>(&orders)?.enumerate() {
                let (join, (_, start)) = placed?;
                let (path, lines) = &mut joined_files[join];
                lines.seek(std::io::SeekFrom::Start(start as u64))?;
                line.clear();
                lines.read_line(&mut line)?;
                let JoinedGroup { places, mut group } = serde_json::from_str(&line)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                if let Some(out) = groups_out.as_mut() {
                    group.id = group::group_name(rank);
                    out.push(&group)?;
                }
                for (member, place) in places.into_iter().enumerate() {
                    if pass.contains(&place.shard) {
                        writers[place.shard - pass.start].push(&(place.index, rank, member))?;
                    }
                }
            }
            if let Some(out) = groups_out.take() {
                out.persist()?;
            }
            for writer in writers {
                writer.persist()?;
            }
        }
        self.mark_done(GROUPS_STAGE, task)?;
        // Once done: a run killed before the mark reads them again.
        drop(joined_files);
        for folder in std::iter::once(self.batches_folder())
            .chain((0..joins).map(|join| self.joins_folder(join)))
        {
            std::fs::remove_dir_all(&folder)
                .with_context(|| format!("cannot remove {}", folder.display()))?;
        }
        Ok(())
    }

    /// The groups of the documents `named` (in corpus order; whole connected sets), from their
    /// scored pairs and copies.
    fn join_batch(
        &self,
        named: &[PairedDocument],
        scored: Vec<group::ScoredPair>,
        copies: Vec<(usize, usize)>,
        corpus: &CorpusFacts,
    ) -> Result<Vec<group::Group>> {
        let wanted: Vec<usize> = named.iter().map(|document| document.index).collect();
        let mut fingerprints = self.fingerprints_of(named)?;
        let frequency = self.frequency_of_carried(fingerprints.values(), corpus)?;
        let documents = self.documents_by_index(named)?;
        let local = |index: usize| wanted.binary_search(&index).ok();
        let inputs: Vec<group::GroupInput> = wanted
            .iter()
            .map(|index| documents[index].grouped())
            .collect();
        let wanted_fingerprints: Vec<group::Fingerprint> = wanted
            .iter()
            .map(|index| {
                fingerprints
                    .remove(index)
                    .context("a shard lacks a fingerprint: run its documents task again")
            })
            .collect::<Result<_>>()?;
        let mut copy_of = vec![None; wanted.len()];
        for (copy, first) in copies {
            if let (Some(copy), Some(first)) = (local(copy), local(first)) {
                copy_of[copy] = Some(first);
            }
        }
        let scored: Vec<group::ScoredPair> = scored
            .into_iter()
            .filter_map(|pair| {
                Some(group::ScoredPair {
                    a: local(pair.a)?,
                    b: local(pair.b)?,
                    ..pair
                })
            })
            .collect();
        Ok(group::join_scored(
            &inputs,
            &wanted_fingerprints,
            &frequency,
            &copy_of,
            scored,
            self.plan.config.group.threshold,
        ))
    }

    /// The analysed documents `named` (with their unique ids) by corpus index, each text read
    /// from its path (a source holding several is read once) and checked against its record.
    fn documents_by_index(
        &self,
        named: &[PairedDocument],
    ) -> Result<std::collections::HashMap<usize, AnalysedDocument>> {
        // Each wanted record read through its shard's line index (which indexes documents
        // only: failed inputs take no position).
        let mut found: Vec<(&PairedDocument, DocumentRecord)> = Vec::with_capacity(named.len());
        let by_shard = self.by_shard(named)?;
        for (shard, wanted) in by_shard.iter().enumerate().filter(|(_, w)| !w.is_empty()) {
            let positions: Vec<usize> = wanted.iter().map(|d| d.position).collect();
            self.read_document_lines(DOCUMENTS_STAGE, shard, "", &positions, |number, line| {
                match serde_json::from_str(line)
                    .with_context(|| format!("cannot read the records of shard {shard}"))?
                {
                    ShardRecord::Document(record) => found.push((wanted[number], *record)),
                    ShardRecord::Error(_) => bail!("shard {shard}'s records disagree"),
                }
                Ok(())
            })?;
        }
        // Texts by source: each source loaded once, in parallel.
        let mut by_source: std::collections::BTreeMap<
            (usize, usize),
            Vec<(&PairedDocument, DocumentRecord)>,
        > = Default::default();
        for (document, record) in found {
            by_source
                .entry((document.shard, document.source))
                .or_default()
                .push((document, record));
        }
        let load = &self.plan.config.load;
        let loaded: Vec<Vec<(usize, AnalysedDocument)>> = by_source
            .into_par_iter()
            .map(|((shard, source), records)| {
                let mut texts: std::collections::HashMap<String, Document> =
                    corpus::load(&self.source(shard, source)?, load)
                        .into_iter()
                        .flatten()
                        .map(|document| (document.path.clone(), document))
                        .collect();
                records
                    .into_iter()
                    .map(|(named, record)| {
                        let document = texts
                            .remove(&record.path)
                            .filter(|d| record::text_hash(&d.text) == record.text_hash)
                            .with_context(|| {
                                format!(
                                    "{} changed since the task of shard {shard} read it: plan \
                                     again in an empty folder",
                                    record.path
                                )
                            })?;
                        let mut analysed = record.into_analysed(document);
                        analysed.document.id = named.id.clone();
                        Ok((named.index, analysed))
                    })
                    .collect()
            })
            .collect::<Result<_>>()?;
        Ok(loaded.into_iter().flatten().collect())
    }

    /// The analysed documents and failed inputs of `shard`, each text read again from its path.
    fn shard_documents(&self, shard: usize) -> Result<(Vec<AnalysedDocument>, Vec<InputError>)> {
        let records: Vec<ShardRecord> = self.read_all(DOCUMENTS_STAGE, shard, "")?;
        let loaded = self.load_shard(shard)?;
        if loaded.len() != records.len() {
            bail!(
                "the inputs of shard {shard} changed since its task ran ({} records then, {} \
                 now): plan again in an empty folder",
                records.len(),
                loaded.len()
            );
        }
        let mut documents = Vec::new();
        let mut errors = Vec::new();
        for (record, (_, loaded)) in records.into_iter().zip(loaded) {
            match (record, loaded) {
                (ShardRecord::Document(record), Ok(document))
                    if record.path == document.path
                        && record.text_hash == record::text_hash(&document.text) =>
                {
                    documents.push(record.into_analysed(document));
                }
                (ShardRecord::Error(error), _) => errors.push(InputError::from(error)),
                (ShardRecord::Document(record), _) => bail!(
                    "{} changed since the task of shard {shard} read it: plan again in an empty \
                     folder",
                    record.path
                ),
            }
        }
        Ok((documents, errors))
    }

    /// The inputs that failed discovery, as the plan lists them.
    fn plan_errors(&self) -> Vec<InputError> {
        self.plan
            .errors
            .iter()
            .map(|e| InputError::from(e.clone()))
            .collect()
    }

    /// Every shard's analysed documents (texts read again) and failed inputs, in the order and
    /// with the unique ids `analyze` gives them.
    fn load_corpus(&self) -> Result<(Vec<AnalysedDocument>, Vec<InputError>)> {
        let mut documents = Vec::new();
        let mut errors = self.plan_errors();
        for shard in 0..self.plan.shards.len() {
            let (shard_documents, shard_errors) = self.shard_documents(shard)?;
            documents.extend(shard_documents);
            errors.extend(shard_errors);
        }
        crate::pipeline::order_documents(&mut documents, &mut errors);
        Ok((documents, errors))
    }

    /// The corpus stages over every shard's records and fingerprints and every partition's
    /// scored pairs: the analysis `analyze` makes. Grouping only joins the scored pairs here
    /// (the texts are read for the report's themes and for pairs whose support a join asks).
    fn assemble(&self) -> Result<Analysis> {
        let phase = Phase::start();
        let (documents, errors) = self.load_corpus()?;
        // The order the ids and order tasks gave is the one `analyze` gives the records.
        let mut ordered = documents.iter();
        let mut same_order = true;
        self.read_records(ORDER_STAGE, 0, "", |placed: PlacedDocument| {
            same_order &= ordered
                .next()
                .is_some_and(|document| document.document.id == placed.id);
            Ok(())
        })?;
        if !same_order || ordered.next().is_some() {
            bail!("the shards' records and the order disagree: run their tasks again");
        }
        let groups: Vec<group::Group> = self.read_all(GROUPS_STAGE, 0, "")?;
        let timings = Timings {
            load: phase.stop(),
            ..Timings::default()
        };
        Ok(self
            .pipeline()?
            .analyse_corpus_grouped_by(documents, errors, timings, |_| groups))
    }
}

/// Documents the `groups` task reads at once unless the plan says otherwise.
pub const DEFAULT_GROUP_BATCH: usize = 16_384;

/// Files a merge opens at once unless the plan says otherwise (the ids partitions' in the order
/// task, the blocking partitions' in the candidates task, the shards' fragments, index lines and
/// runs in `assemble`), and files a task writes at once: more are merged in levels, or written
/// in more passes, so that no task holds many more files open.
pub const DEFAULT_MERGE_FAN_IN: usize = 256;

/// The documents that ties (passing pairs and copies) connect, cut into batches of whole
/// connected sets of about `batch` documents, batches in the order of their first document: 8
/// bytes a tied document (its corpus index, and its parent in the union-find, then its batch in
/// the same place), and none a tie, which are streamed.
struct ConnectedBatches {
    /// Every tied document's corpus index, sorted.
    documents: Vec<u32>,
    /// The batch of each, by its place in `documents`.
    batch_of: Vec<u32>,
    /// How many batches there are.
    batches: usize,
}

/// Marks a set's root while [`ConnectedBatches::connect`] counts the set's size in its place.
const ROOT: u32 = 1 << 31;

impl ConnectedBatches {
    /// The batches of `documents` (every document a tie names, sorted, each once), with
    /// `ties` handing every tie to the function it is given (each may come more than once).
    fn connect(
        documents: Vec<u32>,
        ties: impl FnOnce(&mut dyn FnMut(usize, usize) -> Result<()>) -> Result<()>,
        batch: usize,
    ) -> Result<Self> {
        let count = u32::try_from(documents.len())
            .ok()
            .filter(|&count| count < ROOT)
            .context("more than 2^31 tied documents")?;
        let mut parent: Vec<u32> = (0..count).collect();
        fn root(parent: &mut [u32], mut x: u32) -> u32 {
            while parent[x as usize] != x {
                parent[x as usize] = parent[parent[x as usize] as usize];
                x = parent[x as usize];
            }
            x
        }
        let place = |document: usize| {
            u32::try_from(document)
                .ok()
                .and_then(|document| documents.binary_search(&document).ok())
                .map(|at| at as u32)
                .ok_or_else(|| anyhow::anyhow!("a tie names a document the ties did not"))
        };
        ties(&mut |a, b| {
            let (ra, rb) = (root(&mut parent, place(a)?), root(&mut parent, place(b)?));
            // A set's root is its first document, so a parent never comes after its child.
            parent[ra.max(rb) as usize] = ra.min(rb);
            Ok(())
        })?;
        // In document order (a parent comes first): each root's place holds its set's size,
        // flagged, and each other document's its root.
        for local in 0..parent.len() {
            let up = parent[local] as usize;
            parent[local] = if up == local {
                ROOT | 1
            } else {
                let root = if parent[up] & ROOT != 0 {
                    up as u32
                } else {
                    parent[up]
                };
                parent[root as usize] += 1;
                root
            };
        }
        // Again in document order: each root's batch in the order of the roots, then every
        // document's (its root, before it, has its batch already).
        let (mut batches, mut filled) = (0u32, 0usize);
        for local in 0..parent.len() {
            let held = parent[local];
            parent[local] = if held & ROOT != 0 {
                let size = (held & !ROOT) as usize;
                if batches == 0 || filled + size > batch {
                    batches += 1;
                    filled = 0;
                }
                filled += size;
                batches - 1
            } else {
                parent[held as usize]
            };
        }
        Ok(Self {
            documents,
            batch_of: parent,
            batches: batches as usize,
        })
    }

    /// The batch of a document, if it is tied.
    fn batch(&self, document: usize) -> Option<usize> {
        let document = u32::try_from(document).ok()?;
        let at = self.documents.binary_search(&document).ok()?;
        Some(self.batch_of[at] as usize)
    }

    /// The batch of two documents, if both are in it.
    fn same_batch(&self, a: usize, b: usize) -> Option<usize> {
        self.batch(a).filter(|&batch| self.batch(b) == Some(batch))
    }

    /// Every tied document with its batch, in corpus order.
    fn naming(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let batches = self.batch_of.iter().map(|&batch| batch as usize);
        self.documents
            .iter()
            .map(|&document| document as usize)
            .zip(batches)
    }
}

/// Where the document at `position` among `shard`'s documents is in load order, from where each
/// shard's documents start (`starts`, their number last); `None` past the shard's documents.
fn load_slot(starts: &[usize], shard: usize, position: usize) -> Option<usize> {
    starts
        .get(shard..shard + 2)
        .map(|bounds| bounds[0] + position)
        .filter(|&at| at < starts[shard + 1])
}

/// The order's map of corpus indices ([`IndexMapWriter`]) read one document at a time, each
/// index where it lies in the file (a seek within or past the reader's buffer): a task that asks
/// in load order reads forward only and holds one buffer of it.
struct MapReader {
    words: BufReader<std::fs::File>,
    /// Where the reader is in the file.
    at: u64,
    /// Where each shard's documents start among the indices (and, last, their number).
    starts: Vec<usize>,
    /// Documents in the corpus.
    documents: usize,
    path: PathBuf,
}

impl MapReader {
    /// The error of a map that does not belong to this plan's order.
    fn stale(&self) -> anyhow::Error {
        anyhow::anyhow!(
            "{} does not belong to this plan's order: run the order task again",
            self.path.display()
        )
    }

    /// The next word of the file.
    fn word(&mut self) -> Result<u64> {
        let mut word = [0u8; 8];
        self.words.read_exact(&mut word).map_err(|_| self.stale())?;
        self.at += 8;
        Ok(u64::from_le_bytes(word))
    }

    /// The corpus index of the document `at` in load order.
    fn index_at(&mut self, at: usize) -> Result<usize> {
        let shards = self.starts.len() - 1;
        let offset = 8 * (2 + shards + at) as u64;
        self.words.seek_relative(offset as i64 - self.at as i64)?;
        self.at = offset;
        match self.word()? {
            index if index < self.documents as u64 => Ok(index as usize),
            _ => Err(self.stale()),
        }
    }

    /// The corpus index of the document at `position` among `shard`'s documents.
    fn index(&mut self, shard: usize, position: usize) -> Result<usize> {
        let at = load_slot(&self.starts, shard, position).with_context(|| {
            format!("shard {shard}'s files disagree on its documents: run its task again")
        })?;
        self.index_at(at)
    }
}

/// The corpus index of each document, in load order: the order task's binary file of
/// little-endian u64s (the plan's hash, the number of shards, each shard's number of documents,
/// then one index per document, shard by shard and by position), filled in place in any order
/// of the documents and renamed once every one is set.
struct IndexMapWriter {
    file: tempfile::NamedTempFile,
    path: PathBuf,
    /// Where each shard's documents start among the indices (and, last, their number).
    starts: Vec<usize>,
    /// Indices set so far.
    set: usize,
}

impl IndexMapWriter {
    /// Starts the map of shards of `counts` documents for the plan of hash `plan`.
    fn create(path: &Path, plan: u64, counts: &[usize]) -> Result<Self> {
        let mut starts = vec![0];
        for count in counts {
            starts.push(starts[starts.len() - 1] + count);
        }
        let mut file = partial_file(path)?;
        {
            let mut out = std::io::BufWriter::new(file.as_file_mut());
            let header = [plan, counts.len() as u64];
            let words = header.into_iter().chain(counts.iter().map(|&c| c as u64));
            for word in words.chain(std::iter::repeat_n(u64::MAX, starts[counts.len()])) {
                out.write_all(&word.to_le_bytes())?;
            }
            out.flush()?;
        }
        Ok(Self {
            file,
            path: path.to_path_buf(),
            starts,
            set: 0,
        })
    }

    /// Sets the corpus index of the document at `position` in `shard`.
    fn set(&mut self, shard: usize, position: usize, index: usize) -> Result<()> {
        let shards = self.starts.len() - 1;
        let at = load_slot(&self.starts, shard, position).with_context(|| {
            format!(
                "the ids name a document that shard {shard} does not have: run the ids tasks \
                     again"
            )
        })?;
        let file = self.file.as_file_mut();
        file.seek(std::io::SeekFrom::Start(8 * (2 + shards + at) as u64))?;
        file.write_all(&(index as u64).to_le_bytes())?;
        self.set += 1;
        Ok(())
    }

    /// Writes the map under its name, once each document has its index.
    fn persist(self) -> Result<()> {
        let documents = self.starts[self.starts.len() - 1];
        ensure!(
            self.set == documents,
            "the ids give {} of the {documents} documents a place: run the ids tasks again",
            self.set
        );
        persist(self.file, &self.path)
    }
}

/// The name of the file of a shard's ids whose stems fall in `partition`.
fn ids_kind(partition: usize) -> String {
    format!("ids-{partition:05}")
}

/// The `groups` task's file of one shard's grouped documents: corpus index, group rank (report
/// order, from 0) and position in the group.
fn members_kind(shard: usize) -> String {
    format!("members-{shard:05}")
}

/// The `order` task's file of one shard's places ([`ShardPlacement`]).
fn placed_kind(shard: usize) -> String {
    format!("placed-{shard:05}")
}

/// The partition of an id: a stable hash of its stem ([`corpus::id_stem`]), so that every id
/// [`corpus::assign_unique_ids`] compares it with falls in the same one.
fn id_partition(id: &str, partitions: usize) -> usize {
    let stem = corpus::id_stem(id);
    (xxhash_rust::xxh3::xxh3_64(stem.as_bytes()) % partitions.max(1) as u64) as usize
}

/// The name of the file of a shard's document summaries in `partition` (of their grouping
/// hashes: see [`group::copies_partition`]).
fn summaries_kind(partition: usize) -> String {
    format!("summaries-{partition:05}")
}

/// The name of the file of a shard's blocking keys in `partition`.
fn keys_kind(partition: usize) -> String {
    format!("keys-{partition:05}")
}

/// The name of the file of a shard's anchors in `partition`.
fn anchors_kind(partition: usize) -> String {
    format!("anchors-{partition:05}")
}

/// The name of the candidates task's file of the pairs of scoring partition `partition`.
fn pairs_kind(partition: usize) -> String {
    format!("pairs-{partition:05}")
}

/// The name of the candidates task's file of the documents the pairs of scoring partition
/// `partition` name.
fn paired_kind(partition: usize) -> String {
    format!("documents-{partition:05}")
}

/// The scoring partition of a candidate pair: a stable hash of the two corpus indices.
fn pair_partition((i, j): (usize, usize), partitions: usize) -> usize {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&(i as u64).to_le_bytes());
    bytes[8..].copy_from_slice(&(j as u64).to_le_bytes());
    (xxhash_rust::xxh3::xxh3_64(&bytes) % partitions.max(1) as u64) as usize
}

/// Runs every task of `stage` as a process of this executable, `workers` at once, each with
/// `threads` threads; fails naming the tasks that failed.
fn run_tasks_locally(
    folder: &Path,
    stage: &str,
    tasks: usize,
    workers: usize,
    threads: usize,
) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the mentorlens executable")?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let task = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if task >= tasks {
                        break;
                    }
                    let status = std::process::Command::new(&exe)
                        .args(["dist", "task", stage, &task.to_string(), "--work"])
                        .arg(folder)
                        .args(["--threads", &threads.to_string()])
                        .status();
                    if !status.is_ok_and(|s| s.success()) {
                        failed
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .push(task);
                    }
                }
            });
        }
    });
    let mut failed = failed.into_inner().unwrap_or_else(|p| p.into_inner());
    if !failed.is_empty() {
        failed.sort_unstable();
        bail!(
            "task(s) {failed:?} of the stage {stage} failed: run `mentorlens dist run` again to \
             retry them"
        );
    }
    Ok(())
}

/// Assembles the report and writes it as `output` says; the exit code of `analyze`.
fn assemble_and_write(work: &WorkFolder, output: &OutputOptions) -> Result<ExitCode> {
    let target = output.output.as_deref().unwrap_or(Path::new("-"));
    let assembly = match output.format {
        ReportFormat::Json => Assembly::Report(crate::report::Layout::Json, target),
        ReportFormat::Jsonl => Assembly::Report(crate::report::Layout::Jsonl, target),
        ReportFormat::Parquet if target == Path::new("-") => {
            bail!("--format parquet writes one file per table: name their folder with -o DIR")
        }
        ReportFormat::Parquet => Assembly::Parquet(target),
        ReportFormat::Html => return assemble_html(work, output),
    };
    let assembled = work.assemble_by_shard(output, assembly)?;
    Ok(finish(assembled.documents, &assembled.errors, output.quiet))
}

/// Writes the HTML page (and the index when asked) from the whole analysis: the page holds every
/// text.
fn assemble_html(work: &WorkFolder, output: &OutputOptions) -> Result<ExitCode> {
    let analysis = work.assemble()?;
    let report = Report::new(&analysis);
    let path = output.output.as_deref().unwrap_or(Path::new("-"));
    write_output(path, |out| {
        html::write_html_of_analysis(&report, &analysis, &html::PageOptions::default(), out)
    })
    .with_context(|| format!("cannot write the report to {}", path.display()))?;
    if let Some(path) = &output.index {
        write_output(path, |out| {
            crate::check::write_index(out, &analysis.settings, &analysis.documents)
        })
        .with_context(|| format!("cannot write the index to {}", path.display()))?;
    }
    Ok(finish(
        analysis.documents.len(),
        &analysis.errors,
        output.quiet,
    ))
}

/// Prints the run's summary (unless `quiet`) and gives the exit code `analyze` gives.
fn finish(documents: usize, errors: &[InputError], quiet: bool) -> ExitCode {
    if !quiet {
        eprintln!(
            "mentorlens: {documents} document(s) analysed, {} input(s) failed",
            errors.len()
        );
        for error in errors {
            eprintln!(
                "  {}",
                crate::terminal::escape_for_terminal(&error.to_string())
            );
        }
    }
    match Outcome::of(documents, errors.len()) {
        Outcome::AllAnalysed => ExitCode::SUCCESS,
        Outcome::SomeFailed => ExitCode::from(3),
        Outcome::NothingRead => ExitCode::from(2),
    }
}

/// A pool of `threads` workers, or one per core.
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        pool = pool.num_threads(threads);
    }
    pool.build().context("cannot start the worker threads")
}

#[cfg(test)]
mod tests {
    use super::ConnectedBatches;

    #[test]
    fn batches_hold_whole_connected_sets_in_document_order() {
        let batches = |ties: &[(usize, usize)], batch: usize| {
            let mut documents: Vec<u32> = ties
                .iter()
                .flat_map(|&(a, b)| [a, b])
                .map(|d| d as u32)
                .collect();
            documents.sort_unstable();
            documents.dedup();
            let connected = ConnectedBatches::connect(
                documents,
                |tie| ties.iter().try_for_each(|&(a, b)| tie(a, b)),
                batch,
            )
            .unwrap();
            let mut listed = vec![Vec::new(); connected.batches];
            for (document, batch) in connected.naming() {
                listed[batch].push(document);
            }
            assert!(connected.same_batch(ties[0].0, ties[0].1).is_some());
            listed
        };
        let ties = [(9, 5), (1, 5), (3, 2), (20, 30), (30, 20)];
        assert_eq!(batches(&ties, 4), [vec![1, 5, 9], vec![2, 3, 20, 30]]);
        // A set larger than a batch is never cut.
        assert_eq!(batches(&ties, 1), [vec![1, 5, 9], vec![2, 3], vec![20, 30]]);
        // A chain whose later link joins two sets first seen apart.
        let chain = [(7, 8), (1, 2), (8, 2), (4, 6)];
        assert_eq!(batches(&chain, 3), [vec![1, 2, 7, 8], vec![4, 6]]);
        let none = ConnectedBatches::connect(Vec::new(), |_| Ok(()), 4).unwrap();
        assert_eq!(none.batches, 0);
    }

    #[test]
    fn batches_of_random_graphs_are_those_of_a_plain_search() {
        use proptest::prelude::RngExt;
        let mut rng = proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        );
        let mut next = |bound: usize| rng.random_range(0..bound);
        for round in 0..50 {
            let ties: Vec<(usize, usize)> =
                (0..1 + next(120)).map(|_| (next(300), next(300))).collect();
            let batch = 1 + next(40);
            let mut documents: Vec<usize> = ties.iter().flat_map(|&(a, b)| [a, b]).collect();
            documents.sort_unstable();
            documents.dedup();
            // Each set by a plain search from its first document, sets in that order, cut
            // into batches as `connect` cuts them.
            let mut set_of = std::collections::BTreeMap::new();
            for &start in &documents {
                if set_of.contains_key(&start) {
                    continue;
                }
                let mut open = vec![start];
                while let Some(document) = open.pop() {
                    if set_of.insert(document, start).is_none() {
                        for &(a, b) in &ties {
                            if a == document {
                                open.push(b)
                            }
                            if b == document {
                                open.push(a)
                            }
                        }
                    }
                }
            }
            let mut expected = Vec::new();
            let (mut batches, mut filled) = (0, 0);
            let mut batch_of_set = std::collections::BTreeMap::new();
            for &document in &documents {
                let first = set_of[&document];
                if first == document {
                    let size = set_of.values().filter(|&&f| f == first).count();
                    if batches == 0 || filled + size > batch {
                        batches += 1;
                        filled = 0;
                    }
                    filled += size;
                    batch_of_set.insert(first, batches - 1);
                }
                expected.push((document, batch_of_set[&first]));
            }
            let connected = ConnectedBatches::connect(
                documents.iter().map(|&d| d as u32).collect(),
                |tie| ties.iter().try_for_each(|&(a, b)| tie(a, b)),
                batch,
            )
            .unwrap();
            assert_eq!(
                connected.naming().collect::<Vec<_>>(),
                expected,
                "round {round}"
            );
            assert_eq!(connected.batches, batches);
        }
    }
}
