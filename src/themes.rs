//! Themes: which benefits of mentorship each document states, where exactly, and which benefits
//! recur across distinct articles.
//!
//! The document stage ([`ThemeMatcher::extract_themes`]) cuts a document into statements (headings,
//! list items and `Label: text` lines, sentences; never boilerplate), stems each statement in its
//! paragraph's language (Snowball) and scores it against the cue lexicon (`themes/cues.tsv`): every
//! distinct cue found adds its weight to its theme. A statement whose score for a theme reaches
//! `statement_threshold` is evidence; a document states a theme when its evidence, weighted by kind
//! (headings and list items count 1.5, sentences 1), reaches `document_threshold`. Spun English is
//! matched on its restored text (the normaliser's edits) while evidence keeps the original offsets.
//!
//! The corpus stage ([`summarise`]) counts distinct articles (a translation or duplicate group counts
//! once), marks recurring themes, lists lexicon gaps (a theme found in one version of an article and
//! not in another) and hands the benefit statements no theme explains to discovery ([`DiscoveredTheme`]).

mod discover;

pub use discover::{
    ArticleKeyUse, BeadSide, ClusterBuilder, ClusterMembers, DiscoveredTheme, DiscoveryRecords,
    DiscoveryStore, GroupRecords, HeldDiscovery, KeyUse, MemberStatement, NO_GROUP, SeedIndex,
    SeedKey, SeedUse, bead_sides, clusters, key_uses, seed_keys, seeds_in_order,
    unexplained_languages,
};

use crate::align::group::Group;
use crate::datafile::{DataFileError, numbered_rows, read_user_file};
use crate::lang::DocumentLanguages;
use crate::lang::Language;
use crate::normalize::Restoration;
use crate::segment::{Paragraph, Span};
use crate::text::{self, Script, tokens::split_elision};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use snowball_stemmers_rs::{Algorithm, Stemmer};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

const TAXONOMY_TSV: &str = include_str!("themes/taxonomy.tsv");
const CUES_TSV: &str = include_str!("themes/cues.tsv");

/// The most a single statement contributes to one theme, so one cue-dense sentence cannot carry a
/// document alone.
const STATEMENT_SCORE_CAP: f64 = 2.0;
/// How much more a heading or list item counts than a body sentence.
const ITEM_WEIGHT: f64 = 1.5;
/// At most this many statements are quoted as evidence per document and theme: the strongest.
const MAX_CITED: usize = 3;
/// A statement is quoted only when its weighted score is at least this share of the best one's.
const CITE_RATIO: f64 = 0.75;
/// The weight of a cue that names its theme on its own.
const NAMING_WEIGHT: f64 = 1.0;
/// The longest cue, in tokens (a Chinese or Japanese character is one).
const MAX_CUE_WORDS: usize = 12;
/// At most this many tokens may stand between two words of a phrase cue.
const PHRASE_GAP: usize = 2;

/// Settings of the theme stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeConfig {
    /// Extra taxonomy (TSV: id, label, definition, kram); a row with an existing id replaces it.
    pub taxonomy: Option<PathBuf>,
    /// Whether the built-in taxonomy is read before `taxonomy`. When false, `taxonomy` is the whole
    /// taxonomy and built-in cues of themes outside it are dropped.
    pub default_taxonomy: bool,
    /// Extra cues (TSV: language, theme, cue, weight, reason), added to the built-in ones.
    pub cues: Option<PathBuf>,
    /// Thresholds that decide evidence and document themes.
    pub thresholds: Thresholds,
    /// A theme recurs when at least this many distinct articles state it.
    pub recurring_min_articles: usize,
}

/// The decisions of the theme stage. `statement` and `document` are chosen by leaving one language
/// out at a time on the team's development set of real articles (see `tests/it/themes_eval.rs`), not
/// by fitting all of it; `spun_document` on the seed corpus, whose spun article is the only spun
/// text with gold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// A statement is evidence for a theme when its cue score reaches this.
    pub statement: f64,
    /// A document states a theme when its kind-weighted evidence reaches this.
    pub document: f64,
    /// A document the normaliser finds spun states a theme when its evidence reaches this: a
    /// spinner's synonyms make a single cue weaker evidence.
    pub spun_document: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            statement: 1.0,
            document: 1.0,
            spun_document: 3.5,
        }
    }
}

impl Default for ThemeConfig {
    fn default() -> Self {
        Self {
            taxonomy: None,
            default_taxonomy: true,
            cues: None,
            thresholds: Thresholds::default(),
            recurring_min_articles: 2,
        }
    }
}

/// One theme of the taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Theme {
    /// Stable id, e.g. `outside_perspective`.
    pub id: String,
    /// Short label for people.
    pub label: String,
    /// What counts as the theme.
    pub definition: String,
    /// Its place among Kram's mentoring functions.
    pub kram: String,
}

/// What kind of statement a piece of evidence is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// A heading paragraph.
    Heading,
    /// The first sentence of a bulleted or numbered item, or the label line of `Label: text`.
    ListItem,
    /// A body sentence.
    Sentence,
}

impl StatementKind {
    fn weight(self) -> f64 {
        match self {
            Self::Heading | Self::ListItem => ITEM_WEIGHT,
            Self::Sentence => 1.0,
        }
    }
}

/// One statement of a document: a heading, list item or sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Paragraph index.
    pub paragraph: usize,
    /// Byte span in the original text.
    pub span: Span,
    /// Heading, list item or sentence.
    pub kind: StatementKind,
    /// The language its cues were matched in.
    pub language: Language,
    /// It names a benefit ("benefits", "reasons", "fördelar") or follows an intro that does.
    pub benefit: bool,
    /// Discovery keys of its content words (no function words, no domain words; see
    /// `discovery_key`), for benefit statements and statements that state a theme (discovery's
    /// background), else empty; shared with the matcher's word memo, so a long document's
    /// statements do not each copy them.
    pub key_stems: Box<[Arc<str>]>,
    /// The statement index of the heading whose section this statement is in.
    pub section: Option<usize>,
}

/// A statement's cue score for one theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThemeHit {
    /// Index into the taxonomy.
    pub theme: u16,
    /// Index into the document's statements.
    pub statement: u32,
    /// Sum of the weights of the distinct cues found.
    pub score: f32,
    /// The weight of the strongest of them: a sentence is quoted only when a cue that names the
    /// theme (weight 1) is in it, not on supporting words alone.
    pub strongest: f32,
}

impl ThemeHit {
    /// The taxonomy index of its theme.
    pub(crate) fn theme_index(&self) -> usize {
        usize::from(self.theme)
    }

    /// The index of its statement.
    pub(crate) fn statement_index(&self) -> usize {
        self.statement as usize
    }
}

/// What the theme stage found in one document, before any threshold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentThemes {
    /// Its statements that matter, in text order: those with a theme score at or above the
    /// statement threshold, headings, and benefit statements (the input of discovery).
    pub statements: Vec<Statement>,
    /// Every theme score at or above the statement threshold.
    pub hits: Vec<ThemeHit>,
    /// The normaliser found the document spun: `spun_document` decides its themes.
    pub spun: bool,
}

/// A theme a document states, with the hits that are its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentTheme {
    /// Index into the taxonomy.
    pub theme: usize,
    /// Kind-weighted evidence score.
    pub score: f64,
    /// Every hit that reached the statement threshold, in text order.
    pub evidence: Vec<ThemeHit>,
    /// The strongest of them, quoted in the report, in text order.
    pub cited: Vec<ThemeHit>,
}

impl DocumentThemes {
    /// The themes this document states under `thresholds`, in taxonomy order.
    pub fn decide(&self, thresholds: &Thresholds) -> Vec<DocumentTheme> {
        let mut by_theme: BTreeMap<usize, DocumentTheme> = BTreeMap::new();
        for hit in self
            .hits
            .iter()
            .filter(|h| f64::from(h.score) >= thresholds.statement)
        {
            let kind = self.statements[hit.statement_index()].kind;
            let entry = by_theme
                .entry(hit.theme_index())
                .or_insert_with(|| DocumentTheme {
                    theme: hit.theme_index(),
                    score: 0.0,
                    evidence: Vec::new(),
                    cited: Vec::new(),
                });
            entry.score += f64::from(hit.score).min(STATEMENT_SCORE_CAP) * kind.weight();
            entry.evidence.push(*hit);
        }
        let weighted = |hit: &ThemeHit| {
            f64::from(hit.score).min(STATEMENT_SCORE_CAP)
                * self.statements[hit.statement_index()].kind.weight()
        };
        let document_threshold = if self.spun {
            thresholds.spun_document
        } else {
            thresholds.document
        };
        by_theme
            .into_values()
            .filter(|theme| theme.score >= document_threshold)
            .map(|mut theme| {
                let mut ranked = theme.evidence.clone();
                ranked.sort_by(|a, b| {
                    weighted(b)
                        .total_cmp(&weighted(a))
                        .then(a.statement.cmp(&b.statement))
                });
                let best = ranked.first().map_or(0.0, weighted);

                // Articles state a benefit in a heading and explain it below: when headings state
                // the theme, body sentences are quoted from their sections only.
                let headed: FxHashSet<usize> = theme
                    .evidence
                    .iter()
                    .filter(|hit| {
                        self.statements[hit.statement_index()].kind == StatementKind::Heading
                    })
                    .map(ThemeHit::statement_index)
                    .collect();
                ranked.retain(|hit| {
                    let statement = &self.statements[hit.statement_index()];
                    let quotable = match statement.kind {
                        StatementKind::Heading | StatementKind::ListItem => true,
                        StatementKind::Sentence => {
                            f64::from(hit.strongest) >= NAMING_WEIGHT
                                && (headed.is_empty()
                                    || statement.section.is_some_and(|s| headed.contains(&s)))
                        }
                    };
                    quotable && weighted(hit) >= CITE_RATIO * best
                });
                ranked.truncate(MAX_CITED);
                ranked.sort_by_key(|hit| hit.statement);
                theme.cited = ranked;
                theme
            })
            // A theme is stated only where something names it: weak supporting words alone, however
            // many, do not make a claim.
            .filter(|theme| !theme.cited.is_empty())
            .collect()
    }

    /// Statements that name a benefit (or are headings/list items under a benefit intro) and reach
    /// no theme: the input of discovery.
    pub(crate) fn unexplained_statements(&self, thresholds: &Thresholds) -> Vec<usize> {
        let explained: FxHashSet<usize> = self
            .hits
            .iter()
            .filter(|h| f64::from(h.score) >= thresholds.statement)
            .map(ThemeHit::statement_index)
            .collect();
        (0..self.statements.len())
            .filter(|i| self.statements[*i].benefit && !explained.contains(i))
            .collect()
    }
}

/// One word of a cue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum WordPattern {
    /// Matches tokens with this stem (an id into the language's stem table).
    Stem(u32),
    /// Matches lowercase tokens that start with this.
    Prefix(String),
}

/// What a cue points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum CueTarget {
    Theme(u16),
    /// A benefit-statement marker.
    Benefit,
    /// A domain word: never a key stem.
    Domain,
    /// A topic word: a document that has none states no theme.
    Topic,
    /// Page furniture (reading time, ads, subscribe buttons, related links): a statement with it
    /// never feeds discovery.
    Furniture,
    /// A word naming drawbacks: a heading with it opens a section whose statements are not benefits.
    Drawback,
}

#[derive(Debug, Clone)]
struct Cue {
    words: Vec<WordPattern>,
    /// Per word, how many tokens may stand before it: `PHRASE_GAP` between written words, none
    /// between the tokens of one written word (the characters of 新视角, the parts of self-worth).
    gaps: Vec<u8>,
    target: CueTarget,
    weight: f32,
}

/// A lowercase token, the id of its stem when a cue word has that stem, and the cues that can start
/// at it.
#[derive(Clone, Copy)]
struct Token<'a> {
    lower: &'a str,
    stem: Option<u32>,
    starts: &'a [u32],
    /// Its key stem for discovery, if it is a content word.
    key_stem: Option<&'a Arc<str>>,
}

/// What matching needs to know about one distinct lowercase word.
#[derive(Debug, Default)]
struct WordInfo {
    /// The id of its stem, when some cue word has that stem.
    stem: Option<u32>,
    /// The cues whose first word matches it.
    starts: Vec<u32>,
    /// Its key stem for discovery (`LanguageCues::key_stem`), looked up once per word.
    key_stem: Option<Arc<str>>,
}

/// The token positions a matched cue covers.
#[derive(Clone, Copy)]
struct CuePositions {
    positions: [usize; MAX_CUE_WORDS],
    len: usize,
}

impl CuePositions {
    fn as_slice(&self) -> &[usize] {
        &self.positions[..self.len]
    }
}

/// The words seen so far, each looked up (stemmed, matched against first cue words) once per
/// thread, not once per occurrence.
#[derive(Default)]
struct StemMemo {
    /// The index of each word in `words`.
    index: FxHashMap<String, u32>,
    words: Vec<WordInfo>,
}

/// A memo holds at most this many words; then it starts again (memory stays bounded on huge
/// vocabularies; the memo is a cache, so results do not change).
const MEMO_MAX_WORDS: usize = 200_000;

/// Per language, the stem memo of one thread.
type StemMemos = FxHashMap<Language, StemMemo>;

/// The cues of one language, indexed by their first word.
struct LanguageCues {
    stemmer: Option<Stemmer>,
    cues: Vec<Cue>,
    /// The index of each cue by its target and words, so a cue written twice (two spellings with
    /// one stem) is found without a search.
    cue_index: FxHashMap<(CueTarget, Vec<WordPattern>, Vec<u8>), usize>,
    /// First three characters of every stem pattern (and of the word it was written as): a token
    /// whose first three characters are not here cannot match a stem pattern, so it is not stemmed.
    stem_keys: FxHashSet<String>,
    /// Every stem a cue word has, with its id.
    stem_ids: FxHashMap<String, u32>,
    first_stem: FxHashMap<u32, Vec<usize>>,
    /// Prefix patterns that start a cue, keyed by their first three characters.
    first_prefix: FxHashMap<String, Vec<usize>>,
    /// Prefix patterns of two characters (Korean nouns) that start a cue, keyed by themselves.
    first_short_prefix: FxHashMap<String, Vec<usize>>,
    /// Function words (stop-words crate), domain words and theme cue stems: never key stems.
    stop_words: FxHashSet<String>,
    /// Function words alone (stop-words crate): in a phrase cue they stand next to their
    /// neighbours ("for the mentor" does not read "for a talk with the mentor").
    function_words: FxHashSet<String>,
    /// Prefix patterns of domain and theme cues: tokens starting with one are never key stems.
    stop_prefixes: Vec<String>,
    /// Words that say a paragraph is about the corpus's topic (`@topic` cues): lowercase, and
    /// whether only the whole word counts (else it is a prefix, `mentor*`).
    topic: Vec<(String, bool)>,
}

/// The built theme stage: taxonomy, stemmers and cue indexes, shared by all threads.
pub struct ThemeMatcher {
    /// Each worker thread's stem memos: they belong to this matcher, whose cue set numbers the
    /// stems, so two matchers never share one.
    memos: thread_local::ThreadLocal<std::cell::RefCell<StemMemos>>,
    themes: Vec<Theme>,
    languages: FxHashMap<Language, LanguageCues>,
    thresholds: Thresholds,
    recurring_min_articles: usize,
}

impl std::fmt::Debug for ThemeMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThemeMatcher")
            .field("themes", &self.themes.len())
            .field("languages", &self.languages.len())
            .finish()
    }
}

/// Whether a letter or digit next to a topic word makes it part of a longer word. Scripts written
/// without spaces (Chinese, Japanese, Thai) put no boundary between words: a character of theirs
/// beside a topic word (的导师, よきメンターは) is another word, as the tokenizer treats it.
fn joins_word(c: char) -> bool {
    c.is_alphanumeric() && !text::tokens::script_of(c).is_some_and(Script::is_unspaced)
}

/// How many letters of a folded stem make its discovery key.
const KEY_LETTERS: usize = 5;

/// The discovery key of a stem: a Latin or Cyrillic stem transliterated to ASCII letters (without
/// diacritics) and cut to its first [`KEY_LETTERS`], so that cognates and loan words of several
/// languages meet (French `confianc`, Spanish `confianz` and English `confid` are all `confi`;
/// Russian `потенциа` and Danish `potential` are `poten`); other scripts as they are.
pub(crate) fn discovery_key(stem: String) -> String {
    let foldable = stem
        .chars()
        .all(|c| u32::from(c) < 0x0250 || matches!(u32::from(c), 0x0400..=0x04FF));
    if !foldable {
        return stem;
    }
    let mut folded = if stem.is_ascii() {
        stem
    } else {
        deunicode::deunicode(&stem).to_lowercase()
    };
    folded.retain(|c| c.is_ascii_alphabetic());
    folded.truncate(KEY_LETTERS);
    folded
}

/// Whether a word is written in Hangul syllables only.
fn is_hangul(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| matches!(u32::from(c), 0xAC00..=0xD7A3))
}

/// The first three characters of a word (the whole word when shorter): the key of the cue indexes.
fn key3(word: &str) -> &str {
    let end = word.char_indices().nth(3).map_or(word.len(), |(i, _)| i);
    &word[..end]
}

/// The Snowball stemmer of an ISO 639-1 code, if there is one.
fn stemmer_for(language: Language) -> Option<Stemmer> {
    let algorithm = match language.code() {
        "en" => Algorithm::English,
        "sv" => Algorithm::Swedish,
        "pl" => Algorithm::Polish,
        "de" => Algorithm::German,
        "fr" => Algorithm::French,
        "es" => Algorithm::Spanish,
        "da" => Algorithm::Danish,
        "nb" | "nn" | "no" => Algorithm::Norwegian,
        "nl" => Algorithm::Dutch,
        "it" => Algorithm::Italian,
        "pt" => Algorithm::Portuguese,
        "fi" => Algorithm::Finnish,
        "cs" => Algorithm::Czech,
        "ru" => Algorithm::Russian,
        "uk" => Algorithm::Ukrainian,
        "tr" => Algorithm::Turkish,
        "ro" => Algorithm::Romanian,
        "hu" => Algorithm::Hungarian,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

impl LanguageCues {
    fn new(language: Language) -> Self {
        let function_words: FxHashSet<String> = stop_words::lookup(language.code())
            .map(|list| list.iter().map(|w| w.to_lowercase()).collect())
            .unwrap_or_default();
        Self {
            stemmer: stemmer_for(language),
            cues: Vec::new(),
            cue_index: FxHashMap::default(),
            stem_keys: FxHashSet::default(),
            stem_ids: FxHashMap::default(),
            first_stem: FxHashMap::default(),
            first_prefix: FxHashMap::default(),
            first_short_prefix: FxHashMap::default(),
            stop_words: function_words.clone(),
            function_words,
            stop_prefixes: Vec::new(),
            topic: Vec::new(),
        }
    }

    fn stem(&self, lower: &str) -> String {
        match &self.stemmer {
            Some(stemmer) => stemmer.stem(lower).into_owned(),
            None => lower.to_string(),
        }
    }

    fn add(&mut self, cue_text: &str, target: CueTarget, weight: f32) -> Result<(), String> {
        if target == CueTarget::Topic {
            let word = cue_text.trim();
            if word.split_whitespace().count() != 1 {
                return Err(format!("topic cue `{cue_text}` must be one word"));
            }
            self.topic.push(match word.strip_suffix('*') {
                Some(prefix) => (prefix.to_lowercase(), false),
                None => (word.to_lowercase(), true),
            });
            return Ok(());
        }
        let mut words = Vec::new();
        let mut gaps = Vec::new();
        let mut function = Vec::new();
        let mut stems = Vec::new();
        for word in cue_text.split_whitespace() {
            if let Some(prefix) = word.strip_suffix('*') {
                let prefix = prefix.to_lowercase();
                let shortest = if is_hangul(&prefix) { 2 } else { 3 };
                if prefix.chars().count() < shortest {
                    return Err(format!(
                        "prefix `{word}` is shorter than {shortest} letters; write whole words instead"
                    ));
                }
                gaps.push(PHRASE_GAP as u8);
                function.push(false);
                words.push(WordPattern::Prefix(prefix));
            } else {
                // A hyphenated word is several tokens ("self-worth" → self, worth), and so is a
                // Chinese or Japanese word (one token per Han character or kana): they must stand
                // side by side.
                for (n, part) in text::tokens::character_pieces(word).enumerate() {
                    gaps.push(if n == 0 { PHRASE_GAP as u8 } else { 0 });
                    let lower = part.to_lowercase();
                    function.push(self.function_words.contains(&lower));
                    // A Korean word carries its particles (시각을, 시각이): the written noun is a
                    // prefix of the word as it stands in a sentence.
                    if lower.chars().count() >= 2 && is_hangul(&lower) {
                        words.push(WordPattern::Prefix(lower));
                        continue;
                    }
                    let stem = self.stem(&lower);
                    self.stem_keys.insert(key3(&lower).to_string());
                    self.stem_keys.insert(key3(&stem).to_string());
                    let next_id = self.stem_ids.len() as u32;
                    let id = *self.stem_ids.entry(stem.clone()).or_insert(next_id);
                    words.push(WordPattern::Stem(id));
                    stems.push(stem);
                }
            }
        }
        // A function word holds on to its neighbours: no gap before or after it.
        for n in 1..gaps.len() {
            if function[n] || function[n - 1] {
                gaps[n] = 0;
            }
        }
        if let Some(&existing) = self.cue_index.get(&(target, words.clone(), gaps.clone())) {
            // Two spellings with one stem ("industry", "industries"): one cue, the higher weight.
            let existing = &mut self.cues[existing];
            existing.weight = existing.weight.max(weight);
            return Ok(());
        }
        let Some(first) = words.first() else {
            return Err("empty cue".to_string());
        };
        if words.len() > MAX_CUE_WORDS {
            return Err(format!("a cue has at most {MAX_CUE_WORDS} words"));
        }
        let index = self.cues.len();
        match first {
            WordPattern::Stem(id) => self.first_stem.entry(*id).or_default().push(index),
            WordPattern::Prefix(prefix) if prefix.chars().count() < 3 => self
                .first_short_prefix
                .entry(prefix.clone())
                .or_default()
                .push(index),
            WordPattern::Prefix(prefix) => self
                .first_prefix
                .entry(key3(prefix).to_string())
                .or_default()
                .push(index),
        }
        // Discovery looks for benefits outside the taxonomy: words that already name a theme, and
        // domain words, are not key stems.
        if target != CueTarget::Benefit && words.len() == 1 {
            match &words[0] {
                WordPattern::Stem(_) => self.stop_words.extend(stems),
                WordPattern::Prefix(prefix) => self.stop_prefixes.push(prefix.clone()),
            }
        }
        self.cue_index
            .insert((target, words.clone(), gaps.clone()), index);
        self.cues.push(Cue {
            words,
            gaps,
            target,
            weight,
        });
        Ok(())
    }

    /// Lowercases the words of `text` into `buffer` and returns their byte ranges in it. An
    /// elided article or pronoun is its own word, as in French and Italian ("l’expertise" is
    /// "l" and "expertise", so the cue `expertise` reads it).
    fn lowercase_words(text: &str, buffer: &mut String) -> Vec<std::ops::Range<usize>> {
        buffer.clear();
        text::tokens::character_pieces(text)
            .flat_map(split_elision)
            .map(|word| {
                let start = buffer.len();
                if word.is_ascii() {
                    buffer.extend(word.chars().map(|c| c.to_ascii_lowercase()));
                } else {
                    buffer.extend(word.chars().flat_map(char::to_lowercase));
                }
                start..buffer.len()
            })
            .collect()
    }

    /// Looks a lowercase word up: its stem id and the cues that can start at it.
    fn word_info(&self, lower: &str) -> WordInfo {
        let stem = if self.stem_keys.contains(key3(lower)) {
            self.stem_ids.get(&self.stem(lower)).copied()
        } else {
            None
        };
        let by_stem = stem
            .and_then(|id| self.first_stem.get(&id))
            .into_iter()
            .flatten();
        let short_key = if self.first_short_prefix.is_empty() {
            None
        } else {
            let mut ends = lower.char_indices().map(|(i, c)| i + c.len_utf8());
            ends.nth(1).map(|end| &lower[..end])
        };
        let by_short_prefix = short_key
            .and_then(|key| self.first_short_prefix.get(key))
            .into_iter()
            .flatten();
        let by_prefix = self
            .first_prefix
            .get(key3(lower))
            .into_iter()
            .flatten()
            .chain(by_short_prefix)
            .filter(|c| matches!(&self.cues[**c].words[0], WordPattern::Prefix(p) if lower.starts_with(p.as_str())));
        let mut starts: Vec<u32> = by_stem.chain(by_prefix).map(|&c| c as u32).collect();
        starts.sort_unstable();
        starts.dedup();
        WordInfo {
            stem,
            starts,
            key_stem: self.key_stem(lower).map(Arc::from),
        }
    }

    /// The tokens of a lowercased text. Fills `memo` with the words it has not seen, then reads it.
    fn tokens<'a>(
        &self,
        buffer: &'a str,
        ranges: &[std::ops::Range<usize>],
        memo: &'a mut StemMemo,
    ) -> Vec<Token<'a>> {
        // One hash lookup per token: the index of its word in the memo.
        let ids: Vec<u32> = ranges
            .iter()
            .map(|range| {
                let lower = &buffer[range.clone()];
                match memo.index.get(lower) {
                    Some(&id) => id,
                    None => {
                        let id = memo.words.len() as u32;
                        memo.words.push(self.word_info(lower));
                        memo.index.insert(lower.to_string(), id);
                        id
                    }
                }
            })
            .collect();
        let words: &'a [WordInfo] = &memo.words;
        ranges
            .iter()
            .zip(ids)
            .map(|(range, id)| {
                let lower = &buffer[range.clone()];
                let info = &words[id as usize];
                Token {
                    lower,
                    stem: info.stem,
                    starts: &info.starts,
                    key_stem: info.key_stem.as_ref(),
                }
            })
            .collect()
    }

    fn matches(pattern: &WordPattern, token: &Token) -> bool {
        match pattern {
            WordPattern::Stem(id) => token.stem == Some(*id),
            WordPattern::Prefix(prefix) => token.lower.starts_with(prefix.as_str()),
        }
    }

    /// The token positions cue `index` covers when it matches starting at token `start`.
    fn match_at(&self, index: usize, tokens: &[Token], start: usize) -> Option<CuePositions> {
        let cue = &self.cues[index];
        let mut positions = [0usize; MAX_CUE_WORDS];
        positions[0] = start;
        for (n, pattern) in cue.words.iter().enumerate().skip(1) {
            let last = positions[n - 1];
            positions[n] = (last + 1..tokens.len())
                .take(usize::from(cue.gaps[n]) + 1)
                .find(|&p| Self::matches(pattern, &tokens[p]))?;
        }
        Some(CuePositions {
            positions,
            len: cue.words.len(),
        })
    }

    /// The distinct cues found in a token sequence, each with the tokens it covers. A cue whose
    /// tokens all lie inside a longer cue of the same target is dropped: "career path" counts once,
    /// not again as "career" and "path".
    fn found_cues(&self, tokens: &[Token]) -> Vec<usize> {
        let mut found: Vec<(usize, CuePositions)> = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            for cue in token.starts.iter().map(|&c| c as usize) {
                if !found.iter().any(|(c, _)| *c == cue)
                    && let Some(positions) = self.match_at(cue, tokens, i)
                {
                    found.push((cue, positions));
                }
            }
        }
        found.sort_unstable_by_key(|(cue, _)| *cue);
        // Each stretch of tokens counts once per target: a cue gives way to one of the same target
        // that covers more tokens, or the same tokens with a higher weight.
        let covered_by_longer = |cue: usize, positions: &[usize]| {
            found.iter().any(|&(other, ref other_positions)| {
                let other_positions = other_positions.as_slice();
                let (mine, theirs) = (&self.cues[cue], &self.cues[other]);
                let covers = positions.iter().all(|p| other_positions.contains(p));
                let stronger = other_positions.len() > positions.len()
                    || (other_positions.len() == positions.len()
                        && (theirs.weight, std::cmp::Reverse(other))
                            > (mine.weight, std::cmp::Reverse(cue)));
                other != cue && theirs.target == mine.target && covers && stronger
            })
        };
        found
            .iter()
            .filter(|(cue, positions)| !covered_by_longer(*cue, positions.as_slice()))
            .map(|(cue, _)| *cue)
            .collect()
    }

    /// Per theme, the sum and the strongest of the weights of the cues found.
    fn theme_scores(&self, found: &[usize]) -> Vec<(u16, f32, f32)> {
        let mut scores: Vec<(u16, f32, f32)> = Vec::new();
        for cue in found {
            if let CueTarget::Theme(theme) = self.cues[*cue].target {
                let weight = self.cues[*cue].weight;
                match scores.iter_mut().find(|(t, _, _)| *t == theme) {
                    Some(entry) => {
                        entry.1 += weight;
                        entry.2 = entry.2.max(weight);
                    }
                    None => scores.push((theme, weight, weight)),
                }
            }
        }
        scores
    }

    /// The stem of a content word (for discovery); `None` for function words, domain words, words
    /// that already name a theme, contractions ("here’s") and words under three letters.
    fn key_stem(&self, lower: &str) -> Option<String> {
        let content = lower.chars().count() >= 3
            && lower.chars().all(char::is_alphabetic)
            && !self.stop_words.contains(lower)
            && !self
                .stop_prefixes
                .iter()
                .any(|p| lower.starts_with(p.as_str()));
        let stem = self.stem(lower);
        (content && !self.stop_words.contains(&stem)).then(|| discovery_key(stem))
    }
}

/// The header row of a taxonomy file.
const TAXONOMY_HEADER: [&str; 4] = ["id", "label", "definition", "kram"];
/// The header row of a cues file.
const CUES_HEADER: [&str; 5] = ["language", "theme", "cue", "weight", "reason"];

/// Adds the themes of one taxonomy text to `themes` (a row with a known id replaces that theme);
/// `index` maps each id to its place in `themes`.
fn parse_taxonomy(
    tsv: &str,
    origin: &str,
    themes: &mut Vec<Theme>,
    index: &mut FxHashMap<String, usize>,
) -> Result<(), DataFileError> {
    for (line, row) in numbered_rows(tsv, origin, &TAXONOMY_HEADER)? {
        let row_error = |message: String| DataFileError::Row {
            path: origin.to_string(),
            line,
            message,
        };
        let [id, label, definition, kram] = row[..] else {
            return Err(row_error(format!(
                "expected 4 tab-separated columns (id, label, definition, kram), found {}",
                row.len()
            )));
        };
        let id = id.trim();
        if id.is_empty() {
            return Err(row_error("the theme id is empty".to_string()));
        }
        if id.starts_with('@') {
            return Err(row_error(format!(
                "theme id `{id}`: ids starting with `@` are reserved for @benefit, @domain, @drawback, @furniture and @topic cues"
            )));
        }
        let theme = Theme {
            id: id.to_string(),
            label: label.trim().to_string(),
            definition: definition.trim().to_string(),
            kram: kram.trim().to_string(),
        };
        match index.get(id) {
            Some(&existing) => themes[existing] = theme,
            None => {
                index.insert(theme.id.clone(), themes.len());
                themes.push(theme);
            }
        }
    }
    Ok(())
}

impl ThemeConfig {
    /// Builds the matcher: taxonomy, stemmers and cue indexes.
    pub fn build(&self) -> Result<ThemeMatcher, DataFileError> {
        let mut themes = Vec::new();
        let mut theme_index = FxHashMap::default();
        if self.default_taxonomy {
            parse_taxonomy(
                TAXONOMY_TSV,
                "built-in taxonomy",
                &mut themes,
                &mut theme_index,
            )?;
        }
        if let Some(path) = &self.taxonomy {
            parse_taxonomy(
                &read_user_file(path)?,
                &path.display().to_string(),
                &mut themes,
                &mut theme_index,
            )?;
        }
        let mut languages: FxHashMap<Language, LanguageCues> = FxHashMap::default();
        let user_cues = match &self.cues {
            Some(path) => Some((read_user_file(path)?, path.display().to_string())),
            None => None,
        };
        let sources = std::iter::once((CUES_TSV, "built-in cues".to_string())).chain(
            user_cues
                .as_ref()
                .map(|(tsv, origin)| (tsv.as_str(), origin.clone())),
        );
        for (source, (tsv, origin)) in sources.enumerate() {
            let built_in = source == 0;
            for (line, row) in numbered_rows(tsv, &origin, &CUES_HEADER)? {
                let row_error = |message: String| DataFileError::Row {
                    path: origin.clone(),
                    line,
                    message,
                };
                let [language, theme, cue, weight, _reason] = row[..] else {
                    return Err(row_error(format!(
                        "expected 5 tab-separated columns (language, theme, cue, weight, reason), found {}",
                        row.len()
                    )));
                };
                let target = match theme.trim() {
                    "" => return Err(row_error("the theme id is empty".to_string())),
                    "@benefit" => CueTarget::Benefit,
                    "@domain" => CueTarget::Domain,
                    "@topic" => CueTarget::Topic,
                    "@furniture" => CueTarget::Furniture,
                    "@drawback" => CueTarget::Drawback,
                    // Without the built-in taxonomy, built-in cues of themes the user left out go.
                    id if built_in && !self.default_taxonomy && !theme_index.contains_key(id) => {
                        continue;
                    }
                    id => {
                        let index = *theme_index.get(id).ok_or_else(|| {
                            row_error(format!("theme `{id}` is not in the taxonomy"))
                        })?;
                        let index = u16::try_from(index).map_err(|_| {
                            row_error("more than 65,535 themes in the taxonomy".to_string())
                        })?;
                        CueTarget::Theme(index)
                    }
                };
                let weight: f32 = weight
                    .trim()
                    .parse()
                    .ok()
                    .filter(|w: &f32| w.is_finite() && *w > 0.0)
                    .ok_or_else(|| {
                        row_error(format!("weight `{weight}` is not a positive number"))
                    })?;
                let language = Language::parse(language)
                    .filter(|language| language.is_determined())
                    .ok_or_else(|| row_error(format!("unknown language code `{language}`")))?;
                languages
                    .entry(language)
                    .or_insert_with(|| LanguageCues::new(language))
                    .add(cue, target, weight)
                    .map_err(row_error)?;
            }
        }
        Ok(ThemeMatcher {
            memos: thread_local::ThreadLocal::new(),
            themes,
            languages,
            thresholds: self.thresholds,
            recurring_min_articles: self.recurring_min_articles.max(1),
        })
    }
}

/// Whether a paragraph's text starts like a bulleted or numbered item.
fn is_list_item(text: &str) -> bool {
    let trimmed = text.trim_start();
    if trimmed.starts_with(['-', '*', '•', '·', '–', '—', '▪', '◦', '✓', '✔']) {
        return true;
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && digits <= 2 && trimmed[digits..].starts_with(['.', ')', ':'])
}

/// How a heading or list item stands in its document.
#[derive(Debug, Clone, Copy)]
struct ItemShape {
    /// Bulleted, numbered or `Label: text`; else a plain heading.
    marked: bool,
    /// It holds page furniture.
    furniture: bool,
}

/// Marks the items of benefit lists as benefit statements, then drops the statements that matter
/// to nothing. A list is a run of headings and list items of one shape (marked or plain), with body
/// sentences between them; it is a list of benefits when it has at least two items and at least
/// half of them state a taxonomy theme: its other items, which state none, are benefits the
/// taxonomy does not name (the input of discovery).
fn mark_benefit_lists(result: &mut DocumentThemes, shapes: &[Option<ItemShape>]) {
    let mut reaches = vec![false; result.statements.len()];
    for hit in &result.hits {
        reaches[hit.statement_index()] = true;
    }
    let items: Vec<(usize, ItemShape)> = shapes
        .iter()
        .enumerate()
        .filter_map(|(i, shape)| shape.map(|shape| (i, shape)))
        .collect();
    for list in items.chunk_by(|a, b| a.1.marked == b.1.marked) {
        let stating = list.iter().filter(|(i, _)| reaches[*i]).count();
        if list.len() >= 2 && 2 * stating >= list.len() {
            for (i, shape) in list {
                result.statements[*i].benefit |= !shape.furniture;
            }
        }
    }
    let keep: Vec<bool> = result
        .statements
        .iter()
        .enumerate()
        .map(|(i, s)| reaches[i] || s.benefit || s.kind == StatementKind::Heading)
        .collect();
    let mut new_index = Vec::with_capacity(keep.len());
    let mut next = 0u32;
    for kept in &keep {
        new_index.push(next);
        next += u32::from(*kept);
    }
    let mut i = 0;
    result.statements.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    let kept_reaches = reaches.iter().zip(&keep).filter(|(_, kept)| **kept);
    for (statement, (reaches, _)) in result.statements.iter_mut().zip(kept_reaches) {
        statement.section = statement.section.map(|s| new_index[s] as usize);
        if !statement.benefit && !*reaches {
            statement.key_stems = Box::default();
        }
    }
    for hit in &mut result.hits {
        hit.statement = new_index[hit.statement_index()];
    }
}

/// Whether a sentence is a `Label: text` line: a short label ending in a colon, then text.
fn has_label(sentence: &str) -> bool {
    sentence.split_once(':').is_some_and(|(label, rest)| {
        let words = text::word_count(label);
        (1..=6).contains(&words) && text::word_count(rest) >= 3
    })
}

/// Opening brackets: at the end of a statement they open the next one. (Quotation marks are left
/// alone: „…“ and »…« close with what opens elsewhere.)
const OPENERS: [char; 8] = ['【', '「', '『', '（', '〔', '《', '(', '['];

/// A span with surrounding white space removed, and any opening bracket at its end (a
/// sentence cut before 参考サイト】 keeps its 【 otherwise).
fn trimmed(text: &str, span: Span) -> Span {
    let slice = &text[span.start..span.end];
    let start = span.start + (slice.len() - slice.trim_start().len());
    let end = span.start
        + slice
            .trim_end_matches(|c: char| c.is_whitespace() || OPENERS.contains(&c))
            .len();
    Span {
        start,
        end: end.max(start),
    }
}

impl ThemeMatcher {
    /// The taxonomy, in report order.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    /// The thresholds the matcher was built with.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// The language whose cues read a paragraph: its own when detected reliably and cues exist for
    /// it, else the document's (short headings are often misread).
    fn paragraph_language(document: &DocumentInput, index: usize) -> Language {
        let guess = &document.languages.paragraphs[index];
        if guess.is_determined() && guess.reliable {
            guess.language
        } else {
            document.languages.document.language
        }
    }

    /// Whether a document is about the corpus's topic: one of its paragraphs has a `@topic` word of
    /// its language (always, when no language has topic words).
    fn on_topic(&self, document: &DocumentInput) -> bool {
        if self.languages.values().all(|cues| cues.topic.is_empty()) {
            return true;
        }
        let text = document.text;
        document
            .paragraphs
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.boilerplate)
            .any(|(index, paragraph)| {
                let Some(cues) = self
                    .languages
                    .get(&Self::paragraph_language(document, index))
                else {
                    return false;
                };
                if cues.topic.is_empty() {
                    return false;
                }
                let lower =
                    crate::text::to_lowercase(&text[paragraph.span.start..paragraph.span.end]);
                cues.topic.iter().any(|(word, whole)| {
                    lower.match_indices(word.as_str()).any(|(at, _)| {
                        let before = lower[..at].chars().next_back();
                        let after = lower[at + word.len()..].chars().next();
                        let starts_word = !before.is_some_and(joins_word);
                        let ends_word = !after.is_some_and(joins_word);
                        starts_word && (ends_word || !*whole)
                    })
                })
            })
    }

    /// The ids of the themes a document states (its report's `themes`), from what the document
    /// stage found in it.
    pub fn stated_theme_ids(&self, found: &DocumentThemes) -> Vec<String> {
        self.theme_ids(&found.decide(&self.thresholds))
    }

    /// The themes a document states (taxonomy indices, in order), each with the evidence the
    /// report quotes for it.
    pub fn stated_evidence(&self, document: &ThemedDocument) -> Vec<(usize, Vec<EvidenceReport>)> {
        document
            .themes
            .decide(&self.thresholds)
            .iter()
            .map(|theme| (theme.theme, quote_cited(document, theme)))
            .collect()
    }

    fn theme_ids(&self, decided: &[DocumentTheme]) -> Vec<String> {
        decided
            .iter()
            .map(|t| self.themes[t.theme].id.clone())
            .collect()
    }

    /// Cuts a document into statements and scores each against the cue lexicon; a document that
    /// never mentions the topic states nothing.
    pub fn extract_themes(&self, document: &DocumentInput) -> DocumentThemes {
        if !self.on_topic(document) {
            return DocumentThemes::default();
        }
        let mut memos = self.memos.get_or_default().borrow_mut();
        if memos.values().map(|m| m.words.len()).sum::<usize>() > MEMO_MAX_WORDS {
            memos.clear();
        }
        self.extract_with(document, &mut memos)
    }

    fn extract_with(&self, document: &DocumentInput, memos: &mut StemMemos) -> DocumentThemes {
        let text = document.text;
        let mut result = DocumentThemes {
            spun: document.spun,
            ..DocumentThemes::default()
        };
        let mut after_intro = false;
        // Inside a section whose heading names drawbacks.
        let mut in_drawbacks = false;
        let mut section = None;
        let mut buffer = String::new();
        // Per statement: its list shape when it is a heading or list item.
        let mut shapes: Vec<Option<ItemShape>> = Vec::new();
        for (index, paragraph) in document.paragraphs.iter().enumerate() {
            if paragraph.boilerplate {
                continue;
            }
            let language = Self::paragraph_language(document, index);
            let Some(cues) = self.languages.get(&language) else {
                continue;
            };
            let memo = memos.entry(language).or_default();
            let mut paragraph_names_benefit = false;
            for (span, kind) in Self::statements_of(text, paragraph) {
                let original = &text[span.start..span.end];
                let restored_text = document
                    .restoration
                    .and_then(|r| r.restored_span(text, span.start, span.end));
                // Where the normaliser changed the statement, its original words are read too and
                // each theme keeps the better score: an article wrongly taken for spun keeps its
                // own words ("knowledge" restored to "data" still reads as knowledge).
                let original_scores = match &restored_text {
                    Some(_) => {
                        let ranges = LanguageCues::lowercase_words(original, &mut buffer);
                        let tokens = cues.tokens(&buffer, &ranges, memo);
                        cues.theme_scores(&cues.found_cues(&tokens))
                    }
                    None => Vec::new(),
                };
                let restored_text = restored_text.as_deref().unwrap_or(original);
                let ranges = LanguageCues::lowercase_words(restored_text, &mut buffer);
                let tokens = cues.tokens(&buffer, &ranges, memo);
                let found = cues.found_cues(&tokens);
                let names = |target| found.iter().any(|c| cues.cues[*c].target == target);
                let furniture = names(CueTarget::Furniture);
                if kind == StatementKind::Heading {
                    in_drawbacks = names(CueTarget::Drawback);
                    after_intro &= !in_drawbacks;
                }
                let names_benefit = names(CueTarget::Benefit) && !furniture;
                paragraph_names_benefit |= names_benefit;
                let mut scores = cues.theme_scores(&found);
                for (theme, score, strongest) in original_scores {
                    match scores.iter_mut().find(|(t, _, _)| *t == theme) {
                        Some(entry) if (entry.1, entry.2) >= (score, strongest) => {}
                        Some(entry) => *entry = (theme, score, strongest),
                        None => scores.push((theme, score, strongest)),
                    }
                }
                // Only what can count is kept: scores below the statement threshold never do.
                scores.retain(|(_, score, _)| f64::from(*score) >= self.thresholds.statement);
                scores.sort_unstable_by_key(|(theme, _, _)| *theme);
                let benefit = !furniture
                    && !in_drawbacks
                    && (names_benefit || (after_intro && kind != StatementKind::Sentence));
                let heading = kind == StatementKind::Heading;
                // Headings and list items are kept until their list is known: an item of a list
                // of benefits is a benefit statement (see `mark_benefit_lists`).
                let item = kind != StatementKind::Sentence && !in_drawbacks;
                let states = !scores.is_empty();
                if !states && !benefit && !item {
                    continue;
                }
                let statement = result.statements.len();
                let Ok(statement_id) = u32::try_from(statement) else {
                    // Four billion statements in one document: the rest cannot be indexed.
                    break;
                };
                result.hits.extend(
                    scores
                        .into_iter()
                        .map(|(theme, score, strongest)| ThemeHit {
                            theme,
                            statement: statement_id,
                            score,
                            strongest,
                        }),
                );
                // Benefit statements feed discovery, statements that state a theme are its background
                // (words common there are the general vocabulary of benefits); others keep no stems.
                let key_stems = if benefit || states || (item && !furniture) {
                    tokens.iter().filter_map(|t| t.key_stem.cloned()).collect()
                } else {
                    Box::default()
                };
                if heading {
                    section = Some(statement);
                }
                result.statements.push(Statement {
                    paragraph: index,
                    span,
                    kind,
                    language,
                    benefit,
                    key_stems,
                    section,
                });
                shapes.push(item.then(|| ItemShape {
                    marked: kind == StatementKind::ListItem
                        || is_list_item(&text[paragraph.span.start..paragraph.span.end]),
                    furniture,
                }));
            }
            // An intro names benefits and ends with a colon ("Here are four benefits:").
            let ends_with_colon = text[paragraph.span.start..paragraph.span.end]
                .trim_end()
                .ends_with(':');
            if paragraph_names_benefit && ends_with_colon {
                after_intro = true;
            }
        }
        mark_benefit_lists(&mut result, &shapes);
        result.statements.shrink_to_fit();
        result.hits.shrink_to_fit();
        result
    }

    /// The statements of one paragraph with their kinds.
    fn statements_of(text: &str, paragraph: &Paragraph) -> Vec<(Span, StatementKind)> {
        if paragraph.heading {
            return vec![(trimmed(text, paragraph.span), StatementKind::Heading)];
        }
        let list_item = is_list_item(&text[paragraph.span.start..paragraph.span.end]);
        paragraph
            .sentences
            .iter()
            .enumerate()
            .map(|(i, sentence)| {
                let span = trimmed(text, *sentence);
                let item = i == 0 && (list_item || has_label(&text[span.start..span.end]));
                let kind = if item {
                    StatementKind::ListItem
                } else {
                    StatementKind::Sentence
                };
                (span, kind)
            })
            .filter(|(span, _)| span.end > span.start)
            .collect()
    }
}

/// A piece of evidence for a theme, quoted from the original text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EvidenceReport {
    /// Document id.
    pub document: String,
    /// Paragraph index.
    pub paragraph: usize,
    /// First byte in the original text.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// First character (Unicode code point) in the original text.
    pub start_char: usize,
    /// One past the last character.
    pub end_char: usize,
    /// Language the cues matched in.
    pub language: String,
    /// heading, list_item or sentence.
    pub kind: StatementKind,
    /// The statement's cue score for the theme.
    pub score: f64,
    /// The statement as in the original (spun text stays spun).
    pub text: String,
}

impl EvidenceReport {
    /// Statement `statement` of a document quoted as evidence, with its cue score.
    pub fn quote(document: &ThemedDocument, statement: usize, score: f32) -> Self {
        let (start_char, text) = document.quoted(statement);
        let found = &document.themes.statements[statement];
        Self {
            document: document.id.to_string(),
            paragraph: found.paragraph,
            start: found.span.start,
            end: found.span.end,
            start_char,
            end_char: start_char + text.chars().count(),
            language: found.language.to_string(),
            kind: found.kind,
            score: crate::text::round4(f64::from(score)),
            text: text.to_string(),
        }
    }
}

/// A version of an article that lacks a theme its sibling states: probably a gap in the cue lexicon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LexiconGap {
    /// The document without the theme.
    pub document: String,
    /// Its language.
    pub language: String,
    /// The versions (same group) that state it.
    pub found_in: Vec<String>,
}

/// A taxonomy theme across the corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ThemeReport {
    /// Taxonomy id.
    pub id: String,
    /// Short label.
    pub label: String,
    /// What counts as the theme.
    pub definition: String,
    /// Whether at least `recurring_min_articles` distinct articles state it.
    pub recurring: bool,
    /// Distinct articles that state it (a translation or duplicate group counts once).
    pub articles: usize,
    /// Documents that state it, sorted.
    pub documents: Vec<String>,
    /// Where it is stated, by document then position.
    pub evidence: Vec<EvidenceReport>,
    /// Versions of an article that miss the theme while a sibling states it.
    pub lexicon_gaps: Vec<LexiconGap>,
}

/// The theme stage's corpus result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThemeSummary {
    /// One entry per taxonomy theme, in taxonomy order.
    pub themes: Vec<ThemeReport>,
    /// Recurring benefit statements outside the taxonomy.
    pub discovered: Vec<DiscoveredTheme>,
    /// Per document (same order as the input), the ids of the themes it states.
    pub document_themes: Vec<Vec<String>>,
}

/// What the document stage reads of one document, lent by the pipeline.
#[derive(Debug, Clone, Copy)]
pub struct DocumentInput<'a> {
    /// The original text.
    pub text: &'a str,
    /// Its paragraphs.
    pub paragraphs: &'a [Paragraph],
    /// Its languages, per paragraph and for the whole.
    pub languages: &'a DocumentLanguages,
    /// The normaliser found it spun.
    pub spun: bool,
    /// Its restored text, when the normaliser changed something.
    pub restoration: Option<&'a Restoration>,
}

/// What the corpus stage reads of one document: a compact summary, lent by the pipeline.
#[derive(Debug, Clone, Copy)]
pub struct ThemedDocument<'a> {
    /// Its id.
    pub id: &'a str,
    /// Where its statements' quotes come from.
    pub texts: StatementTexts<'a>,
    /// The document's language.
    pub language: Language,
    /// What the document stage found.
    pub themes: &'a DocumentThemes,
}

impl ThemedDocument<'_> {
    /// The first character and the text of statement `statement`, as the original has it.
    fn quoted(&self, statement: usize) -> (usize, &str) {
        match self.texts {
            StatementTexts::Whole(text) => {
                let span = self.themes.statements[statement].span;
                (
                    text[..span.start].chars().count(),
                    &text[span.start..span.end],
                )
            }
            StatementTexts::Quoted(quotes) => {
                let quote = &quotes[statement];
                (quote.start_char, &quote.text)
            }
        }
    }
}

/// Where the quotes of a document's statements come from.
#[derive(Debug, Clone, Copy)]
pub enum StatementTexts<'a> {
    /// The whole original text, which the statements' spans cut.
    Whole(&'a str),
    /// Each statement's quote, in statement order: all a run that no longer holds the text keeps.
    Quoted(&'a [QuotedStatement]),
}

/// The text of one statement, as the original has it, and the place of its first character.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuotedStatement {
    /// First character (Unicode code point) in the original text.
    pub start_char: usize,
    /// The statement's text.
    pub text: Box<str>,
}

impl QuotedStatement {
    /// The quotes of every statement of `themes`, cut from the document's original `text`.
    pub fn all_of(text: &str, themes: &DocumentThemes) -> Vec<Self> {
        let mut quotes = Vec::with_capacity(themes.statements.len());
        // Statements come in text order: count characters from one to the next.
        let (mut counted_to, mut chars) = (0, 0);
        for statement in &themes.statements {
            let span = statement.span;
            if span.start >= counted_to {
                chars += text[counted_to..span.start].chars().count();
            } else {
                chars = text[..span.start].chars().count();
            }
            counted_to = span.start;
            quotes.push(QuotedStatement {
                start_char: chars,
                text: text[span.start..span.end].into(),
            });
        }
        quotes
    }
}

/// The article of each document (by id, in order): its group's id, or its own id.
pub fn article_of<'a>(ids: impl IntoIterator<Item = &'a str>, groups: &[Group]) -> Vec<String> {
    let group_of = group_of(groups);
    ids.into_iter()
        .map(|id| group_of.get(id).copied().unwrap_or(id).to_string())
        .collect()
}

/// The id of each grouped document's group.
fn group_of(groups: &[Group]) -> FxHashMap<&str, &str> {
    let mut group_of = FxHashMap::default();
    for group in groups {
        for member in &group.documents {
            group_of.insert(member.as_str(), group.id.as_str());
        }
    }
    group_of
}

/// The evidence a document gives for `theme` (one it states): its cited statements, quoted.
fn quote_cited(document: &ThemedDocument, theme: &DocumentTheme) -> Vec<EvidenceReport> {
    theme
        .cited
        .iter()
        .map(|hit| EvidenceReport::quote(document, hit.statement_index(), hit.score))
        .collect()
}

/// Whether a [`Recurrence`] lists each theme's documents and evidence in its reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// The reports list the documents that state each theme and quote their evidence.
    Held,
    /// The reports' documents and evidence stay empty: the run lists them elsewhere (each
    /// document's from [`ThemeMatcher::stated_evidence`]) and the report writer takes them from
    /// there.
    Apart,
}

/// Theme recurrence, built one document and one group at a time: the documents that state each
/// taxonomy theme, their distinct articles, the evidence, and the lexicon gaps of translation
/// groups. A document in no group is its own article and counts as it is added
/// ([`Recurrence::add`]); a group is one article, counted once for every theme a member states,
/// when it is added with what its members state ([`Recurrence::add_group`], which also gives its
/// lexicon gaps). [`summarise`] adds every document in corpus order, then every group; a sharded
/// run adds the documents in any order as it reads its records and the groups in report order
/// from its sorted runs, and with [`Listing::Apart`] holds a count a theme.
#[derive(Debug)]
pub struct Recurrence<'m> {
    matcher: &'m ThemeMatcher,
    listing: Listing,
    /// Per taxonomy theme, the documents that state it.
    stated: Vec<StatedBy>,
}

/// What a [`Recurrence`] holds of the documents that state one theme.
#[derive(Debug, Default)]
struct StatedBy {
    /// Articles that state it: documents in no group, and groups.
    articles: usize,
    /// With [`Listing::Held`], every document, with its corpus index and quoted evidence.
    listed: Vec<(usize, String, Vec<EvidenceReport>)>,
}

/// What one member of a group states, as [`Recurrence::add_group`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberStatements {
    /// The member's language.
    pub language: Language,
    /// The taxonomy themes it states (indices, ascending).
    pub themes: Vec<usize>,
}

impl Default for MemberStatements {
    /// A member the run does not know: undetermined, stating nothing.
    fn default() -> Self {
        Self {
            language: Language::UNDETERMINED,
            themes: Vec::new(),
        }
    }
}

impl<'m> Recurrence<'m> {
    /// No document yet.
    pub fn new(matcher: &'m ThemeMatcher, listing: Listing) -> Self {
        Self {
            matcher,
            listing,
            stated: matcher.themes.iter().map(|_| StatedBy::default()).collect(),
        }
    }

    /// Adds `document`, at corpus index `index`, grouped or not (a grouped document's group
    /// counts when it is added); gives the taxonomy themes it states (indices, ascending).
    pub fn add(&mut self, index: usize, document: &ThemedDocument, grouped: bool) -> Vec<usize> {
        let decided = document.themes.decide(&self.matcher.thresholds);
        for theme in &decided {
            let stated = &mut self.stated[theme.theme];
            if !grouped {
                stated.articles += 1;
            }
            if self.listing == Listing::Held {
                let quoted = quote_cited(document, theme);
                stated.listed.push((index, document.id.to_string(), quoted));
            }
        }
        decided.iter().map(|theme| theme.theme).collect()
    }

    /// Adds `group`, whose members (in its order) state `members`: the group counts as one
    /// article of every theme a member states. Gives the lexicon gaps of a translation group:
    /// for each such theme (in taxonomy order), the members that do not state it, in the
    /// group's order, each as (theme index, gap).
    pub fn add_group(
        &mut self,
        group: &Group,
        members: &[MemberStatements],
    ) -> Vec<(usize, LexiconGap)> {
        let mut themes: Vec<usize> = members
            .iter()
            .flat_map(|member| member.themes.iter().copied())
            .collect();
        themes.sort_unstable();
        themes.dedup();
        let mut gaps = Vec::new();
        for &theme in &themes {
            self.stated[theme].articles += 1;
            if group.kind != crate::align::group::GroupKind::Translation {
                continue;
            }
            let states = |member: &MemberStatements| member.themes.binary_search(&theme).is_ok();
            let found_in: Vec<String> = group
                .documents
                .iter()
                .zip(members)
                .filter(|(_, member)| states(member))
                .map(|(id, _)| id.clone())
                .collect();
            for (id, member) in group.documents.iter().zip(members) {
                if !states(member) {
                    gaps.push((
                        theme,
                        LexiconGap {
                            document: id.clone(),
                            language: member.language.to_string(),
                            found_in: found_in.clone(),
                        },
                    ));
                }
            }
        }
        gaps
    }

    /// Every taxonomy theme's report, in taxonomy order, its documents in corpus order; its
    /// lexicon gaps are left empty (the caller lists them, as [`Recurrence::add_group`] gave
    /// them).
    pub fn finish(self) -> Vec<ThemeReport> {
        let Self {
            matcher, stated, ..
        } = self;
        matcher
            .themes
            .iter()
            .zip(stated)
            .map(|(theme, mut stated)| {
                stated.listed.sort_unstable_by_key(|(index, ..)| *index);
                let mut documents = Vec::with_capacity(stated.listed.len());
                let mut evidence = Vec::new();
                for (_, document, quoted) in stated.listed {
                    documents.push(document);
                    evidence.extend(quoted);
                }
                ThemeReport {
                    id: theme.id.clone(),
                    label: theme.label.clone(),
                    definition: theme.definition.clone(),
                    recurring: stated.articles >= matcher.recurring_min_articles,
                    articles: stated.articles,
                    documents,
                    evidence,
                    lexicon_gaps: Vec::new(),
                }
            })
            .collect()
    }
}

/// The corpus stage: themes per document, distinct articles, recurrence, lexicon gaps, discovery.
pub fn summarise(
    matcher: &ThemeMatcher,
    documents: &[ThemedDocument],
    groups: &[Group],
) -> ThemeSummary {
    let group_of = group_of(groups);
    let mut recurrence = Recurrence::new(matcher, Listing::Held);
    let mut members: FxHashMap<&str, MemberStatements> = FxHashMap::default();
    let document_themes = documents
        .iter()
        .enumerate()
        .map(|(index, document)| {
            let grouped = group_of.contains_key(document.id);
            let themes = recurrence.add(index, document, grouped);
            let ids = themes
                .iter()
                .map(|&t| matcher.themes[t].id.clone())
                .collect();
            if grouped {
                let language = document.language;
                members.insert(document.id, MemberStatements { language, themes });
            }
            ids
        })
        .collect();
    let themes = recurrence_of_groups(recurrence, groups, |id| members.get(id).cloned());
    let articles = article_of(documents.iter().map(|d| d.id), groups);
    let discovered = discover::discover(matcher, documents, &articles, groups);
    ThemeSummary {
        themes,
        discovered,
        document_themes,
    }
}

/// `recurrence` (every document added) with `groups` added in their order, each member's
/// statements from `member` (an undetermined language and no theme for one it does not know):
/// the themes' reports with their lexicon gaps.
fn recurrence_of_groups(
    mut recurrence: Recurrence,
    groups: &[Group],
    member: impl Fn(&str) -> Option<MemberStatements>,
) -> Vec<ThemeReport> {
    let mut gaps: Vec<Vec<LexiconGap>> = vec![Vec::new(); recurrence.stated.len()];
    for group in groups {
        let members: Vec<MemberStatements> = group
            .documents
            .iter()
            .map(|id| member(id).unwrap_or_default())
            .collect();
        for (theme, gap) in recurrence.add_group(group, &members) {
            gaps[theme].push(gap);
        }
    }
    let mut themes = recurrence.finish();
    for (theme, gaps) in themes.iter_mut().zip(gaps) {
        theme.lexicon_gaps = gaps;
    }
    themes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_statements_give_what_whole_texts_give() {
        let pipeline = crate::Pipeline::new(&crate::Config::default()).unwrap();
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
        let analysis = pipeline.run(&[crate::corpus::Input::Path(seeds.into())], &());
        let quotes: Vec<Vec<QuotedStatement>> = analysis
            .documents
            .iter()
            .map(|d| QuotedStatement::all_of(&d.document.text, &d.themes))
            .collect();
        let whole: Vec<ThemedDocument> = analysis.documents.iter().map(|d| d.themed()).collect();
        let quoted: Vec<ThemedDocument> = whole
            .iter()
            .zip(&quotes)
            .map(|(document, quotes)| ThemedDocument {
                texts: StatementTexts::Quoted(quotes),
                ..*document
            })
            .collect();
        let mut statements = 0;
        for (whole, quoted) in whole.iter().zip(&quoted) {
            for statement in 0..whole.themes.statements.len() {
                assert_eq!(whole.quoted(statement), quoted.quoted(statement));
                statements += 1;
            }
        }
        assert!(statements > 20, "the seeds state benefits");
        let summary = summarise(pipeline.theme_matcher(), &quoted, &analysis.groups);
        assert_eq!(summary, analysis.themes);
        assert!(
            summary
                .themes
                .iter()
                .any(|theme| !theme.evidence.is_empty())
        );
    }

    #[test]
    fn recurrence_built_in_any_order_gives_the_themes_and_lexicon_gaps_of_summarise() {
        let pipeline = crate::Pipeline::new(&crate::Config::default()).unwrap();
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
        let analysis = pipeline.run(&[crate::corpus::Input::Path(seeds.into())], &());
        let mut documents: Vec<ThemedDocument> =
            analysis.documents.iter().map(|d| d.themed()).collect();
        // Documents without statements: a version in a translation group whose other members
        // state themes, one in a group of its own kind, and one in no group.
        let silent = DocumentThemes::default();
        let turkish = lang("tr");
        for id in ["zz-gap", "zz-pair-a", "zz-pair-b", "zz-alone"] {
            documents.push(ThemedDocument {
                id,
                texts: StatementTexts::Whole(""),
                language: turkish,
                themes: &silent,
            });
        }
        let mut groups = analysis.groups.clone();
        let translation = groups
            .iter_mut()
            .find(|g| g.kind == crate::align::group::GroupKind::Translation)
            .expect("the seeds hold a translation group");
        translation.documents.push("zz-gap".into());
        let mut silent_group = translation.clone();
        silent_group.id = "g99".into();
        silent_group.documents = vec!["zz-pair-a".into(), "zz-pair-b".into()];
        groups.push(silent_group);
        let whole = summarise(pipeline.theme_matcher(), &documents, &groups);
        let gaps = |summary: &ThemeSummary| {
            summary
                .themes
                .iter()
                .flat_map(|theme| &theme.lexicon_gaps)
                .filter(|gap| gap.document == "zz-gap")
                .map(|gap| gap.language.clone())
                .collect::<Vec<_>>()
        };
        assert!(
            !gaps(&whole).is_empty(),
            "the silent version is a lexicon gap"
        );
        assert!(gaps(&whole).iter().all(|language| language == "tr"));

        // As a sharded run builds it: the documents added in another order, then the groups
        // in theirs, with their gaps listed apart.
        let group_of = group_of(&groups);
        let matcher = pipeline.theme_matcher();
        for listing in [Listing::Held, Listing::Apart] {
            let mut recurrence = Recurrence::new(matcher, listing);
            let mut members: FxHashMap<&str, MemberStatements> = FxHashMap::default();
            for (index, document) in documents.iter().enumerate().rev() {
                let grouped = group_of.contains_key(document.id);
                let themes = recurrence.add(index, document, grouped);
                if grouped {
                    let language = document.language;
                    members.insert(document.id, MemberStatements { language, themes });
                }
            }
            let mut themes = recurrence_of_groups(recurrence, &groups, |id| {
                Some(members.get(id).expect("every member is a document").clone())
            });
            if listing == Listing::Apart {
                // The documents and evidence listed apart, document by document.
                let mut listed = vec![(Vec::new(), Vec::new()); matcher.themes().len()];
                for document in &documents {
                    for (theme, quoted) in matcher.stated_evidence(document) {
                        listed[theme].0.push(document.id.to_string());
                        listed[theme].1.extend(quoted);
                    }
                }
                for (theme, (documents, evidence)) in themes.iter_mut().zip(listed) {
                    assert!(theme.documents.is_empty() && theme.evidence.is_empty());
                    (theme.documents, theme.evidence) = (documents, evidence);
                }
            }
            assert_eq!(themes, whole.themes, "{listing:?}");
        }
    }

    fn lang(code: &str) -> Language {
        Language::parse(code).expect("a known language code")
    }

    #[test]
    fn elided_articles_are_their_own_words() {
        fn split(word: &str) -> Vec<&str> {
            split_elision(word).collect()
        }
        assert_eq!(split("l’expertise"), ["l", "expertise"]);
        assert_eq!(split("d'expérience"), ["d", "expérience"]);
        assert_eq!(split("dell'esperienza"), ["dell", "esperienza"]);
        assert_eq!(split("don't"), ["don't"]);
        assert_eq!(split("mentor's"), ["mentor's"]);
        assert_eq!(split("aujourd’hui"), ["aujourd’hui"]);
    }

    fn cues(code: &str, rows: &[(&str, f32)]) -> LanguageCues {
        let mut cues = LanguageCues::new(lang(code));
        for (text, weight) in rows {
            cues.add(text, CueTarget::Theme(0), *weight).unwrap();
        }
        cues
    }

    fn found(cues: &LanguageCues, text: &str) -> Vec<usize> {
        let mut buffer = String::new();
        let ranges = LanguageCues::lowercase_words(text, &mut buffer);
        let mut memo = StemMemo::default();
        let tokens = cues.tokens(&buffer, &ranges, &mut memo);
        cues.found_cues(&tokens)
    }

    #[test]
    fn topic_cues_are_single_words_or_prefixes() {
        let mut cues = LanguageCues::new(lang("en"));
        cues.add("mentor*", CueTarget::Topic, 1.0).unwrap();
        cues.add("protégé", CueTarget::Topic, 1.0).unwrap();
        assert_eq!(
            cues.topic,
            [("mentor".to_string(), false), ("protégé".to_string(), true)]
        );
        assert!(cues.add("career coach", CueTarget::Topic, 1.0).is_err());
    }

    #[test]
    fn stemmed_cues_match_inflected_words() {
        let cues = cues("en", &[("perspective", 1.0), ("new idea", 1.0)]);
        let hits = found(&cues, "Mentors bring perspectives and new ideas.");
        assert_eq!(hits, vec![0, 1]);
    }

    #[test]
    fn phrases_allow_a_short_gap_and_keep_order() {
        let cues = cues("en", &[("fresh* eyes", 1.0)]);
        assert_eq!(found(&cues, "Freshen your eyes"), vec![0]);
        assert!(found(&cues, "eyes that are fresh").is_empty());
        assert!(found(&cues, "fresh bread for the whole family and eyes").is_empty());
    }

    #[test]
    fn function_words_in_a_phrase_stand_next_to_their_neighbours() {
        let cues = cues("en", &[("for the mentor", 1.0)]);
        assert_eq!(found(&cues, "Benefits for the mentor"), vec![0]);
        assert!(found(&cues, "for the relationship with the mentor").is_empty());
        assert!(found(&cues, "for the good mentor").is_empty());
    }

    #[test]
    fn prefixes_match_compounds_and_polish_inflection() {
        let sv = cues("sv", &[("karriärväg*", 1.0)]);
        assert_eq!(found(&sv, "din karriärvägs riktning"), vec![0]);
        let pl = cues("pl", &[("ścież* karier*", 1.0), ("sieć", 1.0)]);
        let hits = found(&pl, "na właściwej ścieżce kariery i w sieci kontaktów");
        assert_eq!(hits, vec![0, 1]);
    }

    #[test]
    fn letters_of_unspaced_scripts_do_not_join_topic_words() {
        assert!(joins_word('a') && joins_word('ж') && joins_word('멘') && joins_word('7'));
        assert!(!joins_word('的') && !joins_word('は') && !joins_word('ン') && !joins_word(' '));
        assert!(!joins_word('ก') && !joins_word('ﾒ') && !joins_word('々'));
    }

    #[test]
    fn short_prefixes_are_rejected() {
        let mut cues = LanguageCues::new(lang("en"));
        let error = cues.add("ab*", CueTarget::Theme(0), 1.0).unwrap_err();
        assert!(error.contains("shorter than 3"), "{error}");
    }

    /// The fifteen languages the built-in cues cover.
    const CUE_LANGUAGES: [&str; 15] = [
        "en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "pl", "ru", "zh", "ja", "ko",
    ];

    #[test]
    fn built_in_cue_rows_are_well_formed() {
        let taxonomy: FxHashSet<&str> = TAXONOMY_TSV
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .collect();
        let mut seen = FxHashSet::default();
        let mut lines = CUES_TSV
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
        assert_eq!(lines.next().unwrap().1, CUES_HEADER.join("\t"));
        for (n, line) in lines {
            let at = format!("cues.tsv line {}: {line:?}", n + 1);
            let row: Vec<&str> = line.split('\t').collect();
            assert_eq!(row.len(), 5, "{at}: five columns");
            for field in &row {
                assert!(
                    !field.is_empty() && field.trim() == *field,
                    "{at}: empty or padded field"
                );
            }
            let [language, theme, cue, weight, _reason] = row[..] else {
                unreachable!()
            };
            assert!(CUE_LANGUAGES.contains(&language), "{at}: language");
            assert!(
                taxonomy.contains(theme)
                    || ["@benefit", "@domain", "@topic", "@furniture", "@drawback"]
                        .contains(&theme),
                "{at}: theme"
            );
            assert!(
                ["1.0", "0.75", "0.5", "0.25"].contains(&weight),
                "{at}: weight is one of 1.0, 0.75, 0.5, 0.25"
            );
            assert_eq!(cue, cue.to_lowercase(), "{at}: cues are lowercase");
            assert!(!cue.contains("  "), "{at}: one space between words");
            assert!(seen.insert((language, theme, cue)), "{at}: duplicate row");
        }
    }

    #[test]
    fn built_in_data_builds_and_user_rows_are_checked() {
        let matcher = ThemeConfig::default().build().unwrap();
        assert_eq!(matcher.themes().len(), 18);
        for code in CUE_LANGUAGES {
            let cues = &matcher.languages[&lang(code)];
            assert!(!cues.topic.is_empty(), "{code} has no topic words");
            for theme in 0..18 {
                assert!(
                    cues.cues
                        .iter()
                        .any(|c| c.target == CueTarget::Theme(theme)),
                    "{code} has no cue for theme {theme}"
                );
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cues.tsv");
        std::fs::write(
            &path,
            "language\ttheme\tcue\tweight\treason\nen\tno_such\tx\t1\tr\n",
        )
        .unwrap();
        let config = ThemeConfig {
            cues: Some(path),
            ..ThemeConfig::default()
        };
        let error = config.build().unwrap_err().to_string();
        assert!(
            error.contains("line 2") && error.contains("no_such"),
            "{error}"
        );
    }

    #[test]
    fn user_taxonomy_adds_themes() {
        let dir = tempfile::tempdir().unwrap();
        let taxonomy = dir.path().join("taxonomy.tsv");
        std::fs::write(&taxonomy, "id\tlabel\tdefinition\tkram\nbalance\tWork-life balance\tMentors help balance work and life.\tpsychosocial\n").unwrap();
        let cues = dir.path().join("cues.tsv");
        std::fs::write(
            &cues,
            "language\ttheme\tcue\tweight\treason\nen\tbalance\twork-life balance\t1.0\tnames it\n",
        )
        .unwrap();
        let matcher = ThemeConfig {
            taxonomy: Some(taxonomy),
            cues: Some(cues),
            ..ThemeConfig::default()
        }
        .build()
        .unwrap();
        assert_eq!(matcher.themes().len(), 19);
        assert_eq!(matcher.themes()[18].id, "balance");
    }

    #[test]
    fn the_users_taxonomy_alone_drops_the_built_in_themes_and_their_cues() {
        let dir = tempfile::tempdir().unwrap();
        let taxonomy = dir.path().join("taxonomy.tsv");
        std::fs::write(
            &taxonomy,
            "id\tlabel\tdefinition\tkram\nautonomy\tAutonomy\tIndependence.\tcareer\n",
        )
        .unwrap();
        let matcher = ThemeConfig {
            taxonomy: Some(taxonomy),
            default_taxonomy: false,
            ..ThemeConfig::default()
        }
        .build()
        .unwrap();
        assert_eq!(matcher.themes().len(), 1);
        let en = &matcher.languages[&Language::ENGLISH];
        assert!(en.cues.iter().all(|c| matches!(
            c.target,
            CueTarget::Theme(0)
                | CueTarget::Benefit
                | CueTarget::Domain
                | CueTarget::Furniture
                | CueTarget::Drawback
        )));
        assert!(en.cues.iter().any(|c| c.target == CueTarget::Theme(0)));
        // The words of a dropped theme are content words again, for discovery.
        assert!(en.key_stem("network").is_some());
    }

    #[test]
    fn korean_cues_match_words_with_their_particles() {
        let ko = cues("ko", &[("시각", 1.0), ("목표 설정", 1.0)]);
        assert_eq!(found(&ko, "멘토는 새로운 시각을 준다"), vec![0]);
        assert_eq!(found(&ko, "목표를 함께 설정하면"), vec![1]);
        assert!(found(&ko, "설정한 목표").is_empty());
        // One syllable is too short to be a prefix.
        let mut one = LanguageCues::new(lang("ko"));
        assert!(one.add("꿈*", CueTarget::Theme(0), 1.0).is_err());
    }

    #[test]
    fn chinese_and_japanese_words_match_as_adjacent_characters() {
        let zh = cues("zh", &[("设定目标", 1.0)]);
        assert_eq!(found(&zh, "导师帮助你设定目标。"), vec![0]);
        assert!(found(&zh, "设定了新的目标").is_empty());
        let ja = cues("ja", &[("目標設定", 1.0), ("新しいアイデア", 1.0)]);
        assert_eq!(found(&ja, "メンターは目標設定を手伝う"), vec![0]);
        assert_eq!(found(&ja, "新しいアイデアが生まれる"), vec![1]);
    }

    #[test]
    fn discovery_keys_fold_latin_and_cyrillic_stems_to_shared_prefixes() {
        let key = |stem: &str| discovery_key(stem.to_string());
        assert_eq!(key("expérient"), "exper");
        assert_eq!(key("mål"), "mal");
        assert_eq!(key("confianz"), key("confid"));
        assert_eq!(key("потенциа"), key("potential"));
        assert_eq!(key("시각을"), "시각을");
    }

    #[test]
    fn list_items_and_labels_are_recognised() {
        assert!(is_list_item("1. Formal education"));
        assert!(is_list_item("- networks"));
        assert!(!is_list_item("2024 was a year"));
        assert!(has_label(
            "Networking: your mentor knows people you should meet."
        ));
        assert!(!has_label("Here is why: it works."));
    }

    fn hit(theme: u16, statement: u32, score: f32) -> ThemeHit {
        ThemeHit {
            theme,
            statement,
            score,
            strongest: score,
        }
    }

    #[test]
    fn decide_weights_headings_and_applies_both_thresholds() {
        let statement = |kind| Statement {
            paragraph: 0,
            span: Span { start: 0, end: 1 },
            kind,
            language: Language::ENGLISH,
            benefit: false,
            key_stems: Box::default(),
            section: None,
        };
        let found = DocumentThemes {
            statements: vec![
                statement(StatementKind::Heading),
                statement(StatementKind::Sentence),
                statement(StatementKind::Sentence),
            ],
            hits: vec![hit(0, 0, 1.5), hit(1, 1, 1.0), hit(1, 2, 0.5)],
            spun: false,
        };
        let decided = found.decide(&Thresholds {
            statement: 1.0,
            document: 2.0,
            spun_document: 2.0,
        });
        // Theme 0: one heading at 1.5 × 1.5 = 2.25. Theme 1: one sentence at 1.0 (0.5 is no evidence).
        assert_eq!(decided.len(), 1);
        assert_eq!(decided[0].cited.len(), 1);
        assert_eq!(decided[0].theme, 0);
        assert!((decided[0].score - 2.25).abs() < 1e-9);
    }
}
