//! Lambda: each function's configuration (CodeSha256, memory) and its metrics from CloudWatch in
//! the same region, batched into as few GetMetricData calls as possible.

use super::cloudwatch::{self, Series};
use super::errors::{Operation, fail};
use super::{AwsBackend, Tally};
use crate::model::{FunctionStats, Timestamp};
use crate::source::{Entry, Payload, SourceError};
use futures::stream::{self, StreamExt};

/// GetFunctionConfiguration calls in flight at once (see `fetch`).
const LAMBDA_FAN_OUT: usize = 15;

/// The window the counts cover, and how far back the error-rate trend goes.
pub const WINDOW_S: i64 = 300;
const TREND_MINUTES: i64 = 30;

/// The metrics read per function: (suffix, metric, statistic).
const METRICS: [(&str, &str, &str); 6] = [
    ("inv", "Invocations", "Sum"),
    ("err", "Errors", "Sum"),
    ("thr", "Throttles", "Sum"),
    ("p99", "Duration", "p99"),
    ("avg", "Duration", "Average"),
    ("con", "ConcurrentExecutions", "Maximum"),
];

struct Configuration {
    code_sha256: Option<String>,
    memory_mb: Option<u32>,
}

async fn configuration(
    b: &AwsBackend,
    region: &str,
    function: &str,
) -> Result<Configuration, SourceError> {
    let clients = b.region(region)?;
    let op = Operation {
        service: "Lambda",
        api: "GetFunctionConfiguration",
        region,
    };
    let out = clients
        .lambda
        .get_function_configuration()
        .function_name(function)
        .send()
        .await
        .map_err(fail(op, b.profile()))?;
    Ok(Configuration {
        code_sha256: out.code_sha256().map(str::to_string),
        memory_mb: out.memory_size().and_then(|m| u32::try_from(m).ok()),
    })
}

pub async fn fetch(
    b: &AwsBackend,
    region: &str,
    now: Timestamp,
    tally: &mut Tally,
) -> Result<Payload, SourceError> {
    let clients = b.region(region)?;
    let functions: Vec<(String, String)> = b
        .services_in(region)
        .flat_map(|s| s.functions.iter().map(move |f| (s.name.clone(), f.clone())))
        .collect();
    let configuration_op = Operation {
        service: "Lambda",
        api: "GetFunctionConfiguration",
        region,
    };
    tally.count_n(configuration_op, functions.len() as u32);
    // At most a second's worth at once: Lambda allows 15 control-plane requests a second
    // across all its APIs, GetFunctionConfiguration included (Lambda quotas, "API requests").
    let pending: Vec<_> = functions
        .iter()
        .map(|(_, f)| configuration(b, region, f))
        .collect();

    let mut queries = Vec::new();
    for (i, (_, f)) in functions.iter().enumerate() {
        for (suffix, metric, stat) in METRICS {
            queries.push(cloudwatch::query(
                &format!("f{i}_{suffix}"),
                "AWS/Lambda",
                metric,
                &[("FunctionName", f)],
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
    let start = now - chrono::Duration::minutes(TREND_MINUTES);
    // The metrics need only the functions' names, so they are asked with the configurations.
    let (configs, metrics) = tokio::join!(
        stream::iter(pending)
            .buffered(LAMBDA_FAN_OUT)
            .collect::<Vec<_>>(),
        async {
            if queries.is_empty() {
                Ok(Series::new())
            } else {
                cloudwatch::get_metric_data(
                    &clients.cloudwatch,
                    queries,
                    start,
                    now,
                    op,
                    b.profile(),
                    tally,
                )
                .await
            }
        },
    );
    let (series, metrics_error) = match metrics {
        Ok(series) => (Some(series), None),
        Err(e) => (
            None,
            Some(SourceError::new(
                e.kind,
                format!("Lambda metrics unavailable: {}", e.message),
            )),
        ),
    };
    // Nothing at all arrived: a failed fetch (kept data, marked stale, backed off), not a
    // success full of unknowns.
    let config_error = configs.iter().find_map(|c| c.as_ref().err()).cloned();
    if series.is_none()
        && !functions.is_empty()
        && configs.iter().all(Result::is_err)
        && let Some(e) = config_error.or_else(|| metrics_error.clone())
    {
        return Err(e);
    }

    let mut entries: Vec<Entry<Vec<FunctionStats>>> = Vec::new();
    for (i, ((service, function), config)) in functions.iter().zip(configs).enumerate() {
        let config = match config {
            Ok(c) => Some(c),
            Err(e) => {
                tally.partial(e);
                None
            }
        };
        let mut stats = series.as_ref().map_or_else(
            || FunctionStats {
                name: function.clone(),
                window_s: WINDOW_S as u64,
                ..FunctionStats::default()
            },
            |s| stats_from(s, i, function, now),
        );
        if let Some(c) = config {
            stats.code_sha256 = c.code_sha256;
            stats.memory_mb = c.memory_mb;
        }
        match entries.iter_mut().find(|e| &e.service == service) {
            Some(e) => e.value.push(stats),
            None => entries.push(Entry {
                service: service.clone(),
                region: region.to_string(),
                value: vec![stats],
            }),
        }
    }
    // The functions' own errors first: they say more than missing metrics.
    if let Some(e) = metrics_error {
        tally.partial(e);
    }
    Ok(Payload::Lambda(entries))
}

/// One function's numbers from the series of query `f{i}_*`. Lambda publishes nothing for
/// minutes without invocations, so an empty series is zero invocations (and no error rate).
pub fn stats_from(series: &Series, i: usize, name: &str, now: Timestamp) -> FunctionStats {
    let empty = Vec::new();
    let get = |suffix: &str| series.get(&format!("f{i}_{suffix}")).unwrap_or(&empty);
    let window_start = now - chrono::Duration::seconds(WINDOW_S);
    let in_window = |points: &[(Timestamp, f64)]| -> Vec<f64> {
        points
            .iter()
            .filter(|(t, _)| *t >= window_start)
            .map(|(_, v)| *v)
            .collect()
    };
    let sum = |suffix: &str| in_window(get(suffix)).iter().sum::<f64>().round() as u64;
    let max = |suffix: &str| in_window(get(suffix)).into_iter().reduce(f64::max);
    let invocations = sum("inv");
    // Invocation-weighted mean of the per-minute averages.
    let avg_ms = {
        let inv = get("inv");
        let (weighted, weight) = get("avg")
            .iter()
            .filter(|(t, _)| *t >= window_start)
            .filter_map(|(t, avg)| {
                inv.iter()
                    .find(|(ti, _)| ti == t)
                    .map(|(_, n)| (avg * n, *n))
            })
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        (weight > 0.0).then(|| weighted / weight)
    };
    let inv_minutes = cloudwatch::per_minute(get("inv"), now, TREND_MINUTES);
    let err_minutes = cloudwatch::per_minute(get("err"), now, TREND_MINUTES);
    let error_rate_history = inv_minutes
        .iter()
        .zip(&err_minutes)
        .map(|(inv, err)| match inv {
            Some(n) if *n > 0.0 => Some(100.0 * err.unwrap_or(0.0) / n),
            _ => None,
        })
        .collect();
    FunctionStats {
        name: name.to_string(),
        window_s: WINDOW_S as u64,
        invocations: Some(invocations),
        errors: Some(sum("err").min(invocations)),
        throttles: Some(sum("thr")),
        // The worst minute's p99 in the window (percentiles do not add up across minutes).
        p99_ms: max("p99"),
        avg_ms,
        concurrent: max("con").map(|c| c.round() as u64),
        memory_mb: None,
        code_sha256: None,
        error_rate_history,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_cost_estimate_counts_the_metrics_we_read() {
        assert_eq!(
            super::METRICS.len(),
            crate::source::LAMBDA_METRICS_PER_FUNCTION
        );
    }
}
