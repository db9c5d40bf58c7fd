//! Compiles the bigram half of the normaliser's English word model from its reviewable text file
//! (`src/normalize/bigrams.txt`, 243,000 pairs) into three arrays in `OUT_DIR`, keyed by word
//! ids (a word's id is the place of its first line in `src/normalize/unigrams.txt`, counting the
//! lines that parse), so a run reads them in place instead of parsing and hashing 5 MB of text:
//! - `bigram_starts.bin`: for each first word's id, where its pairs start (u32, one more at the
//!   end);
//! - `bigram_seconds.bin`: the second word's id of each pair (u32), sorted within a first word;
//! - `bigram_counts.bin`: the count of each pair (u64).
//!
//! All little-endian. Pairs with a word outside the unigram list are never consulted, so they are
//! left out; a pair listed twice keeps its last count.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

const UNIGRAMS: &str = "src/normalize/unigrams.txt";
const BIGRAMS: &str = "src/normalize/bigrams.txt";

fn main() {
    println!("cargo:rerun-if-changed={UNIGRAMS}");
    println!("cargo:rerun-if-changed={BIGRAMS}");
    let read =
        |path: &str| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let unigram_text = read(UNIGRAMS);
    // The same lines, in the same order, as the normaliser's WordModel::load reads.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    for (word, _) in unigram_text
        .lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(_, count)| count.trim().parse::<u64>().is_ok())
    {
        let next = u32::try_from(ids.len()).expect("fewer than 2^32 words");
        ids.entry(word).or_insert(next);
    }

    let bigram_text = read(BIGRAMS);
    let mut bigrams: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for line in bigram_text.lines() {
        let Some((pair, count)) = line.rsplit_once(' ') else {
            continue;
        };
        let (Some((first, second)), Ok(count)) = (pair.split_once(' '), count.trim().parse())
        else {
            continue;
        };
        if let (Some(&first), Some(&second)) = (ids.get(first), ids.get(second)) {
            bigrams.insert((first, second), count);
        }
    }
    let mut starts = Vec::with_capacity((ids.len() + 1) * 4);
    let mut seconds = Vec::with_capacity(bigrams.len() * 4);
    let mut counts = Vec::with_capacity(bigrams.len() * 8);
    let mut pairs = bigrams.iter().peekable();
    for first in 0..=u32::try_from(ids.len()).expect("fewer than 2^32 words") {
        let start = u32::try_from(seconds.len() / 4).expect("fewer than 2^32 pairs");
        starts.extend_from_slice(&start.to_le_bytes());
        while let Some(((_, second), count)) = pairs.next_if(|((f, _), _)| *f == first) {
            seconds.extend_from_slice(&second.to_le_bytes());
            counts.extend_from_slice(&count.to_le_bytes());
        }
    }
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(Path::new(&out_dir).join(name), bytes)
            .unwrap_or_else(|e| panic!("write {name}: {e}"));
    };
    write("bigram_starts.bin", &starts);
    write("bigram_seconds.bin", &seconds);
    write("bigram_counts.bin", &counts);
}
