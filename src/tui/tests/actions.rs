//! The action task on the simulated backend, and the wait for running tasks at close.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::action::audit::{AuditLog, Phase};
use crate::action::{Plan, Status, Verification, plan};
use crate::config::Thresholds;
use crate::fleet::testing::{at, sim};
use crate::model::Timestamp;
use crate::source::{Backend, Clock};
use crate::state::{Msg, State};
use crate::tui::actions::*;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// region-outage at 2m30s behind a `Backend`, the state read then, and sample's failover plan.
fn failover() -> (Backend, State, Timestamp, Plan) {
    let sim = sim("region-outage");
    let now = at(&sim, 150);
    let state = State::simulated(&sim, now, Thresholds::default());
    let plan = plan::failover(&state.fleet, "sample", "us-west-2", now).unwrap();
    (Backend::Sim(sim), state, now, plan)
}

fn temp_log(name: &str) -> AuditLog {
    let dir = std::env::temp_dir().join(format!("switchyard-tui-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    AuditLog::new(dir.join("audit.jsonl"))
}

fn drain(rx: &mut mpsc::Receiver<Msg>) -> Vec<Msg> {
    let mut out = Vec::new();
    while let Ok(msg) = rx.try_recv() {
        out.push(msg);
    }
    out
}

#[tokio::test]
async fn an_unknown_actor_is_asked_for_before_acting() {
    // STS did not answer at start: the task asks again, logs the caller and tells the state.
    let (backend, _, now, plan) = failover();
    let log = temp_log("actor");
    let clock = Clock::fixed(now);
    let (tx, mut rx) = mpsc::channel(8);
    let task = Task {
        backend: &backend,
        log: &log,
        clock: &clock,
        verification: Verification {
            attempts: 1,
            interval: std::time::Duration::ZERO,
        },
    };
    let report = task.run(None, &plan, None, &tx).await;
    assert_eq!(report.status, Status::Verified, "{report:?}");
    let arn = "arn:aws:sts::000000000000:assumed-role/switchyard-demo/simulated";
    let records = log.read().unwrap();
    assert_eq!(
        records.iter().map(|r| r.phase).collect::<Vec<_>>(),
        [Phase::Intent, Phase::Result, Phase::Verified]
    );
    for r in &records {
        assert_eq!(r.actor.as_deref(), Some(arn), "{r:?}");
    }
    let msgs = drain(&mut rx);
    // Progress lines (the flags re-read, DNS asked) go to the dialog in between.
    let (progress, msgs): (Vec<Msg>, Vec<Msg>) = msgs
        .into_iter()
        .partition(|m| matches!(m, Msg::ActionProgress { .. }));
    assert!(!progress.is_empty());
    assert!(
        matches!(msgs.as_slice(), [Msg::Caller(Ok(a)), Msg::ActionDone(_)] if a == arn),
        "{msgs:?}"
    );
}

/// What each frame drawn while closing showed: the closing limit and the services in flight.
type Frames = Vec<(Option<std::time::Duration>, Vec<String>)>;

fn recorder(frames: &mut Frames) -> impl FnMut(&State) + '_ {
    |state: &State| frames.push((state.closing, state.in_flight.iter().cloned().collect()))
}

#[tokio::test]
async fn closing_waits_for_a_running_action_to_record_its_result() {
    let (backend, mut state, now, plan) = failover();
    let log = Arc::new(temp_log("closing"));
    let clock = Clock::fixed(now);
    let (tx, mut rx) = mpsc::channel(8);
    state.in_flight.insert("sample".into());
    let mut tasks = JoinSet::new();
    let backend = Arc::new(backend);
    {
        let (backend, log, clock) = (Arc::clone(&backend), Arc::clone(&log), clock.clone());
        tasks.spawn(async move {
            // Slower than the loop's end: the calls are still on their way when it closes.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let task = Task {
                backend: &backend,
                log: &log,
                clock: &clock,
                verification: Verification {
                    attempts: 1,
                    interval: std::time::Duration::ZERO,
                },
            };
            task.run(Some("arn:test".into()), &plan, None, &tx).await;
        });
    }
    let mut frames = Frames::new();
    let mut recorded = Vec::new();
    let started = std::time::Instant::now();
    let ended = wait_for(
        &mut tasks,
        &mut rx,
        &mut state,
        &clock,
        std::time::Duration::from_secs(30),
        recorder(&mut frames),
        |events| recorded.extend(events),
    )
    .await;
    assert!(ended);
    // The action's event was handed on for the incident journal, linked to its audit id.
    let audit_id = log.read().unwrap()[0].id.clone();
    assert!(
        recorded
            .iter()
            .any(|e| e.kind == crate::model::EventKind::Action
                && e.audit_id.as_deref() == Some(audit_id.as_str())),
        "{recorded:?}"
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    // Every phase is on disk, and the state has the result.
    let phases: Vec<Phase> = log.read().unwrap().iter().map(|r| r.phase).collect();
    assert_eq!(phases, [Phase::Intent, Phase::Result, Phase::Verified]);
    assert!(state.in_flight.is_empty());
    assert!(
        state
            .notices
            .iter()
            .any(|n| n.text.starts_with("✓ verified: failover sample")),
        "{:?}",
        state.notices
    );
    // The screen said why it had not gone yet, then showed the result.
    let limit = Some(std::time::Duration::from_secs(30));
    assert_eq!(frames.first(), Some(&(limit, vec!["sample".to_string()])));
    assert_eq!(frames.last(), Some(&(limit, Vec::new())));
}

#[tokio::test]
async fn closing_waits_no_longer_than_its_limit() {
    let (_, mut state, now, _) = failover();
    let (_tx, mut rx) = mpsc::channel(8);
    let mut tasks = JoinSet::new();
    tasks.spawn(tokio::time::sleep(std::time::Duration::from_secs(3600)));
    let started = std::time::Instant::now();
    let ended = wait_for(
        &mut tasks,
        &mut rx,
        &mut state,
        &Clock::fixed(now),
        std::time::Duration::from_millis(100),
        |_| {},
        |_| {},
    )
    .await;
    assert!(!ended);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(tasks.len(), 1, "left to be aborted");
}

#[tokio::test]
async fn closing_with_nothing_running_does_not_wait() {
    let (_, mut state, now, _) = failover();
    let before = state.clone();
    let (_tx, mut rx) = mpsc::channel(8);
    let mut frames = Frames::new();
    let ended = wait_for(
        &mut JoinSet::new(),
        &mut rx,
        &mut state,
        &Clock::fixed(now),
        std::time::Duration::from_secs(60),
        recorder(&mut frames),
        |_| {},
    )
    .await;
    assert!(ended);
    assert!(frames.is_empty());
    assert_eq!(state, before);
}
