//! The `switchyard.toml` model and its loading: parse (with spans), validate with
//! `file:line:column` errors, then apply environment overrides.

mod accounts;
mod credentials;
mod diagnostic;
mod env;
mod failover;
mod raw;
mod service;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use accounts::caller_account;
pub use credentials::{ApiAccess, AwsApi, Credentials};

pub const DEFAULT_FILE_NAME: &str = "switchyard.toml";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub aws: AwsConfig,
    /// Refuse every mutating call; the environment can turn this on but never off.
    pub read_only: bool,
    pub refresh: RefreshConfig,
    pub thresholds: Thresholds,
    /// `[dns]`: where DNS truth is asked (README, "Against AWS").
    pub dns: DnsConfig,
    /// `[team]`: the shared S3 bucket for the team lease and audit trail (README, "Working as
    /// a team"); `None`, the local lock and log only.
    pub team: Option<TeamConfig>,
    /// `[[service]]` tables, in file order.
    pub services: Vec<ServiceConfig>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AwsConfig {
    /// `None` means the standard credential chain.
    pub profile: Option<String>,
    /// An emulator such as moto; `AWS_ENDPOINT_URL` is honoured by the SDK itself.
    pub endpoint_url: Option<String>,
    /// Where Route 53 and its CloudWatch metrics live (`us-gov-west-1` in GovCloud).
    pub control_region: String,
    /// `[aws] account_id`: the account every API's caller must be in, unless its own table
    /// pins another (README, "Several accounts").
    pub account_id: Option<String>,
    /// `[aws.route53]`, `[aws.lambda]`, …: the credentials and account of one API's resources
    /// for every service; an API without a table uses `[aws]`'s.
    pub apis: BTreeMap<AwsApi, ApiAccess>,
}

impl Default for AwsConfig {
    fn default() -> Self {
        Self {
            profile: None,
            endpoint_url: None,
            control_region: "us-east-1".to_owned(),
            account_id: None,
            apis: BTreeMap::new(),
        }
    }
}

/// How long each source waits between fetches.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshConfig {
    pub health: Duration,
    pub lambda: Duration,
    pub replication: Duration,
    pub domains: Duration,
    pub pipeline: Duration,
    /// The `dns` source: what the authoritative name servers answer for each shared name.
    pub dns: Duration,
    /// The `team` source: the team's leases and recent audit records.
    pub team: Duration,
}

impl Default for RefreshConfig {
    fn default() -> Self {
        Self {
            health: Duration::from_secs(15),
            lambda: Duration::from_secs(60),
            replication: Duration::from_secs(30),
            domains: Duration::from_secs(5 * 60),
            pipeline: Duration::from_secs(20),
            dns: Duration::from_secs(15),
            team: Duration::from_secs(10),
        }
    }
}

/// `[dns]`: name servers to ask instead of each hosted zone's delegation set, and recursive
/// resolvers to ask too. Entries are `host:port` (`[::1]:53` for IPv6).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DnsConfig {
    pub nameservers: Vec<String>,
    pub resolvers: Vec<String>,
}

/// `[team]`: where the team's leases (`PREFIX/locks/SERVICE.json`) and audit records
/// (`PREFIX/audit/YYYY/MM/DD/ID-PHASE.json`) live.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamConfig {
    pub bucket: String,
    /// Ends with `/` (added when missing); default `switchyard/`.
    pub prefix: String,
    /// The bucket's region; default the control region.
    pub region: Option<String>,
    /// How long a lease lasts without renewal (renewed every third of it); default 120 s.
    pub lease: Duration,
}

impl TeamConfig {
    pub const DEFAULT_PREFIX: &str = "switchyard/";
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(120);

    pub fn new(bucket: impl Into<String>) -> Self {
        TeamConfig {
            bucket: bucket.into(),
            prefix: Self::DEFAULT_PREFIX.to_string(),
            region: None,
            lease: Self::DEFAULT_LEASE,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub error_rate_warn_pct: f64,
    pub error_rate_crit_pct: f64,
    pub replication_lag_warn: Duration,
    pub replication_lag_crit: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            error_rate_warn_pct: 1.0,
            error_rate_crit_pct: 5.0,
            replication_lag_warn: Duration::from_secs(5 * 60),
            replication_lag_crit: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceConfig {
    pub name: String,
    /// The shared hostname that Route 53 fails over, e.g. `sample.fed.dev`.
    pub domain: String,
    pub hosted_zone_id: String,
    /// Distinct AWS regions; the first is the primary.
    pub regions: Vec<String>,
    /// Template with `{region}` and optionally `{domain}`; see [`Self::regional_hostname_for`].
    pub regional_hostname: String,
    /// Lambda function names, the same in every region.
    pub functions: Vec<String>,
    /// Function name -> the alias or version whose code to compare (`"NAME:QUALIFIER"` in
    /// `functions`); it wins over the qualifier the API Gateway integrations name.
    pub qualifiers: BTreeMap<String, String>,
    /// Region -> Route 53 health check id; regions left out are found from the failover records.
    pub health_checks: BTreeMap<String, String>,
    pub artifacts: Option<ArtifactsConfig>,
    pub pipeline: Option<PipelineConfig>,
    pub failover: FailoverConfig,
    /// `account_id`: the account this service's calls must act in, for the APIs whose
    /// `[aws.API]` table pins none (README, "Several accounts").
    pub account_id: Option<String>,
    /// `profile` and `role_arn`: the credentials of this service's calls, for the APIs whose
    /// `[aws.API]` table names none (README, "Several accounts").
    pub profile: Option<String>,
    pub role_arn: Option<String>,
}

impl ServiceConfig {
    pub fn primary_region(&self) -> &str {
        // Validation guarantees at least one region; "" only for hand-built values.
        self.regions.first().map_or("", String::as_str)
    }

    pub fn regional_hostname_for(&self, region: &str) -> String {
        self.regional_hostname
            .replace("{region}", region)
            .replace("{domain}", &self.domain)
    }

    /// Whether the service calls `api` at all: S3 only with artifacts, CodePipeline only with a
    /// pipeline.
    pub fn uses(&self, api: AwsApi) -> bool {
        match api {
            AwsApi::S3 => self.artifacts.is_some(),
            AwsApi::CodePipeline => self.pipeline.is_some(),
            AwsApi::Route53 | AwsApi::Lambda | AwsApi::ApiGateway => true,
        }
    }

    /// Whether the service names credentials of its own (`profile` or `role_arn`).
    pub fn has_credentials(&self) -> bool {
        self.profile.is_some() || self.role_arn.is_some()
    }

    pub fn is_primary(&self, region: &str) -> bool {
        self.regions
            .first()
            .is_some_and(|primary| primary == region)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactsConfig {
    /// Template with `{region}`: S3 bucket names are global, so each region's replica differs.
    pub bucket: String,
    pub prefix: String,
    /// Where builds are uploaded and replicated from; defaults to the primary region.
    pub source_region: String,
    /// How many of the newest objects under the prefix to track.
    pub latest: usize,
}

impl ArtifactsConfig {
    pub fn bucket_for(&self, region: &str) -> String {
        self.bucket.replace("{region}", region)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PipelineConfig {
    pub name: String,
    /// Defaults to the primary region.
    pub region: String,
    /// `None` means the first manual approval action found in the pipeline.
    pub approval_action: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FailoverConfig {
    pub mechanism: Mechanism,
    /// ARC cluster endpoints (https URLs), tried in turn; empty unless `mechanism = "arc"`.
    pub cluster_endpoints: Vec<String>,
    /// Region -> routing control ARN; covers every region when `mechanism = "arc"`.
    pub routing_controls: BTreeMap<String, String>,
}

impl Default for FailoverConfig {
    fn default() -> Self {
        Self {
            mechanism: Mechanism::InvertHealthCheck,
            cluster_endpoints: Vec::new(),
            routing_controls: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// `"invert-health-check"`: invert the serving region's health check so Route 53 moves.
    InvertHealthCheck,
    /// `"pin-unhealthy"`: Disabled and Inverted on the regions ahead of the target (always
    /// unhealthy, whatever the checkers see).
    PinUnhealthy,
    /// `"arc"`: Route 53 Application Recovery Controller routing controls.
    Arc,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("no config file: looked for {}", .looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NotFound { looked: Vec<PathBuf> },
}

impl Config {
    /// Parse and validate TOML text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |problem: diagnostic::Problem| {
            let (line, column) = diagnostic::line_column(text, problem.offset);
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message: problem.message,
            }
        };
        let raw = diagnostic::deserialize(text).map_err(invalid)?;
        validate::validate(raw).map_err(invalid)
    }

    /// Read the file, parse, validate, then apply env overrides from the real environment.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Self::parse(&text, path)?;
        config.apply_env(|name| std::env::var(name).ok());
        Ok(config)
    }

    /// Apply env overrides from a lookup function (testable). Empty values count as unset.
    /// `SWITCHYARD_PROFILE` (or `AWS_PROFILE` if the file sets none) -> `aws.profile`;
    /// `SWITCHYARD_ENDPOINT_URL` -> `aws.endpoint_url`; `SWITCHYARD_CONTROL_REGION` ->
    /// `aws.control_region`; `SWITCHYARD_READ_ONLY=1|true|yes` -> `read_only = true`.
    /// `AWS_ENDPOINT_URL` is honoured later by the AWS SDK itself, so it is not copied.
    pub fn apply_env(&mut self, lookup: impl Fn(&str) -> Option<String>) {
        env::apply(self, lookup);
    }

    /// Where to look when `--config` is not given: `./switchyard.toml`, then
    /// `$XDG_CONFIG_HOME/switchyard/switchyard.toml` (or `~/.config/...`). Returns the first
    /// that exists, or `NotFound` listing what was looked at.
    pub fn default_path() -> Result<PathBuf, ConfigError> {
        let looked = env::candidates(|name| std::env::var_os(name));
        match looked.iter().find(|path| path.is_file()) {
            Some(found) => Ok(found.clone()),
            None => Err(ConfigError::NotFound { looked }),
        }
    }
}
