//! A deterministic synthetic corpus for benchmarks: the seed articles plus documents recombined
//! from the langid evaluation sentences (one language per document, 2-4 sentences a paragraph,
//! a heading now and then). The same `seed` always gives the same documents.

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

/// `count` documents as (id, bytes), built from the project's own data files under `root`.
pub fn generate(root: &Path, count: usize, seed: u64) -> Vec<(String, Vec<u8>)> {
    let sentences = std::fs::read_to_string(root.join("tests/data/langid/sentences.tsv"))
        .expect("tests/data/langid/sentences.tsv");
    let mut by_language: Vec<(String, Vec<String>)> = Vec::new();
    for line in sentences.lines().skip(1) {
        let Some((language, text)) = line.split_once('\t') else {
            continue;
        };
        match by_language.iter_mut().find(|(l, _)| l == language) {
            Some((_, list)) => list.push(text.to_string()),
            None => by_language.push((language.to_string(), vec![text.to_string()])),
        }
    }
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
