#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Calls that do not depend on each other are made at the same time, and a call that needs
//! another's answer starts once that answer is in, whatever the fleet's size. Measured without
//! a clock: the mocked clients hold every request until the test lets it through, in waves
//! (`tests/aws_mocks_support/waves.rs`); the waves a fetch takes are its longest chain of
//! dependent calls. (moto answers too fast, and counts nothing, to show this; the answers here
//! are `aws-smithy-mocks` rules.)

mod aws_mocks_support;

use aws_mocks_support::route53_fleet::{
    EAST, WEST, all_check_ids, get_health_check_rule, list_health_checks_rule, status_rule, target,
    zone_rule,
};
use aws_mocks_support::waves::{Gate, gated, in_waves};
use aws_mocks_support::{MetricTable, backend, fake_cloudwatch, meta, now, sdk_time};
use aws_smithy_mocks::{Rule, mock};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use futures::future::join_all;
use switchyard::source::aws::{AwsBackend, ControlClients, RegionClients};
use switchyard::source::{Payload, SourceKey, SourceKind};

/// `services` services s0, s1, … in both regions, in one hosted zone, each with two functions,
/// artifacts (source bucket in us-east-1) and a pipeline in us-east-1.
fn fleet_toml(services: usize) -> String {
    let mut toml = String::new();
    for i in 0..services {
        toml.push_str(&format!(
            r#"
[[service]]
name = "s{i}"
domain = "s{i}.example.com"
hosted_zone_id = "ZFLEET"
regions = ["{EAST}", "{WEST}"]
functions = ["s{i}-api", "s{i}-worker"]

[service.artifacts]
bucket = "s{i}-artifacts-{{region}}"
prefix = "builds/"
latest = 2

[service.pipeline]
name = "s{i}-deploy"
"#
        ));
    }
    toml
}

/// Route 53: the zone's failover records, the health checks (listed or one by one) and their
/// status.
fn route53_rules(services: usize) -> Vec<Rule> {
    vec![
        zone_rule("ZFLEET", services),
        list_health_checks_rule(all_check_ids(services)),
        get_health_check_rule(),
        status_rule(),
    ]
}

/// API Gateway in `region`: every service's shared name as a v1 domain with one mapping; no v2
/// domains.
fn apigateway_rules(services: usize, region: &'static str) -> (Vec<Rule>, Vec<Rule>) {
    use aws_sdk_apigateway::types::{BasePathMapping, DomainName};
    let domains = mock!(aws_sdk_apigateway::Client::get_domain_names).then_output(move || {
        let mut out =
            aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesOutput::builder();
        for i in 0..services {
            out = out.items(
                DomainName::builder()
                    .domain_name(format!("s{i}.example.com"))
                    .regional_domain_name(target(i, region))
                    .build(),
            );
        }
        out.build()
    });
    let mappings = mock!(aws_sdk_apigateway::Client::get_base_path_mappings).then_output(|| {
        aws_sdk_apigateway::operation::get_base_path_mappings::GetBasePathMappingsOutput::builder()
            .items(
                BasePathMapping::builder()
                    .base_path("(none)")
                    .rest_api_id("api")
                    .stage("prod")
                    .build(),
            )
            .build()
    });
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_output(|| {
        aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesOutput::builder().build()
    });
    // The mapped API's integrations (the Lambda source reads them for the invoked alias).
    let resources = mock!(aws_sdk_apigateway::Client::get_resources).then_output(|| {
        aws_sdk_apigateway::operation::get_resources::GetResourcesOutput::builder().build()
    });
    (vec![domains, mappings, resources], vec![v2])
}

fn lambda_rule() -> Rule {
    mock!(aws_sdk_lambda::Client::get_function_configuration).then_compute_output(|r| {
        aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput::builder()
            .function_name(r.function_name().unwrap_or(""))
            .code_sha256("sha")
            .memory_size(512)
            .build()
    })
}

/// S3: two versions in every bucket, each COMPLETED; the source buckets' replication rules
/// publish metrics when `metrics`, else there is no replication configuration.
fn s3_rules(metrics: bool) -> Vec<Rule> {
    use aws_sdk_s3::operation::get_bucket_replication::{
        GetBucketReplicationError, GetBucketReplicationOutput,
    };
    use aws_sdk_s3::types::{
        Destination, Metrics, MetricsStatus, ObjectVersion, ReplicationConfiguration,
        ReplicationRule, ReplicationRuleStatus,
    };
    let list = mock!(aws_sdk_s3::Client::list_object_versions).then_output(|| {
        let version = |id: &str, minutes: i64| {
            ObjectVersion::builder()
                .key(format!("builds/{id}.zip"))
                .version_id(id)
                .last_modified(sdk_time(now() - chrono::Duration::minutes(minutes)))
                .e_tag("\"e\"")
                .build()
        };
        aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput::builder()
            .versions(version("v1", 20))
            .versions(version("v2", 10))
            .is_truncated(false)
            .build()
    });
    let head = mock!(aws_sdk_s3::Client::head_object).then_http_response(|| {
        let mut response = HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::empty());
        response
            .headers_mut()
            .insert("x-amz-replication-status", "COMPLETED");
        response
    });
    let replication = if metrics {
        mock!(aws_sdk_s3::Client::get_bucket_replication).then_output(|| {
            GetBucketReplicationOutput::builder()
                .replication_configuration(
                    ReplicationConfiguration::builder()
                        .role("arn:aws:iam::1:role/r")
                        .rules(
                            ReplicationRule::builder()
                                .id("to-west")
                                .status(ReplicationRuleStatus::Enabled)
                                .destination(
                                    Destination::builder()
                                        .bucket("arn:aws:s3:::destination")
                                        .metrics(
                                            Metrics::builder()
                                                .status(MetricsStatus::Enabled)
                                                .build()
                                                .unwrap(),
                                        )
                                        .build()
                                        .unwrap(),
                                )
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        })
    } else {
        mock!(aws_sdk_s3::Client::get_bucket_replication).then_error(|| {
            GetBucketReplicationError::generic(meta(
                "ReplicationConfigurationNotFoundError",
                "The replication configuration was not found",
            ))
        })
    };
    vec![list, head, replication]
}

/// CodePipeline: every pipeline waits at a manual approval of its latest execution.
fn codepipeline_rules() -> Vec<Rule> {
    use aws_sdk_codepipeline::types::{
        ActionExecution, ActionExecutionStatus, ActionState, ArtifactRevision, PipelineExecution,
        StageExecution, StageExecutionStatus, StageState,
    };
    let state = mock!(aws_sdk_codepipeline::Client::get_pipeline_state).then_compute_output(|r| {
        let name = r.name().unwrap_or("");
        aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateOutput::builder()
            .pipeline_name(name)
            .stage_states(
                StageState::builder()
                    .stage_name("Approve")
                    .latest_execution(
                        StageExecution::builder()
                            .pipeline_execution_id(format!("{name}-exec"))
                            .status(StageExecutionStatus::InProgress)
                            .build()
                            .unwrap(),
                    )
                    .action_states(
                        ActionState::builder()
                            .action_name("ManualApproval")
                            .latest_execution(
                                ActionExecution::builder()
                                    .status(ActionExecutionStatus::InProgress)
                                    .token("token")
                                    .last_status_change(sdk_time(now()))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let execution =
        mock!(aws_sdk_codepipeline::Client::get_pipeline_execution).then_compute_output(|r| {
            aws_sdk_codepipeline::operation::get_pipeline_execution::GetPipelineExecutionOutput::builder()
                .pipeline_execution(
                    PipelineExecution::builder()
                        .pipeline_name(r.pipeline_name().unwrap_or(""))
                        .artifact_revisions(
                            ArtifactRevision::builder()
                                .name("SourceArtifact")
                                .revision_id("v2")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let declared =
        crate::aws_mocks_support::manual_approvals_declared(&[("Approve", "ManualApproval", None)]);
    vec![state, execution, declared]
}

/// The whole fleet's backend, every client's requests held at `gate`.
fn fleet(services: usize, gate: &Gate, replication_metrics: bool) -> AwsBackend {
    let route53 = route53_rules(services);
    let (cloudwatch, _) = fake_cloudwatch(MetricTable::new());
    let region = |region: &'static str| {
        let (v1, v2) = apigateway_rules(services, region);
        let (cloudwatch, _) = fake_cloudwatch(MetricTable::new());
        let lambda = lambda_rule();
        let s3 = s3_rules(replication_metrics);
        let pipelines = codepipeline_rules();
        RegionClients {
            apigateway: gated!(aws_sdk_apigateway, gate, [&v1[0], &v1[1], &v1[2]]),
            apigatewayv2: gated!(aws_sdk_apigatewayv2, gate, [&v2[0]]),
            lambda: gated!(aws_sdk_lambda, gate, [&lambda]),
            s3: gated!(aws_sdk_s3, gate, [&s3[0], &s3[1], &s3[2]]),
            cloudwatch: gated!(aws_sdk_cloudwatch, gate, [&cloudwatch]),
            codepipeline: gated!(
                aws_sdk_codepipeline,
                gate,
                [&pipelines[0], &pipelines[1], &pipelines[2]]
            ),
        }
    };
    backend(
        &fleet_toml(services),
        ControlClients {
            route53: gated!(
                aws_sdk_route53,
                gate,
                [&route53[0], &route53[1], &route53[2], &route53[3]]
            ),
            cloudwatch: gated!(aws_sdk_cloudwatch, gate, [&cloudwatch]),
            sts: gated!(aws_sdk_sts, gate, []),
        },
        vec![(EAST, region(EAST)), (WEST, region(WEST))],
    )
}

/// `n` times `name`.
fn times(n: usize, name: &str) -> Vec<String> {
    vec![name.to_string(); n]
}

fn wave(parts: Vec<Vec<String>>) -> Vec<String> {
    let mut wave: Vec<String> = parts.into_iter().flatten().collect();
    wave.sort();
    wave
}

async fn fetch_in_waves(
    b: &AwsBackend,
    gate: &Gate,
    kind: SourceKind,
    region: &str,
) -> Vec<Vec<String>> {
    let (waves, (tally, result)) =
        in_waves(gate, b.fetch(&SourceKey::new(kind, region), now())).await;
    assert!(result.is_ok(), "{result:?}");
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    waves
}

// ---------------------------------------------------------------------------------------------
// Each source
// ---------------------------------------------------------------------------------------------

/// S3 in the source region, three services: every bucket listed at once, and with the listings
/// each bucket's replication rules (GetBucketReplication does not need the listing); then each
/// listed version's replication status (HeadObject) and the rules' metrics at once. Two waves,
/// as for every other source.
#[tokio::test]
async fn s3_buckets_and_rules_at_once_then_statuses_and_metrics_at_once() {
    let gate = Gate::default();
    let b = fleet(3, &gate, true);
    let waves = fetch_in_waves(&b, &gate, SourceKind::Replication, EAST).await;
    assert_eq!(
        waves,
        vec![
            wave(vec![
                times(3, "S3 GetBucketReplication"),
                times(3, "S3 ListObjectVersions")
            ]),
            wave(vec![
                times(3, "CloudWatch GetMetricData"),
                times(6, "S3 HeadObject")
            ]),
        ]
    );
}

/// Lambda, the first time (and once every ten minutes): the custom domains listed with the
/// metrics (which need only the functions' names), then their mappings, then the mapped API's
/// integrations (which alias API Gateway invokes), then every function's configuration of that
/// alias. Then, with the integrations kept: the configurations and the metrics at once, one wave.
#[tokio::test]
async fn lambda_configurations_and_metrics_at_once() {
    let gate = Gate::default();
    let b = fleet(2, &gate, false);
    let waves = fetch_in_waves(&b, &gate, SourceKind::Lambda, WEST).await;
    assert_eq!(
        waves,
        vec![
            wave(vec![vec![
                "API Gateway GetDomainNames".to_string(),
                "ApiGatewayV2 GetDomainNames".to_string(),
                "CloudWatch GetMetricData".to_string(),
            ]]),
            times(2, "API Gateway GetBasePathMappings"),
            vec!["API Gateway GetResources".to_string()],
            times(4, "Lambda GetFunctionConfiguration"),
        ]
    );
    let waves = fetch_in_waves(&b, &gate, SourceKind::Lambda, WEST).await;
    assert_eq!(
        waves,
        vec![wave(vec![
            vec!["CloudWatch GetMetricData".to_string()],
            times(4, "Lambda GetFunctionConfiguration"),
        ])]
    );
}

/// Domains: both API Gateway listings and the zone's records at once; then every custom
/// domain's mappings at once.
#[tokio::test]
async fn domain_listings_and_records_at_once_then_every_domains_mappings() {
    let gate = Gate::default();
    let b = fleet(3, &gate, false);
    let waves = fetch_in_waves(&b, &gate, SourceKind::Domains, EAST).await;
    assert_eq!(
        waves,
        vec![
            wave(vec![vec![
                "API Gateway GetDomainNames".to_string(),
                "ApiGatewayV2 GetDomainNames".to_string(),
                "Route 53 ListResourceRecordSets".to_string(),
            ]]),
            times(3, "API Gateway GetBasePathMappings"),
        ]
    );
}

/// Health, the checks found from the zone's records: the zone once for every service; then
/// the configurations (one listing for six checks), the checkers' verdicts (within the budget
/// of 4) and the history at once.
#[tokio::test]
async fn health_records_once_then_configurations_verdicts_and_history_at_once() {
    let gate = Gate::default();
    let b = fleet(3, &gate, false);
    let waves = fetch_in_waves(&b, &gate, SourceKind::Health, EAST).await;
    assert_eq!(
        waves,
        vec![
            vec!["Route 53 ListResourceRecordSets".to_string()],
            wave(vec![
                vec![
                    "CloudWatch GetMetricData".to_string(),
                    "Route 53 ListHealthChecks".to_string(),
                ],
                times(4, "Route 53 GetHealthCheckStatus"),
            ]),
        ]
    );
}

/// CodePipeline: every pipeline's state and (the first time) its declaration at once; then
/// each pending approval's execution. Once read, the declaration is kept while the pipeline's
/// version holds: the next refresh reads the state alone.
#[tokio::test]
async fn pipelines_at_once_then_each_execution() {
    let gate = Gate::default();
    let b = fleet(3, &gate, false);
    let waves = fetch_in_waves(&b, &gate, SourceKind::Pipeline, EAST).await;
    let mut first = times(3, "CodePipeline GetPipeline");
    first.extend(times(3, "CodePipeline GetPipelineState"));
    assert_eq!(
        waves,
        vec![first, times(3, "CodePipeline GetPipelineExecution")]
    );
    let again = fetch_in_waves(&b, &gate, SourceKind::Pipeline, EAST).await;
    assert_eq!(
        again,
        vec![
            times(3, "CodePipeline GetPipelineState"),
            times(3, "CodePipeline GetPipelineExecution"),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// A whole snapshot
// ---------------------------------------------------------------------------------------------

/// Every source of the schedule fetched at once, as `snapshot` does: four waves of calls, for
/// one service as for four (the fleet's size adds calls to a wave, not waves). Every source but
/// Lambda is done in two; Lambda's first fetch also reads which alias API Gateway invokes
/// (domains, mappings, integrations) before the configurations. The first wave holds one zone
/// read for the health source and both regions.
#[tokio::test]
async fn a_snapshot_takes_four_waves_of_calls_whatever_the_fleet_size() {
    for services in [1, 4] {
        let gate = Gate::default();
        let b = fleet(services, &gate, false);
        let schedule = b.schedule();
        let (waves, results) = in_waves(
            &gate,
            join_all(schedule.iter().map(|spec| b.fetch(&spec.key, now()))),
        )
        .await;
        for (tally, result) in &results {
            assert!(result.is_ok(), "{result:?}");
            assert!(tally.partial.is_none(), "{:?}", tally.partial);
        }
        let Some(Ok(Payload::Health(checks))) = results
            .iter()
            .find(|(_, r)| matches!(r, Ok(Payload::Health(_))))
            .map(|(_, r)| r.clone())
        else {
            panic!("no health payload")
        };
        assert_eq!(checks.len(), 2 * services);
        assert_eq!(waves.len(), 4, "{services} services: {waves:#?}");
        assert!(
            waves[2..]
                .iter()
                .flatten()
                .all(|c| c == "API Gateway GetResources" || c == "Lambda GetFunctionConfiguration"),
            "only the Lambda source's integrations and configurations after two waves: {waves:#?}"
        );
        let zone_reads = waves[0]
            .iter()
            .filter(|c| *c == "Route 53 ListResourceRecordSets")
            .count();
        assert_eq!(zone_reads, 1, "{services} services");
    }
}
