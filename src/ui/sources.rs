//! The sources overlay (`s`): every source with its refresh interval, the age of its last good
//! data, the API calls it made and its rate per hour, and its last error in full; then the Route
//! 53 calls of a refresh against the account-wide limit; with several accounts' keys in the config,
//! who each credential set acts as (README, "Several accounts").

use super::{Theme, widgets};
use crate::fleet::Fleet;
use crate::model::Timestamp;
use crate::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: Timestamp) {
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{:<26}{:>8}{:>10}{:>9}{:>9}  STATUS",
            "SOURCE", "EVERY", "DATA AGE", "CALLS", "CALLS/h"
        ),
        theme.header,
    ))];
    for (key, s) in &state.fleet.sources {
        let age = s.last_ok.map_or("never".to_string(), |t| {
            widgets::age((now - t).to_std().unwrap_or_default())
        });
        let per_hour = crate::assess::source_calls_per_hour(s);
        let (status, style) = match (&s.error, &s.partial) {
            (Some(_), _) => ("✗ failing", theme.crit),
            (None, Some(_)) => ("▲ partial", theme.warn),
            (None, None) if s.last_ok.is_some() => ("✓ ok", theme.ok),
            (None, None) => ("… waiting", theme.dim),
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{:<26}{:>8}{:>10}{:>9}{:>9.0}  ",
                key.to_string(),
                widgets::age(s.interval),
                age,
                s.calls,
                per_hour
            )),
            Span::styled(status, style),
        ]));
        if let Some(e) = Fleet::problem(s) {
            lines.push(Line::from(Span::styled(
                format!("    {}", e.message),
                style,
            )));
        }
    }
    callers(&mut lines, state, theme);
    let (route53, route53_per_hour) = crate::assess::route53_calls(&state.fleet);
    if route53 == 0 {
        lines.push(Line::from(""));
    } else {
        // In place of the blank line, so that the overlay is no taller at 80×24.
        let limit = f64::from(crate::assess::ROUTE53_REQUESTS_PER_SECOND);
        let per_second = route53_per_hour / 3600.0;
        // Half the account's rate, or a burst's worth in one refresh, leaves little for anyone
        // else in the account (and for an action's UpdateHealthCheck).
        let style = if per_second >= limit / 2.0 || route53 >= crate::assess::ROUTE53_BURST {
            theme.warn
        } else {
            theme.dim
        };
        lines.push(Line::from(Span::styled(
            format!(
                "Route 53: {route53} calls/refresh, {per_second:.1}/s = {:.0}% of the account's \
                 {limit:.0}/s (burst {})",
                100.0 * per_second / limit,
                crate::assess::ROUTE53_BURST
            ),
            style,
        )));
    }
    lines.push(Line::from(Span::styled(
        format!(
            "{:.0} calls/h in all · CloudWatch ≈ ${:.2}/h · Esc or s to close",
            crate::assess::calls_per_hour(&state.fleet),
            crate::assess::cloudwatch_usd_per_hour(&state.fleet)
        ),
        theme.dim,
    )));
    let width = 100.min(area.width);
    // Long errors wrap: count the lines they take at this width.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let height: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let popup = widgets::centered(area, width, (height as u16 + 2).min(area.height));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.focus_border)
                .title(Span::styled(" Sources ", theme.title)),
        ),
        popup,
    );
}

/// One line per credential set: its APIs, its caller and account, red where an API's pin is
/// another account or the caller is unknown (its error, with the set's own login command).
fn callers<'a>(lines: &mut Vec<Line<'a>>, state: &State, theme: &Theme) {
    if state.fleet.callers.is_empty() {
        return;
    }
    lines.push(Line::from(Span::styled(
        "CREDENTIALS / APIS / CALLER",
        theme.header,
    )));
    for caller in &state.fleet.callers {
        let apis = if caller.apis.is_empty() {
            "status bar".to_string()
        } else {
            caller.apis.join(",")
        };
        let (who, style) = match (&caller.arn, &caller.error) {
            (Some(arn), _) if caller.wrong_account.is_empty() => (
                format!("✓ {arn} ({})", caller.account.as_deref().unwrap_or("?")),
                theme.ok,
            ),
            (Some(arn), _) => {
                let pins: Vec<String> = caller
                    .wrong_account
                    .iter()
                    .map(|p| format!("{} pins {}", p.key, p.account_id))
                    .collect();
                (
                    format!(
                        "✗ WRONG ACCOUNT {arn} ({}): {}",
                        caller.account.as_deref().unwrap_or("?"),
                        pins.join(", ")
                    ),
                    theme.crit,
                )
            }
            (None, error) => (
                format!("✗ {}", error.as_deref().unwrap_or("caller unknown")),
                theme.crit,
            ),
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{} · {apis} · ", caller.credentials)),
            Span::styled(who, style),
        ]));
    }
}
