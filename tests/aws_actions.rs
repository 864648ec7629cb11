#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Guarded actions against the real AWS backend, over `aws-smithy-mocks` clients: the mutating
//! calls moto cannot emulate (`/work/shared/facts/moto.md`: no Route 53 ARC, no CodePipeline
//! GetPipelineState / PutApprovalResult, HealthCheckVersion never checked). Each test builds a
//! `State` from what the backend read, plans with `action::plan`, runs the plan with
//! `Execution::run` against a temporary audit log, and checks the requests the mocks saw, the
//! report and the audit records.

mod aws_mocks_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_mocks_support::{
    ago, backend, fake_cloudwatch, mocked, now, unused_control, unused_region,
};
use aws_smithy_mocks::{MockResponse, RuleMode, mock};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use switchyard::action::audit::{AuditLog, AuditRecord, Phase};
use switchyard::action::{Execution, Plan, Report, Status, Verification, plan};
use switchyard::config::Thresholds;
use switchyard::model::{ArtifactVersion, HealthCheck, HealthStatus, S3Replication};
use switchyard::source::aws::{AwsBackend, ControlClients, RegionClients};
use switchyard::source::call::{ApprovalResult, ApprovalStatus, OnOff, RoutingControlEntry};
use switchyard::source::{
    Backend, Call, CallErrorKind, Clock, Entry, Fetched, Payload, SourceKey, SourceKind,
};
use switchyard::state::{Msg, State, update};

use aws_sdk_route53recoverycluster as arc;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A directory under the system temp dir, removed when dropped (also when a test panics).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "switchyard-aws-actions-{}-{name}-{nanos}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    fn audit(&self) -> AuditLog {
        AuditLog::new(self.0.join("audit.jsonl"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a mock rule saw: each request's input, in order.
type Seen<T> = Arc<Mutex<Vec<T>>>;

fn seen<T: Clone>(log: &Seen<T>) -> Vec<T> {
    log.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

fn record<T>(log: &Seen<T>, value: T) {
    log.lock().unwrap_or_else(|e| e.into_inner()).push(value);
}

/// An HTTP response as the service sends it, so the SDK's own error parsing runs.
fn http(status: u16, content_type: &'static str, body: &str) -> HttpResponse {
    let mut response = HttpResponse::new(
        StatusCode::try_from(status).unwrap(),
        SdkBody::from(body.to_string()),
    );
    response.headers_mut().insert("content-type", content_type);
    response
}

/// An AWS JSON protocol error (ARC is awsJson 1.0, CodePipeline awsJson 1.1).
fn json_error(status: u16, json: &'static str, code: &str, message: &str) -> HttpResponse {
    http(
        status,
        json,
        &format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
    )
}

const ARC_JSON: &str = "application/x-amz-json-1.0";
const PIPELINE_JSON: &str = "application/x-amz-json-1.1";

fn fetched(key: SourceKey, payload: Payload) -> Msg {
    Msg::Fetched(Box::new(Fetched {
        key,
        at: now(),
        calls: 1,
        route53_calls: 0,
        result: Ok(payload),
        partial: None,
    }))
}

fn empty_state(b: &Backend) -> State {
    State::new("aws".into(), b.services(), &b.plan(), Thresholds::default())
}

/// Verification reads once: the mocks answer at once, and the call counts stay exact.
fn execution<'a>(backend: &'a Backend, log: &'a AuditLog, clock: &'a Clock) -> Execution<'a> {
    Execution {
        backend,
        log,
        clock,
        actor: Some("arn:aws:sts::111122223333:assumed-role/ops/tester".into()),
        verification: Verification {
            attempts: 1,
            interval: Duration::from_millis(10),
        },
    }
}

fn phases(records: &[AuditRecord]) -> Vec<Phase> {
    records.iter().map(|r| r.phase).collect()
}

/// Every record belongs to the report's action and carries the plan's request.
fn assert_records_of(records: &[AuditRecord], report: &Report, plan: &Plan) {
    let id = report
        .id
        .clone()
        .expect("an audit id once the intent is written");
    for r in records {
        assert_eq!(r.id, id, "{r:?}");
        assert_eq!(r.action, plan.action.name());
        assert_eq!(
            (r.service.as_str(), r.target.as_str()),
            (plan.service.as_str(), plan.target.as_str())
        );
        assert_eq!(
            r.request,
            plan.request(),
            "the request as planned, in every phase"
        );
        assert_eq!(
            r.actor.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/ops/tester")
        );
        assert_eq!(r.forced_reason, report.forced_reason);
    }
    assert_eq!(
        (records[0].outcome.as_deref(), records[0].error.as_deref()),
        (None, None)
    );
}

// ---------------------------------------------------------------------------------------------
// 1. ARC routing controls: UpdateRoutingControlStates tried on each cluster endpoint in turn
// ---------------------------------------------------------------------------------------------

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
        last_failure: None,
        version: Some(1),
        checker_regions: Vec::new(),
        follows_routing_control: false,
    }
}

/// Both regions healthy, nothing inverted: the primary (us-east-1) serves.
fn arc_state(b: &Backend) -> State {
    let mut state = empty_state(b);
    let entry = |region: &str, id: &str| Entry {
        service: "sample".into(),
        region: region.into(),
        value: healthy(id),
    };
    update(
        &mut state,
        fetched(
            SourceKey::new(SourceKind::Health, "us-east-1"),
            Payload::Health(vec![
                entry("us-east-1", "hc-east"),
                entry("us-west-2", "hc-west"),
            ]),
        ),
        now(),
    );
    state
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
    let state = arc_state(backend);
    let plan = plan::failover(&state, "sample", "us-west-2", now()).unwrap();
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
    let state = arc_state(&backend);

    let plan = plan::failover(&state, "sample", "us-west-2", now()).unwrap();
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
    assert_eq!(report.message, "every routing control reads as planned");
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
    assert_eq!(
        records[2].outcome.as_deref(),
        Some("every routing control reads as planned")
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
// 2. CodePipeline PutApprovalResult with the token read by GetPipelineState
// ---------------------------------------------------------------------------------------------

const PIPELINE_TOML: &str = r#"
[[service]]
name = "sample"
domain = "sample.example.com"
hosted_zone_id = "ZSAMPLE"
regions = ["us-east-1", "us-west-2"]
functions = ["sample-api"]

[service.artifacts]
bucket = "sample-artifacts-{region}"
prefix = "builds/"

[service.pipeline]
name = "sample-deploy"
"#;

fn stage(
    name: &str,
    status: aws_sdk_codepipeline::types::StageExecutionStatus,
    action: Option<aws_sdk_codepipeline::types::ActionState>,
) -> aws_sdk_codepipeline::types::StageState {
    use aws_sdk_codepipeline::types::{StageExecution, StageState};
    StageState::builder()
        .stage_name(name)
        .latest_execution(
            StageExecution::builder()
                .pipeline_execution_id("exec-9")
                .status(status)
                .build()
                .unwrap(),
        )
        .set_action_states(action.map(|a| vec![a]))
        .build()
}

fn approval_action(
    status: aws_sdk_codepipeline::types::ActionExecutionStatus,
) -> aws_sdk_codepipeline::types::ActionState {
    use aws_sdk_codepipeline::types::{ActionExecution, ActionState};
    ActionState::builder()
        .action_name("ManualApproval")
        .latest_execution(
            ActionExecution::builder()
                .status(status)
                .token("tok-123")
                .last_status_change(aws_mocks_support::sdk_time(ago(20)))
                .build(),
        )
        .build()
}

/// GetPipelineState: the Approve stage waiting at ManualApproval with token "tok-123".
fn waiting() -> aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput {
    use aws_sdk_codepipeline::types::{ActionExecutionStatus as A, StageExecutionStatus as S};
    aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput::builder()
        .pipeline_name("sample-deploy")
        .stage_states(stage("Source", S::Succeeded, None))
        .stage_states(stage(
            "Approve",
            S::InProgress,
            Some(approval_action(A::InProgress)),
        ))
        .build()
}

/// GetPipelineState after the approval: answered, the deploy running.
fn answered() -> aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput {
    use aws_sdk_codepipeline::types::{ActionExecutionStatus as A, StageExecutionStatus as S};
    aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput::builder()
        .pipeline_name("sample-deploy")
        .stage_states(stage("Source", S::Succeeded, None))
        .stage_states(stage(
            "Approve",
            S::Succeeded,
            Some(approval_action(A::Succeeded)),
        ))
        .stage_states(stage("Deploy", S::InProgress, None))
        .build()
}

/// GetPipelineExecution of the waiting execution: it deploys revision "v-42".
fn execution_rule() -> aws_smithy_mocks::Rule {
    use aws_sdk_codepipeline::operation::get_pipeline_execution::GetPipelineExecutionOutput;
    use aws_sdk_codepipeline::types::{ArtifactRevision, PipelineExecution};
    mock!(aws_sdk_codepipeline::Client::get_pipeline_execution)
        .match_requests(|r| {
            r.pipeline_name() == Some("sample-deploy")
                && r.pipeline_execution_id() == Some("exec-9")
        })
        .then_output(|| {
            GetPipelineExecutionOutput::builder()
                .pipeline_execution(
                    PipelineExecution::builder()
                        .pipeline_execution_id("exec-9")
                        .artifact_revisions(
                            ArtifactRevision::builder()
                                .name("SourceArtifact")
                                .revision_id("v-42")
                                .build(),
                        )
                        .build(),
                )
                .build()
        })
}

fn pipeline_backend(
    state_rule: &aws_smithy_mocks::Rule,
    put: &aws_smithy_mocks::Rule,
) -> (AwsBackend, aws_smithy_mocks::Rule) {
    let execution = execution_rule();
    let b = backend(
        PIPELINE_TOML,
        unused_control(),
        vec![
            (
                "us-east-1",
                RegionClients {
                    codepipeline: mocked!(
                        aws_sdk_codepipeline,
                        RuleMode::MatchAny,
                        [state_rule, &execution, put]
                    ),
                    ..unused_region()
                },
            ),
            ("us-west-2", unused_region()),
        ],
    );
    (b, execution)
}

/// The state after the real pipeline fetch, with artifact v-42 (the pending revision) in both
/// regions' buckets, so replication is ready and preflight passes.
async fn pipeline_state(b: &Backend) -> State {
    let mut state = empty_state(b);
    let pipeline = b
        .fetch(&SourceKey::new(SourceKind::Pipeline, "us-east-1"), now())
        .await;
    assert!(pipeline.result.is_ok(), "{:?}", pipeline.result);
    update(&mut state, Msg::Fetched(Box::new(pipeline)), now());
    let artifact = |region: &str, modified, replication| Entry {
        service: "sample".into(),
        region: region.into(),
        value: vec![ArtifactVersion {
            key: "builds/sample.zip".into(),
            version_id: "v-42".into(),
            size_bytes: 1024,
            last_modified: modified,
            etag: Some("e42".into()),
            replication: Some(replication),
            replicated_at: None,
        }],
    };
    for (region, modified, replication) in [
        ("us-east-1", ago(30), S3Replication::Completed),
        ("us-west-2", ago(28), S3Replication::Replica),
    ] {
        update(
            &mut state,
            fetched(
                SourceKey::new(SourceKind::Replication, region),
                Payload::Replication(vec![artifact(region, modified, replication)], Vec::new()),
            ),
            now(),
        );
    }
    state
}

/// Why mocks: moto implements neither GetPipelineState nor PutApprovalResult, and its
/// executions succeed the moment they start, so no approval (and no token) ever waits.
#[tokio::test]
async fn approval_sends_the_token_read_by_get_pipeline_state_and_verifies() {
    use aws_sdk_codepipeline::operation::put_approval_result::{
        PutApprovalResultInput, PutApprovalResultOutput,
    };
    // The fetch that plans sees the approval waiting; verification's re-read sees it answered.
    let state_rule = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some("sample-deploy"))
        .sequence()
        .output(waiting)
        .output(answered)
        .build();
    let puts: Seen<PutApprovalResultInput> = Arc::default();
    let log_puts = Arc::clone(&puts);
    let put = mock!(aws_sdk_codepipeline::Client::put_approval_result).then_compute_output(
        move |input| {
            record(&log_puts, input.clone());
            PutApprovalResultOutput::builder()
                .approved_at(aws_mocks_support::sdk_time(now()))
                .build()
        },
    );
    let (b, execution_rule) = pipeline_backend(&state_rule, &put);
    let backend = Backend::Aws(b);
    let state = pipeline_state(&backend).await;
    let pending = state.service("sample").unwrap().pipeline.as_ref().unwrap();
    assert_eq!(
        pending.value.pending.as_ref().map(|p| p.token.as_str()),
        Some("tok-123"),
        "the real fetch put the pending approval in the state"
    );

    let plan = plan::approval(&state, "sample", true, "looks good", now()).unwrap();
    assert!(plan.preflight.passed(), "{:?}", plan.preflight);
    let summary = "looks good [switchyard: replication: ready in every region]";
    assert_eq!(
        plan.calls,
        vec![Call::PutApprovalResult {
            region: "us-east-1".into(),
            pipeline_name: "sample-deploy".into(),
            stage_name: "Approve".into(),
            action_name: "ManualApproval".into(),
            result: ApprovalResult {
                summary: summary.into(),
                status: ApprovalStatus::Approved,
            },
            token: "tok-123".into(),
        }]
    );

    let dir = TempDir::new("approve-ok");
    let log = dir.audit();
    let clock = Clock::fixed(now());
    let report = execution(&backend, &log, &clock).run(&plan, None).await;

    assert_eq!(report.status, Status::Verified, "{report:?}");
    assert_eq!(
        report.message,
        "the approval is answered; stages: Source Succeeded, Approve Succeeded, Deploy InProgress"
    );
    assert_eq!(
        report.answers,
        vec!["sample-deploy Approve/ManualApproval: Approved at 12:00:00 UTC".to_string()]
    );
    assert_eq!(
        report.forced_reason, None,
        "preflight passed: nothing forced"
    );

    let sent = seen(&puts);
    assert_eq!(sent.len(), 1, "one PutApprovalResult");
    let input = &sent[0];
    assert_eq!(
        input.token(),
        Some("tok-123"),
        "exactly the token GetPipelineState gave"
    );
    assert_eq!(
        (
            input.pipeline_name(),
            input.stage_name(),
            input.action_name()
        ),
        (
            Some("sample-deploy"),
            Some("Approve"),
            Some("ManualApproval")
        )
    );
    let result = input.result().expect("a result");
    assert_eq!(
        *result.status(),
        aws_sdk_codepipeline::types::ApprovalStatus::Approved
    );
    assert!(
        result.summary().starts_with("looks good"),
        "{}",
        result.summary()
    );
    assert!(
        result
            .summary()
            .contains("replication: ready in every region"),
        "the summary records the replication verdict: {}",
        result.summary()
    );
    assert_eq!(
        state_rule.num_calls(),
        2,
        "one GetPipelineState to plan, one to verify"
    );
    assert_eq!(
        execution_rule.num_calls(),
        1,
        "revisions read only while the approval waited"
    );

    let records = log.read().unwrap();
    assert_eq!(
        phases(&records),
        vec![Phase::Intent, Phase::Result, Phase::Verified]
    );
    assert_records_of(&records, &report, &plan);
    assert_eq!(records[1].outcome.as_deref(), Some("ok"));
    assert_eq!(records[0].request[0]["api"], "PutApprovalResult");
    assert_eq!(records[0].request[0]["Token"], "tok-123");
    assert_eq!(records[0].request[0]["Result"]["Status"], "Approved");
}

/// Why mocks: moto has no PutApprovalResult, so a stale token (InvalidApprovalTokenException:
/// the approval was answered or expired since it was read) can only be injected.
#[tokio::test]
async fn approval_with_a_stale_token_is_a_conflict() {
    let state_rule = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some("sample-deploy"))
        .then_output(waiting);
    let put = mock!(aws_sdk_codepipeline::Client::put_approval_result)
        .match_requests(|r| r.token() == Some("tok-123"))
        .then_http_response(|| {
            json_error(
                400,
                PIPELINE_JSON,
                "InvalidApprovalTokenException",
                "The approval action has already been approved or rejected, or the token is invalid.",
            )
        });
    let (b, _) = pipeline_backend(&state_rule, &put);
    let backend = Backend::Aws(b);
    let state = pipeline_state(&backend).await;
    let plan = plan::approval(&state, "sample", true, "looks good", now()).unwrap();

    let dir = TempDir::new("approve-conflict");
    let log = dir.audit();
    let clock = Clock::fixed(now());
    let report = execution(&backend, &log, &clock).run(&plan, None).await;

    assert_eq!(report.status, Status::Failed, "{report:?}");
    assert_eq!(put.num_calls(), 1, "sent once, with the token read");
    assert_eq!(
        state_rule.num_calls(),
        2,
        "one re-read after the failed call: the approval still waits, so nothing was applied"
    );
    let m = &report.message;
    assert!(
        m.contains("CodePipeline PutApprovalResult in us-east-1: InvalidApprovalTokenException"),
        "{m}"
    );
    assert!(m.contains("refresh") && m.contains("plan again"), "{m}");

    let records = log.read().unwrap();
    assert_eq!(phases(&records), vec![Phase::Intent, Phase::Result]);
    assert_records_of(&records, &report, &plan);
    assert_eq!(records[1].outcome.as_deref(), Some("conflict"));
    assert_eq!(records[1].error.as_deref(), Some(m.as_str()));
}

// ---------------------------------------------------------------------------------------------
// 3 and 4. Route 53 UpdateHealthCheck: a stale HealthCheckVersion; read-only mode
// ---------------------------------------------------------------------------------------------

const HEALTH_TOML: &str = r#"
[[service]]
name = "sample"
domain = "sample.example.com"
hosted_zone_id = "ZSAMPLE"
regions = ["us-east-1", "us-west-2"]
functions = ["sample-api"]
health_checks = { "us-east-1" = "hc-east", "us-west-2" = "hc-west" }
"#;

/// The checker regions configured on hc-east (not Route 53's default set).
const EAST_CHECKERS: [&str; 3] = ["us-east-1", "us-west-1", "eu-west-1"];

/// GetHealthCheck: hc-east at HealthCheckVersion 7 with three checker regions, hc-west at 4
/// with the default checkers; neither inverted.
/// GetHealthCheck; the checks named in `inverted` read Inverted=true.
fn get_health_check_rule(inverted: Seen<String>) -> aws_smithy_mocks::Rule {
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckOutput;
    use aws_sdk_route53::types::{
        HealthCheck as R53Check, HealthCheckConfig, HealthCheckRegion, HealthCheckType,
    };
    mock!(aws_sdk_route53::Client::get_health_check).then_compute_output(move |r| {
        let id = r.health_check_id().unwrap_or("");
        let (version, regions): (i64, &[&str]) = match id {
            "hc-east" => (7, &EAST_CHECKERS),
            "hc-west" => (4, &[]),
            other => panic!("GetHealthCheck for an unexpected id {other:?}"),
        };
        let config = HealthCheckConfig::builder()
            .r#type(HealthCheckType::Https)
            .fully_qualified_domain_name(format!("{id}.sample.example.com"))
            .resource_path("/health")
            .inverted(seen(&inverted).iter().any(|i| i == id))
            .disabled(false)
            .set_regions((!regions.is_empty()).then(|| {
                regions
                    .iter()
                    .map(|r| HealthCheckRegion::from(*r))
                    .collect()
            }))
            .build()
            .unwrap();
        GetHealthCheckOutput::builder()
            .health_check(
                R53Check::builder()
                    .id(id)
                    .caller_reference(format!("ref-{id}"))
                    .health_check_version(version)
                    .health_check_config(config)
                    .build()
                    .unwrap(),
            )
            .build()
    })
}

/// GetHealthCheckStatus: every checker says healthy.
fn all_healthy_rule() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_route53::Client::get_health_check_status).then_output(all_healthy)
}

fn all_healthy() -> aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput
{
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput;
    use aws_sdk_route53::types::{HealthCheckObservation, HealthCheckRegion, StatusReport};
    let mut out = GetHealthCheckStatusOutput::builder();
    for region in EAST_CHECKERS {
        out = out.health_check_observations(
            HealthCheckObservation::builder()
                .region(HealthCheckRegion::from(region))
                .ip_address("15.177.0.1")
                .status_report(
                    StatusReport::builder()
                        .status("Success: HTTP Status Code 200, OK")
                        .checked_time(aws_mocks_support::sdk_time(ago(1)))
                        .build(),
                )
                .build(),
        );
    }
    out.build().unwrap()
}

/// Route 53's answer to an UpdateHealthCheck whose HealthCheckVersion is not the current one
/// (HTTP 409, restXml wrapped error).
fn version_mismatch() -> HttpResponse {
    http(
        409,
        "text/xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>HealthCheckVersionMismatch</Code><Message>The value of HealthCheckVersion in the request doesn't match the value of HealthCheckVersion in the health check.</Message></Error><RequestId>3f6a1b2c-0000-4000-8000-000000000001</RequestId></ErrorResponse>"#,
    )
}

struct HealthMocks {
    get: aws_smithy_mocks::Rule,
    update: aws_smithy_mocks::Rule,
    updates: Seen<aws_sdk_route53::operation::update_health_check::UpdateHealthCheckInput>,
}

/// The backend over mocked Route 53 (UpdateHealthCheck answering HealthCheckVersionMismatch)
/// and CloudWatch; `read_only` as the config says.
fn health_backend(read_only: bool) -> (AwsBackend, HealthMocks) {
    let updates: Seen<_> = Arc::default();
    let log = Arc::clone(&updates);
    let update =
        mock!(aws_sdk_route53::Client::update_health_check).then_compute_response(move |input| {
            record(&log, input.clone());
            MockResponse::Http(version_mismatch())
        });
    let get = get_health_check_rule(Arc::default());
    let status = all_healthy_rule();
    let (cloudwatch, _) = fake_cloudwatch(aws_mocks_support::MetricTable::new());
    let toml = if read_only {
        format!("read_only = true\n{HEALTH_TOML}")
    } else {
        HEALTH_TOML.to_string()
    };
    let b = backend(
        &toml,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&get, &status, &update]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );
    assert_eq!(b.config().read_only, read_only);
    (
        b,
        HealthMocks {
            get,
            update,
            updates,
        },
    )
}

/// The state after the real health fetch (GetHealthCheck gives the versions and regions).
async fn health_state(b: &Backend) -> State {
    let mut state = empty_state(b);
    let health = b
        .fetch(&SourceKey::new(SourceKind::Health, "us-east-1"), now())
        .await;
    assert!(health.result.is_ok(), "{:?}", health.result);
    update(&mut state, Msg::Fetched(Box::new(health)), now());
    state
}

/// us-east-1 serves; failing over to us-west-2 inverts hc-east, at the version read.
fn invert_plan(state: &State) -> Plan {
    let plan = plan::failover(state, "sample", "us-west-2", now()).unwrap();
    assert_eq!(
        plan.calls,
        vec![Call::UpdateHealthCheck {
            health_check_id: "hc-east".into(),
            health_check_version: 7,
            inverted: true,
            regions: EAST_CHECKERS.map(String::from).to_vec(),
        }],
        "only hc-east changes; hc-west is already not inverted"
    );
    plan
}

/// Why mocks: moto never increases HealthCheckVersion and never checks it, so Route 53's
/// HealthCheckVersionMismatch (someone changed the check since it was read) cannot happen there.
#[tokio::test]
async fn stale_health_check_version_is_a_conflict_and_is_not_verified() {
    let (b, mocks) = health_backend(false);
    let backend = Backend::Aws(b);
    let state = health_state(&backend).await;
    assert_eq!(mocks.get.num_calls(), 2);
    let plan = invert_plan(&state);
    assert!(plan.uses_control_plane);

    let dir = TempDir::new("version-mismatch");
    let log = dir.audit();
    let clock = Clock::fixed(now());
    let report = execution(&backend, &log, &clock)
        .run(&plan, Some("primary degraded".into()))
        .await;

    assert_eq!(report.status, Status::Failed, "{report:?}");
    assert!(report.answers.is_empty());
    let m = &report.message;
    assert!(
        m.contains("Route 53 UpdateHealthCheck in us-east-1: HealthCheckVersionMismatch"),
        "{m}"
    );
    assert!(
        m.contains("refresh") && m.contains("plan again"),
        "tells the user to refresh and plan again: {m}"
    );

    // The request: the version read, Inverted=true, and the check's Regions sent again.
    assert_eq!(mocks.update.num_calls(), 1, "not retried");
    let sent = seen(&mocks.updates);
    assert_eq!(sent.len(), 1);
    let input = &sent[0];
    assert_eq!(input.health_check_id(), Some("hc-east"));
    assert_eq!(
        input.health_check_version(),
        Some(7),
        "HealthCheckVersion as read"
    );
    assert_eq!(input.inverted(), Some(true));
    let regions: Vec<&str> = input.regions().iter().map(|r| r.as_str()).collect();
    assert_eq!(
        regions, EAST_CHECKERS,
        "the Regions list read from the check"
    );
    assert_eq!(input.disabled(), None, "nothing else is changed");
    assert_eq!(
        mocks.get.num_calls(),
        4,
        "one re-read of the flags after the failed call: still not inverted, so not applied"
    );

    let records = log.read().unwrap();
    assert_eq!(
        phases(&records),
        vec![Phase::Intent, Phase::Result],
        "no verified/unverified record"
    );
    assert_records_of(&records, &report, &plan);
    assert_eq!(records[1].outcome.as_deref(), Some("conflict"));
    assert_eq!(records[1].error.as_deref(), Some(m.as_str()));
    assert_eq!(
        records[0].request,
        serde_json::json!([{
            "api": "UpdateHealthCheck",
            "HealthCheckId": "hc-east",
            "HealthCheckVersion": 7,
            "Inverted": true,
            "Regions": EAST_CHECKERS,
        }])
    );
}

/// Why mocks: the point is that nothing reaches AWS; a mocked UpdateHealthCheck counts the
/// requests exactly (and moto would accept any version anyway).
#[tokio::test]
async fn read_only_refuses_before_anything_is_sent_or_logged() {
    let (b, mocks) = health_backend(true);
    let backend = Backend::Aws(b);
    // Reads still work in read-only mode.
    let state = health_state(&backend).await;
    let plan = invert_plan(&state);

    let dir = TempDir::new("read-only");
    let log = dir.audit();
    assert!(backend.read_only());
    let clock = Clock::fixed(now());
    let report = execution(&backend, &log, &clock)
        .run(&plan, Some("forced reasons do not lift read-only".into()))
        .await;

    assert_eq!(report.status, Status::Refused, "{report:?}");
    assert_eq!(report.id, None, "refused before any intent");
    assert!(report.message.contains("read-only"), "{}", report.message);
    assert_eq!(mocks.update.num_calls(), 0, "UpdateHealthCheck never sent");
    assert!(log.read().unwrap().is_empty(), "the audit log is empty");
    assert!(!log.path().exists(), "not even created");

    // The backend's own door refuses too, whoever calls it.
    let err = backend
        .execute(&plan.calls[0], now())
        .await
        .expect_err("read-only refuses");
    assert_eq!(err.kind, CallErrorKind::ReadOnly);
    assert!(
        err.message.contains("UpdateHealthCheck refused")
            && err.message.contains("nothing was sent"),
        "{}",
        err.message
    );
    assert_eq!(mocks.update.num_calls(), 0, "still nothing sent");
    assert!(seen(&mocks.updates).is_empty());
    assert_eq!(
        mocks.get.num_calls(),
        2,
        "only the health fetch read anything"
    );
}

/// Why mocks: moto's GetHealthCheckStatus never runs out, and CloudWatch (the fallback) cannot
/// be reached from the Rust SDK there. Here every status call after the first read would be
/// throttled and CloudWatch has no data: verification must not need them. It reads back only
/// the flags (GetHealthCheck) and combines them with the verdicts read when planned (inversion
/// does not change those).
#[tokio::test]
async fn verification_does_not_need_the_rationed_status_api_again() {
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusError;
    use aws_sdk_route53::operation::update_health_check::UpdateHealthCheckOutput;
    let inverted: Seen<String> = Arc::default();
    let get = get_health_check_rule(Arc::clone(&inverted));
    let flags = Arc::clone(&inverted);
    let update =
        mock!(aws_sdk_route53::Client::update_health_check).then_compute_response(move |input| {
            if input.inverted() == Some(true) {
                record(&flags, input.health_check_id().unwrap_or("").to_string());
            }
            MockResponse::Output(UpdateHealthCheckOutput::builder().build())
        });
    // The first read's two status calls are answered; every later one is throttled.
    let status_calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&status_calls);
    let status =
        mock!(aws_sdk_route53::Client::get_health_check_status).then_compute_response(move |_| {
            if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 {
                MockResponse::Output(all_healthy())
            } else {
                MockResponse::Error(GetHealthCheckStatusError::generic(
                    aws_smithy_types::error::ErrorMetadata::builder()
                        .code("Throttling")
                        .message("Rate exceeded")
                        .build(),
                ))
            }
        });
    let (cloudwatch, _) = fake_cloudwatch(aws_mocks_support::MetricTable::new());
    let b = backend(
        HEALTH_TOML,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&get, &status, &update]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );
    let backend = Backend::Aws(b);
    let state = health_state(&backend).await;
    let plan = invert_plan(&state);
    let dir = TempDir::new("rationed-status");
    let log = dir.audit();
    let clock = Clock::fixed(now());
    let report = execution(&backend, &log, &clock)
        .run(&plan, Some("only health is read here".into()))
        .await;
    assert_eq!(
        status_calls.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "verification reads the flags only, never the rationed status API: {report:?}"
    );
    assert_eq!(seen(&inverted), vec!["hc-east".to_string()]);
    assert_eq!(report.status, Status::Verified, "{report:?}");
    assert_eq!(
        report.message,
        "Inverted flags read back as planned; Route 53 should now answer with us-west-2"
    );
}
