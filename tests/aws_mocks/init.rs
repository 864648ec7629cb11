//! `switchyard init` discovery of an HTTP API service, over mocked clients.

use super::health::alias_record;
use super::*;
use switchyard::config::{AwsConfig, Config};
use switchyard::init::{Ask, AwsSettings, discover, render};
use switchyard::source::aws::AwsInventory;

/// The account of the tests below: an HTTP API on v2 custom domains invoking `orders:live` (API
/// Gateway Developer Guide, "HTTP API Lambda integrations": the IntegrationUri is the function
/// ARN, with the alias); a pipeline `shop-release` deploying it from `shop-builds-us-east-1`,
/// which replicates `builds/` (S3 User Guide, "Replication configuration": the rule's Filter
/// Prefix) to `shop-builds-us-west-2`. With `pipelines_denied`, ListPipelines answers
/// AccessDenied in us-east-1.
fn shop(pipelines_denied: bool) -> AwsInventory {
    use aws_sdk_apigatewayv2::types::{
        ApiMapping, DomainName, DomainNameConfiguration, EndpointType, Integration,
    };
    use aws_sdk_codepipeline::types::{
        ActionCategory, ActionDeclaration, ActionOwner, ActionTypeId, PipelineDeclaration,
        PipelineSummary, StageDeclaration,
    };
    use aws_sdk_route53::types::HostedZone;
    use aws_sdk_s3::types::{
        BucketLocationConstraint, Destination, ReplicationConfiguration, ReplicationRule,
        ReplicationRuleFilter, ReplicationRuleStatus,
    };

    let zones = mock!(aws_sdk_route53::Client::list_hosted_zones_by_name).then_output(|| {
        aws_sdk_route53::operation::list_hosted_zones_by_name::ListHostedZonesByNameOutput::builder(
        )
        .hosted_zones(
            HostedZone::builder()
                .id("/hostedzone/ZSHOP")
                .name("shop.example.com.")
                .caller_reference("r")
                .build()
                .unwrap(),
        )
        .is_truncated(false)
        .max_items(10)
        .build()
        .unwrap()
    });
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .match_requests(|r| r.hosted_zone_id() == Some("ZSHOP"))
        .then_output(|| {
            aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput::builder()
                .resource_record_sets(alias_record(
                    "api.shop.example.com.",
                    "d-west.execute-api.us-west-2.amazonaws.com.",
                    Some(("SECONDARY", "west", "hc-west")),
                ))
                .resource_record_sets(alias_record(
                    "api.shop.example.com.",
                    "d-east.execute-api.us-east-1.amazonaws.com.",
                    Some(("PRIMARY", "east", "hc-east")),
                ))
                .resource_record_sets(alias_record(
                    "api-us-east-1.shop.example.com.",
                    "d-east-r.execute-api.us-east-1.amazonaws.com.",
                    None,
                ))
                .resource_record_sets(alias_record(
                    "api-us-west-2.shop.example.com.",
                    "d-west-r.execute-api.us-west-2.amazonaws.com.",
                    None,
                ))
                .is_truncated(false)
                .max_items(100)
                .build()
                .unwrap()
        });

    // Each region: no REST domains; the shared and regional v2 domains on one HTTP API.
    let region = |r: &'static str| {
        let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names).then_output(|| {
            aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesOutput::builder().build()
        });
        let domain = |name: String, target: String| {
            DomainName::builder()
                .domain_name(name)
                .domain_name_configurations(
                    DomainNameConfiguration::builder()
                        .api_gateway_domain_name(target)
                        .endpoint_type(EndpointType::Regional)
                        .build(),
                )
                .build()
        };
        let short = if r == "us-east-1" { "east" } else { "west" };
        let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_output(move || {
            aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesOutput::builder()
                .items(domain(
                    "api.shop.example.com".into(),
                    format!("d-{short}.execute-api.{r}.amazonaws.com"),
                ))
                .items(domain(
                    format!("api-{r}.shop.example.com"),
                    format!("d-{short}-r.execute-api.{r}.amazonaws.com"),
                ))
                .build()
        });
        let mappings =
            mock!(aws_sdk_apigatewayv2::Client::get_api_mappings).then_output(move || {
                aws_sdk_apigatewayv2::operation::get_api_mappings::GetApiMappingsOutput::builder()
                    .items(
                        ApiMapping::builder()
                            .api_mapping_key("")
                            .api_id(format!("http-{short}"))
                            .stage("$default")
                            .build(),
                    )
                    .build()
            });
        let integrations =
            mock!(aws_sdk_apigatewayv2::Client::get_integrations).then_output(move || {
                aws_sdk_apigatewayv2::operation::get_integrations::GetIntegrationsOutput::builder()
                    .items(
                        Integration::builder()
                            .integration_uri(format!(
                                "arn:aws:lambda:{r}:123456789012:function:orders:live"
                            ))
                            .build(),
                    )
                    .build()
            });
        RegionClients {
            apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&v1]),
            apigatewayv2: mocked!(
                aws_sdk_apigatewayv2,
                RuleMode::MatchAny,
                [&v2, &mappings, &integrations]
            ),
            ..unused_region()
        }
    };

    // The pipeline, in us-east-1 only; a second one that deploys something else.
    let list = mock!(aws_sdk_codepipeline::Client::list_pipelines)
        .match_requests(|_| true)
        .then_output(|| {
            aws_sdk_codepipeline::operation::list_pipelines::ListPipelinesOutput::builder()
                .pipelines(PipelineSummary::builder().name("shop-release").build())
                .pipelines(PipelineSummary::builder().name("website").build())
                .build()
        });
    let action = |name: &str, category: ActionCategory, provider: &str| {
        ActionDeclaration::builder().name(name).action_type_id(
            ActionTypeId::builder()
                .category(category)
                .owner(ActionOwner::Aws)
                .provider(provider)
                .version("1")
                .build()
                .unwrap(),
        )
    };
    let declared = move |name: &str, key: &str, function: &str| {
        let stage = |n: &str, a: ActionDeclaration| {
            StageDeclaration::builder()
                .name(n)
                .actions(a)
                .build()
                .unwrap()
        };
        PipelineDeclaration::builder()
            .name(name)
            .role_arn("arn:aws:iam::123456789012:role/p")
            .stages(stage(
                "Source",
                action("FromS3", ActionCategory::Source, "S3")
                    .configuration("S3Bucket", "shop-builds-us-east-1")
                    .configuration("S3ObjectKey", key)
                    .build()
                    .unwrap(),
            ))
            .stages(stage(
                "Gate",
                action("ReleaseManager", ActionCategory::Approval, "Manual")
                    .build()
                    .unwrap(),
            ))
            .stages(stage(
                "Deploy",
                action("Update", ActionCategory::Deploy, "Lambda")
                    .configuration("FunctionName", function)
                    .build()
                    .unwrap(),
            ))
            .build()
            .unwrap()
    };
    let get = mock!(aws_sdk_codepipeline::Client::get_pipeline).then_output(move || {
        aws_sdk_codepipeline::operation::get_pipeline::GetPipelineOutput::builder()
            .pipeline(declared("shop-release", "builds/orders.zip", "orders"))
            .build()
    });
    let get_other = mock!(aws_sdk_codepipeline::Client::get_pipeline)
        .match_requests(|r| r.name() == Some("website"))
        .then_output(move || {
            aws_sdk_codepipeline::operation::get_pipeline::GetPipelineOutput::builder()
                .pipeline(declared("website", "site/site.zip", "website-renderer"))
                .build()
        });
    let none = mock!(aws_sdk_codepipeline::Client::list_pipelines).then_output(|| {
        aws_sdk_codepipeline::operation::list_pipelines::ListPipelinesOutput::builder().build()
    });

    let location = mock!(aws_sdk_s3::Client::get_bucket_location).then_output(|| {
        aws_sdk_s3::operation::get_bucket_location::GetBucketLocationOutput::builder().build()
    });
    let location_west = mock!(aws_sdk_s3::Client::get_bucket_location)
        .match_requests(|r| r.bucket() == Some("shop-builds-us-west-2"))
        .then_output(|| {
            aws_sdk_s3::operation::get_bucket_location::GetBucketLocationOutput::builder()
                .location_constraint(BucketLocationConstraint::UsWest2)
                .build()
        });
    let replication = mock!(aws_sdk_s3::Client::get_bucket_replication).then_output(|| {
        aws_sdk_s3::operation::get_bucket_replication::GetBucketReplicationOutput::builder()
            .replication_configuration(
                ReplicationConfiguration::builder()
                    .role("arn:aws:iam::123456789012:role/r")
                    .rules(
                        ReplicationRule::builder()
                            .id("west")
                            .status(ReplicationRuleStatus::Enabled)
                            .filter(ReplicationRuleFilter::builder().prefix("builds/").build())
                            .destination(
                                Destination::builder()
                                    .bucket("arn:aws:s3:::shop-builds-us-west-2")
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
    });

    let aws = AwsConfig::default();
    let east = RegionClients {
        codepipeline: mocked!(
            aws_sdk_codepipeline,
            RuleMode::MatchAny,
            [&list, &get_other, &get]
        ),
        s3: mocked!(
            aws_sdk_s3,
            RuleMode::MatchAny,
            [&location_west, &location, &replication]
        ),
        ..region("us-east-1")
    };
    let west = RegionClients {
        codepipeline: mocked!(aws_sdk_codepipeline, RuleMode::MatchAny, [&none]),
        ..region("us-west-2")
    };
    let denied = mock!(aws_sdk_codepipeline::Client::list_pipelines).then_error(|| {
        aws_sdk_codepipeline::operation::list_pipelines::ListPipelinesError::generic(meta(
            "AccessDeniedException",
            "User: arn:aws:sts::123456789012:assumed-role/onboard is not authorized to perform: \
             codepipeline:ListPipelines",
        ))
    });
    let east = if pipelines_denied {
        RegionClients {
            codepipeline: mocked!(aws_sdk_codepipeline, RuleMode::MatchAny, [&denied]),
            ..east
        }
    } else {
        east
    };
    AwsInventory::from_clients(
        &aws,
        mocked!(aws_sdk_route53, RuleMode::MatchAny, [&zones, &records]),
        vec![("us-east-1".into(), east), ("us-west-2".into(), west)],
    )
}

/// Why not moto: its API Gateway v2 GetDomainNames gives no ApiGatewayDomainName (the target
/// that ties a domain to the Route 53 record pointing at it), and its GetBucketReplication
/// returns a rule's Filter without its Prefix.
#[tokio::test]
async fn an_http_api_on_v2_domains_with_replicated_builds() {
    let inv = shop(false);
    let ask = Ask {
        domain: "api.shop.example.com".into(),
        ..Ask::default()
    };
    let found = discover(&inv, &ask).await.unwrap();

    assert_eq!(found.zone.value, "ZSHOP");
    assert_eq!(
        found.region_names(),
        ["us-east-1", "us-west-2"],
        "primary first"
    );
    assert_eq!(
        found.regional_hostname.as_ref().unwrap().value,
        "api-{region}.shop.example.com"
    );
    let functions = &found.functions.as_ref().unwrap().value;
    assert_eq!(
        functions.iter().map(|f| f.item()).collect::<Vec<_>>(),
        ["orders:live"]
    );
    let pipeline = &found.pipeline.as_ref().unwrap().value;
    assert_eq!(
        (pipeline.name.as_str(), pipeline.region.as_str()),
        ("shop-release", "us-east-1")
    );
    assert_eq!(
        pipeline.approval_action.as_ref().unwrap().value,
        "ReleaseManager"
    );
    let artifacts = &found.artifacts.as_ref().unwrap().value;
    assert_eq!(artifacts.bucket, "shop-builds-{region}");
    assert_eq!(artifacts.prefix, "builds/", "the rule's filter prefix");
    assert_eq!(artifacts.source_region, "us-east-1");
    assert!(found.notes.is_empty(), "{:?}", found.notes);

    // What it writes, the loader takes.
    let settings = AwsSettings {
        control_region: "us-east-1".into(),
        ..AwsSettings::default()
    };
    let text = render(
        "switchyard init --domain api.shop.example.com",
        &settings,
        &[found],
        true,
    );
    let config = Config::parse(&text, std::path::Path::new("switchyard.toml"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let s = &config.services[0];
    assert_eq!(s.name, "api");
    assert_eq!(s.functions, ["orders"]);
    assert_eq!(s.qualifiers["orders"], "live");
    assert_eq!(
        s.regional_hostname_for("us-west-2"),
        "api-us-west-2.shop.example.com"
    );
    assert_eq!(s.health_checks["us-east-1"], "hc-east");
    assert_eq!(
        s.pipeline.as_ref().unwrap().approval_action.as_deref(),
        Some("ReleaseManager")
    );
    assert_eq!(
        s.artifacts.as_ref().unwrap().bucket_for("us-west-2"),
        "shop-builds-us-west-2"
    );
}

/// Why not moto: it does not enforce IAM, so AccessDenied can only be injected. A part that
/// cannot be read (CodePipeline without `codepipeline:ListPipelines`) is not found, with the
/// error naming the IAM action; what was found stands, and the part is marked unreadable (so
/// `init --check` cannot call it the same).
#[tokio::test]
async fn a_denied_part_is_not_found_with_the_error_and_the_rest_stands() {
    let inv = shop(true);
    let ask = Ask {
        domain: "api.shop.example.com".into(),
        ..Ask::default()
    };
    let found = discover(&inv, &ask).await.unwrap();
    assert_eq!(found.region_names(), ["us-east-1", "us-west-2"]);
    assert!(found.functions.is_ok());
    let why = found.pipeline.as_ref().unwrap_err();
    assert!(why.starts_with("could not be read: "), "{why}");
    assert!(why.contains("codepipeline:ListPipelines"), "{why}");
    assert_eq!(found.unreadable, ["pipeline"]);
    assert!(found.artifacts.is_err(), "no pipeline, no source bucket");
}
