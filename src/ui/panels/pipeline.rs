//! Pipeline panel: each pipeline's stages, its pending manual approval (since, expiry, revision)
//! and whether the build it would deploy has reached every region.

use super::PanelTable;
use crate::assess::{self, Verdict};
use crate::model::{ApprovalAnswer, Timestamp};
use crate::source::SourceKind;
use crate::state::{Panel, Row as StateRow, State};
use crate::ui::{Theme, widgets};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Cell;

/// Lines each pipeline takes.
pub const ROW_HEIGHT: u16 = 3;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let (window, position) = super::window(state, Panel::Pipeline, area, ROW_HEIGHT);
    let rows = window
        .into_iter()
        .filter_map(|row| {
            let StateRow::Service { service } = row else {
                return None;
            };
            let svc = state.fleet.services.get(service)?;
            let name = svc.service.pipeline.clone().unwrap_or_default();
            let primary = svc.service.primary_region();
            let fetched = svc.pipeline.as_ref();
            let fresh = state.fleet.freshness(
                SourceKind::Pipeline,
                &svc.service.name,
                primary,
                fetched.map(|p| p.fetched_at),
                now,
            );
            let mut stages: Vec<Span> = vec![Span::raw("  ")];
            match fetched {
                None => stages.push(Span::styled("? unknown", theme.unknown)),
                Some(p) => {
                    for (i, s) in p.value.stages.iter().enumerate() {
                        let (mark, style) = match s.status.as_deref() {
                            Some("Succeeded") => ("✓", theme.ok),
                            Some("InProgress") => ("⏸", theme.warn),
                            Some("Failed") | Some("Stopped") => ("✗", theme.crit),
                            Some(_) => ("?", theme.unknown),
                            None => ("·", theme.dim),
                        };
                        if i > 0 {
                            stages.push(Span::styled(
                                if area.width >= 60 { " → " } else { " " },
                                theme.dim,
                            ));
                        }
                        stages.push(Span::styled(format!("{} {mark}", s.name), style));
                    }
                }
            }
            let mut first = vec![
                Span::styled(name, theme.header),
                Span::styled(format!(" ({}) ", svc.service.name), theme.dim),
            ];
            let third = match fetched.and_then(|p| p.value.pending.as_ref()) {
                Some(pending) => {
                    let waited = (now - pending.since).to_std().unwrap_or_default();
                    let left = (pending.expires - now).to_std().unwrap_or_default();
                    first.push(match assess::readiness(svc, now).verdict {
                        Verdict::Ready => Span::styled("✓ READY", theme.ok),
                        Verdict::NotReady => Span::styled("✗ WAIT", theme.crit),
                        Verdict::Unknown => Span::styled("? unknown", theme.unknown),
                    });
                    let revision = pending
                        .revisions
                        .first()
                        .map(|r| widgets::head(&r.revision_id, 8))
                        .unwrap_or_else(|| "?".into());
                    Line::from(vec![
                        Span::styled("  ⏸ approval ", theme.warn),
                        Span::raw(format!(
                            "waiting {} · expires in {} · rev {revision}",
                            widgets::age(waited),
                            widgets::age(left)
                        )),
                    ])
                }
                None => match fetched.and_then(|p| p.value.last_answer.as_ref()) {
                    // The declaration could not be read: no approval can be told apart.
                    _ if fetched.is_some_and(|p| p.value.approvals_unknown) => Line::from(
                        Span::styled("  ? approval unknown (declaration not read)", theme.unknown),
                    ),
                    Some(answer) => last_answer(answer, theme, now),
                    None if fetched.is_some() => {
                        Line::from(Span::styled("  no approval pending", theme.dim))
                    }
                    None => Line::from(""),
                },
            };
            first.push(Span::raw(" "));
            first.push(widgets::freshness(&fresh, theme));
            Some(vec![
                Cell::from(Text::from(vec![
                    Line::from(first),
                    Line::from(stages),
                    third,
                ])),
                Cell::from(""),
            ])
        })
        .collect();
    PanelTable {
        now,
        panel: Panel::Pipeline,
        // The freshness marker is inside the text; the empty last column keeps PanelTable's shape.
        header: vec!["PIPELINE · STAGES · APPROVAL", ""],
        widths: vec![Constraint::Min(0), Constraint::Length(0)],
        rows,
        position,
        row_height: ROW_HEIGHT,
        empty: "no pipelines configured",
    }
    .render(frame, area, state, theme);
}

/// No approval waiting: how the last one ended, who answered and what they wrote, when
/// CodePipeline says. The detail view has it whole.
fn last_answer(answer: &ApprovalAnswer, theme: &Theme, now: Timestamp) -> Line<'static> {
    let (verdict, style) = match answer.status.as_str() {
        "Succeeded" => ("approved", theme.ok),
        // Rejected, or not answered in time: CodePipeline's status does not tell them apart.
        "Failed" => ("failed", theme.crit),
        other => (other, theme.unknown),
    };
    let ago = widgets::age((now - answer.at).to_std().unwrap_or_default());
    let mut spans = vec![
        Span::styled("  last ", theme.dim),
        Span::styled(verdict.to_string(), style),
        Span::raw(format!(" {ago} ago")),
    ];
    if let Some(by) = &answer.by {
        // The role (assumed-role/ROLE/SESSION) or the user at the end of the ARN; the detail view
        // has the whole ARN.
        let who = match by.split_once(":assumed-role/") {
            Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
            None => by.rsplit('/').next().unwrap_or(by),
        };
        spans.push(Span::raw(format!(" by {who}")));
    }
    if let Some(summary) = answer.summary.as_deref().filter(|s| !s.is_empty()) {
        spans.push(Span::styled(format!(" \"{summary}\""), theme.dim));
    }
    Line::from(spans)
}
