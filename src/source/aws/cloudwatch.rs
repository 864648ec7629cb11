//! CloudWatch GetMetricData: every metric a fetch needs in as few calls as possible (at most 500
//! queries a call), returned as time series by query ID.

use super::errors::{Operation, fail};
use super::pages::{self, Page};
use super::{Tally, timestamp};
use crate::model::Timestamp;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use futures::future::join_all;
use std::collections::BTreeMap;

/// GetMetricData's limit of queries per call.
pub const MAX_QUERIES: usize = 500;

/// One metric, one statistic, one period: a GetMetricData query.
pub fn query(
    id: &str,
    namespace: &str,
    metric: &str,
    dimensions: &[(&str, &str)],
    stat: &str,
    period: i32,
) -> MetricDataQuery {
    let dims = dimensions
        .iter()
        .map(|(name, value)| Dimension::builder().name(*name).value(*value).build())
        .collect::<Vec<_>>();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(namespace)
                        .metric_name(metric)
                        .set_dimensions(Some(dims))
                        .build(),
                )
                .period(period)
                .stat(stat)
                .build(),
        )
        .return_data(true)
        .build()
}

/// Points by query ID, oldest first.
pub type Series = BTreeMap<String, Vec<(Timestamp, f64)>>;

/// Run the queries between `start` and `end`, batching by [`MAX_QUERIES`] (the batches
/// concurrently) and following pagination. Missing data is simply absent from the series.
pub async fn get_metric_data(
    client: &aws_sdk_cloudwatch::Client,
    queries: Vec<MetricDataQuery>,
    start: Timestamp,
    end: Timestamp,
    op: Operation<'_>,
    profile: super::errors::Login<'_>,
    tally: &mut Tally,
) -> Result<Series, crate::source::SourceError> {
    let to_sdk = |t: Timestamp| aws_smithy_types::DateTime::from_secs(t.timestamp());
    let batches = join_all(queries.chunks(MAX_QUERIES).map(|chunk| async move {
        let mut t = Tally::default();
        let results = pages::read_all(&mut t, op, pages::ALL, |token| {
            let request = client
                .get_metric_data()
                .set_metric_data_queries(Some(chunk.to_vec()))
                .start_time(to_sdk(start))
                .end_time(to_sdk(end))
                .set_next_token(token);
            async move {
                let out = request.send().await.map_err(fail(op, profile))?;
                Ok(Page {
                    next: pages::token(out.next_token()),
                    items: out.metric_data_results.unwrap_or_default(),
                })
            }
        })
        .await;
        (t, results)
    }))
    .await;
    let mut series = Series::new();
    let mut failed = None;
    for (t, results) in batches {
        tally.absorb(t);
        match results {
            Ok(results) => {
                for result in results {
                    let Some(id) = result.id() else { continue };
                    let points = series.entry(id.to_string()).or_default();
                    for (t, v) in result.timestamps().iter().zip(result.values()) {
                        if let Some(t) = timestamp(t) {
                            points.push((t, *v));
                        }
                    }
                }
            }
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    for points in series.values_mut() {
        points.sort_by_key(|(t, _)| *t);
    }
    Ok(series)
}

/// The start of `t`'s minute.
pub fn minute_start(t: Timestamp) -> Timestamp {
    let secs = t.timestamp();
    chrono::DateTime::from_timestamp(secs - secs.rem_euclid(60), 0).unwrap_or(t)
}

/// The metrics window for a fetch at `now`: `minutes` whole minutes ending at the start of the
/// current minute, as (StartTime, EndTime). Only complete minutes: the current one is still
/// being counted, so a window ending at `now` would read low. CloudWatch API reference,
/// GetMetricData: StartTime and EndTime are rounded to the period and "for better performance,
/// specify StartTime and EndTime values that align with the value of the metric's Period".
pub fn window(now: Timestamp, minutes: i64) -> (Timestamp, Timestamp) {
    let end = minute_start(now);
    (end - chrono::Duration::minutes(minutes), end)
}

/// Values in the `minutes` one-minute buckets ending at the start of `end`'s minute (the
/// [`window`]), oldest first (`None` where no point fell in a bucket).
pub fn per_minute(points: &[(Timestamp, f64)], end: Timestamp, minutes: i64) -> Vec<Option<f64>> {
    let (start, end) = window(end, minutes);
    let mut buckets = vec![None; minutes as usize];
    for (t, v) in points {
        if *t < start || *t >= end {
            continue;
        }
        let i = ((*t - start).num_seconds() / 60) as usize;
        if let Some(slot) = buckets.get_mut(i) {
            *slot = Some(*v);
        }
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_land_in_their_minute() {
        let end = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let at = |m: i64| end - chrono::Duration::minutes(m);
        let points = vec![(at(3), 1.0), (at(1), 2.0), (at(10), 9.0)];
        assert_eq!(
            per_minute(&points, end, 3),
            vec![Some(1.0), None, Some(2.0)]
        );
        // Within the minute after `end`: the same complete minutes, not a partial one.
        let later = end + chrono::Duration::seconds(37);
        let points = vec![(at(3), 1.0), (at(1), 2.0), (end, 5.0)];
        assert_eq!(
            per_minute(&points, later, 3),
            vec![Some(1.0), None, Some(2.0)]
        );
    }

    /// CloudWatch API reference, GetMetricData: StartTime/EndTime aligned with the period.
    #[test]
    fn windows_are_whole_minutes_ending_where_the_current_minute_starts() {
        let t = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&chrono::Utc))
                .unwrap_or_default()
        };
        let cases = [
            (
                "2026-11-27T14:05:37Z",
                5,
                "2026-11-27T14:00:00Z",
                "2026-11-27T14:05:00Z",
            ),
            (
                "2026-11-27T14:05:37Z",
                30,
                "2026-11-27T13:35:00Z",
                "2026-11-27T14:05:00Z",
            ),
            (
                "2026-11-27T14:05:00Z",
                60,
                "2026-11-27T13:05:00Z",
                "2026-11-27T14:05:00Z",
            ),
            (
                "2026-11-27T14:05:59.900Z",
                15,
                "2026-11-27T13:50:00Z",
                "2026-11-27T14:05:00Z",
            ),
        ];
        for (now, minutes, start, end) in cases {
            assert_eq!(
                window(t(now), minutes),
                (t(start), t(end)),
                "{now} {minutes}"
            );
        }
    }
}
