//! Tables of `update` cases: key actions, filter editing, fetched data and failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::model::{HealthCheck, HealthStatus};
use crate::source::{Entry, ErrorKind, Payload, SourceKind};

fn t(secs: i64) -> Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

fn service(name: &str, regions: &[&str]) -> Service {
    Service {
        name: name.into(),
        domain: format!("{name}.example"),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        functions: vec!["f1".into(), "f2".into()],
        regional_hostname: "{region}.{domain}".into(),
        pipeline: Some(format!("{name}-deploy")),
        artifact_source_region: regions[0].into(),
        pipeline_region: regions[0].into(),
        failover: Default::default(),
    }
}

fn state() -> State {
    let services = vec![
        service("alpha", &["us-east-1", "us-west-2"]),
        service("beta", &["us-east-1", "eu-west-1"]),
    ];
    let plan: Vec<SourceSpec> = ["us-east-1", "us-west-2", "eu-west-1"]
        .iter()
        .map(|r| SourceSpec {
            key: SourceKey::new(SourceKind::Health, *r),
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(5),
            covers: services
                .iter()
                .filter(|s| s.regions.iter().any(|x| x == r))
                .map(|s| (s.name.clone(), r.to_string()))
                .collect(),
        })
        .collect();
    State::new("test".into(), services, &plan, Thresholds::default())
}

fn check(id: &str, raw: HealthStatus) -> HealthCheck {
    HealthCheck {
        id: id.into(),
        raw,
        inverted: false,
        disabled: false,
        checkers_healthy_pct: Some(100.0),
        observations: Vec::new(),
        history: Vec::new(),
        last_failure: None,
        version: Some(1),
        checker_regions: Vec::new(),
        follows_routing_control: false,
    }
}

fn health_fetch(
    region: &str,
    at: Timestamp,
    result: Result<Vec<(&str, HealthStatus)>, &str>,
) -> Msg {
    Msg::Fetched(Box::new(Fetched {
        key: SourceKey::new(SourceKind::Health, region),
        at,
        calls: 3,
        route53_calls: 0,
        partial: None,
        result: result
            .map(|entries| {
                Payload::Health(
                    entries
                        .into_iter()
                        .map(|(svc, status)| Entry {
                            service: svc.into(),
                            region: region.into(),
                            value: check(&format!("{svc}-{region}"), status),
                        })
                        .collect(),
                )
            })
            .map_err(|m| SourceError::new(ErrorKind::Throttled, m)),
    }))
}

#[test]
fn key_actions_table() {
    use Action::*;
    // (actions, expected focus, expected detail, expected help, expected selected[focus])
    let cases: Vec<(Vec<Action>, Panel, bool, bool, usize)> = vec![
        (vec![], Panel::Health, false, false, 0),
        (vec![FocusNext], Panel::Pipeline, false, false, 0),
        (vec![FocusPrev], Panel::Domains, false, false, 0),
        (
            vec![FocusNext, FocusNext, FocusNext, FocusNext, FocusNext],
            Panel::Health,
            false,
            false,
            0,
        ),
        (vec![Focus(Panel::Lambda)], Panel::Lambda, false, false, 0),
        (vec![Down, Down], Panel::Health, false, false, 2),
        // 4 health rows (2 services × 2 regions): the selection stops at the last.
        (
            vec![Down, Down, Down, Down, Down, Down],
            Panel::Health,
            false,
            false,
            3,
        ),
        (vec![Down, Up, Up], Panel::Health, false, false, 0),
        (vec![OpenDetail], Panel::Health, true, false, 0),
        (vec![OpenDetail, Back], Panel::Health, false, false, 0),
        (
            vec![OpenDetail, Focus(Panel::Domains)],
            Panel::Domains,
            false,
            false,
            0,
        ),
        (vec![ToggleHelp], Panel::Health, false, true, 0),
        (
            vec![OpenDetail, ToggleHelp, Back],
            Panel::Health,
            true,
            false,
            0,
        ),
        (vec![ToggleHelp, ToggleHelp], Panel::Health, false, false, 0),
        // Lambda lists 2 services × 2 regions × 2 functions.
        (
            vec![
                Focus(Panel::Lambda),
                Down,
                Down,
                Down,
                Down,
                Down,
                Down,
                Down,
                Down,
                Down,
            ],
            Panel::Lambda,
            false,
            false,
            7,
        ),
    ];
    for (actions, focus, detail, help, selected) in cases {
        let mut s = state();
        for a in &actions {
            assert!(
                update(&mut s, Msg::Action(*a), t(0)).is_empty(),
                "{actions:?}"
            );
        }
        assert_eq!(s.view.focused(), focus, "{actions:?}");
        assert_eq!(s.view.detail, detail, "{actions:?}");
        assert_eq!(s.view.help, help, "{actions:?}");
        assert_eq!(s.view.selected[focus.index()], selected, "{actions:?}");
    }
}

#[test]
fn refresh_and_quit_become_commands() {
    let mut s = state();
    assert_eq!(
        update(&mut s, Msg::Action(Action::Refresh), t(0)),
        vec![Command::RefreshAll]
    );
    assert!(!s.quit);
    assert_eq!(
        update(&mut s, Msg::Action(Action::Quit), t(0)),
        vec![Command::Quit]
    );
    assert!(s.quit);
}

#[test]
fn filter_editing_table() {
    use FilterKey::*;
    let cases: Vec<(Vec<FilterKey>, &str, bool, usize)> = vec![
        (vec![Char('b'), Char('e')], "be", true, 2),
        (vec![Char('b'), Char('x'), Backspace], "b", true, 2),
        (vec![Char('b'), Done], "b", false, 2),
        (vec![Char('b'), Cancel], "", false, 4),
        (
            vec![Char('w'), Char('e'), Char('s'), Char('t')],
            "west",
            true,
            2,
        ), // matches us-west-2 and eu-west-1
        (vec![Char('Z'), Char('Z')], "ZZ", true, 0),
        (vec![Char('A'), Char('L')], "AL", true, 2), // case-insensitive
    ];
    for (keys, filter, editing, health_rows) in cases {
        let mut s = state();
        update(&mut s, Msg::Action(Action::Down), t(0));
        update(&mut s, Msg::Action(Action::StartFilter), t(0));
        for k in &keys {
            update(&mut s, Msg::Filter(*k), t(0));
        }
        assert_eq!(s.view.filter, filter, "{keys:?}");
        assert_eq!(s.view.editing_filter, editing, "{keys:?}");
        assert_eq!(rows(&s, Panel::Health).len(), health_rows, "{keys:?}");
        assert_eq!(
            s.view.selected, [0; 5],
            "the selection restarts when the rows change"
        );
    }
    // Esc outside the filter editor clears a kept filter.
    let mut s = state();
    update(&mut s, Msg::Filter(FilterKey::Char('b')), t(0));
    update(&mut s, Msg::Filter(FilterKey::Done), t(0));
    update(&mut s, Msg::Action(Action::Back), t(0));
    assert_eq!(s.view.filter, "");
}

#[test]
fn fetched_data_is_stored_with_its_time_and_a_failure_keeps_it() {
    let mut s = state();
    update(
        &mut s,
        health_fetch(
            "us-east-1",
            t(10),
            Ok(vec![
                ("alpha", HealthStatus::Healthy),
                ("beta", HealthStatus::Unhealthy),
            ]),
        ),
        t(10),
    );
    let alpha = &s.services[0].regions[0];
    assert_eq!(alpha.health.as_ref().unwrap().fetched_at, t(10));
    assert_eq!(
        s.services[1].regions[0].health.as_ref().unwrap().value.raw,
        HealthStatus::Unhealthy
    );
    let key = SourceKey::new(SourceKind::Health, "us-east-1");
    assert_eq!(s.sources[&key].calls, 3);
    assert_eq!(s.sources[&key].last_ok, Some(t(10)));
    assert_eq!(
        s.freshness(SourceKind::Health, "alpha", "us-east-1", Some(t(10)), t(12)),
        Freshness::Fresh
    );

    // A failure keeps the data, records the error, and the data shows as stale with its age.
    update(
        &mut s,
        health_fetch("us-east-1", t(25), Err("Throttling: Rate exceeded")),
        t(25),
    );
    assert_eq!(
        s.services[0].regions[0].health.as_ref().unwrap().fetched_at,
        t(10)
    );
    assert_eq!(s.sources[&key].failures, 1);
    assert_eq!(s.sources[&key].calls, 6);
    assert_eq!(
        s.freshness(SourceKind::Health, "alpha", "us-east-1", Some(t(10)), t(40)),
        Freshness::Stale {
            age: Duration::from_secs(30),
            error: Some("Throttling: Rate exceeded".into())
        }
    );
    // Never fetched and failing: missing, with the reason.
    update(
        &mut s,
        health_fetch("eu-west-1", t(25), Err("denied")),
        t(25),
    );
    assert_eq!(
        s.freshness(SourceKind::Health, "beta", "eu-west-1", None, t(40)),
        Freshness::Missing {
            error: Some("denied".into())
        }
    );
    // Success clears the error and the failure count.
    update(
        &mut s,
        health_fetch(
            "us-east-1",
            t(50),
            Ok(vec![("alpha", HealthStatus::Healthy)]),
        ),
        t(50),
    );
    assert_eq!(s.sources[&key].failures, 0);
    assert!(s.sources[&key].error.is_none());
}

#[test]
fn old_data_goes_stale_without_an_error() {
    let mut s = state();
    update(
        &mut s,
        health_fetch(
            "us-east-1",
            t(0),
            Ok(vec![("alpha", HealthStatus::Healthy)]),
        ),
        t(0),
    );
    // Interval 15 s, timeout 5 s: stale after 2 × 15 + 5 = 35 s.
    let f = |now| s.freshness(SourceKind::Health, "alpha", "us-east-1", Some(t(0)), t(now));
    assert_eq!(f(35), Freshness::Fresh);
    assert_eq!(
        f(36),
        Freshness::Stale {
            age: Duration::from_secs(36),
            error: None
        }
    );
}

#[test]
fn data_for_unknown_services_or_regions_is_ignored() {
    let mut s = state();
    let before = s.services.clone();
    update(
        &mut s,
        health_fetch(
            "us-east-1",
            t(0),
            Ok(vec![("nobody", HealthStatus::Healthy)]),
        ),
        t(0),
    );
    update(
        &mut s,
        health_fetch(
            "ap-south-1",
            t(0),
            Ok(vec![("alpha", HealthStatus::Healthy)]),
        ),
        t(0),
    );
    assert_eq!(s.services, before);
}
