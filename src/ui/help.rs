//! The help overlay, drawn from the keymap table so it always lists every binding in effect
//! (the action keys are left out in read-only mode).

use super::Theme;
use super::keymap::bindings;
use crate::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Drawn over the panels (`body`), or over the whole `screen` when the panels' area is too short.
pub fn render(frame: &mut Frame, body: Rect, screen: Rect, state: &State, theme: &Theme) {
    let mut lines: Vec<Line> = bindings(state)
        .map(|b| {
            let label = if b.intent.mutates() {
                theme.warn
            } else {
                theme.header
            };
            Line::from(vec![
                Span::styled(format!(" {:<12}", b.label), label),
                Span::raw(b.help),
            ])
        })
        .collect();
    // The blank line before the legend goes first when space is short.
    let needed = lines.len() as u16 + 2 + 3;
    if needed <= screen.height {
        lines.push(Line::from(""));
    }
    lines.push(Line::from(Span::styled(
        " Markers: ✓ ok  ▲ warning  ✗ critical  ? unknown  … pending",
        theme.dim,
    )));
    lines.push(Line::from(Span::styled(
        "          ⏱ stale (with its age)  ◀ serving (where Route 53 sends traffic)",
        theme.dim,
    )));
    let height = lines.len() as u16 + 2;
    let area = if height <= body.height { body } else { screen };
    let height = height.min(area.height);
    super::widgets::popup(
        frame,
        area,
        (92.min(area.width), height),
        " Help: keys (Esc or ? to close) ",
        lines,
        theme,
    );
}
