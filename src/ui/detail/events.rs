//! The events of the selected row in the Health and Lambda detail views: the service's events
//! in that region and those about the service as a whole (serving changes, actions, notes),
//! newest first, as many as fit.

use super::super::{Theme, timeline::event_line};
use crate::model::{Event, Timestamp};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The rows the section takes for `count` events given `spare` rows the view above does not
/// need: a title and the events, at most [`MAX_EVENTS`] of them, and at least the newest.
pub fn height(count: usize, spare: u16) -> u16 {
    (count.clamp(1, MAX_EVENTS) as u16 + 1).min(spare).max(2)
}

/// The most events a detail view lists (the Timeline view has them all).
const MAX_EVENTS: usize = 6;

pub fn render(frame: &mut Frame, area: Rect, events: &[&Event], theme: &Theme, now: Timestamp) {
    let room = usize::from(area.height.saturating_sub(1));
    let more = events.len().saturating_sub(room);
    let mut title = vec![Span::styled("Events", theme.header)];
    if more > 0 {
        title.push(Span::styled(
            format!(" (newest {room} of {}: t for the timeline)", events.len()),
            theme.dim,
        ));
    }
    let mut lines = vec![Line::from(title)];
    if events.is_empty() {
        lines.push(Line::from(Span::styled(
            "  none recorded (t for the timeline)",
            theme.dim,
        )));
    }
    let width = usize::from(area.width).saturating_sub(2);
    lines.extend(events.iter().take(room).map(|e| {
        let mut line = event_line(e, now, width, None, false, theme);
        line.spans.insert(0, Span::raw("  "));
        line
    }));
    frame.render_widget(Paragraph::new(lines), area);
}
