//! Readiness to approve, replication lag and failed replication.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

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

#[test]
fn replication_lag_thresholds_raise_severity() {
    let mut s = svc(&["us-east-1", "us-west-2"]);
    s.regions[0].artifacts = stamped(vec![version("v2", 0, Some(S3Replication::Pending), None)]);
    s.regions[1].artifacts = stamped(vec![]);
    let fleet = fleet_with(s);
    let severity = |now| {
        findings(&fleet, &fleet.services[0], t(now))
            .iter()
            .find(|f| f.code == FindingCode::ReplicationPending)
            .unwrap()
            .severity
    };
    assert_eq!(severity(299), Severity::Info);
    assert_eq!(severity(300), Severity::Warning);
    assert_eq!(severity(900), Severity::Critical);
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
    let fleet = fleet_with(s.clone());
    assert!(findings(&fleet, &fleet.services[0], t(0)).is_empty());
    s.regions[0].replication_metrics = stamped(vec![metrics(3.0)]);
    let fleet = fleet_with(s);
    let got = codes(&findings(&fleet, &fleet.services[0], t(0)));
    assert_eq!(
        got,
        vec![(Severity::Critical, FindingCode::ReplicationFailed)]
    );
}
