//! S3 replication status and readiness.

use super::*;

pub(super) fn version(
    key: &str,
    id: &str,
    modified: chrono::DateTime<chrono::Utc>,
    etag: &str,
) -> aws_sdk_s3::types::ObjectVersion {
    aws_sdk_s3::types::ObjectVersion::builder()
        .key(key)
        .version_id(id)
        .last_modified(sdk_time(modified))
        .size(31_457_280)
        .e_tag(format!("\"{etag}\""))
        .is_latest(true)
        .build()
}

/// HeadObject as S3 answers it: 200, no body, the status in `x-amz-replication-status`.
fn head_with_status(status: &'static str) -> HttpResponse {
    let mut response = HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::empty());
    response
        .headers_mut()
        .insert("x-amz-replication-status", status);
    response.headers_mut().insert("content-length", "31457280");
    response
}

/// (region, is the source bucket, status, lag in seconds) of one artifact in one region.
type RegionRow<'a> = (&'a str, bool, ReplicaStatus, Option<u64>);

fn state_from(
    b: &AwsBackend,
    fetched: Vec<(SourceKey, Tally, Result<Payload, SourceError>)>,
) -> State {
    let fleet = Fleet::new(b.services(), &b.schedule(), Thresholds::default());
    let mut state = State::new("aws".into(), fleet);
    for (key, tally, result) in fetched {
        let msg = Msg::Fetched(Box::new(Fetched {
            key,
            at: now(),
            calls: tally.calls,
            route53_calls: tally.route53_calls,
            result,
            partial: tally.partial,
        }));
        update(&mut state, msg, now());
    }
    state
}

fn pipeline_payload(revisions: &[&str]) -> Result<Payload, SourceError> {
    Ok(Payload::Pipeline(vec![Entry {
        service: "api".into(),
        region: "us-east-1".into(),
        value: PipelineInfo {
            name: "api-deploy".into(),
            stages: Vec::new(),
            pending: Some(PendingApproval {
                stage: "Approve".into(),
                action: "ManualApproval".into(),
                token: "tok".into(),
                since: ago(5),
                expires: ago(5) + chrono::Duration::days(7),
                revisions: revisions
                    .iter()
                    .map(|r| ApprovalRevision {
                        name: "SourceArtifact".into(),
                        revision_id: (*r).into(),
                    })
                    .collect(),
            }),
        },
    }]))
}

/// Why not moto: moto replicates nothing and its HeadObject has no `x-amz-replication-status`,
/// so PENDING / COMPLETED / FAILED on the source bucket cannot be produced.
#[tokio::test]
async fn s3_replication_status_to_destination_status_and_readiness() {
    use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput;
    let toml = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]

[service.artifacts]
bucket = "api-artifacts-{region}"
prefix = "builds/"
latest = 3

[service.pipeline]
name = "api-deploy"
"#;
    let source_list = mock!(aws_sdk_s3::Client::list_object_versions)
        .match_requests(|r| {
            r.bucket() == Some("api-artifacts-us-east-1") && r.prefix() == Some("builds/")
        })
        .then_output(|| {
            ListObjectVersionsOutput::builder()
                .versions(version("builds/a.zip", "v-a", ago(30), "ea"))
                .versions(version("builds/c.zip", "v-c", ago(10), "ec"))
                .versions(version("builds/b.zip", "v-b", ago(20), "eb"))
                // Older than the newest 3: never asked about.
                .versions(version("builds/a.zip", "v-a-old", ago(300), "ea0"))
                .is_truncated(false)
                .build()
        });
    let head = |id: &'static str, status: &'static str| {
        mock!(aws_sdk_s3::Client::head_object)
            .match_requests(move |r| {
                r.bucket() == Some("api-artifacts-us-east-1") && r.version_id() == Some(id)
            })
            .then_http_response(move || head_with_status(status))
    };
    let (head_a, head_b, head_c) = (
        head("v-a", "PENDING"),
        head("v-b", "COMPLETED"),
        head("v-c", "FAILED"),
    );
    // The destination has b (a replica keeps the source's version ID, 3 minutes later).
    let dest_list = mock!(aws_sdk_s3::Client::list_object_versions)
        .match_requests(|r| {
            r.bucket() == Some("api-artifacts-us-west-2") && r.prefix() == Some("builds/")
        })
        .then_output(|| {
            ListObjectVersionsOutput::builder()
                .versions(version("builds/b.zip", "v-b", ago(17), "eb"))
                .versions(version("builds/a.zip", "v-a-old", ago(290), "ea0"))
                .is_truncated(false)
                .build()
        });
    // The source bucket's replication rule publishes metrics (moto cannot: no CloudWatch).
    let replication = mock!(aws_sdk_s3::Client::get_bucket_replication).then_output(|| {
        use aws_sdk_s3::types::{
            Destination, Metrics, MetricsStatus, ReplicationConfiguration, ReplicationRule,
            ReplicationRuleStatus,
        };
        aws_sdk_s3::operation::get_bucket_replication::GetBucketReplicationOutput::builder()
            .replication_configuration(
                ReplicationConfiguration::builder()
                    .role("arn:aws:iam::1:role/r")
                    .rules(
                        ReplicationRule::builder()
                            .id("to-west")
                            .status(ReplicationRuleStatus::Enabled)
                            .destination(
                                Destination::builder()
                                    .bucket("arn:aws:s3:::api-artifacts-us-west-2")
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
    });
    let dims = "SourceBucket=api-artifacts-us-east-1,DestinationBucket=api-artifacts-us-west-2,RuleId=to-west";
    let mut table = MetricTable::new();
    table.insert(
        key("AWS/S3", "ReplicationLatency", dims, "Maximum"),
        vec![(ago(3), 95.0), (ago(2), 180.0)],
    );
    table.insert(
        key("AWS/S3", "OperationsPendingReplication", dims, "Maximum"),
        vec![(ago(2), 1.0)],
    );
    table.insert(
        key("AWS/S3", "BytesPendingReplication", dims, "Maximum"),
        vec![(ago(2), 31_457_280.0)],
    );
    table.insert(
        key("AWS/S3", "OperationsFailedReplication", dims, "Sum"),
        vec![(ago(9), 1.0), (ago(4), 1.0)],
    );
    let (cloudwatch, _) = fake_cloudwatch(table);
    let b = backend(
        toml,
        unused_control(),
        vec![
            (
                "us-east-1",
                RegionClients {
                    s3: mocked!(
                        aws_sdk_s3,
                        RuleMode::MatchAny,
                        [&source_list, &head_a, &head_b, &head_c, &replication]
                    ),
                    cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
                    ..unused_region()
                },
            ),
            (
                "us-west-2",
                RegionClients {
                    // No HeadObject rule: the destination is only listed.
                    s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&dest_list]),
                    ..unused_region()
                },
            ),
        ],
    );

    let source_key = SourceKey::new(SourceKind::Replication, "us-east-1");
    let dest_key = SourceKey::new(SourceKind::Replication, "us-west-2");
    let (source_tally, source) = b.fetch(&source_key, now()).await;
    let (dest_tally, dest) = b.fetch(&dest_key, now()).await;
    assert!(source_tally.partial.is_none(), "{:?}", source_tally.partial);
    assert_eq!(
        source_tally.calls,
        1 + 3 + 2,
        "one listing, a HeadObject for each of the newest 3, the replication rules and their metrics"
    );
    assert_eq!(dest_tally.calls, 1);
    assert_eq!(
        (head_a.num_calls(), head_b.num_calls(), head_c.num_calls()),
        (1, 1, 1)
    );

    let Ok(Payload::Replication(entries, metrics)) = &source else {
        panic!("{source:?}")
    };
    assert_eq!(
        metrics[0].value,
        vec![switchyard::model::ReplicationMetrics {
            rule_id: "to-west".into(),
            destination_bucket: "api-artifacts-us-west-2".into(),
            latency_s: Some(180.0),
            operations_pending: Some(1.0),
            bytes_pending: Some(31_457_280.0),
            operations_failed: Some(2.0),
        }],
        "the latest latency and backlog, failures summed over 15 minutes"
    );
    let listed: Vec<(&str, Option<S3Replication>)> = entries[0]
        .value
        .iter()
        .map(|v| (v.version_id.as_str(), v.replication))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("v-c", Some(S3Replication::Failed)),
            ("v-b", Some(S3Replication::Completed)),
            ("v-a", Some(S3Replication::Pending)),
        ],
        "newest first, the newest 3 only, status from the header"
    );
    assert_eq!(
        entries[0].value[0].etag.as_deref(),
        Some("ec"),
        "ETag without quotes"
    );

    let mut state = state_from(
        &b,
        vec![
            (source_key, source_tally, source),
            (dest_key, dest_tally, dest),
        ],
    );
    let svc = state.fleet.service("api").unwrap().clone();
    let tracked = assess::tracked_artifacts(&svc, now());
    let summary: Vec<(&str, Vec<RegionRow<'_>>)> = tracked
        .iter()
        .map(|a| {
            (
                a.version_id.as_str(),
                a.regions
                    .iter()
                    .map(|r| (r.region.as_str(), r.is_source, r.status, r.lag_s))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "v-c",
                vec![
                    ("us-east-1", true, ReplicaStatus::Completed, None),
                    ("us-west-2", false, ReplicaStatus::Failed, Some(600))
                ]
            ),
            (
                "v-b",
                vec![
                    ("us-east-1", true, ReplicaStatus::Completed, None),
                    ("us-west-2", false, ReplicaStatus::Completed, Some(180))
                ]
            ),
            (
                "v-a",
                vec![
                    ("us-east-1", true, ReplicaStatus::Completed, None),
                    ("us-west-2", false, ReplicaStatus::Pending, Some(1800))
                ]
            ),
        ]
    );

    // Without a pending approval the newest build decides: c failed to replicate.
    let r = assess::readiness(&svc, now());
    assert_eq!(r.verdict, Verdict::NotReady);
    assert!(
        r.reasons
            .iter()
            .any(|m| m.contains("builds/c.zip in us-west-2") && m.contains("replication failed")),
        "{:?}",
        r.reasons
    );

    // A pending approval deploying b (replicated): ready.
    let pipeline_key = SourceKey::new(SourceKind::Pipeline, "us-east-1");
    update(
        &mut state,
        Msg::Fetched(Box::new(Fetched {
            key: pipeline_key.clone(),
            at: now(),
            calls: 2,
            route53_calls: 0,
            result: pipeline_payload(&["v-b"]),
            partial: None,
        })),
        now(),
    );
    let r = assess::readiness(state.fleet.service("api").unwrap(), now());
    assert_eq!(
        (r.verdict, r.reasons.clone()),
        (Verdict::Ready, Vec::<String>::new())
    );

    // One deploying a (still pending): not ready, and how long it has waited.
    update(
        &mut state,
        Msg::Fetched(Box::new(Fetched {
            key: pipeline_key,
            at: now(),
            calls: 2,
            route53_calls: 0,
            result: pipeline_payload(&["v-a"]),
            partial: None,
        })),
        now(),
    );
    let r = assess::readiness(state.fleet.service("api").unwrap(), now());
    assert_eq!(r.verdict, Verdict::NotReady);
    assert!(
        r.reasons
            .iter()
            .any(|m| m.contains("builds/a.zip in us-west-2: replication pending for 30m")),
        "{:?}",
        r.reasons
    );
}
