//! `[aws] account_id` and the `[aws.API]` tables: where each API's resources live (README,
//! "Several accounts"), checked with the place of each problem.

use std::collections::BTreeMap;

use super::raw::{RawAccess, RawAws, SpannedString};
use super::validate::Checker;
use super::{ApiAccess, AwsApi};

pub(super) fn check(
    check: &mut Checker,
    raw: &RawAws,
) -> (Option<String>, BTreeMap<AwsApi, ApiAccess>) {
    let account_id = raw
        .account_id
        .as_ref()
        .map(|id| account(check, id, "`aws.account_id`"));
    let tables = [
        (AwsApi::Route53, &raw.route53),
        (AwsApi::Lambda, &raw.lambda),
        (AwsApi::S3, &raw.s3),
        (AwsApi::ApiGateway, &raw.apigateway),
        (AwsApi::CodePipeline, &raw.codepipeline),
    ];
    let mut apis = BTreeMap::new();
    for (api, table) in tables {
        if let Some(table) = table {
            let access = access(check, api, table.get_ref(), account_id.as_deref());
            apis.insert(api, access);
        }
    }
    (account_id, apis)
}

fn access(check: &mut Checker, api: AwsApi, raw: &RawAccess, aws_pin: Option<&str>) -> ApiAccess {
    let name = api.name();
    let profile = raw.profile.as_ref().map(|p| {
        check.non_empty(
            p,
            &format!("`aws.{name}.profile`"),
            "the name of a profile, or remove the key to use `[aws] profile`",
        )
    });
    let account_id = raw
        .account_id
        .as_ref()
        .map(|id| account(check, id, &format!("`aws.{name}.account_id`")));
    let role_arn = raw.role_arn.as_ref().map(|arn| {
        let what = format!("`aws.{name}.role_arn`");
        match role_account(arn.get_ref()) {
            None => check.fail(
                arn.span(),
                format!(
                    "{what} is {:?}, which is not an IAM role ARN; expected one like \
                     \"arn:aws:iam::123456789012:role/NAME\"",
                    arn.get_ref()
                ),
            ),
            Some(in_account) => {
                // The role's own account is where its credentials act: a pin that names
                // another can only ever refuse.
                let (pin, pinned_by) = match &account_id {
                    Some(pin) => (Some(pin.as_str()), format!("`aws.{name}.account_id`")),
                    None => (aws_pin, "`aws.account_id`".to_string()),
                };
                if let Some(pin) = pin.filter(|pin| *pin != in_account) {
                    check.fail(
                        arn.span(),
                        format!(
                            "{what} is a role in account {in_account}, but {pinned_by} pins \
                             {pin}: the role's credentials act in its own account; fix one of \
                             them"
                        ),
                    );
                }
            }
        }
        arn.get_ref().clone()
    });
    ApiAccess {
        profile,
        role_arn,
        account_id,
    }
}

/// A service's `account_id` against the roles of the `[aws.API]` tables that pin no account of
/// their own (the service's pin is theirs for its calls): a role in another account could only
/// ever be refused.
pub(super) fn check_service_pins(
    check: &mut Checker,
    aws: &super::AwsConfig,
    services: &[toml::Spanned<super::raw::RawService>],
    checked: &[super::ServiceConfig],
) {
    for (raw, service) in services.iter().zip(checked) {
        check_service_role(check, aws, raw.get_ref(), service);
    }
    for raw in services {
        let Some(pin) = &raw.get_ref().account_id else {
            continue;
        };
        for (api, access) in &aws.apis {
            let role_in = access.role_arn.as_deref().and_then(role_account);
            if let (None, Some(role_in)) = (&access.account_id, role_in)
                && role_in != pin.get_ref()
            {
                check.fail(
                    pin.span(),
                    format!(
                        "`account_id` of service {:?} is {:?}, but `aws.{}.role_arn` acts in \
                         account {role_in} and pins no account of its own, so the service's pin \
                         would refuse every {} call; add `account_id = \"{role_in}\"` to \
                         [aws.{}] if that is where its resources live",
                        raw.get_ref().name.get_ref(),
                        pin.get_ref(),
                        api.name(),
                        api.name(),
                        api.name()
                    ),
                );
            }
        }
    }
}

/// A `[[service]] role_arn`: an IAM role ARN (the account checks are `check_service_pins`).
pub(super) fn role_arn(check: &mut Checker, arn: &SpannedString, what: &str) -> String {
    if role_account(arn.get_ref()).is_none() {
        check.fail(
            arn.span(),
            format!(
                "{what} is {:?}, which is not an IAM role ARN; expected one like \
                 \"arn:aws:iam::123456789012:role/NAME\"",
                arn.get_ref()
            ),
        );
    }
    arn.get_ref().clone()
}

/// A service's `role_arn` against the pins of the APIs it is used for (those whose table
/// names no credentials): the role's credentials act in its own account, so a pin naming
/// another could only ever refuse.
fn check_service_role(
    check: &mut Checker,
    aws: &super::AwsConfig,
    raw: &super::raw::RawService,
    service: &super::ServiceConfig,
) {
    let Some(arn) = &raw.role_arn else {
        return;
    };
    let Some(in_account) = role_account(arn.get_ref()) else {
        return;
    };
    for api in AwsApi::ALL.into_iter().filter(|api| service.uses(*api)) {
        if aws.service_credentials(api, service).role_arn.as_deref() != Some(arn.get_ref()) {
            continue;
        }
        let Some((pin, key)) = aws.service_pin(api, service) else {
            continue;
        };
        if pin != in_account {
            let key = if key.starts_with("aws.") {
                format!("`{key}`")
            } else {
                key
            };
            check.fail(
                arn.span(),
                format!(
                    "`role_arn` of service {:?} is a role in account {in_account}, but {key} \
                     pins {pin} for its {} calls: the role's credentials act in its own \
                     account; fix one of them",
                    service.name,
                    api.name()
                ),
            );
            return;
        }
    }
}

/// An account ID: twelve digits.
pub(super) fn account(check: &mut Checker, value: &SpannedString, what: &str) -> String {
    let text = value.get_ref();
    if !is_account_id(text) {
        check.fail(
            value.span(),
            format!("{what} is {text:?}; expected a 12-digit AWS account ID like \"123456789012\""),
        );
    }
    text.clone()
}

pub(super) fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account of `arn:PARTITION:iam::ACCOUNT:role/NAME` (a path may come before NAME), or
/// `None` when it is not an IAM role ARN (IAM User Guide, "IAM identifiers").
pub(super) fn role_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let partition_ok = partition == "aws" || partition.starts_with("aws-");
    let name = resource.strip_prefix("role/")?;
    let name_ok = !name.is_empty() && !name.ends_with('/') && !name.contains(char::is_whitespace);
    (arn_ == "arn"
        && partition_ok
        && service == "iam"
        && region.is_empty()
        && is_account_id(account)
        && name_ok)
        .then_some(account)
}

/// The account of a caller ARN as GetCallerIdentity gives it (`arn:aws:sts::ACCOUNT:…`).
pub fn caller_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| is_account_id(a))
}
