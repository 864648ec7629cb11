//! The guarded-action dialog: the plan (effect, each call, what it is based on, the control
//! plane, each preflight check) in a part that scrolls by paragraph, and under it a part that
//! stays in view: the reason and confirmation fields, or the progress, or the result.
//!
//! ```text
//! ┌ Failover sample → us-west-2 ───────────────────────────────────────────┐
//! │ effect    Route 53 will answer sample.fed.dev with us-west-2 (now …)   │
//! │ calls     Route 53 UpdateHealthCheck HealthCheckId=… Inverted=true …   │
//! │ based on  health check … HealthCheckVersion 3, Inverted=false, read …  │
//! │ control   UpdateHealthCheck is a Route 53 control-plane call …         │
//! │ preflight ok      health data fresh: read within its refresh interval  │
//! │           FAIL    target error rate: 7.1% in us-west-2, at or above …  │
//! │ ─────────────────────────────────────────────────────────────────────  │
//! │ ✗ Preflight did not pass: target error rate FAIL. To go ahead anyway, … │
//! │ reason › █                                                             │
//! └──────────────────────────────────────────────────── ↓ more: ↑/↓ ───────┘
//! ```

mod plan;

use super::{Theme, widgets};
use crate::action::{ActionKind, Plan, Report, Status};
use crate::state::{Dialog, Stage, State};
use plan::{intro_paragraphs, plan_paragraphs};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Wide enough for a call on two lines; on larger screens the rest stays visible around it.
const MAX_WIDTH: u16 = 110;
/// The label column ("based on  ").
const LABEL: usize = 10;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(dialog) = &state.view.dialog else {
        return;
    };
    let width = area.width.min(MAX_WIDTH);
    let inner = usize::from(width.saturating_sub(2));
    let paragraphs = match dialog.plan() {
        Some(plan) => plan_paragraphs(plan, inner, theme),
        None => intro_paragraphs(dialog, state, inner, theme),
    };
    let mut fixed = fixed_lines(dialog, inner, theme);
    if let Stage::Executing { plan, .. } = &dialog.stage
        && let Some(line) = state.progress.get(&plan.service)
    {
        wrap_into(&mut fixed, line, inner, theme.dim);
    }
    let wanted = paragraphs.iter().map(Vec::len).sum::<usize>() + 1 + fixed.len() + 2;
    let height = (wanted as u16).min(area.height);
    let popup = widgets::centered(area, width, height);

    // The plan gets what the fixed part leaves; it starts at the scrolled-to paragraph, but never
    // so far down that the last page is not full.
    let rows = usize::from(height.saturating_sub(2)).saturating_sub(fixed.len() + 1);
    let heights: Vec<usize> = paragraphs.iter().map(Vec::len).collect();
    let mut last_start = heights.len();
    let mut below = 0;
    while last_start > 0 && below + heights[last_start - 1] <= rows {
        last_start -= 1;
        below += heights[last_start];
    }
    let start = dialog.scroll.min(last_start);
    let mut lines: Vec<Line> = paragraphs[start..].iter().flatten().cloned().collect();
    let cut = lines.len() > rows;
    lines.truncate(rows);
    // Scrolled to the end, the last page may be short: the fields stay at the bottom all the same.
    lines.resize(rows, Line::default());
    lines.push(Line::from(Span::styled("─".repeat(inner), theme.border)));
    lines.extend(fixed);

    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(border_style(dialog, theme))
        .title(Span::styled(format!(" {} ", title(dialog)), theme.title));
    if start > 0 || cut {
        let where_ = match (start > 0, cut) {
            (true, true) => "↑ more · ↓ more",
            (true, false) => "↑ more",
            _ => "↓ more",
        };
        block = block.title_bottom(
            Line::from(Span::styled(format!(" {where_}: ↑/↓ scroll "), theme.warn)).right_aligned(),
        );
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

fn title(dialog: &Dialog) -> String {
    let action = capitalised(dialog.action.name());
    match (&dialog.stage, dialog.plan()) {
        (Stage::ChooseTarget { .. }, _) => {
            format!("{action} {}: choose the target region", dialog.service)
        }
        (_, Some(plan)) => match plan.action {
            ActionKind::Failover | ActionKind::Failback => {
                format!("{action} {} → {}", plan.service, plan.target)
            }
            ActionKind::Approve | ActionKind::Reject => {
                format!("{action} {} ({})", plan.target, plan.service)
            }
        },
        _ => format!("{action} {}", dialog.service),
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn border_style(dialog: &Dialog, theme: &Theme) -> Style {
    match &dialog.stage {
        Stage::Unplanned { .. } | Stage::Reason { .. } => theme.crit,
        Stage::Done { report, .. } => status_style(report.status, theme),
        _ => theme.focus_border,
    }
}

fn status_style(status: Status, theme: &Theme) -> Style {
    match status {
        Status::Verified => theme.ok,
        Status::Unverified => theme.warn,
        Status::Failed | Status::Refused => theme.crit,
    }
}

/// What stays in view under the plan: the field being typed, the progress or the result.
fn fixed_lines<'a>(dialog: &Dialog, inner: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    match &dialog.stage {
        Stage::ChooseTarget { .. } => wrap_into(
            &mut out,
            "↑/↓ choose · Enter plan the failover · Esc cancel",
            inner,
            theme.dim,
        ),
        Stage::Unplanned { .. } => wrap_into(
            &mut out,
            "Nothing was sent. Enter or Esc closes.",
            inner,
            theme.dim,
        ),
        Stage::Reason { plan, reason, note } => {
            wrap_into(
                &mut out,
                &format!(
                    "✗ Preflight did not pass: {}. To go ahead anyway, type why; the reason is \
                     recorded in the audit log as forced_reason.",
                    failed_checks(plan)
                ),
                inner,
                theme.crit,
            );
            field(&mut out, "reason", reason, inner, theme);
            if let Some(note) = note {
                wrap_into(&mut out, note, inner, theme.warn);
            }
            wrap_into(
                &mut out,
                &format!(
                    "Enter: next, then type {} to confirm · Esc cancel",
                    plan.confirm
                ),
                inner,
                theme.dim,
            );
        }
        Stage::Confirm {
            plan,
            reason,
            typed,
            note,
        } => {
            match reason {
                Some(reason) => wrap_into(
                    &mut out,
                    &format!("▲ forced past preflight: {reason}"),
                    inner,
                    theme.warn,
                ),
                None if plan.preflight.checks.is_empty() => {
                    wrap_into(&mut out, "no preflight for this action", inner, theme.dim)
                }
                None => wrap_into(&mut out, "✓ preflight passed", inner, theme.ok),
            }
            wrap_into(
                &mut out,
                &format!("Type {} to execute:", plan.confirm),
                inner,
                theme.header,
            );
            field(&mut out, "confirm", typed, inner, theme);
            if let Some(note) = note {
                wrap_into(&mut out, note, inner, theme.warn);
            }
        }
        Stage::Executing {
            plan,
            forced_reason,
        } => {
            if let Some(reason) = forced_reason {
                wrap_into(
                    &mut out,
                    &format!("▲ forced past preflight: {reason}"),
                    inner,
                    theme.warn,
                );
            }
            wrap_into(
                &mut out,
                &format!(
                    "Executing… {} call(s), then re-reading until the change shows.",
                    plan.calls.len()
                ),
                inner,
                theme.warn,
            );
            wrap_into(
                &mut out,
                "Esc hides this; the action keeps running and its result shows as a banner.",
                inner,
                theme.dim,
            );
        }
        Stage::Done { report, .. } => result_lines(&mut out, report, inner, theme),
    }
    out
}

fn wrap_into<'a>(out: &mut Vec<Line<'a>>, s: &str, inner: usize, style: Style) {
    for line in widgets::wrap(s, inner.saturating_sub(1)) {
        out.push(Line::from(Span::styled(format!(" {line}"), style)));
    }
}

/// An input field: its name, then what was typed and the cursor, wrapped.
fn field<'a>(out: &mut Vec<Line<'a>>, name: &str, typed: &str, inner: usize, theme: &Theme) {
    let prefix = format!(" {name} › ");
    let width = inner.saturating_sub(prefix.chars().count());
    for (i, line) in widgets::wrap(&format!("{typed}█"), width)
        .into_iter()
        .enumerate()
    {
        let lead = if i == 0 {
            prefix.clone()
        } else {
            " ".repeat(prefix.chars().count())
        };
        out.push(Line::from(vec![
            Span::styled(lead, theme.title),
            Span::raw(line),
        ]));
    }
}

/// The checks that did not pass, by name, so they are in view even when the plan scrolls.
fn failed_checks(plan: &Plan) -> String {
    plan.preflight
        .checks
        .iter()
        .filter(|c| c.status.blocks())
        .map(|c| format!("{} {}", c.name, c.status.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn result_lines<'a>(out: &mut Vec<Line<'a>>, report: &Report, inner: usize, theme: &Theme) {
    let word = match report.status {
        Status::Verified => "✓ VERIFIED",
        Status::Unverified => "▲ UNVERIFIED",
        Status::Failed => "✗ FAILED",
        Status::Refused => "✗ REFUSED",
    };
    wrap_into(
        out,
        &format!("{word}: {}", report.message),
        inner,
        status_style(report.status, theme),
    );
    for answer in &report.answers {
        wrap_into(out, &format!("answered: {answer}"), inner, theme.dim);
    }
    if let Some(reason) = &report.forced_reason {
        wrap_into(out, &format!("forced: {reason}"), inner, theme.warn);
    }
    let id = report
        .id
        .as_deref()
        .map_or("not in the audit log: nothing was sent".to_string(), |id| {
            format!("audit id {id} (see `switchyard audit`)")
        });
    wrap_into(out, &id, inner, theme.dim);
    if let Some(e) = &report.audit_error {
        wrap_into(out, e, inner, theme.crit);
    }
    wrap_into(out, "Enter or Esc closes.", inner, theme.dim);
}

/// The footer while the dialog is open: the keys that work at this step.
pub fn footer_hint(dialog: &Dialog) -> String {
    match &dialog.stage {
        Stage::ChooseTarget { .. } => " ↑/↓ choose  Enter plan  Esc cancel".into(),
        Stage::Unplanned { .. } => " Enter/Esc close".into(),
        Stage::Reason { .. } => " type the reason  Enter next  ↑/↓ scroll  Esc cancel".into(),
        Stage::Confirm { plan, .. } => format!(
            " type {}  Enter execute  ↑/↓ scroll  Esc cancel",
            plan.confirm
        ),
        Stage::Executing { .. } => " executing…  ↑/↓ scroll  Esc hide (it keeps running)".into(),
        Stage::Done { .. } => " Enter/Esc close  ↑/↓ scroll".into(),
    }
}
