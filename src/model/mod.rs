//! Plain domain types shared by sources, state, assessments and the UI: no I/O, no terminal.

mod accounts;
mod audit;
mod dns;
mod event;
mod health;
mod release;
mod team;
mod traffic;

pub use accounts::{AccountPin, Caller};
pub use audit::{AuditRecord, DrillRecord, Phase, SimMoment};

pub use dns::{
    Convergence, DnsData, DnsTruth, RegionTargets, ResolverAnswer, answer_region,
    dns_disagreement_overdue,
};
pub use event::{EVENT_SCHEMA, Event, EventKind};
pub use health::{
    CheckKind, CheckSettings, CheckerObservation, HEALTHY_ABOVE_PCT, HealthCheck, HealthStatus,
    METRIC_CURRENT_S, MetricVerdict, RoutingControl, VerdictFrom, checkers_verdict,
    effective_status, metric_verdict, observations_verdict, recovery_control_status, serving_index,
};
pub use release::{
    ApprovalAnswer, ApprovalRevision, ArtifactVersion, DEFAULT_APPROVAL_TIMEOUT_MINUTES, LagSource,
    PendingApproval, PipelineInfo, ReplicaStatus, ReplicationMetrics, S3Replication, StageInfo,
    approval_expires, is_manual_approval,
};
pub use team::{LEASE_SCHEMA, Lease, SeenLease, TeamAction, TeamView, phase_rank, short_actor};
pub use traffic::{
    ApiKind, Architecture, DomainInfo, DomainMapping, FunctionStats, QualifierSource,
};

use serde::Serialize;

/// Every time in switchyard is UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// A region's place in a service's failover order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionRole {
    Primary,
    Secondary,
}

impl RegionRole {
    pub fn label(self) -> &'static str {
        match self {
            RegionRole::Primary => "primary",
            RegionRole::Secondary => "secondary",
        }
    }
}

/// A service as the console knows it, whatever the backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    pub domain: String,
    /// In failover order: the first is the primary.
    pub regions: Vec<String>,
    pub functions: Vec<String>,
    /// `{region}` and `{domain}` are expanded by [`Service::regional_hostname`].
    pub regional_hostname: String,
    pub pipeline: Option<String>,
    /// Where builds land before S3 replication copies them to the other regions.
    pub artifact_source_region: String,
    /// Where the pipeline lives (its approval is answered there).
    pub pipeline_region: String,
    pub failover: Failover,
}

/// How a service is moved between regions by hand.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Failover {
    /// Invert the serving region's Route 53 health check (a Route 53 control-plane call).
    #[default]
    InvertHealthCheck,
    /// Pin the regions ahead of the target unhealthy: their health checks Disabled and
    /// Inverted (always unhealthy, whatever the checkers see), the target's neither. Unlike
    /// inverting, a pinned region cannot flip back by itself, at the price of no checker data
    /// for it while pinned (a Route 53 control-plane call, like inverting).
    PinUnhealthy,
    /// Route 53 ARC routing controls (a data-plane call to a cluster endpoint).
    Arc {
        /// Cluster endpoints (https URLs), tried in turn.
        cluster_endpoints: Vec<String>,
        /// Region -> routing control ARN.
        routing_controls: std::collections::BTreeMap<String, String>,
    },
}

impl Service {
    pub fn primary_region(&self) -> &str {
        self.regions.first().map(String::as_str).unwrap_or_default()
    }

    pub fn regional_hostname(&self, region: &str) -> String {
        self.regional_hostname
            .replace("{region}", region)
            .replace("{domain}", &self.domain)
    }

    pub fn role(&self, region: &str) -> RegionRole {
        if self.primary_region() == region {
            RegionRole::Primary
        } else {
            RegionRole::Secondary
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// The finding codes of the JSON contract (README, "JSON output").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    HealthUnhealthy,
    HealthInverted,
    DnsDrift,
    DomainMissing,
    MappingMissing,
    ReplicationPending,
    ReplicationFailed,
    ArtifactMissing,
    ErrorRateHigh,
    CodeMismatch,
    ApprovalPending,
    SourceError,
    /// DNS answers with another region than the health model predicts, for longer than the
    /// record's TTL plus one DNS refresh.
    DnsDisagrees,
    /// A credential set's caller is not in the account an API's `account_id` pins: its reads
    /// come from the wrong account (README, "Several accounts").
    WrongAccount,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: FindingCode,
    pub region: Option<String>,
    /// What in the region it is about (a health check, a domain name, a function, an artifact,
    /// a source), for the incident journal's signal; not part of the JSON contract.
    #[serde(skip)]
    pub subject: Option<String>,
    pub message: String,
}
