//! Spun-English normaliser: finds the traces of an article spinner in English paragraphs, scores
//! how mangled a document is, and restores the likely original wording as a list of edits.
//!
//! Three kinds of evidence:
//! - the spinner-reversal lexicon (`normalize/lexicon.tsv`): tortured phrases that clean English
//!   practically never contains ("imaginative and prescient" for *vision*) are always undone;
//!   spun forms that are also ordinary English ("by way of", "advertising and marketing") are
//!   undone only when an English word model (`normalize/unigrams.txt`, `normalize/bigrams.txt`,
//!   SymSpell's frequency lists, MIT) finds the original clearly more probable between its
//!   neighbours;
//! - leftover spintax (`{of professional}`) and autoblog artefacts (`[ad_1]`, `Supply:` for
//!   *Source:*);
//! - the rate of all of these per 100 words, which becomes the document's score.
//!
//! The original text is never touched: every change is an [`Edit`] (byte range, from, to, rule),
//! and the normalised text is the original with the edits applied.

use crate::datafile::{DataFileError, numbered_rows, read_user_file};
use crate::segment::Segmented;
use crate::text::tokens::hyphenated_words;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const LEXICON_TSV: &str = include_str!("normalize/lexicon.tsv");
const UNIGRAMS: &str = include_str!("normalize/unigrams.txt");

/// Settings for the normaliser.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeConfig {
    /// A document whose score reaches this, with at least `spun_document_min_evidence` weighted
    /// pieces of evidence, is `mangled`.
    pub mangled_threshold: f64,
    /// A context entry is undone only when the original is at least this many natural-log units
    /// more probable (per word pair) than the spun form between the same neighbours.
    pub context_margin: f64,
    /// A document with at least this much evidence per 100 words (tortured phrases, artefacts,
    /// clear context edits, and half of each suspicious word) is spun (in a document that is not,
    /// the same rules read each paragraph on its own)…
    pub spun_document_rate: f64,
    /// …and holds at least this much evidence in all (a sentence is never judged on one word),
    pub spun_document_min_evidence: f64,
    /// …or at least this many tortured phrases (entries clean English practically never holds),
    /// so a short spun text is recognised too.
    pub spun_document_min_phrases: usize,
    /// A single spinner synonym whose original fits this much better (ln-probability) counts as
    /// half a piece of evidence that the document is spun.
    pub suspicious_gain: f64,
    /// In a spun document (or paragraph) a context entry is undone unless the spun form is this
    /// much more probable (a negative margin: the spinner is the likelier author of a
    /// spinner-typical form; a bigram model whose neighbours are themselves spun is weak evidence
    /// against that, so only a form the model finds overwhelmingly better, such as a fixed
    /// expression, stays).
    pub spun_document_margin: f64,
    /// In a spun document (or paragraph) a single common word the spinner writes for another (a
    /// `model` row, or a word pair read off a phrase row) is undone where the original fits its
    /// neighbours at least this much better (ln-probability; negative: a spun text makes the
    /// spinner's word suspect, so a near tie goes to the original). Chosen on the crypto
    /// development pairs (-3 to -1 tie there, the least eager of them is taken).
    pub spun_word_margin: f64,
    /// An extra lexicon (TSV: spun, original, mode, source, as `normalize/lexicon.tsv`), added
    /// to the built-in one; where it lists a spun form again, the word model chooses among the
    /// originals.
    pub lexicon: Option<PathBuf>,
    /// Built-in lexicon entries whose sources are all among these are left out (e.g. `devpairs`,
    /// to measure the rest of the lexicon on the pairs those entries were read from).
    pub leave_out_sources: Vec<String>,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        Self {
            mangled_threshold: 0.5,
            context_margin: 1.0,
            spun_document_rate: 1.0,
            suspicious_gain: 2.0,
            spun_document_min_evidence: 3.0,
            spun_document_min_phrases: 2,
            spun_document_margin: -10.0,
            spun_word_margin: -1.0,
            lexicon: None,
            leave_out_sources: Vec::new(),
        }
    }
}

/// Why an edit was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditRule {
    /// A tortured phrase from the lexicon, always undone.
    TorturedPhrase,
    /// A lexicon entry undone because the word model prefers the original in this context.
    InContext,
    /// Leftover spintax braces.
    Spintax,
    /// An autoblog artefact such as `[ad_1]` or `Supply:`.
    Artefact,
    /// Two words run together ("anycareer"): an unknown word that splits into a common pair.
    FusedWord,
    /// A function word written twice ("the the").
    DoubledWord,
}

/// One change to the original text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Edit {
    /// Index of the paragraph the edit is in.
    pub paragraph: usize,
    /// First byte of the replaced text in the original.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// The replaced text, as in the original.
    pub from: String,
    /// The restored text.
    pub to: String,
    /// Why.
    pub rule: EditRule,
    /// How sure the normaliser is, 0..1. For an in-context edit, how clearly the word model alone
    /// prefers the original between its neighbours (above 0.5 when by `context_margin`); below
    /// 0.5 means the edit was made because the document is spun, against the word model's view.
    pub confidence: f64,
}

/// The evidence behind a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evidence {
    /// Words in the English paragraphs.
    pub words: usize,
    /// Tortured phrases found.
    pub tortured_phrases: usize,
    /// Spun forms undone in context.
    pub in_context: usize,
    /// Spintax, autoblog artefacts, fused words, and paragraphs with a word written twice.
    pub artefacts: usize,
    /// Single spinner synonyms that read much worse than their likely original in context.
    pub suspicious_words: usize,
    /// (tortured phrases + in-context edits + 2 × artefacts) per 100 words.
    pub per_100_words: f64,
    /// How improbable the word sequence is under the English word model: mean −ln P(word | the
    /// word before) over the English paragraphs, in nats; measured where there are edits (null
    /// without). Clean English web text measures about 6.2 (the English paragraphs of
    /// tests/data/langid), technical and news prose 4–8; on its own it does not tell spun from
    /// clean text, so it does not enter the score.
    pub surprisal: Option<f64>,
    /// The same for the restored text: how much more probable the edits make it read.
    pub restored_surprisal: Option<f64>,
}

/// How mangled a document is, and what to change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Mangling {
    /// 0..1: 1 - exp(-rate / 2), where rate is `evidence.per_100_words`.
    pub score: f64,
    /// Whether the score reaches the threshold.
    pub mangled: bool,
    /// What the score is made of.
    pub evidence: Evidence,
    /// Every change, in text order.
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A tortured phrase: always undone.
    Always,
    /// Ordinary English too: undone when the word model prefers the original.
    Context,
    /// A single ordinary word: considered only in a document already shown to be spun.
    Spun,
    /// A common word the spinner often writes for another ("these" for "those"): considered only
    /// in a spun document, and undone there unless the original fits its neighbours worse than the
    /// spun word by more than `-spun_word_margin` (ln-probability).
    Model,
    /// A single-word pair read off a phrase row ([`single_word_substitutions`]): as `Model`, and
    /// only where the word model has seen the original beside one of its neighbours (a preference
    /// for the commoner word alone is no evidence of the context).
    ReadOffPhrase,
}

/// How much a stretch of text (a document, or one paragraph) shows of the spinner.
struct Signs {
    /// Sure evidence, each suspicious phrase and half of each suspicious word.
    evidence: f64,
    /// Pieces of evidence longer than one word: sure evidence, clear context edits and suspicious
    /// phrases.
    beyond_words: usize,
    tortured: usize,
    suspicious: usize,
}

/// How many paragraphs have a word written twice among `edits`: a doubled word is one slip per
/// paragraph as evidence, however long the run ("and and and" in a joke about it).
fn doubled_word_paragraphs<'a>(edits: impl Iterator<Item = &'a Edit>) -> usize {
    edits
        .filter(|e| e.rule == EditRule::DoubledWord)
        .map(|e| e.paragraph)
        .collect::<BTreeSet<_>>()
        .len()
}

/// A text is spun only with at least this much evidence longer than one word (a tortured phrase,
/// an artefact, a clear context edit or a suspicious phrase)…
const SPUN_MIN_EVIDENCE_BEYOND_WORDS: usize = 1;
/// …or with single suspicious words alone at this many times the usual rate: ordinary words that
/// the spinner also writes are how other paraphrasers and some clean writers write too. Measured: a
/// clean list article of the themes development set and a pair by another paraphraser each had 7
/// suspicious single words in about 290 and nothing else (evidence 1.2 per 100 words); crypto pairs
/// of this family read without the rows taken from them, 9 to 11 in 238 (1.9 to 2.3).
const WORDS_ONLY_RATE_FACTOR: f64 = 1.5;

/// How many times a text is read again after its edits are applied.
const MAX_PASSES: usize = 4;

/// Where offset `original` of the original text is once `edits` are applied.
fn shift(edits: &[Edit], original: usize) -> usize {
    let mut offset = original as isize;
    for edit in edits.iter().take_while(|e| e.end <= original) {
        offset += edit.to.len() as isize - (edit.end - edit.start) as isize;
    }
    offset as usize
}

/// Folds the edits of a later pass (offsets into `current`, the original with `earlier` applied)
/// into `earlier`, as edits of the original: an edit that touches an earlier one absorbs it.
fn merge_edits(original: &str, current: &str, earlier: Vec<Edit>, later: Vec<Edit>) -> Vec<Edit> {
    /// An edit with its range in `current` (before the later edits).
    struct Placed {
        edit: Edit,
        start: usize,
        end: usize,
    }
    impl Placed {
        /// How much longer the current text is than the original over this edit.
        fn growth(&self) -> isize {
            (self.end - self.start) as isize - (self.edit.end - self.edit.start) as isize
        }
    }
    let mut placed: Vec<Placed> = Vec::with_capacity(earlier.len());
    let mut delta: isize = 0;
    for edit in earlier {
        let start = (edit.start as isize + delta) as usize;
        let end = start + edit.to.len();
        delta += edit.to.len() as isize - (edit.end - edit.start) as isize;
        placed.push(Placed { edit, start, end });
    }
    // The original offset of a current offset that lies outside every placed edit.
    let to_original = |placed: &[Placed], at: usize| -> usize {
        let growth: isize = placed
            .iter()
            .filter(|p| p.end <= at)
            .map(Placed::growth)
            .sum();
        (at as isize - growth) as usize
    };
    for new in later {
        let touching: Vec<usize> = (0..placed.len())
            .filter(|&i| placed[i].start <= new.end && new.start <= placed[i].end)
            .collect();
        let low = touching
            .iter()
            .map(|&i| placed[i].start)
            .fold(new.start, usize::min);
        let high = touching
            .iter()
            .map(|&i| placed[i].end)
            .fold(new.end, usize::max);
        let original_low = touching
            .iter()
            .find(|&&i| placed[i].start == low)
            .map_or_else(|| to_original(&placed, low), |&i| placed[i].edit.start);
        let original_high = touching
            .iter()
            .rev()
            .find(|&&i| placed[i].end == high)
            .map_or_else(|| to_original(&placed, high), |&i| placed[i].edit.end);
        let rule = touching.first().map_or(new.rule, |&i| placed[i].edit.rule);
        let confidence = touching
            .iter()
            .map(|&i| placed[i].edit.confidence)
            .fold(new.confidence, f64::min);
        let merged = Edit {
            paragraph: new.paragraph,
            start: original_low,
            end: original_high,
            from: original[original_low..original_high].to_string(),
            to: format!(
                "{}{}{}",
                &current[low..new.start],
                new.to,
                &current[new.end..high]
            ),
            rule,
            confidence,
        };
        for &i in touching.iter().rev() {
            placed.remove(i);
        }
        let at = placed
            .iter()
            .position(|p| p.start > low)
            .unwrap_or(placed.len());
        placed.insert(
            at,
            Placed {
                edit: merged,
                start: low,
                end: high,
            },
        );
    }
    placed.into_iter().map(|p| p.edit).collect()
}

/// A context or spun-only edit waiting for the document-level decision.
struct Candidate {
    edit: Edit,
    /// ln-probability advantage of the original in context.
    gain: f64,
    spun_only: bool,
    /// Undone only where the word model prefers the original, even in a spun document.
    needs_model: bool,
    /// The spun form is mentioned, not used ([`is_mention`]): never evidence, and undone only in a
    /// paragraph that other evidence shows to be spun.
    mention: bool,
}

#[derive(Debug, Clone)]
struct Entry {
    /// Lowercase words of the spun form.
    spun: Vec<String>,
    original: String,
    /// Lowercase words of the original, for the word model.
    original_words: Vec<String>,
    mode: Mode,
}

/// Unigram and bigram counts of English words, for comparing two wordings in context.
struct WordModel {
    /// Each word's count and id (the place of its first line), read from the text list at load
    /// (82,000 words).
    unigrams: HashMap<&'static str, (u64, u32)>,
    /// "first second" → count of the pair: compiled from the text list by `build.rs` into arrays
    /// keyed by word ids and read in place, so the larger half of the model costs nothing to load.
    bigrams: Bigrams,
    total: f64,
}

/// The bigram arrays `build.rs` writes (see there): little-endian, read in place.
struct Bigrams {
    /// Where each first word's pairs start in `seconds`, and one more at the end.
    starts: &'static [u8],
    /// Second word ids, sorted within each first word.
    seconds: &'static [u8],
    counts: &'static [u8],
}

impl Bigrams {
    const BUILT: Self = Self {
        starts: include_bytes!(concat!(env!("OUT_DIR"), "/bigram_starts.bin")),
        seconds: include_bytes!(concat!(env!("OUT_DIR"), "/bigram_seconds.bin")),
        counts: include_bytes!(concat!(env!("OUT_DIR"), "/bigram_counts.bin")),
    };

    fn u32_at(bytes: &[u8], index: usize) -> Option<u32> {
        let word = bytes.get(index * 4..index * 4 + 4)?;
        Some(u32::from_le_bytes(word.try_into().ok()?))
    }

    /// The count of the pair of word ids `first` and `second`, if listed.
    fn count(&self, first: u32, second: u32) -> Option<u64> {
        let start = Self::u32_at(self.starts, first as usize)? as usize;
        let end = Self::u32_at(self.starts, first as usize + 1)? as usize;
        // Binary search among the first word's pairs.
        let (mut low, mut high) = (start, end);
        while low < high {
            let middle = low + (high - low) / 2;
            match Self::u32_at(self.seconds, middle)?.cmp(&second) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => {
                    let count = self.counts.get(middle * 8..middle * 8 + 8)?;
                    return Some(u64::from_le_bytes(count.try_into().ok()?));
                }
            }
        }
        None
    }
}

impl WordModel {
    fn load() -> Self {
        let mut unigrams = HashMap::default();
        for line in UNIGRAMS.lines() {
            if let Some((word, count)) = line.split_once(' ')
                && let Ok(count) = count.trim().parse::<u64>()
            {
                // Ids as `build.rs` gives them: the place among the lines that parse.
                let id = u32::try_from(unigrams.len()).unwrap_or(u32::MAX);
                unigrams.entry(word).or_insert((count, id));
            }
        }
        let total = unigrams.values().map(|&(count, _)| count).sum::<u64>() as f64;
        Self {
            unigrams,
            bigrams: Bigrams::BUILT,
            total,
        }
    }

    fn unigram(&self, word: &str) -> f64 {
        self.unigrams.get(word).map_or(0, |&(count, _)| count) as f64
    }

    /// How often `first second` was seen.
    fn pair(&self, first: &str, second: &str) -> Option<u64> {
        let (_, first) = self.unigrams.get(first)?;
        let (_, second) = self.unigrams.get(second)?;
        self.bigrams.count(*first, *second)
    }

    /// ln P(next | word), with stupid backoff to the unigram (and a floor for unknown words).
    fn transition(&self, word: &str, next: &str) -> f64 {
        let first = self.unigrams.get(word);
        let second = self.unigrams.get(next);
        if let (Some(&(first_count, first)), Some(&(_, second))) = (first, second)
            && first_count > 0
            && let Some(count) = self.bigrams.count(first, second)
        {
            return (count as f64 / first_count as f64).min(1.0).ln();
        }
        let next_count = second.map_or(0, |&(count, _)| count) as f64;
        (0.4 * next_count.max(1.0) / self.total).ln()
    }
}

/// The header row of a lexicon file.
const LEXICON_HEADER: [&str; 4] = ["spun", "original", "mode", "source"];
/// How errors name the shipped lexicon.
const BUILT_IN_LEXICON: &str = "built-in lexicon";

/// A lexicon row as read, with the file (`built-in lexicon` for the shipped one) and 1-based line
/// it was read from.
struct LexiconRow<'a> {
    entry: Entry,
    origin: &'a str,
    line: usize,
}

impl LexiconRow<'_> {
    /// The row as a person reads it in a message: `spun` → `original`.
    fn describe(&self) -> String {
        format!(
            "`{}` → `{}`",
            self.entry.spun.join(" "),
            self.entry.original
        )
    }

    /// Where the row is, seen from a message about a row of `origin`: `line N` in the same file.
    fn place_from(&self, origin: &str) -> String {
        if self.origin == origin {
            format!("line {}", self.line)
        } else {
            format!("{}, line {}", self.origin, self.line)
        }
    }
}

/// Adds the rows of one lexicon text to `rows`, leaving out rows from `leave_out` sources.
fn parse_lexicon<'a>(
    tsv: &str,
    origin: &'a str,
    leave_out: &[String],
    rows: &mut Vec<LexiconRow<'a>>,
) -> Result<(), DataFileError> {
    for (line, row) in numbered_rows(tsv, origin, &LEXICON_HEADER)? {
        let row_error = |message: String| DataFileError::Row {
            path: origin.to_string(),
            line,
            message,
        };
        let [spun, original, mode, source] = row[..] else {
            return Err(row_error(format!(
                "expected 4 tab-separated columns (spun, original, mode, source), found {}",
                row.len()
            )));
        };
        let mode = match mode.trim() {
            "always" => Mode::Always,
            "context" => Mode::Context,
            "spun" => Mode::Spun,
            "model" => Mode::Model,
            other => {
                return Err(row_error(format!(
                    "mode `{other}` is not one of always, context, spun, model"
                )));
            }
        };
        let spun: Vec<String> = hyphenated_words(spun)
            .map(|word| fold(word.text).into_owned())
            .collect();
        let original = original.trim();
        if spun.is_empty() || original.is_empty() {
            return Err(row_error(
                "the spun form and the original need words".to_string(),
            ));
        }
        // An entry with several sources (`devpairs,spinner`) stays unless all of them are left out.
        if source
            .split(',')
            .all(|source| leave_out.iter().any(|l| l == source.trim()))
        {
            continue;
        }
        let entry = Entry {
            spun,
            original: original.to_string(),
            original_words: hyphenated_words(original)
                .map(|word| fold(word.text).into_owned())
                .collect(),
            mode,
        };
        rows.push(LexiconRow {
            entry,
            origin,
            line,
        });
    }
    Ok(())
}

/// The first row whose original holds, as whole words, the spun form of a row (itself included),
/// with the index of that other row. Normalising such an original again changes it again: a row
/// like `mentor` → `good mentor` grows the text on every pass, and two rows `mentor` → `guide`
/// and `guide` → `mentor` swap it back and forth, so normalising would not be idempotent.
fn first_self_feeding_row(rows: &[LexiconRow]) -> Option<(usize, usize)> {
    let mut row_by_spun: HashMap<&[String], usize> = HashMap::default();
    for (index, row) in rows.iter().enumerate() {
        row_by_spun.entry(&row.entry.spun[..]).or_insert(index);
    }
    let spun_lengths: BTreeSet<usize> = rows.iter().map(|row| row.entry.spun.len()).collect();
    rows.iter().enumerate().find_map(|(index, row)| {
        let original = &row.entry.original_words;
        (0..original.len()).find_map(|start| {
            spun_lengths
                .iter()
                .take_while(|&&length| start + length <= original.len())
                .find_map(|&length| row_by_spun.get(&original[start..start + length]))
                .map(|&other| (index, other))
        })
    })
}

/// The spinner's single-word substitutions that its phrases show: a row of several words whose
/// original differs from the spun form in one word only (`tv sequence` → `TV series`, `the
/// identical` → `the same`) says that the spinner writes *sequence* for *series* and *identical*
/// for *same*, and so does every other phrase of this family. Each such word pair becomes a
/// [`Mode::ReadOffPhrase`] entry of its own: considered only in a text already shown to be spun,
/// and undone there only where the word model has seen the original beside one of the word's
/// neighbours and prefers it between them. A pair is left out where the lexicon already lists the spun word on its own, where
/// either word is a closed-class word ([`FUSED_LEFT_WORDS`]: `every other` → `any other` is a
/// phrase, not *every* → *any*), and where it would make normalising change its own output (the
/// spun word inside an original, or the original word a spun form).
fn single_word_substitutions(rows: &[LexiconRow]) -> Vec<Entry> {
    let listed_alone: BTreeSet<&str> = rows
        .iter()
        .filter(|row| row.entry.spun.len() == 1)
        .map(|row| row.entry.spun[0].as_str())
        .collect();
    let mut pairs: BTreeSet<(&str, &str)> = BTreeSet::new();
    for row in rows {
        let (spun, original) = (&row.entry.spun, &row.entry.original_words);
        if spun.len() < 2 || spun.len() != original.len() {
            continue;
        }
        let mut differing = spun.iter().zip(original).filter(|(s, o)| s != o);
        if let (Some((spun_word, original_word)), None) = (differing.next(), differing.next())
            && spun_word.chars().all(char::is_alphabetic)
            && original_word.chars().all(char::is_alphabetic)
            && !listed_alone.contains(spun_word.as_str())
            && !FUSED_LEFT_WORDS.contains(&spun_word.as_str())
            && !FUSED_LEFT_WORDS.contains(&original_word.as_str())
        {
            pairs.insert((spun_word, original_word));
        }
    }
    // Idempotence: no derived spun word may occur in an original (of a row or of a derived pair),
    // and no derived original may be a spun word.
    let in_originals: BTreeSet<&str> = rows
        .iter()
        .flat_map(|row| row.entry.original_words.iter().map(String::as_str))
        .chain(pairs.iter().map(|&(_, original)| original))
        .collect();
    let derived_spun: BTreeSet<&str> = pairs.iter().map(|&(spun, _)| spun).collect();
    pairs
        .into_iter()
        .filter(|&(spun, original)| {
            !in_originals.contains(spun)
                && !derived_spun.contains(original)
                && !listed_alone.contains(original)
        })
        .map(|(spun, original)| Entry {
            spun: vec![spun.to_string()],
            original: original.to_string(),
            original_words: vec![original.to_string()],
            mode: Mode::ReadOffPhrase,
        })
        .collect()
}

/// Refuses a lexicon whose rows would make normalising change its own output (see
/// [`first_self_feeding_row`]), naming the user's row: the built-in rows pass among themselves.
fn check_idempotent(rows: &[LexiconRow]) -> Result<(), DataFileError> {
    let Some((holder, spun)) = first_self_feeding_row(rows) else {
        return Ok(());
    };
    let itself = holder == spun;
    let (holder, spun) = (&rows[holder], &rows[spun]);
    let spun_form = spun.entry.spun.join(" ");
    let (at, message) = if itself {
        (
            holder,
            format!(
                "the original `{}` contains the spun form `{spun_form}` of this row, so every pass would change the text again",
                holder.entry.original
            ),
        )
    } else if holder.origin == BUILT_IN_LEXICON && spun.origin != BUILT_IN_LEXICON {
        (
            spun,
            format!(
                "the spun form `{spun_form}` occurs in the original of {} ({}), so normalising twice would change the text again",
                holder.place_from(spun.origin),
                holder.describe()
            ),
        )
    } else {
        (
            holder,
            format!(
                "the original `{}` contains the spun form `{spun_form}` of {} ({}), so normalising twice would change the text again",
                holder.entry.original,
                spun.place_from(holder.origin),
                spun.describe()
            ),
        )
    };
    Err(DataFileError::Row {
        path: at.origin.to_string(),
        line: at.line,
        message,
    })
}

/// A hash of the built-in lexicon and the user's (its text, when there is one).
fn lexicon_digest_of(user_lexicon: Option<&str>) -> u64 {
    let built_in = xxhash_rust::xxh3::xxh3_64(LEXICON_TSV.as_bytes());
    user_lexicon.map_or(built_in, |tsv| {
        built_in ^ xxhash_rust::xxh3::xxh3_64(tsv.as_bytes()).rotate_left(1)
    })
}

impl NormalizeConfig {
    /// [`Normalizer::lexicon_digest`] of the normaliser these settings build, without building
    /// it (the user's lexicon is read, not parsed).
    pub fn lexicon_digest(&self) -> Result<u64, DataFileError> {
        let user_lexicon = self.lexicon.as_deref().map(read_user_file).transpose()?;
        Ok(lexicon_digest_of(user_lexicon.as_deref()))
    }

    /// Loads the lexicon (built-in, minus left-out sources, plus the user's) and the word model
    /// once. User rows that would make normalising change its own output are refused.
    pub fn build(&self) -> Result<Normalizer, DataFileError> {
        let mut rows = Vec::new();
        parse_lexicon(
            LEXICON_TSV,
            BUILT_IN_LEXICON,
            &self.leave_out_sources,
            &mut rows,
        )?;
        let user_lexicon = match &self.lexicon {
            Some(path) => Some((read_user_file(path)?, path.display().to_string())),
            None => None,
        };
        let lexicon_digest = lexicon_digest_of(user_lexicon.as_ref().map(|(tsv, _)| tsv.as_str()));
        if let Some((tsv, origin)) = &user_lexicon {
            parse_lexicon(tsv, origin, &[], &mut rows)?;
        }
        check_idempotent(&rows)?;
        let derived = single_word_substitutions(&rows);
        let mut entries: HashMap<String, Vec<Entry>> = HashMap::default();
        for entry in rows.into_iter().map(|row| row.entry).chain(derived) {
            entries
                .entry(entry.spun[0].clone())
                .or_default()
                .push(entry);
        }
        for list in entries.values_mut() {
            list.sort_by_key(|entry| std::cmp::Reverse(entry.spun.len()));
        }
        Ok(Normalizer {
            entries,
            lexicon_digest,
            model: WordModel::load(),
            config: self.clone(),
        })
    }
}

/// The built normaliser; shared by all threads.
pub struct Normalizer {
    entries: HashMap<String, Vec<Entry>>,
    lexicon_digest: u64,
    model: WordModel,
    config: NormalizeConfig,
}

/// A word as the lexicon and the word model see it: lowercase, with typographic apostrophes
/// made plain.
fn fold(word: &str) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.to_lowercase().replace('’', "'"))
    }
}

/// A fused word is at least this long (shorter unknown words are names, codes and typos)…
const FUSED_MIN_BYTES: usize = 7;
/// …and splits into two words at least this common.
const FUSED_MIN_COUNT: f64 = 1e6;
/// A fused word counts as a suspicious word (and is split in a spun document).
const FUSED_GAIN: f64 = 10.0;
/// Word pairs read to measure the surprisal of a longer document…
const SURPRISAL_PAIRS: usize = 2_000;
/// …from the start of this many of its paragraphs, spread evenly.
const SURPRISAL_WINDOWS: usize = 10;
/// A word left in braces (`{hardware}`) is undone in a spun paragraph, whatever the word model says.
const BRACED_WORD_GAIN: f64 = 10.0;
/// The closed-class words a fused pair starts with ("anycareer", "theteam"), and that a single-word
/// pair read off a phrase never holds ([`single_word_substitutions`]). Two content words run
/// together are left alone: on the measured pairs every such split was a real compound the word
/// list lacks ("userbase", "dataset").
const FUSED_LEFT_WORDS: [&str; 36] = [
    "a", "all", "an", "and", "any", "as", "at", "but", "by", "each", "every", "for", "from", "her",
    "his", "in", "into", "its", "more", "most", "my", "no", "of", "on", "or", "our", "some",
    "that", "the", "their", "these", "this", "those", "to", "with", "your",
];

/// Function words whose doubling is always a slip ("that that" and "had had" can be right).
const DOUBLED_IS_AN_ERROR: [&str; 14] = [
    "the", "a", "an", "of", "to", "in", "and", "for", "on", "with", "at", "by", "from", "like",
];

/// Where an autoblog artefact counts as one.
#[derive(Clone, Copy)]
enum ArtefactPlace {
    /// A marker no clean text holds (`[ad_1]`).
    Anywhere,
    /// A line of its own (the `Supply hyperlink` footer): "Supply hyperlinks to relevant sources"
    /// is English.
    OwnLine,
    /// A label opening a line or following a caption's `|`, before a short attribution that does
    /// not start in lower case (`| Supply: Glassnode`): "Supply: the amount of a good for sale" is
    /// English.
    Attribution,
}

/// The longest attribution after a `Supply:` label, in words.
const ATTRIBUTION_MAX_WORDS: usize = 6;

/// Autoblog artefacts: (text as found, replacement, where it counts).
const ARTEFACTS: [(&str, &str, ArtefactPlace); 4] = [
    ("[ad_1]", "", ArtefactPlace::Anywhere),
    ("[ad_2]", "", ArtefactPlace::Anywhere),
    ("Supply:", "Source:", ArtefactPlace::Attribution),
    ("Supply hyperlink", "Source link", ArtefactPlace::OwnLine),
];

/// Whether `body[start..end]`, a match of an artefact's text, stands where that artefact counts.
fn artefact_in_place(body: &str, start: usize, end: usize, place: ArtefactPlace) -> bool {
    let line_start = body[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = body[end..].find('\n').map_or(body.len(), |i| end + i);
    let (before, after) = (body[line_start..start].trim(), body[end..line_end].trim());
    match place {
        ArtefactPlace::Anywhere => true,
        ArtefactPlace::OwnLine => before.is_empty() && after.is_empty(),
        ArtefactPlace::Attribution => {
            (before.is_empty() || before.ends_with('|'))
                && !after.is_empty()
                && !after.starts_with(char::is_lowercase)
                && after.split_whitespace().count() <= ATTRIBUTION_MAX_WORDS
        }
    }
}

/// The longest acronym, in letters: a single word written in capitals this short ("PC", "ETF") is a
/// name, not a spinner's synonym, and is left alone ("PC" is not "COMPUTER").
const ACRONYM_MAX_LETTERS: usize = 4;

/// Whether `word` is an acronym: two to `ACRONYM_MAX_LETTERS` letters, all capitals.
fn is_acronym(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    (2..=ACRONYM_MAX_LETTERS).contains(&letters) && word.chars().all(|c| !c.is_lowercase())
}

/// A tortured phrase that is mentioned rather than used is undone in a spun paragraph as if used.
const MENTIONED_PHRASE_GAIN: f64 = 10.0;
/// The longest quotation, in words, read as naming a phrase rather than quoting speech.
const MENTION_QUOTE_MAX_WORDS: usize = 6;
/// The longest item, in words, of a list of examples before the mentioned one.
const MENTION_ITEM_MAX_WORDS: usize = 5;
/// How far before a match an example cue is looked for, in bytes.
const EXAMPLE_LOOKBACK_BYTES: usize = 300;
/// Words that introduce examples ("such as", "e.g."), lowercase, as they end before the examples.
const EXAMPLE_CUES: [&str; 8] = [
    "such as",
    "e.g.",
    "e. g.",
    "i.e.",
    "like",
    "for example",
    "for instance",
    "including",
];

/// Where a piece of text could introduce mentions: the ends of its example cues and of its
/// sentences, found once per piece so that judging each match costs a lookup.
struct MentionMarks {
    /// Byte offsets just after each example cue, sorted.
    cue_ends: Vec<usize>,
    /// Byte offsets of sentence ends (`.`, `!`, `?`, `;`, line ends), sorted.
    sentence_ends: Vec<usize>,
}

impl MentionMarks {
    fn find(body: &str) -> Self {
        // ASCII lowercase keeps byte offsets.
        let lower = body.to_ascii_lowercase();
        let mut cue_ends: Vec<usize> = EXAMPLE_CUES
            .iter()
            .flat_map(|cue| {
                let lower = &lower;
                lower.match_indices(cue).filter_map(move |(i, _)| {
                    let before_ok = lower[..i]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric());
                    let after_ok = lower[i + cue.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric());
                    (before_ok && after_ok).then_some(i + cue.len())
                })
            })
            .collect();
        cue_ends.sort_unstable();
        let sentence_ends = body
            .match_indices(['.', '!', '?', ';', '\n'])
            .map(|(i, _)| i)
            .collect();
        Self {
            cue_ends,
            sentence_ends,
        }
    }

    /// Whether `body[start..end]`, a lexicon match, is mentioned rather than used: inside a short
    /// quotation ("Kidney disappointment", ‘neural organizations’), or an item of a list of
    /// examples opened in the same sentence by "such as", "e.g.", "like", "for example" or
    /// "including". A text that discusses tortured phrases quotes them; that is not evidence that it
    /// was spun.
    fn is_mention(&self, body: &str, start: usize, end: usize) -> bool {
        in_short_quotation(body, start, end) || self.in_example_list(body, start)
    }

    /// Whether a match starting at `start` is an item of a list of examples: an example cue earlier
    /// in its sentence, and between the cue and the match only short items separated by commas,
    /// "and", "or" (and quotation marks or a colon).
    fn in_example_list(&self, body: &str, start: usize) -> bool {
        let sentence_start = self
            .sentence_ends
            .partition_point(|&at| at < start)
            .checked_sub(1)
            .map_or(0, |i| self.sentence_ends[i] + 1);
        // The last cue that ends at or before the match, within its sentence (a cue's own dots, as
        // in "e.g.", end before the cue's end and so do not cut it off).
        let Some(cue_end) = self
            .cue_ends
            .partition_point(|&at| at <= start)
            .checked_sub(1)
            .map(|i| self.cue_ends[i])
            .filter(|&at| at + 1 >= sentence_start && start - at <= EXAMPLE_LOOKBACK_BYTES)
        else {
            return false;
        };
        if body[cue_end..start].contains(['.', '!', '?', ';', '\n']) {
            return false;
        }
        let between = &body[cue_end..start];
        let mut items: Vec<&str> = between.split(',').collect();
        let last = items.pop().unwrap_or("");
        let joiner = |item: &str| {
            let item = item.trim_matches(|c: char| c.is_whitespace() || "\"“”‘’:(".contains(c));
            let item = item
                .strip_prefix("and ")
                .or_else(|| item.strip_prefix("or "))
                .unwrap_or(item);
            item.to_string()
        };
        // The match opens its item: nothing but a joiner before it since the last comma, or the
        // last pair of a list without a comma before "and" ("X and Y").
        let last = joiner(last);
        let opens_item = last.is_empty()
            || last == "and"
            || last == "or"
            || [" and", " or"].iter().any(|joining| {
                last.strip_suffix(joining)
                    .is_some_and(|item| hyphenated_words(item).count() <= MENTION_ITEM_MAX_WORDS)
            });
        opens_item
            && items
                .iter()
                .all(|item| hyphenated_words(&joiner(item)).count() <= MENTION_ITEM_MAX_WORDS)
    }
}

/// How far around a match its quotation marks are looked for, in bytes.
const QUOTE_LOOKAROUND_BYTES: usize = 80;

/// Whether `body[start..end]` lies inside a quotation of at most `MENTION_QUOTE_MAX_WORDS` words on
/// its line: straight double quotes, “curly” or ‘single curly’ ones.
fn in_short_quotation(body: &str, start: usize, end: usize) -> bool {
    let mut from = start.saturating_sub(QUOTE_LOOKAROUND_BYTES);
    while !body.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (end + QUOTE_LOOKAROUND_BYTES).min(body.len());
    while !body.is_char_boundary(to) {
        to -= 1;
    }
    let before = &body[from..start];
    let before = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let after = &body[end..to];
    let after = &after[..after.find('\n').unwrap_or(after.len())];
    // The nearest quotation mark before the match must open a quotation: a curly opening mark, or
    // a straight one at the start of a word.
    let Some((open_at, open)) = before
        .char_indices()
        .rev()
        .find(|&(_, c)| "\"“”‘".contains(c))
    else {
        return false;
    };
    let close = match open {
        '“' => '”',
        '‘' => '’',
        '"' if before[..open_at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "([{".contains(c)) =>
        {
            '"'
        }
        _ => return false,
    };
    // The closing mark, not an apostrophe ("players’ careers"): followed by no letter.
    let closing = after.char_indices().find(|&(i, c)| {
        c == close
            && !after[i + c.len_utf8()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
    });
    let Some((close_at, _)) = closing else {
        return false;
    };
    hyphenated_words(&before[open_at..]).count()
        + hyphenated_words(&body[start..end]).count()
        + hyphenated_words(&after[..close_at]).count()
        <= MENTION_QUOTE_MAX_WORDS
}

impl Normalizer {
    /// A hash of the lexicon texts in use (built-in and the user's).
    pub fn lexicon_digest(&self) -> u64 {
        self.lexicon_digest
    }

    /// Finds the spinner's traces in the English paragraphs (`english[i]` says whether paragraph
    /// `i` is English) and returns the score with the edits.
    pub fn normalize(&self, text: &str, segmented: &Segmented, english: &[bool]) -> Mangling {
        // English paragraphs as (index, start, end), and their words.
        let paragraphs: Vec<(usize, usize, usize)> = segmented
            .paragraphs
            .iter()
            .enumerate()
            .filter(|(index, _)| english.get(*index).copied().unwrap_or(false))
            .map(|(index, p)| (index, p.span.start, p.span.end))
            .collect();
        let words_in = |index: usize| segmented.paragraphs[index].words;
        let words_seen: usize = paragraphs
            .iter()
            .map(|&(index, _, _)| words_in(index))
            .sum();
        let (found, candidates) = self.read(text, &paragraphs);
        let (spun, suspicious) =
            self.spun_paragraphs(&paragraphs, words_seen, words_in, &found, &candidates);
        let mut edits = self.decide(found, candidates, &spun);
        // Undoing one edit changes its neighbours' context, which can make another edit clear:
        // read the changed paragraphs again until nothing changes, so that normalising the
        // result changes nothing more.
        let mut changed: Vec<usize> = edits.iter().map(|e| e.paragraph).collect();
        for _ in 0..MAX_PASSES {
            changed.dedup();
            if changed.is_empty() {
                break;
            }
            let current = apply_edits(text, &edits);
            let shifted: Vec<(usize, usize, usize)> = paragraphs
                .iter()
                .filter(|(index, _, _)| changed.binary_search(index).is_ok())
                .map(|&(index, start, end)| (index, shift(&edits, start), shift(&edits, end)))
                .collect();
            let (found, candidates) = self.read(&current, &shifted);
            let more = self.decide(found, candidates, &spun);
            changed = more.iter().map(|e| e.paragraph).collect();
            edits = merge_edits(text, &current, edits, more);
        }
        let count = |rule: EditRule| edits.iter().filter(|e| e.rule == rule).count();
        let tortured_phrases = count(EditRule::TorturedPhrase);
        let in_context = count(EditRule::InContext);
        let artefacts = count(EditRule::Spintax)
            + count(EditRule::Artefact)
            + count(EditRule::FusedWord)
            + doubled_word_paragraphs(edits.iter());
        let weighted = (tortured_phrases + in_context + 2 * artefacts) as f64;
        let per_100_words = if words_seen == 0 {
            0.0
        } else {
            100.0 * weighted / words_seen as f64
        };
        let score = 1.0 - (-per_100_words / 2.0).exp();
        let (surprisal, restored_surprisal) =
            self.surprisal_before_and_after(text, &paragraphs, words_seen, &edits);
        Mangling {
            score: crate::text::round4(score),
            // One odd phrase in a sentence is not a spun document.
            mangled: score >= self.config.mangled_threshold
                && weighted >= self.config.spun_document_min_evidence,
            evidence: Evidence {
                words: words_seen,
                tortured_phrases,
                in_context,
                artefacts,
                suspicious_words: suspicious,
                per_100_words: crate::text::round4(per_100_words),
                surprisal,
                restored_surprisal,
            },
            edits,
        }
    }

    /// The surprisal of the English paragraphs before and after `edits`; `None` without edits.
    /// Reading every word pair through the model costs more than the rest of the stage, so it is
    /// done only where there is something to explain, and a long text is sampled: the first pairs
    /// of `SURPRISAL_WINDOWS` paragraphs spread through it, `SURPRISAL_PAIRS` in all.
    fn surprisal_before_and_after(
        &self,
        text: &str,
        paragraphs: &[(usize, usize, usize)],
        words_seen: usize,
        edits: &[Edit],
    ) -> (Option<f64>, Option<f64>) {
        if edits.is_empty() {
            return (None, None);
        }
        let (sample, per_paragraph) = if words_seen > SURPRISAL_PAIRS {
            let mut picks: Vec<usize> = (0..SURPRISAL_WINDOWS)
                .map(|window| window * paragraphs.len() / SURPRISAL_WINDOWS)
                .collect();
            picks.dedup();
            let sample: Vec<_> = picks
                .iter()
                .filter_map(|&i| paragraphs.get(i))
                .copied()
                .collect();
            let per_paragraph = SURPRISAL_PAIRS / sample.len().max(1);
            (sample, per_paragraph)
        } else {
            (paragraphs.to_vec(), usize::MAX)
        };
        let shifted: Vec<(usize, usize, usize)> = sample
            .iter()
            .map(|&(index, start, end)| (index, shift(edits, start), shift(edits, end)))
            .collect();
        let restored = apply_edits(text, edits);
        let measure = |text: &str, paragraphs: &[(usize, usize, usize)]| {
            Some(crate::text::round4(self.surprisal(
                text,
                paragraphs,
                per_paragraph,
            )))
        };
        (measure(text, &sample), measure(&restored, &shifted))
    }

    /// Mean −ln P(word | previous word) over the word pairs of `paragraphs` of `text`, at most
    /// `per_paragraph` from the start of each (words across a line end are not a pair); 0 without
    /// pairs. Long paragraphs are read in pieces, so memory stays bounded.
    fn surprisal(
        &self,
        text: &str,
        paragraphs: &[(usize, usize, usize)],
        per_paragraph: usize,
    ) -> f64 {
        let (mut total, mut pairs) = (0.0, 0usize);
        for &(_, start, end) in paragraphs {
            // The previous word (folded, in a buffer reused for every word) and where it ends.
            let (mut before, mut before_end) = (String::new(), None);
            let (mut piece, mut read) = (start, 0);
            while piece < end && read < per_paragraph {
                let piece_stop = piece_end(text, piece, end);
                for token in hyphenated_words(&text[piece..piece_stop]) {
                    let word = fold(token.text);
                    if let Some(before_end) = before_end
                        && !text[before_end..piece + token.start].contains('\n')
                    {
                        total -= self.model.transition(&before, &word);
                        read += 1;
                        if read == per_paragraph {
                            break;
                        }
                    }
                    before.clear();
                    before.push_str(&word);
                    before_end = Some(piece + token.end);
                }
                piece = piece_stop;
            }
            pairs += read;
        }
        if pairs == 0 {
            0.0
        } else {
            total / pairs as f64
        }
    }

    /// One reading of `paragraphs` of `text`: the edits that are sure, and the candidates that
    /// depend on whether their paragraph is spun.
    fn read(
        &self,
        text: &str,
        paragraphs: &[(usize, usize, usize)],
    ) -> (Vec<Edit>, Vec<Candidate>) {
        let mut edits = Vec::new();
        let mut candidates = Vec::new();
        for &(index, start, end) in paragraphs {
            // Long paragraphs are read in pieces cut at white space, so memory stays bounded.
            let mut piece = start;
            while piece < end {
                let piece_stop = piece_end(text, piece, end);
                self.paragraph_edits(
                    text,
                    (piece, piece_stop),
                    index,
                    &mut edits,
                    &mut candidates,
                );
                piece = piece_stop;
            }
        }
        (edits, candidates)
    }

    /// The paragraphs to read as spun, and the suspicious forms of the document. A document with
    /// enough evidence is spun, all of it; in a document that is not, a paragraph with enough of
    /// its own is (a spun passage inside a clean page).
    fn spun_paragraphs(
        &self,
        paragraphs: &[(usize, usize, usize)],
        words_seen: usize,
        words_in: impl Fn(usize) -> usize,
        edits: &[Edit],
        candidates: &[Candidate],
    ) -> (BTreeSet<usize>, usize) {
        let document = self.signs(
            &edits.iter().collect::<Vec<_>>(),
            &candidates.iter().collect::<Vec<_>>(),
        );
        if self.shows_spinner(&document, words_seen) {
            let all = paragraphs.iter().map(|&(index, _, _)| index).collect();
            return (all, document.suspicious);
        }
        type Found<'a> = (Vec<&'a Edit>, Vec<&'a Candidate>);
        let mut by_paragraph: BTreeMap<usize, Found> = BTreeMap::new();
        for edit in edits {
            by_paragraph.entry(edit.paragraph).or_default().0.push(edit);
        }
        for candidate in candidates {
            let found = by_paragraph.entry(candidate.edit.paragraph).or_default();
            found.1.push(candidate);
        }
        let spun = by_paragraph
            .into_iter()
            .filter(|(index, (edits, candidates))| {
                self.shows_spinner(&self.signs(edits, candidates), words_in(*index))
            })
            .map(|(index, _)| index)
            .collect();
        (spun, document.suspicious)
    }

    /// The sure edits and the candidates that hold, in text order. In a spun paragraph a
    /// spinner-typical form is undone unless the word model finds it overwhelmingly better, and
    /// single ordinary words are considered too; elsewhere single words are never touched.
    fn decide(
        &self,
        mut edits: Vec<Edit>,
        candidates: Vec<Candidate>,
        spun: &BTreeSet<usize>,
    ) -> Vec<Edit> {
        for candidate in candidates {
            let in_spun = spun.contains(&candidate.edit.paragraph);
            let margin = match (in_spun, candidate.needs_model) {
                (true, false) => self.config.spun_document_margin,
                (true, true) => self.config.spun_word_margin,
                (false, _) => self.config.context_margin,
            };
            if candidate.gain >= margin && (in_spun || !candidate.spun_only) {
                let mut edit = candidate.edit;
                edit.confidence = crate::text::round4(
                    1.0 / (1.0 + (self.config.context_margin - candidate.gain).exp()),
                );
                edits.push(edit);
            }
        }
        edits.sort_by_key(|edit| edit.start);
        edits
    }

    /// The spinner's signs among `edits` and `candidates`:
    /// sure evidence (tortured phrases, artefacts, context entries the word model clearly prefers
    /// undone) and single spinner synonyms that read much worse than their original, each form
    /// once (a technical text that says "prime numbers" twenty times is one odd choice, not
    /// twenty). A suspicious phrase of several words counts whole, a single word half: a phrase
    /// the spinner writes ("this may occasionally") is rarer in clean text than one odd word.
    /// Words written twice count once per paragraph.
    fn signs(&self, edits: &[&Edit], candidates: &[&Candidate]) -> Signs {
        let sure = edits
            .iter()
            .filter(|e| e.rule != EditRule::DoubledWord)
            .count()
            + doubled_word_paragraphs(edits.iter().copied());
        let clear = candidates
            .iter()
            .filter(|c| !c.spun_only && c.gain >= self.config.context_margin)
            .count();
        let suspicious_forms = candidates
            .iter()
            .filter(|c| {
                c.spun_only && !c.needs_model && !c.mention && c.gain >= self.config.suspicious_gain
            })
            .map(|c| (c.edit.from.to_lowercase(), c.edit.to.to_lowercase()))
            .collect::<BTreeSet<_>>();
        let suspicious = suspicious_forms.len();
        let phrases = suspicious_forms
            .iter()
            .filter(|(from, _)| from.contains(' '))
            .count();
        Signs {
            evidence: (sure + clear) as f64 + 0.5 * (suspicious + phrases) as f64,
            beyond_words: sure + clear + phrases,
            tortured: edits
                .iter()
                .filter(|e| e.rule == EditRule::TorturedPhrase)
                .count(),
            suspicious,
        }
    }

    /// Whether `signs` over `words` words are enough to call the text spun.
    fn shows_spinner(&self, signs: &Signs, words: usize) -> bool {
        (signs.evidence >= self.config.spun_document_min_evidence
            || signs.tortured >= self.config.spun_document_min_phrases)
            && 100.0 * signs.evidence >= self.config.spun_document_rate * words as f64
            && (signs.beyond_words >= SPUN_MIN_EVIDENCE_BEYOND_WORDS
                || 100.0 * signs.evidence
                    >= WORDS_ONLY_RATE_FACTOR * self.config.spun_document_rate * words as f64)
    }

    fn paragraph_edits(
        &self,
        text: &str,
        (start, end): (usize, usize),
        index: usize,
        edits: &mut Vec<Edit>,
        candidates: &mut Vec<Candidate>,
    ) {
        let body = &text[start..end];
        // Found on the first lexicon match only: most pieces have none.
        let mut mention_marks: Option<MentionMarks> = None;
        let make = |s: usize, e: usize, to: String, rule: EditRule, confidence: f64| Edit {
            paragraph: index,
            start: start + s,
            end: start + e,
            from: body[s..e].to_string(),
            to,
            rule,
            confidence,
        };
        let mut edit = |s: usize, e: usize, to: String, rule: EditRule, confidence: f64| {
            edits.push(make(s, e, to, rule, confidence));
        };
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for (found, replacement, place) in ARTEFACTS {
            for (s, _) in body.match_indices(found) {
                let mut e = s + found.len();
                if !artefact_in_place(body, s, e, place) {
                    continue;
                }
                if replacement.is_empty() {
                    // A removed marker takes the spaces after it along.
                    e += body[e..].len() - body[e..].trim_start_matches(' ').len();
                }
                taken.push((s, e));
                edit(s, e, replacement.to_string(), EditRule::Artefact, 0.95);
            }
        }
        for (s, e, inner, sure) in spintax(body) {
            taken.push((s, e));
            if sure {
                edit(s, e, inner.to_string(), EditRule::Spintax, 0.9);
            } else {
                // `{hardware}`: undone in a spun paragraph, never evidence that one is spun.
                candidates.push(Candidate {
                    edit: make(s, e, inner.to_string(), EditRule::Spintax, 0.0),
                    gain: BRACED_WORD_GAIN,
                    spun_only: true,
                    needs_model: true,
                    mention: false,
                });
            }
        }
        let tokens: Vec<(usize, usize, Cow<str>)> = hyphenated_words(body)
            .map(|word| (word.start, word.end, fold(word.text)))
            .collect();
        let mut i = 0;
        while i < tokens.len() {
            let overlaps = |s: usize, e: usize| taken.iter().any(|&(ts, te)| s < te && ts < e);
            let listed = self
                .entries
                .get(tokens[i].2.as_ref())
                .map_or(&[][..], Vec::as_slice);
            let matched = listed.iter().find(|entry| {
                let n = entry.spun.len();
                i + n <= tokens.len()
                    && entry
                        .spun
                        .iter()
                        .zip(&tokens[i..i + n])
                        .all(|(w, t)| *w == t.2)
                    && tokens[i..i + n]
                        .windows(2)
                        .all(|pair| body[pair[0].1..pair[1].0].chars().all(|c| c == ' '))
                    && !overlaps(tokens[i].0, tokens[i + n - 1].1)
                    && !(n == 1 && is_acronym(&body[tokens[i].0..tokens[i].1]))
            });
            let Some(entry) = matched else {
                let (s, e, word) = &tokens[i];
                // Only a word written in lower case is a fused pair: "DataProvider" is a name.
                let lowercase = body[*s..*e].chars().all(|c| !c.is_uppercase());
                if !overlaps(*s, *e) {
                    if lowercase && let Some(split) = self.fused_split(word) {
                        // Real compounds missing from the word list ("timeframe") look the same,
                        // so a split is made only in a document already shown to be spun.
                        let original = &body[*s..*e];
                        let to = format!("{} {}", &original[..split], &original[split..]);
                        candidates.push(Candidate {
                            edit: make(*s, *e, to, EditRule::FusedWord, 0.0),
                            gain: FUSED_GAIN,
                            spun_only: true,
                            needs_model: false,
                            mention: false,
                        });
                    } else if let Some(next) = tokens.get(i + 1)
                        && next.2 == *word
                        && DOUBLED_IS_AN_ERROR.contains(&word.as_ref())
                        && body[*e..next.0].chars().all(|c| c == ' ')
                    {
                        edit(*e, next.1, String::new(), EditRule::DoubledWord, 0.9);
                        taken.push((*e, next.1));
                    }
                }
                i += 1;
                continue;
            };
            let n = entry.spun.len();
            let (s, e) = (tokens[i].0, tokens[i + n - 1].1);
            let mention = mention_marks
                .get_or_insert_with(|| MentionMarks::find(body))
                .is_mention(body, s, e);
            if entry.mode == Mode::Always && mention {
                // Quoted or given as an example: what the text is about, not how it is written.
                let to = match_case(&body[s..e], &entry.original);
                candidates.push(Candidate {
                    edit: make(s, e, to, EditRule::TorturedPhrase, 0.95),
                    gain: MENTIONED_PHRASE_GAIN,
                    spun_only: true,
                    needs_model: false,
                    mention: true,
                });
            } else if entry.mode == Mode::Always {
                let to = match_case(&body[s..e], &entry.original);
                edit(s, e, to, EditRule::TorturedPhrase, 0.95);
            } else {
                // Words across a line end are not neighbours: whether a line continues the
                // paragraph can change with an edit (a line that opened with spintax), and the
                // decision must not.
                let same_line = |a: usize, b: usize| !body[a..b].contains('\n');
                let previous = i
                    .checked_sub(1)
                    .filter(|&p| same_line(tokens[p].1, s))
                    .map(|p| tokens[p].2.as_ref());
                let next = tokens
                    .get(i + n)
                    .filter(|t| same_line(e, t.0))
                    .map(|t| t.2.as_ref());
                let spun: Vec<&str> = entry.spun.iter().map(String::as_str).collect();
                // Where the lexicon lists several originals of one spun form, the one that fits
                // its neighbours best is the candidate.
                let (gain, best) = listed
                    .iter()
                    .filter(|other| other.spun == entry.spun && other.mode != Mode::Always)
                    .map(|other| {
                        let original: Vec<&str> =
                            other.original_words.iter().map(String::as_str).collect();
                        if other.mode == Mode::ReadOffPhrase
                            && !self.seen_beside(previous, &original, next)
                        {
                            return (f64::NEG_INFINITY, other);
                        }
                        (self.context_gain(previous, &original, &spun, next), other)
                    })
                    .fold((f64::NEG_INFINITY, entry), |best, next| {
                        if next.0 > best.0 { next } else { best }
                    });
                // Kept as a candidate; `normalize` decides once it knows how spun the whole
                // document is.
                candidates.push(Candidate {
                    edit: make(
                        s,
                        e,
                        match_case(&body[s..e], &best.original),
                        EditRule::InContext,
                        0.0,
                    ),
                    gain,
                    spun_only: mention
                        || matches!(best.mode, Mode::Spun | Mode::Model | Mode::ReadOffPhrase),
                    needs_model: matches!(best.mode, Mode::Model | Mode::ReadOffPhrase),
                    mention,
                });
            }
            i += n;
        }
    }

    /// Where an unknown word splits into a closed-class word and a common word that often
    /// follow each other ("anycareer" → "any career"): the byte offset of the best split.
    fn fused_split(&self, word: &str) -> Option<usize> {
        if word.len() < FUSED_MIN_BYTES
            || !word.chars().all(|c| c.is_ascii_lowercase())
            || self.model.unigram(word) > 0.0
        {
            return None;
        }
        // The split whose two words are both common and most often seen together; a split into
        // a pair never recorded together is not made (names and brands split that way).
        (2..word.len() - 1)
            .filter_map(|split| {
                let (left, right) = (&word[..split], &word[split..]);
                if !FUSED_LEFT_WORDS.contains(&left) {
                    return None;
                }
                let (left_count, right_count) =
                    (self.model.unigram(left), self.model.unigram(right));
                if left_count.min(right_count) < FUSED_MIN_COUNT {
                    return None;
                }
                let together = self.model.pair(left, right)?;
                Some((together, split))
            })
            .max()
            .map(|(_, split)| split)
    }

    /// Whether the word model has seen `middle` right after `previous` or right before `next`.
    fn seen_beside(&self, previous: Option<&str>, middle: &[&str], next: Option<&str>) -> bool {
        let (Some(first), Some(last)) = (middle.first(), middle.last()) else {
            return false;
        };
        previous.is_some_and(|p| self.model.pair(p, first).is_some())
            || next.is_some_and(|n| self.model.pair(last, n).is_some())
    }

    /// How much better (ln-probability) the original fits between the neighbours than the spun
    /// form: only the transitions into and out of the phrase count, so that a long spun phrase is
    /// not judged by its own inner word pairs.
    fn context_gain(
        &self,
        previous: Option<&str>,
        original: &[&str],
        spun: &[&str],
        next: Option<&str>,
    ) -> f64 {
        let fit = |middle: &[&str]| {
            let (Some(first), Some(last)) = (middle.first(), middle.last()) else {
                return 0.0;
            };
            let left = previous.map_or(0.0, |p| self.model.transition(p, first));
            let right = next.map_or(0.0, |n| self.model.transition(last, n));
            left + right
        };
        let original_fit = fit(original);
        original_fit - fit(spun)
    }
}

/// Longest piece of a paragraph read at once.
const PIECE_BYTES: usize = 64 * 1024;

/// Where the piece of `text[start..limit]` that starts at `start` ends: at most `PIECE_BYTES`
/// later, just after a white-space character when there is one.
fn piece_end(text: &str, start: usize, limit: usize) -> usize {
    if limit - start <= PIECE_BYTES {
        return limit;
    }
    let mut end = start + PIECE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[start..end].rfind(char::is_whitespace) {
        Some(space) if space > 0 => start + space + 1,
        _ => end,
    }
}

/// Leftover spintax: `{...}` with no nested braces, at most 60 bytes, holding words only
/// (letters, spaces, apostrophes, hyphens and `|`; so code, JSON and templates such as `{"id": 1}`,
/// `{{ x }}` or `${HOME}` are left alone), as (start, end, restored, sure): the first alternative
/// of `{a|b}`, or the inner text of `{a b}` or `{hardware}`. Only several words or alternatives
/// are `sure`: one word in braces is more often a placeholder (`{name}`) than spintax.
fn spintax(body: &str) -> Vec<(usize, usize, &str, bool)> {
    let mut found = Vec::new();
    let mut search = 0;
    while let Some(open) = body[search..].find('{').map(|i| search + i) {
        let Some(close) = body[open + 1..].find(['}', '{']).map(|i| open + 1 + i) else {
            break;
        };
        if body[close..].starts_with('}') && close - open <= 60 && close > open + 1 {
            let inner = &body[open + 1..close];
            let words_only = inner
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '|' | '\'' | '’' | '-'));
            let templated = body[..open].ends_with(['$', '%', '#', '{']);
            let restored = inner.split('|').next().unwrap_or(inner).trim();
            let phrase = inner.trim().contains([' ', '|']);
            // A spinner writes its alternatives tight (`{a|b}`); spaced ones are notation
            // (`{ digit | lower }` in a grammar).
            let tight = !inner.starts_with(' ')
                && !inner.ends_with(' ')
                && !inner.contains(" |")
                && !inner.contains("| ");
            if words_only && tight && !templated && restored.chars().any(char::is_alphabetic) {
                found.push((open, close + 1, restored, phrase));
            }
        }
        search = close;
    }
    found
}

/// Gives `original` the capitalisation (first letter, or all capitals) and the apostrophes of
/// `found`.
fn match_case(found: &str, original: &str) -> String {
    let typographic;
    let original = if found.contains('’') {
        typographic = original.replace('\'', "’");
        typographic.as_str()
    } else {
        original
    };
    let letters: Vec<char> = found.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        return original.to_uppercase();
    }
    match (found.chars().next(), original.chars().next()) {
        (Some(f), Some(o)) if f.is_uppercase() && !o.is_uppercase() => {
            let mut out: String = o.to_uppercase().collect();
            out.push_str(&original[o.len_utf8()..]);
            out
        }
        _ => original.to_string(),
    }
}

/// The original text with the edits applied (edits in text order; one that overlaps an earlier
/// one is left out).
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    Restoration::new(text, edits).text
}

/// A document's restored text, made once from the normaliser's edits, with the map back to the
/// original's byte offsets that every reader of the restored text (grouping, themes, the report)
/// goes through.
#[derive(Debug, Clone, PartialEq)]
pub struct Restoration {
    text: String,
    /// The edits applied, in text order, each as its range in the original and in `text`.
    applied: Vec<AppliedEdit>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct AppliedEdit {
    original: (usize, usize),
    restored: (usize, usize),
}

impl Restoration {
    /// The original text with the edits applied (edits in text order; one that overlaps an
    /// earlier one is left out).
    pub fn new(original: &str, edits: &[Edit]) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut applied = Vec::with_capacity(edits.len());
        let mut position = 0;
        for edit in edits {
            if edit.start < position {
                continue;
            }
            text.push_str(&original[position..edit.start]);
            let restored_start = text.len();
            text.push_str(&edit.to);
            applied.push(AppliedEdit {
                original: (edit.start, edit.end),
                restored: (restored_start, text.len()),
            });
            position = edit.end;
        }
        text.push_str(&original[position..]);
        Self { text, applied }
    }

    /// The whole restored text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The whole restored text, taken.
    pub fn into_text(self) -> String {
        self.text
    }

    /// The restored text of the original's bytes `start..end` when an edit lies wholly inside
    /// them (edits across either edge are left out), `None` when nothing inside changed.
    /// `original` is the text the restoration was made from.
    pub fn restored_span<'a>(
        &'a self,
        original: &'a str,
        start: usize,
        end: usize,
    ) -> Option<std::borrow::Cow<'a, str>> {
        // Edits wholly before `start` (an empty edit at `start` is inside), then those inside.
        let first = self
            .applied
            .partition_point(|a| a.original.1 <= start && a.original.0 < start);
        let past = self.applied.partition_point(|a| a.original.1 <= end);
        let inside = &self.applied[first..past];
        let straddles_start = self
            .applied
            .get(first)
            .is_some_and(|a| a.original.0 < start);
        let straddles_end = self.applied.get(past).is_some_and(|a| a.original.0 < end);
        if inside.is_empty() {
            return None;
        }
        if !straddles_start && !straddles_end {
            let shift = |k: usize| match k.checked_sub(1) {
                Some(last) => {
                    self.applied[last].restored.1 as isize - self.applied[last].original.1 as isize
                }
                None => 0,
            };
            let from = (start as isize + shift(first)) as usize;
            let to = (end as isize + shift(past)) as usize;
            return Some(std::borrow::Cow::Borrowed(&self.text[from..to]));
        }
        // An edit across an edge: the span's own edits applied to its original bytes.
        let inside: Vec<&AppliedEdit> = inside.iter().filter(|a| a.original.0 >= start).collect();
        if inside.is_empty() {
            return None;
        }
        let mut text = String::with_capacity(end - start);
        let mut position = start;
        for edit in inside {
            text.push_str(&original[position..edit.original.0]);
            text.push_str(&self.text[edit.restored.0..edit.restored.1]);
            position = edit.original.1;
        }
        text.push_str(&original[position..end]);
        Some(std::borrow::Cow::Owned(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::SegmentConfig;

    fn normalizer() -> Normalizer {
        NormalizeConfig::default()
            .build()
            .expect("the built-in lexicon parses")
    }

    fn run(text: &str) -> (Mangling, String) {
        let segmented = SegmentConfig::default().build().segment(text);
        let english = vec![true; segmented.paragraphs.len()];
        let mangling = normalizer().normalize(text, &segmented, &english);
        let restored = apply_edits(text, &mangling.edits);
        (mangling, restored)
    }

    /// The restored text of a span, the long way: the edits wholly inside it applied to its bytes.
    fn restored_span_by_hand(
        text: &str,
        edits: &[Edit],
        start: usize,
        end: usize,
    ) -> Option<String> {
        let inside: Vec<Edit> = edits
            .iter()
            .filter(|e| e.start >= start && e.end <= end)
            .map(|e| Edit {
                start: e.start - start,
                end: e.end - start,
                ..e.clone()
            })
            .collect();
        (!inside.is_empty()).then(|| apply_edits(&text[start..end], &inside))
    }

    #[test]
    fn a_restored_span_is_the_span_with_its_own_edits() {
        let text = "abcdefghijklmnopqrstuvwxyz";
        let edit = |start, end, to: &str| Edit {
            paragraph: 0,
            start,
            end,
            from: text[start..end].to_string(),
            to: to.to_string(),
            rule: EditRule::TorturedPhrase,
            confidence: 1.0,
        };
        let edit_sets = [
            vec![edit(2, 4, "XYZW"), edit(10, 13, ""), edit(20, 20, "++")],
            vec![
                edit(0, 1, "A"),
                edit(1, 1, "-"),
                edit(5, 9, "é"),
                edit(7, 12, "skipped"),
            ],
            vec![edit(24, 26, "end")],
        ];
        for edits in &edit_sets {
            let restoration = Restoration::new(text, edits);
            assert_eq!(restoration.text(), apply_edits(text, edits));
            for start in 0..=text.len() {
                for end in start..=text.len() {
                    let by_hand = restored_span_by_hand(text, edits, start, end);
                    let made = restoration
                        .restored_span(text, start, end)
                        .map(|t| t.into_owned());
                    // An edit left out of the whole text (overlapping an earlier one) is left out
                    // of every span too.
                    if edits
                        .iter()
                        .any(|e| e.to == "skipped" && e.start >= start && e.end <= end)
                    {
                        continue;
                    }
                    assert_eq!(made, by_hand, "{start}..{end} of {edits:?}");
                }
            }
        }
    }

    #[test]
    fn tortured_phrases_are_undone_with_case_kept() {
        let (mangling, restored) =
            run("Imaginative and prescient matters. Our imaginative and prescient is clear.");
        assert_eq!(restored, "Vision matters. Our vision is clear.");
        assert!(
            mangling
                .edits
                .iter()
                .all(|e| e.rule == EditRule::TorturedPhrase)
        );
    }

    /// A row recorded at a sentence start is written in lower case, so that inside a sentence
    /// its original is too (the original takes the case of the text it replaces).
    #[test]
    fn a_phrase_inside_a_sentence_is_restored_in_lower_case() {
        let (_, restored) = run(
            "Our imaginative and prescient is clear. The rule restricted the flexibility to \
             commerce, and we want additional dialogue on it.",
        );
        assert!(
            restored.contains(" the ability to commerce")
                && restored.contains("want further discussion"),
            "{restored}"
        );
    }

    #[test]
    fn restoring_makes_the_text_more_probable_under_the_word_model() {
        let (spun, _) = run(
            "It surely's extraordinarily laborious to construct the following technology of leaders \
             with advertising and marketing and imaginative and prescient as a result of buyer success.",
        );
        let (before, after) = (spun.evidence.surprisal, spun.evidence.restored_surprisal);
        assert!(
            matches!((before, after), (Some(b), Some(a)) if a < b - 0.5),
            "{before:?} {after:?}"
        );
        let (clean, _) = run("It is extremely hard to build the next generation of leaders.");
        assert_eq!(clean.evidence.surprisal, None);
    }

    #[test]
    fn spintax_and_artefacts_are_undone() {
        let (mangling, restored) = run("[ad_1] A vague element {of professional} growth.");
        assert_eq!(restored, "A vague element of professional growth.");
        assert_eq!(mangling.evidence.artefacts, 2);
        let (_, restored) = run("Pick {the best|a good} mentor.");
        assert_eq!(restored, "Pick the best mentor.");
    }

    #[test]
    fn source_labels_count_only_where_an_autoblog_puts_them() {
        let (mangling, restored) = run(
            "The chart shows the trend | Supply: Glassnode\n\nTraders wait.\nSupply hyperlink\n",
        );
        assert_eq!(mangling.evidence.artefacts, 2);
        assert_eq!(
            restored,
            "The chart shows the trend | Source: Glassnode\n\nTraders wait.\nSource link\n"
        );
        // The same words as English: a verb, a plural, a label before a definition.
        let text = "How to supply hyperlinks in a report.\n\nSupply hyperlinks to relevant \
                    sources.\n\nSupply: the amount of a good offered for sale.\n";
        let (mangling, restored) = run(text);
        assert!(mangling.edits.is_empty(), "{:?}", mangling.edits);
        assert_eq!(restored, text);
    }

    #[test]
    fn a_run_of_doubled_words_is_one_slip_not_a_spun_text() {
        // The sign-writer joke: many doubled words in one paragraph, in clean English whose
        // ordinary words ("necessary", "knowledge") a spun text would have had undone.
        let text = "Would the sentence \"I said that that that that that boy used was wrong\" \
                    be clearer with and and and and and and and quotation marks? It is not \
                    necessary to know everything; knowledge of the rules is enough.";
        let (mangling, restored) = run(text);
        assert!(!mangling.mangled, "{:?}", mangling.evidence);
        assert_eq!(mangling.evidence.artefacts, 1);
        assert!(restored.contains("necessary to know everything; knowledge of the rules"));
    }

    #[test]
    fn a_short_spun_passage_is_recognised_by_its_spinner_phrases() {
        // Thirty words of seed 003 with no tortured phrase that is never English, but five spinner
        // forms that read much worse than their originals: four words (discover, talking,
        // expertise, …) at half a piece of evidence each, and the phrase "this may occasionally"
        // at a whole one — three pieces, enough (at half for the phrase too it was not).
        let text = "the mentees. Performed proper, mentors too, will discover themselves \
                    reimagining what’s potential. This may occasionally sound like Pollyanna-style \
                    considering, however I’m talking from my very own expertise and from observing";
        let (mangling, restored) = run(text);
        assert!(mangling.mangled, "{:?}", mangling.evidence);
        assert!(restored.contains("Done right") && restored.contains("This may sound"));
    }

    #[test]
    fn code_and_templates_in_braces_are_not_spintax() {
        let text = "Send {\"id\": 1} or {a, b} to ${HOME} with {{ github.ref }}, { name }, {name} and {0} here. \
             A class is { digit | lower | upper }.";
        let (mangling, restored) = run(text);
        assert!(mangling.edits.is_empty(), "{:?}", mangling.edits);
        assert_eq!(restored, text);
    }

    #[test]
    fn a_word_left_in_braces_is_undone_only_in_spun_text() {
        let spun = "Imaginative and prescient and advertising and marketing: the brand new {hardware} \
            pockets is extraordinarily laborious to make use of, it surely's a {hardware} downside.";
        let (mangling, restored) = run(spun);
        assert!(mangling.mangled, "{:?}", mangling.evidence);
        assert!(
            restored.contains("new hardware wallet") && restored.contains("a hardware"),
            "{restored}"
        );
        let clean = "Hello {name}, your {hardware} order has shipped.";
        assert_eq!(run(clean).1, clean);
    }

    #[test]
    fn fused_and_doubled_words_are_undone() {
        let spun = "Imaginative and prescient, extraordinarily laborious and within the the content material: it surely's an issue for theteam and its userbase.";
        let (mangling, restored) = run(spun);
        // Two content words run together are a compound the word list lacks, left alone.
        assert_eq!(
            restored,
            "Vision, extremely hard and in the content: it's an issue for the team and its userbase."
        );
        let rules: Vec<EditRule> = mangling.edits.iter().map(|e| e.rule).collect();
        assert!(rules.contains(&EditRule::FusedWord) && rules.contains(&EditRule::DoubledWord));
        // Outside a spun document an unknown compound is left alone.
        let (mangling, _) = run("We set a timeframe for the inhouse team.");
        assert!(mangling.edits.is_empty(), "{:?}", mangling.edits);
        // Known words, names and short unknown words are not split.
        let (mangling, _) = run("Mentorship helps Pollyanna and Xqzt grow.");
        assert!(mangling.edits.is_empty(), "{:?}", mangling.edits);
    }

    #[test]
    fn clean_english_is_left_alone() {
        let text = "Mentorship is a valuable career accelerator. As you grow in your career, it becomes increasingly important to have a guide who can offer radical candor and open doors to new networks.";
        let (mangling, restored) = run(text);
        assert!(mangling.edits.is_empty(), "{:?}", mangling.edits);
        assert_eq!(restored, text);
        assert!(!mangling.mangled);
    }

    #[test]
    fn ordinary_english_that_a_spinner_also_writes_is_left_alone_in_a_clean_text() {
        // Each phrase here is a spinner output too (insurance policies for *policies*, lets in
        // for *allows*, searching out for *looking for*), so such rows are `spun`: never undone
        // outside a document shown to be spun. One text holds a few (a text made of nothing else
        // reads as spun, rightly); each is checked in its own.
        let texts = [
            "The phone is available in three colours. Children in danger of falling behind get \
             help, and there was a rise in prices.",
            "The house owners had insurance policies that covered floods. I am completely happy, \
             and the team lets in new members each spring.",
            "At some point of the day we changed into work clothes. The legal professionals \
             reviewed the sets of rules.",
            "We are searching out an office and may probably move in May. These colours go well \
             with each other.",
            "Seek the advice of a doctor before any weight loss program. Honey works as a \
             substitute for sugar.",
            "The federal authorities said the software program may occasionally fail, and \
             household members said in all probability.",
            "In the past, it turned out to be the opposite, thus far. It might probably rain on \
             the court docket.",
            "Younger individuals study extra legal guidelines and scale back their positive factors.",
            "They live in a white home and are inexperienced persons at code evaluation.",
        ];
        for text in texts {
            let (mangling, restored) = run(text);
            assert!(mangling.edits.is_empty(), "{text}: {:?}", mangling.edits);
            assert_eq!(restored, text);
        }
    }

    #[test]
    fn in_a_spun_document_spinner_forms_are_undone_against_a_weak_model() {
        // "in line with" and "buying and selling" are ordinary English, and next to spun
        // neighbours the bigram model prefers them; in a document shown to be spun the spinner
        // wrote them, and the edit says so with a confidence below one half.
        let spun = "Our imaginative and prescient is clear. In line with the report, buying and selling \
                    is extraordinarily laborious as a result of it surely's a brand new market.";
        let (mangling, restored) = run(spun);
        assert!(restored.starts_with("Our vision is clear. According to the report, trading is"));
        let according = mangling
            .edits
            .iter()
            .find(|e| e.to == "According to")
            .unwrap();
        assert!(according.confidence < 0.5, "{according:?}");
        // The same sentence in clean English is left alone.
        let (mangling, _) = run("In line with the report, the board met on Monday.");
        assert!(mangling.edits.is_empty(), "{:?}", mangling.edits);
    }

    #[test]
    fn the_spinners_course_of_is_undone_and_the_idiom_kept() {
        // The spinner writes "course of" for *process*; "over the course of" is English all the
        // same, and the word model tells the two apart in a spun text.
        let spun = "The imaginative and prescient of the corporate is obvious, and synthetic \
                    intelligence helps. Over the course of a month, the staff will full the brewing \
                    course of and share the content material with their mates.";
        let (_, restored) = run(spun);
        assert!(
            restored.contains("Over the course of a month"),
            "{restored}"
        );
        assert!(restored.contains("the brewing process and"), "{restored}");
    }

    #[test]
    fn two_tortured_phrases_make_a_short_text_spun() {
        // Too short for three pieces of evidence, but two phrases clean English never holds:
        // the single spinner synonym ("additionally") is undone too.
        let (_, restored) =
            run("Our imaginative and prescient is additionally clear: it surely's working.");
        assert_eq!(restored, "Our vision is also clear: it's working.");
        // One such phrase is not enough: the ordinary word stays.
        let (_, restored) = run("Our imaginative and prescient is additionally clear.");
        assert_eq!(restored, "Our vision is additionally clear.");
    }

    #[test]
    fn model_entries_need_the_model_even_in_a_spun_document() {
        // "these" is the spinner's word for "those" as often as an author's own: in a spun
        // document it is undone only where the word model does not clearly prefer "these"
        // ("these results": by more than `spun_word_margin`).
        let spun = "Our imaginative and prescient is clear: it surely's for these who wait, \
                    as a result of these results show.";
        let (_, restored) = run(spun);
        assert_eq!(
            restored,
            "Our vision is clear: it's for those who wait, because these results show."
        );
        // Outside a spun document it is never considered.
        let (mangling, _) = run("It is for these who wait.");
        assert!(mangling.edits.is_empty(), "{:?}", mangling.edits);
    }

    #[test]
    fn spun_word_margin_sets_how_clearly_the_model_must_prefer_a_single_words_original() {
        // "these" -> "those" is a `model` entry: in a spun text it is undone where the word model
        // finds "those" at least `spun_word_margin` better between the neighbours.
        let spun = "Our imaginative and prescient is clear: it surely's for these who wait.";
        let run_with = |margin: f64| {
            let normalizer = NormalizeConfig {
                spun_word_margin: margin,
                ..NormalizeConfig::default()
            }
            .build()
            .expect("the built-in lexicon parses");
            let segmented = SegmentConfig::default().build().segment(spun);
            let english = vec![true; segmented.paragraphs.len()];
            let mangling = normalizer.normalize(spun, &segmented, &english);
            apply_edits(spun, &mangling.edits)
        };
        assert_eq!(
            run_with(-1.0),
            "Our vision is clear: it's for those who wait."
        );
        // A margin no context reaches leaves the single word, and the phrases are still undone.
        assert_eq!(
            run_with(100.0),
            "Our vision is clear: it's for these who wait."
        );
    }

    #[test]
    fn a_spun_paragraph_in_a_clean_document_is_read_as_spun() {
        let clean = "Mentors open doors to new networks, and they additionally help their mentees \
                     plan the next step of a career.\n\n";
        let spun = "Our imaginative and prescient is clear: it surely's extraordinarily laborious, \
                    and we additionally know it.";
        let text = format!("{}{spun}", clean.repeat(30));
        let (mangling, restored) = run(&text);
        assert!(!mangling.mangled, "{:?}", mangling.evidence);
        // The spun paragraph loses its single spinner synonym too; the clean ones keep theirs.
        assert!(
            restored.ends_with("Our vision is clear: it's extremely hard, and we also know it.")
        );
        assert_eq!(restored.matches("they additionally help").count(), 30);
    }

    #[test]
    fn the_compiled_bigram_map_answers_like_the_text_list() {
        let model = WordModel::load();
        // Lines of `bigrams.txt`, looked up in the map `build.rs` compiled from it.
        assert_eq!(model.pair("abbott", "and"), Some(7_861_376));
        assert!(
            model
                .pair("of", "the")
                .is_some_and(|count| count > 1_000_000)
        );
        assert_eq!(model.pair("zebra", "mentorship"), None);
        assert_eq!(model.pair("zzqx", "the"), None);
        // Every listed pair of two known words, with the last count listed for it.
        let mut listed: HashMap<(&str, &str), u64> = HashMap::default();
        for line in include_str!("normalize/bigrams.txt").lines() {
            let (pair, count) = line.rsplit_once(' ').unwrap();
            let (first, second) = pair.split_once(' ').unwrap();
            if model.unigrams.contains_key(first) && model.unigrams.contains_key(second) {
                listed.insert((first, second), count.trim().parse().unwrap());
            }
        }
        assert!(listed.len() > 200_000);
        for ((first, second), count) in listed {
            assert_eq!(model.pair(first, second), Some(count), "{first} {second}");
        }
        assert!(model.transition("of", "the") > model.transition("the", "of"));
    }

    #[test]
    fn a_users_context_entry_applies_outside_spun_text_and_a_spun_entry_does_not() {
        let mut lexicon = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(
            &mut lexicon,
            b"spun\toriginal\tmode\tsource\ntelly box\ttelevision\tcontext\tuser\nwireless set\tradio\tspun\tuser\n",
        )
        .unwrap();
        // Any gain suffices here, so only the modes decide.
        let config = NormalizeConfig {
            lexicon: Some(lexicon.path().to_path_buf()),
            context_margin: f64::NEG_INFINITY,
            ..NormalizeConfig::default()
        };
        let text = "We watched the telly box and heard the wireless set after dinner.";
        let segmented = SegmentConfig::default().build().segment(text);
        let mangling = config.build().unwrap().normalize(text, &segmented, &[true]);
        assert!(!mangling.mangled);
        assert_eq!(
            apply_edits(text, &mangling.edits),
            "We watched the television and heard the wireless set after dinner."
        );
    }

    #[test]
    fn context_entries_need_the_model() {
        let model = WordModel::load();
        assert!(model.unigram("the") > model.unigram("mentorship"));
        // "the next generation" reads better than "the following technology".
        let normalizer = normalizer();
        let gain =
            normalizer.context_gain(Some("the"), &["next"], &["following"], Some("generation"));
        assert!(gain > 0.0, "{gain}");
    }

    /// Normalises `text`, then the result, and checks the second run changes nothing.
    fn assert_idempotent(text: &str) {
        let (_, once) = run(text);
        let (mangling, twice) = run(&once);
        assert!(mangling.edits.is_empty(), "{:?}", mangling.edits);
        assert_eq!(once, twice);
    }

    #[test]
    fn normalising_twice_changes_nothing_more() {
        assert_idempotent(
            "Efficient mentorship, as a result of it is the important thing to success, by way of advertising and marketing.",
        );
    }

    #[test]
    fn a_line_that_opened_with_spintax_does_not_change_the_decision() {
        // Found by the idempotence property: "{of" opens a paragraph of its own, "of" continues
        // the line before, so the word after "as a result of" differed between the two readings.
        assert_idempotent(
            "imaginative and prescient imaginative and prescient as a result of \n {of professional}",
        );
    }

    /// Fails naming the first row whose original holds the spun form of another row.
    fn assert_no_row_feeds_another(rows: &[LexiconRow]) {
        if let Some((holder, spun)) = first_self_feeding_row(rows) {
            panic!(
                "{} restores to text that contains the spun form of {}",
                rows[holder].describe(),
                rows[spun].describe()
            );
        }
    }

    #[test]
    fn no_original_is_itself_spun_so_normalising_is_idempotent() {
        let mut rows = Vec::new();
        parse_lexicon(LEXICON_TSV, BUILT_IN_LEXICON, &[], &mut rows).unwrap();
        assert_no_row_feeds_another(&rows);
    }

    #[test]
    fn single_word_pairs_read_from_phrases_keep_normalising_idempotent() {
        let mut rows = Vec::new();
        parse_lexicon(LEXICON_TSV, BUILT_IN_LEXICON, &[], &mut rows).unwrap();
        let derived = single_word_substitutions(&rows);
        assert!(derived.len() > 50, "only {} pairs", derived.len());
        rows.extend(derived.into_iter().map(|entry| LexiconRow {
            entry,
            origin: "derived",
            line: 0,
        }));
        assert_no_row_feeds_another(&rows);
    }

    #[test]
    fn a_phrase_that_differs_in_one_word_gives_that_word_pair() {
        let tsv = "spun\toriginal\tmode\tsource\n\
                   tv sequence\tTV series\talways\ttest\n\
                   the identical\tthe same\tspun\ttest\n\
                   two differing words\tboth differ here\talways\ttest\n\
                   attract\tdraw\tspun\ttest\n\
                   a attract\ta draw\talways\ttest\n\
                   quick concept\tquick idea\talways\ttest\n\
                   concept car\tconcept vehicle\tspun\ttest\n";
        let mut rows = Vec::new();
        parse_lexicon(tsv, "test", &[], &mut rows).unwrap();
        let pairs: Vec<(String, String, Mode)> = single_word_substitutions(&rows)
            .into_iter()
            .map(|entry| (entry.spun.join(" "), entry.original, entry.mode))
            .collect();
        // `attract` is listed on its own already, `two differing words` differs in three words,
        // and `concept` -> `idea` is refused: `concept vehicle`, an original, would change again.
        let model =
            |spun: &str, original: &str| (spun.into(), original.into(), Mode::ReadOffPhrase);
        assert_eq!(
            pairs,
            vec![
                model("car", "vehicle"),
                model("identical", "same"),
                model("sequence", "series")
            ]
        );
    }

    fn edit(text: &str, start: usize, end: usize, to: &str) -> Edit {
        Edit {
            paragraph: 0,
            start,
            end,
            from: text[start..end].to_string(),
            to: to.to_string(),
            rule: EditRule::InContext,
            confidence: 0.9,
        }
    }

    #[test]
    fn later_edits_fold_into_edits_of_the_original() {
        let original = "aa bb cc dd ee";
        let earlier = vec![edit(original, 3, 5, "BBBB"), edit(original, 9, 11, "")];
        let current = apply_edits(original, &earlier);
        assert_eq!(current, "aa BBBB cc  ee");
        // One later edit overlaps the first earlier edit, the other touches the second.
        let later = vec![edit(&current, 5, 10, "X"), edit(&current, 11, 14, "E")];
        let expected = apply_edits(&current, &later);
        let merged = merge_edits(original, &current, earlier, later);
        assert_eq!(apply_edits(original, &merged), expected);
        assert_eq!(merged.len(), 2);
        for e in &merged {
            assert_eq!(original[e.start..e.end], e.from);
        }
    }
}
