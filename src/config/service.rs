//! Semantic checks for `[[service]]` tables and their `artifacts` and `pipeline` sub-tables.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::failover::failover;
use super::raw::{RawArtifacts, RawPipeline, RawService, SpannedList, SpannedMap, SpannedString};
use super::validate::Checker;
use super::{ArtifactsConfig, FailoverConfig, PipelineConfig, ServiceConfig};

const DEFAULT_REGIONAL_HOSTNAME: &str = "{region}.{domain}";
const DEFAULT_LATEST: usize = 5;

pub(super) fn services(check: &mut Checker, raw: &[Spanned<RawService>]) -> Vec<ServiceConfig> {
    let mut seen = BTreeSet::new();
    raw.iter()
        .map(|raw| {
            let raw = raw.get_ref();
            let name = raw.name.get_ref();
            if !name.trim().is_empty() && !seen.insert(name.clone()) {
                check.fail(
                    raw.name.span(),
                    format!(
                        "service name {name:?} is used twice; expected a distinct name for each \
                         [[service]]"
                    ),
                );
            }
            service(check, raw)
        })
        .collect()
}

fn service(check: &mut Checker, raw: &RawService) -> ServiceConfig {
    let name = check.non_empty(
        &raw.name,
        "`name` of a [[service]]",
        "a short name like \"sample\"",
    );
    let of = format!("of service {name:?}");
    let domain = check.non_empty(
        &raw.domain,
        &format!("`domain` {of}"),
        "a hostname like \"sample.example.com\"",
    );
    if domain.contains('/') || (domain.contains(char::is_whitespace) && !domain.trim().is_empty()) {
        check.fail(
            raw.domain.span(),
            format!(
                "`domain` {of} is {domain:?}; expected a bare hostname like \"sample.example.com\""
            ),
        );
    }
    let hosted_zone_id = check.non_empty(
        &raw.hosted_zone_id,
        &format!("`hosted_zone_id` {of}"),
        "a Route 53 hosted zone id like \"Z0123456789ABC\"",
    );
    let regions = regions(check, &raw.regions, &of);
    let regional_hostname = raw.regional_hostname.as_ref().map_or_else(
        || DEFAULT_REGIONAL_HOSTNAME.to_owned(),
        |template| {
            let what = format!("`regional_hostname` {of}");
            if check_placeholders(check, template, &what, &["region", "domain"])
                && !template.get_ref().contains("{region}")
            {
                check.fail(
                    template.span(),
                    format!(
                        "{what} is {:?}, without {{region}}; expected a template like \
                         \"{DEFAULT_REGIONAL_HOSTNAME}\"",
                        template.get_ref()
                    ),
                );
            }
            template.get_ref().clone()
        },
    );
    let (functions, qualifiers) = functions(check, &raw.functions, &of);
    let health_checks = raw
        .health_checks
        .as_ref()
        .map_or_else(BTreeMap::new, |map| {
            by_region(
                check,
                map,
                &regions,
                &format!("`health_checks` {of}"),
                "a Route 53 health check id",
            )
        });
    ServiceConfig {
        artifacts: raw
            .artifacts
            .as_ref()
            .map(|a| artifacts(check, a.get_ref(), &regions, &of)),
        pipeline: raw
            .pipeline
            .as_ref()
            .map(|p| pipeline(check, p.get_ref(), &regions, &of)),
        failover: raw
            .failover
            .as_ref()
            .map_or_else(FailoverConfig::default, |f| {
                failover(check, f, &regions, &of)
            }),
        name,
        domain,
        hosted_zone_id,
        regions,
        regional_hostname,
        functions,
        qualifiers,
        health_checks,
        account_id: raw
            .account_id
            .as_ref()
            .map(|id| super::accounts::account(check, id, &format!("`account_id` {of}"))),
        profile: raw.profile.as_ref().map(|p| {
            check.non_empty(
                p,
                &format!("`profile` {of}"),
                "the name of a profile, or remove the key to use `[aws] profile`",
            )
        }),
        role_arn: raw
            .role_arn
            .as_ref()
            .map(|arn| super::accounts::role_arn(check, arn, &format!("`role_arn` {of}"))),
    }
}

/// What a `functions` item may say: `"NAME"`, or `"NAME:QUALIFIER"` (an alias or version, the
/// form Lambda's FunctionName takes).
const FUNCTION_EXPECTED: &str =
    "a Lambda function name, or NAME:ALIAS or NAME:VERSION for the code API Gateway invokes";

/// The function names (distinct) and the qualifiers some of them carry. An ARN is taken whole,
/// as before qualifiers existed.
fn functions(
    check: &mut Checker,
    raw: &SpannedList,
    of: &str,
) -> (Vec<String>, BTreeMap<String, String>) {
    let what = format!("`functions` {of}");
    let mut seen = BTreeSet::new();
    let mut qualifiers = BTreeMap::new();
    let names = raw
        .get_ref()
        .iter()
        .map(|item| {
            let value = check.non_empty(item, &format!("an item of {what}"), FUNCTION_EXPECTED);
            let (name, qualifier) = match value.split_once(':') {
                Some((name, qualifier)) if !value.starts_with("arn:") => {
                    if !valid_qualifier(qualifier) || name.trim().is_empty() {
                        check.fail(
                            item.span(),
                            format!(
                                "{what} has {value:?}; expected {FUNCTION_EXPECTED} (a \
                                 qualifier is 1 to 128 letters, digits, `-`, `_` or `$`)"
                            ),
                        );
                    }
                    (name.to_owned(), Some(qualifier.to_owned()))
                }
                _ => (value, None),
            };
            if !name.trim().is_empty() && !seen.insert(name.clone()) {
                check.fail(
                    item.span(),
                    format!("{what} lists {name:?} twice; expected each once"),
                );
            }
            if let Some(qualifier) = qualifier {
                qualifiers.insert(name.clone(), qualifier);
            }
            name
        })
        .collect();
    (names, qualifiers)
}

/// Lambda's Qualifier: an alias name, a version number or `$LATEST` (Lambda API reference,
/// GetFunctionConfiguration, `Qualifier`: 1 to 128 of `[a-zA-Z0-9$_-]`).
fn valid_qualifier(q: &str) -> bool {
    (1..=128).contains(&q.len())
        && q.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '_' | '-'))
}

fn regions(check: &mut Checker, raw: &SpannedList, of: &str) -> Vec<String> {
    if raw.get_ref().is_empty() {
        check.fail(
            raw.span(),
            format!(
                "`regions` {of} is empty; expected at least one region, the first being the primary"
            ),
        );
    }
    let mut seen = BTreeSet::new();
    raw.get_ref()
        .iter()
        .map(|region| {
            let name = check.region(region, &format!("`regions` {of} has"));
            if !seen.insert(name.clone()) {
                check.fail(
                    region.span(),
                    format!("`regions` {of} lists {name:?} twice; expected each region once"),
                );
            }
            name
        })
        .collect()
}

/// Non-empty, distinct strings, e.g. Lambda function names.
pub(super) fn distinct(
    check: &mut Checker,
    raw: &SpannedList,
    what: &str,
    expected: &str,
) -> Vec<String> {
    let mut seen = BTreeSet::new();
    raw.get_ref()
        .iter()
        .map(|item| {
            let value = check.non_empty(item, &format!("an item of {what}"), expected);
            if !value.trim().is_empty() && !seen.insert(value.clone()) {
                check.fail(
                    item.span(),
                    format!("{what} lists {value:?} twice; expected each once"),
                );
            }
            value
        })
        .collect()
}

/// A region -> value table whose keys must be among the service's regions.
pub(super) fn by_region(
    check: &mut Checker,
    raw: &SpannedMap,
    regions: &[String],
    what: &str,
    expected: &str,
) -> BTreeMap<String, String> {
    raw.get_ref()
        .iter()
        .map(|(region, value)| {
            let region = member(check, region, regions, &format!("{what} names region"));
            let value = check.non_empty(
                value,
                &format!("the value for {region:?} in {what}"),
                expected,
            );
            (region, value)
        })
        .collect()
}

/// A region that must be one of the service's; `what` ends in a verb.
fn member(check: &mut Checker, raw: &SpannedString, regions: &[String], what: &str) -> String {
    if !regions.contains(raw.get_ref()) {
        check.fail(
            raw.span(),
            format!(
                "{what} {:?}, which is not in the service's `regions`; expected one of: {}",
                raw.get_ref(),
                regions.join(", ")
            ),
        );
    }
    raw.get_ref().clone()
}

/// Rejects `{name}` placeholders not in `allowed`; returns whether the template passed.
fn check_placeholders(
    check: &mut Checker,
    template: &SpannedString,
    what: &str,
    allowed: &[&str],
) -> bool {
    let text = template.get_ref();
    let unknown = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .find(|name| !allowed.contains(name));
    let Some(name) = unknown else {
        return true;
    };
    let allowed = allowed
        .iter()
        .map(|name| format!("{{{name}}}"))
        .collect::<Vec<_>>()
        .join(" and ");
    check.fail(
        template.span(),
        format!("{what} is {text:?}, with unknown placeholder {{{name}}}; expected only {allowed}"),
    );
    false
}

fn artifacts(
    check: &mut Checker,
    raw: &RawArtifacts,
    regions: &[String],
    of: &str,
) -> ArtifactsConfig {
    let what = format!("`artifacts.bucket` {of}");
    let bucket = check.non_empty(
        &raw.bucket,
        &what,
        "an S3 bucket name template like \"artifacts-{region}\"",
    );
    if check_placeholders(check, &raw.bucket, &what, &["region"])
        && regions.len() > 1
        && !bucket.contains("{region}")
    {
        check.fail(
            raw.bucket.span(),
            format!(
                "{what} is {bucket:?}, without {{region}}; bucket names are global, so a \
                 service in several regions needs one bucket per region: expected a template \
                 like \"{bucket}-{{region}}\""
            ),
        );
    }
    let source_region = raw.source_region.as_ref().map_or_else(
        || regions.first().cloned().unwrap_or_default(),
        |region| {
            member(
                check,
                region,
                regions,
                &format!("`artifacts.source_region` {of} is"),
            )
        },
    );
    let latest = raw.latest.as_ref().map_or(DEFAULT_LATEST, |latest| {
        match usize::try_from(*latest.get_ref()) {
            Ok(count) if count >= 1 => count,
            _ => {
                check.fail(
                    latest.span(),
                    format!(
                        "`artifacts.latest` {of} is {}; expected a count of 1 or more",
                        latest.get_ref()
                    ),
                );
                DEFAULT_LATEST
            }
        }
    });
    ArtifactsConfig {
        bucket,
        prefix: raw
            .prefix
            .as_ref()
            .map_or_else(String::new, |prefix| prefix.get_ref().clone()),
        source_region,
        latest,
    }
}

fn pipeline(
    check: &mut Checker,
    raw: &RawPipeline,
    regions: &[String],
    of: &str,
) -> PipelineConfig {
    PipelineConfig {
        name: check.non_empty(
            &raw.name,
            &format!("`pipeline.name` {of}"),
            "the CodePipeline pipeline name",
        ),
        region: raw.region.as_ref().map_or_else(
            || regions.first().cloned().unwrap_or_default(),
            |region| {
                member(
                    check,
                    region,
                    regions,
                    &format!("`pipeline.region` {of} is"),
                )
            },
        ),
        approval_action: raw.approval_action.as_ref().map(|action| {
            check.non_empty(
                action,
                &format!("`pipeline.approval_action` {of}"),
                "the name of a manual approval action, or no key to use the first one",
            )
        }),
    }
}
