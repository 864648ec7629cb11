//! The time a backend and the console agree on: the wall clock, or simulated time that runs at a
//! chosen speed from a chosen start, or a fixed time for tests.

use crate::model::Timestamp;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Clone)]
pub enum Clock {
    System,
    /// Simulated time: `origin` at `started`, advancing `speed` times faster than the wall clock.
    Sim {
        origin: Timestamp,
        started: Instant,
        speed: f64,
    },
    /// Set by hand (tests).
    Manual(Arc<Mutex<Timestamp>>),
}

impl Clock {
    pub fn sim(origin: Timestamp, speed: f64) -> Self {
        Clock::Sim {
            origin,
            started: Instant::now(),
            speed,
        }
    }

    pub fn manual(at: Timestamp) -> Self {
        Clock::Manual(Arc::new(Mutex::new(at)))
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
            Clock::Manual(at) => match at.lock() {
                Ok(at) => *at,
                Err(poisoned) => *poisoned.into_inner(),
            },
        }
    }

    /// Move a manual clock; other clocks ignore it.
    pub fn set(&self, to: Timestamp) {
        if let Clock::Manual(at) = self {
            match at.lock() {
                Ok(mut at) => *at = to,
                Err(poisoned) => *poisoned.into_inner() = to,
            }
        }
    }
}
