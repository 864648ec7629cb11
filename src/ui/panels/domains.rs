//! Domains panel: per service and region, the shared and regional custom domains, whether the
//! Route 53 record points at each one's current regional target (drift) and their mappings.

use super::PanelTable;
use crate::model::{DomainInfo, Timestamp};
use crate::source::SourceKind;
use crate::state::{Panel, Row as StateRow, State};
use crate::ui::{Theme, widgets};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::Cell;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let (window, position) = super::window(state, Panel::Domains, area, 1);
    let rows = window
        .into_iter()
        .filter_map(|row| {
            let StateRow::Region { service, region } = row else {
                return None;
            };
            let svc = state.fleet.services.get(service)?;
            let r = svc.regions.get(region)?;
            let fetched = r.domains.as_ref();
            let fresh = state.fleet.freshness(
                SourceKind::Domains,
                &svc.service.name,
                &r.region,
                fetched.map(|d| d.fetched_at),
                now,
            );
            let find = |name: &str| fetched.map(|d| d.value.iter().find(|d| d.name == name));
            let shared = find(&svc.service.domain);
            let regional_name = svc.service.regional_hostname(&r.region);
            let regional = find(&regional_name);
            Some(vec![
                Cell::from(if region == 0 {
                    svc.service.name.clone()
                } else {
                    String::new()
                }),
                Cell::from(r.region.clone()),
                Cell::from(verdict(shared, theme)),
                Cell::from(verdict(regional, theme)),
                Cell::from(widgets::freshness(&fresh, theme)),
            ])
        })
        .collect();
    PanelTable {
        now,
        panel: Panel::Domains,
        header: vec!["SERVICE", "REGION", "SHARED", "REGIONAL", ""],
        widths: vec![
            // Narrow terminals cut long region names rather than drop a verdict.
            Constraint::Length(if area.width < 45 { 7 } else { 8 }),
            Constraint::Length(if area.width < 45 { 9 } else { 12 }),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Fill(1),
        ],
        rows,
        position,
        row_height: 1,
        empty: "no services",
    }
    .render(frame, area, state, theme);
}

/// `None`: not fetched; `Some(None)`: no such custom domain in the region.
fn verdict<'a>(domain: Option<Option<&DomainInfo>>, theme: &Theme) -> Span<'a> {
    match domain {
        None => Span::styled("? unknown", theme.unknown),
        Some(None) => Span::styled("✗ MISSING", theme.crit),
        Some(Some(d)) if d.drift() => Span::styled("✗ DRIFT", theme.crit),
        Some(Some(d)) if d.mappings.is_empty() => Span::styled("✗ NO MAP", theme.crit),
        // The records could not be read: whether they lead here is unknown, never "ok".
        Some(Some(d)) if !d.dns_read => Span::styled("? DNS", theme.unknown),
        Some(Some(_)) => Span::styled("✓ ok", theme.ok),
    }
}
