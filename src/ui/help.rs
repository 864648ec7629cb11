//! The help overlay, drawn from the keymap table so it always lists every binding in effect
//! (the action keys are left out in read-only mode).

use super::Theme;
use super::keymap::bindings;
use crate::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

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
    let [popup] = Layout::horizontal([Constraint::Length(92.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.focus_border)
                .title(Span::styled(
                    " Help: keys (Esc or ? to close) ",
                    theme.title,
                )),
        ),
        popup,
    );
}
