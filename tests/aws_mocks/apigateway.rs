//! API Gateway v2 custom domains.

use super::health::alias_record;
use super::*;

/// Why not moto: moto's v2 GetDomainNames returns DomainNameConfigurations without
/// ApiGatewayDomainName (and HostedZoneId), so the regional target cannot be read from it.
#[tokio::test]
async fn apigateway_v2_domain_targets_and_api_mappings() {
    use aws_sdk_apigatewayv2::operation::get_api_mappings::GetApiMappingsOutput;
    use aws_sdk_apigatewayv2::types::{
        ApiMapping, DomainName, DomainNameConfiguration, DomainNameStatus, EndpointType,
    };
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput;
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
"#;
    let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names).then_output(|| {
        aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesOutput::builder().build()
    });
    let domain = |name: &str, target: &str| {
        DomainName::builder()
            .domain_name(name)
            .domain_name_configurations(
                DomainNameConfiguration::builder()
                    .api_gateway_domain_name(target)
                    .hosted_zone_id("Z1UJRXOUMOOFQ8")
                    .endpoint_type(EndpointType::Regional)
                    .domain_name_status(DomainNameStatus::Available)
                    .build(),
            )
            .build()
    };
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_output(move || {
        aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesOutput::builder()
            .items(domain(
                "other.example.com",
                "d-other.execute-api.us-east-1.amazonaws.com",
            ))
            .items(domain(
                "api.example.com",
                "d-east0001.execute-api.us-east-1.amazonaws.com",
            ))
            .items(domain(
                "us-east-1.api.example.com",
                "d-regional1.execute-api.us-east-1.amazonaws.com",
            ))
            .build()
    });
    let mapping = |key: &str, api: &str, stage: &str| {
        ApiMapping::builder()
            .api_mapping_key(key)
            .api_id(api)
            .stage(stage)
            .api_mapping_id(format!("m-{api}"))
            .build()
    };
    let shared_mappings = mock!(aws_sdk_apigatewayv2::Client::get_api_mappings)
        .match_requests(|r| r.domain_name() == Some("api.example.com"))
        .then_output(move || {
            GetApiMappingsOutput::builder()
                .items(mapping("", "abc123", "$default"))
                .items(mapping("v2", "def456", "prod"))
                .build()
        });
    let regional_mappings = mock!(aws_sdk_apigatewayv2::Client::get_api_mappings)
        .match_requests(|r| r.domain_name() == Some("us-east-1.api.example.com"))
        .then_output(move || {
            GetApiMappingsOutput::builder()
                .items(mapping("", "abc123", "$default"))
                .build()
        });
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .match_requests(|r| r.hosted_zone_id() == Some("ZAPI"))
        .then_output(|| {
            ListResourceRecordSetsOutput::builder()
                .resource_record_sets(alias_record(
                    "api.example.com.",
                    "d-east0001.execute-api.us-east-1.amazonaws.com.",
                    Some(("PRIMARY", "east", "hc-east")),
                ))
                .resource_record_sets(alias_record(
                    "api.example.com.",
                    "d-west0001.execute-api.us-west-2.amazonaws.com.",
                    Some(("SECONDARY", "west", "hc-west")),
                ))
                // Still pointing at a domain that was recreated: drift.
                .resource_record_sets(alias_record(
                    "us-east-1.api.example.com.",
                    "d-oldregion.execute-api.us-east-1.amazonaws.com.",
                    None,
                ))
                .is_truncated(false)
                .max_items(100)
                .build()
                .unwrap()
        });
    let b = backend(
        toml,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
            ..unused_control()
        },
        vec![(
            "us-east-1",
            RegionClients {
                apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&v1]),
                apigatewayv2: mocked!(
                    aws_sdk_apigatewayv2,
                    RuleMode::MatchAny,
                    [&v2, &shared_mappings, &regional_mappings]
                ),
                ..unused_region()
            },
        )],
    );

    let (tally, result) = fetch(&b, SourceKind::Domains, "us-east-1").await;
    let Ok(Payload::Domains(entries)) = result else {
        panic!("{result:?}")
    };
    assert!(tally.partial.is_none(), "{:?}", tally.partial);
    assert_eq!(v1.num_calls(), 1, "v1 asked, and it has no domains");
    assert_eq!(
        (shared_mappings.num_calls(), regional_mappings.num_calls()),
        (1, 1),
        "no mappings asked for other.example.com"
    );
    assert_eq!(
        tally.calls,
        1 + 1 + 2 + 1,
        "v1 domains, v2 domains, 2 × GetApiMappings, records"
    );

    assert_eq!(entries.len(), 1);
    let infos = &entries[0].value;
    assert_eq!(infos.len(), 2, "{infos:?}");
    let shared = &infos[0];
    assert_eq!(shared.name, "api.example.com");
    assert_eq!(shared.api, ApiKind::Http);
    assert_eq!(
        shared.regional_target.as_deref(),
        Some("d-east0001.execute-api.us-east-1.amazonaws.com")
    );
    assert_eq!(
        shared.dns_target.as_deref(),
        Some("d-east0001.execute-api.us-east-1.amazonaws.com")
    );
    assert!(!shared.drift());
    assert_eq!(
        shared.mappings,
        vec![
            DomainMapping {
                path: String::new(),
                api_id: "abc123".into(),
                stage: "$default".into()
            },
            DomainMapping {
                path: "v2".into(),
                api_id: "def456".into(),
                stage: "prod".into()
            },
        ]
    );
    let regional = &infos[1];
    assert_eq!(regional.name, "us-east-1.api.example.com");
    assert_eq!(regional.api, ApiKind::Http);
    assert_eq!(
        regional.regional_target.as_deref(),
        Some("d-regional1.execute-api.us-east-1.amazonaws.com")
    );
    assert_eq!(
        regional.dns_target.as_deref(),
        Some("d-oldregion.execute-api.us-east-1.amazonaws.com")
    );
    assert!(regional.drift(), "the record points at the old target");
}

/// The Route 53 API failing (its control plane is impaired in a us-east-1 outage) must not hide
/// the API Gateway domains: they are shown with their mappings, their drift unknown (never
/// "ok"), and the records' error is the part of the fetch that failed.
///
/// Why mocks: a Route 53 API that answers 503 to ListResourceRecordSets while API Gateway
/// answers cannot be made with one moto server (tests/faults/ has the silent-endpoint case).
#[tokio::test]
async fn domains_are_kept_with_drift_unknown_when_the_zone_records_fail() {
    use aws_sdk_apigateway::operation::get_base_path_mappings::GetBasePathMappingsOutput;
    use aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesOutput;
    use aws_sdk_apigateway::types::{BasePathMapping, DomainName};
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
"#;
    let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names).then_output(|| {
        GetDomainNamesOutput::builder()
            .items(
                DomainName::builder()
                    .domain_name("api.example.com")
                    .regional_domain_name("d-east0001.execute-api.us-east-1.amazonaws.com")
                    .build(),
            )
            .build()
    });
    let mappings = mock!(aws_sdk_apigateway::Client::get_base_path_mappings).then_output(|| {
        GetBasePathMappingsOutput::builder()
            .items(
                BasePathMapping::builder()
                    .base_path("(none)")
                    .rest_api_id("abc123")
                    .stage("prod")
                    .build(),
            )
            .build()
    });
    let records =
        mock!(aws_sdk_route53::Client::list_resource_record_sets).then_http_response(|| {
            HttpResponse::new(StatusCode::try_from(503).unwrap(), SdkBody::empty())
        });
    let b = backend(
        toml,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
            ..unused_control()
        },
        vec![(
            "us-east-1",
            RegionClients {
                apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&v1, &mappings]),
                ..no_domains_region()
            },
        )],
    );
    let (tally, result) = fetch(&b, SourceKind::Domains, "us-east-1").await;
    let Ok(Payload::Domains(entries)) = result else {
        panic!("the domains are lost with the records: {result:?}")
    };
    let shared = &entries[0].value[0];
    assert_eq!(shared.name, "api.example.com");
    assert_eq!(shared.mappings.len(), 1);
    assert_eq!(shared.drift_known(), None, "drift unknown, not ok");
    assert!(!shared.drift(), "and not reported as drift either");
    let partial = tally
        .partial
        .expect("the records' failure is the partial error");
    assert!(
        partial
            .message
            .contains("Route 53 records of zone ZAPI unavailable"),
        "{}",
        partial.message
    );
}
