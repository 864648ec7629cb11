//! Detail views of what is deployed: a region's custom domains and records, and a service's
//! release (pipeline, approval, tracked artifacts in every region, replication metrics).

use super::kv;
use crate::assess;
use crate::fleet::ServiceState;
use crate::model::Timestamp;
use crate::ui::{Theme, widgets};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(super) fn domains(
    frame: &mut Frame,
    area: Rect,
    svc: &ServiceState,
    region: Option<&str>,
    theme: &Theme,
) {
    let Some(r) = region.and_then(|r| svc.region(r)) else {
        return;
    };
    let Some(fetched) = &r.domains else {
        frame.render_widget(
            Paragraph::new(Span::styled("? no domain data yet", theme.unknown)),
            area,
        );
        return;
    };
    let mut names = vec![
        svc.service.domain.clone(),
        svc.service.regional_hostname(&r.region),
    ];
    for d in &fetched.value {
        if !names.contains(&d.name) {
            names.push(d.name.clone());
        }
    }
    let mut lines = Vec::new();
    for name in names {
        lines.push(Line::from(Span::styled(name.clone(), theme.header)));
        let Some(d) = fetched.value.iter().find(|d| d.name == name) else {
            lines.push(kv(
                "  state",
                Span::styled(
                    "✗ MISSING: no custom domain of this name in the region",
                    theme.crit,
                ),
                theme,
            ));
            continue;
        };
        lines.push(kv("  api", format!("{:?}", d.api), theme));
        lines.push(kv(
            "  regional target",
            d.regional_target.clone().unwrap_or_else(|| "?".into()),
            theme,
        ));
        lines.push(kv(
            "  Route 53 record",
            if d.dns_read {
                d.dns_target.clone().unwrap_or_else(|| "none".into())
            } else {
                "unknown: the zone's records could not be read".into()
            },
            theme,
        ));
        lines.push(kv(
            "  state",
            if d.drift() {
                Span::styled(
                    "✗ DRIFT: the record does not point at the domain's target",
                    theme.crit,
                )
            } else if !d.dns_read {
                Span::styled("? drift unknown", theme.unknown)
            } else {
                Span::styled("✓ record matches the target", theme.ok)
            },
            theme,
        ));
        for m in &d.mappings {
            lines.push(kv(
                "  mapping",
                format!("/{} → API {} stage {}", m.path, m.api_id, m.stage),
                theme,
            ));
        }
        if d.mappings.is_empty() {
            lines.push(kv("  mapping", Span::styled("✗ none", theme.crit), theme));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

pub(super) fn release(
    frame: &mut Frame,
    area: Rect,
    svc: &ServiceState,
    theme: &Theme,
    now: Timestamp,
) {
    let mut lines = Vec::new();
    if let Some(p) = &svc.pipeline {
        let stages = p
            .value
            .stages
            .iter()
            .map(|s| format!("{} {}", s.name, s.status.as_deref().unwrap_or("not run")))
            .collect::<Vec<_>>()
            .join(" → ");
        lines.push(kv(
            "pipeline",
            format!("{} · {stages}", p.value.name),
            theme,
        ));
        if let Some(a) = &p.value.pending {
            lines.push(kv(
                "pending approval",
                format!(
                    "{}/{} since {} · expires {}",
                    a.stage,
                    a.action,
                    a.since.format("%Y-%m-%d %H:%M:%S UTC"),
                    a.expires.format("%Y-%m-%d %H:%M UTC")
                ),
                theme,
            ));
            lines.push(kv(
                "timeout",
                format!(
                    "{} (the action's timeoutInMinutes, else 7 days)",
                    widgets::age((a.expires - a.since).to_std().unwrap_or_default())
                ),
                theme,
            ));
            for rev in &a.revisions {
                lines.push(kv(
                    "revision",
                    format!("{} {}", rev.name, rev.revision_id),
                    theme,
                ));
            }
        }
        if let Some(a) = &p.value.last_answer {
            lines.push(kv(
                "last answer",
                format!(
                    "{}/{} {} at {} by {}{}",
                    a.stage,
                    a.action,
                    a.status,
                    a.at.format("%Y-%m-%d %H:%M:%S UTC"),
                    a.by.as_deref().unwrap_or("(CodePipeline does not say)"),
                    a.summary
                        .as_deref()
                        .map(|s| format!(": \"{s}\""))
                        .unwrap_or_default()
                ),
                theme,
            ));
        }
    }
    let readiness = assess::readiness(svc, now);
    let verdict = match readiness.verdict {
        assess::Verdict::Ready => {
            Span::styled("✓ ready to approve: the build is in every region", theme.ok)
        }
        assess::Verdict::NotReady => Span::styled("✗ not ready to approve", theme.crit),
        assess::Verdict::Unknown => Span::styled("? cannot tell yet", theme.unknown),
    };
    lines.push(kv("verdict", verdict, theme));
    for reason in &readiness.reasons {
        lines.push(Line::from(format!("                  - {reason}")));
    }
    for r in &svc.regions {
        for m in r.replication_metrics.iter().flat_map(|m| &m.value) {
            let num =
                |v: Option<f64>, unit: &str| v.map_or("?".to_string(), |v| format!("{v:.0}{unit}"));
            lines.push(kv(
                "replication rule",
                format!(
                    "{} → {}: latency {} · {} operations ({}) pending · {} failed (15m)",
                    m.rule_id,
                    m.destination_bucket,
                    num(m.latency_s, "s"),
                    num(m.operations_pending, ""),
                    m.bytes_pending
                        .map_or("?".to_string(), |b| format!("{:.1} MB", b / 1_048_576.0)),
                    num(m.operations_failed, ""),
                ),
                theme,
            ));
        }
    }
    lines.push(Line::from(""));
    for a in assess::tracked_artifacts(svc, now) {
        lines.push(Line::from(Span::styled(
            format!("{} ({})", a.key, a.version_id),
            theme.header,
        )));
        for r in &a.regions {
            let lag = r.lag_explained().map_or(String::new(), |l| format!(" {l}"));
            let status = if r.is_source {
                Span::styled("◆ source", theme.dim)
            } else {
                widgets::replica(r.status, theme)
            };
            lines.push(Line::from(vec![
                Span::raw(format!("  {:<16}", r.region)),
                status,
                Span::raw(lag),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}
