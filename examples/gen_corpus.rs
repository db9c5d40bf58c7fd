//! Writes the deterministic synthetic corpus used by the benchmarks to a folder, one file per
//! document, so the CLI can be timed on it.
//!
//! `cargo run --release --example gen_corpus -- --docs 10000 --seed 42 --out /tmp/corpus10k`

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut documents = 10_000;
    let mut seed = 42;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--docs" => documents = value.parse()?,
            "--seed" => seed = value.parse()?,
            "--out" => out = Some(PathBuf::from(value)),
            other => {
                return Err(
                    format!("unknown option {other}; use --docs N --seed S --out DIR").into(),
                );
            }
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    std::fs::create_dir_all(&out)?;
    let corpus = synthetic::generate(Path::new(env!("CARGO_MANIFEST_DIR")), documents, seed);
    for (id, bytes) in &corpus {
        std::fs::write(out.join(format!("{id}.txt")), bytes)?;
    }
    eprintln!("wrote {} documents to {}", corpus.len(), out.display());
    Ok(())
}
