#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every SDK client of the AWS backend goes through one HTTP client, so through one connection
//! pool: counted at the TCP level on a local HTTP server.
//!
//! Not moto: moto (werkzeug) answers every request with `Connection: close`, so each request is
//! a new connection whatever the client does. This server keeps connections open (HTTP/1.1
//! keep-alive) and answers every request 404 with no body: each call fails at once, without a
//! retry, which is all a count of connections needs. Nothing here talks to anything but
//! 127.0.0.1.

mod aws_mocks_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_types::retry::RetryConfig;
use switchyard::source::aws::AwsBackend;
use switchyard::source::{SourceKey, SourceKind};

/// An HTTP/1.1 server on 127.0.0.1 that keeps connections open and answers every request
/// `404` with an empty body, counting connections and requests.
struct KeepAliveServer {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl KeepAliveServer {
    fn start() -> KeepAliveServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (accepted, served, stopping) = (
            Arc::clone(&connections),
            Arc::clone(&requests),
            Arc::clone(&stop),
        );
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { return };
                accepted.fetch_add(1, Ordering::SeqCst);
                let served = Arc::clone(&served);
                std::thread::spawn(move || serve(stream, &served));
            }
        });
        KeepAliveServer {
            port,
            connections,
            requests,
            stop,
            thread: Some(thread),
        }
    }
}

/// Answers the requests of one connection until the client closes it.
fn serve(stream: TcpStream, served: &AtomicUsize) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        served.fetch_add(1, Ordering::SeqCst);
        let answer =
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nx-amzn-requestid: pool\r\n\r\n";
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

impl Drop for KeepAliveServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Lets the tasks the runtime has queued run: hyper puts a connection back in its pool from a
/// task of its own once a response is read. Scheduling, not a clock.
async fn let_tasks_run() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}

/// Calls one after another, each through another SDK client (STS, Route 53, S3,
/// CodePipeline), open one connection: the backend gives all its clients one HTTP client. (With the
/// SDK's default, an `SdkConfig` without an HTTP client, each client builds its own and the
/// same four calls opened four connections.)
#[tokio::test]
async fn every_sdk_client_of_the_backend_shares_one_connection_pool() {
    let server = KeepAliveServer::start();
    let toml = r#"
[[service]]
name = "pool"
domain = "pool.example.com"
hosted_zone_id = "ZPOOL"
regions = ["us-east-1", "us-west-2"]
functions = ["pool-fn"]
health_checks = { "us-east-1" = "hc-1", "us-west-2" = "hc-2" }

[service.artifacts]
bucket = "pool-artifacts-{region}"

[service.pipeline]
name = "pool-deploy"
"#;
    // No retries: a 404 is not retried anyway; this keeps one request per call for sure.
    let sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(format!("http://127.0.0.1:{}", server.port))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .retry_config(RetryConfig::disabled())
        .build();
    assert!(sdk.http_client().is_none(), "the SDK's default: none given");
    let b = AwsBackend::with_sdk_config(aws_mocks_support::config(toml), &sdk);

    assert!(b.caller().await.is_err());
    let_tasks_run().await;
    assert!(b.health_flags(&["hc-1".to_string()]).await.is_err());
    let_tasks_run().await;
    // S3 outside the artifacts' source region (one ListObjectVersions; in the source region
    // GetBucketReplication goes out at the same time), then CodePipeline (GetPipelineState and,
    // the first time, GetPipeline at the same time).
    for (kind, region) in [
        (SourceKind::Replication, "us-west-2"),
        (SourceKind::Pipeline, "us-east-1"),
    ] {
        let (_, result) = b
            .fetch(&SourceKey::new(kind, region), aws_mocks_support::now())
            .await;
        assert!(result.is_err(), "{result:?}");
        let_tasks_run().await;
    }

    assert_eq!(server.requests.load(Ordering::SeqCst), 5);
    // The first four calls go in turn over one connection; the pipeline's two at once need a
    // second one (there is one idle connection in the pool for two requests in flight).
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        2,
        "five calls through four SDK clients, two of them at once"
    );
}
