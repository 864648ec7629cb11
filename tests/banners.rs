//! The banners under the header on screen: an action with no result recorded (from the audit
//! log at start), one result per service, and closing while an action still runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;
use support::{backend_at, lines_with, screen};
use switchyard::action::audit::{AuditRecord, Phase};
use switchyard::action::{Report, Status};
use switchyard::model::Timestamp;
use switchyard::state::{CLOSE_WAIT, Command, Msg, State, update};
use switchyard::ui::keymap::msg_for;

fn press(state: &mut State, code: KeyCode, now: Timestamp) -> Vec<Command> {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    msg_for(state, key).map_or_else(Vec::new, |msg| update(state, msg, now))
}

fn report(service: &str, status: Status) -> Report {
    Report {
        id: Some("20261127T140230.000Z-4242-1".into()),
        action: "failover",
        service: service.into(),
        target: "us-west-2".into(),
        status,
        message: "as planned".into(),
        answers: Vec::new(),
        forced_reason: None,
        audit_error: None,
        team_lock: None,
        team_error: None,
    }
}

#[test]
fn an_unfinished_action_is_a_banner_until_dismissed() {
    let (_, mut state, now) = backend_at("steady", 120);
    let intent = AuditRecord {
        ts: now,
        id: "20261127T140200.000Z-4242-1".into(),
        phase: Phase::Intent,
        action: "failover".into(),
        service: "sample".into(),
        target: "us-west-2".into(),
        request: serde_json::json!([]),
        actor: None,
        outcome: None,
        error: None,
        forced_reason: None,
        drill: false,
        team_lock: None,
    };
    update(&mut state, Msg::AuditLog(Ok(vec![intent])), now);
    let text = screen(&state, 80, 24, now);
    assert!(
        text.contains("no result recorded yet for failover sample → us-west-2"),
        "{text}"
    );
    assert!(
        text.contains("if no other switchyard is") && text.contains("check AWS"),
        "{text}"
    );
    insta::assert_snapshot!("banner_unfinished_80x24", text);
    press(&mut state, KeyCode::Esc, now);
    assert!(!screen(&state, 80, 24, now).contains("no result recorded yet"));

    // A log that cannot be read is a banner too, not a crash.
    update(
        &mut state,
        Msg::AuditLog(Err("/x/audit.jsonl:3: not an audit record".into())),
        now,
    );
    assert!(screen(&state, 120, 35, now).contains("audit.jsonl:3: not an audit record"));
}

#[test]
fn each_service_shows_its_own_result() {
    let (_, mut state, now) = backend_at("region-outage", 150);
    for (service, status) in [("sample", Status::Failed), ("billing", Status::Verified)] {
        update(
            &mut state,
            Msg::ActionDone(Box::new(report(service, status))),
            now,
        );
    }
    let text = screen(&state, 120, 35, now);
    assert_eq!(
        lines_with(&text, "✗ FAILED: failover sample").len(),
        1,
        "{text}"
    );
    assert_eq!(
        lines_with(&text, "✓ verified: failover billing").len(),
        1,
        "{text}"
    );
}

#[test]
fn closing_while_an_action_runs_says_what_it_waits_for() {
    let (_, mut state, now) = backend_at("region-outage", 150);
    state.in_flight.insert("sample".into());
    // q once asks; q again quits, and the console waits for the action.
    assert_eq!(press(&mut state, KeyCode::Char('q'), now), Vec::new());
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("quit again to leave once it ends"), "{text}");
    assert_eq!(
        press(&mut state, KeyCode::Char('q'), now),
        vec![Command::Quit]
    );
    update(&mut state, Msg::Closing { limit: CLOSE_WAIT }, now);
    let text = screen(&state, 120, 35, now);
    assert!(
        text.contains("closing: waiting for the action on sample to end (at most 60 s)"),
        "{text}"
    );
    insta::assert_snapshot!("banner_closing_120x35", text);
    // Its result arrives: nothing left to wait for.
    update(
        &mut state,
        Msg::ActionDone(Box::new(report("sample", Status::Verified))),
        now,
    );
    let text = screen(&state, 80, 24, now);
    assert!(text.contains("closing…"), "{text}");
    assert!(text.contains("✓ verified: failover sample"), "{text}");
    assert_eq!(CLOSE_WAIT, Duration::from_secs(60));
}

/// two-responders at 3m40s: teammate alice has held sample's team lease since 3m, while her
/// failover runs; bob failed billing back 15 minutes ago (README, "Working as a team").
#[test]
fn another_operators_lease_is_a_live_line_with_its_age_and_recent_actions_follow() {
    let (_, state, now) = backend_at("two-responders", 220);
    let lease = "team: sample: failover → us-west-2 by …/alice, 40 s ago, running";
    let recent = "team, last 30 min: failback billing → us-east-1 by …/bob, 15 min ago, verified";
    let wide = screen(&state, 120, 35, now);
    assert_eq!(lines_with(&wide, lease).len(), 1, "{wide}");
    assert_eq!(lines_with(&wide, recent).len(), 1, "{wide}");
    insta::assert_snapshot!("banner_team_120x35", wide);
    let narrow = screen(&state, 80, 24, now);
    assert!(narrow.contains(lease), "{narrow}");
    assert!(
        narrow.contains("team, last 30 min: failback billing"),
        "{narrow}"
    );
    insta::assert_snapshot!("banner_team_80x24", narrow);
    // The live lease is in the warning colour; the finished actions are quieter (dim).
    let theme = switchyard::ui::Theme::color();
    let buffer = support::render_app(&state, &theme, 120, 35, now);
    for (text, style) in [
        ("…/alice, 40 s ago, running", theme.warn),
        ("…/bob, 15 min ago, verified", theme.dim),
    ] {
        let found = support::find_cells(&buffer, text);
        assert_eq!(found.len(), 1, "{text}");
        assert!(
            found[0].iter().all(|c| c.fg == style.fg.unwrap()),
            "{text}: {:?}",
            found[0][0]
        );
    }
    // Render reads no clock: the same state drawn 30 s later is 30 s older.
    let later = screen(&state, 120, 35, now + chrono::Duration::seconds(30));
    assert!(
        later.contains("team: sample: failover → us-west-2 by …/alice, 70 s ago, running"),
        "{later}"
    );
    // The refused key says who holds it, in the banner area, instead of opening a plan.
    let mut state = state;
    press(&mut state, KeyCode::Char('f'), now);
    let text = screen(&state, 120, 35, now);
    assert!(state.view.dialog.is_none());
    assert!(
        text.contains("failover sample refused: …/alice (alice-laptop) holds its team lease"),
        "{text}"
    );
    insta::assert_snapshot!("banner_team_refused_120x35", text);
    // At 80×24 the refusal fits whole with the team's lines.
    let narrow = screen(&state, 80, 24, now);
    assert!(
        narrow.contains("since 14:03:00Z, 40 s ago; wait for it to end"),
        "{narrow}"
    );
    assert!(!narrow.contains("more notice"), "{narrow}");
    insta::assert_snapshot!("banner_team_refused_80x24", narrow);
}

/// A drill on billing while alice holds sample: it takes billing's lease in the simulation's
/// team bucket and releases it at its end; its records reach the bucket, and this console does
/// not show its own action as a teammate's.
#[test]
fn a_drill_takes_and_releases_its_lease_and_is_not_shown_as_someone_elses() {
    use support::{execute, refetch, temp_audit};
    use switchyard::action::plan;
    use switchyard::source::SourceKind;
    let (backend, mut state, now) = backend_at("two-responders", 220);
    let store = backend.team().expect("the scenario's team bucket");
    let key = store.lock_key("billing");
    let plan = plan::failover(&state.fleet, "billing", "us-west-2", now).unwrap();
    let report = execute(&backend, &temp_audit("team-drill"), &plan, None, now);
    assert_eq!(
        report.team_lock.as_deref(),
        Some(format!("held: {key}").as_str()),
        "{report:?}"
    );
    let gone = support::block_on(store.get(&key, now)).unwrap();
    assert_eq!(gone, None, "released at its end");
    // Its records are in the bucket (dated by the wall clock, as the audit log's are).
    let id = report.id.clone().unwrap();
    let audit = support::block_on(store.list("switchyard/audit/", now)).unwrap();
    assert_eq!(
        audit.iter().filter(|k| k.contains(&id)).count(),
        3,
        "intent, result, verified: {audit:?}"
    );
    update(&mut state, Msg::ActionDone(Box::new(report.clone())), now);
    refetch(&backend, &mut state, now);
    let text = screen(&state, 120, 35, now);
    assert!(!text.contains("failover billing → us-west-2 by"), "{text}");
    assert!(
        state
            .fleet
            .sources
            .keys()
            .any(|k| k.kind == SourceKind::Team && k.region == "global")
    );
}

/// The team source failing (throttled from 3m30s here): its last view stays, aged from `now`,
/// and the sources overlay lists it with its interval and its error, as it does the others.
#[test]
fn a_failing_team_source_keeps_its_last_view_and_says_why_in_the_sources_overlay() {
    use switchyard::config::Thresholds;
    use switchyard::source::sim::SimBackend;
    use switchyard::source::sim::scenario::Scenario;
    let text = format!(
        "{}\n[[incident]]\nkind = \"throttle\"\nsource = \"team\"\nregion = \"global\"\nat = \
         \"3m30s\"\n",
        include_str!("../assets/scenarios/two-responders.toml")
    );
    let scenario = Scenario::parse(&text, "two-responders-throttled").unwrap();
    let sim = SimBackend::new(scenario.clone());
    let read = scenario.start + chrono::Duration::seconds(200);
    let mut state = State::simulated(&sim, read, Thresholds::default());
    let now = read + chrono::Duration::seconds(30);
    for spec in sim.schedule() {
        update(&mut state, sim.fetch_now(&spec.key, now).into(), now);
    }
    let text = screen(&state, 120, 35, now);
    assert!(
        text.contains("team: sample: failover → us-west-2 by …/alice, 50 s ago, running"),
        "{text}"
    );
    press(&mut state, KeyCode::Char('s'), now);
    let text = screen(&state, 120, 35, now);
    let row = lines_with(&text, "team@global                     3s       30s");
    assert_eq!(row.len(), 1, "every 3 s, data 30 s old: {text}");
    assert!(row[0].contains("✗ failing"), "{row:?}");
    assert!(
        text.contains("✗ team@global THROTTLED 30s"),
        "the status bar names it: {text}"
    );
    assert!(
        text.contains("S3 ListObjectsV2 in global: Throttling: Rate exceeded"),
        "{text}"
    );
}
