//! End to end through the built binary: the outputs researchers load. `analyze --format parquet`
//! writes one table per file, read back by pandas and pyarrow (`tests/research_outputs.py`, run
//! with the interpreter `.ci/run` prepares and names in `MENTORLENS_PYTHON`) and checked against
//! the JSON report and the JSON Lines of the same run; the bytes do not depend on the thread
//! count; an output folder that cannot be written is an exit-2 error naming it; every report
//! validates against the shipped JSON Schema.
//!
//! The inputs are the seed corpus, the hostile fixtures (inputs that fail, so errors show in every
//! format) and the team's development sets of themes and spun English, read in place from
//! `../shared/dev/` (15 languages and 10 scripts, so character offsets differ from byte offsets).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{mentorlens, root};

/// The inputs: the seed corpus, hostile files, and development articles with themes and spun
/// English.
const INPUTS: [&str; 4] = [
    "corpus",
    "tests/fixtures/hostile",
    "../shared/dev/themes",
    "../shared/dev/spun",
];

/// The tables `--format parquet` writes, as the README lists them.
const TABLES: [&str; 12] = [
    "alignments",
    "discovered_themes",
    "documents",
    "edits",
    "errors",
    "group_evidence",
    "group_members",
    "groups",
    "paragraphs",
    "theme_documents",
    "theme_evidence",
    "themes",
];

/// Fails unless the development sets are beside the checkout.
fn inputs() -> Vec<&'static str> {
    for input in INPUTS {
        assert!(
            root().join(input).is_dir(),
            "{input} is missing: the development data must be beside the checkout (../shared/dev)"
        );
    }
    INPUTS.to_vec()
}

/// `analyze --quiet` of `inputs` with `extra` arguments.
fn analyze(inputs: &[&str], extra: &[&str]) -> Output {
    mentorlens()
        .arg("analyze")
        .arg("--quiet")
        .args(inputs)
        .args(extra)
        .output()
        .unwrap()
}

/// Writes the Parquet tables of `inputs` into `folder` with `threads` worker threads.
fn write_parquet(inputs: &[&str], folder: &Path, threads: &str) -> Output {
    let folder = folder.to_str().unwrap();
    analyze(
        inputs,
        &["--format", "parquet", "--threads", threads, "-o", folder],
    )
}

/// The names of the files in `folder`, sorted.
fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The Python interpreter with pandas and pyarrow that `.ci/run` prepares.
fn python() -> PathBuf {
    let python = std::env::var_os("MENTORLENS_PYTHON").expect(
        "MENTORLENS_PYTHON is not set: run .ci/run (it creates a virtual environment with pandas \
         and pyarrow and exports it) or set it to a Python with both installed",
    );
    PathBuf::from(python)
}

/// Exit 3: some inputs (the hostile fixtures) could not be read; the outputs are still written.
const SOME_INPUTS_FAILED: i32 = 3;

#[test]
fn parquet_tables_and_json_lines_load_in_pandas_and_pyarrow_and_join_like_the_json_report() {
    let inputs = inputs();
    let python = python();
    let folder = tempfile::tempdir().unwrap();
    let report_path = folder.path().join("report.json");
    let jsonl_path = folder.path().join("report.jsonl");
    let tables = folder.path().join("tables");
    for (format, path) in [("json", &report_path), ("jsonl", &jsonl_path)] {
        let output = analyze(&inputs, &["--format", format, "-o", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(SOME_INPUTS_FAILED), "{output:?}");
    }
    let output = write_parquet(&inputs, &tables, "2");
    assert_eq!(output.status.code(), Some(SOME_INPUTS_FAILED), "{output:?}");
    let tables_written: Vec<String> = TABLES.iter().map(|t| format!("{t}.parquet")).collect();
    assert_eq!(names(&tables), tables_written);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    assert!(
        !report["errors"].as_array().unwrap().is_empty(),
        "the hostile fixtures should fail"
    );
    let checked = std::process::Command::new(&python)
        .arg(root().join("tests/research_outputs.py"))
        .args([&report_path, &jsonl_path, &tables])
        .current_dir(root())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", python.display()));
    let stdout = String::from_utf8_lossy(&checked.stdout);
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert!(checked.status.success(), "{stdout}\n{stderr}");
    println!("{stdout}");
}

#[test]
fn parquet_bytes_do_not_depend_on_the_thread_count_and_a_rerun_replaces_the_folder() {
    let inputs = inputs();
    let folder = tempfile::tempdir().unwrap();
    let one = folder.path().join("one");
    let four = folder.path().join("four");
    for (path, threads) in [(&one, "1"), (&four, "4"), (&four, "4")] {
        let output = write_parquet(&inputs, path, threads);
        assert_eq!(output.status.code(), Some(SOME_INPUTS_FAILED), "{output:?}");
    }
    for table in TABLES {
        let name = format!("{table}.parquet");
        let bytes = std::fs::read(one.join(&name)).unwrap();
        assert!(
            bytes == std::fs::read(four.join(&name)).unwrap(),
            "{name} differs between 1 and 4 threads"
        );
    }
    // Only the two outputs: no temporary or replaced folder is left beside them.
    assert_eq!(names(folder.path()), ["four", "one"]);
}

#[test]
fn stale_temporary_folders_of_a_killed_run_are_removed_and_fresh_ones_kept() {
    let folder = tempfile::tempdir().unwrap();
    let stale = folder.path().join(".mentorlens-Ab12Cd.tmp");
    let fresh = folder.path().join(".mentorlens-Xy34Zw.tmp");
    for path in [&stale, &fresh] {
        std::fs::create_dir(path).unwrap();
        std::fs::write(path.join("documents.parquet"), "partial").unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    let output = write_parquet(&["corpus"], &folder.path().join("tables"), "1");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(names(folder.path()), [".mentorlens-Xy34Zw.tmp", "tables"]);
}

#[test]
fn an_unwritable_output_folder_is_an_exit_2_error_that_names_it() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("notes.txt");
    std::fs::write(&file, "keep").unwrap();
    let user_folder = folder.path().join("mine");
    std::fs::create_dir(&user_folder).unwrap();
    std::fs::write(user_folder.join("thesis.tex"), "keep").unwrap();
    for target in [
        // Inside a file: no user, root included, can create it.
        file.join("tables"),
        // A file, not a folder.
        file.clone(),
        // A folder with the user's own files is never replaced.
        user_folder.clone(),
    ] {
        let output = write_parquet(&["corpus"], &target, "1");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{target:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "cannot write the Parquet tables to {}",
                target.display()
            )),
            "{stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    assert_eq!(names(&user_folder), ["thesis.tex"]);
    assert_eq!(names(folder.path()), ["mine", "notes.txt"]);
    // Parquet is a folder of files: without -o there is nowhere to put it.
    for extra in [
        &["--format", "parquet"][..],
        &["--format", "parquet", "-o", "-"],
    ] {
        let output = analyze(&["corpus"], extra);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("-o DIR"));
    }
}

#[test]
fn paragraphs_count_from_0_in_data_and_check_places_findings_by_1_based_line() {
    let folder = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(root().join("corpus/002_b93d072c615ee9a5.txt")).unwrap();
    let copy = folder.path().join("copy.txt");
    std::fs::write(&copy, format!("A note added on top.\n\n{original}")).unwrap();
    let copy_arg = copy.to_str().unwrap();
    let output = mentorlens()
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "--against",
            "corpus",
        ])
        .arg(copy_arg)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let check: Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &check["findings"][0];
    assert_eq!(finding["rule"], "duplicate", "{check}");
    let (here, there) = (&finding["location"], &finding["related"][0]);
    assert!(here["line"].as_u64().unwrap() > 1, "{finding}");
    assert!(here["column"].as_u64().unwrap() >= 1, "{finding}");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "the first at line {} here and line {} there",
            here["line"], there["line"]
        )),
        "{message}"
    );
    let output = analyze(&[copy_arg], &[]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let paragraphs = report["documents"][0]["paragraphs"].as_array().unwrap();
    let indices: Vec<u64> = paragraphs
        .iter()
        .map(|p| p["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, (0..indices.len() as u64).collect::<Vec<_>>());
}

#[test]
fn every_report_validates_against_the_shipped_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut inputs: Vec<&str> = inputs();
    inputs.push("tests/fixtures/themes");
    for input in inputs {
        let output = analyze(&[input], &[]);
        let report: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|error| panic!("{input}: not JSON: {error}"));
        let problems: Vec<String> = validator
            .iter_errors(&report)
            .map(|error| error.to_string())
            .collect();
        assert!(problems.is_empty(), "{input}: {problems:#?}");
        assert_eq!(report["schema_version"], 1);
        // The schema holds the character offsets: a report without one fails it.
        if let Some(paragraph) = report.pointer("/documents/0/paragraphs/0") {
            let mut broken = report.clone();
            let mut paragraph = paragraph.clone();
            paragraph.as_object_mut().unwrap().remove("start_char");
            *broken.pointer_mut("/documents/0/paragraphs/0").unwrap() = paragraph;
            assert!(!validator.is_valid(&broken), "{input}");
        }
    }
}
