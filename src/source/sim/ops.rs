//! What operators did to the simulated deployment: health checks inverted, approvals answered.
//! The world stays a pure function of (scenario, operations, time); an operation takes effect from
//! the moment it was made, so the world reacts the way AWS would (traffic moves after a failover).

use super::SimBackend;
use super::world::World;
use crate::model::Timestamp;
use crate::source::call::{ApprovalStatus, Call, CallError, CallErrorKind};

#[derive(Debug, Clone, PartialEq)]
pub enum SimOp {
    /// UpdateHealthCheck: Inverted, and Disabled where the call set it.
    Flags {
        service: String,
        region: String,
        inverted: bool,
        disabled: Option<bool>,
        /// Offset from the scenario start.
        at: i64,
    },
    /// UpdateRoutingControlStates: each routing control set, (service, region, On).
    RoutingControls {
        states: Vec<(String, String, bool)>,
        at: i64,
    },
    Answer {
        service: String,
        build: u32,
        approved: bool,
        summary: String,
        at: i64,
    },
}

impl SimBackend {
    /// Health check flags as the simulation has them at `now`: (id, inverted, disabled).
    pub(in crate::source) fn health_flags(
        &self,
        ids: &[String],
        now: Timestamp,
    ) -> Result<Vec<(String, bool, bool)>, crate::source::SourceError> {
        let ops = self.ops();
        let world = World::new(self.scenario(), &ops);
        let s = world.offset(now);
        if world.route53_down(s) {
            return Err(super::route53_timeout(
                "GetHealthCheck",
                &self.control_region(),
            ));
        }
        let mut flags = Vec::new();
        for service in &self.scenario().services {
            for region in &service.regions {
                let id = world.health_check_id(&service.name, region);
                if ids.contains(&id) {
                    flags.push((
                        id,
                        world.inverted(&service.name, region, s),
                        world.disabled(&service.name, region, s),
                    ));
                }
            }
        }
        Ok(flags)
    }

    /// Routing control states as the simulation has them at `now`: (ARN, On).
    pub(in crate::source) fn routing_control_states(
        &self,
        arns: &[String],
        now: Timestamp,
    ) -> Result<Vec<(String, bool)>, crate::source::SourceError> {
        let ops = self.ops();
        let world = World::new(self.scenario(), &ops);
        let s = world.offset(now);
        arns.iter()
            .map(|arn| {
                self.routing_control_of(arn)
                    .map(|(service, region)| {
                        (arn.clone(), world.routing_control_on(service, &region, s))
                    })
                    .ok_or_else(|| {
                        crate::source::SourceError::new(
                            crate::source::ErrorKind::Other,
                            format!(
                                "Route 53 ARC GetRoutingControlState: ResourceNotFoundException \
                                 {arn}"
                            ),
                        )
                    })
            })
            .collect()
    }

    /// The `arc` service and region a routing control ARN belongs to.
    fn routing_control_of(&self, arn: &str) -> Option<(&super::scenario::SimService, String)> {
        let seed = self.scenario().seed;
        self.scenario()
            .services
            .iter()
            .filter(|s| s.failover == super::scenario::SimFailover::Arc)
            .find_map(|s| {
                s.regions
                    .iter()
                    .find(|r| super::world::routing_control_arn(seed, &s.name, r) == arn)
                    .map(|r| (s, r.clone()))
            })
    }

    /// UpdateRoutingControlStates, checked the way ARC checks it: every ARN known, and the
    /// safety rule "at least one On" of each service it touches holding afterwards unless
    /// overridden (ConflictException naming the rule).
    fn routing_controls_op(
        &self,
        world: &World<'_>,
        entries: &[crate::source::call::RoutingControlEntry],
        overridden: &[String],
        at: i64,
    ) -> Result<SimOp, CallError> {
        let mut states = Vec::new();
        for e in entries {
            let Some((service, region)) = self.routing_control_of(&e.routing_control_arn) else {
                return Err(CallError::new(
                    CallErrorKind::Failed,
                    format!(
                        "Route 53 ARC UpdateRoutingControlStates: ResourceNotFoundException {}",
                        e.routing_control_arn
                    ),
                ));
            };
            let on = e.routing_control_state == crate::source::call::OnOff::On;
            states.push((service.name.clone(), region, on));
        }
        let seed = self.scenario().seed;
        for service in self.scenario().services.iter().filter(|s| {
            s.failover == super::scenario::SimFailover::Arc
                && states.iter().any(|(sv, _, _)| *sv == s.name)
        }) {
            let any_on = service.regions.iter().any(|r| {
                states
                    .iter()
                    .find(|(sv, region, _)| *sv == service.name && region == r)
                    .map_or_else(
                        || world.routing_control_on(service, r, at),
                        |(_, _, on)| *on,
                    )
            });
            let rule = super::world::safety_rule_arn(seed, &service.name);
            if !any_on && !overridden.contains(&rule) {
                let message = format!(
                    "Route 53 ARC UpdateRoutingControlStates: ConflictException: the update \
                     would violate safety rule {rule} (at least one routing control of {} \
                     On); an ARC safety rule blocked the change: nothing changed",
                    service.name
                );
                return Err(crate::source::call::blocked_by_safety_rule(
                    &message, &message, overridden,
                ));
            }
        }
        Ok(SimOp::RoutingControls { states, at })
    }

    /// Each checker's last failure of the check within the last hour, newest first.
    pub(in crate::source) fn last_failure_reasons(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Vec<crate::model::CheckerObservation> {
        let ops = self.ops();
        let world = World::new(self.scenario(), &ops);
        for service in &self.scenario().services {
            for region in &service.regions {
                if world.health_check_id(&service.name, region) == id {
                    return world.last_failures(&service.name, region, now);
                }
            }
        }
        Vec::new()
    }

    /// A call recorded in the drill log, made again by the simulation's replay
    /// (`journal::replay`) at its simulated moment. Checked like any call (health check
    /// version, approval token); not refused in read-only mode, as it re-creates what was done
    /// in a world of its own rather than changing anything.
    pub fn replay_call(&self, call: &Call, now: Timestamp) -> Result<String, CallError> {
        self.execute(call, now)
    }

    /// A mutating call against the simulation, checked the way AWS checks it (health check
    /// version, approval token).
    pub(in crate::source) fn execute(
        &self,
        call: &Call,
        now: Timestamp,
    ) -> Result<String, CallError> {
        let mut ops = self.ops_mut();
        let world = World::new(self.scenario(), &ops);
        let at = world.offset(now);
        let op = match call {
            Call::UpdateHealthCheck {
                health_check_id,
                health_check_version,
                inverted,
                disabled,
                ..
            } => {
                if world.route53_down(at) {
                    return Err(CallError::new(
                        CallErrorKind::Failed,
                        super::route53_timeout("UpdateHealthCheck", &self.control_region()).message,
                    ));
                }
                let Some((service, region)) = self.scenario().services.iter().find_map(|s| {
                    s.regions
                        .iter()
                        .find(|r| world.health_check_id(&s.name, r) == *health_check_id)
                        .map(|r| (s.name.clone(), r.clone()))
                }) else {
                    return Err(CallError::new(
                        CallErrorKind::Failed,
                        format!("Route 53 UpdateHealthCheck: NoSuchHealthCheck {health_check_id}"),
                    ));
                };
                let version = world.health_check_version(&service, &region);
                if version != *health_check_version {
                    return Err(CallError::new(
                        CallErrorKind::Conflict,
                        format!(
                            "Route 53 UpdateHealthCheck: HealthCheckVersionMismatch (sent \
                             {health_check_version}, now {version}); it changed since switchyard \
                             read it: refresh, check the new state, and plan again"
                        ),
                    ));
                }
                SimOp::Flags {
                    service,
                    region,
                    inverted: *inverted,
                    disabled: *disabled,
                    at,
                }
            }
            Call::PutApprovalResult {
                pipeline_name,
                result,
                token,
                ..
            } => {
                let Some(service) = self
                    .scenario()
                    .services
                    .iter()
                    .find(|s| s.pipeline.as_deref() == Some(pipeline_name.as_str()))
                else {
                    return Err(CallError::new(
                        CallErrorKind::Failed,
                        format!(
                            "CodePipeline PutApprovalResult: PipelineNotFoundException {pipeline_name}"
                        ),
                    ));
                };
                let pending = world
                    .pending_build(service, now)
                    .filter(|(_, pending_token)| pending_token == token);
                let Some((build, _)) = pending else {
                    return Err(CallError::new(
                        CallErrorKind::Conflict,
                        format!(
                            "CodePipeline PutApprovalResult: InvalidApprovalTokenException (no \
                             approval of {pipeline_name} is waiting with that token); it changed \
                             since switchyard read it: refresh, check the new state, and plan again"
                        ),
                    ));
                };
                SimOp::Answer {
                    service: service.name.clone(),
                    build,
                    approved: result.status == ApprovalStatus::Approved,
                    summary: result.summary.clone(),
                    at,
                }
            }
            Call::UpdateRoutingControlStates {
                update_routing_control_state_entries,
                safety_rules_to_override,
                ..
            } => self.routing_controls_op(
                &world,
                update_routing_control_state_entries,
                safety_rules_to_override,
                at,
            )?,
        };
        let answer = match &op {
            SimOp::Flags {
                service,
                region,
                inverted,
                disabled,
                ..
            } => format!(
                "health check: Inverted={inverted}, Disabled={}, HealthCheckVersion={}",
                disabled.unwrap_or_else(|| world.disabled(service, region, at)),
                match call {
                    Call::UpdateHealthCheck {
                        health_check_version,
                        ..
                    } => health_check_version + 1,
                    _ => 0,
                }
            ),
            SimOp::RoutingControls { .. } => format!(
                "routing controls set through {}{}",
                super::world::arc_cluster_endpoints(self.scenario().seed)
                    .first()
                    .map_or("", String::as_str),
                match call {
                    Call::UpdateRoutingControlStates {
                        safety_rules_to_override,
                        ..
                    } if !safety_rules_to_override.is_empty() => format!(
                        ", overriding safety rule(s) {}",
                        safety_rules_to_override.join(", ")
                    ),
                    _ => String::new(),
                }
            ),
            SimOp::Answer {
                build, approved, ..
            } => format!(
                "build {build}: {}",
                if *approved { "Approved" } else { "Rejected" }
            ),
        };
        ops.push(op);
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::super::world::{World, routing_control_arn, safety_rule_arn};
    use super::super::{SimBackend, scenario::Scenario};
    use crate::source::call::{Call, CallErrorKind, OnOff, RoutingControlEntry};

    fn update(b: &SimBackend, states: &[(&str, OnOff)], overriding: Vec<String>) -> Call {
        let seed = b.scenario().seed;
        Call::UpdateRoutingControlStates {
            cluster_endpoints: Vec::new(),
            update_routing_control_state_entries: states
                .iter()
                .map(|(r, s)| RoutingControlEntry {
                    routing_control_arn: routing_control_arn(seed, "orders", r),
                    routing_control_state: *s,
                })
                .collect(),
            safety_rules_to_override: overriding,
        }
    }

    /// ARC's assertion rule "at least one On" (ARC Developer Guide, "Safety rules"): a change
    /// leaving none On is a ConflictException naming the rule, unless overridden; the serving
    /// region follows the routing controls (RECOVERY_CONTROL checks, Route 53's rule).
    #[test]
    fn the_simulated_safety_rule_blocks_all_off_unless_overridden() {
        let b = SimBackend::new(Scenario::built_in("control-plane-outage").unwrap());
        let t = |s: i64| b.scenario().start + chrono::Duration::seconds(s);
        let rule = safety_rule_arn(b.scenario().seed, "orders");
        let all_off = [("us-east-1", OnOff::Off), ("us-west-2", OnOff::Off)];
        let e = b.execute(&update(&b, &all_off, vec![]), t(10)).unwrap_err();
        assert_eq!(e.kind, CallErrorKind::Conflict);
        assert!(
            e.message
                .contains(&format!("blocked by safety rule(s) {rule}")),
            "{e}"
        );
        assert!(e.message.contains("--force --reason"), "{e}");

        let moved = [("us-east-1", OnOff::Off), ("us-west-2", OnOff::On)];
        b.execute(&update(&b, &moved, vec![]), t(20)).unwrap();
        let ops = b.ops().clone();
        let world = World::new(b.scenario(), &ops);
        let orders = world.service("orders").unwrap();
        assert_eq!(world.serving_region(orders, 19), Some("us-east-1"));
        assert_eq!(world.serving_region(orders, 20), Some("us-west-2"));

        b.execute(&update(&b, &all_off, vec![rule.clone()]), t(30))
            .unwrap();
        let states = b
            .routing_control_states(
                &[routing_control_arn(
                    b.scenario().seed,
                    "orders",
                    "us-west-2",
                )],
                t(30),
            )
            .unwrap();
        assert!(!states[0].1, "overridden: all Off");
    }
}
