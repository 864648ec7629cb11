//! `update` for the incident journal in the console (README, "Incident timeline: in the
//! console"): the fleet observed after every fetch (its changes kept in the state and handed to
//! the event loop as `Command::Record`, which appends them to the journal), the journal as read at
//! start, action events, the note prompt (`n`), and the Timeline view's service filter and
//! scrolling. No I/O here: the event loop writes and reads the journal.

use super::dialog::{Notice, Tone};
use super::{Command, FilterKey, Row, State, rows};
use crate::action::Report;
use crate::assess::events::{Tracker, observe};
use crate::model::{Event, Timestamp};

/// Events kept in the console (the newest); the journal keeps them all.
pub const EVENTS_KEPT: usize = 2000;

/// A note longer than this is cut: one journal line each, read in a timeline table.
pub const NOTE_MAX: usize = 300;

/// How far back the journal is read at start for the Timeline view.
pub const JOURNAL_WINDOW_H: i64 = 24;

/// The journal as read at start (see `tui`): the last event of every signal (to seed the
/// tracker, so a restart neither records the same values again nor misses what changed while
/// nothing watched) and the events of the last [`JOURNAL_WINDOW_H`] hours (for the view).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JournalRead {
    pub last: Vec<Event>,
    pub recent: Vec<Event>,
    /// Lines that could not be read (a torn last line after a crash).
    pub skipped: usize,
}

/// The note being typed (`n`): its text, the service it will be about, and why the last Enter
/// was refused.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NotePrompt {
    pub text: String,
    pub service: Option<String>,
    pub refused: Option<String>,
}

/// After a fetch: what changed since the last observation, kept and handed out for recording.
pub(super) fn observed(state: &mut State, now: Timestamp) -> Vec<Command> {
    let events = state.tracker.observe(&observe(&state.fleet, now), now);
    record(state, events)
}

/// Keep `events` in the view (newest last, at most [`EVENTS_KEPT`]) and ask for them to be
/// appended to the journal.
pub(super) fn record(state: &mut State, events: Vec<Event>) -> Vec<Command> {
    if events.is_empty() {
        return Vec::new();
    }
    keep(state, events.iter().cloned());
    vec![Command::Record(events)]
}

fn keep(state: &mut State, events: impl IntoIterator<Item = Event>) {
    state.events.extend(events);
    let over = state.events.len().saturating_sub(EVENTS_KEPT);
    state.events.drain(..over);
}

/// The journal as read at start: the tracker seeded, the recent events in the view (before
/// anything this console observes). A journal that cannot be read is a banner; the console
/// records from scratch then.
pub(super) fn journal_loaded(state: &mut State, read: Result<JournalRead, String>) {
    match read {
        Ok(read) => {
            state.tracker = Tracker::seeded(&read.last);
            let mut recent = read.recent;
            recent.sort_by_key(|e| e.observed);
            let mine = std::mem::take(&mut state.events);
            keep(state, recent.into_iter().chain(mine));
            if read.skipped > 0 {
                state.notices.push(Notice::journal(
                    Tone::Warn,
                    format!(
                        "▲ the incident journal has {} line(s) that cannot be read (a crash \
                         mid-write?); they are left out",
                        read.skipped
                    ),
                ));
            }
        }
        Err(e) => state.notices.push(Notice::journal(
            Tone::Warn,
            format!("▲ {e}: the timeline starts empty, and events are recorded from now"),
        )),
    }
}

/// How the last append went: a failure shows once (until an append succeeds again), not on
/// every fetch.
pub(super) fn recorded(state: &mut State, result: Result<(), String>) {
    match result {
        Ok(()) => state.journal_failing = false,
        Err(_) if state.journal_failing => {}
        Err(e) => {
            state.journal_failing = true;
            state.notices.push(Notice::journal(
                Tone::Warn,
                format!("▲ {e}: events stay in the console's timeline but are not recorded"),
            ));
        }
    }
}

/// An action ended: its event, with who acted.
pub(super) fn action_done(state: &mut State, report: &Report, now: Timestamp) -> Vec<Command> {
    let event = crate::journal::action_event(report, state.caller.as_deref(), now);
    record(state, vec![event])
}

/// `n`: the note prompt opens, about the timeline's service when it is filtered to one, else
/// the selected row's service, else the whole fleet.
pub(super) fn open_note(state: &mut State) {
    let service = state.view.timeline_service.clone().or_else(|| {
        if state.view.timeline {
            return None;
        }
        let panel = state.view.focused();
        let row = rows(state, panel)
            .into_iter()
            .nth(state.view.selected[panel.index()])?;
        let (Row::Region { service, .. }
        | Row::Function { service, .. }
        | Row::Service { service }) = row;
        state
            .fleet
            .services
            .get(service)
            .map(|s| s.service.name.clone())
    });
    state.view.help = false;
    state.view.sources = false;
    state.view.note = Some(NotePrompt {
        service,
        ..NotePrompt::default()
    });
}

/// A key typed into the note prompt: Enter records a note that is not blank, Esc cancels.
pub(super) fn note_key(state: &mut State, key: FilterKey, now: Timestamp) -> Vec<Command> {
    let Some(mut note) = state.view.note.take() else {
        return Vec::new();
    };
    match key {
        FilterKey::Cancel => return Vec::new(),
        FilterKey::Char(c) => {
            if note.text.chars().count() < NOTE_MAX {
                note.text.push(c);
            }
            note.refused = None;
        }
        FilterKey::Backspace => {
            note.text.pop();
            note.refused = None;
        }
        FilterKey::Done => {
            let text = note.text.trim();
            if text.is_empty() {
                note.refused = Some("type the note first (Esc cancels)".into());
            } else {
                let event = Event::note(now, state.caller.clone(), note.service, text.into());
                state.notices.push(Notice::message(
                    Tone::Ok,
                    format!("✓ note recorded at {}", now.format("%H:%M:%S UTC")),
                ));
                return record(state, vec![event]);
            }
        }
    }
    state.view.note = Some(note);
    Vec::new()
}

/// The services the Timeline view's filter cycles through (after "all").
fn services(state: &State) -> Vec<&str> {
    state
        .fleet
        .services
        .iter()
        .map(|s| s.service.name.as_str())
        .collect()
}

/// The Timeline view's service filter: all, then each service in turn, then all again. Opens
/// the view when it is closed.
pub(super) fn next_service(state: &mut State) {
    let names = services(state);
    let next = match state.view.timeline_service.as_deref() {
        None => names.first(),
        Some(current) => names
            .iter()
            .position(|n| *n == current)
            .and_then(|i| names.get(i + 1)),
    }
    .map(|s| s.to_string());
    state.view.timeline_service = next;
    state.view.timeline = true;
    state.view.timeline_scroll = 0;
}

/// The events the Timeline view lists, newest first: those of its service (fleet-wide events
/// too) that match the `/` filter.
pub fn timeline_events(state: &State) -> Vec<&Event> {
    let service = state.view.timeline_service.as_deref();
    let filter = state.view.filter.as_str();
    state
        .events
        .iter()
        .rev()
        .filter(|e| service.is_none_or(|s| e.concerns(s)))
        .filter(|e| filter.is_empty() || e.matches(filter))
        .collect()
}

/// The events of one row of a detail view, newest first: the service's events in `region`, and
/// those about the service as a whole (serving changes, actions, notes about it).
pub fn row_events<'a>(state: &'a State, service: &str, region: Option<&str>) -> Vec<&'a Event> {
    state
        .events
        .iter()
        .rev()
        .filter(|e| e.service.as_deref() == Some(service))
        .filter(|e| e.region.is_none() || region.is_none() || e.region.as_deref() == region)
        .collect()
}
