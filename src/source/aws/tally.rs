//! What a fetch counts besides its result: the calls it made (Route 53's apart) and a part that
//! failed.

use super::errors::{self, Operation};
use crate::source::SourceError;

/// What a fetch adds up besides its result: API calls made, and a part that failed while the
/// rest succeeded (e.g. CloudWatch metrics missing while the function configurations arrived).
#[derive(Debug, Default)]
pub struct Tally {
    pub calls: u32,
    /// Of `calls`, those to the Route 53 API. Its request rate is limited for the whole account
    /// (all Route 53 API calls together: 10 a second sustained, burst 50; Route 53 Developer Guide,
    /// "Throttling of API requests"), so they are counted apart, to be shown against that limit.
    pub route53_calls: u32,
    pub partial: Option<SourceError>,
}

impl Tally {
    pub fn call(&mut self) {
        self.calls += 1;
    }

    /// One call of `op`.
    pub fn count(&mut self, op: Operation<'_>) {
        self.count_n(op, 1);
    }

    /// `n` calls of `op`.
    pub fn count_n(&mut self, op: Operation<'_>, n: u32) {
        self.calls += n;
        if op.service == errors::ROUTE_53 {
            self.route53_calls += n;
        }
    }

    /// Add what a part of the fetch, run concurrently with its own tally, counted.
    pub fn absorb(&mut self, other: Tally) {
        self.calls += other.calls;
        self.route53_calls += other.route53_calls;
        if let Some(partial) = other.partial {
            self.partial(partial);
        }
    }

    /// Record a failed part; the first one is kept.
    pub fn partial(&mut self, error: SourceError) {
        tracing::warn!(%error, "partial fetch");
        if self.partial.is_none() {
            self.partial = Some(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(service: &'static str) -> Operation<'static> {
        Operation {
            service,
            api: "Any",
            region: "us-east-1",
        }
    }

    #[test]
    fn route53_calls_are_counted_apart_and_absorbed() {
        let mut part = Tally::default();
        part.count(op(errors::ROUTE_53));
        part.count_n(op("CloudWatch"), 2);
        assert_eq!((part.calls, part.route53_calls), (3, 1));
        let mut whole = Tally::default();
        whole.count_n(op(errors::ROUTE_53), 4);
        whole.count(op("Route 53 ARC"));
        whole.absorb(part);
        assert_eq!((whole.calls, whole.route53_calls), (8, 5));
    }
}
