//! Route 53 health checks: found from the failover records, with their configuration and
//! flags, the checkers' verdicts within the GetHealthCheckStatus budget, and their last hour
//! from CloudWatch. (The zone's records are in `zone.rs`, the configurations' reads in
//! `health_config.rs`.)

use super::errors::{Operation, fail};
use super::zone::{record_for, records};
use super::{AwsBackend, Tally, timestamp};
use super::{cloudwatch, health_config};
use crate::config::AwsApi;
use crate::config::ServiceConfig;
use crate::model::{
    CheckKind, CheckerObservation, HealthCheck, HealthStatus, Timestamp, VerdictFrom,
    metric_verdict, observations_verdict,
};
use crate::source::{Entry, ErrorKind, Payload, SourceError};
use futures::future::join_all;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// What each region's failover record is judged by: `Some(id)` a health check, `None` a
/// failover record without one (always eligible). From the config, else from the shared name's
/// failover records; a region with neither is missing from the map.
///
/// When the records cannot be read (the Route 53 control plane failing), what they were last
/// read to say stands in for them, and the second value says so (the records' error, naming
/// the regions that rest on the last read or are unknown). `Err` only when no region is known.
async fn health_check_ids(
    b: &AwsBackend,
    service: &ServiceConfig,
    tally: &mut Tally,
) -> Result<(BTreeMap<String, Option<String>>, Option<SourceError>), SourceError> {
    let mut ids: BTreeMap<String, Option<String>> = service
        .health_checks
        .iter()
        .map(|(r, id)| (r.clone(), Some(id.clone())))
        .collect();
    if service.regions.iter().all(|r| ids.contains_key(r)) {
        return Ok((ids, None));
    }
    {
        let cache = b.health_ids.lock().await;
        for r in &service.regions {
            if let Some(Some(id)) = cache.get(&(service.name.clone(), r.clone())) {
                ids.entry(r.clone()).or_insert_with(|| Some(id.clone()));
            }
        }
    }
    if service.regions.iter().all(|r| ids.contains_key(r)) {
        return Ok((ids, None));
    }
    let records = match records(b, &service.hosted_zone_id, tally).await {
        Ok(records) => records,
        Err(e) => return from_last_read(b, service, ids, e).await,
    };
    let mut cache = b.health_ids.lock().await;
    for region in &service.regions {
        if ids.contains_key(region) {
            continue;
        }
        let Some(record) =
            record_for(&records, service, &service.domain, region).filter(|r| r.failover.is_some())
        else {
            cache.remove(&(service.name.clone(), region.clone()));
            continue;
        };
        // A record without a check is read again next time (a check added later must be
        // seen); it is kept only to fall back on.
        cache.insert(
            (service.name.clone(), region.clone()),
            record.health_check_id.clone(),
        );
        ids.insert(region.clone(), record.health_check_id.clone());
    }
    Ok((ids, None))
}

/// The records could not be read: the regions not yet known are judged as the records were
/// last read to say (a record without a health check), else unknown; the records' error says
/// which. `Err` when no region is known at all.
async fn from_last_read(
    b: &AwsBackend,
    service: &ServiceConfig,
    mut ids: BTreeMap<String, Option<String>>,
    e: SourceError,
) -> Result<(BTreeMap<String, Option<String>>, Option<SourceError>), SourceError> {
    let cache = b.health_ids.lock().await;
    let (mut rested, mut unknown) = (Vec::new(), Vec::new());
    for region in &service.regions {
        if ids.contains_key(region) {
            continue;
        }
        match cache.get(&(service.name.clone(), region.clone())) {
            Some(last) => {
                ids.insert(region.clone(), last.clone());
                rested.push(region.as_str());
            }
            None => unknown.push(region.as_str()),
        }
    }
    let mut what = Vec::new();
    if !rested.is_empty() {
        what.push(format!(
            "{} as the records were last read",
            rested.join(", ")
        ));
    }
    if !unknown.is_empty() {
        what.push(format!("health check of {} unknown", unknown.join(", ")));
    }
    let error = SourceError::new(
        e.kind,
        format!(
            "Route 53 records of zone {} unavailable ({}: {}): {}",
            service.hosted_zone_id,
            service.name,
            what.join("; "),
            e.message
        ),
    );
    if ids.is_empty() {
        return Err(error);
    }
    Ok((ids, Some(error)))
}

/// The checkers' observations; `None` when the budget has no call left (the caller falls back
/// to CloudWatch).
async fn get_status(
    b: &AwsBackend,
    id: &str,
) -> Option<Result<Vec<CheckerObservation>, SourceError>> {
    b.health_status_budget.check().ok()?;
    let op = b.route53_op("GetHealthCheckStatus");
    let out = b
        .route53
        .get_health_check_status()
        .health_check_id(id)
        .customize()
        .config_override(b.route53_read())
        .send()
        .await
        .map_err(fail(op, b.login(AwsApi::Route53)));
    b.route53_read_ended(&out);
    let out = match out {
        Ok(out) => out,
        Err(e) => return Some(Err(e)),
    };
    Some(Ok(observations(out.health_check_observations())))
}

fn observations(
    list: &[aws_sdk_route53::types::HealthCheckObservation],
) -> Vec<CheckerObservation> {
    list.iter()
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
        .collect()
}

/// GetHealthCheckLastFailureReason: each checker's last failure, newest first. Route 53
/// rations it like GetHealthCheckStatus (its own bucket, one a second for the account), so it is
/// read only when someone opens a check's detail, within a budget of its own.
pub async fn last_failure_reasons(
    b: &AwsBackend,
    id: &str,
) -> Result<Vec<CheckerObservation>, SourceError> {
    if b.failure_reason_budget.check().is_err() {
        return Err(SourceError::new(
            ErrorKind::Throttled,
            "GetHealthCheckLastFailureReason: switchyard's budget for it is used up (Route 53 \
             allows one a second for the whole account); open the detail again in a few seconds",
        ));
    }
    let op = b.route53_op("GetHealthCheckLastFailureReason");
    let out = b
        .route53
        .get_health_check_last_failure_reason()
        .health_check_id(id)
        .customize()
        .config_override(b.route53_read())
        .send()
        .await
        .map_err(fail(op, b.login(AwsApi::Route53)));
    b.route53_read_ended(&out);
    let out = out?;
    let mut list = observations(out.health_check_observations());
    list.sort_by_key(|o| std::cmp::Reverse(o.checked_at));
    Ok(list)
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

/// The order in which `n` checks ask for the GetHealthCheckStatus budget, starting at `start`:
/// the budget covers a few checks a refresh, so it rotates over all of them (each refresh starts
/// where the last one's calls ended) instead of always serving the same first few.
pub fn status_rotation(n: usize, start: usize) -> Vec<usize> {
    (0..n).map(|k| (start + k) % n.max(1)).collect()
}

/// GetHealthCheckStatus for the checks the budget covers this refresh, in rotation; the
/// answers in the order of `ids` (`None`: not asked).
async fn statuses(
    b: &AwsBackend,
    ids: &[String],
) -> Vec<Option<Result<Vec<CheckerObservation>, SourceError>>> {
    let skip = b
        .no_status
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let askable: Vec<usize> = (0..ids.len())
        .filter(|i| !skip.contains(&ids[*i]))
        .collect();
    let start = b.status_next.load(Ordering::Relaxed);
    let order: Vec<usize> = status_rotation(askable.len(), start)
        .into_iter()
        .map(|k| askable[k])
        .collect();
    // join_all polls in order, so the budget goes to the first in the rotation.
    let answers = join_all(order.iter().map(|&i| get_status(b, &ids[i]))).await;
    let asked = answers.iter().filter(|a| a.is_some()).count();
    b.status_next
        .store((start + asked) % askable.len().max(1), Ordering::Relaxed);
    let mut out: Vec<Option<Result<Vec<CheckerObservation>, SourceError>>> =
        (0..ids.len()).map(|_| None).collect();
    for (i, answer) in order.into_iter().zip(answers) {
        out[i] = answer;
    }
    out
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
    let mut entries = Vec::new();
    // A service whose checks cannot be found does not hide the others' (its error is the
    // partial one; the whole fetch fails only when nothing at all arrives).
    let mut ids_error: Option<SourceError> = None;
    for (service, ids) in b.config.services.iter().zip(ids_by_service) {
        let (ids, rested) = match ids {
            Ok(found) => found,
            Err(e) => {
                ids_error.get_or_insert(e);
                continue;
            }
        };
        for region in &service.regions {
            // Unknown because the records could not be read: `rested` says so.
            if !ids.contains_key(region) && rested.is_some() {
                continue;
            }
            match ids.get(region) {
                Some(Some(id)) => checks.push((service.name.clone(), region.clone(), id.clone())),
                // A failover record without a HealthCheckId is always eligible (Route 53 API
                // reference, ResourceRecordSet `Failover` and `HealthCheckId`).
                Some(None) => entries.push(Entry {
                    service: service.name.clone(),
                    region: region.clone(),
                    value: HealthCheck::none(),
                }),
                None => tally.partial(SourceError::new(
                    ErrorKind::Other,
                    format!(
                        "no health check for {} in {region}: set health_checks in the config, or give the {} failover record for {region} a HealthCheckId",
                        service.name, service.domain
                    ),
                )),
            }
        }
        if let Some(e) = rested {
            ids_error.get_or_insert(e);
        }
    }
    // The configurations, the checkers' verdicts and the history (which also gives the verdict
    // where the status budget ran out) need only the IDs: all at once.
    let ids: Vec<String> = checks.iter().map(|(_, _, id)| id.clone()).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (mut configs_tally, mut metrics_tally) = (Tally::default(), Tally::default());
    let (configs, statuses, metrics) = tokio::join!(
        health_config::read(b, &ids, &mut configs_tally),
        statuses(b, &ids),
        health_metrics(b, &id_refs, now, &mut metrics_tally),
    );
    tally.absorb(configs_tally);
    tally.count_n(
        b.route53_op("GetHealthCheckStatus"),
        statuses.iter().filter(|s| s.is_some()).count() as u32,
    );
    tally.absorb(metrics_tally);

    let mut config_errors = Vec::new();
    let mut status_errors = Vec::new();
    let mut anything_read = metrics.is_some();
    for (((service, region, id), config), status) in checks.iter().zip(configs).zip(statuses) {
        // A check whose configuration cannot be read is still shown, with what the checkers
        // say (their share does not depend on the flags) and its flags unknown: Route 53's
        // verdict is then unknown, never healthy.
        let config = match config {
            Ok(c) => Some(c),
            Err(e) => {
                config_errors.push(e);
                None
            }
        };
        anything_read |= config.is_some() || matches!(status, Some(Ok(_)));
        let calculated = config
            .as_ref()
            .is_some_and(|c| c.kind == CheckKind::Calculated);
        let (observations, status_error) = match status {
            // GetHealthCheckStatus is not available for CALCULATED checks (API reference):
            // not asked again, the metrics judge them.
            Some(Err(_)) if calculated => {
                b.no_status
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(id.clone());
                (Vec::new(), None)
            }
            Some(Ok(obs)) => (obs, None),
            Some(Err(e)) => (Vec::new(), Some(e)),
            None => (Vec::new(), None),
        };
        if let Some(e) = status_error {
            status_errors.push(e);
        }
        let (history, latest) = metrics
            .as_ref()
            .map(|m| m.for_check(id, now))
            .unwrap_or_default();
        let disabled = config.as_ref().is_some_and(|c| c.disabled);
        let (raw, pct, verdict_from, verdict_note) =
            match (disabled, observations_verdict(&observations)) {
                (false, (raw, pct)) if raw != HealthStatus::Unknown => (
                    raw,
                    pct,
                    VerdictFrom::Checkers {
                        at: observations.iter().map(|o| o.checked_at).max(),
                    },
                    None,
                ),
                _ => match &config {
                    Some(c) => {
                        let (status, share) = latest;
                        let v = metric_verdict(status, share, c.inverted, c.disabled, now);
                        (v.raw, v.pct, v.from, v.note)
                    }
                    // Without the flags only the checkers' share is read (HealthCheckStatus
                    // may be taken after Inverted: see `metric_verdict`).
                    None => {
                        let v = metric_verdict(None, latest.1, false, false, now);
                        (v.raw, v.pct, v.from, v.note)
                    }
                },
            };
        let verdict_note = match &config {
            Some(_) => verdict_note,
            None => Some(match verdict_note {
                Some(note) => format!("configuration and flags unknown (not read); {note}"),
                None => "configuration and flags unknown (not read): Route 53's verdict is \
                         unknown"
                    .to_string(),
            }),
        };
        let flags_unknown = config.is_none();
        let config = config.unwrap_or(health_config::CheckConfig {
            inverted: false,
            disabled: false,
            version: None,
            regions: Vec::new(),
            kind: CheckKind::Unknown,
            settings: Default::default(),
        });
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
                version: config.version,
                checker_regions: config.regions,
                kind: config.kind,
                settings: config.settings,
                verdict_from,
                verdict_note,
                flags_unknown,
            },
        });
    }
    // Nothing at all read (no ID, no configuration, no verdict, no history): a failed fetch,
    // so it backs off and the last data stays, marked stale; anything less is a partial one.
    // The part named is the one that says most: the checks not found, then the configurations,
    // then the checkers' status, then the history (CloudWatch).
    let earlier = tally.partial.take();
    let mut errors = ids_error
        .into_iter()
        .chain(config_errors)
        .chain(status_errors)
        .chain(earlier);
    let nothing_read = !anything_read
        && !entries
            .iter()
            .any(|e| e.value.kind == CheckKind::NoHealthCheck);
    if nothing_read && let Some(e) = errors.next() {
        return Err(e);
    }
    for e in errors {
        tally.partial(e);
    }
    Ok(Payload::Health(entries))
}

/// The newest HealthCheckStatus and HealthCheckPercentageHealthy data points: (minute, value).
type Latest = (Option<(Timestamp, f64)>, Option<(Timestamp, f64)>);

/// Route 53 metrics of the last hour, by health check.
struct HealthMetrics {
    series: cloudwatch::Series,
    index: BTreeMap<String, usize>,
}

impl HealthMetrics {
    /// The history (percentage healthy per minute) and the latest (status, percentage).
    fn for_check(&self, id: &str, now: Timestamp) -> (Vec<Option<f64>>, Latest) {
        let Some(i) = self.index.get(id) else {
            return (Vec::new(), (None, None));
        };
        let empty = Vec::new();
        let pct = self.series.get(&format!("p{i}")).unwrap_or(&empty);
        let status = self.series.get(&format!("s{i}")).unwrap_or(&empty);
        let latest = (status.last().copied(), pct.last().copied());
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
        b.login(AwsApi::Route53),
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
