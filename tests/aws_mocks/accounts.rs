//! Several accounts (README, "Several accounts"): each credential set's expired session is
//! reported with its own profile's login command, and the account pin is judged from each set's
//! GetCallerIdentity.

use super::*;
use switchyard::source::Call;

const TWO_PROFILES: &str = r#"
[aws]
control_region = "us-east-1"
profile = "tooling"

[aws.lambda]
profile = "workload"

[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1"]
functions = ["api-fn"]
"#;

fn expired() -> aws_smithy_types::error::ErrorMetadata {
    meta(
        "ExpiredTokenException",
        "The security token included in the request is expired",
    )
}

/// Why mocks: moto takes any credentials and has no SSO, so an expired session can only be
/// injected. The error is the STS/service answer to an expired token (AWS STS API reference,
/// "ExpiredTokenException"); the fix names the profile of the set the call went through.
#[tokio::test]
async fn an_expired_session_names_the_login_of_the_set_it_belongs_to() {
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError;
    use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationError;
    use aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsError;
    let records = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .then_error(|| ListResourceRecordSetsError::generic(expired()));
    let configs = mock!(aws_sdk_lambda::Client::get_function_configuration)
        .then_error(|| GetFunctionConfigurationError::generic(expired()));
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(|| GetMetricDataError::generic(expired()));
    let b = backend(
        TWO_PROFILES,
        ControlClients {
            route53: mocked!(aws_sdk_route53, RuleMode::MatchAny, [&records]),
            ..unused_control()
        },
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
                ..no_domains_region()
            },
        )],
    );
    let (_, result) = fetch(&b, SourceKind::Health, "us-east-1").await;
    let e = error(result);
    assert_eq!(e.kind, ErrorKind::Credentials, "{e:?}");
    assert!(
        e.message.contains("aws sso login --profile tooling"),
        "{}",
        e.message
    );
    let (_, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let e = error(result);
    assert_eq!(e.kind, ErrorKind::Credentials, "{e:?}");
    assert!(
        e.message.contains("aws sso login --profile workload"),
        "{}",
        e.message
    );
}

/// Through a role, an expired (or refused) credential may also be the role refusing them: the
/// fix names the role and what assuming it needs (AWS STS API reference, AssumeRole: the caller
/// needs sts:AssumeRole and the role's trust policy must allow it). Why mocks: moto takes any
/// credentials and assumes any role.
#[tokio::test]
async fn a_credentials_error_through_a_role_names_the_role() {
    use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationError;
    let configs = mock!(aws_sdk_lambda::Client::get_function_configuration)
        .then_error(|| GetFunctionConfigurationError::generic(expired()));
    let metrics = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_error(|| {
        aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError::generic(expired())
    });
    let role = "arn:aws:iam::111111111111:role/workload";
    let toml = TWO_PROFILES.replace("profile = \"workload\"", &format!("role_arn = \"{role}\""));
    let b = backend(
        &toml,
        unused_control(),
        vec![(
            "us-east-1",
            RegionClients {
                lambda: mocked!(aws_sdk_lambda, RuleMode::MatchAny, [&configs]),
                cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&metrics]),
                ..no_domains_region()
            },
        )],
    );
    let (_, result) = fetch(&b, SourceKind::Lambda, "us-east-1").await;
    let e = error(result);
    assert_eq!(e.kind, ErrorKind::Credentials, "{e:?}");
    // The role is assumed with `[aws] profile`: that login, then the role.
    assert!(
        e.message.contains("aws sso login --profile tooling")
            && e.message.contains(&format!("they may not assume {role}"))
            && e.message.contains("sts:AssumeRole"),
        "{}",
        e.message
    );
}

/// The same for GetCallerIdentity: each set's caller is unknown, each with its own login.
#[tokio::test]
async fn each_sets_caller_error_names_its_own_profile() {
    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
    let identity = mock!(aws_sdk_sts::Client::get_caller_identity)
        .then_error(|| GetCallerIdentityError::generic(expired()));
    let b = backend(
        TWO_PROFILES,
        ControlClients {
            sts: mocked!(aws_sdk_sts, RuleMode::MatchAny, [&identity]),
            ..unused_control()
        },
        vec![],
    );
    let callers = b.callers().await;
    let seen: Vec<(&str, bool)> = callers
        .iter()
        .map(|c| {
            let error = c.error.as_deref().unwrap_or_default();
            let profile = c.credentials.trim_start_matches("profile ");
            (
                c.credentials.as_str(),
                error.contains(&format!("aws sso login --profile {profile}")),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![("profile tooling", true), ("profile workload", true)]
    );
    assert_eq!(callers[1].apis, vec!["lambda".to_string()]);
}

fn invert() -> Call {
    Call::UpdateHealthCheck {
        health_check_id: "hc-1".into(),
        health_check_version: 1,
        inverted: true,
        disabled: None,
        regions: Vec::new(),
    }
}

fn caller_in(account: &'static str) -> aws_smithy_mocks::Rule {
    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
    mock!(aws_sdk_sts::Client::get_caller_identity).then_output(move || {
        GetCallerIdentityOutput::builder()
            .arn(format!("arn:aws:sts::{account}:assumed-role/ops/me"))
            .account(account)
            .build()
    })
}

/// The wrong-account mistake: an action's calls are refused when the caller of their API's set
/// is not in the account its `account_id` pins, and go ahead when it is (GetCallerIdentity
/// "Account": AWS STS API reference).
#[tokio::test]
async fn the_account_pin_refuses_calls_from_another_account() {
    let pinned = TWO_PROFILES.replace(
        "[aws.lambda]",
        "[aws.route53]\naccount_id = \"111111111111\"\n\n[aws.lambda]",
    );
    let identity = caller_in("222222222222");
    let b = backend(
        &pinned,
        ControlClients {
            sts: mocked!(aws_sdk_sts, RuleMode::MatchAny, [&identity]),
            ..unused_control()
        },
        vec![],
    );
    let why = b.account_refusal("api", &[invert()]).await.unwrap();
    assert!(
        why.contains("in account 222222222222")
            && why.contains("aws.route53.account_id pins 111111111111")
            && why.contains("nothing was sent"),
        "{why}"
    );
    // Its caller list says the same.
    let callers = b.callers().await;
    assert_eq!(callers[0].wrong_account.len(), 1, "{callers:?}");
    assert_eq!(callers[0].wrong_account[0].api, "route53");
    assert!(callers[1].wrong_account.is_empty(), "lambda has no pin");

    let identity = caller_in("111111111111");
    let b = backend(
        &pinned,
        ControlClients {
            sts: mocked!(aws_sdk_sts, RuleMode::MatchAny, [&identity]),
            ..unused_control()
        },
        vec![],
    );
    assert_eq!(b.account_refusal("api", &[invert()]).await, None);
}

/// No pin, no question: without `account_id` nothing is asked before an action (the STS
/// client has no rules, so a call would panic).
#[tokio::test]
async fn without_a_pin_no_caller_is_asked() {
    let b = backend(TWO_PROFILES, unused_control(), vec![]);
    assert_eq!(b.account_refusal("api", &[invert()]).await, None);
}

/// A service's own `account_id` pins the APIs whose table pins none, for that service only.
#[tokio::test]
async fn a_service_pin_refuses_only_its_own_service() {
    let two_services = format!(
        "{}account_id = \"111111111111\"\n\n[[service]]\nname = \"web\"\ndomain = \"web.example.com\"\n\
         hosted_zone_id = \"ZWEB\"\nregions = [\"us-east-1\"]\nfunctions = [\"web-fn\"]\n",
        TWO_PROFILES
    );
    let identity = caller_in("222222222222");
    let b = backend(
        &two_services,
        ControlClients {
            sts: mocked!(aws_sdk_sts, RuleMode::MatchAny, [&identity]),
            ..unused_control()
        },
        vec![],
    );
    let why = b.account_refusal("api", &[invert()]).await.unwrap();
    assert!(
        why.contains("account_id of service \"api\" pins 111111111111"),
        "{why}"
    );
    assert_eq!(b.account_refusal("web", &[invert()]).await, None);
    let callers = b.callers().await;
    let services: Vec<Vec<String>> = callers
        .iter()
        .flat_map(|c| c.wrong_account.iter().map(|p| p.services.clone()))
        .collect();
    // route53 and apigateway (the default set), lambda (the workload profile's): api only.
    assert_eq!(services, vec![vec!["api".to_string()]; 3], "{callers:?}");
}
