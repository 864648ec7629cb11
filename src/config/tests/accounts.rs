//! `[aws] account_id` and the `[aws.API]` tables: what they resolve to, and each mistake
//! reported where it is written.

use super::{invalid, minimal_with, parse};
use crate::config::{AwsApi, Credentials, caller_account};

const NETWORK_ROLE: &str = "arn:aws:iam::111111111111:role/switchyard-read";

#[test]
fn without_tables_every_api_uses_the_aws_profile_and_one_set() {
    let config = parse(&minimal_with("[aws]\nprofile = \"ops\"\n"));
    for api in AwsApi::ALL {
        assert_eq!(
            config.aws.credentials(api),
            Credentials {
                profile: Some("ops".into()),
                role_arn: None
            }
        );
        assert_eq!(config.aws.account_pin(api), None);
    }
    let sets = config.aws.credential_sets();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].1, AwsApi::ALL.to_vec());
}

#[test]
fn a_table_names_where_its_api_lives_and_the_rest_keep_aws() {
    let config = parse(&minimal_with(&format!(
        "[aws]\nprofile = \"tooling\"\naccount_id = \"123456789012\"\n\
         [aws.route53]\nrole_arn = \"{NETWORK_ROLE}\"\naccount_id = \"111111111111\"\n\
         [aws.lambda]\nprofile = \"workload\"\n"
    )));
    // The role is assumed with `[aws] profile` when its table names none.
    assert_eq!(
        config.aws.credentials(AwsApi::Route53),
        Credentials {
            profile: Some("tooling".into()),
            role_arn: Some(NETWORK_ROLE.into())
        }
    );
    assert_eq!(
        config.aws.credentials(AwsApi::Lambda).profile.as_deref(),
        Some("workload")
    );
    assert_eq!(
        config.aws.account_pin(AwsApi::Route53),
        Some("111111111111")
    );
    // No pin of its own: `[aws] account_id`.
    assert_eq!(config.aws.account_pin(AwsApi::Lambda), Some("123456789012"));
    assert_eq!(config.aws.account_pin(AwsApi::S3), Some("123456789012"));
    let sets = config.aws.credential_sets();
    let apis: Vec<Vec<AwsApi>> = sets.iter().map(|(_, apis)| apis.clone()).collect();
    assert_eq!(
        apis,
        vec![
            vec![AwsApi::S3, AwsApi::ApiGateway, AwsApi::CodePipeline],
            vec![AwsApi::Route53],
            vec![AwsApi::Lambda],
        ]
    );
}

#[test]
fn a_table_with_only_a_pin_shares_the_default_set() {
    let config = parse(&minimal_with(
        "[aws.codepipeline]\naccount_id = \"222222222222\"\n",
    ));
    assert_eq!(config.aws.credential_sets().len(), 1);
    assert_eq!(
        config.aws.account_pin(AwsApi::CodePipeline),
        Some("222222222222")
    );
    assert_eq!(config.aws.account_pin(AwsApi::Route53), None);
}

#[test]
fn account_ids_are_twelve_digits() {
    let (line, column, message) = invalid(&minimal_with("[aws]\naccount_id = \"12345\"\n"));
    assert_eq!((line, column), (9, 14), "{message}");
    assert!(message.contains("12-digit AWS account ID"), "{message}");
    let (line, _, message) = invalid(&minimal_with("[aws.s3]\naccount_id = \"12345678901a\"\n"));
    assert_eq!(line, 9, "{message}");
    assert!(message.starts_with("`aws.s3.account_id`"), "{message}");
}

#[test]
fn role_arns_must_be_iam_roles() {
    for bad in [
        "arn:aws:iam::12345:role/x",
        "arn:aws:iam::123456789012:user/x",
        "arn:aws:sts::123456789012:role/x",
        "arn:aws:iam::123456789012:role/",
        "role/x",
    ] {
        let (line, column, message) = invalid(&minimal_with(&format!(
            "[aws.lambda]\nrole_arn = \"{bad}\"\n"
        )));
        assert_eq!((line, column), (9, 12), "{bad}: {message}");
        assert!(message.contains("not an IAM role ARN"), "{bad}: {message}");
    }
    for good in [
        "arn:aws:iam::123456789012:role/x",
        "arn:aws-us-gov:iam::123456789012:role/path/to/x",
    ] {
        parse(&minimal_with(&format!(
            "[aws.lambda]\nrole_arn = \"{good}\"\n"
        )));
    }
}

#[test]
fn a_role_in_another_account_than_its_pin_is_refused() {
    let (line, _, message) = invalid(&minimal_with(&format!(
        "[aws.route53]\nrole_arn = \"{NETWORK_ROLE}\"\naccount_id = \"222222222222\"\n"
    )));
    assert_eq!(line, 9, "{message}");
    assert!(
        message.contains("role in account 111111111111")
            && message.contains("`aws.route53.account_id` pins 222222222222"),
        "{message}"
    );
    // `[aws] account_id` pins it too when the table has no pin of its own.
    let (_, _, message) = invalid(&minimal_with(&format!(
        "[aws]\naccount_id = \"222222222222\"\n[aws.route53]\nrole_arn = \"{NETWORK_ROLE}\"\n"
    )));
    assert!(message.contains("`aws.account_id` pins"), "{message}");
}

#[test]
fn unknown_api_tables_and_keys_are_refused_with_their_place() {
    let (line, _, message) = invalid(&minimal_with("[aws.dynamodb]\nprofile = \"x\"\n"));
    assert_eq!(line, 8, "{message}");
    assert!(message.contains("dynamodb"), "{message}");
    let (line, _, message) = invalid(&minimal_with("[aws.lambda]\nregion = \"x\"\n"));
    assert_eq!(line, 9, "{message}");
    assert!(message.contains("region"), "{message}");
    let (_, _, message) = invalid(&minimal_with("[aws.lambda]\nprofile = \" \"\n"));
    assert!(
        message.starts_with("`aws.lambda.profile` is empty"),
        "{message}"
    );
}

#[test]
fn caller_accounts_come_from_the_arn() {
    assert_eq!(
        caller_account("arn:aws:sts::111111111111:assumed-role/workload/s"),
        Some("111111111111")
    );
    assert_eq!(
        caller_account("arn:aws:iam::123456789012:user/ops"),
        Some("123456789012")
    );
    assert_eq!(caller_account("unknown caller"), None);
}

#[test]
fn a_service_pin_comes_between_the_api_table_and_aws() {
    let config = parse(&minimal_with(&format!(
        "account_id = \"333333333333\"\n\
         [aws]\naccount_id = \"222222222222\"\n\
         [aws.route53]\nrole_arn = \"{NETWORK_ROLE}\"\naccount_id = \"111111111111\"\n"
    )));
    let service = &config.services[0];
    assert_eq!(service.account_id.as_deref(), Some("333333333333"));
    assert!(config.uses_accounts());
    // The zone's table says where Route 53's resources live for every service.
    assert_eq!(
        config.aws.service_pin(AwsApi::Route53, service),
        Some(("111111111111".into(), "aws.route53.account_id".into()))
    );
    // No table pin: the service's own, before `[aws]`'s.
    assert_eq!(
        config.aws.service_pin(AwsApi::Lambda, service),
        Some((
            "333333333333".into(),
            "account_id of service \"sample\"".into()
        ))
    );
}

#[test]
fn a_service_pin_is_checked_like_the_others() {
    let (line, column, message) = invalid(&minimal_with("account_id = \"3\"\n"));
    assert_eq!((line, column), (8, 14), "{message}");
    assert!(
        message.starts_with("`account_id` of service \"sample\" is \"3\""),
        "{message}"
    );
    // A table's role without a pin of its own would meet the service's pin: refused where the
    // service's pin is written.
    let (line, _, message) = invalid(&minimal_with(&format!(
        "account_id = \"333333333333\"\n[aws.route53]\nrole_arn = \"{NETWORK_ROLE}\"\n"
    )));
    assert_eq!(line, 8, "{message}");
    assert!(
        message.contains("`aws.route53.role_arn` acts in account 111111111111"),
        "{message}"
    );
}
