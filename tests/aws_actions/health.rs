//! Route 53 UpdateHealthCheck: a stale HealthCheckVersion; read-only mode.

use super::*;

const HEALTH_TOML: &str = r#"
[[service]]
name = "sample"
domain = "sample.example.com"
hosted_zone_id = "ZSAMPLE"
regions = ["us-east-1", "us-west-2"]
functions = ["sample-api"]
health_checks = { "us-east-1" = "hc-east", "us-west-2" = "hc-west" }
"#;

/// The checker regions configured on hc-east (not Route 53's default set).
const EAST_CHECKERS: [&str; 3] = ["us-east-1", "us-west-1", "eu-west-1"];

/// GetHealthCheck: hc-east at HealthCheckVersion 7 with three checker regions, hc-west at 4
/// with the default checkers; neither inverted.
/// GetHealthCheck; the checks named in `inverted` read Inverted=true.
fn get_health_check_rule(inverted: Seen<String>) -> aws_smithy_mocks::Rule {
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckOutput;
    use aws_sdk_route53::types::{
        HealthCheck as R53Check, HealthCheckConfig, HealthCheckRegion, HealthCheckType,
    };
    mock!(aws_sdk_route53::Client::get_health_check).then_compute_output(move |r| {
        let id = r.health_check_id().unwrap_or("");
        let (version, regions): (i64, &[&str]) = match id {
            "hc-east" => (7, &EAST_CHECKERS),
            "hc-west" => (4, &[]),
            other => panic!("GetHealthCheck for an unexpected id {other:?}"),
        };
        let config = HealthCheckConfig::builder()
            .r#type(HealthCheckType::Https)
            .fully_qualified_domain_name(format!("{id}.sample.example.com"))
            .resource_path("/health")
            .inverted(seen(&inverted).iter().any(|i| i == id))
            .disabled(false)
            .set_regions((!regions.is_empty()).then(|| {
                regions
                    .iter()
                    .map(|r| HealthCheckRegion::from(*r))
                    .collect()
            }))
            .build()
            .unwrap();
        GetHealthCheckOutput::builder()
            .health_check(
                R53Check::builder()
                    .id(id)
                    .caller_reference(format!("ref-{id}"))
                    .health_check_version(version)
                    .health_check_config(config)
                    .build()
                    .unwrap(),
            )
            .build()
    })
}

/// GetHealthCheckStatus: every checker says healthy.
fn all_healthy_rule() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_route53::Client::get_health_check_status).then_output(all_healthy)
}

fn all_healthy() -> aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput
{
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput;
    use aws_sdk_route53::types::{HealthCheckObservation, HealthCheckRegion, StatusReport};
    let mut out = GetHealthCheckStatusOutput::builder();
    for region in EAST_CHECKERS {
        out = out.health_check_observations(
            HealthCheckObservation::builder()
                .region(HealthCheckRegion::from(region))
                .ip_address("15.177.0.1")
                .status_report(
                    StatusReport::builder()
                        .status("Success: HTTP Status Code 200, OK")
                        .checked_time(aws_mocks_support::sdk_time(ago(1)))
                        .build(),
                )
                .build(),
        );
    }
    out.build().unwrap()
}

/// Route 53's answer to an UpdateHealthCheck whose HealthCheckVersion is not the current one
/// (HTTP 409, restXml wrapped error).
fn version_mismatch() -> HttpResponse {
    http(
        409,
        "text/xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>HealthCheckVersionMismatch</Code><Message>The value of HealthCheckVersion in the request doesn't match the value of HealthCheckVersion in the health check.</Message></Error><RequestId>3f6a1b2c-0000-4000-8000-000000000001</RequestId></ErrorResponse>"#,
    )
}

struct HealthMocks {
    get: aws_smithy_mocks::Rule,
    update: aws_smithy_mocks::Rule,
    updates: Seen<aws_sdk_route53::operation::update_health_check::UpdateHealthCheckInput>,
}

/// The backend over mocked Route 53 (UpdateHealthCheck answering HealthCheckVersionMismatch)
/// and CloudWatch; `read_only` as the config says.
fn health_backend(read_only: bool) -> (AwsBackend, HealthMocks) {
    let updates: Seen<_> = Arc::default();
    let log = Arc::clone(&updates);
    let update =
        mock!(aws_sdk_route53::Client::update_health_check).then_compute_response(move |input| {
            record(&log, input.clone());
            MockResponse::Http(version_mismatch())
        });
    let get = get_health_check_rule(Arc::default());
    let status = all_healthy_rule();
    let (cloudwatch, _) = fake_cloudwatch(aws_mocks_support::MetricTable::new());
    let toml = if read_only {
        format!("read_only = true\n{HEALTH_TOML}")
    } else {
        HEALTH_TOML.to_string()
    };
    let b = backend(
        &toml,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&get, &status, &update]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );
    assert_eq!(b.config().read_only, read_only);
    (
        b,
        HealthMocks {
            get,
            update,
            updates,
        },
    )
}

/// The fleet after the real health fetch (GetHealthCheck gives the versions and regions).
async fn health_state(b: &Backend) -> Fleet {
    let mut fleet = empty_fleet(b);
    let health = b
        .fetch(&SourceKey::new(SourceKind::Health, "us-east-1"), now())
        .await;
    assert!(health.result.is_ok(), "{:?}", health.result);
    fleet.apply(health);
    fleet
}

/// us-east-1 serves; failing over to us-west-2 inverts hc-east, at the version read.
fn invert_plan(fleet: &Fleet) -> Plan {
    let plan = plan::failover(fleet, "sample", "us-west-2", now()).unwrap();
    assert_eq!(
        plan.calls,
        vec![Call::UpdateHealthCheck {
            health_check_id: "hc-east".into(),
            health_check_version: 7,
            inverted: true,
            disabled: None,
            regions: EAST_CHECKERS.map(String::from).to_vec(),
        }],
        "only hc-east changes; hc-west is already not inverted"
    );
    plan
}

/// Why mocks: moto never increases HealthCheckVersion and never checks it, so Route 53's
/// HealthCheckVersionMismatch (someone changed the check since it was read) cannot happen there.
#[tokio::test]
async fn stale_health_check_version_is_a_conflict_and_is_not_verified() {
    let (b, mocks) = health_backend(false);
    let backend = Backend::Aws(b);
    let fleet = health_state(&backend).await;
    assert_eq!(mocks.get.num_calls(), 2);
    let plan = invert_plan(&fleet);
    assert!(plan.uses_control_plane);

    let dir = TempDir::new("version-mismatch");
    let log = dir.audit();
    let clock = Clock::fixed(now());
    let report = execution(&backend, &log, &clock)
        .run(&plan, Some("primary degraded".into()))
        .await;

    assert_eq!(report.status, Status::Failed, "{report:?}");
    assert!(report.answers.is_empty());
    let m = &report.message;
    assert!(
        m.contains("Route 53 UpdateHealthCheck in us-east-1: HealthCheckVersionMismatch"),
        "{m}"
    );
    assert!(
        m.contains("refresh") && m.contains("plan again"),
        "tells the user to refresh and plan again: {m}"
    );

    // The request: the version read, Inverted=true, and the check's Regions sent again.
    assert_eq!(mocks.update.num_calls(), 1, "not retried");
    let sent = seen(&mocks.updates);
    assert_eq!(sent.len(), 1);
    let input = &sent[0];
    assert_eq!(input.health_check_id(), Some("hc-east"));
    assert_eq!(
        input.health_check_version(),
        Some(7),
        "HealthCheckVersion as read"
    );
    assert_eq!(input.inverted(), Some(true));
    let regions: Vec<&str> = input.regions().iter().map(|r| r.as_str()).collect();
    assert_eq!(
        regions, EAST_CHECKERS,
        "the Regions list read from the check"
    );
    assert_eq!(input.disabled(), None, "nothing else is changed");
    assert_eq!(
        mocks.get.num_calls(),
        4,
        "one re-read of the flags after the failed call: still not inverted, so not applied"
    );

    let records = log.read().unwrap();
    assert_eq!(
        phases(&records),
        vec![Phase::Intent, Phase::Result],
        "no verified/unverified record"
    );
    assert_records_of(&records, &report, &plan);
    assert_eq!(records[1].outcome.as_deref(), Some("conflict"));
    assert_eq!(records[1].error.as_deref(), Some(m.as_str()));
    assert_eq!(
        records[0].request,
        serde_json::json!([{
            "api": "UpdateHealthCheck",
            "HealthCheckId": "hc-east",
            "HealthCheckVersion": 7,
            "Inverted": true,
            "Regions": EAST_CHECKERS,
        }])
    );
}

/// Why mocks: the point is that nothing reaches AWS; a mocked UpdateHealthCheck counts the
/// requests exactly (and moto would accept any version anyway).
#[tokio::test]
async fn read_only_refuses_before_anything_is_sent_or_logged() {
    let (b, mocks) = health_backend(true);
    let backend = Backend::Aws(b);
    // Reads still work in read-only mode.
    let fleet = health_state(&backend).await;
    let plan = invert_plan(&fleet);

    let dir = TempDir::new("read-only");
    let log = dir.audit();
    assert!(backend.read_only());
    let clock = Clock::fixed(now());
    let report = execution(&backend, &log, &clock)
        .run(&plan, Some("forced reasons do not lift read-only".into()))
        .await;

    assert_eq!(report.status, Status::Refused, "{report:?}");
    assert_eq!(report.id, None, "refused before any intent");
    assert!(report.message.contains("read-only"), "{}", report.message);
    assert_eq!(mocks.update.num_calls(), 0, "UpdateHealthCheck never sent");
    assert!(log.read().unwrap().is_empty(), "the audit log is empty");
    assert!(!log.path().exists(), "not even created");

    // The backend's own door refuses too, whoever calls it.
    let err = backend
        .execute(&plan.calls[0], now())
        .await
        .expect_err("read-only refuses");
    assert_eq!(err.kind, CallErrorKind::ReadOnly);
    assert!(
        err.message.contains("UpdateHealthCheck refused")
            && err.message.contains("nothing was sent"),
        "{}",
        err.message
    );
    assert_eq!(mocks.update.num_calls(), 0, "still nothing sent");
    assert!(seen(&mocks.updates).is_empty());
    assert_eq!(
        mocks.get.num_calls(),
        2,
        "only the health fetch read anything"
    );
}

/// Why mocks: moto's GetHealthCheckStatus never runs out, and CloudWatch (the fallback) cannot
/// be reached from the Rust SDK there. Here every status call after the first read would be
/// throttled and CloudWatch has no data: verification must not need them. It reads back only
/// the flags (GetHealthCheck) and combines them with the verdicts read when planned (inversion
/// does not change those).
#[tokio::test]
async fn verification_does_not_need_the_rationed_status_api_again() {
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusError;
    use aws_sdk_route53::operation::update_health_check::UpdateHealthCheckOutput;
    let inverted: Seen<String> = Arc::default();
    let get = get_health_check_rule(Arc::clone(&inverted));
    let flags = Arc::clone(&inverted);
    let update =
        mock!(aws_sdk_route53::Client::update_health_check).then_compute_response(move |input| {
            if input.inverted() == Some(true) {
                record(&flags, input.health_check_id().unwrap_or("").to_string());
            }
            MockResponse::Output(UpdateHealthCheckOutput::builder().build())
        });
    // The first read's two status calls are answered; every later one is throttled.
    let status_calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&status_calls);
    let status =
        mock!(aws_sdk_route53::Client::get_health_check_status).then_compute_response(move |_| {
            if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 {
                MockResponse::Output(all_healthy())
            } else {
                MockResponse::Error(GetHealthCheckStatusError::generic(
                    aws_smithy_types::error::ErrorMetadata::builder()
                        .code("Throttling")
                        .message("Rate exceeded")
                        .build(),
                ))
            }
        });
    let (cloudwatch, _) = fake_cloudwatch(aws_mocks_support::MetricTable::new());
    let b = backend(
        HEALTH_TOML,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&get, &status, &update]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    );
    let backend = Backend::Aws(b);
    let fleet = health_state(&backend).await;
    let plan = invert_plan(&fleet);
    let dir = TempDir::new("rationed-status");
    let log = dir.audit();
    let clock = Clock::fixed(now());
    let report = execution(&backend, &log, &clock)
        .run(&plan, Some("only health is read here".into()))
        .await;
    assert_eq!(
        status_calls.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "verification reads the flags only, never the rationed status API: {report:?}"
    );
    assert_eq!(seen(&inverted), vec!["hc-east".to_string()]);
    assert_eq!(report.status, Status::Verified, "{report:?}");
    // No name servers to ask here (mocked clients, no `[dns] nameservers`): verified on the
    // flags, and the message says DNS could not be asked.
    assert!(
        report.message.starts_with(
            "Inverted flags read back as planned; Route 53 should now answer with us-west-2; \
             DNS could not be asked"
        ),
        "{}",
        report.message
    );
}
