//! The team in the console (README, "Working as a team"): other operators' leases and recent
//! actions from the `team` source's last view, worded for a banner line, and the refusal of an
//! action key on a service someone else holds. This process's own lease and actions are left
//! out: its leases' holder starts with `HOST/PID/` ([`State::holder_prefix`]), and the audit ids
//! of the actions it ran are in [`State::own_actions`]. Ages come from `now`, never the clock.

use super::State;
use super::dialog::Tone;
use crate::model::{Phase, SeenLease, TeamAction, Timestamp, short_actor};
use crate::source::team::RECENT;

/// Recent actions named on the team's line at most (the rest: `switchyard audit --team`).
const RECENT_SHOWN: usize = 3;

/// A lease in the last view that is someone else's (not this process's).
fn others(state: &State) -> impl Iterator<Item = &SeenLease> {
    state
        .fleet
        .team
        .iter()
        .flat_map(|t| t.value.leases.iter())
        .filter(|l| !is_own_lease(state, l))
}

/// This process holds it: its holder is `HOST/PID/…` of this process, or its audit id is one
/// of this console's actions.
pub fn is_own_lease(state: &State, seen: &SeenLease) -> bool {
    state
        .holder_prefix
        .as_deref()
        .is_some_and(|p| seen.lease.holder.starts_with(p))
        || state.own_actions.contains(&seen.lease.audit_id)
}

/// Someone else's lease on `service` that still holds at `now` (by S3's clock at the last read,
/// aged since by `now`).
pub fn held_by_other<'a>(state: &'a State, service: &str, now: Timestamp) -> Option<&'a SeenLease> {
    let read_at = state.fleet.team.as_ref()?.fetched_at;
    others(state).find(|l| l.lease.service == service && l.live_at(read_at, now))
}

/// "40 s", "3 min", "2 h".
pub fn ago(seconds: i64) -> String {
    let s = seconds.max(0);
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s / 60)
    } else {
        format!("{} h", s / 3600)
    }
}

/// Why an action key on `service` is refused: someone else holds its lease. `None` when not.
pub fn refusal(state: &State, action: &str, service: &str, now: Timestamp) -> Option<String> {
    let seen = held_by_other(state, service, now)?;
    let l = &seen.lease;
    Some(format!(
        "{action} {service} refused: {} ({}) holds its team lease for {} → {} since {}, {} ago; \
         wait for it to end",
        short_actor(l.actor.as_deref()),
        l.host,
        l.action,
        l.target,
        l.since.format("%H:%M:%SZ"),
        ago(seen.running_s(now)),
    ))
}

/// The team's lines for the banner area, newest concern first: each live lease of someone
/// else's (its service, what, who, since when, running), each lapsed one (taken over by the next
/// action), then one line of the others' recent actions (the last 30 minutes) not still running.
pub fn lines(state: &State, now: Timestamp) -> Vec<(String, Tone)> {
    let Some(team) = state.fleet.team.as_ref() else {
        return Vec::new();
    };
    let read_at = team.fetched_at;
    let mut out = Vec::new();
    let mut running = Vec::new();
    for seen in others(state) {
        let l = &seen.lease;
        let who = short_actor(l.actor.as_deref());
        let started = ago(seen.running_s(now));
        if seen.live_at(read_at, now) {
            running.push(l.audit_id.clone());
            out.push((
                format!(
                    "team: {}: {} → {} by {who}, {started} ago, running",
                    l.service, l.action, l.target
                ),
                Tone::Warn,
            ));
        } else {
            let lapsed =
                seen.age_at(read_at, now) - i64::try_from(l.lease_seconds).unwrap_or(i64::MAX);
            out.push((
                format!(
                    "team: {}: {} → {} by {who}, {started} ago, lease lapsed {} ago without \
                     renewal (the next action takes it over)",
                    l.service,
                    l.action,
                    l.target,
                    ago(lapsed)
                ),
                Tone::Crit,
            ));
        }
    }
    let recent: Vec<TeamAction> = team
        .value
        .actions()
        .into_iter()
        .filter(|a| now - a.started <= RECENT)
        .filter(|a| !state.own_actions.contains(&a.id) && !running.contains(&a.id))
        .filter(|a| {
            // Held by this process: ours, though its id was not seen yet.
            !team
                .value
                .leases
                .iter()
                .any(|l| l.lease.audit_id == a.id && is_own_lease(state, l))
        })
        .collect();
    if !recent.is_empty() {
        let shown: Vec<String> = recent
            .iter()
            .take(RECENT_SHOWN)
            .map(|a| {
                format!(
                    "{} {} → {} by {}, {} ago, {}",
                    a.action,
                    a.service,
                    a.target,
                    short_actor(a.actor.as_deref()),
                    ago((now - a.started).num_seconds()),
                    phase_word(a)
                )
            })
            .collect();
        let more = match recent.len().saturating_sub(RECENT_SHOWN) {
            0 => String::new(),
            n => format!("; +{n} more (switchyard audit --team)"),
        };
        out.push((
            format!("team, last 30 min: {}{more}", shown.join("; ")),
            Tone::Ok,
        ));
    }
    out
}

/// Where the action got to, as its latest record says.
fn phase_word(action: &TeamAction) -> String {
    match action.phase {
        Phase::Intent => "no result recorded".into(),
        Phase::Result => match action.outcome.as_deref() {
            Some(outcome) if outcome != "ok" => {
                format!("result: {}", outcome.split(':').next().unwrap_or(outcome))
            }
            _ => "done, not verified".into(),
        },
        Phase::Verified => "verified".into(),
        Phase::Unverified => "not verified".into(),
        Phase::Acknowledged => "acknowledged".into(),
        Phase::Refused => "refused".into(),
    }
}
