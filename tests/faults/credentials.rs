//! (d) Expired credentials.

use super::*;

/// Why mocks: moto takes any credentials. Every call of every source answers an expired-token
/// error: `ExpiredToken` from Route 53 and S3 (their code), `ExpiredTokenException` from the
/// others; the config names `[aws] profile = "ops"`. Every source is polled every 50 ms.
/// Asserted: every error (a failed fetch's, or a partial one) is of kind Credentials and tells
/// the fix `aws sso login --profile ops`; every source fails outright (the `lambda` ones too,
/// since none of their calls succeeded); and the pollers keep retrying: each
/// source fetches at least three times (the run lasts until they have; 20 s fails the test).
#[tokio::test]
async fn expired_credentials_say_which_profile_to_log_in_and_keep_retrying() {
    use aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesError as V1Error;
    use aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesError as V2Error;
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateError;
    use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationError;
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckError;
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusError;
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsError;
    use aws_sdk_s3::operation::get_bucket_replication::GetBucketReplicationError;
    use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsError;

    let expired = || {
        meta(
            "ExpiredToken",
            "The security token included in the request is expired",
        )
    };
    let expired_exception = || {
        meta(
            "ExpiredTokenException",
            "The security token included in the request is expired",
        )
    };
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .then_error(move || ListResourceRecordSetsError::generic(expired()));
    let get_check = mock!(aws_sdk_route53::Client::get_health_check)
        .then_error(move || GetHealthCheckError::generic(expired()));
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_error(move || GetHealthCheckStatusError::generic(expired()));
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(move || GetMetricDataError::generic(expired_exception()));
    let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names)
        .then_error(move || V1Error::generic(expired_exception()));
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names)
        .then_error(move || V2Error::generic(expired_exception()));
    let configs = mock!(aws_sdk_lambda::Client::get_function_configuration)
        .then_error(move || GetFunctionConfigurationError::generic(expired_exception()));
    let versions = mock!(aws_sdk_s3::Client::list_object_versions)
        .then_error(move || ListObjectVersionsError::generic(expired()));
    // Asked at the same time as the listing, on the source bucket.
    let rules = mock!(aws_sdk_s3::Client::get_bucket_replication)
        .then_error(move || GetBucketReplicationError::generic(expired()));
    let pipeline = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .then_error(move || GetPipelineStateError::generic(expired_exception()));
    let declared = crate::aws_mocks_support::manual_approvals_declared(&[]);
    let region_clients = || RegionClients {
        apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&v1]),
        apigatewayv2: mocked!(aws_sdk_apigatewayv2, RuleMode::MatchAny, [&v2]),
        lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
        s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&versions, &rules]),
        cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
        codepipeline: mocked!(
            aws_sdk_codepipeline,
            RuleMode::MatchAny,
            [&pipeline, &declared]
        ),
    };
    let toml = TWO_REGIONS.replace(
        "control_region = \"us-east-1\"",
        "control_region = \"us-east-1\"\nprofile = \"ops\"",
    ) + "\n[service.artifacts]\nbucket = \"api-artifacts-{region}\"\n\n[service.pipeline]\nname = \"api-deploy\"\n";
    let b = backend(
        &toml,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&records, &get_check, &status]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        },
        vec![
            ("us-east-1", region_clients()),
            ("us-west-2", region_clients()),
        ],
    );
    assert_eq!(b.config().aws.profile.as_deref(), Some("ops"));
    let mut plan = b.schedule();
    for spec in &mut plan {
        spec.interval = INTERVAL;
    }
    let mut kinds: Vec<SourceKind> = plan.iter().map(|s| s.key.kind).collect();
    kinds.sort();
    kinds.dedup();
    // Every kind but `arc`, which is scheduled only for services with mechanism "arc" (none
    // here; its clients come from the same SDK configuration), `dns`: with mocked clients no
    // delegation set is looked up and no `[dns] nameservers` are set, so there is no one to ask
    // (it asks no AWS API besides), and `team`, only with `[team]` (none here).
    assert_eq!(
        kinds.len(),
        SourceKind::ALL
            .iter()
            .filter(|k| !matches!(
                k,
                SourceKind::RoutingControl | SourceKind::Dns | SourceKind::Team
            ))
            .count(),
        "every kind of source: {plan:?}"
    );
    assert!(!kinds.contains(&SourceKind::Dns));
    assert!(
        !kinds.contains(&SourceKind::Team),
        "no [team]: no team source"
    );
    let sources = plan.len();

    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let started = tokio::time::Instant::now();
    let poller = Poller::start(Arc::new(Backend::Aws(b)), plan, Clock::fixed(now()), tx);
    let mut fetched = Vec::new();
    loop {
        let counts = per_source(&fetched);
        if counts.len() == sources && counts.values().all(|n| *n >= 3) {
            break;
        }
        match tokio::time::timeout_at(started + Duration::from_secs(20), rx.recv()).await {
            Ok(Some(msg)) => fetched.push(unwrap_fetched(msg)),
            Ok(None) => panic!("the pollers stopped on their own"),
            Err(_) => panic!("the pollers stopped retrying: {counts:?}"),
        }
    }
    drop(poller);

    let mut failed: Vec<String> = Vec::new();
    for f in &fetched {
        let errors: Vec<_> = f
            .result
            .as_ref()
            .err()
            .into_iter()
            .chain(&f.partial)
            .collect();
        assert!(!errors.is_empty(), "every call failed, yet no error: {f:?}");
        for e in errors {
            assert_eq!(e.kind, ErrorKind::Credentials, "{}: {e:?}", f.key);
            assert!(
                e.message.contains("aws sso login --profile ops"),
                "{}: {}",
                f.key,
                e.message
            );
        }
        if f.result.is_err() {
            failed.push(f.key.to_string());
        }
    }
    failed.sort();
    failed.dedup();
    assert_eq!(
        failed,
        vec![
            "apigateway@us-east-1",
            "apigateway@us-west-2",
            "codepipeline@us-east-1",
            "lambda@us-east-1",
            "lambda@us-west-2",
            "route53@us-east-1",
            "s3@us-east-1",
            "s3@us-west-2",
        ]
    );
    assert!(configs.num_calls() >= 2 * 3, "Lambda was asked again");
}
