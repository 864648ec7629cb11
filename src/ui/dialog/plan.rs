//! The upper, scrolling part of the dialog: the plan as paragraphs (the effect, each call, what
//! it is based on, the control plane, each preflight check), or before there is a plan, the
//! regions to choose from or why no plan could be made.

use super::LABEL;
use crate::action::Plan;
use crate::assess::preflight::CheckStatus;
use crate::model::HealthStatus;
use crate::state::{Dialog, Stage, State};
use crate::ui::{Theme, widgets};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// One paragraph: `label` in the label column, `text` wrapped beside it in `style`.
fn labelled<'a>(
    label: &str,
    text: &str,
    inner: usize,
    style: Style,
    theme: &Theme,
) -> Vec<Line<'a>> {
    widgets::wrap(text, inner.saturating_sub(LABEL + 1))
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let label = if i == 0 { label } else { "" };
            Line::from(vec![
                Span::styled(format!(" {label:<LABEL$}"), theme.header),
                Span::styled(line, style),
            ])
        })
        .collect()
}

/// The plan's paragraphs, in the order and number `Dialog::paragraphs` counts.
pub fn plan_paragraphs<'a>(plan: &Plan, inner: usize, theme: &Theme) -> Vec<Vec<Line<'a>>> {
    let plain = Style::default();
    let mut out = vec![labelled("effect", &plan.effect, inner, theme.header, theme)];
    let numbered = plan.calls.len() > 1;
    for (i, call) in plan.calls.iter().enumerate() {
        let text = if numbered {
            format!("{}. {}", i + 1, call.describe())
        } else {
            call.describe()
        };
        out.push(labelled(
            if i == 0 { "calls" } else { "" },
            &text,
            inner,
            plain,
            theme,
        ));
    }
    for (i, line) in plan.based_on.iter().enumerate() {
        out.push(labelled(
            if i == 0 { "based on" } else { "" },
            line,
            inner,
            theme.dim,
            theme,
        ));
    }
    let control = if plan.uses_control_plane {
        theme.warn
    } else {
        theme.dim
    };
    out.push(labelled(
        "control",
        &plan.control_plane,
        inner,
        control,
        theme,
    ));
    if plan.preflight.checks.is_empty() {
        out.push(labelled(
            "preflight",
            "none needed for this action",
            inner,
            theme.dim,
            theme,
        ));
    }
    for (i, check) in plan.preflight.checks.iter().enumerate() {
        let label = check.status.label();
        let text = format!("{label:<7} {}: {}", check.name, check.detail);
        let style = match check.status {
            CheckStatus::Pass => theme.ok,
            CheckStatus::Fail => theme.crit,
            CheckStatus::Unknown => theme.unknown,
            CheckStatus::Warn => theme.warn,
        };
        let mut lines = labelled(
            if i == 0 { "preflight" } else { "" },
            &text,
            inner,
            plain,
            theme,
        );
        // The verdict word in its colour; the name and detail stay plain.
        if let Some(first) = lines.first_mut()
            && let Some(span) = first.spans.pop()
        {
            let (verdict, rest) = span.content.split_at(label.len().min(span.content.len()));
            first.spans.push(Span::styled(verdict.to_string(), style));
            first.spans.push(Span::raw(rest.to_string()));
        }
        out.push(lines);
    }
    out
}

/// Before there is a plan: the target regions to choose from, or why no plan could be made.
pub fn intro_paragraphs<'a>(
    dialog: &Dialog,
    state: &State,
    inner: usize,
    theme: &Theme,
) -> Vec<Vec<Line<'a>>> {
    let svc = state.fleet.service(&dialog.service);
    match &dialog.stage {
        Stage::ChooseTarget {
            candidates,
            selected,
        } => {
            let serving = svc
                .and_then(crate::assess::serving_region)
                .unwrap_or("an unknown region");
            let mut out = vec![labelled(
                "now",
                &format!(
                    "Route 53 answers {} with {serving}. Fail over to:",
                    svc.map_or(dialog.service.as_str(), |s| s.service.domain.as_str())
                ),
                inner,
                Style::default(),
                theme,
            )];
            for (i, region) in candidates.iter().enumerate() {
                let health = svc
                    .and_then(|s| s.region(region))
                    .and_then(|r| r.health.as_ref())
                    .map(|h| &h.value);
                let status = health.map_or(HealthStatus::Unknown, |h| h.raw);
                let pct = health
                    .and_then(|h| h.checkers_healthy_pct)
                    .map_or(String::new(), |p| format!("  {p:.0}% of checkers"));
                let chosen = i == *selected;
                let style = if chosen {
                    theme.selected
                } else {
                    Style::default()
                };
                out.push(vec![Line::from(vec![
                    Span::raw(" ".repeat(LABEL + 1)),
                    Span::styled(
                        format!("{} {region:<16}", if chosen { "▶" } else { " " }),
                        style,
                    ),
                    widgets::health(status, theme),
                    Span::styled(pct, theme.dim),
                ])]);
            }
            out
        }
        Stage::Unplanned { error } => vec![labelled(
            "no plan",
            &format!(
                "cannot {} {}: {error}",
                dialog.action.name(),
                dialog.service
            ),
            inner,
            theme.crit,
            theme,
        )],
        _ => Vec::new(),
    }
}
