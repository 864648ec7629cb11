//! Findings: what is wrong or worth knowing about a service, with the codes of the JSON contract.

use super::{Verdict, error_rate, fmt_secs, readiness, tracked_artifacts};
use crate::fleet::{Fleet, ServiceState};
use crate::model::{Finding, FindingCode, HealthStatus, ReplicaStatus, Severity, Timestamp};

pub fn findings(fleet: &Fleet, svc: &ServiceState, now: Timestamp) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |severity, code, region: Option<&str>, subject: Option<&str>, message: String| {
        out.push(Finding {
            severity,
            code,
            region: region.map(str::to_string),
            subject: subject.map(str::to_string),
            message,
        })
    };
    let t = &fleet.thresholds;
    let primary_code = |function: &str| {
        svc.primary()
            .and_then(|r| r.functions.as_ref())
            .and_then(|f| f.value.iter().find(|s| s.name == function))
            .and_then(|s| s.code_sha256.clone())
    };

    for r in &svc.regions {
        let region = Some(r.region.as_str());
        if let Some(h) = &r.health {
            let h = &h.value;
            // A RECOVERY_CONTROL check is unhealthy because its routing control is Off: that is
            // the standby's normal state, not a failure (the error rates judge the endpoint).
            if h.raw == HealthStatus::Unhealthy && !h.follows_routing_control() {
                let pct = h
                    .checkers_healthy_pct
                    .map(|p| format!(" ({p:.0}% of checkers healthy)"))
                    .unwrap_or_default();
                add(
                    Severity::Critical,
                    FindingCode::HealthUnhealthy,
                    region,
                    Some(h.id.as_str()),
                    format!("health check {} in {} is unhealthy{pct}", h.id, r.region),
                );
            }
            if h.raw == HealthStatus::Healthy
                && let Some(pct) = h.checkers_healthy_pct.filter(|p| *p < 100.0)
            {
                add(
                    Severity::Warning,
                    FindingCode::HealthUnhealthy,
                    region,
                    Some(h.id.as_str()),
                    format!(
                        "{:.0}% of Route 53 checkers see {} failing; it still counts as healthy above 18%",
                        100.0 - pct,
                        r.region
                    ),
                );
            }
            if h.inverted && h.raw == HealthStatus::Unhealthy && !h.disabled {
                // Inversion flips both ways: a failing endpoint whose check is inverted counts
                // as healthy, and Route 53 may send the traffic straight back to it.
                add(
                    Severity::Critical,
                    FindingCode::HealthInverted,
                    region,
                    Some(h.id.as_str()),
                    format!(
                        "health check {} is inverted while {} fails: Route 53 counts it healthy \
                         and may serve it; fail back (remove the inversion) so Route 53 fails \
                         over by itself",
                        h.id, r.region
                    ),
                );
            } else if h.pinned_unhealthy() {
                add(
                    Severity::Warning,
                    FindingCode::HealthInverted,
                    region,
                    Some(h.id.as_str()),
                    format!(
                        "health check {} is pinned unhealthy (Disabled and Inverted): Route 53 \
                         treats {} as unhealthy without checking it (manual failover in effect; \
                         no checker data until failback)",
                        h.id, r.region
                    ),
                );
            } else if h.disabled {
                // API reference, UpdateHealthCheck `Disabled`: counted healthy, not checked.
                add(
                    Severity::Warning,
                    FindingCode::HealthInverted,
                    region,
                    Some(h.id.as_str()),
                    format!(
                        "health check {} is Disabled: Route 53 counts {} healthy without checking \
                         it, whatever the endpoint does",
                        h.id, r.region
                    ),
                );
            } else if h.inverted {
                add(
                    Severity::Warning,
                    FindingCode::HealthInverted,
                    region,
                    Some(h.id.as_str()),
                    format!(
                        "health check {} is inverted: Route 53 treats {} as {} (manual failover in effect)",
                        h.id,
                        r.region,
                        h.effective().label()
                    ),
                );
            }
        }

        if let Some(domains) = &r.domains {
            let expected = [
                svc.service.domain.clone(),
                svc.service.regional_hostname(&r.region),
            ];
            for name in &expected {
                match domains.value.iter().find(|d| &d.name == name) {
                    None => add(
                        Severity::Critical,
                        FindingCode::DomainMissing,
                        region,
                        Some(name.as_str()),
                        format!(
                            "{name} has no API Gateway custom domain in {}: traffic sent there fails",
                            r.region
                        ),
                    ),
                    Some(d) => {
                        if d.drift() {
                            add(
                                Severity::Critical,
                                FindingCode::DnsDrift,
                                region,
                                Some(name.as_str()),
                                match &d.dns_target {
                                    Some(dns) => format!(
                                        "Route 53 record for {name} in {} points at {dns}, but the custom domain's target is {}",
                                        r.region,
                                        d.regional_target.as_deref().unwrap_or("?")
                                    ),
                                    None => {
                                        format!("no Route 53 record for {name} in {}", r.region)
                                    }
                                },
                            );
                        }
                        if d.mappings.is_empty() {
                            add(
                                Severity::Critical,
                                FindingCode::MappingMissing,
                                region,
                                Some(name.as_str()),
                                format!("{name} in {} has no API mapping", r.region),
                            );
                        }
                    }
                }
            }
        }

        if let Some(functions) = &r.functions {
            for f in &functions.value {
                if let Some(rate) = error_rate(f.invocations, f.errors) {
                    let severity = if rate >= t.error_rate_crit_pct {
                        Some(Severity::Critical)
                    } else if rate >= t.error_rate_warn_pct {
                        Some(Severity::Warning)
                    } else {
                        None
                    };
                    if let Some(severity) = severity {
                        add(
                            severity,
                            FindingCode::ErrorRateHigh,
                            region,
                            Some(f.name.as_str()),
                            format!(
                                "{} in {}: {rate:.1}% errors ({} of {} invocations)",
                                f.name,
                                r.region,
                                f.errors.unwrap_or_default(),
                                f.invocations.unwrap_or_default()
                            ),
                        );
                    }
                }
                if let (Some(code), Some(primary)) = (&f.code_sha256, primary_code(&f.name))
                    && *code != primary
                {
                    add(
                        Severity::Warning,
                        FindingCode::CodeMismatch,
                        region,
                        Some(f.name.as_str()),
                        format!(
                            "{} in {} runs different code than in {} (CodeSha256 {} vs {})",
                            f.name,
                            r.region,
                            svc.service.primary_region(),
                            short(code),
                            short(&primary)
                        ),
                    );
                }
            }
        }
    }

    for artifact in tracked_artifacts(svc, now) {
        for r in artifact.regions.iter().filter(|r| !r.is_source) {
            let region = Some(r.region.as_str());
            let lag = r.lag_s.unwrap_or_default();
            match r.status {
                ReplicaStatus::Pending => {
                    let severity = if lag >= t.replication_lag_crit.as_secs() {
                        Severity::Critical
                    } else if lag >= t.replication_lag_warn.as_secs() {
                        Severity::Warning
                    } else {
                        Severity::Info
                    };
                    add(
                        severity,
                        FindingCode::ReplicationPending,
                        region,
                        Some(artifact.key.as_str()),
                        format!(
                            "{} not yet in {} (waiting {})",
                            artifact.key,
                            r.region,
                            fmt_secs(lag)
                        ),
                    );
                }
                ReplicaStatus::Failed => add(
                    Severity::Critical,
                    FindingCode::ReplicationFailed,
                    region,
                    Some(artifact.key.as_str()),
                    format!(
                        "replication of {} to {} failed; S3 does not retry it: re-upload or copy it",
                        artifact.key, r.region
                    ),
                ),
                ReplicaStatus::Missing => add(
                    if artifact.pending_revision {
                        Severity::Critical
                    } else {
                        Severity::Warning
                    },
                    FindingCode::ArtifactMissing,
                    region,
                    Some(artifact.key.as_str()),
                    format!(
                        "{} ({}) is missing in {}",
                        artifact.key,
                        short(&artifact.version_id),
                        r.region
                    ),
                ),
                ReplicaStatus::Completed | ReplicaStatus::Unknown => {}
            }
        }
    }

    for r in &svc.regions {
        for m in r.replication_metrics.iter().flat_map(|m| &m.value) {
            if let Some(failed) = m.operations_failed.filter(|f| *f > 0.0) {
                add(
                    Severity::Critical,
                    FindingCode::ReplicationFailed,
                    Some(r.region.as_str()),
                    Some(m.rule_id.as_str()),
                    format!(
                        "S3 reports {failed:.0} failed replication operations to {} (rule {}) in the last 15 minutes; S3 does not retry them",
                        m.destination_bucket, m.rule_id
                    ),
                );
            }
        }
    }

    if let Some(pending) = svc.pipeline.as_ref().and_then(|p| p.value.pending.as_ref()) {
        let waiting = (now - pending.since).num_seconds().max(0) as u64;
        let verdict = match readiness(svc, now).verdict {
            Verdict::Ready => "ready to approve",
            Verdict::NotReady => "NOT ready: artifacts still replicating",
            Verdict::Unknown => "readiness unknown",
        };
        add(
            Severity::Info,
            FindingCode::ApprovalPending,
            None,
            None,
            format!(
                "approval {}/{} waiting for {}: {verdict}",
                pending.stage,
                pending.action,
                fmt_secs(waiting)
            ),
        );
    }

    if let Some(message) = dns_disagrees(fleet, svc, now) {
        add(
            Severity::Critical,
            FindingCode::DnsDisagrees,
            None,
            None,
            message,
        );
    }

    // A caller outside the account an API's pin names for this service: its reads of that API
    // come from the wrong account.
    for caller in &fleet.callers {
        for pin in caller
            .wrong_account
            .iter()
            .filter(|p| p.services.contains(&svc.service.name))
        {
            add(
                Severity::Critical,
                FindingCode::WrongAccount,
                None,
                Some(pin.api.as_str()),
                format!(
                    "{} is read as {} ({}), in account {}, but {} pins {}: these reads come                      from the wrong account, and actions through them are refused",
                    pin.api,
                    caller.arn.as_deref().unwrap_or("an unknown caller"),
                    caller.credentials,
                    caller.account.as_deref().unwrap_or("unknown"),
                    pin.key,
                    pin.account_id
                ),
            );
        }
    }

    for (key, status) in &fleet.sources {
        let covers = status.covers.iter().any(|(s, _)| *s == svc.service.name);
        if let (true, Some(error)) = (covers, Fleet::problem(status)) {
            add(
                Severity::Warning,
                FindingCode::SourceError,
                Some(key.region.as_str()),
                Some(key.kind.name()),
                format!("{key}: {}", error.message),
            );
        }
    }

    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

/// DNS has answered with another region than the health model predicts for longer than the
/// answer's TTL plus one DNS refresh (`model::dns_disagreement_overdue`): Route 53 is not doing
/// what its health checks say, or the health data is wrong.
fn dns_disagrees(fleet: &Fleet, svc: &ServiceState, now: Timestamp) -> Option<String> {
    let since = svc.dns_disagrees_since?;
    let dns = &svc.dns.as_ref()?.value;
    let answered = dns.answer_region.as_deref()?;
    let predicted = svc.predicted_region()?;
    let refresh = fleet
        .source_for(
            crate::source::SourceKind::Dns,
            &svc.service.name,
            svc.service.primary_region(),
        )
        .map_or(std::time::Duration::from_secs(15), |(_, s)| s.interval);
    if !crate::model::dns_disagreement_overdue(since, now, dns.ttl_s, refresh) {
        return None;
    }
    let lasted = (now - since).num_seconds().max(0) as u64;
    Some(format!(
        "DNS ({}) answers {} with {answered}, but the health checks say {predicted} serves \
         (for {}, longer than the TTL {}s plus one refresh)",
        dns.nameserver.as_deref().unwrap_or("?"),
        dns.name,
        fmt_secs(lasted),
        dns.ttl_s.unwrap_or(0)
    ))
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
