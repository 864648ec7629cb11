//! Guarded actions from the command line, against the simulation: the plan without --execute,
//! the typed confirmation, preflight refusals and --force --reason, read-only mode, the audit
//! records, and an action killed between its intent and its result.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A fresh state folder (audit log) per test.
fn state_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("switchyard-actions-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
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

/// The drill log: every action here is on the simulation.
fn audit(state: &Path) -> Vec<Value> {
    read_log(&state.join("switchyard/drill-audit.jsonl"))
}

fn read_log(path: &Path) -> Vec<Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn phases(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["phase"].as_str().unwrap())
        .collect()
}

/// region-outage at 2m30s: the primary errs but still passes its health check; us-west-2 is fine.
const FAILOVER: &[&str] = &[
    "failover",
    // Verification waits for the simulated DNS to follow (15 s of simulated time): fast here.
    "--speed",
    "50",
    "--sim",
    "region-outage",
    "--at",
    "2m30s",
    "--service",
    "sample",
    "--to",
    "us-west-2",
];

fn with(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

#[test]
fn without_execute_the_plan_and_preflight_are_printed_and_nothing_changes() {
    let state = state_dir("dry-run");
    let out = switchyard(&state).args(FAILOVER).assert().code(0);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for expected in [
        "failover sample -> us-west-2",
        "confirm with: sample/us-west-2",
        "Route 53 will answer sample.fed.dev with us-west-2 (now us-east-1)",
        "Route 53 UpdateHealthCheck HealthCheckId=",
        "HealthCheckVersion=1 Inverted=true Regions=[us-east-1,",
        "HealthCheckVersion 1, Inverted=false, read 14:02:30 UTC",
        "control plane: needs the Route 53 control plane (UpdateHealthCheck, in us-east-1)",
        "ok      Route 53 control plane: the Route 53 API in us-east-1 answered",
        "ok      target health check: us-west-2 healthy",
        "preflight passed",
        "dry run: nothing was changed",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    assert!(audit(&state).is_empty());
}

#[test]
fn a_confirmed_failover_is_logged_executed_and_verified() {
    let state = state_dir("execute");
    let args = with(
        FAILOVER,
        &["--execute", "--confirm", "sample/us-west-2", "--json"],
    );
    let out = switchyard(&state).args(&args).assert().code(0);
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["schema"], "switchyard.action/1");
    assert_eq!(json["executed"], true);
    assert_eq!(json["report"]["status"], "verified");
    assert_eq!(json["plan"]["calls"][0]["api"], "UpdateHealthCheck");
    assert_eq!(json["plan"]["uses_control_plane"], true);

    let records = audit(&state);
    assert_eq!(phases(&records), ["intent", "result", "verified"]);
    let intent = &records[0];
    assert_eq!(intent["action"], "failover");
    assert_eq!(intent["service"], "sample");
    assert_eq!(intent["target"], "us-west-2");
    assert_eq!(
        intent["actor"],
        "arn:aws:sts::000000000000:assumed-role/switchyard-demo/simulated"
    );
    assert_eq!(intent["request"][0]["Inverted"], true);
    assert_eq!(intent["request"][0]["HealthCheckVersion"], 1);
    assert_eq!(intent["request"][0]["Regions"].as_array().unwrap().len(), 8);
    assert_eq!(intent["forced_reason"], Value::Null);
    assert_eq!(records[1]["outcome"], "ok");
    assert!(
        records[2]["outcome"]
            .as_str()
            .unwrap()
            .contains("Route 53 should now answer with us-west-2"),
        "{}",
        records[2]
    );
    assert!(records.iter().all(|r| r["id"] == intent["id"]));
}

#[test]
fn a_wrong_confirmation_changes_nothing() {
    let state = state_dir("wrong-confirm");
    for confirm in ["sample/us-east-1", "sample", "SAMPLE/US-WEST-2"] {
        let args = with(FAILOVER, &["--execute", "--confirm", confirm]);
        switchyard(&state)
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "--confirm must be exactly \"sample/us-west-2\"",
            ));
    }
    let args = with(FAILOVER, &["--execute"]);
    switchyard(&state).args(&args).assert().code(2);
    assert!(audit(&state).is_empty());
}

#[test]
fn read_only_refuses_inside_the_backend() {
    let state = state_dir("read-only");
    let args = with(
        FAILOVER,
        &["--execute", "--confirm", "sample/us-west-2", "--read-only"],
    );
    switchyard(&state)
        .args(&args)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("REFUSED: read-only mode"));
    assert!(audit(&state).is_empty());
}

/// region-outage with the outage moved to the secondary: at 6m us-west-2 is down.
fn secondary_outage(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/region-outage.toml"
    ))
    .unwrap()
    .replace("name = \"region-outage\"", "name = \"secondary-outage\"")
    .replace("region = \"us-east-1\"", "region = \"us-west-2\"");
    let path = dir.join("secondary-outage.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn preflight_refuses_failover_into_an_unhealthy_region_unless_forced_with_a_reason() {
    let state = state_dir("unhealthy-target");
    let scenario = secondary_outage(&state);
    let run = |more: &[&str]| {
        let mut cmd = switchyard(&state);
        cmd.args(["failover", "--scenario-file"])
            .arg(&scenario)
            .args(["--at", "6m", "--service", "sample", "--to", "us-west-2"])
            .args(more);
        cmd.assert()
    };
    let out = run(&[]).code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("FAIL    target health check: us-west-2 is unhealthy"),
        "{text}"
    );
    assert!(text.contains("fails open"), "{text}");
    assert!(text.contains("FAIL    target error rate"), "{text}");
    assert!(text.contains("preflight FAILED"), "{text}");

    run(&["--execute", "--confirm", "sample/us-west-2"])
        .code(1)
        .stdout(predicates::str::contains("REFUSED: preflight failed"));
    assert!(audit(&state).is_empty(), "a refusal sends and logs nothing");

    // --force without a reason is a usage error.
    run(&["--execute", "--confirm", "sample/us-west-2", "--force"]).code(2);

    let reason = "drill: us-east-1 must be drained for maintenance";
    run(&[
        "--execute",
        "--confirm",
        "sample/us-west-2",
        "--force",
        "--reason",
        reason,
    ])
    // Both records of the pair are now unhealthy: Route 53 fails open and keeps answering with
    // the primary. The plan said so (effect, "lands on target" FAIL); verification does not
    // call that a success.
    .code(3)
    .stdout(predicates::str::contains(
        "Route 53 will answer sample.fed.dev with us-east-1, NOT us-west-2",
    ))
    .stdout(predicates::str::contains(
        "FAIL    lands on target: with the new flags Route 53 would answer with us-east-1",
    ))
    .stdout(predicates::str::contains("forced, reason recorded"))
    .stdout(predicates::str::contains(
        "DONE, NOT VERIFIED: flags as planned, but with them Route 53 answers with us-east-1, \
         not us-west-2",
    ));
    let records = audit(&state);
    assert_eq!(phases(&records), ["intent", "result", "unverified"]);
    assert_eq!(records[1]["outcome"], "ok");
    assert!(records.iter().all(|r| r["forced_reason"] == reason));
}

#[test]
fn approving_an_unreplicated_build_is_refused_unless_forced() {
    let state = state_dir("approve");
    let run = |more: &[&str]| {
        let mut cmd = switchyard(&state);
        cmd.args([
            "approve",
            "--sim",
            "slow-replication",
            "--service",
            "sample",
            "--summary",
            "ship it",
        ])
        .args(more);
        cmd.assert()
    };
    let out = run(&[]).code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("approve sample -> sample-deploy"), "{text}");
    assert!(text.contains("FAIL    replication:"), "{text}");
    assert!(text.contains("PutApprovalResult"), "{text}");

    run(&["--execute", "--confirm", "sample-deploy"])
        .code(1)
        .stdout(predicates::str::contains("REFUSED: preflight failed"));
    assert!(audit(&state).is_empty());

    run(&[
        "--execute",
        "--confirm",
        "sample-deploy",
        "--force",
        "--reason",
        "hotfix; us-west-2 is drained",
    ])
    .code(0)
    .stdout(predicates::str::contains("DONE, VERIFIED"));
    let records = audit(&state);
    assert_eq!(phases(&records), ["intent", "result", "verified"]);
    let call = &records[0]["request"][0];
    assert_eq!(call["api"], "PutApprovalResult");
    assert_eq!(call["Result"]["Status"], "Approved");
    let summary = call["Result"]["Summary"].as_str().unwrap();
    assert!(
        summary.starts_with("ship it [switchyard: replication: NOT READY"),
        "{summary}"
    );
    assert!(!call["Token"].as_str().unwrap().is_empty());
    assert_eq!(records[0]["forced_reason"], "hotfix; us-west-2 is drained");
}

#[test]
fn rejecting_needs_no_preflight() {
    let state = state_dir("reject");
    switchyard(&state)
        .args([
            "approve",
            "--reject",
            "--sim",
            "slow-replication",
            "--service",
            "sample",
            "--summary",
            "not yet",
            "--execute",
            "--confirm",
            "sample-deploy",
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("(none for this action)"));
    let records = audit(&state);
    assert_eq!(records[0]["action"], "reject");
    assert_eq!(records[0]["request"][0]["Result"]["Status"], "Rejected");
}

#[test]
fn nothing_to_do_is_said_and_is_not_an_error() {
    let state = state_dir("nothing");
    switchyard(&state)
        .args(["failback", "--sim", "steady", "--service", "sample"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "nothing to do: no health check of sample is inverted",
        ));
    switchyard(&state)
        .args([
            "failover",
            "--sim",
            "steady",
            "--service",
            "sample",
            "--to",
            "us-east-1",
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("already served by us-east-1"));
    switchyard(&state)
        .args([
            "failover",
            "--sim",
            "steady",
            "--service",
            "nope",
            "--to",
            "us-east-1",
        ])
        .assert()
        .code(2);
    assert!(audit(&state).is_empty());
}

#[test]
fn an_action_killed_after_its_intent_is_reported_at_the_next_start() {
    let state = state_dir("killed");
    let args = with(FAILOVER, &["--execute", "--confirm", "sample/us-west-2"]);
    let out = switchyard(&state)
        .args(&args)
        .env("SWITCHYARD_TEST_DIE_AFTER_INTENT", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(137), "the process died mid-action");
    let records = audit(&state);
    assert_eq!(phases(&records), ["intent"]);
    let id = records[0]["id"].as_str().unwrap().to_string();

    // The next start of an action command warns; `audit` flags it.
    switchyard(&state)
        .args(FAILOVER)
        .assert()
        .stderr(predicates::str::contains(format!("unfinished action {id}")));
    switchyard(&state)
        .args(["audit", "--drill"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(format!("! unfinished: {id}")));

    // Someone checks AWS and closes it by hand; then it is no longer reported.
    switchyard(&state)
        .args(["audit", "--drill", "--ack", "no-such-id", "--reason", "x"])
        .assert()
        .code(2);
    switchyard(&state)
        .args(["audit", "--drill", "--ack", &id])
        .assert()
        .code(2);
    switchyard(&state)
        .args([
            "audit",
            "--sim",
            "region-outage",
            "--ack",
            &id,
            "--reason",
            "checked Route 53: not inverted",
        ])
        .assert()
        .code(0);
    let records = audit(&state);
    assert_eq!(phases(&records), ["intent", "acknowledged"]);
    assert_eq!(records[1]["id"], id.as_str());
    assert_eq!(records[1]["outcome"], "checked Route 53: not inverted");
    assert!(
        records[1]["actor"]
            .as_str()
            .unwrap()
            .starts_with("local user ")
    );
    switchyard(&state)
        .args(FAILOVER)
        .assert()
        .stderr(predicates::str::contains("unfinished").not());
    switchyard(&state)
        .args(["audit", "--drill"])
        .assert()
        .stdout(predicates::str::contains("! unfinished").not());
}

/// A drill (an action on the simulation) never touches the real record: the real audit log is
/// left as it was, a real action's lock on a service of the same name does not block it, and its
/// records go to the drill log, marked `drill`, which `audit --drill` shows and `audit` does not.
#[test]
fn a_drill_never_touches_the_real_audit_log_or_locks() {
    use switchyard::action::lock::ServiceLock;
    let state = state_dir("drill");
    let real_log = state.join("switchyard/audit.jsonl");
    std::fs::create_dir_all(real_log.parent().unwrap()).unwrap();
    let real = r#"{"ts":"2026-11-27T14:02:00Z","id":"real-1","phase":"intent","action":"failover","service":"sample","target":"us-west-2","request":[],"actor":null,"outcome":null,"error":null,"forced_reason":null}"#;
    std::fs::write(&real_log, format!("{real}\n")).unwrap();
    // A real action on a service named like the simulation's is running (it holds its lock).
    let _real_lock =
        ServiceLock::acquire(&state.join("switchyard/locks"), "sample", "failover (real)").unwrap();

    let args = with(
        FAILOVER,
        &["--execute", "--confirm", "sample/us-west-2", "--json"],
    );
    let out = switchyard(&state).args(&args).assert().code(0);
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["report"]["status"], "verified", "{json}");

    assert_eq!(
        std::fs::read_to_string(&real_log).unwrap(),
        format!("{real}\n"),
        "the real audit log changed"
    );
    let drill = audit(&state);
    assert_eq!(phases(&drill), ["intent", "result", "verified"]);
    assert!(drill.iter().all(|r| r["drill"] == true), "{drill:?}");
    assert!(state.join("switchyard/drill-locks/sample.lock").exists());

    let shown = |args: &[&str]| {
        let out = switchyard(&state).args(args).assert().code(0);
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let real_view = shown(&["audit"]);
    assert!(
        real_view.contains("real-1") && !real_view.contains("verified"),
        "{real_view}"
    );
    let drill_view = shown(&["audit", "--drill"]);
    assert!(
        drill_view.contains("drills (actions in the simulation)"),
        "{drill_view}"
    );
    assert!(
        !drill_view.contains("real-1") && drill_view.contains("verified"),
        "{drill_view}"
    );
    let report: Value = serde_json::from_str(&shown(&["audit", "--drill", "--json"])).unwrap();
    assert_eq!(report["drill"], true);
    assert_eq!(report["records"].as_array().unwrap().len(), 3);
    let report: Value = serde_json::from_str(&shown(&["audit", "--json"])).unwrap();
    assert_eq!(report["drill"], false);
    assert!(
        report["records"][0].get("drill").is_none(),
        "real records are as before"
    );
}

#[test]
fn nothing_to_do_in_json_is_still_json() {
    let state = state_dir("nothing-json");
    let out = switchyard(&state)
        .args([
            "failback",
            "--sim",
            "steady",
            "--service",
            "sample",
            "--json",
        ])
        .assert()
        .code(0);
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["schema"], "switchyard.action/1");
    assert_eq!(json["plan"], Value::Null);
    assert_eq!(json["executed"], false);
    assert!(
        json["nothing_to_do"]
            .as_str()
            .unwrap()
            .contains("no health check of sample is inverted"),
        "{json}"
    );
}

// ---------------------------------------------------------------------------------------------
// control-plane-outage: the Route 53 API times out from 1m, the primary of `orders` (arc)
// degrades from 2m. AWS guidance for this outage: fail over with data-plane operations only
// ("AWS Fault Isolation Boundaries", Route 53 appendix; ARC Developer Guide: routing controls
// are changed through the cluster's data plane).
// ---------------------------------------------------------------------------------------------

fn outage(service: &str) -> Vec<String> {
    with(
        &[
            "failover",
            "--sim",
            "control-plane-outage",
            "--at",
            "3m",
            // A running clock, 50 times faster: verification waits for DNS to follow.
            "--speed",
            "50",
            "--service",
            service,
            "--to",
            "us-west-2",
            "--execute",
            "--confirm",
        ],
        &[&format!("{service}/us-west-2")],
    )
}

#[test]
fn in_a_control_plane_outage_the_arc_service_fails_over_and_verifies() {
    let state = state_dir("cp-outage-arc");
    let out = switchyard(&state).args(outage("orders")).assert().code(0);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for expected in [
        "ARC UpdateRoutingControlStates",
        "ok      routing controls fresh: read from the ARC cluster: us-east-1 On, us-west-2 Off",
        "warn    health data fresh: no health data for us-west-2 yet (Route 53 GetHealthCheck in us-east-1: timed out",
        "advisory for arc",
        "ok      DNS answers: ns-1.awsdns-sim answers orders.",
        "preflight passed",
        "DONE, VERIFIED: every routing control reads as planned",
        "DNS (ns-1.awsdns-sim) answers us-west-2 after",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    let records = audit(&state);
    assert_eq!(phases(&records), ["intent", "result", "verified"]);
    assert_eq!(records[0]["forced_reason"], Value::Null, "not forced");
}

#[test]
fn in_a_control_plane_outage_the_invert_health_check_service_is_refused_naming_it() {
    let state = state_dir("cp-outage-invert");
    let out = switchyard(&state).args(outage("legacy")).assert().code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    for expected in [
        "needs the Route 53 control plane (GetHealthCheck and UpdateHealthCheck, in us-east-1)",
        "the Route 53 API is failing (Route 53 GetHealthCheck in us-east-1: timed out",
        "nothing was changed",
    ] {
        assert!(err.contains(expected), "{expected:?} missing in:\n{err}");
    }
    assert!(audit(&state).is_empty(), "nothing sent, nothing logged");
}

/// Before the outage (30s) the same invert-health-check failover plans; at 1m30s, with its
/// health data read before the outage gone stale in a console, preflight would fail on the
/// control plane: here (one read) the plan cannot be made. Either way UpdateHealthCheck is
/// never sent during the outage.
#[test]
fn before_the_outage_the_invert_health_check_plan_is_made() {
    let state = state_dir("cp-outage-before");
    let out = switchyard(&state)
        .args([
            "failover",
            "--sim",
            "control-plane-outage",
            "--at",
            "30s",
            "--service",
            "legacy",
            "--to",
            "us-west-2",
        ])
        .assert()
        .code(0);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("ok      Route 53 control plane: the Route 53 API in us-east-1 answered"),
        "{text}"
    );
}

/// two-responders: teammate alice fails sample over at 3m and holds sample's team lease for 90 s
/// while it runs (README, "Working as a team").
fn two_responders(service: &str, target: &str) -> Vec<String> {
    let confirm = format!("{service}/{target}");
    [
        "failover",
        "--speed",
        "50",
        "--sim",
        "two-responders",
        "--at",
        "3m20s",
        "--service",
        service,
        "--to",
        target,
        "--execute",
        "--confirm",
        &confirm,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn a_service_a_teammate_holds_is_refused_naming_them_and_nothing_is_sent() {
    let state = state_dir("teammate-holds");
    let text = |out: &assert_cmd::assert::Assert| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.get_output().stdout),
            String::from_utf8_lossy(&out.get_output().stderr)
        )
    };
    // The plan already says so: the team source read alice's lease.
    let out = switchyard(&state)
        .args(two_responders("sample", "us-west-2"))
        .assert()
        .code(1);
    let planned = text(&out);
    for expected in [
        "team lease: …/alice (alice-laptop) holds it for failover → us-west-2 since 14:03:00Z",
        "REFUSED: preflight failed",
    ] {
        assert!(
            planned.contains(expected),
            "{expected:?} missing in:\n{planned}"
        );
    }
    // Forcing past preflight does not force past the lease: S3 refuses the second holder.
    let forced = with(
        &two_responders("sample", "us-west-2")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &["--force", "--reason", "drill: try to override alice"],
    );
    let out = switchyard(&state).args(&forced).assert().code(1);
    let refused = text(&out);
    for expected in [
        "sample is being changed by someone else: failover sample → us-west-2 by …/alice on \
         alice-laptop, since 14:03:00Z",
        "nothing was sent",
    ] {
        assert!(
            refused.contains(expected),
            "{expected:?} missing in:\n{refused}"
        );
    }
    assert!(audit(&state).is_empty(), "refused before the intent");
}

#[test]
fn a_drill_on_another_service_takes_and_releases_its_team_lease() {
    let state = state_dir("teammate-other");
    let args = with(
        &two_responders("billing", "us-west-2")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &["--json"],
    );
    let out = switchyard(&state).args(&args).assert().code(0);
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["report"]["status"], "verified", "{json}");
    assert_eq!(
        json["report"]["team_lock"], "held: switchyard/locks/billing.json",
        "{json}"
    );
    let records = audit(&state);
    assert_eq!(phases(&records), ["intent", "result", "verified"]);
    assert_eq!(
        records[0]["team_lock"],
        "held: switchyard/locks/billing.json"
    );
}
