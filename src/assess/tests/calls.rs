//! API calls and their rates, from each source's last fetch.

use super::*;
use crate::source::{SourceKey, SourceKind, SourceSpec};
use std::time::Duration;

/// Route 53 calls of a refresh: the health source's and each domains source's last fetch, each
/// at its own interval; sources that made none add nothing.
#[test]
fn route53_calls_of_a_refresh_add_up_every_source_at_its_interval() {
    let spec = |kind, region: &str, secs| SourceSpec {
        key: SourceKey::new(kind, region),
        interval: Duration::from_secs(secs),
        timeout: Duration::from_secs(5),
        covers: Vec::new(),
    };
    let schedule = [
        spec(SourceKind::Health, "us-east-1", 30),
        spec(SourceKind::Domains, "us-east-1", 60),
        spec(SourceKind::Lambda, "us-east-1", 30),
    ];
    let mut fleet = Fleet::new(Vec::new(), &schedule, Default::default());
    for (kind, route53, calls) in [
        (SourceKind::Health, 6, 8),
        (SourceKind::Domains, 1, 5),
        (SourceKind::Lambda, 0, 4),
    ] {
        fleet.apply(crate::source::Fetched {
            key: SourceKey::new(kind, "us-east-1"),
            at: t(0),
            calls,
            route53_calls: route53,
            result: Err(crate::source::SourceError::new(
                crate::source::ErrorKind::Other,
                "failed: the calls still count",
            )),
            partial: None,
        });
    }
    let (per_refresh, per_hour) = route53_calls(&fleet);
    assert_eq!(per_refresh, 7);
    // 6 every 30 s and 1 every 60 s.
    assert_eq!(per_hour, 6.0 * 120.0 + 60.0);
}
