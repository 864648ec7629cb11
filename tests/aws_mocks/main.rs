#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The AWS backend against `aws-smithy-mocks`: what the moto emulator cannot do
//! (docs/ARCHITECTURE.md, "Testing"). Each test runs the real fetch code (`AwsBackend::fetch`) over
//! SDK clients whose answers are mock rules; clients a test does not mock have no rules, so a
//! call to one panics naming the request.

mod accounts;
mod apigateway;
#[path = "../aws_mocks_support/mod.rs"]
mod aws_mocks_support;
mod codepipeline;
mod codepipeline_partial;
mod dns_delegation;
mod errors;
mod health;
mod health_cloudwatch;
mod health_partial;
mod init;
mod lambda;
mod lambda_code;
mod s3;
mod team;

use std::collections::BTreeSet;
use std::time::Duration;

use aws_mocks_support::{
    Asked, MetricTable, ago, asked, backend, fake_cloudwatch, key, meta, mocked, no_domains_region,
    now, sdk_time, unused_control, unused_region,
};
use aws_smithy_mocks::{RuleMode, mock};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use switchyard::assess::{self, Verdict};
use switchyard::config::Thresholds;
use switchyard::fleet::Fleet;
use switchyard::model::{
    ApiKind, ApprovalAnswer, ApprovalRevision, CheckKind, DomainMapping, FunctionStats,
    HealthCheck, HealthStatus, LagSource, PendingApproval, PipelineInfo, ReplicaStatus,
    S3Replication, StageInfo, VerdictFrom,
};
use switchyard::source::aws::{AwsBackend, ControlClients, RegionClients, Tally};
use switchyard::source::{Entry, ErrorKind, Fetched, Payload, SourceError, SourceKey, SourceKind};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async fn fetch(
    b: &AwsBackend,
    kind: SourceKind,
    region: &str,
) -> (Tally, Result<Payload, SourceError>) {
    b.fetch(&SourceKey::new(kind, region), now()).await
}

fn lambda(result: Result<Payload, SourceError>) -> Vec<Entry<Vec<FunctionStats>>> {
    match result {
        Ok(Payload::Lambda(entries)) => entries,
        other => panic!("expected a Lambda payload, got {other:?}"),
    }
}

fn health(result: Result<Payload, SourceError>) -> Vec<Entry<HealthCheck>> {
    match result {
        Ok(Payload::Health(entries)) => entries,
        other => panic!("expected a Health payload, got {other:?}"),
    }
}

fn check<'a>(entries: &'a [Entry<HealthCheck>], service: &str, region: &str) -> &'a HealthCheck {
    entries
        .iter()
        .find(|e| e.service == service && e.region == region)
        .map(|e| &e.value)
        .unwrap_or_else(|| panic!("no health entry for {service} in {region}: {entries:?}"))
}

fn function<'a>(
    entries: &'a [Entry<Vec<FunctionStats>>],
    service: &str,
    name: &str,
) -> &'a FunctionStats {
    entries
        .iter()
        .find(|e| e.service == service)
        .and_then(|e| e.value.iter().find(|f| f.name == name))
        .unwrap_or_else(|| panic!("no stats for {name} of {service}: {entries:?}"))
}

fn error(result: Result<Payload, SourceError>) -> SourceError {
    match result {
        Err(e) => e,
        Ok(p) => panic!("expected the fetch to fail, got {p:?}"),
    }
}

/// Every message names where the call went: "<service> <API> in <region>".
fn assert_names(e: &SourceError, service: &str, api: &str, region: &str) {
    let where_ = format!("{service} {api} in {region}");
    assert!(
        e.message.contains(&where_),
        "message should name {where_:?}: {}",
        e.message
    );
}

/// GetFunctionConfiguration answering for any function: CodeSha256 "sha-<name>", 512 MB.
fn function_configurations() -> aws_smithy_mocks::Rule {
    use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput;
    mock!(aws_sdk_lambda::Client::get_function_configuration).then_compute_output(|input| {
        let name = input.function_name().unwrap_or("").to_string();
        GetFunctionConfigurationOutput::builder()
            .code_sha256(format!("sha-{name}"))
            .memory_size(512)
            .function_name(name)
            .build()
    })
}
