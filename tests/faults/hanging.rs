//! (e) A hanging source does not hold up the others.

use super::*;

/// Lambda in us-east-1 answers nothing (its client points at a silent listener) while Route 53
/// and CloudWatch (the control region's and us-east-1's) answer at once (mocks). Both sources poll every 100 ms; the Lambda fetch has a
/// 1 s budget. Asserted over 3 s: health keeps arriving on its schedule (never a gap near the
/// hang's length), every Lambda result is a timeout naming the source, and the poller gave up
/// on the hang at its budget instead of waiting for it. The console's keys run on the app loop,
/// which only receives these messages, so they cannot wait on the hang either.
#[tokio::test]
async fn a_hanging_source_does_not_hold_up_the_others() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput;
    use aws_sdk_route53::types::{HealthCheck, HealthCheckConfig, HealthCheckType};

    let silent = SilentListener::start();
    let check = mock!(aws_sdk_route53::Client::get_health_check).then_output(|| {
        aws_sdk_route53::operation::get_health_check::GetHealthCheckOutput::builder()
            .health_check(
                HealthCheck::builder()
                    .id("hc")
                    .caller_reference("ref")
                    .health_check_version(1)
                    .health_check_config(
                        HealthCheckConfig::builder()
                            .r#type(HealthCheckType::Https)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let status = mock!(aws_sdk_route53::Client::get_health_check_status).then_output(|| {
        GetHealthCheckStatusOutput::builder()
            .set_health_check_observations(Some(Vec::new()))
            .build()
            .unwrap()
    });
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_output(|| GetMetricDataOutput::builder().build());
    let lambda = aws_sdk_lambda::Client::from_conf(
        aws_sdk_lambda::config::Builder::new()
            .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
            .region(aws_sdk_lambda::config::Region::new("us-east-1"))
            .endpoint_url(format!("http://127.0.0.1:{}", silent.port))
            .credentials_provider(aws_sdk_lambda::config::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .retry_config(aws_sdk_lambda::config::retry::RetryConfig::disabled())
            .build(),
    );
    let b = backend(
        TWO_REGIONS,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&check, &status]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        },
        vec![(
            "us-east-1",
            RegionClients {
                lambda,
                // The region's metrics are asked with the configurations, and answer.
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
                ..no_domains_region()
            },
        )],
    );
    let interval = Duration::from_millis(100);
    let budget = Duration::from_secs(1);
    let plan: Vec<SourceSpec> = b
        .schedule()
        .into_iter()
        .filter(|s| {
            s.key.kind == SourceKind::Health
                || (s.key.kind == SourceKind::Lambda && s.key.region == "us-east-1")
        })
        .map(|mut s| {
            s.interval = interval;
            s.timeout = budget;
            s
        })
        .collect();
    assert_eq!(plan.len(), 2, "{plan:?}");

    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let started = tokio::time::Instant::now();
    let poller = Poller::start(Arc::new(Backend::Aws(b)), plan, Clock::fixed(now()), tx);
    let mut health_at = Vec::new();
    let mut lambda = Vec::new();
    while let Ok(Some(msg)) =
        tokio::time::timeout_at(started + Duration::from_secs(3), rx.recv()).await
    {
        let f = unwrap_fetched(msg);
        match f.key.kind {
            SourceKind::Health => {
                assert!(f.result.is_ok(), "{f:?}");
                health_at.push(started.elapsed());
            }
            _ => lambda.push(f),
        }
    }
    drop(poller);

    assert!(health_at.len() >= 10, "health stalled: {health_at:?}");
    let longest_gap = health_at.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(
        longest_gap < budget / 2,
        "health waited on the hang: gap {longest_gap:?} in {health_at:?}"
    );
    assert!(!lambda.is_empty(), "the hanging fetch never timed out");
    for f in &lambda {
        let e = f.result.as_ref().err().unwrap_or_else(|| panic!("{f:?}"));
        assert_eq!(e.kind, ErrorKind::Timeout, "{e:?}");
        assert!(e.message.contains("lambda@us-east-1"), "{}", e.message);
    }
    assert!(
        silent.accepted() >= 1,
        "the Lambda client never reached the listener"
    );
}
