//! End to end through the built binary on the bundled seed corpus, checked against the gold
//! analysis in tests/data/gold (copied from the team's shared gold files).

use serde_json::Value;
use std::path::Path;

use crate::common::{mentorlens, root};

fn analyze(args: &[&str]) -> (Value, Vec<u8>) {
    let output = mentorlens()
        .arg("analyze")
        .args(args)
        .arg("--quiet")
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = serde_json::from_slice(&output.stdout).expect("report is JSON");
    (report, output.stdout)
}

fn gold() -> Value {
    let text = std::fs::read_to_string(root().join("tests/data/gold/seeds.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn document<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("document {id} is in the report"))
}

fn paragraph_text<'a>(text: &'a str, paragraph: &Value) -> &'a str {
    let start = paragraph["start"].as_u64().unwrap() as usize;
    let end = paragraph["end"].as_u64().unwrap() as usize;
    &text[start..end]
}

fn seed_text(id: &str) -> String {
    std::fs::read_to_string(root().join("corpus").join(format!("{id}.txt"))).unwrap()
}

#[test]
fn default_path_is_the_bundled_corpus_and_languages_match_gold() {
    let (report, _) = analyze(&[]);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["corpus"]["analysed"], 5);
    assert_eq!(report["corpus"]["failed"], 0);
    let gold = gold();
    for (id, language) in gold["languages"].as_object().unwrap() {
        let document = document(&report, id);
        assert_eq!(&document["language"]["code"], language, "{id}");
        assert_eq!(document["language"]["reliable"], true, "{id}");
        assert_eq!(
            document["secondary_languages"],
            Value::Array(vec![]),
            "{id}"
        );
    }
}

#[test]
fn seed_paragraph_counts_follow_the_design() {
    let (report, _) = analyze(&["corpus"]);
    for (id, paragraphs) in [
        ("000_6d249e2a96ff57b8", 20),
        ("001_c8f67bc4325f3f9a", 20),
        ("003_c1d548cdc3955c20", 30),
        ("004_d14e9c0db9af65cb", 18),
    ] {
        let count = document(&report, id)["paragraphs"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(count, paragraphs, "{id}");
    }
}

#[test]
fn headings_and_boilerplate_are_marked_in_the_seeds() {
    let (report, _) = analyze(&["corpus"]);
    let flagged = |id: &str, flag: &str| -> Vec<String> {
        let text = seed_text(id);
        document(&report, id)["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p[flag] == true)
            .map(|p| paragraph_text(&text, p).to_string())
            .collect()
    };
    let swedish_headings = flagged("000_6d249e2a96ff57b8", "heading");
    assert!(swedish_headings.contains(&"Du kan utnyttja externa idéer".to_string()));
    assert_eq!(swedish_headings.len(), 4, "{swedish_headings:?}");
    let english_headings = flagged("004_d14e9c0db9af65cb", "heading");
    assert!(
        english_headings.contains(&"1. Formal education and training are expensive".to_string())
    );
    assert_eq!(english_headings.len(), 7, "{english_headings:?}");
    assert_eq!(
        flagged("000_6d249e2a96ff57b8", "boilerplate"),
        ["Ladda ner e-boken"]
    );
    assert_eq!(
        flagged("001_c8f67bc4325f3f9a", "boilerplate"),
        ["Pobierz eBook"]
    );
    assert_eq!(
        flagged("002_b93d072c615ee9a5", "boilerplate"),
        [
            "Pin It on Pinterest",
            "Share This",
            "Share this post with your friends!"
        ]
    );
    assert_eq!(
        flagged("004_d14e9c0db9af65cb", "boilerplate"),
        ["Comments are closed"]
    );
    // The closing author bio describes the writer, not the article.
    assert_eq!(
        flagged("003_c1d548cdc3955c20", "boilerplate"),
        [
            "Melissa Puls is chief advertising and marketing officer and senior vp of buyer success at Ivanti."
        ]
    );
}

/// The gold sentence spans (byte_start, byte_end) of one seed.
fn gold_sentences(file: &str) -> Vec<(u64, u64)> {
    let text = std::fs::read_to_string(root().join("tests/data/gold").join(file)).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields[2].parse().unwrap(), fields[3].parse().unwrap())
        })
        .collect()
}

#[test]
fn sentences_match_the_gold_spans() {
    let (report, _) = analyze(&["corpus"]);
    for (id, file) in [
        ("000_6d249e2a96ff57b8", "seeds_000_sentences.tsv"),
        ("001_c8f67bc4325f3f9a", "seeds_001_sentences.tsv"),
    ] {
        let ours: Vec<(u64, u64)> = document(&report, id)["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["sentences"].as_array().unwrap().clone())
            .map(|s| (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap()))
            .collect();
        assert_eq!(ours, gold_sentences(file), "{id}");
    }
}

#[test]
fn offsets_point_at_the_original_text() {
    let (report, _) = analyze(&["corpus"]);
    for document in report["documents"].as_array().unwrap() {
        let text = seed_text(document["id"].as_str().unwrap());
        assert_eq!(document["bytes"].as_u64().unwrap() as usize, text.len());
        let mut previous_end = 0;
        for paragraph in document["paragraphs"].as_array().unwrap() {
            let body = paragraph_text(&text, paragraph);
            assert!(!body.trim().is_empty());
            assert_eq!(body, body.trim());
            assert!(paragraph["start"].as_u64().unwrap() as usize >= previous_end);
            previous_end = paragraph["end"].as_u64().unwrap() as usize;
        }
    }
}

#[test]
fn thread_count_does_not_change_the_report() {
    let inputs = ["corpus", "tests/fixtures/hostile"];
    let run = |threads: &str| {
        mentorlens()
            .args(["analyze", "--quiet", "--threads", threads])
            .args(inputs)
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    assert_eq!(one, run("2"));
}

#[test]
fn jsonl_has_one_record_per_line() {
    let output = mentorlens()
        .args(["analyze", "--quiet", "--format", "jsonl", "corpus"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let of = |kind: &str| -> Vec<&Value> {
        lines.iter().filter(|line| line["record"] == kind).collect()
    };
    // Every kind the report holds is a table of its own.
    let documents = of("document");
    assert_eq!(documents.len(), 5);
    assert_eq!(documents[0]["id"], "000_6d249e2a96ff57b8");
    assert_eq!(of("group").len(), 1);
    assert_eq!(of("group_member").len(), 2);
    assert_eq!(of("alignment").len(), 1);
    assert_eq!(of("theme").len(), 18);
    assert!(!of("theme_evidence").is_empty());
    assert_eq!(
        lines.len(),
        [
            "document",
            "group",
            "group_member",
            "alignment",
            "theme",
            "theme_evidence",
            "discovered_theme",
            "error"
        ]
        .iter()
        .map(|kind| of(kind).len())
        .sum::<usize>(),
        "an unknown record kind"
    );
    // Records point at each other by id, and a document names its group.
    let document_ids: Vec<&Value> = documents.iter().map(|d| &d["id"]).collect();
    let theme_ids: Vec<&Value> = of("theme").iter().map(|t| &t["id"]).collect();
    for member in of("group_member") {
        assert!(document_ids.contains(&&member["document"]), "{member}");
        assert_eq!(member["group"], of("group")[0]["id"]);
        let document = documents
            .iter()
            .find(|d| d["id"] == member["document"])
            .unwrap();
        assert_eq!(document["group"], member["group"]);
    }
    for evidence in of("theme_evidence") {
        assert!(theme_ids.contains(&&evidence["theme"]), "{evidence}");
        assert!(document_ids.contains(&&evidence["document"]), "{evidence}");
    }
    assert_eq!(of("alignment")[0]["group"], "g1");
    assert!(of("alignment")[0]["paragraphs"].as_array().unwrap().len() >= 20);
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("report.json");
    let output = mentorlens()
        .args(["analyze", "--quiet", "corpus", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    let report: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(report["corpus"]["analysed"], 5);
    // Only the report itself: no temporary file is left behind.
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
}

#[test]
fn standard_input_is_one_document() {
    let output = mentorlens()
        .args(["analyze", "--quiet", "-"])
        .write_stdin(seed_text("001_c8f67bc4325f3f9a"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let document = document(&report, "stdin");
    assert_eq!(document["path"], "-");
    assert_eq!(document["language"]["code"], "pl");
    assert_eq!(document["paragraphs"].as_array().unwrap().len(), 20);
}

#[test]
fn hard_wrapped_text_keeps_its_paragraphs() {
    let folder = tempfile::tempdir().unwrap();
    let original = seed_text("000_6d249e2a96ff57b8");
    let wrapped = wrap(&original, 72);
    assert!(wrapped.lines().count() > original.lines().count() + 20);
    std::fs::write(folder.path().join("wrapped.txt"), &wrapped).unwrap();
    let (report, _) = analyze(&[folder.path().to_str().unwrap()]);
    let paragraphs: Vec<String> = document(&report, "wrapped")["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            paragraph_text(&wrapped, p)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let expected: Vec<String> = original
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    assert_eq!(paragraphs, expected);
}

/// Wraps every paragraph at `width` columns, as a mail client or `fmt` would.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut column = 0;
        for word in line.split_whitespace() {
            let length = word.chars().count();
            if column > 0 && column + 1 + length > width {
                out.push('\n');
                column = 0;
            } else if column > 0 {
                out.push(' ');
                column += 1;
            }
            out.push_str(word);
            column += length;
        }
        out.push('\n');
    }
    out
}

#[test]
fn allow_list_restricts_detection() {
    let (report, _) = analyze(&["--languages", "en,sv", "corpus"]);
    let polish = document(&report, "001_c8f67bc4325f3f9a");
    assert_ne!(polish["language"]["code"], "pl");
    // The report says which settings made it, and they change its fingerprint.
    assert_eq!(
        report["settings"]["stages"]["language"]["languages"],
        serde_json::json!(["en", "sv"])
    );
    let (default, _) = analyze(&["corpus"]);
    assert_ne!(
        report["settings"]["fingerprint"],
        default["settings"]["fingerprint"]
    );
    let output = mentorlens()
        .args(["analyze", "--languages", "en,xx", "corpus"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown language code 'xx'"));
}

#[test]
fn detect_prints_a_table() {
    let output = mentorlens().args(["detect", "corpus"]).output().unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    let header = table.lines().next().unwrap();
    for column in ["id", "language", "confidence", "paragraphs", "words"] {
        assert!(header.contains(column), "{header}");
    }
    let swedish = table
        .lines()
        .find(|line| line.starts_with("000_6d249e2a96ff57b8"))
        .unwrap();
    assert_eq!(swedish.split_whitespace().nth(1), Some("sv"));
    assert_eq!(swedish.split_whitespace().nth(3), Some("20"));
}

#[test]
fn detect_json_lists_documents() {
    let output = mentorlens()
        .args(["detect", "--format", "json", "corpus"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["documents"].as_array().unwrap().len(), 5);
    assert_eq!(json["documents"][1]["language"]["code"], "pl");
}

#[test]
fn schema_command_prints_the_shipped_schema() {
    let output = mentorlens().arg("schema").output().unwrap();
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let shipped: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(&root()).join("schema/report.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(printed, shipped);
}

#[test]
fn documents_outside_the_allow_list_are_undetermined_never_a_confident_wrong_answer() {
    for languages in ["en", "en,de"] {
        let (report, _) = analyze(&["--languages", languages, "corpus"]);
        for (id, language) in [
            ("000_6d249e2a96ff57b8", "Swedish"),
            ("001_c8f67bc4325f3f9a", "Polish"),
        ] {
            let found = &document(&report, id)["language"];
            assert_eq!(
                found["code"], "und",
                "{language} under --languages {languages}: {found}"
            );
            assert_eq!(found["reliable"], false);
        }
        // The English seeds stay English.
        assert_eq!(
            document(&report, "002_b93d072c615ee9a5")["language"]["code"],
            "en"
        );
    }
    // Allowed languages are read as before; a language outside the list is still undetermined.
    let (report, _) = analyze(&["--languages", "en,sv", "corpus"]);
    assert_eq!(
        document(&report, "000_6d249e2a96ff57b8")["language"]["code"],
        "sv"
    );
    assert_eq!(
        document(&report, "001_c8f67bc4325f3f9a")["language"]["code"],
        "und"
    );
    // A close neighbour of an allowed language (Swedish beside Danish) may be whatlang's confusion,
    // so it keeps the allowed answer, but never as a reliable one.
    let (report, _) = analyze(&["--languages", "en,da", "corpus"]);
    let swedish = &document(&report, "000_6d249e2a96ff57b8")["language"];
    assert_eq!(swedish["reliable"], false, "{swedish}");
}

#[test]
fn short_texts_get_the_same_answer_from_every_command_and_a_lone_paragraph_is_never_a_bio() {
    let detect = |text: &str| -> Value {
        let output = mentorlens()
            .args(["detect", "-", "--format", "json"])
            .write_stdin(text)
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        json["documents"][0]["language"].clone()
    };
    // One word: the library's short-text rule (reliable or nothing) holds in the CLI too.
    assert_eq!(detect("store\n")["code"], "und");
    // A one-paragraph document that opens like an author bio is the text itself.
    let german = detect("Das Instrument ist sehr stimmungsstabil.\n");
    assert_eq!(german["code"], "de", "{german}");
}

/// The whole report on the seed corpus, byte for byte, in both formats: any change to any field
/// shows here. After a deliberate change, `MENTORLENS_BLESS=1 cargo test --test it cli_corpus::golden`
/// rewrites the snapshots; review their diff before committing it.
#[test]
fn golden_reports_of_the_seed_corpus_are_byte_identical() {
    for (format, golden) in [
        ("json", "tests/golden/corpus.json"),
        ("jsonl", "tests/golden/corpus.jsonl"),
    ] {
        let output = mentorlens()
            .args(["analyze", "--quiet", "--format", format, "corpus"])
            .output()
            .unwrap();
        assert!(output.status.success());
        let path = root().join(golden);
        if std::env::var_os("MENTORLENS_BLESS").is_some() {
            std::fs::write(&path, &output.stdout).unwrap();
        }
        let expected = std::fs::read(&path).unwrap();
        assert!(
            output.stdout == expected,
            "the {format} report differs from {golden}; if the change is deliberate, rerun with MENTORLENS_BLESS=1 and review the diff"
        );
    }
}

#[test]
fn ids_are_paths_inside_the_folder_so_adding_a_file_never_renames_another() {
    let folder = tempfile::tempdir().unwrap();
    let text = "Mentors widen the view of the people they guide.\n";
    for language in ["de", "en"] {
        std::fs::create_dir_all(folder.path().join(language)).unwrap();
        std::fs::write(folder.path().join(format!("{language}/video.txt")), text).unwrap();
    }
    let ids = |report: &Value| -> Vec<String> {
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (before, _) = analyze(&[folder.path().to_str().unwrap()]);
    assert_eq!(ids(&before), ["de/video", "en/video"]);
    std::fs::create_dir_all(folder.path().join("da")).unwrap();
    std::fs::write(folder.path().join("da/video.txt"), text).unwrap();
    let (after, _) = analyze(&[folder.path().to_str().unwrap()]);
    assert_eq!(ids(&after), ["da/video", "de/video", "en/video"]);
}
