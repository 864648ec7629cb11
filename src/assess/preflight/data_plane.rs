//! Which plane a failover rests on. `arc` moves traffic through the data plane (routing
//! controls read from the cluster endpoints, what DNS answers), so Route 53 control-plane data
//! is advisory for it; the health-check mechanisms change health checks through the Route 53
//! control plane, so they need it answering (README, "When the Route 53 control plane is down").

use super::{Check, CheckStatus, Preflight, health_fresh};
use crate::fleet::{Fleet, Freshness, ServiceState};
use crate::model::{Failover, Timestamp};
use crate::source::SourceKind;

pub(super) fn is_arc(svc: &ServiceState) -> bool {
    matches!(svc.service.failover, Failover::Arc { .. })
}

/// For `arc`, Route 53 control-plane data is advisory: what would refuse becomes a warning,
/// saying that the ARC failover does not depend on it.
pub(super) fn advisory(checks: &mut [Check]) {
    for c in checks.iter_mut().filter(|c| c.status.blocks()) {
        c.status = CheckStatus::Warn;
        c.detail
            .push_str(" (advisory for arc: Route 53 control-plane data)");
    }
}

/// `arc`: the health checks (Route 53 control plane), shown but advisory.
pub(super) fn advisory_health(
    p: &mut Preflight,
    fleet: &Fleet,
    svc: &ServiceState,
    region: &str,
    now: Timestamp,
) {
    let before = p.checks.len();
    health_fresh(p, fleet, svc, region, now);
    advisory(&mut p.checks[before..]);
}

/// `arc`: every region's routing control read from the cluster endpoints (data plane), fresh.
/// What the change rests on: the states it sets, and what Route 53 follows.
pub(super) fn routing_controls_fresh(
    p: &mut Preflight,
    fleet: &Fleet,
    svc: &ServiceState,
    now: Timestamp,
) {
    let name = "routing controls fresh";
    let mut problems = Vec::new();
    let mut states = Vec::new();
    let mut missing = false;
    for r in &svc.regions {
        let read = r.routing_control.as_ref();
        match fleet.freshness(
            SourceKind::RoutingControl,
            &svc.service.name,
            &r.region,
            read.map(|c| c.fetched_at),
            now,
        ) {
            Freshness::Fresh => {}
            Freshness::Stale { age, error } => problems.push(format!(
                "the routing control of {} is {} old{}",
                r.region,
                crate::assess::fmt_secs(age.as_secs()),
                error.map(|e| format!(" ({e})")).unwrap_or_default()
            )),
            Freshness::Missing { error } => {
                missing = true;
                problems.push(format!(
                    "the routing control of {} has not been read{}",
                    r.region,
                    error.map(|e| format!(" ({e})")).unwrap_or_default()
                ));
            }
        }
        if let Some(c) = read {
            states.push(format!("{} {}", r.region, c.value.state()));
        }
    }
    if problems.is_empty() {
        p.add(
            name,
            CheckStatus::Pass,
            format!("read from the ARC cluster: {}", states.join(", ")),
        );
    } else {
        p.add(
            name,
            if missing {
                CheckStatus::Unknown
            } else {
                CheckStatus::Fail
            },
            problems.join("; "),
        );
    }
}

/// What the authoritative name servers answer for the shared name (the `dns` source: data
/// plane, asked directly, so it stays readable while the Route 53 API is down), for the `arc`
/// preflight. It tells where traffic goes now and whether the move can be verified through DNS:
/// - an answer that leads to no region (NXDOMAIN, an unknown target) fails: the routing
///   controls would move nothing DNS serves;
/// - DNS not asked or stale is advisory (`warn`): verification then rests on the routing
///   controls alone;
/// - an answer other than the routing controls predict is advisory too (a change propagating;
///   the `dns_disagrees` finding says when it lasts).
pub(super) fn dns_answer_check(
    p: &mut Preflight,
    fleet: &Fleet,
    svc: &ServiceState,
    target: &str,
    now: Timestamp,
) {
    let name = "DNS answers";
    let domain = &svc.service.domain;
    let Some(dns) = &svc.dns else {
        p.add(
            name,
            CheckStatus::Warn,
            format!(
                "the name servers of {domain} were not asked (no `[dns] nameservers` and no                  delegation set read): verification will rest on the routing controls"
            ),
        );
        return;
    };
    let fresh = fleet.freshness(
        SourceKind::Dns,
        &svc.service.name,
        svc.service.primary_region(),
        Some(dns.fetched_at),
        now,
    );
    let truth = &dns.value;
    let server = truth.nameserver.as_deref().unwrap_or("?");
    if let Some(error) = &truth.error {
        p.add(
            name,
            CheckStatus::Warn,
            format!(
                "no name server of {domain} answered ({error}): verification will rest on the                  routing controls"
            ),
        );
        return;
    }
    if fresh != crate::fleet::Freshness::Fresh {
        p.add(
            name,
            CheckStatus::Warn,
            format!(
                "the last DNS answer for {domain} is stale: verification asks again, else                  rests on the routing controls"
            ),
        );
        return;
    }
    match truth.answer_region.as_deref() {
        None => p.add(
            name,
            CheckStatus::Fail,
            format!(
                "{server} answers {domain} with no region ({}): moving routing controls would                  not move what DNS serves",
                truth.note.as_deref().unwrap_or("unknown")
            ),
        ),
        Some(r) if Some(r) == svc.predicted_region() || r == target => p.add(
            name,
            CheckStatus::Pass,
            format!(
                "{server} answers {domain} with {r}{}; verification waits for it to answer {target}",
                truth.ttl_s.map(|t| format!(" (TTL {t} s)")).unwrap_or_default()
            ),
        ),
        Some(r) => p.add(
            name,
            CheckStatus::Warn,
            format!(
                "{server} answers {domain} with {r}, not {} as the routing controls say (a                  change still propagating?)",
                svc.predicted_region().unwrap_or("the region")
            ),
        ),
    }
}

/// `invert-health-check` and `pin-unhealthy` change health checks with UpdateHealthCheck, a
/// Route 53 control-plane call (us-east-1): when the Route 53 API is failing (the health
/// source's last fetch failed), the change would fail too.
pub(super) fn control_plane_answering(p: &mut Preflight, fleet: &Fleet, now: Timestamp) {
    let name = "Route 53 control plane";
    let key = crate::source::SourceKey::new(SourceKind::Health, fleet.control_region.clone());
    let Some(status) = fleet.sources.get(&key) else {
        return;
    };
    let since = |t: Option<Timestamp>| {
        t.map_or("never".to_string(), |t| {
            format!(
                "{} ago",
                crate::assess::fmt_secs((now - t).to_std().unwrap_or_default().as_secs())
            )
        })
    };
    match &status.error {
        Some(e) => p.add(
            name,
            CheckStatus::Fail,
            format!(
                "the Route 53 API in {} is failing ({}; last answered {}): this mechanism needs \
                 the Route 53 control plane (UpdateHealthCheck); fail over an `arc` service \
                 instead, or force",
                fleet.control_region,
                e.message,
                since(status.last_ok)
            ),
        ),
        // Not asked yet: the health data's own check says it is missing.
        None if status.last_ok.is_none() => {}
        None => p.add(
            name,
            CheckStatus::Pass,
            format!(
                "the Route 53 API in {} answered {}",
                fleet.control_region,
                since(status.last_ok)
            ),
        ),
    }
}
