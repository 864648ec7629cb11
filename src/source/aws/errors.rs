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

/// Classify an SDK error and word it; `profile` is named in the fix for expired credentials.
pub fn describe<E>(
    op: Operation<'_>,
    err: &SdkError<E, HttpResponse>,
    profile: Option<&str>,
) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
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
    profile: Option<&str>,
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
            format!(
                "{where_}: access denied ({detail}); the caller needs the IAM permission {}",
                iam_action(op.service, op.api)
            ),
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

fn credentials(where_: &str, detail: &str, profile: Option<&str>) -> SourceError {
    let fix = match profile {
        Some(p) => {
            format!("run `aws sso login --profile {p}` (or refresh the profile's credentials)")
        }
        None => "refresh your credentials (e.g. `aws sso login`), then press r".to_string(),
    };
    SourceError::new(
        ErrorKind::Credentials,
        format!("{where_}: credentials missing or expired ({detail}); {fix}"),
    )
}

/// The IAM action an API call needs; mostly `prefix:Api`, but not always.
fn iam_action(service: &str, api: &str) -> String {
    let prefix = match service {
        ROUTE_53 => "route53",
        "Route 53 ARC" => "route53-recovery-cluster",
        "CloudWatch" => "cloudwatch",
        "S3" => "s3",
        // API Gateway's IAM actions are HTTP verbs on resources.
        "API Gateway" => return "apigateway:GET".to_string(),
        "Lambda" => "lambda",
        "CodePipeline" => "codepipeline",
        "STS" => "sts",
        _ => "?",
    };
    let action = match (service, api) {
        ("S3", "ListObjectVersions") => "ListBucketVersions",
        ("S3", "HeadObject") => "GetObjectVersion",
        _ => api,
    };
    format!("{prefix}:{action}")
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

/// Shorthand for an SDK error inside a fetch: `.map_err(fail(op, profile))`.
pub fn fail<'a, E>(
    op: Operation<'a>,
    profile: Option<&'a str>,
) -> impl Fn(SdkError<E, HttpResponse>) -> SourceError + 'a
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    move |err| describe(op, &err, profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified_with_a_fix() {
        let op = Operation {
            service: "Route 53",
            api: "GetHealthCheckStatus",
            region: "us-east-1",
        };
        let t = classify_code("x", op, "Throttling", "Rate exceeded", None);
        assert_eq!(t.kind, ErrorKind::Throttled);
        let c = classify_code("x", op, "ExpiredToken", "expired", Some("ops"));
        assert_eq!(c.kind, ErrorKind::Credentials);
        assert!(
            c.message.contains("aws sso login --profile ops"),
            "{}",
            c.message
        );
        let d = classify_code("x", op, "AccessDenied", "no", None);
        assert_eq!(d.kind, ErrorKind::AccessDenied);
        assert!(
            d.message.contains("route53:GetHealthCheckStatus"),
            "{}",
            d.message
        );
        assert_eq!(classify_code("x", op, "", "", None).kind, ErrorKind::Other);
    }
}
