//! The five panels, one file each, and the table drawing they share.

pub mod domains;
pub mod health;
pub mod lambda;
pub mod pipeline;
pub mod replication;

use super::{Theme, widgets};
use crate::source::SourceKind;
use crate::state::{Freshness, Panel, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

/// A panel's table: a header, rows, the selection when focused, and scrolling that keeps the
/// selection in view.
pub struct PanelTable<'a> {
    pub panel: Panel,
    /// Each row's last cell is its freshness; the column is left out while all data is fresh.
    pub now: crate::model::Timestamp,
    pub header: Vec<&'static str>,
    pub widths: Vec<Constraint>,
    pub rows: Vec<Row<'a>>,
    pub empty: &'static str,
}

impl PanelTable<'_> {
    pub fn render(self, frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
        let focused = super::focused(state, self.panel);
        let note = source_note(state, self.panel.source(), theme);
        let block = widgets::panel_block(
            self.panel.index() + 1,
            self.panel.title(),
            focused,
            note,
            theme,
        );
        if self.rows.is_empty() {
            let text = if state.view.filter.is_empty() {
                self.empty
            } else {
                "nothing matches the filter"
            };
            frame.render_widget(
                Paragraph::new(Span::styled(text, theme.dim)).block(block),
                area,
            );
            return;
        }
        let count = self.rows.len();
        let (mut header_names, mut widths) = (self.header, self.widths);
        if state.all_fresh(self.panel.source(), self.now) {
            header_names.pop();
            widths.pop();
        }
        let header = Row::new(
            header_names
                .into_iter()
                .map(|h| Cell::from(Span::styled(h, theme.header))),
        );
        let table = Table::new(self.rows, widths)
            .header(header)
            .block(block)
            .column_spacing(1)
            .row_highlight_style(theme.selected);
        let mut table_state = TableState::default();
        if focused {
            table_state.select(Some(state.view.selected[self.panel.index()].min(count - 1)));
        }
        frame.render_stateful_widget(table, area, &mut table_state);
    }
}

/// A short note for the panel title when any of its sources is failing.
fn source_note<'a>(state: &State, kind: SourceKind, theme: &Theme) -> Option<Span<'a>> {
    let failing: Vec<String> = state
        .sources
        .iter()
        .filter(|(k, s)| k.kind == kind && s.error.is_some())
        .map(|(k, _)| k.region.clone())
        .collect();
    (!failing.is_empty())
        .then(|| Span::styled(format!("✗ failing: {}", failing.join(", ")), theme.crit))
}

/// The freshness of one (service, region) value for a panel.
pub fn freshness(
    state: &State,
    kind: SourceKind,
    service: &str,
    region: &str,
    fetched_at: Option<crate::model::Timestamp>,
    now: crate::model::Timestamp,
) -> Freshness {
    state.freshness(kind, service, region, fetched_at, now)
}
