//! Semantic checks for a service's `[service.failover]` table: the mechanism and what each
//! mechanism needs.

use std::collections::BTreeMap;

use toml::Spanned;

use super::raw::RawFailover;
use super::service::{by_region, distinct};
use super::validate::Checker;
use super::{FailoverConfig, Mechanism};

pub(super) fn failover(
    check: &mut Checker,
    raw: &Spanned<RawFailover>,
    regions: &[String],
    of: &str,
) -> FailoverConfig {
    let table_span = raw.span();
    let raw = raw.get_ref();
    let mechanism = match raw.mechanism.as_ref() {
        None => Mechanism::InvertHealthCheck,
        Some(value) => match value.get_ref().as_str() {
            "invert-health-check" => Mechanism::InvertHealthCheck,
            "pin-unhealthy" => Mechanism::PinUnhealthy,
            "arc" => Mechanism::Arc,
            other => {
                check.fail(
                    value.span(),
                    format!(
                        "`failover.mechanism` {of} is {other:?}; expected \
                         \"invert-health-check\", \"pin-unhealthy\" or \"arc\""
                    ),
                );
                Mechanism::InvertHealthCheck
            }
        },
    };
    let endpoints_what = format!("`failover.cluster_endpoints` {of}");
    let cluster_endpoints = raw
        .cluster_endpoints
        .as_ref()
        .map_or_else(Vec::new, |endpoints| {
            for endpoint in endpoints.get_ref() {
                let url = endpoint.get_ref();
                if url
                    .strip_prefix("https://")
                    .is_none_or(|rest| rest.trim().is_empty())
                {
                    check.fail(
                        endpoint.span(),
                        format!(
                            "{endpoints_what} has {url:?}; expected https URLs of the ARC cluster \
                         endpoints"
                        ),
                    );
                }
            }
            distinct(
                check,
                endpoints,
                &endpoints_what,
                "an https URL of an ARC cluster endpoint",
            )
        });
    let controls_what = format!("`failover.routing_controls` {of}");
    let routing_controls = raw
        .routing_controls
        .as_ref()
        .map_or_else(BTreeMap::new, |map| {
            for (region, arn) in map.get_ref() {
                let text = arn.get_ref();
                if !text.trim().is_empty() && !text.starts_with("arn:") {
                    check.fail(
                        arn.span(),
                        format!(
                            "the value for {:?} in {controls_what} is {text:?}; expected a \
                         routing control ARN starting with \"arn:\"",
                            region.get_ref()
                        ),
                    );
                }
            }
            by_region(check, map, regions, &controls_what, "a routing control ARN")
        });
    let mechanism_span = raw.mechanism.as_ref().map_or(table_span, Spanned::span);
    match mechanism {
        Mechanism::Arc => {
            if cluster_endpoints.is_empty() {
                let span = raw
                    .cluster_endpoints
                    .as_ref()
                    .map_or(mechanism_span.clone(), Spanned::span);
                check.fail(
                    span,
                    format!(
                        "mechanism \"arc\" {of} needs `cluster_endpoints`; expected at least \
                         one https URL of an ARC cluster endpoint"
                    ),
                );
            }
            let span = raw
                .routing_controls
                .as_ref()
                .map_or(mechanism_span, Spanned::span);
            for region in regions
                .iter()
                .filter(|region| !routing_controls.contains_key(*region))
            {
                check.fail(
                    span.clone(),
                    format!(
                        "mechanism \"arc\" {of} needs a routing control for {region:?}; \
                         expected `routing_controls` to map every region to a routing control ARN"
                    ),
                );
            }
        }
        Mechanism::InvertHealthCheck | Mechanism::PinUnhealthy => {
            let arc_only = [
                raw.cluster_endpoints.as_ref().map(Spanned::span),
                raw.routing_controls.as_ref().map(Spanned::span),
            ];
            if let Some(span) = arc_only.into_iter().flatten().min_by_key(|span| span.start) {
                check.fail(
                    span,
                    format!(
                        "`cluster_endpoints` and `routing_controls` {of} only apply to mechanism \
                         \"arc\"; expected mechanism = \"arc\", or remove them"
                    ),
                );
            }
        }
    }
    FailoverConfig {
        mechanism,
        cluster_endpoints,
        routing_controls,
    }
}
