//! `mentorlens align` end to end on the two seed translations.

use crate::common::mentorlens;
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

#[test]
fn lines_are_aligned_as_sentences_numbered_from_zero() {
    let folder = tempfile::tempdir().unwrap();
    let german = folder.path().join("de.txt");
    let french = folder.path().join("fr.txt");
    std::fs::write(
        &german,
        "Am 9. September 1988 brechen wir zur Nordwand auf .\n\
         Der Fels der Engelhörner ist gut , aber die Route über den Pfeiler ist lang und die Haken sind alt .\n\
         Um 11 Uhr erreichen wir den Gipfel !\n",
    )
    .unwrap();
    std::fs::write(
        &french,
        "Le 9 septembre 1988 , nous partons vers la face nord .\n\
         Le rocher des Engelhörner est bon .\n\
         Mais la route par le pilier est longue et les pitons sont vieux .\n\
         À 11 heures nous atteignons le sommet !\n",
    )
    .unwrap();
    let output = mentorlens()
        .args(["align", "--lines", "--format", "json"])
        .args([&german, &french])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let alignment: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows: Vec<(Value, Value)> = alignment["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["a"].clone(), row["b"].clone()))
        .collect();
    use serde_json::json;
    assert_eq!(
        rows,
        [
            (json!([0]), json!([0])),
            (json!([1]), json!([1, 2])),
            (json!([2]), json!([3]))
        ]
    );
    assert_eq!(alignment["paragraphs"], json!([]));

    let both = mentorlens()
        .args(["align", "--lines", "--sentences"])
        .args([&german, &french])
        .output()
        .unwrap();
    assert_eq!(
        both.status.code(),
        Some(2),
        "--lines and --sentences conflict"
    );
}
