//! Route 53 hosted zone records: the shared name's failover pair and the regional names, read
//! for finding health checks (`route53.rs`) and for DNS drift (`apigateway.rs`), each zone once
//! for all the sources that need it at about the same time (`ZoneCache`, a [`SharedReads`],
//! which also shares each region's custom domains between the Domains and Lambda sources).

use super::errors::fail;
use super::pages::{self, Page};
use super::{AwsBackend, Tally};
use crate::config::AwsApi;
use crate::config::{RefreshConfig, ServiceConfig};
use crate::source::SourceError;
use aws_sdk_route53::types::RrType;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio::time::Instant;

/// One record of the hosted zone, as far as switchyard cares.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Lower case, without the trailing dot.
    pub name: String,
    pub record_type: String,
    pub set_identifier: Option<String>,
    /// "PRIMARY" or "SECONDARY" for failover records.
    pub failover: Option<String>,
    pub health_check_id: Option<String>,
    /// The alias target's DNS name or the first value (CNAME), without the trailing dot.
    pub target: Option<String>,
}

pub fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The position ListResourceRecordSets gives for its next page: record name, type and set
/// identifier.
pub(super) type NextRecord = (String, Option<RrType>, Option<String>);

/// One page of ListResourceRecordSets: its records and where the next page starts.
pub(super) fn page_of(
    page: &aws_sdk_route53::operation::list_resource_record_sets::ListResourceRecordSetsOutput,
) -> Page<Record, NextRecord> {
    let next = page
        .is_truncated()
        .then(|| {
            page.next_record_name().map(|name| {
                (
                    name.to_string(),
                    page.next_record_type().cloned(),
                    page.next_record_identifier().map(str::to_string),
                )
            })
        })
        .flatten();
    Page {
        items: page.resource_record_sets().iter().map(record).collect(),
        next,
    }
}

/// Every record of the zone: read now, or the read another source of this refresh made or is
/// making (see `ZoneCache`). The calls count in the tally of the fetch that made the read.
pub async fn records(
    b: &AwsBackend,
    zone: &str,
    tally: &mut Tally,
) -> Result<Arc<[Record]>, SourceError> {
    b.zones.records(zone, read(b, zone, tally)).await
}

/// Every record of the zone, read now (paginated).
async fn read(b: &AwsBackend, zone: &str, tally: &mut Tally) -> Result<Vec<Record>, SourceError> {
    let op = b.route53_op("ListResourceRecordSets");
    let profile = b.login(AwsApi::Route53);
    pages::read_all(tally, op, pages::ALL, |next: Option<NextRecord>| {
        let (name, kind, id) = next.map_or((None, None, None), |(n, k, i)| (Some(n), k, i));
        let request = b
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone)
            .set_start_record_name(name)
            .set_start_record_type(kind)
            .set_start_record_identifier(id)
            .customize()
            .config_override(b.route53_read());
        async move {
            let page = request.send().await.map_err(fail(op, profile));
            b.route53_read_ended(&page);
            Ok(page_of(&page?))
        }
    })
    .await
}

fn record(r: &aws_sdk_route53::types::ResourceRecordSet) -> Record {
    let target = r
        .alias_target()
        .map(|a| a.dns_name().to_string())
        .or_else(|| r.resource_records().first().map(|v| v.value().to_string()))
        .map(|t| normalize(&t));
    Record {
        name: normalize(r.name()),
        record_type: r.r#type().as_str().to_string(),
        set_identifier: r.set_identifier().map(str::to_string),
        failover: r.failover().map(|f| f.as_str().to_string()),
        health_check_id: r.health_check_id().map(str::to_string),
        target,
    }
}

/// The record that sends `name` to `region`: for the shared name the failover record whose
/// target is in that region (else by failover role), for a regional name its only record.
pub fn record_for<'a>(
    records: &'a [Record],
    service: &ServiceConfig,
    name: &str,
    region: &str,
) -> Option<&'a Record> {
    let name = normalize(name);
    let candidates: Vec<&Record> = records.iter().filter(|r| r.name == name).collect();
    let in_region = format!(".{region}.");
    candidates
        .iter()
        .find(|r| {
            r.target
                .as_deref()
                .is_some_and(|t| format!(".{t}.").contains(&in_region))
        })
        .or_else(|| {
            let role = if service.is_primary(region) {
                "PRIMARY"
            } else {
                "SECONDARY"
            };
            let two_regions = service.regions.len() == 2;
            candidates
                .iter()
                .find(|r| r.failover.as_deref() == Some(role) && (two_regions || role == "PRIMARY"))
        })
        .or_else(|| candidates.iter().find(|r| r.failover.is_none()))
        .copied()
}

/// One read, by key, for all the sources that ask at about the same time. Each hosted zone's
/// records: the health source (every service, to find health checks) and every region's domains
/// source (DNS drift) read the same zone, and Route 53 limits its API for the whole account.
/// Each region's custom domains: the Domains source and the Lambda source (for the integrations
/// behind the mappings) read the same ones.
///
/// A key being read is not read again: whoever asks meanwhile waits for that read and gets its
/// answer, an error included. A read that succeeded is reused while it is younger than
/// `reuse` ([`reuse_window`]); a failed one is not kept once it is answered, so the next fetch
/// asks again. The calls count in the tally of the fetch that made the read.
pub struct SharedReads<T: ?Sized> {
    reuse: Duration,
    slots: Mutex<HashMap<String, Arc<Slot<T>>>>,
}

/// Each hosted zone's records.
pub type ZoneCache = SharedReads<[Record]>;

type ZoneRead = Result<Arc<[Record]>, SourceError>;

/// One read: empty while it runs, then when it finished and what it gave.
struct Slot<T: ?Sized>(OnceCell<(Instant, Result<Arc<T>, SourceError>)>);

impl<T: ?Sized> Default for Slot<T> {
    fn default() -> Self {
        Slot(OnceCell::new())
    }
}

/// How long one read of a zone serves: half the shortest refresh interval of the sources that
/// read zones (health and domains; 7.5 s with the default 15 s and 5 min). Long enough for the
/// sources of one refresh round, which do not all ask at the same instant (a snapshot's
/// fetches start together; the console's pollers start together, are spaced by up to 2 s on a
/// user's refresh and drift apart by their fetch times), to share one read. Short enough that
/// every source still gets records read during its own cycle, never one read for an earlier
/// cycle, and that pressing refresh after fixing a record shows the fix.
pub fn reuse_window(refresh: &RefreshConfig) -> Duration {
    refresh.health.min(refresh.domains) / 2
}

impl ZoneCache {
    /// The zone's records: from a read that is running or recent enough, else from `read`.
    pub async fn records(
        &self,
        zone: &str,
        read: impl Future<Output = Result<Vec<Record>, SourceError>>,
    ) -> ZoneRead {
        self.get(zone, async { read.await.map(Arc::from) }).await
    }
}

impl<T: ?Sized> SharedReads<T> {
    pub fn new(reuse: Duration) -> SharedReads<T> {
        SharedReads {
            reuse,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// What `key` reads to: from a read that is running or recent enough, else from `read`
    /// (which is dropped unpolled when it is not needed).
    pub async fn get(
        &self,
        key: &str,
        read: impl Future<Output = Result<Arc<T>, SourceError>>,
    ) -> Result<Arc<T>, SourceError> {
        let slot = self.slot(key);
        let (_, value) = slot
            .0
            .get_or_init(|| async { (Instant::now(), read.await) })
            .await;
        value.clone()
    }

    /// The slot to read the key through: the current one if it is being read or holds a read
    /// to reuse, else a new one.
    fn slot(&self, key: &str) -> Arc<Slot<T>> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get(key) {
            let reusable = match slot.0.get() {
                None => true,
                Some((at, Ok(_))) => at.elapsed() < self.reuse,
                Some((_, Err(_))) => false,
            };
            if reusable {
                return Arc::clone(slot);
            }
        }
        let slot = Arc::new(Slot::default());
        slots.insert(key.to_string(), Arc::clone(&slot));
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::ErrorKind;
    use futures::FutureExt;
    use std::cell::Cell;

    fn record(name: &str) -> Record {
        Record {
            name: name.to_string(),
            record_type: "A".to_string(),
            set_identifier: None,
            failover: None,
            health_check_id: None,
            target: None,
        }
    }

    /// A read that counts itself in `reads`, lets other tasks run once, then answers.
    async fn counted(
        reads: &Cell<u32>,
        answer: Result<&str, &str>,
    ) -> Result<Vec<Record>, SourceError> {
        reads.set(reads.get() + 1);
        tokio::task::yield_now().await;
        answer
            .map(|name| vec![record(name)])
            .map_err(|e| SourceError::new(ErrorKind::Throttled, e))
    }

    fn names(read: &ZoneRead) -> Vec<String> {
        read.as_ref()
            .map(|r| r.iter().map(|r| r.name.clone()).collect())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn asks_while_a_zone_is_read_share_that_read() {
        let cache = ZoneCache::new(Duration::from_secs(3600));
        let (a, b) = (Cell::new(0), Cell::new(0));
        let (first, second) = tokio::join!(
            cache.records("Z1", counted(&a, Ok("first"))),
            cache.records("Z1", counted(&b, Ok("second"))),
        );
        assert_eq!((a.get(), b.get()), (1, 0), "one read for both");
        assert_eq!(names(&first), vec!["first"]);
        assert_eq!(names(&second), vec!["first"]);
        // Another zone is its own read.
        let other = cache.records("Z2", counted(&b, Ok("other"))).await;
        assert_eq!((b.get(), names(&other)), (1, vec!["other".to_string()]));
    }

    #[tokio::test]
    async fn a_read_is_reused_within_the_window_only() {
        let reads = Cell::new(0);
        let long = ZoneCache::new(Duration::from_secs(3600));
        long.records("Z", counted(&reads, Ok("a"))).await.ok();
        let again = long.records("Z", counted(&reads, Ok("b"))).await;
        assert_eq!((reads.get(), names(&again)), (1, vec!["a".to_string()]));

        let reads = Cell::new(0);
        let none = ZoneCache::new(Duration::ZERO);
        none.records("Z", counted(&reads, Ok("a"))).await.ok();
        let again = none.records("Z", counted(&reads, Ok("b"))).await;
        assert_eq!((reads.get(), names(&again)), (2, vec!["b".to_string()]));
    }

    #[tokio::test]
    async fn a_failed_read_answers_those_waiting_and_is_not_kept() {
        let cache = ZoneCache::new(Duration::from_secs(3600));
        let (a, b) = (Cell::new(0), Cell::new(0));
        let (first, second) = tokio::join!(
            cache.records("Z", counted(&a, Err("Throttling"))),
            cache.records("Z", counted(&b, Ok("unused"))),
        );
        assert_eq!((a.get(), b.get()), (1, 0));
        assert!(first.is_err() && second.is_err(), "{first:?} {second:?}");
        let later = cache.records("Z", counted(&b, Ok("later"))).await;
        assert_eq!((b.get(), names(&later)), (1, vec!["later".to_string()]));
    }

    #[tokio::test]
    async fn a_read_given_up_on_is_made_by_the_next_ask() {
        let cache = ZoneCache::new(Duration::from_secs(3600));
        let reads = Cell::new(0);
        // A fetch that timed out mid-read: polled once, then dropped.
        let abandoned = cache
            .records("Z", async {
                reads.set(reads.get() + 1);
                std::future::pending::<Result<Vec<Record>, SourceError>>().await
            })
            .now_or_never();
        assert!(abandoned.is_none());
        let next = cache.records("Z", counted(&reads, Ok("next"))).await;
        assert_eq!((reads.get(), names(&next)), (2, vec!["next".to_string()]));
    }

    #[test]
    fn the_window_is_half_the_shortest_interval_of_the_sources_reading_zones() {
        let mut refresh = RefreshConfig::default();
        assert_eq!(reuse_window(&refresh), Duration::from_millis(7500));
        refresh.domains = Duration::from_secs(4);
        assert_eq!(reuse_window(&refresh), Duration::from_secs(2));
    }
}
