//! `switchyard init`: a service's deployment discovered from its shared name (README, "Getting
//! started on AWS"). Route 53's failover records give the regions and health checks; the API
//! Gateway custom domains they point at give the per-region names and the APIs; the APIs'
//! Lambda integrations give the functions; a pipeline that names them gives the approval and
//! its S3 source; the source bucket's replication gives the artifact buckets. Every value found
//! carries where it came from; what is not found is said, never guessed.

pub mod check;
mod render;
#[cfg(test)]
mod tests;

pub use render::{AwsSettings, render};

use crate::model::ApiKind;
use crate::source::SourceError;
use crate::source::aws::normalize;
use crate::source::inventory::{CustomDomain, Inventory, Pipeline, Record, Zone};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What to discover.
#[derive(Debug, Clone, Default)]
pub struct Ask {
    pub domain: String,
    /// `--zone-id`; else the zone is looked up by name.
    pub zone_id: Option<String>,
    /// `--pipeline`; else the one pipeline that names the functions found.
    pub pipeline: Option<String>,
    /// `--name`; else the domain's first label.
    pub name: Option<String>,
}

/// Why discovery produced no service.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// AWS (or the simulation) could not be read.
    #[error("{0}")]
    Source(#[from] SourceError),
    /// The account has no service at that name (no zone, no failover records, one region).
    #[error("{0}")]
    NotFound(String),
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found<T> {
    pub value: T,
    pub from: String,
}

fn found<T>(value: T, from: impl Into<String>) -> Found<T> {
    Found {
        value,
        from: from.into(),
    }
}

/// A value found, or why not.
pub type Maybe<T> = Result<Found<T>, String>;

/// `switchyard.init/1` writes a [`Maybe`] as `{"value": …, "from": "…"}`, or
/// `{"value": null, "not_found": "why"}`.
fn maybe<T: Serialize, S: serde::Serializer>(m: &Maybe<T>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(2))?;
    match m {
        Ok(f) => {
            map.serialize_entry("value", &f.value)?;
            map.serialize_entry("from", &f.from)?;
        }
        Err(why) => {
            map.serialize_entry("value", &None::<T>)?;
            map.serialize_entry("not_found", why)?;
        }
    }
    map.end()
}

/// One region of the service, from the shared name's failover record(s) there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionFound {
    pub region: String,
    /// `PRIMARY` or `SECONDARY`.
    pub failover: String,
    pub set_identifier: Option<String>,
    pub record_type: String,
    pub target: String,
    pub health_check: Option<String>,
    /// The shared name's custom domain here (`None`: API Gateway has none).
    pub shared_domain: Option<CustomDomain>,
    /// The per-region name and its custom domain.
    pub regional_domain: Option<CustomDomain>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionFound {
    pub name: String,
    /// The alias or version every region's integrations invoke (one for all regions).
    pub qualifier: Option<String>,
    /// Where each region's integrations were found: region -> API id.
    pub regions: BTreeMap<String, BTreeSet<String>>,
}

impl FunctionFound {
    /// As the config's `functions` item: `NAME` or `NAME:QUALIFIER`.
    pub fn item(&self) -> String {
        match &self.qualifier {
            Some(q) => format!("{}:{q}", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineFound {
    pub name: String,
    pub region: String,
    /// The manual approval action (the first, if several).
    #[serde(serialize_with = "maybe")]
    pub approval_action: Maybe<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArtifactsFound {
    /// The bucket template, with `{region}`.
    pub bucket: String,
    pub prefix: String,
    pub source_region: String,
    /// The pipeline source's S3ObjectKey.
    pub source_key: String,
    /// The prefix is the replication rule's filter prefix (else the key itself).
    pub prefix_from_rule: bool,
}

/// Everything discovered about one service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discovery {
    pub name: Found<String>,
    pub domain: String,
    pub zone: Found<String>,
    /// Primary first.
    pub regions: Vec<RegionFound>,
    #[serde(serialize_with = "maybe")]
    pub regional_hostname: Maybe<String>,
    #[serde(serialize_with = "maybe")]
    pub functions: Maybe<Vec<FunctionFound>>,
    #[serde(serialize_with = "maybe")]
    pub pipeline: Maybe<PipelineFound>,
    #[serde(serialize_with = "maybe")]
    pub artifacts: Maybe<ArtifactsFound>,
    /// What else the reader of the config should know (a region without a health check, a
    /// function only in some regions, records that lead nowhere switchyard can watch).
    pub notes: Vec<String>,
    /// The parts that could not be read (`functions`, `pipeline`, `artifacts`): their `Err`
    /// says why, and `init --check` cannot tell whether they differ.
    pub unreadable: Vec<String>,
}

impl Discovery {
    pub fn region_names(&self) -> Vec<String> {
        self.regions.iter().map(|r| r.region.clone()).collect()
    }

    /// Region -> health check ID, for the regions whose failover record has one.
    pub fn health_checks(&self) -> BTreeMap<String, String> {
        self.regions
            .iter()
            .filter_map(|r| Some((r.region.clone(), r.health_check.clone()?)))
            .collect()
    }
}

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

/// Discover one service.
pub async fn discover<I: Inventory>(inv: &I, ask: &Ask) -> Result<Discovery, InitError> {
    let domain = normalize(&ask.domain);
    if domain.is_empty() || !domain.contains('.') {
        return Err(InitError::NotFound(format!(
            "{:?} is not a domain name; expected the service's shared name, like \
             \"sample.example.com\"",
            ask.domain
        )));
    }
    let mut notes = Vec::new();
    let zone = zone(inv, &domain, ask.zone_id.as_deref()).await?;
    let records = inv.records(&zone.value).await?;
    let mut regions = failover_regions(&records, &domain, &zone.value, &mut notes)?;

    // Per region: the custom domains of the shared name and of every other name in the zone
    // that points at an API Gateway target in that region.
    let mut listed = Vec::new();
    for r in &mut regions {
        let mut wanted = vec![domain.clone()];
        for record in records.iter().filter(|x| x.name != domain) {
            if record.target.as_deref().and_then(target_region).as_deref() == Some(&r.region) {
                wanted.push(record.name.clone());
            }
        }
        wanted.sort();
        wanted.dedup();
        let domains = inv.custom_domains(&r.region, &wanted).await?;
        r.shared_domain = domains.iter().find(|d| d.name == domain).cloned();
        if r.shared_domain.is_none() {
            notes.push(format!(
                "API Gateway in {} has no custom domain {domain}, which its failover record \
                 points at ({}): the Domains panel will show it MISSING",
                r.region, r.target
            ));
        }
        r.regional_domain = regional_domain(&domains, &domain, r, &mut notes);
        listed.push(domains);
    }
    let regional_hostname = regional_hostname(&regions, &domain);
    // A region without the shared domain has no API to tie its per-region name to: only the
    // name the other regions' pattern gives is taken there.
    if let Ok(template) = &regional_hostname {
        for (r, domains) in regions.iter_mut().zip(&listed) {
            if r.regional_domain.is_none() {
                let name = template
                    .value
                    .replace("{region}", &r.region)
                    .replace("{domain}", &domain);
                r.regional_domain = domains.iter().find(|d| d.name == name).cloned();
            }
        }
    }
    let mut unreadable = Vec::new();
    let functions = soft(
        functions(inv, &regions, &mut notes).await,
        "functions",
        &mut unreadable,
    )?;
    let pipeline_found = match &functions {
        Ok(f) => pipeline(inv, &regions, &f.value, ask.pipeline.as_deref()).await,
        Err(_) => match ask.pipeline.as_deref() {
            Some(name) => pipeline(inv, &regions, &[], Some(name)).await,
            None => Ok(Err(
                "no functions found, so no pipeline that deploys them; pass --pipeline NAME"
                    .to_string(),
            )),
        },
    };
    let (pipeline, source) = match soft(pipeline_found, "pipeline", &mut unreadable)? {
        Ok((p, source)) => (Ok(p), source),
        Err(why) => (Err(why), None),
    };
    let artifacts = match source {
        Some(source) => soft(
            artifacts(inv, &regions, &source).await,
            "artifacts",
            &mut unreadable,
        )?,
        None => Err(match &pipeline {
            Ok(p) => format!(
                "pipeline {} has no S3 source action (provider S3 with S3Bucket and \
                 S3ObjectKey), so there is no artifact bucket to follow",
                p.value.name
            ),
            Err(_) => "the artifact bucket is found from the pipeline's S3 source; no \
                       pipeline was found"
                .to_string(),
        }),
    };
    let name = match &ask.name {
        Some(n) => found(n.clone(), "--name"),
        None => found(
            domain.split('.').next().unwrap_or(&domain).to_string(),
            "the domain's first label (choose another with --name)",
        ),
    };
    Ok(Discovery {
        name,
        domain,
        zone,
        regions,
        regional_hostname,
        functions,
        pipeline,
        artifacts,
        notes,
        unreadable,
    })
}

/// A part that could not be read is not found, with the error as the reason (the rest of what
/// was found still stands); `part` is recorded as unreadable.
fn soft<T>(
    read: Result<Result<T, String>, InitError>,
    part: &str,
    unreadable: &mut Vec<String>,
) -> Result<Result<T, String>, InitError> {
    match read {
        Err(InitError::Source(e)) => {
            unreadable.push(part.to_string());
            Ok(Err(format!("could not be read: {e}")))
        }
        other => other,
    }
}

async fn zone<I: Inventory>(
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
fn failover_regions(
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
fn regional_domain(
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
fn regional_hostname(regions: &[RegionFound], domain: &str) -> Maybe<String> {
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
fn template(name: &str, region: &str, domain: &str) -> String {
    let with_domain = match name.strip_suffix(domain) {
        Some(head) => format!("{head}{{domain}}"),
        None => name.to_string(),
    };
    with_domain.replace(region, "{region}")
}

/// The functions the mapped APIs' integrations invoke in each region.
async fn functions<I: Inventory>(
    inv: &I,
    regions: &[RegionFound],
    notes: &mut Vec<String>,
) -> Result<Maybe<Vec<FunctionFound>>, InitError> {
    // (name) -> region -> (qualifiers, APIs)
    type Seen = BTreeMap<String, BTreeMap<String, (BTreeSet<Option<String>>, BTreeSet<String>)>>;
    let mut seen: Seen = BTreeMap::new();
    let mut apis_read = Vec::new();
    for r in regions {
        let mut apis: BTreeMap<(ApiKind, String), BTreeSet<String>> = BTreeMap::new();
        for d in r.shared_domain.iter().chain(r.regional_domain.iter()) {
            for m in &d.mappings {
                apis.entry((d.api, m.api_id.clone()))
                    .or_default()
                    .insert(m.stage.clone());
            }
        }
        for ((kind, api_id), stages) in apis {
            apis_read.push(format!("{api_id} ({})", r.region));
            for t in inv.invoked(&r.region, kind, &api_id, &stages).await? {
                if t.region != r.region {
                    notes.push(format!(
                        "API {api_id} in {} invokes {} in {}: a function in another region \
                         is left out",
                        r.region, t.function, t.region
                    ));
                    continue;
                }
                let entry = seen
                    .entry(t.function)
                    .or_default()
                    .entry(r.region.clone())
                    .or_default();
                entry.0.insert(t.qualifier);
                entry.1.insert(api_id.clone());
            }
        }
    }
    if seen.is_empty() {
        return Ok(Err(if apis_read.is_empty() {
            "no API is mapped on the custom domains found, so no Lambda integration to follow"
                .to_string()
        } else {
            format!(
                "the mapped APIs {} have no Lambda integrations",
                apis_read.join(", ")
            )
        }));
    }
    let all: Vec<&str> = regions.iter().map(|r| r.region.as_str()).collect();
    let mut out = Vec::new();
    for (name, by_region) in seen {
        let qualifiers: BTreeSet<&Option<String>> =
            by_region.values().flat_map(|(q, _)| q.iter()).collect();
        let qualifier = match qualifiers.into_iter().collect::<Vec<_>>().as_slice() {
            [one] => (*one).clone(),
            many => {
                notes.push(format!(
                    "{name} is invoked as {} in different places; written unqualified, so \
                     switchyard reads each region's qualifier from its integrations",
                    many.iter()
                        .map(|q| q.as_deref().unwrap_or("$LATEST"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                None
            }
        };
        let missing: Vec<&str> = all
            .iter()
            .filter(|r| !by_region.contains_key(**r))
            .copied()
            .collect();
        if !missing.is_empty() {
            notes.push(format!(
                "{name} is behind the API in {} but not in {}: the Lambda panel will show \
                 it missing there",
                by_region.keys().cloned().collect::<Vec<_>>().join(", "),
                missing.join(", ")
            ));
        }
        out.push(FunctionFound {
            name,
            qualifier,
            regions: by_region
                .into_iter()
                .map(|(region, (_, apis))| (region, apis))
                .collect(),
        });
    }
    Ok(Ok(found(
        out,
        format!(
            "the Lambda integrations of the mapped APIs {}",
            apis_read.join(", ")
        ),
    )))
}

/// The pipeline: the one named (`--pipeline`), else the only one in the service's regions
/// whose actions name a function found. With it, its S3 source (bucket, key) if it has one.
async fn pipeline<I: Inventory>(
    inv: &I,
    regions: &[RegionFound],
    functions: &[FunctionFound],
    named: Option<&str>,
) -> Result<Result<(Found<PipelineFound>, Option<(String, String)>), String>, InitError> {
    let mut candidates: Vec<(Pipeline, String)> = Vec::new();
    for r in regions {
        for p in inv.pipelines(&r.region, named).await? {
            let evidence = match named {
                Some(n) if p.name == n => Some("--pipeline".to_string()),
                Some(_) => None,
                None => p.actions.iter().find_map(|a| {
                    let f = functions
                        .iter()
                        .find(|f| a.configuration.values().any(|v| names_function(v, &f.name)))?;
                    Some(format!(
                        "its action {}/{} ({} {}) names {}",
                        a.stage, a.name, a.category, a.provider, f.name
                    ))
                }),
            };
            if let Some(evidence) = evidence {
                candidates.push((p, evidence));
            }
        }
        if named.is_some() && !candidates.is_empty() {
            break;
        }
    }
    let searched = regions
        .iter()
        .map(|r| r.region.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let (p, evidence) = match candidates.len() {
        1 => candidates.remove(0),
        0 => {
            return Ok(Err(match named {
                Some(n) => format!("no pipeline named {n} in {searched}"),
                None => format!(
                    "no pipeline in {searched} names these functions in its actions; pass \
                     --pipeline NAME"
                ),
            }));
        }
        _ => {
            return Ok(Err(format!(
                "several pipelines name these functions: {}; pass --pipeline NAME",
                candidates
                    .iter()
                    .map(|(p, _)| format!("{} ({})", p.name, p.region))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    let approvals: Vec<_> = p
        .actions
        .iter()
        .filter(|a| a.is_manual_approval())
        .collect();
    let approval_action = match approvals.as_slice() {
        [] => Err(format!(
            "pipeline {} has no manual approval action (category Approval, provider Manual)",
            p.name
        )),
        [first, rest @ ..] => Ok(found(
            first.name.clone(),
            format!(
                "stage {}: category Approval, provider Manual{}",
                first.stage,
                if rest.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (the first of {}; the others: {})",
                        approvals.len(),
                        rest.iter()
                            .map(|a| a.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        )),
    };
    let source = p
        .actions
        .iter()
        .find_map(|a| a.s3_source())
        .map(|(b, k)| (b.to_string(), k.to_string()));
    Ok(Ok((
        found(
            PipelineFound {
                name: p.name.clone(),
                region: p.region.clone(),
                approval_action,
            },
            format!("CodePipeline in {}: {evidence}", p.region),
        ),
        source,
    )))
}

/// Whether a configuration value names the function: the whole value, its ARN, or a word of it.
fn names_function(value: &str, function: &str) -> bool {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .any(|word| word == function)
}

/// The artifact buckets: the pipeline's S3 source bucket and the destinations of its
/// replication rules, one per region, named alike but for the region.
async fn artifacts<I: Inventory>(
    inv: &I,
    regions: &[RegionFound],
    (bucket, key): &(String, String),
) -> Result<Maybe<ArtifactsFound>, InitError> {
    let Some(source_region) = inv.bucket_region(bucket).await? else {
        return Ok(Err(format!(
            "the pipeline's source bucket {bucket} does not exist (or cannot be read)"
        )));
    };
    if !regions.iter().any(|r| r.region == source_region) {
        return Ok(Err(format!(
            "the pipeline's source bucket {bucket} is in {source_region}, not one of the \
             service's regions (switchyard reads the builds from a bucket in each of them)"
        )));
    }
    let rules = inv.replication(&source_region, bucket).await?;
    let mut by_region: BTreeMap<String, String> =
        BTreeMap::from([(source_region.clone(), bucket.clone())]);
    let mut prefixes = BTreeSet::new();
    for rule in rules.iter().filter(|r| r.enabled) {
        if rule.prefix.as_deref().is_some_and(|p| !key.starts_with(p)) {
            continue; // the rule does not replicate the builds
        }
        if let Some(region) = inv.bucket_region(&rule.bucket).await? {
            by_region.insert(region, rule.bucket.clone());
        }
        if let Some(p) = rule.prefix.as_deref().filter(|p| !p.is_empty()) {
            prefixes.insert(p.to_string());
        }
    }
    let wanted: Vec<&str> = regions.iter().map(|r| r.region.as_str()).collect();
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|r| !by_region.contains_key(**r))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Ok(Err(format!(
            "the source bucket {bucket} ({source_region}) has no enabled replication rule for \
             {key} to a bucket in {}",
            missing.join(", ")
        )));
    }
    let templates: BTreeSet<String> = wanted
        .iter()
        .map(|r| by_region[*r].replace(r, "{region}"))
        .collect();
    let listed = wanted
        .iter()
        .map(|r| format!("{} ({r})", by_region[*r]))
        .collect::<Vec<_>>()
        .join(", ");
    let template = match templates.into_iter().collect::<Vec<_>>().as_slice() {
        [one] if one.contains("{region}") => one.clone(),
        _ => {
            return Ok(Err(format!(
                "the artifact buckets {listed} are not named alike but for the region, which \
                 the config's `bucket` template needs"
            )));
        }
    };
    let (prefix, prefix_from_rule) = match prefixes.into_iter().collect::<Vec<_>>().as_slice() {
        [one] => (one.clone(), true),
        _ => (key.clone(), false),
    };
    let prefix_from = if prefix_from_rule {
        "the replication rule's filter prefix"
    } else {
        "the pipeline source's S3ObjectKey"
    };
    Ok(Ok(found(
        ArtifactsFound {
            bucket: template,
            prefix,
            source_region: source_region.clone(),
            source_key: key.clone(),
            prefix_from_rule,
        },
        format!(
            "the pipeline's S3 source {bucket}/{key} and its replication: {listed}; prefix \
             from {prefix_from}"
        ),
    )))
}
