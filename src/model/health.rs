//! Route 53 health checks: the checkers' raw verdict and the effective verdict Route 53 acts on.

use super::Timestamp;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Healthy,
    Unhealthy,
    #[default]
    Unknown,
}

impl HealthStatus {
    pub fn from_healthy(healthy: Option<bool>) -> Self {
        match healthy {
            Some(true) => HealthStatus::Healthy,
            Some(false) => HealthStatus::Unhealthy,
            None => HealthStatus::Unknown,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HealthStatus::Healthy => "healthy",
            HealthStatus::Unhealthy => "unhealthy",
            HealthStatus::Unknown => "unknown",
        }
    }
}

/// What one Route 53 checker region last saw.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckerObservation {
    pub checker_region: String,
    pub status: HealthStatus,
    /// Route 53's free-text report, e.g. "Failure: HTTP Status Code 503".
    pub report: String,
    pub checked_at: Timestamp,
}

/// What a region's failover record is judged by (Route 53 API reference, HealthCheckConfig
/// `Type`, and ResourceRecordSet `HealthCheckId`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Checkers probe an endpoint: HTTP, HTTPS, TCP, with or without string matching (the
    /// Route 53 type name).
    Endpoint(String),
    /// Combines other checks; GetHealthCheckStatus is not available for it.
    Calculated,
    /// Follows a CloudWatch alarm.
    CloudwatchMetric,
    /// Follows an ARC routing control; UpdateHealthCheck cannot change it.
    RecoveryControl,
    /// The failover record has no HealthCheckId: Route 53 counts it always healthy ("always
    /// eligible"), so a SECONDARY without one answers whenever the primary is unhealthy.
    NoHealthCheck,
    /// Not read (or a type this version does not know).
    #[default]
    Unknown,
}

impl CheckKind {
    /// Route 53's type name (`none` where the record has no health check).
    pub fn label(&self) -> &str {
        match self {
            CheckKind::Endpoint(t) => t,
            CheckKind::Calculated => "CALCULATED",
            CheckKind::CloudwatchMetric => "CLOUDWATCH_METRIC",
            CheckKind::RecoveryControl => "RECOVERY_CONTROL",
            CheckKind::NoHealthCheck => "none",
            CheckKind::Unknown => "unknown",
        }
    }

    /// Whether UpdateHealthCheck can set Inverted and Disabled on it (not on RECOVERY_CONTROL
    /// checks, and there is nothing to update without a check).
    pub fn flags_updatable(&self) -> bool {
        !matches!(self, CheckKind::RecoveryControl | CheckKind::NoHealthCheck)
    }

    /// Whether checker regions apply (endpoint checks only: an update of any other type must
    /// not send `Regions`).
    pub fn has_checker_regions(&self) -> bool {
        matches!(self, CheckKind::Endpoint(_))
    }
}

/// Where the checkers' verdict on a check came from, and how old it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum VerdictFrom {
    /// GetHealthCheckStatus: the checkers' own reports; `at` is the newest report's time.
    Checkers { at: Option<Timestamp> },
    /// CloudWatch `AWS/Route53` metrics; `at` is the data point's minute.
    Metrics { at: Timestamp },
    /// The simulated deployment.
    Simulated,
    /// Route 53 does not check it: disabled, or no health check at all.
    NotChecked,
    /// No current verdict could be read.
    #[default]
    None,
}

impl VerdictFrom {
    pub fn label(&self) -> &'static str {
        match self {
            VerdictFrom::Checkers { .. } => "GetHealthCheckStatus",
            VerdictFrom::Metrics { .. } => "CloudWatch",
            VerdictFrom::Simulated => "simulation",
            VerdictFrom::NotChecked => "not checked",
            VerdictFrom::None => "none",
        }
    }

    pub fn at(&self) -> Option<Timestamp> {
        match self {
            VerdictFrom::Checkers { at } => *at,
            VerdictFrom::Metrics { at } => Some(*at),
            _ => None,
        }
    }
}

/// An endpoint check's settings, shown in the Health detail view (from the same GetHealthCheck
/// or ListHealthChecks answer as the flags: no extra call).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CheckSettings {
    /// FullyQualifiedDomainName, else IPAddress.
    pub target: Option<String>,
    pub port: Option<i32>,
    pub resource_path: Option<String>,
    pub request_interval_s: Option<i32>,
    pub failure_threshold: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HealthCheck {
    /// Empty where the record has no health check ([`CheckKind::NoHealthCheck`]).
    pub id: String,
    /// The checkers' verdict before Inverted/Disabled are applied.
    pub raw: HealthStatus,
    pub inverted: bool,
    pub disabled: bool,
    pub checkers_healthy_pct: Option<f64>,
    pub observations: Vec<CheckerObservation>,
    /// Percentage of checkers healthy, one point a minute over the last hour, oldest first;
    /// `None` where no data point exists.
    pub history: Vec<Option<f64>>,
    /// HealthCheckVersion as last read: UpdateHealthCheck sends it back for optimistic locking.
    pub version: Option<i64>,
    /// The checker regions configured on the check (empty: Route 53's default set). An update
    /// must send them again (see `action::plan`).
    pub checker_regions: Vec<String>,
    pub kind: CheckKind,
    pub settings: CheckSettings,
    /// Where `raw` came from and when.
    pub verdict_from: VerdictFrom,
    /// Why `raw` is unknown, where it is (stale data, readings that disagree).
    pub verdict_note: Option<String>,
    /// The check's configuration could not be read (GetHealthCheck or ListHealthChecks failing):
    /// `inverted`, `disabled`, `version`, `checker_regions`, `kind` and `settings` say nothing,
    /// and the verdict Route 53 acts on is unknown (never healthy). `raw` may still be known:
    /// the checkers' share does not depend on the flags.
    pub flags_unknown: bool,
}

impl HealthCheck {
    /// The verdict Route 53 routes on (see [`effective_status`]); a record without a health
    /// check is always eligible.
    pub fn effective(&self) -> HealthStatus {
        if self.kind == CheckKind::NoHealthCheck {
            return HealthStatus::Healthy;
        }
        if self.flags_unknown {
            return HealthStatus::Unknown;
        }
        effective_status(self.raw, self.inverted, self.disabled)
    }

    /// A RECOVERY_CONTROL check: its status follows an ARC routing control, not the endpoint.
    pub fn follows_routing_control(&self) -> bool {
        self.kind == CheckKind::RecoveryControl
    }

    /// Disabled and Inverted together: always unhealthy, whatever the endpoint does.
    pub fn pinned_unhealthy(&self) -> bool {
        !self.flags_unknown && self.disabled && self.inverted
    }

    /// The Inverted and Disabled flags as read: `None` when they could not be read.
    pub fn flags(&self) -> Option<(bool, bool)> {
        (!self.flags_unknown).then_some((self.inverted, self.disabled))
    }

    /// The failover record of a region without a health check.
    pub fn none() -> Self {
        HealthCheck {
            kind: CheckKind::NoHealthCheck,
            verdict_from: VerdictFrom::NotChecked,
            ..HealthCheck::default()
        }
    }
}

/// An ARC routing control's state, read from the cluster's data plane (ARC API reference,
/// GetRoutingControlState).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoutingControl {
    pub arn: String,
    pub on: bool,
}

impl RoutingControl {
    /// "On" or "Off", as ARC spells it.
    pub fn state(&self) -> &'static str {
        if self.on { "On" } else { "Off" }
    }
}

/// The status of a Route 53 health check of type RECOVERY_CONTROL: it follows its routing
/// control, healthy when On and unhealthy when Off (ARC Developer Guide, "Routing control
/// health checks"). The simulation's serving-region rule uses this, as Route 53 does.
pub fn recovery_control_status(on: bool) -> HealthStatus {
    if on {
        HealthStatus::Healthy
    } else {
        HealthStatus::Unhealthy
    }
}

/// The verdict Route 53 routes on, from the checkers' verdict and the flags (Route 53 API
/// reference, UpdateHealthCheck `Disabled` and `Inverted`; Developer Guide "Inverting health
/// checks"):
/// - Disabled: Route 53 stops checking and "considers the status of the health check to always
///   be healthy"; "if you want to stop routing traffic to a resource, change the value of
///   Inverted". So Disabled alone is always healthy, and Disabled with Inverted always
///   unhealthy, whatever the checkers saw.
/// - Inverted: healthy counts as unhealthy and the other way round.
pub fn effective_status(raw: HealthStatus, inverted: bool, disabled: bool) -> HealthStatus {
    match (disabled, inverted, raw) {
        (true, false, _) => HealthStatus::Healthy,
        (true, true, _) => HealthStatus::Unhealthy,
        (false, _, HealthStatus::Unknown) => HealthStatus::Unknown,
        (false, false, status) => status,
        (false, true, HealthStatus::Healthy) => HealthStatus::Unhealthy,
        (false, true, HealthStatus::Unhealthy) => HealthStatus::Healthy,
    }
}

/// Route 53 counts an endpoint healthy when more than this share of its checkers report it
/// healthy (Route 53 Developer Guide, "How Amazon Route 53 determines whether a health check is
/// healthy").
pub const HEALTHY_ABOVE_PCT: f64 = 18.0;

/// A CloudWatch data point older than this is not a current verdict.
pub const METRIC_CURRENT_S: i64 = 180;

/// The checkers' verdict from the share of them that report the endpoint healthy.
pub fn checkers_verdict(pct_healthy: f64) -> HealthStatus {
    HealthStatus::from_healthy(Some(pct_healthy > HEALTHY_ABOVE_PCT))
}

/// The checkers' verdict from their observations (GetHealthCheckStatus): the share of those
/// that gave a verdict, judged by [`checkers_verdict`].
pub fn observations_verdict(observations: &[CheckerObservation]) -> (HealthStatus, Option<f64>) {
    let known: Vec<&CheckerObservation> = observations
        .iter()
        .filter(|o| o.status != HealthStatus::Unknown)
        .collect();
    if known.is_empty() {
        return (HealthStatus::Unknown, None);
    }
    let healthy = known
        .iter()
        .filter(|o| o.status == HealthStatus::Healthy)
        .count();
    let pct = 100.0 * healthy as f64 / known.len() as f64;
    (checkers_verdict(pct), Some(pct))
}

/// A check's verdict as read from CloudWatch.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricVerdict {
    /// The checkers' verdict (before Inverted/Disabled).
    pub raw: HealthStatus,
    pub pct: Option<f64>,
    pub from: VerdictFrom,
    /// Why `raw` is unknown, where it is.
    pub note: Option<String>,
}

/// The checkers' verdict from the `AWS/Route53` metrics, the newest data point of each as (its
/// minute, value):
/// - `HealthCheckPercentageHealthy` is the checkers' raw share: healthy above 18 %.
/// - `HealthCheckStatus` (1 healthy, 0 unhealthy) is Route 53's assessment; whether it is taken
///   before or after Inverted is not documented, so it is read as the verdict after the flags
///   and only cross-checks: where it disagrees with the share and the flags, the verdict is
///   unknown, with the reason. Without a current share it stands in only for a check that is
///   not inverted (where before and after are the same).
/// - A data point more than [`METRIC_CURRENT_S`] old is not a current verdict.
/// - A disabled check is not checked at all: no verdict (the flags decide, see
///   [`effective_status`]).
pub fn metric_verdict(
    status: Option<(Timestamp, f64)>,
    pct: Option<(Timestamp, f64)>,
    inverted: bool,
    disabled: bool,
    now: Timestamp,
) -> MetricVerdict {
    let unknown = |from: VerdictFrom, pct: Option<f64>, note: String| MetricVerdict {
        raw: HealthStatus::Unknown,
        pct,
        from,
        note: Some(note),
    };
    if disabled {
        return unknown(
            VerdictFrom::NotChecked,
            None,
            "Disabled: Route 53 does not check it".into(),
        );
    }
    let age = |at: Timestamp| (now - at).num_seconds();
    let current = |p: Option<(Timestamp, f64)>| p.filter(|(at, _)| age(*at) <= METRIC_CURRENT_S);
    let reported = current(status).map(|(at, v)| (at, HealthStatus::from_healthy(Some(v >= 1.0))));
    match current(pct) {
        Some((at, share)) => {
            let raw = checkers_verdict(share);
            let expected = effective_status(raw, inverted, false);
            match reported {
                Some((_, said)) if said != expected => unknown(
                    VerdictFrom::Metrics { at },
                    Some(share),
                    format!(
                        "CloudWatch disagrees with itself: HealthCheckStatus says {}, but {share:.0}%                          of checkers healthy with Inverted={inverted} gives {}",
                        said.label(),
                        expected.label()
                    ),
                ),
                _ => MetricVerdict {
                    raw,
                    pct: Some(share),
                    from: VerdictFrom::Metrics { at },
                    note: None,
                },
            }
        }
        None => {
            let newest = match (status, pct) {
                (Some((a, _)), Some((b, _))) => Some(a.max(b)),
                (a, b) => a.or(b).map(|(t, _)| t),
            };
            match reported {
                Some((at, said)) if !inverted => MetricVerdict {
                    raw: said,
                    pct: None,
                    from: VerdictFrom::Metrics { at },
                    note: None,
                },
                Some((at, _)) => unknown(
                    VerdictFrom::Metrics { at },
                    None,
                    "only HealthCheckStatus is current, and whether it is taken before or after                      Inverted is not documented"
                        .into(),
                ),
                None => unknown(
                    VerdictFrom::None,
                    None,
                    match newest {
                        Some(t) => format!(
                            "no current CloudWatch data point (the newest is {}s old; current                              means at most {METRIC_CURRENT_S}s)",
                            age(t)
                        ),
                        None => "no CloudWatch data point".into(),
                    },
                ),
            }
        }
    }
}

/// Which region of a failover order Route 53 answers with, given each region's effective health.
///
/// The first healthy region serves. If every region is unhealthy Route 53 fails open and answers
/// as if all were healthy, i.e. with the primary. An unknown before the first healthy region
/// means we cannot tell.
pub fn serving_index(effective: &[HealthStatus]) -> Option<usize> {
    for (i, status) in effective.iter().enumerate() {
        match status {
            HealthStatus::Healthy => return Some(i),
            HealthStatus::Unknown => return None,
            HealthStatus::Unhealthy => {}
        }
    }
    (!effective.is_empty()).then_some(0)
}
