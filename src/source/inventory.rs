//! What `switchyard init` asks of an account to discover a service (README, "Getting started on
//! AWS"): the questions, each one or a few read-only API calls, and their answers. The AWS
//! backend answers them with the SDK (`aws::discover`), the simulation from its world
//! (`sim::discover`); `crate::init` turns the answers into a config.

use crate::model::{ApiKind, DomainMapping};
use crate::source::SourceError;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::source::aws::{Record, Target};

/// A hosted zone (ListHostedZonesByName).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Zone {
    /// The bare ID, without `/hostedzone/`.
    pub id: String,
    /// Lower case, without the trailing dot.
    pub name: String,
    pub private: bool,
}

/// An API Gateway custom domain in one region (v1 GetDomainNames, v2 GetDomainNames) and its
/// mappings (GetBasePathMappings, GetApiMappings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomDomain {
    pub name: String,
    pub api: ApiKind,
    /// `d-….execute-api.REGION.amazonaws.com`; `None` where the API does not give it.
    pub target: Option<String>,
    pub mappings: Vec<DomainMapping>,
}

/// A pipeline's declaration (GetPipeline).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    pub name: String,
    pub region: String,
    pub actions: Vec<PipelineAction>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineAction {
    pub stage: String,
    pub name: String,
    /// The action type's category (`Source`, `Approval`, `Deploy`, …) and provider.
    pub category: String,
    pub provider: String,
    pub configuration: BTreeMap<String, String>,
}

impl PipelineAction {
    /// CodePipeline User Guide, "Manual approval action": category Approval, provider Manual.
    pub fn is_manual_approval(&self) -> bool {
        self.category == "Approval" && self.provider == "Manual"
    }

    /// An S3 source action: the bucket and key it watches (configuration `S3Bucket`,
    /// `S3ObjectKey`).
    pub fn s3_source(&self) -> Option<(&str, &str)> {
        (self.category == "Source" && self.provider == "S3").then_some(())?;
        Some((
            self.configuration.get("S3Bucket")?.as_str(),
            self.configuration.get("S3ObjectKey")?.as_str(),
        ))
    }
}

/// One rule of a bucket's replication configuration (GetBucketReplication).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicaRule {
    pub id: Option<String>,
    pub enabled: bool,
    /// The destination bucket's name (from its ARN).
    pub bucket: String,
    /// The rule's filter prefix, if it has one.
    pub prefix: Option<String>,
}

/// The questions discovery asks. Every call is a read.
#[allow(async_fn_in_trait)] // used generically, never as `dyn`, on one task
pub trait Inventory {
    /// The hosted zones whose name is `domain` or one of its parents.
    async fn zones_for(&self, domain: &str) -> Result<Vec<Zone>, SourceError>;
    /// Every record of a zone.
    async fn records(&self, zone_id: &str) -> Result<Vec<Record>, SourceError>;
    /// The region's custom domains among `wanted` (v1 and v2), with their mappings.
    async fn custom_domains(
        &self,
        region: &str,
        wanted: &[String],
    ) -> Result<Vec<CustomDomain>, SourceError>;
    /// The Lambda functions an API's integrations invoke, stage variables resolved for each of
    /// the `stages` it is mapped with.
    async fn invoked(
        &self,
        region: &str,
        api: ApiKind,
        api_id: &str,
        stages: &BTreeSet<String>,
    ) -> Result<Vec<Target>, SourceError>;
    /// The region's pipelines with their declarations (ListPipelines, GetPipeline each); only
    /// the one named `only` if given (`None` among the answers: not in this region).
    async fn pipelines(
        &self,
        region: &str,
        only: Option<&str>,
    ) -> Result<Vec<Pipeline>, SourceError>;
    /// Where a bucket lives (GetBucketLocation); `None` when there is no such bucket.
    async fn bucket_region(&self, bucket: &str) -> Result<Option<String>, SourceError>;
    /// A bucket's replication rules (empty: none configured).
    async fn replication(
        &self,
        region: &str,
        bucket: &str,
    ) -> Result<Vec<ReplicaRule>, SourceError>;
}
