//! The pollers: one task per source (a kind of data in one region), each fetching on its own
//! interval with a timeout and backoff, and sending owned `Fetched` results to whoever listens
//! (the console's app loop turns them into its own message type through `From<Fetched>`).

use crate::source::{Backend, Clock, ErrorKind, Fetched, SourceError, SourceSpec};
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
    pub fn start<M: From<Fetched> + Send + 'static>(
        backend: Arc<Backend>,
        schedule: Vec<SourceSpec>,
        clock: Clock,
        tx: mpsc::Sender<M>,
    ) -> Poller {
        let (refresh, _) = watch::channel(0u64);
        let tasks = schedule
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

struct PollTask<M> {
    backend: Arc<Backend>,
    spec: SourceSpec,
    clock: Clock,
    tx: mpsc::Sender<M>,
    refresh: watch::Receiver<u64>,
}

impl<M: From<Fetched>> PollTask<M> {
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
            if self.tx.send(M::from(fetched)).await.is_err() {
                return; // the app loop is gone
            }
            // The interval is in the backend's time: at `--speed 10` a simulated 30 s refresh
            // comes every 3 s of wall-clock time, so the data keeps the age it would have at
            // speed 1 and stays fresh.
            let wait = self.clock.wall(next_wait(self.spec.interval, failures));
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
        let mut schedule = backend.schedule();
        for spec in &mut schedule {
            spec.interval = Duration::from_millis(20);
        }
        let (tx, mut rx) = mpsc::channel::<Fetched>(64);
        let poller = Poller::start(Arc::clone(&backend), schedule.clone(), clock, tx);
        let mut seen: BTreeMap<String, (usize, bool)> = BTreeMap::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while seen.len() < schedule.len() || seen.values().any(|(n, _)| *n < 2) {
            let f = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .expect("pollers went quiet")
                .unwrap();
            let entry = seen.entry(f.key.to_string()).or_default();
            entry.0 += 1;
            entry.1 = f.result.is_ok();
        }
        drop(poller);
        for (key, (_, ok)) in &seen {
            assert_eq!(*ok, key != "lambda@us-west-2", "{key}");
        }
    }

    /// `--speed N`: the refresh intervals are simulated time (the fleet's freshness and the
    /// sources overlay read them so), so the pollers wait 1/N of each on the wall clock, and a
    /// source is fetched every `interval` of simulated time, as at speed 1. At speed 1000 the
    /// slowest source's interval (seconds) is milliseconds of wall-clock time: five fetches come
    /// long before the four intervals they would take if the interval were wall-clock time.
    #[tokio::test]
    async fn at_speed_1000_a_source_is_polled_a_thousand_times_as_often() {
        let scenario = Scenario::built_in("steady").unwrap();
        let clock = Clock::sim(scenario.start, 1000.0);
        let backend = Arc::new(Backend::Sim(SimBackend::new(scenario)));
        let spec = backend
            .schedule()
            .into_iter()
            .max_by_key(|s| s.interval)
            .unwrap();
        let at_speed_1 = spec.interval * 4;
        assert!(at_speed_1 >= Duration::from_secs(8), "{:?}", spec.interval);
        let (tx, mut rx) = mpsc::channel::<Fetched>(8);
        let poller = Poller::start(Arc::clone(&backend), vec![spec.clone()], clock, tx);
        let deadline = tokio::time::Instant::now() + at_speed_1 / 4;
        for n in 0..5 {
            let fetched = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "fetch {n} of {} took longer than {at_speed_1:?}/4",
                        spec.key
                    )
                })
                .unwrap();
            assert!(fetched.result.is_ok(), "{:?}", fetched.result);
        }
        drop(poller);
    }

    #[test]
    fn a_simulated_duration_on_the_wall_clock() {
        let start = chrono::DateTime::UNIX_EPOCH;
        let s = Duration::from_secs;
        assert_eq!(Clock::sim(start, 10.0).wall(s(30)), s(3));
        assert_eq!(Clock::sim(start, 0.5).wall(s(30)), s(60));
        assert_eq!(Clock::sim(start, 1.0).wall(s(30)), s(30));
        assert_eq!(Clock::System.wall(s(30)), s(30));
        assert_eq!(Clock::fixed(start).wall(s(30)), s(30));
    }
}
