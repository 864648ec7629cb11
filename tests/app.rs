//! The whole app without a terminal: key presses go through the keymap and fetched data through
//! the simulated backend, both into the same `update` the event loop uses, and the screen is
//! checked (text and snapshots) as the user would see it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use chrono::Duration;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::{
    backend_at, execute, lines_with, refetch, refresh_all, screen, stable_id, state_at, temp_audit,
};
use switchyard::action::Status;
use switchyard::action::audit::Phase;
use switchyard::model::Timestamp;
use switchyard::state::{Command, Msg, Panel, State, update};
use switchyard::ui::keymap::msg_for;

const W: u16 = 120;
const H: u16 = 35;

/// A key press, dispatched as the event loop does: to the filter while it is being edited, else
/// to the keymap. Keys that mean nothing change nothing.
fn press(state: &mut State, code: KeyCode, now: Timestamp) -> Vec<Command> {
    press_event(state, KeyEvent::new(code, KeyModifiers::NONE), now)
}

fn press_event(state: &mut State, key: KeyEvent, now: Timestamp) -> Vec<Command> {
    msg_for(state, key).map_or_else(Vec::new, |msg| update(state, msg, now))
}

fn press_char(state: &mut State, c: char, now: Timestamp) -> Vec<Command> {
    press(state, KeyCode::Char(c), now)
}

fn type_text(state: &mut State, text: &str, now: Timestamp) {
    for c in text.chars() {
        assert_eq!(press_char(state, c, now), Vec::new(), "typing {c:?}");
    }
}

/// The Health row of a service in a region (the service name is only on its first row, so
/// regions are looked for below it).
fn health_row<'a>(text: &'a str, service: &str, region: &str) -> &'a str {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.contains("CHK"))
        .unwrap_or_else(|| panic!("no Health panel:\n{text}"));
    let first = header
        + lines[header..]
            .iter()
            .position(|l| l.contains(service))
            .unwrap_or_else(|| panic!("no Health row for {service}:\n{text}"));
    lines[first..]
        .iter()
        .find(|l| l.contains(region))
        .unwrap_or_else(|| panic!("no Health row for {service} in {region}:\n{text}"))
}

#[test]
fn keys_and_fetches_drive_the_screen() {
    let (backend, mut state, mut now) = state_at("region-outage", 30);

    // Before the outage the primary serves.
    let text = screen(&state, W, H, now);
    assert!(
        health_row(&text, "sample", "us-east-1").contains('◀'),
        "{text}"
    );
    assert!(
        !health_row(&text, "sample", "us-west-2").contains('◀'),
        "{text}"
    );
    assert!(
        text.contains("▶ 1 Health"),
        "Health has the focus at start:\n{text}"
    );

    // Tab and the digit keys move the focus.
    press(&mut state, KeyCode::Tab, now);
    assert_eq!(state.view.focused(), Panel::Pipeline);
    assert!(screen(&state, W, H, now).contains("▶ 2 Pipeline"));
    press(&mut state, KeyCode::BackTab, now);
    assert_eq!(state.view.focused(), Panel::Health);
    for (c, panel) in [
        ('4', Panel::Replication),
        ('5', Panel::Domains),
        ('2', Panel::Pipeline),
        ('3', Panel::Lambda),
    ] {
        press_char(&mut state, c, now);
        assert_eq!(state.view.focused(), panel, "key {c}");
    }
    let text = screen(&state, W, H, now);
    assert!(
        text.contains("▶ 3 Lambda") && !text.contains("▶ 1 Health"),
        "{text}"
    );

    // j/k and the arrows move the selection, within the rows there are.
    for _ in 0..3 {
        press_char(&mut state, 'j', now);
    }
    press_char(&mut state, 'k', now);
    press(&mut state, KeyCode::Down, now);
    assert_eq!(state.view.selected[Panel::Lambda.index()], 3);
    for _ in 0..20 {
        press_char(&mut state, 'j', now);
    }
    assert_eq!(
        state.view.selected[Panel::Lambda.index()],
        6,
        "seven Lambda rows: stops at the last"
    );
    press(&mut state, KeyCode::Up, now);
    assert_eq!(state.view.selected[Panel::Lambda.index()], 5);

    // A data round arrives between key presses; nothing moves.
    now += Duration::seconds(30);
    refresh_all(&backend, &mut state, now);
    assert_eq!(state.view.focused(), Panel::Lambda);

    // `/` starts the filter; typed keys, even `q`, go to it; Enter keeps it.
    press_char(&mut state, '/', now);
    assert!(state.view.editing_filter);
    type_text(&mut state, "billingq", now);
    assert!(!state.quit, "q while typing a filter is a letter");
    press(&mut state, KeyCode::Backspace, now);
    let text = screen(&state, W, H, now);
    assert!(
        text.lines().last().unwrap().contains("filter: billing█"),
        "{text}"
    );
    press(&mut state, KeyCode::Enter, now);
    assert!(!state.view.editing_filter);
    assert_eq!(state.view.filter, "billing");
    assert_eq!(
        state.view.selected, [0; 5],
        "a new filter starts every selection at the top"
    );
    let text = screen(&state, W, H, now);
    assert_eq!(
        lines_with(&text, "billing-api").len(),
        3,
        "billing-api in each of its regions:\n{text}"
    );
    assert!(
        lines_with(&text, "sample-").is_empty(),
        "sample's rows are filtered out:\n{text}"
    );
    assert!(
        text.lines().last().unwrap().contains("filter: billing"),
        "{text}"
    );
    insta::assert_snapshot!("app_filtered_billing", text);

    // Enter opens the detail of the selected row, Esc goes back, a second Esc clears the filter.
    press_char(&mut state, 'j', now);
    press(&mut state, KeyCode::Enter, now);
    assert!(state.view.detail);
    let text = screen(&state, W, H, now);
    assert!(
        text.contains("Lambda · billing · us-west-2 (Esc back)"),
        "{text}"
    );
    assert!(text.contains("function          billing-api"), "{text}");
    assert_eq!(
        lines_with(&text, "MB").len(),
        3,
        "one detail row per region:\n{text}"
    );
    insta::assert_snapshot!("app_lambda_detail_billing_us_west_2", text);
    press(&mut state, KeyCode::Esc, now);
    assert!(!state.view.detail);
    assert_eq!(state.view.filter, "billing");
    press(&mut state, KeyCode::Esc, now);
    assert_eq!(state.view.filter, "");
    assert_eq!(
        lines_with(&screen(&state, W, H, now), "sample-api").len(),
        2
    );

    // ? opens help over the panels, Esc closes it.
    press_char(&mut state, '?', now);
    assert!(screen(&state, W, H, now).contains("Help: keys"));
    press(&mut state, KeyCode::Esc, now);
    assert!(!state.view.help && !screen(&state, W, H, now).contains("Help: keys"));

    // r asks the loop to refresh every source; the state itself does not change.
    let before = state.clone();
    assert_eq!(press_char(&mut state, 'r', now), vec![Command::RefreshAll]);
    assert_eq!(state, before);

    // Time passes: the pollers deliver a round every 30 s while the user looks at Health, up to
    // 6 minutes into the scenario.
    let scenario_time = |seconds| support::at(backend.scenario(), seconds);
    press_char(&mut state, '1', now);
    for seconds in (60..=360).step_by(30) {
        now = scenario_time(seconds);
        refresh_all(&backend, &mut state, now);
        if seconds == 180 {
            press_char(&mut state, 'j', now);
            press_char(&mut state, 'k', now);
        }
    }
    assert_eq!(state.view.selected[Panel::Health.index()], 0);
    let text = screen(&state, W, H, now);
    let east = health_row(&text, "sample", "us-east-1");
    let west = health_row(&text, "sample", "us-west-2");
    // The marker is "✗ UNHEALTHY"/"✓ healthy", or "✗ DOWN"/"✓ ok" when the panel is narrow.
    assert!(
        (east.contains("✗ UNHEALTHY") || east.contains("✗ DOWN")) && !east.contains('◀'),
        "the primary is down and no longer serves: {east}"
    );
    assert!(
        (west.contains("✓ healthy") || west.contains("✓ ok")) && west.contains('◀'),
        "us-west-2 serves now: {west}"
    );
    assert!(
        health_row(&text, "billing", "us-east-1").contains('◀'),
        "billing is untouched:\n{text}"
    );
    assert!(text.lines().next().unwrap().contains("critical"), "{text}");
    insta::assert_snapshot!("app_failover_region_outage", text);

    // The detail of sample's primary tells why, checker by checker.
    press(&mut state, KeyCode::Enter, now);
    let text = screen(&state, W, H, now);
    assert!(text.contains("Health · sample · us-east-1"), "{text}");
    assert!(text.contains("serving now       us-west-2"), "{text}");
    assert!(lines_with(&text, "✗ UNHEALTHY").len() >= 3, "{text}");
    press(&mut state, KeyCode::Esc, now);

    // q quits.
    assert_eq!(press_char(&mut state, 'q', now), vec![Command::Quit]);
    assert!(state.quit);
}

#[test]
fn a_failover_through_the_dialog_moves_the_traffic() {
    // 2m30s into region-outage: sample's primary is erroring but still passes its health check,
    // so Route 53 keeps answering with it; the operator moves the traffic by hand.
    let (backend, mut state, now) = backend_at("region-outage", 150);
    let text = screen(&state, W, H, now);
    assert!(
        health_row(&text, "sample", "us-east-1").contains('◀'),
        "{text}"
    );

    press_char(&mut state, '1', now);
    press(&mut state, KeyCode::Up, now);
    assert_eq!(press_char(&mut state, 'f', now), Vec::new());
    assert!(screen(&state, W, H, now).contains("Failover sample → us-west-2"));
    // `q`, `b` and the digits are typed into the field, not taken as keys.
    type_text(&mut state, "sample/us-west-2", now);
    let commands = press(&mut state, KeyCode::Enter, now);
    let [
        Command::Execute {
            plan,
            forced_reason,
        },
    ] = commands.as_slice()
    else {
        panic!("one Execute expected: {commands:?}");
    };
    assert_eq!(plan.confirm, "sample/us-west-2");
    assert_eq!(*forced_reason, None);
    assert!(screen(&state, W, H, now).contains("Executing…"));

    // Esc hides the dialog while it runs; a second action on sample is refused meanwhile.
    press(&mut state, KeyCode::Esc, now);
    assert!(state.view.dialog.is_none());
    press_char(&mut state, 'b', now);
    assert!(
        state.view.dialog.is_none(),
        "no dialog while sample has an action running"
    );
    let text = screen(&state, W, H, now);
    assert_eq!(
        lines_with(&text, "an action on sample is still running").len(),
        1,
        "{text}"
    );

    // The loop's action task: the plan runs against the same backend the pollers read.
    let log = temp_audit("app-failover");
    let report = execute(&backend, &log, plan, forced_reason.clone(), now);
    assert_eq!(report.status, Status::Verified, "{report:?}");
    let commands = update(
        &mut state,
        Msg::ActionDone(Box::new(stable_id(report))),
        now,
    );
    let [Command::Record(events), Command::RefreshAll] = &commands[..] else {
        panic!("{commands:?}")
    };
    assert_eq!(events[0].kind, switchyard::model::EventKind::Action);
    assert!(state.in_flight.is_empty());
    refetch(&backend, &mut state, now);

    let text = screen(&state, W, H, now);
    let east = health_row(&text, "sample", "us-east-1");
    let west = health_row(&text, "sample", "us-west-2");
    assert!(
        east.contains("INV") && !east.contains("◀ serving"),
        "{east}"
    );
    assert!(west.contains("◀ serving"), "{west}");
    // DNS follows the flags a little later (the simulation's propagation delay): right after
    // the failover the name servers still answer us-east-1.
    assert!(
        east.contains("◀ 60s"),
        "DNS still answers the old region: {east}"
    );
    assert!(
        text.contains("✓ verified: failover sample → us-west-2"),
        "the result banner:\n{text}"
    );
    insta::assert_snapshot!("app_failover_through_the_dialog", text);

    let records = log.read().unwrap();
    let phases: Vec<Phase> = records.iter().map(|r| r.phase).collect();
    assert_eq!(phases, [Phase::Intent, Phase::Result, Phase::Verified]);
    assert!(
        records
            .iter()
            .all(|r| r.service == "sample" && r.target == "us-west-2")
    );
    assert_eq!(records[1].outcome.as_deref(), Some("ok"));
}
