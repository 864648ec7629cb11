#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The fetch path's economy of calls, over `aws-smithy-mocks` (counting each API's calls with a
//! rule's `num_calls()` needs the mocks; moto counts nothing): each hosted zone's records read
//! once for all the sources of a refresh, health check configurations read with the fewest
//! Route 53 calls, and the Route 53 calls of a fetch counted apart. (The same zone read against
//! moto, with a real fleet in one zone, is in `tests/moto_fetch_path.rs`.)
//!
//! Route 53 limits its API for the whole account: all calls together 10 a second, burst 50
//! (Route 53 Developer Guide, "Throttling of API requests"). That is why these counts matter.

mod aws_mocks_support;

use aws_mocks_support::route53_fleet::{
    EAST, WEST, all_check_ids, check_id, fleet_records, get_health_check_rule, health_check,
    list_health_checks_rule, status_rule, target, zone_rule,
};
use aws_mocks_support::{backend, fake_cloudwatch, mocked, now, unused_control};
use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput;
use aws_smithy_mocks::{Rule, RuleMode, mock};
use futures::future::join_all;
use switchyard::model::DomainInfo;
use switchyard::source::aws::{AwsBackend, RegionClients, Tally};
use switchyard::source::{Entry, Payload, SourceError, SourceKey, SourceKind};

/// `services` services named s0, s1, … in both regions, all in the hosted zone ZFLEET, their
/// health checks found from the zone's failover records; refresh intervals of an hour, so that
/// one zone read serves the whole test (the reuse window is half the shortest of them).
fn fleet_toml(services: usize) -> String {
    let mut toml = String::from("[refresh]\nhealth = \"1h\"\ndomains = \"1h\"\n");
    for i in 0..services {
        toml.push_str(&format!(
            "\n[[service]]\nname = \"s{i}\"\ndomain = \"s{i}.example.com\"\n\
             hosted_zone_id = \"ZFLEET\"\nregions = [\"{EAST}\", \"{WEST}\"]\n\
             functions = [\"s{i}-fn\"]\n"
        ));
    }
    toml
}

/// API Gateway answering one custom domain, s0's shared name (v1, no mappings), so a domains
/// fetch reads the listings, that domain's mappings and the zone.
fn one_domain(region: &'static str) -> RegionClients {
    use aws_sdk_apigateway::types::DomainName;
    let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names).then_output(move || {
        aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesOutput::builder()
            .items(
                DomainName::builder()
                    .domain_name("s0.example.com")
                    .regional_domain_name(target(0, region))
                    .build(),
            )
            .build()
    });
    let mappings = mock!(aws_sdk_apigateway::Client::get_base_path_mappings).then_output(|| {
        aws_sdk_apigateway::operation::get_base_path_mappings::GetBasePathMappingsOutput::builder()
            .build()
    });
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_output(|| {
        aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesOutput::builder().build()
    });
    RegionClients {
        apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&v1, &mappings]),
        apigatewayv2: mocked!(aws_sdk_apigatewayv2, RuleMode::MatchAny, [&v2]),
        ..aws_mocks_support::unused_region()
    }
}

/// The fleet's backend: Route 53 answered by `route53`, an empty CloudWatch, one custom domain
/// in each region.
fn fleet_backend(services: usize, route53: &[&Rule]) -> AwsBackend {
    backend_for(&fleet_toml(services), route53)
}

/// The backend for `toml`, its clients as [`fleet_backend`]'s.
fn backend_for(toml: &str, route53: &[&Rule]) -> AwsBackend {
    let (cloudwatch, _) = fake_cloudwatch(aws_mocks_support::MetricTable::new());
    let mut interceptor = aws_smithy_mocks::MockResponseInterceptor::new();
    for rule in route53 {
        interceptor = interceptor.with_rule(rule);
    }
    let route53 = aws_sdk_route53::Client::from_conf(
        aws_sdk_route53::Config::builder()
            .behavior_version(aws_sdk_route53::config::BehaviorVersion::latest())
            .region(aws_sdk_route53::config::Region::new(EAST))
            .credentials_provider(aws_sdk_route53::config::Credentials::new(
                "AKIDMOCK",
                "mock-secret",
                None,
                None,
                "fetch_path",
            ))
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .interceptor(interceptor.rule_mode(RuleMode::MatchAny))
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
            .build(),
    );
    backend(
        toml,
        switchyard::source::aws::ControlClients {
            route53,
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![(EAST, one_domain(EAST)), (WEST, one_domain(WEST))],
    )
}

/// What `snapshot` and a refresh round do: every source's fetch at once.
async fn fetch_all(
    b: &AwsBackend,
    keys: &[SourceKey],
) -> Vec<(Tally, Result<Payload, SourceError>)> {
    join_all(keys.iter().map(|k| b.fetch(k, now()))).await
}

fn zone_readers() -> Vec<SourceKey> {
    vec![
        SourceKey::new(SourceKind::Health, EAST),
        SourceKey::new(SourceKind::Domains, EAST),
        SourceKey::new(SourceKind::Domains, WEST),
    ]
}

fn domains(result: &Result<Payload, SourceError>) -> &[Entry<Vec<DomainInfo>>] {
    match result {
        Ok(Payload::Domains(entries)) => entries,
        other => panic!("expected a Domains payload, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Each hosted zone read once per refresh
// ---------------------------------------------------------------------------------------------

/// Five services in one hosted zone: the health source (which finds every service's health
/// checks in the zone's failover records) and both regions' domains sources, fetched at once
/// as `snapshot` does, read the zone's records once; a second round within the reuse window
/// (half the shortest refresh interval: 30 min here) reads it no more. Every Route 53 call is
/// counted once, in the tally of the fetch that made it.
#[tokio::test]
async fn one_zone_read_serves_the_health_source_and_every_region() {
    const SERVICES: usize = 5;
    let zone = zone_rule("ZFLEET", SERVICES);
    let get = get_health_check_rule();
    let ids: Vec<String> = (0..SERVICES)
        .flat_map(|i| [check_id(i, EAST), check_id(i, WEST)])
        .collect();
    let list = list_health_checks_rule(ids);
    let status = status_rule();
    let b = fleet_backend(SERVICES, &[&zone, &get, &list, &status]);

    let round = fetch_all(&b, &zone_readers()).await;
    assert_eq!(zone.num_calls(), 1, "one ListResourceRecordSets for ZFLEET");
    for (tally, result) in &round {
        assert!(result.is_ok(), "{result:?}");
        assert!(tally.partial.is_none(), "{:?}", tally.partial);
    }
    let counted: u32 = round.iter().map(|(t, _)| t.route53_calls).sum();
    let made = zone.num_calls() + get.num_calls() + list.num_calls() + status.num_calls();
    assert_eq!(counted as usize, made, "each Route 53 call counted once");
    // The one read served every source: each health check was found in it, and each region's
    // record of s0's shared name.
    let Ok(Payload::Health(checks)) = &round[0].1 else {
        panic!("{:?}", round[0].1)
    };
    assert_eq!(checks.len(), 2 * SERVICES);
    for (i, region) in [(1, EAST), (2, WEST)] {
        let entries = domains(&round[i].1);
        let shared = &entries[0].value[0];
        assert_eq!(
            (shared.name.as_str(), shared.dns_target.clone()),
            ("s0.example.com", Some(target(0, region))),
            "{region}"
        );
    }

    let again = fetch_all(&b, &zone_readers()).await;
    assert!(again.iter().all(|(_, r)| r.is_ok()));
    assert_eq!(zone.num_calls(), 1, "reused within the window");
    assert!(
        again[1..].iter().all(|(t, _)| t.route53_calls == 0),
        "the domains sources made no Route 53 call: {:?}",
        again
            .iter()
            .map(|(t, _)| t.route53_calls)
            .collect::<Vec<_>>()
    );
}

/// A failed zone read is not kept: the next fetch asks Route 53 again (within the reuse window,
/// where a successful read would have been reused). That the sources asking while a read runs
/// share its failure is a unit test of `ZoneCache`: mocks answer too fast to overlap here.
#[tokio::test]
async fn a_failed_zone_read_is_not_reused() {
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsError;
    let throttled = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .sequence()
        .error(|| {
            ListResourceRecordSetsError::generic(aws_mocks_support::meta(
                "Throttling",
                "Rate exceeded",
            ))
        })
        .output(|| {
            ListResourceRecordSetsOutput::builder()
                .set_resource_record_sets(Some(fleet_records(1)))
                .is_truncated(false)
                .max_items(300)
                .build()
                .unwrap()
        })
        .build();
    let b = fleet_backend(1, &[&throttled]);
    let key = SourceKey::new(SourceKind::Domains, EAST);
    let (tally, result) = b.fetch(&key, now()).await;
    // The domains are kept (drift unknown); the throttled read is the fetch's partial error.
    assert!(result.is_ok(), "{result:?}");
    let e = tally
        .partial
        .clone()
        .unwrap_or_else(|| panic!("the throttled read is reported"));
    assert!(
        e.message.contains("Route 53 ListResourceRecordSets"),
        "{}",
        e.message
    );
    assert_eq!((throttled.num_calls(), tally.route53_calls), (1, 1));

    let (tally, result) = b.fetch(&key, now()).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        (throttled.num_calls(), tally.route53_calls),
        (2, 1),
        "read again"
    );
}

// ---------------------------------------------------------------------------------------------
// Health check configurations: ListHealthChecks pages or GetHealthCheck per check
// ---------------------------------------------------------------------------------------------

/// Like [`fleet_toml`], with every health check ID in the config (no zone read).
fn configured_toml(services: usize) -> String {
    let mut toml = fleet_toml(services);
    for i in 0..services {
        toml = toml.replace(
            &format!("functions = [\"s{i}-fn\"]\n"),
            &format!(
                "functions = [\"s{i}-fn\"]\nhealth_checks = {{ \"{EAST}\" = \"{}\", \"{WEST}\" = \"{}\" }}\n",
                check_id(i, EAST),
                check_id(i, WEST)
            ),
        );
    }
    toml
}

/// The backend of [`configured_toml`] with Route 53 answered by `route53`.
fn configured_backend(services: usize, route53: &[&Rule]) -> AwsBackend {
    backend_for(&configured_toml(services), route53)
}

/// A ListHealthChecks page: `ids`, then `more` (the marker of the next page) if any.
fn listing_page(
    ids: &[String],
    more: Option<&str>,
) -> aws_sdk_route53::operation::list_health_checks::ListHealthChecksOutput {
    aws_sdk_route53::operation::list_health_checks::ListHealthChecksOutput::builder()
        .set_health_checks(Some(ids.iter().map(|id| health_check(id)).collect()))
        .marker("")
        .is_truncated(more.is_some())
        .set_next_marker(more.map(str::to_string))
        .max_items(1000)
        .build()
        .unwrap()
}

async fn health_fetch(b: &AwsBackend) -> (Tally, Result<Payload, SourceError>) {
    b.fetch(&SourceKey::new(SourceKind::Health, EAST), now())
        .await
}

/// Many checks in a small account: one ListHealthChecks page (up to 1,000 checks a page: Route
/// 53 API reference, ListHealthChecks `MaxItems`) reads all ten configurations, where
/// GetHealthCheck would take ten calls; and again on the next refresh.
#[tokio::test]
async fn many_checks_in_a_small_account_are_read_with_one_listing() {
    const SERVICES: usize = 5;
    let list = mock!(aws_sdk_route53::Client::list_health_checks)
        .match_requests(|r| r.max_items() == Some(1000) && r.marker().is_none())
        .then_output(|| {
            let mut ids = all_check_ids(SERVICES);
            ids.extend(["hc-other-1".to_string(), "hc-other-2".to_string()]);
            listing_page(&ids, None)
        });
    let get = get_health_check_rule();
    let status = status_rule();
    let b = configured_backend(SERVICES, &[&list, &get, &status]);

    for round in 1..=2 {
        let statuses_before = status.num_calls();
        let (tally, result) = health_fetch(&b).await;
        let Ok(Payload::Health(checks)) = result else {
            panic!("{result:?}")
        };
        assert_eq!(checks.len(), 2 * SERVICES);
        assert!(tally.partial.is_none(), "{:?}", tally.partial);
        assert_eq!((list.num_calls(), get.num_calls()), (round, 0));
        let statuses = (status.num_calls() - statuses_before) as u32;
        assert_eq!(
            (tally.route53_calls, tally.calls),
            (1 + statuses, 1 + statuses + 1),
            "one listing, GetHealthCheckStatus within its budget, one GetMetricData"
        );
    }
}

/// Few checks in a large account: the listing would need more pages than GetHealthCheck needs
/// calls. The first refresh finds that out (it stops after checks − 1 = 3 pages without having
/// found them) and reads the four with GetHealthCheck; later refreshes use GetHealthCheck
/// alone.
#[tokio::test]
async fn few_checks_in_a_large_account_are_read_with_get_health_check() {
    const SERVICES: usize = 2;
    // Page after page of other checks, as in an account with thousands of them.
    let list = mock!(aws_sdk_route53::Client::list_health_checks).then_compute_output(|r| {
        let page: usize = r
            .marker()
            .map_or(0, |m| m.trim_start_matches('m').parse().unwrap());
        let others: Vec<String> = (0..3).map(|i| format!("hc-other-{page}-{i}")).collect();
        listing_page(&others, Some(&format!("m{}", page + 1)))
    });
    let get = get_health_check_rule();
    let status = status_rule();
    let b = configured_backend(SERVICES, &[&list, &get, &status]);

    let (_, result) = health_fetch(&b).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!((list.num_calls(), get.num_calls()), (3, 4));

    let statuses_before = status.num_calls();
    let (tally, result) = health_fetch(&b).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        (list.num_calls(), get.num_calls()),
        (3, 8),
        "no listing again"
    );
    let statuses = (status.num_calls() - statuses_before) as u32;
    assert_eq!(tally.route53_calls, 4 + statuses, "four GetHealthCheck");
}

/// A check the listing does not give (here: deleted since) is read with GetHealthCheck, whose
/// answer is that check's error, as before listings were used; the others are shown, and it is
/// shown with its flags unknown (so Route 53's verdict on it is unknown, never healthy).
#[tokio::test]
async fn a_check_missing_from_the_listing_is_read_with_get_health_check() {
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckError;
    const SERVICES: usize = 2;
    let gone = check_id(1, WEST);
    let listed: Vec<String> = all_check_ids(SERVICES)
        .into_iter()
        .filter(|id| *id != gone)
        .collect();
    let list = mock!(aws_sdk_route53::Client::list_health_checks)
        .then_output(move || listing_page(&listed, None));
    let missing = gone.clone();
    let get = mock!(aws_sdk_route53::Client::get_health_check)
        .match_requests(move |r| r.health_check_id() == Some(missing.as_str()))
        .then_error(|| {
            GetHealthCheckError::generic(aws_mocks_support::meta(
                "NoSuchHealthCheck",
                "No health check exists with the specified ID",
            ))
        });
    let status = status_rule();
    let b = configured_backend(SERVICES, &[&list, &get, &status]);

    let (tally, result) = health_fetch(&b).await;
    let Ok(Payload::Health(checks)) = result else {
        panic!("{result:?}")
    };
    assert_eq!((list.num_calls(), get.num_calls()), (1, 1));
    assert_eq!(
        checks.len(),
        4,
        "the other checks are shown, and the missing one"
    );
    for c in &checks {
        assert_eq!(c.value.flags_unknown, c.value.id == gone, "{c:?}");
    }
    let partial = tally.partial.expect("the missing check's error");
    assert!(
        partial
            .message
            .starts_with("Route 53 GetHealthCheck in us-east-1: NoSuchHealthCheck"),
        "{}",
        partial.message
    );
}

/// A listing refused by IAM (a read-only policy that grants route53:GetHealthCheck but not
/// route53:ListHealthChecks) costs one call once: the checks are read with GetHealthCheck, no
/// error is shown, and later refreshes do not list.
#[tokio::test]
async fn a_refused_listing_falls_back_to_get_health_check_for_good() {
    use aws_sdk_route53::operation::list_health_checks::ListHealthChecksError;
    const SERVICES: usize = 2;
    let list = mock!(aws_sdk_route53::Client::list_health_checks).then_error(|| {
        ListHealthChecksError::generic(aws_mocks_support::meta(
            "AccessDenied",
            "not authorized to perform: route53:ListHealthChecks",
        ))
    });
    let get = get_health_check_rule();
    let status = status_rule();
    let b = configured_backend(SERVICES, &[&list, &get, &status]);

    for round in 1..=2 {
        let (tally, result) = health_fetch(&b).await;
        let Ok(Payload::Health(checks)) = result else {
            panic!("{result:?}")
        };
        assert_eq!(checks.len(), 4);
        assert!(tally.partial.is_none(), "{:?}", tally.partial);
        assert_eq!((list.num_calls(), get.num_calls()), (1, 4 * round));
    }
}

/// A throttled listing fails the checks it was to read, as throttled GetHealthCheck calls
/// would, rather than making one call per check into the throttle: their flags are unknown (the
/// checkers' status still arrived) and the throttling is the part that failed.
#[tokio::test]
async fn a_throttled_listing_fails_the_fetch() {
    use aws_sdk_route53::operation::list_health_checks::ListHealthChecksError;
    const SERVICES: usize = 2;
    let list = mock!(aws_sdk_route53::Client::list_health_checks).then_error(|| {
        ListHealthChecksError::generic(aws_mocks_support::meta("Throttling", "Rate exceeded"))
    });
    let get = get_health_check_rule();
    let status = status_rule();
    let b = configured_backend(SERVICES, &[&list, &get, &status]);

    let (tally, result) = health_fetch(&b).await;
    let Ok(Payload::Health(checks)) = result else {
        panic!("{result:?}")
    };
    assert!(checks.iter().all(|c| c.value.flags_unknown), "{checks:?}");
    let e = tally.partial.expect("the throttling as the partial error");
    assert!(
        e.message
            .starts_with("Route 53 ListHealthChecks in us-east-1: Throttling: Rate exceeded"),
        "{}",
        e.message
    );
    assert_eq!(get.num_calls(), 0);
}

/// The flags read to verify an action are read now, every time (here through a listing, four
/// checks): a change between two reads shows.
#[tokio::test]
async fn flags_for_verification_are_read_fresh_each_time() {
    const SERVICES: usize = 2;
    let ids = all_check_ids(SERVICES);
    let (before, after) = (ids.clone(), ids.clone());
    let list = mock!(aws_sdk_route53::Client::list_health_checks)
        .sequence()
        .output(move || listing_page(&before, None))
        .output(move || {
            let mut page = listing_page(&after, None);
            for check in page.health_checks.iter_mut() {
                if check.id == check_id(0, EAST) {
                    check.health_check_config.as_mut().unwrap().inverted = Some(true);
                }
            }
            page
        })
        .build();
    let b = configured_backend(SERVICES, &[&list]);
    let backend = switchyard::source::Backend::Aws(b);

    let first = backend.health_flags(&ids, now()).await.unwrap();
    let second = backend.health_flags(&ids, now()).await.unwrap();
    assert_eq!(list.num_calls(), 2);
    assert_eq!(first[0], (check_id(0, EAST), false, false));
    assert_eq!(second[0], (check_id(0, EAST), true, false));
    assert_eq!(second[1..], first[1..]);
}

// ---------------------------------------------------------------------------------------------
// Pagination (every listing goes through one helper; its unit tests are in src/source/aws/pages.rs)
// ---------------------------------------------------------------------------------------------

/// Four checks over three ListHealthChecks pages (Marker / NextMarker, IsTruncated): every page
/// is read, in turn, each asked with the marker the one before gave.
#[tokio::test]
async fn every_page_of_a_listing_is_read() {
    const SERVICES: usize = 2;
    let ids = all_check_ids(SERVICES);
    let pages = [
        (None, vec![ids[0].clone()], Some("m1")),
        (Some("m1"), vec![ids[1].clone(), ids[2].clone()], Some("m2")),
        (Some("m2"), vec![ids[3].clone()], None),
    ];
    let list = mock!(aws_sdk_route53::Client::list_health_checks).then_compute_output(move |r| {
        let (_, checks, next) = pages
            .iter()
            .find(|(marker, _, _)| r.marker() == *marker)
            .unwrap_or_else(|| panic!("asked with marker {:?}", r.marker()));
        listing_page(checks, *next)
    });
    let get = get_health_check_rule();
    let status = status_rule();
    let b = configured_backend(SERVICES, &[&list, &get, &status]);

    let (_, result) = health_fetch(&b).await;
    let Ok(Payload::Health(checks)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(checks.len(), 4);
    assert_eq!((list.num_calls(), get.num_calls()), (3, 0));
}

/// A listing whose NextMarker names a page already read stops there (it would otherwise list
/// the same page until the fetch's budget ran out); the checks it did not give are read with
/// GetHealthCheck.
#[tokio::test]
async fn a_listing_that_repeats_its_marker_stops() {
    const SERVICES: usize = 2;
    let ids = all_check_ids(SERVICES);
    let first_two = ids[..2].to_vec();
    let list = mock!(aws_sdk_route53::Client::list_health_checks)
        .then_output(move || listing_page(&first_two, Some("m1")));
    let get = get_health_check_rule();
    let status = status_rule();
    let b = configured_backend(SERVICES, &[&list, &get, &status]);

    let (_, result) = health_fetch(&b).await;
    let Ok(Payload::Health(checks)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(checks.len(), 4);
    assert_eq!(
        (list.num_calls(), get.num_calls()),
        (2, 2),
        "the first page, the page of m1 (which names m1 again), then GetHealthCheck for two"
    );
}

// ---------------------------------------------------------------------------------------------
// Route 53 calls handed to the console
// ---------------------------------------------------------------------------------------------

/// `Backend::fetch` gives the console each fetch's Route 53 calls apart from the others
/// (`Fetched::route53_calls`), to be shown against Route 53's account-wide limit: the health
/// source's zone read, GetHealthCheck and GetHealthCheckStatus are Route 53, its GetMetricData
/// is not; a domains fetch's only Route 53 call is the zone read (here made by the health
/// fetch before it, within the reuse window, so none). The simulation reports none.
#[tokio::test]
async fn route53_calls_are_handed_over_in_fetched() {
    use switchyard::source::Backend;
    use switchyard::source::sim::SimBackend;
    use switchyard::source::sim::scenario::Scenario;

    let zone = zone_rule("ZFLEET", 1);
    let get = get_health_check_rule();
    let status = status_rule();
    let backend = Backend::Aws(fleet_backend(1, &[&zone, &get, &status]));

    let health = backend
        .fetch(&SourceKey::new(SourceKind::Health, EAST), now())
        .await;
    assert!(health.result.is_ok(), "{:?}", health.result);
    assert_eq!(
        (health.route53_calls, health.calls),
        (1 + 2 + 2, 1 + 2 + 2 + 1),
        "zone, 2 GetHealthCheck, 2 GetHealthCheckStatus; and GetMetricData"
    );
    let domains = backend
        .fetch(&SourceKey::new(SourceKind::Domains, WEST), now())
        .await;
    assert!(domains.result.is_ok(), "{:?}", domains.result);
    assert_eq!(
        (domains.route53_calls, domains.calls),
        (0, 3),
        "v1 and v2 GetDomainNames, GetBasePathMappings; the zone read reused"
    );

    let sim = Backend::Sim(SimBackend::new(Scenario::built_in("steady").unwrap()));
    // The simulation's health source stands for GetHealthCheck and GetHealthCheckStatus: all
    // its calls are Route 53's; no other source of the simulation calls Route 53.
    for spec in sim.schedule() {
        let fetched = sim.fetch(&spec.key, now()).await;
        let expected = if spec.key.kind == SourceKind::Health {
            fetched.calls
        } else {
            0
        };
        assert_eq!(fetched.route53_calls, expected, "{}", spec.key);
    }
}
