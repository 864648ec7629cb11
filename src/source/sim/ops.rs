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
    ) -> Vec<(String, bool, bool)> {
        let ops = self.ops();
        let world = World::new(self.scenario(), &ops);
        let s = world.offset(now);
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
        flags
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
            Call::UpdateRoutingControlStates { .. } => {
                return Err(CallError::new(
                    CallErrorKind::Failed,
                    "the simulation has no ARC routing controls; its services fail over by \
                     inverting health checks",
                ));
            }
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
