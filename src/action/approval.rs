//! The plan to answer a pipeline's pending manual approval: PutApprovalResult with the token
//! read from GetPipelineState and a summary that records the replication verdict.

use super::plan::{ActionKind, Expect, Plan, PlanError, service};
use crate::assess::{self, preflight, preflight::Preflight, readiness};
use crate::fleet::Fleet;
use crate::model::Timestamp;
use crate::source::call::{ApprovalResult, ApprovalStatus, Call};

/// CodePipeline accepts an approval summary of at most this many characters.
const SUMMARY_MAX: usize = 512;

/// Answer the pipeline's pending approval. The summary records the replication verdict.
pub fn approval(
    fleet: &Fleet,
    name: &str,
    approve: bool,
    summary: &str,
    now: Timestamp,
) -> Result<Plan, PlanError> {
    let svc = service(fleet, name)?;
    let Some(pipeline_name) = svc.service.pipeline.clone() else {
        return Err(PlanError::NothingToDo(format!(
            "{name} has no pipeline in the config"
        )));
    };
    let Some(read) = svc.pipeline.as_ref() else {
        return Err(PlanError::NotKnown(format!(
            "the state of {pipeline_name} has not been read"
        )));
    };
    let Some(pending) = read.value.pending.as_ref() else {
        return Err(PlanError::NothingToDo(format!(
            "{pipeline_name} has no approval waiting"
        )));
    };
    let verdict = readiness(svc, now);
    let verdict_text = match verdict.verdict {
        assess::Verdict::Ready => "replication: ready in every region".to_string(),
        assess::Verdict::NotReady => {
            format!("replication: NOT READY ({})", verdict.reasons.join("; "))
        }
        assess::Verdict::Unknown => {
            format!("replication: unknown ({})", verdict.reasons.join("; "))
        }
    };
    // The verdict must survive: cut the user's text, not it (the verdict to half at most).
    let mut tail = format!(" [switchyard: {verdict_text}]");
    if tail.chars().count() > SUMMARY_MAX / 2 {
        tail = tail.chars().take(SUMMARY_MAX / 2 - 2).collect::<String>() + "…]";
    }
    let room = SUMMARY_MAX - tail.chars().count();
    let text: String = if summary.chars().count() > room {
        summary.chars().take(room - 1).collect::<String>() + "…"
    } else {
        summary.to_string()
    };
    let full = format!("{text}{tail}");
    let revisions = pending
        .revisions
        .iter()
        .map(|r| format!("{} {}", r.name, r.revision_id))
        .collect::<Vec<_>>()
        .join(", ");
    let (action, status, effect) = if approve {
        (
            ActionKind::Approve,
            ApprovalStatus::Approved,
            format!(
                "{pipeline_name} continues past {}: the revision ({revisions}) deploys",
                pending.stage
            ),
        )
    } else {
        (
            ActionKind::Reject,
            ApprovalStatus::Rejected,
            format!(
                "{pipeline_name} stops at {}: the revision ({revisions}) is not deployed",
                pending.stage
            ),
        )
    };
    let mut checks = if approve {
        preflight::approve(svc, now)
    } else {
        Preflight::default()
    };
    preflight::team_lease(&mut checks, fleet, name, now);
    Ok(Plan {
        action,
        service: name.to_string(),
        target: pipeline_name.clone(),
        confirm: pipeline_name.clone(),
        calls: vec![Call::PutApprovalResult {
            region: svc.service.pipeline_region.clone(),
            pipeline_name: pipeline_name.clone(),
            stage_name: pending.stage.clone(),
            action_name: pending.action.clone(),
            result: ApprovalResult {
                summary: full,
                status,
            },
            token: pending.token.clone(),
        }],
        based_on: vec![format!(
            "approval token {} of {}/{}, waiting since {}, read {}",
            pending.token,
            pending.stage,
            pending.action,
            pending.since.format("%Y-%m-%d %H:%M UTC"),
            read.fetched_at.format("%H:%M:%S UTC")
        )],
        effect,
        predicted: None,
        uses_control_plane: false,
        control_plane: format!(
            "CodePipeline in {}; no Route 53 dependency",
            svc.service.pipeline_region
        ),
        expect: Expect::ApprovalAnswered {
            token: pending.token.clone(),
        },
        preflight: checks,
        safety_rules: None,
        made_at: Some(read.fetched_at.min(now)),
    })
}
