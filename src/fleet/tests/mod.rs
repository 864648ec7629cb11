//! Unit tests of the fleet: `Fleet::apply` (fetched data stored with its time, failures kept
//! apart from the data) and freshness.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::testing::{base_check, t, two_services};
use super::*;
use crate::model::HealthStatus;
use crate::source::{Entry, ErrorKind, Fetched, Payload};

fn health_fetch(
    region: &str,
    at: Timestamp,
    result: Result<Vec<(&str, HealthStatus)>, &str>,
) -> Fetched {
    Fetched {
        key: SourceKey::new(SourceKind::Health, region),
        at,
        calls: 3,
        route53_calls: 3,
        partial: None,
        result: result
            .map(|entries| {
                Payload::Health(
                    entries
                        .into_iter()
                        .map(|(svc, raw)| Entry {
                            service: svc.into(),
                            region: region.into(),
                            value: HealthCheck {
                                id: format!("{svc}-{region}"),
                                raw,
                                ..base_check()
                            },
                        })
                        .collect(),
                )
            })
            .map_err(|m| SourceError::new(ErrorKind::Throttled, m)),
    }
}

fn east() -> SourceKey {
    SourceKey::new(SourceKind::Health, "us-east-1")
}

/// alpha healthy and beta unhealthy in us-east-1, fetched at t(10).
fn fetched_once() -> Fleet {
    let mut f = two_services();
    f.apply(health_fetch(
        "us-east-1",
        t(10),
        Ok(vec![
            ("alpha", HealthStatus::Healthy),
            ("beta", HealthStatus::Unhealthy),
        ]),
    ));
    f
}

#[test]
fn fetched_values_are_stored_with_their_time() {
    let f = fetched_once();
    let alpha = &f.services[0].regions[0];
    assert_eq!(alpha.health.as_ref().unwrap().fetched_at, t(10));
    assert_eq!(
        f.services[1].regions[0].health.as_ref().unwrap().value.raw,
        HealthStatus::Unhealthy
    );
    assert_eq!(f.sources[&east()].calls, 3);
    assert_eq!(f.sources[&east()].last_ok, Some(t(10)));
    assert_eq!(
        f.freshness(SourceKind::Health, "alpha", "us-east-1", Some(t(10)), t(12)),
        Freshness::Fresh
    );
}

#[test]
fn a_failed_fetch_keeps_the_data_and_shows_it_stale_with_the_error() {
    let mut f = fetched_once();
    f.apply(health_fetch(
        "us-east-1",
        t(25),
        Err("Throttling: Rate exceeded"),
    ));
    assert_eq!(
        f.services[0].regions[0].health.as_ref().unwrap().fetched_at,
        t(10)
    );
    assert_eq!(f.sources[&east()].failures, 1);
    assert_eq!(f.sources[&east()].calls, 6);
    assert_eq!(
        f.freshness(SourceKind::Health, "alpha", "us-east-1", Some(t(10)), t(40)),
        Freshness::Stale {
            age: Duration::from_secs(30),
            error: Some("Throttling: Rate exceeded".into())
        }
    );
}

#[test]
fn never_fetched_and_failing_is_missing_with_the_reason() {
    let mut f = two_services();
    f.apply(health_fetch("eu-west-1", t(25), Err("denied")));
    assert_eq!(
        f.freshness(SourceKind::Health, "beta", "eu-west-1", None, t(40)),
        Freshness::Missing {
            error: Some("denied".into())
        }
    );
}

#[test]
fn a_success_clears_the_error_and_the_failure_count() {
    let mut f = fetched_once();
    f.apply(health_fetch("us-east-1", t(25), Err("Throttling")));
    f.apply(health_fetch(
        "us-east-1",
        t(50),
        Ok(vec![("alpha", HealthStatus::Healthy)]),
    ));
    assert_eq!(f.sources[&east()].failures, 0);
    assert!(f.sources[&east()].error.is_none());
}

#[test]
fn old_data_goes_stale_without_an_error() {
    let mut f = two_services();
    f.apply(health_fetch(
        "us-east-1",
        t(0),
        Ok(vec![("alpha", HealthStatus::Healthy)]),
    ));
    // Interval 15 s, timeout 5 s: stale after 2 × 15 + 5 = 35 s.
    let at = |now| f.freshness(SourceKind::Health, "alpha", "us-east-1", Some(t(0)), t(now));
    assert_eq!(at(35), Freshness::Fresh);
    assert_eq!(
        at(36),
        Freshness::Stale {
            age: Duration::from_secs(36),
            error: None
        }
    );
}

#[test]
fn data_for_unknown_services_or_regions_is_ignored() {
    let mut f = two_services();
    let before = f.services.clone();
    f.apply(health_fetch(
        "us-east-1",
        t(0),
        Ok(vec![("nobody", HealthStatus::Healthy)]),
    ));
    f.apply(health_fetch(
        "ap-south-1",
        t(0),
        Ok(vec![("alpha", HealthStatus::Healthy)]),
    ));
    assert_eq!(f.services, before);
}
