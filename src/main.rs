//! The `mentorlens` command: parses the command line, runs the library, maps the outcome to an
//! exit code (0 all analysed, 2 usage error or nothing read, 3 some inputs failed).

mod cli;

use mentorlens::terminal::escape_for_terminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A reader that closes standard output early is handled where results are written (the
    // command's exit code stands), so an error that reaches here is a real one.
    match cli::run() {
        Ok(code) => code,
        Err(error) => {
            let message = format!("{error:#}");
            eprintln!("mentorlens: error: {}", escape_for_terminal(&message));
            ExitCode::from(2)
        }
    }
}
