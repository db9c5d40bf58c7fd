//! End to end through the built binary on bad inputs: every input is accounted for (analysed or
//! listed with its error), the run goes on, and the exit code says what happened.

use serde_json::Value;
use std::path::Path;

use crate::common::{mentorlens, output_with_peak_memory, root};

/// Runs `analyze` and returns (exit code, report, standard error).
fn analyze(paths: &[&Path]) -> (Option<i32>, Value, String) {
    let output = mentorlens().arg("analyze").args(paths).output().unwrap();
    let report = serde_json::from_slice(&output.stdout).expect("a report is always written");
    (
        output.status.code(),
        report,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn errors(report: &Value) -> Vec<(String, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn error_kind(report: &Value, path_suffix: &str) -> Option<String> {
    errors(report)
        .into_iter()
        .find(|(path, _)| path.ends_with(path_suffix))
        .map(|(_, kind)| kind)
}

fn ids(report: &Value) -> Vec<String> {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_hostile_fixture_is_accounted_for() {
    let fixtures = root().join("tests/fixtures/hostile");
    // A folder walk takes text files only: the image is named to be read.
    let (code, report, stderr) = analyze(&[&fixtures, &fixtures.join("binary.png")]);
    assert_eq!(code, Some(3), "some inputs failed: exit 3\n{stderr}");
    assert_eq!(
        ids(&report),
        [
            "7",
            "crlf",
            "invalid_utf8",
            "mixed_language",
            // A file in a subfolder is known by its path there, not renamed `utf8_bom~2`.
            "nested/utf8_bom",
            "rec-1",
            "utf16_be",
            "utf16_le",
            "utf8_bom"
        ]
    );
    assert_eq!(error_kind(&report, "binary.png").as_deref(), Some("binary"));
    assert_eq!(error_kind(&report, "empty.txt").as_deref(), Some("empty"));
    assert_eq!(
        error_kind(&report, "whitespace_only.txt").as_deref(),
        Some("empty")
    );
    assert_eq!(
        error_kind(&report, "records.jsonl:2").as_deref(),
        Some("invalid_record")
    );
    assert_eq!(
        error_kind(&report, "records.jsonl:4").as_deref(),
        Some("empty")
    );
    // 9 documents from 10 files and 4 records; every one of the 14 is in documents or errors.
    assert_eq!(report["corpus"]["documents"], 14);
    assert_eq!(report["corpus"]["analysed"], 9);
    assert_eq!(report["corpus"]["failed"], 5);
    assert!(stderr.contains("binary.png: binary:"), "{stderr}");
}

#[test]
fn decoding_problems_are_warned_about() {
    let fixtures = root().join("tests/fixtures/hostile");
    let (_, report, _) = analyze(&[&fixtures]);
    let document = |id: &str| {
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()
            .clone()
    };
    assert!(
        document("invalid_utf8")["warnings"][0]
            .as_str()
            .unwrap()
            .contains("invalid UTF-8")
    );
    assert_eq!(document("utf16_le")["language"]["code"], "sv");
    assert_eq!(document("utf16_be")["language"]["code"], "pl");
    // The BOM is stripped: the text starts at "A byte-order mark".
    let bom = document("utf8_bom");
    assert_eq!(bom["paragraphs"][0]["start"], 0);
    assert_eq!(bom["bytes"], 96);
    // Its namesake in a subfolder keeps its own id: no renaming, no warning.
    assert_eq!(bom["warnings"], serde_json::json!([]));
    assert_eq!(
        document("nested/utf8_bom")["warnings"],
        serde_json::json!([])
    );
    let mixed = document("mixed_language");
    assert_eq!(mixed["language"]["code"], "en");
    assert_eq!(mixed["secondary_languages"][0]["code"], "sv");
    let crlf = document("crlf");
    assert_eq!(crlf["paragraphs"][2]["boilerplate"], true);
}

#[test]
fn missing_paths_loops_and_links_do_not_stop_the_run() {
    let folder = tempfile::tempdir().unwrap();
    let base = folder.path();
    std::fs::write(
        base.join("good.txt"),
        "A mentor listens, asks hard questions and opens doors.",
    )
    .unwrap();
    std::os::unix::fs::symlink(base, base.join("loop")).unwrap();
    std::os::unix::fs::symlink(base.join("nowhere.txt"), base.join("dangling.txt")).unwrap();
    let missing = base.join("missing.txt");
    let (code, report, _) = analyze(&[base, &missing, &base.join("good.txt")]);
    assert_eq!(code, Some(3));
    assert_eq!(ids(&report), ["good"]);
    assert_eq!(
        error_kind(&report, "missing.txt").as_deref(),
        Some("not_found")
    );
    assert_eq!(
        error_kind(&report, "dangling.txt").as_deref(),
        Some("not_found")
    );
    assert_eq!(error_kind(&report, "loop").as_deref(), Some("symlink_loop"));
    // good.txt was named twice: analysed once, the second naming is listed.
    assert_eq!(
        error_kind(&report, "good.txt").as_deref(),
        Some("duplicate_input")
    );
}

#[test]
fn named_pipes_are_listed_not_read() {
    let folder = tempfile::tempdir().unwrap();
    let fifo = folder.path().join("pipe.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        return; // no mkfifo on this system
    }
    std::fs::write(
        folder.path().join("good.txt"),
        "A mentor opens doors and shares lessons.",
    )
    .unwrap();
    // Both as part of a folder and named on its own: neither may block the run.
    let (code, report, _) = analyze(&[folder.path(), &fifo]);
    assert_eq!(code, Some(3));
    assert_eq!(ids(&report), ["good"]);
    let pipe_errors: Vec<(String, String)> = errors(&report)
        .into_iter()
        .filter(|(path, _)| path.ends_with("pipe.txt"))
        .collect();
    assert_eq!(pipe_errors.len(), 2, "{pipe_errors:?}");
    assert!(pipe_errors.iter().all(|(_, kind)| kind == "unreadable"));
}

#[test]
fn unreadable_file_is_listed() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().unwrap();
    let corpus = folder.path().join("in");
    std::fs::create_dir_all(&corpus).unwrap();
    let path = corpus.join("secret.txt");
    std::fs::write(&path, "Mentors keep secrets well and share lessons freely.").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // SAFETY: geteuid has no arguments and cannot fail.
    let output = if unsafe { libc::geteuid() } == 0 {
        // Permissions do not stop root (CI runs as root): run as `nobody`, with a copy of the
        // binary the unprivileged user can reach, so that the file really cannot be read.
        let binary = folder.path().join("mentorlens");
        std::fs::copy(assert_cmd::cargo::cargo_bin("mentorlens"), &binary).unwrap();
        for reachable in [folder.path(), &corpus, &binary] {
            std::fs::set_permissions(reachable, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary)
            .args(["analyze", "in"])
            .current_dir(folder.path())
            .output()
            .expect("setpriv (util-linux) is installed")
    } else {
        mentorlens()
            .current_dir(folder.path())
            .args(["analyze", "in"])
            .output()
            .unwrap()
    };
    let report: Value = serde_json::from_slice(&output.stdout).expect("a report is always written");
    assert_eq!(output.status.code(), Some(2), "nothing could be read");
    assert_eq!(
        error_kind(&report, "secret.txt").as_deref(),
        Some("unreadable")
    );
}

#[test]
fn nothing_readable_exits_2_and_still_writes_a_report() {
    let folder = tempfile::tempdir().unwrap();
    let (code, report, stderr) = analyze(&[&folder.path().join("no-such-folder")]);
    assert_eq!(code, Some(2));
    assert_eq!(report["corpus"]["analysed"], 0);
    assert_eq!(report["corpus"]["failed"], 1);
    assert!(stderr.contains("nothing could be read"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let output = mentorlens()
        .args(["analyze", "--format", "xml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = mentorlens()
        .args(["analyze", "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn report_cannot_be_written_exits_2_without_partial_file() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("no-such-folder").join("report.json");
    let output = mentorlens()
        .args(["analyze", "--quiet", "corpus", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write the report"));
    assert!(!target.exists());
}

#[test]
fn broken_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command as Process, Stdio};
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("mentorlens"))
        .current_dir(root())
        .args(["analyze", "--quiet", "corpus"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then hang up.
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert!(status.code() == Some(0), "{status:?}");
}

/// A 200 MB file on one line is analysed, with peak memory a small multiple of its size.
#[test]
fn huge_single_line_file_is_analysed_within_memory() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("huge.txt");
    let sentence = "Mentors open doors to new networks, share what they learnt the hard way, and help their mentees see their careers from the outside, which is worth more than any course. ";
    let size = 200 * 1024 * 1024;
    let text = sentence.repeat(size / sentence.len() + 1);
    std::fs::write(&path, &text[..size - size % sentence.len()]).unwrap();
    drop(text);
    let report_path = folder.path().join("report.jsonl");
    let (output, peak) = output_with_peak_memory(&[
        "analyze".as_ref(),
        "--quiet".as_ref(),
        "--format".as_ref(),
        "jsonl".as_ref(),
        "-o".as_ref(),
        report_path.as_os_str(),
        path.as_os_str(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = std::fs::read_to_string(folder.path().join("report.jsonl")).unwrap();
    let document: Value = serde_json::from_str(report.lines().next().unwrap()).unwrap();
    assert_eq!(document["language"]["code"], "en");
    assert_eq!(document["paragraphs"].as_array().unwrap().len(), 1);
    assert!(
        peak < 4 * size as u64,
        "peak resident memory {} MB for a {} MB file",
        peak >> 20,
        size >> 20
    );
}

/// A JSON Lines file with one record whose id is `id`.
fn record_with_id(folder: &Path, id: &str) -> std::path::PathBuf {
    let path = folder.join("records.jsonl");
    let record = serde_json::json!({
        "id": id,
        "text": "A mentor listens, asks hard questions and opens doors to new networks.",
    });
    std::fs::write(&path, format!("{record}\n")).unwrap();
    path
}

#[test]
fn very_long_ids_do_not_crash_the_tables() {
    let folder = tempfile::tempdir().unwrap();
    let long_id = "i".repeat(70_000);
    let records = record_with_id(folder.path(), &long_id);
    let output = mentorlens().arg("detect").arg(&records).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains(&long_id));

    let taxonomy = folder.path().join("taxonomy.tsv");
    std::fs::write(
        &taxonomy,
        format!("id\tlabel\tdefinition\tkram\n{long_id}\tLong\tA theme with a long id.\tcareer\n"),
    )
    .unwrap();
    let output = mentorlens()
        .args(["themes", "--taxonomy"])
        .arg(&taxonomy)
        .arg(&records)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains(&long_id));
}

#[test]
fn align_width_out_of_range_is_a_usage_error() {
    let a = "corpus/000_6d249e2a96ff57b8.txt";
    let output = mentorlens()
        .args(["align", a, a, "--width", "65536"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--width"));
    let output = mentorlens()
        .args(["align", a, a, "--width", "1000"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}

/// Bytes that make a terminal act (ESC, BEL, other C0 and C1 controls, DEL) are absent.
fn assert_no_control_bytes(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let raw: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        .collect();
    assert!(raw.is_empty(), "{what} carries raw {raw:?}:\n{text}");
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let folder = tempfile::tempdir().unwrap();
    let base = folder.path();
    let evil_id = "\u{1b}]0;pwn\u{7}";
    record_with_id(base, evil_id);
    std::fs::write(
        base.join("evil\u{1b}[2J\u{9b}31m.txt"),
        "A mentor \u{1b}[31mopens doors\u{7f} to new networks and shares hard lessons.",
    )
    .unwrap();
    // An empty file: its name shows up in the error lines on standard error.
    std::fs::write(base.join("empty\u{1b}[8m.txt"), "").unwrap();
    for command in ["detect", "themes"] {
        let output = mentorlens().arg(command).arg(base).output().unwrap();
        assert_eq!(output.status.code(), Some(3), "{output:?}");
        assert_no_control_bytes(command, &output.stdout);
        assert_no_control_bytes(command, &output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains(r"\u{1b}]0;pwn\u{7}"), "{stdout}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(r"empty\u{1b}[8m.txt"), "{stderr}");
    }
    let evil = base.join("evil\u{1b}[2J\u{9b}31m.txt");
    for width in ["10", "13", "60"] {
        let output = mentorlens()
            .arg("align")
            .args([&evil, &evil])
            .args(["--width", width])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        assert_no_control_bytes("align", &output.stdout);
    }
}
