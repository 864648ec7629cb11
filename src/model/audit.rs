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
    /// The action was refused before its intent because the caller is not in the pinned
    /// account (README, "Several accounts"): nothing was sent; the record's `error` says why.
    Refused,
}

impl Phase {
    /// The name in the records and in the team's object keys.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Intent => "intent",
            Phase::Result => "result",
            Phase::Verified => "verified",
            Phase::Unverified => "unverified",
            Phase::Acknowledged => "acknowledged",
            Phase::Refused => "refused",
        }
    }
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

/// Where in the simulation a drill happened: the scenario and the simulated moment (README,
/// "Guarded actions"). Written on the drill log's records only, so that the simulation's replay
/// (`switchyard timeline --sim`) can place the drill at its simulated time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimMoment {
    pub scenario: String,
    pub at: Timestamp,
}

/// One line of the drill log: the audit record with, where known, its simulated moment as the
/// additive `sim` field (`{"sim": {"scenario": …, "at": …}}`). A line without it (written before
/// the field existed) reads with `sim` absent, and the field is ignored where a line is read as
/// an [`AuditRecord`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillRecord {
    #[serde(flatten)]
    pub record: AuditRecord,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim: Option<SimMoment>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_phases_name_is_its_json() {
        for phase in [
            Phase::Intent,
            Phase::Result,
            Phase::Verified,
            Phase::Unverified,
            Phase::Acknowledged,
            Phase::Refused,
        ] {
            assert_eq!(serde_json::to_value(phase).unwrap(), phase.name());
        }
    }
}
