//! A golden summary of the team's development sets (`../shared/dev`, read in place: the texts
//! belong to their publishers, so the summary holds no text): per document its language, whether
//! its English reads as spun, the edits made, its group and its themes. Any behaviour change on
//! real text shows here as a diff of `tests/golden/dev_summary.tsv`. After a deliberate change,
//! `MENTORLENS_BLESS=1 cargo test --test it golden_dev::` rewrites it; review the diff before committing.

use serde_json::Value;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::common::{mentorlens, root};

/// The development folders, each analysed as one corpus.
const FOLDERS: [&str; 4] = ["groups", "themes", "spun", "spun_topics"];

/// The article files of a development folder (`*.source.txt` files name where a text came from).
fn articles(folder: &str) -> Vec<PathBuf> {
    let dir = root().join("../shared/dev").join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| {
            panic!(
                "the development set must be beside the checkout ({}): {error}",
                dir.display()
            )
        })
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.ends_with(".txt") && !name.ends_with(".source.txt")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 6, "{} holds too few articles", dir.display());
    files
}

/// One line per document: folder, id, language, spun, edits, group, themes.
fn summary(folder: &str, report: &Value) -> String {
    let groups: Vec<(&str, &str)> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["id"].as_str().unwrap(), g["kind"].as_str().unwrap()))
        .collect();
    let mut out = String::new();
    for document in report["documents"].as_array().unwrap() {
        let group = document["group"].as_str().map_or("-".to_string(), |id| {
            let kind = groups.iter().find(|g| g.0 == id).map_or("?", |g| g.1);
            // Group ids number groups in report order; the members' ids name the group stably.
            let members: Vec<&str> = report["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["id"] == id)
                .map(|g| {
                    g["documents"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| d.as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            format!("{kind}:{}", members.join("+"))
        });
        let mangling = &document["mangling"];
        let spun = match mangling["mangled"].as_bool() {
            Some(true) => "spun",
            Some(false) => "clean",
            None => "-",
        };
        let edits = document["mangling"]["edits"]
            .as_array()
            .map_or(0, |edits| edits.len());
        let themes: Vec<&str> = document["themes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        writeln!(
            out,
            "{folder}\t{}\t{}\t{spun}\t{edits}\t{group}\t{}",
            document["id"].as_str().unwrap(),
            document["language"]["code"].as_str().unwrap(),
            themes.join(",")
        )
        .unwrap();
    }
    out
}

#[test]
fn development_sets_summary_is_unchanged() {
    let mut summaries = String::from("folder\tid\tlanguage\tspun\tedits\tgroup\tthemes\n");
    for folder in FOLDERS {
        let output = mentorlens()
            .args(["analyze", "--quiet", "--format", "json"])
            .args(articles(folder))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(
            report["corpus"]["failed"], 0,
            "{folder}: {}",
            report["errors"]
        );
        summaries.push_str(&summary(folder, &report));
    }
    let path = root().join("tests/golden/dev_summary.tsv");
    if std::env::var_os("MENTORLENS_BLESS").is_some() {
        std::fs::write(&path, &summaries).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if summaries != expected {
        let changed: Vec<String> = summaries
            .lines()
            .filter(|line| !expected.lines().any(|e| e == *line))
            .map(|line| format!("now: {line}"))
            .chain(
                expected
                    .lines()
                    .filter(|line| !summaries.lines().any(|s| s == *line))
                    .map(|line| format!("was: {line}")),
            )
            .collect();
        panic!(
            "the development summary differs from tests/golden/dev_summary.tsv; if the change is deliberate, rerun with MENTORLENS_BLESS=1 and review the diff:\n{}",
            changed.join("\n")
        );
    }
}
