//! The simulation replayed: the events a console would have recorded from the scenario's start,
//! and drills placed at their simulated moments.

use crate::config::Thresholds;
use crate::fleet::Fleet;
use crate::fleet::testing::{at, sim};
use crate::journal::replay::{Replay, replay};
use crate::model::{AuditRecord, DrillRecord, Event, EventKind, Phase, SimMoment};
use crate::source::sim::scenario::Scenario;

fn region_outage(until_s: i64, records: &[DrillRecord]) -> Replay {
    let scenario = Scenario::built_in("region-outage").unwrap();
    replay(scenario, Thresholds::default(), until_s, records)
}

/// (kind, service, region, subject, after) of each event, for comparing orders.
fn summary(e: &Event) -> (EventKind, String, String, String, String) {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    (
        e.kind,
        text(&e.service),
        text(&e.region),
        text(&e.subject),
        text(&e.after),
    )
}

fn position(r: &Replay, want: impl Fn(&Event) -> bool) -> usize {
    r.events
        .iter()
        .position(want)
        .unwrap_or_else(|| panic!("not replayed; events: {:#?}", r.events))
}

fn is_error_rate_breach(e: &Event) -> bool {
    e.kind == EventKind::FindingRaised
        && e.code == Some(crate::model::FindingCode::ErrorRateHigh)
        && e.region.as_deref() == Some("us-east-1")
}

fn is_primary_failing(e: &Event) -> bool {
    e.kind == EventKind::HealthChanged
        && e.region.as_deref() == Some("us-east-1")
        && e.after.as_deref() == Some("unhealthy")
}

fn serves(subject: &'static str, region: &'static str) -> impl Fn(&Event) -> bool {
    move |e| {
        e.kind == EventKind::ServingChanged
            && e.service.as_deref() == Some("sample")
            && e.subject.as_deref() == Some(subject)
            && e.after.as_deref() == Some(region)
    }
}

/// The scenario's own description: errors climb from 1 minute in, then the health check fails
/// and Route 53 moves the shared name to us-west-2 (Route 53 Developer Guide, "How Amazon
/// Route 53 chooses records when health checking is configured": the failover record of an
/// unhealthy primary is not answered), DNS following.
#[test]
fn region_outage_replays_breach_then_failing_check_then_the_secondary_serving() {
    let r = region_outage(600, &[]);
    let breach = position(&r, is_error_rate_breach);
    let failing = position(&r, is_primary_failing);
    let by_health = position(&r, serves("health", "us-west-2"));
    let by_dns = position(&r, serves("dns", "us-west-2"));
    assert!(breach < failing, "{:#?}", r.events);
    assert!(
        failing <= by_health && by_health < by_dns,
        "{:#?}",
        r.events
    );
    // DNS follows the flags after the simulated propagation delay.
    assert!(r.events[by_dns].observed > r.events[by_health].observed);
    assert_eq!(r.from, Scenario::built_in("region-outage").unwrap().start);
    assert_eq!((r.to - r.from).num_seconds(), 600);
    assert_eq!(r.services, ["sample", "billing"]);
    assert_eq!((r.drills, r.notes.len()), (0, 0));
    // Nothing happens to billing (its serving regions are recorded as the baseline at the
    // start), and nothing is recorded twice.
    assert!(
        r.events
            .iter()
            .all(|e| e.service.as_deref() != Some("billing")
                || (e.kind == EventKind::ServingChanged
                    && e.before.is_none()
                    && e.observed == r.from)),
        "{:#?}",
        r.events
    );
    let mut seen = std::collections::BTreeSet::new();
    for e in &r.events {
        assert!(seen.insert((e.signal.clone(), e.after.clone())), "{e:#?}");
    }
}

#[test]
fn a_replay_is_the_same_every_time_and_a_shorter_one_is_its_beginning() {
    let full = region_outage(600, &[]);
    assert_eq!(full, region_outage(600, &[]));
    let early = region_outage(200, &[]);
    let cut = at(&sim("region-outage"), 200);
    let before: Vec<_> = full
        .events
        .iter()
        .filter(|e| e.observed <= cut)
        .map(summary)
        .collect();
    assert_eq!(early.events.iter().map(summary).collect::<Vec<_>>(), before);
    assert!(!before.is_empty());
    assert!(early.events.len() < full.events.len());
}

/// The fleet as a command at `secs` into region-outage sees it (every source fetched once).
fn fleet_at(secs: i64) -> Fleet {
    let backend = sim("region-outage");
    let schedule = backend.schedule();
    let mut fleet = Fleet::new(backend.services(), &schedule, Thresholds::default());
    for spec in &schedule {
        fleet.apply(backend.fetch_now(&spec.key, at(&backend, secs)));
    }
    fleet
}

/// A failover of sample to us-west-2 as `switchyard failover --sim region-outage --at 2m30s
/// --execute` records it: intent and result at 2m30s, verified when DNS followed.
fn failover_drill(scenario: &str, outcome: &str, verified_at: Option<i64>) -> Vec<DrillRecord> {
    let backend = sim("region-outage");
    let now = at(&backend, 150);
    let plan = crate::action::plan::failover(&fleet_at(150), "sample", "us-west-2", now).unwrap();
    let record = |phase, secs: i64, outcome: Option<&str>| DrillRecord {
        record: AuditRecord {
            // The wall clock: hours after the simulated moments.
            ts: chrono::Utc::now(),
            id: "20261203T101010.000Z-42-1".into(),
            phase,
            action: "failover".into(),
            service: "sample".into(),
            target: "us-west-2".into(),
            request: plan.request(),
            actor: Some(backend.caller()),
            outcome: outcome.map(str::to_string),
            error: None,
            forced_reason: None,
            drill: true,
            team_lock: None,
        },
        sim: Some(SimMoment {
            scenario: scenario.into(),
            at: at(&backend, secs) + chrono::Duration::milliseconds(250),
        }),
    };
    let mut records = vec![
        record(Phase::Intent, 150, None),
        record(Phase::Result, 150, Some(outcome)),
    ];
    if let Some(secs) = verified_at {
        records.push(record(Phase::Verified, secs, Some("DNS answers us-west-2")));
    }
    records
}

#[test]
fn a_drill_is_made_again_at_its_simulated_moment_and_the_world_follows_it() {
    let without = region_outage(600, &[]);
    let r = region_outage(600, &failover_drill("region-outage", "ok", Some(166)));
    assert_eq!((r.drills, r.notes.clone()), (1, vec![]));
    let action = position(&r, |e| e.kind == EventKind::Action);
    let e = &r.events[action];
    assert_eq!(
        e.observed,
        at(&sim("region-outage"), 166) + chrono::Duration::milliseconds(250)
    );
    assert_eq!(e.after.as_deref(), Some("verified"));
    assert_eq!(e.audit_id.as_deref(), Some("20261203T101010.000Z-42-1"));
    // Inverted: the primary counts as unhealthy from the call on (Route 53 API reference,
    // UpdateHealthCheck, Inverted), so the health model moves the name at once and DNS
    // follows, long before the outage itself would have.
    let moved = r.events[position(&r, serves("health", "us-west-2"))].observed;
    let followed = r.events[position(&r, serves("dns", "us-west-2"))].observed;
    let elapsed = |t: chrono::DateTime<chrono::Utc>| (t - r.from).num_seconds();
    assert!((150..=152).contains(&elapsed(moved)), "{moved}");
    assert!((165..=170).contains(&elapsed(followed)), "{followed}");
    let unaided = without.events[position(&without, serves("health", "us-west-2"))].observed;
    assert!(moved < unaided);
}

#[test]
fn drills_of_other_scenarios_without_a_moment_or_after_the_end_are_left_out() {
    let plain = region_outage(600, &[]);
    let other = failover_drill("steady", "ok", Some(166));
    let mut unplaced = failover_drill("region-outage", "ok", Some(166));
    for r in &mut unplaced {
        r.sim = None;
    }
    for records in [other, unplaced] {
        assert_eq!(region_outage(600, &records), plain);
    }
    // Replayed to 2m (before the drill), nothing of it shows.
    let early = region_outage(120, &failover_drill("region-outage", "ok", Some(166)));
    assert_eq!(early, region_outage(120, &[]));
    // Replayed to 2m40s: the action had started and its calls were made; it had not ended.
    let mid = region_outage(160, &failover_drill("region-outage", "ok", Some(166)));
    let action = &mid.events[position(&mid, |e| e.kind == EventKind::Action)];
    assert_eq!(action.after.as_deref(), Some("ok"));
    position(&mid, serves("health", "us-west-2"));
}

#[test]
fn a_drill_whose_calls_were_not_made_changes_nothing_in_the_replay() {
    let plain = region_outage(600, &[]);
    let refused = region_outage(600, &failover_drill("region-outage", "conflict", None));
    assert_eq!(refused.drills, 1);
    let without_action: Vec<_> = refused
        .events
        .iter()
        .filter(|e| e.kind != EventKind::Action)
        .cloned()
        .collect();
    assert_eq!(without_action, plain.events);
    // An intent alone (the process died): its calls are unknown, said in a note.
    let mut died = failover_drill("region-outage", "ok", None);
    died.truncate(1);
    let r = region_outage(600, &died);
    assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
    assert!(r.notes[0].contains("no result recorded"), "{:?}", r.notes);
    let started = &r.events[position(&r, |e| e.kind == EventKind::Action)];
    assert_eq!(started.after.as_deref(), Some("started"));
}

#[test]
fn a_drill_the_replay_cannot_make_again_is_a_note() {
    // Two failovers made in separate processes, each reading HealthCheckVersion 1: in one
    // world the second is a HealthCheckVersionMismatch (Route 53 API reference,
    // UpdateHealthCheck, HealthCheckVersion).
    let mut records = failover_drill("region-outage", "ok", Some(166));
    let mut second = failover_drill("region-outage", "ok", Some(170));
    for r in &mut second {
        r.record.id = "second".into();
        if let Some(sim) = &mut r.sim {
            sim.at += chrono::Duration::seconds(2);
        }
    }
    records.extend(second);
    let r = region_outage(600, &records);
    assert_eq!(r.drills, 2);
    assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
    assert!(
        r.notes[0].contains("drill second") && r.notes[0].contains("HealthCheckVersionMismatch"),
        "{:?}",
        r.notes
    );
}
