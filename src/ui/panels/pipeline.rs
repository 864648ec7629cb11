//! Pipeline panel: each pipeline's stages, its pending manual approval (since, expiry, revision)
//! and whether the build it would deploy has reached every region.

use super::{PanelTable, freshness};
use crate::assess::{self, Verdict};
use crate::model::Timestamp;
use crate::source::SourceKind;
use crate::state::{Panel, Row as StateRow, State};
use crate::ui::{Theme, widgets};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Row};

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let rows = crate::state::rows(state, Panel::Pipeline)
        .into_iter()
        .filter_map(|row| {
            let StateRow::Service { service } = row else { return None };
            let svc = state.services.get(service)?;
            let name = svc.service.pipeline.clone().unwrap_or_default();
            let primary = svc.service.primary_region();
            let fetched = svc.pipeline.as_ref();
            let fresh = freshness(state, SourceKind::Pipeline, &svc.service.name, primary, fetched.map(|p| p.fetched_at), now);
            let stages: Vec<Span> = fetched.map_or_else(
                || vec![Span::styled("? unknown", theme.unknown)],
                |p| {
                    p.value
                        .stages
                        .iter()
                        .map(|s| {
                            let (mark, style) = match s.status.as_deref() {
                                Some("Succeeded") => ("✓", theme.ok),
                                Some("InProgress") => ("⏸", theme.warn),
                                Some("Failed") | Some("Stopped") => ("✗", theme.crit),
                                Some(_) => ("?", theme.unknown),
                                None => ("·", theme.dim),
                            };
                            Span::styled(format!("{} {mark}  ", s.name), style)
                        })
                        .collect()
                },
            );
            let (second, verdict) = match fetched.and_then(|p| p.value.pending.as_ref()) {
                Some(pending) => {
                    let waited = (now - pending.since).to_std().unwrap_or_default();
                    let left = (pending.expires - now).to_std().unwrap_or_default();
                    let revision = pending
                        .revisions
                        .first()
                        .map(|r| widgets::head(&r.revision_id, 8))
                        .unwrap_or_else(|| "?".into());
                    let readiness = assess::readiness(svc, now);
                    let verdict = match readiness.verdict {
                        Verdict::Ready => Span::styled("✓ READY", theme.ok),
                        Verdict::NotReady => Span::styled("✗ WAIT", theme.crit),
                        Verdict::Unknown => Span::styled("? unknown", theme.unknown),
                    };
                    (
                        Line::from(vec![
                            Span::styled("approval ", theme.warn),
                            Span::raw(format!(
                                "{} waiting {} · expires in {} · rev {revision}",
                                pending.action,
                                widgets::age(waited),
                                widgets::age(left)
                            )),
                        ]),
                        verdict,
                    )
                }
                None if fetched.is_some() => (Line::from(Span::styled("no approval pending", theme.dim)), Span::raw("")),
                None => (Line::from(""), Span::raw("")),
            };
            Some(
                Row::new(vec![
                    Cell::from(Text::from(vec![
                        Line::from(name),
                        Line::from(Span::styled(format!("  {}", svc.service.name), theme.dim)),
                    ])),
                    Cell::from(Text::from(vec![Line::from(stages), second])),
                    Cell::from(Text::from(vec![Line::from(verdict), Line::from(widgets::freshness(&fresh, theme))])),
                ])
                .height(2),
            )
        })
        .collect();
    PanelTable {
        panel: Panel::Pipeline,
        header: vec!["PIPELINE", "STAGES / APPROVAL", "DEPLOY?"],
        widths: vec![Constraint::Length(15), Constraint::Min(20), Constraint::Length(12)],
        rows,
        empty: "no pipelines configured",
    }
    .render(frame, area, state, theme);
}
