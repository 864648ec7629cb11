//! A moto server per test, the real SDK clients pointed at it, the world the tests seed into it
//! (a Route 53 failover pair, API Gateway custom domains, Lambda functions, versioned S3 buckets,
//! a pipeline), a `switchyard.toml` for that world, and `switchyard snapshot --json` run on it.
//!
//! moto is `moto[server]` 5.2.5 in `.venv` (what it can and cannot do: docs/ARCHITECTURE.md,
//! "Testing", and the comments in `tests/moto.rs`). Nothing here talks to anything but 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Each test binary compiles this module on its own and may use only part of it.
#![allow(dead_code)]

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
    let mut stream = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
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

// ---------------------------------------------------------------------------------------------
// Seeding through the real SDK clients

/// How the failover records of the shared name lead to a region's custom domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// An A alias record to the domain's `d-….execute-api.REGION.amazonaws.com`.
    Alias,
    /// A CNAME to it.
    Cname,
}

/// What to seed: the default is a healthy, consistent deployment in both regions.
#[derive(Debug, Clone)]
pub struct Spec {
    pub failover_records: RecordKind,
    /// A region where the shared custom domain (`sample.fed.dev`) is not created.
    pub shared_domain_missing_in: Option<&'static str>,
    /// A (region, function) that gets different code than everywhere else.
    pub different_code: Option<(&'static str, &'static str)>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            failover_records: RecordKind::Alias,
            shared_domain_missing_in: None,
            different_code: None,
        }
    }
}

/// What was seeded, with moto's generated IDs and names, for exact assertions.
#[derive(Debug, Clone)]
pub struct World {
    /// The bare zone ID (without `/hostedzone/`), as the config wants it.
    pub zone_id: String,
    pub role_arn: String,
    /// Region -> health check ID behind that region's failover record.
    pub health_checks: BTreeMap<String, String>,
    /// Region -> the REST API whose `prod` stage every domain maps to.
    pub api_ids: BTreeMap<String, String>,
    /// (region, domain name) -> the custom domain's regionalDomainName.
    pub domain_targets: BTreeMap<(String, String), String>,
    /// Region -> what the shared name's failover record points at.
    pub failover_targets: BTreeMap<String, String>,
    /// (region, function) -> CodeSha256 as Lambda reported it on create.
    pub code_sha256: BTreeMap<(String, String), String>,
}

impl World {
    pub fn health_check(&self, region: &str) -> &str {
        &self.health_checks[region]
    }

    pub fn api_id(&self, region: &str) -> &str {
        &self.api_ids[region]
    }

    pub fn target(&self, region: &str, name: &str) -> &str {
        self.domain_targets
            .get(&(region.to_string(), name.to_string()))
            .unwrap_or_else(|| panic!("no custom domain {name} seeded in {region}"))
    }

    pub fn code(&self, region: &str, function: &str) -> &str {
        &self.code_sha256[&(region.to_string(), function.to_string())]
    }
}

/// The deployment package of a function: a real (stored, uncompressed) zip with one file. moto
/// 5.2.5 would take any bytes, but a real package keeps the seed valid for a stricter moto.
pub fn lambda_zip(source: &str) -> Vec<u8> {
    zip_one_file("index.py", source.as_bytes())
}

pub fn code_for(region: &str, function: &str, spec: &Spec) -> String {
    if spec
        .different_code
        .is_some_and(|(r, f)| r == region && f == function)
    {
        format!(
            "# {function}, hotfixed in {region} only\ndef handler(event, context):\n    return {{'statusCode': 503}}\n"
        )
    } else {
        format!(
            "# {function}, build 1234\ndef handler(event, context):\n    return {{'statusCode': 200}}\n"
        )
    }
}

impl Moto {
    /// The whole default deployment of `sample` (or the `spec`'s variation of it): the zone with
    /// failover records and regional CNAMEs, health checks, API Gateway REST APIs with the shared
    /// and regional custom domains and their base path mappings, and the Lambda functions.
    pub async fn seed(&self, spec: &Spec) -> World {
        let zone_id = self.create_zone(ZONE).await;
        let role_arn = self.create_role("switchyard-test-role").await;
        let mut world = World {
            zone_id,
            role_arn,
            health_checks: BTreeMap::new(),
            api_ids: BTreeMap::new(),
            domain_targets: BTreeMap::new(),
            failover_targets: BTreeMap::new(),
            code_sha256: BTreeMap::new(),
        };
        for (i, region) in REGIONS.iter().enumerate() {
            let region = *region;
            let api = self.create_rest_api(region, "sample-api").await;
            // The shared name: mapped at the root and at /v1.
            let alias_zone;
            if spec.shared_domain_missing_in == Some(region) {
                // The domain was deleted (or never made) here; the failover record still
                // points at where it used to be.
                world.failover_targets.insert(
                    region.to_string(),
                    format!("d-gone000000.execute-api.{region}.amazonaws.com"),
                );
                alias_zone = "Z2FDTNDATAQYW2".to_string();
            } else {
                let (target, zone) = self.create_regional_domain(region, DOMAIN).await;
                self.create_base_path_mapping(region, DOMAIN, &api, None)
                    .await;
                self.create_base_path_mapping(region, DOMAIN, &api, Some("v1"))
                    .await;
                world
                    .domain_targets
                    .insert((region.to_string(), DOMAIN.to_string()), target.clone());
                world.failover_targets.insert(region.to_string(), target);
                alias_zone = zone;
            }
            // The regional name: mapped at the root only.
            let regional = regional_name(region);
            let (regional_target, _) = self.create_regional_domain(region, &regional).await;
            self.create_base_path_mapping(region, &regional, &api, None)
                .await;
            self.upsert_cname(&world.zone_id, &regional, &regional_target)
                .await;
            world
                .domain_targets
                .insert((region.to_string(), regional.clone()), regional_target);

            let check = self.create_health_check(&regional).await;
            let role = if i == 0 {
                Failover::Primary
            } else {
                Failover::Secondary
            };
            let target = match spec.failover_records {
                RecordKind::Alias => Target::Alias {
                    dns_name: world.failover_targets[region].clone(),
                    hosted_zone_id: alias_zone,
                },
                RecordKind::Cname => Target::Cname(world.failover_targets[region].clone()),
            };
            self.upsert_failover(&world.zone_id, DOMAIN, role, region, &check, target)
                .await;
            world.health_checks.insert(region.to_string(), check);
            world.api_ids.insert(region.to_string(), api);

            for function in FUNCTIONS {
                let zip = lambda_zip(&code_for(region, function, spec));
                let sha = self
                    .create_function(region, function, &world.role_arn, zip)
                    .await;
                world
                    .code_sha256
                    .insert((region.to_string(), function.to_string()), sha);
            }
        }
        world
    }

    // --- Route 53 ---

    /// A public hosted zone; returns its bare ID.
    pub async fn create_zone(&self, name: &str) -> String {
        let out = self
            .route53()
            .create_hosted_zone()
            .name(name)
            .caller_reference(format!("switchyard-test-{name}"))
            .send()
            .await
            .unwrap();
        let id = out.hosted_zone().unwrap().id();
        id.trim_start_matches("/hostedzone/").to_string()
    }

    /// An HTTPS health check of `fqdn` from three checker regions; returns its ID.
    pub async fn create_health_check(&self, fqdn: &str) -> String {
        use aws_sdk_route53::types::{HealthCheckConfig, HealthCheckRegion, HealthCheckType};
        let config = HealthCheckConfig::builder()
            .r#type(HealthCheckType::Https)
            .fully_qualified_domain_name(fqdn)
            .resource_path("/health")
            .port(443)
            .request_interval(30)
            .failure_threshold(3)
            .set_regions(Some(
                CHECKER_REGIONS
                    .iter()
                    .map(|r| HealthCheckRegion::from(*r))
                    .collect(),
            ))
            .build()
            .unwrap();
        let out = self
            .route53()
            .create_health_check()
            .caller_reference(format!("switchyard-test-{fqdn}"))
            .health_check_config(config)
            .send()
            .await
            .unwrap();
        out.health_check().unwrap().id().to_string()
    }

    /// Invert (manual failover) or restore a health check. Always sends the checker regions:
    /// moto 5.2.5 wipes them when an update leaves them out.
    pub async fn set_inverted(&self, id: &str, inverted: bool) {
        use aws_sdk_route53::types::HealthCheckRegion;
        self.route53()
            .update_health_check()
            .health_check_id(id)
            .inverted(inverted)
            .set_regions(Some(
                CHECKER_REGIONS
                    .iter()
                    .map(|r| HealthCheckRegion::from(*r))
                    .collect(),
            ))
            .send()
            .await
            .unwrap();
    }

    /// The stored flags and checker regions of a health check: (inverted, regions).
    pub async fn health_check_config(&self, id: &str) -> (bool, Vec<String>) {
        let out = self
            .route53()
            .get_health_check()
            .health_check_id(id)
            .send()
            .await
            .unwrap();
        let config = out.health_check().unwrap().health_check_config().unwrap();
        (
            config.inverted().unwrap_or(false),
            config
                .regions()
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
        )
    }

    /// A failover record of the shared name (UPSERT: moto's DELETE with a SetIdentifier would
    /// delete every record of the zone with that identifier).
    pub async fn upsert_failover(
        &self,
        zone_id: &str,
        name: &str,
        role: Failover,
        set_identifier: &str,
        health_check_id: &str,
        target: Target,
    ) {
        use aws_sdk_route53::types::{
            AliasTarget, ResourceRecord, ResourceRecordSet, ResourceRecordSetFailover, RrType,
        };
        let mut record = ResourceRecordSet::builder()
            .name(name)
            .set_identifier(set_identifier)
            .failover(match role {
                Failover::Primary => ResourceRecordSetFailover::Primary,
                Failover::Secondary => ResourceRecordSetFailover::Secondary,
            })
            .health_check_id(health_check_id);
        record = match target {
            Target::Alias {
                dns_name,
                hosted_zone_id,
            } => record.r#type(RrType::A).alias_target(
                AliasTarget::builder()
                    .dns_name(dns_name)
                    .hosted_zone_id(hosted_zone_id)
                    .evaluate_target_health(false)
                    .build()
                    .unwrap(),
            ),
            Target::Cname(host) => record
                .r#type(RrType::Cname)
                .ttl(60)
                .resource_records(ResourceRecord::builder().value(host).build().unwrap()),
        };
        self.upsert(zone_id, record.build().unwrap()).await;
    }

    /// A plain CNAME (the regional names), created or replaced.
    pub async fn upsert_cname(&self, zone_id: &str, name: &str, target: &str) {
        use aws_sdk_route53::types::{ResourceRecord, ResourceRecordSet, RrType};
        let record = ResourceRecordSet::builder()
            .name(name)
            .r#type(RrType::Cname)
            .ttl(60)
            .resource_records(ResourceRecord::builder().value(target).build().unwrap())
            .build()
            .unwrap();
        self.upsert(zone_id, record).await;
    }

    async fn upsert(&self, zone_id: &str, record: aws_sdk_route53::types::ResourceRecordSet) {
        use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch};
        let batch = ChangeBatch::builder()
            .changes(
                Change::builder()
                    .action(ChangeAction::Upsert)
                    .resource_record_set(record)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        self.route53()
            .change_resource_record_sets()
            .hosted_zone_id(zone_id)
            .change_batch(batch)
            .send()
            .await
            .unwrap();
    }

    // --- API Gateway v1 ---

    /// A REST API with one MOCK method deployed to the `prod` stage (moto refuses a deployment
    /// of an API without methods, and a base path mapping to a stage that does not exist).
    pub async fn create_rest_api(&self, region: &str, name: &str) -> String {
        use aws_sdk_apigateway::types::IntegrationType;
        let client = self.apigateway(region);
        let api = client.create_rest_api().name(name).send().await.unwrap();
        let api_id = api.id().unwrap().to_string();
        let resources = client
            .get_resources()
            .rest_api_id(&api_id)
            .send()
            .await
            .unwrap();
        let root = resources
            .items()
            .iter()
            .find(|r| r.path() == Some("/"))
            .and_then(|r| r.id())
            .unwrap()
            .to_string();
        client
            .put_method()
            .rest_api_id(&api_id)
            .resource_id(&root)
            .http_method("GET")
            .authorization_type("NONE")
            .send()
            .await
            .unwrap();
        client
            .put_integration()
            .rest_api_id(&api_id)
            .resource_id(&root)
            .http_method("GET")
            .r#type(IntegrationType::Mock)
            .send()
            .await
            .unwrap();
        client
            .create_deployment()
            .rest_api_id(&api_id)
            .stage_name(STAGE)
            .send()
            .await
            .unwrap();
        api_id
    }

    /// A REGIONAL custom domain; returns (regionalDomainName, regionalHostedZoneId).
    pub async fn create_regional_domain(&self, region: &str, name: &str) -> (String, String) {
        use aws_sdk_apigateway::types::{EndpointConfiguration, EndpointType};
        let out = self
            .apigateway(region)
            .create_domain_name()
            .domain_name(name)
            .regional_certificate_arn(format!(
                "arn:aws:acm:{region}:123456789012:certificate/switchyard-test"
            ))
            .endpoint_configuration(
                EndpointConfiguration::builder()
                    .types(EndpointType::Regional)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        (
            out.regional_domain_name().unwrap().to_string(),
            out.regional_hosted_zone_id().unwrap().to_string(),
        )
    }

    /// A base path mapping to the API's `prod` stage; `None` maps the root ("(none)").
    pub async fn create_base_path_mapping(
        &self,
        region: &str,
        domain: &str,
        api_id: &str,
        base_path: Option<&str>,
    ) {
        self.apigateway(region)
            .create_base_path_mapping()
            .domain_name(domain)
            .rest_api_id(api_id)
            .stage(STAGE)
            .set_base_path(base_path.map(str::to_string))
            .send()
            .await
            .unwrap();
    }

    // --- IAM and Lambda ---

    /// A role Lambda and CodePipeline can assume (moto checks the role exists); returns its ARN.
    pub async fn create_role(&self, name: &str) -> String {
        // One statement per service: moto's CreatePipeline wants the principal as a plain
        // string "codepipeline.amazonaws.com", not inside a list.
        let policy = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"Service":"codepipeline.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let out = self
            .iam()
            .create_role()
            .role_name(name)
            .assume_role_policy_document(policy)
            .send()
            .await
            .unwrap();
        out.role().unwrap().arn().to_string()
    }

    /// A Python function from a zip; returns the CodeSha256 Lambda computed.
    pub async fn create_function(
        &self,
        region: &str,
        name: &str,
        role_arn: &str,
        zip: Vec<u8>,
    ) -> String {
        use aws_sdk_lambda::primitives::Blob;
        use aws_sdk_lambda::types::{FunctionCode, Runtime};
        let out = self
            .lambda(region)
            .create_function()
            .function_name(name)
            .runtime(Runtime::Python312)
            .role(role_arn)
            .handler("index.handler")
            .memory_size(512)
            .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
            .send()
            .await
            .unwrap();
        out.code_sha256().unwrap().to_string()
    }

    // --- S3 ---

    /// A bucket with versioning on, in `region` (outside us-east-1 with its location constraint).
    pub async fn create_versioned_bucket(&self, region: &str, name: &str) {
        use aws_sdk_s3::types::{
            BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
            VersioningConfiguration,
        };
        let client = self.s3(region);
        let config = (region != "us-east-1").then(|| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build()
        });
        client
            .create_bucket()
            .bucket(name)
            .set_create_bucket_configuration(config)
            .send()
            .await
            .unwrap();
        client
            .put_bucket_versioning()
            .bucket(name)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    /// Upload an object; returns its version.
    pub async fn put_object(&self, region: &str, bucket: &str, key: &str, body: &[u8]) -> Uploaded {
        let out = self
            .s3(region)
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(aws_sdk_s3::primitives::ByteStream::from(body.to_vec()))
            .send()
            .await
            .unwrap();
        let version_id = out.version_id().unwrap().to_string();
        let last_modified = self.last_modified(region, bucket, key, &version_id).await;
        Uploaded {
            version_id,
            etag: out.e_tag().unwrap().trim_matches('"').to_string(),
            last_modified,
        }
    }

    /// LastModified of one object version, in whole seconds since the epoch (what S3 lists).
    async fn last_modified(&self, region: &str, bucket: &str, key: &str, version_id: &str) -> i64 {
        let out = self
            .s3(region)
            .list_object_versions()
            .bucket(bucket)
            .prefix(key)
            .send()
            .await
            .unwrap();
        out.versions()
            .iter()
            .find(|v| v.version_id() == Some(version_id))
            .and_then(|v| v.last_modified())
            .unwrap()
            .secs()
    }

    // --- CodePipeline ---

    /// A pipeline Source (S3) -> Approval (manual) -> Deploy, storing artifacts in `bucket`.
    pub async fn create_pipeline(&self, region: &str, name: &str, role_arn: &str, bucket: &str) {
        use aws_sdk_codepipeline::types::{
            ActionCategory, ActionDeclaration, ActionOwner, ActionTypeId, ArtifactStore,
            ArtifactStoreType, InputArtifact, OutputArtifact, PipelineDeclaration,
            StageDeclaration,
        };
        let action = |name: &str, category: ActionCategory, provider: &str| {
            ActionDeclaration::builder().name(name).action_type_id(
                ActionTypeId::builder()
                    .category(category)
                    .owner(ActionOwner::Aws)
                    .provider(provider)
                    .version("1")
                    .build()
                    .unwrap(),
            )
        };
        let source = action("Source", ActionCategory::Source, "S3")
            .configuration("S3Bucket", bucket)
            .configuration("S3ObjectKey", "builds/sample-1234.zip")
            .configuration("PollForSourceChanges", "false")
            .output_artifacts(OutputArtifact::builder().name("build").build().unwrap())
            .build()
            .unwrap();
        let approval = action("Approve", ActionCategory::Approval, "Manual")
            .build()
            .unwrap();
        let deploy = action("Deploy", ActionCategory::Deploy, "S3")
            .configuration("BucketName", bucket)
            .configuration("Extract", "false")
            .configuration("ObjectKey", "deployed/sample.zip")
            .input_artifacts(InputArtifact::builder().name("build").build().unwrap())
            .build()
            .unwrap();
        let stage = |name: &str, action: ActionDeclaration| {
            StageDeclaration::builder()
                .name(name)
                .actions(action)
                .build()
                .unwrap()
        };
        let pipeline = PipelineDeclaration::builder()
            .name(name)
            .role_arn(role_arn)
            .artifact_store(
                ArtifactStore::builder()
                    .r#type(ArtifactStoreType::S3)
                    .location(bucket)
                    .build()
                    .unwrap(),
            )
            .stages(stage("Source", source))
            .stages(stage("Approval", approval))
            .stages(stage("Deploy", deploy))
            .build()
            .unwrap();
        self.codepipeline(region)
            .create_pipeline()
            .pipeline(pipeline)
            .send()
            .await
            .unwrap();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failover {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Alias {
        dns_name: String,
        hosted_zone_id: String,
    },
    Cname(String),
}

/// One uploaded object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub version_id: String,
    /// Without quotes.
    pub etag: String,
    /// Seconds since the epoch (S3 lists whole seconds).
    pub last_modified: i64,
}

// ---------------------------------------------------------------------------------------------
// The config and the CLI

/// What the written config watches besides health, domains and functions.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConfigSpec {
    /// `[service.artifacts]` with `sample-artifacts-{region}` and prefix `builds/`.
    pub artifacts: bool,
    /// `[service.pipeline]` named `sample-deploy` (in the primary region).
    pub pipeline: bool,
}

/// Writes `switchyard.toml` for the seeded `sample` service into `dir`: moto's endpoint,
/// us-east-1 as control region, both regions, both functions, no `health_checks` (they are found
/// from the failover records).
pub fn write_config(dir: &Path, port: u16, zone_id: &str, spec: ConfigSpec) -> PathBuf {
    let mut text = format!(
        r#"# Written by tests/moto_support for a moto server on port {port}.
[aws]
endpoint_url = "http://127.0.0.1:{port}"
control_region = "{PRIMARY}"

[[service]]
name = "{SERVICE}"
domain = "{DOMAIN}"
hosted_zone_id = "{zone_id}"
regions = ["{PRIMARY}", "{SECONDARY}"]
functions = ["{f0}", "{f1}"]
"#,
        f0 = FUNCTIONS[0],
        f1 = FUNCTIONS[1],
    );
    if spec.artifacts {
        text.push_str(
            r#"
[service.artifacts]
bucket = "sample-artifacts-{region}"
prefix = "builds/"
"#,
        );
    }
    if spec.pipeline {
        text.push_str(&format!("\n[service.pipeline]\nname = \"{PIPELINE}\"\n"));
    }
    let path = dir.join("switchyard.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `switchyard snapshot --config PATH --json`: the parsed JSON and the exit code. The CLI sees
/// only test credentials and a HOME/XDG tree of its own (next to the config), so nothing of the
/// developer's `~/.aws`, `AWS_PROFILE` or `AWS_ENDPOINT_URL` is read.
pub fn snapshot(config: &Path) -> (Value, i32) {
    let out = switchyard(config)
        .args(["snapshot", "--json", "--config"])
        .arg(config)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "snapshot did not print JSON ({e}); exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status.code()
        )
    });
    (value, out.status.code().unwrap())
}

/// The CLI with a clean environment: only PATH (and coverage's profile file) pass through.
pub fn switchyard(config: &Path) -> Command {
    let home = config.parent().unwrap().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::cargo_bin("switchyard").unwrap();
    cmd.env_clear();
    for keep in ["PATH", "LLVM_PROFILE_FILE", "CARGO_LLVM_COV"] {
        if let Some(value) = std::env::var_os(keep) {
            cmd.env(keep, value);
        }
    }
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ENDPOINT_URL")
        .current_dir(&home);
    cmd
}

// ---------------------------------------------------------------------------------------------
// Reading the snapshot

pub fn service<'a>(snap: &'a Value, name: &str) -> &'a Value {
    snap["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no service {name} in {snap:#}"))
}

pub fn region<'a>(service: &'a Value, name: &str) -> &'a Value {
    service["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == name)
        .unwrap_or_else(|| panic!("no region {name} in {service:#}"))
}

/// The source entry `kind@region`.
pub fn source<'a>(snap: &'a Value, kind: &str, region: &str) -> &'a Value {
    snap["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == kind && s["region"] == region)
        .unwrap_or_else(|| panic!("no source {kind}@{region} in {:#}", snap["sources"]))
}

/// (source, region) of every source whose `error` is set, sorted.
pub fn failed_sources(snap: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = snap["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["error"].is_null())
        .map(|s| {
            (
                s["source"].as_str().unwrap().to_string(),
                s["region"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The service's findings other than `source_error`, as (severity, code, region, message),
/// sorted.
pub fn findings(service: &Value) -> Vec<(String, String, Option<String>, String)> {
    let mut out: Vec<_> = service["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] != "source_error")
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["region"].as_str().map(str::to_string),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The regions of the service's `source_error` findings, sorted.
pub fn source_error_regions(service: &Value) -> Vec<String> {
    let mut out: Vec<String> = service["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "source_error")
        .map(|f| f["region"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------------
// A minimal zip writer (one stored file), so no compression crate is needed.

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A zip archive holding `name` with `data`, stored (method 0), no data descriptor.
pub fn zip_one_file(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = crc32(data);
    let size = u32::try_from(data.len()).unwrap();
    let name_len = u16::try_from(name.len()).unwrap();
    // 1980-01-01 00:00 in DOS time/date.
    let (dos_time, dos_date) = (0u16, 0x0021u16);
    let mut out = Vec::new();
    // Local file header.
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // version needed
    out.extend_from_slice(&0u16.to_le_bytes()); // flags
    out.extend_from_slice(&0u16.to_le_bytes()); // method: stored
    out.extend_from_slice(&dos_time.to_le_bytes());
    out.extend_from_slice(&dos_date.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes()); // compressed
    out.extend_from_slice(&size.to_le_bytes()); // uncompressed
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // extra length
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let central_offset = u32::try_from(out.len()).unwrap();
    // Central directory header.
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&0x031Eu16.to_le_bytes()); // version made by: Unix, 3.0
    out.extend_from_slice(&20u16.to_le_bytes()); // version needed
    out.extend_from_slice(&0u16.to_le_bytes()); // flags
    out.extend_from_slice(&0u16.to_le_bytes()); // method
    out.extend_from_slice(&dos_time.to_le_bytes());
    out.extend_from_slice(&dos_date.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // extra
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out.extend_from_slice(&0u16.to_le_bytes()); // disk number
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    out.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes()); // external: -rw-r--r--
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name.as_bytes());
    let central_size = u32::try_from(out.len()).unwrap() - central_offset;
    // End of central directory.
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // this disk
    out.extend_from_slice(&0u16.to_le_bytes()); // central directory disk
    out.extend_from_slice(&1u16.to_le_bytes()); // entries on this disk
    out.extend_from_slice(&1u16.to_le_bytes()); // entries
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}
