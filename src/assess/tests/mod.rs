//! Tests of the assessments over hand-built service states, and the builders they share:
//! `replication` (readiness, lag), `findings` (the findings table) and `serving` (which region
//! serves, durations).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod findings;
mod replication;
mod serving;

use super::*;
use crate::config::Thresholds;
use crate::model::HealthStatus;
use crate::model::{
    ApiKind, ApprovalRevision, ArtifactVersion, DomainInfo, DomainMapping, FindingCode,
    FunctionStats, HealthCheck, PendingApproval, PipelineInfo, ReplicaStatus, S3Replication,
    Service, Severity, Timestamp,
};
use crate::state::{RegionState, Stamped, State};
pub(super) fn t(secs: i64) -> Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

pub(super) fn stamped<T>(value: T) -> Option<Stamped<T>> {
    Some(Stamped {
        value,
        fetched_at: t(0),
    })
}

pub(super) fn version(
    id: &str,
    landed: i64,
    replication: Option<S3Replication>,
    replicated_at: Option<i64>,
) -> ArtifactVersion {
    ArtifactVersion {
        key: format!("builds/{id}.zip"),
        version_id: id.into(),
        size_bytes: 1,
        last_modified: t(landed),
        etag: None,
        replication,
        replicated_at: replicated_at.map(t),
    }
}

pub(super) fn svc(regions: &[&str]) -> ServiceState {
    ServiceState {
        service: Service {
            name: "svc".into(),
            domain: "svc.example".into(),
            regions: regions.iter().map(|r| r.to_string()).collect(),
            functions: vec!["api".into()],
            regional_hostname: "{region}.{domain}".into(),
            pipeline: Some("svc-deploy".into()),
            artifact_source_region: regions[0].into(),
            pipeline_region: regions[0].into(),
            failover: Default::default(),
        },
        regions: regions.iter().map(|r| RegionState::new(r)).collect(),
        pipeline: None,
    }
}

pub(super) fn pending(revisions: &[&str]) -> Option<Stamped<PipelineInfo>> {
    stamped(PipelineInfo {
        name: "svc-deploy".into(),
        stages: Vec::new(),
        pending: Some(PendingApproval {
            stage: "Approval".into(),
            action: "Manual".into(),
            token: "tok".into(),
            since: t(0),
            expires: t(7 * 86_400),
            revisions: revisions
                .iter()
                .map(|r| ApprovalRevision {
                    name: "Source".into(),
                    revision_id: r.to_string(),
                })
                .collect(),
        }),
    })
}

pub(super) fn codes(findings: &[crate::model::Finding]) -> Vec<(Severity, FindingCode)> {
    findings.iter().map(|f| (f.severity, f.code)).collect()
}

pub(super) fn state_with(s: ServiceState) -> State {
    let mut state = State::new(
        "t".into(),
        vec![s.service.clone()],
        &[],
        Thresholds::default(),
    );
    state.services = vec![s];
    state
}

pub(super) fn function(invocations: u64, errors: u64, code: &str) -> FunctionStats {
    FunctionStats {
        name: "api".into(),
        window_s: 300,
        invocations: Some(invocations),
        errors: Some(errors),
        code_sha256: Some(code.into()),
        ..FunctionStats::default()
    }
}

pub(super) fn domain(name: &str, target: &str, dns: Option<&str>, mapped: bool) -> DomainInfo {
    DomainInfo {
        name: name.into(),
        api: ApiKind::Rest,
        regional_target: Some(target.into()),
        dns_target: dns.map(str::to_string),
        mappings: if mapped {
            vec![DomainMapping {
                path: String::new(),
                api_id: "a1".into(),
                stage: "prod".into(),
            }]
        } else {
            Vec::new()
        },
    }
}

pub(super) fn base_check() -> HealthCheck {
    HealthCheck {
        id: "hc".into(),
        raw: HealthStatus::Healthy,
        inverted: false,
        disabled: false,
        checkers_healthy_pct: Some(100.0),
        observations: Vec::new(),
        history: Vec::new(),
        last_failure: None,
        version: Some(1),
        checker_regions: Vec::new(),
        follows_routing_control: false,
    }
}
