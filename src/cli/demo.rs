//! `switchyard demo`: the console on the simulated deployment.

use crate::session::{Failure, Session};

pub async fn run(session: Session) -> Result<u8, Failure> {
    crate::tui::run(session).await
}
