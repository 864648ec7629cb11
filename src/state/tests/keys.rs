//! Tables of `update` cases: key intents and filter editing. (Fetched data is the fleet's: see
//! `fleet::tests`.)

use super::*;
use crate::fleet::testing::{t, two_services};

/// The console over `fleet::testing::two_services`.
fn state() -> State {
    State::new("test".into(), two_services())
}

#[test]
fn key_intents_table() {
    use KeyIntent::*;
    // (actions, expected focus, expected detail, expected help, expected selected[focus])
    let cases: Vec<(Vec<KeyIntent>, Panel, bool, bool, usize)> = vec![
        (vec![], Panel::Health, false, false, 0),
        (vec![FocusNext], Panel::Pipeline, false, false, 0),
        (vec![FocusPrev], Panel::Domains, false, false, 0),
        (
            vec![FocusNext, FocusNext, FocusNext, FocusNext, FocusNext],
            Panel::Health,
            false,
            false,
            0,
        ),
        (vec![Focus(Panel::Lambda)], Panel::Lambda, false, false, 0),
        (vec![Down, Down], Panel::Health, false, false, 2),
        // 4 health rows (2 services × 2 regions): the selection stops at the last.
        (
            vec![Down, Down, Down, Down, Down, Down],
            Panel::Health,
            false,
            false,
            3,
        ),
        (vec![Down, Up, Up], Panel::Health, false, false, 0),
        (vec![OpenDetail], Panel::Health, true, false, 0),
        (vec![OpenDetail, Back], Panel::Health, false, false, 0),
        (
            vec![OpenDetail, Focus(Panel::Domains)],
            Panel::Domains,
            false,
            false,
            0,
        ),
        (vec![ToggleHelp], Panel::Health, false, true, 0),
        (
            vec![OpenDetail, ToggleHelp, Back],
            Panel::Health,
            true,
            false,
            0,
        ),
        (vec![ToggleHelp, ToggleHelp], Panel::Health, false, false, 0),
        // Lambda lists 2 services × 2 regions × 2 functions.
        (
            vec![
                Focus(Panel::Lambda),
                Down,
                Down,
                Down,
                Down,
                Down,
                Down,
                Down,
                Down,
                Down,
            ],
            Panel::Lambda,
            false,
            false,
            7,
        ),
    ];
    for (actions, focus, detail, help, selected) in cases {
        let mut s = state();
        for a in &actions {
            assert!(update(&mut s, Msg::Key(*a), t(0)).is_empty(), "{actions:?}");
        }
        assert_eq!(s.view.focused(), focus, "{actions:?}");
        assert_eq!(s.view.detail, detail, "{actions:?}");
        assert_eq!(s.view.help, help, "{actions:?}");
        assert_eq!(s.view.selected[focus.index()], selected, "{actions:?}");
    }
}

#[test]
fn refresh_and_quit_become_commands() {
    let mut s = state();
    assert_eq!(
        update(&mut s, Msg::Key(KeyIntent::Refresh), t(0)),
        vec![Command::RefreshAll]
    );
    assert!(!s.quit);
    assert_eq!(
        update(&mut s, Msg::Key(KeyIntent::Quit), t(0)),
        vec![Command::Quit]
    );
    assert!(s.quit);
}

#[test]
fn filter_editing_table() {
    use FilterKey::*;
    let cases: Vec<(Vec<FilterKey>, &str, bool, usize)> = vec![
        (vec![Char('b'), Char('e')], "be", true, 2),
        (vec![Char('b'), Char('x'), Backspace], "b", true, 2),
        (vec![Char('b'), Done], "b", false, 2),
        (vec![Char('b'), Cancel], "", false, 4),
        (
            vec![Char('w'), Char('e'), Char('s'), Char('t')],
            "west",
            true,
            2,
        ), // matches us-west-2 and eu-west-1
        (vec![Char('Z'), Char('Z')], "ZZ", true, 0),
        (vec![Char('A'), Char('L')], "AL", true, 2), // case-insensitive
    ];
    for (keys, filter, editing, health_rows) in cases {
        let mut s = state();
        update(&mut s, Msg::Key(KeyIntent::Down), t(0));
        update(&mut s, Msg::Key(KeyIntent::StartFilter), t(0));
        for k in &keys {
            update(&mut s, Msg::Filter(*k), t(0));
        }
        assert_eq!(s.view.filter, filter, "{keys:?}");
        assert_eq!(s.view.editing_filter, editing, "{keys:?}");
        assert_eq!(rows(&s, Panel::Health).len(), health_rows, "{keys:?}");
        assert_eq!(
            s.view.selected, [0; 5],
            "the selection restarts when the rows change"
        );
    }
    // Esc outside the filter editor clears a kept filter.
    let mut s = state();
    update(&mut s, Msg::Filter(FilterKey::Char('b')), t(0));
    update(&mut s, Msg::Filter(FilterKey::Done), t(0));
    update(&mut s, Msg::Key(KeyIntent::Back), t(0));
    assert_eq!(s.view.filter, "");
}
