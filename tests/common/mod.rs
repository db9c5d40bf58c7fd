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
