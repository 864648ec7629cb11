//! The simulated deployment behind `switchyard demo` and `--sim`: a scenario, a world computed
//! from it at any moment, and the backend face the pollers talk to.

mod discover;
pub mod noise;
mod ops;
pub mod scenario;
pub mod world;

use super::{
    DNS_REGION, Entry, ErrorKind, Fetched, Payload, SourceError, SourceKey, SourceKind, SourceSpec,
    TEAM_REGION,
};
use crate::model::{Failover, Service, Timestamp};
use crate::source::team;
use scenario::Scenario;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;
use world::World;

pub use discover::SimInventory;
pub use ops::SimOp;
pub use scenario::{BUILT_IN, ScenarioError};

/// How long a lease lasts in the simulation's team bucket (as `[team] lease` defaults to).
pub const SIM_LEASE: Duration = Duration::from_secs(120);

/// The simulation's team bucket, in memory, with the scenario's teammates.
pub fn team(teammates: Vec<team::memory::Teammate>) -> team::TeamStore {
    team::TeamStore::memory(
        std::sync::Arc::new(team::memory::MemoryStore::new(
            teammates,
            SIM_LEASE.as_secs(),
        )),
        SIM_LEASE,
    )
}

pub struct SimBackend {
    scenario: Scenario,
    /// What operators did (failovers, approvals), in order.
    ops: RwLock<Vec<SimOp>>,
    read_only: bool,
    /// The simulated team bucket (scenarios with teammates).
    team: Option<Box<crate::source::team::TeamStore>>,
}

impl SimBackend {
    /// The simulated deployment of a scenario; with the simulation's team bucket when the
    /// scenario has teammates (`teammate` incidents), so every command, test and benchmark
    /// over that scenario sees them.
    pub fn new(scenario: Scenario) -> Self {
        let teammates = scenario.teammates();
        let backend = SimBackend {
            scenario,
            ops: RwLock::new(Vec::new()),
            read_only: false,
            team: None,
        };
        if teammates.is_empty() {
            backend
        } else {
            backend.with_team(team(teammates))
        }
    }

    /// With a simulated team bucket: drills take their leases there, and the `team` source
    /// reads it.
    pub fn with_team(mut self, team: crate::source::team::TeamStore) -> Self {
        self.team = Some(Box::new(team));
        self
    }

    pub fn team(&self) -> Option<&crate::source::team::TeamStore> {
        self.team.as_deref()
    }

    /// Refuse every mutating call (`--read-only`).
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The operations so far. A poisoned lock only means a panic elsewhere mid-push; the list
    /// itself is still whole.
    pub(super) fn ops(&self) -> RwLockReadGuard<'_, Vec<SimOp>> {
        self.ops.read().unwrap_or_else(|e| e.into_inner())
    }

    fn ops_mut(&self) -> RwLockWriteGuard<'_, Vec<SimOp>> {
        self.ops.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn scenario_name(&self) -> &str {
        &self.scenario.name
    }

    pub fn caller(&self) -> String {
        "arn:aws:sts::000000000000:assumed-role/switchyard-demo/simulated".into()
    }

    pub fn services(&self) -> Vec<Service> {
        self.scenario
            .services
            .iter()
            .map(|s| Service {
                name: s.name.clone(),
                domain: s.domain.clone(),
                regions: s.regions.clone(),
                functions: s.functions.iter().map(|f| f.name.clone()).collect(),
                regional_hostname: s.regional_hostname.clone(),
                pipeline: s.pipeline.clone(),
                artifact_source_region: s.regions.first().cloned().unwrap_or_default(),
                pipeline_region: s.regions.first().cloned().unwrap_or_default(),
                failover: match s.failover {
                    scenario::SimFailover::InvertHealthCheck => Failover::InvertHealthCheck,
                    scenario::SimFailover::PinUnhealthy => Failover::PinUnhealthy,
                    scenario::SimFailover::Arc => Failover::Arc {
                        cluster_endpoints: world::arc_cluster_endpoints(self.scenario.seed),
                        routing_controls: s
                            .regions
                            .iter()
                            .map(|r| {
                                (
                                    r.clone(),
                                    world::routing_control_arn(self.scenario.seed, &s.name, r),
                                )
                            })
                            .collect(),
                    },
                },
            })
            .collect()
    }

    /// One source per kind and region; the pipeline source lives in each service's primary.
    pub fn schedule(&self) -> Vec<SourceSpec> {
        let refresh = &self.scenario.refresh;
        let mut specs: Vec<SourceSpec> = Vec::new();
        for kind in SourceKind::ALL {
            let interval = match kind {
                SourceKind::Health => refresh.health,
                SourceKind::Lambda => refresh.lambda,
                SourceKind::Replication => refresh.replication,
                SourceKind::Domains => refresh.domains,
                SourceKind::Pipeline => refresh.pipeline,
                SourceKind::RoutingControl => refresh.health,
                SourceKind::Dns => refresh.dns,
                SourceKind::Team => refresh.team,
            };
            // The team source only where the scenario has teammates (a team bucket).
            if kind == SourceKind::Team && self.team.is_none() {
                continue;
            }
            for service in &self.scenario.services {
                let regions: Vec<&String> = match kind {
                    SourceKind::Pipeline if service.pipeline.is_some() => {
                        service.regions.iter().take(1).collect()
                    }
                    SourceKind::Pipeline => Vec::new(),
                    SourceKind::RoutingControl
                        if service.failover != scenario::SimFailover::Arc =>
                    {
                        Vec::new()
                    }
                    // One DNS source for every service (DNS is not in a region); it covers
                    // each service at its primary, where its freshness is looked up. So does
                    // the team source (one bucket for the team).
                    SourceKind::Dns | SourceKind::Team => service.regions.iter().take(1).collect(),
                    _ => service.regions.iter().collect(),
                };
                for region in regions {
                    let key = if kind == SourceKind::Dns {
                        SourceKey::new(kind, DNS_REGION)
                    } else if kind == SourceKind::Team {
                        SourceKey::new(kind, TEAM_REGION)
                    } else {
                        SourceKey::new(kind, region.clone())
                    };
                    let cover = (service.name.clone(), region.clone());
                    match specs.iter_mut().find(|s| s.key == key) {
                        Some(spec) => spec.covers.push(cover),
                        None => specs.push(SourceSpec {
                            key,
                            interval,
                            timeout: Duration::from_secs(5),
                            covers: vec![cover],
                        }),
                    }
                }
            }
        }
        specs
    }

    /// What AWS would answer for one source at simulated time `now`, with the calls it took
    /// (the health source's calls are Route 53's: GetHealthCheck and GetHealthCheckStatus).
    pub fn fetch_now(&self, key: &SourceKey, now: Timestamp) -> Fetched {
        let (calls, result) = self.answer(key, now);
        let route53_down = {
            let ops = self.ops();
            let world = World::new(&self.scenario, &ops);
            world.route53_down(world.offset(now))
        };
        // The domains source joins API Gateway and the zone's records: with the Route 53 API
        // down it keeps the domains, and the records are the part that failed.
        let partial = (route53_down && key.kind == SourceKind::Domains && result.is_ok())
            .then(|| route53_timeout("ListResourceRecordSets", &self.control_region()));
        Fetched {
            key: key.clone(),
            at: now,
            calls,
            route53_calls: if key.kind == SourceKind::Health {
                calls
            } else {
                0
            },
            result,
            partial,
        }
    }

    /// Where the simulated Route 53 control plane lives.
    pub(super) fn control_region(&self) -> String {
        "us-east-1".to_string()
    }

    fn answer(&self, key: &SourceKey, now: Timestamp) -> (u32, Result<Payload, SourceError>) {
        let ops = self.ops();
        let world = World::new(&self.scenario, &ops);
        let region = key.region.as_str();
        if world.throttled(key.kind.name(), region, world.offset(now)) {
            return (1, Err(throttling_error(key)));
        }
        if key.kind == SourceKind::Health && world.route53_down(world.offset(now)) {
            return (
                1,
                Err(route53_timeout("GetHealthCheck", &self.control_region())),
            );
        }
        if key.kind == SourceKind::Team {
            drop(ops);
            return self.team_view(now);
        }
        let services = self
            .scenario
            .services
            .iter()
            .filter(|s| region == DNS_REGION || s.regions.iter().any(|r| r == region));
        let mut calls = 0u32;
        let payload = match key.kind {
            SourceKind::Health => Payload::Health(
                services
                    .map(|s| {
                        calls += 2;
                        entry(&s.name, region, world.health_check(&s.name, region, now))
                    })
                    .collect(),
            ),
            SourceKind::Lambda => Payload::Lambda(
                services
                    .map(|s| {
                        calls += s.functions.len() as u32;
                        entry(&s.name, region, world.functions(s, region, now))
                    })
                    .collect(),
            ),
            SourceKind::Domains => Payload::Domains(
                services
                    .map(|s| {
                        calls += 3;
                        entry(&s.name, region, world.domains(s, region, now))
                    })
                    .collect(),
            ),
            SourceKind::Replication => {
                let services: Vec<_> = services.collect();
                let versions = services
                    .iter()
                    .map(|s| {
                        let versions = world.artifacts(s, region, now);
                        calls += 1 + versions.len() as u32;
                        entry(&s.name, region, versions)
                    })
                    .collect();
                // Replication metrics are published for the source bucket's rules.
                let metrics = services
                    .iter()
                    .filter(|s| s.regions.first().is_some_and(|r| r == region))
                    .map(|s| entry(&s.name, region, world.replication_metrics(s, now)))
                    .collect();
                Payload::Replication(versions, metrics)
            }
            SourceKind::RoutingControl => Payload::RoutingControl(
                services
                    .filter(|s| s.failover == scenario::SimFailover::Arc)
                    .map(|s| {
                        calls += 1;
                        entry(&s.name, region, world.routing_control(s, region, now))
                    })
                    .collect(),
            ),
            // DNS queries are no AWS API calls: nothing to count against a limit or a bill.
            SourceKind::Dns => Payload::Dns(
                services
                    .map(|s| entry(&s.name, region, world.dns(s, now)))
                    .collect(),
            ),
            SourceKind::Team => return self.team_view(now),
            SourceKind::Pipeline => Payload::Pipeline(
                services
                    .filter(|s| s.regions.first().is_some_and(|r| r == region))
                    .filter_map(|s| {
                        calls += 2;
                        Some(entry(&s.name, region, world.pipeline(s, now)?))
                    })
                    .collect(),
            ),
        };
        if key.kind == SourceKind::Lambda {
            // One batched GetMetricData per region on top of the per-function configuration reads.
            calls += 1;
        }
        (calls, Ok(payload))
    }
}

/// A Route 53 API call that timed out (the control plane down), worded as the AWS path words it.
pub(super) fn route53_timeout(api: &str, control_region: &str) -> SourceError {
    SourceError::new(
        ErrorKind::Timeout,
        format!(
            "Route 53 {api} in {control_region}: timed out; the region's endpoint may be impaired"
        ),
    )
}

impl SimBackend {
    /// The `team` source's answer at simulated time `now`: `TeamStore::view` over the
    /// simulation's team bucket (in memory, so it answers at once), with the S3 calls it stands
    /// for (one listing of the leases, one of the day's audit records, a read per object).
    fn team_view(&self, now: Timestamp) -> (u32, Result<Payload, SourceError>) {
        let Some(team) = self.team() else {
            return (
                0,
                Err(SourceError::new(
                    ErrorKind::Other,
                    "the scenario has no teammates: there is no team bucket to read",
                )),
            );
        };
        let mut view = std::pin::pin!(team.view(now));
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match view.as_mut().poll(&mut context) {
            std::task::Poll::Ready(Ok((view, calls))) => (calls, Ok(Payload::Team(view))),
            std::task::Poll::Ready(Err(e)) => (1, Err(e)),
            // The memory store never waits; were it to, the source says so rather than block.
            std::task::Poll::Pending => (
                1,
                Err(SourceError::new(
                    ErrorKind::Other,
                    "the simulation's team bucket did not answer at once",
                )),
            ),
        }
    }

    /// One service's DNS truth at simulated time `now`, as the `dns` source would fetch it.
    pub fn dns_truth(
        &self,
        service: &str,
        now: Timestamp,
    ) -> Result<crate::model::DnsTruth, SourceError> {
        let ops = self.ops();
        let world = World::new(&self.scenario, &ops);
        match world.service(service) {
            Some(s) => Ok(world.dns(s, now)),
            None => Err(SourceError::new(
                ErrorKind::Other,
                format!("no service {service} in the scenario"),
            )),
        }
    }
}

fn throttling_error(key: &SourceKey) -> SourceError {
    let api = match key.kind {
        SourceKind::Health => "Route 53 GetHealthCheckStatus",
        SourceKind::Lambda => "CloudWatch GetMetricData",
        SourceKind::Replication => "S3 ListObjectVersions",
        SourceKind::Domains => "API Gateway GetDomainNames",
        SourceKind::Pipeline => "CodePipeline GetPipelineState",
        SourceKind::RoutingControl => "Route 53 ARC GetRoutingControlState",
        SourceKind::Dns => "DNS query",
        SourceKind::Team => "S3 ListObjectsV2",
    };
    SourceError::new(
        ErrorKind::Throttled,
        format!(
            "{api} in {}: Throttling: Rate exceeded; backing off, showing the last data fetched",
            key.region
        ),
    )
}

fn entry<T>(service: &str, region: &str, value: T) -> Entry<T> {
    Entry {
        service: service.to_string(),
        region: region.to_string(),
        value,
    }
}
