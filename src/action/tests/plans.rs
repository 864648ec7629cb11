//! Plans and preflight: the calls, their order and parameters, predictions and refusals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn failover_inverts_the_serving_primary_with_its_version_and_checker_regions() {
    let sim = sim("region-outage");
    let now = at(&sim, 150);
    let fleet = Fleet::simulated(&sim, now, Thresholds::default());
    let p = plan::failover(&fleet, "sample", "us-west-2", now).unwrap();
    assert_eq!(p.action, ActionKind::Failover);
    assert_eq!(p.confirm, "sample/us-west-2");
    assert!(p.uses_control_plane);
    let primary = fleet.service("sample").unwrap().regions[0]
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
            disabled: None,
            regions: primary.checker_regions.clone(),
        }]
    );
    assert_eq!(primary.checker_regions.len(), 8);
    let secondary = fleet.service("sample").unwrap().regions[1]
        .health
        .clone()
        .unwrap()
        .value;
    assert_eq!(
        p.expect,
        Expect::HealthChecks {
            inverted: vec![(primary.id.clone(), true)],
            disabled: Vec::new(),
            serving: "us-west-2".into(),
            checks: vec![
                ("us-east-1".into(), primary.id, HealthStatus::Healthy),
                ("us-west-2".into(), secondary.id, HealthStatus::Healthy)
            ],
        }
    );
    assert_eq!(p.predicted.as_deref(), Some("us-west-2"));
    assert!(p.preflight.passed(), "{:?}", p.preflight);
    // Six checks of the target, and the Route 53 control plane (UpdateHealthCheck needs it).
    assert_eq!(p.preflight.checks.len(), 7);
}

#[test]
fn failover_past_two_regions_inverts_the_nearer_first_so_traffic_moves_once() {
    let sim = sim("region-outage");
    let now = at(&sim, 60);
    let fleet = Fleet::simulated(&sim, now, Thresholds::default());
    let p = plan::failover(&fleet, "billing", "eu-west-1", now).unwrap();
    assert_eq!(
        flags(&p, &fleet, "billing"),
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
fn a_failing_region_ahead_of_the_target_is_not_inverted() {
    let sim = sim("region-outage");
    let now = at(&sim, 60);
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    // us-west-2 fails and was inverted by someone: inverted, it counts healthy and would serve.
    set_health(&mut fleet, 1, 1, |h| {
        h.raw = HealthStatus::Unhealthy;
        h.inverted = true;
    });
    let p = plan::failover(&fleet, "billing", "eu-west-1", now).unwrap();
    assert_eq!(
        flags(&p, &fleet, "billing"),
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
}

/// Route 53 API reference, UpdateHealthCheck `Disabled`: a disabled check is considered
/// healthy whatever the checkers see, and "if you want to stop routing traffic to a resource,
/// change the value of Inverted". So a Disabled region ahead of the target is passed by
/// inverting it (Disabled and Inverted: always unhealthy), and one already Disabled and
/// Inverted is left as it is.
#[test]
fn a_disabled_region_ahead_of_the_target_is_passed_by_inverting_it() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    // us-west-2 disabled: always healthy, even though its checkers fail.
    set_health(&mut fleet, 1, 1, |h| {
        h.disabled = true;
        h.raw = HealthStatus::Unknown;
    });
    let p = plan::failover(&fleet, "billing", "eu-west-1", now).unwrap();
    assert_eq!(
        flags(&p, &fleet, "billing"),
        [
            ("us-west-2".to_string(), true),
            ("us-east-1".to_string(), true)
        ]
    );
    assert_eq!(p.predicted.as_deref(), Some("eu-west-1"));

    // Already Disabled and Inverted: always unhealthy, nothing to change there.
    set_health(&mut fleet, 1, 1, |h| h.inverted = true);
    let p = plan::failover(&fleet, "billing", "eu-west-1", now).unwrap();
    assert_eq!(
        flags(&p, &fleet, "billing"),
        [("us-east-1".to_string(), true)]
    );
    assert_eq!(p.predicted.as_deref(), Some("eu-west-1"));
}

/// (Inverted, Disabled) of each UpdateHealthCheck of a plan, in call order.
fn inverted_disabled(p: &crate::action::Plan) -> Vec<(bool, Option<bool>)> {
    p.calls
        .iter()
        .map(|c| match c {
            Call::UpdateHealthCheck {
                inverted, disabled, ..
            } => (*inverted, *disabled),
            other => panic!("{other:?}"),
        })
        .collect()
}

/// `pin-unhealthy`: the regions ahead get Disabled and Inverted (always unhealthy), the target
/// neither; failback clears both. The plan says what it costs: no checker data while pinned.
#[test]
fn pin_unhealthy_disables_and_inverts_the_regions_ahead_and_failback_unpins_them() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    fleet.services[1].service.failover = Failover::PinUnhealthy;
    let p = plan::failover(&fleet, "billing", "eu-west-1", now).unwrap();
    assert_eq!(
        inverted_disabled(&p),
        [(true, Some(true)), (true, Some(true))]
    );
    assert_eq!(
        flags(&p, &fleet, "billing"),
        [
            ("us-west-2".to_string(), true),
            ("us-east-1".to_string(), true)
        ]
    );
    assert_eq!(p.predicted.as_deref(), Some("eu-west-1"));
    assert!(p.effect.contains("no checker data"), "{}", p.effect);
    assert!(p.preflight.passed(), "{:?}", p.preflight);
    let Expect::HealthChecks { disabled, .. } = &p.expect else {
        panic!("{:?}", p.expect)
    };
    assert_eq!(disabled.len(), 2);

    // Pinned (as after the failover): the checkers' verdict is gone, Route 53 serves eu-west-1.
    for region in [0, 1] {
        set_health(&mut fleet, 1, region, |h| {
            h.disabled = true;
            h.inverted = true;
            h.raw = HealthStatus::Unknown;
        });
    }
    assert_eq!(
        serving_region(fleet.service("billing").unwrap()),
        Some("eu-west-1")
    );
    let back = plan::failback(&fleet, "billing", now).unwrap();
    assert_eq!(
        inverted_disabled(&back),
        [(false, Some(false)), (false, Some(false))]
    );
}

/// Route 53 API reference, ResourceRecordSet `Failover` and `HealthCheckId`: a failover record
/// without a health check is always eligible, so a SECONDARY without one answers whenever the
/// primary is unhealthy. Failing over to it inverts the primary only; nothing can move traffic
/// past a region without a health check.
#[test]
fn a_secondary_without_a_health_check_is_always_eligible() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    set_health(&mut fleet, 0, 1, |h| *h = crate::model::HealthCheck::none());
    assert_eq!(
        serving_region(fleet.service("sample").unwrap()),
        Some("us-east-1")
    );
    let p = plan::failover(&fleet, "sample", "us-west-2", now).unwrap();
    assert_eq!(p.calls.len(), 1);
    assert_eq!(p.predicted.as_deref(), Some("us-west-2"));
    let target = p
        .preflight
        .checks
        .iter()
        .find(|c| c.name == "target health check")
        .unwrap();
    assert_eq!(target.status, CheckStatus::Pass, "{}", target.detail);
    assert!(
        target.detail.contains("always eligible"),
        "{}",
        target.detail
    );
    // The primary unhealthy: the secondary serves.
    set_health(&mut fleet, 0, 0, |h| h.raw = HealthStatus::Unhealthy);
    assert_eq!(
        serving_region(fleet.service("sample").unwrap()),
        Some("us-west-2")
    );

    // A region ahead without a health check cannot be passed.
    set_health(&mut fleet, 1, 1, |h| *h = crate::model::HealthCheck::none());
    let err = plan::failover(&fleet, "billing", "eu-west-1", now).unwrap_err();
    assert!(matches!(err, PlanError::Impossible(_)), "{err}");
    assert!(err.to_string().contains("always healthy"), "{err}");
}

/// Route 53 API reference, UpdateHealthCheck: a RECOVERY_CONTROL check cannot be changed with
/// it; CALCULATED and CLOUDWATCH_METRIC checks have no checker regions, so none are sent.
#[test]
fn checks_update_health_check_cannot_change_are_refused_in_the_plan() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    set_health(&mut fleet, 0, 0, |h| h.kind = CheckKind::RecoveryControl);
    let err = plan::failover(&fleet, "sample", "us-west-2", now).unwrap_err();
    assert!(matches!(err, PlanError::Impossible(_)), "{err}");
    assert!(err.to_string().contains("RECOVERY_CONTROL"), "{err}");

    set_health(&mut fleet, 0, 0, |h| h.kind = CheckKind::Calculated);
    let p = plan::failover(&fleet, "sample", "us-west-2", now).unwrap();
    let Call::UpdateHealthCheck { regions, .. } = &p.calls[0] else {
        panic!("{:?}", p.calls)
    };
    assert!(regions.is_empty(), "{regions:?}");
}

#[test]
fn plans_say_when_there_is_nothing_to_do_or_the_request_is_wrong() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let fleet = Fleet::simulated(&sim, now, Thresholds::default());
    assert!(matches!(
        plan::failover(&fleet, "sample", "us-east-1", now),
        Err(PlanError::NothingToDo(_))
    ));
    assert!(matches!(
        plan::failback(&fleet, "sample", now),
        Err(PlanError::NothingToDo(_))
    ));
    let err = plan::failover(&fleet, "sample", "eu-north-1", now).unwrap_err();
    assert!(
        err.to_string()
            .contains("its regions: us-east-1, us-west-2"),
        "{err}"
    );
    assert!(matches!(
        plan::failover(&fleet, "nope", "us-east-1", now),
        Err(PlanError::UnknownService(..))
    ));
}

#[test]
fn preflight_with_nothing_read_is_unknown_never_a_pass() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut fleet = Fleet::new(sim.services(), &sim.schedule(), Thresholds::default());
    // Only health, so a plan can be made; everything else unknown.
    let full = Fleet::simulated(&sim, now, Thresholds::default());
    for (mine, theirs) in fleet.services.iter_mut().zip(&full.services) {
        for (r, f) in mine.regions.iter_mut().zip(&theirs.regions) {
            r.health = f.health.clone();
        }
    }
    let p = plan::failover(&fleet, "sample", "us-west-2", now).unwrap();
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
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    let endpoints = vec![
        "https://a.example/v1".to_string(),
        "https://b.example/v1".to_string(),
    ];
    fleet.services[0].service.failover = Failover::Arc {
        cluster_endpoints: endpoints.clone(),
        routing_controls: [("us-east-1", "arn:east"), ("us-west-2", "arn:west")]
            .into_iter()
            .map(|(r, a)| (r.to_string(), a.to_string()))
            .collect(),
    };
    let p = plan::failover(&fleet, "sample", "us-west-2", now).unwrap();
    assert!(!p.uses_control_plane);
    let Call::UpdateRoutingControlStates {
        cluster_endpoints,
        update_routing_control_state_entries: entries,
        ..
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
    let back = plan::failback(&fleet, "sample", now).unwrap();
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
    let fleet = Fleet::simulated(&sim, now, Thresholds::default());
    let pending = fleet
        .service("sample")
        .unwrap()
        .pipeline
        .clone()
        .unwrap()
        .value
        .pending
        .unwrap();
    let long = "x".repeat(600);
    let p = plan::approval(&fleet, "sample", true, &long, now).unwrap();
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
    let p = plan::approval(&fleet, "sample", true, "ok", now).unwrap();
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
    let reject = plan::approval(&fleet, "sample", false, "no", now).unwrap();
    assert_eq!(reject.action, ActionKind::Reject);
    assert!(reject.preflight.checks.is_empty() && reject.preflight.passed());
    // Later, once replicated, approval passes preflight.
    let later = at(&sim, 360);
    let fleet = Fleet::simulated(&sim, later, Thresholds::default());
    assert!(
        plan::approval(&fleet, "sample", true, "ok", later)
            .unwrap()
            .preflight
            .passed()
    );
}

#[test]
fn an_unknown_verdict_makes_the_effect_a_hope_not_a_prediction() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    let mut h = fleet.services[0].regions[1].health.clone().unwrap();
    h.value.raw = HealthStatus::Unknown;
    fleet.services[0].regions[1].health = Some(h);
    let p = plan::failover(&fleet, "sample", "us-west-2", now).unwrap();
    assert!(p.effect.contains("cannot be predicted"), "{}", p.effect);
    let health = p
        .preflight
        .checks
        .iter()
        .find(|c| c.name == "target health check");
    assert_eq!(health.map(|c| c.status), Some(CheckStatus::Unknown));
}

#[test]
fn preflight_does_not_pass_on_data_it_cannot_compare() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    let mut f = fleet.services[0].regions[1].functions.clone().unwrap();
    f.value[0].code_sha256 = None;
    fleet.services[0].regions[1].functions = Some(f);
    let mut d = fleet.services[0].regions[1].domains.clone().unwrap();
    d.value[0].regional_target = None;
    fleet.services[0].regions[1].domains = Some(d);
    let p = plan::failover(&fleet, "sample", "us-west-2", now).unwrap();
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
    let p = plan::failover(&fleet, "sample", "us-west-2", later).unwrap();
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
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    fleet.services[0].service.failover = Failover::Arc {
        cluster_endpoints: vec!["https://a.example/v1".into()],
        routing_controls: [("us-east-1", "arn:east"), ("us-west-2", "arn:west")]
            .into_iter()
            .map(|(r, a)| (r.to_string(), a.to_string()))
            .collect(),
    };
    // The target's RECOVERY_CONTROL check reads unhealthy: its routing control is Off.
    set_health(&mut fleet, 0, 1, |h| {
        h.kind = CheckKind::RecoveryControl;
        h.raw = HealthStatus::Unhealthy;
    });
    let p = plan::failover(&fleet, "sample", "us-west-2", now).unwrap();
    // The check (Route 53 control-plane data) is not judged for `arc`: the routing controls
    // are, and here they were not read (the fleet has no `arc` source), which alone refuses.
    assert!(
        p.preflight
            .checks
            .iter()
            .all(|c| c.name != "target health check"),
        "{:?}",
        p.preflight
    );
    let blocking: Vec<&str> = p
        .preflight
        .checks
        .iter()
        .filter(|c| c.status.blocks())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(blocking, ["routing controls fresh"], "{:?}", p.preflight);
}

/// The target's Route 53 records could not be read (the Route 53 API failing): whether they
/// lead to its custom domains is unknown, which refuses like any unknown, never passes as "no
/// drift" nor fails as drift.
#[test]
fn preflight_treats_unreadable_records_as_unknown_not_as_drift() {
    let sim = sim("steady");
    let now = at(&sim, 60);
    let mut fleet = Fleet::simulated(&sim, now, Thresholds::default());
    let mut d = fleet.services[0].regions[1].domains.clone().unwrap();
    for domain in &mut d.value {
        domain.dns_read = false;
        domain.dns_target = None;
    }
    fleet.services[0].regions[1].domains = Some(d);
    let p = plan::failover(&fleet, "sample", "us-west-2", now).unwrap();
    let check = p
        .preflight
        .checks
        .iter()
        .find(|c| c.name == "target domains and DNS")
        .unwrap();
    assert_eq!(check.status, CheckStatus::Unknown, "{}", check.detail);
    assert!(
        check.detail.contains("could not be read"),
        "{}",
        check.detail
    );
    let findings = crate::assess::findings(&fleet, fleet.service("sample").unwrap(), now);
    assert!(
        findings
            .iter()
            .all(|f| f.code != crate::model::FindingCode::DnsDrift),
        "{findings:?}"
    );
}

/// The `arc` preflight's `DNS answers` line, from what the authoritative name servers answer
/// (data plane: readable while the Route 53 API is down). An answer that leads to no region
/// (NXDOMAIN: Route 53 answers no record for the name) fails: moving the routing controls would
/// move nothing DNS serves. DNS not asked, unanswered or still answering another region is
/// advisory; an answer the routing controls predict passes.
#[test]
fn the_arc_preflight_reads_what_dns_answers() {
    let sim = sim("control-plane-outage");
    let now = at(&sim, 180);
    let base = Fleet::simulated(&sim, now, Thresholds::default());
    let dns_status = |edit: &dyn Fn(&mut Fleet)| {
        let mut fleet = base.clone();
        edit(&mut fleet);
        let p = plan::failover(&fleet, "orders", "us-west-2", now).unwrap();
        let check = p
            .preflight
            .checks
            .iter()
            .find(|c| c.name == "DNS answers")
            .unwrap()
            .clone();
        (check.status, check.detail)
    };
    let svc = |f: &mut Fleet| {
        f.services
            .iter()
            .position(|s| s.service.name == "orders")
            .unwrap()
    };
    let (status, detail) = dns_status(&|_| {});
    assert_eq!(status, CheckStatus::Pass, "{detail}");
    assert!(detail.contains("with us-east-1"), "{detail}");
    let (status, detail) = dns_status(&|f| {
        let i = svc(f);
        let dns = f.services[i].dns.as_mut().unwrap();
        dns.value.answer_region = None;
        dns.value.answers.clear();
        dns.value.note = Some("no such name (NXDOMAIN)".into());
    });
    assert_eq!(status, CheckStatus::Fail, "{detail}");
    assert!(detail.contains("NXDOMAIN"), "{detail}");
    let (status, detail) = dns_status(&|f| {
        let i = svc(f);
        f.services[i].dns = None;
    });
    assert_eq!(status, CheckStatus::Warn, "{detail}");
    assert!(detail.contains("rest on the routing controls"), "{detail}");
    let (status, _) = dns_status(&|f| {
        let i = svc(f);
        let dns = f.services[i].dns.as_mut().unwrap();
        dns.value.answer_region = None;
        dns.value.error = Some("no name server answered".into());
    });
    assert_eq!(status, CheckStatus::Warn);
}
