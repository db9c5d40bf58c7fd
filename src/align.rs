//! Alignment of two versions of one article (a translation, or a copy): paragraphs first, then the
//! sentences inside each aligned pair of paragraphs.
//!
//! A dynamic-programming aligner in the style of Gale & Church (1993): two texts that say the same
//! thing have proportional lengths, so the cost of pairing `a` segments with `b` segments is the
//! improbability of their length ratio under a normal model, plus the prior cost of the bead type
//! (1-1, 1-2, 2-1, 1-0, 0-1). Anchors lower the cost: numbers both segments contain, words they
//! share (names and cognates, by their first four letters), punctuation they keep, and both being
//! headings. A heading is never merged with body text. [`group`] finds which documents of a
//! corpus are versions of one article.

pub mod group;
pub mod units;

use crate::memo::Memo;
use crate::segment::{Segmented, Span};
use crate::text::{Token, TokenKind, stable_hash, tokens};
use serde::Serialize;

/// One row of an alignment: segments of `a` paired with segments of `b` (either may be empty
/// when a version lacks the segment).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Bead {
    /// Indices into the first version.
    pub a: Vec<usize>,
    /// Indices into the second version.
    pub b: Vec<usize>,
    /// How well the two sides match, 0..1.
    pub score: f64,
}

/// Paragraph and sentence alignment of two documents.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Alignment {
    /// Paragraph beads, in order.
    pub paragraphs: Vec<Bead>,
    /// Sentence beads, in order; sentence indices count through the whole document.
    pub sentences: Vec<Bead>,
}

/// What the aligner needs to know about one segment.
#[derive(Debug, Clone)]
struct Segment {
    /// Length in characters.
    length: f64,
    /// A heading or boilerplate line: paired only one to one.
    heading: bool,
    numbers: Vec<String>,
    /// Hashes of what two versions of it share across languages, sorted and distinct: the first
    /// four letters (lower case, accents and scripts folded to ASCII) of each word of four letters
    /// or more (names, cognates: *September*, *septembre*), its numbers, and the punctuation that
    /// translations keep (`?`, `!`, `(`, `:`, `;`).
    words: Vec<u64>,
    /// The hashes of `words` that the segment before it in its list holds too, sorted (filled
    /// by [`linked`]): what a bead merging the two counts once.
    shared_with_previous: Vec<u64>,
    /// Hashes of the tokens that name something (numbers of two digits or more, capitalised or
    /// alphanumeric Latin-script words, and the sound of names in katakana and Latin letters),
    /// sorted and distinct: filled for paragraphs only (by [`with_anchors`]).
    anchors: Vec<u64>,
    /// Written in Chinese, Japanese or Korean script with no word of [`Segment::words`] at all
    /// (no name, number or kept punctuation): sharing no words with the other side says nothing.
    wordless_cjk: bool,
    /// An item of a list (`- `, `* `, `• `, `・`, `1. `, `1) `): set for paragraphs only (by
    /// [`with_anchors`]), as translations keep their lists.
    list_item: bool,
}

/// Bead shapes with their prior probabilities (Gale & Church 1993, Table 5). Two to two and three
/// to one were tried: on the Bleualign test set they raised strict F1 from 0.815 to 0.827 (at a
/// tenth of their share of beads), but they merged the seeds' one-to-one sentences.
const BEADS: [((u8, u8), f64); 5] = [
    ((1, 1), 0.89),
    ((1, 0), 0.005),
    ((0, 1), 0.005),
    ((2, 1), 0.045),
    ((1, 2), 0.045),
];

/// Half-width of the band of the alignment table that is filled, beyond the length difference.
const BAND: usize = 100;

/// Variance of the length difference per character (Gale & Church's s²).
const VARIANCE: f64 = 6.8;

/// Letters of a word compared across versions (Simard, Foster & Isabelle 1992 call words that
/// share their first four letters cognates).
const COGNATE_PREFIX: usize = 4;

/// Cost of pairing a heading with body text, or a list item with prose: translations keep the
/// structure of their text.
const STRUCTURE_MISMATCH: f64 = 3.0;

/// Cost taken off for each number the two sides share.
const NUMBER_BONUS: f64 = 2.0;

/// Cost of sharing no words at all, where the documents share words overall (scaled by the
/// Dice coefficient relative to the documents'); half of it for a segment left unpaired.
const SHARED_WORDS_WEIGHT: f64 = 6.0;

/// From this Dice coefficient of the two documents' words on, shared words are full evidence;
/// below it (two scripts, where only names and numbers can be shared) they count in proportion.
const INFORMATIVE_OVERLAP: f64 = 0.1;

/// The weight of shared words for two documents that share `overlap` of their words: two
/// versions in different scripts share almost none, and a segment pair sharing none of them is
/// then no sign of a wrong pair.
fn shared_words_weight(overlap: f64) -> f64 {
    SHARED_WORDS_WEIGHT * (overlap / INFORMATIVE_OVERLAP).min(1.0)
}

/// Whether runs of segments of one version may be missing as a whole (a copy cut short, or one
/// lacking a section).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// Paragraphs: one version may stop early; the other's rest is cut off at once, for the cost
    /// of one unpaired segment and [`CUT_PER_SEGMENT`] for each further one. A run of the
    /// longer version's paragraphs left unpaired inside costs the same and one unpaired segment
    /// more where the versions pair again (a missing section is an event at each of its ends,
    /// not many dropped paragraphs).
    MayBeCut,
    /// Sentences of a paragraph pair, or parallel lines: both run to the end, and each unpaired
    /// segment pays in full.
    Whole,
}

/// Cost of each segment cut off after the first, when a version stops early or lacks a
/// section: one cut, however long, is one event, not many dropped paragraphs.
const CUT_PER_SEGMENT: f64 = 0.5;

/// Aligns two segmented documents: paragraphs, then sentences inside each paragraph bead.
pub fn align(text_a: &str, a: &Segmented, text_b: &str, b: &Segmented) -> Alignment {
    let paragraphs = align_paragraphs(text_a, a, text_b, b);
    let sentences = align_sentences_within(text_a, a, text_b, b, &paragraphs);
    Alignment {
        paragraphs,
        sentences,
    }
}

/// The paragraph beads of [`align`] alone (what scoring a pair reads).
pub fn align_paragraphs(text_a: &str, a: &Segmented, text_b: &str, b: &Segmented) -> Vec<Bead> {
    align_paragraphs_in_scripts(
        (text_a, a, tokens::dominant_script(text_a)),
        (text_b, b, tokens::dominant_script(text_b)),
        &ParagraphCache::default(),
    )
}

/// [`align_paragraphs`] with each version's [`tokens::dominant_script`] known already (grouping
/// keeps it in the fingerprint), and its paragraphs as the aligner reads them taken from `cache`
/// when an earlier pair read them.
pub(crate) fn align_paragraphs_in_scripts(
    (text_a, a, script_a): (&str, &Segmented, tokens::DocumentScript),
    (text_b, b, script_b): (&str, &Segmented, tokens::DocumentScript),
    cache: &ParagraphCache,
) -> Vec<Bead> {
    // Names in katakana are heard in the other version's Latin letters only when one of them
    // is Japanese.
    let sounds = [script_a, script_b].contains(&tokens::DocumentScript::Japanese);
    let across_scripts = script_a != script_b;
    let paragraphs_a = cache.paragraphs(text_a, a, sounds, across_scripts);
    let paragraphs_b = cache.paragraphs(text_b, b, sounds, across_scripts);
    align_segments(&paragraphs_a, &paragraphs_b, Ends::MayBeCut)
}

/// A document's paragraphs as the aligner reads them, for pairs of one kind (whether sounds of
/// names count, whether the two are in different scripts).
fn read_paragraphs(
    text: &str,
    segmented: &Segmented,
    sounds: bool,
    across_scripts: bool,
) -> Vec<Segment> {
    // Headings and boilerplate lines stand alone: they are never merged with body text.
    linked(
        segmented
            .paragraphs
            .iter()
            .map(|p| {
                // The paragraph's words, read once for its words and for its anchors.
                let body = &text[p.span.start..p.span.end];
                let parts: Vec<Token> = word_parts_outside_cjk(body).collect();
                with_anchors(
                    segment_of(
                        text,
                        p.span,
                        p.heading || p.boilerplate,
                        parts.iter().copied(),
                    ),
                    body,
                    &parts,
                    sounds,
                    across_scripts,
                )
            })
            .collect(),
    )
}

/// Documents' paragraphs as the aligner read them for the last pairs it aligned, so that a
/// document in many candidate pairs is read once: kept for one run of pair scoring over one set
/// of documents (a document is known by where its text is, its length and the kind of pair). It
/// holds two generations of at most 8,192 readings each (a `memo::Memo`), so the documents read last
/// stay whatever the size of the corpus.
pub struct ParagraphCache {
    read: Memo<(usize, usize, bool, bool), std::sync::Arc<Vec<Segment>>>,
}

impl Default for ParagraphCache {
    fn default() -> Self {
        Self {
            read: Memo::new(Self::GENERATION),
        }
    }
}

impl ParagraphCache {
    /// Readings held by one generation at most.
    const GENERATION: usize = 8192;

    /// The paragraphs of `text` as [`read_paragraphs`] reads them, read once.
    fn paragraphs(
        &self,
        text: &str,
        segmented: &Segmented,
        sounds: bool,
        across_scripts: bool,
    ) -> std::sync::Arc<Vec<Segment>> {
        let key = (text.as_ptr() as usize, text.len(), sounds, across_scripts);
        self.read.get_or_make(&key, || {
            std::sync::Arc::new(read_paragraphs(text, segmented, sounds, across_scripts))
        })
    }
}

/// The sentence beads of [`align`]: the sentences inside each of the paragraph beads
/// `paragraph_beads` (from [`align_paragraphs`]) aligned with each other.
pub fn align_sentences_within(
    text_a: &str,
    a: &Segmented,
    text_b: &str,
    b: &Segmented,
    paragraph_beads: &[Bead],
) -> Vec<Bead> {
    // Sentences are numbered through each document.
    let first_sentence = |segmented: &Segmented| -> Vec<usize> {
        let mut first = Vec::with_capacity(segmented.paragraphs.len());
        let mut count = 0;
        for paragraph in &segmented.paragraphs {
            first.push(count);
            count += paragraph.sentences.len();
        }
        first
    };
    let (first_a, first_b) = (first_sentence(a), first_sentence(b));
    let mut sentences = Vec::new();
    for bead in paragraph_beads {
        // The sentences of one side: their numbers through the document, and their segments.
        let side = |indices: &[usize], segmented: &Segmented, text: &str, first: &[usize]| {
            let (mut numbers, mut segments) = (Vec::new(), Vec::new());
            for &index in indices {
                let paragraph = &segmented.paragraphs[index];
                for (k, sentence) in paragraph.sentences.iter().enumerate() {
                    numbers.push(first[index] + k);
                    segments.push(segment(
                        text,
                        *sentence,
                        paragraph.heading || paragraph.boilerplate,
                    ));
                }
            }
            (numbers, linked(segments))
        };
        let (numbers_a, segments_a) = side(&bead.a, a, text_a, &first_a);
        let (numbers_b, segments_b) = side(&bead.b, b, text_b, &first_b);
        for inner in align_segments(&segments_a, &segments_b, Ends::Whole) {
            sentences.push(Bead {
                a: inner.a.iter().map(|&i| numbers_a[i]).collect(),
                b: inner.b.iter().map(|&i| numbers_b[i]).collect(),
                score: inner.score,
            });
        }
    }
    sentences
}

/// Aligns two lists of sentences (text already split, one sentence per item, as in parallel
/// corpora with one sentence per line): beads of sentence indices, in order.
pub fn align_sentences(a: &[&str], b: &[&str]) -> Vec<Bead> {
    let segments = |sentences: &[&str]| -> Vec<Segment> {
        linked(
            sentences
                .iter()
                .map(|sentence| {
                    segment(
                        sentence,
                        Span {
                            start: 0,
                            end: sentence.len(),
                        },
                        false,
                    )
                })
                .collect(),
        )
    };
    align_segments(&segments(a), &segments(b), Ends::Whole)
}

fn segment(text: &str, span: Span, heading: bool) -> Segment {
    let body = &text[span.start..span.end];
    segment_of(text, span, heading, word_parts_outside_cjk(body))
}

/// [`segment`] from the [words](word_parts_outside_cjk) of its text read already.
fn segment_of<'t>(
    text: &'t str,
    span: Span,
    heading: bool,
    parts: impl Iterator<Item = Token<'t>>,
) -> Segment {
    let body = &text[span.start..span.end];
    // Full-width digits (`２０１９`) are the same numbers.
    let folded;
    let digits_of = if body.contains(|c: char| ('\u{FF10}'..='\u{FF19}').contains(&c)) {
        folded = body.chars().map(tokens::fold_width).collect::<String>();
        folded.as_str()
    } else {
        body
    };
    let numbers: Vec<String> = digits_of
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect();
    // Words of four letters or more as spelt (`Twitter's` is `Twitter`); Chinese, Japanese and
    // Korean runs are no words to compare.
    let mut words: Vec<u64> = parts
        .filter(|part| part.kind == TokenKind::Word)
        .filter(|part| {
            part.text
                .chars()
                .filter(|&c| crate::text::is_letter(c))
                .nth(3)
                .is_some()
        })
        .map(|part| cognate_hash(part.text))
        .chain(
            numbers
                .iter()
                .map(|n| stable_hash(b"#".iter().chain(n.as_bytes()).copied())),
        )
        .chain(
            body.bytes()
                .filter(|b| matches!(b, b'?' | b'!' | b'(' | b':' | b';'))
                .map(|b| stable_hash(std::iter::once(b))),
        )
        .collect();
    words.sort();
    words.dedup();
    Segment {
        length: body.chars().count() as f64,
        heading,
        numbers,
        wordless_cjk: words.is_empty() && body.chars().any(tokens::is_cjk),
        words,
        shared_with_previous: Vec::new(),
        anchors: Vec::new(),
        list_item: false,
    }
}

/// A version's segments in order, each knowing the words it shares with the one before it:
/// every list the aligner reads is made by this.
fn linked(mut segments: Vec<Segment>) -> Vec<Segment> {
    for k in 1..segments.len() {
        let (before, after) = segments.split_at_mut(k);
        let (previous, current) = (&before[k - 1].words, &mut after[0]);
        current.shared_with_previous = current
            .words
            .iter()
            .copied()
            .filter(|word| previous.binary_search(word).is_ok())
            .collect();
    }
    segments
}

/// Shortest sound key (consonant classes, see [`tokens::sound_key`]) that names something: two
/// classes are shared by too many words.
const MIN_SOUND_KEY: usize = 3;

/// The tokens of `text` outside Chinese, Japanese and Korean runs, cut into their
/// [parts](tokens::word_parts): the words the aligner compares and reads names from.
fn word_parts_outside_cjk(text: &str) -> impl Iterator<Item = Token<'_>> {
    tokens::tokens(text)
        .filter(|token| !token.script.is_cjk())
        .flat_map(tokens::word_parts)
}

/// The words of four letters or more of `body` outside Chinese, Japanese and Korean runs (of its
/// `parts`, as [`word_parts_outside_cjk`] reads them), each with whether it stands inside a
/// sentence: after a word or a comma, or after CJK text alone.
fn latin_words<'t>(body: &str, parts: &[Token<'t>]) -> Vec<(&'t str, bool)> {
    let mut words = Vec::new();
    let mut last_end = None;
    for part in parts {
        let before = body[last_end.unwrap_or(0)..part.start].trim();
        let mid_sentence = if before.is_empty() {
            last_end.is_some()
        } else {
            before == "," || before.chars().all(tokens::is_cjk)
        };
        if part.text.chars().nth(3).is_some() {
            words.push((part.text, mid_sentence));
        }
        last_end = Some(part.end);
    }
    words
}

/// `segment` with its anchors (see [`Segment::anchors`]) read from its text `body` and the words
/// of it (`parts`, see [`latin_words`]); the sounds of names (katakana and Latin-script words
/// alike) only when `sounds`, and capitalised words that open a sentence only `across_scripts`
/// (of two versions in one script, they are common words).
fn with_anchors(
    mut segment: Segment,
    body: &str,
    parts: &[Token],
    sounds: bool,
    across_scripts: bool,
) -> Segment {
    let mut anchors: Vec<u64> = segment
        .numbers
        .iter()
        .filter(|n| n.len() >= 2)
        .map(|n| stable_hash(b"#".iter().chain(n.as_bytes()).copied()))
        .collect();
    let sound = |key: String| {
        (key.len() >= MIN_SOUND_KEY)
            .then(|| stable_hash(b"~".iter().chain(key.as_bytes()).copied()))
    };
    for (word, mid_sentence) in latin_words(body, parts) {
        let mut letters = word.chars();
        let capitalised = letters.next().is_some_and(char::is_uppercase);
        // A digit or a capital inside (`S3`, `GitHub`, `HTML`), or a capital inside a sentence:
        // a name. A capitalised word that opens a sentence is one only across scripts, where
        // the words one version has in Latin letters are the names it keeps.
        let name = word.chars().any(|c| c.is_ascii_digit())
            || letters.any(char::is_uppercase)
            || (capitalised && (mid_sentence || across_scripts));
        if !name || word.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let lower: String = word.chars().flat_map(char::to_lowercase).collect();
        anchors.push(stable_hash(b"=".iter().chain(lower.as_bytes()).copied()));
        if sounds {
            for spelling in [
                tokens::Spelling::LatinRhotic,
                tokens::Spelling::LatinNonRhotic,
            ] {
                anchors.extend(sound(tokens::sound_key(word, spelling)));
            }
        }
    }
    if sounds {
        for name in tokens::katakana_words(body) {
            for part in name {
                anchors.extend(sound(tokens::sound_key(&part, tokens::Spelling::Kana)));
            }
        }
    }
    anchors.sort_unstable();
    anchors.dedup();
    segment.anchors = anchors;
    segment.list_item = is_list_item(body);
    segment
}

/// Whether a paragraph is an item of a list: it starts with a bullet (`-`, `*`, `•`, `・`, `‧`)
/// or a number or letter and `.` or `)` (`1.`, `a)`), then a space.
fn is_list_item(paragraph: &str) -> bool {
    let text = paragraph.trim_start();
    if let Some(rest) = text.strip_prefix(['-', '*', '•', '‧', '–']) {
        return rest.starts_with(char::is_whitespace);
    }
    if let Some(rest) = text.strip_prefix('・') {
        return !rest.is_empty();
    }
    let marker = text.chars().take_while(char::is_ascii_alphanumeric).count();
    (1..=3).contains(&marker)
        && (text[marker..].starts_with(". ") || text[marker..].starts_with(") "))
        && (text[..marker].chars().all(|c| c.is_ascii_digit()) || marker == 1)
}

/// Pairs of segments `(i, j)` that certainly translate each other: they share an anchor that no
/// other segment of either version holds. Of those, the chain in order in both versions with
/// the most shared anchors (pairs that cross it are chance), and of its pairs those that share
/// three anchors or stand next to another pair of it; sorted.
fn anchor_pairs(a: &[Segment], b: &[Segment]) -> Vec<(usize, usize)> {
    // Each anchor with the one segment holding it, or `None` where several do.
    let sole_holders = |segments: &[Segment]| {
        let mut holder: std::collections::HashMap<u64, Option<usize>> =
            std::collections::HashMap::new();
        for (k, segment) in segments.iter().enumerate() {
            for &anchor in &segment.anchors {
                holder
                    .entry(anchor)
                    .and_modify(|h| *h = None)
                    .or_insert(Some(k));
            }
        }
        holder
    };
    let (holders_a, holders_b) = (sole_holders(a), sole_holders(b));
    let mut weights: std::collections::BTreeMap<(usize, usize), usize> =
        std::collections::BTreeMap::new();
    for (anchor, holder) in &holders_a {
        if let (Some(i), Some(Some(j))) = (holder, holders_b.get(anchor)) {
            *weights.entry((*i, *j)).or_insert(0) += 1;
        }
    }
    let weighted: Vec<((usize, usize), usize)> = weights.into_iter().collect();
    let chain = heaviest_chain(&weighted);
    // One chance token (a year, a common name) that both versions hold once can tie the wrong
    // pair: a pair is certain when it shares three anchors, or its neighbours pair by anchors too.
    let weight = |pair: &(usize, usize)| {
        weighted
            .binary_search_by_key(pair, |&(pair, _)| pair)
            .map_or(0, |k| weighted[k].1)
    };
    chain
        .iter()
        .enumerate()
        .filter(|&(k, &(i, j))| {
            let neighbour = |other: Option<&(usize, usize)>| {
                other.is_some_and(|&(p, q)| p.abs_diff(i) == 1 && q.abs_diff(j) == 1)
            };
            weight(&(i, j)) >= 3
                || neighbour(k.checked_sub(1).and_then(|k| chain.get(k)))
                || neighbour(chain.get(k + 1))
        })
        .map(|(_, &pair)| pair)
        .collect()
}

/// Of `pairs` (sorted, each with its weight), the chain increasing in both coordinates with the
/// greatest total weight (of equal ones, the one whose pairs come first). A Fenwick tree over the
/// second coordinate keeps the heaviest chain ending below each column, so that many pairs cost
/// `n log n`.
fn heaviest_chain(pairs: &[((usize, usize), usize)]) -> Vec<(usize, usize)> {
    let columns = pairs.iter().map(|&((_, j), _)| j + 1).max().unwrap_or(0);
    // tree[c]: the heaviest chain (weight, its last pair) among those ending in its columns.
    let mut tree: Vec<(usize, Option<usize>)> = vec![(0, None); columns + 1];
    let heavier = |x: (usize, Option<usize>), y: (usize, Option<usize>)| {
        x.0 > y.0 || (x.0 == y.0 && x.1.is_some() && (y.1.is_none() || x.1 < y.1))
    };
    let mut before: Vec<Option<usize>> = vec![None; pairs.len()];
    let mut weight_to: Vec<usize> = vec![0; pairs.len()];
    let mut start = 0;
    while start < pairs.len() {
        // Pairs of one row of `a` do not chain with each other: all are read before any is stored.
        let row = pairs[start].0.0;
        let end = start + pairs[start..].iter().take_while(|p| p.0.0 == row).count();
        for k in start..end {
            let ((_, j), weight) = pairs[k];
            let mut best = (0, None);
            let mut c = j; // columns 0..j, as the tree counts from 1
            while c > 0 {
                if heavier(tree[c], best) {
                    best = tree[c];
                }
                c &= c - 1;
            }
            before[k] = best.1;
            weight_to[k] = best.0 + weight;
        }
        for k in start..end {
            let mut c = pairs[k].0.1 + 1;
            while c <= columns {
                if heavier((weight_to[k], Some(k)), tree[c]) {
                    tree[c] = (weight_to[k], Some(k));
                }
                c += c & c.wrapping_neg();
            }
        }
        start = end;
    }
    let mut last = None;
    for k in 0..pairs.len() {
        if last.is_none_or(|l: usize| weight_to[k] > weight_to[l]) {
            last = Some(k);
        }
    }
    let mut chain = Vec::new();
    while let Some(k) = last {
        chain.push(pairs[k].0);
        last = before[k];
    }
    chain.reverse();
    chain
}

/// Minimum-cost sequence of beads covering both sides in order. The length ratio of the two
/// languages is first taken from the whole texts, then re-estimated from the one-to-one beads of
/// that first alignment (a dropped paragraph would otherwise skew it) and the texts are aligned
/// again.
fn align_segments(a: &[Segment], b: &[Segment], ends: Ends) -> Vec<Bead> {
    let total = |segments: &[Segment]| segments.iter().map(|s| s.length).sum::<f64>();
    let median = |segments: &[Segment]| {
        let mut lengths: Vec<f64> = segments.iter().map(|s| s.length).collect();
        lengths.sort_by(f64::total_cmp);
        lengths.get(lengths.len() / 2).copied().unwrap_or(0.0)
    };
    // When one version holds far fewer segments (a copy cut short), the ratio of the whole texts
    // says how much is missing, not how long each segment is in the other language: the ratio
    // of the typical (median) segments does.
    let (n, m) = (a.len(), b.len());
    let cut_short = n.min(m) >= 4 && n.max(m) * 4 > n.min(m) * 5;
    let ratio = if cut_short && median(a) > 0.0 && median(b) > 0.0 {
        median(b) / median(a)
    } else if total(a) > 0.0 && total(b) > 0.0 {
        total(b) / total(a)
    } else {
        1.0
    };
    let overlap = shared_words(a, b).max(f64::EPSILON);
    let anchors = anchor_pairs(a, b);
    let path = |ratio: f64| {
        // Anchors out of the band (or that leave no way through it) are not followed.
        best_path(a, b, ratio, overlap, ends, &anchors)
            .or_else(|| best_path(a, b, ratio, overlap, ends, &[]))
            .unwrap_or_default()
    };
    let first = path(ratio);
    let (mut one_a, mut one_b, mut ones) = (0.0, 0.0, 0);
    for bead in first
        .iter()
        .filter(|bead| bead.a.len() == 1 && bead.b.len() == 1)
    {
        one_a += a[bead.a[0]].length;
        one_b += b[bead.b[0]].length;
        ones += 1;
    }
    if ones < 2 || one_a == 0.0 || one_b == 0.0 || (one_b / one_a - ratio).abs() < 0.01 {
        return first;
    }
    path(one_b / one_a)
}

/// One row of the filled band of the alignment table: the cells of columns `first..`, each with
/// its lowest cost so far and how it is reached ([`Step`]). Cells outside the band cost infinity
/// and have no bead. Where runs of unpaired segments are allowed ([`Ends::MayBeCut`]), each cell
/// also keeps the lowest cost of reaching it with such a run, while the next row needs it.
struct BandRow {
    first: usize,
    cost: Vec<f64>,
    steps: Vec<Step>,
    /// Lowest cost of reaching the cell with its last bead an unpaired segment of the longer
    /// version inside a run; emptied once no later row reads it (see [`BandRow::release_runs`]).
    run_cost: Vec<f64>,
}

/// How a cell of the alignment table is reached, in one byte (the table holds a byte and a cost
/// per cell, so that two long texts aligned by lines fit in memory): the bead shape `(da, db)`
/// that reaches its lowest cost (`(0, 0)` for none), whether that cost ends in a closed run of
/// unpaired segments, and whether the cell's run bead continues a run rather than opens one.
#[derive(Clone, Copy, Default)]
struct Step(u8);

impl Step {
    const ENDS_IN_RUN: u8 = 1 << 4;
    const RUN_CONTINUES: u8 = 1 << 5;

    fn shape(self) -> (usize, usize) {
        (usize::from(self.0 & 3), usize::from((self.0 >> 2) & 3))
    }

    fn with_shape(self, (da, db): (u8, u8)) -> Self {
        Self((self.0 & !0b1111) | (da & 3) | ((db & 3) << 2))
    }

    fn ends_in_run(self) -> bool {
        self.0 & Self::ENDS_IN_RUN != 0
    }

    fn run_continues(self) -> bool {
        self.0 & Self::RUN_CONTINUES != 0
    }

    fn with_flag(self, flag: u8, on: bool) -> Self {
        Self(if on { self.0 | flag } else { self.0 & !flag })
    }
}

impl BandRow {
    /// An unfilled row over columns `columns`, with run costs when runs are allowed.
    fn new(columns: std::ops::RangeInclusive<usize>, runs: bool) -> Self {
        let width = columns.end() + 1 - columns.start();
        Self {
            first: *columns.start(),
            cost: vec![f64::INFINITY; width],
            steps: vec![Step::default(); width],
            run_cost: if runs {
                vec![f64::INFINITY; width]
            } else {
                Vec::new()
            },
        }
    }

    /// The cell of column `column`, if it lies in the band.
    fn cell(&self, column: usize) -> Option<usize> {
        column
            .checked_sub(self.first)
            .filter(|&cell| cell < self.cost.len())
    }

    fn cost(&self, column: usize) -> f64 {
        self.cell(column)
            .map_or(f64::INFINITY, |cell| self.cost[cell])
    }

    fn run_cost(&self, column: usize) -> f64 {
        self.cell(column)
            .and_then(|cell| self.run_cost.get(cell).copied())
            .unwrap_or(f64::INFINITY)
    }

    /// Frees the run costs, which only the next row reads.
    fn release_runs(&mut self) {
        self.run_cost = Vec::new();
    }

    fn step(&self, column: usize) -> Step {
        self.cell(column)
            .map_or(Step::default(), |cell| self.steps[cell])
    }
}

/// The dynamic programme itself, for a given length ratio and document-wide word overlap, through
/// the `anchors` (pairs `(i, j)` of [`anchor_pairs`]: `a[i]` is paired with a bead holding
/// `b[j]`), or `None` when no path goes through them all.
fn best_path(
    a: &[Segment],
    b: &[Segment],
    ratio: f64,
    overlap: f64,
    ends: Ends,
    anchors: &[(usize, usize)],
) -> Option<Vec<Bead>> {
    let (n, m) = (a.len(), b.len());
    // The columns each row may reach: past the anchors of rows above it, short of the anchors
    // of its row and below (a path through cell `(i, j)` has paired `a[..i]` with `b[..j]`).
    let mut next_anchor = anchors.iter().peekable();
    let mut reachable = Vec::with_capacity(n + 1);
    let mut from = 0;
    for i in 0..=n {
        while let Some(&&(p, q)) = next_anchor.peek()
            && p < i
        {
            from = q + 1;
            next_anchor.next();
        }
        reachable.push((from, next_anchor.peek().map_or(m, |&&(_, q)| q)));
    }
    // Each shape's prior as a cost, taken once (every cell weighs every shape).
    let shapes = BEADS.map(|(shape, prior)| (shape, -prior.ln()));
    let unpaired = shapes[1].1 + shared_words_weight(overlap) / 2.0;
    // A section one version lacks: a run of the longer version's segments left unpaired, which
    // costs one unpaired segment to open, [`CUT_PER_SEGMENT`] for each further one, and one
    // more unpaired segment to close when the versions pair again (two events, where the text
    // stops and where it resumes: a run at the end, a version cut short, pays no close, so
    // that a prefix is not read as a gap). Only the longer version's segments run (the shorter
    // lacks nothing), so that two runs facing each other never stand in for pairs.
    let run_shape: Option<(usize, usize)> = match ends {
        Ends::MayBeCut if n > m => Some((1, 0)),
        Ends::MayBeCut if m > n => Some((0, 1)),
        _ => None,
    };
    // Only cells near the diagonal are filled and stored: versions of one text do not drift far
    // apart, and this keeps long documents linear in their length, in time and in memory.
    let band = BAND + n.abs_diff(m);
    let mut rows: Vec<BandRow> = Vec::with_capacity(n + 1);
    let mut counts = SharedCounts::default();
    for i in 0..=n {
        let centre = (i * m).checked_div(n).unwrap_or(0);
        rows.push(BandRow::new(
            centre.saturating_sub(band)..=(centre + band).min(m),
            run_shape.is_some(),
        ));
        counts.next_row(rows[i].first, rows[i].cost.len());
        // Runs are one segment long: row `i` reads the run costs of rows `i` and `i - 1` only.
        if let Some(done) = i.checked_sub(2) {
            rows[done].release_runs();
        }
        let first = rows[i].first;
        for cell in 0..rows[i].cost.len() {
            let j = first + cell;
            if j < reachable[i].0 || j > reachable[i].1 {
                continue;
            }
            if i == 0 && j == 0 {
                rows[i].cost[cell] = 0.0;
                continue;
            }
            for &(shape, prior_cost) in &shapes {
                let (da, db) = (usize::from(shape.0), usize::from(shape.1));
                if da > i || db > j {
                    continue;
                }
                let previous = rows[i - da].cost(j - db);
                if !previous.is_finite() {
                    continue;
                }
                let left = &a[i - da..i];
                let right = &b[j - db..j];
                let shared = || counts.dice((a, b), (i, j), (da, db));
                let Some(bead_cost) = bead_cost(left, right, ratio, prior_cost, overlap, shared)
                else {
                    continue;
                };
                let candidate = previous + bead_cost;
                let row = &mut rows[i];
                if candidate < row.cost[cell] {
                    row.cost[cell] = candidate;
                    row.steps[cell] = row.steps[cell].with_shape(shape);
                }
            }
            if let Some((da, db)) = run_shape
                && da <= i
                && db <= j
            {
                let opened = rows[i - da].cost(j - db) + unpaired;
                let continued = rows[i - da].run_cost(j - db) + CUT_PER_SEGMENT;
                let row = &mut rows[i];
                row.run_cost[cell] = opened.min(continued);
                row.steps[cell] =
                    row.steps[cell].with_flag(Step::RUN_CONTINUES, continued < opened);
                let closed = row.run_cost[cell] + unpaired;
                if closed < row.cost[cell] {
                    row.cost[cell] = closed;
                    row.steps[cell] = row.steps[cell].with_flag(Step::ENDS_IN_RUN, true);
                }
            }
        }
    }
    // Where the path ends: at the end of both, or, when a version may be cut short, where the
    // shorter one ends, the rest of the other cut off at once. Where one version is longer, its
    // rest is a run of unpaired segments already (for the same cost), and the shorter one is
    // never cut: that would face a run of the longer.
    let cut = |left: usize| match left {
        0 => 0.0,
        _ => unpaired + CUT_PER_SEGMENT * (left - 1) as f64,
    };
    let mut end = (n, m);
    if ends == Ends::MayBeCut && run_shape.is_none() {
        let mut best = rows[n].cost(m);
        let ends_of_a = (0..m).rev().map(|j| (n, j));
        let ends_of_b = (0..n).rev().map(|i| (i, m));
        for (i, j) in ends_of_a.chain(ends_of_b) {
            let cost = rows[i].cost(j) + cut(n - i) + cut(m - j);
            if cost < best {
                best = cost;
                end = (i, j);
            }
        }
    }
    if !rows[end.0].cost(end.1).is_finite() && !rows[n].run_cost(m).is_finite() {
        return None;
    }
    let mut beads = Vec::new();
    let unpaired_score = crate::text::round4((-unpaired / 4.0).exp());
    for k in (end.0..n).rev() {
        beads.push(Bead {
            a: vec![k],
            b: Vec::new(),
            score: unpaired_score,
        });
    }
    for k in (end.1..m).rev() {
        beads.push(Bead {
            a: Vec::new(),
            b: vec![k],
            score: unpaired_score,
        });
    }
    let (mut i, mut j) = end;
    // Inside a run of unpaired segments, where the lowest cost of a cell may not be the run's.
    // A run at the end of both is not closed.
    let mut in_run = run_shape.is_some() && rows[n].run_cost(m) < rows[n].cost(m);
    while i > 0 || j > 0 {
        if in_run || rows[i].step(j).ends_in_run() {
            let Some((da, db)) = run_shape else { break };
            in_run = rows[i].step(j).run_continues();
            // An unpaired segment scores as one, whether it opens a run or continues it: a run
            // is cheap to make, not a sign that the versions match.
            beads.push(Bead {
                a: (i - da..i).collect(),
                b: (j - db..j).collect(),
                score: unpaired_score,
            });
            i -= da;
            j -= db;
            continue;
        }
        let (da, db) = rows[i].step(j).shape();
        if da == 0 && db == 0 {
            break;
        }
        let step = rows[i].cost(j) - rows[i - da].cost(j - db);
        beads.push(Bead {
            a: (i - da..i).collect(),
            b: (j - db..j).collect(),
            score: crate::text::round4((-step / 4.0).exp().min(1.0)),
        });
        i -= da;
        j -= db;
    }
    beads.reverse();
    Some(beads)
}

/// Cost of pairing `left` with `right` (a bead of a shape whose prior probability costs
/// `prior_cost`, its negative logarithm, and whose sides share `dice` of their words, the Dice
/// coefficient of [`shared_words`]), or `None` when the bead is not allowed (a heading merged
/// with anything else).
fn bead_cost(
    left: &[Segment],
    right: &[Segment],
    ratio: f64,
    prior_cost: f64,
    overlap: f64,
    dice: impl FnOnce() -> f64,
) -> Option<f64> {
    let merges = left.len() > 1 || right.len() > 1;
    if merges && left.iter().chain(right).any(|s| s.heading) {
        return None;
    }
    if left.is_empty() || right.is_empty() {
        return Some(prior_cost + shared_words_weight(overlap) / 2.0);
    }
    let length_a: f64 = left.iter().map(|s| s.length).sum();
    let length_b: f64 = right.iter().map(|s| s.length).sum();
    // Both lengths in the geometric middle of the two texts' units, so that the cost is the same
    // whichever version is `a` (Gale & Church measure in the first version's units).
    let scale = ratio.sqrt();
    let (length_a, length_b) = (length_a * scale, length_b / scale);
    let mean = (length_a + length_b) / 2.0;
    let delta = (length_b - length_a) / (mean.max(1.0) * VARIANCE).sqrt();
    let probability = (2.0 * (1.0 - standard_normal_cdf(delta.abs()))).max(1e-12);
    let mut total = prior_cost - probability.ln();
    let heading_a = left.iter().all(|s| s.heading);
    let heading_b = right.iter().all(|s| s.heading);
    if heading_a != heading_b {
        total += STRUCTURE_MISMATCH;
    }
    // A list item paired with prose (paragraphs only: sentences are never list items).
    let list_a = left.iter().any(|s| s.list_item);
    let list_b = right.iter().any(|s| s.list_item);
    if list_a != list_b {
        total += STRUCTURE_MISMATCH;
    }
    let shared = left
        .iter()
        .flat_map(|s| &s.numbers)
        .filter(|n| right.iter().any(|s| s.numbers.contains(n)))
        .count();
    total -= NUMBER_BONUS * shared as f64;
    // Sides that share fewer words than the two documents do overall are less likely a pair;
    // paid per segment, so that merging segments does not save it. A side with no words to
    // share at all (Japanese or Chinese text without a name, number or `?`) says nothing.
    let wordless = |side: &[Segment]| side.iter().all(|s| s.wordless_cjk);
    let segments = (left.len() + right.len()) as f64 / 2.0;
    if !wordless(left) && !wordless(right) {
        total += segments * shared_words_weight(overlap) * (1.0 - (dice() / overlap).min(1.0));
    }
    Some(total.max(0.0))
}

/// How many words single segments share (`a[i - 1]` with `b[j - 1]`, for cell `(i, j)` of the
/// alignment table), counted once for the cells of the row being filled and the row above: a
/// cell's one-to-one bead, and the two-to-one beads of the cells beside and below it, read the
/// same counts. Each row is `(first column, counts)`, a count `None` until it is needed.
#[derive(Default)]
struct SharedCounts {
    above: (usize, Vec<Option<usize>>),
    current: (usize, Vec<Option<usize>>),
}

impl SharedCounts {
    /// Moves on to the next row, whose band starts at column `first` and is `width` wide.
    fn next_row(&mut self, first: usize, width: usize) {
        self.above = std::mem::replace(&mut self.current, (first, vec![None; width]));
    }

    /// The words `a[i - 1]` and `b[j - 1]` share, with `i` the current row or the one above.
    fn common(
        &mut self,
        (a, b): (&[Segment], &[Segment]),
        row_above: bool,
        i: usize,
        j: usize,
    ) -> usize {
        let count = || common_count(&a[i - 1].words, &b[j - 1].words);
        let (first, counts) = if row_above {
            &mut self.above
        } else {
            &mut self.current
        };
        match j.checked_sub(*first).and_then(|cell| counts.get_mut(cell)) {
            Some(cached) => *cached.get_or_insert_with(count),
            None => count(),
        }
    }

    /// [`shared_words`] of the bead of shape `(da, db)` (one or two segments a side) that ends
    /// at cell `(i, j)`, from the counts of single segments.
    fn dice(
        &mut self,
        (a, b): (&[Segment], &[Segment]),
        (i, j): (usize, usize),
        (da, db): (usize, usize),
    ) -> f64 {
        let here = self.common((a, b), false, i, j);
        let (size_a, size_b, common) = match (da, db) {
            (2, 1) => {
                let (x1, x2, y) = (&a[i - 2], &a[i - 1], &b[j - 1]);
                let both = &x2.shared_with_previous;
                let above = self.common((a, b), true, i - 1, j);
                (
                    x1.words.len() + x2.words.len() - both.len(),
                    y.words.len(),
                    above + here - common_count(both, &y.words),
                )
            }
            (1, 2) => {
                let (x, y1, y2) = (&a[i - 1], &b[j - 2], &b[j - 1]);
                let both = &y2.shared_with_previous;
                let before = self.common((a, b), false, i, j - 1);
                (
                    x.words.len(),
                    y1.words.len() + y2.words.len() - both.len(),
                    before + here - common_count(both, &x.words),
                )
            }
            _ => (a[i - 1].words.len(), b[j - 1].words.len(), here),
        };
        if size_a == 0 || size_b == 0 {
            return 0.0;
        }
        2.0 * common as f64 / (size_a + size_b) as f64
    }
}

/// The hash of a word's first [`COGNATE_PREFIX`] letters, lower case and folded to ASCII
/// (*Engelhörner* and *Engelhorner*, *Ελλάδα* and *Ellada* give the same), without allocating.
fn cognate_hash(word: &str) -> u64 {
    // Plain ASCII letters first (most words of Latin-script text) are their own lower case.
    if let Some(prefix) = word.as_bytes().get(..COGNATE_PREFIX)
        && prefix.iter().all(u8::is_ascii_alphabetic)
    {
        return stable_hash(prefix.iter().map(u8::to_ascii_lowercase));
    }
    let folded = word
        .chars()
        .flat_map(char::to_lowercase)
        .flat_map(|c| deunicode::deunicode_char(c).unwrap_or("").bytes())
        .filter(u8::is_ascii_alphanumeric)
        .take(COGNATE_PREFIX);
    stable_hash(folded)
}

/// How many values two sorted, distinct lists share: one merge pass, with no branch to mispredict
/// in its loop.
fn common_count(x: &[u64], y: &[u64]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        let (p, q) = (x[i], y[j]);
        common += usize::from(p == q);
        i += usize::from(p <= q);
        j += usize::from(q <= p);
    }
    common
}

/// The size of the union of the words of two neighbouring segments (`first`, then `second`),
/// and how many of its words `other` (sorted, distinct) holds, without building the union.
fn union_against(first: &Segment, second: &Segment, other: &[u64]) -> (usize, usize) {
    let both = &second.shared_with_previous;
    // The words of both that `other` holds are counted twice by the first two terms.
    let common = common_count(&first.words, other) + common_count(&second.words, other)
        - common_count(both, other);
    (first.words.len() + second.words.len() - both.len(), common)
}

/// The distinct word hashes of several segments, sorted.
fn union_of_words(side: &[Segment]) -> Vec<u64> {
    let mut words: Vec<u64> = side.iter().flat_map(|s| s.words.iter().copied()).collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// Dice coefficient of the two sides' word sets (sorted, distinct hashes). The beads of the
/// aligner (one segment a side, or two neighbours of one list made by [`linked`]) are counted
/// from the segments' own lists.
fn shared_words(left: &[Segment], right: &[Segment]) -> f64 {
    let (size_a, size_b, common) = match (left, right) {
        ([x], [y]) => (
            x.words.len(),
            y.words.len(),
            common_count(&x.words, &y.words),
        ),
        ([x1, x2], [y]) => {
            let (size, common) = union_against(x1, x2, &y.words);
            (size, y.words.len(), common)
        }
        ([x], [y1, y2]) => {
            let (size, common) = union_against(y1, y2, &x.words);
            (x.words.len(), size, common)
        }
        _ => {
            let (words_a, words_b) = (union_of_words(left), union_of_words(right));
            (
                words_a.len(),
                words_b.len(),
                common_count(&words_a, &words_b),
            )
        }
    };
    if size_a == 0 || size_b == 0 {
        return 0.0;
    }
    2.0 * common as f64 / (size_a + size_b) as f64
}

/// Φ(x) for the standard normal distribution (Abramowitz & Stegun 26.2.17, error < 7.5e-8).
fn standard_normal_cdf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.231_641_9 * x.abs());
    let density = (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let tail = density
        * t
        * (0.319_381_530
            + t * (-0.356_563_782
                + t * (1.781_477_937 + t * (-1.821_255_978 + t * 1.330_274_429))));
    if x >= 0.0 { 1.0 - tail } else { tail }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::SegmentConfig;

    fn aligned(a: &str, b: &str) -> Alignment {
        let segmenter = SegmentConfig::default().build();
        align(a, &segmenter.segment(a), b, &segmenter.segment(b))
    }

    #[test]
    fn paragraphs_are_read_once_per_document_and_kind_of_pair_and_read_alike() {
        let segmenter = SegmentConfig::default().build();
        let texts: Vec<String> = (0..3 * ParagraphCache::GENERATION / 2)
            .map(|i| format!("Mentor {i} met Anna in Oslo.\n\nThey talked for {i} minutes."))
            .collect();
        let segmented: Vec<Segmented> = texts.iter().map(|t| segmenter.segment(t)).collect();
        let cache = ParagraphCache::default();
        let first = cache.paragraphs(&texts[0], &segmented[0], false, false);
        assert!(std::sync::Arc::ptr_eq(
            &first,
            &cache.paragraphs(&texts[0], &segmented[0], false, false)
        ));
        // Another kind of pair is another reading.
        let across = cache.paragraphs(&texts[0], &segmented[0], false, true);
        assert!(!std::sync::Arc::ptr_eq(&first, &across));
        // Past a generation's worth of documents, every reading is still the reading itself.
        for (text, segmented) in texts.iter().zip(&segmented) {
            let read = cache.paragraphs(text, segmented, true, false);
            let fresh = read_paragraphs(text, segmented, true, false);
            assert_eq!(read.len(), fresh.len());
            for (x, y) in read.iter().zip(&fresh) {
                assert_eq!(
                    (&x.words, &x.anchors, x.length),
                    (&y.words, &y.anchors, y.length)
                );
            }
        }
        let [newer, older] = cache.read.held();
        assert!(newer <= ParagraphCache::GENERATION);
        assert!(older <= ParagraphCache::GENERATION);
    }

    fn shapes(beads: &[Bead]) -> Vec<(usize, usize)> {
        beads
            .iter()
            .map(|bead| (bead.a.len(), bead.b.len()))
            .collect()
    }

    #[test]
    fn shared_words_of_merged_segments_count_each_word_once() {
        let side = |words: &[u64]| Segment {
            length: 10.0,
            heading: false,
            numbers: Vec::new(),
            words: words.to_vec(),
            shared_with_previous: Vec::new(),
            anchors: Vec::new(),
            list_item: false,
            wordless_cjk: false,
        };
        let list = linked(vec![
            side(&[1, 3, 5, 7]),
            side(&[2, 3, 7, 9]),
            side(&[3, 4, 7, 9]),
        ]);
        let (first_two, last) = list.split_at(2);
        // The union of the first two is 1 2 3 5 7 9 (6 words), of which 3, 7 and 9 are in the last.
        let expected = 2.0 * 3.0 / (6.0 + 4.0);
        assert_eq!(shared_words(first_two, last), expected);
        assert_eq!(shared_words(last, first_two), expected);
        // All three (1 2 3 4 5 7 9) against the first: 1 3 5 7.
        assert_eq!(shared_words(&list, &list[..1]), 2.0 * 4.0 / (7.0 + 4.0));
        assert_eq!(shared_words(&list[..1], &[side(&[])]), 0.0);
    }

    #[test]
    fn the_heaviest_chain_keeps_pairs_in_order_in_both_versions() {
        // (3, 1) crosses (1, 2) and (2, 3); together they outweigh it.
        let pairs = [((1, 2), 1), ((2, 3), 1), ((3, 1), 1), ((4, 4), 2)];
        assert_eq!(heaviest_chain(&pairs), [(1, 2), (2, 3), (4, 4)]);
        // Pairs of one row never chain with each other.
        assert_eq!(heaviest_chain(&[((0, 0), 1), ((0, 1), 1)]), [(0, 0)]);
        assert!(heaviest_chain(&[]).is_empty());
    }

    #[test]
    fn list_items_are_told_by_their_bullets_and_numbers() {
        for item in [
            "- Added 新機能",
            "* one",
            "• two",
            "・項目",
            "1. first",
            "12) twelfth",
            "a) one",
        ] {
            assert!(is_list_item(item), "{item}");
        }
        for prose in [
            "-5 degrees",
            "Mentors help.",
            "2019. That year",
            "Ab) no",
            "・",
        ] {
            assert!(!is_list_item(prose), "{prose}");
        }
    }

    #[test]
    fn words_inside_a_sentence_are_told_from_words_that_open_one() {
        let latin_words =
            |body| latin_words(body, &word_parts_outside_cjk(body).collect::<Vec<_>>());
        let words = latin_words("Mentors help, Anna said. Then GitHub and Twitterで話題");
        assert_eq!(
            words,
            [
                ("Mentors", false),
                ("help", true),
                ("Anna", true),
                ("said", true),
                ("Then", false),
                ("GitHub", true),
                ("Twitter", true),
            ]
        );
        // A word as spelt, without its clitic or possessive.
        assert_eq!(
            latin_words("Twitter's founder, d'Anna et l’équipe"),
            [
                ("Twitter", false),
                ("founder", true),
                ("Anna", false),
                ("équipe", false),
            ]
        );
    }

    #[test]
    fn normal_cdf_is_right() {
        assert!((standard_normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((standard_normal_cdf(1.96) - 0.975).abs() < 1e-4);
        assert!((standard_normal_cdf(-1.0) - 0.1587).abs() < 1e-4);
    }

    #[test]
    fn ascii_words_hash_as_their_folded_letters() {
        let folded = |word: &str| {
            stable_hash(
                word.chars()
                    .flat_map(char::to_lowercase)
                    .flat_map(|c| deunicode::deunicode_char(c).unwrap_or("").bytes())
                    .filter(u8::is_ascii_alphanumeric)
                    .take(COGNATE_PREFIX),
            )
        };
        let letters = ('a'..='z').chain('A'..='Z');
        for word in letters
            .map(|c| format!("{c}{c}xYz"))
            .chain(["Mentor".into(), "ABCD".into()])
        {
            assert_eq!(cognate_hash(&word), folded(&word), "{word}");
        }
    }

    #[test]
    fn cognates_share_a_hash_across_languages_and_scripts() {
        assert_eq!(cognate_hash("September"), cognate_hash("septembre"));
        assert_eq!(cognate_hash("Engelhörner"), cognate_hash("ENGELHORN"));
        assert_eq!(cognate_hash("Ελλάδα"), cognate_hash("Ellada"));
        assert_ne!(cognate_hash("Stadt"), cognate_hash("station"));
    }

    #[test]
    fn equal_texts_align_one_to_one() {
        let text = "Title here\n\nFirst paragraph is here and it is long enough.\n\nSecond one, shorter.\n\nThird paragraph closes the text with 3 numbers: 12, 34.";
        let alignment = aligned(text, text);
        assert_eq!(shapes(&alignment.paragraphs), [(1, 1); 4]);
        assert!(alignment.paragraphs.iter().all(|bead| bead.a == bead.b));
    }

    #[test]
    fn a_dropped_paragraph_is_a_one_to_zero_row() {
        let a = "Heading\n\nA paragraph of some length that talks about mentors and careers.\n\nAnother paragraph, this one about networks and new opportunities for everyone.\n\nThe last paragraph wraps it all up in one final sentence.";
        let b = "Heading\n\nA paragraph of some length that talks about mentors and careers.\n\nThe last paragraph wraps it all up in one final sentence.";
        let alignment = aligned(a, b);
        assert_eq!(
            shapes(&alignment.paragraphs),
            [(1, 1), (1, 1), (1, 0), (1, 1)]
        );
    }

    #[test]
    fn a_missing_section_is_a_run_of_one_to_zero_rows_and_a_prefix_is_no_gap() {
        let paragraphs: Vec<String> = [
            "Mentors open doors to networks that a newcomer could not reach alone.",
            "Honest feedback, given early and often, saves years of wandering.",
            "In 2019 a survey of 1,200 engineers found that 71 percent had a mentor.",
            "Confidence grows when someone who has walked the path says you can walk it too.",
            "Salaries rose faster for those who asked for advice before negotiating.",
            "Projects chosen with a mentor's help were finished more often.",
            "Teaching others, in turn, is how mentees become leaders themselves; the circle closes.",
            "Interviews went better after mock sessions (three on average).",
            "Friendship sometimes follows, though it is not the goal of the arrangement.",
            "Start small: one coffee a month with someone whose work you admire is enough.",
        ]
        .map(String::from)
        .to_vec();
        let whole = paragraphs.join("\n\n");
        let mut lacking = paragraphs.clone();
        lacking.drain(2..6);
        let alignment = aligned(&whole, &lacking.join("\n\n"));
        let mut expected = vec![(1, 1); 2];
        expected.extend([(1, 0); 4]);
        expected.extend([(1, 1); 4]);
        assert_eq!(shapes(&alignment.paragraphs), expected);
        assert!(
            alignment.paragraphs[6..]
                .iter()
                .all(|bead| bead.a[0] == bead.b[0] + 4)
        );
        // A run scores as unpaired segments, wherever it stands.
        let unpaired = alignment.paragraphs[2].score;
        assert!(
            alignment.paragraphs[2..6]
                .iter()
                .all(|bead| bead.score == unpaired)
        );
        // A prefix pairs one to one, the rest of the whole version unpaired at the end.
        let alignment = aligned(&paragraphs[..6].join("\n\n"), &whole);
        let mut expected = vec![(1, 1); 6];
        expected.extend([(0, 1); 4]);
        assert_eq!(shapes(&alignment.paragraphs), expected);
    }

    #[test]
    fn merged_paragraphs_are_a_two_to_one_row() {
        let a = "Mentors open doors to new networks and jobs.\n\nThey also share what they learnt the hard way.\n\nFinally, they help you see your career from outside, which matters more than anything.";
        let b = "Mentors open doors to new networks and jobs. They also share what they learnt the hard way.\n\nFinally, they help you see your career from outside, which matters more than anything.";
        let alignment = aligned(a, b);
        assert_eq!(shapes(&alignment.paragraphs), [(2, 1), (1, 1)]);
    }
}
