//! What every command needs before it runs: the backend (simulated or AWS), the clock, the poll
//! schedule and the fleet, built from the global options and the config; and how a command
//! fails (`Failure`, with its exit code). The console and the headless commands both start here.

use crate::config::{Config, Thresholds};
use crate::fleet::Fleet;
use crate::model::Timestamp;
use crate::poll;
use crate::source::aws::AwsBackend;
use crate::source::sim::SimBackend;
use crate::source::sim::scenario::{Scenario, parse_signed};
use crate::source::{Backend, Clock, SourceSpec};
use std::path::PathBuf;
use std::sync::Arc;

/// Exit codes of the commands (README, "Commands").
pub mod exit {
    pub const OK: u8 = 0;
    /// snapshot: a source failed; check: not ready.
    pub const NOT_OK: u8 = 1;
    pub const USAGE: u8 = 2;
    /// check: could not tell.
    pub const UNKNOWN: u8 = 3;
}

/// A failure that ends the command with a message and an exit code, never a stack trace.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: exit::USAGE,
            message: message.into(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Failure {
            code: exit::NOT_OK,
            message: message.into(),
        }
    }
}

/// The global options a session is opened with (the command line's, without its commands).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub config: Option<PathBuf>,
    pub read_only: bool,
    pub sim: Option<String>,
    pub scenario_file: Option<PathBuf>,
    pub speed: f64,
}

pub struct Session {
    pub backend: Arc<Backend>,
    pub clock: Clock,
    pub schedule: Vec<SourceSpec>,
    pub fleet: Fleet,
    /// What the console's header shows ("demo: steady", "aws: profile prod").
    pub title: String,
    /// Who acts (the caller ARN), when known at start.
    pub caller: Option<String>,
    pub read_only: bool,
}

impl Session {
    /// For the live console. `demo_scenario` is set by `switchyard demo`.
    pub async fn open(
        cli: &Options,
        demo_scenario: Option<&str>,
        at: Option<&str>,
    ) -> Result<Session, Failure> {
        let config = load_config(cli)?;
        let Some(scenario) = load_scenario(cli, demo_scenario)? else {
            let mut session = Session::aws(cli).await?;
            // Who we act as, for the status bar; a failure here shows up again in the sources.
            // With several accounts, each set's caller at the same time.
            let (caller, callers) = futures::future::join(
                tokio::time::timeout(std::time::Duration::from_secs(10), session.backend.caller()),
                callers(&session.backend),
            )
            .await;
            match caller {
                Ok(Ok(arn)) => session.caller = Some(arn),
                Ok(Err(e)) => tracing::warn!(%e, "caller identity"),
                Err(_) => tracing::warn!("caller identity: STS did not answer in 10 s"),
            }
            if let Some(callers) = callers {
                session.fleet.callers = callers;
            }
            return Ok(session);
        };
        if !(cli.speed > 0.0 && cli.speed <= 10_000.0) {
            return Err(Failure::usage(format!(
                "--speed must be above 0 and at most 10000, not {}",
                cli.speed
            )));
        }
        let start = start_time(&scenario, at.map(str::to_string))?;
        let clock = Clock::sim(start, cli.speed);
        Ok(Session::sim(cli, config, scenario, clock))
    }

    /// For snapshot and check: the simulation stands still at `--at` (default: the scenario's
    /// interesting moment), so answers are deterministic.
    pub async fn open_headless(cli: &Options, at: Option<&str>) -> Result<Session, Failure> {
        let config = load_config(cli)?;
        let Some(scenario) = load_scenario(cli, None)? else {
            if at.is_some() {
                return Err(Failure::usage(
                    "--at only applies to the simulation (--sim)",
                ));
            }
            return Session::aws(cli).await;
        };
        let default_at = format!("{}s", scenario.interesting_at);
        let start = start_time(&scenario, Some(at.map_or(default_at, str::to_string)))?;
        Ok(Session::sim(cli, config, scenario, Clock::fixed(start)))
    }

    /// For failover and failback: like `open_headless`, but the simulation's clock runs from
    /// `--at` at `--speed`, so that verification sees its DNS answers follow the flags.
    pub async fn open_action(cli: &Options, at: Option<&str>) -> Result<Session, Failure> {
        let mut session = Session::open_headless(cli, at).await?;
        if let Clock::Fixed(start) = session.clock
            && session.backend.is_simulation()
        {
            if !(cli.speed > 0.0 && cli.speed <= 10_000.0) {
                return Err(Failure::usage(format!(
                    "--speed must be above 0 and at most 10000, not {}",
                    cli.speed
                )));
            }
            session.clock = Clock::sim(start, cli.speed);
        }
        Ok(session)
    }

    /// The simulation takes its services from the scenario; a config given with `--config`
    /// still sets thresholds and read-only mode.
    fn sim(cli: &Options, config: Option<Config>, scenario: Scenario, clock: Clock) -> Session {
        let read_only = cli.read_only || config.as_ref().is_some_and(|c| c.read_only);
        let sim = SimBackend::new(scenario).read_only(read_only);
        let caller = Some(sim.caller());
        let backend = Backend::Sim(sim);
        let schedule = backend.schedule();
        let thresholds = config
            .as_ref()
            .map_or_else(Thresholds::default, |c| c.thresholds.clone());
        Session {
            fleet: Fleet::new(backend.services(), &schedule, thresholds),
            title: backend.label(),
            caller,
            read_only,
            backend: Arc::new(backend),
            clock,
            schedule,
        }
    }

    /// The real AWS account described by the config (`--config`, else the default places).
    async fn aws(cli: &Options) -> Result<Session, Failure> {
        let path = match &cli.config {
            Some(path) => path.clone(),
            None => Config::default_path().map_err(|e| {
                Failure::usage(format!("{e}; give --config FILE, or try `switchyard demo`"))
            })?,
        };
        let mut config = Config::load(&path).map_err(|e| Failure::usage(e.to_string()))?;
        // The backend refuses mutating calls itself; the state only hides the action keys.
        config.read_only |= cli.read_only;
        let read_only = config.read_only;
        let thresholds = config.thresholds.clone();
        let control_region = config.aws.control_region.clone();
        let backend = Backend::Aws(AwsBackend::connect(config).await);
        let schedule = backend.schedule();
        let mut fleet = Fleet::new(backend.services(), &schedule, thresholds);
        fleet.control_region = control_region;
        Ok(Session {
            fleet,
            title: backend.label(),
            caller: None,
            read_only,
            backend: Arc::new(backend),
            clock: Clock::System,
            schedule,
        })
    }

    /// Fetch every source once, concurrently, each within its timeout, into the fleet.
    pub async fn collect_once(&mut self) -> Timestamp {
        let now = self.clock.now();
        let fetches = self
            .schedule
            .iter()
            .map(|spec| poll::fetch_with_timeout(&self.backend, spec, &self.clock));
        let (fetched, callers) =
            futures::future::join(futures::future::join_all(fetches), callers(&self.backend)).await;
        for fetched in fetched {
            self.fleet.apply(fetched);
        }
        if let Some(callers) = callers {
            self.fleet.callers = callers;
        }
        now
    }
}

/// Each credential set's caller, within the time a fetch has (`None`: STS did not answer).
async fn callers(backend: &Backend) -> Option<Vec<crate::model::Caller>> {
    let asked = tokio::time::timeout(crate::source::aws::FETCH_TIMEOUT, backend.callers()).await;
    if asked.is_err() {
        tracing::warn!("callers: STS did not answer in time");
    }
    asked.ok()
}

fn load_scenario(cli: &Options, demo: Option<&str>) -> Result<Option<Scenario>, Failure> {
    let scenario = if let Some(path) = &cli.scenario_file {
        Some(Scenario::from_file(path))
    } else {
        demo.or(cli.sim.as_deref()).map(Scenario::built_in)
    };
    scenario
        .transpose()
        .map_err(|e| Failure::usage(e.to_string()))
}

fn start_time(scenario: &Scenario, at: Option<String>) -> Result<Timestamp, Failure> {
    let offset = match at {
        Some(text) => parse_signed(&text).map_err(|e| Failure::usage(format!("--at: {e}")))?,
        None => 0,
    };
    Ok(scenario.start + chrono::Duration::seconds(offset))
}

/// The config named by `--config`, validated; none without the option.
fn load_config(cli: &Options) -> Result<Option<Config>, Failure> {
    cli.config
        .as_deref()
        .map(Config::load)
        .transpose()
        .map_err(|e| Failure::usage(e.to_string()))
}
