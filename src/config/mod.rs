//! TEMPORARY stand-in until the config module lands.
use std::time::Duration;
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds { pub error_rate_warn_pct: f64, pub error_rate_crit_pct: f64, pub replication_lag_warn: Duration, pub replication_lag_crit: Duration }
impl Default for Thresholds { fn default() -> Self { Thresholds { error_rate_warn_pct: 1.0, error_rate_crit_pct: 5.0, replication_lag_warn: Duration::from_secs(300), replication_lag_crit: Duration::from_secs(900) } } }
