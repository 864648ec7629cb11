//! Tables for readiness and findings over hand-built service states.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::config::Thresholds;
use crate::model::HealthStatus;
use crate::model::{
    ApiKind, ApprovalRevision, ArtifactVersion, DomainInfo, DomainMapping, FindingCode,
    FunctionStats, HealthCheck, PendingApproval, PipelineInfo, ReplicaStatus, S3Replication,
    Service, Severity, Timestamp,
};
use crate::state::{RegionState, Stamped, State};

fn t(secs: i64) -> Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

fn stamped<T>(value: T) -> Option<Stamped<T>> {
    Some(Stamped {
        value,
        fetched_at: t(0),
    })
}

fn version(
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

fn svc(regions: &[&str]) -> ServiceState {
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

fn pending(revisions: &[&str]) -> Option<Stamped<PipelineInfo>> {
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

#[test]
fn readiness_table() {
    use S3Replication::*;
    type Setup = fn(&mut ServiceState);
    let cases: Vec<(&str, Setup, Verdict, Vec<ReplicaStatus>)> = vec![
        ("nothing fetched", |_| {}, Verdict::Unknown, vec![]),
        (
            "empty source bucket",
            |s| s.regions[0].artifacts = stamped(vec![]),
            Verdict::NotReady,
            vec![],
        ),
        (
            "replicated",
            |s| {
                s.regions[0].artifacts = stamped(vec![version("v2", 0, Some(Completed), None)]);
                s.regions[1].artifacts = stamped(vec![version("v2", 0, Some(Replica), Some(40))]);
            },
            Verdict::Ready,
            vec![ReplicaStatus::Completed, ReplicaStatus::Completed],
        ),
        (
            "pending",
            |s| {
                s.regions[0].artifacts = stamped(vec![version("v2", 0, Some(Pending), None)]);
                s.regions[1].artifacts = stamped(vec![]);
            },
            Verdict::NotReady,
            vec![ReplicaStatus::Completed, ReplicaStatus::Pending],
        ),
        (
            "failed",
            |s| {
                s.regions[0].artifacts = stamped(vec![version("v2", 0, Some(Failed), None)]);
                s.regions[1].artifacts = stamped(vec![]);
            },
            Verdict::NotReady,
            vec![ReplicaStatus::Completed, ReplicaStatus::Failed],
        ),
        (
            "no replication configured",
            |s| {
                s.regions[0].artifacts = stamped(vec![version("v2", 0, None, None)]);
                s.regions[1].artifacts = stamped(vec![]);
            },
            Verdict::NotReady,
            vec![ReplicaStatus::Completed, ReplicaStatus::Missing],
        ),
        (
            // A copy with its own version ID but the same key and content counts as present.
            "same content under another version ID",
            |s| {
                let mut source = version("v2", 0, None, None);
                source.etag = Some("abc".into());
                let mut copy = version("v2-copy", 30, None, None);
                copy.key = source.key.clone();
                copy.etag = Some("abc".into());
                s.regions[0].artifacts = stamped(vec![source]);
                s.regions[1].artifacts = stamped(vec![copy]);
            },
            Verdict::Ready,
            vec![ReplicaStatus::Completed, ReplicaStatus::Completed],
        ),
        (
            "different content under the same key is not the artifact",
            |s| {
                let mut source = version("v2", 0, None, None);
                source.etag = Some("abc".into());
                let mut other = version("v1", 0, None, None);
                other.key = source.key.clone();
                other.etag = Some("def".into());
                s.regions[0].artifacts = stamped(vec![source]);
                s.regions[1].artifacts = stamped(vec![other]);
            },
            Verdict::NotReady,
            vec![ReplicaStatus::Completed, ReplicaStatus::Missing],
        ),
        (
            "destination not fetched",
            |s| s.regions[0].artifacts = stamped(vec![version("v2", 0, Some(Completed), None)]),
            Verdict::Unknown,
            vec![ReplicaStatus::Completed, ReplicaStatus::Unknown],
        ),
        (
            // The pending approval deploys v1, which did replicate, although v2 is newer.
            "pending approval decides, not the newest object",
            |s| {
                s.regions[0].artifacts = stamped(vec![
                    version("v2", 10, Some(Pending), None),
                    version("v1", 0, Some(Completed), None),
                ]);
                s.regions[1].artifacts = stamped(vec![version("v1", 0, Some(Replica), Some(30))]);
                s.pipeline = pending(&["v1"]);
            },
            Verdict::Ready,
            vec![ReplicaStatus::Completed, ReplicaStatus::Completed],
        ),
        (
            "pending revision not in the source listing",
            |s| {
                s.regions[0].artifacts = stamped(vec![version("v2", 0, Some(Completed), None)]);
                s.regions[1].artifacts = stamped(vec![version("v2", 0, Some(Replica), None)]);
                s.pipeline = pending(&["v9"]);
            },
            Verdict::NotReady,
            vec![ReplicaStatus::Missing, ReplicaStatus::Missing],
        ),
    ];
    for (name, setup, verdict, statuses) in cases {
        let mut s = svc(&["us-east-1", "us-west-2"]);
        setup(&mut s);
        let r = readiness(&s, t(120));
        assert_eq!(r.verdict, verdict, "{name}: {r:?}");
        assert_eq!(
            r.verdict == Verdict::Ready,
            r.reasons.is_empty(),
            "{name}: reasons {r:?}"
        );
        let got: Vec<ReplicaStatus> = tracked_artifacts(&s, t(120))
            .first()
            .map(|a| a.regions.iter().map(|r| r.status).collect())
            .unwrap_or_default();
        assert_eq!(got, statuses, "{name}");
    }
}

#[test]
fn lag_is_replication_time_when_done_and_waiting_time_when_pending() {
    let mut s = svc(&["us-east-1", "us-west-2", "eu-west-1"]);
    s.regions[0].artifacts = stamped(vec![version("v2", 0, Some(S3Replication::Pending), None)]);
    s.regions[1].artifacts = stamped(vec![version(
        "v2",
        0,
        Some(S3Replication::Replica),
        Some(41),
    )]);
    s.regions[2].artifacts = stamped(vec![]);
    let a = &tracked_artifacts(&s, t(300))[0];
    let lags: Vec<Option<u64>> = a.regions.iter().map(|r| r.lag_s).collect();
    assert_eq!(lags, vec![None, Some(41), Some(300)]);
}

fn codes(findings: &[crate::model::Finding]) -> Vec<(Severity, FindingCode)> {
    findings.iter().map(|f| (f.severity, f.code)).collect()
}

fn state_with(s: ServiceState) -> State {
    let mut state = State::new(
        "t".into(),
        vec![s.service.clone()],
        &[],
        Thresholds::default(),
    );
    state.services = vec![s];
    state
}

fn function(invocations: u64, errors: u64, code: &str) -> FunctionStats {
    FunctionStats {
        name: "api".into(),
        window_s: 300,
        invocations: Some(invocations),
        errors: Some(errors),
        code_sha256: Some(code.into()),
        ..FunctionStats::default()
    }
}

fn domain(name: &str, target: &str, dns: Option<&str>, mapped: bool) -> DomainInfo {
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

#[test]
fn findings_table() {
    use FindingCode::*;
    use Severity::*;
    type Setup = fn(&mut ServiceState);
    type Case = (&'static str, Setup, Vec<(Severity, FindingCode)>);
    let cases: Vec<Case> = vec![
        ("no data, no findings", |_| {}, vec![]),
        (
            "unhealthy primary",
            |s| {
                s.regions[0].health = stamped(HealthCheck {
                    raw: HealthStatus::Unhealthy,
                    checkers_healthy_pct: Some(0.0),
                    ..base_check()
                })
            },
            vec![(Critical, HealthUnhealthy)],
        ),
        (
            "some checkers failing",
            |s| {
                s.regions[0].health = stamped(HealthCheck {
                    checkers_healthy_pct: Some(75.0),
                    ..base_check()
                })
            },
            vec![(Warning, HealthUnhealthy)],
        ),
        (
            "inverted",
            |s| {
                s.regions[0].health = stamped(HealthCheck {
                    inverted: true,
                    ..base_check()
                })
            },
            vec![(Warning, HealthInverted)],
        ),
        (
            "errors above warn",
            |s| s.regions[0].functions = stamped(vec![function(1000, 20, "c")]),
            vec![(Warning, ErrorRateHigh)],
        ),
        (
            "errors above crit",
            |s| s.regions[0].functions = stamped(vec![function(1000, 50, "c")]),
            vec![(Critical, ErrorRateHigh)],
        ),
        (
            "no invocations is not an error rate",
            |s| s.regions[0].functions = stamped(vec![function(0, 0, "c")]),
            vec![],
        ),
        (
            "code mismatch",
            |s| {
                s.regions[0].functions = stamped(vec![function(10, 0, "aaa")]);
                s.regions[1].functions = stamped(vec![function(10, 0, "bbb")]);
            },
            vec![(Warning, CodeMismatch)],
        ),
        (
            "domains fine",
            |s| {
                s.regions[1].domains = stamped(vec![
                    domain("svc.example", "d-1", Some("d-1."), true),
                    domain("us-west-2.svc.example", "d-2", Some("D-2"), true),
                ])
            },
            vec![],
        ),
        (
            "drift, missing regional domain, no mapping",
            |s| {
                s.regions[1].domains =
                    stamped(vec![domain("svc.example", "d-new", Some("d-old"), false)])
            },
            vec![
                (Critical, DnsDrift),
                (Critical, MappingMissing),
                (Critical, DomainMissing),
            ],
        ),
        (
            "pending within thresholds, then failed",
            |s| {
                s.regions[0].artifacts =
                    stamped(vec![version("v2", 0, Some(S3Replication::Pending), None)]);
                s.regions[1].artifacts = stamped(vec![]);
            },
            vec![(Info, ReplicationPending)],
        ),
        (
            "pending approval of a failed replication",
            |s| {
                s.regions[0].artifacts =
                    stamped(vec![version("v2", 0, Some(S3Replication::Failed), None)]);
                s.regions[1].artifacts = stamped(vec![]);
                s.pipeline = pending(&["v2"]);
            },
            vec![(Critical, ReplicationFailed), (Info, ApprovalPending)],
        ),
    ];
    for (name, setup, expected) in cases {
        let mut s = svc(&["us-east-1", "us-west-2"]);
        setup(&mut s);
        let state = state_with(s);
        let mut got = codes(&findings(&state, &state.services[0], t(60)));
        let mut expected = expected;
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn replication_lag_thresholds_raise_severity() {
    let mut s = svc(&["us-east-1", "us-west-2"]);
    s.regions[0].artifacts = stamped(vec![version("v2", 0, Some(S3Replication::Pending), None)]);
    s.regions[1].artifacts = stamped(vec![]);
    let state = state_with(s);
    let severity = |now| {
        findings(&state, &state.services[0], t(now))
            .iter()
            .find(|f| f.code == FindingCode::ReplicationPending)
            .unwrap()
            .severity
    };
    assert_eq!(severity(299), Severity::Info);
    assert_eq!(severity(300), Severity::Warning);
    assert_eq!(severity(900), Severity::Critical);
}

fn base_check() -> HealthCheck {
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

#[test]
fn serving_region_uses_effective_health() {
    let mut s = svc(&["us-east-1", "us-west-2"]);
    assert_eq!(serving_region(&s), None);
    s.regions[0].health = stamped(base_check());
    s.regions[1].health = stamped(base_check());
    assert_eq!(serving_region(&s), Some("us-east-1"));
    // Inverting the primary's check moves traffic (manual failover).
    s.regions[0].health = stamped(HealthCheck {
        inverted: true,
        ..base_check()
    });
    assert_eq!(serving_region(&s), Some("us-west-2"));
    // Disabled counts as healthy even when the checkers fail.
    s.regions[0].health = stamped(HealthCheck {
        raw: HealthStatus::Unhealthy,
        disabled: true,
        ..base_check()
    });
    assert_eq!(serving_region(&s), Some("us-east-1"));
}

#[test]
fn fmt_secs_table() {
    for (secs, text) in [
        (0, "0s"),
        (41, "41s"),
        (60, "1m"),
        (303, "5m 3s"),
        (7800, "2h 10m"),
        (273_600, "3d 4h"),
    ] {
        assert_eq!(fmt_secs(secs), text);
    }
}

#[allow(non_snake_case)]
mod serving {
    use super::super::serving_index;
    use crate::model::HealthStatus::{self, Healthy as H, Unhealthy as U, Unknown as X};

    #[test]
    fn serving_index_follows_route53_failover() {
        let cases: &[(&[HealthStatus], Option<usize>)] = &[
            (&[H, H], Some(0)),
            (&[U, H], Some(1)),
            (&[H, U], Some(0)),
            (&[U, U], Some(0)), // fail-open: all unhealthy answers as if all were healthy
            (&[X, H], None),
            (&[U, X], None),
            (&[H, X], Some(0)),
            (&[U, U, H], Some(2)),
            (&[], None),
        ];
        for (input, expected) in cases {
            assert_eq!(serving_index(input), *expected, "{input:?}");
        }
    }
}

#[test]
fn failed_replication_operations_are_critical() {
    use crate::model::ReplicationMetrics;
    let mut s = svc(&["us-east-1", "us-west-2"]);
    let metrics = |failed| ReplicationMetrics {
        rule_id: "r".into(),
        destination_bucket: "b-west".into(),
        latency_s: Some(40.0),
        operations_pending: Some(0.0),
        bytes_pending: Some(0.0),
        operations_failed: Some(failed),
    };
    s.regions[0].replication_metrics = stamped(vec![metrics(0.0)]);
    let state = state_with(s.clone());
    assert!(findings(&state, &state.services[0], t(0)).is_empty());
    s.regions[0].replication_metrics = stamped(vec![metrics(3.0)]);
    let state = state_with(s);
    let got = codes(&findings(&state, &state.services[0], t(0)));
    assert_eq!(
        got,
        vec![(Severity::Critical, FindingCode::ReplicationFailed)]
    );
}
