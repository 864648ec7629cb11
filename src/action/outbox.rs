//! The queue of audit records on their way to the team's bucket: each record, once fsynced in the
//! local log, is also written as a file in the outbox folder (next to the log), and removed when
//! its object is in the bucket. A process that dies leaves its files; the next start sends them.
//! Each object is written with `If-None-Match: *`, so sending one twice (the answer to the first
//! put was lost) finds it there (412) and counts it as sent: the trail is immutable.

use crate::model::{AuditRecord, Timestamp};
use crate::source::team::{StoreError, TeamStore, record_name};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct Outbox {
    dir: PathBuf,
}

/// What one sending round did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Sent {
    pub sent: usize,
    /// Records still waiting (the bucket failed, or time ran out).
    pub left: usize,
    pub error: Option<String>,
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Outbox { dir: dir.into() }
    }

    /// Queue `record`: written to a temporary file, fsynced, then renamed into place, so a crash
    /// leaves either the whole record or nothing.
    pub fn put(&self, record: &AuditRecord) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let name = record_name(record);
        let body = serde_json::to_vec(record).map_err(std::io::Error::other)?;
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&body)?;
        file.sync_all()?;
        std::fs::rename(&tmp, self.dir.join(&name))?;
        std::fs::File::open(&self.dir).and_then(|d| d.sync_all())
    }

    /// The queued records' files, oldest record first (their names start with the audit id,
    /// which starts with the time).
    pub fn pending(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "json")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        files.sort();
        files
    }

    /// Send what is queued, oldest first, for at most `limit`; stop at the first failure (the
    /// rest waits for the next round).
    pub async fn send(&self, store: &TeamStore, now: Timestamp, limit: Duration) -> Sent {
        let mut sent = Sent::default();
        let pending = self.pending();
        let round = async {
            for path in &pending {
                match self.send_one(store, path, now).await {
                    Ok(()) => sent.sent += 1,
                    Err(e) => {
                        sent.error = Some(e);
                        break;
                    }
                }
            }
        };
        if tokio::time::timeout(limit, round).await.is_err() {
            sent.error.get_or_insert_with(|| {
                format!("the team bucket took longer than {} s", limit.as_secs())
            });
        }
        sent.left = self.pending().len();
        sent
    }

    async fn send_one(&self, store: &TeamStore, path: &Path, now: Timestamp) -> Result<(), String> {
        let body = match std::fs::read(path) {
            Ok(body) => body,
            // Sent and removed by another process meanwhile.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let record: AuditRecord = match serde_json::from_slice(&body) {
            Ok(record) => record,
            Err(e) => {
                // Not ours to send; set aside so that it never blocks the queue.
                tracing::warn!(path = %path.display(), %e, "outbox: not an audit record");
                let _ = std::fs::rename(path, path.with_extension("unreadable"));
                return Ok(());
            }
        };
        let key = store.audit_key(&record);
        let mut attempt = 0;
        loop {
            match store.create(&key, body.clone(), now).await {
                Ok(_) | Err(StoreError::Precondition) => break,
                Err(StoreError::Conflict) if attempt < super::team::CONFLICT_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(super::team::jitter(attempt)).await;
                }
                Err(e) => return Err(format!("{}: {e}", store.location)),
            }
        }
        match std::fs::remove_file(path) {
            // Another process sending the same outbox removed it first: it is sent.
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("{}: {e}", path.display()))
            }
            _ => Ok(()),
        }
    }
}

/// At start: send what an earlier process left in the outbox of `log` (it died, or the bucket
/// did not answer), for at most `limit`. `None` without a team or with nothing waiting.
pub async fn send_left_over(
    backend: &crate::source::Backend,
    log: &super::audit::AuditLog,
    now: Timestamp,
    limit: Duration,
) -> Option<Sent> {
    let store = backend.team()?;
    let outbox = Outbox::new(log.outbox_dir());
    if outbox.pending().is_empty() {
        return None;
    }
    let sent = outbox.send(store, now, limit).await;
    match &sent.error {
        Some(e) => tracing::warn!(%e, sent = sent.sent, left = sent.left, "team outbox at start"),
        None => tracing::info!(sent = sent.sent, "team outbox at start: sent"),
    }
    Some(sent)
}
