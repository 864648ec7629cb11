#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Fault tolerance: a region's service that accepts connections and never answers, throttling
//! that must make the pollers back off, a user hammering refresh, and expired credentials.
//!
//! (a) runs the real `switchyard snapshot` against moto (`tests/moto_support`); (b)–(d) run the
//! real pollers (`switchyard::poll::Poller`) over the real fetch code with SDK clients answered by
//! `aws-smithy-mocks` rules (`tests/aws_mocks_support`), or over the simulation. Nothing here
//! talks to anything but 127.0.0.1. No test asserts a speed: the time limits only stop a test
//! that would otherwise hang, and the counts are bounds computed from `poll::next_wait` and
//! `poll::MIN_REFRESH_SPACING`.

#[path = "../aws_mocks_support/mod.rs"]
mod aws_mocks_support;
#[path = "../moto_support/mod.rs"]
mod moto_support;

mod credentials;
mod hanging;
mod refresh;
mod silent_endpoint;
mod silent_route53;
mod throttling;

use std::collections::BTreeMap;
use std::io::ErrorKind as IoErrorKind;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use aws_mocks_support::{backend, meta, mocked, no_domains_region, now, unused_control};
use aws_smithy_mocks::{RuleMode, mock};
use moto_support::{
    DOMAIN, Moto, PRIMARY, REGIONS, SECONDARY, SERVICE, STAGE, Spec, bucket, failed_sources,
    findings, region, regional_name, service, source, write_config,
};
use serde_json::{Value, json};
use switchyard::poll::{self, MIN_REFRESH_SPACING, Poller};
use switchyard::source::aws::{ControlClients, RegionClients};
use switchyard::source::sim::SimBackend;
use switchyard::source::sim::scenario::Scenario;
use switchyard::source::{Backend, Clock, ErrorKind, Fetched, SourceKind, SourceSpec};
use switchyard::state::Msg;
use tokio::sync::mpsc;

// ---------------------------------------------------------------------------------------------
// Local servers
// ---------------------------------------------------------------------------------------------

/// A port on 127.0.0.1 that accepts connections and never answers: a region whose endpoint is
/// up at the TCP level but impaired. The accepted sockets are held open (never read, never
/// written) by a thread until the listener is dropped.
struct SilentListener {
    port: u16,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl SilentListener {
    fn start() -> SilentListener {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (flag, count) = (Arc::clone(&stop), Arc::clone(&accepted));
        let thread = std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((socket, _)) => {
                        count.fetch_add(1, Ordering::Relaxed);
                        held.push(socket);
                    }
                    Err(e) if e.kind() == IoErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            // `held` drops here: the client sees its connections closed.
        });
        SilentListener {
            port,
            stop,
            accepted,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Connections accepted so far.
    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for SilentListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The pollers
// ---------------------------------------------------------------------------------------------

/// Two regions, their health checks named in the config (so a health fetch is GetHealthCheck
/// and GetHealthCheckStatus per check, and one CloudWatch GetMetricData).
const TWO_REGIONS: &str = r#"
[aws]
control_region = "us-east-1"

[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
health_checks = { "us-east-1" = "hc-1", "us-west-2" = "hc-2" }
"#;

/// The most fetches a source that fails every time can start within `window`: the first at
/// once, the (k+1)-th no sooner than `next_wait(interval, k)` after the k-th ended.
fn max_failing_fetches(interval: Duration, window: Duration) -> usize {
    let (mut fetches, mut elapsed) = (1usize, Duration::ZERO);
    loop {
        let wait = poll::next_wait(interval, u32::try_from(fetches).unwrap());
        if elapsed + wait > window {
            return fetches;
        }
        elapsed += wait;
        fetches += 1;
    }
}

/// What the pollers sent while they ran for `window` of real time (from just before `start` to
/// the moment they are stopped), and that window as it really was. Messages still queued when
/// the pollers stop were sent inside it, so they count.
async fn run_pollers(
    backend: Backend,
    plan: Vec<SourceSpec>,
    window: Duration,
) -> (Vec<Fetched>, Duration) {
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let started = tokio::time::Instant::now();
    let poller = Poller::start(Arc::new(backend), plan, Clock::fixed(now()), tx);
    let mut fetched = Vec::new();
    while let Ok(msg) = tokio::time::timeout_at(started + window, rx.recv()).await {
        fetched.push(unwrap_fetched(
            msg.expect("the pollers stopped on their own"),
        ));
    }
    drop(poller);
    let window = started.elapsed();
    while let Ok(msg) = rx.try_recv() {
        fetched.push(unwrap_fetched(msg));
    }
    (fetched, window)
}

fn unwrap_fetched(msg: Msg) -> Fetched {
    match msg {
        Msg::Fetched(f) => *f,
        other => panic!("a poller sent {other:?}"),
    }
}

fn per_source(fetched: &[Fetched]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for f in fetched {
        *counts.entry(f.key.to_string()).or_insert(0) += 1;
    }
    counts
}

/// The poll interval of the throttling and credentials tests, and how long they watch.
const INTERVAL: Duration = Duration::from_millis(50);
const WINDOW: Duration = Duration::from_secs(2);
