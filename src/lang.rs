//! Language identification per paragraph and per document.
//!
//! A text read on its own ([`LanguageDetector::detect`]) is identified by `whatlang` (trigram
//! model), restricted to an optional allow-list. Where whatlang's answer belongs to a cluster of
//! close neighbours that it is known to confuse (Danish/Norwegian Bokmål/Swedish, Czech/Slovak,
//! Russian/Ukrainian, Spanish/Portuguese), a second opinion scores the cluster's languages by
//! distinctive letters, words and affixes (`lang/markers.tsv`) and by function words that only one
//! of them lists, and overrides the trigram answer when the margin is clear. Text too short to tell is "und": one or two words get an answer only
//! when the detector is reliable, three words only with confidence of at least 0.25.
//!
//! When the answer so far is still open to doubt on a text of at least three words, a third
//! reading settles it: `lingua`'s n-gram models (orders 1 to 5, built from other corpora than
//! whatlang's trigrams) choose among the few languages left open: the answer, whatlang's
//! runners-up among the allowed languages, a function-word rival, and their close neighbours; the
//! markers then check lingua's answer against its own neighbours. Doubt is: confidence under
//! `ngram_reading_below`; an answer in a cluster that the markers do not favour, with confidence
//! under `ngram_reading_in_cluster_below`; or another allowed language (not a neighbour) whose
//! function words cover more of the words than the answer's family's do (Czech typed without
//! diacritics reads to whatlang as Spanish or Portuguese, confidently, but its function words stay
//! Czech).
//! lingua models are bundled for the 16 languages the project evaluates (see [`NGRAM_MODELS`]);
//! other languages keep the first two readings. Restricting lingua to two to four candidates
//! keeps it cheap, and it runs on about a tenth of sentences and almost no paragraphs.
//!
//! Inside a document ([`LanguageDetector::detect_document`]) whatlang first reads a sample of the
//! whole text. Each paragraph then checks that guess against its own function words (Stopwords
//! ISO lists, from the `stop-words` crate): when they fit the guessed language at least as well as
//! any other language (its close neighbours aside, which the second opinion tells apart), the
//! paragraph takes it without a trigram pass of its own; otherwise it is read on its own. A trigram
//! pass costs about the same for a heading as for a page, so this keeps paragraph-level detection
//! close to the cost of one pass per document while a paragraph in another language is still
//! found. The document language is then a vote of its non-boilerplate paragraphs, weighted by
//! length; a second language is reported only when several paragraphs reliably carry it.

use crate::datafile::data_rows;
use crate::memo::Memo;
use crate::segment::Segmented;
use reading::{Reader, Reading};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use whatlang::Lang;

mod language;
pub use language::Language;
mod reading;

const MARKERS_TSV: &str = include_str!("lang/markers.tsv");

/// Second-opinion weight of a function word that only one language of a cluster lists.
const FUNCTION_WORD_WEIGHT: f64 = 0.5;

/// A paragraph read in context needs this many words to be called reliable.
const CONTEXT_RELIABLE_WORDS: usize = 8;

/// Errors in the language configuration.
#[derive(Debug, thiserror::Error)]
pub enum LanguageError {
    /// A code in the allow-list is not one whatlang knows.
    #[error(
        "unknown language code '{0}': use ISO 639-1 (en, sv, pl) or ISO 639-3 (eng, swe, pol) codes of languages whatlang supports"
    )]
    UnknownCode(String),
}

/// Settings for language identification.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageConfig {
    /// Languages to choose from (ISO 639-1 or 639-3); empty means every language whatlang knows.
    pub languages: Vec<String>,
    /// Texts with at most this many words are answered only when the detector is reliable.
    pub short_text_words: usize,
    /// Texts with at most this many words are answered only with at least `min_confidence`.
    pub brief_text_words: usize,
    /// The confidence a brief text needs to be answered rather than "und".
    pub min_confidence: f64,
    /// Longer texts are identified from this many bytes (start, middle and end windows).
    pub sample_bytes: usize,
    /// The document's first guess, which its paragraphs then check, reads this many bytes.
    pub document_sample_bytes: usize,
    /// A paragraph takes its document's language without a trigram pass of its own only when at
    /// least this share of its words are function words of that language.
    pub context_min_share: f64,
    /// The marker score margin with which the second opinion overrides a fully confident trigram
    /// answer; a less confident answer needs proportionally less (never under 1.0).
    pub override_margin: f64,
    /// An answer less confident than this (on a text of more than `short_text_words` words) is
    /// settled by lingua's n-gram models among the languages left open; 0 turns this off.
    pub ngram_reading_below: f64,
    /// An answer in a cluster of close neighbours that the markers do not favour is settled by
    /// lingua too when its confidence is under this.
    pub ngram_reading_in_cluster_below: f64,
    /// The answer is settled by lingua too when another allowed language (not a close neighbour)
    /// has at least this many more function words in the text than the answer's family; 0 turns
    /// this off.
    pub rival_function_words: u32,
}

impl Default for LanguageConfig {
    fn default() -> Self {
        Self {
            languages: Vec::new(),
            short_text_words: 2,
            brief_text_words: 3,
            min_confidence: 0.25,
            sample_bytes: 3000,
            document_sample_bytes: 1500,
            override_margin: 2.0,
            context_min_share: 0.15,
            ngram_reading_below: 0.2,
            ngram_reading_in_cluster_below: 0.3,
            rival_function_words: 1,
        }
    }
}

/// A language decision for one span of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageGuess {
    /// The language, or undetermined.
    pub language: Language,
    /// 0..1; 0 for "und".
    pub confidence: f64,
    /// Whether the decision is safe to act on.
    pub reliable: bool,
}

impl LanguageGuess {
    /// The undetermined answer.
    pub const UNDETERMINED: Self = Self {
        language: Language::UNDETERMINED,
        confidence: 0.0,
        reliable: false,
    };

    /// Whether a language was determined.
    pub fn is_determined(&self) -> bool {
        self.language.is_determined()
    }
}

/// A language carried by several paragraphs besides the document's main language.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondaryLanguage {
    /// The language.
    pub language: Language,
    /// Paragraphs reliably in this language.
    pub paragraphs: usize,
    /// Share of the document's identified text in this language, 0..1.
    pub share: f64,
}

/// Languages of one document: the vote, the runners-up and each paragraph's own answer.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentLanguages {
    /// The document's language.
    pub document: LanguageGuess,
    /// Other languages reliably carried by several paragraphs.
    pub secondary: Vec<SecondaryLanguage>,
    /// One guess per paragraph, in paragraph order.
    pub paragraphs: Vec<LanguageGuess>,
}

impl LanguageConfig {
    /// Builds the detector with its allow-list and the second-opinion markers.
    pub fn build(&self) -> Result<LanguageDetector, LanguageError> {
        let allowed: Vec<Lang> = if self.languages.is_empty() {
            Lang::all().to_vec()
        } else {
            let mut allowed = Vec::new();
            for code in &self.languages {
                let lang =
                    parse_code(code).ok_or_else(|| LanguageError::UnknownCode(code.clone()))?;
                if !allowed.contains(&lang) {
                    allowed.push(lang);
                }
            }
            allowed
        };
        // With an allow-list, whatlang answers the nearest allowed language however foreign the
        // text; its unrestricted reading tells when the text is in none of them. Close neighbours
        // of an allowed language are no sign of that.
        let allowed_neighbours: Vec<Lang> = Cluster::load_all(Lang::all())
            .into_iter()
            .map(|cluster| cluster.languages)
            .filter(|languages| languages.iter().any(|lang| allowed.contains(lang)))
            .flatten()
            .collect();
        Ok(LanguageDetector {
            reader: Reader::new(&allowed, !self.languages.is_empty(), &allowed_neighbours),
            clusters: Cluster::load_all(&allowed),
            function_words: FunctionWords::new(&allowed, self.context_min_share),
            config: self.clone(),
            alone: Memo::new(ALONE_GENERATION),
        })
    }
}

/// The built language detector; shared by all threads.
pub struct LanguageDetector {
    /// whatlang, read once per text for the allow-list (or every language it knows).
    reader: Reader,
    clusters: Vec<Cluster>,
    function_words: FunctionWords,
    config: LanguageConfig,
    /// Paragraphs read on their own ([`LanguageDetector::detect_alone`]), by their text: a
    /// paragraph repeated across documents (a boilerplate line, a copied paragraph) is read once.
    alone: Memo<String, LanguageGuess>,
}

/// Paragraphs read on their own that one generation of [`LanguageDetector::alone`] holds at most
/// (each at most [`LanguageConfig::sample_bytes`] long: 1.5 MB of text at the default 3,000).
const ALONE_GENERATION: usize = 512;

impl LanguageDetector {
    /// Identifies the language of one span of text on its own.
    pub fn detect(&self, text: &str) -> LanguageGuess {
        let sample = sample(text, self.config.sample_bytes);
        self.detect_sample(&sample, &Words::new(&sample))
    }

    /// [`LanguageDetector::detect`] of a text from its sample and the sample's words, which the
    /// caller made once for every reading of a paragraph.
    fn detect_sample(&self, sample: &str, words: &Words) -> LanguageGuess {
        let count = words.alphabetic_count();
        if count == 0 || too_few_letters(&words.lowercase) {
            return LanguageGuess::UNDETERMINED;
        }
        let whatlang = self.reader.read(sample);
        let Some(mut answer) = self.identify(&whatlang, words) else {
            return LanguageGuess::UNDETERMINED;
        };
        if count > self.config.short_text_words {
            let rival = self.function_word_rival(answer.0, words);
            let contested = answer.1 < self.config.ngram_reading_in_cluster_below
                && self
                    .cluster_margin(answer.0, words)
                    .is_some_and(|margin| margin <= 0.0);
            if answer.1 < self.config.ngram_reading_below || rival.is_some() || contested {
                let reading = self.ngram_reading(sample, &whatlang, answer, rival);
                // A new answer is checked by its cluster's markers: lingua too confuses close
                // neighbours (Czech typed without diacritics reads to it as Slovak).
                answer = if reading.0 == answer.0 {
                    reading
                } else {
                    self.second_opinion(reading.0, reading.1, false, words)
                };
            }
        }
        let (lang, confidence, reliable) = answer;
        let unsure = if count <= self.config.short_text_words {
            !reliable
        } else {
            count <= self.config.brief_text_words && confidence < self.config.min_confidence
        };
        if unsure {
            return LanguageGuess::UNDETERMINED;
        }
        LanguageGuess {
            language: Language::from(lang),
            confidence,
            reliable,
        }
    }

    /// whatlang's answer, checked by the second opinion: (language, confidence, reliable).
    fn identify(&self, whatlang: &Reading, words: &Words) -> Option<(Lang, f64, bool)> {
        let (lang, confidence, reliable) = whatlang.allowed_answer()?;
        Some(self.second_opinion(lang, confidence, reliable, words))
    }

    /// lingua's reading among the languages an unclear answer leaves open: the answer itself,
    /// whatlang's next two choices among the allowed languages (when the answer's confidence is
    /// under `ngram_reading_below`), the function-word `rival` if any,
    /// and the close neighbours of each
    /// (the markers' clusters). Returns the answer unchanged when fewer than two of them have an
    /// n-gram model. The new answer is never called reliable: two readings disagreed or were unsure.
    fn ngram_reading(
        &self,
        text: &str,
        whatlang: &Reading,
        answer: (Lang, f64, bool),
        rival: Option<Lang>,
    ) -> (Lang, f64, bool) {
        let mut open = vec![answer.0];
        open.extend(rival);
        // Only an unsure answer asks for whatlang's runners-up; a contested one is settled among
        // its neighbours and the function-word rival.
        if answer.1 < self.config.ngram_reading_below {
            open.extend(self.reader.runners_up(whatlang, &open, 2));
        }
        let neighbours: Vec<Lang> = open
            .iter()
            .filter_map(|&lang| self.cluster_of(lang))
            .flat_map(|cluster| cluster.languages.iter().copied())
            .collect();
        open.extend(neighbours);
        let mut candidates: Vec<(Lang, lingua::Language)> = open
            .into_iter()
            .filter_map(|lang| ngram_model(lang).map(|model| (lang, model)))
            .collect();
        candidates.sort_by_key(|&(lang, _)| lang.code());
        candidates.dedup_by_key(|&mut (lang, _)| lang);
        if candidates.len() < 2 {
            return answer;
        }
        let models: Vec<lingua::Language> = candidates.iter().map(|&(_, model)| model).collect();
        let reading = lingua::LanguageDetectorBuilder::from_languages(&models)
            .build()
            .compute_language_confidence_values(text);
        // lingua sums its log-probabilities in hash order, seeded anew in every process, so a
        // confidence can differ in its last bits between two runs: rounded to nine places, with
        // ties going to the earlier candidate, the reading is the same in every run.
        let rounded = |confidence: f64| (confidence * 1e9).round() / 1e9;
        reading
            .iter()
            .filter_map(|&(model, confidence)| {
                let index = candidates.iter().position(|&(_, m)| m == model)?;
                Some((index, rounded(confidence)))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map_or(answer, |(index, confidence)| {
                (candidates[index].0, confidence, false)
            })
    }

    /// The cluster of close neighbours `lang` belongs to, if any.
    fn cluster_of(&self, lang: Lang) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.languages.contains(&lang))
    }

    /// An allowed language outside `lang`'s family whose function words cover more of the words
    /// than any language of the family does, by at least `rival_function_words`.
    fn function_word_rival(&self, lang: Lang, words: &Words) -> Option<Lang> {
        if self.config.rival_function_words == 0 {
            return None;
        }
        let family = self
            .cluster_of(lang)
            .map_or(std::slice::from_ref(&lang), |c| c.languages.as_slice());
        let (rival, rival_count, family_count) = self.function_words.rival(words, family)?;
        (rival_count >= family_count + self.config.rival_function_words
            && rival_count >= self.config.rival_function_words.max(2))
        .then_some(rival)
    }

    /// The markers' margin for `lang` over its best cluster neighbour (`None` outside a cluster).
    fn cluster_margin(&self, lang: Lang, words: &Words) -> Option<f64> {
        let cluster = self.cluster_of(lang)?;
        let mut scores = cluster.score(words);
        self.function_words.add_exclusive_hits(
            &cluster.languages,
            words,
            FUNCTION_WORD_WEIGHT,
            &mut scores,
        );
        let index = cluster.index_of(lang)?;
        let other = scores
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != index)
            .map(|(_, s)| *s)
            .fold(f64::MIN, f64::max);
        Some(scores[index] - other)
    }

    /// Lets the markers of `lang`'s cluster confirm, weaken or override an answer.
    fn second_opinion(
        &self,
        lang: Lang,
        confidence: f64,
        reliable: bool,
        words: &Words,
    ) -> (Lang, f64, bool) {
        let Some(cluster) = self.cluster_of(lang) else {
            return (lang, confidence, reliable);
        };
        let mut scores = cluster.score(words);
        self.function_words.add_exclusive_hits(
            &cluster.languages,
            words,
            FUNCTION_WORD_WEIGHT,
            &mut scores,
        );
        let current = cluster.index_of(lang).map_or(0.0, |i| scores[i]);
        let (best, best_score) =
            scores
                .iter()
                .copied()
                .enumerate()
                .fold(
                    (0, f64::MIN),
                    |acc, (i, s)| if s > acc.1 { (i, s) } else { acc },
                );
        let margin = best_score - current;
        // The less sure the first answer is, the less marker evidence it takes to override it.
        let needed = (self.config.override_margin * confidence).max(1.0);
        if cluster.languages[best] != lang && margin >= needed {
            let confidence = margin / (margin + self.config.override_margin);
            let reliable = margin >= 2.0 * self.config.override_margin;
            (cluster.languages[best], confidence, reliable)
        } else {
            // Contrary evidence that is not enough to override still makes the answer unreliable.
            (lang, confidence, reliable && margin <= 0.0)
        }
    }

    /// A paragraph's language read in the context of its document: when the paragraph's function
    /// words fit the document's language at least as well as any other language's, it takes that
    /// language (checked by the second opinion) without a trigram pass of its own.
    fn detect_in_context(
        &self,
        words: &Words,
        document: (Lang, f64, bool),
    ) -> Option<LanguageGuess> {
        let (lang, confidence, reliable) = document;
        let neighbours = self
            .cluster_of(lang)
            .map_or(&[][..], |c| c.languages.as_slice());
        let fit = self.function_words.fit(lang, words, neighbours)?;
        let evidence = (fit.words as f64 / CONTEXT_RELIABLE_WORDS as f64).min(1.0);
        let (lang, confidence, reliable) = self.second_opinion(
            lang,
            confidence * evidence,
            reliable && fit.words >= CONTEXT_RELIABLE_WORDS,
            words,
        );
        Some(LanguageGuess {
            language: Language::from(lang),
            confidence,
            reliable,
        })
    }

    /// A paragraph read on its own. When whatlang is unsure and the paragraph's function words
    /// clearly belong to another language (twice as many, at least three), that language wins,
    /// still unreliable: short English lines like "I stopped answering e-mail at midnight" have
    /// Danish-looking trigrams but unmistakably English function words.
    /// `sample` is the text's sample and `words` the sample's words.
    fn detect_alone(&self, text: &str, sample: &str, words: &Words) -> LanguageGuess {
        let guess = self.detect_sample(sample, words);
        if guess.reliable {
            return guess;
        }
        // The function words of the whole text: the sample's when the sample is all of it.
        let whole;
        let words = if text.len() <= self.config.sample_bytes {
            words
        } else {
            whole = Words::new(text);
            &whole
        };
        let guessed = guess.language.whatlang();
        match self.function_words.clear_winner(words, guessed, |lang| {
            guessed.is_some_and(|g| {
                self.cluster_of(g)
                    .is_some_and(|c| c.languages.contains(&lang))
            })
        }) {
            Some(lang) => LanguageGuess {
                language: Language::from(lang),
                confidence: guess.confidence.min(0.5),
                reliable: false,
            },
            None => guess,
        }
    }

    /// [`LanguageDetector::detect_alone`], read once for a paragraph no longer than a sample (its
    /// sample is the whole text): what it answers depends on the paragraph's text alone.
    fn detect_alone_once(&self, text: &str, sample: &str, words: &Words) -> LanguageGuess {
        if text.len() > self.config.sample_bytes {
            return self.detect_alone(text, sample, words);
        }
        self.alone
            .get_or_make(text, || self.detect_alone(text, sample, words))
    }

    /// Identifies every paragraph, then votes for the document's language.
    pub fn detect_document(&self, text: &str, segmented: &Segmented) -> DocumentLanguages {
        // A first guess for the whole document; each paragraph checks it with its own function
        // words and the second opinion, so it needs no second opinion of its own here.
        let document_sample = sample(text, self.config.document_sample_bytes);
        // A text of a few words is read the way `detect` reads any text, short-text rule included:
        // the same input gets the same answer from every command and from the library.
        let (few_words, few_letters) =
            few_words_or_letters(&document_sample, self.config.brief_text_words);
        let whatlang = self.reader.read(&document_sample);
        let candidate = whatlang
            .allowed_answer()
            .filter(|_| !few_words && !few_letters);
        let paragraphs: Vec<LanguageGuess> = segmented
            .paragraphs
            .iter()
            .map(|p| {
                let body = &text[p.span.start..p.span.end];
                // Every reading of the paragraph reads one sample and its words, made once.
                let sample = sample(body, self.config.sample_bytes);
                let words = Words::new(&sample);
                match candidate {
                    _ if few_words => self.detect_sample(&sample, &words),
                    Some(candidate) => self
                        .detect_in_context(&words, candidate)
                        .unwrap_or_else(|| self.detect_alone_once(body, &sample, &words)),
                    None => self.detect_alone_once(body, &sample, &words),
                }
            })
            .collect();
        // Votes: (code, weight, reliable paragraphs, weighted confidence).
        let mut votes: Vec<(Language, f64, usize, f64)> = Vec::new();
        for (paragraph, guess) in segmented.paragraphs.iter().zip(&paragraphs) {
            if paragraph.boilerplate || !guess.is_determined() {
                continue;
            }
            // Each paragraph votes with its length: the document is in the language most of its
            // text is in. (Reliability weighs in below, for the confidence and the secondaries.)
            let weight = (paragraph.span.end - paragraph.span.start) as f64;
            let index = match votes.iter().position(|v| v.0 == guess.language) {
                Some(index) => index,
                None => {
                    votes.push((guess.language, 0.0, 0, 0.0));
                    votes.len() - 1
                }
            };
            votes[index].1 += weight;
            votes[index].2 += usize::from(guess.reliable);
            votes[index].3 += weight * guess.confidence;
        }
        let total: f64 = votes.iter().map(|v| v.1).sum();
        // Stable winner: highest weight, then code order.
        votes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // A document that reliably reads as a language outside the allow-list is in none of its
        // languages, whatever its short lines were taken for.
        let document = match votes.first() {
            _ if whatlang.is_foreign() => LanguageGuess::UNDETERMINED,
            Some(&(language, weight, reliable_paragraphs, confidence_sum)) => {
                let share = weight / total;
                let mean_confidence = confidence_sum / weight;
                LanguageGuess {
                    language,
                    confidence: share * mean_confidence,
                    reliable: share >= 0.6 && reliable_paragraphs > 0,
                }
            }
            // No paragraph could be told on its own (e.g. a list of short lines): read them together.
            None => {
                let body: String = segmented
                    .paragraphs
                    .iter()
                    .filter(|p| !p.boilerplate)
                    .map(|p| &text[p.span.start..p.span.end])
                    .collect::<Vec<_>>()
                    .join("\n");
                self.detect(&body)
            }
        };
        let secondary = votes
            .iter()
            .skip(1)
            .filter(|v| v.2 >= 2 && v.1 / total >= 0.1)
            .map(|v| SecondaryLanguage {
                language: v.0,
                paragraphs: v.2,
                share: v.1 / total,
            })
            .collect();
        DocumentLanguages {
            document,
            secondary,
            paragraphs,
        }
    }
}

/// A group of close languages with the markers that tell them apart.
struct Cluster {
    languages: Vec<Lang>,
    /// Letters one language uses and its neighbours do not, keyed by the letter.
    chars: HashMap<char, Marker>,
    /// Markers by kind, each keyed by its lowercase text.
    words: Markers,
    suffixes: Markers,
    prefixes: Markers,
    /// Infix markers with their lowercase text, in the marker file's order.
    infixes: Vec<(String, Marker)>,
    /// Whether an infix marker starts with this byte: the only places of a word where one can be.
    infix_first_bytes: [bool; 256],
    /// Whether a suffix marker ends with this byte (a word ending otherwise has none)…
    suffix_last_bytes: [bool; 256],
    /// …and whether a prefix marker starts with it.
    prefix_first_bytes: [bool; 256],
    /// Length in characters of the longest suffix or prefix marker.
    longest_affix: usize,
    /// One more than the largest marker id of every cluster (ids are shared among them).
    marker_ids: usize,
}

/// A marker's id (what its hits are counted by) and its `[(language index, weight)]`.
type Marker = (usize, Vec<(usize, f64)>);

/// Marker text -> marker.
type Markers = HashMap<String, Marker>;

impl Cluster {
    fn new() -> Self {
        Self {
            languages: Vec::new(),
            chars: HashMap::default(),
            words: HashMap::default(),
            suffixes: HashMap::default(),
            prefixes: HashMap::default(),
            infixes: Vec::new(),
            infix_first_bytes: [false; 256],
            suffix_last_bytes: [false; 256],
            prefix_first_bytes: [false; 256],
            longest_affix: 0,
            marker_ids: 0,
        }
    }

    /// The clusters of the marker file with at least two allowed languages.
    fn load_all(allowed: &[Lang]) -> Vec<Cluster> {
        let mut named: Vec<(String, Cluster)> = Vec::new();
        let mut next_id = 0;
        for fields in data_rows(MARKERS_TSV) {
            let [cluster_name, code, kind, marker, weight, ..] = fields[..] else {
                continue;
            };
            let (Some(lang), Ok(weight)) = (parse_code(code), weight.parse::<f64>()) else {
                continue;
            };
            if !allowed.contains(&lang) {
                continue;
            }
            let position = match named.iter().position(|(name, _)| name == cluster_name) {
                Some(position) => position,
                None => {
                    named.push((cluster_name.to_string(), Cluster::new()));
                    named.len() - 1
                }
            };
            let cluster = &mut named[position].1;
            let index = match cluster.index_of(lang) {
                Some(index) => index,
                None => {
                    cluster.languages.push(lang);
                    cluster.languages.len() - 1
                }
            };
            let marker = marker.to_lowercase();
            let mut new_id = || {
                next_id += 1;
                (next_id, Vec::new())
            };
            let markers = match kind {
                "char" => {
                    if let Some(c) = marker.chars().next() {
                        let entry = cluster.chars.entry(c).or_insert_with(new_id);
                        entry.1.push((index, weight));
                    }
                    continue;
                }
                // An empty infix would be inside every word; the file lists none.
                "infix" if !marker.is_empty() => {
                    let position = match cluster.infixes.iter().position(|(m, _)| *m == marker) {
                        Some(position) => position,
                        None => {
                            cluster.infix_first_bytes[usize::from(marker.as_bytes()[0])] = true;
                            cluster.infixes.push((marker, new_id()));
                            cluster.infixes.len() - 1
                        }
                    };
                    cluster.infixes[position].1.1.push((index, weight));
                    continue;
                }
                "word" => &mut cluster.words,
                "suffix" => &mut cluster.suffixes,
                "prefix" => &mut cluster.prefixes,
                _ => continue,
            };
            if let (Some(&first), Some(&last)) =
                (marker.as_bytes().first(), marker.as_bytes().last())
            {
                match kind {
                    "suffix" => cluster.suffix_last_bytes[usize::from(last)] = true,
                    "prefix" => cluster.prefix_first_bytes[usize::from(first)] = true,
                    _ => {}
                }
            }
            if matches!(kind, "suffix" | "prefix") {
                cluster.longest_affix = cluster.longest_affix.max(marker.chars().count());
            }
            let entry = markers.entry(marker).or_insert_with(new_id);
            entry.1.push((index, weight));
        }
        named
            .into_iter()
            .map(|(_, cluster)| Cluster {
                marker_ids: next_id + 1,
                ..cluster
            })
            .filter(|cluster| cluster.languages.len() >= 2)
            .collect()
    }

    fn index_of(&self, lang: Lang) -> Option<usize> {
        self.languages.iter().position(|&l| l == lang)
    }

    /// Marker score per language of the cluster. Each distinct marker counts at most three times,
    /// so one repeated name cannot outweigh the rest of the text. An affix must leave at least
    /// two letters of the word.
    fn score(&self, words: &Words) -> Vec<f64> {
        let mut scores = vec![0.0; self.languages.len()];
        let mut hits = vec![0u32; self.marker_ids];
        // Every weight is a multiple of a half, so the sums are exact in any order
        // (`marker_weights_are_halves`).
        let mut add = |&(id, ref entries): &Marker, scores: &mut Vec<f64>| {
            hits[id] += 1;
            if hits[id] <= 3 {
                for &(index, weight) in entries {
                    scores[index] += weight;
                }
            }
        };
        // Every letter marker is outside ASCII: skip the ASCII letters without a lookup.
        for c in words.lowercase.chars().filter(|c| !c.is_ascii()) {
            if let Some(marker) = self.chars.get(&c) {
                add(marker, &mut scores);
            }
        }
        let mut boundaries = Vec::new();
        let mut inside = vec![false; self.infixes.len()];
        for word in words.iter() {
            if let Some(marker) = self.words.get(word) {
                add(marker, &mut scores);
            }
            let bytes = word.as_bytes();
            let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
                continue;
            };
            let suffixed = self.suffix_last_bytes[usize::from(last)];
            let prefixed = self.prefix_first_bytes[usize::from(first)];
            boundaries.clear();
            boundaries.extend(word.char_indices().map(|(offset, _)| offset));
            boundaries.push(word.len());
            let length = boundaries.len() - 1;
            for n in 1..=self.longest_affix.min(length.saturating_sub(2)) {
                if suffixed && let Some(marker) = self.suffixes.get(&word[boundaries[length - n]..])
                {
                    add(marker, &mut scores);
                }
                if prefixed && let Some(marker) = self.prefixes.get(&word[..boundaries[n]]) {
                    add(marker, &mut scores);
                }
            }
            // Which infixes the word holds, found in one pass over its bytes: an infix can only
            // start at a byte that starts one (`str::contains`, read at those places only).
            inside.fill(false);
            for (start, &byte) in bytes.iter().enumerate() {
                if !self.infix_first_bytes[usize::from(byte)] {
                    continue;
                }
                for ((infix, _), inside) in self.infixes.iter().zip(inside.iter_mut()) {
                    *inside |= bytes[start..].starts_with(infix.as_bytes());
                }
            }
            for ((infix, marker), &inside) in self.infixes.iter().zip(&inside) {
                if inside && length > infix.len() {
                    add(marker, &mut scores);
                }
            }
        }
        scores
    }
}

/// The lowercase words of a text: maximal runs of letters and digits. Not the tokenizer's words
/// (`text::tokens`): on a 10,000-document corpus, reading them through it cost `detect` a fifth
/// more CPU time and moved the confidence of 13 Russian and Ukrainian documents.
struct Words {
    lowercase: String,
    /// Byte range of each word in `lowercase`, and whether it holds a letter (not only digits).
    spans: Vec<(usize, usize, bool)>,
}

impl Words {
    fn new(text: &str) -> Self {
        let lowercase = crate::text::to_lowercase(text);
        let mut spans = Vec::new();
        let mut current: Option<(usize, bool)> = None;
        for (offset, c) in lowercase.char_indices() {
            let letter = crate::text::is_letter(c);
            // A digit is looked up only when the character is no letter.
            let digit = || {
                if c.is_ascii() {
                    c.is_ascii_digit()
                } else {
                    c.is_numeric()
                }
            };
            if letter || digit() {
                current = Some(match current {
                    Some((start, has_letter)) => (start, has_letter || letter),
                    None => (offset, letter),
                });
            } else if let Some((start, has_letter)) = current.take() {
                spans.push((start, offset, has_letter));
            }
        }
        if let Some((start, has_letter)) = current {
            spans.push((start, lowercase.len(), has_letter));
        }
        Self { lowercase, spans }
    }

    /// Every word, numbers included.
    fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans
            .iter()
            .map(|&(start, end, _)| &self.lowercase[start..end])
    }

    /// Words with at least one letter (numbers do not count).
    fn alphabetic(&self) -> impl Iterator<Item = &str> {
        self.spans
            .iter()
            .filter(|span| span.2)
            .map(|&(start, end, _)| &self.lowercase[start..end])
    }

    fn alphabetic_count(&self) -> usize {
        self.spans.iter().filter(|span| span.2).count()
    }
}

/// Function words (stop words) of the allowed languages, from the Stopwords ISO lists that the
/// `stop-words` crate ships (MIT): which languages a word is a function word of, as a bit set.
struct FunctionWords {
    languages: Vec<Lang>,
    index: HashMap<&'static str, u64>,
    min_share: f64,
}

/// How well a text's function words fit a language.
struct Fit {
    /// Words (with a letter) in the text.
    words: usize,
}

impl FunctionWords {
    fn new(allowed: &[Lang], min_share: f64) -> Self {
        let mut languages = Vec::new();
        let mut index: HashMap<&'static str, u64> = HashMap::default();
        for &lang in allowed {
            let code = match Language::from(lang).code() {
                "nb" => "no",
                code => code,
            };
            let Some(list) = stop_words::lookup(code) else {
                continue;
            };
            if languages.len() == 64 {
                break;
            }
            let bit = 1u64 << languages.len();
            languages.push(lang);
            for &word in list {
                *index.entry(word).or_insert(0) |= bit;
            }
        }
        Self {
            languages,
            index,
            min_share,
        }
    }

    /// Adds `weight` to a cluster language's score for each word that is a function word of that
    /// language alone among `cluster`.
    fn add_exclusive_hits(&self, cluster: &[Lang], words: &Words, weight: f64, scores: &mut [f64]) {
        let bits: Vec<(usize, u64)> = cluster
            .iter()
            .enumerate()
            .filter_map(|(i, lang)| {
                let position = self.languages.iter().position(|l| l == lang)?;
                Some((i, 1u64 << position))
            })
            .collect();
        if bits.len() < 2 {
            return;
        }
        let cluster_mask = bits.iter().fold(0, |mask, &(_, bit)| mask | bit);
        for word in words.alphabetic() {
            let mask = self.index.get(word).copied().unwrap_or(0) & cluster_mask;
            if mask.count_ones() == 1
                && let Some(&(i, _)) = bits.iter().find(|&&(_, bit)| bit == mask)
            {
                scores[i] += weight;
            }
        }
    }

    /// The language with clearly the most function words in `words`: at least three, at least the
    /// minimum share, and at least twice as many as `guessed` has; never a close neighbour of the
    /// guess (`neighbour`), which the second opinion tells apart.
    fn clear_winner(
        &self,
        words: &Words,
        guessed: Option<Lang>,
        neighbour: impl Fn(Lang) -> bool,
    ) -> Option<Lang> {
        let mut counts = vec![0u32; self.languages.len()];
        let mut total = 0usize;
        for word in words.alphabetic() {
            total += 1;
            let mut mask = self.index.get(word).copied().unwrap_or(0);
            while mask != 0 {
                counts[mask.trailing_zeros() as usize] += 1;
                mask &= mask - 1;
            }
        }
        let (best, &best_count) = counts
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
        let lang = self.languages[best];
        let guessed_count = guessed
            .and_then(|g| self.languages.iter().position(|&l| l == g))
            .map_or(0, |i| counts[i]);
        let clear = best_count >= 3
            && f64::from(best_count) >= self.min_share * total as f64
            && best_count >= 2 * guessed_count.max(1)
            && Some(lang) != guessed
            && !neighbour(lang);
        clear.then_some(lang)
    }

    /// The allowed language outside `family` whose function words cover the most words (of two
    /// letters or more), with its count and the best count of a family language.
    fn rival(&self, words: &Words, family: &[Lang]) -> Option<(Lang, u32, u32)> {
        let mut counts = vec![0u32; self.languages.len()];
        // Several lists hold the letters of the alphabet; a one-letter word tells nothing here.
        for word in words
            .alphabetic()
            .filter(|word| word.chars().nth(1).is_some())
        {
            let mut mask = self.index.get(word).copied().unwrap_or(0);
            while mask != 0 {
                counts[mask.trailing_zeros() as usize] += 1;
                mask &= mask - 1;
            }
        }
        let family_best = counts
            .iter()
            .zip(&self.languages)
            .filter(|(_, l)| family.contains(l))
            .map(|(c, _)| *c)
            .max()
            .unwrap_or(0);
        counts
            .iter()
            .zip(&self.languages)
            .filter(|(_, l)| !family.contains(l))
            .max_by(|a, b| a.0.cmp(b.0).then(b.1.code().cmp(a.1.code())))
            .map(|(c, l)| (*l, *c, family_best))
    }

    /// `Some` when the words fit `lang`'s family (`lang` and its close neighbours, which the
    /// second opinion tells apart): at least `min_share` of them are function words of the family,
    /// and no language outside it has more function words than the family's best.
    fn fit(&self, lang: Lang, words: &Words, neighbours: &[Lang]) -> Option<Fit> {
        self.languages.iter().position(|&l| l == lang)?;
        let in_family = |other: &Lang| *other == lang || neighbours.contains(other);
        let family_mask = self
            .languages
            .iter()
            .enumerate()
            .filter(|(_, other)| in_family(other))
            .fold(0u64, |mask, (bit, _)| mask | 1 << bit);
        let mut counts = vec![0u32; self.languages.len()];
        let (mut total, mut family_hits) = (0usize, 0usize);
        for word in words.alphabetic() {
            total += 1;
            let mut mask = self.index.get(word).copied().unwrap_or(0);
            family_hits += usize::from(mask & family_mask != 0);
            while mask != 0 {
                counts[mask.trailing_zeros() as usize] += 1;
                mask &= mask - 1;
            }
        }
        let (mut family_best, mut outsider_best) = (0, 0);
        for (&count, other) in counts.iter().zip(&self.languages) {
            let best = if in_family(other) {
                &mut family_best
            } else {
                &mut outsider_best
            };
            *best = count.max(*best);
        }
        let fits = family_hits > 0
            && outsider_best <= family_best
            && family_hits as f64 >= self.min_share * total as f64;
        fits.then_some(Fit { words: total })
    }
}

/// Whether `text` has at most `max_words` words with a letter ([`Words::alphabetic_count`]), and
/// whether it has fewer than four different letters ([`too_few_letters`]): what the document's
/// first guess needs to know of its sample, read only until both are known (most samples answer
/// both within a few words) instead of making the sample's [`Words`].
fn few_words_or_letters(text: &str, max_words: usize) -> (bool, bool) {
    // A capital sigma's lower case depends on the letters around it (`σ` or `ς`, two letters
    // told apart): read as `Words` reads it.
    if text.contains('Σ') {
        let words = Words::new(text);
        return (
            words.alphabetic_count() <= max_words,
            too_few_letters(&words.lowercase),
        );
    }
    let mut words = 0;
    let mut letters: Vec<char> = Vec::with_capacity(4);
    // Whether the word being read (letters and digits) has a letter yet.
    let mut word_has_letter = false;
    // The text in lower case, a character at a time, as `text::to_lowercase` makes it.
    for c in text.chars().flat_map(char::to_lowercase) {
        if crate::text::is_letter(c) {
            if !word_has_letter {
                word_has_letter = true;
                words += 1;
            }
            if letters.len() < 4 && !letters.contains(&c) {
                letters.push(c);
            }
        } else if !(c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())) {
            // Not a digit either: the word ends.
            word_has_letter = false;
        }
        if words > max_words && letters.len() == 4 {
            break;
        }
    }
    (words <= max_words, letters.len() < 4)
}

/// Fewer than four different letters ("aaaa", "ha ha"): nothing to tell a language by.
fn too_few_letters(lowercase: &str) -> bool {
    let mut seen: Vec<char> = Vec::with_capacity(4);
    for c in lowercase.chars().filter(|&c| crate::text::is_letter(c)) {
        if !seen.contains(&c) {
            seen.push(c);
            if seen.len() == 4 {
                return false;
            }
        }
    }
    true
}

/// The text itself when short; otherwise windows from its start, middle and end.
fn sample(text: &str, budget: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= budget {
        return text.into();
    }
    let window = budget / 3;
    let starts = [0, text.len() / 2 - window / 2, text.len() - window];
    let pieces: Vec<&str> = starts
        .iter()
        .map(|&start| {
            let start = floor_char_boundary(text, start);
            let end = floor_char_boundary(text, start + window);
            &text[start..end]
        })
        .collect();
    pieces.join(" ").into()
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// The languages whose lingua n-gram models are bundled (Cargo features of the `lingua`
/// dependency; about 5 MB each): the 16 languages of the project's language bench.
pub const NGRAM_MODELS: [&str; 16] = [
    "cs", "da", "de", "en", "es", "fi", "fr", "it", "nb", "nl", "pl", "pt", "ru", "sk", "sv", "uk",
];

/// lingua's model of a whatlang language, when it is bundled.
fn ngram_model(lang: Lang) -> Option<lingua::Language> {
    let code = Language::from(lang).code();
    if !NGRAM_MODELS.contains(&code) {
        return None;
    }
    code.parse::<lingua::IsoCode639_1>()
        .ok()
        .map(|iso| lingua::Language::from_iso_code_639_1(&iso))
}

/// Parses an ISO 639-1 or 639-3 code into a whatlang language.
fn parse_code(code: &str) -> Option<Lang> {
    Language::parse(code).and_then(Language::whatlang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detector(languages: &[&str]) -> LanguageDetector {
        LanguageConfig {
            languages: languages.iter().map(|s| s.to_string()).collect(),
            ..LanguageConfig::default()
        }
        .build()
        .unwrap()
    }

    #[test]
    fn every_whatlang_language_has_a_two_letter_code() {
        for &lang in Lang::all() {
            let code = Language::from(lang).code();
            assert_eq!(code.len(), 2, "{lang:?}");
            assert_eq!(parse_code(code), Some(lang));
        }
    }

    #[test]
    fn every_listed_ngram_model_is_bundled() {
        for code in NGRAM_MODELS {
            let lang = parse_code(code).expect("whatlang knows the language");
            assert!(ngram_model(lang).is_some(), "no lingua model for {code}");
        }
        assert!(ngram_model(Lang::Jpn).is_none());
    }

    #[test]
    fn unknown_codes_are_rejected() {
        let config = LanguageConfig {
            languages: vec!["en".into(), "xx".into()],
            ..LanguageConfig::default()
        };
        assert!(matches!(config.build(), Err(LanguageError::UnknownCode(code)) if code == "xx"));
    }

    #[test]
    fn short_text_is_undetermined_unless_reliable() {
        let detector = detector(&[]);
        assert_eq!(
            detector.detect("Share This").language,
            Language::UNDETERMINED
        );
        assert_eq!(detector.detect("  ").language, Language::UNDETERMINED);
        assert_eq!(
            detector.detect("1234 5678").language,
            Language::UNDETERMINED
        );
        assert_eq!(
            detector.detect(&"a".repeat(10_000)).language,
            Language::UNDETERMINED
        );
    }

    #[test]
    fn second_opinion_separates_danish_and_bokmal() {
        let detector = detector(&["da", "nb", "sv", "en"]);
        let danish = "Vi har været igennem en lang udvikling, og nu bliver det sidste skridt taget af vores regering.";
        let bokmal = "Vi har vært gjennom en lang utvikling, og nå blir det siste steget tatt av regjeringen vår.";
        assert_eq!(detector.detect(danish).language.code(), "da");
        assert_eq!(detector.detect(bokmal).language.code(), "nb");
    }

    #[test]
    fn second_opinion_separates_czech_and_slovak() {
        let detector = detector(&["cs", "sk", "pl"]);
        assert_eq!(
            detector
                .detect("Ktorý z nich je podľa vás lepší pre naše mesto?")
                .language
                .code(),
            "sk"
        );
        assert_eq!(
            detector
                .detect("Který z nich je podle vás lepší pro naše město?")
                .language
                .code(),
            "cs"
        );
    }

    #[test]
    fn czech_typed_without_diacritics_is_asked_again() {
        let detector = detector(&["cs", "sk", "es", "pt", "it", "en"]);
        for czech in [
            "Tato funkce vraci informace o aktualnim datu a case zformatovane podle zadane specifikace formatu.",
            "Diky zmene casu byla noc o hodinu delsi, takze casu bylo dost a jeste jsme to stihli.",
        ] {
            assert_eq!(detector.detect(czech).language.code(), "cs", "{czech}");
        }
    }

    #[test]
    fn allow_list_restricts_answers() {
        let detector = detector(&["de", "fr"]);
        let guess =
            detector.detect("This is clearly an English sentence about mentors and leaders.");
        assert!(matches!(guess.language.code(), "de" | "fr" | "und"));
    }

    /// A cluster's scores are sums of marker weights: the same whatever the order of the sum only
    /// while every weight is a multiple of a half.
    #[test]
    fn marker_weights_are_halves() {
        for fields in data_rows(MARKERS_TSV) {
            let weight: f64 = fields[4].parse().unwrap();
            assert_eq!((weight * 2.0).fract(), 0.0, "{fields:?}");
        }
    }

    /// The document sample's word and letter checks read as far as they must are those of its
    /// whole `Words`, on the language bench, texts of a few words, digits and letters whose
    /// lower case is another length or depends on its neighbours.
    #[test]
    fn few_words_or_letters_is_read_from_the_words() {
        let whole = |text: &str, max_words: usize| {
            let words = Words::new(text);
            (
                words.alphabetic_count() <= max_words,
                too_few_letters(&words.lowercase),
            )
        };
        let root = env!("CARGO_MANIFEST_DIR");
        let mut texts: Vec<String> = Vec::new();
        for file in ["sentences.tsv", "paragraphs.tsv", "words.tsv"] {
            let data = std::fs::read_to_string(format!("{root}/tests/data/langid/{file}"))
                .expect("the bench data is bundled");
            texts.extend(data.lines().map(str::to_string));
        }
        let pieces = [
            "a", "Ab", "İ", "ΣΑΣ", "ς", "12", "٣", "x1", "1x", "ß", " ", "-", "\n", "Ǆ", "ﬁ",
            "aaaa",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(format!("{a}{b} {c}"));
                    texts.push(format!("{a} {b}{c} {a}{c} {b}"));
                }
            }
        }
        for text in &texts {
            for max_words in 0..5 {
                assert_eq!(
                    few_words_or_letters(text, max_words),
                    whole(text, max_words),
                    "{text:?} {max_words}"
                );
            }
        }
    }

    /// A paragraph read on its own gets the answer [`LanguageDetector::detect_alone`] gives, read
    /// from the memo or not, past a generation's worth of paragraphs.
    #[test]
    fn paragraphs_read_alone_are_read_alike_from_the_memo() {
        let detector = detector(&[]);
        let data = std::fs::read_to_string(format!(
            "{}/tests/data/langid/sentences.tsv",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("the bench data is bundled");
        let texts: Vec<&str> = data
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once('\t').map(|(_, text)| text))
            .take(3 * ALONE_GENERATION)
            .collect();
        for _ in 0..2 {
            for text in &texts {
                let sample = sample(text, detector.config.sample_bytes);
                let words = Words::new(&sample);
                assert_eq!(
                    detector.detect_alone_once(text, &sample, &words),
                    detector.detect_alone(text, &sample, &words),
                    "{text}"
                );
                let [newer, older] = detector.alone.held();
                assert!(newer <= ALONE_GENERATION && older <= ALONE_GENERATION);
            }
        }
    }

    #[test]
    fn long_text_is_sampled() {
        let text = "Mentorship helps leaders grow and learn from each other. ".repeat(10_000);
        let sampled = sample(&text, 3000);
        assert!(sampled.len() <= 3002);
        assert_eq!(detector(&[]).detect(&text).language.code(), "en");
    }
}
