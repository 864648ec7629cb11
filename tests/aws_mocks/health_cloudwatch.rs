//! Route 53 health verdicts beyond the GetHealthCheckStatus budget: from CloudWatch, and the
//! budget's rotation over every check.

use super::health::{get_health_check_output, healthy_of_8, listing, observations};
use super::*;

/// Five checks, one region each, configured by ID; every checker healthy. The fifth region's
/// check is inverted and beyond the GetHealthCheckStatus budget of 4 on the first refresh, so its
/// verdict comes from CloudWatch: HealthCheckPercentageHealthy 100 % (the checkers' raw share)
/// and HealthCheckStatus 0 (Route 53's assessment: unhealthy, as the check is inverted).
///
/// Why mocks: moto's GetHealthCheckStatus always answers one "Success" observation, and
/// CloudWatch cannot be read from moto with the Rust SDK (its CBOR protocol is not served).
struct FiveChecks {
    b: AwsBackend,
    asked: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

const FIVE: [(&str, &str); 5] = [
    ("us-east-1", "hc-a"),
    ("us-west-2", "hc-b"),
    ("eu-west-1", "hc-c"),
    ("eu-central-1", "hc-d"),
    ("ap-southeast-2", "hc-e"),
];

fn five_checks(status_metric: f64, pct_metric: f64, age_minutes: i64) -> FiveChecks {
    let toml = r#"
[[service]]
name = "five"
domain = "five.example.com"
hosted_zone_id = "ZFIVE"
regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
functions = ["five-fn"]
health_checks = { "us-east-1" = "hc-a", "us-west-2" = "hc-b", "eu-west-1" = "hc-c", "eu-central-1" = "hc-d", "ap-southeast-2" = "hc-e" }
"#;
    let list = listing(
        FIVE.iter()
            .map(|(_, id)| get_health_check_output(id, *id == "hc-e", false))
            .collect(),
    );
    let asked: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let seen = asked.clone();
    let status =
        mock!(aws_sdk_route53::Client::get_health_check_status).then_compute_output(move |r| {
            seen.lock()
                .unwrap()
                .push(r.health_check_id().unwrap_or("").to_string());
            observations(healthy_of_8(8))
        });
    let mut table = MetricTable::new();
    let dim = "HealthCheckId=hc-e".to_string();
    table.insert(
        key("AWS/Route53", "HealthCheckStatus", &dim, "Minimum"),
        vec![(ago(age_minutes), status_metric)],
    );
    table.insert(
        key(
            "AWS/Route53",
            "HealthCheckPercentageHealthy",
            &dim,
            "Average",
        ),
        vec![(ago(age_minutes), pct_metric)],
    );
    let (cloudwatch, _log) = fake_cloudwatch(table);
    let b = backend(
        toml,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&list, &status]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );
    FiveChecks { b, asked }
}

/// Route 53 Developer Guide, "Monitoring health checks using CloudWatch", and "How Amazon Route
/// 53 determines whether a health check is healthy": HealthCheckPercentageHealthy is the
/// checkers' share (healthy above 18 %); HealthCheckStatus is Route 53's assessment, and whether
/// it is taken before or after Inverted is not documented. Read as after inversion, it agrees
/// here with 100 % healthy and Inverted: the check counts unhealthy. Before, the status metric
/// was taken as the raw verdict and inverted again, so this check read healthy and serving.
#[tokio::test]
async fn a_cloudwatch_verdict_is_not_inverted_twice() {
    let f = five_checks(0.0, 100.0, 1);
    let (_, result) = fetch(&f.b, SourceKind::Health, "us-east-1").await;
    let entries = health(result);
    let e = check(&entries, "five", "ap-southeast-2");
    assert!(e.observations.is_empty(), "beyond the status budget");
    assert_eq!(
        (e.raw, e.inverted, e.effective()),
        (HealthStatus::Healthy, true, HealthStatus::Unhealthy)
    );
    assert_eq!(e.checkers_healthy_pct, Some(100.0));
    assert_eq!(e.verdict_from, VerdictFrom::Metrics { at: ago(1) });
}

/// The two metrics disagree with the flags (HealthCheckStatus healthy, 100 % healthy, but the
/// check is inverted): the verdict is unknown, with the reason, not a guess.
#[tokio::test]
async fn cloudwatch_metrics_that_disagree_with_the_flags_are_unknown_with_a_reason() {
    let f = five_checks(1.0, 100.0, 1);
    let (_, result) = fetch(&f.b, SourceKind::Health, "us-east-1").await;
    let e = check(&health(result), "five", "ap-southeast-2").clone();
    assert_eq!(
        (e.raw, e.effective()),
        (HealthStatus::Unknown, HealthStatus::Unknown)
    );
    assert!(
        e.verdict_note
            .as_deref()
            .unwrap_or("")
            .contains("HealthCheckStatus says healthy"),
        "{:?}",
        e.verdict_note
    );
}

/// A data point more than 3 minutes old is not a current verdict.
#[tokio::test]
async fn a_cloudwatch_data_point_older_than_3_minutes_is_not_a_verdict() {
    let f = five_checks(0.0, 100.0, 5);
    let (_, result) = fetch(&f.b, SourceKind::Health, "us-east-1").await;
    let e = check(&health(result), "five", "ap-southeast-2").clone();
    assert_eq!(e.raw, HealthStatus::Unknown);
    assert!(
        e.verdict_note.as_deref().unwrap_or("").contains("300s old"),
        "{:?}",
        e.verdict_note
    );
}

/// The GetHealthCheckStatus budget rotates: the first refresh asks the first four checks, the
/// next starts at the fifth (before, the same first four were asked on every refresh and the
/// fifth always depended on CloudWatch).
#[tokio::test]
async fn the_status_budget_rotates_over_every_check() {
    let mut f = five_checks(0.0, 100.0, 1);
    // A budget of 4 that refills in 4 × 150 ms instead of Route 53's seconds.
    f.b =
        f.b.with_status_budget(4, std::time::Duration::from_millis(150));
    let (_, result) = fetch(&f.b, SourceKind::Health, "us-east-1").await;
    health(result);
    let first: BTreeSet<String> = f.asked.lock().unwrap().drain(..).collect();
    assert_eq!(first.len(), 4);
    assert!(!first.contains("hc-e"), "{first:?}");
    // The budget refills; the next refresh starts at hc-e.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let (_, result) = fetch(&f.b, SourceKind::Health, "us-east-1").await;
    let entries = health(result);
    let second: Vec<String> = f.asked.lock().unwrap().clone();
    assert_eq!(
        second.first().map(String::as_str),
        Some("hc-e"),
        "{second:?}"
    );
    let e = check(&entries, "five", "ap-southeast-2");
    assert!(matches!(e.verdict_from, VerdictFrom::Checkers { .. }));
    assert_eq!(e.observations.len(), 8);
}
