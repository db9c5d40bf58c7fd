//! Load (decode) + segment + detect over a deterministic 10,000-document corpus, on one and two
//! threads, next to a bare whatlang pass over the same texts.
//!
//! Run: `cargo bench --bench foundation`. Throughput is reported in bytes per second; the ratio
//! pipeline/whatlang is the cost of segmentation, paragraph detection and the second opinion.

#[path = "support/synthetic.rs"]
mod synthetic;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mentorlens::corpus::document_from_bytes;
use mentorlens::{Config, Pipeline};
use rayon::prelude::*;
use std::hint::black_box;
use std::path::Path;

const DOCUMENTS: usize = 10_000;

fn foundation(c: &mut Criterion) {
    let corpus = synthetic::generate(Path::new(env!("CARGO_MANIFEST_DIR")), DOCUMENTS, 42);
    let bytes: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let texts: Vec<String> = corpus
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    let pipeline = Pipeline::new(&Config::default()).expect("default config builds");

    let (corpus, pipeline) = (&corpus, &pipeline);
    let analyse = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        move || {
            pool.install(|| {
                corpus
                    .par_iter()
                    .map(|(id, bytes)| {
                        let document = document_from_bytes(id.clone(), id.clone(), bytes.clone())
                            .expect("generated text is valid");
                        pipeline
                            .analyse_document(document)
                            .segmented
                            .paragraphs
                            .len()
                    })
                    .sum::<usize>()
            })
        }
    };
    let one_thread = analyse(1);
    let two_threads = analyse(2);
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

criterion_group!(benches, foundation);
criterion_main!(benches);
