//! API Gateway custom domains (v1 REST base path mappings and v2 API mappings) in one region,
//! joined with the Route 53 records that point at them.

use super::errors::{Operation, fail};
use super::zone::{self, normalize};
use super::{AwsBackend, Tally, next_token};
use crate::model::{ApiKind, DomainInfo, DomainMapping};
use crate::source::{Entry, Payload, SourceError};
use futures::future::join_all;
use std::collections::BTreeMap;

/// A custom domain as API Gateway reports it.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    api: ApiKind,
    regional_target: Option<String>,
    mappings: Vec<DomainMapping>,
}

async fn v1_domains(
    b: &AwsBackend,
    region: &str,
    wanted: &[String],
    tally: &mut Tally,
) -> Result<BTreeMap<String, Found>, SourceError> {
    let client = &b.region(region)?.apigateway;
    let profile = b.profile();
    let mut found = BTreeMap::new();
    let mut position: Option<String> = None;
    loop {
        tally.call();
        let page = client
            .get_domain_names()
            .limit(500)
            .set_position(position.clone())
            .send()
            .await
            .map_err(fail(
                Operation {
                    service: "API Gateway",
                    api: "GetDomainNames",
                    region,
                },
                profile,
            ))?;
        for d in page.items() {
            let Some(name) = d.domain_name().map(normalize) else {
                continue;
            };
            if wanted.contains(&name) {
                found.insert(
                    name,
                    Found {
                        api: ApiKind::Rest,
                        regional_target: d.regional_domain_name().map(normalize),
                        mappings: Vec::new(),
                    },
                );
            }
        }
        match next_token(page.position(), position.as_deref()) {
            Some(p) => position = Some(p),
            None => break,
        }
    }
    let mappings = join_all(found.keys().map(|name| v1_mappings(b, region, name))).await;
    for ((_, domain), (calls, result)) in found.iter_mut().zip(mappings) {
        tally.calls += calls;
        domain.mappings = result?;
    }
    Ok(found)
}

async fn v1_mappings(
    b: &AwsBackend,
    region: &str,
    name: &str,
) -> (u32, Result<Vec<DomainMapping>, SourceError>) {
    let mut calls = 0;
    let mut mappings = Vec::new();
    let client = match b.region(region) {
        Ok(c) => &c.apigateway,
        Err(e) => return (calls, Err(e)),
    };
    let mut position: Option<String> = None;
    loop {
        calls += 1;
        let page = match client
            .get_base_path_mappings()
            .domain_name(name)
            .limit(500)
            .set_position(position.clone())
            .send()
            .await
        {
            Ok(page) => page,
            Err(e) => {
                let op = Operation {
                    service: "API Gateway",
                    api: "GetBasePathMappings",
                    region,
                };
                return (calls, Err(fail(op, b.profile())(e)));
            }
        };
        for m in page.items() {
            let path = m.base_path().unwrap_or("");
            mappings.push(DomainMapping {
                path: if path == "(none)" {
                    String::new()
                } else {
                    path.to_string()
                },
                api_id: m.rest_api_id().unwrap_or("").to_string(),
                stage: m.stage().unwrap_or("").to_string(),
            });
        }
        match next_token(page.position(), position.as_deref()) {
            Some(p) => position = Some(p),
            None => break,
        }
    }
    (calls, Ok(mappings))
}

async fn v2_domains(
    b: &AwsBackend,
    region: &str,
    wanted: &[String],
    tally: &mut Tally,
) -> Result<BTreeMap<String, Found>, SourceError> {
    let client = &b.region(region)?.apigatewayv2;
    let profile = b.profile();
    let mut found = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        tally.call();
        let page = client
            .get_domain_names()
            .max_results("500")
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(fail(
                Operation {
                    service: "API Gateway",
                    api: "GetDomainNames (v2)",
                    region,
                },
                profile,
            ))?;
        for d in page.items() {
            let Some(name) = d.domain_name().map(normalize) else {
                continue;
            };
            if wanted.contains(&name) {
                let target = d
                    .domain_name_configurations()
                    .iter()
                    .find_map(|c| c.api_gateway_domain_name())
                    .map(normalize);
                found.insert(
                    name,
                    Found {
                        api: ApiKind::Http,
                        regional_target: target,
                        mappings: Vec::new(),
                    },
                );
            }
        }
        match next_token(page.next_token(), token.as_deref()) {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    let mappings = join_all(found.keys().map(|name| v2_mappings(b, region, name))).await;
    for ((_, domain), (calls, result)) in found.iter_mut().zip(mappings) {
        tally.calls += calls;
        domain.mappings = result?;
    }
    Ok(found)
}

async fn v2_mappings(
    b: &AwsBackend,
    region: &str,
    name: &str,
) -> (u32, Result<Vec<DomainMapping>, SourceError>) {
    let mut calls = 0;
    let mut mappings = Vec::new();
    let client = match b.region(region) {
        Ok(c) => &c.apigatewayv2,
        Err(e) => return (calls, Err(e)),
    };
    let mut token: Option<String> = None;
    loop {
        calls += 1;
        let page = match client
            .get_api_mappings()
            .domain_name(name)
            .max_results("500")
            .set_next_token(token.clone())
            .send()
            .await
        {
            Ok(page) => page,
            Err(e) => {
                let op = Operation {
                    service: "API Gateway",
                    api: "GetApiMappings",
                    region,
                };
                return (calls, Err(fail(op, b.profile())(e)));
            }
        };
        for m in page.items() {
            mappings.push(DomainMapping {
                path: m.api_mapping_key().unwrap_or("").to_string(),
                api_id: m.api_id().unwrap_or("").to_string(),
                stage: m.stage().unwrap_or("").to_string(),
            });
        }
        match next_token(page.next_token(), token.as_deref()) {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    (calls, Ok(mappings))
}

/// v1 wins for a name it knows with mappings (REST APIs); v2 fills in the rest (HTTP APIs, and
/// REST domains mapped through the v2 API).
fn merge(v1: BTreeMap<String, Found>, v2: BTreeMap<String, Found>) -> BTreeMap<String, Found> {
    let mut out = v2;
    for (name, d) in v1 {
        let keep_v2 = out
            .get(&name)
            .is_some_and(|v| d.mappings.is_empty() && !v.mappings.is_empty());
        if keep_v2 {
            if let Some(v) = out.get_mut(&name) {
                v.regional_target = v.regional_target.take().or(d.regional_target);
            }
        } else {
            let v2_target = out.get(&name).and_then(|v| v.regional_target.clone());
            out.insert(
                name,
                Found {
                    regional_target: d.regional_target.or(v2_target),
                    ..d
                },
            );
        }
    }
    out
}

pub async fn fetch(
    b: &AwsBackend,
    region: &str,
    tally: &mut Tally,
) -> Result<Payload, SourceError> {
    let services: Vec<_> = b.services_in(region).collect();
    let wanted: Vec<String> = services
        .iter()
        .flat_map(|s| {
            [
                normalize(&s.domain),
                normalize(&s.regional_hostname_for(region)),
            ]
        })
        .collect();
    // The two API Gateway listings and the zones' records do not depend on each other.
    let zone_ids: Vec<&str> = {
        let mut ids: Vec<&str> = services.iter().map(|s| s.hosted_zone_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let (mut t1, mut t2) = (Tally::default(), Tally::default());
    let (v1, v2, zones) = tokio::join!(
        v1_domains(b, region, &wanted, &mut t1),
        v2_domains(b, region, &wanted, &mut t2),
        join_all(zone_ids.iter().map(|zone| async move {
            let mut t = Tally::default();
            let records = zone::records(b, zone, &mut t).await;
            (*zone, t, records)
        })),
    );
    tally.absorb(t1);
    tally.absorb(t2);
    let v1 = v1?;
    let v2 = match v2 {
        Ok(v2) => v2,
        Err(e) => {
            tally.partial(SourceError::new(
                e.kind,
                format!("v2 custom domains unavailable: {}", e.message),
            ));
            BTreeMap::new()
        }
    };
    let domains = merge(v1, v2);
    let mut records_by_zone: BTreeMap<&str, Vec<zone::Record>> = BTreeMap::new();
    for (zone, t, records) in zones {
        tally.absorb(t);
        records_by_zone.insert(zone, records?);
    }
    let mut entries = Vec::new();
    for service in services {
        let records = records_by_zone
            .get(service.hosted_zone_id.as_str())
            .map_or(&[][..], Vec::as_slice);
        let infos = [
            service.domain.clone(),
            service.regional_hostname_for(region),
        ]
        .into_iter()
        .filter_map(|name| {
            let found = domains.get(&normalize(&name))?;
            Some(DomainInfo {
                dns_target: zone::record_for(records, service, &name, region)
                    .and_then(|r| r.target.clone()),
                name,
                api: found.api,
                regional_target: found.regional_target.clone(),
                mappings: found.mappings.clone(),
            })
        })
        .collect();
        entries.push(Entry {
            service: service.name.clone(),
            region: region.to_string(),
            value: infos,
        });
    }
    Ok(Payload::Domains(entries))
}
