//! `update` for the banners of guarded actions: one result per service, unfinished actions from
//! the audit log (worded for an action another switchyard may still be running), and the caller
//! learned late.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::action::Status;
use crate::action::audit::{AuditRecord, Phase};

fn results(state: &State) -> Vec<&str> {
    state
        .notices
        .iter()
        .filter(|n| n.kind == NoticeKind::Result)
        .map(|n| n.text.as_str())
        .collect()
}

fn done(state: &mut State, service: &str, status: Status, now: Timestamp) -> Vec<Command> {
    update(
        state,
        Msg::ActionDone(Box::new(report_for(service, status))),
        now,
    )
}

#[test]
fn each_service_keeps_its_own_result_banner() {
    let (mut state, now) = sim_state("region-outage", 150);
    done(&mut state, "sample", Status::Failed, now);
    done(&mut state, "billing", Status::Verified, now);
    let shown = results(&state);
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown[0].starts_with("✗ FAILED: failover sample"),
        "{shown:?}"
    );
    assert!(
        shown[1].starts_with("✓ verified: failover billing"),
        "{shown:?}"
    );
    // A later result for sample replaces sample's, and only sample's.
    done(&mut state, "sample", Status::Unverified, now);
    let shown = results(&state);
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown[0].starts_with("✓ verified: failover billing"),
        "{shown:?}"
    );
    assert!(
        shown[1].starts_with("▲ UNVERIFIED: failover sample"),
        "{shown:?}"
    );
    // Esc (with nothing else open) still dismisses them all.
    act(&mut state, KeyIntent::Back, now);
    assert!(state.notices.is_empty());
}

#[test]
fn an_unfinished_action_is_not_called_dead() {
    let (mut state, now) = sim_state("steady", 60);
    let intent = AuditRecord {
        ts: now,
        id: "20261127T140200.000Z-4242-1".into(),
        phase: Phase::Intent,
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
    update(&mut state, Msg::AuditLog(Ok(vec![intent])), now);
    let [notice] = state.notices.as_slice() else {
        panic!("{:?}", state.notices)
    };
    let started = now.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    assert_eq!(
        notice.text,
        format!(
            "▲ no result recorded yet for failover sample → us-west-2 (started {started}, id \
             20261127T140200.000Z-4242-1): if no other switchyard is running it, check AWS; see \
             `switchyard audit`"
        )
    );
    // Still the banner that must not be missed.
    assert_eq!((notice.kind, notice.tone), (NoticeKind::Audit, Tone::Crit));
    for dead in ["unfinished", "died", "✗"] {
        assert!(!notice.text.contains(dead), "{dead}: {}", notice.text);
    }
}

/// In a demo the console reads the drill log: an unfinished drill points at `audit --drill`.
#[test]
fn an_unfinished_drill_points_at_the_drill_log() {
    let (mut state, now) = sim_state("steady", 60);
    let intent = AuditRecord {
        ts: now,
        id: "d-1".into(),
        phase: Phase::Intent,
        action: "failover".into(),
        service: "sample".into(),
        target: "us-west-2".into(),
        request: serde_json::Value::Null,
        actor: None,
        outcome: None,
        error: None,
        forced_reason: None,
        drill: true,
        team_lock: None,
    };
    update(&mut state, Msg::AuditLog(Ok(vec![intent])), now);
    let [notice] = state.notices.as_slice() else {
        panic!("{:?}", state.notices)
    };
    assert!(
        notice.text.ends_with("see `switchyard audit --drill`"),
        "{}",
        notice.text
    );
}

#[test]
fn the_caller_learned_by_an_action_reaches_the_status_bar() {
    let (mut state, now) = sim_state("steady", 60);
    state.caller = None;
    let arn = "arn:aws:sts::1:assumed-role/ops/me";
    assert_eq!(
        update(&mut state, Msg::Caller(Ok(arn.into())), now),
        Vec::new()
    );
    assert_eq!(state.caller.as_deref(), Some(arn));
    assert!(state.notices.is_empty());
    // Still unknown: it stays unknown, and a banner says the records have no actor; it outlives
    // the action's result.
    state.caller = None;
    update(
        &mut state,
        Msg::Caller(Err("STS did not answer in 10 s".into())),
        now,
    );
    update(
        &mut state,
        Msg::ActionDone(Box::new(report(Status::Verified))),
        now,
    );
    assert_eq!(state.caller, None);
    let audit: Vec<&Notice> = state
        .notices
        .iter()
        .filter(|n| n.kind == NoticeKind::Audit)
        .collect();
    assert_eq!(audit.len(), 1, "{:?}", state.notices);
    assert!(
        audit[0].text.contains("STS did not answer in 10 s") && audit[0].text.contains("no actor"),
        "{}",
        audit[0].text
    );
}

/// A refresh asks each credential set's caller again (README, "Several accounts"): the new
/// list replaces the old, and the status bar's one caller stays as it was.
#[test]
fn callers_asked_again_replace_the_fleets() {
    let (mut state, now) = sim_state("steady", 60);
    let before = state.caller.clone();
    let caller = crate::model::Caller {
        credentials: "profile workload".into(),
        apis: vec!["lambda".into()],
        arn: Some("arn:aws:sts::111111111111:assumed-role/w/me".into()),
        account: Some("111111111111".into()),
        error: None,
        wrong_account: Vec::new(),
    };
    assert_eq!(
        update(&mut state, Msg::Callers(vec![caller.clone()]), now),
        Vec::new()
    );
    assert_eq!(state.fleet.callers, vec![caller]);
    assert_eq!(state.caller, before);
}
