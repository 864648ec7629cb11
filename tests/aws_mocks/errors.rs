//! Throttling, access denied, retries.

use super::health::{get_health_check_output, healthy_of_8, observations};
use super::s3::version;
use super::*;

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
                ..no_domains_region()
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
                ..no_domains_region()
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
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [
                        &state,
                        &crate::aws_mocks_support::manual_approvals_declared(&[])
                    ]
                ),
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

    // Route 53 GetHealthCheck denied: the check is kept with its flags unknown (so Route 53's
    // verdict is unknown), and the denial is the part that failed.
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
    let (tally, result) = fetch(&b, SourceKind::Health, "us-east-1").await;
    let entries = health(result);
    let kept = check(&entries, "api", "us-east-1");
    assert!(kept.flags_unknown, "{kept:?}");
    assert_eq!(kept.effective(), HealthStatus::Unknown);
    let e = tally.partial.expect("the denial as the partial error");
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
                ..no_domains_region()
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
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [
                        &state,
                        &crate::aws_mocks_support::manual_approvals_declared(&[])
                    ]
                ),
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

    // Throttled every time: 3 attempts, then a Throttled error (the partial one: the checkers'
    // status still arrived, the flags are unknown).
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
    let (tally, result) = fetch(&b, SourceKind::Health, "us-east-1").await;
    let entries = health(result);
    assert!(check(&entries, "api", "us-east-1").flags_unknown);
    let e = tally.partial.expect("the throttling as the partial error");
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
