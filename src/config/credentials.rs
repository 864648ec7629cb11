//! Which credentials each call is made with and which account it must come from (README,
//! "Several accounts"): the `[aws.API]` tables, `[[service]]` credentials and pins, resolved
//! by precedence (the API's table, then the service, then `[aws]`), and the services grouped by
//! the credentials they share.

use super::{AwsConfig, Config, ServiceConfig};

/// The AWS APIs whose resources may live in an account of their own: the names of the
/// `[aws.NAME]` tables. CloudWatch metrics are read with the credentials of what they measure
/// (Route 53's health metrics with `route53`'s, the regional metrics with `lambda`'s); ARC
/// routing controls with `route53`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AwsApi {
    Route53,
    Lambda,
    S3,
    ApiGateway,
    CodePipeline,
}

impl AwsApi {
    pub const ALL: [AwsApi; 5] = [
        AwsApi::Route53,
        AwsApi::Lambda,
        AwsApi::S3,
        AwsApi::ApiGateway,
        AwsApi::CodePipeline,
    ];

    /// The table's name (`[aws.NAME]`), as `SourceKind::name` spells the same APIs.
    pub fn name(self) -> &'static str {
        match self {
            AwsApi::Route53 => "route53",
            AwsApi::Lambda => "lambda",
            AwsApi::S3 => "s3",
            AwsApi::ApiGateway => "apigateway",
            AwsApi::CodePipeline => "codepipeline",
        }
    }
}

/// `[aws.API]`: a profile and/or a role to assume, and the account the caller must be in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiAccess {
    pub profile: Option<String>,
    /// Assumed with the table's profile, else `[aws] profile`, else the standard chain.
    pub role_arn: Option<String>,
    pub account_id: Option<String>,
}

/// Which credentials one API is called with: two APIs with the same `Credentials` share one
/// SDK configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Credentials {
    /// The profile (or the one the role is assumed with); `None`, the standard chain.
    pub profile: Option<String>,
    pub role_arn: Option<String>,
}

impl Credentials {
    /// How messages, the sources overlay and the snapshot's `callers` name it: "default
    /// credentials", "profile network", "role arn:…", "role arn:… (from profile tooling)".
    pub fn label(&self) -> String {
        match (&self.profile, &self.role_arn) {
            (None, None) => "default credentials".to_string(),
            (Some(p), None) => format!("profile {p}"),
            (None, Some(r)) => format!("role {r}"),
            (Some(p), Some(r)) => format!("role {r} (from profile {p})"),
        }
    }
}

impl AwsConfig {
    /// The credentials `api` is called with: its table's profile and role, else `[aws]
    /// profile` (README, "Several accounts").
    pub fn credentials(&self, api: AwsApi) -> Credentials {
        let table = self.apis.get(&api);
        Credentials {
            profile: table
                .and_then(|t| t.profile.clone())
                .or_else(|| self.profile.clone()),
            role_arn: table.and_then(|t| t.role_arn.clone()),
        }
    }

    /// The key that pins `api`'s account, as written (`aws.lambda.account_id`).
    pub fn account_pin_key(&self, api: AwsApi) -> String {
        if self.apis.get(&api).is_some_and(|t| t.account_id.is_some()) {
            format!("aws.{}.account_id", api.name())
        } else {
            "aws.account_id".to_string()
        }
    }

    /// The account `api`'s caller must be in for `service`, and the key that says so: the
    /// API's table's `account_id` (where that kind of resource lives for every service), else
    /// the service's own, else `[aws]`'s.
    pub fn service_pin(&self, api: AwsApi, service: &ServiceConfig) -> Option<(String, String)> {
        if let Some(pin) = self.apis.get(&api).and_then(|t| t.account_id.as_ref()) {
            return Some((pin.clone(), format!("aws.{}.account_id", api.name())));
        }
        if let Some(pin) = &service.account_id {
            return Some((
                pin.clone(),
                format!("account_id of service {:?}", service.name),
            ));
        }
        self.account_id
            .as_ref()
            .map(|pin| (pin.clone(), "aws.account_id".to_string()))
    }

    /// Whether `api`'s table names credentials (a profile or a role): then they are that API's
    /// for every service, before a service's own.
    fn table_names_credentials(&self, api: AwsApi) -> bool {
        self.apis
            .get(&api)
            .is_some_and(|t| t.profile.is_some() || t.role_arn.is_some())
    }

    /// The credentials `service`'s calls of `api` are made with: the API's table's (where
    /// that kind of resource lives for every service), else the service's own `profile` and
    /// `role_arn`, else `[aws]`'s (README, "Several accounts").
    pub fn service_credentials(&self, api: AwsApi, service: &ServiceConfig) -> Credentials {
        if self.table_names_credentials(api) || !service.has_credentials() {
            return self.credentials(api);
        }
        Credentials {
            profile: service.profile.clone().or_else(|| self.profile.clone()),
            role_arn: service.role_arn.clone(),
        }
    }

    /// This configuration as `service` sees it: each API whose table names no credentials
    /// gets the service's own in its table (its pin, if any, kept), so that `credentials`
    /// gives `service_credentials`.
    pub fn for_service(&self, service: &ServiceConfig) -> AwsConfig {
        let mut aws = self.clone();
        if !service.has_credentials() {
            return aws;
        }
        for api in AwsApi::ALL {
            if !self.table_names_credentials(api) {
                let table = aws.apis.entry(api).or_default();
                table.profile = service.profile.clone();
                table.role_arn = service.role_arn.clone();
            }
        }
        aws
    }

    /// Whether the config uses several accounts' keys (`account_id` or an `[aws.API]` table):
    /// only then do the snapshot and the sources overlay list each set's caller.
    pub fn uses_accounts(&self) -> bool {
        self.account_id.is_some() || !self.apis.is_empty()
    }

    /// The account `api`'s caller must be in for every service: its table's `account_id`,
    /// else `[aws]`'s (a service's own `account_id` comes between: `service_pin`).
    pub fn account_pin(&self, api: AwsApi) -> Option<&str> {
        self.apis
            .get(&api)
            .and_then(|t| t.account_id.as_deref())
            .or(self.account_id.as_deref())
    }

    /// Every distinct credential set, the default (`[aws]`'s) first, each with the APIs it
    /// serves (the default may serve none).
    pub fn credential_sets(&self) -> Vec<(Credentials, Vec<AwsApi>)> {
        let mut sets: Vec<(Credentials, Vec<AwsApi>)> = vec![(
            Credentials {
                profile: self.profile.clone(),
                role_arn: None,
            },
            Vec::new(),
        )];
        for api in AwsApi::ALL {
            let credentials = self.credentials(api);
            match sets.iter_mut().find(|(c, _)| *c == credentials) {
                Some((_, apis)) => apis.push(api),
                None => sets.push((credentials, vec![api])),
            }
        }
        sets
    }
}

impl Config {
    /// `AwsConfig::uses_accounts`, or a `[[service]] account_id`, `profile` or `role_arn`.
    pub fn uses_accounts(&self) -> bool {
        self.aws.uses_accounts()
            || self
                .services
                .iter()
                .any(|s| s.account_id.is_some() || s.has_credentials())
    }

    /// The services grouped by the credentials their calls of every API are made with
    /// (`AwsConfig::service_credentials`), in file order of each group's first service, each
    /// group a configuration of its own with only its services and, in its `[aws.API]`
    /// tables, its credentials. Empty when no service names credentials of its own: the
    /// whole configuration is then the one group (README, "Several accounts").
    pub fn service_groups(&self) -> Vec<Config> {
        if !self.services.iter().any(ServiceConfig::has_credentials) {
            return Vec::new();
        }
        let mut groups: Vec<(Vec<Credentials>, Config)> = Vec::new();
        for service in &self.services {
            let sets: Vec<Credentials> = AwsApi::ALL
                .iter()
                .map(|api| self.aws.service_credentials(*api, service))
                .collect();
            match groups.iter_mut().find(|(s, _)| *s == sets) {
                Some((_, group)) => group.services.push(service.clone()),
                None => {
                    let mut group = self.clone();
                    group.aws = self.aws.for_service(service);
                    group.services = vec![service.clone()];
                    groups.push((sets, group));
                }
            }
        }
        groups.into_iter().map(|(_, group)| group).collect()
    }
}
