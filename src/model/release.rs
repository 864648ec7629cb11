//! What is being released: artifact versions in each region's bucket and the pipeline's approval.

use super::Timestamp;
use serde::Serialize;

/// `x-amz-replication-status` of an object version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S3Replication {
    Pending,
    Completed,
    Failed,
    /// This object is itself a replica.
    Replica,
}

/// One object version as listed in one region's artifact bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactVersion {
    pub key: String,
    /// Replicas keep the source's version ID.
    pub version_id: String,
    pub size_bytes: u64,
    pub last_modified: Timestamp,
    /// The content hash S3 reports (without quotes); equal content has equal ETags.
    pub etag: Option<String>,
    pub replication: Option<S3Replication>,
    /// When the replica appeared in this bucket, where the source knows it: only the simulation
    /// does. S3 tells no such time: a replica keeps the source's LastModified (S3 User Guide,
    /// "What does Amazon S3 replicate?").
    pub replicated_at: Option<Timestamp>,
    /// The version comes from the simulation: figures derived from it are simulated.
    pub simulated: bool,
}

/// How a replication lag figure was obtained (the JSON contract's `lag_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LagSource {
    /// The rule's `ReplicationLatency` metric (CloudWatch `AWS/S3`).
    Metric,
    /// Seen by the console: when it first saw the replica complete (to the resolution of the
    /// source's refresh), or, pending, the age of the source version.
    Observed,
    /// The simulation's own figure.
    Simulated,
}

impl LagSource {
    pub fn label(self) -> &'static str {
        match self {
            LagSource::Metric => "metric",
            LagSource::Observed => "observed",
            LagSource::Simulated => "simulated",
        }
    }
}

/// What S3 publishes about one replication rule (CloudWatch `AWS/S3`, when the rule has
/// replication metrics enabled), from the source bucket's side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicationMetrics {
    pub rule_id: String,
    pub destination_bucket: String,
    /// The service's region whose bucket is the destination, where it is one of them.
    pub destination_region: Option<String>,
    /// The longest time, in seconds, an object took to replicate lately (ReplicationLatency).
    pub latency_s: Option<f64>,
    /// ReplicationLatency per minute (Maximum; each point the minute's start), oldest first,
    /// over a window starting at `latency_since`: one object's lag is read from the minutes
    /// since it was written, since the latest value says only how far behind the rule is now
    /// (0 once nothing is pending).
    #[serde(skip)]
    pub latency_series: Vec<(Timestamp, f64)>,
    #[serde(skip)]
    pub latency_since: Option<Timestamp>,
    pub operations_pending: Option<f64>,
    pub bytes_pending: Option<f64>,
    /// Operations that failed to replicate in the last 15 minutes.
    pub operations_failed: Option<f64>,
}

/// An artifact's state in one destination region (the JSON contract's artifact status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaStatus {
    Completed,
    Pending,
    Failed,
    Missing,
    Unknown,
}

impl ReplicaStatus {
    pub fn label(self) -> &'static str {
        match self {
            ReplicaStatus::Completed => "completed",
            ReplicaStatus::Pending => "pending",
            ReplicaStatus::Failed => "failed",
            ReplicaStatus::Missing => "missing",
            ReplicaStatus::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageInfo {
    pub name: String,
    /// CodePipeline's status text: Succeeded, InProgress, Failed, …; `None` if never run.
    pub status: Option<String>,
}

/// An artifact revision of a pipeline execution (for an S3 source: the object's version ID).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApprovalRevision {
    pub name: String,
    pub revision_id: String,
}

/// A manual approval not answered within its timeout fails: the action declaration's
/// `timeoutInMinutes` (CodePipeline API reference, ActionDeclaration; GetPipeline), else the
/// default of seven days (CodePipeline quotas).
pub const DEFAULT_APPROVAL_TIMEOUT_MINUTES: i64 = 7 * 24 * 60;

/// When an approval waiting since `since` fails unanswered, given its declared timeout.
pub fn approval_expires(since: Timestamp, timeout_minutes: Option<i64>) -> Timestamp {
    let minutes = timeout_minutes
        .filter(|m| *m > 0)
        .unwrap_or(DEFAULT_APPROVAL_TIMEOUT_MINUTES);
    since
        .checked_add_signed(chrono::Duration::minutes(minutes))
        .unwrap_or(since)
}

/// Whether an action type is a manual approval (CodePipeline API reference, ActionTypeId:
/// category `Approval`, provider `Manual`), the only kind that waits for PutApprovalResult.
pub fn is_manual_approval(category: &str, provider: &str) -> bool {
    category == "Approval" && provider == "Manual"
}

/// How the approval action's latest run ended, when it is not waiting (GetPipelineState, the
/// action's latest execution): who answered and what they wrote, when CodePipeline says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApprovalAnswer {
    pub stage: String,
    pub action: String,
    /// CodePipeline's status: `Succeeded` (approved), `Failed` (rejected, or not answered in
    /// time), `Abandoned`, …
    pub status: String,
    /// ActionExecution `lastUpdatedBy` (documented as the ARN of the user who last changed it):
    /// for an answered manual approval, whoever answered.
    pub by: Option<String>,
    /// ActionExecution `summary`: the answer's summary.
    pub summary: Option<String>,
    /// When it was answered (ActionExecution `lastStatusChange`).
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PendingApproval {
    pub stage: String,
    pub action: String,
    pub token: String,
    pub since: Timestamp,
    pub expires: Timestamp,
    pub revisions: Vec<ApprovalRevision>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PipelineInfo {
    pub name: String,
    pub stages: Vec<StageInfo>,
    pub pending: Option<PendingApproval>,
    /// The last answered approval, when none is waiting (CodePipeline keeps only the latest run
    /// of each action in GetPipelineState).
    pub last_answer: Option<ApprovalAnswer>,
    /// The pipeline's declaration (GetPipeline) could not be read and none was read before:
    /// which actions are manual approvals is unknown, so `pending` and `last_answer` say
    /// nothing (unknown, never "no approval pending"); the stages are as read.
    pub approvals_unknown: bool,
}
