#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `dns` source against a real authoritative DNS server (hickory-server, in-process on
//! 127.0.0.1, `dns_support`): no mock of the resolver. What it checks is DNS as documented:
//! Route 53 answers a failover alias or CNAME record with the record of the region it serves;
//! an alias record answers with its target's addresses and TTL (Route 53 Developer Guide,
//! "Choosing between alias and non-alias records"); a zone's authoritative name servers are its
//! delegation set (Route 53 API reference, GetHostedZone) and are asked directly, without
//! recursion; a name that does not exist is NXDOMAIN (RFC 1035 4.1.1, RCODE 3), an answer, not
//! a failure; an answer larger than a UDP message is truncated (TC bit) and asked again over
//! TCP (RFC 7766 / RFC 1035 4.2.1).

mod dns_support;

use dns_support::{DnsServer, Silent, a, cname};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use switchyard::model::DnsData;
use switchyard::source::dns::{DnsQuestion, NameServer, ask, ask_all};

const EAST_TARGET: &str = "d-east12345.execute-api.us-east-1.amazonaws.com";
const WEST_TARGET: &str = "d-west12345.execute-api.us-west-2.amazonaws.com";

fn now() -> switchyard::model::Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn ns(label: &str, addr: SocketAddr) -> NameServer {
    NameServer {
        label: label.into(),
        addr,
    }
}

/// The service `api` at `api.example.com`, regional names `{region}.api.example.com`.
fn question(service: &str, domain: &str, servers: Vec<NameServer>) -> DnsQuestion {
    DnsQuestion {
        service: service.into(),
        name: domain.into(),
        nameservers: Ok(servers),
        resolvers: Vec::new(),
        targets: ["us-east-1", "us-west-2"]
            .iter()
            .map(|r| {
                let names = vec![
                    format!("{r}.{domain}"),
                    if *r == "us-east-1" {
                        EAST_TARGET.into()
                    } else {
                        WEST_TARGET.into()
                    },
                ];
                (r.to_string(), names)
            })
            .collect(),
    }
}

#[tokio::test]
async fn a_cname_to_each_regions_target_answers_that_region() {
    for (target, region) in [
        (EAST_TARGET, "us-east-1"),
        (WEST_TARGET, "us-west-2"),
        ("us-west-2.api.example.com", "us-west-2"),
    ] {
        let server =
            DnsServer::start("example.com", vec![cname("api.example.com", 60, target)]).await;
        let truth = ask(
            &question("api", "api.example.com", vec![ns("ns-a", server.addr)]),
            now(),
        )
        .await;
        assert_eq!(truth.answer_region.as_deref(), Some(region), "{truth:?}");
        assert_eq!(truth.answers.first(), Some(&DnsData::Cname(target.into())));
        assert_eq!(truth.ttl_s, Some(60));
        assert_eq!(truth.nameserver.as_deref(), Some("ns-a"));
        assert_eq!(truth.checked_at, now());
        assert_eq!(truth.error, None);
        server.stop().await;
    }
}

#[tokio::test]
async fn an_address_answer_is_compared_with_each_regions_target_resolved_now() {
    // An alias record answers with its target's addresses: compare them with what each
    // region's regional name resolves to at the same moment.
    let server = DnsServer::start(
        "example.com",
        vec![
            a("api.example.com", 45, Ipv4Addr::new(192, 0, 2, 20)),
            a(
                "us-east-1.api.example.com",
                300,
                Ipv4Addr::new(192, 0, 2, 10),
            ),
            a(
                "us-west-2.api.example.com",
                300,
                Ipv4Addr::new(192, 0, 2, 20),
            ),
        ],
    )
    .await;
    let truth = ask(
        &question("api", "api.example.com", vec![ns("ns-a", server.addr)]),
        now(),
    )
    .await;
    assert_eq!(
        truth.answer_region.as_deref(),
        Some("us-west-2"),
        "{truth:?}"
    );
    assert_eq!(
        truth.answers,
        [DnsData::Addr(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 20)))]
    );
    assert_eq!(truth.ttl_s, Some(45));
    server.stop().await;
}

#[tokio::test]
async fn a_silent_name_server_is_passed_over_for_the_next() {
    let silent = Silent::bind();
    let server = DnsServer::start(
        "example.com",
        vec![cname("api.example.com", 60, WEST_TARGET)],
    )
    .await;
    let started = std::time::Instant::now();
    let truth = ask(
        &question(
            "api",
            "api.example.com",
            vec![ns("ns-silent", silent.addr), ns("ns-b", server.addr)],
        ),
        now(),
    )
    .await;
    assert_eq!(
        truth.answer_region.as_deref(),
        Some("us-west-2"),
        "{truth:?}"
    );
    assert_eq!(truth.nameserver.as_deref(), Some("ns-b"));
    assert_eq!(truth.error, None);
    eprintln!("silent server passed over after {:?}", started.elapsed());
    server.stop().await;
}

#[tokio::test]
async fn all_silent_fails_that_service_while_another_is_answered() {
    let silent = [Silent::bind(), Silent::bind()];
    let server = DnsServer::start(
        "example.org",
        vec![cname("shop.example.org", 60, EAST_TARGET)],
    )
    .await;
    let entries = ask_all(
        &[
            question(
                "api",
                "api.example.com",
                silent
                    .iter()
                    .enumerate()
                    .map(|(i, s)| ns(&format!("ns-silent-{i}"), s.addr))
                    .collect(),
            ),
            question("shop", "shop.example.org", vec![ns("ns-shop", server.addr)]),
        ],
        "global",
        now(),
    )
    .await;
    let api = &entries.iter().find(|e| e.service == "api").unwrap().value;
    assert_eq!(api.answer_region, None);
    let error = api.error.as_deref().unwrap();
    assert!(error.contains("no name server answered"), "{error}");
    assert!(
        error.contains("ns-silent-0") && error.contains("ns-silent-1"),
        "{error}"
    );
    let shop = &entries.iter().find(|e| e.service == "shop").unwrap().value;
    assert_eq!(shop.answer_region.as_deref(), Some("us-east-1"), "{shop:?}");
    assert_eq!(shop.error, None);
    server.stop().await;
}

#[tokio::test]
async fn nxdomain_is_an_answer_not_a_failure() {
    let server = DnsServer::start(
        "example.com",
        vec![cname("other.example.com", 60, WEST_TARGET)],
    )
    .await;
    let truth = ask(
        &question("api", "api.example.com", vec![ns("ns-a", server.addr)]),
        now(),
    )
    .await;
    assert_eq!(truth.error, None, "{truth:?}");
    assert_eq!(truth.answer_region, None);
    assert_eq!(truth.note.as_deref(), Some("no such name (NXDOMAIN)"));
    assert_eq!(truth.nameserver.as_deref(), Some("ns-a"));
    server.stop().await;
}

#[tokio::test]
async fn a_truncated_udp_answer_is_asked_again_over_tcp() {
    // 150 addresses (~2.4 kB) do not fit the 1232-byte EDNS UDP payload: the server sets TC.
    let mut records: Vec<_> = (0..150u8)
        .map(|i| a("api.example.com", 60, Ipv4Addr::new(198, 51, 100, i)))
        .collect();
    records.push(a(
        "us-east-1.api.example.com",
        60,
        Ipv4Addr::new(198, 51, 100, 149),
    ));
    records.push(a(
        "us-west-2.api.example.com",
        60,
        Ipv4Addr::new(203, 0, 113, 1),
    ));
    let server = DnsServer::start("example.com", records).await;
    let truth = ask(
        &question("api", "api.example.com", vec![ns("ns-a", server.addr)]),
        now(),
    )
    .await;
    assert_eq!(truth.error, None, "{truth:?}");
    assert_eq!(truth.answers.len(), 150, "the full answer came over TCP");
    assert_eq!(truth.answer_region.as_deref(), Some("us-east-1"));
    server.stop().await;
}

/// The whole source through the backend: `[dns] nameservers` from the config (no Route 53 call),
/// one entry per service, scheduled as `dns@global` at `[refresh] dns`.
#[tokio::test]
async fn the_aws_backend_asks_the_configured_name_servers() {
    use switchyard::source::{Payload, SourceKey, SourceKind};
    let server = DnsServer::start(
        "example.com",
        vec![cname("api.example.com", 30, WEST_TARGET)],
    )
    .await;
    let silent = Silent::bind();
    let toml = format!(
        r#"
[refresh]
dns = "7s"
[dns]
nameservers = ["{}", "{}"]
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "Z0123456789ABC"
regions = ["us-east-1", "us-west-2"]
functions = ["api"]
"#,
        silent.addr, server.addr
    );
    let backend = aws_backend(&toml);
    let spec = backend
        .schedule()
        .into_iter()
        .find(|s| s.key.kind == SourceKind::Dns)
        .unwrap();
    assert_eq!(spec.key, SourceKey::new(SourceKind::Dns, "global"));
    assert_eq!(spec.interval, std::time::Duration::from_secs(7));
    let fetched = backend.fetch(&spec.key, now()).await;
    assert_eq!(
        fetched.route53_calls, 0,
        "configured name servers need no Route 53 call"
    );
    let Ok(Payload::Dns(entries)) = fetched.result else {
        panic!("{:?}", fetched.result);
    };
    assert_eq!(entries.len(), 1);
    let truth = &entries[0].value;
    assert_eq!(
        truth.answer_region.as_deref(),
        Some("us-west-2"),
        "{truth:?}"
    );
    assert_eq!(truth.ttl_s, Some(30));
    assert_eq!(truth.nameserver, Some(server.addr.to_string()));
    // The same answer through the backend's one-service path (verification uses it).
    let again = backend.dns_truth("api", now()).await.unwrap();
    assert_eq!(again.answer_region.as_deref(), Some("us-west-2"));
    server.stop().await;
}

/// `[dns] resolvers`: each recursive resolver is asked too (recursion desired), and the console
/// says how many still answer the old region and the longest TTL they may keep it for (a
/// resolver keeps an answer for its TTL: Route 53 Developer Guide, "Choosing between alias and
/// non-alias records", on TTLs). Two hickory servers stand in for resolvers' caches: one still
/// holds the old answer (us-east-1, 45 s left), one has the new; a third never answers.
#[tokio::test]
async fn resolvers_show_how_far_the_change_has_spread() {
    use switchyard::source::{Payload, SourceKey, SourceKind};
    let authoritative = DnsServer::start(
        "example.com",
        vec![cname("api.example.com", 60, WEST_TARGET)],
    )
    .await;
    let behind = DnsServer::start(
        "example.com",
        vec![cname("api.example.com", 45, EAST_TARGET)],
    )
    .await;
    let caught_up = DnsServer::start(
        "example.com",
        vec![cname("api.example.com", 58, WEST_TARGET)],
    )
    .await;
    let silent = Silent::bind();
    let toml = format!(
        r#"
[dns]
nameservers = ["{}"]
resolvers = ["{}", "{}", "{}"]
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "Z0123456789ABC"
regions = ["us-east-1", "us-west-2"]
functions = ["api"]
"#,
        authoritative.addr, behind.addr, caught_up.addr, silent.addr
    );
    let backend = aws_backend(&toml);
    let fetched = backend
        .fetch(&SourceKey::new(SourceKind::Dns, "global"), now())
        .await;
    let Ok(Payload::Dns(entries)) = fetched.result else {
        panic!("{:?}", fetched.result);
    };
    let truth = &entries[0].value;
    assert_eq!(
        truth.answer_region.as_deref(),
        Some("us-west-2"),
        "{truth:?}"
    );
    assert_eq!(truth.resolvers.len(), 3, "{truth:?}");
    let by = |addr: SocketAddr| {
        truth
            .resolvers
            .iter()
            .find(|r| r.resolver == addr.to_string())
            .unwrap()
    };
    assert_eq!(by(behind.addr).answer_region.as_deref(), Some("us-east-1"));
    assert_eq!(by(behind.addr).ttl_s, Some(45));
    assert_eq!(
        by(caught_up.addr).answer_region.as_deref(),
        Some("us-west-2")
    );
    assert!(by(silent.addr).error.is_some(), "{truth:?}");
    let c = truth.convergence().unwrap();
    assert_eq!((c.answered, c.behind, c.longest_ttl_s), (2, 1, Some(45)));
    assert_eq!(
        truth.resolvers_summary().as_deref(),
        Some("converging: 1 of 3 resolvers still answer us-east-1, ≤ 45 s (1 did not answer)")
    );
    for s in [authoritative, behind, caught_up] {
        s.stop().await;
    }
}

/// The AWS backend over a config (no credentials needed: the `dns` source with `[dns]
/// nameservers` makes no AWS call).
fn aws_backend(toml: &str) -> switchyard::source::Backend {
    use aws_config::{BehaviorVersion, Region, SdkConfig};
    let config = switchyard::config::Config::parse(toml, std::path::Path::new("t.toml")).unwrap();
    let sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .build();
    switchyard::source::Backend::Aws(switchyard::source::aws::AwsBackend::with_sdk_config(
        config, &sdk,
    ))
}
