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
mod throttling;

use std::collections::BTreeMap;
use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use aws_mocks_support::{backend, meta, mocked, no_domains_region, now, unused_control};
use aws_smithy_mocks::{RuleMode, mock};
use moto_support::{
    DOMAIN, FUNCTIONS, Moto, PRIMARY, REGIONS, SECONDARY, SERVICE, STAGE, Spec, bucket,
    failed_sources, findings, region, regional_name, service, source, write_config,
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

/// A stand-in for CloudWatch: moto cannot answer the Rust SDK's CloudWatch client (it speaks
/// Smithy RPC v2 CBOR, moto answers 404; docs/ARCHITECTURE.md, "Testing"), which would put a
/// CloudWatch partial error on every `lambda` and `route53` source and hide what test (a) looks
/// for. This server answers every request with an empty GetMetricData result: HTTP 200,
/// `smithy-protocol: rpc-v2-cbor`, and the one-byte CBOR empty map `0xA0` (no metric data).
struct EmptyCloudWatch {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl EmptyCloudWatch {
    fn start() -> EmptyCloudWatch {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let (flag, count) = (Arc::clone(&stop), Arc::clone(&requests));
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((socket, _)) => {
                        if answer_empty_metric_data(socket) {
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        EmptyCloudWatch {
            port,
            stop,
            requests,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// GetMetricData requests answered so far.
    fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Drop for EmptyCloudWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Read one request (head and Content-Length body) and answer it; true if it was a
/// GetMetricData call. One request per connection (`Connection: close`).
fn answer_empty_metric_data(mut socket: TcpStream) -> bool {
    if socket.set_nonblocking(false).is_err()
        || socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .is_err()
    {
        return false;
    }
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match socket.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while data.len() < head_end + length {
        match socket.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
    }
    let mut response = b"HTTP/1.1 200 OK\r\nContent-Type: application/cbor\r\n\
smithy-protocol: rpc-v2-cbor\r\nContent-Length: 1\r\nConnection: close\r\n\r\n"
        .to_vec();
    response.push(0xA0);
    let _ = socket.write_all(&response);
    let _ = socket.flush();
    head.lines()
        .next()
        .is_some_and(|l| l.contains("/operation/GetMetricData"))
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
