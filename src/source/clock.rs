//! The time a backend and the console agree on: the wall clock, or simulated time that runs at a
//! chosen speed from a chosen start, or a fixed moment.

use crate::model::Timestamp;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub enum Clock {
    System,
    /// Simulated time: `origin` at `started`, advancing `speed` times faster than the wall clock.
    Sim {
        origin: Timestamp,
        started: Instant,
        speed: f64,
    },
    /// Fixed at one moment (tests, and the simulation's snapshot and check).
    Fixed(Timestamp),
}

impl Clock {
    pub fn sim(origin: Timestamp, speed: f64) -> Self {
        Clock::Sim {
            origin,
            started: Instant::now(),
            speed,
        }
    }

    pub fn fixed(at: Timestamp) -> Self {
        Clock::Fixed(at)
    }

    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => chrono::Utc::now(),
            Clock::Sim {
                origin,
                started,
                speed,
            } => {
                let elapsed = started.elapsed().as_secs_f64() * speed;
                *origin + chrono::Duration::milliseconds((elapsed * 1000.0) as i64)
            }
            Clock::Fixed(at) => *at,
        }
    }

    /// How long `simulated` takes on the wall clock: simulated time runs `speed` times faster,
    /// so a wait measured in simulated time (a source's refresh interval) is divided by the speed.
    /// The wall clock and a fixed clock take it as it is.
    pub fn wall(&self, simulated: Duration) -> Duration {
        match self {
            Clock::Sim { speed, .. } if *speed > 0.0 && speed.is_finite() => {
                simulated.div_f64(*speed)
            }
            _ => simulated,
        }
    }
}
