//! Pagination that does not end.

use super::fetches::{CONFIG, CONTROL_REGION};
use super::replies::{Cbor, Proto, Reply, encode};
use super::*;

/// How often the mocks below repeat a page before giving a last one; a loop that follows a
/// repeated token makes this many calls instead of two.
const REPEATS: usize = 50;

fn ok_reply(proto: Proto, body: Vec<u8>) -> Reply {
    Reply {
        status: 200,
        headers: vec![("content-type".to_string(), proto.content_type().to_string())],
        body,
    }
}

/// A rule answering `$op` with `$page` `REPEATS` times, then with `$last`.
macro_rules! repeating {
    ($op:path, $page:expr, $last:expr) => {{
        let (page, last): (Reply, Reply) = ($page, $last);
        mock!($op)
            .sequence()
            .http_response(move || page.http())
            .times(REPEATS)
            .http_response(move || last.http())
            .build()
    }};
}

/// Every paginated loop in the sources, answered with a page whose pagination token is the one
/// it was asked with. The SDK's own paginators stop on a repeated token; each of these loops
/// should too (ask for the same page at most twice), rather than calling until the source's
/// 20-second timeout.
#[test]
fn pagination_stops_when_a_token_repeats() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fetch = |b: &AwsBackend, kind: SourceKind, region: &str| {
        runtime.block_on(b.fetch(&SourceKey::new(kind, region), now()))
    };
    let mut loops: Vec<(&str, usize)> = Vec::new();

    // Route 53 ListResourceRecordSets: IsTruncated with the same NextRecordName.
    let records = repeating!(
        aws_sdk_route53::Client::list_resource_record_sets,
        ok_reply(Proto::Route53Xml, br#"<ListResourceRecordSetsResponse><ResourceRecordSets/><IsTruncated>true</IsTruncated><NextRecordName>api.example.com.</NextRecordName><NextRecordType>A</NextRecordType><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#.to_vec()),
        ok_reply(Proto::Route53Xml, br#"<ListResourceRecordSetsResponse><ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#.to_vec())
    );
    let not_found = Reply {
        status: 404,
        headers: Vec::new(),
        body: Vec::new(),
    };
    let check = answers!(aws_sdk_route53::Client::get_health_check, not_found);
    let status = answers!(aws_sdk_route53::Client::get_health_check_status, not_found);
    let metrics = answers!(aws_sdk_cloudwatch::Client::get_metric_data, not_found);
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
    let _ = fetch(&b, SourceKind::Health, CONTROL_REGION);
    loops.push((
        "Route 53 ListResourceRecordSets (NextRecordName)",
        records.num_calls(),
    ));

    // CloudWatch GetMetricData: the same NextToken (through the Lambda source).
    let cbor_page = |token: Option<&str>| {
        let mut pairs = vec![("MetricDataResults".to_string(), Cbor::Array(Vec::new()))];
        if let Some(token) = token {
            pairs.push(("NextToken".to_string(), Cbor::Text(token.to_string())));
        }
        ok_reply(Proto::Cbor, encode(&Cbor::Map(pairs)))
    };
    let metrics = repeating!(
        aws_sdk_cloudwatch::Client::get_metric_data,
        cbor_page(Some("t1")),
        cbor_page(None)
    );
    let configuration = answers!(
        aws_sdk_lambda::Client::get_function_configuration,
        ok_reply(Proto::RestJson, b"{}".to_vec())
    );
    let b = backend(
        CONFIG,
        unused_control(),
        vec![(
            "us-west-2",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configuration]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
                ..no_domains_region()
            },
        )],
    );
    let _ = fetch(&b, SourceKind::Lambda, "us-west-2");
    loops.push(("CloudWatch GetMetricData (NextToken)", metrics.num_calls()));

    // API Gateway: v1 domains and base path mappings (position), v2 domains and API mappings
    // (nextToken), each in turn repeating while the others answer one page.
    let json = |body: &str| ok_reply(Proto::RestJson, body.as_bytes().to_vec());
    let v1_domain = r#"{"item":[{"domainName":"api.example.com","regionalDomainName":"d-abc.execute-api.us-west-2.amazonaws.com"}]"#;
    let v2_domain = r#"{"items":[{"domainName":"api.example.com","domainNameConfigurations":[{"apiGatewayDomainName":"d-abc.execute-api.us-west-2.amazonaws.com"}]}]"#;
    let empty_records = ok_reply(
        Proto::Route53Xml,
        br#"<ListResourceRecordSetsResponse><ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#.to_vec(),
    );
    for (name, which) in [
        ("API Gateway GetDomainNames (position)", 0),
        ("API Gateway GetBasePathMappings (position)", 1),
        ("API Gateway GetDomainNames v2 (nextToken)", 2),
        ("API Gateway GetApiMappings (nextToken)", 3),
    ] {
        let page = |i: usize, first: &str, token: &str, last: &str| {
            if i == which {
                (
                    json(&format!("{first},{token}}}")),
                    json(&format!("{last}}}")),
                )
            } else {
                (json(&format!("{last}}}")), json(&format!("{last}}}")))
            }
        };
        let (a, a_last) = page(0, v1_domain, r#""position":"p1""#, v1_domain);
        let (b1, b1_last) = page(1, r#"{"item":[]"#, r#""position":"p1""#, r#"{"item":[]"#);
        let (c, c_last) = page(2, v2_domain, r#""nextToken":"t1""#, v2_domain);
        let (d, d_last) = page(3, r#"{"items":[]"#, r#""nextToken":"t1""#, r#"{"items":[]"#);
        let rules = [
            repeating!(aws_sdk_apigateway::Client::get_domain_names, a, a_last),
            repeating!(
                aws_sdk_apigateway::Client::get_base_path_mappings,
                b1,
                b1_last
            ),
            repeating!(aws_sdk_apigatewayv2::Client::get_domain_names, c, c_last),
            repeating!(aws_sdk_apigatewayv2::Client::get_api_mappings, d, d_last),
        ];
        let records = answers!(
            aws_sdk_route53::Client::list_resource_record_sets,
            empty_records
        );
        let b = backend(
            CONFIG,
            ControlClients {
                route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
                ..unused_control()
            },
            vec![(
                "us-west-2",
                RegionClients {
                    apigateway: mocked!(
                        aws_sdk_apigateway,
                        RuleMode::MatchAny,
                        [&rules[0], &rules[1]]
                    ),
                    apigatewayv2: mocked!(
                        aws_sdk_apigatewayv2,
                        RuleMode::MatchAny,
                        [&rules[2], &rules[3]]
                    ),
                    ..unused_region()
                },
            )],
        );
        let _ = fetch(&b, SourceKind::Domains, "us-west-2");
        loops.push((name, rules[which].num_calls()));
    }

    // S3 ListObjectVersions: the same markers; bounded at 10 pages, but each repeat adds the
    // same versions again.
    let versions = |truncated: bool| {
        ok_reply(
            Proto::S3Xml,
            format!(
                "<ListVersionsResult><IsTruncated>{truncated}</IsTruncated><NextKeyMarker>builds/a.zip</NextKeyMarker><NextVersionIdMarker>v-a</NextVersionIdMarker><Version><Key>builds/a.zip</Key><VersionId>v-a</VersionId><LastModified>2026-11-10T11:00:00.000Z</LastModified><Size>1</Size></Version></ListVersionsResult>"
            )
            .into_bytes(),
        )
    };
    let list = repeating!(
        aws_sdk_s3::Client::list_object_versions,
        versions(true),
        versions(false)
    );
    let b = backend(
        CONFIG,
        unused_control(),
        vec![(
            "us-west-2",
            RegionClients {
                s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&list]),
                ..unused_region()
            },
        )],
    );
    let (_, result) = fetch(&b, SourceKind::Replication, "us-west-2");
    loops.push(("S3 ListObjectVersions (NextKeyMarker)", list.num_calls()));
    if let Ok(Payload::Replication(entries, _)) = &result {
        let listed = entries.iter().map(|e| e.value.len()).sum::<usize>();
        loops.push((
            "S3 ListObjectVersions: copies of the one version listed",
            listed,
        ));
    }

    let endless: Vec<String> = loops
        .iter()
        .filter(|(_, calls)| *calls > 2)
        .map(|(name, calls)| format!("{name}: {calls}"))
        .collect();
    assert!(
        endless.is_empty(),
        "loops that kept following a repeated token (calls made, or copies listed):\n{}",
        endless.join("\n")
    );
}
