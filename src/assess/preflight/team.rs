//! The team lease in preflight (README, "Working as a team"): what the `team` source last read
//! says about the lease the action will take when it runs. Someone else's live lease fails (the
//! action would be refused); a bucket that did not answer fails too, since the action is then
//! refused unless forced with a reason (and the reason asked for is this one); not read yet is
//! advisory: the lease itself decides when the action runs.

use super::{CheckStatus, Preflight};
use crate::fleet::Fleet;
use crate::model::{Timestamp, short_actor};
use crate::source::{SourceKey, SourceKind, TEAM_REGION};

pub const NAME: &str = "team lease";

/// Add the team lease's check for `service` (nothing without a team bucket).
pub fn team_lease(p: &mut Preflight, fleet: &Fleet, service: &str, now: Timestamp) {
    let key = SourceKey::new(SourceKind::Team, TEAM_REGION);
    let Some(status) = fleet.sources.get(&key) else {
        return;
    };
    let ago = |t: Timestamp| {
        format!(
            "{} ago",
            crate::assess::fmt_secs((now - t).to_std().unwrap_or_default().as_secs())
        )
    };
    if let Some(e) = &status.error {
        p.add(
            NAME,
            CheckStatus::Fail,
            format!(
                "the team bucket did not answer at the last read ({}; last answered {}): the \
                 action is refused unless forced with a reason, and then the other operators \
                 do not see it until the bucket answers",
                e.message,
                status.last_ok.map_or("never".to_string(), ago)
            ),
        );
        return;
    }
    let Some(team) = &fleet.team else {
        p.add(
            NAME,
            CheckStatus::Warn,
            "the team bucket has not been read yet; the lease is taken when the action runs",
        );
        return;
    };
    match team
        .value
        .leases
        .iter()
        .find(|l| l.lease.service == service && l.live_at(team.fetched_at, now))
    {
        Some(seen) => p.add(
            NAME,
            CheckStatus::Fail,
            format!(
                "{} ({}) holds it for {} → {} since {}; the action would be refused: wait for \
                 it to end",
                short_actor(seen.lease.actor.as_deref()),
                seen.lease.host,
                seen.lease.action,
                seen.lease.target,
                seen.lease.since.format("%H:%M:%SZ"),
            ),
        ),
        None => p.add(
            NAME,
            CheckStatus::Pass,
            format!(
                "free at the last read ({}); taken when the action runs",
                ago(team.fetched_at)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::config::Thresholds;
    use crate::fleet::testing::{at, sim};
    use crate::source::{ErrorKind, Fetched, SourceError};

    fn check(fleet: &Fleet, service: &str, now: Timestamp) -> Option<(CheckStatus, String)> {
        let mut p = Preflight::default();
        team_lease(&mut p, fleet, service, now);
        p.checks
            .iter()
            .find(|c| c.name == NAME)
            .map(|c| (c.status, c.detail.clone()))
    }

    #[test]
    fn the_team_lease_check_follows_the_team_sources_last_read() {
        // two-responders: alice holds sample's lease from 3 min for 90 s.
        let backend = sim("two-responders");
        let during = at(&backend, 200);
        let fleet = Fleet::simulated(&backend, during, Thresholds::default());
        let (status, detail) = check(&fleet, "sample", during).unwrap();
        assert_eq!(status, CheckStatus::Fail, "{detail}");
        assert!(detail.starts_with("…/alice ("), "{detail}");
        let (status, _) = check(&fleet, "billing", during).unwrap();
        assert_eq!(status, CheckStatus::Pass, "another service is free");

        // The bucket stops answering: refused unless forced, and the check says why.
        let mut failing = fleet.clone();
        failing.apply(Fetched {
            key: SourceKey::new(SourceKind::Team, TEAM_REGION),
            at: during,
            calls: 1,
            route53_calls: 0,
            result: Err(SourceError::new(
                ErrorKind::Timeout,
                "no answer from the bucket",
            )),
            partial: None,
        });
        let (status, detail) = check(&failing, "billing", during).unwrap();
        assert_eq!(status, CheckStatus::Fail);
        assert!(
            detail.contains("no answer from the bucket") && detail.contains("forced with a reason"),
            "{detail}"
        );

        // Not read yet: advisory only.
        let unread = Fleet::new(
            backend.services(),
            &backend.schedule(),
            Thresholds::default(),
        );
        assert_eq!(
            check(&unread, "billing", during).map(|c| c.0),
            Some(CheckStatus::Warn)
        );

        // Without a team bucket there is no such check.
        let plain = sim("region-outage");
        let fleet = Fleet::simulated(&plain, at(&plain, 200), Thresholds::default());
        assert_eq!(check(&fleet, "sample", at(&plain, 200)), None);
    }
}
