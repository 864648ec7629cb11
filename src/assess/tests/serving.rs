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
