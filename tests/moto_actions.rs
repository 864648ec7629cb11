//! Failover and failback with the `invert-health-check` and `pin-unhealthy` mechanisms end to
//! end against moto, through the real CLI (`--execute --confirm`), checked in moto afterwards.
//!
//! What moto 5.2.5 cannot do shapes these tests (see tests/moto.rs for the details):
//! - CloudWatch GetMetricData fails from the Rust SDK, so Lambda error rates are unknown and the
//!   failover preflight's "target error rate" check is UNKNOWN: the failover has to be forced
//!   with a reason, which is itself what a careful tool should demand.
//! - moto never checks HealthCheckVersion (a stale version is tested with aws-smithy-mocks in
//!   tests/aws_actions/) and wipes a check's Regions when an update omits them, which is what
//!   the Regions assertions below would catch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod moto_support;

use moto_support::*;
use serde_json::Value;
use std::path::Path;

fn audit(config: &Path) -> Vec<Value> {
    let path = config
        .parent()
        .unwrap()
        .join("home/.local/state/switchyard/audit.jsonl");
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn run(config: &Path, args: &[&str]) -> (String, String, i32) {
    let out = switchyard(config)
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap(),
    )
}

const FAILOVER: &[&str] = &["failover", "--service", SERVICE, "--to", SECONDARY];

#[tokio::test]
async fn invert_health_check_failover_and_failback_through_the_cli() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    let primary_check = world.health_check(PRIMARY).to_string();
    let unchanged = || async { moto.health_check_config(&primary_check).await };
    assert_eq!(
        unchanged().await,
        (false, CHECKER_REGIONS.map(String::from).to_vec())
    );

    // The plan, without --execute: the exact call, and why preflight will not pass here.
    let (out, err, code) = run(&config, FAILOVER);
    assert_eq!(code, 1, "preflight fails: metrics unknown\n{out}\n{err}");
    assert!(
        out.contains(&format!(
            "Route 53 UpdateHealthCheck HealthCheckId={primary_check} HealthCheckVersion=1 \
             Inverted=true Regions=[{}]",
            CHECKER_REGIONS.join(",")
        )),
        "{out}"
    );
    assert!(out.contains("UNKNOWN target error rate"), "{out}");
    assert!(
        out.contains("ok      target health check: us-west-2 healthy"),
        "{out}"
    );
    assert!(out.contains("ok      target code"), "{out}");

    // A wrong confirmation, and read-only mode, change nothing in moto and log nothing.
    let reason = ["--force", "--reason", "moto serves no CloudWatch metrics"];
    let wrong = [
        FAILOVER,
        &["--execute", "--confirm", "sample/us-east-1"],
        &reason,
    ]
    .concat();
    let (_, err, code) = run(&config, &wrong);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--confirm must be exactly \"sample/us-west-2\""),
        "{err}"
    );
    let confirmed = [
        FAILOVER,
        &["--execute", "--confirm", "sample/us-west-2"],
        &reason,
    ]
    .concat();
    let read_only = [&confirmed[..], &["--read-only"]].concat();
    let (out, _, code) = run(&config, &read_only);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("REFUSED: read-only mode"), "{out}");
    assert!(!unchanged().await.0, "nothing was inverted");
    assert!(audit(&config).is_empty());

    // Confirmed and forced with a reason: moto's check is inverted, its checker regions kept.
    let (out, err, code) = run(&config, &confirmed);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(
            "DONE, VERIFIED: Inverted flags read back as planned; Route 53 should now answer \
             with us-west-2"
        ),
        "{out}"
    );
    assert_eq!(
        moto.health_check_config(&primary_check).await,
        (true, CHECKER_REGIONS.map(String::from).to_vec())
    );
    let (snap, _) = snapshot(&config);
    assert_eq!(service(&snap, SERVICE)["serving_region"], SECONDARY);

    let records = audit(&config);
    let phases: Vec<&str> = records
        .iter()
        .map(|r| r["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, ["intent", "result", "verified"]);
    let intent = &records[0];
    assert_eq!(intent["action"], "failover");
    assert_eq!(intent["target"], SECONDARY);
    assert!(
        intent["actor"].as_str().unwrap().starts_with("arn:aws:"),
        "the caller ARN from STS: {intent}"
    );
    assert_eq!(intent["forced_reason"], "moto serves no CloudWatch metrics");
    assert_eq!(intent["request"][0]["api"], "UpdateHealthCheck");
    assert_eq!(
        intent["request"][0]["HealthCheckId"],
        primary_check.as_str()
    );
    assert_eq!(intent["request"][0]["Inverted"], true);
    assert_eq!(records[1]["outcome"], "ok");

    // Failback: the primary is healthy to the checkers, so preflight passes without force.
    let (out, _, code) = run(&config, &["failback", "--service", SERVICE]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Inverted=false"), "{out}");
    assert!(out.contains("preflight passed"), "{out}");
    let (out, err, code) = run(
        &config,
        &[
            "failback",
            "--service",
            SERVICE,
            "--execute",
            "--confirm",
            "sample/us-east-1",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Route 53 should now answer with us-east-1"),
        "{out}"
    );
    assert_eq!(
        moto.health_check_config(&primary_check).await,
        (false, CHECKER_REGIONS.map(String::from).to_vec())
    );
    let records = audit(&config);
    assert_eq!(records.len(), 6);
    assert_eq!(records[3]["action"], "failback");
    assert_eq!(records[3]["forced_reason"], Value::Null);
    assert_eq!(records[5]["phase"], "verified");

    // Nothing left to fail back.
    let (out, _, code) = run(&config, &["failback", "--service", SERVICE]);
    assert_eq!(code, 0);
    assert!(out.contains("nothing to do"), "{out}");
}

/// `pin-unhealthy` (README, "Guarded actions"): failover sets Disabled and Inverted on the
/// primary (Route 53 API reference, UpdateHealthCheck `Disabled`: disabled counts healthy, "if
/// you want to stop routing traffic to a resource, change the value of Inverted"; together:
/// always unhealthy). moto stores both flags as sent, which is what this checks, with the
/// serving region switchyard then reports; failback clears both.
#[tokio::test]
async fn pin_unhealthy_failover_and_failback_through_the_cli() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[service.failover]\nmechanism = \"pin-unhealthy\"\n");
    std::fs::write(&config, text).unwrap();
    let primary_check = world.health_check(PRIMARY).to_string();

    let (out, _, code) = run(&config, FAILOVER);
    assert_eq!(code, 1, "preflight fails: metrics unknown\n{out}");
    assert!(
        out.contains(&format!(
            "Route 53 UpdateHealthCheck HealthCheckId={primary_check} HealthCheckVersion=1 \
             Inverted=true Disabled=true Regions=[{}]",
            CHECKER_REGIONS.join(",")
        )),
        "{out}"
    );
    assert!(
        out.contains("no checker data"),
        "the plan states the price: {out}"
    );

    let reason = ["--force", "--reason", "moto serves no CloudWatch metrics"];
    let confirmed = [
        FAILOVER,
        &["--execute", "--confirm", "sample/us-west-2"],
        &reason,
    ]
    .concat();
    let (out, err, code) = run(&config, &confirmed);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        moto.health_check_flags(&primary_check).await,
        (true, true),
        "pinned: Disabled and Inverted"
    );
    assert_eq!(
        moto.health_check_config(&primary_check).await.1,
        CHECKER_REGIONS.map(String::from).to_vec(),
        "checker regions kept"
    );
    let (snap, _) = snapshot(&config);
    let sample = service(&snap, SERVICE);
    assert_eq!(sample["serving_region"], SECONDARY);
    let health = &region(sample, PRIMARY)["health"];
    assert_eq!(health["effective_status"], "unhealthy", "{health}");
    assert_eq!(health["status_source"], "not_checked", "{health}");
    let records = audit(&config);
    assert_eq!(records[0]["request"][0]["Disabled"], true);

    // Failback: the pinned primary has no checker data, so its error rate decides, and moto
    // has no CloudWatch: forced with a reason.
    let (out, err, code) = run(
        &config,
        &[
            "failback",
            "--service",
            SERVICE,
            "--execute",
            "--confirm",
            "sample/us-east-1",
            "--force",
            "--reason",
            "moto serves no CloudWatch metrics",
        ],
    );
    assert!(
        out.contains("Inverted=false Disabled=false"),
        "{out}\n{err}"
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("no checkers' verdict yet"), "{out}");
    assert_eq!(
        moto.health_check_flags(&primary_check).await,
        (false, false)
    );
    let (snap, _) = snapshot(&config);
    assert_eq!(service(&snap, SERVICE)["serving_region"], PRIMARY);
}
