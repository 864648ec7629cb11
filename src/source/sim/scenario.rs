//! Simulation scenarios: TOML files describing a deployment and what happens to it over time.
//! The built-in ones live in `assets/scenarios/` and are embedded in the binary.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// The built-in scenarios: (name, TOML text).
pub const BUILT_IN: [(&str, &str); 7] = [
    (
        "steady",
        include_str!("../../../assets/scenarios/steady.toml"),
    ),
    (
        "region-outage",
        include_str!("../../../assets/scenarios/region-outage.toml"),
    ),
    (
        "slow-replication",
        include_str!("../../../assets/scenarios/slow-replication.toml"),
    ),
    (
        "dns-drift",
        include_str!("../../../assets/scenarios/dns-drift.toml"),
    ),
    (
        "throttled-api",
        include_str!("../../../assets/scenarios/throttled-api.toml"),
    ),
    (
        "control-plane-outage",
        include_str!("../../../assets/scenarios/control-plane-outage.toml"),
    ),
    (
        "two-responders",
        include_str!("../../../assets/scenarios/two-responders.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("unknown scenario `{0}`; built-in scenarios: {names}", names = BUILT_IN.map(|(n, _)| n).join(", "))]
    Unknown(String),
    #[error("{path}: cannot read scenario file: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    /// Simulated time at the scenario's t = 0.
    pub start: chrono::DateTime<chrono::Utc>,
    /// Where `snapshot`/`check` look by default: the moment the scenario is about.
    #[serde(with = "signed_duration")]
    pub interesting_at: i64,
    #[serde(default)]
    pub refresh: SimRefresh,
    #[serde(rename = "service")]
    pub services: Vec<SimService>,
    #[serde(default, rename = "build")]
    pub builds: Vec<SimBuild>,
    #[serde(default, rename = "incident")]
    pub incidents: Vec<Incident>,
}

/// How often the demo's pollers fetch, in wall-clock time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimRefresh {
    #[serde(with = "humantime_serde_compat")]
    pub health: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub lambda: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub replication: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub domains: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub pipeline: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub dns: Duration,
    /// The `team` source (scenarios with teammates only).
    #[serde(with = "humantime_serde_compat")]
    pub team: Duration,
}

impl Default for SimRefresh {
    fn default() -> Self {
        SimRefresh {
            health: Duration::from_secs(2),
            lambda: Duration::from_secs(5),
            replication: Duration::from_secs(3),
            domains: Duration::from_secs(10),
            pipeline: Duration::from_secs(3),
            dns: Duration::from_secs(2),
            team: Duration::from_secs(3),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimService {
    pub name: String,
    pub domain: String,
    pub regions: Vec<String>,
    #[serde(default = "default_regional_hostname")]
    pub regional_hostname: String,
    pub pipeline: Option<String>,
    /// The approval action's `timeoutInMinutes` (absent: CodePipeline's default, 7 days).
    #[serde(default)]
    pub approval_timeout_minutes: Option<i64>,
    #[serde(default = "default_bucket")]
    pub artifact_bucket: String,
    #[serde(default = "default_prefix")]
    pub artifact_prefix: String,
    /// Share of traffic that uses the shared hostname (the rest uses regional hostnames).
    #[serde(default = "default_shared_share")]
    pub shared_traffic: f64,
    #[serde(rename = "function")]
    pub functions: Vec<SimFunction>,
    /// The failover mechanism (README, "Guarded actions"): `invert-health-check` (default),
    /// `pin-unhealthy` or `arc`.
    #[serde(default)]
    pub failover: SimFailover,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SimFailover {
    #[default]
    InvertHealthCheck,
    PinUnhealthy,
    /// ARC routing controls: one per region (the primary On at the start), a safety rule "at
    /// least one On", and RECOVERY_CONTROL health checks that follow them.
    Arc,
}

fn default_regional_hostname() -> String {
    "{region}.{domain}".into()
}
fn default_bucket() -> String {
    "artifacts-{region}".into()
}
fn default_prefix() -> String {
    "builds/".into()
}
fn default_shared_share() -> f64 {
    0.9
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimFunction {
    pub name: String,
    pub memory_mb: u32,
    /// Requests per minute for the whole service.
    pub rpm: f64,
    pub avg_ms: f64,
    pub p99_ms: f64,
    /// Baseline error percentage.
    pub error_pct: f64,
    /// `x86_64` (the default, as in Lambda) or `arm64`.
    #[serde(default)]
    pub architecture: crate::model::Architecture,
    /// The alias API Gateway invokes (it points at the deployed build); none: the function is
    /// not behind API Gateway, its unqualified code is compared.
    #[serde(default)]
    pub alias: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimBuild {
    pub service: String,
    pub number: u32,
    /// Offset from the scenario start when the build lands in the source bucket.
    #[serde(with = "signed_duration")]
    pub at: i64,
    pub size_mb: f64,
    /// Time to replicate to every other region, unless `lag` names a region.
    #[serde(with = "humantime_serde_compat")]
    pub replication_lag: Duration,
    #[serde(default)]
    pub lag: BTreeMap<String, String>,
    /// Regions where replication fails.
    #[serde(default)]
    pub fail: Vec<String>,
    /// Already approved and deployed everywhere before the scenario starts.
    #[serde(default)]
    pub approved: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "kebab-case")]
pub enum Incident {
    /// The region degrades: errors climb over `ramp`, then its health check fails.
    Outage {
        service: String,
        region: String,
        #[serde(with = "signed_duration")]
        at: i64,
        #[serde(with = "humantime_serde_compat")]
        ramp: Duration,
        error_pct: f64,
    },
    /// The region's custom domain `domain` ("shared" or "regional") was recreated at `at`:
    /// a new regional target, while the Route 53 record keeps the old one.
    DnsDrift {
        service: String,
        region: String,
        domain: DriftedDomain,
        #[serde(with = "signed_duration")]
        at: i64,
    },
    /// The Route 53 control plane is down from `at`: every Route 53 API call times out (the
    /// health source fails, the domains' zone records cannot be read, UpdateHealthCheck
    /// fails). ARC routing controls, DNS answers and health checking itself go on.
    Route53Outage {
        #[serde(with = "signed_duration")]
        at: i64,
    },
    /// A source keeps failing with throttling errors from `at`.
    Throttle {
        source: String,
        region: String,
        #[serde(with = "signed_duration")]
        at: i64,
    },
    /// Another operator (README, "Working as a team"): from `at` they run `action` on
    /// `service` towards `target` for `for` (default 90 s), holding the service's lease in the
    /// simulation's team bucket while it runs, and their audit records appear there. Their
    /// action does not change the simulated deployment (a scenario's incidents do that).
    Teammate {
        service: String,
        #[serde(with = "signed_duration")]
        at: i64,
        /// `failover`, `failback`, `approve` or `reject`.
        action: String,
        target: String,
        /// Their caller ARN.
        actor: String,
        host: String,
        #[serde(
            rename = "for",
            default = "default_teammate_for",
            with = "humantime_serde_compat"
        )]
        duration: Duration,
    },
}

fn default_teammate_for() -> Duration {
    Duration::from_secs(90)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftedDomain {
    Shared,
    Regional,
}

impl Scenario {
    /// The scenario's teammates (its `teammate` incidents), for the simulation's team bucket.
    pub fn teammates(&self) -> Vec<crate::source::team::memory::Teammate> {
        self.incidents
            .iter()
            .filter_map(|i| match i {
                Incident::Teammate {
                    service,
                    at,
                    action,
                    target,
                    actor,
                    host,
                    duration,
                } => Some(crate::source::team::memory::Teammate {
                    at: self.start + chrono::Duration::seconds(*at),
                    seconds: duration.as_secs(),
                    actor: actor.clone(),
                    host: host.clone(),
                    action: action.clone(),
                    service: service.clone(),
                    target: target.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    pub fn built_in(name: &str) -> Result<Scenario, ScenarioError> {
        let (_, text) = BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ScenarioError::Unknown(name.to_string()))?;
        Scenario::parse(text, &format!("<built-in {name}>"))
    }

    pub fn from_file(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Scenario::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, path: &str) -> Result<Scenario, ScenarioError> {
        let invalid = |offset: usize, message: String| {
            let (line, column) = line_column(text, offset);
            ScenarioError::Invalid {
                path: path.to_string(),
                line,
                column,
                message,
            }
        };
        let scenario: Scenario = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            invalid(offset, e.message().to_string())
        })?;
        scenario.validate().map_err(|m| invalid(0, m))?;
        Ok(scenario)
    }

    fn validate(&self) -> Result<(), String> {
        if self.services.is_empty() {
            return Err("a scenario needs at least one [[service]]".into());
        }
        for s in &self.services {
            if s.regions.len() < 2 {
                return Err(format!("service `{}` needs two or more regions", s.name));
            }
            if s.functions.is_empty() {
                return Err(format!("service `{}` needs at least one function", s.name));
            }
        }
        let known = |service: &str, region: Option<&str>| {
            self.services
                .iter()
                .find(|s| s.name == service)
                .is_some_and(|s| region.is_none_or(|r| s.regions.iter().any(|x| x == r)))
        };
        for b in &self.builds {
            if !known(&b.service, None) {
                return Err(format!(
                    "build {} names unknown service `{}`",
                    b.number, b.service
                ));
            }
            for (region, lag) in &b.lag {
                humantime::parse_duration(lag)
                    .map_err(|e| format!("build {}: lag for {region}: {e}", b.number))?;
            }
        }
        for incident in &self.incidents {
            match incident {
                Incident::Outage {
                    service, region, ..
                }
                | Incident::DnsDrift {
                    service, region, ..
                } => {
                    if !known(service, Some(region)) {
                        return Err(format!(
                            "incident names unknown service/region `{service}/{region}`"
                        ));
                    }
                }
                Incident::Route53Outage { .. } => {}
                Incident::Teammate {
                    service,
                    action,
                    target,
                    duration,
                    ..
                } => {
                    if !known(service, None) {
                        return Err(format!("teammate incident: unknown service `{service}`"));
                    }
                    if !["failover", "failback", "approve", "reject"].contains(&action.as_str()) {
                        return Err(format!(
                            "teammate incident: unknown action `{action}` (failover, failback, \
                             approve, reject)"
                        ));
                    }
                    if target.is_empty() || duration.is_zero() {
                        return Err("teammate incident: needs a target and a non-zero `for`".into());
                    }
                }
                Incident::Throttle { source, .. } => {
                    if !crate::source::SourceKind::ALL
                        .iter()
                        .any(|k| k.name() == source)
                    {
                        return Err(format!(
                            "throttle incident: unknown source `{source}` (route53, lambda, s3, apigateway, codepipeline)"
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// humantime durations ("30s", "5m") for `std::time::Duration` fields.
mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text)
            .map_err(|e| serde::de::Error::custom(format!("invalid duration \"{text}\": {e}")))
    }
}

/// Signed humantime durations ("-3h", "90s"), as seconds.
mod signed_duration {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_signed(&text).map_err(serde::de::Error::custom)
    }
}

/// Parses "-3h", "+90s" or "5m" into seconds.
pub fn parse_signed(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    let (sign, rest) = match trimmed.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let duration = humantime::parse_duration(rest.trim())
        .map_err(|e| format!("invalid duration \"{text}\": {e}"))?;
    Ok(sign * duration.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn with_incident(incident: &str) -> Result<Scenario, ScenarioError> {
        let (_, steady) = BUILT_IN.iter().find(|(n, _)| *n == "steady").unwrap();
        Scenario::parse(
            &format!("{steady}\n[[incident]]\n{incident}\n"),
            "test.toml",
        )
    }

    #[test]
    fn a_teammate_incident_is_a_teammate_from_the_scenarios_start() {
        let s = with_incident(
            "kind = \"teammate\"\nservice = \"sample\"\nat = \"2m\"\nfor = \"45s\"\n\
             action = \"failover\"\ntarget = \"us-west-2\"\n\
             actor = \"arn:aws:sts::1:assumed-role/ops/alice\"\nhost = \"alice-laptop\"",
        )
        .unwrap();
        let mates = s.teammates();
        assert_eq!(mates.len(), 1);
        assert_eq!(mates[0].at, s.start + chrono::Duration::seconds(120));
        assert_eq!(mates[0].seconds, 45);
        assert_eq!(mates[0].service, "sample");
        assert_eq!(mates[0].host, "alice-laptop");
        // `for` defaults to 90 s.
        let s = with_incident(
            "kind = \"teammate\"\nservice = \"sample\"\nat = \"2m\"\naction = \"failback\"\n\
             target = \"us-east-1\"\nactor = \"a\"\nhost = \"h\"",
        )
        .unwrap();
        assert_eq!(s.teammates()[0].seconds, 90);
        // Without teammates, no team.
        assert!(Scenario::built_in("steady").unwrap().teammates().is_empty());
    }

    #[test]
    fn a_teammate_incident_names_a_known_service_and_action() {
        for (incident, says) in [
            (
                "kind = \"teammate\"\nservice = \"nope\"\nat = \"1m\"\naction = \"failover\"\n\
                 target = \"us-west-2\"\nactor = \"a\"\nhost = \"h\"",
                "unknown service `nope`",
            ),
            (
                "kind = \"teammate\"\nservice = \"sample\"\nat = \"1m\"\naction = \"deploy\"\n\
                 target = \"us-west-2\"\nactor = \"a\"\nhost = \"h\"",
                "unknown action `deploy`",
            ),
            (
                "kind = \"teammate\"\nservice = \"sample\"\nat = \"1m\"\naction = \"failover\"\n\
                 target = \"us-west-2\"\nactor = \"a\"\nhost = \"h\"\nfor = \"0s\"",
                "non-zero `for`",
            ),
        ] {
            let e = with_incident(incident).unwrap_err().to_string();
            assert!(e.contains(says), "{says:?} missing in {e}");
        }
    }
}
