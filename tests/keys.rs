//! The keymap as the user meets it: keys that mean nothing do nothing, help lists every binding
//! in effect, the footer's hints per panel and terminal size, and read-only mode, which hides and
//! disables the action keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::{screen, state_at};
use switchyard::model::Timestamp;
use switchyard::state::{Command, Panel, State, update};
use switchyard::ui::keymap::{BINDINGS, msg_for};

fn press(state: &mut State, code: KeyCode, now: Timestamp) -> Vec<Command> {
    press_event(state, KeyEvent::new(code, KeyModifiers::NONE), now)
}

fn press_event(state: &mut State, key: KeyEvent, now: Timestamp) -> Vec<Command> {
    msg_for(state, key).map_or_else(Vec::new, |msg| update(state, msg, now))
}

fn press_char(state: &mut State, c: char, now: Timestamp) -> Vec<Command> {
    press(state, KeyCode::Char(c), now)
}

#[test]
fn ctrl_c_quits_and_unbound_keys_do_nothing() {
    let (_, mut state, now) = state_at("steady", 60);
    let before = state.clone();
    assert_eq!(press_char(&mut state, 'z', now), Vec::new());
    assert_eq!(press(&mut state, KeyCode::F(5), now), Vec::new());
    assert_eq!(state, before);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(press_event(&mut state, ctrl_c, now), vec![Command::Quit]);
    assert!(state.quit);
}

/// The rows inside the help box's border, trimmed (the box is found by its title).
fn help_rows(text: &str) -> Vec<String> {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let title = lines
        .iter()
        .position(|l| l.iter().collect::<String>().contains("┌ Help: keys"))
        .unwrap_or_else(|| panic!("no help box:\n{text}"));
    let left = lines[title].iter().position(|c| *c == '┌').unwrap();
    let right = left + lines[title][left..].iter().position(|c| *c == '┐').unwrap();
    lines[title + 1..]
        .iter()
        .take_while(|l| l.get(left) == Some(&'│'))
        .map(|l| {
            l[left + 1..right.min(l.len())]
                .iter()
                .collect::<String>()
                .trim()
                .to_string()
        })
        .filter(|row| !row.is_empty())
        .collect()
}

fn assert_help_lists_every_binding(width: u16, height: u16) {
    let (_, mut state, now) = state_at("steady", 60);
    press_char(&mut state, '?', now);
    let text = screen(&state, width, height, now);
    let rows = help_rows(&text);
    for b in BINDINGS {
        // The label, then the whole help text, on one row.
        let listed = rows.iter().any(|row| {
            row.strip_suffix(b.help)
                .is_some_and(|label| label.trim_end() == b.label)
        });
        assert!(
            listed,
            "{width}×{height}: help does not list `{}`: {}\n{text}",
            b.label, b.help
        );
    }
    assert!(
        rows.iter().any(|r| r.contains("◀ serving")),
        "{width}×{height}: the marker legend is cut:\n{text}"
    );
}

#[test]
fn help_lists_every_binding() {
    assert_help_lists_every_binding(120, 35);
}

#[test]
fn help_lists_every_binding_at_minimum_size() {
    assert_help_lists_every_binding(80, 24);
}

/// The footer shows the focused panel's action keys first, then the keys that work everywhere;
/// when the terminal is narrow the navigation hints at the front give way, but the actions, Esc,
/// help and quit always stay.
fn assert_footer_hints(width: u16, height: u16, every: bool) {
    let (_, mut state, now) = state_at("steady", 60);
    for panel in Panel::ALL {
        press_char(&mut state, char::from(b'1' + panel.index() as u8), now);
        let text = screen(&state, width, height, now);
        let footer = text.lines().last().unwrap();
        for b in BINDINGS {
            let Some(hint) = b.hint else { continue };
            let shown = footer.contains(&format!("{} {hint}", b.label));
            let applies = b.intent.panel().is_none_or(|p| p == panel);
            let must = b.intent.panel() == Some(panel) || ["Esc", "?", "q"].contains(&b.label);
            assert!(
                !shown || applies,
                "{width}×{height}, {panel:?}: `{} {hint}` belongs to another panel: {footer}",
                b.label
            );
            assert!(
                shown || !applies || !(every || must),
                "{width}×{height}, {panel:?}: footer lacks `{} {hint}`: {footer}",
                b.label
            );
        }
    }
}

#[test]
fn footer_shows_every_hint() {
    assert_footer_hints(120, 35, true);
}

#[test]
fn footer_shows_the_essential_hints_at_minimum_size() {
    assert_footer_hints(80, 24, false);
}

#[test]
fn read_only_hides_and_disables_the_action_keys() {
    let (_, mut state, now) = state_at("region-outage", 150);
    state.read_only = true;
    let actions: Vec<_> = BINDINGS.iter().filter(|b| b.intent.mutates()).collect();
    assert_eq!(
        actions.iter().map(|b| b.label).collect::<Vec<_>>(),
        ["f", "b", "a", "x"]
    );
    // Help lists every other binding and none of the actions.
    press_char(&mut state, '?', now);
    let rows = help_rows(&screen(&state, 120, 35, now));
    for b in BINDINGS {
        let listed = rows.iter().any(|row| row.ends_with(b.help));
        assert_eq!(listed, !b.intent.mutates(), "help and `{}`", b.label);
    }
    press(&mut state, KeyCode::Esc, now);
    // The keys do nothing, on the panel they belong to, and their hints are gone.
    for (panel, keys) in [('1', ['f', 'b']), ('2', ['a', 'x'])] {
        press_char(&mut state, panel, now);
        let text = screen(&state, 120, 35, now);
        let footer = text.lines().last().unwrap();
        assert!(
            !footer.contains("failover") && !footer.contains("approve"),
            "{footer}"
        );
        assert!(
            text.contains("READ-ONLY") && !text.contains("ARMED"),
            "{text}"
        );
        for key in keys {
            let event = KeyEvent::new(KeyCode::Char(key), KeyModifiers::NONE);
            assert_eq!(msg_for(&state, event), None, "{key} in read-only mode");
        }
    }
    assert!(state.view.dialog.is_none());
}
