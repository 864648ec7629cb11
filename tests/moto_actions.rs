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

mod dns_support;
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

/// A failover whose verification waits for DNS. moto serves no DNS, so a real authoritative
/// server (hickory-server, in-process) serves the zone, and a task here follows moto's health
/// check flags as Route 53 would: once the primary's check reads Inverted (unhealthy), the
/// failover record answers with the secondary (Route 53 Developer Guide, "How health checks
/// work in simple Amazon Route 53 configurations" / failover routing), a few seconds later (the
/// change reaching Route 53's name servers). The CLI is pointed at that server with `[dns]
/// nameservers` and must end "verified" only when it answers with the target.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_verification_waits_for_the_authoritative_dns_answer() {
    use dns_support::{DnsServer, cname};
    const TTL: u32 = 5;
    const PROPAGATION: std::time::Duration = std::time::Duration::from_secs(3);
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let dns = std::sync::Arc::new(
        DnsServer::start(
            ZONE,
            vec![cname(DOMAIN, TTL, &format!("{PRIMARY}.{DOMAIN}"))],
        )
        .await,
    );
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[dns]\nnameservers = [\"{}\"]\n", dns.addr));
    // `[dns]` is a table: it must come before the [[service]] array's tables.
    let (head, services) = text.split_once("[[service]]").unwrap();
    let (services, dns_table) = services.split_once("\n[dns]").unwrap();
    std::fs::write(
        &config,
        format!("{head}[dns]{dns_table}\n[[service]]{services}"),
    )
    .unwrap();
    let primary_check = world.health_check(PRIMARY).to_string();

    // Before: DNS answers the primary, and the snapshot shows it.
    let (snap, _) = snapshot(&config);
    let dns_report = &service(&snap, SERVICE)["dns"];
    assert_eq!(dns_report["answer_region"], PRIMARY, "{dns_report}");
    assert_eq!(dns_report["ttl_s"], TTL);
    assert_eq!(dns_report["nameserver"], dns.addr.to_string());

    // Route 53's part, played by the test: follow the flags into the served record.
    let follower = {
        let dns = std::sync::Arc::clone(&dns);
        let client = moto.route53();
        let check = primary_check.clone();
        tokio::spawn(async move {
            loop {
                let inverted = client
                    .get_health_check()
                    .health_check_id(&check)
                    .send()
                    .await
                    .ok()
                    .and_then(|o| {
                        o.health_check()
                            .and_then(|h| h.health_check_config().cloned())
                    })
                    .and_then(|c| c.inverted())
                    .unwrap_or(false);
                if inverted {
                    tokio::time::sleep(PROPAGATION).await;
                    dns.upsert(cname(DOMAIN, TTL, &format!("{SECONDARY}.{DOMAIN}")))
                        .await;
                    return std::time::Instant::now();
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    };

    let confirmed: Vec<String> = [
        FAILOVER,
        &["--execute", "--confirm", "sample/us-west-2"],
        &["--force", "--reason", "moto serves no CloudWatch metrics"],
    ]
    .concat()
    .iter()
    .map(|s| s.to_string())
    .collect();
    let started = std::time::Instant::now();
    let (out, err, code) = tokio::task::spawn_blocking({
        let config = config.clone();
        move || {
            let args: Vec<&str> = confirmed.iter().map(String::as_str).collect();
            run(&config, &args)
        }
    })
    .await
    .unwrap();
    let took = started.elapsed();
    let switched = follower.await.unwrap();
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("waiting for DNS:") && out.contains(&format!("answers {PRIMARY}")),
        "progress while the name server still answers the primary:\n{out}"
    );
    let line = format!("DNS ({}) answers {SECONDARY} after", dns.addr);
    assert!(
        out.contains("DONE, VERIFIED:") && out.contains(&line),
        "{out}"
    );
    assert!(
        switched <= std::time::Instant::now() && took >= PROPAGATION,
        "verification ended before DNS followed ({took:?})"
    );
    eprintln!("failover call to DNS-confirmed verification: {took:?}\n{out}");
    match std::sync::Arc::try_unwrap(dns) {
        Ok(dns) => dns.stop().await,
        Err(_) => panic!("the DNS server is still shared"),
    }
}
