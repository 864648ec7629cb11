//! Which build artifacts are tracked, where each one has arrived, and whether the pending
//! approval can be given safely (every artifact present in every region).

use crate::fleet::{ServiceState, Sighting};
use crate::model::{
    ArtifactVersion, LagSource, ReplicaStatus, ReplicationMetrics, S3Replication, Timestamp,
};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub struct RegionArtifact {
    pub region: String,
    /// The bucket builds land in (not a replication destination).
    pub is_source: bool,
    pub status: ReplicaStatus,
    /// Completed: how long replication took; pending: how long it has been waiting. `None`
    /// when it cannot be told (a completed replica without a metric that the console never saw
    /// arrive).
    pub lag_s: Option<u64>,
    /// How `lag_s` was obtained.
    pub lag_source: Option<LagSource>,
    /// For an observed completion: the width of the window it arrived in (the time between the
    /// listing that did not have it, or the source's write if later, and the one that did).
    pub lag_resolution_s: Option<u64>,
}

/// What is known of one replica's lag: the figure, how it was obtained, and for an observed
/// completion its resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplicaLag {
    pub secs: Option<u64>,
    pub source: Option<LagSource>,
    pub resolution_s: Option<u64>,
}

fn secs(d: chrono::Duration) -> u64 {
    u64::try_from(d.num_seconds()).unwrap_or(0)
}

/// How long a completed replica took to arrive. Never from the replica's LastModified: S3
/// keeps the source's creation time on a replica (S3 User Guide, "What does Amazon S3
/// replicate?"), so that difference is 0 s. In order:
/// - the simulation's own arrival time (`simulated`);
/// - the replication rule's `ReplicationLatency` (`metric`; S3 User Guide, "Replication
///   metrics": the most seconds the destination is behind, per rule), its largest value since
///   the version was written, where the rule publishes it and the metric's window covers that;
/// - when the console first listed the replica, with the listing before (which did not have it)
///   bounding it from below (`observed`; its resolution is the refresh interval);
/// - otherwise unknown: the console's first listing already had it.
pub fn completed_lag(
    written: Timestamp,
    replica: &ArtifactVersion,
    metric: Option<&ReplicationMetrics>,
    sighting: Option<&Sighting>,
) -> ReplicaLag {
    if let Some(arrived) = replica.replicated_at {
        return ReplicaLag {
            secs: Some(secs(arrived - written)),
            source: Some(LagSource::Simulated),
            resolution_s: None,
        };
    }
    if let Some(latency) = metric.and_then(|m| latency_since_written(m, written, sighting)) {
        return ReplicaLag {
            secs: Some(latency.max(0.0).round() as u64),
            source: Some(LagSource::Metric),
            resolution_s: None,
        };
    }
    match sighting {
        Some(Sighting {
            first_seen,
            absent_at: Some(absent_at),
        }) => ReplicaLag {
            secs: Some(secs(*first_seen - written)),
            source: Some(LagSource::Observed),
            resolution_s: Some(secs(*first_seen - (*absent_at).max(written))),
        },
        _ => ReplicaLag::default(),
    }
}

/// A lag as the console and the text output show it: `~` marks a completion the console
/// observed (at most this long, to within the refresh interval), in at most six characters
/// (the panel's column); plain is a metric, the simulation's figure or a pending build's age.
/// `None` without a figure.
pub fn fmt_lag(secs: Option<u64>, resolution_s: Option<u64>) -> Option<String> {
    let secs = secs?;
    Some(match resolution_s {
        Some(_) => format!("~{}", compact_secs(secs)),
        None => super::fmt_secs(secs),
    })
}

/// A duration in at most five characters below 100 days: the two largest units without a
/// space ("1m30s", "4h5m"), only the largest from ten of it ("12m", "15h", "12d").
fn compact_secs(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let two = |big: u64, bu: &str, small: u64, su: &str| match (big, small) {
        (b, 0) => format!("{b}{bu}"),
        (b, _) if b >= 10 => format!("{b}{bu}"),
        (b, x) => format!("{b}{bu}{x}{su}"),
    };
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => two(m, "m", s, "s"),
        (0, h, _) => two(h, "h", m, "m"),
        (d, h, _) => two(d, "d", h, "h"),
    }
}

impl RegionArtifact {
    /// The lag as the Replication panel shows it: [`fmt_lag`], and `?` for a completed
    /// replica whose lag cannot be told (never 0 s); empty for the source bucket.
    pub fn lag_label(&self) -> String {
        if self.is_source {
            return String::new();
        }
        match fmt_lag(self.lag_s, self.lag_resolution_s) {
            Some(l) => l,
            None if self.status == ReplicaStatus::Completed => "?".into(),
            None => String::new(),
        }
    }

    /// How the lag was obtained, in words (the detail view).
    pub fn lag_explained(&self) -> Option<String> {
        if self.is_source {
            return None;
        }
        let secs = self.lag_s.map(super::fmt_secs);
        Some(match (self.status, self.lag_source, secs) {
            (ReplicaStatus::Completed, Some(LagSource::Metric), Some(s)) => {
                format!("lag {s} (the rule's ReplicationLatency since the write)")
            }
            (ReplicaStatus::Completed, Some(LagSource::Observed), Some(s)) => {
                let resolution = self.lag_resolution_s.unwrap_or(0);
                let earliest = self.lag_s.unwrap_or(0).saturating_sub(resolution);
                format!(
                    "lag ~{s} (observed: arrived {}–{s} after the write; resolution {})",
                    super::fmt_secs(earliest),
                    super::fmt_secs(resolution)
                )
            }
            (ReplicaStatus::Completed, Some(LagSource::Simulated), Some(s)) => {
                format!("lag {s} (simulated)")
            }
            (ReplicaStatus::Completed, _, _) => {
                "lag unknown (no ReplicationLatency metric; already there at the first listing)"
                    .into()
            }
            (ReplicaStatus::Pending | ReplicaStatus::Failed, source, Some(s)) => format!(
                "waiting {s} since it was written{}",
                if source == Some(LagSource::Simulated) {
                    " (simulated)"
                } else {
                    ""
                }
            ),
            _ => return None,
        })
    }
}

/// The most the rule was behind (ReplicationLatency, Maximum per minute) from the minute the
/// version was written until the console first saw the replica (or the last point): the time
/// it took, when it is the object that was behind. `None` when the metric's window began after
/// the write (its replication is not in it) or has no point since.
fn latency_since_written(
    m: &ReplicationMetrics,
    written: Timestamp,
    sighting: Option<&Sighting>,
) -> Option<f64> {
    if m.latency_since.is_none_or(|since| since > written) {
        return None;
    }
    let minute = chrono::Duration::seconds(60);
    m.latency_series
        .iter()
        .filter(|(t, _)| *t + minute > written)
        .filter(|(t, _)| sighting.is_none_or(|s| *t <= s.first_seen))
        .map(|(_, v)| *v)
        .reduce(f64::max)
}

/// How long a version not yet replicated has waited: its age since it was written (a source
/// version's LastModified is when it was written).
pub fn waiting_lag(version: &ArtifactVersion, now: Timestamp) -> ReplicaLag {
    ReplicaLag {
        secs: Some(secs(now - version.last_modified)),
        source: Some(if version.simulated {
            LagSource::Simulated
        } else {
            LagSource::Observed
        }),
        resolution_s: None,
    }
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
    let metrics = svc
        .region(source_region)
        .and_then(|r| r.replication_metrics.as_ref())
        .map(|m| m.value.as_slice())
        .unwrap_or_default();
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
                    let here = Destination {
                        listing: r.artifacts.as_ref().map(|a| a.value.as_slice()),
                        metric: metrics
                            .iter()
                            .find(|m| m.destination_region.as_deref() == Some(r.region.as_str())),
                        sightings: &r.sightings,
                    };
                    let (status, lag) =
                        region_status(version, &here, is_source, source.is_some(), now);
                    RegionArtifact {
                        region: r.region.clone(),
                        is_source,
                        status,
                        lag_s: lag.secs,
                        lag_source: lag.source,
                        lag_resolution_s: lag.resolution_s,
                    }
                })
                .collect(),
            version_id,
        })
        .collect()
}

/// What is known in one region about the tracked version's replica.
struct Destination<'a> {
    listing: Option<&'a [ArtifactVersion]>,
    /// The replication rule's metrics into this region, where it publishes them.
    metric: Option<&'a ReplicationMetrics>,
    sightings: &'a std::collections::BTreeMap<String, Sighting>,
}

fn region_status(
    version: Option<&ArtifactVersion>,
    here: &Destination<'_>,
    is_source: bool,
    source_known: bool,
    now: Timestamp,
) -> (ReplicaStatus, ReplicaLag) {
    let none = ReplicaLag::default();
    let Some(version) = version else {
        // The revision is not among the source objects we listed (or we listed nothing).
        return (
            if source_known {
                ReplicaStatus::Missing
            } else {
                ReplicaStatus::Unknown
            },
            none,
        );
    };
    if is_source {
        return (ReplicaStatus::Completed, none);
    }
    let Some(listing) = here.listing else {
        return (ReplicaStatus::Unknown, none);
    };
    // Replicas keep the source's version ID. A copy made another way (or an emulator that does
    // not replicate) has its own version ID: the same key with the same content counts too.
    let same_content =
        |v: &ArtifactVersion| v.key == version.key && v.etag.is_some() && v.etag == version.etag;
    if let Some(replica) = listing
        .iter()
        .find(|v| v.version_id == version.version_id)
        .or_else(|| listing.iter().find(|v| same_content(v)))
    {
        return (
            ReplicaStatus::Completed,
            completed_lag(
                version.last_modified,
                replica,
                here.metric,
                here.sightings.get(&replica.version_id),
            ),
        );
    }
    match version.replication {
        Some(S3Replication::Failed) => (ReplicaStatus::Failed, waiting_lag(version, now)),
        Some(S3Replication::Pending | S3Replication::Completed) => {
            (ReplicaStatus::Pending, waiting_lag(version, now))
        }
        Some(S3Replication::Replica) | None => (ReplicaStatus::Missing, none),
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
