//! Where the service is: its hosted zone, the shared name's failover records (the regions and
//! their health checks) and the per-region names of the custom domains (Route 53 and API
//! Gateway's answers, see `discover`).

use super::{Found, InitError, Maybe, RegionFound, found};
use crate::source::aws::normalize;
use crate::source::inventory::{CustomDomain, Inventory, Record, Zone};
use std::collections::{BTreeMap, BTreeSet};

/// The region of an API Gateway regional target `d-….execute-api.REGION.amazonaws.com` (API
/// Gateway Developer Guide, "Setting up a regional custom domain name").
pub fn target_region(target: &str) -> Option<String> {
    let target = normalize(target);
    let labels: Vec<&str> = target.split('.').collect();
    match labels.as_slice() {
        [_, "execute-api", region, "amazonaws", "com"]
        | [_, "execute-api", region, "amazonaws", "com", "cn"] => Some((*region).to_string()),
        _ => None,
    }
}

pub(super) async fn zone<I: Inventory>(
    inv: &I,
    domain: &str,
    given: Option<&str>,
) -> Result<Found<String>, InitError> {
    if let Some(id) = given {
        let id = id.trim_start_matches("/hostedzone/").to_string();
        return Ok(found(id, "--zone-id"));
    }
    let zones = inv.zones_for(domain).await?;
    let suffix_of = |z: &Zone| domain == z.name || domain.ends_with(&format!(".{}", z.name));
    let longest = zones
        .iter()
        .filter(|z| suffix_of(z))
        .map(|z| z.name.len())
        .max();
    let Some(longest) = longest else {
        return Err(InitError::NotFound(format!(
            "no hosted zone of this account holds {domain} (ListHostedZonesByName lists the \
             zones the account created); if the zone is in another account, run init with \
             credentials of that account (--profile) and --zone-id"
        )));
    };
    let holding: Vec<&Zone> = zones.iter().filter(|z| suffix_of(z)).collect();
    if holding.iter().any(|z| z.private) && holding.iter().any(|z| !z.private) {
        return Err(InitError::NotFound(format!(
            "both public and private hosted zones hold {domain}: {}; pass --zone-id",
            holding
                .iter()
                .map(|z| format!(
                    "{} {} ({})",
                    if z.private { "private" } else { "public" },
                    z.name,
                    z.id
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let best: Vec<&Zone> = holding
        .iter()
        .copied()
        .filter(|z| z.name.len() == longest)
        .collect();
    match best.as_slice() {
        [one] => Ok(found(
            one.id.clone(),
            format!(
                "ListHostedZonesByName: the {} hosted zone {} holds {domain}",
                if one.private { "private" } else { "public" },
                one.name
            ),
        )),
        many => Err(InitError::NotFound(format!(
            "several hosted zones are named {}: {}; pass --zone-id",
            many[0].name,
            many.iter()
                .map(|z| format!(
                    "{} ({})",
                    z.id,
                    if z.private { "private" } else { "public" }
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The regions of the shared name's failover records, primary first (Route 53 Developer Guide,
/// "Failover routing": one PRIMARY and one SECONDARY record per name and type).
pub(super) fn failover_regions(
    records: &[Record],
    domain: &str,
    zone: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<RegionFound>, InitError> {
    let failover: Vec<&Record> = records
        .iter()
        .filter(|r| r.name == domain && r.failover.is_some())
        .collect();
    if failover.is_empty() {
        let other = records.iter().any(|r| r.name == domain);
        return Err(InitError::NotFound(format!(
            "zone {zone} has no failover records named {domain}{}; switchyard watches a shared \
             name that Route 53 fails over between regions (a PRIMARY and a SECONDARY record)",
            if other {
                " (it has records of that name, none with a failover role)"
            } else {
                ""
            }
        )));
    }
    let mut roles: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in &failover {
        *roles
            .entry((r.record_type.as_str(), r.failover.as_deref().unwrap_or("")))
            .or_default() += 1;
    }
    for ((kind, role), n) in roles {
        if n > 1 {
            notes.push(format!(
                "{n} {role} {kind} records of {domain}: Route 53 allows one PRIMARY and one \
                 SECONDARY per name and type (a tree of failover records is not followed)"
            ));
        }
    }
    let mut regions: Vec<RegionFound> = Vec::new();
    // PRIMARY first, then the others as Route 53 lists them.
    let mut ordered = failover.clone();
    ordered.sort_by_key(|r| r.failover.as_deref() != Some("PRIMARY"));
    for record in ordered {
        let target = record.target.clone().unwrap_or_default();
        let Some(region) = target_region(&target) else {
            notes.push(format!(
                "the {} {} failover record of {domain}{} points at {}, not an API Gateway \
                 regional domain: left out (switchyard watches one level of failover records \
                 to API Gateway regional domains)",
                record.failover.as_deref().unwrap_or(""),
                record.record_type,
                record
                    .set_identifier
                    .as_deref()
                    .map(|s| format!(" (set {s})"))
                    .unwrap_or_default(),
                if target.is_empty() {
                    "nothing"
                } else {
                    &target
                }
            ));
            continue;
        };
        if let Some(known) = regions.iter().find(|r| r.region == region) {
            if known.health_check != record.health_check_id {
                notes.push(format!(
                    "the {} and {} failover records of {domain} in {region} have different \
                     health checks; the first is used",
                    known.record_type, record.record_type
                ));
            }
            continue;
        }
        if record.health_check_id.is_none() {
            notes.push(format!(
                "the failover record of {domain} in {region} has no health check: Route 53 \
                 counts it always healthy"
            ));
        }
        regions.push(RegionFound {
            region,
            failover: record.failover.clone().unwrap_or_default(),
            set_identifier: record.set_identifier.clone(),
            record_type: record.record_type.clone(),
            target,
            health_check: record.health_check_id.clone(),
            shared_domain: None,
            regional_domain: None,
        });
    }
    if regions.first().is_none_or(|r| r.failover != "PRIMARY") {
        return Err(InitError::NotFound(format!(
            "no PRIMARY failover record of {domain} points at an API Gateway regional domain"
        )));
    }
    if regions.len() < 2 {
        notes.push(format!(
            "the failover records of {domain} lead to one region only ({}): there is no \
             region to fail over to",
            regions[0].region
        ));
    }
    Ok(regions)
}

/// The per-region name of `r`: another custom domain in the region mapped to one of the shared
/// name's APIs (none without the shared domain: see `discover`).
pub(super) fn regional_domain(
    domains: &[CustomDomain],
    domain: &str,
    r: &RegionFound,
    notes: &mut Vec<String>,
) -> Option<CustomDomain> {
    let shared_apis: BTreeSet<&str> = r
        .shared_domain
        .iter()
        .flat_map(|d| d.mappings.iter().map(|m| m.api_id.as_str()))
        .collect();
    let candidates: Vec<&CustomDomain> = domains
        .iter()
        .filter(|d| d.name != domain)
        .filter(|d| {
            d.mappings
                .iter()
                .any(|m| shared_apis.contains(m.api_id.as_str()))
        })
        .collect();
    match candidates.as_slice() {
        [] => None,
        [one] => Some((*one).clone()),
        many => {
            let in_name: Vec<&&CustomDomain> =
                many.iter().filter(|d| d.name.contains(&r.region)).collect();
            if let [one] = in_name.as_slice() {
                return Some((**one).clone());
            }
            notes.push(format!(
                "several custom domains in {} map the shared name's API: {}; none taken as \
                 the per-region name",
                r.region,
                many.iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            None
        }
    }
}

/// The `regional_hostname` template the per-region names share.
pub(super) fn regional_hostname(regions: &[RegionFound], domain: &str) -> Maybe<String> {
    let named: Vec<(&str, &str)> = regions
        .iter()
        .filter_map(|r| Some((r.region.as_str(), r.regional_domain.as_ref()?.name.as_str())))
        .collect();
    if named.is_empty() {
        return Err(
            "no per-region name found: no other custom domain in any region maps the \
                    shared name's API (switchyard then expects {region}.{domain})"
                .to_string(),
        );
    }
    let templates: BTreeSet<String> = named
        .iter()
        .map(|(region, name)| template(name, region, domain))
        .collect();
    let listed = named
        .iter()
        .map(|(region, name)| format!("{name} ({region})"))
        .collect::<Vec<_>>()
        .join(", ");
    match templates.into_iter().collect::<Vec<_>>().as_slice() {
        [one] if one.contains("{region}") => Ok(found(
            one.clone(),
            format!("API Gateway custom domains mapped to the shared name's API: {listed}"),
        )),
        _ => Err(format!(
            "the per-region names {listed} do not share one pattern with the region in it"
        )),
    }
}

/// `name` with the region and the domain as placeholders.
pub(super) fn template(name: &str, region: &str, domain: &str) -> String {
    let with_domain = match name.strip_suffix(domain) {
        Some(head) => format!("{head}{{domain}}"),
        None => name.to_string(),
    };
    with_domain.replace(region, "{region}")
}
