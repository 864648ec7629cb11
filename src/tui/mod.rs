//! The live console: terminal set-up and restore, and the event loop that feeds key presses and
//! fetched data through `update` and draws the state after each change.

pub mod actions;
pub mod journal;

use crate::action::audit::AuditLog;
use crate::action::outbox::send_left_over;
use crate::logging;
use crate::poll::Poller;
use crate::session::{Failure, Session, exit};
use crate::state::{CLOSE_WAIT, Command, Msg, State, update};
use crate::ui::{self, Theme, keymap};
use ratatui::crossterm::event::{self, Event};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// How long the console spends at start sending records an earlier process left for the team.
const OUTBOX_AT_START: Duration = Duration::from_secs(30);

/// Redraw at least this often so ages and the simulated clock move on screen.
const AGE_REDRAW: Duration = Duration::from_secs(1);

pub async fn run(session: Session) -> Result<u8, Failure> {
    install_panic_hook();
    let theme = Theme::from_env();
    let mut terminal = ratatui::try_init()
        .map_err(|e| Failure::runtime(format!("cannot set up the terminal: {e}")))?;
    let result = event_loop(&mut terminal, session, &theme).await;
    ratatui::restore();
    result
}

/// Debug builds only: `SWITCHYARD_TEST_PANIC` makes the console panic after its first frame, so
/// the pty test can check that a panic restores the terminal.
#[cfg(debug_assertions)]
#[allow(clippy::panic)]
fn force_panic() -> ! {
    panic!("SWITCHYARD_TEST_PANIC is set: a forced panic for the terminal-restore test")
}

/// On panic, anywhere (a poller task too): the terminal is restored before the crash report
/// (`logging::install_crash_hook`). ratatui::restore leaves the alternate screen and raw mode; the
/// cursor is shown here.
fn install_panic_hook() {
    logging::install_crash_hook(|| {
        ratatui::restore();
        let _ = ratatui::crossterm::execute!(std::io::stdout(), ratatui::crossterm::cursor::Show);
    });
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    session: Session,
    theme: &Theme,
) -> Result<u8, Failure> {
    let Session {
        backend,
        clock,
        schedule,
        fleet,
        title,
        caller,
        read_only,
    } = session;
    tracing::info!(%title, sources = schedule.len(), "console started");
    let mut state = State::new(title, fleet);
    state.caller = caller;
    state.read_only = read_only;
    // How this process's team leases begin (`HOST/PID/`), so its own lease is not shown as
    // someone else's.
    state.holder_prefix = Some(format!(
        "{}/{}/",
        crate::action::team::host(),
        std::process::id()
    ));
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    // Actions that never recorded a result (the process died mid-action) are shown at start.
    // A demo reads (and its actions write) the drill log, never the real one.
    let audit = AuditLog::standard(backend.is_simulation());
    let read = audit.read().map_err(|e| e.to_string());
    update(&mut state, Msg::AuditLog(read), clock.now());
    // The incident journal (a demo's own, `drill-events.jsonl`): read before the pollers start,
    // so the first fetches are compared with what was last recorded.
    let mut events = crate::journal::Journal::standard(backend.is_simulation());
    // Each run on the simulation is a drill of its own (its clock starts at the scenario's
    // start again): a fresh drill journal, the previous run's kept as `drill-events.1.jsonl`.
    // It starts with nothing: the earlier drills (same simulated times) are not this one.
    let loaded = if backend.is_simulation() {
        events
            .start_fresh()
            .map(|()| crate::state::JournalRead::default())
            .map_err(|e| e.to_string())
    } else {
        journal::load(&mut events, clock.now())
    };
    if let Err(e) = &loaded {
        tracing::warn!(%e, "incident journal not read at start");
    }
    update(&mut state, Msg::Journal(loaded), clock.now());
    let writer = journal::Writer::start(events, tx.clone());
    // Records an earlier process could not send to the team's bucket, sent in the background.
    {
        let (backend, clock) = (Arc::clone(&backend), clock.clone());
        tokio::spawn(async move {
            let log = AuditLog::standard(backend.is_simulation());
            send_left_over(&backend, &log, clock.now(), OUTBOX_AT_START).await;
        });
    }
    let poller = Poller::start(Arc::clone(&backend), schedule, clock.clone(), tx.clone());
    let (key_tx, mut keys) = mpsc::channel(64);
    let stop = Arc::new(AtomicBool::new(false));
    let reader = spawn_key_reader(key_tx, Arc::clone(&stop));
    let mut terminated = Termination::new()?;
    // The action tasks, waited for when the console closes.
    let mut tasks = JoinSet::new();
    let mut redraw = tokio::time::interval(AGE_REDRAW);
    redraw.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    #[cfg(debug_assertions)]
    let forced_panic = std::env::var_os("SWITCHYARD_TEST_PANIC").is_some();
    // When the last key press arrived, until the frame that shows it is drawn.
    let mut key_at: Option<std::time::Instant> = None;
    let mut slowest_key = Duration::ZERO;

    let outcome = loop {
        let now = clock.now();
        if let Err(e) = terminal.draw(|frame| ui::render(frame, &state, theme, now)) {
            break Err(Failure::runtime(format!(
                "cannot draw to the terminal: {e}"
            )));
        }
        if let Some(at) = key_at.take() {
            let latency = at.elapsed();
            slowest_key = slowest_key.max(latency);
            tracing::debug!(
                key_to_frame_us = latency.as_micros() as u64,
                "frame after key"
            );
        }
        #[cfg(debug_assertions)]
        if forced_panic {
            force_panic();
        }
        let msg = tokio::select! {
            Some(msg) = rx.recv() => Some(msg),
            Some((read_at, event)) = keys.recv() => match event {
                Event::Key(key) => {
                    key_at = Some(read_at);
                    keymap::msg_for(&state, key)
                }
                // A resize (or anything else) only needs the redraw at the top of the loop.
                _ => None,
            },
            _ = redraw.tick() => None,
            // `kill`, a closed terminal: leave like `q`, so the terminal is restored.
            _ = terminated.recv() => {
                state.quit = true;
                None
            }
        };
        if state.quit {
            break Ok(exit::OK);
        }
        while tasks.try_join_next().is_some() {}
        let Some(msg) = msg else { continue };
        let mut commands = update(&mut state, msg, clock.now());
        // Take whatever else is already waiting before drawing again.
        while let Ok(more) = rx.try_recv() {
            commands.extend(update(&mut state, more, clock.now()));
        }
        if commands.contains(&Command::RefreshAll) {
            poller.refresh_all();
            // Each set's caller again (a session renewed with `aws sso login` shows here).
            let (backend, tx) = (Arc::clone(&backend), tx.clone());
            tokio::spawn(async move {
                let callers = backend.callers().await;
                if !callers.is_empty() {
                    let _ = tx.send(Msg::Callers(callers)).await;
                }
            });
        }
        for command in commands {
            match command {
                Command::Execute {
                    plan,
                    forced_reason,
                } => {
                    let actor = state.caller.clone();
                    actions::spawn(
                        &mut tasks,
                        &backend,
                        &clock,
                        actor,
                        *plan,
                        forced_reason,
                        tx.clone(),
                    );
                }
                // A read for the detail view: not an action, so closing does not wait for it.
                Command::ReadFailureReasons { health_check_id } => {
                    let (backend, clock, tx) = (Arc::clone(&backend), clock.clone(), tx.clone());
                    tokio::spawn(async move {
                        let result = backend
                            .last_failure_reasons(&health_check_id, clock.now())
                            .await
                            .map_err(|e| e.message);
                        let _ = tx
                            .send(Msg::FailureReasons {
                                health_check_id,
                                result,
                            })
                            .await;
                    });
                }
                Command::Record(events) => writer.record(events),
                Command::RefreshAll | Command::Quit => {}
            }
        }
        if state.quit {
            break Ok(exit::OK);
        }
    };
    tracing::info!(
        slowest_key_to_frame_ms = slowest_key.as_secs_f64() * 1000.0,
        "console closed"
    );
    stop.store(true, Ordering::Relaxed);
    drop(poller);
    // However the loop ended, an action still running gets to write its result and verification
    // (the terminal may be gone after SIGHUP: drawing is only a courtesy).
    let draw = |state: &State| {
        let _ = terminal.draw(|frame| ui::render(frame, state, theme, clock.now()));
    };
    let record = |events| writer.record(events);
    actions::wait_for(
        &mut tasks, &mut rx, &mut state, &clock, CLOSE_WAIT, draw, record,
    )
    .await;
    writer.close().await;
    join_key_reader(reader).await;
    outcome
}

/// The key reader sees `stop` within its 100 ms poll, except on a hung-up terminal (SIGHUP),
/// where crossterm's poll can spin without returning: wait a second for it, not for ever (it
/// ends with the process).
async fn join_key_reader(reader: std::thread::JoinHandle<()>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    while !reader.is_finished() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if reader.is_finished() {
        let _ = reader.join();
    } else {
        tracing::warn!("the key reader did not stop (terminal gone?); leaving it to the exit");
    }
}

/// Terminal input is blocking; read it on its own thread and forward key presses and resizes,
/// with when they were read (so the key-to-frame latency includes any wait in the channel).
fn spawn_key_reader(
    tx: mpsc::Sender<(std::time::Instant, Event)>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match event::poll(Duration::from_millis(100)) {
                Ok(true) => match event::read() {
                    Ok(event @ (Event::Key(_) | Event::Resize(..))) => {
                        if tx
                            .blocking_send((std::time::Instant::now(), event))
                            .is_err()
                        {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return,
                },
                Ok(false) => {}
                Err(_) => return,
            }
        }
    })
}

/// SIGTERM and SIGHUP, as one stream.
struct Termination {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Termination {
    fn new() -> Result<Self, Failure> {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind| {
            signal(kind).map_err(|e| Failure::runtime(format!("cannot listen for signals: {e}")))
        };
        Ok(Termination {
            term: listen(SignalKind::terminate())?,
            hup: listen(SignalKind::hangup())?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
        }
    }
}

#[cfg(test)]
mod tests;
