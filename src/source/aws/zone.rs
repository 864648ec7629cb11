//! Route 53 hosted zone records: the shared name's failover pair and the regional names, read
//! for finding health checks (`route53.rs`) and for DNS drift (`apigateway.rs`).

use super::errors::fail;
use super::pages::{self, Page};
use super::{AwsBackend, Tally};
use crate::config::ServiceConfig;
use crate::source::SourceError;
use aws_sdk_route53::types::RrType;

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

/// The position ListResourceRecordSets gives for its next page: record name, type and set
/// identifier.
type NextRecord = (String, Option<RrType>, Option<String>);

/// Every record of the zone (paginated).
pub async fn records(
    b: &AwsBackend,
    zone: &str,
    tally: &mut Tally,
) -> Result<Vec<Record>, SourceError> {
    let op = b.route53_op("ListResourceRecordSets");
    let profile = b.profile();
    pages::read_all(tally, op, pages::ALL, |next: Option<NextRecord>| {
        let (name, kind, id) = next.map_or((None, None, None), |(n, k, i)| (Some(n), k, i));
        let request = b
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone)
            .set_start_record_name(name)
            .set_start_record_type(kind)
            .set_start_record_identifier(id);
        async move {
            let page = request.send().await.map_err(fail(op, profile))?;
            let next = page
                .is_truncated()
                .then(|| {
                    page.next_record_name().map(|name| {
                        (
                            name.to_string(),
                            page.next_record_type().cloned(),
                            page.next_record_identifier().map(str::to_string),
                        )
                    })
                })
                .flatten();
            Ok(Page {
                items: page.resource_record_sets().iter().map(record).collect(),
                next,
            })
        }
    })
    .await
}

fn record(r: &aws_sdk_route53::types::ResourceRecordSet) -> Record {
    let target = r
        .alias_target()
        .map(|a| a.dns_name().to_string())
        .or_else(|| r.resource_records().first().map(|v| v.value().to_string()))
        .map(|t| normalize(&t));
    Record {
        name: normalize(r.name()),
        record_type: r.r#type().as_str().to_string(),
        set_identifier: r.set_identifier().map(str::to_string),
        failover: r.failover().map(|f| f.as_str().to_string()),
        health_check_id: r.health_check_id().map(str::to_string),
        target,
    }
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
