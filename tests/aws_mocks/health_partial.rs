//! The health source when one of the APIs it joins fails (issue "dataplane", item 1): the
//! failover records (ListResourceRecordSets), the checks' configurations (GetHealthCheck), the
//! checkers' status (GetHealthCheckStatus) and the history (CloudWatch). What was read is kept,
//! what is unknown is unknown (never healthy), and the failed part is the partial error.
//!
//! Why mocks: moto cannot fail one Route 53 API while another answers, and serves no CloudWatch
//! to the Rust SDK (docs/ARCHITECTURE.md, "Testing").

use super::health::{alias_record, get_health_check_output, healthy_of_8, observations};
use super::*;
use aws_sdk_route53::operation::get_health_check::GetHealthCheckError;
use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusError;
use aws_sdk_route53::operation::list_resource_record_sets::{
    ListResourceRecordSetsError, ListResourceRecordSetsOutput,
};

/// What Route 53 answers while its control plane is impaired (a 5xx the SDK does not retry
/// here: the mocked clients have retries off).
fn unavailable() -> aws_smithy_types::error::ErrorMetadata {
    meta("ServiceUnavailable", "Route 53 is unavailable")
}

/// One service, two regions, their health check IDs in the config (no records needed).
const API_TWO_CHECKS: &str = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
health_checks = { "us-east-1" = "hc-1", "us-west-2" = "hc-2" }
"#;

/// GetHealthCheck and GetHealthCheckStatus both answering 503.
fn check_reads_failing() -> (aws_smithy_mocks::Rule, aws_smithy_mocks::Rule) {
    (
        mock!(aws_sdk_route53::Client::get_health_check)
            .then_error(|| GetHealthCheckError::generic(unavailable())),
        mock!(aws_sdk_route53::Client::get_health_check_status)
            .then_error(|| GetHealthCheckStatusError::generic(unavailable())),
    )
}

/// Refreshed every 2 ms: the zone cache reuses a read for 1 ms only (so the second fetch reads
/// the records again).
const TWO_REGIONS_FROM_RECORDS: &str = r#"
[refresh]
health = "2ms"
domains = "2ms"

[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
"#;

/// The records: the primary judged by hc-east, the secondary without a health check.
fn primary_checked_secondary_unchecked() -> ListResourceRecordSetsOutput {
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
}

/// Route 53 API reference, ListResourceRecordSets and ResourceRecordSet `HealthCheckId`: the
/// records say which check judges each region. They were read once; when the next read fails,
/// what they said stands (the secondary without a check: always eligible; the primary's check)
/// and the partial error says the health rests on that last read. Before, the whole health
/// source failed, as a record without a check sends every fetch back to the records.
#[tokio::test]
async fn records_unavailable_the_checks_rest_on_the_records_last_read() {
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .sequence()
        .output(primary_checked_secondary_unchecked)
        .error(|| ListResourceRecordSetsError::generic(unavailable()))
        .build();
    let get_check = mock!(aws_sdk_route53::Client::get_health_check)
        .then_compute_output(|_| get_health_check_output("hc-east", false, false));
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_compute_output(|_| observations(healthy_of_8(8)));
    let (cloudwatch, _log) = fake_cloudwatch(MetricTable::new());
    let b = backend(
        TWO_REGIONS_FROM_RECORDS,
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
    let (tally, first) = fetch(&b, SourceKind::Health, "us-east-1").await;
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    assert_eq!(health(first).len(), 2);
    // Past the zone cache's reuse window: the next fetch reads the records again.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (tally, second) = fetch(&b, SourceKind::Health, "us-east-1").await;
    assert_eq!(records.num_calls(), 2, "the records were read again");
    let entries = health(second);
    let west = check(&entries, "api", "us-west-2");
    assert_eq!(west.kind, CheckKind::NoHealthCheck);
    assert_eq!(west.effective(), HealthStatus::Healthy, "always eligible");
    let east = check(&entries, "api", "us-east-1");
    assert_eq!(
        (east.id.as_str(), east.effective()),
        ("hc-east", HealthStatus::Healthy)
    );
    let e = tally.partial.expect("the records' error as the partial");
    assert!(
        e.message
            .contains("Route 53 ListResourceRecordSets in us-east-1")
            && e.message
                .contains("us-west-2 as the records were last read")
            && e.message.contains("zone ZAPI"),
        "{}",
        e.message
    );
}

/// Route 53 API reference, ListResourceRecordSets: one zone's records failing says nothing of a
/// service whose checks are named in the config (`health_checks`): its health arrives, the
/// other service's is unknown (absent) and its records' error is the partial one. Before, the
/// whole health source failed.
#[tokio::test]
async fn one_zones_records_failing_does_not_hide_another_services_health() {
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
health_checks = { "us-east-1" = "hc-1", "us-west-2" = "hc-2" }

[[service]]
name = "billing"
domain = "billing.example.com"
hosted_zone_id = "ZBILLING"
regions = ["us-east-1", "us-west-2"]
functions = ["billing-fn"]
"#;
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .then_error(|| ListResourceRecordSetsError::generic(unavailable()));
    let get_check = mock!(aws_sdk_route53::Client::get_health_check).then_compute_output(|i| {
        get_health_check_output(i.health_check_id().unwrap_or(""), false, false)
    });
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_compute_output(|_| observations(healthy_of_8(8)));
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
    let entries = health(result);
    for region in ["us-east-1", "us-west-2"] {
        assert_eq!(
            check(&entries, "api", region).effective(),
            HealthStatus::Healthy
        );
    }
    assert!(
        entries.iter().all(|e| e.service != "billing"),
        "billing's checks are unknown: {entries:?}"
    );
    let e = tally
        .partial
        .expect("billing's records' error as the partial");
    assert!(
        e.message.contains("zone ZBILLING")
            && e.message
                .contains("health check of us-east-1, us-west-2 unknown")
            && e.message.contains("ListResourceRecordSets"),
        "{}",
        e.message
    );
}

/// Route 53 API reference, GetHealthCheck (the check's `Inverted` and `Disabled`) and
/// GetHealthCheckStatus, both failing; CloudWatch (Route 53 metrics, published in us-east-1;
/// Developer Guide "Monitoring health check status using CloudWatch") answering the checkers'
/// `HealthCheckPercentageHealthy`. The check is kept: the checkers' verdict from their share
/// (healthy above 18 %, which does not depend on the flags), the flags unknown and so the verdict
/// Route 53 acts on unknown, never healthy; GetHealthCheck's error is the partial one. Before, the
/// whole source failed and the history that did arrive was thrown away.
#[tokio::test]
async fn configurations_unavailable_keep_the_checkers_share_with_the_flags_unknown() {
    let toml = API_TWO_CHECKS;
    let (get_check, status) = check_reads_failing();
    let mut table = MetricTable::new();
    let pct = |id: &str| {
        key(
            "AWS/Route53",
            "HealthCheckPercentageHealthy",
            &format!("HealthCheckId={id}"),
            "Average",
        )
    };
    table.insert(pct("hc-1"), vec![(ago(2), 100.0), (ago(1), 100.0)]);
    table.insert(pct("hc-2"), vec![(ago(1), 0.0)]);
    let (cloudwatch, _log) = fake_cloudwatch(table);
    let b = backend(
        toml,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&get_check, &status]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );
    let (tally, result) = fetch(&b, SourceKind::Health, "us-east-1").await;
    let entries = health(result);
    for (region, raw) in [
        ("us-east-1", HealthStatus::Healthy),
        ("us-west-2", HealthStatus::Unhealthy),
    ] {
        let c = check(&entries, "api", region);
        assert!(c.flags_unknown, "{c:?}");
        assert_eq!(c.flags(), None);
        assert_eq!(c.raw, raw, "{region}: the checkers' share");
        assert!(
            matches!(c.verdict_from, VerdictFrom::Metrics { .. }),
            "{c:?}"
        );
        assert_eq!(
            c.effective(),
            HealthStatus::Unknown,
            "{region}: never healthy"
        );
        assert_eq!(c.kind, CheckKind::Unknown);
        assert!(
            c.verdict_note
                .as_deref()
                .is_some_and(|n| n.contains("flags unknown")),
            "{:?}",
            c.verdict_note
        );
        assert!(!c.history.is_empty(), "the history that arrived is kept");
    }
    let e = tally
        .partial
        .expect("GetHealthCheck's error as the partial");
    assert!(
        e.message.contains("Route 53 GetHealthCheck in us-east-1"),
        "{}",
        e.message
    );
}

/// Everything of Route 53 failing and no history either: nothing at all was read, so the fetch
/// fails (the last data stays, marked stale, and the poller backs off) rather than reporting
/// unknowns as news.
#[tokio::test]
async fn nothing_read_at_all_is_a_failed_fetch() {
    let toml = API_TWO_CHECKS;
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    let (get_check, status) = check_reads_failing();
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(|| GetMetricDataError::generic(meta("ServiceUnavailable", "down")));
    let b = backend(
        toml,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&get_check, &status]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        },
        vec![],
    );
    let e = error(fetch(&b, SourceKind::Health, "us-east-1").await.1);
    assert!(e.message.contains("GetHealthCheck"), "{}", e.message);
}
