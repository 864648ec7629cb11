//! `switchyard audit`: the audit log, and any action that started but never recorded a result;
//! `--drill` (or `--sim`): the drill log of actions in the simulation instead.

use super::{Failure, Session, exit};
use crate::action::audit::{AuditLog, AuditRecord, DrillRecord, Phase, unfinished};
use crate::action::lock::ServiceLock;
use crate::action::outbox::{Outbox, Sent, send_left_over};
use crate::model::{Timestamp, phase_rank};
use crate::source::team::TeamStore;
use serde::Serialize;

/// How long `audit --team` spends sending records left in the outbox.
const OUTBOX_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    path: String,
    /// The drill log (actions in the simulation), not the real one.
    drill: bool,
    /// Each record, with its simulated moment (`sim`) in the drill log.
    records: &'a [DrillRecord],
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
    let record = acknowledged(intent, reason);
    log.append(&record)
        .map_err(|e| Failure::runtime(e.to_string()))?;
    print_acknowledged(&record, json)
}

/// The `acknowledged` record closing `intent`, by the local user, saying what was found.
fn acknowledged(intent: AuditRecord, reason: &str) -> AuditRecord {
    let user = std::env::var("USER").unwrap_or_else(|_| "?".to_string());
    AuditRecord {
        ts: chrono::Utc::now(),
        phase: Phase::Acknowledged,
        actor: Some(format!("local user {user}")),
        outcome: Some(reason.to_string()),
        error: None,
        team_lock: None,
        ..intent
    }
}

fn print_acknowledged(record: &AuditRecord, json: bool) -> Result<u8, Failure> {
    if json {
        let text = serde_json::to_string_pretty(record)
            .map_err(|e| Failure::runtime(format!("cannot encode the record as JSON: {e}")))?;
        println!("{text}");
    } else {
        println!(
            "acknowledged {}: {}",
            record.id,
            record.outcome.as_deref().unwrap_or_default()
        );
    }
    Ok(exit::OK)
}

/// `audit --team --ack ID --reason TEXT`: close an unfinished action anywhere in the team (its
/// process died mid-action, on this machine or another operator's), once its lease is no
/// longer live. The `acknowledged` record goes to the local log and the team's trail, so that
/// nobody's `audit --team` flags it any more.
pub async fn acknowledge_team(
    session: Session,
    id: &str,
    reason: &str,
    since: &str,
    json: bool,
) -> Result<u8, Failure> {
    let (store, log, from, now, _) = team_context(&session, since).await?;
    let local = log.read().map_err(|e| Failure::runtime(e.to_string()))?;
    let shared = store
        .audit_records(from, now, usize::MAX)
        .await
        .map_err(|e| Failure::runtime(format!("team bucket {}: {e}", store.location)))?;
    let merged: Vec<AuditRecord> = merge(&local, &shared, from)
        .into_iter()
        .map(|e| e.record.clone())
        .collect();
    let Some(intent) = unfinished(&merged)
        .into_iter()
        .find(|r| r.id == id)
        .cloned()
    else {
        return Err(Failure::usage(format!(
            "no unfinished action {id:?} in the team's trail ({}) or {} since {} (see \
             `switchyard audit --team`)",
            store.location,
            log.path().display(),
            from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )));
    };
    let leases = store
        .leases(now)
        .await
        .map_err(|e| Failure::runtime(format!("team bucket {}: {e}", store.location)))?;
    if let Some(held) = leases
        .iter()
        .find(|l| l.lease.audit_id == id && !l.expired())
    {
        return Err(Failure::runtime(format!(
            "action {id} is still running ({}, lease renewed {} s ago); nothing was recorded",
            held.lease.describe(),
            held.age_s
        )));
    }
    if let Some(holder) = ServiceLock::holder(&log.lock_dir(), &intent.service) {
        return Err(Failure::runtime(format!(
            "action {id} is still running ({holder}); nothing was recorded"
        )));
    }
    let record = acknowledged(intent, reason);
    log.append(&record)
        .map_err(|e| Failure::runtime(e.to_string()))?;
    let outbox = Outbox::new(log.outbox_dir());
    if let Err(e) = outbox.put(&record) {
        eprintln!("switchyard: warning: the record stays in the local log only: {e}");
    }
    let sent = outbox.send(store, now, OUTBOX_LIMIT).await;
    if let Some(e) = sent.error {
        eprintln!(
            "switchyard: warning: {} record(s) not yet in the team's bucket ({e}); sent at the \
             next start",
            sent.left
        );
    }
    print_acknowledged(&record, json)
}

/// What `audit --team` and `audit --team --ack` share: the team's store, the log, the period's
/// start and now, after sending what an earlier process left in the outbox.
async fn team_context<'a>(
    session: &'a Session,
    since: &str,
) -> Result<(&'a TeamStore, AuditLog, Timestamp, Timestamp, Sent), Failure> {
    let since = humantime::parse_duration(since)
        .map_err(|e| Failure::usage(format!("--since {since:?}: {e}; e.g. \"7d\" or \"12h\"")))?;
    let Some(store) = session.backend.team() else {
        return Err(Failure::usage(
            "no team bucket: add a [team] table with bucket = \"NAME\" to the config (README, \
             \"Working as a team\")",
        ));
    };
    let log = AuditLog::standard(session.backend.is_simulation());
    let now = session.clock.now();
    let from = now - chrono::Duration::from_std(since).unwrap_or(chrono::TimeDelta::days(7));
    let outbox = send_left_over(&session.backend, &log, now, OUTBOX_LIMIT)
        .await
        .unwrap_or_default();
    if let Some(e) = &outbox.error {
        eprintln!(
            "switchyard: warning: {} local record(s) not yet in the team's bucket: {e}",
            outbox.left
        );
    }
    Ok((store, log, from, now, outbox))
}

pub fn run(json: bool, drill: bool) -> Result<u8, Failure> {
    let log = AuditLog::standard(drill);
    let records = log.read().map_err(|e| Failure::runtime(e.to_string()))?;
    let open = unfinished(&records);
    if json {
        let lines = if log.is_drill() {
            log.read_drills()
                .map_err(|e| Failure::runtime(e.to_string()))?
        } else {
            records
                .iter()
                .map(|record| DrillRecord {
                    record: record.clone(),
                    sim: None,
                })
                .collect()
        };
        let report = Report {
            schema: "switchyard.audit/1",
            path: log.path().display().to_string(),
            drill: log.is_drill(),
            records: &lines,
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
        println!("{}", record_line(r));
    }
    Ok(exit::OK)
}

/// One record of the merged trail, and where it was found.
#[derive(Serialize)]
struct TeamEntry<'a> {
    #[serde(flatten)]
    record: &'a AuditRecord,
    /// In the team's bucket.
    team: bool,
    /// In this machine's log.
    local: bool,
}

#[derive(Serialize)]
struct TeamReport<'a> {
    schema: &'static str,
    /// The team's bucket and prefix.
    location: &'a str,
    /// The local log merged in.
    path: String,
    drill: bool,
    since: Timestamp,
    /// Newest first.
    records: Vec<TeamEntry<'a>>,
    /// Intents with no later record anywhere in the team, whose service's lease is not held by
    /// them: the process stopped mid-action.
    unfinished: Vec<&'a str>,
    /// Intents whose lease is still held: the action is running.
    running: Vec<&'a str>,
    /// Records left by an earlier process, sent now.
    outbox: Sent,
}

/// `switchyard audit --team`: the team's trail merged with the local log, newest first, with
/// every unfinished action anywhere in the team flagged. Records left in the outbox are sent
/// first.
pub async fn team(session: Session, since: &str, json: bool) -> Result<u8, Failure> {
    let (store, log, from, now, outbox) = team_context(&session, since).await?;
    let local = log.read().map_err(|e| Failure::runtime(e.to_string()))?;
    let shared = store
        .audit_records(from, now, usize::MAX)
        .await
        .map_err(|e| Failure::runtime(format!("team bucket {}: {e}", store.location)))?;
    let leases = store
        .leases(now)
        .await
        .map_err(|e| Failure::runtime(format!("team bucket {}: {e}", store.location)))?;
    let entries = merge(&local, &shared, from);
    let merged: Vec<AuditRecord> = entries.iter().map(|e| e.record.clone()).collect();
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let mark = if e.team {
                ""
            } else {
                " [local only: not yet in the team's bucket]"
            };
            format!("{}{mark}", record_line(e.record))
        })
        .collect();
    let open = unfinished(&merged);
    // Its lease is live, or (forced without the team lock) this machine's lock is held for it.
    let is_running = |r: &AuditRecord| {
        leases
            .iter()
            .any(|l| l.lease.audit_id == r.id && !l.expired())
            || (local.iter().any(|l| l.id == r.id)
                && ServiceLock::holder(&log.lock_dir(), &r.service).is_some())
    };
    let running: Vec<&str> = open
        .iter()
        .filter(|r| is_running(r))
        .map(|r| r.id.as_str())
        .collect();
    let stopped: Vec<&str> = open
        .iter()
        .filter(|r| !is_running(r))
        .map(|r| r.id.as_str())
        .collect();
    if json {
        let report = TeamReport {
            schema: "switchyard.audit/1",
            location: &store.location,
            path: log.path().display().to_string(),
            drill: log.is_drill(),
            since: from,
            records: entries,
            unfinished: stopped,
            running,
            outbox,
        };
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::runtime(format!("cannot encode the audit trail as JSON: {e}")))?;
        println!("{text}");
        return Ok(exit::OK);
    }
    println!(
        "team audit trail {} since {}, merged with {}",
        store.location,
        from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        log.path().display()
    );
    for r in &open {
        let started = r.ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let who = r.actor.as_deref().unwrap_or("?");
        if running.contains(&r.id.as_str()) {
            println!(
                "! running: {} {} {} -> {} by {who}, started {started}, lease held",
                r.id, r.action, r.service, r.target
            );
        } else {
            println!(
                "! unfinished: {} {} {} -> {} by {who}, started {started}, never recorded a \
                 result; check AWS before acting on {}",
                r.id, r.action, r.service, r.target, r.service
            );
        }
    }
    if merged.is_empty() {
        println!("no actions recorded");
    }
    for line in &lines {
        println!("{line}");
    }
    Ok(exit::OK)
}

/// The local and the team's records as one trail, newest first; a record in both is listed once.
/// Local records older than `from` are left out like the team's.
fn merge<'a>(
    local: &'a [AuditRecord],
    shared: &'a [AuditRecord],
    from: Timestamp,
) -> Vec<TeamEntry<'a>> {
    let mut out: Vec<TeamEntry<'a>> = Vec::new();
    for record in shared {
        out.push(TeamEntry {
            record,
            team: true,
            local: false,
        });
    }
    for record in local.iter().filter(|r| r.ts >= from) {
        match out
            .iter_mut()
            .find(|e| e.record.id == record.id && e.record.phase == record.phase)
        {
            Some(entry) => entry.local = true,
            None => out.push(TeamEntry {
                record,
                team: false,
                local: true,
            }),
        }
    }
    out.sort_by(|a, b| {
        (b.record.ts, phase_rank(b.record.phase)).cmp(&(a.record.ts, phase_rank(a.record.phase)))
    });
    out
}

/// One record as a line: time, phase, action, service, target, who, what came of it.
fn record_line(r: &AuditRecord) -> String {
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
    let team = r
        .team_lock
        .as_deref()
        .map(|t| format!(" (team lock {t})"))
        .unwrap_or_default();
    format!(
        "{} {:<10} {:<9} {} -> {} by {} {what}{forced}{team}",
        r.ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        r.phase.name(),
        r.action,
        r.service,
        r.target,
        r.actor.as_deref().unwrap_or("?"),
    )
}
