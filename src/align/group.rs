//! Which documents are versions of one article: translations (different languages) and duplicates
//! (same language: exact, near or spun copies), found without comparing all pairs.
//!
//! Each document gets a fingerprint: its anchors (numbers, whatever their width or thousands
//! separators; names: capitalised words that do not start a sentence, cut to five letters so that
//! inflected forms meet; code, URLs and brands such as `config/routes.rb` or `iPhone`, whole;
//! Latin-script words inside Chinese, Japanese or Korean text count as names wherever they stand;
//! and its structure: the paragraph count with the positions of its headings, and whether each
//! paragraph of its opening is longer or shorter than the one before) and a one-permutation
//! MinHash sketch of its word trigrams (read from the normalised text, so that a spun copy meets its
//! original). Blocking: an inverted index from anchors to documents, keeping only anchors that
//! few documents carry, and locality-sensitive hashing bands over the sketches; only documents
//! that share a block are compared. A candidate pair is scored from rare shared anchors (an
//! anchor several articles of one language carry is a site's template and counts little),
//! sketch similarity and how well the two align paragraph by paragraph (a version cut short, or
//! lacking one section, is not penalised for what it lacks); across scripts, also from how well
//! the lengths of the paragraphs that pair fit one being the translation of the other (a
//! Japanese version cut short may keep no name or number at all). Pairs then join their groups best
//! first, through any member, when the joined group keeps one document per language (copies
//! apart) and at least half of the pairs across the two sides support the join, so that one
//! look-alike cannot chain two articles.
//!
//! [`group`] runs these as pure steps, each the same whatever its input order or the thread
//! count: [`blocking_keys`] per document; [`partition_shares`] per hash partition of the keys
//! (the partitions run in parallel, and [`merge_shares`] sums them: block weights are integers,
//! so no sum depends on the order it was added in); [`budgeted_candidates`] (the greedy budgets of
//! [`within_budget`], ranked by a total order); [`score_candidate`] ([`score_pair`] with the two
//! in the order of their texts) per candidate, in parallel; and [`join_scored`], whose joins
//! ([`join_pairs`]) run in parallel over the connected components of the passing pairs (pairs of
//! two components never meet). A cluster runs the same steps as tasks over files:
//! [`keyed_partition_share`] from the keys of only the documents in its partition,
//! [`partition_copies`] from the hashes of the documents of one [`copies_partition`],
//! [`merge_sorted_shares`] over the partitions' sorted files, [`ranked_candidates`] from each
//! pair's [`PairFacts`] (decided where the pair meets, from the two documents' [`CandidateFacts`],
//! not their whole fingerprints) taken in rank order by
//! [`GreedyBudget`] (which holds a counter per document, not the pairs, so the ranked pairs may
//! be sorted on disk), and the anchor frequencies counted
//! by partition of the anchors ([`AnchorFrequency::count_partition`], read back with
//! [`AnchorFrequency::from_counts`]: the numbers [`AnchorFrequency::of`] gives).

use crate::align::{
    Alignment, Bead, ParagraphCache, align_paragraphs_in_scripts, align_sentences_within,
};
use crate::lang::Language;
use crate::normalize::Restoration;
use crate::segment::Segmented;
use crate::text::tokens::{
    DocumentScript, Spelling, Token, TokenKind, compounds_of, dominant_script, fold_width,
    in_context, katakana_words, lowercase, number_digits, sound_key,
};
use crate::text::{is_letter, round4, stable_hash_of, tokens};
use itertools::Itertools;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Settings of grouping: the `[group]` table of the settings file. The defaults are what the
/// development groups and the planted corpus were measured with (EVALUATION.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GroupConfig {
    /// Pairs scoring below this (0..1) are not versions of one article; it also decides which
    /// pairs support a join of two groups in one script.
    pub threshold: f64,
    /// A document is compared with at most this many candidates found by anchors across
    /// languages, as many found by MinHash bands, and half as many found by anchors within its
    /// language: more finds more versions in a corpus of look-alikes, at more cost.
    pub candidates_per_document: usize,
    /// Values in each document's MinHash sketch of its word trigrams.
    pub sketch: usize,
    /// Locality-sensitive hashing bands the sketch is cut into (`sketch` must be a multiple):
    /// more bands, of fewer values each, find copies that share less.
    pub bands: usize,
}

impl Default for GroupConfig {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            candidates_per_document: 8,
            sketch: 64,
            bands: 16,
        }
    }
}

impl GroupConfig {
    /// Checks that the settings make sense together (a threshold within 0..1, at least one
    /// candidate, a sketch cut into whole bands).
    pub fn validate(&self) -> Result<(), GroupConfigError> {
        let problem = if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            format!(
                "threshold = {}: must be above 0 and at most 1",
                self.threshold
            )
        } else if self.candidates_per_document == 0 {
            "candidates_per_document = 0: must be at least 1".to_string()
        } else if self.bands == 0 || self.sketch == 0 || !self.sketch.is_multiple_of(self.bands) {
            format!(
                "sketch = {}, bands = {}: the sketch must be cut into whole bands (a positive multiple of them)",
                self.sketch, self.bands
            )
        } else if self.sketch > MAX_SKETCH {
            format!("sketch = {}: at most {MAX_SKETCH}", self.sketch)
        } else {
            return Ok(());
        };
        Err(GroupConfigError(problem))
    }
}

/// The largest sketch a setting may ask for (a fingerprint keeps every value).
const MAX_SKETCH: usize = 1024;

/// Grouping settings that do not make sense, with what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("[group] {0}")]
pub struct GroupConfigError(String);

/// An anchor (or LSH band) carried by more documents than this says nothing.
const COMMON_ANCHOR_DOCUMENTS: usize = 20;
/// Bytes of each document read for its fingerprint.
pub const FINGERPRINT_BYTES: usize = 256 * 1024;
/// Across languages, a shape shared without any name or number counts fully only from this many
/// paragraphs on.
const LONG_DOCUMENT_PARAGRAPHS: f64 = 12.0;

/// Whether an anchor is content (a name, or a number of three digits or more that is not a
/// year), not shape (`§` structure, `≈` length profile); short numbers and years are everywhere.
fn is_content(anchor: &str) -> bool {
    match anchor.strip_prefix('#') {
        Some(digits) => {
            let year = digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
            digits.len() >= 3 && !year
        }
        None => !is_shape(anchor),
    }
}

/// Whether an anchor is the sound of a name (`~nkrspt`): a katakana name in a Japanese document,
/// a Latin-script name elsewhere. It ties a Japanese document to one in another script only
/// (between two others, the name's own anchor says it already).
fn is_sound(anchor: &str) -> bool {
    anchor.starts_with('~')
}

/// Two names that stand together (`ジョン・スミス`, *John Smith*) sound alike from this many
/// consonant classes on: fewer match too many other names by chance.
const SOUND_CLASSES: usize = 4;
/// A word alone needs one class more: Japanese writes most loanwords in katakana (パスコード,
/// `pskt`), and German capitalises its nouns (*Passcode*), so a short word's sound is often a
/// common noun both texts of one topic use.
const SOUND_CLASSES_ALONE: usize = 5;

/// Whether sounds of names may tie the two (one Japanese, the other not).
fn sounds_tie(a: &Fingerprint, b: &Fingerprint) -> bool {
    a.is_japanese() != b.is_japanese()
}

/// The sound anchors of a Japanese text: each katakana word of [`SOUND_CLASSES_ALONE`] consonant
/// classes or more, and each two parts of a name that stand together (`ジョン・スミス`).
fn katakana_sound_anchors(text: &str) -> Vec<String> {
    let mut anchors = Vec::new();
    for parts in katakana_words(text) {
        let keys: Vec<String> = parts
            .iter()
            .map(|part| sound_key(part, Spelling::Kana))
            .collect();
        for (k, key) in keys.iter().enumerate() {
            if key.len() >= SOUND_CLASSES_ALONE {
                anchors.push(format!("~{key}"));
            }
            if let Some(before) = k.checked_sub(1).map(|b| &keys[b]) {
                anchors.extend(sound_pair(before, key));
            }
        }
    }
    anchors
}

/// The anchor of two names that stand together (`~jn sns` for *John Smith*), when both sound
/// and together they reach [`SOUND_CLASSES`].
fn sound_pair(first: &str, second: &str) -> Option<String> {
    (!first.is_empty() && !second.is_empty() && first.len() + second.len() >= SOUND_CLASSES)
        .then(|| format!("~{first} {second}"))
}

/// A word or number of a fingerprinted text as anchors read it: the tokenizer's
/// [compounds](compounds) outside Chinese, Japanese and Korean runs (which only end the words
/// around them), full-width forms folded, numbers as their digits.
struct Piece<'t> {
    /// Word or number.
    kind: TokenKind,
    /// The word (full-width forms folded), or the number's digits.
    text: std::borrow::Cow<'t, str>,
    /// Whether it opens a sentence.
    sentence_start: bool,
    /// Whether Chinese, Japanese or Korean text stands beside it.
    beside_cjk: bool,
}

/// The [`Piece`]s of `text` (of its [`tokens`], made already), in order; machine-translation
/// placeholders that stand where a number was (`XNUMX`) are left out.
fn pieces<'t>(text: &'t str, text_tokens: &[Token<'t>]) -> Vec<Piece<'t>> {
    in_context(text, compounds_of(text, text_tokens.iter().cloned()))
        .filter(|t| !t.token.script.is_cjk())
        .filter_map(|t| {
            let (kind, text) = match number_digits(&t.token) {
                Some(digits) => (TokenKind::Number, std::borrow::Cow::Owned(digits)),
                // Only characters outside ASCII are folded.
                None if !t.token.text.is_ascii()
                    && t.token.text.chars().any(|c| fold_width(c) != c) =>
                {
                    (
                        TokenKind::Word,
                        std::borrow::Cow::Owned(t.token.text.chars().map(fold_width).collect()),
                    )
                }
                None => (TokenKind::Word, std::borrow::Cow::Borrowed(t.token.text)),
            };
            (!text.eq_ignore_ascii_case("xnumx")).then_some(Piece {
                kind,
                text,
                sentence_start: t.sentence_start,
                beside_cjk: t.beside_cjk,
            })
        })
        .collect()
}

/// Whether a word is a capitalised Latin-script word (a name when it does not open a sentence).
fn capitalised_latin(token: &Piece) -> bool {
    token.kind == TokenKind::Word
        && token.text.chars().next().is_some_and(char::is_uppercase)
        && token
            .text
            .chars()
            .all(|c| c.is_ascii_alphabetic() || ('\u{C0}'..='\u{24F}').contains(&c))
}

/// The sound anchors of the Latin-script names of a text (see [`katakana_sound_anchors`]), as
/// written and with a silent `r` after vowels; two capitalised words in a row are a name too
/// (the first may open the sentence: *John Smith said*).
fn latin_sound_anchors(tokens: &[Piece]) -> Vec<String> {
    let keys_of =
        |word: &str| [Spelling::LatinRhotic, Spelling::LatinNonRhotic].map(|s| sound_key(word, s));
    let mut anchors = Vec::new();
    // The capitalised word before, with its keys when they were made for it.
    let mut before: Option<(&str, Option<[String; 2]>)> = None;
    for token in tokens {
        let capitalised = capitalised_latin(token);
        let mut keys = None;
        if capitalised && (!token.sentence_start || token.beside_cjk) {
            let own = keys_of(&token.text);
            let before_keys = before
                .take()
                .map(|(word, keys)| keys.unwrap_or_else(|| keys_of(word)));
            for (spelling, key) in own.iter().enumerate() {
                if key.len() >= SOUND_CLASSES_ALONE {
                    anchors.push(format!("~{key}"));
                }
                if let Some(before_keys) = &before_keys {
                    anchors.extend(sound_pair(&before_keys[spelling], key));
                }
            }
            keys = Some(own);
        }
        before = capitalised.then(|| (&*token.text, keys));
    }
    anchors
}

/// Whether an anchor describes shape: structure (`§`) or length profile (`≈`).
fn is_shape(anchor: &str) -> bool {
    anchor.starts_with(['§', '≈'])
}

/// When a pair joins two groups, the other pairs across them support it from the threshold
/// ([`GroupConfig::threshold`]) on, or from this score on for a pair in two different scripts (which share no words, only
/// names, numbers and shape: weaker evidence than a pair needs alone, but more than unrelated
/// articles of the same shape reach).
const CROSS_SCRIPT_SUPPORT: f64 = 0.3;
/// A pair this strong joins two groups with the support of half the pairs across them (itself
/// included); a weaker one needs more than half.
const STRONG_LINK: f64 = 0.8;

/// What kind of versions a group holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// Versions in different languages.
    Translation,
    /// Versions in one language: exact, near or spun copies.
    Duplicate,
}

/// Documents that are versions of one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Group {
    /// `g1`, `g2`, … in report order.
    pub id: String,
    /// `translation` when the languages differ, `duplicate` when they are the same.
    pub kind: GroupKind,
    /// Document ids, sorted (`evidence` says which pairs tied them).
    pub documents: Vec<String>,
    /// The lowest pair score in the group, 0..1.
    pub score: f64,
    /// Why the documents were tied, one entry per pair.
    pub evidence: Vec<PairEvidence>,
    /// Alignment of each pair that tied the group (one fewer than its documents).
    pub alignments: Vec<PairAlignment>,
}

/// What tied two documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PairEvidence {
    /// First document id.
    pub a: String,
    /// Second document id.
    pub b: String,
    /// Pair score, 0..1.
    pub score: f64,
    /// Rare anchors (numbers, name stems) both carry.
    pub shared_anchors: Vec<String>,
    /// How far sharing these names, numbers and shape is beyond chance in this corpus, in
    /// natural-log units (0: what the best of the corpus's documents reaches by chance).
    pub significance: f64,
    /// Estimated Jaccard similarity of their word trigrams (same-language copies).
    pub trigram_similarity: f64,
    /// Share of paragraphs aligned one to one with a good score.
    pub aligned_paragraphs: f64,
    /// Paragraph counts of the two documents.
    pub paragraphs: [usize; 2],
}

/// The alignment of one pair of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PairAlignment {
    /// First document id.
    pub a: String,
    /// Second document id.
    pub b: String,
    /// Paragraph and sentence beads.
    #[serde(flatten)]
    pub alignment: Alignment,
}

/// A document's fingerprint: what blocking and pair scoring need, small enough to cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    /// Rare-able anchors: `#digits`, five-letter name stems, `§paragraphs:headings`.
    anchors: Anchors,
    /// MinHash sketch of the word trigrams ([`GroupConfig::sketch`] values).
    sketch: Vec<u64>,
    /// Hash of the whole original text: equal hashes mark exact copies.
    text_hash: u64,
    /// The document's language: translations are looked for among other languages.
    language: Language,
    /// The script most of its letters are in ([`dominant_script`]): a document in another script
    /// is another language, whatever the detector said of its quoted English.
    script: DocumentScript,
}

impl Fingerprint {
    /// Whether it has the shape this build makes under `config` (a cached one from another build
    /// or other settings may not).
    pub fn is_well_formed(&self, config: &GroupConfig) -> bool {
        self.sketch.len() == config.sketch
    }

    /// Hash of the whole original text.
    pub fn text_hash(&self) -> u64 {
        self.text_hash
    }

    /// The language it was made for (ISO 639-1 or `und`).
    pub fn language(&self) -> Language {
        self.language
    }

    /// Whether most of its letters are Japanese: sounds of names tie it to a document in another
    /// script only.
    pub fn is_japanese(&self) -> bool {
        self.script == DocumentScript::Japanese
    }

    /// The script most of its letters are in.
    pub fn script(&self) -> DocumentScript {
        self.script
    }

    /// Whether the two are in one language and script (copies of each other, not translations).
    pub fn same_language(&self, other: &Fingerprint) -> bool {
        self.language == other.language && self.script == other.script
    }

    /// Its anchors, in byte order (the ones [`AnchorFrequency`] counts).
    pub fn anchors(&self) -> impl Iterator<Item = &str> {
        self.anchors.iter()
    }

    /// What the candidate budgets read of it ([`budgeted_candidates`]).
    pub fn candidate_facts(&self) -> CandidateFacts {
        CandidateFacts {
            text_hash: self.text_hash,
            language: self.language,
            script: self.script,
            shapes: self
                .anchors
                .iter()
                .filter(|a| is_shape(a))
                .map(str::to_string)
                .collect(),
        }
    }

    /// Its anchors cut by [`anchor_partition`] into `partitions` parts, each with what tells the
    /// document's article apart: the carriers [`AnchorFrequency::count_partition`] counts (one
    /// per partition, in partition order; a part may hold no anchor).
    pub fn anchor_carriers(&self, partitions: usize) -> Vec<AnchorCarrier> {
        let mut carriers: Vec<AnchorCarrier> = (0..partitions.max(1))
            .map(|_| AnchorCarrier {
                text_hash: self.text_hash,
                language: self.language,
                script: self.script,
                anchors: Vec::new(),
            })
            .collect();
        for anchor in self.anchors.iter() {
            carriers[anchor_partition(anchor, partitions)]
                .anchors
                .push(anchor.to_string());
        }
        carriers
    }
}

/// What the candidate budgets ([`budgeted_candidates`]) read of one document, out of its
/// fingerprint: the hash of its text (which breaks ties), its language and script (whether a
/// pair are translations or copies) and its shape anchors (the second piece of evidence beside
/// one shared name or number). Small, so that one task can hold a whole corpus's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateFacts {
    /// Hash of the whole original text.
    text_hash: u64,
    /// The document's language.
    language: Language,
    /// The script most of its letters are in.
    script: DocumentScript,
    /// Its structure and length-profile anchors, in byte order.
    shapes: Vec<String>,
}

impl CandidateFacts {
    /// Whether the two are in one language and script ([`Fingerprint::same_language`]).
    fn same_language(&self, other: &CandidateFacts) -> bool {
        self.language == other.language && self.script == other.script
    }

    /// Whether the two share a shape anchor.
    fn same_shape(&self, other: &CandidateFacts) -> bool {
        self.shapes.iter().any(|shape| other.shapes.contains(shape))
    }

    /// What the budgets read of this document (the pair's first) and `other` together.
    pub fn pair_facts(&self, other: &CandidateFacts) -> PairFacts {
        PairFacts {
            text_hashes: (self.text_hash, other.text_hash),
            same_language: self.same_language(other),
            same_shape: self.same_shape(other),
        }
    }
}

/// What the candidate budgets ([`ranked_candidates`]) read of a pair's two documents: decided
/// wherever both documents' [`CandidateFacts`] are at hand (a cluster's blocking task, where the
/// two meet in a block), so that the budgets need no document's facts of their own.
/// Serialised as one short list, `[first's hash, second's hash, same_language, same_shape]`: a
/// cluster's blocking tasks write one with every share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "(u64, u64, bool, bool)", from = "(u64, u64, bool, bool)")]
pub struct PairFacts {
    /// The hashes of the two texts, the pair's first document first (they break ties).
    pub text_hashes: (u64, u64),
    /// Whether the two are in one language and script.
    pub same_language: bool,
    /// Whether the two share a shape anchor.
    pub same_shape: bool,
}

impl From<PairFacts> for (u64, u64, bool, bool) {
    fn from(facts: PairFacts) -> Self {
        let (first, second) = facts.text_hashes;
        (first, second, facts.same_language, facts.same_shape)
    }
}

impl From<(u64, u64, bool, bool)> for PairFacts {
    fn from((first, second, same_language, same_shape): (u64, u64, bool, bool)) -> Self {
        PairFacts {
            text_hashes: (first, second),
            same_language,
            same_shape,
        }
    }
}

/// One pair's blocking share ([`Shared`]) that sums with the shares of the same pair from other
/// partitions: the bare share, or the share with its [`PairFacts`] (the same in every partition,
/// so a sum keeps the first).
pub trait PairShare {
    /// The pair, packed (smaller index high).
    fn pair(&self) -> u64;
    /// Adds the share of the same pair from another partition.
    fn add(&mut self, other: &Self);
}

impl PairShare for (u64, Shared) {
    fn pair(&self) -> u64 {
        self.0
    }

    fn add(&mut self, other: &Self) {
        self.1.add(&other.1);
    }
}

impl PairShare for (u64, Shared, PairFacts) {
    fn pair(&self) -> u64 {
        self.0
    }

    fn add(&mut self, other: &Self) {
        self.1.add(&other.1);
    }
}

/// A fingerprint's anchors as one sorted set, packed in one buffer: a large corpus holds every
/// document's fingerprint at once, and a set of separately allocated strings costs several
/// times the anchors' own bytes. Serialised as the list of its anchors, in order.
#[derive(Debug, Clone, PartialEq, Default)]
struct Anchors {
    /// Every anchor, in byte order, one after the other.
    text: Box<str>,
    /// Where each anchor ends in `text`.
    ends: Box<[u32]>,
}

impl Anchors {
    /// The anchors in byte order.
    fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| &self.text[start as usize..end as usize])
    }

    /// The anchors both sets hold, in byte order.
    fn intersection<'a>(&'a self, other: &'a Anchors) -> impl Iterator<Item = &'a str> {
        let mut theirs = other.iter().peekable();
        self.iter().filter(move |&anchor| {
            while theirs.next_if(|&their| their < anchor).is_some() {}
            theirs.next_if_eq(&anchor).is_some()
        })
    }
}

impl From<BTreeSet<String>> for Anchors {
    fn from(set: BTreeSet<String>) -> Self {
        let mut text = String::with_capacity(set.iter().map(String::len).sum());
        let mut ends = Vec::with_capacity(set.len());
        for anchor in &set {
            text.push_str(anchor);
            // Anchors come from at most `FINGERPRINT_BYTES` of text: far below 4 GB.
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        Self {
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }
}

impl Serialize for Anchors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Anchors {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeSet::<String>::deserialize(deserializer).map(Anchors::from)
    }
}

/// What grouping reads of one document, lent by the pipeline: its id, original text, paragraphs,
/// language and restored text.
#[derive(Debug, Clone, Copy)]
pub struct GroupInput<'a> {
    /// Its id.
    pub id: &'a str,
    /// The original text.
    pub text: &'a str,
    /// Its paragraphs and sentences.
    pub segmented: &'a Segmented,
    /// The document's language.
    pub language: Language,
    /// Its restored text, when the normaliser changed something.
    pub restoration: Option<&'a Restoration>,
}

impl GroupInput<'_> {
    /// The restored text of the original's bytes `start..end` when the normaliser changed
    /// something wholly inside them.
    fn restored_span(&self, start: usize, end: usize) -> Option<std::borrow::Cow<'_, str>> {
        self.restoration?.restored_span(self.text, start, end)
    }
}

/// The fingerprint of a document (its sketch of [`GroupConfig::sketch`] values).
pub fn fingerprint(document: &GroupInput, config: &GroupConfig) -> Fingerprint {
    // The opening of the (normalised) text is fingerprint enough, and keeps huge files cheap.
    let original = &document.text;
    let mut end = original.len().min(FINGERPRINT_BYTES);
    while !original.is_char_boundary(end) {
        end -= 1;
    }
    let text = document
        .restored_span(0, end)
        .unwrap_or(std::borrow::Cow::Borrowed(&original[..end]));
    fingerprint_of(document, config, &text, &tokens(&text).collect::<Vec<_>>())
}

/// [`fingerprint`] from `text_tokens`, the [`tokens()`] of the document's whole original text made
/// already: read as they are when the normaliser changed nothing and the text is no longer than
/// the opening a fingerprint reads (most documents), the text tokenized again otherwise.
pub fn fingerprint_with_tokens(
    document: &GroupInput,
    config: &GroupConfig,
    text_tokens: &[Token],
) -> Fingerprint {
    if document.restoration.is_some() || document.text.len() > FINGERPRINT_BYTES {
        return fingerprint(document, config);
    }
    fingerprint_of(document, config, document.text, text_tokens)
}

/// The fingerprint of `document` read from `text`, the opening of its (normalised) text, and
/// the tokens of that text.
fn fingerprint_of(
    document: &GroupInput,
    config: &GroupConfig,
    text: &str,
    text_tokens: &[Token],
) -> Fingerprint {
    let original = &document.text;
    let mut anchors = BTreeSet::new();
    let script = dominant_script(text);
    let words_and_numbers = pieces(text, text_tokens);
    if script == DocumentScript::Japanese {
        anchors.extend(katakana_sound_anchors(text));
    } else {
        anchors.extend(latin_sound_anchors(&words_and_numbers));
    }
    for token in words_and_numbers {
        match token.kind {
            TokenKind::Number if token.text.len() >= 2 => {
                anchors.insert(format!("#{}", token.text));
            }
            TokenKind::Word => anchors.extend(word_anchors(&token)),
            TokenKind::Number => {}
        }
    }
    // The words in lower case joined by spaces, in one buffer: the three words of a trigram
    // joined by spaces are the stretch from the first's start to the third's end.
    let mut words = String::with_capacity(text.len() + 1);
    let mut spans = Vec::with_capacity(text_tokens.len());
    for token in text_tokens {
        if !words.is_empty() {
            words.push(' ');
        }
        let start = words.len();
        words.push_str(&lowercase(token.text));
        spans.push((start, words.len()));
    }
    let mut sketch = vec![u64::MAX; config.sketch];
    for trigram in spans.windows(3) {
        let hash = mix(stable_hash_of(
            &words.as_bytes()[trigram[0].0..trigram[2].1],
        ));
        let slot = &mut sketch[bin_of(hash, config.sketch)];
        *slot = (*slot).min(mix(hash ^ SKETCH_VALUE_SALT));
    }
    densify(&mut sketch);
    // Structure: the paragraph count and where the headings are, which translations keep.
    let paragraphs = &document.segmented.paragraphs;
    if paragraphs.len() >= 3 && paragraphs.iter().any(|p| p.heading) {
        let headings: Vec<String> = paragraphs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.heading)
            .map(|(i, _)| i.to_string())
            .collect();
        anchors.insert(format!("§{}:{}", paragraphs.len(), headings.join(",")));
    }
    // The length profile: each paragraph short, medium or long against the median (headings
    // apart). Translations keep it; unrelated articles of the same shape rarely share it.
    if paragraphs.len() >= 4 {
        let mut lengths: Vec<usize> = paragraphs
            .iter()
            .filter(|p| !p.heading)
            .map(|p| p.span.end - p.span.start)
            .collect();
        lengths.sort_unstable();
        let median = lengths.get(lengths.len() / 2).copied().unwrap_or(1).max(1) as f64;
        let profile: String = paragraphs
            .iter()
            .map(|p| {
                let ratio = (p.span.end - p.span.start) as f64 / median;
                match () {
                    _ if p.heading => 'h',
                    _ if ratio < 0.6 => 's',
                    _ if ratio > 1.6 => 'l',
                    _ => 'm',
                }
            })
            .collect();
        anchors.insert(format!("≈{profile}"));
    }
    anchors.extend(opening_steps(text, paragraphs));
    Fingerprint {
        anchors: Anchors::from(anchors),
        sketch,
        text_hash: text_hash(original),
        language: document.language,
        script,
    }
}

/// The opening paragraphs whose steps make [`opening_steps`] anchors: a version cut short
/// keeps its opening, and the issue's cut copies keep 10 paragraphs or more.
const OPENING_PARAGRAPHS: usize = 10;
/// A step between two neighbouring paragraphs is up or down when their lengths differ by more
/// than this ratio; nearer, it may be either in another language, and both are kept.
const STEP_RATIO: f64 = 1.3;
/// At most this many steps of the opening may be either (each doubles the anchors).
const UNCERTAIN_STEPS: usize = 3;

/// The anchors of the length steps of a document's opening (`≈^udud…`): whether each of its
/// first [`OPENING_PARAGRAPHS`] paragraphs is longer or shorter than the one before, in
/// characters. Translations keep the steps whatever their script (a heading is short in every
/// language), and a version cut short keeps its opening, so a Japanese copy with no name or
/// number left shares them with the other versions. They are blocks of their own
/// ([`BlockKind::Steps`]) only between documents whose scripts [`lengths_tie`], and shapes beside them
/// (the second piece of evidence a candidate needs); never evidence a pair is scored by. A step whose two lengths are within [`STEP_RATIO`] gives both; an opening with more
/// than [`UNCERTAIN_STEPS`] such steps gives none (a flat opening says nothing).
fn opening_steps(text: &str, paragraphs: &[crate::segment::Paragraph]) -> Vec<String> {
    if paragraphs.len() < OPENING_PARAGRAPHS {
        return Vec::new();
    }
    let lengths: Vec<f64> = paragraphs[..OPENING_PARAGRAPHS]
        .iter()
        .map(|p| {
            text.get(p.span.start..p.span.end)
                .map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count())
                .max(1) as f64
        })
        .collect();
    let mut keys = vec![String::from("≈^")];
    let mut uncertain = 0;
    for pair in lengths.windows(2) {
        let ratio = pair[1] / pair[0];
        let steps: &[char] = if ratio > STEP_RATIO {
            &['u']
        } else if ratio < 1.0 / STEP_RATIO {
            &['d']
        } else {
            uncertain += 1;
            if uncertain > UNCERTAIN_STEPS {
                return Vec::new();
            }
            &['u', 'd']
        };
        keys = keys
            .iter()
            .flat_map(|key| {
                steps.iter().map(move |step| {
                    let mut longer = key.clone();
                    longer.push(*step);
                    longer
                })
            })
            .collect();
    }
    keys
}

/// Whether an anchor is a step of a document's opening ([`opening_steps`]): a shape for
/// blocking only, not evidence a pair is scored by.
fn is_opening_step(anchor: &str) -> bool {
    anchor.starts_with("≈^")
}

/// The anchors a word gives: its digits (`#264` for `H264`, two digits or more); the whole word
/// when it looks like code, a URL or a brand (`config/routes.rb`, `iPhone`), which translations
/// copy as they are; and a name's first five letters (`twelv` for `Twelve-Factor`), when it is
/// capitalised other than at a sentence start (a Latin word inside CJK text is a name wherever
/// it stands).
fn word_anchors(token: &Piece) -> Vec<String> {
    let word = &*token.text;
    let mut anchors = Vec::new();
    // ASCII digits and marks are read by their bytes (no byte of another character is ASCII);
    // of the letters, only whether there are none, or three, counts.
    let digits: String = word
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(char::from)
        .collect();
    if digits.len() >= 2 {
        anchors.push(format!("#{digits}"));
    }
    let letters = word.chars().filter(|&c| is_letter(c)).take(3).count();
    if letters == 0 {
        return anchors;
    }
    // `iPhone`, `macOS`: a brand in lower case then capitals (a capitalised `RabbitMQ` is a name,
    // below, and must not count twice).
    let lower_camel =
        word.chars().next().is_some_and(char::is_lowercase) && word.chars().any(char::is_uppercase);
    let code = word
        .bytes()
        .any(|b| matches!(b, b'/' | b'_' | b'.' | b':' | b'@'))
        || lower_camel;
    if code && letters >= 3 {
        anchors.push(format!(
            "`{}",
            word.to_lowercase().chars().take(48).collect::<String>()
        ));
    }
    let capitalised = word.chars().next().is_some_and(char::is_uppercase);
    if !code && capitalised && (!token.sentence_start || token.beside_cjk) {
        let stem: String = word
            .chars()
            .take_while(|&c| is_letter(c))
            .take(5)
            .flat_map(char::to_lowercase)
            .collect();
        if stem.chars().count() >= 4 {
            anchors.push(stem);
        }
    }
    anchors
}

/// The hash a fingerprint keeps of a whole text (equal for exact copies).
pub fn text_hash(text: &str) -> u64 {
    stable_hash_of(text.as_bytes())
}

/// A bit mixer (SplitMix64's finaliser) that turns one hash into many.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Salt of a trigram's value in its bin, so that the value does not repeat the bits that chose
/// the bin.
const SKETCH_VALUE_SALT: u64 = 0x9E37_79B9_7F4A_7C15;

/// The bin of a hashed trigram among `bins` (one-permutation MinHash: each trigram is hashed once
/// and kept as the least value of its bin, instead of once per sketch value).
fn bin_of(hash: u64, bins: usize) -> usize {
    ((u128::from(hash) * bins as u128) >> 64) as usize
}

/// Fills each empty bin of a one-permutation sketch from a non-empty one, chosen by a probe
/// sequence that depends on the bin alone, so that two documents fill the same bin from the same
/// place and an empty bin agrees between them as often as the bins do (optimal densification,
/// Shrivastava 2017). A sketch with every bin empty (no trigram) stays empty.
fn densify(sketch: &mut [u64]) {
    if sketch.iter().all(|&value| value == u64::MAX) {
        return;
    }
    let filled: Vec<bool> = sketch.iter().map(|&value| value != u64::MAX).collect();
    for bin in 0..sketch.len() {
        if filled[bin] {
            continue;
        }
        // Probes first; should they all miss (a sparse sketch), the next filled bin.
        let mut probe = bin as u64;
        let donor = (0..4 * sketch.len())
            .map(|_| {
                probe = mix(probe.wrapping_add(SKETCH_VALUE_SALT));
                bin_of(probe, sketch.len())
            })
            .find(|&candidate| filled[candidate])
            .or_else(|| {
                (1..sketch.len())
                    .map(|step| (bin + step) % sketch.len())
                    .find(|&next| filled[next])
            });
        if let Some(donor) = donor {
            sketch[bin] = sketch[donor];
        }
    }
}

fn sketch_similarity(a: &[u64], b: &[u64]) -> f64 {
    let same = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x == y && **x != u64::MAX)
        .count();
    same as f64 / a.len().max(1) as f64
}

/// Finds the groups of versions in a corpus (documents sorted by id).
pub fn group(documents: &[GroupInput], config: &GroupConfig) -> Vec<Group> {
    group_fingerprinted(documents, Vec::new(), config)
}

/// [`group`], with the fingerprints the document stage made already (`made[i]` of document `i`,
/// by [`fingerprint_with_tokens`] under this `config`); documents without one (`None`, or past
/// the end of `made`) are fingerprinted here.
pub fn group_fingerprinted(
    documents: &[GroupInput],
    made: Vec<Option<Fingerprint>>,
    config: &GroupConfig,
) -> Vec<Group> {
    group_with_shares(documents, made, config, |fingerprints, skip| {
        let keys = corpus_blocking_keys(fingerprints, skip, config);
        let meet = may_meet(fingerprints, |_, _| true);
        (0..PARTITIONS)
            .into_par_iter()
            .map(|partition| partition_shares(&keys, partition, PARTITIONS, &meet))
            .collect()
    })
}

/// What a cluster's blocking task keeps of a document that has keys in its partition, without
/// its text: its corpus index, its [`CandidateFacts`] (its script among them), whether blocking leaves it
/// out (`copy`: an exact copy, see [`exact_copies_by`]) and its blocking keys in that partition
/// (all kinds, sounds of names included, as [`blocking_keys`]`(fingerprint, true)` gives them).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedDocument {
    /// Its index in the corpus.
    pub index: usize,
    /// What the budgets read of it (the script of its fingerprint among them).
    pub facts: CandidateFacts,
    /// Whether it is an exact copy of a document before it.
    pub copy: bool,
    /// Its blocking keys in the partition.
    pub keys: Vec<BlockKey>,
}

/// The blocking share of one partition (of `partitions`) from only the documents that have keys
/// in it ([`KeyedDocument`], in any order, each once) and the scripts the corpus holds
/// (`corpus_scripts`: every document's script, or just the distinct ones: only which scripts
/// occur decides which kinds of keys the corpus blocks on). What [`group`] computes for that
/// partition, so that a cluster can run the partitions as tasks of their own, each holding
/// only its documents, and hand their shares to [`merge_sorted_shares`]. Each pair's share
/// comes with its [`PairFacts`], which the budgets read.
pub fn keyed_partition_share(
    mut documents: Vec<KeyedDocument>,
    corpus_scripts: &[DocumentScript],
    partition: usize,
    partitions: usize,
) -> Vec<(u64, Shared, PairFacts)> {
    documents.sort_unstable_by_key(|document| document.index);
    assert!(
        documents.windows(2).all(|w| w[0].index < w[1].index),
        "each document once"
    );
    keep_corpus_keys_of(
        documents.iter_mut().map(|d| (&mut d.keys, d.copy)),
        corpus_scripts,
    );
    // As [`may_meet`] with every pair wanted, over the documents' places among these.
    let meet = |i: usize, j: usize, kind: BlockKind| {
        kinds_meet(kind, documents[i].facts.script, documents[j].facts.script)
    };
    // A document absent here has no key in the partition: no block it would be in changes.
    // Places among these rise with corpus indices, so the pairs stay sorted.
    let keys = documents.iter().map(|d| d.keys.as_slice());
    partition_shares_of(keys, partition, partitions, meet)
        .into_iter()
        .map(|(pair, shared)| {
            let (i, j) = unpack(pair);
            let (first, second) = (&documents[i], &documents[j]);
            let facts = first.facts.pair_facts(&second.facts);
            (pack(first.index, second.index), shared, facts)
        })
        .collect()
}

/// Whether two documents in these scripts may meet in a block of this kind: a block of sounds
/// ties a Japanese document to one in another script only, a block of opening steps the pairs
/// [`lengths_tie`].
fn kinds_meet(kind: BlockKind, a: DocumentScript, b: DocumentScript) -> bool {
    let japanese = |script| script == DocumentScript::Japanese;
    match kind {
        BlockKind::Sound => japanese(a) != japanese(b),
        BlockKind::Steps => lengths_tie(a, b),
        BlockKind::Anchor | BlockKind::Band => true,
    }
}

/// Whether a script is Chinese, Japanese or Korean: a version in it may keep no name or number
/// of the others, all written in its own script.
fn is_cjk(script: DocumentScript) -> bool {
    matches!(
        script,
        DocumentScript::Chinese | DocumentScript::Japanese | DocumentScript::Korean
    )
}

/// Whether the lengths of paragraphs may tie documents in these scripts (opening steps block
/// them, and the length profile scores them): two different scripts, one of them Chinese,
/// Japanese or Korean.
fn lengths_tie(a: DocumentScript, b: DocumentScript) -> bool {
    a != b && (is_cjk(a) || is_cjk(b))
}

/// Keeps the blocking keys a corpus blocks on: none for a document `skip` leaves out, sounds of
/// names only in a corpus with Japanese, and opening steps only in a corpus where two documents'
/// scripts [`lengths_tie`] (`scripts`: each document's [`Fingerprint::script`]).
fn keep_corpus_keys(keys: &mut [Vec<BlockKey>], scripts: &[DocumentScript], skip: &[bool]) {
    keep_corpus_keys_of(keys.iter_mut().zip(skip.iter().copied()), scripts);
}

/// [`keep_corpus_keys`] for each document's keys with whether it is left out, in a corpus of
/// these scripts (each document's, or only the distinct ones).
fn keep_corpus_keys_of<'a>(
    documents: impl Iterator<Item = (&'a mut Vec<BlockKey>, bool)>,
    scripts: &[DocumentScript],
) {
    let any_japanese = scripts.contains(&DocumentScript::Japanese);
    let cjk = scripts.iter().find(|&&script| is_cjk(script));
    let lengths_may_tie = cjk.is_some_and(|&cjk| scripts.iter().any(|&s| lengths_tie(cjk, s)));
    for (document_keys, skip) in documents {
        if skip {
            document_keys.clear();
        } else {
            document_keys.retain(|key| match key.kind {
                BlockKind::Sound => any_japanese,
                BlockKind::Steps => lengths_may_tie,
                BlockKind::Anchor | BlockKind::Band => true,
            });
        }
    }
}

/// For each document, the first one before it with the same text (an exact copy is set aside:
/// only the first of each set is compared with others).
pub fn exact_copies(documents: &[GroupInput]) -> Vec<Option<usize>> {
    let hashes: Vec<u64> = documents.iter().map(|d| text_hash(d.text)).collect();
    exact_copies_by(&hashes, |first, index| {
        documents[first].text == documents[index].text
    })
}

/// [`exact_copies`] from each document's [`text_hash`] (`hashes`, in corpus order), with
/// `same_text(first, index)` telling whether two documents of equal hashes hold the same text
/// (a cluster task that does not read the texts compares a second hash).
pub fn exact_copies_by(
    hashes: &[u64],
    same_text: impl Fn(usize, usize) -> bool,
) -> Vec<Option<usize>> {
    let mut first_with_text: HashMap<u64, usize> = HashMap::default();
    let mut copy_of: Vec<Option<usize>> = vec![None; hashes.len()];
    for (index, &key) in hashes.iter().enumerate() {
        match first_with_text.get(&key) {
            Some(&first) if same_text(first, index) => {
                copy_of[index] = Some(first);
            }
            Some(_) => {}
            None => {
                first_with_text.insert(key, index);
            }
        }
    }
    copy_of
}

/// The partition (of `partitions`) whose task decides whether a document is an exact copy: a
/// stable hash of its [`text_hash`] (`group_hash`), so that every document [`exact_copies_by`]
/// compares it with falls in the same one.
pub fn copies_partition(group_hash: u64, partitions: usize) -> usize {
    (mix(group_hash) % partitions.max(1) as u64) as usize
}

/// [`exact_copies_by`] over the documents of one [`copies_partition`], each given as its corpus
/// index, [`text_hash`] and a second hash of its text (two documents are the same text when
/// both agree), in any order: each copy's corpus index with the first document it copies,
/// sorted by copy. The same pairs as [`exact_copies_by`] over the whole corpus gives, since a
/// document is only ever compared with those of its own [`text_hash`].
pub fn partition_copies(mut documents: Vec<(usize, u64, u64)>) -> Vec<(usize, usize)> {
    documents.sort_unstable_by_key(|&(index, _, _)| index);
    let hashes: Vec<u64> = documents.iter().map(|d| d.1).collect();
    let copy_of = exact_copies_by(&hashes, |first, index| {
        documents[first].2 == documents[index].2
    });
    copy_of
        .into_iter()
        .enumerate()
        .filter_map(|(copy, first)| Some((documents[copy].0, documents[first?].0)))
        .collect()
}

/// [`group_fingerprinted`] with the blocking shares of the corpus's partitions given by `shares`
/// (from the documents' fingerprints and which documents blocking leaves out), in any number and
/// order of partitions: [`keyed_partition_share`] of each partition gives the groups [`group`]
/// gives.
pub fn group_with_shares(
    documents: &[GroupInput],
    mut made: Vec<Option<Fingerprint>>,
    config: &GroupConfig,
    shares: impl FnOnce(&[Fingerprint], &[bool]) -> Vec<Vec<(u64, Shared)>>,
) -> Vec<Group> {
    let copy_of = exact_copies(documents);
    made.resize_with(documents.len(), || None);
    let fingerprints: Vec<Fingerprint> = documents
        .par_iter()
        .zip(made)
        .map(|(document, made)| made.unwrap_or_else(|| fingerprint(document, config)))
        .collect();
    let skip: Vec<bool> = copy_of.iter().map(Option::is_some).collect();
    let facts: Vec<CandidateFacts> = fingerprints
        .iter()
        .map(Fingerprint::candidate_facts)
        .collect();
    let candidates = budgeted_candidates(
        &facts,
        merge_shares(shares(&fingerprints, &skip)),
        config.candidates_per_document,
    );
    let frequency = AnchorFrequency::of(&fingerprints);
    // Score every candidate pair in parallel.
    let cache = ParagraphCache::default();
    let scored: Vec<ScoredPair> = candidates
        .par_iter()
        .map(|&(i, j)| {
            score_candidate(
                (i, &documents[i], &fingerprints[i]),
                (j, &documents[j], &fingerprints[j]),
                &frequency,
                config.threshold,
                &cache,
            )
        })
        .collect();
    join_scored(
        documents,
        &fingerprints,
        &frequency,
        &copy_of,
        scored,
        config.threshold,
    )
}

/// A scored candidate pair (document indices in the order of their texts: see
/// [`score_candidate`]), with its evidence and alignment when it passed the threshold
/// ([`GroupConfig::threshold`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPair {
    /// The document whose text comes first.
    pub a: usize,
    /// The other document.
    pub b: usize,
    /// The pair's score (0 when the aligner was skipped).
    pub score: f64,
    /// Its evidence and paragraph beads, kept only for a pair that passed: a large corpus scores
    /// many more. Sentences are aligned only once a pair ties a group ([`join_scored`]).
    pub kept: Option<(PairEvidence, Vec<Bead>)>,
}

/// A passing pair as the joins carry it: its documents (in the order of their texts), its
/// evidence and its paragraph beads.
struct TiedPair {
    documents: (usize, usize),
    evidence: PairEvidence,
    paragraphs: Vec<Bead>,
}

impl TiedPair {
    /// The pair's evidence and whole alignment, its sentences aligned inside its paragraph beads
    /// (`documents` are those its indices name).
    fn aligned(self, documents: &[GroupInput]) -> (PairEvidence, Alignment) {
        let (a, b) = (&documents[self.documents.0], &documents[self.documents.1]);
        let sentences =
            align_sentences_within(a.text, a.segmented, b.text, b.segmented, &self.paragraphs);
        let alignment = Alignment {
            paragraphs: self.paragraphs,
            sentences,
        };
        (self.evidence, alignment)
    }
}

/// The two documents (indices with their [`text_hash`] and text) in the order of their texts,
/// never of their names or indices: the same files under other names or in another order give
/// the same groups.
fn in_text_order(first: (usize, (u64, &str)), second: (usize, (u64, &str))) -> (usize, usize) {
    if first.1 > second.1 {
        (second.0, first.0)
    } else {
        (first.0, second.0)
    }
}

/// Scores one candidate pair, each document given with its corpus index and fingerprint, against
/// `threshold`: [`score_pair`] with the two in the order of their texts.
pub fn score_candidate(
    first: (usize, &GroupInput, &Fingerprint),
    second: (usize, &GroupInput, &Fingerprint),
    frequency: &AnchorFrequency,
    threshold: f64,
    cache: &ParagraphCache,
) -> ScoredPair {
    let (a, b) = in_text_order(
        (first.0, (first.2.text_hash, first.1.text)),
        (second.0, (second.2.text_hash, second.1.text)),
    );
    let ((_, document_a, fingerprint_a), (_, document_b, fingerprint_b)) = if a == first.0 {
        (first, second)
    } else {
        (second, first)
    };
    match score_pair(
        (document_a, fingerprint_a),
        (document_b, fingerprint_b),
        frequency,
        threshold,
        cache,
    ) {
        Some((score, evidence, paragraphs)) if score >= threshold => ScoredPair {
            a,
            b,
            score,
            kept: Some((evidence, paragraphs)),
        },
        Some((score, ..)) => ScoredPair {
            a,
            b,
            score,
            kept: None,
        },
        None => ScoredPair {
            a,
            b,
            score: 0.0,
            kept: None,
        },
    }
}

/// The groups of a corpus (documents sorted by id, with their fingerprints, the corpus's anchor
/// frequencies and [`exact_copies`]) from its scored candidate pairs, in any order: the
/// non-chaining joins of [`join_pairs`] (a pair across two sides that was no candidate is scored
/// here, as its support is asked), then exact copies join the group of the document they copy.
/// The sentences of a pair are aligned here, for the pairs that tie a group alone.
pub fn join_scored(
    documents: &[GroupInput],
    fingerprints: &[Fingerprint],
    frequency: &AnchorFrequency,
    copy_of: &[Option<usize>],
    scored: Vec<ScoredPair>,
    threshold: f64,
) -> Vec<Group> {
    let content: Vec<(u64, &str)> = fingerprints
        .iter()
        .zip(documents)
        .map(|(f, d)| (f.text_hash, d.text))
        .collect();
    let in_order = |i: usize, j: usize| in_text_order((i, content[i]), (j, content[j]));
    let cache = ParagraphCache::default();
    let score_of = |(i, j): (usize, usize)| {
        score_pair(
            (&documents[i], &fingerprints[i]),
            (&documents[j], &fingerprints[j]),
            frequency,
            threshold,
            &cache,
        )
    };
    let all_scored = scored;
    // Every pair scored so far (0 when the aligner was skipped), for the joins below.
    let pair_scores: HashMap<(usize, usize), f64> = all_scored
        .iter()
        .map(|pair| ((pair.a, pair.b), pair.score))
        .collect();
    let passing: Vec<PassingPair<TiedPair>> = all_scored
        .into_iter()
        .filter_map(|pair| {
            let (evidence, paragraphs) = pair.kept?;
            Some(PassingPair {
                score: pair.score,
                a: pair.a,
                b: pair.b,
                kept: TiedPair {
                    documents: (pair.a, pair.b),
                    evidence,
                    paragraphs,
                },
            })
        })
        .collect();
    let languages: Vec<(Language, DocumentScript)> = fingerprints
        .iter()
        .map(|f| (f.language, f.script))
        .collect();
    // A pair across two sides supports their join when it scores as a version; pairs not yet
    // scored are scored when asked.
    let line = |x: usize, y: usize| {
        if fingerprints[x].script == fingerprints[y].script {
            threshold
        } else {
            CROSS_SCRIPT_SUPPORT
        }
    };
    let support = Support {
        known: |x: usize, y: usize| {
            let score = pair_scores.get(&in_order(x, y))?;
            Some(*score >= line(x, y))
        },
        supports: |x: usize, y: usize| {
            let pair = in_order(x, y);
            let score = match pair_scores.get(&pair) {
                Some(&score) => score,
                None => score_of(pair).map_or(0.0, |s| s.0),
            };
            score >= line(x, y)
        },
    };
    let joined = join_pairs(passing, &content, &languages, &support);
    // Sentences are aligned only inside the pairs that tied a group: most passing pairs do not
    // (a join asks many more pairs for support than it keeps).
    let joined: Vec<Joined<(PairEvidence, Alignment)>> = joined
        .into_par_iter()
        .map(|group| Joined {
            members: group.members,
            pairs: group
                .pairs
                .into_iter()
                .map(|(tied, score)| (tied.aligned(documents), score))
                .collect(),
        })
        .collect();
    let mut group_of: HashMap<usize, usize> = HashMap::default();
    let mut members: Vec<Vec<usize>> = Vec::with_capacity(joined.len());
    let mut pairs: Vec<Vec<((PairEvidence, Alignment), f64)>> = Vec::with_capacity(joined.len());
    for (g, group) in joined.into_iter().enumerate() {
        for &m in &group.members {
            group_of.insert(m, g);
        }
        members.push(group.members);
        pairs.push(group.pairs);
    }
    // Exact copies join the group of the document they copy, or form one with it.
    for (copy, first) in copy_of
        .iter()
        .enumerate()
        .filter_map(|(c, f)| f.map(|f| (c, f)))
    {
        let g = match group_of.get(&first) {
            Some(&g) => g,
            None => {
                group_of.insert(first, members.len());
                members.push(vec![first]);
                pairs.push(Vec::new());
                members.len() - 1
            }
        };
        let (a, b) = (&documents[first], &documents[copy]);
        // Identical texts align one to one, paragraph by paragraph and sentence by sentence.
        let paragraphs = a.segmented.paragraphs.len();
        let sentences: usize = a
            .segmented
            .paragraphs
            .iter()
            .map(|p| p.sentences.len())
            .sum();
        let identity = |count: usize| -> Vec<Bead> {
            (0..count)
                .map(|k| Bead {
                    a: vec![k],
                    b: vec![k],
                    score: 1.0,
                })
                .collect()
        };
        let alignment = Alignment {
            paragraphs: identity(paragraphs),
            sentences: identity(sentences),
        };
        let evidence = PairEvidence {
            a: a.id.to_string(),
            b: b.id.to_string(),
            score: 1.0,
            shared_anchors: vec!["identical text".to_string()],
            significance: 0.0,
            trigram_similarity: 1.0,
            aligned_paragraphs: 1.0,
            paragraphs: [paragraphs, paragraphs],
        };
        group_of.insert(copy, g);
        members[g].push(copy);
        pairs[g].push(((evidence, alignment), 1.0));
    }
    let mut groups: Vec<Group> = members
        .into_iter()
        .zip(pairs)
        .filter(|(members, _)| !members.is_empty())
        .map(|(members, pairs)| {
            let languages: HashSet<Language> =
                members.iter().map(|&m| documents[m].language).collect();
            Group {
                id: String::new(),
                kind: if languages.len() > 1 {
                    GroupKind::Translation
                } else {
                    GroupKind::Duplicate
                },
                documents: {
                    let mut ids: Vec<String> = members
                        .iter()
                        .map(|&m| documents[m].id.to_string())
                        .collect();
                    ids.sort();
                    ids
                },
                score: round4(pairs.iter().map(|p| p.1).fold(1.0, f64::min)),
                alignments: pairs
                    .iter()
                    .map(|((evidence, alignment), _)| PairAlignment {
                        a: evidence.a.clone(),
                        b: evidence.b.clone(),
                        alignment: alignment.clone(),
                    })
                    .collect(),
                evidence: pairs
                    .into_iter()
                    .map(|((evidence, _), _)| evidence)
                    .collect(),
            }
        })
        .collect();
    number_groups(&mut groups);
    groups
}

/// Puts groups in report order (by their sorted member ids; groups share no member) and names
/// them `g1`, `g2`… in that order: groups joined apart (one set of connected documents at a
/// time) then get the names one join over them all gives.
pub fn number_groups(groups: &mut [Group]) {
    groups.sort_by(|x, y| x.documents.cmp(&y.documents));
    for (rank, group) in groups.iter_mut().enumerate() {
        group.id = group_name(rank);
    }
}

/// The name of the group at `rank` (from 0) in report order: `g1`, `g2`…
pub fn group_name(rank: usize) -> String {
    format!("g{}", rank + 1)
}

/// A scored pair that passed the threshold ([`GroupConfig::threshold`]), with what the report keeps of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PassingPair<T> {
    /// The pair's score.
    pub score: f64,
    /// One document's index.
    pub a: usize,
    /// The other document's index.
    pub b: usize,
    /// What the report keeps of the pair (its evidence and alignment).
    pub kept: T,
}

/// A group the joins made: its members, founders first, and its pairs (what each kept, and
/// its score) in the order they joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined<T> {
    /// Document indices, in the order they joined.
    pub members: Vec<usize>,
    /// The pairs that tied the group, in the order they joined.
    pub pairs: Vec<(T, f64)>,
}

/// Whether a pair across two sides supports their join (symmetric), as [`join_pairs`] asks it:
/// `known` answers the pairs whose answer costs nothing (scored already) and gives `None` for
/// the others, which `supports` works out (and must answer alike).
pub struct Support<K, S> {
    /// The answer when it is at hand.
    pub known: K,
    /// The answer, worked out.
    pub supports: S,
}

/// The non-chaining grouping. Pairs join their groups best first (ties by the documents'
/// `content`, then their indices), unless the joined group would hold two documents of one
/// language (`languages`) that are not copies of each other (then one of the two pairs is
/// wrong, and the better one came first), and only when more than half of the pairs across the
/// two sides are versions too (`support`; exactly half when the joining pair is strong, or
/// joins the documents that founded the two sides): one look-alike cannot chain two articles.
///
/// Pairs meet only within a connected component of the passing pairs, so the components join
/// in parallel; the result is the same whatever the order of `passing` and the thread count.
pub fn join_pairs<T, C, L, K, S>(
    mut passing: Vec<PassingPair<T>>,
    content: &[C],
    languages: &[L],
    support: &Support<K, S>,
) -> Vec<Joined<T>>
where
    T: Send,
    C: Ord + Sync,
    L: Eq + Sync,
    K: Fn(usize, usize) -> Option<bool> + Sync,
    S: Fn(usize, usize) -> bool + Sync,
{
    // Best first; ties in the order of the texts, so the result does not depend on anything else.
    passing.par_sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then_with(|| content[x.a].cmp(&content[y.a]))
            .then_with(|| content[x.b].cmp(&content[y.b]))
            .then_with(|| (x.a, x.b).cmp(&(y.a, y.b)))
    });
    // The connected components of the passing pairs, in the order of their best pair.
    let mut root: HashMap<usize, usize> = HashMap::default();
    fn find(root: &mut HashMap<usize, usize>, mut x: usize) -> usize {
        while let Some(&parent) = root.get(&x).filter(|&&p| p != x) {
            let grandparent = root.get(&parent).copied().unwrap_or(parent);
            root.insert(x, grandparent);
            x = parent;
        }
        x
    }
    for pair in &passing {
        let (ra, rb) = (find(&mut root, pair.a), find(&mut root, pair.b));
        if ra != rb {
            root.insert(ra.max(rb), ra.min(rb));
        }
    }
    let mut component_of_root: HashMap<usize, usize> = HashMap::default();
    let mut components: Vec<Vec<PassingPair<T>>> = Vec::new();
    for pair in passing {
        let r = find(&mut root, pair.a);
        let next = components.len();
        let c = *component_of_root.entry(r).or_insert(next);
        if c == next {
            components.push(Vec::new());
        }
        components[c].push(pair);
    }
    components
        .into_par_iter()
        .flat_map_iter(|pairs| join_component(pairs, languages, support))
        .collect()
}

/// [`join_pairs`] over the pairs of one connected component, best first.
fn join_component<T, L, K, S>(
    passing: Vec<PassingPair<T>>,
    languages: &[L],
    support: &Support<K, S>,
) -> Vec<Joined<T>>
where
    L: Eq,
    K: Fn(usize, usize) -> Option<bool> + Sync,
    S: Fn(usize, usize) -> bool + Sync,
{
    let mut supported: HashMap<(usize, usize), bool> = HashMap::default();
    let mut group_of: HashMap<usize, usize> = HashMap::default();
    let mut groups: Vec<Joined<T>> = Vec::new();
    for PassingPair {
        score,
        a: i,
        b: j,
        kept,
    } in passing
    {
        let (group_i, group_j) = (group_of.get(&i).copied(), group_of.get(&j).copied());
        if group_i.is_some() && group_i == group_j {
            continue;
        }
        let side = |g: Option<usize>, m: usize| {
            g.map_or_else(|| vec![m], |g: usize| groups[g].members.clone())
        };
        let (side_i, side_j) = (side(group_i, i), side(group_j, j));
        // A copy pair brings its own language into both sides; other languages must not meet.
        let copies = languages[i] == languages[j];
        let clash = side_i.iter().any(|&x| {
            side_j
                .iter()
                .any(|&y| languages[x] == languages[y] && !(copies && languages[x] == languages[i]))
        });
        if clash {
            continue;
        }
        let across = side_i.len() * side_j.len();
        let versions = count_versions(&side_i, &side_j, &mut supported, support);
        let first = |g: Option<usize>, m: usize| g.is_none_or(|g| groups[g].members[0] == m);
        let through_firsts = first(group_i, i) && first(group_j, j);
        if versions * 2 < across || versions * 2 == across && score < STRONG_LINK && !through_firsts
        {
            continue;
        }
        let target = match (group_i, group_j) {
            (Some(g), _) | (None, Some(g)) => g,
            (None, None) => {
                groups.push(Joined {
                    members: Vec::new(),
                    pairs: Vec::new(),
                });
                groups.len() - 1
            }
        };
        for m in side_i.into_iter().chain(side_j) {
            if group_of.insert(m, target) != Some(target) {
                groups[target].members.push(m);
            }
        }
        for other in [group_i, group_j].into_iter().flatten() {
            if other != target {
                let moved = std::mem::take(&mut groups[other].pairs);
                groups[target].pairs.extend(moved);
                groups[other].members.clear();
            }
        }
        groups[target].pairs.push((kept, score));
    }
    groups.retain(|g| !g.members.is_empty());
    groups
}

/// Most pairs across two sides whose support is worked out at once (in parallel), between
/// looks at whether the join is decided.
const SUPPORT_BATCH: usize = 64;

/// How many pairs across `side_i` and `side_j` are versions, or enough of a count to decide the
/// join: the count stops once more than half are versions, or fewer than half can be. The
/// answers at hand come first (`support.known`, and those worked out for an earlier join of the
/// component, remembered in `supported`); the others are worked out a batch at a time, a batch
/// no larger than the fewest answers that could decide (but at least one per thread, and at
/// most [`SUPPORT_BATCH`]). What [`join_component`] decides from it is the same as from the
/// whole count, in any order of asking (an exact half is always counted whole); big groups of
/// copies are spared most of their pairs' alignments.
fn count_versions<K, S>(
    side_i: &[usize],
    side_j: &[usize],
    supported: &mut HashMap<(usize, usize), bool>,
    support: &Support<K, S>,
) -> usize
where
    K: Fn(usize, usize) -> Option<bool> + Sync,
    S: Fn(usize, usize) -> bool + Sync,
{
    let across = side_i.len() * side_j.len();
    let decided = |versions: usize, asked: usize| {
        versions * 2 > across || (versions + across - asked) * 2 < across
    };
    let (mut versions, mut asked) = (0, 0);
    let mut to_work_out = Vec::new();
    for pair in side_i
        .iter()
        .flat_map(|&x| side_j.iter().map(move |&y| (x.min(y), x.max(y))))
    {
        if decided(versions, asked) {
            return versions;
        }
        match supported
            .get(&pair)
            .copied()
            .or_else(|| (support.known)(pair.0, pair.1))
        {
            Some(answer) => {
                versions += usize::from(answer);
                asked += 1;
            }
            None => to_work_out.push(pair),
        }
    }
    let mut next = 0;
    while next < to_work_out.len() && !decided(versions, asked) {
        // Answers that decide: `yes` more versions make more than half; `no` pairs that are not
        // leave fewer than half possible.
        let yes = across / 2 + 1 - versions;
        let no = (versions + across - asked) - across.div_ceil(2) + 1;
        let size = yes
            .min(no)
            .clamp(rayon::current_num_threads(), SUPPORT_BATCH);
        let batch = &to_work_out[next..(next + size).min(to_work_out.len())];
        let found: Vec<bool> = batch
            .par_iter()
            .map(|&(x, y)| (support.supports)(x, y))
            .collect();
        versions += found.iter().filter(|&&answer| answer).count();
        asked += batch.len();
        next += batch.len();
        supported.extend(batch.iter().copied().zip(found));
    }
    versions
}

/// A corpus's fingerprints as a query API: which of its documents a new document must be
/// compared with (the blocking of [`group`], and exact copies), and whether a new document and
/// one of the corpus are versions of one article (scored against the corpus's anchor
/// frequencies). What `check` asks of a corpus, without grouping's internals.
pub struct CorpusIndex {
    config: GroupConfig,
    fingerprints: Vec<Fingerprint>,
    frequency: AnchorFrequency,
    by_text_hash: HashMap<u64, Vec<usize>>,
}

impl CorpusIndex {
    /// The index of a corpus's fingerprints (in its order: queries answer with these indices),
    /// made and queried under `config`.
    pub fn new(fingerprints: Vec<Fingerprint>, config: &GroupConfig) -> Self {
        let frequency = AnchorFrequency::of(&fingerprints);
        let mut by_text_hash: HashMap<u64, Vec<usize>> = HashMap::default();
        for (index, fingerprint) in fingerprints.iter().enumerate() {
            by_text_hash
                .entry(fingerprint.text_hash)
                .or_default()
                .push(index);
        }
        Self {
            config: config.clone(),
            fingerprints,
            frequency,
            by_text_hash,
        }
    }

    /// The fingerprint of corpus document `index`.
    pub fn fingerprint(&self, index: usize) -> &Fingerprint {
        &self.fingerprints[index]
    }

    /// Pairs `(new index, corpus index)` worth scoring, sorted, each once: new documents against
    /// the corpus only (never two corpus documents), by the blocking of [`group`], and every
    /// corpus document with the same text (exact copies need no blocking).
    pub fn candidates(&self, new: &[Fingerprint]) -> Vec<(usize, usize)> {
        let all: Vec<Fingerprint> = new.iter().chain(&self.fingerprints).cloned().collect();
        let skip = vec![false; all.len()];
        let boundary = new.len();
        let mut pairs: Vec<(usize, usize)> = candidate_pairs(&all, &skip, &self.config, |i, j| {
            (i < boundary) != (j < boundary)
        })
        .into_iter()
        .map(|(i, j)| (i, j - boundary))
        .collect();
        for (index, fingerprint) in new.iter().enumerate() {
            for &other in self
                .by_text_hash
                .get(&fingerprint.text_hash)
                .into_iter()
                .flatten()
            {
                pairs.push((index, other));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// Whether a new document and corpus document `index` (analysed in full) are versions of one
    /// article: their score and paragraph beads when the pair reaches the threshold.
    pub fn versions(
        &self,
        new: (&GroupInput, &Fingerprint),
        (corpus, index): (&GroupInput, usize),
    ) -> Option<(f64, Vec<Bead>)> {
        let threshold = self.config.threshold;
        let (score, _, paragraphs) = score_pair(
            new,
            (corpus, &self.fingerprints[index]),
            &self.frequency,
            threshold,
            &ParagraphCache::default(),
        )?;
        (score >= threshold).then_some((score, paragraphs))
    }
}

/// Blocking runs over this many partitions of the block keys in one process (`analyze`): the
/// partitions are the units of parallel work, and any number gives the same candidates.
pub const PARTITIONS: usize = 16;

/// The evidence unit of blocking: a block of `m` documents gives each pair in it
/// `WEIGHT_UNIT / (m - 1)`, an exact integer for every block size kept (`WEIGHT_UNIT` is the least
/// common multiple of 1..=19), so that sums do not depend on the order they are added in.
const WEIGHT_UNIT: u64 = 232_792_560;
const _: () = {
    let mut others = 1;
    while others < COMMON_ANCHOR_DOCUMENTS {
        assert!(WEIGHT_UNIT.is_multiple_of(others as u64));
        others += 1;
    }
};

/// What a block gathers documents by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BlockKind {
    /// An anchor (a name, number or shape).
    Anchor,
    /// An LSH band of the sketch.
    Band,
    /// The sounds of a name, which tie a Japanese document to one in another script only.
    Sound,
    /// The length steps of a document's opening paragraphs (whether each is longer or shorter
    /// than the one before), which tie a Chinese, Japanese or Korean document to one in another
    /// script only.
    Steps,
}

/// A blocking key of a document: the hash of one of its anchors, or of one LSH band of its sketch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlockKey {
    /// What the block gathers by.
    pub kind: BlockKind,
    /// The hash of the anchor or band.
    pub hash: u64,
}

impl BlockKey {
    /// The partition (of `partitions`) the key belongs to: a stable hash of the key.
    pub fn partition(&self, partitions: usize) -> usize {
        (mix(self.hash ^ self.kind as u64) % partitions.max(1) as u64) as usize
    }
}

/// The blocking keys of a fingerprint: its anchors' hashes (sounds of names only `with_sounds`:
/// in a corpus with Japanese), then the hashes of its sketch's `bands` LSH bands (a band of
/// empty slots is no key).
pub fn blocking_keys(fingerprint: &Fingerprint, with_sounds: bool, bands: usize) -> Vec<BlockKey> {
    let mut keys: Vec<BlockKey> = fingerprint
        .anchors
        .iter()
        .filter(|anchor| with_sounds || !is_sound(anchor))
        .map(|anchor| BlockKey {
            kind: if is_sound(anchor) {
                BlockKind::Sound
            } else if is_opening_step(anchor) {
                BlockKind::Steps
            } else {
                BlockKind::Anchor
            },
            hash: stable_hash_of(anchor.as_bytes()),
        })
        .collect();
    let rows = fingerprint.sketch.len() / bands.max(1);
    for (band, slice) in fingerprint.sketch.chunks_exact(rows.max(1)).enumerate() {
        if slice.iter().all(|&v| v == u64::MAX) {
            continue;
        }
        keys.push(BlockKey {
            kind: BlockKind::Band,
            hash: slice.iter().fold(band as u64, |h, &v| mix(h ^ v)),
        });
    }
    keys
}

/// What two documents share in blocks: how many anchor and band blocks, and the weight of each
/// kind (a block of `m` documents weighs `WEIGHT_UNIT / (m - 1)`: an anchor only two documents
/// carry says far more than one fifteen carry).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shared {
    /// Anchor blocks both are in.
    pub anchors: u32,
    /// LSH band blocks both are in.
    pub bands: u32,
    /// Summed weight of the anchor blocks.
    pub anchor_weight: u64,
    /// Summed weight of the band blocks.
    pub band_weight: u64,
}

impl Shared {
    fn add(&mut self, other: &Shared) {
        self.anchors += other.anchors;
        self.bands += other.bands;
        self.anchor_weight += other.anchor_weight;
        self.band_weight += other.band_weight;
    }
}

/// A pair of document indices `(smaller, larger)` packed into one number (smaller high).
fn pack(i: usize, j: usize) -> u64 {
    let (low, high) = (i.min(j) as u64, i.max(j) as u64);
    (low << 32) | high
}

/// The pair [`pack`] packed.
fn unpack(key: u64) -> (usize, usize) {
    ((key >> 32) as usize, (key & 0xFFFF_FFFF) as usize)
}

/// The blocks of one partition (the keys of `partition` out of `partitions`), from each
/// document's blocking keys (in document order; empty for a document left out), and what each
/// pair of documents shares there, sorted by pair. `wanted` says which pairs may meet in a block
/// of a kind (a block of sounds counts as one of anchors).
pub fn partition_shares(
    keys: &[Vec<BlockKey>],
    partition: usize,
    partitions: usize,
    wanted: impl Fn(usize, usize, BlockKind) -> bool,
) -> Vec<(u64, Shared)> {
    partition_shares_of(
        keys.iter().map(Vec::as_slice),
        partition,
        partitions,
        wanted,
    )
}

/// [`partition_shares`] from each document's keys as an iterator, in document order.
fn partition_shares_of<'a>(
    keys: impl Iterator<Item = &'a [BlockKey]>,
    partition: usize,
    partitions: usize,
    wanted: impl Fn(usize, usize, BlockKind) -> bool,
) -> Vec<(u64, Shared)> {
    // Members as u32: a large corpus has millions of block memberships.
    let mut blocks: HashMap<BlockKey, Vec<u32>> = HashMap::default();
    for (index, document_keys) in keys.enumerate() {
        let member = u32::try_from(index).expect("fewer than 2^32 documents");
        for key in document_keys {
            if key.partition(partitions) == partition {
                blocks.entry(*key).or_default().push(member);
            }
        }
    }
    let mut shared: HashMap<u64, Shared> = HashMap::default();
    for (key, members) in &blocks {
        if members.len() < 2 || members.len() > COMMON_ANCHOR_DOCUMENTS {
            continue;
        }
        // One unit of evidence spread over the m - 1 others each member meets here.
        let weight = WEIGHT_UNIT / (members.len() - 1) as u64;
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                if !wanted(i as usize, j as usize, key.kind) {
                    continue;
                }
                let entry = shared.entry(pack(i as usize, j as usize)).or_default();
                if key.kind == BlockKind::Band {
                    entry.bands += 1;
                    entry.band_weight += weight;
                } else {
                    entry.anchors += 1;
                    entry.anchor_weight += weight;
                }
            }
        }
    }
    let mut shared: Vec<(u64, Shared)> = shared.into_iter().collect();
    shared.sort_unstable_by_key(|(pair, _)| *pair);
    shared
}

/// The sum of the partitions' shares, per pair, sorted by pair: the same whatever the number
/// and order of the partitions (the sums are of integers).
pub fn merge_shares(partitions: Vec<Vec<(u64, Shared)>>) -> Vec<(u64, Shared)> {
    let mut all: Vec<(u64, Shared)> = partitions.into_iter().flatten().collect();
    all.par_sort_unstable_by_key(|(pair, _)| *pair);
    let mut merged: Vec<(u64, Shared)> = Vec::with_capacity(all.len());
    for (pair, shared) in all {
        match merged.last_mut() {
            Some((last, sum)) if *last == pair => sum.add(&shared),
            _ => merged.push((pair, shared)),
        }
    }
    merged
}

/// [`merge_shares`] of runs each already sorted by pair (a cluster's partitions, read from their
/// files), streamed: a k-way merge that holds one pair of each run at a time.
pub fn merge_sorted_shares<S: PairShare, I: Iterator<Item = S>>(
    runs: Vec<I>,
) -> impl Iterator<Item = S> {
    runs.into_iter()
        .kmerge_by(|a, b| a.pair() < b.pair())
        .coalesce(|mut sum, next| {
            if next.pair() == sum.pair() {
                sum.add(&next);
                Ok(sum)
            } else {
                Err((sum, next))
            }
        })
}

/// A candidate pair as a budget ranks it: by weight (the strongest first), ties by the hashes of
/// the two texts, then by the two indices, so that names and input order never decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankedPair {
    /// The two documents' indices.
    pub pair: (usize, usize),
    /// Its weight (in blocking's integer units).
    pub weight: u64,
    /// The hashes of the two documents' texts.
    pub text_hashes: (u64, u64),
}

impl RankedPair {
    /// Where it stands in the order a budget takes pairs in: a total order over the pairs of one
    /// list (each pair is in a list once).
    pub fn order_key(&self) -> (std::cmp::Reverse<u64>, u64, u64, usize, usize) {
        let (a, b) = self.text_hashes;
        let (i, j) = self.pair;
        (
            std::cmp::Reverse(self.weight),
            a.min(b),
            a.max(b),
            i.min(j),
            i.max(j),
        )
    }
}

/// The greedy candidate budget as it goes: offered pairs strongest first, it takes a pair while
/// both documents have been given fewer than `budget` pairs. It holds one counter per document
/// (a byte when the budget fits in one), never the pairs, so the pairs may come from anywhere in
/// rank order (a sorted list, or a merge of sorted runs on disk).
#[derive(Debug, Clone)]
pub struct GreedyBudget {
    budget: usize,
    /// Pairs given to each document so far, by index.
    given: GivenCounts,
}

/// A counter per document, as narrow as the budget allows (a counter never passes it).
#[derive(Debug, Clone)]
enum GivenCounts {
    Bytes(Vec<u8>),
    Words(Vec<u32>),
}

impl GivenCounts {
    /// Gives one more pair to `i` and `j` when both have been given fewer than `budget`, having
    /// made room for counters up to the larger.
    fn give(&mut self, (i, j): (usize, usize), budget: usize) -> bool {
        fn give_in<T>(counts: &mut Vec<T>, (i, j): (usize, usize), budget: usize) -> bool
        where
            T: Copy + Default + Into<u64> + From<u8> + std::ops::AddAssign,
        {
            let needed = i.max(j) + 1;
            if counts.len() < needed {
                counts.resize(needed, T::default());
            }
            let room = |given: T| given.into() < budget as u64;
            if room(counts[i]) && room(counts[j]) {
                counts[i] += T::from(1);
                counts[j] += T::from(1);
                true
            } else {
                false
            }
        }
        match self {
            GivenCounts::Bytes(counts) => give_in(counts, (i, j), budget),
            GivenCounts::Words(counts) => give_in(counts, (i, j), budget),
        }
    }
}

impl GreedyBudget {
    /// A budget of `budget` pairs per document, none given yet.
    pub fn new(budget: usize) -> Self {
        let given = if budget <= usize::from(u8::MAX) {
            GivenCounts::Bytes(Vec::new())
        } else {
            GivenCounts::Words(Vec::new())
        };
        Self { budget, given }
    }

    /// Offers the next pair in rank order ([`RankedPair::order_key`]); whether it is taken.
    pub fn take(&mut self, pair: (usize, usize)) -> bool {
        self.given.give(pair, self.budget)
    }
}

/// The greedy candidate budget: pairs taken strongest first while both documents have been
/// given fewer than `budget` pairs. The result depends only on the set of pairs, not their order.
pub fn within_budget(mut ranked: Vec<RankedPair>, budget: usize) -> Vec<(usize, usize)> {
    ranked.par_sort_unstable_by_key(RankedPair::order_key);
    let mut greedy = GreedyBudget::new(budget);
    ranked
        .into_iter()
        .map(|ranked| ranked.pair)
        .filter(|&pair| greedy.take(pair))
        .collect()
}

/// The three lists candidates are ranked in, each with its own budget: anchors across languages
/// (where translations are), anchors within a language, and LSH bands (copies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Budget {
    /// Pairs of two languages or scripts that share anchors.
    AnchorsAcross,
    /// Pairs of one language and script that share anchors.
    AnchorsWithin,
    /// Pairs that share an LSH band.
    Bands,
}

impl Budget {
    /// The three, in a fixed order.
    pub const ALL: [Budget; 3] = [Budget::AnchorsAcross, Budget::AnchorsWithin, Budget::Bands];

    /// How many pairs of this list a document may be given: `candidates_per_document`, half of
    /// it for anchors within a language.
    pub fn size(self, candidates_per_document: usize) -> usize {
        match self {
            Budget::AnchorsWithin => candidates_per_document / 2,
            Budget::AnchorsAcross | Budget::Bands => candidates_per_document,
        }
    }
}

/// The summed shares (one entry a pair, in any order: as [`merge_shares`] and
/// [`merge_sorted_shares`] give them; read once, one pair at a time) ranked for the budgets:
/// each pair in at most one anchor list (within a language or across) and maybe the band list,
/// with its weight there. Anchors (which translations share) and LSH bands (which
/// same-language copies share) are weighed and ranked apart, so that similar-sounding texts
/// cannot crowd out translations. Each share comes with its pair's [`PairFacts`]
/// ([`with_pair_facts`]), so the budgets hold no document's facts.
pub fn ranked_candidates(
    shared: impl IntoIterator<Item = (u64, Shared, PairFacts)>,
) -> impl Iterator<Item = (Budget, RankedPair)> {
    shared.into_iter().flat_map(move |(key, s, facts)| {
        let ranked = |weight: u64| RankedPair {
            pair: unpack(key),
            weight,
            text_hashes: facts.text_hashes,
        };
        // A shape (paragraph count and headings, length profile) is too common to be a block in
        // a large corpus, but beside one rare shared name or number it is the second piece of
        // evidence.
        let anchored = s.anchors >= 2 || (s.anchors == 1 && facts.same_shape);
        let anchors = anchored.then(|| {
            let budget = if facts.same_language {
                Budget::AnchorsWithin
            } else {
                Budget::AnchorsAcross
            };
            (budget, ranked(s.anchor_weight))
        });
        let bands =
            (s.bands >= 1).then(|| (Budget::Bands, ranked(s.band_weight + s.anchor_weight)));
        anchors.into_iter().chain(bands)
    })
}

/// The summed shares each with its pair's [`PairFacts`], from every document's
/// [`CandidateFacts`] (`facts`, in corpus order).
pub fn with_pair_facts(
    facts: &[CandidateFacts],
    shared: impl IntoIterator<Item = (u64, Shared)>,
) -> impl Iterator<Item = (u64, Shared, PairFacts)> {
    shared.into_iter().map(move |(key, s)| {
        let (i, j) = unpack(key);
        (key, s, facts[i].pair_facts(&facts[j]))
    })
}

/// The pairs each list's budget keeps ([`within_budget`] of each list of `ranked`, with
/// [`Budget::size`] of `candidates_per_document`), each pair once, in order.
pub fn budget_ranked(
    ranked: impl IntoIterator<Item = (Budget, RankedPair)>,
    candidates_per_document: usize,
) -> Vec<(usize, usize)> {
    let mut lists: [Vec<RankedPair>; 3] = Default::default();
    for (budget, pair) in ranked {
        lists[budget as usize].push(pair);
    }
    let kept: Vec<(usize, usize)> = Budget::ALL
        .into_par_iter()
        .zip(lists)
        .flat_map_iter(|(budget, ranked)| {
            within_budget(ranked, budget.size(candidates_per_document))
        })
        .collect();
    candidate_set(kept)
}

/// The pairs the budgets kept, each once, in order (a pair may be kept by an anchor list and the
/// band list).
pub fn candidate_set(mut kept: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    kept.par_sort_unstable();
    kept.dedup();
    kept
}

/// The candidate pairs of the summed shares: [`ranked_candidates`] within their budgets
/// ([`budget_ranked`]). Each document is compared with a bounded number of others of each kind,
/// so the work grows linearly with the corpus, and same-topic articles in one language cannot
/// crowd out a translation.
pub fn budgeted_candidates(
    facts: &[CandidateFacts],
    shared: impl IntoIterator<Item = (u64, Shared)>,
    candidates_per_document: usize,
) -> Vec<(usize, usize)> {
    budget_ranked(
        ranked_candidates(with_pair_facts(facts, shared)),
        candidates_per_document,
    )
}

/// Pairs of documents that share a rare anchor or an LSH band, each pair once, in order; `skip`
/// leaves documents out, `wanted` says which pairs may be candidates at all. Blocking runs over
/// [`PARTITIONS`] partitions of the keys in parallel.
fn candidate_pairs(
    fingerprints: &[Fingerprint],
    skip: &[bool],
    config: &GroupConfig,
    wanted: impl Fn(usize, usize) -> bool + Sync,
) -> Vec<(usize, usize)> {
    let keys = corpus_blocking_keys(fingerprints, skip, config);
    let meet = may_meet(fingerprints, wanted);
    let partitions: Vec<Vec<(u64, Shared)>> = (0..PARTITIONS)
        .into_par_iter()
        .map(|partition| partition_shares(&keys, partition, PARTITIONS, &meet))
        .collect();
    drop(keys);
    let facts: Vec<CandidateFacts> = fingerprints
        .iter()
        .map(Fingerprint::candidate_facts)
        .collect();
    budgeted_candidates(
        &facts,
        merge_shares(partitions),
        config.candidates_per_document,
    )
}

/// The blocking keys of every document of a corpus, none for those `skip` leaves out. Sounds of
/// names tie a Japanese document to one in another script only, so they are not keys at all in a
/// corpus without Japanese.
fn corpus_blocking_keys(
    fingerprints: &[Fingerprint],
    skip: &[bool],
    config: &GroupConfig,
) -> Vec<Vec<BlockKey>> {
    let mut keys: Vec<Vec<BlockKey>> = fingerprints
        .par_iter()
        .map(|fingerprint| blocking_keys(fingerprint, true, config.bands))
        .collect();
    let scripts: Vec<DocumentScript> = fingerprints.iter().map(Fingerprint::script).collect();
    keep_corpus_keys(&mut keys, &scripts, skip);
    keys
}

/// Which pairs may meet in a block of a kind: those `wanted` says, and in a block of sounds or
/// opening steps only those [`kinds_meet`] allows.
fn may_meet(
    fingerprints: &[Fingerprint],
    wanted: impl Fn(usize, usize) -> bool,
) -> impl Fn(usize, usize, BlockKind) -> bool {
    move |i: usize, j: usize, kind: BlockKind| {
        wanted(i, j) && kinds_meet(kind, fingerprints[i].script, fingerprints[j].script)
    }
}

/// How many documents of the corpus carry each anchor, and how many different articles at least:
/// the most documents of one language that carry it (two documents in one language are two
/// articles, unless exact copies, which count once). An anchor that several articles of one
/// language carry (a site's name, its authors, the year of a series) is a template, not a sign
/// of one article.
pub struct AnchorFrequency {
    counts: HashMap<String, usize>,
    articles: HashMap<String, usize>,
    documents: usize,
}

/// The partition (of `partitions`) an anchor is counted in: a stable hash of the anchor.
pub fn anchor_partition(anchor: &str, partitions: usize) -> usize {
    (mix(stable_hash_of(anchor.as_bytes())) % partitions.max(1) as u64) as usize
}

/// Some of one document's anchors (those of one [`anchor_partition`]), with what tells its
/// article apart from another's: its language, script and text hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorCarrier {
    /// Hash of the whole original text (exact copies are one article).
    text_hash: u64,
    /// The document's language.
    language: Language,
    /// The script most of its letters are in.
    script: DocumentScript,
    /// Its anchors of the partition, in byte order.
    anchors: Vec<String>,
}

impl AnchorCarrier {
    /// Whether it carries no anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// How many documents of a corpus carry one anchor, and how many different articles at least
/// (0 when not counted: see [`AnchorFrequency`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorCount {
    /// The anchor.
    pub anchor: String,
    /// Documents that carry it.
    pub documents: usize,
    /// The most documents of one language and script, with distinct texts, that carry it (from
    /// two on; counted only in a corpus smaller than the reference size).
    pub articles: usize,
}

/// What [`tally_anchors`] reads of a document: its anchors, language, script and text hash.
trait CarriesAnchors {
    fn carried(&self) -> impl Iterator<Item = &str>;
    fn language_and_script(&self) -> (Language, DocumentScript);
    fn text_hash(&self) -> u64;
}

impl CarriesAnchors for Fingerprint {
    fn carried(&self) -> impl Iterator<Item = &str> {
        self.anchors.iter()
    }
    fn language_and_script(&self) -> (Language, DocumentScript) {
        (self.language, self.script)
    }
    fn text_hash(&self) -> u64 {
        self.text_hash
    }
}

impl CarriesAnchors for AnchorCarrier {
    fn carried(&self) -> impl Iterator<Item = &str> {
        self.anchors.iter().map(String::as_str)
    }
    fn language_and_script(&self) -> (Language, DocumentScript) {
        (self.language, self.script)
    }
    fn text_hash(&self) -> u64 {
        self.text_hash
    }
}

/// How many of `documents` carry each of their anchors (sounds of names only when the corpus
/// has Japanese), and for each anchor the most distinct texts of one language and script that
/// carry it, from two on, in a corpus of fewer than [`REFERENCE_DOCUMENTS`]
/// (`corpus_documents`, of which `documents` may be a part holding every carrier of its anchors).
fn tally_anchors<D: CarriesAnchors>(
    documents: &[D],
    corpus_documents: usize,
    any_japanese: bool,
) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let mut counts: HashMap<String, usize> = HashMap::default();
    for document in documents {
        // Opening steps are never scored by, so never counted.
        let counted = |a: &&str| (any_japanese || !is_sound(a)) && !is_opening_step(a);
        for anchor in document.carried().filter(counted) {
            *counts.entry(anchor.to_string()).or_insert(0) += 1;
        }
    }
    // Distinct texts per language and anchor (only anchors two documents carry can be shared).
    // From the reference size on, the corpus's own rates are what `surprisal` reads anyway.
    let mut per_language: HashMap<(&str, Language, DocumentScript), HashSet<u64>> =
        HashMap::default();
    let small = (corpus_documents as f64) < REFERENCE_DOCUMENTS;
    for document in documents.iter().filter(|_| small) {
        let (language, script) = document.language_and_script();
        for anchor in document.carried() {
            if counts.get(anchor).copied().unwrap_or(0) >= 2 {
                per_language
                    .entry((anchor, language, script))
                    .or_default()
                    .insert(document.text_hash());
            }
        }
    }
    let mut articles: HashMap<String, usize> = HashMap::default();
    for ((anchor, _, _), texts) in per_language {
        if texts.len() >= 2 {
            let most = articles.entry(anchor.to_string()).or_insert(0);
            *most = (*most).max(texts.len());
        }
    }
    (counts, articles)
}

/// In a corpus of fewer documents than this, how rare a shape is cannot be measured (every shape
/// looks rare, yet short articles share shapes all the time)…
const SHAPES_MEASURED_FROM: usize = 1_000;
/// …and a shared shape says at most this much per paragraph (natural-log units).
const SHAPE_NATS_PER_PARAGRAPH: f64 = 0.5;

/// Below this many documents, anchor frequencies are read as if from a corpus this large: a
/// handful of documents cannot tell a rare name from a common one.
const REFERENCE_DOCUMENTS: f64 = 10_000.0;

impl AnchorFrequency {
    /// Counts the anchors of a corpus.
    pub fn of(fingerprints: &[Fingerprint]) -> Self {
        // Sounds of names matter only where a Japanese document may meet another.
        let any_japanese = fingerprints.iter().any(Fingerprint::is_japanese);
        let (counts, articles) = tally_anchors(fingerprints, fingerprints.len(), any_japanese);
        Self {
            counts,
            articles,
            documents: fingerprints.len(),
        }
    }

    /// The counts of one partition of a corpus's anchors ([`anchor_partition`]), from every
    /// document's carrier of that partition ([`Fingerprint::anchor_carriers`]; those without
    /// anchors there may be left out), given how many documents the corpus holds and whether
    /// any is Japanese: what [`AnchorFrequency::of`] counts of these anchors, sorted by anchor.
    pub fn count_partition(
        carriers: &[AnchorCarrier],
        corpus_documents: usize,
        any_japanese: bool,
    ) -> Vec<AnchorCount> {
        let (counts, articles) = tally_anchors(carriers, corpus_documents, any_japanese);
        let mut counted: Vec<AnchorCount> = counts
            .into_iter()
            .map(|(anchor, documents)| AnchorCount {
                articles: articles.get(&anchor).copied().unwrap_or(0),
                anchor,
                documents,
            })
            .collect();
        counted.sort_unstable_by(|x, y| x.anchor.cmp(&y.anchor));
        counted
    }

    /// The frequencies of a corpus of `corpus_documents` documents from the counts of its
    /// partitions ([`AnchorFrequency::count_partition`]), or of some of their anchors: the same
    /// numbers [`AnchorFrequency::of`] gives for every anchor counted.
    pub fn from_counts(
        counts: impl IntoIterator<Item = AnchorCount>,
        corpus_documents: usize,
    ) -> Self {
        let mut frequency = Self {
            counts: HashMap::default(),
            articles: HashMap::default(),
            documents: corpus_documents,
        };
        for count in counts {
            if count.articles > 0 {
                frequency
                    .articles
                    .insert(count.anchor.clone(), count.articles);
            }
            frequency.counts.insert(count.anchor, count.documents);
        }
        frequency
    }

    /// How many documents carry `anchor`.
    fn documents(&self, anchor: &str) -> usize {
        self.counts.get(anchor).copied().unwrap_or(0)
    }

    fn population(&self) -> f64 {
        (self.documents as f64).max(REFERENCE_DOCUMENTS)
    }

    /// ln(1 / the share of documents that carry `anchor`): how surprising it is that a document
    /// carries it by chance.
    /// An anchor several articles of one language carry is read at the rate this corpus shows
    /// (that many articles of at most all its documents), however small the corpus.
    fn surprisal(&self, anchor: &str) -> f64 {
        let by_chance = (self.population() / self.documents(anchor).max(1) as f64).ln();
        match self.articles.get(anchor) {
            Some(&articles) => {
                by_chance.min((self.documents.max(articles) as f64 / articles as f64).ln())
            }
            None => by_chance,
        }
    }

    /// How far two documents sharing these anchors are beyond chance (natural-log units): the
    /// surprisal of the shared names and numbers, plus that of the rarest shared shape (shapes
    /// overlap, so only one counts; in a small corpus a shape of `paragraphs` paragraphs tells at
    /// most half that), less what the best of the corpus's documents, and of the ways to pick
    /// that many anchors out of the `carried` names and numbers, reaches by chance.
    fn significance(&self, shared: &[String], carried: usize, paragraphs: usize) -> f64 {
        let content: Vec<&String> = shared.iter().filter(|a| is_content(a)).collect();
        let shape = shared
            .iter()
            .filter(|a| is_shape(a))
            .map(|a| self.surprisal(a))
            .fold(0.0, f64::max);
        let shape = if self.documents < SHAPES_MEASURED_FROM {
            shape.min(SHAPE_NATS_PER_PARAGRAPH * paragraphs as f64)
        } else {
            shape
        };
        let surprisal: f64 = content.iter().map(|a| self.surprisal(a)).sum::<f64>() + shape;
        // ln C(carried, k): the chance of sharing some k of the names a document carries.
        let k = content.len().min(carried);
        let choices: f64 = (0..k)
            .map(|i| ((carried - i) as f64 / (i + 1) as f64).ln())
            .sum();
        surprisal - self.population().ln() - choices
    }

    /// How much a shared anchor proves: fully when at most three documents carry it (one article
    /// in a few versions), less the more carry it ("Johan", "Service", a company everybody names).
    fn rarity(&self, anchor: &str) -> f64 {
        let documents = self.documents(anchor).max(1) as f64;
        (3.0 / documents).min(1.0)
    }
}

/// The mean score of the one-to-one rows of a version cut short from which its missing end is
/// excused: the part it holds must pair well (a look-alike of another article pairs weakly).
const STRONG_HEAD: f64 = 0.4;

/// A version may hold as little as one part in this many of the other's paragraphs (a copy cut
/// short) and still be compared.
const SHORTEST_PART: usize = 4;

/// The paragraphs left unpaired by the last rows, when all are of one side (1-0 rows only, or
/// 0-1 rows only): what a version cut short lacks.
fn unpaired_tail(beads: &[Bead]) -> usize {
    let one_side = |bead: &&Bead| bead.b.is_empty();
    let other_side = |bead: &&Bead| bead.a.is_empty();
    let count =
        |rows: Vec<&Bead>| -> usize { rows.iter().map(|bead| bead.a.len() + bead.b.len()).sum() };
    count(beads.iter().rev().take_while(one_side).collect())
        .max(count(beads.iter().rev().take_while(other_side).collect()))
}

/// A translation keeps each paragraph's length to within about this much (natural log of the
/// length ratio, once the ratio of the two languages is taken out).
const PROFILE_SPREAD: f64 = 0.35;
/// The length profile counts from this many paragraphs paired one to one on: fewer match by
/// chance too often.
const PROFILE_PARAGRAPHS: usize = 8;
/// The length profile counts only when this share of the paragraphs pair well one to one (a
/// version cut short excused its missing end): different articles whose paragraphs pair only in
/// part can fit in length over the part that pairs (on the development set, up to 10 nats at
/// 0.53 of their paragraphs aligned).
const PROFILE_ALIGNED: f64 = 0.8;
/// What the best-matching unrelated candidates of a document reach by chance on the length
/// profile (natural-log units; on the development set, at most 6.4 between different articles
/// whose paragraphs all pair).
const PROFILE_CHANCE: f64 = 6.5;

/// How much better the paragraphs `head` pairs one to one fit the lengths of one text being a
/// translation of the other than chance (natural-log units): each pair's length ratio, less the
/// median ratio (the languages' characters per sentence), against a translation's spread
/// ([`PROFILE_SPREAD`]) and against the spread of lengths of the paragraphs of its kind (two
/// headings, or not) in the two texts: what pairing paragraphs at random would give. 0 with
/// fewer than [`PROFILE_PARAGRAPHS`] pairs.
fn profile_nats(a: &GroupInput, b: &GroupInput, head: &[Bead]) -> f64 {
    let length = |document: &GroupInput, k: usize| {
        let span = &document.segmented.paragraphs[k].span;
        let characters = document
            .text
            .get(span.start..span.end)
            .map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count());
        (characters.max(1) as f64).ln()
    };
    let pairs: Vec<(f64, f64, bool)> = head
        .iter()
        .filter(|bead| bead.a.len() == 1 && bead.b.len() == 1)
        .map(|bead| {
            let (i, j) = (bead.a[0], bead.b[0]);
            let headings = a.segmented.paragraphs[i].heading && b.segmented.paragraphs[j].heading;
            (length(a, i), length(b, j), headings)
        })
        .collect();
    if pairs.len() < PROFILE_PARAGRAPHS {
        return 0.0;
    }
    let mut ratios: Vec<f64> = pairs.iter().map(|(x, y, _)| x - y).collect();
    ratios.sort_unstable_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    let variance = |values: &mut dyn Iterator<Item = f64>| {
        let values: Vec<f64> = values.collect();
        if values.len() < 2 {
            return 0.0;
        }
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64
    };
    let chance_spread = |headings: bool| {
        let of_kind = || pairs.iter().filter(move |p| p.2 == headings);
        (variance(&mut of_kind().map(|p| p.0)) + variance(&mut of_kind().map(|p| p.1)))
            .sqrt()
            .max(PROFILE_SPREAD)
    };
    let spreads = [chance_spread(false), chance_spread(true)];
    pairs
        .iter()
        .map(|&(x, y, headings)| {
            let chance = spreads[usize::from(headings)];
            let r2 = (x - y - median).powi(2);
            (chance / PROFILE_SPREAD).ln() - r2 / (2.0 * PROFILE_SPREAD * PROFILE_SPREAD)
                + r2 / (2.0 * chance * chance)
        })
        .sum()
}

/// Scores one candidate pair: rare shared anchors, trigram similarity and alignment quality,
/// with the pair's evidence and paragraph beads (sentences are aligned only for the pairs that
/// tie a group: [`join_scored`]). `frequency` (when the whole corpus is known) discounts anchors many documents carry.
/// `None` when they cannot be versions of one article: their paragraph counts differ too much,
/// or even a perfect alignment would leave them below every line a decision draws for them.
pub fn score_pair(
    (a, fingerprint_a): (&GroupInput, &Fingerprint),
    (b, fingerprint_b): (&GroupInput, &Fingerprint),
    frequency: &AnchorFrequency,
    threshold: f64,
    cache: &ParagraphCache,
) -> Option<(f64, PairEvidence, Vec<Bead>)> {
    let (pa, pb) = (a.segmented.paragraphs.len(), b.segmented.paragraphs.len());
    // Versions of one article have comparable numbers of paragraphs, or one holds a good part
    // of the other (a copy cut short): otherwise skip the aligner.
    if pa.min(pb) * SHORTEST_PART < pa.max(pb) {
        return None;
    }
    // Sounds of names count between a Japanese document and another only, and only the
    // Japanese side's (katakana) count among the names it carries: the other's names are counted
    // by their own anchors already.
    let sounds = sounds_tie(fingerprint_a, fingerprint_b);
    let shared_anchors: Vec<String> = fingerprint_a
        .anchors
        .intersection(&fingerprint_b.anchors)
        .filter(|a| (sounds || !is_sound(a)) && !is_opening_step(a))
        .map(str::to_string)
        .collect();
    let similarity = sketch_similarity(&fingerprint_a.sketch, &fingerprint_b.sketch);
    let same_language = fingerprint_a.same_language(fingerprint_b);
    // Shared names and numbers, each counted by how rare it is in the corpus, against the fewer
    // that either version carries. Shape (paragraph count, headings, length profile) is not in
    // it: many short articles share a shape.
    let content = |fingerprint: &Fingerprint| {
        let sounds = sounds && fingerprint.script == DocumentScript::Japanese;
        fingerprint
            .anchors
            .iter()
            .filter(|a| is_content(a) && (sounds || !is_sound(a)))
            .count()
    };
    let shared_content: f64 = shared_anchors
        .iter()
        .filter(|a| is_content(a))
        .map(|a| frequency.rarity(a))
        .sum();
    let fewest = content(fingerprint_a).min(content(fingerprint_b)).max(1);
    let content_overlap = (shared_content / fewest as f64).min(1.0);
    let significance = frequency.significance(&shared_anchors, fewest, pa.min(pb));
    // Same language: the words themselves are the evidence, with aligned paragraphs that share
    // names and numbers. Across languages: the structure (paragraphs that align one to one),
    // times how certain it is that the names, numbers and shape both versions keep are no
    // coincidence (chance explains them with odds e^-significance; the square root of those odds
    // allows for anchors that are not independent); a long document's shape alone counts half.
    let score_with = |aligned: f64| {
        if same_language {
            similarity.max(0.5 * aligned * content_overlap + 0.5 * similarity)
        } else {
            let certainty = 1.0 - (-significance.max(0.0) / 2.0).exp();
            let length = pa.min(pb) as f64 / LONG_DOCUMENT_PARAGRAPHS;
            (aligned * certainty).max(aligned * 0.5 * length.min(1.0))
        }
    };
    // The score grows with the share of aligned paragraphs, which is at most 1: a pair that would
    // stay below every line drawn for it (a group's; across scripts, a join's support) even if
    // all its paragraphs aligned is not aligned at all. Most candidates are such pairs.
    let lowest_line = if fingerprint_a.script == fingerprint_b.script {
        threshold
    } else {
        CROSS_SCRIPT_SUPPORT.min(threshold)
    };
    if score_with(1.0) < lowest_line {
        return None;
    }
    let paragraphs = align_paragraphs_in_scripts(
        (a.text, a.segmented, fingerprint_a.script),
        (b.text, b.segmented, fingerprint_b.script),
        cache,
    );
    let good = paragraphs
        .iter()
        .filter(|bead| bead.a.len() == 1 && bead.b.len() == 1 && bead.score >= 0.1)
        .count();
    // A version cut short leaves the other's last paragraphs unpaired: they are what it lacks,
    // not a sign of another article, when what it holds pairs cleanly and well.
    let extra = unpaired_tail(&paragraphs);
    let head = &paragraphs[..paragraphs.len().saturating_sub(extra)];
    let head_pairs: Vec<f64> = head
        .iter()
        .filter(|bead| bead.a.len() == 1 && bead.b.len() == 1)
        .map(|bead| bead.score)
        .collect();
    let head_unpaired = head
        .iter()
        .filter(|b| b.a.is_empty() || b.b.is_empty())
        .count();
    let clean_head = !head_pairs.is_empty()
        && head_unpaired * 10 <= head.len()
        && head_pairs.iter().sum::<f64>() / head_pairs.len() as f64 >= STRONG_HEAD;
    let extra = if clean_head { extra } else { 0 };
    let aligned = 2.0 * good as f64 / (pa + pb - extra).max(1) as f64;
    // Between Chinese, Japanese or Korean and another script, where names and numbers may all be
    // gone (a Japanese version cut short), the lengths of the paragraphs that pair are evidence
    // of their own, beyond what the best of a document's unrelated candidates reach by chance.
    let profile = if lengths_tie(fingerprint_a.script, fingerprint_b.script)
        && !same_language
        && aligned >= PROFILE_ALIGNED
    {
        let beyond = profile_nats(a, b, head) - PROFILE_CHANCE;
        aligned * (1.0 - (-beyond.max(0.0) / 2.0).exp())
    } else {
        0.0
    };
    let score = score_with(aligned).max(profile);
    let evidence = PairEvidence {
        a: a.id.to_string(),
        b: b.id.to_string(),
        score: round4(score),
        shared_anchors,
        significance: round4(significance),
        trigram_similarity: round4(similarity),
        aligned_paragraphs: round4(aligned),
        paragraphs: [pa, pb],
    };
    Some((score, evidence, paragraphs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_budget_counts_in_bytes_or_words_as_a_plain_count_does() {
        use proptest::prelude::RngExt;
        // Pairs among 40 documents, many offered to the same few, in a fixed pseudo-random order.
        let mut rng = proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        );
        let pairs: Vec<(usize, usize)> = (0..20_000)
            .map(|_| (rng.random_range(0..40), rng.random_range(0..40)))
            .filter(|(i, j)| i != j)
            .collect();
        for budget in [1, 3, 254, 255, 256, 300] {
            let mut greedy = GreedyBudget::new(budget);
            let mut counts = std::collections::HashMap::new();
            for &(i, j) in &pairs {
                let room = |counts: &std::collections::HashMap<usize, usize>, d| {
                    counts.get(&d).copied().unwrap_or(0) < budget
                };
                let expected = room(&counts, i) && room(&counts, j);
                if expected {
                    *counts.entry(i).or_default() += 1;
                    *counts.entry(j).or_default() += 1;
                }
                assert_eq!(greedy.take((i, j)), expected, "budget {budget}");
            }
            assert!(counts.values().any(|&count| count == budget), "{budget}");
        }
    }

    /// A fingerprint of `anchors` (no sketch) in `language` and `script`, of text `text_hash`.
    fn fingerprint_of(
        anchors: &[String],
        language: &str,
        script: &str,
        text_hash: u64,
    ) -> Fingerprint {
        serde_json::from_value(serde_json::json!({
            "anchors": anchors,
            "sketch": [],
            "text_hash": text_hash,
            "language": language,
            "script": script,
        }))
        .unwrap()
    }

    /// `documents` fingerprints whose anchors repeat across documents, languages and copies
    /// (every fifth text is another's), with sounds of names, and one Japanese when asked.
    fn corpus(documents: usize, with_japanese: bool) -> Vec<Fingerprint> {
        let languages = [
            ("en", "latin"),
            ("sv", "latin"),
            ("ja", "japanese"),
            ("de", "latin"),
        ];
        (0..documents)
            .map(|d| {
                let anchors: Vec<String> = [
                    format!("#{}", 100 + d % 7),
                    format!("name{}", d % 13),
                    format!("~snd{}", d % 5),
                    format!("§{}:1", 3 + d % 4),
                    "common".to_string(),
                ]
                .into_iter()
                .chain((d % 3 == 0).then(|| format!("rare{d}")))
                .collect();
                let (language, script) = match d % 4 {
                    2 if !with_japanese => languages[0],
                    k => languages[k],
                };
                let text = if d % 5 == 4 { d as u64 - 1 } else { d as u64 };
                fingerprint_of(&anchors, language, script, text)
            })
            .collect()
    }

    #[test]
    fn a_densified_sketch_fills_every_bin_from_a_filled_one_the_same_way_in_every_document() {
        let empty = u64::MAX;
        let mut sparse = vec![empty; 64];
        sparse[3] = 30;
        sparse[40] = 400;
        let mut other = sparse.clone();
        other[40] = 401;
        densify(&mut sparse);
        densify(&mut other);
        assert!(sparse.iter().all(|&value| value == 30 || value == 400));
        // A bin filled from bin 3 agrees between the two, one filled from bin 40 does not.
        for (a, b) in sparse.iter().zip(&other) {
            assert_eq!(a == b, *a == 30);
        }
        let mut nothing = vec![empty; 64];
        densify(&mut nothing);
        assert!(nothing.iter().all(|&value| value == empty));
    }

    #[test]
    fn one_permutation_sketches_estimate_how_many_trigrams_two_texts_share() {
        let words: Vec<String> = (0..400).map(|i| format!("word{i}")).collect();
        let text = |range: std::ops::Range<usize>| words[range].join(" ");
        let segmented = Segmented::default();
        let sketch_of = |text: &str| {
            let document = GroupInput {
                id: "d",
                text,
                segmented: &segmented,
                language: Language::UNDETERMINED,
                restoration: None,
            };
            fingerprint(&document, &GroupConfig::default()).sketch
        };
        let whole = sketch_of(&text(0..400));
        // 398 trigrams against the 198 of the second half: a Jaccard similarity of 0.497.
        let half = sketch_of(&text(200..400));
        let similarity = sketch_similarity(&whole, &half);
        assert!((0.3..0.7).contains(&similarity), "{similarity}");
        assert_eq!(sketch_similarity(&whole, &sketch_of(&text(0..400))), 1.0);
        assert!(sketch_similarity(&whole, &sketch_of("entirely other words here and there")) < 0.1);
    }

    #[test]
    fn anchor_counts_by_partition_equal_the_corpus_wide_counts() {
        for (documents, with_japanese) in [(60, true), (60, false), (10_050, true)] {
            let fingerprints = corpus(documents, with_japanese);
            let whole = AnchorFrequency::of(&fingerprints);
            assert_eq!(whole.articles.is_empty(), documents >= 10_000);
            assert_eq!(whole.counts.contains_key("~snd1"), with_japanese);
            for partitions in [1, 3, 7] {
                let mut counts = Vec::new();
                for partition in 0..partitions {
                    let carriers: Vec<AnchorCarrier> = fingerprints
                        .iter()
                        .map(|f| f.anchor_carriers(partitions).swap_remove(partition))
                        .filter(|carrier| !carrier.is_empty())
                        .collect();
                    counts.extend(AnchorFrequency::count_partition(
                        &carriers,
                        documents,
                        with_japanese,
                    ));
                }
                let parts = AnchorFrequency::from_counts(counts, documents);
                assert_eq!(parts.counts, whole.counts, "{documents} at {partitions}");
                assert_eq!(
                    parts.articles, whole.articles,
                    "{documents} at {partitions}"
                );
                assert_eq!(parts.documents, whole.documents);
            }
        }
    }

    /// A text of one paragraph per length (in characters), and its paragraphs.
    fn paragraphs_of(lengths: &[usize]) -> (String, Vec<crate::segment::Paragraph>) {
        let mut text = String::new();
        let mut paragraphs = Vec::new();
        for &length in lengths {
            let start = text.len();
            text.push_str(&"x".repeat(length));
            paragraphs.push(crate::segment::Paragraph {
                span: crate::segment::Span {
                    start,
                    end: text.len(),
                },
                heading: false,
                boilerplate: false,
                sentences: Vec::new(),
                words: 1,
            });
            text.push_str("\n\n");
        }
        (text, paragraphs)
    }

    #[test]
    fn opening_steps_keep_both_ways_of_a_near_step_and_nothing_of_a_flat_opening() {
        let (text, paragraphs) = paragraphs_of(&[9, 28, 11, 46, 16, 65, 15, 91, 12, 4, 26]);
        assert_eq!(opening_steps(&text, &paragraphs), ["≈^ududududd"]);
        // 46 → 40 is near: up or down.
        let (text, paragraphs) = paragraphs_of(&[9, 28, 11, 46, 40, 65, 15, 91, 12, 4]);
        assert_eq!(
            opening_steps(&text, &paragraphs),
            ["≈^uduuududd", "≈^ududududd"]
        );
        let (text, paragraphs) = paragraphs_of(&[10, 11, 10, 11, 10, 40, 10, 40, 10, 40]);
        assert!(opening_steps(&text, &paragraphs).is_empty());
        let (text, paragraphs) = paragraphs_of(&[9, 28, 11, 46, 16, 65, 15, 91, 12]);
        assert!(opening_steps(&text, &paragraphs).is_empty(), "too short");
        assert!(is_shape("≈^udud") && is_opening_step("≈^udud") && !is_content("≈^udud"));
    }

    #[test]
    fn opening_steps_and_sounds_meet_in_the_scripts_they_tie() {
        use DocumentScript::{Cyrillic, Japanese, Latin};
        assert!(kinds_meet(BlockKind::Steps, Japanese, Latin));
        assert!(kinds_meet(
            BlockKind::Steps,
            Cyrillic,
            DocumentScript::Korean
        ));
        assert!(!kinds_meet(BlockKind::Steps, Cyrillic, Latin));
        assert!(!kinds_meet(BlockKind::Steps, Latin, Latin));
        assert!(kinds_meet(BlockKind::Sound, Japanese, Cyrillic));
        assert!(!kinds_meet(BlockKind::Sound, Cyrillic, Latin));
        assert!(kinds_meet(BlockKind::Anchor, Latin, Latin));
        let mut keys = vec![
            vec![BlockKey {
                kind: BlockKind::Steps,
                hash: 1,
            }];
            2
        ];
        keep_corpus_keys(&mut keys, &[Cyrillic, Latin], &[false, false]);
        assert!(keys.iter().all(Vec::is_empty), "no CJK: no steps");
        let mut kept = vec![keys[0].clone(); 2];
        kept[0].push(BlockKey {
            kind: BlockKind::Steps,
            hash: 1,
        });
        kept[1] = kept[0].clone();
        keep_corpus_keys(&mut kept, &[Japanese, Latin], &[false, false]);
        assert!(kept.iter().all(|k| k.len() == 1));
    }

    #[test]
    fn candidate_facts_keep_what_the_budgets_read() {
        let shapes = ["§4:0".to_string(), "≈hsml".to_string(), "#123".to_string()];
        let a = fingerprint_of(&shapes, "en", "latin", 1);
        let b = fingerprint_of(&shapes[1..], "sv", "latin", 2);
        let (fa, fb) = (a.candidate_facts(), b.candidate_facts());
        assert_eq!(fa.shapes, ["§4:0", "≈hsml"]);
        assert!(fa.same_shape(&fb));
        assert_eq!(fa.same_language(&fb), a.same_language(&b));
        assert!(fa.same_language(&a.candidate_facts()));
    }

    /// The exact copies decided partition by partition, and the shares of each blocking
    /// partition from only its documents, are those of the whole corpus.
    mod partitioned {
        use super::super::*;
        use proptest::prelude::*;

        proptest::proptest! {
            #[test]
            fn copies_by_partition_are_the_corpus_copies(
                // Few hashes, so that copies and collisions (same first hash, other text) abound.
                hashes in proptest::collection::vec((0u64..6, 0u64..3), 0..60),
                partitions in 1usize..5,
            ) {
                let group_hashes: Vec<u64> = hashes.iter().map(|h| h.0).collect();
                let whole = exact_copies_by(&group_hashes, |first, index| {
                    hashes[first].1 == hashes[index].1
                });
                let mut by_partition: Vec<Vec<(usize, u64, u64)>> = vec![Vec::new(); partitions];
                // Given in reverse order: the order they come in does not matter.
                for (index, &(group_hash, text_hash)) in hashes.iter().enumerate().rev() {
                    by_partition[copies_partition(group_hash, partitions)]
                        .push((index, group_hash, text_hash));
                }
                let mut copy_of = vec![None; hashes.len()];
                for documents in by_partition {
                    let copies = partition_copies(documents);
                    prop_assert!(copies.windows(2).all(|w| w[0].0 < w[1].0));
                    for (copy, first) in copies {
                        copy_of[copy] = Some(first);
                    }
                }
                prop_assert_eq!(copy_of, whole);
            }

            #[test]
            fn shares_of_the_partition_documents_are_the_corpus_shares(
                documents in proptest::collection::vec(
                    (
                        0usize..4,
                        proptest::bool::weighted(0.2),
                        proptest::collection::vec((0usize..4, 0u64..12), 0..6),
                    ),
                    0..40,
                ),
                partitions in 1usize..4,
            ) {
                const SCRIPTS: [DocumentScript; 4] = [
                    DocumentScript::Latin,
                    DocumentScript::Cyrillic,
                    DocumentScript::Japanese,
                    DocumentScript::Chinese,
                ];
                const KINDS: [BlockKind; 4] =
                    [BlockKind::Anchor, BlockKind::Band, BlockKind::Sound, BlockKind::Steps];
                let scripts: Vec<DocumentScript> =
                    documents.iter().map(|d| SCRIPTS[d.0]).collect();
                // One shape each, shared by documents of the same script.
                let facts: Vec<CandidateFacts> = (0..documents.len())
                    .map(|index| CandidateFacts {
                        text_hash: index as u64,
                        language: if index % 2 == 0 {
                            Language::ENGLISH
                        } else {
                            Language::UNDETERMINED
                        },
                        script: scripts[index],
                        shapes: vec![format!("§{}", documents[index].0)],
                    })
                    .collect();
                let skip: Vec<bool> = documents.iter().map(|d| d.1).collect();
                let keys: Vec<Vec<BlockKey>> = documents
                    .iter()
                    .map(|d| {
                        d.2.iter()
                            .map(|&(kind, hash)| BlockKey { kind: KINDS[kind], hash })
                            .collect()
                    })
                    .collect();
                for partition in 0..partitions {
                    // The corpus-sized way: every document's keys, scripts and copy flags.
                    let mut dense = keys.clone();
                    keep_corpus_keys(&mut dense, &scripts, &skip);
                    let meet = |i: usize, j: usize, kind: BlockKind| {
                        kinds_meet(kind, scripts[i], scripts[j])
                    };
                    let whole = partition_shares(&dense, partition, partitions, meet);
                    // Only the documents with keys in the partition, in reverse order, and only
                    // the distinct scripts of the corpus.
                    let present: Vec<KeyedDocument> = (0..documents.len())
                        .rev()
                        .filter_map(|index| {
                            let keys: Vec<BlockKey> = keys[index]
                                .iter()
                                .filter(|key| key.partition(partitions) == partition)
                                .copied()
                                .collect();
                            (!keys.is_empty()).then(|| KeyedDocument {
                                index,
                                facts: facts[index].clone(),
                                copy: skip[index],
                                keys,
                            })
                        })
                        .collect();
                    let distinct: BTreeSet<DocumentScript> = scripts.iter().copied().collect();
                    let distinct: Vec<DocumentScript> = distinct.into_iter().collect();
                    let sparse = keyed_partition_share(present, &distinct, partition, partitions);
                    prop_assert_eq!(
                        sparse.iter().map(|&(pair, shared, _)| (pair, shared)).collect::<Vec<_>>(),
                        whole
                    );
                    // Each pair's facts are those of its two documents, the first one first.
                    for (pair, _, pair_facts) in sparse {
                        let (i, j) = unpack(pair);
                        prop_assert_eq!(pair_facts, facts[i].pair_facts(&facts[j]));
                    }
                }
            }
        }
    }
}
