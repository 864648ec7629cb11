//! The team in the console (README, "Working as a team"): an action key on a service another
//! operator's lease holds says who holds it, what they are doing and since when, instead of
//! opening a plan that the lease would refuse at execution; this process's own lease is not
//! someone else's; a lease not read again for longer than it lasts no longer refuses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::state::team as seen;

/// two-responders at 3m40s: alice has held sample's lease since 3m (her failover runs 90 s).
fn alice_holds_sample() -> (State, Timestamp) {
    let (state, now) = sim_state("two-responders", 220);
    assert!(state.fleet.team.is_some(), "the team source was read");
    (state, now)
}

#[test]
fn an_action_key_on_a_service_a_teammate_holds_says_who_instead_of_planning() {
    for intent in [KeyIntent::Failover, KeyIntent::Failback] {
        let (mut state, now) = alice_holds_sample();
        assert_eq!(act(&mut state, intent, now), Vec::new());
        assert!(state.view.dialog.is_none(), "{intent:?}: no plan opened");
        let said = messages(&state);
        let name = if intent == KeyIntent::Failover {
            "failover"
        } else {
            "failback"
        };
        assert_eq!(said.len(), 1, "{said:?}");
        assert_eq!(
            said[0],
            format!(
                "{name} sample refused: …/alice (alice-laptop) holds its team lease for failover \
                 → us-west-2 since 14:03:00Z, 40 s ago; wait for it to end"
            )
        );
    }
}

#[test]
fn the_same_key_on_a_service_nobody_holds_opens_its_plan() {
    let (mut state, now) = alice_holds_sample();
    // billing's first row: sample has two regions.
    act(&mut state, KeyIntent::Down, now);
    act(&mut state, KeyIntent::Down, now);
    act(&mut state, KeyIntent::Failover, now);
    let dialog = state.view.dialog.as_ref().expect("a dialog");
    assert_eq!(dialog.service, "billing");
    assert!(messages(&state).is_empty());
}

#[test]
fn once_the_teammates_action_ends_the_key_plans_again() {
    let (mut state, _) = alice_holds_sample();
    // 5m: her action ended at 4m30s and her lease was deleted.
    let later = at(&crate::fleet::testing::sim("two-responders"), 300);
    refetch(&mut state, "two-responders", later);
    act(&mut state, KeyIntent::Failover, later);
    assert!(state.view.dialog.is_some(), "{:?}", messages(&state));
}

#[test]
fn a_lease_not_read_again_for_longer_than_it_lasts_no_longer_refuses() {
    let (mut state, now) = alice_holds_sample();
    // Read at 3m40s just after a renewal (age 0 by S3's clock); 121 s later without a new read
    // it would have lapsed unless renewed, and the team source would have said so.
    let lease = state.fleet.team.as_ref().unwrap().value.leases[0].clone();
    assert_eq!(lease.age_s, 0);
    let later = now + chrono::Duration::seconds(121);
    assert!(seen::held_by_other(&state, "sample", now + chrono::Duration::seconds(120)).is_some());
    assert!(seen::held_by_other(&state, "sample", later).is_none());
    act(&mut state, KeyIntent::Failover, later);
    assert!(
        messages(&state).iter().all(|m| !m.contains("refused")),
        "{:?}",
        messages(&state)
    );
}

#[test]
fn this_processs_own_lease_is_not_someone_elses() {
    let (mut state, now) = alice_holds_sample();
    let holder = state.fleet.team.as_ref().unwrap().value.leases[0]
        .lease
        .holder
        .clone();
    // The holder is `HOST/PID/AUDIT-ID`: this process is HOST/PID.
    let prefix = format!("{}/", holder.rsplit_once('/').unwrap().0);
    state.holder_prefix = Some(prefix);
    act(&mut state, KeyIntent::Failover, now);
    assert!(state.view.dialog.is_some(), "{:?}", messages(&state));
    let lines = seen::lines(&state, now);
    assert!(
        lines.iter().all(|(l, _)| !l.contains("alice")),
        "neither her lease nor her action in flight: {lines:?}"
    );
}

#[test]
fn the_team_lines_name_the_lease_then_the_others_recent_actions() {
    let (mut state, now) = alice_holds_sample();
    let lines: Vec<String> = seen::lines(&state, now).into_iter().map(|l| l.0).collect();
    assert_eq!(
        lines,
        [
            "team: sample: failover → us-west-2 by …/alice, 40 s ago, running",
            "team, last 30 min: failback billing → us-east-1 by …/bob, 15 min ago, verified",
        ]
    );
    // An action this console ran is left out of the recent ones.
    let bob = state.fleet.team.as_ref().unwrap().value.actions()[1]
        .id
        .clone();
    state.own_actions.insert(bob);
    assert_eq!(seen::lines(&state, now).len(), 1);
    // Without a team source, nothing.
    let (plain, now) = sim_state("region-outage", 220);
    assert!(plain.fleet.team.is_none());
    assert!(seen::lines(&plain, now).is_empty());
}

#[test]
fn a_lease_past_its_time_without_renewal_is_said_to_have_lapsed() {
    let (state, now) = alice_holds_sample();
    // Not read again for 130 s after a read at age 0: 10 s past its 120 s.
    let later = now + chrono::Duration::seconds(130);
    let lines = seen::lines(&state, later);
    assert_eq!(
        lines[0],
        (
            "team: sample: failover → us-west-2 by …/alice, 2 min ago, lease lapsed 10 s ago \
             without renewal (the next action takes it over)"
                .to_string(),
            Tone::Crit
        )
    );
}
