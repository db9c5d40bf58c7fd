//! The cost of mentorlens against the language-detection floor that any language-aware tool pays,
//! measured in one process on the same files: a bare parallel whatlang pass (read each file,
//! `whatlang::detect` on its whole text), then `detect`'s stages (load, segment, language), then
//! the whole `analyze` pipeline with its JSON report built and written as the command does (to a
//! sink that counts the bytes, not a file), on 1 and 2 threads, alternating, three rounds.
//! Prints each time and the ratios to the floor; the documents are read from disk in every pass.
//!
//! `cargo run --release --example gen_corpus -- --docs 10000 --seed 42 --out /tmp/corpus10k`
//! `cargo run --release --example speed_ratio -- /tmp/corpus10k`

use mentorlens::corpus::Input;
use mentorlens::report::Report;
use mentorlens::{Config, DocumentStages, Pipeline};
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The allocator the `mentorlens` command runs with (see Cargo.toml), so that the pipeline is
/// timed as the command runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("give the corpus folder, e.g. /tmp/corpus10k")?,
    );
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in walkdir::WalkDir::new(&folder).sort_by_file_name() {
        let entry = entry?;
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    let pipeline = Pipeline::new(&Config::default())?;
    let inputs = [Input::Path(folder.clone())];
    println!("{} files in {}", files.len(), folder.display());
    let mut analyze_times = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let (mut floor, mut detect, mut analyze) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..3 {
            floor.push(timed(|| {
                let detected = pool.install(|| {
                    files
                        .par_iter()
                        .filter_map(|path| std::fs::read_to_string(path).ok())
                        .filter(|text| whatlang::detect(text).is_some())
                        .count()
                });
                assert!(detected > 0, "nothing detected: the floor measured nothing");
            }));
            detect.push(timed(|| {
                let (documents, _) = pool.install(|| {
                    pipeline.analyse_inputs(&inputs, &(), DocumentStages::UpToLanguage)
                });
                assert_eq!(documents.len(), files.len());
            }));
            analyze.push(timed(|| {
                // As the command runs it: the report is built on the pool too (it builds its
                // documents in parallel), taking the analysis's texts, and written out; here to
                // a sink that counts its bytes, so that no file system is timed.
                let written = pool.install(|| {
                    let analysis = pipeline.run(&inputs, &());
                    let mut sink = CountingSink::default();
                    Report::from_analysis(analysis)
                        .write_json(&mut sink)
                        .expect("a sink");
                    sink.bytes
                });
                assert!(written > files.len() * 100, "the report is too small");
            }));
        }
        let median = |times: &mut Vec<Duration>| {
            times.sort();
            times[times.len() / 2].as_secs_f64()
        };
        let (floor, detect, analyze) = (
            median(&mut floor),
            median(&mut detect),
            median(&mut analyze),
        );
        println!(
            "{threads} thread(s), median of 3: whatlang floor {floor:.2} s, detect {detect:.2} s ({:.2}x), analyze {analyze:.2} s ({:.2}x)",
            detect / floor,
            analyze / floor
        );
        analyze_times.push(analyze);
    }
    println!(
        "analyze on 2 threads: {:.2}x as fast as on 1",
        analyze_times[0] / analyze_times[1]
    );
    Ok(())
}

/// A writer that keeps nothing but the number of bytes written to it.
#[derive(Default)]
struct CountingSink {
    bytes: usize,
}

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn timed(work: impl FnOnce()) -> Duration {
    let start = Instant::now();
    work();
    start.elapsed()
}
