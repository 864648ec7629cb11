//! Verification: re-read what a plan changed until the change shows (Inverted flags and the
//! serving region; routing control states; the approval no longer waiting).

use super::plan::{Expect, Plan};
use crate::assess::serving_index;
use crate::model::{HealthStatus, Timestamp, effective_status};
use crate::source::{Backend, Payload, SourceKind};

/// Re-read what the plan changes: `Ok` with what was seen once it shows the change.
pub async fn verify(backend: &Backend, plan: &Plan, now: Timestamp) -> Result<String, String> {
    match &plan.expect {
        Expect::HealthChecks {
            inverted,
            serving,
            raw,
        } => {
            let checks = read_health(backend, &plan.service, now).await?;
            for (id, want) in inverted {
                let Some((region, check)) = checks.iter().find(|(_, c)| c.id == *id) else {
                    return Err(format!("health check {id} not found on re-reading"));
                };
                if check.inverted != *want {
                    return Err(format!(
                        "health check {id} ({region}) still reads Inverted={}",
                        check.inverted
                    ));
                }
            }
            let order: Vec<String> = backend
                .services()
                .into_iter()
                .find(|s| s.name == plan.service)
                .map(|s| s.regions)
                .unwrap_or_default();
            let mut from_plan = false;
            let statuses: Vec<HealthStatus> = order
                .iter()
                .map(|r| {
                    let Some((_, c)) = checks.iter().find(|(region, _)| region == r) else {
                        return HealthStatus::Unknown;
                    };
                    let planned = raw.iter().find(|(region, _)| region == r).map(|(_, s)| *s);
                    let raw = match (c.raw, planned) {
                        (HealthStatus::Unknown, Some(known)) if known != HealthStatus::Unknown => {
                            from_plan = true;
                            known
                        }
                        (now, _) => now,
                    };
                    effective_status(raw, c.inverted, c.disabled)
                })
                .collect();
            match serving_index(&statuses).and_then(|i| order.get(i)) {
                Some(now_serving) if now_serving == serving => Ok(format!(
                    "Inverted flags as planned; Route 53 now answers with {serving}{}",
                    if from_plan {
                        " (from the flags read now and the checkers' verdicts read when planned)"
                    } else {
                        ""
                    }
                )),
                Some(other) => Err(format!(
                    "flags as planned, but Route 53 still answers with {other}"
                )),
                None => Err("flags as planned, but the serving region cannot be told".into()),
            }
        }
        Expect::RoutingControls {
            cluster_endpoints,
            states,
        } => {
            let arns: Vec<String> = states.iter().map(|(arn, _)| arn.clone()).collect();
            let seen = backend
                .routing_control_states(cluster_endpoints, &arns)
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
            for spec in backend.plan().iter().filter(|s| {
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

/// Every health check of a service, by region, read fresh from the backend.
async fn read_health(
    backend: &Backend,
    service: &str,
    now: Timestamp,
) -> Result<Vec<(String, crate::model::HealthCheck)>, String> {
    let mut checks = Vec::new();
    for spec in backend.plan().iter().filter(|s| {
        s.key.kind == SourceKind::Health && s.covers.iter().any(|(sv, _)| sv == service)
    }) {
        let fetched = backend.fetch(&spec.key, now).await;
        match fetched.result {
            Ok(Payload::Health(entries)) => checks.extend(
                entries
                    .into_iter()
                    .filter(|e| e.service == service)
                    .map(|e| (e.region, e.value)),
            ),
            Ok(_) => {}
            Err(e) => return Err(format!("re-reading health checks: {}", e.message)),
        }
    }
    Ok(checks)
}
