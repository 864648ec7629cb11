//! The simulated deployment as a pure function of time: given a scenario and a moment, what every
//! AWS API would answer. Nothing here keeps state, so any moment can be asked in any order.

use super::noise;
use super::ops::SimOp;
use super::scenario::{DriftedDomain, Incident, Scenario, SimService};
use crate::model::{
    ApiKind, CheckKind, CheckSettings, CheckerObservation, DomainInfo, DomainMapping,
    FunctionStats, HealthCheck, HealthStatus, QualifierSource, Timestamp, VerdictFrom,
    checkers_verdict, effective_status, recovery_control_status,
};
use crate::model::{DnsData, DnsTruth, RegionTargets, answer_region};

/// The regions Route 53 health checkers probe from.
pub const CHECKER_REGIONS: [&str; 8] = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];
/// The window a metrics fetch covers.
pub const METRICS_WINDOW_S: i64 = 300;
/// The simulated authoritative name servers answer with the serving region as it was this
/// long ago: Route 53 acts on a health check's new status only after its checkers agree and
/// its DNS servers take the change, so DNS follows the flags a little later (here 15 s of
/// simulated time: long enough that verification is seen waiting for DNS, short enough for a
/// demo).
pub const DNS_PROPAGATION_S: i64 = 15;
/// The TTL of the simulated answer (an alias record takes its target's TTL; API Gateway
/// regional targets answer with 60 s).
pub const DNS_TTL_S: u32 = 60;
/// The simulated name server that answers.
pub const DNS_NAMESERVER: &str = "ns-1.awsdns-sim";
/// Source and build stages take this long before the approval action starts.
const BUILD_DURATION_S: i64 = 60;

mod release;

/// The simulated ARC cluster's endpoints (five, as ARC gives every cluster).
pub fn arc_cluster_endpoints(seed: u64) -> Vec<String> {
    let id = noise::ident(seed, &["arc-cluster"], 0, 8);
    [
        "us-east-1",
        "us-west-2",
        "eu-west-1",
        "ap-northeast-1",
        "ap-southeast-2",
    ]
    .iter()
    .map(|r| format!("https://host-{id}.route53-recovery-cluster.{r}.amazonaws.com/v1"))
    .collect()
}

/// The simulated control panel: its routing controls and its safety rule.
fn control_panel(seed: u64) -> String {
    format!(
        "arn:aws:route53-recovery-control::000000000000:controlpanel/{}",
        noise::ident(seed, &["arc-control-panel"], 0, 32)
    )
}

/// The routing control of a service's region.
pub fn routing_control_arn(seed: u64, service: &str, region: &str) -> String {
    format!(
        "{}/routingcontrol/{}",
        control_panel(seed),
        noise::ident(seed, &[service, region, "routing-control"], 0, 16)
    )
}

/// The assertion rule "at least one On" over a service's routing controls.
pub fn safety_rule_arn(seed: u64, service: &str) -> String {
    format!(
        "{}/safetyrule/{}",
        control_panel(seed),
        noise::ident(seed, &[service, "at-least-one-on"], 0, 16)
    )
}

pub struct World<'a> {
    pub scenario: &'a Scenario,
    /// What operators did, each from its moment on.
    pub ops: &'a [SimOp],
}

impl<'a> World<'a> {
    pub fn new(scenario: &'a Scenario, ops: &'a [SimOp]) -> Self {
        World { scenario, ops }
    }

    /// Whether an operator had inverted the region's health check by offset `s`.
    pub fn inverted(&self, service: &str, region: &str, s: i64) -> bool {
        self.flag(service, region, s, |inverted, _| Some(inverted))
    }

    /// Whether an operator had disabled the region's health check by offset `s`.
    pub fn disabled(&self, service: &str, region: &str, s: i64) -> bool {
        self.flag(service, region, s, |_, disabled| disabled)
    }

    /// The last value an update by offset `s` gave a flag (`pick` from Inverted and Disabled;
    /// `None` where the update left it alone), else off.
    fn flag(
        &self,
        service: &str,
        region: &str,
        s: i64,
        pick: impl Fn(bool, Option<bool>) -> Option<bool>,
    ) -> bool {
        self.ops
            .iter()
            .rev()
            .find_map(|op| match op {
                SimOp::Flags {
                    service: sv,
                    region: r,
                    inverted,
                    disabled,
                    at,
                } if sv == service && r == region && *at <= s => pick(*inverted, *disabled),
                _ => None,
            })
            .unwrap_or(false)
    }

    /// Whether the region's routing control is On at offset `s`: the last update's state,
    /// else On for the primary only.
    pub fn routing_control_on(&self, service: &SimService, region: &str, s: i64) -> bool {
        self.ops
            .iter()
            .rev()
            .find_map(|op| match op {
                SimOp::RoutingControls { states, at } if *at <= s => states
                    .iter()
                    .find(|(sv, r, _)| *sv == service.name && r == region)
                    .map(|(_, _, on)| *on),
                _ => None,
            })
            .unwrap_or_else(|| service.regions.first().is_some_and(|p| p == region))
    }

    /// What GetRoutingControlState answers for the region's routing control.
    pub fn routing_control(
        &self,
        service: &SimService,
        region: &str,
        at: Timestamp,
    ) -> crate::model::RoutingControl {
        crate::model::RoutingControl {
            arn: routing_control_arn(self.seed(), &service.name, region),
            on: self.routing_control_on(service, region, self.offset(at)),
        }
    }

    /// HealthCheckVersion: 1, plus one per update.
    pub fn health_check_version(&self, service: &str, region: &str) -> i64 {
        1 + self
            .ops
            .iter()
            .filter(|op| matches!(op, SimOp::Flags { service: sv, region: r, .. } if sv == service && r == region))
            .count() as i64
    }

    fn seed(&self) -> u64 {
        self.scenario.seed
    }

    /// Seconds since the scenario's start.
    pub fn offset(&self, at: Timestamp) -> i64 {
        (at - self.scenario.start).num_seconds()
    }

    fn time(&self, offset: i64) -> Timestamp {
        self.scenario.start + chrono::Duration::seconds(offset)
    }

    pub fn service(&self, name: &str) -> Option<&'a SimService> {
        self.scenario.services.iter().find(|s| s.name == name)
    }

    /// How degraded a region is, 0 (fine) to 1 (down), at offset `s`.
    fn severity(&self, service: &str, region: &str, s: i64) -> f64 {
        self.scenario
            .incidents
            .iter()
            .filter_map(|i| match i {
                Incident::Outage {
                    service: sv,
                    region: r,
                    at,
                    ramp,
                    ..
                } if sv == service && r == region && s >= *at => {
                    let ramp = ramp.as_secs_f64().max(1.0);
                    Some(((s - at) as f64 / ramp).min(1.0))
                }
                _ => None,
            })
            .fold(0.0, f64::max)
    }

    fn outage_error_pct(&self, service: &str, region: &str) -> f64 {
        self.scenario
            .incidents
            .iter()
            .filter_map(|i| match i {
                Incident::Outage {
                    service: sv,
                    region: r,
                    error_pct,
                    ..
                } if sv == service && r == region => Some(*error_pct),
                _ => None,
            })
            .fold(0.0, f64::max)
    }

    /// Whether the Route 53 control plane is down at offset `s` (every Route 53 API call
    /// times out).
    pub fn route53_down(&self, s: i64) -> bool {
        self.scenario
            .incidents
            .iter()
            .any(|i| matches!(i, Incident::Route53Outage { at } if s >= *at))
    }

    /// Whether a throttling incident hits this source at offset `s`.
    pub fn throttled(&self, source: &str, region: &str, s: i64) -> bool {
        self.scenario.incidents.iter().any(|i| {
            matches!(i, Incident::Throttle { source: src, region: r, at } if src == source && r == region && s >= *at)
        })
    }

    /// The severity below which each checker still sees the region healthy.
    fn checker_threshold(&self, service: &str, region: &str, checker: usize) -> f64 {
        0.15 + 0.8 * noise::unit(self.seed(), &[service, region, "checker"], checker as i64)
    }

    fn checker_healthy(&self, service: &str, region: &str, checker: usize, s: i64) -> bool {
        self.severity(service, region, s) < self.checker_threshold(service, region, checker)
    }

    /// Every checker's threshold (they do not change with time).
    fn checker_thresholds(&self, service: &str, region: &str) -> [f64; CHECKER_REGIONS.len()] {
        std::array::from_fn(|c| self.checker_threshold(service, region, c))
    }

    fn checkers_pct(&self, service: &str, region: &str, s: i64) -> f64 {
        let thresholds = self.checker_thresholds(service, region);
        self.checkers_pct_with(&thresholds, service, region, s)
    }

    /// `checkers_pct` with the thresholds worked out once (for a history of many minutes).
    fn checkers_pct_with(
        &self,
        thresholds: &[f64; CHECKER_REGIONS.len()],
        service: &str,
        region: &str,
        s: i64,
    ) -> f64 {
        let severity = self.severity(service, region, s);
        let healthy = thresholds.iter().filter(|&&t| severity < t).count();
        100.0 * healthy as f64 / CHECKER_REGIONS.len() as f64
    }

    /// The checkers' verdict, by Route 53's rule (the same function as the AWS path's).
    fn raw_health(&self, service: &str, region: &str, s: i64) -> HealthStatus {
        checkers_verdict(self.checkers_pct(service, region, s))
    }

    /// Whether the service fails over with ARC routing controls (its failover records carry
    /// RECOVERY_CONTROL health checks).
    fn is_arc(&self, service: &str) -> bool {
        self.service(service)
            .is_some_and(|s| s.failover == super::scenario::SimFailover::Arc)
    }

    /// The health check's own status: for `arc` services the RECOVERY_CONTROL check follows
    /// the routing control (Route 53's rule, `recovery_control_status`), else the checkers'
    /// verdict.
    fn check_status(&self, service: &str, region: &str, s: i64) -> HealthStatus {
        match self.service(service).filter(|sv| self.is_arc(&sv.name)) {
            Some(sv) => recovery_control_status(self.routing_control_on(sv, region, s)),
            None => self.raw_health(service, region, s),
        }
    }

    pub fn health_check_id(&self, service: &str, region: &str) -> String {
        noise::uuid(self.seed(), &[service, region, "health-check"])
    }

    pub fn health_check(&self, service: &str, region: &str, at: Timestamp) -> HealthCheck {
        let s = self.offset(at);
        if self.is_arc(service) {
            return self.recovery_control_check(service, region, s);
        }
        let disabled = self.disabled(service, region, s);
        let settings = CheckSettings {
            target: self.service(service).map(|sv| {
                sv.regional_hostname
                    .replace("{region}", region)
                    .replace("{domain}", &sv.domain)
            }),
            port: Some(443),
            resource_path: Some("/health".into()),
            request_interval_s: Some(30),
            failure_threshold: Some(3),
        };
        let check = HealthCheck {
            id: self.health_check_id(service, region),
            inverted: self.inverted(service, region, s),
            disabled,
            version: Some(self.health_check_version(service, region)),
            checker_regions: CHECKER_REGIONS.iter().map(|r| r.to_string()).collect(),
            kind: CheckKind::Endpoint("HTTPS".into()),
            settings,
            ..HealthCheck::default()
        };
        // History: the checkers' share of each minute they were checking.
        let thresholds = self.checker_thresholds(service, region);
        let history = (0..60)
            .map(|k| {
                let minute = s - (59 - k) * 60;
                (!self.disabled(service, region, minute))
                    .then(|| self.checkers_pct_with(&thresholds, service, region, minute))
            })
            .collect();
        if disabled {
            // A disabled check is not checked: no observations, no verdict (the flags decide).
            return HealthCheck {
                history,
                verdict_from: VerdictFrom::NotChecked,
                verdict_note: Some("Disabled: Route 53 does not check it".into()),
                ..check
            };
        }
        let observations = CHECKER_REGIONS
            .iter()
            .enumerate()
            .map(|(c, checker)| {
                let healthy = self.checker_healthy(service, region, c, s);
                let report = if healthy {
                    "Success: HTTP Status Code 200, OK".to_string()
                } else if noise::unit(self.seed(), &[service, region, checker], s / 60) < 0.5 {
                    "Failure: HTTP Status Code 503, Service Unavailable".to_string()
                } else {
                    "Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall.".to_string()
                };
                let lag = (noise::hash(self.seed(), &[checker], s / 30) % 30) as i64;
                CheckerObservation {
                    checker_region: (*checker).to_string(),
                    status: HealthStatus::from_healthy(Some(healthy)),
                    report,
                    checked_at: self.time(s - lag),
                }
            })
            .collect::<Vec<_>>();
        HealthCheck {
            raw: self.raw_health(service, region, s),
            checkers_healthy_pct: Some(self.checkers_pct(service, region, s)),
            observations,
            history,
            verdict_from: VerdictFrom::Simulated,
            ..check
        }
    }

    /// A RECOVERY_CONTROL health check: no endpoint, no checkers; its status follows the
    /// region's routing control.
    fn recovery_control_check(&self, service: &str, region: &str, s: i64) -> HealthCheck {
        let raw = self.check_status(service, region, s);
        let history = (0..60)
            .map(|k| {
                let minute = s - (59 - k) * 60;
                Some(match self.check_status(service, region, minute) {
                    HealthStatus::Healthy => 100.0,
                    _ => 0.0,
                })
            })
            .collect();
        HealthCheck {
            id: self.health_check_id(service, region),
            raw,
            version: Some(self.health_check_version(service, region)),
            kind: CheckKind::RecoveryControl,
            history,
            verdict_from: VerdictFrom::Simulated,
            verdict_note: Some("follows its ARC routing control".into()),
            ..HealthCheck::default()
        }
    }

    /// What GetHealthCheckLastFailureReason answers: each checker's newest failure within the
    /// last hour (a minute's resolution), newest first.
    pub fn last_failures(
        &self,
        service: &str,
        region: &str,
        at: Timestamp,
    ) -> Vec<CheckerObservation> {
        let s = self.offset(at);
        let mut failures: Vec<CheckerObservation> = CHECKER_REGIONS
            .iter()
            .enumerate()
            .filter_map(|(c, checker)| {
                let when = (0..60)
                    .map(|k| s - k * 60)
                    // Route 53 does not check a disabled check: no failures while disabled.
                    .find(|&t| {
                        !self.disabled(service, region, t)
                            && !self.checker_healthy(service, region, c, t)
                    })?;
                Some(CheckerObservation {
                    checker_region: (*checker).to_string(),
                    status: HealthStatus::Unhealthy,
                    report: "Failure: HTTP Status Code 503, Service Unavailable".into(),
                    checked_at: self.time(when),
                })
            })
            .collect();
        failures.sort_by_key(|o| std::cmp::Reverse(o.checked_at));
        failures
    }

    /// The region Route 53 answers the shared name with, following effective health (the
    /// checkers' verdict with the flags operators set, by the same rule as the AWS path's).
    pub fn serving_region(&self, service: &SimService, s: i64) -> Option<&'a str> {
        let statuses: Vec<HealthStatus> = service
            .regions
            .iter()
            .map(|r| {
                let raw = self.check_status(&service.name, r, s);
                effective_status(
                    raw,
                    self.inverted(&service.name, r, s),
                    self.disabled(&service.name, r, s),
                )
            })
            .collect();
        let index = crate::model::serving_index(&statuses)?;
        self.service(&service.name)
            .and_then(|sv| sv.regions.get(index))
            .map(String::as_str)
    }

    /// Share of the service's traffic a region receives at offset `s`.
    fn traffic_share(&self, service: &SimService, region: &str, s: i64) -> f64 {
        let regional = (1.0 - service.shared_traffic) / service.regions.len() as f64;
        let shared = match self.serving_region(service, s) {
            Some(serving) if serving == region => service.shared_traffic,
            _ => 0.0,
        };
        regional + shared
    }

    fn minute_error_pct(&self, service: &SimService, region: &str, base: f64, minute: i64) -> f64 {
        let s = minute * 60;
        let severity = self.severity(&service.name, region, s);
        let wobble = 0.6 + 0.8 * noise::unit(self.seed(), &[&service.name, region, "err"], minute);
        (base * wobble + severity * self.outage_error_pct(&service.name, region)).min(100.0)
    }

    /// Invocations of a function in a region in one minute, given the region's traffic share then.
    fn minute_invocations(
        &self,
        service: &SimService,
        region: &str,
        rpm: f64,
        fn_name: &str,
        minute: i64,
        share: f64,
    ) -> f64 {
        let wobble =
            0.9 + 0.2 * noise::unit(self.seed(), &[&service.name, region, fn_name], minute);
        rpm * share * wobble
    }

    pub fn functions(
        &self,
        service: &SimService,
        region: &str,
        at: Timestamp,
    ) -> Vec<FunctionStats> {
        let s = self.offset(at);
        let now_minute = s.div_euclid(60);
        let window_minutes = METRICS_WINDOW_S / 60;
        // Complete minutes only, as CloudWatch's aligned windows (the minute `at` is in is not).
        let window_end = self.time(now_minute * 60);
        let severity = self.severity(&service.name, region, s);
        let code = self.deployed_code(service, s);
        // The traffic share follows Route 53 failover, the same for every function: work it out
        // once per minute, not once per function and minute.
        let first = now_minute - 30.max(window_minutes);
        let shares: Vec<f64> = (first..now_minute)
            .map(|m| self.traffic_share(service, region, m * 60))
            .collect();
        let share = |m: i64| {
            shares
                .get((m - first) as usize)
                .copied()
                .unwrap_or_default()
        };
        service
            .functions
            .iter()
            .map(|f| {
                let mut invocations = 0.0;
                let mut errors = 0.0;
                for m in (now_minute - window_minutes)..now_minute {
                    let inv = self.minute_invocations(service, region, f.rpm, &f.name, m, share(m));
                    invocations += inv;
                    errors += inv * self.minute_error_pct(service, region, f.error_pct, m) / 100.0;
                }
                let history = ((now_minute - 30)..now_minute)
                    .map(|m| {
                        let inv =
                            self.minute_invocations(service, region, f.rpm, &f.name, m, share(m));
                        (inv >= 0.5).then(|| self.minute_error_pct(service, region, f.error_pct, m))
                    })
                    .collect();
                let slow = 1.0 + 3.0 * severity;
                let jitter = 0.9
                    + 0.2
                        * noise::unit(
                            self.seed(),
                            &[&service.name, region, &f.name, "p99"],
                            now_minute,
                        );
                let invocations = invocations.round() as u64;
                let avg_ms = f.avg_ms * slow * jitter;
                FunctionStats {
                    name: f.name.clone(),
                    window_s: METRICS_WINDOW_S as u64,
                    window_end: Some(window_end),
                    invocations: Some(invocations),
                    errors: Some((errors.round() as u64).min(invocations)),
                    throttles: Some(0),
                    p99_ms: (invocations > 0).then_some(f.p99_ms * slow * jitter),
                    avg_ms: (invocations > 0).then_some(avg_ms),
                    concurrent: Some(
                        (invocations as f64 / METRICS_WINDOW_S as f64 * avg_ms / 1000.0).ceil()
                            as u64,
                    ),
                    memory_mb: Some(f.memory_mb),
                    architecture: Some(f.architecture),
                    code_sha256: code.clone(),
                    qualifier: f.alias.clone(),
                    qualifier_source: Some(if f.alias.is_some() {
                        QualifierSource::Integration
                    } else {
                        QualifierSource::Unqualified
                    }),
                    error_rate_history: history,
                }
            })
            .collect()
    }

    /// The code hash of the newest approved build (deploys reach every region together).
    fn deployed_code(&self, service: &SimService, s: i64) -> Option<String> {
        self.builds(&service.name, s)
            .filter(|b| self.answer(&service.name, b, s) == Some(true))
            .last()
            .map(|b| noise::sha256_b64(self.seed(), &[&service.name, &b.number.to_string()]))
    }

    fn regional_target(
        &self,
        service: &str,
        region: &str,
        which: DriftedDomain,
        generation: i64,
    ) -> String {
        let label = match which {
            DriftedDomain::Shared => "shared",
            DriftedDomain::Regional => "regional",
        };
        let id = noise::ident(self.seed(), &[service, region, label], generation, 10);
        format!("d-{id}.execute-api.{region}.amazonaws.com")
    }

    fn domain_generation(&self, service: &str, region: &str, which: DriftedDomain, s: i64) -> i64 {
        let recreated = self.scenario.incidents.iter().any(|i| {
            matches!(i, Incident::DnsDrift { service: sv, region: r, domain, at }
                if sv == service && r == region && *domain == which && s >= *at)
        });
        i64::from(recreated)
    }

    /// What the shared name's authoritative name servers answer at `at`: a CNAME to the API
    /// Gateway regional target of the region Route 53 serves (the world's own serving rule), as
    /// it was [`DNS_PROPAGATION_S`] ago. The region is told from the answer by the same rule as
    /// on the AWS path (`model::answer_region`).
    pub fn dns(&self, service: &SimService, at: Timestamp) -> DnsTruth {
        let s = self.offset(at);
        let answered = self.serving_region(service, s - DNS_PROPAGATION_S);
        let targets: Vec<RegionTargets> = service
            .regions
            .iter()
            .map(|r| {
                let generation = self.domain_generation(&service.name, r, DriftedDomain::Shared, s);
                RegionTargets {
                    region: r.clone(),
                    names: vec![self.regional_target(
                        &service.name,
                        r,
                        DriftedDomain::Shared,
                        generation,
                    )],
                    addrs: Vec::new(),
                }
            })
            .collect();
        let answers: Vec<DnsData> = answered
            .and_then(|r| targets.iter().find(|t| t.region == r))
            .and_then(|t| t.names.first())
            .map(|name| vec![DnsData::Cname(name.clone())])
            .unwrap_or_default();
        let (answer_region, note) = match answer_region(&answers, &targets) {
            Ok(region) => (Some(region), None),
            Err(why) => (None, Some(why)),
        };
        DnsTruth {
            name: service.domain.clone(),
            answer_region,
            ttl_s: (!answers.is_empty()).then_some(DNS_TTL_S),
            answers,
            nameserver: Some(DNS_NAMESERVER.to_string()),
            checked_at: at,
            note,
            error: None,
            resolvers: Vec::new(),
        }
    }

    pub fn domains(&self, service: &SimService, region: &str, at: Timestamp) -> Vec<DomainInfo> {
        let s = self.offset(at);
        let records_read = !self.route53_down(s);
        let api_id = noise::ident(self.seed(), &[&service.name, region, "api"], 0, 10);
        let regional_name = service
            .regional_hostname
            .replace("{region}", region)
            .replace("{domain}", &service.domain);
        [
            (service.domain.clone(), DriftedDomain::Shared),
            (regional_name, DriftedDomain::Regional),
        ]
        .into_iter()
        .map(|(name, which)| {
            let generation = self.domain_generation(&service.name, region, which, s);
            DomainInfo {
                name,
                api: ApiKind::Rest,
                regional_target: Some(self.regional_target(
                    &service.name,
                    region,
                    which,
                    generation,
                )),
                // The Route 53 record was written when the domain was first created; it
                // cannot be read while the Route 53 API is down.
                dns_target: records_read
                    .then(|| self.regional_target(&service.name, region, which, 0)),
                dns_read: records_read,
                mappings: vec![DomainMapping {
                    path: String::new(),
                    api_id: api_id.clone(),
                    stage: "prod".into(),
                }],
            }
        })
        .collect()
    }
}
