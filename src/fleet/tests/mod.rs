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

fn listing(region: &str, ids: &[&str], at: Timestamp, ok: bool) -> Fetched {
    use super::testing::version;
    Fetched {
        key: SourceKey::new(SourceKind::Replication, region),
        at,
        calls: 1,
        route53_calls: 0,
        partial: None,
        result: if ok {
            Ok(Payload::Replication(
                vec![Entry {
                    service: "alpha".into(),
                    region: region.into(),
                    value: ids.iter().map(|id| version(id, 0, None, None)).collect(),
                }],
                Vec::new(),
            ))
        } else {
            Err(SourceError::new(ErrorKind::Throttled, "Throttling"))
        },
    }
}

/// The console's sightings of object versions: what its first listing has arrived at an
/// unknown time; a later arrival lies between the listing before and the one that has it; a
/// failed fetch is no observation; a version no longer listed is forgotten.
#[test]
fn sightings_are_kept_across_fetches() {
    let mut f = two_services();
    f.apply(listing("us-west-2", &["v1"], t(10), true));
    f.apply(listing("us-west-2", &["v1"], t(40), true));
    f.apply(listing("us-west-2", &["v1"], t(70), false));
    f.apply(listing("us-west-2", &["v2", "v1"], t(100), true));
    f.apply(listing("us-west-2", &["v3", "v2"], t(130), true));
    let sightings = &f.services[0].regions[1].sightings;
    let got: Vec<(&str, Sighting)> = sightings.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        got,
        vec![
            (
                "v2",
                Sighting {
                    first_seen: t(100),
                    absent_at: Some(t(40))
                }
            ),
            (
                "v3",
                Sighting {
                    first_seen: t(130),
                    absent_at: Some(t(100))
                }
            ),
        ]
    );
}

#[test]
fn a_version_in_the_first_listing_arrived_at_an_unknown_time() {
    let mut f = two_services();
    f.apply(listing("us-west-2", &["v1"], t(10), true));
    assert_eq!(
        f.services[0].regions[1].sightings.get("v1"),
        Some(&Sighting {
            first_seen: t(10),
            absent_at: None
        })
    );
}
