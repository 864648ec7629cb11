//! Tests of the assessments over hand-built service states: `replication` (readiness, lag),
//! `findings` (the findings table) and `serving` (which region serves, durations). The builders
//! are shared with every unit test, in `fleet::testing`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod calls;
mod dns;
mod events;
mod findings;
mod replication;
mod serving;

use super::*;
use crate::fleet::Fleet;
use crate::fleet::testing::fleet_with;
use crate::fleet::testing::*;
use crate::model::*;

pub(super) fn codes(findings: &[crate::model::Finding]) -> Vec<(Severity, FindingCode)> {
    findings.iter().map(|f| (f.severity, f.code)).collect()
}
