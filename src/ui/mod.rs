//! Drawing: `render(frame, &State, &Theme, now)` draws the whole console from the state. No I/O,
//! no awaiting, no clock: every age is computed from the `now` it is given.
//!
//! ```text
//!  switchyard │ demo: steady │ 2026-11-27 14:02:10 UTC │ ✗ 1 critical ▲ 2 warning
//! ┌ 1 Health ──────────────────────────────┐┌ 2 Pipeline ────────────────────┐
//! │ service region role health chk% serves ││ pipeline stages                │
//! └────────────────────────────────────────┘└────────────────────────────────┘
//! ┌ 3 Lambda ───────────────────────────────────────────────────────────────────┐
//! │ service region function inv err rate trend p99 code $/h                     │
//! └─────────────────────────────────────────────────────────────────────────────┘
//! ┌ 4 Replication ─────────────────────────┐┌ 5 Domains ─────────────────────┐
//! │ service region artifact status lag     ││ domain mapping target dns      │
//! └────────────────────────────────────────┘└────────────────────────────────┘
//!  caller │ ARMED │ sources: 24 ok, 1 failing │ 1,200 calls/h │ CloudWatch ≈ $0.01/h
//!  Tab panel  ↓/j select  Enter detail  Esc back  r refresh  / filter  ? help  q quit
//! ```

mod detail;
mod dialog;
mod help;
pub mod keymap;
pub mod panels;
mod sources;
mod status_bar;
mod theme;
mod timeline;
pub mod widgets;

pub use theme::Theme;

use crate::model::{Severity, Timestamp};
use crate::state::{KeyIntent, NoticeKind, Panel, State, Tone};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Below this the console says so instead of drawing a mangled screen.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(frame: &mut Frame, state: &State, theme: &Theme, now: Timestamp) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(frame, area, theme);
        return;
    }
    let banners = banner_lines(state, theme, area.width, area.height / 6, now);
    let [header, banner_area, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banners.len() as u16),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, header, state, theme, now);
    frame.render_widget(Paragraph::new(banners), banner_area);
    if state.view.timeline {
        timeline::render(frame, body, state, theme, now);
    } else if state.view.detail {
        detail::render(frame, body, state, theme, now);
    } else {
        render_panels(frame, body, state, theme, now);
    }
    status_bar::render(frame, status, state, theme, now);
    render_footer(frame, footer, state, theme);
    if state.view.dialog.is_some() {
        dialog::render(frame, body, state, theme);
    } else if state.view.note.is_some() {
        timeline::render_note(frame, body, state, theme);
    } else if state.view.help {
        // Over the whole screen when the panels' area is too short to list every key.
        help::render(frame, body, area, state, theme);
    } else if state.view.sources {
        sources::render(frame, body, state, theme, now);
    }
}

/// The banners under the header, wrapped to the width and at most `max` lines (at least two):
/// missing credentials, closing, other operators' leases (the team), then the notices
/// (unfinished actions, each service's last result, a refusal), then the team's recent actions.
fn banner_lines<'a>(
    state: &State,
    theme: &Theme,
    width: u16,
    max: u16,
    now: Timestamp,
) -> Vec<Line<'a>> {
    let mut banners: Vec<(String, Style)> = Vec::new();
    if let Some(text) = credentials_banner(state) {
        banners.push((text, theme.armed));
    }
    if let Some(text) = closing_banner(state) {
        banners.push((text, theme.warn));
    }
    // The team: other operators' leases (live, with their ages from `now`) and their recent
    // actions, as the team source last read them.
    let team = crate::state::team::lines(state, now);
    let (leases, recent): (Vec<_>, Vec<_>) = team.into_iter().partition(|(_, t)| *t != Tone::Ok);
    let tone_style = |tone: Tone| match tone {
        Tone::Ok => theme.dim,
        Tone::Warn => theme.warn,
        Tone::Crit => theme.crit,
    };
    for (text, tone) in leases {
        banners.push((text, tone_style(tone)));
    }
    for notice in &state.notices {
        let style = match (notice.kind, notice.tone) {
            // An action that may or may not have reached AWS must not be missed.
            (NoticeKind::Audit, Tone::Crit) => theme.armed,
            (_, Tone::Ok) => theme.ok,
            (_, Tone::Warn) => theme.warn,
            (_, Tone::Crit) => theme.crit,
        };
        let dismiss = if notice.kind == NoticeKind::Message {
            ""
        } else {
            " (Esc dismisses)"
        };
        banners.push((format!("{}{dismiss}", notice.text), style));
    }
    for (text, tone) in recent {
        banners.push((text, tone_style(tone)));
    }
    let max = usize::from(max.max(2));
    let mut lines = Vec::new();
    for (i, (text, style)) in banners.iter().enumerate() {
        // A column of margin on the left, as the header has.
        let wrapped: Vec<String> = widgets::wrap(text, usize::from(width.saturating_sub(2)))
            .into_iter()
            .map(|l| format!(" {l} "))
            .collect();
        if lines.len() + wrapped.len() > max {
            let left = banners.len() - i;
            let more =
                format!(" +{left} more notice(s): make the window taller, or Esc to dismiss ");
            if lines.len() == max {
                lines.pop();
            }
            lines.push(Line::from(Span::styled(more, theme.warn)));
            break;
        }
        lines.extend(
            wrapped
                .into_iter()
                .map(|l| Line::from(Span::styled(l, *style))),
        );
    }
    lines
}

/// After quit or a signal, while actions still run: why the console has not gone yet.
fn closing_banner(state: &State) -> Option<String> {
    let limit = state.closing?;
    if state.in_flight.is_empty() {
        return Some("closing…".to_string());
    }
    let running: Vec<&str> = state.in_flight.iter().map(String::as_str).collect();
    Some(format!(
        "closing: waiting for the action on {} to end (at most {} s), so its result reaches the \
         audit log",
        running.join(", "),
        limit.as_secs()
    ))
}

fn render_panels(frame: &mut Frame, body: Rect, state: &State, theme: &Theme, now: Timestamp) {
    // Health and Replication grow with the number of service-regions; Lambda takes the rest.
    let region_rows = state
        .fleet
        .services
        .iter()
        .map(|s| s.regions.len())
        .sum::<usize>() as u16;
    let pipeline_rows = state
        .fleet
        .services
        .iter()
        .filter(|s| s.service.pipeline.is_some())
        .count() as u16
        * panels::pipeline::ROW_HEIGHT;
    let top_height = (region_rows.max(pipeline_rows) + 3).clamp(5, body.height * 2 / 5);
    let bottom_height = (region_rows + 3).clamp(5, body.height / 3);
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(top_height),
        Constraint::Min(5),
        Constraint::Length(bottom_height),
    ])
    .areas(body);
    let pipeline_width = if body.width >= 100 {
        Constraint::Percentage(40)
    } else {
        Constraint::Length(30)
    };
    let [health, pipeline] = Layout::horizontal([Constraint::Fill(1), pipeline_width]).areas(top);
    let [replication, domains] = Layout::horizontal([
        Constraint::Percentage(if body.width >= 100 { 52 } else { 50 }),
        Constraint::Fill(1),
    ])
    .areas(bottom);
    panels::health::render(frame, health, state, theme, now);
    panels::pipeline::render(frame, pipeline, state, theme, now);
    panels::lambda::render(frame, middle, state, theme, now);
    panels::replication::render(frame, replication, state, theme, now);
    panels::domains::render(frame, domains, state, theme, now);
}

/// One banner for missing or expired credentials, whichever sources hit it: the fix, and that
/// the console keeps retrying.
fn credentials_banner(state: &State) -> Option<String> {
    let error = state
        .fleet
        .sources
        .values()
        .filter_map(|s| s.error.as_ref())
        .find(|e| e.kind == crate::source::ErrorKind::Credentials)?;
    let fix = error
        .message
        .rsplit_once("; ")
        .map_or(error.message.as_str(), |(_, fix)| fix);
    let fix = fix.split_once(" (").map_or(fix, |(short, _)| short);
    Some(format!(
        " ✗ AWS credentials missing or expired: {fix}. Retrying every source meanwhile. "
    ))
}

fn render_header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let mut critical = 0;
    let mut warning = 0;
    for svc in &state.fleet.services {
        for f in crate::assess::findings(&state.fleet, svc, now) {
            match f.severity {
                Severity::Critical => critical += 1,
                Severity::Warning => warning += 1,
                Severity::Info => {}
            }
        }
    }
    let sep = || Span::styled(" │ ", theme.dim);
    let mut spans = vec![
        Span::styled(" switchyard", theme.title),
        sep(),
        Span::raw(state.title.clone()),
        sep(),
        Span::raw(now.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
        sep(),
    ];
    if critical + warning == 0 {
        spans.push(Span::styled("✓ no findings", theme.ok));
    } else {
        if critical > 0 {
            spans.push(Span::styled(format!("✗ {critical} critical "), theme.crit));
        }
        if warning > 0 {
            spans.push(Span::styled(format!("▲ {warning} warning"), theme.warn));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_footer(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let line = if let Some(d) = &state.view.dialog {
        Line::from(Span::styled(dialog::footer_hint(d), theme.title))
    } else if state.view.note.is_some() {
        Line::from(Span::styled(
            " note: type it · Enter record · Esc cancel",
            theme.title,
        ))
    } else if state.view.editing_filter {
        Line::from(vec![
            Span::styled(" filter: ", theme.title),
            Span::raw(format!("{}█", state.view.filter)),
            Span::styled("   Enter keep · Esc clear", theme.dim),
        ])
    } else {
        let mut spans = Vec::new();
        if !state.view.filter.is_empty() {
            spans.push(Span::styled(
                format!(" filter: {} ", state.view.filter),
                theme.warn,
            ));
        }
        let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
        for (b, hint) in footer_hints(state, usize::from(area.width).saturating_sub(used)) {
            let label = if b.intent.mutates() {
                theme.warn
            } else {
                theme.header
            };
            spans.push(Span::styled(format!(" {}", b.label), label));
            spans.push(Span::styled(format!(" {hint}"), theme.dim));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The footer's hints that fit in `width`: the focused panel's actions first, then the keys that
/// work everywhere. When they do not all fit, the navigation hints at the front go first, so the
/// actions, help and quit stay in view.
pub fn footer_hints(state: &State, width: usize) -> Vec<(&'static keymap::Binding, &'static str)> {
    let focused = state.view.focused();
    // The Timeline view lists no panel's rows: the panels' action keys have nothing to act on.
    let on_panel = |p: Panel| p == focused && !state.view.timeline;
    let (mut hints, global): (Vec<_>, Vec<_>) = keymap::bindings(state)
        .filter_map(|b| b.hint.map(|h| (b, h)))
        .filter(|(b, _)| b.intent.panel().is_none_or(on_panel))
        .filter(|(b, _)| !(state.view.timeline && b.intent == KeyIntent::OpenDetail))
        .partition(|(b, _)| b.intent.panel().is_some());
    let wide = |hints: &[(&keymap::Binding, &str)]| {
        hints
            .iter()
            .map(|(b, h)| 2 + b.label.chars().count() + h.chars().count())
            .sum::<usize>()
    };
    let mut global = global.as_slice();
    while !global.is_empty() && wide(&hints) + wide(global) > width {
        global = &global[1..];
    }
    hints.extend_from_slice(global);
    hints
}

fn render_too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = vec![
        Line::from(Span::styled("Terminal too small", theme.crit)),
        Line::from(format!(
            "{}×{} here; switchyard needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::from("Enlarge the window, or press q to quit."),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let area = Rect {
        y: area.y + y,
        height: area.height.min(3),
        ..area
    };
    frame.render_widget(
        Paragraph::new(text)
            .centered()
            .wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}

/// Whether a panel has the focus (and so shows its selection).
fn focused(state: &State, panel: Panel) -> bool {
    state.view.focused() == panel
}
