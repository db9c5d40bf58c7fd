//! End to end through the built binary on what reaches the loader and the command line: binary
//! files, the order of errors, folder walks and `--ext`, `--threads`, `normalize`'s one document,
//! boilerplate labels and error messages.

use serde_json::Value;
use std::path::Path;

use crate::common::{mentorlens, output_with_peak_memory};

const ENGLISH: &str = "A good mentor listens carefully, asks hard questions and opens doors to new networks for the people they guide.";

/// Runs `analyze --quiet ARGS` and returns (exit code, report, standard error).
fn analyze(args: &[&Path]) -> (Option<i32>, Value, String) {
    let output = mentorlens()
        .args(["analyze", "--quiet"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).expect("a report is always written");
    (
        output.status.code(),
        report,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn ids(report: &Value) -> Vec<&str> {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect()
}

fn error_paths(report: &Value) -> Vec<&str> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect()
}

#[test]
fn a_huge_binary_file_is_rejected_after_its_first_64_kib() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("huge.txt");
    // A sparse file just under the 1 GiB limit: NUL bytes from the start.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len((1 << 30) - 1).unwrap();
    drop(file);
    let (output, peak) =
        output_with_peak_memory(&["analyze".as_ref(), "--quiet".as_ref(), path.as_os_str()]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(report["errors"][0]["kind"], "binary");
    assert!(peak < 512 << 20, "peak resident memory {} MB", peak >> 20);
}

#[test]
fn errors_are_sorted_by_file_then_line() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("x.jsonl");
    let mut lines = Vec::new();
    for number in 1..=12 {
        if number == 3 || number == 11 {
            lines.push("not json".to_string());
        } else {
            lines.push(serde_json::json!({ "id": number, "text": ENGLISH }).to_string());
        }
    }
    std::fs::write(&path, lines.join("\n")).unwrap();
    let (code, report, _) = analyze(&[&path]);
    assert_eq!(code, Some(3));
    let paths = error_paths(&report);
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[0].ends_with("x.jsonl:3"), "{paths:?}");
    assert!(paths[1].ends_with("x.jsonl:11"), "{paths:?}");
}

#[test]
fn folder_walks_read_text_files_unless_ext_says_otherwise() {
    let folder = tempfile::tempdir().unwrap();
    let base = folder.path();
    std::fs::write(base.join("article.txt"), ENGLISH).unwrap();
    std::fs::write(base.join("second.TEXT"), ENGLISH).unwrap();
    let record = serde_json::json!({ "id": "record", "text": ENGLISH });
    std::fs::write(base.join("records.jsonl"), format!("{record}\n")).unwrap();
    std::fs::write(base.join("SOURCE.md"), "# Where these articles come from\n").unwrap();
    std::fs::write(base.join("gold.json"), "{\"languages\": {}}\n").unwrap();
    std::fs::write(
        base.join("LICENSE"),
        "Permission is granted to copy these texts.\n",
    )
    .unwrap();

    let (code, report, _) = analyze(&[base]);
    assert_eq!(code, Some(0), "skipped files are not errors");
    assert_eq!(ids(&report), ["article", "record", "second"]);
    assert!(error_paths(&report).is_empty());

    // A file named on the command line is read whatever its extension.
    let (_, report, _) = analyze(&[base, &base.join("SOURCE.md")]);
    assert_eq!(ids(&report), ["SOURCE", "article", "record", "second"]);

    let output = mentorlens()
        .args(["analyze", "--quiet", "--ext", ".md,json,"])
        .arg(base)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(ids(&report), ["LICENSE", "SOURCE", "gold"]);

    let output = mentorlens()
        .args(["detect", "--format", "json", "--ext", "*"])
        .arg(base)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(ids(&report).len(), 6);
}

#[test]
fn threads_beyond_the_cap_are_a_usage_error() {
    for threads in ["0", "1025", "100000"] {
        let output = mentorlens()
            .args(["analyze", "--threads", threads, "corpus"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "--threads {threads}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("1..=1024"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn normalize_takes_one_document() {
    let folder = tempfile::tempdir().unwrap();
    let base = folder.path();
    std::fs::write(base.join("a.txt"), ENGLISH).unwrap();
    std::fs::write(base.join("b.txt"), ENGLISH).unwrap();
    let output = mentorlens().arg("normalize").arg(base).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("one document, not a folder"));

    let record = |id: &str| serde_json::json!({ "id": id, "text": ENGLISH }).to_string();
    let two = base.join("two.jsonl");
    std::fs::write(&two, format!("{}\n{}\n", record("a"), record("b"))).unwrap();
    let output = mentorlens().arg("normalize").arg(&two).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds 2 records"));

    let one = base.join("one.jsonl");
    std::fs::write(&one, format!("{}\n", record("a"))).unwrap();
    let output = mentorlens().arg("normalize").arg(&one).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), ENGLISH);
}

#[test]
fn normalize_leaves_a_text_not_in_english_as_it_is() {
    let swedish = "En bra mentor lyssnar noga, ställer svåra frågor och öppnar dörrar till nya nätverk för den som hon leder.\n";
    let output = mentorlens()
        .args(["normalize", "-"])
        .write_stdin(swedish)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), swedish);

    let output = mentorlens()
        .args(["normalize", "--format", "json", "-"])
        .write_stdin(swedish)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["english"], false);
    assert_eq!(json["language"], "sv");
    assert_eq!(json["edits"], serde_json::json!([]));
}

#[test]
fn normalize_diff_with_json_is_a_usage_error() {
    let output = mentorlens()
        .args(["normalize", "--diff", "--format", "json", "-"])
        .write_stdin(ENGLISH)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("--diff cannot be used with --format json")
    );
}

#[test]
fn reading_time_and_advertisement_labels_are_boilerplate() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("labels.txt");
    let text = format!(
        "1 minute read\n\n{ENGLISH}\n\nAdvertisement\n\n{ENGLISH}\n\n12 min read\n\nSponsored\n"
    );
    std::fs::write(&path, text).unwrap();
    let (code, report, _) = analyze(&[&path]);
    assert_eq!(code, Some(0));
    let boilerplate: Vec<bool> = report["documents"][0]["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["boilerplate"].as_bool().unwrap())
        .collect();
    assert_eq!(boilerplate, [true, false, true, false, true, true]);
}

#[test]
fn each_cause_of_an_error_is_printed_once() {
    let folder = tempfile::tempdir().unwrap();
    let missing = folder.path().join("missing.tsv");
    let output = mentorlens()
        .args(["analyze", "--quiet", "--lexicon"])
        .arg(&missing)
        .arg("corpus")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing.tsv"), "{stderr}");
    assert_eq!(stderr.matches("(os error 2)").count(), 1, "{stderr}");
}

#[test]
fn records_of_one_jsonl_file_give_the_same_report_at_any_thread_count() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("many.jsonl");
    let texts = [
        ENGLISH,
        "En bra mentor lyssnar noga, ställer svåra frågor och öppnar dörrar till nya nätverk.",
        "Ein guter Mentor hört genau zu, stellt schwierige Fragen und öffnet Türen zu neuen Netzwerken.",
    ];
    let lines: Vec<String> = (0..60)
        .map(|number| {
            let text = format!("{}\n\nRecord {number}.", texts[number % texts.len()]);
            // Some records without an id, so that ids are assigned by position.
            if number % 4 == 0 {
                serde_json::json!({ "text": text }).to_string()
            } else {
                serde_json::json!({ "id": format!("r{}", number % 7), "text": text }).to_string()
            }
        })
        .collect();
    std::fs::write(&path, lines.join("\n")).unwrap();
    let run = |threads: &str| {
        mentorlens()
            .args(["analyze", "--quiet", "--threads", threads])
            .arg(&path)
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    let report: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(report["documents"].as_array().unwrap().len(), 60);
    assert_eq!(one, run("2"));
    assert_eq!(one, run("4"));
}

#[test]
fn timings_name_every_phase_on_stderr_only_when_asked() {
    let stderr = |timings: bool| {
        let mut command = mentorlens();
        command.args(["analyze", "--quiet"]);
        if timings {
            command.arg("--timings");
        }
        let output = command.arg("corpus").output().unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stderr).unwrap()
    };
    let shown = stderr(true);
    let line = shown
        .lines()
        .find(|line| line.starts_with("mentorlens: timings: "))
        .unwrap_or_else(|| panic!("no timings line in {shown:?}"));
    for phase in ["load", "documents", "group", "themes", "write"] {
        assert!(
            line.contains(&format!("{phase} ")),
            "{phase} missing: {line}"
        );
    }
    assert!(!stderr(false).contains("timings"));
}

/// `--config FILE` on the corpus commands reads the stage tables of `check`'s settings file: the
/// file's allow-list reaches `detect`, a flag overrides it, the report records it, and an unknown
/// key is a usage error (exit 2) that names it.
#[test]
fn settings_file_stage_tables_reach_every_corpus_command() {
    let folder = tempfile::tempdir().unwrap();
    let settings = folder.path().join("mentorlens.toml");
    std::fs::write(
        &settings,
        "against = [\"corpus\"]\n[language]\nlanguages = [\"en\"]\n",
    )
    .unwrap();
    let detect = |extra: &[&str]| -> Value {
        let output = mentorlens()
            .args(["detect", "--quiet", "--format", "json", "--config"])
            .arg(&settings)
            .args(extra)
            .arg("corpus/001_c8f67bc4325f3f9a.txt")
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).unwrap()
    };
    // The Polish seed is outside the file's allow-list ...
    assert_eq!(detect(&[])["documents"][0]["language"]["code"], "und");
    // ... and inside the flag's, which replaces it.
    assert_eq!(
        detect(&["--languages", "en,pl"])["documents"][0]["language"]["code"],
        "pl"
    );
    let output = mentorlens()
        .args(["analyze", "--quiet", "--config"])
        .arg(&settings)
        .arg("corpus/002_b93d072c615ee9a5.txt")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["settings"]["stages"]["language"]["languages"],
        serde_json::json!(["en"])
    );
    std::fs::write(&settings, "[language]\nlanguagez = [\"en\"]\n").unwrap();
    let output = mentorlens()
        .args(["analyze", "--quiet", "--config"])
        .arg(&settings)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown field `languagez`"));
}
