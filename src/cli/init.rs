//! `switchyard init`: write a config from what the account holds (README, "Getting started on
//! AWS"), or with `--check` compare a config with it. Exit codes: 0 written / no difference;
//! 1 no service found or the config differs; 2 usage (a file in the way without `--force`);
//! 3 AWS could not be read.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{AwsConfig, Config};
use crate::init::{self, Ask, AwsSettings, Discovery, InitError, check::Comparison};
use crate::session::{Failure, exit};
use crate::source::aws::AwsInventory;
use crate::source::inventory::Inventory;
use crate::source::sim::SimInventory;
use crate::source::sim::scenario::Scenario;
use serde::Serialize;

/// What `init` was asked.
pub struct Args<'a> {
    pub ask: Ask,
    pub out: &'a Path,
    pub force: bool,
    pub json: bool,
    /// `--pin-health-checks`.
    pub pin: bool,
    pub aws: AwsSettings,
    /// The command line, for the written file's first line.
    pub command: String,
}

/// Where discovery reads: the simulation (`--sim`/`--scenario-file`) or AWS.
pub enum Account {
    Sim(Box<SimInventory>),
    Aws(Box<AwsInventory>),
}

impl Account {
    pub async fn open(
        sim: Option<&str>,
        scenario_file: Option<&Path>,
        aws: &AwsConfig,
    ) -> Result<Account, Failure> {
        let scenario = match (scenario_file, sim) {
            (Some(path), _) => Some(Scenario::from_file(path)),
            (None, Some(name)) => Some(Scenario::built_in(name)),
            (None, None) => None,
        };
        Ok(match scenario {
            Some(s) => Account::Sim(Box::new(SimInventory::new(
                s.map_err(|e| Failure::usage(e.to_string()))?,
            ))),
            None => Account::Aws(Box::new(AwsInventory::connect(aws).await)),
        })
    }

    async fn discover(&self, ask: &Ask) -> Result<Discovery, InitError> {
        match self {
            Account::Sim(i) => init::discover(i.as_ref(), ask).await,
            Account::Aws(i) => init::discover(i.as_ref(), ask).await,
        }
    }
}

fn failure(e: InitError) -> Failure {
    match e {
        InitError::Source(e) => Failure {
            code: exit::UNKNOWN,
            message: format!("discovery could not read the account: {e}"),
        },
        InitError::NotFound(message) => Failure {
            code: exit::NOT_OK,
            message,
        },
    }
}

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    /// The file written (`None`: printed to standard output).
    written: Option<String>,
    service: &'a Discovery,
}

pub async fn run<I: Inventory>(inv: &I, args: Args<'_>) -> Result<u8, Failure> {
    let to_stdout = args.out == Path::new("-");
    if !to_stdout && args.out.exists() && !args.force {
        return Err(Failure::usage(format!(
            "{} already exists; pass --force to overwrite it, or --out FILE",
            args.out.display()
        )));
    }
    let found = init::discover(inv, &args.ask).await.map_err(failure)?;
    let text = init::render(
        &args.command,
        &args.aws,
        std::slice::from_ref(&found),
        args.pin,
    );
    // The loader is the judge: what it refuses is not written.
    let path = if to_stdout {
        PathBuf::from("switchyard.toml")
    } else {
        args.out.to_path_buf()
    };
    if let Err(e) = Config::parse(&text, &path) {
        return Err(Failure {
            code: exit::NOT_OK,
            message: format!(
                "discovery did not find enough for a config; nothing written.\n{}\n{e}",
                missing(&found).join("\n")
            ),
        });
    }
    if to_stdout {
        print!("{text}");
    } else {
        write_file(&path, &text, args.force)?;
    }
    if args.json {
        let report = Report {
            schema: "switchyard.init/1",
            written: (!to_stdout).then(|| path.display().to_string()),
            service: &found,
        };
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::runtime(format!("cannot write JSON: {e}")))?;
        if to_stdout {
            eprintln!("{json}");
        } else {
            println!("{json}");
        }
    } else if !to_stdout {
        summary(&found, &path);
    }
    Ok(exit::OK)
}

/// Write the config: through a temporary file moved into place, so a reader never sees half
/// of it; without `force` a file that appeared meanwhile is not replaced.
fn write_file(path: &Path, text: &str, force: bool) -> Result<(), Failure> {
    let cannot =
        |e: std::io::Error| Failure::runtime(format!("cannot write {}: {e}", path.display()));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, text).map_err(cannot)?;
    let placed = if force {
        std::fs::rename(&temp, path)
    } else {
        // A hard link fails if the path exists.
        std::fs::hard_link(&temp, path)
    };
    let _ = std::fs::remove_file(&temp);
    placed.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Failure::usage(format!(
                "{} already exists; pass --force to overwrite it, or --out FILE",
                path.display()
            ))
        } else {
            cannot(e)
        }
    })
}

/// What was not found, one line each.
fn missing(d: &Discovery) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |what: &str, why: Option<&String>| {
        if let Some(why) = why {
            out.push(format!("  not found: {what}: {why}"));
        }
    };
    add("regional_hostname", d.regional_hostname.as_ref().err());
    add("functions", d.functions.as_ref().err());
    add("pipeline", d.pipeline.as_ref().err());
    if let Ok(p) = &d.pipeline {
        add("approval_action", p.value.approval_action.as_ref().err());
    }
    add("artifacts", d.artifacts.as_ref().err());
    out
}

fn summary(d: &Discovery, path: &Path) {
    let mut out = std::io::stdout().lock();
    let regions = d
        .regions
        .iter()
        .map(|r| format!("{} ({})", r.region, r.failover.to_ascii_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(out, "wrote {}: service {}", path.display(), d.name.value);
    let _ = writeln!(out, "  domain      {} in zone {}", d.domain, d.zone.value);
    let _ = writeln!(out, "  regions     {regions}");
    if let Ok(f) = &d.functions {
        let names: Vec<String> = f.value.iter().map(init::FunctionFound::item).collect();
        let _ = writeln!(out, "  functions   {}", names.join(", "));
    }
    if let Ok(p) = &d.pipeline {
        let _ = writeln!(out, "  pipeline    {} ({})", p.value.name, p.value.region);
    }
    if let Ok(a) = &d.artifacts {
        let _ = writeln!(out, "  artifacts   {} {}", a.value.bucket, a.value.prefix);
    }
    for line in missing(d) {
        let _ = writeln!(out, "{line}");
    }
    for note in &d.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    let _ = writeln!(
        out,
        "Every value in the file says where it came from. Next: switchyard --config {}",
        path.display()
    );
}

#[derive(Serialize)]
struct CheckReport {
    schema: &'static str,
    config: String,
    services: Vec<ServiceCheck>,
}

#[derive(Serialize)]
struct ServiceCheck {
    name: String,
    /// The account could not be read: the differences are unknown.
    error: Option<String>,
    #[serde(flatten)]
    comparison: Comparison,
}

/// `init --check`: each configured service (or the one named) discovered again and compared.
pub async fn check(
    account: &Account,
    config: &Config,
    path: &Path,
    only: Option<&str>,
    json: bool,
) -> Result<u8, Failure> {
    let services: Vec<_> = config
        .services
        .iter()
        .filter(|s| only.is_none_or(|o| o == s.name))
        .collect();
    if services.is_empty() {
        return Err(Failure::usage(format!(
            "no service {:?} in {}",
            only.unwrap_or_default(),
            path.display()
        )));
    }
    let mut report = CheckReport {
        schema: "switchyard.init-check/1",
        config: path.display().to_string(),
        services: Vec::new(),
    };
    for s in services {
        let ask = Ask {
            domain: s.domain.clone(),
            zone_id: Some(s.hosted_zone_id.clone()),
            pipeline: s.pipeline.as_ref().map(|p| p.name.clone()),
            name: Some(s.name.clone()),
        };
        report.services.push(match account.discover(&ask).await {
            Ok(found) => ServiceCheck {
                name: s.name.clone(),
                error: None,
                comparison: init::check::compare(s, &found),
            },
            // The account answered: the service is not there (the largest difference).
            Err(InitError::NotFound(why)) => ServiceCheck {
                name: s.name.clone(),
                error: None,
                comparison: Comparison {
                    differences: vec![init::check::Difference {
                        setting: "domain".into(),
                        config: Some(s.domain.clone()),
                        account: None,
                        what: why,
                    }],
                    ..Comparison::default()
                },
            },
            Err(e @ InitError::Source(_)) => ServiceCheck {
                name: s.name.clone(),
                error: Some(e.to_string()),
                comparison: Comparison::default(),
            },
        });
    }
    let differs = |s: &ServiceCheck| !s.comparison.differences.is_empty();
    let unknown = |s: &ServiceCheck| s.error.is_some() || !s.comparison.unknown.is_empty();
    let code = if report.services.iter().any(differs) {
        exit::NOT_OK
    } else if report.services.iter().any(unknown) {
        exit::UNKNOWN
    } else {
        exit::OK
    };
    let mut out = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::runtime(format!("cannot write JSON: {e}")))?;
        let _ = writeln!(out, "{text}");
        return Ok(code);
    }
    for s in &report.services {
        let c = &s.comparison;
        match (&s.error, c.differences.is_empty()) {
            (Some(e), _) => {
                let _ = writeln!(out, "? {}: could not tell: {e}", s.name);
            }
            (None, true) if !c.unknown.is_empty() => {
                let _ = writeln!(
                    out,
                    "? {}: no difference found, but {} could not be read",
                    s.name,
                    c.unknown.join(", ")
                );
            }
            (None, true) => {
                let _ = writeln!(out, "✓ {}: the account matches {}", s.name, path.display());
            }
            (None, false) => {
                let _ = writeln!(
                    out,
                    "✗ {}: {} difference(s) between {} and the account",
                    s.name,
                    c.differences.len(),
                    path.display()
                );
                for d in &c.differences {
                    let _ = writeln!(out, "  {}: {}", d.setting, d.what);
                }
            }
        }
        for note in &c.notes {
            let _ = writeln!(out, "  note: {note}");
        }
    }
    Ok(code)
}

/// Run discovery on the account chosen.
pub async fn write(account: &Account, args: Args<'_>) -> Result<u8, Failure> {
    match account {
        Account::Sim(i) => run(i.as_ref(), args).await,
        Account::Aws(i) => run(i.as_ref(), args).await,
    }
}
