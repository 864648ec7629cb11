//! The journal's file: once, durable, bounded (README, "Incident timeline").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::model::{Event, EventKind, Severity};

fn t(secs: i64) -> Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

fn health(secs: i64, after: &str) -> Event {
    let mut e = Event::new(
        EventKind::HealthChanged,
        Severity::Critical,
        t(secs),
        format!("svc in us-east-1 is {after}"),
    );
    e.signal = Some("health/svc/us-east-1".into());
    e.after = Some(after.into());
    e
}

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "switchyard-journal-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn events_are_written_once_across_processes() {
    let dir = dir();
    let path = dir.join("events.jsonl");
    // Two processes watching the same deployment see the same change.
    let mut console = Journal::new(&path);
    let mut cron = Journal::new(&path);
    assert_eq!(console.append(&[health(0, "unhealthy")]).unwrap().len(), 1);
    assert_eq!(cron.append(&[health(5, "unhealthy")]).unwrap(), vec![]);
    let note = Event::note(
        t(6),
        Some("arn:aws:iam::1:user/ana".into()),
        None,
        "paging db".into(),
    );
    assert_eq!(
        cron.append(&[note.clone(), note.clone()]).unwrap().len(),
        2,
        "notes are never deduplicated"
    );
    assert_eq!(console.append(&[health(9, "healthy")]).unwrap().len(), 1);
    let read = console.read(t(0), t(100)).unwrap();
    assert_eq!(read.skipped, 0);
    let kinds: Vec<_> = read
        .events
        .iter()
        .map(|e| (e.kind, e.after.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventKind::HealthChanged, Some("unhealthy".into())),
            (EventKind::Note, None),
            (EventKind::Note, None),
            (EventKind::HealthChanged, Some("healthy".into())),
        ]
    );
    // A third process starts from what the journal holds.
    let last = Journal::new(&path).last_events().unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].after.as_deref(), Some("healthy"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_torn_last_line_is_skipped_and_the_next_append_is_whole() {
    let dir = dir();
    let path = dir.join("events.jsonl");
    Journal::new(&path)
        .append(&[health(0, "unhealthy")])
        .unwrap();
    // A crash in the middle of a write.
    let line = serde_json::to_string(&health(1, "healthy")).unwrap();
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(&line.as_bytes()[..line.len() / 2]).unwrap();
    drop(file);
    let mut journal = Journal::new(&path);
    let read = journal.read(t(0), t(100)).unwrap();
    assert_eq!((read.events.len(), read.skipped), (1, 1));
    assert_eq!(
        journal.last_events().unwrap()[0].after.as_deref(),
        Some("unhealthy")
    );
    journal.append(&[health(2, "healthy")]).unwrap();
    let read = journal.read(t(0), t(100)).unwrap();
    assert_eq!(
        (read.events.len(), read.skipped),
        (2, 1),
        "the torn line stays one bad line"
    );
    assert_eq!(read.events[1].after.as_deref(), Some("healthy"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_journal_is_bounded_on_disk() {
    let dir = dir();
    let path = dir.join("events.jsonl");
    let mut journal = Journal::new(&path).with_max_bytes(2_000);
    for i in 0..400 {
        let note = Event::note(t(i), None, None, format!("note {i} {}", "x".repeat(40)));
        journal.append(&[note]).unwrap();
    }
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    assert_eq!(files.len(), KEEP + 1, "{files:?}");
    let total: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(total <= (KEEP as u64 + 1) * 2_000 + 1_000, "{total} bytes");
    let read = journal.read(t(0), t(1_000)).unwrap();
    assert_eq!(read.skipped, 0);
    assert_eq!(
        read.events.last().unwrap().message,
        format!("note 399 {}", "x".repeat(40))
    );
    assert!(read.events.len() < 400, "the oldest were dropped");
    let observed: Vec<_> = read.events.iter().map(|e| e.observed).collect();
    assert!(
        observed.is_sorted(),
        "oldest first across the rotated files"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_rotation_by_another_process_is_followed() {
    let dir = dir();
    let path = dir.join("events.jsonl");
    let mut a = Journal::new(&path).with_max_bytes(600);
    let mut b = Journal::new(&path).with_max_bytes(600);
    a.append(&[health(0, "unhealthy")]).unwrap();
    for i in 0..5 {
        b.append(&[Event::note(t(i), None, None, "x".repeat(200))])
            .unwrap();
    }
    assert!(dir.join("events.1.jsonl").exists(), "b rotated the file");
    // a has not read since; the value it wrote is still known after the rotation.
    assert_eq!(a.append(&[health(9, "unhealthy")]).unwrap(), vec![]);
    assert_eq!(b.append(&[health(9, "unhealthy")]).unwrap(), vec![]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_fresh_start_keeps_the_previous_run_and_forgets_its_values() {
    let dir = dir();
    let path = dir.join("drill-events.jsonl");
    let mut first = Journal::new(&path);
    first.append(&[health(0, "unhealthy")]).unwrap();
    let mut second = Journal::new(&path);
    second.start_fresh().unwrap();
    assert!(
        dir.join("drill-events.1.jsonl").exists(),
        "the previous run is kept"
    );
    assert_eq!(
        second.last_events().unwrap(),
        vec![],
        "a new drill starts from nothing"
    );
    assert_eq!(second.append(&[health(0, "unhealthy")]).unwrap().len(), 1);
    // Starting fresh on an empty journal keeps nothing new.
    let mut third = Journal::new(dir.join("other.jsonl"));
    third.start_fresh().unwrap();
    assert!(!dir.join("other.1.jsonl").exists());
    std::fs::remove_dir_all(dir).unwrap();
}
mod replay;
mod timeline;

#[test]
fn a_fresh_start_after_an_empty_run_does_not_read_an_earlier_drill() {
    let dir = dir();
    let path = dir.join("drill-events.jsonl");
    Journal::new(&path)
        .append(&[health(0, "unhealthy")])
        .unwrap();
    Journal::new(&path).start_fresh().unwrap();
    // A run that recorded nothing, then another: still nothing of the first drill.
    Journal::new(&path).start_fresh().unwrap();
    let mut third = Journal::new(&path);
    third.start_fresh().unwrap();
    assert_eq!(third.last_events().unwrap(), vec![]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn what_another_process_wrote_before_it_rotated_is_read() {
    let dir = dir();
    let path = dir.join("events.jsonl");
    let mut a = Journal::new(&path).with_max_bytes(1_000);
    let mut b = Journal::new(&path).with_max_bytes(1_000);
    a.append(&[health(0, "unhealthy")]).unwrap();
    // b records the recovery, then enough notes to rotate: the recovery is now in `.1`.
    b.append(&[health(5, "healthy")]).unwrap();
    while !dir.join("events.1.jsonl").exists() {
        b.append(&[Event::note(t(6), None, None, "x".repeat(100))])
            .unwrap();
    }
    assert_eq!(
        a.append(&[health(9, "healthy")]).unwrap(),
        vec![],
        "b's recovery is read from the rotated file"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_last_values_come_from_every_rotated_file() {
    let dir = dir();
    let path = dir.join("events.jsonl");
    // A finding raised long ago: its event is in the oldest file kept.
    let mut old = health(0, "unhealthy");
    old.signal = Some("finding/svc/us-east-1/health_unhealthy/hc".into());
    let line = format!("{}\n", serde_json::to_string(&old).unwrap());
    std::fs::write(dir.join(format!("events.{KEEP}.jsonl")), line).unwrap();
    let last = Journal::new(&path).last_events().unwrap();
    assert_eq!(last.len(), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_lock_held_too_long_is_an_error_not_a_hang() {
    let dir = dir();
    let path = dir.join("events.jsonl");
    // Another process stopped while holding the lock.
    let held = File::create(dir.join("events.lock")).unwrap();
    held.lock().unwrap();
    let err = Journal::new(&path)
        .append(&[health(0, "unhealthy")])
        .unwrap_err();
    assert!(matches!(err, JournalError::Locked { .. }), "{err}");
    drop(held);
    assert_eq!(
        Journal::new(&path)
            .append(&[health(0, "unhealthy")])
            .unwrap()
            .len(),
        1
    );
    std::fs::remove_dir_all(dir).unwrap();
}
