//! The language-detection floor that any language-aware tool pays: reads every file under the
//! given folders and runs `whatlang::detect` on its whole text, in parallel with rayon, and prints
//! how many files it read. `mentorlens detect` is timed against it.
//!
//! `cargo run --release --example whatlang_floor -- /tmp/corpus10k`

use rayon::prelude::*;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files: Vec<PathBuf> = Vec::new();
    for root in std::env::args().skip(1) {
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = entry?;
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
    }
    let detected = files
        .par_iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .filter(|text| whatlang::detect(text).is_some())
        .count();
    println!("{} files, {detected} with a language", files.len());
    Ok(())
}
