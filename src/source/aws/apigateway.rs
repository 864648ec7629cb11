//! API Gateway custom domains (v1 REST base path mappings and v2 API mappings) in one region,
//! joined with the Route 53 records that point at them.

use super::errors::{Operation, fail};
use super::pages::{self, Page};
use super::zone::{self, normalize};
use super::{AwsBackend, FAN_OUT, Tally};
use crate::config::AwsApi;
use crate::model::{ApiKind, DomainInfo, DomainMapping};
use crate::source::{Entry, Payload, SourceError};
use futures::future::join_all;
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::sync::Arc;

const API_GATEWAY: &str = "API Gateway";

/// A custom domain as API Gateway reports it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Found {
    pub(super) api: ApiKind,
    pub(super) regional_target: Option<String>,
    pub(super) mappings: Vec<DomainMapping>,
}

/// A region's wanted custom domains as API Gateway's two APIs report them. A failed v1 read
/// fails the whole read (and is not kept); a failed v2 read is kept here, as the Domains source
/// shows the v1 domains without it.
pub(super) struct RegionDomains {
    pub(super) v1: BTreeMap<String, Found>,
    pub(super) v2: Result<BTreeMap<String, Found>, SourceError>,
}

/// The shared and regional custom domain names of every service in `region`, normalized.
fn wanted_names(b: &AwsBackend, region: &str) -> Vec<String> {
    b.services_in(region)
        .flat_map(|s| {
            [
                normalize(&s.domain),
                normalize(&s.regional_hostname_for(region)),
            ]
        })
        .collect()
}

/// The region's custom domains and their mappings (v1 and v2 at once), read once for the Domains
/// source and the Lambda source's integrations of a refresh (`zone::SharedReads`: the calls
/// count in the fetch that made the read).
pub(super) async fn region_domains(
    b: &AwsBackend,
    region: &str,
    tally: &mut Tally,
) -> Result<Arc<RegionDomains>, SourceError> {
    // Boxed: the two listings' state machines are large, and inside the shared read and the
    // fetch's join they would sit on the stack.
    b.domain_reads
        .get(
            region,
            Box::pin(async {
                let clients = b.region(region)?;
                let profile = b.login(AwsApi::ApiGateway);
                let wanted = wanted_names(b, region);
                let (mut t1, mut t2) = (Tally::default(), Tally::default());
                let (v1, v2) = tokio::join!(
                    custom_domains(&clients.apigateway, region, profile, &wanted, &mut t1),
                    custom_domains(&clients.apigatewayv2, region, profile, &wanted, &mut t2),
                );
                tally.absorb(t1);
                tally.absorb(t2);
                Ok(Arc::new(RegionDomains { v1: v1?, v2 }))
            }),
        )
        .await
}

/// A custom domain as one page of a listing names it: (name, regional target), normalized.
type Listed = (String, Option<String>);

/// What differs between API Gateway's two management APIs (v1 for REST APIs; v2 for HTTP APIs,
/// and REST domains mapped through it): the calls and how their answers read. Listing, picking
/// the wanted names and reading their mappings is the same for both (`custom_domains`).
pub(super) trait DomainApi {
    const KIND: ApiKind;
    /// The API names in messages.
    const LIST: &'static str;
    const MAPPINGS: &'static str;

    async fn domains_page(
        &self,
        op: Operation<'_>,
        profile: super::errors::Login<'_>,
        token: Option<String>,
    ) -> Result<Page<Listed, String>, SourceError>;

    async fn mappings_page(
        &self,
        op: Operation<'_>,
        profile: super::errors::Login<'_>,
        domain: &str,
        token: Option<String>,
    ) -> Result<Page<DomainMapping, String>, SourceError>;
}

impl DomainApi for aws_sdk_apigateway::Client {
    const KIND: ApiKind = ApiKind::Rest;
    const LIST: &'static str = "GetDomainNames";
    const MAPPINGS: &'static str = "GetBasePathMappings";

    async fn domains_page(
        &self,
        op: Operation<'_>,
        profile: super::errors::Login<'_>,
        token: Option<String>,
    ) -> Result<Page<Listed, String>, SourceError> {
        let page = self
            .get_domain_names()
            .limit(500)
            .set_position(token)
            .send()
            .await
            .map_err(fail(op, profile))?;
        Ok(Page {
            items: page
                .items()
                .iter()
                .filter_map(|d| {
                    let name = normalize(d.domain_name()?);
                    Some((name, d.regional_domain_name().map(normalize)))
                })
                .collect(),
            next: pages::token(page.position()),
        })
    }

    async fn mappings_page(
        &self,
        op: Operation<'_>,
        profile: super::errors::Login<'_>,
        domain: &str,
        token: Option<String>,
    ) -> Result<Page<DomainMapping, String>, SourceError> {
        let page = self
            .get_base_path_mappings()
            .domain_name(domain)
            .limit(500)
            .set_position(token)
            .send()
            .await
            .map_err(fail(op, profile))?;
        Ok(Page {
            items: page
                .items()
                .iter()
                .map(|m| {
                    // The root mapping's base path reads "(none)".
                    let path = m.base_path().unwrap_or("");
                    DomainMapping {
                        path: if path == "(none)" {
                            String::new()
                        } else {
                            path.to_string()
                        },
                        api_id: m.rest_api_id().unwrap_or("").to_string(),
                        stage: m.stage().unwrap_or("").to_string(),
                    }
                })
                .collect(),
            next: pages::token(page.position()),
        })
    }
}

impl DomainApi for aws_sdk_apigatewayv2::Client {
    const KIND: ApiKind = ApiKind::Http;
    const LIST: &'static str = "GetDomainNames (v2)";
    const MAPPINGS: &'static str = "GetApiMappings";

    async fn domains_page(
        &self,
        op: Operation<'_>,
        profile: super::errors::Login<'_>,
        token: Option<String>,
    ) -> Result<Page<Listed, String>, SourceError> {
        let page = self
            .get_domain_names()
            .max_results("500")
            .set_next_token(token)
            .send()
            .await
            .map_err(fail(op, profile))?;
        Ok(Page {
            items: page
                .items()
                .iter()
                .filter_map(|d| {
                    let name = normalize(d.domain_name()?);
                    let target = d
                        .domain_name_configurations()
                        .iter()
                        .find_map(|c| c.api_gateway_domain_name())
                        .map(normalize);
                    Some((name, target))
                })
                .collect(),
            next: pages::token(page.next_token()),
        })
    }

    async fn mappings_page(
        &self,
        op: Operation<'_>,
        profile: super::errors::Login<'_>,
        domain: &str,
        token: Option<String>,
    ) -> Result<Page<DomainMapping, String>, SourceError> {
        let page = self
            .get_api_mappings()
            .domain_name(domain)
            .max_results("500")
            .set_next_token(token)
            .send()
            .await
            .map_err(fail(op, profile))?;
        Ok(Page {
            items: page
                .items()
                .iter()
                .map(|m| DomainMapping {
                    path: m.api_mapping_key().unwrap_or("").to_string(),
                    api_id: m.api_id().unwrap_or("").to_string(),
                    stage: m.stage().unwrap_or("").to_string(),
                })
                .collect(),
            next: pages::token(page.next_token()),
        })
    }
}

/// The wanted custom domains of one API with their mappings: the listing, then the mappings of
/// each wanted domain (a few at a time).
pub(super) async fn custom_domains<A: DomainApi>(
    api: &A,
    region: &str,
    profile: super::errors::Login<'_>,
    wanted: &[String],
    tally: &mut Tally,
) -> Result<BTreeMap<String, Found>, SourceError> {
    let list = Operation {
        service: API_GATEWAY,
        api: A::LIST,
        region,
    };
    let listed = pages::read_all(tally, list, pages::ALL, |token| {
        api.domains_page(list, profile, token)
    })
    .await?;
    let targets: BTreeMap<String, Option<String>> = listed
        .into_iter()
        .filter(|(name, _)| wanted.contains(name))
        .collect();
    let op = Operation {
        service: API_GATEWAY,
        api: A::MAPPINGS,
        region,
    };
    // The futures are made before they go into the stream: a stream `map` closure over borrowed
    // names makes the fetch's future not `Send` (rustc cannot prove it for every lifetime).
    let pending: Vec<_> = targets
        .keys()
        .map(|name| async move {
            let mut t = Tally::default();
            let mappings = pages::read_all(&mut t, op, pages::ALL, |token| {
                api.mappings_page(op, profile, name, token)
            })
            .await;
            (t, mappings)
        })
        .collect();
    let mappings: Vec<(Tally, Result<Vec<DomainMapping>, SourceError>)> =
        stream::iter(pending).buffered(FAN_OUT).collect().await;
    let mut found = BTreeMap::new();
    for ((name, regional_target), (t, mappings)) in targets.into_iter().zip(mappings) {
        tally.absorb(t);
        found.insert(
            name,
            Found {
                api: A::KIND,
                regional_target,
                mappings: mappings?,
            },
        );
    }
    Ok(found)
}

/// v1 wins for a name it knows with mappings (REST APIs); v2 fills in the rest (HTTP APIs, and
/// REST domains mapped through the v2 API).
pub(super) fn merge(
    v1: BTreeMap<String, Found>,
    v2: BTreeMap<String, Found>,
) -> BTreeMap<String, Found> {
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
    // The custom domains and the zones' records do not depend on each other.
    let zone_ids: Vec<&str> = {
        let mut ids: Vec<&str> = services.iter().map(|s| s.hosted_zone_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let mut t = Tally::default();
    let (domains, zones) = tokio::join!(
        region_domains(b, region, &mut t),
        join_all(zone_ids.iter().map(|zone| async move {
            let mut t = Tally::default();
            let records = zone::records(b, zone, &mut t).await;
            (*zone, t, records)
        })),
    );
    tally.absorb(t);
    let mut records_by_zone: BTreeMap<&str, Result<Arc<[zone::Record]>, SourceError>> =
        BTreeMap::new();
    for (zone, t, records) in zones {
        tally.absorb(t);
        records_by_zone.insert(zone, records);
    }
    let domains = domains?;
    let v1 = domains.v1.clone();
    let v2 = match &domains.v2 {
        Ok(v2) => v2.clone(),
        Err(e) => {
            tally.partial(SourceError::new(
                e.kind,
                format!("v2 custom domains unavailable: {}", e.message),
            ));
            BTreeMap::new()
        }
    };
    let domains = merge(v1, v2);
    // Records that could not be read (the Route 53 API failing) do not hide the domains: they
    // are shown with their drift unknown, and the records' error is the part that failed.
    let mut records_ok: BTreeMap<&str, Arc<[zone::Record]>> = BTreeMap::new();
    for (zone, records) in records_by_zone {
        match records {
            Ok(records) => {
                records_ok.insert(zone, records);
            }
            Err(e) => tally.partial(SourceError::new(
                e.kind,
                format!(
                    "Route 53 records of zone {zone} unavailable (DNS drift unknown): {}",
                    e.message
                ),
            )),
        }
    }
    let mut entries = Vec::new();
    for service in services {
        let read = records_ok.get(service.hosted_zone_id.as_str());
        let records = read.map_or(&[][..], |records| &records[..]);
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
                dns_read: read.is_some(),
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
