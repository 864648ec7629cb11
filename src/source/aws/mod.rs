//! The real AWS backend: SDK clients per region from one shared configuration, the polling plan,
//! and one file per AWS service for the reads.

mod act;
mod apigateway;
mod clients;
mod cloudwatch;
mod codepipeline;
mod discover;
mod dns;
pub mod errors;
mod groups;
mod health_config;
mod integrations;
mod lambda;
mod pages;
mod route53;
mod s3;
mod sts;
mod tally;
pub mod team;
mod zone;

pub use clients::{ControlClients, RegionClients};
pub use discover::AwsInventory;
pub use integrations::Target;
pub use tally::Tally;
pub use zone::{Record, normalize};

use super::{
    DNS_REGION, ErrorKind, Payload, SourceError, SourceKey, SourceKind, SourceSpec, TEAM_REGION,
};
use crate::config::{AwsApi, Config, Mechanism, ServiceConfig};
use crate::model::{Failover, Service, Timestamp};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{Region, SdkConfig};
use errors::Operation;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;

/// GetHealthCheckStatus: at most one call every two seconds on average (Route 53 allows one a
/// second for the whole account), with a burst of four.
const HEALTH_STATUS_PERIOD: Duration = Duration::from_secs(2);
const HEALTH_STATUS_BURST: u32 = 4;
/// A whole source fetch (several calls) must finish within this: a snapshot, which fetches
/// every source once and at once, returns within it (README, "When things break").
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(20);
/// The SDK clients' connect and read timeouts (each socket read; the attempt and operation
/// timeouts bound a whole call).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const READ_TIMEOUT: Duration = Duration::from_secs(8);
/// A Route 53 read's budget: per attempt, and in all (the SDK's standard retries within it).
/// Route 53's API answers a read in well under a second; a read that has not answered in 4 s is
/// taken as lost, so a silent control plane (us-east-1 impaired) costs a fetch 8 s, not the
/// SDK-wide 15 s, and the sources that join these reads with others (health, domains) return
/// what they have sooner. Mutating calls keep the SDK-wide budget.
pub const ROUTE53_READ_ATTEMPT: Duration = Duration::from_secs(4);
pub const ROUTE53_READ_BUDGET: Duration = Duration::from_secs(8);
/// Calls of one kind a fetch has in flight at once when it fans out (per domain, pipeline,
/// health check): enough that a fleet's calls overlap, few enough that a large fleet does not
/// burst into the request-rate limits of the control-plane APIs read here, which are far lower
/// than those of the services' data planes. Lambda and S3 have their own, from their quotas.
const FAN_OUT: usize = 8;

pub struct AwsBackend {
    /// Boxed, like the caches below, to keep `Backend::Aws` near `Backend::Sim` in size.
    config: Box<Config>,
    /// Route 53 and its metrics live in the control region.
    route53: aws_sdk_route53::Client,
    control_cloudwatch: aws_sdk_cloudwatch::Client,
    sts: aws_sdk_sts::Client,
    regions: BTreeMap<String, RegionClients>,
    /// GetHealthCheckStatus's budget: shared with the groups (`groups.rs`), as Route 53
    /// rations it for the whole account; behind a pointer, like `zones`, to keep
    /// `Backend::Aws` near `Backend::Sim` in size.
    health_status_budget: std::sync::Arc<DefaultDirectRateLimiter>,
    /// GetHealthCheckLastFailureReason, which Route 53 rations the same way.
    failure_reason_budget: std::sync::Arc<DefaultDirectRateLimiter>,
    /// Where the next refresh starts giving out the GetHealthCheckStatus budget (it rotates
    /// over every check).
    status_next: std::sync::atomic::AtomicUsize,
    /// Checks GetHealthCheckStatus does not serve (CALCULATED): not asked again.
    no_status: Box<std::sync::Mutex<std::collections::BTreeSet<String>>>,
    /// What each failover record was last read to be judged by, by (service, region): a health
    /// check ID (used without reading the records again), or `None`, a record without one (read
    /// again every time; kept only to fall back on when the records cannot be read).
    health_ids: tokio::sync::Mutex<BTreeMap<(String, String), Option<String>>>,
    /// Each hosted zone's records, read once for all sources of a refresh (and for the groups
    /// that read Route 53 with the same credentials). (Behind a pointer, as its mutex and map
    /// would make `Backend::Aws` much larger than `Backend::Sim`.)
    zones: std::sync::Arc<zone::ZoneCache>,
    /// Each region's custom domains, read once for the Domains and Lambda sources.
    domain_reads: Box<zone::SharedReads<apigateway::RegionDomains>>,
    /// What listing the account's health checks costs (see `health_config.rs`).
    health_listing: std::sync::Mutex<health_config::Listing>,
    /// ARC cluster clients by endpoint URL (services with `mechanism = "arc"`).
    arc: BTreeMap<String, aws_sdk_route53recoverycluster::Client>,
    /// Per ARC cluster, the endpoint that answered last: reads and writes start there.
    arc_last_good: Box<std::sync::Mutex<BTreeMap<String, String>>>,
    /// Each pipeline's declared manual approvals (GetPipeline), kept while its version holds.
    pipeline_declarations: Box<codepipeline::Declarations>,
    /// Which alias or version API Gateway invokes, per region (see `integrations.rs`; boxed
    /// like `zones`).
    invoked: Box<integrations::InvokedCache>,
    /// The last Route 53 read timed out: reads make one attempt each until one answers (a
    /// silent endpoint is not asked three times per read, refresh after refresh).
    route53_silent: std::sync::atomic::AtomicBool,
    /// Each hosted zone's authoritative name servers, read once (see `dns.rs`).
    /// (With whether delegation sets are looked up: see `dns::NameServerCache`.)
    dns_servers: Box<dns::NameServerCache>,
    /// `[team]`: the team's bucket (leases and the shared audit trail).
    team: Option<Box<crate::source::team::TeamStore>>,
    /// Each credential set with its STS client, the default (`[aws]`'s) first (README, "Several
    /// accounts").
    accounts: Vec<sts::AccountSet>,
    /// With `[[service]] profile` or `role_arn`: one backend per group of services whose calls
    /// use the same credentials (`Config::service_groups`); reads fan out to them and actions
    /// go to the service's (see `groups.rs`). Empty otherwise: this backend is the one group.
    groups: Vec<AwsBackend>,
}

impl AwsBackend {
    /// Build the SDK configuration of each credential set (standard credential chain, the
    /// config's profile and endpoint, explicit timeouts and the SDK's standard retries; a role
    /// assumed on top where the config names one), all through one HTTP client, and the clients.
    pub async fn connect(config: Config) -> AwsBackend {
        let http = clients::shared_http_client();
        let mut loaded = Vec::new();
        let groups = config.service_groups();
        let mut backend = AwsBackend::connect_one(config, &http, &mut loaded).await;
        for group in groups {
            let group = AwsBackend::connect_one(group, &http, &mut loaded).await;
            backend.groups.push(group);
        }
        groups::share_budgets(&mut backend);
        backend
    }

    /// `connect` for one group: each credential set's SDK configuration is loaded once for
    /// all groups (`loaded`).
    async fn connect_one(
        config: Config,
        http: &aws_sdk_sts::config::SharedHttpClient,
        loaded: &mut Vec<(crate::config::Credentials, SdkConfig)>,
    ) -> AwsBackend {
        let mut sdks = Vec::new();
        for (credentials, _) in config.aws.credential_sets() {
            let sdk = match loaded.iter().find(|(c, _)| *c == credentials) {
                Some((_, sdk)) => sdk.clone(),
                None => {
                    let sdk = clients::load_sdk(&config.aws, &credentials, http.clone()).await;
                    loaded.push((credentials, sdk.clone()));
                    sdk
                }
            };
            sdks.push(sdk);
        }
        let custom_endpoint = config.aws.endpoint_url.is_some()
            || ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ROUTE_53"]
                .iter()
                .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
        AwsBackend::with_sdk_configs(config, &sdks).with_delegation_lookup(!custom_endpoint)
    }

    /// Read each zone's delegation set and resolve its name servers (see `delegation_lookup`).
    pub fn with_delegation_lookup(mut self, on: bool) -> AwsBackend {
        self.dns_servers.delegation_lookup = on;
        self
    }

    /// Clients from a given SDK configuration, all through one HTTP client (the configuration's,
    /// else one made here).
    pub fn with_sdk_config(config: Config, sdk: &SdkConfig) -> AwsBackend {
        AwsBackend::with_sdk_configs(config, std::slice::from_ref(sdk))
    }

    /// Clients from one SDK configuration per credential set, in the order of
    /// `AwsConfig::credential_sets` (the default set first; a set without its own configuration
    /// uses the first): each API's clients come from the set the config gives it (README,
    /// "Several accounts").
    pub fn with_sdk_configs(config: Config, sdks: &[SdkConfig]) -> AwsBackend {
        let shared = clients::shared_http_client();
        let sdks: Vec<SdkConfig> = sdks
            .iter()
            .map(|sdk| {
                if sdk.http_client().is_some() {
                    sdk.clone()
                } else {
                    sdk.to_builder().http_client(shared.clone()).build()
                }
            })
            .collect();
        let Some(first) = sdks.first() else {
            // No configuration at all: the SDK's defaults, as `from_clients` would have them.
            let sdk = SdkConfig::builder()
                .behavior_version(BehaviorVersion::latest())
                .http_client(shared)
                .build();
            return AwsBackend::with_sdk_configs(config, std::slice::from_ref(&sdk));
        };
        let sets = config.aws.credential_sets();
        let sdk_for = |api: AwsApi| {
            sets.iter()
                .position(|(_, apis)| apis.contains(&api))
                .and_then(|i| sdks.get(i))
                .unwrap_or(first)
        };
        // Path-style S3 for any custom endpoint: the global one, or S3's own variable (which
        // aws-config resolves per service, so it does not show in `endpoint_url()`).
        let s3_endpoint = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some_and(|v| !v.is_empty())
            && std::env::var_os("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_none();
        let path_style = first.endpoint_url().is_some() || s3_endpoint;
        let control_region = Region::new(config.aws.control_region.clone());
        let control = control_region.clone();
        let mut regions = BTreeMap::new();
        for region in config.services.iter().flat_map(|s| s.regions.iter()) {
            regions.entry(region.clone()).or_insert_with(|| {
                RegionClients::for_apis(&sdk_for, Region::new(region.clone()), path_style)
            });
        }
        let route53_sdk = sdk_for(AwsApi::Route53);
        let control = ControlClients {
            // Route 53 throttles the whole account with one token bucket: adaptive retry also
            // slows this client down when it sees throttling, instead of only backing off.
            route53: aws_sdk_route53::Client::from_conf(
                aws_sdk_route53::config::Builder::from(route53_sdk)
                    .region(control.clone())
                    .retry_config(RetryConfig::adaptive().with_max_attempts(3))
                    .build(),
            ),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(
                aws_sdk_cloudwatch::config::Builder::from(route53_sdk)
                    .region(control.clone())
                    .build(),
            ),
            sts: sts::client(first, &control),
        };
        // ARC routing controls go with Route 53's credentials.
        let arc = act::arc_clients(&config, route53_sdk);
        let team = config.team.as_ref().map(|t| {
            let region = t
                .region
                .clone()
                .unwrap_or_else(|| config.aws.control_region.clone());
            let client = aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(first)
                    .region(Region::new(region.clone()))
                    .force_path_style(path_style)
                    .build(),
            );
            let s3 = team::S3Team::new(client, &t.bucket, region, config.aws.profile.clone());
            crate::source::team::TeamStore::s3(s3, t.prefix.clone(), t.lease)
        });
        let accounts = sets
            .into_iter()
            .enumerate()
            .map(|(i, (credentials, apis))| sts::AccountSet {
                credentials,
                apis,
                sts: sts::client(sdks.get(i).unwrap_or(first), &control_region),
            })
            .collect();
        let mut backend = AwsBackend::from_clients(config, control, regions);
        backend.arc = arc;
        backend.team = team.map(Box::new);
        backend.accounts = accounts;
        backend
    }

    /// From ready clients: how tests put `aws-smithy-mocks` clients under the real code.
    pub fn from_clients(
        config: Config,
        control: ControlClients,
        regions: BTreeMap<String, RegionClients>,
    ) -> AwsBackend {
        let burst = NonZeroU32::new(HEALTH_STATUS_BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(HEALTH_STATUS_PERIOD).map_or_else(
            || Quota::per_second(NonZeroU32::MIN),
            |q| q.allow_burst(burst),
        );
        // Every set asks STS through the one client given (tests mock it once).
        let accounts = config
            .aws
            .credential_sets()
            .into_iter()
            .map(|(credentials, apis)| sts::AccountSet {
                credentials,
                apis,
                sts: control.sts.clone(),
            })
            .collect();
        AwsBackend {
            accounts,
            route53: control.route53,
            control_cloudwatch: control.cloudwatch,
            sts: control.sts,
            regions,
            health_status_budget: std::sync::Arc::new(RateLimiter::direct(quota)),
            failure_reason_budget: std::sync::Arc::new(RateLimiter::direct(quota)),
            status_next: std::sync::atomic::AtomicUsize::new(0),
            no_status: Box::default(),
            health_ids: tokio::sync::Mutex::new(BTreeMap::new()),
            zones: std::sync::Arc::new(zone::ZoneCache::new(zone::reuse_window(&config.refresh))),
            domain_reads: Box::new(zone::SharedReads::new(
                config.refresh.domains.min(config.refresh.lambda) / 2,
            )),
            health_listing: std::sync::Mutex::default(),
            arc: BTreeMap::new(),
            arc_last_good: Box::default(),
            pipeline_declarations: Box::default(),
            invoked: Box::default(),
            route53_silent: std::sync::atomic::AtomicBool::new(false),
            dns_servers: Box::default(),
            team: None,
            config: Box::new(config),
            groups: Vec::new(),
        }
    }

    /// With the team's bucket (tests give it a mocked S3 client).
    pub fn with_team(mut self, team: crate::source::team::TeamStore) -> AwsBackend {
        self.team = Some(Box::new(team));
        self
    }

    pub fn team(&self) -> Option<&crate::source::team::TeamStore> {
        self.team.as_deref()
    }

    /// The configuration a Route 53 read is sent with (`customize().config_override(...)`):
    /// [`ROUTE53_READ_ATTEMPT`] per attempt within [`ROUTE53_READ_BUDGET`], and a single attempt
    /// while the last read timed out.
    fn route53_read(&self) -> aws_sdk_route53::config::Builder {
        // The connect and read timeouts stay the client's: the HTTP client keeps one
        // connection pool per pair of them, and every client shares one pool.
        let base = self
            .route53
            .config()
            .timeout_config()
            .cloned()
            .unwrap_or_else(|| TimeoutConfig::builder().build());
        let mut config = aws_sdk_route53::config::Builder::default().timeout_config(
            base.to_builder()
                .operation_attempt_timeout(ROUTE53_READ_ATTEMPT)
                .operation_timeout(ROUTE53_READ_BUDGET)
                .build(),
        );
        if self
            .route53_silent
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            config = config.retry_config(RetryConfig::standard().with_max_attempts(1));
        }
        config
    }

    /// Note how a Route 53 read ended: a timeout makes the next reads single attempts, an
    /// answer (an error answer too) ends that.
    fn route53_read_ended<T>(&self, result: &Result<T, SourceError>) {
        let silent = matches!(result, Err(e) if e.kind == ErrorKind::Timeout);
        self.route53_silent
            .store(silent, std::sync::atomic::Ordering::Relaxed);
    }

    /// Give GetHealthCheckStatus another budget: `burst` calls, refilled one per `period`
    /// (tests use it to refill the budget between refreshes without waiting).
    pub fn with_status_budget(mut self, burst: u32, period: Duration) -> AwsBackend {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        if let Some(quota) = Quota::with_period(period) {
            self.health_status_budget =
                std::sync::Arc::new(RateLimiter::direct(quota.allow_burst(burst)));
        }
        self
    }

    /// A Route 53 API call: the control plane lives in the control region.
    fn route53_op<'a>(&'a self, api: &'a str) -> Operation<'a> {
        Operation {
            service: errors::ROUTE_53,
            api,
            region: &self.config.aws.control_region,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The profile `api`'s credentials come from and the role they assume (named in the fix
    /// for expired credentials).
    fn login(&self, api: AwsApi) -> errors::Login<'_> {
        let table = self.config.aws.apis.get(&api);
        errors::Login {
            profile: table.and_then(|t| t.profile.as_deref()).or(self
                .config
                .aws
                .profile
                .as_deref()),
            role: table.and_then(|t| t.role_arn.as_deref()),
        }
    }

    fn region(&self, region: &str) -> Result<&RegionClients, SourceError> {
        self.regions.get(region).ok_or_else(|| {
            SourceError::new(
                ErrorKind::Other,
                format!("no clients for region {region} (not in the config)"),
            )
        })
    }

    pub fn label(&self) -> String {
        match &self.config.aws.profile {
            Some(p) => format!("aws: profile {p}"),
            None => "aws".to_string(),
        }
    }

    pub fn services(&self) -> Vec<Service> {
        self.config.services.iter().map(service).collect()
    }

    /// Health for every service from the control region; the rest per region; pipelines in
    /// their own region.
    pub fn schedule(&self) -> Vec<SourceSpec> {
        let refresh = &self.config.refresh;
        let mut specs: Vec<SourceSpec> = Vec::new();
        let mut add =
            |kind: SourceKind, region: &str, interval: Duration, cover: (String, String)| {
                let key = SourceKey::new(kind, region);
                match specs.iter_mut().find(|s| s.key == key) {
                    Some(spec) => spec.covers.push(cover),
                    None => specs.push(SourceSpec {
                        key,
                        interval,
                        timeout: FETCH_TIMEOUT,
                        covers: vec![cover],
                    }),
                }
            };
        let control = self.config.aws.control_region.clone();
        for s in &self.config.services {
            for r in &s.regions {
                let cover = (s.name.clone(), r.clone());
                add(SourceKind::Health, &control, refresh.health, cover.clone());
                add(SourceKind::Lambda, r, refresh.lambda, cover.clone());
                add(SourceKind::Domains, r, refresh.domains, cover.clone());
                if s.failover.mechanism == Mechanism::Arc {
                    // Read from the cluster endpoints (data plane), as often as health.
                    add(SourceKind::RoutingControl, r, refresh.health, cover.clone());
                }
                if s.artifacts.is_some() {
                    add(SourceKind::Replication, r, refresh.replication, cover);
                }
            }
            // DNS truth where there is someone to ask: `[dns] nameservers`, or the zones'
            // delegation sets against AWS itself (an emulator serves no DNS).
            if self.dns_servers.delegation_lookup || !self.config.dns.nameservers.is_empty() {
                add(
                    SourceKind::Dns,
                    DNS_REGION,
                    refresh.dns,
                    (s.name.clone(), s.primary_region().to_string()),
                );
            }
            // The team's bucket (`[team]`): one source for the team, covering each service
            // at its primary, where its freshness is looked up.
            if self.team.is_some() {
                add(
                    SourceKind::Team,
                    TEAM_REGION,
                    refresh.team,
                    (s.name.clone(), s.primary_region().to_string()),
                );
            }
            if let Some(p) = &s.pipeline {
                add(
                    SourceKind::Pipeline,
                    &p.region,
                    refresh.pipeline,
                    (s.name.clone(), p.region.clone()),
                );
            }
        }
        specs
    }

    /// A check's last failure per checker (GetHealthCheckLastFailureReason), on demand.
    pub async fn last_failure_reasons(
        &self,
        id: &str,
    ) -> Result<Vec<crate::model::CheckerObservation>, SourceError> {
        let group = self.for_checks(std::slice::from_ref(&id.to_string())).await;
        route53::last_failure_reasons(group, id).await
    }

    /// Health check flags read now: (id, inverted, disabled).
    pub async fn health_flags(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, bool, bool)>, SourceError> {
        health_config::flags(self.for_checks(ids).await, ids).await
    }

    /// One service's DNS truth, asked now of its zone's authoritative name servers.
    pub async fn dns_truth(
        &self,
        service: &str,
        now: Timestamp,
    ) -> Result<crate::model::DnsTruth, SourceError> {
        dns::truth(self.for_service(service), service, now).await
    }

    /// The caller's ARN (STS GetCallerIdentity) with the default credentials.
    pub async fn caller(&self) -> Result<String, SourceError> {
        sts::caller(self).await
    }

    /// Each credential set's caller, and the account pins it breaks.
    pub async fn callers(&self) -> Vec<crate::model::Caller> {
        if self.groups.is_empty() {
            sts::callers(self).await
        } else {
            groups::callers(self).await
        }
    }

    /// Why `calls` must not be sent: the caller of an API they use is not in the account its
    /// `account_id` pins, or cannot be told. `None`: no pin, or every pin holds.
    pub async fn account_refusal(
        &self,
        service: &str,
        calls: &[crate::source::Call],
    ) -> Option<String> {
        sts::account_refusal(self.for_service(service), service, calls).await
    }

    /// One source's data, the calls it took, and a part that failed, if any.
    pub async fn fetch(
        &self,
        key: &SourceKey,
        now: Timestamp,
    ) -> (Tally, Result<Payload, SourceError>) {
        if self.groups.is_empty() || key.kind == SourceKind::Team {
            self.fetch_own(key, now).await
        } else {
            groups::fetch(self, key, now).await
        }
    }

    /// `fetch` for this backend's own services.
    async fn fetch_own(
        &self,
        key: &SourceKey,
        now: Timestamp,
    ) -> (Tally, Result<Payload, SourceError>) {
        let mut tally = Tally::default();
        let result = match key.kind {
            SourceKind::Health => route53::fetch_health(self, now, &mut tally).await,
            SourceKind::Lambda => lambda::fetch(self, &key.region, now, &mut tally).await,
            SourceKind::Domains => apigateway::fetch(self, &key.region, &mut tally).await,
            SourceKind::Replication => s3::fetch(self, &key.region, now, &mut tally).await,
            SourceKind::Pipeline => codepipeline::fetch(self, &key.region, &mut tally).await,
            SourceKind::RoutingControl => {
                act::fetch_routing_controls(self, &key.region, &mut tally).await
            }
            SourceKind::Dns => dns::fetch(self, now, &mut tally).await,
            SourceKind::Team => self.fetch_team(now, &mut tally).await,
        };
        (tally, result)
    }

    /// The `team` source: `TeamStore::view` of the team's bucket, with the calls it made.
    async fn fetch_team(&self, now: Timestamp, tally: &mut Tally) -> Result<Payload, SourceError> {
        let Some(team) = self.team() else {
            return Err(SourceError::new(
                ErrorKind::Other,
                "no [team] bucket in the config: the team source has nothing to read",
            ));
        };
        let (view, calls) = team.view(now).await?;
        tally.calls += calls;
        Ok(Payload::Team(view))
    }

    /// The services with a presence in `region`.
    fn services_in<'a>(&'a self, region: &'a str) -> impl Iterator<Item = &'a ServiceConfig> + 'a {
        self.config
            .services
            .iter()
            .filter(move |s| s.regions.iter().any(|r| r == region))
    }
}

fn service(s: &ServiceConfig) -> Service {
    Service {
        name: s.name.clone(),
        domain: s.domain.clone(),
        regions: s.regions.clone(),
        functions: s.functions.clone(),
        regional_hostname: s.regional_hostname.clone(),
        pipeline: s.pipeline.as_ref().map(|p| p.name.clone()),
        artifact_source_region: s.artifacts.as_ref().map_or_else(
            || s.primary_region().to_string(),
            |a| a.source_region.clone(),
        ),
        pipeline_region: s
            .pipeline
            .as_ref()
            .map_or_else(|| s.primary_region().to_string(), |p| p.region.clone()),
        failover: match s.failover.mechanism {
            Mechanism::InvertHealthCheck => Failover::InvertHealthCheck,
            Mechanism::PinUnhealthy => Failover::PinUnhealthy,
            Mechanism::Arc => Failover::Arc {
                cluster_endpoints: s.failover.cluster_endpoints.clone(),
                routing_controls: s.failover.routing_controls.clone(),
            },
        },
    }
}

/// An SDK date-time as a chrono UTC time.
pub fn timestamp(t: &aws_smithy_types::DateTime) -> Option<Timestamp> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}
