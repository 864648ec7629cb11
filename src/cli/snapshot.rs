//! `switchyard snapshot`: fetch every source once and print the state (text or JSON).

use crate::report;
use crate::session::{Failure, Session, exit};

pub async fn run(mut session: Session, json: bool) -> Result<u8, Failure> {
    let now = session.collect_once().await;
    super::record_observation(&session, now);
    let fleet = &session.fleet;
    let snapshot = report::snapshot(fleet, now);
    if json {
        let text = serde_json::to_string_pretty(&snapshot)
            .map_err(|e| Failure::runtime(format!("cannot encode the snapshot as JSON: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", text(&snapshot));
    }
    Ok(if report::any_source_failed(fleet) {
        exit::NOT_OK
    } else {
        exit::OK
    })
}

/// The snapshot for people: one block per service, findings last.
fn text(snapshot: &report::Snapshot) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let opt = |v: Option<String>| v.unwrap_or_else(|| "?".into());
    let _ = writeln!(
        out,
        "switchyard snapshot at {}",
        snapshot
            .taken_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    for s in &snapshot.services {
        let ready = match s.ready_to_approve {
            Some(true) => "ready to approve",
            Some(false) => "NOT ready to approve",
            None => "readiness unknown",
        };
        let _ = writeln!(
            out,
            "\n{} ({}): serving {} (primary {}); {ready}",
            s.name,
            s.domain,
            opt(s.serving_region.clone()),
            s.primary_region
        );
        for r in &s.regions {
            let health = r.health.as_ref().map_or("health ?".to_string(), |h| {
                let flags = match (h.inverted, h.disabled) {
                    (Some(inverted), Some(disabled)) => {
                        [(inverted, " INVERTED"), (disabled, " DISABLED")]
                            .iter()
                            .filter(|(on, _)| *on)
                            .map(|(_, f)| *f)
                            .collect::<String>()
                    }
                    _ => " FLAGS UNKNOWN (configuration not read)".to_string(),
                };
                format!(
                    "health {} (effective {}){flags}, {} checkers healthy",
                    h.status.label(),
                    h.effective_status.label(),
                    opt(h.checkers_healthy_pct.map(|p| format!("{p:.0}%")))
                )
            });
            let _ = writeln!(out, "  {:<16} {:<9} {health}", r.region, r.role.label());
            for f in r.functions.iter().flatten() {
                let _ = writeln!(
                    out,
                    "    λ {:<24} {} inv, {} err ({}), p99 {}",
                    f.name,
                    opt(f.invocations.map(|v| v.to_string())),
                    opt(f.errors.map(|v| v.to_string())),
                    f.error_rate_pct
                        .map_or("no rate".into(), |r| format!("{r:.2}%")),
                    opt(f.p99_ms.map(|v| format!("{v:.0} ms")))
                );
            }
            for a in r.artifacts.iter().flatten().take(1) {
                let lag = crate::assess::fmt_lag(a.lag_s, a.lag_resolution_s)
                    .map(|l| format!(", lag {l}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "    artifact {} {}{lag}", a.key, a.status.label());
            }
            for d in r.domains.iter().flatten() {
                let drift = match d.drift {
                    Some(true) => "  DRIFT",
                    Some(false) => "",
                    None => "  DNS UNKNOWN (records unavailable)",
                };
                let _ = writeln!(
                    out,
                    "    domain {} -> {}{drift}",
                    d.name,
                    opt(d.dns_target.clone())
                );
            }
        }
        if let Some(p) = &s.pipeline {
            let pending = p.pending_approval.as_ref().map_or_else(
                || {
                    if p.known {
                        "no pending approval"
                    } else {
                        "state unknown (see the sources that failed)"
                    }
                    .to_string()
                },
                |a| {
                    format!(
                        "approval {}/{} pending since {}",
                        a.stage,
                        a.action,
                        a.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    )
                },
            );
            let _ = writeln!(out, "  pipeline {}: {pending}", p.name);
        }
        for f in &s.findings {
            let _ = writeln!(out, "  [{}] {}", f.severity.label(), f.message);
        }
    }
    let failed: Vec<String> = snapshot
        .sources
        .iter()
        .filter_map(|s| {
            s.error
                .as_ref()
                .map(|e| format!("  {}@{}: {e}", s.source, s.region))
        })
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nsources that failed:\n{}", failed.join("\n"));
    }
    out
}
