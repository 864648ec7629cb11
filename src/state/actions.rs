//! `update` for guarded actions: opening the dialog on the selected service (its plan built
//! purely from the state), the result coming back, unfinished actions from the audit log, and
//! not quitting by accident while an action runs. The keys typed into the dialog are in
//! `dialog_keys`.

use super::dialog::{APPROVE_SUMMARY, Dialog, Notice, NoticeKind, REJECT_SUMMARY, Stage, Tone};
use super::{Command, KeyIntent, Panel, Row, State, rows};
use crate::action::audit::{AuditRecord, unfinished};
use crate::action::{ActionKind, Plan, PlanError, Report, plan};
use crate::assess;
use crate::model::Timestamp;
use std::time::Duration;

/// A key bound to a guarded action: open the dialog for the selected service, or say in one
/// line why not.
pub(super) fn open(state: &mut State, intent: KeyIntent, now: Timestamp) -> Vec<Command> {
    let kind = match intent {
        KeyIntent::Failover => ActionKind::Failover,
        KeyIntent::Failback => ActionKind::Failback,
        KeyIntent::Approve => ActionKind::Approve,
        KeyIntent::Reject => ActionKind::Reject,
        _ => return Vec::new(),
    };
    if state.read_only {
        say(
            state,
            Tone::Warn,
            format!(
                "read-only mode: {} is off (--read-only or read_only = true in the config)",
                kind.name()
            ),
        );
        return Vec::new();
    }
    let panel = intent.panel().unwrap_or(Panel::Health);
    // The Timeline view shows no panel's selection to act on.
    if state.view.focused() != panel || state.view.timeline {
        say(
            state,
            Tone::Warn,
            format!(
                "{} works on the selected service of the {} panel: press {} to go there",
                kind.name(),
                panel.title(),
                panel.index() + 1
            ),
        );
        return Vec::new();
    }
    let selected = rows(state, panel)
        .into_iter()
        .nth(state.view.selected[panel.index()]);
    let (service, region) = match selected {
        Some(Row::Region { service, region }) => (service, Some(region)),
        Some(Row::Service { service }) => (service, None),
        _ => {
            say(
                state,
                Tone::Warn,
                format!("no service selected for {}", kind.name()),
            );
            return Vec::new();
        }
    };
    let Some(svc) = state.fleet.services.get(service) else {
        return Vec::new();
    };
    let name = svc.service.name.clone();
    if state.in_flight.contains(&name) {
        say(
            state,
            Tone::Warn,
            format!(
                "an action on {name} is still running: wait for its result before {}",
                kind.name()
            ),
        );
        return Vec::new();
    }
    // Someone else holds the service's team lease: the action would be refused when it runs.
    if let Some(why) = super::team::refusal(state, kind.name(), &name, now) {
        say(state, Tone::Warn, why);
        return Vec::new();
    }
    let stage = match kind {
        ActionKind::Failover => {
            let serving = assess::serving_region(svc);
            let candidates: Vec<String> = svc
                .service
                .regions
                .iter()
                .filter(|r| Some(r.as_str()) != serving)
                .cloned()
                .collect();
            let row_region = region
                .and_then(|r| svc.regions.get(r))
                .map(|r| r.region.clone());
            match candidates.as_slice() {
                [] => Stage::Unplanned {
                    error: format!("{name} has no other region to fail over to"),
                },
                [only] => planned(plan::failover(&state.fleet, &name, only, now)),
                _ => Stage::ChooseTarget {
                    // The selected row's region when it is one of the candidates.
                    selected: row_region
                        .and_then(|r| candidates.iter().position(|c| *c == r))
                        .unwrap_or(0),
                    candidates,
                },
            }
        }
        ActionKind::Failback => planned(plan::failback(&state.fleet, &name, now)),
        ActionKind::Approve => planned(plan::approval(
            &state.fleet,
            &name,
            true,
            APPROVE_SUMMARY,
            now,
        )),
        ActionKind::Reject => planned(plan::approval(
            &state.fleet,
            &name,
            false,
            REJECT_SUMMARY,
            now,
        )),
    };
    state.view.help = false;
    state.view.sources = false;
    state.view.dialog = Some(Dialog {
        action: kind,
        service: name,
        stage,
        scroll: 0,
    });
    Vec::new()
}

/// The first step for a plan: the reason when preflight did not pass, else the confirmation.
pub(super) fn planned(result: Result<Plan, PlanError>) -> Stage {
    match result {
        Err(e) => Stage::Unplanned {
            error: e.to_string(),
        },
        Ok(plan) if !plan.preflight.passed() => Stage::Reason {
            plan: Box::new(plan),
            reason: String::new(),
            note: None,
        },
        Ok(plan) => Stage::Confirm {
            plan: Box::new(plan),
            reason: None,
            typed: String::new(),
            note: None,
        },
    }
}

/// An action ended: the service is free again, the result shows (in the dialog if it is still
/// open on that action, and as a banner that replaces only that service's earlier result), and
/// every source refreshes so the change shows.
pub(super) fn done(state: &mut State, report: Report) -> Vec<Command> {
    state.in_flight.remove(&report.service);
    if let Some(id) = &report.id {
        state.own_actions.insert(id.clone());
    }
    // This service's earlier result, and any "still running" refusal, are out of date now;
    // another service's result is not.
    state.notices.retain(|n| match n.kind {
        NoticeKind::Result => n.service.as_deref() != Some(report.service.as_str()),
        NoticeKind::Message => false,
        NoticeKind::Audit | NoticeKind::Journal => true,
    });
    state.notices.push(Notice::result(&report));
    if let Some(dialog) = state.view.dialog.as_mut()
        && dialog.service == report.service
        && let Stage::Executing { plan, .. } = &dialog.stage
    {
        dialog.stage = Stage::Done {
            plan: plan.clone(),
            report: Box::new(report),
        };
    }
    vec![Command::RefreshAll]
}

/// The audit log as read at start: a banner for each action with no result recorded (it may or
/// may not have reached AWS, and another switchyard may still be running it), or for a log that
/// could not be read.
pub(super) fn audit_loaded(state: &mut State, read: Result<Vec<AuditRecord>, String>) {
    state.notices.retain(|n| n.kind != NoticeKind::Audit);
    match read {
        Err(e) => state.notices.push(Notice::audit(
            Tone::Warn,
            format!("▲ {e}: unfinished actions cannot be checked; see `switchyard audit`"),
        )),
        Ok(records) => {
            for r in unfinished(&records) {
                // Crit all the same: if nothing is running it, it may be half applied.
                state.notices.push(Notice::audit(
                    Tone::Crit,
                    format!(
                        "▲ no result recorded yet for {} {} → {} (started {}, id {}): if no other \
                         switchyard is running it, check AWS; see `{}`",
                        r.action,
                        r.service,
                        r.target,
                        r.ts.format("%Y-%m-%d %H:%M:%S UTC"),
                        r.id,
                        if r.drill {
                            "switchyard audit --drill"
                        } else {
                            "switchyard audit"
                        },
                    ),
                ));
            }
        }
    }
}

/// Who the console acts as, learned by an action: the status bar shows it from now on. When it
/// still cannot be told, a banner says that action's audit records have no actor.
pub(super) fn caller(state: &mut State, who: Result<String, String>) {
    match who {
        Ok(arn) => state.caller = Some(arn),
        Err(e) => state.notices.push(Notice::audit(
            Tone::Warn,
            format!(
                "▲ who you are is unknown ({e}): the audit records of the action now running have \
                 no actor"
            ),
        )),
    }
}

/// The most the console waits, once closed (q, SIGTERM, SIGHUP), for actions still running, so
/// that their results and verification reach the audit log.
pub const CLOSE_WAIT: Duration = Duration::from_secs(60);

/// Quitting while an action runs: the first press only says so, the second quits (the console
/// then waits a while for the action's result, see `tui::actions::wait_for`). Any other key
/// takes the question back.
pub(super) fn hold_quit(state: &mut State, intent: KeyIntent) -> bool {
    let asked = std::mem::take(&mut state.view.quit_asked);
    if intent != KeyIntent::Quit || asked || state.in_flight.is_empty() {
        return false;
    }
    state.view.quit_asked = true;
    let running: Vec<&str> = state.in_flight.iter().map(String::as_str).collect();
    say(
        state,
        Tone::Crit,
        format!(
            "an action on {} is still running: quit again to leave once it ends (switchyard waits \
             up to {} s for its result)",
            running.join(", "),
            CLOSE_WAIT.as_secs()
        ),
    );
    true
}

fn say(state: &mut State, tone: Tone, text: String) {
    state.notices.push(Notice::message(tone, text));
}
