//! `dns_disagrees`: DNS answers with another region than the health model predicts, for longer
//! than the answer's TTL plus one DNS refresh (resolvers may hold the old answer for the TTL;
//! Route 53 Developer Guide, "Choosing between alias and non-alias records": an alias record
//! answers with its target's TTL). The disagreement's start is kept by `Fleet::apply`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::source::{Entry, Fetched, Payload, SourceKey, SourceKind};

fn dns_fetch(region: Option<&str>, at: i64) -> Fetched {
    Fetched {
        key: SourceKey::new(SourceKind::Dns, "global"),
        at: t(at),
        calls: 1,
        route53_calls: 0,
        result: Ok(Payload::Dns(vec![Entry {
            service: "svc".into(),
            region: "global".into(),
            value: DnsTruth {
                name: "svc.example".into(),
                answer_region: region.map(str::to_string),
                answers: Vec::new(),
                ttl_s: Some(60),
                nameserver: Some("ns-1".into()),
                checked_at: t(at),
                note: None,
                error: None,
                resolvers: Vec::new(),
            },
        }])),
        partial: None,
    }
}

fn healthy_pair() -> Fleet {
    let mut s = svc(&["us-east-1", "us-west-2"]);
    s.regions[0].health = stamped(base_check());
    s.regions[1].health = stamped(base_check());
    fleet_with(s)
}

fn disagrees(fleet: &Fleet, now: i64) -> bool {
    findings(fleet, &fleet.services[0], t(now))
        .iter()
        .any(|f| f.code == FindingCode::DnsDisagrees && f.severity == Severity::Critical)
}

#[test]
fn dns_disagreeing_longer_than_ttl_plus_refresh_is_critical() {
    let mut fleet = healthy_pair();
    // The health model predicts the primary; DNS answers the secondary from t = 0.
    fleet.apply(dns_fetch(Some("us-west-2"), 0));
    assert_eq!(fleet.services[0].dns_disagrees_since, Some(t(0)));
    // TTL 60 s + one refresh (15 s without a DNS source: the default) = 75 s allowed.
    for (now, want) in [(0, false), (75, false), (76, true), (600, true)] {
        assert_eq!(disagrees(&fleet, now), want, "at {now}");
    }
    // A later answer that still disagrees keeps the start.
    fleet.apply(dns_fetch(Some("us-west-2"), 30));
    assert_eq!(fleet.services[0].dns_disagrees_since, Some(t(0)));
    // Agreement clears it; unknown answers never disagree.
    fleet.apply(dns_fetch(Some("us-east-1"), 90));
    assert_eq!(fleet.services[0].dns_disagrees_since, None);
    assert!(!disagrees(&fleet, 600));
    fleet.apply(dns_fetch(None, 100));
    assert_eq!(fleet.services[0].dns_disagrees_since, None);
}

#[test]
fn a_failover_gives_dns_the_ttl_to_follow() {
    let mut fleet = healthy_pair();
    fleet.apply(dns_fetch(Some("us-east-1"), 0));
    assert_eq!(fleet.services[0].dns_disagrees_since, None);
    // The primary's check is inverted at t = 100: the model predicts us-west-2 from then.
    let mut inverted = base_check();
    inverted.inverted = true;
    fleet.apply(Fetched {
        key: SourceKey::new(SourceKind::Health, "us-east-1"),
        at: t(100),
        calls: 2,
        route53_calls: 2,
        result: Ok(Payload::Health(vec![Entry {
            service: "svc".into(),
            region: "us-east-1".into(),
            value: inverted,
        }])),
        partial: None,
    });
    assert_eq!(fleet.services[0].dns_disagrees_since, Some(t(100)));
    assert!(!disagrees(&fleet, 170), "within the TTL plus a refresh");
    assert!(disagrees(&fleet, 176));
    // DNS follows: no finding.
    fleet.apply(dns_fetch(Some("us-west-2"), 120));
    assert!(!disagrees(&fleet, 600));
}
