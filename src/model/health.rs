//! Route 53 health checks: the checkers' raw verdict and the effective verdict Route 53 acts on.

use super::Timestamp;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Healthy,
    Unhealthy,
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

#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheck {
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
    pub last_failure: Option<String>,
    /// HealthCheckVersion as last read: UpdateHealthCheck sends it back for optimistic locking.
    pub version: Option<i64>,
    /// The checker regions configured on the check (empty: Route 53's default set). An update
    /// must send them again (see `action::plan`).
    pub checker_regions: Vec<String>,
    /// A RECOVERY_CONTROL check: its status follows an ARC routing control, not the endpoint.
    pub follows_routing_control: bool,
}

impl HealthCheck {
    /// The verdict Route 53 routes on: Disabled counts as healthy, Inverted flips the raw verdict.
    pub fn effective(&self) -> HealthStatus {
        effective_status(self.raw, self.inverted, self.disabled)
    }
}

pub fn effective_status(raw: HealthStatus, inverted: bool, disabled: bool) -> HealthStatus {
    if disabled {
        return HealthStatus::Healthy;
    }
    match (raw, inverted) {
        (HealthStatus::Unknown, _) => HealthStatus::Unknown,
        (status, false) => status,
        (HealthStatus::Healthy, true) => HealthStatus::Unhealthy,
        (HealthStatus::Unhealthy, true) => HealthStatus::Healthy,
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
