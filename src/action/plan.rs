//! Plans: the exact calls an action will make, what they are based on, what they will do, and
//! the preflight verdict. Built purely from the state; the same value is shown, logged and run.

use super::flags::{Want, past, pin};
use crate::assess::{self, preflight, preflight::Preflight};
use crate::fleet::{Fleet, ServiceState};
use crate::model::serving_index;
use crate::model::{CheckKind, Failover, HealthStatus, Timestamp};
use crate::source::call::{Call, OnOff, RoutingControlEntry};
use serde::Serialize;

pub use super::approval::approval;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Failover,
    Failback,
    Approve,
    Reject,
}

impl ActionKind {
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Failover => "failover",
            ActionKind::Failback => "failback",
            ActionKind::Approve => "approve",
            ActionKind::Reject => "reject",
        }
    }
}

/// What verification re-reads after the calls, and what it must find.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expect {
    /// Each listed health check's Inverted flag (and Disabled flag, where the plan sets it),
    /// and the region Route 53 must then serve.
    HealthChecks {
        inverted: Vec<(String, bool)>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        disabled: Vec<(String, bool)>,
        serving: String,
        /// Every check of the service in failover order: (region, id, the checkers' verdict
        /// when planned). Inversion does not change the verdict, so verification reads back
        /// only the flags (cheap GetHealthCheck calls) and combines them with these, instead
        /// of the rationed GetHealthCheckStatus for the whole fleet.
        checks: Vec<(String, String, HealthStatus)>,
    },
    /// Each routing control's state (true = On).
    RoutingControls {
        cluster_endpoints: Vec<String>,
        states: Vec<(String, bool)>,
    },
    /// The approval with this token is no longer waiting.
    ApprovalAnswered { token: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub action: ActionKind,
    pub service: String,
    /// A region, or the pipeline's name.
    pub target: String,
    /// What the user types to confirm: `SERVICE/REGION`, or the pipeline's name.
    pub confirm: String,
    pub calls: Vec<Call>,
    /// The state read that the calls rely on (versions, tokens), with when it was read.
    pub based_on: Vec<String>,
    /// The predicted effect, in a sentence.
    pub effect: String,
    /// The region Route 53 should answer with afterwards, where it can be told (failover and
    /// failback only).
    pub predicted: Option<String>,
    /// Whether the calls need the Route 53 control plane (us-east-1), which AWS advises not to
    /// depend on in a recovery.
    pub uses_control_plane: bool,
    pub control_plane: String,
    pub expect: Expect,
    pub preflight: Preflight,
    /// An ARC safety rule blocked the same change before: which rules, and whether this plan
    /// overrides them (only when forced with a reason). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_rules: Option<SafetyRuleBlock>,
    /// When the oldest of the data the plan rests on was read (the backend's clock): with a
    /// team, an action by someone else on the service recorded after it makes the plan stale.
    #[serde(skip)]
    pub made_at: Option<Timestamp>,
}

/// The safety rules that blocked an earlier attempt of the same change (from its audit record).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafetyRuleBlock {
    /// The audit id of the blocked attempt.
    pub audit_id: String,
    pub blocked_at: Timestamp,
    /// The rule ARNs the ConflictException named.
    pub rules: Vec<String>,
    /// Whether this plan sends them as SafetyRulesToOverride.
    pub overridden: bool,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("no service {0:?} (known: {1})")]
    UnknownService(String, String),
    #[error("{service} has no region {region:?} (its regions: {known})")]
    UnknownRegion {
        service: String,
        region: String,
        known: String,
    },
    #[error("nothing to do: {0}")]
    NothingToDo(String),
    #[error("cannot plan yet: {0}")]
    NotKnown(String),
    /// The mechanism cannot do what was asked in the current state.
    #[error("cannot do this: {0}")]
    Impossible(String),
}

impl Plan {
    /// What the audit log records as `request`: the calls, as sent.
    pub fn request(&self) -> serde_json::Value {
        serde_json::to_value(&self.calls).unwrap_or(serde_json::Value::Null)
    }

    /// Whether any call overrides an ARC safety rule (break glass).
    pub fn overrides_safety_rules(&self) -> bool {
        self.calls.iter().any(|c| {
            matches!(c, Call::UpdateRoutingControlStates { safety_rules_to_override, .. }
                if !safety_rules_to_override.is_empty())
        })
    }

    /// ARC break glass: when the latest result of an action on this service in the audit log
    /// is a safety-rule conflict of the same routing-control change, name the rules; when
    /// `forced` (--force --reason), send them as SafetyRulesToOverride. The rule ARNs are only
    /// known from that blocked attempt's answer (reading them beforehand would need the ARC
    /// control-plane API), so overriding takes two steps: the blocked attempt, then this plan,
    /// shown and confirmed with exactly what it sends (README, "Guarded actions").
    pub fn with_safety_rule_override(
        mut self,
        records: &[super::audit::AuditRecord],
        forced: bool,
    ) -> Plan {
        let Some(block) = safety_rule_block(records, &self) else {
            return self;
        };
        if forced {
            for call in &mut self.calls {
                if let Call::UpdateRoutingControlStates {
                    safety_rules_to_override,
                    ..
                } = call
                {
                    safety_rules_to_override.clone_from(&block.rules);
                }
            }
            self.based_on.push(format!(
                "the same change was blocked at {} by ARC safety rule(s) {} (audit {}): \
                 overridden with SafetyRulesToOverride (break glass, --force --reason)",
                block.blocked_at.format("%H:%M:%S UTC"),
                block.rules.join(", "),
                block.audit_id
            ));
        } else {
            self.based_on.push(format!(
                "the same change was blocked at {} by ARC safety rule(s) {} (audit {}): not \
                 overridden; to override (break glass) add --force --reason TEXT",
                block.blocked_at.format("%H:%M:%S UTC"),
                block.rules.join(", "),
                block.audit_id
            ));
        }
        self.safety_rules = Some(SafetyRuleBlock {
            overridden: forced,
            ..block
        });
        self
    }
}

/// The request without any SafetyRulesToOverride: what identifies a routing-control change.
fn change_of(request: &serde_json::Value) -> serde_json::Value {
    let mut request = request.clone();
    if let Some(calls) = request.as_array_mut() {
        for call in calls {
            if let Some(call) = call.as_object_mut() {
                call.remove("SafetyRulesToOverride");
            }
        }
    }
    request
}

/// The safety-rule conflict of the latest result for this plan's service, if it was the same
/// routing-control change.
fn safety_rule_block(
    records: &[super::audit::AuditRecord],
    plan: &Plan,
) -> Option<SafetyRuleBlock> {
    if !matches!(plan.expect, Expect::RoutingControls { .. }) {
        return None;
    }
    let last = records
        .iter()
        .rev()
        .find(|r| r.service == plan.service && r.phase == super::audit::Phase::Result)?;
    if last.outcome.as_deref() != Some(super::audit::outcome::CONFLICT)
        || change_of(&last.request) != change_of(&plan.request())
    {
        return None;
    }
    let rules = crate::source::call::safety_rule_arns(last.error.as_deref()?);
    (!rules.is_empty()).then(|| SafetyRuleBlock {
        audit_id: last.id.clone(),
        blocked_at: last.ts,
        rules,
        overridden: false,
    })
}

pub(super) fn service<'a>(fleet: &'a Fleet, name: &str) -> Result<&'a ServiceState, PlanError> {
    fleet.service(name).ok_or_else(|| {
        PlanError::UnknownService(
            name.to_string(),
            fleet
                .services
                .iter()
                .map(|s| s.service.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )
    })
}

fn serving_now(svc: &ServiceState) -> String {
    assess::serving_region(svc).map_or("unknown".to_string(), str::to_string)
}

/// Move the service's shared name to `target`.
pub fn failover(
    fleet: &Fleet,
    name: &str,
    target: &str,
    now: Timestamp,
) -> Result<Plan, PlanError> {
    let svc = service(fleet, name)?;
    let regions = &svc.service.regions;
    let Some(index) = regions.iter().position(|r| r == target) else {
        return Err(PlanError::UnknownRegion {
            service: name.to_string(),
            region: target.to_string(),
            known: regions.join(", "),
        });
    };
    let serving = serving_now(svc);
    if serving == target {
        return Err(PlanError::NothingToDo(format!(
            "{} is already served by {target}",
            svc.service.domain
        )));
    }
    let ahead = &regions[..index];
    let mut plan = match &svc.service.failover {
        Failover::InvertHealthCheck => past(svc, ahead, target)
            .and_then(|wanted| invert_plan(fleet, svc, &wanted, target))
            .map_err(|e| needs_control_plane(fleet, e))?,
        Failover::PinUnhealthy => pin(svc, ahead, target)
            .and_then(|wanted| invert_plan(fleet, svc, &wanted, target))
            .map_err(|e| needs_control_plane(fleet, e))?,
        Failover::Arc {
            cluster_endpoints,
            routing_controls,
        } => arc_plan(svc, cluster_endpoints, routing_controls, target)?,
    };
    plan.action = ActionKind::Failover;
    plan.effect = effect(svc, &plan, target, &serving);
    if svc.service.failover == Failover::PinUnhealthy {
        plan.effect.push_str(&format!(
            "; {} pinned unhealthy (Disabled and Inverted): Route 53 stops checking {}, so \
             there is no checker data for {} until failback (watch the regional name's error \
             rate instead)",
            ahead.join(", "),
            if ahead.len() == 1 { "it" } else { "them" },
            if ahead.len() == 1 { "it" } else { "them" },
        ));
    }
    plan.preflight = preflight::failover(fleet, svc, target, plan.predicted.as_deref(), now);
    preflight::team_lease(&mut plan.preflight, fleet, name, now);
    plan.made_at = Some(data_time(svc, now));
    Ok(plan)
}

/// When the oldest of the data a failover or failback plan rests on was read (the health
/// checks' and routing controls'): a change recorded after it may not be in the plan.
fn data_time(svc: &ServiceState, now: Timestamp) -> Timestamp {
    svc.regions
        .iter()
        .flat_map(|r| {
            [
                r.health.as_ref().map(|h| h.fetched_at),
                r.routing_control.as_ref().map(|c| c.fetched_at),
            ]
        })
        .flatten()
        .min()
        .unwrap_or(now)
        .min(now)
}

/// Undo a failover: the primary serves again.
pub fn failback(fleet: &Fleet, name: &str, now: Timestamp) -> Result<Plan, PlanError> {
    let svc = service(fleet, name)?;
    let primary = svc.service.primary_region().to_string();
    let mut plan = match &svc.service.failover {
        Failover::InvertHealthCheck | Failover::PinUnhealthy => {
            // Un-invert every inverted check, and un-pin every pinned one (Disabled and
            // Inverted); a check that is only Disabled was disabled by someone on purpose.
            let wanted: Vec<(&str, Want)> = svc
                .regions
                .iter()
                .filter_map(|r| {
                    let h = &r.health.as_ref()?.value;
                    let want = if h.pinned_unhealthy() {
                        Want::UNPIN
                    } else if h.inverted {
                        Want::FOLLOW
                    } else {
                        return None;
                    };
                    Some((r.region.as_str(), want))
                })
                .collect();
            if wanted.is_empty() {
                return Err(PlanError::NothingToDo(format!(
                    "no health check of {name} is inverted; Route 53 already follows the checkers"
                )));
            }
            invert_plan(fleet, svc, &wanted, &primary).map_err(|e| needs_control_plane(fleet, e))?
        }
        Failover::Arc {
            cluster_endpoints,
            routing_controls,
        } => arc_plan(svc, cluster_endpoints, routing_controls, &primary)?,
    };
    plan.action = ActionKind::Failback;
    plan.effect = effect(svc, &plan, &primary, &serving_now(svc));
    // Failing back means removing the inversions; where Route 53 then answers is the
    // prediction (the primary, unless it fails), and that is what verification checks.
    if let (Expect::HealthChecks { serving, .. }, Some(p)) = (&mut plan.expect, &plan.predicted) {
        serving.clone_from(p);
    }
    plan.preflight = preflight::failback(fleet, svc, plan.predicted.as_deref(), now);
    preflight::team_lease(&mut plan.preflight, fleet, name, now);
    plan.made_at = Some(data_time(svc, now));
    Ok(plan)
}

/// A health-check plan that cannot be made for want of health data, while the Route 53 API is
/// failing: it needs the Route 53 control plane twice (to read the checks' versions and to call
/// UpdateHealthCheck), so say so plainly instead of "not read yet".
fn needs_control_plane(fleet: &Fleet, e: PlanError) -> PlanError {
    let key = crate::source::SourceKey::new(
        crate::source::SourceKind::Health,
        fleet.control_region.clone(),
    );
    match (e, fleet.sources.get(&key).and_then(|s| s.error.as_ref())) {
        (PlanError::NotKnown(why), Some(down)) => PlanError::Impossible(format!(
            "{why}: this mechanism needs the Route 53 control plane (GetHealthCheck and \
             UpdateHealthCheck, in {}), and the Route 53 API is failing ({}); a service with \
             mechanism \"arc\" fails over through its routing controls without it",
            fleet.control_region, down.message
        )),
        (e, _) => e,
    }
}

/// The predicted effect, saying so when Route 53 will not answer with the wanted region.
fn effect(svc: &ServiceState, plan: &Plan, wanted: &str, now: &str) -> String {
    let domain = &svc.service.domain;
    match plan.predicted.as_deref() {
        Some(p) if p == wanted => {
            format!("Route 53 will answer {domain} with {wanted} (now {now})")
        }
        Some(p) => format!(
            "Route 53 will answer {domain} with {p}, NOT {wanted} (now {now}): the checkers see \
             {wanted} failing, or every region unhealthy (Route 53 then fails open)"
        ),
        None => format!(
            "Route 53 should answer {domain} with {wanted} (now {now}); the checkers' verdicts \
             are not all known, so this cannot be predicted"
        ),
    }
}

/// UpdateHealthCheck for each region whose flags differ from what was read.
fn invert_plan(
    fleet: &Fleet,
    svc: &ServiceState,
    wanted: &[(&str, Want)],
    goal: &str,
) -> Result<Plan, PlanError> {
    let mut calls = Vec::new();
    let mut based_on = Vec::new();
    let mut expect = Vec::new();
    let mut expect_disabled = Vec::new();
    for (region, want) in wanted {
        let Some(read) = svc.region(region).and_then(|r| r.health.as_ref()) else {
            return Err(PlanError::NotKnown(format!(
                "the health check of {} in {region} has not been read",
                svc.service.name
            )));
        };
        let check = &read.value;
        let disabled = want.disabled.filter(|d| *d != check.disabled);
        if check.inverted == want.inverted && disabled.is_none() {
            continue;
        }
        if !check.kind.flags_updatable() {
            return Err(PlanError::Impossible(format!(
                "the health check of {region} ({}) cannot be changed with UpdateHealthCheck",
                check.kind.label()
            )));
        }
        let Some(version) = check.version else {
            return Err(PlanError::NotKnown(format!(
                "the HealthCheckVersion of {} ({region}) is unknown",
                check.id
            )));
        };
        based_on.push(format!(
            "health check {} ({region}, {}): HealthCheckVersion {version}, Inverted={}{}, read {}",
            check.id,
            check.kind.label(),
            check.inverted,
            if check.disabled { ", Disabled" } else { "" },
            read.fetched_at.format("%H:%M:%S UTC")
        ));
        calls.push(Call::UpdateHealthCheck {
            health_check_id: check.id.clone(),
            health_check_version: version,
            inverted: want.inverted,
            disabled,
            // Checker regions apply to endpoint checks only.
            regions: if check.kind.has_checker_regions() {
                check.checker_regions.clone()
            } else {
                Vec::new()
            },
        });
        expect.push((check.id.clone(), want.inverted));
        if let Some(d) = disabled {
            expect_disabled.push((check.id.clone(), d));
        }
    }
    // Route 53 after the change: each check's raw verdict with its new flags.
    let after: Vec<HealthStatus> = svc
        .regions
        .iter()
        .map(|r| {
            r.health.as_ref().map_or(HealthStatus::Unknown, |h| {
                let want = wanted.iter().find(|(region, _)| *region == r.region);
                let mut check = h.value.clone();
                if let Some((_, want)) = want {
                    check.inverted = want.inverted;
                    check.disabled = want.disabled.unwrap_or(check.disabled);
                }
                check.effective()
            })
        })
        .collect();
    // Unknown where any verdict is unknown: serving_index alone could still name a region.
    let predicted = serving_index(&after)
        .filter(|_| !after.contains(&HealthStatus::Unknown))
        .and_then(|i| svc.service.regions.get(i))
        .cloned();
    if calls.is_empty() {
        return Err(PlanError::NothingToDo(format!(
            "the health checks of {} already have the flags this needs; Route 53 follows the \
             checkers' verdict",
            svc.service.name
        )));
    }
    Ok(Plan {
        action: ActionKind::Failover,
        service: svc.service.name.clone(),
        target: goal.to_string(),
        confirm: format!("{}/{goal}", svc.service.name),
        calls,
        based_on,
        effect: String::new(),
        predicted,
        uses_control_plane: true,
        control_plane: format!(
            "needs the Route 53 control plane (UpdateHealthCheck, in {}): fails while the Route 53 \
             API is down (ARC routing controls do not need it)",
            fleet.control_region
        ),
        expect: Expect::HealthChecks {
            inverted: expect,
            disabled: expect_disabled,
            serving: goal.to_string(),
            checks: svc
                .regions
                .iter()
                .map(|r| match &r.health {
                    // Always eligible: planned (and verified) as healthy.
                    Some(h) if h.value.kind == CheckKind::NoHealthCheck => {
                        (r.region.clone(), String::new(), HealthStatus::Healthy)
                    }
                    Some(h) => (r.region.clone(), h.value.id.clone(), h.value.raw),
                    // Kept in place so the failover order holds; it reads as unknown.
                    None => (r.region.clone(), String::new(), HealthStatus::Unknown),
                })
                .collect(),
        },
        preflight: Preflight::default(),
        safety_rules: None,
        made_at: None,
    })
}

/// UpdateRoutingControlStates: `on` On, every other region Off, in one call.
fn arc_plan(
    svc: &ServiceState,
    endpoints: &[String],
    controls: &std::collections::BTreeMap<String, String>,
    on: &str,
) -> Result<Plan, PlanError> {
    let mut entries = Vec::new();
    for region in &svc.service.regions {
        let Some(arn) = controls.get(region) else {
            return Err(PlanError::NotKnown(format!(
                "no routing control for {region} in the config of {}",
                svc.service.name
            )));
        };
        entries.push(RoutingControlEntry {
            routing_control_arn: arn.clone(),
            routing_control_state: if region == on { OnOff::On } else { OnOff::Off },
        });
    }
    let states = entries
        .iter()
        .map(|e| {
            (
                e.routing_control_arn.clone(),
                e.routing_control_state == OnOff::On,
            )
        })
        .collect();
    Ok(Plan {
        action: ActionKind::Failover,
        service: svc.service.name.clone(),
        target: on.to_string(),
        confirm: format!("{}/{on}", svc.service.name),
        calls: vec![Call::UpdateRoutingControlStates {
            cluster_endpoints: endpoints.to_vec(),
            update_routing_control_state_entries: entries,
            safety_rules_to_override: Vec::new(),
        }],
        based_on: vec![format!(
            "routing controls from the config; {} cluster endpoints",
            endpoints.len()
        )],
        effect: String::new(),
        predicted: Some(on.to_string()),
        uses_control_plane: false,
        control_plane: "ARC routing controls are data plane: no dependency on the Route 53 \
                        control plane"
            .to_string(),
        expect: Expect::RoutingControls {
            cluster_endpoints: endpoints.to_vec(),
            states,
        },
        preflight: Preflight::default(),
        safety_rules: None,
        made_at: None,
    })
}
