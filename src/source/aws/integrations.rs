//! Which alias or version of each Lambda function API Gateway invokes in a region: the Lambda
//! integrations of the APIs mapped on the services' custom domains. They change rarely, so a
//! region's answer is kept for [`KEEP_MINUTES`] (a failed read is not kept).
//!
//! The calls: the custom domains and their mappings as the Domains source reads them (v1
//! GetDomainNames + GetBasePathMappings, v2 GetDomainNames + GetApiMappings), then per mapped
//! API one paginated listing of its integrations (v1 GetResources with `embed=methods`, which
//! carries each method's integration; v2 GetIntegrations), and GetStage only where an
//! integration names its function through a stage variable. A REST API's resources are its
//! latest configuration: what a stage serves once deployed.

use super::apigateway::{self, Found};
use super::errors::{Login, Operation, fail};
use super::pages::{self, Page};
use super::{AwsBackend, FAN_OUT, RegionClients, Tally};
use crate::config::AwsApi;
use crate::model::{ApiKind, Timestamp};
use crate::source::SourceError;
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// How long a region's integrations are trusted before they are read again.
pub const KEEP_MINUTES: i64 = 10;

const API_GATEWAY: &str = "API Gateway";

/// Function name -> the qualifiers its integrations invoke (`None`: the unqualified function).
pub type Invoked = BTreeMap<String, BTreeSet<Option<String>>>;

/// Each region's last read and when it was made.
#[derive(Debug, Default)]
pub struct InvokedCache {
    regions: Mutex<BTreeMap<String, (Timestamp, Arc<Invoked>)>>,
}

impl InvokedCache {
    fn get(&self, region: &str, now: Timestamp) -> Option<Arc<Invoked>> {
        let regions = self.regions.lock().unwrap_or_else(|e| e.into_inner());
        let (at, invoked) = regions.get(region)?;
        let age = now - *at;
        (age >= chrono::Duration::zero() && age < chrono::Duration::minutes(KEEP_MINUTES))
            .then(|| Arc::clone(invoked))
    }

    /// The last read of the region, however old, and when it was made.
    fn last(&self, region: &str) -> Option<(Timestamp, Arc<Invoked>)> {
        let regions = self.regions.lock().unwrap_or_else(|e| e.into_inner());
        regions
            .get(region)
            .map(|(at, invoked)| (*at, Arc::clone(invoked)))
    }

    fn put(&self, region: &str, now: Timestamp, invoked: Arc<Invoked>) {
        self.regions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(region.to_string(), (now, invoked));
    }
}

/// A Lambda function an integration URI names: REST and WebSocket integrations give
/// `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`, HTTP
/// API integrations the function ARN itself; either ARN may end in `:QUALIFIER` (API Gateway
/// Developer Guide, "Lambda integrations"). `None` for any other integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub region: String,
    pub function: String,
    pub qualifier: Option<String>,
}

pub fn parse_uri(uri: &str) -> Option<Target> {
    let arn = match uri.split_once(":lambda:path/") {
        Some((_, path)) => {
            let rest = path.split_once("/functions/")?.1;
            rest.strip_suffix("/invocations").unwrap_or(rest)
        }
        None => uri,
    };
    // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
    let parts: Vec<&str> = arn.splitn(8, ':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", region, _, "function", name, rest @ ..] if !name.is_empty() => {
            Some(Target {
                region: (*region).to_string(),
                function: (*name).to_string(),
                qualifier: rest
                    .first()
                    .filter(|q| !q.is_empty())
                    .map(|q| q.to_string()),
            })
        }
        _ => None,
    }
}

/// Replace `${stageVariables.NAME}` with the stage's variable (`None` if one is not set).
pub fn with_stage_variables(text: &str, variables: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${stageVariables.") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "${stageVariables.".len()..];
        let end = after.find('}')?;
        out.push_str(variables.get(&after[..end])?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The region's invoked qualifiers: from the cache while it is fresh, else read and kept. When
/// the read fails, the last read (however old) stands, and the tally's partial error says the
/// qualifiers rest on it; it is not kept as new, so the next fetch reads again.
pub async fn invoked(
    b: &AwsBackend,
    region: &str,
    now: Timestamp,
    tally: &mut Tally,
) -> Result<Arc<Invoked>, SourceError> {
    if let Some(invoked) = b.invoked.get(region, now) {
        return Ok(invoked);
    }
    match read(b, region, tally).await {
        Ok(invoked) => {
            let invoked = Arc::new(invoked);
            b.invoked.put(region, now, Arc::clone(&invoked));
            Ok(invoked)
        }
        Err(e) => {
            let Some((at, last)) = b.invoked.last(region) else {
                return Err(e);
            };
            tally.partial(SourceError::new(
                e.kind,
                format!(
                    "which alias or version API Gateway invokes in {region} is as read {} \
                     minutes ago (the integrations could not be read again): {}",
                    (now - at).num_minutes(),
                    e.message
                ),
            ));
            Ok(last)
        }
    }
}

/// One mapped API and the stages it is mapped with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct MappedApi {
    /// The API the mapping was read through (v2 mappings may name REST APIs too).
    pub(super) via: ApiKind,
    pub(super) id: String,
}

/// API Gateway's two APIs in one region, with whose credentials they are (named in errors).
#[derive(Clone, Copy)]
pub(super) struct Apis<'a> {
    pub(super) region: &'a str,
    pub(super) clients: &'a RegionClients,
    pub(super) login: Login<'a>,
}

async fn read(b: &AwsBackend, region: &str, tally: &mut Tally) -> Result<Invoked, SourceError> {
    // The Domains source of this refresh reads the same domains: one read for both.
    let read = apigateway::region_domains(b, region, tally).await?;
    let v2 = read.v2.clone()?;
    let domains: BTreeMap<String, Found> = apigateway::merge(read.v1.clone(), v2);
    let mut apis: BTreeMap<MappedApi, BTreeSet<String>> = BTreeMap::new();
    for found in domains.values() {
        for m in &found.mappings {
            apis.entry(MappedApi {
                via: found.api,
                id: m.api_id.clone(),
            })
            .or_default()
            .insert(m.stage.clone());
        }
    }
    let at = Apis {
        region,
        clients: b.region(region)?,
        login: b.login(AwsApi::ApiGateway),
    };
    let pending: Vec<_> = apis
        .into_iter()
        .map(|(api, stages)| async move {
            let mut t = Tally::default();
            let targets = api_targets(at, &api, &stages, &mut t).await;
            (t, targets)
        })
        .collect();
    let answers: Vec<(Tally, Result<Vec<Target>, SourceError>)> =
        stream::iter(pending).buffered(FAN_OUT).collect().await;
    let mut invoked = Invoked::new();
    for (t, targets) in answers {
        tally.absorb(t);
        for target in targets? {
            if target.region == region {
                invoked
                    .entry(target.function)
                    .or_default()
                    .insert(target.qualifier);
            }
        }
    }
    Ok(invoked)
}

/// The Lambda functions one API's integrations invoke, stage variables resolved for each stage
/// it is mapped with.
pub(super) async fn api_targets(
    at: Apis<'_>,
    api: &MappedApi,
    stages: &BTreeSet<String>,
    tally: &mut Tally,
) -> Result<Vec<Target>, SourceError> {
    let uris = match api.via {
        ApiKind::Rest => rest_uris(at, &api.id, tally).await?,
        // A REST API mapped through the v2 API: v2 does not know it, v1 does.
        ApiKind::Http => match http_uris(at, &api.id, tally).await? {
            Some(uris) => uris,
            None => rest_uris(at, &api.id, tally).await?,
        },
    };
    let mut targets = Vec::new();
    // Each mapped stage's variables, read once, and only if a URI uses them.
    let mut variables_of: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    for uri in uris {
        if uri.contains("${stageVariables.") {
            for stage in stages {
                if !variables_of.contains_key(stage.as_str()) {
                    let read = stage_variables(at, api, stage, tally).await?;
                    variables_of.insert(stage, read);
                }
                let Some(variables) = variables_of.get(stage.as_str()) else {
                    continue;
                };
                if let Some(t) = with_stage_variables(&uri, variables)
                    .as_deref()
                    .and_then(parse_uri)
                {
                    targets.push(t);
                }
            }
        } else if let Some(t) = parse_uri(&uri) {
            targets.push(t);
        }
    }
    Ok(targets)
}

/// Every integration URI of a REST API (GetResources with `embed=methods`).
async fn rest_uris(
    at: Apis<'_>,
    api_id: &str,
    tally: &mut Tally,
) -> Result<Vec<String>, SourceError> {
    let client = &at.clients.apigateway;
    let op = Operation {
        service: API_GATEWAY,
        api: "GetResources",
        region: at.region,
    };
    let profile = at.login;
    pages::read_all(tally, op, pages::ALL, |token| {
        let request = client
            .get_resources()
            .rest_api_id(api_id)
            .embed("methods")
            .limit(500)
            .set_position(token);
        async move {
            let page = request.send().await.map_err(fail(op, profile))?;
            Ok(Page {
                items: page
                    .items()
                    .iter()
                    .flat_map(|r| r.resource_methods().into_iter().flat_map(|m| m.values()))
                    .filter_map(|m| m.method_integration()?.uri().map(str::to_string))
                    .collect(),
                next: pages::token(page.position()),
            })
        }
    })
    .await
}

/// Every integration URI of an HTTP or WebSocket API (GetIntegrations); `None` when v2 does
/// not know the API (a REST API mapped through the v2 API).
async fn http_uris(
    at: Apis<'_>,
    api_id: &str,
    tally: &mut Tally,
) -> Result<Option<Vec<String>>, SourceError> {
    let client = &at.clients.apigatewayv2;
    let op = Operation {
        service: API_GATEWAY,
        api: "GetIntegrations",
        region: at.region,
    };
    let profile = at.login;
    let unknown_api = AtomicBool::new(false);
    let uris = pages::read_all(tally, op, pages::ALL, |token| {
        let request = client
            .get_integrations()
            .api_id(api_id)
            .max_results("500")
            .set_next_token(token);
        let unknown_api = &unknown_api;
        async move {
            match request.send().await {
                Ok(page) => Ok(Page {
                    items: page
                        .items()
                        .iter()
                        .filter_map(|i| i.integration_uri().map(str::to_string))
                        .collect(),
                    next: pages::token(page.next_token()),
                }),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_not_found_exception()) =>
                {
                    unknown_api.store(true, Ordering::Relaxed);
                    Ok(Page {
                        items: Vec::new(),
                        next: None,
                    })
                }
                Err(e) => Err(fail(op, profile)(e)),
            }
        }
    })
    .await?;
    Ok((!unknown_api.load(Ordering::Relaxed)).then_some(uris))
}

/// A stage's variables (v1 GetStage `variables`, v2 GetStage `StageVariables`).
async fn stage_variables(
    at: Apis<'_>,
    api: &MappedApi,
    stage: &str,
    tally: &mut Tally,
) -> Result<BTreeMap<String, String>, SourceError> {
    let clients = at.clients;
    let op = Operation {
        service: API_GATEWAY,
        api: "GetStage",
        region: at.region,
    };
    tally.count(op);
    let variables = match api.via {
        ApiKind::Rest => clients
            .apigateway
            .get_stage()
            .rest_api_id(&api.id)
            .stage_name(stage)
            .send()
            .await
            .map_err(fail(op, at.login))?
            .variables()
            .cloned()
            .unwrap_or_default(),
        ApiKind::Http => clients
            .apigatewayv2
            .get_stage()
            .api_id(&api.id)
            .stage_name(stage)
            .send()
            .await
            .map_err(fail(op, at.login))?
            .stage_variables()
            .cloned()
            .unwrap_or_default(),
    };
    Ok(variables.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// API Gateway Developer Guide, "Lambda integrations": REST integration URIs wrap the
    /// function ARN; HTTP API integrations give it bare; either may carry an alias or version.
    #[test]
    fn integration_uris_name_the_function_and_qualifier() {
        let t = |region: &str, function: &str, qualifier: Option<&str>| {
            Some(Target {
                region: region.into(),
                function: function.into(),
                qualifier: qualifier.map(str::to_string),
            })
        };
        let cases = [
            (
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:sample-api:live/invocations",
                t("us-east-1", "sample-api", Some("live")),
            ),
            (
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:sample-api/invocations",
                t("us-east-1", "sample-api", None),
            ),
            (
                "arn:aws-us-gov:apigateway:us-gov-west-1:lambda:path/2015-03-31/functions/arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:sample-api:7/invocations",
                t("us-gov-west-1", "sample-api", Some("7")),
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:billing-api:blue",
                t("eu-west-1", "billing-api", Some("blue")),
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:billing-api",
                t("eu-west-1", "billing-api", None),
            ),
            ("https://example.com/backend", None),
            ("arn:aws:apigateway:us-east-1:sqs:path/123/queue", None),
            ("", None),
        ];
        for (uri, expected) in cases {
            assert_eq!(parse_uri(uri), expected, "{uri}");
        }
    }

    #[test]
    fn stage_variables_fill_in_the_qualifier() {
        let vars = BTreeMap::from([("alias".to_string(), "live".to_string())]);
        let uri = "arn:aws:lambda:us-east-1:1:function:f:${stageVariables.alias}";
        assert_eq!(
            with_stage_variables(uri, &vars).as_deref(),
            Some("arn:aws:lambda:us-east-1:1:function:f:live")
        );
        assert_eq!(
            with_stage_variables("x:${stageVariables.missing}", &vars),
            None
        );
        assert_eq!(
            with_stage_variables("plain", &vars).as_deref(),
            Some("plain")
        );
    }
}
