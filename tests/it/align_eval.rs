//! Paragraph and sentence alignment of the Swedish and Polish seeds (two translations of one
//! article) against the gold in tests/data/gold, and robustness to edited variants.

use mentorlens::align::{Alignment, align};
use mentorlens::segment::SegmentConfig;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn read(relative: &str) -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)).unwrap()
}

fn aligned(a: &str, b: &str) -> Alignment {
    let segmenter = SegmentConfig::default().build();
    align(a, &segmenter.segment(a), b, &segmenter.segment(b))
}

fn shapes(alignment: &Alignment) -> Vec<(usize, usize)> {
    alignment
        .paragraphs
        .iter()
        .map(|bead| (bead.a.len(), bead.b.len()))
        .collect()
}

const SWEDISH: &str = "corpus/000_6d249e2a96ff57b8.txt";
const POLISH: &str = "corpus/001_c8f67bc4325f3f9a.txt";

#[test]
fn seed_translations_align_as_the_gold_says() {
    let alignment = aligned(&read(SWEDISH), &read(POLISH));
    let paragraphs: Vec<(Vec<usize>, Vec<usize>)> = alignment
        .paragraphs
        .iter()
        .map(|bead| (bead.a.clone(), bead.b.clone()))
        .collect();
    let gold: Vec<(Vec<usize>, Vec<usize>)> = (0..20).map(|i| (vec![i], vec![i])).collect();
    assert_eq!(paragraphs, gold);

    let links = |beads: &[mentorlens::align::Bead]| -> BTreeSet<(usize, usize)> {
        beads
            .iter()
            .flat_map(|bead| {
                bead.a
                    .iter()
                    .flat_map(move |&a| bead.b.iter().map(move |&b| (a, b)))
            })
            .collect()
    };
    let ours = links(&alignment.sentences);
    let gold: BTreeSet<(usize, usize)> = read("tests/data/gold/seeds_sv_pl_sentences.tsv")
        .lines()
        .skip(1)
        .map(|line| {
            let (a, b) = line.split_once('\t').unwrap();
            (a.trim().parse().unwrap(), b.trim().parse().unwrap())
        })
        .collect();
    let right = ours.intersection(&gold).count() as f64;
    let precision = right / ours.len() as f64;
    let recall = right / gold.len() as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    println!("sentence links: precision {precision:.3}, recall {recall:.3}, F1 {f1:.3}");
    assert!(f1 >= 0.95, "sentence F1 {f1:.3}");
}

/// Paragraphs of a blank-line separated text.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn edited_variants_give_merge_split_and_drop_rows() {
    let swedish = paragraphs(&read(SWEDISH));
    let polish = read(POLISH);
    // Polish paragraphs 5 and 6 merged into one.
    let mut merged = paragraphs(&polish);
    let sixth = merged.remove(6);
    merged[5] = format!("{} {}", merged[5], sixth);
    let alignment = aligned(&swedish.join("\n\n"), &merged.join("\n\n"));
    let shape = shapes(&alignment);
    assert_eq!(shape[5], (2, 1), "{shape:?}");
    assert_eq!(shape.len(), 19);
    // Polish paragraph 9 dropped.
    let mut dropped = paragraphs(&polish);
    dropped.remove(9);
    let shape = shapes(&aligned(&swedish.join("\n\n"), &dropped.join("\n\n")));
    assert_eq!(
        shape.iter().filter(|s| **s == (1, 0)).count(),
        1,
        "{shape:?}"
    );
    assert_eq!(
        shape.iter().filter(|s| **s == (1, 1)).count(),
        19,
        "{shape:?}"
    );
    // Swedish paragraph 12 split in two at its first sentence end.
    let mut split = swedish.clone();
    let at = split[12].find(". ").unwrap() + 1;
    let (first, second) = split[12].split_at(at);
    let (first, second) = (first.to_string(), second.trim().to_string());
    split[12] = first;
    split.insert(13, second);
    let shape = shapes(&aligned(&split.join("\n\n"), &polish));
    assert_eq!(shape[12], (2, 1), "{shape:?}");
}
