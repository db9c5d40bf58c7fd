//! The CI gate: checks new content against a corpus and reports findings a person can act on.
//!
//! New files go through the whole pipeline. The corpus (`against`) is only fingerprinted: each
//! document's fingerprint (anchors, MinHash sketch, text hash) comes from the cache when its text,
//! the tool version and the settings are unchanged, and is computed (then cached) otherwise. New
//! documents are compared only with the corpus documents they share blocks with (the same blocking
//! as the grouping stage); only those candidates are analysed in full and aligned. Findings:
//! `duplicate` (a copy, near copy or spun copy of a corpus document), `translation` (a version in
//! another language), `spun` (mangling above the limit), `language` (not in the allow-list) and
//! `unreadable` (a new input that could not be read).

mod cache;
mod index;
mod output;

pub use index::write_index;
pub(crate) use index::{index_line, write_index_header};
pub use output::{Format, write_report};

use crate::align::group::{CorpusIndex, Fingerprint, fingerprint};
use crate::corpus::{self, Document, Input};
use crate::lang::Language;
use crate::normalize::EditRule;
use crate::{AnalysedDocument, Pipeline};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The spun phrases a `spun` finding quotes.
const WORST_PHRASES: usize = 3;
/// Corpus matches reported per new document and rule.
const MATCHES_PER_DOCUMENT: usize = 3;

/// What a finding is about.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Rule {
    /// A copy, near copy or spun copy of a corpus document.
    Duplicate,
    /// A version of a corpus document in another language.
    Translation,
    /// Spun (machine-rewritten) English above the allowed mangling.
    Spun,
    /// Text in a language outside the allow-list.
    Language,
    /// A new input that could not be read.
    Unreadable,
}

impl Rule {
    /// Every rule, in report order.
    pub const ALL: &[Rule] = <Rule as strum::VariantArray>::VARIANTS;

    /// The stable rule id (SARIF `ruleId`, `error[id]` in text output).
    pub fn id(self) -> &'static str {
        self.into()
    }

    /// One line on what the rule finds.
    pub fn description(self) -> &'static str {
        match self {
            Rule::Duplicate => {
                "The new text is a copy, near copy or spun copy of a corpus document."
            }
            Rule::Translation => "The new text is a translation of a corpus document.",
            Rule::Spun => "The new text is machine-rewritten (spun) English.",
            Rule::Language => "The new text is in a language outside the allow-list.",
            Rule::Unreadable => "The new input could not be read as text.",
        }
    }
}

impl FromStr for Rule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Rule::ALL
            .iter()
            .copied()
            .find(|rule| rule.id() == text.trim())
            .ok_or_else(|| {
                let known: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
                format!("unknown rule `{text}`; known rules: {}", known.join(", "))
            })
    }
}

/// How serious a finding is: `error` when its rule is in `fail_on`, `warning` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Fails the check.
    Error,
    /// Reported, does not fail.
    Warning,
}

/// A place in a file: 1-based line and column (columns count Unicode characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Location {
    /// The file, as named on the command line (or found in a folder).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// One problem found in new content.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// What was found.
    pub rule: Rule,
    /// Error or warning.
    pub severity: Severity,
    /// Where the evidence starts.
    pub location: Location,
    /// What was found and what to do.
    pub message: String,
    /// Further evidence: the other spun phrases, the matching corpus document.
    pub related: Vec<Location>,
}

/// Settings of the gate, from `mentorlens.toml` and the command line. Besides the gate's own keys,
/// the file may hold a table per analysis stage (the tables of [`Config`](crate::Config):
/// `[language]`, `[normalize]`, `[themes]`, …); the stage flags (`--languages`, `--lexicon`, …)
/// override them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSettings {
    /// The corpus new content is compared with: files or folders.
    pub against: Option<Vec<String>>,
    /// Languages new content may be in (ISO 639-1 or 639-3); unset: any.
    pub allow_languages: Option<Vec<String>>,
    /// A document whose mangling score exceeds this is spun (default 0.5).
    pub max_mangling: Option<f64>,
    /// Rules whose findings fail the check (default: duplicate, spun, language, unreadable).
    pub fail_on: Option<Vec<Rule>>,
    /// Output format (default text).
    pub format: Option<output::Format>,
    /// Folder for the per-document cache of corpus fingerprints.
    pub cache: Option<PathBuf>,
    /// A corpus fingerprint index (written by [`write_index`]) to read fingerprints from (command line only).
    #[serde(skip)]
    pub against_index: Option<PathBuf>,
    /// The settings file these came from, if any (not a key of the file).
    #[serde(skip)]
    pub file: Option<PathBuf>,
    /// The analysis stages' tables of the file (`[language]`, `[normalize]`, …) over the
    /// defaults; the stage flags (`--languages`, `--lexicon`, …) apply on top.
    #[serde(skip)]
    pub stages: crate::Config,
}

/// The default of `max_mangling`: the normaliser's own line for a mangled document.
pub const DEFAULT_MAX_MANGLING: f64 = 0.5;

/// The rules that fail the check unless the settings say otherwise.
pub const DEFAULT_FAIL_ON: [Rule; 4] = [
    Rule::Duplicate,
    Rule::Spun,
    Rule::Language,
    Rule::Unreadable,
];

/// What can stop the gate (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The configuration file could not be read or parsed.
    #[error("{path}: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A setting is invalid.
    #[error("{0}")]
    Setting(String),
    /// Nothing in `against` could be read.
    #[error("the corpus to check against could not be read: {0}")]
    Corpus(String),
    /// The corpus fingerprint index could not be read, or was made with other settings.
    #[error("the corpus fingerprint index cannot be used: {0}")]
    Index(String),
}

impl CheckSettings {
    /// Reads `mentorlens.toml` (or another file in the same format): at most
    /// 64 MiB of a regular file (the limit of every data file).
    pub fn from_file(path: &Path) -> Result<Self, CheckError> {
        let config_error = |message: String| CheckError::Config {
            path: path.to_path_buf(),
            message,
        };
        let text = crate::files::read_text_file(path, crate::files::DATA_FILE_LIMIT)
            .map_err(|error| config_error(format!("cannot read the settings file: {error}")))?;
        let mut settings = Self::from_toml(&text).map_err(config_error)?;
        // The file travels with the content it gates: it may not send the cache elsewhere.
        if let Some(cache) = &settings.cache {
            let inside = cache
                .components()
                .all(|part| matches!(part, std::path::Component::Normal(_)));
            if !inside {
                return Err(config_error(format!(
                    "cache = \"{}\": in a settings file the cache must be a relative folder inside the current one (no `..`, not absolute); give other places with --cache",
                    cache.display()
                )));
            }
        }
        settings.file = Some(path.to_path_buf());
        Ok(settings)
    }

    /// Reads settings from the text of a settings file: the gate's keys, and the analysis stages'
    /// tables into [`stages`](Self::stages); an unknown key or table is an error that names it.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let mut table: toml::Table =
            toml::from_str(text).map_err(|error| error.message().to_string())?;
        let stage_tables: toml::Table = crate::Config::TABLES
            .iter()
            .filter_map(|name| table.remove_entry(*name))
            .collect();
        let mut settings: Self = table
            .try_into()
            .map_err(|error: toml::de::Error| error.message().to_string())?;
        settings.stages = stage_tables
            .try_into()
            .map_err(|error: toml::de::Error| error.message().to_string())?;
        Ok(settings)
    }

    /// These settings (from a file) with the command line's applied: a flag replaces the file's
    /// value, except `fail_on`, which flags extend (`--fail-on translation` adds a rule to the
    /// file's list, or to the default one).
    pub fn overridden_by(self, overrides: CheckSettings) -> Self {
        let fail_on = match (self.fail_on, overrides.fail_on) {
            (base, Some(extra)) => {
                let mut rules = base.unwrap_or_else(|| DEFAULT_FAIL_ON.to_vec());
                rules.extend(extra);
                rules.sort();
                rules.dedup();
                Some(rules)
            }
            (base, None) => base,
        };
        Self {
            against: overrides.against.or(self.against),
            allow_languages: overrides.allow_languages.or(self.allow_languages),
            max_mangling: overrides.max_mangling.or(self.max_mangling),
            fail_on,
            format: overrides.format.or(self.format),
            cache: overrides.cache.or(self.cache),
            against_index: overrides.against_index.or(self.against_index),
            file: overrides.file.or(self.file),
            stages: self.stages,
        }
    }

    /// What these settings make weaker than the defaults, one line each (printed in the
    /// summary so a loosened gate never passes unnoticed).
    pub fn loosened(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(fail_on) = &self.fail_on {
            for rule in DEFAULT_FAIL_ON {
                if !fail_on.contains(&rule) {
                    lines.push(format!("`{}` findings only warn", rule.id()));
                }
            }
        }
        if let Some(max) = self.max_mangling.filter(|&max| max > DEFAULT_MAX_MANGLING) {
            lines.push(format!(
                "max_mangling {max} is above the default {DEFAULT_MAX_MANGLING}"
            ));
        }
        lines
    }
}

/// The corpus side of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CorpusCounts {
    /// Corpus documents compared with.
    pub documents: usize,
    /// Their fingerprints computed in this run.
    pub fingerprinted: usize,
    /// Their fingerprints read from the cache.
    pub cached: usize,
    /// Their fingerprints read from the corpus fingerprint index (`--against-index`).
    #[serde(skip_serializing_if = "is_zero")]
    pub indexed: usize,
    /// Cache entries found stale or corrupt (and recomputed).
    pub rejected_cache_entries: usize,
    /// Corpus documents analysed in full as candidates.
    pub candidates_analysed: usize,
    /// Corpus inputs that could not be read (skipped).
    pub unreadable: usize,
    /// The corpus inputs that could not be read, and why.
    pub skipped: Vec<SkippedInput>,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// A corpus input that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SkippedInput {
    /// The input (`path`, or `path:line` for a JSON Lines record).
    pub path: String,
    /// What failed (`empty`, `binary`, `not_found`, …).
    pub kind: crate::corpus::InputErrorKind,
    /// What failed and what to do.
    pub message: String,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CheckReport {
    /// New files checked (analysed or not), sorted.
    pub files: Vec<String>,
    /// Findings, by file, position and rule.
    pub findings: Vec<Finding>,
    /// The corpus side.
    pub corpus: CorpusCounts,
    /// The settings file that was read, if any.
    pub settings_file: Option<String>,
    /// Notes on the settings: what they loosen, a settings file left unread.
    pub notes: Vec<String>,
    /// Whether a finding's rule is in `fail_on` (exit 1).
    pub failed: bool,
}

/// A corpus document as the gate keeps it: its fingerprint, and its text for re-analysis.
struct CorpusDocument {
    document: Document,
    fingerprint: Fingerprint,
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Where a byte offset of a document is in its file. A JSON Lines record is one line of its file,
/// so its findings point at that line.
fn location(document: &Document, offset: usize) -> Location {
    let (path, first_line) = document.file_and_line();
    let (line, column) = match document.record_line {
        Some(_) => (first_line, 1),
        None => line_column(&document.text, offset),
    };
    Location {
        path: path.to_string(),
        line,
        column,
    }
}

/// The settings, validated.
struct Gate {
    fail_on: BTreeSet<Rule>,
    allowed: Option<BTreeSet<Language>>,
    max_mangling: f64,
    against: Vec<String>,
}

impl Gate {
    fn new(settings: &CheckSettings) -> Result<Self, CheckError> {
        let fail_on: BTreeSet<Rule> = match &settings.fail_on {
            Some(rules) if rules.is_empty() => {
                return Err(CheckError::Setting(
                    "fail_on is empty, which would pass everything; list at least one rule (duplicate, translation, spun, language, unreadable)".into(),
                ));
            }
            Some(rules) => rules.iter().copied().collect(),
            None => DEFAULT_FAIL_ON.into_iter().collect(),
        };
        let allowed = match &settings.allow_languages {
            Some(codes) if codes.is_empty() => {
                return Err(CheckError::Setting(
                    "allow_languages is empty, which would refuse every text; list the allowed languages or leave it out".into(),
                ));
            }
            Some(codes) => Some(
                codes
                    .iter()
                    .map(|code| {
                        Language::parse(code)
                            .filter(|language| language.is_determined())
                            .ok_or_else(|| {
                                CheckError::Setting(format!(
                                    "unknown language code `{code}` in allow_languages"
                                ))
                            })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            None => None,
        };
        let max_mangling = settings.max_mangling.unwrap_or(DEFAULT_MAX_MANGLING);
        if !(0.0..1.0).contains(&max_mangling) {
            return Err(CheckError::Setting(format!(
                "max_mangling must be at least 0 and below 1, not {max_mangling} (to let spun text pass, leave `spun` out of fail_on)"
            )));
        }
        let against = settings.against.clone().unwrap_or_default();
        if against.is_empty() {
            return Err(CheckError::Setting(
                "nothing to check against: give --against CORPUS (or `against` in mentorlens.toml)"
                    .into(),
            ));
        }
        if against.iter().any(|corpus| corpus == "-") {
            return Err(CheckError::Setting(
                "the corpus cannot be standard input (`--against -`); give its files or folders"
                    .into(),
            ));
        }
        Ok(Self {
            fail_on,
            allowed,
            max_mangling,
            against,
        })
    }
}

/// Checks `new` inputs against the corpus under `settings`. No inputs at all is a pass with
/// nothing checked; inputs that hold no file (a folder of hidden files only) are an error.
pub fn check(
    pipeline: &Pipeline,
    new: &[Input],
    settings: &CheckSettings,
) -> Result<CheckReport, CheckError> {
    let gate = Gate::new(settings)?;
    let (new_sources, new_errors) = corpus::discover_with(new, pipeline.load_config());
    if !new.is_empty() && new_sources.is_empty() && new_errors.is_empty() {
        return Err(CheckError::Setting(
            "nothing to check: the new inputs hold no files to read (hidden files and folders are skipped, and a folder gives only the files of --ext, by default .txt, .text and .jsonl)"
                .into(),
        ));
    }
    // The corpus leaves out the new files themselves, known by the files they are read from (a
    // JSON Lines record's path is `file:line`, and a name need not be UTF-8).
    let new_files: BTreeSet<PathBuf> = new_sources
        .iter()
        .filter_map(|source| match source {
            corpus::Source::File { path, .. } => std::fs::canonicalize(path).ok(),
            corpus::Source::Stdin => None,
        })
        .collect();
    let (documents, errors) = if new.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        pipeline.analyse_inputs(new, &(), crate::DocumentStages::All)
    };
    let stored = match &settings.against_index {
        Some(path) => Some(index::StoredIndex::read(
            path,
            pipeline.config_fingerprint(),
            pipeline.group_config(),
        )?),
        None => None,
    };
    let (corpus, mut counts) = load_corpus(
        pipeline,
        &gate.against,
        settings.cache.as_deref(),
        stored.as_ref(),
        &new_files,
    )?;

    let mut findings = Vec::new();
    for error in &errors {
        let (path, line) = error.file_and_line();
        findings.push(Finding {
            rule: Rule::Unreadable,
            severity: Severity::Error,
            location: Location {
                path: path.to_string(),
                line,
                column: 1,
            },
            message: error.message.clone(),
            related: Vec::new(),
        });
    }
    for document in &documents {
        findings.extend(encoding_finding(&document.document));
        findings.extend(language_findings(document, gate.allowed.as_ref()));
        findings.extend(spun_finding(document, gate.max_mangling));
    }
    let (matches, analysed) = corpus_matches(pipeline, &documents, &corpus);
    counts.candidates_analysed = analysed;
    findings.extend(matches);
    for finding in &mut findings {
        finding.severity = if gate.fail_on.contains(&finding.rule) {
            Severity::Error
        } else {
            Severity::Warning
        };
    }
    findings
        .sort_by(|a, b| (&a.location, a.rule, &a.message).cmp(&(&b.location, b.rule, &b.message)));
    let mut files: Vec<String> = documents
        .iter()
        .map(|d| d.document.file_and_line().0.to_string())
        .chain(errors.iter().map(|e| e.file_and_line().0.to_string()))
        .collect();
    files.sort();
    files.dedup();
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    Ok(CheckReport {
        files,
        findings,
        corpus: counts,
        settings_file: settings.file.as_deref().map(corpus::display_path),
        notes: settings
            .loosened()
            .into_iter()
            .map(|line| format!("the settings loosen the gate: {line}"))
            .collect(),
        failed,
    })
}

/// An `unreadable` finding for a new text that decoding had to repair: it is not valid UTF-8
/// (or UTF-16), so what was checked is not what the file holds.
fn encoding_finding(document: &Document) -> Option<Finding> {
    let offset = document.first_replacement?;
    Some(Finding {
        rule: Rule::Unreadable,
        severity: Severity::Error,
        location: location(document, offset),
        message: "not valid UTF-8 from here (a legacy encoding such as Latin-1, or damaged bytes); the bytes were replaced by U+FFFD: save the file as UTF-8".into(),
        related: Vec::new(),
    })
}

/// Loads the corpus and fingerprints it (from the index or the cache when possible), leaving out the new files
/// themselves (in CI they are often already inside the corpus folder). A corpus of which nothing
/// could be read is an error; the inputs that could not be read are listed.
fn load_corpus(
    pipeline: &Pipeline,
    against: &[String],
    cache_folder: Option<&Path>,
    stored: Option<&index::StoredIndex>,
    new_files: &BTreeSet<PathBuf>,
) -> Result<(Vec<CorpusDocument>, CorpusCounts), CheckError> {
    let inputs: Vec<Input> = against.iter().map(|a| Input::from_arg(a)).collect();
    let (sources, mut errors) = corpus::discover_with(&inputs, pipeline.load_config());
    let sources: Vec<corpus::Source> = sources
        .into_iter()
        .filter(|source| match source {
            corpus::Source::File { path, .. } => std::fs::canonicalize(path)
                .map_or(true, |canonical| !new_files.contains(&canonical)),
            corpus::Source::Stdin => false,
        })
        .collect();
    let cache = cache_folder.map(|folder| {
        cache::Cache::new(
            folder,
            pipeline.config_fingerprint(),
            pipeline.group_config(),
        )
    });
    let loaded: Vec<Result<(CorpusDocument, Option<cache::Lookup>), corpus::InputError>> = sources
        .par_iter()
        .flat_map_iter(|source| corpus::load(source, pipeline.load_config()))
        .map(|result| {
            let document = result?;
            if let Some(fingerprint) = stored.and_then(|stored| stored.get(&document.text)) {
                let fingerprint = fingerprint.clone();
                return Ok((
                    CorpusDocument {
                        document,
                        fingerprint,
                    },
                    None,
                ));
            }
            let (cached, lookup) = match &cache {
                Some(cache) => cache.get(&document.text),
                None => (None, cache::Lookup::Disabled),
            };
            let fingerprint = match cached {
                Some(entry) => entry.fingerprint,
                None => {
                    let (_, fingerprint) = pipeline.analyse_and_fingerprint(document.clone());
                    if let Some(cache) = &cache {
                        cache.put(&document.text, fingerprint.language().code(), &fingerprint);
                    }
                    fingerprint
                }
            };
            Ok((
                CorpusDocument {
                    document,
                    fingerprint,
                },
                Some(lookup),
            ))
        })
        .collect();
    let mut counts = CorpusCounts::default();
    let mut documents = Vec::new();
    for result in loaded {
        match result {
            Ok((document, lookup)) => {
                match lookup {
                    None => counts.indexed += 1,
                    Some(cache::Lookup::Hit) => counts.cached += 1,
                    Some(cache::Lookup::Rejected) => {
                        counts.rejected_cache_entries += 1;
                        counts.fingerprinted += 1;
                    }
                    Some(cache::Lookup::Miss | cache::Lookup::Disabled) => {
                        counts.fingerprinted += 1
                    }
                }
                documents.push(document);
            }
            Err(error) => errors.push(error),
        }
    }
    errors.sort_by(|a, b| (&a.path, a.kind).cmp(&(&b.path, b.kind)));
    counts.unreadable = errors.len();
    counts.skipped = errors
        .iter()
        .map(|error| SkippedInput {
            path: error.path.clone(),
            kind: error.kind,
            message: error.message.clone(),
        })
        .collect();
    if documents.is_empty() && !errors.is_empty() {
        let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(CheckError::Corpus(format!(
            "no corpus document could be read ({})",
            reasons.join("; ")
        )));
    }
    documents.sort_by(|a, b| a.document.path.cmp(&b.document.path));
    counts.documents = documents.len();
    Ok((documents, counts))
}

/// Language findings: the document's language, and reliable secondary languages, outside the
/// allow-list.
fn language_findings(
    analysed: &AnalysedDocument,
    allowed: Option<&BTreeSet<Language>>,
) -> Vec<Finding> {
    let Some(allowed) = allowed else {
        return Vec::new();
    };
    let languages = &analysed.languages;
    let list: Vec<&str> = allowed.iter().map(|l| l.code()).collect();
    let first_paragraph_in = |language: Language| {
        languages
            .paragraphs
            .iter()
            .position(|p| p.language == language)
            .map_or(0, |i| analysed.segmented.paragraphs[i].span.start)
    };
    let mut findings = Vec::new();
    let main = languages.document.language;
    if !allowed.contains(&main) {
        let message = if languages.document.is_determined() {
            format!(
                "the text is in {} ({main}, confidence {:.2}); allowed: {}",
                main.name(),
                languages.document.confidence,
                list.join(", ")
            )
        } else {
            format!(
                "the language could not be determined (too little text); allowed: {}",
                list.join(", ")
            )
        };
        findings.push(Finding {
            rule: Rule::Language,
            severity: Severity::Error,
            location: location(&analysed.document, first_paragraph_in(main)),
            message,
            related: Vec::new(),
        });
    }
    for secondary in &languages.secondary {
        if !allowed.contains(&secondary.language) {
            findings.push(Finding {
                rule: Rule::Language,
                severity: Severity::Error,
                location: location(&analysed.document, first_paragraph_in(secondary.language)),
                message: format!(
                    "{} paragraph(s) are in {} ({}); allowed: {}",
                    secondary.paragraphs,
                    secondary.language.name(),
                    secondary.language,
                    list.join(", ")
                ),
                related: Vec::new(),
            });
        }
    }
    findings
}

/// A spun finding at the worst spinner phrase, quoting the worst few.
fn spun_finding(analysed: &AnalysedDocument, max_mangling: f64) -> Option<Finding> {
    let mangling = analysed.mangling.as_ref()?;
    if mangling.score <= max_mangling || mangling.edits.is_empty() {
        return None;
    }
    // The worst phrases are the ones only a spinner writes: tortured phrases and spintax first,
    // longer ones first, then the surest.
    let rank = |edit: &crate::normalize::Edit| match edit.rule {
        EditRule::TorturedPhrase | EditRule::Spintax => 0,
        EditRule::Artefact | EditRule::FusedWord | EditRule::DoubledWord => 1,
        EditRule::InContext => 2,
    };
    let mut worst: Vec<&crate::normalize::Edit> = mangling.edits.iter().collect();
    worst.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(b.from.len().cmp(&a.from.len()))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.start.cmp(&b.start))
    });
    let mut seen = BTreeSet::new();
    worst.retain(|edit| seen.insert(edit.from.to_lowercase()));
    worst.truncate(WORST_PHRASES);
    worst.sort_by_key(|e| e.start);
    let document = &analysed.document;
    let phrases: Vec<String> = worst
        .iter()
        .map(|e| {
            let at = location(document, e.start);
            format!(
                "\"{}\" for \"{}\" ({}:{})",
                e.from, e.to, at.line, at.column
            )
        })
        .collect();
    Some(Finding {
        rule: Rule::Spun,
        severity: Severity::Error,
        location: location(document, worst[0].start),
        message: format!(
            "spun English: mangling score {:.2} > {max_mangling:.2} ({} spinner edits), e.g. {}; rewrite from the original or drop the file",
            mangling.score,
            mangling.edits.len(),
            phrases.join(", ")
        ),
        related: worst[1..]
            .iter()
            .map(|e| location(document, e.start))
            .collect(),
    })
}

/// A corpus document that matched a new one: score, corpus index, paragraph beads.
type CorpusMatch = (f64, usize, Vec<crate::align::Bead>);

/// Duplicate and translation findings: new documents scored against their corpus candidates.
/// Returns the findings and how many corpus documents were analysed in full.
fn corpus_matches(
    pipeline: &Pipeline,
    new: &[AnalysedDocument],
    corpus: &[CorpusDocument],
) -> (Vec<Finding>, usize) {
    let new_fingerprints: Vec<Fingerprint> = new
        .par_iter()
        .map(|d| fingerprint(&d.grouped(), pipeline.group_config()))
        .collect();
    let index = CorpusIndex::new(
        corpus.iter().map(|c| c.fingerprint.clone()).collect(),
        pipeline.group_config(),
    );
    let pairs = index.candidates(&new_fingerprints);
    let needed: BTreeSet<usize> = pairs.iter().map(|&(_, c)| c).collect();
    let analysed: BTreeMap<usize, AnalysedDocument> = needed
        .par_iter()
        .map(|&c| (c, pipeline.analyse_document(corpus[c].document.clone())))
        .collect();
    let scored: Vec<(usize, usize, f64, Vec<crate::align::Bead>)> = pairs
        .par_iter()
        .filter_map(|&(n, c)| {
            let (score, paragraphs) = index.versions(
                (&new[n].grouped(), &new_fingerprints[n]),
                (&analysed[&c].grouped(), c),
            )?;
            Some((n, c, score, paragraphs))
        })
        .collect();
    let mut per_document: BTreeMap<(usize, Rule), Vec<CorpusMatch>> = BTreeMap::new();
    for (n, c, score, paragraphs) in scored {
        // The language of both sides comes from their full analysis, never from the cache.
        let rule = if new[n].languages.document.language == analysed[&c].languages.document.language
        {
            Rule::Duplicate
        } else {
            Rule::Translation
        };
        per_document
            .entry((n, rule))
            .or_default()
            .push((score, c, paragraphs));
    }
    let mut findings = Vec::new();
    for ((n, rule), mut matches) in per_document {
        matches.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (score, c, paragraphs) in matches.into_iter().take(MATCHES_PER_DOCUMENT) {
            findings.push(match_finding(
                &new[n],
                &corpus[c],
                &analysed[&c],
                rule,
                score,
                &paragraphs,
            ));
        }
    }
    (findings, analysed.len())
}

fn match_finding(
    new: &AnalysedDocument,
    corpus: &CorpusDocument,
    analysed: &AnalysedDocument,
    rule: Rule,
    score: f64,
    paragraphs: &[crate::align::Bead],
) -> Finding {
    let one_to_one: Vec<(usize, usize)> = paragraphs
        .iter()
        .filter(|bead| bead.a.len() == 1 && bead.b.len() == 1 && bead.score >= 0.1)
        .map(|bead| (bead.a[0], bead.b[0]))
        .collect();
    let first = one_to_one.first().copied().unwrap_or((0, 0));
    let new_offset = new
        .segmented
        .paragraphs
        .get(first.0)
        .map_or(0, |p| p.span.start);
    let corpus_offset = analysed
        .segmented
        .paragraphs
        .get(first.1)
        .map_or(0, |p| p.span.start);
    let what = match rule {
        Rule::Translation => format!(
            "translation ({} → {}) of {}",
            analysed.languages.document.language,
            new.languages.document.language,
            corpus.document.path
        ),
        _ if new.document.text == corpus.document.text => {
            format!("exact copy of {}", corpus.document.path)
        }
        _ => format!("copy (near or spun) of {}", corpus.document.path),
    };
    // People read places as lines (1-based, as the locations give them), never as paragraph
    // numbers: paragraph indices are the report's data, counted from 0.
    let here = location(&new.document, new_offset);
    let there = location(&corpus.document, corpus_offset);
    Finding {
        rule,
        severity: Severity::Error,
        message: format!(
            "{what} (score {score:.2}): {} of {} paragraphs align one to one, the first at line {} here and line {} there; keep one version",
            one_to_one.len(),
            new.segmented.paragraphs.len(),
            here.line,
            there.line
        ),
        location: here,
        related: vec![there],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "första\nåtta ord här";
        assert_eq!(line_column(text, 0), (1, 1));
        let offset = text.find("ord").unwrap();
        assert_eq!(line_column(text, offset), (2, 6));
        assert_eq!(line_column(text, text.len() + 10), (2, 13));
    }

    #[test]
    fn rules_parse_from_their_ids_and_name_the_known_ones_otherwise() {
        assert_eq!("spun".parse::<Rule>(), Ok(Rule::Spun));
        let error = "spam".parse::<Rule>().unwrap_err();
        assert!(error.contains("duplicate, translation, spun, language, unreadable"));
    }

    #[test]
    fn settings_reject_unknown_keys_by_name_and_flags_override_the_file() {
        let error = CheckSettings::from_toml("agaisnt = [\"corpus\"]\n").unwrap_err();
        assert!(error.contains("agaisnt"), "{error}");
        let error = CheckSettings::from_toml("[language]\nallwo = [\"en\"]\n").unwrap_err();
        assert!(error.contains("allwo"), "{error}");
        let file = CheckSettings::from_toml(
            "against = [\"corpus\"]\nmax_mangling = 0.3\nfail_on = [\"spun\"]\n[normalize]\nmangled_threshold = 0.6\n",
        )
        .unwrap();
        let merged = file.overridden_by(CheckSettings {
            max_mangling: Some(0.2),
            ..CheckSettings::default()
        });
        assert_eq!(merged.max_mangling, Some(0.2));
        assert_eq!(merged.against, Some(vec!["corpus".to_string()]));
        assert_eq!(merged.fail_on, Some(vec![Rule::Spun]));
        assert_eq!(merged.stages.normalize.mangled_threshold, 0.6);
    }

    /// A real article and a copy of it with its last paragraph rewritten, in `corpus/` and
    /// `new/` of a fresh folder.
    fn article_and_edited_copy() -> tempfile::TempDir {
        let folder = tempfile::tempdir().unwrap();
        let original = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/002_b93d072c615ee9a5.txt"),
        )
        .unwrap();
        let last = original.trim_end().rfind("\n\n").unwrap();
        let edited = format!(
            "{}\n\nIn short: find someone outside your team, meet every month and bring questions.\n",
            &original[..last]
        );
        for (name, text) in [
            ("corpus/original.txt", &original),
            ("new/copy.txt", &edited),
        ] {
            let path = folder.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        folder
    }

    #[test]
    fn the_group_table_of_the_settings_file_reaches_grouping_and_the_gate() {
        let folder = article_and_edited_copy();
        let settings_file = folder.path().join("mentorlens.toml");
        std::fs::write(&settings_file, "[group]\ntreshold = 0.99\n").unwrap();
        let error = CheckSettings::from_file(&settings_file).unwrap_err();
        assert!(error.to_string().contains("treshold"), "{error}");
        std::fs::write(&settings_file, "[group]\nthreshold = 2.0\n").unwrap();
        let config = CheckSettings::from_file(&settings_file).unwrap().stages;
        assert!(Pipeline::new(&config).is_err());
        // The two are one article by default, and not under a threshold they do not reach.
        let mut found = Vec::new();
        for threshold in ["0.5", "0.99"] {
            std::fs::write(
                &settings_file,
                format!("[group]\nthreshold = {threshold}\n"),
            )
            .unwrap();
            let settings = CheckSettings::from_file(&settings_file)
                .unwrap()
                .overridden_by(CheckSettings {
                    against: Some(vec![folder.path().join("corpus").display().to_string()]),
                    ..CheckSettings::default()
                });
            let pipeline = Pipeline::new(&settings.stages).unwrap();
            assert_eq!(
                pipeline.group_config().threshold,
                threshold.parse::<f64>().unwrap()
            );
            let analysis = pipeline.run(&[Input::from_path(folder.path().to_path_buf())], &());
            let report = check(
                &pipeline,
                &[Input::from_path(folder.path().join("new/copy.txt"))],
                &settings,
            )
            .unwrap();
            let duplicates = report
                .findings
                .iter()
                .filter(|f| f.rule == Rule::Duplicate)
                .count();
            found.push((analysis.groups.len(), duplicates));
        }
        assert_eq!(found, [(1, 1), (0, 0)]);
    }
}
