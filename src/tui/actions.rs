//! Guarded actions on the console's runtime: each confirmed plan runs on a task of its own (so
//! the console keeps polling and drawing), and the tasks still running when the console closes
//! are waited for, so that their results and verification reach the audit log.

use crate::action::audit::AuditLog;
use crate::action::{Execution, Plan, Report, Verification};
use crate::model::Event;
use crate::source::{Backend, Clock};
use crate::state::{Command, Msg, State, update};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// How long an action waits to learn who acts (STS GetCallerIdentity) before going ahead with
/// no actor in its audit records.
pub const CALLER_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the screen is redrawn while the console waits for actions at close.
const REDRAW: Duration = Duration::from_secs(1);

/// Start a confirmed plan on its own task; the report comes back as `Msg::ActionDone`. The audit
/// log is opened there, at the moment of acting, from the same place `switchyard audit` reads
/// (the drill log, `switchyard audit --drill`, for the simulation).
pub fn spawn(
    tasks: &mut JoinSet<()>,
    backend: &Arc<Backend>,
    clock: &Clock,
    actor: Option<String>,
    plan: Plan,
    forced_reason: Option<String>,
    tx: mpsc::Sender<Msg>,
) {
    let backend = Arc::clone(backend);
    let clock = clock.clone();
    tasks.spawn(async move {
        let log = AuditLog::standard(backend.is_simulation());
        let task = Task {
            backend: &backend,
            log: &log,
            clock: &clock,
            verification: Verification::default(),
        };
        task.run(actor, &plan, forced_reason, &tx).await;
    });
}

/// What an action task runs with.
pub struct Task<'a> {
    pub backend: &'a Backend,
    pub log: &'a AuditLog,
    pub clock: &'a Clock,
    pub verification: Verification,
}

impl Task<'_> {
    /// Run the plan, send the report back and return it. Who acts is asked for first when the
    /// start could not tell (STS slow or failing then), and sent to the state too.
    pub async fn run(
        &self,
        actor: Option<String>,
        plan: &Plan,
        forced_reason: Option<String>,
        tx: &mpsc::Sender<Msg>,
    ) -> Report {
        let actor = match actor {
            Some(arn) => Some(arn),
            None => self.caller(tx).await,
        };
        let service = plan.service.clone();
        let progress_tx = tx.clone();
        let report = Execution {
            backend: self.backend,
            log: self.log,
            clock: self.clock,
            actor,
            verification: self.verification,
        }
        .run_with_progress(plan, forced_reason, &move |line: String| {
            // A full queue drops a progress line; the next one replaces it anyway.
            let _ = progress_tx.try_send(Msg::ActionProgress {
                service: service.clone(),
                line,
            });
        })
        .await;
        tracing::info!(?report, "action done");
        // The loop is gone only when the console is closing; the audit log has the outcome.
        let _ = tx.send(Msg::ActionDone(Box::new(report.clone()))).await;
        report
    }

    /// The caller's ARN, asked for now (at most `CALLER_TIMEOUT`), and sent to the state.
    async fn caller(&self, tx: &mpsc::Sender<Msg>) -> Option<String> {
        let asked = tokio::time::timeout(CALLER_TIMEOUT, self.backend.caller()).await;
        let who = match asked {
            Ok(Ok(arn)) => Ok(arn),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "STS did not answer in {} s",
                CALLER_TIMEOUT.as_secs()
            )),
        };
        if let Err(e) = &who {
            tracing::warn!(%e, "caller identity before an action: the audit records have no actor");
        }
        let _ = tx.send(Msg::Caller(who.clone())).await;
        who.ok()
    }
}

/// Once the console has closed: wait for the action tasks still running (at most `limit`),
/// applying what they send (their results) to the state and drawing after each and every second,
/// so that a quit or a signal does not drop the runtime between an action's intent and its
/// result; the events they give (the actions' own) go to `record`. Returns whether every task
/// ended; those left are aborted when `tasks` is dropped.
pub async fn wait_for(
    tasks: &mut JoinSet<()>,
    rx: &mut mpsc::Receiver<Msg>,
    state: &mut State,
    clock: &Clock,
    limit: Duration,
    mut draw: impl FnMut(&State),
    mut record: impl FnMut(Vec<Event>),
) -> bool {
    if tasks.is_empty() {
        return true;
    }
    tracing::info!(running = tasks.len(), "closing: waiting for actions");
    update(state, Msg::Closing { limit }, clock.now());
    let deadline = tokio::time::Instant::now() + limit;
    let ended = loop {
        draw(state);
        tokio::select! {
            joined = tasks.join_next() => {
                if joined.is_none() {
                    break true;
                }
            }
            Some(msg) = rx.recv() => {
                // The refresh a result asks for is moot now; its event is not.
                recorded(update(state, msg, clock.now()), &mut record);
            }
            _ = tokio::time::sleep_until(deadline) => break false,
            // Redraw now and then, so the clock and the ages show the console is not stuck.
            _ = tokio::time::sleep(REDRAW) => {}
        }
    };
    // What the last task sent just before it ended.
    while let Ok(msg) = rx.try_recv() {
        recorded(update(state, msg, clock.now()), &mut record);
    }
    draw(state);
    if !ended {
        tracing::warn!(
            running = tasks.len(),
            "closing: actions still running after {} s; the audit log will show them unfinished",
            limit.as_secs()
        );
    }
    ended
}

/// The events among `commands`, handed to `record`.
fn recorded(commands: Vec<Command>, record: &mut impl FnMut(Vec<Event>)) {
    for command in commands {
        if let Command::Record(events) = command {
            record(events);
        }
    }
}
