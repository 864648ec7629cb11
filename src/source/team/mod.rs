//! The team's bucket (README, "Working as a team"): the objects that hold a lease per service
//! (`PREFIX/locks/SERVICE.json`) and the team's audit trail (`PREFIX/audit/YYYY/MM/DD/ID-PHASE.json`),
//! written with S3 conditional writes (S3 User Guide, "Conditional writes"): `If-None-Match: *`
//! creates only what is absent, `If-Match: ETAG` replaces or deletes only the version read. The
//! store is S3 for the AWS backend, or in memory for the simulation (with its scripted teammates).

pub mod memory;

use crate::model::{AuditRecord, Lease, SeenLease, TeamView, Timestamp};
use crate::source::{ErrorKind, SourceError};
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
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
    /// The audit records read so far, by key.
    records: Mutex<BTreeMap<String, AuditRecord>>,
}

enum Store {
    S3(crate::source::aws::team::S3Team),
    Memory(Arc<memory::MemoryStore>),
}

/// How far back the `team` source looks for recent actions.
pub const RECENT: chrono::TimeDelta = chrono::TimeDelta::minutes(30);
/// Audit records the `team` source shows at most (the newest): the last eight or so actions, of
/// which the console names three. Each is read once (see `written_records`), but a new process
/// (a headless action) reads them all at its start.
const RECENT_MAX: usize = 24;
/// Audit records kept once read (the objects never change); past this the cache starts over.
const RECORDS_KEPT: usize = 10_000;
/// Reads of the bucket in flight at once.
const FAN_OUT: usize = 16;

impl TeamStore {
    pub fn s3(s3: crate::source::aws::team::S3Team, prefix: String, lease: Duration) -> Self {
        TeamStore {
            location: format!("s3://{}/{prefix}", s3.bucket()),
            store: Store::S3(s3),
            prefix,
            lease,
            records: Mutex::default(),
        }
    }

    pub fn memory(memory: Arc<memory::MemoryStore>, lease: Duration) -> Self {
        TeamStore {
            store: Store::Memory(memory),
            location: "the simulation's team".into(),
            prefix: memory::PREFIX.into(),
            lease,
            records: Mutex::default(),
        }
    }

    pub fn lock_key(&self, service: &str) -> String {
        format!("{}locks/{}.json", self.prefix, key_safe(service))
    }

    /// `PREFIX/audit/YYYY/MM/DD/ID-PHASE.json`, dated by the record's time.
    pub fn audit_key(&self, record: &AuditRecord) -> String {
        audit_key(&self.prefix, record)
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
        Ok(self
            .list_written(prefix, now)
            .await?
            .into_iter()
            .map(|(k, _)| k)
            .collect())
    }

    /// Every key under `prefix` with when S3 wrote it (LastModified; `None` if not given).
    pub async fn list_written(
        &self,
        prefix: &str,
        now: Timestamp,
    ) -> Result<Vec<(String, Option<Timestamp>)>, StoreError> {
        match &self.store {
            Store::S3(s3) => s3.list(prefix).await,
            Store::Memory(m) => Ok(m
                .list_written(prefix, now)
                .into_iter()
                .map(|(k, t)| (k, Some(t)))
                .collect()),
        }
    }

    /// GetObject of each key, a few at a time, in the keys' order.
    async fn get_all(
        &self,
        keys: &[String],
        now: Timestamp,
    ) -> Vec<Result<Option<Object>, StoreError>> {
        // The futures are made first (not in the stream's closure), so that the whole stays
        // `Send` for spawned tasks.
        let pending: Vec<_> = keys.iter().map(|k| self.get(k, now)).collect();
        stream::iter(pending).buffered(FAN_OUT).collect().await
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

    /// The team's audit records written (by S3's clock) from `from` on, oldest first, at most
    /// `max` (the newest), read day by day.
    pub async fn audit_records(
        &self,
        from: Timestamp,
        now: Timestamp,
        max: usize,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        Ok(self
            .written_records(from, now, max)
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }

    /// `audit_records` with when S3 wrote each. The day folders from `from`'s to `now`'s are
    /// listed; a record's object is read once and kept, as the trail is immutable (written with
    /// `If-None-Match: *`), so a refresh reads only what is new.
    pub async fn written_records(
        &self,
        from: Timestamp,
        now: Timestamp,
        max: usize,
    ) -> Result<Vec<(Timestamp, AuditRecord)>, StoreError> {
        self.written_records_counted(from, now, max, &mut 0).await
    }

    /// `written_records`, adding the requests it made to `calls` (listings and reads).
    async fn written_records_counted(
        &self,
        from: Timestamp,
        now: Timestamp,
        max: usize,
        calls: &mut u32,
    ) -> Result<Vec<(Timestamp, AuditRecord)>, StoreError> {
        let mut listed = Vec::new();
        // From the day before: a record is filed under its writer's date, and one sent late (after
        // midnight, by a process that was down) is written now into an older folder.
        let mut day = from.date_naive().pred_opt().unwrap_or(from.date_naive());
        while day <= now.date_naive() {
            let prefix = day_prefix(&self.prefix, day);
            listed.extend(self.list_written(&prefix, now).await?);
            *calls += 1;
            day = day.succ_opt().unwrap_or(day + chrono::Days::new(1));
        }
        // An object without LastModified is kept: it cannot be told to be old.
        let mut listed: Vec<(Timestamp, String)> = listed
            .into_iter()
            .map(|(k, written)| (written.unwrap_or(now), k))
            .filter(|(written, _)| *written >= from)
            .collect();
        listed.sort();
        let skip = listed.len().saturating_sub(max);
        let listed = &listed[skip..];
        let missing: Vec<String> = {
            let mut cache = self.records.lock().map_err(|_| poisoned())?;
            // Full: start over before reading, so that what is listed is all read again.
            if cache.len() > RECORDS_KEPT {
                cache.clear();
            }
            listed
                .iter()
                .filter(|(_, k)| !cache.contains_key(k))
                .map(|(_, k)| k.clone())
                .collect()
        };
        let reads = self.get_all(&missing, now).await;
        *calls += u32::try_from(missing.len()).unwrap_or(u32::MAX);
        let mut read = Vec::new();
        for (key, object) in missing.iter().zip(reads) {
            if let Some(object) = object? {
                match serde_json::from_slice::<AuditRecord>(&object.body) {
                    Ok(record) => read.push((key.clone(), record)),
                    Err(e) => tracing::warn!(key, %e, "not a switchyard audit record; left out"),
                }
            }
        }
        let mut cache = self.records.lock().map_err(|_| poisoned())?;
        cache.extend(read);
        let mut out: Vec<(Timestamp, AuditRecord)> = listed
            .iter()
            .filter_map(|(written, k)| cache.get(k).map(|r| (*written, r.clone())))
            .collect();
        out.sort_by_key(|(_, r)| (r.ts, crate::model::phase_rank(r.phase)));
        Ok(out)
    }

    /// What the `team` source shows: the leases and the last [`RECENT`] of audit records,
    /// with the requests made (a listing of the leases and a read of each; a listing per day
    /// and a read of each record not read before).
    pub async fn view(&self, now: Timestamp) -> Result<(TeamView, u32), SourceError> {
        let unavailable = |e: StoreError| {
            SourceError::new(
                ErrorKind::Unavailable,
                format!("team bucket {}: {e}", self.location),
            )
        };
        let leases = self.leases(now).await.map_err(unavailable)?;
        let mut calls = 1 + u32::try_from(leases.len()).unwrap_or(u32::MAX);
        let mut recent: Vec<AuditRecord> = self
            .written_records_counted(now - RECENT, now, RECENT_MAX, &mut calls)
            .await
            .map_err(unavailable)?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        recent.reverse();
        Ok((TeamView { leases, recent }, calls))
    }
}

fn poisoned() -> StoreError {
    StoreError::Unavailable("the team store's cache was poisoned by a crash elsewhere".into())
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

/// `PREFIX/audit/YYYY/MM/DD/ID-PHASE.json`, dated by the record's time.
fn audit_key(prefix: &str, record: &AuditRecord) -> String {
    format!(
        "{}{}",
        day_prefix(prefix, record.ts.date_naive()),
        record_name(record)
    )
}

/// `PREFIX/audit/YYYY/MM/DD/`: one day's folder of the trail.
fn day_prefix(prefix: &str, day: chrono::NaiveDate) -> String {
    format!("{prefix}audit/{}/", day.format("%Y/%m/%d"))
}

/// `ID-PHASE.json`: a record's object name in its day folder, and its file in the outbox.
pub fn record_name(record: &AuditRecord) -> String {
    format!("{}-{}.json", key_safe(&record.id), record.phase.name())
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::model::Phase;

    fn at(s: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    fn record(id: &str, outcome: &str, ts: Timestamp) -> AuditRecord {
        AuditRecord {
            ts,
            id: id.into(),
            phase: Phase::Result,
            action: "failover".into(),
            service: "sample".into(),
            target: "us-west-2".into(),
            request: serde_json::json!({}),
            actor: None,
            outcome: Some(outcome.into()),
            error: None,
            forced_reason: None,
            drill: false,
            team_lock: None,
        }
    }

    /// Audit objects are written once (`If-None-Match: *`), so each is read once: a later read of
    /// the trail lists the keys and reads only the new ones. (The simulation's store lets the
    /// test change an object behind the cache's back, which S3 with the README's bucket policy
    /// does not.)
    #[tokio::test]
    async fn each_audit_object_is_read_once_and_the_window_is_by_when_s3_wrote_it() {
        let memory = Arc::new(memory::MemoryStore::new(Vec::new(), 120));
        let store = TeamStore::memory(Arc::clone(&memory), Duration::from_secs(120));
        let old = record("a", "ok", at(0));
        let key = store.audit_key(&old);
        let etag = store
            .create(&key, serde_json::to_vec(&old).unwrap(), at(0))
            .await
            .unwrap();
        let first = store.audit_records(at(-60), at(10), 10).await.unwrap();
        assert_eq!(first, vec![old.clone()]);
        memory
            .put(
                &key,
                serde_json::to_vec(&record("a", "rewritten", at(0))).unwrap(),
                Some(&etag),
                at(20),
            )
            .unwrap();
        let newer = record("b", "ok", at(30));
        store
            .create(
                &store.audit_key(&newer),
                serde_json::to_vec(&newer).unwrap(),
                at(30),
            )
            .await
            .unwrap();
        let second = store.audit_records(at(-60), at(40), 10).await.unwrap();
        assert_eq!(
            second,
            vec![old, newer.clone()],
            "a's object was not read again"
        );
        // From 25 s on by when S3 wrote them: a's object (rewritten at 20 s here) is left out.
        let window = store.written_records(at(25), at(40), 10).await.unwrap();
        assert_eq!(window, vec![(at(30), newer)]);
    }

    /// The team source counts the requests it makes (for the status bar's calls per hour): a
    /// listing of the leases and a read of each, a listing of the day and of the day before, and
    /// a read of each record it has not read before.
    #[tokio::test]
    async fn the_view_counts_its_requests_and_reads_each_record_once() {
        let at = |s: i64| chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap();
        let alice = memory::Teammate {
            at: at(0),
            seconds: 60,
            actor: "arn:aws:sts::1:assumed-role/ops/alice".into(),
            host: "alice-laptop".into(),
            action: "failover".into(),
            service: "sample".into(),
            target: "us-west-2".into(),
        };
        let store = TeamStore::memory(
            Arc::new(memory::MemoryStore::new(vec![alice], 120)),
            Duration::from_secs(120),
        );
        // At 10 s: her lease and two records (intent, result).
        let (view, calls) = store.view(at(10)).await.unwrap();
        assert_eq!((view.leases.len(), view.recent.len()), (1, 2));
        assert_eq!(calls, 1 + 1 + 2 + 2);
        // At 20 s nothing new: the records are not read again.
        let (_, calls) = store.view(at(20)).await.unwrap();
        assert_eq!(calls, 1 + 1 + 2);
        // At 70 s her action is done: no lease, one new record (verified).
        let (view, calls) = store.view(at(70)).await.unwrap();
        assert_eq!((view.leases.len(), view.recent.len()), (0, 3));
        assert_eq!(calls, 1 + 2 + 1);
    }
}
