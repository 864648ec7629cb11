//! CodePipeline pending approval: recognised from the pipeline's declaration (GetPipeline:
//! category Approval, provider Manual, `timeoutInMinutes`), waiting in GetPipelineState, and the
//! last answer when none waits.
//!
//! Why mocks: moto implements GetPipeline but not GetPipelineState (nor PutApprovalResult), and
//! its executions are "Succeeded" the moment they start, so no approval is ever pending there.

use super::*;
use crate::aws_mocks_support::manual_approvals_declared;

fn stage(
    name: &str,
    status: aws_sdk_codepipeline::types::StageExecutionStatus,
    execution: &str,
    actions: Vec<aws_sdk_codepipeline::types::ActionState>,
) -> aws_sdk_codepipeline::types::StageState {
    use aws_sdk_codepipeline::types::{StageExecution, StageState};
    let mut s = StageState::builder().stage_name(name).latest_execution(
        StageExecution::builder()
            .pipeline_execution_id(execution)
            .status(status)
            .build()
            .unwrap(),
    );
    for a in actions {
        s = s.action_states(a);
    }
    s.build()
}

fn action(
    name: &str,
    status: aws_sdk_codepipeline::types::ActionExecutionStatus,
    token: Option<&str>,
    changed: chrono::DateTime<chrono::Utc>,
) -> aws_sdk_codepipeline::types::ActionState {
    use aws_sdk_codepipeline::types::{ActionExecution, ActionState};
    ActionState::builder()
        .action_name(name)
        .latest_execution(
            ActionExecution::builder()
                .status(status)
                .set_token(token.map(str::to_string))
                .last_status_change(sdk_time(changed))
                .build(),
        )
        .build()
}

fn pipeline(result: Result<Payload, SourceError>) -> Vec<Entry<PipelineInfo>> {
    match result {
        Ok(Payload::Pipeline(entries)) => entries,
        other => panic!("expected a Pipeline payload, got {other:?}"),
    }
}

/// Why not moto: moto does not implement GetPipelineState (nor PutApprovalResult), and its
/// executions are "Succeeded" the moment they start, so no approval is ever pending.
#[tokio::test]
async fn codepipeline_pending_manual_approval_with_revisions() {
    use aws_sdk_codepipeline::operation::get_pipeline_execution::GetPipelineExecutionOutput;
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
    use aws_sdk_codepipeline::types::{
        ActionExecutionStatus as A, ArtifactRevision, PipelineExecution, PipelineExecutionStatus,
        StageExecutionStatus as S,
    };
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
[service.pipeline]
name = "api-deploy"

[[service]]
name = "web"
domain = "web.example.com"
hosted_zone_id = "ZWEB"
regions = ["us-east-1"]
functions = ["web-fn"]
[service.pipeline]
name = "web-deploy"
"#;
    let since = now() - chrono::Duration::hours(26);
    // No timeoutInMinutes declared: the default, seven days.
    let declared = manual_approvals_declared(&[("Approve", "ManualApproval", None)]);
    let api_state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some("api-deploy"))
        .then_output(move || {
            GetPipelineStateOutput::builder()
                .pipeline_name("api-deploy")
                .stage_states(stage(
                    "Source",
                    S::Succeeded,
                    "exec-42",
                    vec![action("S3Source", A::Succeeded, None, ago(60 * 27))],
                ))
                .stage_states(stage(
                    "Build",
                    S::Succeeded,
                    "exec-42",
                    vec![action("Build", A::Succeeded, None, since)],
                ))
                .stage_states(stage(
                    "Approve",
                    S::InProgress,
                    "exec-42",
                    vec![action(
                        "ManualApproval",
                        A::InProgress,
                        Some("tok-42"),
                        since,
                    )],
                ))
                .stage_states(
                    aws_sdk_codepipeline::types::StageState::builder()
                        .stage_name("Deploy")
                        .build(),
                )
                .build()
        });
    // web: its approval was answered; nothing pending, no GetPipelineExecution.
    let web_state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some("web-deploy"))
        .then_output(|| {
            GetPipelineStateOutput::builder()
                .pipeline_name("web-deploy")
                .stage_states(stage(
                    "Approve",
                    S::Succeeded,
                    "exec-7",
                    vec![action("ManualApproval", A::Succeeded, Some("old"), ago(90))],
                ))
                .build()
        });
    let execution = mock!(aws_sdk_codepipeline::Client::get_pipeline_execution)
        .match_requests(|r| {
            r.pipeline_name() == Some("api-deploy") && r.pipeline_execution_id() == Some("exec-42")
        })
        .then_output(|| {
            GetPipelineExecutionOutput::builder()
                .pipeline_execution(
                    PipelineExecution::builder()
                        .pipeline_name("api-deploy")
                        .pipeline_execution_id("exec-42")
                        .status(PipelineExecutionStatus::InProgress)
                        .artifact_revisions(
                            ArtifactRevision::builder()
                                .name("SourceArtifact")
                                .revision_id("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
                                .revision_url("https://s3.console.aws.amazon.com/x")
                                .build(),
                        )
                        // A revision without an ID is left out.
                        .artifact_revisions(ArtifactRevision::builder().name("Config").build())
                        .build(),
                )
                .build()
        });
    let b = backend(
        toml,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [&api_state, &web_state, &execution, &declared]
                ),
                ..unused_region()
            },
        )],
    );

    let (tally, result) = fetch(&b, SourceKind::Pipeline, "us-east-1").await;
    let entries = pipeline(result);
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    assert_eq!(
        tally.calls,
        2 + 2 + 1,
        "two GetPipelineState, two GetPipeline (the first refresh), one GetPipelineExecution"
    );
    assert_eq!(execution.num_calls(), 1);

    let api = &entries.iter().find(|e| e.service == "api").unwrap().value;
    assert_eq!(api.name, "api-deploy");
    assert_eq!(
        api.stages,
        vec![
            StageInfo {
                name: "Source".into(),
                status: Some("Succeeded".into())
            },
            StageInfo {
                name: "Build".into(),
                status: Some("Succeeded".into())
            },
            StageInfo {
                name: "Approve".into(),
                status: Some("InProgress".into())
            },
            StageInfo {
                name: "Deploy".into(),
                status: None
            },
        ]
    );
    assert_eq!(
        api.pending,
        Some(PendingApproval {
            stage: "Approve".into(),
            action: "ManualApproval".into(),
            token: "tok-42".into(),
            since,
            expires: since + chrono::Duration::days(7),
            revisions: vec![ApprovalRevision {
                name: "SourceArtifact".into(),
                revision_id: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY".into(),
            }],
        })
    );
    let web = &entries.iter().find(|e| e.service == "web").unwrap().value;
    assert_eq!(web.pending, None, "a Succeeded approval is not pending");
}

/// Why not moto: GetPipelineState is not implemented in moto.
#[tokio::test]
async fn codepipeline_named_approval_action_is_the_one_reported() {
    use aws_sdk_codepipeline::operation::get_pipeline_execution::GetPipelineExecutionOutput;
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
    use aws_sdk_codepipeline::types::{
        ActionExecutionStatus as A, ArtifactRevision, PipelineExecution, StageExecutionStatus as S,
    };
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-west-2", "us-east-1"]
functions = ["api-fn"]
[service.pipeline]
name = "api-deploy"
approval_action = "ProdApproval"
"#;
    let declared =
        manual_approvals_declared(&[("QA", "QAApproval", None), ("Prod", "ProdApproval", None)]);
    let state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state).then_output(|| {
        GetPipelineStateOutput::builder()
            .stage_states(stage(
                "QA",
                S::InProgress,
                "exec-qa",
                vec![action("QAApproval", A::InProgress, Some("tok-qa"), ago(30))],
            ))
            .stage_states(stage(
                "Prod",
                S::InProgress,
                "exec-prod",
                vec![action(
                    "ProdApproval",
                    A::InProgress,
                    Some("tok-prod"),
                    ago(10),
                )],
            ))
            .build()
    });
    let execution = mock!(aws_sdk_codepipeline::Client::get_pipeline_execution)
        .match_requests(|r| r.pipeline_execution_id() == Some("exec-prod"))
        .then_output(|| {
            GetPipelineExecutionOutput::builder()
                .pipeline_execution(
                    PipelineExecution::builder()
                        .artifact_revisions(
                            ArtifactRevision::builder()
                                .name("SourceArtifact")
                                .revision_id("v-prod")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let b = backend(
        toml,
        unused_control(),
        vec![(
            "us-west-2",
            RegionClients {
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [&state, &execution, &declared]
                ),
                ..unused_region()
            },
        )],
    );
    let (_, result) = fetch(&b, SourceKind::Pipeline, "us-west-2").await;
    let entries = pipeline(result);
    assert_eq!(
        entries[0].region, "us-west-2",
        "the pipeline lives in the primary region"
    );
    let pending = entries[0].value.pending.clone().unwrap();
    assert_eq!(
        (
            pending.stage.as_str(),
            pending.action.as_str(),
            pending.token.as_str()
        ),
        ("Prod", "ProdApproval", "tok-prod")
    );
    assert_eq!(
        (pending.since, pending.expires),
        (ago(10), ago(10) + chrono::Duration::days(7))
    );
    assert_eq!(
        pending.revisions,
        vec![ApprovalRevision {
            name: "SourceArtifact".into(),
            revision_id: "v-prod".into()
        }]
    );
}

/// One pipeline "api-deploy" in us-east-1 whose GetPipelineState is `state`, declared by
/// `declared`, its waiting execution "exec-1" deploying revision "v-1".
async fn fetch_one(
    state: aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput,
    declared: aws_smithy_mocks::Rule,
) -> PipelineInfo {
    use aws_sdk_codepipeline::operation::get_pipeline_execution::GetPipelineExecutionOutput;
    use aws_sdk_codepipeline::types::{ArtifactRevision, PipelineExecution};
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1"]
functions = ["api-fn"]
[service.pipeline]
name = "api-deploy"
"#;
    let state =
        mock!(aws_sdk_codepipeline::Client::get_pipeline_state).then_output(move || state.clone());
    let execution = mock!(aws_sdk_codepipeline::Client::get_pipeline_execution).then_output(|| {
        GetPipelineExecutionOutput::builder()
            .pipeline_execution(
                PipelineExecution::builder()
                    .artifact_revisions(
                        ArtifactRevision::builder()
                            .name("SourceArtifact")
                            .revision_id("v-1")
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let b = backend(
        toml,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [&state, &execution, &declared]
                ),
                ..unused_region()
            },
        )],
    );
    let (tally, result) = fetch(&b, SourceKind::Pipeline, "us-east-1").await;
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    pipeline(result).remove(0).value
}

/// CodePipeline API reference, ActionDeclaration `timeoutInMinutes`: a manual approval declared
/// with a 60-minute timeout fails 60 minutes after it started waiting, not after the default
/// seven days.
#[tokio::test]
async fn an_approval_declared_with_timeout_in_minutes_60_expires_60_minutes_after_it_started() {
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
    use aws_sdk_codepipeline::types::{ActionExecutionStatus as A, StageExecutionStatus as S};
    let since = ago(10);
    let state = GetPipelineStateOutput::builder()
        .pipeline_version(1)
        .stage_states(stage(
            "Approve",
            S::InProgress,
            "exec-1",
            vec![action(
                "ManualApproval",
                A::InProgress,
                Some("tok-1"),
                since,
            )],
        ))
        .build();
    let declared = manual_approvals_declared(&[("Approve", "ManualApproval", Some(60))]);
    let pending = fetch_one(state, declared).await.pending.unwrap();
    assert_eq!(pending.since, since);
    assert_eq!(pending.expires, since + chrono::Duration::minutes(60));
}

/// CodePipeline API reference, ActionTypeId: only an action of category Approval, provider
/// Manual waits for PutApprovalResult. An action of another category in progress with a token
/// (a custom or third-party action's job carries one too) is not a pending approval.
#[tokio::test]
async fn an_in_progress_action_with_a_token_that_is_not_a_manual_approval_is_not_an_approval() {
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
    use aws_sdk_codepipeline::types::{ActionExecutionStatus as A, StageExecutionStatus as S};
    let state = GetPipelineStateOutput::builder()
        .pipeline_version(1)
        .stage_states(stage(
            "Build",
            S::InProgress,
            "exec-1",
            vec![action("Build", A::InProgress, Some("job-token"), ago(3))],
        ))
        .stage_states(stage("Approve", S::InProgress, "exec-0", Vec::new()))
        .build();
    // "Build" is declared as a CodeBuild action; the only manual approval is in "Approve".
    let declared = manual_approvals_declared(&[("Approve", "ManualApproval", None)]);
    let info = fetch_one(state, declared).await;
    assert_eq!(
        info.pending, None,
        "a Build action's token is not an approval"
    );
}

/// CodePipeline API reference, ActionExecution: `lastUpdatedBy` (the ARN of who last changed it)
/// and `summary`. With no approval waiting, the approval action's latest execution is the last
/// answer: who gave it, what they wrote, when, and how it ended.
#[tokio::test]
async fn the_last_answer_says_who_answered_and_what_they_wrote() {
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
    use aws_sdk_codepipeline::types::{
        ActionExecution, ActionExecutionStatus as A, ActionState, StageExecutionStatus as S,
    };
    let answered = ActionState::builder()
        .action_name("ManualApproval")
        .latest_execution(
            ActionExecution::builder()
                .status(A::Succeeded)
                .summary("CHG-1234 canary clean")
                .last_updated_by("arn:aws:sts::123456789012:assumed-role/release/alice")
                .last_status_change(sdk_time(ago(90)))
                .build(),
        )
        .build();
    let state = GetPipelineStateOutput::builder()
        .pipeline_version(1)
        .stage_states(stage("Approve", S::Succeeded, "exec-1", vec![answered]))
        .build();
    let declared = manual_approvals_declared(&[("Approve", "ManualApproval", None)]);
    let info = fetch_one(state, declared).await;
    assert_eq!(info.pending, None);
    assert_eq!(
        info.last_answer,
        Some(ApprovalAnswer {
            stage: "Approve".into(),
            action: "ManualApproval".into(),
            status: "Succeeded".into(),
            by: Some("arn:aws:sts::123456789012:assumed-role/release/alice".into()),
            summary: Some("CHG-1234 canary clean".into()),
            at: ago(90),
        })
    );
}
