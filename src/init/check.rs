//! `switchyard init --check`: a config compared with what discovery finds in the account now.
//! What is compared is what the config means, not its text: an unqualified function is one
//! whose qualifier is read from the integrations, `regional_hostname` is the names it gives, a
//! prefix is the builds it covers. Each difference names the setting, what the config says and
//! what the account says; what the config chose to leave out or add (a worker not behind the
//! API, no pipeline) is a note, not a difference.

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

/// What `compare` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub differences: Vec<Difference>,
    /// Worth knowing, not a difference.
    pub notes: Vec<String>,
    /// Parts that could not be read, so not compared.
    pub unknown: Vec<String>,
}

impl Comparison {
    fn differ(
        &mut self,
        setting: &str,
        config: Option<String>,
        account: Option<String>,
        what: String,
    ) {
        self.differences.push(Difference {
            setting: setting.to_string(),
            config,
            account,
            what,
        });
    }
}

/// What differs between a service's config and its discovery.
pub fn compare(config: &ServiceConfig, found: &Discovery) -> Comparison {
    let mut out = Comparison {
        unknown: found.unreadable.clone(),
        ..Comparison::default()
    };
    regions(config, found, &mut out);
    functions(config, found, &mut out);
    health_checks(config, found, &mut out);
    regional_hostname(config, found, &mut out);
    pipeline(config, found, &mut out);
    artifacts(config, found, &mut out);
    out
}

fn regions(config: &ServiceConfig, found: &Discovery, out: &mut Comparison) {
    let account = found.region_names();
    let c: BTreeSet<&String> = config.regions.iter().collect();
    let a: BTreeSet<&String> = account.iter().collect();
    for r in a.difference(&c) {
        out.differ(
            "regions",
            None,
            Some((*r).clone()),
            format!(
                "{r} has a failover record of {} but is not in the config",
                found.domain
            ),
        );
    }
    for r in c.difference(&a) {
        out.differ(
            "regions",
            Some((*r).clone()),
            None,
            format!(
                "{r} is in the config but no failover record of {} leads there",
                found.domain
            ),
        );
    }
    if let (Some(cp), Some(ap)) = (config.regions.first(), account.first())
        && cp != ap
        && a.contains(cp)
        && c.contains(ap)
    {
        out.differ(
            "regions",
            Some(cp.clone()),
            Some(ap.clone()),
            format!(
                "the PRIMARY record is in {ap}; the config's first region (the primary) is {cp}"
            ),
        );
    }
}

/// The function name of a config item: the item, or the name in a Lambda function ARN.
fn function_name(item: &str) -> &str {
    let parts: Vec<&str> = item.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name, ..] => name,
        _ => item,
    }
}

fn functions(config: &ServiceConfig, found: &Discovery, out: &mut Comparison) {
    let Ok(f) = &found.functions else {
        return;
    };
    let account: BTreeMap<&str, Option<&str>> = f
        .value
        .iter()
        .map(|x| (x.name.as_str(), x.qualifier.as_deref()))
        .collect();
    let configured: BTreeMap<&str, Option<&str>> = config
        .functions
        .iter()
        .map(|item| {
            (
                function_name(item),
                config.qualifiers.get(item).map(String::as_str),
            )
        })
        .collect();
    let item = |name: &str, q: Option<&str>| match q {
        Some(q) => format!("{name}:{q}"),
        None => name.to_string(),
    };
    for (name, q) in &account {
        match configured.get(name) {
            None => out.differ(
                "functions",
                None,
                Some(item(name, *q)),
                format!("{} is behind the API but not in the config", item(name, *q)),
            ),
            // An unqualified function's qualifier is read from the integrations: the same.
            Some(Some(c)) if Some(*c) != *q => out.differ(
                "functions",
                Some(item(name, Some(c))),
                Some(item(name, *q)),
                match q {
                    Some(q) => {
                        format!("API Gateway invokes {name}:{q}, the config says {name}:{c}")
                    }
                    None => format!(
                        "API Gateway invokes {name} with more than one qualifier, or none; the \
                         config pins {name}:{c}"
                    ),
                },
            ),
            Some(_) => {}
        }
    }
    for name in configured.keys() {
        if !account.contains_key(name) {
            out.notes.push(format!(
                "{name} is in the config but no mapped API invokes it (a worker or consumer is \
                 not checked)"
            ));
        }
    }
}

fn health_checks(config: &ServiceConfig, found: &Discovery, out: &mut Comparison) {
    let account = found.health_checks();
    for (region, pinned) in &config.health_checks {
        let now = account.get(region);
        if now != Some(pinned) {
            out.differ(
                &format!("health_checks.{region}"),
                Some(pinned.clone()),
                now.cloned(),
                match now {
                    Some(id) => format!(
                        "the failover record in {region} uses health check {id}; the config \
                         pins {pinned}, which Route 53 no longer acts on there"
                    ),
                    None => format!(
                        "the failover record in {region} has no health check (Route 53 counts \
                         it always healthy); the config pins {pinned}"
                    ),
                },
            );
        }
    }
    for r in &found.regions {
        if r.health_check.is_none() && !config.health_checks.contains_key(&r.region) {
            out.notes.push(format!(
                "the failover record in {} has no health check: Route 53 counts it always \
                 healthy",
                r.region
            ));
        }
    }
}

/// The names `regional_hostname` gives, against the per-region names found.
fn regional_hostname(config: &ServiceConfig, found: &Discovery, out: &mut Comparison) {
    for r in &found.regions {
        let Some(d) = &r.regional_domain else {
            continue;
        };
        let configured = config.regional_hostname_for(&r.region);
        if configured != d.name {
            out.differ(
                "regional_hostname",
                Some(configured.clone()),
                Some(d.name.clone()),
                format!(
                    "the per-region name in {} is {}; the config's regional_hostname gives {}",
                    r.region, d.name, configured
                ),
            );
        }
    }
}

fn pipeline(config: &ServiceConfig, found: &Discovery, out: &mut Comparison) {
    if found.unreadable.iter().any(|u| u == "pipeline") {
        return;
    }
    match (&config.pipeline, &found.pipeline) {
        (Some(c), Ok(f)) => {
            if c.region != f.value.region {
                out.differ(
                    "pipeline.region",
                    Some(c.region.clone()),
                    Some(f.value.region.clone()),
                    format!("pipeline {} is in {}", c.name, f.value.region),
                );
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
                out.differ(
                    "pipeline.approval_action",
                    Some(action.clone()),
                    account.clone(),
                    match &account {
                        Some(a) => format!("the pipeline's manual approval is {a}"),
                        None => "the pipeline has no manual approval action".to_string(),
                    },
                );
            }
        }
        (Some(c), Err(why)) => out.differ("pipeline.name", Some(c.name.clone()), None, why.clone()),
        (None, Ok(f)) => out.notes.push(format!(
            "pipeline {} deploys the service ({}); the config leaves it out",
            f.value.name, f.from
        )),
        (None, Err(_)) => {}
    }
}

fn artifacts(config: &ServiceConfig, found: &Discovery, out: &mut Comparison) {
    if found.unreadable.iter().any(|u| u == "artifacts") {
        return;
    }
    let (Some(c), Ok(f)) = (&config.artifacts, &found.artifacts) else {
        if let (None, Ok(f)) = (&config.artifacts, &found.artifacts) {
            out.notes.push(format!(
                "the builds replicate to {} ({}); the config leaves [service.artifacts] out",
                f.value.bucket, f.from
            ));
        }
        return;
    };
    let a = &f.value;
    for (setting, c, a) in [
        ("artifacts.bucket", &c.bucket, &a.bucket),
        (
            "artifacts.source_region",
            &c.source_region,
            &a.source_region,
        ),
    ] {
        if c != a {
            out.differ(
                setting,
                Some(c.clone()),
                Some(a.clone()),
                format!("the account says {a}, the config {c}"),
            );
        }
    }
    // The prefix must cover the builds: the rule's prefix exactly, else the source's key.
    let covers = if a.prefix_from_rule {
        c.prefix == a.prefix
    } else {
        a.source_key.starts_with(&c.prefix)
    };
    if !covers {
        out.differ(
            "artifacts.prefix",
            Some(c.prefix.clone()),
            Some(a.prefix.clone()),
            if a.prefix_from_rule {
                format!(
                    "the replication rule replicates {}, the config reads {}",
                    a.prefix, c.prefix
                )
            } else {
                format!(
                    "the pipeline's builds are {}, which the config's prefix {} does not cover",
                    a.source_key, c.prefix
                )
            },
        );
    }
}
