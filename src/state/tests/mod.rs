//! Unit tests of the console state, through `update` as the event loop drives it: `keys` (key
//! intents and filter editing), `dialog` (guarded actions from the keys), `notices` (result
//! banners), `replan` (the plan made again at confirmation); and what they share: a simulated
//! scenario's console at a moment, and key presses and dialog keys fed through `update`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod dialog;
mod failure_reasons;
mod keys;
mod notices;
mod replan;
mod team;
mod timeline;

use super::*;
use crate::action::Status;
use crate::fleet::testing::{at, sim};

/// A scenario's console after one round of fetches, `seconds` in, with Health focused.
pub(super) fn sim_state(scenario: &str, seconds: i64) -> (State, Timestamp) {
    let backend = sim(scenario);
    let now = at(&backend, seconds);
    (State::simulated(&backend, now, Thresholds::default()), now)
}

/// Every source of the scenario fetched at `at` and fed through `update`, as the pollers do.
pub(super) fn refetch(state: &mut State, scenario: &str, at: Timestamp) {
    let backend = sim(scenario);
    for spec in backend.schedule() {
        update(state, backend.fetch_now(&spec.key, at).into(), at);
    }
}

pub(super) fn act(state: &mut State, intent: KeyIntent, now: Timestamp) -> Vec<Command> {
    update(state, Msg::Key(intent), now)
}

pub(super) fn key(state: &mut State, key: DialogKey, now: Timestamp) -> Vec<Command> {
    update(state, Msg::Dialog(key), now)
}

pub(super) fn type_text(state: &mut State, text: &str, now: Timestamp) {
    for c in text.chars() {
        assert_eq!(key(state, DialogKey::Char(c), now), Vec::new());
    }
}

pub(super) fn stage(state: &State) -> &Stage {
    &state.view.dialog.as_ref().expect("a dialog").stage
}

pub(super) fn messages(state: &State) -> Vec<&str> {
    state
        .notices
        .iter()
        .filter(|n| n.kind == NoticeKind::Message)
        .map(|n| n.text.as_str())
        .collect()
}

/// region-outage at 2m30s, sample's failover planned (preflight passes).
pub(super) fn failover_confirm() -> (State, Timestamp) {
    let (mut state, now) = sim_state("region-outage", 150);
    assert_eq!(act(&mut state, KeyIntent::Failover, now), Vec::new());
    assert!(
        matches!(stage(&state), Stage::Confirm { .. }),
        "{:?}",
        stage(&state)
    );
    (state, now)
}

/// How a failover of `service` to us-west-2 ended.
pub(super) fn report_for(service: &str, status: Status) -> Report {
    Report {
        id: Some("20261127T140230.000Z-1".into()),
        action: "failover",
        service: service.into(),
        target: "us-west-2".into(),
        status,
        message: "Inverted flags as planned".into(),
        answers: Vec::new(),
        forced_reason: None,
        audit_error: None,
        team_lock: None,
        team_error: None,
    }
}

pub(super) fn report(status: Status) -> Report {
    report_for("sample", status)
}
