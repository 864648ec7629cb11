//! The team's shared state in S3 (README, "Working as a team"): the lease that one operator holds
//! on a service while an action runs, and what the team's `team` source shows: the leases and the
//! recent audit records, judged by S3's own clock.

use super::{AuditRecord, Phase, Timestamp};
use serde::{Deserialize, Serialize};

/// The schema of a lease body.
pub const LEASE_SCHEMA: &str = "switchyard.lease/1";

/// The body of `PREFIX/locks/SERVICE.json`: who holds the service, for what, since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    pub schema: String,
    /// Unique to one attempt to act (`HOST/PID/AUDIT-ID`): how a process recognises its own
    /// lease when the answer to its put was lost.
    pub holder: String,
    /// The caller ARN, when known.
    pub actor: Option<String>,
    pub host: String,
    pub action: String,
    pub service: String,
    pub target: String,
    /// SHA-256 of the plan's exact request (hex), as recorded in the audit log.
    pub plan_digest: String,
    pub audit_id: String,
    /// When the holder took the lease, by the holder's clock (for people; expiry is judged by
    /// S3's clock from the object's LastModified).
    pub since: Timestamp,
    /// The lease lapses this long after the object was last written (each renewal rewrites it).
    pub lease_seconds: u64,
    /// How many times the holder has renewed it.
    #[serde(default)]
    pub renewals: u32,
}

impl Lease {
    /// "failover sample → us-west-2 by arn:…/alice on laptop-7"
    pub fn describe(&self) -> String {
        format!(
            "{} {} → {} by {} on {}",
            self.action,
            self.service,
            self.target,
            self.actor.as_deref().unwrap_or("an unknown caller"),
            self.host
        )
    }
}

/// A lease as read from the bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeenLease {
    #[serde(flatten)]
    pub lease: Lease,
    /// The object's LastModified: when it was taken or last renewed (S3's clock).
    pub written: Timestamp,
    /// How long ago it was written, by S3's clock (the read's Date less LastModified).
    pub age_s: i64,
}

impl SeenLease {
    /// Past its lease by S3's clock: whoever holds it stopped renewing (crashed, cut off).
    pub fn expired(&self) -> bool {
        self.age_s > i64::try_from(self.lease.lease_seconds).unwrap_or(i64::MAX)
    }

    /// Its age at `now` for a lease read at `read_at`: its age by S3's clock at the read, plus
    /// the time since the read. A lease that has not been read again for longer than it lasts
    /// counts as lapsed, as the holder's next renewal would have shown otherwise.
    pub fn age_at(&self, read_at: Timestamp, now: Timestamp) -> i64 {
        self.age_s + (now - read_at).num_seconds().max(0)
    }

    /// Whether it still holds at `now`, read at `read_at` (see [`SeenLease::age_at`]).
    pub fn live_at(&self, read_at: Timestamp, now: Timestamp) -> bool {
        self.age_at(read_at, now) <= i64::try_from(self.lease.lease_seconds).unwrap_or(i64::MAX)
    }

    /// How long the holder's action has been running at `now`, from the lease's `since` (the
    /// holder's clock; never negative).
    pub fn running_s(&self, now: Timestamp) -> i64 {
        (now - self.lease.since).num_seconds().max(0)
    }
}

/// What the `team` source reads: every lease, and the team's recent audit records (newest
/// first).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TeamView {
    pub leases: Vec<SeenLease>,
    pub recent: Vec<AuditRecord>,
}

/// One action of the team's recent ones, folded from its audit records (also `snapshot/1`'s
/// `team.recent[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamAction {
    pub id: String,
    pub action: String,
    pub service: String,
    pub target: String,
    pub actor: Option<String>,
    pub started: Timestamp,
    /// The latest phase recorded.
    pub phase: Phase,
    pub outcome: Option<String>,
}

impl TeamView {
    /// The recent actions, newest first, each with its latest phase.
    pub fn actions(&self) -> Vec<TeamAction> {
        let mut out: Vec<TeamAction> = Vec::new();
        let mut records: Vec<&AuditRecord> = self.recent.iter().collect();
        records.sort_by_key(|r| (r.ts, phase_rank(r.phase)));
        for r in records {
            match out.iter_mut().find(|a| a.id == r.id) {
                Some(a) => {
                    a.phase = r.phase;
                    if r.outcome.is_some() {
                        a.outcome.clone_from(&r.outcome);
                    }
                }
                None => out.push(TeamAction {
                    id: r.id.clone(),
                    action: r.action.clone(),
                    service: r.service.clone(),
                    target: r.target.clone(),
                    actor: r.actor.clone(),
                    started: r.ts,
                    phase: r.phase,
                    outcome: r.outcome.clone(),
                }),
            }
        }
        out.sort_by_key(|a| std::cmp::Reverse(a.started));
        out
    }
}

/// Phases of one action in the order they are written (records with the same second).
pub fn phase_rank(phase: Phase) -> u8 {
    match phase {
        Phase::Intent | Phase::Refused => 0,
        Phase::Result => 1,
        Phase::Verified | Phase::Unverified => 2,
        Phase::Acknowledged => 3,
    }
}

/// Who acts, shortened for a banner: the last part of an ARN ("…/alice").
pub fn short_actor(actor: Option<&str>) -> String {
    match actor {
        Some(arn) => match arn.rsplit_once('/') {
            Some((_, name)) => format!("…/{name}"),
            None => arn.to_string(),
        },
        None => "someone".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn lease(seconds: u64) -> Lease {
        Lease {
            schema: LEASE_SCHEMA.into(),
            holder: "laptop-7/4242/20261203T150000.000Z-4242-1".into(),
            actor: Some("arn:aws:sts::1:assumed-role/ops/alice".into()),
            host: "laptop-7".into(),
            action: "failover".into(),
            service: "sample".into(),
            target: "us-west-2".into(),
            plan_digest: "ab".into(),
            audit_id: "20261203T150000.000Z-4242-1".into(),
            since: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            lease_seconds: seconds,
            renewals: 0,
        }
    }

    #[test]
    fn a_lease_expires_only_past_its_seconds_by_s3s_clock() {
        let seen = |age_s| SeenLease {
            lease: lease(120),
            written: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            age_s,
        };
        assert!(!seen(0).expired());
        assert!(!seen(120).expired(), "at exactly its lease it still holds");
        assert!(seen(121).expired());
    }

    #[test]
    fn the_body_names_who_what_and_since() {
        let text = serde_json::to_value(lease(120)).unwrap();
        for field in [
            "schema",
            "holder",
            "actor",
            "host",
            "action",
            "service",
            "target",
            "plan_digest",
            "audit_id",
            "since",
            "lease_seconds",
            "renewals",
        ] {
            assert!(text.get(field).is_some(), "{field} missing in {text}");
        }
        assert_eq!(
            lease(120).describe(),
            "failover sample → us-west-2 by arn:aws:sts::1:assumed-role/ops/alice on laptop-7"
        );
        assert_eq!(
            short_actor(Some("arn:aws:sts::1:assumed-role/ops/alice")),
            "…/alice"
        );
    }

    #[test]
    fn actions_fold_their_phases_newest_first() {
        let at = |s: i64| chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap();
        let record = |id: &str, phase, s| AuditRecord {
            ts: at(s),
            id: id.into(),
            phase,
            action: "failover".into(),
            service: "sample".into(),
            target: "us-west-2".into(),
            request: serde_json::json!({}),
            actor: None,
            outcome: Some(format!("{phase:?}")),
            error: None,
            forced_reason: None,
            drill: false,
            team_lock: None,
        };
        let view = TeamView {
            leases: Vec::new(),
            recent: vec![
                record("b", Phase::Intent, 10),
                record("a", Phase::Verified, 5),
                record("a", Phase::Intent, 1),
                record("a", Phase::Result, 1),
            ],
        };
        let actions = view.actions();
        assert_eq!(
            actions
                .iter()
                .map(|a| (a.id.as_str(), a.phase))
                .collect::<Vec<_>>(),
            vec![("b", Phase::Intent), ("a", Phase::Verified)]
        );
        assert_eq!(actions[1].started, at(1));
    }
}
