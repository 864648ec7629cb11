//! Guarded actions: a `Plan` (the exact calls, what they rest on, the predicted effect and the
//! preflight verdict), its execution through the backend with an audit record for each phase,
//! and verification by re-reading.

pub mod approval;
pub mod audit;
pub mod execute;
mod flags;
pub mod lock;
pub mod outbox;
pub mod plan;
pub mod team;
pub mod verify;

pub use execute::{Execution, Report, Status, Verification};
pub use plan::{ActionKind, Expect, Plan, PlanError};

#[cfg(test)]
mod tests;
