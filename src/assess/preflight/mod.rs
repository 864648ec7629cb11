//! Preflight: what must hold before an action may run (README, "Guarded actions"). Pure
//! functions of the state; an unknown is never a pass.

use super::{Verdict, error_rate, findings, readiness};
use crate::fleet::{Fleet, Freshness, ServiceState};
use crate::model::{CheckKind, FindingCode, HealthStatus, Timestamp};
use crate::source::SourceKind;
use serde::Serialize;

mod data_plane;
mod team;
use data_plane::{
    advisory, advisory_health, control_plane_answering, dns_answer_check, is_arc,
    routing_controls_fresh,
};
pub use team::team_lease;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// Could not tell (data missing or stale): refuses like a failure.
    Unknown,
    /// Advisory: shown with a warning, does not refuse. For `arc`, the Route 53 control-plane
    /// data (health checks, records, domains), which the data-plane failover does not need.
    Warn,
}

impl CheckStatus {
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "ok",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Unknown => "UNKNOWN",
            CheckStatus::Warn => "warn",
        }
    }

    /// Whether it refuses the action (unless forced).
    pub fn blocks(self) -> bool {
        matches!(self, CheckStatus::Fail | CheckStatus::Unknown)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub name: String,
    pub status: CheckStatus,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Preflight {
    pub checks: Vec<Check>,
}

impl Preflight {
    /// Every check passed, advisories aside (no checks at all passes: rejecting a build needs
    /// none).
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| !c.status.blocks())
    }

    fn add(&mut self, name: &str, status: CheckStatus, detail: impl Into<String>) {
        self.checks.push(Check {
            name: name.to_string(),
            status,
            detail: detail.into(),
        });
    }
}

/// Before moving the shared name to `target`: the target can take the traffic, and the plan
/// lands there (`lands_on`: where the plan predicts Route 53 answers afterwards).
pub fn failover(
    fleet: &Fleet,
    svc: &ServiceState,
    target: &str,
    lands_on: Option<&str>,
    now: Timestamp,
) -> Preflight {
    let mut p = Preflight::default();
    let arc = is_arc(svc);
    if arc {
        routing_controls_fresh(&mut p, fleet, svc, now);
        advisory_health(&mut p, fleet, svc, target, now);
    } else {
        health_fresh(&mut p, fleet, svc, target, now);
        control_plane_answering(&mut p, fleet, now);
    }
    let Some(region) = svc.region(target) else {
        p.add(
            "target",
            CheckStatus::Fail,
            format!("{target} is not a region of {}", svc.service.name),
        );
        return p;
    };
    if !arc {
        target_health(&mut p, region, target);
    }
    match lands_on {
        Some(r) if r == target && arc => p.add(
            "lands on target",
            CheckStatus::Pass,
            format!(
                "with {target}'s routing control On and the others Off, the RECOVERY_CONTROL \
                 checks send Route 53's answers to {target}"
            ),
        ),
        Some(r) if r == target => p.add(
            "lands on target",
            CheckStatus::Pass,
            format!("with the new flags Route 53 answers with {target}"),
        ),
        Some(r) => p.add(
            "lands on target",
            CheckStatus::Fail,
            format!("with the new flags Route 53 would answer with {r}, not {target}"),
        ),
        None => p.add(
            "lands on target",
            CheckStatus::Unknown,
            "where Route 53 answers afterwards cannot be told (a verdict is unknown)",
        ),
    }
    error_rate_check(&mut p, fleet, svc, region, "target error rate", now);
    if arc {
        dns_answer_check(&mut p, fleet, svc, target, now);
    }
    let before = p.checks.len();
    domains_check(&mut p, fleet, svc, region, target, now);
    if arc {
        advisory(&mut p.checks[before..]);
    }
    target_code(&mut p, svc, region, target);
    p
}

/// R's custom domains, mappings and records (API Gateway, and the Route 53 records).
fn domains_check(
    p: &mut Preflight,
    fleet: &Fleet,
    svc: &ServiceState,
    region: &crate::fleet::RegionState,
    target: &str,
    now: Timestamp,
) {
    let domains = region.domains.as_ref();
    if let Some(why) = stale(
        fleet,
        svc,
        target,
        SourceKind::Domains,
        domains.map(|d| d.fetched_at),
        "API Gateway data",
        now,
    ) {
        p.add("target domains and DNS", CheckStatus::Unknown, why);
    } else if domains.is_some_and(|d| d.value.iter().any(|d| !d.dns_read)) {
        p.add(
            "target domains and DNS",
            CheckStatus::Unknown,
            format!(
                "the Route 53 records of {target}'s custom domains could not be read: whether \
                 they lead to the domains is unknown"
            ),
        );
    } else if domains.is_some_and(|d| d.value.iter().any(|d| d.regional_target.is_none())) {
        p.add(
            "target domains and DNS",
            CheckStatus::Unknown,
            format!("a custom domain of {target} has no known regional target to compare"),
        );
    } else {
        let drift: Vec<String> = findings(fleet, svc, now)
            .into_iter()
            .filter(|f| f.region.as_deref() == Some(target))
            .filter(|f| {
                matches!(
                    f.code,
                    FindingCode::DnsDrift
                        | FindingCode::DomainMissing
                        | FindingCode::MappingMissing
                )
            })
            .map(|f| f.message)
            .collect();
        if drift.is_empty() {
            p.add(
                "target domains and DNS",
                CheckStatus::Pass,
                "custom domains, mappings and records agree",
            );
        } else {
            p.add(
                "target domains and DNS",
                CheckStatus::Fail,
                drift.join("; "),
            );
        }
    }
}

/// Why a kind of data of a region cannot be relied on (stale or never read), if so.
fn stale(
    fleet: &Fleet,
    svc: &ServiceState,
    region: &str,
    kind: SourceKind,
    fetched: Option<Timestamp>,
    what: &str,
    now: Timestamp,
) -> Option<String> {
    match fleet.freshness(kind, &svc.service.name, region, fetched, now) {
        Freshness::Fresh => None,
        Freshness::Stale { age, error } => Some(format!(
            "{what} of {region} is {} old{}",
            super::fmt_secs(age.as_secs()),
            error.map(|e| format!(" ({e})")).unwrap_or_default()
        )),
        Freshness::Missing { error } => Some(format!(
            "{what} of {region} has not been read{}",
            error.map(|e| format!(" ({e})")).unwrap_or_default()
        )),
    }
}

/// The region's Lambda error rate is under the critical threshold, on fresh data.
fn error_rate_check(
    p: &mut Preflight,
    fleet: &Fleet,
    svc: &ServiceState,
    region: &crate::fleet::RegionState,
    name: &str,
    now: Timestamp,
) {
    let r = region.region.as_str();
    let crit = fleet.thresholds.error_rate_crit_pct;
    let functions = region.functions.as_ref();
    if let Some(why) = stale(
        fleet,
        svc,
        r,
        SourceKind::Lambda,
        functions.map(|f| f.fetched_at),
        "Lambda data",
        now,
    ) {
        p.add(name, CheckStatus::Unknown, why);
        return;
    }
    let Some(functions) = functions.map(|f| &f.value) else {
        return;
    };
    let sum = |f: fn(&crate::model::FunctionStats) -> Option<u64>| {
        functions.iter().map(f).sum::<Option<u64>>()
    };
    match (sum(|f| f.invocations), sum(|f| f.errors)) {
        (Some(inv), Some(err)) => match error_rate(Some(inv), Some(err)) {
            Some(rate) if rate >= crit => p.add(
                name,
                CheckStatus::Fail,
                format!("{rate:.2}% in {r}, at or above the critical {crit}%"),
            ),
            Some(rate) => p.add(
                name,
                CheckStatus::Pass,
                format!("{rate:.2}% in {r} (critical at {crit}%)"),
            ),
            None => p.add(
                name,
                CheckStatus::Pass,
                format!("no invocations in {r} in the window: no errors to judge by"),
            ),
        },
        _ => p.add(
            name,
            CheckStatus::Unknown,
            format!("Lambda metrics of {r} are incomplete"),
        ),
    }
}

/// The target's health check: healthy to the checkers, else Route 53 fails open.
fn target_health(p: &mut Preflight, region: &crate::fleet::RegionState, target: &str) {
    let name = "target health check";
    match region.health.as_ref().map(|h| &h.value) {
        None => p.add(
            name,
            CheckStatus::Unknown,
            format!("the health check of {target} has not been read"),
        ),
        // ARC: the record's check follows the routing control (Off until the failover), so
        // it says nothing about the endpoint; the other checks judge the target.
        Some(h) if h.follows_routing_control() => p.add(
            name,
            CheckStatus::Pass,
            format!(
                "{target}'s check follows its ARC routing control, not the endpoint; judged by \
                 error rate, domains and code instead"
            ),
        ),
        // Route 53 API reference, ResourceRecordSet `HealthCheckId`: a failover record without
        // a health check is always eligible.
        Some(h) if h.kind == CheckKind::NoHealthCheck => p.add(
            name,
            CheckStatus::Pass,
            format!(
                "{target}'s failover record has no health check: always eligible; judged by \
                 error rate, domains and code instead"
            ),
        ),
        Some(h) if h.disabled && !h.inverted => p.add(
            name,
            CheckStatus::Pass,
            format!(
                "{target}'s check is Disabled: Route 53 counts it healthy without checking; \
                 judged by error rate, domains and code instead"
            ),
        ),
        Some(h) => match h.raw {
            HealthStatus::Healthy => p.add(
                name,
                CheckStatus::Pass,
                format!("{target} healthy{}", pct(h.checkers_healthy_pct)),
            ),
            HealthStatus::Unhealthy => p.add(
                name,
                CheckStatus::Fail,
                format!(
                    "{target} is unhealthy{}: with every record of the pair unhealthy Route 53 \
                     fails open and answers as if all were healthy",
                    pct(h.checkers_healthy_pct)
                ),
            ),
            HealthStatus::Unknown => p.add(
                name,
                CheckStatus::Unknown,
                format!("the checkers' verdict on {target} is unknown"),
            ),
        },
    }
}

/// The target runs the primary's code (CodeSha256 of every function).
fn target_code(
    p: &mut Preflight,
    svc: &ServiceState,
    region: &crate::fleet::RegionState,
    target: &str,
) {
    let codes = |r: Option<&crate::fleet::RegionState>| {
        r.and_then(|r| r.functions.as_ref()).map(|f| {
            f.value
                .iter()
                .map(|s| (s.name.clone(), s.code_sha256.clone()))
                .collect::<Vec<_>>()
        })
    };
    let (Some(want), Some(have)) = (codes(svc.primary()), codes(Some(region))) else {
        p.add(
            "target code",
            CheckStatus::Unknown,
            "function configurations have not been read",
        );
        return;
    };
    let unknown: Vec<&str> = want
        .iter()
        .chain(&have)
        .filter(|(_, sha)| sha.is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    if !unknown.is_empty() {
        p.add(
            "target code",
            CheckStatus::Unknown,
            format!("no CodeSha256 for {}", unknown.join(", ")),
        );
        return;
    }
    let differ: Vec<String> = want
        .iter()
        .filter(|(name, sha)| have.iter().find(|(n, _)| n == name).map(|(_, s)| s) != Some(sha))
        .map(|(name, _)| name.clone())
        .collect();
    if differ.is_empty() {
        p.add(
            "target code",
            CheckStatus::Pass,
            "same code (CodeSha256) as the primary",
        );
    } else {
        p.add(
            "target code",
            CheckStatus::Fail,
            format!(
                "{target} runs other code than the primary: {}",
                differ.join(", ")
            ),
        );
    }
}

/// Before undoing a failover: the primary can take the traffic again. `lands_on` is where the
/// plan predicts Route 53 answers afterwards: if the primary fails, removing the inversion lets
/// Route 53 fail over by itself (an inverted failing check counts as healthy and draws the
/// traffic back to it), so failing back then is the fix, not a risk.
pub fn failback(
    fleet: &Fleet,
    svc: &ServiceState,
    lands_on: Option<&str>,
    now: Timestamp,
) -> Preflight {
    let mut p = Preflight::default();
    let primary = svc.service.primary_region().to_string();
    if is_arc(svc) {
        // The routing controls (data plane), the primary's error rate and DNS decide; the
        // health data (Route 53 control plane) is advisory.
        routing_controls_fresh(&mut p, fleet, svc, now);
        advisory_health(&mut p, fleet, svc, &primary, now);
        if let Some(region) = svc.primary() {
            error_rate_check(&mut p, fleet, svc, region, "primary error rate", now);
        }
        dns_answer_check(&mut p, fleet, svc, &primary, now);
        return p;
    }
    health_fresh(&mut p, fleet, svc, &primary, now);
    control_plane_answering(&mut p, fleet, now);
    if let Some(region) = svc.primary().filter(|r| {
        r.health
            .as_ref()
            .is_some_and(|h| h.value.follows_routing_control() || h.value.pinned_unhealthy())
    }) {
        // ARC: the primary's check follows its routing control (Off until the failback);
        // pinned: Route 53 has not checked it since it was pinned. Either way its error rate
        // on the regional name is the evidence that it can take traffic.
        error_rate_check(&mut p, fleet, svc, region, "primary error rate", now);
        return p;
    }
    match svc
        .primary()
        .and_then(|r| r.health.as_ref())
        .map(|h| &h.value)
    {
        None => p.add(
            "primary health check",
            CheckStatus::Unknown,
            format!("the health check of {primary} has not been read"),
        ),
        Some(h) => {
            let elsewhere = lands_on
                .filter(|r| *r != primary)
                .and_then(|r| svc.region(r))
                .and_then(|r| r.health.as_ref())
                .is_some_and(|h| h.value.raw == HealthStatus::Healthy);
            let (status, verdict) = match h.raw {
                HealthStatus::Healthy => (CheckStatus::Pass, "healthy"),
                HealthStatus::Unhealthy if elsewhere => (CheckStatus::Pass, "unhealthy"),
                HealthStatus::Unhealthy => (CheckStatus::Fail, "unhealthy"),
                HealthStatus::Unknown => (CheckStatus::Unknown, "unknown"),
            };
            let then = match lands_on {
                Some(r) if elsewhere => {
                    format!("; Route 53 then fails over to {r} by itself, which is healthy")
                }
                _ => String::new(),
            };
            p.add(
                "primary health check",
                status,
                format!(
                    "{primary} is {verdict} to the checkers{} (inversion ignored){then}",
                    pct(h.checkers_healthy_pct)
                ),
            );
        }
    }
    p
}

/// Before approving: every artifact of the pending revision is in every region.
pub fn approve(svc: &ServiceState, now: Timestamp) -> Preflight {
    let mut p = Preflight::default();
    let r = readiness(svc, now);
    let (status, detail) = match r.verdict {
        Verdict::Ready => (
            CheckStatus::Pass,
            "every artifact of the pending revision is in every region".to_string(),
        ),
        Verdict::NotReady => (CheckStatus::Fail, r.reasons.join("; ")),
        Verdict::Unknown => (CheckStatus::Unknown, r.reasons.join("; ")),
    };
    p.add("replication", status, detail);
    p
}

/// The plan is only as good as the health data it was made from.
fn health_fresh(
    p: &mut Preflight,
    fleet: &Fleet,
    svc: &ServiceState,
    region: &str,
    now: Timestamp,
) {
    let fetched = svc
        .region(region)
        .and_then(|r| r.health.as_ref())
        .map(|h| h.fetched_at);
    let name = svc.service.name.as_str();
    match fleet.freshness(SourceKind::Health, name, region, fetched, now) {
        Freshness::Fresh => p.add(
            "health data fresh",
            CheckStatus::Pass,
            "read within its refresh interval",
        ),
        Freshness::Stale { age, error } => p.add(
            "health data fresh",
            CheckStatus::Fail,
            format!(
                "the health data of {region} is {} old{}",
                super::fmt_secs(age.as_secs()),
                error.map(|e| format!(" ({e})")).unwrap_or_default()
            ),
        ),
        Freshness::Missing { error } => p.add(
            "health data fresh",
            CheckStatus::Unknown,
            format!(
                "no health data for {region} yet{}",
                error.map(|e| format!(" ({e})")).unwrap_or_default()
            ),
        ),
    }
}

fn pct(p: Option<f64>) -> String {
    p.map(|p| format!(" ({p:.0}% of checkers healthy)"))
        .unwrap_or_default()
}
