//! Running a confirmed plan: refuse if read-only or if preflight failed without a reason, write
//! and fsync the `intent`, make the calls through the backend, write the `result`, then re-read
//! until the change is visible and write `verified` or `unverified`.

use super::audit::{AuditLog, AuditRecord, Phase, SimMoment, outcome};
use super::outbox::Outbox;
use super::plan::Plan;
use super::verify::verify;
use crate::model::Timestamp;
use crate::source::{Backend, CallErrorKind, Clock};
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not attempted: read-only, preflight failed without a reason, the caller is not in the
    /// pinned account, or another action on the service is in flight. Nothing was sent.
    Refused,
    /// The call failed (or the intent could not be logged); see the message.
    Failed,
    /// The call succeeded but the change could not be seen in time.
    Unverified,
    Verified,
}

/// How an action ended, for the console, the CLI and `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The audit id (none when refused before the intent).
    pub id: Option<String>,
    pub action: &'static str,
    pub service: String,
    pub target: String,
    pub status: Status,
    pub message: String,
    /// What each call answered.
    pub answers: Vec<String>,
    pub forced_reason: Option<String>,
    /// The audit log could not record a later phase (the action itself went ahead).
    pub audit_error: Option<String>,
    /// With `[team]`: how the team lease stood ("held: …", "taken over: …", "not held: …", or
    /// why it was lost while the action ran). Absent without a team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_lock: Option<String>,
    /// Records not yet in the team's bucket (sent at the next start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_error: Option<String>,
}

/// How long an action waits for its intent to reach the team's bucket before its first call.
const INTENT_LIMIT: Duration = Duration::from_secs(2);

/// How long an action waits at its end for its records to reach the team's bucket.
const OUTBOX_LIMIT: Duration = Duration::from_secs(5);

/// Makes audit ids unique within a process.
static SEQUENCE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// How long verification keeps re-reading.
#[derive(Debug, Clone, Copy)]
pub struct Verification {
    pub attempts: u32,
    pub interval: Duration,
}

impl Default for Verification {
    fn default() -> Self {
        Verification {
            attempts: 15,
            interval: Duration::from_secs(2),
        }
    }
}

impl Verification {
    /// Re-reading a world whose clock stands still shows nothing new: look once.
    pub fn for_clock(clock: &Clock) -> Self {
        match clock {
            Clock::Fixed(_) => Verification {
                attempts: 1,
                interval: Duration::ZERO,
            },
            _ => Verification::default(),
        }
    }
}

pub struct Execution<'a> {
    pub backend: &'a Backend,
    pub log: &'a AuditLog,
    pub clock: &'a Clock,
    pub actor: Option<String>,
    pub verification: Verification,
}

impl Execution<'_> {
    pub async fn run(&self, plan: &Plan, forced_reason: Option<String>) -> Report {
        self.run_with_progress(plan, forced_reason, &|_| {}).await
    }

    /// `run`, telling each step of a long verification (waiting for DNS) to `progress`.
    pub async fn run_with_progress(
        &self,
        plan: &Plan,
        forced_reason: Option<String>,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Report {
        let called_at = self.clock.now();
        let forced_reason = forced_reason.filter(|r| !r.trim().is_empty());
        let mut report = Report {
            id: None,
            action: plan.action.name(),
            service: plan.service.clone(),
            target: plan.target.clone(),
            status: Status::Refused,
            message: String::new(),
            answers: Vec::new(),
            forced_reason: forced_reason.clone(),
            audit_error: None,
            team_lock: None,
            team_error: None,
        };
        if self.backend.read_only() {
            report.message = "read-only mode: refused, nothing was sent".into();
            return report;
        }
        if plan.overrides_safety_rules() && forced_reason.is_none() {
            report.message = "the plan overrides ARC safety rules (SafetyRulesToOverride): that \
                              needs --force --reason TEXT; nothing was sent"
                .into();
            return report;
        }
        if !plan.preflight.passed() && forced_reason.is_none() {
            let failed: Vec<String> = plan
                .preflight
                .checks
                .iter()
                .filter(|c| c.status.blocks())
                .map(|c| format!("{}: {}", c.name, c.detail))
                .collect();
            report.message = format!(
                "preflight failed ({}); give a reason to override",
                failed.join("; ")
            );
            return report;
        }
        // The wrong-account mistake: a caller outside the pinned account never reaches the
        // intent (README, "Several accounts").
        if let Some(why) = self
            .backend
            .account_refusal(&plan.service, &plan.calls)
            .await
        {
            // The audit log says why, in a record of its own (no intent: nothing started).
            let id = new_id();
            let record = AuditRecord {
                ts: chrono::Utc::now(),
                id: id.clone(),
                phase: Phase::Refused,
                action: plan.action.name().to_string(),
                service: plan.service.clone(),
                target: plan.target.clone(),
                request: plan.request(),
                actor: self.actor.clone(),
                outcome: Some("refused".into()),
                error: Some(why.clone()),
                forced_reason: forced_reason.clone(),
                drill: self.log.is_drill(),
                team_lock: None,
            };
            match self.log.append(&record) {
                Ok(()) => report.id = Some(id),
                Err(e) => report.audit_error = Some(e.to_string()),
            }
            report.message = why;
            return report;
        }
        let lock_dir = self.log.lock_dir();
        let what = format!("{} {} -> {}", plan.action.name(), plan.service, plan.target);
        let _lock = match super::lock::ServiceLock::acquire(&lock_dir, &plan.service, &what) {
            Ok(lock) => lock,
            Err(super::lock::LockError::Held(why)) => {
                report.message = why;
                return report;
            }
            Err(super::lock::LockError::Io(why)) => {
                report.status = Status::Failed;
                report.message = format!("{why}; the action was not started");
                return report;
            }
        };
        let id = new_id();
        super::team::mark_own(&id);
        // The team lease, before the intent: one action per service across every operator.
        let (holding, team_lock) = match self.backend.team() {
            None => (None, None),
            Some(store) => {
                let actor = self.actor.as_deref();
                let reason = forced_reason.as_deref();
                match super::team::take(store, plan, &id, actor, self.clock, reason, progress).await
                {
                    Ok((holding, line)) => (holding, Some(line)),
                    Err(refusal) => {
                        report.message = refusal;
                        return report;
                    }
                }
            }
        };
        report.team_lock.clone_from(&team_lock);
        let work = self.act(
            plan,
            &id,
            team_lock,
            forced_reason,
            called_at,
            progress,
            report,
        );
        let mut report = match &holding {
            None => work.await,
            Some(holding) => {
                tokio::pin!(work);
                tokio::select! {
                    report = &mut work => report,
                    lost = holding.keep(self.clock) => {
                        progress(lost.clone());
                        let mut report = work.await;
                        // What it saw is no longer known to stand: someone else may have acted
                        // on the service since (exit 3, not 0).
                        if report.status == Status::Verified {
                            report.status = Status::Unverified;
                            report.message = format!(
                                "{}; but {lost}: another operator may have acted on {} since, \
                                 so look again before anything else",
                                report.message, plan.service
                            );
                        }
                        report.team_lock = Some(lost);
                        report
                    }
                }
            }
        };
        // The team's copy of the records (what is not sent now is sent at the next start), then
        // the lease: whoever sees it gone finds the records there.
        if let Some(store) = self.backend.team() {
            let sent = Outbox::new(self.log.outbox_dir())
                .send(store, self.clock.now(), OUTBOX_LIMIT)
                .await;
            if let Some(e) = sent.error {
                tracing::warn!(%e, left = sent.left, "team audit trail");
                report.team_error = Some(format!(
                    "{} record(s) not yet in the team's bucket ({e}); sent at the next start",
                    sent.left
                ));
            }
        }
        if let Some(holding) = holding {
            holding.release(self.clock.now()).await;
        }
        report
    }

    /// From the intent on: the calls, the result, verification.
    #[allow(clippy::too_many_arguments)]
    async fn act(
        &self,
        plan: &Plan,
        id: &str,
        team_lock: Option<String>,
        forced_reason: Option<String>,
        called_at: Timestamp,
        progress: &(dyn Fn(String) + Send + Sync),
        mut report: Report,
    ) -> Report {
        let now = chrono::Utc::now();
        report.id = Some(id.to_string());
        let outbox = self
            .backend
            .team()
            .map(|_| Outbox::new(self.log.outbox_dir()));
        // A drill's records say where in the simulation they were made (the replay of
        // `switchyard timeline --sim` places the drill there).
        let sim_moment = || match self.backend {
            Backend::Sim(sim) if self.log.is_drill() => Some(SimMoment {
                scenario: sim.scenario_name().to_string(),
                at: self.clock.now(),
            }),
            _ => None,
        };
        let append = |record: &AuditRecord| {
            self.log.append_at(record, sim_moment().as_ref())?;
            if let Some(outbox) = &outbox
                && let Err(e) = outbox.put(record)
            {
                tracing::warn!(%e, "team outbox: the record stays in the local log only");
            }
            Ok::<(), super::audit::AuditError>(())
        };
        let record =
            |phase, outcome: Option<String>, error: Option<String>, at: Timestamp| AuditRecord {
                ts: at,
                id: id.to_string(),
                phase,
                action: plan.action.name().to_string(),
                service: plan.service.clone(),
                target: plan.target.clone(),
                request: plan.request(),
                actor: self.actor.clone(),
                outcome,
                error,
                forced_reason: forced_reason.clone(),
                drill: self.log.is_drill(),
                team_lock: if phase == Phase::Intent {
                    team_lock.clone()
                } else {
                    None
                },
            };
        if let Err(e) = append(&record(Phase::Intent, None, None, now)) {
            report.status = Status::Failed;
            report.message = format!("{e}; the action was not started");
            return report;
        }
        die_after_intent_for_tests();
        // The intent goes to the team's bucket before the first call (for at most a moment),
        // so that the others see it even if this process dies mid-action: their `audit --team`
        // flags it, and their stale-plan check sees it.
        if let (Some(store), Some(outbox)) = (self.backend.team(), &outbox) {
            let sent = outbox.send(store, self.clock.now(), INTENT_LIMIT).await;
            if let Some(e) = sent.error {
                tracing::warn!(%e, "team trail: the intent waits in the outbox");
            }
        }

        let mut failure = None;
        for call in &plan.calls {
            let now = self.clock.now();
            match self
                .backend
                .execute_for(Some(&plan.service), call, now)
                .await
            {
                Ok(answer) => report.answers.push(answer),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        // The calls that succeeded are part of the record: a failure after some of them
        // leaves a half-made change that the next person must see.
        let (outcome, error) = match &failure {
            None => ("ok".to_string(), None),
            Some(e) => {
                let kind = match e.kind {
                    CallErrorKind::ReadOnly => outcome::REFUSED,
                    CallErrorKind::Conflict => outcome::CONFLICT,
                    CallErrorKind::Failed => outcome::FAILED,
                };
                let outcome = if report.answers.is_empty() {
                    kind.to_string()
                } else {
                    format!(
                        "partial: {} of {} calls made ({}); then {kind}",
                        report.answers.len(),
                        plan.calls.len(),
                        report.answers.join("; ")
                    )
                };
                (outcome, Some(e.message.clone()))
            }
        };
        let result = record(Phase::Result, Some(outcome), error, chrono::Utc::now());
        self.note_audit(&mut report, append(&result));
        if let Some(e) = failure {
            if e.kind == CallErrorKind::ReadOnly {
                report.status = Status::Refused;
                report.message = e.message;
                return report;
            }
            // An error is not proof that nothing changed: a call that timed out after Route 53
            // applied it, retried by the SDK with the old version, answers "conflict". Look once.
            report.status = Status::Failed;
            report.message = if report.answers.is_empty() {
                e.message.clone()
            } else {
                format!(
                    "{} (after {} call(s) succeeded: {})",
                    e.message,
                    report.answers.len(),
                    report.answers.join("; ")
                )
            };
            if let Ok(seen) = verify(self.backend, plan, self.clock.now()).await {
                let note = format!(
                    "the call answered with an error ({}), but re-reading shows the change \
                     was applied: {seen}",
                    e.message
                );
                let record = record(
                    Phase::Verified,
                    Some(note.clone()),
                    None,
                    chrono::Utc::now(),
                );
                self.note_audit(&mut report, append(&record));
                report.status = Status::Verified;
                report.message = note;
            }
            return report;
        }

        let mut last = String::new();
        let mut verified = false;
        for attempt in 0..self.verification.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(self.verification.interval).await;
            }
            match verify(self.backend, plan, self.clock.now()).await {
                Ok(seen) => {
                    last = seen;
                    verified = true;
                    break;
                }
                Err(why) => last = why,
            }
        }
        // The flags are as planned: now what the authoritative name servers answer.
        if verified {
            progress(format!("re-read: {last}"));
            match super::verify::wait_for_dns(self.backend, plan, self.clock, called_at, progress)
                .await
            {
                Some(super::verify::DnsCheck::Confirmed(line)) => {
                    last = format!("{last}; {line}");
                }
                Some(super::verify::DnsCheck::Unavailable(line)) => {
                    last = format!("{last}; {line}");
                }
                Some(super::verify::DnsCheck::NotYet(line)) => {
                    last = format!("{last}; {line}");
                    // A standing clock cannot see DNS follow: verified on the flags as before.
                    verified = matches!(self.clock, crate::source::Clock::Fixed(_));
                }
                None => {}
            }
        }
        let (phase, status) = if verified {
            (Phase::Verified, Status::Verified)
        } else {
            (Phase::Unverified, Status::Unverified)
        };
        let record = record(phase, Some(last.clone()), None, chrono::Utc::now());
        self.note_audit(&mut report, append(&record));
        report.status = status;
        report.message = last;
        report
    }

    fn note_audit(&self, report: &mut Report, written: Result<(), super::audit::AuditError>) {
        if let Err(e) = written {
            tracing::error!(%e, "audit log");
            report.audit_error = Some(e.to_string());
        }
    }
}

/// Debug builds only: `SWITCHYARD_TEST_DIE_AFTER_INTENT` ends the process right after the intent
/// is on disk, as a kill at the worst moment would, for the unfinished-action test.
fn die_after_intent_for_tests() {
    #[cfg(debug_assertions)]
    if std::env::var_os("SWITCHYARD_TEST_DIE_AFTER_INTENT").is_some() {
        std::process::exit(137);
    }
}

/// A new action's audit id: the wall-clock time (the log keeps wall-clock times; the
/// simulation's clock only drives the simulation), the process and a sequence number.
fn new_id() -> String {
    let now = chrono::Utc::now();
    format!(
        "{}-{}-{}",
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id(),
        SEQUENCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}
