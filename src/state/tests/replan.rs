//! `update` when the confirmation is typed: the plan is made again from the state as it is now,
//! and only a plan that did not change executes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::action::Plan;
use crate::model::{HealthCheck, HealthStatus};

const CHANGED: &str = PLAN_CHANGED;

/// The health check of a service in a region, as read, to change it as a later fetch would.
fn health<'a>(state: &'a mut State, service: &str, region: &str) -> &'a mut HealthCheck {
    let svc = state
        .fleet
        .services
        .iter_mut()
        .find(|s| s.service.name == service)
        .unwrap();
    let r = svc.regions.iter_mut().find(|r| r.region == region).unwrap();
    &mut r.health.as_mut().unwrap().value
}

fn shown(state: &State) -> Plan {
    state.view.dialog.as_ref().unwrap().plan().unwrap().clone()
}

fn confirm(state: &mut State, now: Timestamp) -> Vec<Command> {
    let text = shown(state).confirm;
    type_text(state, &text, now);
    key(state, DialogKey::Enter, now)
}

#[test]
fn an_unchanged_plan_executes_the_plan_made_now() {
    let (mut state, now) = failover_confirm();
    let before = shown(&state);
    // Five seconds on, the pollers read the same again: the same plan goes.
    let later = now + chrono::Duration::seconds(5);
    refetch(&mut state, "region-outage", later);
    let commands = confirm(&mut state, later);
    let [Command::Execute { plan, .. }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(plan.calls, before.calls);
    assert_eq!(plan.effect, before.effect);
    assert!(matches!(stage(&state), Stage::Executing { .. }));
}

#[test]
fn a_target_gone_unhealthy_is_shown_again_not_executed() {
    let (mut state, now) = failover_confirm();
    assert!(shown(&state).preflight.passed());
    // While the dialog stood open, a fetch saw the target fail its health check.
    health(&mut state, "sample", "us-west-2").raw = HealthStatus::Unhealthy;
    assert_eq!(confirm(&mut state, now), Vec::new(), "nothing executes");
    assert!(state.in_flight.is_empty());
    // Preflight fails now and no reason was typed: the reason comes first.
    let Stage::Reason { plan, reason, note } = stage(&state) else {
        panic!("{:?}", stage(&state))
    };
    assert!(!plan.preflight.passed(), "the shown plan is the new one");
    assert_eq!(reason, "");
    let note = note.as_deref().unwrap();
    assert!(note.starts_with(CHANGED), "{note}");
    assert!(note.contains("target health check ok → FAIL"), "{note}");
    assert_eq!(state.view.dialog.as_ref().unwrap().scroll, 0);
    // Read again, forced with a reason and confirmed: now it executes, with that plan.
    type_text(&mut state, "checkers flapping, verified by hand", now);
    key(&mut state, DialogKey::Enter, now);
    let commands = confirm(&mut state, now);
    let [
        Command::Execute {
            plan,
            forced_reason,
        },
    ] = commands.as_slice()
    else {
        panic!("{commands:?}")
    };
    assert!(!plan.preflight.passed());
    assert_eq!(
        forced_reason.as_deref(),
        Some("checkers flapping, verified by hand")
    );
}

#[test]
fn changed_calls_clear_the_confirmation_and_keep_the_reason() {
    // dns-drift: preflight fails, so a reason is typed first.
    let (mut state, now) = sim_state("dns-drift", 60);
    act(&mut state, KeyIntent::Failover, now);
    type_text(&mut state, "record checked by hand", now);
    key(&mut state, DialogKey::Enter, now);
    let before = shown(&state);
    // Someone edited the primary's health check: its HealthCheckVersion moved on.
    let check = health(&mut state, "sample", "us-east-1");
    check.version = check.version.map(|v| v + 1);
    assert_eq!(confirm(&mut state, now), Vec::new());
    let Stage::Confirm {
        plan,
        reason,
        typed,
        note,
    } = stage(&state)
    else {
        panic!("{:?}", stage(&state))
    };
    assert_ne!(plan.calls, before.calls, "the new version is shown");
    assert_eq!(typed, "", "the confirmation is typed again");
    assert_eq!(reason.as_deref(), Some("record checked by hand"));
    let note = note.as_deref().unwrap();
    assert!(
        note.starts_with(CHANGED) && note.contains("the calls"),
        "{note}"
    );
    let commands = confirm(&mut state, now);
    let [Command::Execute { plan, .. }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_ne!(plan.calls, before.calls, "the current version is sent");
}

#[test]
fn a_preflight_that_passes_now_drops_the_forced_reason() {
    let (mut state, now) = sim_state("region-outage", 150);
    health(&mut state, "sample", "us-west-2").raw = HealthStatus::Unhealthy;
    act(&mut state, KeyIntent::Failover, now);
    type_text(&mut state, "going anyway", now);
    key(&mut state, DialogKey::Enter, now);
    assert!(matches!(
        stage(&state),
        Stage::Confirm {
            reason: Some(_),
            ..
        }
    ));
    health(&mut state, "sample", "us-west-2").raw = HealthStatus::Healthy;
    assert_eq!(confirm(&mut state, now), Vec::new());
    let Stage::Confirm {
        plan, reason, note, ..
    } = stage(&state)
    else {
        panic!("{:?}", stage(&state))
    };
    assert!(plan.preflight.passed());
    assert_eq!(*reason, None, "nothing is forced any more");
    assert!(note.as_deref().unwrap().contains("FAIL → ok"), "{note:?}");
    let commands = confirm(&mut state, now);
    assert!(
        matches!(
            commands.as_slice(),
            [Command::Execute {
                forced_reason: None,
                ..
            }]
        ),
        "{commands:?}"
    );
}

#[test]
fn a_dialog_left_open_through_the_outage_does_not_execute() {
    // Opened 2m30s into region-outage, confirmed a minute later, the pollers reading all along:
    // Route 53 has moved sample to us-west-2 on its own, so there is nothing left to do.
    let (mut state, now) = failover_confirm();
    let later = now + chrono::Duration::seconds(60);
    refetch(&mut state, "region-outage", later);
    assert_eq!(confirm(&mut state, later), Vec::new());
    assert!(state.in_flight.is_empty());
    let Stage::Unplanned { error } = stage(&state) else {
        panic!("{:?}", stage(&state))
    };
    assert_eq!(
        error,
        "nothing to do: sample.fed.dev is already served by us-west-2 (the state changed while \
         the dialog was open)"
    );
    // Enter closes it, as for any plan that could not be made.
    assert_eq!(key(&mut state, DialogKey::Enter, later), Vec::new());
    assert!(state.view.dialog.is_none());
}

#[test]
fn an_approval_answered_elsewhere_is_not_sent() {
    let (mut state, now) = sim_state("slow-replication", 120);
    act(&mut state, KeyIntent::Focus(Panel::Pipeline), now);
    act(&mut state, KeyIntent::Reject, now);
    let svc = state
        .fleet
        .services
        .iter_mut()
        .find(|s| s.service.name == "sample")
        .unwrap();
    svc.pipeline.as_mut().unwrap().value.pending = None;
    assert_eq!(confirm(&mut state, now), Vec::new());
    assert!(
        matches!(stage(&state), Stage::Unplanned { error } if error.contains("no approval waiting"))
    );
}

#[test]
fn an_approval_whose_replication_lag_moved_on_still_executes() {
    // Not ready: the summary says how long replication has been pending, which grows by the
    // second. That alone is not a change of plan, or an approval could never be confirmed.
    let (mut state, now) = sim_state("slow-replication", 120);
    act(&mut state, KeyIntent::Focus(Panel::Pipeline), now);
    act(&mut state, KeyIntent::Approve, now);
    type_text(&mut state, "hotfix, the lag is known", now);
    key(&mut state, DialogKey::Enter, now);
    let before = shown(&state);
    assert!(
        before.calls[0].describe().contains("pending for"),
        "{before:?}"
    );
    let later = now + chrono::Duration::seconds(75);
    let commands = confirm(&mut state, later);
    let [Command::Execute { plan, .. }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_ne!(
        plan.calls, before.calls,
        "the summary sent is the current one"
    );
}
