//! The simulation replayed (README, "Incident timeline"): the events a console would have
//! recorded watching a scenario from its start, for `switchyard timeline --sim`.
//!
//! From the scenario's start to `until`, every source of the simulation's schedule is fetched
//! at its own interval (backing off after failures as the pollers do), applied to a fleet, and
//! observed by a [`Tracker`] that starts empty, as a console started at the scenario's start
//! with an empty journal. Fetches due at the same simulated moment are applied together and
//! observed once (a console gets them one by one, in the order its tasks happen to run).
//! The simulation is a pure function of its scenario, the operations made and time, so a
//! replay gives the same events every time.
//!
//! **Drills.** An action in the simulation (`failover --sim … --execute`, or the demo
//! console's) records in the drill log where in the simulation it was made (`sim`: scenario
//! and simulated moment). The replay makes the drill's calls again at its result's simulated
//! moment, in a world of its own, so the simulated deployment reacts as it did (the serving
//! region moves), and shows the action as an action event at its last record's simulated
//! moment. Which calls were made is read from the result: all of them for `ok`, the first N for
//! `partial: N of M calls made`, none for a refusal or a conflict (unless re-reading showed the
//! change applied: `verified`), none for an intent without a result (the process died; its
//! calls may or may not have been made). A call the replay cannot make again (the world it
//! finds differs, for instance after two drills made in separate processes) is a note.

use crate::assess::events::{Tracker, observe};
use crate::config::Thresholds;
use crate::fleet::Fleet;
use crate::model::{DrillRecord, Event, Phase, Timestamp, phase_rank};
use crate::source::ErrorKind;
use crate::source::call::Call;
use crate::source::sim::SimBackend;
use crate::source::sim::scenario::Scenario;

/// The events of a replayed scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// The scenario's start.
    pub from: Timestamp,
    /// Its start plus the offset replayed to.
    pub to: Timestamp,
    /// The scenario's services.
    pub services: Vec<String>,
    /// Oldest first.
    pub events: Vec<Event>,
    /// Drills replayed (shown as action events).
    pub drills: usize,
    /// Drill calls that could not be made again, drills whose calls are unknown.
    pub notes: Vec<String>,
}

/// One drill as the replay makes it.
struct Drill {
    /// Its result's simulated moment: the calls were made by then.
    calls_at: Option<Timestamp>,
    calls: Vec<Call>,
    /// The action event, at its last record's simulated moment.
    event: Event,
    what: String,
}

/// The drills of `scenario` among `records` with a simulated moment within `[from, to]`
/// (records later than `to` are left out: the action had not got that far).
fn drills(
    records: &[DrillRecord],
    scenario: &str,
    from: Timestamp,
    to: Timestamp,
) -> (Vec<Drill>, Vec<String>) {
    let mut by_id: Vec<(&str, Vec<(Timestamp, &DrillRecord)>)> = Vec::new();
    for r in records {
        let Some(sim) = &r.sim else { continue };
        if sim.scenario != scenario || sim.at < from || sim.at > to {
            continue;
        }
        match by_id.iter_mut().find(|(id, _)| *id == r.record.id) {
            Some((_, list)) => list.push((sim.at, r)),
            None => by_id.push((&r.record.id, vec![(sim.at, r)])),
        }
    }
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for (id, mut list) in by_id {
        list.sort_by_key(|(at, r)| (*at, phase_rank(r.record.phase)));
        let Some((last_at, last)) = list.last() else {
            continue;
        };
        let what = format!(
            "drill {id} ({} {} → {})",
            last.record.action, last.record.service, last.record.target
        );
        let mut event = super::record_event(&last.record);
        event.observed = *last_at;
        let intent = list.iter().find(|(_, r)| r.record.phase == Phase::Intent);
        let result = list
            .iter()
            .rev()
            .find(|(_, r)| r.record.phase == Phase::Result);
        let applied = list.iter().any(|(_, r)| r.record.phase == Phase::Verified);
        let calls: Vec<Call> = match intent.map(|(_, r)| &r.record.request) {
            Some(request) => match serde_json::from_value(request.clone()) {
                Ok(calls) => calls,
                Err(e) => {
                    notes.push(format!(
                        "{what}: its calls cannot be read from the record ({e}); not replayed"
                    ));
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        let (calls_at, made) = match result {
            None => {
                if intent.is_some() {
                    notes.push(format!(
                        "{what}: no result recorded by then; whether its calls were made is \
                         unknown, so they are not replayed"
                    ));
                }
                (None, 0)
            }
            Some((at, r)) => {
                let outcome = r.record.outcome.as_deref().unwrap_or_default();
                let made = if outcome == "ok" {
                    calls.len()
                } else if let Some(rest) = outcome.strip_prefix("partial: ") {
                    rest.split_whitespace()
                        .next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0)
                } else if applied {
                    // The call answered with an error, but re-reading showed the change.
                    calls.len()
                } else {
                    0
                };
                (Some(*at), made)
            }
        };
        out.push(Drill {
            calls_at,
            calls: calls.into_iter().take(made).collect(),
            event,
            what,
        });
    }
    (out, notes)
}

/// The scenario replayed from its start to `until_s` seconds into it, with the drills among
/// `records` (the drill log's, already chosen by when they were recorded).
pub fn replay(
    scenario: Scenario,
    thresholds: Thresholds,
    until_s: i64,
    records: &[DrillRecord],
) -> Replay {
    let from = scenario.start;
    let to = from + chrono::Duration::seconds(until_s.max(0));
    let (mut drills, mut notes) = drills(records, &scenario.name, from, to);
    drills.sort_by_key(|d| d.calls_at);
    let backend = SimBackend::new(scenario);
    let schedule = backend.schedule();
    let mut fleet = Fleet::new(backend.services(), &schedule, thresholds);
    let services = fleet
        .services
        .iter()
        .map(|s| s.service.name.clone())
        .collect();
    let ms = |at: Timestamp| (at - from).num_milliseconds();
    let end = ms(to);
    // Per source: when it is next due (ms from the start) and its failures in a row.
    let mut due: Vec<(i64, u32)> = vec![(0, 0); schedule.len()];
    let mut calls = drills
        .iter()
        .filter_map(|d| Some((ms(d.calls_at?), d)))
        .peekable();
    let mut tracker = Tracker::default();
    let mut events = Vec::new();
    loop {
        let next_fetch = due.iter().map(|(t, _)| *t).min().unwrap_or(i64::MAX);
        let next_call = calls.peek().map_or(i64::MAX, |(t, _)| *t);
        let t = next_fetch.min(next_call);
        if t > end {
            break;
        }
        let now = from + chrono::Duration::milliseconds(t);
        while let Some((_, drill)) = calls.next_if(|(at, _)| *at <= t) {
            for call in &drill.calls {
                if let Err(e) = backend.replay_call(call, now) {
                    notes.push(format!(
                        "{}: {} could not be made again in the replay ({e}); the simulated \
                         deployment does not show it",
                        drill.what,
                        call.api()
                    ));
                    break;
                }
            }
        }
        let mut fetched = false;
        for (spec, (at, failures)) in schedule.iter().zip(due.iter_mut()) {
            if *at > t {
                continue;
            }
            let answer = backend.fetch_now(&spec.key, now);
            let throttled = answer
                .partial
                .as_ref()
                .is_some_and(|p| p.kind == ErrorKind::Throttled);
            *failures = if answer.result.is_ok() && !throttled {
                0
            } else {
                *failures + 1
            };
            let wait = crate::poll::next_wait(spec.interval, *failures);
            *at = t + i64::try_from(wait.as_millis())
                .unwrap_or(i64::MAX / 2)
                .max(1);
            fleet.apply(answer);
            fetched = true;
        }
        if fetched {
            events.extend(tracker.observe(&observe(&fleet, now), now));
        }
    }
    let replayed = drills.len();
    events.extend(drills.into_iter().map(|d| d.event));
    events.sort_by_key(|e| e.observed);
    Replay {
        from,
        to,
        services,
        events,
        drills: replayed,
        notes,
    }
}
