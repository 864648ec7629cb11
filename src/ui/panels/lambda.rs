//! Lambda panel: per function and region, invocations, errors, error rate and its trend,
//! throttles, p99 duration, code parity with the primary (of the alias or version API Gateway
//! invokes) and the estimated cost (list price). The title says which complete minutes the
//! figures cover.

use super::PanelTable;
use crate::assess;
use crate::model::{QualifierSource, Timestamp};
use crate::source::SourceKind;
use crate::state::{Panel, Row as StateRow, State};
use crate::ui::{Theme, widgets};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::Cell;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let wide = area.width >= 110;
    // Room for the freshness column only while some data is stale.
    let reserve = if state.fleet.all_fresh(SourceKind::Lambda, now) {
        0
    } else {
        12
    };
    let trend_width = area
        .width
        .saturating_sub(if wide { 107 } else { 77 } + reserve)
        .clamp(6, 30) as usize;
    let t = &state.fleet.thresholds;
    let (window, position) = super::window(state, Panel::Lambda, area, 1);
    let rows = window
        .into_iter()
        .filter_map(|row| {
            let StateRow::Function {
                service,
                region,
                function,
            } = row
            else {
                return None;
            };
            let svc = state.fleet.services.get(service)?;
            let r = svc.regions.get(region)?;
            let name = svc.service.functions.get(function)?;
            let fetched = r.functions.as_ref();
            let stats = fetched.and_then(|f| f.value.iter().find(|s| &s.name == name));
            let fresh = state.fleet.freshness(
                SourceKind::Lambda,
                &svc.service.name,
                &r.region,
                fetched.map(|f| f.fetched_at),
                now,
            );
            let rate = stats.and_then(|s| assess::error_rate(s.invocations, s.errors));
            let rate_cell = match (stats, rate) {
                (None, _) => Span::styled("?", theme.unknown),
                (Some(s), None) if s.invocations.is_none() => Span::styled("?", theme.unknown),
                (Some(_), None) => Span::styled("–", theme.dim), // no invocations: no rate
                (Some(_), Some(rate)) if rate >= t.error_rate_crit_pct => {
                    Span::styled(format!("✗ {rate:.1}%"), theme.crit)
                }
                (Some(_), Some(rate)) if rate >= t.error_rate_warn_pct => {
                    Span::styled(format!("▲ {rate:.1}%"), theme.warn)
                }
                (Some(_), Some(rate)) => Span::styled(format!("{rate:.2}%"), theme.ok),
            };
            let trend = stats.map_or(String::new(), |s| {
                widgets::spark(
                    &s.error_rate_history,
                    t.error_rate_crit_pct * 2.0,
                    trend_width,
                    false,
                )
            });
            let primary_code = svc
                .primary()
                .and_then(|p| p.functions.as_ref())
                .and_then(|f| f.value.iter().find(|s| &s.name == name))
                .and_then(|s| s.code_sha256.clone());
            // The alias or version compared: none for $LATEST, `?` when unknown.
            let qualifier = stats.map_or(String::new(), |s| match s.qualifier_source {
                Some(QualifierSource::Unknown) => " ?".to_string(),
                _ => s
                    .qualifier
                    .as_deref()
                    .map_or(String::new(), |q| format!(" {}", widgets::head(q, 5))),
            });
            let code = match (stats.and_then(|s| s.code_sha256.as_deref()), primary_code) {
                (None, _) => Span::styled("?", theme.unknown),
                (Some(c), Some(p)) if c != p => {
                    Span::styled(format!("≠ {}{qualifier}", widgets::head(c, 7)), theme.warn)
                }
                (Some(c), _) => {
                    Span::styled(format!("= {}{qualifier}", widgets::head(c, 7)), theme.dim)
                }
            };
            let cost = stats
                .and_then(assess::cost_per_hour)
                .map_or("?".to_string(), |c| format!("${c:.3}"));
            let first = region == 0 && function == 0;
            let mut cells = vec![
                Cell::from(if first {
                    svc.service.name.clone()
                } else {
                    String::new()
                }),
                Cell::from(if function == 0 {
                    r.region.clone()
                } else {
                    String::new()
                }),
                Cell::from(widgets::head(name, 16)),
                Cell::from(widgets::count(stats.and_then(|s| s.invocations))),
                Cell::from(widgets::count(stats.and_then(|s| s.errors))),
                Cell::from(rate_cell),
                Cell::from(Span::styled(trend, theme.dim)),
                Cell::from(
                    stats
                        .and_then(|s| s.p99_ms)
                        .map_or("?".to_string(), |p| format!("{p:.0}ms")),
                ),
            ];
            if wide {
                cells.push(Cell::from(widgets::count(stats.and_then(|s| s.throttles))));
                cells.push(Cell::from(code));
                cells.push(Cell::from(cost));
            }
            cells.push(Cell::from(widgets::freshness(&fresh, theme)));
            Some(cells)
        })
        .collect();
    let mut header = vec![
        "SERVICE",
        "REGION",
        "FUNCTION",
        "INV/5m",
        "ERR",
        "RATE",
        "ERRORS 30m",
        "P99",
    ];
    let mut widths = vec![
        Constraint::Length(9),
        Constraint::Length(14),
        Constraint::Length(16),
        Constraint::Length(6),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(trend_width as u16),
        Constraint::Length(7),
    ];
    if wide {
        // ≈: an estimate at the list price (README, "The console").
        header.extend(["THR", "CODE", "≈$/h"]);
        widths.extend([
            Constraint::Length(4),
            Constraint::Length(15),
            Constraint::Length(7),
        ]);
    }
    header.push("");
    widths.push(Constraint::Min(0));
    let subtitle = window_title(state);
    PanelTable {
        now,
        panel: Panel::Lambda,
        header,
        widths,
        rows,
        position,
        row_height: 1,
        empty: "no functions configured",
    }
    .render_titled(frame, area, state, theme, subtitle);
}

/// Which minutes the newest figures cover: "5m to 14:05 UTC" (the window's end is the start of
/// the minute they were read in; rows of older data say how old they are).
pub fn window_title(state: &State) -> Option<String> {
    state
        .fleet
        .services
        .iter()
        .flat_map(|s| s.regions.iter())
        .filter_map(|r| r.functions.as_ref())
        .flat_map(|f| f.value.iter())
        .filter_map(|f| Some((f.window_end?, f.window_s)))
        .max()
        .map(|(end, window_s)| window_label(end, window_s))
}

/// "5m to 14:05 UTC".
pub fn window_label(end: Timestamp, window_s: u64) -> String {
    format!("{}m to {} UTC", window_s / 60, end.format("%H:%M"))
}
