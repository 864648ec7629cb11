//! The config file as written: serde structs that keep every value's span so that validation
//! can point at the offending line and column.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

pub(super) type SpannedString = Spanned<String>;
pub(super) type SpannedList = Spanned<Vec<SpannedString>>;
pub(super) type SpannedMap = Spanned<BTreeMap<SpannedString, SpannedString>>;
pub(super) type SpannedDuration = Spanned<DurationText>;

/// A humantime duration as written ("15s"). It is parsed during validation so that a bad one
/// is quoted in the error; its own type makes `health = 15` say a duration is expected.
#[derive(Debug)]
pub(super) struct DurationText(pub String);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DurationText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration string like \"15s\" or \"5m\"")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DurationText, E> {
                Ok(DurationText(text.to_owned()))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a TOML document")]
pub(super) struct RawConfig {
    #[serde(default)]
    pub aws: RawAws,
    pub read_only: Option<Spanned<bool>>,
    #[serde(default)]
    pub refresh: RawRefresh,
    #[serde(default)]
    pub thresholds: RawThresholds,
    #[serde(default)]
    pub dns: RawDns,
    pub team: Option<Spanned<RawTeam>>,
    #[serde(default)]
    pub service: Vec<Spanned<RawService>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an [aws] table")]
pub(super) struct RawAws {
    pub profile: Option<SpannedString>,
    pub endpoint_url: Option<SpannedString>,
    pub control_region: Option<SpannedString>,
    pub account_id: Option<SpannedString>,
    /// `[aws.route53]`, `[aws.lambda]`, …: where that API's resources live (README, "Several
    /// accounts").
    pub route53: Option<Spanned<RawAccess>>,
    pub lambda: Option<Spanned<RawAccess>>,
    pub s3: Option<Spanned<RawAccess>>,
    pub apigateway: Option<Spanned<RawAccess>>,
    pub codepipeline: Option<Spanned<RawAccess>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an [aws.API] table with profile, role_arn or account_id"
)]
pub(super) struct RawAccess {
    pub profile: Option<SpannedString>,
    pub role_arn: Option<SpannedString>,
    pub account_id: Option<SpannedString>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [refresh] table of durations")]
pub(super) struct RawRefresh {
    pub health: Option<SpannedDuration>,
    pub lambda: Option<SpannedDuration>,
    pub replication: Option<SpannedDuration>,
    pub domains: Option<SpannedDuration>,
    pub pipeline: Option<SpannedDuration>,
    pub dns: Option<SpannedDuration>,
    pub team: Option<SpannedDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [team] table with bucket")]
pub(super) struct RawTeam {
    pub bucket: SpannedString,
    pub prefix: Option<SpannedString>,
    pub region: Option<SpannedString>,
    pub lease: Option<SpannedDuration>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [dns] table")]
pub(super) struct RawDns {
    pub nameservers: Option<SpannedList>,
    pub resolvers: Option<SpannedList>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [thresholds] table")]
pub(super) struct RawThresholds {
    pub error_rate_warn_pct: Option<Spanned<f64>>,
    pub error_rate_crit_pct: Option<Spanned<f64>>,
    pub replication_lag_warn: Option<SpannedDuration>,
    pub replication_lag_crit: Option<SpannedDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[service]] table")]
pub(super) struct RawService {
    pub name: SpannedString,
    pub domain: SpannedString,
    pub hosted_zone_id: SpannedString,
    pub regions: SpannedList,
    pub regional_hostname: Option<SpannedString>,
    pub functions: SpannedList,
    pub health_checks: Option<SpannedMap>,
    pub artifacts: Option<Spanned<RawArtifacts>>,
    pub pipeline: Option<Spanned<RawPipeline>>,
    pub failover: Option<Spanned<RawFailover>>,
    /// The account the service's resources must be read and acted on in (README, "Several
    /// accounts").
    pub account_id: Option<SpannedString>,
    /// The profile and the role the service's calls are made with, for the APIs whose
    /// `[aws.API]` table names no credentials (README, "Several accounts").
    pub profile: Option<SpannedString>,
    pub role_arn: Option<SpannedString>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [service.artifacts] table")]
pub(super) struct RawArtifacts {
    pub bucket: SpannedString,
    pub prefix: Option<SpannedString>,
    pub source_region: Option<SpannedString>,
    /// Signed so that `latest = 0` and `latest = -1` get the same clear message.
    pub latest: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [service.pipeline] table")]
pub(super) struct RawPipeline {
    pub name: SpannedString,
    pub region: Option<SpannedString>,
    pub approval_action: Option<SpannedString>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [service.failover] table")]
pub(super) struct RawFailover {
    /// A string rather than an enum so that a typo gets our message, not serde's.
    pub mechanism: Option<SpannedString>,
    pub cluster_endpoints: Option<SpannedList>,
    pub routing_controls: Option<SpannedMap>,
}
