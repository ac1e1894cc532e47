//! The `danmu-analyze` binary: parses arguments and dispatches to one module per subcommand.

mod cmd;

use std::io;
use std::process::ExitCode;

use clap::Parser;

use cmd::{Cli, Outcome};

fn main() -> ExitCode {
    danmu_analyze::alloc::tune();
    let cli = Cli::parse();
    match cmd::run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Skipped) => ExitCode::from(cmd::EXIT_SKIPPED),
        Ok(Outcome::Exit(code)) => ExitCode::from(code),
        Err(err) => {
            // `danmu-analyze decode … | head` closes the pipe early: that is success.
            if err.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", cmd::chain_text(&err));
            ExitCode::FAILURE
        }
    }
}
