//! The pollers: one task per source (a kind of data in one region), each fetching on its own
//! interval with a timeout and backoff, and sending owned `Fetched` results to the app loop.

use crate::source::{Backend, Clock, ErrorKind, Fetched, SourceError, SourceSpec};
use crate::state::Msg;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// A refresh asked for by the user is not honoured more often than this per source, so that
/// hammering `r` cannot blow through API rate limits.
pub const MIN_REFRESH_SPACING: Duration = Duration::from_secs(2);
/// Failed fetches back off exponentially up to this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// The running pollers; dropping it stops them.
pub struct Poller {
    refresh: watch::Sender<u64>,
    tasks: Vec<JoinHandle<()>>,
}

impl Poller {
    pub fn start(
        backend: Arc<Backend>,
        plan: Vec<SourceSpec>,
        clock: Clock,
        tx: mpsc::Sender<Msg>,
    ) -> Poller {
        let (refresh, _) = watch::channel(0u64);
        let tasks = plan
            .into_iter()
            .map(|spec| {
                let task = PollTask {
                    backend: Arc::clone(&backend),
                    spec,
                    clock: clock.clone(),
                    tx: tx.clone(),
                    refresh: refresh.subscribe(),
                };
                tokio::spawn(task.run())
            })
            .collect();
        Poller { refresh, tasks }
    }

    /// Ask every source to fetch now.
    pub fn refresh_all(&self) {
        self.refresh.send_modify(|n| *n += 1);
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

struct PollTask {
    backend: Arc<Backend>,
    spec: SourceSpec,
    clock: Clock,
    tx: mpsc::Sender<Msg>,
    refresh: watch::Receiver<u64>,
}

impl PollTask {
    async fn run(mut self) {
        let mut failures = 0u32;
        loop {
            let started = tokio::time::Instant::now();
            let fetched = fetch_with_timeout(&self.backend, &self.spec, &self.clock).await;
            // A throttled part counts too: backing off is the point.
            let throttled = fetched
                .partial
                .as_ref()
                .is_some_and(|p| p.kind == ErrorKind::Throttled);
            failures = if fetched.result.is_ok() && !throttled {
                0
            } else {
                failures + 1
            };
            if self.tx.send(Msg::Fetched(Box::new(fetched))).await.is_err() {
                return; // the app loop is gone
            }
            let wait = next_wait(self.spec.interval, failures);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                changed = self.refresh.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let earliest = started + MIN_REFRESH_SPACING;
                    tokio::time::sleep_until(earliest).await;
                    // Refreshes asked for while waiting are served by this fetch.
                    self.refresh.borrow_and_update();
                }
            }
        }
    }
}

/// One fetch bounded by the source's timeout; a timeout becomes that source's error.
pub async fn fetch_with_timeout(backend: &Backend, spec: &SourceSpec, clock: &Clock) -> Fetched {
    let now = clock.now();
    match tokio::time::timeout(spec.timeout, backend.fetch(&spec.key, now)).await {
        Ok(fetched) => fetched,
        Err(_) => Fetched {
            key: spec.key.clone(),
            at: now,
            calls: 0,
            route53_calls: 0,
            result: Err(SourceError::new(
                ErrorKind::Timeout,
                format!(
                    "{}: no answer within {}s; the region's endpoint may be impaired",
                    spec.key,
                    spec.timeout.as_secs()
                ),
            )),
            partial: None,
        },
    }
}

/// The interval after a success; after failures, exponential backoff from the interval, capped.
pub fn next_wait(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    let factor = 2u32.saturating_pow(failures.min(16) - 1);
    interval
        .saturating_mul(factor)
        .min(MAX_BACKOFF.max(interval))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_table() {
        let s = Duration::from_secs;
        let cases = [
            (s(15), 0, s(15)),
            (s(15), 1, s(15)),
            (s(15), 2, s(30)),
            (s(15), 3, s(60)),
            (s(15), 10, MAX_BACKOFF),
            (s(600), 5, s(600)), // never shorter than the interval itself
            (s(1), 40, MAX_BACKOFF),
        ];
        for (interval, failures, expected) in cases {
            assert_eq!(
                next_wait(interval, failures),
                expected,
                "{interval:?} {failures}"
            );
        }
    }
}

#[cfg(test)]
mod poller_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::source::sim::SimBackend;
    use crate::source::sim::scenario::Scenario;
    use std::collections::BTreeMap;

    /// Every source is polled by its own task and each result reaches the app loop as an owned
    /// message; a throttled source keeps sending its error (with backoff) while others succeed.
    #[tokio::test]
    async fn each_source_sends_its_own_results() {
        let scenario = Scenario::built_in("throttled-api").unwrap();
        let clock = Clock::fixed(scenario.start + chrono::Duration::minutes(3));
        let backend = Arc::new(Backend::Sim(SimBackend::new(scenario)));
        let mut plan = backend.plan();
        for spec in &mut plan {
            spec.interval = Duration::from_millis(20);
        }
        let (tx, mut rx) = mpsc::channel(64);
        let poller = Poller::start(Arc::clone(&backend), plan.clone(), clock, tx);
        let mut seen: BTreeMap<String, (usize, bool)> = BTreeMap::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while seen.len() < plan.len() || seen.values().any(|(n, _)| *n < 2) {
            let msg = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .expect("pollers went quiet")
                .unwrap();
            let Msg::Fetched(f) = msg else {
                panic!("unexpected {msg:?}")
            };
            let entry = seen.entry(f.key.to_string()).or_default();
            entry.0 += 1;
            entry.1 = f.result.is_ok();
        }
        drop(poller);
        for (key, (_, ok)) in &seen {
            assert_eq!(*ok, key != "lambda@us-west-2", "{key}");
        }
    }
}
