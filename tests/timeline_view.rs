//! The incident timeline in the console: the Timeline view (`t`) after watching region-outage
//! through its failover, with a note, at 120×35 and 80×24; its service filter (`S`) and the `/`
//! filter; the note prompt (`n`); the Health detail's events of the selected row; AWS's own time
//! and the date where they differ. Colours asserted where they carry meaning (critical red,
//! recovered green).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use support::{find_cells, lines_with, render_app, screen, watched};
use switchyard::model::{EventKind, Timestamp};
use switchyard::state::{Command, State, update};
use switchyard::ui::Theme;
use switchyard::ui::keymap::msg_for;

fn press(state: &mut State, code: KeyCode, now: Timestamp) -> Vec<Command> {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    msg_for(state, key).map_or_else(Vec::new, |msg| update(state, msg, now))
}

fn type_text(state: &mut State, text: &str, now: Timestamp) {
    for c in text.chars() {
        assert_eq!(press(state, KeyCode::Char(c), now), Vec::new(), "{c:?}");
    }
}

/// region-outage watched every 30 s for 7 minutes (the primary's errors climb, its health
/// check fails, the health checks move sample to us-west-2), and a note typed at the end.
fn after_the_failover() -> (State, Timestamp) {
    let (_, mut state, now) = watched("region-outage", 420, 30);
    press(&mut state, KeyCode::Char('n'), now);
    type_text(&mut state, "paged payments; holding deploys", now);
    let commands = press(&mut state, KeyCode::Enter, now);
    assert!(
        matches!(&commands[..], [Command::Record(e)] if e[0].kind == EventKind::Note),
        "{commands:?}"
    );
    (state, now)
}

#[test]
fn timeline_after_the_failover_120x35() {
    let (mut state, now) = after_the_failover();
    press(&mut state, KeyCode::Char('t'), now);
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Timeline · all services"), "{text}");
    // Newest first: the note, then the serving change before the error rate's breach.
    let rows: Vec<&str> = text.lines().collect();
    // (the newest line with a text, and the oldest)
    let row = |needle: &str| {
        rows.iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{text}"))
    };
    let oldest = |needle: &str| rows.iter().rposition(|l| l.contains(needle)).unwrap();
    assert!(
        row("note: paged payments") < row("served from us-west-2"),
        "{text}"
    );
    assert!(row("served from us-west-2") < row("is unhealthy"), "{text}");
    assert!(
        row("is unhealthy") < oldest("sample-api in us-east-1"),
        "{text}"
    );
    insta::assert_snapshot!("timeline_region_outage_120x35", text);
    // Critical events are red and bold.
    let buffer = render_app(&state, &Theme::color(), 120, 35, now);
    let critical = find_cells(&buffer, "✗");
    assert!(!critical.is_empty(), "{text}");
    for cell in critical.iter().flatten() {
        assert_eq!(cell.fg, Color::Red);
        assert!(cell.modifier.contains(Modifier::BOLD));
    }
}

#[test]
fn timeline_after_the_failover_80x24() {
    let (mut state, now) = after_the_failover();
    press(&mut state, KeyCode::Char('t'), now);
    let text = screen(&state, 80, 24, now);
    assert!(text.contains("Timeline"), "{text}");
    // No column for where at this width: the note says its service itself.
    assert!(text.contains("note on sample: paged payments"), "{text}");
    insta::assert_snapshot!("timeline_region_outage_80x24", text);
}

#[test]
fn timeline_service_filter_and_text_filter() {
    let (mut state, now) = after_the_failover();
    press(&mut state, KeyCode::Char('t'), now);
    let all = state.events.len();
    // S: sample, then billing, then all again; the title says which.
    press(&mut state, KeyCode::Char('S'), now);
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Timeline · sample ·"), "{text}");
    assert!(lines_with(&text, "billing/").is_empty(), "{text}");
    press(&mut state, KeyCode::Char('S'), now);
    assert_eq!(state.view.timeline_service.as_deref(), Some("billing"));
    press(&mut state, KeyCode::Char('S'), now);
    assert_eq!(state.view.timeline_service, None);
    // `/` filters the events by their text.
    press(&mut state, KeyCode::Char('/'), now);
    type_text(&mut state, "served from", now);
    press(&mut state, KeyCode::Enter, now);
    let text = screen(&state, 120, 35, now);
    let listed: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('│') && l.contains(':'))
        .collect();
    assert!(!listed.is_empty(), "{text}");
    assert!(listed.iter().all(|l| l.contains("served from")), "{text}");
    assert!(text.contains(&format!(" of {all} events")), "{text}");
    // Esc closes the view (the filter stays until the next Esc).
    press(&mut state, KeyCode::Esc, now);
    assert!(!state.view.timeline);
}

#[test]
fn note_prompt() {
    let (_, mut state, now) = watched("region-outage", 420, 60);
    press(&mut state, KeyCode::Char('n'), now);
    type_text(&mut state, "paged payments", now);
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Note for the incident journal"), "{text}");
    assert!(text.contains("about sample"), "{text}");
    insta::assert_snapshot!("note_prompt_120x35", text);
    // Enter with nothing typed is refused, and says so.
    for _ in 0.."paged payments".len() {
        press(&mut state, KeyCode::Backspace, now);
    }
    assert_eq!(press(&mut state, KeyCode::Enter, now), Vec::new());
    let text = screen(&state, 80, 24, now);
    assert!(text.contains("type the note first"), "{text}");
    insta::assert_snapshot!("note_prompt_refused_80x24", text);
}

#[test]
fn health_detail_shows_the_rows_events() {
    let (_, mut state, now) = watched("region-outage", 420, 30);
    // Health, row 0: sample in us-east-1.
    press(&mut state, KeyCode::Enter, now);
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Events"), "{text}");
    // The section between its title and the findings: this region's events (the error rate
    // breaching) and the service's serving changes, newest first, as many as fit.
    let events = text
        .split("│Events")
        .nth(1)
        .and_then(|rest| rest.split("│Findings").next())
        .unwrap();
    assert!(events.contains("sample-api in us-east-1"), "{text}");
    assert!(events.contains("served from us-west-2"), "{text}");
    assert!(!events.contains("us-west-2:"), "{text}");
    assert!(lines_with(&text, "billing").is_empty(), "{text}");
    insta::assert_snapshot!("health_detail_events_120x35", text);
}

/// Good news is green with its own marker: a console seeded from a journal whose last values
/// are the outage's (as another drill run left them) records the primary healthy again.
#[test]
fn recoveries_are_green() {
    use switchyard::config::Thresholds;
    use switchyard::fleet::Fleet;
    use switchyard::state::{JournalRead, Msg};
    let (_, outage, _) = watched("region-outage", 420, 60);
    let (scenario, backend) = support::sim("region-outage");
    let now = support::at(&scenario, 30);
    let fleet = Fleet::new(
        backend.services(),
        &backend.schedule(),
        Thresholds::default(),
    );
    let mut state = State::new("demo: region-outage".into(), fleet);
    update(
        &mut state,
        Msg::Journal(Ok(JournalRead {
            last: outage.events.clone(),
            recent: Vec::new(),
            skipped: 0,
        })),
        now,
    );
    support::refresh_all(&backend, &mut state, now);
    press(&mut state, KeyCode::Char('t'), now);
    let text = screen(&state, 120, 35, now);
    let healthy = lines_with(&text, "sample in us-east-1 is healthy");
    assert_eq!(healthy.len(), 1, "{text}");
    assert!(healthy[0].contains("✓ sample/us-east-1"), "{text}");
    let buffer = render_app(&state, &Theme::color(), 120, 35, now);
    for cell in find_cells(&buffer, "✓ sample/us-east-1")[0].iter().take(1) {
        assert_eq!(cell.fg, Color::Green, "{text}");
    }
}

/// Where AWS gives its own time of an event and it differs from when the console saw it, the
/// line says which service gave it and when (UTC), after the message; with the date when the
/// event is not of `now`'s day.
#[test]
fn aws_time_and_date_where_they_differ() {
    use switchyard::model::{Event, FindingCode, Severity};
    let (_, mut state, now) = support::state_at("steady", 60);
    state.events.clear();
    let mut breach = Event::new(
        EventKind::FindingRaised,
        Severity::Warning,
        now - chrono::Duration::seconds(40),
        "sample-api in us-east-1: 2.9% errors".into(),
    );
    breach.code = Some(FindingCode::ErrorRateHigh);
    breach.aws_time = Some(now - chrono::Duration::seconds(60));
    let mut yesterday = Event::new(
        EventKind::HealthChanged,
        Severity::Critical,
        now - chrono::Duration::hours(20),
        "us-east-1 is unhealthy".into(),
    );
    yesterday.aws_time = Some(yesterday.observed - chrono::Duration::seconds(12));
    state.events = vec![yesterday, breach];
    press(&mut state, KeyCode::Char('t'), now);
    let text = screen(&state, 120, 35, now);
    let breach = lines_with(&text, "2.9% errors")[0];
    assert!(breach.contains("· CloudWatch 14:00:00"), "{text}");
    // Once one line is of another day, every line shows its date (so they stay aligned).
    assert!(breach.contains("11-27 14:00:20"), "{text}");
    let old = lines_with(&text, "is unhealthy")[0];
    assert!(
        old.contains("11-26 18:01:00") && old.contains("· Route 53 18:00:48"),
        "{text}"
    );
}
