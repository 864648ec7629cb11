//! The team lease (README, "Working as a team"): one action per service across every operator.
//! Before an action's intent, `PREFIX/locks/SERVICE.json` is created with `If-None-Match: *`;
//! while the action and its verification run it is rewritten with `If-Match` every third of
//! the lease; at the end it is deleted with `If-Match`. Whoever finds it held is refused with who
//! holds it; a lease past its time by S3's clock (the holder crashed or was cut off) is taken over
//! with `If-Match` on the expired object's ETag, and the takeover is recorded in the intent.

mod lease;

pub use lease::{CONFLICT_RETRIES, Holding, LeaseError, Taken, held_message, jitter};

use super::plan::Plan;
use crate::model::{AuditRecord, Lease, Phase, Timestamp};
use crate::source::Clock;
use crate::source::team::TeamStore;
use std::sync::Mutex;
use std::time::Duration;

/// Take the team lease of the plan's service: the lease (none when forced past an
/// unreachable bucket) and the line the intent records, or why the action is refused.
pub async fn take<'a>(
    store: &'a TeamStore,
    plan: &Plan,
    id: &str,
    actor: Option<&str>,
    clock: &Clock,
    forced_reason: Option<&str>,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Result<(Option<Holding<'a>>, String), String> {
    wait_for_the_test_moment().await;
    let host = host();
    let lease = Lease {
        schema: crate::model::LEASE_SCHEMA.to_string(),
        holder: format!("{host}/{}/{id}", std::process::id()),
        actor: actor.map(str::to_string),
        host,
        action: plan.action.name().to_string(),
        service: plan.service.clone(),
        target: plan.target.clone(),
        plan_digest: digest(&plan.request()),
        audit_id: id.to_string(),
        since: chrono::Utc::now(),
        lease_seconds: store.lease.as_secs().max(1),
        renewals: 0,
    };
    let key = store.lock_key(&plan.service);
    match Holding::acquire(store, lease, clock.now()).await {
        Ok((holding, taken)) => {
            if let Some(stale) = changed_since_plan(store, plan, clock.now()).await {
                holding.release(clock.now()).await;
                return Err(stale);
            }
            let line = match taken {
                Taken::Fresh => format!("held: {key}"),
                Taken::OwnLostAnswer => format!(
                    "held: {key} (the answer to our put was lost; the lease read back is ours)"
                ),
                Taken::TakenOver(previous) => {
                    // The action whose lease lapsed is named by its audit id: two operators on
                    // one host with one role are otherwise the same line.
                    let line = format!(
                        "taken over: {key} from {} (action {}; lease written {} s before, by \
                         S3's clock; it lapses after {} s)",
                        previous.lease.describe(),
                        previous.lease.audit_id,
                        previous.age_s,
                        previous.lease.lease_seconds
                    );
                    progress(line.clone());
                    line
                }
            };
            Ok((Some(holding), line))
        }
        Err(LeaseError::Held(seen)) => Err(held_message(&seen)),
        Err(e @ LeaseError::Unsure(_)) => Err(format!(
            "{e}; nothing was sent, and no reason forces past this: look at the lease \
             (`switchyard audit --team`) and try again"
        )),
        Err(LeaseError::Unavailable(why)) => match forced_reason {
            Some(_) => {
                let line = format!("not held: {why}");
                progress(format!("forced without the team lock: {why}"));
                Ok((None, line))
            }
            None => Err(format!(
                "{why}; nothing was sent. To act without the team lock (other operators \
                 will not see this action until the bucket answers): --force --reason TEXT"
            )),
        },
    }
}

/// An action on the plan's service recorded in the team's trail by another process after
/// the plan's data was read: the plan rests on what was true before it, so it is refused (with the
/// lease held, nobody can start one while this action runs). Two failovers to different
/// regions one after the other are caught here, which no version or token at AWS does for
/// ARC. This process's own records are left out (the console plans again on its own
/// results). A trail that cannot be read is logged, not a refusal: the lease was taken.
pub async fn changed_since_plan(store: &TeamStore, plan: &Plan, now: Timestamp) -> Option<String> {
    let made_at = plan.made_at?;
    // Written after the plan by S3's clock (a writer's own clock may be behind ours). The
    // listing starts a little earlier, for S3's clock and ours to differ by a few seconds.
    let from = made_at - chrono::Duration::seconds(60);
    let records = match store.written_records(from, now, 500).await {
        Ok(records) => records,
        Err(e) => {
            tracing::warn!(%e, "team trail: cannot tell whether the plan is stale");
            return None;
        }
    };
    let (_, r) = records.iter().rev().find(|(written, r)| {
        r.service == plan.service && *written > made_at && !is_own(&r.id) && changed(&records, r)
    })?;
    let phase = r.phase.name();
    Some(format!(
        "{} changed after the data this plan rests on was read ({}): {} {} → {} by {} recorded {phase} at {}; \
         nothing was sent. Plan again on fresh data",
        plan.service,
        made_at.format("%H:%M:%SZ"),
        r.action,
        r.service,
        r.target,
        crate::model::short_actor(r.actor.as_deref()),
        r.ts.format("%H:%M:%SZ"),
    ))
}

/// The audit ids of the actions this process started (whose records are not someone else's
/// change for the stale-plan check).
static OWN_IDS: std::sync::LazyLock<Mutex<std::collections::BTreeSet<String>>> =
    std::sync::LazyLock::new(Mutex::default);

/// Remember `id` as an action of this process's.
pub fn mark_own(id: &str) {
    if let Ok(mut own) = OWN_IDS.lock() {
        own.insert(id.to_string());
    }
}

fn is_own(id: &str) -> bool {
    OWN_IDS.lock().is_ok_and(|own| own.contains(id))
}

/// Whether `r` stands for a change that may have happened: not an acknowledgement (someone
/// closing an old action by hand), and not part of an action whose result says nothing was
/// applied (refused, failed, conflict with no call made).
fn changed(records: &[(Timestamp, AuditRecord)], r: &AuditRecord) -> bool {
    if r.phase == Phase::Acknowledged {
        return false;
    }
    !records.iter().any(|(_, other)| {
        other.id == r.id
            && other.phase == Phase::Result
            && other
                .outcome
                .as_deref()
                .is_some_and(|o| super::audit::outcome::NOTHING_APPLIED.contains(&o))
    })
}

/// Debug builds only: `SWITCHYARD_TEST_LEASE_AT` (Unix milliseconds) holds the lease request
/// until that moment, so a test can make two processes press the key at once.
async fn wait_for_the_test_moment() {
    #[cfg(debug_assertions)]
    if let Some(at) = std::env::var("SWITCHYARD_TEST_LEASE_AT")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
    {
        let wait = at - chrono::Utc::now().timestamp_millis();
        if let Ok(ms) = u64::try_from(wait) {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }
}

/// The plan's exact request, as a SHA-256 hex digest (the lease's `plan_digest`).
pub fn digest(request: &serde_json::Value) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(request.to_string().as_bytes()))
}

/// This machine's name, for the lease's `host`.
pub fn host() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}
