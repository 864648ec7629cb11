//! Paginated listings: one loop for every list call of the sources, with the guard against a
//! service that repeats its page token, the page limits, and the call count.
//!
//! The SDK's own paginators (`into_paginator()`) exist for only some of these calls (not for
//! Route 53 ListResourceRecordSets or S3 ListObjectVersions, whose next page is named by several
//! fields, nor for API Gateway v2), so every listing goes through [`read`] instead: one behaviour
//! for all of them.

use super::Tally;
use super::errors::Operation;
use crate::source::SourceError;
use std::future::Future;

/// No page limit: the listing is bounded by the source's fetch budget instead.
pub const ALL: usize = usize::MAX;

/// One page as the service answered it: its items, and what asks for the next page (`None` on
/// the last one).
#[derive(Debug)]
pub struct Page<T, K> {
    pub items: Vec<T>,
    pub next: Option<K>,
}

/// What a listing read.
#[derive(Debug)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// Pages read (one call each).
    pub pages: u32,
    /// It stopped at its page limit while the service had more pages.
    pub cut: bool,
}

/// Read pages from the first, passing each page's `next` to the call for the following one,
/// until the service says there is no next page, names one already read (a service repeating
/// its token would otherwise be called until the fetch times out; the SDK's paginators stop
/// there too), `limit` pages are read, or `enough` says the items so far suffice. Each call is
/// counted in `tally` as `op`.
pub async fn read<T, K, F, Fut>(
    tally: &mut Tally,
    op: Operation<'_>,
    limit: usize,
    mut page: F,
    mut enough: impl FnMut(&[T]) -> bool,
) -> Result<Listing<T>, SourceError>
where
    K: PartialEq + Clone,
    F: FnMut(Option<K>) -> Fut,
    Fut: Future<Output = Result<Page<T, K>, SourceError>>,
{
    let mut listing = Listing {
        items: Vec::new(),
        pages: 0,
        cut: false,
    };
    let mut asked: Vec<K> = Vec::new();
    let mut token: Option<K> = None;
    while (listing.pages as usize) < limit {
        tally.count(op);
        listing.pages += 1;
        let answer = page(token.clone()).await?;
        listing.items.extend(answer.items);
        asked.extend(token.take());
        token = answer.next.filter(|next| !asked.contains(next));
        if token.is_none() || enough(&listing.items) {
            return Ok(listing);
        }
    }
    listing.cut = true;
    Ok(listing)
}

/// Every item of a listing (see [`read`]).
pub async fn read_all<T, K, F, Fut>(
    tally: &mut Tally,
    op: Operation<'_>,
    limit: usize,
    page: F,
) -> Result<Vec<T>, SourceError>
where
    K: PartialEq + Clone,
    F: FnMut(Option<K>) -> Fut,
    Fut: Future<Output = Result<Page<T, K>, SourceError>>,
{
    Ok(read(tally, op, limit, page, |_| false).await?.items)
}

/// A string token as the next page's, unless it is empty (some services send "" on the last page).
pub fn token(next: Option<&str>) -> Option<String> {
    next.filter(|t| !t.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::source::ErrorKind;
    use std::cell::RefCell;

    const OP: Operation<'static> = Operation {
        service: "Test",
        api: "ListThings",
        region: "us-east-1",
    };

    /// A service whose page `i` (asked with token `pi`, the first with none) is `pages[i]`:
    /// (items, next token). It records the tokens it was asked with.
    struct Service {
        pages: Vec<(Vec<u32>, Option<&'static str>)>,
        asked: RefCell<Vec<Option<String>>>,
    }

    impl Service {
        fn new(pages: Vec<(Vec<u32>, Option<&'static str>)>) -> Service {
            Service {
                pages,
                asked: RefCell::new(Vec::new()),
            }
        }

        fn page(
            &self,
            token: Option<String>,
        ) -> std::future::Ready<Result<Page<u32, String>, SourceError>> {
            self.asked.borrow_mut().push(token.clone());
            let i = token
                .as_deref()
                .map_or(0, |t| t.trim_start_matches('p').parse::<usize>().unwrap());
            std::future::ready(
                self.pages
                    .get(i)
                    .cloned()
                    .map(|(items, next)| Page {
                        items,
                        next: next.map(str::to_string),
                    })
                    .ok_or_else(|| SourceError::new(ErrorKind::Other, format!("no page {i}"))),
            )
        }
    }

    fn run<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn every_page_is_read_in_turn() {
        let service = Service::new(vec![
            (vec![1, 2], Some("p1")),
            (vec![3], Some("p2")),
            (vec![4], None),
        ]);
        let mut tally = Tally::default();
        let items = run(read_all(&mut tally, OP, ALL, |t| service.page(t))).unwrap();
        assert_eq!(items, vec![1, 2, 3, 4]);
        assert_eq!(
            service.asked.into_inner(),
            vec![None, Some("p1".into()), Some("p2".into())]
        );
        assert_eq!(tally.calls, 3);
    }

    #[test]
    fn a_repeated_token_stops_the_listing() {
        // Page 1 names itself again; then page 2 names page 1, read already.
        for pages in [
            vec![(vec![1], Some("p1")), (vec![2], Some("p1"))],
            vec![
                (vec![1], Some("p1")),
                (vec![2], Some("p2")),
                (vec![3], Some("p1")),
            ],
        ] {
            let expected: Vec<u32> = pages.iter().flat_map(|(i, _)| i.clone()).collect();
            let n = pages.len();
            let service = Service::new(pages);
            let mut tally = Tally::default();
            let listing = run(read(&mut tally, OP, ALL, |t| service.page(t), |_| false)).unwrap();
            assert_eq!(listing.items, expected);
            assert_eq!((listing.pages as usize, listing.cut), (n, false));
            assert_eq!(service.asked.borrow().len(), n, "each page asked for once");
        }
    }

    #[test]
    fn the_limit_and_enough_stop_early() {
        let pages = || {
            vec![
                (vec![1], Some("p1")),
                (vec![2], Some("p2")),
                (vec![3], None),
            ]
        };
        let mut tally = Tally::default();
        let service = Service::new(pages());
        let cut = run(read(&mut tally, OP, 2, |t| service.page(t), |_| false)).unwrap();
        assert_eq!((cut.items, cut.pages, cut.cut), (vec![1, 2], 2, true));

        let service = Service::new(pages());
        let enough = run(read(
            &mut tally,
            OP,
            ALL,
            |t| service.page(t),
            |items| items.contains(&1),
        ))
        .unwrap();
        assert_eq!(
            (enough.items, enough.pages, enough.cut),
            (vec![1], 1, false)
        );

        // The last page is not a cut, even at the limit.
        let service = Service::new(pages());
        let whole = run(read(&mut tally, OP, 3, |t| service.page(t), |_| false)).unwrap();
        assert_eq!((whole.pages, whole.cut), (3, false));
    }

    #[test]
    fn an_error_ends_the_listing_and_its_call_counts() {
        let service = Service::new(vec![(vec![1], Some("p7"))]);
        let mut tally = Tally::default();
        let result = run(read_all(&mut tally, OP, ALL, |t| service.page(t)));
        assert!(result.is_err());
        assert_eq!(tally.calls, 2);
    }

    #[test]
    fn an_empty_token_is_no_token() {
        assert_eq!(token(Some("")), None);
        assert_eq!(token(Some("t")), Some("t".to_string()));
        assert_eq!(token(None), None);
    }
}
