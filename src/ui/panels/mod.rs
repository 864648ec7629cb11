//! The five panels, one file each, and the table drawing they share.

pub mod domains;
pub mod health;
pub mod lambda;
pub mod pipeline;
pub mod replication;

use super::{Theme, widgets};
use crate::source::SourceKind;
use crate::state::{Panel, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

/// A panel's table: a header, rows, the selection when focused, and scrolling that keeps the
/// selection in view.
pub struct PanelTable<'a> {
    // Rows are built fresh each frame from owned strings.
    pub panel: Panel,
    /// Each row's last cell is its freshness; the column is left out while all data is fresh.
    pub now: crate::model::Timestamp,
    pub header: Vec<&'static str>,
    pub widths: Vec<Constraint>,
    /// Cells of each row, one per header column.
    pub rows: Vec<Vec<Cell<'a>>>,
    pub row_height: u16,
    /// Where `rows` sit in the panel's full list (see [`window`]).
    pub position: Position,
    pub empty: &'static str,
}

/// Where a panel's visible rows sit in its full list.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    pub offset: usize,
    pub total: usize,
}

/// The rows a panel can show in `area`: a window that keeps the selection in view, and its
/// place in the full list. Only these rows are built, so a large fleet costs no more to draw.
pub fn window(
    state: &State,
    panel: Panel,
    area: Rect,
    row_height: u16,
) -> (Vec<crate::state::Row>, Position) {
    let all = crate::state::rows(state, panel);
    let total = all.len();
    // Two border lines and the header; a partly visible last row still shows its first lines.
    let visible = area
        .height
        .saturating_sub(3)
        .div_ceil(row_height.max(1))
        .max(1) as usize;
    let selected = state.view.selected[panel.index()].min(total.saturating_sub(1));
    let offset = selected.saturating_sub(visible - 1);
    (
        all.into_iter().skip(offset).take(visible).collect(),
        Position { offset, total },
    )
}

/// Width of the freshness column while data is stale ("⏱ STALE 59m").
const FRESHNESS_WIDTH: u16 = 11;
/// Columns a panel always keeps: the service and the region.
const KEPT_COLUMNS: usize = 2;

/// Which columns fit in `inner` columns: the first ones and (when `keep_last`) the last always stay;
/// the others are dropped from the right until the rest fits.
pub fn fit_columns(widths: &[Constraint], inner: u16, keep_last: bool) -> Vec<usize> {
    let min = |c: &Constraint| match c {
        Constraint::Length(n) | Constraint::Min(n) => *n,
        _ => 4,
    };
    let mut kept: Vec<usize> = (0..widths.len()).collect();
    let total = |kept: &[usize]| {
        kept.iter().map(|&i| min(&widths[i])).sum::<u16>() + kept.len().saturating_sub(1) as u16
    };
    while total(&kept) > inner {
        let last = kept.len().saturating_sub(if keep_last { 2 } else { 1 });
        if last < KEPT_COLUMNS || last >= kept.len() {
            break;
        }
        kept.remove(last);
    }
    kept
}

impl PanelTable<'static> {
    pub fn render(self, frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
        self.render_titled(frame, area, state, theme, None);
    }

    /// As [`Self::render`], with `subtitle` after the panel's name (e.g. what window the
    /// figures cover).
    pub fn render_titled(
        self,
        frame: &mut Frame,
        area: Rect,
        state: &State,
        theme: &Theme,
        subtitle: Option<String>,
    ) {
        let focused = super::focused(state, self.panel);
        let note = source_note(state, self.panel.source(), theme);
        let name = match subtitle {
            Some(sub) => format!("{} · {sub}", self.panel.title()),
            None => self.panel.title().to_string(),
        };
        // Say when rows are out of view, so a small terminal never hides them silently.
        let Position { offset, total } = self.position;
        let title = if self.rows.len() < total {
            format!("{name} {}–{}/{total}", offset + 1, offset + self.rows.len())
        } else {
            name
        };
        let block = widgets::panel_block(self.panel.index() + 1, &title, focused, note, theme);
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
        // The last column is freshness: left out while everything is fresh, and never dropped
        // for lack of room while something is stale.
        let stale = !state.fleet.all_fresh(self.panel.source(), self.now);
        let mut widths = self.widths;
        let columns = widths.len();
        if stale && let Some(last) = widths.last_mut() {
            *last = Constraint::Length(FRESHNESS_WIDTH);
        }
        let visible = if stale { columns } else { columns - 1 };
        let kept = fit_columns(&widths[..visible], area.width.saturating_sub(2), stale);
        let pick = |cells: Vec<Cell<'static>>| -> Vec<Cell<'static>> {
            let mut cells: Vec<Option<Cell>> = cells.into_iter().map(Some).collect();
            kept.iter()
                .filter_map(|&i| cells.get_mut(i).and_then(Option::take))
                .collect()
        };
        let header = Row::new(pick(
            self.header
                .into_iter()
                .map(|h| Cell::from(Span::styled(h, theme.header)))
                .collect(),
        ));
        let height = self.row_height;
        let rows: Vec<Row> = self
            .rows
            .into_iter()
            .map(|cells| Row::new(pick(cells)).height(height))
            .collect();
        let widths: Vec<Constraint> = kept.iter().map(|&i| widths[i]).collect();
        let table = Table::new(rows, widths)
            .header(header)
            .block(block)
            .column_spacing(1)
            .row_highlight_style(theme.selected);
        let mut table_state = TableState::default();
        if focused {
            let selected =
                state.view.selected[self.panel.index()].saturating_sub(self.position.offset);
            table_state.select(Some(selected.min(count - 1)));
        }
        frame.render_stateful_widget(table, area, &mut table_state);
    }
}

/// A short note for the panel title when any of its sources is failing, or fetched only part.
fn source_note<'a>(state: &State, kind: SourceKind, theme: &Theme) -> Option<Span<'a>> {
    let regions = |partial: bool| -> Vec<String> {
        state
            .fleet
            .sources
            .iter()
            .filter(|(k, s)| {
                k.kind == kind
                    && if partial {
                        s.error.is_none() && s.partial.is_some()
                    } else {
                        s.error.is_some()
                    }
            })
            .map(|(k, _)| k.region.clone())
            .collect()
    };
    let (failing, partial) = (regions(false), regions(true));
    if !failing.is_empty() {
        Some(Span::styled(
            format!("✗ failing: {}", failing.join(", ")),
            theme.crit,
        ))
    } else if !partial.is_empty() {
        Some(Span::styled(
            format!("▲ partial: {}", partial.join(", ")),
            theme.warn,
        ))
    } else {
        None
    }
}
