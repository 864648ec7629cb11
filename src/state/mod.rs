//! The console's state, owned by the app loop, and the one function that changes it:
//! `update(&mut State, Msg, now) -> Vec<Command>`. It owns the `Fleet` (the data) and adds what
//! only the screen has: the view, the action dialog, banners, actions in flight, closing.

mod actions;
mod dialog;
mod dialog_keys;
mod replan;
mod rows;
pub mod team;
mod timeline;
mod update;
mod view;

pub use actions::CLOSE_WAIT;
pub use dialog::{
    APPROVE_SUMMARY, Dialog, DialogKey, Notice, NoticeKind, REASON_MAX, REJECT_SUMMARY, Stage, Tone,
};
pub use replan::PLAN_CHANGED;
pub use rows::{Row, rows};
pub use timeline::{
    EVENTS_KEPT, JOURNAL_WINDOW_H, JournalRead, NOTE_MAX, NotePrompt, row_events, timeline_events,
};
pub use update::update;
pub use view::{FilterKey, KeyIntent, Panel, View};

use crate::action::audit::AuditRecord;
use crate::action::{Plan, Report};
use crate::assess::events::Tracker;
use crate::config::Thresholds;
use crate::fleet::Fleet;
use crate::model::{CheckerObservation, Event, Timestamp};
use crate::source::Fetched;
use crate::source::sim::SimBackend;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyIntent),
    Filter(FilterKey),
    /// A key while the note prompt is open (the same keys as the filter's).
    Note(FilterKey),
    Fetched(Box<Fetched>),
    /// A key while the action dialog is open.
    Dialog(DialogKey),
    /// An action the loop ran (see `Command::Execute`) has ended.
    ActionDone(Box<Report>),
    /// A running action's progress (verification waiting for DNS), for its dialog.
    ActionProgress {
        service: String,
        line: String,
    },
    /// The audit log as read at start (or why it could not be read), for unfinished actions.
    AuditLog(Result<Vec<AuditRecord>, String>),
    /// The console has closed (q, SIGTERM, SIGHUP) and waits at most `limit` for the actions
    /// still running.
    Closing {
        limit: Duration,
    },
    /// Who the console acts as, asked for again by an action when the start could not tell (or
    /// why it still cannot be told: that action's audit records have no actor).
    Caller(Result<String, String>),
    /// Each credential set's caller, asked again by a refresh (`r`) with several accounts'
    /// keys in the config (README, "Several accounts").
    Callers(Vec<crate::model::Caller>),
    /// GetHealthCheckLastFailureReason for a check, read when its detail view opened (see
    /// `Command::ReadFailureReasons`).
    FailureReasons {
        health_check_id: String,
        result: Result<Vec<CheckerObservation>, String>,
    },
    /// The incident journal as read at start (or why it could not be read), before any fetch.
    Journal(Result<JournalRead, String>),
    /// How an append of `Command::Record` went.
    Recorded(Result<(), String>),
}

impl From<Fetched> for Msg {
    fn from(fetched: Fetched) -> Msg {
        Msg::Fetched(Box::new(fetched))
    }
}

/// What the app loop should do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    RefreshAll,
    Quit,
    /// Run this confirmed plan (`action::Execution`) and send `Msg::ActionDone` back.
    Execute {
        plan: Box<Plan>,
        forced_reason: Option<String>,
    },
    /// Read the check's last failure per checker (GetHealthCheckLastFailureReason: rationed by
    /// Route 53, so only on demand) and send `Msg::FailureReasons` back.
    ReadFailureReasons {
        health_check_id: String,
    },
    /// Append these events to the incident journal (`journal::Journal::append`, off the draw
    /// path) and send `Msg::Recorded` back.
    Record(Vec<Event>),
}

/// A check's last failure per checker, as read on demand (`None` while the read runs).
#[derive(Debug, Clone, PartialEq)]
pub struct FailureReasons {
    pub asked_at: Timestamp,
    pub result: Option<Result<Vec<CheckerObservation>, String>>,
}

/// How long a read of the failure reasons is shown before opening the detail reads again.
pub const FAILURE_REASONS_TTL_S: i64 = 60;

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The data on screen: services, sources and what they fetched.
    pub fleet: Fleet,
    /// What the console shows ("demo: steady", "aws: 123456789012").
    pub title: String,
    pub caller: Option<String>,
    pub read_only: bool,
    pub view: View,
    pub quit: bool,
    /// Set once the console has closed while actions run: how long it waits for them at most.
    pub closing: Option<Duration>,
    /// Services with an action running: a second one is refused until the first reports.
    pub in_flight: BTreeSet<String>,
    /// Banners under the header, oldest first.
    pub notices: Vec<Notice>,
    /// Health checks' last failure per checker, read when their detail view opened, by ID.
    pub failure_reasons: BTreeMap<String, FailureReasons>,
    /// The last progress line of each running action, by service (verification waiting for
    /// DNS); gone when the action is done.
    pub progress: BTreeMap<String, String>,
    /// `HOST/PID/`: how this process's own team leases begin (their `holder`), so the team
    /// lines leave them out; `None` in tests that do not act as a process.
    pub holder_prefix: Option<String>,
    /// Audit ids of the actions this console ran (from their reports), so the team's recent
    /// actions leave them out.
    pub own_actions: BTreeSet<String>,
    /// What the incident journal last recorded per signal, so each change is recorded once.
    pub tracker: Tracker,
    /// The events the Timeline view lists, oldest first: the journal's last day as read at
    /// start, then what this console observed, did and noted (at most `EVENTS_KEPT`).
    pub events: Vec<Event>,
    /// The last append to the journal failed (its banner is shown once, until one succeeds).
    pub journal_failing: bool,
}

impl State {
    /// The console over a fleet; `title` is what the header shows ("demo: steady", "aws").
    pub fn new(title: String, fleet: Fleet) -> Self {
        State {
            fleet,
            title,
            caller: None,
            read_only: false,
            view: View::default(),
            quit: false,
            closing: None,
            in_flight: BTreeSet::new(),
            notices: Vec::new(),
            failure_reasons: BTreeMap::new(),
            progress: BTreeMap::new(),
            holder_prefix: None,
            own_actions: BTreeSet::new(),
            tracker: Tracker::default(),
            events: Vec::new(),
            journal_failing: false,
        }
    }

    /// The console after every source of the simulation has been fetched once at simulated
    /// time `at` and fed through `update`, as the pollers would: what tests and benchmarks
    /// start from.
    pub fn simulated(sim: &SimBackend, at: Timestamp, thresholds: Thresholds) -> State {
        let schedule = sim.schedule();
        let fleet = Fleet::new(sim.services(), &schedule, thresholds);
        let mut state = State::new(format!("demo: {}", sim.scenario_name()), fleet);
        state.caller = Some(sim.caller());
        for spec in &schedule {
            update(&mut state, sim.fetch_now(&spec.key, at).into(), at);
        }
        state
    }
}

#[cfg(test)]
mod tests;
