//! The one setup every UI test goes through: a simulated scenario at a fixed moment, a render onto
//! ratatui's `TestBackend`, and the screen as text for snapshots and assertions.
// Each test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use chrono::Duration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, Cell, CellWidth};
use ratatui::layout::Position;
use std::sync::Arc;
use switchyard::action::audit::AuditLog;
use switchyard::action::{Execution, Plan, Report, Verification};
use switchyard::config::Thresholds;
use switchyard::model::Timestamp;
use switchyard::source::sim::SimBackend;
use switchyard::source::sim::scenario::Scenario;
use switchyard::source::{Backend, Clock, SourceKey, SourceKind};
use switchyard::state::{Command, Msg, State, update};
use switchyard::ui::{self, Theme};

/// A built-in scenario and the simulated backend that plays it.
pub fn sim(name: &str) -> (Scenario, SimBackend) {
    let scenario = Scenario::built_in(name).unwrap_or_else(|e| panic!("scenario {name}: {e}"));
    let backend = SimBackend::new(scenario.clone());
    (scenario, backend)
}

/// The simulated clock `seconds` after the scenario's start: tests never read the wall clock.
pub fn at(scenario: &Scenario, seconds: i64) -> Timestamp {
    scenario.start + Duration::seconds(seconds)
}

/// The console's state after every source was fetched once, `seconds` into a scenario, and that
/// moment (to render at).
pub fn state_at(name: &str, seconds: i64) -> (SimBackend, State, Timestamp) {
    let (scenario, backend) = sim(name);
    let now = at(&scenario, seconds);
    let state = State::simulated(&backend, now, Thresholds::default());
    (backend, state, now)
}

/// One source's fetch at `now`, as the poller would send it to the app loop.
pub fn fetched(backend: &SimBackend, key: &SourceKey, now: Timestamp) -> Msg {
    backend.fetch_now(key, now).into()
}

/// Fetches every source of the plan at `now` and feeds the results through `update`, as a round
/// of the pollers would.
pub fn refresh_all(backend: &SimBackend, state: &mut State, now: Timestamp) {
    for spec in backend.schedule() {
        let commands = update(state, fetched(backend, &spec.key, now), now);
        assert!(
            commands.iter().all(|c| matches!(c, Command::Record(_))),
            "fetched data asks for no command but recording its events: {commands:?}"
        );
    }
}

/// The console as it would be after watching a scenario from its start: every source fetched
/// every `step` seconds until `seconds` in (so the incident journal's events are the changes
/// seen along the way), and that moment.
pub fn watched(name: &str, seconds: i64, step: i64) -> (SimBackend, State, Timestamp) {
    let (scenario, backend) = sim(name);
    let mut state = State::simulated(&backend, at(&scenario, 0), Thresholds::default());
    let mut t = 0;
    while t < seconds {
        t = (t + step).min(seconds);
        refresh_all(&backend, &mut state, at(&scenario, t));
    }
    (backend, state, at(&scenario, seconds))
}

pub fn key(kind: SourceKind, region: &str) -> SourceKey {
    SourceKey::new(kind, region)
}

/// Draws with `draw` on a `width`×`height` test terminal and returns what is on screen.
pub fn render_with(width: u16, height: u16, draw: impl FnOnce(&mut ratatui::Frame)) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(draw).expect("draw");
    terminal.backend().buffer().clone()
}

/// The whole console, as `ui::render` draws it in the app loop.
pub fn render_app(state: &State, theme: &Theme, width: u16, height: u16, now: Timestamp) -> Buffer {
    render_with(width, height, |frame| ui::render(frame, state, theme, now))
}

/// The whole console in the colour theme, as text.
pub fn screen(state: &State, width: u16, height: u16, now: Timestamp) -> String {
    buffer_to_text(&render_app(state, &Theme::color(), width, height, now))
}

/// The screen as text: one line per row joined with '\n', trailing spaces trimmed, the cells a
/// wide symbol covers left out.
pub fn buffer_to_text(buffer: &Buffer) -> String {
    rows(buffer)
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(_, cell)| cell.symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each row's visible cells with their x, skipping the cells hidden under wide symbols.
fn rows(buffer: &Buffer) -> Vec<Vec<(u16, &Cell)>> {
    let area = buffer.area;
    (area.top()..area.bottom())
        .map(|y| {
            let mut visible = Vec::new();
            let mut hidden = 0u16;
            for x in area.left()..area.right() {
                let Some(cell) = buffer.cell(Position::new(x, y)) else {
                    continue;
                };
                if hidden == 0 {
                    visible.push((x, cell));
                }
                hidden = hidden.max(cell.cell_width()).saturating_sub(1);
            }
            visible
        })
        .collect()
}

/// The cells showing `text` wherever it appears on screen (one `Vec` per occurrence), so tests
/// can look at the style of a marker.
pub fn find_cells<'a>(buffer: &'a Buffer, text: &str) -> Vec<Vec<&'a Cell>> {
    let wanted: Vec<String> = text.chars().map(String::from).collect();
    let mut found = Vec::new();
    for row in rows(buffer) {
        if row.len() < wanted.len() {
            continue;
        }
        for start in 0..=row.len() - wanted.len() {
            let window = &row[start..start + wanted.len()];
            if window
                .iter()
                .zip(&wanted)
                .all(|((_, cell), w)| cell.symbol() == w)
            {
                found.push(window.iter().map(|(_, cell)| *cell).collect());
            }
        }
    }
    found
}

/// The lines of the screen that contain `needle`.
pub fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

/// A built-in scenario behind the `Backend` the console runs on (shared, as the event loop shares
/// it between the pollers and an action), and the state after one round of fetches.
pub fn backend_at(name: &str, seconds: i64) -> (Arc<Backend>, State, Timestamp) {
    let (scenario, sim) = sim(name);
    let now = at(&scenario, seconds);
    let state = State::simulated(&sim, now, Thresholds::default());
    (Arc::new(Backend::Sim(sim)), state, now)
}

/// Every source fetched again through `Backend::fetch` and fed through `update`, as the pollers
/// do after an action asks for `Command::RefreshAll`.
pub fn refetch(backend: &Backend, state: &mut State, now: Timestamp) {
    block_on(async {
        for spec in backend.schedule() {
            let fetched = backend.fetch(&spec.key, now).await;
            update(state, fetched.into(), now);
        }
    });
}

/// An audit log of its own in the temp folder, empty.
pub fn temp_audit(name: &str) -> AuditLog {
    let dir = std::env::temp_dir().join(format!("switchyard-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    AuditLog::new(dir.join("audit.jsonl"))
}

/// Runs a confirmed plan as the event loop's action task does, on a fixed clock, checking once.
pub fn execute(
    backend: &Backend,
    log: &AuditLog,
    plan: &Plan,
    forced_reason: Option<String>,
    now: Timestamp,
) -> Report {
    let clock = Clock::fixed(now);
    block_on(
        Execution {
            backend,
            log,
            clock: &clock,
            actor: Some("arn:aws:sts::000000000000:assumed-role/test/runner".into()),
            verification: Verification {
                attempts: 1,
                interval: std::time::Duration::ZERO,
            },
        }
        .run(plan, forced_reason),
    )
}

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("test runtime")
        .block_on(future)
}

/// Audit ids carry the wall-clock time and the process id; snapshots need the same one each run.
pub fn stable_id(mut report: Report) -> Report {
    // Audit ids are the wall-clock time, the process id and a sequence number.
    if report.id.is_some() {
        report.id = Some("20261127T140230.000Z-4242-1".to_string());
    }
    report
}
