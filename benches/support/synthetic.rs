//! Deterministic synthetic corpora for benchmarks: the seed articles plus documents recombined
//! from the langid evaluation sentences (one language per document, 2-4 sentences a paragraph,
//! a heading now and then), and a corpus with planted translations and duplicates whose groups
//! are known. The same `seed` always gives the same documents.

use std::path::Path;

/// A tiny deterministic generator (SplitMix64), so the corpus does not depend on a crate version.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A generated document: (id, bytes).
pub type Document = (String, Vec<u8>);

/// `count` documents as (id, bytes), built from the project's own data files under `root`.
pub fn generate(root: &Path, count: usize, seed: u64) -> Vec<Document> {
    let by_language = sentences_by_language(root, false);
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(root.join("corpus"))
        .expect("corpus/")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|path| std::fs::read(path).expect("seed"))
        .collect();
    seeds.sort();
    let mut random = SplitMix::new(seed);
    (0..count)
        .map(|i| {
            let id = format!("doc{i:06}");
            if i % 10 == 0 {
                return (id, seeds[random.below(seeds.len())].clone());
            }
            let (_, pool) = &by_language[random.below(by_language.len())];
            let mut text = String::new();
            for paragraph in 0..3 + random.below(6) {
                if paragraph > 0 {
                    text.push_str("\n\n");
                }
                if random.below(4) == 0 {
                    let words: Vec<&str> = pool[random.below(pool.len())]
                        .split_whitespace()
                        .take(5)
                        .collect();
                    text.push_str(words.join(" ").trim_end_matches(['.', '!', '?', ',']));
                    text.push_str("\n\n");
                }
                let sentences: Vec<&str> = (0..2 + random.below(3))
                    .map(|_| pool[random.below(pool.len())].as_str())
                    .collect();
                text.push_str(&sentences.join(" "));
            }
            text.push('\n');
            (id, text.into_bytes())
        })
        .collect()
}

/// Letters of the made-up names planted in articles (rare, language-neutral anchors).
const CONSONANTS: &[u8] = b"bcdfghjklmnprstvz";
const VOWELS: &[u8] = b"aeiou";

/// Sentences of the langid evaluation set, by language; with `paragraphs`, also the sentences of
/// its paragraphs (cut after `.`, `!` or `?` before a capital), about four times as many.
fn sentences_by_language(root: &Path, paragraphs: bool) -> Vec<(String, Vec<String>)> {
    let mut by_language: Vec<(String, Vec<String>)> = Vec::new();
    let mut add =
        |language: &str, text: &str| match by_language.iter_mut().find(|(l, _)| l == language) {
            Some((_, list)) => list.push(text.to_string()),
            None => by_language.push((language.to_string(), vec![text.to_string()])),
        };
    let read = |file: &str| {
        std::fs::read_to_string(root.join("tests/data/langid").join(file))
            .unwrap_or_else(|_| panic!("tests/data/langid/{file}"))
    };
    for line in read("sentences.tsv").lines().skip(1) {
        if let Some((language, text)) = line.split_once('\t') {
            add(language, text);
        }
    }
    if paragraphs {
        for line in read("paragraphs.tsv").lines().skip(1) {
            let Some((language, text)) = line.split_once('\t') else {
                continue;
            };
            let mut start = 0;
            let characters: Vec<(usize, char)> = text.char_indices().collect();
            for window in characters.windows(3) {
                let [(_, end), (_, space), (next, capital)] = window else {
                    continue;
                };
                if matches!(end, '.' | '!' | '?') && *space == ' ' && capital.is_uppercase() {
                    let sentence = text[start..*next].trim();
                    if sentence.chars().count() >= 20 {
                        add(language, sentence);
                    }
                    start = *next;
                }
            }
            let last = text[start..].trim();
            if last.chars().count() >= 20 {
                add(language, last);
            }
        }
    }
    by_language
}

/// The language-independent skeleton of an article: paragraphs (a heading or body text of about
/// `chars` characters) and the names and numbers each paragraph mentions.
struct Skeleton {
    paragraphs: Vec<(bool, usize, Vec<String>)>,
}

fn skeleton(random: &mut SplitMix) -> Skeleton {
    // Names like "Brazeko": consonant-vowel patterns, as varied as real surnames.
    let name = |random: &mut SplitMix| -> String {
        let mut name = String::new();
        for k in 0..6 {
            let letters = if k % 2 == 0 { CONSONANTS } else { VOWELS };
            name.push(letters[random.below(letters.len())] as char);
        }
        name[..1].make_ascii_uppercase();
        name
    };
    let names: Vec<String> = (0..3).map(|_| name(random)).collect();
    let numbers: Vec<String> = (0..3)
        .map(|_| (1000 + random.below(9000)).to_string())
        .collect();
    let count = 4 + random.below(7);
    let paragraphs = (0..count)
        .map(|i| {
            let heading = i > 0 && random.below(4) == 0;
            let chars = if heading { 30 } else { 150 + random.below(350) };
            let mut anchors = Vec::new();
            if !heading && random.below(2) == 0 {
                anchors.push(names[random.below(names.len())].clone());
            }
            if !heading && random.below(3) == 0 {
                anchors.push(numbers[random.below(numbers.len())].clone());
            }
            (heading, chars, anchors)
        })
        .collect();
    Skeleton { paragraphs }
}

/// Writes a skeleton in one language: sentences of that language up to each paragraph's length,
/// with its names and numbers worked in.
fn realise(skeleton: &Skeleton, pool: &[String], random: &mut SplitMix) -> String {
    let mut paragraphs = Vec::new();
    for (heading, chars, anchors) in &skeleton.paragraphs {
        if *heading {
            let words: Vec<&str> = pool[random.below(pool.len())]
                .split_whitespace()
                .take(5)
                .collect();
            paragraphs.push(
                words
                    .join(" ")
                    .trim_end_matches(['.', '!', '?', ','])
                    .to_string(),
            );
            continue;
        }
        // A translator keeps the length: add sentences while they bring the paragraph closer to
        // its length (the best of a few tries each time).
        let mut text = String::new();
        loop {
            let missing = *chars as i64 - text.chars().count() as i64;
            let best = (0..8)
                .map(|_| &pool[random.below(pool.len())])
                .min_by_key(|s| (missing - s.chars().count() as i64 - 1).abs())
                .expect("a sentence");
            let after = (missing - best.chars().count() as i64 - 1).abs();
            if !text.is_empty() && after >= missing.abs() {
                break;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(best);
        }
        // Inside the last sentence, as translations keep names and numbers in place.
        let end = text.trim_end_matches(['.', '!', '?']).len();
        let closing = text[end..].to_string();
        text.truncate(end);
        for anchor in anchors {
            text.push(' ');
            text.push_str(anchor);
        }
        text.push_str(if closing.is_empty() { "." } else { &closing });
        paragraphs.push(text);
    }
    paragraphs.join("\n\n") + "\n"
}

/// A corpus with planted versions of articles: `count` documents as (id, bytes), and the planted
/// groups (ids of the documents that are versions of one article). About a third of the documents
/// belong to a group: translations (the same skeleton written in two or three languages) and
/// duplicates (an exact copy, or a copy with one paragraph dropped and one sentence changed). The
/// rest are unrelated articles built the same way.
pub fn generate_planted(root: &Path, count: usize, seed: u64) -> (Vec<Document>, Vec<Vec<String>>) {
    let by_language = sentences_by_language(root, true);
    let mut random = SplitMix::new(seed);
    let mut documents: Vec<Document> = Vec::with_capacity(count);
    let mut groups = Vec::new();
    while documents.len() < count {
        let skeleton = skeleton(&mut random);
        let first_language = random.below(by_language.len());
        let base = realise(&skeleton, &by_language[first_language].1, &mut random);
        let roll = random.below(6);
        let mut versions = vec![base.clone()];
        if roll == 0 || roll == 1 {
            // Translations into one or two other languages.
            let mut used = vec![first_language];
            for _ in 0..1 + random.below(2) {
                let mut language = random.below(by_language.len());
                while used.contains(&language) {
                    language = random.below(by_language.len());
                }
                used.push(language);
                versions.push(realise(&skeleton, &by_language[language].1, &mut random));
            }
        } else if roll == 2 {
            // A duplicate: exact, or a scraped copy.
            if random.below(2) == 0 {
                versions.push(base.clone());
            } else {
                // A scraped copy: one paragraph lost (in longer articles) and a closing line
                // of the copying site added.
                let mut paragraphs: Vec<&str> = base.trim_end().split("\n\n").collect();
                if paragraphs.len() >= 6 {
                    paragraphs.remove(1 + random.below(paragraphs.len() - 2));
                }
                let pool = &by_language[first_language].1;
                let extra = pool[random.below(pool.len())].clone();
                let mut copy = paragraphs.join("\n\n");
                copy.push_str("\n\n");
                copy.push_str(&extra);
                copy.push('\n');
                versions.push(copy);
            }
        }
        let versions: Vec<String> = versions.into_iter().take(count - documents.len()).collect();
        let ids: Vec<String> = (0..versions.len())
            .map(|k| format!("doc{:06}", documents.len() + k))
            .collect();
        if ids.len() > 1 {
            groups.push(ids.clone());
        }
        documents.extend(
            ids.into_iter()
                .zip(versions.into_iter().map(String::into_bytes)),
        );
    }
    (documents, groups)
}

/// Every pair of documents that share a group, each as (smaller id, larger id): the unit recall and
/// precision of grouping are counted in.
pub fn grouped_pairs(
    groups: impl Iterator<Item = Vec<String>>,
) -> std::collections::BTreeSet<(String, String)> {
    let mut pairs = std::collections::BTreeSet::new();
    for group in groups {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                pairs.insert((a.min(b).clone(), a.max(b).clone()));
            }
        }
    }
    pairs
}

/// Pairwise recall and precision of the `found` groups against the `planted` ones.
pub fn recall_precision(
    planted: impl Iterator<Item = Vec<String>>,
    found: impl Iterator<Item = Vec<String>>,
) -> (f64, f64) {
    let (gold, predicted) = (grouped_pairs(planted), grouped_pairs(found));
    let right = gold.intersection(&predicted).count() as f64;
    (
        right / gold.len().max(1) as f64,
        right / predicted.len().max(1) as f64,
    )
}
