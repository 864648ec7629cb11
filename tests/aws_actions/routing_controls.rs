//! ARC routing controls: UpdateRoutingControlStates tried on each cluster endpoint in turn.

use super::*;

const E1: &str = "https://host-aaaa1111.route53-recovery-cluster.us-west-2.amazonaws.com/v1";
const E2: &str = "https://host-bbbb2222.route53-recovery-cluster.eu-west-1.amazonaws.com/v1";
const E3: &str = "https://host-cccc3333.route53-recovery-cluster.ap-northeast-1.amazonaws.com/v1";
const EAST_RC: &str =
    "arn:aws:route53-recovery-control::111122223333:controlpanel/cp1/routingcontrol/rc-east";
const WEST_RC: &str =
    "arn:aws:route53-recovery-control::111122223333:controlpanel/cp1/routingcontrol/rc-west";

fn arc_toml() -> String {
    format!(
        r#"
[[service]]
name = "sample"
domain = "sample.example.com"
hosted_zone_id = "ZSAMPLE"
regions = ["us-east-1", "us-west-2"]
functions = ["sample-api"]

[service.failover]
mechanism = "arc"
cluster_endpoints = ["{E1}", "{E2}"]
routing_controls = {{ "us-east-1" = "{EAST_RC}", "us-west-2" = "{WEST_RC}" }}
"#
    )
}

fn healthy(id: &str) -> HealthCheck {
    HealthCheck {
        id: id.into(),
        raw: HealthStatus::Healthy,
        inverted: false,
        disabled: false,
        checkers_healthy_pct: Some(100.0),
        observations: Vec::new(),
        history: Vec::new(),
        version: Some(1),
        checker_regions: Vec::new(),
        ..HealthCheck::default()
    }
}

/// Both regions healthy, nothing inverted: the primary (us-east-1) serves.
fn arc_fleet(b: &Backend) -> Fleet {
    let mut fleet = empty_fleet(b);
    let entry = |region: &str, id: &str| Entry {
        service: "sample".into(),
        region: region.into(),
        value: healthy(id),
    };
    fleet.apply(fetched(
        SourceKey::new(SourceKind::Health, "us-east-1"),
        Payload::Health(vec![
            entry("us-east-1", "hc-east"),
            entry("us-west-2", "hc-west"),
        ]),
    ));
    fleet
}

/// ARC answering from one endpoint: UpdateRoutingControlStates sets the states it is sent
/// (recording each request), GetRoutingControlState reads them back.
struct FakeCluster {
    update: aws_smithy_mocks::Rule,
    get: aws_smithy_mocks::Rule,
    updates: Seen<arc::operation::update_routing_control_states::UpdateRoutingControlStatesInput>,
}

fn fake_cluster(initial: &[(&str, bool)]) -> FakeCluster {
    use arc::operation::get_routing_control_state::GetRoutingControlStateOutput;
    use arc::operation::update_routing_control_states::UpdateRoutingControlStatesOutput;
    use arc::types::RoutingControlState;
    let states: Arc<Mutex<BTreeMap<String, bool>>> = Arc::new(Mutex::new(
        initial.iter().map(|(a, on)| (a.to_string(), *on)).collect(),
    ));
    let updates: Seen<_> = Arc::default();
    let (written, log) = (Arc::clone(&states), Arc::clone(&updates));
    let update =
        mock!(arc::Client::update_routing_control_states).then_compute_output(move |input| {
            record(&log, input.clone());
            let mut states = written.lock().unwrap();
            for e in input.update_routing_control_state_entries() {
                let on = *e.routing_control_state() == RoutingControlState::On;
                states.insert(e.routing_control_arn().to_string(), on);
            }
            UpdateRoutingControlStatesOutput::builder().build()
        });
    let get = mock!(arc::Client::get_routing_control_state).then_compute_output(move |input| {
        let arn = input.routing_control_arn().unwrap_or("").to_string();
        let on = *states
            .lock()
            .unwrap()
            .get(&arn)
            .unwrap_or_else(|| panic!("GetRoutingControlState for an unknown ARN {arn}"));
        GetRoutingControlStateOutput::builder()
            .routing_control_arn(arn)
            .routing_control_state(if on {
                RoutingControlState::On
            } else {
                RoutingControlState::Off
            })
            .build()
            .unwrap()
    });
    FakeCluster {
        update,
        get,
        updates,
    }
}

/// (ARN, "On"/"Off") of each entry of an UpdateRoutingControlStates request.
fn entries(
    input: &arc::operation::update_routing_control_states::UpdateRoutingControlStatesInput,
) -> BTreeMap<String, String> {
    input
        .update_routing_control_state_entries()
        .iter()
        .map(|e| {
            (
                e.routing_control_arn().to_string(),
                e.routing_control_state().as_str().to_string(),
            )
        })
        .collect()
}

/// Why mocks: moto does not implement Route 53 ARC (route53-recovery-cluster) at all, so no
/// cluster endpoint can fail, and UpdateRoutingControlStates / GetRoutingControlState cannot be
/// answered.
/// A cluster endpoint's client answering with these rules (no retries).
fn arc_client(rules: &[&aws_smithy_mocks::Rule]) -> arc::Client {
    let mut interceptor =
        aws_smithy_mocks::MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    arc::Client::from_conf(
        arc::Config::builder()
            .behavior_version(arc::config::BehaviorVersion::latest())
            .region(arc::config::Region::new("us-west-2"))
            .credentials_provider(arc::config::Credentials::new(
                "AKIDMOCK",
                "mock-secret",
                None,
                None,
                "aws_mocks",
            ))
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .interceptor(interceptor)
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
            .build(),
    )
}

/// The ARC service of `toml`, each cluster endpoint answering with its rules.
fn arc_backend(toml: &str, endpoints: &[(&str, &[&aws_smithy_mocks::Rule])]) -> Backend {
    let mut b = backend(toml, unused_control(), vec![]);
    for (endpoint, rules) in endpoints {
        b = b.with_arc_client(endpoint, arc_client(rules));
    }
    Backend::Aws(b)
}

/// Plan sample's failover to us-west-2 and run it, forced with a reason (nothing but health is
/// read here), against a fresh audit log: the plan, the report and the records.
async fn arc_failover(backend: &Backend, name: &str) -> (Plan, Report, Vec<AuditRecord>) {
    let fleet = arc_fleet(backend);
    let plan = plan::failover(&fleet, "sample", "us-west-2", now()).unwrap();
    let dir = TempDir::new(name);
    let log = dir.audit();
    let clock = Clock::fixed(now());
    let report = execution(backend, &log, &clock)
        .run(&plan, Some("drill".into()))
        .await;
    let records = log.read().unwrap();
    (plan, report, records)
}

#[tokio::test]
async fn arc_failover_moves_on_from_a_failing_cluster_endpoint_and_verifies() {
    // The first endpoint answers every call with a 500 InternalServerException.
    let e1_update = mock!(arc::Client::update_routing_control_states).then_http_response(|| {
        json_error(500, ARC_JSON, "InternalServerException", "Internal failure")
    });
    let e1_get = mock!(arc::Client::get_routing_control_state).then_http_response(|| {
        json_error(500, ARC_JSON, "InternalServerException", "Internal failure")
    });
    // The second is a working cluster: us-east-1 On, us-west-2 Off.
    let e2 = fake_cluster(&[(EAST_RC, true), (WEST_RC, false)]);
    let backend = arc_backend(
        &arc_toml(),
        &[(E1, &[&e1_update, &e1_get]), (E2, &[&e2.update, &e2.get])],
    );
    let fleet = arc_fleet(&backend);

    let plan = plan::failover(&fleet, "sample", "us-west-2", now()).unwrap();
    assert_eq!(
        plan.calls,
        vec![Call::UpdateRoutingControlStates {
            cluster_endpoints: vec![E1.into(), E2.into()],
            update_routing_control_state_entries: vec![
                RoutingControlEntry {
                    routing_control_arn: EAST_RC.into(),
                    routing_control_state: OnOff::Off,
                },
                RoutingControlEntry {
                    routing_control_arn: WEST_RC.into(),
                    routing_control_state: OnOff::On,
                },
            ],
        }],
        "one atomic call: the target On, the other Off"
    );
    assert!(!plan.uses_control_plane, "ARC is data plane");

    let dir = TempDir::new("arc-ok");
    let log = dir.audit();
    let clock = Clock::fixed(now());
    // Lambda metrics and domains were not read, so preflight cannot pass on its own.
    let reason = "game day: ARC failover drill".to_string();
    let report = execution(&backend, &log, &clock)
        .run(&plan, Some(reason.clone()))
        .await;

    assert_eq!(report.status, Status::Verified, "{report:?}");
    // No name servers to ask here: verified on the routing controls, saying DNS was not asked.
    assert!(
        report
            .message
            .starts_with("every routing control reads as planned; DNS could not be asked"),
        "{}",
        report.message
    );
    assert_eq!(
        report.answers,
        vec![format!("routing controls set through {E2}")]
    );
    assert_eq!(report.forced_reason.as_deref(), Some(reason.as_str()));

    // The first endpoint was tried once, then the second, once.
    assert_eq!(
        e1_update.num_calls(),
        1,
        "the failing endpoint is tried once (no retries)"
    );
    assert_eq!(e2.update.num_calls(), 1, "the second endpoint once");
    let sent = seen(&e2.updates);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        entries(&sent[0]),
        BTreeMap::from([
            (EAST_RC.to_string(), "Off".to_string()),
            (WEST_RC.to_string(), "On".to_string()),
        ]),
        "both routing controls in ONE request"
    );
    assert!(
        sent[0].safety_rules_to_override().is_empty(),
        "no safety rule overridden"
    );

    // Verification read each control: the first endpoint (still failing) then the second.
    assert_eq!(
        e1_get.num_calls(),
        2,
        "one GetRoutingControlState per ARN on the first"
    );
    assert_eq!(e2.get.num_calls(), 2, "and on the second, which answered");

    let records = log.read().unwrap();
    assert_eq!(
        phases(&records),
        vec![Phase::Intent, Phase::Result, Phase::Verified]
    );
    assert_records_of(&records, &report, &plan);
    assert_eq!(
        (records[1].outcome.as_deref(), records[1].error.as_deref()),
        (Some("ok"), None)
    );
    assert!(
        records[2]
            .outcome
            .as_deref()
            .is_some_and(|o| o.starts_with("every routing control reads as planned; DNS")),
        "{:?}",
        records[2].outcome
    );
    assert_eq!(
        records[0].request,
        serde_json::json!([{
            "api": "UpdateRoutingControlStates",
            "cluster_endpoints": [E1, E2],
            "UpdateRoutingControlStateEntries": [
                {"RoutingControlArn": EAST_RC, "RoutingControlState": "Off"},
                {"RoutingControlArn": WEST_RC, "RoutingControlState": "On"},
            ],
        }]),
        "the audit names both ARNs and both endpoints"
    );
}

/// Why mocks: moto has no Route 53 ARC, so cluster endpoints that all fail can only be
/// injected.
#[tokio::test]
async fn arc_failover_fails_when_every_cluster_endpoint_fails() {
    let e1_update = mock!(arc::Client::update_routing_control_states).then_http_response(|| {
        json_error(500, ARC_JSON, "InternalServerException", "Internal failure")
    });
    let e2_update = mock!(arc::Client::update_routing_control_states).then_http_response(|| {
        json_error(
            503,
            ARC_JSON,
            "EndpointTemporarilyUnavailableException",
            "The cluster endpoint is temporarily unavailable",
        )
    });
    // Nothing was changed, so nothing is re-read.
    let e1_get = mock!(arc::Client::get_routing_control_state).then_http_response(|| {
        json_error(500, ARC_JSON, "InternalServerException", "Internal failure")
    });
    let e2_get = mock!(arc::Client::get_routing_control_state).then_http_response(|| {
        json_error(500, ARC_JSON, "InternalServerException", "Internal failure")
    });
    let backend = arc_backend(
        &arc_toml(),
        &[(E1, &[&e1_update, &e1_get]), (E2, &[&e2_update, &e2_get])],
    );
    let (plan, report, records) = arc_failover(&backend, "arc-failed").await;

    assert_eq!(report.status, Status::Failed, "{report:?}");
    assert!(report.answers.is_empty());
    assert_eq!((e1_update.num_calls(), e2_update.num_calls()), (1, 1));
    // One look after the failure (an error is not proof that nothing changed); it fails too.
    assert_eq!((e1_get.num_calls(), e2_get.num_calls()), (1, 1));
    let m = &report.message;
    assert!(
        m.contains("no ARC cluster endpoint answered UpdateRoutingControlStates (2 tried)"),
        "{m}"
    );
    for (endpoint, code) in [
        (E1, "InternalServerException"),
        (E2, "EndpointTemporarilyUnavailableException"),
    ] {
        assert!(
            m.contains(&format!(
                "Route 53 ARC UpdateRoutingControlStates in {endpoint}: {code}"
            )),
            "the message names {endpoint} and what it answered: {m}"
        );
    }

    assert_eq!(phases(&records), vec![Phase::Intent, Phase::Result]);
    assert_records_of(&records, &report, &plan);
    assert_eq!(records[1].outcome.as_deref(), Some("failed"));
    assert_eq!(records[1].error.as_deref(), Some(report.message.as_str()));
}

/// Why mocks: moto has no ARC. A safety rule that blocks the change is an answer, not an outage:
/// it is not tried on the next endpoint, and the message says what happened.
#[tokio::test]
async fn an_arc_safety_rule_blocking_the_change_is_a_conflict_not_retried_elsewhere() {
    let e1_update = mock!(arc::Client::update_routing_control_states).then_http_response(|| {
        json_error(500, ARC_JSON, "InternalServerException", "Internal failure")
    });
    let e2_update = mock!(arc::Client::update_routing_control_states).then_http_response(|| {
        json_error(
            409,
            ARC_JSON,
            "ConflictException",
            "safety rule sr-1 blocked the update",
        )
    });
    let e3_update = mock!(arc::Client::update_routing_control_states)
        .then_http_response(|| http(200, ARC_JSON, "{}"));
    // The look after the failure finds the controls unchanged (the target still Off).
    let get = mock!(arc::Client::get_routing_control_state).then_http_response(|| {
        http(
            200,
            ARC_JSON,
            r#"{"RoutingControlArn":"x","RoutingControlState":"Off"}"#,
        )
    });
    let toml = arc_toml().replace(
        &format!("cluster_endpoints = [\"{E1}\", \"{E2}\"]"),
        &format!("cluster_endpoints = [\"{E1}\", \"{E2}\", \"{E3}\"]"),
    );
    assert!(
        toml.contains(E3),
        "the config lists a third endpoint: {toml}"
    );
    let backend = arc_backend(
        &toml,
        &[
            (E1, &[&e1_update, &get]),
            (E2, &[&e2_update, &get]),
            (E3, &[&e3_update, &get]),
        ],
    );
    let (_, report, records) = arc_failover(&backend, "arc-conflict").await;
    assert_eq!(report.status, Status::Failed, "{report:?}");
    assert_eq!(
        (
            e1_update.num_calls(),
            e2_update.num_calls(),
            e3_update.num_calls()
        ),
        (1, 1, 0)
    );
    let m = &report.message;
    assert!(m.contains("an ARC safety rule blocked the change"), "{m}");
    assert!(!m.contains("it changed since switchyard read it"), "{m}");
    assert!(
        m.contains(&format!(
            "(before it: Route 53 ARC UpdateRoutingControlStates in {E1}: InternalServerException"
        )),
        "{m}"
    );
    assert_eq!(records[1].outcome.as_deref(), Some("conflict"));
}

/// Why mocks: moto never throttles. A throttled change says it changed nothing (not the
/// read-side "showing the last data fetched"), and access denied names the ARC IAM action.
#[tokio::test]
async fn a_throttled_or_denied_arc_call_says_what_to_do() {
    let throttled = mock!(arc::Client::update_routing_control_states)
        .then_http_response(|| json_error(400, ARC_JSON, "ThrottlingException", "Rate exceeded"));
    let denied = mock!(arc::Client::update_routing_control_states).then_http_response(|| {
        json_error(403, ARC_JSON, "AccessDeniedException", "not authorized")
    });
    let unavailable = mock!(arc::Client::get_routing_control_state).then_http_response(|| {
        json_error(500, ARC_JSON, "InternalServerException", "Internal failure")
    });
    let backend = arc_backend(
        &arc_toml(),
        &[
            (E1, &[&throttled, &unavailable]),
            (E2, &[&denied, &unavailable]),
        ],
    );
    let (_, report, _) = arc_failover(&backend, "arc-throttled").await;
    let m = &report.message;
    assert!(
        m.contains("throttled, so nothing changed: try again in a few seconds"),
        "{m}"
    );
    assert!(!m.contains("showing the last data fetched"), "{m}");
    assert!(
        m.contains("the caller needs the IAM permission route53-recovery-cluster:UpdateRoutingControlStates"),
        "{m}"
    );
}
