//! Which region serves, and durations as shown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

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

/// `arc`: a RECOVERY_CONTROL check follows its routing control (ARC Developer Guide, routing
/// control health checks), so the routing controls read from the cluster (data plane) tell
/// which region serves, unless the health check was read more recently.
#[test]
fn an_arc_service_is_served_where_its_routing_control_is_on() {
    use crate::fleet::Stamped;
    use crate::model::{CheckKind, Failover, RoutingControl};
    let rc = |on: bool, at: i64| {
        Some(Stamped {
            value: RoutingControl {
                arn: "arn".into(),
                on,
            },
            fetched_at: t(at),
        })
    };
    let check = |raw: HealthStatus, at: i64| {
        Some(Stamped {
            value: HealthCheck {
                raw,
                kind: CheckKind::RecoveryControl,
                ..base_check()
            },
            fetched_at: t(at),
        })
    };
    let mut s = svc(&["us-east-1", "us-west-2"]);
    s.service.failover = Failover::Arc {
        cluster_endpoints: Vec::new(),
        routing_controls: Default::default(),
    };
    // (routing controls east/west and when read, health east/west and when read) -> serving
    let cases = [
        // No health at all (the Route 53 API down since start): the routing controls decide.
        ((true, false, 10), None, Some("us-east-1")),
        ((false, true, 10), None, Some("us-west-2")),
        // Health stale (read at 0), routing controls newer: they decide.
        (
            (false, true, 10),
            Some((HealthStatus::Healthy, HealthStatus::Unhealthy, 0)),
            Some("us-west-2"),
        ),
        // Health read after the routing controls: it decides.
        (
            (false, true, 0),
            Some((HealthStatus::Healthy, HealthStatus::Unhealthy, 10)),
            Some("us-east-1"),
        ),
        // Both Off: every check unhealthy, Route 53 fails open to the primary.
        ((false, false, 10), None, Some("us-east-1")),
    ];
    for ((east, west, rc_at), health, want) in cases {
        s.regions[0].routing_control = rc(east, rc_at);
        s.regions[1].routing_control = rc(west, rc_at);
        (s.regions[0].health, s.regions[1].health) = match health {
            Some((e, w, at)) => (check(e, at), check(w, at)),
            None => (None, None),
        };
        assert_eq!(serving_region(&s), want, "{east} {west} {rc_at} {health:?}");
    }
    // Not an `arc` service: the routing controls are not its mechanism.
    s.service.failover = Failover::InvertHealthCheck;
    s.regions[0].health = None;
    s.regions[1].health = None;
    assert_eq!(serving_region(&s), None);
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
mod route53 {
    use crate::model::HealthStatus::{self, Healthy as H, Unhealthy as U, Unknown as X};
    use crate::model::serving_index;

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

/// The verdict Route 53 routes on, by the flags (Route 53 API reference, UpdateHealthCheck
/// `Disabled`: a disabled check is considered healthy, and "if you want to stop routing traffic
/// to a resource, change the value of Inverted"; Developer Guide "Inverting health checks").
#[allow(non_snake_case)]
mod flags {
    use crate::model::HealthStatus::{Healthy as H, Unhealthy as U, Unknown as X};
    use crate::model::effective_status;

    #[test]
    fn effective_status_follows_inverted_and_disabled() {
        // (raw, inverted, disabled) -> effective
        for (raw, inverted, disabled, want) in [
            (H, false, false, H),
            (U, false, false, U),
            (X, false, false, X),
            (H, true, false, U),
            (U, true, false, H),
            (X, true, false, X),
            // Disabled: always healthy, whatever the checkers saw (or that they did not run).
            (U, false, true, H),
            (X, false, true, H),
            // Disabled and Inverted: always unhealthy.
            (H, true, true, U),
            (U, true, true, U),
            (X, true, true, U),
        ] {
            assert_eq!(
                effective_status(raw, inverted, disabled),
                want,
                "raw {raw:?} inverted {inverted} disabled {disabled}"
            );
        }
    }
}

/// The checkers' verdict from CloudWatch (`AWS/Route53`, Route 53 Developer Guide "Monitoring
/// health checks using CloudWatch", and "How Amazon Route 53 determines whether a health check is
/// healthy": healthy when more than 18 % of checkers say so). HealthCheckPercentageHealthy is the
/// raw share; whether HealthCheckStatus is taken before or after Inverted is not documented, so
/// it only cross-checks; a data point more than 3 minutes old is not current.
#[allow(non_snake_case)]
mod metrics {
    use crate::fleet::testing::t;
    use crate::model::HealthStatus::{self, Healthy as H, Unhealthy as U, Unknown as X};
    use crate::model::{VerdictFrom, effective_status, metric_verdict};

    #[test]
    fn metric_verdict_table() {
        let now = t(600);
        let point = |age: i64, v: f64| Some((now - chrono::Duration::seconds(age), v));
        // (status metric, percentage metric, inverted, disabled) -> (raw, effective, noted?)
        type Case = (
            Option<(crate::model::Timestamp, f64)>,
            Option<(crate::model::Timestamp, f64)>,
            bool,
            bool,
            HealthStatus,
            HealthStatus,
            bool,
        );
        let cases: Vec<Case> = vec![
            // Both current and consistent.
            (point(60, 1.0), point(60, 100.0), false, false, H, H, false),
            (point(60, 0.0), point(60, 0.0), false, false, U, U, false),
            // 18 % is not "more than 18 %".
            (point(60, 0.0), point(60, 18.0), false, false, U, U, false),
            (point(60, 1.0), point(60, 25.0), false, false, H, H, false),
            // Inverted: the status is read as after inversion.
            (point(60, 0.0), point(60, 100.0), true, false, H, U, false),
            (point(60, 1.0), point(60, 0.0), true, false, U, H, false),
            // Inverted, but the status matches the raw share, not the flags: unknown.
            (point(60, 1.0), point(60, 100.0), true, false, X, X, true),
            // Not inverted and they disagree: unknown.
            (point(60, 0.0), point(60, 100.0), false, false, X, X, true),
            // Only the share: it decides.
            (None, point(60, 100.0), true, false, H, U, false),
            // Only the status: enough when not inverted, not when inverted.
            (point(60, 0.0), None, false, false, U, U, false),
            (point(60, 0.0), None, true, false, X, X, true),
            // Older than 3 minutes: not current.
            (point(240, 1.0), point(240, 100.0), false, false, X, X, true),
            (
                point(180, 1.0),
                point(180, 100.0),
                false,
                false,
                H,
                H,
                false,
            ),
            (point(60, 1.0), point(240, 100.0), false, false, H, H, false),
            (None, None, false, false, X, X, true),
            // Disabled: not checked; the flags decide.
            (point(60, 0.0), point(60, 0.0), false, true, X, H, true),
            (point(60, 1.0), point(60, 100.0), true, true, X, U, true),
        ];
        for (i, (status, pct, inverted, disabled, raw, effective, noted)) in
            cases.into_iter().enumerate()
        {
            let v = metric_verdict(status, pct, inverted, disabled, now);
            assert_eq!(v.raw, raw, "case {i}: {v:?}");
            assert_eq!(
                effective_status(v.raw, inverted, disabled),
                effective,
                "case {i}: {v:?}"
            );
            assert_eq!(v.note.is_some(), noted, "case {i}: {v:?}");
            if v.raw != X {
                assert!(matches!(v.from, VerdictFrom::Metrics { .. }), "case {i}");
            }
        }
    }
}
