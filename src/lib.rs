//! mentorlens: a batch pipeline that reads a corpus of articles about mentorship and reports what
//! is in it.
//!
//! The flow runs one way, stage by stage (see `ARCHITECTURE.md`): [`corpus`] loads and decodes
//! inputs, [`segment`] splits each document into paragraphs, sentences and words with byte offsets,
//! [`lang`] identifies the language of every paragraph and of the document, [`normalize`] scores
//! and restores spun English, and [`report`] turns the result into the JSON report. Per-document
//! stages run in parallel under rayon; the output does not depend on the thread count.
//!
//! ```no_run
//! use mentorlens::{Config, Pipeline, corpus::Input, report::Report};
//! let pipeline = Pipeline::new(&Config::default())?;
//! let analysis = pipeline.run(&[Input::from_arg("corpus")], &());
//! Report::new(&analysis).write_json(std::io::stdout())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod align;
pub mod check;
pub mod corpus;
pub mod datafile;
pub mod dist;
pub mod files;
pub mod lang;
pub mod normalize;
pub mod report;
pub mod segment;
pub mod terminal;
pub mod text;
pub mod themes;

use corpus::{Document, Input, InputError, LoadConfig};
use lang::{DocumentLanguages, LanguageConfig, LanguageDetector};
use normalize::{Mangling, NormalizeConfig, Normalizer};
use rayon::prelude::*;
use segment::{SegmentConfig, Segmented, Segmenter};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use themes::{DocumentThemes, ThemeConfig, ThemeMatcher, ThemeSummary};

/// The crate's error: what can go wrong before any input is read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The language settings are invalid.
    #[error(transparent)]
    Language(#[from] lang::LanguageError),
    /// A data file (theme taxonomy or cues, normaliser lexicon) is invalid.
    #[error(transparent)]
    DataFile(#[from] datafile::DataFileError),
}

/// Settings of every stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Loading inputs.
    pub load: LoadConfig,
    /// Segmentation.
    pub segment: SegmentConfig,
    /// Language identification.
    pub language: LanguageConfig,
    /// Spun-English normalisation.
    pub normalize: NormalizeConfig,
    /// Benefit themes.
    pub themes: ThemeConfig,
}

/// Receives progress while a run goes on (the CLI draws a bar; `()` ignores it).
pub trait Progress: Sync {
    /// The inputs are loaded: the number of documents to analyse is known.
    fn start(&self, _total: usize) {}
    /// One more document is analysed.
    fn advance(&self) {}
}

impl Progress for () {}

/// One document with everything the per-document stages found.
#[derive(Debug, Clone)]
pub struct AnalysedDocument {
    /// The loaded document.
    pub document: Document,
    /// Its paragraphs, sentences and words.
    pub segmented: Segmented,
    /// Its languages.
    pub languages: DocumentLanguages,
    /// How mangled its English is, with the edits that restore it (documents with English only).
    pub mangling: Option<Mangling>,
    /// Its statements and their theme scores.
    pub themes: DocumentThemes,
}

impl AnalysedDocument {
    /// The original text with the normaliser's edits applied (documents with English only).
    pub fn normalized_text(&self) -> Option<String> {
        let mangling = self.mangling.as_ref()?;
        Some(normalize::apply_edits(&self.document.text, &mangling.edits))
    }
}

/// The result of a run: analysed documents sorted by id, and the inputs that failed.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Analysed documents, sorted by id.
    pub documents: Vec<AnalysedDocument>,
    /// Inputs that could not be analysed, sorted by file, then line.
    pub errors: Vec<InputError>,
    /// Documents that are versions of one article (translations, copies).
    pub groups: Vec<align::group::Group>,
    /// Themes per document and across the corpus.
    pub themes: ThemeSummary,
    /// The settings the run used, and their fingerprint (tool version and a hash of the
    /// settings and the lexicon's content).
    pub settings: Settings,
    /// How long each phase of the run took.
    pub timings: Timings,
}

/// The settings a run used, as the report records them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Settings {
    /// Tool version and a hash of the settings and of the lexicon's content: two reports with the
    /// same fingerprint were made the same way.
    pub fingerprint: String,
    /// Every stage's settings (allow-list, user data files, thresholds).
    pub stages: Config,
}

/// Wall time of each phase of [`Pipeline::run`]. The per-document stages (segment, detect,
/// normalize, themes) run interleaved on all threads, so they are timed together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Discovering, reading and decoding the inputs.
    pub load: Duration,
    /// The per-document stages over every document.
    pub documents: Duration,
    /// Grouping versions of one article (fingerprints, pair scores, alignments).
    pub group: Duration,
    /// Theme decisions and recurrence across the corpus.
    pub themes: Duration,
}

/// How a run went, as the exit code tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every input was analysed (exit 0).
    AllAnalysed,
    /// Some inputs could not be read; the others were analysed (exit 3).
    SomeFailed,
    /// Nothing could be read (exit 2).
    NothingRead,
}

impl Analysis {
    /// Whether everything, something or nothing was analysed.
    pub fn outcome(&self) -> Outcome {
        if self.documents.is_empty() {
            Outcome::NothingRead
        } else if self.errors.is_empty() {
            Outcome::AllAnalysed
        } else {
            Outcome::SomeFailed
        }
    }
}

/// How many times the restored text's languages are read again (see
/// [`Pipeline::analyse_document`]).
const RESTORE_ROUNDS: usize = 3;

/// The paragraphs the normaliser reads: English ones, and those of an English document whose own
/// language is not sure (too short to tell, or an unreliable guess that an edit elsewhere could
/// flip).
fn english_paragraphs(languages: &DocumentLanguages) -> Vec<bool> {
    let document_english = languages.document.code == "en";
    languages
        .paragraphs
        .iter()
        .map(|p| p.code == "en" || (document_english && !p.reliable))
        .collect()
}

/// How far the per-document stages go: a command runs only the stages it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStages {
    /// Load, segment into paragraphs (no sentences) and identify the language (what `detect`
    /// shows).
    UpToLanguage,
    /// Every per-document stage: spun-English normalisation and theme hits too.
    All,
}

/// The built pipeline: every stage prepared once, shared by all threads.
pub struct Pipeline {
    config: Config,
    load: LoadConfig,
    /// Tool version and a hash of the settings: what cached per-document results depend on.
    config_fingerprint: String,
    segmenter: Segmenter,
    detector: LanguageDetector,
    normalizer: Normalizer,
    themes: ThemeMatcher,
}

impl Pipeline {
    /// Builds every stage from its settings.
    pub fn new(config: &Config) -> Result<Self, Error> {
        let settings = serde_json::to_string(config).unwrap_or_default();
        let normalizer = config.normalize.build()?;
        // The lexicon's content too: the settings name a user lexicon only by its path, and the
        // normalised text is what documents are fingerprinted from.
        let settings_hash =
            xxhash_rust::xxh3::xxh3_64(settings.as_bytes()) ^ normalizer.lexicon_digest();
        Ok(Self {
            config: config.clone(),
            load: config.load.clone(),
            config_fingerprint: format!("{}-{settings_hash:016x}", env!("CARGO_PKG_VERSION")),
            segmenter: config.segment.build(),
            detector: config.language.build()?,
            normalizer,
            themes: config.themes.build()?,
        })
    }

    /// Runs the per-document stages over one loaded document.
    pub fn analyse_document(&self, document: Document) -> AnalysedDocument {
        self.analyse_document_to(document, DocumentStages::All)
    }

    /// Runs the per-document stages up to `stages` over one loaded document; the stages left out
    /// leave their fields empty (no mangling, no theme hits).
    pub fn analyse_document_to(
        &self,
        document: Document,
        stages: DocumentStages,
    ) -> AnalysedDocument {
        let segmented = match stages {
            DocumentStages::UpToLanguage => self.segmenter.segment_paragraphs(&document.text),
            DocumentStages::All => self.segmenter.segment(&document.text),
        };
        let languages = self.detector.detect_document(&document.text, &segmented);
        if stages == DocumentStages::UpToLanguage {
            return AnalysedDocument {
                document,
                segmented,
                languages,
                mangling: None,
                themes: DocumentThemes::default(),
            };
        }
        let mangling = self.restore_english(&document.text, &segmented, &languages);
        let mut analysed = AnalysedDocument {
            document,
            segmented,
            languages,
            mangling,
            themes: DocumentThemes::default(),
        };
        analysed.themes = self.themes.extract_themes(&analysed);
        analysed
    }

    /// The normaliser over the paragraphs to read as English. Restoring spun words can change how
    /// a neighbouring paragraph reads (the document's language grows surer, an unsure paragraph
    /// turns English), and normalising the restored text must change nothing: so the restored
    /// text's languages are read again, and paragraphs that read as English there are normalised
    /// too, until the set no longer grows (at most [`RESTORE_ROUNDS`] readings).
    fn restore_english(
        &self,
        text: &str,
        segmented: &Segmented,
        languages: &DocumentLanguages,
    ) -> Option<Mangling> {
        let mut english = english_paragraphs(languages);
        if !english.contains(&true) {
            return None;
        }
        let mut mangling = self.normalizer.normalize(text, segmented, &english);
        for _ in 0..RESTORE_ROUNDS {
            if mangling.edits.is_empty() {
                break;
            }
            let restored = normalize::apply_edits(text, &mangling.edits);
            let restored_segmented = self.segmenter.segment_paragraphs(&restored);
            // Edits that removed a whole line can change the paragraphs: nothing to compare.
            if restored_segmented.paragraphs.len() != segmented.paragraphs.len() {
                break;
            }
            let reread = english_paragraphs(
                &self
                    .detector
                    .detect_document(&restored, &restored_segmented),
            );
            if !reread
                .iter()
                .zip(&english)
                .any(|(&now, &before)| now && !before)
            {
                break;
            }
            english = english.iter().zip(&reread).map(|(&a, &b)| a || b).collect();
            mangling = self.normalizer.normalize(text, segmented, &english);
        }
        Some(mangling)
    }

    /// Tool version and a hash of the settings and the lexicon in use, e.g. `0.1.0-3f…`: the key of
    /// cached per-document results.
    pub fn config_fingerprint(&self) -> &str {
        &self.config_fingerprint
    }

    /// How inputs are loaded.
    pub fn load_config(&self) -> &LoadConfig {
        &self.load
    }

    /// The built theme stage (taxonomy and thresholds).
    pub fn theme_matcher(&self) -> &ThemeMatcher {
        &self.themes
    }

    /// Reads every input and analyses it, in parallel on the current rayon pool.
    pub fn run(&self, inputs: &[Input], progress: &dyn Progress) -> Analysis {
        let started = Instant::now();
        let (loaded, errors) = self.load_inputs(inputs);
        let load = started.elapsed();
        let started = Instant::now();
        let (documents, errors) =
            self.analyse_loaded(loaded, errors, progress, DocumentStages::All);
        let documents_time = started.elapsed();
        let started = Instant::now();
        let groups = align::group::group(&documents);
        let group = started.elapsed();
        let started = Instant::now();
        let themes = themes::summarise(&self.themes, &documents, &groups);
        Analysis {
            documents,
            errors,
            groups,
            themes,
            settings: self.settings(),
            timings: Timings {
                load,
                documents: documents_time,
                group,
                themes: started.elapsed(),
            },
        }
    }

    /// The settings this pipeline runs with, as a report records them.
    pub fn settings(&self) -> Settings {
        Settings {
            fingerprint: self.config_fingerprint.clone(),
            stages: self.config.clone(),
        }
    }

    /// Reads every input and runs the per-document stages only (no groups, no recurring themes):
    /// the documents sorted by id, with unique ids, and the failed inputs, sorted by file and line.
    pub fn analyse_inputs(
        &self,
        inputs: &[Input],
        progress: &dyn Progress,
        stages: DocumentStages,
    ) -> (Vec<AnalysedDocument>, Vec<InputError>) {
        let (loaded, errors) = self.load_inputs(inputs);
        self.analyse_loaded(loaded, errors, progress, stages)
    }

    /// Discovers and loads every input, sources in parallel: the records of every source in input
    /// order (documents or the errors of single records), and the inputs that failed as a whole.
    fn load_inputs(
        &self,
        inputs: &[Input],
    ) -> (Vec<Result<Document, InputError>>, Vec<InputError>) {
        let (sources, errors) = corpus::discover_with(inputs, &self.load);
        let loaded = sources
            .par_iter()
            .flat_map_iter(|source| corpus::load(source, &self.load))
            .collect();
        (loaded, errors)
    }

    /// Runs the per-document stages over loaded records in parallel, one task per document (so
    /// the records of one JSON Lines file spread over the threads too), then assigns unique ids
    /// in load order and sorts documents by id and errors by file and line.
    fn analyse_loaded(
        &self,
        loaded: Vec<Result<Document, InputError>>,
        mut errors: Vec<InputError>,
        progress: &dyn Progress,
        stages: DocumentStages,
    ) -> (Vec<AnalysedDocument>, Vec<InputError>) {
        progress.start(loaded.iter().filter(|result| result.is_ok()).count());
        let analysed: Vec<Result<AnalysedDocument, InputError>> = loaded
            .into_par_iter()
            .map(|result| {
                result.map(|document| {
                    let analysed = self.analyse_document_to(document, stages);
                    progress.advance();
                    analysed
                })
            })
            .collect();
        let mut documents = Vec::new();
        for result in analysed {
            match result {
                Ok(document) => documents.push(document),
                Err(error) => errors.push(error),
            }
        }
        order_documents(&mut documents, &mut errors);
        (documents, errors)
    }
}

/// Assigns unique ids in load order, then sorts documents by id and errors by file and line: the
/// step between the per-document and the corpus stages, shared by `analyze` and `dist`.
pub(crate) fn order_documents(documents: &mut [AnalysedDocument], errors: &mut [InputError]) {
    corpus::assign_unique_ids(documents.iter_mut().map(|d| &mut d.document));
    documents.sort_by(|a, b| a.document.id.cmp(&b.document.id));
    errors.sort_by(|a, b| (a.file_and_line(), a.kind).cmp(&(b.file_and_line(), b.kind)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_follows_the_content_of_a_user_lexicon() {
        let folder = tempfile::tempdir().unwrap();
        let lexicon = folder.path().join("extra.tsv");
        let key = |rows: &str| {
            std::fs::write(&lexicon, format!("spun\toriginal\tmode\tsource\n{rows}")).unwrap();
            let mut config = Config::default();
            config.normalize.lexicon = Some(lexicon.clone());
            Pipeline::new(&config)
                .unwrap()
                .config_fingerprint()
                .to_string()
        };
        let first = key("frightfully costly\tvery expensive\talways\tteam\n");
        assert_eq!(
            first,
            key("frightfully costly\tvery expensive\talways\tteam\n")
        );
        assert_ne!(first, key("awfully costly\tvery expensive\talways\tteam\n"));
        let builtin = Pipeline::new(&Config::default()).unwrap();
        assert_ne!(first, builtin.config_fingerprint());
    }
}
