//! `mentorlens align` end to end on the two seed translations.

mod common;

use common::mentorlens;
use serde_json::Value;

const SWEDISH: &str = "corpus/000_6d249e2a96ff57b8.txt";
const POLISH: &str = "corpus/001_c8f67bc4325f3f9a.txt";

#[test]
fn json_gives_twenty_one_to_one_paragraph_rows() {
    let output = mentorlens()
        .args(["align", SWEDISH, POLISH, "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let alignment: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = alignment["paragraphs"].as_array().unwrap();
    assert_eq!(rows.len(), 20);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["a"], serde_json::json!([i]));
        assert_eq!(row["b"], serde_json::json!([i]));
    }
    assert_eq!(alignment["sentences"].as_array().unwrap().len(), 38);
}

#[test]
fn table_shows_both_versions_side_by_side() {
    let output = mentorlens()
        .args(["align", SWEDISH, POLISH, "--sentences"])
        .output()
        .unwrap();
    let table = String::from_utf8(output.stdout).unwrap();
    assert_eq!(table.lines().count(), 1 + 38);
    let second = table.lines().nth(2).unwrap();
    assert!(
        second.contains("Warren Buffets") && second.contains("Dobrym przykładem"),
        "{second}"
    );
}

#[test]
fn a_folder_is_refused_with_a_clear_message() {
    let output = mentorlens()
        .args(["align", "corpus", POLISH])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("give one document"));
}
