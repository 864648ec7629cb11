//! (c) Hammering refresh.

use super::*;

/// The simulation (`steady`, every source healthy) with an interval of an hour, so every fetch
/// after the first is one a refresh asked for. `Poller::refresh_all` is called 50 times, every
/// 20 ms (about a second). Each source's fetches start at least `MIN_REFRESH_SPACING` apart, so
/// in the run's real window W at most `1 + W / MIN_REFRESH_SPACING` of them fit (the first
/// included). Asserted: no source exceeds that, and each fetched again (the refresh was
/// honoured, not dropped). The run lasts 5 s (2.5 spacings, so that refreshes still pending
/// after the presses stop are seen too) and until every source fetched twice (a limit of 30 s
/// fails the test instead of hanging); the bound uses the window as it really was.
#[tokio::test]
async fn hammering_refresh_fetches_each_source_at_most_once_per_spacing() {
    const PRESSES: usize = 50;
    // Long enough for a refresh still pending after the presses to show: 2.5 spacings.
    const OBSERVE: Duration = Duration::from_millis(5000);
    let scenario = Scenario::built_in("steady").unwrap();
    let backend = Backend::Sim(SimBackend::new(scenario));
    let mut plan = backend.schedule();
    for spec in &mut plan {
        spec.interval = Duration::from_secs(3600);
    }
    let sources = plan.len();
    assert!(sources > 1, "{plan:?}");

    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let started = tokio::time::Instant::now();
    let poller = Arc::new(Poller::start(
        Arc::new(backend),
        plan,
        Clock::fixed(now()),
        tx,
    ));
    let hammer = {
        let poller = Arc::clone(&poller);
        tokio::spawn(async move {
            for _ in 0..PRESSES {
                poller.refresh_all();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let mut fetched = Vec::new();
    let limit = started + Duration::from_secs(30);
    loop {
        let counts = per_source(&fetched);
        if counts.len() == sources
            && counts.values().all(|n| *n >= 2)
            && hammer.is_finished()
            && started.elapsed() >= OBSERVE
        {
            break;
        }
        // Wait for messages until the observation time is over, then until the limit.
        let wake = if tokio::time::Instant::now() < started + OBSERVE {
            started + OBSERVE
        } else {
            limit
        };
        match tokio::time::timeout_at(wake, rx.recv()).await {
            Ok(Some(msg)) => fetched.push(unwrap_fetched(msg)),
            Ok(None) => panic!("the pollers stopped on their own"),
            Err(_) if wake < limit => {}
            Err(_) => panic!("not every source fetched again within 30 s: {counts:?}"),
        }
    }
    hammer.await.unwrap();
    drop(poller);
    let window = started.elapsed();
    while let Ok(msg) = rx.try_recv() {
        fetched.push(unwrap_fetched(msg));
    }

    for f in &fetched {
        assert!(f.result.is_ok(), "steady is healthy: {f:?}");
    }
    let bound = 1 + (window.as_millis() / MIN_REFRESH_SPACING.as_millis()) as usize;
    let counts = per_source(&fetched);
    assert_eq!(counts.len(), sources, "{counts:?}");
    for (key, n) in &counts {
        assert!(
            *n <= bound,
            "{key}: {n} fetches in {window:?} after {PRESSES} refreshes; spacing {MIN_REFRESH_SPACING:?} allows {bound}"
        );
        assert!(*n >= 2, "{key}: the refresh was honoured");
    }
}
