//! Grouping at scale on a corpus with planted translations and duplicates: analyses `--docs N`
//! generated documents, times the grouping stage alone, and prints pairwise recall and precision
//! against the planted groups.
//!
//! `cargo run --release --example group_scale -- --docs 100000 --seed 7` (`--wrong 20` lists up
//! to 20 wrong pairs with the evidence that tied them).

// Shared with the benches and gen_corpus; each target uses part of it.
#[allow(dead_code)]
#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use mentorlens::corpus::document_from_bytes;
use mentorlens::{Config, Pipeline};
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut documents = 10_000;
    let mut seed = 7;
    let mut show_wrong = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--docs" => documents = value.parse()?,
            "--seed" => seed = value.parse()?,
            "--wrong" => show_wrong = value.parse()?,
            other => {
                return Err(
                    format!("unknown option {other}; use --docs N --seed S --wrong N").into(),
                );
            }
        }
    }
    let (corpus, planted) =
        synthetic::generate_planted(Path::new(env!("CARGO_MANIFEST_DIR")), documents, seed);
    let bytes: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let pipeline = Pipeline::new(&Config::default())?;
    let started = Instant::now();
    let analysed: Vec<_> = corpus
        .into_par_iter()
        .map(|(id, bytes)| {
            let document = document_from_bytes(id.clone(), id, bytes).expect("valid text");
            pipeline.analyse_document(document)
        })
        .collect();
    let analysis_time = started.elapsed();
    let resident_before = memory_kb("VmRSS");
    // Reset the peak, so that the peak read after grouping is the grouping stage's (Linux).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let inputs: Vec<_> = analysed.iter().map(|d| d.grouped()).collect();
    let started = Instant::now();
    let groups = mentorlens::align::group::group(&inputs, &Default::default());
    let group_time = started.elapsed();
    if let (Some(before), Some(peak)) = (resident_before, memory_kb("VmHWM")) {
        println!(
            "memory: {:.0} MB resident with the analysed documents before grouping, {:.0} MB peak while grouping",
            before as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    let found: Vec<Vec<String>> = groups.iter().map(|g| g.documents.clone()).collect();
    let (gold, predicted) = (
        synthetic::grouped_pairs(planted.iter().cloned()),
        synthetic::grouped_pairs(found.into_iter()),
    );
    let right = gold.intersection(&predicted).count();
    println!(
        "{} documents ({:.1} MB), {} planted groups: per-document stages {:.2} s, grouping {:.2} s",
        analysed.len(),
        bytes as f64 / 1e6,
        planted.len(),
        analysis_time.as_secs_f64(),
        group_time.as_secs_f64()
    );
    println!(
        "pairs: planted {}, found {}, right {}: recall {:.4}, precision {:.4}",
        gold.len(),
        predicted.len(),
        right,
        right as f64 / gold.len().max(1) as f64,
        right as f64 / predicted.len().max(1) as f64
    );
    // The wrong pairs, with the evidence of the pair that tied them when there is one.
    for (a, b) in predicted.difference(&gold).take(show_wrong) {
        let evidence = groups
            .iter()
            .flat_map(|g| &g.evidence)
            .find(|e| (e.a == *a && e.b == *b) || (e.a == *b && e.b == *a));
        println!("wrong pair {a} {b}: {evidence:?}");
    }
    let language: std::collections::HashMap<&str, mentorlens::lang::Language> = analysed
        .iter()
        .map(|d| (d.document.id.as_str(), d.languages.document.language))
        .collect();
    let (mut translations, mut duplicates) = ((0, 0), (0, 0));
    for pair in &gold {
        let hit = usize::from(predicted.contains(pair));
        if language[pair.0.as_str()] == language[pair.1.as_str()] {
            duplicates = (duplicates.0 + hit, duplicates.1 + 1);
        } else {
            translations = (translations.0 + hit, translations.1 + 1);
        }
    }
    println!(
        "recall by kind: translations {}/{}, duplicates {}/{}",
        translations.0, translations.1, duplicates.0, duplicates.1
    );
    Ok(())
}

/// A memory figure of this process from /proc/self/status, in kB (Linux only).
fn memory_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
