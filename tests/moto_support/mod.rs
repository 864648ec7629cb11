//! A moto server per test, the real SDK clients pointed at it, the world the tests seed into it
//! (a Route 53 failover pair, API Gateway custom domains, Lambda functions, versioned S3 buckets,
//! a pipeline), a `switchyard.toml` for that world, and `switchyard snapshot --json` run on it.
//!
//! moto is `moto[server]` 5.2.5 in `.venv` (what it can and cannot do: docs/ARCHITECTURE.md,
//! "Testing", and the comments in `tests/moto.rs`). Nothing here talks to anything but 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Each test binary compiles this module on its own and may use only part of it.
#![allow(dead_code)]

mod cli;
mod seed;

#[allow(unused_imports)] // as dead_code above: each binary uses a part
pub use cli::*;
#[allow(unused_imports)]
pub use seed::*;

use assert_cmd::Command;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub const PRIMARY: &str = "us-east-1";
pub const SECONDARY: &str = "us-west-2";
pub const REGIONS: [&str; 2] = [PRIMARY, SECONDARY];
pub const SERVICE: &str = "sample";
pub const ZONE: &str = "fed.dev";
pub const DOMAIN: &str = "sample.fed.dev";
pub const FUNCTIONS: [&str; 2] = ["sample-api", "sample-worker"];
pub const PIPELINE: &str = "sample-deploy";
pub const STAGE: &str = "prod";
/// Where the Route 53 checkers of each seeded health check run (moto wipes the list when an
/// update leaves it out, so every update sends it again).
pub const CHECKER_REGIONS: [&str; 3] = ["us-east-1", "us-west-1", "us-west-2"];

const READY_TIMEOUT: Duration = Duration::from_secs(30);
const START_ATTEMPTS: u32 = 3;

/// The regional hostname of the default template `{region}.{domain}`.
pub fn regional_name(region: &str) -> String {
    format!("{region}.{DOMAIN}")
}

/// The artifact bucket of a region (the config's template `sample-artifacts-{region}`).
pub fn bucket(region: &str) -> String {
    format!("sample-artifacts-{region}")
}

/// A scratch directory under the system temp dir: removed on drop, kept (and named on stderr)
/// when the test panicked, so that the moto log can be read.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "switchyard-{what}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} for inspection", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// One running `moto_server` on a free port of 127.0.0.1, killed when dropped.
pub struct Moto {
    child: Child,
    port: u16,
    log: PathBuf,
    // Dropped after the child is killed (fields drop in order, after `Drop::drop`).
    dir: TempDir,
}

impl Moto {
    /// Start moto and wait until `GET /moto-api/` answers 200. Panics (never skips) when moto is
    /// not installed.
    pub fn start() -> Moto {
        let server = server_path();
        let dir = TempDir::new("moto");
        let log = dir.path().join("moto.log");
        let mut last_failure = String::new();
        // A port found free can be taken by another process before moto binds it: try again.
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let log_file = std::fs::File::create(&log).unwrap();
            let mut child = std::process::Command::new(&server)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                // moto's request recorder (off until `start_recording`) writes here.
                .env("MOTO_RECORDER_FILEPATH", dir.path().join("recording.jsonl"))
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().unwrap())
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
            match wait_ready(&mut child, port) {
                Ok(()) => {
                    return Moto {
                        child,
                        port,
                        log,
                        dir,
                    };
                }
                Err(why) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    last_failure = format!("{why}\n--- moto log (tail) ---\n{}", tail(&log));
                }
            }
        }
        panic!("moto did not start after {START_ATTEMPTS} attempts: {last_failure}");
    }

    fn stop(&mut self) {
        // Child::kill signals exactly this PID (moto_server is the Python process itself).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A scratch directory that lives as long as the server (for configs and the CLI's HOME).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Start moto's request recorder (`POST /moto-api/recorder/start-recording`): every request
    /// from now on is kept, so a test can count the calls that reached moto.
    pub fn start_recording(&self) {
        assert_eq!(
            http_call(self.port, "POST", "/moto-api/recorder/start-recording"),
            Some(200),
            "moto's recorder did not start"
        );
    }

    /// The requests recorded since `start_recording`: (method, path and query), in order.
    pub fn recorded(&self) -> Vec<(String, String)> {
        let text =
            std::fs::read_to_string(self.dir.path().join("recording.jsonl")).unwrap_or_default();
        text.lines()
            .map(|line| {
                let entry: Value = serde_json::from_str(line).unwrap();
                (
                    entry["method"].as_str().unwrap().to_string(),
                    entry["url"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// The last lines of moto's log, for failure messages.
    pub fn log_tail(&self) -> String {
        tail(&self.log)
    }

    /// The SDK configuration for this server: its endpoint, static test credentials, no retries
    /// (a seeding call that fails should fail the test at once, with moto's answer).
    pub fn sdk_config(&self, region: &str) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(self.endpoint())
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "test", "test", None, None, "test",
            )))
            .retry_config(RetryConfig::disabled())
            .build()
    }

    pub fn route53(&self) -> aws_sdk_route53::Client {
        aws_sdk_route53::Client::new(&self.sdk_config(PRIMARY))
    }

    pub fn apigateway(&self, region: &str) -> aws_sdk_apigateway::Client {
        aws_sdk_apigateway::Client::new(&self.sdk_config(region))
    }

    pub fn apigatewayv2(&self, region: &str) -> aws_sdk_apigatewayv2::Client {
        aws_sdk_apigatewayv2::Client::new(&self.sdk_config(region))
    }

    pub fn lambda(&self, region: &str) -> aws_sdk_lambda::Client {
        aws_sdk_lambda::Client::new(&self.sdk_config(region))
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config(PRIMARY))
    }

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.sdk_config(region))
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    pub fn codepipeline(&self, region: &str) -> aws_sdk_codepipeline::Client {
        aws_sdk_codepipeline::Client::new(&self.sdk_config(region))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- moto log (tail) ---\n{}", self.log_tail());
        }
        self.stop();
    }
}

fn server_path() -> PathBuf {
    let path = std::env::var_os("MOTO_SERVER")
        .filter(|p| !p.is_empty())
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server"),
            PathBuf::from,
        );
    if !path.is_file() {
        panic!(
            "moto_server not found: run scripts/test (it installs moto into .venv) (looked at {})",
            path.display()
        );
    }
    path
}

/// Polls `GET /moto-api/` until it answers 200, the server exits, or the timeout passes.
fn wait_ready(child: &mut Child, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "moto_server exited with {status} before it was ready"
            ));
        }
        if http_status(port, "/moto-api/") == Some(200) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "moto_server on port {port} did not answer GET /moto-api/ with 200 within {}s",
                READY_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The status code of a plain HTTP/1.0 GET, or `None` if nothing answers yet.
fn http_status(port: u16, path: &str) -> Option<u16> {
    http_call(port, "GET", path)
}

/// The status code of a plain HTTP/1.0 request without a body.
fn http_call(port: u16, method: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 32];
    let mut read = 0;
    while read < 12 {
        match stream.read(&mut head[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    // "HTTP/1.1 200 OK"
    std::str::from_utf8(&head[..read])
        .ok()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
