//! Command-line interface: clap definitions, progress bar, output files, exit codes.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use mentorlens::corpus::Input;
use mentorlens::report::{Report, html, write_output};
use mentorlens::terminal::escape_for_terminal;
use mentorlens::{Analysis, Config, DocumentStages, Outcome, Pipeline, Progress};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reads a corpus of articles about mentorship and reports what is in it.
#[derive(Parser)]
#[command(name = "mentorlens", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    /// Print the JSON Schema of the report.
    Schema,
    /// Write the HTML page of a JSON report already written (`analyze -o REPORT.json`); the
    /// texts are read again from the documents' paths.
    Report(ReportArgs),
    /// The analysis as tasks over shards, for a cluster (Dask, Slurm, Spark) or local processes:
    /// plan, stages, task, assemble, run. The report is the one `analyze` writes.
    Dist(mentorlens::dist::DistArgs),
}

#[derive(Args)]
struct ReportArgs {
    /// The JSON report (`analyze --format json`), or - for standard input.
    report: PathBuf,
    /// Write the page to this file instead of standard output (replaced atomically).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct NormalizeArgs {
    /// One document: a text file, a JSON Lines file of one record, or - for standard input.
    input: String,
    /// Show the edits inline over the original: [-spun-]{+restored+} (coloured on a terminal
    /// unless NO_COLOR is set). Not with `--format json`, which lists the edits itself.
    #[arg(long)]
    diff: bool,
    /// `text` prints the restored text (or the diff); `json` prints the mangling object.
    #[arg(long, value_enum, default_value_t = NormalizeFormat::Text)]
    format: NormalizeFormat,
    /// Extra spinner-reversal lexicon (TSV: spun, original, mode, source).
    #[arg(long, value_name = "FILE")]
    lexicon: Option<PathBuf>,
}

#[derive(Args)]
struct AlignArgs {
    /// The first version (a file, or - for standard input).
    a: String,
    /// The second version.
    b: String,
    /// Align sentence by sentence instead of paragraph by paragraph.
    #[arg(long)]
    sentences: bool,
    /// Each line of both versions is one sentence (a sentence-split parallel text): align the
    /// lines as they are, numbered from 0.
    #[arg(long, conflicts_with = "sentences")]
    lines: bool,
    /// `table` for people, `json` for programs, `html` for a page that shows both versions in
    /// full, sentence pairs highlighted together (paragraph rows; not with --sentences or --lines).
    #[arg(long, value_enum, default_value_t = AlignFormat::Table)]
    format: AlignFormat,
    /// Write to this file instead of standard output (replaced atomically).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Width of each side of the table, in characters (10 to 1000).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u16).range(10..=1000))]
    width: u16,
}

#[derive(Clone, Copy, ValueEnum)]
enum AlignFormat {
    Table,
    Json,
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum NormalizeFormat {
    Text,
    Json,
}

/// The most worker threads `--threads` takes: more only spends time starting them.
const MAX_THREADS: u64 = 1024;

/// `--threads`: 1 to [`MAX_THREADS`].
fn thread_count() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(1..=MAX_THREADS)
}

/// Options shared by every command that reads a corpus.
#[derive(Args)]
struct InputArgs {
    /// Files, folders (walked recursively, sorted) or - for standard input; `.jsonl` files hold
    /// one {"id", "text"} record per line.
    #[arg(default_value = "corpus")]
    paths: Vec<String>,
    /// Worker threads, 1 to 1024 (default: one per core). The output does not depend on it.
    #[arg(long, value_parser = thread_count())]
    threads: Option<usize>,
    /// No progress bar and no summary on standard error.
    #[arg(long, short)]
    quiet: bool,
    /// Settings file in `check`'s format (mentorlens.toml): its stage tables (`[load]`,
    /// `[segment]`, `[language]`, `[normalize]`, `[themes]`) set the analysis, the flags override
    /// them; the gate's own keys are left to `check`. Unknown keys are an error.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    stages: StageArgs,
}

/// Settings of the analysis stages, shared by every command that analyses text.
#[derive(Args)]
struct StageArgs {
    /// File extensions a folder walk reads, comma-separated (default: txt,text,jsonl; `*` for
    /// every file, an empty entry for files without one); other files in folders are skipped. A
    /// file named on the command line is always read.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    ext: Option<Vec<String>>,
    /// Only choose among these languages (ISO 639-1 or 639-3 codes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    languages: Vec<String>,
    /// Extra theme taxonomy (TSV: id, label, definition, kram); rows with a known id replace it.
    #[arg(long, value_name = "FILE")]
    taxonomy: Option<PathBuf>,
    /// Use `--taxonomy FILE` alone: no built-in themes, and no built-in cues of themes not in FILE.
    #[arg(long, requires = "taxonomy")]
    no_default_taxonomy: bool,
    /// Extra theme cues (TSV: language, theme, cue, weight, reason).
    #[arg(long, value_name = "FILE")]
    cues: Option<PathBuf>,
    /// Extra spinner-reversal lexicon (TSV: spun, original, mode, source).
    #[arg(long, value_name = "FILE")]
    lexicon: Option<PathBuf>,
}

impl StageArgs {
    /// `config` with the flags that were given replacing its values.
    fn applied_to(&self, mut config: Config) -> Config {
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
struct CheckArgs {
    /// New files or folders to check (any file name, UTF-8 or not).
    #[arg(value_name = "NEW", required_unless_present = "files_from")]
    new: Vec<PathBuf>,
    /// Also check the files named in FILE (- for standard input): one name per line, or
    /// NUL-separated as `git diff -z --name-only` writes them. An empty list checks nothing and
    /// passes.
    #[arg(long, value_name = "FILE")]
    files_from: Option<PathBuf>,
    /// The corpus to compare with: a file or folder; repeat the flag for more (`against` in
    /// mentorlens.toml).
    #[arg(long, value_name = "CORPUS")]
    against: Vec<String>,
    /// Languages new content may be in, comma-separated (default: any).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    allow_languages: Vec<String>,
    /// A mangling score above this is spun English (default 0.5).
    #[arg(long, value_name = "SCORE")]
    max_mangling: Option<f64>,
    /// Rules that fail the check, added to the default (duplicate,spun,language,unreadable) or
    /// to the settings file's list; other findings are warnings.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    fail_on: Vec<mentorlens::check::Rule>,
    /// text, json, sarif, github or junit (default text).
    #[arg(long, value_name = "FORMAT")]
    format: Option<mentorlens::check::output::Format>,
    /// Settings file (default: mentorlens.toml in the current folder, when there is one and
    /// `CI` is not set).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Read no settings file: the defaults and the flags only.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Keep corpus fingerprints here between runs; only changed documents are analysed again.
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Write the findings to this file instead of standard output (- is standard output; a file
    /// is replaced atomically, keeping its permissions; a device is written through).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_parser = thread_count())]
    threads: Option<usize>,
    #[command(flatten)]
    stages: StageArgs,
}

#[derive(Args)]
struct ThemesArgs {
    #[command(flatten)]
    input: InputArgs,
    /// `table` for people, `json` for programs.
    #[arg(long, value_enum, default_value_t = DetectFormat::Table)]
    format: DetectFormat,
}

#[derive(Args)]
struct AnalyzeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Write the report to this file instead of standard output (- is standard output; a file
    /// is replaced atomically, keeping its permissions; a device is written through).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// `json`: the whole report; `jsonl`: one record per line, each with a `record` field;
    /// `html`: one self-contained page for people (groups side by side, spun edits, themes ×
    /// articles); `parquet`: one Parquet file per table in the folder `-o DIR`.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Json)]
    format: AnalyzeFormat,
    /// After the run, print the wall time of each phase to standard error.
    #[arg(long)]
    timings: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum AnalyzeFormat {
    Json,
    Jsonl,
    Html,
    Parquet,
}

#[derive(Args)]
struct DetectArgs {
    #[command(flatten)]
    input: InputArgs,
    /// `table` for people, `json` for programs.
    #[arg(long, value_enum, default_value_t = DetectFormat::Table)]
    format: DetectFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum DetectFormat {
    Table,
    Json,
}

/// Parses the command line and runs the command; returns the exit code.
pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    #[cfg(unix)]
    remove_temporary_files_on_interrupt()?;
    match cli.command {
        Command::Analyze(args) => analyze(args),
        Command::Detect(args) => detect(args),
        Command::Normalize(args) => normalize(args),
        Command::Align(args) => align(args),
        Command::Themes(args) => themes(args),
        Command::Check(args) => check(args),
        Command::Report(args) => html_of_report(args),
        Command::Dist(args) => mentorlens::dist::main(args),
        Command::Schema => {
            let schema = serde_json::to_string_pretty(&Report::json_schema())?;
            let mut out = stdout_writer();
            writeln!(out, "{schema}")?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// On Ctrl-C (SIGINT) or SIGTERM, removes the temporary files of output being written and exits
/// with 128 + the signal's number (130, 143), as a shell reports a process the signal ended.
#[cfg(unix)]
fn remove_temporary_files_on_interrupt() -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .context("cannot watch for Ctrl-C")?;
    std::thread::Builder::new()
        .name("interrupt".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                mentorlens::report::remove_temporary_files_and_exit(128 + signal);
            }
        })
        .context("cannot watch for Ctrl-C")?;
    Ok(())
}

fn analyze(args: AnalyzeArgs) -> Result<ExitCode> {
    let parquet_folder = match (args.format, args.output.as_deref()) {
        (AnalyzeFormat::Parquet, Some(folder)) if folder != Path::new("-") => Some(folder),
        (AnalyzeFormat::Parquet, _) => {
            return Ok(usage_error(
                "--format parquet writes one file per table: name their folder with -o DIR",
            ));
        }
        _ => None,
    };
    let analysis = run_pipeline(&args.input)?;
    let started = std::time::Instant::now();
    let report = Report::new(&analysis);
    if let Some(folder) = parquet_folder {
        report
            .write_parquet(folder)
            .with_context(|| format!("cannot write the Parquet tables to {}", folder.display()))?;
    } else {
        let write = |out: &mut dyn Write| match args.format {
            AnalyzeFormat::Jsonl => report.write_jsonl(out),
            AnalyzeFormat::Json | AnalyzeFormat::Parquet => report.write_json(out),
            AnalyzeFormat::Html => {
                let texts: Vec<Option<&str>> = analysis
                    .documents
                    .iter()
                    .map(|d| Some(d.document.text.as_str()))
                    .collect();
                html::write_html(&report, &texts, &html::PageOptions::default(), out)
            }
        };
        write_to(args.output.as_deref(), "report", write)?;
    }
    if args.timings {
        let timings = &analysis.timings;
        let phases = [
            ("load", timings.load),
            ("documents", timings.documents),
            ("group", timings.group),
            ("themes", timings.themes),
            ("write", started.elapsed()),
        ];
        let shown: Vec<String> = phases
            .iter()
            .map(|(phase, time)| format!("{phase} {:.2} s", time.as_secs_f64()))
            .collect();
        eprintln!("mentorlens: timings: {}", shown.join(", "));
    }
    Ok(finish(&analysis, args.input.quiet))
}

/// Writes `what` to `output` (see [`write_output`]), or to standard output without `-o`.
fn write_to(
    output: Option<&Path>,
    what: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match output {
        Some(path) if path != Path::new("-") => write_output(path, write)
            .with_context(|| format!("cannot write the {what} to {}", path.display())),
        _ => {
            let mut out = stdout_writer();
            write(&mut out)?;
            Ok(out.flush()?)
        }
    }
}

/// The widest a table's first column grows: a longer id is printed whole and pushes the rest of
/// its own row right, instead of widening every row.
const MAX_COLUMN_WIDTH: usize = 48;

fn detect(args: DetectArgs) -> Result<ExitCode> {
    // Languages only: no normalisation, grouping or themes.
    let analysis = run_document_stages(&args.input, DocumentStages::UpToLanguage)?;
    let report = Report::new(&analysis);
    let mut out = stdout_writer();
    match args.format {
        DetectFormat::Json => {
            let rows: Vec<serde_json::Value> = report
                .documents
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id,
                        "path": d.path,
                        "language": d.language,
                        "secondary_languages": d.secondary_languages,
                        "paragraphs": d.paragraphs.len(),
                        "words": d.words,
                    })
                })
                .collect();
            let json = serde_json::json!({ "documents": rows, "errors": report.errors });
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        DetectFormat::Table => {
            let ids: Vec<_> = report
                .documents
                .iter()
                .map(|d| escape_for_terminal(&d.id))
                .collect();
            let id_width = ids
                .iter()
                .map(|id| id.chars().count())
                .chain([2])
                .max()
                .unwrap_or(2)
                .min(MAX_COLUMN_WIDTH);
            writeln!(
                out,
                "{:<id_width$}  {:<8}  {:>10}  {:>10}  {:>8}",
                "id", "language", "confidence", "paragraphs", "words"
            )?;
            for (d, id) in report.documents.iter().zip(&ids) {
                let mut language = d.language.code.clone();
                if !d.language.reliable && d.language.code != "und" {
                    language.push('?');
                }
                for secondary in &d.secondary_languages {
                    language.push('+');
                    language.push_str(&secondary.code);
                }
                writeln!(
                    out,
                    "{:<id_width$}  {:<8}  {:>10.2}  {:>10}  {:>8}",
                    id,
                    language,
                    d.language.confidence,
                    d.paragraphs.len(),
                    d.words
                )?;
            }
        }
    }
    out.flush()?;
    Ok(finish(&analysis, args.input.quiet))
}

fn normalize(args: NormalizeArgs) -> Result<ExitCode> {
    if args.diff && matches!(args.format, NormalizeFormat::Json) {
        <Cli as clap::CommandFactory>::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--diff cannot be used with --format json: the JSON lists every edit with its offsets",
            )
            .exit();
    }
    if Path::new(&args.input).is_dir() {
        return Ok(usage_error(&format!(
            "{}: normalize takes one document, not a folder; give one file (analyze reads a corpus)",
            args.input
        )));
    }
    let mut config = Config::default();
    config.normalize.lexicon = args.lexicon.clone();
    let pipeline = Pipeline::new(&config)?;
    let analysis = pipeline.run(&[Input::from_arg(&args.input)], &());
    let records = analysis.documents.len() + analysis.errors.len();
    if records > 1 {
        return Ok(usage_error(&format!(
            "{}: holds {records} records; normalize takes one document (analyze reads them all)",
            args.input
        )));
    }
    if let Some(error) = analysis.errors.first() {
        return Ok(usage_error(&error.to_string()));
    }
    let Some(analysed) = analysis.documents.first() else {
        return Ok(usage_error(&format!(
            "{}: no document to normalise",
            args.input
        )));
    };
    let colour = io::stdout().is_terminal() && colour_allowed(std::env::var_os("NO_COLOR"));
    let mut out = stdout_writer();
    let text = &analysed.document.text;
    match (&analysed.mangling, args.format) {
        (Some(mangling), NormalizeFormat::Json) => {
            let mangling = mentorlens::report::ManglingReport::new(mangling, text);
            serde_json::to_writer_pretty(&mut out, &mangling)?;
            writeln!(out)?;
        }
        (None, NormalizeFormat::Json) => {
            let language = &analysed.languages.document.code;
            let not_english = serde_json::json!({
                "english": false,
                "language": language,
                "edits": [],
                "message": format!("the document is not in English ({language}): it is left as it is"),
            });
            serde_json::to_writer_pretty(&mut out, &not_english)?;
            writeln!(out)?;
        }
        (mangling, NormalizeFormat::Text) if args.diff => {
            let edits = mangling.as_ref().map_or(&[][..], |m| m.edits.as_slice());
            write!(out, "{}", inline_diff(text, edits, colour))?;
        }
        (_, NormalizeFormat::Text) => {
            let restored = analysed.normalized_text();
            write!(out, "{}", restored.as_deref().unwrap_or(text))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Prints `message` as the command's error and gives the usage-error exit code (2).
fn usage_error(message: &str) -> ExitCode {
    eprintln!("mentorlens: {}", escape_for_terminal(message));
    ExitCode::from(2)
}

/// Whether output may be coloured, given `NO_COLOR`: not when it is set to anything but empty
/// (<https://no-color.org>).
fn colour_allowed(no_color: Option<std::ffi::OsString>) -> bool {
    no_color.is_none_or(|value| value.is_empty())
}

/// Byte spans of the lines of `text`, without their line ends.
fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let mut start = 0;
    text.split_inclusive('\n')
        .map(|line| {
            let span = (start, start + line.trim_end_matches(['\n', '\r']).len());
            start += line.len();
            span
        })
        .collect()
}

/// The pieces of `text` at `spans`.
fn slices<'t>(text: &'t str, spans: &[(usize, usize)]) -> Vec<&'t str> {
    spans
        .iter()
        .map(|&(start, end)| &text[start..end])
        .collect()
}

fn align(args: AlignArgs) -> Result<ExitCode> {
    let pipeline = Pipeline::new(&Config::default())?;
    let mut versions = Vec::new();
    for input in [&args.a, &args.b] {
        let mut analysis = pipeline.run(&[Input::from_arg(input)], &());
        if let Some(error) = analysis.errors.first() {
            eprintln!("mentorlens: {}", escape_for_terminal(&error.to_string()));
            return Ok(ExitCode::from(2));
        }
        if analysis.documents.len() != 1 {
            eprintln!(
                "mentorlens: {}: give one document (a file or -), not a folder or JSON Lines",
                escape_for_terminal(input)
            );
            return Ok(ExitCode::from(2));
        }
        versions.push(analysis.documents.remove(0));
    }
    if let AlignFormat::Html = args.format {
        if args.sentences || args.lines {
            return Ok(usage_error(
                "--format html shows paragraph rows with their sentences paired on hover: leave out --sentences and --lines",
            ));
        }
        return align_page(versions, args.output.as_deref());
    }
    let (a, b) = (&versions[0], &versions[1]);
    // Spans of the units shown: lines, paragraphs, or sentences numbered through the document.
    let units = |analysed: &mentorlens::AnalysedDocument| -> Vec<(usize, usize)> {
        let paragraphs = analysed.segmented.paragraphs.iter();
        if args.lines {
            line_spans(&analysed.document.text)
        } else if args.sentences {
            paragraphs
                .flat_map(|p| p.sentences.iter().map(|s| (s.start, s.end)))
                .collect()
        } else {
            paragraphs.map(|p| (p.span.start, p.span.end)).collect()
        }
    };
    let (units_a, units_b) = (units(a), units(b));
    let alignment = if args.lines {
        mentorlens::align::Alignment {
            paragraphs: Vec::new(),
            sentences: mentorlens::align::align_sentences(
                &slices(&a.document.text, &units_a),
                &slices(&b.document.text, &units_b),
            ),
        }
    } else {
        mentorlens::align::align(
            &a.document.text,
            &a.segmented,
            &b.document.text,
            &b.segmented,
        )
    };
    let write = |out: &mut dyn Write| -> io::Result<()> {
        if let AlignFormat::Json = args.format {
            serde_json::to_writer_pretty(&mut *out, &alignment)?;
            return writeln!(out);
        }
        write_alignment_table(out, &args, (a, &units_a), (b, &units_b), &alignment)
    };
    write_to(args.output.as_deref(), "alignment", write)?;
    Ok(ExitCode::SUCCESS)
}

/// The alignment as a table: the score, then each side cut to `--width` characters.
fn write_alignment_table(
    out: &mut dyn Write,
    args: &AlignArgs,
    (a, units_a): (&mentorlens::AnalysedDocument, &[(usize, usize)]),
    (b, units_b): (&mentorlens::AnalysedDocument, &[(usize, usize)]),
    alignment: &mentorlens::align::Alignment,
) -> io::Result<()> {
    let beads = if args.sentences || args.lines {
        &alignment.sentences
    } else {
        &alignment.paragraphs
    };
    let width = usize::from(args.width);
    let cell = |text: &str, indices: &[usize], units: &[(usize, usize)]| -> String {
        let joined: Vec<&str> = indices
            .iter()
            .map(|&i| &text[units[i].0..units[i].1])
            .collect();
        let label = indices
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("+");
        let joined = joined.join(" ¶ ").replace(['\n', '\r'], " ");
        let body = format!("{label:>5} {}", escape_for_terminal(&joined));
        let mut shown: String = body.chars().take(width).collect();
        if body.chars().count() > width {
            shown.pop();
            shown.push('…');
        }
        format!("{shown:<width$}")
    };
    writeln!(
        out,
        "{:>5}  {:<width$} │ {}",
        "score",
        escape_for_terminal(&a.document.id),
        escape_for_terminal(&b.document.id)
    )?;
    for bead in beads {
        writeln!(
            out,
            "{:>5.2}  {} │ {}",
            bead.score,
            cell(&a.document.text, &bead.a, units_a),
            cell(&b.document.text, &bead.b, units_b)
        )?;
    }
    Ok(())
}

/// The HTML page of two versions: their group as `analyze` finds it, or, when `analyze` would not
/// take them for versions of one article, their alignment under a warning that says so.
fn align_page(
    mut versions: Vec<mentorlens::AnalysedDocument>,
    output: Option<&Path>,
) -> Result<ExitCode> {
    use mentorlens::align::group::{Group, GroupKind, PairAlignment, group};
    mentorlens::corpus::assign_unique_ids(versions.iter_mut().map(|v| &mut v.document));
    let mut groups = group(&versions);
    let mut notes = Vec::new();
    if groups.is_empty() {
        let (a, b) = (&versions[0], &versions[1]);
        notes.push(format!(
            "{} and {} are not versions of one article by analyze's measure (the names, numbers and shape they share): the rows below pair paragraphs by length and shared words only, so read each row before trusting it.",
            a.document.id, b.document.id
        ));
        let mut documents = vec![a.document.id.clone(), b.document.id.clone()];
        documents.sort();
        let same_language = a.languages.document.code == b.languages.document.code;
        groups.push(Group {
            id: "pair".into(),
            kind: if same_language {
                GroupKind::Duplicate
            } else {
                GroupKind::Translation
            },
            documents,
            score: 0.0,
            evidence: Vec::new(),
            alignments: vec![PairAlignment {
                a: a.document.id.clone(),
                b: b.document.id.clone(),
                alignment: mentorlens::align::align(
                    &a.document.text,
                    &a.segmented,
                    &b.document.text,
                    &b.segmented,
                ),
            }],
        });
    }
    let options = html::PageOptions {
        start: format!("group/{}", groups[0].id),
        notes,
    };
    let analysis = Analysis {
        documents: versions,
        groups,
        ..Analysis::default()
    };
    let report = Report::new(&analysis);
    let texts: Vec<Option<&str>> = analysis
        .documents
        .iter()
        .map(|d| Some(d.document.text.as_str()))
        .collect();
    write_to(output, "page", |out| {
        html::write_html(&report, &texts, &options, out)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `report REPORT.json`: the HTML page of a JSON report, with the texts read again from the
/// documents' paths (relative to the current folder, or else to the report's).
fn html_of_report(args: ReportArgs) -> Result<ExitCode> {
    let shown = args.report.display().to_string();
    let (json, base) = if args.report.as_os_str() == "-" {
        let mut json = Vec::new();
        io::stdin().lock().read_to_end(&mut json)?;
        (json, PathBuf::from("."))
    } else {
        let json = std::fs::read(&args.report).with_context(|| format!("cannot read {shown}"))?;
        let base = args.report.parent().unwrap_or(Path::new("")).to_path_buf();
        (json, base)
    };
    let report: Report = serde_json::from_slice(&json).with_context(|| {
        format!("{shown}: not a mentorlens JSON report (write one with analyze --format json)")
    })?;
    anyhow::ensure!(
        report.schema_version == mentorlens::report::SCHEMA_VERSION,
        "{shown}: report schema version {} is not {}",
        report.schema_version,
        mentorlens::report::SCHEMA_VERSION
    );
    let texts = html::read_texts(&report, &base);
    let missing = texts.iter().filter(|text| text.is_none()).count();
    if missing > 0 {
        eprintln!(
            "mentorlens: {missing} of {} document texts could not be read again (moved or changed since the report); the page shows the report's figures for them",
            texts.len()
        );
    }
    let texts: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
    write_to(args.output.as_deref(), "page", |out| {
        html::write_html(&report, &texts, &html::PageOptions::default(), out)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The settings and notes on how they were found: `--config FILE` (must exist), else
/// `mentorlens.toml` here if present, except in CI (`CI` set), where a settings file counts only
/// when named, since the checked-out tree is the content under review; `--no-config` reads none.
fn check_settings(args: &CheckArgs) -> Result<(mentorlens::check::CheckSettings, Vec<String>)> {
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
        ..CheckSettings::default()
    });
    Ok((settings, notes))
}

/// Whether this runs in CI: `CI` set to anything but empty, `0` or `false` (GitHub Actions,
/// GitLab CI and most others set `CI=true`).
fn running_in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| !matches!(value.to_str(), Some("" | "0" | "false")))
}

/// The settings file `check` reads from the current folder.
const CONFIG_FILE: &str = "mentorlens.toml";

/// The largest list of file names `--files-from` reads.
const FILE_LIST_LIMIT: u64 = 64 << 20;

/// The new inputs: the NEW arguments, then the names listed in `--files-from`.
fn new_inputs(args: &CheckArgs) -> Result<Vec<Input>> {
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
fn is_fifo(_kind: &std::fs::FileType) -> bool {
    false
}

#[cfg(unix)]
fn path_from_bytes(name: &[u8]) -> Result<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(name)))
}

#[cfg(not(unix))]
fn path_from_bytes(name: &[u8]) -> Result<PathBuf> {
    Ok(PathBuf::from(
        std::str::from_utf8(name).context("a file name in the list is not UTF-8")?,
    ))
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    let (settings, notes) = check_settings(&args)?;
    let pipeline = Pipeline::new(&args.stages.applied_to(settings.pipeline_config()))?;
    let inputs = new_inputs(&args)?;
    let pool = thread_pool(args.threads)?;
    let mut report = pool.install(|| mentorlens::check::check(&pipeline, &inputs, &settings))?;
    report.notes.extend(notes);
    let format = settings
        .format
        .unwrap_or(mentorlens::check::output::Format::Text);
    let write = |out: &mut dyn Write| mentorlens::check::output::write(&report, format, out);
    write_to(args.output.as_deref(), "findings", write)?;
    Ok(if report.failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn themes(args: ThemesArgs) -> Result<ExitCode> {
    let analysis = run_pipeline(&args.input)?;
    let report = Report::new(&analysis);
    let mut out = stdout_writer();
    match args.format {
        DetectFormat::Json => {
            let documents: Vec<serde_json::Value> = report
                .documents
                .iter()
                .map(|d| serde_json::json!({ "id": d.id, "language": d.language, "themes": d.themes }))
                .collect();
            let json = serde_json::json!({
                "themes": report.themes,
                "discovered_themes": report.discovered_themes,
                "documents": documents,
                "errors": report.errors,
            });
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        DetectFormat::Table => write_theme_table(&mut out, &analysis, &report)?,
    }
    out.flush()?;
    Ok(finish(&analysis, args.input.quiet))
}

/// Themes as rows, distinct articles as columns: `✓n` where the article states the theme (n pieces
/// of evidence), `·` where it does not; a legend maps article columns to documents.
fn write_theme_table(out: &mut dyn Write, analysis: &Analysis, report: &Report) -> io::Result<()> {
    let article_of = mentorlens::themes::article_of(&analysis.documents, &analysis.groups);
    let mut articles: Vec<(String, Vec<String>)> = Vec::new();
    for (document, article) in analysis.documents.iter().zip(&article_of) {
        match articles.iter_mut().find(|(a, _)| a == article) {
            Some((_, members)) => members.push(document.document.id.clone()),
            None => articles.push((article.clone(), vec![document.document.id.clone()])),
        }
    }
    let labels: Vec<_> = report
        .themes
        .iter()
        .map(|t| escape_for_terminal(&t.id))
        .collect();
    let label_width = labels
        .iter()
        .map(|label| label.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5)
        .min(MAX_COLUMN_WIDTH);
    write!(out, "{:<label_width$}  {:>8}", "theme", "articles")?;
    for number in 1..=articles.len() {
        write!(out, " {:>5}", format!("A{number}"))?;
    }
    writeln!(out)?;
    for (theme, label) in report.themes.iter().zip(&labels) {
        let recurring = if theme.recurring { "*" } else { " " };
        write!(
            out,
            "{label:<label_width$}  {:>7}{recurring}",
            theme.articles
        )?;
        for (_, members) in &articles {
            let evidence = theme
                .evidence
                .iter()
                .filter(|e| members.contains(&e.document))
                .count();
            let stated = theme.documents.iter().any(|d| members.contains(d));
            let cell = if stated {
                format!("✓{evidence}")
            } else {
                "·".to_string()
            };
            write!(out, " {cell:>5}")?;
        }
        writeln!(out)?;
    }
    for theme in &report.discovered_themes {
        let line = format!(
            "discovered {}: {} ({} articles: {})",
            theme.id,
            theme.key_phrases.join(", "),
            theme.articles,
            theme.documents.join(", ")
        );
        writeln!(out, "{}", escape_for_terminal(&line))?;
    }
    writeln!(out, "* recurs in at least two distinct articles")?;
    for (number, (_, members)) in articles.iter().enumerate() {
        let members = members.join(", ");
        writeln!(out, "A{}: {}", number + 1, escape_for_terminal(&members))?;
    }
    Ok(())
}

/// The original with each edit shown as `[-from-]{+to+}` (red and green on a terminal).
fn inline_diff(text: &str, edits: &[mentorlens::normalize::Edit], colour: bool) -> String {
    let (removed, added, reset) = if colour {
        ("\x1b[31m", "\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let mut out = String::with_capacity(text.len() + edits.len() * 16);
    let mut position = 0;
    for edit in edits {
        if edit.start < position {
            continue;
        }
        out.push_str(&visible_lines(&text[position..edit.start]));
        out.push_str(&format!(
            "{removed}[-{}-]{reset}",
            escape_for_terminal(&edit.from)
        ));
        if !edit.to.is_empty() {
            out.push_str(&format!(
                "{added}{{+{}+}}{reset}",
                escape_for_terminal(&edit.to)
            ));
        }
        position = edit.end;
    }
    out.push_str(&visible_lines(&text[position..]));
    out
}

/// Text shown on a terminal line by line: control characters made visible, line ends (`\n`,
/// `\r\n`) kept.
fn visible_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let body = line
                .strip_suffix("\r\n")
                .or_else(|| line.strip_suffix('\n'))
                .unwrap_or(line);
            format!("{}{}", escape_for_terminal(body), &line[body.len()..])
        })
        .collect()
}

fn run_pipeline(input: &InputArgs) -> Result<Analysis> {
    on_inputs(input, |pipeline, inputs, progress| {
        pipeline.run(inputs, progress)
    })
}

/// The per-document stages up to `stages`, without the corpus stages.
fn run_document_stages(input: &InputArgs, stages: DocumentStages) -> Result<Analysis> {
    on_inputs(input, |pipeline, inputs, progress| {
        let (documents, errors) = pipeline.analyse_inputs(inputs, progress, stages);
        Analysis {
            documents,
            errors,
            settings: pipeline.settings(),
            ..Analysis::default()
        }
    })
}

/// Builds the pipeline from the flags and calls `work` with it, the inputs and the progress bar,
/// on a pool of `--threads` workers.
fn on_inputs<T: Send>(
    input: &InputArgs,
    work: impl FnOnce(&Pipeline, &[Input], &dyn Progress) -> T + Send,
) -> Result<T> {
    let settings = match &input.config {
        Some(path) => mentorlens::check::CheckSettings::from_file(path)?.pipeline_config(),
        None => Config::default(),
    };
    let pipeline = Pipeline::new(&input.stages.applied_to(settings))?;
    let inputs: Vec<Input> = input.paths.iter().map(|p| Input::from_arg(p)).collect();
    let pool = thread_pool(input.threads)?;
    let bar = ProgressBarSink::new(input.quiet);
    let result = pool.install(|| work(&pipeline, &inputs, &bar));
    bar.bar.finish_and_clear();
    Ok(result)
}

/// Standard output for a command's results, buffered. A reader that goes away early
/// (`mentorlens … | head`) is not an error: the rest of the output is dropped and the command's
/// own exit code stands (a failing gate still exits 1 under `set -o pipefail`).
fn stdout_writer() -> io::BufWriter<ReaderMayLeave<io::StdoutLock<'static>>> {
    io::BufWriter::new(ReaderMayLeave {
        inner: io::stdout().lock(),
        gone: false,
    })
}

/// A writer whose reader may close the pipe: after a broken pipe, writes are dropped.
struct ReaderMayLeave<W> {
    inner: W,
    gone: bool,
}

impl<W: Write> ReaderMayLeave<W> {
    fn unless_gone(&mut self, result: io::Result<usize>, len: usize) -> io::Result<usize> {
        match result {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.gone = true;
                Ok(len)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for ReaderMayLeave<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.gone {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.unless_gone(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.gone {
            return Ok(());
        }
        let result = self.inner.flush().map(|()| 0);
        self.unless_gone(result, 0).map(|_| ())
    }
}

/// The worker pool: `threads` workers, or one per core.
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        pool = pool.num_threads(threads);
    }
    pool.build().context("cannot start the worker threads")
}

/// Prints the summary and errors on standard error; returns the exit code.
fn finish(analysis: &Analysis, quiet: bool) -> ExitCode {
    if !quiet {
        eprintln!(
            "mentorlens: {} document(s) analysed, {} input(s) failed",
            analysis.documents.len(),
            analysis.errors.len()
        );
        for error in &analysis.errors {
            eprintln!("  {}", escape_for_terminal(&error.to_string()));
        }
    }
    match analysis.outcome() {
        Outcome::AllAnalysed => ExitCode::SUCCESS,
        Outcome::SomeFailed => ExitCode::from(3),
        Outcome::NothingRead => {
            if !quiet {
                eprintln!("mentorlens: nothing could be read");
            }
            ExitCode::from(2)
        }
    }
}

/// A progress bar on standard error, drawn only on a terminal and without `--quiet`.
struct ProgressBarSink {
    bar: ProgressBar,
}

impl ProgressBarSink {
    fn new(quiet: bool) -> Self {
        let bar = if quiet || !io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0).with_style(
                ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} documents {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            )
        };
        Self { bar }
    }
}

impl Progress for ProgressBarSink {
    fn start(&self, total: usize) {
        self.bar.set_length(total as u64);
    }

    fn advance(&self) {
        self.bar.inc(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_set_and_not_empty_turns_colour_off() {
        assert!(colour_allowed(None));
        assert!(colour_allowed(Some("".into())));
        assert!(!colour_allowed(Some("1".into())));
        assert!(!colour_allowed(Some("false".into())));
    }
}
