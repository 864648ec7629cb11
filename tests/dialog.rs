//! The guarded-action dialog on screen: an insta snapshot of each step (choosing the target, a
//! plan whose preflight passed, one that asks for a reason, failback, approve, reject, executing,
//! a verified and a failed result, a plan that changed while the dialog was open), built through
//! `support` from the simulated scenarios and driven with the same keys a user presses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::{backend_at, block_on, execute, lines_with, refetch, screen, stable_id, temp_audit};
use switchyard::action::{Plan, Report, Status};
use switchyard::model::Timestamp;
use switchyard::source::Call;
use switchyard::state::{Command, Msg, Panel, Stage, State, update};
use switchyard::ui::keymap::msg_for;

fn press(state: &mut State, code: KeyCode, now: Timestamp) -> Vec<Command> {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    msg_for(state, key).map_or_else(Vec::new, |msg| update(state, msg, now))
}

fn type_text(state: &mut State, text: &str, now: Timestamp) {
    for c in text.chars() {
        assert_eq!(press(state, KeyCode::Char(c), now), Vec::new(), "{c:?}");
    }
}

/// Focus a panel (its digit), select a row, press an action key.
fn open(state: &mut State, panel: Panel, row: usize, key: char, now: Timestamp) {
    press(
        state,
        KeyCode::Char(char::from(b'1' + panel.index() as u8)),
        now,
    );
    for _ in 0..row {
        press(state, KeyCode::Down, now);
    }
    press(state, KeyCode::Char(key), now);
    assert!(state.view.dialog.is_some(), "{key} opened no dialog");
}

fn stage(state: &State) -> &Stage {
    &state.view.dialog.as_ref().expect("a dialog").stage
}

/// Type the confirmation and press Enter: the one `Command::Execute` it returns.
fn confirm(state: &mut State, now: Timestamp) -> (Plan, Option<String>) {
    let text = state
        .view
        .dialog
        .as_ref()
        .unwrap()
        .plan()
        .unwrap()
        .confirm
        .clone();
    type_text(state, &text, now);
    match press(state, KeyCode::Enter, now).as_slice() {
        [
            Command::Execute {
                plan,
                forced_reason,
            },
        ] => ((**plan).clone(), forced_reason.clone()),
        other => panic!("expected one Execute, got {other:?}"),
    }
}

#[test]
fn failover_choose_the_target() {
    // billing has three regions; the selected row (eu-west-1) is preselected.
    let (_, mut state, now) = backend_at("region-outage", 150);
    open(&mut state, Panel::Health, 4, 'f', now);
    let Stage::ChooseTarget {
        candidates,
        selected,
    } = stage(&state)
    else {
        panic!("{:?}", stage(&state))
    };
    assert_eq!(candidates, &["us-west-2", "eu-west-1"]);
    assert_eq!(*selected, 1);
    let text = screen(&state, 120, 35, now);
    assert!(
        text.contains("Failover billing: choose the target region"),
        "{text}"
    );
    insta::assert_snapshot!("dialog_failover_choose_target_120x35", text);
    insta::assert_snapshot!(
        "dialog_failover_choose_target_80x24",
        screen(&state, 80, 24, now)
    );
    // ↑ then Enter plans the failover to us-west-2.
    press(&mut state, KeyCode::Up, now);
    press(&mut state, KeyCode::Enter, now);
    let plan = state.view.dialog.as_ref().unwrap().plan().unwrap();
    assert_eq!(plan.confirm, "billing/us-west-2");
}

#[test]
fn failover_with_preflight_passed() {
    // 2m30s into region-outage: sample's primary is erroring but still passes its check.
    let (_, mut state, now) = backend_at("region-outage", 150);
    open(&mut state, Panel::Health, 0, 'f', now);
    let Stage::Confirm { plan, .. } = stage(&state) else {
        panic!(
            "preflight passes: straight to the confirmation, {:?}",
            stage(&state)
        )
    };
    assert!(plan.preflight.passed(), "{:?}", plan.preflight);
    type_text(&mut state, "sample/us-", now);
    let text = screen(&state, 120, 35, now);
    for part in [
        "Failover sample → us-west-2",
        "UpdateHealthCheck",
        "based on",
        "needs the Route 53 control plane",
        "✓ preflight passed",
        "Type sample/us-west-2 to execute",
        "confirm › sample/us-█",
    ] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    insta::assert_snapshot!("dialog_failover_confirm_120x35", text);
    let small = screen(&state, 80, 24, now);
    assert!(
        small.contains("confirm › sample/us-█"),
        "the field stays in view:\n{small}"
    );
    insta::assert_snapshot!("dialog_failover_confirm_80x24", small);

    // A wrong confirmation says so and sends nothing.
    type_text(&mut state, "east-1", now);
    assert_eq!(press(&mut state, KeyCode::Enter, now), Vec::new());
    let text = screen(&state, 120, 35, now);
    assert!(
        text.contains(r#""sample/us-east-1" is not "sample/us-west-2""#),
        "{text}"
    );
}

#[test]
fn failover_with_failed_preflight_asks_for_a_reason() {
    // dns-drift: sample's us-west-2 record points elsewhere.
    let (_, mut state, now) = backend_at("dns-drift", 60);
    open(&mut state, Panel::Health, 0, 'f', now);
    assert!(
        matches!(stage(&state), Stage::Reason { .. }),
        "{:?}",
        stage(&state)
    );
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("Preflight did not pass"), "{text}");
    assert!(text.contains("reason › █"), "{text}");
    insta::assert_snapshot!("dialog_failover_reason_120x35", text);
    let before = screen(&state, 80, 24, now);
    assert!(before.contains("reason › █"), "{before}");
    insta::assert_snapshot!("dialog_failover_reason_80x24", before);

    // ↓ scrolls the plan to its end (the failed check); the field stays where it was.
    for _ in 0..20 {
        press(&mut state, KeyCode::Down, now);
    }
    let small = screen(&state, 80, 24, now);
    assert!(small.contains("FAIL    target domains and DNS"), "{small}");
    assert!(small.contains("↑ more: ↑/↓ scroll"), "{small}");
    let field = |text: &str| text.lines().position(|l| l.contains("reason › █"));
    assert_eq!(
        field(&small),
        field(&before),
        "the field stays put:\n{small}"
    );
    insta::assert_snapshot!("dialog_failover_reason_scrolled_80x24", small);
    assert_eq!(press(&mut state, KeyCode::Up, now), Vec::new());

    // Enter without a reason does not move on; with one it asks for the confirmation.
    press(&mut state, KeyCode::Enter, now);
    assert!(screen(&state, 120, 35, now).contains("type a reason first"));
    type_text(&mut state, "drift is a stale record, checked by hand", now);
    press(&mut state, KeyCode::Enter, now);
    let text = screen(&state, 120, 35, now);
    assert!(
        text.contains("▲ forced past preflight: drift is a stale record, checked by hand"),
        "{text}"
    );
    let (_, reason) = confirm(&mut state, now);
    assert_eq!(
        reason.as_deref(),
        Some("drift is a stale record, checked by hand")
    );
    // While it runs, the dialog still says it was forced, and why.
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Executing… 1 call(s)"), "{text}");
    assert!(
        text.contains("▲ forced past preflight: drift is a stale record, checked by hand"),
        "{text}"
    );
}

#[test]
fn a_plan_that_changed_while_open_is_shown_again() {
    // The failover is planned with us-west-2 healthy; before the confirmation is typed, a fetch
    // sees it fail its health check.
    let (_, mut state, now) = backend_at("region-outage", 150);
    open(&mut state, Panel::Health, 0, 'f', now);
    let target = state.fleet.services[0].regions[1].health.as_mut().unwrap();
    target.value.raw = switchyard::model::HealthStatus::Unhealthy;
    type_text(&mut state, "sample/us-west-2", now);
    assert_eq!(press(&mut state, KeyCode::Enter, now), Vec::new());
    assert!(state.in_flight.is_empty());
    assert!(
        matches!(stage(&state), Stage::Reason { .. }),
        "{:?}",
        stage(&state)
    );
    let text = screen(&state, 120, 35, now);
    for part in [
        "the plan changed while the dialog was open: read it again and confirm",
        "target health check ok → FAIL",
        "Preflight did not pass: target health check FAIL",
        "reason › █",
    ] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    insta::assert_snapshot!("dialog_plan_changed_120x35", text);
    let small = screen(&state, 80, 24, now);
    assert!(
        small.contains("the plan changed while the dialog"),
        "{small}"
    );
    insta::assert_snapshot!("dialog_plan_changed_80x24", small);
}

#[test]
fn failback_after_a_failover() {
    let (backend, mut state, now) = backend_at("region-outage", 150);
    let log = temp_audit("dialog-failback");
    open(&mut state, Panel::Health, 0, 'f', now);
    let (plan, reason) = confirm(&mut state, now);
    let report = stable_id(execute(&backend, &log, &plan, reason, now));
    assert_eq!(report.status, Status::Verified, "{report:?}");
    update(&mut state, Msg::ActionDone(Box::new(report)), now);
    press(&mut state, KeyCode::Esc, now);
    refetch(&backend, &mut state, now);

    press(&mut state, KeyCode::Char('b'), now);
    let Stage::Confirm { plan, .. } = stage(&state) else {
        panic!("{:?}", stage(&state))
    };
    assert_eq!(plan.confirm, "sample/us-east-1");
    assert!(
        plan.calls[0].describe().contains("Inverted=false"),
        "{plan:?}"
    );
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Failback sample → us-east-1"), "{text}");
    insta::assert_snapshot!("dialog_failback_120x35", text);
}

#[test]
fn approve_not_ready_asks_for_a_reason() {
    let (_, mut state, now) = backend_at("slow-replication", 120);
    open(&mut state, Panel::Pipeline, 0, 'a', now);
    let Stage::Reason { plan, .. } = stage(&state) else {
        panic!("{:?}", stage(&state))
    };
    assert_eq!(plan.confirm, "sample-deploy");
    assert!(
        plan.calls[0].describe().contains("replication: NOT READY"),
        "{plan:?}"
    );
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Approve sample-deploy (sample)"), "{text}");
    assert!(
        text.contains("approved in the switchyard console"),
        "{text}"
    );
    insta::assert_snapshot!("dialog_approve_not_ready_120x35", text);
    insta::assert_snapshot!(
        "dialog_approve_not_ready_80x24",
        screen(&state, 80, 24, now)
    );
}

#[test]
fn reject_needs_no_preflight() {
    let (_, mut state, now) = backend_at("slow-replication", 120);
    open(&mut state, Panel::Pipeline, 0, 'x', now);
    assert!(
        matches!(stage(&state), Stage::Confirm { .. }),
        "{:?}",
        stage(&state)
    );
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Reject sample-deploy (sample)"), "{text}");
    assert!(text.contains("none needed for this action"), "{text}");
    insta::assert_snapshot!("dialog_reject_120x35", text);
}

/// region-outage at 2m30s, failover of sample confirmed: the dialog while it runs.
fn executing() -> (
    std::sync::Arc<switchyard::source::Backend>,
    State,
    Timestamp,
    Plan,
) {
    let (backend, mut state, now) = backend_at("region-outage", 150);
    open(&mut state, Panel::Health, 0, 'f', now);
    let (plan, reason) = confirm(&mut state, now);
    assert_eq!(reason, None);
    (backend, state, now, plan)
}

#[test]
fn executing_then_verified() {
    let (backend, mut state, now, plan) = executing();
    assert!(matches!(stage(&state), Stage::Executing { .. }));
    assert!(state.in_flight.contains("sample"));
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Executing… 1 call(s)"), "{text}");
    insta::assert_snapshot!("dialog_executing_120x35", text);

    let log = temp_audit("dialog-verified");
    let report = stable_id(execute(&backend, &log, &plan, None, now));
    assert_eq!(report.status, Status::Verified, "{report:?}");
    let id = report.id.clone().unwrap();
    // The action's event for the incident journal (linked by its audit id), then a refresh.
    let commands = update(&mut state, Msg::ActionDone(Box::new(report)), now);
    let [Command::Record(events), Command::RefreshAll] = &commands[..] else {
        panic!("{commands:?}")
    };
    assert_eq!(events[0].audit_id.as_deref(), Some(id.as_str()));
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("✓ VERIFIED"), "{text}");
    assert!(text.contains(&format!("audit id {id}")), "{text}");
    let banner = lines_with(&text, "✓ verified: failover sample → us-west-2");
    assert_eq!(banner.len(), 1, "the result banner:\n{text}");
    insta::assert_snapshot!("dialog_verified_120x35", text);
    insta::assert_snapshot!("dialog_verified_80x24", screen(&state, 80, 24, now));
}

#[test]
fn a_failed_action_says_why() {
    // Someone else inverted the check and put it back after switchyard read it: the plan's
    // HealthCheckVersion is no longer current, and re-reading shows nothing applied.
    let (backend, mut state, now, plan) = executing();
    let log = temp_audit("dialog-failed");
    let mut other = plan.calls[0].clone();
    block_on(backend.execute(&other, now)).unwrap();
    if let Call::UpdateHealthCheck {
        health_check_version,
        inverted,
        ..
    } = &mut other
    {
        *health_check_version += 1;
        *inverted = false;
    }
    block_on(backend.execute(&other, now)).unwrap();
    let second = stable_id(execute(&backend, &log, &plan, None, now));
    assert_eq!(second.status, Status::Failed, "{second:?}");
    update(&mut state, Msg::ActionDone(Box::new(second)), now);
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("✗ FAILED"), "{text}");
    assert!(text.contains("HealthCheckVersionMismatch"), "{text}");
    insta::assert_snapshot!("dialog_failed_120x35", text);
}

#[test]
fn a_refused_action_says_nothing_was_sent() {
    let (_, mut state, now, _) = executing();
    let report = Report {
        id: None,
        action: "failover",
        service: "sample".into(),
        target: "us-west-2".into(),
        status: Status::Refused,
        message: "read-only mode: refused, nothing was sent".into(),
        answers: Vec::new(),
        forced_reason: None,
        audit_error: None,
        team_lock: None,
        team_error: None,
    };
    update(&mut state, Msg::ActionDone(Box::new(report)), now);
    let text = screen(&state, 80, 24, now);
    assert!(text.contains("✗ REFUSED"), "{text}");
    insta::assert_snapshot!("dialog_refused_80x24", text);
}
