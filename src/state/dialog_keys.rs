//! What each key does in the open action dialog: choosing the target, typing the reason and the
//! confirmation, scrolling the plan; the exact confirmation makes the plan again (see `replan`)
//! and, if it did not change, hands it to the event loop as `Command::Execute` and marks the
//! service in flight.

use super::actions::planned;
use super::dialog::{Dialog, DialogKey, REASON_MAX, Stage};
use super::{Command, State, replan};
use crate::action::plan;
use crate::model::Timestamp;

pub(super) fn dialog_key(state: &mut State, key: DialogKey, now: Timestamp) -> Vec<Command> {
    let Some(mut dialog) = state.view.dialog.take() else {
        return Vec::new();
    };
    if key == DialogKey::Esc {
        // Cancels before the confirmation; once running, only hides the dialog (the result
        // still arrives as a banner).
        return Vec::new();
    }
    let mut commands = Vec::new();
    if let Some(plan) = dialog.plan() {
        let last = Dialog::paragraphs(plan).saturating_sub(1);
        match key {
            DialogKey::Up => dialog.scroll = dialog.scroll.saturating_sub(1),
            DialogKey::Down => dialog.scroll = (dialog.scroll + 1).min(last),
            _ => {}
        }
    }
    let service = dialog.service.clone();
    dialog.stage = match (dialog.stage, key) {
        (
            Stage::ChooseTarget {
                candidates,
                selected,
            },
            DialogKey::Up | DialogKey::Down,
        ) => {
            let selected = if key == DialogKey::Up {
                selected.saturating_sub(1)
            } else {
                (selected + 1).min(candidates.len().saturating_sub(1))
            };
            Stage::ChooseTarget {
                candidates,
                selected,
            }
        }
        (
            Stage::ChooseTarget {
                candidates,
                selected,
            },
            DialogKey::Enter,
        ) => match candidates.get(selected) {
            Some(target) => planned(plan::failover(&state.fleet, &service, target, now)),
            None => Stage::ChooseTarget {
                candidates,
                selected,
            },
        },
        // Nothing more to read: Enter closes it like Esc.
        (Stage::Unplanned { .. } | Stage::Done { .. }, DialogKey::Enter) => return Vec::new(),
        (Stage::Reason { plan, reason, .. }, DialogKey::Enter) => {
            let reason = reason.trim().to_string();
            if reason.is_empty() {
                Stage::Reason {
                    plan,
                    reason,
                    note: Some(
                        "type a reason first: preflight did not pass, and the audit log records \
                         why you went ahead"
                            .into(),
                    ),
                }
            } else {
                Stage::Confirm {
                    plan,
                    reason: Some(reason),
                    typed: String::new(),
                    note: None,
                }
            }
        }
        (
            Stage::Reason {
                plan, mut reason, ..
            },
            DialogKey::Char(c),
        ) => {
            if reason.chars().count() < REASON_MAX {
                reason.push(c);
            }
            Stage::Reason {
                plan,
                reason,
                note: None,
            }
        }
        (
            Stage::Reason {
                plan, mut reason, ..
            },
            DialogKey::Backspace,
        ) => {
            reason.pop();
            Stage::Reason {
                plan,
                reason,
                note: None,
            }
        }
        (
            Stage::Confirm {
                plan,
                reason,
                typed,
                ..
            },
            DialogKey::Enter,
        ) => {
            if typed == plan.confirm {
                // Made again from the state now: only a plan that did not change executes.
                match replan::on_confirm(state, &plan, reason.clone(), now) {
                    Ok(current) => {
                        state.in_flight.insert(service.clone());
                        commands.push(Command::Execute {
                            plan: current.clone(),
                            forced_reason: reason.clone(),
                        });
                        Stage::Executing {
                            plan: current,
                            forced_reason: reason,
                        }
                    }
                    Err(stage) => {
                        // A changed plan is read again from the top.
                        dialog.scroll = 0;
                        stage
                    }
                }
            } else {
                let note = if typed.is_empty() {
                    format!("type {} to confirm", plan.confirm)
                } else {
                    format!(
                        "{typed:?} is not {:?}: type it exactly, or Esc to cancel",
                        plan.confirm
                    )
                };
                Stage::Confirm {
                    plan,
                    reason,
                    typed,
                    note: Some(note),
                }
            }
        }
        (
            Stage::Confirm {
                plan,
                reason,
                mut typed,
                ..
            },
            DialogKey::Char(c),
        ) => {
            // Longer than the text to type can only be wrong; stop there.
            if typed.chars().count() < plan.confirm.chars().count() + 20 {
                typed.push(c);
            }
            Stage::Confirm {
                plan,
                reason,
                typed,
                note: None,
            }
        }
        (
            Stage::Confirm {
                plan,
                reason,
                mut typed,
                ..
            },
            DialogKey::Backspace,
        ) => match reason {
            // Backspace on an empty confirmation goes back to edit the reason.
            Some(reason) if typed.is_empty() => Stage::Reason {
                plan,
                reason,
                note: None,
            },
            reason => {
                typed.pop();
                Stage::Confirm {
                    plan,
                    reason,
                    typed,
                    note: None,
                }
            }
        },
        (stage, _) => stage,
    };
    state.view.dialog = Some(dialog);
    commands
}
