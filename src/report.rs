//! The headless reports: `switchyard.snapshot/1` and `switchyard.check/1` (JSON contracts in
//! the README, "JSON output"), built from the same `Fleet` and assessments as the console.

use crate::assess::{self, Verdict};
use crate::fleet::{Fleet, ServiceState};
use crate::model::{
    ApiKind, DomainMapping, Finding, HealthStatus, LagSource, ReplicaStatus, Timestamp, VerdictFrom,
};
use serde::Serialize;

pub const SNAPSHOT_SCHEMA: &str = "switchyard.snapshot/1";
pub const CHECK_SCHEMA: &str = "switchyard.check/1";

#[derive(Debug, Serialize)]
pub struct Snapshot {
    pub schema: &'static str,
    pub taken_at: Timestamp,
    pub services: Vec<ServiceReport>,
    pub sources: Vec<SourceReport>,
    /// Only with a team bucket (`[team]`, or a scenario with teammates): every operator's lease
    /// and the team's recent actions (README, "JSON output").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamReport>,
    /// Only with several accounts' keys in the config (`account_id`, `[aws.API]`): each
    /// credential set's caller (README, "Several accounts").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub callers: Vec<crate::model::Caller>,
}

/// The team's bucket as the `team` source last read it.
#[derive(Debug, Serialize)]
pub struct TeamReport {
    /// When the team source last read it (null: not yet).
    pub fetched_at: Option<Timestamp>,
    /// Why the last read failed (the leases and actions are then the last ones read).
    pub error: Option<String>,
    pub leases: Vec<LeaseReport>,
    /// The last 30 minutes of the team's actions, newest first, each with its latest phase.
    pub recent: Vec<crate::model::TeamAction>,
}

#[derive(Debug, Serialize)]
pub struct LeaseReport {
    pub service: String,
    pub action: String,
    pub target: String,
    /// The holder's caller ARN (null: unknown).
    pub actor: Option<String>,
    pub host: String,
    /// `HOST/PID/AUDIT-ID` of the holding process.
    pub holder: String,
    pub audit_id: String,
    /// When the holder took it (the holder's clock).
    pub since: Timestamp,
    /// When it was last written (taken or renewed), by S3's clock.
    pub written: Timestamp,
    /// Seconds since it was last written, by S3's clock, as of `taken_at`.
    pub age_s: i64,
    pub lease_seconds: u64,
    /// Past `lease_seconds` without renewal as of `taken_at`: the next action takes it over.
    pub expired: bool,
}

#[derive(Debug, Serialize)]
pub struct ServiceReport {
    pub name: String,
    pub domain: String,
    pub primary_region: String,
    pub serving_region: Option<String>,
    pub ready_to_approve: Option<bool>,
    pub regions: Vec<RegionReport>,
    pub pipeline: Option<PipelineReport>,
    /// What the authoritative name servers answer for `domain` (null: not asked yet).
    pub dns: Option<DnsReport>,
    pub findings: Vec<Finding>,
}

/// DNS truth for the shared name (README, "JSON output").
#[derive(Debug, Serialize)]
pub struct DnsReport {
    pub name: String,
    /// The region the answer leads to; null when it cannot be told (`note`) or nobody answered
    /// (`error`).
    pub answer_region: Option<String>,
    /// "CNAME host", "A 192.0.2.1", "AAAA 2001:db8::1".
    pub answers: Vec<String>,
    pub ttl_s: Option<u32>,
    pub nameserver: Option<String>,
    pub checked_at: Timestamp,
    /// Why `answer_region` is null although a server answered (e.g. NXDOMAIN).
    pub note: Option<String>,
    /// No name server answered: why.
    pub error: Option<String>,
    /// `[dns] resolvers` only (absent without them): each recursive resolver's answer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resolvers: Vec<ResolverReport>,
}

#[derive(Debug, Serialize)]
pub struct ResolverReport {
    pub resolver: String,
    pub answer_region: Option<String>,
    /// The TTL left in the resolver's cache.
    pub ttl_s: Option<u32>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RegionReport {
    pub region: String,
    pub role: crate::model::RegionRole,
    pub health: Option<HealthReport>,
    pub domains: Option<Vec<DomainReport>>,
    pub functions: Option<Vec<FunctionReport>>,
    pub artifacts: Option<Vec<ArtifactReport>>,
    /// S3 replication metrics of the rules whose source bucket is in this region (absent
    /// elsewhere; empty when no rule publishes them; `null` when the rules or their metrics
    /// could not be read: unknown, never "no rules").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_metrics: Option<Option<Vec<crate::model::ReplicationMetrics>>>,
    /// `arc` services only: the region's routing control as read from the cluster endpoints
    /// (null until read); absent for the other mechanisms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_control: Option<Option<RoutingControlReport>>,
}

#[derive(Debug, Serialize)]
pub struct RoutingControlReport {
    pub arn: String,
    /// `On` or `Off`.
    pub state: &'static str,
}

#[derive(Debug, Serialize)]
pub struct HealthReport {
    pub health_check_id: String,
    /// The checkers' verdict.
    pub status: HealthStatus,
    /// What Route 53 acts on: `status` flipped when inverted; healthy when disabled, unhealthy
    /// when disabled and inverted; healthy for a record without a health check.
    pub effective_status: HealthStatus,
    /// `null` when the check's configuration could not be read (then `effective_status` is
    /// `unknown`): unknown, never `false`.
    pub inverted: Option<bool>,
    pub disabled: Option<bool>,
    pub checkers_healthy_pct: Option<f64>,
    /// Route 53's check type (`HTTPS`, `CALCULATED`, …), `none` for a failover record without
    /// a health check (always eligible), `unknown` when not read.
    pub check_type: String,
    /// Where `status` came from: `get_health_check_status`, `cloudwatch`, `simulated`,
    /// `not_checked` (disabled, or no check) or `none`.
    pub status_source: &'static str,
    /// When the verdict was observed (the newest checker report, or the metric's minute).
    pub status_at: Option<crate::model::Timestamp>,
    /// Why `status` is unknown, where it is.
    pub status_note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DomainReport {
    pub name: String,
    pub api: ApiKind,
    pub regional_target: Option<String>,
    pub dns_target: Option<String>,
    /// `null` when the zone's records could not be read: unknown, never `false`.
    pub drift: Option<bool>,
    pub mappings: Vec<DomainMapping>,
}

#[derive(Debug, Serialize)]
pub struct FunctionReport {
    pub name: String,
    pub window_s: u64,
    pub invocations: Option<u64>,
    pub errors: Option<u64>,
    pub error_rate_pct: Option<f64>,
    pub throttles: Option<u64>,
    pub p99_ms: Option<f64>,
    /// Of the alias or version in `qualifier`: what API Gateway invokes.
    pub code_sha256: Option<String>,
    pub code_matches_primary: Option<bool>,
    /// An estimate at the list price for `architecture` (see `cost_basis`).
    pub cost_per_hour_usd: Option<f64>,
    /// The end of the metrics window (the start of the minute the figures were read in): the
    /// counts cover the `window_s` seconds before it, complete minutes only.
    pub window_end: Option<Timestamp>,
    /// `x86_64` or `arm64` (null: not read).
    pub architecture: Option<crate::model::Architecture>,
    /// The alias or version whose code is compared (null: the unqualified function, $LATEST).
    pub qualifier: Option<String>,
    /// `config`, `integration`, `unqualified` or `unknown` (null: not read).
    pub qualifier_source: Option<crate::model::QualifierSource>,
    /// How `cost_per_hour_usd` is priced: always `list_price` (AWS Lambda public price, first
    /// tier, no free tier, no volume tiers or Savings Plans; requests and compute time only).
    pub cost_basis: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ArtifactReport {
    pub key: String,
    pub version_id: String,
    pub status: ReplicaStatus,
    pub lag_s: Option<u64>,
    /// How `lag_s` was obtained (README, "JSON output").
    pub lag_source: Option<LagSource>,
    /// For an observed completion, the window it fell in (about the refresh interval).
    pub lag_resolution_s: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct PipelineReport {
    pub name: String,
    /// Whether the pipeline's state was ever fetched (`pending_approval` is null either way).
    #[serde(skip)]
    pub known: bool,
    pub pending_approval: Option<ApprovalReport>,
    /// The last answered approval when none is waiting (who, summary, when), else null.
    pub last_answer: Option<crate::model::ApprovalAnswer>,
    /// `false` when the pipeline's declaration could not be read: which actions are manual
    /// approvals is unknown, so `pending_approval` and `last_answer` are null as unknown.
    pub approvals_known: bool,
}

#[derive(Debug, Serialize)]
pub struct ApprovalReport {
    pub stage: String,
    pub action: String,
    pub since: Timestamp,
    pub expires: Timestamp,
    /// The approval's timeout (`expires` − `since`): its declared `timeoutInMinutes`, else 7 days.
    pub timeout_minutes: i64,
    pub revisions: Vec<crate::model::ApprovalRevision>,
}

#[derive(Debug, Serialize)]
pub struct SourceReport {
    pub source: &'static str,
    pub region: String,
    pub fetched_at: Option<Timestamp>,
    pub error: Option<String>,
    /// API calls this source has made (in a snapshot: for one full refresh).
    pub calls: u64,
}

pub fn snapshot(fleet: &Fleet, now: Timestamp) -> Snapshot {
    Snapshot {
        schema: SNAPSHOT_SCHEMA,
        taken_at: now,
        services: fleet
            .services
            .iter()
            .map(|svc| service_report(fleet, svc, now))
            .collect(),
        sources: sources(fleet),
        team: team(fleet, now),
        callers: fleet.callers.clone(),
    }
}

/// The `team` block: only when a team source is scheduled.
fn team(fleet: &Fleet, now: Timestamp) -> Option<TeamReport> {
    let status = fleet
        .sources
        .iter()
        .find(|(key, _)| key.kind == crate::source::SourceKind::Team)
        .map(|(_, status)| status)?;
    let view = fleet.team.as_ref();
    let read_at = view.map(|v| v.fetched_at);
    let leases = view.map_or_else(Vec::new, |v| {
        v.value
            .leases
            .iter()
            .map(|seen| {
                let l = &seen.lease;
                let at = read_at.unwrap_or(now);
                LeaseReport {
                    service: l.service.clone(),
                    action: l.action.clone(),
                    target: l.target.clone(),
                    actor: l.actor.clone(),
                    host: l.host.clone(),
                    holder: l.holder.clone(),
                    audit_id: l.audit_id.clone(),
                    since: l.since,
                    written: seen.written,
                    age_s: seen.age_at(at, now),
                    lease_seconds: l.lease_seconds,
                    expired: !seen.live_at(at, now),
                }
            })
            .collect()
    });
    let recent = view.map_or_else(Vec::new, |v| {
        v.value
            .actions()
            .into_iter()
            .filter(|a| now - a.started <= crate::source::team::RECENT)
            .collect()
    });
    Some(TeamReport {
        fetched_at: read_at,
        error: Fleet::problem(status).map(|e| e.message.clone()),
        leases,
        recent,
    })
}

fn sources(fleet: &Fleet) -> Vec<SourceReport> {
    fleet
        .sources
        .iter()
        .map(|(key, s)| SourceReport {
            source: key.kind.name(),
            region: key.region.clone(),
            fetched_at: s.last_ok,
            error: Fleet::problem(s).map(|e| e.message.clone()),
            calls: s.calls,
        })
        .collect()
}

/// True if any source's last fetch failed (snapshot exits 1).
pub fn any_source_failed(fleet: &Fleet) -> bool {
    fleet
        .sources
        .values()
        .any(|s| Fleet::problem(s).is_some() || s.last_ok.is_none())
}

fn service_report(fleet: &Fleet, svc: &ServiceState, now: Timestamp) -> ServiceReport {
    let tracked = assess::tracked_artifacts(svc, now);
    let primary_functions = svc.primary().and_then(|r| r.functions.as_ref());
    let regions = svc
        .regions
        .iter()
        .map(|r| RegionReport {
            region: r.region.clone(),
            role: svc.service.role(&r.region),
            health: r.health.as_ref().map(|h| HealthReport {
                health_check_id: h.value.id.clone(),
                status: h.value.raw,
                effective_status: h.value.effective(),
                inverted: h.value.flags().map(|(inverted, _)| inverted),
                disabled: h.value.flags().map(|(_, disabled)| disabled),
                checkers_healthy_pct: h.value.checkers_healthy_pct,
                check_type: h.value.kind.label().to_string(),
                status_source: match h.value.verdict_from {
                    VerdictFrom::Checkers { .. } => "get_health_check_status",
                    VerdictFrom::Metrics { .. } => "cloudwatch",
                    VerdictFrom::Simulated => "simulated",
                    VerdictFrom::NotChecked => "not_checked",
                    VerdictFrom::None => "none",
                },
                status_at: h.value.verdict_from.at(),
                status_note: h.value.verdict_note.clone(),
            }),
            domains: r.domains.as_ref().map(|d| {
                d.value
                    .iter()
                    .map(|d| DomainReport {
                        name: d.name.clone(),
                        api: d.api,
                        regional_target: d.regional_target.clone(),
                        dns_target: d.dns_target.clone(),
                        drift: d.drift_known(),
                        mappings: d.mappings.clone(),
                    })
                    .collect()
            }),
            functions: r.functions.as_ref().map(|f| {
                f.value
                    .iter()
                    .map(|f| {
                        let primary_code = primary_functions
                            .and_then(|p| p.value.iter().find(|p| p.name == f.name))
                            .and_then(|p| p.code_sha256.as_ref());
                        FunctionReport {
                            name: f.name.clone(),
                            window_s: f.window_s,
                            invocations: f.invocations,
                            errors: f.errors,
                            error_rate_pct: assess::error_rate(f.invocations, f.errors),
                            throttles: f.throttles,
                            p99_ms: f.p99_ms,
                            code_sha256: f.code_sha256.clone(),
                            code_matches_primary: match (&f.code_sha256, primary_code) {
                                (Some(a), Some(b)) => Some(a == b),
                                _ => None,
                            },
                            cost_per_hour_usd: assess::cost_per_hour(f),
                            window_end: f.window_end,
                            architecture: f.architecture,
                            qualifier: f.qualifier.clone(),
                            qualifier_source: f.qualifier_source,
                            cost_basis: "list_price",
                        }
                    })
                    .collect()
            }),
            replication_metrics: match &r.replication_metrics {
                Some(m) => Some(Some(m.value.clone())),
                // The source bucket's region, listed without its metrics: unknown (null).
                None if r.region == svc.service.artifact_source_region && r.artifacts.is_some() => {
                    Some(None)
                }
                None => None,
            },
            routing_control: matches!(svc.service.failover, crate::model::Failover::Arc { .. })
                .then(|| {
                    r.routing_control.as_ref().map(|c| RoutingControlReport {
                        arn: c.value.arn.clone(),
                        state: c.value.state(),
                    })
                }),
            artifacts: r.artifacts.as_ref().map(|_| {
                tracked
                    .iter()
                    .filter_map(|a| {
                        let here = a.regions.iter().find(|x| x.region == r.region)?;
                        Some(ArtifactReport {
                            key: a.key.clone(),
                            version_id: a.version_id.clone(),
                            status: here.status,
                            lag_s: here.lag_s,
                            lag_source: here.lag_source,
                            lag_resolution_s: here.lag_resolution_s,
                        })
                    })
                    .collect()
            }),
        })
        .collect();
    ServiceReport {
        dns: svc.dns.as_ref().map(|d| DnsReport {
            name: d.value.name.clone(),
            answer_region: d.value.answer_region.clone(),
            answers: d.value.answers.iter().map(|a| a.label()).collect(),
            ttl_s: d.value.ttl_s,
            nameserver: d.value.nameserver.clone(),
            checked_at: d.value.checked_at,
            note: d.value.note.clone(),
            error: d.value.error.clone(),
            resolvers: d
                .value
                .resolvers
                .iter()
                .map(|r| ResolverReport {
                    resolver: r.resolver.clone(),
                    answer_region: r.answer_region.clone(),
                    ttl_s: r.ttl_s,
                    error: r.error.clone(),
                })
                .collect(),
        }),
        name: svc.service.name.clone(),
        domain: svc.service.domain.clone(),
        primary_region: svc.service.primary_region().to_string(),
        serving_region: assess::serving_region(svc).map(str::to_string),
        ready_to_approve: match assess::readiness(svc, now).verdict {
            Verdict::Ready => Some(true),
            Verdict::NotReady => Some(false),
            Verdict::Unknown => None,
        },
        regions,
        pipeline: svc.service.pipeline.as_ref().map(|name| PipelineReport {
            name: name.clone(),
            known: svc.pipeline.is_some(),
            pending_approval: svc
                .pipeline
                .as_ref()
                .and_then(|p| p.value.pending.as_ref())
                .map(|p| ApprovalReport {
                    stage: p.stage.clone(),
                    action: p.action.clone(),
                    since: p.since,
                    expires: p.expires,
                    timeout_minutes: (p.expires - p.since).num_minutes(),
                    revisions: p.revisions.clone(),
                }),
            last_answer: svc
                .pipeline
                .as_ref()
                .and_then(|p| p.value.last_answer.clone()),
            approvals_known: svc
                .pipeline
                .as_ref()
                .is_some_and(|p| !p.value.approvals_unknown),
        }),
        findings: assess::findings(fleet, svc, now),
    }
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub schema: &'static str,
    pub checked_at: Timestamp,
    pub verdict: Verdict,
    pub ready: Option<bool>,
    pub services: Vec<ServiceCheck>,
    pub sources: Vec<SourceReport>,
}

#[derive(Debug, Serialize)]
pub struct ServiceCheck {
    pub name: String,
    pub pipeline: Option<String>,
    pub pending_approval: bool,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub artifacts: Vec<CheckArtifact>,
}

#[derive(Debug, Serialize)]
pub struct CheckArtifact {
    pub key: String,
    pub version_id: String,
    pub pending_revision: bool,
    pub regions: Vec<CheckRegion>,
}

#[derive(Debug, Serialize)]
pub struct CheckRegion {
    pub region: String,
    pub status: ReplicaStatus,
    pub lag_s: Option<u64>,
    /// How `lag_s` was obtained (README, "JSON output").
    pub lag_source: Option<LagSource>,
    /// For an observed completion, the window it fell in (about the refresh interval).
    pub lag_resolution_s: Option<u64>,
}

/// The pre-approval check for the named service, or every service.
pub fn check(fleet: &Fleet, service: Option<&str>, now: Timestamp) -> Check {
    let services: Vec<ServiceCheck> = fleet
        .services
        .iter()
        .filter(|s| service.is_none_or(|n| s.service.name == n))
        .map(|svc| {
            let readiness = wrong_account_readiness(fleet, svc, assess::readiness(svc, now));
            ServiceCheck {
                name: svc.service.name.clone(),
                pipeline: svc.service.pipeline.clone(),
                pending_approval: svc
                    .pipeline
                    .as_ref()
                    .is_some_and(|p| p.value.pending.is_some()),
                verdict: readiness.verdict,
                reasons: readiness.reasons,
                artifacts: assess::tracked_artifacts(svc, now)
                    .into_iter()
                    .map(|a| CheckArtifact {
                        key: a.key,
                        version_id: a.version_id,
                        pending_revision: a.pending_revision,
                        regions: a
                            .regions
                            .into_iter()
                            .map(|r| CheckRegion {
                                region: r.region,
                                status: r.status,
                                lag_s: r.lag_s,
                                lag_source: r.lag_source,
                                lag_resolution_s: r.lag_resolution_s,
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    let verdict = overall(services.iter().map(|s| s.verdict));
    Check {
        schema: CHECK_SCHEMA,
        checked_at: now,
        verdict,
        ready: match verdict {
            Verdict::Ready => Some(true),
            Verdict::NotReady => Some(false),
            Verdict::Unknown => None,
        },
        services,
        sources: sources(fleet),
    }
}

/// Readiness told from S3 or CodePipeline reads of the wrong account (README, "Several
/// accounts") is not known: a ready verdict becomes unknown, with the reason.
fn wrong_account_readiness(
    fleet: &Fleet,
    svc: &ServiceState,
    mut readiness: assess::Readiness,
) -> assess::Readiness {
    for caller in &fleet.callers {
        for pin in caller.wrong_account.iter().filter(|p| {
            (p.api == "s3" || p.api == "codepipeline") && p.services.contains(&svc.service.name)
        }) {
            readiness.reasons.push(format!(
                "{} is read in account {}, but {} pins {}: readiness cannot be told from the wrong \
                 account",
                pin.api,
                caller.account.as_deref().unwrap_or("unknown"),
                pin.key,
                pin.account_id
            ));
            if readiness.verdict == Verdict::Ready {
                readiness.verdict = Verdict::Unknown;
            }
        }
    }
    readiness
}

/// Not ready wins over unknown, which wins over ready; no services at all is unknown.
pub fn overall(verdicts: impl Iterator<Item = Verdict>) -> Verdict {
    let verdicts: Vec<Verdict> = verdicts.collect();
    if verdicts.is_empty()
        || verdicts.contains(&Verdict::Unknown) && !verdicts.contains(&Verdict::NotReady)
    {
        Verdict::Unknown
    } else if verdicts.contains(&Verdict::NotReady) {
        Verdict::NotReady
    } else {
        Verdict::Ready
    }
}

#[cfg(test)]
mod accounts_tests {
    //! `check` with reads from the wrong account (README, "Several accounts").
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::config::Thresholds;
    use crate::fleet::testing::{at, sim};
    use crate::model::{AccountPin, Caller};

    fn caller_breaking(api: &str, services: &[&str]) -> Caller {
        Caller {
            credentials: "profile workload".into(),
            apis: vec![api.into()],
            arn: Some("arn:aws:sts::222222222222:assumed-role/w/me".into()),
            account: Some("222222222222".into()),
            error: None,
            wrong_account: vec![AccountPin {
                api: api.into(),
                key: "aws.s3.account_id".into(),
                account_id: "111111111111".into(),
                services: services.iter().map(|s| s.to_string()).collect(),
            }],
        }
    }

    #[test]
    fn a_ready_verdict_from_the_wrong_accounts_buckets_is_unknown() {
        let backend = sim("steady");
        let now = at(&backend, 0);
        let mut fleet = Fleet::simulated(&backend, now, Thresholds::default());
        let ready = check(&fleet, Some("sample"), now);
        assert_eq!(ready.verdict, Verdict::Ready, "{:?}", ready.services);
        fleet.callers = vec![caller_breaking("s3", &["sample"])];
        let told = check(&fleet, Some("sample"), now);
        assert_eq!(told.verdict, Verdict::Unknown);
        let reasons = &told.services[0].reasons;
        assert!(
            reasons.iter().any(|r| r.contains(
                "s3 is read in account 222222222222, but aws.s3.account_id pins 111111111111"
            )),
            "{reasons:?}"
        );
        // A pin of another service, or of an API readiness does not read, changes nothing.
        fleet.callers = vec![
            caller_breaking("s3", &["billing"]),
            caller_breaking("lambda", &["sample"]),
        ];
        assert_eq!(check(&fleet, Some("sample"), now).verdict, Verdict::Ready);
    }
}
