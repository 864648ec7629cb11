//! What runs and how it is delivered: the functions behind the mapped APIs, the pipeline that
//! deploys them and the buckets its builds replicate to (see `discover`).

use super::{
    ArtifactsFound, Found, FunctionFound, InitError, Maybe, PipelineFound, RegionFound, found,
};
use crate::model::ApiKind;
use crate::source::inventory::{Inventory, Pipeline};
use std::collections::{BTreeMap, BTreeSet};

/// The functions the mapped APIs' integrations invoke in each region.
pub(super) async fn functions<I: Inventory>(
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
pub(super) async fn pipeline<I: Inventory>(
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
pub(super) fn names_function(value: &str, function: &str) -> bool {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .any(|word| word == function)
}

/// The artifact buckets: the pipeline's S3 source bucket and the destinations of its
/// replication rules, one per region, named alike but for the region.
pub(super) async fn artifacts<I: Inventory>(
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
