//! The Timeline view (`t`) in place of the panels: the incident journal's events newest first,
//! one line each, filtered by service (`S`) and by the `/` filter; and the note prompt (`n`).
//!
//! ```text
//! ┌ Timeline · all services · 1–27 of 40 events (S service · / filter · Esc back) ─────┐
//! │14:06:00   0s ✎ sample            note: paged the payments team (by …/alice)         │
//! │14:05:30  30s ✗ sample/us-east-1  health check … is unhealthy · Route 53 14:05:12    │
//! │14:04:00   2m ▲ sample/us-east-1  sample-api: 14.6% errors · CloudWatch 14:03:00     │
//! └────────────────────────────────────────────────────────────────────────────────────┘
//! ```

use super::{Theme, widgets};
use crate::model::{Event, EventKind, FindingCode, Severity, Timestamp, short_actor};
use crate::state::{NOTE_MAX, State, timeline_events};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let events = timeline_events(state);
    let total = state.events.len();
    let service = state
        .view
        .timeline_service
        .as_deref()
        .unwrap_or("all services");
    let first = state
        .view
        .timeline_scroll
        .min(events.len().saturating_sub(1));
    let rows = usize::from(area.height.saturating_sub(2));
    let shown = &events[first.min(events.len())..(first + rows).min(events.len())];
    let count = if events.len() == total && events.len() <= rows {
        format!("{total} events")
    } else if events.len() <= rows && first == 0 {
        format!("{} of {total} events", events.len())
    } else {
        format!(
            "{}–{} of {}{}",
            first + 1,
            first + shown.len(),
            events.len(),
            if events.len() == total {
                " events".to_string()
            } else {
                format!(" (of {total})")
            }
        )
    };
    let keys = if area.width >= 100 {
        " (S service · / filter · Esc back)"
    } else {
        " (S service · Esc)"
    };
    let title = format!(" Timeline · {service} · {count}{keys} ");
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focus_border)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if events.is_empty() {
        let text = if total > 0 {
            "nothing matches: S for another service, / to change the filter"
        } else {
            "no events yet: changes of health, serving region, findings, sources, replication \
             and approvals show here as they happen; n adds a note"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.dim))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    let width = usize::from(inner.width);
    let dated = shown.iter().any(|e| !same_day(e.observed, now));
    // Where each event is, in a column of its own when there is room (the messages name the
    // service and region themselves, but not a note's).
    let place = (width >= 100).then(|| {
        shown
            .iter()
            .map(|e| place(e).chars().count())
            .max()
            .unwrap_or(0)
            .min(24)
    });
    let lines: Vec<Line> = shown
        .iter()
        .map(|e| event_line(e, now, width, place, dated, theme))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One event on one line of `width`: its time (UTC; with the date when it is not `now`'s day,
/// or when `dated`), its age, the severity marker, where (`place` columns, none when `None`),
/// the message cut to fit, and AWS's own time of it where that differs.
pub(super) fn event_line<'a>(
    e: &Event,
    now: Timestamp,
    width: usize,
    place_width: Option<usize>,
    dated: bool,
    theme: &Theme,
) -> Line<'a> {
    let time = if dated || !same_day(e.observed, now) {
        e.observed.format("%m-%d %H:%M:%S")
    } else {
        e.observed.format("%H:%M:%S")
    };
    let age = widgets::coarse_age((now - e.observed).to_std().unwrap_or_default());
    let style = style(e, theme);
    let mut spans = vec![
        Span::styled(format!("{time} {age:>4} "), theme.dim),
        Span::styled(format!("{} ", marker(e)), style),
    ];
    if let Some(w) = place_width {
        spans.push(Span::styled(
            format!("{:<w$} ", widgets::head(&place(e), w)),
            theme.dim,
        ));
    }
    let aws = aws_time(e).map(|t| format!(" · {t}"));
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = width
        .saturating_sub(used)
        .saturating_sub(aws.as_ref().map_or(0, |a| a.chars().count()));
    let text = message(e, place_width.is_none());
    spans.push(Span::styled(widgets::head(&text, room.max(8)), style));
    if let Some(aws) = aws {
        spans.push(Span::styled(aws, theme.dim));
    }
    Line::from(spans)
}

fn same_day(t: Timestamp, now: Timestamp) -> bool {
    t.date_naive() == now.date_naive()
}

/// "sample/us-east-1", "sample", "us-east-1" (a source), or "fleet" (a note about no service).
fn place(e: &Event) -> String {
    match (&e.service, &e.region) {
        (Some(s), Some(r)) => format!("{s}/{r}"),
        (Some(s), None) => s.clone(),
        (None, Some(r)) => r.clone(),
        (None, None) => "fleet".into(),
    }
}

fn marker(e: &Event) -> &'static str {
    match e.kind {
        EventKind::Note => "✎",
        _ if good_news(e) => "✓",
        _ => widgets::severity_marker(e.severity),
    }
}

/// Something recovered, cleared or completed (an info event of a signal that can go wrong; an
/// info serving change is the baseline recorded at first sight, not news).
fn good_news(e: &Event) -> bool {
    e.severity == Severity::Info
        && matches!(
            e.kind,
            EventKind::HealthChanged
                | EventKind::FindingCleared
                | EventKind::SourceRecovered
                | EventKind::ReplicationCompleted
                | EventKind::ApprovalAnswered
        )
}

/// Critical red, warning yellow; good news (recovered, cleared, completed) green; notes bold.
fn style(e: &Event, theme: &Theme) -> Style {
    match e.severity {
        _ if e.kind == EventKind::Note => theme.header,
        _ if good_news(e) => theme.ok,
        Severity::Critical | Severity::Warning => widgets::severity_style(e.severity, theme),
        Severity::Info => Style::default(),
    }
}

/// The message, with who for notes and actions (and a note's service when `named`, where no
/// column says it).
fn message(e: &Event, named: bool) -> String {
    let by = |text: &str| match &e.actor {
        Some(_) => format!("{text} (by {})", short_actor(e.actor.as_deref())),
        None => text.to_string(),
    };
    match (e.kind, &e.service) {
        (EventKind::Note, Some(service)) if named => {
            by(&format!("note on {service}: {}", e.message))
        }
        (EventKind::Note, _) => by(&format!("note: {}", e.message)),
        (EventKind::Action, _) => by(&e.message),
        _ => e.message.clone(),
    }
}

/// AWS's time of the event, with which service gave it ("CloudWatch 14:02:00"), when it
/// differs from when switchyard saw it.
fn aws_time(e: &Event) -> Option<String> {
    let at = e.aws_time?;
    if (at - e.observed).num_seconds() == 0 {
        return None;
    }
    let source = match (e.kind, e.code) {
        (_, Some(FindingCode::ErrorRateHigh)) => "CloudWatch",
        (EventKind::HealthChanged, _)
        | (_, Some(FindingCode::HealthUnhealthy | FindingCode::HealthInverted)) => "Route 53",
        (EventKind::ReplicationCompleted, _)
        | (_, Some(FindingCode::ReplicationPending | FindingCode::ReplicationFailed)) => "S3",
        (
            EventKind::ApprovalPending | EventKind::ApprovalAnswered | EventKind::ApprovalExpired,
            _,
        ) => "CodePipeline",
        _ => "AWS",
    };
    let format = if same_day(at, e.observed) {
        "%H:%M:%S"
    } else {
        "%m-%d %H:%M:%S"
    };
    Some(format!("{source} {}", at.format(format)))
}

/// The note prompt (`n`), over the body: the text typed (its end when long), the service it is
/// about, the length, and why Enter was refused.
pub fn render_note(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(note) = &state.view.note else {
        return;
    };
    let width = 90.min(area.width);
    let inner = usize::from(width.saturating_sub(2));
    let about = note
        .service
        .as_deref()
        .map_or("the whole fleet".to_string(), |s| s.to_string());
    let text = format!("{}█", note.text);
    let status = match &note.refused {
        Some(why) => Span::styled(why.clone(), theme.warn),
        None => Span::styled(
            format!(
                "{}/{NOTE_MAX} · recorded with who you are and the time (UTC)",
                note.text.chars().count()
            ),
            theme.dim,
        ),
    };
    let lines = vec![
        Line::from(vec![Span::styled("about ", theme.dim), Span::raw(about)]),
        Line::from(widgets::tail(&text, inner.saturating_sub(1))),
        Line::from(status),
    ];
    widgets::popup(
        frame,
        area,
        (width, 5),
        " Note for the incident journal (Enter records · Esc cancels) ",
        lines,
        theme,
    );
}
