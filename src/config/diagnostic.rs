//! Turning TOML and serde errors into human messages at a byte offset, and offsets into
//! 1-based line and column numbers.

use std::ops::Range;

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use super::raw::RawConfig;

/// Keys that hold secrets. They are unknown keys anyway; they get their own message because
/// the right fix is not to rename them but to move the secret out of the file.
const CREDENTIAL_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "access_key_id",
    "secret_access_key",
    "session_token",
    "access_key",
    "secret_key",
    "password",
];

/// One thing wrong with the file, at a byte offset into it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Problem {
    pub offset: usize,
    pub message: String,
}

/// 1-based line and column (in characters) of a byte offset; offsets past the end or inside
/// a character are clamped.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let line = before.matches('\n').count() + 1;
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

/// Parse the document into the spanned raw model, rejecting syntax errors, credentials,
/// unknown keys and wrongly typed values.
pub(super) fn deserialize(text: &str) -> Result<RawConfig, Problem> {
    let root = DeTable::parse(text).map_err(|error| {
        let span = error.span().unwrap_or_default();
        let mut message = format!("TOML syntax error: {}", error.message());
        if error.message() == "duplicate key" {
            // toml does not say which key; the span does.
            let key = text.get(span.clone()).unwrap_or_default();
            message = format!("TOML syntax error: duplicate key `{key}`; expected each key once");
        }
        Problem {
            offset: span.start,
            message,
        }
    })?;
    if let Some(problem) = find_credential(root.get_ref(), &mut Vec::new()) {
        return Err(problem);
    }
    RawConfig::deserialize(toml::de::Deserializer::from(root)).map_err(|error| {
        // Parse again rather than clone up front: this only runs when the file is wrong.
        let hit = DeTable::parse(text).ok().and_then(|root| {
            error
                .span()
                .and_then(|span| locate_table(root.get_ref(), &span, &mut Vec::new()))
        });
        Problem {
            offset: error.span().map_or(0, |span| span.start),
            message: humanize(error.message(), hit.as_ref()),
        }
    })
}

#[derive(Debug, Clone)]
enum Segment {
    Key(String),
    Index(usize),
}

/// What an error span points at: a key, or the value stored under `path`.
#[derive(Debug)]
struct Hit {
    path: Vec<Segment>,
    is_key: bool,
}

fn find_credential(table: &DeTable<'_>, path: &mut Vec<Segment>) -> Option<Problem> {
    for (key, value) in table {
        let normalized = key.get_ref().to_ascii_lowercase().replace('-', "_");
        if CREDENTIAL_KEYS.contains(&normalized.as_str()) {
            return Some(Problem {
                offset: key.span().start,
                message: format!(
                    "`{}` {}: credentials do not belong in the config file; use a profile or \
                     the standard credential chain (environment, SSO, assume-role)",
                    key.get_ref(),
                    table_label(path),
                ),
            });
        }
        path.push(Segment::Key(key.get_ref().to_string()));
        let found = match value.get_ref() {
            DeValue::Table(inner) => find_credential(inner, path),
            DeValue::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
                path.push(Segment::Index(index));
                let found = item
                    .get_ref()
                    .as_table()
                    .and_then(|t| find_credential(t, path));
                path.pop();
                found
            }),
            _ => None,
        };
        path.pop();
        if found.is_some() {
            return found;
        }
    }
    None
}

fn locate_table(table: &DeTable<'_>, span: &Range<usize>, path: &mut Vec<Segment>) -> Option<Hit> {
    for (key, value) in table {
        path.push(Segment::Key(key.get_ref().to_string()));
        // Deepest first: an array of tables and its first table can share a span, and the
        // error always comes from the innermost value.
        if let Some(hit) = locate_value(value.get_ref(), span, path) {
            return Some(hit);
        }
        let is_key = key.span() == *span;
        if is_key || value.span() == *span {
            return Some(Hit {
                path: path.clone(),
                is_key,
            });
        }
        path.pop();
    }
    None
}

fn locate_value(value: &DeValue<'_>, span: &Range<usize>, path: &mut Vec<Segment>) -> Option<Hit> {
    match value {
        DeValue::Table(table) => locate_table(table, span, path),
        DeValue::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Segment::Index(index));
                if let Some(hit) = locate_value(item.get_ref(), span, path) {
                    return Some(hit);
                }
                if item.span() == *span {
                    return Some(Hit {
                        path: path.clone(),
                        is_key: false,
                    });
                }
                path.pop();
            }
            None
        }
        _ => None,
    }
}

/// `in [aws]`, `in [[service]]`, `in [service.artifacts]` or `at the top level`.
fn table_label(path: &[Segment]) -> String {
    let names: Vec<&str> = path
        .iter()
        .filter_map(|segment| match segment {
            Segment::Key(name) => Some(name.as_str()),
            Segment::Index(_) => None,
        })
        .collect();
    match path.last() {
        None => "at the top level".to_owned(),
        Some(Segment::Index(_)) => format!("in [[{}]]", names.join(".")),
        Some(Segment::Key(_)) => format!("in [{}]", names.join(".")),
    }
}

/// `` `regions` in [[service]] `` or `` item 2 of `regions` in [[service]] ``.
fn value_label(path: &[Segment]) -> String {
    match path {
        [parent @ .., Segment::Key(key)] => format!("`{key}` {}", table_label(parent)),
        [parent @ .., Segment::Key(key), Segment::Index(index)] => {
            format!("item {} of `{key}` {}", index + 1, table_label(parent))
        }
        _ => "the document".to_owned(),
    }
}

fn humanize(message: &str, hit: Option<&Hit>) -> String {
    let path = hit.map_or(&[][..], |hit| hit.path.as_slice());
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let parent = hit
            .and_then(|hit| hit.path.split_last())
            .map(|(_, parent)| parent);
        return unknown_key(field, &backticked(expected), parent);
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        // The error points at the table that lacks the key.
        let table = hit
            .map(|_| format!(" {}", table_label(path)))
            .unwrap_or_default();
        return format!("missing required key `{field}`{table}");
    }
    let message = message
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected a table")
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected an integer");
    if hit.is_none_or(|hit| hit.is_key) {
        return message;
    }
    let mut human = format!("{}: {message}", value_label(path));
    if matches!(path, [Segment::Key(key)] if key == "service") && message.contains("type: map") {
        human.push_str("; write each service as a [[service]] table (double brackets)");
    }
    human
}

fn unknown_key(field: &str, expected: &[&str], parent: Option<&[Segment]>) -> String {
    let table = parent
        .map(|parent| format!(" {}", table_label(parent)))
        .unwrap_or_default();
    let mut message = format!(
        "unknown key `{field}`{table} (expected one of: {})",
        expected.join(", ")
    );
    if let Some(close) = closest(field, expected) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    if field == "read_only" && parent.is_some_and(|parent| !parent.is_empty()) {
        message.push_str(
            "; top-level keys such as `read_only` must come before the first [table] header",
        );
    }
    message
}

/// The words between backticks, e.g. the expected field names in a serde message.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// An expected key within two edits of what was written, for "did you mean".
fn closest<'a>(field: &str, expected: &[&'a str]) -> Option<&'a str> {
    expected
        .iter()
        .map(|candidate| (edit_distance(field, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, counting a swap of two neighbours (`regoins`) as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}
