//! The headless commands as scripts use them: exit codes and the JSON contracts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;

fn switchyard() -> Command {
    let mut cmd = Command::cargo_bin("switchyard").unwrap();
    // Never pick up a developer's own config or state.
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-switchyard-test")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("switchyard-cli-test"),
        )
        .current_dir(std::env::temp_dir());
    cmd
}

fn json(args: &[&str]) -> (Value, i32) {
    let out = switchyard().args(args).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (value, out.status.code().unwrap())
}

fn region<'a>(service: &'a Value, name: &str) -> &'a Value {
    service["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == name)
        .unwrap()
}

#[test]
fn region_outage_snapshot_shows_the_primary_down_and_the_secondary_serving() {
    let (snap, code) = json(&["snapshot", "--sim", "region-outage", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(snap["schema"], "switchyard.snapshot/1");
    assert_eq!(snap["taken_at"], "2026-11-27T14:06:00Z");
    let sample = &snap["services"][0];
    assert_eq!(sample["name"], "sample");
    assert_eq!(sample["primary_region"], "us-east-1");
    assert_eq!(sample["serving_region"], "us-west-2");
    let primary = region(sample, "us-east-1");
    assert_eq!(primary["role"], "primary");
    assert_eq!(primary["health"]["status"], "unhealthy");
    assert_eq!(primary["health"]["effective_status"], "unhealthy");
    assert_eq!(region(sample, "us-west-2")["health"]["status"], "healthy");
    let codes: Vec<&str> = sample["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"health_unhealthy"), "{codes:?}");
    assert!(codes.contains(&"error_rate_high"), "{codes:?}");
    // Every function row carries the contract's fields, with rates computed, not defaulted.
    let f = &primary["functions"][0];
    for field in [
        "name",
        "invocations",
        "errors",
        "error_rate_pct",
        "throttles",
        "p99_ms",
        "code_sha256",
        "code_matches_primary",
    ] {
        assert!(f.get(field).is_some(), "missing {field} in {f}");
    }
    assert!(f["error_rate_pct"].as_f64().unwrap() > 5.0);
    // Additive fields: which minutes the figures cover (complete ones, ending where the
    // snapshot's minute starts), which alias's code, and how the cost is priced.
    assert_eq!(f["window_end"], "2026-11-27T14:06:00Z");
    assert_eq!(f["qualifier"], "live");
    assert_eq!(f["qualifier_source"], "integration");
    assert_eq!(f["architecture"], "x86_64");
    assert_eq!(f["cost_basis"], "list_price");
    let worker = &primary["functions"][1];
    assert_eq!(worker["name"], "sample-worker");
    assert_eq!(worker["architecture"], "arm64");
    assert_eq!(worker["qualifier"], serde_json::Value::Null);
    assert_eq!(worker["qualifier_source"], "unqualified");
    for s in snap["sources"].as_array().unwrap() {
        assert!(s["error"].is_null(), "{s}");
        assert!(s["fetched_at"].is_string(), "{s}");
    }
}

#[test]
fn before_the_outage_the_primary_serves() {
    let (snap, _) = json(&[
        "snapshot",
        "--sim",
        "region-outage",
        "--json",
        "--at",
        "30s",
    ]);
    assert_eq!(snap["services"][0]["serving_region"], "us-east-1");
    assert_eq!(
        region(&snap["services"][0], "us-east-1")["health"]["status"],
        "healthy"
    );
}

#[test]
fn check_waits_for_slow_replication_then_passes() {
    let (early, code) = json(&[
        "check",
        "--sim",
        "slow-replication",
        "--service",
        "sample",
        "--json",
    ]);
    assert_eq!(code, 1, "{early}");
    assert_eq!(early["schema"], "switchyard.check/1");
    assert_eq!(early["verdict"], "not_ready");
    assert_eq!(early["ready"], false);
    let west = early["services"][0]["artifacts"][0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == "us-west-2")
        .unwrap()
        .clone();
    assert_eq!(west["status"], "pending");
    assert_eq!(west["lag_s"], 120);
    assert_eq!(west["lag_source"], "simulated", "the simulation's figure");
    assert!(west["lag_resolution_s"].is_null());

    let (late, code) = json(&[
        "check",
        "--sim",
        "slow-replication",
        "--service",
        "sample",
        "--json",
        "--at",
        "6m",
    ]);
    assert_eq!(code, 0, "{late}");
    assert_eq!(late["verdict"], "ready");
    // Replication took the scenario's five minutes.
    let lags: Vec<i64> = late["services"][0]["artifacts"][0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["lag_s"].as_i64())
        .collect();
    assert_eq!(lags, vec![300]);
    let sources: Vec<&str> = late["services"][0]["artifacts"][0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["lag_source"].as_str())
        .collect();
    assert_eq!(sources, vec!["simulated"]);
}

#[test]
fn check_exit_codes_in_text_mode() {
    switchyard()
        .args(["check", "--sim", "steady"])
        .assert()
        .code(0);
    switchyard()
        .args(["check", "--sim", "slow-replication"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("NOT READY"));
    switchyard()
        .args(["check", "--sim", "slow-replication", "--at", "4m59s"])
        .assert()
        .code(1);
    switchyard()
        .args(["check", "--sim", "slow-replication", "--at", "5m"])
        .assert()
        .code(0);
    switchyard()
        .args(["check", "--sim", "steady", "--service", "nope"])
        .assert()
        .code(2);
}

#[test]
fn a_throttled_source_fails_the_snapshot_but_the_rest_is_complete() {
    let (snap, code) = json(&["snapshot", "--sim", "throttled-api", "--json"]);
    assert_eq!(code, 1);
    let failed: Vec<&Value> = snap["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["error"].is_null())
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["source"], "lambda");
    assert_eq!(failed[0]["region"], "us-west-2");
    assert!(failed[0]["error"].as_str().unwrap().contains("Throttling"));
    assert!(failed[0]["fetched_at"].is_null());
    let sample = &snap["services"][0];
    // The failed value is null (unknown), never a made-up default; the others are there.
    assert!(region(sample, "us-west-2")["functions"].is_null());
    assert!(region(sample, "us-east-1")["functions"].is_array());
    assert!(region(sample, "us-west-2")["health"].is_object());
    let codes: Vec<&str> = sample["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"source_error"), "{codes:?}");
}

#[test]
fn dns_drift_is_reported_with_both_targets() {
    let (snap, _) = json(&["snapshot", "--sim", "dns-drift", "--json"]);
    let west = region(&snap["services"][0], "us-west-2");
    let shared = west["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "sample.fed.dev")
        .unwrap();
    assert_eq!(shared["drift"], true);
    assert_ne!(shared["dns_target"], shared["regional_target"]);
    assert_eq!(shared["mappings"][0]["stage"], "prod");
    let finding = snap["services"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "dns_drift")
        .unwrap();
    assert_eq!(finding["severity"], "critical");
    assert_eq!(finding["region"], "us-west-2");
}

#[test]
fn steady_is_clean_and_ready() {
    let (snap, code) = json(&["snapshot", "--sim", "steady", "--json"]);
    assert_eq!(code, 0);
    for service in snap["services"].as_array().unwrap() {
        assert_eq!(service["ready_to_approve"], true, "{}", service["name"]);
        assert_eq!(service["serving_region"], service["primary_region"]);
        let bad: Vec<&Value> = service["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "info")
            .collect();
        assert!(bad.is_empty(), "{bad:?}");
    }
    assert!(snap["services"][0]["pipeline"]["pending_approval"].is_object());
}

#[test]
fn snapshots_are_deterministic() {
    let a = switchyard()
        .args(["snapshot", "--sim", "region-outage", "--json"])
        .output()
        .unwrap()
        .stdout;
    let b = switchyard()
        .args(["snapshot", "--sim", "region-outage", "--json"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(a, b);
}

#[test]
fn global_options_work_after_the_command() {
    switchyard()
        .args(["check", "--sim", "steady"])
        .assert()
        .code(0);
    switchyard()
        .args(["--sim", "steady", "check"])
        .assert()
        .code(0);
}

#[test]
fn scenarios_lists_every_built_in_scenario() {
    let out = switchyard()
        .arg("scenarios")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for name in [
        "steady",
        "region-outage",
        "slow-replication",
        "dns-drift",
        "throttled-api",
        "two-responders",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
}

/// With a team bucket (here the simulation's, with teammate alice holding sample's lease since
/// 3m), the snapshot has a `team` block: each lease with who, what, since, its age by S3's
/// clock and whether it lapsed, and the team's recent actions; the `team` source is listed with
/// the others. Without one (every other scenario), there is no `team` block and no source.
#[test]
fn the_snapshot_has_a_team_block_only_with_a_team_bucket() {
    let (snap, code) = json(&["snapshot", "--sim", "two-responders", "--json"]);
    assert_eq!(code, 0, "{snap}");
    let team = &snap["team"];
    assert_eq!(team["fetched_at"], "2026-11-27T14:03:40Z");
    assert_eq!(team["error"], Value::Null);
    let leases = team["leases"].as_array().unwrap();
    assert_eq!(leases.len(), 1, "{team}");
    let alice = &leases[0];
    assert_eq!(alice["service"], "sample");
    assert_eq!(alice["action"], "failover");
    assert_eq!(alice["target"], "us-west-2");
    assert_eq!(
        alice["actor"],
        "arn:aws:sts::000000000000:assumed-role/oncall/alice"
    );
    assert_eq!(alice["host"], "alice-laptop");
    assert_eq!(alice["since"], "2026-11-27T14:03:00Z");
    assert_eq!(alice["age_s"], 0, "renewed at 3m40s");
    assert_eq!(alice["lease_seconds"], 120);
    assert_eq!(alice["expired"], false);
    let recent = team["recent"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = recent
        .iter()
        .map(|a| {
            (
                a["service"].as_str().unwrap(),
                a["action"].as_str().unwrap(),
                a["phase"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("sample", "failover", "result"),
            ("billing", "failback", "verified")
        ],
        "newest first: {team}"
    );
    let sources = snap["sources"].as_array().unwrap();
    assert!(
        sources
            .iter()
            .any(|s| s["source"] == "team" && s["region"] == "global"),
        "{sources:?}"
    );

    for scenario in ["steady", "region-outage", "control-plane-outage"] {
        let (snap, _) = json(&["snapshot", "--sim", scenario, "--json"]);
        assert!(snap.get("team").is_none(), "{scenario}: {snap}");
        assert!(
            snap["sources"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["source"] != "team"),
            "{scenario}"
        );
    }
}

#[test]
fn a_scenario_file_can_be_loaded() {
    let dir = tempdir();
    let path = dir.join("mine.toml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/slow-replication.toml"
    ))
    .unwrap()
    .replace("name = \"slow-replication\"", "name = \"mine\"")
    .replace("\"us-west-2\" = \"5m\"", "\"us-west-2\" = \"1m\"");
    std::fs::write(&path, text).unwrap();
    switchyard()
        .args(["check", "--scenario-file"])
        .arg(&path)
        .args(["--at", "90s"])
        .assert()
        .code(0);
    switchyard()
        .args(["check", "--scenario-file"])
        .arg(&path)
        .args(["--at", "50s"])
        .assert()
        .code(1);
}

#[test]
fn usage_and_config_errors_exit_2_with_a_location() {
    switchyard()
        .args(["snapshot", "--sim", "no-such-scenario"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("steady"));
    switchyard().args(["--bogus"]).assert().code(2);
    switchyard()
        .args(["snapshot", "--sim", "steady", "--at", "soon"])
        .assert()
        .code(2);
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/invalid/bad-duration.toml"
    );
    switchyard()
        .args(["snapshot", "--sim", "steady", "--config", fixture])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad-duration.toml:2:10:"));
    // Without --sim the AWS backend needs a config; the message says where it looked and what to
    // try instead.
    switchyard()
        .arg("snapshot")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no config file"))
        .stderr(predicates::str::contains("switchyard demo"));
    let valid = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/switchyard.example.toml"
    );
    // --at moves simulated time; against AWS it is a usage error, not silently ignored.
    switchyard()
        .args(["snapshot", "--config", valid, "--at", "5m"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--at only applies to the simulation",
        ));
}

#[test]
fn a_config_sets_thresholds_for_the_simulation() {
    let dir = tempdir();
    let path = dir.join("switchyard.toml");
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/switchyard.example.toml"
    ))
    .unwrap();
    // Raise the error-rate thresholds above the outage's rate: no error_rate_high finding.
    let text = example
        .replace("error_rate_warn_pct = 1.0", "error_rate_warn_pct = 60.0")
        .replace("error_rate_crit_pct = 5.0", "error_rate_crit_pct = 80.0");
    assert_ne!(text, example, "the example config changed shape");
    std::fs::write(&path, text).unwrap();
    let (snap, _) = json(&[
        "snapshot",
        "--sim",
        "region-outage",
        "--json",
        "--config",
        path.to_str().unwrap(),
    ]);
    let codes: Vec<&str> = snap["services"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"error_rate_high"), "{codes:?}");
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "switchyard-cli-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn replication_metrics_are_reported_on_the_source_region() {
    let (snap, _) = json(&["snapshot", "--sim", "slow-replication", "--json"]);
    let sample = &snap["services"][0];
    let metrics = &region(sample, "us-east-1")["replication_metrics"][0];
    assert_eq!(metrics["destination_bucket"], "sample-artifacts-us-west-2");
    assert_eq!(metrics["operations_pending"], 1.0);
    assert_eq!(metrics["bytes_pending"], 30.0 * 1_048_576.0);
    assert_eq!(metrics["operations_failed"], 0.0);
    // Only the source side publishes them.
    assert!(
        region(sample, "us-west-2")
            .get("replication_metrics")
            .is_none()
    );
}

/// Every invalid config fixture, given to the real binary: exit 2, one line naming
/// file:line:column, never a panic or a backtrace.
#[test]
fn every_invalid_config_exits_2_with_its_location() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/invalid");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
        let location = expected.lines().next().unwrap().trim();
        for args in [vec!["snapshot", "--json"], vec!["check"], vec!["tui"]] {
            let out = switchyard()
                .args(&args)
                .arg("--config")
                .arg(&path)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?} {}: {stderr}",
                path.display()
            );
            assert!(
                stderr.contains(&format!("{}:{location}:", path.display())),
                "{args:?} {}: no {location} in {stderr}",
                path.display()
            );
            assert!(
                !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
                "{stderr}"
            );
            assert!(out.stdout.is_empty(), "nothing on stdout for a bad config");
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} fixtures");
}

#[test]
fn audit_prints_the_log_and_flags_unfinished_actions() {
    use switchyard::action::audit::{AuditLog, AuditRecord, Phase};
    let state = tempdir().join("audit-state");
    let _ = std::fs::remove_dir_all(&state);
    let run = |args: &[&str]| {
        let out = switchyard()
            .env("XDG_STATE_HOME", &state)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(&["audit"]).contains("no actions recorded"));

    let log = AuditLog::new(state.join("switchyard/audit.jsonl"));
    let record = |id: &str, phase| AuditRecord {
        ts: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        id: id.into(),
        phase,
        action: "failover".into(),
        service: "sample".into(),
        target: "us-west-2".into(),
        request: serde_json::json!({"api": "UpdateHealthCheck"}),
        actor: Some("arn:aws:sts::1:assumed-role/ops/me".into()),
        outcome: None,
        error: None,
        forced_reason: None,
        drill: false,
        team_lock: None,
    };
    log.append(&record("a1", Phase::Intent)).unwrap();
    log.append(&record("a1", Phase::Result)).unwrap();
    log.append(&record("a2", Phase::Intent)).unwrap();

    let text = run(&["audit"]);
    assert!(
        text.contains("! unfinished: a2 failover sample -> us-west-2"),
        "{text}"
    );
    assert!(!text.contains("unfinished: a1"), "{text}");
    let report: Value = serde_json::from_str(&run(&["audit", "--json"])).unwrap();
    assert_eq!(report["schema"], "switchyard.audit/1");
    assert_eq!(report["records"].as_array().unwrap().len(), 3);
    assert_eq!(report["unfinished"], serde_json::json!(["a2"]));
}

/// The simulation follows the same rule as the AWS path (CodePipeline API reference,
/// ActionDeclaration `timeoutInMinutes`): a scenario's approval with a 60-minute timeout expires
/// 60 minutes after it started waiting, and then has failed unanswered (no author).
#[test]
fn a_simulated_approval_with_a_60_minute_timeout_fails_after_60_minutes() {
    let dir = tempdir();
    let path = dir.join("timeout.toml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/steady.toml"
    ))
    .unwrap()
    .replace(
        "pipeline = \"sample-deploy\"",
        "pipeline = \"sample-deploy\"\napproval_timeout_minutes = 60",
    );
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap();
    // Build 1234 lands 25 minutes before the start and waits for approval from a minute later.
    let (snap, _) = json(&["snapshot", "--scenario-file", path, "--at", "2m", "--json"]);
    let pending = &snap["services"][0]["pipeline"]["pending_approval"];
    assert_eq!(pending["timeout_minutes"], 60, "{pending}");
    assert_eq!(pending["since"], "2026-11-27T13:36:00Z");
    assert_eq!(pending["expires"], "2026-11-27T14:36:00Z");

    let (snap, _) = json(&["snapshot", "--scenario-file", path, "--at", "40m", "--json"]);
    let pipeline = &snap["services"][0]["pipeline"];
    assert_eq!(pipeline["pending_approval"], Value::Null, "{pipeline}");
    assert_eq!(pipeline["last_answer"]["status"], "Failed", "{pipeline}");
    assert_eq!(pipeline["last_answer"]["by"], Value::Null, "{pipeline}");
    assert_eq!(pipeline["last_answer"]["at"], "2026-11-27T14:36:00Z");
}

/// `init --sim`: the simulated deployment discovered like an account (README, "Getting started
/// on AWS"): the file is written once, refused when in the way without `--force`, and
/// `init --check` holds it to the account (exit 1 naming what differs once it is edited).
#[test]
fn init_discovers_the_simulation_and_check_catches_an_edit() {
    let dir = std::env::temp_dir().join(format!("switchyard-cli-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("switchyard.toml");
    let init = |extra: &[&str]| {
        let out = switchyard()
            .args([
                "--sim",
                "steady",
                "init",
                "--domain",
                "sample.fed.dev",
                "--out",
            ])
            .arg(&path)
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = init(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("wrote "), "{stdout}");
    assert!(stdout.contains("functions   sample-api:live"), "{stdout}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("functions = [\"sample-api:live\"]"), "{text}");

    let (code, _, stderr) = init(&[]);
    assert_eq!(code, 2, "a file in the way: {stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    let (code, _, stderr) = init(&["--force", "--json"]);
    assert_eq!(code, 0, "{stderr}");

    let check = || {
        let out = switchyard()
            .args(["--sim", "steady", "init", "--check", "--json", "--config"])
            .arg(&path)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), report)
    };
    let (code, report) = check();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["schema"], "switchyard.init-check/1");
    assert_eq!(report["services"][0]["differences"], serde_json::json!([]));

    let edited = text.replace(
        "approval_action = \"ManualApproval\"",
        "approval_action = \"Gate\"",
    );
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
    let (code, report) = check();
    assert_eq!(code, 1, "{report:#}");
    let d = &report["services"][0]["differences"][0];
    assert_eq!(d["setting"], "pipeline.approval_action");
    assert_eq!(d["config"], "Gate");
    assert_eq!(d["account"], "ManualApproval");

    // A name with no failover records: exit 1, nothing written.
    let other = dir.join("other.toml");
    let out = switchyard()
        .args([
            "--sim",
            "steady",
            "init",
            "--domain",
            "nothing.fed.dev",
            "--out",
        ])
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no failover records named"));
    assert!(!other.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
