//! `switchyard timeline` (README, "Incident timeline"): the simulation replayed, drills at their
//! simulated moments, the journal's window with the audit log's actions merged in, the usage
//! errors; and the headless commands recording what they saw in the journal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A fresh state folder (journal, audit log) per test.
fn state_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("switchyard-timeline-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("switchyard")).unwrap();
    dir
}

fn switchyard(state: &Path) -> Command {
    let mut cmd = Command::cargo_bin("switchyard").unwrap();
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-switchyard-test")
        .env("XDG_STATE_HOME", state)
        .env("HOME", state)
        .env_remove("SWITCHYARD_TEST_DIE_AFTER_INTENT")
        .current_dir(std::env::temp_dir());
    cmd
}

fn stdout(state: &Path, args: &[&str]) -> String {
    let out = switchyard(state).args(args).assert().code(0);
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn timeline_json(state: &Path, args: &[&str]) -> Value {
    let text = stdout(state, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn events(timeline: &Value) -> &Vec<Value> {
    timeline["events"].as_array().unwrap()
}

fn position(timeline: &Value, want: impl Fn(&Value) -> bool) -> usize {
    events(timeline)
        .iter()
        .position(want)
        .unwrap_or_else(|| panic!("missing in {:#}", timeline["events"]))
}

fn is_breach(e: &Value) -> bool {
    e["kind"] == "finding_raised" && e["code"] == "error_rate_high" && e["region"] == "us-east-1"
}

fn is_primary_failing(e: &Value) -> bool {
    e["kind"] == "health_changed" && e["region"] == "us-east-1" && e["after"] == "unhealthy"
}

fn serves(subject: &'static str, region: &'static str) -> impl Fn(&Value) -> bool {
    move |e| {
        e["kind"] == "serving_changed"
            && e["service"] == "sample"
            && e["subject"] == subject
            && e["after"] == region
    }
}

const REPLAY: &[&str] = &["timeline", "--sim", "region-outage", "--at", "10m"];

fn with(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

fn args(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// region-outage: errors climb from 1 minute in, the primary's health check fails, Route 53
/// fails over (Route 53 Developer Guide, "How Amazon Route 53 chooses records when health
/// checking is configured"), and the authoritative name servers follow.
#[test]
fn the_region_outage_replay_lists_breach_failing_check_and_the_secondary_serving_in_order() {
    let state = state_dir("replay");
    let t = timeline_json(&state, &args(&with(REPLAY, &["--format", "json"])));
    assert_eq!(t["schema"], "switchyard.timeline/1");
    assert_eq!(t["from"], "2026-11-27T14:00:00Z");
    assert_eq!(t["to"], "2026-11-27T14:10:00Z");
    assert_eq!(t["services"], json!(["sample", "billing"]));
    assert_eq!(
        t["source"],
        json!({"kind": "simulation", "scenario": "region-outage", "at_s": 600, "drills": 0})
    );
    let breach = position(&t, is_breach);
    let failing = position(&t, is_primary_failing);
    let by_health = position(&t, serves("health", "us-west-2"));
    let by_dns = position(&t, serves("dns", "us-west-2"));
    assert!(
        breach < failing && failing <= by_health && by_health < by_dns,
        "{:#}",
        t["events"]
    );
    for e in events(&t) {
        assert_eq!(e["schema"], "switchyard.event/1");
    }
    // Impact: the breach; mitigated: DNS answering us-west-2; resolved: not in 10 minutes.
    let m = &t["milestones"];
    assert_eq!(m["impact_detected"]["event"], breach);
    assert_eq!(m["impact_detected"]["at"], "2026-11-27T14:03:00Z");
    assert_eq!(m["mitigated"]["event"], by_dns);
    assert_eq!(m["mitigated"]["verified"], true);
    assert_eq!(m["resolved"], Value::Null);
    assert_eq!(t["durations"]["detected_to_mitigated_s"], 46);
    assert_eq!(t["durations"]["detected_to_resolved_s"], Value::Null);
    // --json says the same as --format json; the replay is the same every time.
    let again = timeline_json(&state, &args(&with(REPLAY, &["--json"])));
    assert_eq!(again, t);
}

#[test]
fn the_region_outage_markdown_has_the_milestones_the_scenario_reaches() {
    let state = state_dir("markdown");
    let text = stdout(&state, REPLAY);
    assert!(text.contains("| Impact detected | 14:03:00 |"), "{text}");
    assert!(text.contains("| Mitigated | 14:03:46 |"), "{text}");
    assert!(text.contains("| Resolved | not reached |"), "{text}");
    insta::assert_snapshot!("timeline_region_outage_10m", text);
}

#[test]
fn service_filters_the_replay_and_an_unknown_one_is_a_usage_error() {
    let state = state_dir("service");
    let t = timeline_json(
        &state,
        &args(&with(REPLAY, &["--service", "billing", "--json"])),
    );
    assert_eq!(t["services"], json!(["billing"]));
    assert!(
        events(&t).iter().all(|e| e["service"] != "sample"),
        "{:#}",
        t["events"]
    );
    assert_eq!(t["milestones"]["impact_detected"], Value::Null);
    let out = switchyard(&state)
        .args(with(REPLAY, &["--service", "nope"]))
        .assert()
        .code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("no service `nope`"), "{err}");
}

fn failover(state: &Path, at: &str) -> Value {
    drill(state, "region-outage", "sample", at)
}

/// A drill: `failover --sim SCENARIO --at AT --service SERVICE --to us-west-2 --execute`.
fn drill(state: &Path, scenario: &str, service: &str, at: &str) -> Value {
    let confirm = format!("{service}/us-west-2");
    let out = switchyard(state)
        .args([
            "failover",
            // Verification waits for the simulated DNS to follow (15 s simulated): fast here.
            "--speed",
            "50",
            "--sim",
            scenario,
            "--at",
            at,
            "--service",
            service,
            "--to",
            "us-west-2",
            "--execute",
            "--confirm",
            &confirm,
            "--json",
        ])
        .assert()
        .code(0);
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// A drill: an operator fails sample over 3m10s in (the error rate has breached, the check
/// still passes), then asks for the timeline. The action shows at its simulated moment and the
/// inverted check moves the traffic at once (Route 53 API reference, UpdateHealthCheck,
/// Inverted). But when the primary's checkers fail too (14:03:30), the inverted check counts as
/// healthy again (Route 53 Developer Guide, "Inverting health checks") and Route 53 sends the
/// traffic back to the failing region: the timeline lists that mitigation as undone, not as
/// mitigated.
#[test]
fn a_drill_failover_shows_at_its_simulated_time_and_an_undone_mitigation_says_so() {
    let state = state_dir("drill");
    let done = failover(&state, "3m10s");
    let id = done["report"]["id"].as_str().unwrap().to_string();
    let t = timeline_json(&state, &args(&with(REPLAY, &["--json"])));
    assert_eq!(t["source"]["drills"], 1);
    let action = position(&t, |e| e["kind"] == "action");
    let e = &events(&t)[action];
    assert_eq!(e["audit_id"], id.as_str());
    assert_eq!(e["after"], "verified");
    let at = e["observed"].as_str().unwrap();
    assert!(
        ("2026-11-27T14:03:10".."2026-11-27T14:03:45").contains(&at),
        "the action ends when DNS follows, 15 s of simulated time after its call: {at}"
    );
    let breach = position(&t, is_breach);
    let moved = position(&t, serves("health", "us-west-2"));
    let followed = position(&t, serves("dns", "us-west-2"));
    // The baseline at the start says us-east-1 too: the return is the one after the move.
    let back = followed
        + 1
        + events(&t)[followed + 1..]
            .iter()
            .position(serves("dns", "us-east-1"))
            .unwrap();
    assert!(
        breach < moved && moved < followed && followed < back,
        "{:#}",
        t["events"]
    );
    let moved_at = events(&t)[moved]["observed"].as_str().unwrap();
    assert!(
        ("2026-11-27T14:03:10".."2026-11-27T14:03:13").contains(&moved_at),
        "the world follows the drill's call, not the outage (14:03:30): {moved_at}"
    );
    let m = &t["milestones"];
    assert_eq!(m["impact_detected"]["event"], breach);
    let undone = &m["undone"][0];
    let mitigated = undone["mitigated"]["event"].as_u64().unwrap() as usize;
    assert!(mitigated == action || mitigated == followed, "{m:#}");
    assert_eq!(undone["reverted"]["event"], back);
    assert_eq!(m["mitigated"], Value::Null, "nothing held: {m:#}");
    assert!(
        events(&t)
            .iter()
            .any(|e| e["code"] == "health_inverted" && e["after"] == "critical"),
        "the finding that says why: {:#}",
        t["events"]
    );
    let text = stdout(&state, REPLAY);
    assert!(
        text.contains("with 1 drill at its simulated time"),
        "{text}"
    );
    assert!(
        text.contains("| action: failover sample → us-west-2: verified (by …/simulated) |"),
        "{text}"
    );
    assert!(text.contains("| Mitigation undone |"), "{text}");
    // Drills recorded longer ago than --since are not replayed.
    let t = timeline_json(&state, &args(&with(REPLAY, &["--json", "--since", "0s"])));
    assert_eq!(t["source"]["drills"], 0);
}

/// A drill whose mitigation holds: `orders` fails over with its ARC routing controls while the
/// Route 53 API is down (Route 53 ARC Developer Guide: routing control states are changed on the
/// cluster's data plane; a RECOVERY_CONTROL health check follows its routing control, not the
/// endpoint), so the traffic stays on us-west-2 and the Markdown has impact and mitigation.
#[test]
fn an_arc_drill_failover_mitigates() {
    let state = state_dir("drill-arc");
    let done = drill(&state, "control-plane-outage", "orders", "4m30s");
    let id = done["report"]["id"].as_str().unwrap().to_string();
    let replay = ["timeline", "--sim", "control-plane-outage", "--at", "10m"];
    let t = timeline_json(&state, &args(&with(&replay, &["--json"])));
    let orders = |subject: &'static str| {
        move |e: &Value| {
            e["kind"] == "serving_changed"
                && e["service"] == "orders"
                && e["subject"] == subject
                && e["after"] == "us-west-2"
        }
    };
    let breach = position(&t, |e| {
        e["kind"] == "finding_raised" && e["code"] == "error_rate_high" && e["service"] == "orders"
    });
    let action = position(&t, |e| {
        e["kind"] == "action" && e["audit_id"] == id.as_str()
    });
    let followed = position(&t, orders("dns"));
    assert!(breach < followed, "{:#}", t["events"]);
    let m = &t["milestones"];
    assert_eq!(m["impact_detected"]["event"], breach);
    let mitigated = m["mitigated"]["event"].as_u64().unwrap() as usize;
    assert!(mitigated == action || mitigated == followed, "{m:#}");
    assert_eq!(m["mitigated"]["verified"], true);
    assert_eq!(m.get("undone"), None);
    let text = stdout(&state, &replay);
    assert!(text.contains("| Impact detected | 14:04:00 |"), "{text}");
    assert!(text.contains("| Mitigated | 14:04:"), "{text}");
    assert!(text.contains("- Detected → mitigated: "), "{text}");
}

/// The drill log's records say where in the simulation they were made (additive `sim`).
#[test]
fn a_drill_record_carries_its_simulated_moment() {
    let state = state_dir("drill-moment");
    failover(&state, "2m30s");
    let log = std::fs::read_to_string(state.join("switchyard/drill-audit.jsonl")).unwrap();
    let records: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3);
    for r in &records {
        assert_eq!(r["sim"]["scenario"], "region-outage");
        let at = r["sim"]["at"].as_str().unwrap();
        assert!(
            ("2026-11-27T14:02:30".."2026-11-27T14:03:00").contains(&at),
            "{r}"
        );
    }
    let t = timeline_json(&state, &args(&with(REPLAY, &["--json"])));
    let action = &events(&t)[position(&t, |e| e["kind"] == "action")];
    assert!(action["observed"].as_str().unwrap() < "2026-11-27T14:03:00");
    // `audit --drill --json` shows it too.
    let audit: Value =
        serde_json::from_str(&stdout(&state, &["audit", "--drill", "--json"])).unwrap();
    assert_eq!(audit["records"][0]["sim"], records[0]["sim"]);
    assert_eq!(audit["records"][0]["id"], records[0]["id"]);
}

fn write_lines(path: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, text).unwrap();
}

fn at(minutes_ago: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes_ago))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn event(minutes_ago: i64, kind: &str, service: Option<&str>, extra: Value) -> Value {
    let mut e = json!({
        "schema": "switchyard.event/1",
        "observed": at(minutes_ago),
        "kind": kind,
        "severity": "warning",
        "message": format!("{kind} {minutes_ago} minutes ago"),
    });
    if let Some(s) = service {
        e["service"] = json!(s);
    }
    for (k, v) in extra.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

fn audit_record(minutes_ago: i64, id: &str, phase: &str) -> Value {
    json!({
        "ts": at(minutes_ago), "id": id, "phase": phase, "action": "failover",
        "service": "orders", "target": "us-west-2", "request": [],
        "actor": "arn:aws:sts::1:assumed-role/ops/ana", "outcome": null, "error": null,
        "forced_reason": null,
    })
}

/// The real journal: --since and --from/--to choose the window, --service keeps the fleet's
/// events, and the audit log's actions the journal does not hold are merged in once.
#[test]
fn the_journal_window_service_and_audit_actions() {
    let state = state_dir("journal");
    let dir = state.join("switchyard");
    write_lines(
        &dir.join("events.jsonl"),
        &[
            event(
                180,
                "finding_raised",
                Some("orders"),
                json!({"severity": "critical", "signal": "finding/orders/us-east-1/error_rate_high/api", "code": "error_rate_high", "region": "us-east-1", "after": "critical"}),
            ),
            event(
                50,
                "health_changed",
                Some("orders"),
                json!({"severity": "critical", "signal": "health/orders/us-east-1", "region": "us-east-1", "before": "healthy", "after": "unhealthy"}),
            ),
            event(
                40,
                "source_failed",
                None,
                json!({"signal": "source/us-east-1/lambda", "after": "failed"}),
            ),
            event(
                30,
                "serving_changed",
                Some("billing"),
                json!({"signal": "serving/billing/dns", "subject": "dns", "after": "us-west-2"}),
            ),
            event(
                20,
                "action",
                Some("orders"),
                json!({"subject": "failover", "after": "verified", "audit_id": "in-journal"}),
            ),
        ],
    );
    write_lines(
        &dir.join("audit.jsonl"),
        &[
            audit_record(21, "in-journal", "intent"),
            audit_record(20, "in-journal", "verified"),
            // A process that stopped mid-action: only its intent.
            audit_record(10, "crashed", "intent"),
            audit_record(300, "long-ago", "intent"),
        ],
    );
    let t = timeline_json(&state, &["timeline", "--since", "2h", "--json"]);
    let kinds: Vec<&str> = events(&t)
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "health_changed",
            "source_failed",
            "serving_changed",
            "action",
            "action"
        ]
    );
    assert_eq!(events(&t)[3]["audit_id"], "in-journal");
    assert_eq!(events(&t)[4]["audit_id"], "crashed");
    assert_eq!(events(&t)[4]["after"], "started");
    assert_eq!(t["source"]["kind"], "journal");
    assert!(
        t["source"]["path"]
            .as_str()
            .unwrap()
            .ends_with("switchyard/events.jsonl")
    );
    // The breach three hours ago is open at the window's start (read from before it).
    assert_eq!(
        t["open_at_start"],
        json!(["finding/orders/us-east-1/error_rate_high/api"])
    );
    assert_eq!(t["services"], json!(["billing", "orders"]));

    let t = timeline_json(
        &state,
        &["timeline", "--since", "2h", "--service", "orders", "--json"],
    );
    let kinds: Vec<&str> = events(&t)
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["health_changed", "source_failed", "action", "action"],
        "billing's event goes, the fleet's source stays"
    );

    let (from, to) = (at(45), at(25));
    let t = timeline_json(
        &state,
        &["timeline", "--from", &from, "--to", &to, "--json"],
    );
    let kinds: Vec<&str> = events(&t)
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["source_failed", "serving_changed"]);
    assert_eq!(t["from"], from.as_str());
    assert_eq!(t["to"], to.as_str());
    assert_eq!(
        t["open_at_start"],
        json!([
            "finding/orders/us-east-1/error_rate_high/api",
            "health/orders/us-east-1"
        ])
    );

    let text = stdout(&state, &["timeline", "--since", "2h"]);
    assert!(
        text.starts_with("# Incident timeline: billing, orders\n"),
        "{text}"
    );
    assert!(
        text.contains("| Impact detected | before the window |"),
        "{text}"
    );
}

#[test]
fn a_torn_line_is_skipped_and_an_unreadable_journal_exits_1() {
    let state = state_dir("torn");
    let path = state.join("switchyard/events.jsonl");
    let whole = event(5, "note", None, json!({"severity": "info"}));
    std::fs::write(&path, format!("{whole}\n{{\"schema\": \"switchyard.ev")).unwrap();
    let t = timeline_json(&state, &["timeline", "--json"]);
    assert_eq!(t["skipped"], 1);
    assert_eq!(events(&t).len(), 1);
    let text = stdout(&state, &["timeline"]);
    assert!(
        text.contains("(1 unreadable journal line(s) skipped)"),
        "{text}"
    );

    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let out = switchyard(&state).args(["timeline"]).assert().code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("cannot read the incident journal"), "{err}");
}

#[test]
fn timeline_usage_errors_exit_2() {
    let state = state_dir("usage");
    for (args, says) in [
        (
            &[
                "timeline",
                "--since",
                "2h",
                "--from",
                "2026-11-27T14:00:00Z",
            ][..],
            "cannot be used with",
        ),
        (&["timeline", "--to", "2026-11-27T14:00:00Z"], "--from"),
        (
            &[
                "timeline",
                "--from",
                "2026-11-27T15:00:00Z",
                "--to",
                "2026-11-27 14:00",
            ],
            "is after --to",
        ),
        (&["timeline", "--from", "yesterday"], "not a time"),
        (&["timeline", "--since", "a while"], "not a duration"),
        (
            &["timeline", "--at", "5m"],
            "only applies to the simulation",
        ),
        (&["timeline", "--format", "xml"], "invalid value"),
        (
            &[
                "timeline",
                "--sim",
                "region-outage",
                "--from",
                "2026-11-27T14:00:00Z",
            ],
            "do not apply to the simulation",
        ),
        (
            &["timeline", "--sim", "region-outage", "--at=-1m"],
            "--at must be from 0",
        ),
    ] {
        let out = switchyard(&state).args(args).assert().code(2);
        let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(err.contains(says), "{args:?}: {says:?} missing in {err}");
        assert!(out.get_output().stdout.is_empty(), "{args:?}");
    }
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `snapshot` and `check` record what they saw, each change once across runs.
#[test]
fn snapshot_twice_writes_its_events_once() {
    let state = state_dir("dedup");
    let journal = state.join("switchyard/drill-events.jsonl");
    switchyard(&state)
        .args(["snapshot", "--sim", "region-outage", "--json"])
        .assert()
        .code(0);
    let first = lines(&journal);
    let kinds: Vec<&str> = first.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    // At 6m the primary is down: what is already wrong is recorded at first sight.
    assert!(kinds.contains(&"health_changed"), "{kinds:?}");
    assert!(kinds.contains(&"finding_raised"), "{kinds:?}");
    assert!(
        first
            .iter()
            .all(|e| e["observed"] == "2026-11-27T14:06:00Z")
    );
    switchyard(&state)
        .args(["snapshot", "--sim", "region-outage", "--json"])
        .assert()
        .code(0);
    assert_eq!(lines(&journal), first, "nothing new the second time");
    switchyard(&state)
        .args(["check", "--sim", "region-outage", "--json"])
        .assert()
        .code(0);
    assert_eq!(lines(&journal), first, "check saw the same");
    // Nothing goes to the real journal from the simulation.
    assert!(!state.join("switchyard/events.jsonl").exists());
}

#[test]
fn a_failover_records_its_observation_and_its_action() {
    let state = state_dir("action-event");
    let done = failover(&state, "3m10s");
    let recorded = lines(&state.join("switchyard/drill-events.jsonl"));
    let action = recorded.iter().find(|e| e["kind"] == "action").unwrap();
    assert_eq!(action["audit_id"], done["report"]["id"]);
    assert_eq!(action["after"], "verified");
    assert_eq!(
        action["actor"],
        "arn:aws:sts::000000000000:assumed-role/switchyard-demo/simulated"
    );
    // Simulated time, like the observation before it.
    assert!(
        action["observed"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-27T14:03")
    );
    assert!(
        recorded
            .iter()
            .any(|e| e["kind"] == "finding_raised" && e["code"] == "error_rate_high"),
        "{recorded:#?}"
    );
}

/// A journal that cannot be written is a warning: the exit code and the JSON stay as they are.
#[test]
fn a_journal_write_failure_is_only_a_warning() {
    let state = state_dir("unwritable");
    std::fs::create_dir_all(state.join("switchyard/drill-events.jsonl")).unwrap();
    let out = switchyard(&state)
        .args(["snapshot", "--sim", "region-outage", "--json"])
        .assert()
        .code(0);
    let snapshot: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(snapshot["schema"], "switchyard.snapshot/1");
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("warning") && err.contains("incident journal"),
        "{err}"
    );
}

/// With a team bucket (the simulation's, for a scenario with teammates), others' actions are
/// merged in from the team's trail, each once (README, "Working as a team").
#[test]
fn a_teammates_action_comes_from_the_teams_trail() {
    let state = state_dir("team");
    let t = timeline_json(
        &state,
        &[
            "timeline",
            "--sim",
            "two-responders",
            "--at",
            "6m",
            "--json",
        ],
    );
    let actions: Vec<&Value> = events(&t)
        .iter()
        .filter(|e| e["kind"] == "action")
        .collect();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["service"], "sample");
    assert_eq!(actions[0]["subject"], "failover");
    assert_eq!(actions[0]["after"], "verified");
    assert!(
        actions[0]["actor"].as_str().unwrap().ends_with("/alice"),
        "{}",
        actions[0]
    );
}
