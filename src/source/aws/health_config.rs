//! Route 53 health check configurations (Inverted, Disabled, HealthCheckVersion, checker
//! regions, type), read with GetHealthCheck per check or with ListHealthChecks pages, whichever
//! costs fewer calls.
//!
//! A ListHealthChecks page holds up to 1,000 checks (API reference, ListHealthChecks
//! `MaxItems`), so for most accounts one call reads what GetHealthCheck needs a call per check
//! for. But the listing reads every check of the account: in an account with several thousand
//! checks, finding a few of them may take more pages than there are checks to read. The rule:
//!
//! - Under [`LIST_FROM`] checks, GetHealthCheck per check: at most three calls a refresh, made
//!   concurrently (one round trip where a listing may take several in turn), reading a few KB
//!   where a listing page can be most of a megabyte.
//! - From [`LIST_FROM`] checks, a listing of at most `checks − 1` pages (beyond that it could not
//!   cost fewer calls), stopping once every wanted check is found. The pages it took are
//!   remembered: while they are no fewer than the checks wanted, GetHealthCheck per check is
//!   used without listing again (the account is large); a fleet that grows past them lists
//!   again.
//! - A check the listing did not give (deleted, created since, or beyond the pages read) is read
//!   with GetHealthCheck: its answer (NoSuchHealthCheck, say) is that check's error, as before.
//! - A listing refused (AccessDenied: a read-only policy written before switchyard listed checks
//!   grants only route53:GetHealthCheck) or not understood is not tried again; GetHealthCheck
//!   per check is used instead, which works as before. A listing that is throttled or times out
//!   fails the checks it was to read, as GetHealthCheck calls would (more calls would not help).

use super::errors::fail;
use super::pages::{self, Page};
use super::{AwsBackend, FAN_OUT, Tally};
use crate::config::AwsApi;
use crate::model::{CheckKind, CheckSettings};
use crate::source::{ErrorKind, SourceError};
use aws_sdk_route53::types::{HealthCheck, HealthCheckType};
use futures::stream::{self, StreamExt};
use std::collections::HashMap;
use std::sync::PoisonError;

/// From this many checks a listing may cost fewer calls than GetHealthCheck per check.
pub const LIST_FROM: usize = 4;
/// ListHealthChecks' largest page (API reference, ListHealthChecks `MaxItems`).
const PAGE_SIZE: i32 = 1000;

/// Configuration and flags of one health check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckConfig {
    pub inverted: bool,
    pub disabled: bool,
    pub version: Option<i64>,
    pub regions: Vec<String>,
    pub kind: CheckKind,
    pub settings: CheckSettings,
}

/// What the account's listing is known to cost, from the last one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Listing {
    #[default]
    Untried,
    /// The pages the last listing took to find every check it looked for (at least that many
    /// when it stopped at its page limit first).
    Pages(u32),
    /// Refused or not understood: not tried again.
    Unusable,
}

/// The pages a listing may take for `checks` checks, or `None` to use GetHealthCheck per check.
fn page_budget(checks: usize, known: Listing) -> Option<usize> {
    if checks < LIST_FROM {
        return None;
    }
    match known {
        Listing::Unusable => None,
        Listing::Pages(pages) if pages as usize >= checks => None,
        Listing::Untried | Listing::Pages(_) => Some(checks - 1),
    }
}

fn config_of(check: &HealthCheck) -> CheckConfig {
    let config = check.health_check_config();
    let kind = match config.map(|c| c.r#type()) {
        Some(HealthCheckType::Calculated) => CheckKind::Calculated,
        Some(HealthCheckType::CloudwatchMetric) => CheckKind::CloudwatchMetric,
        Some(HealthCheckType::RecoveryControl) => CheckKind::RecoveryControl,
        Some(other) => CheckKind::Endpoint(other.as_str().to_string()),
        None => CheckKind::Unknown,
    };
    CheckConfig {
        kind,
        settings: CheckSettings {
            target: config.and_then(|c| {
                c.fully_qualified_domain_name()
                    .or(c.ip_address())
                    .map(str::to_string)
            }),
            port: config.and_then(|c| c.port()),
            resource_path: config.and_then(|c| c.resource_path()).map(str::to_string),
            request_interval_s: config.and_then(|c| c.request_interval()),
            failure_threshold: config.and_then(|c| c.failure_threshold()),
        },
        inverted: config.and_then(|c| c.inverted()).unwrap_or(false),
        disabled: config.and_then(|c| c.disabled()).unwrap_or(false),
        version: Some(check.health_check_version()),
        regions: config
            .map(|c| c.regions().iter().map(|r| r.as_str().to_string()).collect())
            .unwrap_or_default(),
    }
}

/// The configuration of each check in `ids`, in that order (one error does not hide the others).
pub async fn read(
    b: &AwsBackend,
    ids: &[String],
    tally: &mut Tally,
) -> Vec<Result<CheckConfig, SourceError>> {
    let mut wanted: Vec<&str> = Vec::new();
    for id in ids {
        if !wanted.contains(&id.as_str()) {
            wanted.push(id);
        }
    }
    let known = *b
        .health_listing
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let mut read: HashMap<String, Result<CheckConfig, SourceError>> = HashMap::new();
    if let Some(budget) = page_budget(wanted.len(), known) {
        match list(b, &wanted, budget, tally).await {
            Ok((found, learned)) => {
                read.extend(found.into_iter().map(|(id, c)| (id, Ok(c))));
                set_listing(b, learned);
            }
            Err(e) if matches!(e.kind, ErrorKind::AccessDenied | ErrorKind::Other) => {
                tracing::warn!(error = %e, "ListHealthChecks unusable: GetHealthCheck per check");
                set_listing(b, Listing::Unusable);
            }
            Err(e) => {
                read.extend(wanted.iter().map(|id| (id.to_string(), Err(e.clone()))));
            }
        }
    }
    let rest: Vec<&str> = wanted
        .into_iter()
        .filter(|id| !read.contains_key(*id))
        .collect();
    tally.count_n(b.route53_op("GetHealthCheck"), rest.len() as u32);
    let pending: Vec<_> = rest
        .iter()
        .map(|id| async move { (id.to_string(), get(b, id).await) })
        .collect();
    let got: Vec<_> = stream::iter(pending).buffered(FAN_OUT).collect().await;
    read.extend(got);
    ids.iter()
        .map(|id| {
            read.get(id).cloned().unwrap_or_else(|| {
                Err(SourceError::new(
                    ErrorKind::Other,
                    format!("health check {id} was not read"),
                ))
            })
        })
        .collect()
}

fn set_listing(b: &AwsBackend, learned: Listing) {
    *b.health_listing
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = learned;
}

/// ListHealthChecks pages until every wanted check is found or `budget` pages are read: the
/// checks found, and what the listing cost.
async fn list(
    b: &AwsBackend,
    wanted: &[&str],
    budget: usize,
    tally: &mut Tally,
) -> Result<(Vec<(String, CheckConfig)>, Listing), SourceError> {
    let op = b.route53_op("ListHealthChecks");
    let profile = b.login(AwsApi::Route53);
    let all_found = |found: &[(String, CheckConfig)]| {
        wanted.iter().all(|w| found.iter().any(|(id, _)| id == w))
    };
    let listing = pages::read(
        tally,
        op,
        budget,
        |marker| {
            let request = b
                .route53
                .list_health_checks()
                .max_items(PAGE_SIZE)
                .set_marker(marker)
                .customize()
                .config_override(b.route53_read());
            async move {
                let page = request.send().await.map_err(fail(op, profile));
                b.route53_read_ended(&page);
                let page = page?;
                Ok(Page {
                    items: page
                        .health_checks()
                        .iter()
                        .filter(|h| wanted.contains(&h.id()))
                        .map(|h| (h.id().to_string(), config_of(h)))
                        .collect(),
                    next: page
                        .is_truncated()
                        .then(|| pages::token(page.next_marker()))
                        .flatten(),
                })
            }
        },
        all_found,
    )
    .await?;
    let pages = if listing.cut && !all_found(&listing.items) {
        listing.pages + 1
    } else {
        listing.pages
    };
    Ok((listing.items, Listing::Pages(pages)))
}

/// GetHealthCheck (the caller counts the call).
async fn get(b: &AwsBackend, id: &str) -> Result<CheckConfig, SourceError> {
    let op = b.route53_op("GetHealthCheck");
    let out = b
        .route53
        .get_health_check()
        .health_check_id(id)
        .customize()
        .config_override(b.route53_read())
        .send()
        .await
        .map_err(fail(op, b.login(AwsApi::Route53)));
    b.route53_read_ended(&out);
    let out = out?;
    Ok(out.health_check().map_or_else(
        || CheckConfig {
            inverted: false,
            disabled: false,
            version: None,
            regions: Vec::new(),
            kind: CheckKind::Unknown,
            settings: CheckSettings::default(),
        },
        config_of,
    ))
}

/// The Inverted and Disabled flags of these checks, read now (never from an earlier read; not
/// rationed like GetHealthCheckStatus): (id, inverted, disabled).
pub async fn flags(
    b: &AwsBackend,
    ids: &[String],
) -> Result<Vec<(String, bool, bool)>, SourceError> {
    let read = read(b, ids, &mut Tally::default()).await;
    ids.iter()
        .zip(read)
        .map(|(id, c)| c.map(|c| (id.clone(), c.inverted, c.disabled)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_is_used_from_four_checks_while_it_costs_fewer_calls() {
        let cases = [
            (1, Listing::Untried, None),
            (3, Listing::Untried, None),
            (3, Listing::Pages(1), None),
            (4, Listing::Untried, Some(3)),
            (4, Listing::Pages(1), Some(3)),
            (4, Listing::Pages(3), Some(3)),
            (4, Listing::Pages(4), None),
            (40, Listing::Pages(4), Some(39)),
            (40, Listing::Unusable, None),
        ];
        for (checks, known, budget) in cases {
            assert_eq!(page_budget(checks, known), budget, "{checks} {known:?}");
        }
    }
}
