//! `switchyard completions SHELL` and `switchyard man`: generated from the one clap definition
//! (`Cli`), so they always match `--help` (README, "Install").

use super::{Cli, Failure, exit};
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// The completion script for `shell`, on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<u8, Failure> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "switchyard", &mut out);
    print(&out)
}

/// The man page (section 1, roff) on standard output; with `dir`, that page and one per
/// command (`switchyard-failover.1`, …) written into `dir`.
pub fn man(dir: Option<&Path>) -> Result<u8, Failure> {
    let Some(dir) = dir else {
        let mut out = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut out)
            .map_err(|e| Failure::runtime(format!("cannot render the man page: {e}")))?;
        return print(&out);
    };
    std::fs::create_dir_all(dir)
        .and_then(|()| clap_mangen::generate_to(Cli::command(), dir))
        .map_err(|e| {
            Failure::runtime(format!(
                "cannot write the man pages into {}: {e}",
                dir.display()
            ))
        })?;
    eprintln!(
        "man pages written to {} (switchyard.1 and one per command)",
        dir.display()
    );
    Ok(exit::OK)
}

fn print(bytes: &[u8]) -> Result<u8, Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::runtime(format!("cannot write to standard output: {e}")))?;
    Ok(exit::OK)
}
