//! CloudWatch GetMetricData for Lambda, and the functions' configurations.

use super::*;

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
                ..no_domains_region()
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
        84 + 2 + 2,
        "84 GetFunctionConfiguration + 2 GetMetricData + API Gateway v1 and v2 GetDomainNames \
         (no custom domain, so no integrations to read)"
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

/// alpha (busy, idle) and beta (sparse) in us-east-1, gamma elsewhere; CloudWatch answers busy
/// every minute, nothing for idle, and only Invocations for sparse.
///
/// Why not moto: no CloudWatch call from the Rust SDK works against moto (CBOR protocol, 404);
/// even over JSON moto has no percentiles (p99) to return.
struct Stats {
    b: AwsBackend,
    configs: aws_smithy_mocks::Rule,
    metrics: std::sync::Arc<std::sync::Mutex<Vec<aws_mocks_support::SeenCall>>>,
}

fn stats() -> Stats {
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
                ..no_domains_region()
            },
        )],
    );
    Stats {
        b,
        configs,
        metrics: log,
    }
}

/// The stats fleet fetched once in us-east-1: the functions by service, and the calls made.
async fn stats_fetched() -> (Stats, Vec<Entry<Vec<FunctionStats>>>, Tally) {
    let s = stats();
    let (tally, result) = fetch(&s.b, SourceKind::Lambda, "us-east-1").await;
    let entries = lambda(result);
    (s, entries, tally)
}

/// One GetFunctionConfiguration per function of the region, one GetMetricData for them all.
#[tokio::test]
async fn lambda_reads_each_configuration_and_one_batch_of_metrics() {
    let (s, _, tally) = stats_fetched().await;
    assert_eq!(
        tally.calls,
        3 + 1 + 2,
        "3 GetFunctionConfiguration (not gamma's) + 1 GetMetricData + API Gateway v1 and v2 \
         GetDomainNames (no custom domain, so no integrations to read)"
    );
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    assert_eq!(s.configs.num_calls(), 3);
}

/// Lambda Developer Guide, "Types of metrics": per-minute AWS/Lambda metrics by FunctionName
/// over the last 30 minutes, p99 and Average of Duration, Maximum of ConcurrentExecutions.
#[tokio::test]
async fn lambda_asks_each_functions_metrics_per_minute_over_30_minutes() {
    let (s, _, _) = stats_fetched().await;
    let log = s.metrics.lock().unwrap().clone();
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
}

#[tokio::test]
async fn lambda_functions_are_grouped_by_service() {
    let (_, entries, _) = stats_fetched().await;
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
}

/// The 5-minute window: sums of the counts, the worst minute's p99, the invocation-weighted
/// mean duration, the peak concurrency; with the configuration's memory and code.
#[tokio::test]
async fn lambda_window_stats_of_a_busy_function() {
    let (_, entries, _) = stats_fetched().await;
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
}

/// One error rate a minute over 30 minutes, oldest first: minute i is [11:30 + i, 11:31 + i).
#[tokio::test]
async fn lambda_error_rate_history_is_one_value_a_minute() {
    let (_, entries, _) = stats_fetched().await;
    let busy = function(&entries, "alpha", "busy");
    let mut expected = vec![Some(0.0); 30];
    expected[10] = Some(20.0); // 11:40: 20 of 100
    expected[27] = Some(10.0); // 11:57
    expected[29] = Some(5.0); // 11:59
    assert_eq!(busy.error_rate_history, expected);
}

/// Lambda Developer Guide, "Types of metrics": zero invocations means no error rate, not 0 %;
/// Lambda publishes nothing for a function without invocations, so the counts are zero.
#[tokio::test]
async fn lambda_zero_invocations_have_no_error_rate() {
    let (_, entries, _) = stats_fetched().await;
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
}

/// Missing series: absent counts are 0, absent latency and concurrency unknown.
#[tokio::test]
async fn lambda_missing_series_count_zero_and_leave_latency_unknown() {
    let (_, entries, _) = stats_fetched().await;
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

/// GetFunctionConfiguration failing while the metrics arrive: the functions are still listed,
/// with their figures, their code unknown (never made up), and the failure is the source's
/// partial error. (tests/faults/silent_endpoint.rs has Lambda silent against moto, where the
/// metrics cannot arrive either: that fetch fails whole.)
#[tokio::test]
async fn lambda_configurations_failing_keep_the_metrics_and_leave_the_code_unknown() {
    let toml = r#"
[[service]]
name = "alpha"
domain = "alpha.example.com"
hosted_zone_id = "ZALPHA"
regions = ["us-east-1"]
functions = ["busy"]
"#;
    let configs =
        mock!(aws_sdk_lambda::Client::get_function_configuration).then_http_response(|| {
            HttpResponse::new(StatusCode::try_from(500).unwrap(), SdkBody::empty())
        });
    let mut table = MetricTable::new();
    table.insert(
        key("AWS/Lambda", "Invocations", "FunctionName=busy", "Sum"),
        vec![(ago(2), 100.0)],
    );
    let (cloudwatch, _) = fake_cloudwatch(table);
    let b = backend(
        toml,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
                ..no_domains_region()
            },
        )],
    );
    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let entries = lambda(result);
    let busy = &entries[0].value[0];
    assert_eq!(busy.name, "busy");
    assert_eq!(busy.invocations, Some(100));
    assert_eq!(busy.code_sha256, None);
    let partial = tally
        .partial
        .expect("the configuration's failure is reported");
    assert!(
        partial.message.contains("GetFunctionConfiguration"),
        "{}",
        partial.message
    );
}
