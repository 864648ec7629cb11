//! Lambda arithmetic: error rate and the cost estimate.
//!
//! The cost is an estimate at AWS Lambda's public list price (AWS Lambda pricing, first tier):
//! no free tier, no volume tiers, no Savings Plans, and only requests and compute time (not
//! provisioned concurrency, ephemeral storage or data transfer). README, "The console".

use crate::model::{Architecture, FunctionStats};

/// Price per request: $0.20 per 1M requests, whatever the architecture.
const PER_REQUEST_USD: f64 = 0.20 / 1_000_000.0;

/// Price per GB-second of compute time on `architecture` (first tier).
pub fn per_gb_second_usd(architecture: Architecture) -> f64 {
    match architecture {
        Architecture::X86_64 => 0.000_016_666_7,
        Architecture::Arm64 => 0.000_013_333_4,
    }
}

/// Errors per invocation in percent. No invocations means no rate, not 0 %.
pub fn error_rate(invocations: Option<u64>, errors: Option<u64>) -> Option<f64> {
    match (invocations, errors) {
        (Some(inv), Some(err)) if inv > 0 => Some(100.0 * err as f64 / inv as f64),
        _ => None,
    }
}

/// Estimated cost per hour at the rate of the metrics window, in USD (list price; see the
/// module). Unknown without the invoked version's memory and architecture.
pub fn cost_per_hour(f: &FunctionStats) -> Option<f64> {
    let invocations = f.invocations?;
    if f.window_s == 0 {
        return None;
    }
    let per_hour = invocations as f64 * 3600.0 / f.window_s as f64;
    if invocations == 0 {
        return Some(0.0);
    }
    let gb_seconds = per_hour * f.avg_ms? / 1000.0 * f64::from(f.memory_mb?) / 1024.0;
    Some(per_hour * PER_REQUEST_USD + gb_seconds * per_gb_second_usd(f.architecture?))
}

/// The sum over a region's functions; unknown if any function's cost is unknown.
pub fn region_cost_per_hour(functions: &[FunctionStats]) -> Option<f64> {
    functions.iter().map(cost_per_hour).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(
        invocations: Option<u64>,
        avg_ms: Option<f64>,
        memory_mb: Option<u32>,
    ) -> FunctionStats {
        FunctionStats {
            name: "f".into(),
            window_s: 3600,
            invocations,
            avg_ms,
            memory_mb,
            architecture: Some(Architecture::X86_64),
            ..FunctionStats::default()
        }
    }

    fn on(architecture: Option<Architecture>, f: FunctionStats) -> FunctionStats {
        FunctionStats { architecture, ..f }
    }

    #[test]
    fn error_rate_table() {
        let cases = [
            (Some(1000), Some(3), Some(0.3)),
            (Some(0), Some(0), None), // no invocations: no rate, not 0 %
            (None, Some(1), None),
            (Some(10), None, None),
            (Some(4), Some(4), Some(100.0)),
        ];
        for (inv, err, expected) in cases {
            assert_eq!(error_rate(inv, err), expected, "{inv:?} {err:?}");
        }
    }

    /// AWS Lambda pricing: arm64 compute time is 20 % cheaper than x86_64.
    #[test]
    fn arm64_is_priced_below_x86_64() {
        let x86 = per_gb_second_usd(Architecture::X86_64);
        let arm = per_gb_second_usd(Architecture::Arm64);
        assert_eq!((x86, arm), (0.000_016_666_7, 0.000_013_333_4));
        assert!((arm / x86 - 0.8).abs() < 1e-4);
    }

    #[test]
    fn cost_matches_the_seed_example() {
        // 1 M requests, 1,024 MB, 100 ms = about $1.87 (AWS Lambda pricing, first tier, x86_64).
        let cost = cost_per_hour(&stats(Some(1_000_000), Some(100.0), Some(1024)));
        let cost = cost.unwrap_or_default();
        assert!((cost - 1.8667).abs() < 0.001, "{cost}");
    }

    #[test]
    fn cost_table() {
        let window = |s: u64, f: FunctionStats| FunctionStats { window_s: s, ..f };
        let cases = [
            (stats(Some(0), None, None), Some(0.0)),
            (stats(None, Some(100.0), Some(128)), None),
            (stats(Some(10), None, Some(128)), None),
            (stats(Some(10), Some(100.0), None), None),
            // 300 s window scales to the hour: 1,000 in 5 min = 12,000 an hour.
            (
                window(300, stats(Some(1000), Some(1000.0), Some(1024))),
                Some(
                    12_000.0 * PER_REQUEST_USD + 12_000.0 * per_gb_second_usd(Architecture::X86_64),
                ),
            ),
            (window(0, stats(Some(1), Some(1.0), Some(1))), None),
            // AWS Lambda pricing: $0.0000166667 per GB-second on x86_64, $0.0000133334 on
            // arm64, $0.20 per 1M requests on both. 1 M requests of 100 ms at 1,024 MB is
            // 100,000 GB-seconds.
            (
                on(
                    Some(Architecture::X86_64),
                    stats(Some(1_000_000), Some(100.0), Some(1024)),
                ),
                Some(0.20 + 100_000.0 * 0.000_016_666_7),
            ),
            (
                on(
                    Some(Architecture::Arm64),
                    stats(Some(1_000_000), Some(100.0), Some(1024)),
                ),
                Some(0.20 + 100_000.0 * 0.000_013_333_4),
            ),
            // 512 MB for 2 s is one GB-second per request.
            (
                on(
                    Some(Architecture::Arm64),
                    stats(Some(3600), Some(2000.0), Some(512)),
                ),
                Some(3600.0 * PER_REQUEST_USD + 3600.0 * 0.000_013_333_4),
            ),
            // The architecture not read: no price to apply.
            (on(None, stats(Some(10), Some(100.0), Some(128))), None),
            // No invocations cost nothing on any architecture.
            (on(None, stats(Some(0), None, None)), Some(0.0)),
        ];
        for (input, expected) in cases {
            let got = cost_per_hour(&input);
            match (got, expected) {
                (Some(g), Some(e)) => assert!((g - e).abs() < 1e-9, "{input:?}: {g} vs {e}"),
                (g, e) => assert_eq!(g, e, "{input:?}"),
            }
        }
        assert_eq!(
            region_cost_per_hour(&[stats(Some(0), None, None), stats(None, None, None)]),
            None
        );
    }
}
