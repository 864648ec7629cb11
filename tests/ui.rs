//! Rendering tests: an insta snapshot of each panel, the whole console, help, detail views, the
//! too-small message and stale data, all built through `support`; and the colours that carry
//! meaning (critical, stale, armed, ok) asserted cell by cell.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use support::{
    buffer_to_text, find_cells, key, lines_with, render_app, render_with, screen, state_at,
};
use switchyard::model::{HealthCheck, HealthStatus, Timestamp};
use switchyard::source::SourceKind;
use switchyard::state::{Command, KeyIntent, Msg, Panel, State, update};
use switchyard::ui::{Theme, panels};

/// The size every lone panel is drawn at.
const PANEL: (u16, u16) = (100, 12);

type PanelFn = fn(&mut ratatui::Frame, ratatui::layout::Rect, &State, &Theme, Timestamp);

fn render_panel(panel: PanelFn, state: &State, theme: &Theme, now: Timestamp) -> Buffer {
    render_with(PANEL.0, PANEL.1, |frame| {
        panel(frame, frame.area(), state, theme, now)
    })
}

fn panel_text(panel: PanelFn, scenario: &str, seconds: i64) -> String {
    let (_, state, now) = state_at(scenario, seconds);
    buffer_to_text(&render_panel(panel, &state, &Theme::color(), now))
}

fn act(state: &mut State, action: KeyIntent, now: Timestamp) {
    update(state, Msg::Key(action), now);
}

/// The one line of `text` that contains every one of `parts`.
fn line_with_all<'a>(text: &'a str, parts: &[&str]) -> &'a str {
    let found: Vec<&str> = text
        .lines()
        .filter(|l| parts.iter().all(|p| l.contains(p)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one line with {parts:?}, found {found:?} in\n{text}"
    );
    found[0]
}

fn assert_style(cells: &[&Cell], fg: Color, modifier: Modifier, what: &str) {
    assert!(!cells.is_empty(), "{what}: no cells");
    for cell in cells {
        assert_eq!(cell.fg, fg, "{what}: colour of {:?}", cell.symbol());
        assert!(
            cell.modifier.contains(modifier),
            "{what}: {:?} lacks {modifier:?}",
            cell.symbol()
        );
    }
}

// ── each panel alone ────────────────────────────────────────────────────────────────────────

#[test]
fn health_panel_region_outage() {
    let text = panel_text(panels::health::render, "region-outage", 360);
    let east = line_with_all(&text, &["sample", "us-east-1"]);
    assert!(east.contains("✗ UNHEALTHY"), "{east}");
    assert!(
        !east.contains("◀"),
        "the failed primary no longer serves: {east}"
    );
    let west = lines_with(&text, "us-west-2")[0];
    assert!(
        west.contains("✓ healthy") && west.contains("◀ serving"),
        "{west}"
    );
    insta::assert_snapshot!("health_panel_region_outage", text);
}

/// A failover record without a health check (always eligible: Route 53 API reference,
/// ResourceRecordSet `HealthCheckId`) and a check pinned unhealthy (Disabled and Inverted: always
/// unhealthy, UpdateHealthCheck `Disabled`) read as such, at every width.
#[test]
fn health_panel_shows_no_check_and_pinned_regions() {
    let (_, mut state, now) = state_at("steady", 360);
    let set = |state: &mut State, service: usize, region: usize, check: HealthCheck| {
        let mut h = state.fleet.services[service].regions[region]
            .health
            .clone()
            .unwrap();
        h.value = check;
        state.fleet.services[service].regions[region].health = Some(h);
    };
    set(&mut state, 0, 1, HealthCheck::none());
    let billing_primary = state.fleet.services[1].regions[0]
        .health
        .clone()
        .unwrap()
        .value;
    set(
        &mut state,
        1,
        0,
        HealthCheck {
            disabled: true,
            inverted: true,
            raw: HealthStatus::Unknown,
            checkers_healthy_pct: None,
            ..billing_primary
        },
    );
    let text = buffer_to_text(&render_panel(
        panels::health::render,
        &state,
        &Theme::color(),
        now,
    ));
    let west = line_with_all(&text, &["us-west-2", "eligible"]);
    assert!(
        west.contains("NO CHECK") && west.contains("always eligible"),
        "{west}"
    );
    let pinned = line_with_all(&text, &["billing", "us-east-1"]);
    assert!(
        pinned.contains("✗ UNHEALTHY") && pinned.contains("PINNED"),
        "{pinned}"
    );
    // The health model no longer serves it (the flags were set in the fleet only, so the
    // simulated name servers still answer it: the DNS column shows that, in red).
    assert!(
        !pinned.contains("◀ serving"),
        "a pinned region does not serve: {pinned}"
    );
    let next = lines_with(&text, "us-west-2")[1];
    assert!(next.contains("◀ serving"), "{next}");
    insta::assert_snapshot!("health_panel_no_check_and_pinned", text);
    let small = screen(&state, 80, 24, now);
    assert!(
        lines_with(&small, "us-west-2")[0].contains("✓ elig"),
        "{small}"
    );
    assert!(lines_with(&small, "billing")[0].contains("PIN"), "{small}");
}

/// A check whose configuration could not be read (GetHealthCheck failing, Route 53 API
/// reference) while the checkers' share arrived (CloudWatch): the verdict Route 53 acts on is
/// unknown (`?`, never healthy) and the flags read `FLAGS ?`, not "none".
#[test]
fn health_panel_shows_flags_unknown_as_unknown() {
    let (_, mut state, now) = state_at("steady", 360);
    let mut h = state.fleet.services[0].regions[0].health.clone().unwrap();
    h.value = HealthCheck {
        flags_unknown: true,
        inverted: false,
        disabled: false,
        raw: HealthStatus::Healthy,
        ..h.value
    };
    state.fleet.services[0].regions[0].health = Some(h);
    let text = buffer_to_text(&render_panel(
        panels::health::render,
        &state,
        &Theme::color(),
        now,
    ));
    let east = lines_with(&text, "us-east-1")[0];
    assert!(
        east.contains("? unknown") && east.contains("FLAGS ?") && east.contains("100%"),
        "{east}"
    );
    assert!(!east.contains("✓ healthy"), "never healthy: {east}");
    assert!(!east.contains("◀ serving"), "nor serving: {east}");
    insta::assert_snapshot!("health_panel_flags_unknown", text);
}

#[test]
fn lambda_panel_region_outage() {
    let text = panel_text(panels::lambda::render, "region-outage", 360);
    let api = line_with_all(&text, &["us-east-1", "sample-api"]);
    assert!(
        api.contains("✗ "),
        "the primary's error rate is critical: {api}"
    );
    insta::assert_snapshot!("lambda_panel_region_outage", text);
}

#[test]
fn pipeline_panel_slow_replication() {
    let text = panel_text(panels::pipeline::render, "slow-replication", 120);
    // sample's build is still replicating, so its pending approval must wait; billing's is done.
    let sample = line_with_all(&text, &["sample-deploy"]);
    assert!(
        sample.contains("✗"),
        "sample is not ready to approve: {sample}"
    );
    assert!(text.contains("⏸ approval waiting"), "{text}");
    assert!(
        !line_with_all(&text, &["billing-deploy"]).contains("✗"),
        "{text}"
    );
    insta::assert_snapshot!("pipeline_panel_slow_replication", text);
}

/// No approval waiting: the panel says how the last one ended, who answered (the role of an
/// assumed-role ARN) and what they wrote (ActionExecution `lastUpdatedBy`, `summary`); a failed
/// one (rejected, or not answered in time: the status is `Failed` either way) in the critical
/// colour.
#[test]
fn pipeline_panel_shows_who_answered_the_last_approval() {
    let (_, mut state, now) = state_at("steady", 120);
    let sample = state
        .fleet
        .services
        .iter_mut()
        .find(|s| s.service.name == "sample")
        .unwrap();
    let pipeline = sample.pipeline.as_mut().unwrap();
    pipeline.value.pending = None;
    pipeline.value.last_answer = Some(switchyard::model::ApprovalAnswer {
        stage: "Approval".into(),
        action: "ManualApproval".into(),
        status: "Failed".into(),
        by: Some("arn:aws:sts::123456789012:assumed-role/ops/alice".into()),
        summary: Some("bad canary".into()),
        at: now - chrono::Duration::minutes(7),
    });
    let buffer = render_panel(panels::pipeline::render, &state, &Theme::color(), now);
    let text = buffer_to_text(&buffer);
    line_with_all(&text, &["last failed 7m ago by ops \"bad canary\""]);
    let found = find_cells(&buffer, "failed");
    assert_style(&found[0], Color::Red, Modifier::BOLD, "failed");
}

/// The pipeline's declaration could not be read (GetPipeline failing; CodePipeline API
/// reference): the stages show, the approval reads `? approval unknown`, never "no approval
/// pending" nor a last answer.
#[test]
fn pipeline_panel_shows_approvals_unknown() {
    let (_, mut state, now) = state_at("steady", 120);
    let sample = state
        .fleet
        .services
        .iter_mut()
        .find(|s| s.service.name == "sample")
        .unwrap();
    let pipeline = sample.pipeline.as_mut().unwrap();
    pipeline.value.pending = None;
    pipeline.value.last_answer = None;
    pipeline.value.approvals_unknown = true;
    let text = buffer_to_text(&render_panel(
        panels::pipeline::render,
        &state,
        &Theme::color(),
        now,
    ));
    line_with_all(&text, &["? approval unknown (declaration not read)"]);
    assert!(!text.contains("no approval pending"), "{text}");
}

#[test]
fn replication_panel_slow_replication() {
    let text = panel_text(panels::replication::render, "slow-replication", 120);
    let rows = lines_with(&text, "us-west-2");
    assert!(
        rows[0].contains("… pending"),
        "sample's build has not reached us-west-2: {}",
        rows[0]
    );
    assert!(
        rows[1].contains("✓ completed"),
        "billing's has: {}",
        rows[1]
    );
    insta::assert_snapshot!("replication_panel_slow_replication", text);
}

/// The steady scenario's fleet as a real account would fill it: S3 keeps the source's
/// LastModified on a replica and tells no arrival time (S3 User Guide, "What does Amazon S3
/// replicate?"). sample's rule publishes ReplicationLatency (95 s at most since its build was
/// written); billing's rules do not: the
/// console saw its build arrive in us-west-2 between two listings 30 s apart, and eu-west-1's
/// first listing already had it.
fn steady_as_on_aws() -> (State, Timestamp) {
    use switchyard::fleet::Sighting;
    use switchyard::model::ReplicationMetrics;
    let (_, mut state, now) = state_at("steady", 120);
    for svc in &mut state.fleet.services {
        for r in &mut svc.regions {
            for v in r.artifacts.iter_mut().flat_map(|a| a.value.iter_mut()) {
                v.replicated_at = None;
                v.simulated = false;
            }
            r.sightings.clear();
            r.replication_metrics = None;
        }
    }
    let newest = |state: &State, s: usize| {
        let v = &state.fleet.services[s].regions[0]
            .artifacts
            .as_ref()
            .unwrap()
            .value[0];
        (v.version_id.clone(), v.last_modified)
    };
    let (_, sample_written) = newest(&state, 0);
    state.fleet.services[0].regions[0].replication_metrics = Some(switchyard::fleet::Stamped {
        value: vec![ReplicationMetrics {
            rule_id: "to-us-west-2".into(),
            destination_bucket: "sample-artifacts-us-west-2".into(),
            destination_region: Some("us-west-2".into()),
            latency_s: Some(0.0),
            latency_series: vec![(sample_written, 95.0), (now, 0.0)],
            latency_since: Some(sample_written - chrono::Duration::minutes(1)),
            operations_pending: Some(0.0),
            bytes_pending: Some(0.0),
            operations_failed: Some(0.0),
        }],
        fetched_at: now,
    });
    let (billing_build, written) = newest(&state, 1);
    state.fleet.services[1].regions[1].sightings.insert(
        billing_build.clone(),
        Sighting {
            first_seen: written + chrono::Duration::seconds(45),
            absent_at: Some(written + chrono::Duration::seconds(15)),
        },
    );
    state.fleet.services[1].regions[2].sightings.insert(
        billing_build,
        Sighting {
            first_seen: written + chrono::Duration::seconds(45),
            absent_at: None,
        },
    );
    (state, now)
}

#[test]
fn replication_panel_says_how_each_lag_was_obtained() {
    let (state, now) = steady_as_on_aws();
    let text = buffer_to_text(&render_panel(
        panels::replication::render,
        &state,
        &Theme::color(),
        now,
    ));
    let rows = lines_with(&text, "✓ completed");
    assert_eq!(rows.len(), 3, "{text}");
    assert!(
        rows[0].contains("1m 35s"),
        "sample: the metric: {}",
        rows[0]
    );
    assert!(
        rows[1].contains("~45s"),
        "billing us-west-2: observed: {}",
        rows[1]
    );
    assert!(
        rows[2].contains("eu-west-1") && rows[2].split_whitespace().any(|w| w == "?"),
        "billing eu-west-1: unknown, not 0 s: {}",
        rows[2]
    );
    assert!(
        !text.contains(" 0s"),
        "never 0 s for a completed replica: {text}"
    );
    insta::assert_snapshot!("replication_panel_lag_sources", text);
}

#[test]
fn replication_detail_explains_each_lag() {
    let (mut state, now) = steady_as_on_aws();
    act(&mut state, KeyIntent::Focus(Panel::Replication), now);
    // Rows: sample us-east-1, us-west-2, billing us-east-1, …
    act(&mut state, KeyIntent::Down, now);
    act(&mut state, KeyIntent::Down, now);
    act(&mut state, KeyIntent::OpenDetail, now);
    let text = screen(&state, 120, 35, now);
    assert!(
        text.contains("lag ~45s (observed: arrived 15s–45s after the write; resolution 30s)"),
        "{text}"
    );
    assert!(
        text.contains("lag unknown (no ReplicationLatency metric; already there at the first"),
        "{text}"
    );
    insta::assert_snapshot!("replication_detail_lag_sources", text);
}

#[test]
fn domains_panel_dns_drift() {
    let text = panel_text(panels::domains::render, "dns-drift", 60);
    let drift = lines_with(&text, "✗ DRIFT");
    assert_eq!(drift.len(), 1, "{text}");
    assert!(
        drift[0].contains("us-west-2"),
        "sample's us-west-2 record drifted: {}",
        drift[0]
    );
    insta::assert_snapshot!("domains_panel_dns_drift", text);
}

// ── the whole console ───────────────────────────────────────────────────────────────────────

#[test]
fn console_steady_120x35() {
    let (_, state, now) = state_at("steady", 120);
    let text = screen(&state, 120, 35, now);
    for title in [
        "1 Health",
        "2 Pipeline",
        "3 Lambda",
        "4 Replication",
        "5 Domains",
    ] {
        assert!(text.contains(title), "panel {title} missing:\n{text}");
    }
    assert!(
        text.contains("demo: steady") && text.contains("2026-11-27 14:02:00 UTC"),
        "{text}"
    );
    insta::assert_snapshot!("console_steady_120x35", text);
}

#[test]
fn console_steady_80x24() {
    let (_, state, now) = state_at("steady", 120);
    let text = screen(&state, 80, 24, now);
    for title in [
        "1 Health",
        "2 Pipeline",
        "3 Lambda",
        "4 Replication",
        "5 Domains",
    ] {
        assert!(text.contains(title), "panel {title} missing:\n{text}");
    }
    insta::assert_snapshot!("console_steady_80x24", text);
}

#[test]
fn too_small() {
    let (_, state, now) = state_at("steady", 120);
    let text = screen(&state, 60, 20, now);
    assert!(text.contains("Terminal too small"), "{text}");
    assert!(text.contains("60×20 here"), "{text}");
    insta::assert_snapshot!("too_small_60x20", text);
}

#[test]
fn help_screen() {
    let (_, mut state, now) = state_at("steady", 120);
    act(&mut state, KeyIntent::ToggleHelp, now);
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Help: keys"), "{text}");
    insta::assert_snapshot!("help_120x35", text);
}

#[test]
fn health_detail_shows_each_checker() {
    let (sim, mut state, now) = state_at("region-outage", 360);
    act(&mut state, KeyIntent::Focus(Panel::Health), now);
    // Row 0 of Health is sample's primary, us-east-1.
    assert_eq!(state.view.selected[Panel::Health.index()], 0);
    let commands = update(&mut state, Msg::Key(KeyIntent::OpenDetail), now);
    let [Command::ReadFailureReasons { health_check_id }] = &commands[..] else {
        panic!("{commands:?}")
    };
    let reading = screen(&state, 120, 35, now);
    assert!(
        reading.contains("reading GetHealthCheckLastFailureReason"),
        "{reading}"
    );
    // What the event loop does with the command: ask the backend, send the answer back.
    let backend = switchyard::source::Backend::Sim(sim);
    let result = support::block_on(backend.last_failure_reasons(health_check_id, now))
        .map_err(|e| e.message);
    assert!(result.as_ref().is_ok_and(|r| !r.is_empty()), "{result:?}");
    update(
        &mut state,
        Msg::FailureReasons {
            health_check_id: health_check_id.clone(),
            result,
        },
        now,
    );
    let text = screen(&state, 120, 35, now);
    assert!(
        text.contains("(GetHealthCheckLastFailureReason, read 0s ago)"),
        "{text}"
    );
    assert!(text.contains("Health · sample · us-east-1"), "{text}");
    assert!(
        text.contains("CHECKER") && text.contains("VERDICT"),
        "{text}"
    );
    let observations = state.fleet.services[0].regions[0]
        .health
        .as_ref()
        .unwrap()
        .value
        .observations
        .clone();
    assert!(!observations.is_empty());
    for o in &observations {
        assert!(
            text.contains(&o.checker_region),
            "checker {} missing:\n{text}",
            o.checker_region
        );
    }
    insta::assert_snapshot!("health_detail_region_outage", text);
}

#[test]
fn lambda_detail() {
    let (_, mut state, now) = state_at("region-outage", 360);
    act(&mut state, KeyIntent::Focus(Panel::Lambda), now);
    act(&mut state, KeyIntent::OpenDetail, now);
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("Lambda · sample · us-east-1"), "{text}");
    assert!(text.contains("sample-api"), "{text}");
    assert!(
        lines_with(&text, "us-west-2")
            .iter()
            .any(|l| l.contains("MB")),
        "{text}"
    );
    insta::assert_snapshot!("lambda_detail_region_outage", text);
}

// ── stale data ──────────────────────────────────────────────────────────────────────────────

/// throttled-api: everything fetched at 30 s; at 3 m every source refreshes again, but CloudWatch
/// in us-west-2 answers with a throttling error, so only the Lambda rows there are stale.
fn throttled_at_3m() -> (State, Timestamp) {
    let (backend, mut state, start) = state_at("throttled-api", 30);
    let now = start + chrono::Duration::seconds(150);
    let lambda_west = key(SourceKind::Lambda, "us-west-2");
    let fetched = backend.fetch_now(&lambda_west, now);
    let error = fetched
        .result
        .expect_err("CloudWatch in us-west-2 throttles from 1m");
    assert!(error.message.contains("Throttling"), "{}", error.message);
    support::refresh_all(&backend, &mut state, now);
    assert!(state.fleet.sources[&lambda_west].error.is_some());
    (state, now)
}

/// The Lambda rows of `text` with the region each belongs to (only a region's first row names it).
fn lambda_rows(text: &str) -> Vec<(&'static str, &str)> {
    let mut region = "";
    let mut rows = Vec::new();
    for line in text.lines().skip_while(|l| !l.contains("3 Lambda")).skip(2) {
        if line.starts_with('└') || line.starts_with('┗') {
            break;
        }
        for r in ["us-east-1", "us-west-2", "eu-west-1"] {
            if line.contains(r) {
                region = r;
            }
        }
        // A function row names its function (narrow screens drop the columns on the right).
        if line.contains("sample-") || line.contains("billing-") {
            rows.push((region, line));
        }
    }
    rows
}

fn assert_only_us_west_2_lambda_is_stale(text: &str, size: &str) {
    let rows = lambda_rows(text);
    assert!(
        rows.iter().any(|(r, _)| *r == "us-west-2"),
        "{size}: no us-west-2 Lambda row:\n{text}"
    );
    for (region, row) in rows {
        if region == "us-west-2" {
            assert!(
                row.contains("⏱ STALE 2m"),
                "{size}: a us-west-2 Lambda row is not marked stale: {row}"
            );
        } else {
            assert!(
                !row.contains("STALE"),
                "{size}: only us-west-2 is stale: {row}"
            );
        }
    }
}

#[test]
fn stale_lambda_rows_after_throttling() {
    let (state, now) = throttled_at_3m();
    // (At 80×24 the marker is lost: see the ignored test below.)
    let text = screen(&state, 120, 35, now);
    assert_only_us_west_2_lambda_is_stale(&text, "120×35");
    assert!(
        text.contains("✗ failing: us-west-2"),
        "the Lambda panel names the failing source:\n{text}"
    );
    assert!(
        text.contains("lambda@us-west-2 THROTTLED 2m 30s"),
        "the status bar names it:\n{text}"
    );
    insta::assert_snapshot!("stale_throttled_api_3m_120x35", text);
}

#[test]
fn stale_lambda_rows_at_common_sizes() {
    let (state, now) = throttled_at_3m();
    for (width, height) in [(120, 35), (100, 30), (80, 24)] {
        let text = screen(&state, width, height, now);
        assert_only_us_west_2_lambda_is_stale(&text, &format!("{width}×{height}"));
    }
}

/// Every panel segment of every screen line that shows a region's data (it names a region)
/// carries `marker`. Side-by-side panels are told apart by their borders.
fn assert_every_region_row_has(text: &str, marker: &str, size: &str) {
    let region = |s: &str| {
        ["us-east", "us-west", "eu-west"]
            .iter()
            .any(|r| s.contains(r))
    };
    let mut rows = 0;
    for line in text.lines().skip(1) {
        for segment in line.split(['│', '┃']).filter(|s| region(s)) {
            rows += 1;
            assert!(
                segment.contains(marker),
                "{size}: `{marker}` missing in `{segment}`:\n{text}"
            );
        }
    }
    assert!(rows > 0, "{size}: no region rows:\n{text}");
}

#[test]
fn stale_marker_visible_in_every_panel_at_common_sizes() {
    // Fetched at 2m, drawn 10 minutes later: every source is stale.
    let (_, state, now) = state_at("steady", 120);
    let later = now + chrono::Duration::minutes(10);
    for (width, height) in [(80, 24), (100, 30), (120, 35), (160, 40)] {
        let text = screen(&state, width, height, later);
        assert_every_region_row_has(&text, "⏱ STALE 10m", &format!("{width}×{height}"));
    }
}

#[test]
fn stale_marker_visible_in_every_panel_when_wide() {
    let (_, state, now) = state_at("steady", 120);
    let later = now + chrono::Duration::minutes(10);
    let text = screen(&state, 200, 45, later);
    assert_every_region_row_has(&text, "⏱ STALE 10m", "200×45");
}

// ── colour where colour carries meaning ─────────────────────────────────────────────────────

#[test]
fn unhealthy_marker_is_bold_red() {
    let (_, state, now) = state_at("region-outage", 360);
    let buffer = render_panel(panels::health::render, &state, &Theme::color(), now);
    let found = find_cells(&buffer, "✗ UNHEALTHY");
    assert_eq!(
        found.len(),
        1,
        "one unhealthy region:\n{}",
        buffer_to_text(&buffer)
    );
    assert_style(&found[0], Color::Red, Modifier::BOLD, "✗ UNHEALTHY");
}

#[test]
fn narrow_down_marker_is_bold_red() {
    let (_, state, now) = state_at("region-outage", 360);
    let buffer = render_with(60, 12, |frame| {
        panels::health::render(frame, frame.area(), &state, &Theme::color(), now)
    });
    let found = find_cells(&buffer, "✗ DOWN");
    assert_eq!(found.len(), 1, "{}", buffer_to_text(&buffer));
    assert_style(&found[0], Color::Red, Modifier::BOLD, "✗ DOWN");
}

#[test]
fn healthy_marker_is_green() {
    let (_, state, now) = state_at("region-outage", 360);
    let buffer = render_panel(panels::health::render, &state, &Theme::color(), now);
    let found = find_cells(&buffer, "✓ healthy");
    assert!(!found.is_empty(), "{}", buffer_to_text(&buffer));
    for cells in &found {
        assert_style(cells, Color::Green, Modifier::empty(), "✓ healthy");
    }
    let serving = find_cells(&buffer, "◀ serving");
    assert_eq!(serving.len(), 2, "one serving region per service");
    assert_style(&serving[0], Color::Green, Modifier::empty(), "◀ serving");
}

#[test]
fn domains_ok_marker_is_green() {
    let (_, state, now) = state_at("steady", 120);
    let buffer = render_panel(panels::domains::render, &state, &Theme::color(), now);
    let found = find_cells(&buffer, "✓ ok");
    assert!(!found.is_empty(), "{}", buffer_to_text(&buffer));
    for cells in &found {
        assert_style(cells, Color::Green, Modifier::empty(), "✓ ok");
    }
}

#[test]
fn stale_marker_uses_the_stale_style() {
    let (state, now) = throttled_at_3m();
    let theme = Theme::color();
    let buffer = render_app(&state, &theme, 120, 35, now);
    let found = find_cells(&buffer, "⏱ STALE 2m");
    assert_eq!(
        found.len(),
        3,
        "the three Lambda rows in us-west-2:\n{}",
        buffer_to_text(&buffer)
    );
    for cells in &found {
        assert_style(cells, Color::Yellow, Modifier::ITALIC, "STALE");
        for cell in cells {
            assert_eq!(Some(cell.fg), theme.stale.fg, "{:?}", cell.symbol());
            assert!(
                cell.modifier.contains(theme.stale.add_modifier),
                "{:?}",
                cell.symbol()
            );
        }
    }
}

#[test]
fn armed_badge_in_status_bar() {
    let (_, state, now) = state_at("steady", 120);
    assert!(!state.read_only);
    let buffer = render_app(&state, &Theme::color(), 120, 35, now);
    let found = find_cells(&buffer, " ARMED ");
    assert_eq!(found.len(), 1, "{}", buffer_to_text(&buffer));
    for cell in &found[0] {
        assert_eq!(cell.fg, Color::Black);
        assert_eq!(cell.bg, Color::Red);
        assert!(cell.modifier.contains(Modifier::BOLD));
    }
    let status_row = buffer_to_text(&buffer).lines().nth(33).unwrap().to_string();
    assert!(
        status_row.contains("ARMED"),
        "the badge is on the status bar: {status_row}"
    );
}

#[test]
fn read_only_badge_is_not_armed() {
    let (_, mut state, now) = state_at("steady", 120);
    state.read_only = true;
    let text = screen(&state, 120, 35, now);
    assert!(
        text.contains("READ-ONLY") && !text.contains("ARMED"),
        "{text}"
    );
}

#[test]
fn no_color_keeps_the_meaning_in_text() {
    let (_, state, now) = state_at("region-outage", 360);
    let theme = Theme::no_color();
    for (width, height) in [(150, 40), (120, 35), (80, 24)] {
        let buffer = render_app(&state, &theme, width, height, now);
        let text = buffer_to_text(&buffer);
        // The full marker, or the short one when the Health panel is narrow.
        let found: Vec<_> = ["✗ UNHEALTHY", "✗ DOWN"]
            .iter()
            .flat_map(|m| find_cells(&buffer, m))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{width}×{height}: one region down, by its marker:\n{text}"
        );
        assert!(
            found[0].iter().all(|c| c.modifier.contains(Modifier::BOLD)),
            "critical stays bold"
        );
        assert!(
            text.contains('◀'),
            "{width}×{height}: serving marker missing:\n{text}"
        );
        for cell in &buffer.content {
            assert_eq!(
                (cell.fg, cell.bg),
                (Color::Reset, Color::Reset),
                "{width}×{height}: colour in NO_COLOR"
            );
        }
    }
}

// ── scrolling: rows out of view are counted, and the selection stays in view ────────────────

#[test]
fn a_small_panel_scrolls_to_the_selection_and_counts_its_rows() {
    let (_, mut state, now) = state_at("steady", 120);
    update(&mut state, Msg::Key(KeyIntent::Focus(Panel::Lambda)), now);
    let text = screen(&state, 80, 24, now);
    assert!(text.contains("3 Lambda · 5m to 14:02 UTC 1–3/7"), "{text}");
    assert!(!text.contains("eu-west-1      billing-api"), "{text}");
    for _ in 0..6 {
        update(&mut state, Msg::Key(KeyIntent::Down), now);
    }
    let text = screen(&state, 80, 24, now);
    assert!(text.contains("3 Lambda · 5m to 14:02 UTC 5–7/7"), "{text}");
    let last = text
        .lines()
        .find(|l| l.contains("eu-west-1") && l.contains("billing-api"));
    assert!(last.is_some(), "the selected last row is in view:\n{text}");
    // At 120×35 all seven rows fit: no count.
    let text = screen(&state, 120, 35, now);
    assert!(text.contains("3 Lambda · 5m to 14:02 UTC ━"), "{text}");
}

// ── unknown is shown as unknown, never as 0 or as "no traffic" ───────────────────────────────

#[test]
fn unknown_metrics_show_a_question_mark_not_the_no_traffic_dash() {
    let (_, mut state, now) = state_at("steady", 120);
    // As when CloudWatch failed but the function configuration arrived.
    let stats = &mut state.fleet.services[0].regions[0]
        .functions
        .as_mut()
        .unwrap()
        .value[0];
    stats.invocations = None;
    stats.errors = None;
    stats.p99_ms = None;
    let text = buffer_to_text(&render_panel(
        panels::lambda::render,
        &state,
        &Theme::color(),
        now,
    ));
    let row = text
        .lines()
        .find(|l| l.contains("sample-api") && l.contains("us-east-1"))
        .unwrap();
    assert!(row.contains(" ?      ?     ?  "), "{row}");
    assert!(!row.contains('–'), "{row}");
}

// ── the sources overlay: calls per source and each error in full ─────────────────────────────

#[test]
fn sources_overlay_lists_every_source_with_calls_and_errors() {
    let (mut state, now) = throttled_at_3m();
    act(&mut state, KeyIntent::ToggleSources, now);
    let text = screen(&state, 120, 35, now);
    insta::assert_snapshot!("sources_throttled_api_3m", text);
    for key in state.fleet.sources.keys() {
        assert!(text.contains(&key.to_string()), "{key} missing:\n{text}");
    }
    let failing = lines_with(&text, "lambda@us-west-2");
    assert!(failing[0].contains("✗ failing"), "{text}");
    assert!(
        text.contains("Throttling: Rate exceeded"),
        "the error in full:\n{text}"
    );
    // Esc closes it.
    act(&mut state, KeyIntent::Back, now);
    assert!(!state.view.sources);
}

/// The Route 53 line: the calls of a refresh against the account-wide limit (Route 53 Developer
/// Guide, "Throttling of API requests": 10 a second, burst 50), in the warning colour at half of
/// it (the throttled-api demo polls health every 2 s: 10 calls every 2 s is 5/s); at 80×24 it and
/// the closing hint both fit, each on one line.
#[test]
fn sources_overlay_shows_the_route53_share_and_still_fits_80x24() {
    let (mut state, now) = throttled_at_3m();
    act(&mut state, KeyIntent::ToggleSources, now);
    let buffer = render_app(&state, &Theme::color(), 80, 24, now);
    let text = buffer_to_text(&buffer);
    let line = "Route 53: 10 calls/refresh, 5.0/s = 50% of the account's 10/s (burst 50)";
    assert_eq!(lines_with(&text, line).len(), 1, "on one line:\n{text}");
    assert!(
        text.contains("Esc or s to close"),
        "the closing hint:\n{text}"
    );
    let found = find_cells(&buffer, "Route 53: 10 calls/refresh");
    assert_eq!(found.len(), 1, "{text}");
    assert_style(
        &found[0],
        Color::Yellow,
        Modifier::empty(),
        "the Route 53 line",
    );
}

// ── expired credentials: one banner with the fix, everything else still drawn ───────────────

#[test]
fn expired_credentials_show_one_banner_with_the_fix() {
    use switchyard::source::{ErrorKind, Fetched, SourceError, SourceKey};
    let (_, mut state, now) = state_at("steady", 120);
    for key in [
        SourceKey::new(SourceKind::Health, "us-east-1"),
        SourceKey::new(SourceKind::Lambda, "us-west-2"),
    ] {
        let error = SourceError::new(
            ErrorKind::Credentials,
            format!(
                "{key}: credentials missing or expired (ExpiredToken: the security token expired); run `aws sso login --profile ops` (or refresh the profile's credentials)"
            ),
        );
        let fetched = Fetched {
            key,
            at: now,
            calls: 1,
            route53_calls: 0,
            result: Err(error),
            partial: None,
        };
        update(&mut state, Msg::Fetched(Box::new(fetched)), now);
    }
    let buffer = render_app(&state, &Theme::color(), 120, 35, now);
    let text = buffer_to_text(&buffer);
    let banners = lines_with(&text, "AWS credentials missing or expired");
    assert_eq!(
        banners.len(),
        1,
        "one banner however many sources fail:\n{text}"
    );
    assert!(banners[0].contains("aws sso login --profile ops"), "{text}");
    assert!(banners[0].contains("Retrying"), "{text}");
    // The console stays up: every panel is still there, with the last data.
    for title in [
        "1 Health",
        "2 Pipeline",
        "3 Lambda",
        "4 Replication",
        "5 Domains",
    ] {
        assert!(text.contains(title), "{title} missing:\n{text}");
    }
    let cells = find_cells(&buffer, "AWS credentials");
    assert_eq!(cells[0][0].bg, Color::Red, "the banner stands out");
}

// ── control-plane outage ───────────────────────────────────────────────────────────────────

/// control-plane-outage: everything fetched at 30 s; at 3 m every source refreshes again, but
/// the Route 53 API times out: the health data goes stale (its last values kept), while the
/// `orders` routing controls (ARC data plane) stay fresh and show in the CHK column.
fn control_plane_outage_at_3m() -> (State, Timestamp) {
    let (backend, mut state, start) = state_at("control-plane-outage", 30);
    let now = start + chrono::Duration::seconds(150);
    support::refresh_all(&backend, &mut state, now);
    assert!(
        state.fleet.sources[&key(SourceKind::Health, "us-east-1")]
            .error
            .is_some()
    );
    assert!(
        state.fleet.sources[&key(SourceKind::RoutingControl, "us-west-2")]
            .error
            .is_none()
    );
    (state, now)
}

#[test]
fn control_plane_outage_health_stale_routing_controls_shown() {
    let (state, now) = control_plane_outage_at_3m();
    for (width, height) in [(120, 35), (80, 24)] {
        let text = screen(&state, width, height, now);
        let east = line_with_all(&text, &["┃orders", "us-east-1"]);
        assert!(east.contains("ON"), "{width}×{height}: {east}\n{text}");
        let west = text
            .lines()
            .skip_while(|l| !l.contains("┃orders"))
            .nth(1)
            .unwrap_or_default();
        assert!(
            west.contains("us-west-2") && west.contains("OFF"),
            "{width}×{height}:\n{text}"
        );
        // DNS truth (data plane, fresh) stays in view beside the stale health data.
        assert!(text.contains("STALE"), "the health rows are stale:\n{text}");
        assert!(east.contains('◀'), "the DNS column: {east}\n{text}");
        if width == 120 {
            assert!(east.contains("◀ 60s"), "the DNS column: {east}\n{text}");
        }
        insta::assert_snapshot!(format!("control_plane_outage_3m_{width}x{height}"), text);
    }
}

#[test]
fn health_detail_of_an_arc_region_shows_its_routing_control() {
    let (mut state, now) = control_plane_outage_at_3m();
    act(&mut state, KeyIntent::Focus(Panel::Health), now);
    act(&mut state, KeyIntent::OpenDetail, now);
    let text = screen(&state, 120, 35, now);
    let line = line_with_all(&text, &["routing control", "On"]);
    assert!(
        line.contains("read 0s ago from the cluster"),
        "{line}\n{text}"
    );
    insta::assert_snapshot!("health_detail_arc_120x35", text);
}

/// A console started during the outage never read the health checks: the detail view still
/// shows what the data plane answers (DNS, the routing control).
#[test]
fn health_detail_without_health_data_still_shows_dns_and_the_routing_control() {
    let (mut state, now) = control_plane_outage_at_3m();
    state.fleet.services[0].regions[0].health = None;
    act(&mut state, KeyIntent::Focus(Panel::Health), now);
    act(&mut state, KeyIntent::OpenDetail, now);
    let text = screen(&state, 80, 24, now);
    assert!(text.contains("no health data yet"), "{text}");
    let dns = line_with_all(&text, &["DNS answers", "us-east-1"]);
    assert!(dns.contains("ns-1.awsdns-sim"), "{dns}\n{text}");
    line_with_all(&text, &["routing control", "On"]);
}

/// `[dns] resolvers`: the Health detail view says how far a change has spread through them.
#[test]
fn health_detail_says_how_far_resolvers_have_followed() {
    use switchyard::model::ResolverAnswer;
    let (_, mut state, now) = state_at("steady", 360);
    let mut dns = state.fleet.services[0].dns.clone().unwrap();
    let answer = |resolver: &str, region: &str, ttl| ResolverAnswer {
        resolver: resolver.into(),
        answer_region: Some(region.into()),
        ttl_s: Some(ttl),
        error: None,
    };
    dns.value.resolvers = vec![
        answer("10.0.0.2:53", "us-east-1", 60),
        answer("10.0.0.3:53", "us-west-2", 45),
    ];
    state.fleet.services[0].dns = Some(dns);
    act(&mut state, KeyIntent::Focus(Panel::Health), now);
    act(&mut state, KeyIntent::OpenDetail, now);
    let text = screen(&state, 120, 35, now);
    line_with_all(
        &text,
        &[
            "resolvers",
            "converging: 1 of 2 resolvers still answer us-west-2, ≤ 45 s",
        ],
    );
}
