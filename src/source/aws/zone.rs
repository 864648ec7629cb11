//! Route 53 hosted zone records: the shared name's failover pair and the regional names, read
//! for finding health checks (`route53.rs`) and for DNS drift (`apigateway.rs`).

use super::errors::{Operation, fail};
use super::{AwsBackend, Tally};
use crate::config::ServiceConfig;
use crate::source::SourceError;

/// One record of the hosted zone, as far as switchyard cares.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Lower case, without the trailing dot.
    pub name: String,
    pub record_type: String,
    pub set_identifier: Option<String>,
    /// "PRIMARY" or "SECONDARY" for failover records.
    pub failover: Option<String>,
    pub health_check_id: Option<String>,
    /// The alias target's DNS name or the first value (CNAME), without the trailing dot.
    pub target: Option<String>,
}

pub fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Every record of the zone (paginated).
pub async fn records(
    b: &AwsBackend,
    zone: &str,
    tally: &mut Tally,
) -> Result<Vec<Record>, SourceError> {
    let op = Operation {
        service: "Route 53",
        api: "ListResourceRecordSets",
        region: &b.config.aws.control_region,
    };
    let mut out = Vec::new();
    let mut next: Option<(String, Option<String>, Option<String>)> = None;
    loop {
        tally.call();
        let mut req = b.route53.list_resource_record_sets().hosted_zone_id(zone);
        if let Some((name, kind, id)) = next.clone() {
            req = req
                .start_record_name(name)
                .set_start_record_type(kind.map(|k| k.as_str().into()))
                .set_start_record_identifier(id);
        }
        let page = req.send().await.map_err(fail(op, b.profile()))?;
        for r in page.resource_record_sets() {
            let target = r
                .alias_target()
                .map(|a| a.dns_name().to_string())
                .or_else(|| r.resource_records().first().map(|v| v.value().to_string()))
                .map(|t| normalize(&t));
            out.push(Record {
                name: normalize(r.name()),
                record_type: r.r#type().as_str().to_string(),
                set_identifier: r.set_identifier().map(str::to_string),
                failover: r.failover().map(|f| f.as_str().to_string()),
                health_check_id: r.health_check_id().map(str::to_string),
                target,
            });
        }
        if !page.is_truncated() {
            break;
        }
        let following = page.next_record_name().map(|name| {
            (
                name.to_string(),
                page.next_record_type().map(|t| t.as_str().to_string()),
                page.next_record_identifier().map(str::to_string),
            )
        });
        // No next record, or the same one again (which would list the same page forever).
        if following.is_none() || following == next {
            break;
        }
        next = following;
    }
    Ok(out)
}

/// The record that sends `name` to `region`: for the shared name the failover record whose
/// target is in that region (else by failover role), for a regional name its only record.
pub fn record_for<'a>(
    records: &'a [Record],
    service: &ServiceConfig,
    name: &str,
    region: &str,
) -> Option<&'a Record> {
    let name = normalize(name);
    let candidates: Vec<&Record> = records.iter().filter(|r| r.name == name).collect();
    let in_region = format!(".{region}.");
    candidates
        .iter()
        .find(|r| {
            r.target
                .as_deref()
                .is_some_and(|t| format!(".{t}.").contains(&in_region))
        })
        .or_else(|| {
            let role = if service.is_primary(region) {
                "PRIMARY"
            } else {
                "SECONDARY"
            };
            let two_regions = service.regions.len() == 2;
            candidates
                .iter()
                .find(|r| r.failover.as_deref() == Some(role) && (two_regions || role == "PRIMARY"))
        })
        .or_else(|| candidates.iter().find(|r| r.failover.is_none()))
        .copied()
}
