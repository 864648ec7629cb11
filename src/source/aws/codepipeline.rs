//! CodePipeline: the stages, the pending manual approval (with its token) and the artifact
//! revisions of the execution waiting at it.

use super::errors::{Operation, fail};
use super::{AwsBackend, FAN_OUT, Tally, timestamp};
use crate::config::PipelineConfig;
use crate::model::{ApprovalRevision, PendingApproval, PipelineInfo, StageInfo};
use crate::source::{Entry, Payload, SourceError};
use futures::stream::{self, StreamExt};

/// An approval not answered in seven days fails the action.
const APPROVAL_EXPIRY_DAYS: i64 = 7;

pub async fn fetch(
    b: &AwsBackend,
    region: &str,
    tally: &mut Tally,
) -> Result<Payload, SourceError> {
    let client = &b.region(region)?.codepipeline;
    let pipelines: Vec<(&str, &PipelineConfig)> = b
        .config
        .services
        .iter()
        .filter_map(|s| Some((s.name.as_str(), s.pipeline.as_ref()?)))
        .filter(|(_, p)| p.region == region)
        .collect();
    // Each pipeline at once (a few at a time), the results kept in service order.
    let pending: Vec<_> = pipelines
        .iter()
        .map(|(_, pipeline)| async move {
            let mut t = Tally::default();
            let read = pipeline_info(b, client, region, pipeline, &mut t).await;
            (t, read)
        })
        .collect();
    let read: Vec<_> = stream::iter(pending).buffered(FAN_OUT).collect().await;
    let mut entries = Vec::new();
    let mut failed = None;
    for ((service, _), (t, info)) in pipelines.iter().zip(read) {
        tally.absorb(t);
        match info {
            Ok(value) => entries.push(Entry {
                service: service.to_string(),
                region: region.to_string(),
                value,
            }),
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(Payload::Pipeline(entries)),
    }
}

/// One pipeline's stages and pending approval (GetPipelineState), then the revisions of the
/// execution waiting at it (GetPipelineExecution).
async fn pipeline_info(
    b: &AwsBackend,
    client: &aws_sdk_codepipeline::Client,
    region: &str,
    pipeline: &PipelineConfig,
    tally: &mut Tally,
) -> Result<PipelineInfo, SourceError> {
    let op = Operation {
        service: "CodePipeline",
        api: "GetPipelineState",
        region,
    };
    tally.count(op);
    let state = client
        .get_pipeline_state()
        .name(&pipeline.name)
        .send()
        .await
        .map_err(fail(op, b.profile()))?;
    let mut info = PipelineInfo {
        name: pipeline.name.clone(),
        stages: Vec::new(),
        pending: None,
    };
    let mut pending_execution: Option<String> = None;
    for stage in state.stage_states() {
        let name = stage.stage_name().unwrap_or("?").to_string();
        info.stages.push(StageInfo {
            name: name.clone(),
            status: stage
                .latest_execution()
                .map(|e| e.status().as_str().to_string()),
        });
        if info.pending.is_some() {
            continue;
        }
        for action in stage.action_states() {
            let action_name = action.action_name().unwrap_or("");
            let wanted = pipeline
                .approval_action
                .as_deref()
                .is_none_or(|a| a == action_name);
            let Some(exec) = action.latest_execution() else {
                continue;
            };
            let in_progress = exec.status().is_some_and(|s| s.as_str() == "InProgress");
            let Some(token) = exec.token().filter(|_| in_progress && wanted) else {
                continue;
            };
            let since = exec
                .last_status_change()
                .and_then(timestamp)
                .unwrap_or_default();
            info.pending = Some(PendingApproval {
                stage: name.clone(),
                action: action_name.to_string(),
                token: token.to_string(),
                since,
                expires: since
                    .checked_add_signed(chrono::Duration::days(APPROVAL_EXPIRY_DAYS))
                    .unwrap_or(since),
                revisions: Vec::new(),
            });
            pending_execution = stage
                .latest_execution()
                .map(|e| e.pipeline_execution_id().to_string());
            break;
        }
    }
    if let (Some(pending), Some(id)) = (info.pending.as_mut(), pending_execution) {
        let op = Operation {
            service: "CodePipeline",
            api: "GetPipelineExecution",
            region,
        };
        tally.count(op);
        match client
            .get_pipeline_execution()
            .pipeline_name(&pipeline.name)
            .pipeline_execution_id(id)
            .send()
            .await
        {
            Ok(out) => {
                pending.revisions = out
                    .pipeline_execution()
                    .map(|e| e.artifact_revisions())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|r| {
                        Some(ApprovalRevision {
                            name: r.name().unwrap_or("").to_string(),
                            revision_id: r.revision_id()?.to_string(),
                        })
                    })
                    .collect();
            }
            Err(e) => tally.partial(fail(op, b.profile())(e)),
        }
    }
    Ok(info)
}
