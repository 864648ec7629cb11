#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Guarded actions against the real AWS backend, over `aws-smithy-mocks` clients: the mutating
//! calls moto cannot emulate (docs/ARCHITECTURE.md, "Testing": no Route 53 ARC, no CodePipeline
//! GetPipelineState / PutApprovalResult, HealthCheckVersion never checked). Each test builds a
//! `Fleet` from what the backend read, plans with `action::plan`, runs the plan with
//! `Execution::run` against a temporary audit log, and checks the requests the mocks saw, the
//! report and the audit records.

mod approval;
#[path = "../aws_mocks_support/mod.rs"]
mod aws_mocks_support;
mod health;
mod routing_controls;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_mocks_support::{
    ago, backend, fake_cloudwatch, mocked, now, unused_control, unused_region,
};
use aws_smithy_mocks::{MockResponse, RuleMode, mock};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use switchyard::action::audit::{AuditLog, AuditRecord, Phase};
use switchyard::action::{Execution, Plan, Report, Status, Verification, plan};
use switchyard::assess::preflight::CheckStatus;
use switchyard::config::Thresholds;
use switchyard::fleet::Fleet;
use switchyard::model::{ArtifactVersion, HealthCheck, HealthStatus, S3Replication};
use switchyard::source::aws::{AwsBackend, ControlClients, RegionClients};
use switchyard::source::call::{ApprovalResult, ApprovalStatus, OnOff, RoutingControlEntry};
use switchyard::source::{
    Backend, Call, CallErrorKind, Clock, Entry, Fetched, Payload, SourceKey, SourceKind,
};

use aws_sdk_route53recoverycluster as arc;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A directory under the system temp dir, removed when dropped (also when a test panics).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "switchyard-aws-actions-{}-{name}-{nanos}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    fn audit(&self) -> AuditLog {
        AuditLog::new(self.0.join("audit.jsonl"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a mock rule saw: each request's input, in order.
type Seen<T> = Arc<Mutex<Vec<T>>>;

fn seen<T: Clone>(log: &Seen<T>) -> Vec<T> {
    log.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

fn record<T>(log: &Seen<T>, value: T) {
    log.lock().unwrap_or_else(|e| e.into_inner()).push(value);
}

/// An HTTP response as the service sends it, so the SDK's own error parsing runs.
fn http(status: u16, content_type: &'static str, body: &str) -> HttpResponse {
    let mut response = HttpResponse::new(
        StatusCode::try_from(status).unwrap(),
        SdkBody::from(body.to_string()),
    );
    response.headers_mut().insert("content-type", content_type);
    response
}

/// An AWS JSON protocol error (ARC is awsJson 1.0, CodePipeline awsJson 1.1).
fn json_error(status: u16, json: &'static str, code: &str, message: &str) -> HttpResponse {
    http(
        status,
        json,
        &format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
    )
}

const ARC_JSON: &str = "application/x-amz-json-1.0";
const PIPELINE_JSON: &str = "application/x-amz-json-1.1";

fn fetched(key: SourceKey, payload: Payload) -> Fetched {
    Fetched {
        key,
        at: now(),
        calls: 1,
        route53_calls: 0,
        result: Ok(payload),
        partial: None,
    }
}

fn empty_fleet(b: &Backend) -> Fleet {
    Fleet::new(b.services(), &b.schedule(), Thresholds::default())
}

/// Verification reads once: the mocks answer at once, and the call counts stay exact.
fn execution<'a>(backend: &'a Backend, log: &'a AuditLog, clock: &'a Clock) -> Execution<'a> {
    Execution {
        backend,
        log,
        clock,
        actor: Some("arn:aws:sts::111122223333:assumed-role/ops/tester".into()),
        verification: Verification {
            attempts: 1,
            interval: Duration::from_millis(10),
        },
    }
}

fn phases(records: &[AuditRecord]) -> Vec<Phase> {
    records.iter().map(|r| r.phase).collect()
}

/// Every record belongs to the report's action and carries the plan's request.
fn assert_records_of(records: &[AuditRecord], report: &Report, plan: &Plan) {
    let id = report
        .id
        .clone()
        .expect("an audit id once the intent is written");
    for r in records {
        assert_eq!(r.id, id, "{r:?}");
        assert_eq!(r.action, plan.action.name());
        assert_eq!(
            (r.service.as_str(), r.target.as_str()),
            (plan.service.as_str(), plan.target.as_str())
        );
        assert_eq!(
            r.request,
            plan.request(),
            "the request as planned, in every phase"
        );
        assert_eq!(
            r.actor.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/ops/tester")
        );
        assert_eq!(r.forced_reason, report.forced_reason);
    }
    assert_eq!(
        (records[0].outcome.as_deref(), records[0].error.as_deref()),
        (None, None)
    );
}
