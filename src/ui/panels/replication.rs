//! Replication panel: where the tracked build artifact has arrived, per region, with lag, size,
//! the lag's trend, and the verdict "ready to approve".

use super::PanelTable;
use crate::assess::{self, Verdict};
use crate::model::{ReplicaStatus, Timestamp};
use crate::source::SourceKind;
use crate::state::{Panel, Row as StateRow, State};
use crate::ui::{Theme, widgets};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::Cell;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let narrow = area.width < 50;
    let trend_width = area.width.saturating_sub(66).clamp(4, 20) as usize;
    let crit = state.fleet.thresholds.replication_lag_crit.as_secs_f64();
    let (window, position) = super::window(state, Panel::Replication, area, 1);
    let rows = window
        .into_iter()
        .filter_map(|row| {
            let StateRow::Region { service, region } = row else {
                return None;
            };
            let svc = state.fleet.services.get(service)?;
            let r = svc.regions.get(region)?;
            let tracked = assess::tracked_artifacts(svc, now);
            let artifact = tracked.first();
            let here = artifact.and_then(|a| a.regions.iter().find(|x| x.region == r.region));
            let fresh = state.fleet.freshness(
                SourceKind::Replication,
                &svc.service.name,
                &r.region,
                r.artifacts.as_ref().map(|a| a.fetched_at),
                now,
            );
            let status = match here {
                Some(h) if h.is_source => Span::styled(
                    format!(
                        "◆ {}",
                        widgets::tail(
                            artifact.map_or("", |a| a.key.rsplit('/').next().unwrap_or(&a.key)),
                            9
                        )
                    ),
                    theme.dim,
                ),
                Some(h) => widgets::replica(h.status, theme),
                None if r.artifacts.is_some() => Span::styled("no builds", theme.dim),
                None => widgets::replica(ReplicaStatus::Unknown, theme),
            };
            // `~` an observed completion, `?` a completion whose lag cannot be told (README,
            // "Panels").
            let lag = here.map_or(String::new(), |h| h.lag_label());
            let verdict = if region == 0 {
                match assess::readiness(svc, now).verdict {
                    Verdict::Ready => Span::styled("✓ ready", theme.ok),
                    Verdict::NotReady => Span::styled("✗ WAIT", theme.crit),
                    Verdict::Unknown => Span::styled("? unknown", theme.unknown),
                }
            } else {
                Span::raw("")
            };
            Some(vec![
                Cell::from(if region == 0 {
                    svc.service.name.clone()
                } else {
                    String::new()
                }),
                Cell::from(r.region.clone()),
                Cell::from(status),
                Cell::from(verdict),
                Cell::from(lag),
                Cell::from(Span::styled(
                    widgets::spark(&r.lag_history, crit, trend_width, false),
                    theme.dim,
                )),
                Cell::from(widgets::freshness(&fresh, theme)),
            ])
        })
        .collect();
    PanelTable {
        now,
        panel: Panel::Replication,
        header: vec![
            "SERVICE",
            "REGION",
            "BUILD",
            "APPROVE?",
            "LAG",
            "LAG TREND",
            "",
        ],
        widths: vec![
            // Narrow terminals cut names rather than drop the verdict.
            Constraint::Length(if narrow { 7 } else { 8 }),
            Constraint::Length(if narrow { 9 } else { 12 }),
            Constraint::Length(if narrow { 9 } else { 11 }),
            Constraint::Length(if narrow { 8 } else { 9 }),
            Constraint::Length(6),
            Constraint::Fill(1),
            Constraint::Length(11),
        ],
        rows,
        position,
        row_height: 1,
        empty: "no services",
    }
    .render(frame, area, state, theme);
}
