//! Compiles the bigram half of the normaliser's English word model from its reviewable text file
//! (`src/normalize/bigrams.txt`, 243,000 pairs) into a finite-state map, `bigrams.fst` in
//! `OUT_DIR`: "first second" → count of the pair. A run then reads the map in place instead of
//! parsing and hashing 5 MB of text (the unigram list is small enough to load at run time). Pairs
//! with a word outside the unigram list (`src/normalize/unigrams.txt`) are never consulted, so
//! they are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const UNIGRAMS: &str = "src/normalize/unigrams.txt";
const BIGRAMS: &str = "src/normalize/bigrams.txt";

fn main() {
    println!("cargo:rerun-if-changed={UNIGRAMS}");
    println!("cargo:rerun-if-changed={BIGRAMS}");
    let read =
        |path: &str| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let unigram_text = read(UNIGRAMS);
    let words: BTreeSet<&str> = unigram_text
        .lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(_, count)| count.trim().parse::<u64>().is_ok())
        .map(|(word, _)| word)
        .collect();

    let bigram_text = read(BIGRAMS);
    // A pair listed twice keeps its last count.
    let mut bigrams: BTreeMap<&str, u64> = BTreeMap::new();
    for line in bigram_text.lines() {
        let Some((pair, count)) = line.rsplit_once(' ') else {
            continue;
        };
        let (Some((first, second)), Ok(count)) = (pair.split_once(' '), count.trim().parse())
        else {
            continue;
        };
        if words.contains(first) && words.contains(second) {
            bigrams.insert(pair, count);
        }
    }
    let mut builder = fst::MapBuilder::memory();
    for (pair, &count) in &bigrams {
        builder.insert(pair, count).expect("pairs arrive sorted");
    }
    let map = builder.into_inner().expect("build the bigram map");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("bigrams.fst"), map).expect("write bigrams.fst");
}
