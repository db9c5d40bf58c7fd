//! `mentorlens dist` gives the report `analyze` gives, byte for byte, at any number of shards and
//! partitions of the block keys, and
//! survives tasks that are killed and run again; a work folder of another plan or tool version is
//! refused. The inputs: the seed corpus in place, generated documents with planted translations
//! and duplicates, repeated ids, an exact copy, an empty file, a binary file, JSON Lines records
//! and a missing path.

use crate::common::{mentorlens, root};
use std::path::{Path, PathBuf};

/// Generated documents with planted groups.
const GENERATED: usize = 2_000;

/// A folder of awkward inputs; returns the folder and the inputs to name, relative to it.
fn fixture() -> (tempfile::TempDir, Vec<String>) {
    let folder = tempfile::tempdir().unwrap();
    let inputs = folder.path().join("inputs");
    let generated = inputs.join("generated");
    std::fs::create_dir_all(&generated).unwrap();
    let (documents, groups) = crate::synthetic::generate_planted(&root(), GENERATED, 25);
    assert!(groups.len() > 10, "the generated corpus has planted groups");
    for (id, bytes) in &documents {
        std::fs::write(generated.join(format!("{id}.txt")), bytes).unwrap();
    }
    // The same file name in two folders named apart: the same id twice.
    for side in ["left", "right"] {
        std::fs::create_dir_all(folder.path().join(side)).unwrap();
        std::fs::write(
            folder.path().join(side).join("same.txt"),
            format!("A mentor from the {side} side meets a student every week.\n"),
        )
        .unwrap();
    }
    // An exact copy of a seed under another name, an empty file and a binary one.
    let seed = std::fs::read(root().join("corpus/000_6d249e2a96ff57b8.txt")).unwrap();
    std::fs::write(inputs.join("copy.txt"), &seed).unwrap();
    // The first half of the seed's translation: a version of the article that misses themes
    // the others state (lexicon gaps).
    let translation =
        std::fs::read_to_string(root().join("corpus/001_c8f67bc4325f3f9a.txt")).unwrap();
    let paragraphs: Vec<&str> = translation.split("\n\n").collect();
    let half = paragraphs[..paragraphs.len() / 2].join("\n\n");
    std::fs::write(inputs.join("abridged.txt"), half + "\n").unwrap();
    std::fs::write(inputs.join("empty.txt"), b"").unwrap();
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    std::fs::write(inputs.join("binary.txt"), binary).unwrap();
    // JSON Lines: repeated ids (and one the repeats would take), a record without one, a broken
    // line.
    std::fs::write(
        inputs.join("records.jsonl"),
        concat!(
            "{\"id\": \"same\", \"text\": \"Mentors help new teachers settle in.\"}\n",
            "{\"id\": \"same\", \"text\": \"Peer mentoring builds confidence.\"}\n",
            "{\"id\": \"same~3\", \"text\": \"Mentoring circles meet once a month.\"}\n",
            "{\"id\": \"same~3\", \"text\": \"A mentor listens before advising.\"}\n",
            "{\"text\": \"A record without an id.\"}\n",
            "{not json}\n",
        ),
    )
    .unwrap();
    let corpus = root().join("corpus").display().to_string();
    let names = vec![
        corpus,
        "inputs".to_string(),
        "left".to_string(),
        "right".to_string(),
        "missing/nowhere.txt".to_string(),
    ];
    (folder, names)
}

/// Runs the binary in `folder` and returns its exit code, checking it wrote to standard error
/// only what a summary writes.
fn run_in(folder: &Path, args: &[String]) -> i32 {
    let output = mentorlens()
        .current_dir(folder)
        .args(args)
        .output()
        .unwrap();
    output.status.code().unwrap_or_else(|| {
        panic!(
            "ended by a signal: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn with(mut first: Vec<String>, rest: &[String]) -> Vec<String> {
    first.extend_from_slice(rest);
    first
}

/// `analyze --threads 2` in `format`, as bytes.
fn analyze(folder: &Path, inputs: &[String], format: &str) -> Vec<u8> {
    std::fs::read(analyze_to(folder, inputs, format)).unwrap()
}

/// `analyze --threads 2` in `format`, into `analyze.FORMAT` (a file, or Parquet's folder).
fn analyze_to(folder: &Path, inputs: &[String], format: &str) -> PathBuf {
    let out = folder.join(format!("analyze.{format}"));
    let command = with(
        args(&[
            "analyze",
            "--threads",
            "2",
            "--quiet",
            "--format",
            format,
            "-o",
        ]),
        &[out.display().to_string()],
    );
    assert_eq!(run_in(folder, &with(command, inputs)), 3, "a missing path");
    out
}

/// `dist run` over `shards` shards and `partitions` partitions into a fresh work folder; returns
/// the work folder.
fn dist_run(
    folder: &Path,
    inputs: &[String],
    (shards, partitions): (usize, usize),
    out: &Path,
) -> PathBuf {
    let work = folder.join(format!("work-{shards}-{partitions}"));
    let command = args(&[
        "dist",
        "run",
        "--quiet",
        "--workers",
        "2",
        "--shards",
        &shards.to_string(),
        "--partitions",
        &partitions.to_string(),
        "--work",
        &work.display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(run_in(folder, &with(command, inputs)), 3, "a missing path");
    work
}

#[test]
fn dist_reports_equal_analyze_at_any_shard_and_partition_count_in_json_and_json_lines() {
    let (folder, inputs) = fixture();
    let folder = folder.path();
    let json = analyze(folder, &inputs, "json");
    let jsonl = analyze(folder, &inputs, "jsonl");
    let report: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert!(report["groups"].as_array().unwrap().len() > 10);
    let ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"same~2"), "repeated ids are made unique");
    // Among ids of the same stem, which a partition of the ids tasks holds together.
    for id in ["same~3~2", "same~4", "same~5"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    assert!(report["errors"].as_array().unwrap().len() >= 3);
    let gaps = report["themes"].as_array().unwrap().iter();
    let gaps: Vec<&serde_json::Value> = gaps
        .flat_map(|theme| theme["lexicon_gaps"].as_array().unwrap())
        .collect();
    assert!(
        gaps.iter().any(|gap| gap["document"] == "abridged"),
        "the abridged version is a lexicon gap: {gaps:?}"
    );
    for (shards, partitions) in [1, 2, 7].into_iter().flat_map(|s| [(s, 1), (s, 3)]) {
        let out = folder.join(format!("dist-{shards}-{partitions}.json"));
        let work = dist_run(folder, &inputs, (shards, partitions), &out);
        let shares = std::fs::read_dir(work.join("blocking"))
            .unwrap()
            .filter(|entry| entry.as_ref().unwrap().path().extension().unwrap() == "jsonl")
            .count();
        assert_eq!(shares, partitions, "one share per partition");
        let scored = std::fs::read_dir(work.join("scoring"))
            .unwrap()
            .filter(|entry| entry.as_ref().unwrap().path().extension().unwrap() == "jsonl")
            .count();
        assert_eq!(scored, partitions, "one file of scored pairs per partition");
        for partition in 0..partitions {
            let pairs = format!("candidates/00000.pairs-{partition:05}.jsonl");
            assert!(
                work.join(pairs).exists(),
                "the candidate pairs by partition"
            );
            let counts = format!("anchors/{partition:05}.jsonl");
            assert!(work.join(counts).exists(), "the anchor counts by partition");
        }
        for shard in 0..shards {
            for partition in 0..partitions {
                let keys = format!("documents/{shard:05}.keys-{partition:05}.jsonl");
                assert!(work.join(keys).exists(), "each shard's keys by partition");
                let anchors = format!("documents/{shard:05}.anchors-{partition:05}.jsonl");
                assert!(
                    work.join(anchors).exists(),
                    "each shard's anchors by partition"
                );
            }
        }
        assert!(
            std::fs::read(&out).unwrap() == json,
            "JSON report at {shards} shard(s), {partitions} partition(s) differs from analyze"
        );
        let out = folder.join(format!("dist-{shards}-{partitions}.jsonl"));
        let command = args(&[
            "dist",
            "assemble",
            "--quiet",
            "--format",
            "jsonl",
            "--work",
            &work.display().to_string(),
            "-o",
            &out.display().to_string(),
        ]);
        assert_eq!(run_in(folder, &command), 3);
        assert!(
            std::fs::read(&out).unwrap() == jsonl,
            "JSON Lines report at {shards} shard(s), {partitions} partition(s) differs from analyze"
        );
    }
}

/// The files of a folder by name, with their bytes.
fn folder_files(folder: &Path) -> Vec<(std::ffi::OsString, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (entry.file_name(), std::fs::read(entry.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn dist_html_page_and_parquet_tables_equal_analyze() {
    let (folder, inputs) = fixture();
    let folder = folder.path();
    let html = analyze(folder, &inputs, "html");
    let tables = analyze_to(folder, &inputs, "parquet");
    let work = dist_run(folder, &inputs, (2, 3), &folder.join("dist.json"));
    let assemble = |format: &str, out: &Path| {
        let command = args(&[
            "dist",
            "assemble",
            "--quiet",
            "--format",
            format,
            "--work",
            &work.display().to_string(),
            "-o",
            &out.display().to_string(),
        ]);
        assert_eq!(run_in(folder, &command), 3, "a missing path");
    };
    let page = folder.join("dist.html");
    assemble("html", &page);
    assert!(
        std::fs::read(&page).unwrap() == html,
        "the HTML page differs from analyze's"
    );
    let dist_tables = folder.join("dist-tables");
    assemble("parquet", &dist_tables);
    let (expected, found) = (folder_files(&tables), folder_files(&dist_tables));
    assert!(expected.len() >= 5, "every table is written");
    assert!(
        found == expected,
        "the Parquet tables differ from analyze's"
    );
}

#[test]
fn a_corpus_with_nothing_readable_gives_the_report_and_exit_code_of_analyze() {
    let folder = tempfile::tempdir().unwrap();
    let folder = folder.path();
    std::fs::write(folder.join("empty.txt"), b"").unwrap();
    let inputs = args(&["empty.txt", "missing.txt"]);
    for format in ["json", "jsonl", "parquet"] {
        let expected = folder.join(format!("analyze-{format}"));
        let analyze = args(&["analyze", "--quiet", "--format", format, "-o"]);
        let analyze = with(with(analyze, &[expected.display().to_string()]), &inputs);
        assert_eq!(run_in(folder, &analyze), 2, "nothing read");
        let found = folder.join(format!("dist-{format}"));
        let work = folder.join(format!("work-{format}"));
        let run = args(&["dist", "run", "--quiet", "--workers", "2", "--shards", "2"]);
        let run = with(
            run,
            &args(&[
                "--format",
                format,
                "--work",
                &work.display().to_string(),
                "-o",
                &found.display().to_string(),
            ]),
        );
        assert_eq!(run_in(folder, &with(run, &inputs)), 2, "nothing read");
        if format == "parquet" {
            assert!(folder_files(&found) == folder_files(&expected), "{format}");
        } else {
            assert!(std::fs::read(&found).unwrap() == std::fs::read(&expected).unwrap());
        }
    }
}

/// The development sets (`../shared/dev`, read in place): real translation groups and articles
/// whose benefits recur across languages (themes, lexicon gaps and discovered themes in many
/// languages and scripts), staged over 3 shards and 2 partitions, with runs of two records
/// (discovery's sorts spill a record a run, merged in levels).
#[test]
fn dist_gives_analyze_s_report_on_the_development_sets() {
    let dev = root().join("../shared/dev");
    let inputs: Vec<String> = ["themes", "groups"]
        .iter()
        .map(|name| {
            let folder = dev.join(name);
            assert!(
                folder.is_dir(),
                "the development set must be beside the checkout ({})",
                folder.display()
            );
            folder.display().to_string()
        })
        .collect();
    let folder = tempfile::tempdir().unwrap();
    let folder = folder.path();
    let expected = folder.join("analyze.json");
    let analyze = args(&["analyze", "--quiet", "--threads", "2", "-o"]);
    let analyze = with(with(analyze, &[expected.display().to_string()]), &inputs);
    assert_eq!(run_in(folder, &analyze), 0);
    let expected = std::fs::read(&expected).unwrap();
    let report: serde_json::Value = serde_json::from_slice(&expected).unwrap();
    assert!(report["groups"].as_array().unwrap().len() > 10);
    assert!(!report["discovered_themes"].as_array().unwrap().is_empty());
    let found = folder.join("dist.json");
    let run = args(&["dist", "run", "--quiet", "--workers", "2", "--shards", "3"]);
    let run = with(
        run,
        &args(&[
            "--partitions",
            "2",
            "--run-pairs",
            "2",
            "--work",
            &folder.join("work").display().to_string(),
            "-o",
            &found.display().to_string(),
        ]),
    );
    assert_eq!(run_in(folder, &with(run, &inputs)), 0);
    assert!(
        std::fs::read(&found).unwrap() == expected,
        "the development sets' report differs from analyze's"
    );
}

#[test]
fn budgets_over_tiny_sorted_runs_and_groups_in_tiny_batches_give_the_report_of_analyze() {
    let (folder, inputs) = fixture();
    let folder = folder.path();
    let expected = analyze(folder, &inputs, "json");
    let work = folder.join("work");
    let out = folder.join("dist.json");
    // Seven ranked pairs a run: many runs, each list merged from them; and one document a batch
    // of grouping: each connected set of documents joined apart, in batches enough that the
    // groups task writes their pairs in more than one pass (256 batches a pass; most connected
    // sets of the planted corpus hold one group).
    let report: serde_json::Value = serde_json::from_slice(&expected).unwrap();
    assert!(report["groups"].as_array().unwrap().len() > 300);
    let command = args(&[
        "dist",
        "run",
        "--quiet",
        "--shards",
        "2",
        "--partitions",
        "3",
        "--run-pairs",
        "7",
        "--group-batch",
        "1",
        "--work",
        &work.display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(run_in(folder, &with(command, &inputs)), 3, "a missing path");
    assert!(
        std::fs::read(&out).unwrap() == expected,
        "the report over tiny runs and batches differs from analyze"
    );
    assert!(
        !work.join("candidates/00000.runs").exists(),
        "the runs are removed"
    );
}

#[test]
fn scoring_reads_documents_through_line_indexes_and_refuses_one_that_disagrees() {
    let (folder, inputs) = fixture();
    let folder = folder.path();
    let out = folder.join("dist.json");
    let work = dist_run(folder, &inputs, (2, 1), &out);
    let work_arg = work.display().to_string();
    for shard in 0..2 {
        for file in ["", ".fingerprints"] {
            let index = work.join(format!("documents/{shard:05}{file}.index"));
            assert!(index.exists(), "{} is written", index.display());
        }
    }
    let scored = work.join("scoring/00000.jsonl");
    let first = std::fs::read(&scored).unwrap();
    // An index whose file changed since (here: its length word) is refused, naming the task.
    let index = work.join("documents/00000.fingerprints.index");
    let bytes = std::fs::read(&index).unwrap();
    let mut changed = bytes.clone();
    changed[0] ^= 1;
    std::fs::write(&index, &changed).unwrap();
    std::fs::remove_file(work.join("scoring/00000.done")).unwrap();
    let output = mentorlens()
        .current_dir(folder)
        .args(["dist", "task", "scoring", "0", "--work", &work_arg])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("disagree") && stderr.contains("task 0 of the stage documents"));
    std::fs::write(&index, &bytes).unwrap();
    let task = args(&["dist", "task", "scoring", "0", "--work", &work_arg]);
    assert_eq!(run_in(folder, &task), 0);
    assert!(std::fs::read(&scored).unwrap() == first);
}

#[test]
fn a_task_killed_half_way_and_run_again_leaves_the_same_report() {
    let (folder, inputs) = fixture();
    let folder = folder.path();
    let expected = analyze(folder, &inputs, "json");
    let work = folder.join("work");
    let work_arg = work.display().to_string();
    let plan = with(
        args(&["dist", "plan", "--shards", "2", "--work", &work_arg]),
        &inputs,
    );
    assert_eq!(run_in(folder, &plan), 0);
    // Killed while it runs (sooner and sooner until it is caught running): no records appear,
    // nor a done mark.
    let binary = assert_cmd::cargo::cargo_bin("mentorlens");
    let records = work.join("documents/00000.jsonl");
    let done = work.join("documents/00000.done");
    let mut killed = false;
    for delay in [300, 150, 60, 20, 5, 0] {
        let mut task = std::process::Command::new(&binary)
            .current_dir(folder)
            .args(["dist", "task", "documents", "0", "--work", &work_arg])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        if task.try_wait().unwrap().is_none() {
            task.kill().unwrap();
            task.wait().unwrap();
            killed = true;
            break;
        }
        std::fs::remove_file(&records).unwrap();
        std::fs::remove_file(&done).unwrap();
    }
    assert!(killed, "the task was caught running");
    assert_eq!(
        records.exists(),
        done.exists(),
        "records only with their mark"
    );
    // The other task runs, then everything again: finished tasks are kept, the killed one reruns.
    let task_one = args(&["dist", "task", "documents", "1", "--work", &work_arg]);
    assert_eq!(run_in(folder, &task_one), 0);
    let records_one = work.join("documents/00001.jsonl");
    let first_bytes = std::fs::read(&records_one).unwrap();
    // A retry of a finished task changes nothing.
    assert_eq!(run_in(folder, &task_one), 0);
    assert!(std::fs::read(&records_one).unwrap() == first_bytes);
    // One whose mark is lost runs again and replaces its records whole. (Not always with the
    // same bytes: a paragraph's language confidence can differ in its last bit between two
    // processes; the report rounds it, and the report is compared below.)
    std::fs::remove_file(work.join("documents/00001.done")).unwrap();
    assert_eq!(run_in(folder, &task_one), 0);
    let rerun = std::fs::read_to_string(&records_one).unwrap();
    assert_eq!(
        rerun.lines().count(),
        first_bytes.split(|&b| b == b'\n').count() - 1
    );
    // Assembling before every task finished is refused.
    if !done.exists() {
        let assemble = args(&["dist", "assemble", "--quiet", "--work", &work_arg]);
        assert_eq!(run_in(folder, &assemble), 2);
    }
    let out = folder.join("dist.json");
    let run = with(
        args(&[
            "dist",
            "run",
            "--quiet",
            "--shards",
            "2",
            "--work",
            &work_arg,
            "-o",
            &out.display().to_string(),
        ]),
        &inputs,
    );
    assert_eq!(run_in(folder, &run), 3);
    assert!(std::fs::read(&out).unwrap() == expected);
    // The stages after documents, run again once their marks are lost, write the same bytes.
    let rerun = [
        ("ids", "00000.jsonl"),
        ("order", "00000.jsonl"),
        ("order", "00000.map"),
        ("copies", "00000.jsonl"),
        ("blocking", "00000.jsonl"),
        ("candidates", "00000.pairs-00000.jsonl"),
        ("anchors", "00000.jsonl"),
        ("scoring", "00000.jsonl"),
    ];
    for (stage, file) in rerun {
        let path = work.join(stage).join(file);
        let first = std::fs::read(&path).unwrap();
        std::fs::remove_file(work.join(stage).join("00000.done")).unwrap();
        let task = args(&["dist", "task", stage, "0", "--work", &work_arg]);
        assert_eq!(run_in(folder, &task), 0);
        assert!(
            std::fs::read(&path).unwrap() == first,
            "{stage} run again differs"
        );
    }
    // A map of corpus indices cut short, or of another plan, is refused by the tasks that read
    // it.
    let map = work.join("order/00000.map");
    let bytes = std::fs::read(&map).unwrap();
    let mut other_plan = bytes.clone();
    other_plan[0] ^= 1;
    for stage in ["copies", "blocking"] {
        let task = args(&["dist", "task", stage, "0", "--work", &work_arg]);
        for broken in [&bytes[..bytes.len() - 8], &other_plan[..]] {
            std::fs::write(&map, broken).unwrap();
            std::fs::remove_file(work.join(stage).join("00000.done")).unwrap_or(());
            assert_eq!(run_in(folder, &task), 2);
        }
        std::fs::write(&map, &bytes).unwrap();
        assert_eq!(run_in(folder, &task), 0);
    }
}

#[test]
fn a_work_folder_of_another_plan_or_tool_version_is_refused() {
    let (folder, inputs) = fixture();
    let folder = folder.path();
    let work = folder.join("work");
    let work_arg = work.display().to_string();
    let plan = |shards: &str, partitions: &str| {
        let command = with(
            args(&[
                "dist",
                "plan",
                "--shards",
                shards,
                "--partitions",
                partitions,
                "--work",
                &work_arg,
            ]),
            &inputs,
        );
        mentorlens()
            .current_dir(folder)
            .args(command)
            .output()
            .unwrap()
    };
    assert_eq!(plan("2", "3").status.code(), Some(0));
    // The stages a driver runs, in order, with their task counts.
    let stages = mentorlens()
        .current_dir(folder)
        .args(["dist", "stages", "--work", &work_arg])
        .output()
        .unwrap();
    let stages: serde_json::Value = serde_json::from_slice(&stages.stdout).unwrap();
    assert_eq!(
        stages["stages"],
        serde_json::json!([
            {"name": "documents", "tasks": 2},
            {"name": "ids", "tasks": 3},
            {"name": "order", "tasks": 1},
            {"name": "copies", "tasks": 3},
            {"name": "blocking", "tasks": 3},
            {"name": "candidates", "tasks": 1},
            {"name": "anchors", "tasks": 3},
            {"name": "scoring", "tasks": 3},
            {"name": "batches", "tasks": 1},
            {"name": "joins", "tasks": 3},
            {"name": "groups", "tasks": 1},
            {"name": "render", "tasks": 2},
        ])
    );
    // The same plan again is kept (a run resumes); another is refused.
    assert_eq!(plan("2", "3").status.code(), Some(0));
    for other in [plan("3", "3"), plan("2", "2")] {
        assert_eq!(other.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&other.stderr).contains("holds another plan"));
    }
    // A task that cannot run exits 2 with a message that says why.
    let refused = |stage: &str, index: &str, message: &str| {
        let output = mentorlens()
            .current_dir(folder)
            .args(["dist", "task", stage, index, "--work", &work_arg])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    };
    // An ids task before the documents stage finished is refused, naming what to run.
    refused("ids", "2", "dist task documents 0");
    // So are a copies task and a blocking task before the order task.
    refused("copies", "2", "dist task order 0");
    refused("blocking", "2", "dist task order 0");
    // So is a scoring task before the candidates task.
    refused("scoring", "0", "dist task candidates 0");
    // And the batches task before the scoring tasks, a joins task before the batches task,
    // and the groups task before the joins tasks.
    refused("batches", "0", "dist task scoring 0");
    refused("joins", "2", "dist task batches 0");
    refused("groups", "0", "dist task joins 0");
    // And a render task before the groups task.
    refused("render", "1", "dist task groups 0");
    refused("blocking", "3", "there is no task 3");
    // A plan of an older layout (before sentences were aligned in the joins alone).
    let path = work.join("plan.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"layout\": 19"));
    std::fs::write(&path, text.replace("\"layout\": 19", "\"layout\": 18")).unwrap();
    refused("documents", "0", "(layout 18)");
    std::fs::write(&path, &text).unwrap();
    // A shard's list of sources edited since the plan.
    let list = work.join("sources/00000.json");
    let sources = std::fs::read(&list).unwrap();
    std::fs::write(&list, [&sources[..], b" "].concat()).unwrap();
    refused("documents", "0", "changed since the plan was made");
    std::fs::write(&list, &sources).unwrap();
    // A plan written by another version of the tool.
    let version = format!("\"tool\": \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&version));
    std::fs::write(&path, text.replace(&version, "\"tool\": \"0.0.1\"")).unwrap();
    refused("documents", "0", "planned by mentorlens 0.0.1");
}

/// `check --format json` in `folder`: the exit code and the JSON.
fn check_json(folder: &Path, arguments: &[&str]) -> (i32, serde_json::Value, String) {
    let output = mentorlens()
        .current_dir(folder)
        .env_remove("CI")
        .arg("check")
        .args(arguments)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    (output.status.code().unwrap_or(-1), json, stderr)
}

#[test]
fn a_cluster_runs_fingerprint_index_spares_check_the_corpus_fingerprints() {
    let (folder, inputs) = fixture();
    let folder = folder.path();
    // The same index from analyze and from a cluster run over 2 shards.
    let analyzed = folder.join("analyze.index.jsonl");
    let command = with(
        args(&["analyze", "--quiet", "-o", "-", "--index"]),
        &[analyzed.display().to_string()],
    );
    assert_eq!(run_in(folder, &with(command, &inputs)), 3);
    let out = folder.join("dist.json");
    let work = dist_run(folder, &inputs, (2, 3), &out);
    let clustered = folder.join("dist.index.jsonl");
    let assemble = args(&[
        "dist",
        "assemble",
        "--quiet",
        "--work",
        &work.display().to_string(),
        "-o",
        &out.display().to_string(),
        "--index",
        &clustered.display().to_string(),
    ]);
    assert_eq!(run_in(folder, &assemble), 3);
    let index = std::fs::read(&analyzed).unwrap();
    assert!(index == std::fs::read(&clustered).unwrap());
    let lines = index
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert!(lines > GENERATED, "one line per document and a header");
    // A new copy of a seed: check finds it against the corpus with or without the index, and
    // with it fingerprints no corpus document.
    std::fs::create_dir_all(folder.join("new")).unwrap();
    std::fs::copy(
        root().join("corpus/000_6d249e2a96ff57b8.txt"),
        folder.join("new/copy.txt"),
    )
    .unwrap();
    let corpus = root().join("corpus").display().to_string();
    let against = ["new/copy.txt", "--against", &corpus, "--against", "inputs"];
    let (code, plain, stderr) = check_json(folder, &against);
    assert_eq!(code, 1, "{stderr}");
    let index_arg = analyzed.display().to_string();
    let with_index: Vec<&str> = against
        .iter()
        .copied()
        .chain(["--against-index", &index_arg])
        .collect();
    let (code, indexed, stderr) = check_json(folder, &with_index);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(plain["findings"], indexed["findings"]);
    assert!(plain["findings"].to_string().contains("duplicate"));
    let documents = &indexed["corpus"]["documents"];
    assert!(documents.as_u64().unwrap() > GENERATED as u64);
    assert_eq!(&indexed["corpus"]["indexed"], documents);
    assert_eq!(indexed["corpus"]["fingerprinted"], 0);
    // An index of other settings is refused, not half used.
    let text = String::from_utf8(index).unwrap();
    let settings = text.split("\"settings\":\"").nth(1).unwrap();
    let settings = &settings[..settings.find('"').unwrap()];
    std::fs::write(&analyzed, text.replacen(settings, "another", 1)).unwrap();
    let (code, _, stderr) = check_json(folder, &with_index);
    assert_eq!(code, 2);
    assert!(stderr.contains("other settings"), "{stderr}");
}

#[test]
fn compressed_exchanges_give_the_same_report_and_decode_to_the_plain_files() {
    let (folder, inputs) = fixture();
    let folder = folder.path();
    let expected = analyze(folder, &inputs, "json");
    let mut plans = Vec::new();
    for compress in [false, true] {
        let work = folder.join(format!("work-{compress}"));
        let out = folder.join(format!("dist-{compress}.json"));
        let mut command = args(&[
            "dist",
            "run",
            "--quiet",
            "--shards",
            "2",
            "--partitions",
            "3",
        ]);
        if compress {
            command.push("--compress".into());
        }
        let command = with(
            command,
            &[
                "--work".into(),
                work.display().to_string(),
                "-o".into(),
                out.display().to_string(),
            ],
        );
        assert_eq!(run_in(folder, &with(command, &inputs)), 3, "a missing path");
        assert!(
            std::fs::read(&out).unwrap() == expected,
            "the report (compress: {compress}) differs from analyze"
        );
        plans.push(work);
    }
    let (plain, compressed) = (&plans[0], &plans[1]);
    // Every exchange file, decoded, is the plain run's file, but for the plan it names.
    let plan_id = |work: &Path| {
        let done = std::fs::read_to_string(work.join("order/00000.done")).unwrap();
        done.trim().to_string()
    };
    let (plain_id, compressed_id) = (plan_id(plain), plan_id(compressed));
    let (mut files, mut plain_bytes, mut compressed_bytes) = (0, 0, 0);
    for stage in std::fs::read_dir(compressed).unwrap() {
        let stage = stage.unwrap().path();
        if !stage.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&stage).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            let Some(plain_name) = name.strip_suffix(".zst") else {
                continue;
            };
            let stored = std::fs::read(&file).unwrap();
            let decoded = zstd::decode_all(&stored[..]).unwrap();
            let expected = std::fs::read(plain.join(stage.file_name().unwrap()).join(plain_name))
                .unwrap_or_else(|_| panic!("no plain {plain_name}"));
            let decoded = String::from_utf8_lossy(&decoded).replace(&compressed_id, &plain_id);
            assert!(
                decoded.as_bytes() == String::from_utf8_lossy(&expected).as_bytes(),
                "{name} does not decode to the plain file"
            );
            files += 1;
            plain_bytes += expected.len();
            compressed_bytes += stored.len();
        }
    }
    for kind in [
        "jsonl",
        "fingerprints.jsonl",
        "keys-00000.jsonl",
        "fragments.frames",
    ] {
        let stage = if kind.ends_with("frames") {
            "render"
        } else {
            "documents"
        };
        let path = compressed.join(format!("{stage}/00000.{kind}.zst"));
        assert!(path.exists(), "{} is compressed", path.display());
    }
    assert!(files > 40, "{files} compressed files");
    assert!(
        3 * compressed_bytes < plain_bytes,
        "{compressed_bytes} bytes compressed against {plain_bytes} plain"
    );
}

#[test]
fn assemble_merges_many_shards_in_levels_and_gives_the_same_report() {
    let (folder, inputs) = fixture();
    let folder = folder.path();
    let expected = analyze(folder, &inputs, "json");
    let work = folder.join("work");
    let out = folder.join("dist.json");
    // 7 shards and 7 partitions, 2 files a merge: 7 -> 4 -> 2 files, then the final merge (of
    // the fragments and runs in assemble, of the ids in the order task, of the blocking shares
    // in the candidates task).
    let run = |fan_in: &str| {
        let command = args(&[
            "dist",
            "run",
            "--quiet",
            "--shards",
            "7",
            "--partitions",
            "7",
            "--merge-fan-in",
            fan_in,
            "--work",
            &work.display().to_string(),
            "-o",
            &out.display().to_string(),
        ]);
        run_in(folder, &with(command, &inputs))
    };
    assert_eq!(run("2"), 3, "a missing path");
    assert!(
        std::fs::read(&out).unwrap() == expected,
        "the report merged in levels differs from analyze"
    );
    for scratch in [
        "render/merged-fragments",
        "order/merged-ids",
        "candidates/merged-blocking",
    ] {
        let scratch = work.join(scratch);
        assert!(!scratch.exists(), "the merged files are removed");
    }
    // Where the merged files would go, a file: a merge in levels fails on it, and says so; a
    // merge of every shard at once does not look there.
    let assemble = |fan_in: &str| {
        let work = folder.join(format!("work-{fan_in}"));
        let plan = args(&[
            "dist",
            "run",
            "--quiet",
            "--shards",
            "7",
            "--merge-fan-in",
            fan_in,
            "--work",
            &work.display().to_string(),
        ]);
        assert_eq!(run_in(folder, &with(plan, &inputs)), 3);
        let blocked = work.join("render/merged-fragments");
        std::fs::write(&blocked, b"in the way").unwrap();
        let output = mentorlens()
            .current_dir(folder)
            .args(["dist", "assemble", "--quiet", "--work"])
            .arg(&work)
            .arg("-o")
            .arg(folder.join(format!("again-{fan_in}.json")))
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = assemble("2");
    assert!(
        code != Some(3) && stderr.contains("merged-fragments"),
        "{code:?} {stderr}"
    );
    assert_eq!(
        assemble("7").0,
        Some(3),
        "7 files merge at once: no scratch folder"
    );
}
