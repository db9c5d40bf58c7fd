//! `mentorlens dist`'s flags (clap), turned into the library's [`mentorlens::dist`] calls.

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use mentorlens::dist::{self, OutputOptions, PlanInputs, ReportFormat};
use std::path::PathBuf;
use std::process::ExitCode;

/// The arguments of `mentorlens dist`.
#[derive(Args)]
pub(super) struct DistArgs {
    #[command(subcommand)]
    command: DistCommand,
}

#[derive(Subcommand)]
enum DistCommand {
    /// Discover the inputs and cut them into shards, in a work folder.
    Plan(PlanArgs),
    /// Print the stages and their task counts as JSON, for a driver.
    Stages(WorkArgs),
    /// Run one task of a stage (idempotent: a finished task is not run again).
    Task(TaskArgs),
    /// Read every task's output and write the report, in any format `analyze` writes.
    Assemble(AssembleArgs),
    /// Plan, run every task on this machine (`--workers` processes at once) and assemble.
    Run(RunArgs),
}

#[derive(Args)]
struct WorkArgs {
    /// The work folder.
    #[arg(long, value_name = "DIR")]
    work: PathBuf,
}

#[derive(Args)]
struct PlanFlags {
    /// Files or folders (as `analyze` takes them; not standard input).
    #[arg(required = true)]
    paths: Vec<String>,
    /// The work folder (created when missing).
    #[arg(long, value_name = "DIR")]
    work: PathBuf,
    /// Number of shards: tasks of the `documents` stage (default: 1 for `plan`, `--workers` for
    /// `run`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    shards: Option<u32>,
    /// Number of partitions of the ids' stems, the texts' hashes, grouping's block keys, anchors
    /// and candidate pairs: tasks of the `ids`, `copies`, `blocking`, `anchors` and `scoring`
    /// stages (default 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    partitions: Option<u32>,
    /// Settings file in `check`'s format (mentorlens.toml): its stage tables set the analysis.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ranked candidate pairs the `candidates` task holds in memory (about 48 bytes each) before
    /// it writes them as sorted runs in the work folder (default 1000000; the same result at any
    /// size).
    #[arg(long, value_name = "PAIRS", value_parser = clap::value_parser!(u64).range(1..))]
    run_pairs: Option<u64>,
    /// Documents the `groups` task reads at once, whole connected sets of them (default 16384;
    /// the same result at any size).
    #[arg(long, value_name = "DOCUMENTS", value_parser = clap::value_parser!(u64).range(1..))]
    group_batch: Option<u64>,
    /// Store the work folder's exchange files compressed with zstd (`.zst`; `zstdcat` reads
    /// them): about a fifth of the disk, for a little CPU and memory in every task.
    #[arg(long)]
    compress: bool,
    /// Files a merge reads at once, and files a task writes at once, for a cluster with a low
    /// open-file limit (default 256): the `order` task's merge of the ids partitions, the
    /// `candidates` task's of the blocking partitions and `assemble`'s of the shards' files; more
    /// are merged in levels, or written in more passes, with the same result.
    #[arg(long, value_name = "FILES", value_parser = clap::value_parser!(u64).range(2..))]
    merge_fan_in: Option<u64>,
}

impl From<PlanFlags> for PlanInputs {
    fn from(flags: PlanFlags) -> Self {
        Self {
            paths: flags.paths,
            work: flags.work,
            shards: flags.shards,
            partitions: flags.partitions,
            config: flags.config,
            run_pairs: flags
                .run_pairs
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            group_batch: flags
                .group_batch
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            merge_fan_in: flags
                .merge_fan_in
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            compression: if flags.compress {
                dist::Compression::Zstd
            } else {
                dist::Compression::None
            },
        }
    }
}

#[derive(Args)]
struct PlanArgs {
    #[command(flatten)]
    inputs: PlanFlags,
}

#[derive(Args)]
struct TaskArgs {
    /// The stage (see `dist stages`).
    stage: String,
    /// The task's number, from 0.
    task: usize,
    /// The work folder.
    #[arg(long, value_name = "DIR")]
    work: PathBuf,
    /// Worker threads inside the task (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
}

#[derive(Args)]
struct OutputFlags {
    /// Write the report here instead of standard output (replaced atomically); a folder for
    /// `--format parquet`.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// `json`, `jsonl`, `html` or `parquet`, as `analyze --format`.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// No summary on standard error.
    #[arg(long, short)]
    quiet: bool,
    /// Also write the corpus fingerprint index here (JSON Lines), for `check --against-index`.
    #[arg(long, value_name = "FILE")]
    index: Option<PathBuf>,
}

impl From<OutputFlags> for OutputOptions {
    fn from(flags: OutputFlags) -> Self {
        Self {
            output: flags.output,
            format: match flags.format {
                Format::Json => ReportFormat::Json,
                Format::Jsonl => ReportFormat::Jsonl,
                Format::Html => ReportFormat::Html,
                Format::Parquet => ReportFormat::Parquet,
            },
            quiet: flags.quiet,
            index: flags.index,
        }
    }
}

#[derive(Args)]
struct AssembleArgs {
    /// The work folder.
    #[arg(long, value_name = "DIR")]
    work: PathBuf,
    #[command(flatten)]
    output: OutputFlags,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    inputs: PlanFlags,
    /// Tasks run at once, each a process of its own (default 1).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: u16,
    #[command(flatten)]
    output: OutputFlags,
}

/// The report formats, as `analyze --format`.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Jsonl,
    Html,
    Parquet,
}

/// Runs `mentorlens dist …`; returns the exit code (that of `analyze` for `run` and `assemble`).
pub(super) fn main(args: DistArgs) -> Result<ExitCode> {
    match args.command {
        DistCommand::Plan(args) => {
            let inputs = PlanInputs::from(args.inputs);
            let shards = dist::plan(&inputs)?;
            eprintln!(
                "mentorlens: planned {shards} shard(s) in {}",
                inputs.work.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        DistCommand::Stages(args) => {
            println!("{}", dist::stages(&args.work)?);
            Ok(ExitCode::SUCCESS)
        }
        DistCommand::Task(args) => {
            dist::task(
                &args.work,
                &args.stage,
                args.task,
                args.threads.map(usize::from),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        DistCommand::Assemble(args) => dist::assemble(&args.work, args.output.into()),
        DistCommand::Run(args) => dist::run(
            args.inputs.into(),
            usize::from(args.workers),
            args.output.into(),
        ),
    }
}
