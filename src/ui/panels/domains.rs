//! Domains panel: per region, the custom domains (shared and regional), their mappings, their
//! regional target and the Route 53 record pointing at it, with drift and missing domains.

use super::{PanelTable, freshness};
use crate::model::Timestamp;
use crate::source::SourceKind;
use crate::state::{Panel, Row as StateRow, State};
use crate::ui::{Theme, widgets};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let wide = area.width >= 70;
    let mut last: Option<(usize, usize)> = None;
    let rows = crate::state::rows(state, Panel::Domains)
        .into_iter()
        .filter_map(|row| {
            let StateRow::Domain { service, region, name } = row else { return None };
            let svc = state.services.get(service)?;
            let r = svc.regions.get(region)?;
            let fetched = r.domains.as_ref();
            let fresh = freshness(state, SourceKind::Domains, &svc.service.name, &r.region, fetched.map(|d| d.fetched_at), now);
            let domain = fetched.and_then(|d| d.value.iter().find(|d| d.name == name));
            let verdict = match (fetched, domain) {
                (None, _) => Span::styled("? unknown", theme.unknown),
                (Some(_), None) => Span::styled("✗ MISSING", theme.crit),
                (Some(_), Some(d)) if d.drift() => Span::styled("✗ DRIFT", theme.crit),
                (Some(_), Some(d)) if d.mappings.is_empty() => Span::styled("✗ NO MAP", theme.crit),
                (Some(_), Some(_)) => Span::styled("✓ ok", theme.ok),
            };
            let mapping = domain.map_or(String::new(), |d| {
                d.mappings
                    .iter()
                    .map(|m| format!("/{}→{}:{}", m.path, m.api_id, m.stage))
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            let short = |t: Option<&String>| t.map_or("–".to_string(), |t| t.split('.').next().unwrap_or(t).to_string());
            let same_group = last == Some((service, region));
            last = Some((service, region));
            let label = if name == svc.service.domain { "shared".to_string() } else { widgets::head(&name, 22) };
            let mut cells = vec![
                Cell::from(if same_group { String::new() } else { format!("{} {}", svc.service.name, r.region) }),
                Cell::from(label),
                Cell::from(verdict),
                Cell::from(short(domain.and_then(|d| d.regional_target.as_ref()))),
                Cell::from(short(domain.and_then(|d| d.dns_target.as_ref()))),
            ];
            if wide {
                cells.push(Cell::from(Span::styled(mapping, theme.dim)));
            }
            cells.push(Cell::from(widgets::freshness(&fresh, theme)));
            Some(Row::new(cells))
        })
        .collect();
    let mut header = vec!["SERVICE REGION", "DOMAIN", "STATE", "TARGET", "DNS →"];
    let mut widths = vec![
        Constraint::Length(18),
        Constraint::Length(22),
        Constraint::Length(9),
        Constraint::Length(12),
        Constraint::Length(12),
    ];
    if wide {
        header.push("MAPPING");
        widths.push(Constraint::Length(20));
    }
    header.push("");
    widths.push(Constraint::Min(0));
    PanelTable {
        panel: Panel::Domains,
        header,
        widths,
        rows,
        empty: "no services",
    }
    .render(frame, area, state, theme);
}
