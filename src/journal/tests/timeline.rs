//! The timeline's milestones (impact detected, mitigated, resolved) and durations, as tables of
//! events → milestones; its Markdown.

use crate::journal::timeline::{Origin, Timeline, markdown};
use crate::model::{Event, EventKind, FindingCode, Severity, Timestamp};

fn t(secs: i64) -> Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

fn event(secs: i64, kind: EventKind, severity: Severity, signal: &str) -> Event {
    let mut e = Event::new(
        kind,
        severity,
        t(secs),
        format!("{} at {secs}", kind.name()),
    );
    e.signal = Some(signal.to_string());
    e.service = Some("svc".into());
    e
}

/// A finding of `code` on svc in us-east-1: raised, changed or cleared to `after`.
fn finding(secs: i64, code: FindingCode, kind: EventKind, after: Option<Severity>) -> Event {
    let name = serde_json::to_value(code).unwrap();
    let signal = format!("finding/svc/us-east-1/{}/fn", name.as_str().unwrap());
    let mut e = event(secs, kind, after.unwrap_or(Severity::Info), &signal);
    e.region = Some("us-east-1".into());
    e.code = Some(code);
    e.after = after.map(|s| s.label().to_string());
    e
}

fn error_rate(secs: i64, kind: EventKind, after: Option<Severity>) -> Event {
    finding(secs, FindingCode::ErrorRateHigh, kind, after)
}

fn health(secs: i64, region: &str, after: &str) -> Event {
    let severity = if after == "unhealthy" {
        Severity::Critical
    } else {
        Severity::Info
    };
    let mut e = event(
        secs,
        EventKind::HealthChanged,
        severity,
        &format!("health/svc/{region}"),
    );
    e.region = Some(region.into());
    e.after = Some(after.into());
    e
}

/// The serving region by `subject` ("health" or "dns") becoming `to`.
fn serving(secs: i64, subject: &str, to: &str) -> Event {
    let mut e = event(
        secs,
        EventKind::ServingChanged,
        Severity::Warning,
        &format!("serving/svc/{subject}"),
    );
    e.subject = Some(subject.into());
    e.after = Some(to.into());
    e
}

fn action(secs: i64, service: &str, what: &str, outcome: &str) -> Event {
    let mut e = Event::new(
        EventKind::Action,
        Severity::Warning,
        t(secs),
        format!("{what} {service}: {outcome}"),
    );
    e.service = Some(service.into());
    e.subject = Some(what.into());
    e.after = Some(outcome.into());
    e.audit_id = Some(format!("id-{secs}"));
    e
}

fn other_service(mut e: Event) -> Event {
    e.service = Some("other".into());
    e.signal = e.signal.map(|s| s.replace("/svc/", "/other/"));
    e
}

fn build(prior: &[Event], events: Vec<Event>) -> Timeline {
    Timeline::new(
        t(0),
        t(3600),
        vec!["svc".into()],
        Origin::Simulation {
            scenario: "test".into(),
            at_s: 3600,
            drills: 0,
        },
        prior,
        events,
    )
}

use EventKind::{FindingChanged, FindingCleared, FindingRaised};
use Severity::{Critical, Warning};

/// (what, events before the window, events in it, impact detected, mitigated and whether
/// verified, resolved), as indexes into the window's events.
type Case = (
    &'static str,
    Vec<Event>,
    Vec<Event>,
    Option<usize>,
    Option<(usize, bool)>,
    Option<usize>,
);

#[test]
fn milestones_follow_impact_mitigation_and_resolution() {
    let cases: Vec<Case> = vec![
        (
            "an error-rate breach is impact at any severity",
            vec![],
            vec![
                finding(5, FindingCode::CodeMismatch, FindingRaised, Some(Warning)),
                error_rate(10, FindingRaised, Some(Warning)),
            ],
            Some(1),
            None,
            None,
        ),
        (
            "a warning that is not an error-rate breach is no impact",
            vec![],
            vec![
                finding(
                    5,
                    FindingCode::ReplicationPending,
                    FindingRaised,
                    Some(Warning),
                ),
                health(6, "us-east-1", "healthy"),
            ],
            None,
            None,
            None,
        ),
        (
            "a finding changed to critical is impact",
            vec![],
            vec![
                finding(5, FindingCode::DnsDrift, FindingRaised, Some(Warning)),
                finding(9, FindingCode::DnsDrift, FindingChanged, Some(Critical)),
            ],
            Some(1),
            None,
            None,
        ),
        (
            "a region turning unhealthy is impact",
            vec![],
            vec![health(7, "us-east-1", "unhealthy")],
            Some(0),
            None,
            None,
        ),
        (
            "DNS answering the other region mitigates; the health model's change before it \
             does not, as the service has a DNS signal",
            vec![],
            vec![
                error_rate(10, FindingRaised, Some(Critical)),
                serving(20, "health", "us-west-2"),
                serving(35, "dns", "us-west-2"),
            ],
            Some(0),
            Some((2, true)),
            None,
        ),
        (
            "without any DNS signal for the service, the health model's change mitigates, \
             unverified",
            vec![],
            vec![
                error_rate(10, FindingRaised, Some(Critical)),
                serving(20, "health", "us-west-2"),
            ],
            Some(0),
            Some((1, false)),
            None,
        ),
        (
            "a DNS signal before the window counts: the health model's change waits for DNS",
            vec![serving(-900, "dns", "us-east-1")],
            vec![
                error_rate(10, FindingRaised, Some(Critical)),
                serving(20, "health", "us-west-2"),
            ],
            Some(0),
            None,
            None,
        ),
        (
            "serving moving into the impacted region is no mitigation",
            vec![],
            vec![
                error_rate(10, FindingRaised, Some(Critical)),
                serving(20, "dns", "us-east-1"),
            ],
            Some(0),
            None,
            None,
        ),
        (
            "a failover that ended verified mitigates before DNS is seen following",
            vec![],
            vec![
                health(10, "us-east-1", "unhealthy"),
                action(30, "svc", "failover", "unverified"),
                action(40, "other", "failover", "verified"),
                action(45, "svc", "approve", "verified"),
                action(50, "svc", "failover", "verified"),
                serving(52, "dns", "us-west-2"),
            ],
            Some(0),
            Some((4, true)),
            None,
        ),
        (
            "a mitigation before the impact does not count",
            vec![],
            vec![
                serving(5, "dns", "us-west-2"),
                error_rate(10, FindingRaised, Some(Warning)),
            ],
            Some(1),
            None,
            None,
        ),
        (
            "resolved: the first moment nothing critical is open, another service's \
             criticals too",
            vec![],
            vec![
                error_rate(10, FindingRaised, Some(Critical)),
                health(12, "us-east-1", "unhealthy"),
                other_service(health(13, "eu-west-1", "unhealthy")),
                serving(30, "dns", "us-west-2"),
                error_rate(60, FindingCleared, None),
                health(70, "us-east-1", "healthy"),
                other_service(health(75, "eu-west-1", "healthy")),
                health(80, "us-west-2", "healthy"),
            ],
            Some(0),
            Some((3, true)),
            Some(6),
        ),
        (
            "an error-rate breach calmed to a warning is still open until cleared",
            vec![],
            vec![
                error_rate(10, FindingRaised, Some(Critical)),
                error_rate(20, FindingChanged, Some(Warning)),
                error_rate(30, FindingCleared, None),
            ],
            Some(0),
            None,
            Some(2),
        ),
        (
            "resolved before any mitigation: a later serving change is not this incident's",
            vec![],
            vec![
                health(10, "us-east-1", "unhealthy"),
                health(20, "us-east-1", "healthy"),
                serving(30, "dns", "us-west-2"),
            ],
            Some(0),
            None,
            Some(1),
        ),
        (
            "impact open before the window: no impact detected in it, resolved when it clears",
            vec![health(-60, "us-east-1", "unhealthy")],
            vec![
                error_rate(10, FindingRaised, Some(Critical)),
                serving(20, "dns", "us-west-2"),
                health(40, "us-east-1", "healthy"),
                error_rate(50, FindingCleared, None),
            ],
            None,
            Some((1, true)),
            Some(3),
        ),
        (
            "impact opened and closed before the window is not open at its start",
            vec![
                health(-60, "us-east-1", "unhealthy"),
                health(-30, "us-east-1", "healthy"),
            ],
            vec![serving(20, "dns", "us-west-2")],
            None,
            None,
            None,
        ),
        (
            "a flapping finding that flaps to critical is open until cleared",
            vec![],
            vec![
                health(10, "us-east-1", "unhealthy"),
                {
                    let mut e = error_rate(20, EventKind::Flapping, Some(Critical));
                    e.severity = Warning;
                    e
                },
                health(30, "us-east-1", "healthy"),
                error_rate(40, FindingCleared, None),
            ],
            Some(0),
            None,
            Some(3),
        ),
    ];
    for (what, prior, events, impact, mitigated, resolved) in cases {
        let timeline = build(&prior, events);
        let m = &timeline.milestones;
        assert_eq!(
            m.impact_detected.as_ref().map(|m| m.event),
            impact,
            "{what}"
        );
        assert_eq!(
            m.mitigated
                .as_ref()
                .map(|m| (m.event, m.verified == Some(true))),
            mitigated,
            "{what}"
        );
        assert_eq!(m.resolved.as_ref().map(|m| m.event), resolved, "{what}");
        let open_before = what.starts_with("impact open before the window");
        assert_eq!(
            timeline.open_at_start,
            if open_before {
                vec!["health/svc/us-east-1".to_string()]
            } else {
                vec![]
            },
            "{what}"
        );
    }
}

#[test]
fn durations_run_between_the_milestones_by_aws_time_where_given() {
    let mut breach = error_rate(100, FindingRaised, Some(Critical));
    // The CloudWatch data point the breach was seen in ended 40 s before it was observed.
    breach.aws_time = Some(t(60));
    let events = vec![
        breach,
        serving(130, "dns", "us-west-2"),
        error_rate(400, FindingCleared, None),
    ];
    let d = build(&[], events).durations;
    assert_eq!(d.detected_to_mitigated_s, Some(70));
    assert_eq!(d.mitigated_to_resolved_s, Some(270));
    assert_eq!(d.detected_to_resolved_s, Some(340));

    let d = build(&[], vec![error_rate(100, FindingRaised, Some(Warning))]).durations;
    assert_eq!(
        (
            d.detected_to_mitigated_s,
            d.mitigated_to_resolved_s,
            d.detected_to_resolved_s
        ),
        (None, None, None)
    );
}

#[test]
fn events_are_ordered_by_when_observed_keeping_their_order_at_one_moment() {
    let timeline = build(
        &[],
        vec![
            serving(20, "dns", "us-west-2"),
            health(10, "us-east-1", "unhealthy"),
            serving(10, "health", "us-west-2"),
        ],
    );
    let order: Vec<(EventKind, i64)> = timeline
        .events
        .iter()
        .map(|e| (e.kind, e.observed.timestamp() - 1_800_000_000))
        .collect();
    assert_eq!(
        order,
        [
            (EventKind::HealthChanged, 10),
            (EventKind::ServingChanged, 10),
            (EventKind::ServingChanged, 20)
        ]
    );
}

#[test]
fn the_markdown_says_which_milestones_are_not_reached_and_keeps_its_table_whole() {
    let mut breach = error_rate(100, FindingRaised, Some(Critical));
    breach.message = "a | b\nc".into();
    breach.aws_time = Some(t(60));
    let text = markdown(&build(&[], vec![breach]));
    assert!(text.starts_with("# Incident timeline: svc\n"), "{text}");
    assert!(
        text.contains("| Impact detected | 08:01:00 | finding raised: a \\| b c |"),
        "{text}"
    );
    assert!(
        text.contains("| Mitigated | not reached | not reached by 2027-01-15 09:00:00 UTC |"),
        "{text}"
    );
    assert!(
        text.contains("- Detected → mitigated: not reached"),
        "{text}"
    );
    assert!(
        text.contains(
            "| 08:01:40 | svc | us-east-1 | finding raised: a \\| b c | – → critical | 08:01:00 |"
        ),
        "{text}"
    );
    // Every table row has the same number of cells.
    for line in text.lines().filter(|l| l.starts_with("| 08")) {
        assert_eq!(line.replace("\\|", "").matches('|').count(), 7, "{line}");
    }
}

#[test]
fn a_mitigation_the_traffic_comes_back_from_is_undone_not_mitigated() {
    // Route 53 Developer Guide, "Inverting health checks": an inverted check of a failing
    // endpoint counts as healthy, so after a failover by inversion Route 53 may answer with the
    // failing region again.
    let events = vec![
        error_rate(60, FindingRaised, Some(Warning)),
        action(100, "svc", "failover", "verified"),
        serving(110, "dns", "us-west-2"),
        health(120, "us-east-1", "healthy"),
        serving(140, "dns", "us-east-1"),
        action(300, "svc", "failover", "verified"),
        serving(310, "dns", "us-west-2"),
    ];
    let timeline = build(&[], events);
    let m = &timeline.milestones;
    assert_eq!(m.impact_detected.as_ref().map(|m| m.event), Some(0));
    assert_eq!(m.undone.len(), 1, "{m:?}");
    assert_eq!(m.undone[0].mitigated.event, 1);
    assert_eq!(m.undone[0].reverted.event, 4);
    assert_eq!(
        m.mitigated.as_ref().map(|m| m.event),
        Some(5),
        "the one that held"
    );
    let text = markdown(&timeline);
    assert!(text.contains("| Mitigation undone |"), "{text}");

    // Without the second move, nothing held: not mitigated.
    let events = vec![
        error_rate(60, FindingRaised, Some(Warning)),
        serving(110, "dns", "us-west-2"),
        serving(140, "dns", "us-east-1"),
    ];
    let timeline = build(&[], events);
    assert_eq!(timeline.milestones.mitigated, None);
    assert_eq!(timeline.milestones.undone.len(), 1);
}
