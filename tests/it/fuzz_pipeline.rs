//! Fuzzing through the built binary: arbitrary bytes, text with control characters and arbitrary
//! JSON Lines records, under hostile file names, go through every command and every output format.
//! No run may panic (exit 101) or hang; every exit code is one the README documents; every machine
//! format parses; nothing printed for a person or a CI log carries a raw control character.
//!
//! The number of cases is `MENTORLENS_FUZZ_CASES` (default 24); `.ci/run` sets a larger fixed
//! budget, with a fixed seed (`PROPTEST_RNG_SEED`) so that CI never fails by chance.

use crate::common::{mentorlens, root};
use proptest::prelude::*;
use serde_json::Value;
use std::path::Path;

/// One input file: its name and its bytes.
type InputFile = (String, Vec<u8>);

fn file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}\\.txt",
        "[a-z]{1,8}\\.jsonl",
        "[a-z ]{1,8}\\n::warning::[a-z]{1,4}\\.txt",
        "[a-z]{1,4}\u{1b}\\]0;[a-z]{1,4}\u{7}\\.txt",
        "[\u{0}-\u{7f}&&[^/\u{0}]]{1,10}",
        "[\u{e9}\u{4e2d}\u{65e5}\u{d55c}a-z]{1,6}\\.txt",
    ]
    .prop_filter("a plain file name", |name| {
        !name.starts_with('.') && name != "-" && name != ".." && !name.contains('/')
    })
}

fn text_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[A-Za-z]{1,10}",
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just(". ".to_string()),
            "[\u{0}-\u{1f}\u{7f}-\u{9f}]",
            "[\u{4e00}-\u{4e80}\u{3040}-\u{30ff}\u{ac00}-\u{ac80}]{1,6}",
            "[\u{600}-\u{6ff}\u{5d0}-\u{5ea}\u{400}-\u{44f}]{1,8}",
            Just("{mentor|guide}".to_string()),
            Just("imaginative and prescient".to_string()),
        ],
        0..80,
    )
    .prop_map(|pieces| pieces.concat())
}

fn jsonl() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            (any::<Option<String>>(), text_like())
                .prop_map(|(id, text)| serde_json::json!({ "id": id, "text": text }).to_string()),
            (any::<i64>(), text_like())
                .prop_map(|(id, text)| serde_json::json!({ "id": id, "text": text }).to_string()),
            "[{}\\[\\]\":a-z0-9 ,]{0,40}",
        ],
        0..6,
    )
    .prop_map(|lines| lines.join("\n").into_bytes())
}

fn file_content() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..1500),
        text_like().prop_map(String::into_bytes),
        jsonl(),
    ]
}

/// Runs the binary in `folder`; the exit code must be documented.
fn run(folder: &Path, args: &[&str], allowed: &[i32]) -> Result<(String, String), TestCaseError> {
    let output = mentorlens()
        .current_dir(folder)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(120))
        .args(args)
        .output()
        .map_err(|error| TestCaseError::fail(format!("{args:?}: {error}")))?;
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    prop_assert!(
        allowed.contains(&code),
        "{:?} exited {}: {}{}",
        args,
        code,
        stdout,
        stderr
    );
    Ok((stdout, stderr))
}

/// Text for a person or a CI log: no control character but tab and line ends.
fn printable(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n'))
}

fn every_command_and_format(files: &[InputFile]) -> Result<(), TestCaseError> {
    let workspace = tempfile::tempdir().unwrap();
    let inputs = workspace.path().join("in");
    let corpus = workspace.path().join("corpus");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::create_dir_all(&corpus).unwrap();
    for seed in ["000_6d249e2a96ff57b8", "002_b93d072c615ee9a5"] {
        std::fs::copy(
            root().join(format!("corpus/{seed}.txt")),
            corpus.join(format!("{seed}.txt")),
        )
        .unwrap();
    }
    for (name, bytes) in files {
        std::fs::write(inputs.join(name), bytes).unwrap();
    }
    let folder = workspace.path();

    // Every file in the folder is read, whatever its extension (the default walk takes .txt,
    // .text and .jsonl only).
    let (json, _) = run(
        folder,
        &["analyze", "in", "--quiet", "--ext", "*"],
        &[0, 2, 3],
    )?;
    let report: Value = serde_json::from_str(&json)
        .map_err(|error| TestCaseError::fail(format!("report JSON: {error}")))?;
    let listed = report["documents"].as_array().map_or(0, Vec::len)
        + report["errors"].as_array().map_or(0, Vec::len);
    prop_assert!(listed >= 1 || files.is_empty(), "inputs lost: {}", json);
    let (lines, _) = run(
        folder,
        &[
            "analyze", "in", "--quiet", "--ext", "*", "--format", "jsonl",
        ],
        &[0, 2, 3],
    )?;
    for line in lines.lines() {
        serde_json::from_str::<Value>(line)
            .map_err(|error| TestCaseError::fail(format!("JSON Lines: {error}: {line}")))?;
    }
    // The HTML page: whole, and the document's bytes never open a script of their own (the page
    // has two: its data block and its code).
    let (page, _) = run(
        folder,
        &["analyze", "in", "--quiet", "--ext", "*", "--format", "html"],
        &[0, 2, 3],
    )?;
    prop_assert!(
        page.trim_end().ends_with("</html>"),
        "page cut: {}",
        page.len()
    );
    prop_assert_eq!(page.matches("<script").count(), 2);
    // Parquet tables, one folder, every input accounted for in documents or errors.
    let (_, stderr) = run(
        folder,
        &[
            "analyze", "in", "--quiet", "--ext", "*", "--format", "parquet", "-o", "tables",
        ],
        &[0, 2, 3],
    )?;
    prop_assert!(printable(&stderr), "parquet stderr: {:?}", stderr);
    let tables = folder.join("tables");
    if tables.is_dir() {
        for table in ["documents", "errors"] {
            prop_assert!(
                tables.join(format!("{table}.parquet")).is_file(),
                "no {} table",
                table
            );
        }
    }
    for command in ["detect", "themes"] {
        let (table, summary) = run(folder, &[command, "in", "--ext", "*"], &[0, 2, 3])?;
        prop_assert!(printable(&table), "{} table: {:?}", command, table);
        prop_assert!(printable(&summary), "{} summary: {:?}", command, summary);
    }
    for format in ["text", "json", "sarif", "github", "junit"] {
        let (out, err) = run(
            folder,
            &[
                "check",
                "in",
                "--ext",
                "*",
                "--against",
                "corpus",
                "--format",
                format,
            ],
            &[0, 1, 2],
        )?;
        prop_assert!(printable(&err), "check stderr: {:?}", err);
        match format {
            "json" | "sarif" if !out.is_empty() => {
                serde_json::from_str::<Value>(&out)
                    .map_err(|error| TestCaseError::fail(format!("{format}: {error}")))?;
            }
            "junit" if !out.is_empty() => {
                let mut reader = quick_xml::Reader::from_str(&out);
                loop {
                    match reader.read_event() {
                        Ok(quick_xml::events::Event::Eof) => break,
                        Ok(_) => {}
                        Err(error) => return Err(TestCaseError::fail(format!("junit: {error}"))),
                    }
                }
                prop_assert!(printable(&out), "junit: {:?}", out);
            }
            "text" | "github" => prop_assert!(printable(&out), "{}: {:?}", format, out),
            _ => {}
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("MENTORLENS_FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        // An integration test has no source file for proptest to keep regressions beside.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_inputs_go_through_every_command_and_format(
        files in proptest::collection::btree_map(file_name(), file_content(), 1..4)
    ) {
        let files: Vec<InputFile> = files.into_iter().collect();
        every_command_and_format(&files)?;
    }
}
