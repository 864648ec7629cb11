//! Every mutating AWS call switchyard can make, in one file so that they are easy to audit:
//! Route 53 UpdateHealthCheck, ARC UpdateRoutingControlStates and CodePipeline
//! PutApprovalResult. Reached only through `Backend::execute`, which refuses in read-only mode.

use super::AwsBackend;
use super::Tally;
use super::errors::{Operation, THROTTLED_READ, describe};
use crate::config::AwsApi;
use crate::config::Config;
use crate::model::RoutingControl;
use crate::source::call::{ApprovalStatus, Call, CallError, CallErrorKind, OnOff};
use crate::source::{Entry, ErrorKind, Payload, SourceError};
use aws_config::{Region, SdkConfig};
use aws_sdk_route53recoverycluster as arc;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::BTreeMap;

/// Error codes that mean "what the plan was based on changed": plan again, do not retry blindly.
const CONFLICT: &[&str] = &[
    "HealthCheckVersionMismatch",
    "InvalidApprovalTokenException",
    "ApprovalAlreadyCompletedException",
];

/// One attempt per cluster endpoint, each bounded by this: a dead endpoint costs seconds, not
/// the SDK's three attempts under the shared 15 s budget, since the next endpoint is as good
/// (ARC Developer Guide, "Working with routing controls" / API reference
/// UpdateRoutingControlStates: try each of the cluster's five Regional endpoints in turn).
pub const ARC_ATTEMPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// The ARC clients' retry and timeout settings: one attempt, `ARC_ATTEMPT_TIMEOUT`, since
/// `on_any_endpoint` moves on to the next endpoint instead of retrying the same one.
fn one_attempt(builder: arc::config::Builder) -> arc::config::Builder {
    builder
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(ARC_ATTEMPT_TIMEOUT)
                .read_timeout(ARC_ATTEMPT_TIMEOUT)
                .operation_attempt_timeout(ARC_ATTEMPT_TIMEOUT)
                .operation_timeout(ARC_ATTEMPT_TIMEOUT)
                .build(),
        )
}

/// One client per ARC cluster endpoint of every `arc` service, signed for the endpoint's region.
pub(super) fn arc_clients(config: &Config, sdk: &SdkConfig) -> BTreeMap<String, arc::Client> {
    let mut clients = BTreeMap::new();
    for endpoint in config
        .services
        .iter()
        .flat_map(|s| s.failover.cluster_endpoints.iter())
    {
        let region = arc_endpoint_region(endpoint).unwrap_or(&config.aws.control_region);
        let client = arc::Client::from_conf(
            one_attempt(
                arc::config::Builder::from(sdk)
                    .region(Region::new(region.to_string()))
                    .endpoint_url(endpoint),
            )
            .build(),
        );
        clients.insert(endpoint.clone(), client);
    }
    clients
}

/// The region in an ARC cluster endpoint's host name
/// (`https://host-xxxx.route53-recovery-cluster.us-west-2.amazonaws.com/v1`), which its requests
/// are signed for.
fn arc_endpoint_region(endpoint: &str) -> Option<&str> {
    let host = endpoint.strip_prefix("https://")?.split('/').next()?;
    let mut labels = host.split('.');
    labels.find(|l| *l == "route53-recovery-cluster")?;
    labels.next().filter(|r| !r.is_empty())
}

impl AwsBackend {
    /// Use this client for an ARC cluster endpoint (how tests put mocked clients in), with the
    /// ARC clients' own settings (one attempt, a short timeout) over its configuration.
    pub fn with_arc_client(
        mut self,
        endpoint: &str,
        client: aws_sdk_route53recoverycluster::Client,
    ) -> AwsBackend {
        let client = arc::Client::from_conf(one_attempt(client.config().to_builder()).build());
        self.arc.insert(endpoint.to_string(), client);
        self
    }

    /// The order to try a cluster's endpoints in: the one that answered last (for reads and
    /// writes alike) first, then the others in the configured order.
    fn endpoint_order(&self, endpoints: &[String]) -> Vec<String> {
        let last = self
            .arc_last_good
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&cluster_key(endpoints))
            .cloned();
        rotation(endpoints, last.as_deref())
    }

    fn remember_answer(&self, endpoints: &[String], endpoint: &str) {
        self.arc_last_good
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(cluster_key(endpoints), endpoint.to_string());
    }

    pub(in crate::source) async fn execute(&self, call: &Call) -> Result<String, CallError> {
        match call {
            Call::UpdateHealthCheck {
                health_check_id,
                health_check_version,
                inverted,
                disabled,
                regions,
            } => {
                let mut request = self
                    .route53
                    .update_health_check()
                    .health_check_id(health_check_id)
                    .health_check_version(*health_check_version)
                    .inverted(*inverted)
                    .set_disabled(*disabled);
                for region in regions {
                    request = request.regions(region.as_str().into());
                }
                let out = request.send().await.map_err(|e| {
                    self.call_error(&e, "Route 53", "UpdateHealthCheck", &self.control_region())
                })?;
                let check = out.health_check();
                let flag = |f: fn(&aws_sdk_route53::types::HealthCheckConfig) -> Option<bool>| {
                    check
                        .and_then(|h| h.health_check_config())
                        .and_then(f)
                        .map_or("?".to_string(), |i| i.to_string())
                };
                Ok(format!(
                    "health check {health_check_id}: Inverted={}, Disabled={}, HealthCheckVersion={}",
                    flag(|c| c.inverted()),
                    flag(|c| c.disabled()),
                    check
                        .map(|h| h.health_check_version())
                        .map_or("?".to_string(), |v| v.to_string()),
                ))
            }
            Call::UpdateRoutingControlStates {
                cluster_endpoints,
                update_routing_control_state_entries,
                safety_rules_to_override,
            } => {
                let mut entries = Vec::new();
                for e in update_routing_control_state_entries {
                    let state = match e.routing_control_state {
                        OnOff::On => arc::types::RoutingControlState::On,
                        OnOff::Off => arc::types::RoutingControlState::Off,
                    };
                    let entry = arc::types::UpdateRoutingControlStateEntry::builder()
                        .routing_control_arn(&e.routing_control_arn)
                        .routing_control_state(state)
                        .build()
                        .map_err(|err| CallError::new(CallErrorKind::Failed, err.to_string()))?;
                    entries.push(entry);
                }
                // The resource IDs of ConflictExceptions (a blocking safety rule may be named
                // there rather than in the message).
                let conflicts: std::sync::Mutex<Vec<String>> = std::sync::Mutex::default();
                let overriding = (!safety_rules_to_override.is_empty())
                    .then(|| safety_rules_to_override.clone());
                let answer = self
                    .on_any_endpoint(cluster_endpoints, "UpdateRoutingControlStates", |c| {
                        let entries = entries.clone();
                        let overriding = overriding.clone();
                        let conflicts = &conflicts;
                        async move {
                            let out = c
                                .update_routing_control_states()
                                .set_update_routing_control_state_entries(Some(entries))
                                .set_safety_rules_to_override(overriding)
                                .send()
                                .await;
                            if let Some(arc::operation::update_routing_control_states::UpdateRoutingControlStatesError::ConflictException(c)) =
                                out.as_ref().err().and_then(|e| e.as_service_error())
                            {
                                conflicts
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .push(format!("{} {}", c.resource_id(), c.message()));
                            }
                            out.map(|_| ())
                        }
                    })
                    .await;
                match answer {
                    Ok(((), endpoint)) => Ok(format!(
                        "routing controls set through {endpoint}{}",
                        if safety_rules_to_override.is_empty() {
                            String::new()
                        } else {
                            format!(
                                ", overriding safety rule(s) {}",
                                safety_rules_to_override.join(", ")
                            )
                        }
                    )),
                    Err(e) if e.kind == CallErrorKind::Conflict => {
                        let seen = conflicts
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .join(" ");
                        Err(crate::source::call::blocked_by_safety_rule(
                            &e.message,
                            &format!("{seen} {}", e.message),
                            safety_rules_to_override,
                        ))
                    }
                    Err(e) => Err(e),
                }
            }
            Call::PutApprovalResult {
                region,
                pipeline_name,
                stage_name,
                action_name,
                result,
                token,
            } => {
                let client = &self
                    .region(region)
                    .map_err(|e| CallError::new(CallErrorKind::Failed, e.message))?
                    .codepipeline;
                let status = match result.status {
                    ApprovalStatus::Approved => {
                        aws_sdk_codepipeline::types::ApprovalStatus::Approved
                    }
                    ApprovalStatus::Rejected => {
                        aws_sdk_codepipeline::types::ApprovalStatus::Rejected
                    }
                };
                let answer = aws_sdk_codepipeline::types::ApprovalResult::builder()
                    .summary(&result.summary)
                    .status(status)
                    .build()
                    .map_err(|err| CallError::new(CallErrorKind::Failed, err.to_string()))?;
                let out = client
                    .put_approval_result()
                    .pipeline_name(pipeline_name)
                    .stage_name(stage_name)
                    .action_name(action_name)
                    .result(answer)
                    .token(token)
                    .send()
                    .await
                    .map_err(|e| {
                        self.call_error(&e, "CodePipeline", "PutApprovalResult", region)
                    })?;
                Ok(format!(
                    "{pipeline_name} {stage_name}/{action_name}: {:?}{}",
                    result.status,
                    out.approved_at()
                        .and_then(super::timestamp)
                        .map(|t| format!(" at {}", t.format("%H:%M:%S UTC")))
                        .unwrap_or_default()
                ))
            }
        }
    }

    /// The state of each routing control, read from the first cluster endpoint that answers.
    pub(in crate::source) async fn routing_control_states(
        &self,
        endpoints: &[String],
        arns: &[String],
    ) -> Result<Vec<(String, bool)>, SourceError> {
        let mut states = Vec::new();
        for arn in arns {
            let on = self
                .on_any_endpoint(endpoints, "GetRoutingControlState", |c| {
                    let arn = arn.clone();
                    async move {
                        c.get_routing_control_state()
                            .routing_control_arn(arn)
                            .send()
                            .await
                            .map(|out| {
                                *out.routing_control_state() == arc::types::RoutingControlState::On
                            })
                    }
                })
                .await
                .map_err(|e| SourceError::new(ErrorKind::Other, e.message))?
                .0;
            states.push((arn.clone(), on));
        }
        Ok(states)
    }

    /// The routing control of `region` of every `arc` service there (the routing control
    /// source): one GetRoutingControlState each, through the cluster endpoints in rotation.
    /// The services' reads go out at once; one failing leaves the others' states.
    pub(super) async fn fetch_routing_controls_in(
        &self,
        region: &str,
        tally: &mut Tally,
    ) -> Result<Payload, SourceError> {
        let reads = self.services_in(region).filter_map(|s| {
            let arn = s.failover.routing_controls.get(region)?.clone();
            let endpoints = s.failover.cluster_endpoints.clone();
            let service = s.name.clone();
            Some(async move {
                let read = self
                    .routing_control_states(&endpoints, std::slice::from_ref(&arn))
                    .await;
                (service, arn, read)
            })
        });
        let mut entries = Vec::new();
        let mut failed = Vec::new();
        for (service, arn, read) in futures::future::join_all(reads).await {
            tally.call();
            match read {
                Ok(states) => {
                    if let Some((arn, on)) = states.into_iter().find(|(a, _)| *a == arn) {
                        entries.push(Entry {
                            service,
                            region: region.to_string(),
                            value: RoutingControl { arn, on },
                        });
                    }
                }
                Err(e) => failed.push(format!("{service}: {}", e.message)),
            }
        }
        if entries.is_empty() && !failed.is_empty() {
            return Err(SourceError::new(ErrorKind::Unavailable, failed.join("; ")));
        }
        if !failed.is_empty() {
            tally.partial(SourceError::new(ErrorKind::Unavailable, failed.join("; ")));
        }
        Ok(Payload::RoutingControl(entries))
    }

    /// ARC promises at least three of a cluster's five endpoints: try each in turn until one
    /// answers, one attempt each, starting from the one that answered last. A conflict (a
    /// safety rule blocked the change) is an answer: not retried elsewhere.
    async fn on_any_endpoint<T, E, F, Fut>(
        &self,
        endpoints: &[String],
        api: &str,
        call: F,
    ) -> Result<(T, String), CallError>
    where
        F: Fn(arc::Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let mut failures = Vec::new();
        for endpoint in &self.endpoint_order(endpoints) {
            let Some(client) = self.arc.get(endpoint) else {
                failures.push(format!("{endpoint}: no client (not in the config)"));
                continue;
            };
            match call(client.clone()).await {
                Ok(value) => {
                    self.remember_answer(endpoints, endpoint);
                    return Ok((value, endpoint.clone()));
                }
                Err(e) => {
                    let error = self.call_error(&e, "Route 53 ARC", api, endpoint);
                    if error.kind == CallErrorKind::Conflict {
                        // It answered: the endpoint works.
                        self.remember_answer(endpoints, endpoint);
                    }
                    tracing::warn!(%endpoint, %error, "ARC endpoint failed; trying the next");
                    if error.kind == CallErrorKind::Conflict {
                        // An answer, not an outage: the other endpoints would say the same.
                        return Err(if failures.is_empty() {
                            error
                        } else {
                            CallError::new(
                                error.kind,
                                format!("{} (before it: {})", error.message, failures.join("; ")),
                            )
                        });
                    }
                    failures.push(error.message);
                }
            }
        }
        Err(CallError::new(
            CallErrorKind::Failed,
            format!(
                "no ARC cluster endpoint answered {api} ({} tried): {}",
                endpoints.len(),
                failures.join("; ")
            ),
        ))
    }

    fn call_error<E>(
        &self,
        err: &SdkError<E, HttpResponse>,
        service: &str,
        api: &str,
        region: &str,
    ) -> CallError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let described = describe(
            Operation {
                service,
                api,
                region,
            },
            err,
            self.login(if service == "CodePipeline" {
                AwsApi::CodePipeline
            } else {
                AwsApi::Route53
            }),
        );
        let code = err.code().unwrap_or_default();
        if service == "Route 53 ARC" && code == "ConflictException" {
            CallError::new(
                CallErrorKind::Conflict,
                format!(
                    "{}; an ARC safety rule blocked the change (e.g. \"at least one On\"): \
                     nothing changed",
                    described.message
                ),
            )
        } else if CONFLICT.contains(&code) {
            CallError::new(
                CallErrorKind::Conflict,
                format!(
                    "{}; it changed since switchyard read it: refresh, check the new state, and \
                     plan again",
                    described.message
                ),
            )
        } else if described.kind == ErrorKind::Throttled {
            CallError::new(
                CallErrorKind::Failed,
                described.message.replace(
                    THROTTLED_READ,
                    "; throttled, so nothing changed: try again in a few seconds",
                ),
            )
        } else {
            CallError::new(CallErrorKind::Failed, described.message)
        }
    }

    fn control_region(&self) -> String {
        self.config.aws.control_region.clone()
    }
}

/// The routing control source's fetch for `region`.
pub(super) async fn fetch_routing_controls(
    backend: &AwsBackend,
    region: &str,
    tally: &mut Tally,
) -> Result<Payload, SourceError> {
    backend.fetch_routing_controls_in(region, tally).await
}

/// A cluster, as the set of its endpoints (the order in the config does not matter).
fn cluster_key(endpoints: &[String]) -> String {
    let mut sorted: Vec<&str> = endpoints.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.join(" ")
}

/// `endpoints` starting from `last` (when it is one of them), the others in their order.
fn rotation(endpoints: &[String], last: Option<&str>) -> Vec<String> {
    let mut order: Vec<String> = endpoints
        .iter()
        .filter(|e| Some(e.as_str()) == last)
        .cloned()
        .collect();
    order.extend(
        endpoints
            .iter()
            .filter(|e| Some(e.as_str()) != last)
            .cloned(),
    );
    order
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::{arc_endpoint_region, rotation};

    #[test]
    fn rotation_starts_from_the_endpoint_that_answered_last() {
        let e: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        for (last, want) in [
            (None, "a b c d e"),
            (Some("a"), "a b c d e"),
            (Some("c"), "c a b d e"),
            (Some("e"), "e a b c d"),
            (Some("gone"), "a b c d e"),
        ] {
            assert_eq!(rotation(&e, last).join(" "), want, "{last:?}");
        }
    }

    #[test]
    fn arc_requests_are_signed_for_the_region_in_the_endpoint_name() {
        for (url, region) in [
            (
                "https://host-dsaxm3.route53-recovery-cluster.us-west-2.amazonaws.com/v1",
                Some("us-west-2"),
            ),
            (
                "https://abc.route53-recovery-cluster.ap-southeast-2.amazonaws.com/v1",
                Some("ap-southeast-2"),
            ),
            ("https://example.com/v1", None),
            (
                "http://abc.route53-recovery-cluster.eu-west-1.amazonaws.com",
                None,
            ),
        ] {
            assert_eq!(arc_endpoint_region(url), region, "{url}");
        }
    }
}
