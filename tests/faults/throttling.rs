//! (b) Throttling: the poller backs off.

use super::*;

/// Why mocks: moto never throttles. Every Route 53 and CloudWatch call answers `Throttling`
/// (retries off, so each rule's call count is the calls the source made); the health source is
/// polled every 50 ms for 2 s of real time. Asserted: every Fetched is a Throttled error naming
/// Route 53; the number of fetches is at most what `poll::next_wait`'s backoff allows in the
/// window as it really was (6 for 2 s: 0, 50, 150, 350, 750, 1550 ms), which is far below the 41
/// polls of a 50 ms interval without backoff; at least one retry happened; and the API calls the
/// mocks saw match the fetches (2 GetHealthCheck and 1 GetMetricData each, GetHealthCheckStatus
/// within its budget).
#[tokio::test]
async fn a_throttled_source_backs_off_instead_of_polling_at_its_interval() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckError;
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusError;
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsError;

    let throttled = || meta("Throttling", "Rate exceeded");
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .then_error(move || ListResourceRecordSetsError::generic(throttled()));
    let get_check = mock!(aws_sdk_route53::Client::get_health_check)
        .then_error(move || GetHealthCheckError::generic(throttled()));
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_error(move || GetHealthCheckStatusError::generic(throttled()));
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(move || GetMetricDataError::generic(throttled()));
    let b = backend(
        TWO_REGIONS,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&records, &get_check, &status]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        },
        vec![],
    );
    let mut plan: Vec<SourceSpec> = b
        .schedule()
        .into_iter()
        .filter(|s| s.key.kind == SourceKind::Health)
        .collect();
    assert_eq!(plan.len(), 1, "{plan:?}");
    plan[0].interval = INTERVAL;

    let (fetched, window) = run_pollers(Backend::Aws(b), plan, WINDOW).await;

    for f in &fetched {
        assert_eq!(f.key.to_string(), "route53@us-east-1");
        let Err(e) = &f.result else {
            panic!("a fetch succeeded: {f:?}")
        };
        assert_eq!(e.kind, ErrorKind::Throttled, "{e:?}");
        assert!(
            e.message.contains("Route 53 GetHealthCheck in us-east-1"),
            "{}",
            e.message
        );
    }
    let n = fetched.len();
    let bound = max_failing_fetches(INTERVAL, window);
    let without_backoff = 1 + (window.as_millis() / INTERVAL.as_millis()) as usize;
    assert!(
        bound * 4 <= without_backoff,
        "next_wait's backoff allows {bound} fetches in {window:?}; a {INTERVAL:?} interval {without_backoff}"
    );
    assert!(
        n <= bound,
        "{n} fetches in {window:?}: more than the {bound} that backoff allows (interval-driven: {without_backoff})"
    );
    assert!(
        n >= 2,
        "the source retried after its first failure ({n} fetches)"
    );

    // The calls the mocks saw. A fetch cut short when the pollers stopped may have made its
    // calls without sending its result: hence `n + 1` as the upper end.
    assert_eq!(records.num_calls(), 0, "the IDs come from the config");
    let checks = get_check.num_calls();
    assert!(
        (2 * n..=2 * (n + 1)).contains(&checks),
        "{checks} GetHealthCheck for {n} fetches"
    );
    let cw = metrics.num_calls();
    assert!(
        (n..=n + 1).contains(&cw),
        "{cw} GetMetricData for {n} fetches"
    );
    assert!(
        status.num_calls() <= 2 * (n + 1),
        "{} GetHealthCheckStatus",
        status.num_calls()
    );
}

/// Why mocks: moto never throttles. Every Lambda and CloudWatch call of a region answers a
/// throttling error; the `lambda` source is polled every 50 ms for 2 s.
///
/// Ignored: a source bug. `lambda::fetch` turns failed GetFunctionConfiguration calls and a
/// failed GetMetricData into a *partial* error of an `Ok` payload (with every value unknown), so
/// the poller counts it as a success: no backoff, the throttled APIs are called at the full
/// interval (about 40 fetches in 2 s here instead of at most 6), and the last good data is
/// replaced by unknowns instead of being kept and marked stale. (The simulation reports a
/// throttled CloudWatch as a failed `lambda` source: `throttled-api`.)
#[tokio::test]
async fn a_lambda_source_whose_every_call_is_throttled_backs_off_too() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationError;

    let configs = mock!(aws_sdk_lambda::Client::get_function_configuration).then_error(|| {
        GetFunctionConfigurationError::generic(meta("TooManyRequestsException", "Rate exceeded"))
    });
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(|| GetMetricDataError::generic(meta("Throttling", "Rate exceeded")));
    let b = backend(
        TWO_REGIONS,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
                ..no_domains_region()
            },
        )],
    );
    let mut plan: Vec<SourceSpec> = b
        .schedule()
        .into_iter()
        .filter(|s| s.key.kind == SourceKind::Lambda && s.key.region == "us-east-1")
        .collect();
    assert_eq!(plan.len(), 1, "{plan:?}");
    plan[0].interval = INTERVAL;

    let (fetched, window) = run_pollers(Backend::Aws(b), plan, WINDOW).await;

    for f in &fetched {
        let e = f.result.as_ref().err().or(f.partial.as_ref());
        assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Throttled), "{f:?}");
    }
    let bound = max_failing_fetches(INTERVAL, window);
    assert!(
        fetched.len() <= bound,
        "{} fetches in {window:?}: more than the {bound} that backoff allows",
        fetched.len()
    );
}
