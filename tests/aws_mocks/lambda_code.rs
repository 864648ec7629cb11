//! Lambda: what each figure is of. The code and configuration of the alias or version API Gateway
//! really invokes (its integration URI, or the config's qualifier), the price of the function's
//! architecture, and metric windows of complete minutes.
//!
//! Why mocks: CloudWatch cannot be reached from the Rust SDK through moto (CBOR protocol, 404),
//! so every test here that needs metrics mocks them; the integration URI forms that moto cannot
//! store (API Gateway v2 integrations, stage variables) are mocked too. The alias/version case
//! itself is also run against moto in `tests/moto.rs`.

use super::*;
use aws_mocks_support::ts;
use aws_sdk_apigateway::types::{BasePathMapping, DomainName, Integration, Method, Resource};
use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput;
use std::sync::{Arc, Mutex};
use switchyard::model::{Architecture, QualifierSource};

const SERVICE: &str = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1"]
functions = ["api-fn", "worker-fn"]
"#;

const REST_URI: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:api-fn:live/invocations";

/// Each GetFunctionConfiguration asked: (FunctionName, Qualifier or "").
type ConfigsAsked = Arc<Mutex<Vec<(String, String)>>>;

/// GetFunctionConfiguration as Lambda answers it for an alias `live` that points at version 3
/// (the old build) while `$LATEST` has the new build: each qualifier has its own CodeSha256,
/// memory and architecture (Lambda Developer Guide, "Lambda function versions": a version is
/// an immutable snapshot of code and configuration). Every call is recorded.
fn versioned_configurations() -> (aws_smithy_mocks::Rule, ConfigsAsked) {
    let log: ConfigsAsked = Arc::default();
    let seen = Arc::clone(&log);
    let rule = mock!(aws_sdk_lambda::Client::get_function_configuration).then_compute_output(
        move |input| {
            let name = input.function_name().unwrap_or("").to_string();
            let qualifier = input.qualifier().unwrap_or("").to_string();
            seen.lock().unwrap().push((name.clone(), qualifier.clone()));
            let (sha, memory, arch) = match (name.as_str(), qualifier.as_str()) {
                ("api-fn", "live" | "3") => ("sha-old-build", 512, "x86_64"),
                ("api-fn", _) => ("sha-new-build", 1024, "arm64"),
                (_, _) => ("sha-worker", 256, "arm64"),
            };
            GetFunctionConfigurationOutput::builder()
                .function_name(name)
                .code_sha256(sha)
                .memory_size(memory)
                .architectures(arch.into())
                .build()
        },
    );
    (rule, log)
}

/// API Gateway v1 in us-east-1: the shared name mapped at the root to REST API `rest1` (stage
/// prod), whose resources carry the given integration URIs (GetResources with
/// `embed=methods`).
fn rest_api(uris: Vec<&'static str>) -> RegionClients {
    rest_api_with(resources(uris))
}

/// GetResources of `rest1` with `embed=methods`, each resource's integration one of `uris`.
fn resources(
    uris: Vec<&'static str>,
) -> aws_sdk_apigateway::operation::get_resources::GetResourcesOutput {
    let mut out = aws_sdk_apigateway::operation::get_resources::GetResourcesOutput::builder();
    for (i, uri) in uris.iter().enumerate() {
        out = out.items(
            Resource::builder()
                .id(format!("r{i}"))
                .path(format!("/p{i}"))
                .resource_methods(
                    "ANY",
                    Method::builder()
                        .http_method("ANY")
                        .method_integration(
                            Integration::builder()
                                .r#type(aws_sdk_apigateway::types::IntegrationType::AwsProxy)
                                .uri(*uri)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
    }
    out.build()
}

/// As [`rest_api`], GetResources answered by `resources` (a sequence, say).
fn rest_api_with(
    answer: aws_sdk_apigateway::operation::get_resources::GetResourcesOutput,
) -> RegionClients {
    rest_api_answering(
        mock!(aws_sdk_apigateway::Client::get_resources)
            .match_requests(|r| {
                r.rest_api_id() == Some("rest1") && r.embed().contains(&"methods".to_string())
            })
            .then_output(move || answer.clone()),
    )
}

/// As [`rest_api`], with the given GetResources rule.
fn rest_api_answering(resources: aws_smithy_mocks::Rule) -> RegionClients {
    let domains = mock!(aws_sdk_apigateway::Client::get_domain_names).then_output(|| {
        aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesOutput::builder()
            .items(
                DomainName::builder()
                    .domain_name("api.example.com")
                    .regional_domain_name("d-1.execute-api.us-east-1.amazonaws.com")
                    .build(),
            )
            .build()
    });
    let mappings = mock!(aws_sdk_apigateway::Client::get_base_path_mappings).then_output(|| {
        aws_sdk_apigateway::operation::get_base_path_mappings::GetBasePathMappingsOutput::builder()
            .items(
                BasePathMapping::builder()
                    .base_path("(none)")
                    .rest_api_id("rest1")
                    .stage("prod")
                    .build(),
            )
            .build()
    });
    let stage = mock!(aws_sdk_apigateway::Client::get_stage)
        .match_requests(|r| r.rest_api_id() == Some("rest1") && r.stage_name() == Some("prod"))
        .then_output(|| {
            aws_sdk_apigateway::operation::get_stage::GetStageOutput::builder()
                .variables("lambdaAlias", "live")
                .build()
        });
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_output(|| {
        aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesOutput::builder().build()
    });
    RegionClients {
        apigateway: mocked!(
            aws_sdk_apigateway,
            RuleMode::MatchAny,
            [&domains, &mappings, &resources, &stage]
        ),
        apigatewayv2: mocked!(aws_sdk_apigatewayv2, RuleMode::MatchAny, [&v2]),
        ..unused_region()
    }
}

/// Lambda metrics of a steady 60 invocations a minute of 1,000 ms over the last 30 minutes.
fn steady_metrics(functions: &[&str]) -> MetricTable {
    let mut table = MetricTable::new();
    for f in functions {
        let dim = format!("FunctionName={f}");
        table.insert(
            key("AWS/Lambda", "Invocations", &dim, "Sum"),
            (1..=30).map(|m| (ago(m), 60.0)).collect(),
        );
        table.insert(
            key("AWS/Lambda", "Duration", &dim, "Average"),
            (1..=30).map(|m| (ago(m), 1000.0)).collect(),
        );
    }
    table
}

fn backend_with(toml: &str, api: RegionClients, lambda: &aws_smithy_mocks::Rule) -> AwsBackend {
    backend_with_control(toml, unused_control(), api, lambda)
}

fn backend_with_control(
    toml: &str,
    control: ControlClients,
    api: RegionClients,
    lambda: &aws_smithy_mocks::Rule,
) -> AwsBackend {
    let (cloudwatch, _) = fake_cloudwatch(steady_metrics(&["api-fn", "worker-fn"]));
    backend(
        toml,
        control,
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [lambda]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
                ..api
            },
        )],
    )
}

/// API Gateway Developer Guide, "Lambda integrations" (a REST integration's URI
/// `…/functions/arn:aws:lambda:REGION:ACCOUNT:function:NAME:ALIAS/invocations`) and Lambda API
/// reference, GetFunctionConfiguration `Qualifier`: the code compared is the alias's (the old
/// build), not `$LATEST`'s (the new one), because the alias is what API Gateway invokes.
#[tokio::test]
async fn the_code_compared_is_that_of_the_alias_api_gateway_invokes() {
    let (configs, asked) = versioned_configurations();
    let b = backend_with(SERVICE, rest_api(vec![REST_URI]), &configs);
    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    let entries = lambda(result);
    let api = function(&entries, "api", "api-fn");
    assert_eq!(api.code_sha256.as_deref(), Some("sha-old-build"));
    assert_eq!(api.qualifier.as_deref(), Some("live"));
    assert_eq!(api.qualifier_source, Some(QualifierSource::Integration));
    // The configuration is the version's too: its memory and architecture set the cost.
    assert_eq!(
        (api.memory_mb, api.architecture),
        (Some(512), Some(Architecture::X86_64))
    );
    // No integration names the worker: its unqualified code, and it says so.
    let worker = function(&entries, "api", "worker-fn");
    assert_eq!(
        (worker.qualifier.as_deref(), worker.qualifier_source),
        (None, Some(QualifierSource::Unqualified))
    );
    let mut asked = asked.lock().unwrap().clone();
    asked.sort();
    assert_eq!(
        asked,
        vec![
            ("api-fn".to_string(), "live".to_string()),
            ("worker-fn".to_string(), String::new()),
        ],
        "GetFunctionConfiguration with Qualifier=live for the invoked alias, none for the worker"
    );
    // v1 and v2 GetDomainNames, GetBasePathMappings, GetResources; 2 configurations; metrics.
    assert_eq!(tally.calls, 2 + 1 + 1 + 2 + 1);
}

/// The integrations change rarely: read once, then kept for ten minutes.
#[tokio::test]
async fn integrations_are_read_once_and_kept_for_ten_minutes() {
    let (configs, _) = versioned_configurations();
    let b = backend_with(SERVICE, rest_api(vec![REST_URI]), &configs);
    let key = SourceKey::new(SourceKind::Lambda, "us-east-1");
    let (first, _) = b.fetch(&key, now()).await;
    let (again, result) = b.fetch(&key, now() + chrono::Duration::minutes(9)).await;
    assert_eq!(first.calls, 7);
    assert_eq!(
        again.calls, 3,
        "2 configurations + 1 GetMetricData, no API Gateway call"
    );
    let entries = lambda(result);
    assert_eq!(
        function(&entries, "api", "api-fn").qualifier.as_deref(),
        Some("live")
    );
    let (later, _) = b.fetch(&key, now() + chrono::Duration::minutes(10)).await;
    assert_eq!(
        later.calls, 4,
        "the integrations read again after ten minutes (GetResources, 2 configurations, \
         GetMetricData); the custom domains they start from come from the read this test made \
         a moment ago (shared with the Domains source for half a refresh interval)"
    );
}

/// A Domains fetch and a Lambda fetch of one region at the same time (a snapshot, or the
/// console's first round) read the custom domains and their mappings once, for both.
#[tokio::test]
async fn the_domains_and_lambda_sources_share_one_read_of_the_custom_domains() {
    let (configs, _) = versioned_configurations();
    // The Domains source also reads the zone's records (none here: drift does not matter).
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets).then_output(|| {
        aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput::builder()
            .set_resource_record_sets(Some(Vec::new()))
            .is_truncated(false)
            .max_items(300)
            .build()
            .unwrap()
    });
    let control = ControlClients {
        route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
        ..unused_control()
    };
    let b = backend_with_control(SERVICE, control, rest_api(vec![REST_URI]), &configs);
    let lambda_key = SourceKey::new(SourceKind::Lambda, "us-east-1");
    let domains_key = SourceKey::new(SourceKind::Domains, "us-east-1");
    let ((lambda_tally, lambda_result), (domains_tally, domains_result)) =
        tokio::join!(b.fetch(&lambda_key, now()), b.fetch(&domains_key, now()));
    assert!(lambda_result.is_ok() && domains_result.is_ok());
    let entries = lambda(lambda_result);
    assert_eq!(
        function(&entries, "api", "api-fn").qualifier.as_deref(),
        Some("live")
    );
    // Alone, a Lambda fetch makes 7 calls of which 3 read the custom domains (v1 and v2
    // GetDomainNames, GetBasePathMappings); together, those 3 are made once.
    assert_eq!(
        lambda_tally.calls + domains_tally.calls,
        7 + 1,
        "the 7 calls of the Lambda fetch alone, plus the Domains source's own zone read \
         (lambda {lambda_tally:?}, domains {domains_tally:?})"
    );
}

/// The config's qualifier wins over the integrations, and with every function qualified no
/// integration is read at all.
#[tokio::test]
async fn the_configs_qualifier_wins_and_needs_no_integrations() {
    let (configs, asked) = versioned_configurations();
    let toml = SERVICE.replace(
        r#"functions = ["api-fn", "worker-fn"]"#,
        r#"functions = ["api-fn:3", "worker-fn:$LATEST"]"#,
    );
    // API Gateway unused: a call to it panics.
    let b = backend_with(&toml, unused_region(), &configs);
    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    let entries = lambda(result);
    let api = function(&entries, "api", "api-fn");
    assert_eq!(
        (
            api.code_sha256.as_deref(),
            api.qualifier.as_deref(),
            api.qualifier_source
        ),
        (
            Some("sha-old-build"),
            Some("3"),
            Some(QualifierSource::Config)
        )
    );
    let mut asked = asked.lock().unwrap().clone();
    asked.sort();
    assert_eq!(
        asked,
        vec![
            ("api-fn".to_string(), "3".to_string()),
            ("worker-fn".to_string(), "$LATEST".to_string()),
        ]
    );
}

/// API Gateway Developer Guide, "Setting stage variables": an integration may name the alias
/// through a stage variable (`function:NAME:${stageVariables.lambdaAlias}`); the mapped stage's
/// variables say which (GetStage).
#[tokio::test]
async fn a_stage_variable_in_the_integration_is_resolved_from_the_mapped_stage() {
    let (configs, _) = versioned_configurations();
    let uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:api-fn:${stageVariables.lambdaAlias}/invocations";
    let worker =
        "arn:aws:lambda:us-east-1:123456789012:function:worker-fn:${stageVariables.lambdaAlias}";
    let b = backend_with(SERVICE, rest_api(vec![uri, worker]), &configs);
    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    let entries = lambda(result);
    let api = function(&entries, "api", "api-fn");
    assert_eq!(
        (api.qualifier.as_deref(), api.code_sha256.as_deref()),
        (Some("live"), Some("sha-old-build"))
    );
    assert_eq!(
        function(&entries, "api", "worker-fn").qualifier.as_deref(),
        Some("live")
    );
    // v1 and v2 GetDomainNames, GetBasePathMappings, GetResources, one GetStage for both URIs;
    // 2 configurations; metrics.
    assert_eq!(tally.calls, 2 + 1 + 1 + 1 + 2 + 1);
}

/// API Gateway v2 (HTTP APIs): GetIntegrations gives the function ARN itself as the
/// integration URI, qualified or not (API Gateway v2 API reference, Integration
/// `IntegrationUri`).
#[tokio::test]
async fn an_http_api_integration_names_the_qualified_function_arn() {
    use aws_sdk_apigatewayv2::types::{ApiMapping, DomainName as V2Domain};
    let (configs, _) = versioned_configurations();
    let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names).then_output(|| {
        aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesOutput::builder().build()
    });
    let v2_domains = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_output(|| {
        aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesOutput::builder()
            .items(V2Domain::builder().domain_name("api.example.com").build())
            .build()
    });
    let v2_mappings = mock!(aws_sdk_apigatewayv2::Client::get_api_mappings).then_output(|| {
        aws_sdk_apigatewayv2::operation::get_api_mappings::GetApiMappingsOutput::builder()
            .items(
                ApiMapping::builder()
                    .api_id("http1")
                    .stage("$default")
                    .api_mapping_key("")
                    .build(),
            )
            .build()
    });
    let integrations = mock!(aws_sdk_apigatewayv2::Client::get_integrations)
        .match_requests(|r| r.api_id() == Some("http1"))
        .then_output(|| {
            aws_sdk_apigatewayv2::operation::get_integrations::GetIntegrationsOutput::builder()
                .items(
                    aws_sdk_apigatewayv2::types::Integration::builder()
                        .integration_type(aws_sdk_apigatewayv2::types::IntegrationType::AwsProxy)
                        .integration_uri(
                            "arn:aws:lambda:us-east-1:123456789012:function:api-fn:live",
                        )
                        .build(),
                )
                .build()
        });
    let api = RegionClients {
        apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&v1]),
        apigatewayv2: mocked!(
            aws_sdk_apigatewayv2,
            RuleMode::MatchAny,
            [&v2_domains, &v2_mappings, &integrations]
        ),
        ..unused_region()
    };
    let b = backend_with(SERVICE, api, &configs);
    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    let api = function(&lambda(result), "api", "api-fn").clone();
    assert_eq!(
        (
            api.qualifier.as_deref(),
            api.qualifier_source,
            api.code_sha256.as_deref()
        ),
        (
            Some("live"),
            Some(QualifierSource::Integration),
            Some("sha-old-build")
        )
    );
}

/// API Gateway API reference, GetResources (`embed=methods`: each method's integration URI):
/// read once, the integrations are kept ten minutes; when the read after that fails, the last
/// read stands (API Gateway still invokes what it named, as far as anyone knows): the code
/// compared is still the alias's, and the partial error says the qualifier rests on a read
/// eleven minutes old. Before, the qualifier became unknown and `$LATEST`'s code was shown.
#[tokio::test]
async fn integrations_that_cannot_be_read_again_rest_on_the_last_read() {
    use aws_sdk_apigateway::operation::get_resources::GetResourcesError;
    let (configs, asked) = versioned_configurations();
    let first = resources(vec![REST_URI]);
    let get_resources = mock!(aws_sdk_apigateway::Client::get_resources)
        .sequence()
        .output(move || first.clone())
        .error(|| GetResourcesError::generic(meta("ServiceUnavailable", "unavailable")))
        .build();
    let b = backend_with(SERVICE, rest_api_answering(get_resources), &configs);
    let key = SourceKey::new(SourceKind::Lambda, "us-east-1");
    let (tally, _) = b.fetch(&key, now()).await;
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    let (tally, result) = b.fetch(&key, now() + chrono::Duration::minutes(11)).await;
    let api = function(&lambda(result), "api", "api-fn").clone();
    assert_eq!(
        (
            api.qualifier.as_deref(),
            api.qualifier_source,
            api.code_sha256.as_deref()
        ),
        (
            Some("live"),
            Some(QualifierSource::Integration),
            Some("sha-old-build")
        )
    );
    let partial = tally
        .partial
        .expect("the integrations' error as the partial");
    assert!(
        partial.message.starts_with(
            "which alias or version API Gateway invokes in us-east-1 is as read 11 minutes ago"
        ) && partial.message.contains("GetResources"),
        "{}",
        partial.message
    );
    assert_eq!(
        asked
            .lock()
            .unwrap()
            .iter()
            .filter(|(f, q)| f == "api-fn" && q == "live")
            .count(),
        2
    );
}

/// When the integrations cannot be read, which code runs is unknown: the code shown is
/// `$LATEST`'s, marked so, and the source says why (a partial failure).
#[tokio::test]
async fn unreadable_integrations_leave_the_qualifier_unknown_and_say_so() {
    use aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesError;
    let (configs, _) = versioned_configurations();
    let denied = mock!(aws_sdk_apigateway::Client::get_domain_names)
        .then_error(|| GetDomainNamesError::generic(meta("AccessDeniedException", "denied")));
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_output(|| {
        aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesOutput::builder().build()
    });
    let api = RegionClients {
        apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&denied]),
        apigatewayv2: mocked!(aws_sdk_apigatewayv2, RuleMode::MatchAny, [&v2]),
        ..unused_region()
    };
    let b = backend_with(SERVICE, api, &configs);
    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let partial = tally.partial.expect("the unknown qualifier is reported");
    assert!(
        partial
            .message
            .starts_with("which alias or version API Gateway invokes is unknown"),
        "{}",
        partial.message
    );
    assert!(
        partial.message.contains("apigateway:GET"),
        "{}",
        partial.message
    );
    let api = function(&lambda(result), "api", "api-fn").clone();
    assert_eq!(
        (
            api.qualifier.as_deref(),
            api.qualifier_source,
            api.code_sha256.as_deref()
        ),
        (None, Some(QualifierSource::Unknown), Some("sha-new-build"))
    );
}

/// AWS Lambda pricing: $0.0000133334 per GB-second on arm64 ($0.0000166667 on x86_64) and
/// $0.20 per 1M requests; the architecture is GetFunctionConfiguration's `Architectures`.
/// worker-fn runs on arm64 at 256 MB: 3,600 invocations an hour of 1 s each is 900 GB-seconds.
#[tokio::test]
async fn an_arm64_functions_cost_uses_the_arm64_price() {
    let (configs, _) = versioned_configurations();
    let b = backend_with(SERVICE, no_domains_region(), &configs);
    let (_, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let worker = function(&lambda(result), "api", "worker-fn").clone();
    assert_eq!(worker.architecture, Some(Architecture::Arm64));
    assert_eq!(
        (worker.invocations, worker.avg_ms, worker.memory_mb),
        (Some(300), Some(1000.0), Some(256))
    );
    let cost = assess::cost_per_hour(&worker).expect("a cost");
    let arm64 = 3600.0 * 0.20 / 1e6 + 900.0 * 0.000_013_333_4;
    assert!((cost - arm64).abs() < 1e-9, "{cost} vs {arm64}");
    let x86 = 3600.0 * 0.20 / 1e6 + 900.0 * 0.000_016_666_7;
    assert!((cost - x86).abs() > 1e-3, "not the x86_64 price");
}

/// CloudWatch API reference, GetMetricData: "For better performance, specify StartTime and
/// EndTime values that align with the value of the metric's Period"; the newest minute is still
/// being counted. A fetch at 14:05:37 asks 13:35:00–14:05:00 (30 whole minutes), its counts
/// are for 14:00:00–14:05:00, and a point CloudWatch gives for the running minute (14:05) is not
/// counted.
#[tokio::test]
async fn metric_windows_are_whole_minutes_ending_at_the_current_minute() {
    let at = |hms: &str| ts(&format!("2026-11-10T{hms}Z"));
    let now = at("14:05:37");
    let mut table = MetricTable::new();
    let dim = "FunctionName=api-fn";
    let mut points: Vec<(switchyard::model::Timestamp, f64)> = (0..5)
        .map(|m| (at(&format!("14:0{m}:00")), 100.0))
        .collect();
    points.push((at("13:59:00"), 100.0));
    points.push((at("14:05:00"), 7.0)); // the running minute, partial
    table.insert(key("AWS/Lambda", "Invocations", dim, "Sum"), points);
    table.insert(
        key("AWS/Lambda", "Errors", dim, "Sum"),
        vec![(at("14:04:00"), 5.0), (at("14:05:00"), 7.0)],
    );
    let (cloudwatch, log) = fake_cloudwatch(table);
    let (configs, _) = versioned_configurations();
    let b = backend(
        r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1"]
functions = ["api-fn:live"]
"#,
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
    let (_, result) = b
        .fetch(&SourceKey::new(SourceKind::Lambda, "us-east-1"), now)
        .await;
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].start, log[0].end),
        (
            Some(sdk_time(at("13:35:00"))),
            Some(sdk_time(at("14:05:00")))
        )
    );
    let api = function(&lambda(result), "api", "api-fn").clone();
    assert_eq!(api.window_end, Some(at("14:05:00")));
    assert_eq!(api.window_s, 300);
    assert_eq!(
        (api.invocations, api.errors),
        (Some(500), Some(5)),
        "14:00 to 14:04, complete minutes only"
    );
    assert_eq!(assess::error_rate(api.invocations, api.errors), Some(1.0));
    // The trend's last minute is 14:04, the last complete one.
    assert_eq!(api.error_rate_history.len(), 30);
    assert_eq!(api.error_rate_history.last(), Some(&Some(5.0)));
}

/// Two routes invoking the function as two different qualifiers: one is compared (the first
/// alias or version by name) and the source says so, naming the config form that settles it.
#[tokio::test]
async fn several_invoked_qualifiers_are_reported() {
    let (configs, _) = versioned_configurations();
    let unqualified = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:api-fn/invocations";
    let b = backend_with(SERVICE, rest_api(vec![REST_URI, unqualified]), &configs);
    let (tally, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let partial = tally.partial.expect("the ambiguity is reported");
    assert_eq!(
        partial.message,
        "API Gateway invokes api-fn in us-east-1 as $LATEST, live: the code shown is the \
         first alias or version; name one in `functions` as \"api-fn:QUALIFIER\""
    );
    let api = function(&lambda(result), "api", "api-fn").clone();
    assert_eq!(api.qualifier.as_deref(), Some("live"));
}
