//! The team lease (`action::team::Holding`) over the simulation's store, which follows S3's
//! conditional-write rules (S3 User Guide, "Conditional writes" / "How to prevent object
//! overwrites with conditional writes"): `If-None-Match: *` creates only what is absent (412
//! otherwise), `If-Match` replaces or deletes only the version read (412 otherwise). Ages are
//! judged by the store's clock (S3's), never the caller's.

use crate::action::team::{CONFLICT_RETRIES, Holding, LeaseError, Taken, held_message, jitter};
use crate::fleet::testing::t;
use crate::model::{LEASE_SCHEMA, Lease, Timestamp};
use crate::source::team::memory::{MemoryStore, Teammate};
use crate::source::team::{StoreError, TeamStore};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "switchyard/locks/sample.json";

fn store(teammates: Vec<Teammate>) -> TeamStore {
    TeamStore::memory(
        Arc::new(MemoryStore::new(teammates, 120)),
        Duration::from_secs(120),
    )
}

/// A lease of `sample` by `who` (its holder id is `who`'s own), taken at `since`.
fn lease(who: &str, target: &str, since: Timestamp) -> Lease {
    Lease {
        schema: LEASE_SCHEMA.into(),
        holder: format!("{who}-laptop/4242/{who}-id"),
        actor: Some(format!("arn:aws:sts::111122223333:assumed-role/ops/{who}")),
        host: format!("{who}-laptop"),
        action: "failover".into(),
        service: "sample".into(),
        target: target.into(),
        plan_digest: "ab".repeat(32),
        audit_id: format!("{who}-id"),
        since,
        lease_seconds: 120,
        renewals: 0,
    }
}

/// Someone else's lease written straight into the store at `at`, as their process would.
async fn written_by_someone_else(store: &TeamStore, who: &str, at: Timestamp) -> String {
    let body = serde_json::to_vec(&lease(who, "us-west-2", at)).unwrap();
    store.create(KEY, body, at).await.unwrap()
}

/// The lease body in the bucket now.
async fn stored(store: &TeamStore, now: Timestamp) -> (Lease, String, Timestamp) {
    let object = store.get(KEY, now).await.unwrap().expect("a lease object");
    (
        serde_json::from_slice(&object.body).unwrap(),
        object.etag,
        object.last_modified,
    )
}

#[tokio::test]
async fn a_free_lease_is_created_with_who_what_and_since() {
    let store = store(Vec::new());
    let mine = lease("bob", "us-west-2", t(0));
    let (holding, taken) = Holding::acquire(&store, mine.clone(), t(0)).await.unwrap();
    assert_eq!(taken, Taken::Fresh);
    let (body, _, written) = stored(&store, t(1)).await;
    assert_eq!(body, mine, "the object is our lease body as sent");
    assert_eq!(written, t(0));
    assert_eq!(store.lock_key("sample"), KEY);
    holding.release(t(2)).await;
    assert_eq!(store.get(KEY, t(3)).await.unwrap(), None, "released");
}

#[tokio::test]
async fn a_live_lease_refuses_with_who_holds_it_what_and_since_when() {
    let store = store(Vec::new());
    written_by_someone_else(&store, "alice", t(0)).await;
    // Exactly at its lease seconds it still holds (S3's LastModified is in whole seconds).
    for now in [t(30), t(120)] {
        let refused = Holding::acquire(&store, lease("bob", "us-east-1", now), now).await;
        let Err(LeaseError::Held(seen)) = refused else {
            panic!("expected Held at {now}, got {:?}", refused.map(|r| r.1));
        };
        assert_eq!(seen.lease.holder, "alice-laptop/4242/alice-id");
        assert_eq!(
            seen.age_s,
            (now - t(0)).num_seconds(),
            "aged by the store's clock"
        );
        assert!(!seen.expired());
        let message = held_message(&seen);
        for part in [
            "sample is being changed by someone else",
            "failover sample → us-west-2",
            "by …/alice on alice-laptop",
            &format!("since {}", t(0).format("%H:%M:%SZ")),
            &format!("renewed {} s ago by S3's clock", seen.age_s),
            "lapses after 120 s",
            "nothing was sent",
        ] {
            assert!(message.contains(part), "{part:?} not in {message}");
        }
    }
    let (body, _, _) = stored(&store, t(121)).await;
    assert_eq!(
        body.holder, "alice-laptop/4242/alice-id",
        "alice's lease untouched"
    );
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_with_if_match_on_its_etag() {
    let store = store(Vec::new());
    let theirs = written_by_someone_else(&store, "alice", t(0)).await;
    let (holding, taken) = Holding::acquire(&store, lease("bob", "us-east-1", t(121)), t(121))
        .await
        .unwrap();
    let Taken::TakenOver(previous) = taken else {
        panic!("expected a takeover, got {taken:?}");
    };
    assert_eq!(previous.lease.holder, "alice-laptop/4242/alice-id");
    assert_eq!(previous.age_s, 121);
    assert!(previous.expired());
    let (body, etag, written) = stored(&store, t(122)).await;
    assert_eq!(body.holder, "bob-laptop/4242/bob-id");
    assert_ne!(etag, theirs);
    assert_eq!(written, t(121));
    // Alice's process comes back: its If-Match on its old ETag fails, so it cannot clobber ours.
    assert_eq!(
        store.replace(KEY, b"alice".to_vec(), &theirs, t(123)).await,
        Err(StoreError::Precondition)
    );
    holding.release(t(124)).await;
    assert_eq!(store.get(KEY, t(125)).await.unwrap(), None);
}

#[tokio::test]
async fn our_own_lease_found_after_a_412_is_ours_the_answer_was_lost() {
    // Our first put was applied but its answer never came: the retry finds the object (412),
    // and the holder read back is ours.
    let store = store(Vec::new());
    let mine = lease("bob", "us-west-2", t(0));
    store
        .create(KEY, serde_json::to_vec(&mine).unwrap(), t(0))
        .await
        .unwrap();
    let (holding, taken) = Holding::acquire(&store, mine, t(1)).await.unwrap();
    assert_eq!(taken, Taken::OwnLostAnswer);
    holding.release(t(2)).await;
    assert_eq!(
        store.get(KEY, t(3)).await.unwrap(),
        None,
        "the ETag read back is the one released"
    );
}

#[tokio::test]
async fn renew_rewrites_the_lease_and_moves_its_etag() {
    let store = store(Vec::new());
    let (holding, _) = Holding::acquire(&store, lease("bob", "us-west-2", t(0)), t(0))
        .await
        .unwrap();
    assert_eq!(
        holding.renew_every(),
        Duration::from_secs(40),
        "a third of 120 s"
    );
    let (_, first, _) = stored(&store, t(1)).await;
    holding.renew(t(40)).await.unwrap();
    holding.renew(t(80)).await.unwrap();
    let (body, etag, written) = stored(&store, t(81)).await;
    assert_ne!(etag, first);
    assert_eq!(body.renewals, 2);
    assert_eq!(written, t(80), "LastModified moves with each renewal");
    // 150 s after it was taken, but 70 s after its last renewal: still live.
    let refused = Holding::acquire(&store, lease("carol", "us-east-1", t(150)), t(150)).await;
    assert!(matches!(refused, Err(LeaseError::Held(_))));
    holding.release(t(151)).await;
    assert_eq!(store.get(KEY, t(152)).await.unwrap(), None);
}

#[tokio::test]
async fn someone_elses_takeover_is_reported_by_renew_and_survives_our_release() {
    let store = store(Vec::new());
    let (holding, _) = Holding::acquire(&store, lease("bob", "us-west-2", t(0)), t(0))
        .await
        .unwrap();
    // Bob's process stalled past the lease; carol found it expired and took it over.
    let (carols, taken) = Holding::acquire(&store, lease("carol", "us-east-1", t(200)), t(200))
        .await
        .unwrap();
    assert!(matches!(taken, Taken::TakenOver(_)), "{taken:?}");
    let lost = holding.renew(t(201)).await.expect_err("the lease is gone");
    assert!(
        lost.contains("taken over by someone else") && lost.contains(KEY),
        "{lost}"
    );
    // Bob's release deletes only the version bob wrote last: carol's stays.
    holding.release(t(202)).await;
    let (body, _, _) = stored(&store, t(203)).await;
    assert_eq!(body.holder, "carol-laptop/4242/carol-id");
    carols.release(t(204)).await;
    assert_eq!(store.get(KEY, t(205)).await.unwrap(), None);
}

#[tokio::test]
async fn a_scripted_teammate_holds_the_lease_while_its_action_runs() {
    let alice = Teammate {
        at: t(100),
        seconds: 60,
        actor: "arn:aws:sts::111122223333:assumed-role/ops/alice".into(),
        host: "alice-laptop".into(),
        action: "failover".into(),
        service: "sample".into(),
        target: "us-west-2".into(),
    };
    let store = store(vec![alice]);
    let refused = Holding::acquire(&store, lease("bob", "us-east-1", t(130)), t(130)).await;
    let Err(LeaseError::Held(seen)) = refused else {
        panic!("expected Held, got {:?}", refused.map(|r| r.1));
    };
    assert_eq!(seen.lease.host, "alice-laptop");
    assert_eq!(seen.age_s, 30);
    let (holding, taken) = Holding::acquire(&store, lease("bob", "us-east-1", t(161)), t(161))
        .await
        .unwrap();
    assert_eq!(taken, Taken::Fresh, "released when her action ended");
    holding.release(t(162)).await;
}

#[tokio::test]
async fn an_object_that_is_not_a_lease_is_never_overwritten() {
    let store = store(Vec::new());
    store
        .create(KEY, b"someone's notes".to_vec(), t(0))
        .await
        .unwrap();
    let refused = Holding::acquire(&store, lease("bob", "us-west-2", t(500)), t(500)).await;
    let Err(LeaseError::Unsure(why)) = refused else {
        panic!("expected Unsure, got {:?}", refused.map(|r| r.1));
    };
    assert!(
        why.contains(KEY) && why.contains("not a switchyard lease"),
        "{why}"
    );
    let object = store.get(KEY, t(501)).await.unwrap().unwrap();
    assert_eq!(object.body, b"someone's notes");
}

#[test]
fn the_wait_after_a_409_is_random_and_grows_with_the_attempt() {
    for attempt in 1..=CONFLICT_RETRIES {
        let base = 50u64 << attempt.min(4);
        let waits: Vec<Duration> = (0..64).map(|_| jitter(attempt)).collect();
        for wait in &waits {
            assert!(
                (base..=2 * base).contains(&(wait.as_millis() as u64)),
                "attempt {attempt}: {wait:?}"
            );
        }
        assert!(
            waits.iter().any(|w| *w != waits[0]),
            "attempt {attempt}: jitter, not a fixed wait"
        );
    }
}

/// A renewal that S3 applied but whose answer never came back (timed out, or dropped as the
/// action ended) leaves us with an old ETag: the release's `If-Match` then meets 412. The lease
/// read back is still ours (our holder), so it is deleted with the ETag read, not left to block
/// the team until it lapses. Someone else's lease there is left alone.
#[tokio::test]
async fn a_release_after_a_renewal_whose_answer_was_lost_still_deletes_our_lease() {
    let store = store(Vec::new());
    let mine = lease("bob", "us-west-2", t(0));
    let (holding, _) = Holding::acquire(&store, mine.clone(), t(0)).await.unwrap();
    // The applied renewal, as S3 has it: our body, a new ETag we never saw.
    let (_, etag, _) = stored(&store, t(1)).await;
    let renewed = Lease {
        renewals: 1,
        ..mine.clone()
    };
    store
        .replace(KEY, serde_json::to_vec(&renewed).unwrap(), &etag, t(40))
        .await
        .unwrap();
    holding.release(t(41)).await;
    assert_eq!(store.get(KEY, t(42)).await.unwrap(), None, "released");

    // Taken over by alice meanwhile: her lease stays.
    let (holding, _) = Holding::acquire(&store, mine, t(100)).await.unwrap();
    let (_, etag, _) = stored(&store, t(101)).await;
    let alices = lease("alice", "eu-west-1", t(300));
    store
        .replace(KEY, serde_json::to_vec(&alices).unwrap(), &etag, t(300))
        .await
        .unwrap();
    holding.release(t(301)).await;
    assert_eq!(stored(&store, t(302)).await.0, alices);
}
