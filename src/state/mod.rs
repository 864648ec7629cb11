//! The console's state, owned by the app loop, and the one function that changes it:
//! `update(&mut State, Msg, now) -> Vec<Command>`.

mod actions;
mod dialog;
mod dialog_keys;
mod replan;
mod rows;
mod update;
mod view;

pub use actions::CLOSE_WAIT;
pub use dialog::{
    APPROVE_SUMMARY, Dialog, DialogKey, Notice, NoticeKind, REASON_MAX, REJECT_SUMMARY, Stage, Tone,
};
pub use replan::PLAN_CHANGED;
pub use rows::{Row, rows};
pub use update::update;
pub use view::{Action, FilterKey, Panel, View};

use crate::action::audit::AuditRecord;
use crate::action::{Plan, Report};
use crate::config::Thresholds;
use crate::model::{
    ArtifactVersion, DomainInfo, FunctionStats, HealthCheck, PipelineInfo, ReplicationMetrics,
    Service, Timestamp,
};
use crate::source::{Fetched, SourceError, SourceKey, SourceKind, SourceSpec};
use std::collections::{BTreeMap, BTreeSet};
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
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceState {
    pub service: Service,
    pub regions: Vec<RegionState>,
    pub pipeline: Option<Stamped<PipelineInfo>>,
}

impl ServiceState {
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

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Action(Action),
    Filter(FilterKey),
    Fetched(Box<Fetched>),
    /// A key while the action dialog is open.
    Dialog(DialogKey),
    /// An action the loop ran (see `Command::Execute`) has ended.
    ActionDone(Box<Report>),
    /// The audit log as read at start (or why it could not be read), for unfinished actions.
    AuditLog(Result<Vec<AuditRecord>, String>),
    /// The console has closed (q, SIGTERM, SIGHUP) and waits at most `limit` for the actions
    /// still running.
    Closing {
        limit: Duration,
    },
    /// Who the console acts as, asked for again by an action when the start could not tell (or
    /// why it still cannot be told: that action's audit records have no actor).
    Caller(Result<String, String>),
}

/// What the app loop should do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    RefreshAll,
    Quit,
    /// Run this confirmed plan (`action::Execution`) and send `Msg::ActionDone` back.
    Execute {
        plan: Box<Plan>,
        forced_reason: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// What the console shows ("demo: steady", "aws: 123456789012").
    pub title: String,
    pub caller: Option<String>,
    pub read_only: bool,
    /// Where the Route 53 control plane is called (us-east-1; us-gov-west-1 in GovCloud).
    pub control_region: String,
    pub thresholds: Thresholds,
    pub services: Vec<ServiceState>,
    pub sources: BTreeMap<SourceKey, SourceStatus>,
    pub view: View,
    pub quit: bool,
    /// Set once the console has closed while actions run: how long it waits for them at most.
    pub closing: Option<Duration>,
    /// Services with an action running: a second one is refused until the first reports.
    pub in_flight: BTreeSet<String>,
    /// Banners under the header, oldest first.
    pub notices: Vec<Notice>,
    /// Which source covers each kind, service and region (derived from `sources`; an index so
    /// that drawing a large fleet does not search every source's list for every row).
    coverage: Coverage,
}

type Coverage = BTreeMap<SourceKind, BTreeMap<String, BTreeMap<String, SourceKey>>>;

impl State {
    pub fn new(
        title: String,
        services: Vec<Service>,
        plan: &[SourceSpec],
        thresholds: Thresholds,
    ) -> Self {
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
            })
            .collect();
        let sources = plan
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
                    },
                )
            })
            .collect();
        let mut coverage = Coverage::new();
        for spec in plan {
            for (service, region) in &spec.covers {
                coverage
                    .entry(spec.key.kind)
                    .or_default()
                    .entry(service.clone())
                    .or_default()
                    .insert(region.clone(), spec.key.clone());
            }
        }
        State {
            coverage,
            title,
            caller: None,
            read_only: false,
            control_region: "us-east-1".to_string(),
            thresholds,
            services,
            sources,
            view: View::default(),
            quit: false,
            closing: None,
            in_flight: BTreeSet::new(),
            notices: Vec::new(),
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
#[cfg(test)]
mod tests_dialog;
#[cfg(test)]
mod tests_notices;
#[cfg(test)]
mod tests_replan;
#[cfg(test)]
mod tests_support;
