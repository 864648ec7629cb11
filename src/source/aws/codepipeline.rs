//! CodePipeline: the stages, the pending manual approval (with its token and its declared
//! timeout) or the last answer, and the artifact revisions of the execution waiting at it.

use super::errors::{Operation, fail};
use super::{AwsBackend, FAN_OUT, Tally, timestamp};
use crate::config::AwsApi;
use crate::config::PipelineConfig;
use crate::model::{
    ApprovalAnswer, ApprovalRevision, PendingApproval, PipelineInfo, StageInfo, approval_expires,
    is_manual_approval,
};
use crate::source::{Entry, Payload, SourceError};
use futures::stream::{self, StreamExt};

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

/// A pipeline's manual approval actions as declared (GetPipeline), and the pipeline version
/// they were read at. Kept between refreshes: a declaration changes only when the pipeline is
/// edited, which GetPipelineState's `pipelineVersion` shows.
#[derive(Debug, Clone, Default)]
pub struct Declaration {
    version: Option<i32>,
    /// (stage, action, timeoutInMinutes) of each action of category Approval, provider Manual.
    approvals: Vec<(String, String, Option<i64>)>,
}

/// The declarations read so far, by (region, pipeline name).
pub type Declarations = std::sync::Mutex<std::collections::BTreeMap<(String, String), Declaration>>;

async fn declaration(
    b: &AwsBackend,
    client: &aws_sdk_codepipeline::Client,
    region: &str,
    pipeline: &PipelineConfig,
    tally: &mut Tally,
) -> Result<Declaration, SourceError> {
    let op = Operation {
        service: "CodePipeline",
        api: "GetPipeline",
        region,
    };
    tally.count(op);
    let out = client
        .get_pipeline()
        .name(&pipeline.name)
        .send()
        .await
        .map_err(fail(op, b.login(AwsApi::CodePipeline)))?;
    let Some(declared) = out.pipeline() else {
        return Ok(Declaration::default());
    };
    let approvals = declared
        .stages()
        .iter()
        .flat_map(|stage| {
            stage.actions().iter().filter_map(|action| {
                let kind = action.action_type_id()?;
                is_manual_approval(kind.category().as_str(), kind.provider()).then(|| {
                    (
                        stage.name().to_string(),
                        action.name().to_string(),
                        action.timeout_in_minutes().map(i64::from),
                    )
                })
            })
        })
        .collect();
    Ok(Declaration {
        version: declared.version(),
        approvals,
    })
}

/// One pipeline's stages, its pending manual approval or the last answer (GetPipelineState, with
/// the declaration from GetPipeline: read with it the first time, and again when the pipeline's
/// version changes), then the revisions of the execution waiting at it (GetPipelineExecution).
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
    let cache_key = (region.to_string(), pipeline.name.clone());
    let cached = b
        .pipeline_declarations
        .lock()
        .ok()
        .and_then(|c| c.get(&cache_key).cloned());
    let read_state = client.get_pipeline_state().name(&pipeline.name).send();
    tally.count(op);
    let (state, declared) = match cached {
        Some(declared) => (read_state.await, Ok(declared)),
        None => {
            let mut t = Tally::default();
            let read = tokio::join!(read_state, declaration(b, client, region, pipeline, &mut t));
            tally.absorb(t);
            read
        }
    };
    let state = state.map_err(fail(op, b.login(AwsApi::CodePipeline)))?;
    // Without the declaration an approval cannot be told from another action: no guess. The
    // stages are still shown, the approvals unknown, and the declaration's error is the part
    // that failed (read again next time).
    let (mut declared, approvals_unknown) = match declared {
        Ok(declared) => (declared, false),
        Err(e) => {
            tally.partial(SourceError::new(
                e.kind,
                format!(
                    "approvals of pipeline {} unknown (its declaration could not be read; the \
                     stages are shown): {}",
                    pipeline.name, e.message
                ),
            ));
            (Declaration::default(), true)
        }
    };
    let mut rests_on_last = approvals_unknown;
    if !approvals_unknown
        && state.pipeline_version().is_some()
        && state.pipeline_version() != declared.version
    {
        match declaration(b, client, region, pipeline, tally).await {
            Ok(d) => declared = d,
            // The pipeline was edited and its new declaration cannot be read: the approvals
            // are told by the last declaration read (kept as it was, so the next fetch asks
            // again), and the partial error says the data rests on it.
            Err(e) => tally.partial(SourceError::new(
                e.kind,
                format!(
                    "approvals of pipeline {} as declared at version {} (it is now at version \
                     {}; its declaration could not be read again): {}",
                    pipeline.name,
                    declared.version.map_or("?".to_string(), |v| v.to_string()),
                    state
                        .pipeline_version()
                        .map_or("?".to_string(), |v| v.to_string()),
                    e.message
                ),
            )),
        }
        rests_on_last = declared.version != state.pipeline_version();
    }
    if !rests_on_last && let Ok(mut cache) = b.pipeline_declarations.lock() {
        cache.insert(cache_key, declared.clone());
    }
    let mut info = PipelineInfo {
        name: pipeline.name.clone(),
        stages: Vec::new(),
        pending: None,
        last_answer: None,
        approvals_unknown,
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
            // Only a manual approval as declared waits for an answer; another action in
            // progress may carry a token too.
            let Some((_, _, timeout)) = declared
                .approvals
                .iter()
                .find(|(s, a, _)| *s == name && a == action_name)
            else {
                continue;
            };
            let wanted = pipeline
                .approval_action
                .as_deref()
                .is_none_or(|a| a == action_name);
            let Some(exec) = action.latest_execution().filter(|_| wanted) else {
                continue;
            };
            let changed = exec
                .last_status_change()
                .and_then(timestamp)
                .unwrap_or_default();
            let status = exec.status().map(|s| s.as_str().to_string());
            let token = exec
                .token()
                .filter(|_| status.as_deref() == Some("InProgress"));
            match (status, token) {
                (Some(status), Some(token)) if status == "InProgress" => {
                    info.pending = Some(PendingApproval {
                        stage: name.clone(),
                        action: action_name.to_string(),
                        token: token.to_string(),
                        since: changed,
                        expires: approval_expires(changed, *timeout),
                        revisions: Vec::new(),
                    });
                    info.last_answer = None;
                    pending_execution = stage
                        .latest_execution()
                        .map(|e| e.pipeline_execution_id().to_string());
                    break;
                }
                (Some(status), _) if status != "InProgress" => {
                    let newer = info.last_answer.as_ref().is_none_or(|a| a.at < changed);
                    if newer {
                        info.last_answer = Some(ApprovalAnswer {
                            stage: name.clone(),
                            action: action_name.to_string(),
                            status,
                            by: exec.last_updated_by().map(str::to_string),
                            summary: exec.summary().map(str::to_string),
                            at: changed,
                        });
                    }
                }
                _ => {}
            }
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
            Err(e) => tally.partial(fail(op, b.login(AwsApi::CodePipeline))(e)),
        }
    }
    Ok(info)
}
