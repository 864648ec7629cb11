//! (e) The Route 53 API silent (the us-east-1 control plane impaired), every other API in moto:
//! nothing but what depends on Route 53 is lost (issue "dataplane", item 1).

use super::*;
use moto_support::FUNCTIONS;

/// `AWS_ENDPOINT_URL_ROUTE_53` points at a [`SilentListener`] (it accepts TCP connections and
/// never answers: no HTTP at all), everything else at moto (`AWS_ENDPOINT_URL`); the config has
/// two regions and no `endpoint_url`. What AWS documents for this (Route 53 API reference:
/// ListResourceRecordSets, GetHealthCheck and GetHealthCheckStatus are control-plane calls, served
/// from us-east-1; "AWS Fault Isolation Boundaries", Route 53 appendix: the control plane may be
/// impaired while DNS and API Gateway answer) is what is asserted:
/// - the custom domains and mappings of every region are in the snapshot, their Route 53 record
///   and drift unknown (null), and each region's `apigateway` source names the records' error;
/// - the `route53` source failed with that error too, and health is unknown (no region is
///   reported healthy, no serving region is claimed);
/// - the snapshot exits 1 (README, "Commands": 1 if any source failed);
/// - it did not hang: it returned within one fetch budget (`FETCH_TIMEOUT`, every source is
///   fetched once and at once) plus a margin for starting the process. This is a bound that proves
///   the silent endpoint cannot hold the snapshot, not a speed target (scripts/
///   bench-silent-route53.sh measures the wall time).
#[tokio::test]
async fn a_silent_route53_api_loses_only_what_depends_on_it() {
    let SilentRun {
        moto: _moto,
        world,
        snap,
        exit,
        stderr,
        elapsed,
        accepted,
        ..
    } = snapshot_with_silent("AWS_ENDPOINT_URL_ROUTE_53", Duration::from_secs(120)).await;
    assert!(
        accepted >= 1,
        "the Route 53 client never connected to AWS_ENDPOINT_URL_ROUTE_53"
    );
    // Not a speed target: the bound that shows the silent endpoint did not hold the snapshot
    // past its one fetch budget (plus starting the process and reading the config).
    let budget = switchyard::source::aws::FETCH_TIMEOUT + Duration::from_secs(15);
    assert!(
        elapsed <= budget,
        "the snapshot took {elapsed:?}, past its fetch budget ({budget:?})"
    );
    assert_eq!(exit, Some(1), "{stderr}");

    // The records' error is each region's `apigateway` partial error, and the health source's.
    for r in REGIONS {
        let error = source(&snap, "apigateway", r)["error"]
            .as_str()
            .unwrap_or_else(|| panic!("apigateway@{r}: no error in {:#}", snap["sources"]));
        assert!(
            error.starts_with(&format!(
                "Route 53 records of zone {} unavailable (DNS drift unknown):",
                world.zone_id
            )) && error.contains("ListResourceRecordSets"),
            "apigateway@{r}: {error}"
        );
        assert!(source(&snap, "apigateway", r)["fetched_at"].is_string());
    }
    let health = source(&snap, "route53", PRIMARY);
    let error = health["error"].as_str().unwrap();
    assert!(error.contains("ListResourceRecordSets"), "{error}");
    // Nothing else failed: S3 and API Gateway answered from moto. (Lambda's metrics are
    // CloudWatch, which moto cannot serve to the Rust SDK: its partial error names CloudWatch.)
    for s in snap["sources"].as_array().unwrap() {
        let error = s["error"].as_str().unwrap_or("");
        match s["source"].as_str().unwrap() {
            "route53" | "apigateway" => {}
            "lambda" => assert!(error.contains("CloudWatch"), "{s}"),
            _ => assert!(s["error"].is_null(), "{s}"),
        }
    }

    let sample = service(&snap, SERVICE);
    // Which region serves cannot be told without the health checks.
    assert!(sample["serving_region"].is_null(), "{sample:#}");
    for r in REGIONS {
        let region = region(sample, r);
        let regional = regional_name(r);
        assert_eq!(
            region["domains"],
            json!([
                rest_domain(
                    DOMAIN,
                    world.target(r, DOMAIN),
                    world.api_id(r),
                    &["", "v1"],
                    false,
                ),
                rest_domain(
                    &regional,
                    world.target(r, &regional),
                    world.api_id(r),
                    &[""],
                    false,
                ),
            ]),
            "{r}"
        );
        // Health unknown: no health at all (null), or a status that is not healthy.
        let health = &region["health"];
        assert!(
            health.is_null()
                || (health["effective_status"] == "unknown" && health["status"] == "unknown"),
            "{r}: {health}"
        );
        // The data plane's other sources are whole.
        let artifacts = region["artifacts"].as_array().unwrap();
        assert_eq!(artifacts.len(), 1, "{r}: {artifacts:?}");
        let functions = region["functions"].as_array().unwrap();
        assert_eq!(functions.len(), FUNCTIONS.len(), "{r}: {functions:?}");
        for f in functions {
            assert_eq!(f["code_sha256"], world.code(r, f["name"].as_str().unwrap()));
        }
    }
    // No DNS drift is claimed from records that were never read.
    assert!(
        findings(sample).iter().all(|f| f.1 != "dns_drift"),
        "{:?}",
        findings(sample)
    );
}

/// A Route 53 client as `AwsBackend::connect` makes it (3 attempts; 3 s to connect, 8 s a
/// socket read and an attempt, 15 s a call), pointed at `silent`.
fn route53_at(silent: &SilentListener) -> aws_sdk_route53::Client {
    use aws_sdk_route53::config::retry::RetryConfig;
    use aws_sdk_route53::config::timeout::TimeoutConfig;
    aws_sdk_route53::Client::from_conf(
        aws_sdk_route53::config::Builder::new()
            .behavior_version(aws_sdk_route53::config::BehaviorVersion::latest())
            .region(aws_sdk_route53::config::Region::new("us-east-1"))
            .endpoint_url(silent.url())
            .credentials_provider(aws_sdk_route53::config::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .retry_config(RetryConfig::adaptive().with_max_attempts(3))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .read_timeout(Duration::from_secs(8))
                    .operation_attempt_timeout(Duration::from_secs(8))
                    .operation_timeout(Duration::from_secs(15))
                    .build(),
            )
            .build(),
    )
}

/// The Route 53 reads' own budget (`ROUTE53_READ_ATTEMPT` an attempt within
/// `ROUTE53_READ_BUDGET`), and one attempt per read once a read timed out. Two checks named in
/// the config: a health fetch is GetHealthCheck and GetHealthCheckStatus for each (4 reads at
/// once), against a Route 53 endpoint that accepts connections and never answers; CloudWatch
/// answers (a mock). Each attempt that times out drops its connection, so the listener counts
/// attempts.
/// - First fetch: each read gives up within its budget (a bound well under the SDK-wide 15 s
///   shows which budget applied: not a speed target), at most budget / attempt = 2 attempts a
///   read; the checks are kept with their flags unknown and the timeout is the partial error.
/// - Second fetch: one attempt per read (4 connections), not three, while Route 53 is silent.
#[tokio::test]
async fn a_silent_route53_is_read_within_its_own_budget_and_not_hammered() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
    use switchyard::source::aws::{ROUTE53_READ_ATTEMPT, ROUTE53_READ_BUDGET};
    let silent = SilentListener::start();
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_output(|| GetMetricDataOutput::builder().build());
    let b = backend(
        TWO_REGIONS,
        ControlClients {
            route53: route53_at(&silent),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        },
        vec![],
    );
    let key = switchyard::source::SourceKey::new(SourceKind::Health, "us-east-1");
    let reads = 4;

    let started = std::time::Instant::now();
    let (tally, result) = b.fetch(&key, now()).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(15),
        "the reads gave up within their budget ({ROUTE53_READ_BUDGET:?}), not the SDK-wide \
         15 s: {took:?}"
    );
    let attempts = silent.accepted();
    let most = reads * (ROUTE53_READ_BUDGET.as_secs() / ROUTE53_READ_ATTEMPT.as_secs()) as usize;
    assert!(
        (reads..=most).contains(&attempts),
        "{attempts} attempts for {reads} reads"
    );
    let Ok(switchyard::source::Payload::Health(checks)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(checks.len(), 2);
    assert!(checks.iter().all(|c| c.value.flags_unknown), "{checks:?}");
    let e = tally.partial.expect("the timeout as the partial error");
    assert_eq!(e.kind, ErrorKind::Timeout, "{}", e.message);

    let (tally, _) = b.fetch(&key, now()).await;
    assert_eq!(
        silent.accepted() - attempts,
        reads,
        "one attempt per read while Route 53 is silent"
    );
    assert_eq!(tally.partial.map(|e| e.kind), Some(ErrorKind::Timeout));
}
