//! What serves requests: API Gateway custom domains and their DNS records, and Lambda functions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKind {
    /// API Gateway v1 (REST) custom domain with base path mappings.
    Rest,
    /// API Gateway v2 custom domain with API mappings.
    Http,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainMapping {
    /// "" is the root mapping.
    pub path: String,
    pub api_id: String,
    pub stage: String,
}

/// One custom domain in one region, joined with the Route 53 record that points at it.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainInfo {
    pub name: String,
    pub api: ApiKind,
    /// The domain's regional target today (`d-xxxx.execute-api.REGION.amazonaws.com`).
    pub regional_target: Option<String>,
    /// Where the Route 53 record for this name in this region points; `None` if no record.
    pub dns_target: Option<String>,
    /// Whether the hosted zone's records were read: when they could not be (the Route 53 API
    /// failing), `dns_target` says nothing and drift is unknown.
    pub dns_read: bool,
    pub mappings: Vec<DomainMapping>,
}

impl DomainInfo {
    /// Whether the record leads to the domain's current target: `None` when the records could
    /// not be read (unknown, never "ok").
    pub fn drift_known(&self) -> Option<bool> {
        self.dns_read.then(|| self.drift())
    }

    /// The record does not lead to the domain's current target: requests to it fail. (False
    /// when the records could not be read: see [`DomainInfo::drift_known`].)
    pub fn drift(&self) -> bool {
        if !self.dns_read {
            return false;
        }
        match (&self.regional_target, &self.dns_target) {
            (Some(target), Some(dns)) => !same_host(target, dns),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

fn same_host(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// The instruction set a function runs on (GetFunctionConfiguration `Architectures`): it sets
/// the price of its compute time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Architecture {
    /// Lambda's default when a function names none.
    #[default]
    #[serde(rename = "x86_64")]
    X86_64,
    #[serde(rename = "arm64")]
    Arm64,
}

impl Architecture {
    /// Lambda's own name for it.
    pub fn label(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// Where the qualifier of the code compared across regions came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QualifierSource {
    /// The function's `qualifier` in the config (it wins over the integrations).
    Config,
    /// The API Gateway integration that invokes the function names an alias or version.
    Integration,
    /// The integrations were read and name the function without a qualifier (or not at all):
    /// the unqualified function, `$LATEST`, is what runs.
    Unqualified,
    /// The integrations could not be read: the code shown is `$LATEST`'s, which may not be
    /// what API Gateway invokes.
    Unknown,
}

/// One function in one region over a metrics window.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunctionStats {
    pub name: String,
    /// Length of the window the counts cover, in seconds.
    pub window_s: u64,
    /// The end of that window: the start of the minute the fetch ran in, so that the counts
    /// cover complete minutes only (`None` without metrics).
    pub window_end: Option<super::Timestamp>,
    pub invocations: Option<u64>,
    pub errors: Option<u64>,
    pub throttles: Option<u64>,
    pub p99_ms: Option<f64>,
    pub avg_ms: Option<f64>,
    pub concurrent: Option<u64>,
    pub memory_mb: Option<u32>,
    /// From the invoked version's configuration, like the memory (`None`: not read).
    pub architecture: Option<Architecture>,
    pub code_sha256: Option<String>,
    /// The alias or version whose configuration and code these are (`None`: the unqualified
    /// function, `$LATEST`), and where that came from (`None`: not read).
    pub qualifier: Option<String>,
    pub qualifier_source: Option<QualifierSource>,
    /// Error rate per minute, oldest first; `None` for minutes with no invocations.
    pub error_rate_history: Vec<Option<f64>>,
}
