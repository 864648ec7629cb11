//! The mutating calls a backend can make, as data. A `Plan` (see `action`) holds them; the audit
//! log records them as they are serialised here (AWS parameter names), and the simulation's
//! replay reads a drill's calls back from its record (`Deserialize`); `Backend::execute` is the
//! one way to make them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "api")]
pub enum Call {
    /// Route 53 (control plane): set a health check's Inverted flag (and Disabled, for the
    /// `pin-unhealthy` mechanism).
    #[serde(rename_all = "PascalCase")]
    UpdateHealthCheck {
        health_check_id: String,
        /// The version read: Route 53 refuses the update if the check changed since.
        health_check_version: i64,
        inverted: bool,
        /// Left out (unchanged) unless the plan sets it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disabled: Option<bool>,
        /// Sent again on every update: some implementations reset an omitted list. Empty
        /// (Route 53's default checkers) is left out, as an empty list is not a valid value.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        regions: Vec<String>,
    },
    /// Route 53 ARC (data plane): set several routing controls in one atomic call.
    #[serde(rename_all = "PascalCase")]
    UpdateRoutingControlStates {
        /// Not an API parameter: the cluster endpoints, tried in this order until one answers.
        #[serde(rename = "cluster_endpoints")]
        cluster_endpoints: Vec<String>,
        update_routing_control_state_entries: Vec<RoutingControlEntry>,
        /// Safety rules to override (break glass): only in a forced plan, with the rule ARNs a
        /// blocked attempt of the same change answered with (README, "Guarded actions").
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        safety_rules_to_override: Vec<String>,
    },
    /// CodePipeline: answer a manual approval.
    #[serde(rename_all = "PascalCase")]
    PutApprovalResult {
        /// Not an API parameter: the region the pipeline lives in.
        #[serde(rename = "region")]
        region: String,
        pipeline_name: String,
        stage_name: String,
        action_name: String,
        result: ApprovalResult,
        token: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoutingControlEntry {
    pub routing_control_arn: String,
    /// "On" or "Off".
    pub routing_control_state: OnOff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApprovalResult {
    pub summary: String,
    /// "Approved" or "Rejected".
    pub status: ApprovalStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovalStatus {
    Approved,
    Rejected,
}

impl Call {
    /// The API's name, as AWS spells it.
    pub fn api(&self) -> &'static str {
        match self {
            Call::UpdateHealthCheck { .. } => "UpdateHealthCheck",
            Call::UpdateRoutingControlStates { .. } => "UpdateRoutingControlStates",
            Call::PutApprovalResult { .. } => "PutApprovalResult",
        }
    }

    /// One line for the plan: the call and its parameters.
    pub fn describe(&self) -> String {
        match self {
            Call::UpdateHealthCheck {
                health_check_id,
                health_check_version,
                inverted,
                disabled,
                regions,
            } => format!(
                "Route 53 UpdateHealthCheck HealthCheckId={health_check_id} \
                 HealthCheckVersion={health_check_version} Inverted={inverted}{} Regions=[{}]",
                disabled.map_or(String::new(), |d| format!(" Disabled={d}")),
                if regions.is_empty() {
                    "default, unchanged".to_string()
                } else {
                    regions.join(",")
                }
            ),
            Call::UpdateRoutingControlStates {
                cluster_endpoints,
                update_routing_control_state_entries,
                safety_rules_to_override,
            } => format!(
                "ARC UpdateRoutingControlStates {}{} (on {} cluster endpoint{}, tried in turn)",
                update_routing_control_state_entries
                    .iter()
                    .map(|e| format!("{}={:?}", e.routing_control_arn, e.routing_control_state))
                    .collect::<Vec<_>>()
                    .join(" "),
                if safety_rules_to_override.is_empty() {
                    String::new()
                } else {
                    format!(
                        " SafetyRulesToOverride=[{}]",
                        safety_rules_to_override.join(",")
                    )
                },
                cluster_endpoints.len(),
                if cluster_endpoints.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
            Call::PutApprovalResult {
                region,
                pipeline_name,
                stage_name,
                action_name,
                result,
                token,
            } => format!(
                "CodePipeline PutApprovalResult ({region}) PipelineName={pipeline_name} \
                 StageName={stage_name} ActionName={action_name} Status={:?} Token={token} \
                 Summary={:?}",
                result.status, result.summary
            ),
        }
    }
}

/// The ARC safety rule ARNs in a text (a ConflictException's message or resource ID), in the
/// order they first appear, each once. ARC names the rule that blocked an
/// UpdateRoutingControlStates in its ConflictException (ARC API reference, recovery-cluster);
/// the SDK's error has only a message, a resource ID and a resource type, so the ARNs are read
/// from the text: `arn:PARTITION:route53-recovery-control::ACCOUNT:controlpanel/ID/safetyrule/ID`.
pub fn safety_rule_arns(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("arn:") {
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| !(c.is_ascii_alphanumeric() || ":/-_.".contains(c)))
            .unwrap_or(candidate.len());
        let arn = candidate[..end].trim_end_matches(['.', ':']);
        if is_safety_rule_arn(arn) && !found.iter().any(|f| f == arn) {
            found.push(arn.to_string());
        }
        rest = &candidate[end.max(4)..];
    }
    found
}

fn is_safety_rule_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    let path: Vec<&str> = resource.split('/').collect();
    partition.starts_with("aws")
        && service == "route53-recovery-control"
        && region.is_empty()
        && !account.is_empty()
        && account.chars().all(|c| c.is_ascii_digit())
        && matches!(path[..], ["controlpanel", cp, "safetyrule", rule] if !cp.is_empty() && !rule.is_empty())
}

/// A ConflictException of UpdateRoutingControlStates: a safety rule blocked the change. Names
/// the rules (from `text`: the exception's resource ID and message) and says how to override
/// them, or that they were overridden and still blocked.
pub fn blocked_by_safety_rule(message: &str, text: &str, overridden: &[String]) -> CallError {
    let rules = safety_rule_arns(text);
    let next = if rules.is_empty() {
        "the answer names no safety rule ARN, so switchyard cannot override it: read the \
         control panel's safety rules in the ARC console"
            .to_string()
    } else if !overridden.is_empty() {
        format!(
            "blocked by safety rule(s) {} even with SafetyRulesToOverride=[{}]",
            rules.join(", "),
            overridden.join(",")
        )
    } else {
        format!(
            "blocked by safety rule(s) {}; to override (break glass), plan the same action \
             again with --force --reason TEXT: the plan then sends SafetyRulesToOverride with \
             these ARNs",
            rules.join(", ")
        )
    };
    CallError::new(CallErrorKind::Conflict, format!("{message}; {next}"))
}

/// Why a mutating call did not happen or did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallErrorKind {
    /// Read-only mode: refused inside the backend, nothing was sent.
    ReadOnly,
    /// What the plan was based on changed (HealthCheckVersion, approval token): plan again.
    Conflict,
    /// AWS (or the simulation) answered with an error, or could not be reached.
    Failed,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CallError {
    pub kind: CallErrorKind,
    pub message: String,
}

impl CallError {
    pub fn new(kind: CallErrorKind, message: impl Into<String>) -> Self {
        CallError {
            kind,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The simulation's replay reads a drill's calls back from its audit record's `request`
    /// (README, "Guarded actions"): each call reads back as it was written.
    #[test]
    fn calls_read_back_from_their_audit_request() {
        let calls = vec![
            Call::UpdateHealthCheck {
                health_check_id: "hc-1".into(),
                health_check_version: 3,
                inverted: true,
                disabled: None,
                regions: vec![],
            },
            Call::UpdateHealthCheck {
                health_check_id: "hc-2".into(),
                health_check_version: 1,
                inverted: false,
                disabled: Some(true),
                regions: vec!["us-east-1".into(), "eu-west-1".into()],
            },
            Call::UpdateRoutingControlStates {
                cluster_endpoints: vec!["https://a.example/v1".into()],
                update_routing_control_state_entries: vec![RoutingControlEntry {
                    routing_control_arn: "arn:rc".into(),
                    routing_control_state: OnOff::Off,
                }],
                safety_rules_to_override: vec![RULE.into()],
            },
            Call::PutApprovalResult {
                region: "us-east-1".into(),
                pipeline_name: "p".into(),
                stage_name: "s".into(),
                action_name: "a".into(),
                result: ApprovalResult {
                    summary: "ok".into(),
                    status: ApprovalStatus::Rejected,
                },
                token: "t".into(),
            },
        ];
        let request = serde_json::to_value(&calls).unwrap();
        assert_eq!(request[0]["api"], "UpdateHealthCheck");
        assert!(request[0].get("Regions").is_none(), "{request}");
        let read: Vec<Call> = serde_json::from_value(request).unwrap();
        assert_eq!(read, calls);
    }

    const RULE: &str =
        "arn:aws:route53-recovery-control::111122223333:controlpanel/abc123/safetyrule/def456";

    #[test]
    fn safety_rule_arns_are_read_from_a_conflict_message() {
        let two = format!("{RULE}, {}", RULE.replace("def456", "ghi789"));
        let cases: Vec<(String, Vec<String>)> = vec![
            (
                format!("Cannot update routing control states: blocked by safety rule {RULE}."),
                vec![RULE.to_string()],
            ),
            (
                format!("rules [{two}] would be violated; {RULE}"),
                vec![RULE.to_string(), RULE.replace("def456", "ghi789")],
            ),
            (
                format!("({})", RULE.replace("arn:aws:", "arn:aws-us-gov:")),
                vec![RULE.replace("arn:aws:", "arn:aws-us-gov:")],
            ),
            // A routing control or a control panel is not a safety rule.
            (
                "arn:aws:route53-recovery-control::111122223333:controlpanel/abc123/routingcontrol/x"
                    .to_string(),
                vec![],
            ),
            (
                "arn:aws:route53-recovery-control::111122223333:controlpanel/abc123".to_string(),
                vec![],
            ),
            ("arn:aws:s3:::bucket/safetyrule/x".to_string(), vec![]),
            ("a conflict, no ARN".to_string(), vec![]),
            ("arn:".to_string(), vec![]),
        ];
        for (text, want) in cases {
            assert_eq!(safety_rule_arns(&text), want, "{text}");
        }
    }
}
