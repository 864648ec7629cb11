//! A fleet's Route 53 as mock rules: services s0, s1, … each with a failover pair (PRIMARY in
//! us-east-1, SECONDARY in us-west-2, alias records to the regional custom domains, each with its
//! health check), the checks' configurations (listed or one by one) and a healthy status.

use super::{now, sdk_time};
use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput;
use aws_sdk_route53::types::{
    AliasTarget, HealthCheck, HealthCheckConfig, HealthCheckObservation, HealthCheckRegion,
    HealthCheckType, ResourceRecordSet, ResourceRecordSetFailover, RrType, StatusReport,
};
use aws_smithy_mocks::{Rule, mock};

pub const EAST: &str = "us-east-1";
pub const WEST: &str = "us-west-2";

/// The custom domain target of service `i` in `region`.
pub fn target(i: usize, region: &str) -> String {
    format!("d-s{i}.execute-api.{region}.amazonaws.com")
}

/// The health check behind service `i`'s failover record in `region`.
pub fn check_id(i: usize, region: &str) -> String {
    format!("hc-s{i}-{region}")
}

/// Every service's failover pair.
pub fn fleet_records(services: usize) -> Vec<ResourceRecordSet> {
    let mut records = Vec::new();
    for i in 0..services {
        for (region, role) in [(EAST, "PRIMARY"), (WEST, "SECONDARY")] {
            records.push(
                ResourceRecordSet::builder()
                    .name(format!("s{i}.example.com."))
                    .r#type(RrType::A)
                    .set_identifier(format!("s{i}-{region}"))
                    .failover(ResourceRecordSetFailover::from(role))
                    .health_check_id(check_id(i, region))
                    .alias_target(
                        AliasTarget::builder()
                            .hosted_zone_id("Z1UJRXOUMOOFQ8")
                            .dns_name(format!("{}.", target(i, region)))
                            .evaluate_target_health(false)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            );
        }
    }
    records
}

/// ListResourceRecordSets of `zone`: the fleet's records on one page.
pub fn zone_rule(zone: &'static str, services: usize) -> Rule {
    mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .match_requests(move |r| r.hosted_zone_id() == Some(zone))
        .then_output(move || {
            ListResourceRecordSetsOutput::builder()
                .set_resource_record_sets(Some(fleet_records(services)))
                .is_truncated(false)
                .max_items(300)
                .build()
                .unwrap()
        })
}

/// An HTTPS check, neither inverted nor disabled.
pub fn health_check(id: &str) -> HealthCheck {
    HealthCheck::builder()
        .id(id)
        .caller_reference(format!("ref-{id}"))
        .health_check_version(1)
        .health_check_config(
            HealthCheckConfig::builder()
                .r#type(HealthCheckType::Https)
                .fully_qualified_domain_name("example.com")
                .inverted(false)
                .disabled(false)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// GetHealthCheck of any id.
pub fn get_health_check_rule() -> Rule {
    mock!(aws_sdk_route53::Client::get_health_check).then_compute_output(|r| {
        aws_sdk_route53::operation::get_health_check::GetHealthCheckOutput::builder()
            .health_check(health_check(r.health_check_id().unwrap_or("")))
            .build()
    })
}

/// ListHealthChecks answering the given checks on one page.
pub fn list_health_checks_rule(ids: Vec<String>) -> Rule {
    mock!(aws_sdk_route53::Client::list_health_checks).then_output(move || {
        aws_sdk_route53::operation::list_health_checks::ListHealthChecksOutput::builder()
            .set_health_checks(Some(ids.iter().map(|id| health_check(id)).collect()))
            .marker("")
            .is_truncated(false)
            .max_items(1000)
            .build()
            .unwrap()
    })
}

/// The fleet's checks: both of every service.
pub fn all_check_ids(services: usize) -> Vec<String> {
    (0..services)
        .flat_map(|i| [check_id(i, EAST), check_id(i, WEST)])
        .collect()
}

/// GetHealthCheckStatus: one us-east-1 checker, healthy.
pub fn status_rule() -> Rule {
    mock!(aws_sdk_route53::Client::get_health_check_status).then_output(|| {
        aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput::builder()
            .health_check_observations(
                HealthCheckObservation::builder()
                    .region(HealthCheckRegion::UsEast1)
                    .ip_address("15.177.0.1")
                    .status_report(
                        StatusReport::builder()
                            .status("Success: HTTP Status Code 200, OK")
                            .checked_time(sdk_time(now()))
                            .build(),
                    )
                    .build(),
            )
            .build()
            .unwrap()
    })
}
