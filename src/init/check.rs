//! `switchyard init --check`: a config compared with what discovery finds in the account now.
//! Each difference names the setting, what the config says and what the account says.

use super::Discovery;
use crate::config::ServiceConfig;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The config's key (`functions`, `regions`, `health_checks.us-east-1`, …).
    pub setting: String,
    pub config: Option<String>,
    pub account: Option<String>,
    /// In words, for the text report.
    pub what: String,
}

fn diff(
    setting: &str,
    config: Option<String>,
    account: Option<String>,
    what: String,
) -> Difference {
    Difference {
        setting: setting.to_string(),
        config,
        account,
        what,
    }
}

/// What differs between a service's config and its discovery.
pub fn compare(config: &ServiceConfig, found: &Discovery) -> Vec<Difference> {
    let mut out = Vec::new();
    regions(config, found, &mut out);
    functions(config, found, &mut out);
    health_checks(config, found, &mut out);
    if let Ok(f) = &found.regional_hostname
        && f.value != config.regional_hostname
    {
        out.push(diff(
            "regional_hostname",
            Some(config.regional_hostname.clone()),
            Some(f.value.clone()),
            format!(
                "the per-region names follow {}, the config says {}",
                f.value, config.regional_hostname
            ),
        ));
    }
    pipeline(config, found, &mut out);
    artifacts(config, found, &mut out);
    out
}

fn regions(config: &ServiceConfig, found: &Discovery, out: &mut Vec<Difference>) {
    let account = found.region_names();
    let c: BTreeSet<&String> = config.regions.iter().collect();
    let a: BTreeSet<&String> = account.iter().collect();
    for r in a.difference(&c) {
        out.push(diff(
            "regions",
            None,
            Some((*r).clone()),
            format!(
                "{r} has a failover record of {} but is not in the config",
                found.domain
            ),
        ));
    }
    for r in c.difference(&a) {
        out.push(diff(
            "regions",
            Some((*r).clone()),
            None,
            format!(
                "{r} is in the config but no failover record of {} leads there",
                found.domain
            ),
        ));
    }
    if let (Some(cp), Some(ap)) = (config.regions.first(), account.first())
        && cp != ap
        && a.contains(cp)
        && c.contains(ap)
    {
        out.push(diff(
            "regions",
            Some(cp.clone()),
            Some(ap.clone()),
            format!(
                "the PRIMARY record is in {ap}; the config's first region (the primary) is {cp}"
            ),
        ));
    }
}

fn functions(config: &ServiceConfig, found: &Discovery, out: &mut Vec<Difference>) {
    let Ok(f) = &found.functions else {
        return;
    };
    let account: BTreeMap<&str, Option<&str>> = f
        .value
        .iter()
        .map(|x| (x.name.as_str(), x.qualifier.as_deref()))
        .collect();
    let item = |name: &str, q: Option<&str>| match q {
        Some(q) => format!("{name}:{q}"),
        None => name.to_string(),
    };
    for (name, q) in &account {
        if !config.functions.iter().any(|c| c == name) {
            out.push(diff(
                "functions",
                None,
                Some(item(name, *q)),
                format!("{name} is behind the API but not in the config"),
            ));
        } else if config.qualifiers.get(*name).map(String::as_str) != *q {
            let c = item(name, config.qualifiers.get(*name).map(String::as_str));
            out.push(diff(
                "functions",
                Some(c.clone()),
                Some(item(name, *q)),
                format!(
                    "API Gateway invokes {}, the config says {c}",
                    item(name, *q)
                ),
            ));
        }
    }
    for name in &config.functions {
        if !account.contains_key(name.as_str()) {
            out.push(diff(
                "functions",
                Some(name.clone()),
                None,
                format!("{name} is in the config but no mapped API invokes it"),
            ));
        }
    }
}

fn health_checks(config: &ServiceConfig, found: &Discovery, out: &mut Vec<Difference>) {
    let account = found.health_checks();
    for (region, pinned) in &config.health_checks {
        let now = account.get(region);
        if now != Some(pinned) {
            out.push(diff(
                &format!("health_checks.{region}"),
                Some(pinned.clone()),
                now.cloned(),
                match now {
                    Some(id) => format!(
                        "the failover record in {region} uses health check {id}; the config \
                         pins {pinned}, which Route 53 no longer acts on"
                    ),
                    None => format!(
                        "the failover record in {region} has no health check; the config pins \
                         {pinned}"
                    ),
                },
            ));
        }
    }
}

fn pipeline(config: &ServiceConfig, found: &Discovery, out: &mut Vec<Difference>) {
    match (&config.pipeline, &found.pipeline) {
        (Some(c), Ok(f)) => {
            if c.region != f.value.region {
                out.push(diff(
                    "pipeline.region",
                    Some(c.region.clone()),
                    Some(f.value.region.clone()),
                    format!("pipeline {} is in {}", c.name, f.value.region),
                ));
            }
            let account = f
                .value
                .approval_action
                .as_ref()
                .ok()
                .map(|a| a.value.clone());
            if let Some(action) = &c.approval_action
                && account.as_ref() != Some(action)
            {
                out.push(diff(
                    "pipeline.approval_action",
                    Some(action.clone()),
                    account.clone(),
                    match &account {
                        Some(a) => format!("the pipeline's manual approval is {a}"),
                        None => "the pipeline has no manual approval action".to_string(),
                    },
                ));
            }
        }
        (Some(c), Err(why)) => out.push(diff(
            "pipeline.name",
            Some(c.name.clone()),
            None,
            why.clone(),
        )),
        (None, Ok(f)) => out.push(diff(
            "pipeline.name",
            None,
            Some(f.value.name.clone()),
            format!("{} (not in the config)", f.from),
        )),
        (None, Err(_)) => {}
    }
}

fn artifacts(config: &ServiceConfig, found: &Discovery, out: &mut Vec<Difference>) {
    let (Some(c), Ok(f)) = (&config.artifacts, &found.artifacts) else {
        if let (None, Ok(f)) = (&config.artifacts, &found.artifacts) {
            out.push(diff(
                "artifacts.bucket",
                None,
                Some(f.value.bucket.clone()),
                format!("{} (not in the config)", f.from),
            ));
        }
        return;
    };
    let pairs = [
        ("artifacts.bucket", &c.bucket, &f.value.bucket),
        ("artifacts.prefix", &c.prefix, &f.value.prefix),
        (
            "artifacts.source_region",
            &c.source_region,
            &f.value.source_region,
        ),
    ];
    for (setting, c, a) in pairs {
        if c != a {
            out.push(diff(
                setting,
                Some(c.clone()),
                Some(a.clone()),
                format!("the account says {a}, the config {c}"),
            ));
        }
    }
}
