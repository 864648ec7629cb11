//! 1. Config parsing: arbitrary and mutated files load or point inside the file, never panic.

use super::*;

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
            Mechanism::InvertHealthCheck | Mechanism::PinUnhealthy => prop_assert!(
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
