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
            safety_rules_to_override: vec![],
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

    // Verification starts from the endpoint that answered the change (the second): the
    // failing first endpoint is not asked again.
    assert_eq!(
        e1_get.num_calls(),
        0,
        "the failing endpoint is not asked again"
    );
    assert_eq!(e2.get.num_calls(), 2, "one GetRoutingControlState per ARN");

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

// ---------------------------------------------------------------------------------------------
// Endpoint rotation (ARC Developer Guide, "Working with routing controls" / API reference
// UpdateRoutingControlStates: try each of the cluster's five Regional endpoints in turn).
// Why mocks: moto does not implement Route 53 ARC (route53-recovery-cluster) at all.
// ---------------------------------------------------------------------------------------------

fn failing_update() -> aws_smithy_mocks::Rule {
    mock!(arc::Client::update_routing_control_states).then_http_response(|| {
        json_error(500, ARC_JSON, "InternalServerException", "Internal failure")
    })
}

fn failing_get() -> aws_smithy_mocks::Rule {
    mock!(arc::Client::get_routing_control_state).then_http_response(|| {
        json_error(500, ARC_JSON, "InternalServerException", "Internal failure")
    })
}

fn three_endpoints() -> String {
    arc_toml().replace(
        &format!("cluster_endpoints = [\"{E1}\", \"{E2}\"]"),
        &format!("cluster_endpoints = [\"{E1}\", \"{E2}\", \"{E3}\"]"),
    )
}

/// Reads and writes start from the endpoint that answered last: after E1 failed once and E2
/// answered, neither the next read nor the change goes to E1 again.
#[tokio::test]
async fn arc_calls_start_from_the_endpoint_that_answered_last_for_reads_and_writes() {
    let (e1_update, e1_get) = (failing_update(), failing_get());
    let e2 = fake_cluster(&[(EAST_RC, true), (WEST_RC, false)]);
    let e3 = fake_cluster(&[(EAST_RC, true), (WEST_RC, false)]);
    let backend = arc_backend(
        &three_endpoints(),
        &[
            (E1, &[&e1_update, &e1_get]),
            (E2, &[&e2.update, &e2.get]),
            (E3, &[&e3.update, &e3.get]),
        ],
    );
    let endpoints = [E1.to_string(), E2.to_string(), E3.to_string()];
    let arns = [EAST_RC.to_string(), WEST_RC.to_string()];
    let states = backend
        .routing_control_states(&endpoints, &arns, now())
        .await
        .unwrap();
    assert_eq!(
        states,
        vec![(EAST_RC.to_string(), true), (WEST_RC.to_string(), false)]
    );
    // First ARN: E1 (fails), then E2; second ARN: E2 straight away.
    assert_eq!(
        (e1_get.num_calls(), e2.get.num_calls(), e3.get.num_calls()),
        (1, 2, 0)
    );

    let (_, report, _) = arc_failover(&backend, "arc-rotation").await;
    assert_eq!(report.status, Status::Verified, "{report:?}");
    assert_eq!(
        report.answers,
        vec![format!("routing controls set through {E2}")]
    );
    assert_eq!(
        (
            e1_update.num_calls(),
            e2.update.num_calls(),
            e3.update.num_calls()
        ),
        (0, 1, 0),
        "the change goes to the endpoint that answered the reads, not to E1 again"
    );
    assert_eq!(e1_get.num_calls(), 1, "verification starts from E2 too");
}

/// One attempt per endpoint, whatever retries the client came with: a failing endpoint is
/// asked once, then the next one.
#[tokio::test]
async fn each_cluster_endpoint_gets_exactly_one_attempt() {
    let unavailable = || {
        mock!(arc::Client::update_routing_control_states).then_http_response(|| {
            json_error(
                503,
                ARC_JSON,
                "EndpointTemporarilyUnavailableException",
                "The cluster endpoint is temporarily unavailable",
            )
        })
    };
    let (u1, u2, u3) = (unavailable(), unavailable(), unavailable());
    let get = failing_get();
    let retrying = |rules: &[&aws_smithy_mocks::Rule]| {
        let client = arc_client(rules);
        // As a client built from the shared SDK config would be: three attempts.
        arc::Client::from_conf(
            client
                .config()
                .to_builder()
                .retry_config(aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(3))
                .build(),
        )
    };
    let mut b = backend(&three_endpoints(), unused_control(), vec![]);
    for (endpoint, rule) in [(E1, &u1), (E2, &u2), (E3, &u3)] {
        b = b.with_arc_client(endpoint, retrying(&[rule, &get]));
    }
    let backend = Backend::Aws(b);
    let (_, report, _) = arc_failover(&backend, "arc-one-attempt").await;
    assert_eq!(report.status, Status::Failed, "{report:?}");
    assert_eq!(
        (u1.num_calls(), u2.num_calls(), u3.num_calls()),
        (1, 1, 1),
        "exactly one request per endpoint"
    );
    assert!(
        report
            .message
            .contains("no ARC cluster endpoint answered UpdateRoutingControlStates (3 tried)"),
        "{}",
        report.message
    );
}

/// A dead endpoint (accepts the connection, never answers) costs one short attempt, then the
/// next endpoint answers: seconds, not the SDK's three attempts under a 15 s budget.
#[tokio::test]
async fn a_silent_cluster_endpoint_costs_one_short_attempt() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent = format!("http://{}", listener.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        // Accept and hold the connections without answering, until the test ends.
        let mut open = Vec::new();
        for stream in listener.incoming().take(4) {
            open.push(stream);
        }
        open
    });
    let e2 = fake_cluster(&[(EAST_RC, true), (WEST_RC, false)]);
    // The config names E1; its client sends to the silent local endpoint.
    let toml = arc_toml();
    let silent_client = arc::Client::from_conf(
        arc::Config::builder()
            .behavior_version(arc::config::BehaviorVersion::latest())
            .region(arc::config::Region::new("us-west-2"))
            .endpoint_url(&silent)
            .credentials_provider(arc::config::Credentials::new(
                "AKIDMOCK",
                "mock-secret",
                None,
                None,
                "aws_mocks",
            ))
            .build(),
    );
    let b = backend(&toml, unused_control(), vec![])
        .with_arc_client(E1, silent_client)
        .with_arc_client(E2, arc_client(&[&e2.update, &e2.get]));
    let backend = Backend::Aws(b);
    let started = std::time::Instant::now();
    let states = tokio::time::timeout(
        Duration::from_secs(12),
        backend.routing_control_states(
            &[E1.to_string(), E2.to_string()],
            &[EAST_RC.to_string()],
            now(),
        ),
    )
    .await
    .expect("one short attempt on the silent endpoint, not a long wait")
    .unwrap();
    let took = started.elapsed();
    assert_eq!(states, vec![(EAST_RC.to_string(), true)]);
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(6),
        "one attempt of about 3 s on the silent endpoint: {took:?}"
    );
    drop(held);
}

// ---------------------------------------------------------------------------------------------
// Safety-rule override (ARC API reference, UpdateRoutingControlStates `SafetyRulesToOverride`;
// ARC Developer Guide, "Override safety rules to reroute traffic"). Why mocks: moto has no ARC.
// ---------------------------------------------------------------------------------------------

const GATING_RULE: &str =
    "arn:aws:route53-recovery-control::111122223333:controlpanel/cp1/safetyrule/sr-gate";

/// A cluster whose gating rule (its gating control Off) blocks every change with a
/// ConflictException naming the rule, unless the request overrides it.
fn gated_cluster(initial: &[(&str, bool)]) -> FakeCluster {
    use arc::operation::update_routing_control_states::UpdateRoutingControlStatesOutput;
    use arc::types::RoutingControlState;
    let states: Arc<Mutex<BTreeMap<String, bool>>> = Arc::new(Mutex::new(
        initial.iter().map(|(a, on)| (a.to_string(), *on)).collect(),
    ));
    let updates: Seen<_> = Arc::default();
    let (written, log) = (Arc::clone(&states), Arc::clone(&updates));
    let update = mock!(arc::Client::update_routing_control_states).then_compute_response(
        move |input| {
            record(&log, input.clone());
            if !input
                .safety_rules_to_override()
                .iter()
                .any(|r| r == GATING_RULE)
            {
                return MockResponse::Http(http(
                    409,
                    ARC_JSON,
                    &format!(
                        r#"{{"__type":"ConflictException","message":"The update was rejected: safety rule {GATING_RULE} is not satisfied","resourceId":"{GATING_RULE}","resourceType":"SafetyRule"}}"#
                    ),
                ));
            }
            let mut states = written.lock().unwrap();
            for e in input.update_routing_control_state_entries() {
                let on = *e.routing_control_state() == RoutingControlState::On;
                states.insert(e.routing_control_arn().to_string(), on);
            }
            MockResponse::Output(UpdateRoutingControlStatesOutput::builder().build())
        },
    );
    // Reads follow the written states.
    let get = {
        use arc::operation::get_routing_control_state::GetRoutingControlStateOutput;
        mock!(arc::Client::get_routing_control_state).then_compute_output(move |input| {
            let arn = input.routing_control_arn().unwrap_or("").to_string();
            let on = *states.lock().unwrap().get(&arn).unwrap();
            GetRoutingControlStateOutput::builder()
                .routing_control_arn(arn)
                .routing_control_state(if on {
                    RoutingControlState::On
                } else {
                    RoutingControlState::Off
                })
                .build()
                .unwrap()
        })
    };
    FakeCluster {
        update,
        get,
        updates,
    }
}

fn overrides(
    input: &arc::operation::update_routing_control_states::UpdateRoutingControlStatesInput,
) -> Vec<String> {
    input.safety_rules_to_override().to_vec()
}

/// A blocked change names the rule and how to override it; re-planned from the audit log, the
/// override is sent only with --force --reason, and it carries the rule ARN from the error.
#[tokio::test]
async fn a_blocked_change_is_overridden_only_when_forced_with_the_rule_arns_from_the_error() {
    let cluster = gated_cluster(&[(EAST_RC, true), (WEST_RC, false)]);
    let backend = arc_backend(&arc_toml(), &[(E1, &[&cluster.update, &cluster.get])]);
    let fleet = arc_fleet(&backend);
    let dir = TempDir::new("arc-override");
    let log = dir.audit();
    let clock = Clock::fixed(now());

    // 1. The first attempt (forced past preflight, which has no Lambda data here) is blocked:
    //    nothing overridden, the rule named, and how to override said.
    let plan1 = plan::failover(&fleet, "sample", "us-west-2", now()).unwrap();
    assert!(!plan1.overrides_safety_rules());
    let report = execution(&backend, &log, &clock)
        .run(&plan1, Some("drill".into()))
        .await;
    assert_eq!(report.status, Status::Failed, "{report:?}");
    let m = &report.message;
    assert!(
        m.contains(&format!("blocked by safety rule(s) {GATING_RULE}")),
        "{m}"
    );
    assert!(
        m.contains("plan the same action again with --force --reason TEXT"),
        "{m}"
    );
    assert_eq!(seen(&cluster.updates).len(), 1);
    assert!(overrides(&seen(&cluster.updates)[0]).is_empty());
    let records = log.read().unwrap();

    // 2. Planned again without --force: the block is shown, nothing is overridden.
    let plan2 = plan::failover(&fleet, "sample", "us-west-2", now())
        .unwrap()
        .with_safety_rule_override(&records, false);
    assert!(!plan2.overrides_safety_rules());
    let block = plan2
        .safety_rules
        .clone()
        .expect("the earlier block is shown");
    assert_eq!(
        (block.rules.clone(), block.overridden),
        (vec![GATING_RULE.to_string()], false)
    );
    assert!(
        plan2
            .based_on
            .iter()
            .any(|l| l.contains("to override (break glass) add --force --reason TEXT")),
        "{:?}",
        plan2.based_on
    );

    // 3. Planned with --force: the plan shows the override, in the call and in its JSON.
    let plan3 = plan::failover(&fleet, "sample", "us-west-2", now())
        .unwrap()
        .with_safety_rule_override(&records, true);
    assert!(plan3.overrides_safety_rules());
    assert!(
        plan3.calls[0]
            .describe()
            .contains(&format!("SafetyRulesToOverride=[{GATING_RULE}]"))
    );
    assert_eq!(
        plan3.request()[0]["SafetyRulesToOverride"],
        serde_json::json!([GATING_RULE])
    );
    assert_eq!(
        serde_json::to_value(&plan3).unwrap()["safety_rules"]["overridden"],
        true
    );

    // 4. Run without a reason: refused before anything is sent.
    let refused = execution(&backend, &log, &clock).run(&plan3, None).await;
    assert_eq!(refused.status, Status::Refused, "{refused:?}");
    assert!(
        refused.message.contains("needs --force --reason"),
        "{}",
        refused.message
    );
    assert_eq!(seen(&cluster.updates).len(), 1, "nothing sent");

    // 5. With the reason: sent with the rule's ARN, and verified.
    let done = execution(&backend, &log, &clock)
        .run(&plan3, Some("break glass: us-east-1 down".into()))
        .await;
    assert_eq!(done.status, Status::Verified, "{done:?}");
    let sent = seen(&cluster.updates);
    assert_eq!(sent.len(), 2);
    assert_eq!(overrides(&sent[1]), vec![GATING_RULE.to_string()]);

    // 6. After that success, the block is history: a new plan overrides nothing.
    let after = plan::failover(&fleet, "sample", "us-west-2", now())
        .unwrap()
        .with_safety_rule_override(&log.read().unwrap(), true);
    assert_eq!(after.safety_rules, None);
}

// ---------------------------------------------------------------------------------------------
// The routing control source (ARC API reference, GetRoutingControlState: data plane, from the
// cluster endpoints). Why mocks: moto has no ARC.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_routing_control_source_reads_each_region_from_the_cluster_into_the_snapshot() {
    let (e1_update, e1_get) = (failing_update(), failing_get());
    let e2 = fake_cluster(&[(EAST_RC, true), (WEST_RC, false)]);
    let backend = arc_backend(
        &arc_toml(),
        &[(E1, &[&e1_update, &e1_get]), (E2, &[&e2.update, &e2.get])],
    );
    let schedule = backend.schedule();
    let keys: Vec<String> = schedule
        .iter()
        .filter(|s| s.key.kind == SourceKind::RoutingControl)
        .map(|s| s.key.to_string())
        .collect();
    assert_eq!(keys, vec!["arc@us-east-1", "arc@us-west-2"]);
    let mut fleet = empty_fleet(&backend);
    for region in ["us-east-1", "us-west-2"] {
        let fetched = backend
            .fetch(&SourceKey::new(SourceKind::RoutingControl, region), now())
            .await;
        assert!(fetched.result.is_ok(), "{fetched:?}");
        fleet.apply(fetched);
    }
    let snapshot = serde_json::to_value(switchyard::report::snapshot(&fleet, now())).unwrap();
    let regions = &snapshot["services"][0]["regions"];
    assert_eq!(
        regions[0]["routing_control"],
        serde_json::json!({"arn": EAST_RC, "state": "On"})
    );
    assert_eq!(
        regions[1]["routing_control"],
        serde_json::json!({"arn": WEST_RC, "state": "Off"})
    );
    // The dead first endpoint was asked once; every later read started from the second.
    assert_eq!((e1_get.num_calls(), e2.get.num_calls()), (1, 2));
}

// ---------------------------------------------------------------------------------------------
// The Route 53 control plane down (issue 12, item 4). AWS guidance: fail over with data-plane
// operations only ("AWS Fault Isolation Boundaries", Route 53 appendix; ARC Developer Guide,
// routing control API: data plane in five Regions). Why mocks: moto has no ARC, and cannot make
// every Route 53 call fail while other APIs answer.
// ---------------------------------------------------------------------------------------------

fn two_mechanisms_toml() -> String {
    format!(
        r#"{}
[[service]]
name = "legacy"
domain = "legacy.example.com"
hosted_zone_id = "ZLEGACY"
regions = ["us-east-1", "us-west-2"]
functions = ["legacy-api"]
"#,
        arc_toml()
    )
}

/// Every Route 53 API the console calls answers 503 (the control plane in us-east-1 is down).
fn route53_down() -> Vec<aws_smithy_mocks::Rule> {
    let down = || HttpResponse::new(StatusCode::try_from(503).unwrap(), SdkBody::empty());
    vec![
        mock!(aws_sdk_route53::Client::list_resource_record_sets).then_http_response(down),
        mock!(aws_sdk_route53::Client::get_health_check).then_http_response(down),
        mock!(aws_sdk_route53::Client::list_health_checks).then_http_response(down),
        mock!(aws_sdk_route53::Client::get_health_check_status).then_http_response(down),
        mock!(aws_sdk_route53::Client::update_health_check).then_http_response(down),
    ]
}

fn lambda_entry(service: &str, function: &str, region: &str) -> Entry<Vec<FunctionStatsT>> {
    Entry {
        service: service.into(),
        region: region.into(),
        value: vec![FunctionStatsT {
            name: function.into(),
            window_s: 300,
            invocations: Some(1000),
            errors: Some(2),
            code_sha256: Some("c0de".into()),
            ..FunctionStatsT::default()
        }],
    }
}

type FunctionStatsT = switchyard::model::FunctionStats;

/// Preflight for `arc` passes with every Route 53 control-plane call failing (health data
/// stale, domains unread: advisory warnings), and the failover runs unforced and verifies; the
/// same moment, an `invert-health-check` failover is refused, naming the control plane, and
/// sends nothing.
#[tokio::test]
async fn with_the_route53_control_plane_down_arc_passes_preflight_and_invert_is_refused() {
    let rules = route53_down();
    let cluster = fake_cluster(&[(EAST_RC, true), (WEST_RC, false)]);
    let b = backend(
        &two_mechanisms_toml(),
        ControlClients {
            route53: {
                let mut interceptor =
                    aws_smithy_mocks::MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
                for r in &rules {
                    interceptor = interceptor.with_rule(r);
                }
                aws_sdk_route53::Client::from_conf(
                    aws_sdk_route53::Config::builder()
                        .behavior_version(aws_sdk_route53::config::BehaviorVersion::latest())
                        .region(aws_sdk_route53::config::Region::new("us-east-1"))
                        .credentials_provider(aws_sdk_route53::config::Credentials::new(
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
            },
            ..unused_control()
        },
        vec![],
    )
    .with_arc_client(E1, arc_client(&[&cluster.update, &cluster.get]));
    let backend = Backend::Aws(b);
    let mut fleet = empty_fleet(&backend);

    // Health was read ten minutes ago, before the outage.
    let health_key = SourceKey::new(SourceKind::Health, "us-east-1");
    let entry = |service: &str, region: &str, id: &str| Entry {
        service: service.into(),
        region: region.into(),
        value: healthy(id),
    };
    fleet.apply(Fetched {
        at: ago(10),
        ..fetched(
            health_key.clone(),
            Payload::Health(vec![
                entry("sample", "us-east-1", "hc-east"),
                entry("sample", "us-west-2", "hc-west"),
                entry("legacy", "us-east-1", "hc-legacy-east"),
                entry("legacy", "us-west-2", "hc-legacy-west"),
            ]),
        )
    });
    // Now the Route 53 API fails: the health source's fetch fails.
    let failed = backend.fetch(&health_key, now()).await;
    assert!(failed.result.is_err(), "{failed:?}");
    fleet.apply(failed);
    // The routing controls come from the ARC cluster (data plane); Lambda answers.
    for region in ["us-east-1", "us-west-2"] {
        let rc = backend
            .fetch(&SourceKey::new(SourceKind::RoutingControl, region), now())
            .await;
        assert!(rc.result.is_ok(), "{rc:?}");
        fleet.apply(rc);
        fleet.apply(fetched(
            SourceKey::new(SourceKind::Lambda, region),
            Payload::Lambda(vec![
                lambda_entry("sample", "sample-api", region),
                lambda_entry("legacy", "legacy-api", region),
            ]),
        ));
    }

    // arc: preflight passes; the control-plane data shows as advisory warnings.
    let plan = plan::failover(&fleet, "sample", "us-west-2", now()).unwrap();
    assert!(plan.preflight.passed(), "{:#?}", plan.preflight);
    let status = |p: &Plan, name: &str| {
        p.preflight
            .checks
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check {name}: {:#?}", p.preflight))
            .clone()
    };
    assert_eq!(
        status(&plan, "routing controls fresh").status,
        CheckStatus::Pass
    );
    assert_eq!(status(&plan, "target error rate").status, CheckStatus::Pass);
    let health = status(&plan, "health data fresh");
    assert_eq!(health.status, CheckStatus::Warn, "{health:?}");
    assert!(health.detail.contains("advisory for arc"), "{health:?}");
    assert_eq!(
        status(&plan, "target domains and DNS").status,
        CheckStatus::Warn
    );
    let dir = TempDir::new("cp-down");
    let log = dir.audit();
    let clock = Clock::fixed(now());
    let report = execution(&backend, &log, &clock).run(&plan, None).await;
    assert_eq!(report.status, Status::Verified, "{report:?}");

    // invert-health-check: the plan says it needs the control plane; preflight fails naming
    // it; unforced, nothing is sent.
    let legacy = plan::failover(&fleet, "legacy", "us-west-2", now()).unwrap();
    assert!(legacy.uses_control_plane);
    assert!(
        legacy
            .control_plane
            .starts_with("needs the Route 53 control plane"),
        "{}",
        legacy.control_plane
    );
    assert!(!legacy.preflight.passed());
    let cp = status(&legacy, "Route 53 control plane");
    assert_eq!(cp.status, CheckStatus::Fail, "{cp:?}");
    assert!(
        cp.detail
            .contains("the Route 53 API in us-east-1 is failing"),
        "{cp:?}"
    );
    let refused = execution(&backend, &log, &clock).run(&legacy, None).await;
    assert_eq!(refused.status, Status::Refused, "{refused:?}");
    assert!(
        refused.message.contains("Route 53 control plane"),
        "{}",
        refused.message
    );
    assert_eq!(rules[4].num_calls(), 0, "no UpdateHealthCheck sent");
}
