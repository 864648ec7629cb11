//! Colours and text markers. Every status has a text marker as well as a colour, so the console
//! reads the same without colour (NO_COLOR) and for colour-blind users.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub ok: Style,
    pub warn: Style,
    pub crit: Style,
    pub unknown: Style,
    pub stale: Style,
    pub dim: Style,
    pub header: Style,
    pub title: Style,
    pub focus_border: Style,
    pub border: Style,
    pub selected: Style,
    pub armed: Style,
}

impl Theme {
    pub fn color() -> Self {
        Theme {
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            crit: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            unknown: Style::new().fg(Color::Magenta),
            stale: Style::new()
                .fg(Color::Yellow)
                .add_modifier(Modifier::ITALIC),
            dim: Style::new().fg(Color::DarkGray),
            header: Style::new().add_modifier(Modifier::BOLD),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            focus_border: Style::new().fg(Color::Cyan),
            border: Style::new().fg(Color::DarkGray),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            armed: Style::new()
                .fg(Color::Black)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        }
    }

    /// No colour at all: markers and bold/reverse carry the meaning.
    pub fn no_color() -> Self {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            ok: plain,
            warn: bold,
            crit: bold,
            unknown: plain,
            stale: Style::new().add_modifier(Modifier::ITALIC),
            dim: plain,
            header: bold,
            title: bold,
            focus_border: bold,
            border: plain,
            selected: Style::new().add_modifier(Modifier::REVERSED),
            armed: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    /// Honours NO_COLOR (https://no-color.org): any non-empty value turns colour off.
    pub fn from_env() -> Self {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::no_color(),
            _ => Theme::color(),
        }
    }
}
