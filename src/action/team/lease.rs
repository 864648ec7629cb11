//! The lease itself: taking it (fresh, our own lost answer, a takeover of an expired one by S3's
//! clock), renewing it while the action runs, releasing it, and how it is refused.

use crate::model::{Lease, SeenLease, Timestamp, short_actor};
use crate::source::team::{StoreError, TeamStore, seen_lease};
use std::sync::Mutex;
use std::time::Duration;

/// Rounds of create, read, take over that `acquire` makes at most.
const ROUNDS: u32 = 10;

/// 409 ConditionalRequestConflict answers retried in a row before giving up.
pub const CONFLICT_RETRIES: u32 = 5;

/// A random wait before retrying after a 409, growing with the attempt (50–100 ms, then up to
/// 800 ms), so that two writers that collided do not collide again.
pub fn jitter(attempt: u32) -> Duration {
    let base = 50u64 << attempt.min(4);
    Duration::from_millis(base + fastrand::u64(0..=base))
}

/// How the lease was taken.
// One value per action, never in a collection: the lease is kept whole, not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// It was free.
    Fresh,
    /// Our put was applied but its answer lost: the retry found our own lease (412, then the
    /// holder read back is us).
    OwnLostAnswer,
    /// Someone's lease had expired by S3's clock and was replaced (`If-Match` on its ETag).
    TakenOver(Box<SeenLease>),
}

// One value per action, never in a collection: the lease is kept whole, not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LeaseError {
    /// Someone else's lease is live.
    #[error("{}", held_message(.0))]
    Held(Box<SeenLease>),
    /// The bucket did not answer the first create, or refused it (no such bucket, access
    /// denied, credentials): nobody can be holding it through us, so a reason can force past.
    #[error("the team lock cannot be taken: {0}")]
    Unavailable(String),
    /// S3 answered that the lease exists or is being written (412, 409) but who holds it could
    /// not be told (the read failed, the key kept changing, it is not a lease): someone may be
    /// acting, so no reason forces past it.
    #[error("the team lock is someone's, or may be: {0}")]
    Unsure(String),
}

/// "sample is held by the team: failover sample → us-west-2 by …/alice on laptop-7, since
/// 15:02:11Z (40 s ago by S3's clock …)".
pub fn held_message(seen: &SeenLease) -> String {
    let l = &seen.lease;
    format!(
        "{} is being changed by someone else: {} {} → {} by {} on {}, since {} (lease renewed {} \
         s ago by S3's clock, lapses after {} s without renewal); nothing was sent. Wait for it \
         to finish (`switchyard audit --team`)",
        l.service,
        l.action,
        l.service,
        l.target,
        short_actor(l.actor.as_deref()),
        l.host,
        l.since.format("%H:%M:%SZ"),
        seen.age_s,
        l.lease_seconds,
    )
}

/// A lease this process holds.
pub struct Holding<'a> {
    store: &'a TeamStore,
    key: String,
    state: Mutex<(Lease, String)>,
    /// When the lease was last written by us (taken or renewed), on the monotonic clock.
    renewed: Mutex<std::time::Instant>,
}

impl<'a> Holding<'a> {
    /// Take the lease of `lease.service`, or say who holds it.
    #[allow(clippy::result_large_err)]
    pub async fn acquire(
        store: &'a TeamStore,
        lease: Lease,
        now: Timestamp,
    ) -> Result<(Holding<'a>, Taken), LeaseError> {
        let key = store.lock_key(&lease.service);
        let body = serde_json::to_vec(&lease)
            .map_err(|e| LeaseError::Unavailable(format!("cannot encode the lease: {e}")))?;
        // Once S3 has answered 412 or 409, the lease exists or is being written: what goes wrong
        // after that cannot be forced past.
        let mut answered = false;
        let fail = |answered: bool, e: String| {
            if answered {
                LeaseError::Unsure(e)
            } else {
                LeaseError::Unavailable(e)
            }
        };
        let mut conflicts = 0;
        // A takeover tried: if its answer is lost, the lease read back is ours and still a takeover.
        let mut tried_takeover: Option<SeenLease> = None;
        let held = |etag: String, taken| {
            Ok((
                Holding {
                    store,
                    key: key.clone(),
                    state: Mutex::new((lease.clone(), etag)),
                    renewed: Mutex::new(std::time::Instant::now()),
                },
                taken,
            ))
        };
        // Each round ends in an answer unless the object changes under us between our calls
        // (released, renewed, taken): a bound, so a key churned by others cannot hold us.
        for _ in 0..ROUNDS {
            let created = store.create(&key, body.clone(), now).await;
            answered |= matches!(
                created,
                Err(StoreError::Precondition | StoreError::Conflict)
            );
            let found = match created {
                Ok(etag) => return held(etag, Taken::Fresh),
                Err(StoreError::Precondition) => store.get(&key, now).await,
                Err(e) => Err(e),
            };
            let object = match found {
                Ok(Some(object)) => object,
                // Released between our put and our read: try again.
                Ok(None) => continue,
                Err(StoreError::Conflict) if conflicts < CONFLICT_RETRIES => {
                    conflicts += 1;
                    tokio::time::sleep(jitter(conflicts)).await;
                    continue;
                }
                Err(e) => return Err(fail(answered, format!("{}: {e}", store.location))),
            };
            let Some(seen) = seen_lease(&object) else {
                return Err(LeaseError::Unsure(format!(
                    "{}{key} holds something that is not a switchyard lease; remove it by hand \
                     if nobody is acting",
                    store.location.trim_end_matches(&store.prefix)
                )));
            };
            if seen.lease.holder == lease.holder {
                let taken = match tried_takeover.take() {
                    Some(previous) => Taken::TakenOver(Box::new(previous)),
                    None => Taken::OwnLostAnswer,
                };
                return held(object.etag, taken);
            }
            if !seen.expired() {
                return Err(LeaseError::Held(Box::new(seen)));
            }
            tried_takeover = Some(seen.clone());
            match store.replace(&key, body.clone(), &object.etag, now).await {
                Ok(etag) => return held(etag, Taken::TakenOver(Box::new(seen))),
                // Renewed or taken by someone else meanwhile: look again.
                Err(StoreError::Precondition) => continue,
                Err(StoreError::Conflict) if conflicts < CONFLICT_RETRIES => {
                    conflicts += 1;
                    tokio::time::sleep(jitter(conflicts)).await;
                }
                Err(e) => return Err(fail(true, format!("{}: {e}", store.location))),
            }
        }
        Err(LeaseError::Unsure(format!(
            "{}{key} changed under every attempt to take it ({ROUNDS} rounds); try again",
            store.location.trim_end_matches(&store.prefix)
        )))
    }

    /// How often the lease is rewritten: a third of it, so two renewals can fail before it lapses.
    pub fn renew_every(&self) -> Duration {
        (self.store.lease / 3).max(Duration::from_millis(300))
    }

    /// Rewrite the lease (`If-Match` on the last ETag). `Err` when someone else has it now: the
    /// bucket judged it expired and another operator took it over.
    pub async fn renew(&self, now: Timestamp) -> Result<(), String> {
        let (body, etag, holder) = {
            let Ok(mut state) = self.state.lock() else {
                return Ok(());
            };
            state.0.renewals += 1;
            (
                serde_json::to_vec(&state.0).unwrap_or_default(),
                state.1.clone(),
                state.0.holder.clone(),
            )
        };
        let keep_etag = |etag: String| {
            if let Ok(mut state) = self.state.lock() {
                state.1 = etag;
            }
            if let Ok(mut renewed) = self.renewed.lock() {
                *renewed = std::time::Instant::now();
            }
        };
        match self.store.replace(&self.key, body, &etag, now).await {
            Ok(etag) => {
                keep_etag(etag);
                Ok(())
            }
            // 412: someone else's version, or our own put applied with its answer lost (the
            // SDK's retry of it then fails `If-Match`). The holder read back tells which.
            Err(StoreError::Precondition) => match self.store.get(&self.key, now).await {
                Ok(Some(object))
                    if seen_lease(&object).is_some_and(|seen| seen.lease.holder == holder) =>
                {
                    keep_etag(object.etag);
                    Ok(())
                }
                Err(e) => {
                    tracing::warn!(%e, key = self.key, "team lease renewal: 412, then unread");
                    Ok(())
                }
                Ok(_) => Err(format!(
                    "the team lease on {} was taken over by someone else while this action ran",
                    self.key
                )),
            },
            // Tried again at the next renewal; the lease outlives two missed ones.
            Err(e) => {
                tracing::warn!(%e, key = self.key, "team lease renewal");
                Ok(())
            }
        }
    }

    /// Renew until the lease is lost (then return why): someone else took it over, or no
    /// renewal got through for as long as the lease lasts, so it has lapsed and anyone may take
    /// it. Never ends otherwise.
    pub async fn keep(&self, clock: &crate::source::Clock) -> String {
        loop {
            tokio::time::sleep(self.renew_every()).await;
            if let Err(lost) = self.renew(clock.now()).await {
                return lost;
            }
            let since = self
                .renewed
                .lock()
                .map_or(Duration::ZERO, |renewed| renewed.elapsed());
            if since >= self.store.lease {
                return format!(
                    "the team lease on {} could not be renewed for {} s and has lapsed",
                    self.key,
                    since.as_secs()
                );
            }
        }
    }

    /// Delete the lease (`If-Match`): only the version we wrote last.
    pub async fn release(self, now: Timestamp) {
        let etag = match self.state.lock() {
            Ok(state) => state.1.clone(),
            Err(_) => return,
        };
        let holder = match self.state.lock() {
            Ok(state) => state.0.holder.clone(),
            Err(_) => return,
        };
        match self.store.delete(&self.key, &etag, now).await {
            Ok(()) => {}
            // A renewal applied whose answer never came back (timed out, or dropped as the
            // action ended) moved the ETag: read it back, and delete it if it is still ours.
            Err(StoreError::Precondition) => match self.store.get(&self.key, now).await {
                Ok(Some(object))
                    if seen_lease(&object).is_some_and(|seen| seen.lease.holder == holder) =>
                {
                    if let Err(e) = self.store.delete(&self.key, &object.etag, now).await {
                        tracing::warn!(%e, key = self.key, "team lease release: it lapses by itself");
                    }
                }
                _ => tracing::info!(key = self.key, "team lease release: someone else's now"),
            },
            Err(e) => tracing::warn!(%e, key = self.key, "team lease release: it lapses by itself"),
        }
    }
}
