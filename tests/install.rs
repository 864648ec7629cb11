//! Installed like the CLI tools it sits beside (README, "Install"): shell completions and man
//! pages generated from the one clap definition, so they never drift from `--help`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use clap::CommandFactory;
use std::path::{Path, PathBuf};

fn switchyard() -> Command {
    let mut cmd = Command::cargo_bin("switchyard").unwrap();
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-switchyard-test")
        .env("XDG_STATE_HOME", scratch("state"))
        .current_dir(std::env::temp_dir());
    cmd
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("switchyard-install-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every command `--help` lists (clap's own `help` included).
fn commands() -> Vec<String> {
    switchyard::cli::Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect()
}

fn stdout(args: &[&str]) -> String {
    let out = switchyard().args(args).assert().code(0);
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn completions_for_each_shell_name_every_command() {
    let commands = commands();
    assert!(commands.contains(&"timeline".to_string()), "{commands:?}");
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout(&["completions", shell]);
        for command in &commands {
            assert!(
                script.contains(command.as_str()),
                "{shell} completions do not name `{command}`"
            );
        }
        // And the options of a command, e.g. timeline's.
        assert!(script.contains("since"), "{shell}: no --since");
    }
    // The bash script is valid bash.
    let script = stdout(&["completions", "bash"]);
    let path = scratch("bash").join("switchyard.bash");
    std::fs::write(&path, script).unwrap();
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    assert!(checked.success(), "bash -n rejects the completion script");
    // An unknown shell is a usage error.
    switchyard().args(["completions", "tcsh"]).assert().code(2);
}

/// `man -l FILE` as a reader would see it, on standard output; its warnings fail the test.
fn render(page: &Path) -> String {
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .env("MAN_KEEP_FORMATTING", "")
        .output()
        .unwrap_or_else(|e| {
            panic!("`man` is needed to check the man page (scripts/test installs it): {e}")
        });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "man -l {}: {stderr}", page.display());
    assert!(
        stderr.trim().is_empty(),
        "man -l {} warns: {stderr}",
        page.display()
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_man_page_renders_and_lists_every_command() {
    let dir = scratch("man");
    let page = dir.join("switchyard.1");
    std::fs::write(&page, stdout(&["man"])).unwrap();
    let text = render(&page);
    assert!(text.contains("switchyard(1)"), "{text}");
    assert!(text.contains("--read-only"), "{text}");
    for command in commands().iter().filter(|c| *c != "help") {
        assert!(
            text.contains(&format!("switchyard-{command}(1)")),
            "the man page does not list `{command}`:\n{text}"
        );
    }
}

#[test]
fn man_dir_writes_a_page_per_command_that_renders() {
    let dir = scratch("man-dir").join("man1");
    switchyard()
        .args(["man", "--dir"])
        .arg(&dir)
        .assert()
        .code(0);
    let timeline = render(&dir.join("switchyard-timeline.1"));
    for option in ["--since", "--from", "--service", "--format"] {
        assert!(timeline.contains(option), "no {option} in:\n{timeline}");
    }
    for command in commands().iter().filter(|c| *c != "help") {
        let page = dir.join(format!("switchyard-{command}.1"));
        assert!(page.exists(), "no page for `{command}`");
        render(&page);
    }
    render(&dir.join("switchyard.1"));
}
