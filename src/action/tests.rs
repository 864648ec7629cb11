//! Plans, preflight and execution against the simulation: what each plan calls with which
//! parameters, when there is nothing to do, how the simulated world reacts, and the guards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::audit::{AuditLog, Phase};
use super::plan::{self, ActionKind, Expect, PlanError};
use super::{Execution, Status, Verification};
use crate::assess::preflight::CheckStatus;
use crate::assess::serving_region;
use crate::config::Thresholds;
use crate::model::{Failover, HealthStatus, Timestamp};
use crate::source::call::{Call, CallErrorKind, OnOff};
use crate::source::sim::SimBackend;
use crate::source::sim::scenario::Scenario;
use crate::source::{Backend, Clock};
use crate::state::State;

fn sim(name: &str) -> SimBackend {
    SimBackend::new(Scenario::built_in(name).unwrap())
}

fn at(backend: &SimBackend, secs: i64) -> Timestamp {
    backend.scenario().start + chrono::Duration::seconds(secs)
}

fn state(backend: &Backend, now: Timestamp) -> State {
    match backend {
        Backend::Sim(sim) => sim.state_at(now, Thresholds::default()),
        Backend::Aws(_) => unreachable!("simulation only"),
    }
}

fn temp_log(name: &str) -> AuditLog {
    let dir = std::env::temp_dir().join(format!("switchyard-action-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    AuditLog::new(dir.join("audit.jsonl"))
}

fn exec<'a>(
    backend: &'a Backend,
    log: &'a AuditLog,
    clock: &'a Clock,
    actor: Option<String>,
) -> Execution<'a> {
    Execution {
        backend,
        log,
        clock,
        actor,
        verification: Verification::for_clock(clock),
    }
}

/// Errors over invocations of every function of a service in every region.
fn service_error_rate(state: &State, service: &str) -> f64 {
    let svc = state.service(service).unwrap();
    let (mut inv, mut err) = (0u64, 0u64);
    for r in &svc.regions {
        for f in &r.functions.as_ref().unwrap().value {
            inv += f.invocations.unwrap();
            err += f.errors.unwrap();
        }
    }
    100.0 * err as f64 / inv as f64
}

#[test]
fn failover_inverts_the_serving_primary_with_its_version_and_checker_regions() {
    let sim = sim("region-outage");
    let now = at(&sim, 150);
    let state = sim.state_at(now, Thresholds::default());
    let p = plan::failover(&state, "sample", "us-west-2", now).unwrap();
    assert_eq!(p.action, ActionKind::Failover);
    assert_eq!(p.confirm, "sample/us-west-2");
    assert!(p.uses_control_plane);
    let primary = state.service("sample").unwrap().regions[0]
        .health
        .clone()
        .unwrap()
        .value;
    assert_eq!(
        p.calls,
        vec![Call::UpdateHealthCheck {
            health_check_id: primary.id.clone(),
            health_check_version: 1,
            inverted: true,
            regions: primary.checker_regions.clone(),
        }]
    );
    assert_eq!(primary.checker_regions.len(), 8);
    let secondary = state.service("sample").unwrap().regions[1]
        .health
        .clone()
        .unwrap()
        .value;
    assert_eq!(
        p.expect,
        Expect::HealthChecks {
            inverted: vec![(primary.id.clone(), true)],
            serving: "us-west-2".into(),
            checks: vec![
                ("us-east-1".into(), primary.id, HealthStatus::Healthy),
                ("us-west-2".into(), secondary.id, HealthStatus::Healthy)
            ],
        }
    );
    assert_eq!(p.predicted.as_deref(), Some("us-west-2"));
    assert!(p.preflight.passed(), "{:?}", p.preflight);
    assert_eq!(p.preflight.checks.len(), 6);
}

/// (region, inverted) of each UpdateHealthCheck, in call order.
fn flags(p: &super::Plan, state: &State, service: &str) -> Vec<(String, bool)> {
    let svc = state.service(service).unwrap();
    p.calls
        .iter()
        .map(|c| match c {
            Call::UpdateHealthCheck {
                health_check_id,
                inverted,
                ..
            } => {
                let region = svc
                    .regions
                    .iter()
                    .find(|r| r.health.as_ref().unwrap().value.id == *health_check_id)
                    .unwrap();
                (region.region.clone(), *inverted)
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

fn set_health(
    state: &mut State,
    service: usize,
    region: usize,
    f: impl Fn(&mut crate::model::HealthCheck),
) {
    let mut h = state.services[service].regions[region]
        .health
        .clone()
        .unwrap();
    f(&mut h.value);
    state.services[service].regions[region].health = Some(h);
}

#[test]
fn failover_past_two_regions_inverts_the_nearer_first_so_traffic_moves_once() {
    let sim = sim("region-outage");
    let now = at(&sim, 60);
    let state = sim.state_at(now, Thresholds::default());
    let p = plan::failover(&state, "billing", "eu-west-1", now).unwrap();
    assert_eq!(
        flags(&p, &state, "billing"),
        [
            ("us-west-2".to_string(), true),
            ("us-east-1".to_string(), true)
        ],
        "us-west-2 first: it does not serve, so traffic moves only once, straight to eu-west-1"
    );
    assert_eq!(p.confirm, "billing/eu-west-1");
    assert_eq!(p.predicted.as_deref(), Some("eu-west-1"));
}

#[test]
fn a_failing_region_ahead_of_the_target_is_not_inverted_and_a_disabled_one_stops_the_plan() {
    let sim = sim("region-outage");
    let now = at(&sim, 60);
    let mut state = sim.state_at(now, Thresholds::default());
    // us-west-2 fails and was inverted by someone: inverted, it counts healthy and would serve.
    set_health(&mut state, 1, 1, |h| {
        h.raw = HealthStatus::Unhealthy;
        h.inverted = true;
    });
    let p = plan::failover(&state, "billing", "eu-west-1", now).unwrap();
    assert_eq!(
        flags(&p, &state, "billing"),
        [
            ("us-west-2".to_string(), false),
            ("us-east-1".to_string(), true)
        ],
        "un-invert the failing us-west-2 (inverted, it would take the traffic), invert us-east-1"
    );
    assert_eq!(p.predicted.as_deref(), Some("eu-west-1"));
    let lands = p
        .preflight
        .checks
        .iter()
        .find(|c| c.name == "lands on target")
        .unwrap();
    assert_eq!(lands.status, CheckStatus::Pass);

    set_health(&mut state, 1, 1, |h| h.disabled = true);
    let err = plan::failover(&state, "billing", "eu-west-1", now).unwrap_err();
    assert!(matches!(err, PlanError::Impossible(_)), "{err}");
    assert!(err.to_string().contains("us-west-2 is Disabled"), "{err}");
}

#[test]
fn plans_say_when_there_is_nothing_to_do_or_the_request_is_wrong() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let state = sim.state_at(now, Thresholds::default());
    assert!(matches!(
        plan::failover(&state, "sample", "us-east-1", now),
        Err(PlanError::NothingToDo(_))
    ));
    assert!(matches!(
        plan::failback(&state, "sample", now),
        Err(PlanError::NothingToDo(_))
    ));
    let err = plan::failover(&state, "sample", "eu-north-1", now).unwrap_err();
    assert!(
        err.to_string()
            .contains("its regions: us-east-1, us-west-2"),
        "{err}"
    );
    assert!(matches!(
        plan::failover(&state, "nope", "us-east-1", now),
        Err(PlanError::UnknownService(..))
    ));
}

#[test]
fn preflight_with_nothing_read_is_unknown_never_a_pass() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut state = State::new(
        "t".into(),
        sim.services(),
        &sim.plan(),
        Thresholds::default(),
    );
    // Only health, so a plan can be made; everything else unknown.
    let full = sim.state_at(now, Thresholds::default());
    for (mine, theirs) in state.services.iter_mut().zip(&full.services) {
        for (r, f) in mine.regions.iter_mut().zip(&theirs.regions) {
            r.health = f.health.clone();
        }
    }
    let p = plan::failover(&state, "sample", "us-west-2", now).unwrap();
    assert!(
        p.effect.starts_with("Route 53 will answer"),
        "verdicts known: {}",
        p.effect
    );
    assert!(!p.preflight.passed());
    let unknown: Vec<&str> = p
        .preflight
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Unknown)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        unknown,
        ["target error rate", "target domains and DNS", "target code"]
    );
}

#[test]
fn an_arc_service_sets_every_routing_control_in_one_call_without_the_control_plane() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut state = sim.state_at(now, Thresholds::default());
    let endpoints = vec![
        "https://a.example/v1".to_string(),
        "https://b.example/v1".to_string(),
    ];
    state.services[0].service.failover = Failover::Arc {
        cluster_endpoints: endpoints.clone(),
        routing_controls: [("us-east-1", "arn:east"), ("us-west-2", "arn:west")]
            .into_iter()
            .map(|(r, a)| (r.to_string(), a.to_string()))
            .collect(),
    };
    let p = plan::failover(&state, "sample", "us-west-2", now).unwrap();
    assert!(!p.uses_control_plane);
    let Call::UpdateRoutingControlStates {
        cluster_endpoints,
        update_routing_control_state_entries: entries,
    } = &p.calls[0]
    else {
        panic!("{:?}", p.calls)
    };
    assert_eq!(p.calls.len(), 1);
    assert_eq!(cluster_endpoints, &endpoints);
    let states: Vec<(&str, OnOff)> = entries
        .iter()
        .map(|e| (e.routing_control_arn.as_str(), e.routing_control_state))
        .collect();
    assert_eq!(states, [("arn:east", OnOff::Off), ("arn:west", OnOff::On)]);
    // Failback turns the primary back on, the rest off.
    let back = plan::failback(&state, "sample", now).unwrap();
    assert_eq!(back.confirm, "sample/us-east-1");
    assert_eq!(
        back.expect,
        Expect::RoutingControls {
            cluster_endpoints: endpoints,
            states: vec![("arn:east".into(), true), ("arn:west".into(), false)]
        }
    );
}

#[test]
fn approval_carries_the_token_and_the_replication_verdict_within_the_summary_limit() {
    let sim = sim("slow-replication");
    let now = at(&sim, 120);
    let state = sim.state_at(now, Thresholds::default());
    let pending = state
        .service("sample")
        .unwrap()
        .pipeline
        .clone()
        .unwrap()
        .value
        .pending
        .unwrap();
    let long = "x".repeat(600);
    let p = plan::approval(&state, "sample", true, &long, now).unwrap();
    let Call::PutApprovalResult {
        token,
        result,
        pipeline_name,
        region,
        ..
    } = &p.calls[0]
    else {
        panic!()
    };
    assert_eq!(token, &pending.token);
    assert_eq!(pipeline_name, "sample-deploy");
    assert_eq!(region, "us-east-1");
    assert_eq!(result.summary.chars().count(), 512);
    assert!(
        result.summary.starts_with("xxx")
            && result
                .summary
                .contains("… [switchyard: replication: NOT READY (")
            && result.summary.ends_with(")]"),
        "the user's text is cut, the verdict survives: {}",
        result.summary
    );
    assert!(
        !p.preflight.passed(),
        "replication to us-west-2 is still pending at 2m"
    );
    let p = plan::approval(&state, "sample", true, "ok", now).unwrap();
    let Call::PutApprovalResult { result, .. } = &p.calls[0] else {
        panic!()
    };
    assert!(
        result
            .summary
            .starts_with("ok [switchyard: replication: NOT READY ("),
        "{}",
        result.summary
    );
    let reject = plan::approval(&state, "sample", false, "no", now).unwrap();
    assert_eq!(reject.action, ActionKind::Reject);
    assert!(reject.preflight.checks.is_empty() && reject.preflight.passed());
    // Later, once replicated, approval passes preflight.
    let later = at(&sim, 360);
    let state = sim.state_at(later, Thresholds::default());
    assert!(
        plan::approval(&state, "sample", true, "ok", later)
            .unwrap()
            .preflight
            .passed()
    );
}

#[tokio::test]
async fn failover_in_a_region_outage_moves_traffic_and_the_error_rate_falls() {
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    // At 1m30s the primary's errors climb but its health check still passes.
    let act_at = at(s, 90);
    let before = state(&backend, act_at);
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
    let acted = state(&backend, later);
    let untouched = state(&Backend::Sim(sim("region-outage")), later);
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
    let p = plan::failover(&state(&backend, act_at), "sample", "us-west-2", act_at).unwrap();
    backend.execute(&p.calls[0], act_at).await.unwrap();
    // By 5m30s the primary is down: inverted, Route 53 counts it healthy again.
    let later = at(s, 330);
    let st = state(&backend, later);
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
        serving_region(state(&backend, later).service("sample").unwrap()),
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
    let p = plan::failover(&state(&backend, now), "sample", "us-west-2", now).unwrap();
    backend.execute(&p.calls[0], now).await.unwrap();
    let st = state(&backend, now);
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
    let p = plan::failover(&state(&backend, now), "sample", "us-west-2", now).unwrap();
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
    let mut a = plan::approval(&state(&sim2, now), "sample", false, "no", now).unwrap();
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
    let before = state(&backend, now);
    let p = plan::failover(&before, "sample", "us-west-2", now).unwrap();
    let err = backend.execute(&p.calls[0], now).await.unwrap_err();
    assert_eq!(err.kind, CallErrorKind::ReadOnly);
    assert_eq!(state(&backend, now), before, "nothing changed");
}

#[tokio::test]
async fn an_unwritable_audit_log_aborts_before_any_call() {
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let now = at(s, 150);
    let before = state(&backend, now);
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
    assert_eq!(state(&backend, now), before, "nothing changed");
}

#[tokio::test]
async fn a_second_action_on_a_service_in_flight_is_refused() {
    let backend = Backend::Sim(sim("region-outage"));
    let Backend::Sim(s) = &backend else {
        unreachable!()
    };
    let now = at(s, 90);
    let before = state(&backend, now);
    let p = plan::failover(&before, "sample", "us-west-2", now).unwrap();
    let log = temp_log("in-flight");
    // Another process (this one, as far as the lock can tell) holds sample's lock.
    let held = super::lock::ServiceLock::acquire(
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
    assert_eq!(state(&backend, now), before);
    drop(held);
    assert_eq!(exec.run(&p, None).await.status, Status::Verified);
}

#[test]
fn an_unknown_verdict_makes_the_effect_a_hope_not_a_prediction() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut state = sim.state_at(now, Thresholds::default());
    let mut h = state.services[0].regions[1].health.clone().unwrap();
    h.value.raw = HealthStatus::Unknown;
    state.services[0].regions[1].health = Some(h);
    let p = plan::failover(&state, "sample", "us-west-2", now).unwrap();
    assert!(p.effect.contains("cannot be predicted"), "{}", p.effect);
    assert_eq!(p.preflight.checks[1].status, CheckStatus::Unknown);
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
    let p = plan::failover(&state(&backend, now), "sample", "us-west-2", now).unwrap();
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
    let p = plan::failover(&state(&backend, now), "billing", "eu-west-1", now).unwrap();
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

#[test]
fn preflight_does_not_pass_on_data_it_cannot_compare() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut state = sim.state_at(now, Thresholds::default());
    let mut f = state.services[0].regions[1].functions.clone().unwrap();
    f.value[0].code_sha256 = None;
    state.services[0].regions[1].functions = Some(f);
    let mut d = state.services[0].regions[1].domains.clone().unwrap();
    d.value[0].regional_target = None;
    state.services[0].regions[1].domains = Some(d);
    let p = plan::failover(&state, "sample", "us-west-2", now).unwrap();
    let status = |name: &str| {
        p.preflight
            .checks
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .status
    };
    assert_eq!(status("target code"), CheckStatus::Unknown);
    assert_eq!(status("target domains and DNS"), CheckStatus::Unknown);
    // Lambda data older than its refresh allows is not evidence either.
    let later = now + chrono::Duration::minutes(10);
    let p = plan::failover(&state, "sample", "us-west-2", later).unwrap();
    let check = p
        .preflight
        .checks
        .iter()
        .find(|c| c.name == "target error rate")
        .unwrap();
    assert_eq!(check.status, CheckStatus::Unknown, "{check:?}");
    assert!(
        check.detail.contains("Lambda data of us-west-2 is 10m"),
        "{}",
        check.detail
    );
}

#[test]
fn an_arc_target_whose_check_follows_its_routing_control_is_judged_by_the_other_checks() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut state = sim.state_at(now, Thresholds::default());
    state.services[0].service.failover = Failover::Arc {
        cluster_endpoints: vec!["https://a.example/v1".into()],
        routing_controls: [("us-east-1", "arn:east"), ("us-west-2", "arn:west")]
            .into_iter()
            .map(|(r, a)| (r.to_string(), a.to_string()))
            .collect(),
    };
    // The target's RECOVERY_CONTROL check reads unhealthy: its routing control is Off.
    set_health(&mut state, 0, 1, |h| {
        h.follows_routing_control = true;
        h.raw = HealthStatus::Unhealthy;
    });
    let p = plan::failover(&state, "sample", "us-west-2", now).unwrap();
    let check = p
        .preflight
        .checks
        .iter()
        .find(|c| c.name == "target health check")
        .unwrap();
    assert_eq!(check.status, CheckStatus::Pass, "{check:?}");
    assert!(
        check.detail.contains("follows its ARC routing control"),
        "{}",
        check.detail
    );
    assert!(p.preflight.passed(), "{:?}", p.preflight);
}
