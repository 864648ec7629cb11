//! `update` for guarded actions, on states from the simulation: what opens, what each key does in
//! the dialog, and what must never reach `Command::Execute`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::action::audit::Phase;
use crate::action::{ActionKind, Status};

#[test]
fn a_wrong_confirmation_does_not_execute() {
    let (mut state, now) = failover_confirm();
    for typed in [
        "",
        "sample",
        "sample/us-east-1",
        "SAMPLE/US-WEST-2",
        "sample/us-west-2 ",
    ] {
        let (mut state, now) = (state.clone(), now);
        type_text(&mut state, typed, now);
        assert_eq!(
            key(&mut state, DialogKey::Enter, now),
            Vec::new(),
            "{typed:?}"
        );
        let Stage::Confirm { note, .. } = stage(&state) else {
            panic!("{typed:?}: {:?}", stage(&state))
        };
        assert!(
            note.is_some(),
            "{typed:?}: the dialog says why nothing happened"
        );
        assert!(state.in_flight.is_empty());
    }
    // Backspace corrects; the exact text executes, once.
    type_text(&mut state, "sample/us-west-22", now);
    key(&mut state, DialogKey::Backspace, now);
    let commands = key(&mut state, DialogKey::Enter, now);
    assert!(
        matches!(commands.as_slice(), [Command::Execute { plan, forced_reason: None }] if plan.target == "us-west-2"),
        "{commands:?}"
    );
    assert!(matches!(stage(&state), Stage::Executing { .. }));
    assert_eq!(
        key(&mut state, DialogKey::Enter, now),
        Vec::new(),
        "Enter again sends nothing"
    );
}

#[test]
fn a_failed_preflight_needs_a_reason_first() {
    // dns-drift: sample's us-west-2 record drifted, so failing over there fails preflight.
    let (mut state, now) = sim_state("dns-drift", 60);
    act(&mut state, KeyIntent::Failover, now);
    let Stage::Reason { plan, .. } = stage(&state) else {
        panic!("{:?}", stage(&state))
    };
    assert!(!plan.preflight.passed());
    // The confirmation typed as the reason is only a reason; Enter with none (or blanks) stays.
    for blank in ["", "   "] {
        let mut state = state.clone();
        type_text(&mut state, blank, now);
        assert_eq!(key(&mut state, DialogKey::Enter, now), Vec::new());
        let Stage::Reason { note, .. } = stage(&state) else {
            panic!("{blank:?}: {:?}", stage(&state))
        };
        assert!(note.as_deref().unwrap().contains("type a reason first"));
    }
    type_text(&mut state, "  record checked by hand  ", now);
    assert_eq!(key(&mut state, DialogKey::Enter, now), Vec::new());
    let Stage::Confirm { reason, .. } = stage(&state) else {
        panic!("{:?}", stage(&state))
    };
    assert_eq!(reason.as_deref(), Some("record checked by hand"));
    // Backspace on the empty confirmation goes back to the reason, which is kept.
    key(&mut state, DialogKey::Backspace, now);
    assert!(
        matches!(stage(&state), Stage::Reason { reason, .. } if reason == "record checked by hand")
    );
    key(&mut state, DialogKey::Enter, now);
    type_text(&mut state, "sample/us-west-2", now);
    let commands = key(&mut state, DialogKey::Enter, now);
    let [Command::Execute { forced_reason, .. }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(forced_reason.as_deref(), Some("record checked by hand"));
}

#[test]
fn read_only_refuses_every_action() {
    let (mut state, now) = sim_state("slow-replication", 120);
    state.read_only = true;
    for (panel, action) in [
        (Panel::Health, KeyIntent::Failover),
        (Panel::Health, KeyIntent::Failback),
        (Panel::Pipeline, KeyIntent::Approve),
        (Panel::Pipeline, KeyIntent::Reject),
    ] {
        act(&mut state, KeyIntent::Focus(panel), now);
        assert_eq!(act(&mut state, action, now), Vec::new(), "{action:?}");
        assert!(state.view.dialog.is_none(), "{action:?}");
        assert!(
            messages(&state)[0].starts_with("read-only mode"),
            "{action:?}"
        );
    }
}

#[test]
fn a_second_action_on_a_service_in_flight_is_refused() {
    let (mut state, now) = failover_confirm();
    type_text(&mut state, "sample/us-west-2", now);
    assert_eq!(key(&mut state, DialogKey::Enter, now).len(), 1);
    // Esc hides the running action's dialog; it keeps running.
    key(&mut state, DialogKey::Esc, now);
    assert!(state.view.dialog.is_none());
    assert!(state.in_flight.contains("sample"));
    for action in [KeyIntent::Failover, KeyIntent::Failback] {
        assert_eq!(act(&mut state, action, now), Vec::new());
        assert!(state.view.dialog.is_none(), "{action:?}");
        assert!(messages(&state)[0].contains("an action on sample is still running"));
    }
    // Another service is free: billing (row 2) opens its dialog.
    act(&mut state, KeyIntent::Down, now);
    act(&mut state, KeyIntent::Down, now);
    act(&mut state, KeyIntent::Failback, now);
    assert_eq!(state.view.dialog.as_ref().unwrap().service, "billing");
}

#[test]
fn action_done_clears_in_flight_shows_the_result_and_refreshes() {
    let (mut state, now) = failover_confirm();
    type_text(&mut state, "sample/us-west-2", now);
    key(&mut state, DialogKey::Enter, now);
    let commands = update(
        &mut state,
        Msg::ActionDone(Box::new(report(Status::Verified))),
        now,
    );
    // The action's event for the journal, then the refresh.
    let [Command::Record(events), Command::RefreshAll] = &commands[..] else {
        panic!("{commands:?}")
    };
    assert_eq!(events[0].kind, crate::model::EventKind::Action);
    assert!(state.in_flight.is_empty());
    assert!(
        matches!(stage(&state), Stage::Done { report, .. } if report.status == Status::Verified)
    );
    let result: Vec<&Notice> = state
        .notices
        .iter()
        .filter(|n| n.kind == NoticeKind::Result)
        .collect();
    assert_eq!(result.len(), 1);
    assert!(result[0].text.contains("✓ verified") && result[0].text.contains("audit id"));
    // Esc closes the dialog, the banner stays until Esc with nothing else open.
    key(&mut state, DialogKey::Esc, now);
    assert!(state.view.dialog.is_none());
    assert_eq!(state.notices.len(), 1);
    act(&mut state, KeyIntent::Back, now);
    assert!(state.notices.is_empty());
    // A later result on the same service replaces its banner rather than stacking up.
    update(
        &mut state,
        Msg::ActionDone(Box::new(report(Status::Failed))),
        now,
    );
    update(
        &mut state,
        Msg::ActionDone(Box::new(report(Status::Refused))),
        now,
    );
    assert_eq!(state.notices.len(), 1);
    assert!(state.notices[0].text.contains("✗ REFUSED"));
    assert_eq!(state.notices[0].tone, Tone::Crit);
}

#[test]
fn esc_cancels_before_confirming_and_nothing_is_in_flight() {
    let (state, now) = failover_confirm();
    for typed in ["", "sample/us-we"] {
        let mut state = state.clone();
        type_text(&mut state, typed, now);
        assert_eq!(key(&mut state, DialogKey::Esc, now), Vec::new());
        assert!(state.view.dialog.is_none() && state.in_flight.is_empty());
    }
}

#[test]
fn keys_that_do_not_apply_say_why() {
    let (mut state, now) = sim_state("region-outage", 150);
    // Failover from the Pipeline panel: wrong panel.
    act(&mut state, KeyIntent::Focus(Panel::Pipeline), now);
    act(&mut state, KeyIntent::Failover, now);
    assert!(
        messages(&state)[0].contains("Health panel"),
        "{:?}",
        state.notices
    );
    // The message goes at the next key.
    act(&mut state, KeyIntent::Focus(Panel::Health), now);
    assert!(messages(&state).is_empty());
    // Failback with nothing inverted: the dialog says there is nothing to do.
    act(&mut state, KeyIntent::Failback, now);
    let Stage::Unplanned { error } = stage(&state) else {
        panic!("{:?}", stage(&state))
    };
    assert!(error.contains("nothing to do"), "{error}");
    assert_eq!(key(&mut state, DialogKey::Enter, now), Vec::new());
    assert!(state.view.dialog.is_none());
    // No approval waiting in region-outage.
    act(&mut state, KeyIntent::Focus(Panel::Pipeline), now);
    act(&mut state, KeyIntent::Approve, now);
    assert!(
        matches!(stage(&state), Stage::Unplanned { error } if error.contains("no approval waiting"))
    );
}

#[test]
fn failover_targets_preselect_the_selected_region() {
    // billing's rows are 2, 3 and 4 (us-east-1 serving, us-west-2, eu-west-1).
    let (state, now) = sim_state("steady", 60);
    for (row, selected) in [(2, 0), (3, 0), (4, 1)] {
        let mut state = state.clone();
        state.view.selected[Panel::Health.index()] = row;
        act(&mut state, KeyIntent::Failover, now);
        let dialog = state.view.dialog.as_ref().unwrap();
        assert_eq!(
            (dialog.action, dialog.service.as_str()),
            (ActionKind::Failover, "billing")
        );
        let Stage::ChooseTarget {
            candidates,
            selected: s,
        } = &dialog.stage
        else {
            panic!("{:?}", dialog.stage)
        };
        assert_eq!(candidates, &["us-west-2", "eu-west-1"]);
        assert_eq!(*s, selected, "row {row}");
        // Typed characters do nothing here; ↓ and Enter plan the chosen region.
        key(&mut state, DialogKey::Char('q'), now);
        key(&mut state, DialogKey::Down, now);
        key(&mut state, DialogKey::Enter, now);
        let plan = state.view.dialog.as_ref().unwrap().plan().unwrap();
        assert_eq!(plan.target, "eu-west-1");
        assert!(!state.quit);
    }
}

#[test]
fn approve_and_reject_use_the_console_summary() {
    let (mut state, now) = sim_state("slow-replication", 120);
    act(&mut state, KeyIntent::Focus(Panel::Pipeline), now);
    act(&mut state, KeyIntent::Approve, now);
    let Stage::Reason { plan, .. } = stage(&state) else {
        panic!("not ready to approve: {:?}", stage(&state))
    };
    assert!(
        plan.calls[0]
            .describe()
            .contains("approved in the switchyard console [switchyard: replication: NOT READY")
    );
    key(&mut state, DialogKey::Esc, now);
    act(&mut state, KeyIntent::Reject, now);
    let Stage::Confirm { plan, .. } = stage(&state) else {
        panic!("rejecting needs no preflight: {:?}", stage(&state))
    };
    assert_eq!(plan.confirm, "sample-deploy");
    assert!(
        plan.calls[0]
            .describe()
            .contains("rejected in the switchyard console")
    );
}

#[test]
fn the_audit_log_at_start_shows_unfinished_actions() {
    let (mut state, now) = sim_state("steady", 60);
    let record = |id: &str, phase| crate::action::audit::AuditRecord {
        ts: now,
        id: id.into(),
        phase,
        action: "failover".into(),
        service: "sample".into(),
        target: "us-west-2".into(),
        request: serde_json::Value::Null,
        actor: None,
        outcome: None,
        error: None,
        forced_reason: None,
        drill: false,
        team_lock: None,
    };
    let records = vec![
        record("done", Phase::Intent),
        record("done", Phase::Result),
        record("died", Phase::Intent),
    ];
    update(&mut state, Msg::AuditLog(Ok(records)), now);
    assert_eq!(state.notices.len(), 1);
    assert!(
        state.notices[0]
            .text
            .contains("no result recorded yet for failover sample → us-west-2")
    );
    assert!(state.notices[0].text.contains("id died"));
    update(
        &mut state,
        Msg::AuditLog(Err("audit.jsonl: cannot read".into())),
        now,
    );
    assert_eq!(state.notices.len(), 1);
    assert_eq!(state.notices[0].tone, Tone::Warn);
    assert!(
        state.notices[0]
            .text
            .starts_with("▲ audit.jsonl: cannot read")
    );
}

#[test]
fn quitting_while_an_action_runs_asks_once_more() {
    let (mut state, now) = failover_confirm();
    type_text(&mut state, "sample/us-west-2", now);
    key(&mut state, DialogKey::Enter, now);
    key(&mut state, DialogKey::Esc, now);
    assert_eq!(act(&mut state, KeyIntent::Quit, now), Vec::new());
    assert!(!state.quit);
    assert!(messages(&state)[0].contains("quit again to leave once it ends"));
    // Another key takes the question back; two quits in a row leave.
    act(&mut state, KeyIntent::Down, now);
    assert_eq!(act(&mut state, KeyIntent::Quit, now), Vec::new());
    assert_eq!(act(&mut state, KeyIntent::Quit, now), vec![Command::Quit]);
    assert!(state.quit);
    // With nothing running, one quit is enough.
    let (mut state, now) = sim_state("steady", 60);
    assert_eq!(act(&mut state, KeyIntent::Quit, now), vec![Command::Quit]);
}
