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
