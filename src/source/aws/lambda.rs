//! Lambda: each function's configuration (CodeSha256, memory, architecture) of the alias or
//! version API Gateway invokes, and its metrics from CloudWatch in the same region, batched into
//! as few GetMetricData calls as possible.

use super::cloudwatch::{self, Series};
use super::errors::{Operation, fail};
use super::integrations::{self, Invoked};
use super::{AwsBackend, Tally};
use crate::config::AwsApi;
use crate::model::{Architecture, FunctionStats, QualifierSource, Timestamp};
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
    architecture: Option<Architecture>,
}

/// GetFunctionConfiguration of `qualifier` (an alias or version; `None`: the unqualified
/// function, `$LATEST`). A published version has its own code, memory and architecture.
async fn configuration(
    b: &AwsBackend,
    region: &str,
    function: &str,
    qualifier: Option<String>,
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
        .set_qualifier(qualifier)
        .send()
        .await
        .map_err(fail(op, b.login(AwsApi::Lambda)))?;
    Ok(Configuration {
        code_sha256: out.code_sha256().map(str::to_string),
        memory_mb: out.memory_size().and_then(|m| u32::try_from(m).ok()),
        architecture: architecture(out.architectures()),
    })
}

/// The function's architecture: "x86_64" when Lambda names none (Lambda API reference,
/// FunctionConfiguration `Architectures`: "The default architecture value is x86_64"); unknown
/// for a name this build does not know, so that no price is guessed for it.
fn architecture(names: &[aws_sdk_lambda::types::Architecture]) -> Option<Architecture> {
    use aws_sdk_lambda::types::Architecture as Sdk;
    match names.first() {
        None | Some(Sdk::X8664) => Some(Architecture::X86_64),
        Some(Sdk::Arm64) => Some(Architecture::Arm64),
        Some(_) => None,
    }
}

/// Which code to read for a function: the config's qualifier wins; else the one the API
/// Gateway integrations invoke (`integrations` is `None` when they could not be read). With
/// several, the first alias or version in name order (the fetch says so).
pub fn qualifier_for(
    configured: Option<&str>,
    integrations: Option<&Invoked>,
    function: &str,
) -> (Option<String>, QualifierSource) {
    if let Some(q) = configured {
        return (Some(q.to_string()), QualifierSource::Config);
    }
    let Some(invoked) = integrations else {
        return (None, QualifierSource::Unknown);
    };
    match invoked
        .get(function)
        .and_then(|qs| qs.iter().flatten().next())
    {
        Some(q) => (Some(q.clone()), QualifierSource::Integration),
        None => (None, QualifierSource::Unqualified),
    }
}

pub async fn fetch(
    b: &AwsBackend,
    region: &str,
    now: Timestamp,
    tally: &mut Tally,
) -> Result<Payload, SourceError> {
    let clients = b.region(region)?;
    // (service, function, the config's qualifier)
    let functions: Vec<(String, String, Option<String>)> = b
        .services_in(region)
        .flat_map(|s| {
            s.functions
                .iter()
                .map(move |f| (s.name.clone(), f.clone(), s.qualifiers.get(f).cloned()))
        })
        .collect();
    let configuration_op = Operation {
        service: "Lambda",
        api: "GetFunctionConfiguration",
        region,
    };
    let need_integrations = functions.iter().any(|(_, _, q)| q.is_none());
    // The qualifiers first (from the cache, or the integrations), then the configurations of
    // what is invoked, at most a second's worth at once: Lambda allows 15 control-plane requests
    // a second across all its APIs, GetFunctionConfiguration included (Lambda quotas, "API
    // requests").
    let configurations = async {
        let mut t = Tally::default();
        let invoked = if need_integrations {
            match integrations::invoked(b, region, now, &mut t).await {
                Ok(invoked) => Some(invoked),
                Err(e) => {
                    t.partial(SourceError::new(
                        e.kind,
                        format!(
                            "which alias or version API Gateway invokes is unknown (code \
                             shown for $LATEST): {}",
                            e.message
                        ),
                    ));
                    None
                }
            }
        } else {
            None
        };
        let chosen: Vec<(Option<String>, QualifierSource)> = functions
            .iter()
            .map(|(_, f, q)| qualifier_for(q.as_deref(), invoked.as_deref(), f))
            .collect();
        for (_, f, _) in functions.iter().filter(|(_, _, q)| q.is_none()) {
            let several = invoked
                .as_deref()
                .and_then(|i| i.get(f))
                .filter(|qs| qs.len() > 1);
            if let Some(qs) = several {
                let names: Vec<&str> = qs
                    .iter()
                    .map(|q| q.as_deref().unwrap_or("$LATEST"))
                    .collect();
                t.partial(SourceError::new(
                    crate::source::ErrorKind::Other,
                    format!(
                        "API Gateway invokes {f} in {region} as {}: the code shown is the \
                         first alias or version; name one in `functions` as \"{f}:QUALIFIER\"",
                        names.join(", ")
                    ),
                ));
            }
        }
        t.count_n(configuration_op, functions.len() as u32);
        let pending: Vec<_> = functions
            .iter()
            .zip(&chosen)
            .map(|((_, f, _), (q, _))| configuration(b, region, f, q.clone()))
            .collect();
        let configs: Vec<Result<Configuration, SourceError>> = stream::iter(pending)
            .buffered(LAMBDA_FAN_OUT)
            .collect()
            .await;
        (t, chosen, configs)
    };

    let mut queries = Vec::new();
    for (i, (_, f, _)) in functions.iter().enumerate() {
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
    // Whole minutes only, ending where the current minute starts (see `cloudwatch::window`).
    let (start, end) = cloudwatch::window(now, TREND_MINUTES);
    // The metrics need only the functions' names, so they are asked with the configurations.
    let ((config_tally, chosen, configs), metrics) = tokio::join!(configurations, async {
        if queries.is_empty() {
            Ok(Series::new())
        } else {
            cloudwatch::get_metric_data(
                &clients.cloudwatch,
                queries,
                start,
                end,
                op,
                b.login(AwsApi::Lambda),
                tally,
            )
            .await
        }
    },);
    // Its calls count now (also if the fetch fails below); its partial comes after the
    // functions' own errors.
    let mut config_tally = config_tally;
    let qualifier_problem = config_tally.partial.take();
    tally.absorb(config_tally);
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
    for (i, (((service, function, _), config), (qualifier, source))) in
        functions.iter().zip(configs).zip(chosen).enumerate()
    {
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
            stats.architecture = c.architecture;
            stats.qualifier = qualifier;
            stats.qualifier_source = Some(source);
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
    if let Some(e) = qualifier_problem {
        tally.partial(e);
    }
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
    // Complete minutes only: a point of the current minute (CloudWatch may still give one)
    // would make the counts read low.
    let (window_start, window_end) = cloudwatch::window(now, WINDOW_S / 60);
    let within = |t: &Timestamp| *t >= window_start && *t < window_end;
    let in_window = |points: &[(Timestamp, f64)]| -> Vec<f64> {
        points
            .iter()
            .filter(|(t, _)| within(t))
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
            .filter(|(t, _)| within(t))
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
        window_end: Some(window_end),
        invocations: Some(invocations),
        errors: Some(sum("err").min(invocations)),
        throttles: Some(sum("thr")),
        // The worst minute's p99 in the window (percentiles do not add up across minutes).
        p99_ms: max("p99"),
        avg_ms,
        concurrent: max("con").map(|c| c.round() as u64),
        memory_mb: None,
        architecture: None,
        code_sha256: None,
        qualifier: None,
        qualifier_source: None,
        error_rate_history,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The config's qualifier wins; else what the integrations invoke; `$LATEST` when they name
    /// none; unknown when they could not be read.
    #[test]
    fn which_qualifier_is_compared() {
        let invoked: Invoked = [
            ("a", vec![Some("live")]),
            ("b", vec![None]),
            ("c", vec![None, Some("blue"), Some("green")]),
        ]
        .into_iter()
        .map(|(f, qs)| {
            (
                f.to_string(),
                qs.into_iter()
                    .map(|q| q.map(str::to_string))
                    .collect::<BTreeSet<_>>(),
            )
        })
        .collect();
        let some = |q: &str| Some(q.to_string());
        let cases = [
            (
                Some("7"),
                Some(&invoked),
                "a",
                (some("7"), QualifierSource::Config),
            ),
            (Some("7"), None, "a", (some("7"), QualifierSource::Config)),
            (
                None,
                Some(&invoked),
                "a",
                (some("live"), QualifierSource::Integration),
            ),
            (
                None,
                Some(&invoked),
                "b",
                (None, QualifierSource::Unqualified),
            ),
            (
                None,
                Some(&invoked),
                "c",
                (some("blue"), QualifierSource::Integration),
            ),
            (
                None,
                Some(&invoked),
                "zz",
                (None, QualifierSource::Unqualified),
            ),
            (None, None, "a", (None, QualifierSource::Unknown)),
        ];
        for (configured, integrations, function, expected) in cases {
            assert_eq!(
                qualifier_for(configured, integrations, function),
                expected,
                "{configured:?} {function}"
            );
        }
    }

    /// Lambda API reference, FunctionConfiguration `Architectures`: default x86_64.
    #[test]
    fn the_architecture_is_lambdas_default_when_none_is_named() {
        use aws_sdk_lambda::types::Architecture as Sdk;
        assert_eq!(architecture(&[]), Some(Architecture::X86_64));
        assert_eq!(architecture(&[Sdk::X8664]), Some(Architecture::X86_64));
        assert_eq!(architecture(&[Sdk::Arm64]), Some(Architecture::Arm64));
        assert_eq!(architecture(&[Sdk::from("riscv")]), None);
    }

    #[test]
    fn the_cost_estimate_counts_the_metrics_we_read() {
        assert_eq!(
            super::METRICS.len(),
            crate::source::LAMBDA_METRICS_PER_FUNCTION
        );
    }
}
