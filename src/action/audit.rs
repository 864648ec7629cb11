//! The audit log: JSON Lines, one record per phase of an action (`intent` written and fsynced
//! before the call, then `result`, then `verified` or `unverified`). An intent without a result
//! means the process died mid-action, and is reported at the next start. Drills (actions in the
//! simulation) have a log and locks of their own, so a drill never mixes into the real record or
//! blocks a real action on a service of the same name.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

pub use crate::model::{AuditRecord, DrillRecord, Phase, SimMoment};

/// The `result` outcomes that say no call was made (a partial result says `partial: …`).
pub mod outcome {
    pub const REFUSED: &str = "refused";
    pub const CONFLICT: &str = "conflict";
    pub const FAILED: &str = "failed";
    /// Each of them: nothing was applied.
    pub const NOTHING_APPLIED: [&str; 3] = [REFUSED, CONFLICT, FAILED];
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{path}: cannot write the audit log: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot read the audit log: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: not an audit record: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

pub struct AuditLog {
    path: PathBuf,
    drill: bool,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        AuditLog {
            path: path.into(),
            drill: false,
        }
    }

    /// The drill log at `path`: its records are marked `drill`, its locks are `drill-locks/`.
    pub fn drill(path: impl Into<PathBuf>) -> Self {
        AuditLog {
            path: path.into(),
            drill: true,
        }
    }

    /// The real log at its default place, or the drill log for actions in the simulation.
    pub fn standard(drill: bool) -> Self {
        if drill {
            AuditLog::drill(AuditLog::drill_path())
        } else {
            AuditLog::new(AuditLog::default_path())
        }
    }

    /// `$XDG_STATE_HOME/switchyard/audit.jsonl`.
    pub fn default_path() -> PathBuf {
        crate::paths::state_dir().join("audit.jsonl")
    }

    /// `$XDG_STATE_HOME/switchyard/drill-audit.jsonl`: actions in the simulation.
    pub fn drill_path() -> PathBuf {
        crate::paths::state_dir().join("drill-audit.jsonl")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_drill(&self) -> bool {
        self.drill
    }

    /// The command that shows this log, for messages ("see `switchyard audit --drill`").
    pub fn command(&self) -> &'static str {
        if self.drill {
            "switchyard audit --drill"
        } else {
            "switchyard audit"
        }
    }

    /// Where the per-service action locks live: next to the log (`locks/`, or `drill-locks/`
    /// for the drill log).
    pub fn lock_dir(&self) -> PathBuf {
        let name = if self.drill { "drill-locks" } else { "locks" };
        self.path
            .parent()
            .map_or_else(|| PathBuf::from(name), |d| d.join(name))
    }

    /// Where audit records wait to be sent to the team's bucket (`team-outbox/`, or
    /// `drill-team-outbox/` for the drill log): see `action::outbox`.
    pub fn outbox_dir(&self) -> PathBuf {
        let name = if self.drill {
            "drill-team-outbox"
        } else {
            "team-outbox"
        };
        self.path
            .parent()
            .map_or_else(|| PathBuf::from(name), |d| d.join(name))
    }

    /// Append one record and fsync it: an action must not start unless its intent is on disk.
    pub fn append(&self, record: &AuditRecord) -> Result<(), AuditError> {
        self.append_at(record, None)
    }

    /// [`AuditLog::append`], with the simulated moment of a drill: written (as the record's
    /// `sim` field) in the drill log only.
    pub fn append_at(
        &self,
        record: &AuditRecord,
        sim: Option<&SimMoment>,
    ) -> Result<(), AuditError> {
        let fail = |source| AuditError::Write {
            path: self.path.clone(),
            source,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let line = match sim.filter(|_| self.drill) {
            Some(sim) => serde_json::to_vec(&DrillRecord {
                record: record.clone(),
                sim: Some(sim.clone()),
            }),
            None => serde_json::to_vec(record),
        };
        let mut line = line.map_err(|e| fail(std::io::Error::other(e)))?;
        line.push(b'\n');
        let created = !self.path.exists();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(fail)?;
        file.write_all(&line).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        // A new file is only durable once its folder entry is: sync the folder too.
        if created && let Some(dir) = self.path.parent() {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(fail)?;
        }
        Ok(())
    }

    /// Every record, oldest first; no file is an empty log.
    pub fn read(&self) -> Result<Vec<AuditRecord>, AuditError> {
        self.read_lines()
    }

    /// Every record with its simulated moment where the line has one (the drill log's
    /// records since the `sim` field exists), oldest first.
    pub fn read_drills(&self) -> Result<Vec<DrillRecord>, AuditError> {
        self.read_lines()
    }

    fn read_lines<T: serde::de::DeserializeOwned>(&self) -> Result<Vec<T>, AuditError> {
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(AuditError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let mut records = Vec::new();
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|source| AuditError::Read {
                path: self.path.clone(),
                source,
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let record = serde_json::from_str(&line).map_err(|e| AuditError::Corrupt {
                path: self.path.clone(),
                line: i + 1,
                message: e.to_string(),
            })?;
            records.push(record);
        }
        Ok(records)
    }
}

/// Intents with no result: actions that may or may not have reached AWS.
pub fn unfinished(records: &[AuditRecord]) -> Vec<&AuditRecord> {
    records
        .iter()
        .filter(|r| r.phase == Phase::Intent)
        .filter(|intent| {
            !records
                .iter()
                .any(|r| r.id == intent.id && r.phase != Phase::Intent)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn record(id: &str, phase: Phase) -> AuditRecord {
        AuditRecord {
            ts: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            id: id.into(),
            phase,
            action: "failover".into(),
            service: "sample".into(),
            target: "us-west-2".into(),
            request: serde_json::json!({"api": "UpdateHealthCheck", "Inverted": true}),
            actor: Some("arn:aws:sts::1:assumed-role/ops/me".into()),
            outcome: None,
            error: None,
            forced_reason: None,
            drill: false,
            team_lock: None,
        }
    }

    fn temp_log(name: &str) -> AuditLog {
        let dir =
            std::env::temp_dir().join(format!("switchyard-audit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        AuditLog::new(dir.join("nested/audit.jsonl"))
    }

    #[test]
    fn records_round_trip_one_json_line_each() {
        let log = temp_log("round-trip");
        assert!(log.read().unwrap().is_empty(), "no file is an empty log");
        let records = [
            record("a1", Phase::Intent),
            record("a1", Phase::Result),
            record("a1", Phase::Verified),
        ];
        for r in &records {
            log.append(r).unwrap();
        }
        assert_eq!(log.read().unwrap(), records);
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert_eq!(text.lines().count(), 3);
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        for field in [
            "ts",
            "id",
            "phase",
            "action",
            "service",
            "target",
            "request",
            "actor",
            "outcome",
            "error",
            "forced_reason",
        ] {
            assert!(first.get(field).is_some(), "{field} missing in {first}");
        }
        assert_eq!(first["phase"], "intent");
    }

    #[test]
    fn an_intent_without_a_result_is_unfinished() {
        let records = vec![
            record("done", Phase::Intent),
            record("done", Phase::Result),
            record("died", Phase::Intent),
            record("verified-only", Phase::Intent),
            record("verified-only", Phase::Unverified),
        ];
        let open: Vec<&str> = unfinished(&records).iter().map(|r| r.id.as_str()).collect();
        assert_eq!(open, vec!["died"]);
    }

    #[test]
    fn a_corrupt_line_names_its_line() {
        let log = temp_log("corrupt");
        log.append(&record("a", Phase::Intent)).unwrap();
        let mut f = OpenOptions::new().append(true).open(log.path()).unwrap();
        writeln!(f, "{{not json").unwrap();
        let err = log.read().unwrap_err().to_string();
        assert!(err.contains("audit.jsonl:2: not an audit record"), "{err}");
    }

    #[test]
    fn an_unwritable_log_is_an_error_not_a_panic() {
        let log = AuditLog::new("/proc/switchyard-cannot-write-here/audit.jsonl");
        let err = log
            .append(&record("a", Phase::Intent))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot write the audit log"), "{err}");
    }
}
