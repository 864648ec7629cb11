//! What the state tests of guarded actions share: a simulated scenario's state at a moment, and
//! key presses and dialog keys fed through `update` as the event loop feeds them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::action::Status;
use crate::source::sim::SimBackend;
use crate::source::sim::scenario::Scenario;

/// A scenario's state after one round of fetches, `seconds` in, with Health focused.
pub(super) fn sim_state(scenario: &str, seconds: i64) -> (State, Timestamp) {
    let scenario = Scenario::built_in(scenario).unwrap();
    let now = scenario.start + chrono::Duration::seconds(seconds);
    let state = SimBackend::new(scenario).state_at(now, Thresholds::default());
    (state, now)
}

/// Every source of the scenario fetched at `at` and fed through `update`, as the pollers do.
pub(super) fn refetch(state: &mut State, scenario: &str, at: Timestamp) {
    let backend = SimBackend::new(Scenario::built_in(scenario).unwrap());
    for spec in backend.plan() {
        let (calls, result) = backend.fetch_now(&spec.key, at);
        let fetched = crate::source::Fetched {
            key: spec.key,
            at,
            calls,
            route53_calls: 0,
            result,
            partial: None,
        };
        update(state, Msg::Fetched(Box::new(fetched)), at);
    }
}

pub(super) fn act(state: &mut State, action: Action, now: Timestamp) -> Vec<Command> {
    update(state, Msg::Action(action), now)
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
    assert_eq!(act(&mut state, Action::Failover, now), Vec::new());
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
    }
}

pub(super) fn report(status: Status) -> Report {
    report_for("sample", status)
}
