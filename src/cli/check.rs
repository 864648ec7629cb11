//! `switchyard check`: is the pending build in every region? Exit 0 ready, 1 not, 3 unknown.

use crate::assess::Verdict;
use crate::report;
use crate::session::{Failure, Session, exit};

pub async fn run(mut session: Session, service: Option<&str>, json: bool) -> Result<u8, Failure> {
    let now = session.collect_once().await;
    super::record_observation(&session, now);
    let fleet = &session.fleet;
    if let Some(name) = service
        && fleet.service(name).is_none()
    {
        let known: Vec<&str> = fleet
            .services
            .iter()
            .map(|s| s.service.name.as_str())
            .collect();
        return Err(Failure::usage(format!(
            "no service `{name}`; known services: {}",
            known.join(", ")
        )));
    }
    let check = report::check(fleet, service, now);
    if json {
        let text = serde_json::to_string_pretty(&check)
            .map_err(|e| Failure::runtime(format!("cannot encode the check as JSON: {e}")))?;
        println!("{text}");
    } else {
        for s in &check.services {
            let verdict = match s.verdict {
                Verdict::Ready => "READY",
                Verdict::NotReady => "NOT READY",
                Verdict::Unknown => "UNKNOWN",
            };
            let what = if s.pending_approval {
                "pending approval"
            } else {
                "newest build"
            };
            println!("{}: {verdict} ({what})", s.name);
            for a in s.artifacts.iter().take(1) {
                for r in &a.regions {
                    let lag = crate::assess::fmt_lag(r.lag_s, r.lag_resolution_s)
                        .map(|l| format!(" lag {l}"))
                        .unwrap_or_default();
                    println!("  {:<16} {:<10} {}{lag}", r.region, r.status.label(), a.key);
                }
            }
            for reason in &s.reasons {
                println!("  - {reason}");
            }
        }
    }
    Ok(match check.verdict {
        Verdict::Ready => exit::OK,
        Verdict::NotReady => exit::NOT_OK,
        Verdict::Unknown => exit::UNKNOWN,
    })
}
