//! Services with credentials of their own (`[[service]] profile`, `role_arn`): one backend per
//! group of services that share credentials for every API, behind the one backend the console
//! sees (README, "Several accounts"; docs/ARCHITECTURE.md).
//!
//! Every source's payload is made of per-service entries, so a source whose services are in
//! several groups is fetched from each of them at once and their entries put together. Actions
//! and on-demand reads go to the group of the service (or health check, or cluster) they are for.

use super::{AwsBackend, Tally};
use crate::config::AwsApi;
use crate::model::{AccountPin, Caller, Timestamp};
use crate::source::{Call, CallError, Payload, SourceError, SourceKey};

impl AwsBackend {
    /// The group `service` is in; this backend when there are no groups (or no such service).
    pub fn for_service(&self, service: &str) -> &AwsBackend {
        self.groups
            .iter()
            .find(|g| g.config.services.iter().any(|s| s.name == service))
            .unwrap_or(self)
    }

    /// The group of the services these health checks judge: named in a service's
    /// `health_checks`, or read from its failover records.
    pub async fn for_checks(&self, ids: &[String]) -> &AwsBackend {
        for group in &self.groups {
            let named = group
                .config
                .services
                .iter()
                .any(|s| s.health_checks.values().any(|id| ids.contains(id)));
            let read = group
                .health_ids
                .lock()
                .await
                .values()
                .flatten()
                .any(|id| ids.contains(id));
            if named || read {
                return group;
            }
        }
        self
    }

    /// The group of the services whose ARC cluster has these endpoints.
    pub fn for_endpoints(&self, endpoints: &[String]) -> &AwsBackend {
        self.groups
            .iter()
            .find(|g| {
                g.config.services.iter().any(|s| {
                    s.failover
                        .cluster_endpoints
                        .iter()
                        .any(|e| endpoints.contains(e))
                })
            })
            .unwrap_or(self)
    }

    /// Make one mutating call with the credentials of `service`'s group (this backend's when
    /// the service is not named or there are no groups).
    pub(in crate::source) async fn execute_for(
        &self,
        service: Option<&str>,
        call: &Call,
    ) -> Result<String, CallError> {
        match service {
            Some(service) => self.for_service(service).execute(call).await,
            None => self.execute(call).await,
        }
    }
}

/// Route 53 rations GetHealthCheckStatus and GetHealthCheckLastFailureReason for the whole
/// account: the groups share this backend's budgets, so grouping never raises the rate. Groups
/// that read Route 53 with the same credentials share one zone cache, so a zone is read once a
/// refresh for all of them.
pub(super) fn share_budgets(b: &mut AwsBackend) {
    let mut zones: Vec<(
        crate::config::Credentials,
        std::sync::Arc<super::zone::ZoneCache>,
    )> = Vec::new();
    for group in &mut b.groups {
        group.health_status_budget = std::sync::Arc::clone(&b.health_status_budget);
        group.failure_reason_budget = std::sync::Arc::clone(&b.failure_reason_budget);
        let credentials = group.config.aws.credentials(AwsApi::Route53);
        match zones.iter().find(|(c, _)| *c == credentials) {
            Some((_, cache)) => group.zones = std::sync::Arc::clone(cache),
            None => zones.push((credentials, std::sync::Arc::clone(&group.zones))),
        }
    }
}

/// One source from every group with services in it, at once: their entries together, their
/// calls added up; a group that failed while others answered is the fetch's partial failure.
pub(super) async fn fetch(
    b: &AwsBackend,
    key: &SourceKey,
    now: Timestamp,
) -> (Tally, Result<Payload, SourceError>) {
    let groups: Vec<&AwsBackend> = b
        .groups
        .iter()
        .filter(|g| g.schedule().iter().any(|spec| spec.key == *key))
        .collect();
    let fetched = futures::future::join_all(groups.iter().map(|g| g.fetch_own(key, now))).await;
    let mut tally = Tally::default();
    let mut payload: Option<Payload> = None;
    let mut failed: Option<SourceError> = None;
    for (part, result) in fetched {
        tally.absorb(part);
        match result {
            Ok(more) => {
                payload = Some(match payload {
                    None => more,
                    Some(so_far) => merge(so_far, more),
                });
            }
            Err(e) if failed.is_none() => failed = Some(e),
            Err(_) => {}
        }
    }
    let result = match (payload, failed) {
        (Some(payload), failed) => {
            if let Some(e) = failed {
                tally.partial(e);
            }
            Ok(payload)
        }
        (None, Some(e)) => Err(e),
        (None, None) => Err(SourceError::new(
            crate::source::ErrorKind::Other,
            format!(
                "no service of the config reads {} in {}",
                key.kind.name(),
                key.region
            ),
        )),
    };
    (tally, result)
}

/// Two groups' payloads of one source: every variant is a list of per-service entries (the
/// team's view is never split: it is read once, by the backend itself).
fn merge(so_far: Payload, more: Payload) -> Payload {
    match (so_far, more) {
        (Payload::Health(mut a), Payload::Health(b)) => {
            a.extend(b);
            Payload::Health(a)
        }
        (Payload::Lambda(mut a), Payload::Lambda(b)) => {
            a.extend(b);
            Payload::Lambda(a)
        }
        (Payload::Domains(mut a), Payload::Domains(b)) => {
            a.extend(b);
            Payload::Domains(a)
        }
        (Payload::Replication(mut a, mut m), Payload::Replication(b, n)) => {
            a.extend(b);
            m.extend(n);
            Payload::Replication(a, m)
        }
        (Payload::Pipeline(mut a), Payload::Pipeline(b)) => {
            a.extend(b);
            Payload::Pipeline(a)
        }
        (Payload::RoutingControl(mut a), Payload::RoutingControl(b)) => {
            a.extend(b);
            Payload::RoutingControl(a)
        }
        (Payload::Dns(mut a), Payload::Dns(b)) => {
            a.extend(b);
            Payload::Dns(a)
        }
        (so_far, _) => so_far,
    }
}

/// Each distinct credential set's caller over all groups, the default first: a set several
/// groups share is listed once, with the APIs and broken pins of all of them.
pub(super) async fn callers(b: &AwsBackend) -> Vec<Caller> {
    merge_callers(futures::future::join_all(b.groups.iter().map(super::sts::callers)).await)
}

/// The groups' callers, each distinct set once (by its label), in the order first met.
fn merge_callers(asked: Vec<Vec<Caller>>) -> Vec<Caller> {
    let mut all: Vec<Caller> = Vec::new();
    for caller in asked.into_iter().flatten() {
        match all.iter_mut().find(|c| c.credentials == caller.credentials) {
            None => all.push(caller),
            Some(known) => {
                for api in caller.apis {
                    if !known.apis.contains(&api) {
                        known.apis.push(api);
                    }
                }
                known
                    .apis
                    .sort_by_key(|name| AwsApi::ALL.iter().position(|a| a.name() == name));
                for pin in caller.wrong_account {
                    add_pin(&mut known.wrong_account, pin);
                }
            }
        }
    }
    all
}

fn add_pin(pins: &mut Vec<AccountPin>, pin: AccountPin) {
    match pins
        .iter_mut()
        .find(|p| p.api == pin.api && p.key == pin.key && p.account_id == pin.account_id)
    {
        Some(known) => known.services.extend(pin.services),
        None => pins.push(pin),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::source::Entry;

    fn entry<T>(service: &str, value: T) -> Entry<T> {
        Entry {
            service: service.to_string(),
            region: "us-east-1".to_string(),
            value,
        }
    }

    fn services<T>(entries: &[Entry<T>]) -> Vec<&str> {
        entries.iter().map(|e| e.service.as_str()).collect()
    }

    #[test]
    fn each_groups_entries_are_kept() {
        let merged = merge(
            Payload::Lambda(vec![entry("sample", Vec::new())]),
            Payload::Lambda(vec![entry("other", Vec::new())]),
        );
        let Payload::Lambda(entries) = merged else {
            panic!("{merged:?}")
        };
        assert_eq!(services(&entries), ["sample", "other"]);
        // Both lists of a replication payload.
        let merged = merge(
            Payload::Replication(vec![entry("sample", Vec::new())], Vec::new()),
            Payload::Replication(
                vec![entry("other", Vec::new())],
                vec![entry("other", Vec::new())],
            ),
        );
        let Payload::Replication(versions, metrics) = merged else {
            panic!("{merged:?}")
        };
        assert_eq!(services(&versions), ["sample", "other"]);
        assert_eq!(services(&metrics), ["other"]);
    }

    fn caller(label: &str, apis: &[&str], pins: Vec<AccountPin>) -> Caller {
        Caller {
            credentials: label.to_string(),
            apis: apis.iter().map(|a| a.to_string()).collect(),
            arn: None,
            account: None,
            error: None,
            wrong_account: pins,
        }
    }

    fn pin(service: &str) -> AccountPin {
        AccountPin {
            api: AwsApi::Route53.name().to_string(),
            key: "aws.account_id".to_string(),
            account_id: "222222222222".to_string(),
            services: vec![service.to_string()],
        }
    }

    #[test]
    fn a_set_several_groups_share_is_one_caller() {
        let merged = merge_callers(vec![
            vec![
                caller("default credentials", &["route53"], vec![pin("sample")]),
                caller("role a", &["lambda", "s3"], Vec::new()),
            ],
            vec![
                caller(
                    "default credentials",
                    &["apigateway", "route53"],
                    vec![pin("other")],
                ),
                caller("role b", &["lambda"], Vec::new()),
            ],
        ]);
        let labels: Vec<&str> = merged.iter().map(|c| c.credentials.as_str()).collect();
        assert_eq!(labels, ["default credentials", "role a", "role b"]);
        assert_eq!(merged[0].apis, ["route53", "apigateway"]);
        assert_eq!(merged[0].wrong_account.len(), 1);
        assert_eq!(merged[0].wrong_account[0].services, ["sample", "other"]);
    }
}
