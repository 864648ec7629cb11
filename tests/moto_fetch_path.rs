#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The fetch path against moto (`tests/moto_support`), in process: a fleet in one hosted zone
//! has the zone read once for the health source and every region.
//!
//! moto's ListHealthChecks has no pagination (one page, whatever MaxItems says): pages are
//! tested with mocks in `tests/fetch_path.rs`.

mod moto_support;

use std::sync::{Arc, Mutex};

use aws_config::Region;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use futures::future::join_all;
use moto_support::{Failover, Moto, PRIMARY, REGIONS, SECONDARY, Target, ZONE};
use switchyard::config::Config;
use switchyard::source::aws::{AwsBackend, ControlClients, RegionClients};
use switchyard::source::{Payload, SourceKey, SourceKind};

fn now() -> switchyard::model::Timestamp {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn config(toml: &str) -> Config {
    Config::parse(toml, std::path::Path::new("test.toml")).unwrap()
}

// ---------------------------------------------------------------------------------------------
// A fleet in one hosted zone
// ---------------------------------------------------------------------------------------------

/// Counts the Route 53 requests a client sends, by operation.
#[derive(Debug, Default, Clone)]
struct CountOperations(Arc<Mutex<Vec<String>>>);

impl CountOperations {
    fn count(&self, operation: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|o| *o == operation)
            .count()
    }

    fn total(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

impl Intercept for CountOperations {
    fn name(&self) -> &'static str {
        "CountOperations"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            self.0.lock().unwrap().push(metadata.name().to_string());
        }
        Ok(())
    }
}

/// Four services with their failover records in one hosted zone (moto stores them as Route 53
/// does), health checks found from the records: `snapshot`'s health source and both regions'
/// domains sources, fetched at once, list the zone's records once; each Route 53 request is
/// counted once in the fetches' tallies. The eight checks' configurations come from one
/// ListHealthChecks call.
#[tokio::test]
async fn a_fleet_in_one_zone_has_its_records_read_once_per_refresh() {
    const SERVICES: usize = 4;
    let moto = Moto::start();
    let zone = moto.create_zone(ZONE).await;
    let mut apis = std::collections::BTreeMap::new();
    for r in REGIONS {
        apis.insert(r, moto.create_rest_api(r, "fleet-api").await);
    }
    let mut toml = String::new();
    for i in 0..SERVICES {
        let name = format!("s{i}.{ZONE}");
        for (region, role) in [
            (PRIMARY, Failover::Primary),
            (SECONDARY, Failover::Secondary),
        ] {
            let (target, alias_zone) = moto.create_regional_domain(region, &name).await;
            // moto's GetBasePathMappings fails for a domain without one.
            moto.create_base_path_mapping(region, &name, &apis[region], None)
                .await;
            let check = moto.create_health_check(&format!("{region}.{name}")).await;
            moto.upsert_failover(
                &zone,
                &name,
                role,
                &format!("s{i}-{region}"),
                &check,
                Target::Alias {
                    dns_name: target,
                    hosted_zone_id: alias_zone,
                },
            )
            .await;
        }
        toml.push_str(&format!(
            "\n[[service]]\nname = \"s{i}\"\ndomain = \"{name}\"\nhosted_zone_id = \"{zone}\"\n\
             regions = [\"{PRIMARY}\", \"{SECONDARY}\"]\nfunctions = [\"s{i}-fn\"]\n"
        ));
    }
    let sdk = moto.sdk_config(PRIMARY);
    let counted = CountOperations::default();
    let route53 = aws_sdk_route53::Client::from_conf(
        aws_sdk_route53::config::Builder::from(&sdk)
            .interceptor(counted.clone())
            .build(),
    );
    let regions = REGIONS
        .iter()
        .map(|r| {
            (
                r.to_string(),
                RegionClients::new(&sdk, Region::new(r.to_string()), true),
            )
        })
        .collect();
    let b = AwsBackend::from_clients(
        config(&toml),
        ControlClients {
            route53,
            cloudwatch: aws_sdk_cloudwatch::Client::new(&sdk),
            sts: aws_sdk_sts::Client::new(&sdk),
        },
        regions,
    );

    let keys = [
        SourceKey::new(SourceKind::Health, PRIMARY),
        SourceKey::new(SourceKind::Domains, PRIMARY),
        SourceKey::new(SourceKind::Domains, SECONDARY),
    ];
    let round = join_all(keys.iter().map(|k| b.fetch(k, now()))).await;

    assert_eq!(counted.count("ListResourceRecordSets"), 1);
    assert_eq!(counted.count("ListHealthChecks"), 1);
    assert_eq!(counted.count("GetHealthCheck"), 0);
    let tallied: u32 = round.iter().map(|(t, _)| t.route53_calls).sum();
    assert_eq!(
        tallied as usize,
        counted.total(),
        "each Route 53 call counted once"
    );
    let Ok(Payload::Health(checks)) = &round[0].1 else {
        panic!("{:?}", round[0].1)
    };
    assert_eq!(checks.len(), 2 * SERVICES);
    for (_, result) in &round[1..] {
        let Ok(Payload::Domains(entries)) = result else {
            panic!("{result:?}")
        };
        assert_eq!(entries.len(), SERVICES);
        for e in entries {
            let shared = &e.value[0];
            assert_eq!(shared.dns_target, shared.regional_target, "{e:?}");
        }
    }
}
