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

mod aws_mocks_support;
mod moto_support;

use std::collections::BTreeMap;
use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use aws_mocks_support::{backend, meta, mocked, now, unused_control, unused_region};
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
// (a) A silent Lambda endpoint: its sources time out, every other source is complete
// ---------------------------------------------------------------------------------------------

/// A REST custom domain as the snapshot reports it (as in `tests/moto.rs`).
fn domain(name: &str, target: &str, api_id: &str, paths: &[&str]) -> Value {
    json!({
        "name": name,
        "api": "rest",
        "regional_target": target,
        "dns_target": target,
        "drift": false,
        "mappings": paths
            .iter()
            .map(|p| json!({ "path": p, "api_id": api_id, "stage": STAGE }))
            .collect::<Vec<_>>(),
    })
}

/// Lambda in every region accepts connections and never answers (`AWS_ENDPOINT_URL_LAMBDA`
/// points at a [`SilentListener`]); everything else is moto (`AWS_ENDPOINT_URL`), CloudWatch the
/// [`EmptyCloudWatch`] stand-in. The config has no `endpoint_url`: the endpoints come from the
/// environment only, as aws-config reads them.
///
/// What is asserted: `snapshot` completes (within a generous 90 s; the SDK's operation timeout
/// is 15 s and a source's budget 20 s) with exit 1; both `lambda` sources report a timeout that
/// names Lambda, the API and the region, and have no code hashes (unknown, not made up); every
/// other source has no error and its data is complete: health of both regions, both custom
/// domains per region with their mappings, the artifacts in both buckets (S3 works with its
/// endpoint from `AWS_ENDPOINT_URL`, which aws-config puts in `SdkConfig::endpoint_url`, so
/// switchyard forces path-style addressing; with an IP-address host S3's endpoint rules would
/// pick path style anyway, so this cannot catch a host name that needs it).
#[tokio::test]
async fn a_silent_lambda_endpoint_times_out_alone_and_everything_else_arrives() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    for r in REGIONS {
        moto.create_versioned_bucket(r, &bucket(r)).await;
    }
    let key = "builds/sample-1234.zip";
    let east = moto
        .put_object(PRIMARY, &bucket(PRIMARY), key, b"build 1234")
        .await;
    moto.put_object(SECONDARY, &bucket(SECONDARY), key, b"build 1234")
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
    // The same config without `endpoint_url`: endpoints come from the environment only.
    let text = std::fs::read_to_string(&config).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("endpoint_url"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!without.contains("endpoint_url"), "{without}");
    std::fs::write(&config, without).unwrap();

    let silent = SilentListener::start();
    let cloudwatch = EmptyCloudWatch::start();
    let out = moto_support::switchyard(&config)
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ENDPOINT_URL_LAMBDA", silent.url())
        .env("AWS_ENDPOINT_URL_CLOUDWATCH", cloudwatch.url())
        .args(["snapshot", "--json", "--config"])
        .arg(&config)
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let snap: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "snapshot did not print JSON ({e}); exit {:?} (None: killed at the 90 s limit)\n\
             stdout:\n{stdout}\nstderr:\n{stderr}",
            out.status.code()
        )
    });
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        silent.accepted() >= 1,
        "the Lambda clients never connected to AWS_ENDPOINT_URL_LAMBDA"
    );
    assert!(
        cloudwatch.requests() >= 3,
        "GetMetricData for the health history and each region's Lambda metrics went to \
         AWS_ENDPOINT_URL_CLOUDWATCH ({} requests)",
        cloudwatch.requests()
    );

    // Only the Lambda sources failed, each with a timeout naming Lambda, the API and its region.
    assert_eq!(
        failed_sources(&snap),
        vec![
            ("lambda".to_string(), PRIMARY.to_string()),
            ("lambda".to_string(), SECONDARY.to_string()),
        ],
        "{:#}",
        snap["sources"]
    );
    for r in REGIONS {
        let lambda = source(&snap, "lambda", r);
        let error = lambda["error"].as_str().unwrap();
        // The SDK's operation timeout (15 s) ends the calls before the source's budget (20 s);
        // should that change, the poller's own timeout names the source instead.
        let sdk_timeout = error.contains(&format!("Lambda GetFunctionConfiguration in {r}"))
            && error.contains("timed out");
        let budget_timeout = error.starts_with(&format!("lambda@{r}: no answer within"));
        assert!(
            sdk_timeout || budget_timeout,
            "a timeout naming Lambda and {r}: {error}"
        );
    }
    for s in snap["sources"].as_array().unwrap() {
        if s["source"] != "lambda" {
            assert!(s["error"].is_null() && s["fetched_at"].is_string(), "{s}");
        }
    }

    let sample = service(&snap, SERVICE);
    assert_eq!(sample["serving_region"], PRIMARY);
    // The build is in both buckets: readiness is told without Lambda.
    assert_eq!(sample["ready_to_approve"], true);
    for r in REGIONS {
        let region = region(sample, r);
        assert_eq!(
            region["health"],
            json!({
                "health_check_id": world.health_check(r),
                "status": "healthy",
                "effective_status": "healthy",
                "inverted": false,
                "disabled": false,
                "checkers_healthy_pct": 100.0,
            }),
            "{r}"
        );
        let regional = regional_name(r);
        assert_eq!(
            region["domains"],
            json!([
                domain(
                    DOMAIN,
                    world.target(r, DOMAIN),
                    world.api_id(r),
                    &["", "v1"]
                ),
                domain(
                    &regional,
                    world.target(r, &regional),
                    world.api_id(r),
                    &[""]
                ),
            ]),
            "{r}"
        );
        let artifacts = region["artifacts"].as_array().unwrap();
        assert_eq!(artifacts.len(), 1, "{r}: {artifacts:?}");
        assert_eq!(artifacts[0]["key"], key);
        assert_eq!(artifacts[0]["version_id"], east.version_id);
        assert_eq!(artifacts[0]["status"], "completed", "{r}");
        // The functions are listed, their code unknown: Lambda never answered.
        let functions = region["functions"].as_array().unwrap();
        let names: Vec<&str> = functions
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, FUNCTIONS, "{r}");
        for f in functions {
            assert!(f["code_sha256"].is_null(), "{r}: {f}");
        }
    }
    assert_eq!(findings(sample), vec![]);
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

// ---------------------------------------------------------------------------------------------
// (b) Throttling: the poller backs off
// ---------------------------------------------------------------------------------------------

const INTERVAL: Duration = Duration::from_millis(50);
const WINDOW: Duration = Duration::from_secs(2);

/// Why mocks: moto never throttles. Every Route 53 and CloudWatch call answers `Throttling`
/// (retries off, so each rule's call count is the calls the source made); the health source is
/// polled every 50 ms for 2 s of real time. Asserted: every Fetched is a Throttled error naming
/// Route 53; the number of fetches is at most what `poll::next_wait`'s backoff allows in the
/// window as it really was (6 for 2 s: 0, 50, 150, 350, 750, 1550 ms), which is far below the 41
/// polls of a 50 ms interval without backoff; at least one retry happened; and the API calls the
/// mocks saw match the fetches (2 GetHealthCheck and 1 GetMetricData each, GetHealthCheckStatus
/// within its budget).
#[tokio::test]
async fn a_throttled_source_backs_off_instead_of_polling_at_its_interval() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckError;
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusError;
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsError;

    let throttled = || meta("Throttling", "Rate exceeded");
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .then_error(move || ListResourceRecordSetsError::generic(throttled()));
    let get_check = mock!(aws_sdk_route53::Client::get_health_check)
        .then_error(move || GetHealthCheckError::generic(throttled()));
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_error(move || GetHealthCheckStatusError::generic(throttled()));
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(move || GetMetricDataError::generic(throttled()));
    let b = backend(
        TWO_REGIONS,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&records, &get_check, &status]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        },
        vec![],
    );
    let mut plan: Vec<SourceSpec> = b
        .schedule()
        .into_iter()
        .filter(|s| s.key.kind == SourceKind::Health)
        .collect();
    assert_eq!(plan.len(), 1, "{plan:?}");
    plan[0].interval = INTERVAL;

    let (fetched, window) = run_pollers(Backend::Aws(b), plan, WINDOW).await;

    for f in &fetched {
        assert_eq!(f.key.to_string(), "route53@us-east-1");
        let Err(e) = &f.result else {
            panic!("a fetch succeeded: {f:?}")
        };
        assert_eq!(e.kind, ErrorKind::Throttled, "{e:?}");
        assert!(
            e.message.contains("Route 53 GetHealthCheck in us-east-1"),
            "{}",
            e.message
        );
    }
    let n = fetched.len();
    let bound = max_failing_fetches(INTERVAL, window);
    let without_backoff = 1 + (window.as_millis() / INTERVAL.as_millis()) as usize;
    assert!(
        bound * 4 <= without_backoff,
        "next_wait's backoff allows {bound} fetches in {window:?}; a {INTERVAL:?} interval {without_backoff}"
    );
    assert!(
        n <= bound,
        "{n} fetches in {window:?}: more than the {bound} that backoff allows (interval-driven: {without_backoff})"
    );
    assert!(
        n >= 2,
        "the source retried after its first failure ({n} fetches)"
    );

    // The calls the mocks saw. A fetch cut short when the pollers stopped may have made its
    // calls without sending its result: hence `n + 1` as the upper end.
    assert_eq!(records.num_calls(), 0, "the IDs come from the config");
    let checks = get_check.num_calls();
    assert!(
        (2 * n..=2 * (n + 1)).contains(&checks),
        "{checks} GetHealthCheck for {n} fetches"
    );
    let cw = metrics.num_calls();
    assert!(
        (n..=n + 1).contains(&cw),
        "{cw} GetMetricData for {n} fetches"
    );
    assert!(
        status.num_calls() <= 2 * (n + 1),
        "{} GetHealthCheckStatus",
        status.num_calls()
    );
}

/// Why mocks: moto never throttles. Every Lambda and CloudWatch call of a region answers a
/// throttling error; the `lambda` source is polled every 50 ms for 2 s.
///
/// Ignored: a source bug. `lambda::fetch` turns failed GetFunctionConfiguration calls and a
/// failed GetMetricData into a *partial* error of an `Ok` payload (with every value unknown), so
/// the poller counts it as a success: no backoff, the throttled APIs are called at the full
/// interval (about 40 fetches in 2 s here instead of at most 6), and the last good data is
/// replaced by unknowns instead of being kept and marked stale. (The simulation reports a
/// throttled CloudWatch as a failed `lambda` source: `throttled-api`.)
#[tokio::test]
async fn a_lambda_source_whose_every_call_is_throttled_backs_off_too() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationError;

    let configs = mock!(aws_sdk_lambda::Client::get_function_configuration).then_error(|| {
        GetFunctionConfigurationError::generic(meta("TooManyRequestsException", "Rate exceeded"))
    });
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(|| GetMetricDataError::generic(meta("Throttling", "Rate exceeded")));
    let b = backend(
        TWO_REGIONS,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
                ..unused_region()
            },
        )],
    );
    let mut plan: Vec<SourceSpec> = b
        .schedule()
        .into_iter()
        .filter(|s| s.key.kind == SourceKind::Lambda && s.key.region == "us-east-1")
        .collect();
    assert_eq!(plan.len(), 1, "{plan:?}");
    plan[0].interval = INTERVAL;

    let (fetched, window) = run_pollers(Backend::Aws(b), plan, WINDOW).await;

    for f in &fetched {
        let e = f.result.as_ref().err().or(f.partial.as_ref());
        assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Throttled), "{f:?}");
    }
    let bound = max_failing_fetches(INTERVAL, window);
    assert!(
        fetched.len() <= bound,
        "{} fetches in {window:?}: more than the {bound} that backoff allows",
        fetched.len()
    );
}

// ---------------------------------------------------------------------------------------------
// (c) Hammering refresh
// ---------------------------------------------------------------------------------------------

/// The simulation (`steady`, every source healthy) with an interval of an hour, so every fetch
/// after the first is one a refresh asked for. `Poller::refresh_all` is called 50 times, every
/// 20 ms (about a second). Each source's fetches start at least `MIN_REFRESH_SPACING` apart, so
/// in the run's real window W at most `1 + W / MIN_REFRESH_SPACING` of them fit (the first
/// included). Asserted: no source exceeds that, and each fetched again (the refresh was
/// honoured, not dropped). The run lasts 5 s (2.5 spacings, so that refreshes still pending
/// after the presses stop are seen too) and until every source fetched twice (a limit of 30 s
/// fails the test instead of hanging); the bound uses the window as it really was.
#[tokio::test]
async fn hammering_refresh_fetches_each_source_at_most_once_per_spacing() {
    const PRESSES: usize = 50;
    // Long enough for a refresh still pending after the presses to show: 2.5 spacings.
    const OBSERVE: Duration = Duration::from_millis(5000);
    let scenario = Scenario::built_in("steady").unwrap();
    let backend = Backend::Sim(SimBackend::new(scenario));
    let mut plan = backend.schedule();
    for spec in &mut plan {
        spec.interval = Duration::from_secs(3600);
    }
    let sources = plan.len();
    assert!(sources > 1, "{plan:?}");

    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let started = tokio::time::Instant::now();
    let poller = Arc::new(Poller::start(
        Arc::new(backend),
        plan,
        Clock::fixed(now()),
        tx,
    ));
    let hammer = {
        let poller = Arc::clone(&poller);
        tokio::spawn(async move {
            for _ in 0..PRESSES {
                poller.refresh_all();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let mut fetched = Vec::new();
    let limit = started + Duration::from_secs(30);
    loop {
        let counts = per_source(&fetched);
        if counts.len() == sources
            && counts.values().all(|n| *n >= 2)
            && hammer.is_finished()
            && started.elapsed() >= OBSERVE
        {
            break;
        }
        // Wait for messages until the observation time is over, then until the limit.
        let wake = if tokio::time::Instant::now() < started + OBSERVE {
            started + OBSERVE
        } else {
            limit
        };
        match tokio::time::timeout_at(wake, rx.recv()).await {
            Ok(Some(msg)) => fetched.push(unwrap_fetched(msg)),
            Ok(None) => panic!("the pollers stopped on their own"),
            Err(_) if wake < limit => {}
            Err(_) => panic!("not every source fetched again within 30 s: {counts:?}"),
        }
    }
    hammer.await.unwrap();
    drop(poller);
    let window = started.elapsed();
    while let Ok(msg) = rx.try_recv() {
        fetched.push(unwrap_fetched(msg));
    }

    for f in &fetched {
        assert!(f.result.is_ok(), "steady is healthy: {f:?}");
    }
    let bound = 1 + (window.as_millis() / MIN_REFRESH_SPACING.as_millis()) as usize;
    let counts = per_source(&fetched);
    assert_eq!(counts.len(), sources, "{counts:?}");
    for (key, n) in &counts {
        assert!(
            *n <= bound,
            "{key}: {n} fetches in {window:?} after {PRESSES} refreshes; spacing {MIN_REFRESH_SPACING:?} allows {bound}"
        );
        assert!(*n >= 2, "{key}: the refresh was honoured");
    }
}

// ---------------------------------------------------------------------------------------------
// (d) Expired credentials
// ---------------------------------------------------------------------------------------------

/// Why mocks: moto takes any credentials. Every call of every source answers an expired-token
/// error: `ExpiredToken` from Route 53 and S3 (their code), `ExpiredTokenException` from the
/// others; the config names `[aws] profile = "ops"`. Every source is polled every 50 ms.
/// Asserted: every error (a failed fetch's, or a partial one) is of kind Credentials and tells
/// the fix `aws sso login --profile ops`; every source fails outright (the `lambda` ones too,
/// since none of their calls succeeded); and the pollers keep retrying: each
/// source fetches at least three times (the run lasts until they have; 20 s fails the test).
#[tokio::test]
async fn expired_credentials_say_which_profile_to_log_in_and_keep_retrying() {
    use aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesError as V1Error;
    use aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesError as V2Error;
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    use aws_sdk_codepipeline::operation::get_pipeline_state::GetPipelineStateError;
    use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationError;
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckError;
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusError;
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsError;
    use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsError;

    let expired = || {
        meta(
            "ExpiredToken",
            "The security token included in the request is expired",
        )
    };
    let expired_exception = || {
        meta(
            "ExpiredTokenException",
            "The security token included in the request is expired",
        )
    };
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .then_error(move || ListResourceRecordSetsError::generic(expired()));
    let get_check = mock!(aws_sdk_route53::Client::get_health_check)
        .then_error(move || GetHealthCheckError::generic(expired()));
    let status = mock!(aws_sdk_route53::Client::get_health_check_status)
        .then_error(move || GetHealthCheckStatusError::generic(expired()));
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(move || GetMetricDataError::generic(expired_exception()));
    let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names)
        .then_error(move || V1Error::generic(expired_exception()));
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names)
        .then_error(move || V2Error::generic(expired_exception()));
    let configs = mock!(aws_sdk_lambda::Client::get_function_configuration)
        .then_error(move || GetFunctionConfigurationError::generic(expired_exception()));
    let versions = mock!(aws_sdk_s3::Client::list_object_versions)
        .then_error(move || ListObjectVersionsError::generic(expired()));
    let pipeline = mock!(aws_sdk_codepipeline::Client::get_pipeline_state)
        .then_error(move || GetPipelineStateError::generic(expired_exception()));
    let region_clients = || RegionClients {
        apigateway: mocked!(aws_sdk_apigateway, RuleMode::MatchAny, [&v1]),
        apigatewayv2: mocked!(aws_sdk_apigatewayv2, RuleMode::MatchAny, [&v2]),
        lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
        s3: mocked!(aws_sdk_s3, RuleMode::MatchAny, [&versions]),
        cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
        codepipeline: mocked!(aws_sdk_codepipeline, RuleMode::MatchAny, [&pipeline]),
    };
    let toml = TWO_REGIONS.replace(
        "control_region = \"us-east-1\"",
        "control_region = \"us-east-1\"\nprofile = \"ops\"",
    ) + "\n[service.artifacts]\nbucket = \"api-artifacts-{region}\"\n\n[service.pipeline]\nname = \"api-deploy\"\n";
    let b = backend(
        &toml,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&records, &get_check, &status]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        },
        vec![
            ("us-east-1", region_clients()),
            ("us-west-2", region_clients()),
        ],
    );
    assert_eq!(b.config().aws.profile.as_deref(), Some("ops"));
    let mut plan = b.schedule();
    for spec in &mut plan {
        spec.interval = INTERVAL;
    }
    let mut kinds: Vec<SourceKind> = plan.iter().map(|s| s.key.kind).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds.len(),
        SourceKind::ALL.len(),
        "every kind of source: {plan:?}"
    );
    let sources = plan.len();

    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let started = tokio::time::Instant::now();
    let poller = Poller::start(Arc::new(Backend::Aws(b)), plan, Clock::fixed(now()), tx);
    let mut fetched = Vec::new();
    loop {
        let counts = per_source(&fetched);
        if counts.len() == sources && counts.values().all(|n| *n >= 3) {
            break;
        }
        match tokio::time::timeout_at(started + Duration::from_secs(20), rx.recv()).await {
            Ok(Some(msg)) => fetched.push(unwrap_fetched(msg)),
            Ok(None) => panic!("the pollers stopped on their own"),
            Err(_) => panic!("the pollers stopped retrying: {counts:?}"),
        }
    }
    drop(poller);

    let mut failed: Vec<String> = Vec::new();
    for f in &fetched {
        let errors: Vec<_> = f
            .result
            .as_ref()
            .err()
            .into_iter()
            .chain(&f.partial)
            .collect();
        assert!(!errors.is_empty(), "every call failed, yet no error: {f:?}");
        for e in errors {
            assert_eq!(e.kind, ErrorKind::Credentials, "{}: {e:?}", f.key);
            assert!(
                e.message.contains("aws sso login --profile ops"),
                "{}: {}",
                f.key,
                e.message
            );
        }
        if f.result.is_err() {
            failed.push(f.key.to_string());
        }
    }
    failed.sort();
    failed.dedup();
    assert_eq!(
        failed,
        vec![
            "apigateway@us-east-1",
            "apigateway@us-west-2",
            "codepipeline@us-east-1",
            "lambda@us-east-1",
            "lambda@us-west-2",
            "route53@us-east-1",
            "s3@us-east-1",
            "s3@us-west-2",
        ]
    );
    assert!(configs.num_calls() >= 2 * 3, "Lambda was asked again");
}

// ---------------------------------------------------------------------------------------------
// (e) A hanging source does not hold up the others
// ---------------------------------------------------------------------------------------------

/// Lambda in us-east-1 answers nothing (its client points at a silent listener) while Route 53
/// and CloudWatch answer at once (mocks). Both sources poll every 100 ms; the Lambda fetch has a
/// 1 s budget. Asserted over 3 s: health keeps arriving on its schedule (never a gap near the
/// hang's length), every Lambda result is a timeout naming the source, and the poller gave up
/// on the hang at its budget instead of waiting for it. The console's keys run on the app loop,
/// which only receives these messages, so they cannot wait on the hang either.
#[tokio::test]
async fn a_hanging_source_does_not_hold_up_the_others() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
    use aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput;
    use aws_sdk_route53::types::{HealthCheck, HealthCheckConfig, HealthCheckType};

    let silent = SilentListener::start();
    let check = mock!(aws_sdk_route53::Client::get_health_check).then_output(|| {
        aws_sdk_route53::operation::get_health_check::GetHealthCheckOutput::builder()
            .health_check(
                HealthCheck::builder()
                    .id("hc")
                    .caller_reference("ref")
                    .health_check_version(1)
                    .health_check_config(
                        HealthCheckConfig::builder()
                            .r#type(HealthCheckType::Https)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let status = mock!(aws_sdk_route53::Client::get_health_check_status).then_output(|| {
        GetHealthCheckStatusOutput::builder()
            .set_health_check_observations(Some(Vec::new()))
            .build()
            .unwrap()
    });
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_output(|| GetMetricDataOutput::builder().build());
    let lambda = aws_sdk_lambda::Client::from_conf(
        aws_sdk_lambda::config::Builder::new()
            .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
            .region(aws_sdk_lambda::config::Region::new("us-east-1"))
            .endpoint_url(format!("http://127.0.0.1:{}", silent.port))
            .credentials_provider(aws_sdk_lambda::config::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .retry_config(aws_sdk_lambda::config::retry::RetryConfig::disabled())
            .build(),
    );
    let b = backend(
        TWO_REGIONS,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&check, &status]),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
            ..unused_control()
        },
        vec![(
            "us-east-1",
            RegionClients {
                lambda,
                ..unused_region()
            },
        )],
    );
    let interval = Duration::from_millis(100);
    let budget = Duration::from_secs(1);
    let plan: Vec<SourceSpec> = b
        .schedule()
        .into_iter()
        .filter(|s| {
            s.key.kind == SourceKind::Health
                || (s.key.kind == SourceKind::Lambda && s.key.region == "us-east-1")
        })
        .map(|mut s| {
            s.interval = interval;
            s.timeout = budget;
            s
        })
        .collect();
    assert_eq!(plan.len(), 2, "{plan:?}");

    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let started = tokio::time::Instant::now();
    let poller = Poller::start(Arc::new(Backend::Aws(b)), plan, Clock::fixed(now()), tx);
    let mut health_at = Vec::new();
    let mut lambda = Vec::new();
    while let Ok(Some(msg)) =
        tokio::time::timeout_at(started + Duration::from_secs(3), rx.recv()).await
    {
        let f = unwrap_fetched(msg);
        match f.key.kind {
            SourceKind::Health => {
                assert!(f.result.is_ok(), "{f:?}");
                health_at.push(started.elapsed());
            }
            _ => lambda.push(f),
        }
    }
    drop(poller);

    assert!(health_at.len() >= 10, "health stalled: {health_at:?}");
    let longest_gap = health_at.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(
        longest_gap < budget / 2,
        "health waited on the hang: gap {longest_gap:?} in {health_at:?}"
    );
    assert!(!lambda.is_empty(), "the hanging fetch never timed out");
    for f in &lambda {
        let e = f.result.as_ref().err().unwrap_or_else(|| panic!("{f:?}"));
        assert_eq!(e.kind, ErrorKind::Timeout, "{e:?}");
        assert!(e.message.contains("lambda@us-east-1"), "{}", e.message);
    }
    assert!(
        silent.accepted() >= 1,
        "the Lambda client never reached the listener"
    );
}
