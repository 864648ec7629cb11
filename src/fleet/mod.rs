//! The fleet's data: every service's regions with what each source last fetched, the sources'
//! status, and the one function that applies a fetch (`Fleet::apply`). The assessments, the
//! guarded actions, the reports and the console all read it; it knows nothing of the screen.
//! (docs/ARCHITECTURE.md: the fleet layer.)

mod apply;
#[cfg(test)]
pub(crate) mod testing;

use crate::config::Thresholds;
use crate::model::{
    ArtifactVersion, DnsTruth, DomainInfo, FunctionStats, HealthCheck, HealthStatus, PipelineInfo,
    ReplicationMetrics, RoutingControl, Service, Timestamp, serving_index,
};
use crate::source::{SourceError, SourceKey, SourceKind, SourceSpec};
use std::collections::BTreeMap;
use std::time::Duration;

/// A value and when it was fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamped<T> {
    pub value: T,
    pub fetched_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegionState {
    pub region: String,
    pub health: Option<Stamped<HealthCheck>>,
    pub functions: Option<Stamped<Vec<FunctionStats>>>,
    pub domains: Option<Stamped<Vec<DomainInfo>>>,
    pub artifacts: Option<Stamped<Vec<ArtifactVersion>>>,
    /// Replication metrics of the rules whose source bucket is in this region.
    pub replication_metrics: Option<Stamped<Vec<ReplicationMetrics>>>,
    /// Replication lag of the tracked artifact into this region, one sample per fetch, oldest
    /// first (seconds; `None` where it could not be told).
    pub lag_history: Vec<Option<f64>>,
    /// When the console first listed each object version in this region's bucket, by version
    /// ID, kept across fetches (`Fleet::apply`): the observed arrival of a replica, since S3
    /// tells none (a replica keeps the source's LastModified).
    pub sightings: BTreeMap<String, Sighting>,
    /// The region's ARC routing control (`arc` services), read from the cluster endpoints.
    pub routing_control: Option<Stamped<RoutingControl>>,
}

/// When the console first saw an object version listed in a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sighting {
    /// The fetch whose listing first had it.
    pub first_seen: Timestamp,
    /// The fetch before, whose listing did not have it; `None` when the console's first listing
    /// already had it (it arrived at some unknown time before).
    pub absent_at: Option<Timestamp>,
}

impl RegionState {
    pub fn new(region: &str) -> Self {
        RegionState {
            region: region.to_string(),
            health: None,
            functions: None,
            domains: None,
            artifacts: None,
            replication_metrics: None,
            lag_history: Vec::new(),
            sightings: BTreeMap::new(),
            routing_control: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceState {
    pub service: Service,
    pub regions: Vec<RegionState>,
    pub pipeline: Option<Stamped<PipelineInfo>>,
    /// What the authoritative name servers last answered for the shared name.
    pub dns: Option<Stamped<DnsTruth>>,
    /// Since when DNS has answered with another region than the health model predicts (kept
    /// across fetches by `Fleet::apply`; `None` while they agree or either is unknown).
    pub dns_disagrees_since: Option<Timestamp>,
}

impl ServiceState {
    /// The region the health model predicts Route 53 answers with: the first healthy region
    /// (`model::serving_index`), from each region's last health data. For `arc` services a
    /// region's RECOVERY_CONTROL check follows its routing control (`recovery_control_status`),
    /// so where the routing control was read at least as recently as the health check (data
    /// plane, readable while the Route 53 API is down), its state decides.
    pub fn predicted_region(&self) -> Option<&str> {
        let arc = matches!(self.service.failover, crate::model::Failover::Arc { .. });
        let statuses: Vec<HealthStatus> = self
            .regions
            .iter()
            .map(|r| {
                let health = r.health.as_ref();
                match &r.routing_control {
                    Some(c) if arc && health.is_none_or(|h| c.fetched_at >= h.fetched_at) => {
                        crate::model::recovery_control_status(c.value.on)
                    }
                    _ => health.map_or(HealthStatus::Unknown, |h| h.value.effective()),
                }
            })
            .collect();
        serving_index(&statuses)
            .and_then(|i| self.regions.get(i))
            .map(|r| r.region.as_str())
    }

    pub fn region(&self, region: &str) -> Option<&RegionState> {
        self.regions.iter().find(|r| r.region == region)
    }

    pub fn primary(&self) -> Option<&RegionState> {
        self.regions.first()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceStatus {
    pub interval: Duration,
    pub timeout: Duration,
    pub covers: Vec<(String, String)>,
    pub last_ok: Option<Timestamp>,
    pub last_attempt: Option<Timestamp>,
    pub error: Option<SourceError>,
    /// What the last successful fetch could not get (its values stay unknown).
    pub partial: Option<SourceError>,
    /// Consecutive failed fetches.
    pub failures: u32,
    pub calls: u64,
    /// API calls the last fetch made (for the calls-per-hour estimate).
    pub last_calls: u32,
    /// Route 53 API calls among them (the Route 53 limit is the account's, for every tool).
    pub last_route53_calls: u32,
}

/// How current a piece of data is.
#[derive(Debug, Clone, PartialEq)]
pub enum Freshness {
    Fresh,
    /// Shown with its age, and the error of the last failed refresh, if any.
    Stale {
        age: Duration,
        error: Option<String>,
    },
    /// Never fetched; the error says why, if a fetch failed.
    Missing {
        error: Option<String>,
    },
}

/// Everything known about the services watched: what the sources fetched and how they fare.
#[derive(Debug, Clone, PartialEq)]
pub struct Fleet {
    /// Where the Route 53 control plane is called (us-east-1; us-gov-west-1 in GovCloud).
    pub control_region: String,
    pub thresholds: Thresholds,
    pub services: Vec<ServiceState>,
    pub sources: BTreeMap<SourceKey, SourceStatus>,
    /// The team's last view (`team` source: every operator's lease and the team's recent
    /// actions); `None` until read, and always without a team bucket.
    pub team: Option<Stamped<crate::model::TeamView>>,
    /// Each credential set's caller, asked when the session opens and again on a refresh
    /// (README, "Several accounts"); empty unless the config uses several accounts' keys.
    pub callers: Vec<crate::model::Caller>,
    /// Which source covers each kind, service and region (derived from `sources`; an index so
    /// that drawing a large fleet does not search every source's list for every row).
    coverage: Coverage,
}

type Coverage = BTreeMap<SourceKind, BTreeMap<String, BTreeMap<String, SourceKey>>>;

impl Fleet {
    /// The fleet before anything is fetched: its services and the sources that will poll them.
    pub fn new(services: Vec<Service>, schedule: &[SourceSpec], thresholds: Thresholds) -> Self {
        let services = services
            .into_iter()
            .map(|service| ServiceState {
                regions: service
                    .regions
                    .iter()
                    .map(|r| RegionState::new(r))
                    .collect(),
                service,
                pipeline: None,
                dns: None,
                dns_disagrees_since: None,
            })
            .collect();
        let sources = schedule
            .iter()
            .map(|spec| {
                (
                    spec.key.clone(),
                    SourceStatus {
                        interval: spec.interval,
                        timeout: spec.timeout,
                        covers: spec.covers.clone(),
                        last_ok: None,
                        last_attempt: None,
                        error: None,
                        partial: None,
                        failures: 0,
                        calls: 0,
                        last_calls: 0,
                        last_route53_calls: 0,
                    },
                )
            })
            .collect();
        let mut coverage = Coverage::new();
        for spec in schedule {
            for (service, region) in &spec.covers {
                coverage
                    .entry(spec.key.kind)
                    .or_default()
                    .entry(service.clone())
                    .or_default()
                    .insert(region.clone(), spec.key.clone());
            }
        }
        Fleet {
            coverage,
            team: None,
            callers: Vec::new(),
            control_region: "us-east-1".to_string(),
            thresholds,
            services,
            sources,
        }
    }

    pub fn service(&self, name: &str) -> Option<&ServiceState> {
        self.services.iter().find(|s| s.service.name == name)
    }

    /// The source that provides `kind` data for a service in a region.
    pub fn source_for(
        &self,
        kind: SourceKind,
        service: &str,
        region: &str,
    ) -> Option<(&SourceKey, &SourceStatus)> {
        let key = self.coverage.get(&kind)?.get(service)?.get(region)?;
        self.sources.get_key_value(key)
    }

    /// How current the `kind` data of a service in a region is, given when it was fetched.
    pub fn freshness(
        &self,
        kind: SourceKind,
        service: &str,
        region: &str,
        fetched_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Freshness {
        let status = self.source_for(kind, service, region).map(|(_, s)| s);
        let error = status
            .and_then(|s| s.error.as_ref())
            .map(|e| e.message.clone());
        let Some(fetched_at) = fetched_at else {
            return Freshness::Missing { error };
        };
        let age = (now - fetched_at).to_std().unwrap_or_default();
        let limit = status.map_or(Duration::from_secs(120), |s| s.interval * 2 + s.timeout);
        if error.is_some() || age > limit {
            Freshness::Stale { age, error }
        } else {
            Freshness::Fresh
        }
    }

    /// When the `kind` data of a service in a region was fetched.
    pub fn fetched_at(
        &self,
        kind: SourceKind,
        svc: &ServiceState,
        region: &RegionState,
    ) -> Option<Timestamp> {
        match kind {
            SourceKind::Health => region.health.as_ref().map(|h| h.fetched_at),
            SourceKind::Lambda => region.functions.as_ref().map(|f| f.fetched_at),
            SourceKind::Domains => region.domains.as_ref().map(|d| d.fetched_at),
            SourceKind::Replication => region.artifacts.as_ref().map(|a| a.fetched_at),
            SourceKind::Pipeline => svc.pipeline.as_ref().map(|p| p.fetched_at),
            SourceKind::RoutingControl => region.routing_control.as_ref().map(|c| c.fetched_at),
            SourceKind::Dns => svc.dns.as_ref().map(|d| d.fetched_at),
            SourceKind::Team => self.team.as_ref().map(|t| t.fetched_at),
        }
    }

    /// Whether every `kind` value is fresh (so a panel can leave out its freshness column).
    pub fn all_fresh(&self, kind: SourceKind, now: Timestamp) -> bool {
        self.services.iter().all(|svc| {
            svc.regions.iter().all(|r| {
                let covered = self
                    .source_for(kind, &svc.service.name, &r.region)
                    .is_some();
                !covered
                    || self.freshness(
                        kind,
                        &svc.service.name,
                        &r.region,
                        self.fetched_at(kind, svc, r),
                        now,
                    ) == Freshness::Fresh
            })
        })
    }

    /// The error to report for a source: its last failure, else what its last fetch missed.
    pub fn problem(status: &SourceStatus) -> Option<&SourceError> {
        status.error.as_ref().or(status.partial.as_ref())
    }
}

#[cfg(test)]
mod tests;
