//! The incident journal's event (`switchyard.event/1`, one JSON line each; README, "Incident
//! timeline"): a change switchyard observed, an action or an operator's note.

use super::{FindingCode, Severity, Timestamp};
use serde::{Deserialize, Serialize};

/// The `schema` of every journal line.
pub const EVENT_SCHEMA: &str = "switchyard.event/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A region's health verdict (the one Route 53 routes on) changed.
    HealthChanged,
    /// The region serving the shared name changed: `subject` says by whose account, `health`
    /// (the health model's prediction) or `dns` (what the authoritative name servers answer).
    ServingChanged,
    FindingRaised,
    /// A finding's severity changed (warning to critical, or back).
    FindingChanged,
    FindingCleared,
    SourceFailed,
    SourceThrottled,
    SourceRecovered,
    /// An artifact version reached a destination region.
    ReplicationCompleted,
    ApprovalPending,
    ApprovalAnswered,
    ApprovalExpired,
    /// A signal changed too often: its changes are held until it is steady (see `Event`).
    Flapping,
    /// A guarded action ended (`audit_id` links it to the audit log).
    Action,
    /// Free text typed by an operator.
    Note,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::HealthChanged => "health_changed",
            EventKind::ServingChanged => "serving_changed",
            EventKind::FindingRaised => "finding_raised",
            EventKind::FindingChanged => "finding_changed",
            EventKind::FindingCleared => "finding_cleared",
            EventKind::SourceFailed => "source_failed",
            EventKind::SourceThrottled => "source_throttled",
            EventKind::SourceRecovered => "source_recovered",
            EventKind::ReplicationCompleted => "replication_completed",
            EventKind::ApprovalPending => "approval_pending",
            EventKind::ApprovalAnswered => "approval_answered",
            EventKind::ApprovalExpired => "approval_expired",
            EventKind::Flapping => "flapping",
            EventKind::Action => "action",
            EventKind::Note => "note",
        }
    }
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Always [`EVENT_SCHEMA`].
    pub schema: String,
    /// When switchyard saw it (for an action: when it ended; for a note: when it was typed).
    pub observed: Timestamp,
    /// When AWS says it happened, where AWS gives a time: the CloudWatch data point, the
    /// checkers' newest report, CodePipeline's status change, S3's replication time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_time: Option<Timestamp>,
    pub kind: EventKind,
    /// How important it is: critical (impact), warning, info.
    pub severity: Severity,
    /// What changed, as one stable key ("health/sample/us-east-1",
    /// "finding/sample/us-east-1/error_rate_high/sample-api"): the journal keeps one value per
    /// signal, and an event that repeats the signal's last value is not written again. `None`
    /// for actions and notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// What in the service and region: a function, a health check, an artifact, a source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// For findings: the code of the JSON contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<FindingCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The line a person reads.
    pub message: String,
    /// For actions: the audit log's id of the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_id: Option<String>,
    /// For actions and notes: who (the caller ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

impl Event {
    /// An event of `kind` with its message; the other fields are set by the caller.
    pub fn new(kind: EventKind, severity: Severity, observed: Timestamp, message: String) -> Self {
        Event {
            schema: EVENT_SCHEMA.to_string(),
            observed,
            aws_time: None,
            kind,
            severity,
            signal: None,
            service: None,
            region: None,
            subject: None,
            code: None,
            before: None,
            after: None,
            message,
            audit_id: None,
            actor: None,
        }
    }

    /// An operator's note.
    pub fn note(
        observed: Timestamp,
        actor: Option<String>,
        service: Option<String>,
        text: String,
    ) -> Self {
        Event {
            actor,
            service,
            ..Event::new(EventKind::Note, Severity::Info, observed, text)
        }
    }

    /// When it happened as best known: AWS's time where given, else when it was observed.
    pub fn at(&self) -> Timestamp {
        self.aws_time.unwrap_or(self.observed)
    }

    /// Whether the event concerns `service`: its own, or the whole fleet (a source, a note
    /// without a service).
    pub fn concerns(&self, service: &str) -> bool {
        self.service.as_deref().is_none_or(|s| s == service)
    }

    /// Whether `text` (the console's `/` filter) appears in it, case-insensitively.
    pub fn matches(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        [
            Some(self.message.as_str()),
            Some(self.kind.name()),
            self.service.as_deref(),
            self.region.as_deref(),
            self.subject.as_deref(),
            self.actor.as_deref(),
        ]
        .into_iter()
        .flatten()
        .any(|field| field.to_lowercase().contains(&text))
    }
}
