//! The team's bucket (README, "Working as a team"): the objects that hold a lease per service
//! (`PREFIX/locks/SERVICE.json`) and the team's audit trail (`PREFIX/audit/YYYY/MM/DD/ID-PHASE.json`),
//! written with S3 conditional writes (S3 User Guide, "Conditional writes"): `If-None-Match: *`
//! creates only what is absent, `If-Match: ETAG` replaces or deletes only the version read. The
//! store is S3 for the AWS backend, or in memory for the simulation (with its scripted teammates).

pub mod memory;

use crate::model::{AuditRecord, Lease, SeenLease, TeamView, Timestamp};
use crate::source::{ErrorKind, SourceError};
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use std::time::Duration;

/// One object as read, with S3's own time of the read (the response's Date).
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub body: Vec<u8>,
    pub etag: String,
    pub last_modified: Timestamp,
    /// S3's clock when it answered: how the age of a lease is judged, never the laptop's clock.
    pub server_time: Timestamp,
}

/// How a conditional write or a read failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// 412 PreconditionFailed: the object exists (`If-None-Match: *`) or has another ETag
    /// (`If-Match`).
    #[error("412 PreconditionFailed")]
    Precondition,
    /// 409 ConditionalRequestConflict: a concurrent conditional write to the same key; retry.
    #[error("409 ConditionalRequestConflict")]
    Conflict,
    /// The bucket did not answer, or refused (no such bucket, access denied, credentials).
    #[error("{0}")]
    Unavailable(String),
}

/// The team's bucket and where in it switchyard writes.
pub struct TeamStore {
    store: Store,
    /// For messages: `s3://BUCKET/PREFIX` (or "the simulation's team").
    pub location: String,
    /// Ends with `/`, or is empty.
    pub prefix: String,
    /// How long a lease lasts without renewal.
    pub lease: Duration,
}

enum Store {
    S3(crate::source::aws::team::S3Team),
    Memory(Arc<memory::MemoryStore>),
}

/// How far back the `team` source looks for recent actions.
pub const RECENT: chrono::TimeDelta = chrono::TimeDelta::minutes(30);
/// Audit objects the `team` source reads at most per refresh (the newest).
const RECENT_MAX: usize = 50;
/// Reads of the bucket in flight at once.
const FAN_OUT: usize = 16;

impl TeamStore {
    pub fn s3(s3: crate::source::aws::team::S3Team, prefix: String, lease: Duration) -> Self {
        TeamStore {
            location: format!("s3://{}/{prefix}", s3.bucket()),
            store: Store::S3(s3),
            prefix,
            lease,
        }
    }

    pub fn memory(memory: Arc<memory::MemoryStore>, lease: Duration) -> Self {
        TeamStore {
            store: Store::Memory(memory),
            location: "the simulation's team".into(),
            prefix: memory::PREFIX.into(),
            lease,
        }
    }

    /// Whether this is the simulation's store (no bucket: nothing to upload at the next start).
    pub fn is_memory(&self) -> bool {
        matches!(self.store, Store::Memory(_))
    }

    pub fn lock_key(&self, service: &str) -> String {
        format!("{}locks/{}.json", self.prefix, key_safe(service))
    }

    /// `PREFIX/audit/YYYY/MM/DD/ID-PHASE.json`, dated by the record's time.
    pub fn audit_key(&self, record: &AuditRecord) -> String {
        let phase = serde_json::to_value(record.phase)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        format!(
            "{}{}-{phase}.json",
            self.audit_day_prefix(record.ts),
            key_safe(&record.id)
        )
    }

    fn audit_day_prefix(&self, day: Timestamp) -> String {
        format!("{}audit/{}/", self.prefix, day.format("%Y/%m/%d"))
    }

    /// PutObject `If-None-Match: *`: create `key` only if it does not exist. Returns the ETag.
    pub async fn create(
        &self,
        key: &str,
        body: Vec<u8>,
        now: Timestamp,
    ) -> Result<String, StoreError> {
        match &self.store {
            Store::S3(s3) => s3.put(key, body, None).await,
            Store::Memory(m) => m.put(key, body, None, now),
        }
    }

    /// PutObject `If-Match: etag`: replace `key` only if it is still the version read.
    pub async fn replace(
        &self,
        key: &str,
        body: Vec<u8>,
        etag: &str,
        now: Timestamp,
    ) -> Result<String, StoreError> {
        match &self.store {
            Store::S3(s3) => s3.put(key, body, Some(etag)).await,
            Store::Memory(m) => m.put(key, body, Some(etag), now),
        }
    }

    /// GetObject; `None` when there is no such object.
    pub async fn get(&self, key: &str, now: Timestamp) -> Result<Option<Object>, StoreError> {
        match &self.store {
            Store::S3(s3) => s3.get(key).await,
            Store::Memory(m) => Ok(m.get(key, now)),
        }
    }

    /// DeleteObject `If-Match: etag`: delete only the version read.
    pub async fn delete(&self, key: &str, etag: &str, now: Timestamp) -> Result<(), StoreError> {
        match &self.store {
            Store::S3(s3) => s3.delete(key, etag).await,
            Store::Memory(m) => m.delete(key, etag, now),
        }
    }

    /// Every key under `prefix` (ListObjectsV2, all pages).
    pub async fn list(&self, prefix: &str, now: Timestamp) -> Result<Vec<String>, StoreError> {
        match &self.store {
            Store::S3(s3) => s3.list(prefix).await,
            Store::Memory(m) => Ok(m.list(prefix, now)),
        }
    }

    /// GetObject of each key, [`FAN_OUT`] at a time, in order. (Each read owns its key: a
    /// closure over borrowed keys makes the future not `Send` for every lifetime, which the
    /// pollers' spawned tasks need.)
    async fn get_all(
        &self,
        keys: &[String],
        now: Timestamp,
    ) -> Vec<Result<Option<Object>, StoreError>> {
        stream::iter(keys.to_vec())
            .map(|key| async move { self.get(&key, now).await })
            .buffered(FAN_OUT)
            .collect()
            .await
    }

    /// Every lease in the bucket, aged by S3's clock. Unreadable bodies are left out (and
    /// logged): a stranger's object under `locks/` must not hide the others.
    pub async fn leases(&self, now: Timestamp) -> Result<Vec<SeenLease>, StoreError> {
        let keys = self.list(&format!("{}locks/", self.prefix), now).await?;
        let reads = self.get_all(&keys, now).await;
        let mut out = Vec::new();
        for (key, read) in keys.iter().zip(reads) {
            if let Some(object) = read? {
                match seen_lease(&object) {
                    Some(seen) => out.push(seen),
                    None => tracing::warn!(key, "not a switchyard lease; left out"),
                }
            }
        }
        out.sort_by(|a, b| a.lease.service.cmp(&b.lease.service));
        Ok(out)
    }

    /// The team's audit records from `from` on (by the time in their ids), oldest first, at most
    /// `max` (the newest), read day by day.
    pub async fn audit_records(
        &self,
        from: Timestamp,
        now: Timestamp,
        max: usize,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let mut keys = Vec::new();
        let mut day = from.date_naive();
        while day <= now.date_naive() {
            let prefix = format!("{}audit/{}/", self.prefix, day.format("%Y/%m/%d"));
            keys.extend(self.list(&prefix, now).await?);
            day = day.succ_opt().unwrap_or(day + chrono::Days::new(1));
        }
        let since = from.format("%Y%m%dT%H%M%S").to_string();
        keys.retain(|k| {
            let name = k.rsplit('/').next().unwrap_or("");
            name.get(..15).is_some_and(|t| t >= since.as_str())
        });
        keys.sort();
        let skip = keys.len().saturating_sub(max);
        let keys = &keys[skip..];
        let reads = self.get_all(keys, now).await;
        let mut out = Vec::new();
        for (key, read) in keys.iter().zip(reads) {
            if let Some(object) = read? {
                match serde_json::from_slice::<AuditRecord>(&object.body) {
                    Ok(record) => out.push(record),
                    Err(e) => tracing::warn!(key, %e, "not a switchyard audit record; left out"),
                }
            }
        }
        out.sort_by_key(|r| (r.ts, crate::model::phase_rank(r.phase)));
        Ok(out)
    }

    /// What the `team` source shows: the leases and the last [`RECENT`] of audit records.
    pub async fn view(&self, now: Timestamp) -> Result<TeamView, SourceError> {
        let unavailable = |e: StoreError| {
            SourceError::new(
                ErrorKind::Unavailable,
                format!("team bucket {}: {e}", self.location),
            )
        };
        let leases = self.leases(now).await.map_err(unavailable)?;
        let mut recent = self
            .audit_records(now - RECENT, now, RECENT_MAX)
            .await
            .map_err(unavailable)?;
        recent.reverse();
        Ok(TeamView { leases, recent })
    }
}

/// A lease object as seen: its body, and its age by S3's clock.
pub fn seen_lease(object: &Object) -> Option<SeenLease> {
    let lease: Lease = serde_json::from_slice(&object.body).ok()?;
    Some(SeenLease {
        lease,
        written: object.last_modified,
        age_s: (object.server_time - object.last_modified).num_seconds(),
    })
}

/// A service name or audit id as a key segment: letters, digits, `-`, `_`, `.`; others `_`.
fn key_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
