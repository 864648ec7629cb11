//! The simulation replayed: the events a console would have recorded from the scenario's start.

use crate::config::Thresholds;
use crate::journal::replay::replay;
use crate::source::sim::scenario::Scenario;

#[test]
fn explore() {
    let started = std::time::Instant::now();
    let r = replay(Scenario::built_in("region-outage").unwrap(), Thresholds::default(), 600, &[]);
    eprintln!("took {:?}", started.elapsed());
    for e in &r.events {
        eprintln!("{} {:?} {:?} {:?} {:?} {:?}->{:?} {:?} {:?}", e.observed, e.kind, e.severity, e.service, e.region, e.before, e.after, e.aws_time, e.code);
    }
    let backend = crate::source::sim::SimBackend::new(Scenario::built_in("region-outage").unwrap());
    let schedule = backend.schedule();
    let mut fleet = crate::fleet::Fleet::new(backend.services(), &schedule, Thresholds::default());
    let now = backend.scenario().start + chrono::Duration::seconds(300);
    for spec in &schedule {
        let t = std::time::Instant::now();
        for _ in 0..20 { fleet.apply(backend.fetch_now(&spec.key, now)); }
        eprintln!("{} x20 {:?}", spec.key, t.elapsed());
    }
    let t = std::time::Instant::now();
    for _ in 0..20 { let _ = crate::assess::events::observe(&fleet, now); }
    eprintln!("observe x20 {:?}", t.elapsed());
}
