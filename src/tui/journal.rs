//! The incident journal on the console's runtime: read once at start (before the pollers'
//! first results, so the tracker starts from what was last recorded), and appended on a thread
//! of its own (an append locks, reads what other processes wrote and fsyncs: never on the draw
//! path). Each append's outcome goes back to the state as `Msg::Recorded`.

use crate::journal::Journal;
use crate::model::{Event, Timestamp};
use crate::state::{JOURNAL_WINDOW_H, JournalRead, Msg};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the console waits at close for the appends still queued.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// The last event of every signal (to seed the tracker) and the last day's events (for the
/// Timeline view).
pub fn load(journal: &mut Journal, now: Timestamp) -> Result<JournalRead, String> {
    let last = journal.last_events().map_err(|e| e.to_string())?;
    let from = now - chrono::Duration::hours(JOURNAL_WINDOW_H);
    let contents = journal.read(from, now).map_err(|e| e.to_string())?;
    Ok(JournalRead {
        last,
        recent: contents.events,
        skipped: contents.skipped,
    })
}

/// The thread that appends to the journal, in the order the events were observed.
pub struct Writer {
    tx: Option<std_mpsc::Sender<Vec<Event>>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    pub fn start(mut journal: Journal, results: mpsc::Sender<Msg>) -> Writer {
        let (tx, rx) = std_mpsc::channel::<Vec<Event>>();
        let handle = std::thread::spawn(move || {
            for events in rx {
                let result = journal.append(&events).map(|written| {
                    tracing::debug!(
                        observed = events.len(),
                        written = written.len(),
                        "journal appended"
                    );
                });
                if let Err(e) = &result {
                    tracing::warn!(%e, events = events.len(), "journal append failed");
                }
                // A full queue drops the outcome; the next append tells it again.
                let _ = results.try_send(Msg::Recorded(result.map_err(|e| e.to_string())));
            }
        });
        Writer {
            tx: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn record(&self, events: Vec<Event>) {
        if let Some(tx) = &self.tx
            && tx.send(events).is_err()
        {
            tracing::warn!("the journal writer has stopped: events not recorded");
        }
    }

    /// Let the queued appends finish (at most [`CLOSE_WAIT`]), so that what the console saw
    /// last is on disk when it exits.
    pub async fn close(mut self) {
        drop(self.tx.take());
        let Some(handle) = self.handle.take() else {
            return;
        };
        // Polled rather than joined on a blocking task: the runtime waits for its blocking
        // tasks when it shuts down, which would make the limit no limit.
        let deadline = tokio::time::Instant::now() + CLOSE_WAIT;
        while !handle.is_finished() {
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!("the journal writer did not finish in time; leaving it to the exit");
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = handle.join();
    }
}
