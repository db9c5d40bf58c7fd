//! Which documents are versions of one article: translations (different languages) and duplicates
//! (same language: exact, near or spun copies), found without comparing all pairs.
//!
//! Each document gets a fingerprint: its anchors (numbers, whatever their width or thousands
//! separators; names: capitalised words that do not start a sentence, cut to five letters so that
//! inflected forms meet; code, URLs and brands such as `config/routes.rb` or `iPhone`, whole;
//! Latin-script words inside Chinese, Japanese or Korean text count as names wherever they stand;
//! and its structure: the paragraph count with the positions of its headings) and a MinHash
//! sketch of its word trigrams (read from the normalised text, so that a spun copy meets its
//! original). Blocking: an inverted index from anchors to documents, keeping only anchors that
//! few documents carry, and locality-sensitive hashing bands over the sketches; only documents
//! that share a block are compared. A candidate pair is scored from rare shared anchors (an
//! anchor several articles of one language carry is a site's template and counts little),
//! sketch similarity and how well the two align paragraph by paragraph (a version cut short, or
//! lacking one section, is not penalised for what it lacks). Pairs then join their groups best
//! first, through any member, when the joined group keeps one document per language (copies
//! apart) and at least half of the pairs across the two sides support the join, so that one
//! look-alike cannot chain two articles.

use crate::AnalysedDocument;
use crate::align::tokens::{Token, TokenKind, dominant_script, tokens};
use crate::align::{Alignment, align_paragraphs, align_sentences_within};
use crate::text::{round4, stable_hash};
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Size of the MinHash sketch.
const SKETCH: usize = 64;
/// LSH bands (of `SKETCH / BANDS` rows each).
const BANDS: usize = 16;
/// A document is compared with at most this many candidates found by anchors, and as many found
/// by LSH bands.
const CANDIDATES_PER_DOCUMENT: usize = 8;
/// An anchor (or LSH band) carried by more documents than this says nothing.
const COMMON_ANCHOR_DOCUMENTS: usize = 20;
/// Bytes of each document read for its fingerprint.
const FINGERPRINT_BYTES: usize = 256 * 1024;
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

/// Whether an anchor describes shape: structure (`§`) or length profile (`≈`).
fn is_shape(anchor: &str) -> bool {
    anchor.starts_with(['§', '≈'])
}

/// Pairs scoring below this are not versions of one article.
pub const GROUP_THRESHOLD: f64 = 0.5;
/// When a pair joins two groups, the other pairs across them support it from [`GROUP_THRESHOLD`]
/// on, or from this score on for a pair in two different scripts (which share no words, only
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
    anchors: BTreeSet<String>,
    /// MinHash sketch of the word trigrams (`SKETCH` values).
    sketch: Vec<u64>,
    /// Hash of the whole original text: equal hashes mark exact copies.
    text_hash: u64,
    /// The document's language: translations are looked for among other languages.
    language: String,
    /// The script most of its letters are in ([`dominant_script`]): a document in another script
    /// is another language, whatever the detector said of its quoted English.
    script: String,
}

impl Fingerprint {
    /// Whether it has the shape this build makes (a cached one from another build may not).
    pub fn is_well_formed(&self) -> bool {
        self.sketch.len() == SKETCH
    }

    /// Hash of the whole original text.
    pub fn text_hash(&self) -> u64 {
        self.text_hash
    }

    /// The language it was made for (ISO 639-1 or `und`).
    pub fn language(&self) -> &str {
        &self.language
    }

    /// Whether the two are in one language and script (copies of each other, not translations).
    pub fn same_language(&self, other: &Fingerprint) -> bool {
        self.language == other.language && self.script == other.script
    }
}

/// The fingerprint of an analysed document.
pub fn fingerprint(document: &AnalysedDocument) -> Fingerprint {
    // The opening of the (normalised) text is fingerprint enough, and keeps huge files cheap.
    let original = &document.document.text;
    let mut end = original.len().min(FINGERPRINT_BYTES);
    while !original.is_char_boundary(end) {
        end -= 1;
    }
    let text = match &document.mangling {
        Some(mangling) => {
            let inside: Vec<_> = mangling
                .edits
                .iter()
                .filter(|e| e.end <= end)
                .cloned()
                .collect();
            crate::normalize::apply_edits(&original[..end], &inside)
        }
        None => original[..end].to_string(),
    };
    let mut anchors = BTreeSet::new();
    for token in tokens(&text) {
        match token.kind {
            TokenKind::Number if token.text.len() >= 2 => {
                anchors.insert(format!("#{}", token.text));
            }
            TokenKind::Word => anchors.extend(word_anchors(&token)),
            _ => {}
        }
    }
    let words: Vec<std::borrow::Cow<str>> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(lower_case)
        .collect();
    let mut sketch = [u64::MAX; SKETCH];
    for trigram in words.windows(3) {
        let joined = trigram[0]
            .bytes()
            .chain(std::iter::once(b' '))
            .chain(trigram[1].bytes())
            .chain(std::iter::once(b' '))
            .chain(trigram[2].bytes());
        // The hash of the three words joined by spaces, without joining them.
        let base = stable_hash(joined);
        for (k, slot) in sketch.iter_mut().enumerate() {
            let value = mix(base ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            *slot = (*slot).min(value);
        }
    }
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
    Fingerprint {
        anchors,
        sketch: sketch.to_vec(),
        text_hash: stable_hash(original.bytes()),
        language: document.languages.document.code.to_string(),
        script: dominant_script(&text).to_string(),
    }
}

/// The anchors a word gives: its digits (`#264` for `H264`, two digits or more); the whole word
/// when it looks like code, a URL or a brand (`config/routes.rb`, `iPhone`), which translations
/// copy as they are; and a name's first five letters (`twelv` for `Twelve-Factor`), when it is
/// capitalised other than at a sentence start (a Latin word inside CJK text is a name wherever
/// it stands).
fn word_anchors(token: &Token) -> Vec<String> {
    let word = token.text.as_str();
    let mut anchors = Vec::new();
    let digits: String = word.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 2 {
        anchors.push(format!("#{digits}"));
    }
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 0 {
        return anchors;
    }
    // `iPhone`, `macOS`: a brand in lower case then capitals (a capitalised `RabbitMQ` is a name,
    // below, and must not count twice).
    let lower_camel =
        word.chars().next().is_some_and(char::is_lowercase) && word.chars().any(char::is_uppercase);
    let code = word.contains(['/', '_', '.', ':', '@']) || lower_camel;
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
            .take_while(|c| c.is_alphabetic())
            .take(5)
            .flat_map(char::to_lowercase)
            .collect();
        if stem.chars().count() >= 4 {
            anchors.push(stem);
        }
    }
    anchors
}

/// A word in lower case ([`str::to_lowercase`]), borrowed when lower case changes none of its
/// letters (most words).
fn lower_case(word: &str) -> std::borrow::Cow<'_, str> {
    let changes = |c: char| match c.is_ascii() {
        true => c.is_ascii_uppercase(),
        false => !c.to_lowercase().eq(std::iter::once(c)),
    };
    if word.chars().any(changes) {
        std::borrow::Cow::Owned(word.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(word)
    }
}

/// The hash a fingerprint keeps of a whole text (equal for exact copies).
pub fn text_hash(text: &str) -> u64 {
    stable_hash(text.bytes())
}

/// A bit mixer (SplitMix64's finaliser) that turns one hash into many.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn sketch_similarity(a: &[u64], b: &[u64]) -> f64 {
    let same = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x == y && **x != u64::MAX)
        .count();
    same as f64 / SKETCH as f64
}

/// Finds the groups of versions in a corpus (documents sorted by id).
pub fn group(documents: &[AnalysedDocument]) -> Vec<Group> {
    // Exact copies are set aside first: only the first of each set is compared with others.
    let mut first_with_text: HashMap<u64, usize> = HashMap::default();
    let mut copy_of: Vec<Option<usize>> = vec![None; documents.len()];
    for (index, document) in documents.iter().enumerate() {
        let key = stable_hash(document.document.text.bytes());
        match first_with_text.get(&key) {
            Some(&first) if documents[first].document.text == document.document.text => {
                copy_of[index] = Some(first);
            }
            Some(_) => {}
            None => {
                first_with_text.insert(key, index);
            }
        }
    }
    let fingerprints: Vec<Fingerprint> = documents.par_iter().map(fingerprint).collect();
    let skip: Vec<bool> = copy_of.iter().map(Option::is_some).collect();
    let candidates = candidate_pairs(&fingerprints, &skip, |_, _| true);
    let frequency = AnchorFrequency::of(&fingerprints);
    // Each pair is scored, and ties are broken, in the order of the two texts, never of their
    // names: the same files under other names or in another order give the same groups.
    let by_content = |i: usize, j: usize| {
        (fingerprints[i].text_hash, &documents[i].document.text)
            .cmp(&(fingerprints[j].text_hash, &documents[j].document.text))
    };
    // Score every candidate pair (in parallel; the order is restored by the sort below).
    let in_order = |i: usize, j: usize| match by_content(i, j) {
        std::cmp::Ordering::Greater => (j, i),
        _ => (i, j),
    };
    let score_of = |(i, j): (usize, usize)| {
        score_pair(
            (&documents[i], &fingerprints[i]),
            (&documents[j], &fingerprints[j]),
            &frequency,
        )
    };
    // Alignments are kept only for pairs that pass: a large corpus scores many more.
    type Scored = (usize, usize, f64, Option<(PairEvidence, Alignment)>);
    let all_scored: Vec<Scored> = candidates
        .par_iter()
        .map(|&(i, j)| in_order(i, j))
        .map(|(i, j)| match score_of((i, j)) {
            Some((score, evidence, alignment)) if score >= GROUP_THRESHOLD => {
                (i, j, score, Some((evidence, alignment)))
            }
            Some((score, ..)) => (i, j, score, None),
            None => (i, j, 0.0, None),
        })
        .collect();
    // Every pair scored so far (0 when the aligner was skipped), for the joins below.
    let mut pair_scores: HashMap<(usize, usize), f64> = all_scored
        .iter()
        .map(|(i, j, score, _)| ((*i, *j), *score))
        .collect();
    let mut scored: Vec<(f64, usize, usize, PairEvidence, Alignment)> = all_scored
        .into_iter()
        .filter_map(|(i, j, score, kept)| {
            let (evidence, alignment) = kept?;
            Some((score, i, j, evidence, alignment))
        })
        .collect();
    // Best first; ties in the order of the texts, so the result does not depend on anything else.
    scored.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then_with(|| by_content(x.1, y.1))
            .then_with(|| by_content(x.2, y.2))
    });
    // Pairs join their groups, best first, unless the joined group would hold two documents of
    // one language that are not copies of each other (then one of the two pairs is wrong, and
    // the better one came first). Copies are the same-language pairs joined here.
    let language_of = |m: usize| {
        (
            fingerprints[m].language.as_str(),
            fingerprints[m].script.as_str(),
        )
    };
    let mut group_of: HashMap<usize, usize> = HashMap::default();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut pairs: Vec<Vec<(PairEvidence, Alignment, f64)>> = Vec::new();
    for (score, i, j, evidence, alignment) in scored {
        let (group_i, group_j) = (group_of.get(&i).copied(), group_of.get(&j).copied());
        if group_i.is_some() && group_i == group_j {
            continue;
        }
        let side = |g: Option<usize>, m: usize| g.map_or_else(|| vec![m], |g| members[g].clone());
        let (side_i, side_j) = (side(group_i, i), side(group_j, j));
        // A copy pair brings its own language into both sides; other languages must not meet.
        let copies = language_of(i) == language_of(j);
        let clash = side_i.iter().any(|&x| {
            side_j.iter().any(|&y| {
                language_of(x) == language_of(y) && !(copies && language_of(x) == language_of(i))
            })
        });
        if clash {
            continue;
        }
        // Two groups join (or a document joins a group) only when more than half of the pairs
        // across them are versions too (exactly half when the joining pair itself is strong, or
        // joins the documents that founded the two sides), not through one pair alone: a group
        // cannot chain into another article through one look-alike. Pairs not yet scored are
        // scored now.
        let mut versions = 0;
        for &x in &side_i {
            for &y in &side_j {
                let pair = in_order(x, y);
                let score = *pair_scores
                    .entry(pair)
                    .or_insert_with(|| score_of(pair).map_or(0.0, |s| s.0));
                let support = if fingerprints[x].script == fingerprints[y].script {
                    GROUP_THRESHOLD
                } else {
                    CROSS_SCRIPT_SUPPORT
                };
                versions += usize::from(score >= support);
            }
        }
        let across = side_i.len() * side_j.len();
        let first = |g: Option<usize>, m: usize| g.is_none_or(|g| members[g][0] == m);
        let through_firsts = first(group_i, i) && first(group_j, j);
        if versions * 2 < across || versions * 2 == across && score < STRONG_LINK && !through_firsts
        {
            continue;
        }
        let target = match (group_i, group_j) {
            (Some(g), _) | (None, Some(g)) => g,
            (None, None) => {
                members.push(Vec::new());
                pairs.push(Vec::new());
                members.len() - 1
            }
        };
        for m in side_i.into_iter().chain(side_j) {
            if group_of.insert(m, target) != Some(target) {
                members[target].push(m);
            }
        }
        for other in [group_i, group_j].into_iter().flatten() {
            if other != target {
                let moved = std::mem::take(&mut pairs[other]);
                pairs[target].extend(moved);
                members[other].clear();
            }
        }
        pairs[target].push((evidence, alignment, score));
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
        let identity = |count: usize| -> Vec<crate::align::Bead> {
            (0..count)
                .map(|k| crate::align::Bead {
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
            a: a.document.id.clone(),
            b: b.document.id.clone(),
            score: 1.0,
            shared_anchors: vec!["identical text".to_string()],
            significance: 0.0,
            trigram_similarity: 1.0,
            aligned_paragraphs: 1.0,
            paragraphs: [paragraphs, paragraphs],
        };
        group_of.insert(copy, g);
        members[g].push(copy);
        pairs[g].push((evidence, alignment, 1.0));
    }
    let mut groups: Vec<Group> = members
        .into_iter()
        .zip(pairs)
        .filter(|(members, _)| !members.is_empty())
        .map(|(members, pairs)| {
            let languages: HashSet<&str> = members
                .iter()
                .map(|&m| documents[m].languages.document.code)
                .collect();
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
                        .map(|&m| documents[m].document.id.clone())
                        .collect();
                    ids.sort();
                    ids
                },
                score: round4(pairs.iter().map(|p| p.2).fold(1.0, f64::min)),
                alignments: pairs
                    .iter()
                    .map(|(evidence, alignment, _)| PairAlignment {
                        a: evidence.a.clone(),
                        b: evidence.b.clone(),
                        alignment: alignment.clone(),
                    })
                    .collect(),
                evidence: pairs.into_iter().map(|p| p.0).collect(),
            }
        })
        .collect();
    groups.sort_by(|x, y| x.documents.cmp(&y.documents));
    for (k, group) in groups.iter_mut().enumerate() {
        group.id = format!("g{}", k + 1);
    }
    groups
}

/// Pairs of new documents and corpus documents that are worth scoring: `new` against `corpus` only
/// (never two corpus documents), by the same blocking as [`group`]; `(new index, corpus index)`.
pub fn candidates_against(new: &[Fingerprint], corpus: &[Fingerprint]) -> Vec<(usize, usize)> {
    let all: Vec<Fingerprint> = new.iter().chain(corpus).cloned().collect();
    let skip = vec![false; all.len()];
    let boundary = new.len();
    candidate_pairs(&all, &skip, |i, j| (i < boundary) != (j < boundary))
        .into_iter()
        .map(|(i, j)| (i, j - boundary))
        .collect()
}

/// Pairs of documents that share a rare anchor or an LSH band, each pair once, in order; `skip`
/// leaves documents out, `wanted` says which pairs may be candidates at all.
fn candidate_pairs(
    fingerprints: &[Fingerprint],
    skip: &[bool],
    wanted: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    // Blocks keyed by a hash (anchors and bands apart), members as u32: a large corpus has
    // millions of block memberships.
    let mut anchor_blocks: HashMap<u64, Vec<u32>> = HashMap::default();
    let mut band_blocks: HashMap<u64, Vec<u32>> = HashMap::default();
    for (index, fingerprint) in fingerprints.iter().enumerate() {
        if skip[index] {
            continue;
        }
        let member = u32::try_from(index).expect("fewer than 2^32 documents");
        for anchor in &fingerprint.anchors {
            anchor_blocks
                .entry(stable_hash(anchor.bytes()))
                .or_default()
                .push(member);
        }
        let rows = SKETCH / BANDS;
        for band in 0..BANDS {
            let slice = &fingerprint.sketch[band * rows..(band + 1) * rows];
            if slice.iter().all(|&v| v == u64::MAX) {
                continue;
            }
            let key = slice.iter().fold(band as u64, |h, &v| mix(h ^ v));
            band_blocks.entry(key).or_default().push(member);
        }
    }
    // Shared blocks per pair, weighted by rarity: a block of m documents spreads one unit of
    // evidence over the m - 1 others each member meets there, so an anchor only two documents
    // carry says far more than one fifteen carry (names of a news topic, a common year).
    // Anchors (which translations share) and LSH bands (which same-language copies share) are
    // weighed and ranked apart, so that similar-sounding texts cannot crowd out translations.
    #[derive(Default, Clone, Copy)]
    struct Shared {
        anchors: u32,
        bands: u32,
        anchor_weight: f64,
        band_weight: f64,
    }
    // Keyed by the pair packed into one u64 (smaller index high).
    let mut shared: HashMap<u64, Shared> = HashMap::default();
    for (band, blocks) in [(false, &anchor_blocks), (true, &band_blocks)] {
        for members in blocks.values() {
            if members.len() < 2 || members.len() > COMMON_ANCHOR_DOCUMENTS {
                continue;
            }
            let weight = 1.0 / (members.len() - 1) as f64;
            for (x, &i) in members.iter().enumerate() {
                for &j in &members[x + 1..] {
                    if !wanted(i as usize, j as usize) {
                        continue;
                    }
                    let key = (u64::from(i.min(j)) << 32) | u64::from(i.max(j));
                    let entry = shared.entry(key).or_default();
                    if band {
                        entry.bands += 1;
                        entry.band_weight += weight;
                    } else {
                        entry.anchors += 1;
                        entry.anchor_weight += weight;
                    }
                }
            }
        }
    }
    let unpack = |key: u64| ((key >> 32) as usize, (key & 0xFFFF_FFFF) as usize);
    // The strongest candidates first, with separate budgets: anchors across languages (where
    // translations are), anchors within a language, and LSH bands (copies). Each document is
    // compared with a bounded number of others of each kind, so the work grows linearly with the
    // corpus, and same-topic articles in one language cannot crowd out a translation.
    // A shape (paragraph count and headings, length profile) is too common to be a block in a
    // large corpus, but beside one rare shared name or number it is the second piece of evidence.
    let same_shape = |i: usize, j: usize| {
        fingerprints[i]
            .anchors
            .iter()
            .filter(|a| is_shape(a))
            .any(|a| fingerprints[j].anchors.contains(a))
    };
    let same_language = |i: usize, j: usize| fingerprints[i].same_language(&fingerprints[j]);
    let mut pairs = Vec::new();
    let anchored =
        |s: &Shared, i: usize, j: usize| s.anchors >= 2 || (s.anchors == 1 && same_shape(i, j));
    let (mut across, mut within, mut by_bands) = (Vec::new(), Vec::new(), Vec::new());
    for (&key, s) in &shared {
        let (i, j) = unpack(key);
        if anchored(s, i, j) {
            let list = if same_language(i, j) {
                &mut within
            } else {
                &mut across
            };
            list.push(((i, j), s.anchor_weight));
        }
        if s.bands >= 1 {
            by_bands.push(((i, j), s.band_weight + s.anchor_weight));
        }
    }
    drop(shared);
    for (mut ranked, budget) in [
        (across, CANDIDATES_PER_DOCUMENT),
        (within, CANDIDATES_PER_DOCUMENT / 2),
        (by_bands, CANDIDATES_PER_DOCUMENT),
    ] {
        // Ties by the texts' hashes, not by position: names and input order must not decide.
        let content = |(i, j): (usize, usize)| {
            let (a, b) = (fingerprints[i].text_hash, fingerprints[j].text_hash);
            (a.min(b), a.max(b), i.min(j), i.max(j))
        };
        ranked.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(content(x.0).cmp(&content(y.0))));
        let mut per_document: HashMap<usize, usize> = HashMap::default();
        for ((i, j), _) in ranked {
            let count_i = per_document.get(&i).copied().unwrap_or(0);
            let count_j = per_document.get(&j).copied().unwrap_or(0);
            if count_i < budget && count_j < budget {
                *per_document.entry(i).or_insert(0) += 1;
                *per_document.entry(j).or_insert(0) += 1;
                pairs.push((i, j));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
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
        let mut counts: HashMap<String, usize> = HashMap::default();
        for fingerprint in fingerprints {
            for anchor in &fingerprint.anchors {
                *counts.entry(anchor.clone()).or_insert(0) += 1;
            }
        }
        // Distinct texts per language and anchor (only anchors two documents carry can be shared).
        // From the reference size on, the corpus's own rates are what `surprisal` reads anyway.
        let mut per_language: HashMap<(&str, &str, &str), HashSet<u64>> = HashMap::default();
        let small = (fingerprints.len() as f64) < REFERENCE_DOCUMENTS;
        for fingerprint in fingerprints.iter().filter(|_| small) {
            for anchor in &fingerprint.anchors {
                if counts.get(anchor).copied().unwrap_or(0) >= 2 {
                    per_language
                        .entry((anchor, &fingerprint.language, &fingerprint.script))
                        .or_default()
                        .insert(fingerprint.text_hash);
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
        Self {
            counts,
            articles,
            documents: fingerprints.len(),
        }
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
fn unpaired_tail(beads: &[crate::align::Bead]) -> usize {
    let one_side = |bead: &&crate::align::Bead| bead.b.is_empty();
    let other_side = |bead: &&crate::align::Bead| bead.a.is_empty();
    let count = |rows: Vec<&crate::align::Bead>| -> usize {
        rows.iter().map(|bead| bead.a.len() + bead.b.len()).sum()
    };
    count(beads.iter().rev().take_while(one_side).collect())
        .max(count(beads.iter().rev().take_while(other_side).collect()))
}

/// Scores one candidate pair: rare shared anchors, trigram similarity and alignment quality
/// (the alignment holds sentence beads only when the pair scores [`GROUP_THRESHOLD`] or more).
/// `frequency` (when the whole corpus is known) discounts anchors many documents carry.
/// `None` when their paragraph counts differ too much to be versions of one article.
pub fn score_pair(
    (a, fingerprint_a): (&AnalysedDocument, &Fingerprint),
    (b, fingerprint_b): (&AnalysedDocument, &Fingerprint),
    frequency: &AnchorFrequency,
) -> Option<(f64, PairEvidence, Alignment)> {
    let (pa, pb) = (a.segmented.paragraphs.len(), b.segmented.paragraphs.len());
    // Versions of one article have comparable numbers of paragraphs, or one holds a good part
    // of the other (a copy cut short): otherwise skip the aligner.
    if pa.min(pb) * SHORTEST_PART < pa.max(pb) {
        return None;
    }
    let paragraphs = align_paragraphs(
        &a.document.text,
        &a.segmented,
        &b.document.text,
        &b.segmented,
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
    let shared_anchors: Vec<String> = fingerprint_a
        .anchors
        .intersection(&fingerprint_b.anchors)
        .cloned()
        .collect();
    let similarity = sketch_similarity(&fingerprint_a.sketch, &fingerprint_b.sketch);
    let same_language = fingerprint_a.same_language(fingerprint_b);
    // Shared names and numbers, each counted by how rare it is in the corpus, against the fewer
    // that either version carries. Shape (paragraph count, headings, length profile) is not in
    // it: many short articles share a shape.
    let content = |anchors: &BTreeSet<String>| anchors.iter().filter(|a| is_content(a)).count();
    let shared_content: f64 = shared_anchors
        .iter()
        .filter(|a| is_content(a))
        .map(|a| frequency.rarity(a))
        .sum();
    let fewest = content(&fingerprint_a.anchors)
        .min(content(&fingerprint_b.anchors))
        .max(1);
    let content_overlap = (shared_content / fewest as f64).min(1.0);
    let significance = frequency.significance(&shared_anchors, fewest, pa.min(pb));
    // Same language: the words themselves are the evidence, with aligned paragraphs that share
    // names and numbers. Across languages: the structure (paragraphs that align one to one),
    // times how certain it is that the names, numbers and shape both versions keep are no
    // coincidence (chance explains them with odds e^-significance; the square root of those odds
    // allows for anchors that are not independent); a long document's shape alone counts half.
    let score = if same_language {
        similarity.max(0.5 * aligned * content_overlap + 0.5 * similarity)
    } else {
        let certainty = 1.0 - (-significance.max(0.0) / 2.0).exp();
        let length = pa.min(pb) as f64 / LONG_DOCUMENT_PARAGRAPHS;
        (aligned * certainty).max(aligned * 0.5 * length.min(1.0))
    };
    let evidence = PairEvidence {
        a: a.document.id.clone(),
        b: b.document.id.clone(),
        score: round4(score),
        shared_anchors,
        significance: round4(significance),
        trigram_similarity: round4(similarity),
        aligned_paragraphs: round4(aligned),
        paragraphs: [pa, pb],
    };
    // Sentences are aligned only inside a pair that may be kept: most candidates are not.
    let sentences = if score >= GROUP_THRESHOLD {
        align_sentences_within(
            &a.document.text,
            &a.segmented,
            &b.document.text,
            &b.segmented,
            &paragraphs,
        )
    } else {
        Vec::new()
    };
    let alignment = Alignment {
        paragraphs,
        sentences,
    };
    Some((score, evidence, alignment))
}
