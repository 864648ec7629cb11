#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests.
//!
//! 1. Config parsing never panics and always points inside the file: arbitrary strings, strings
//!    of TOML-ish tokens, and mutations of every config fixture (characters and whole lines
//!    deleted, inserted, replaced, duplicated, swapped; truncation; unicode and control
//!    characters). `Config::parse` returns Ok (and then the config keeps every promise
//!    validation makes) or `ConfigError::Invalid` at a line and column that exist in the text,
//!    displayed as `x.toml:LINE:COLUMN: ...`.
//! 2. The AWS backend survives whatever the services answer: for each source kind, every API it
//!    calls is mocked (aws-smithy-mocks raw HTTP responses) with arbitrary status codes, headers
//!    and bodies: hand-written bodies of the right shape with arbitrary field values, mutated
//!    and truncated ones, modeled error bodies, random bytes and strings. The fetch must return
//!    Ok with the payload of its kind or Err naming the service, API and region (partial
//!    failures too); and the console must take the result (state update, JSON snapshot and
//!    check, a full render) without panicking.
//!
//! Two bugs these found are kept as tests with the inputs they shrank to:
//! `pipeline_approval_in_the_last_week_of_time_does_not_panic` and
//! `pagination_stops_when_a_token_repeats`.

#[path = "aws_mocks_support/mod.rs"]
mod aws_mocks_support;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use aws_mocks_support::{backend, mocked, now, unused_control, unused_region};
use aws_smithy_mocks::{RuleMode, mock};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{TestCaseError, TestRunner};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use switchyard::config::{Config, ConfigError, Mechanism, Thresholds};
use switchyard::fleet::Fleet;
use switchyard::report;
use switchyard::source::aws::{AwsBackend, ControlClients, RegionClients, Tally};
use switchyard::source::{Fetched, Payload, SourceError, SourceKey, SourceKind};
use switchyard::state::{Msg, State, update};
use switchyard::ui::{self, Theme};

/// Cases per config property: each parse takes microseconds.
const CONFIG_CASES: u32 = 256;
/// Cases per fetch property: each builds a dozen mocked SDK clients.
const FETCH_CASES: u32 = 64;

fn proptest_config(cases: u32) -> ProptestConfig {
    // A fixed seed, so CI runs the same cases every time; `SWITCHYARD_PROPTEST_SEED=N` explores
    // others (a failure prints the seed's shrunk input either way).
    let seed = std::env::var("SWITCHYARD_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5717_c4ad);
    ProptestConfig {
        cases,
        // Nothing written to disk; a failure prints its shrunk input instead.
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

// =============================================================================================
// 1. Config parsing
// =============================================================================================

/// Every config fixture (valid and invalid) and the example config, as (name, text).
fn fixtures() -> &'static [(String, String)] {
    static FIXTURES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths: Vec<PathBuf> = ["valid", "invalid"]
            .iter()
            .flat_map(|kind| {
                let dir = root.join("tests/fixtures/config").join(kind);
                fs::read_dir(&dir)
                    .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                    .map(|entry| entry.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
                    .collect::<Vec<_>>()
            })
            .collect();
        paths.sort();
        paths.push(root.join("assets/switchyard.example.toml"));
        let fixtures: Vec<(String, String)> = paths
            .into_iter()
            .map(|p| {
                let text =
                    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                let name = p.strip_prefix(root).unwrap_or(&p).display().to_string();
                (name, text)
            })
            .collect();
        assert!(fixtures.len() > 10, "config fixtures missing");
        fixtures
    })
}

fn valid_fixtures() -> Vec<(String, String)> {
    fixtures()
        .iter()
        .filter(|(name, _)| !name.contains("/invalid/"))
        .cloned()
        .collect()
}

/// Characters that matter to TOML, control characters, and awkward unicode.
fn odd_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => select(vec![
            '[', ']', '=', '"', '\'', '{', '}', '#', '.', ',', '\n', '\r', '\t', ' ', '\\', '-',
            '_', '+', ':', '0', '1', 'e', 'a', 'Z',
        ]),
        2 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        1 => Just('\u{7f}'),
        2 => select(vec![
            'é', 'ß', 'İ', '中', '😀', '\u{0301}', '\u{200b}', '\u{200e}', '\u{2028}', '\u{feff}',
            '\u{fffd}', '\u{10ffff}', '\u{85}', '\u{a0}',
        ]),
        2 => any::<char>(),
    ]
}

/// Lines a config could plausibly contain, right or wrong.
const TOML_LINES: &[&str] = &[
    "[[service]]",
    "[service]",
    "[aws]",
    "[refresh]",
    "[thresholds]",
    "[service.artifacts]",
    "[service.pipeline]",
    "[service.failover]",
    "[service.health_checks]",
    "[service.failover.routing_controls]",
    "[[service.artifacts]]",
    "[aws.profile]",
    "read_only = true",
    "read_only = \"yes\"",
    "name = \"x\"",
    "name = \"\"",
    "name = \"sample\"",
    "domain = \"a/b\"",
    "domain = \"a b\"",
    "hosted_zone_id = \" \"",
    "regions = []",
    "regions = [\"us-east-1\", \"us-east-1\"]",
    "regions = [\"moon-1\"]",
    "regions = [\"us-isob-east-1\", \"us-gov-west-1\"]",
    "regions = \"us-east-1\"",
    "functions = [1]",
    "functions = [\"\", \"a\", \"a\"]",
    "latest = -1",
    "latest = 0",
    "latest = 9223372036854775807",
    "latest = 1.5",
    "health = \"0s\"",
    "health = 15",
    "health = \"99999999999999999999h\"",
    "pipeline = \"1 fortnight\"",
    "replication_lag_warn = \"1h\"",
    "replication_lag_crit = \"1s\"",
    "error_rate_warn_pct = nan",
    "error_rate_crit_pct = inf",
    "error_rate_warn_pct = -0.0",
    "error_rate_warn_pct = 1e400",
    "error_rate_crit_pct = 100",
    "aws_secret_access_key = \"x\"",
    "Password = \"x\"",
    "session-token = \"x\"",
    "mechanism = \"arc\"",
    "mechanism = \"ARC\"",
    "cluster_endpoints = [\"https://\"]",
    "cluster_endpoints = [\"https://a\", \"https://a\"]",
    "routing_controls = { \"us-east-1\" = \"arn:x\" }",
    "\"us-east-1\" = \"hc\"",
    "\"eu-west-1\" = \"\"",
    "bucket = \"{region}{nope}\"",
    "bucket = \"b\"",
    "regional_hostname = \"{domain}\"",
    "regional_hostname = \"{region\"",
    "source_region = \"eu-west-9\"",
    "approval_action = \" \"",
    "profile = \"\"",
    "endpoint_url = \"ftp://x\"",
    "control_region = \"us-gov-west-1\"",
    "health_checks = {}",
    "service = { name = \"x\" }",
    "service = []",
    "service = [1]",
    "aws = 1",
    "a.b.c = 1",
    "x = 1979-05-27T07:32:00Z",
    "x = \"\"\"",
    "x = '''",
    "\"\" = 1",
    "= 1",
    "x = ",
    "x = [",
    "x = {",
    "x = \"\\u0000\"",
    "x = \"\\uD800\"",
    "x = \"\\x\"",
    "x = 0x_1",
    "x = 1__0",
    "#",
    "",
];

fn toml_line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(TOML_LINES).prop_map(String::from),
        2 => "[a-z_.]{1,14} = \"[a-z0-9{}./ -]{0,14}\"",
        1 => "\\PC{0,30}",
        1 => vec(odd_char(), 0..24).prop_map(|cs| cs.into_iter().collect()),
    ]
}

/// Pieces of TOML syntax for strings that look more like TOML than `any::<String>()`.
const TOML_TOKENS: &[&str] = &[
    "[[service]]\n",
    "[aws]\n",
    "[refresh]\n",
    "[thresholds]\n",
    "[service.artifacts]\n",
    "[service.pipeline]\n",
    "[service.failover]\n",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    " = ",
    ",",
    ".",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "#",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "\\",
    "\\u",
    "name",
    "domain",
    "hosted_zone_id",
    "regions",
    "functions",
    "health_checks",
    "artifacts",
    "pipeline",
    "failover",
    "bucket",
    "latest",
    "mechanism",
    "read_only",
    "control_region",
    "health",
    "error_rate_warn_pct",
    "password",
    "service",
    "aws",
    "\"us-east-1\"",
    "\"x.example.com\"",
    "\"Z1\"",
    "\"fn\"",
    "\"15s\"",
    "\"0s\"",
    "\"arc\"",
    "\"{region}\"",
    "true",
    "1",
    "-1",
    "1.5",
    "nan",
    "inf",
    "1979-05-27",
    "07:32:00",
    "0x1F",
    "\u{0}",
    "\u{7f}",
    "é",
    "😀",
    "\u{feff}",
    "\u{2028}",
];

/// One edit of a text: characters or whole lines.
#[derive(Debug, Clone)]
enum Edit {
    DeleteChar(Index),
    DeleteChars(Index, usize),
    InsertChar(Index, char),
    ReplaceChar(Index, char),
    DeleteLine(Index),
    InsertLine(Index, String),
    ReplaceLine(Index, String),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    Truncate(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => any::<Index>().prop_map(Edit::DeleteChar),
        1 => (any::<Index>(), 1usize..40).prop_map(|(i, n)| Edit::DeleteChars(i, n)),
        3 => (any::<Index>(), odd_char()).prop_map(|(i, c)| Edit::InsertChar(i, c)),
        3 => (any::<Index>(), odd_char()).prop_map(|(i, c)| Edit::ReplaceChar(i, c)),
        2 => any::<Index>().prop_map(Edit::DeleteLine),
        2 => (any::<Index>(), toml_line()).prop_map(|(i, l)| Edit::InsertLine(i, l)),
        2 => (any::<Index>(), toml_line()).prop_map(|(i, l)| Edit::ReplaceLine(i, l)),
        2 => any::<Index>().prop_map(Edit::DuplicateLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        1 => any::<Index>().prop_map(Edit::Truncate),
    ]
}

/// Whole-line edits only, with lines that are mostly valid TOML: more of these get past the
/// TOML parser and exercise validation (and the promises of an accepted config).
fn line_edit() -> impl Strategy<Value = Edit> {
    let line = select(TOML_LINES).prop_map(String::from);
    prop_oneof![
        2 => any::<Index>().prop_map(Edit::DeleteLine),
        3 => (any::<Index>(), line.clone()).prop_map(|(i, l)| Edit::InsertLine(i, l)),
        3 => (any::<Index>(), line).prop_map(|(i, l)| Edit::ReplaceLine(i, l)),
        2 => any::<Index>().prop_map(Edit::DuplicateLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let mut lines: Vec<String> = chars
            .iter()
            .collect::<String>()
            .split_inclusive('\n')
            .map(String::from)
            .collect();
        let line_edit = |lines: &mut Vec<String>| -> bool {
            match edit {
                Edit::DeleteLine(i) if !lines.is_empty() => {
                    lines.remove(i.index(lines.len()));
                }
                Edit::InsertLine(i, line) => {
                    let at = i.index(lines.len() + 1);
                    lines.insert(at, format!("{line}\n"));
                }
                Edit::ReplaceLine(i, line) if !lines.is_empty() => {
                    let at = i.index(lines.len());
                    lines[at] = format!("{line}\n");
                }
                Edit::DuplicateLine(i) if !lines.is_empty() => {
                    let at = i.index(lines.len());
                    let copy = lines[at].clone();
                    let copy = if copy.ends_with('\n') {
                        copy
                    } else {
                        format!("{copy}\n")
                    };
                    lines.insert(at, copy);
                }
                Edit::SwapLines(a, b) if !lines.is_empty() => {
                    let (a, b) = (a.index(lines.len()), b.index(lines.len()));
                    lines.swap(a, b);
                }
                _ => return false,
            }
            true
        };
        if line_edit(&mut lines) {
            chars = lines.concat().chars().collect();
            continue;
        }
        match edit {
            Edit::DeleteChar(i) if !chars.is_empty() => {
                chars.remove(i.index(chars.len()));
            }
            Edit::DeleteChars(i, n) if !chars.is_empty() => {
                let at = i.index(chars.len());
                let end = (at + n).min(chars.len());
                chars.drain(at..end);
            }
            Edit::InsertChar(i, c) => {
                let at = i.index(chars.len() + 1);
                chars.insert(at, *c);
            }
            Edit::ReplaceChar(i, c) if !chars.is_empty() => {
                let at = i.index(chars.len());
                chars[at] = *c;
            }
            Edit::Truncate(i) => {
                let at = i.index(chars.len() + 1);
                chars.truncate(at);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// A fixture and the edits made to it; Debug shows the edited text (what a failure needs).
#[derive(Clone)]
struct Mutated {
    fixture: String,
    edits: Vec<Edit>,
    text: String,
}

impl fmt::Debug for Mutated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} with {:?}, giving text {:?}",
            self.fixture, self.edits, self.text
        )
    }
}

fn mutated(seeds: Vec<(String, String)>, edits: std::ops::Range<usize>) -> BoxedStrategy<Mutated> {
    mutated_by(seeds, edit().boxed(), edits)
}

fn mutated_by(
    seeds: Vec<(String, String)>,
    edit: BoxedStrategy<Edit>,
    edits: std::ops::Range<usize>,
) -> BoxedStrategy<Mutated> {
    (select(seeds), vec(edit, edits))
        .prop_map(|((fixture, original), edits)| {
            let text = apply_edits(&original, &edits);
            Mutated {
                fixture,
                edits,
                text,
            }
        })
        .boxed()
}

fn is_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let letters = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [country, area, number] => {
            country.len() == 2 && letters(country) && letters(area) && digits(number)
        }
        [country, special, area, number] => {
            country.len() == 2
                && letters(country)
                && (*special == "gov"
                    || special
                        .strip_prefix("iso")
                        .is_some_and(|r| r.is_empty() || letters(r)))
                && letters(area)
                && digits(number)
        }
        _ => false,
    }
}

/// What a loaded config promises the rest of the program (`src/config/validate.rs`).
fn check_loaded(config: &Config, text: &str) -> Result<(), TestCaseError> {
    let why = || format!("accepted:\n{text}\n=> {config:#?}");
    prop_assert!(!config.services.is_empty(), "no services: {}", why());
    prop_assert!(is_region(&config.aws.control_region), "{}", why());
    if let Some(profile) = &config.aws.profile {
        prop_assert!(!profile.trim().is_empty(), "{}", why());
    }
    if let Some(url) = &config.aws.endpoint_url {
        prop_assert!(
            url.starts_with("http://") || url.starts_with("https://"),
            "{}",
            why()
        );
    }
    let r = &config.refresh;
    for d in [r.health, r.lambda, r.replication, r.domains, r.pipeline] {
        prop_assert!(!d.is_zero(), "zero refresh: {}", why());
    }
    let t = &config.thresholds;
    prop_assert!(
        (0.0..=100.0).contains(&t.error_rate_warn_pct)
            && (0.0..=100.0).contains(&t.error_rate_crit_pct)
            && t.error_rate_warn_pct <= t.error_rate_crit_pct,
        "error rate thresholds: {}",
        why()
    );
    prop_assert!(
        !t.replication_lag_warn.is_zero() && t.replication_lag_warn <= t.replication_lag_crit,
        "lag thresholds: {}",
        why()
    );
    let mut names = std::collections::BTreeSet::new();
    for s in &config.services {
        prop_assert!(
            !s.name.trim().is_empty() && names.insert(s.name.clone()),
            "name: {}",
            why()
        );
        prop_assert!(
            !s.domain.trim().is_empty() && !s.domain.contains('/'),
            "domain: {}",
            why()
        );
        prop_assert!(!s.hosted_zone_id.trim().is_empty(), "zone: {}", why());
        prop_assert!(!s.regions.is_empty(), "regions: {}", why());
        let regions: std::collections::BTreeSet<&String> = s.regions.iter().collect();
        prop_assert_eq!(
            regions.len(),
            s.regions.len(),
            "duplicate region: {}",
            why()
        );
        prop_assert!(
            s.regions.iter().all(|r| is_region(r)),
            "region name: {}",
            why()
        );
        prop_assert!(
            s.regional_hostname.contains("{region}"),
            "hostname: {}",
            why()
        );
        let functions: std::collections::BTreeSet<&String> = s.functions.iter().collect();
        prop_assert_eq!(
            functions.len(),
            s.functions.len(),
            "duplicate function: {}",
            why()
        );
        prop_assert!(
            s.functions.iter().all(|f| !f.trim().is_empty()),
            "function: {}",
            why()
        );
        for (region, id) in &s.health_checks {
            prop_assert!(
                regions.contains(region) && !id.trim().is_empty(),
                "health check: {}",
                why()
            );
        }
        if let Some(a) = &s.artifacts {
            prop_assert!(
                !a.bucket.trim().is_empty() && a.latest >= 1,
                "artifacts: {}",
                why()
            );
            prop_assert!(
                regions.contains(&a.source_region),
                "source region: {}",
                why()
            );
            prop_assert!(
                s.regions.len() == 1 || a.bucket.contains("{region}"),
                "bucket: {}",
                why()
            );
        }
        if let Some(p) = &s.pipeline {
            prop_assert!(
                !p.name.trim().is_empty() && regions.contains(&p.region),
                "pipeline: {}",
                why()
            );
            if let Some(action) = &p.approval_action {
                prop_assert!(!action.trim().is_empty(), "approval action: {}", why());
            }
        }
        let f = &s.failover;
        match f.mechanism {
            Mechanism::Arc => {
                prop_assert!(!f.cluster_endpoints.is_empty(), "arc endpoints: {}", why());
                prop_assert!(
                    f.cluster_endpoints
                        .iter()
                        .all(|e| e.starts_with("https://")),
                    "arc endpoint: {}",
                    why()
                );
                prop_assert!(
                    s.regions.iter().all(|r| f.routing_controls.contains_key(r))
                        && f.routing_controls.keys().all(|r| regions.contains(r)),
                    "arc routing controls: {}",
                    why()
                );
            }
            Mechanism::InvertHealthCheck => prop_assert!(
                f.cluster_endpoints.is_empty() && f.routing_controls.is_empty(),
                "arc keys without arc: {}",
                why()
            ),
        }
    }
    Ok(())
}

/// The property: Ok (keeping its promises) or Invalid at a place inside `text`.
fn parses_or_points_inside(text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("x.toml");
    let result = Config::parse(text, path);
    match &result {
        Ok(config) => check_loaded(config, text)?,
        Err(
            error @ ConfigError::Invalid {
                line,
                column,
                message,
                ..
            },
        ) => {
            let (line, column) = (*line, *column);
            let lines = text.lines().count();
            prop_assert!(
                (1..=lines + 1).contains(&line),
                "line {line} outside 1..={} for {text:?}: {error}",
                lines + 1
            );
            prop_assert!(column >= 1, "column 0 for {text:?}: {error}");
            // The column is a character position on that line, or just past its end.
            let on_line = text.split('\n').nth(line - 1).unwrap_or("").chars().count();
            prop_assert!(
                column <= on_line + 1,
                "column {column} past the end of line {line} ({on_line} characters) for {text:?}: {error}"
            );
            prop_assert!(!message.trim().is_empty(), "empty message for {text:?}");
            let shown = error.to_string();
            prop_assert!(
                shown.starts_with(&format!("x.toml:{line}:{column}: ")),
                "display {shown:?} for {text:?}"
            );
        }
        Err(other) => prop_assert!(false, "not ConfigError::Invalid: {other} for {text:?}"),
    }
    // Parsing is a function of the text.
    let again = Config::parse(text, path);
    prop_assert_eq!(
        format!("{result:?}"),
        format!("{again:?}"),
        "two parses of {:?} differ",
        text
    );
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(CONFIG_CASES))]

    /// (a) Arbitrary unicode strings.
    #[test]
    fn config_arbitrary_strings(text in any::<String>()) {
        parses_or_points_inside(&text)?;
    }

    /// (a) Strings made of TOML syntax and this config's key names, so that more of them get
    /// past the TOML parser into deserialization and validation.
    #[test]
    fn config_toml_token_soup(tokens in vec(select(TOML_TOKENS), 0..60)) {
        parses_or_points_inside(&tokens.concat())?;
    }

    /// (b) A few edits of a valid fixture: mostly still TOML, often still valid, so this
    /// reaches validation and checks what an accepted config promises.
    #[test]
    fn config_valid_fixtures_lightly_mutated(m in mutated(valid_fixtures(), 1..4)) {
        parses_or_points_inside(&m.text)?;
    }

    /// (b) Whole lines of a valid fixture deleted, inserted, replaced, duplicated or swapped.
    #[test]
    fn config_valid_fixtures_line_edits(m in mutated_by(valid_fixtures(), line_edit().boxed(), 1..4)) {
        parses_or_points_inside(&m.text)?;
    }

    /// (b) Many edits of any fixture (valid, invalid, the example).
    #[test]
    fn config_fixtures_heavily_mutated(m in mutated(fixtures().to_vec(), 1..24)) {
        parses_or_points_inside(&m.text)?;
    }
}

/// Every fixture as written, and each truncated at every character: never a panic, never a
/// position outside the text.
#[test]
fn config_every_prefix_of_every_fixture() {
    for (name, text) in fixtures() {
        let boundaries = text.char_indices().map(|(i, _)| i).chain([text.len()]);
        for end in boundaries {
            let prefix = &text[..end];
            if let Err(e) = parses_or_points_inside(prefix) {
                panic!("{name} cut at byte {end}: {e}");
            }
        }
    }
}

/// Deep nesting: the TOML parser limits bracket depth, but dotted keys nest tables without
/// brackets. Run on a thread with the main thread's usual 8 MiB stack, as the binary loads its
/// config on the main thread.
#[test]
fn config_deep_nesting_does_not_overflow_the_stack() {
    let inputs: Vec<(&str, String)> = vec![
        (
            "arrays",
            format!("x = {}{}", "[".repeat(5000), "]".repeat(5000)),
        ),
        (
            "inline tables",
            format!("x = {}{}", "{ a = ".repeat(5000), "}".repeat(5000)),
        ),
        ("dotted key", format!("{} = 1", vec!["a"; 5000].join("."))),
        (
            "dotted header",
            format!("[{}]\n", vec!["a"; 5000].join(".")),
        ),
        (
            "dotted service key",
            format!("[[service]]\n{} = 1\n", vec!["a"; 5000].join(".")),
        ),
        (
            "dotted credential",
            format!("{}.password = 1", vec!["a"; 5000].join(".")),
        ),
    ];
    for (what, text) in inputs {
        let outcome = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || parses_or_points_inside(&text).map_err(|e| e.to_string()))
            .unwrap()
            .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("{what}: {e}"),
            Err(_) => panic!("{what}: panicked"),
        }
    }
}

// =============================================================================================
// 2. AWS responses
// =============================================================================================

/// One raw HTTP response. Debug shows the body as (lossy) text.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Headers,
    body: Vec<u8>,
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HTTP {} {:?} {:?}",
            self.status,
            self.headers,
            String::from_utf8_lossy(&self.body)
        )
    }
}

impl Reply {
    fn http(&self) -> HttpResponse {
        let status = StatusCode::try_from(self.status).unwrap();
        let mut response = HttpResponse::new(status, SdkBody::from(self.body.clone()));
        for (name, value) in &self.headers {
            // A value `http` rejects (control characters) is simply not sent.
            let _ = response
                .headers_mut()
                .try_append(name.clone(), value.clone());
        }
        response
    }
}

/// The wire protocols the sources speak, for error bodies and content types.
#[derive(Debug, Clone, Copy)]
enum Proto {
    /// Route 53: REST-XML, errors in `<ErrorResponse><Error>`.
    Route53Xml,
    /// S3: REST-XML, errors in `<Error>`.
    S3Xml,
    /// API Gateway v1/v2 and Lambda: REST-JSON, error code in `x-amzn-errortype` or `__type`.
    RestJson,
    /// CodePipeline: AWS JSON 1.1.
    AwsJson,
    /// CloudWatch: Smithy RPC v2 CBOR.
    Cbor,
}

impl Proto {
    fn content_type(self) -> &'static str {
        match self {
            Proto::Route53Xml | Proto::S3Xml => "application/xml",
            Proto::RestJson => "application/json",
            Proto::AwsJson => "application/x-amz-json-1.1",
            Proto::Cbor => "application/cbor",
        }
    }
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        10 => Just(200u16),
        6 => select(vec![400u16, 403, 404, 429, 500, 503]),
        1 => select(vec![201u16, 204, 206, 301, 304, 409, 413]),
        2 => 100u16..=599,
    ]
}

const ERROR_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "PriorRequestNotComplete",
    "SlowDown",
    "AccessDenied",
    "AccessDeniedException",
    "Forbidden",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchHealthCheck",
    "NoSuchHostedZone",
    "InvalidInput",
    "NotFoundException",
    "BadRequestException",
    "ResourceNotFoundException",
    "PipelineNotFoundException",
    "PipelineExecutionNotFoundException",
    "ValidationException",
    "ReplicationConfigurationNotFoundError",
    "InvalidNextToken",
    "InternalFailure",
    "InternalServiceError",
    "ServiceUnavailable",
    "ServiceException",
    "com.amazon.coral.availability#ThrottlingException",
    "aws.protocoltests#Weird:http://internal.amazon.com/coral/x/",
    "#",
    ":",
    "",
];

fn error_code() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(ERROR_CODES).prop_map(String::from),
        1 => "[A-Za-z#:.]{0,24}",
        1 => "\\PC{0,12}",
    ]
}

fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("Rate exceeded".to_string()),
        2 => "[a-zA-Z ,.]{0,40}",
        1 => "\\PC{0,20}",
        1 => select(vec!["<", "&", "\"", "\\", "]]>", "&#0;", "\\u0000", "\\ud800"]).prop_map(String::from),
    ]
}

/// Header names and values, in order.
type Headers = Vec<(String, String)>;

/// A modeled error body in the protocol's shape, with the headers that go with it.
fn error_body(proto: Proto) -> BoxedStrategy<(Vec<u8>, Headers)> {
    (error_code(), message(), any::<bool>())
        .prop_map(move |(code, message, in_header)| {
            let mut headers = Vec::new();
            let body = match proto {
                Proto::Route53Xml => format!(
                    "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"
                )
                .into_bytes(),
                Proto::S3Xml => format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>req-1</RequestId><HostId>host</HostId></Error>"
                )
                .into_bytes(),
                Proto::RestJson if in_header => {
                    headers.push(("x-amzn-errortype".to_string(), code));
                    format!("{{\"message\":\"{message}\"}}").into_bytes()
                }
                Proto::RestJson | Proto::AwsJson => {
                    format!("{{\"__type\":\"{code}\",\"message\":\"{message}\"}}").into_bytes()
                }
                Proto::Cbor => {
                    if in_header {
                        headers.push(("x-amzn-query-error".to_string(), format!("{code};Sender")));
                    }
                    encode(&Cbor::Map(vec![
                        ("__type".into(), Cbor::Text(code)),
                        ("message".into(), Cbor::Text(message)),
                    ]))
                }
            };
            (body, headers)
        })
        .boxed()
}

/// One edit of a body's bytes.
#[derive(Debug, Clone)]
enum ByteEdit {
    Delete(Index),
    DeleteSpan(Index, usize),
    Insert(Index, u8),
    InsertText(Index, String),
    Replace(Index, u8),
    Duplicate(Index, usize),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    let text = select(vec![
        "<",
        ">",
        "</",
        "/>",
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "&",
        "&amp;",
        "<![CDATA[",
        "null",
        "true",
        "-",
        "e",
        "\\",
        "\\u",
        "\u{0}",
        "é",
        "😀",
        "\u{feff}",
    ])
    .prop_map(String::from);
    prop_oneof![
        3 => any::<Index>().prop_map(ByteEdit::Delete),
        1 => (any::<Index>(), 1usize..32).prop_map(|(i, n)| ByteEdit::DeleteSpan(i, n)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        2 => (any::<Index>(), text).prop_map(|(i, t)| ByteEdit::InsertText(i, t)),
        3 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Replace(i, b)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| ByteEdit::Duplicate(i, n)),
    ]
}

fn edit_bytes(mut body: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for edit in edits {
        let len = body.len();
        match edit {
            ByteEdit::Delete(i) if len > 0 => {
                body.remove(i.index(len));
            }
            ByteEdit::DeleteSpan(i, n) if len > 0 => {
                let at = i.index(len);
                body.drain(at..(at + n).min(len));
            }
            ByteEdit::Insert(i, b) => body.insert(i.index(len + 1), *b),
            ByteEdit::InsertText(i, t) => {
                let at = i.index(len + 1);
                body.splice(at..at, t.bytes());
            }
            ByteEdit::Replace(i, b) if len > 0 => {
                let at = i.index(len);
                body[at] = *b;
            }
            ByteEdit::Duplicate(i, n) if len > 0 => {
                let at = i.index(len);
                let piece = body[at..(at + n).min(len)].to_vec();
                body.splice(at..at, piece);
            }
            _ => {}
        }
    }
    body
}

/// A response for one API. Three in five are clean (status 200, a body of the right shape with
/// arbitrary values) so that fetches get past their first call and on to the next; some are
/// such bodies mutated or truncated; the rest are any status with a body of any kind (of the
/// right shape, mutated, truncated, a modeled error, random bytes, a random string, nothing).
fn reply(proto: Proto, valid: BoxedStrategy<Vec<u8>>) -> BoxedStrategy<Reply> {
    let damaged = prop_oneof![
        5 => (valid.clone(), vec(byte_edit(), 1..6)).prop_map(|(b, e)| edit_bytes(b, &e)),
        1 => (valid.clone(), any::<Index>()).prop_map(|(b, i)| {
            let cut = i.index(b.len() + 1);
            b[..cut].to_vec()
        }),
    ];
    let body = prop_oneof![
        3 => valid.clone().prop_map(|b| (b, Vec::new())),
        3 => damaged.clone().prop_map(|b| (b, Vec::new())),
        4 => error_body(proto),
        1 => vec(any::<u8>(), 0..96).prop_map(|b| (b, Vec::new())),
        1 => any::<String>().prop_map(|s| (s.into_bytes(), Vec::new())),
        1 => Just((Vec::new(), Vec::new())),
    ];
    let extra_header = prop_oneof![
        Just(("x-amzn-requestid".to_string(), "req-1".to_string())),
        Just(("x-amz-request-id".to_string(), "req-1".to_string())),
        ("content-type", "\\PC{0,16}").prop_map(|(n, v)| (n.to_string(), v)),
        ("x-amzn-errortype", error_code()).prop_map(|(n, v)| (n.to_string(), v)),
        ("content-length", "[0-9]{0,4}|-1|x").prop_map(|(n, v)| (n.to_string(), v)),
        ("[a-z-]{1,12}", "\\PC{0,12}"),
    ];
    let content_type = move || vec![("content-type".to_string(), proto.content_type().to_string())];
    prop_oneof![
        12 => valid.prop_map(move |body| Reply { status: 200, headers: content_type(), body }),
        3 => damaged.prop_map(move |body| Reply { status: 200, headers: content_type(), body }),
        5 => (status(), body, any::<bool>(), vec(extra_header, 0..3)).prop_map(
            move |(status, (body, mut headers), typed, extra)| {
                if typed {
                    headers.extend(content_type());
                }
                headers.extend(extra);
                Reply { status, headers, body }
            }
        ),
    ]
    .boxed()
}

// --- Template bodies ------------------------------------------------------------------------

/// Values for the placeholders of a template body: `{s}` a string, `{n}` a number, `{t}` an
/// epoch-seconds timestamp (JSON), `{d}` an ISO 8601 date-time, `{b}` a boolean. The k-th
/// placeholder of a kind takes the k-th value of its list (cycling).
#[derive(Debug, Clone)]
struct Fill {
    s: Vec<String>,
    n: Vec<String>,
    t: Vec<String>,
    d: Vec<String>,
    b: Vec<String>,
}

/// Names that make the code go further: this test's config, its records and targets.
const NAMES: &[&str] = &[
    "api.example.com.",
    "api.example.com",
    "API.Example.com.",
    "web.example.com",
    "us-east-1.api.example.com",
    "us-west-2.api.example.com.",
    "web-us-east-1.example.com",
    "d-abc.execute-api.us-east-1.amazonaws.com.",
    "d-xyz.execute-api.us-west-2.amazonaws.com",
    "hc-east",
    "hc-west",
    "hc-web",
    "PRIMARY",
    "SECONDARY",
    "A",
    "CNAME",
    "us-east-1",
    "us-west-2",
    "Success: HTTP Status Code 200, OK",
    "Failure: Connection timed out",
    "InProgress",
    "Succeeded",
    "Failed",
    "Approve",
    "ManualApproval",
    "api-fn",
    "web-fn",
    "builds/a.zip",
    "v-a",
    "null",
    "PENDING",
    "COMPLETED",
    "Enabled",
    "Disabled",
    "arn:aws:s3:::api-artifacts-us-west-2",
    "arn:aws:s3:::",
    ":::",
    "(none)",
    "e1",
    "tok-1",
    "",
];

const NOW_SECS: i64 = 1_793_620_800; // 2026-11-10T12:00:00Z, `aws_mocks_support::now()`
/// The first and last seconds chrono can hold (`DateTime::<Utc>::MIN_UTC` / `MAX_UTC`).
const CHRONO_MIN_SECS: i64 = -8_334_601_228_800;
const CHRONO_MAX_SECS: i64 = 8_210_266_876_799;
const TWO_WEEKS_SECS: i64 = 14 * 86_400;

/// Epoch seconds within two weeks of either end of chrono's range: SDK timestamps that convert
/// to a chrono time but leave no room for date arithmetic.
fn near_the_ends_of_time() -> impl Strategy<Value = i64> {
    prop_oneof![
        (0..TWO_WEEKS_SECS).prop_map(|d| CHRONO_MAX_SECS - d),
        (0..TWO_WEEKS_SECS).prop_map(|d| CHRONO_MIN_SECS + d),
    ]
}

/// Placeholder values: mostly well typed (so that the body parses and the code gets to use the
/// values, extreme ones included), sometimes anything (so that it does not).
fn fill() -> impl Strategy<Value = Fill> {
    prop_oneof![5 => typed_fill(), 1 => wild_fill()]
}

fn minutes_ago_iso(m: i64) -> String {
    chrono::DateTime::from_timestamp(NOW_SECS - m * 60, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn typed_fill() -> impl Strategy<Value = Fill> {
    let s = prop_oneof![
        8 => select(NAMES).prop_map(String::from),
        3 => "[A-Za-z0-9._:/ -]{0,16}",
        1 => "[a-zé中😀İ]{0,5}",
    ];
    let n = prop_oneof![
        10 => (0i64..100_000).prop_map(|n| n.to_string()),
        1 => select(vec!["-1", "0", "2147483647", "9223372036854775807", "-9223372036854775808"])
            .prop_map(String::from),
    ];
    let t = prop_oneof![
        8 => (0i64..120).prop_map(|m| (NOW_SECS - m * 60).to_string()),
        1 => (0i64..120).prop_map(|m| format!("{}.{m}", NOW_SECS - m * 60)),
        2 => near_the_ends_of_time().prop_map(|t| t.to_string()),
        1 => select(vec!["0", "-1", "1e20", "-1e20", "1.7e308", "8210266876800", "-8334601228801"])
            .prop_map(String::from),
    ];
    let d = prop_oneof![
        10 => (0i64..120).prop_map(minutes_ago_iso),
        2 => select(vec![
            "1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
            "2026-11-10T12:00:00.123456789Z", "2026-11-10T13:00:00Z",
        ])
        .prop_map(String::from),
    ];
    let b = select(vec!["true", "false"]).prop_map(String::from);
    (
        vec(s, 1..6),
        vec(n, 1..4),
        vec(t, 1..4),
        vec(d, 1..4),
        vec(b, 1..4),
    )
        .prop_map(|(s, n, t, d, b)| Fill { s, n, t, d, b })
}

fn wild_fill() -> impl Strategy<Value = Fill> {
    let s = prop_oneof![
        4 => select(NAMES).prop_map(String::from),
        2 => "\\PC{0,8}",
        2 => select(vec!["<", "&", "\"", "\\", "]]>", "&lt;", "&#0;", "&#xD800;", "\\u0000", "\\ud800", "\u{0}"])
            .prop_map(String::from),
    ];
    let n = prop_oneof![
        2 => (0i64..100_000).prop_map(|n| n.to_string()),
        2 => select(vec![
            "-0", "18446744073709551616", "99999999999999999999999", "1e308", "-1e308", "1e999",
            "1.5", "NaN", "Infinity", "", "1e", "0x10", "+1", "01",
        ])
        .prop_map(String::from),
        1 => any::<i64>().prop_map(|n| n.to_string()),
    ];
    let t = prop_oneof![
        2 => (0i64..120).prop_map(|m| (NOW_SECS - m * 60).to_string()),
        2 => select(vec![
            "8210266876799.5", "9223372036854775807", "-9223372036854775808",
            "\"2026-11-10T12:00:00Z\"", "null", "\"\"", "true", "[]",
        ])
        .prop_map(String::from),
        1 => any::<f64>().prop_map(|v| format!("{v:?}")),
    ];
    let d = prop_oneof![
        2 => (0i64..120).prop_map(minutes_ago_iso),
        3 => select(vec![
            "0000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-10T25:00:00Z",
            "2026-11-10T12:00:60Z", "2026-11-10 12:00:00", "2026-11-10T12:00:00+01:00",
            "2026-11-10T12:00:00", "+262143-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
            "99999-01-01T00:00:00Z", "", "x", "1793620800",
        ])
        .prop_map(String::from),
    ];
    let b = select(vec![
        "true", "false", "True", "FALSE", "1", "0", "yes", "", "null", "\"true\"",
    ])
    .prop_map(String::from);
    (
        vec(s, 1..6),
        vec(n, 1..4),
        vec(t, 1..4),
        vec(d, 1..4),
        vec(b, 1..4),
    )
        .prop_map(|(s, n, t, d, b)| Fill { s, n, t, d, b })
}

fn fill_template(template: &str, fill: &Fill) -> Vec<u8> {
    let lists = [&fill.s, &fill.n, &fill.t, &fill.d, &fill.b];
    let mut used = [0usize; 5];
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match ["{s}", "{n}", "{t}", "{d}", "{b}"]
            .iter()
            .position(|p| tail.starts_with(p))
        {
            Some(k) => {
                let list = lists[k];
                out.push_str(&list[used[k] % list.len()]);
                used[k] += 1;
                rest = &tail[3..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out.into_bytes()
}

fn templated(templates: &'static [&'static str]) -> BoxedStrategy<Vec<u8>> {
    (select(templates), fill())
        .prop_map(|(template, fill)| fill_template(template, &fill))
        .boxed()
}

/// ListResourceRecordSets. No NextRecordName: a page that names the next one would be served
/// again and again by the mock (see `pagination_*` below).
const LIST_RECORDS: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets>
<ResourceRecordSet><Name>api.example.com.</Name><Type>A</Type><SetIdentifier>east</SetIdentifier><Failover>PRIMARY</Failover><AliasTarget><HostedZoneId>Z1UJRXOUMOOFQ8</HostedZoneId><DNSName>d-abc.execute-api.us-east-1.amazonaws.com.</DNSName><EvaluateTargetHealth>{b}</EvaluateTargetHealth></AliasTarget><HealthCheckId>hc-east</HealthCheckId></ResourceRecordSet>
<ResourceRecordSet><Name>{s}</Name><Type>{s}</Type><SetIdentifier>{s}</SetIdentifier><Failover>{s}</Failover><TTL>{n}</TTL><ResourceRecords><ResourceRecord><Value>{s}</Value></ResourceRecord></ResourceRecords><HealthCheckId>{s}</HealthCheckId></ResourceRecordSet>
<ResourceRecordSet><Name>{s}</Name><Type>A</Type><Failover>{s}</Failover><AliasTarget><HostedZoneId>Z2</HostedZoneId><DNSName>{s}</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget><HealthCheckId>{s}</HealthCheckId></ResourceRecordSet>
<ResourceRecordSet><Name>us-east-1.api.example.com.</Name><Type>CNAME</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>d-abc.execute-api.us-east-1.amazonaws.com</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
</ResourceRecordSets><IsTruncated>{b}</IsTruncated><MaxItems>{n}</MaxItems></ListResourceRecordSetsResponse>"#,
    r#"<?xml version="1.0" encoding="UTF-8"?>
<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#,
    r#"<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>{s}</Name><Type>{s}</Type><ResourceRecords/></ResourceRecordSet><ResourceRecordSet><Name>{s}</Name></ResourceRecordSet></ResourceRecordSets><IsTruncated>{b}</IsTruncated></ListResourceRecordSetsResponse>"#,
];

const GET_HEALTH_CHECK: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<GetHealthCheckResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HealthCheck><Id>{s}</Id><CallerReference>{s}</CallerReference><HealthCheckConfig><Port>{n}</Port><Type>HTTPS</Type><ResourcePath>/health</ResourcePath><FullyQualifiedDomainName>{s}</FullyQualifiedDomainName><RequestInterval>{n}</RequestInterval><FailureThreshold>{n}</FailureThreshold><Inverted>{b}</Inverted><Disabled>{b}</Disabled></HealthCheckConfig><HealthCheckVersion>{n}</HealthCheckVersion></HealthCheck></GetHealthCheckResponse>"#,
    r#"<GetHealthCheckResponse><HealthCheck><Id>{s}</Id></HealthCheck></GetHealthCheckResponse>"#,
    r#"<GetHealthCheckResponse/>"#,
];

const GET_HEALTH_CHECK_STATUS: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<GetHealthCheckStatusResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HealthCheckObservations>
<HealthCheckObservation><Region>us-east-1</Region><IPAddress>15.177.2.1</IPAddress><StatusReport><Status>Success: HTTP Status Code 200, OK</Status><CheckedTime>{d}</CheckedTime></StatusReport></HealthCheckObservation>
<HealthCheckObservation><Region>{s}</Region><IPAddress>{s}</IPAddress><StatusReport><Status>{s}</Status><CheckedTime>{d}</CheckedTime></StatusReport></HealthCheckObservation>
<HealthCheckObservation><Region>eu-west-1</Region><StatusReport><Status>{s}</Status></StatusReport></HealthCheckObservation>
<HealthCheckObservation/>
</HealthCheckObservations></GetHealthCheckStatusResponse>"#,
    r#"<GetHealthCheckStatusResponse><HealthCheckObservations/></GetHealthCheckStatusResponse>"#,
];

const S3_LIST_VERSIONS: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>api-artifacts-us-east-1</Name><Prefix>builds/</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>{b}</IsTruncated>
<Version><Key>builds/a.zip</Key><VersionId>v-a</VersionId><IsLatest>true</IsLatest><LastModified>{d}</LastModified><ETag>&quot;ea&quot;</ETag><Size>{n}</Size><StorageClass>STANDARD</StorageClass></Version>
<Version><Key>{s}</Key><VersionId>{s}</VersionId><IsLatest>{b}</IsLatest><LastModified>{d}</LastModified><ETag>{s}</ETag><Size>{n}</Size><StorageClass>STANDARD</StorageClass></Version>
<Version><Key>builds/b.zip</Key><VersionId>{s}</VersionId><LastModified>{d}</LastModified></Version>
<DeleteMarker><Key>builds/old.zip</Key><VersionId>dm</VersionId><IsLatest>true</IsLatest><LastModified>{d}</LastModified></DeleteMarker>
<NextKeyMarker>{s}</NextKeyMarker><NextVersionIdMarker>{s}</NextVersionIdMarker></ListVersionsResult>"#,
    r#"<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>{s}</Key><VersionId>{s}</VersionId><LastModified>{d}</LastModified><Size>{n}</Size></Version></ListVersionsResult>"#,
    r#"<ListVersionsResult/>"#,
];

const S3_GET_REPLICATION: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>arn:aws:iam::111122223333:role/replication</Role>
<Rule><ID>to-west</ID><Status>Enabled</Status><Priority>1</Priority><Filter><Prefix>builds/</Prefix></Filter><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication><Destination><Bucket>arn:aws:s3:::api-artifacts-us-west-2</Bucket><ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime><Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics></Destination></Rule>
<Rule><ID>{s}</ID><Status>{s}</Status><Priority>{n}</Priority><Destination><Bucket>{s}</Bucket><Metrics><Status>{s}</Status></Metrics></Destination></Rule>
<Rule><Status>Enabled</Status><Destination><Bucket>{s}</Bucket></Destination></Rule>
</ReplicationConfiguration>"#,
    r#"<ReplicationConfiguration><Role>r</Role></ReplicationConfiguration>"#,
];

const APIGW_V1_DOMAINS: &[&str] = &[
    r#"{"item":[{"domainName":"api.example.com","regionalDomainName":"d-abc.execute-api.us-east-1.amazonaws.com","regionalHostedZoneId":"Z1UJRXOUMOOFQ8","endpointConfiguration":{"types":["REGIONAL"]},"domainNameStatus":"AVAILABLE","certificateUploadDate":{t}},{"domainName":"{s}","regionalDomainName":"{s}","certificateUploadDate":{t}},{"domainName":"us-east-1.api.example.com","regionalDomainName":"{s}"},{"domainName":null}]}"#,
    r#"{"item":[]}"#,
    r#"{}"#,
    r#"{"item":[{"domainName":"{s}","distributionDomainName":"{s}","endpointConfiguration":{"types":["{s}"]},"tags":{"{s}":"{s}"}}]}"#,
];

const APIGW_V1_MAPPINGS: &[&str] = &[
    r#"{"item":[{"basePath":"(none)","restApiId":"abc123","stage":"prod"},{"basePath":"{s}","restApiId":"{s}","stage":"{s}"},{}]}"#,
    r#"{"item":[]}"#,
];

const APIGW_V2_DOMAINS: &[&str] = &[
    r#"{"items":[{"domainName":"web.example.com","domainNameConfigurations":[{"apiGatewayDomainName":"d-xyz.execute-api.us-east-1.amazonaws.com","endpointType":"REGIONAL","hostedZoneId":"Z2","certificateUploadDate":"{d}","domainNameStatus":"AVAILABLE"}]},{"domainName":"{s}","domainNameConfigurations":[{"apiGatewayDomainName":"{s}"},{}]},{"domainName":"web-us-east-1.example.com","domainNameConfigurations":[]}]}"#,
    r#"{"items":[]}"#,
    r#"{"items":[{"domainName":"{s}","apiMappingSelectionExpression":"{s}","tags":{"{s}":"{s}"}}]}"#,
];

const APIGW_V2_MAPPINGS: &[&str] = &[
    r#"{"items":[{"apiId":"a1","apiMappingId":"m1","apiMappingKey":"","stage":"$default"},{"apiId":"{s}","apiMappingId":"{s}","apiMappingKey":"{s}","stage":"{s}"}]}"#,
    r#"{"items":[]}"#,
];

const LAMBDA_CONFIGURATION: &[&str] = &[
    r#"{"FunctionName":"api-fn","FunctionArn":"arn:aws:lambda:us-east-1:111122223333:function:api-fn","Runtime":"provided.al2023","CodeSha256":"{s}","CodeSize":{n},"MemorySize":{n},"Timeout":{n},"LastModified":"{d}","State":"{s}","Version":"$LATEST","Architectures":["arm64"],"Environment":{"Variables":{"{s}":"{s}"}}}"#,
    r#"{"FunctionName":"{s}","MemorySize":{n}}"#,
    r#"{}"#,
];

const PIPELINE_STATE: &[&str] = &[
    r#"{"pipelineName":"api-deploy","pipelineVersion":{n},"created":{t},"updated":{t},"stageStates":[
{"stageName":"Source","inboundTransitionState":{"enabled":true},"latestExecution":{"pipelineExecutionId":"e1","status":"Succeeded"},"actionStates":[{"actionName":"Source","currentRevision":{"revisionId":"{s}"},"latestExecution":{"status":"Succeeded","lastStatusChange":{t},"externalExecutionId":"abc"}}]},
{"stageName":"{s}","latestExecution":{"pipelineExecutionId":"{s}","status":"{s}"},"actionStates":[{"actionName":"{s}","latestExecution":{"status":"{s}","token":"{s}","lastStatusChange":{t}}}]},
{"stageName":"Approve","latestExecution":{"pipelineExecutionId":"e1","status":"InProgress"},"actionStates":[{"actionName":"Approve","latestExecution":{"actionExecutionId":"x","status":"InProgress","token":"tok-1","lastStatusChange":{t}}}]}
]}"#,
    r#"{"pipelineName":"{s}","stageStates":[]}"#,
    r#"{"stageStates":[{"actionStates":[{"latestExecution":{"status":"InProgress","token":"{s}"}}]},{}]}"#,
];

const PIPELINE_EXECUTION: &[&str] = &[
    r#"{"pipelineExecution":{"pipelineName":"api-deploy","pipelineVersion":1,"pipelineExecutionId":"e1","status":"{s}","artifactRevisions":[{"name":"SourceArtifact","revisionId":"{s}","revisionSummary":"{s}","created":{t}},{"name":"{s}"},{}]}}"#,
    r#"{"pipelineExecution":{}}"#,
    r#"{}"#,
];

// --- CloudWatch GetMetricData (Smithy RPC v2 CBOR) ------------------------------------------

/// Enough CBOR (RFC 8949) to write GetMetricData answers.
#[derive(Debug, Clone)]
enum Cbor {
    Int(i64),
    F64(f64),
    Text(String),
    Array(Vec<Cbor>),
    Map(Vec<(String, Cbor)>),
    /// Tag 1: epoch-seconds date-time.
    Time(Box<Cbor>),
    Null,
}

fn cbor_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let major = major << 5;
    if n < 24 {
        out.push(major | n as u8);
    } else if n <= 0xff {
        out.push(major | 24);
        out.push(n as u8);
    } else if n <= 0xffff {
        out.push(major | 25);
        out.extend((n as u16).to_be_bytes());
    } else if n <= 0xffff_ffff {
        out.push(major | 26);
        out.extend((n as u32).to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend(n.to_be_bytes());
    }
}

fn encode_into(out: &mut Vec<u8>, value: &Cbor) {
    match value {
        Cbor::Int(n) if *n >= 0 => cbor_head(out, 0, *n as u64),
        Cbor::Int(n) => cbor_head(out, 1, (-1 - *n) as u64),
        Cbor::F64(v) => {
            out.push(0xfb);
            out.extend(v.to_be_bytes());
        }
        Cbor::Text(s) => {
            cbor_head(out, 3, s.len() as u64);
            out.extend(s.as_bytes());
        }
        Cbor::Array(items) => {
            cbor_head(out, 4, items.len() as u64);
            for item in items {
                encode_into(out, item);
            }
        }
        Cbor::Map(pairs) => {
            cbor_head(out, 5, pairs.len() as u64);
            for (key, item) in pairs {
                encode_into(out, &Cbor::Text(key.clone()));
                encode_into(out, item);
            }
        }
        Cbor::Time(inner) => {
            cbor_head(out, 6, 1);
            encode_into(out, inner);
        }
        Cbor::Null => out.push(0xf6),
    }
}

fn encode(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(&mut out, value);
    out
}

/// Query IDs the sources ask for (Route 53 health, Lambda, S3 replication) and a few others.
const METRIC_IDS: &[&str] = &[
    "s0", "p0", "s1", "p1", "s2", "p2", "f0_inv", "f0_err", "f0_thr", "f0_p99", "f0_avg", "f0_con",
    "f1_inv", "f1_err", "f1_p99", "f1_avg", "f2_inv", "f2_con", "r0_lat", "r0_ops", "r0_bytes",
    "r0_fail", "r1_lat", "x", "",
];

/// A GetMetricData answer of the right shape with arbitrary points: timestamps near now or
/// anywhere (including past what chrono can hold), values including NaN and infinities, and
/// timestamp and value lists of different lengths. Never a NextToken (see `pagination_*`).
fn metric_data_body() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![4 => metric_data(true), 1 => metric_data(false)].boxed()
}

/// `well_typed`: every timestamp a tagged epoch-seconds number and every value a double (any
/// double, anywhere in time); else also strings, untagged numbers, integers and nulls.
fn metric_data(well_typed: bool) -> BoxedStrategy<Vec<u8>> {
    let time = |v: Cbor| Cbor::Time(Box::new(v));
    let ill = u32::from(!well_typed);
    let timestamp = prop_oneof![
        16 => (0i64..90).prop_map(move |m| time(Cbor::Int(NOW_SECS - m * 60))),
        2 => (0i64..90).prop_map(move |m| time(Cbor::F64((NOW_SECS - m * 60) as f64 + 0.5))),
        1 => any::<i64>().prop_map(move |v| time(Cbor::Int(v))),
        1 => any::<f64>().prop_map(move |v| time(Cbor::F64(v))),
        2 => near_the_ends_of_time().prop_map(move |v| time(Cbor::Int(v))),
        1 => select(vec![CHRONO_MAX_SECS + 1, CHRONO_MIN_SECS - 1, 0, -1])
            .prop_map(move |v| time(Cbor::Int(v))),
        ill => Just(Cbor::Text("2026-11-10T12:00:00Z".into())),
        ill => Just(Cbor::Int(NOW_SECS)),
    ];
    let value = prop_oneof![
        16 => (0.0f64..1000.0).prop_map(Cbor::F64),
        2 => any::<f64>().prop_map(Cbor::F64),
        3 => select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, f64::MAX, f64::MIN, 1e19, -1.0])
            .prop_map(Cbor::F64),
        ill => any::<i64>().prop_map(Cbor::Int),
        ill => Just(Cbor::Null),
    ];
    let result = (
        select(METRIC_IDS),
        vec(timestamp, 0..6),
        vec(value, 0..6),
        select(vec![
            "Complete",
            "PartialData",
            "InternalError",
            "Forbidden",
            "",
        ]),
        any::<bool>(),
    )
        .prop_map(|(id, timestamps, values, code, messages)| {
            let mut pairs = vec![
                ("Id".to_string(), Cbor::Text(id.to_string())),
                ("Label".to_string(), Cbor::Text(id.to_string())),
                ("Timestamps".to_string(), Cbor::Array(timestamps)),
                ("Values".to_string(), Cbor::Array(values)),
                ("StatusCode".to_string(), Cbor::Text(code.to_string())),
            ];
            if messages {
                pairs.push((
                    "Messages".to_string(),
                    Cbor::Array(vec![Cbor::Map(vec![
                        (
                            "Code".to_string(),
                            Cbor::Text("MaxQueryTimeRangeExceed".into()),
                        ),
                        ("Value".to_string(), Cbor::Text("x".into())),
                    ])]),
                ));
            }
            Cbor::Map(pairs)
        });
    vec(result, 0..10)
        .prop_map(|results| {
            encode(&Cbor::Map(vec![
                ("MetricDataResults".to_string(), Cbor::Array(results)),
                ("Messages".to_string(), Cbor::Array(Vec::new())),
            ]))
        })
        .boxed()
}

/// HeadObject: no body, everything in headers; any of them garbled.
fn head_object_reply() -> BoxedStrategy<Reply> {
    let http_date = prop_oneof![
        Just("Tue, 10 Nov 2026 11:55:00 GMT".to_string()),
        Just("Mon, 01 Jan 0001 00:00:00 GMT".to_string()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_string()),
        "\\PC{0,24}",
    ];
    let header = prop_oneof![
        3 => select(vec!["PENDING", "COMPLETED", "COMPLETE", "FAILED", "REPLICA", "pending", "", "X"])
            .prop_map(|v| ("x-amz-replication-status".to_string(), v.to_string())),
        2 => (0i64..100_000_000).prop_map(|n| ("content-length".to_string(), n.to_string())),
        1 => "[-0-9a-z.]{0,24}".prop_map(|v| ("content-length".to_string(), v)),
        1 => http_date.clone().prop_map(|v| ("last-modified".to_string(), v)),
        1 => http_date.prop_map(|v| ("expires".to_string(), v)),
        1 => "[-0-9a-zA-Z\"]{0,24}".prop_map(|v| ("etag".to_string(), v)),
        1 => "\\PC{0,16}".prop_map(|v| ("x-amz-version-id".to_string(), v)),
        1 => select(vec!["true", "false", "yes", ""]).prop_map(|v| ("x-amz-delete-marker".to_string(), v.to_string())),
        1 => "[-0-9x]{0,24}".prop_map(|v| ("x-amz-mp-parts-count".to_string(), v)),
        1 => "[-0-9x]{0,24}".prop_map(|v| ("x-amz-missing-meta".to_string(), v)),
        1 => "\\PC{0,24}".prop_map(|v| ("x-amz-object-lock-retain-until-date".to_string(), v)),
        1 => "\\PC{0,24}".prop_map(|v| ("x-amz-expiration".to_string(), v)),
        1 => "\\PC{0,24}".prop_map(|v| ("x-amz-restore".to_string(), v)),
        1 => "\\PC{0,24}".prop_map(|v| ("x-amz-checksum-crc32".to_string(), v)),
        1 => ("[a-z]{0,8}", "\\PC{0,16}").prop_map(|(k, v)| (format!("x-amz-meta-{k}"), v)),
        1 => ("[a-z-]{1,20}", "\\PC{0,16}"),
    ];
    let body = prop_oneof![
        6 => Just(Vec::new()),
        1 => error_body(Proto::S3Xml).prop_map(|(b, _)| b),
        1 => vec(any::<u8>(), 0..32),
    ];
    (status(), vec(header, 0..8), body)
        .prop_map(|(status, headers, body)| Reply {
            status,
            headers,
            body,
        })
        .boxed()
}

// --- The backend under test -----------------------------------------------------------------

/// Two services in two regions, one finding its health checks from the failover records and
/// one configured with them; both with pipelines in us-east-1; one with artifacts (source
/// us-east-1, so HeadObject and GetBucketReplication run there).
const CONFIG: &str = r#"
[[service]]
name = "web"
domain = "web.example.com"
hosted_zone_id = "ZWEB"
regions = ["us-east-1"]
regional_hostname = "web-{region}.example.com"
functions = ["web-fn"]
health_checks = { "us-east-1" = "hc-web" }

[service.pipeline]
name = "web-deploy"
approval_action = "Approve"

[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn", "api-worker"]

[service.artifacts]
bucket = "api-artifacts-{region}"
prefix = "builds/"
latest = 3

[service.pipeline]
name = "api-deploy"
"#;

const CONTROL_REGION: &str = "us-east-1";

/// A rule answering every call of `$op` with `$reply`.
macro_rules! answers {
    ($op:path, $reply:expr) => {{
        let reply: Reply = $reply.clone();
        mock!($op).then_http_response(move || reply.http())
    }};
}

/// The region named in a message for a call to `service`: Route 53 (and the health source's
/// CloudWatch) live in the control region.
fn where_(kind: SourceKind, service: &str, api: &str, region: &str) -> String {
    let region = match (kind, service) {
        (_, "Route 53") | (SourceKind::Health, "CloudWatch") => CONTROL_REGION,
        _ => region,
    };
    format!("{service} {api} in {region}")
}

/// (service, API) as messages name them.
type Call = (&'static str, &'static str);

/// What a fetch must come back with: the payload of its kind, or an error naming one of the
/// calls that can fail it; a partial failure names any call of the kind.
fn check_outcome(
    kind: SourceKind,
    region: &str,
    tally: &Tally,
    result: &Result<Payload, SourceError>,
) -> Result<(), TestCaseError> {
    // The calls whose failure fails the fetch, and every call the fetch makes.
    let (fatal, all): (&[Call], &[Call]) = match kind {
        SourceKind::Health => (
            &[
                ("Route 53", "ListResourceRecordSets"),
                ("Route 53", "GetHealthCheck"),
            ],
            &[
                ("Route 53", "ListResourceRecordSets"),
                ("Route 53", "GetHealthCheck"),
                ("Route 53", "GetHealthCheckStatus"),
                ("CloudWatch", "GetMetricData"),
            ],
        ),
        // Lambda fails only when none of its calls succeeded, naming one of them.
        SourceKind::Lambda => (
            &[
                ("Lambda", "GetFunctionConfiguration"),
                ("CloudWatch", "GetMetricData"),
            ],
            &[
                ("Lambda", "GetFunctionConfiguration"),
                ("CloudWatch", "GetMetricData"),
            ],
        ),
        SourceKind::Domains => (
            &[
                ("API Gateway", "GetDomainNames"),
                ("API Gateway", "GetBasePathMappings"),
                ("Route 53", "ListResourceRecordSets"),
            ],
            &[
                ("API Gateway", "GetDomainNames"),
                ("API Gateway", "GetBasePathMappings"),
                ("API Gateway", "GetDomainNames (v2)"),
                ("API Gateway", "GetApiMappings"),
                ("Route 53", "ListResourceRecordSets"),
            ],
        ),
        SourceKind::Replication => (
            &[("S3", "ListObjectVersions")],
            &[
                ("S3", "ListObjectVersions"),
                ("S3", "HeadObject"),
                ("S3", "GetBucketReplication"),
                ("CloudWatch", "GetMetricData"),
            ],
        ),
        SourceKind::Pipeline => (
            &[("CodePipeline", "GetPipelineState")],
            &[
                ("CodePipeline", "GetPipelineState"),
                ("CodePipeline", "GetPipelineExecution"),
            ],
        ),
    };
    let names = |message: &str, calls: &[Call]| {
        calls
            .iter()
            .any(|(service, api)| message.contains(&where_(kind, service, api, region)))
    };
    match result {
        Ok(payload) => prop_assert!(
            matches!(
                (kind, payload),
                (SourceKind::Health, Payload::Health(_))
                    | (SourceKind::Lambda, Payload::Lambda(_))
                    | (SourceKind::Domains, Payload::Domains(_))
                    | (SourceKind::Replication, Payload::Replication(..))
                    | (SourceKind::Pipeline, Payload::Pipeline(_))
            ),
            "{kind:?} fetch returned {payload:?}"
        ),
        Err(e) => prop_assert!(
            names(&e.message, fatal),
            "{kind:?} error does not name the service, API and region: {:?}",
            e.message
        ),
    }
    if let Some(p) = &tally.partial {
        prop_assert!(
            names(&p.message, all) || p.message.starts_with("no health check for "),
            "{kind:?} partial error does not name the service, API and region: {:?}",
            p.message
        );
    }
    Ok(())
}

/// Run a fetch property with one runtime per test and `block_on` per case. `build` gives the
/// backend and the region to fetch, or `None` to skip a case (a known bug, see its caller).
fn fetch_property<T: fmt::Debug + Clone>(
    strategy: impl Strategy<Value = T>,
    kind: SourceKind,
    build: impl Fn(&T) -> Option<(AwsBackend, String)>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut runner = TestRunner::new(proptest_config(FETCH_CASES));
    let seen = std::cell::RefCell::new(Outcomes::default());
    let result = runner.run(&strategy, |input| {
        let Some((backend, region)) = build(&input) else {
            return Err(TestCaseError::reject("known bug"));
        };
        let (tally, result) =
            runtime.block_on(backend.fetch(&SourceKey::new(kind, region.as_str()), now()));
        seen.borrow_mut().add(&tally, &result);
        check_outcome(kind, &region, &tally, &result)?;
        consume(
            &backend,
            &SourceKey::new(kind, region.as_str()),
            tally,
            result,
        )
    });
    // Shown with --nocapture: how far the generated responses got.
    eprintln!("{kind:?}: {:?}", seen.borrow());
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// What the console does with a fetch: the state update, the JSON snapshot and check, and a
/// full render at two sizes. None of it may panic on what the services sent.
fn consume(
    b: &AwsBackend,
    key: &SourceKey,
    tally: Tally,
    result: Result<Payload, SourceError>,
) -> Result<(), TestCaseError> {
    let fleet = Fleet::new(b.services(), &b.schedule(), Thresholds::default());
    let mut state = State::new("aws".into(), fleet);
    let fetched = Fetched {
        key: key.clone(),
        at: now(),
        calls: tally.calls,
        route53_calls: tally.route53_calls,
        result,
        partial: tally.partial,
    };
    update(&mut state, Msg::Fetched(Box::new(fetched)), now());
    let snapshot = serde_json::to_string(&report::snapshot(&state.fleet, now()));
    prop_assert!(snapshot.is_ok(), "snapshot JSON: {snapshot:?}");
    let check = serde_json::to_string(&report::check(&state.fleet, None, now()));
    prop_assert!(check.is_ok(), "check JSON: {check:?}");
    for (width, height) in [(160, 48), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| ui::render(frame, &state, &Theme::color(), now()))
            .unwrap();
    }
    Ok(())
}

/// How the cases of a fetch property came out.
#[derive(Debug, Default)]
struct Outcomes {
    ok: u32,
    ok_partial: u32,
    err: u32,
    most_calls: u32,
    calls_seen: std::collections::BTreeMap<u32, u32>,
}

impl Outcomes {
    fn add(&mut self, tally: &Tally, result: &Result<Payload, SourceError>) {
        match (result, &tally.partial) {
            (Ok(_), None) => self.ok += 1,
            (Ok(_), Some(_)) => self.ok_partial += 1,
            (Err(_), _) => self.err += 1,
        }
        self.most_calls = self.most_calls.max(tally.calls);
        *self.calls_seen.entry(tally.calls).or_default() += 1;
    }
}

fn region() -> impl Strategy<Value = String> {
    select(vec!["us-east-1", "us-west-2"]).prop_map(String::from)
}

#[derive(Debug, Clone)]
struct HealthInput {
    list_records: Reply,
    get_health_check: Reply,
    get_health_check_status: Reply,
    get_metric_data: Reply,
}

#[test]
fn health_fetch_survives_any_response() {
    let strategy = (
        reply(Proto::Route53Xml, templated(LIST_RECORDS)),
        reply(Proto::Route53Xml, templated(GET_HEALTH_CHECK)),
        reply(Proto::Route53Xml, templated(GET_HEALTH_CHECK_STATUS)),
        reply(Proto::Cbor, metric_data_body()),
    )
        .prop_map(|(a, b, c, d)| HealthInput {
            list_records: a,
            get_health_check: b,
            get_health_check_status: c,
            get_metric_data: d,
        });
    fetch_property(strategy, SourceKind::Health, |input| {
        let records = answers!(
            aws_sdk_route53::Client::list_resource_record_sets,
            input.list_records
        );
        let check = answers!(
            aws_sdk_route53::Client::get_health_check,
            input.get_health_check
        );
        let status = answers!(
            aws_sdk_route53::Client::get_health_check_status,
            input.get_health_check_status
        );
        let metrics = answers!(
            aws_sdk_cloudwatch::Client::get_metric_data,
            input.get_metric_data
        );
        let control = ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&records, &check, &status]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        };
        let b = backend(
            CONFIG,
            control,
            vec![
                ("us-east-1", unused_region()),
                ("us-west-2", unused_region()),
            ],
        );
        Some((b, CONTROL_REGION.to_string()))
    });
}

#[derive(Debug, Clone)]
struct LambdaInput {
    region: String,
    configuration: Reply,
    get_metric_data: Reply,
}

#[test]
fn lambda_fetch_survives_any_response() {
    let strategy = (
        region(),
        reply(Proto::RestJson, templated(LAMBDA_CONFIGURATION)),
        reply(Proto::Cbor, metric_data_body()),
    )
        .prop_map(|(region, configuration, get_metric_data)| LambdaInput {
            region,
            configuration,
            get_metric_data,
        });
    fetch_property(strategy, SourceKind::Lambda, |input| {
        let configuration = answers!(
            aws_sdk_lambda::Client::get_function_configuration,
            input.configuration
        );
        let metrics = answers!(
            aws_sdk_cloudwatch::Client::get_metric_data,
            input.get_metric_data
        );
        let regional = || RegionClients {
            lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configuration]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_region()
        };
        let b = backend(
            CONFIG,
            unused_control(),
            vec![("us-east-1", regional()), ("us-west-2", regional())],
        );
        Some((b, input.region.clone()))
    });
}

#[derive(Debug, Clone)]
struct DomainsInput {
    region: String,
    v1_domains: Reply,
    v1_mappings: Reply,
    v2_domains: Reply,
    v2_mappings: Reply,
    list_records: Reply,
}

#[test]
fn domains_fetch_survives_any_response() {
    let strategy = (
        region(),
        reply(Proto::RestJson, templated(APIGW_V1_DOMAINS)),
        reply(Proto::RestJson, templated(APIGW_V1_MAPPINGS)),
        reply(Proto::RestJson, templated(APIGW_V2_DOMAINS)),
        reply(Proto::RestJson, templated(APIGW_V2_MAPPINGS)),
        reply(Proto::Route53Xml, templated(LIST_RECORDS)),
    )
        .prop_map(|(region, a, b, c, d, e)| DomainsInput {
            region,
            v1_domains: a,
            v1_mappings: b,
            v2_domains: c,
            v2_mappings: d,
            list_records: e,
        });
    fetch_property(strategy, SourceKind::Domains, |input| {
        let v1_domains = answers!(
            aws_sdk_apigateway::Client::get_domain_names,
            input.v1_domains
        );
        let v1_mappings = answers!(
            aws_sdk_apigateway::Client::get_base_path_mappings,
            input.v1_mappings
        );
        let v2_domains = answers!(
            aws_sdk_apigatewayv2::Client::get_domain_names,
            input.v2_domains
        );
        let v2_mappings = answers!(
            aws_sdk_apigatewayv2::Client::get_api_mappings,
            input.v2_mappings
        );
        let records = answers!(
            aws_sdk_route53::Client::list_resource_record_sets,
            input.list_records
        );
        let regional = || RegionClients {
            apigateway: mocked!(
                aws_sdk_apigateway,
                RuleMode::MatchAny,
                [&v1_domains, &v1_mappings]
            ),
            apigatewayv2: mocked!(
                aws_sdk_apigatewayv2,
                RuleMode::MatchAny,
                [&v2_domains, &v2_mappings]
            ),
            ..unused_region()
        };
        let control = ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
            ..unused_control()
        };
        let b = backend(
            CONFIG,
            control,
            vec![("us-east-1", regional()), ("us-west-2", regional())],
        );
        Some((b, input.region.clone()))
    });
}

#[derive(Debug, Clone)]
struct ReplicationInput {
    region: String,
    list_versions: Reply,
    head_object: Reply,
    get_replication: Reply,
    get_metric_data: Reply,
}

#[test]
fn replication_fetch_survives_any_response() {
    let strategy = (
        region(),
        reply(Proto::S3Xml, templated(S3_LIST_VERSIONS)),
        head_object_reply(),
        reply(Proto::S3Xml, templated(S3_GET_REPLICATION)),
        reply(Proto::Cbor, metric_data_body()),
    )
        .prop_map(|(region, a, b, c, d)| ReplicationInput {
            region,
            list_versions: a,
            head_object: b,
            get_replication: c,
            get_metric_data: d,
        });
    fetch_property(strategy, SourceKind::Replication, |input| {
        let list = answers!(
            aws_sdk_s3::Client::list_object_versions,
            input.list_versions
        );
        let head = answers!(aws_sdk_s3::Client::head_object, input.head_object);
        let replication = answers!(
            aws_sdk_s3::Client::get_bucket_replication,
            input.get_replication
        );
        let metrics = answers!(
            aws_sdk_cloudwatch::Client::get_metric_data,
            input.get_metric_data
        );
        let regional = || RegionClients {
            s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&list, &head, &replication]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_region()
        };
        let b = backend(
            CONFIG,
            unused_control(),
            vec![("us-east-1", regional()), ("us-west-2", regional())],
        );
        Some((b, input.region.clone()))
    });
}

#[derive(Debug, Clone)]
struct PipelineInput {
    state: Reply,
    execution: Reply,
}

#[test]
fn pipeline_fetch_survives_any_response() {
    let strategy = (
        reply(Proto::AwsJson, templated(PIPELINE_STATE)),
        reply(Proto::AwsJson, templated(PIPELINE_EXECUTION)),
    )
        .prop_map(|(state, execution)| PipelineInput { state, execution });
    fetch_property(strategy, SourceKind::Pipeline, |input| {
        let state = answers!(
            aws_sdk_codepipeline::Client::get_pipeline_state,
            input.state
        );
        let execution = answers!(
            aws_sdk_codepipeline::Client::get_pipeline_execution,
            input.execution
        );
        let regional = || RegionClients {
            codepipeline: mocked!(
                aws_sdk_codepipeline,
                RuleMode::MatchAny,
                [&state, &execution]
            ),
            ..unused_region()
        };
        let b = backend(
            CONFIG,
            unused_control(),
            vec![("us-east-1", regional()), ("us-west-2", regional())],
        );
        Some((b, "us-east-1".to_string()))
    });
}

/// The input the pipeline property shrank to: an in-progress approval whose last status change
/// is chrono's last second.
#[test]
fn pipeline_approval_in_the_last_week_of_time_does_not_panic() {
    let state = Reply {
        status: 200,
        headers: Vec::new(),
        body: format!(
            r#"{{"stageStates":[{{"actionStates":[{{"latestExecution":{{"status":"InProgress","token":"t","lastStatusChange":{CHRONO_MAX_SECS}}}}}]}}]}}"#
        )
        .into_bytes(),
    };
    let state = answers!(aws_sdk_codepipeline::Client::get_pipeline_state, state);
    let b = backend(
        CONFIG,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                codepipeline: mocked!(aws_sdk_codepipeline, RuleMode::MatchAny, [&state]),
                ..unused_region()
            },
        )],
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_, result) =
        runtime.block_on(b.fetch(&SourceKey::new(SourceKind::Pipeline, "us-east-1"), now()));
    assert!(result.is_ok(), "{result:?}");
}

// =============================================================================================
// Pagination that does not end
// =============================================================================================

/// How often the mocks below repeat a page before giving a last one; a loop that follows a
/// repeated token makes this many calls instead of two.
const REPEATS: usize = 50;

fn ok_reply(proto: Proto, body: Vec<u8>) -> Reply {
    Reply {
        status: 200,
        headers: vec![("content-type".to_string(), proto.content_type().to_string())],
        body,
    }
}

/// A rule answering `$op` with `$page` `REPEATS` times, then with `$last`.
macro_rules! repeating {
    ($op:path, $page:expr, $last:expr) => {{
        let (page, last): (Reply, Reply) = ($page, $last);
        mock!($op)
            .sequence()
            .http_response(move || page.http())
            .times(REPEATS)
            .http_response(move || last.http())
            .build()
    }};
}

/// Every paginated loop in the sources, answered with a page whose pagination token is the one
/// it was asked with. The SDK's own paginators stop on a repeated token; each of these loops
/// should too (ask for the same page at most twice), rather than calling until the source's
/// 20-second timeout.
#[test]
fn pagination_stops_when_a_token_repeats() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fetch = |b: &AwsBackend, kind: SourceKind, region: &str| {
        runtime.block_on(b.fetch(&SourceKey::new(kind, region), now()))
    };
    let mut loops: Vec<(&str, usize)> = Vec::new();

    // Route 53 ListResourceRecordSets: IsTruncated with the same NextRecordName.
    let records = repeating!(
        aws_sdk_route53::Client::list_resource_record_sets,
        ok_reply(Proto::Route53Xml, br#"<ListResourceRecordSetsResponse><ResourceRecordSets/><IsTruncated>true</IsTruncated><NextRecordName>api.example.com.</NextRecordName><NextRecordType>A</NextRecordType><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#.to_vec()),
        ok_reply(Proto::Route53Xml, br#"<ListResourceRecordSetsResponse><ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#.to_vec())
    );
    let not_found = Reply {
        status: 404,
        headers: Vec::new(),
        body: Vec::new(),
    };
    let check = answers!(aws_sdk_route53::Client::get_health_check, not_found);
    let status = answers!(aws_sdk_route53::Client::get_health_check_status, not_found);
    let metrics = answers!(aws_sdk_cloudwatch::Client::get_metric_data, not_found);
    let control = ControlClients {
        route53: mocked!(
            aws_sdk_route53,
            RuleMode::MatchAny,
            [&records, &check, &status]
        ),
        cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
        ..unused_control()
    };
    let b = backend(
        CONFIG,
        control,
        vec![
            ("us-east-1", unused_region()),
            ("us-west-2", unused_region()),
        ],
    );
    let _ = fetch(&b, SourceKind::Health, CONTROL_REGION);
    loops.push((
        "Route 53 ListResourceRecordSets (NextRecordName)",
        records.num_calls(),
    ));

    // CloudWatch GetMetricData: the same NextToken (through the Lambda source).
    let cbor_page = |token: Option<&str>| {
        let mut pairs = vec![("MetricDataResults".to_string(), Cbor::Array(Vec::new()))];
        if let Some(token) = token {
            pairs.push(("NextToken".to_string(), Cbor::Text(token.to_string())));
        }
        ok_reply(Proto::Cbor, encode(&Cbor::Map(pairs)))
    };
    let metrics = repeating!(
        aws_sdk_cloudwatch::Client::get_metric_data,
        cbor_page(Some("t1")),
        cbor_page(None)
    );
    let configuration = answers!(
        aws_sdk_lambda::Client::get_function_configuration,
        ok_reply(Proto::RestJson, b"{}".to_vec())
    );
    let b = backend(
        CONFIG,
        unused_control(),
        vec![(
            "us-west-2",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configuration]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
                ..unused_region()
            },
        )],
    );
    let _ = fetch(&b, SourceKind::Lambda, "us-west-2");
    loops.push(("CloudWatch GetMetricData (NextToken)", metrics.num_calls()));

    // API Gateway: v1 domains and base path mappings (position), v2 domains and API mappings
    // (nextToken), each in turn repeating while the others answer one page.
    let json = |body: &str| ok_reply(Proto::RestJson, body.as_bytes().to_vec());
    let v1_domain = r#"{"item":[{"domainName":"api.example.com","regionalDomainName":"d-abc.execute-api.us-west-2.amazonaws.com"}]"#;
    let v2_domain = r#"{"items":[{"domainName":"api.example.com","domainNameConfigurations":[{"apiGatewayDomainName":"d-abc.execute-api.us-west-2.amazonaws.com"}]}]"#;
    let empty_records = ok_reply(
        Proto::Route53Xml,
        br#"<ListResourceRecordSetsResponse><ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#.to_vec(),
    );
    for (name, which) in [
        ("API Gateway GetDomainNames (position)", 0),
        ("API Gateway GetBasePathMappings (position)", 1),
        ("API Gateway GetDomainNames v2 (nextToken)", 2),
        ("API Gateway GetApiMappings (nextToken)", 3),
    ] {
        let page = |i: usize, first: &str, token: &str, last: &str| {
            if i == which {
                (
                    json(&format!("{first},{token}}}")),
                    json(&format!("{last}}}")),
                )
            } else {
                (json(&format!("{last}}}")), json(&format!("{last}}}")))
            }
        };
        let (a, a_last) = page(0, v1_domain, r#""position":"p1""#, v1_domain);
        let (b1, b1_last) = page(1, r#"{"item":[]"#, r#""position":"p1""#, r#"{"item":[]"#);
        let (c, c_last) = page(2, v2_domain, r#""nextToken":"t1""#, v2_domain);
        let (d, d_last) = page(3, r#"{"items":[]"#, r#""nextToken":"t1""#, r#"{"items":[]"#);
        let rules = [
            repeating!(aws_sdk_apigateway::Client::get_domain_names, a, a_last),
            repeating!(
                aws_sdk_apigateway::Client::get_base_path_mappings,
                b1,
                b1_last
            ),
            repeating!(aws_sdk_apigatewayv2::Client::get_domain_names, c, c_last),
            repeating!(aws_sdk_apigatewayv2::Client::get_api_mappings, d, d_last),
        ];
        let records = answers!(
            aws_sdk_route53::Client::list_resource_record_sets,
            empty_records
        );
        let b = backend(
            CONFIG,
            ControlClients {
                route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
                ..unused_control()
            },
            vec![(
                "us-west-2",
                RegionClients {
                    apigateway: mocked!(
                        aws_sdk_apigateway,
                        RuleMode::MatchAny,
                        [&rules[0], &rules[1]]
                    ),
                    apigatewayv2: mocked!(
                        aws_sdk_apigatewayv2,
                        RuleMode::MatchAny,
                        [&rules[2], &rules[3]]
                    ),
                    ..unused_region()
                },
            )],
        );
        let _ = fetch(&b, SourceKind::Domains, "us-west-2");
        loops.push((name, rules[which].num_calls()));
    }

    // S3 ListObjectVersions: the same markers; bounded at 10 pages, but each repeat adds the
    // same versions again.
    let versions = |truncated: bool| {
        ok_reply(
            Proto::S3Xml,
            format!(
                "<ListVersionsResult><IsTruncated>{truncated}</IsTruncated><NextKeyMarker>builds/a.zip</NextKeyMarker><NextVersionIdMarker>v-a</NextVersionIdMarker><Version><Key>builds/a.zip</Key><VersionId>v-a</VersionId><LastModified>2026-11-10T11:00:00.000Z</LastModified><Size>1</Size></Version></ListVersionsResult>"
            )
            .into_bytes(),
        )
    };
    let list = repeating!(
        aws_sdk_s3::Client::list_object_versions,
        versions(true),
        versions(false)
    );
    let b = backend(
        CONFIG,
        unused_control(),
        vec![(
            "us-west-2",
            RegionClients {
                s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&list]),
                ..unused_region()
            },
        )],
    );
    let (_, result) = fetch(&b, SourceKind::Replication, "us-west-2");
    loops.push(("S3 ListObjectVersions (NextKeyMarker)", list.num_calls()));
    if let Ok(Payload::Replication(entries, _)) = &result {
        let listed = entries.iter().map(|e| e.value.len()).sum::<usize>();
        loops.push((
            "S3 ListObjectVersions: copies of the one version listed",
            listed,
        ));
    }

    let endless: Vec<String> = loops
        .iter()
        .filter(|(_, calls)| *calls > 2)
        .map(|(name, calls)| format!("{name}: {calls}"))
        .collect();
    assert!(
        endless.is_empty(),
        "loops that kept following a repeated token (calls made, or copies listed):\n{}",
        endless.join("\n")
    );
}
