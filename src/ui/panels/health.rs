//! Health panel: per service and region, the checkers' verdict, what Route 53 acts on, the
//! Inverted/Disabled flags, which region serves, which region DNS answers with, and the last
//! hour.

use super::PanelTable;
use crate::assess;
use crate::model::{CheckKind, RegionRole, Timestamp};
use crate::source::SourceKind;
use crate::state::{Panel, Row as StateRow, State};
use crate::ui::{Theme, widgets};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    // Full labels from 70 columns, the flags spelled out from 90.
    let wide = area.width >= 70;
    let flags_wide = area.width >= 90;
    // While the health data is stale (the Route 53 API failing) its freshness column takes room:
    // below the flags' width the ROLE column (the failover order says it too) gives way, and in
    // the narrow layout the SRV column (predicted from that stale data) and the regions' spare
    // width, so that the DNS column, fresh from the data plane, stays in view.
    let health_fresh = state.fleet.all_fresh(SourceKind::Health, now);
    let role_column = wide && (flags_wide || health_fresh);
    let srv_column = wide || health_fresh;
    let region_width = if wide || health_fresh {
        14
    } else {
        state
            .fleet
            .services
            .iter()
            .flat_map(|s| s.regions.iter().map(|r| r.region.chars().count()))
            .max()
            .map_or(14, |w| w.clamp(6, 14) as u16)
    };
    let history_width = area
        .width
        .saturating_sub(if flags_wide {
            85
        } else if wide {
            72
        } else {
            56
        })
        .clamp(4, 30) as usize;
    let (window, position) = super::window(state, Panel::Health, area, 1);
    let rows = window
        .into_iter()
        .filter_map(|row| {
            let StateRow::Region { service, region } = row else {
                return None;
            };
            let svc = state.fleet.services.get(service)?;
            let r = svc.regions.get(region)?;
            let serving = assess::serving_region(svc);
            let health = r.health.as_ref();
            let fresh = state.fleet.freshness(
                SourceKind::Health,
                &svc.service.name,
                &r.region,
                health.map(|h| h.fetched_at),
                now,
            );
            let role = match svc.service.role(&r.region) {
                RegionRole::Primary => "pri",
                RegionRole::Secondary => "sec",
            };
            let effective =
                health.map_or(crate::model::HealthStatus::Unknown, |h| h.value.effective());
            let no_check = health.is_some_and(|h| h.value.kind == CheckKind::NoHealthCheck);
            let mut flags = Vec::new();
            if let Some(h) = health {
                if no_check {
                    flags.push(Span::styled(
                        if flags_wide { "NO CHECK" } else { "—" },
                        theme.dim,
                    ));
                } else if h.value.flags_unknown {
                    // The configuration could not be read: the flags are unknown, never "none".
                    flags.push(Span::styled(
                        if flags_wide { "FLAGS ? " } else { "?" },
                        theme.unknown,
                    ));
                } else if h.value.pinned_unhealthy() {
                    // Disabled and Inverted: always unhealthy, whatever the endpoint does.
                    flags.push(Span::styled(
                        if flags_wide { "PINNED ✗ " } else { "PIN" },
                        theme.warn,
                    ));
                } else if h.value.inverted {
                    flags.push(Span::styled(
                        if flags_wide { "INVERTED " } else { "INV" },
                        theme.warn,
                    ));
                }
                if h.value.disabled && !h.value.pinned_unhealthy() && !h.value.flags_unknown {
                    flags.push(Span::styled(
                        if flags_wide { "DISABLED " } else { "DIS" },
                        theme.warn,
                    ));
                }
                if flags_wide && h.value.inverted != h.value.disabled && !h.value.flags_unknown {
                    flags.push(Span::styled(
                        format!("(raw {})", h.value.raw.label()),
                        theme.dim,
                    ));
                }
            }
            // `arc`: the routing control (data plane), which the record's RECOVERY_CONTROL check
            // follows: in the CHK column (such a check has no checkers), and spelled out in the
            // flags where they are wide. It stays visible when the health data goes stale.
            let mut routing_control = None;
            if let Some(c) = &r.routing_control {
                let fresh_rc = state.fleet.freshness(
                    SourceKind::RoutingControl,
                    &svc.service.name,
                    &r.region,
                    Some(c.fetched_at),
                    now,
                ) == crate::fleet::Freshness::Fresh;
                let style = match (fresh_rc, c.value.on) {
                    (false, _) => theme.unknown,
                    (true, true) => theme.ok,
                    (true, false) => theme.dim,
                };
                if flags_wide {
                    let label = if c.value.on { "ARC On " } else { "ARC Off " };
                    flags.insert(0, Span::styled(label, style));
                }
                routing_control = Some(Span::styled(if c.value.on { "ON" } else { "OFF" }, style));
            }
            let serves = match serving {
                Some(s) if s == r.region => {
                    Span::styled(if wide { "◀ serving" } else { "◀" }, theme.ok)
                }
                None if region == 0 => Span::styled("?", theme.unknown),
                _ => Span::raw(""),
            };
            let pct = if no_check {
                "—".to_string()
            } else {
                health
                    .and_then(|h| h.value.checkers_healthy_pct)
                    .map_or("?".to_string(), |p| format!("{p:.0}%"))
            };
            let history = match health {
                // Route 53 API reference, ResourceRecordSet `HealthCheckId`; with NO CHECK in
                // the flags it reads "no check: always eligible".
                Some(_) if no_check => widgets::head("always eligible", history_width),
                Some(h) => widgets::spark(&h.value.history, 100.0, history_width, true),
                None => String::new(),
            };
            let name = if region == 0 {
                svc.service.name.clone()
            } else {
                String::new()
            };
            let health = match (no_check, wide) {
                (true, true) => Span::styled("✓ eligible", theme.ok),
                (true, false) => Span::styled("✓ elig", theme.ok),
                (false, true) => widgets::health(effective, theme),
                (false, false) => widgets::health_short(effective, theme),
            };
            let dns_fresh = state.fleet.freshness(
                SourceKind::Dns,
                &svc.service.name,
                svc.service.primary_region(),
                svc.dns.as_ref().map(|d| d.fetched_at),
                now,
            );
            let dns_size = u8::from(wide);
            let dns = widgets::dns_cell(svc, &r.region, region == 0, &dns_fresh, dns_size, theme);
            let mut cells = vec![Cell::from(name), Cell::from(r.region.clone())];
            if role_column {
                cells.push(Cell::from(Span::styled(role, theme.dim)));
            }
            cells.extend([
                Cell::from(health),
                routing_control.map_or_else(|| Cell::from(pct), Cell::from),
            ]);
            if srv_column {
                cells.push(Cell::from(serves));
            }
            cells.extend([Cell::from(dns), Cell::from(Line::from(flags))]);
            cells.push(Cell::from(Span::styled(history, theme.dim)));
            cells.push(Cell::from(widgets::freshness(&fresh, theme)));
            Some(cells)
        })
        .collect();
    let (mut header, mut widths) = if wide {
        let (mut header, mut widths) = (
            vec!["SERVICE", "REGION"],
            vec![Constraint::Length(10), Constraint::Length(14)],
        );
        if role_column {
            header.push("ROLE");
            widths.push(Constraint::Length(4));
        }
        header.extend([
            "ROUTE 53",
            "CHK",
            "SERVES",
            "DNS",
            if flags_wide { "FLAGS" } else { "FL" },
        ]);
        widths.extend([
            Constraint::Length(11),
            Constraint::Length(4),
            Constraint::Length(9),
            Constraint::Length(5),
            Constraint::Length(if flags_wide { 9 } else { 3 }),
        ]);
        (header, widths)
    } else {
        let (mut header, mut widths) = (
            vec!["SERVICE", "REGION", "R53", "CHK"],
            vec![
                Constraint::Length(8),
                Constraint::Length(region_width),
                Constraint::Length(6),
                Constraint::Length(4),
            ],
        );
        if srv_column {
            header.push("SRV");
            widths.push(Constraint::Length(3));
        }
        header.extend(["DNS", "FL"]);
        widths.extend([Constraint::Length(3), Constraint::Length(3)]);
        (header, widths)
    };
    header.extend(["LAST HOUR", ""]);
    widths.extend([Constraint::Length(history_width as u16), Constraint::Min(0)]);
    PanelTable {
        now,
        panel: Panel::Health,
        header,
        widths,
        rows,
        position,
        row_height: 1,
        empty: "no services",
    }
    .render(frame, area, state, theme);
}
