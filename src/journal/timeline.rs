//! The incident timeline (README, "Incident timeline"): the `switchyard.timeline/1` document
//! made from events (the journal's with the audit trails' actions, or the simulation's replay),
//! with the milestones a postmortem asks for and the durations between them, and its Markdown.
//! Pure: no I/O, no clock.
//!
//! The milestones are suggestions, read from the events in the window (oldest first):
//! - **impact detected**: the first critical finding raised (or changed to critical), the first
//!   `error_rate_high` finding raised at any severity (an error-rate breach), or the first
//!   region whose health turned unhealthy (critical);
//! - **mitigated**: after the impact, the serving region moved away from the impacted region
//!   and this is confirmed: DNS answers the new region (`serving_changed` of subject `dns`), or a
//!   failover ended `verified`, whichever comes first. For a service with no DNS
//!   signal anywhere in what was read, the health model's serving change counts, marked
//!   `verified: false`;
//! - **resolved**: after the impact, the first moment nothing bearing impact is open: no
//!   critical finding or unhealthy region, no error-rate breach. What is open is followed from
//!   every event read, including those before the window; impact already open when the window
//!   starts is listed (`open_at_start`), and then mitigated and resolved are looked for from the
//!   window's start.

use crate::model::{Event, EventKind, FindingCode, Severity, Timestamp};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The `schema` of the document.
pub const TIMELINE_SCHEMA: &str = "switchyard.timeline/1";

/// Where the events came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// The incident journal, with the actions of the audit log (and the team's trail) that it
    /// does not hold.
    Journal {
        /// The journal's file.
        path: String,
        /// The local audit log merged in.
        audit_log: String,
        /// With `[team]`: the team's trail merged in (bucket and prefix).
        #[serde(skip_serializing_if = "Option::is_none")]
        team: Option<String>,
    },
    /// The simulation replayed from the scenario's start.
    Simulation {
        scenario: String,
        /// How far into the scenario it was replayed, in seconds.
        at_s: i64,
        /// Drills (actions of the drill log) replayed at their simulated moments.
        drills: usize,
    },
}

/// One milestone: the event that marks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Milestone {
    /// When it happened as best known: the event's AWS time where given, else when observed.
    pub at: Timestamp,
    /// The event, by its index in the timeline's `events`.
    pub event: usize,
    pub kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub message: String,
    /// Mitigated only: `true` when DNS answers the new region or the action ended verified;
    /// `false` for the health model's serving change of a service with no DNS signal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// The suggested milestones; `None` where the events do not reach one.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Milestones {
    pub impact_detected: Option<Milestone>,
    /// The mitigation that held: the traffic did not go back to the impacted region after it.
    pub mitigated: Option<Milestone>,
    pub resolved: Option<Milestone>,
    /// Mitigations that did not hold, oldest first: the traffic went back to the impacted
    /// region (an inverted check of a failing region counts as healthy, so Route 53 may send
    /// the traffic straight back).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undone: Vec<Undone>,
}

/// A mitigation, and the return of the traffic to the impacted region that undid it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Undone {
    pub mitigated: Milestone,
    pub reverted: Milestone,
}

/// Seconds between the milestones; `None` where either is not reached.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Durations {
    pub detected_to_mitigated_s: Option<i64>,
    pub mitigated_to_resolved_s: Option<i64>,
    pub detected_to_resolved_s: Option<i64>,
}

/// The `switchyard.timeline/1` document (README, "JSON output").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// Always [`TIMELINE_SCHEMA`].
    pub schema: &'static str,
    pub from: Timestamp,
    pub to: Timestamp,
    /// The services it covers (with `--service`, that one).
    pub services: Vec<String>,
    pub source: Origin,
    /// Oldest first (by when observed), each a `switchyard.event/1` object.
    pub events: Vec<Event>,
    pub milestones: Milestones,
    pub durations: Durations,
    /// Signals bearing impact that were already open when the window starts.
    pub open_at_start: Vec<String>,
    /// What the reader should know about how it was made (a trail that could not be read, a
    /// drill's call the replay could not make again).
    pub notes: Vec<String>,
    /// Journal lines that could not be read (a torn last line after a crash).
    pub skipped: usize,
}

impl Timeline {
    /// The timeline of `events` (those in the window) given `prior` (every event read before
    /// the window, oldest first: what was open when it starts). Events are ordered oldest first
    /// by when they were observed, keeping the given order among equal times.
    pub fn new(
        from: Timestamp,
        to: Timestamp,
        services: Vec<String>,
        source: Origin,
        prior: &[Event],
        mut events: Vec<Event>,
    ) -> Timeline {
        events.sort_by_key(|e| e.observed);
        let (milestones, open_at_start) = milestones(prior, &events);
        let between = |a: &Option<Milestone>, b: &Option<Milestone>| match (a, b) {
            (Some(a), Some(b)) => Some((b.at - a.at).num_seconds()),
            _ => None,
        };
        let durations = Durations {
            detected_to_mitigated_s: between(&milestones.impact_detected, &milestones.mitigated),
            mitigated_to_resolved_s: between(&milestones.mitigated, &milestones.resolved),
            detected_to_resolved_s: between(&milestones.impact_detected, &milestones.resolved),
        };
        Timeline {
            schema: TIMELINE_SCHEMA,
            from,
            to,
            services,
            source,
            events,
            milestones,
            durations,
            open_at_start,
            notes: Vec::new(),
            skipped: 0,
        }
    }
}

/// Whether the event opens (`true`) or closes (`false`) impact on its signal; `None` for events
/// that do not bear on it. A flapping event gives the value it flapped to: a finding's
/// severity, a region's health (unhealthy counts as critical there).
fn bearing(e: &Event) -> Option<bool> {
    let signal = e.signal.as_deref()?;
    let error_rate = e.code == Some(FindingCode::ErrorRateHigh);
    match e.kind {
        EventKind::FindingRaised | EventKind::FindingChanged => {
            Some(e.severity == Severity::Critical || error_rate)
        }
        EventKind::FindingCleared => Some(false),
        EventKind::HealthChanged => Some(e.severity == Severity::Critical),
        EventKind::Flapping if signal.starts_with("finding/") => {
            Some(e.after.as_deref() == Some("critical") || (error_rate && e.after.is_some()))
        }
        EventKind::Flapping if signal.starts_with("health/") => {
            Some(e.after.as_deref() == Some("unhealthy"))
        }
        _ => None,
    }
}

/// Whether the event is impact being detected (see the module's documentation).
fn is_impact(e: &Event) -> bool {
    match e.kind {
        EventKind::FindingRaised => {
            e.severity == Severity::Critical || e.code == Some(FindingCode::ErrorRateHigh)
        }
        EventKind::FindingChanged | EventKind::HealthChanged => e.severity == Severity::Critical,
        _ => false,
    }
}

/// What the impact concerns: the mitigation must move its service away from its region.
struct Impact<'a> {
    service: Option<&'a str>,
    region: Option<&'a str>,
}

impl Impact<'_> {
    fn service_matches(&self, e: &Event) -> bool {
        self.service.is_none_or(|s| e.service.as_deref() == Some(s))
    }

    /// A serving change of the impacted service back to the impacted region, as DNS answers it
    /// (or the health model, for a service with no DNS signal).
    fn moved_back(&self, e: &Event, dns_known: &BTreeSet<&str>) -> bool {
        let Some(region) = self.region else {
            return false;
        };
        let by = match e.service.as_deref() {
            Some(s) if dns_known.contains(s) => "dns",
            _ => "health",
        };
        e.kind == EventKind::ServingChanged
            && self.service_matches(e)
            && e.subject.as_deref() == Some(by)
            && e.after.as_deref() == Some(region)
    }

    /// A serving change of the impacted service away from the impacted region.
    fn moved_away(&self, e: &Event) -> bool {
        e.kind == EventKind::ServingChanged
            && self.service_matches(e)
            && e.after.is_some()
            && (self.region.is_none() || e.after.as_deref() != self.region)
    }
}

fn milestone(events: &[Event], i: usize, verified: Option<bool>) -> Option<Milestone> {
    let e = events.get(i)?;
    Some(Milestone {
        at: e.at(),
        event: i,
        kind: e.kind,
        service: e.service.clone(),
        region: e.region.clone(),
        message: e.message.clone(),
        verified,
    })
}

/// The milestones of `events`, given `prior`; and the signals open at the window's start.
fn milestones(prior: &[Event], events: &[Event]) -> (Milestones, Vec<String>) {
    // What bears impact before the window: signal → the event that opened it.
    let mut open: BTreeMap<&str, &Event> = BTreeMap::new();
    for e in prior {
        if let (Some(bears), Some(signal)) = (bearing(e), e.signal.as_deref()) {
            if bears {
                open.entry(signal).or_insert(e);
            } else {
                open.remove(signal);
            }
        }
    }
    let open_at_start: Vec<String> = open.keys().map(|s| s.to_string()).collect();
    let dns_known: BTreeSet<&str> = prior
        .iter()
        .chain(events)
        .filter(|e| e.kind == EventKind::ServingChanged && e.subject.as_deref() == Some("dns"))
        .filter_map(|e| e.service.as_deref())
        .collect();
    let mut found = Milestones::default();
    // Where the incident starts: before the window (impact open at its start: every window
    // event counts), or at the impact event (the events after it count).
    let (from, opener): (usize, Option<&Event>) = if open.is_empty() {
        match events.iter().position(is_impact) {
            Some(i) => {
                found.impact_detected = milestone(events, i, None);
                (i + 1, events.get(i))
            }
            None => return (found, open_at_start),
        }
    } else {
        (0, open.values().min_by_key(|e| e.observed).copied())
    };
    let impact = Impact {
        service: opener.and_then(|e| e.service.as_deref()),
        region: opener.and_then(|e| e.region.as_deref()),
    };
    // Resolved: the first event after which nothing bearing impact is open.
    let mut resolved = None;
    for (i, e) in events.iter().enumerate() {
        if let (Some(bears), Some(signal)) = (bearing(e), e.signal.as_deref()) {
            if bears {
                open.entry(signal).or_insert(e);
            } else {
                open.remove(signal);
            }
        }
        if i >= from && open.is_empty() {
            resolved = Some(i);
            break;
        }
    }
    let until = resolved.map_or(events.len(), |r| r + 1);
    let mut start = from;
    while let Some((i, verified)) = (start..until).find_map(|i| {
        let e = events.get(i)?;
        let by_dns = impact.moved_away(e) && e.subject.as_deref() == Some("dns");
        let by_action = e.kind == EventKind::Action
            && impact.service_matches(e)
            && e.after.as_deref() == Some("verified")
            // A failback sends the traffic back to the primary, where the impact usually is:
            // only DNS moving away from the impacted region counts for it.
            && e.subject.as_deref() == Some("failover");
        let by_health = impact.moved_away(e)
            && e.subject.as_deref() == Some("health")
            && e.service.as_deref().is_some_and(|s| !dns_known.contains(s));
        (by_dns || by_action || by_health).then_some((i, by_dns || by_action))
    }) {
        let mitigated = milestone(events, i, Some(verified));
        // A mitigation holds unless the traffic goes back to the impacted region before the
        // end (Route 53 counting an inverted, failing check healthy does that): then it is
        // listed as undone, and the next mitigation is looked for after the return.
        match (i + 1..until).find(|j| {
            events
                .get(*j)
                .is_some_and(|e| impact.moved_back(e, &dns_known))
        }) {
            Some(back) => {
                if let (Some(mitigated), Some(reverted)) =
                    (mitigated, milestone(events, back, None))
                {
                    found.undone.push(Undone {
                        mitigated,
                        reverted,
                    });
                }
                start = back + 1;
            }
            None => {
                found.mitigated = mitigated;
                break;
            }
        }
    }
    if let Some(r) = resolved {
        found.resolved = milestone(events, r, None);
    }
    (found, open_at_start)
}

/// The timeline for a postmortem: a header (services, window, source), the milestones with
/// their durations, the events as a UTC table, and what the times mean.
pub fn markdown(t: &Timeline) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let same_day = t.from.date_naive() == t.to.date_naive();
    let time = |at: Timestamp| {
        if same_day {
            at.format("%H:%M:%S").to_string()
        } else {
            at.format("%Y-%m-%d %H:%M:%S").to_string()
        }
    };
    let full = |at: Timestamp| at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let title = if t.services.is_empty() {
        "Incident timeline".to_string()
    } else {
        format!("Incident timeline: {}", t.services.join(", "))
    };
    let _ = writeln!(out, "# {title}\n");
    let _ = writeln!(
        out,
        "- **Window:** {} to {} ({})",
        full(t.from),
        full(t.to),
        duration((t.to - t.from).num_seconds())
    );
    let source = match &t.source {
        Origin::Journal {
            path,
            audit_log,
            team,
        } => format!(
            "the incident journal `{path}`, with the actions of the audit log `{audit_log}`{}",
            team.as_deref()
                .map(|l| format!(" and of the team's trail `{l}`"))
                .unwrap_or_default()
        ),
        Origin::Simulation {
            scenario,
            at_s,
            drills,
        } => format!(
            "the simulation `{scenario}`, replayed from its start to {}{}",
            duration(*at_s),
            match drills {
                0 => String::new(),
                1 => ", with 1 drill at its simulated time".to_string(),
                n => format!(", with {n} drills at their simulated times"),
            }
        ),
    };
    let _ = writeln!(out, "- **Source:** {source}");
    let skipped = match t.skipped {
        0 => String::new(),
        n => format!(" ({n} unreadable journal line(s) skipped)"),
    };
    let _ = writeln!(out, "- **Events:** {}{skipped}", t.events.len());
    for note in &t.notes {
        let _ = writeln!(out, "- **Note:** {}", cell(note));
    }

    let _ = writeln!(out, "\n## Milestones (suggested)\n");
    let _ = writeln!(out, "| Milestone | Time (UTC) | What |");
    let _ = writeln!(out, "|---|---|---|");
    let m = &t.milestones;
    let impact = match &m.impact_detected {
        Some(ms) => (time(ms.at), what(ms)),
        None if !t.open_at_start.is_empty() => (
            "before the window".to_string(),
            format!(
                "already open at its start: {}",
                cell(&t.open_at_start.join(", "))
            ),
        ),
        None => ("not reached".to_string(), "no impact in the window".into()),
    };
    let _ = writeln!(out, "| Impact detected | {} | {} |", impact.0, impact.1);
    for undone in &m.undone {
        let _ = writeln!(
            out,
            "| Mitigation undone | {} → {} | {} (undone: {}) |",
            time(undone.mitigated.at),
            time(undone.reverted.at),
            what(&undone.mitigated),
            what(&undone.reverted)
        );
    }
    for (name, ms) in [("Mitigated", &m.mitigated), ("Resolved", &m.resolved)] {
        let (when, text) = match ms {
            Some(ms) => {
                let mut text = what(ms);
                match ms.verified {
                    Some(true) => text.push_str(" (verified)"),
                    Some(false) => text.push_str(
                        " (the health model's serving change; not verified by DNS: no DNS \
                         signal for the service)",
                    ),
                    None => {}
                }
                (time(ms.at), text)
            }
            None => (
                "not reached".to_string(),
                format!("not reached by {}", full(t.to)),
            ),
        };
        let _ = writeln!(out, "| {name} | {when} | {text} |");
    }
    let d = &t.durations;
    let _ = writeln!(out);
    for (name, secs) in [
        ("Detected → mitigated", d.detected_to_mitigated_s),
        ("Mitigated → resolved", d.mitigated_to_resolved_s),
        ("Detected → resolved", d.detected_to_resolved_s),
    ] {
        let _ = writeln!(
            out,
            "- {name}: {}",
            secs.map_or("not reached".to_string(), duration)
        );
    }

    let _ = writeln!(out, "\n## Events\n");
    if t.events.is_empty() {
        let _ = writeln!(out, "No events in the window.");
    } else {
        let _ = writeln!(
            out,
            "| Time (UTC) | Service | Region | What | Before → after | AWS time (UTC) |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for e in &t.events {
            let change = match (&e.before, &e.after) {
                (None, None) => String::new(),
                (b, a) => format!(
                    "{} → {}",
                    b.as_deref().unwrap_or("–"),
                    a.as_deref().unwrap_or("–")
                ),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}: {} | {} | {} |",
                time(e.observed),
                cell(e.service.as_deref().unwrap_or("–")),
                cell(e.region.as_deref().unwrap_or("–")),
                e.kind.name().replace('_', " "),
                cell(&e.message),
                cell(&change),
                e.aws_time.map(time).unwrap_or_default()
            );
        }
    }
    let _ = writeln!(
        out,
        "\nTimes are UTC. *Time* is when switchyard observed the change (for an action, when it \
         ended); *AWS time* is when AWS says it happened (the CloudWatch data point, the health \
         checkers' newest report), where AWS gives one, and milestones use it where there is \
         one. The milestones are suggestions: impact detected is the first critical finding, \
         error-rate breach or unhealthy region; mitigated, the serving region moved and \
         verified (DNS answers the new region, or a failover ended verified); resolved, the \
         first moment nothing critical is open."
    );
    out
}

/// A milestone's "what": the event's kind and message.
fn what(ms: &Milestone) -> String {
    format!(
        "{}: {}",
        ms.kind.name().replace('_', " "),
        cell(&ms.message)
    )
}

/// Text made safe for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Seconds for people ("2m 15s"); negative ones with a sign.
pub fn duration(secs: i64) -> String {
    let text = crate::assess::fmt_secs(secs.unsigned_abs());
    if secs < 0 { format!("-{text}") } else { text }
}
