//! `switchyard init --sim`: the simulated deployment answers discovery's questions (see
//! `source::inventory`) as AWS would for the same deployment: a hosted zone per parent domain,
//! the shared name's failover records (a CNAME per region, PRIMARY first, each with its
//! health check) and the per-region CNAMEs, the custom domains with their REST API, the API's
//! Lambda integrations (the functions with an alias; one without is not behind API Gateway in
//! the simulation), the pipeline (S3 source, build, manual approval, a Lambda deploy per
//! function) and the artifact bucket's replication rules.

use super::noise;
use super::scenario::{Scenario, SimService};
use super::world::World;
use crate::model::{ApiKind, Timestamp};
use crate::source::inventory::{
    CustomDomain, Inventory, Pipeline, PipelineAction, Record, ReplicaRule, Target, Zone,
};
use crate::source::{ErrorKind, SourceError};
use std::collections::{BTreeMap, BTreeSet};

/// The simulated account as it is `at`.
pub struct SimInventory {
    scenario: Scenario,
    at: Timestamp,
}

impl SimInventory {
    /// At the scenario's start.
    pub fn new(scenario: Scenario) -> SimInventory {
        let at = scenario.start;
        SimInventory { scenario, at }
    }

    fn world(&self) -> World<'_> {
        World::new(&self.scenario, &[])
    }

    /// The zone a service's domain is in: its parent.
    fn zone_of(&self, service: &SimService) -> Zone {
        let name = service
            .domain
            .split_once('.')
            .map_or(service.domain.as_str(), |(_, parent)| parent)
            .to_ascii_lowercase();
        let id = noise::ident(self.scenario.seed, &["zone", &name], 0, 13).to_ascii_uppercase();
        Zone {
            id: format!("Z{id}"),
            name,
            private: false,
        }
    }

    fn bucket(service: &SimService, region: &str) -> String {
        service.artifact_bucket.replace("{region}", region)
    }

    fn route53(&self) -> Result<(), SourceError> {
        let world = self.world();
        if world.route53_down(world.offset(self.at)) {
            return Err(SourceError::new(
                ErrorKind::Unavailable,
                "Route 53 ListResourceRecordSets failed (simulated control-plane outage): \
                 the service is unavailable",
            ));
        }
        Ok(())
    }
}

impl Inventory for SimInventory {
    async fn zones_for(&self, domain: &str) -> Result<Vec<Zone>, SourceError> {
        self.route53()?;
        let mut zones: Vec<Zone> = Vec::new();
        for s in &self.scenario.services {
            let zone = self.zone_of(s);
            let holds = domain == zone.name || domain.ends_with(&format!(".{}", zone.name));
            if holds && !zones.contains(&zone) {
                zones.push(zone);
            }
        }
        Ok(zones)
    }

    async fn records(&self, zone_id: &str) -> Result<Vec<Record>, SourceError> {
        self.route53()?;
        let world = self.world();
        let mut out = Vec::new();
        for s in self
            .scenario
            .services
            .iter()
            .filter(|s| self.zone_of(s).id == zone_id)
        {
            for (i, region) in s.regions.iter().enumerate() {
                for d in world.domains(s, region, self.at) {
                    let shared = d.name == s.domain;
                    out.push(Record {
                        name: d.name.to_ascii_lowercase(),
                        record_type: "CNAME".into(),
                        set_identifier: shared.then(|| region.clone()),
                        failover: shared
                            .then(|| if i == 0 { "PRIMARY" } else { "SECONDARY" }.to_string()),
                        health_check_id: shared.then(|| world.health_check_id(&s.name, region)),
                        target: d.dns_target,
                    });
                }
            }
        }
        Ok(out)
    }

    async fn custom_domains(
        &self,
        region: &str,
        wanted: &[String],
    ) -> Result<Vec<CustomDomain>, SourceError> {
        let world = self.world();
        Ok(self
            .scenario
            .services
            .iter()
            .filter(|s| s.regions.iter().any(|r| r == region))
            .flat_map(|s| world.domains(s, region, self.at))
            .filter(|d| wanted.contains(&d.name.to_ascii_lowercase()))
            .map(|d| CustomDomain {
                name: d.name.to_ascii_lowercase(),
                api: d.api,
                target: d.regional_target,
                mappings: d.mappings,
            })
            .collect())
    }

    async fn invoked(
        &self,
        region: &str,
        _api: ApiKind,
        api_id: &str,
        _stages: &BTreeSet<String>,
    ) -> Result<Vec<Target>, SourceError> {
        let world = self.world();
        let Some(service) = self.scenario.services.iter().find(|s| {
            s.regions.iter().any(|r| r == region)
                && world
                    .domains(s, region, self.at)
                    .iter()
                    .any(|d| d.mappings.iter().any(|m| m.api_id == api_id))
        }) else {
            return Ok(Vec::new());
        };
        Ok(service
            .functions
            .iter()
            .filter(|f| f.alias.is_some())
            .map(|f| Target {
                region: region.to_string(),
                function: f.name.clone(),
                qualifier: f.alias.clone(),
            })
            .collect())
    }

    async fn pipelines(
        &self,
        region: &str,
        only: Option<&str>,
    ) -> Result<Vec<Pipeline>, SourceError> {
        let action =
            |stage: &str, name: &str, category: &str, provider: &str, config: &[(&str, &str)]| {
                PipelineAction {
                    stage: stage.into(),
                    name: name.into(),
                    category: category.into(),
                    provider: provider.into(),
                    configuration: config
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect::<BTreeMap<_, _>>(),
                }
            };
        Ok(self
            .scenario
            .services
            .iter()
            .filter(|s| s.regions.first().is_some_and(|r| r == region))
            .filter_map(|s| {
                let name = s.pipeline.clone()?;
                if only.is_some_and(|o| o != name) {
                    return None;
                }
                let key = format!("{}{}.zip", s.artifact_prefix, s.name);
                let mut actions = vec![
                    action(
                        "Source",
                        "Source",
                        "Source",
                        "S3",
                        &[
                            ("S3Bucket", &Self::bucket(s, region)),
                            ("S3ObjectKey", &key),
                        ],
                    ),
                    action("Build", "Build", "Build", "CodeBuild", &[]),
                    action("Approval", "ManualApproval", "Approval", "Manual", &[]),
                ];
                for f in &s.functions {
                    actions.push(action(
                        "Deploy",
                        &format!("Deploy-{}", f.name),
                        "Deploy",
                        "Lambda",
                        &[("FunctionName", &f.name)],
                    ));
                }
                Some(Pipeline {
                    name,
                    region: region.to_string(),
                    actions,
                })
            })
            .collect())
    }

    async fn bucket_region(&self, bucket: &str) -> Result<Option<String>, SourceError> {
        Ok(self.scenario.services.iter().find_map(|s| {
            s.regions
                .iter()
                .find(|r| Self::bucket(s, r) == bucket)
                .cloned()
        }))
    }

    async fn replication(
        &self,
        region: &str,
        bucket: &str,
    ) -> Result<Vec<ReplicaRule>, SourceError> {
        let Some(service) = self.scenario.services.iter().find(|s| {
            s.regions.first().is_some_and(|r| r == region) && Self::bucket(s, region) == bucket
        }) else {
            return Ok(Vec::new());
        };
        Ok(service
            .regions
            .iter()
            .skip(1)
            .map(|r| ReplicaRule {
                id: Some(format!("to-{r}")),
                enabled: true,
                bucket: Self::bucket(service, r),
                prefix: Some(service.artifact_prefix.clone()),
            })
            .collect())
    }
}
