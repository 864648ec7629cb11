//! Where data comes from and where changes go: the `Backend` (AWS or the simulation), what a
//! fetch returns, how a failed fetch is described, and the one door for mutating calls.

pub mod aws;
pub mod call;
pub mod clock;
pub mod dns;
pub mod inventory;
pub mod sim;
pub mod team;

use crate::model::{
    ArtifactVersion, DnsTruth, DomainInfo, FunctionStats, HealthCheck, PipelineInfo,
    ReplicationMetrics, RoutingControl, Service, Timestamp,
};
use serde::Serialize;
use std::fmt;
use std::time::Duration;

pub use call::{Call, CallError, CallErrorKind};
pub use clock::Clock;

/// Metrics read per Lambda function (Invocations, Errors, Throttles, Duration p99 and average,
/// ConcurrentExecutions); the AWS backend asks for exactly these, the cost estimate counts them.
pub const LAMBDA_METRICS_PER_FUNCTION: usize = 6;

/// A kind of data, named after the AWS service it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Health,
    Lambda,
    Replication,
    Domains,
    Pipeline,
    /// ARC routing control states, from the cluster endpoints (data plane), for `arc` services.
    RoutingControl,
    /// What the hosted zones' authoritative name servers answer (data plane, not an AWS API).
    Dns,
    /// The team's bucket (`[team]`, or the simulation's teammates): every operator's lease and
    /// the team's recent audit records (README, "Working as a team").
    Team,
}

impl SourceKind {
    pub const ALL: [SourceKind; 8] = [
        SourceKind::Health,
        SourceKind::Lambda,
        SourceKind::Replication,
        SourceKind::Domains,
        SourceKind::Pipeline,
        SourceKind::RoutingControl,
        SourceKind::Dns,
        SourceKind::Team,
    ];

    /// The name in the JSON contract and the status bar.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Health => "route53",
            SourceKind::Lambda => "lambda",
            SourceKind::Replication => "s3",
            SourceKind::Domains => "apigateway",
            SourceKind::Pipeline => "codepipeline",
            SourceKind::RoutingControl => "arc",
            SourceKind::Dns => "dns",
            SourceKind::Team => "team",
        }
    }
}

/// One poller task: a kind of data in one region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceKey {
    pub kind: SourceKind,
    pub region: String,
}

/// The region of the DNS source's key: DNS answers are global, not in a region.
pub const DNS_REGION: &str = "global";
/// The region of the team source's key: one bucket for the whole team, whatever its region.
pub const TEAM_REGION: &str = DNS_REGION;

impl SourceKey {
    pub fn new(kind: SourceKind, region: impl Into<String>) -> Self {
        SourceKey {
            kind,
            region: region.into(),
        }
    }
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.kind.name(), self.region)
    }
}

/// What the backend polls, how often, and which (service, region) pairs each source covers.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    pub key: SourceKey,
    pub interval: Duration,
    pub timeout: Duration,
    pub covers: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Throttled,
    Timeout,
    Credentials,
    AccessDenied,
    Unavailable,
    Other,
}

/// A failed fetch, worded for the person at the console: what failed, where, what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct SourceError {
    pub kind: ErrorKind,
    pub message: String,
}

impl SourceError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        SourceError {
            kind,
            message: message.into(),
        }
    }
}

/// One value for one service in one region.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<T> {
    pub service: String,
    pub region: String,
    pub value: T,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Health(Vec<Entry<HealthCheck>>),
    Lambda(Vec<Entry<Vec<FunctionStats>>>),
    Domains(Vec<Entry<Vec<DomainInfo>>>),
    /// Object versions per bucket, and replication metrics (published on the source side).
    Replication(
        Vec<Entry<Vec<ArtifactVersion>>>,
        Vec<Entry<Vec<ReplicationMetrics>>>,
    ),
    Pipeline(Vec<Entry<PipelineInfo>>),
    /// Each `arc` service's routing control of the region.
    RoutingControl(Vec<Entry<RoutingControl>>),
    /// Per service: what the authoritative name servers answer for its shared name.
    Dns(Vec<Entry<DnsTruth>>),
    /// The team's leases and recent audit records (`TeamStore::view`).
    Team(crate::model::TeamView),
}

/// The owned result of one fetch, sent from a poller task to the app loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub key: SourceKey,
    pub at: Timestamp,
    /// API calls this fetch made (for the status bar's call and cost counters).
    pub calls: u32,
    /// Of `calls`, those to the Route 53 API, whose request rate is limited for the whole
    /// account (10 a second, burst 50: Route 53 Developer Guide, "Throttling of API requests").
    pub route53_calls: u32,
    pub result: Result<Payload, SourceError>,
    /// A part of the data that could not be fetched while the rest was (e.g. metrics missing
    /// while configurations arrived); the missing values stay unknown.
    pub partial: Option<SourceError>,
}

/// Everything the console reads from and acts on.
pub enum Backend {
    Sim(sim::SimBackend),
    Aws(aws::AwsBackend),
}

impl Backend {
    /// A short description for the title bar.
    pub fn label(&self) -> String {
        match self {
            Backend::Sim(sim) => format!("demo: {}", sim.scenario_name()),
            Backend::Aws(aws) => aws.label(),
        }
    }

    pub fn services(&self) -> Vec<Service> {
        match self {
            Backend::Sim(sim) => sim.services(),
            Backend::Aws(aws) => aws.services(),
        }
    }

    /// The poll schedule: which sources there are, how often each is fetched, what it covers.
    pub fn schedule(&self) -> Vec<SourceSpec> {
        match self {
            Backend::Sim(sim) => sim.schedule(),
            Backend::Aws(aws) => aws.schedule(),
        }
    }

    /// Who the backend acts as (the caller ARN).
    pub async fn caller(&self) -> Result<String, SourceError> {
        match self {
            Backend::Sim(sim) => Ok(sim.caller()),
            Backend::Aws(aws) => aws.caller().await,
        }
    }

    /// Each credential set's caller, when the config uses several accounts' keys (README,
    /// "Several accounts"); empty otherwise, and for the simulation.
    pub async fn callers(&self) -> Vec<crate::model::Caller> {
        match self {
            Backend::Aws(aws) if aws.config().uses_accounts() => aws.callers().await,
            _ => Vec::new(),
        }
    }

    /// Why `calls` must not be sent because of an `account_id` pin (the simulation has none).
    pub async fn account_refusal(&self, service: &str, calls: &[Call]) -> Option<String> {
        match self {
            Backend::Sim(_) => None,
            Backend::Aws(aws) => aws.account_refusal(service, calls).await,
        }
    }

    /// Fetch one source. `now` is the backend's clock reading (simulated time in the demo).
    pub async fn fetch(&self, key: &SourceKey, now: Timestamp) -> Fetched {
        match self {
            Backend::Sim(sim) => sim.fetch_now(key, now),
            Backend::Aws(aws) => {
                let (tally, result) = aws.fetch(key, now).await;
                Fetched {
                    key: key.clone(),
                    at: now,
                    calls: tally.calls,
                    route53_calls: tally.route53_calls,
                    result,
                    partial: tally.partial,
                }
            }
        }
    }
}

impl Backend {
    /// Actions on the simulation are drills: they have their own audit log and locks.
    pub fn is_simulation(&self) -> bool {
        matches!(self, Backend::Sim(_))
    }

    /// The team's bucket (`[team]`, or the simulation's teammates), if there is one.
    pub fn team(&self) -> Option<&team::TeamStore> {
        match self {
            Backend::Sim(sim) => sim.team(),
            Backend::Aws(aws) => aws.team(),
        }
    }

    /// Read-only mode (`--read-only` or `read_only = true`): every mutating call is refused here.
    pub fn read_only(&self) -> bool {
        match self {
            Backend::Sim(sim) => sim.is_read_only(),
            Backend::Aws(aws) => aws.config().read_only,
        }
    }

    /// Make one mutating call: the only way anything in switchyard changes AWS (or the
    /// simulation). Refused in read-only mode before anything is sent. Returns what the service
    /// answered, in a line.
    pub async fn execute(&self, call: &Call, now: Timestamp) -> Result<String, CallError> {
        self.execute_for(None, call, now).await
    }

    /// `execute` for one service's plan: with services that name credentials of their own, the
    /// call is made with the service's (README, "Several accounts").
    pub async fn execute_for(
        &self,
        service: Option<&str>,
        call: &Call,
        now: Timestamp,
    ) -> Result<String, CallError> {
        if self.read_only() {
            return Err(CallError::new(
                CallErrorKind::ReadOnly,
                format!(
                    "{} refused: switchyard runs read-only (--read-only or read_only = true in \
                     the config); nothing was sent",
                    call.api()
                ),
            ));
        }
        match self {
            Backend::Sim(sim) => sim.execute(call, now),
            Backend::Aws(aws) => aws.execute_for(service, call).await,
        }
    }

    /// Health check flags read now, for verifying a change: (id, inverted, disabled).
    pub async fn health_flags(
        &self,
        ids: &[String],
        now: Timestamp,
    ) -> Result<Vec<(String, bool, bool)>, SourceError> {
        match self {
            Backend::Sim(sim) => sim.health_flags(ids, now),
            Backend::Aws(aws) => aws.health_flags(ids).await,
        }
    }

    /// One service's DNS truth asked now (verification after a failover waits for it).
    pub async fn dns_truth(&self, service: &str, now: Timestamp) -> Result<DnsTruth, SourceError> {
        match self {
            Backend::Sim(sim) => sim.dns_truth(service, now),
            Backend::Aws(aws) => aws.dns_truth(service, now).await,
        }
    }

    /// A health check's last failure per checker (Route 53 GetHealthCheckLastFailureReason),
    /// read on demand for the Health detail view.
    pub async fn last_failure_reasons(
        &self,
        health_check_id: &str,
        now: Timestamp,
    ) -> Result<Vec<crate::model::CheckerObservation>, SourceError> {
        match self {
            Backend::Sim(sim) => Ok(sim.last_failure_reasons(health_check_id, now)),
            Backend::Aws(aws) => aws.last_failure_reasons(health_check_id).await,
        }
    }

    /// Current routing control states (ARC), for verifying a change: (ARN, on).
    pub async fn routing_control_states(
        &self,
        endpoints: &[String],
        arns: &[String],
        now: Timestamp,
    ) -> Result<Vec<(String, bool)>, SourceError> {
        match self {
            Backend::Sim(sim) => {
                let _ = endpoints;
                sim.routing_control_states(arns, now)
            }
            Backend::Aws(aws) => {
                aws.for_endpoints(endpoints)
                    .routing_control_states(endpoints, arns)
                    .await
            }
        }
    }
}
