//! Small pieces every panel uses: status markers, text sparklines, ages, numbers, panel frames.

use super::Theme;
use crate::fleet::Freshness;
use crate::model::{HealthStatus, ReplicaStatus, Severity};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};
use std::time::Duration;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

pub fn health<'a>(status: HealthStatus, theme: &Theme) -> Span<'a> {
    match status {
        HealthStatus::Healthy => Span::styled("✓ healthy", theme.ok),
        HealthStatus::Unhealthy => Span::styled("✗ UNHEALTHY", theme.crit),
        HealthStatus::Unknown => Span::styled("? unknown", theme.unknown),
    }
}

/// The same marker in six columns, for narrow terminals.
pub fn health_short<'a>(status: HealthStatus, theme: &Theme) -> Span<'a> {
    match status {
        HealthStatus::Healthy => Span::styled("✓ ok", theme.ok),
        HealthStatus::Unhealthy => Span::styled("✗ DOWN", theme.crit),
        HealthStatus::Unknown => Span::styled("? unkn", theme.unknown),
    }
}

pub fn replica<'a>(status: ReplicaStatus, theme: &Theme) -> Span<'a> {
    match status {
        ReplicaStatus::Completed => Span::styled("✓ completed", theme.ok),
        ReplicaStatus::Pending => Span::styled("… pending", theme.warn),
        ReplicaStatus::Failed => Span::styled("✗ FAILED", theme.crit),
        ReplicaStatus::Missing => Span::styled("✗ MISSING", theme.crit),
        ReplicaStatus::Unknown => Span::styled("? unknown", theme.unknown),
    }
}

pub fn severity_style(severity: Severity, theme: &Theme) -> Style {
    match severity {
        Severity::Info => theme.dim,
        Severity::Warning => theme.warn,
        Severity::Critical => theme.crit,
    }
}

pub fn severity_marker(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "i",
        Severity::Warning => "▲",
        Severity::Critical => "✗",
    }
}

/// A sparkline in text: one bar per bucket (the lowest value in it, so dips show), scaled to
/// `max`; "·" where there is no data.
pub fn spark(values: &[Option<f64>], max: f64, width: usize, lowest: bool) -> String {
    if width == 0 || values.is_empty() {
        return String::new();
    }
    let buckets = width.min(values.len());
    (0..buckets)
        .map(|b| {
            let from = b * values.len() / buckets;
            let to = ((b + 1) * values.len() / buckets).max(from + 1);
            let known = values[from..to].iter().flatten().copied();
            let value = if lowest {
                known.fold(None, |acc: Option<f64>, v| {
                    Some(acc.map_or(v, |a| a.min(v)))
                })
            } else {
                known.fold(None, |acc: Option<f64>, v| {
                    Some(acc.map_or(v, |a| a.max(v)))
                })
            };
            match value {
                None => '·',
                Some(v) if max <= 0.0 => BARS[if v > 0.0 { 7 } else { 0 }],
                Some(v) => {
                    let i = ((v / max).clamp(0.0, 1.0) * 7.0).round() as usize;
                    BARS[i.min(7)]
                }
            }
        })
        .collect()
}

/// "41s", "5m", "2h 10m".
pub fn age(d: Duration) -> String {
    crate::assess::fmt_secs(d.as_secs())
}

/// An age in its largest unit only ("41s", "2m", "3h", "2d"), for narrow cells.
pub fn coarse_age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// A freshness cell: empty when fresh, else "STALE 2m" / "NO DATA".
pub fn freshness<'a>(f: &Freshness, theme: &Theme) -> Span<'a> {
    match f {
        Freshness::Fresh => Span::raw(""),
        Freshness::Stale { age: a, .. } => {
            Span::styled(format!("⏱ STALE {}", coarse_age(*a)), theme.stale)
        }
        Freshness::Missing { error: Some(_) } => Span::styled("✗ NO DATA", theme.crit),
        Freshness::Missing { error: None } => Span::styled("… loading", theme.dim),
    }
}

pub fn count(v: Option<u64>) -> String {
    match v {
        None => "?".into(),
        Some(n) if n >= 10_000_000 => format!("{:.0}M", n as f64 / 1e6),
        Some(n) if n >= 100_000 => format!("{:.0}k", n as f64 / 1e3),
        Some(n) if n >= 10_000 => format!("{:.1}k", n as f64 / 1e3),
        Some(n) => n.to_string(),
    }
}

/// A panel's frame: numbered title, highlighted when focused, and a note (e.g. a stale source).
pub fn panel_block<'a>(
    number: usize,
    title: &str,
    focused: bool,
    note: Option<Span<'a>>,
    theme: &Theme,
) -> Block<'a> {
    let border = if focused {
        theme.focus_border
    } else {
        theme.border
    };
    let marker = if focused { "▶ " } else { "" };
    let mut spans = vec![Span::styled(
        format!(" {marker}{number} {title} "),
        theme.title,
    )];
    if let Some(note) = note {
        spans.push(note);
        spans.push(Span::raw(" "));
    }
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(ratatui::text::Line::from(spans))
}

/// Keep the last `n` characters of an identifier ("…" in front when cut).
pub fn tail(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        s.to_string()
    } else {
        let kept: String = s.chars().skip(count - n.saturating_sub(1)).collect();
        format!("…{kept}")
    }
}

/// Keep the first `n` characters ("…" at the end when cut).
pub fn head(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let kept: String = s.chars().take(n.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

/// Word-wrap `text` into lines of at most `width` characters; a word longer than a line (an
/// ARN, a list of regions) is cut across lines, after a separator where it can be, rather than
/// pushed off screen. Never returns no lines.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        if len > 0 && len + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        while len + word.len() > width {
            // Cut after a list separator when there is one in reach ("a,b,c", an ARN's parts).
            let room = width - len;
            let at = word[..room]
                .iter()
                .rposition(|c| matches!(c, ',' | '/' | ':'))
                .map_or(room, |i| i + 1);
            let rest = word.split_off(at);
            line.extend(word);
            lines.push(std::mem::take(&mut line));
            len = 0;
            word = rest;
        }
        len += word.len();
        line.extend(word);
    }
    lines.push(line);
    lines
}

/// What DNS answers for a service, in the Health panel's DNS column for the row of `region`
/// (`size` 2: 9 columns, 1: 5, 0: 3): the answered region's row gets "◀ ttl 60s" / "◀ 60s" /
/// "◀" (green when the health model agrees, red when not), the service's first row says why
/// there is no region ("? no name" for NXDOMAIN, "✗ silent"); stale DNS data shows its age instead of
/// the TTL.
pub fn dns_cell<'a>(
    svc: &crate::fleet::ServiceState,
    region: &str,
    first_row: bool,
    fresh: &Freshness,
    size: u8,
    theme: &Theme,
) -> Span<'a> {
    let wide = size >= 2;
    let Some(dns) = svc.dns.as_ref().map(|d| &d.value) else {
        return Span::raw("");
    };
    let stale = match fresh {
        Freshness::Stale { age, .. } => Some(*age),
        _ => None,
    };
    match dns.answer_region.as_deref() {
        Some(answered) if answered == region => {
            let agrees = svc.predicted_region() == Some(answered);
            let style = match (stale, agrees) {
                (Some(_), _) => theme.stale,
                (None, true) => theme.ok,
                (None, false) => theme.crit,
            };
            let text = match (size, stale, dns.ttl_s) {
                (0, _, _) | (_, None, None) => "◀".to_string(),
                (1, Some(age), _) => format!("◀ {}", age_short(age)),
                (1, None, Some(ttl)) => format!("◀ {ttl}s"),
                (_, Some(age), _) => format!("◀ {} old", age_short(age)),
                (_, None, Some(ttl)) => format!("◀ ttl {ttl}s"),
            };
            Span::styled(text, style)
        }
        Some(_) => Span::raw(""),
        None if !first_row => Span::raw(""),
        None if dns.error.is_some() => {
            Span::styled(if wide { "✗ no answer" } else { "✗" }, theme.crit)
        }
        None => Span::styled(
            if wide {
                if dns.note.as_deref().is_some_and(|n| n.contains("NXDOMAIN")) {
                    "? no name"
                } else {
                    "? unknown"
                }
            } else {
                "?"
            },
            theme.unknown,
        ),
    }
}

fn age_short(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m", s / 60)
    } else {
        format!("{}h", s / 3600)
    }
}

/// The detail view's DNS line: "us-west-2 · ttl 60s · ns-1.awsdns-sim · 4s ago", or why not.
pub fn dns_detail<'a>(
    svc: &crate::fleet::ServiceState,
    theme: &Theme,
    now: crate::model::Timestamp,
) -> Span<'a> {
    let Some(d) = &svc.dns else {
        return Span::styled("not asked yet", theme.unknown);
    };
    let dns = &d.value;
    let ago = age((now - dns.checked_at).to_std().unwrap_or_default());
    let server = dns.nameserver.as_deref().unwrap_or("no name server");
    if let Some(error) = &dns.error {
        return Span::styled(format!("no answer ({ago} ago): {error}"), theme.crit);
    }
    let ttl = dns
        .ttl_s
        .map(|t| format!(" · ttl {t}s"))
        .unwrap_or_default();
    match (&dns.answer_region, &dns.note) {
        (Some(region), _) => {
            let agrees = svc.predicted_region() == Some(region.as_str());
            Span::styled(
                format!("{region}{ttl} · {server} · {ago} ago"),
                if agrees { theme.ok } else { theme.crit },
            )
        }
        (None, note) => Span::styled(
            format!(
                "? {}{ttl} · {server} · {ago} ago",
                note.as_deref().unwrap_or("unknown")
            ),
            theme.unknown,
        ),
    }
}

/// An overlay of `width` × `height` centred in `area`, cleared, with a focused border and
/// `title` (help, the note prompt).
/// A `width` × `height` area in the middle of `area` (each at most `area`'s).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(row);
    popup
}

pub fn popup(
    frame: &mut Frame,
    area: Rect,
    (width, height): (u16, u16),
    title: &str,
    lines: Vec<Line<'_>>,
    theme: &Theme,
) {
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.focus_border)
                .title(Span::styled(title.to_string(), theme.title)),
        ),
        popup,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("ab abcdefgh", 5), vec!["ab", "abcde", "fgh"]);
        assert_eq!(wrap("[a-1,b-2,c-3]", 10), vec!["[a-1,b-2,", "c-3]"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert!(wrap("a → b ✓ c", 3).iter().all(|l| l.chars().count() <= 3));
    }

    #[test]
    fn spark_scales_and_marks_gaps() {
        assert_eq!(
            spark(&[Some(0.0), Some(50.0), Some(100.0), None], 100.0, 4, true),
            "▁▅█·"
        );
        // Buckets keep the lowest value when asked, so a dip is not averaged away.
        assert_eq!(
            spark(
                &[Some(100.0), Some(0.0), Some(100.0), Some(100.0)],
                100.0,
                2,
                true
            ),
            "▁█"
        );
        assert_eq!(spark(&[Some(1.0), Some(9.0)], 10.0, 1, false), "▇");
        assert_eq!(spark(&[], 1.0, 5, true), "");
    }

    #[test]
    fn cut_identifiers() {
        assert_eq!(tail("abcdef", 4), "…def");
        assert_eq!(head("abcdef", 4), "abc…");
        assert_eq!(head("abc", 4), "abc");
        assert_eq!(count(Some(12_345)), "12.3k");
        assert_eq!(count(None), "?");
    }
}
