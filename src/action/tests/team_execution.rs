//! Actions with a team store (the simulation's, in memory): the lease taken before the intent
//! and released after, a teammate's lease refusing the action with nothing sent, a plan made
//! stale by a teammate's action, and the records reaching the team's trail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::source::team::TeamStore;
use crate::source::team::memory::{MemoryStore, Teammate};
use std::sync::Arc;
use std::time::Duration;

/// region-outage with a teammate, alice, failing `sample` over to us-west-2 from `from` s for
/// `seconds` s, and the same team store shared with the test.
fn with_alice(from: i64, seconds: u64) -> (Backend, Arc<MemoryStore>) {
    let plain = sim("region-outage");
    let alice = Teammate {
        at: at(&plain, from),
        seconds,
        actor: "arn:aws:sts::1:assumed-role/ops/alice".into(),
        host: "alice-laptop".into(),
        action: "failover".into(),
        service: "sample".into(),
        target: "us-west-2".into(),
    };
    let store = Arc::new(MemoryStore::new(vec![alice], 120));
    let backend = plain.with_team(TeamStore::memory(
        Arc::clone(&store),
        Duration::from_secs(120),
    ));
    (Backend::Sim(backend), store)
}

fn start(backend: &Backend) -> Timestamp {
    let Backend::Sim(s) = backend else {
        unreachable!()
    };
    at(s, 0)
}

#[tokio::test]
async fn a_teammates_live_lease_refuses_the_action_before_the_intent() {
    let (backend, _) = with_alice(60, 120);
    let now = start(&backend) + chrono::Duration::seconds(90);
    let p = plan::failover(&fleet(&backend, now), "sample", "us-west-2", now).unwrap();
    let log = temp_log("team-held");
    let clock = Clock::fixed(now);
    let report = exec(&backend, &log, &clock, Some("arn:me".into()))
        .run(&p, Some("forced".into()))
        .await;
    assert_eq!(report.status, Status::Refused, "{report:?}");
    assert_eq!(report.id, None, "refused before the intent");
    assert!(
        report.message.contains("sample is being changed by someone else: failover sample → us-west-2 by …/alice on alice-laptop"),
        "{}",
        report.message
    );
    assert!(
        log.read().unwrap().is_empty(),
        "nothing recorded, nothing sent"
    );
}

#[tokio::test]
async fn an_action_holds_the_lease_while_it_runs_and_its_records_reach_the_trail() {
    let (backend, store) = with_alice(10_000, 60);
    let now = start(&backend) + chrono::Duration::seconds(90);
    let p = plan::failover(&fleet(&backend, now), "sample", "us-west-2", now).unwrap();
    let log = temp_log("team-held-by-us");
    let clock = Clock::fixed(now);
    let report = exec(&backend, &log, &clock, Some("arn:me".into()))
        .run(&p, None)
        .await;
    assert_eq!(report.status, Status::Verified, "{report:?}");
    assert_eq!(
        report.team_lock.as_deref(),
        Some("held: switchyard/locks/sample.json")
    );
    let records = log.read().unwrap();
    assert_eq!(
        records[0].team_lock.as_deref(),
        Some("held: switchyard/locks/sample.json"),
        "the intent says how the lease stood"
    );
    assert_eq!(records[1].team_lock, None, "only the intent");
    assert_eq!(
        store.get("switchyard/locks/sample.json", now),
        None,
        "released at the end"
    );
    let trail = store.list("switchyard/audit/", now);
    let id = report.id.unwrap();
    for phase in ["intent", "result", "verified"] {
        assert!(
            trail
                .iter()
                .any(|k| k.ends_with(&format!("{id}-{phase}.json"))),
            "{phase} missing from {trail:?}"
        );
    }
    assert!(
        std::fs::read_dir(log.outbox_dir())
            .unwrap()
            .next()
            .is_none(),
        "the outbox is empty once sent"
    );
}

#[tokio::test]
async fn a_plan_made_before_a_teammates_action_is_refused_as_stale() {
    // alice fails over from 100 s to 130 s; our plan was made at 90 s, confirmed at 140 s:
    // her lease is gone, but the plan rests on what was true before her change.
    let (backend, store) = with_alice(100, 30);
    let made = start(&backend) + chrono::Duration::seconds(90);
    let p = plan::failover(&fleet(&backend, made), "sample", "us-west-2", made).unwrap();
    let later = start(&backend) + chrono::Duration::seconds(140);
    let log = temp_log("team-stale");
    let clock = Clock::fixed(later);
    let report = exec(&backend, &log, &clock, Some("arn:me".into()))
        .run(&p, None)
        .await;
    assert_eq!(report.status, Status::Refused, "{report:?}");
    assert!(
        report
            .message
            .starts_with("sample changed after the data this plan rests on was read")
            && report
                .message
                .contains("failover sample → us-west-2 by …/alice recorded verified"),
        "{}",
        report.message
    );
    assert!(log.read().unwrap().is_empty());
    assert_eq!(
        store.get("switchyard/locks/sample.json", later),
        None,
        "the lease taken for the check is given back"
    );
    // Planned again after her action, the plan is fresh: nothing to do (her change shows),
    // or it goes ahead.
    match plan::failover(&fleet(&backend, later), "sample", "us-west-2", later) {
        Ok(p) => {
            let report = exec(&backend, &log, &clock, None)
                .run(&p, Some("drill".into()))
                .await;
            assert_eq!(report.status, Status::Verified, "{report:?}");
        }
        Err(PlanError::NothingToDo(_)) => {}
        Err(e) => panic!("{e}"),
    }
}

/// Records after the plan that change nothing do not make it stale: an acknowledgement (someone
/// closing an old action by hand) and an action whose result says nothing was applied.
#[tokio::test]
async fn an_acknowledgement_or_a_refused_action_after_the_plan_does_not_make_it_stale() {
    let (backend, store) = with_alice(10_000, 60);
    let made = start(&backend) + chrono::Duration::seconds(90);
    let p = plan::failover(&fleet(&backend, made), "sample", "us-west-2", made).unwrap();
    let later = made + chrono::Duration::seconds(20);
    let write = |id: &str, phase: Phase, outcome: &str| {
        let record = crate::model::AuditRecord {
            ts: made + chrono::Duration::seconds(5),
            id: id.into(),
            phase,
            action: "failover".into(),
            service: "sample".into(),
            target: "eu-west-1".into(),
            request: serde_json::json!({}),
            actor: Some("arn:aws:sts::1:assumed-role/ops/carol".into()),
            outcome: Some(outcome.into()),
            error: None,
            forced_reason: None,
            drill: true,
            team_lock: None,
        };
        let key = format!(
            "switchyard/audit/{}/{id}-{}.json",
            record.ts.format("%Y/%m/%d"),
            phase.name()
        );
        store
            .put(
                &key,
                serde_json::to_vec(&record).unwrap(),
                None,
                made + chrono::Duration::seconds(5),
            )
            .unwrap();
    };
    write("old-crash", Phase::Acknowledged, "checked: nothing changed");
    write("carol-1", Phase::Intent, "");
    write("carol-1", Phase::Result, "refused");
    let log = temp_log("team-not-stale");
    let clock = Clock::fixed(later);
    let report = exec(&backend, &log, &clock, None).run(&p, None).await;
    assert_eq!(report.status, Status::Verified, "{report:?}");

    // An action of carol's that went through does.
    write("carol-2", Phase::Intent, "");
    write("carol-2", Phase::Result, "ok");
    // (The same plan again: it rests on the state read at `made`.)
    let report = exec(&backend, &log, &clock, None).run(&p, None).await;
    assert_eq!(report.status, Status::Refused, "{report:?}");
    assert!(report.message.contains("by …/carol"), "{}", report.message);
}

/// The plan rests on data read before it was made: an action recorded after that read, even
/// before the plan itself, makes it stale (the health data was read at 90 s, alice's result was
/// written at 95 s, the plan was made at 100 s).
#[tokio::test]
async fn a_change_after_the_plans_data_was_read_makes_it_stale() {
    let (backend, store) = with_alice(10_000, 60);
    let read = start(&backend) + chrono::Duration::seconds(90);
    let made = read + chrono::Duration::seconds(10);
    let p = plan::failover(&fleet(&backend, read), "sample", "us-west-2", made).unwrap();
    let written = read + chrono::Duration::seconds(5);
    let record = crate::model::AuditRecord {
        ts: written,
        id: "alice-arc-1".into(),
        phase: Phase::Result,
        action: "failover".into(),
        service: "sample".into(),
        target: "eu-west-1".into(),
        request: serde_json::json!({}),
        actor: Some("arn:aws:sts::1:assumed-role/ops/alice".into()),
        outcome: Some("ok".into()),
        error: None,
        forced_reason: None,
        drill: true,
        team_lock: None,
    };
    let key = format!(
        "switchyard/audit/{}/alice-arc-1-result.json",
        written.format("%Y/%m/%d")
    );
    store
        .put(&key, serde_json::to_vec(&record).unwrap(), None, written)
        .unwrap();
    let log = temp_log("team-stale-data");
    let clock = Clock::fixed(made + chrono::Duration::seconds(3));
    // (Forced past preflight's freshness check, which the stale-plan check does not replace.)
    let report = exec(&backend, &log, &clock, None)
        .run(&p, Some("drill".into()))
        .await;
    assert_eq!(report.status, Status::Refused, "{report:?}");
    assert!(
        report
            .message
            .contains("changed after the data this plan rests on was read")
            && report.message.contains("by …/alice"),
        "{}",
        report.message
    );
}

/// A lease taken over while the action still verifies (its holder was judged lapsed): the
/// action's own result is no longer known to stand, so it ends unverified (exit 3), saying so.
#[tokio::test]
async fn an_action_whose_lease_is_taken_over_while_it_verifies_ends_unverified() {
    let plain = sim("region-outage");
    let memory = Arc::new(MemoryStore::new(Vec::new(), 1));
    // A lease of under a second: renewed every 300 ms.
    let backend = Backend::Sim(plain.with_team(TeamStore::memory(
        Arc::clone(&memory),
        Duration::from_millis(900),
    )));
    let act_at = start(&backend) + chrono::Duration::seconds(90);
    let p = plan::failover(&fleet(&backend, act_at), "sample", "us-west-2", act_at).unwrap();
    let log = temp_log("team-lost");
    // Simulated time 10 times faster: the DNS answer follows after about 1.5 s of wall time.
    let clock = Clock::sim(act_at, 10.0);
    let takeover = {
        let memory = Arc::clone(&memory);
        let clock = clock.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(400)).await;
            let key = "switchyard/locks/sample.json";
            let now = clock.now();
            let ours = memory.get(key, now).expect("our lease");
            let mut lease: crate::model::Lease = serde_json::from_slice(&ours.body).unwrap();
            lease.holder = "alice-laptop/1/alice-id".into();
            lease.actor = Some("arn:aws:sts::1:assumed-role/ops/alice".into());
            memory
                .put(
                    key,
                    serde_json::to_vec(&lease).unwrap(),
                    Some(&ours.etag),
                    now,
                )
                .unwrap();
        }
    };
    let execution = exec(&backend, &log, &clock, None);
    let (report, ()) = tokio::join!(execution.run(&p, None), takeover);
    assert_eq!(report.status, Status::Unverified, "{report:?}");
    assert!(
        report
            .message
            .contains("another operator may have acted on sample since"),
        "{}",
        report.message
    );
    assert!(
        report
            .team_lock
            .as_deref()
            .is_some_and(|l| l.contains("taken over by someone else")),
        "{report:?}"
    );
}
