//! The `mentorlens` command: parses the command line, runs the library, maps the outcome to an
//! exit code (0 all analysed, 2 usage error or nothing read, 3 some inputs failed).

mod cli;

use mentorlens::terminal::escape_for_terminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            let message = format!("{error:#}");
            eprintln!("mentorlens: error: {}", escape_for_terminal(&message));
            ExitCode::from(2)
        }
    }
}

/// A reader that closed our standard output early (`mentorlens … | head`) is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
