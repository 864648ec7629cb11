//! The status bar: whether actions are armed, each source's health, what the console costs in
//! API calls and CloudWatch money, and who we are.

use super::{Theme, widgets};
use crate::fleet::Fleet;
use crate::model::Timestamp;
use crate::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let sep = || Span::styled(" │ ", theme.dim);
    let caller = state.caller.as_deref().unwrap_or("caller unknown");
    let caller = widgets::tail(caller, (area.width / 3) as usize);
    let mode = if state.read_only {
        Span::styled(" READ-ONLY ", theme.ok)
    } else {
        Span::styled(" ARMED ", theme.armed)
    };
    let failing: Vec<_> = state
        .fleet
        .sources
        .iter()
        .filter(|(_, s)| Fleet::problem(s).is_some())
        .collect();
    let ok = state
        .fleet
        .sources
        .values()
        .filter(|s| s.last_ok.is_some() && Fleet::problem(s).is_none())
        .count();
    let oldest = state
        .fleet
        .sources
        .values()
        .filter_map(|s| s.last_ok)
        .min()
        .map(|t| widgets::age((now - t).to_std().unwrap_or_default()));
    // What matters in an incident comes first; the caller is last, where a narrow terminal cuts.
    let mut spans = vec![Span::raw(" "), mode, sep()];
    spans.push(Span::raw(format!(
        "sources {ok}/{} ok",
        state.fleet.sources.len()
    )));
    if let Some(oldest) = oldest {
        spans.push(Span::styled(format!(" (oldest {oldest})"), theme.dim));
    }
    for (key, status) in failing.iter().take(2) {
        let throttled = status
            .error
            .as_ref()
            .is_some_and(|e| e.kind == crate::source::ErrorKind::Throttled);
        let age = status
            .last_ok
            .map(|t| format!(" {}", widgets::age((now - t).to_std().unwrap_or_default())))
            .unwrap_or_default();
        let what = if throttled {
            "THROTTLED"
        } else if status.error.is_some() {
            "FAILING"
        } else {
            "PARTIAL"
        };
        spans.push(Span::styled(format!(" ✗ {key} {what}{age}"), theme.crit));
    }
    if failing.len() > 2 {
        spans.push(Span::styled(
            format!(" +{} more", failing.len() - 2),
            theme.crit,
        ));
    }
    spans.push(sep());
    spans.push(Span::raw(format!(
        "{:.0} calls/h · CloudWatch ≈ ${:.2}/h",
        crate::assess::calls_per_hour(&state.fleet),
        crate::assess::cloudwatch_usd_per_hour(&state.fleet)
    )));
    spans.push(sep());
    spans.push(Span::styled(caller, theme.dim));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
