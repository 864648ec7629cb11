//! The simulation's team bucket: objects in memory with S3's conditional-write rules, their
//! times from the simulation's clock, and the scenario's teammates, whose leases and audit
//! records appear as a pure function of time (so any moment replays the same).

use super::{Object, StoreError};
use crate::model::{AuditRecord, LEASE_SCHEMA, Lease, Phase, Timestamp};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The prefix of the simulation's team objects.
pub const PREFIX: &str = "switchyard/";

/// A simulated second operator: takes the lease on `service` at `at` and holds it, renewing,
/// for `seconds`, while its action runs; its audit records appear as it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Teammate {
    pub at: Timestamp,
    pub seconds: u64,
    pub actor: String,
    pub host: String,
    pub action: String,
    pub service: String,
    pub target: String,
}

impl Teammate {
    fn audit_id(&self, index: usize) -> String {
        format!(
            "{}-teammate-{}",
            self.at.format("%Y%m%dT%H%M%S%.3fZ"),
            index + 1
        )
    }

    fn until(&self) -> Timestamp {
        self.at + chrono::Duration::seconds(i64::try_from(self.seconds).unwrap_or(i64::MAX))
    }

    /// Its lease body at `now` (renewed every third of the lease).
    fn lease(&self, index: usize, lease_seconds: u64, now: Timestamp) -> (Lease, Timestamp) {
        let every = (lease_seconds / 3).max(1);
        let renewals = ((now - self.at).num_seconds().max(0) as u64) / every;
        let written = self.at
            + chrono::Duration::seconds(i64::try_from(renewals * every).unwrap_or(i64::MAX));
        let lease = Lease {
            schema: LEASE_SCHEMA.into(),
            holder: format!("{}/sim/{}", self.host, self.audit_id(index)),
            actor: Some(self.actor.clone()),
            host: self.host.clone(),
            action: self.action.clone(),
            service: self.service.clone(),
            target: self.target.clone(),
            plan_digest: String::new(),
            audit_id: self.audit_id(index),
            since: self.at,
            lease_seconds,
            renewals: u32::try_from(renewals).unwrap_or(u32::MAX),
        };
        (lease, written)
    }

    /// Its audit records written by `now`: intent at the start, result 2 s later, verified at
    /// the end.
    fn records(&self, index: usize, now: Timestamp) -> Vec<AuditRecord> {
        let at = |s: i64| self.at + chrono::Duration::seconds(s);
        let end = (self.until() - self.at).num_seconds();
        let record = |phase, ts, outcome: Option<&str>| AuditRecord {
            ts,
            id: self.audit_id(index),
            phase,
            action: self.action.clone(),
            service: self.service.clone(),
            target: self.target.clone(),
            request: serde_json::json!({}),
            actor: Some(self.actor.clone()),
            outcome: outcome.map(str::to_string),
            error: None,
            forced_reason: None,
            drill: true,
            team_lock: None,
        };
        [
            record(Phase::Intent, at(0), None),
            record(Phase::Result, at(2.min(end)), Some("ok")),
            record(Phase::Verified, at(end), Some("the change is visible")),
        ]
        .into_iter()
        .filter(|r| r.ts <= now)
        .collect()
    }
}

#[derive(Debug, Clone)]
struct Stored {
    body: Vec<u8>,
    etag: String,
    last_modified: Timestamp,
}

#[derive(Debug, Default)]
pub struct MemoryStore {
    objects: Mutex<(u64, BTreeMap<String, Stored>)>,
    teammates: Vec<Teammate>,
    lease_seconds: u64,
}

impl MemoryStore {
    pub fn new(teammates: Vec<Teammate>, lease_seconds: u64) -> Self {
        MemoryStore {
            objects: Mutex::default(),
            teammates,
            lease_seconds,
        }
    }

    /// The teammates' objects at `now`: their leases while their actions run, their records.
    fn scripted(&self, now: Timestamp) -> BTreeMap<String, Stored> {
        let mut out = BTreeMap::new();
        for (i, mate) in self.teammates.iter().enumerate() {
            if mate.at > now {
                continue;
            }
            if now < mate.until() {
                let (lease, written) = mate.lease(i, self.lease_seconds, now);
                out.insert(
                    format!("{PREFIX}locks/{}.json", super::key_safe(&mate.service)),
                    Stored {
                        body: serde_json::to_vec(&lease).unwrap_or_default(),
                        etag: format!("\"teammate-{i}-{}\"", lease.renewals),
                        last_modified: written,
                    },
                );
            }
            for record in mate.records(i, now) {
                out.insert(
                    super::audit_key(PREFIX, &record),
                    Stored {
                        body: serde_json::to_vec(&record).unwrap_or_default(),
                        etag: format!("\"teammate-{i}-{}\"", record.phase.name()),
                        last_modified: record.ts,
                    },
                );
            }
        }
        out
    }

    /// What is there at `now`: what was written here wins over a teammate's object.
    fn current(&self, key: &str, now: Timestamp) -> Option<Stored> {
        let stored = self.objects.lock().ok().and_then(|o| o.1.get(key).cloned());
        stored.or_else(|| self.scripted(now).remove(key))
    }

    pub fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        if_match: Option<&str>,
        now: Timestamp,
    ) -> Result<String, StoreError> {
        let existing = self.current(key, now);
        match (if_match, &existing) {
            (None, Some(_)) => return Err(StoreError::Precondition),
            (Some(etag), Some(found)) if found.etag != etag => {
                return Err(StoreError::Precondition);
            }
            (Some(_), None) => return Err(StoreError::Precondition),
            _ => {}
        }
        let mut objects = self
            .objects
            .lock()
            .map_err(|_| StoreError::Unavailable("the simulated team store failed".into()))?;
        objects.0 += 1;
        let etag = format!("\"sim-{}\"", objects.0);
        objects.1.insert(
            key.to_string(),
            Stored {
                body,
                etag: etag.clone(),
                last_modified: now,
            },
        );
        Ok(etag)
    }

    pub fn get(&self, key: &str, now: Timestamp) -> Option<Object> {
        self.current(key, now).map(|s| Object {
            body: s.body,
            etag: s.etag,
            last_modified: s.last_modified,
            server_time: now,
        })
    }

    pub fn delete(&self, key: &str, etag: &str, now: Timestamp) -> Result<(), StoreError> {
        match self.current(key, now) {
            Some(found) if found.etag == etag => {
                if let Ok(mut objects) = self.objects.lock() {
                    objects.1.remove(key);
                }
                Ok(())
            }
            Some(_) => Err(StoreError::Precondition),
            // Deleting what is gone is not an error in S3 either.
            None => Ok(()),
        }
    }

    pub fn list(&self, prefix: &str, now: Timestamp) -> Vec<String> {
        self.list_written(prefix, now)
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    /// The keys under `prefix` with when each was written, as ListObjectsV2 gives them.
    pub fn list_written(&self, prefix: &str, now: Timestamp) -> Vec<(String, Timestamp)> {
        let mut found = self.scripted(now);
        if let Ok(objects) = self.objects.lock() {
            found.extend(objects.1.iter().map(|(k, o)| (k.clone(), o.clone())));
        }
        found
            .into_iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, o)| (k, o.last_modified))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn at(s: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    fn alice() -> Teammate {
        Teammate {
            at: at(100),
            seconds: 60,
            actor: "arn:aws:sts::1:assumed-role/ops/alice".into(),
            host: "alice-laptop".into(),
            action: "failover".into(),
            service: "orders".into(),
            target: "us-west-2".into(),
        }
    }

    #[test]
    fn conditional_writes_follow_s3s_rules() {
        let m = MemoryStore::new(Vec::new(), 120);
        let etag = m.put("k", b"1".to_vec(), None, at(0)).unwrap();
        assert_eq!(
            m.put("k", b"2".to_vec(), None, at(1)),
            Err(StoreError::Precondition),
            "If-None-Match: * on an existing key"
        );
        assert_eq!(
            m.put("k", b"2".to_vec(), Some("\"other\""), at(1)),
            Err(StoreError::Precondition),
            "If-Match with another ETag"
        );
        let renewed = m.put("k", b"2".to_vec(), Some(&etag), at(2)).unwrap();
        assert_eq!(m.get("k", at(3)).unwrap().last_modified, at(2));
        assert_eq!(m.delete("k", &etag, at(3)), Err(StoreError::Precondition));
        m.delete("k", &renewed, at(3)).unwrap();
        assert_eq!(m.get("k", at(4)), None);
    }

    #[test]
    fn a_teammate_holds_the_lease_only_while_its_action_runs() {
        let m = MemoryStore::new(vec![alice()], 120);
        let key = "switchyard/locks/orders.json";
        assert_eq!(m.get(key, at(99)), None);
        let during = m.get(key, at(130)).unwrap();
        let lease: Lease = serde_json::from_slice(&during.body).unwrap();
        assert_eq!(lease.service, "orders");
        assert_eq!(during.last_modified, at(100));
        assert_eq!(
            m.get(key, at(150)).unwrap().last_modified,
            at(140),
            "renewed every third of the lease"
        );
        assert_eq!(
            m.put(key, b"me".to_vec(), None, at(130)),
            Err(StoreError::Precondition)
        );
        assert_eq!(m.get(key, at(160)), None, "released when done");
        let audit = m.list("switchyard/audit/", at(161));
        assert_eq!(audit.len(), 3, "{audit:?}");
        assert_eq!(m.list("switchyard/audit/", at(101)).len(), 1);
    }
}
