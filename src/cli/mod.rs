//! The command line: global options, one file per command, and exit codes.

mod action;
mod audit;
mod check;
mod demo;
mod init;
mod install;
mod scenarios;
mod snapshot;
mod timeline;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::model::Timestamp;
use crate::session::{Failure, Options, Session, exit};

#[derive(Debug, Parser)]
#[command(
    name = "switchyard",
    version,
    about = "A terminal operations console for multi-region AWS Lambda services with Route 53 failover",
    after_help = "Try it with no AWS account: `switchyard demo` (see `switchyard scenarios`)."
)]
pub struct Cli {
    /// Config file (default: ./switchyard.toml, then $XDG_CONFIG_HOME/switchyard/switchyard.toml)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Refuse every mutating call
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Run against the built-in simulated deployment with this scenario
    #[arg(long, global = true, value_name = "SCENARIO")]
    pub sim: Option<String>,
    /// Load the simulation scenario from a TOML file (implies --sim)
    #[arg(long, global = true, value_name = "FILE")]
    pub scenario_file: Option<PathBuf>,
    /// Simulated time runs this many times faster than the wall clock (simulation only)
    #[arg(long, global = true, value_name = "N", default_value_t = 1.0)]
    pub speed: f64,
    /// Write a debug log to $XDG_STATE_HOME/switchyard/switchyard.log (never to the terminal)
    #[arg(long, global = true)]
    pub debug: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The live console (default)
    Tui,
    /// The console on the built-in simulated deployment; no AWS needed
    Demo {
        /// Scenario name (see `switchyard scenarios`)
        #[arg(long, default_value = "steady")]
        scenario: String,
        /// Start this far into the scenario (e.g. "4m")
        #[arg(long, value_name = "DURATION")]
        at: Option<String>,
    },
    /// Fetch everything once, print it, exit 0 (1 if any source failed)
    Snapshot {
        #[arg(long)]
        json: bool,
        /// Simulation only: how far into the scenario to look (default: its interesting moment)
        #[arg(long, value_name = "DURATION")]
        at: Option<String>,
    },
    /// Pre-approval check: exit 0 ready, 1 not ready, 3 could not tell
    Check {
        #[arg(long, value_name = "S")]
        service: Option<String>,
        #[arg(long)]
        json: bool,
        /// Simulation only: how far into the scenario to look (default: its interesting moment)
        #[arg(long, value_name = "DURATION")]
        at: Option<String>,
    },
    /// Move SERVICE's shared name to REGION (prints the plan; changes nothing without --execute)
    Failover {
        #[arg(long, value_name = "S")]
        service: String,
        #[arg(long, value_name = "REGION")]
        to: String,
        #[command(flatten)]
        guard: GuardArgs,
    },
    /// Undo a failover: the primary region serves again (plan only without --execute)
    Failback {
        #[arg(long, value_name = "S")]
        service: String,
        #[command(flatten)]
        guard: GuardArgs,
    },
    /// Approve (or --reject) the pipeline's pending manual approval (plan only without --execute)
    Approve {
        #[arg(long, value_name = "S")]
        service: String,
        #[arg(long)]
        reject: bool,
        /// Recorded with the approval; switchyard appends the replication verdict
        #[arg(long, value_name = "TEXT")]
        summary: String,
        #[command(flatten)]
        guard: GuardArgs,
    },
    /// The built-in simulation scenarios
    Scenarios,
    /// The audit log of actions ($XDG_STATE_HOME/switchyard/audit.jsonl)
    Audit {
        #[arg(long)]
        json: bool,
        /// The drill log instead: actions in the simulation (drill-audit.jsonl; also with --sim)
        #[arg(long)]
        drill: bool,
        /// The team's audit trail ([team] bucket) merged with the local log, newest first; with
        /// --ack, close an unfinished action anywhere in the team
        #[arg(long)]
        team: bool,
        /// With --team: how far back to read the team's trail
        #[arg(long, value_name = "DURATION", default_value = "7d", requires = "team")]
        since: String,
        /// Close an unfinished action by hand after checking AWS (needs --reason)
        #[arg(long, value_name = "ID", requires = "reason")]
        ack: Option<String>,
        /// What was found in AWS (with --ack)
        #[arg(long, value_name = "TEXT", requires = "ack")]
        reason: Option<String>,
    },
    /// The incident timeline for a postmortem: the journal's events in a window (Markdown, or
    /// switchyard.timeline/1 JSON); with --sim, the scenario replayed from its start to --at
    Timeline {
        /// The last DURATION (default 24h); with --sim: drills recorded in the last DURATION
        /// (default 12h)
        #[arg(long, value_name = "DURATION", conflicts_with_all = ["from", "to"])]
        since: Option<String>,
        /// From this time (RFC 3339, or "2026-11-27 14:00" in UTC)
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// Up to this time (default: now)
        #[arg(long, value_name = "TIME", requires = "from")]
        to: Option<String>,
        /// Only this service's events (and the fleet's, such as a source failing)
        #[arg(long, value_name = "S")]
        service: Option<String>,
        #[arg(long, value_enum, default_value = "md")]
        format: TimelineFormat,
        /// Same as --format json
        #[arg(long)]
        json: bool,
        /// Simulation only: replay the scenario to this far into it (default: its interesting
        /// moment)
        #[arg(long, value_name = "DURATION")]
        at: Option<String>,
    },
    /// Write a config from what the account holds for a shared domain name (read-only
    /// discovery), or with --check compare a config with the account (exit 1 when they differ)
    Init {
        /// The service's shared name (its Route 53 failover records)
        #[arg(long, value_name = "NAME", required_unless_present = "check")]
        domain: Option<String>,
        /// The hosted zone (default: the zone of the domain found by name)
        #[arg(long, value_name = "Z", conflicts_with = "check")]
        zone_id: Option<String>,
        /// The pipeline that deploys the service (default: the one whose actions name its
        /// functions)
        #[arg(long, value_name = "NAME", conflicts_with = "check")]
        pipeline: Option<String>,
        /// The service's name in the config (default: the domain's first label)
        #[arg(long, value_name = "S", conflicts_with = "check")]
        name: Option<String>,
        /// Where to write the config ("-": standard output)
        #[arg(
            long,
            value_name = "FILE",
            default_value = "switchyard.toml",
            conflicts_with = "check"
        )]
        out: PathBuf,
        /// Overwrite --out if it exists
        #[arg(long, conflicts_with = "check")]
        force: bool,
        /// Write the failover records' health checks as `health_checks` (pinned: watched and
        /// inverted even if a record later gets another check) instead of as a comment
        #[arg(long, conflicts_with = "check")]
        pin_health_checks: bool,
        /// Compare the config (--config) with the account instead: exit 0 same, 1 different,
        /// 3 could not tell
        #[arg(long, conflicts_with = "domain")]
        check: bool,
        /// With --check: only this service
        #[arg(long, value_name = "S", requires = "check")]
        service: Option<String>,
        /// The AWS profile to read with (written into [aws])
        #[arg(long, value_name = "P", conflicts_with = "check")]
        profile: Option<String>,
        /// Route 53's control region (written into [aws])
        #[arg(
            long,
            value_name = "REGION",
            default_value = "us-east-1",
            conflicts_with = "check"
        )]
        control_region: String,
        /// An AWS-compatible endpoint, e.g. an emulator (written into [aws])
        #[arg(long, value_name = "URL", conflicts_with = "check")]
        endpoint_url: Option<String>,
        /// switchyard.init/1 (or switchyard.init-check/1) JSON on standard output
        #[arg(long)]
        json: bool,
    },
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff); with --dir, write it and one page per command there
    Man {
        /// Write switchyard.1 and switchyard-COMMAND.1 into this folder (e.g.
        /// ~/.local/share/man/man1) instead of printing switchyard.1
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// What `timeline` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TimelineFormat {
    /// Markdown, for a postmortem
    #[value(alias = "markdown")]
    Md,
    /// switchyard.timeline/1
    Json,
}

/// How an action is guarded on the command line.
#[derive(Debug, clap::Args)]
pub struct GuardArgs {
    /// Run the plan (without it the plan and preflight are printed and nothing changes)
    #[arg(long)]
    pub execute: bool,
    /// The confirmation: SERVICE/REGION for failover and failback, the pipeline name to approve
    #[arg(long, value_name = "TEXT", requires = "execute")]
    pub confirm: Option<String>,
    /// Run although preflight failed (needs --reason, which the audit log records)
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// Why the failed preflight is overridden
    #[arg(long, value_name = "TEXT", requires = "force")]
    pub reason: Option<String>,
    #[arg(long)]
    pub json: bool,
    /// Simulation only: how far into the scenario to act (default: its interesting moment)
    #[arg(long, value_name = "DURATION")]
    pub at: Option<String>,
}

impl Cli {
    /// `--sim` or `--scenario-file`: actions are drills, `audit` reads the drill log.
    fn is_simulation(&self) -> bool {
        self.sim.is_some() || self.scenario_file.is_some()
    }

    /// The global options a session is opened with.
    fn options(&self) -> Options {
        Options {
            config: self.config.clone(),
            read_only: self.read_only,
            sim: self.sim.clone(),
            scenario_file: self.scenario_file.clone(),
            speed: self.speed,
        }
    }
}

impl GuardArgs {
    fn guard(&self) -> action::Guard {
        action::Guard {
            execute: self.execute,
            confirm: self.confirm.clone(),
            reason: self.reason.clone().filter(|_| self.force),
            json: self.json,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    // A panic in a headless command: the crash report goes to the log file (the console
    // installs its own hook, which restores the terminal first).
    crate::logging::install_crash_hook(|| {});
    let _log = match crate::logging::init(cli.debug) {
        Ok(flush) => flush,
        Err(e) => {
            eprintln!("switchyard: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("switchyard: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))?;
    match &cli.command {
        None | Some(Command::Tui) => runtime.block_on(async {
            let session = Session::open(&cli.options(), None, None).await?;
            crate::tui::run(session).await
        }),
        Some(Command::Demo { scenario, at }) => runtime.block_on(async {
            let session = Session::open(&cli.options(), Some(scenario), at.as_deref()).await?;
            demo::run(session).await
        }),
        Some(Command::Snapshot { json, at }) => runtime.block_on(async {
            let session = Session::open_headless(&cli.options(), at.as_deref()).await?;
            snapshot::run(session, *json).await
        }),
        Some(Command::Check { service, json, at }) => runtime.block_on(async {
            let session = Session::open_headless(&cli.options(), at.as_deref()).await?;
            check::run(session, service.as_deref(), *json).await
        }),
        Some(Command::Failover { service, to, guard }) => runtime.block_on(async {
            let session = Session::open_action(&cli.options(), guard.at.as_deref()).await?;
            let which = action::Which::Failover { service, to };
            action::run(session, which, guard.guard()).await
        }),
        Some(Command::Failback { service, guard }) => runtime.block_on(async {
            let session = Session::open_action(&cli.options(), guard.at.as_deref()).await?;
            action::run(session, action::Which::Failback { service }, guard.guard()).await
        }),
        Some(Command::Approve {
            service,
            reject,
            summary,
            guard,
        }) => runtime.block_on(async {
            let session = Session::open_headless(&cli.options(), guard.at.as_deref()).await?;
            let which = action::Which::Approval {
                service,
                approve: !reject,
                summary,
            };
            action::run(session, which, guard.guard()).await
        }),
        Some(Command::Scenarios) => scenarios::run(),
        Some(Command::Init {
            check: true,
            service,
            json,
            ..
        }) => runtime.block_on(async {
            let path = match &cli.config {
                Some(path) => path.clone(),
                None => crate::config::Config::default_path()
                    .map_err(|e| Failure::usage(format!("{e}; give --config FILE")))?,
            };
            let config =
                crate::config::Config::load(&path).map_err(|e| Failure::usage(e.to_string()))?;
            let account = init::Account::open(
                cli.sim.as_deref(),
                cli.scenario_file.as_deref(),
                &config.aws,
            )
            .await?;
            init::check(&account, &config, &path, service.as_deref(), *json).await
        }),
        Some(Command::Init {
            domain,
            zone_id,
            pipeline,
            name,
            out,
            force,
            pin_health_checks,
            profile,
            control_region,
            endpoint_url,
            json,
            ..
        }) => runtime.block_on(async {
            let aws = crate::config::AwsConfig {
                profile: profile.clone(),
                endpoint_url: endpoint_url.clone(),
                control_region: control_region.clone(),
                ..crate::config::AwsConfig::default()
            };
            let account =
                init::Account::open(cli.sim.as_deref(), cli.scenario_file.as_deref(), &aws).await?;
            let args = init::Args {
                ask: crate::init::Ask {
                    domain: domain.clone().unwrap_or_default(),
                    zone_id: zone_id.clone(),
                    pipeline: pipeline.clone(),
                    name: name.clone(),
                },
                out,
                force: *force,
                json: *json,
                pin: *pin_health_checks,
                aws: crate::init::AwsSettings {
                    profile: profile.clone(),
                    endpoint_url: endpoint_url.clone(),
                    control_region: control_region.clone(),
                },
                command: init_command_line(),
            };
            init::write(&account, args).await
        }),
        Some(Command::Completions { shell }) => install::completions(*shell),
        Some(Command::Man { dir }) => install::man(dir.as_deref()),
        Some(Command::Audit {
            json,
            team: true,
            since,
            ack: Some(id),
            reason,
            ..
        }) => runtime.block_on(async {
            let session = Session::open_headless(&cli.options(), None).await?;
            let reason = reason.as_deref().unwrap_or_default();
            audit::acknowledge_team(session, id, reason, since, *json).await
        }),
        Some(Command::Audit {
            json,
            drill,
            ack: Some(id),
            reason,
            ..
        }) => audit::acknowledge(
            id,
            reason.as_deref().unwrap_or_default(),
            *json,
            *drill || cli.is_simulation(),
        ),
        Some(Command::Audit {
            json,
            team: true,
            since,
            ..
        }) => runtime.block_on(async {
            let session = Session::open_headless(&cli.options(), None).await?;
            audit::team(session, since, *json).await
        }),
        Some(Command::Audit { json, drill, .. }) => {
            audit::run(*json, *drill || cli.is_simulation())
        }
        Some(Command::Timeline {
            since,
            from,
            to,
            service,
            format,
            json,
            at,
        }) => {
            let args = timeline::Args {
                since: since.as_deref(),
                from: from.as_deref(),
                to: to.as_deref(),
                service: service.as_deref(),
                json: *json || *format == TimelineFormat::Json,
                at: at.as_deref(),
            };
            runtime.block_on(async {
                if cli.is_simulation() {
                    let session = Session::open_headless(&cli.options(), None).await?;
                    timeline::simulation(session, args).await
                } else {
                    timeline::journal(&cli.options(), args).await
                }
            })
        }
    }
}

/// The command line `init` was run with, for the written file's first line.
fn init_command_line() -> String {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format!("switchyard {}", args.join(" "))
}

/// Record what a headless command saw in the incident journal (the drill journal in the
/// simulation). A journal that cannot be written is a warning on standard error: it never
/// changes the exit code or what is printed on standard output.
fn record_observation(session: &Session, now: Timestamp) {
    let mut journal = crate::journal::Journal::standard(session.backend.is_simulation());
    if let Err(e) = crate::journal::record_observation(&mut journal, &session.fleet, now) {
        eprintln!("switchyard: warning: {e}");
    }
}

/// Record an action's end in the incident journal (the drill journal for a drill), linked to
/// its audit record; a failure is a warning, as for [`record_observation`].
fn record_action(drill: bool, report: &crate::action::Report, actor: Option<&str>, now: Timestamp) {
    let event = crate::journal::action_event(report, actor, now);
    if let Err(e) = crate::journal::Journal::standard(drill).append(&[event]) {
        eprintln!("switchyard: warning: {e}");
    }
}
