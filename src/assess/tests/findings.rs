//! The findings table: each code, its severity and region.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

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
            // UpdateHealthCheck `Disabled`: Disabled and Inverted is always unhealthy, the
            // manual failover of `pin-unhealthy`; no checkers' verdict, not a failing endpoint.
            "pinned unhealthy",
            |s| {
                s.regions[0].health = stamped(HealthCheck {
                    inverted: true,
                    disabled: true,
                    raw: HealthStatus::Unknown,
                    checkers_healthy_pct: None,
                    ..base_check()
                })
            },
            vec![(Warning, HealthInverted)],
        ),
        (
            // Disabled alone: counted healthy whatever the endpoint does.
            "disabled",
            |s| {
                s.regions[0].health = stamped(HealthCheck {
                    disabled: true,
                    raw: HealthStatus::Unknown,
                    checkers_healthy_pct: None,
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
        let fleet = fleet_with(s);
        let mut got = codes(&findings(&fleet, &fleet.services[0], t(60)));
        let mut expected = expected;
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{name}");
    }
}
