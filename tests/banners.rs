//! The banners under the header on screen: an action with no result recorded (from the audit
//! log at start), one result per service, and closing while an action still runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;
use support::{backend_at, lines_with, screen};
use switchyard::action::audit::{AuditRecord, Phase};
use switchyard::action::{Report, Status};
use switchyard::model::Timestamp;
use switchyard::state::{CLOSE_WAIT, Command, Msg, State, update};
use switchyard::ui::keymap::msg_for;

fn press(state: &mut State, code: KeyCode, now: Timestamp) -> Vec<Command> {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    msg_for(state, key).map_or_else(Vec::new, |msg| update(state, msg, now))
}

fn report(service: &str, status: Status) -> Report {
    Report {
        id: Some("20261127T140230.000Z-4242-1".into()),
        action: "failover",
        service: service.into(),
        target: "us-west-2".into(),
        status,
        message: "as planned".into(),
        answers: Vec::new(),
        forced_reason: None,
        audit_error: None,
        team_lock: None,
        team_error: None,
    }
}

#[test]
fn an_unfinished_action_is_a_banner_until_dismissed() {
    let (_, mut state, now) = backend_at("steady", 120);
    let intent = AuditRecord {
        ts: now,
        id: "20261127T140200.000Z-4242-1".into(),
        phase: Phase::Intent,
        action: "failover".into(),
        service: "sample".into(),
        target: "us-west-2".into(),
        request: serde_json::json!([]),
        actor: None,
        outcome: None,
        error: None,
        forced_reason: None,
        drill: false,
        team_lock: None,
    };
    update(&mut state, Msg::AuditLog(Ok(vec![intent])), now);
    let text = screen(&state, 80, 24, now);
    assert!(
        text.contains("no result recorded yet for failover sample → us-west-2"),
        "{text}"
    );
    assert!(
        text.contains("if no other switchyard is") && text.contains("check AWS"),
        "{text}"
    );
    insta::assert_snapshot!("banner_unfinished_80x24", text);
    press(&mut state, KeyCode::Esc, now);
    assert!(!screen(&state, 80, 24, now).contains("no result recorded yet"));

    // A log that cannot be read is a banner too, not a crash.
    update(
        &mut state,
        Msg::AuditLog(Err("/x/audit.jsonl:3: not an audit record".into())),
        now,
    );
    assert!(screen(&state, 120, 35, now).contains("audit.jsonl:3: not an audit record"));
}

#[test]
fn each_service_shows_its_own_result() {
    let (_, mut state, now) = backend_at("region-outage", 150);
    for (service, status) in [("sample", Status::Failed), ("billing", Status::Verified)] {
        update(
            &mut state,
            Msg::ActionDone(Box::new(report(service, status))),
            now,
        );
    }
    let text = screen(&state, 120, 35, now);
    assert_eq!(
        lines_with(&text, "✗ FAILED: failover sample").len(),
        1,
        "{text}"
    );
    assert_eq!(
        lines_with(&text, "✓ verified: failover billing").len(),
        1,
        "{text}"
    );
}

#[test]
fn closing_while_an_action_runs_says_what_it_waits_for() {
    let (_, mut state, now) = backend_at("region-outage", 150);
    state.in_flight.insert("sample".into());
    // q once asks; q again quits, and the console waits for the action.
    assert_eq!(press(&mut state, KeyCode::Char('q'), now), Vec::new());
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("quit again to leave once it ends"), "{text}");
    assert_eq!(
        press(&mut state, KeyCode::Char('q'), now),
        vec![Command::Quit]
    );
    update(&mut state, Msg::Closing { limit: CLOSE_WAIT }, now);
    let text = screen(&state, 120, 35, now);
    assert!(
        text.contains("closing: waiting for the action on sample to end (at most 60 s)"),
        "{text}"
    );
    insta::assert_snapshot!("banner_closing_120x35", text);
    // Its result arrives: nothing left to wait for.
    update(
        &mut state,
        Msg::ActionDone(Box::new(report("sample", Status::Verified))),
        now,
    );
    let text = screen(&state, 80, 24, now);
    assert!(text.contains("closing…"), "{text}");
    assert!(text.contains("✓ verified: failover sample"), "{text}");
    assert_eq!(CLOSE_WAIT, Duration::from_secs(60));
}
