//! Route 53 health checks: found from the failover records, with their configuration and
//! flags, the checkers' verdicts within the GetHealthCheckStatus budget, and their last hour
//! from CloudWatch. (The zone's records are in `zone.rs`, the configurations' reads in
//! `health_config.rs`.)

use super::errors::{Operation, fail};
use super::zone::{record_for, records};
use super::{AwsBackend, Tally, timestamp};
use super::{cloudwatch, health_config};
use crate::config::ServiceConfig;
use crate::model::{CheckerObservation, HealthCheck, HealthStatus, Timestamp};
use crate::source::{Entry, ErrorKind, Payload, SourceError};
use futures::future::join_all;
use std::collections::BTreeMap;

/// Route 53 counts an endpoint healthy when more than this share of checkers say so.
const HEALTHY_ABOVE_PCT: f64 = 18.0;

/// Health check IDs per region: from the config, else from the shared name's failover records.
async fn health_check_ids(
    b: &AwsBackend,
    service: &ServiceConfig,
    tally: &mut Tally,
) -> Result<BTreeMap<String, String>, SourceError> {
    let mut ids: BTreeMap<String, String> = service.health_checks.clone();
    if service.regions.iter().all(|r| ids.contains_key(r)) {
        return Ok(ids);
    }
    {
        let cache = b.health_ids.lock().await;
        for r in &service.regions {
            if let Some(id) = cache.get(&(service.name.clone(), r.clone())) {
                ids.entry(r.clone()).or_insert_with(|| id.clone());
            }
        }
    }
    if service.regions.iter().all(|r| ids.contains_key(r)) {
        return Ok(ids);
    }
    let records = records(b, &service.hosted_zone_id, tally).await?;
    let mut cache = b.health_ids.lock().await;
    for region in &service.regions {
        if ids.contains_key(region) {
            continue;
        }
        let found = record_for(&records, service, &service.domain, region)
            .filter(|r| r.failover.is_some())
            .and_then(|r| r.health_check_id.clone());
        if let Some(id) = found {
            cache.insert((service.name.clone(), region.clone()), id.clone());
            ids.insert(region.clone(), id);
        }
    }
    Ok(ids)
}

/// The checkers' observations; `None` when the budget has no call left (the caller falls back
/// to CloudWatch).
async fn get_status(
    b: &AwsBackend,
    id: &str,
) -> Option<Result<Vec<CheckerObservation>, SourceError>> {
    b.health_status_budget.check().ok()?;
    let op = b.route53_op("GetHealthCheckStatus");
    let out = match b
        .route53
        .get_health_check_status()
        .health_check_id(id)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => return Some(Err(fail(op, b.profile())(e))),
    };
    Some(Ok(out
        .health_check_observations()
        .iter()
        .map(|o| {
            let report = o
                .status_report()
                .and_then(|r| r.status())
                .unwrap_or("")
                .to_string();
            CheckerObservation {
                checker_region: o
                    .region()
                    .map_or("?".to_string(), |r| r.as_str().to_string()),
                status: observation_status(&report),
                checked_at: o
                    .status_report()
                    .and_then(|r| r.checked_time())
                    .and_then(timestamp)
                    .unwrap_or_default(),
                report,
            }
        })
        .collect()))
}

/// Route 53's status text starts with "Success" or "Failure".
pub fn observation_status(report: &str) -> HealthStatus {
    if report.starts_with("Success") {
        HealthStatus::Healthy
    } else if report.starts_with("Failure") {
        HealthStatus::Unhealthy
    } else {
        HealthStatus::Unknown
    }
}

/// The checkers' verdict: healthy when more than 18 % of checkers say so.
pub fn verdict(observations: &[CheckerObservation]) -> (HealthStatus, Option<f64>) {
    let known: Vec<&CheckerObservation> = observations
        .iter()
        .filter(|o| o.status != HealthStatus::Unknown)
        .collect();
    if known.is_empty() {
        return (HealthStatus::Unknown, None);
    }
    let healthy = known
        .iter()
        .filter(|o| o.status == HealthStatus::Healthy)
        .count();
    let pct = 100.0 * healthy as f64 / known.len() as f64;
    (
        HealthStatus::from_healthy(Some(pct > HEALTHY_ABOVE_PCT)),
        Some(pct),
    )
}

/// Every service's health checks, their flags, the checkers' verdicts and the last hour.
pub async fn fetch_health(
    b: &AwsBackend,
    now: Timestamp,
    tally: &mut Tally,
) -> Result<Payload, SourceError> {
    // Every service's IDs at once; those read from the same zone share one read of it.
    let found = join_all(b.config.services.iter().map(|service| async move {
        let mut t = Tally::default();
        let ids = health_check_ids(b, service, &mut t).await;
        (t, ids)
    }))
    .await;
    let mut ids_by_service = Vec::new();
    for (t, ids) in found {
        tally.absorb(t);
        ids_by_service.push(ids);
    }
    let mut checks: Vec<(String, String, String)> = Vec::new(); // (service, region, id)
    for (service, ids) in b.config.services.iter().zip(ids_by_service) {
        let ids = ids?;
        for region in &service.regions {
            match ids.get(region) {
                Some(id) => checks.push((service.name.clone(), region.clone(), id.clone())),
                None => tally.partial(SourceError::new(
                    ErrorKind::Other,
                    format!(
                        "no health check for {} in {region}: set health_checks in the config, or give the {} failover record for {region} a HealthCheckId",
                        service.name, service.domain
                    ),
                )),
            }
        }
    }
    // The configurations, the checkers' verdicts and the history (which also gives the verdict
    // where the status budget ran out) need only the IDs: all at once.
    let ids: Vec<String> = checks.iter().map(|(_, _, id)| id.clone()).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (mut configs_tally, mut metrics_tally) = (Tally::default(), Tally::default());
    let (configs, statuses, metrics) = tokio::join!(
        health_config::read(b, &ids, &mut configs_tally),
        join_all(ids.iter().map(|id| get_status(b, id))),
        health_metrics(b, &id_refs, now, &mut metrics_tally),
    );
    tally.absorb(configs_tally);
    tally.count_n(
        b.route53_op("GetHealthCheckStatus"),
        statuses.iter().filter(|s| s.is_some()).count() as u32,
    );
    tally.absorb(metrics_tally);

    let mut entries = Vec::new();
    let mut config_errors = Vec::new();
    for (((service, region, id), config), status) in checks.iter().zip(configs).zip(statuses) {
        let config = match config {
            Ok(c) => c,
            Err(e) => {
                // One unreadable check must not hide the others.
                config_errors.push(e);
                continue;
            }
        };
        let (observations, status_error) = match status {
            Some(Ok(obs)) => (obs, None),
            Some(Err(e)) => (Vec::new(), Some(e)),
            None => (Vec::new(), None),
        };
        if let Some(e) = status_error {
            tally.partial(e);
        }
        let (mut raw, mut pct) = verdict(&observations);
        let (history, latest) = metrics
            .as_ref()
            .map(|m| m.for_check(id, now))
            .unwrap_or_default();
        if raw == HealthStatus::Unknown
            && let Some((healthy, latest_pct)) = latest
        {
            raw = HealthStatus::from_healthy(Some(healthy));
            pct = latest_pct.or(pct);
        }
        let last_failure = observations
            .iter()
            .find(|o| o.status == HealthStatus::Unhealthy)
            .map(|o| format!("{}: {}", o.checker_region, o.report));
        entries.push(Entry {
            service: service.clone(),
            region: region.clone(),
            value: HealthCheck {
                id: id.clone(),
                raw,
                inverted: config.inverted,
                disabled: config.disabled,
                checkers_healthy_pct: pct,
                observations,
                history,
                last_failure,
                version: config.version,
                checker_regions: config.regions,
                follows_routing_control: config.recovery_control,
            },
        });
    }
    // Every check unreadable is a failed fetch (so it backs off); some is a partial one.
    let mut config_errors = config_errors.into_iter();
    if let Some(first) = config_errors.next() {
        if entries.is_empty() {
            return Err(first);
        }
        tally.partial(first);
    }
    Ok(Payload::Health(entries))
}

/// The latest HealthCheckStatus (healthy?) and HealthCheckPercentageHealthy.
type Latest = (bool, Option<f64>);

/// Route 53 metrics of the last hour, by health check.
struct HealthMetrics {
    series: cloudwatch::Series,
    index: BTreeMap<String, usize>,
}

impl HealthMetrics {
    /// The history (percentage healthy per minute) and the latest (status, percentage).
    fn for_check(&self, id: &str, now: Timestamp) -> (Vec<Option<f64>>, Option<Latest>) {
        let Some(i) = self.index.get(id) else {
            return (Vec::new(), None);
        };
        let empty = Vec::new();
        let pct = self.series.get(&format!("p{i}")).unwrap_or(&empty);
        let status = self.series.get(&format!("s{i}")).unwrap_or(&empty);
        let latest = status
            .last()
            .map(|(_, v)| (*v >= 1.0, pct.last().map(|(_, p)| *p)));
        (cloudwatch::per_minute(pct, now, 60), latest)
    }
}

async fn health_metrics(
    b: &AwsBackend,
    ids: &[&str],
    now: Timestamp,
    tally: &mut Tally,
) -> Option<HealthMetrics> {
    if ids.is_empty() {
        return None;
    }
    let mut queries = Vec::new();
    let mut index = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        index.insert(id.to_string(), i);
        let dims = [("HealthCheckId", *id)];
        queries.push(cloudwatch::query(
            &format!("s{i}"),
            "AWS/Route53",
            "HealthCheckStatus",
            &dims,
            "Minimum",
            60,
        ));
        queries.push(cloudwatch::query(
            &format!("p{i}"),
            "AWS/Route53",
            "HealthCheckPercentageHealthy",
            &dims,
            "Average",
            60,
        ));
    }
    let op = Operation {
        service: "CloudWatch",
        api: "GetMetricData",
        region: &b.config.aws.control_region,
    };
    let (start, end) = cloudwatch::window(now, 60);
    match cloudwatch::get_metric_data(
        &b.control_cloudwatch,
        queries,
        start,
        end,
        op,
        b.profile(),
        tally,
    )
    .await
    {
        Ok(series) => Some(HealthMetrics { series, index }),
        Err(e) => {
            tally.partial(SourceError::new(
                e.kind,
                format!("health history unavailable: {}", e.message),
            ));
            None
        }
    }
}
