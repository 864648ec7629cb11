//! `switchyard scenarios`: list the built-in simulation scenarios.

use super::Failure;
use crate::source::sim::{BUILT_IN, scenario::Scenario};

pub fn run() -> Result<u8, Failure> {
    println!("Built-in scenarios (use with `switchyard demo --scenario NAME` or `--sim NAME`):\n");
    for (name, _) in BUILT_IN {
        let scenario = Scenario::built_in(name).map_err(|e| Failure::runtime(e.to_string()))?;
        let at = crate::assess::fmt_secs(scenario.interesting_at.unsigned_abs());
        println!("  {name:<18} {}", scenario.description);
        println!("  {:<18} snapshot/check look {at} in by default\n", "");
    }
    Ok(super::exit::OK)
}
