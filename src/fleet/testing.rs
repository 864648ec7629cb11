//! Builders the unit tests share: hand-built services, checks, functions, domains and artifact
//! versions at fixed times, and simulated fleets at a moment of a scenario.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{Fleet, RegionState, ServiceState, Stamped};
use crate::config::Thresholds;
use crate::model::{
    ApiKind, ApprovalRevision, ArtifactVersion, CheckKind, DomainInfo, DomainMapping,
    FunctionStats, HealthCheck, HealthStatus, PendingApproval, PipelineInfo, S3Replication,
    Service, Timestamp,
};
use crate::source::sim::SimBackend;
use crate::source::sim::scenario::Scenario;
use crate::source::{SourceKey, SourceKind, SourceSpec};
use std::time::Duration;

/// A built-in scenario's simulation.
pub fn sim(name: &str) -> SimBackend {
    SimBackend::new(Scenario::built_in(name).unwrap())
}

/// `secs` after the scenario's start.
pub fn at(backend: &SimBackend, secs: i64) -> Timestamp {
    backend.scenario().start + chrono::Duration::seconds(secs)
}

/// A fixed moment, `secs` after an arbitrary epoch.
pub fn t(secs: i64) -> Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

pub fn stamped<T>(value: T) -> Option<Stamped<T>> {
    Some(Stamped {
        value,
        fetched_at: t(0),
    })
}

pub fn version(
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
        simulated: false,
    }
}

pub fn svc(regions: &[&str]) -> ServiceState {
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
        dns: None,
        dns_disagrees_since: None,
    }
}

pub fn pending(revisions: &[&str]) -> Option<Stamped<PipelineInfo>> {
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
        last_answer: None,
        approvals_unknown: false,
    })
}

/// A fleet of one hand-built service, with no sources.
pub fn fleet_with(s: ServiceState) -> Fleet {
    let mut fleet = Fleet::new(vec![s.service.clone()], &[], Thresholds::default());
    fleet.services = vec![s];
    fleet
}

pub fn function(invocations: u64, errors: u64, code: &str) -> FunctionStats {
    FunctionStats {
        name: "api".into(),
        window_s: 300,
        invocations: Some(invocations),
        errors: Some(errors),
        code_sha256: Some(code.into()),
        ..FunctionStats::default()
    }
}

pub fn domain(name: &str, target: &str, dns: Option<&str>, mapped: bool) -> DomainInfo {
    DomainInfo {
        name: name.into(),
        api: ApiKind::Rest,
        regional_target: Some(target.into()),
        dns_target: dns.map(str::to_string),
        dns_read: true,
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

pub fn base_check() -> HealthCheck {
    HealthCheck {
        id: "hc".into(),
        raw: HealthStatus::Healthy,
        inverted: false,
        disabled: false,
        checkers_healthy_pct: Some(100.0),
        observations: Vec::new(),
        history: Vec::new(),
        version: Some(1),
        checker_regions: Vec::new(),
        kind: CheckKind::Endpoint("HTTPS".into()),
        ..HealthCheck::default()
    }
}

pub fn service(name: &str, regions: &[&str]) -> Service {
    Service {
        name: name.into(),
        domain: format!("{name}.example"),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        functions: vec!["f1".into(), "f2".into()],
        regional_hostname: "{region}.{domain}".into(),
        pipeline: Some(format!("{name}-deploy")),
        artifact_source_region: regions[0].into(),
        pipeline_region: regions[0].into(),
        failover: Default::default(),
    }
}

/// alpha in us-east-1 and us-west-2, beta in us-east-1 and eu-west-1; one health source per
/// region, every 15 s with a 5 s timeout.
pub fn two_services() -> Fleet {
    let services = vec![
        service("alpha", &["us-east-1", "us-west-2"]),
        service("beta", &["us-east-1", "eu-west-1"]),
    ];
    let schedule: Vec<SourceSpec> = ["us-east-1", "us-west-2", "eu-west-1"]
        .iter()
        .map(|r| SourceSpec {
            key: SourceKey::new(SourceKind::Health, *r),
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(5),
            covers: services
                .iter()
                .filter(|s| s.regions.iter().any(|x| x == r))
                .map(|s| (s.name.clone(), r.to_string()))
                .collect(),
        })
        .collect();
    Fleet::new(services, &schedule, Thresholds::default())
}
