//! `switchyard init`'s questions answered with the SDK (see `source::inventory`): Route 53
//! ListHostedZonesByName and ListResourceRecordSets, API Gateway's custom domains, mappings and
//! integrations as the Domains and Lambda sources read them, CodePipeline ListPipelines and
//! GetPipeline, S3 GetBucketLocation and GetBucketReplication. Every call is a read.

use super::apigateway::{self, custom_domains};
use super::errors::{self, Login, Operation, fail};
use super::integrations::{Apis, MappedApi, api_targets};
use super::pages::{self, Page};
use super::{FAN_OUT, RegionClients, Tally, clients, zone};
use crate::config::AwsConfig;
use crate::model::ApiKind;
use crate::source::SourceError;
use crate::source::inventory::{
    CustomDomain, Inventory, Pipeline, PipelineAction, Record, ReplicaRule, Target, Zone,
};
use aws_config::{Region, SdkConfig};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// The SDK clients discovery reads through: Route 53 in the control region, the others per
/// region as discovery comes to them.
pub struct AwsInventory {
    sdk: SdkConfig,
    profile: Option<String>,
    control_region: String,
    path_style: bool,
    route53: aws_sdk_route53::Client,
    regions: Mutex<BTreeMap<String, Arc<RegionClients>>>,
}

impl AwsInventory {
    /// With the config's `[aws]` settings (profile, endpoint, control region).
    pub async fn connect(aws: &AwsConfig) -> AwsInventory {
        let credentials = crate::config::Credentials {
            profile: aws.profile.clone(),
            role_arn: None,
        };
        let sdk = clients::load_sdk(aws, &credentials, clients::shared_http_client()).await;
        AwsInventory::with_sdk_config(&sdk, aws)
    }

    /// From a given SDK configuration (tests give one with mocked or emulated endpoints).
    pub fn with_sdk_config(sdk: &SdkConfig, aws: &AwsConfig) -> AwsInventory {
        let sdk = if sdk.http_client().is_some() {
            sdk.clone()
        } else {
            sdk.to_builder()
                .http_client(clients::shared_http_client())
                .build()
        };
        let route53 = aws_sdk_route53::Client::from_conf(
            aws_sdk_route53::config::Builder::from(&sdk)
                .region(Region::new(aws.control_region.clone()))
                .build(),
        );
        AwsInventory {
            path_style: sdk.endpoint_url().is_some(),
            profile: aws.profile.clone(),
            control_region: aws.control_region.clone(),
            route53,
            sdk,
            regions: Mutex::new(BTreeMap::new()),
        }
    }

    /// From given clients (tests answer them with mock rules); a region without clients gets
    /// ones from an empty SDK configuration, whose calls fail.
    pub fn from_clients(
        aws: &AwsConfig,
        route53: aws_sdk_route53::Client,
        regions: Vec<(String, RegionClients)>,
    ) -> AwsInventory {
        AwsInventory {
            sdk: SdkConfig::builder().build(),
            profile: aws.profile.clone(),
            control_region: aws.control_region.clone(),
            path_style: false,
            route53,
            regions: Mutex::new(regions.into_iter().map(|(r, c)| (r, Arc::new(c))).collect()),
        }
    }

    fn clients(&self, region: &str) -> Arc<RegionClients> {
        let mut regions = self.regions.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(regions.entry(region.to_string()).or_insert_with(|| {
            Arc::new(RegionClients::new(
                &self.sdk,
                Region::new(region.to_string()),
                self.path_style,
            ))
        }))
    }

    fn profile(&self) -> Login<'_> {
        self.profile.as_deref().into()
    }

    fn route53_op<'a>(&'a self, api: &'a str) -> Operation<'a> {
        Operation {
            service: errors::ROUTE_53,
            api,
            region: &self.control_region,
        }
    }
}

/// The names a zone holding `domain` could have: the domain and each parent of two labels or
/// more (`a.b.example.com`, `b.example.com`, `example.com`).
fn parents(domain: &str) -> Vec<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    (0..labels.len().saturating_sub(1))
        .map(|i| labels[i..].join("."))
        .collect()
}

impl Inventory for AwsInventory {
    async fn zones_for(&self, domain: &str) -> Result<Vec<Zone>, SourceError> {
        let op = self.route53_op("ListHostedZonesByName");
        let mut zones = Vec::new();
        for name in parents(domain) {
            // Zones are listed in name order from DNSName on: a zone of exactly that name is
            // among the first (one per hosted zone of the name, public or private).
            let out = self
                .route53
                .list_hosted_zones_by_name()
                .dns_name(&name)
                .max_items(10)
                .send()
                .await
                .map_err(fail(op, self.profile()))?;
            for z in out.hosted_zones() {
                if zone::normalize(z.name()) == name {
                    zones.push(Zone {
                        id: z.id().trim_start_matches("/hostedzone/").to_string(),
                        name: name.clone(),
                        private: z.config().is_some_and(|c| c.private_zone()),
                    });
                }
            }
        }
        Ok(zones)
    }

    async fn records(&self, zone_id: &str) -> Result<Vec<Record>, SourceError> {
        let op = self.route53_op("ListResourceRecordSets");
        let profile = self.profile();
        let mut tally = Tally::default();
        pages::read_all(
            &mut tally,
            op,
            pages::ALL,
            |next: Option<zone::NextRecord>| {
                let (name, kind, id) = next.map_or((None, None, None), |(n, k, i)| (Some(n), k, i));
                let request = self
                    .route53
                    .list_resource_record_sets()
                    .hosted_zone_id(zone_id)
                    .set_start_record_name(name)
                    .set_start_record_type(kind)
                    .set_start_record_identifier(id);
                async move {
                    Ok(zone::page_of(
                        &request.send().await.map_err(fail(op, profile))?,
                    ))
                }
            },
        )
        .await
    }

    async fn custom_domains(
        &self,
        region: &str,
        wanted: &[String],
    ) -> Result<Vec<CustomDomain>, SourceError> {
        let clients = self.clients(region);
        let profile = self.profile();
        let mut tally = Tally::default();
        let v1 = custom_domains(&clients.apigateway, region, profile, wanted, &mut tally).await?;
        let v2 = custom_domains(&clients.apigatewayv2, region, profile, wanted, &mut tally).await?;
        Ok(apigateway::merge(v1, v2)
            .into_iter()
            .map(|(name, f)| CustomDomain {
                name,
                api: f.api,
                target: f.regional_target,
                mappings: f.mappings,
            })
            .collect())
    }

    async fn invoked(
        &self,
        region: &str,
        api: ApiKind,
        api_id: &str,
        stages: &BTreeSet<String>,
    ) -> Result<Vec<Target>, SourceError> {
        let clients = self.clients(region);
        let at = Apis {
            region,
            clients: &clients,
            login: self.profile(),
        };
        let mapped = MappedApi {
            via: api,
            id: api_id.to_string(),
        };
        api_targets(at, &mapped, stages, &mut Tally::default()).await
    }

    async fn pipelines(
        &self,
        region: &str,
        only: Option<&str>,
    ) -> Result<Vec<Pipeline>, SourceError> {
        let client = &self.clients(region).codepipeline;
        let profile = self.profile();
        let names = match only {
            Some(name) => vec![name.to_string()],
            None => {
                let op = Operation {
                    service: "CodePipeline",
                    api: "ListPipelines",
                    region,
                };
                pages::read_all(&mut Tally::default(), op, pages::ALL, |token| {
                    let request = client.list_pipelines().set_next_token(token);
                    async move {
                        let page = request.send().await.map_err(fail(op, profile))?;
                        Ok(Page {
                            items: page
                                .pipelines()
                                .iter()
                                .filter_map(|p| p.name().map(str::to_string))
                                .collect(),
                            next: pages::token(page.next_token()),
                        })
                    }
                })
                .await?
            }
        };
        let op = Operation {
            service: "CodePipeline",
            api: "GetPipeline",
            region,
        };
        // The declarations a few at a time (CodePipeline's GetPipeline rate is per account).
        let pending: Vec<_> = names
            .iter()
            .map(|name| client.get_pipeline().name(name).send())
            .collect();
        let answers: Vec<_> = stream::iter(pending).buffered(FAN_OUT).collect().await;
        let mut out = Vec::new();
        for answer in answers {
            let got = match answer {
                Ok(got) => got,
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_pipeline_not_found_exception()) =>
                {
                    continue;
                }
                Err(e) => return Err(fail(op, profile)(e)),
            };
            let Some(declared) = got.pipeline() else {
                continue;
            };
            out.push(Pipeline {
                name: declared.name().to_string(),
                region: region.to_string(),
                actions: actions(declared),
            });
        }
        Ok(out)
    }

    async fn bucket_region(&self, bucket: &str) -> Result<Option<String>, SourceError> {
        let region = self.control_region.clone();
        let client = &self.clients(&region).s3;
        let op = Operation {
            service: "S3",
            api: "GetBucketLocation",
            region: &region,
        };
        match client.get_bucket_location().bucket(bucket).send().await {
            // S3 API Reference, GetBucketLocation: no LocationConstraint is us-east-1; "EU"
            // is the legacy name of eu-west-1.
            Ok(out) => Ok(Some(match out.location_constraint().map(|c| c.as_str()) {
                None | Some("") => "us-east-1".to_string(),
                Some("EU") => "eu-west-1".to_string(),
                Some(other) => other.to_string(),
            })),
            Err(e) if error_code(&e) == Some("NoSuchBucket") => Ok(None),
            Err(e) => Err(fail(op, self.profile())(e)),
        }
    }

    async fn replication(
        &self,
        region: &str,
        bucket: &str,
    ) -> Result<Vec<ReplicaRule>, SourceError> {
        let client = &self.clients(region).s3;
        let op = Operation {
            service: "S3",
            api: "GetBucketReplication",
            region,
        };
        let out = match client.get_bucket_replication().bucket(bucket).send().await {
            Ok(out) => out,
            Err(e) if error_code(&e) == Some("ReplicationConfigurationNotFoundError") => {
                return Ok(Vec::new());
            }
            Err(e) => return Err(fail(op, self.profile())(e)),
        };
        Ok(out
            .replication_configuration()
            .map(|c| c.rules())
            .unwrap_or_default()
            .iter()
            .filter_map(|r| {
                let arn = r.destination()?.bucket();
                #[allow(deprecated)] // a rule without a Filter may carry the older Prefix
                let prefix = r
                    .filter()
                    .and_then(|f| f.prefix().or_else(|| f.and().and_then(|a| a.prefix())))
                    .or(r.prefix())
                    .map(str::to_string);
                Some(ReplicaRule {
                    id: r.id().map(str::to_string),
                    enabled: r.status().as_str() == "Enabled",
                    bucket: arn.rsplit(":::").next().unwrap_or(arn).to_string(),
                    prefix,
                })
            })
            .collect())
    }
}

/// Every action of a pipeline's declaration, with its stage.
fn actions(declared: &aws_sdk_codepipeline::types::PipelineDeclaration) -> Vec<PipelineAction> {
    declared
        .stages()
        .iter()
        .flat_map(|stage| {
            stage.actions().iter().filter_map(|a| {
                let kind = a.action_type_id()?;
                Some(PipelineAction {
                    stage: stage.name().to_string(),
                    name: a.name().to_string(),
                    category: kind.category().as_str().to_string(),
                    provider: kind.provider().to_string(),
                    configuration: a
                        .configuration()
                        .map(|c| c.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                })
            })
        })
        .collect()
}

fn error_code<E, R>(e: &aws_sdk_s3::error::SdkError<E, R>) -> Option<&str>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    e.as_service_error().and_then(|se| se.code())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_zones_that_could_hold_a_name_are_its_parents() {
        assert_eq!(
            super::parents("a.sample.example.com"),
            ["a.sample.example.com", "sample.example.com", "example.com"]
        );
        assert_eq!(super::parents("example.com"), ["example.com"]);
    }
}
