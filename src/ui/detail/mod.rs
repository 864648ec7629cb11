//! The detail view (Enter) of the focused panel's selected row: for Health the per-checker
//! observations; for the others everything known about the row, and the service's findings.

mod events;
mod resources;

use super::{Theme, widgets};
use crate::assess;
use crate::fleet::ServiceState;
use crate::model::{CheckKind, Finding, QualifierSource, Timestamp};
use crate::state::FailureReasons;
use crate::state::{Panel, Row as StateRow, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};
use resources::{domains, release};
use std::collections::BTreeMap;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let panel = state.view.focused();
    let rows = crate::state::rows(state, panel);
    let selected = state.view.selected[panel.index()].min(rows.len().saturating_sub(1));
    let block = |title: String| {
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.focus_border)
            .title(Span::styled(format!(" {title} (Esc back) "), theme.title))
    };
    let Some(row) = rows.get(selected) else {
        frame.render_widget(
            Paragraph::new("nothing selected").block(block(panel.title().into())),
            area,
        );
        return;
    };
    let (svc_index, region_index) = match row {
        StateRow::Region { service, region }
        | StateRow::Function {
            service, region, ..
        } => (*service, Some(*region)),
        StateRow::Service { service } => (*service, None),
    };
    let Some(svc) = state.fleet.services.get(svc_index) else {
        return;
    };
    let region = region_index
        .and_then(|r| svc.regions.get(r))
        .map(|r| r.region.clone());
    let title = format!(
        "{} · {}{}",
        panel.title(),
        svc.service.name,
        region
            .as_ref()
            .map(|r| format!(" · {r}"))
            .unwrap_or_default()
    );
    let findings: Vec<Finding> = assess::findings(&state.fleet, svc, now)
        .into_iter()
        .filter(|f| region.is_none() || f.region.is_none() || f.region == region)
        .collect();
    let outer = block(title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let findings_height = (findings.len() as u16 + 1).min(inner.height / 3).max(2);
    let [top, bottom] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(findings_height)]).areas(inner);
    let need = match (panel, row) {
        (Panel::Health, _) => health(
            frame,
            top,
            svc,
            region.as_deref(),
            &state.failure_reasons,
            theme,
            now,
        ),
        (Panel::Lambda, StateRow::Function { function, .. }) => {
            lambda(frame, top, state, svc, *function, region.as_deref(), theme)
        }
        (Panel::Domains, _) => {
            domains(frame, top, svc, region.as_deref(), theme);
            0
        }
        (Panel::Replication, _) | (Panel::Pipeline, _) => {
            release(frame, top, svc, theme, now);
            0
        }
        _ => 0,
    };
    // Health and Lambda rows show their events too (the incident journal's, this row's), in
    // the rows the view above does not need (at least a title and the newest event).
    if matches!(panel, Panel::Health | Panel::Lambda) {
        let list = crate::state::row_events(state, &svc.service.name, region.as_deref());
        let height = events::height(list.len(), top.height.saturating_sub(need));
        let area = Rect {
            y: top.bottom().saturating_sub(height),
            height,
            ..top
        };
        frame.render_widget(Clear, area);
        events::render(frame, area, &list, theme, now);
    }
    let mut lines = vec![Line::from(Span::styled("Findings", theme.header))];
    if findings.is_empty() {
        lines.push(Line::from(Span::styled("  none", theme.ok)));
    }
    lines.extend(findings.iter().map(|f| {
        Line::from(Span::styled(
            format!("  {} {}", widgets::severity_marker(f.severity), f.message),
            widgets::severity_style(f.severity, theme),
        ))
    }));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), bottom);
}

/// What the authoritative name servers answer, and, with `[dns] resolvers`, how far the
/// resolvers have followed ("converging: 1 of 3 resolvers still answer us-east-1, ≤ 45 s").
fn dns_lines<'a>(svc: &ServiceState, theme: &Theme, now: Timestamp) -> Vec<Line<'a>> {
    let mut lines = vec![kv(
        "DNS answers",
        widgets::dns_detail(svc, theme, now),
        theme,
    )];
    if let Some(truth) = svc.dns.as_ref().map(|d| &d.value)
        && let (Some(summary), Some(c)) = (truth.resolvers_summary(), truth.convergence())
    {
        let style = if c.behind > 0 { theme.warn } else { theme.ok };
        lines.push(kv("resolvers", Span::styled(summary, style), theme));
    }
    lines
}

/// An `arc` service's routing control of the region, read from the cluster endpoints (data
/// plane): its state, its age and its ARN.
fn routing_control_line<'a>(
    svc: &ServiceState,
    r: &crate::fleet::RegionState,
    theme: &Theme,
    now: Timestamp,
) -> Option<Line<'a>> {
    if !matches!(svc.service.failover, crate::model::Failover::Arc { .. }) {
        return None;
    }
    Some(match &r.routing_control {
        None => kv(
            "routing control",
            Span::styled("not read yet (ARC cluster endpoints)", theme.unknown),
            theme,
        ),
        Some(c) => Line::from(vec![
            Span::styled(format!("{:<18}", "routing control"), theme.dim),
            Span::styled(
                c.value.state(),
                if c.value.on { theme.ok } else { theme.dim },
            ),
            Span::styled(
                format!(
                    " · read {} ago from the cluster · {}",
                    widgets::age((now - c.fetched_at).to_std().unwrap_or_default()),
                    c.value.arn
                ),
                theme.dim,
            ),
        ]),
    })
}

fn kv<'a>(key: &str, value: impl Into<Span<'a>>, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{key:<18}"), theme.dim),
        value.into(),
    ])
}

fn health(
    frame: &mut Frame,
    area: Rect,
    svc: &ServiceState,
    region: Option<&str>,
    reasons: &BTreeMap<String, FailureReasons>,
    theme: &Theme,
    now: Timestamp,
) -> u16 {
    let Some(r) = region.and_then(|r| svc.region(r)) else {
        return 0;
    };
    let Some(h) = &r.health else {
        let mut lines = vec![Line::from(Span::styled(
            "no health data yet",
            theme.unknown,
        ))];
        // DNS truth and the routing controls come from the data plane: shown without it.
        lines.extend(dns_lines(svc, theme, now));
        lines.extend(routing_control_line(svc, r, theme, now));
        let need = lines.len() as u16;
        frame.render_widget(Paragraph::new(lines), area);
        return need;
    };
    let hc = &h.value;
    let serving = assess::serving_region(svc).map_or("unknown".to_string(), str::to_string);
    if hc.kind == CheckKind::NoHealthCheck {
        let mut lines = vec![
            kv(
                "health check",
                Span::styled("none: the failover record has no HealthCheckId", theme.warn),
                theme,
            ),
            kv(
                "Route 53 acts on",
                Span::styled(
                    "always eligible (answered whenever the regions ahead are unhealthy)",
                    theme.ok,
                ),
                theme,
            ),
            kv("serving now", serving, theme),
        ];
        lines.extend(dns_lines(svc, theme, now));
        let need = lines.len() as u16;
        frame.render_widget(Paragraph::new(lines), area);
        return need;
    }
    let s = &hc.settings;
    let endpoint = match (&s.target, s.port) {
        (Some(t), Some(p)) => format!(" {t}:{p}{}", s.resource_path.as_deref().unwrap_or_default()),
        (Some(t), None) => format!(" {t}{}", s.resource_path.as_deref().unwrap_or_default()),
        _ => String::new(),
    };
    let mut config = format!("{}{endpoint}", hc.kind.label());
    if let Some(i) = s.request_interval_s {
        config.push_str(&format!(" · every {i}s"));
    }
    if let Some(f) = s.failure_threshold {
        config.push_str(&format!(" · threshold {f}"));
    }
    if !hc.checker_regions.is_empty() {
        config.push_str(&format!(" · {} checkers", hc.checker_regions.len()));
    }
    let verdict_from = match hc.verdict_from.at() {
        Some(at) => format!(
            "{}, {} old",
            hc.verdict_from.label(),
            widgets::age((now - at).to_std().unwrap_or_default())
        ),
        None => hc.verdict_from.label().to_string(),
    };
    let mut lines = vec![
        kv("health check", hc.id.clone(), theme),
        kv("configuration", config, theme),
        kv("checkers say", widgets::health(hc.raw, theme), theme),
        kv("verdict from", verdict_from, theme),
    ];
    if let Some(note) = &hc.verdict_note {
        lines.push(kv("", Span::styled(note.clone(), theme.warn), theme));
    }
    lines.extend(failure_reason_lines(reasons.get(&hc.id), theme, now));
    lines.extend([
        kv(
            "Route 53 acts on",
            widgets::health(hc.effective(), theme),
            theme,
        ),
        kv(
            "flags",
            format!(
                "{} · {} of checkers healthy",
                match hc.flags() {
                    Some((inverted, disabled)) => {
                        format!("inverted={inverted} disabled={disabled}")
                    }
                    None => "inverted=? disabled=? (configuration not read)".to_string(),
                },
                hc.checkers_healthy_pct
                    .map_or("?".into(), |p| format!("{p:.0}%"))
            ),
            theme,
        ),
        kv("serving now", serving, theme),
    ]);
    lines.extend(dns_lines(svc, theme, now));
    lines.extend(routing_control_line(svc, r, theme, now));
    lines.extend([
        kv(
            "fetched",
            format!(
                "{} ago",
                widgets::age((now - h.fetched_at).to_std().unwrap_or_default())
            ),
            theme,
        ),
        kv(
            "last hour",
            Span::styled(
                widgets::spark(
                    &hc.history,
                    100.0,
                    area.width.saturating_sub(20) as usize,
                    true,
                ),
                theme.dim,
            ),
            theme,
        ),
    ]);
    let header_height = lines.len() as u16 + 1;
    let [head, table] =
        Layout::vertical([Constraint::Length(header_height), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(lines), head);
    // CHECKER 16 + VERDICT 12 + CHECKED 9 + three gaps: the rest is the report, cut visibly.
    let report_width = area.width.saturating_sub(40).max(10) as usize;
    let rows = hc.observations.iter().map(|o| {
        let ago = widgets::age((now - o.checked_at).to_std().unwrap_or_default());
        Row::new(vec![
            Cell::from(o.checker_region.clone()),
            Cell::from(widgets::health(o.status, theme)),
            Cell::from(format!("{ago} ago")),
            Cell::from(widgets::head(&o.report, report_width)),
        ])
    });
    let header = Row::new(
        ["CHECKER", "VERDICT", "CHECKED", "REPORT"]
            .map(|h| Cell::from(Span::styled(h, theme.header))),
    );
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(16),
                Constraint::Length(12),
                Constraint::Length(9),
                Constraint::Min(10),
            ],
        )
        .header(header),
        table,
    );
    header_height + 1 + hc.observations.len() as u16
}

fn lambda(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    svc: &ServiceState,
    function: usize,
    region: Option<&str>,
    theme: &Theme,
) -> u16 {
    let Some(name) = svc.service.functions.get(function) else {
        return 0;
    };
    let trend_width = area.width.saturating_sub(90).clamp(10, 60) as usize;
    let rows = svc.regions.iter().map(|r| {
        let stats = r
            .functions
            .as_ref()
            .and_then(|f| f.value.iter().find(|s| &s.name == name));
        let rate = stats.and_then(|s| assess::error_rate(s.invocations, s.errors));
        Row::new(vec![
            Cell::from(r.region.clone()),
            Cell::from(widgets::count(stats.and_then(|s| s.invocations))),
            Cell::from(widgets::count(stats.and_then(|s| s.errors))),
            Cell::from(rate.map_or("–".into(), |r| format!("{r:.2}%"))),
            Cell::from(
                stats
                    .and_then(|s| s.p99_ms)
                    .map_or("?".into(), |p| format!("{p:.0} ms")),
            ),
            Cell::from(
                stats
                    .and_then(|s| s.memory_mb)
                    .map_or("?".into(), |m| format!("{m} MB")),
            ),
            Cell::from(
                stats
                    .and_then(|s| s.architecture)
                    .map_or("?", |a| a.label()),
            ),
            Cell::from(
                stats
                    .and_then(assess::cost_per_hour)
                    .map_or("?".into(), |c| format!("≈${c:.3}/h")),
            ),
            Cell::from(Span::styled(
                stats.map_or(String::new(), |s| {
                    widgets::spark(
                        &s.error_rate_history,
                        state.fleet.thresholds.error_rate_crit_pct * 2.0,
                        trend_width,
                        false,
                    )
                }),
                theme.dim,
            )),
        ])
    });
    let header = Row::new(
        [
            "REGION",
            "INV/5m",
            "ERR",
            "RATE",
            "P99",
            "MEMORY",
            "ARCH",
            "EST. COST",
            "ERRORS 30m",
        ]
        .map(|h| Cell::from(Span::styled(h, theme.header))),
    );
    let widths = [
        Constraint::Length(14),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(11),
        Constraint::Min(10),
    ];
    let table_height = svc.regions.len() as u16 + 2;
    let [title, table, code] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(table_height),
        Constraint::Min(0),
    ])
    .areas(area);
    // Which minutes the figures cover, in the region the view was opened on (else the newest).
    let window = region
        .and_then(|r| svc.region(r))
        .and_then(|r| r.functions.as_ref())
        .and_then(|f| f.value.iter().find(|s| &s.name == name))
        .and_then(|s| Some((s.window_end?, s.window_s)))
        .map(|(end, window_s)| crate::ui::panels::lambda::window_label(end, window_s))
        .or_else(|| crate::ui::panels::lambda::window_title(state));
    frame.render_widget(
        Paragraph::new(vec![
            kv("function", name.clone(), theme),
            kv(
                "figures for",
                Span::styled(
                    window.map_or("? (no metrics yet)".to_string(), |w| {
                        format!("{w}, complete minutes only")
                    }),
                    theme.dim,
                ),
                theme,
            ),
            kv(
                "cost",
                Span::styled(
                    "an estimate: list price of the architecture, first tier, no free tier",
                    theme.dim,
                ),
                theme,
            ),
        ]),
        title,
    );
    frame.render_widget(Table::new(rows, widths).header(header), table);
    // Whole hashes on their own lines: a cut hash would look complete.
    let stats_of = |r: &crate::fleet::RegionState| {
        r.functions
            .as_ref()
            .and_then(|f| f.value.iter().find(|s| &s.name == name))
            .cloned()
    };
    let primary = svc.primary().and_then(stats_of).and_then(|s| s.code_sha256);
    let lines: Vec<Line> = svc
        .regions
        .iter()
        .map(|r| {
            let stats = stats_of(r);
            let code = stats.as_ref().and_then(|s| s.code_sha256.clone());
            let parity = match (&code, &primary) {
                (Some(c), Some(p)) if c == p => Span::styled("  = primary", theme.ok),
                (Some(_), Some(_)) => Span::styled("  ≠ primary", theme.warn),
                _ => Span::styled("  ? unknown", theme.unknown),
            };
            let invoked = stats.as_ref().map_or(Span::raw(""), |s| {
                invoked_label(s.qualifier.as_deref(), s.qualifier_source, theme)
            });
            Line::from(vec![
                Span::styled(format!("code {:<13}", r.region), theme.dim),
                Span::raw(code.unwrap_or_else(|| "?".into())),
                parity,
                invoked,
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), code);
    4 + table_height + svc.regions.len() as u16
}

/// GetHealthCheckLastFailureReason as read when the detail opened: the newest failures, one a
/// line (at most three), with their age.
fn failure_reason_lines<'a>(
    reasons: Option<&FailureReasons>,
    theme: &Theme,
    now: Timestamp,
) -> Vec<Line<'a>> {
    let key = "last failures";
    let age = |t: Timestamp| widgets::age((now - t).to_std().unwrap_or_default());
    match reasons.map(|r| (r.asked_at, r.result.as_ref())) {
        None => vec![kv(key, Span::styled("not read", theme.dim), theme)],
        Some((_, None)) => vec![kv(
            key,
            Span::styled("reading GetHealthCheckLastFailureReason…", theme.dim),
            theme,
        )],
        Some((_, Some(Err(e)))) => vec![kv(
            key,
            Span::styled(format!("unavailable: {e}"), theme.warn),
            theme,
        )],
        Some((asked, Some(Ok(list)))) if list.is_empty() => vec![kv(
            key,
            format!("none reported (read {} ago)", age(asked)),
            theme,
        )],
        Some((asked, Some(Ok(list)))) => {
            let mut lines = vec![kv(
                key,
                format!(
                    "{} checker{} (GetHealthCheckLastFailureReason, read {} ago)",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" },
                    age(asked)
                ),
                theme,
            )];
            lines.extend(list.iter().take(3).map(|o| {
                kv(
                    "",
                    format!(
                        "{} {} ago: {}",
                        o.checker_region,
                        age(o.checked_at),
                        o.report
                    ),
                    theme,
                )
            }));
            lines
        }
    }
}

/// Which alias or version the code is of, and how that is known.
fn invoked_label<'a>(
    qualifier: Option<&str>,
    source: Option<QualifierSource>,
    theme: &Theme,
) -> Span<'a> {
    let q = qualifier.unwrap_or("$LATEST");
    match source {
        Some(QualifierSource::Config) => Span::styled(format!("  of {q} (config)"), theme.dim),
        Some(QualifierSource::Integration) => {
            Span::styled(format!("  of {q} (API Gateway invokes it)"), theme.dim)
        }
        Some(QualifierSource::Unqualified) => {
            Span::styled("  of $LATEST (no integration names an alias)", theme.dim)
        }
        Some(QualifierSource::Unknown) => Span::styled(
            "  of $LATEST: which alias API Gateway invokes is unknown",
            theme.unknown,
        ),
        None => Span::raw(""),
    }
}
