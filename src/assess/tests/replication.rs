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
    let lags: Vec<(Option<u64>, Option<LagSource>)> =
        a.regions.iter().map(|r| (r.lag_s, r.lag_source)).collect();
    assert_eq!(
        lags,
        vec![
            (None, None),
            (Some(41), Some(LagSource::Simulated)),
            (Some(300), Some(LagSource::Observed))
        ]
    );
}

/// The rule's metrics into `region`: ReplicationLatency per minute (at offsets from t(0)) over
/// a window from `since`.
fn latency_into(region: &str, since: i64, points: &[(i64, f64)]) -> ReplicationMetrics {
    ReplicationMetrics {
        rule_id: format!("to-{region}"),
        destination_bucket: format!("b-{region}"),
        destination_region: Some(region.into()),
        latency_s: points.last().map(|(_, v)| *v),
        latency_series: points.iter().map(|(at, v)| (t(*at), *v)).collect(),
        latency_since: Some(t(since)),
        operations_pending: Some(0.0),
        bytes_pending: Some(0.0),
        operations_failed: Some(0.0),
    }
}

fn seen(first_seen: i64, absent_at: Option<i64>) -> Option<crate::fleet::Sighting> {
    Some(crate::fleet::Sighting {
        first_seen: t(first_seen),
        absent_at: absent_at.map(t),
    })
}

/// The lag of the tracked build in us-west-2, written at t(0) in us-east-1, seen at t(600).
/// S3 User Guide, "What does Amazon S3 replicate?": a replica keeps the source's LastModified,
/// so every replica here has LastModified t(0), and the lag never comes from it.
#[test]
fn lag_derivation_table() {
    use S3Replication::{Completed, Pending, Replica};
    type Lag = (Option<u64>, Option<LagSource>, Option<u64>);
    // (case, source status, replica listed in the destination, metrics of the rule into
    // us-west-2, the console's sighting of the replica) → (lag_s, lag_source, resolution)
    #[allow(clippy::type_complexity)]
    let cases: Vec<(
        &str,
        S3Replication,
        bool,
        Vec<ReplicationMetrics>,
        Option<crate::fleet::Sighting>,
        Lag,
    )> = vec![
        (
            // The latest point (0: nothing pending any more) is not the build's lag.
            "completed, the rule publishes ReplicationLatency: its largest since the write",
            Completed,
            true,
            vec![latency_into(
                "us-west-2",
                -300,
                &[(-120, 20.0), (0, 30.0), (60, 95.4), (120, 0.0)],
            )],
            seen(300, None),
            (Some(95), Some(LagSource::Metric), None),
        ),
        (
            "completed, the metric wins over the console's observation",
            Completed,
            true,
            vec![latency_into("us-west-2", -300, &[(60, 95.0)])],
            seen(300, Some(270)),
            (Some(95), Some(LagSource::Metric), None),
        ),
        (
            "completed, points after the console saw it are another object's",
            Completed,
            true,
            vec![latency_into("us-west-2", -300, &[(0, 40.0), (360, 500.0)])],
            seen(300, Some(270)),
            (Some(40), Some(LagSource::Metric), None),
        ),
        (
            "completed, observed by the console after a listing without it",
            Completed,
            true,
            vec![],
            seen(300, Some(270)),
            (Some(300), Some(LagSource::Observed), Some(30)),
        ),
        (
            "completed, the listing without it was before the write",
            Completed,
            true,
            vec![],
            seen(20, Some(-10)),
            (Some(20), Some(LagSource::Observed), Some(20)),
        ),
        (
            "completed, the rule has metrics but no point since the write: observed",
            Completed,
            true,
            vec![latency_into("us-west-2", -300, &[(-120, 50.0)])],
            seen(300, Some(270)),
            (Some(300), Some(LagSource::Observed), Some(30)),
        ),
        (
            "completed, the metric's window began after the write: observed",
            Completed,
            true,
            vec![latency_into("us-west-2", 120, &[(120, 50.0)])],
            seen(300, Some(270)),
            (Some(300), Some(LagSource::Observed), Some(30)),
        ),
        (
            "completed, another destination's metric is not this one's",
            Completed,
            true,
            vec![latency_into("eu-west-1", -300, &[(60, 95.0)])],
            seen(300, Some(270)),
            (Some(300), Some(LagSource::Observed), Some(30)),
        ),
        (
            "completed, first seen already complete: unknown, not 0 s",
            Completed,
            true,
            vec![],
            seen(300, None),
            (None, None, None),
        ),
        (
            "completed, never sighted: unknown",
            Completed,
            true,
            vec![],
            None,
            (None, None, None),
        ),
        (
            "pending: the age since the source version was written",
            Pending,
            false,
            vec![latency_into("us-west-2", -300, &[(60, 95.0)])],
            None,
            (Some(600), Some(LagSource::Observed), None),
        ),
    ];
    for (name, status, listed, metrics, sighting, want) in cases {
        let mut s = svc(&["us-east-1", "us-west-2"]);
        s.regions[0].artifacts = stamped(vec![version("v2", 0, Some(status), None)]);
        s.regions[0].replication_metrics = stamped(metrics);
        s.regions[1].artifacts = stamped(if listed {
            vec![version("v2", 0, Some(Replica), None)]
        } else {
            vec![]
        });
        if let Some(sighting) = sighting {
            s.regions[1].sightings.insert("v2".into(), sighting);
        }
        let a = &tracked_artifacts(&s, t(600))[0];
        let west = &a.regions[1];
        assert_eq!(
            (west.lag_s, west.lag_source, west.lag_resolution_s),
            want,
            "{name}"
        );
    }
}

/// The simulation's figures say so: a pending build's age is simulated too.
#[test]
fn the_simulations_pending_lag_is_simulated() {
    let mut s = svc(&["us-east-1", "us-west-2"]);
    let mut v = version("v2", 0, Some(S3Replication::Pending), None);
    v.simulated = true;
    s.regions[0].artifacts = stamped(vec![v]);
    s.regions[1].artifacts = stamped(vec![]);
    let west = &tracked_artifacts(&s, t(60))[0].regions[1];
    assert_eq!(
        (west.lag_s, west.lag_source),
        (Some(60), Some(LagSource::Simulated))
    );
}

/// Across fetches: the destination listed without the build at t(30), with it at t(60); the
/// build was written at t(0). The lag is observed: at most 60 s, to a resolution of 30 s.
#[test]
fn a_replica_seen_arriving_between_two_fetches_has_an_observed_lag() {
    use crate::source::{Entry, Fetched, Payload, SourceKey, SourceKind};
    let s = svc(&["us-east-1", "us-west-2"]);
    let mut fleet = fleet_with(s);
    let listing = |region: &str, versions: Vec<ArtifactVersion>, at: i64| Fetched {
        key: SourceKey::new(SourceKind::Replication, region),
        at: t(at),
        calls: 1,
        route53_calls: 0,
        result: Ok(Payload::Replication(
            vec![Entry {
                service: "svc".into(),
                region: region.into(),
                value: versions,
            }],
            Vec::new(),
        )),
        partial: None,
    };
    let source = || vec![version("v2", 0, Some(S3Replication::Pending), None)];
    let replica = || vec![version("v2", 0, Some(S3Replication::Replica), None)];
    fleet.apply(listing("us-east-1", source(), 5));
    fleet.apply(listing("us-west-2", vec![], 30));
    fleet.apply(listing("us-west-2", replica(), 60));
    fleet.apply(listing("us-west-2", replica(), 90));
    let west = &tracked_artifacts(&fleet.services[0], t(100))[0].regions[1];
    assert_eq!(
        (
            west.status,
            west.lag_s,
            west.lag_source,
            west.lag_resolution_s
        ),
        (
            ReplicaStatus::Completed,
            Some(60),
            Some(LagSource::Observed),
            Some(30)
        ),
        "the first sighting is kept across later fetches"
    );
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
        destination_region: Some("us-west-2".into()),
        latency_s: Some(40.0),
        latency_series: Vec::new(),
        latency_since: None,
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

/// The panel's LAG column (README, "Panels"): `~` an observed completion in at most six
/// characters, `?` a completion whose lag cannot be told, never 0 s for it.
#[test]
fn lag_label_table() {
    let row = |status, lag_s, lag_source, lag_resolution_s, is_source| RegionArtifact {
        region: "us-west-2".into(),
        is_source,
        status,
        lag_s,
        lag_source,
        lag_resolution_s,
    };
    use LagSource::*;
    use ReplicaStatus::*;
    let cases = [
        (row(Completed, Some(180), Some(Metric), None, false), "3m"),
        (
            row(Completed, Some(95), Some(Metric), None, false),
            "1m 35s",
        ),
        (
            row(Completed, Some(45), Some(Observed), Some(30), false),
            "~45s",
        ),
        (
            row(Completed, Some(90), Some(Observed), Some(30), false),
            "~1m30s",
        ),
        (
            row(Completed, Some(725), Some(Observed), Some(30), false),
            "~12m",
        ),
        (
            row(Completed, Some(3900), Some(Observed), Some(30), false),
            "~1h5m",
        ),
        (
            row(Completed, Some(41), Some(Simulated), None, false),
            "41s",
        ),
        (row(Completed, None, None, None, false), "?"),
        (row(Pending, Some(300), Some(Observed), None, false), "5m"),
        (row(Missing, None, None, None, false), ""),
        (row(Completed, None, None, None, true), ""),
    ];
    for (r, want) in cases {
        assert_eq!(r.lag_label(), want, "{r:?}");
        assert!(r.lag_label().chars().count() <= 6, "{r:?}");
    }
}
