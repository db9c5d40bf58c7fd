//! Writes a deterministic synthetic corpus to a folder, one file per document, so the CLI can be
//! timed on it. `--planted` writes the corpus with planted translations and duplicates instead,
//! and their ids to `groups.json` beside the documents, to measure grouping.
//!
//! `cargo run --release --example gen_corpus -- --docs 10000 --seed 42 --out /tmp/corpus10k`
//! `cargo run --release --example gen_corpus -- --planted --docs 10000 --seed 7 --out /tmp/planted`

// Shared with the benches and group_scale; each target uses part of it.
#[allow(dead_code)]
#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut documents = 10_000;
    let mut seed = 42;
    let mut out: Option<PathBuf> = None;
    let mut planted = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--planted" {
            planted = true;
            continue;
        }
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--docs" => documents = value.parse()?,
            "--seed" => seed = value.parse()?,
            "--out" => out = Some(PathBuf::from(value)),
            other => {
                return Err(format!(
                    "unknown option {other}; use [--planted] --docs N --seed S --out DIR"
                )
                .into());
            }
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    std::fs::create_dir_all(&out)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = if planted {
        let (corpus, groups) = synthetic::generate_planted(root, documents, seed);
        std::fs::write(
            out.join("groups.json"),
            serde_json::to_string_pretty(&groups)?,
        )?;
        corpus
    } else {
        synthetic::generate(root, documents, seed)
    };
    for (id, bytes) in &corpus {
        std::fs::write(out.join(format!("{id}.txt")), bytes)?;
    }
    eprintln!("wrote {} documents to {}", corpus.len(), out.display());
    Ok(())
}
