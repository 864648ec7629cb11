//! Config validation against fixture files: every file in `tests/fixtures/config/valid` must
//! load, every file in `tests/fixtures/config/invalid` must fail where its `.expected` says.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use switchyard::config::{Config, ConfigError};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// The first line of `NAME.expected` is `line:column`, the second a part of the message.
fn expectation(fixture: &Path) -> (usize, usize, String) {
    let path = fixture.with_extension("expected");
    let text = fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (every invalid fixture needs one)",
            path.display()
        )
    });
    let mut lines = text.lines();
    let position = lines.next().unwrap_or_default();
    let (line, column) = position
        .split_once(':')
        .and_then(|(line, column)| Some((line.trim().parse().ok()?, column.trim().parse().ok()?)))
        .unwrap_or_else(|| panic!("{}: first line must be LINE:COLUMN", path.display()));
    let needle = lines.next().unwrap_or_default().to_owned();
    assert!(
        !needle.is_empty(),
        "{}: second line must be part of the message",
        path.display()
    );
    (line, column, needle)
}

#[test]
fn valid_fixtures_load() {
    for path in fixtures("valid") {
        if let Err(error) = Config::load(&path) {
            panic!("{} should be valid, got: {error}", path.display());
        }
    }
}

#[test]
fn invalid_fixtures_fail_at_the_expected_place() {
    let mut failures = Vec::new();
    for path in fixtures("invalid") {
        let (want_line, want_column, needle) = expectation(&path);
        match Config::load(&path) {
            Err(
                ref error @ ConfigError::Invalid {
                    line,
                    column,
                    ref message,
                    ..
                },
            ) => {
                let shown = error.to_string();
                if (line, column) != (want_line, want_column)
                    || !message.contains(&needle)
                    || !shown.starts_with(&path.display().to_string())
                {
                    failures.push(format!(
                        "{}: want {want_line}:{want_column} containing {needle:?}, got {shown}",
                        path.display()
                    ));
                }
            }
            Err(other) => failures.push(format!("{}: not Invalid: {other}", path.display())),
            Ok(_) => failures.push(format!("{}: loaded, but should fail", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn example_config_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/switchyard.example.toml");
    let text = fs::read_to_string(&path).unwrap();
    let config = Config::parse(&text, &path).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(config.services.len(), 1);
}
