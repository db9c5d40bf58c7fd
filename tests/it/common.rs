//! Helpers shared by the end-to-end tests.

use assert_cmd::Command;
use std::path::PathBuf;

/// The project folder (where `corpus/` and `tests/` live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built `mentorlens` binary, run from the project folder.
pub fn mentorlens() -> Command {
    let mut command = Command::cargo_bin("mentorlens").expect("binary is built");
    command.current_dir(root());
    command
}

/// Runs the built `mentorlens` with `args` from the project folder, to the end, and returns its
/// output and its peak resident memory in bytes: the high-water mark of its own memory
/// (`VmHWM` in `/proc/PID/status`), read every 2 ms while it runs. Not `getrusage`: the tests
/// share one large process, and a child's `ru_maxrss` counts the memory of the process it was
/// forked from.
#[cfg(target_os = "linux")]
pub fn output_with_peak_memory(args: &[&std::ffi::OsStr]) -> (std::process::Output, u64) {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mentorlens"))
        .current_dir(root())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let pipe_reader = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let stdout = pipe_reader(Box::new(child.stdout.take().unwrap()));
    let stderr = pipe_reader(Box::new(child.stderr.take().unwrap()));
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let status = loop {
        // The high-water mark only grows: the last reading before the exit is the peak, unless
        // the peak came within the last 2 ms.
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            let hwm = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok());
            peak_kib = peak_kib.max(hwm.unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let output = std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    (output, peak_kib * 1024)
}
