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
// One API silent, the rest in moto
// ---------------------------------------------------------------------------------------------

/// A REST custom domain as the snapshot reports it (as in `tests/moto.rs`); `records_read`
/// false: the hosted zone's records could not be read, so the record and the drift are unknown
/// (`null`, never `false`).
fn rest_domain(
    name: &str,
    target: &str,
    api_id: &str,
    paths: &[&str],
    records_read: bool,
) -> Value {
    json!({
        "name": name,
        "api": "rest",
        "regional_target": target,
        "dns_target": if records_read { json!(target) } else { Value::Null },
        "drift": if records_read { json!(false) } else { Value::Null },
        "mappings": paths
            .iter()
            .map(|p| json!({ "path": p, "api_id": api_id, "stage": STAGE }))
            .collect::<Vec<_>>(),
    })
}

/// The build both buckets hold in the silent-endpoint tests.
const BUILD_KEY: &str = "builds/sample-1234.zip";

/// What `snapshot --json` gave with one API's endpoint silent.
struct SilentRun {
    moto: Moto,
    world: moto_support::World,
    /// The build's upload to the primary's bucket.
    east: moto_support::Uploaded,
    snap: Value,
    exit: Option<i32>,
    stderr: String,
    elapsed: Duration,
    /// Connections the silent endpoint accepted.
    accepted: usize,
}

/// The default deployment seeded in moto with the build in both buckets, and `snapshot --json`
/// run (the real binary, killed at `limit`) over a config without `endpoint_url`: endpoints come
/// from the environment only, as aws-config reads them: `AWS_ENDPOINT_URL` at moto, and
/// `silent_variable` (e.g. `AWS_ENDPOINT_URL_LAMBDA`) at a [`SilentListener`].
async fn snapshot_with_silent(silent_variable: &str, limit: Duration) -> SilentRun {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    for r in REGIONS {
        moto.create_versioned_bucket(r, &bucket(r)).await;
    }
    let east = moto
        .put_object(PRIMARY, &bucket(PRIMARY), BUILD_KEY, b"build 1234")
        .await;
    moto.put_object(SECONDARY, &bucket(SECONDARY), BUILD_KEY, b"build 1234")
        .await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        moto_support::ConfigSpec {
            artifacts: true,
            pipeline: false, // moto does not implement GetPipelineState
        },
    );
    let text = std::fs::read_to_string(&config).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("endpoint_url"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!without.contains("endpoint_url"), "{without}");
    std::fs::write(&config, without).unwrap();

    let silent = SilentListener::start();
    let started = std::time::Instant::now();
    let out = moto_support::switchyard(&config)
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env(silent_variable, silent.url())
        .args(["snapshot", "--json", "--config"])
        .arg(&config)
        .timeout(limit)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let snap: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "snapshot did not print JSON ({e}); exit {:?} (None: killed at the {limit:?} limit) \
             after {elapsed:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status.code()
        )
    });
    SilentRun {
        moto,
        world,
        east,
        snap,
        exit: out.status.code(),
        stderr,
        elapsed,
        accepted: silent.accepted(),
    }
}

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
