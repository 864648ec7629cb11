//! Which flags each region's health check must end up with to move the traffic: the
//! `invert-health-check` rule (`past`) and the `pin-unhealthy` rule (`pin`), and the checks
//! UpdateHealthCheck cannot change. Pure functions of the service's state; `plan.rs` turns the
//! flags into calls.

use super::plan::PlanError;
use crate::fleet::ServiceState;
use crate::model::{CheckKind, HealthStatus};

/// The flags one region's health check should end up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Want {
    pub(super) inverted: bool,
    /// `None`: left as it is.
    pub(super) disabled: Option<bool>,
}

impl Want {
    pub(super) const FOLLOW: Want = Want {
        inverted: false,
        disabled: None,
    };
    pub(super) const INVERT: Want = Want {
        inverted: true,
        disabled: None,
    };
    pub(super) const PIN: Want = Want {
        inverted: true,
        disabled: Some(true),
    };
    pub(super) const UNPIN: Want = Want {
        inverted: false,
        disabled: Some(false),
    };
}

/// The health check of `region`, which must be one UpdateHealthCheck can change.
fn updatable<'a>(
    svc: &'a ServiceState,
    region: &str,
    why: &str,
) -> Result<&'a crate::model::HealthCheck, PlanError> {
    let Some(check) = svc.region(region).and_then(|r| r.health.as_ref()) else {
        return Err(PlanError::NotKnown(format!(
            "the health check of {} in {region} has not been read",
            svc.service.name
        )));
    };
    match check.value.kind {
        CheckKind::NoHealthCheck => Err(PlanError::Impossible(format!(
            "the failover record of {region} has no health check: Route 53 counts it always \
             healthy, so {why}; give the record a health check, or use ARC routing controls"
        ))),
        CheckKind::RecoveryControl => Err(PlanError::Impossible(format!(
            "the health check of {region} is of type RECOVERY_CONTROL: it follows an ARC \
             routing control and UpdateHealthCheck cannot change it, so {why}; use mechanism \
             \"arc\""
        ))),
        _ => Ok(&check.value),
    }
}

/// The flags that let Route 53 pass over `before` (the regions ahead of `target` in the failover
/// order) to the target, in the order to set them: the target's own first (un-inverted, so it
/// can serve), then the regions ahead from the nearest to the primary, so traffic moves once,
/// straight to the target. A region ahead must count as unhealthy: a healthy one is inverted, a
/// failing one is left (or made) un-inverted, since an inverted failing check counts healthy;
/// a Disabled one (always healthy) is inverted, which makes it always unhealthy.
pub(super) fn past<'a>(
    svc: &ServiceState,
    before: &'a [String],
    target: &'a str,
) -> Result<Vec<(&'a str, Want)>, PlanError> {
    let mut wanted = vec![(target, Want::FOLLOW)];
    for region in before.iter().rev() {
        let check = updatable(
            svc,
            region,
            &format!("traffic cannot be moved past {region}"),
        )?;
        let invert = match (check.disabled, check.raw) {
            (true, _) => true,
            (false, HealthStatus::Healthy) => true,
            (false, HealthStatus::Unhealthy) => false,
            (false, HealthStatus::Unknown) => {
                return Err(PlanError::NotKnown(format!(
                    "the checkers' verdict on {region} is unknown: cannot tell whether its check \
                     must be inverted to move traffic past it"
                )));
            }
        };
        wanted.push((
            region.as_str(),
            if invert { Want::INVERT } else { Want::FOLLOW },
        ));
    }
    Ok(wanted)
}

/// `pin-unhealthy`: the regions ahead of the target Disabled and Inverted (always unhealthy,
/// whatever the checkers see, so a recovering or failing endpoint cannot flip the traffic), the
/// target neither.
pub(super) fn pin<'a>(
    svc: &ServiceState,
    before: &'a [String],
    target: &'a str,
) -> Result<Vec<(&'a str, Want)>, PlanError> {
    let target_check = svc.region(target).and_then(|r| r.health.as_ref());
    let mut wanted = Vec::new();
    if target_check.is_some_and(|h| h.value.kind != CheckKind::NoHealthCheck) {
        wanted.push((target, Want::UNPIN));
    }
    for region in before.iter().rev() {
        updatable(svc, region, &format!("{region} cannot be pinned unhealthy"))?;
        wanted.push((region.as_str(), Want::PIN));
    }
    Ok(wanted)
}
