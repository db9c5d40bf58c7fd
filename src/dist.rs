//! `mentorlens dist`: the analysis cut into tasks that a cluster (Dask, Slurm, Spark) or the
//! built-in local executor runs, giving the report `analyze` gives, byte for byte.
//!
//! A work folder holds the plan and every exchange. `plan` discovers the inputs and cuts them into
//! shards (consecutive runs of sources, balanced by size, so that shard order is load order).
//! The stage `documents` has one task per shard: it loads the shard's inputs and runs the
//! per-document stages ([`crate::Pipeline::analyse_document`], as `analyze` does) and writes one
//! JSON Lines record per document, without its text (see [`record`]), then marks itself done.
//! The stage `blocking` has one task per partition of grouping's block keys (`--partitions P`):
//! task `k` reads every shard's records and texts as `assemble` does, and writes the share of
//! partition `k` ([`crate::align::group::corpus_partition_share`]: what each pair of documents
//! shares in the blocks whose keys' stable hash falls in partition `k`) as JSON Lines, sorted by
//! pair. `assemble` reads every shard's records in order, reads each text again from its path,
//! and runs the rest of the corpus stages as one task with the library functions `analyze` runs:
//! unique ids in load order, grouping from the merged shares
//! ([`crate::align::group::group_with_shares`]: candidate budgets, pair scoring, which reads the
//! texts, and the non-chaining joins per connected component) and themes
//! ([`crate::themes::summarise`]). Block weights are integers, so the merged shares, and the
//! report, are the same at any number of shards and partitions. `assemble --index FILE` also
//! writes the corpus fingerprint index `check --against-index` reads.
//!
//! Every file is written to a temporary name and renamed, so a task killed half way leaves no
//! partial output, and a task run again (a retry) writes the same bytes. A work folder planned by
//! another version of the tool, with other settings or over other inputs, is refused.

pub mod record;

use crate::align::group::{self, GroupInput, Shared};
use crate::corpus::{self, Document, Input, InputError, Source};
use crate::report::{Report, html, write_output};
use crate::timing::Phase;
use crate::{AnalysedDocument, Analysis, Config, Outcome, Pipeline, Timings};
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use record::{DocumentRecord, ErrorRecord, ShardRecord};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Version of the work folder's layout and exchange records; a folder of another layout is
/// refused.
const LAYOUT: u32 = 2;

/// The first stage: one task per shard.
const DOCUMENTS_STAGE: &str = "documents";

/// The second stage: one task per partition of the block keys.
const BLOCKING_STAGE: &str = "blocking";

/// The stages, in the order they run (then `assemble`).
const STAGES: [&str; 2] = [DOCUMENTS_STAGE, BLOCKING_STAGE];

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
    /// Number of partitions of grouping's block keys: tasks of the `blocking` stage (default 1).
    pub partitions: Option<u32>,
    /// Settings file in `check`'s format (mentorlens.toml): its stage tables set the analysis.
    pub config: Option<PathBuf>,
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
    Ok(serde_json::json!({
        "plan": work.id,
        "stages": [
            {"name": DOCUMENTS_STAGE, "tasks": work.plan.shards.len()},
            {"name": BLOCKING_STAGE, "tasks": work.plan.partitions},
        ],
    }))
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
    pool.install(|| {
        if stage == DOCUMENTS_STAGE {
            work.run_documents_task(task)
        } else {
            work.run_blocking_task(task)
        }
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
    let stages = [
        (DOCUMENTS_STAGE, work.plan.shards.len()),
        (BLOCKING_STAGE, work.plan.partitions),
    ];
    for (stage, tasks) in stages {
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
    /// Consecutive runs of the discovered sources, in discovery order.
    shards: Vec<Vec<PlannedSource>>,
    /// Partitions of the block keys: tasks of the `blocking` stage.
    partitions: usize,
    /// Inputs that failed discovery (missing paths, duplicates).
    errors: Vec<ErrorRecord>,
}

/// An opened work folder: its plan, the plan's id, and the pipeline built from its settings.
struct WorkFolder {
    folder: PathBuf,
    plan: Plan,
    /// xxh3 of `plan.json`: every exchange file names the plan it belongs to.
    id: String,
    pipeline: Pipeline,
}

fn plan_path(folder: &Path) -> PathBuf {
    folder.join("plan.json")
}

fn plan_id(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
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
    let shards = inputs.shards.map_or(1, |n| n as usize);
    let plan = Plan {
        layout: LAYOUT,
        tool: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: pipeline.config_fingerprint().to_string(),
        config,
        cwd: std::env::current_dir().context("cannot tell the current folder")?,
        inputs: inputs.paths.clone(),
        shards: cut_into_shards(planned, shards),
        partitions: inputs.partitions.map_or(1, |n| n as usize),
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
            for stage in STAGES {
                std::fs::create_dir_all(folder.join(stage)).with_context(|| {
                    format!("cannot create the work folder {}", folder.display())
                })?;
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
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(folder)
        .with_context(|| format!("cannot write in {}", folder.display()))?;
    {
        let mut out = std::io::BufWriter::new(file.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    file.as_file().sync_all()?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The first line of a task's output file: the plan and task it belongs to, and how many lines
/// follow.
#[derive(Debug, Serialize, Deserialize)]
struct TaskHeader {
    plan: String,
    task: usize,
    records: usize,
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
        let pipeline = Pipeline::new(&plan.config)?;
        if pipeline.config_fingerprint() != plan.fingerprint {
            bail!(
                "the settings of the work folder {} read differently now ({} when planned, {} \
                 now: a data file changed): plan again in an empty folder",
                folder.display(),
                plan.fingerprint,
                pipeline.config_fingerprint()
            );
        }
        Ok(Self {
            folder,
            id: plan_id(&bytes),
            plan,
            pipeline,
        })
    }

    fn output_path(&self, stage: &str, task: usize) -> PathBuf {
        self.folder.join(stage).join(format!("{task:05}.jsonl"))
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

    /// Writes `task`'s output file (a header, then one JSON line per record), then its done mark.
    fn write_task_output<T: Serialize>(
        &self,
        stage: &str,
        task: usize,
        records: &[T],
    ) -> Result<()> {
        let header = TaskHeader {
            plan: self.id.clone(),
            task,
            records: records.len(),
        };
        write_atomically_with(&self.output_path(stage, task), |out| {
            serde_json::to_writer(&mut *out, &header)?;
            out.write_all(b"\n")?;
            for record in records {
                serde_json::to_writer(&mut *out, record)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })?;
        write_atomically(
            &self.done_path(stage, task),
            format!("{}\n", self.id).as_bytes(),
        )
    }

    /// The records `task` of `stage` wrote, checked against the plan.
    fn read_task_output<T: serde::de::DeserializeOwned>(
        &self,
        stage: &str,
        task: usize,
    ) -> Result<Vec<T>> {
        if !self.is_done(stage, task) {
            bail!(
                "task {task} of the stage {stage} has not finished for this plan: run \
                 `mentorlens dist task {stage} {task} --work {}`",
                self.folder.display()
            );
        }
        let path = self.output_path(stage, task);
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut lines = BufReader::new(file).lines();
        let header: TaskHeader = match lines.next() {
            Some(line) => serde_json::from_str(&line?)
                .with_context(|| format!("{} has no header", path.display()))?,
            None => bail!("{} is empty", path.display()),
        };
        if header.plan != self.id || header.task != task {
            bail!(
                "{} belongs to another plan or task: run the task again",
                path.display()
            );
        }
        let records = lines
            .map(|line| Ok(serde_json::from_str(&line?)?))
            .collect::<Result<Vec<T>>>()
            .with_context(|| format!("cannot read the records of {}", path.display()))?;
        if records.len() != header.records {
            bail!(
                "{} holds {} records, its header says {}",
                path.display(),
                records.len(),
                header.records
            );
        }
        Ok(records)
    }

    /// The loaded records of `shard`'s sources, in order (relative paths are read from the
    /// plan's folder: see [`WorkFolder::open`]).
    fn load_shard(&self, shard: usize) -> Vec<Result<Document, InputError>> {
        let load = self.pipeline.load_config();
        self.plan.shards[shard]
            .par_iter()
            .flat_map_iter(|s| {
                corpus::load(
                    &Source::File {
                        path: s.path.clone(),
                        id: s.id.clone(),
                    },
                    load,
                )
            })
            .collect()
    }

    /// The task of `shard` in the `documents` stage: per-document stages over the shard's inputs,
    /// one record per input in load order, then the done mark. Does nothing when already done.
    fn run_documents_task(&self, shard: usize) -> Result<()> {
        self.check_task(DOCUMENTS_STAGE, shard, self.plan.shards.len())?;
        if self.is_done(DOCUMENTS_STAGE, shard) {
            return Ok(());
        }
        let loaded = self.load_shard(shard);
        let records: Vec<ShardRecord> = loaded
            .into_par_iter()
            .map(|result| match result {
                Ok(document) => ShardRecord::Document(Box::new(DocumentRecord::of(
                    &self.pipeline.analyse_document(document),
                ))),
                Err(error) => ShardRecord::Error(ErrorRecord::from(&error)),
            })
            .collect();
        self.write_task_output(DOCUMENTS_STAGE, shard, &records)
    }

    /// The task of partition `partition` in the `blocking` stage: the corpus's share of that
    /// partition of the block keys, one `[pair, shared]` line per pair in pair order, then the done
    /// mark. Does nothing when already done.
    fn run_blocking_task(&self, partition: usize) -> Result<()> {
        self.check_task(BLOCKING_STAGE, partition, self.plan.partitions)?;
        if self.is_done(BLOCKING_STAGE, partition) {
            return Ok(());
        }
        let (documents, _) = self.load_corpus()?;
        let inputs: Vec<GroupInput> = documents.iter().map(AnalysedDocument::grouped).collect();
        let share = group::corpus_partition_share(
            &inputs,
            partition,
            self.plan.partitions,
            self.pipeline.group_config(),
        );
        self.write_task_output(BLOCKING_STAGE, partition, &share)
    }

    /// The analysed documents and failed inputs of `shard`, each text read again from its path.
    fn shard_documents(&self, shard: usize) -> Result<(Vec<AnalysedDocument>, Vec<InputError>)> {
        let records: Vec<ShardRecord> = self.read_task_output(DOCUMENTS_STAGE, shard)?;
        let loaded = self.load_shard(shard);
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
        for (record, loaded) in records.into_iter().zip(loaded) {
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

    /// Every shard's analysed documents (texts read again) and failed inputs, in the order and
    /// with the unique ids `analyze` gives them.
    fn load_corpus(&self) -> Result<(Vec<AnalysedDocument>, Vec<InputError>)> {
        let mut documents = Vec::new();
        let mut errors: Vec<InputError> = self
            .plan
            .errors
            .iter()
            .map(|e| InputError::from(e.clone()))
            .collect();
        for shard in 0..self.plan.shards.len() {
            let (shard_documents, shard_errors) = self.shard_documents(shard)?;
            documents.extend(shard_documents);
            errors.extend(shard_errors);
        }
        crate::pipeline::order_documents(&mut documents, &mut errors);
        Ok((documents, errors))
    }

    /// The corpus stages over every shard's records and every partition's blocking share: the
    /// analysis `analyze` makes.
    fn assemble(&self) -> Result<Analysis> {
        let phase = Phase::start();
        let (documents, errors) = self.load_corpus()?;
        let shares = (0..self.plan.partitions)
            .map(|partition| self.read_task_output::<(u64, Shared)>(BLOCKING_STAGE, partition))
            .collect::<Result<Vec<_>>>()?;
        let timings = Timings {
            load: phase.stop(),
            ..Timings::default()
        };
        Ok(self
            .pipeline
            .analyse_corpus_grouped_by(documents, errors, timings, |inputs| {
                group::group_with_shares(inputs, self.pipeline.group_config(), |_, _| shares)
            }))
    }
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
    let analysis = work.assemble()?;
    let report = Report::new(&analysis);
    let target = output.output.as_deref().filter(|p| *p != Path::new("-"));
    match (output.format, target) {
        (ReportFormat::Parquet, Some(folder)) => report
            .write_parquet(folder)
            .with_context(|| format!("cannot write the Parquet tables to {}", folder.display()))?,
        (ReportFormat::Parquet, None) => {
            bail!("--format parquet writes one file per table: name their folder with -o DIR")
        }
        (format, target) => {
            let write = |out: &mut dyn Write| match format {
                ReportFormat::Jsonl => report.write_jsonl(out),
                ReportFormat::Json | ReportFormat::Parquet => report.write_json(out),
                ReportFormat::Html => html::write_html_of_analysis(
                    &report,
                    &analysis,
                    &html::PageOptions::default(),
                    out,
                ),
            };
            let path = target.unwrap_or(Path::new("-"));
            write_output(path, write)
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
        }
    }
    if let Some(path) = &output.index {
        write_output(path, |out| {
            crate::check::write_index(out, &analysis.settings, &analysis.documents)
        })
        .with_context(|| format!("cannot write the index to {}", path.display()))?;
    }
    if !output.quiet {
        eprintln!(
            "mentorlens: {} document(s) analysed, {} input(s) failed",
            analysis.documents.len(),
            analysis.errors.len()
        );
        for error in &analysis.errors {
            eprintln!(
                "  {}",
                crate::terminal::escape_for_terminal(&error.to_string())
            );
        }
    }
    Ok(match analysis.outcome() {
        Outcome::AllAnalysed => ExitCode::SUCCESS,
        Outcome::SomeFailed => ExitCode::from(3),
        Outcome::NothingRead => ExitCode::from(2),
    })
}

/// A pool of `threads` workers, or one per core.
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        pool = pool.num_threads(threads);
    }
    pool.build().context("cannot start the worker threads")
}
