//! The pipeline: every stage built once from [`Config`], the per-document stages run over each
//! document in parallel under rayon, then the corpus stages (grouping, theme recurrence,
//! discovery) over the documents' results.

use crate::align;
use crate::align::group::Fingerprint;
use crate::config::{Config, Error, Settings};
use crate::corpus::{self, Document, Input, InputError, LoadConfig};
use crate::lang::{DocumentLanguages, Language, LanguageDetector};
use crate::normalize::{Mangling, Normalizer, Restoration};
use crate::segment::{Segmented, Segmenter};
use crate::text::{Token, tokens};
use crate::themes::{self, DocumentThemes, ThemeMatcher, ThemeSummary};
use crate::timing::{DocumentStage, Phase, StageClock, Timings};
use rayon::prelude::*;

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
    /// The restored text, made once from the mangling's edits (`None` when nothing changed): what
    /// grouping, themes and the report read of the normaliser's work.
    pub restoration: Option<Restoration>,
    /// Its statements and their theme scores.
    pub themes: DocumentThemes,
}

impl AnalysedDocument {
    /// The original text with the normaliser's edits applied (documents with English only).
    pub fn normalized_text(&self) -> Option<&str> {
        self.mangling.as_ref()?;
        Some(
            self.restoration
                .as_ref()
                .map_or(self.document.text.as_str(), Restoration::text),
        )
    }

    /// [`AnalysedDocument::normalized_text`], taken instead of copied.
    pub fn into_normalized_text(self) -> Option<String> {
        self.mangling.as_ref()?;
        Some(
            self.restoration
                .map_or(self.document.text, Restoration::into_text),
        )
    }

    /// The results of this document's stages for `document`, an exact copy of its text (every
    /// stage's result is a function of the text alone).
    fn copied_to(&self, document: Document) -> AnalysedDocument {
        debug_assert_eq!(document.text, self.document.text);
        AnalysedDocument {
            document,
            segmented: self.segmented.clone(),
            languages: self.languages.clone(),
            mangling: self.mangling.clone(),
            restoration: self.restoration.clone(),
            themes: self.themes.clone(),
        }
    }

    /// What grouping reads of the document.
    pub fn grouped(&self) -> align::group::GroupInput<'_> {
        align::group::GroupInput {
            id: &self.document.id,
            text: &self.document.text,
            segmented: &self.segmented,
            language: self.languages.document.language,
            restoration: self.restoration.as_ref(),
        }
    }

    /// What the theme corpus stage reads of the document.
    pub fn themed(&self) -> themes::ThemedDocument<'_> {
        themes::ThemedDocument {
            id: &self.document.id,
            texts: themes::StatementTexts::Whole(&self.document.text),
            language: self.languages.document.language,
            themes: &self.themes,
        }
    }

    /// The restored text of the original's bytes `start..end` when the normaliser changed
    /// something wholly inside them, `None` when it did not.
    pub fn restored_span(&self, start: usize, end: usize) -> Option<std::borrow::Cow<'_, str>> {
        self.restoration
            .as_ref()?
            .restored_span(&self.document.text, start, end)
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
        Outcome::of(self.documents.len(), self.errors.len())
    }
}

impl Outcome {
    /// How a run that analysed `documents` documents and failed `failed` inputs went.
    pub fn of(documents: usize, failed: usize) -> Self {
        if documents == 0 {
            Outcome::NothingRead
        } else if failed == 0 {
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
    let document_english = languages.document.language == Language::ENGLISH;
    languages
        .paragraphs
        .iter()
        .map(|p| p.language == Language::ENGLISH || (document_english && !p.reliable))
        .collect()
}

/// How far the per-document stages go: a command runs only the stages it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStages {
    /// Load, segment into paragraphs (no sentences) and identify the language (what `detect`
    /// shows).
    UpToLanguage,
    /// Segment (with sentences), identify the language and restore spun English (what
    /// `normalize` and `align` show): no theme hits.
    UpToNormalize,
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

/// The tool version and a hash of the settings and of the lexicon's content (the settings name a
/// user lexicon only by its path, and the normalised text is what documents are fingerprinted
/// from).
fn fingerprint_of(config: &Config, lexicon_digest: u64) -> String {
    let settings = serde_json::to_string(config).unwrap_or_default();
    let settings_hash = xxhash_rust::xxh3::xxh3_64(settings.as_bytes()) ^ lexicon_digest;
    format!("{}-{settings_hash:016x}", env!("CARGO_PKG_VERSION"))
}

impl Pipeline {
    /// Builds every stage from its settings.
    pub fn new(config: &Config) -> Result<Self, Error> {
        config.group.validate()?;
        let normalizer = config.normalize.build()?;
        Ok(Self {
            config: config.clone(),
            load: config.load.clone(),
            config_fingerprint: fingerprint_of(config, normalizer.lexicon_digest()),
            segmenter: config.segment.build(),
            detector: config.language.build()?,
            normalizer,
            themes: config.themes.build()?,
        })
    }

    /// [`Pipeline::config_fingerprint`] of the pipeline `config` builds, without building it.
    pub fn config_fingerprint_of(config: &Config) -> Result<String, Error> {
        Ok(fingerprint_of(config, config.normalize.lexicon_digest()?))
    }

    /// Runs the per-document stages over one loaded document.
    pub fn analyse_document(&self, document: Document) -> AnalysedDocument {
        self.analyse_document_to(document, DocumentStages::All)
    }

    /// Runs every per-document stage over one loaded document, and makes grouping's fingerprint
    /// of it: from the tokens segmentation read, as [`Pipeline::run`] does, when the text is no
    /// longer than a fingerprint reads (so it is tokenized once).
    pub fn analyse_and_fingerprint(&self, document: Document) -> (AnalysedDocument, Fingerprint) {
        let (analysed, made) =
            self.analyse_timed(document, DocumentStages::All, &StageClock::default(), true);
        let fingerprint = made
            .unwrap_or_else(|| align::group::fingerprint(&analysed.grouped(), &self.config.group));
        (analysed, fingerprint)
    }

    /// Runs the per-document stages up to `stages` over one loaded document; the stages left out
    /// leave their fields empty (no mangling, no theme hits).
    pub fn analyse_document_to(
        &self,
        document: Document,
        stages: DocumentStages,
    ) -> AnalysedDocument {
        self.analyse_timed(document, stages, &StageClock::default(), false)
            .0
    }

    /// [`Pipeline::analyse_document_to`], adding the time of each stage to `clock`; with
    /// `fingerprint` (and every stage), also grouping's fingerprint of a document no longer than
    /// a fingerprint reads, made from the tokens of its text that segmentation counted its words
    /// from (the text is tokenized once); `None` for a longer one (grouping fingerprints it).
    fn analyse_timed(
        &self,
        document: Document,
        stages: DocumentStages,
        clock: &StageClock,
        fingerprint: bool,
    ) -> (AnalysedDocument, Option<Fingerprint>) {
        let (text_tokens, segmented) = clock.time(DocumentStage::Segment, || match stages {
            DocumentStages::UpToLanguage => {
                (None, self.segmenter.segment_paragraphs(&document.text))
            }
            // A text longer than a fingerprint reads is not tokenized whole (a huge file's
            // tokens would outweigh it).
            DocumentStages::All
                if fingerprint && document.text.len() <= align::group::FINGERPRINT_BYTES =>
            {
                let text_tokens: Vec<Token> = tokens(&document.text).collect();
                let segmented = self
                    .segmenter
                    .segment_with_tokens(&document.text, &text_tokens);
                (Some(text_tokens), segmented)
            }
            DocumentStages::UpToNormalize | DocumentStages::All => {
                (None, self.segmenter.segment(&document.text))
            }
        });
        let languages = clock.time(DocumentStage::Detect, || {
            self.detector.detect_document(&document.text, &segmented)
        });
        if stages == DocumentStages::UpToLanguage {
            let analysed = AnalysedDocument {
                document,
                segmented,
                languages,
                mangling: None,
                restoration: None,
                themes: DocumentThemes::default(),
            };
            return (analysed, None);
        }
        let (mangling, restoration) = clock.time(DocumentStage::Normalize, || {
            self.restore_english(&document.text, &segmented, &languages)
        });
        let themes = match stages {
            DocumentStages::All => clock.time(DocumentStage::Themes, || {
                self.themes.extract_themes(&themes::DocumentInput {
                    text: &document.text,
                    paragraphs: &segmented.paragraphs,
                    languages: &languages,
                    spun: mangling.as_ref().is_some_and(|m| m.mangled),
                    restoration: restoration.as_ref(),
                })
            }),
            _ => DocumentThemes::default(),
        };
        let fingerprint = text_tokens.map(|text_tokens| {
            let input = align::group::GroupInput {
                id: &document.id,
                text: &document.text,
                segmented: &segmented,
                language: languages.document.language,
                restoration: restoration.as_ref(),
            };
            align::group::fingerprint_with_tokens(&input, &self.config.group, &text_tokens)
        });
        let analysed = AnalysedDocument {
            document,
            segmented,
            languages,
            mangling,
            restoration,
            themes,
        };
        (analysed, fingerprint)
    }

    /// The normaliser over the paragraphs to read as English. Restoring spun words can change how
    /// a neighbouring paragraph reads (the document's language grows surer, an unsure paragraph
    /// turns English), and normalising the restored text must change nothing: so the restored
    /// text's languages are read again, and paragraphs that read as English there are normalised
    /// too, until the set no longer grows (at most [`RESTORE_ROUNDS`] readings). Returns the
    /// mangling and its restored text (`None` when nothing changed).
    fn restore_english(
        &self,
        text: &str,
        segmented: &Segmented,
        languages: &DocumentLanguages,
    ) -> (Option<Mangling>, Option<Restoration>) {
        let mut english = english_paragraphs(languages);
        if !english.contains(&true) {
            return (None, None);
        }
        let mut mangling = self.normalizer.normalize(text, segmented, &english);
        for _ in 0..RESTORE_ROUNDS {
            if mangling.edits.is_empty() {
                break;
            }
            let restoration = Restoration::new(text, &mangling.edits);
            let restored = restoration.text();
            let restored_segmented = self.segmenter.segment_paragraphs(restored);
            // Edits that removed a whole line can change the paragraphs: nothing to compare.
            if restored_segmented.paragraphs.len() != segmented.paragraphs.len() {
                return (Some(mangling), Some(restoration));
            }
            let reread =
                english_paragraphs(&self.detector.detect_document(restored, &restored_segmented));
            if !reread
                .iter()
                .zip(&english)
                .any(|(&now, &before)| now && !before)
            {
                return (Some(mangling), Some(restoration));
            }
            english = english.iter().zip(&reread).map(|(&a, &b)| a || b).collect();
            mangling = self.normalizer.normalize(text, segmented, &english);
        }
        let restoration =
            (!mangling.edits.is_empty()).then(|| Restoration::new(text, &mangling.edits));
        (Some(mangling), restoration)
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

    /// How versions of one article are grouped.
    pub fn group_config(&self) -> &align::group::GroupConfig {
        &self.config.group
    }

    /// The built theme stage (taxonomy and thresholds).
    pub fn theme_matcher(&self) -> &ThemeMatcher {
        &self.themes
    }

    /// Reads every input and analyses it, in parallel on the current rayon pool.
    pub fn run(&self, inputs: &[Input], progress: &dyn Progress) -> Analysis {
        let phase = Phase::start();
        let (loaded, errors) = self.load_inputs(inputs);
        let load = phase.stop();
        let phase = Phase::start();
        let clock = StageClock::default();
        let (documents, fingerprints, errors) =
            self.analyse_loaded(loaded, errors, progress, DocumentStages::All, &clock, true);
        let documents_time = phase.stop();
        let timings = Timings {
            load,
            documents: documents_time,
            segment: clock.total(DocumentStage::Segment),
            detect: clock.total(DocumentStage::Detect),
            normalize: clock.total(DocumentStage::Normalize),
            document_themes: clock.total(DocumentStage::Themes),
            ..Timings::default()
        };
        self.analyse_corpus(documents, fingerprints, errors, timings)
    }

    /// The corpus stages (grouping, theme decisions, recurrence, discovery) over documents already
    /// analysed, in id order with unique ids: what [`Pipeline::run`] does after the document
    /// stages, and what a sharded run does over every shard's records. `fingerprints` are those the
    /// document stage made (`fingerprints[i]` of document `i`); documents without one (`None`, or
    /// past the end of the list) are fingerprinted here. `timings` holds the phases before; the
    /// corpus stages add theirs.
    pub fn analyse_corpus(
        &self,
        documents: Vec<AnalysedDocument>,
        fingerprints: Vec<Option<Fingerprint>>,
        errors: Vec<InputError>,
        timings: Timings,
    ) -> Analysis {
        self.analyse_corpus_grouped_by(documents, errors, timings, |inputs| {
            align::group::group_fingerprinted(inputs, fingerprints, &self.config.group)
        })
    }

    /// [`Pipeline::analyse_corpus`] with grouping done by `group` (a sharded run gives
    /// [`align::group::group_with_shares`] the blocking shares its tasks computed).
    pub fn analyse_corpus_grouped_by(
        &self,
        documents: Vec<AnalysedDocument>,
        errors: Vec<InputError>,
        mut timings: Timings,
        group: impl FnOnce(&[align::group::GroupInput]) -> Vec<align::group::Group>,
    ) -> Analysis {
        let phase = Phase::start();
        let inputs: Vec<align::group::GroupInput> =
            documents.iter().map(AnalysedDocument::grouped).collect();
        let groups = group(&inputs);
        timings.group = phase.stop();
        let phase = Phase::start();
        let summaries: Vec<themes::ThemedDocument> =
            documents.iter().map(AnalysedDocument::themed).collect();
        let themes = themes::summarise(&self.themes, &summaries, &groups);
        timings.recurrence = phase.stop();
        Analysis {
            documents,
            errors,
            groups,
            themes,
            settings: self.settings(),
            timings,
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
        let (documents, _, errors) = self.analyse_loaded(
            loaded,
            errors,
            progress,
            stages,
            &StageClock::default(),
            false,
        );
        (documents, errors)
    }

    /// Paragraphs, sentences and words of one text, as the segmentation stage finds them.
    pub fn segment(&self, text: &str) -> Segmented {
        self.segmenter.segment(text)
    }

    /// Reads every input and runs no stage: the loaded documents sorted by id, with unique ids,
    /// and the failed inputs, sorted by file and line (what `align --lines` needs).
    pub fn load(&self, inputs: &[Input]) -> (Vec<Document>, Vec<InputError>) {
        let (loaded, mut errors) = self.load_inputs(inputs);
        let mut documents = Vec::new();
        for result in loaded {
            match result {
                Ok(document) => documents.push(document),
                Err(error) => errors.push(error),
            }
        }
        corpus::assign_unique_ids(documents.iter_mut());
        documents.sort_by(|a, b| a.id.cmp(&b.id));
        errors.sort_by(|a, b| (a.file_and_line(), a.kind).cmp(&(b.file_and_line(), b.kind)));
        (documents, errors)
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
    /// in load order and sorts documents by id and errors by file and line. With `fingerprint`,
    /// also the documents' fingerprints for grouping, in their order (see
    /// [`Pipeline::analyse_timed`]); none without. Every stage's result is a function of the text
    /// alone, so an exact copy of a document loaded before it (equal hashes, then equal texts:
    /// [`align::group::exact_copies_by`]) is not analysed again: it takes a copy of that
    /// document's results.
    fn analyse_loaded(
        &self,
        loaded: Vec<Result<Document, InputError>>,
        mut errors: Vec<InputError>,
        progress: &dyn Progress,
        stages: DocumentStages,
        clock: &StageClock,
        fingerprint: bool,
    ) -> (
        Vec<AnalysedDocument>,
        Vec<Option<Fingerprint>>,
        Vec<InputError>,
    ) {
        let mut loaded_documents = Vec::new();
        for result in loaded {
            match result {
                Ok(document) => loaded_documents.push(document),
                Err(error) => errors.push(error),
            }
        }
        progress.start(loaded_documents.len());
        let hashes: Vec<u64> = loaded_documents
            .par_iter()
            .map(|document| align::group::text_hash(&document.text))
            .collect();
        let copy_of = align::group::exact_copies_by(&hashes, |first, index| {
            loaded_documents[first].text == loaded_documents[index].text
        });
        let firsts: Vec<FirstPass> = loaded_documents
            .into_par_iter()
            .zip(copy_of)
            .map(|(document, copy)| match copy {
                Some(first) => FirstPass::CopyOf(first, document),
                None => {
                    let analysed = self.analyse_timed(document, stages, clock, fingerprint);
                    progress.advance();
                    FirstPass::Analysed(Box::new(analysed))
                }
            })
            .collect();
        let mut analysed: Vec<(AnalysedDocument, Option<Fingerprint>)> =
            Vec::with_capacity(firsts.len());
        for pass in firsts {
            let made = match pass {
                FirstPass::Analysed(made) => *made,
                // The first document with the copy's text is before it: analysed already.
                FirstPass::CopyOf(first, document) => {
                    let (original, fingerprint) = &analysed[first];
                    progress.advance();
                    (original.copied_to(document), fingerprint.clone())
                }
            };
            analysed.push(made);
        }
        let (mut documents, fingerprints): (Vec<_>, Vec<_>) = analysed.into_iter().unzip();
        if !fingerprint {
            order_documents(&mut documents, &mut errors);
            return (documents, Vec::new(), errors);
        }
        // What `order_documents` does, the fingerprints taken into the documents' order by their
        // ids (unique once assigned).
        corpus::assign_unique_ids(documents.iter_mut().map(|d| &mut d.document));
        let mut by_id: Vec<(String, Option<Fingerprint>)> = documents
            .iter()
            .map(|d| d.document.id.clone())
            .zip(fingerprints)
            .collect();
        by_id.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        documents.sort_by(|a, b| a.document.id.cmp(&b.document.id));
        sort_errors(&mut errors);
        let fingerprints = by_id.into_iter().map(|(_, made)| made).collect();
        (documents, fingerprints, errors)
    }
}

/// A loaded document after the parallel pass of [`Pipeline::analyse_loaded`].
enum FirstPass {
    /// Analysed, with its fingerprint if one was made.
    Analysed(Box<(AnalysedDocument, Option<Fingerprint>)>),
    /// An exact copy of the document at this index (before it), left to take its results.
    CopyOf(usize, Document),
}

/// Assigns unique ids in load order, then sorts documents by id and errors by file and line: the
/// step between the per-document and the corpus stages, shared by `analyze` and `dist`.
pub(crate) fn order_documents(documents: &mut [AnalysedDocument], errors: &mut [InputError]) {
    corpus::assign_unique_ids(documents.iter_mut().map(|d| &mut d.document));
    documents.sort_by(|a, b| a.document.id.cmp(&b.document.id));
    sort_errors(errors);
}

/// Sorts failed inputs by file, then line, then kind, as the report lists them (stable: inputs
/// that compare equal keep their order).
pub(crate) fn sort_errors(errors: &mut [InputError]) {
    errors.sort_by(|a, b| (a.file_and_line(), a.kind).cmp(&(b.file_and_line(), b.kind)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `.txt` texts of `folders` (beside the manifest): the seeds and the development sets,
    /// which must be at hand.
    fn texts_of(folders: &[&str]) -> Vec<String> {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut texts = Vec::new();
        for folder in folders {
            let folder = format!("{root}/{folder}");
            let entries = std::fs::read_dir(&folder).unwrap_or_else(|error| {
                panic!("{folder} must be at hand (the seeds and the development set): {error}")
            });
            for entry in entries {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "txt") {
                    texts.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        assert!(texts.len() >= 5, "{texts:?}");
        texts
    }

    /// The document stage's fingerprint, read from the tokens segmentation counted words from,
    /// is the one grouping makes of the analysed document (and the segmentation the same), on
    /// the seeds, the development articles, their spun versions and texts the normaliser edits.
    #[test]
    fn fingerprints_from_shared_tokens_are_groupings_fingerprints() {
        let pipeline = Pipeline::new(&Config::default()).unwrap();
        let mut texts = texts_of(&["corpus", "../shared/dev/groups", "../shared/dev/spun"]);
        texts.push("The mentee said that the the mentor was very helpful.\n\nThe end.".into());
        texts.push(format!("Opening words {}", "long text ".repeat(30_000)));
        let mut restored = 0;
        for (k, text) in texts.into_iter().enumerate() {
            let whole = text.len() <= align::group::FINGERPRINT_BYTES;
            let document =
                corpus::document_from_bytes(k.to_string(), k.to_string(), text.into_bytes())
                    .unwrap();
            let clock = StageClock::default();
            let (analysed, made) =
                pipeline.analyse_timed(document.clone(), DocumentStages::All, &clock, true);
            restored += usize::from(analysed.restoration.is_some());
            let general = pipeline.analyse_document(document);
            assert_eq!(analysed.segmented, general.segmented, "{k}");
            let grouping = align::group::fingerprint(&general.grouped(), &pipeline.config.group);
            assert_eq!(made, whole.then_some(grouping), "{k}");
        }
        assert!(restored > 0);
    }

    /// An exact copy takes its first document's results, which are the ones analysing it on its
    /// own gives; a text one character away is analysed as itself.
    #[test]
    fn exact_copies_take_their_first_documents_results() {
        let pipeline = Pipeline::new(&Config::default()).unwrap();
        let texts = texts_of(&["corpus", "../shared/dev/spun"]);
        let near = format!("{}.", texts[0]);
        let mut all: Vec<String> = texts.clone();
        all.extend(texts.iter().rev().cloned());
        all.push(near);
        all.push(texts[1].clone());
        let documents: Vec<Document> = all
            .into_iter()
            .enumerate()
            .map(|(k, text)| {
                corpus::document_from_bytes(format!("{k:03}"), k.to_string(), text.into_bytes())
                    .unwrap()
            })
            .collect();
        let (analysed, fingerprints, _) = pipeline.analyse_loaded(
            documents.iter().cloned().map(Ok).collect(),
            Vec::new(),
            &(),
            DocumentStages::All,
            &StageClock::default(),
            true,
        );
        assert_eq!(analysed.len(), documents.len());
        let mut restored = 0;
        for ((copy, made), document) in analysed.iter().zip(fingerprints).zip(documents) {
            assert_eq!(copy.document.id, document.id);
            let (alone, fingerprint) = pipeline.analyse_and_fingerprint(document);
            let id = &alone.document.id;
            assert_eq!(copy.document.text, alone.document.text, "{id}");
            assert_eq!(copy.segmented, alone.segmented, "{id}");
            assert_eq!(copy.languages, alone.languages, "{id}");
            assert_eq!(copy.mangling, alone.mangling, "{id}");
            assert_eq!(copy.restoration, alone.restoration, "{id}");
            assert_eq!(copy.themes, alone.themes, "{id}");
            assert_eq!(made, Some(fingerprint), "{id}");
            restored += usize::from(copy.restoration.is_some());
        }
        assert!(restored > 0);
    }

    #[test]
    fn the_cache_key_follows_the_content_of_a_user_lexicon() {
        let folder = tempfile::tempdir().unwrap();
        let lexicon = folder.path().join("extra.tsv");
        let key = |rows: &str| {
            std::fs::write(&lexicon, format!("spun\toriginal\tmode\tsource\n{rows}")).unwrap();
            let mut config = Config::default();
            config.normalize.lexicon = Some(lexicon.clone());
            let built = Pipeline::new(&config)
                .unwrap()
                .config_fingerprint()
                .to_string();
            // What a dist task checks without building the pipeline.
            assert_eq!(Pipeline::config_fingerprint_of(&config).unwrap(), built);
            built
        };
        let first = key("frightfully costly\tvery expensive\talways\tteam\n");
        assert_eq!(
            first,
            key("frightfully costly\tvery expensive\talways\tteam\n")
        );
        assert_ne!(first, key("awfully costly\tvery expensive\talways\tteam\n"));
        let builtin = Pipeline::new(&Config::default()).unwrap();
        assert_ne!(first, builtin.config_fingerprint());
        assert_eq!(
            Pipeline::config_fingerprint_of(&Config::default()).unwrap(),
            builtin.config_fingerprint()
        );
    }
}
