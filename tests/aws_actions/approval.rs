//! CodePipeline PutApprovalResult with the token read by GetPipelineState.

use super::*;

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
    let declared =
        crate::aws_mocks_support::manual_approvals_declared(&[("Approve", "ManualApproval", None)]);
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
                        [state_rule, &execution, put, &declared]
                    ),
                    ..unused_region()
                },
            ),
            ("us-west-2", unused_region()),
        ],
    );
    (b, execution)
}

/// The fleet after the real pipeline fetch, with artifact v-42 (the pending revision) in both
/// regions' buckets, so replication is ready and preflight passes.
async fn pipeline_state(b: &Backend) -> Fleet {
    let mut fleet = empty_fleet(b);
    let pipeline = b
        .fetch(&SourceKey::new(SourceKind::Pipeline, "us-east-1"), now())
        .await;
    assert!(pipeline.result.is_ok(), "{:?}", pipeline.result);
    fleet.apply(pipeline);
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
            simulated: false,
        }],
    };
    for (region, modified, replication) in [
        ("us-east-1", ago(30), S3Replication::Completed),
        ("us-west-2", ago(28), S3Replication::Replica),
    ] {
        fleet.apply(fetched(
            SourceKey::new(SourceKind::Replication, region),
            Payload::Replication(vec![artifact(region, modified, replication)], Vec::new()),
        ));
    }
    fleet
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
    let fleet = pipeline_state(&backend).await;
    let pending = fleet.service("sample").unwrap().pipeline.as_ref().unwrap();
    assert_eq!(
        pending.value.pending.as_ref().map(|p| p.token.as_str()),
        Some("tok-123"),
        "the real fetch put the pending approval in the fleet"
    );

    let plan = plan::approval(&fleet, "sample", true, "looks good", now()).unwrap();
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
    let fleet = pipeline_state(&backend).await;
    let plan = plan::approval(&fleet, "sample", true, "looks good", now()).unwrap();

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
