//! The incident journal's event derivation: a fleet before, a fleet after, the events between
//! (README, "Incident timeline"); flapping and the journal's seed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::assess::events::{FLAP_LIMIT, FLAP_WINDOW_S, Tracker, observe};

type Setup = fn(&mut ServiceState);

fn healthy(s: &mut ServiceState) {
    for r in &mut s.regions {
        r.health = stamped(base_check());
    }
}

fn primary_down(s: &mut ServiceState) {
    healthy(s);
    s.regions[0].health = stamped(HealthCheck {
        raw: HealthStatus::Unhealthy,
        checkers_healthy_pct: Some(0.0),
        ..base_check()
    });
}

fn fleet(setup: Setup) -> Fleet {
    let mut s = svc(&["us-east-1", "us-west-2"]);
    setup(&mut s);
    fleet_with(s)
}

/// The events of going from `before` to `after`, each as (kind, signal's before, after).
fn between(before: Setup, after: Setup) -> Vec<(EventKind, Option<String>, Option<String>)> {
    let mut tracker = Tracker::default();
    tracker.observe(&observe(&fleet(before), t(0)), t(0));
    tracker
        .observe(&observe(&fleet(after), t(60)), t(60))
        .into_iter()
        .map(|e| (e.kind, e.before, e.after))
        .collect()
}

fn s(text: &str) -> Option<String> {
    Some(text.to_string())
}

#[test]
fn derivation_table() {
    use EventKind::*;
    type Case = (
        &'static str,
        Setup,
        Setup,
        Vec<(EventKind, Option<String>, Option<String>)>,
    );
    let cases: Vec<Case> = vec![
        ("nothing changes", healthy, healthy, vec![]),
        (
            "the primary fails: its verdict, the serving region, a critical finding",
            healthy,
            primary_down,
            vec![
                (FindingRaised, None, s("critical")),
                (HealthChanged, s("healthy"), s("unhealthy")),
                (ServingChanged, s("us-east-1"), s("us-west-2")),
            ],
        ),
        (
            "the primary recovers: the finding is cleared",
            primary_down,
            healthy,
            vec![
                (FindingCleared, s("critical"), None),
                (HealthChanged, s("unhealthy"), s("healthy")),
                (ServingChanged, s("us-west-2"), s("us-east-1")),
            ],
        ),
        (
            "health data lost: unknown is no change, and no finding is cleared",
            primary_down,
            |s| s.regions[1].health = stamped(base_check()),
            vec![],
        ),
        (
            "a verdict that cannot be told changes nothing",
            healthy,
            |s| {
                healthy(s);
                s.regions[0].health = stamped(HealthCheck {
                    raw: HealthStatus::Unknown,
                    checkers_healthy_pct: None,
                    ..base_check()
                });
            },
            vec![],
        ),
        (
            "some checkers failing is a warning, then critical: one signal, changed",
            |s| {
                healthy(s);
                s.regions[0].health = stamped(HealthCheck {
                    checkers_healthy_pct: Some(75.0),
                    ..base_check()
                });
            },
            primary_down,
            vec![
                (FindingChanged, s("warning"), s("critical")),
                (HealthChanged, s("healthy"), s("unhealthy")),
                (ServingChanged, s("us-east-1"), s("us-west-2")),
            ],
        ),
        (
            "an error rate breaching the critical threshold",
            |s| {
                healthy(s);
                s.regions[0].functions = stamped(vec![function(1000, 1, "c1")]);
            },
            |s| {
                healthy(s);
                s.regions[0].functions = stamped(vec![function(1000, 200, "c1")]);
            },
            vec![(FindingRaised, None, s("critical"))],
        ),
        (
            "an approval appears, then is answered",
            |s| {
                healthy(s);
                s.pipeline = stamped(PipelineInfo {
                    pending: None,
                    ..pending(&[]).unwrap().value
                });
            },
            |s| {
                healthy(s);
                s.pipeline = pending(&[]);
            },
            vec![(ApprovalPending, None, s("pending"))],
        ),
    ];
    for (name, before, after, expected) in cases {
        assert_eq!(between(before, after), expected, "{name}");
    }
}

fn with_pipeline(s: &mut ServiceState, answer: Option<(&str, Option<&str>)>) {
    healthy(s);
    let mut info = pending(&[]).unwrap().value;
    info.pending = None;
    info.last_answer = answer.map(|(status, by)| ApprovalAnswer {
        stage: "Approval".into(),
        action: "Manual".into(),
        status: status.into(),
        by: by.map(str::to_string),
        summary: Some("ok".into()),
        at: t(30),
    });
    s.pipeline = stamped(info);
}

#[test]
fn an_approval_is_answered_or_expires() {
    // CodePipeline API reference, GetPipelineState: an answered approval's latest execution is
    // Succeeded (approved) or Failed (rejected, or not answered within its timeout).
    let cases: [(Setup, EventKind, &str); 3] = [
        (
            |s| with_pipeline(s, Some(("Succeeded", Some("arn:aws:iam::1:user/ana")))),
            EventKind::ApprovalAnswered,
            "approved",
        ),
        (
            |s| with_pipeline(s, Some(("Failed", Some("arn:aws:iam::1:user/ana")))),
            EventKind::ApprovalAnswered,
            "rejected",
        ),
        (
            |s| with_pipeline(s, Some(("Failed", None))),
            EventKind::ApprovalExpired,
            "expired",
        ),
    ];
    for (after, kind, value) in cases {
        let events = between(
            |s| {
                healthy(s);
                s.pipeline = pending(&[]);
            },
            after,
        );
        assert_eq!(events, vec![(kind, s("pending"), s(value))]);
    }
}

#[test]
fn an_event_carries_the_time_aws_gave() {
    let mut tracker = Tracker::default();
    tracker.observe(&observe(&fleet(healthy), t(0)), t(0));
    let mut down = fleet(primary_down);
    let check = &mut down.services[0].regions[0].health.as_mut().unwrap().value;
    check.verdict_from = VerdictFrom::Metrics { at: t(100) };
    let events = tracker.observe(&observe(&down, t(130)), t(130));
    let health = events
        .iter()
        .find(|e| e.kind == EventKind::HealthChanged)
        .unwrap();
    assert_eq!(health.observed, t(130));
    assert_eq!(
        health.aws_time,
        Some(t(100)),
        "the CloudWatch data point's minute"
    );
    assert_eq!(health.service.as_deref(), Some("svc"));
    assert_eq!(health.region.as_deref(), Some("us-east-1"));
    assert_eq!(health.signal.as_deref(), Some("health/svc/us-east-1"));
    assert_eq!(health.severity, Severity::Critical);
}

#[test]
fn a_first_sight_records_only_what_is_already_wrong_and_the_serving_region() {
    let mut tracker = Tracker::default();
    let baseline = tracker.observe(&observe(&fleet(healthy), t(0)), t(0));
    let baseline: Vec<_> = baseline
        .iter()
        .map(|e| (e.kind, e.before.clone(), e.after.clone(), e.severity))
        .collect();
    assert_eq!(
        baseline,
        vec![(
            EventKind::ServingChanged,
            None,
            s("us-east-1"),
            Severity::Info
        )],
        "healthy regions are not news; the serving region is the baseline later runs compare with"
    );
    let mut tracker = Tracker::default();
    let kinds: Vec<(EventKind, Severity)> = tracker
        .observe(&observe(&fleet(primary_down), t(0)), t(0))
        .into_iter()
        .map(|e| (e.kind, e.severity))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventKind::FindingRaised, Severity::Critical),
            (EventKind::HealthChanged, Severity::Critical),
            (EventKind::ServingChanged, Severity::Info),
        ],
        "the critical finding, the unhealthy verdict, and the serving region as the baseline"
    );
}

#[test]
fn the_same_value_is_recorded_once() {
    let mut tracker = Tracker::default();
    tracker.observe(&observe(&fleet(healthy), t(0)), t(0));
    let first = tracker.observe(&observe(&fleet(primary_down), t(15)), t(15));
    assert_eq!(first.len(), 3);
    for i in 2..10 {
        let again = tracker.observe(&observe(&fleet(primary_down), t(15 * i)), t(15 * i));
        assert_eq!(again, vec![], "observation {i} repeats the values recorded");
    }
}

#[test]
fn a_restart_seeded_from_the_journal_records_only_what_changed_meanwhile() {
    let mut first = Tracker::default();
    first.observe(&observe(&fleet(healthy), t(0)), t(0));
    let journal = first.observe(&observe(&fleet(primary_down), t(15)), t(15));

    // Started again while the primary is still down: nothing new.
    let mut again = Tracker::seeded(&journal);
    assert_eq!(
        again.observe(&observe(&fleet(primary_down), t(600)), t(600)),
        vec![]
    );

    // Started again after it recovered while nothing watched: the recovery, cleared finding
    // included.
    let mut later = Tracker::seeded(&journal);
    let kinds: Vec<EventKind> = later
        .observe(&observe(&fleet(healthy), t(900)), t(900))
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::FindingCleared,
            EventKind::HealthChanged,
            EventKind::ServingChanged
        ]
    );
}

/// The health signal's events over a sequence of (second, primary down?) observations.
fn health_events(sequence: &[(i64, bool)]) -> Vec<(i64, EventKind, Option<String>, Timestamp)> {
    let mut tracker = Tracker::default();
    let mut out = Vec::new();
    for (secs, down) in sequence {
        let f = if *down {
            fleet(primary_down)
        } else {
            fleet(healthy)
        };
        for e in tracker.observe(&observe(&f, t(*secs)), t(*secs)) {
            if e.signal.as_deref() == Some("health/svc/us-east-1") {
                out.push((*secs, e.kind, e.after, e.observed));
            }
        }
    }
    out
}

#[test]
fn flapping_is_bounded_then_settles() {
    use EventKind::*;
    // Down and up every 15 s for 5 minutes, then up for good.
    let mut sequence: Vec<(i64, bool)> = (0..20).map(|i| (i * 15, i % 2 == 1)).collect();
    let steady_from = 20 * 15;
    sequence.extend((0..50).map(|i| (steady_from + i * 15, false)));
    let events = health_events(&sequence);
    let flapping: Vec<_> = events.iter().filter(|e| e.1 == Flapping).collect();
    assert_eq!(flapping.len(), 1, "{events:?}");
    assert_eq!(
        events.len(),
        FLAP_LIMIT + 2,
        "{FLAP_LIMIT} changes, one flapping event, one settled: {events:?}"
    );
    assert!(events[..FLAP_LIMIT].iter().all(|e| e.1 == HealthChanged));
    let settled = events.last().unwrap();
    assert_eq!(settled.1, HealthChanged);
    assert_eq!(settled.2.as_deref(), Some("healthy"));
    assert!(
        settled.0 >= steady_from + FLAP_WINDOW_S,
        "settled only after a whole window without change: {settled:?}"
    );
    assert_eq!(
        settled.3,
        t(steady_from),
        "dated when it last changed, not when it was found steady"
    );
}

#[test]
fn flapping_that_ends_where_it_was_recorded_needs_no_settled_event() {
    // Flaps, and stops on the value the flapping event recorded.
    let mut sequence: Vec<(i64, bool)> = (0..=FLAP_LIMIT as i64 + 1)
        .map(|i| (i * 15, i % 2 == 1))
        .collect();
    let last = sequence.last().unwrap().0;
    let stays = sequence.last().unwrap().1;
    sequence.extend((1..60).map(|i| (last + i * 15, stays)));
    let events = health_events(&sequence);
    assert_eq!(events.len(), FLAP_LIMIT + 1, "{events:?}");
    assert_eq!(events.last().unwrap().1, EventKind::Flapping);
}

#[test]
fn a_source_failing_throttled_and_recovering() {
    use crate::source::{ErrorKind, SourceError, SourceKey};
    let mut f = two_services();
    let key = SourceKey::new(crate::source::SourceKind::Health, "us-east-1");
    let mut tracker = Tracker::default();
    let mut step = |f: &Fleet, secs| -> Vec<(EventKind, Option<String>)> {
        tracker
            .observe(&observe(f, t(secs)), t(secs))
            .into_iter()
            .filter(|e| e.signal.as_deref() == Some("source/us-east-1/route53"))
            .map(|e| (e.kind, e.after))
            .collect()
    };
    assert_eq!(step(&f, 0), vec![], "never fetched: nothing to say");
    let status = f.sources.get_mut(&key).unwrap();
    status.last_attempt = Some(t(10));
    status.last_ok = Some(t(10));
    assert_eq!(
        step(&f, 10),
        vec![],
        "answering at first sight is the baseline"
    );
    let status = f.sources.get_mut(&key).unwrap();
    status.last_attempt = Some(t(20));
    status.error = Some(SourceError::new(
        ErrorKind::Throttled,
        "Throttling: Rate exceeded",
    ));
    assert_eq!(
        step(&f, 20),
        vec![(EventKind::SourceThrottled, s("throttled"))]
    );
    let status = f.sources.get_mut(&key).unwrap();
    status.error = Some(SourceError::new(ErrorKind::Timeout, "timed out"));
    assert_eq!(step(&f, 30), vec![(EventKind::SourceFailed, s("failed"))]);
    assert_eq!(step(&f, 40), vec![], "still failing: recorded once");
    let status = f.sources.get_mut(&key).unwrap();
    status.error = None;
    assert_eq!(step(&f, 50), vec![(EventKind::SourceRecovered, s("ok"))]);
}

#[test]
fn an_artifact_completing_replication() {
    let mut tracker = Tracker::default();
    let with = |replicated: Option<i64>| {
        let mut s = svc(&["us-east-1", "us-west-2"]);
        healthy(&mut s);
        s.regions[0].artifacts =
            stamped(vec![version("v1", 0, Some(S3Replication::Completed), None)]);
        s.regions[1].artifacts = stamped(match replicated {
            Some(at) => vec![version("v1", 0, Some(S3Replication::Replica), Some(at))],
            None => vec![],
        });
        fleet_with(s)
    };
    let replica = |events: Vec<Event>| -> Vec<(EventKind, Option<String>, Option<Timestamp>)> {
        events
            .into_iter()
            .filter(|e| {
                e.signal
                    .as_deref()
                    .is_some_and(|s| s.starts_with("replica/"))
            })
            .map(|e| (e.kind, e.after, e.aws_time))
            .collect()
    };
    assert_eq!(
        replica(tracker.observe(&observe(&with(None), t(10)), t(10))),
        vec![]
    );
    assert_eq!(
        replica(tracker.observe(&observe(&with(Some(40)), t(60)), t(60))),
        vec![(EventKind::ReplicationCompleted, s("completed"), Some(t(40)))],
        "dated by when S3 finished, not when it was seen"
    );
    assert_eq!(
        replica(tracker.observe(&observe(&with(Some(40)), t(120)), t(120))),
        vec![]
    );
}

/// A failover by the health check's flags makes the primary unhealthy on purpose (Route 53 API
/// reference, UpdateHealthCheck: Inverted "inverts the status", Disabled with Inverted is
/// always unhealthy): the health event says so as a warning, not as critical (the timeline's
/// impact detected), while the checkers' own failure stays critical.
#[test]
fn a_region_made_unhealthy_by_its_flags_is_a_warning_not_impact() {
    let severity = |check: HealthCheck| {
        let mut tracker = Tracker::default();
        tracker.observe(&observe(&fleet(healthy), t(0)), t(0));
        let mut f = fleet(healthy);
        f.services[0].regions[0].health = stamped(check);
        let events = tracker.observe(&observe(&f, t(60)), t(60));
        let health = events
            .iter()
            .find(|e| e.kind == EventKind::HealthChanged)
            .unwrap();
        assert_eq!(health.after.as_deref(), Some("unhealthy"));
        health.severity
    };
    let inverted = HealthCheck {
        inverted: true,
        ..base_check()
    };
    assert_eq!(severity(inverted), Severity::Warning, "invert-health-check");
    let pinned = HealthCheck {
        inverted: true,
        disabled: true,
        ..base_check()
    };
    assert_eq!(severity(pinned), Severity::Warning, "pin-unhealthy");
    let failing = HealthCheck {
        raw: HealthStatus::Unhealthy,
        checkers_healthy_pct: Some(0.0),
        ..base_check()
    };
    assert_eq!(
        severity(failing),
        Severity::Critical,
        "the checkers see it fail"
    );
}

#[test]
fn a_finding_is_not_cleared_when_its_metrics_could_not_be_read() {
    // CloudWatch GetMetricData failing (or throttled) leaves the functions' counts unknown: the
    // error-rate finding is unknown, not cleared.
    let mut tracker = Tracker::default();
    let breach = |s: &mut ServiceState| {
        healthy(s);
        s.regions[0].functions = stamped(vec![function(1000, 200, "c1")]);
    };
    let mut f = fleet(breach);
    tracker.observe(&observe(&f, t(0)), t(0));
    let function = &mut f.services[0].regions[0].functions.as_mut().unwrap().value[0];
    function.invocations = None;
    function.errors = None;
    assert_eq!(tracker.observe(&observe(&f, t(60)), t(60)), vec![]);
    // The same for a health verdict that cannot be told and flags that could not be read.
    let mut f = fleet(primary_down);
    let mut tracker = Tracker::default();
    tracker.observe(&observe(&f, t(0)), t(0));
    let check = &mut f.services[0].regions[0].health.as_mut().unwrap().value;
    check.raw = HealthStatus::Unknown;
    check.flags_unknown = true;
    assert_eq!(tracker.observe(&observe(&f, t(60)), t(60)), vec![]);
}

#[test]
fn an_approval_no_longer_waiting_can_wait_again() {
    // A pipeline whose approval stops waiting with no answer recorded (CodePipeline keeps only
    // the latest run of each action) and waits again later: the second wait is recorded too.
    let waiting = |s: &mut ServiceState| {
        healthy(s);
        s.pipeline = pending(&[]);
    };
    let idle = |s: &mut ServiceState| with_pipeline(s, None);
    let mut tracker = Tracker::default();
    let mut kinds = Vec::new();
    for (i, setup) in [idle, waiting, idle, waiting].into_iter().enumerate() {
        let at = t(60 * i as i64);
        kinds.extend(
            tracker
                .observe(&observe(&fleet(setup), at), at)
                .into_iter()
                .filter(|e| {
                    e.signal
                        .as_deref()
                        .is_some_and(|k| k.starts_with("approval/"))
                })
                .map(|e| e.kind),
        );
    }
    assert_eq!(
        kinds,
        vec![EventKind::ApprovalPending, EventKind::ApprovalPending]
    );
}

#[test]
fn a_source_partly_throttled_is_recorded() {
    use crate::source::{ErrorKind, SourceError, SourceKey};
    let mut f = two_services();
    let key = SourceKey::new(crate::source::SourceKind::Health, "us-east-1");
    let status = f.sources.get_mut(&key).unwrap();
    status.last_attempt = Some(t(10));
    status.last_ok = Some(t(10));
    let mut tracker = Tracker::default();
    tracker.observe(&observe(&f, t(10)), t(10));
    // A fetch that answered but with a part throttled (its `partial` error).
    f.sources.get_mut(&key).unwrap().partial = Some(SourceError::new(
        ErrorKind::Throttled,
        "CloudWatch GetMetricData: Throttling",
    ));
    let kinds: Vec<_> = tracker
        .observe(&observe(&f, t(20)), t(20))
        .into_iter()
        .filter(|e| e.signal.as_deref() == Some("source/us-east-1/route53"))
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec![EventKind::SourceThrottled]);
}
