//! 2. AWS responses: every source's fetch over arbitrary replies, and what the console does with the result.

use super::replies::{
    APIGW_STAGE, APIGW_V1_DOMAINS, APIGW_V1_MAPPINGS, APIGW_V1_RESOURCES, APIGW_V2_DOMAINS,
    APIGW_V2_INTEGRATIONS, APIGW_V2_MAPPINGS, CHRONO_MAX_SECS, GET_HEALTH_CHECK,
    GET_HEALTH_CHECK_STATUS, LAMBDA_CONFIGURATION, LIST_RECORDS, PIPELINE_DECLARATION,
    PIPELINE_EXECUTION, PIPELINE_STATE, Proto, Reply, S3_GET_REPLICATION, S3_LIST_VERSIONS,
    head_object_reply, metric_data_body, reply, templated,
};
use super::*;

/// Two services in two regions, one finding its health checks from the failover records and
/// one configured with them; both with pipelines in us-east-1; one with artifacts (source
/// us-east-1, so HeadObject and GetBucketReplication run there).
pub(crate) const CONFIG: &str = r#"
[[service]]
name = "web"
domain = "web.example.com"
hosted_zone_id = "ZWEB"
regions = ["us-east-1"]
regional_hostname = "web-{region}.example.com"
functions = ["web-fn"]
health_checks = { "us-east-1" = "hc-web" }

[service.pipeline]
name = "web-deploy"
approval_action = "Approve"

[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn", "api-worker"]

[service.artifacts]
bucket = "api-artifacts-{region}"
prefix = "builds/"
latest = 3

[service.pipeline]
name = "api-deploy"
"#;

pub(crate) const CONTROL_REGION: &str = "us-east-1";

/// A rule answering every call of `$op` with `$reply`.
macro_rules! answers {
    ($op:path, $reply:expr) => {{
        let reply: Reply = $reply.clone();
        mock!($op).then_http_response(move || reply.http())
    }};
}

/// The region named in a message for a call to `service`: Route 53 (and the health source's
/// CloudWatch) live in the control region.
fn where_(kind: SourceKind, service: &str, api: &str, region: &str) -> String {
    let region = match (kind, service) {
        (_, "Route 53") | (SourceKind::Health, "CloudWatch") => CONTROL_REGION,
        _ => region,
    };
    format!("{service} {api} in {region}")
}

/// (service, API) as messages name them.
type Call = (&'static str, &'static str);

/// What a fetch must come back with: the payload of its kind, or an error naming one of the
/// calls that can fail it; a partial failure names any call of the kind.
fn check_outcome(
    kind: SourceKind,
    region: &str,
    tally: &Tally,
    result: &Result<Payload, SourceError>,
) -> Result<(), TestCaseError> {
    // The calls whose failure fails the fetch, and every call the fetch makes.
    let (fatal, all): (&[Call], &[Call]) = match kind {
        SourceKind::Health => (
            &[
                ("Route 53", "ListResourceRecordSets"),
                ("Route 53", "GetHealthCheck"),
            ],
            &[
                ("Route 53", "ListResourceRecordSets"),
                ("Route 53", "GetHealthCheck"),
                ("Route 53", "GetHealthCheckStatus"),
                ("CloudWatch", "GetMetricData"),
            ],
        ),
        // Lambda fails only when none of its calls succeeded, naming one of them.
        SourceKind::Lambda => (
            &[
                ("Lambda", "GetFunctionConfiguration"),
                ("CloudWatch", "GetMetricData"),
            ],
            &[
                ("Lambda", "GetFunctionConfiguration"),
                ("CloudWatch", "GetMetricData"),
                // Which alias API Gateway invokes.
                ("API Gateway", "GetDomainNames"),
                ("API Gateway", "GetBasePathMappings"),
                ("API Gateway", "GetDomainNames (v2)"),
                ("API Gateway", "GetApiMappings"),
                ("API Gateway", "GetResources"),
                ("API Gateway", "GetIntegrations"),
                ("API Gateway", "GetStage"),
            ],
        ),
        SourceKind::Domains => (
            &[
                ("API Gateway", "GetDomainNames"),
                ("API Gateway", "GetBasePathMappings"),
                ("Route 53", "ListResourceRecordSets"),
            ],
            &[
                ("API Gateway", "GetDomainNames"),
                ("API Gateway", "GetBasePathMappings"),
                ("API Gateway", "GetDomainNames (v2)"),
                ("API Gateway", "GetApiMappings"),
                ("Route 53", "ListResourceRecordSets"),
            ],
        ),
        SourceKind::Replication => (
            &[("S3", "ListObjectVersions")],
            &[
                ("S3", "ListObjectVersions"),
                ("S3", "HeadObject"),
                ("S3", "GetBucketReplication"),
                ("CloudWatch", "GetMetricData"),
            ],
        ),
        SourceKind::Pipeline => (
            &[
                ("CodePipeline", "GetPipelineState"),
                ("CodePipeline", "GetPipeline"),
            ],
            &[
                ("CodePipeline", "GetPipelineState"),
                ("CodePipeline", "GetPipeline"),
                ("CodePipeline", "GetPipelineExecution"),
            ],
        ),
        // Not scheduled here (no `arc` service in these configs); ARC is mocked in aws_actions.
        SourceKind::RoutingControl => (
            &[("Route 53 ARC", "GetRoutingControlState")],
            &[("Route 53 ARC", "GetRoutingControlState")],
        ),
        // The DNS source never fails whole: each service's entry carries its own error.
        SourceKind::Dns => (&[], &[("Route 53", "GetHostedZone")]),
        // Not scheduled here (no `[team]` in these configs): the team bucket's reads are
        // tested against moto and mocks with the lease.
        SourceKind::Team => (
            &[("S3", "ListObjectsV2"), ("S3", "GetObject")],
            &[("S3", "ListObjectsV2"), ("S3", "GetObject")],
        ),
    };
    let names = |message: &str, calls: &[Call]| {
        calls
            .iter()
            .any(|(service, api)| message.contains(&where_(kind, service, api, region)))
    };
    match result {
        Ok(payload) => prop_assert!(
            matches!(
                (kind, payload),
                (SourceKind::Health, Payload::Health(_))
                    | (SourceKind::Lambda, Payload::Lambda(_))
                    | (SourceKind::Domains, Payload::Domains(_))
                    | (SourceKind::Replication, Payload::Replication(..))
                    | (SourceKind::Pipeline, Payload::Pipeline(_))
                    | (SourceKind::Dns, Payload::Dns(_))
            ),
            "{kind:?} fetch returned {payload:?}"
        ),
        Err(e) => prop_assert!(
            names(&e.message, fatal),
            "{kind:?} error does not name the service, API and region: {:?}",
            e.message
        ),
    }
    if let Some(p) = &tally.partial {
        prop_assert!(
            names(&p.message, all)
                || p.message.starts_with("no health check for ")
                || p.message.starts_with("API Gateway invokes "),
            "{kind:?} partial error does not name the service, API and region: {:?}",
            p.message
        );
    }
    Ok(())
}

/// Run a fetch property with one runtime per test and `block_on` per case. `build` gives the
/// backend and the region to fetch, or `None` to skip a case (a known bug, see its caller).
fn fetch_property<T: fmt::Debug + Clone>(
    strategy: impl Strategy<Value = T>,
    kind: SourceKind,
    build: impl Fn(&T) -> Option<(AwsBackend, String)>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut runner = TestRunner::new(proptest_config(FETCH_CASES));
    let seen = std::cell::RefCell::new(Outcomes::default());
    let result = runner.run(&strategy, |input| {
        let Some((backend, region)) = build(&input) else {
            return Err(TestCaseError::reject("known bug"));
        };
        let (tally, result) =
            runtime.block_on(backend.fetch(&SourceKey::new(kind, region.as_str()), now()));
        seen.borrow_mut().add(&tally, &result);
        check_outcome(kind, &region, &tally, &result)?;
        consume(
            &backend,
            &SourceKey::new(kind, region.as_str()),
            tally,
            result,
        )
    });
    // Shown with --nocapture: how far the generated responses got.
    eprintln!("{kind:?}: {:?}", seen.borrow());
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// What the console does with a fetch: the state update, the JSON snapshot and check, and a
/// full render at two sizes. None of it may panic on what the services sent.
fn consume(
    b: &AwsBackend,
    key: &SourceKey,
    tally: Tally,
    result: Result<Payload, SourceError>,
) -> Result<(), TestCaseError> {
    let fleet = Fleet::new(b.services(), &b.schedule(), Thresholds::default());
    let mut state = State::new("aws".into(), fleet);
    let fetched = Fetched {
        key: key.clone(),
        at: now(),
        calls: tally.calls,
        route53_calls: tally.route53_calls,
        result,
        partial: tally.partial,
    };
    update(&mut state, Msg::Fetched(Box::new(fetched)), now());
    let snapshot = serde_json::to_string(&report::snapshot(&state.fleet, now()));
    prop_assert!(snapshot.is_ok(), "snapshot JSON: {snapshot:?}");
    let check = serde_json::to_string(&report::check(&state.fleet, None, now()));
    prop_assert!(check.is_ok(), "check JSON: {check:?}");
    for (width, height) in [(160, 48), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| ui::render(frame, &state, &Theme::color(), now()))
            .unwrap();
    }
    Ok(())
}

/// How the cases of a fetch property came out.
#[derive(Debug, Default)]
struct Outcomes {
    ok: u32,
    ok_partial: u32,
    err: u32,
    most_calls: u32,
    calls_seen: std::collections::BTreeMap<u32, u32>,
}

impl Outcomes {
    fn add(&mut self, tally: &Tally, result: &Result<Payload, SourceError>) {
        match (result, &tally.partial) {
            (Ok(_), None) => self.ok += 1,
            (Ok(_), Some(_)) => self.ok_partial += 1,
            (Err(_), _) => self.err += 1,
        }
        self.most_calls = self.most_calls.max(tally.calls);
        *self.calls_seen.entry(tally.calls).or_default() += 1;
    }
}

pub(crate) fn region() -> impl Strategy<Value = String> {
    select(vec!["us-east-1", "us-west-2"]).prop_map(String::from)
}

#[derive(Debug, Clone)]
struct HealthInput {
    list_records: Reply,
    get_health_check: Reply,
    get_health_check_status: Reply,
    get_metric_data: Reply,
}

#[test]
fn health_fetch_survives_any_response() {
    let strategy = (
        reply(Proto::Route53Xml, templated(LIST_RECORDS)),
        reply(Proto::Route53Xml, templated(GET_HEALTH_CHECK)),
        reply(Proto::Route53Xml, templated(GET_HEALTH_CHECK_STATUS)),
        reply(Proto::Cbor, metric_data_body()),
    )
        .prop_map(|(a, b, c, d)| HealthInput {
            list_records: a,
            get_health_check: b,
            get_health_check_status: c,
            get_metric_data: d,
        });
    fetch_property(strategy, SourceKind::Health, |input| {
        let records = answers!(
            aws_sdk_route53::Client::list_resource_record_sets,
            input.list_records
        );
        let check = answers!(
            aws_sdk_route53::Client::get_health_check,
            input.get_health_check
        );
        let status = answers!(
            aws_sdk_route53::Client::get_health_check_status,
            input.get_health_check_status
        );
        let metrics = answers!(
            aws_sdk_cloudwatch::Client::get_metric_data,
            input.get_metric_data
        );
        let control = ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&records, &check, &status]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        };
        let b = backend(
            CONFIG,
            control,
            vec![
                ("us-east-1", unused_region()),
                ("us-west-2", unused_region()),
            ],
        );
        Some((b, CONTROL_REGION.to_string()))
    });
}

#[derive(Debug, Clone)]
struct LambdaInput {
    region: String,
    configuration: Reply,
    get_metric_data: Reply,
    /// v1 domains, v1 mappings, v2 domains, v2 mappings, v1 resources, v2 integrations, stage.
    api_gateway: [Reply; 7],
}

#[test]
fn lambda_fetch_survives_any_response() {
    let api_gateway = (
        reply(Proto::RestJson, templated(APIGW_V1_DOMAINS)),
        reply(Proto::RestJson, templated(APIGW_V1_MAPPINGS)),
        reply(Proto::RestJson, templated(APIGW_V2_DOMAINS)),
        reply(Proto::RestJson, templated(APIGW_V2_MAPPINGS)),
        reply(Proto::RestJson, templated(APIGW_V1_RESOURCES)),
        reply(Proto::RestJson, templated(APIGW_V2_INTEGRATIONS)),
        reply(Proto::RestJson, templated(APIGW_STAGE)),
    )
        .prop_map(|(a, b, c, d, e, f, g)| [a, b, c, d, e, f, g]);
    let strategy = (
        region(),
        reply(Proto::RestJson, templated(LAMBDA_CONFIGURATION)),
        reply(Proto::Cbor, metric_data_body()),
        api_gateway,
    )
        .prop_map(
            |(region, configuration, get_metric_data, api_gateway)| LambdaInput {
                region,
                configuration,
                get_metric_data,
                api_gateway,
            },
        );
    fetch_property(strategy, SourceKind::Lambda, |input| {
        let configuration = answers!(
            aws_sdk_lambda::Client::get_function_configuration,
            input.configuration
        );
        let metrics = answers!(
            aws_sdk_cloudwatch::Client::get_metric_data,
            input.get_metric_data
        );
        let [
            v1_domains,
            v1_mappings,
            v2_domains,
            v2_mappings,
            resources,
            integrations,
            stage,
        ] = &input.api_gateway;
        let v1 = [
            answers!(aws_sdk_apigateway::Client::get_domain_names, v1_domains),
            answers!(
                aws_sdk_apigateway::Client::get_base_path_mappings,
                v1_mappings
            ),
            answers!(aws_sdk_apigateway::Client::get_resources, resources),
            answers!(aws_sdk_apigateway::Client::get_stage, stage),
        ];
        let v2 = [
            answers!(aws_sdk_apigatewayv2::Client::get_domain_names, v2_domains),
            answers!(aws_sdk_apigatewayv2::Client::get_api_mappings, v2_mappings),
            answers!(aws_sdk_apigatewayv2::Client::get_integrations, integrations),
            answers!(aws_sdk_apigatewayv2::Client::get_stage, stage),
        ];
        let regional = || RegionClients {
            apigateway: mocked!(
                aws_sdk_apigateway,
                RuleMode::MatchAny,
                [&v1[0], &v1[1], &v1[2], &v1[3]]
            ),
            apigatewayv2: mocked!(
                aws_sdk_apigatewayv2,
                RuleMode::MatchAny,
                [&v2[0], &v2[1], &v2[2], &v2[3]]
            ),
            lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configuration]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_region()
        };
        let b = backend(
            CONFIG,
            unused_control(),
            vec![("us-east-1", regional()), ("us-west-2", regional())],
        );
        Some((b, input.region.clone()))
    });
}

#[derive(Debug, Clone)]
struct DomainsInput {
    region: String,
    v1_domains: Reply,
    v1_mappings: Reply,
    v2_domains: Reply,
    v2_mappings: Reply,
    list_records: Reply,
}

#[test]
fn domains_fetch_survives_any_response() {
    let strategy = (
        region(),
        reply(Proto::RestJson, templated(APIGW_V1_DOMAINS)),
        reply(Proto::RestJson, templated(APIGW_V1_MAPPINGS)),
        reply(Proto::RestJson, templated(APIGW_V2_DOMAINS)),
        reply(Proto::RestJson, templated(APIGW_V2_MAPPINGS)),
        reply(Proto::Route53Xml, templated(LIST_RECORDS)),
    )
        .prop_map(|(region, a, b, c, d, e)| DomainsInput {
            region,
            v1_domains: a,
            v1_mappings: b,
            v2_domains: c,
            v2_mappings: d,
            list_records: e,
        });
    fetch_property(strategy, SourceKind::Domains, |input| {
        let v1_domains = answers!(
            aws_sdk_apigateway::Client::get_domain_names,
            input.v1_domains
        );
        let v1_mappings = answers!(
            aws_sdk_apigateway::Client::get_base_path_mappings,
            input.v1_mappings
        );
        let v2_domains = answers!(
            aws_sdk_apigatewayv2::Client::get_domain_names,
            input.v2_domains
        );
        let v2_mappings = answers!(
            aws_sdk_apigatewayv2::Client::get_api_mappings,
            input.v2_mappings
        );
        let records = answers!(
            aws_sdk_route53::Client::list_resource_record_sets,
            input.list_records
        );
        let regional = || RegionClients {
            apigateway: mocked!(
                aws_sdk_apigateway,
                RuleMode::MatchAny,
                [&v1_domains, &v1_mappings]
            ),
            apigatewayv2: mocked!(
                aws_sdk_apigatewayv2,
                RuleMode::MatchAny,
                [&v2_domains, &v2_mappings]
            ),
            ..unused_region()
        };
        let control = ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
            ..unused_control()
        };
        let b = backend(
            CONFIG,
            control,
            vec![("us-east-1", regional()), ("us-west-2", regional())],
        );
        Some((b, input.region.clone()))
    });
}

#[derive(Debug, Clone)]
struct ReplicationInput {
    region: String,
    list_versions: Reply,
    head_object: Reply,
    get_replication: Reply,
    get_metric_data: Reply,
}

#[test]
fn replication_fetch_survives_any_response() {
    let strategy = (
        region(),
        reply(Proto::S3Xml, templated(S3_LIST_VERSIONS)),
        head_object_reply(),
        reply(Proto::S3Xml, templated(S3_GET_REPLICATION)),
        reply(Proto::Cbor, metric_data_body()),
    )
        .prop_map(|(region, a, b, c, d)| ReplicationInput {
            region,
            list_versions: a,
            head_object: b,
            get_replication: c,
            get_metric_data: d,
        });
    fetch_property(strategy, SourceKind::Replication, |input| {
        let list = answers!(
            aws_sdk_s3::Client::list_object_versions,
            input.list_versions
        );
        let head = answers!(aws_sdk_s3::Client::head_object, input.head_object);
        let replication = answers!(
            aws_sdk_s3::Client::get_bucket_replication,
            input.get_replication
        );
        let metrics = answers!(
            aws_sdk_cloudwatch::Client::get_metric_data,
            input.get_metric_data
        );
        let regional = || RegionClients {
            s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&list, &head, &replication]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_region()
        };
        let b = backend(
            CONFIG,
            unused_control(),
            vec![("us-east-1", regional()), ("us-west-2", regional())],
        );
        Some((b, input.region.clone()))
    });
}

#[derive(Debug, Clone)]
struct PipelineInput {
    state: Reply,
    declaration: Reply,
    execution: Reply,
}

#[test]
fn pipeline_fetch_survives_any_response() {
    let strategy = (
        reply(Proto::AwsJson, templated(PIPELINE_STATE)),
        reply(Proto::AwsJson, templated(PIPELINE_DECLARATION)),
        reply(Proto::AwsJson, templated(PIPELINE_EXECUTION)),
    )
        .prop_map(|(state, declaration, execution)| PipelineInput {
            state,
            declaration,
            execution,
        });
    fetch_property(strategy, SourceKind::Pipeline, |input| {
        let state = answers!(
            aws_sdk_codepipeline::Client::get_pipeline_state,
            input.state
        );
        let declaration = answers!(
            aws_sdk_codepipeline::Client::get_pipeline,
            input.declaration
        );
        let execution = answers!(
            aws_sdk_codepipeline::Client::get_pipeline_execution,
            input.execution
        );
        let regional = || RegionClients {
            codepipeline: mocked!(
                aws_sdk_codepipeline,
                RuleMode::MatchAny,
                [&state, &declaration, &execution]
            ),
            ..unused_region()
        };
        let b = backend(
            CONFIG,
            unused_control(),
            vec![("us-east-1", regional()), ("us-west-2", regional())],
        );
        Some((b, "us-east-1".to_string()))
    });
}

/// The input the pipeline property shrank to: an in-progress approval whose last status change
/// is chrono's last second.
#[test]
fn pipeline_approval_in_the_last_week_of_time_does_not_panic() {
    let state = Reply {
        status: 200,
        headers: Vec::new(),
        body: format!(
            r#"{{"stageStates":[{{"stageName":"Approve","actionStates":[{{"actionName":"Approve","latestExecution":{{"status":"InProgress","token":"t","lastStatusChange":{CHRONO_MAX_SECS}}}}}]}}]}}"#
        )
        .into_bytes(),
    };
    let state = answers!(aws_sdk_codepipeline::Client::get_pipeline_state, state);
    // The action is a declared manual approval, so its expiry is computed (and saturates).
    let declared = aws_mocks_support::manual_approvals_declared(&[("Approve", "Approve", None)]);
    let b = backend(
        CONFIG,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                codepipeline: mocked!(
                    aws_sdk_codepipeline,
                    RuleMode::MatchAny,
                    [&state, &declared]
                ),
                ..unused_region()
            },
        )],
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_, result) =
        runtime.block_on(b.fetch(&SourceKey::new(SourceKind::Pipeline, "us-east-1"), now()));
    assert!(result.is_ok(), "{result:?}");
}
