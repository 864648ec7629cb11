//! `update`: every change to the state, from key presses and from fetched data.

use super::{
    Command, FAILURE_REASONS_TTL_S, FailureReasons, FilterKey, KeyIntent, Msg, NoticeKind, Panel,
    State, actions, dialog_keys, timeline,
};
use crate::assess;
use crate::model::Timestamp;
use crate::source::{Fetched, SourceKind};

/// Samples of replication lag kept per region (one per replication fetch).
const LAG_HISTORY: usize = 40;

pub fn update(state: &mut State, msg: Msg, now: Timestamp) -> Vec<Command> {
    match msg {
        Msg::Fetched(fetched) => {
            apply_fetched(state, *fetched, now);
            timeline::observed(state, now)
        }
        Msg::Filter(key) => {
            clear_messages(state);
            edit_filter(state, key);
            Vec::new()
        }
        Msg::Note(key) => {
            clear_messages(state);
            timeline::note_key(state, key, now)
        }
        Msg::Key(intent) => {
            clear_messages(state);
            if actions::hold_quit(state, intent) {
                return Vec::new();
            }
            if intent.mutates() {
                actions::open(state, intent, now)
            } else if intent == KeyIntent::OpenDetail && state.view.timeline {
                // The timeline's lines have no detail.
                Vec::new()
            } else if intent == KeyIntent::OpenDetail {
                let mut commands = act(state, intent);
                commands.extend(read_failure_reasons(state, now));
                commands
            } else {
                act(state, intent)
            }
        }
        Msg::Dialog(key) => {
            clear_messages(state);
            dialog_keys::dialog_key(state, key, now)
        }
        Msg::ActionDone(report) => {
            state.progress.remove(&report.service);
            let mut commands = timeline::action_done(state, &report, now);
            commands.extend(actions::done(state, *report));
            commands
        }
        Msg::ActionProgress { service, line } => {
            if state.in_flight.contains(&service) {
                state.progress.insert(service, line);
            }
            Vec::new()
        }
        Msg::AuditLog(read) => {
            actions::audit_loaded(state, read);
            Vec::new()
        }
        Msg::Closing { limit } => {
            state.closing = Some(limit);
            Vec::new()
        }
        Msg::Caller(who) => {
            actions::caller(state, who);
            Vec::new()
        }
        Msg::Callers(callers) => {
            state.fleet.callers = callers;
            Vec::new()
        }
        Msg::FailureReasons {
            health_check_id,
            result,
        } => {
            if let Some(entry) = state.failure_reasons.get_mut(&health_check_id) {
                entry.result = Some(result);
            }
            Vec::new()
        }
        Msg::Journal(read) => {
            timeline::journal_loaded(state, read);
            Vec::new()
        }
        Msg::Recorded(result) => {
            timeline::recorded(state, result);
            Vec::new()
        }
    }
}

/// Opening the Health detail of a check reads its last failure per checker, unless a read is
/// running or younger than [`FAILURE_REASONS_TTL_S`].
fn read_failure_reasons(state: &mut State, now: Timestamp) -> Vec<Command> {
    let panel = Panel::Health;
    if state.view.focused() != panel {
        return Vec::new();
    }
    let rows = super::rows(state, panel);
    let selected = state.view.selected[panel.index()].min(rows.len().saturating_sub(1));
    let Some(super::Row::Region { service, region }) = rows.get(selected).cloned() else {
        return Vec::new();
    };
    let Some(check) = state
        .fleet
        .services
        .get(service)
        .and_then(|s| s.regions.get(region))
        .and_then(|r| r.health.as_ref())
        .filter(|h| !h.value.id.is_empty())
    else {
        return Vec::new();
    };
    let id = check.value.id.clone();
    if let Some(known) = state.failure_reasons.get(&id)
        && (known.result.is_none() || (now - known.asked_at).num_seconds() < FAILURE_REASONS_TTL_S)
    {
        return Vec::new();
    }
    state.failure_reasons.insert(
        id.clone(),
        FailureReasons {
            asked_at: now,
            result: None,
        },
    );
    vec![Command::ReadFailureReasons {
        health_check_id: id,
    }]
}

/// A one-line answer to a key press lasts until the next key.
fn clear_messages(state: &mut State) {
    state.notices.retain(|n| n.kind != NoticeKind::Message);
}

fn act(state: &mut State, intent: KeyIntent) -> Vec<Command> {
    let view = &mut state.view;
    match intent {
        KeyIntent::Quit => {
            state.quit = true;
            return vec![Command::Quit];
        }
        KeyIntent::Refresh => return vec![Command::RefreshAll],
        KeyIntent::ToggleHelp => {
            view.help = !view.help;
            view.sources = false;
        }
        KeyIntent::ToggleTimeline => {
            view.timeline = !view.timeline;
            view.timeline_scroll = 0;
            view.help = false;
            view.sources = false;
        }
        KeyIntent::TimelineService => {
            view.help = false;
            view.sources = false;
            timeline::next_service(state);
        }
        KeyIntent::AddNote => timeline::open_note(state),
        KeyIntent::ToggleSources => {
            view.sources = !view.sources;
            view.help = false;
        }
        KeyIntent::FocusNext | KeyIntent::FocusPrev => {
            let n = Panel::ALL.len();
            let i = view.focused().index();
            let next = if intent == KeyIntent::FocusNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            view.focus = Some(Panel::ALL[next]);
            view.detail = false;
            view.timeline = false;
        }
        KeyIntent::Focus(panel) => {
            view.focus = Some(panel);
            view.detail = false;
            view.timeline = false;
        }
        KeyIntent::Up if view.timeline => {
            view.timeline_scroll = view.timeline_scroll.saturating_sub(1);
        }
        KeyIntent::Down if view.timeline => {
            let count = super::timeline_events(state).len();
            let scroll = &mut state.view.timeline_scroll;
            *scroll = (*scroll + 1).min(count.saturating_sub(1));
        }
        KeyIntent::Up => {
            let i = view.focused().index();
            view.selected[i] = view.selected[i].saturating_sub(1);
        }
        KeyIntent::Down => {
            let panel = state.view.focused();
            let count = super::rows(state, panel).len();
            let selected = &mut state.view.selected[panel.index()];
            *selected = (*selected + 1).min(count.saturating_sub(1));
        }
        KeyIntent::OpenDetail => view.detail = true,
        KeyIntent::Back => {
            if view.help || view.sources {
                view.help = false;
                view.sources = false;
            } else if view.timeline {
                view.timeline = false;
            } else if view.detail {
                view.detail = false;
            } else if !view.filter.is_empty() {
                view.filter.clear();
            } else {
                // Nothing left to close: the banners go (the audit log keeps what they said).
                state.notices.clear();
            }
        }
        KeyIntent::StartFilter => {
            view.editing_filter = true;
            view.help = false;
        }
        // Opened through `actions::open` before this function is reached.
        KeyIntent::Failover | KeyIntent::Failback | KeyIntent::Approve | KeyIntent::Reject => {}
    }
    Vec::new()
}

fn edit_filter(state: &mut State, key: FilterKey) {
    let view = &mut state.view;
    match key {
        FilterKey::Char(c) => view.filter.push(c),
        FilterKey::Backspace => {
            view.filter.pop();
        }
        FilterKey::Done => view.editing_filter = false,
        FilterKey::Cancel => {
            view.filter.clear();
            view.editing_filter = false;
        }
    }
    // The rows changed: start each panel's selection (and the timeline) from the top.
    view.selected = [0; 5];
    view.timeline_scroll = 0;
}

fn apply_fetched(state: &mut State, fetched: Fetched, now: Timestamp) {
    let replication = fetched.result.is_ok() && fetched.key.kind == SourceKind::Replication;
    let region = fetched.key.region.clone();
    state.fleet.apply(fetched);
    if replication {
        record_lag(state, &region, now);
    }
}

/// After replication data for `region` arrives, sample the tracked artifact's lag there (the
/// trend the Replication panel draws; a console concern, so not in `Fleet::apply`).
fn record_lag(state: &mut State, region: &str, now: Timestamp) {
    for svc in &mut state.fleet.services {
        let Some(ri) = svc.regions.iter().position(|r| r.region == region) else {
            continue;
        };
        let lag = assess::tracked_artifacts(svc, now)
            .first()
            .and_then(|a| a.regions.iter().find(|r| r.region == region))
            .and_then(|r| r.lag_s)
            .map(|s| s as f64);
        let history = &mut svc.regions[ri].lag_history;
        history.push(lag);
        if history.len() > LAG_HISTORY {
            history.remove(0);
        }
    }
}
