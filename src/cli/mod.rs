//! Command-line interface: the subcommands, each parsing its flags into settings, calling the
//! library and rendering what it returns.

mod args;
mod dist;
mod render;

use anyhow::{Context, Result};
use args::*;
use clap::Parser;
use mentorlens::align::units::{Unit, Version, align_by};
use mentorlens::corpus::Input;
use mentorlens::escape_for_terminal;
use mentorlens::report::{LanguagesView, Report, ThemesView, html};
use mentorlens::segment::Segmented;
use mentorlens::{Analysis, Config, DocumentStages, Outcome, Pipeline, Progress};
use render::*;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
        Command::Dist(args) => dist::main(args),
        Command::Schema(args) => {
            let schema = match args.of {
                SchemaOf::Report => Report::json_schema(),
                SchemaOf::Detect => LanguagesView::json_schema(),
                SchemaOf::Themes => ThemesView::json_schema(),
            };
            let schema = serde_json::to_string_pretty(&schema)?;
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
    let summary = RunSummary::of(&analysis);
    let timings = analysis.timings.summary();
    // The page and the index read the texts again after the report; otherwise they move into it.
    let (report, kept) = if matches!(args.format, AnalyzeFormat::Html) || args.index.is_some() {
        (Report::new(&analysis), Some(analysis))
    } else {
        (Report::from_analysis(analysis), None)
    };
    if let Some(folder) = parquet_folder {
        report
            .write_parquet(folder)
            .with_context(|| format!("cannot write the Parquet tables to {}", folder.display()))?;
    } else {
        let write = |out: &mut dyn Write| match (args.format, &kept) {
            (AnalyzeFormat::Html, Some(analysis)) => {
                html::write_html_of_analysis(&report, analysis, &html::PageOptions::default(), out)
            }
            (AnalyzeFormat::Jsonl, _) => report.write_jsonl(out),
            _ => report.write_json(out),
        };
        write_to(args.output.as_deref(), "report", write)?;
    }
    if let (Some(path), Some(analysis)) = (&args.index, &kept) {
        write_index(path, analysis)?;
    }
    if args.timings {
        eprintln!(
            "mentorlens: timings: {timings}, write {:.2} s wall",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(summary.finish(args.input.quiet))
}

/// Writes the corpus fingerprint index of an analysis (`--index FILE`).
fn write_index(path: &Path, analysis: &Analysis) -> Result<()> {
    mentorlens::report::write_output(path, |out| {
        mentorlens::check::write_index(out, &analysis.settings, &analysis.documents)
    })
    .with_context(|| format!("cannot write the index to {}", path.display()))
}

fn detect(args: DetectArgs) -> Result<ExitCode> {
    // Languages only: no normalisation, grouping or themes.
    let analysis = run_document_stages(&args.input, DocumentStages::UpToLanguage)?;
    let report = Report::new(&analysis);
    let mut out = stdout_writer();
    match args.format {
        DetectFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &LanguagesView::new(&report))?;
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
    let (documents, errors) = pipeline.analyse_inputs(
        &[Input::from_arg(&args.input)],
        &(),
        DocumentStages::UpToNormalize,
    );
    let records = documents.len() + errors.len();
    if records > 1 {
        return Ok(usage_error(&format!(
            "{}: holds {records} records; normalize takes one document (analyze reads them all)",
            args.input
        )));
    }
    if let Some(error) = errors.first() {
        return Ok(usage_error(&error.to_string()));
    }
    let Some(analysed) = documents.first() else {
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
            let language = analysed.languages.document.language;
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
            write!(out, "{}", restored.unwrap_or(text))?;
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
fn align(args: AlignArgs) -> Result<ExitCode> {
    let unit = if args.lines {
        Unit::Lines
    } else if args.sentences {
        Unit::Sentences
    } else {
        Unit::Paragraphs
    };
    let pipeline = Pipeline::new(&Config::default())?;
    let inputs = [&args.a, &args.b].map(|input| [Input::from_arg(input)]);
    if let AlignFormat::Html = args.format {
        if unit != Unit::Paragraphs {
            return Ok(usage_error(
                "--format html shows paragraph rows with their sentences paired on hover: leave out --sentences and --lines",
            ));
        }
        // The page shows the pair as grouping sees it: languages and normalised texts too.
        let mut versions = Vec::new();
        for (input, name) in inputs.iter().zip([&args.a, &args.b]) {
            let loaded = pipeline.analyse_inputs(input, &(), DocumentStages::UpToNormalize);
            match one_document(name, loaded) {
                Ok(version) => versions.push(version),
                Err(code) => return Ok(code),
            }
        }
        return align_page(versions, pipeline.group_config(), args.output.as_deref());
    }
    // Lines need only the texts; paragraphs and sentences their segments.
    let mut documents = Vec::new();
    for (input, name) in inputs.iter().zip([&args.a, &args.b]) {
        match one_document(name, pipeline.load(input)) {
            Ok(document) => documents.push(document),
            Err(code) => return Ok(code),
        }
    }
    let segmented: Vec<Segmented> = documents
        .iter()
        .map(|document| match unit {
            Unit::Lines => Segmented::default(),
            Unit::Paragraphs | Unit::Sentences => pipeline.segment(&document.text),
        })
        .collect();
    let version = |i: usize| Version {
        text: &documents[i].text,
        segmented: &segmented[i],
    };
    let alignment = align_by(unit, version(0), version(1));
    let write = |out: &mut dyn Write| -> io::Result<()> {
        if let AlignFormat::Json = args.format {
            serde_json::to_writer_pretty(&mut *out, &alignment)?;
            return writeln!(out);
        }
        let side = |i: usize| AlignedSide {
            id: &documents[i].id,
            text: &documents[i].text,
            units: version(i).units(unit),
        };
        let beads = match unit {
            Unit::Paragraphs => &alignment.paragraphs,
            Unit::Sentences | Unit::Lines => &alignment.sentences,
        };
        write_alignment_table(out, usize::from(args.width), &side(0), &side(1), beads)
    };
    write_to(args.output.as_deref(), "alignment", write)?;
    Ok(ExitCode::SUCCESS)
}

/// The one document of `input`, or the usage error (exit 2) that says why there is not exactly
/// one: the input failed, or it holds several records.
fn one_document<T>(
    input: &str,
    (mut documents, errors): (Vec<T>, Vec<mentorlens::corpus::InputError>),
) -> Result<T, ExitCode> {
    if let Some(error) = errors.first() {
        return Err(usage_error(&error.to_string()));
    }
    if documents.len() != 1 {
        return Err(usage_error(&format!(
            "{input}: give one document (a file or -), not a folder or JSON Lines"
        )));
    }
    Ok(documents.remove(0))
}

/// The HTML page of two versions: their group as `analyze` finds it, or, when `analyze` would not
/// take them for versions of one article, their alignment under a warning that says so.
fn align_page(
    mut versions: Vec<mentorlens::AnalysedDocument>,
    config: &mentorlens::align::group::GroupConfig,
    output: Option<&Path>,
) -> Result<ExitCode> {
    use mentorlens::align::group::{Group, GroupKind, PairAlignment, group};
    mentorlens::corpus::assign_unique_ids(versions.iter_mut().map(|v| &mut v.document));
    let inputs: Vec<_> = versions.iter().map(|d| d.grouped()).collect();
    let mut groups = group(&inputs, config);
    let mut notes = Vec::new();
    if groups.is_empty() {
        let (a, b) = (&versions[0], &versions[1]);
        notes.push(format!(
            "{} and {} are not versions of one article by analyze's measure (the names, numbers and shape they share): the rows below pair paragraphs by length and shared words only, so read each row before trusting it.",
            a.document.id, b.document.id
        ));
        let mut documents = vec![a.document.id.clone(), b.document.id.clone()];
        documents.sort();
        let same_language = a.languages.document.language == b.languages.document.language;
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
    write_to(output, "page", |out| {
        html::write_html_of_analysis(&report, &analysis, &options, out)
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

fn check(args: CheckArgs) -> Result<ExitCode> {
    let (settings, notes) = check_settings(&args)?;
    let pipeline = Pipeline::new(&args.stages.applied_to(settings.stages.clone()))?;
    let inputs = new_inputs(&args)?;
    use_threads(args.threads)?;
    let mut report = mentorlens::check::check(&pipeline, &inputs, &settings)?;
    report.notes.extend(notes);
    let format = settings.format.unwrap_or(mentorlens::check::Format::Text);
    let write = |out: &mut dyn Write| mentorlens::check::write_report(&report, format, out);
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
            serde_json::to_writer_pretty(&mut out, &ThemesView::new(&report))?;
            writeln!(out)?;
        }
        DetectFormat::Table => write_theme_table(&mut out, &analysis, &report)?,
    }
    out.flush()?;
    Ok(finish(&analysis, args.input.quiet))
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
/// on `--threads` workers.
fn on_inputs<T>(
    input: &InputArgs,
    work: impl FnOnce(&Pipeline, &[Input], &dyn Progress) -> T,
) -> Result<T> {
    let settings = match &input.config {
        Some(path) => mentorlens::check::CheckSettings::from_file(path)?.stages,
        None => Config::default(),
    };
    let pipeline = Pipeline::new(&input.stages.applied_to(settings))?;
    let inputs: Vec<Input> = input.paths.iter().map(|p| Input::from_arg(p)).collect();
    use_threads(input.threads)?;
    let bar = ProgressBarSink::new(input.quiet);
    let result = work(&pipeline, &inputs, &bar);
    bar.bar.finish_and_clear();
    Ok(result)
}
/// Makes the process's worker pool `threads` workers (one per core when `None`), so that every
/// parallel step of the command, the report's rendering included, runs on as many.
fn use_threads(threads: Option<usize>) -> Result<()> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        pool = pool.num_threads(threads);
    }
    pool.build_global()
        .context("cannot start the worker threads")
}

/// Prints the summary and errors on standard error; returns the exit code.
fn finish(analysis: &Analysis, quiet: bool) -> ExitCode {
    RunSummary::of(analysis).finish(quiet)
}

/// What the end of a run tells: taken from the analysis before the report takes its texts.
struct RunSummary {
    analysed: usize,
    /// Each failed input, as its message.
    errors: Vec<String>,
    outcome: Outcome,
}

impl RunSummary {
    fn of(analysis: &Analysis) -> Self {
        Self {
            analysed: analysis.documents.len(),
            errors: analysis.errors.iter().map(ToString::to_string).collect(),
            outcome: analysis.outcome(),
        }
    }

    /// Prints the summary and errors on standard error; returns the exit code.
    fn finish(self, quiet: bool) -> ExitCode {
        if !quiet {
            eprintln!(
                "mentorlens: {} document(s) analysed, {} input(s) failed",
                self.analysed,
                self.errors.len()
            );
            for error in &self.errors {
                eprintln!("  {}", escape_for_terminal(error));
            }
        }
        match self.outcome {
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
}
