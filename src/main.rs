//! The `mentorlens` command: parses the command line, runs the library, maps the outcome to an
//! exit code (0 all analysed, 2 usage error or nothing read, 3 some inputs failed).

mod cli;

use mentorlens::escape_for_terminal;
use std::process::ExitCode;

/// See the `mimalloc` dependency in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A reader that closes standard output early is handled where results are written (the
    // command's exit code stands), so an error that reaches here is a real one.
    match cli::run() {
        Ok(code) => code,
        Err(error) => {
            let message = message_with_causes(&error);
            eprintln!("mentorlens: error: {}", escape_for_terminal(&message));
            ExitCode::from(2)
        }
    }
}

/// The error and each cause it does not already state, joined with `: `. An error whose message
/// includes its source (`cannot read FILE: No such file`) would otherwise state it twice.
fn message_with_causes(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if message.contains(&cause) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&cause);
    }
    message
}
