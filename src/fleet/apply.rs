//! `Fleet::apply`: a fetched result into the fleet, as the pollers and the headless commands
//! deliver it; and `Fleet::simulated`, the fleet after one round of simulated fetches.

use super::{Fleet, RegionState, Sighting, Stamped};
use crate::config::Thresholds;
use crate::model::ArtifactVersion;
use crate::model::Timestamp;
use crate::source::sim::SimBackend;
use crate::source::{Fetched, Payload};

impl RegionState {
    /// Record which versions a listing fetched at `at` has: a version not in the previous
    /// listing was first seen now, and was absent at the previous listing's time; one in the
    /// console's first listing was there before anyone looked. Versions no longer listed are
    /// forgotten.
    fn sight(&mut self, listing: &[ArtifactVersion], at: Timestamp) {
        let before = self.artifacts.as_ref().map(|a| a.fetched_at);
        let mut sightings = std::mem::take(&mut self.sightings);
        sightings.retain(|id, _| listing.iter().any(|v| &v.version_id == id));
        for v in listing {
            sightings
                .entry(v.version_id.clone())
                .or_insert_with(|| Sighting {
                    first_seen: at,
                    absent_at: before,
                });
        }
        self.sightings = sightings;
    }
}

impl Fleet {
    /// Record a fetch: the source's status, and on success its values, stamped with when they
    /// were fetched. A failed fetch keeps the last data (freshness marks it stale).
    pub fn apply(&mut self, fetched: Fetched) {
        let Fetched {
            key,
            at,
            calls,
            route53_calls,
            result,
            partial,
        } = fetched;
        if let Some(status) = self.sources.get_mut(&key) {
            status.last_attempt = Some(at);
            status.calls += u64::from(calls);
            status.last_calls = calls;
            status.last_route53_calls = route53_calls;
            match &result {
                Ok(_) => {
                    status.last_ok = Some(at);
                    status.error = None;
                    status.partial = partial;
                    status.failures = 0;
                }
                Err(e) => {
                    status.error = Some(e.clone());
                    status.failures += 1;
                }
            }
        }
        let Ok(payload) = result else {
            return;
        };
        let judged = matches!(payload, Payload::Health(_) | Payload::Dns(_));
        macro_rules! store {
            ($entries:expr, $field:ident) => {
                for e in $entries {
                    if let Some(region) = self.region_mut(&e.service, &e.region) {
                        region.$field = Some(Stamped {
                            value: e.value,
                            fetched_at: at,
                        });
                    }
                }
            };
        }
        match payload {
            Payload::Health(entries) => store!(entries, health),
            Payload::Lambda(entries) => store!(entries, functions),
            Payload::Domains(entries) => store!(entries, domains),
            Payload::Replication(entries, metrics) => {
                for e in &entries {
                    if let Some(region) = self.region_mut(&e.service, &e.region) {
                        region.sight(&e.value, at);
                    }
                }
                // A bucket listed without its replication metrics (not the source bucket, or
                // the rules or metrics unreadable): none are known, none kept from before.
                for e in &entries {
                    let has_metrics = metrics
                        .iter()
                        .any(|m| m.service == e.service && m.region == e.region);
                    if !has_metrics && let Some(region) = self.region_mut(&e.service, &e.region) {
                        region.replication_metrics = None;
                    }
                }
                store!(entries, artifacts);
                store!(metrics, replication_metrics);
            }
            Payload::RoutingControl(entries) => store!(entries, routing_control),
            Payload::Team(view) => {
                self.team = Some(Stamped {
                    value: view,
                    fetched_at: at,
                });
            }
            Payload::Dns(entries) => {
                for e in entries {
                    if let Some(svc) = self
                        .services
                        .iter_mut()
                        .find(|s| s.service.name == e.service)
                    {
                        svc.dns = Some(Stamped {
                            value: e.value,
                            fetched_at: at,
                        });
                    }
                }
            }
            Payload::Pipeline(entries) => {
                for e in entries {
                    if let Some(svc) = self
                        .services
                        .iter_mut()
                        .find(|s| s.service.name == e.service)
                    {
                        svc.pipeline = Some(Stamped {
                            value: e.value,
                            fetched_at: at,
                        });
                    }
                }
            }
        }
        if judged {
            self.note_dns_disagreement(at);
        }
    }

    /// Whether DNS disagrees with the health model, per service, from the latest of both:
    /// the disagreement's start is kept while it lasts (the `dns_disagrees` finding waits for
    /// the TTL plus one refresh), forgotten when they agree or either is unknown.
    fn note_dns_disagreement(&mut self, at: Timestamp) {
        for svc in &mut self.services {
            let dns = svc
                .dns
                .as_ref()
                .filter(|d| d.value.error.is_none())
                .and_then(|d| d.value.answer_region.as_deref());
            let disagree = match (dns, svc.predicted_region()) {
                (Some(dns), Some(predicted)) => dns != predicted,
                _ => false,
            };
            if !disagree {
                svc.dns_disagrees_since = None;
            } else if svc.dns_disagrees_since.is_none() {
                let seen = svc.dns.as_ref().map_or(at, |d| d.value.checked_at);
                svc.dns_disagrees_since = Some(seen.max(at));
            }
        }
    }

    fn region_mut(&mut self, service: &str, region: &str) -> Option<&mut RegionState> {
        self.services
            .iter_mut()
            .find(|s| s.service.name == service)?
            .regions
            .iter_mut()
            .find(|r| r.region == region)
    }

    /// The fleet after every source of the simulation has been fetched once at simulated time
    /// `at`, without pollers or a runtime: what tests and benchmarks start from.
    pub fn simulated(sim: &SimBackend, at: Timestamp, thresholds: Thresholds) -> Fleet {
        let schedule = sim.schedule();
        let mut fleet = Fleet::new(sim.services(), &schedule, thresholds);
        for spec in &schedule {
            fleet.apply(sim.fetch_now(&spec.key, at));
        }
        fleet
    }
}
