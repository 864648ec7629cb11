//! Verification: re-read what a plan changed until the change shows (Inverted flags and the
//! serving region; routing control states; the approval no longer waiting).

use super::plan::{ActionKind, Expect, Plan};
use crate::model::serving_index;
use crate::model::{HealthStatus, Timestamp, effective_status};
use crate::source::Clock;
use crate::source::{Backend, Payload, SourceKind};
use std::time::Duration;

/// Re-read what the plan changes: `Ok` with what was seen once it shows the change.
pub async fn verify(backend: &Backend, plan: &Plan, now: Timestamp) -> Result<String, String> {
    match &plan.expect {
        Expect::HealthChecks {
            inverted,
            disabled,
            serving,
            checks,
        } => {
            let ids: Vec<String> = checks.iter().map(|(_, id, _)| id.clone()).collect();
            let flags = backend
                .health_flags(&ids, now)
                .await
                .map_err(|e| format!("re-reading the health checks: {}", e.message))?;
            let flag = |id: &str| flags.iter().find(|(i, _, _)| i == id);
            for (id, want) in inverted {
                match flag(id) {
                    None => return Err(format!("health check {id} not found on re-reading")),
                    Some((_, now_inverted, _)) if now_inverted != want => {
                        return Err(format!(
                            "health check {id} still reads Inverted={now_inverted}"
                        ));
                    }
                    Some(_) => {}
                }
            }
            for (id, want) in disabled {
                match flag(id) {
                    Some((_, _, now_disabled)) if now_disabled != want => {
                        return Err(format!(
                            "health check {id} still reads Disabled={now_disabled}"
                        ));
                    }
                    None => return Err(format!("health check {id} not found on re-reading")),
                    Some(_) => {}
                }
            }
            // The checkers' verdicts as planned, with the flags as they are now.
            let statuses: Vec<HealthStatus> = checks
                .iter()
                .map(|(_, id, raw)| {
                    // No ID: a record without a health check (always eligible, planned as
                    // healthy) or one not read (unknown).
                    if id.is_empty() {
                        return *raw;
                    }
                    flag(id).map_or(HealthStatus::Unknown, |(_, inverted, disabled)| {
                        effective_status(*raw, *inverted, *disabled)
                    })
                })
                .collect();
            match serving_index(&statuses).and_then(|i| checks.get(i)) {
                Some((now_serving, _, _)) if now_serving == serving => Ok(format!(
                    "{} flags read back as planned; Route 53 should now answer with {serving}",
                    if disabled.is_empty() {
                        "Inverted"
                    } else {
                        "Inverted and Disabled"
                    }
                )),
                Some((other, _, _)) => Err(format!(
                    "flags as planned, but with them Route 53 answers with {other}, not {serving}"
                )),
                // Un-pinned checks have no verdict yet (Route 53 did not check them while
                // disabled): the flags are what this action set.
                None if disabled.iter().any(|(_, d)| !d) => Ok(format!(
                    "Inverted and Disabled flags read back as planned; the un-pinned checks have \
                     no checkers' verdict yet, so whether Route 53 answers with {serving} shows \
                     once the checkers have run"
                )),
                None => Err("flags as planned, but where Route 53 answers cannot be told".into()),
            }
        }
        Expect::RoutingControls {
            cluster_endpoints,
            states,
        } => {
            let arns: Vec<String> = states.iter().map(|(arn, _)| arn.clone()).collect();
            let seen = backend
                .routing_control_states(cluster_endpoints, &arns, now)
                .await
                .map_err(|e| e.message)?;
            for (arn, want) in states {
                let on = seen.iter().find(|(a, _)| a == arn).map(|(_, on)| *on);
                if on != Some(*want) {
                    return Err(format!(
                        "routing control {arn} reads {}",
                        match on {
                            Some(true) => "On",
                            Some(false) => "Off",
                            None => "nothing",
                        }
                    ));
                }
            }
            Ok("every routing control reads as planned".into())
        }
        Expect::ApprovalAnswered { token } => {
            for spec in backend.schedule().iter().filter(|s| {
                s.key.kind == SourceKind::Pipeline
                    && s.covers.iter().any(|(sv, _)| *sv == plan.service)
            }) {
                let fetched = backend.fetch(&spec.key, now).await;
                let Ok(Payload::Pipeline(entries)) = fetched.result else {
                    return Err(fetched
                        .result
                        .err()
                        .map_or("unexpected payload".into(), |e| e.message));
                };
                if let Some(p) = entries.iter().find(|e| e.service == plan.service) {
                    return match &p.value.pending {
                        Some(pending) if pending.token == *token => {
                            Err("the approval is still waiting".into())
                        }
                        _ => Ok(format!(
                            "the approval is answered; stages: {}",
                            p.value
                                .stages
                                .iter()
                                .map(|s| format!(
                                    "{} {}",
                                    s.name,
                                    s.status.as_deref().unwrap_or("-")
                                ))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    };
                }
            }
            Err(format!(
                "the pipeline of {} was not found on re-reading",
                plan.service
            ))
        }
    }
}

/// After the flags of a failover or failback verified: what the authoritative name servers say.
#[derive(Debug, Clone, PartialEq)]
pub enum DnsCheck {
    /// They answer with the target: the line for `verified`.
    Confirmed(String),
    /// DNS could not be asked (no name servers known, all silent): verified on the flags.
    Unavailable(String),
    /// They still answer another region when the wait ended (the TTL plus 30 s).
    NotYet(String),
}

/// How long to wait for DNS beyond the record's TTL (resolvers may serve the old answer for
/// the TTL; Route 53 propagates a change to its name servers well within this).
pub const DNS_GRACE: Duration = Duration::from_secs(30);
/// The TTL assumed while none was read (the TTL of API Gateway regional targets' answers).
const DNS_DEFAULT_TTL_S: u32 = 60;

/// Ask the service's authoritative name servers (`Backend::dns_truth`, the `dns` source's path)
/// until they answer with the plan's target, at most the record's TTL plus [`DNS_GRACE`] of
/// the clock's time; each answer is a `progress` line. `since` is when the change was made.
/// A clock that stands still (tests, `snapshot`) is asked once.
pub async fn wait_for_dns(
    backend: &Backend,
    plan: &Plan,
    clock: &Clock,
    since: Timestamp,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Option<DnsCheck> {
    if !matches!(plan.action, ActionKind::Failover | ActionKind::Failback) {
        return None;
    }
    let target = plan.target.as_str();
    let mut deadline: Option<Timestamp> = None;
    loop {
        let now = clock.now();
        let truth = match backend.dns_truth(&plan.service, now).await {
            Ok(truth) => truth,
            Err(e) => {
                return Some(DnsCheck::Unavailable(format!(
                    "DNS could not be asked ({}); verified without it",
                    e.message
                )));
            }
        };
        let server = truth.nameserver.clone().unwrap_or_else(|| "?".into());
        let waited = (now - since).num_seconds().max(0);
        if let Some(error) = &truth.error {
            return Some(DnsCheck::Unavailable(format!(
                "DNS could not be asked ({error}); verified without it"
            )));
        }
        let answered = truth.answer_region.as_deref();
        if answered == Some(target) {
            return Some(DnsCheck::Confirmed(format!(
                "DNS ({server}) answers {target} after {waited} s"
            )));
        }
        let what = answered.map_or_else(
            || format!("no region ({})", truth.note.as_deref().unwrap_or("unknown")),
            str::to_string,
        );
        let ttl = truth.ttl_s.unwrap_or(DNS_DEFAULT_TTL_S);
        let end = *deadline.get_or_insert_with(|| {
            now + chrono::Duration::seconds(i64::from(ttl))
                + chrono::Duration::from_std(DNS_GRACE).unwrap_or_default()
        });
        if matches!(clock, Clock::Fixed(_)) {
            return Some(DnsCheck::NotYet(format!(
                "DNS ({server}) still answers {what}; it follows within the TTL ({ttl} s)"
            )));
        }
        if now >= end {
            return Some(DnsCheck::NotYet(format!(
                "DNS ({server}) still answers {what} after {waited} s (TTL {ttl} s + {} s)",
                DNS_GRACE.as_secs()
            )));
        }
        progress(format!(
            "waiting for DNS: {server} answers {what} (ttl {ttl} s), not yet {target} ({waited} s)"
        ));
        tokio::time::sleep(clock.wall(Duration::from_secs(2))).await;
    }
}
