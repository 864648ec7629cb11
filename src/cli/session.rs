//! What every command needs before it runs: the backend (simulated or AWS), the clock and the
//! initial state, built from the command line and the config.

use super::{Cli, Failure};
use crate::config::{Config, Thresholds};
use crate::model::Timestamp;
use crate::poll;
use crate::source::aws::AwsBackend;
use crate::source::sim::SimBackend;
use crate::source::sim::scenario::{Scenario, parse_signed};
use crate::source::{Backend, Clock, SourceSpec};
use crate::state::{Msg, State, update};
use std::sync::Arc;

pub struct Session {
    pub backend: Arc<Backend>,
    pub clock: Clock,
    pub plan: Vec<SourceSpec>,
    pub state: State,
}

impl Session {
    /// For the live console. `demo_scenario` is set by `switchyard demo`.
    pub async fn open(
        cli: &Cli,
        demo_scenario: Option<&str>,
        at: Option<&str>,
    ) -> Result<Session, Failure> {
        let config = load_config(cli)?;
        let Some(scenario) = load_scenario(cli, demo_scenario)? else {
            let mut session = Session::aws(cli).await?;
            // Who we act as, for the status bar; a failure here shows up again in the sources.
            match tokio::time::timeout(std::time::Duration::from_secs(10), session.backend.caller())
                .await
            {
                Ok(Ok(arn)) => session.state.caller = Some(arn),
                Ok(Err(e)) => tracing::warn!(%e, "caller identity"),
                Err(_) => tracing::warn!("caller identity: STS did not answer in 10 s"),
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
    pub async fn open_headless(cli: &Cli, at: Option<&str>) -> Result<Session, Failure> {
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

    /// The simulation takes its services from the scenario; a config given with `--config`
    /// still sets thresholds and read-only mode.
    fn sim(cli: &Cli, config: Option<Config>, scenario: Scenario, clock: Clock) -> Session {
        let read_only = cli.read_only || config.as_ref().is_some_and(|c| c.read_only);
        let backend = Backend::Sim(SimBackend::new(scenario).read_only(read_only));
        let plan = backend.plan();
        let thresholds = config
            .as_ref()
            .map_or_else(Thresholds::default, |c| c.thresholds.clone());
        let mut state = State::new(backend.label(), backend.services(), &plan, thresholds);
        state.caller = match &backend {
            Backend::Sim(sim) => Some(sim.caller()),
            Backend::Aws(_) => None,
        };
        state.read_only = read_only;
        Session {
            backend: Arc::new(backend),
            clock,
            plan,
            state,
        }
    }

    /// The real AWS account described by the config (`--config`, else the default places).
    async fn aws(cli: &Cli) -> Result<Session, Failure> {
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
        let plan = backend.plan();
        let mut state = State::new(backend.label(), backend.services(), &plan, thresholds);
        state.read_only = read_only;
        state.control_region = control_region;
        Ok(Session {
            backend: Arc::new(backend),
            clock: Clock::System,
            plan,
            state,
        })
    }

    /// Fetch every source once, concurrently, each within its timeout.
    pub async fn collect_once(self) -> (State, Timestamp) {
        let Session {
            backend,
            clock,
            plan,
            mut state,
        } = self;
        let now = clock.now();
        let fetches = plan
            .iter()
            .map(|spec| poll::fetch_with_timeout(&backend, spec, &clock));
        for fetched in futures::future::join_all(fetches).await {
            update(&mut state, Msg::Fetched(Box::new(fetched)), now);
        }
        (state, now)
    }
}

fn load_scenario(cli: &Cli, demo: Option<&str>) -> Result<Option<Scenario>, Failure> {
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
fn load_config(cli: &Cli) -> Result<Option<Config>, Failure> {
    cli.config
        .as_deref()
        .map(Config::load)
        .transpose()
        .map_err(|e| Failure::usage(e.to_string()))
}
