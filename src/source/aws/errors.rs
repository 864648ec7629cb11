//! SDK errors turned into messages for the person at the console: what failed (service, region,
//! API), why, and what to do about it.

use crate::source::{ErrorKind, SourceError};
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Where a call went (service, API, region), for the message. (Not `source::Call`, which is a
/// mutating call as data.)
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    pub service: &'a str,
    pub api: &'a str,
    pub region: &'a str,
}

/// The service name of the Route 53 API in messages (and in `Tally`'s count of Route 53 calls).
pub const ROUTE_53: &str = "Route 53";

/// What a throttled read goes on to do (a mutating call says something else; see `act.rs`).
pub const THROTTLED_READ: &str = "; backing off, showing the last data fetched";

/// Error codes AWS services use for throttling.
const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "PriorRequestNotComplete",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
];

const EXPIRED: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
];

const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "Forbidden",
];

/// Whom expired or missing credentials belong to: the profile of the call's credential set,
/// and the role it assumes with them, if any (README, "Several accounts").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Login<'a> {
    pub profile: Option<&'a str>,
    pub role: Option<&'a str>,
}

impl<'a> From<Option<&'a str>> for Login<'a> {
    fn from(profile: Option<&'a str>) -> Login<'a> {
        Login {
            profile,
            role: None,
        }
    }
}

/// Classify an SDK error and word it; the login (profile, role) is named in the fix for
/// expired credentials.
pub fn describe<'a, E>(
    op: Operation<'_>,
    err: &SdkError<E, HttpResponse>,
    login: impl Into<Login<'a>>,
) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let profile = login.into();
    let where_ = format!("{} {} in {}", op.service, op.api, op.region);
    match err {
        SdkError::ServiceError(service_err) => {
            let e = service_err.err();
            let message = e.message().unwrap_or("");
            // Some errors have no body (S3 HEAD): the HTTP status is all there is.
            let code = match (e.code(), service_err.raw().status().as_u16()) {
                (Some(code), _) => code,
                (None, 403) => "AccessDenied",
                (None, 429 | 503) => "SlowDown",
                (None, _) => "",
            };
            classify_code(&where_, op, code, message, profile)
        }
        SdkError::TimeoutError(_) => SourceError::new(
            ErrorKind::Timeout,
            format!("{where_}: timed out; the region's endpoint may be impaired"),
        ),
        SdkError::DispatchFailure(failure) => {
            let detail = chain(err);
            if failure.is_timeout() {
                SourceError::new(
                    ErrorKind::Timeout,
                    format!("{where_}: timed out connecting ({detail})"),
                )
            } else if detail.contains("credentials")
                || detail.contains("Credentials")
                || detail.contains("token")
            {
                credentials(&where_, &detail, profile)
            } else {
                SourceError::new(
                    ErrorKind::Unavailable,
                    format!("{where_}: cannot reach the endpoint ({detail})"),
                )
            }
        }
        SdkError::ResponseError(_) => SourceError::new(
            ErrorKind::Other,
            format!(
                "{where_}: unreadable response ({}); the endpoint may not implement this API",
                chain(err)
            ),
        ),
        _ => {
            let detail = chain(err);
            if detail.contains("credentials") || detail.contains("token") {
                credentials(&where_, &detail, profile)
            } else {
                SourceError::new(ErrorKind::Other, format!("{where_}: {detail}"))
            }
        }
    }
}

fn classify_code(
    where_: &str,
    op: Operation<'_>,
    code: &str,
    message: &str,
    profile: Login<'_>,
) -> SourceError {
    let detail = if message.is_empty() {
        code.to_string()
    } else {
        format!("{code}: {message}")
    };
    if THROTTLING.contains(&code) {
        SourceError::new(
            ErrorKind::Throttled,
            format!("{where_}: {detail}{THROTTLED_READ}"),
        )
    } else if EXPIRED.contains(&code) {
        credentials(where_, &detail, profile)
    } else if DENIED.contains(&code) {
        SourceError::new(
            ErrorKind::AccessDenied,
            match iam_action(op.service, op.api) {
                Some(action) => format!(
                    "{where_}: access denied ({detail}); the caller needs the IAM permission \
                     {action}"
                ),
                None => format!(
                    "{where_}: access denied ({detail}); the caller needs the IAM permission for \
                     {} {}",
                    op.service, op.api
                ),
            },
        )
    } else if code.is_empty() {
        SourceError::new(
            ErrorKind::Other,
            format!(
                "{where_}: the endpoint answered with an error it did not name; it may not implement this API"
            ),
        )
    } else {
        SourceError::new(ErrorKind::Other, format!("{where_}: {detail}"))
    }
}

fn credentials(where_: &str, detail: &str, login: Login<'_>) -> SourceError {
    let mut fix = match login.profile {
        Some(p) => {
            format!("run `aws sso login --profile {p}` (or refresh the profile's credentials)")
        }
        None => "refresh your credentials (e.g. `aws sso login`), then press r".to_string(),
    };
    if let Some(role) = login.role {
        fix.push_str(&format!(
            "; if they are current, they may not assume {role} (the caller needs \
             sts:AssumeRole on it, and its trust policy must let the caller in)"
        ));
    }
    SourceError::new(
        ErrorKind::Credentials,
        format!("{where_}: credentials missing or expired ({detail}); {fix}"),
    )
}

/// What an API is called for: the read path (the README's read-only policy), the guarded
/// actions (the README's action policy), or neither because it needs no permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Read,
    Act,
    /// The team bucket (`[team]`): the leases and the shared audit trail.
    Team,
    /// `switchyard init` only (discovery); it also reads with [`DISCOVERY_READS`].
    Discover,
    /// STS GetCallerIdentity: "No permissions are required to perform this operation" (STS API
    /// reference); a policy cannot deny it.
    Nothing,
}

/// Any API of the service (`"*"` in the table).
const ANY_API: &str = "*";

/// Every AWS API switchyard calls (service as in messages, API), the IAM action it needs, and
/// what for. The IAM action names are the Service Authorization Reference's (Actions, resources,
/// and condition keys for each service): they are not always `prefix:Api` (S3's
/// GetBucketReplication needs `s3:GetReplicationConfiguration`; API Gateway's are HTTP verbs on
/// resources). Access-denied messages name the action from here; a test holds the README's
/// policies to it.
pub const IAM_ACTIONS: &[(&str, &str, &str, Need)] = &[
    (
        ROUTE_53,
        "ListResourceRecordSets",
        "route53:ListResourceRecordSets",
        Need::Read,
    ),
    (
        ROUTE_53,
        "GetHealthCheck",
        "route53:GetHealthCheck",
        Need::Read,
    ),
    (
        ROUTE_53,
        "GetHostedZone",
        "route53:GetHostedZone",
        Need::Read,
    ),
    (
        ROUTE_53,
        "GetHealthCheckStatus",
        "route53:GetHealthCheckStatus",
        Need::Read,
    ),
    (
        ROUTE_53,
        "ListHealthChecks",
        "route53:ListHealthChecks",
        Need::Read,
    ),
    (
        ROUTE_53,
        "GetHealthCheckLastFailureReason",
        "route53:GetHealthCheckLastFailureReason",
        Need::Read,
    ),
    (
        "CloudWatch",
        "GetMetricData",
        "cloudwatch:GetMetricData",
        Need::Read,
    ),
    // With or without a Qualifier (an alias or version): the same action.
    (
        "Lambda",
        "GetFunctionConfiguration",
        "lambda:GetFunctionConfiguration",
        Need::Read,
    ),
    (
        "S3",
        "ListObjectVersions",
        "s3:ListBucketVersions",
        Need::Read,
    ),
    // HeadObject of a given versionId.
    ("S3", "HeadObject", "s3:GetObjectVersion", Need::Read),
    (
        "S3",
        "GetBucketReplication",
        "s3:GetReplicationConfiguration",
        Need::Read,
    ),
    // Every API Gateway read, v1 and v2 (domain names, mappings, integrations): GET.
    ("API Gateway", ANY_API, "apigateway:GET", Need::Read),
    (
        "CodePipeline",
        "GetPipeline",
        "codepipeline:GetPipeline",
        Need::Read,
    ),
    (
        "CodePipeline",
        "GetPipelineState",
        "codepipeline:GetPipelineState",
        Need::Read,
    ),
    (
        "CodePipeline",
        "GetPipelineExecution",
        "codepipeline:GetPipelineExecution",
        Need::Read,
    ),
    (
        "STS",
        "GetCallerIdentity",
        "sts:GetCallerIdentity",
        Need::Nothing,
    ),
    (
        ROUTE_53,
        "UpdateHealthCheck",
        "route53:UpdateHealthCheck",
        Need::Act,
    ),
    (
        "CodePipeline",
        "PutApprovalResult",
        "codepipeline:PutApprovalResult",
        Need::Act,
    ),
    (
        "Route 53 ARC",
        "UpdateRoutingControlStates",
        "route53-recovery-cluster:UpdateRoutingControlStates",
        Need::Act,
    ),
    (
        "Route 53 ARC",
        "GetRoutingControlState",
        "route53-recovery-cluster:GetRoutingControlState",
        // The routing control source reads it while watching (`arc` services only).
        Need::Read,
    ),
    // Discovery (README, "Getting started on AWS"): finding the zone, the pipelines, where the
    // buckets are.
    (
        ROUTE_53,
        "ListHostedZonesByName",
        "route53:ListHostedZonesByName",
        Need::Discover,
    ),
    (
        "CodePipeline",
        "ListPipelines",
        "codepipeline:ListPipelines",
        Need::Discover,
    ),
    (
        "S3",
        "GetBucketLocation",
        "s3:GetBucketLocation",
        Need::Discover,
    ),
    // The team bucket (README, "Working as a team"): conditional puts and deletes of the
    // leases, the audit objects, and reading both back.
    ("S3", "PutObject", "s3:PutObject", Need::Team),
    ("S3", "GetObject", "s3:GetObject", Need::Team),
    ("S3", "DeleteObject", "s3:DeleteObject", Need::Team),
    ("S3", "ListObjectsV2", "s3:ListBucket", Need::Team),
];

/// The read-path actions `switchyard init` needs besides its own (`Need::Discover`): the zone's
/// records, API Gateway's domains, mappings and integrations, the pipeline's declaration, the
/// source bucket's replication rules.
pub const DISCOVERY_READS: &[&str] = &[
    "route53:ListResourceRecordSets",
    "apigateway:GET",
    "codepipeline:GetPipeline",
    "s3:GetReplicationConfiguration",
];

/// The IAM action an API call needs (from `IAM_ACTIONS`), for access-denied messages.
pub fn iam_action(service: &str, api: &str) -> Option<&'static str> {
    let exact = IAM_ACTIONS
        .iter()
        .find(|(s, a, _, _)| *s == service && *a == api);
    let any = || {
        IAM_ACTIONS
            .iter()
            .find(|(s, a, _, _)| *s == service && *a == ANY_API)
    };
    exact.or_else(any).map(|(_, _, action, _)| *action)
}

/// The error and its causes on one line.
fn chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Shorthand for an SDK error inside a fetch: `.map_err(fail(op, login))`.
pub fn fail<'a, E>(
    op: Operation<'a>,
    login: impl Into<Login<'a>>,
) -> impl Fn(SdkError<E, HttpResponse>) -> SourceError + 'a
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let login = login.into();
    move |err| describe(op, &err, login)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn codes_are_classified_with_a_fix() {
        let op = Operation {
            service: "Route 53",
            api: "GetHealthCheckStatus",
            region: "us-east-1",
        };
        let t = classify_code("x", op, "Throttling", "Rate exceeded", None.into());
        assert_eq!(t.kind, ErrorKind::Throttled);
        let c = classify_code("x", op, "ExpiredToken", "expired", Some("ops").into());
        assert_eq!(c.kind, ErrorKind::Credentials);
        assert!(
            c.message.contains("aws sso login --profile ops"),
            "{}",
            c.message
        );
        let d = classify_code("x", op, "AccessDenied", "no", None.into());
        assert_eq!(d.kind, ErrorKind::AccessDenied);
        assert!(
            d.message.contains("route53:GetHealthCheckStatus"),
            "{}",
            d.message
        );
        assert_eq!(
            classify_code("x", op, "", "", None.into()).kind,
            ErrorKind::Other
        );
    }

    /// What each API needs, from the Service Authorization Reference ("Actions, resources, and
    /// condition keys" for Route 53, CloudWatch, Lambda, S3, API Gateway, CodePipeline, STS and
    /// Route 53 Recovery Cluster), written here from the reference rather than from the table.
    #[test]
    fn each_api_needs_the_iam_action_the_service_authorization_reference_names() {
        let cases = [
            (
                ROUTE_53,
                "ListResourceRecordSets",
                "route53:ListResourceRecordSets",
            ),
            (ROUTE_53, "GetHealthCheck", "route53:GetHealthCheck"),
            (
                ROUTE_53,
                "GetHealthCheckStatus",
                "route53:GetHealthCheckStatus",
            ),
            (ROUTE_53, "ListHealthChecks", "route53:ListHealthChecks"),
            (
                ROUTE_53,
                "GetHealthCheckLastFailureReason",
                "route53:GetHealthCheckLastFailureReason",
            ),
            (ROUTE_53, "UpdateHealthCheck", "route53:UpdateHealthCheck"),
            ("CloudWatch", "GetMetricData", "cloudwatch:GetMetricData"),
            (
                "Lambda",
                "GetFunctionConfiguration",
                "lambda:GetFunctionConfiguration",
            ),
            // S3: the actions are not named like the APIs.
            ("S3", "ListObjectVersions", "s3:ListBucketVersions"),
            ("S3", "HeadObject", "s3:GetObjectVersion"),
            (
                "S3",
                "GetBucketReplication",
                "s3:GetReplicationConfiguration",
            ),
            // API Gateway (v1 and v2): HTTP verbs on resources.
            ("API Gateway", "GetDomainNames", "apigateway:GET"),
            ("API Gateway", "GetBasePathMappings", "apigateway:GET"),
            ("API Gateway", "GetDomainNames (v2)", "apigateway:GET"),
            ("API Gateway", "GetApiMappings", "apigateway:GET"),
            ("API Gateway", "GetIntegration", "apigateway:GET"),
            ("API Gateway", "GetIntegrations", "apigateway:GET"),
            ("CodePipeline", "GetPipeline", "codepipeline:GetPipeline"),
            (
                "CodePipeline",
                "GetPipelineState",
                "codepipeline:GetPipelineState",
            ),
            (
                "CodePipeline",
                "GetPipelineExecution",
                "codepipeline:GetPipelineExecution",
            ),
            (
                "CodePipeline",
                "PutApprovalResult",
                "codepipeline:PutApprovalResult",
            ),
            ("STS", "GetCallerIdentity", "sts:GetCallerIdentity"),
            (
                "Route 53 ARC",
                "UpdateRoutingControlStates",
                "route53-recovery-cluster:UpdateRoutingControlStates",
            ),
            (
                "Route 53 ARC",
                "GetRoutingControlState",
                "route53-recovery-cluster:GetRoutingControlState",
            ),
            // The team bucket: ListObjectsV2 is `s3:ListBucket`.
            ("S3", "PutObject", "s3:PutObject"),
            ("S3", "GetObject", "s3:GetObject"),
            ("S3", "DeleteObject", "s3:DeleteObject"),
            ("S3", "ListObjectsV2", "s3:ListBucket"),
        ];
        for (service, api, action) in cases {
            assert_eq!(iam_action(service, api), Some(action), "{service} {api}");
        }
        assert_eq!(iam_action("S3", "CopyObject"), None, "not in the table");
    }

    /// `s3:GetBucketReplication` does not exist (Service Authorization Reference, Amazon S3):
    /// GetBucketReplication needs `s3:GetReplicationConfiguration`.
    #[test]
    fn access_denied_on_get_bucket_replication_names_s3_get_replication_configuration() {
        let op = Operation {
            service: "S3",
            api: "GetBucketReplication",
            region: "us-east-1",
        };
        let d = classify_code("x", op, "AccessDenied", "Access Denied", None.into());
        assert_eq!(d.kind, ErrorKind::AccessDenied);
        assert!(
            d.message.contains("s3:GetReplicationConfiguration")
                && !d.message.contains("s3:GetBucketReplication"),
            "{}",
            d.message
        );
    }

    /// The IAM actions of the README code block that follows the line starting with `lead`.
    fn readme_policy(readme: &str, lead: &str) -> std::collections::BTreeSet<String> {
        let start = readme
            .find(lead)
            .unwrap_or_else(|| panic!("no {lead:?} in README.md"));
        let block = readme[start..]
            .split("```")
            .nth(1)
            .unwrap_or_else(|| panic!("no code block after {lead:?}"));
        block
            .split_whitespace()
            .filter(|w| w.contains(':'))
            .map(str::to_string)
            .collect()
    }

    fn table(need: Need) -> std::collections::BTreeSet<String> {
        IAM_ACTIONS
            .iter()
            .filter(|(_, _, _, n)| *n == need)
            .map(|(_, _, action, _)| action.to_string())
            .collect()
    }

    /// README "Against AWS": the read-only policy lists every IAM action the read path needs and
    /// no other; the guarded actions' policy likewise. (Service Authorization Reference names.)
    #[test]
    fn the_readme_policies_list_exactly_the_actions_of_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let read = readme_policy(&readme, "The IAM permissions switchyard needs to read");
        assert_eq!(read, table(Need::Read), "README's read-only policy");
        let act = readme_policy(&readme, "And, only for the guarded actions");
        assert_eq!(
            act,
            table(Need::Act),
            "README's policy for the guarded actions"
        );
        let team = readme_policy(&readme, "With `[team]`, on the team's bucket");
        assert_eq!(
            team,
            table(Need::Team),
            "README's policy for the team bucket"
        );
        let discover = readme_policy(&readme, "The IAM permissions `switchyard init` needs");
        let mut expected = table(Need::Discover);
        expected.extend(DISCOVERY_READS.iter().map(|a| a.to_string()));
        assert_eq!(discover, expected, "README's policy for discovery");
        assert!(DISCOVERY_READS.iter().all(|a| read.contains(*a)));
    }

    /// Every API the AWS sources name (`Operation { service, api, .. }`, `route53_op("…")`, a
    /// mutating call's error) has its IAM action in the table, so no access-denied message
    /// guesses one.
    #[test]
    fn every_api_named_in_the_aws_sources_is_in_the_table() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/source/aws");
        let literal = |text: &str| text.split('"').nth(1).map(str::to_string);
        let mut named: Vec<(String, String)> = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("team_fail(\"") {
                named.push(("S3".into(), literal(&text[i..]).unwrap()));
            }
            for (i, _) in text.match_indices("route53_op(\"") {
                named.push((ROUTE_53.into(), literal(&text[i..]).unwrap()));
            }
            for (i, found) in text.match_indices("call_error(&e, \"") {
                let rest = &text[i + found.len()..];
                let Some((service, rest)) = rest.split_once('"') else {
                    continue;
                };
                // The API as a literal (a variable's calls are in the table by other names).
                if let Some(api) = rest.strip_prefix(", \"").and_then(|r| r.split('"').next()) {
                    named.push((service.into(), api.into()));
                }
            }
            for (i, _) in text.match_indices("api: \"") {
                let before = &text[i.saturating_sub(120)..i];
                let Some(at) = before.rfind("service: ") else {
                    continue;
                };
                let service = &before[at + "service: ".len()..];
                let service = match literal(service) {
                    Some(s) if service.starts_with('"') => s,
                    _ if service.starts_with("API_GATEWAY") => "API Gateway".into(),
                    _ => ROUTE_53.into(),
                };
                named.push((service, literal(&text[i..]).unwrap()));
            }
        }
        // Made-up names in this module's own tests and in the pagination helper's.
        named.retain(|(s, a)| {
            !matches!(
                (s.as_str(), a.as_str()),
                ("Test", _) | (_, "Any" | "ListThings" | "…")
            )
        });
        assert!(named.len() >= 10, "the scan found too little: {named:?}");
        for (service, api) in &named {
            assert!(
                iam_action(service, api).is_some(),
                "{service} {api} is not in IAM_ACTIONS"
            );
        }
    }
}
