//! Execution against the simulation: the world's reaction, audit phases, conflicts, partial
//! results and the guards (read-only, an unwritable log, a service in flight).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[tokio::test]
async fn failover_in_a_region_outage_moves_traffic_and_the_error_rate_falls() {
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    // At 1m30s the primary's errors climb but its health check still passes.
    let act_at = at(s, 90);
    let before = fleet(&backend, act_at);
    assert_eq!(
        serving_region(before.service("sample").unwrap()),
        Some("us-east-1")
    );
    let p = plan::failover(&before, "sample", "us-west-2", act_at).unwrap();
    assert!(
        p.effect
            .starts_with("Route 53 will answer sample.fed.dev with us-west-2"),
        "{}",
        p.effect
    );
    let log = temp_log("outage");
    let clock = Clock::fixed(act_at);
    let exec = exec(&backend, &log, &clock, Some("arn:test".into()));
    let report = exec.run(&p, None).await;
    assert_eq!(report.status, Status::Verified, "{report:?}");
    let phases: Vec<Phase> = log.read().unwrap().iter().map(|r| r.phase).collect();
    assert_eq!(phases, [Phase::Intent, Phase::Result, Phase::Verified]);

    // Two minutes on, compare with the same world where nobody acted.
    let later = at(s, 200);
    let acted = fleet(&backend, later);
    let untouched = fleet(&Backend::Sim(sim("region-outage")), later);
    let svc = acted.service("sample").unwrap();
    assert_eq!(serving_region(svc), Some("us-west-2"));
    assert_eq!(
        serving_region(untouched.service("sample").unwrap()),
        Some("us-east-1")
    );
    let (with, without) = (
        service_error_rate(&acted, "sample"),
        service_error_rate(&untouched, "sample"),
    );
    assert!(
        with < without * 0.75,
        "error rate {with:.2}% after failover vs {without:.2}% without"
    );
}

#[tokio::test]
async fn an_inverted_check_on_a_dead_primary_draws_traffic_back_and_failback_fixes_it() {
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let act_at = at(s, 90);
    let p = plan::failover(&fleet(&backend, act_at), "sample", "us-west-2", act_at).unwrap();
    backend.execute(&p.calls[0], act_at).await.unwrap();
    // By 5m30s the primary is down: inverted, Route 53 counts it healthy again.
    let later = at(s, 330);
    let st = fleet(&backend, later);
    let svc = st.service("sample").unwrap();
    assert_eq!(serving_region(svc), Some("us-east-1"));
    let hazard = crate::assess::findings(&st, svc, later)
        .into_iter()
        .find(|f| f.code == crate::model::FindingCode::HealthInverted)
        .unwrap();
    assert_eq!(hazard.severity, crate::model::Severity::Critical);
    assert!(hazard.message.contains("fail back"), "{}", hazard.message);
    // Failing back lets Route 53 fail over by itself; preflight sees that and passes.
    let back = plan::failback(&st, "sample", later).unwrap();
    assert_eq!(
        back.effect,
        "Route 53 will answer sample.fed.dev with us-west-2, NOT us-east-1 (now us-east-1): the checkers see us-east-1 failing, or every region unhealthy (Route 53 then fails open)"
    );
    assert!(back.preflight.passed(), "{:?}", back.preflight);
    let log = temp_log("dead-primary");
    let clock = Clock::fixed(later);
    let report = exec(&backend, &log, &clock, None).run(&back, None).await;
    assert_eq!(report.status, Status::Verified, "{report:?}");
    assert_eq!(
        serving_region(fleet(&backend, later).service("sample").unwrap()),
        Some("us-west-2")
    );
}

#[tokio::test]
async fn failback_to_a_failing_primary_is_refused() {
    // Fail over in steady, then make every region fail: un-inverting would hand the traffic
    // to a failing primary (Route 53 fails open), so preflight refuses.
    let backend = Backend::Sim(sim("steady"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let now = at(s, 60);
    let p = plan::failover(&fleet(&backend, now), "sample", "us-west-2", now).unwrap();
    backend.execute(&p.calls[0], now).await.unwrap();
    let st = fleet(&backend, now);
    let back = plan::failback(&st, "sample", now).unwrap();
    assert!(
        back.preflight.passed(),
        "a healthy primary may take the traffic back"
    );
    assert_eq!(back.confirm, "sample/us-east-1");
    let mut sick = st.clone();
    let primary = &mut sick.services[0].regions[0];
    let mut h = primary.health.clone().unwrap();
    h.value.raw = crate::model::HealthStatus::Unhealthy;
    primary.health = Some(h);
    let mut other = sick.services[0].regions[1].health.clone().unwrap();
    other.value.raw = crate::model::HealthStatus::Unhealthy;
    sick.services[0].regions[1].health = Some(other);
    let back = plan::failback(&sick, "sample", now).unwrap();
    let check = back
        .preflight
        .checks
        .iter()
        .find(|c| c.name == "primary health check")
        .unwrap();
    assert_eq!(check.status, CheckStatus::Fail, "{check:?}");
}

#[tokio::test]
async fn a_plan_made_from_an_old_read_is_refused_as_a_conflict() {
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let now = at(s, 150);
    let p = plan::failover(&fleet(&backend, now), "sample", "us-west-2", now).unwrap();
    backend.execute(&p.calls[0], now).await.unwrap();
    // The same plan again: its HealthCheckVersion is now stale.
    let err = backend.execute(&p.calls[0], now).await.unwrap_err();
    assert_eq!(err.kind, CallErrorKind::Conflict);
    assert!(err.message.contains("HealthCheckVersionMismatch"), "{err}");
    // So is answering an approval with a token that is not (or no longer) waiting.
    let sim2 = Backend::Sim(sim("slow-replication"));
    let Backend::Sim(s2) = &sim2 else {
        unreachable!()
    };
    let now = at(s2, 120);
    let mut a = plan::approval(&fleet(&sim2, now), "sample", false, "no", now).unwrap();
    if let Call::PutApprovalResult { token, .. } = &mut a.calls[0] {
        *token = "stale".into();
    }
    let err = sim2.execute(&a.calls[0], now).await.unwrap_err();
    assert_eq!(err.kind, CallErrorKind::Conflict);
}

#[tokio::test]
async fn read_only_is_refused_by_the_backend_itself() {
    let backend = Backend::Sim(sim("region-outage").read_only(true));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let now = at(s, 150);
    let before = fleet(&backend, now);
    let p = plan::failover(&before, "sample", "us-west-2", now).unwrap();
    let err = backend.execute(&p.calls[0], now).await.unwrap_err();
    assert_eq!(err.kind, CallErrorKind::ReadOnly);
    assert_eq!(fleet(&backend, now), before, "nothing changed");
}

#[tokio::test]
async fn an_unwritable_audit_log_aborts_before_any_call() {
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let now = at(s, 150);
    let before = fleet(&backend, now);
    let p = plan::failover(&before, "sample", "us-west-2", now).unwrap();
    let log = AuditLog::new("/proc/switchyard-cannot-write/audit.jsonl");
    let clock = Clock::fixed(now);
    let report = exec(&backend, &log, &clock, None).run(&p, None).await;
    assert_eq!(report.status, Status::Failed);
    assert!(
        report.message.contains("the action was not started"),
        "{}",
        report.message
    );
    assert_eq!(fleet(&backend, now), before, "nothing changed");
}

#[tokio::test]
async fn a_second_action_on_a_service_in_flight_is_refused() {
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let now = at(s, 90);
    let before = fleet(&backend, now);
    let p = plan::failover(&before, "sample", "us-west-2", now).unwrap();
    let log = temp_log("in-flight");
    // Another process (this one, as far as the lock can tell) holds sample's lock.
    let held = crate::action::lock::ServiceLock::acquire(
        &log.path().parent().unwrap().join("locks"),
        "sample",
        "failback sample -> us-east-1",
    )
    .unwrap();
    let clock = Clock::fixed(now);
    let exec = exec(&backend, &log, &clock, None);
    let report = exec.run(&p, None).await;
    assert_eq!(report.status, Status::Refused);
    assert!(
        report
            .message
            .contains("another action on sample is in flight"),
        "{}",
        report.message
    );
    assert!(log.read().unwrap().is_empty());
    assert_eq!(fleet(&backend, now), before);
    drop(held);
    assert_eq!(exec.run(&p, None).await.status, Status::Verified);
}

#[tokio::test]
async fn an_error_answer_for_a_change_that_was_applied_is_verified_by_looking() {
    // What a timed-out UpdateHealthCheck retried by the SDK looks like: the first attempt was
    // applied, the retry carries the old version and is refused as a conflict.
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let now = at(s, 90);
    let p = plan::failover(&fleet(&backend, now), "sample", "us-west-2", now).unwrap();
    backend.execute(&p.calls[0], now).await.unwrap();
    let log = temp_log("applied-anyway");
    let clock = Clock::fixed(now);
    let report = exec(&backend, &log, &clock, None).run(&p, None).await;
    assert_eq!(report.status, Status::Verified, "{report:?}");
    assert!(
        report.message.starts_with("the call answered with an error (Route 53 UpdateHealthCheck: HealthCheckVersionMismatch"),
        "{}",
        report.message
    );
    assert!(
        report
            .message
            .contains("re-reading shows the change was applied"),
        "{}",
        report.message
    );
    let records = log.read().unwrap();
    let phases: Vec<Phase> = records.iter().map(|r| r.phase).collect();
    assert_eq!(phases, [Phase::Intent, Phase::Result, Phase::Verified]);
    assert_eq!(records[1].outcome.as_deref(), Some("conflict"));
}

#[tokio::test]
async fn a_failure_after_some_calls_is_recorded_as_partial() {
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let now = at(s, 60);
    let p = plan::failover(&fleet(&backend, now), "billing", "eu-west-1", now).unwrap();
    assert_eq!(p.calls.len(), 2);
    // Someone flips us-east-1 twice meanwhile: its version moves on, its flag is back.
    let mut other = p.calls[1].clone();
    backend.execute(&other, now).await.unwrap();
    if let Call::UpdateHealthCheck {
        health_check_version,
        inverted,
        ..
    } = &mut other
    {
        *health_check_version += 1;
        *inverted = false;
    }
    backend.execute(&other, now).await.unwrap();
    let log = temp_log("partial");
    let clock = Clock::fixed(now);
    let report = exec(&backend, &log, &clock, None).run(&p, None).await;
    assert_eq!(report.status, Status::Failed, "{report:?}");
    assert_eq!(report.answers.len(), 1);
    let records = log.read().unwrap();
    let outcome = records[1].outcome.clone().unwrap();
    assert!(
        outcome.starts_with("partial: 1 of 2 calls made (health check: Inverted=true"),
        "{outcome}"
    );
    assert!(outcome.ends_with("then conflict"), "{outcome}");
    assert_eq!(records.len(), 2, "not applied, so no verification record");
}

/// `pin-unhealthy` in the simulation (the same rules as the AWS path): failover pins the primary
/// (Disabled and Inverted), which Route 53 then counts unhealthy whatever the checkers see, so
/// the secondary serves, and the pinned check has no checkers' verdict; failback un-pins it and
/// the checkers judge it again.
#[tokio::test]
async fn pin_unhealthy_in_the_simulation_moves_traffic_and_failback_unpins() {
    let mut scenario = crate::source::sim::scenario::Scenario::built_in("steady").unwrap();
    scenario.services[0].failover = crate::source::sim::scenario::SimFailover::PinUnhealthy;
    let backend = Backend::Sim(crate::source::sim::SimBackend::new(scenario));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let act_at = at(s, 90);
    let before = fleet(&backend, act_at);
    let p = plan::failover(&before, "sample", "us-west-2", act_at).unwrap();
    let log = temp_log("pin");
    let clock = Clock::fixed(act_at);
    let report = exec(&backend, &log, &clock, Some("arn:test".into()))
        .run(&p, None)
        .await;
    assert_eq!(report.status, Status::Verified, "{report:?}");

    let later = at(s, 200);
    let pinned = fleet(&backend, later);
    let svc = pinned.service("sample").unwrap();
    assert_eq!(serving_region(svc), Some("us-west-2"));
    let primary = &svc.regions[0].health.as_ref().unwrap().value;
    assert!(primary.pinned_unhealthy(), "{primary:?}");
    assert_eq!(
        primary.raw,
        HealthStatus::Unknown,
        "not checked while pinned"
    );
    assert!(primary.observations.is_empty());
    assert_eq!(primary.effective(), HealthStatus::Unhealthy);

    let back = plan::failback(&pinned, "sample", later).unwrap();
    let clock = Clock::fixed(later);
    let report = exec(&backend, &log, &clock, Some("arn:test".into()))
        .run(&back, None)
        .await;
    assert_eq!(report.status, Status::Verified, "{report:?}");
    let after = fleet(&backend, at(s, 300));
    let svc = after.service("sample").unwrap();
    assert_eq!(serving_region(svc), Some("us-east-1"));
    let primary = &svc.regions[0].health.as_ref().unwrap().value;
    assert_eq!((primary.inverted, primary.disabled), (false, false));
    assert_eq!(primary.raw, HealthStatus::Healthy);
}

/// The simulated name servers follow the world's serving region (the same rule, not a copy)
/// `DNS_PROPAGATION_S` later, and verification on a running clock waits for them.
#[tokio::test]
async fn the_simulated_dns_follows_a_failover_and_verification_waits_for_it() {
    use crate::source::sim::world::{DNS_NAMESERVER, DNS_PROPAGATION_S, DNS_TTL_S};
    let backend = Backend::Sim(sim("steady"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let act_at = at(s, 120);
    let p = plan::failover(&fleet(&backend, act_at), "sample", "us-west-2", act_at).unwrap();
    let log = temp_log("dns-follows");
    // Simulated time 100 times faster than the wall clock, from the moment of the failover.
    let clock = Clock::sim(act_at, 100.0);
    let report = exec(&backend, &log, &clock, None).run(&p, None).await;
    assert_eq!(report.status, Status::Verified, "{report:?}");
    assert!(
        report
            .message
            .contains(&format!("DNS ({DNS_NAMESERVER}) answers us-west-2 after")),
        "{}",
        report.message
    );
    // The call was made on the running clock, a little after 120 s (more on a busy machine):
    // the first second at which the world serves us-west-2.
    let called = (120..180)
        .find(|&secs| {
            serving_region(fleet(&backend, at(s, secs)).service("sample").unwrap())
                == Some("us-west-2")
        })
        .unwrap();
    let answer = |secs: i64| {
        let truth = s.dns_truth("sample", at(s, called + secs)).unwrap();
        assert_eq!(truth.ttl_s, Some(DNS_TTL_S));
        truth.answer_region
    };
    assert_eq!(answer(DNS_PROPAGATION_S - 1).as_deref(), Some("us-east-1"));
    assert_eq!(answer(DNS_PROPAGATION_S + 1).as_deref(), Some("us-west-2"));
}
