//! Semantic checks on the raw model, turning it into a [`Config`]; every problem points at
//! the value that causes it.

use std::ops::Range;
use std::time::Duration;

use super::diagnostic::Problem;
use super::raw::{
    RawAws, RawConfig, RawDns, RawRefresh, RawTeam, RawThresholds, SpannedDuration, SpannedList,
    SpannedString,
};
use super::{AwsConfig, Config, DnsConfig, RefreshConfig, TeamConfig, Thresholds, service};

pub(super) fn validate(raw: RawConfig) -> Result<Config, Problem> {
    let mut check = Checker::default();
    let aws = aws(&mut check, &raw.aws);
    let refresh = refresh(&mut check, &raw.refresh);
    let thresholds = thresholds(&mut check, &raw.thresholds);
    let dns = dns(&mut check, &raw.dns);
    let team = raw.team.as_ref().map(|t| team(&mut check, t.get_ref()));
    // Reported at 1:1, so only when nothing more specific is wrong.
    if raw.service.is_empty() && check.problems.is_empty() {
        check.fail(
            0..0,
            "no services: add at least one [[service]] table with name, domain, hosted_zone_id, \
             regions and functions",
        );
    }
    let services = service::services(&mut check, &raw.service);
    super::accounts::check_service_pins(&mut check, &aws, &raw.service, &services);
    check.finish(Config {
        aws,
        read_only: raw.read_only.is_some_and(|read_only| *read_only.get_ref()),
        refresh,
        thresholds,
        dns,
        team,
        services,
    })
}

/// Collects problems so that the one reported is the first in the file, not the first checked.
#[derive(Default)]
pub(super) struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    pub fn fail(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push(Problem {
            offset: span.start,
            message: message.into(),
        });
    }

    fn finish<T>(self, value: T) -> Result<T, Problem> {
        match self
            .problems
            .into_iter()
            .min_by_key(|problem| problem.offset)
        {
            Some(problem) => Err(problem),
            None => Ok(value),
        }
    }

    /// A string that must not be empty or only whitespace.
    pub fn non_empty(&mut self, value: &SpannedString, what: &str, expected: &str) -> String {
        if value.get_ref().trim().is_empty() {
            self.fail(
                value.span(),
                format!("{what} is empty; expected {expected}"),
            );
        }
        value.get_ref().clone()
    }

    /// `what` ends in a verb: "`aws.control_region` is", "`regions` of service \"a\" has".
    pub fn region(&mut self, value: &SpannedString, what: &str) -> String {
        if !looks_like_region(value.get_ref()) {
            self.fail(
                value.span(),
                format!(
                    "{what} {:?}, which is not an AWS region name; expected one like \
                     \"us-east-1\" or \"us-gov-west-1\"",
                    value.get_ref()
                ),
            );
        }
        value.get_ref().clone()
    }

    /// A humantime duration greater than zero, or `default` when the key is absent.
    fn duration(
        &mut self,
        value: Option<&SpannedDuration>,
        what: &str,
        default: Duration,
    ) -> Duration {
        let Some(value) = value else {
            return default;
        };
        let text = &value.get_ref().0;
        match humantime::parse_duration(text) {
            Ok(duration) if duration.is_zero() => {
                self.fail(
                    value.span(),
                    format!(
                        "{what} is {text:?}, a zero duration; expected a duration greater than \
                         zero like \"15s\" or \"5m\""
                    ),
                );
                default
            }
            Ok(duration) => duration,
            Err(error) => {
                self.fail(
                    value.span(),
                    format!(
                        "invalid duration {text:?}: {error}; {what} expects a duration like \
                         \"15s\" or \"5m\""
                    ),
                );
                default
            }
        }
    }
}

/// `^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$`: us-east-1, us-gov-west-1, us-isob-east-1.
pub(super) fn looks_like_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let letters = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase());
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let partition = |part: &str| {
        part == "gov"
            || part
                .strip_prefix("iso")
                .is_some_and(|rest| rest.is_empty() || letters(rest))
    };
    match parts.as_slice() {
        [country, area, number] => {
            country.len() == 2 && letters(country) && letters(area) && digits(number)
        }
        [country, special, area, number] => {
            country.len() == 2
                && letters(country)
                && partition(special)
                && letters(area)
                && digits(number)
        }
        _ => false,
    }
}

fn aws(check: &mut Checker, raw: &RawAws) -> AwsConfig {
    let defaults = AwsConfig::default();
    let profile = raw.profile.as_ref().map(|profile| {
        if profile.get_ref().trim().is_empty() {
            check.fail(
                profile.span(),
                "`aws.profile` is empty; expected the name of a profile, or remove the key to \
                 use the standard credential chain",
            );
        }
        profile.get_ref().clone()
    });
    let endpoint_url = raw.endpoint_url.as_ref().map(|url| {
        let text = url.get_ref();
        if !(text.starts_with("http://") || text.starts_with("https://")) {
            check.fail(
                url.span(),
                format!(
                    "`aws.endpoint_url` is {text:?}; expected a URL starting with http:// or \
                     https://, e.g. \"http://127.0.0.1:5000\""
                ),
            );
        }
        text.clone()
    });
    let control_region = raw
        .control_region
        .as_ref()
        .map_or(defaults.control_region, |region| {
            check.region(region, "`aws.control_region` is")
        });
    let (account_id, apis) = super::accounts::check(check, raw);
    AwsConfig {
        profile,
        endpoint_url,
        control_region,
        account_id,
        apis,
    }
}

fn refresh(check: &mut Checker, raw: &RawRefresh) -> RefreshConfig {
    let defaults = RefreshConfig::default();
    RefreshConfig {
        health: check.duration(raw.health.as_ref(), "`refresh.health`", defaults.health),
        lambda: check.duration(raw.lambda.as_ref(), "`refresh.lambda`", defaults.lambda),
        replication: check.duration(
            raw.replication.as_ref(),
            "`refresh.replication`",
            defaults.replication,
        ),
        domains: check.duration(raw.domains.as_ref(), "`refresh.domains`", defaults.domains),
        pipeline: check.duration(
            raw.pipeline.as_ref(),
            "`refresh.pipeline`",
            defaults.pipeline,
        ),
        dns: check.duration(raw.dns.as_ref(), "`refresh.dns`", defaults.dns),
        team: check.duration(raw.team.as_ref(), "`refresh.team`", defaults.team),
    }
}

fn team(check: &mut Checker, raw: &RawTeam) -> TeamConfig {
    let bucket = check.non_empty(&raw.bucket, "`team.bucket`", "the name of an S3 bucket");
    let mut prefix = raw.prefix.as_ref().map_or_else(
        || TeamConfig::DEFAULT_PREFIX.to_string(),
        |p| p.get_ref().trim_start_matches('/').to_string(),
    );
    if !prefix.is_empty() && !prefix.ends_with('/') {
        prefix.push('/');
    }
    let region = raw
        .region
        .as_ref()
        .map(|region| check.region(region, "`team.region` is"));
    let lease = check.duration(
        raw.lease.as_ref(),
        "`team.lease`",
        TeamConfig::DEFAULT_LEASE,
    );
    if let Some(text) = &raw.lease
        && lease < std::time::Duration::from_secs(1)
    {
        check.fail(
            text.span(),
            "`team.lease` is under a second; S3 keeps time in whole seconds, so a lease needs \
             at least \"1s\" (the default is \"120s\")",
        );
    }
    TeamConfig {
        bucket,
        prefix,
        region,
        lease,
    }
}

fn dns(check: &mut Checker, raw: &RawDns) -> DnsConfig {
    let mut list = |value: Option<&SpannedList>, key: &str| -> Vec<String> {
        let Some(value) = value else {
            return Vec::new();
        };
        value
            .get_ref()
            .iter()
            .map(|entry| {
                if !looks_like_host_port(entry.get_ref()) {
                    check.fail(
                        entry.span(),
                        format!(
                            "`dns.{key}` has {:?}; expected host:port, e.g. \
                             \"ns-123.awsdns-45.com:53\", \"127.0.0.1:5353\" or \"[::1]:53\"",
                            entry.get_ref()
                        ),
                    );
                }
                entry.get_ref().clone()
            })
            .collect()
    };
    DnsConfig {
        nameservers: list(raw.nameservers.as_ref(), "nameservers"),
        resolvers: list(raw.resolvers.as_ref(), "resolvers"),
    }
}

/// `host:port` with a non-empty host (an IPv6 address in brackets) and a port from 1 to 65535.
pub(super) fn looks_like_host_port(text: &str) -> bool {
    let Some((host, port)) = text.rsplit_once(':') else {
        return false;
    };
    let port_ok = port.parse::<u16>().is_ok_and(|p| p > 0);
    let host_ok = match host.strip_prefix('[') {
        Some(inner) => inner
            .strip_suffix(']')
            .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok()),
        None => {
            !host.is_empty()
                && !host.contains(':')
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
        }
    };
    port_ok && host_ok
}

fn thresholds(check: &mut Checker, raw: &RawThresholds) -> Thresholds {
    let defaults = Thresholds::default();
    let mut percent = |value: Option<&toml::Spanned<f64>>, what: &str, default: f64| {
        let Some(value) = value else {
            return default;
        };
        let pct = *value.get_ref();
        if !(0.0..=100.0).contains(&pct) {
            check.fail(
                value.span(),
                format!("`thresholds.{what}` is {pct}; expected a percentage from 0 to 100"),
            );
        }
        pct
    };
    let warn_pct = percent(
        raw.error_rate_warn_pct.as_ref(),
        "error_rate_warn_pct",
        defaults.error_rate_warn_pct,
    );
    let crit_pct = percent(
        raw.error_rate_crit_pct.as_ref(),
        "error_rate_crit_pct",
        defaults.error_rate_crit_pct,
    );
    if warn_pct > crit_pct {
        out_of_order(
            check,
            raw.error_rate_warn_pct.as_ref().map(toml::Spanned::span),
            raw.error_rate_crit_pct.as_ref().map(toml::Spanned::span),
            format!(
                "`thresholds.error_rate_warn_pct` ({warn_pct}) is above \
                 `thresholds.error_rate_crit_pct` ({crit_pct}); expected warn <= crit"
            ),
        );
    }
    let problems_before = check.problems.len();
    let lag_warn = check.duration(
        raw.replication_lag_warn.as_ref(),
        "`thresholds.replication_lag_warn`",
        defaults.replication_lag_warn,
    );
    let lag_crit = check.duration(
        raw.replication_lag_crit.as_ref(),
        "`thresholds.replication_lag_crit`",
        defaults.replication_lag_crit,
    );
    // Compare only durations that parsed: a bad one has been replaced by its default.
    if check.problems.len() == problems_before && lag_warn > lag_crit {
        out_of_order(
            check,
            raw.replication_lag_warn.as_ref().map(toml::Spanned::span),
            raw.replication_lag_crit.as_ref().map(toml::Spanned::span),
            format!(
                "`thresholds.replication_lag_warn` ({}) is longer than \
                 `thresholds.replication_lag_crit` ({}); expected warn <= crit",
                humantime::format_duration(lag_warn),
                humantime::format_duration(lag_crit)
            ),
        );
    }
    Thresholds {
        error_rate_warn_pct: warn_pct,
        error_rate_crit_pct: crit_pct,
        replication_lag_warn: lag_warn,
        replication_lag_crit: lag_crit,
    }
}

/// A warning level above its critical level: point at the warning level if the file sets it,
/// else at the critical level (one of the two is set, or the defaults would be out of order).
fn out_of_order(
    check: &mut Checker,
    warn: Option<Range<usize>>,
    crit: Option<Range<usize>>,
    message: String,
) {
    if let Some(span) = warn.or(crit) {
        check.fail(span, message);
    }
}
