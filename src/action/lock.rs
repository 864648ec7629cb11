//! One action per service at a time, across every switchyard process on the machine: a lock
//! file per service next to the audit log, created exclusively and removed when the action ends.
//! A lock left by a process that no longer runs (killed mid-action) is taken over; that action's
//! unfinished intent is reported from the audit log.

use std::io::Write;
use std::path::{Path, PathBuf};

pub struct ServiceLock {
    path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LockError {
    /// Another action on the service is running.
    #[error("{0}")]
    Held(String),
    /// The lock file cannot be written (the state folder is unwritable).
    #[error("{0}")]
    Io(String),
}

impl ServiceLock {
    /// Take the lock of `service` in `dir`, or say who holds it.
    pub fn acquire(dir: &Path, service: &str, what: &str) -> Result<ServiceLock, LockError> {
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
        let path = dir.join(format!("{name}.lock"));
        std::fs::create_dir_all(dir).map_err(|e| {
            LockError::Io(format!(
                "{}: cannot create the lock folder: {e}",
                dir.display()
            ))
        })?;
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    let _ = writeln!(
                        file,
                        "{}\n{}\n{what}",
                        std::process::id(),
                        chrono::Utc::now().to_rfc3339()
                    );
                    return Ok(ServiceLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let held = std::fs::read_to_string(&path).unwrap_or_default();
                    let mut lines = held.lines();
                    let pid = lines.next().and_then(|p| p.trim().parse::<u32>().ok());
                    let since = lines.next().unwrap_or("?");
                    let action = lines.next().unwrap_or("an action");
                    if pid.is_some_and(alive) {
                        return Err(LockError::Held(format!(
                            "another action on {service} is in flight ({action}, process {}, \
                             since {since}); wait for it to finish",
                            pid.map_or("?".to_string(), |p| p.to_string())
                        )));
                    }
                    // Its process is gone: the lock is stale.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => {
                    return Err(LockError::Io(format!(
                        "{}: cannot take the lock: {e}",
                        path.display()
                    )));
                }
            }
        }
        Err(LockError::Io(format!(
            "{}: cannot take the lock",
            path.display()
        )))
    }
}

impl Drop for ServiceLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether a process runs (Linux: it has a /proc entry).
fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
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
        let Some(LockError::Held(err)) =
            ServiceLock::acquire(&d, "sample", "failback sample").err()
        else {
            panic!("the lock was given twice")
        };
        assert!(
            err.contains("another action on sample is in flight (failover sample -> us-west-2"),
            "{err}"
        );
        assert!(
            ServiceLock::acquire(&d, "billing", "failover").is_ok(),
            "other services are free"
        );
        drop(first);
        assert!(ServiceLock::acquire(&d, "sample", "failback sample").is_ok());
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_taken_over() {
        let d = dir("stale");
        std::fs::create_dir_all(&d).unwrap();
        // Above the kernel's pid_max: no such process.
        std::fs::write(
            d.join("sample.lock"),
            "4194305\n2026-11-27T14:00:00Z\nfailover",
        )
        .unwrap();
        assert!(ServiceLock::acquire(&d, "sample", "failback").is_ok());
    }
}
