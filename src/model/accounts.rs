//! Who each credential set acts as (README, "Several accounts"): its caller and account, and
//! the APIs whose account pin that caller breaks.

use serde::Serialize;

/// One credential set's GetCallerIdentity, for the sources overlay, the snapshot's `callers`
/// and the `wrong_account` finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// How the set is named: "default credentials", "profile network", "role ARN (from
    /// profile P)".
    pub credentials: String,
    /// The APIs read and acted on with it (`[aws.NAME]` names; empty for the default set when
    /// every API has a table of its own).
    pub apis: Vec<String>,
    /// The caller ARN; `None` when GetCallerIdentity failed.
    pub arn: Option<String>,
    pub account: Option<String>,
    /// Why the caller is unknown (worded with the set's profile, e.g. its SSO login command).
    pub error: Option<String>,
    /// The APIs of this set whose `account_id` pin is not the caller's account.
    pub wrong_account: Vec<AccountPin>,
}

/// An API's account pin (`[aws.NAME] account_id`, else `[aws] account_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountPin {
    pub api: String,
    /// The key that pins it, as written in the config.
    pub key: String,
    pub account_id: String,
    /// The services whose calls of `api` this pin applies to.
    pub services: Vec<String>,
}
