//! Tests of guarded actions against the simulation, and the helpers they share: `plans` (what
//! each plan calls with which parameters, preflight, when there is nothing to do) and
//! `execution` (how the simulated world reacts, the audit phases and the guards).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod execution;
mod plans;
mod team;
mod team_execution;

use super::audit::{AuditLog, Phase};
use super::plan::{self, ActionKind, Expect, PlanError};
use super::{Execution, Status, Verification};
use crate::assess::preflight::CheckStatus;
use crate::assess::serving_region;
use crate::config::Thresholds;
use crate::fleet::Fleet;
use crate::model::{CheckKind, Failover, HealthStatus, Timestamp};
use crate::source::call::{Call, CallErrorKind, OnOff};
use crate::source::{Backend, Clock};

pub(super) use crate::fleet::testing::{at, sim};

/// The fleet the simulation behind `backend` shows at `now`.
pub(super) fn fleet(backend: &Backend, now: Timestamp) -> Fleet {
    match backend {
        Backend::Sim(sim) => Fleet::simulated(sim, now, Thresholds::default()),
        Backend::Aws(_) => unreachable!("simulation only"),
    }
}

pub(super) fn temp_log(name: &str) -> AuditLog {
    let dir = std::env::temp_dir().join(format!("switchyard-action-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    AuditLog::new(dir.join("audit.jsonl"))
}

pub(super) fn exec<'a>(
    backend: &'a Backend,
    log: &'a AuditLog,
    clock: &'a Clock,
    actor: Option<String>,
) -> Execution<'a> {
    Execution {
        backend,
        log,
        clock,
        actor,
        verification: Verification::for_clock(clock),
    }
}

/// Errors over invocations of every function of a service in every region.
pub(super) fn service_error_rate(fleet: &Fleet, service: &str) -> f64 {
    let svc = fleet.service(service).unwrap();
    let (mut inv, mut err) = (0u64, 0u64);
    for r in &svc.regions {
        for f in &r.functions.as_ref().unwrap().value {
            inv += f.invocations.unwrap();
            err += f.errors.unwrap();
        }
    }
    100.0 * err as f64 / inv as f64
}

/// (region, inverted) of each UpdateHealthCheck, in call order.
pub(super) fn flags(p: &crate::action::Plan, fleet: &Fleet, service: &str) -> Vec<(String, bool)> {
    let svc = fleet.service(service).unwrap();
    p.calls
        .iter()
        .map(|c| match c {
            Call::UpdateHealthCheck {
                health_check_id,
                inverted,
                ..
            } => {
                let region = svc
                    .regions
                    .iter()
                    .find(|r| r.health.as_ref().unwrap().value.id == *health_check_id)
                    .unwrap();
                (region.region.clone(), *inverted)
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

pub(super) fn set_health(
    fleet: &mut Fleet,
    service: usize,
    region: usize,
    f: impl Fn(&mut crate::model::HealthCheck),
) {
    let mut h = fleet.services[service].regions[region]
        .health
        .clone()
        .unwrap();
    f(&mut h.value);
    fleet.services[service].regions[region].health = Some(h);
}
