//! The command line's flags (clap), and how they become settings: flags override a settings
//! file's values, which override the defaults.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use mentorlens::Config;
use mentorlens::corpus::Input;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Reads a corpus of articles about mentorship and reports what is in it.
#[derive(Parser)]
#[command(name = "mentorlens", version, about)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand)]
pub(super) enum Command {
    /// Analyse a corpus and write the JSON report.
    Analyze(AnalyzeArgs),
    /// Show the language of every document as a table.
    Detect(DetectArgs),
    /// Restore spun English: the normalised text, the edits inline, or the mangling as JSON.
    Normalize(NormalizeArgs),
    /// Two versions of one article side by side, aligned paragraph by paragraph.
    Align(AlignArgs),
    /// Which benefit themes each article states: a table of themes × articles, or JSON.
    Themes(ThemesArgs),
    /// CI gate: fail when new content duplicates or translates the corpus, is spun, or is in an
    /// unexpected language (exit 1), with findings as text, JSON, SARIF, GitHub or JUnit.
    Check(CheckArgs),
    /// Print the JSON Schema of the report (or of `detect`'s or `themes`' JSON).
    Schema(SchemaArgs),
    /// Write the HTML page of a JSON report already written (`analyze -o REPORT.json`); the
    /// texts are read again from the documents' paths.
    Report(ReportArgs),
    /// The analysis as tasks over shards, for a cluster (Dask, Slurm, Spark) or local processes:
    /// plan, stages, task, assemble, run. The report is the one `analyze` writes.
    Dist(super::dist::DistArgs),
}

#[derive(Args)]
pub(super) struct SchemaArgs {
    /// Whose JSON: `report` (`analyze --format json`), `detect` or `themes` (`--format json`).
    #[arg(value_enum, default_value_t = SchemaOf::Report)]
    pub(super) of: SchemaOf,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum SchemaOf {
    Report,
    Detect,
    Themes,
}

#[derive(Args)]
pub(super) struct ReportArgs {
    /// The JSON report (`analyze --format json`), or - for standard input.
    pub(super) report: PathBuf,
    /// Write the page to this file instead of standard output (replaced atomically).
    #[arg(long, short, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
}

#[derive(Args)]
pub(super) struct NormalizeArgs {
    /// One document: a text file, a JSON Lines file of one record, or - for standard input.
    pub(super) input: String,
    /// Show the edits inline over the original: [-spun-]{+restored+} (coloured on a terminal
    /// unless NO_COLOR is set). Not with `--format json`, which lists the edits itself.
    #[arg(long)]
    pub(super) diff: bool,
    /// `text` prints the restored text (or the diff); `json` prints the mangling object.
    #[arg(long, value_enum, default_value_t = NormalizeFormat::Text)]
    pub(super) format: NormalizeFormat,
    /// Extra spinner-reversal lexicon (TSV: spun, original, mode, source).
    #[arg(long, value_name = "FILE")]
    pub(super) lexicon: Option<PathBuf>,
}

#[derive(Args)]
pub(super) struct AlignArgs {
    /// The first version (a file, or - for standard input).
    pub(super) a: String,
    /// The second version.
    pub(super) b: String,
    /// Align sentence by sentence instead of paragraph by paragraph.
    #[arg(long)]
    pub(super) sentences: bool,
    /// Each line of both versions is one sentence (a sentence-split parallel text): align the
    /// lines as they are, numbered from 0.
    #[arg(long, conflicts_with = "sentences")]
    pub(super) lines: bool,
    /// `table` for people, `json` for programs, `html` for a page that shows both versions in
    /// full, sentence pairs highlighted together (paragraph rows; not with --sentences or --lines).
    #[arg(long, value_enum, default_value_t = AlignFormat::Table)]
    pub(super) format: AlignFormat,
    /// Write to this file instead of standard output (replaced atomically).
    #[arg(long, short, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
    /// Width of each side of the table, in characters (10 to 1000).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u16).range(10..=1000))]
    pub(super) width: u16,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum AlignFormat {
    Table,
    Json,
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum NormalizeFormat {
    Text,
    Json,
}

/// The most worker threads `--threads` takes: more only spends time starting them.
pub(super) const MAX_THREADS: u64 = 1024;

/// `--threads`: 1 to [`MAX_THREADS`].
pub(super) fn thread_count() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(1..=MAX_THREADS)
}

/// Options shared by every command that reads a corpus.
#[derive(Args)]
pub(super) struct InputArgs {
    /// Files, folders (walked recursively, sorted) or - for standard input; `.jsonl` files hold
    /// one {"id", "text"} record per line.
    #[arg(default_value = "corpus")]
    pub(super) paths: Vec<String>,
    /// Worker threads, 1 to 1024 (default: one per core). The output does not depend on it.
    #[arg(long, value_parser = thread_count())]
    pub(super) threads: Option<usize>,
    /// No progress bar and no summary on standard error.
    #[arg(long, short)]
    pub(super) quiet: bool,
    /// Settings file in `check`'s format (mentorlens.toml): its stage tables (`[load]`,
    /// `[segment]`, `[language]`, `[normalize]`, `[themes]`) set the analysis, the flags override
    /// them; the gate's own keys are left to `check`. Unknown keys are an error.
    #[arg(long, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
    #[command(flatten)]
    pub(super) stages: StageArgs,
}

/// Settings of the analysis stages, shared by every command that analyses text.
#[derive(Args)]
pub(super) struct StageArgs {
    /// File extensions a folder walk reads, comma-separated (default: txt,text,jsonl; `*` for
    /// every file, an empty entry for files without one); other files in folders are skipped. A
    /// file named on the command line is always read.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub(super) ext: Option<Vec<String>>,
    /// Only choose among these languages (ISO 639-1 or 639-3 codes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub(super) languages: Vec<String>,
    /// Extra theme taxonomy (TSV: id, label, definition, kram); rows with a known id replace it.
    #[arg(long, value_name = "FILE")]
    pub(super) taxonomy: Option<PathBuf>,
    /// Use `--taxonomy FILE` alone: no built-in themes, and no built-in cues of themes not in FILE.
    #[arg(long, requires = "taxonomy")]
    pub(super) no_default_taxonomy: bool,
    /// Extra theme cues (TSV: language, theme, cue, weight, reason).
    #[arg(long, value_name = "FILE")]
    pub(super) cues: Option<PathBuf>,
    /// Extra spinner-reversal lexicon (TSV: spun, original, mode, source).
    #[arg(long, value_name = "FILE")]
    pub(super) lexicon: Option<PathBuf>,
}

impl StageArgs {
    /// `config` with the flags that were given replacing its values.
    pub(super) fn applied_to(&self, mut config: Config) -> Config {
        if let Some(extensions) = &self.ext {
            config.load.extensions = extensions.clone();
        }
        if !self.languages.is_empty() {
            config.language.languages = self.languages.clone();
        }
        if self.taxonomy.is_some() {
            config.themes.taxonomy = self.taxonomy.clone();
        }
        if self.no_default_taxonomy {
            config.themes.default_taxonomy = false;
        }
        if self.cues.is_some() {
            config.themes.cues = self.cues.clone();
        }
        if self.lexicon.is_some() {
            config.normalize.lexicon = self.lexicon.clone();
        }
        config
    }
}

#[derive(Args)]
pub(super) struct CheckArgs {
    /// New files or folders to check (any file name, UTF-8 or not).
    #[arg(value_name = "NEW", required_unless_present = "files_from")]
    pub(super) new: Vec<PathBuf>,
    /// Also check the files named in FILE (- for standard input): one name per line, or
    /// NUL-separated as `git diff -z --name-only` writes them. An empty list checks nothing and
    /// passes.
    #[arg(long, value_name = "FILE")]
    pub(super) files_from: Option<PathBuf>,
    /// The corpus to compare with: a file or folder; repeat the flag for more (`against` in
    /// mentorlens.toml).
    #[arg(long, value_name = "CORPUS")]
    pub(super) against: Vec<String>,
    /// Languages new content may be in, comma-separated (default: any).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub(super) allow_languages: Vec<String>,
    /// A mangling score above this is spun English (default 0.5).
    #[arg(long, value_name = "SCORE")]
    pub(super) max_mangling: Option<f64>,
    /// Rules that fail the check, added to the default (duplicate,spun,language,unreadable) or
    /// to the settings file's list; other findings are warnings.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(super) fail_on: Vec<mentorlens::check::Rule>,
    /// text, json, sarif, github or junit (default text).
    #[arg(long, value_name = "FORMAT")]
    pub(super) format: Option<mentorlens::check::Format>,
    /// Settings file (default: mentorlens.toml in the current folder, when there is one and
    /// `CI` is not set).
    #[arg(long, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
    /// Read no settings file: the defaults and the flags only.
    #[arg(long, conflicts_with = "config")]
    pub(super) no_config: bool,
    /// Keep corpus fingerprints here between runs; only changed documents are analysed again.
    #[arg(long, value_name = "DIR")]
    pub(super) cache: Option<PathBuf>,
    /// Read the corpus's fingerprints from this index (written by `analyze --index` or `dist
    /// assemble --index` with the same settings) instead of computing them; documents it lacks
    /// are fingerprinted as usual.
    #[arg(long, value_name = "FILE")]
    pub(super) against_index: Option<PathBuf>,
    /// Write the findings to this file instead of standard output (- is standard output; a file
    /// is replaced atomically, keeping its permissions; a device is written through).
    #[arg(long, short, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_parser = thread_count())]
    pub(super) threads: Option<usize>,
    #[command(flatten)]
    pub(super) stages: StageArgs,
}

#[derive(Args)]
pub(super) struct ThemesArgs {
    #[command(flatten)]
    pub(super) input: InputArgs,
    /// `table` for people, `json` for programs.
    #[arg(long, value_enum, default_value_t = DetectFormat::Table)]
    pub(super) format: DetectFormat,
}

#[derive(Args)]
pub(super) struct AnalyzeArgs {
    #[command(flatten)]
    pub(super) input: InputArgs,
    /// Write the report to this file instead of standard output (- is standard output; a file
    /// is replaced atomically, keeping its permissions; a device is written through).
    #[arg(long, short)]
    pub(super) output: Option<PathBuf>,
    /// `json`: the whole report; `jsonl`: one record per line, each with a `record` field;
    /// `html`: one self-contained page for people (groups side by side, spun edits, themes ×
    /// articles); `parquet`: one Parquet file per table in the folder `-o DIR`.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Json)]
    pub(super) format: AnalyzeFormat,
    /// After the run, print the wall time of each phase to standard error.
    #[arg(long)]
    pub(super) timings: bool,
    /// Also write the corpus fingerprint index here (JSON Lines), for `check --against-index`.
    #[arg(long, value_name = "FILE")]
    pub(super) index: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum AnalyzeFormat {
    Json,
    Jsonl,
    Html,
    Parquet,
}

#[derive(Args)]
pub(super) struct DetectArgs {
    #[command(flatten)]
    pub(super) input: InputArgs,
    /// `table` for people, `json` for programs.
    #[arg(long, value_enum, default_value_t = DetectFormat::Table)]
    pub(super) format: DetectFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum DetectFormat {
    Table,
    Json,
}

/// The settings and notes on how they were found: `--config FILE` (must exist), else
/// `mentorlens.toml` here if present, except in CI (`CI` set), where a settings file counts only
/// when named, since the checked-out tree is the content under review; `--no-config` reads none.
pub(super) fn check_settings(
    args: &CheckArgs,
) -> Result<(mentorlens::check::CheckSettings, Vec<String>)> {
    use mentorlens::check::CheckSettings;
    let mut notes = Vec::new();
    let file = match &args.config {
        _ if args.no_config => CheckSettings::default(),
        Some(path) => CheckSettings::from_file(path)?,
        None if Path::new(CONFIG_FILE).is_file() && running_in_ci() => {
            notes.push(format!(
                "{CONFIG_FILE} was not read: in CI (CI is set) a settings file counts only when named with --config (use a trusted copy, such as the base branch's), or give --no-config"
            ));
            CheckSettings::default()
        }
        None if Path::new(CONFIG_FILE).is_file() => {
            CheckSettings::from_file(Path::new(CONFIG_FILE))?
        }
        None => CheckSettings::default(),
    };
    let non_empty = |values: &Vec<String>| (!values.is_empty()).then(|| values.clone());
    let settings = file.overridden_by(CheckSettings {
        against: non_empty(&args.against),
        allow_languages: non_empty(&args.allow_languages),
        max_mangling: args.max_mangling,
        fail_on: (!args.fail_on.is_empty()).then(|| args.fail_on.clone()),
        format: args.format,
        cache: args.cache.clone(),
        against_index: args.against_index.clone(),
        ..CheckSettings::default()
    });
    Ok((settings, notes))
}

/// Whether this runs in CI: `CI` set to anything but empty, `0` or `false` (GitHub Actions,
/// GitLab CI and most others set `CI=true`).
pub(super) fn running_in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| !matches!(value.to_str(), Some("" | "0" | "false")))
}

/// The settings file `check` reads from the current folder.
pub(super) const CONFIG_FILE: &str = "mentorlens.toml";

/// The largest list of file names `--files-from` reads.
pub(super) const FILE_LIST_LIMIT: u64 = 64 << 20;

/// The new inputs: the NEW arguments, then the names listed in `--files-from`.
pub(super) fn new_inputs(args: &CheckArgs) -> Result<Vec<Input>> {
    let mut inputs: Vec<Input> = args.new.iter().cloned().map(Input::from_path).collect();
    let Some(list) = &args.files_from else {
        return Ok(inputs);
    };
    let mut bytes = Vec::new();
    let read = if list.as_os_str() == "-" {
        io::stdin()
            .lock()
            .take(FILE_LIST_LIMIT + 1)
            .read_to_end(&mut bytes)
    } else {
        // A regular file or a pipe (`--files-from <(git diff ...)`), never a device.
        let file = std::fs::File::open(list)
            .with_context(|| format!("cannot read the list of new files {}", list.display()))?;
        let kind = file.metadata()?.file_type();
        anyhow::ensure!(
            kind.is_file() || is_fifo(&kind),
            "{}: the list of new files must be a regular file or a pipe",
            list.display()
        );
        file.take(FILE_LIST_LIMIT + 1).read_to_end(&mut bytes)
    };
    read.with_context(|| format!("cannot read the list of new files {}", list.display()))?;
    anyhow::ensure!(
        bytes.len() as u64 <= FILE_LIST_LIMIT,
        "the list of new files is larger than {FILE_LIST_LIMIT} bytes"
    );
    let separator = if bytes.contains(&0) { 0 } else { b'\n' };
    for name in bytes.split(|&byte| byte == separator) {
        let name = name.strip_suffix(b"\r").unwrap_or(name);
        if !name.is_empty() {
            inputs.push(Input::Path(path_from_bytes(name)?));
        }
    }
    Ok(inputs)
}

#[cfg(unix)]
fn is_fifo(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo()
}

#[cfg(not(unix))]
pub(super) fn is_fifo(_kind: &std::fs::FileType) -> bool {
    false
}

#[cfg(unix)]
fn path_from_bytes(name: &[u8]) -> Result<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(name)))
}

#[cfg(not(unix))]
pub(super) fn path_from_bytes(name: &[u8]) -> Result<PathBuf> {
    Ok(PathBuf::from(
        std::str::from_utf8(name).context("a file name in the list is not UTF-8")?,
    ))
}
