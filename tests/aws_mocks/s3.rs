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

/// (region, is the source bucket, status, lag in seconds, how the lag was obtained) of one
/// artifact in one region.
type RegionRow<'a> = (&'a str, bool, ReplicaStatus, Option<u64>, Option<LagSource>);

/// The fleet after these fetches, as `Fleet::apply` records them.
fn fleet_from(
    b: &AwsBackend,
    fetched: Vec<(SourceKey, Tally, Result<Payload, SourceError>)>,
) -> Fleet {
    let mut fleet = Fleet::new(b.services(), &b.schedule(), Thresholds::default());
    for (key, tally, result) in fetched {
        fleet.apply(Fetched {
            key,
            at: now(),
            calls: tally.calls,
            route53_calls: tally.route53_calls,
            result,
            partial: tally.partial,
        });
    }
    fleet
}

/// A pending approval deploying these revisions, fetched now.
fn approval_of(revisions: &[&str]) -> Fetched {
    Fetched {
        key: SourceKey::new(SourceKind::Pipeline, "us-east-1"),
        at: now(),
        calls: 2,
        route53_calls: 0,
        result: pipeline_payload(revisions),
        partial: None,
    }
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
            last_answer: None,
            approvals_unknown: false,
        },
    }]))
}

/// A source bucket in us-east-1 with four versions (the newest three tracked: c FAILED, b
/// COMPLETED, a PENDING by `x-amz-replication-status`), a replication rule with metrics to
/// us-west-2, whose bucket holds the replicas.
///
/// Why not moto: moto replicates nothing and its HeadObject has no `x-amz-replication-status`,
/// so PENDING / COMPLETED / FAILED on the source bucket cannot be produced.
struct Replicated {
    b: AwsBackend,
    heads: [aws_smithy_mocks::Rule; 3],
}

fn replicated() -> Replicated {
    replicated_with(None)
}

/// As [`replicated`], CloudWatch answered by `cloudwatch` when given.
fn replicated_with(cloudwatch: Option<aws_smithy_mocks::Rule>) -> Replicated {
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
                .versions(version("builds/b.zip", "v-b", ago(12), "eb"))
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
    // The destination has b. A replica keeps the source's version ID and its metadata,
    // creation time (LastModified) included (S3 User Guide, "What does Amazon S3
    // replicate?"): listed in the destination, b says nothing of when it arrived.
    let dest_list = mock!(aws_sdk_s3::Client::list_object_versions)
        .match_requests(|r| {
            r.bucket() == Some("api-artifacts-us-west-2") && r.prefix() == Some("builds/")
        })
        .then_output(|| {
            ListObjectVersionsOutput::builder()
                .versions(version("builds/b.zip", "v-b", ago(12), "eb"))
                .versions(version("builds/a.zip", "v-a-old", ago(300), "ea0"))
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
        // b (written 12 minutes ago) fell behind up to 180 s; then nothing was pending (0).
        vec![
            (ago(11), 60.0),
            (ago(10), 120.0),
            (ago(9), 180.0),
            (ago(8), 0.0),
        ],
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
    let cloudwatch = cloudwatch.unwrap_or_else(|| fake_cloudwatch(table).0);
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
    Replicated {
        b,
        heads: [head_a, head_b, head_c],
    }
}

type Read = (SourceKey, Tally, Result<Payload, SourceError>);

/// The source and destination buckets fetched once.
async fn replicated_fetched() -> (Replicated, Read, Read) {
    let s = replicated();
    let source_key = SourceKey::new(SourceKind::Replication, "us-east-1");
    let dest_key = SourceKey::new(SourceKind::Replication, "us-west-2");
    let (source_tally, source) = s.b.fetch(&source_key, now()).await;
    let (dest_tally, dest) = s.b.fetch(&dest_key, now()).await;
    (
        s,
        (source_key, source_tally, source),
        (dest_key, dest_tally, dest),
    )
}

/// The source bucket: a listing, a HeadObject per tracked version, the rules and their metrics;
/// the destination: only a listing.
#[tokio::test]
async fn s3_calls_on_the_source_and_the_destination_bucket() {
    let (s, (_, source_tally, _), (_, dest_tally, _)) = replicated_fetched().await;
    assert!(source_tally.partial.is_none(), "{:?}", source_tally.partial);
    assert_eq!(
        source_tally.calls,
        1 + 3 + 2,
        "one listing, a HeadObject for each of the newest 3, the replication rules and their metrics"
    );
    assert_eq!(dest_tally.calls, 1);
    assert_eq!(
        (
            s.heads[0].num_calls(),
            s.heads[1].num_calls(),
            s.heads[2].num_calls()
        ),
        (1, 1, 1)
    );
}

/// S3 User Guide, "Replication metrics": the latest latency and backlog, failures summed.
#[tokio::test]
async fn s3_replication_metrics_of_the_rule() {
    let (_, (_, _, source), _) = replicated_fetched().await;
    let Ok(Payload::Replication(_, metrics)) = &source else {
        panic!("{source:?}")
    };
    assert_eq!(
        metrics[0].value,
        vec![switchyard::model::ReplicationMetrics {
            rule_id: "to-west".into(),
            destination_bucket: "api-artifacts-us-west-2".into(),
            destination_region: Some("us-west-2".into()),
            latency_s: Some(0.0),
            latency_series: vec![
                (ago(11), 60.0),
                (ago(10), 120.0),
                (ago(9), 180.0),
                (ago(8), 0.0)
            ],
            latency_since: Some(ago(15)),
            operations_pending: Some(1.0),
            bytes_pending: Some(31_457_280.0),
            operations_failed: Some(2.0),
        }],
        "the latest latency and backlog, failures summed over 15 minutes; the destination bucket is the service's in us-west-2"
    );
}

/// S3 User Guide, "Replication status": the status of a source object comes from the
/// `x-amz-replication-status` header of its HeadObject.
#[tokio::test]
async fn s3_the_newest_versions_with_their_replication_status() {
    let (_, (_, _, source), _) = replicated_fetched().await;
    let Ok(Payload::Replication(entries, _)) = &source else {
        panic!("{source:?}")
    };
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
}

/// Each tracked build in each region: complete in the source, and in the destination as the
/// source's status says.
#[tokio::test]
async fn s3_each_builds_status_in_each_region() {
    let (s, source, dest) = replicated_fetched().await;
    let fleet = fleet_from(&s.b, vec![source, dest]);
    let svc = fleet.service("api").unwrap();
    let tracked = assess::tracked_artifacts(svc, now());
    let summary: Vec<(&str, Vec<RegionRow<'_>>)> = tracked
        .iter()
        .map(|a| {
            (
                a.version_id.as_str(),
                a.regions
                    .iter()
                    .map(|r| {
                        (
                            r.region.as_str(),
                            r.is_source,
                            r.status,
                            r.lag_s,
                            r.lag_source,
                        )
                    })
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
                    ("us-east-1", true, ReplicaStatus::Completed, None, None),
                    (
                        "us-west-2",
                        false,
                        ReplicaStatus::Failed,
                        Some(600),
                        Some(LagSource::Observed)
                    )
                ]
            ),
            (
                "v-b",
                vec![
                    ("us-east-1", true, ReplicaStatus::Completed, None, None),
                    (
                        "us-west-2",
                        false,
                        ReplicaStatus::Completed,
                        Some(180),
                        Some(LagSource::Metric)
                    )
                ]
            ),
            (
                "v-a",
                vec![
                    ("us-east-1", true, ReplicaStatus::Completed, None, None),
                    (
                        "us-west-2",
                        false,
                        ReplicaStatus::Pending,
                        Some(1800),
                        Some(LagSource::Observed)
                    )
                ]
            ),
        ]
    );
}

/// S3 User Guide, "What does Amazon S3 replicate?": a replica keeps the source's LastModified,
/// so "replica LastModified − source LastModified" is 0 s for every completed replica on a real
/// account. The lag of the completed b comes from the rule's `ReplicationLatency` (S3 User
/// Guide, "Replication metrics": the maximum seconds the destination is behind, per rule): its
/// largest value since b was written, 180 s (not its latest, 0 s once nothing was pending).
///
/// Why a mock: moto replicates nothing, its HeadObject has no `x-amz-replication-status`, and
/// no CloudWatch call from the Rust SDK works against moto.
#[tokio::test]
async fn s3_a_replica_keeps_the_source_last_modified_so_its_lag_is_replication_latency() {
    let (s, source, dest) = replicated_fetched().await;
    let fleet = fleet_from(&s.b, vec![source, dest]);
    let svc = fleet.service("api").unwrap();
    let b = assess::tracked_artifacts(svc, now())
        .into_iter()
        .find(|a| a.version_id == "v-b")
        .unwrap();
    let west = b.regions.iter().find(|r| r.region == "us-west-2").unwrap();
    assert_eq!(west.status, ReplicaStatus::Completed);
    assert_eq!(
        (west.lag_s, west.lag_source),
        (Some(180), Some(LagSource::Metric)),
        "the rule's ReplicationLatency, not the LastModified difference (0 s)"
    );
}

/// Without a pending approval the newest build decides: c failed to replicate.
#[tokio::test]
async fn s3_without_an_approval_the_newest_build_decides_readiness() {
    let (s, source, dest) = replicated_fetched().await;
    let fleet = fleet_from(&s.b, vec![source, dest]);
    let r = assess::readiness(fleet.service("api").unwrap(), now());
    assert_eq!(r.verdict, Verdict::NotReady);
    assert!(
        r.reasons
            .iter()
            .any(|m| m.contains("builds/c.zip in us-west-2") && m.contains("replication failed")),
        "{:?}",
        r.reasons
    );
}

/// A pending approval deploying b (replicated) is ready; one deploying a (still pending) is not,
/// and says how long it has waited.
#[tokio::test]
async fn s3_a_pending_approval_is_ready_only_when_its_build_replicated() {
    let (s, source, dest) = replicated_fetched().await;
    let mut fleet = fleet_from(&s.b, vec![source, dest]);
    fleet.apply(approval_of(&["v-b"]));
    let r = assess::readiness(fleet.service("api").unwrap(), now());
    assert_eq!(
        (r.verdict, r.reasons.clone()),
        (Verdict::Ready, Vec::<String>::new())
    );
    fleet.apply(approval_of(&["v-a"]));
    let r = assess::readiness(fleet.service("api").unwrap(), now());
    assert_eq!(r.verdict, Verdict::NotReady);
    assert!(
        r.reasons
            .iter()
            .any(|m| m.contains("builds/a.zip in us-west-2: replication pending for 30m")),
        "{:?}",
        r.reasons
    );
}

/// One build, n, written 5 minutes ago into us-east-1, whose replication rule to us-west-2
/// publishes no metrics; `arrived`: whether the destination lists it yet (with the source's
/// LastModified, as S3 keeps it: S3 User Guide, "What does Amazon S3 replicate?").
///
/// Why not moto: moto replicates nothing and its HeadObject has no `x-amz-replication-status`.
fn unmetered(arrived: bool) -> AwsBackend {
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
"#;
    let listing = move |bucket: &'static str, listed: bool| {
        mock!(aws_sdk_s3::Client::list_object_versions)
            .match_requests(move |r| r.bucket() == Some(bucket))
            .then_output(move || {
                let out = ListObjectVersionsOutput::builder().is_truncated(false);
                if listed {
                    out.versions(version("builds/n.zip", "v-n", ago(5), "en"))
                        .build()
                } else {
                    out.build()
                }
            })
    };
    let source_list = listing("api-artifacts-us-east-1", true);
    let dest_list = listing("api-artifacts-us-west-2", arrived);
    let status = if arrived { "COMPLETED" } else { "PENDING" };
    let head =
        mock!(aws_sdk_s3::Client::head_object).then_http_response(move || head_with_status(status));
    let replication = mock!(aws_sdk_s3::Client::get_bucket_replication).then_output(|| {
        use aws_sdk_s3::types::{
            Destination, ReplicationConfiguration, ReplicationRule, ReplicationRuleStatus,
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
    backend(
        toml,
        unused_control(),
        vec![
            (
                "us-east-1",
                RegionClients {
                    s3: mocked!(
                        aws_sdk_s3,
                        RuleMode::MatchAny,
                        [&source_list, &head, &replication]
                    ),
                    // No CloudWatch rule: a rule without metrics is not asked about.
                    ..unused_region()
                },
            ),
            (
                "us-west-2",
                RegionClients {
                    s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&dest_list]),
                    ..unused_region()
                },
            ),
        ],
    )
}

/// Both buckets of `b` fetched at `at` into `fleet`.
async fn refresh_buckets(b: &AwsBackend, fleet: &mut Fleet, at: switchyard::model::Timestamp) {
    for region in ["us-east-1", "us-west-2"] {
        let key = SourceKey::new(SourceKind::Replication, region);
        let (tally, result) = b.fetch(&key, at).await;
        assert!(result.is_ok(), "{result:?}");
        fleet.apply(Fetched {
            key,
            at,
            calls: tally.calls,
            route53_calls: tally.route53_calls,
            result,
            partial: tally.partial,
        });
    }
}

/// (status, lag_s, lag_source, lag_resolution_s) of n in us-west-2.
fn west_lag(fleet: &Fleet) -> (ReplicaStatus, Option<u64>, Option<LagSource>, Option<u64>) {
    let tracked = assess::tracked_artifacts(fleet.service("api").unwrap(), now());
    let west = &tracked[0].regions[1];
    (
        west.status,
        west.lag_s,
        west.lag_source,
        west.lag_resolution_s,
    )
}

/// Without ReplicationLatency, the lag is when the console first listed the replica: n was
/// written 5 minutes ago, absent from the listing 2 minutes ago and there 1 minute ago, so it
/// took at most 4 minutes, to a resolution of 1 minute (the refresh interval).
#[tokio::test]
async fn s3_without_metrics_the_lag_is_when_the_console_saw_the_replica_arrive() {
    let (before, after) = (unmetered(false), unmetered(true));
    let mut fleet = Fleet::new(before.services(), &before.schedule(), Thresholds::default());
    refresh_buckets(&before, &mut fleet, ago(2)).await;
    assert_eq!(
        west_lag(&fleet),
        (
            ReplicaStatus::Pending,
            Some(300),
            Some(LagSource::Observed),
            None
        ),
        "pending: the age since the write"
    );
    refresh_buckets(&after, &mut fleet, ago(1)).await;
    refresh_buckets(&after, &mut fleet, now()).await;
    assert_eq!(
        west_lag(&fleet),
        (
            ReplicaStatus::Completed,
            Some(240),
            Some(LagSource::Observed),
            Some(60)
        ),
        "the first sighting, kept across the later fetch"
    );
}

/// Without ReplicationLatency, a replica already there at the console's first listing has an
/// unknown lag, not the 0 s its LastModified would give.
#[tokio::test]
async fn s3_without_metrics_a_replica_already_there_has_an_unknown_lag() {
    let after = unmetered(true);
    let mut fleet = Fleet::new(after.services(), &after.schedule(), Thresholds::default());
    refresh_buckets(&after, &mut fleet, now()).await;
    assert_eq!(
        west_lag(&fleet),
        (ReplicaStatus::Completed, None, None, None)
    );
}

/// S3 User Guide, "Replication metrics" (CloudWatch `AWS/S3`, published for rules with metrics
/// or Replication Time Control) with GetMetricData failing while the listing and HeadObject
/// answer: the versions and their statuses are kept, the rules' metrics are unknown (JSON
/// `replication_metrics: null`, none kept from an earlier read; the lag falls back to what the
/// console observed), never an empty list, which says "no rule publishes metrics". Before, an
/// empty list was reported. The failure is the partial error.
#[tokio::test]
async fn s3_metrics_unavailable_are_unknown_not_an_empty_list() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    let failing = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(|| GetMetricDataError::generic(meta("ServiceUnavailable", "unavailable")));
    let good = replicated();
    let s = replicated_with(Some(failing));
    let key = SourceKey::new(SourceKind::Replication, "us-east-1");
    let (tally, result) = s.b.fetch(&key, now()).await;
    let Ok(Payload::Replication(versions, metrics)) = &result else {
        panic!("{result:?}")
    };
    assert_eq!(versions[0].value.len(), 3, "the versions are kept");
    assert!(metrics.is_empty(), "no metrics entry: {metrics:?}");
    let e = tally
        .partial
        .clone()
        .expect("the metrics' error as the partial");
    assert!(
        e.message
            .starts_with("replication metrics unavailable: CloudWatch GetMetricData"),
        "{}",
        e.message
    );
    // A good read first, then this one: the earlier metrics are not kept as if current.
    let (good_tally, good_result) = good.b.fetch(&key, now()).await;
    let fleet = fleet_from(
        &s.b,
        vec![(key.clone(), good_tally, good_result), (key, tally, result)],
    );
    let snap = serde_json::to_value(switchyard::report::snapshot(&fleet, now())).unwrap();
    let east = &snap["services"][0]["regions"][0];
    assert_eq!(east["region"], "us-east-1");
    assert!(
        east.get("replication_metrics")
            .is_some_and(serde_json::Value::is_null),
        "{east:#}"
    );
}
