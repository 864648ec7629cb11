//! The `switchyard` binary: install error hooks, parse the command line, dispatch.

use std::process::ExitCode;

fn main() -> ExitCode {
    switchyard::cli::main()
}
