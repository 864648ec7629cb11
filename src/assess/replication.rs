//! Which build artifacts are tracked, where each one has arrived, and whether the pending
//! approval can be given safely (every artifact present in every region).

use crate::fleet::ServiceState;
use crate::model::{ArtifactVersion, ReplicaStatus, S3Replication, Timestamp};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub struct RegionArtifact {
    pub region: String,
    /// The bucket builds land in (not a replication destination).
    pub is_source: bool,
    pub status: ReplicaStatus,
    /// Completed: how long replication took; pending: how long it has been waiting.
    pub lag_s: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactStatus {
    pub key: String,
    pub version_id: String,
    pub size_bytes: Option<u64>,
    pub last_modified: Option<Timestamp>,
    /// Tracked because the pending approval would deploy it.
    pub pending_revision: bool,
    pub regions: Vec<RegionArtifact>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    NotReady,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Readiness {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
}

/// The artifacts to watch: the pending approval's revisions if there is one, else the newest
/// objects in the source bucket.
pub fn tracked_artifacts(svc: &ServiceState, now: Timestamp) -> Vec<ArtifactStatus> {
    let source_region = svc.service.artifact_source_region.as_str();
    let source = svc
        .region(source_region)
        .and_then(|r| r.artifacts.as_ref())
        .map(|s| s.value.as_slice());
    let pending = svc
        .pipeline
        .as_ref()
        .and_then(|p| p.value.pending.as_ref())
        .map(|p| p.revisions.clone())
        .unwrap_or_default();
    let chosen: Vec<(String, Option<&ArtifactVersion>, bool)> = if pending.is_empty() {
        source
            .unwrap_or_default()
            .iter()
            .map(|v| (v.version_id.clone(), Some(v), false))
            .collect()
    } else {
        pending
            .iter()
            .map(|rev| {
                let found = source
                    .unwrap_or_default()
                    .iter()
                    .find(|v| v.version_id == rev.revision_id);
                (rev.revision_id.clone(), found, true)
            })
            .collect()
    };
    chosen
        .into_iter()
        .map(|(version_id, version, pending_revision)| ArtifactStatus {
            key: version.map_or_else(
                || "(not in the source listing)".to_string(),
                |v| v.key.clone(),
            ),
            size_bytes: version.map(|v| v.size_bytes),
            last_modified: version.map(|v| v.last_modified),
            pending_revision,
            regions: svc
                .regions
                .iter()
                .map(|r| {
                    let is_source = r.region == source_region;
                    let listing = r.artifacts.as_ref().map(|a| a.value.as_slice());
                    let (status, lag_s) =
                        region_status(version, listing, is_source, source.is_some(), now);
                    RegionArtifact {
                        region: r.region.clone(),
                        is_source,
                        status,
                        lag_s,
                    }
                })
                .collect(),
            version_id,
        })
        .collect()
}

fn region_status(
    version: Option<&ArtifactVersion>,
    listing: Option<&[ArtifactVersion]>,
    is_source: bool,
    source_known: bool,
    now: Timestamp,
) -> (ReplicaStatus, Option<u64>) {
    let Some(version) = version else {
        // The revision is not among the source objects we listed (or we listed nothing).
        return (
            if source_known {
                ReplicaStatus::Missing
            } else {
                ReplicaStatus::Unknown
            },
            None,
        );
    };
    if is_source {
        return (ReplicaStatus::Completed, None);
    }
    let Some(listing) = listing else {
        return (ReplicaStatus::Unknown, None);
    };
    let secs = |d: chrono::Duration| u64::try_from(d.num_seconds()).ok();
    // Replicas keep the source's version ID. A copy made another way (or an emulator that does
    // not replicate) has its own version ID: the same key with the same content counts too.
    let same_content =
        |v: &ArtifactVersion| v.key == version.key && v.etag.is_some() && v.etag == version.etag;
    if let Some(replica) = listing
        .iter()
        .find(|v| v.version_id == version.version_id)
        .or_else(|| listing.iter().find(|v| same_content(v)))
    {
        let arrived = replica.replicated_at.unwrap_or(replica.last_modified);
        return (
            ReplicaStatus::Completed,
            secs(arrived - version.last_modified),
        );
    }
    let waiting = secs(now - version.last_modified);
    match version.replication {
        Some(S3Replication::Failed) => (ReplicaStatus::Failed, waiting),
        Some(S3Replication::Pending | S3Replication::Completed) => {
            (ReplicaStatus::Pending, waiting)
        }
        Some(S3Replication::Replica) | None => (ReplicaStatus::Missing, None),
    }
}

/// Whether the pending approval (or, without one, the newest build) is in every region.
pub fn readiness(svc: &ServiceState, now: Timestamp) -> Readiness {
    let tracked = tracked_artifacts(svc, now);
    let deciding: Vec<&ArtifactStatus> = if tracked.iter().any(|a| a.pending_revision) {
        tracked.iter().collect()
    } else {
        tracked.iter().take(1).collect()
    };
    if deciding.is_empty() {
        let known = svc
            .region(&svc.service.artifact_source_region)
            .is_some_and(|r| r.artifacts.is_some());
        return Readiness {
            verdict: if known {
                Verdict::NotReady
            } else {
                Verdict::Unknown
            },
            reasons: vec![if known {
                format!(
                    "no build artifacts found in {}",
                    svc.service.artifact_source_region
                )
            } else {
                format!(
                    "artifacts in {} not fetched yet",
                    svc.service.artifact_source_region
                )
            }],
        };
    }
    let mut not_ready = Vec::new();
    let mut unknown = Vec::new();
    for artifact in deciding {
        for r in &artifact.regions {
            let what = format!("{} in {}", artifact.key, r.region);
            match r.status {
                ReplicaStatus::Completed => {}
                ReplicaStatus::Pending => not_ready.push(format!(
                    "{what}: replication pending{}",
                    r.lag_s
                        .map(|s| format!(" for {}", crate::assess::fmt_secs(s)))
                        .unwrap_or_default()
                )),
                ReplicaStatus::Failed => {
                    not_ready.push(format!("{what}: replication failed (S3 does not retry it)"))
                }
                ReplicaStatus::Missing => not_ready.push(format!("{what}: missing")),
                ReplicaStatus::Unknown => unknown.push(format!("{what}: unknown (no data)")),
            }
        }
    }
    let verdict = if !not_ready.is_empty() {
        Verdict::NotReady
    } else if !unknown.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::Ready
    };
    not_ready.extend(unknown);
    Readiness {
        verdict,
        reasons: not_ready,
    }
}
