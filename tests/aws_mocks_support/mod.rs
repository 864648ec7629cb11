//! Plumbing for the `aws-smithy-mocks` tests (`tests/aws_mocks/` and others): SDK clients
//! answered by `aws-smithy-mocks` rules, clients that must not be called, a config from TOML, a
//! fixed clock and a small fake of CloudWatch GetMetricData that answers each query from a table
//! keyed by what the query asks for; a fleet's Route 53 as rules (`route53_fleet`); and
//! (`waves`) which calls a fetch makes at the same time.
#![allow(dead_code)]

pub mod route53_fleet;
pub mod waves;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use aws_sdk_cloudwatch::operation::get_metric_data::{GetMetricDataInput, GetMetricDataOutput};
use aws_sdk_cloudwatch::types::{MetricDataQuery, MetricDataResult, StatusCode};
use aws_smithy_mocks::{Rule, mock};
use switchyard::config::Config;
use switchyard::model::Timestamp;
use switchyard::source::aws::{AwsBackend, ControlClients, RegionClients};

/// A client of `$krate` whose every call is answered by the rules (and panics, naming the
/// request, when none matches). Built by hand rather than with `aws_smithy_mocks::mock_client!`:
/// that macro needs each SDK crate's `test-util` feature (`with_test_defaults_v2`), which the
/// dev-dependencies do not enable. Retries are off unless a `RetryConfig` is given.
macro_rules! mocked {
    ($krate:ident, $mode:expr, [$($rule:expr),* $(,)?]) => {
        $crate::aws_mocks_support::mocked!(
            $krate,
            $mode,
            [$($rule),*],
            ::aws_smithy_types::retry::RetryConfig::disabled()
        )
    };
    ($krate:ident, $mode:expr, [$($rule:expr),* $(,)?], $retry:expr) => {{
        #[allow(unused_mut)]
        let mut interceptor = ::aws_smithy_mocks::MockResponseInterceptor::new().rule_mode($mode);
        $(interceptor = interceptor.with_rule($rule);)*
        $krate::Client::from_conf(
            $krate::Config::builder()
                .behavior_version($krate::config::BehaviorVersion::latest())
                .region($krate::config::Region::new("us-east-1"))
                .credentials_provider($krate::config::Credentials::new(
                    "AKIDMOCK", "mock-secret", None, None, "aws_mocks",
                ))
                .http_client(::aws_smithy_mocks::create_mock_http_client())
                .interceptor(interceptor)
                .retry_config($retry)
                .build(),
        )
    }};
}
pub(crate) use mocked;

/// A client with no rules: any call panics with "no rules matched … for <the request>", so a
/// test shows it when code calls a service it should not.
macro_rules! unused {
    ($krate:ident) => {
        $crate::aws_mocks_support::mocked!($krate, ::aws_smithy_mocks::RuleMode::MatchAny, [])
    };
}

/// Every regional client unused; tests replace the ones they mock with struct update syntax.
pub fn unused_region() -> RegionClients {
    RegionClients {
        apigateway: unused!(aws_sdk_apigateway),
        apigatewayv2: unused!(aws_sdk_apigatewayv2),
        lambda: unused!(aws_sdk_lambda),
        s3: unused!(aws_sdk_s3),
        cloudwatch: unused!(aws_sdk_cloudwatch),
        codepipeline: unused!(aws_sdk_codepipeline),
    }
}

/// A region without custom domains: both API Gateway GetDomainNames listings answer empty, so
/// no mapping maps an API and no integration is read (the Lambda source reads them to learn
/// which alias or version API Gateway invokes); every other client unused.
pub fn no_domains_region() -> RegionClients {
    let v1 = mock!(aws_sdk_apigateway::Client::get_domain_names).then_output(|| {
        aws_sdk_apigateway::operation::get_domain_names::GetDomainNamesOutput::builder().build()
    });
    let v2 = mock!(aws_sdk_apigatewayv2::Client::get_domain_names).then_output(|| {
        aws_sdk_apigatewayv2::operation::get_domain_names::GetDomainNamesOutput::builder().build()
    });
    RegionClients {
        apigateway: mocked!(
            aws_sdk_apigateway,
            aws_smithy_mocks::RuleMode::MatchAny,
            [&v1]
        ),
        apigatewayv2: mocked!(
            aws_sdk_apigatewayv2,
            aws_smithy_mocks::RuleMode::MatchAny,
            [&v2]
        ),
        ..unused_region()
    }
}

pub fn unused_control() -> ControlClients {
    ControlClients {
        route53: unused!(aws_sdk_route53),
        cloudwatch: unused!(aws_sdk_cloudwatch),
        sts: unused!(aws_sdk_sts),
    }
}

pub fn config(toml: &str) -> Config {
    Config::parse(toml, Path::new("test.toml")).unwrap_or_else(|e| panic!("test config: {e}"))
}

pub fn backend(
    toml: &str,
    control: ControlClients,
    regions: Vec<(&str, RegionClients)>,
) -> AwsBackend {
    let regions: BTreeMap<String, RegionClients> = regions
        .into_iter()
        .map(|(r, c)| (r.to_string(), c))
        .collect();
    AwsBackend::from_clients(config(toml), control, regions)
}

/// The tests' "now": on a minute boundary, as CloudWatch's one-minute points are.
pub fn now() -> Timestamp {
    ts("2026-11-10T12:00:00Z")
}

pub fn ts(rfc3339: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .with_timezone(&chrono::Utc)
}

/// `minutes` before [`now`].
pub fn ago(minutes: i64) -> Timestamp {
    now() - chrono::Duration::minutes(minutes)
}

pub fn sdk_time(t: Timestamp) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(t.timestamp())
}

/// What a GetMetricData query asks for: (namespace, metric, dimension value, statistic).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Asked {
    pub namespace: String,
    pub metric: String,
    pub dimension: String,
    pub stat: String,
    pub period: i32,
}

pub fn asked(q: &MetricDataQuery) -> Asked {
    let stat = q
        .metric_stat()
        .unwrap_or_else(|| panic!("query without MetricStat: {q:?}"));
    let metric = stat
        .metric()
        .unwrap_or_else(|| panic!("query without Metric: {q:?}"));
    Asked {
        namespace: metric.namespace().unwrap_or("").to_string(),
        metric: metric.metric_name().unwrap_or("").to_string(),
        dimension: metric
            .dimensions()
            .iter()
            .map(|d| format!("{}={}", d.name().unwrap_or(""), d.value().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(","),
        stat: stat.stat().unwrap_or("").to_string(),
        period: stat.period().unwrap_or(0),
    }
}

/// The points CloudWatch holds, by (namespace, metric, "Name=value", statistic).
pub type MetricTable = BTreeMap<(String, String, String, String), Vec<(Timestamp, f64)>>;

pub fn key(
    namespace: &str,
    metric: &str,
    dimension: &str,
    stat: &str,
) -> (String, String, String, String) {
    (
        namespace.into(),
        metric.into(),
        dimension.into(),
        stat.into(),
    )
}

/// What each GetMetricData call received: the queries (in order), start and end.
#[derive(Debug, Clone)]
pub struct SeenCall {
    pub queries: Vec<MetricDataQuery>,
    pub start: Option<aws_smithy_types::DateTime>,
    pub end: Option<aws_smithy_types::DateTime>,
}

/// A GetMetricData rule answering every query from `table`, newest point first (CloudWatch's
/// default order), with StatusCode Complete; a query with no points gets an empty result, as
/// CloudWatch gives for a metric with no data. Every call is recorded in the returned log.
pub fn fake_cloudwatch(table: MetricTable) -> (Rule, Arc<Mutex<Vec<SeenCall>>>) {
    let log: Arc<Mutex<Vec<SeenCall>>> = Arc::default();
    let seen = Arc::clone(&log);
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(
        move |input: &GetMetricDataInput| {
            seen.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(SeenCall {
                    queries: input.metric_data_queries().to_vec(),
                    start: input.start_time().copied(),
                    end: input.end_time().copied(),
                });
            let mut out = GetMetricDataOutput::builder();
            for q in input.metric_data_queries() {
                let a = asked(q);
                let mut points = table
                    .get(&key(&a.namespace, &a.metric, &a.dimension, &a.stat))
                    .cloned()
                    .unwrap_or_default();
                points.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
                let mut result = MetricDataResult::builder()
                    .id(q.id().unwrap_or(""))
                    .status_code(StatusCode::Complete);
                for (t, v) in points {
                    result = result.timestamps(sdk_time(t)).values(v);
                }
                out = out.metric_data_results(result.build());
            }
            out.build()
        },
    );
    (rule, log)
}

/// A modeled service error with an AWS error code, as the SDK builds from a response.
pub fn meta(code: &str, message: &str) -> aws_smithy_types::error::ErrorMetadata {
    aws_smithy_types::error::ErrorMetadata::builder()
        .code(code)
        .message(message)
        .build()
}

/// CodePipeline GetPipeline: every pipeline asked for declares the given manual approvals
/// (stage, action, timeoutInMinutes; category Approval, provider Manual), each in a stage of its
/// own, after a Build stage whose action is of another category. Its version is 1.
pub fn manual_approvals_declared(approvals: &[(&str, &str, Option<i32>)]) -> Rule {
    use aws_sdk_codepipeline::operation::get_pipeline::GetPipelineOutput;
    use aws_sdk_codepipeline::types::{
        ActionCategory, ActionDeclaration, ActionOwner, ActionTypeId, PipelineDeclaration,
        StageDeclaration,
    };
    let approvals: Vec<(String, String, Option<i32>)> = approvals
        .iter()
        .map(|(s, a, t)| (s.to_string(), a.to_string(), *t))
        .collect();
    mock!(aws_sdk_codepipeline::Client::get_pipeline).then_compute_output(move |r| {
        let kind = |category, provider: &str| {
            ActionTypeId::builder()
                .category(category)
                .owner(ActionOwner::Aws)
                .provider(provider)
                .version("1")
                .build()
                .unwrap()
        };
        let build = ActionDeclaration::builder()
            .name("Build")
            .action_type_id(kind(ActionCategory::Build, "CodeBuild"))
            .build()
            .unwrap();
        let mut declared = PipelineDeclaration::builder()
            .name(r.name().unwrap_or(""))
            .role_arn("arn:aws:iam::123456789012:role/pipeline")
            .version(1)
            .stages(
                StageDeclaration::builder()
                    .name("Build")
                    .actions(build)
                    .build()
                    .unwrap(),
            );
        for (stage, action, timeout) in &approvals {
            let mut approval = ActionDeclaration::builder()
                .name(action)
                .action_type_id(kind(ActionCategory::Approval, "Manual"));
            if let Some(minutes) = timeout {
                approval = approval.timeout_in_minutes(*minutes);
            }
            declared = declared.stages(
                StageDeclaration::builder()
                    .name(stage)
                    .actions(approval.build().unwrap())
                    .build()
                    .unwrap(),
            );
        }
        GetPipelineOutput::builder()
            .pipeline(declared.build().unwrap())
            .build()
    })
}
