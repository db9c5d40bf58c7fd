//! End to end through the built binary: where `-o FILE` writes. A regular file is replaced
//! atomically and keeps its permissions, a symlink is written at its target, a device is written
//! through, `-` is standard output, and an interrupted run leaves no temporary file.

use serde_json::Value;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;

use crate::common::{mentorlens, root};

/// Runs `analyze --quiet corpus -o target` and returns (exit code, standard error).
fn analyze_to(target: &Path) -> (Option<i32>, String) {
    let output = mentorlens()
        .args(["analyze", "--quiet", "corpus", "-o"])
        .arg(target)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn is_report(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|report| report["corpus"]["analysed"] == 5)
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

#[test]
fn devices_are_written_through_not_replaced() {
    let (code, stderr) = analyze_to(Path::new("/dev/null"));
    assert_eq!(code, Some(0), "{stderr}");
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device(), "/dev/null was replaced");
}

#[test]
fn a_full_device_is_a_clear_error() {
    if !Path::new("/dev/full").exists() {
        return; // not Linux
    }
    let (code, stderr) = analyze_to(Path::new("/dev/full"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot write the report to /dev/full"),
        "{stderr}"
    );
    assert!(stderr.contains("No space left"), "{stderr}");
    let full = std::fs::metadata("/dev/full").unwrap();
    assert!(full.file_type().is_char_device(), "/dev/full was replaced");
}

#[test]
fn dash_is_standard_output() {
    let folder = tempfile::tempdir().unwrap();
    let output = mentorlens()
        .current_dir(folder.path())
        .args(["analyze", "--quiet", "-o", "-"])
        .arg(root().join("corpus"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(is_report(&String::from_utf8_lossy(&output.stdout)));
    assert!(names(folder.path()).is_empty(), "no file named - is made");
}

#[test]
fn a_symlink_is_written_at_its_target_and_stays_a_link() {
    let folder = tempfile::tempdir().unwrap();
    let reports = folder.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    std::fs::write(reports.join("report.json"), "old").unwrap();
    let link = folder.path().join("latest.json");
    std::os::unix::fs::symlink("reports/report.json", &link).unwrap();
    let (code, stderr) = analyze_to(&link);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(is_report(
        &std::fs::read_to_string(reports.join("report.json")).unwrap()
    ));
    assert_eq!(names(&reports), ["report.json"]);
}

#[test]
fn a_replaced_file_keeps_its_permissions() {
    let folder = tempfile::tempdir().unwrap();
    for mode in [0o600, 0o444] {
        let target = folder.path().join(format!("report-{mode:o}.json"));
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode)).unwrap();
        let (code, stderr) = analyze_to(&target);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(is_report(&std::fs::read_to_string(&target).unwrap()));
        let kept = std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
        assert_eq!(kept, mode, "mode {kept:o} instead of {mode:o}");
    }
}

#[test]
fn check_output_follows_the_same_rules() {
    let folder = tempfile::tempdir().unwrap();
    let findings = folder.path().join("findings.json");
    std::fs::write(&findings, "old").unwrap();
    std::fs::set_permissions(&findings, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = folder.path().join("link.json");
    std::os::unix::fs::symlink(&findings, &link).unwrap();
    let output = mentorlens()
        .args([
            "check",
            "corpus/000_6d249e2a96ff57b8.txt",
            "--against",
            "corpus",
        ])
        .args(["--format", "json", "-o"])
        .arg(&link)
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(2), "{output:?}");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&findings).unwrap()).unwrap();
    assert!(written["findings"].is_array());
    let mode = std::fs::metadata(&findings).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o600);
    let output = mentorlens()
        .args([
            "check",
            "corpus/000_6d249e2a96ff57b8.txt",
            "--against",
            "corpus",
        ])
        .args(["-o", "/dev/null"])
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(2), "{output:?}");
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device(), "/dev/null was replaced");
}

#[test]
fn stale_temporary_files_of_a_killed_run_are_removed() {
    let folder = tempfile::tempdir().unwrap();
    let stale = folder.path().join(".mentorlens-Ab12Cd.tmp");
    let fresh = folder.path().join(".mentorlens-Xy34Zw.tmp");
    for path in [&stale, &fresh] {
        std::fs::write(path, "partial").unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    // Look-alikes that are not temporary files: a cache folder and a file of another shape.
    std::fs::create_dir(folder.path().join(".mentorlens-cache")).unwrap();
    std::fs::write(folder.path().join(".mentorlens-notes"), "mine").unwrap();
    let (code, stderr) = analyze_to(&folder.path().join("report.json"));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        names(folder.path()),
        [
            ".mentorlens-Xy34Zw.tmp",
            ".mentorlens-cache",
            ".mentorlens-notes",
            "report.json"
        ]
    );
}

/// Starts `analyze -o` on a corpus large enough that writing the report takes a while, sends
/// `signal` as soon as the temporary file appears, and returns the exit code and the temporary
/// files left in the output folder.
fn interrupt_while_writing(signal: libc::c_int) -> (Option<i32>, Vec<String>) {
    // A run can finish in the instant between seeing its temporary file and the signal (a busy
    // machine may pause this thread); only then is it tried again.
    for _ in 0..3 {
        let (code, left) = interrupt_one_run(signal);
        if code != Some(0) {
            return (code, left);
        }
    }
    panic!("three runs finished before the signal reached them");
}

fn interrupt_one_run(signal: libc::c_int) -> (Option<i32>, Vec<String>) {
    use std::process::{Command, Stdio};
    let input = tempfile::tempdir().unwrap();
    let sentence = "Mentors open doors to new networks, share what they learnt the hard way, and help their mentees see their careers from the outside. ";
    let records: String = (0..2000)
        .map(|i| {
            let text = format!("{sentence}Item {i}. ").repeat(40);
            format!(
                "{}\n",
                serde_json::json!({ "id": format!("doc{i}"), "text": text })
            )
        })
        .collect();
    let corpus = input.path().join("big.jsonl");
    std::fs::write(&corpus, records).unwrap();
    let output = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("mentorlens"))
        .args(["analyze", "--quiet", "-o"])
        .arg(output.path().join("report.json"))
        .arg(&corpus)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if names(output.path())
            .iter()
            .any(|name| name.starts_with(".mentorlens-"))
        {
            break;
        }
        if child.try_wait().unwrap().is_some() {
            // Finished before its temporary file was seen: a pass that tested nothing.
            return (Some(0), Vec::new());
        }
        assert!(started.elapsed().as_secs() < 300, "no temporary file");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill only sends a signal to the child started above.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let status = child.wait().unwrap();
    let left = names(output.path())
        .into_iter()
        .filter(|name| name.starts_with(".mentorlens-"))
        .collect();
    (status.code(), left)
}

#[test]
fn sigterm_while_writing_removes_the_temporary_file() {
    let (code, left) = interrupt_while_writing(libc::SIGTERM);
    assert_eq!(code, Some(143));
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn ctrl_c_while_writing_removes_the_temporary_file() {
    let (code, left) = interrupt_while_writing(libc::SIGINT);
    assert_eq!(code, Some(130));
    assert!(left.is_empty(), "left behind: {left:?}");
}
