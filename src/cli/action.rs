//! `switchyard failover | failback | approve`: print the plan and its preflight; with
//! `--execute --confirm TEXT` (and `--force --reason TEXT` past a failed preflight) run it, with
//! an audit record for each phase. Exit 0 done and verified (or, without --execute, preflight
//! passed), 1 refused or failed, 2 usage (a wrong --confirm), 3 done but not verified.

use super::{Failure, Session, exit};
use crate::action::audit::{AuditLog, unfinished};
use crate::action::lock::ServiceLock;
use crate::action::outbox::send_left_over;
use crate::action::{Execution, Plan, PlanError, Report, Status, Verification};
use serde::Serialize;

/// How long an action waits at start for left-over records to reach the team's bucket.
const OUTBOX_AT_START: std::time::Duration = std::time::Duration::from_secs(5);

/// What to do with the plan, from the command line.
pub struct Guard {
    pub execute: bool,
    pub confirm: Option<String>,
    pub reason: Option<String>,
    pub json: bool,
}

/// Which action to plan once the state is read.
pub enum Which<'a> {
    Failover {
        service: &'a str,
        to: &'a str,
    },
    Failback {
        service: &'a str,
    },
    Approval {
        service: &'a str,
        approve: bool,
        summary: &'a str,
    },
}

#[derive(Serialize)]
struct Output<'a> {
    schema: &'static str,
    /// None when there is nothing to do.
    plan: Option<&'a Plan>,
    executed: bool,
    report: Option<&'a Report>,
    /// Why there is no plan: the state already is what was asked for.
    nothing_to_do: Option<&'a str>,
}

pub async fn run(mut session: Session, which: Which<'_>, guard: Guard) -> Result<u8, Failure> {
    // A drill (the simulation) has its own log and locks: it never mixes into the real record.
    let log = AuditLog::standard(session.backend.is_simulation());
    warn_unfinished(&log);
    // Records an earlier process could not send to the team's bucket go first.
    if let Some(sent) =
        send_left_over(&session.backend, &log, session.clock.now(), OUTBOX_AT_START).await
        && let Some(e) = sent.error
    {
        eprintln!(
            "switchyard: warning: {} audit record(s) still not in the team's bucket: {e}",
            sent.left
        );
    }
    let backend = std::sync::Arc::clone(&session.backend);
    let clock = session.clock.clone();
    let known_caller = session.caller.clone();
    let now = session.collect_once().await;
    super::record_observation(&session, now);
    let fleet = &session.fleet;
    let planned = match which {
        Which::Failover { service, to } => crate::action::plan::failover(fleet, service, to, now),
        Which::Failback { service } => crate::action::plan::failback(fleet, service, now),
        Which::Approval {
            service,
            approve,
            summary,
        } => crate::action::plan::approval(fleet, service, approve, summary, now),
    };
    let plan = match planned {
        // ARC break glass: a safety rule that blocked the same change is overridden only when
        // forced (--force --reason), and the plan shows it.
        Ok(plan) => match log.read() {
            Ok(records) => plan.with_safety_rule_override(&records, guard.reason.is_some()),
            Err(_) => plan,
        },
        Err(PlanError::NothingToDo(why)) => {
            if guard.json {
                print_json(None, None, Some(&why))?;
            } else {
                println!("nothing to do: {why}");
            }
            return Ok(exit::OK);
        }
        Err(e @ PlanError::Impossible(_)) => {
            return Err(Failure::runtime(format!("{e}; nothing was changed")));
        }
        Err(e @ (PlanError::UnknownService(..) | PlanError::UnknownRegion { .. })) => {
            return Err(Failure::usage(e.to_string()));
        }
        Err(e @ PlanError::NotKnown(_)) => {
            return Err(Failure {
                code: exit::UNKNOWN,
                message: format!("{e}; nothing was changed (see `switchyard snapshot`)"),
            });
        }
    };
    if !guard.json {
        print_plan(&plan);
    }
    if !guard.execute {
        if guard.json {
            print_json(Some(&plan), None, None)?;
        } else {
            println!(
                "dry run: nothing was changed. To run it, add: --execute --confirm {}{}",
                plan.confirm,
                if plan.preflight.passed() {
                    ""
                } else {
                    " --force --reason TEXT"
                }
            );
        }
        return Ok(if plan.preflight.passed() {
            exit::OK
        } else {
            exit::NOT_OK
        });
    }
    if guard.confirm.as_deref() != Some(plan.confirm.as_str()) {
        return Err(Failure::usage(format!(
            "--confirm must be exactly {:?}{}; nothing was changed",
            plan.confirm,
            guard
                .confirm
                .as_deref()
                .map(|c| format!(" (got {c:?})"))
                .unwrap_or_default()
        )));
    }
    let actor = match known_caller {
        Some(arn) => Some(arn),
        None => match backend.caller().await {
            Ok(arn) => Some(arn),
            Err(e) => {
                eprintln!(
                    "switchyard: warning: who you are is unknown ({e}); the audit record will have no actor"
                );
                None
            }
        },
    };
    let execution = Execution {
        backend: &backend,
        log: &log,
        clock: &clock,
        actor: actor.clone(),
        verification: Verification::for_clock(&clock),
    };
    let json = guard.json;
    let report = execution
        .run_with_progress(&plan, guard.reason, &move |line: String| {
            // Progress goes to standard error, so that --json output stays one document.
            if json {
                eprintln!("switchyard: {line}");
            } else {
                println!("  {line}");
            }
        })
        .await;
    super::record_action(log.is_drill(), &report, actor.as_deref(), clock.now());
    if guard.json {
        print_json(Some(&plan), Some(&report), None)?;
    } else {
        print_report(&report);
    }
    Ok(match report.status {
        Status::Verified => exit::OK,
        Status::Refused | Status::Failed => exit::NOT_OK,
        Status::Unverified => exit::UNKNOWN,
    })
}

/// An action that started and never recorded a result may or may not have reached AWS.
fn warn_unfinished(log: &AuditLog) {
    match log.read() {
        Ok(records) => {
            for r in unfinished(&records) {
                if let Some(holder) = ServiceLock::holder(&log.lock_dir(), &r.service) {
                    eprintln!(
                        "switchyard: note: action {} has no result yet; it is still running \
                         ({holder})",
                        r.id
                    );
                    continue;
                }
                eprintln!(
                    "switchyard: warning: unfinished action {}: {} {} -> {} started {} and never \
                     recorded a result; check AWS, then `{} --ack {}`",
                    r.id,
                    r.action,
                    r.service,
                    r.target,
                    r.ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    log.command(),
                    r.id,
                );
            }
        }
        Err(e) => eprintln!("switchyard: warning: {e}"),
    }
}

fn print_json(
    plan: Option<&Plan>,
    report: Option<&Report>,
    nothing_to_do: Option<&str>,
) -> Result<(), Failure> {
    let out = Output {
        schema: "switchyard.action/1",
        plan,
        executed: report.is_some(),
        report,
        nothing_to_do,
    };
    let text = serde_json::to_string_pretty(&out)
        .map_err(|e| Failure::runtime(format!("cannot encode the plan as JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn print_plan(plan: &Plan) {
    println!(
        "{} {} -> {}   (confirm with: {})",
        plan.action.name(),
        plan.service,
        plan.target,
        plan.confirm
    );
    println!("effect:        {}", plan.effect);
    println!("calls:");
    for (i, call) in plan.calls.iter().enumerate() {
        println!("  {}. {}", i + 1, call.describe());
    }
    println!("based on:");
    for line in &plan.based_on {
        println!("  {line}");
    }
    println!("control plane: {}", plan.control_plane);
    println!("preflight:");
    if plan.preflight.checks.is_empty() {
        println!("  (none for this action)");
    }
    for c in &plan.preflight.checks {
        println!("  {:<7} {}: {}", c.status.label(), c.name, c.detail);
    }
    if plan.preflight.passed() {
        println!("preflight passed");
    } else {
        let failed = plan
            .preflight
            .checks
            .iter()
            .filter(|c| c.status.blocks())
            .count();
        println!(
            "preflight FAILED ({failed} check(s)): --execute refuses unless --force --reason TEXT"
        );
    }
}

fn print_report(report: &Report) {
    let status = match report.status {
        Status::Refused => "REFUSED",
        Status::Failed => "FAILED",
        Status::Unverified => "DONE, NOT VERIFIED",
        Status::Verified => "DONE, VERIFIED",
    };
    println!("{status}: {}", report.message);
    for answer in &report.answers {
        println!("  answered: {answer}");
    }
    if let Some(reason) = &report.forced_reason {
        println!("  forced, reason recorded: {reason}");
    }
    if let Some(id) = &report.id {
        println!("  audit id: {id} (switchyard audit)");
    }
    if let Some(e) = &report.audit_error {
        println!("  WARNING: the audit log could not record this: {e}");
    }
}
