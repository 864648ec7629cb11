//! The pipeline source when one of the APIs it joins fails (issue "dataplane", item 1):
//! GetPipelineState (the stages and the approval's state) with GetPipeline (which actions are
//! manual approvals, kept while the pipeline's version holds).
//!
//! Why mocks: moto implements GetPipeline but not GetPipelineState.

use super::*;
use aws_sdk_codepipeline::operation::get_pipeline::{GetPipelineError, GetPipelineOutput};
use aws_sdk_codepipeline::operation::get_pipeline_execution::GetPipelineExecutionOutput;
use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
use aws_sdk_codepipeline::types::{
    ActionCategory, ActionDeclaration, ActionExecution, ActionExecutionStatus, ActionOwner,
    ActionState, ActionTypeId, PipelineDeclaration, StageDeclaration, StageExecution,
    StageExecutionStatus, StageState,
};

const ONE_PIPELINE: &str = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1"]
functions = ["api-fn"]
[service.pipeline]
name = "api-deploy"
"#;

/// GetPipeline: "Approve"/"ManualApproval" is a manual approval (category Approval, provider
/// Manual), declared at `version`.
fn declared(version: i32) -> GetPipelineOutput {
    let approval = ActionDeclaration::builder()
        .name("ManualApproval")
        .action_type_id(
            ActionTypeId::builder()
                .category(ActionCategory::Approval)
                .owner(ActionOwner::Aws)
                .provider("Manual")
                .version("1")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    GetPipelineOutput::builder()
        .pipeline(
            PipelineDeclaration::builder()
                .name("api-deploy")
                .role_arn("arn:aws:iam::123456789012:role/pipeline")
                .version(version)
                .stages(
                    StageDeclaration::builder()
                        .name("Approve")
                        .actions(approval)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
}

/// GetPipelineState at `version`: the approval waiting since 10 minutes ago.
fn waiting(version: i32) -> GetPipelineStateOutput {
    GetPipelineStateOutput::builder()
        .pipeline_version(version)
        .stage_states(
            StageState::builder()
                .stage_name("Approve")
                .latest_execution(
                    StageExecution::builder()
                        .pipeline_execution_id("exec-1")
                        .status(StageExecutionStatus::InProgress)
                        .build()
                        .unwrap(),
                )
                .action_states(
                    ActionState::builder()
                        .action_name("ManualApproval")
                        .latest_execution(
                            ActionExecution::builder()
                                .status(ActionExecutionStatus::InProgress)
                                .token("tok-1")
                                .last_status_change(sdk_time(ago(10)))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .build()
}

fn execution() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_codepipeline::Client::get_pipeline_execution)
        .then_output(|| GetPipelineExecutionOutput::builder().build())
}

fn pipeline_info(result: Result<Payload, SourceError>) -> PipelineInfo {
    match result {
        Ok(Payload::Pipeline(mut entries)) => entries.remove(0).value,
        other => panic!("expected a Pipeline payload, got {other:?}"),
    }
}

/// CodePipeline API reference, GetPipelineState `pipelineVersion` and GetPipeline: the
/// declaration read at version 1 is kept; the state now says version 2 and GetPipeline fails.
/// The approval is still told by the declaration read at version 1 (an edit rarely turns a
/// manual approval into something else), and the partial error says the data rests on it.
/// Before, the whole pipeline source failed.
#[tokio::test]
async fn a_changed_pipeline_whose_declaration_cannot_be_read_rests_on_the_last_one() {
    let state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .sequence()
        .output(|| waiting(1))
        .output(|| waiting(2))
        .build();
    let get_pipeline = mock!(aws_sdk_codepipeline::Client::get_pipeline)
        .sequence()
        .output(|| declared(1))
        .error(|| GetPipelineError::generic(meta("ServiceUnavailable", "unavailable")))
        .build();
    let execution = execution();
    let b = backend(
        ONE_PIPELINE,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [&state, &get_pipeline, &execution]
                ),
                ..unused_region()
            },
        )],
    );
    let (tally, first) = fetch(&b, SourceKind::Pipeline, "us-east-1").await;
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    assert!(pipeline_info(first).pending.is_some());

    let (tally, second) = fetch(&b, SourceKind::Pipeline, "us-east-1").await;
    assert_eq!(get_pipeline.num_calls(), 2, "the new version was asked for");
    let info = pipeline_info(second);
    let pending = info
        .pending
        .expect("the approval, as declared at version 1");
    assert_eq!(
        (pending.stage.as_str(), pending.token.as_str()),
        ("Approve", "tok-1")
    );
    let e = tally
        .partial
        .expect("the declaration's error as the partial");
    assert!(
        e.message.starts_with(
            "approvals of pipeline api-deploy as declared at version 1 (it is now at version 2"
        ) && e.message.contains("CodePipeline GetPipeline in us-east-1"),
        "{}",
        e.message
    );
}

/// CodePipeline API reference, GetPipeline (the declaration: which actions are manual
/// approvals) failing on the first fetch, GetPipelineState answering: the stages are shown, the
/// approvals are unknown (JSON `approvals_known: false`, `pending_approval` null as unknown; the
/// panel says `? approval unknown`), never "no approval pending", and GetPipeline's error is the
/// partial one. Nothing is cached: the next fetch asks for the declaration again. Before, the
/// whole pipeline source failed.
#[tokio::test]
async fn without_any_declaration_the_stages_are_shown_and_the_approvals_unknown() {
    let state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state).then_output(|| waiting(1));
    let get_pipeline = mock!(aws_sdk_codepipeline::Client::get_pipeline)
        .then_error(|| GetPipelineError::generic(meta("ServiceUnavailable", "unavailable")));
    let execution = execution();
    let b = backend(
        ONE_PIPELINE,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [&state, &get_pipeline, &execution]
                ),
                ..unused_region()
            },
        )],
    );
    let key = SourceKey::new(SourceKind::Pipeline, "us-east-1");
    let (tally, result) = b.fetch(&key, now()).await;
    let info = pipeline_info(result.clone());
    assert_eq!(
        info.stages
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Approve"]
    );
    assert!(info.approvals_unknown);
    assert_eq!(
        (info.pending.as_ref(), info.last_answer.as_ref()),
        (None, None)
    );
    assert_eq!(
        get_pipeline.num_calls(),
        1,
        "asked once, not again for the version"
    );
    let e = tally
        .partial
        .clone()
        .expect("GetPipeline's error as the partial");
    assert!(
        e.message
            .starts_with("approvals of pipeline api-deploy unknown")
            && e.message.contains("CodePipeline GetPipeline in us-east-1"),
        "{}",
        e.message
    );
    let mut fleet = Fleet::new(b.services(), &b.schedule(), Thresholds::default());
    fleet.apply(Fetched {
        key: key.clone(),
        at: now(),
        calls: tally.calls,
        route53_calls: tally.route53_calls,
        result,
        partial: tally.partial,
    });
    let snap = serde_json::to_value(switchyard::report::snapshot(&fleet, now())).unwrap();
    let pipeline = &snap["services"][0]["pipeline"];
    assert_eq!(pipeline["approvals_known"], false, "{pipeline:#}");
    assert!(pipeline["pending_approval"].is_null(), "{pipeline:#}");

    let _ = b.fetch(&key, now()).await;
    assert_eq!(get_pipeline.num_calls(), 2, "no declaration was kept");
}
