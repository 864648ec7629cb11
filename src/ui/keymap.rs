//! Keybindings as data: one table drives key handling, the help screen and the footer hints.
//! Bindings whose action mutates (see `KeyIntent::mutates`) are left out of all three in read-only
//! mode; their hint shows only while the panel they act on has the focus (`KeyIntent::panel`).

use crate::state::{DialogKey, FilterKey, KeyIntent, Msg, Panel, State};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the keys are written in help and hints.
    pub label: &'static str,
    pub intent: KeyIntent,
    pub help: &'static str,
    /// Shown in the footer when set.
    pub hint: Option<&'static str>,
}

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Tab],
        label: "Tab",
        intent: KeyIntent::FocusNext,
        help: "focus the next panel",
        hint: Some("panel"),
    },
    Binding {
        keys: &[KeyCode::BackTab],
        label: "Shift-Tab",
        intent: KeyIntent::FocusPrev,
        help: "focus the previous panel",
        hint: None,
    },
    // One row for the five digits (each key focuses the panel of its place: see `key_intent`).
    Binding {
        keys: &[
            KeyCode::Char('1'),
            KeyCode::Char('2'),
            KeyCode::Char('3'),
            KeyCode::Char('4'),
            KeyCode::Char('5'),
        ],
        label: "1–5",
        intent: KeyIntent::Focus(Panel::Health),
        help: "focus Health, Pipeline, Lambda, Replication, Domains",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑/k",
        intent: KeyIntent::Up,
        help: "select the row above",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓/j",
        intent: KeyIntent::Down,
        help: "select the row below",
        hint: Some("select"),
    },
    Binding {
        keys: &[KeyCode::Enter],
        label: "Enter",
        intent: KeyIntent::OpenDetail,
        help: "details of the selected row (Health: per-checker observations)",
        hint: Some("detail"),
    },
    Binding {
        keys: &[KeyCode::Esc],
        label: "Esc",
        intent: KeyIntent::Back,
        help: "back: close help, timeline, detail; else clear filter, banners",
        hint: Some("back"),
    },
    Binding {
        keys: &[KeyCode::Char('r')],
        label: "r",
        intent: KeyIntent::Refresh,
        help: "refresh every source now",
        hint: Some("refresh"),
    },
    Binding {
        keys: &[KeyCode::Char('/')],
        label: "/",
        intent: KeyIntent::StartFilter,
        help: "filter by service, region or function (Enter keeps, Esc clears)",
        hint: Some("filter"),
    },
    Binding {
        keys: &[KeyCode::Char('f')],
        label: "f",
        intent: KeyIntent::Failover,
        help: "fail over the selected service (Health) to another region",
        hint: Some("failover"),
    },
    Binding {
        keys: &[KeyCode::Char('b')],
        label: "b",
        intent: KeyIntent::Failback,
        help: "fail back the selected service (Health) to its primary",
        hint: Some("failback"),
    },
    Binding {
        keys: &[KeyCode::Char('a')],
        label: "a",
        intent: KeyIntent::Approve,
        help: "approve the selected pipeline's pending build (Pipeline)",
        hint: Some("approve"),
    },
    Binding {
        keys: &[KeyCode::Char('x')],
        label: "x",
        intent: KeyIntent::Reject,
        help: "reject the selected pipeline's pending build (Pipeline)",
        hint: Some("reject"),
    },
    Binding {
        keys: &[KeyCode::Char('s')],
        label: "s",
        intent: KeyIntent::ToggleSources,
        help: "sources: each one's age, API calls and last error",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('t')],
        label: "t",
        intent: KeyIntent::ToggleTimeline,
        help: "incident timeline, newest first (↑/↓ scroll, Esc or t closes)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('S')],
        label: "S",
        intent: KeyIntent::TimelineService,
        help: "timeline of one service: the next one, then all again",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('n')],
        label: "n",
        intent: KeyIntent::AddNote,
        help: "add a note to the incident journal (Enter records it)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('?')],
        label: "?",
        intent: KeyIntent::ToggleHelp,
        help: "this help",
        hint: Some("help"),
    },
    Binding {
        keys: &[KeyCode::Char('q')],
        label: "q",
        intent: KeyIntent::Quit,
        help: "quit (Ctrl-C quits too)",
        hint: Some("quit"),
    },
];

impl Binding {
    /// Whether the binding exists in this state: mutating ones are gone in read-only mode.
    pub fn available(&self, state: &State) -> bool {
        !(state.read_only && self.intent.mutates())
    }
}

/// The bindings in effect (help lists these).
pub fn bindings(state: &State) -> impl Iterator<Item = &'static Binding> + '_ {
    BINDINGS.iter().filter(|b| b.available(state))
}

/// The message a key press sends to `update`: typed into the action dialog while it is open,
/// into the note prompt while it is open, into the filter while it is being edited, else the
/// bound action. The event loop and the
/// whole-app tests both dispatch through this.
pub fn msg_for(state: &State, key: KeyEvent) -> Option<Msg> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    if state.view.dialog.is_some() {
        dialog_key(key).map(Msg::Dialog)
    } else if state.view.note.is_some() {
        filter_key(key).map(Msg::Note)
    } else if state.view.editing_filter {
        filter_key(key).map(Msg::Filter)
    } else {
        key_intent(state, key).map(Msg::Key)
    }
}

/// The action a key asks for in normal mode (none for a mutating key in read-only mode).
pub fn key_intent(state: &State, key: KeyEvent) -> Option<KeyIntent> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return (key.code == KeyCode::Char('c')).then_some(KeyIntent::Quit);
    }
    let binding = bindings(state).find(|b| b.keys.contains(&key.code))?;
    Some(match binding.intent {
        // The digits: the nth key focuses the nth panel.
        KeyIntent::Focus(_) => binding
            .keys
            .iter()
            .position(|k| *k == key.code)
            .and_then(|i| Panel::ALL.get(i))
            .map_or(binding.intent, |p| KeyIntent::Focus(*p)),
        intent => intent,
    })
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
