//! The incident journal's events, derived from the fleet (README, "Incident timeline"):
//! [`observe`] reads what the fleet says now as one value per *signal* (a region's health
//! verdict, the serving region, each finding, each source, each artifact's replica, each
//! approval), and a [`Tracker`] compares it with the values it last recorded and gives the
//! events of what changed. Pure: `now` is an argument.
//!
//! What is recorded once and what is held back:
//! - a signal's event is given when its value differs from the one last recorded, never twice
//!   for one value; a value that cannot be told now (a source not read, a verdict unknown)
//!   changes nothing;
//! - the first sight of a signal nothing was recorded for is recorded silently, unless it is
//!   already something to know (a warning or critical finding, a failing source, an unhealthy
//!   region, a waiting approval);
//! - **flapping**: a signal that changes more than [`FLAP_LIMIT`] times within [`FLAP_WINDOW_S`]
//!   gives one `flapping` event and then nothing until it has held one value for
//!   [`FLAP_WINDOW_S`], when one event gives the value it settled on. So a signal writes at most
//!   `FLAP_LIMIT + 2` events in any such window, however fast it flaps.

use crate::fleet::{Fleet, ServiceState};
use crate::model::{
    Event, EventKind, FindingCode, HealthStatus, ReplicaStatus, Severity, Timestamp,
};
use crate::source::ErrorKind;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Changes of one signal allowed within [`FLAP_WINDOW_S`] before it counts as flapping.
pub const FLAP_LIMIT: usize = 4;
/// The window in which changes are counted, and how long a flapping signal must hold still.
pub const FLAP_WINDOW_S: i64 = 600;

/// What a signal is about: how its changes are named and which data must be read for its
/// absence to mean something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SignalKind {
    Health,
    Serving,
    Finding,
    Source,
    Replica,
    Approval,
}

/// One signal's value now, with what the event would say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub kind: SignalKind,
    /// `None`: known to be absent (a finding that is not raised, no approval waiting).
    pub value: Option<String>,
    pub severity: Severity,
    pub service: Option<String>,
    pub region: Option<String>,
    pub subject: Option<String>,
    pub code: Option<FindingCode>,
    pub aws_time: Option<Timestamp>,
    /// What the event says about the new value.
    pub message: String,
}

/// What the fleet says now: one reading per signal that can be told, and for findings (which
/// are absent when all is well) which data was read, so that a finding not raised now is known
/// to be cleared rather than unknown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observation {
    pub readings: BTreeMap<String, Reading>,
    /// (data, service, region) whose values were all read (not merely fetched: a fetch that
    /// kept a part unknown does not count): `"health"`, `"lambda"`, `"domains"`,
    /// `"replication"`, `"replication_metrics"` per region; `"pipeline"`, `"dns"` with region
    /// `"-"`.
    pub known: BTreeSet<(&'static str, String, String)>,
}

impl Observation {
    /// Whether the data a finding signal depends on was read, so its absence means cleared.
    fn absence_known(&self, reading: &Reading) -> bool {
        let service = reading.service.clone().unwrap_or_default();
        if reading.kind == SignalKind::Approval {
            return self.known.contains(&("pipeline", service, "-".into()));
        }
        if reading.kind != SignalKind::Finding {
            return false;
        }
        let region = reading.region.clone().unwrap_or_else(|| "-".into());
        let known = |data| {
            self.known
                .contains(&(data, service.clone(), region.clone()))
        };
        // A failed replication is judged from the replicas and from the rules' metrics.
        if reading.code == Some(FindingCode::ReplicationFailed) {
            return known("replication") && known("replication_metrics");
        }
        let data = match reading.code {
            Some(FindingCode::HealthUnhealthy | FindingCode::HealthInverted) => "health",
            Some(FindingCode::ErrorRateHigh | FindingCode::CodeMismatch) => "lambda",
            Some(
                FindingCode::DnsDrift | FindingCode::DomainMissing | FindingCode::MappingMissing,
            ) => "domains",
            Some(
                FindingCode::ReplicationPending
                | FindingCode::ReplicationFailed
                | FindingCode::ArtifactMissing,
            ) => "replication",
            Some(FindingCode::DnsDisagrees) => "dns",
            // Callers are asked once per session: an absent one is not known to be cleared.
            Some(
                FindingCode::ApprovalPending | FindingCode::SourceError | FindingCode::WrongAccount,
            )
            | None => return false,
        };
        known(data)
    }
}

/// The signal key of a reading: kind, service, region, code and subject, '/'-joined.
fn signal_key(r: &Reading) -> String {
    let kind = match r.kind {
        SignalKind::Health => "health",
        SignalKind::Serving => "serving",
        SignalKind::Finding => "finding",
        SignalKind::Source => "source",
        SignalKind::Replica => "replica",
        SignalKind::Approval => "approval",
    };
    let code = r
        .code
        .and_then(|c| serde_json::to_value(c).ok())
        .and_then(|v| v.as_str().map(str::to_string));
    [
        Some(kind.to_string()),
        r.service.clone(),
        r.region.clone(),
        code,
        r.subject.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("/")
}

fn insert(obs: &mut Observation, reading: Reading) {
    obs.readings.insert(signal_key(&reading), reading);
}

/// What the fleet says now, as signals (see the module's documentation).
pub fn observe(fleet: &Fleet, now: Timestamp) -> Observation {
    let mut obs = Observation::default();
    for svc in &fleet.services {
        observe_service(fleet, svc, now, &mut obs);
    }
    for (key, status) in &fleet.sources {
        if status.last_attempt.is_none() {
            continue;
        }
        // A fetch that kept a part unknown (its `partial` error) is throttled or failing in
        // that part.
        let (value, severity, message) = match (&status.error, &status.partial) {
            (None, None) => ("ok", Severity::Info, format!("{key} answers again")),
            (Some(e), _) | (None, Some(e)) if e.kind == ErrorKind::Throttled => (
                "throttled",
                Severity::Warning,
                format!("{key} throttled: {}", e.message),
            ),
            (Some(e), _) => (
                "failed",
                Severity::Warning,
                format!("{key} failing: {}", e.message),
            ),
            (None, Some(e)) => (
                "partial",
                Severity::Warning,
                format!("{key} partly failing: {}", e.message),
            ),
        };
        insert(
            &mut obs,
            Reading {
                kind: SignalKind::Source,
                value: Some(value.into()),
                severity,
                service: None,
                region: Some(key.region.clone()),
                subject: Some(key.kind.name().to_string()),
                code: None,
                aws_time: None,
                message,
            },
        );
    }
    obs
}

fn observe_service(fleet: &Fleet, svc: &ServiceState, now: Timestamp, obs: &mut Observation) {
    let name = svc.service.name.as_str();
    let reading =
        |kind, value: Option<String>, severity, region: Option<&str>, message: String| Reading {
            kind,
            value,
            severity,
            service: Some(name.to_string()),
            region: region.map(str::to_string),
            subject: None,
            code: None,
            aws_time: None,
            message,
        };
    for r in &svc.regions {
        let region = r.region.as_str();
        let mut known = |data: &'static str| {
            obs.known
                .insert((data, name.to_string(), region.to_string()));
        };
        // Known only where the values a finding rests on were read: a verdict that is not
        // unknown and flags that were read; every function's metrics and code; every domain's
        // records; the rules' metrics.
        if r.health
            .as_ref()
            .is_some_and(|h| h.value.raw != HealthStatus::Unknown && !h.value.flags_unknown)
        {
            known("health");
        }
        if r.functions.as_ref().is_some_and(|f| {
            f.value
                .iter()
                .all(|s| s.invocations.is_some() && s.errors.is_some() && s.code_sha256.is_some())
        }) {
            known("lambda");
        }
        if r.domains
            .as_ref()
            .is_some_and(|d| d.value.iter().all(|d| d.dns_read))
        {
            known("domains");
        }
        if r.artifacts.is_some() {
            known("replication");
        }
        if r.replication_metrics.is_some() {
            known("replication_metrics");
        }
        if let Some(h) = &r.health {
            let status = h.value.effective();
            if status != HealthStatus::Unknown {
                // Unhealthy by its flags over a healthy (or unchecked) endpoint is a failover
                // made on purpose: worth knowing, not impact.
                let by_flags =
                    h.value.disabled || (h.value.inverted && h.value.raw == HealthStatus::Healthy);
                let severity = match status {
                    HealthStatus::Unhealthy if by_flags => Severity::Warning,
                    HealthStatus::Unhealthy if !h.value.follows_routing_control() => {
                        Severity::Critical
                    }
                    _ => Severity::Info,
                };
                // The check's id is in the Health detail; the message says what it means.
                let flags = if by_flags && status == HealthStatus::Unhealthy {
                    " by its own flags"
                } else {
                    ""
                };
                let pct = h
                    .value
                    .checkers_healthy_pct
                    .map(|p| format!(", {p:.0}% of checkers healthy"))
                    .unwrap_or_default();
                let mut read = reading(
                    SignalKind::Health,
                    Some(status.label().to_string()),
                    severity,
                    Some(region),
                    format!("{name} in {region} is {}{flags}{pct}", status.label()),
                );
                read.aws_time = h.value.verdict_from.at();
                insert(obs, read);
            }
        }
    }
    if let Some(serving) = svc.predicted_region() {
        let mut read = reading(
            SignalKind::Serving,
            Some(serving.to_string()),
            Severity::Warning,
            None,
            format!("{name} served from {serving} by the health checks"),
        );
        read.subject = Some("health".into());
        insert(obs, read);
    }
    if let Some(dns) = &svc.dns {
        if dns.value.error.is_none() {
            obs.known.insert(("dns", name.to_string(), "-".into()));
        }
        if let Some(answered) = &dns.value.answer_region {
            let mut read = reading(
                SignalKind::Serving,
                Some(answered.clone()),
                Severity::Warning,
                None,
                format!(
                    "{name} served from {answered} by DNS ({} answers {})",
                    dns.value.nameserver.as_deref().unwrap_or("?"),
                    dns.value.name
                ),
            );
            read.subject = Some("dns".into());
            insert(obs, read);
        }
    }
    for f in super::findings(fleet, svc, now) {
        if f.severity < Severity::Warning
            || matches!(
                f.code,
                FindingCode::SourceError | FindingCode::ApprovalPending
            )
        {
            continue;
        }
        let mut read = reading(
            SignalKind::Finding,
            Some(f.severity.label().to_string()),
            f.severity,
            f.region.as_deref(),
            f.message.clone(),
        );
        read.subject = f.subject.clone();
        read.code = Some(f.code);
        read.aws_time = finding_time(svc, &f);
        let key = signal_key(&read);
        // Findings come most severe first: one signal keeps the most severe.
        obs.readings.entry(key).or_insert(read);
    }
    for artifact in super::tracked_artifacts(svc, now) {
        let short: String = artifact.version_id.chars().take(8).collect();
        for r in artifact.regions.iter().filter(|r| !r.is_source) {
            if r.status == ReplicaStatus::Unknown {
                continue;
            }
            let took = r
                .lag_s
                .map(|s| format!(" in {}", super::fmt_secs(s)))
                .unwrap_or_default();
            let mut read = reading(
                SignalKind::Replica,
                Some(r.status.label().to_string()),
                Severity::Info,
                Some(&r.region),
                format!("{} ({short}) reached {}{took}", artifact.key, r.region),
            );
            read.subject = Some(format!("{}@{short}", artifact.key));
            read.aws_time = match (artifact.last_modified, r.lag_s, r.status) {
                (Some(written), Some(lag), ReplicaStatus::Completed) => {
                    written.checked_add_signed(chrono::Duration::seconds(lag as i64))
                }
                _ => None,
            };
            insert(obs, read);
        }
    }
    if let Some(p) = &svc.pipeline
        && !p.value.approvals_unknown
    {
        obs.known.insert(("pipeline", name.to_string(), "-".into()));
        let read = match (&p.value.pending, &p.value.last_answer) {
            (Some(pending), _) => Some((
                pending.stage.clone(),
                pending.action.clone(),
                "pending".to_string(),
                Severity::Info,
                pending.since,
                format!(
                    "{}: approval {}/{} is waiting (expires {})",
                    p.value.name,
                    pending.stage,
                    pending.action,
                    pending.expires.format("%Y-%m-%d %H:%M UTC")
                ),
            )),
            (None, Some(a)) => {
                let (value, how) = match (a.status.as_str(), &a.by) {
                    ("Succeeded", _) => ("approved", "approved".to_string()),
                    ("Failed", Some(_)) => ("rejected", "rejected".to_string()),
                    // Failed and nobody answered: the approval timed out.
                    ("Failed", None) => ("expired", "expired unanswered".to_string()),
                    (other, _) => ("ended", format!("ended {other}")),
                };
                let by =
                    a.by.as_deref()
                        .map(|b| format!(" by {}", crate::model::short_actor(Some(b))))
                        .unwrap_or_default();
                let summary = a
                    .summary
                    .as_deref()
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default();
                Some((
                    a.stage.clone(),
                    a.action.clone(),
                    value.to_string(),
                    Severity::Info,
                    a.at,
                    format!(
                        "{}: approval {}/{} {how}{by}{summary}",
                        p.value.name, a.stage, a.action
                    ),
                ))
            }
            (None, None) => None,
        };
        if let Some((stage, action, value, severity, at, message)) = read {
            let mut read = reading(SignalKind::Approval, Some(value), severity, None, message);
            read.subject = Some(format!("{stage}/{action}"));
            read.aws_time = Some(at);
            insert(obs, read);
        }
    }
}

/// When AWS says the finding's data was measured: the health verdict's time, the function's
/// metric window.
fn finding_time(svc: &ServiceState, f: &crate::model::Finding) -> Option<Timestamp> {
    let region = svc.region(f.region.as_deref()?)?;
    match f.code {
        FindingCode::HealthUnhealthy | FindingCode::HealthInverted => {
            region.health.as_ref()?.value.verdict_from.at()
        }
        FindingCode::ErrorRateHigh => {
            region
                .functions
                .as_ref()?
                .value
                .iter()
                .find(|s| Some(&s.name) == f.subject.as_ref())?
                .window_end
        }
        _ => None,
    }
}

/// The reading an event was made from, as far as the event tells it (for a signal found in
/// the journal at start).
fn reading_of(key: &str, e: &Event) -> Option<Reading> {
    let kind = match key.split('/').next()? {
        "health" => SignalKind::Health,
        "serving" => SignalKind::Serving,
        "finding" => SignalKind::Finding,
        "source" => SignalKind::Source,
        "replica" => SignalKind::Replica,
        "approval" => SignalKind::Approval,
        _ => return None,
    };
    Some(Reading {
        kind,
        value: e.after.clone(),
        severity: e.severity,
        service: e.service.clone(),
        region: e.region.clone(),
        subject: e.subject.clone(),
        code: e.code,
        aws_time: e.aws_time,
        message: e.message.clone(),
    })
}

/// One signal as the tracker follows it.
#[derive(Debug, Clone, PartialEq, Default)]
struct Followed {
    /// The value last recorded (written to the journal, or found there at start).
    recorded: Option<String>,
    /// The value last observed.
    current: Option<String>,
    /// Seen (or found in the journal) before: a first sight is judged differently.
    seen: bool,
    /// When its observed value changed, within the last [`FLAP_WINDOW_S`].
    changes: VecDeque<Timestamp>,
    /// When its observed value last changed (the settled value's time, after flapping).
    last_change: Option<Timestamp>,
    /// Flapping: changes since its `flapping` event, held back until it settles.
    held: Option<u32>,
    /// The last reading, for the event of a value that settles or is cleared.
    last: Option<Reading>,
}

/// Follows every signal and gives the events of their changes (see the module's
/// documentation).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tracker {
    signals: BTreeMap<String, Followed>,
}

impl Tracker {
    /// A tracker that starts from the last event recorded per signal (the journal's: see
    /// `journal::Journal::last_events`), so a restart does not record the same values again
    /// and does record what changed while nothing watched (a finding cleared meanwhile too).
    pub fn seeded<'a>(last: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut tracker = Tracker::default();
        for event in last {
            let Some(key) = event.signal.clone() else {
                continue;
            };
            let Some(reading) = reading_of(&key, event) else {
                continue;
            };
            tracker.signals.insert(
                key,
                Followed {
                    recorded: event.after.clone(),
                    current: event.after.clone(),
                    seen: true,
                    last: Some(reading),
                    ..Followed::default()
                },
            );
        }
        tracker
    }

    /// The events of what changed between the last observation and `obs`.
    pub fn observe(&mut self, obs: &Observation, now: Timestamp) -> Vec<Event> {
        let mut events = Vec::new();
        let keys: BTreeSet<String> = obs
            .readings
            .keys()
            .chain(self.signals.keys())
            .cloned()
            .collect();
        for key in keys {
            let followed = self.signals.entry(key.clone()).or_default();
            let (value, reading) = match obs.readings.get(&key) {
                Some(r) => (r.value.clone(), r.clone()),
                None => {
                    // Absent: cleared only where its data was read (findings, approvals).
                    let Some(last) = followed.last.clone() else {
                        continue;
                    };
                    if !obs.absence_known(&last) {
                        continue;
                    }
                    (None, last)
                }
            };
            if let Some(event) = follow(followed, &key, value, reading, now) {
                events.push(event);
            }
        }
        // An artifact version no longer tracked (a newer build came) is not followed further:
        // the tracker stays as large as what is watched.
        self.signals
            .retain(|key, _| !key.starts_with("replica/") || obs.readings.contains_key(key));
        events
    }
}

/// One signal's new value: the event to record, if any.
fn follow(
    f: &mut Followed,
    key: &str,
    value: Option<String>,
    reading: Reading,
    now: Timestamp,
) -> Option<Event> {
    f.last = Some(reading.clone());
    if !f.seen {
        f.seen = true;
        f.current = value.clone();
        let notable = match reading.kind {
            SignalKind::Finding => value.is_some(),
            SignalKind::Health => reading.severity == Severity::Critical,
            SignalKind::Source => value.as_deref().is_some_and(|v| v != "ok"),
            SignalKind::Approval => value.as_deref() == Some("pending"),
            // The serving region is the baseline the milestones and later runs compare with:
            // recorded at first sight (as information), so that a journal fed by separate runs
            // (a `snapshot` from cron, a restarted console) sees it move.
            SignalKind::Serving => value.is_some(),
            SignalKind::Replica => false,
        };
        if notable {
            let mut event = record(f, key, value, &reading, now, None);
            if let Some(e) = &mut event
                && reading.kind == SignalKind::Serving
            {
                e.severity = Severity::Info;
            }
            return event;
        }
        f.recorded = value;
        return None;
    }
    while f
        .changes
        .front()
        .is_some_and(|t| (now - *t).num_seconds() >= FLAP_WINDOW_S)
    {
        f.changes.pop_front();
    }
    if value == f.current {
        // Steady: a flapping signal that has held still for the window is recorded as settled.
        if let Some(held) = f.held
            && f.changes.is_empty()
        {
            f.held = None;
            if f.recorded != f.current {
                let note = format!(" (settled after {held} more changes)");
                // Dated when it last changed: the value has held since.
                let at = f.last_change.unwrap_or(now);
                return record(f, key, value, &reading, at, Some(note));
            }
        }
        return None;
    }
    f.current = value.clone();
    f.changes.push_back(now);
    f.last_change = Some(now);
    if let Some(held) = &mut f.held {
        *held += 1;
        return None;
    }
    if f.changes.len() > FLAP_LIMIT {
        f.held = Some(0);
        let mut event = transition(f, key, value.clone(), &reading, now)?;
        event.kind = EventKind::Flapping;
        event.severity = Severity::Warning;
        event.message = format!(
            "{} (flapping: {} changes in {}; further changes are held until it is steady for {})",
            event.message,
            f.changes.len(),
            super::fmt_secs(FLAP_WINDOW_S as u64),
            super::fmt_secs(FLAP_WINDOW_S as u64),
        );
        f.recorded = value;
        return Some(event);
    }
    record(f, key, value, &reading, now, None)
}

/// Record the signal's new value: its event (none where the change is not worth one, which
/// still counts as recorded).
fn record(
    f: &mut Followed,
    key: &str,
    value: Option<String>,
    reading: &Reading,
    now: Timestamp,
    note: Option<String>,
) -> Option<Event> {
    let event = transition(f, key, value.clone(), reading, now);
    f.recorded = value;
    let mut event = event?;
    if let Some(note) = note {
        event.message.push_str(&note);
    }
    Some(event)
}

/// The event of a change from the recorded value to `value`, named by the signal's kind;
/// `None` for changes not worth one (a replica that is now pending, a source first read).
fn transition(
    f: &Followed,
    key: &str,
    value: Option<String>,
    r: &Reading,
    now: Timestamp,
) -> Option<Event> {
    let before = f.recorded.clone();
    let (kind, severity, message) = match r.kind {
        SignalKind::Health | SignalKind::Serving => {
            let was = before
                .as_deref()
                .map(|b| format!(", was {b}"))
                .unwrap_or_default();
            let kind = if r.kind == SignalKind::Health {
                EventKind::HealthChanged
            } else {
                EventKind::ServingChanged
            };
            (kind, r.severity, format!("{}{was}", r.message))
        }
        SignalKind::Finding => match (&before, &value) {
            (None, Some(_)) => (EventKind::FindingRaised, r.severity, r.message.clone()),
            (Some(_), Some(_)) => (EventKind::FindingChanged, r.severity, r.message.clone()),
            (Some(b), None) => (
                EventKind::FindingCleared,
                Severity::Info,
                format!("cleared ({b} until now): {}", r.message),
            ),
            (None, None) => return None,
        },
        SignalKind::Source => match value.as_deref() {
            Some("ok") if before.as_deref().is_some_and(|b| b != "ok") => (
                EventKind::SourceRecovered,
                Severity::Info,
                r.message.clone(),
            ),
            Some("throttled") => (EventKind::SourceThrottled, r.severity, r.message.clone()),
            Some("failed" | "partial") => (EventKind::SourceFailed, r.severity, r.message.clone()),
            _ => return None,
        },
        SignalKind::Replica => match value.as_deref() {
            Some("completed") if before.is_some() => (
                EventKind::ReplicationCompleted,
                Severity::Info,
                r.message.clone(),
            ),
            _ => return None,
        },
        SignalKind::Approval => match value.as_deref() {
            Some("pending") => (
                EventKind::ApprovalPending,
                Severity::Info,
                r.message.clone(),
            ),
            Some("expired") if before.as_deref() == Some("pending") => (
                EventKind::ApprovalExpired,
                Severity::Warning,
                r.message.clone(),
            ),
            Some(_) if before.as_deref() == Some("pending") => (
                EventKind::ApprovalAnswered,
                Severity::Info,
                r.message.clone(),
            ),
            _ => return None,
        },
    };
    let mut event = crate::model::Event::new(kind, severity, now, message);
    event.signal = Some(key.to_string());
    event.service = r.service.clone();
    event.region = r.region.clone();
    event.subject = r.subject.clone();
    event.code = r.code;
    event.aws_time = r.aws_time.filter(|_| value.is_some());
    event.before = before;
    event.after = value;
    Some(event)
}
