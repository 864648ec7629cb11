//! Render benchmarks: the whole console drawn from the state of a large simulated fleet.
//!
//! Run with `cargo bench --bench render`. The fleet is 50 services × 3 regions × 10 functions
//! (1,500 Lambda rows), built from a scenario generated here, with one regional outage so there
//! are findings. The state is built once per benchmark, outside the timed part; `state_at` is
//! benchmarked on its own. Target: < 2 ms a frame at 200×60.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use divan::Bencher;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::fmt::Write as _;
use std::sync::LazyLock;
use switchyard::config::Thresholds;
use switchyard::model::Timestamp;
use switchyard::source::sim::SimBackend;
use switchyard::source::sim::scenario::Scenario;
use switchyard::state::{Panel, State};
use switchyard::ui::Theme;

const SERVICES: usize = 50;
const REGIONS: [&str; 3] = ["us-east-1", "us-west-2", "eu-west-1"];
const FUNCTIONS: usize = 10;

fn main() {
    divan::main();
}

/// The fleet as scenario TOML: every service has a pipeline, an approved build and a newer one
/// waiting for approval; `svc-07` loses its primary region.
fn fleet_toml() -> String {
    let mut t = String::new();
    t.push_str(
        "name = \"bench-fleet\"\n\
         description = \"50 services x 3 regions x 10 functions, one regional outage\"\n\
         seed = 7\n\
         start = \"2026-11-27T14:00:00Z\"\n\
         interesting_at = \"6m\"\n\n",
    );
    let regions = REGIONS.map(|r| format!("\"{r}\"")).join(", ");
    for s in 0..SERVICES {
        let name = format!("svc-{s:02}");
        writeln!(t, "[[service]]").unwrap();
        writeln!(t, "name = \"{name}\"").unwrap();
        writeln!(t, "domain = \"{name}.fed.dev\"").unwrap();
        writeln!(t, "regions = [{regions}]").unwrap();
        writeln!(t, "pipeline = \"{name}-deploy\"").unwrap();
        writeln!(t, "artifact_bucket = \"{name}-artifacts-{{region}}\"\n").unwrap();
        for f in 0..FUNCTIONS {
            writeln!(t, "[[service.function]]").unwrap();
            writeln!(t, "name = \"{name}-fn{f}\"").unwrap();
            writeln!(t, "memory_mb = {}", 256 << (f % 4)).unwrap();
            writeln!(t, "rpm = {}", 100 + 50 * f + 7 * s).unwrap();
            writeln!(t, "avg_ms = {}", 40 + 10 * f).unwrap();
            writeln!(t, "p99_ms = {}", 200 + 40 * f).unwrap();
            writeln!(t, "error_pct = 0.{}\n", 1 + f % 4).unwrap();
        }
    }
    for s in 0..SERVICES {
        let name = format!("svc-{s:02}");
        writeln!(
            t,
            "[[build]]\nservice = \"{name}\"\nnumber = {}\nat = \"-4h\"",
            100 + s
        )
        .unwrap();
        writeln!(
            t,
            "size_mb = 20\nreplication_lag = \"40s\"\napproved = true\n"
        )
        .unwrap();
        writeln!(
            t,
            "[[build]]\nservice = \"{name}\"\nnumber = {}\nat = \"-{}m\"",
            200 + s,
            10 + s % 20
        )
        .unwrap();
        writeln!(
            t,
            "size_mb = 24\nreplication_lag = \"{}s\"\n",
            30 + s % 5 * 60
        )
        .unwrap();
    }
    t.push_str(
        "[[incident]]\nkind = \"outage\"\nservice = \"svc-07\"\nregion = \"us-east-1\"\n\
         at = \"1m\"\nramp = \"3m\"\nerror_pct = 40\n",
    );
    t
}

struct Setup {
    backend: SimBackend,
    at: Timestamp,
    state: State,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let scenario = Scenario::parse(&fleet_toml(), "<bench>").unwrap();
    let at = scenario.start + chrono::Duration::seconds(scenario.interesting_at);
    let backend = SimBackend::new(scenario.clone());
    let state = State::simulated(&backend, at, Thresholds::default());
    let findings: usize = state
        .fleet
        .services
        .iter()
        .map(|svc| switchyard::assess::findings(&state.fleet, svc, at).len())
        .sum();
    assert!(findings > 0, "the outage should produce findings");
    Setup { backend, at, state }
});

fn render_at(bencher: Bencher, width: u16, height: u16) {
    let fleet = &*SETUP;
    let theme = Theme::color();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    bencher.bench_local(|| {
        terminal
            .draw(|frame| switchyard::ui::render(frame, &fleet.state, &theme, fleet.at))
            .unwrap();
    });
}

/// The whole console at 200×60, main view, Health focused.
#[divan::bench]
fn render_200x60(bencher: Bencher) {
    render_at(bencher, 200, 60);
}

/// The whole console at 120×35 (the README's terminal size).
#[divan::bench]
fn render_120x35(bencher: Bencher) {
    render_at(bencher, 120, 35);
}

/// The console state after one fetch of every source, for the fleet.
#[divan::bench]
fn state_at(bencher: Bencher) {
    let fleet = &*SETUP;
    bencher.bench(|| {
        State::simulated(
            &fleet.backend,
            divan::black_box(fleet.at),
            Thresholds::default(),
        )
    });
}

/// Pieces of a frame, to see where render time goes.
mod pieces {
    use super::*;

    /// What the header computes: every service's findings.
    #[divan::bench]
    fn findings_all_services() -> usize {
        let fleet = &*SETUP;
        fleet
            .state
            .fleet
            .services
            .iter()
            .map(|svc| {
                switchyard::assess::findings(&fleet.state.fleet, divan::black_box(svc), fleet.at)
                    .len()
            })
            .sum()
    }

    /// What the console does after every fetch for the incident journal: the fleet read as
    /// signals, and the tracker's comparison with the last values (nothing changed: the common
    /// case).
    #[divan::bench]
    fn journal_observe_and_track(bencher: Bencher) {
        use switchyard::assess::events::{Tracker, observe};
        let fleet = &*SETUP;
        let mut tracker = Tracker::default();
        tracker.observe(&observe(&fleet.state.fleet, fleet.at), fleet.at);
        bencher.bench_local(|| {
            let obs = observe(divan::black_box(&fleet.state.fleet), fleet.at);
            tracker.observe(&obs, fleet.at).len()
        });
    }

    #[divan::bench]
    fn tracked_artifacts_all_services() -> usize {
        let fleet = &*SETUP;
        fleet
            .state
            .fleet
            .services
            .iter()
            .map(|svc| switchyard::assess::tracked_artifacts(divan::black_box(svc), fleet.at).len())
            .sum()
    }

    #[divan::bench]
    fn readiness_all_services() -> usize {
        let fleet = &*SETUP;
        fleet
            .state
            .fleet
            .services
            .iter()
            .filter(|svc| {
                switchyard::assess::readiness(divan::black_box(svc), fleet.at).verdict
                    == switchyard::assess::Verdict::Ready
            })
            .count()
    }

    #[divan::bench(args = Panel::ALL)]
    fn rows(panel: Panel) -> usize {
        switchyard::state::rows(&SETUP.state, divan::black_box(panel)).len()
    }

    /// One freshness look-up per Lambda row (what the Lambda panel does for 1,500 rows).
    #[divan::bench]
    fn freshness_per_lambda_row() -> usize {
        let fleet = &*SETUP;
        let state = &fleet.state;
        let mut fresh = 0;
        for svc in &state.fleet.services {
            for r in &svc.regions {
                for _ in &svc.service.functions {
                    let f = state.fleet.freshness(
                        switchyard::source::SourceKind::Lambda,
                        divan::black_box(&svc.service.name),
                        &r.region,
                        r.functions.as_ref().map(|f| f.fetched_at),
                        fleet.at,
                    );
                    fresh += usize::from(f == switchyard::fleet::Freshness::Fresh);
                }
            }
        }
        fresh
    }

    /// Each panel on its own at 200×60, through a Terminal (so including the buffer diff).
    #[divan::bench(args = Panel::ALL)]
    fn panel_200x60(bencher: Bencher, panel: Panel) {
        use ratatui::layout::Rect;
        use switchyard::ui::panels;
        let fleet = &*SETUP;
        let theme = Theme::color();
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
        let area = match panel {
            Panel::Lambda => Rect::new(0, 0, 200, 24),
            _ => Rect::new(0, 0, 100, 24),
        };
        bencher.bench_local(|| {
            terminal
                .draw(|frame| {
                    let (state, now) = (&fleet.state, fleet.at);
                    match panel {
                        Panel::Health => panels::health::render(frame, area, state, &theme, now),
                        Panel::Pipeline => {
                            panels::pipeline::render(frame, area, state, &theme, now)
                        }
                        Panel::Lambda => panels::lambda::render(frame, area, state, &theme, now),
                        Panel::Replication => {
                            panels::replication::render(frame, area, state, &theme, now)
                        }
                        Panel::Domains => panels::domains::render(frame, area, state, &theme, now),
                    }
                })
                .unwrap();
        });
    }

    /// An empty frame: what Terminal::draw costs at 200×60 without any widget.
    #[divan::bench]
    fn empty_draw_200x60(bencher: Bencher) {
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
        bencher.bench_local(|| {
            terminal.draw(|_| {}).unwrap();
        });
    }
}
