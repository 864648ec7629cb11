//! S3: the newest artifact versions under the prefix in each region's bucket, and on the source
//! bucket the replication status of each (HeadObject `x-amz-replication-status`).

use super::cloudwatch;
use super::errors::{Operation, fail};
use super::pages::{self, Page};
use super::{AwsBackend, Tally, timestamp};
use crate::config::ArtifactsConfig;
use crate::config::AwsApi;
use crate::model::{ArtifactVersion, ReplicationMetrics, S3Replication, Timestamp};
use crate::source::{Entry, Payload, SourceError};
use aws_sdk_s3::types::ReplicationStatus;
use futures::stream::{self, StreamExt};

/// S3 calls of one kind in flight at once: S3 serves thousands of GET and HEAD requests a
/// second per prefix (S3 User Guide, "Best practices design patterns: optimizing Amazon S3
/// performance"), so this bounds only the sockets a large fleet opens.
const S3_FAN_OUT: usize = 32;

/// Pages of ListObjectVersions read at most (1,000 versions a page).
const MAX_PAGES: usize = 10;

pub async fn fetch(
    b: &AwsBackend,
    region: &str,
    now: Timestamp,
    tally: &mut Tally,
) -> Result<Payload, SourceError> {
    let client = &b.region(region)?.s3;
    let services: Vec<(&str, &ArtifactsConfig, &[String])> = b
        .services_in(region)
        .filter_map(|s| Some((s.name.as_str(), s.artifacts.as_ref()?, s.regions.as_slice())))
        .collect();
    // Each service's bucket at once (a few at a time), the results kept in service order.
    let pending: Vec<_> = services
        .iter()
        .map(|(_, artifacts, regions)| async move {
            let mut t = Tally::default();
            let read = bucket(b, client, region, artifacts, regions, now, &mut t).await;
            (t, read)
        })
        .collect();
    let read: Vec<_> = stream::iter(pending).buffered(S3_FAN_OUT).collect().await;
    let mut entries = Vec::new();
    let mut metrics = Vec::new();
    let mut failed = None;
    for ((service, _, _), (t, read)) in services.iter().zip(read) {
        tally.absorb(t);
        match read {
            Ok((versions, replication)) => {
                if let Some(value) = replication {
                    metrics.push(Entry {
                        service: service.to_string(),
                        region: region.to_string(),
                        value,
                    });
                }
                entries.push(Entry {
                    service: service.to_string(),
                    region: region.to_string(),
                    value: versions,
                });
            }
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(Payload::Replication(entries, metrics)),
    }
}

/// One service's bucket in `region`: its newest versions and, on the source bucket, their
/// replication status and the replication rules' metrics. The status (HeadObject per version)
/// needs the listing; the rules (GetBucketReplication, then their metrics) do not, so they are
/// asked at the same time as the listing (and thrown away if the listing fails).
async fn bucket(
    b: &AwsBackend,
    client: &aws_sdk_s3::Client,
    region: &str,
    artifacts: &ArtifactsConfig,
    regions: &[String],
    now: Timestamp,
    tally: &mut Tally,
) -> Result<(Vec<ArtifactVersion>, Option<Vec<ReplicationMetrics>>), SourceError> {
    let bucket = artifacts.bucket_for(region);
    // Which of the service's regions a rule's destination bucket is in.
    let destinations: Vec<(String, String)> = regions
        .iter()
        .map(|r| (artifacts.bucket_for(r), r.clone()))
        .collect();
    let source = region == artifacts.source_region;
    let mut rules_tally = Tally::default();
    let (versions, metrics) = tokio::join!(
        versions_with_status(b, client, region, &bucket, artifacts, source, tally),
        async {
            if source {
                replication_metrics(b, region, &bucket, &destinations, now, &mut rules_tally).await
            } else {
                None
            }
        },
    );
    tally.absorb(rules_tally);
    Ok((versions?, metrics))
}

/// The newest versions of the bucket and, on the source bucket, each one's replication status
/// (HeadObject per version, started as soon as the listing answers).
async fn versions_with_status(
    b: &AwsBackend,
    client: &aws_sdk_s3::Client,
    region: &str,
    bucket: &str,
    artifacts: &ArtifactsConfig,
    source: bool,
    tally: &mut Tally,
) -> Result<Vec<ArtifactVersion>, SourceError> {
    let mut versions = list_versions(b, client, region, bucket, &artifacts.prefix, tally).await?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.last_modified));
    versions.truncate(artifacts.latest);
    if !source {
        return Ok(versions);
    }
    let head = Operation {
        service: "S3",
        api: "HeadObject",
        region,
    };
    let pending: Vec<_> = versions
        .iter()
        .map(|v| replication_status(b, client, region, bucket, v))
        .collect();
    let heads = stream::iter(pending)
        .buffered(S3_FAN_OUT)
        .collect::<Vec<_>>()
        .await;
    tally.count_n(head, heads.len() as u32);
    for (v, head) in versions.iter_mut().zip(heads) {
        match head {
            Ok(status) => v.replication = status,
            Err(e) => tally.partial(e),
        }
    }
    Ok(versions)
}

async fn list_versions(
    b: &AwsBackend,
    client: &aws_sdk_s3::Client,
    region: &str,
    bucket: &str,
    prefix: &str,
    tally: &mut Tally,
) -> Result<Vec<ArtifactVersion>, SourceError> {
    let op = Operation {
        service: "S3",
        api: "ListObjectVersions",
        region,
    };
    let profile = b.login(AwsApi::S3);
    // The next page is named by a key marker and a version ID marker together.
    pages::read_all(tally, op, MAX_PAGES, |markers: Option<Markers>| {
        let (key, version) = markers.unwrap_or_default();
        let request = client
            .list_object_versions()
            .bucket(bucket)
            .prefix(prefix)
            .set_key_marker(key)
            .set_version_id_marker(version);
        async move {
            let page = request.send().await.map_err(|e| {
                let mut err = fail(op, profile)(e);
                err.message = format!("{} (bucket {bucket})", err.message);
                err
            })?;
            let next = (
                pages::token(page.next_key_marker()),
                pages::token(page.next_version_id_marker()),
            );
            let next =
                (page.is_truncated().unwrap_or(false) && next != (None, None)).then_some(next);
            Ok(Page {
                items: page
                    .versions()
                    .iter()
                    .filter_map(artifact_version)
                    .collect(),
                next,
            })
        }
    })
    .await
}

/// ListObjectVersions' position: (NextKeyMarker, NextVersionIdMarker).
type Markers = (Option<String>, Option<String>);

fn artifact_version(v: &aws_sdk_s3::types::ObjectVersion) -> Option<ArtifactVersion> {
    Some(ArtifactVersion {
        key: v.key()?.to_string(),
        version_id: v.version_id()?.to_string(),
        size_bytes: v.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
        last_modified: v.last_modified().and_then(timestamp)?,
        etag: v.e_tag().map(|e| e.trim_matches('"').to_string()),
        replication: None,
        replicated_at: None,
        simulated: false,
    })
}

async fn replication_status(
    b: &AwsBackend,
    client: &aws_sdk_s3::Client,
    region: &str,
    bucket: &str,
    version: &ArtifactVersion,
) -> Result<Option<S3Replication>, SourceError> {
    let op = Operation {
        service: "S3",
        api: "HeadObject",
        region,
    };
    let out = client
        .head_object()
        .bucket(bucket)
        .key(&version.key)
        .version_id(&version.version_id)
        .send()
        .await
        .map_err(fail(op, b.login(AwsApi::S3)))?;
    Ok(out.replication_status().and_then(replication))
}

pub fn replication(status: &ReplicationStatus) -> Option<S3Replication> {
    match status {
        ReplicationStatus::Pending => Some(S3Replication::Pending),
        ReplicationStatus::Complete | ReplicationStatus::Completed => {
            Some(S3Replication::Completed)
        }
        ReplicationStatus::Failed => Some(S3Replication::Failed),
        ReplicationStatus::Replica => Some(S3Replication::Replica),
        _ => None,
    }
}

/// The replication rules of the source bucket that publish metrics, and their latest values
/// (CloudWatch `AWS/S3`). A bucket without replication rules has none (empty); when the rules
/// or their metrics cannot be read they are unknown (`None`, never "no rules"), and the failure
/// is partial. `destinations` names the region of each of the service's buckets (bucket,
/// region).
async fn replication_metrics(
    b: &AwsBackend,
    region: &str,
    bucket: &str,
    destinations: &[(String, String)],
    now: Timestamp,
    tally: &mut Tally,
) -> Option<Vec<ReplicationMetrics>> {
    let clients = b.region(region).ok()?;
    tally.count(Operation {
        service: "S3",
        api: "GetBucketReplication",
        region,
    });
    let config = match clients
        .s3
        .get_bucket_replication()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            let code = e
                .as_service_error()
                .and_then(aws_smithy_types::error::metadata::ProvideErrorMetadata::code);
            if code == Some("ReplicationConfigurationNotFoundError") {
                return Some(Vec::new());
            }
            let op = Operation {
                service: "S3",
                api: "GetBucketReplication",
                region,
            };
            tally.partial(fail(op, b.login(AwsApi::S3))(e));
            return None;
        }
    };
    // Only rules with replication metrics or Replication Time Control enabled publish them
    // (S3 User Guide, "Replication metrics", "Replication Time Control").
    let rules: Vec<(String, String)> = config
        .replication_configuration()
        .map(|c| c.rules())
        .unwrap_or_default()
        .iter()
        .filter(|r| {
            r.destination().is_some_and(|d| {
                d.metrics()
                    .is_some_and(|m| m.status().as_str() == "Enabled")
                    || d.replication_time()
                        .is_some_and(|t| t.status().as_str() == "Enabled")
            })
        })
        .filter_map(|r| {
            let arn = r.destination()?.bucket();
            let destination = arn.rsplit(":::").next().unwrap_or(arn);
            Some((r.id().unwrap_or("").to_string(), destination.to_string()))
        })
        .collect();
    if rules.is_empty() {
        return Some(Vec::new());
    }
    const METRICS: [(&str, &str, &str); 4] = [
        ("lat", "ReplicationLatency", "Maximum"),
        ("ops", "OperationsPendingReplication", "Maximum"),
        ("bytes", "BytesPendingReplication", "Maximum"),
        ("fail", "OperationsFailedReplication", "Sum"),
    ];
    let mut queries = Vec::new();
    for (i, (rule, destination)) in rules.iter().enumerate() {
        let dims = [
            ("SourceBucket", bucket),
            ("DestinationBucket", destination.as_str()),
            ("RuleId", rule.as_str()),
        ];
        for (suffix, metric, stat) in METRICS {
            queries.push(cloudwatch::query(
                &format!("r{i}_{suffix}"),
                "AWS/S3",
                metric,
                &dims,
                stat,
                60,
            ));
        }
    }
    let op = Operation {
        service: "CloudWatch",
        api: "GetMetricData",
        region,
    };
    let (start, end) = cloudwatch::window(now, 15);
    let series = match cloudwatch::get_metric_data(
        &clients.cloudwatch,
        queries,
        start,
        end,
        op,
        // Regional CloudWatch is read with Lambda's credentials (README, "Several accounts").
        b.login(AwsApi::Lambda),
        tally,
    )
    .await
    {
        Ok(series) => series,
        Err(e) => {
            tally.partial(SourceError::new(
                e.kind,
                format!("replication metrics unavailable: {}", e.message),
            ));
            return None;
        }
    };
    let metrics = rules
        .into_iter()
        .enumerate()
        .map(|(i, (rule_id, destination_bucket))| {
            let points = |suffix: &str| {
                series
                    .get(&format!("r{i}_{suffix}"))
                    .cloned()
                    .unwrap_or_default()
            };
            let latest = |suffix: &str| points(suffix).last().map(|(_, v)| *v);
            ReplicationMetrics {
                rule_id,
                destination_region: destinations
                    .iter()
                    .find(|(b, _)| *b == destination_bucket)
                    .map(|(_, r)| r.clone()),
                destination_bucket,
                latency_s: latest("lat"),
                latency_series: points("lat"),
                latency_since: Some(start),
                operations_pending: latest("ops"),
                bytes_pending: latest("bytes"),
                operations_failed: Some(points("fail").iter().map(|(_, v)| v).sum()),
            }
        })
        .collect();
    Some(metrics)
}
