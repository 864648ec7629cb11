//! Pure judgements over the state: which region serves, whether a build is ready to approve,
//! error rates and cost, and the findings an on-call engineer must see.

pub mod events;
mod findings;
mod lambda;
pub mod preflight;
mod replication;

pub use findings::findings;
pub use lambda::{cost_per_hour, error_rate, region_cost_per_hour};
pub use replication::{
    ArtifactStatus, Readiness, RegionArtifact, ReplicaLag, Verdict, completed_lag, fmt_lag,
    readiness, tracked_artifacts, waiting_lag,
};

use crate::fleet::{Fleet, ServiceState, SourceStatus};

/// The region serving the service's shared name now, if it can be told (the health model's
/// prediction: `ServiceState::predicted_region`).
pub fn serving_region(svc: &ServiceState) -> Option<&str> {
    svc.predicted_region()
}

/// A compact human duration: "41s", "5m 3s", "2h 10m", "3d 4h".
pub fn fmt_secs(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) if s == 0 => format!("{m}m"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// CloudWatch's price per metric requested through GetMetricData.
const CLOUDWATCH_USD_PER_METRIC: f64 = 0.01 / 1000.0;

/// API calls an hour at the current refresh intervals, from each source's last fetch.
pub fn calls_per_hour(fleet: &Fleet) -> f64 {
    fleet.sources.values().map(source_calls_per_hour).sum()
}

/// Route 53 allows the whole account 10 API requests a second (bursts of 50), for every tool
/// and person using it (Route 53 Developer Guide, "Throttling of API requests").
pub const ROUTE53_REQUESTS_PER_SECOND: u32 = 10;
pub const ROUTE53_BURST: u32 = 50;

/// Route 53 API calls of one refresh: every source's last fetch, and their rate an hour.
pub fn route53_calls(fleet: &Fleet) -> (u32, f64) {
    fleet
        .sources
        .values()
        .filter(|s| !s.interval.is_zero())
        .fold((0, 0.0), |(n, per_hour), s| {
            (
                n + s.last_route53_calls,
                per_hour + f64::from(s.last_route53_calls) * 3600.0 / s.interval.as_secs_f64(),
            )
        })
}

/// One source's API calls an hour: its last fetch's calls at its interval.
pub fn source_calls_per_hour(s: &SourceStatus) -> f64 {
    if s.interval.is_zero() {
        0.0
    } else {
        f64::from(s.last_calls) * 3600.0 / s.interval.as_secs_f64()
    }
}

/// Estimated CloudWatch GetMetricData cost an hour: six metrics per Lambda function and two
/// per health check (status and percentage healthy), at each source's refresh interval.
pub fn cloudwatch_usd_per_hour(fleet: &Fleet) -> f64 {
    use crate::source::SourceKind;
    fleet
        .sources
        .iter()
        .filter(|(_, s)| !s.interval.is_zero())
        .map(|(key, s)| {
            let metrics: usize = match key.kind {
                SourceKind::Lambda => s
                    .covers
                    .iter()
                    .filter_map(|(svc, _)| fleet.service(svc))
                    .map(|svc| {
                        svc.service.functions.len() * crate::source::LAMBDA_METRICS_PER_FUNCTION
                    })
                    .sum(),
                SourceKind::Health => s.covers.len() * 2,
                _ => 0,
            };
            metrics as f64 * 3600.0 / s.interval.as_secs_f64() * CLOUDWATCH_USD_PER_METRIC
        })
        .sum()
}

#[cfg(test)]
mod tests;
