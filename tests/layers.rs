//! The layers of docs/ARCHITECTURE.md, checked: a module of `src/` may use (`crate::…`) only the
//! modules of the layers listed above its own, and the data-and-rules layers never use the
//! terminal or the command line (ratatui, crossterm, clap). The layer list is read from the
//! document itself, so the document and the code cannot drift apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The line before the layer list in docs/ARCHITECTURE.md.
const MARKER: &str = "<!-- layers: each line may use only the lines above it -->";
/// The first layer that may draw or read the command line; those before it may not.
const FIRST_CONSOLE_LAYER: &str = "state";
const CONSOLE_CRATES: [&str; 3] = ["ratatui", "crossterm", "clap"];

/// The layers, top first: each a set of module names.
fn layers(doc: &str) -> Vec<Vec<String>> {
    let after = doc
        .split_once(MARKER)
        .unwrap_or_else(|| panic!("docs/ARCHITECTURE.md has no line {MARKER}"))
        .1;
    let block = after
        .split_once("```text\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a ```text block after the marker")
        .0;
    block
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The code of a file without its comments and without what its string and character literals
/// hold (so that neither can name a module).
fn without_comments(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let word = |k: usize| k > 0 && (c[k - 1].is_ascii_alphanumeric() || c[k - 1] == '_');
    while i < c.len() {
        let next = c.get(i + 1).copied();
        match c[i] {
            '/' if next == Some('/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                i += 2;
                while i + 1 < c.len() && !(c[i] == '*' && c[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            'r' if !word(i) && matches!(next, Some('"' | '#')) => {
                // A raw string: r"…", r#"…"#, …
                let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
                let open = i + 1 + hashes;
                if c.get(open) != Some(&'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let closes =
                    |k: usize| c[k] == '"' && (1..=hashes).all(|h| c.get(k + h) == Some(&'#'));
                i = open + 1;
                while i < c.len() && !closes(i) {
                    i += 1;
                }
                i += 1 + hashes;
                out.push_str("\"\"");
            }
            '"' => {
                i += 1;
                while i < c.len() && c[i] != '"' {
                    i += if c[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            '\'' if next == Some('\\') => {
                // '\n', '\'', '\u{…}'
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            '\'' if c.get(i + 2) == Some(&'\'') => i += 3,
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level modules a piece of code names through `crate::` (also inside
/// `use crate::{a::x, b}`).
fn crate_uses(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        if i > 0 && code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue; // e.g. `$crate::` or `other_crate::`
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let name = ident(&group[j..]);
                        if !name.is_empty() && name != "self" {
                            found.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// Whether the code names an outside crate (`ratatui::`, `use ratatui`).
fn uses_crate(code: &str, krate: &str) -> bool {
    code.match_indices(krate).any(|(i, _)| {
        let before_ok = i == 0
            || !code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        let after = &code[i + krate.len()..];
        before_ok && (after.starts_with("::") || after.starts_with(';'))
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/ui/panels/health.rs` → `ui`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// Every use against the layer order: (file, module, what it uses).
fn violations(
    layers: &[Vec<String>],
    files: &BTreeMap<PathBuf, String>,
    src: &Path,
) -> Vec<String> {
    let rank: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |m| (m.as_str(), i)))
        .collect();
    let console = rank[FIRST_CONSOLE_LAYER];
    let mut found = Vec::new();
    for (path, text) in files {
        let Some(module) = module_of(src, path) else {
            continue;
        };
        let Some(&mine) = rank.get(module.as_str()) else {
            found.push(format!(
                "{}: module `{module}` is in no layer of docs/ARCHITECTURE.md",
                path.display()
            ));
            continue;
        };
        let code = without_comments(text);
        for used in crate_uses(&code) {
            if used == module {
                continue;
            }
            match rank.get(used.as_str()) {
                Some(&theirs) if theirs < mine => {}
                _ => found.push(format!(
                    "{}: `{module}` uses `crate::{used}`, which is not in a layer above it",
                    path.display()
                )),
            }
        }
        if mine < console {
            for krate in CONSOLE_CRATES {
                if uses_crate(&code, krate) {
                    found.push(format!(
                        "{}: `{module}` uses {krate}: only the console layers may",
                        path.display()
                    ));
                }
            }
        }
    }
    found
}

fn architecture() -> String {
    std::fs::read_to_string(Path::new(ROOT).join("docs/ARCHITECTURE.md")).unwrap()
}

#[test]
fn every_module_uses_only_the_layers_above_it() {
    let layers = layers(&architecture());
    let src = Path::new(ROOT).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let files: BTreeMap<PathBuf, String> = paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    assert!(files.len() > 50, "read {} files of src/", files.len());
    let found = violations(&layers, &files, &src);
    assert!(
        found.is_empty(),
        "uses against docs/ARCHITECTURE.md:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_module_of_the_library_is_in_a_layer_once() {
    let layers = layers(&architecture());
    let listed: Vec<&String> = layers.iter().flatten().collect();
    let unique: BTreeSet<&String> = listed.iter().copied().collect();
    assert_eq!(
        listed.len(),
        unique.len(),
        "a module in two layers: {listed:?}"
    );
    let lib = std::fs::read_to_string(Path::new(ROOT).join("src/lib.rs")).unwrap();
    let modules: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect();
    let listed: BTreeSet<String> = unique.into_iter().cloned().collect();
    assert_eq!(modules, listed, "src/lib.rs against docs/ARCHITECTURE.md");
}

/// The checker itself: a use upward, a use inside a group, a console crate low down, a comment
/// and a string that only mention a module.
#[test]
fn the_checker_finds_uses_against_the_layers() {
    let layers = vec![
        vec!["model".to_string()],
        vec!["fleet".to_string()],
        vec!["state".to_string()],
    ];
    let src = PathBuf::from("/x/src");
    let files: BTreeMap<PathBuf, String> = [
        ("model/mod.rs", "use crate::fleet::Fleet;"),
        ("fleet/mod.rs", "use crate::{model::A, state::{B, C}};\nuse ratatui::Frame;"),
        (
            "state/mod.rs",
            "// crate::cli is only in a comment\nuse crate::{fleet, model};\nconst S: &str = \"crate::nowhere\";",
        ),
    ]
    .into_iter()
    .map(|(p, t)| (src.join(p), t.to_string()))
    .collect();
    let found = violations(&layers, &files, &src);
    assert_eq!(
        found,
        vec![
            "/x/src/fleet/mod.rs: `fleet` uses `crate::state`, which is not in a layer above it",
            "/x/src/fleet/mod.rs: `fleet` uses ratatui: only the console layers may",
            "/x/src/model/mod.rs: `model` uses `crate::fleet`, which is not in a layer above it",
        ]
    );
}
