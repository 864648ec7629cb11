//! `update`: every change to the state, from key presses and from fetched data.

use super::{
    Action, Command, FilterKey, Msg, NoticeKind, Panel, Stamped, State, actions, dialog_keys,
};
use crate::assess;
use crate::model::Timestamp;
use crate::source::{Fetched, Payload};

/// Samples of replication lag kept per region (one per replication fetch).
const LAG_HISTORY: usize = 40;

pub fn update(state: &mut State, msg: Msg, now: Timestamp) -> Vec<Command> {
    match msg {
        Msg::Fetched(fetched) => {
            apply_fetched(state, *fetched, now);
            Vec::new()
        }
        Msg::Filter(key) => {
            clear_messages(state);
            edit_filter(state, key);
            Vec::new()
        }
        Msg::Action(action) => {
            clear_messages(state);
            if actions::hold_quit(state, action) {
                return Vec::new();
            }
            if action.mutates() {
                actions::open(state, action, now)
            } else {
                act(state, action)
            }
        }
        Msg::Dialog(key) => {
            clear_messages(state);
            dialog_keys::dialog_key(state, key, now)
        }
        Msg::ActionDone(report) => actions::done(state, *report),
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
    }
}

/// A one-line answer to a key press lasts until the next key.
fn clear_messages(state: &mut State) {
    state.notices.retain(|n| n.kind != NoticeKind::Message);
}

fn act(state: &mut State, action: Action) -> Vec<Command> {
    let view = &mut state.view;
    match action {
        Action::Quit => {
            state.quit = true;
            return vec![Command::Quit];
        }
        Action::Refresh => return vec![Command::RefreshAll],
        Action::ToggleHelp => {
            view.help = !view.help;
            view.sources = false;
        }
        Action::ToggleSources => {
            view.sources = !view.sources;
            view.help = false;
        }
        Action::FocusNext | Action::FocusPrev => {
            let n = Panel::ALL.len();
            let i = view.focused().index();
            let next = if action == Action::FocusNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            view.focus = Some(Panel::ALL[next]);
            view.detail = false;
        }
        Action::Focus(panel) => {
            view.focus = Some(panel);
            view.detail = false;
        }
        Action::Up => {
            let i = view.focused().index();
            view.selected[i] = view.selected[i].saturating_sub(1);
        }
        Action::Down => {
            let panel = state.view.focused();
            let count = super::rows(state, panel).len();
            let selected = &mut state.view.selected[panel.index()];
            *selected = (*selected + 1).min(count.saturating_sub(1));
        }
        Action::OpenDetail => view.detail = true,
        Action::Back => {
            if view.help || view.sources {
                view.help = false;
                view.sources = false;
            } else if view.detail {
                view.detail = false;
            } else if !view.filter.is_empty() {
                view.filter.clear();
            } else {
                // Nothing left to close: the banners go (the audit log keeps what they said).
                state.notices.clear();
            }
        }
        Action::StartFilter => {
            view.editing_filter = true;
            view.help = false;
        }
        // Opened through `actions::open` before this function is reached.
        Action::Failover | Action::Failback | Action::Approve | Action::Reject => {}
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
    // The rows changed: start each panel's selection from the top.
    view.selected = [0; 5];
}

fn apply_fetched(state: &mut State, fetched: Fetched, now: Timestamp) {
    let Fetched {
        key,
        at,
        calls,
        route53_calls: _,
        result,
        partial,
    } = fetched;
    if let Some(status) = state.sources.get_mut(&key) {
        status.last_attempt = Some(at);
        status.calls += u64::from(calls);
        status.last_calls = calls;
        match &result {
            Ok(_) => {
                status.last_ok = Some(at);
                status.error = None;
                status.partial = partial;
                status.failures = 0;
            }
            Err(e) => {
                status.error = Some(e.clone());
                status.failures += 1;
            }
        }
    }
    let Ok(payload) = result else {
        // A failed fetch keeps the last data; freshness marks it stale.
        return;
    };
    let replication = matches!(payload, Payload::Replication(..));
    macro_rules! store {
        ($entries:expr, $field:ident) => {
            for e in $entries {
                if let Some(region) = region_mut(state, &e.service, &e.region) {
                    region.$field = Some(Stamped {
                        value: e.value,
                        fetched_at: at,
                    });
                }
            }
        };
    }
    match payload {
        Payload::Health(entries) => store!(entries, health),
        Payload::Lambda(entries) => store!(entries, functions),
        Payload::Domains(entries) => store!(entries, domains),
        Payload::Replication(entries, metrics) => {
            store!(entries, artifacts);
            store!(metrics, replication_metrics);
        }
        Payload::Pipeline(entries) => {
            for e in entries {
                if let Some(svc) = state
                    .services
                    .iter_mut()
                    .find(|s| s.service.name == e.service)
                {
                    svc.pipeline = Some(Stamped {
                        value: e.value,
                        fetched_at: at,
                    });
                }
            }
        }
    }
    if replication {
        record_lag(state, &key.region, now);
    }
}

/// After replication data for `region` arrives, sample the tracked artifact's lag there.
fn record_lag(state: &mut State, region: &str, now: Timestamp) {
    for svc in &mut state.services {
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

fn region_mut<'a>(
    state: &'a mut State,
    service: &str,
    region: &str,
) -> Option<&'a mut super::RegionState> {
    state
        .services
        .iter_mut()
        .find(|s| s.service.name == service)?
        .regions
        .iter_mut()
        .find(|r| r.region == region)
}
