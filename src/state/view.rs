//! What the user is looking at (the panels, the focus, the selection, the open dialog) and what
//! a key press asks for.

use super::{Dialog, NotePrompt};
use crate::source::SourceKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Panel {
    Health,
    Pipeline,
    Lambda,
    Replication,
    Domains,
}

impl Panel {
    /// In focus order (Tab), which is also the 1–5 key order.
    pub const ALL: [Panel; 5] = [
        Panel::Health,
        Panel::Pipeline,
        Panel::Lambda,
        Panel::Replication,
        Panel::Domains,
    ];

    pub fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn title(self) -> &'static str {
        match self {
            Panel::Health => "Health",
            Panel::Pipeline => "Pipeline",
            Panel::Lambda => "Lambda",
            Panel::Replication => "Replication",
            Panel::Domains => "Domains",
        }
    }

    pub fn source(self) -> SourceKind {
        match self {
            Panel::Health => SourceKind::Health,
            Panel::Pipeline => SourceKind::Pipeline,
            Panel::Lambda => SourceKind::Lambda,
            Panel::Replication => SourceKind::Replication,
            Panel::Domains => SourceKind::Domains,
        }
    }
}

/// What the user is looking at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    pub focus: Option<Panel>,
    pub detail: bool,
    pub help: bool,
    /// The sources overlay: each source's age, calls and last error.
    pub sources: bool,
    pub filter: String,
    pub editing_filter: bool,
    /// Selected row per panel, in `Panel::ALL` order.
    pub selected: [usize; 5],
    /// A guarded action being planned, confirmed or run; it takes every key while open.
    pub dialog: Option<Dialog>,
    /// Quit was pressed once while an action was running (the next press quits).
    pub quit_asked: bool,
    /// The Timeline view (`t`) in place of the panels.
    pub timeline: bool,
    /// The one service the Timeline view lists (with the fleet-wide events); `None`: all.
    pub timeline_service: Option<String>,
    /// The first event in view (0: the newest).
    pub timeline_scroll: usize,
    /// The note prompt (`n`), open while typing; it takes every key.
    pub note: Option<NotePrompt>,
}

impl View {
    pub fn focused(&self) -> Panel {
        self.focus.unwrap_or(Panel::Health)
    }
}

/// What a key press asks for. Keybindings map keys to these (see `ui::keymap`); not to be confused with a
/// guarded action (`action::ActionKind`), which some of them open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyIntent {
    Quit,
    FocusNext,
    FocusPrev,
    Focus(Panel),
    Up,
    Down,
    OpenDetail,
    Back,
    Refresh,
    StartFilter,
    ToggleHelp,
    ToggleSources,
    /// The Timeline view: open or close it.
    ToggleTimeline,
    /// The Timeline view's service filter: the next service (or all).
    TimelineService,
    /// The note prompt.
    AddNote,
    /// Guarded actions: each opens the dialog with its plan.
    Failover,
    Failback,
    Approve,
    Reject,
}

impl KeyIntent {
    /// Whether the action changes AWS (through a plan and a typed confirmation). Read-only mode
    /// hides these keys and refuses them.
    pub fn mutates(self) -> bool {
        matches!(
            self,
            KeyIntent::Failover | KeyIntent::Failback | KeyIntent::Approve | KeyIntent::Reject
        )
    }

    /// The panel whose selected row the action applies to; `None`: anywhere.
    pub fn panel(self) -> Option<Panel> {
        match self {
            KeyIntent::Failover | KeyIntent::Failback => Some(Panel::Health),
            KeyIntent::Approve | KeyIntent::Reject => Some(Panel::Pipeline),
            _ => None,
        }
    }
}

/// Keys typed while the filter is being edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    Char(char),
    Backspace,
    Done,
    Cancel,
}
