//! The config `init` writes: TOML in which every value is preceded by where it came from, and
//! what could not be found is a `# NOT FOUND:` comment in its place.

use super::{Discovery, Maybe};
use std::fmt::Write;

/// The `[aws]` settings discovery ran with, written as they were given.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub control_region: String,
}

/// A TOML basic string: JSON's string escapes are all valid in TOML, and DEL, which JSON
/// leaves as it is and TOML forbids, is escaped too.
pub(super) fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string())
        .to_string()
        .replace('\u{7f}', "\\u007F")
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| quote(&i)).collect();
    format!("[{}]", items.join(", "))
}

/// A comment, wrapped at about 100 columns.
fn comment(out: &mut String, text: &str) {
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() + 1 + word.len() > 100 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
}

fn not_found<T>(out: &mut String, what: &str, maybe: &Maybe<T>) {
    if let Err(why) = maybe {
        comment(out, &format!("NOT FOUND: {what}: {why}"));
    }
}

/// The config for the discovered services. `header` names the command that wrote it; with
/// `pin`, the failover records' health checks are written as `health_checks` (else as a
/// comment: switchyard then follows the records).
pub fn render(header: &str, aws: &AwsSettings, services: &[Discovery], pin: bool) -> String {
    let mut out = String::new();
    comment(&mut out, &format!("Written by `{header}`."));
    comment(
        &mut out,
        "Each value says where it came from; `NOT FOUND` says what discovery could not find \
         (nothing is guessed). `switchyard init --check` compares this file with the account \
         again (exit 1 when they differ).",
    );
    out.push_str("\n[aws]\n");
    if let Some(p) = &aws.profile {
        let _ = writeln!(out, "profile = {}", quote(p));
    }
    if let Some(e) = &aws.endpoint_url {
        let _ = writeln!(out, "endpoint_url = {}", quote(e));
    }
    comment(
        &mut out,
        "Route 53's API and its health-check metrics live here.",
    );
    let _ = writeln!(out, "control_region = {}", quote(&aws.control_region));
    for d in services {
        service(&mut out, d, pin);
    }
    out
}

fn service(out: &mut String, d: &Discovery, pin: bool) {
    out.push_str("\n[[service]]\n");
    comment(out, &format!("From {}.", d.name.from));
    let _ = writeln!(out, "name = {}", quote(&d.name.value));
    let _ = writeln!(out, "domain = {}", quote(&d.domain));
    comment(out, &format!("From {}.", d.zone.from));
    let _ = writeln!(out, "hosted_zone_id = {}", quote(&d.zone.value));
    let records: Vec<String> = d
        .regions
        .iter()
        .map(|r| {
            format!(
                "{} {}{} {} -> {}",
                r.failover,
                r.record_type,
                r.set_identifier
                    .as_deref()
                    .map(|s| format!(" (set {s})"))
                    .unwrap_or_default(),
                r.region,
                r.target
            )
        })
        .collect();
    comment(
        out,
        &format!(
            "From the failover records of {}, primary first: {}.",
            d.domain,
            records.join("; ")
        ),
    );
    let _ = writeln!(out, "regions = {}", list(d.region_names()));
    match &d.regional_hostname {
        Ok(f) => {
            comment(out, &format!("From {}.", f.from));
            let _ = writeln!(out, "regional_hostname = {}", quote(&f.value));
        }
        Err(_) => not_found(out, "regional_hostname", &d.regional_hostname),
    }
    match &d.functions {
        Ok(f) => {
            let each: Vec<String> = f
                .value
                .iter()
                .map(|x| {
                    let where_: Vec<String> = x
                        .regions
                        .iter()
                        .map(|(region, apis)| {
                            format!(
                                "{region} API {}",
                                apis.iter().cloned().collect::<Vec<_>>().join("/")
                            )
                        })
                        .collect();
                    format!("{} ({})", x.item(), where_.join(", "))
                })
                .collect();
            comment(out, &format!("From {}: {}.", f.from, each.join("; ")));
            comment(
                out,
                "Functions API Gateway does not invoke (workers, queue consumers) are not \
                 found this way: add them by hand.",
            );
            let _ = writeln!(
                out,
                "functions = {}",
                list(f.value.iter().map(super::FunctionFound::item))
            );
        }
        Err(_) => {
            not_found(out, "functions", &d.functions);
            out.push_str("functions = []\n");
        }
    }
    let checks = d.health_checks();
    if !checks.is_empty() {
        let pairs: Vec<String> = checks
            .iter()
            .map(|(r, id)| format!("{} = {}", quote(r), quote(id)))
            .collect();
        let line = format!("health_checks = {{ {} }}", pairs.join(", "));
        if pin {
            comment(
                out,
                "From the failover records' HealthCheckId, pinned (--pin-health-checks): \
                 switchyard watches and inverts these checks even if a record gets another \
                 one; `init --check` reports that.",
            );
            let _ = writeln!(out, "{line}");
        } else {
            comment(
                out,
                "The failover records' HealthCheckId today. Not pinned: switchyard reads the \
                 records and follows a check that is replaced; uncomment to pin them.",
            );
            let _ = writeln!(out, "# {line}");
        }
    }
    for note in &d.notes {
        comment(out, &format!("Note: {note}."));
    }
    match &d.pipeline {
        Ok(p) => {
            out.push('\n');
            comment(out, &format!("From {}.", p.from));
            out.push_str("[service.pipeline]\n");
            let _ = writeln!(out, "name = {}", quote(&p.value.name));
            let _ = writeln!(out, "region = {}", quote(&p.value.region));
            match &p.value.approval_action {
                Ok(a) => {
                    comment(out, &format!("From {}.", a.from));
                    let _ = writeln!(out, "approval_action = {}", quote(&a.value));
                }
                Err(_) => not_found(out, "approval_action", &p.value.approval_action),
            }
        }
        Err(_) => {
            out.push('\n');
            not_found(out, "[service.pipeline]", &d.pipeline);
        }
    }
    match &d.artifacts {
        Ok(a) => {
            out.push('\n');
            comment(out, &format!("From {}.", a.from));
            out.push_str("[service.artifacts]\n");
            let _ = writeln!(out, "bucket = {}", quote(&a.value.bucket));
            let _ = writeln!(out, "prefix = {}", quote(&a.value.prefix));
            let _ = writeln!(out, "source_region = {}", quote(&a.value.source_region));
        }
        Err(_) => {
            out.push('\n');
            not_found(out, "[service.artifacts]", &d.artifacts);
        }
    }
}
