//! STS: who the console acts as, with each credential set, and whether that is the account the
//! config pins (README, "Several accounts").

use super::AwsBackend;
use super::errors::{Operation, fail};
use crate::config::{AwsApi, Credentials, caller_account};
use crate::model::{AccountPin, Caller};
use crate::source::{Call, SourceError};
use aws_config::{Region, SdkConfig};

/// One credential set: what it is, the APIs it serves, and its STS client.
pub struct AccountSet {
    pub credentials: Credentials,
    pub apis: Vec<AwsApi>,
    pub sts: aws_sdk_sts::Client,
}

/// A set's profile and role, for the fix of a credentials error.
fn login(credentials: &Credentials) -> super::errors::Login<'_> {
    super::errors::Login {
        profile: credentials.profile.as_deref(),
        role: credentials.role_arn.as_deref(),
    }
}

pub fn client(sdk: &SdkConfig, control: &Region) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(sdk)
            .region(control.clone())
            .build(),
    )
}

/// The default credentials' caller (the status bar's, and the audit records' actor).
pub async fn caller(b: &AwsBackend) -> Result<String, SourceError> {
    ask(b, &b.sts, b.config.aws.profile.as_deref().into()).await
}

async fn ask(
    b: &AwsBackend,
    sts: &aws_sdk_sts::Client,
    login: super::errors::Login<'_>,
) -> Result<String, SourceError> {
    let op = Operation {
        service: "STS",
        api: "GetCallerIdentity",
        region: &b.config.aws.control_region,
    };
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(fail(op, login))?;
    Ok(out.arn().unwrap_or("unknown caller").to_string())
}

/// Each set's caller (asked at once), with the pins of its APIs that the caller's account
/// breaks. A failure is worded with the set's own profile (its `aws sso login --profile`).
pub async fn callers(b: &AwsBackend) -> Vec<Caller> {
    let asks = b
        .accounts
        .iter()
        .map(|set| ask(b, &set.sts, login(&set.credentials)));
    let answers = futures::future::join_all(asks).await;
    b.accounts
        .iter()
        .zip(answers)
        .map(|(set, answer)| {
            let (arn, error) = match answer {
                Ok(arn) => (Some(arn), None),
                Err(e) => (None, Some(e.message)),
            };
            let account = arn.as_deref().and_then(caller_account).map(str::to_string);
            let wrong_account = match &account {
                None => Vec::new(),
                Some(account) => broken_pins(b, &set.apis, account),
            };
            Caller {
                credentials: set.credentials.label(),
                apis: set.apis.iter().map(|a| a.name().to_string()).collect(),
                arn,
                account,
                error,
                wrong_account,
            }
        })
        .collect()
}

/// The pins of `apis` that `account` breaks, each with the services it applies to (a service
/// uses `s3` only with artifacts, `codepipeline` only with a pipeline).
fn broken_pins(b: &AwsBackend, apis: &[AwsApi], account: &str) -> Vec<AccountPin> {
    let mut pins: Vec<AccountPin> = Vec::new();
    for api in apis {
        for service in b.config.services.iter().filter(|s| s.uses(*api)) {
            let Some((pin, key)) = b.config.aws.service_pin(*api, service) else {
                continue;
            };
            if pin == account {
                continue;
            }
            match pins
                .iter_mut()
                .find(|p| p.api == api.name() && p.key == key && p.account_id == pin)
            {
                Some(p) => p.services.push(service.name.clone()),
                None => pins.push(AccountPin {
                    api: api.name().to_string(),
                    key,
                    account_id: pin,
                    services: vec![service.name.clone()],
                }),
            }
        }
    }
    pins
}

/// The API a mutating call goes to, for its credentials and pin: ARC routing controls go with
/// Route 53's.
pub fn call_api(call: &Call) -> AwsApi {
    match call {
        Call::UpdateHealthCheck { .. } | Call::UpdateRoutingControlStates { .. } => AwsApi::Route53,
        Call::PutApprovalResult { .. } => AwsApi::CodePipeline,
    }
}

/// Why `calls` must not be sent (the wrong-account mistake): for each API they use with an
/// `account_id` pin, the caller of its set is asked now; another account, or no answer,
/// refuses. `None`: nothing pinned, or every pin holds.
pub async fn account_refusal(b: &AwsBackend, service: &str, calls: &[Call]) -> Option<String> {
    let service = b.config.services.iter().find(|s| s.name == service)?;
    let mut apis: Vec<AwsApi> = calls.iter().map(call_api).collect();
    apis.sort();
    apis.dedup();
    for api in apis {
        let Some((pin, key)) = b.config.aws.service_pin(api, service) else {
            continue;
        };
        let Some(set) = b.accounts.iter().find(|s| s.apis.contains(&api)) else {
            continue;
        };
        let label = set.credentials.label();
        match ask(b, &set.sts, login(&set.credentials)).await {
            Err(e) => {
                return Some(format!(
                    "account pin {key} = {pin:?}: cannot tell which account {label} acts in \
                     ({}); refused, nothing was sent",
                    e.message
                ));
            }
            Ok(arn) => {
                let account = caller_account(&arn).unwrap_or("unknown");
                if account != pin {
                    return Some(format!(
                        "wrong account: {} calls would act as {arn} ({label}), in account \
                         {account}, but {key} pins {pin}; refused before the intent, nothing \
                         was sent",
                        api.name()
                    ));
                }
            }
        }
    }
    None
}
