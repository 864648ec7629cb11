//! `[[service]] profile` and `role_arn`: which credentials each of a service's calls uses, how
//! services are grouped by them, and each mistake reported where it is written.

use super::{MINIMAL, invalid, minimal_with, parse};
use crate::config::{AwsApi, Credentials};

const WORKLOAD_ROLE: &str = "arn:aws:iam::111111111111:role/workload";
const OTHER_ROLE: &str = "arn:aws:iam::333333333333:role/other";
const NETWORK_ROLE: &str = "arn:aws:iam::123456789012:role/network";

/// A second service after MINIMAL's, with `extra` keys of its own.
fn two_services(first: &str, second: &str, tables: &str) -> String {
    format!(
        "{MINIMAL}{first}\n[[service]]\nname = \"other\"\ndomain = \"other.example.com\"\n\
         hosted_zone_id = \"Z0123456789ABC\"\nregions = [\"us-east-1\"]\n\
         functions = [\"other-api\"]\n{second}\n{tables}"
    )
}

fn role(arn: &str, profile: Option<&str>) -> Credentials {
    Credentials {
        profile: profile.map(String::from),
        role_arn: Some(arn.to_string()),
    }
}

#[test]
fn a_service_role_is_used_for_the_apis_whose_table_names_no_credentials() {
    let config = parse(&minimal_with(&format!(
        "role_arn = \"{WORKLOAD_ROLE}\"\n\
         [aws]\nprofile = \"tooling\"\n\
         [aws.route53]\nrole_arn = \"{NETWORK_ROLE}\"\n\
         [aws.lambda]\naccount_id = \"111111111111\"\n"
    )));
    let service = &config.services[0];
    assert_eq!(service.role_arn.as_deref(), Some(WORKLOAD_ROLE));
    assert!(config.uses_accounts());
    // The table's credentials: where Route 53's resources live for every service.
    assert_eq!(
        config.aws.service_credentials(AwsApi::Route53, service),
        role(NETWORK_ROLE, Some("tooling"))
    );
    // A table with only a pin names no credentials: the service's role, assumed with
    // `[aws] profile`.
    for api in [AwsApi::Lambda, AwsApi::S3, AwsApi::ApiGateway] {
        assert_eq!(
            config.aws.service_credentials(api, service),
            role(WORKLOAD_ROLE, Some("tooling")),
            "{api:?}"
        );
    }
}

#[test]
fn a_service_profile_wins_over_the_aws_profile() {
    let config = parse(&minimal_with(
        "profile = \"workload\"\n[aws]\nprofile = \"tooling\"\n",
    ));
    let service = &config.services[0];
    assert_eq!(
        config.aws.service_credentials(AwsApi::Lambda, service),
        Credentials {
            profile: Some("workload".into()),
            role_arn: None
        }
    );
}

#[test]
fn without_service_credentials_there_are_no_groups() {
    let config = parse(&two_services(
        "account_id = \"111111111111\"\n",
        "",
        &format!("[aws.lambda]\nrole_arn = \"{WORKLOAD_ROLE}\"\n"),
    ));
    assert!(config.service_groups().is_empty());
    // And each service's credentials are the tables' and `[aws]`'s, as without this feature.
    for service in &config.services {
        for api in AwsApi::ALL {
            assert_eq!(
                config.aws.service_credentials(api, service),
                config.aws.credentials(api)
            );
        }
    }
}

#[test]
fn services_are_grouped_by_their_credentials() {
    let config = parse(&two_services(
        &format!("role_arn = \"{WORKLOAD_ROLE}\"\n"),
        &format!("role_arn = \"{OTHER_ROLE}\"\n"),
        &format!("[aws.route53]\nrole_arn = \"{NETWORK_ROLE}\"\n"),
    ));
    let groups = config.service_groups();
    assert_eq!(groups.len(), 2);
    for (group, (name, arn)) in groups
        .iter()
        .zip([("sample", WORKLOAD_ROLE), ("other", OTHER_ROLE)])
    {
        let names: Vec<&str> = group.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, [name]);
        // The group's tables give its credentials: each API's clients are made from them.
        assert_eq!(
            group.aws.credentials(AwsApi::Route53),
            role(NETWORK_ROLE, None)
        );
        assert_eq!(group.aws.credentials(AwsApi::Lambda), role(arn, None));
        assert_eq!(group.aws.account_pin(AwsApi::Lambda), None);
    }
    // The same role: one group of both.
    let config = parse(&two_services(
        &format!("role_arn = \"{WORKLOAD_ROLE}\"\n"),
        &format!("role_arn = \"{WORKLOAD_ROLE}\"\n"),
        "",
    ));
    let groups = config.service_groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].services.len(), 2);
}

#[test]
fn a_service_role_must_be_a_role_arn() {
    let (line, column, message) = invalid(&minimal_with("role_arn = \"workload\"\n"));
    assert_eq!((line, column), (8, 12), "{message}");
    assert!(
        message.starts_with(
            "`role_arn` of service \"sample\" is \"workload\", which is not an IAM role ARN"
        ),
        "{message}"
    );
    let (line, _, message) = invalid(&minimal_with("profile = \"\"\n"));
    assert_eq!(line, 8, "{message}");
    assert!(
        message.starts_with("`profile` of service \"sample\" is empty"),
        "{message}"
    );
}

#[test]
fn a_service_role_in_another_account_than_its_pin_is_refused() {
    // The role's credentials act in the role's account (AWS STS API reference, AssumeRole):
    // a pin naming another account could only ever refuse.
    let (line, column, message) = invalid(&minimal_with(&format!(
        "account_id = \"222222222222\"\nrole_arn = \"{WORKLOAD_ROLE}\"\n"
    )));
    assert_eq!((line, column), (9, 12), "{message}");
    assert!(
        message.contains("is a role in account 111111111111")
            && message.contains("account_id of service \"sample\" pins 222222222222"),
        "{message}"
    );
    // `[aws] account_id` when the service pins nothing.
    let (_, _, message) = invalid(&minimal_with(&format!(
        "role_arn = \"{WORKLOAD_ROLE}\"\n[aws]\naccount_id = \"222222222222\"\n"
    )));
    assert!(
        message.contains("`aws.account_id` pins 222222222222"),
        "{message}"
    );
    // A table's pin for an API the role is used for.
    let (_, _, message) = invalid(&minimal_with(&format!(
        "role_arn = \"{WORKLOAD_ROLE}\"\n[aws.lambda]\naccount_id = \"222222222222\"\n"
    )));
    assert!(
        message.contains("`aws.lambda.account_id` pins 222222222222 for its lambda calls"),
        "{message}"
    );
}

#[test]
fn a_service_role_in_its_pinned_account_is_accepted() {
    let config = parse(&minimal_with(&format!(
        "account_id = \"111111111111\"\nrole_arn = \"{WORKLOAD_ROLE}\"\n\
         [aws]\naccount_id = \"123456789012\"\n\
         [aws.route53]\nrole_arn = \"{NETWORK_ROLE}\"\naccount_id = \"123456789012\"\n"
    )));
    let service = &config.services[0];
    assert_eq!(
        config.aws.service_pin(AwsApi::Lambda, service),
        Some((
            "111111111111".into(),
            "account_id of service \"sample\"".into()
        ))
    );
}
