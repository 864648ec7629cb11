//! The incident journal at the console's start and on its writer thread: what an earlier
//! process recorded is read back (the tracker's seed and the last day), and the events the
//! state hands out are on disk once the writer has closed, with each append's outcome sent back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::journal::Journal;
use crate::model::{Event, EventKind, Severity};
use crate::state::Msg;
use crate::tui::journal::{Writer, load};
use tokio::sync::mpsc;

fn temp_journal(name: &str) -> Journal {
    let dir = std::env::temp_dir().join(format!("switchyard-tui-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Journal::new(dir.join("events.jsonl"))
}

fn health(at: i64, after: &str) -> Event {
    let mut e = Event::new(
        EventKind::HealthChanged,
        Severity::Critical,
        crate::fleet::testing::t(at),
        format!("us-east-1 is {after}"),
    );
    e.signal = Some("health/sample/us-east-1".into());
    e.service = Some("sample".into());
    e.region = Some("us-east-1".into());
    e.after = Some(after.into());
    e
}

#[tokio::test]
async fn the_start_reads_the_last_values_and_the_last_day() {
    let mut journal = temp_journal("load");
    let day = 24 * 3600;
    let old = health(0, "unhealthy");
    let recent = health(day + 60, "healthy");
    journal.append(&[old.clone(), recent.clone()]).unwrap();
    let mut reopened = Journal::new(journal.path());
    let read = load(&mut reopened, crate::fleet::testing::t(day + 120)).unwrap();
    // The signal's last value seeds the tracker; only the last 24 h fill the view.
    assert_eq!(read.last, vec![recent.clone()]);
    assert_eq!(read.recent, vec![recent]);
    assert_eq!(read.skipped, 0);
}

#[tokio::test]
async fn the_writer_appends_in_order_and_says_how_it_went() {
    let journal = temp_journal("writer");
    let path = journal.path().to_path_buf();
    let (tx, mut rx) = mpsc::channel(8);
    let writer = Writer::start(journal, tx);
    let note = Event::note(crate::fleet::testing::t(5), None, None, "paged".into());
    writer.record(vec![health(0, "unhealthy")]);
    writer.record(vec![note.clone()]);
    writer.close().await;
    let read = Journal::new(&path)
        .read(crate::fleet::testing::t(0), crate::fleet::testing::t(10))
        .unwrap();
    assert_eq!(read.events, vec![health(0, "unhealthy"), note]);
    let mut outcomes = Vec::new();
    while let Ok(msg) = rx.try_recv() {
        outcomes.push(msg);
    }
    assert_eq!(outcomes, vec![Msg::Recorded(Ok(())), Msg::Recorded(Ok(()))]);
}

#[tokio::test]
async fn a_failing_append_is_sent_back() {
    // A journal whose folder is a file cannot be written.
    let dir = std::env::temp_dir().join(format!("switchyard-tui-{}-blocked", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&dir);
    std::fs::write(&dir, "not a folder").unwrap();
    let (tx, mut rx) = mpsc::channel(8);
    let writer = Writer::start(Journal::new(dir.join("events.jsonl")), tx);
    writer.record(vec![health(0, "unhealthy")]);
    writer.close().await;
    match rx.try_recv() {
        Ok(Msg::Recorded(Err(e))) => assert!(e.contains("incident journal"), "{e}"),
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_file(&dir);
}
