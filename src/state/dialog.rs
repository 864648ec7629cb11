//! The guarded-action dialog as data (which action, for which service, at which step) and the
//! notices shown as banners (unfinished actions from the audit log, an action's result, a
//! one-line refusal). Drawn by `ui::dialog`; changed only by `update`.

use crate::action::{ActionKind, Plan, Report, Status};

/// The summaries the console sends with an approval; the plan appends the replication verdict.
pub const APPROVE_SUMMARY: &str = "approved in the switchyard console";
pub const REJECT_SUMMARY: &str = "rejected in the switchyard console";

/// A reason longer than this is cut: it goes into every audit record of the action.
pub const REASON_MAX: usize = 300;

#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    pub action: ActionKind,
    pub service: String,
    pub stage: Stage,
    /// The first paragraph of the plan in view (see [`Dialog::paragraphs`]), when the plan is
    /// longer than the dialog on a small terminal.
    pub scroll: usize,
}

/// Where the dialog is, in the order a user goes through it.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Failover with more than one region to go to: pick one (↑/↓, Enter).
    ChooseTarget {
        candidates: Vec<String>,
        selected: usize,
    },
    /// No plan could be made (nothing to do, data not read yet): why.
    Unplanned { error: String },
    /// Preflight did not pass: the user types why they go ahead anyway (the forced reason).
    Reason {
        plan: Box<Plan>,
        reason: String,
        note: Option<String>,
    },
    /// The user types `plan.confirm`.
    Confirm {
        plan: Box<Plan>,
        /// The reason typed at the previous step (only when preflight failed).
        reason: Option<String>,
        typed: String,
        /// What the last Enter said (the text did not match).
        note: Option<String>,
    },
    /// Confirmed and handed to the event loop; waiting for `Msg::ActionDone`.
    Executing {
        plan: Box<Plan>,
        /// The reason typed when preflight did not pass, shown while it runs.
        forced_reason: Option<String>,
    },
    /// How it ended (until Esc).
    Done {
        plan: Box<Plan>,
        report: Box<Report>,
    },
}

impl Dialog {
    pub fn plan(&self) -> Option<&Plan> {
        match &self.stage {
            Stage::ChooseTarget { .. } | Stage::Unplanned { .. } => None,
            Stage::Reason { plan, .. }
            | Stage::Confirm { plan, .. }
            | Stage::Executing { plan, .. }
            | Stage::Done { plan, .. } => Some(plan),
        }
    }

    /// How many paragraphs the plan shows: the effect, each call, each "based on" line, the
    /// control-plane line and each preflight check (or one line saying none are needed).
    /// Scrolling moves by paragraph, so the view never starts in the middle of a wrapped call.
    pub fn paragraphs(plan: &Plan) -> usize {
        2 + plan.calls.len() + plan.based_on.len() + plan.preflight.checks.len().max(1)
    }
}

/// Keys while the dialog is open: every character goes to its field, never to a keybinding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKey {
    Char(char),
    Backspace,
    Enter,
    Esc,
    Up,
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Warn,
    Crit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// About the audit log: at start, an action that never recorded a result, or the log could
    /// not be read; later, an action logged with no actor.
    Audit,
    /// How the last action on a service ended (one per service).
    Result,
    /// A one-line answer to a key press (refused, wrong panel); gone at the next key.
    Message,
    /// About the incident journal: it could not be read at start, or an append failed.
    Journal,
}

/// A banner line under the header. Esc (with nothing else open) dismisses them.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub tone: Tone,
    pub text: String,
    /// The service a result is about: each service keeps its own last result.
    pub service: Option<String>,
}

impl Notice {
    pub fn message(tone: Tone, text: impl Into<String>) -> Self {
        Notice {
            kind: NoticeKind::Message,
            tone,
            text: text.into(),
            service: None,
        }
    }

    /// A banner about the audit log (see [`NoticeKind::Audit`]).
    pub fn audit(tone: Tone, text: impl Into<String>) -> Self {
        Notice {
            kind: NoticeKind::Audit,
            tone,
            text: text.into(),
            service: None,
        }
    }

    /// A banner about the incident journal (see [`NoticeKind::Journal`]).
    pub fn journal(tone: Tone, text: impl Into<String>) -> Self {
        Notice {
            kind: NoticeKind::Journal,
            tone,
            text: text.into(),
            service: None,
        }
    }

    /// The one-line result of an action: verified / unverified / failed / refused, the message
    /// and the audit id.
    pub fn result(report: &Report) -> Self {
        let (tone, word) = match report.status {
            Status::Verified => (Tone::Ok, "✓ verified"),
            Status::Unverified => (Tone::Warn, "▲ UNVERIFIED"),
            Status::Failed => (Tone::Crit, "✗ FAILED"),
            Status::Refused => (Tone::Crit, "✗ REFUSED"),
        };
        let id = report
            .id
            .as_deref()
            .map_or(" · no audit record".to_string(), |id| {
                format!(" · audit id {id}")
            });
        let audit = report
            .audit_error
            .as_deref()
            .map(|e| format!(" · {e}"))
            .unwrap_or_default();
        Notice {
            kind: NoticeKind::Result,
            tone,
            text: format!("{word}: {}: {}{id}{audit}", what(report), report.message),
            service: Some(report.service.clone()),
        }
    }
}

/// The action in a few words: "failover sample → us-west-2", "approve sample-deploy (sample)".
fn what(report: &Report) -> String {
    match report.action {
        "approve" | "reject" => format!("{} {} ({})", report.action, report.target, report.service),
        _ => format!("{} {} → {}", report.action, report.service, report.target),
    }
}
