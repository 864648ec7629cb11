//! One action per service at a time, across every switchyard process on the machine: an
//! advisory lock (flock) on a file per service next to the audit log. The operating system
//! releases it when the holder ends, however it ends, so there is no stale lock to clean up.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Held while an action runs; dropping it (or the process ending) releases the lock.
pub struct ServiceLock {
    _file: File,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LockError {
    /// Another action on the service is running.
    #[error("{0}")]
    Held(String),
    /// The lock file cannot be opened (the state folder is unwritable).
    #[error("{0}")]
    Io(String),
}

fn path(dir: &Path, service: &str) -> PathBuf {
    let name: String = service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{name}.lock"))
}

impl ServiceLock {
    /// Take the lock of `service` in `dir` for `what` (e.g. "failover sample -> us-west-2"), or
    /// say who holds it.
    pub fn acquire(dir: &Path, service: &str, what: &str) -> Result<ServiceLock, LockError> {
        let path = path(dir, service);
        let io = |e: std::io::Error| {
            LockError::Io(format!("{}: cannot take the lock: {e}", path.display()))
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {
                // Who holds it, for whoever finds it held. Best effort: the lock is what counts.
                let _ = file.set_len(0).and_then(|()| {
                    file.rewind()?;
                    writeln!(
                        file,
                        "process {} since {}: {what}",
                        std::process::id(),
                        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    )
                });
                Ok(ServiceLock { _file: file })
            }
            Err(TryLockError::WouldBlock) => Err(LockError::Held(format!(
                "another action on {service} is in flight ({}); wait for it to finish",
                who(&mut file)
            ))),
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }

    /// Who holds the lock of `service`, if anyone does (for telling a running action from one
    /// whose process died).
    pub fn holder(dir: &Path, service: &str) -> Option<String> {
        let mut file = File::open(path(dir, service)).ok()?;
        match file.try_lock_shared() {
            Err(TryLockError::WouldBlock) => Some(who(&mut file)),
            _ => None,
        }
    }
}

/// What the holder wrote into the lock file.
fn who(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    match text.trim() {
        "" => "starting".to_string(),
        holder => holder.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("switchyard-lock-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_second_action_on_a_service_is_refused_until_the_first_ends() {
        let d = dir("second");
        let first = ServiceLock::acquire(&d, "sample", "failover sample -> us-west-2").unwrap();
        let Some(LockError::Held(err)) = ServiceLock::acquire(&d, "sample", "failback").err()
        else {
            panic!("the lock was given twice")
        };
        assert!(
            err.contains("another action on sample is in flight (process ")
                && err.contains(": failover sample -> us-west-2)"),
            "{err}"
        );
        assert!(ServiceLock::holder(&d, "sample").is_some());
        assert!(
            ServiceLock::acquire(&d, "billing", "failover").is_ok(),
            "other services are free"
        );
        drop(first);
        assert_eq!(ServiceLock::holder(&d, "sample"), None);
        assert!(ServiceLock::acquire(&d, "sample", "failback sample").is_ok());
    }

    #[test]
    fn a_lock_file_left_behind_holds_nothing() {
        // What a killed process leaves: the file, but no lock (the kernel dropped it).
        let d = dir("left");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("sample.lock"), "process 4194305 since …: failover").unwrap();
        assert!(ServiceLock::acquire(&d, "sample", "failback").is_ok());
    }

    #[test]
    fn an_unwritable_folder_is_an_error_not_a_refusal() {
        let err = ServiceLock::acquire(Path::new("/proc/switchyard-no"), "sample", "x")
            .err()
            .unwrap();
        assert!(matches!(err, LockError::Io(_)), "{err:?}");
    }
}
