//! The help overlay, drawn from the keymap table so it always lists every binding.

use super::Theme;
use crate::tui::keymap::BINDINGS;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut lines: Vec<Line> = BINDINGS
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!(" {:<12}", b.label), theme.header),
                Span::raw(b.help),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Markers: ✓ ok  ▲ warning  ✗ critical  ? unknown  … pending",
        theme.dim,
    )));
    lines.push(Line::from(Span::styled(
        "          ⏱ stale (with its age)  ◀ serving (where Route 53 sends traffic)",
        theme.dim,
    )));
    let height = (lines.len() as u16 + 2).min(area.height);
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
