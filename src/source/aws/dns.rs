//! The `dns` source against AWS: each hosted zone's authoritative name servers (from `[dns]
//! nameservers`, else the zone's delegation set: Route 53 API reference, GetHostedZone,
//! `DelegationSet.NameServers`), read once and kept, so DNS truth keeps working when the Route 53
//! API is down; then `source::dns` asks them.

use super::errors::fail;
use super::{AwsBackend, Tally};
use crate::config::AwsApi;
use crate::config::ServiceConfig;
use crate::model::{DnsTruth, Timestamp};
use crate::source::dns::{self, DnsQuestion, NameServer};
use crate::source::{DNS_REGION, Payload, SourceError};
use std::collections::BTreeMap;

/// Name servers by hosted zone ID (`""`: the configured ones, for every zone). Only successful
/// reads are kept: a failed GetHostedZone is asked again at the next fetch.
#[derive(Default)]
pub(super) struct NameServerCache {
    servers: tokio::sync::Mutex<BTreeMap<String, Vec<NameServer>>>,
    /// Whether a zone's delegation set (GetHostedZone) is read and its name servers' names
    /// resolved by the system's resolver: only against AWS itself. An emulator's or a test's
    /// delegation set names no real server (`[dns] nameservers` says where to ask instead).
    pub(super) delegation_lookup: bool,
}

pub(super) async fn fetch(
    b: &AwsBackend,
    now: Timestamp,
    tally: &mut Tally,
) -> Result<Payload, SourceError> {
    let resolvers = resolvers(b).await;
    let mut questions = Vec::new();
    for s in &b.config.services {
        let nameservers = nameservers(b, &s.hosted_zone_id, tally).await;
        questions.push(question(s, nameservers, resolvers.clone()));
    }
    let entries = dns::ask_all(&questions, DNS_REGION, now).await;
    // A service whose name servers all failed: the source's partial error (`sources[]`), while
    // the other services' answers arrive.
    if let Some(failed) = entries.iter().find(|e| e.value.error.is_some()) {
        tally.partial(SourceError::new(
            crate::source::ErrorKind::Unavailable,
            format!(
                "DNS for {} ({}): {}",
                failed.value.name,
                failed.service,
                failed.value.error.as_deref().unwrap_or_default()
            ),
        ));
    }
    Ok(Payload::Dns(entries))
}

/// One service's DNS truth now (for verification after a failover).
pub(super) async fn truth(
    b: &AwsBackend,
    service: &str,
    now: Timestamp,
) -> Result<DnsTruth, SourceError> {
    let Some(s) = b.config.services.iter().find(|s| s.name == service) else {
        return Err(SourceError::new(
            crate::source::ErrorKind::Other,
            format!("no service {service} in the config"),
        ));
    };
    let mut tally = Tally::default();
    let nameservers = nameservers(b, &s.hosted_zone_id, &mut tally).await;
    Ok(dns::ask(&question(s, nameservers, resolvers(b).await), now).await)
}

/// The `[dns] resolvers`, their names resolved once and kept (none set: none asked; none
/// found: none asked, said in the log).
async fn resolvers(b: &AwsBackend) -> Vec<NameServer> {
    if b.config.dns.resolvers.is_empty() {
        return Vec::new();
    }
    let mut cache = b.dns_servers.servers.lock().await;
    if let Some(found) = cache.get(RESOLVERS_KEY) {
        return found.clone();
    }
    match dns::name_servers(&b.config.dns.resolvers).await {
        Ok(found) => {
            cache.insert(RESOLVERS_KEY.to_string(), found.clone());
            found
        }
        Err(e) => {
            tracing::warn!(error = %e, "[dns] resolvers: none could be found");
            Vec::new()
        }
    }
}

/// The cache key of the resolvers (no hosted zone ID has this form).
const RESOLVERS_KEY: &str = "[dns] resolvers";

fn question(
    s: &ServiceConfig,
    nameservers: Result<Vec<NameServer>, String>,
    resolvers: Vec<NameServer>,
) -> DnsQuestion {
    DnsQuestion {
        resolvers,
        service: s.name.clone(),
        name: s.domain.clone(),
        nameservers,
        targets: s
            .regions
            .iter()
            .map(|r| (r.clone(), vec![s.regional_hostname_for(r)]))
            .collect(),
    }
}

/// The zone's name servers: cached, else `[dns] nameservers`, else GetHostedZone's delegation
/// set, resolved to addresses once.
async fn nameservers(
    b: &AwsBackend,
    zone: &str,
    tally: &mut Tally,
) -> Result<Vec<NameServer>, String> {
    let key = if b.config.dns.nameservers.is_empty() {
        zone
    } else {
        ""
    };
    let mut cache = b.dns_servers.servers.lock().await;
    if let Some(found) = cache.get(key) {
        return Ok(found.clone());
    }
    let entries = if key.is_empty() {
        b.config.dns.nameservers.clone()
    } else if !b.dns_servers.delegation_lookup {
        return Err(format!(
            "the name servers of zone {zone} are not looked up: the Route 53 endpoint is not \
             AWS's (an emulator serves no DNS); set [dns] nameservers"
        ));
    } else {
        let op = b.route53_op("GetHostedZone");
        tally.count(op);
        let zone_info = b
            .route53
            .get_hosted_zone()
            .id(zone)
            .send()
            .await
            .map_err(fail(op, b.login(AwsApi::Route53)))
            .map_err(|e| {
                format!(
                    "the name servers of zone {zone} are not known yet (GetHostedZone failed: {})",
                    e.message
                )
            })?;
        let names: Vec<String> = zone_info
            .delegation_set()
            .map(|d| d.name_servers().to_vec())
            .unwrap_or_default();
        if names.is_empty() {
            return Err(format!(
                "zone {zone} has no delegation set (a private zone?)"
            ));
        }
        names
            .iter()
            .map(|n| format!("{}:53", n.trim_end_matches('.')))
            .collect()
    };
    let servers = dns::name_servers(&entries).await?;
    cache.insert(key.to_string(), servers.clone());
    Ok(servers)
}
