//! GetHealthCheckLastFailureReason on demand: opening a check's Health detail asks for it once,
//! a read younger than the cache window is shown again without asking, and the answer lands
//! where the detail view finds it.

use super::*;
use crate::model::{CheckerObservation, HealthStatus};

fn open_detail(state: &mut State, now: Timestamp) -> Vec<Command> {
    update(state, Msg::Key(KeyIntent::Focus(Panel::Health)), now);
    update(state, Msg::Key(KeyIntent::OpenDetail), now)
}

#[test]
fn opening_a_health_detail_reads_the_failure_reasons_once_per_window() {
    let (mut state, now) = sim_state("region-outage", 360);
    let id = state.fleet.services[0].regions[0]
        .health
        .as_ref()
        .unwrap()
        .value
        .id
        .clone();
    let commands = open_detail(&mut state, now);
    assert_eq!(
        commands,
        vec![Command::ReadFailureReasons {
            health_check_id: id.clone()
        }]
    );
    assert_eq!(state.failure_reasons[&id].result, None, "reading");
    // Opened again while the read runs: not asked twice.
    assert!(open_detail(&mut state, now).is_empty());

    let failure = CheckerObservation {
        checker_region: "eu-west-1".into(),
        status: HealthStatus::Unhealthy,
        report: "Failure: HTTP Status Code 503".into(),
        checked_at: now,
    };
    update(
        &mut state,
        Msg::FailureReasons {
            health_check_id: id.clone(),
            result: Ok(vec![failure.clone()]),
        },
        now,
    );
    assert_eq!(state.failure_reasons[&id].result, Some(Ok(vec![failure])));
    let later = now + chrono::Duration::seconds(FAILURE_REASONS_TTL_S - 1);
    assert!(open_detail(&mut state, later).is_empty(), "still fresh");
    let stale = now + chrono::Duration::seconds(FAILURE_REASONS_TTL_S);
    assert_eq!(open_detail(&mut state, stale).len(), 1, "read again");
}

#[test]
fn a_region_without_a_health_check_or_another_panel_reads_nothing() {
    let (mut state, now) = sim_state("steady", 60);
    let mut h = state.fleet.services[0].regions[0].health.clone().unwrap();
    h.value = crate::model::HealthCheck::none();
    state.fleet.services[0].regions[0].health = Some(h);
    assert!(open_detail(&mut state, now).is_empty());
    update(&mut state, Msg::Key(KeyIntent::Focus(Panel::Lambda)), now);
    assert!(update(&mut state, Msg::Key(KeyIntent::OpenDetail), now).is_empty());
}
