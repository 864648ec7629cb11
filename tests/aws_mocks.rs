#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The AWS backend against `aws-smithy-mocks`: what the moto emulator cannot do
//! (docs/ARCHITECTURE.md, "Testing"). Each test runs the real fetch code (`AwsBackend::fetch`) over
//! SDK clients whose answers are mock rules; clients a test does not mock have no rules, so a
//! call to one panics naming the request.

mod aws_mocks_support;

use std::collections::BTreeSet;
use std::time::Duration;

use aws_mocks_support::{
    Asked, MetricTable, ago, asked, backend, fake_cloudwatch, key, meta, mocked, now, sdk_time,
    unused_control, unused_region,
};
use aws_smithy_mocks::{RuleMode, mock};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use switchyard::assess::{self, Verdict};
use switchyard::config::Thresholds;
use switchyard::fleet::Fleet;
use switchyard::model::{
    ApiKind, ApprovalRevision, DomainMapping, FunctionStats, HealthCheck, HealthStatus,
    PendingApproval, PipelineInfo, ReplicaStatus, S3Replication, StageInfo,
};
use switchyard::source::aws::{AwsBackend, ControlClients, RegionClients, Tally};
use switchyard::source::{Entry, ErrorKind, Fetched, Payload, SourceError, SourceKey, SourceKind};
use switchyard::state::{Msg, State, update};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async fn fetch(
    b: &AwsBackend,
    kind: SourceKind,
    region: &str,
) -> (Tally, Result<Payload, SourceError>) {
    b.fetch(&SourceKey::new(kind, region), now()).await
}

fn lambda(result: Result<Payload, SourceError>) -> Vec<Entry<Vec<FunctionStats>>> {
    match result {
        Ok(Payload::Lambda(entries)) => entries,
        other => panic!("expected a Lambda payload, got {other:?}"),
    }
}

fn health(result: Result<Payload, SourceError>) -> Vec<Entry<HealthCheck>> {
    match result {
        Ok(Payload::Health(entries)) => entries,
        other => panic!("expected a Health payload, got {other:?}"),
    }
}

fn check<'a>(entries: &'a [Entry<HealthCheck>], service: &str, region: &str) -> &'a HealthCheck {
    entries
        .iter()
        .find(|e| e.service == service && e.region == region)
        .map(|e| &e.value)
        .unwrap_or_else(|| panic!("no health entry for {service} in {region}: {entries:?}"))
}

fn function<'a>(
    entries: &'a [Entry<Vec<FunctionStats>>],
    service: &str,
    name: &str,
) -> &'a FunctionStats {
    entries
        .iter()
        .find(|e| e.service == service)
        .and_then(|e| e.value.iter().find(|f| f.name == name))
        .unwrap_or_else(|| panic!("no stats for {name} of {service}: {entries:?}"))
}

fn error(result: Result<Payload, SourceError>) -> SourceError {
    match result {
        Err(e) => e,
        Ok(p) => panic!("expected the fetch to fail, got {p:?}"),
    }
}

/// Every message names where the call went: "<service> <API> in <region>".
fn assert_names(e: &SourceError, service: &str, api: &str, region: &str) {
    let where_ = format!("{service} {api} in {region}");
    assert!(
        e.message.contains(&where_),
        "message should name {where_:?}: {}",
        e.message
    );
}

/// GetFunctionConfiguration answering for any function: CodeSha256 "sha-<name>", 512 MB.
fn function_configurations() -> aws_smithy_mocks::Rule {
    use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput;
    mock!(aws_sdk_lambda::Client::get_function_configuration).then_compute_output(|input| {
        let name = input.function_name().unwrap_or("").to_string();
        GetFunctionConfigurationOutput::builder()
            .code_sha256(format!("sha-{name}"))
            .memory_size(512)
            .function_name(name)
            .build()
    })
}

// ---------------------------------------------------------------------------------------------
// 1. CloudWatch GetMetricData for Lambda
// ---------------------------------------------------------------------------------------------

/// Why not moto: the Rust SDK's CloudWatch client speaks Smithy RPC v2 CBOR and moto answers it
/// with 404, so no GetMetricData call works against moto (and moto has no percentiles anyway).
#[tokio::test]
async fn lambda_metrics_are_batched_500_queries_per_call() {
    // 84 functions × 6 metrics = 504 queries: one call of 500, one of 4.
    let names: Vec<String> = (0..84).map(|i| format!("fn-{i:02}")).collect();
    let toml = format!(
        r#"
[[service]]
name = "big"
domain = "big.example.com"
hosted_zone_id = "ZBIG"
regions = ["us-east-1"]
functions = [{}]
"#,
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut table = MetricTable::new();
    for (i, n) in names.iter().enumerate() {
        let dim = format!("FunctionName={n}");
        table.insert(
            key("AWS/Lambda", "Invocations", &dim, "Sum"),
            (1..=5).map(|m| (ago(m), 10.0)).collect(),
        );
        table.insert(
            key("AWS/Lambda", "Duration", &dim, "p99"),
            vec![(ago(2), 100.0 + i as f64)],
        );
    }
    let (cloudwatch, log) = fake_cloudwatch(table);
    let configs = function_configurations();
    let b = backend(
        &toml,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
                ..unused_region()
            },
        )],
    );

    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let entries = lambda(result);

    assert_eq!(
        cloudwatch.num_calls(),
        2,
        "504 queries need two GetMetricData calls"
    );
    let log = log.lock().unwrap().clone();
    let sizes: Vec<usize> = log.iter().map(|c| c.queries.len()).collect();
    assert_eq!(sizes, vec![500, 4], "at most 500 queries a call, none lost");
    let ids: BTreeSet<String> = log
        .iter()
        .flat_map(|c| c.queries.iter().map(|q| q.id().unwrap_or("").to_string()))
        .collect();
    assert_eq!(ids.len(), 504, "query ids are unique across batches");
    assert_eq!(configs.num_calls(), 84);
    assert_eq!(
        tally.calls,
        84 + 2,
        "84 GetFunctionConfiguration + 2 GetMetricData"
    );
    assert!(tally.partial.is_none(), "{:?}", tally.partial);

    let all: Vec<&FunctionStats> = entries.iter().flat_map(|e| e.value.iter()).collect();
    assert_eq!(all.len(), 84);
    // fn-83's queries straddle the two calls (its first two in the first call, the rest in the
    // second): its numbers must come from both.
    let last = function(&entries, "big", "fn-83");
    assert_eq!(last.invocations, Some(50));
    assert_eq!(last.p99_ms, Some(183.0));
    assert_eq!(last.code_sha256.as_deref(), Some("sha-fn-83"));
    let first = function(&entries, "big", "fn-00");
    assert_eq!((first.invocations, first.p99_ms), (Some(50), Some(100.0)));
}

/// Why not moto: no CloudWatch call from the Rust SDK works against moto (CBOR protocol, 404);
/// even over JSON moto has no percentiles (p99) to return.
#[tokio::test]
async fn lambda_stats_p99_zero_invocations_partial_series_and_error_rate_history() {
    let toml = r#"
[[service]]
name = "alpha"
domain = "alpha.example.com"
hosted_zone_id = "ZALPHA"
regions = ["us-east-1", "us-west-2"]
functions = ["busy", "idle"]

[[service]]
name = "beta"
domain = "beta.example.com"
hosted_zone_id = "ZBETA"
regions = ["us-east-1"]
functions = ["sparse"]

[[service]]
name = "gamma"
domain = "gamma.example.com"
hosted_zone_id = "ZGAMMA"
regions = ["us-west-2"]
functions = ["elsewhere"]
"#;
    let l = |metric: &str, f: &str, stat: &str| {
        key("AWS/Lambda", metric, &format!("FunctionName={f}"), stat)
    };
    let mut table = MetricTable::new();
    // busy: 100 invocations every minute of the last 30.
    table.insert(
        l("Invocations", "busy", "Sum"),
        (1..=30).map(|m| (ago(m), 100.0)).collect(),
    );
    // Errors: 20 at 11:40 (outside the 5-minute window), 10 at 11:57 and 5 at 11:59.
    table.insert(
        l("Errors", "busy", "Sum"),
        vec![(ago(20), 20.0), (ago(3), 10.0), (ago(1), 5.0)],
    );
    table.insert(
        l("Throttles", "busy", "Sum"),
        vec![(ago(8), 7.0), (ago(2), 2.0)],
    );
    // p99 per minute: the window's worst is 480 (11:56); 900 at 11:50 is outside the window.
    table.insert(
        l("Duration", "busy", "p99"),
        vec![
            (ago(10), 900.0),
            (ago(5), 120.0),
            (ago(4), 480.0),
            (ago(3), 200.0),
            (ago(2), 150.0),
            (ago(1), 300.0),
        ],
    );
    table.insert(
        l("Duration", "busy", "Average"),
        vec![
            (ago(10), 999.0),
            (ago(5), 40.0),
            (ago(4), 60.0),
            (ago(3), 40.0),
            (ago(2), 60.0),
            (ago(1), 50.0),
        ],
    );
    table.insert(
        l("ConcurrentExecutions", "busy", "Maximum"),
        vec![(ago(7), 30.0), (ago(4), 7.0), (ago(2), 12.0)],
    );
    // idle: Lambda publishes nothing for minutes without invocations: no series at all.
    // sparse: only Invocations (4 at 11:58); Errors, Throttles, Duration, concurrency missing.
    table.insert(l("Invocations", "sparse", "Sum"), vec![(ago(2), 4.0)]);

    let (cloudwatch, log) = fake_cloudwatch(table);
    let configs = function_configurations();
    let b = backend(
        toml,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
                ..unused_region()
            },
        )],
    );

    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let entries = lambda(result);
    assert_eq!(
        tally.calls,
        3 + 1,
        "3 GetFunctionConfiguration (not gamma's) + 1 GetMetricData"
    );
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    assert_eq!(configs.num_calls(), 3);

    // What was asked: per-minute AWS/Lambda metrics by FunctionName over the last 30 minutes,
    // p99 and Average of Duration, Maximum of ConcurrentExecutions.
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 1);
    let call = &log[0];
    assert_eq!(call.start, Some(sdk_time(ago(30))));
    assert_eq!(call.end, Some(sdk_time(now())));
    let asked_for: BTreeSet<Asked> = call.queries.iter().map(asked).collect();
    assert_eq!(
        asked_for.len(),
        18,
        "6 distinct metrics for each of 3 functions"
    );
    for a in &asked_for {
        assert_eq!(
            (a.namespace.as_str(), a.period),
            ("AWS/Lambda", 60),
            "{a:?}"
        );
        assert!(a.dimension.starts_with("FunctionName="), "{a:?}");
        assert_ne!(
            a.dimension, "FunctionName=elsewhere",
            "gamma is not in us-east-1"
        );
    }
    let stats_of = |metric: &str| -> BTreeSet<String> {
        asked_for
            .iter()
            .filter(|a| a.metric == metric)
            .map(|a| a.stat.clone())
            .collect()
    };
    assert_eq!(
        stats_of("Duration"),
        ["Average", "p99"].map(String::from).into()
    );
    assert_eq!(
        stats_of("ConcurrentExecutions"),
        ["Maximum"].map(String::from).into()
    );

    // Grouped by service.
    let services: Vec<(&str, Vec<&str>)> = entries
        .iter()
        .map(|e| {
            (
                e.service.as_str(),
                e.value.iter().map(|f| f.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        services,
        vec![("alpha", vec!["busy", "idle"]), ("beta", vec!["sparse"])]
    );

    let busy = function(&entries, "alpha", "busy");
    assert_eq!(busy.window_s, 300);
    assert_eq!(busy.invocations, Some(500), "5 minutes × 100");
    assert_eq!(busy.errors, Some(15), "errors in the window only");
    assert_eq!(busy.throttles, Some(2));
    assert_eq!(
        busy.p99_ms,
        Some(480.0),
        "the worst minute's p99 in the window, from the p99 series"
    );
    assert_eq!(
        busy.avg_ms,
        Some(50.0),
        "invocation-weighted mean of the Average series"
    );
    assert_eq!(busy.concurrent, Some(12));
    assert_eq!(busy.memory_mb, Some(512));
    assert_eq!(busy.code_sha256.as_deref(), Some("sha-busy"));
    assert_eq!(assess::error_rate(busy.invocations, busy.errors), Some(3.0));
    // One value a minute, oldest first: minute i is [11:30 + i, 11:31 + i).
    let mut expected = vec![Some(0.0); 30];
    expected[10] = Some(20.0); // 11:40: 20 of 100
    expected[27] = Some(10.0); // 11:57
    expected[29] = Some(5.0); // 11:59
    assert_eq!(busy.error_rate_history, expected);

    // Zero invocations: counts are zero, but there is no error rate (not 0 %).
    let idle = function(&entries, "alpha", "idle");
    assert_eq!(
        (idle.invocations, idle.errors, idle.throttles),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!(
        (idle.p99_ms, idle.avg_ms, idle.concurrent),
        (None, None, None)
    );
    assert_eq!(assess::error_rate(idle.invocations, idle.errors), None);
    assert_eq!(idle.error_rate_history, vec![None; 30]);
    assert_eq!(
        idle.code_sha256.as_deref(),
        Some("sha-idle"),
        "configuration still read"
    );

    // Missing series: absent counts are 0, absent latency/concurrency unknown.
    let sparse = function(&entries, "beta", "sparse");
    assert_eq!(sparse.invocations, Some(4));
    assert_eq!((sparse.errors, sparse.throttles), (Some(0), Some(0)));
    assert_eq!(
        (sparse.p99_ms, sparse.avg_ms, sparse.concurrent),
        (None, None, None)
    );
    assert_eq!(
        assess::error_rate(sparse.invocations, sparse.errors),
        Some(0.0)
    );
    let mut expected = vec![None; 30];
    expected[28] = Some(0.0);
    assert_eq!(sparse.error_rate_history, expected);
}

// ---------------------------------------------------------------------------------------------
// 2. Route 53 health checks
// ---------------------------------------------------------------------------------------------

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
fn observations(
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
fn healthy_of_8(n: usize) -> [bool; 8] {
    std::array::from_fn(|i| i < n)
}

fn get_health_check_output(
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

fn alias_record(
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

/// GetHealthCheckStatus: each checker's region, verdict and time, and the last failure's text.
#[tokio::test]
async fn each_checkers_observation_and_the_last_failure_are_kept() {
    let (_, entries, _) = mixed_health_fetched().await;
    let east = check(&entries, "api", "us-east-1");
    assert_eq!(east.observations.len(), 8);
    assert_eq!(east.observations[0].checker_region, "us-east-1");
    assert_eq!(east.observations[0].status, HealthStatus::Healthy);
    assert_eq!(east.observations[0].checked_at, ago(1));
    assert_eq!(east.observations[2].status, HealthStatus::Unhealthy);
    assert_eq!(
        east.last_failure.as_deref(),
        Some(format!("us-west-2: {FAILURE}").as_str())
    );
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
    let list = mock!(aws_sdk_route53::Client::list_health_checks).then_output(move || {
        aws_sdk_route53::operation::list_health_checks::ListHealthChecksOutput::builder()
            .set_health_checks(Some(
                ["hc-1a", "hc-1b", "hc-1c", "hc-2a", "hc-2b", "hc-2c"]
                    .into_iter()
                    .filter_map(|id| config(id).health_check)
                    .collect(),
            ))
            .marker("")
            .is_truncated(false)
            .max_items(1000)
            .build()
            .unwrap()
    });
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
    // Disabled: Route 53 counts it healthy whatever the checkers say.
    let a = c("one", "us-east-1");
    assert_eq!(
        (a.raw, a.disabled, a.effective()),
        (HealthStatus::Unhealthy, true, HealthStatus::Healthy)
    );
    // Inverted healthy check: taken out of service.
    let b1 = c("one", "us-west-2");
    assert_eq!(
        (b1.raw, b1.inverted, b1.effective()),
        (HealthStatus::Healthy, true, HealthStatus::Unhealthy)
    );
    assert_eq!(b1.checkers_healthy_pct, Some(100.0));
    assert_eq!(b1.last_failure, None);
    // Inverted and disabled: disabled wins.
    let c1 = c("one", "eu-west-1");
    assert_eq!(
        (c1.raw, c1.effective()),
        (HealthStatus::Unhealthy, HealthStatus::Healthy)
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

// ---------------------------------------------------------------------------------------------
// 3. S3 replication status
// ---------------------------------------------------------------------------------------------

fn version(
    key: &str,
    id: &str,
    modified: chrono::DateTime<chrono::Utc>,
    etag: &str,
) -> aws_sdk_s3::types::ObjectVersion {
    aws_sdk_s3::types::ObjectVersion::builder()
        .key(key)
        .version_id(id)
        .last_modified(sdk_time(modified))
        .size(31_457_280)
        .e_tag(format!("\"{etag}\""))
        .is_latest(true)
        .build()
}

/// HeadObject as S3 answers it: 200, no body, the status in `x-amz-replication-status`.
fn head_with_status(status: &'static str) -> HttpResponse {
    let mut response = HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::empty());
    response
        .headers_mut()
        .insert("x-amz-replication-status", status);
    response.headers_mut().insert("content-length", "31457280");
    response
}

/// (region, is the source bucket, status, lag in seconds) of one artifact in one region.
type RegionRow<'a> = (&'a str, bool, ReplicaStatus, Option<u64>);

fn state_from(
    b: &AwsBackend,
    fetched: Vec<(SourceKey, Tally, Result<Payload, SourceError>)>,
) -> State {
    let fleet = Fleet::new(b.services(), &b.schedule(), Thresholds::default());
    let mut state = State::new("aws".into(), fleet);
    for (key, tally, result) in fetched {
        let msg = Msg::Fetched(Box::new(Fetched {
            key,
            at: now(),
            calls: tally.calls,
            route53_calls: tally.route53_calls,
            result,
            partial: tally.partial,
        }));
        update(&mut state, msg, now());
    }
    state
}

fn pipeline_payload(revisions: &[&str]) -> Result<Payload, SourceError> {
    Ok(Payload::Pipeline(vec![Entry {
        service: "api".into(),
        region: "us-east-1".into(),
        value: PipelineInfo {
            name: "api-deploy".into(),
            stages: Vec::new(),
            pending: Some(PendingApproval {
                stage: "Approve".into(),
                action: "ManualApproval".into(),
                token: "tok".into(),
                since: ago(5),
                expires: ago(5) + chrono::Duration::days(7),
                revisions: revisions
                    .iter()
                    .map(|r| ApprovalRevision {
                        name: "SourceArtifact".into(),
                        revision_id: (*r).into(),
                    })
                    .collect(),
            }),
        },
    }]))
}

/// Why not moto: moto replicates nothing and its HeadObject has no `x-amz-replication-status`,
/// so PENDING / COMPLETED / FAILED on the source bucket cannot be produced.
#[tokio::test]
async fn s3_replication_status_to_destination_status_and_readiness() {
    use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput;
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]

[service.artifacts]
bucket = "api-artifacts-{region}"
prefix = "builds/"
latest = 3

[service.pipeline]
name = "api-deploy"
"#;
    let source_list = mock!(aws_sdk_s3::Client::list_object_versions)
        .match_requests(|r| {
            r.bucket() == Some("api-artifacts-us-east-1") && r.prefix() == Some("builds/")
        })
        .then_output(|| {
            ListObjectVersionsOutput::builder()
                .versions(version("builds/a.zip", "v-a", ago(30), "ea"))
                .versions(version("builds/c.zip", "v-c", ago(10), "ec"))
                .versions(version("builds/b.zip", "v-b", ago(20), "eb"))
                // Older than the newest 3: never asked about.
                .versions(version("builds/a.zip", "v-a-old", ago(300), "ea0"))
                .is_truncated(false)
                .build()
        });
    let head = |id: &'static str, status: &'static str| {
        mock!(aws_sdk_s3::Client::head_object)
            .match_requests(move |r| {
                r.bucket() == Some("api-artifacts-us-east-1") && r.version_id() == Some(id)
            })
            .then_http_response(move || head_with_status(status))
    };
    let (head_a, head_b, head_c) = (
        head("v-a", "PENDING"),
        head("v-b", "COMPLETED"),
        head("v-c", "FAILED"),
    );
    // The destination has b (a replica keeps the source's version ID, 3 minutes later).
    let dest_list = mock!(aws_sdk_s3::Client::list_object_versions)
        .match_requests(|r| {
            r.bucket() == Some("api-artifacts-us-west-2") && r.prefix() == Some("builds/")
        })
        .then_output(|| {
            ListObjectVersionsOutput::builder()
                .versions(version("builds/b.zip", "v-b", ago(17), "eb"))
                .versions(version("builds/a.zip", "v-a-old", ago(290), "ea0"))
                .is_truncated(false)
                .build()
        });
    // The source bucket's replication rule publishes metrics (moto cannot: no CloudWatch).
    let replication = mock!(aws_sdk_s3::Client::get_bucket_replication).then_output(|| {
        use aws_sdk_s3::types::{
            Destination, Metrics, MetricsStatus, ReplicationConfiguration, ReplicationRule,
            ReplicationRuleStatus,
        };
        aws_sdk_s3::operation::get_bucket_replication::GetBucketReplicationOutput::builder()
            .replication_configuration(
                ReplicationConfiguration::builder()
                    .role("arn:aws:iam::1:role/r")
                    .rules(
                        ReplicationRule::builder()
                            .id("to-west")
                            .status(ReplicationRuleStatus::Enabled)
                            .destination(
                                Destination::builder()
                                    .bucket("arn:aws:s3:::api-artifacts-us-west-2")
                                    .metrics(
                                        Metrics::builder()
                                            .status(MetricsStatus::Enabled)
                                            .build()
                                            .unwrap(),
                                    )
                                    .build()
                                    .unwrap(),
                            )
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let dims = "SourceBucket=api-artifacts-us-east-1,DestinationBucket=api-artifacts-us-west-2,RuleId=to-west";
    let mut table = MetricTable::new();
    table.insert(
        key("AWS/S3", "ReplicationLatency", dims, "Maximum"),
        vec![(ago(3), 95.0), (ago(2), 180.0)],
    );
    table.insert(
        key("AWS/S3", "OperationsPendingReplication", dims, "Maximum"),
        vec![(ago(2), 1.0)],
    );
    table.insert(
        key("AWS/S3", "BytesPendingReplication", dims, "Maximum"),
        vec![(ago(2), 31_457_280.0)],
    );
    table.insert(
        key("AWS/S3", "OperationsFailedReplication", dims, "Sum"),
        vec![(ago(9), 1.0), (ago(4), 1.0)],
    );
    let (cloudwatch, _) = fake_cloudwatch(table);
    let b = backend(
        toml,
        unused_control(),
        vec![
            (
                "us-east-1",
                RegionClients {
                    s3: mocked!(
                        aws_sdk_s3,
                        RuleMode::MatchAny,
                        [&source_list, &head_a, &head_b, &head_c, &replication]
                    ),
                    cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
                    ..unused_region()
                },
            ),
            (
                "us-west-2",
                RegionClients {
                    // No HeadObject rule: the destination is only listed.
                    s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&dest_list]),
                    ..unused_region()
                },
            ),
        ],
    );

    let source_key = SourceKey::new(SourceKind::Replication, "us-east-1");
    let dest_key = SourceKey::new(SourceKind::Replication, "us-west-2");
    let (source_tally, source) = b.fetch(&source_key, now()).await;
    let (dest_tally, dest) = b.fetch(&dest_key, now()).await;
    assert!(source_tally.partial.is_none(), "{:?}", source_tally.partial);
    assert_eq!(
        source_tally.calls,
        1 + 3 + 2,
        "one listing, a HeadObject for each of the newest 3, the replication rules and their metrics"
    );
    assert_eq!(dest_tally.calls, 1);
    assert_eq!(
        (head_a.num_calls(), head_b.num_calls(), head_c.num_calls()),
        (1, 1, 1)
    );

    let Ok(Payload::Replication(entries, metrics)) = &source else {
        panic!("{source:?}")
    };
    assert_eq!(
        metrics[0].value,
        vec![switchyard::model::ReplicationMetrics {
            rule_id: "to-west".into(),
            destination_bucket: "api-artifacts-us-west-2".into(),
            latency_s: Some(180.0),
            operations_pending: Some(1.0),
            bytes_pending: Some(31_457_280.0),
            operations_failed: Some(2.0),
        }],
        "the latest latency and backlog, failures summed over 15 minutes"
    );
    let listed: Vec<(&str, Option<S3Replication>)> = entries[0]
        .value
        .iter()
        .map(|v| (v.version_id.as_str(), v.replication))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("v-c", Some(S3Replication::Failed)),
            ("v-b", Some(S3Replication::Completed)),
            ("v-a", Some(S3Replication::Pending)),
        ],
        "newest first, the newest 3 only, status from the header"
    );
    assert_eq!(
        entries[0].value[0].etag.as_deref(),
        Some("ec"),
        "ETag without quotes"
    );

    let mut state = state_from(
        &b,
        vec![
            (source_key, source_tally, source),
            (dest_key, dest_tally, dest),
        ],
    );
    let svc = state.fleet.service("api").unwrap().clone();
    let tracked = assess::tracked_artifacts(&svc, now());
    let summary: Vec<(&str, Vec<RegionRow<'_>>)> = tracked
        .iter()
        .map(|a| {
            (
                a.version_id.as_str(),
                a.regions
                    .iter()
                    .map(|r| (r.region.as_str(), r.is_source, r.status, r.lag_s))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "v-c",
                vec![
                    ("us-east-1", true, ReplicaStatus::Completed, None),
                    ("us-west-2", false, ReplicaStatus::Failed, Some(600))
                ]
            ),
            (
                "v-b",
                vec![
                    ("us-east-1", true, ReplicaStatus::Completed, None),
                    ("us-west-2", false, ReplicaStatus::Completed, Some(180))
                ]
            ),
            (
                "v-a",
                vec![
                    ("us-east-1", true, ReplicaStatus::Completed, None),
                    ("us-west-2", false, ReplicaStatus::Pending, Some(1800))
                ]
            ),
        ]
    );

    // Without a pending approval the newest build decides: c failed to replicate.
    let r = assess::readiness(&svc, now());
    assert_eq!(r.verdict, Verdict::NotReady);
    assert!(
        r.reasons
            .iter()
            .any(|m| m.contains("builds/c.zip in us-west-2") && m.contains("replication failed")),
        "{:?}",
        r.reasons
    );

    // A pending approval deploying b (replicated): ready.
    let pipeline_key = SourceKey::new(SourceKind::Pipeline, "us-east-1");
    update(
        &mut state,
        Msg::Fetched(Box::new(Fetched {
            key: pipeline_key.clone(),
            at: now(),
            calls: 2,
            route53_calls: 0,
            result: pipeline_payload(&["v-b"]),
            partial: None,
        })),
        now(),
    );
    let r = assess::readiness(state.fleet.service("api").unwrap(), now());
    assert_eq!(
        (r.verdict, r.reasons.clone()),
        (Verdict::Ready, Vec::<String>::new())
    );

    // One deploying a (still pending): not ready, and how long it has waited.
    update(
        &mut state,
        Msg::Fetched(Box::new(Fetched {
            key: pipeline_key,
            at: now(),
            calls: 2,
            route53_calls: 0,
            result: pipeline_payload(&["v-a"]),
            partial: None,
        })),
        now(),
    );
    let r = assess::readiness(state.fleet.service("api").unwrap(), now());
    assert_eq!(r.verdict, Verdict::NotReady);
    assert!(
        r.reasons
            .iter()
            .any(|m| m.contains("builds/a.zip in us-west-2: replication pending for 30m")),
        "{:?}",
        r.reasons
    );
}

// ---------------------------------------------------------------------------------------------
// 4. API Gateway v2 custom domains
// ---------------------------------------------------------------------------------------------

/// Why not moto: moto's v2 GetDomainNames returns DomainNameConfigurations without
/// ApiGatewayDomainName (and HostedZoneId), so the regional target cannot be read from it.
#[tokio::test]
async fn apigateway_v2_domain_targets_and_api_mappings() {
    use aws_sdk_apigatewayv2::operation::get_api_mappings::GetApiMappingsOutput;
    use aws_sdk_apigatewayv2::types::{
        ApiMapping, DomainName, DomainNameConfiguration, DomainNameStatus, EndpointType,
    };
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput;
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
"#;
    let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names).then_output(|| {
        aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesOutput::builder().build()
    });
    let domain = |name: &str, target: &str| {
        DomainName::builder()
            .domain_name(name)
            .domain_name_configurations(
                DomainNameConfiguration::builder()
                    .api_gateway_domain_name(target)
                    .hosted_zone_id("Z1UJRXOUMOOFQ8")
                    .endpoint_type(EndpointType::Regional)
                    .domain_name_status(DomainNameStatus::Available)
                    .build(),
            )
            .build()
    };
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_output(move || {
        aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesOutput::builder()
            .items(domain(
                "other.example.com",
                "d-other.execute-api.us-east-1.amazonaws.com",
            ))
            .items(domain(
                "api.example.com",
                "d-east0001.execute-api.us-east-1.amazonaws.com",
            ))
            .items(domain(
                "us-east-1.api.example.com",
                "d-regional1.execute-api.us-east-1.amazonaws.com",
            ))
            .build()
    });
    let mapping = |key: &str, api: &str, stage: &str| {
        ApiMapping::builder()
            .api_mapping_key(key)
            .api_id(api)
            .stage(stage)
            .api_mapping_id(format!("m-{api}"))
            .build()
    };
    let shared_mappings = mock!(aws_sdk_apigatewayv2::Client::get_api_mappings)
        .match_requests(|r| r.domain_name() == Some("api.example.com"))
        .then_output(move || {
            GetApiMappingsOutput::builder()
                .items(mapping("", "abc123", "$default"))
                .items(mapping("v2", "def456", "prod"))
                .build()
        });
    let regional_mappings = mock!(aws_sdk_apigatewayv2::Client::get_api_mappings)
        .match_requests(|r| r.domain_name() == Some("us-east-1.api.example.com"))
        .then_output(move || {
            GetApiMappingsOutput::builder()
                .items(mapping("", "abc123", "$default"))
                .build()
        });
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .match_requests(|r| r.hosted_zone_id() == Some("ZAPI"))
        .then_output(|| {
            ListResourceRecordSetsOutput::builder()
                .resource_record_sets(alias_record(
                    "api.example.com.",
                    "d-east0001.execute-api.us-east-1.amazonaws.com.",
                    Some(("PRIMARY", "east", "hc-east")),
                ))
                .resource_record_sets(alias_record(
                    "api.example.com.",
                    "d-west0001.execute-api.us-west-2.amazonaws.com.",
                    Some(("SECONDARY", "west", "hc-west")),
                ))
                // Still pointing at a domain that was recreated: drift.
                .resource_record_sets(alias_record(
                    "us-east-1.api.example.com.",
                    "d-oldregion.execute-api.us-east-1.amazonaws.com.",
                    None,
                ))
                .is_truncated(false)
                .max_items(100)
                .build()
                .unwrap()
        });
    let b = backend(
        toml,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
            ..unused_control()
        },
        vec![(
            "us-east-1",
            RegionClients {
                apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&v1]),
                apigatewayv2: mocked!(
                    aws_sdk_apigatewayv2,
                    RuleMode::MatchAny,
                    [&v2, &shared_mappings, &regional_mappings]
                ),
                ..unused_region()
            },
        )],
    );

    let (tally, result) = fetch(&b, SourceKind::Domains, "us-east-1").await;
    let Ok(Payload::Domains(entries)) = result else {
        panic!("{result:?}")
    };
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    assert_eq!(v1.num_calls(), 1, "v1 asked, and it has no domains");
    assert_eq!(
        (shared_mappings.num_calls(), regional_mappings.num_calls()),
        (1, 1),
        "no mappings asked for other.example.com"
    );
    assert_eq!(
        tally.calls,
        1 + 1 + 2 + 1,
        "v1 domains, v2 domains, 2 × GetApiMappings, records"
    );

    assert_eq!(entries.len(), 1);
    let infos = &entries[0].value;
    assert_eq!(infos.len(), 2, "{infos:?}");
    let shared = &infos[0];
    assert_eq!(shared.name, "api.example.com");
    assert_eq!(shared.api, ApiKind::Http);
    assert_eq!(
        shared.regional_target.as_deref(),
        Some("d-east0001.execute-api.us-east-1.amazonaws.com")
    );
    assert_eq!(
        shared.dns_target.as_deref(),
        Some("d-east0001.execute-api.us-east-1.amazonaws.com")
    );
    assert!(!shared.drift());
    assert_eq!(
        shared.mappings,
        vec![
            DomainMapping {
                path: String::new(),
                api_id: "abc123".into(),
                stage: "$default".into()
            },
            DomainMapping {
                path: "v2".into(),
                api_id: "def456".into(),
                stage: "prod".into()
            },
        ]
    );
    let regional = &infos[1];
    assert_eq!(regional.name, "us-east-1.api.example.com");
    assert_eq!(regional.api, ApiKind::Http);
    assert_eq!(
        regional.regional_target.as_deref(),
        Some("d-regional1.execute-api.us-east-1.amazonaws.com")
    );
    assert_eq!(
        regional.dns_target.as_deref(),
        Some("d-oldregion.execute-api.us-east-1.amazonaws.com")
    );
    assert!(regional.drift(), "the record points at the old target");
}

// ---------------------------------------------------------------------------------------------
// 5. CodePipeline pending approval
// ---------------------------------------------------------------------------------------------

fn stage(
    name: &str,
    status: aws_sdk_codepipeline::types::StageExecutionStatus,
    execution: &str,
    actions: Vec<aws_sdk_codepipeline::types::ActionState>,
) -> aws_sdk_codepipeline::types::StageState {
    use aws_sdk_codepipeline::types::{StageExecution, StageState};
    let mut s = StageState::builder().stage_name(name).latest_execution(
        StageExecution::builder()
            .pipeline_execution_id(execution)
            .status(status)
            .build()
            .unwrap(),
    );
    for a in actions {
        s = s.action_states(a);
    }
    s.build()
}

fn action(
    name: &str,
    status: aws_sdk_codepipeline::types::ActionExecutionStatus,
    token: Option<&str>,
    changed: chrono::DateTime<chrono::Utc>,
) -> aws_sdk_codepipeline::types::ActionState {
    use aws_sdk_codepipeline::types::{ActionExecution, ActionState};
    ActionState::builder()
        .action_name(name)
        .latest_execution(
            ActionExecution::builder()
                .status(status)
                .set_token(token.map(str::to_string))
                .last_status_change(sdk_time(changed))
                .build(),
        )
        .build()
}

fn pipeline(result: Result<Payload, SourceError>) -> Vec<Entry<PipelineInfo>> {
    match result {
        Ok(Payload::Pipeline(entries)) => entries,
        other => panic!("expected a Pipeline payload, got {other:?}"),
    }
}

/// Why not moto: moto does not implement GetPipelineState (nor PutApprovalResult), and its
/// executions are "Succeeded" the moment they start, so no approval is ever pending.
#[tokio::test]
async fn codepipeline_pending_manual_approval_with_revisions() {
    use aws_sdk_codepipeline::operation::get_pipeline_execution::GetPipelineExecutionOutput;
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
    use aws_sdk_codepipeline::types::{
        ActionExecutionStatus as A, ArtifactRevision, PipelineExecution, PipelineExecutionStatus,
        StageExecutionStatus as S,
    };
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
[service.pipeline]
name = "api-deploy"

[[service]]
name = "web"
domain = "web.example.com"
hosted_zone_id = "ZWEB"
regions = ["us-east-1"]
functions = ["web-fn"]
[service.pipeline]
name = "web-deploy"
"#;
    let since = now() - chrono::Duration::hours(26);
    let api_state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some("api-deploy"))
        .then_output(move || {
            GetPipelineStateOutput::builder()
                .pipeline_name("api-deploy")
                .stage_states(stage(
                    "Source",
                    S::Succeeded,
                    "exec-42",
                    vec![action("S3Source", A::Succeeded, None, ago(60 * 27))],
                ))
                .stage_states(stage(
                    "Build",
                    S::Succeeded,
                    "exec-42",
                    vec![action("Build", A::Succeeded, None, since)],
                ))
                .stage_states(stage(
                    "Approve",
                    S::InProgress,
                    "exec-42",
                    vec![action(
                        "ManualApproval",
                        A::InProgress,
                        Some("tok-42"),
                        since,
                    )],
                ))
                .stage_states(
                    aws_sdk_codepipeline::types::StageState::builder()
                        .stage_name("Deploy")
                        .build(),
                )
                .build()
        });
    // web: its approval was answered; nothing pending, no GetPipelineExecution.
    let web_state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .match_requests(|r| r.name() == Some("web-deploy"))
        .then_output(|| {
            GetPipelineStateOutput::builder()
                .pipeline_name("web-deploy")
                .stage_states(stage(
                    "Approve",
                    S::Succeeded,
                    "exec-7",
                    vec![action("ManualApproval", A::Succeeded, Some("old"), ago(90))],
                ))
                .build()
        });
    let execution = mock!(aws_sdk_codepipeline::Client::get_pipeline_execution)
        .match_requests(|r| {
            r.pipeline_name() == Some("api-deploy") && r.pipeline_execution_id() == Some("exec-42")
        })
        .then_output(|| {
            GetPipelineExecutionOutput::builder()
                .pipeline_execution(
                    PipelineExecution::builder()
                        .pipeline_name("api-deploy")
                        .pipeline_execution_id("exec-42")
                        .status(PipelineExecutionStatus::InProgress)
                        .artifact_revisions(
                            ArtifactRevision::builder()
                                .name("SourceArtifact")
                                .revision_id("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
                                .revision_url("https://s3.console.aws.amazon.com/x")
                                .build(),
                        )
                        // A revision without an ID is left out.
                        .artifact_revisions(ArtifactRevision::builder().name("Config").build())
                        .build(),
                )
                .build()
        });
    let b = backend(
        toml,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [&api_state, &web_state, &execution]
                ),
                ..unused_region()
            },
        )],
    );

    let (tally, result) = fetch(&b, SourceKind::Pipeline, "us-east-1").await;
    let entries = pipeline(result);
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    assert_eq!(
        tally.calls,
        2 + 1,
        "two GetPipelineState, one GetPipelineExecution"
    );
    assert_eq!(execution.num_calls(), 1);

    let api = &entries.iter().find(|e| e.service == "api").unwrap().value;
    assert_eq!(api.name, "api-deploy");
    assert_eq!(
        api.stages,
        vec![
            StageInfo {
                name: "Source".into(),
                status: Some("Succeeded".into())
            },
            StageInfo {
                name: "Build".into(),
                status: Some("Succeeded".into())
            },
            StageInfo {
                name: "Approve".into(),
                status: Some("InProgress".into())
            },
            StageInfo {
                name: "Deploy".into(),
                status: None
            },
        ]
    );
    assert_eq!(
        api.pending,
        Some(PendingApproval {
            stage: "Approve".into(),
            action: "ManualApproval".into(),
            token: "tok-42".into(),
            since,
            expires: since + chrono::Duration::days(7),
            revisions: vec![ApprovalRevision {
                name: "SourceArtifact".into(),
                revision_id: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY".into(),
            }],
        })
    );
    let web = &entries.iter().find(|e| e.service == "web").unwrap().value;
    assert_eq!(web.pending, None, "a Succeeded approval is not pending");
}

/// Why not moto: GetPipelineState is not implemented in moto.
#[tokio::test]
async fn codepipeline_named_approval_action_is_the_one_reported() {
    use aws_sdk_codepipeline::operation::get_pipeline_execution::GetPipelineExecutionOutput;
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput;
    use aws_sdk_codepipeline::types::{
        ActionExecutionStatus as A, ArtifactRevision, PipelineExecution, StageExecutionStatus as S,
    };
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-west-2", "us-east-1"]
functions = ["api-fn"]
[service.pipeline]
name = "api-deploy"
approval_action = "ProdApproval"
"#;
    let state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state).then_output(|| {
        GetPipelineStateOutput::builder()
            .stage_states(stage(
                "QA",
                S::InProgress,
                "exec-qa",
                vec![action("QAApproval", A::InProgress, Some("tok-qa"), ago(30))],
            ))
            .stage_states(stage(
                "Prod",
                S::InProgress,
                "exec-prod",
                vec![action(
                    "ProdApproval",
                    A::InProgress,
                    Some("tok-prod"),
                    ago(10),
                )],
            ))
            .build()
    });
    let execution = mock!(aws_sdk_codepipeline::Client::get_pipeline_execution)
        .match_requests(|r| r.pipeline_execution_id() == Some("exec-prod"))
        .then_output(|| {
            GetPipelineExecutionOutput::builder()
                .pipeline_execution(
                    PipelineExecution::builder()
                        .artifact_revisions(
                            ArtifactRevision::builder()
                                .name("SourceArtifact")
                                .revision_id("v-prod")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let b = backend(
        toml,
        unused_control(),
        vec![(
            "us-west-2",
            RegionClients {
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [&state, &execution]
                ),
                ..unused_region()
            },
        )],
    );
    let (_, result) = fetch(&b, SourceKind::Pipeline, "us-west-2").await;
    let entries = pipeline(result);
    assert_eq!(
        entries[0].region, "us-west-2",
        "the pipeline lives in the primary region"
    );
    let pending = entries[0].value.pending.clone().unwrap();
    assert_eq!(
        (
            pending.stage.as_str(),
            pending.action.as_str(),
            pending.token.as_str()
        ),
        ("Prod", "ProdApproval", "tok-prod")
    );
    assert_eq!(
        (pending.since, pending.expires),
        (ago(10), ago(10) + chrono::Duration::days(7))
    );
    assert_eq!(
        pending.revisions,
        vec![ApprovalRevision {
            name: "SourceArtifact".into(),
            revision_id: "v-prod".into()
        }]
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Throttling, access denied, retries
// ---------------------------------------------------------------------------------------------

const ONE_REGION: &str = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1"]
functions = ["api-fn"]
health_checks = { "us-east-1" = "hc-1" }

[service.artifacts]
bucket = "api-artifacts-{region}"

[service.pipeline]
name = "api-deploy"
"#;

/// Why not moto: moto never throttles (and its Route 53 takes any request rate), so a
/// `Throttling` / `ThrottlingException` answer can only be injected.
#[tokio::test]
async fn throttling_is_classified_and_names_service_api_and_region() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateError;
    use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationError;
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusError;
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsError;

    // Route 53 ListResourceRecordSets throttled (IDs not in the config): the fetch fails.
    let toml_without_ids = ONE_REGION.replace("health_checks = { \"us-east-1\" = \"hc-1\" }\n", "");
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .then_error(|| ListResourceRecordSetsError::generic(meta("Throttling", "Rate exceeded")));
    let b = backend(
        &toml_without_ids,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
            ..unused_control()
        },
        vec![],
    );
    let (tally, result) = fetch(&b, SourceKind::Health, "us-east-1").await;
    let e = error(result);
    assert_eq!(e.kind, ErrorKind::Throttled, "{e:?}");
    assert_names(&e, "Route 53", "ListResourceRecordSets", "us-east-1");
    assert!(e.message.contains("Rate exceeded"), "{}", e.message);
    assert_eq!(tally.calls, 1);

    // Route 53 GetHealthCheckStatus throttled: a partial failure; CloudWatch gives the verdict.
    let get_check = mock!(aws_sdk_route53::Client::get_health_check)
        .then_output(|| get_health_check_output("hc-1", false, false));
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_error(|| GetHealthCheckStatusError::generic(meta("Throttling", "Rate exceeded")));
    let mut table = MetricTable::new();
    table.insert(
        key(
            "AWS/Route53",
            "HealthCheckStatus",
            "HealthCheckId=hc-1",
            "Minimum",
        ),
        vec![(ago(1), 0.0)],
    );
    table.insert(
        key(
            "AWS/Route53",
            "HealthCheckPercentageHealthy",
            "HealthCheckId=hc-1",
            "Average",
        ),
        vec![(ago(1), 0.0)],
    );
    let (cloudwatch, _) = fake_cloudwatch(table);
    let b = backend(
        ONE_REGION,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&get_check, &status]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );
    let (tally, result) = fetch(&b, SourceKind::Health, "us-east-1").await;
    let entries = health(result);
    let partial = tally
        .partial
        .expect("the throttled status call is reported");
    assert_eq!(partial.kind, ErrorKind::Throttled);
    assert_names(&partial, "Route 53", "GetHealthCheckStatus", "us-east-1");
    let hc = check(&entries, "api", "us-east-1");
    assert_eq!(
        (hc.raw, hc.checkers_healthy_pct),
        (HealthStatus::Unhealthy, Some(0.0)),
        "from CloudWatch"
    );

    // CloudWatch GetMetricData ThrottlingException in a region: Lambda metrics unknown, the
    // configurations still there.
    let configs = function_configurations();
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(|| GetMetricDataError::generic(meta("ThrottlingException", "Rate exceeded")));
    let b = backend(
        ONE_REGION,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
                ..unused_region()
            },
        )],
    );
    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let entries = lambda(result);
    let partial = tally.partial.expect("metrics failure reported");
    assert_eq!(partial.kind, ErrorKind::Throttled);
    assert_names(&partial, "CloudWatch", "GetMetricData", "us-east-1");
    assert!(
        partial.message.contains("Lambda metrics unavailable"),
        "{}",
        partial.message
    );
    let f = function(&entries, "api", "api-fn");
    assert_eq!(
        (f.invocations, f.errors, f.p99_ms),
        (None, None, None),
        "unknown, not zero"
    );
    assert_eq!(f.code_sha256.as_deref(), Some("sha-api-fn"));

    // Lambda's own throttling code (TooManyRequestsException) on GetFunctionConfiguration.
    let configs = mock!(aws_sdk_lambda::Client::get_function_configuration).then_error(|| {
        GetFunctionConfigurationError::generic(meta("TooManyRequestsException", "Rate exceeded"))
    });
    let (cw, _) = fake_cloudwatch(MetricTable::new());
    let b = backend(
        ONE_REGION,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cw]),
                ..unused_region()
            },
        )],
    );
    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let f = function(&lambda(result), "api", "api-fn").clone();
    let partial = tally.partial.expect("configuration failure reported");
    assert_eq!(partial.kind, ErrorKind::Throttled);
    assert_names(&partial, "Lambda", "GetFunctionConfiguration", "us-east-1");
    assert_eq!((f.code_sha256, f.invocations), (None, Some(0)));

    // CodePipeline ThrottlingException: the fetch fails.
    let state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state).then_error(|| {
        GetPipelineStateError::generic(meta("ThrottlingException", "Rate exceeded"))
    });
    let b = backend(
        ONE_REGION,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                codepipeline: mocked!(aws_sdk_codepipeline, RuleMode::MatchAny, [&state]),
                ..unused_region()
            },
        )],
    );
    let (_, result) = fetch(&b, SourceKind::Pipeline, "us-east-1").await;
    let e = error(result);
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert_names(&e, "CodePipeline", "GetPipelineState", "us-east-1");
}

/// Why not moto: moto does not enforce IAM by default, so AccessDenied can only be injected.
#[tokio::test]
async fn access_denied_names_the_iam_action_route53_cloudwatch_codepipeline() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateError;
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckError;

    // Route 53 GetHealthCheck denied: the fetch fails.
    let get_check = mock!(aws_sdk_route53::Client::get_health_check).then_error(|| {
        GetHealthCheckError::generic(meta(
            "AccessDenied",
            "User: arn:aws:sts::111122223333:assumed-role/ops is not authorized",
        ))
    });
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_output(|| observations(healthy_of_8(8)));
    let (cw, _) = fake_cloudwatch(MetricTable::new());
    let b = backend(
        ONE_REGION,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&get_check, &status]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cw]),
            ..unused_control()
        },
        vec![],
    );
    let e = error(fetch(&b, SourceKind::Health, "us-east-1").await.1);
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_names(&e, "Route 53", "GetHealthCheck", "us-east-1");
    assert!(
        e.message.contains("route53:GetHealthCheck"),
        "{}",
        e.message
    );

    // CloudWatch GetMetricData denied: a partial failure naming cloudwatch:GetMetricData.
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(|| GetMetricDataError::generic(meta("AccessDenied", "not authorized")));
    let configs = function_configurations();
    let b = backend(
        ONE_REGION,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
                ..unused_region()
            },
        )],
    );
    let partial = fetch(&b, SourceKind::Lambda, "us-east-1")
        .await
        .0
        .partial
        .expect("partial");
    assert_eq!(partial.kind, ErrorKind::AccessDenied);
    assert!(
        partial.message.contains("cloudwatch:GetMetricData"),
        "{}",
        partial.message
    );

    // CodePipeline (JSON protocol, AccessDeniedException).
    let state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state).then_error(|| {
        GetPipelineStateError::generic(meta("AccessDeniedException", "not authorized"))
    });
    let b = backend(
        ONE_REGION,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                codepipeline: mocked!(aws_sdk_codepipeline, RuleMode::MatchAny, [&state]),
                ..unused_region()
            },
        )],
    );
    let e = error(fetch(&b, SourceKind::Pipeline, "us-east-1").await.1);
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert!(
        e.message.contains("codepipeline:GetPipelineState"),
        "{}",
        e.message
    );
}

/// Why not moto: no IAM enforcement in moto. S3's ListObjectVersions is authorised by the IAM
/// action `s3:ListBucketVersions` (the S3 API reference: "Be aware of the name difference").
#[tokio::test]
async fn access_denied_s3_list_object_versions_names_s3_list_bucket_versions() {
    use aws_sdk_s3::operation::get_bucket_replication::GetBucketReplicationError;
    use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsError;
    let list = mock!(aws_sdk_s3::Client::list_object_versions)
        .then_error(|| ListObjectVersionsError::generic(meta("AccessDenied", "Access Denied")));
    // Asked at the same time as the listing; denied as well, and not what the error names.
    let rules = mock!(aws_sdk_s3::Client::get_bucket_replication)
        .then_error(|| GetBucketReplicationError::generic(meta("AccessDenied", "Access Denied")));
    let b = backend(
        ONE_REGION,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&list, &rules]),
                ..unused_region()
            },
        )],
    );
    let e = error(fetch(&b, SourceKind::Replication, "us-east-1").await.1);
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_names(&e, "S3", "ListObjectVersions", "us-east-1");
    assert!(
        e.message.contains("api-artifacts-us-east-1"),
        "names the bucket: {}",
        e.message
    );
    assert!(
        e.message.contains("s3:ListBucketVersions"),
        "the IAM action is s3:ListBucketVersions: {}",
        e.message
    );
}

/// Why not moto: no IAM enforcement in moto. A denied HeadObject is a bare HTTP 403 with no body
/// (HEAD responses have none), so there is no error code to read; with a VersionId the IAM action
/// is `s3:GetObjectVersion` (S3 API reference, GetObject/HeadObject versionId).
#[tokio::test]
async fn access_denied_s3_head_object_403_without_body() {
    use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput;
    let list = mock!(aws_sdk_s3::Client::list_object_versions).then_output(|| {
        ListObjectVersionsOutput::builder()
            .versions(version("a.zip", "v-a", ago(5), "ea"))
            .is_truncated(false)
            .build()
    });
    let head = mock!(aws_sdk_s3::Client::head_object).then_http_response(|| {
        HttpResponse::new(StatusCode::try_from(403).unwrap(), SdkBody::empty())
    });
    let b = backend(
        ONE_REGION,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                s3: mocked!(
                    aws_sdk_s3,
                    RuleMode::MatchAny,
                    [&list, &head, &no_replication()]
                ),
                ..unused_region()
            },
        )],
    );
    let (tally, result) = fetch(&b, SourceKind::Replication, "us-east-1").await;
    let Ok(Payload::Replication(entries, _)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(entries[0].value[0].replication, None, "status unknown");
    let partial = tally.partial.expect("the denied HeadObject is reported");
    assert_names(&partial, "S3", "HeadObject", "us-east-1");
    assert_eq!(
        partial.kind,
        ErrorKind::AccessDenied,
        "a 403 is access denied: {}",
        partial.message
    );
    assert!(
        partial.message.contains("s3:GetObjectVersion"),
        "{}",
        partial.message
    );
}

/// Why not moto: no IAM enforcement in moto. API Gateway's management API is authorised by
/// HTTP-verb actions: reading domain names needs `apigateway:GET` (Service Authorization
/// Reference, Amazon API Gateway Management); there is no `apigateway:GetDomainNames`.
#[tokio::test]
async fn access_denied_apigateway_names_apigateway_get() {
    use aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesError;
    let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names).then_error(|| {
        GetDomainNamesError::generic(meta("AccessDeniedException", "not authorized"))
    });
    // The v2 listing and the zone's records run alongside the v1 listing.
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_error(|| {
        aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesError::generic(meta(
            "AccessDeniedException",
            "not authorized",
        ))
    });
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets).then_output(|| {
        aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput::builder()
            .set_resource_record_sets(Some(Vec::new()))
            .is_truncated(false)
            .max_items(100)
            .build()
            .unwrap()
    });
    let b = backend(
        ONE_REGION,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
            ..unused_control()
        },
        vec![(
            "us-east-1",
            RegionClients {
                apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&v1]),
                apigatewayv2: mocked!(aws_sdk_apigatewayv2, RuleMode::MatchAny, [&v2]),
                ..unused_region()
            },
        )],
    );
    let e = error(fetch(&b, SourceKind::Domains, "us-east-1").await.1);
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_names(&e, "API Gateway", "GetDomainNames", "us-east-1");
    assert!(e.message.contains("apigateway:GET"), "{}", e.message);
    assert!(
        !e.message.contains("apigateway:GetDomainNames"),
        "not an IAM action: {}",
        e.message
    );
}

/// The SDK's standard retry as `AwsBackend::connect` configures it (3 attempts), with a short
/// initial backoff so the test does not wait seconds.
fn standard_retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(20))
}

/// Why not moto: moto never throttles, so a throttled-then-OK sequence can only be injected.
#[tokio::test]
async fn standard_retry_recovers_from_one_throttle_and_gives_up_after_three() {
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckError;
    let throttled = || GetHealthCheckError::generic(meta("Throttling", "Rate exceeded"));

    // Throttled once, then OK: the fetch succeeds after 2 attempts.
    let get_check = mock!(aws_sdk_route53::Client::get_health_check)
        .sequence()
        .error(throttled)
        .output(|| get_health_check_output("hc-1", false, false))
        .build();
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_output(|| observations(healthy_of_8(8)));
    let (cw, _) = fake_cloudwatch(MetricTable::new());
    let b = backend(
        ONE_REGION,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&get_check, &status],
                standard_retry()
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cw]),
            ..unused_control()
        },
        vec![],
    );
    let (tally, result) = fetch(&b, SourceKind::Health, "us-east-1").await;
    let entries = health(result);
    assert_eq!(get_check.num_calls(), 2, "one throttled attempt, one retry");
    assert_eq!(
        check(&entries, "api", "us-east-1").raw,
        HealthStatus::Healthy
    );
    assert!(tally.partial.is_none(), "{:?}", tally.partial);

    // Throttled every time: 3 attempts, then a Throttled error.
    let get_check = mock!(aws_sdk_route53::Client::get_health_check)
        .sequence()
        .error(throttled)
        .times(3)
        .output(|| get_health_check_output("hc-1", false, false))
        .build();
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_output(|| observations(healthy_of_8(8)));
    let (cw, _) = fake_cloudwatch(MetricTable::new());
    let b = backend(
        ONE_REGION,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&get_check, &status],
                standard_retry()
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cw]),
            ..unused_control()
        },
        vec![],
    );
    let e = error(fetch(&b, SourceKind::Health, "us-east-1").await.1);
    assert_eq!(get_check.num_calls(), 3, "max attempts 3");
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert_names(&e, "Route 53", "GetHealthCheck", "us-east-1");
}

/// Why not moto: moto never throttles. S3 throttles with 503 Slow Down; on a HEAD the response
/// has no body, so there is no `SlowDown` code to read, only the status.
#[tokio::test]
async fn s3_head_object_503_without_body_is_throttled() {
    use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput;
    let list = mock!(aws_sdk_s3::Client::list_object_versions).then_output(|| {
        ListObjectVersionsOutput::builder()
            .versions(version("a.zip", "v-a", ago(5), "ea"))
            .is_truncated(false)
            .build()
    });
    let head = mock!(aws_sdk_s3::Client::head_object).then_http_response(|| {
        HttpResponse::new(StatusCode::try_from(503).unwrap(), SdkBody::empty())
    });
    let b = backend(
        ONE_REGION,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                s3: mocked!(
                    aws_sdk_s3,
                    RuleMode::MatchAny,
                    [&list, &head, &no_replication()]
                ),
                ..unused_region()
            },
        )],
    );
    let (tally, _) = fetch(&b, SourceKind::Replication, "us-east-1").await;
    let partial = tally.partial.expect("the throttled HeadObject is reported");
    assert_names(&partial, "S3", "HeadObject", "us-east-1");
    assert_eq!(
        partial.kind,
        ErrorKind::Throttled,
        "a bodiless 503 from S3 is Slow Down: {}",
        partial.message
    );
}

/// The source bucket has no replication configuration (S3's answer when none is set).
fn no_replication() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_s3::Client::get_bucket_replication).then_error(|| {
        aws_sdk_s3::operation::get_bucket_replication::GetBucketReplicationError::generic(meta(
            "ReplicationConfigurationNotFoundError",
            "The replication configuration was not found",
        ))
    })
}
