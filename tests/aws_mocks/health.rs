//! Route 53 health checks: ids from the failover records, verdicts, flags, history.

use super::*;

const CHECKERS: [&str; 8] = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];
const SUCCESS: &str = "Success: HTTP Status Code 200, OK";
const FAILURE: &str = "Failure: HTTP Status Code 503, Service Unavailable";

/// GetHealthCheckStatus output: one observation per checker, healthy where `healthy[i]`.
pub(super) fn observations(
    healthy: [bool; 8],
) -> aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput {
    use aws_sdk_route53::types::{HealthCheckObservation, HealthCheckRegion, StatusReport};
    let mut out =
        aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput::builder();
    for (region, ok) in CHECKERS.iter().zip(healthy) {
        out = out.health_check_observations(
            HealthCheckObservation::builder()
                .region(HealthCheckRegion::from(*region))
                .ip_address("15.177.0.1")
                .status_report(
                    StatusReport::builder()
                        .status(if ok { SUCCESS } else { FAILURE })
                        .checked_time(sdk_time(ago(1)))
                        .build(),
                )
                .build(),
        );
    }
    out.build().unwrap()
}

/// `n` healthy checkers out of 8, the healthy ones first.
pub(super) fn healthy_of_8(n: usize) -> [bool; 8] {
    std::array::from_fn(|i| i < n)
}

pub(super) fn get_health_check_output(
    id: &str,
    inverted: bool,
    disabled: bool,
) -> aws_sdk_route53::operation::get_health_check::GetHealthCheckOutput {
    use aws_sdk_route53::types::{HealthCheck, HealthCheckConfig, HealthCheckType};
    aws_sdk_route53::operation::get_health_check::GetHealthCheckOutput::builder()
        .health_check(
            HealthCheck::builder()
                .id(id)
                .caller_reference(format!("ref-{id}"))
                .health_check_version(3)
                .health_check_config(
                    HealthCheckConfig::builder()
                        .r#type(HealthCheckType::Https)
                        .fully_qualified_domain_name("api.example.com")
                        .resource_path("/health")
                        .inverted(inverted)
                        .disabled(disabled)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
}

/// One ListHealthChecks page holding these checks.
pub(super) fn listing(
    checks: Vec<aws_sdk_route53::operation::get_health_check::GetHealthCheckOutput>,
) -> aws_smithy_mocks::Rule {
    let checks: Vec<_> = checks.into_iter().filter_map(|c| c.health_check).collect();
    mock!(aws_sdk_route53::Client::list_health_checks).then_output(move || {
        aws_sdk_route53::operation::list_health_checks::ListHealthChecksOutput::builder()
            .set_health_checks(Some(checks.clone()))
            .marker("")
            .is_truncated(false)
            .max_items(1000)
            .build()
            .unwrap()
    })
}

pub(super) fn alias_record(
    name: &str,
    target: &str,
    failover: Option<(&str, &str, &str)>, // (PRIMARY|SECONDARY, set identifier, health check id)
) -> aws_sdk_route53::types::ResourceRecordSet {
    use aws_sdk_route53::types::{
        AliasTarget, ResourceRecordSet, ResourceRecordSetFailover, RrType,
    };
    let mut r = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .alias_target(
            AliasTarget::builder()
                .hosted_zone_id("Z1UJRXOUMOOFQ8")
                .dns_name(target)
                .evaluate_target_health(false)
                .build()
                .unwrap(),
        );
    if let Some((role, set, hc)) = failover {
        r = r
            .failover(ResourceRecordSetFailover::from(role))
            .set_identifier(set)
            .health_check_id(hc);
    }
    r.build().unwrap()
}

fn ns_record(name: &str) -> aws_sdk_route53::types::ResourceRecordSet {
    use aws_sdk_route53::types::{ResourceRecord, ResourceRecordSet, RrType};
    ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::Ns)
        .ttl(172_800)
        .resource_records(
            ResourceRecord::builder()
                .value("ns-1.awsdns-01.org.")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// A service whose failover records span two pages (the secondary first, so the region is told
/// by the alias target) next to a regional record with a check of its own; hc-east has 2 of 8
/// checkers healthy, hc-west 1 of 8 and is inverted; CloudWatch has hc-east's last hour.
///
/// Why not moto: moto's GetHealthCheckStatus always answers one observation, "Success…", from
/// us-east-1, whatever the endpoint does, so mixed checker verdicts (and the 18 % rule) cannot
/// be produced; its CloudWatch does not answer the Rust SDK either.
struct MixedHealth {
    b: AwsBackend,
    page1: aws_smithy_mocks::Rule,
    page2: aws_smithy_mocks::Rule,
    metrics: std::sync::Arc<std::sync::Mutex<Vec<aws_mocks_support::SeenCall>>>,
}

fn mixed_health() -> MixedHealth {
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput;
    use aws_sdk_route53::types::RrType;
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
"#;
    // Two pages; the secondary comes first, so the region is told by the alias target.
    let page1 = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .match_requests(|r| r.hosted_zone_id() == Some("ZAPI") && r.start_record_name().is_none())
        .then_output(|| {
            ListResourceRecordSetsOutput::builder()
                .resource_record_sets(ns_record("example.com."))
                .resource_record_sets(alias_record(
                    "api.example.com.",
                    "d-west0001.execute-api.us-west-2.amazonaws.com.",
                    Some(("SECONDARY", "west", "hc-west")),
                ))
                .is_truncated(true)
                .next_record_name("api.example.com.")
                .next_record_type(RrType::A)
                .next_record_identifier("east")
                .max_items(2)
                .build()
                .unwrap()
        });
    let page2 = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .match_requests(|r| {
            r.hosted_zone_id() == Some("ZAPI")
                && r.start_record_name() == Some("api.example.com.")
                && r.start_record_type() == Some(&RrType::A)
                && r.start_record_identifier() == Some("east")
        })
        .then_output(|| {
            ListResourceRecordSetsOutput::builder()
                .resource_record_sets(alias_record(
                    "api.example.com.",
                    "d-east0001.execute-api.us-east-1.amazonaws.com.",
                    Some(("PRIMARY", "east", "hc-east")),
                ))
                // A regional record with its own check: not the failover pair's.
                .resource_record_sets({
                    let mut r = alias_record(
                        "us-east-1.api.example.com.",
                        "d-east0001.execute-api.us-east-1.amazonaws.com.",
                        None,
                    );
                    r.health_check_id = Some("hc-decoy".into());
                    r
                })
                .is_truncated(false)
                .max_items(2)
                .build()
                .unwrap()
        });
    let get_check =
        mock!(aws_sdk_route53::Client::get_health_check).then_compute_output(|r| {
            match r.health_check_id() {
                Some("hc-east") => get_health_check_output("hc-east", false, false),
                Some("hc-west") => get_health_check_output("hc-west", true, false),
                other => panic!("GetHealthCheck for an unexpected id {other:?}"),
            }
        });
    let status = mock!(aws_sdk_route53::Client::get_health_check_status).then_compute_output(|r| {
        match r.health_check_id() {
            // 2 of 8 checkers healthy: 25 % > 18 %, so Route 53 counts it healthy.
            Some("hc-east") => observations(healthy_of_8(2)),
            // 1 of 8: 12.5 %, unhealthy.
            Some("hc-west") => observations(healthy_of_8(1)),
            other => panic!("GetHealthCheckStatus for an unexpected id {other:?}"),
        }
    });
    let mut table = MetricTable::new();
    let hc = |id: &str| format!("HealthCheckId={id}");
    table.insert(
        key(
            "AWS/Route53",
            "HealthCheckPercentageHealthy",
            &hc("hc-east"),
            "Average",
        ),
        vec![(ago(59), 100.0), (ago(2), 25.0), (ago(1), 25.0)],
    );
    table.insert(
        key(
            "AWS/Route53",
            "HealthCheckStatus",
            &hc("hc-east"),
            "Minimum",
        ),
        vec![(ago(1), 1.0)],
    );
    let (cloudwatch, log) = fake_cloudwatch(table);
    let b = backend(
        toml,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&page1, &page2, &get_check, &status]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );
    MixedHealth {
        b,
        page1,
        page2,
        metrics: log,
    }
}

/// The mixed-health fleet fetched once: its checks by region, and the calls the fetch made.
async fn mixed_health_fetched() -> (MixedHealth, Vec<Entry<HealthCheck>>, Tally) {
    let m = mixed_health();
    let (tally, result) = fetch(&m.b, SourceKind::Health, "us-east-1").await;
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    let entries = health(result);
    (m, entries, tally)
}

/// The health checks are the failover pair's (ResourceRecordSet `Failover`, `HealthCheckId`),
/// read across both pages of records, each region's by its alias target, not the regional
/// record's check.
#[tokio::test]
async fn health_check_ids_come_from_the_failover_records_on_every_page() {
    let (m, entries, _) = mixed_health_fetched().await;
    assert_eq!(
        (m.page1.num_calls(), m.page2.num_calls()),
        (1, 1),
        "both pages read"
    );
    assert_eq!(
        check(&entries, "api", "us-east-1").id,
        "hc-east",
        "the PRIMARY record targeting us-east-1, not the regional record's check"
    );
    assert_eq!(check(&entries, "api", "us-west-2").id, "hc-west");
}

/// Route 53 Developer Guide, "How Route 53 determines whether a health check is healthy": healthy
/// when more than 18 % of the checkers report healthy.
#[tokio::test]
async fn the_checkers_verdict_is_healthy_above_18_percent() {
    let (_, entries, _) = mixed_health_fetched().await;
    let east = check(&entries, "api", "us-east-1");
    assert_eq!(
        (east.raw, east.checkers_healthy_pct),
        (HealthStatus::Healthy, Some(25.0)),
        "25 % of checkers healthy is above 18 %"
    );
    let west = check(&entries, "api", "us-west-2");
    assert_eq!(
        (west.raw, west.checkers_healthy_pct),
        (HealthStatus::Unhealthy, Some(12.5)),
        "1 of 8 checkers is 12.5 %, not above 18 %"
    );
}

/// GetHealthCheckStatus: each checker's region, verdict, time and report.
#[tokio::test]
async fn each_checkers_observation_is_kept() {
    let (_, entries, _) = mixed_health_fetched().await;
    let east = check(&entries, "api", "us-east-1");
    assert_eq!(east.observations.len(), 8);
    assert_eq!(east.observations[0].checker_region, "us-east-1");
    assert_eq!(east.observations[0].status, HealthStatus::Healthy);
    assert_eq!(east.observations[0].checked_at, ago(1));
    assert_eq!(east.observations[2].status, HealthStatus::Unhealthy);
    assert_eq!(east.observations[2].report, FAILURE);
}

/// GetHealthCheck's flags: hc-east neither inverted nor disabled; hc-west inverted, which flips
/// its raw verdict (Route 53 Developer Guide, "Inverting health checks").
#[tokio::test]
async fn the_flags_come_from_get_health_check_and_inversion_flips_the_verdict() {
    let (_, entries, _) = mixed_health_fetched().await;
    let east = check(&entries, "api", "us-east-1");
    assert_eq!((east.inverted, east.disabled), (false, false));
    assert_eq!(east.effective(), HealthStatus::Healthy);
    let west = check(&entries, "api", "us-west-2");
    assert!(west.inverted);
    assert_eq!(
        west.effective(),
        HealthStatus::Healthy,
        "inverted flips the raw verdict"
    );
}

/// The last hour from one GetMetricData for every check (HealthCheckStatus and
/// HealthCheckPercentageHealthy each, per minute), one point a minute, oldest first.
#[tokio::test]
async fn the_last_hour_comes_from_one_get_metric_data_a_point_a_minute() {
    let (m, entries, _) = mixed_health_fetched().await;
    let east = check(&entries, "api", "us-east-1");
    assert_eq!(east.history.len(), 60);
    assert_eq!(
        (east.history[1], east.history[58], east.history[59]),
        (Some(100.0), Some(25.0), Some(25.0))
    );
    assert_eq!(east.history[30], None);
    let west = check(&entries, "api", "us-west-2");
    assert_eq!(west.history, vec![None; 60], "no metrics for hc-west");
    let log = m.metrics.lock().unwrap().clone();
    assert_eq!(log.len(), 1);
    let asked_for: BTreeSet<Asked> = log[0].queries.iter().map(asked).collect();
    assert_eq!(asked_for.len(), 4);
    assert!(
        asked_for
            .iter()
            .all(|a| a.namespace == "AWS/Route53" && a.period == 60),
        "{asked_for:?}"
    );
    assert_eq!(log[0].start, Some(sdk_time(ago(60))));
}

/// The calls one fetch makes, and a second fetch: the IDs found in the records are remembered.
#[tokio::test]
async fn the_ids_found_are_remembered_and_the_records_not_read_again() {
    let (m, _, tally) = mixed_health_fetched().await;
    assert_eq!(
        tally.calls,
        2 + 2 + 2 + 1,
        "2 record pages, 2 GetHealthCheck, 2 status, 1 GetMetricData"
    );
    let (tally, result) = fetch(&m.b, SourceKind::Health, "us-east-1").await;
    assert_eq!(health(result).len(), 2);
    assert_eq!(
        (m.page1.num_calls(), m.page2.num_calls()),
        (1, 1),
        "health check IDs cached"
    );
    assert_eq!(tally.calls, 2 + 2 + 1);
}

/// Why not moto: moto's GetHealthCheckStatus is always one "Success" observation, and the
/// CloudWatch fallback (HealthCheckStatus / HealthCheckPercentageHealthy) cannot be read from
/// moto with the Rust SDK.
#[tokio::test]
async fn health_flags_effective_status_and_cloudwatch_when_the_status_budget_runs_out() {
    let toml = r#"
[[service]]
name = "one"
domain = "one.example.com"
hosted_zone_id = "ZONE"
regions = ["us-east-1", "us-west-2", "eu-west-1"]
functions = ["one-fn"]
health_checks = { "us-east-1" = "hc-1a", "us-west-2" = "hc-1b", "eu-west-1" = "hc-1c" }

[[service]]
name = "two"
domain = "two.example.com"
hosted_zone_id = "ZTWO"
regions = ["us-east-1", "us-west-2", "eu-west-1"]
functions = ["two-fn"]
health_checks = { "us-east-1" = "hc-2a", "us-west-2" = "hc-2b", "eu-west-1" = "hc-2c" }
"#;
    let config = |id: &str| match id {
        "hc-1a" => get_health_check_output(id, false, true),
        "hc-1b" => get_health_check_output(id, true, false),
        "hc-1c" => get_health_check_output(id, true, true),
        _ => get_health_check_output(id, false, false),
    };
    // Six checks: one ListHealthChecks page reads their configurations (see
    // tests/fetch_path.rs for when GetHealthCheck per check is used instead).
    let list = listing(
        ["hc-1a", "hc-1b", "hc-1c", "hc-2a", "hc-2b", "hc-2c"]
            .into_iter()
            .map(config)
            .collect(),
    );
    let status = mock!(aws_sdk_route53::Client::get_health_check_status).then_compute_output(|r| {
        match r.health_check_id() {
            Some("hc-1a") => observations(healthy_of_8(0)),
            Some("hc-1b") => observations(healthy_of_8(8)),
            Some("hc-1c") => observations(healthy_of_8(0)),
            Some("hc-2a") => observations(healthy_of_8(1)),
            other => panic!("GetHealthCheckStatus beyond the budget of 4: {other:?}"),
        }
    });
    let mut table = MetricTable::new();
    let hc = |id: &str| format!("HealthCheckId={id}");
    table.insert(
        key("AWS/Route53", "HealthCheckStatus", &hc("hc-2b"), "Minimum"),
        vec![(ago(2), 0.0), (ago(1), 1.0)],
    );
    table.insert(
        key(
            "AWS/Route53",
            "HealthCheckPercentageHealthy",
            &hc("hc-2b"),
            "Average",
        ),
        vec![(ago(2), 12.5), (ago(1), 87.5)],
    );
    let (cloudwatch, _log) = fake_cloudwatch(table);
    // No ListResourceRecordSets rule: every ID comes from the config.
    let b = backend(
        toml,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&list, &status]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );

    let (tally, result) = fetch(&b, SourceKind::Health, "us-east-1").await;
    let entries = health(result);
    assert_eq!(entries.len(), 6);
    assert_eq!(
        status.num_calls(),
        4,
        "GetHealthCheckStatus within its burst of 4"
    );
    assert_eq!(
        tally.calls,
        1 + 4 + 1,
        "one listing, 4 status, 1 GetMetricData"
    );

    let c = |s, r| check(&entries, s, r);
    // Disabled: Route 53 stops checking and counts it healthy (API reference,
    // UpdateHealthCheck `Disabled`): no checkers' verdict, always healthy.
    let a = c("one", "us-east-1");
    assert_eq!(
        (a.raw, a.disabled, a.effective()),
        (HealthStatus::Unknown, true, HealthStatus::Healthy)
    );
    assert_eq!(a.verdict_from, VerdictFrom::NotChecked);
    // Inverted healthy check: taken out of service.
    let b1 = c("one", "us-west-2");
    assert_eq!(
        (b1.raw, b1.inverted, b1.effective()),
        (HealthStatus::Healthy, true, HealthStatus::Unhealthy)
    );
    assert_eq!(b1.checkers_healthy_pct, Some(100.0));
    assert!(b1.observations.iter().all(|o| o.report == SUCCESS));
    assert!(matches!(b1.verdict_from, VerdictFrom::Checkers { at: Some(t) } if t == ago(1)));
    // Disabled and Inverted: always unhealthy ("if you want to stop routing traffic to a
    // resource, change the value of Inverted"). It was modelled as healthy before.
    let c1 = c("one", "eu-west-1");
    assert_eq!(
        (c1.raw, c1.effective()),
        (HealthStatus::Unknown, HealthStatus::Unhealthy)
    );
    let a2 = c("two", "us-east-1");
    assert_eq!(
        (a2.raw, a2.effective(), a2.checkers_healthy_pct),
        (HealthStatus::Unhealthy, HealthStatus::Unhealthy, Some(12.5))
    );
    // Beyond the status budget: the latest CloudWatch minute decides.
    let b2 = c("two", "us-west-2");
    assert!(b2.observations.is_empty());
    assert_eq!(
        (b2.raw, b2.checkers_healthy_pct),
        (HealthStatus::Healthy, Some(87.5))
    );
    let c2 = c("two", "eu-west-1");
    assert_eq!(
        (c2.raw, c2.checkers_healthy_pct, c2.effective()),
        (HealthStatus::Unknown, None, HealthStatus::Unknown)
    );
}

/// Route 53 API reference, ResourceRecordSet `Failover` and `HealthCheckId`: a failover record
/// without a health check is always eligible; a SECONDARY without one answers whenever the
/// primary is unhealthy. It is shown as such, not as a missing check.
///
/// Why mocks: the ids come from the records; moto would serve them, but the primary's checkers'
/// verdict (GetHealthCheckStatus) cannot be made unhealthy there.
#[tokio::test]
async fn a_secondary_failover_record_without_a_health_check_is_always_eligible() {
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput;
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
"#;
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets).then_output(|| {
        let mut secondary = alias_record(
            "api.example.com.",
            "d-west0001.execute-api.us-west-2.amazonaws.com.",
            Some(("SECONDARY", "west", "unused")),
        );
        secondary.health_check_id = None;
        ListResourceRecordSetsOutput::builder()
            .resource_record_sets(alias_record(
                "api.example.com.",
                "d-east0001.execute-api.us-east-1.amazonaws.com.",
                Some(("PRIMARY", "east", "hc-east")),
            ))
            .resource_record_sets(secondary)
            .is_truncated(false)
            .max_items(300)
            .build()
            .unwrap()
    });
    let get_check = mock!(aws_sdk_route53::Client::get_health_check)
        .then_compute_output(|_| get_health_check_output("hc-east", false, false));
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_compute_output(|_| observations(healthy_of_8(0)));
    let (cloudwatch, _log) = fake_cloudwatch(MetricTable::new());
    let b = backend(
        toml,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&records, &get_check, &status]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );
    let (tally, result) = fetch(&b, SourceKind::Health, "us-east-1").await;
    assert!(
        tally.partial.is_none(),
        "not a missing check: {:?}",
        tally.partial
    );
    let entries = health(result);
    let west = check(&entries, "api", "us-west-2");
    assert_eq!(west.kind, CheckKind::NoHealthCheck);
    assert_eq!(west.effective(), HealthStatus::Healthy, "always eligible");
    let east = check(&entries, "api", "us-east-1");
    assert_eq!(east.effective(), HealthStatus::Unhealthy);
    assert_eq!(
        status.num_calls(),
        1,
        "nothing to ask for the record without a check"
    );
}

/// GetHealthCheckLastFailureReason (Route 53 API reference): each checker's last failure, read
/// on demand for the detail view, newest first, within a budget of its own (Route 53 rations it
/// like GetHealthCheckStatus).
///
/// Why mocks: moto does not implement GetHealthCheckLastFailureReason.
#[tokio::test]
async fn the_last_failure_reasons_are_read_on_demand_newest_first() {
    use aws_sdk_route53::operation::get_health_check_last_failure_reason::GetHealthCheckLastFailureReasonOutput;
    use aws_sdk_route53::types::{HealthCheckObservation, HealthCheckRegion, StatusReport};
    let reasons = mock!(aws_sdk_route53::Client::get_health_check_last_failure_reason)
        .match_requests(|r| r.health_check_id() == Some("hc-a"))
        .then_output(|| {
            let failure = |region: &str, minutes: i64, text: &str| {
                HealthCheckObservation::builder()
                    .region(HealthCheckRegion::from(region))
                    .status_report(
                        StatusReport::builder()
                            .status(text)
                            .checked_time(sdk_time(ago(minutes)))
                            .build(),
                    )
                    .build()
            };
            GetHealthCheckLastFailureReasonOutput::builder()
                .health_check_observations(failure(
                    "us-west-1",
                    40,
                    "Failure: Connection timed out",
                ))
                .health_check_observations(failure("eu-west-1", 2, FAILURE))
                .build()
                .unwrap()
        });
    let b = backend(
        "[[service]]\nname = \"one\"\ndomain = \"one.example.com\"\nhosted_zone_id = \"Z\"\nregions = [\"us-east-1\", \"us-west-2\"]\nfunctions = [\"f\"]\n",
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&reasons]),
            ..unused_control()
        },
        vec![],
    );
    let list = b.last_failure_reasons("hc-a").await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (
            list[0].checker_region.as_str(),
            list[0].checked_at,
            list[0].status
        ),
        ("eu-west-1", ago(2), HealthStatus::Unhealthy),
        "newest first"
    );
    assert_eq!(list[1].report, "Failure: Connection timed out");
    // The budget (burst 4) runs out before Route 53's limit would.
    for _ in 0..3 {
        b.last_failure_reasons("hc-a").await.unwrap();
    }
    let refused = b.last_failure_reasons("hc-a").await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Throttled);
    assert_eq!(reasons.num_calls(), 4);
}
