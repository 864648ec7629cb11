//! Keybindings as data: one table drives key handling, the help screen and the footer hints.
//! Bindings whose action mutates (see `Action::mutates`) are left out of all three in read-only
//! mode; their hint shows only while the panel they act on has the focus (`Action::panel`).

use crate::state::{Action, DialogKey, FilterKey, Msg, Panel, State};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the keys are written in help and hints.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Shown in the footer when set.
    pub hint: Option<&'static str>,
}

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Tab],
        label: "Tab",
        action: Action::FocusNext,
        help: "focus the next panel",
        hint: Some("panel"),
    },
    Binding {
        keys: &[KeyCode::BackTab],
        label: "Shift-Tab",
        action: Action::FocusPrev,
        help: "focus the previous panel",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('1')],
        label: "1",
        action: Action::Focus(Panel::Health),
        help: "focus Health",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('2')],
        label: "2",
        action: Action::Focus(Panel::Pipeline),
        help: "focus Pipeline",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('3')],
        label: "3",
        action: Action::Focus(Panel::Lambda),
        help: "focus Lambda",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('4')],
        label: "4",
        action: Action::Focus(Panel::Replication),
        help: "focus Replication",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('5')],
        label: "5",
        action: Action::Focus(Panel::Domains),
        help: "focus Domains",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑/k",
        action: Action::Up,
        help: "select the row above",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓/j",
        action: Action::Down,
        help: "select the row below",
        hint: Some("select"),
    },
    Binding {
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::OpenDetail,
        help: "details of the selected row (Health: per-checker observations)",
        hint: Some("detail"),
    },
    Binding {
        keys: &[KeyCode::Esc],
        label: "Esc",
        action: Action::Back,
        help: "back: close help or detail, else clear the filter or the banners",
        hint: Some("back"),
    },
    Binding {
        keys: &[KeyCode::Char('r')],
        label: "r",
        action: Action::Refresh,
        help: "refresh every source now",
        hint: Some("refresh"),
    },
    Binding {
        keys: &[KeyCode::Char('/')],
        label: "/",
        action: Action::StartFilter,
        help: "filter by service, region or function (Enter keeps, Esc clears)",
        hint: Some("filter"),
    },
    Binding {
        keys: &[KeyCode::Char('f')],
        label: "f",
        action: Action::Failover,
        help: "fail over the selected service (Health) to another region",
        hint: Some("failover"),
    },
    Binding {
        keys: &[KeyCode::Char('b')],
        label: "b",
        action: Action::Failback,
        help: "fail back the selected service (Health) to its primary",
        hint: Some("failback"),
    },
    Binding {
        keys: &[KeyCode::Char('a')],
        label: "a",
        action: Action::Approve,
        help: "approve the selected pipeline's pending build (Pipeline)",
        hint: Some("approve"),
    },
    Binding {
        keys: &[KeyCode::Char('x')],
        label: "x",
        action: Action::Reject,
        help: "reject the selected pipeline's pending build (Pipeline)",
        hint: Some("reject"),
    },
    Binding {
        keys: &[KeyCode::Char('s')],
        label: "s",
        action: Action::ToggleSources,
        help: "sources: each one's age, API calls and last error",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('?')],
        label: "?",
        action: Action::ToggleHelp,
        help: "this help",
        hint: Some("help"),
    },
    Binding {
        keys: &[KeyCode::Char('q')],
        label: "q",
        action: Action::Quit,
        help: "quit (Ctrl-C quits too)",
        hint: Some("quit"),
    },
];

impl Binding {
    /// Whether the binding exists in this state: mutating ones are gone in read-only mode.
    pub fn available(&self, state: &State) -> bool {
        !(state.read_only && self.action.mutates())
    }
}

/// The bindings in effect (help lists these).
pub fn bindings(state: &State) -> impl Iterator<Item = &'static Binding> + '_ {
    BINDINGS.iter().filter(|b| b.available(state))
}

/// The message a key press sends to `update`: typed into the action dialog while it is open,
/// into the filter while it is being edited, else the bound action. The event loop and the
/// whole-app tests both dispatch through this.
pub fn msg_for(state: &State, key: KeyEvent) -> Option<Msg> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    if state.view.dialog.is_some() {
        dialog_key(key).map(Msg::Dialog)
    } else if state.view.editing_filter {
        filter_key(key).map(Msg::Filter)
    } else {
        action_for(state, key).map(Msg::Action)
    }
}

/// The action a key asks for in normal mode (none for a mutating key in read-only mode).
pub fn action_for(state: &State, key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return (key.code == KeyCode::Char('c')).then_some(Action::Quit);
    }
    bindings(state)
        .find(|b| b.keys.contains(&key.code))
        .map(|b| b.action)
}

/// What a key does while the action dialog is open: characters are typed (even `q`), and
/// Ctrl-C cancels like Esc rather than quitting mid-confirmation.
pub fn dialog_key(key: KeyEvent) -> Option<DialogKey> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return (key.code == KeyCode::Char('c')).then_some(DialogKey::Esc);
    }
    match key.code {
        KeyCode::Char(c) => Some(DialogKey::Char(c)),
        KeyCode::Backspace => Some(DialogKey::Backspace),
        KeyCode::Enter => Some(DialogKey::Enter),
        KeyCode::Esc => Some(DialogKey::Esc),
        KeyCode::Up => Some(DialogKey::Up),
        KeyCode::Down => Some(DialogKey::Down),
        _ => None,
    }
}

/// What a key does while the filter is being typed.
pub fn filter_key(key: KeyEvent) -> Option<FilterKey> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return None;
    }
    match key.code {
        KeyCode::Char(c) => Some(FilterKey::Char(c)),
        KeyCode::Backspace => Some(FilterKey::Backspace),
        KeyCode::Enter => Some(FilterKey::Done),
        KeyCode::Esc => Some(FilterKey::Cancel),
        _ => None,
    }
}
