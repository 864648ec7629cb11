//! `switchyard timeline`: the incident timeline for a postmortem (README, "Incident timeline"):
//! the journal's events in a window, with the actions of the audit log (and, with `[team]`, of
//! the team's trail) that the journal does not hold; with `--sim`, the scenario replayed from
//! its start to `--at`, drills included. Markdown, or `switchyard.timeline/1` JSON.

use super::{Failure, Session, exit};
use crate::action::audit::AuditLog;
use crate::config::Config;
use crate::journal::Journal;
use crate::journal::replay::replay;
use crate::journal::timeline::{Origin, Timeline, markdown};
use crate::model::{AuditRecord, Event, Timestamp, phase_rank};
use crate::session::Options;
use crate::source::Backend;
use crate::source::sim::scenario::parse_signed;
use std::collections::BTreeSet;

/// How far back the journal is read without `--since` or `--from`.
pub const DEFAULT_SINCE: &str = "24h";
/// How far back (by the wall clock) drills are taken into a replay without `--since`.
pub const DRILLS_SINCE: &str = "12h";
/// The longest replay: six hours of simulated time (about 10 s in a debug build).
const MAX_REPLAY_S: i64 = 6 * 3600;

/// The command line's options of `timeline`.
pub struct Args<'a> {
    pub since: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub service: Option<&'a str>,
    pub json: bool,
    pub at: Option<&'a str>,
}

fn duration(option: &str, text: &str) -> Result<chrono::Duration, Failure> {
    humantime::parse_duration(text)
        .ok()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .ok_or_else(|| {
            Failure::usage(format!(
                "{option} {text:?}: not a duration; e.g. \"2h\", \"90m\" or \"7d\""
            ))
        })
}

/// A moment on the command line: RFC 3339 ("2026-11-27T14:00:00Z"), or a date and time
/// without an offset, taken as UTC ("2026-11-27 14:00", "2026-11-27T14:00:30").
fn moment(option: &str, text: &str) -> Result<Timestamp, Failure> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text.trim(), format) {
            return Ok(t.and_utc());
        }
    }
    Err(Failure::usage(format!(
        "{option} {text:?}: not a time; e.g. \"2026-11-27T14:00:00Z\" or \"2026-11-27 14:00\" \
         (UTC)"
    )))
}

/// The window of a timeline of the journal: `--from` (to `--to`, else now), else the last
/// `--since` (default [`DEFAULT_SINCE`]).
fn window(args: &Args<'_>, now: Timestamp) -> Result<(Timestamp, Timestamp), Failure> {
    let Some(from) = args.from else {
        let since = duration("--since", args.since.unwrap_or(DEFAULT_SINCE))?;
        return Ok((now - since, now));
    };
    let from = moment("--from", from)?;
    let to = match args.to {
        Some(to) => moment("--to", to)?,
        None => now,
    };
    if from > to {
        return Err(Failure::usage(format!(
            "--from {} is after --to {}",
            from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )));
    }
    Ok((from, to))
}

/// The action event of each audit id among `records` (those within `[from, to]`) not already
/// `known`, from its last record: actions that did not reach the journal (a process that
/// stopped mid-action, a teammate's). The ids are added to `known`.
fn actions(
    records: &[AuditRecord],
    from: Timestamp,
    to: Timestamp,
    known: &mut BTreeSet<String>,
) -> Vec<Event> {
    let mut last: Vec<&AuditRecord> = Vec::new();
    for r in records.iter().filter(|r| r.ts >= from && r.ts <= to) {
        if known.contains(&r.id) {
            continue;
        }
        match last.iter_mut().find(|l| l.id == r.id) {
            Some(l) => {
                if (r.ts, phase_rank(r.phase)) >= (l.ts, phase_rank(l.phase)) {
                    *l = r;
                }
            }
            None => last.push(r),
        }
    }
    known.extend(last.iter().map(|r| r.id.clone()));
    last.into_iter().map(crate::journal::record_event).collect()
}

/// The audit ids the events already hold as actions.
fn action_ids(events: &[Event]) -> BTreeSet<String> {
    events.iter().filter_map(|e| e.audit_id.clone()).collect()
}

/// The team's audit records within the window, or a note saying why they are missing.
async fn team_records(
    backend: &Backend,
    from: Timestamp,
    to: Timestamp,
    notes: &mut Vec<String>,
) -> Option<(String, Vec<AuditRecord>)> {
    let store = backend.team()?;
    match store.audit_records(from, to, usize::MAX).await {
        Ok(records) => Some((store.location.clone(), records)),
        Err(e) => {
            let note = format!(
                "the team's trail ({}) could not be read, so others' actions are missing: {e}",
                store.location
            );
            eprintln!("switchyard: warning: {note}");
            notes.push(note);
            None
        }
    }
}

/// `--service`: only its events (and the fleet's: a source failing, a note for everyone).
fn only_service(events: &mut Vec<Event>, service: Option<&str>) {
    if let Some(service) = service {
        events.retain(|e| e.concerns(service));
    }
}

fn unknown_service(name: &str, known: &[String]) -> Failure {
    Failure::usage(format!(
        "no service `{name}`; known services: {}",
        known.join(", ")
    ))
}

fn print(timeline: &Timeline, json: bool) -> Result<u8, Failure> {
    if json {
        let text = serde_json::to_string_pretty(timeline)
            .map_err(|e| Failure::runtime(format!("cannot encode the timeline as JSON: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", markdown(timeline));
    }
    Ok(exit::OK)
}

/// The timeline of the journal (`$XDG_STATE_HOME/switchyard/events.jsonl`) in the window.
pub async fn journal(options: &Options, args: Args<'_>) -> Result<u8, Failure> {
    if args.at.is_some() {
        return Err(Failure::usage(
            "--at only applies to the simulation (--sim): the scenario is replayed to it",
        ));
    }
    let (from, to) = window(&args, chrono::Utc::now())?;
    // The config, where there is one, names the services and the team; the journal and the
    // audit log are read without it.
    let config = match &options.config {
        Some(path) => Some(path.clone()),
        None => Config::default_path().ok(),
    }
    .map(|path| Config::load(&path))
    .transpose()
    .map_err(|e| Failure::usage(e.to_string()))?;
    let journal = Journal::standard(false);
    let contents = journal
        .read(Timestamp::MIN_UTC, to)
        .map_err(|e| Failure::runtime(e.to_string()))?;
    let (mut prior, mut events): (Vec<Event>, Vec<Event>) =
        contents.events.into_iter().partition(|e| e.observed < from);
    let mut notes = Vec::new();
    let mut known = action_ids(&prior);
    known.extend(action_ids(&events));
    let log = AuditLog::standard(false);
    match log.read() {
        Ok(records) => events.extend(actions(&records, from, to, &mut known)),
        Err(e) => {
            let note = format!("the audit log's actions are missing: {e}");
            eprintln!("switchyard: warning: {note}");
            notes.push(note);
        }
    }
    let mut team = None;
    if config.as_ref().is_some_and(|c| c.team.is_some()) {
        let session = Session::open_headless(options, None).await?;
        if let Some((location, records)) =
            team_records(&session.backend, from, to, &mut notes).await
        {
            events.extend(actions(&records, from, to, &mut known));
            team = Some(location);
        }
    }
    let services: Vec<String> = match &config {
        Some(c) => c.services.iter().map(|s| s.name.clone()).collect(),
        None => prior
            .iter()
            .chain(&events)
            .filter_map(|e| e.service.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    let services = match args.service {
        Some(name) if config.is_some() && !services.iter().any(|s| s == name) => {
            return Err(unknown_service(name, &services));
        }
        Some(name) => vec![name.to_string()],
        None => services,
    };
    only_service(&mut prior, args.service);
    only_service(&mut events, args.service);
    let source = Origin::Journal {
        path: journal.path().display().to_string(),
        audit_log: log.path().display().to_string(),
        team,
    };
    let mut timeline = Timeline::new(from, to, services, source, &prior, events);
    timeline.notes = notes;
    timeline.skipped = contents.skipped;
    print(&timeline, args.json)
}

/// `--sim`: the scenario replayed from its start to `--at` (default: its interesting moment),
/// with the drills of the drill log recorded in the last `--since` (default [`DRILLS_SINCE`]).
pub async fn simulation(session: Session, args: Args<'_>) -> Result<u8, Failure> {
    if args.from.is_some() || args.to.is_some() {
        return Err(Failure::usage(
            "--from and --to do not apply to the simulation: it is replayed from the \
             scenario's start to --at",
        ));
    }
    let Backend::Sim(sim) = session.backend.as_ref() else {
        return Err(Failure::runtime("the simulation did not start"));
    };
    let scenario = sim.scenario().clone();
    let at_s = match args.at {
        Some(text) => parse_signed(text).map_err(|e| Failure::usage(format!("--at: {e}")))?,
        None => scenario.interesting_at,
    };
    if !(0..=MAX_REPLAY_S).contains(&at_s) {
        return Err(Failure::usage(format!(
            "--at must be from 0 to {} into the scenario, not {}",
            crate::journal::timeline::duration(MAX_REPLAY_S),
            args.at.unwrap_or_default()
        )));
    }
    let since = duration("--since", args.since.unwrap_or(DRILLS_SINCE))?;
    let log = AuditLog::standard(true);
    let mut notes = Vec::new();
    let recorded_since = chrono::Utc::now() - since;
    let records = match log.read_drills() {
        Ok(records) => records
            .into_iter()
            .filter(|r| r.record.ts >= recorded_since)
            .collect(),
        Err(e) => {
            let note = format!("the drill log's actions are missing: {e}");
            eprintln!("switchyard: warning: {note}");
            notes.push(note);
            Vec::new()
        }
    };
    let name = scenario.name.clone();
    let replayed = replay(scenario, session.fleet.thresholds.clone(), at_s, &records);
    notes.extend(replayed.notes);
    let (from, to) = (replayed.from, replayed.to);
    let mut events = replayed.events;
    // The scenario's teammates: their actions, from the simulation's team bucket.
    let mut known = action_ids(&events);
    if let Some((_, records)) = team_records(&session.backend, from, to, &mut notes).await {
        events.extend(actions(&records, from, to, &mut known));
    }
    let services = match args.service {
        Some(name) if !replayed.services.iter().any(|s| s == name) => {
            return Err(unknown_service(name, &replayed.services));
        }
        Some(name) => vec![name.to_string()],
        None => replayed.services,
    };
    only_service(&mut events, args.service);
    let source = Origin::Simulation {
        scenario: name,
        at_s,
        drills: replayed.drills,
    };
    let mut timeline = Timeline::new(from, to, services, source, &[], events);
    timeline.notes = notes;
    print(&timeline, args.json)
}
