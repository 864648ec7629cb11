//! The incident journal (README, "Incident timeline"): `events.jsonl` next to the audit log
//! (`drill-events.jsonl` for the simulation), one `switchyard.event/1` line per event.
//!
//! - **Once.** Several switchyard processes may watch at once (a console, a `snapshot` from
//!   cron). Appends take an OS lock on `events.lock`, read what others wrote since, and leave
//!   out an event whose signal already has that value in the journal.
//! - **Durable.** Every append is one write followed by fsync (and the folder's fsync when the
//!   file is new or rotated): an event is on disk before the append returns. A crash can leave
//!   at most a torn last line; reading skips it, and the next append starts a new line.
//! - **Bounded.** Past [`MAX_BYTES`] the file is rotated to `events.1.jsonl` (and `.1` to `.2`,
//!   up to [`KEEP`] old files; the oldest is dropped): at most `(KEEP + 1) × MAX_BYTES` on disk.

pub mod replay;
pub mod timeline;

use crate::action::Report;
use crate::action::Status;
use crate::assess::events::{Tracker, observe};
use crate::fleet::Fleet;
use crate::model::{AuditRecord, Event, EventKind, Phase, Severity, Timestamp};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The size past which the journal is rotated.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;
/// Rotated files kept.
pub const KEEP: usize = 4;
/// How long an append waits for another process's lock before giving up (the events stay on
/// screen; the failure is reported).
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot write the incident journal {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the incident journal is locked by another switchyard process ({path}) for longer than \
         2 s; is one stopped (Ctrl-Z)?"
    )]
    Locked { path: PathBuf },
    #[error("cannot read the incident journal {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The journal's file, and the last event of each signal in it (read incrementally).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    max_bytes: u64,
    /// How far the current file has been read, and its identity then (a rotation by another
    /// process starts a new file).
    offset: u64,
    identity: Option<(u64, u64)>,
    /// Whether the rotated file was read for the last values (once, at the first read).
    primed: bool,
    last: BTreeMap<String, Event>,
}

/// Events read from the journal's files, with the lines that could not be read (a torn last
/// line after a crash).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contents {
    pub events: Vec<Event>,
    pub skipped: usize,
}

impl Journal {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Journal {
            path: path.into(),
            max_bytes: MAX_BYTES,
            offset: 0,
            identity: None,
            primed: false,
            last: BTreeMap::new(),
        }
    }

    /// The journal at its default place: `events.jsonl` in the state folder, or
    /// `drill-events.jsonl` for the simulation (a drill never mixes into the real record).
    pub fn standard(drill: bool) -> Self {
        let name = if drill {
            "drill-events.jsonl"
        } else {
            "events.jsonl"
        };
        Journal::new(crate::paths::state_dir().join(name))
    }

    /// Rotate past `bytes` instead of [`MAX_BYTES`] (tests).
    pub fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `n`th rotated file (`events.1.jsonl`, …).
    fn rotated(&self, n: usize) -> PathBuf {
        let stem = self
            .path
            .file_stem()
            .map_or_else(|| "events".into(), |s| s.to_string_lossy().into_owned());
        self.path.with_file_name(format!("{stem}.{n}.jsonl"))
    }

    fn lock_path(&self) -> PathBuf {
        self.path.with_extension("lock")
    }

    /// The last event of every signal, for `assess::events::Tracker::seeded`.
    pub fn last_events(&mut self) -> Result<Vec<Event>, JournalError> {
        self.catch_up()?;
        Ok(self.last.values().cloned().collect())
    }

    /// Append `events` (in order), leaving out those whose signal already has their value in
    /// the journal; returns what was written. Locked against other processes, fsynced.
    pub fn append(&mut self, events: &[Event]) -> Result<Vec<Event>, JournalError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let fail = |path: &Path| {
            let path = path.to_path_buf();
            move |source| JournalError::Write { path, source }
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(fail(dir))?;
        }
        let lock = self.lock()?;
        let torn = self.catch_up()?;
        let mut written = Vec::new();
        let mut bytes = Vec::new();
        if torn {
            // A crash left half a line: end it, so the next one is whole.
            bytes.push(b'\n');
        }
        for event in events {
            let repeated = event.signal.as_ref().is_some_and(|signal| {
                self.last
                    .get(signal)
                    .is_some_and(|last| last.after == event.after)
            });
            if repeated {
                continue;
            }
            let line = serde_json::to_vec(event).map_err(|e| JournalError::Write {
                path: self.path.clone(),
                source: std::io::Error::other(e),
            })?;
            bytes.extend_from_slice(&line);
            bytes.push(b'\n');
            written.push(event.clone());
        }
        if written.is_empty() {
            return Ok(written);
        }
        let created = !self.path.exists();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(fail(&self.path))?;
        file.write_all(&bytes).map_err(fail(&self.path))?;
        file.sync_data().map_err(fail(&self.path))?;
        if created {
            self.sync_dir()?;
        }
        let meta = file.metadata().map_err(fail(&self.path))?;
        self.offset = meta.len();
        self.identity = identity(&meta);
        for event in &written {
            if let Some(signal) = &event.signal {
                self.last.insert(signal.clone(), event.clone());
            }
        }
        if meta.len() > self.max_bytes {
            self.rotate()?;
        }
        drop(lock);
        Ok(written)
    }

    /// The journal's lock (`events.lock`), waited for at most [`LOCK_WAIT`]: a process stopped
    /// while holding it (Ctrl-Z) must not stop every other one.
    fn lock(&self) -> Result<File, JournalError> {
        let path = self.lock_path();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| JournalError::Write {
                path: path.clone(),
                source,
            })?;
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(JournalError::Locked { path });
                }
                Err(std::fs::TryLockError::Error(source)) => {
                    return Err(JournalError::Write { path, source });
                }
            }
        }
    }

    /// Start a new file, keeping the current one as the newest rotated file: each console run
    /// on the simulation is a drill of its own, whose clock starts again at the scenario's
    /// start, so it must not compare itself with the previous run's last values.
    pub fn start_fresh(&mut self) -> Result<(), JournalError> {
        let fail = |path: &Path| {
            let path = path.to_path_buf();
            move |source| JournalError::Write { path, source }
        };
        let empty = match std::fs::metadata(&self.path) {
            Ok(meta) => meta.len() == 0,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return Err(fail(&self.path)(e)),
        };
        if empty {
            // Nothing of this run yet: the rotated files are earlier drills, not read for values.
            self.primed = true;
            self.last.clear();
            self.offset = 0;
            self.identity = None;
            return Ok(());
        }
        let lock = self.lock()?;
        self.rotate()?;
        drop(lock);
        self.last.clear();
        self.primed = true;
        Ok(())
    }

    /// `events.jsonl` becomes `events.1.jsonl`, and so on; the oldest beyond [`KEEP`] goes.
    fn rotate(&mut self) -> Result<(), JournalError> {
        let fail = |path: PathBuf| move |source| JournalError::Write { path, source };
        let oldest = self.rotated(KEEP);
        match std::fs::remove_file(&oldest) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(fail(oldest)(e)),
        }
        for n in (1..KEEP).rev() {
            let from = self.rotated(n);
            if from.exists() {
                std::fs::rename(&from, self.rotated(n + 1)).map_err(fail(from))?;
            }
        }
        std::fs::rename(&self.path, self.rotated(1)).map_err(fail(self.path.clone()))?;
        self.sync_dir()?;
        self.offset = 0;
        self.identity = None;
        Ok(())
    }

    fn sync_dir(&self) -> Result<(), JournalError> {
        if let Some(dir) = self.path.parent() {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|source| JournalError::Write {
                    path: dir.to_path_buf(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Read what was appended since the last read (from the start when the file was rotated
    /// meanwhile) into the last events per signal; at the first read the newest rotated file
    /// too. Returns whether the file ends in a torn line.
    fn catch_up(&mut self) -> Result<bool, JournalError> {
        if !self.primed {
            // At the first read, every rotated file, oldest first: a signal's last value may be
            // old (a finding open for days).
            self.primed = true;
            for n in (1..=KEEP).rev() {
                for event in read_file(&self.rotated(n))?.events {
                    self.remember(event);
                }
            }
        } else if self.identity.is_some() {
            let now = std::fs::metadata(&self.path)
                .ok()
                .and_then(|m| identity(&m));
            if now != self.identity {
                // Another process rotated the file since the last read: what it (and others)
                // appended after that read is at the end of the old file, now `.1`.
                let old = self.rotated(1);
                if std::fs::metadata(&old).ok().and_then(|m| identity(&m)) == self.identity {
                    let text = read_from(&old, self.offset)?;
                    let whole = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                    for event in parse(&text[..whole]).events {
                        self.remember(event);
                    }
                }
                self.offset = 0;
                self.identity = None;
            }
        }
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.offset = 0;
                self.identity = None;
                return Ok(false);
            }
            Err(source) => {
                return Err(JournalError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let fail = |source| JournalError::Read {
            path: self.path.clone(),
            source,
        };
        let meta = file.metadata().map_err(fail)?;
        if identity(&meta) != self.identity || meta.len() < self.offset {
            self.offset = 0;
        }
        file.seek(SeekFrom::Start(self.offset)).map_err(fail)?;
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(fail)?;
        // Only whole lines count; a torn end is read again next time (or ended by an append).
        let whole = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let torn = whole < text.len();
        for event in parse(&text[..whole]).events {
            self.remember(event);
        }
        self.offset += whole as u64;
        self.identity = identity(&meta);
        Ok(torn)
    }

    fn remember(&mut self, event: Event) {
        if let Some(signal) = &event.signal {
            self.last.insert(signal.clone(), event);
        }
    }

    /// Every event in the journal's files observed or dated within `[from, to]`, oldest
    /// first, and how many lines could not be read.
    pub fn read(&self, from: Timestamp, to: Timestamp) -> Result<Contents, JournalError> {
        let mut all = Contents::default();
        for path in (1..=KEEP)
            .rev()
            .map(|n| self.rotated(n))
            .chain([self.path.clone()])
        {
            let read = read_file(&path)?;
            all.skipped += read.skipped;
            all.events.extend(
                read.events
                    .into_iter()
                    .filter(|e| e.observed >= from && e.observed <= to),
            );
        }
        all.events.sort_by_key(|e| e.observed);
        Ok(all)
    }
}

/// The event of an action that ended (the console's and the commands' own actions), linked to
/// its audit record by `audit_id`. An action refused before its intent has no audit id.
pub fn action_event(report: &Report, actor: Option<&str>, now: Timestamp) -> Event {
    let (severity, outcome) = match report.status {
        Status::Verified => (Severity::Warning, "verified"),
        Status::Unverified => (Severity::Warning, "unverified"),
        Status::Failed => (Severity::Warning, "failed"),
        Status::Refused => (Severity::Info, "refused"),
    };
    let mut event = Event::new(
        EventKind::Action,
        severity,
        now,
        format!(
            "{} {} → {}: {outcome}: {}",
            report.action, report.service, report.target, report.message
        ),
    );
    event.service = Some(report.service.clone());
    event.subject = Some(report.action.to_string());
    event.after = Some(outcome.to_string());
    event.audit_id = report.id.clone();
    event.actor = actor.map(str::to_string);
    event
}

/// The event of an audit record (the local log's, or a teammate's from the team's trail), for
/// the actions a timeline shows that the journal did not record: the last phase of each action
/// gives its outcome.
pub fn record_event(record: &AuditRecord) -> Event {
    let outcome = match record.phase {
        Phase::Intent => "started",
        Phase::Result => record.outcome.as_deref().unwrap_or("done"),
        Phase::Verified => "verified",
        Phase::Unverified => "unverified",
        Phase::Acknowledged => "acknowledged",
        Phase::Refused => "refused",
    };
    let severity = if record.phase == Phase::Acknowledged {
        Severity::Info
    } else {
        Severity::Warning
    };
    let by = crate::model::short_actor(record.actor.as_deref());
    let mut event = Event::new(
        EventKind::Action,
        severity,
        record.ts,
        format!(
            "{} {} → {}: {outcome} (by {by}{})",
            record.action,
            record.service,
            record.target,
            record
                .error
                .as_deref()
                .map(|e| format!("; {e}"))
                .unwrap_or_default()
        ),
    );
    event.service = Some(record.service.clone());
    event.subject = Some(record.action.clone());
    event.after = Some(outcome.to_string());
    event.audit_id = Some(record.id.clone());
    event.actor = record.actor.clone();
    event
}

/// What a headless command saw, recorded once: a tracker seeded from the journal observes the
/// fleet at `now`, and what changed is appended. Returns the events written.
pub fn record_observation(
    journal: &mut Journal,
    fleet: &Fleet,
    now: Timestamp,
) -> Result<Vec<Event>, JournalError> {
    let mut tracker = Tracker::seeded(&journal.last_events()?);
    let events = tracker.observe(&observe(fleet, now), now);
    journal.append(&events)
}

fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// A file's bytes from `offset` on.
fn read_from(path: &Path, offset: u64) -> Result<Vec<u8>, JournalError> {
    let fail = |source| JournalError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(fail)?;
    file.seek(SeekFrom::Start(offset)).map_err(fail)?;
    let mut text = Vec::new();
    file.read_to_end(&mut text).map_err(fail)?;
    Ok(text)
}

fn read_file(path: &Path) -> Result<Contents, JournalError> {
    match std::fs::read(path) {
        Ok(text) => Ok(parse(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Contents::default()),
        Err(source) => Err(JournalError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The events of JSON Lines text; a line that is not one (torn by a crash) is counted.
fn parse(text: &[u8]) -> Contents {
    let mut read = Contents::default();
    for line in text.split(|b| *b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Event>(line) {
            Ok(event) => read.events.push(event),
            Err(_) => read.skipped += 1,
        }
    }
    read
}

#[cfg(test)]
mod tests;
