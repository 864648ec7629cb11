//! `switchyard init`: a service's deployment discovered from its shared name (README, "Getting
//! started on AWS"). Route 53's failover records give the regions and health checks; the API
//! Gateway custom domains they point at give the per-region names and the APIs; the APIs'
//! Lambda integrations give the functions; a pipeline that names them gives the approval and
//! its S3 source; the source bucket's replication gives the artifact buckets. Every value found
//! carries where it came from; what is not found is said, never guessed.

pub mod check;
mod deploy;
mod render;
mod routing;
#[cfg(test)]
mod tests;

pub use render::{AwsSettings, render};
pub use routing::target_region;

use deploy::{artifacts, functions, pipeline};
use routing::{failover_regions, regional_domain, regional_hostname, zone};

use crate::source::SourceError;
use crate::source::aws::normalize;
use crate::source::inventory::{CustomDomain, Inventory};
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
