//! Load (decode) + segment + detect over a deterministic 10,000-document corpus, on one and two
//! threads, next to a bare whatlang pass over the same texts; the language step alone on the
//! bench sentences, next to bare whatlang; and the spun-English normaliser over
//! the English documents, next to the segmentation pass alone; and theme matching over the seed
//! articles (Swedish, Polish, English, spun English included); and grouping (blocking, pair
//! scoring, alignment) on corpora of 2,000 and 10,000 documents with planted translations and
//! duplicates, checked for recall ≥ 0.95 and precision ≥ 0.99 before it is timed. 100,000
//! documents: `cargo run --release --example group_scale -- --docs 100000`.
//!
//! Run: `cargo bench --bench foundation`. Throughput is reported in bytes per second.

// Shared with the examples; each target uses part of it.
#[allow(dead_code)]
#[path = "support/synthetic.rs"]
mod synthetic;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mentorlens::corpus::document_from_bytes;
use mentorlens::lang::{LanguageConfig, LanguageDetector};
use mentorlens::normalize::NormalizeConfig;
use mentorlens::segment::{SegmentConfig, Segmented, Segmenter};
use rayon::prelude::*;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

const DOCUMENTS: usize = 10_000;

/// Load + segment + detect one document; returns its paragraph count.
fn analyse(segmenter: &Segmenter, detector: &LanguageDetector, id: &str, bytes: &[u8]) -> usize {
    let document = document_from_bytes(id.into(), id.into(), bytes.to_vec()).expect("valid text");
    let segmented = segmenter.segment(&document.text);
    let languages = detector.detect_document(&document.text, &segmented);
    languages.paragraphs.len()
}

fn foundation(c: &mut Criterion) {
    let corpus = synthetic::generate(Path::new(env!("CARGO_MANIFEST_DIR")), DOCUMENTS, 42);
    let bytes: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let texts: Vec<String> = corpus
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    let segmenter = SegmentConfig::default().build();
    let detector = LanguageConfig::default()
        .build()
        .expect("default config builds");
    let (corpus, segmenter, detector) = (&corpus, &segmenter, &detector);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        move || {
            pool.install(|| {
                corpus
                    .par_iter()
                    .map(|(id, bytes)| analyse(segmenter, detector, id, bytes))
                    .sum::<usize>()
            })
        }
    };
    let one_thread = run(1);
    let two_threads = run(2);
    // The output must be real: every document has paragraphs.
    let paragraphs = one_thread();
    assert!(paragraphs > 3 * DOCUMENTS, "only {paragraphs} paragraphs");
    assert_eq!(paragraphs, two_threads());

    let mut group = c.benchmark_group("foundation");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("bare_whatlang_1_thread", |b| {
        b.iter(|| {
            let detected = texts
                .iter()
                .filter(|text| whatlang::detect(text).is_some())
                .count();
            assert!(detected > DOCUMENTS * 9 / 10);
            black_box(detected)
        })
    });
    group.bench_function("load_segment_detect_1_thread", |b| {
        b.iter(|| black_box(one_thread()))
    });
    group.bench_function("load_segment_detect_2_threads", |b| {
        b.iter(|| black_box(two_threads()))
    });
    group.finish();
}

/// The language step alone on the 3,200 bench sentences (16 languages, the bench's allow-list):
/// `detect` (whatlang, the markers' second opinion, lingua's n-gram reading of unclear answers)
/// next to a bare whatlang pass over the same sentences, one thread each.
fn sentences(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read_to_string(root.join("tests/data/langid/sentences.tsv")).unwrap();
    let rows: Vec<(&str, &str)> = data
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t'))
        .collect();
    let languages = [
        "en", "sv", "pl", "da", "nb", "de", "nl", "fr", "es", "it", "pt", "cs", "sk", "ru", "uk",
        "fi",
    ];
    let detector = LanguageConfig {
        languages: languages.iter().map(|code| code.to_string()).collect(),
        ..LanguageConfig::default()
    }
    .build()
    .expect("the bench languages are supported");
    let right = || {
        rows.iter()
            .filter(|(gold, text)| detector.detect(text).language.code() == *gold)
            .count()
    };
    // Real output: the accuracy the langid test checks, before anything is timed.
    let accuracy = right() as f64 / rows.len() as f64;
    println!("sentences: accuracy {accuracy:.4}");
    assert!(accuracy >= 0.975);
    let bytes: usize = rows.iter().map(|(_, text)| text.len()).sum();
    let mut group = c.benchmark_group("sentences");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("bare_whatlang_1_thread", |b| {
        b.iter(|| {
            black_box(
                rows.iter()
                    .filter(|(_, text)| whatlang::detect(text).is_some())
                    .count(),
            )
        })
    });
    group.bench_function("detect_1_thread", |b| b.iter(|| black_box(right())));
    group.finish();
}

fn normalize(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let started = Instant::now();
    let normalizer = NormalizeConfig::default()
        .build()
        .expect("the built-in lexicon parses");
    println!(
        "normaliser built in {:?} (lexicon and word model)",
        started.elapsed()
    );
    // English text: the English seeds and the English evaluation paragraphs, about 1 MB.
    let mut english = String::new();
    for id in [
        "002_b93d072c615ee9a5",
        "003_c1d548cdc3955c20",
        "004_d14e9c0db9af65cb",
    ] {
        english.push_str(&std::fs::read_to_string(root.join(format!("corpus/{id}.txt"))).unwrap());
        english.push_str("\n\n");
    }
    let paragraphs =
        std::fs::read_to_string(root.join("tests/data/langid/paragraphs.tsv")).unwrap();
    for line in paragraphs.lines().filter_map(|l| l.strip_prefix("en\t")) {
        english.push_str(line);
        english.push_str("\n\n");
    }
    let english = english.repeat(15);
    let segmenter = SegmentConfig::default().build();
    let segmented: Segmented = segmenter.segment(&english);
    let all_english = vec![true; segmented.paragraphs.len()];
    let edits = normalizer
        .normalize(&english, &segmented, &all_english)
        .edits
        .len();
    assert!(edits >= 15 * 40, "only {edits} edits");

    let mut group = c.benchmark_group("normalize");
    group.throughput(Throughput::Bytes(english.len() as u64));
    group.sample_size(10);
    group.bench_function("segment_1_thread", |b| {
        b.iter(|| black_box(segmenter.segment(&english).paragraphs.len()))
    });
    group.bench_function("normalize_1_thread", |b| {
        b.iter(|| {
            black_box(
                normalizer
                    .normalize(&english, &segmented, &all_english)
                    .edits
                    .len(),
            )
        })
    });
    group.finish();
}

fn themes(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pipeline = mentorlens::Pipeline::new(&mentorlens::Config::default()).unwrap();
    // The five seed articles, each 40 times as a separate document (about 1 MB).
    let mut documents = Vec::new();
    for entry in std::fs::read_dir(root.join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for copy in 0..40 {
            let id = format!("{}~{copy}", path.display());
            let document = document_from_bytes(id.clone(), id, bytes.clone()).unwrap();
            documents.push(pipeline.analyse_document(document));
        }
    }
    let bytes: usize = documents.iter().map(|d| d.document.text.len()).sum();
    let matcher = pipeline.theme_matcher();
    let match_all = || {
        documents
            .iter()
            .map(|d| {
                let input = mentorlens::themes::DocumentInput {
                    text: &d.document.text,
                    paragraphs: &d.segmented.paragraphs,
                    languages: &d.languages,
                    spun: d.mangling.as_ref().is_some_and(|m| m.mangled),
                    restoration: d.restoration.as_ref(),
                };
                matcher.extract_themes(&input).hits.len()
            })
            .sum::<usize>()
    };
    // Real output: every copy of every seed states themes.
    let hits = match_all();
    assert!(hits >= documents.len() * 5, "only {hits} theme hits");

    let mut group = c.benchmark_group("themes");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("extract_themes_1_thread", |b| {
        b.iter(|| black_box(match_all()))
    });
    group.finish();
}

fn grouping(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pipeline = mentorlens::Pipeline::new(&mentorlens::Config::default()).unwrap();
    let mut group = c.benchmark_group("group");
    group.sample_size(10);
    for documents in [2_000, 10_000] {
        let (corpus, planted) = synthetic::generate_planted(root, documents, 7);
        let analysed: Vec<mentorlens::AnalysedDocument> = corpus
            .into_par_iter()
            .map(|(id, bytes)| {
                let document = document_from_bytes(id.clone(), id, bytes).unwrap();
                pipeline.analyse_document(document)
            })
            .collect();
        let inputs: Vec<_> = analysed.iter().map(|d| d.grouped()).collect();
        // Real output: the planted groups are found before anything is timed.
        let found = mentorlens::align::group::group(&inputs, &Default::default());
        let (recall, precision) = synthetic::recall_precision(
            planted.into_iter(),
            found.into_iter().map(|g| g.documents),
        );
        println!("{documents} documents: recall {recall:.4}, precision {precision:.4}");
        assert!(recall >= 0.95 && precision >= 0.99);
        group.throughput(Throughput::Elements(documents as u64));
        group.bench_function(format!("group_{documents}_documents"), |b| {
            b.iter(|| {
                black_box(mentorlens::align::group::group(&inputs, &Default::default()).len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, foundation, sentences, normalize, themes, grouping);
criterion_main!(benches);
