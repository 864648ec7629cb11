//! DNS truth: what the hosted zone's authoritative name servers answer for a service's shared
//! name, and which region that answer leads to. Route 53 answers from its data plane, so this
//! stays observable when the Route 53 API (the control plane, in us-east-1) is down.

use super::Timestamp;
use std::net::IpAddr;

/// One record of an answer, as the console needs it to tell the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsData {
    /// A CNAME to this host name (no trailing dot).
    Cname(String),
    /// An A or AAAA address (an alias record answers with the target's addresses).
    Addr(IpAddr),
}

impl DnsData {
    /// As shown and in the JSON `answers[]`: "CNAME host", "A 192.0.2.1", "AAAA 2001:db8::1".
    pub fn label(&self) -> String {
        match self {
            DnsData::Cname(host) => format!("CNAME {host}"),
            DnsData::Addr(IpAddr::V4(a)) => format!("A {a}"),
            DnsData::Addr(IpAddr::V6(a)) => format!("AAAA {a}"),
        }
    }
}

/// A region's regional targets: the names the shared name's failover record may point at
/// (the service's regional host name, the API Gateway domain's regional target) and, for
/// answers that are addresses, what those names resolved to at the same moment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegionTargets {
    pub region: String,
    pub names: Vec<String>,
    pub addrs: Vec<IpAddr>,
}

/// What the authoritative name servers answered for one service's shared name.
#[derive(Debug, Clone, PartialEq)]
pub struct DnsTruth {
    /// The name asked (the service's `domain`).
    pub name: String,
    /// The region the answer leads to; `None` with `note` or `error` saying why.
    pub answer_region: Option<String>,
    pub answers: Vec<DnsData>,
    /// The smallest TTL in the answer (an alias record takes its target's TTL: Route 53
    /// Developer Guide, "Choosing between alias and non-alias records").
    pub ttl_s: Option<u32>,
    /// The name server that answered (or was asked last, when none did).
    pub nameserver: Option<String>,
    pub checked_at: Timestamp,
    /// Why there is no region although a server answered ("no such name (NXDOMAIN)", "the
    /// addresses match no region's target").
    pub note: Option<String>,
    /// No server answered: what went wrong.
    pub error: Option<String>,
    /// What the recursive resolvers of `[dns] resolvers` answer (empty when none are set).
    pub resolvers: Vec<ResolverAnswer>,
}

/// One recursive resolver's answer for the shared name: what the users behind it are sent to,
/// until the TTL it still holds runs out.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolverAnswer {
    pub resolver: String,
    pub answer_region: Option<String>,
    /// The TTL left on the answer in the resolver's cache.
    pub ttl_s: Option<u32>,
    pub error: Option<String>,
}

/// How far the resolvers have followed the authoritative answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Convergence {
    /// Resolvers that answered.
    pub answered: usize,
    /// Of those, the ones still answering another region than the name servers.
    pub behind: usize,
    /// The longest TTL left among those behind: when the last of them follows, at the latest.
    pub longest_ttl_s: Option<u32>,
}

impl DnsTruth {
    /// A truth with an error and nothing else (no server answered).
    pub fn failed(name: &str, nameserver: Option<String>, at: Timestamp, error: String) -> Self {
        DnsTruth {
            name: name.to_string(),
            answer_region: None,
            answers: Vec::new(),
            ttl_s: None,
            nameserver,
            checked_at: at,
            note: None,
            error: Some(error),
            resolvers: Vec::new(),
        }
    }

    /// How far the resolvers follow the authoritative answer: `None` without resolvers or
    /// without an authoritative region to compare with.
    pub fn convergence(&self) -> Option<Convergence> {
        let region = self.answer_region.as_deref()?;
        let answered: Vec<&ResolverAnswer> = self
            .resolvers
            .iter()
            .filter(|r| r.error.is_none())
            .collect();
        if self.resolvers.is_empty() {
            return None;
        }
        let behind: Vec<&&ResolverAnswer> = answered
            .iter()
            .filter(|r| r.answer_region.as_deref() != Some(region))
            .collect();
        Some(Convergence {
            answered: answered.len(),
            behind: behind.len(),
            longest_ttl_s: behind.iter().filter_map(|r| r.ttl_s).max(),
        })
    }

    /// The resolvers in a line: "3 resolvers answer us-west-2", "converging: 1 of 3 still
    /// answer us-east-1, ≤ 45 s", or `None` without resolvers.
    pub fn resolvers_summary(&self) -> Option<String> {
        let c = self.convergence()?;
        let asked = self.resolvers.len();
        let silent = asked - c.answered;
        let silent = if silent > 0 {
            format!(" ({silent} did not answer)")
        } else {
            String::new()
        };
        let region = self.answer_region.as_deref().unwrap_or("?");
        if c.behind == 0 {
            return Some(format!(
                "{} of {asked} resolvers answer {region}{silent}",
                c.answered
            ));
        }
        let old: std::collections::BTreeSet<&str> = self
            .resolvers
            .iter()
            .filter(|r| r.error.is_none() && r.answer_region.as_deref() != Some(region))
            .map(|r| r.answer_region.as_deref().unwrap_or("no region"))
            .collect();
        Some(format!(
            "converging: {} of {asked} resolvers still answer {}{}{silent}",
            c.behind,
            old.into_iter().collect::<Vec<_>>().join(", "),
            c.longest_ttl_s
                .map(|t| format!(", ≤ {t} s"))
                .unwrap_or_default()
        ))
    }

    /// One line for the console: "us-west-2 ttl 60s (ns-1.awsdns-sim)", or why not.
    pub fn summary(&self) -> String {
        if let Some(error) = &self.error {
            return format!("unanswered: {error}");
        }
        let ttl = self.ttl_s.map(|t| format!(" ttl {t}s")).unwrap_or_default();
        match (&self.answer_region, &self.note) {
            (Some(region), _) => format!("{region}{ttl}"),
            (None, Some(note)) => format!("? {note}{ttl}"),
            (None, None) => format!("?{ttl}"),
        }
    }
}

fn same_host(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// The region an answer leads to, or why it cannot be told. The rule, in order:
/// 1. a CNAME (any in the chain, first first) equal to a region's target name → that region;
///    else one whose labels contain exactly one region's name (`d-x.execute-api.us-west-2.
///    amazonaws.com`) → that region;
/// 2. the answer's addresses → the one region whose targets resolved to any of them now;
/// 3. anything else is unknown, with the reason.
pub fn answer_region(answers: &[DnsData], targets: &[RegionTargets]) -> Result<String, String> {
    if answers.is_empty() {
        return Err("no records for the name".into());
    }
    let cnames: Vec<&str> = answers
        .iter()
        .filter_map(|a| match a {
            DnsData::Cname(h) => Some(h.as_str()),
            DnsData::Addr(_) => None,
        })
        .collect();
    for cname in &cnames {
        if let Some(t) = targets
            .iter()
            .find(|t| t.names.iter().any(|n| same_host(n, cname)))
        {
            return Ok(t.region.clone());
        }
    }
    for cname in &cnames {
        let labelled = format!(".{}.", cname.trim_end_matches('.').to_ascii_lowercase());
        let mut hits = targets
            .iter()
            .filter(|t| labelled.contains(&format!(".{}.", t.region)));
        if let (Some(t), None) = (hits.next(), hits.next()) {
            return Ok(t.region.clone());
        }
    }
    let addrs: Vec<IpAddr> = answers
        .iter()
        .filter_map(|a| match a {
            DnsData::Addr(ip) => Some(*ip),
            DnsData::Cname(_) => None,
        })
        .collect();
    if addrs.is_empty() {
        return Err(format!(
            "CNAME {} is no region's target",
            cnames.last().copied().unwrap_or_default()
        ));
    }
    let matching: Vec<&RegionTargets> = targets
        .iter()
        .filter(|t| t.addrs.iter().any(|a| addrs.contains(a)))
        .collect();
    match matching.as_slice() {
        [one] => Ok(one.region.clone()),
        [] if targets.iter().all(|t| t.addrs.is_empty()) => {
            Err("no region's target could be resolved to compare the addresses".into())
        }
        [] => Err("the addresses match no region's target".into()),
        several => Err(format!(
            "the addresses match several regions ({})",
            several
                .iter()
                .map(|t| t.region.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Whether DNS has disagreed with the health model for too long: longer than the record's TTL
/// (resolvers may keep the old answer that long) plus one DNS refresh (the disagreement is
/// seen at most that late). Disagreeing since `since`; without a TTL, the refresh alone.
pub fn dns_disagreement_overdue(
    since: Timestamp,
    now: Timestamp,
    ttl_s: Option<u32>,
    refresh: std::time::Duration,
) -> bool {
    let allowed = i64::from(ttl_s.unwrap_or(0)) * 1000
        + i64::try_from(refresh.as_millis()).unwrap_or(i64::MAX);
    (now - since).num_milliseconds() > allowed
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::time::Duration;

    fn targets() -> Vec<RegionTargets> {
        vec![
            RegionTargets {
                region: "us-east-1".into(),
                names: vec![
                    "us-east-1.api.example.com".into(),
                    "d-east.execute-api.us-east-1.amazonaws.com".into(),
                ],
                addrs: vec!["192.0.2.1".parse().unwrap()],
            },
            RegionTargets {
                region: "us-west-2".into(),
                names: vec!["us-west-2.api.example.com".into()],
                addrs: vec!["192.0.2.2".parse().unwrap(), "2001:db8::2".parse().unwrap()],
            },
        ]
    }

    #[test]
    fn answer_region_table() {
        let cname = |h: &str| DnsData::Cname(h.into());
        let addr = |a: &str| DnsData::Addr(a.parse().unwrap());
        let cases: Vec<(Vec<DnsData>, Result<&str, &str>)> = vec![
            (vec![cname("us-west-2.api.example.com.")], Ok("us-west-2")),
            (vec![cname("US-EAST-1.api.example.com")], Ok("us-east-1")),
            // An unknown API Gateway target still names its region.
            (
                vec![cname("d-new.execute-api.us-west-2.amazonaws.com")],
                Ok("us-west-2"),
            ),
            // A chain: the first CNAME that is a target decides.
            (
                vec![
                    cname("edge.example.net"),
                    cname("us-east-1.api.example.com"),
                    addr("192.0.2.1"),
                ],
                Ok("us-east-1"),
            ),
            (vec![addr("192.0.2.2")], Ok("us-west-2")),
            (vec![addr("2001:db8::2")], Ok("us-west-2")),
            (vec![addr("192.0.2.1"), addr("192.0.2.9")], Ok("us-east-1")),
            (vec![], Err("no records for the name")),
            (
                vec![cname("elsewhere.example.net")],
                Err("CNAME elsewhere.example.net is no region's target"),
            ),
            (
                vec![addr("198.51.100.7")],
                Err("the addresses match no region's target"),
            ),
            (
                vec![addr("192.0.2.1"), addr("192.0.2.2")],
                Err("the addresses match several regions (us-east-1, us-west-2)"),
            ),
        ];
        for (answers, want) in cases {
            let got = answer_region(&answers, &targets());
            assert_eq!(got.as_deref().map_err(String::as_str), want, "{answers:?}");
        }
        let unresolved: Vec<RegionTargets> = targets()
            .into_iter()
            .map(|t| RegionTargets {
                addrs: Vec::new(),
                ..t
            })
            .collect();
        assert_eq!(
            answer_region(&[addr("192.0.2.2")], &unresolved),
            Err("no region's target could be resolved to compare the addresses".into())
        );
    }

    #[test]
    fn disagreement_is_overdue_after_ttl_plus_one_refresh() {
        let t = |s: i64| chrono::DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap();
        let refresh = Duration::from_secs(15);
        for (since, now, ttl, overdue) in [
            (0, 0, Some(60), false),
            (0, 75, Some(60), false),
            (0, 76, Some(60), true),
            (0, 15, None, false),
            (0, 16, None, true),
            (10, 80, Some(60), false),
            (0, 3600, Some(300), true),
        ] {
            assert_eq!(
                dns_disagreement_overdue(t(since), t(now), ttl, refresh),
                overdue,
                "since {since} now {now} ttl {ttl:?}"
            );
        }
    }

    /// How far resolvers have followed: (authoritative region, resolvers as (region, ttl) or
    /// silent) → the summary line.
    #[test]
    fn convergence_table() {
        let resolver = |r: Option<(&str, u32)>| ResolverAnswer {
            resolver: "r".into(),
            answer_region: r.map(|(region, _)| region.to_string()),
            ttl_s: r.map(|(_, ttl)| ttl),
            error: r.is_none().then(|| "no answer within 2s".to_string()),
        };
        type Row<'a> = (
            Option<&'a str>,
            Vec<Option<(&'a str, u32)>>,
            Option<&'a str>,
        );
        let rows: [Row; 5] = [
            (Some("us-west-2"), vec![], None),
            (None, vec![Some(("us-east-1", 30))], None),
            (
                Some("us-west-2"),
                vec![Some(("us-west-2", 60)), Some(("us-west-2", 12))],
                Some("2 of 2 resolvers answer us-west-2"),
            ),
            (
                Some("us-west-2"),
                vec![
                    Some(("us-east-1", 30)),
                    Some(("us-east-1", 45)),
                    Some(("us-west-2", 60)),
                ],
                Some("converging: 2 of 3 resolvers still answer us-east-1, ≤ 45 s"),
            ),
            (
                Some("us-west-2"),
                vec![None, Some(("us-west-2", 60))],
                Some("1 of 2 resolvers answer us-west-2 (1 did not answer)"),
            ),
        ];
        for (region, resolvers, want) in rows {
            let mut truth =
                DnsTruth::failed("api.example.com", None, Timestamp::default(), String::new());
            truth.error = None;
            truth.answer_region = region.map(str::to_string);
            truth.resolvers = resolvers.iter().copied().map(resolver).collect();
            assert_eq!(
                truth.resolvers_summary().as_deref(),
                want,
                "{region:?} {resolvers:?}"
            );
        }
    }
}
