//! The release side of the simulated world: builds landing, their replication to the other
//! regions (objects, replication metrics) and the pipeline waiting for approval.

use super::{BUILD_DURATION_S, World};
use crate::model::{
    ApprovalAnswer, ApprovalRevision, ArtifactVersion, PendingApproval, PipelineInfo,
    ReplicationMetrics, S3Replication, StageInfo, Timestamp, approval_expires,
};
use crate::source::sim::noise;
use crate::source::sim::ops::SimOp;
use crate::source::sim::scenario::{SimBuild, SimService};

/// Who approved the builds a scenario starts with approved.
const RELEASE_MANAGER: &str = "arn:aws:sts::000000000000:assumed-role/release-manager/simulated";
/// Who answers from the console or `approve` (the simulation's caller).
const SIM_OPERATOR: &str = "arn:aws:sts::000000000000:assumed-role/switchyard-demo/simulated";

struct SimAnswer {
    approved: bool,
    by: String,
    summary: Option<String>,
    at: i64,
}

impl<'a> World<'a> {
    /// How a build's approval was answered by offset `s`: approved in the scenario or by an
    /// operator (`Some(true)`), rejected by an operator (`Some(false)`), or not yet (`None`).
    pub(super) fn answer(&self, service: &str, build: &SimBuild, s: i64) -> Option<bool> {
        self.answered(service, build, s).map(|a| a.approved)
    }

    /// The answer to a build's approval by offset `s`, with who gave it, its summary and when.
    fn answered(&self, service: &str, build: &SimBuild, s: i64) -> Option<SimAnswer> {
        if build.approved {
            return Some(SimAnswer {
                approved: true,
                by: RELEASE_MANAGER.to_string(),
                summary: None,
                at: build.at + BUILD_DURATION_S,
            });
        }
        self.ops.iter().find_map(|op| match op {
            SimOp::Answer {
                service: sv,
                build: b,
                approved,
                summary,
                at,
            } if sv == service && *b == build.number && *at <= s => Some(SimAnswer {
                approved: *approved,
                by: SIM_OPERATOR.to_string(),
                summary: Some(summary.clone()),
                at: *at,
            }),
            _ => None,
        })
    }

    /// The build waiting for approval at `at`, with its approval token.
    pub fn pending_build(&self, service: &SimService, at: Timestamp) -> Option<(u32, String)> {
        let pending = self.pipeline(service, at)?.pending?;
        let build = self.builds(&service.name, self.offset(at)).last()?;
        Some((build.number, pending.token))
    }

    /// Builds of a service that have landed by offset `s`, oldest first.
    pub(super) fn builds(
        &self,
        service: &str,
        s: i64,
    ) -> impl Iterator<Item = &'a SimBuild> + use<'a, '_> {
        let mut builds: Vec<&SimBuild> = self
            .scenario
            .builds
            .iter()
            .filter(|b| b.service == service && b.at <= s)
            .collect();
        builds.sort_by_key(|b| b.at);
        builds.into_iter()
    }

    fn artifact_key(service: &SimService, build: &SimBuild) -> String {
        format!(
            "{}{}-{}.zip",
            service.artifact_prefix, service.name, build.number
        )
    }

    pub fn version_id(&self, service: &str, build: u32) -> String {
        noise::ident(self.seed(), &[service, "version"], i64::from(build), 32)
    }

    /// Seconds a build takes to reach `region`, or `None` if replication there fails.
    fn replication_lag(&self, build: &SimBuild, region: &str) -> Option<i64> {
        if build.fail.iter().any(|r| r == region) {
            return None;
        }
        let lag = build
            .lag
            .get(region)
            .and_then(|l| humantime::parse_duration(l).ok())
            .unwrap_or(build.replication_lag);
        Some(lag.as_secs() as i64)
    }

    /// The newest object versions in the service's bucket in `region` (newest first).
    pub fn artifacts(
        &self,
        service: &SimService,
        region: &str,
        at: Timestamp,
    ) -> Vec<ArtifactVersion> {
        let s = self.offset(at);
        let source_region = service
            .regions
            .first()
            .map(String::as_str)
            .unwrap_or_default();
        let destinations: Vec<&String> = service.regions.iter().skip(1).collect();
        let mut versions: Vec<ArtifactVersion> = self
            .builds(&service.name, s)
            .filter_map(|b| {
                let landed = self.time(b.at);
                let base = ArtifactVersion {
                    key: Self::artifact_key(service, b),
                    version_id: self.version_id(&service.name, b.number),
                    size_bytes: (b.size_mb * 1024.0 * 1024.0) as u64,
                    last_modified: landed,
                    etag: Some(noise::ident(
                        self.seed(),
                        &[&service.name, "etag"],
                        i64::from(b.number),
                        32,
                    )),
                    replication: None,
                    replicated_at: None,
                    simulated: true,
                };
                if region == source_region {
                    let lags: Vec<Option<i64>> = destinations
                        .iter()
                        .map(|r| self.replication_lag(b, r))
                        .collect();
                    let failed = lags.iter().any(Option::is_none) && s >= b.at + 30;
                    let done = lags.iter().all(|l| l.is_some_and(|l| s >= b.at + l));
                    let status = if failed {
                        S3Replication::Failed
                    } else if done {
                        S3Replication::Completed
                    } else {
                        S3Replication::Pending
                    };
                    Some(ArtifactVersion {
                        replication: Some(status),
                        ..base
                    })
                } else {
                    let lag = self.replication_lag(b, region)?;
                    (s >= b.at + lag).then(|| ArtifactVersion {
                        replication: Some(S3Replication::Replica),
                        replicated_at: Some(self.time(b.at + lag)),
                        ..base
                    })
                }
            })
            .collect();
        versions.reverse();
        versions.truncate(5);
        versions
    }

    /// What CloudWatch would publish for each replication rule (one per destination region):
    /// the latest latency, what is still pending, and failures in the last 15 minutes.
    pub fn replication_metrics(
        &self,
        service: &SimService,
        at: Timestamp,
    ) -> Vec<ReplicationMetrics> {
        let s = self.offset(at);
        service
            .regions
            .iter()
            .skip(1)
            .map(|region| {
                let builds: Vec<&SimBuild> = self.builds(&service.name, s).collect();
                let pending: Vec<&&SimBuild> = builds
                    .iter()
                    .filter(|b| {
                        self.replication_lag(b, region)
                            .is_some_and(|l| s < b.at + l)
                    })
                    .collect();
                let failed = builds
                    .iter()
                    .filter(|b| self.replication_lag(b, region).is_none() && s - b.at < 15 * 60)
                    .count();
                let latency = builds
                    .iter()
                    .filter_map(|b| self.replication_lag(b, region).filter(|l| s >= b.at + l))
                    .next_back();
                ReplicationMetrics {
                    rule_id: format!("to-{region}"),
                    destination_bucket: service.artifact_bucket.replace("{region}", region),
                    destination_region: Some(region.clone()),
                    latency_s: latency.map(|l| l as f64),
                    // The simulation's replicas carry their own arrival (`simulated`).
                    latency_series: Vec::new(),
                    latency_since: None,
                    operations_pending: Some(pending.len() as f64),
                    bytes_pending: Some(pending.iter().map(|b| b.size_mb * 1_048_576.0).sum()),
                    operations_failed: Some(failed as f64),
                }
            })
            .collect()
    }

    pub fn pipeline(&self, service: &SimService, at: Timestamp) -> Option<PipelineInfo> {
        let name = service.pipeline.clone()?;
        let s = self.offset(at);
        let stage = |name: &str, status: Option<&str>| StageInfo {
            name: name.into(),
            status: status.map(str::to_string),
        };
        let Some(build) = self.builds(&service.name, s).last() else {
            return Some(PipelineInfo {
                name,
                stages: ["Source", "Build", "Approval", "Deploy"]
                    .iter()
                    .map(|n| stage(n, None))
                    .collect(),
                pending: None,
                last_answer: None,
                approvals_unknown: false,
            });
        };
        let built = s >= build.at + BUILD_DURATION_S;
        let since = build.at + BUILD_DURATION_S;
        // The same rule as the AWS path: the declared timeout, else seven days.
        let expires = approval_expires(self.time(since), service.approval_timeout_minutes);
        let expired = at >= expires;
        let answered = self.answered(&service.name, build, s);
        let answer = answered.as_ref().map(|a| a.approved);
        let (approval, deploy) = if answer == Some(true) {
            (Some("Succeeded"), Some("Succeeded"))
        } else if answer == Some(false) {
            (Some("Failed"), None)
        } else if !built {
            (None, None)
        } else if expired {
            (Some("Failed"), None)
        } else {
            (Some("InProgress"), None)
        };
        let pending = (approval == Some("InProgress")).then(|| PendingApproval {
            stage: "Approval".into(),
            action: "ManualApproval".into(),
            token: noise::uuid(
                self.seed(),
                &[&service.name, "token", &build.number.to_string()],
            ),
            since: self.time(since),
            expires,
            revisions: vec![ApprovalRevision {
                name: "SourceArtifact".into(),
                revision_id: self.version_id(&service.name, build.number),
            }],
        });
        Some(PipelineInfo {
            name,
            stages: vec![
                stage("Source", Some("Succeeded")),
                stage(
                    "Build",
                    Some(if built { "Succeeded" } else { "InProgress" }),
                ),
                stage("Approval", approval),
                stage("Deploy", deploy),
            ],
            last_answer: match (&answered, approval) {
                (Some(a), _) => Some(ApprovalAnswer {
                    stage: "Approval".into(),
                    action: "ManualApproval".into(),
                    status: if a.approved { "Succeeded" } else { "Failed" }.into(),
                    by: Some(a.by.clone()),
                    summary: a.summary.clone(),
                    at: self.time(a.at),
                }),
                (None, Some("Failed")) => Some(ApprovalAnswer {
                    stage: "Approval".into(),
                    action: "ManualApproval".into(),
                    status: "Failed".into(),
                    by: None,
                    summary: None,
                    at: expires,
                }),
                _ => None,
            },
            approvals_unknown: false,
            pending,
        })
    }
}
