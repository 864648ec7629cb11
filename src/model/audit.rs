//! The audit record: one line of the local log (JSON Lines) and one object of the team's trail,
//! per phase of an action (README, "Guarded actions" and "Working as a team").

use super::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Intent,
    Result,
    Verified,
    Unverified,
    /// Someone checked AWS by hand and closed an unfinished action (`switchyard audit --ack`).
    Acknowledged,
}

/// One line of the log (its fields: README, "Guarded actions").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub ts: Timestamp,
    /// The same for every phase of one action.
    pub id: String,
    pub phase: Phase,
    pub action: String,
    pub service: String,
    pub target: String,
    /// The exact API call and parameters, as planned.
    pub request: serde_json::Value,
    /// The caller ARN.
    pub actor: Option<String>,
    pub outcome: Option<String>,
    pub error: Option<String>,
    pub forced_reason: Option<String>,
    /// An action in the simulation (`demo`, `--sim`), recorded in the drill log. Written only
    /// when true, so the real log's records are as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drill: bool,
    /// With `[team]`: how the team lease stood when the action started ("held …", "taken over
    /// from … (expired …)", "not held: …"), on the intent only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_lock: Option<String>,
}
