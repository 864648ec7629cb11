//! Tables of `update` cases for the incident journal in the console: a fetch that changes a
//! signal gives one `Command::Record` (and the event in the view), a repeat none; the journal
//! read at start seeds the tracker; the note prompt; an action's event; the Timeline view's
//! service filter and scrolling; a failing journal shown once.

use super::*;
use crate::fleet::testing::two_services;
use crate::model::{EventKind, Severity};
use crate::source::{SourceKey, SourceKind};

/// The events among `commands` (each `Command::Record`'s, in order).
fn recorded(commands: &[Command]) -> Vec<&Event> {
    commands
        .iter()
        .flat_map(|c| match c {
            Command::Record(events) => events.iter().collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn health_changes<'a>(events: &[&'a Event], region: &str) -> Vec<&'a Event> {
    events
        .iter()
        .filter(|e| e.kind == EventKind::HealthChanged && e.region.as_deref() == Some(region))
        .copied()
        .collect()
}

/// Route 53's health fetch for us-east-1 in region-outage at `secs`, through `update`.
fn health_fetch(state: &mut State, secs: i64) -> Vec<Command> {
    let backend = sim("region-outage");
    let now = at(&backend, secs);
    let key = SourceKey::new(SourceKind::Health, "us-east-1");
    update(state, backend.fetch_now(&key, now).into(), now)
}

#[test]
fn a_health_change_is_recorded_once() {
    let (mut state, _) = sim_state("region-outage", 0);
    let at_start = state.events.len();
    // (seconds in, us-east-1 health events the fetch gives)
    let cases = [
        (30, 0),  // still healthy: nothing changed
        (360, 1), // the primary's check has failed
        (360, 0), // the same answer again
        (390, 0), // still unhealthy
    ];
    for (secs, expected) in cases {
        let commands = health_fetch(&mut state, secs);
        let events = recorded(&commands);
        let changes = health_changes(&events, "us-east-1");
        assert_eq!(changes.len(), expected, "{secs}s: {commands:?}");
        assert!(
            commands.iter().all(|c| matches!(c, Command::Record(_))),
            "{commands:?}"
        );
        if expected == 0 {
            assert_eq!(commands, Vec::new(), "{secs}s: a repeat records nothing");
        }
    }
    // The change is in the view too, once.
    let kept: Vec<&Event> = state.events[at_start..].iter().collect();
    let changes = health_changes(&kept, "us-east-1");
    assert_eq!(changes.len(), 1, "{kept:?}");
    assert_eq!(changes[0].after.as_deref(), Some("unhealthy"));
    assert_eq!(changes[0].severity, Severity::Critical);
}

#[test]
fn the_journal_read_at_start_seeds_the_tracker_and_fills_the_view() {
    // What an earlier console recorded: us-east-1 already unhealthy.
    let (mut earlier, _) = sim_state("region-outage", 0);
    health_fetch(&mut earlier, 360);
    let last: Vec<Event> = earlier.events.clone();
    // A new console reads it before its first fetch: the same answer records nothing again.
    let mut state = State::new("test".into(), earlier.fleet.clone());
    update(
        &mut state,
        Msg::Journal(Ok(JournalRead {
            last: last.clone(),
            recent: last.clone(),
            skipped: 0,
        })),
        at(&sim("region-outage"), 360),
    );
    assert_eq!(state.events, last);
    assert_eq!(health_fetch(&mut state, 390), Vec::new());
    // Unseeded, the same fleet records its unhealthy region at first sight.
    let mut fresh = State::new("test".into(), earlier.fleet.clone());
    let commands = health_fetch(&mut fresh, 390);
    assert_eq!(
        health_changes(&recorded(&commands), "us-east-1").len(),
        1,
        "{commands:?}"
    );
}

#[test]
fn a_journal_that_cannot_be_read_or_written_is_a_banner_once() {
    let mut state = State::new("test".into(), two_services());
    update(
        &mut state,
        Msg::Journal(Err("cannot read the incident journal /x: denied".into())),
        crate::fleet::testing::t(0),
    );
    assert_eq!(state.notices.len(), 1);
    assert!(state.notices[0].text.contains("timeline starts empty"));
    // (written failure, written failure again, success, failure) → banners in all
    let cases = [
        (Err("disk full".to_string()), 2),
        (Err("disk full".to_string()), 2),
        (Ok(()), 2),
        (Err("disk full".to_string()), 3),
    ];
    for (i, (result, banners)) in cases.into_iter().enumerate() {
        update(
            &mut state,
            Msg::Recorded(result),
            crate::fleet::testing::t(0),
        );
        assert_eq!(
            state.notices.len(),
            banners,
            "case {i}: {:?}",
            state.notices
        );
    }
}

#[test]
fn the_note_prompt() {
    use FilterKey::*;
    // (keys typed after `n`, the note recorded (None: nothing), the prompt still open)
    let cases: Vec<(Vec<FilterKey>, Option<&str>, bool)> = vec![
        (vec![Char('h'), Char('i'), Done], Some("hi"), false),
        (vec![Char('h'), Char('i'), Cancel], None, false),
        // Empty (or blank) is refused: the prompt stays, saying why.
        (vec![Done], None, true),
        (vec![Char(' '), Done], None, true),
        (
            vec![Char('a'), Char('b'), Backspace, Done],
            Some("a"),
            false,
        ),
        (
            vec![Char(' '), Char('x'), Char(' '), Done],
            Some("x"),
            false,
        ),
    ];
    for (keys, expected, open) in cases {
        let (mut state, now) = sim_state("region-outage", 60);
        assert_eq!(act(&mut state, KeyIntent::AddNote, now), Vec::new());
        let mut commands = Vec::new();
        for key in &keys {
            commands.extend(update(&mut state, Msg::Note(*key), now));
        }
        let notes: Vec<&Event> = recorded(&commands);
        match expected {
            Some(text) => {
                assert_eq!(notes.len(), 1, "{keys:?}");
                let note = notes[0];
                assert_eq!(
                    (note.kind, note.message.as_str(), note.observed),
                    (EventKind::Note, text, now)
                );
                // About the selected row's service, by who the console acts as.
                assert_eq!(note.service.as_deref(), Some("sample"));
                assert_eq!(note.actor, state.caller);
                assert_eq!(state.events.last(), Some(note));
            }
            None => assert!(notes.is_empty(), "{keys:?}: {commands:?}"),
        }
        assert_eq!(state.view.note.is_some(), open, "{keys:?}");
        if open {
            let refused = state.view.note.as_ref().unwrap().refused.clone();
            assert!(refused.is_some_and(|r| r.contains("type the note")));
        }
    }
}

#[test]
fn a_note_is_bounded_and_about_the_timelines_service() {
    let (mut state, now) = sim_state("region-outage", 60);
    act(&mut state, KeyIntent::ToggleTimeline, now);
    act(&mut state, KeyIntent::TimelineService, now);
    act(&mut state, KeyIntent::TimelineService, now);
    act(&mut state, KeyIntent::AddNote, now);
    for _ in 0..NOTE_MAX + 50 {
        update(&mut state, Msg::Note(FilterKey::Char('x')), now);
    }
    let commands = update(&mut state, Msg::Note(FilterKey::Done), now);
    let notes = recorded(&commands);
    assert_eq!(notes[0].message.chars().count(), NOTE_MAX);
    assert_eq!(notes[0].service.as_deref(), Some("billing"));
    // In the unfiltered timeline a note is about no one service.
    act(&mut state, KeyIntent::TimelineService, now);
    act(&mut state, KeyIntent::AddNote, now);
    update(&mut state, Msg::Note(FilterKey::Char('y')), now);
    let commands = update(&mut state, Msg::Note(FilterKey::Done), now);
    assert_eq!(recorded(&commands)[0].service, None);
}

#[test]
fn an_action_done_records_its_event() {
    let (mut state, now) = failover_confirm();
    let commands = update(
        &mut state,
        Msg::ActionDone(Box::new(report(Status::Verified))),
        now,
    );
    let events = recorded(&commands);
    assert_eq!(events.len(), 1, "{commands:?}");
    let e = events[0];
    assert_eq!(e.kind, EventKind::Action);
    assert_eq!(e.audit_id.as_deref(), Some("20261127T140230.000Z-1"));
    assert_eq!(e.actor, state.caller);
    assert_eq!(e.service.as_deref(), Some("sample"));
    assert_eq!(state.events.last(), Some(e));
    assert!(commands.contains(&Command::RefreshAll));
}

#[test]
fn the_service_filter_cycles_through_the_services_and_all() {
    let mut state = State::new("test".into(), two_services());
    let names: Vec<String> = state
        .fleet
        .services
        .iter()
        .map(|s| s.service.name.clone())
        .collect();
    assert_eq!(names.len(), 2);
    // Each press: the next service, then all again; the view opens on the first.
    let expected = [Some(&names[0]), Some(&names[1]), None, Some(&names[0])];
    for (i, want) in expected.into_iter().enumerate() {
        act(
            &mut state,
            KeyIntent::TimelineService,
            crate::fleet::testing::t(0),
        );
        assert!(state.view.timeline, "press {i}");
        assert_eq!(state.view.timeline_service.as_ref(), want, "press {i}");
    }
}

#[test]
fn the_timeline_lists_newest_first_filters_and_scrolls() {
    let mut state = State::new("test".into(), two_services());
    let t = crate::fleet::testing::t;
    let names: Vec<String> = state
        .fleet
        .services
        .iter()
        .map(|s| s.service.name.clone())
        .collect();
    for (i, service) in [Some(&names[0]), Some(&names[1]), None, Some(&names[0])]
        .into_iter()
        .enumerate()
    {
        state.events.push(Event::note(
            t(i as i64),
            None,
            service.cloned(),
            format!("note {i}"),
        ));
    }
    let listed = |state: &State| -> Vec<String> {
        timeline_events(state)
            .iter()
            .map(|e| e.message.clone())
            .collect()
    };
    assert_eq!(listed(&state), ["note 3", "note 2", "note 1", "note 0"]);
    // One service: its own and the fleet-wide ones.
    act(&mut state, KeyIntent::TimelineService, t(0));
    assert_eq!(listed(&state), ["note 3", "note 2", "note 0"]);
    // The `/` filter too.
    for c in "note 0".chars() {
        update(&mut state, Msg::Filter(FilterKey::Char(c)), t(0));
    }
    assert_eq!(listed(&state), ["note 0"]);
    update(&mut state, Msg::Filter(FilterKey::Cancel), t(0));
    // ↓ scrolls down to the oldest and stops there; ↑ back; Esc closes the view.
    let cases = [
        (KeyIntent::Down, 1),
        (KeyIntent::Down, 2),
        (KeyIntent::Down, 2),
        (KeyIntent::Up, 1),
    ];
    for (key, scroll) in cases {
        act(&mut state, key, t(0));
        assert_eq!(state.view.timeline_scroll, scroll, "{key:?}");
    }
    assert_eq!(
        state.view.selected, [0; 5],
        "the panels' selection is untouched"
    );
    act(&mut state, KeyIntent::Back, t(0));
    assert!(!state.view.timeline);
}

#[test]
fn the_view_keeps_the_newest_events() {
    let mut state = State::new("test".into(), two_services());
    let t = crate::fleet::testing::t;
    for i in 0..EVENTS_KEPT + 5 {
        act(&mut state, KeyIntent::AddNote, t(0));
        update(&mut state, Msg::Note(FilterKey::Char('x')), t(i as i64));
        update(&mut state, Msg::Note(FilterKey::Done), t(i as i64));
    }
    assert_eq!(state.events.len(), EVENTS_KEPT);
    assert_eq!(state.events[0].observed, t(5));
}
