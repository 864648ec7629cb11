//! `switchyard audit`: the audit log, and any action that started but never recorded a result;
//! `--drill` (or `--sim`): the drill log of actions in the simulation instead.

use super::{Failure, exit};
use crate::action::audit::{AuditLog, AuditRecord, Phase, unfinished};
use crate::action::lock::ServiceLock;
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    path: String,
    /// The drill log (actions in the simulation), not the real one.
    drill: bool,
    records: &'a [AuditRecord],
    /// IDs of intents with no result: the process stopped mid-action.
    unfinished: Vec<&'a str>,
}

/// Close an unfinished action by hand: an `acknowledged` record with the same id, saying what
/// was found. Only an intent without any later record can be acknowledged.
pub fn acknowledge(id: &str, reason: &str, json: bool, drill: bool) -> Result<u8, Failure> {
    let log = AuditLog::standard(drill);
    let records = log.read().map_err(|e| Failure::runtime(e.to_string()))?;
    let Some(intent) = unfinished(&records)
        .into_iter()
        .find(|r| r.id == id)
        .cloned()
    else {
        return Err(Failure::usage(format!(
            "no unfinished action {id:?} in {} (see `{}`)",
            log.path().display(),
            log.command()
        )));
    };
    if let Some(holder) = ServiceLock::holder(&log.lock_dir(), &intent.service) {
        return Err(Failure::runtime(format!(
            "action {id} is still running ({holder}); nothing was recorded"
        )));
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "?".to_string());
    let record = AuditRecord {
        ts: chrono::Utc::now(),
        phase: Phase::Acknowledged,
        actor: Some(format!("local user {user}")),
        outcome: Some(reason.to_string()),
        error: None,
        ..intent
    };
    log.append(&record)
        .map_err(|e| Failure::runtime(e.to_string()))?;
    if json {
        let text = serde_json::to_string_pretty(&record)
            .map_err(|e| Failure::runtime(format!("cannot encode the record as JSON: {e}")))?;
        println!("{text}");
    } else {
        println!("acknowledged {id}: {reason}");
    }
    Ok(exit::OK)
}

pub fn run(json: bool, drill: bool) -> Result<u8, Failure> {
    let log = AuditLog::standard(drill);
    let records = log.read().map_err(|e| Failure::runtime(e.to_string()))?;
    let open = unfinished(&records);
    if json {
        let report = Report {
            schema: "switchyard.audit/1",
            path: log.path().display().to_string(),
            drill: log.is_drill(),
            records: &records,
            unfinished: open.iter().map(|r| r.id.as_str()).collect(),
        };
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::runtime(format!("cannot encode the audit log as JSON: {e}")))?;
        println!("{text}");
        return Ok(exit::OK);
    }
    if records.is_empty() {
        println!("no actions recorded in {}", log.path().display());
        return Ok(exit::OK);
    }
    if log.is_drill() {
        println!(
            "drills (actions in the simulation), from {}",
            log.path().display()
        );
    }
    for r in &open {
        let started = r.ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        match ServiceLock::holder(&log.lock_dir(), &r.service) {
            Some(holder) => println!(
                "! running: {} {} {} -> {} started {started}, no result yet ({holder})",
                r.id, r.action, r.service, r.target
            ),
            None => println!(
                "! unfinished: {} {} {} -> {} started {started} and never recorded a result; \
                 check AWS before retrying, then `{} --ack {} --reason TEXT`",
                r.id,
                r.action,
                r.service,
                r.target,
                log.command(),
                r.id
            ),
        }
    }
    for r in &records {
        let what = r
            .error
            .as_deref()
            .map(|e| format!("error: {e}"))
            .or_else(|| r.outcome.clone())
            .unwrap_or_default();
        let forced = r
            .forced_reason
            .as_deref()
            .map(|f| format!(" (forced: {f})"))
            .unwrap_or_default();
        println!(
            "{} {:<10} {:<9} {} -> {} by {} {what}{forced}",
            r.ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            serde_json::to_value(r.phase)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            r.action,
            r.service,
            r.target,
            r.actor.as_deref().unwrap_or("?"),
        );
    }
    Ok(exit::OK)
}
