//! Seeding moto through the real SDK clients: the world a test runs against, and a minimal zip
//! writer (one stored file) for Lambda code, so no compression crate is needed.

use super::*;

/// How the failover records of the shared name lead to a region's custom domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// An A alias record to the domain's `d-….execute-api.REGION.amazonaws.com`.
    Alias,
    /// A CNAME to it.
    Cname,
}

/// What to seed: the default is a healthy, consistent deployment in both regions.
#[derive(Debug, Clone)]
pub struct Spec {
    pub failover_records: RecordKind,
    /// A region where the shared custom domain (`sample.fed.dev`) is not created.
    pub shared_domain_missing_in: Option<&'static str>,
    /// A (region, function) that gets different code than everywhere else.
    pub different_code: Option<(&'static str, &'static str)>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            failover_records: RecordKind::Alias,
            shared_domain_missing_in: None,
            different_code: None,
        }
    }
}

/// What was seeded, with moto's generated IDs and names, for exact assertions.
#[derive(Debug, Clone)]
pub struct World {
    /// The bare zone ID (without `/hostedzone/`), as the config wants it.
    pub zone_id: String,
    pub role_arn: String,
    /// Region -> health check ID behind that region's failover record.
    pub health_checks: BTreeMap<String, String>,
    /// Region -> the REST API whose `prod` stage every domain maps to.
    pub api_ids: BTreeMap<String, String>,
    /// (region, domain name) -> the custom domain's regionalDomainName.
    pub domain_targets: BTreeMap<(String, String), String>,
    /// Region -> what the shared name's failover record points at.
    pub failover_targets: BTreeMap<String, String>,
    /// (region, function) -> CodeSha256 as Lambda reported it on create.
    pub code_sha256: BTreeMap<(String, String), String>,
}

impl World {
    pub fn health_check(&self, region: &str) -> &str {
        &self.health_checks[region]
    }

    pub fn api_id(&self, region: &str) -> &str {
        &self.api_ids[region]
    }

    pub fn target(&self, region: &str, name: &str) -> &str {
        self.domain_targets
            .get(&(region.to_string(), name.to_string()))
            .unwrap_or_else(|| panic!("no custom domain {name} seeded in {region}"))
    }

    pub fn code(&self, region: &str, function: &str) -> &str {
        &self.code_sha256[&(region.to_string(), function.to_string())]
    }
}

/// The deployment package of a function: a real (stored, uncompressed) zip with one file. moto
/// 5.2.5 would take any bytes, but a real package keeps the seed valid for a stricter moto.
pub fn lambda_zip(source: &str) -> Vec<u8> {
    zip_one_file("index.py", source.as_bytes())
}

pub fn code_for(region: &str, function: &str, spec: &Spec) -> String {
    if spec
        .different_code
        .is_some_and(|(r, f)| r == region && f == function)
    {
        format!(
            "# {function}, hotfixed in {region} only\ndef handler(event, context):\n    return {{'statusCode': 503}}\n"
        )
    } else {
        format!(
            "# {function}, build 1234\ndef handler(event, context):\n    return {{'statusCode': 200}}\n"
        )
    }
}

impl Moto {
    /// The whole default deployment of `sample` (or the `spec`'s variation of it): the zone with
    /// failover records and regional CNAMEs, health checks, API Gateway REST APIs with the shared
    /// and regional custom domains and their base path mappings, and the Lambda functions.
    pub async fn seed(&self, spec: &Spec) -> World {
        let zone_id = self.create_zone(ZONE).await;
        let role_arn = self.create_role("switchyard-test-role").await;
        let mut world = World {
            zone_id,
            role_arn,
            health_checks: BTreeMap::new(),
            api_ids: BTreeMap::new(),
            domain_targets: BTreeMap::new(),
            failover_targets: BTreeMap::new(),
            code_sha256: BTreeMap::new(),
        };
        for (i, region) in REGIONS.iter().enumerate() {
            let region = *region;
            let api = self.create_rest_api(region, "sample-api").await;
            // The shared name: mapped at the root and at /v1.
            let alias_zone;
            if spec.shared_domain_missing_in == Some(region) {
                // The domain was deleted (or never made) here; the failover record still
                // points at where it used to be.
                world.failover_targets.insert(
                    region.to_string(),
                    format!("d-gone000000.execute-api.{region}.amazonaws.com"),
                );
                alias_zone = "Z2FDTNDATAQYW2".to_string();
            } else {
                let (target, zone) = self.create_regional_domain(region, DOMAIN).await;
                self.create_base_path_mapping(region, DOMAIN, &api, None)
                    .await;
                self.create_base_path_mapping(region, DOMAIN, &api, Some("v1"))
                    .await;
                world
                    .domain_targets
                    .insert((region.to_string(), DOMAIN.to_string()), target.clone());
                world.failover_targets.insert(region.to_string(), target);
                alias_zone = zone;
            }
            // The regional name: mapped at the root only.
            let regional = regional_name(region);
            let (regional_target, _) = self.create_regional_domain(region, &regional).await;
            self.create_base_path_mapping(region, &regional, &api, None)
                .await;
            self.upsert_cname(&world.zone_id, &regional, &regional_target)
                .await;
            world
                .domain_targets
                .insert((region.to_string(), regional.clone()), regional_target);

            let check = self.create_health_check(&regional).await;
            let role = if i == 0 {
                Failover::Primary
            } else {
                Failover::Secondary
            };
            let target = match spec.failover_records {
                RecordKind::Alias => Target::Alias {
                    dns_name: world.failover_targets[region].clone(),
                    hosted_zone_id: alias_zone,
                },
                RecordKind::Cname => Target::Cname(world.failover_targets[region].clone()),
            };
            self.upsert_failover(&world.zone_id, DOMAIN, role, region, &check, target)
                .await;
            world.health_checks.insert(region.to_string(), check);
            world.api_ids.insert(region.to_string(), api);

            for function in FUNCTIONS {
                let zip = lambda_zip(&code_for(region, function, spec));
                let sha = self
                    .create_function(region, function, &world.role_arn, zip)
                    .await;
                world
                    .code_sha256
                    .insert((region.to_string(), function.to_string()), sha);
            }
        }
        world
    }

    // --- Route 53 ---

    /// A public hosted zone; returns its bare ID.
    pub async fn create_zone(&self, name: &str) -> String {
        let out = self
            .route53()
            .create_hosted_zone()
            .name(name)
            .caller_reference(format!("switchyard-test-{name}"))
            .send()
            .await
            .unwrap();
        let id = out.hosted_zone().unwrap().id();
        id.trim_start_matches("/hostedzone/").to_string()
    }

    /// An HTTPS health check of `fqdn` from three checker regions; returns its ID.
    pub async fn create_health_check(&self, fqdn: &str) -> String {
        use aws_sdk_route53::types::{HealthCheckConfig, HealthCheckRegion, HealthCheckType};
        let config = HealthCheckConfig::builder()
            .r#type(HealthCheckType::Https)
            .fully_qualified_domain_name(fqdn)
            .resource_path("/health")
            .port(443)
            .request_interval(30)
            .failure_threshold(3)
            .set_regions(Some(
                CHECKER_REGIONS
                    .iter()
                    .map(|r| HealthCheckRegion::from(*r))
                    .collect(),
            ))
            .build()
            .unwrap();
        let out = self
            .route53()
            .create_health_check()
            .caller_reference(format!("switchyard-test-{fqdn}"))
            .health_check_config(config)
            .send()
            .await
            .unwrap();
        out.health_check().unwrap().id().to_string()
    }

    /// Invert (manual failover) or restore a health check. Always sends the checker regions:
    /// moto 5.2.5 wipes them when an update leaves them out.
    pub async fn set_inverted(&self, id: &str, inverted: bool) {
        use aws_sdk_route53::types::HealthCheckRegion;
        self.route53()
            .update_health_check()
            .health_check_id(id)
            .inverted(inverted)
            .set_regions(Some(
                CHECKER_REGIONS
                    .iter()
                    .map(|r| HealthCheckRegion::from(*r))
                    .collect(),
            ))
            .send()
            .await
            .unwrap();
    }

    /// The stored flags and checker regions of a health check: (inverted, regions).
    pub async fn health_check_config(&self, id: &str) -> (bool, Vec<String>) {
        let config = self.stored_check_config(id).await;
        (
            config.inverted().unwrap_or(false),
            config
                .regions()
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
        )
    }

    /// A health check's (Inverted, Disabled) flags as moto has them.
    pub async fn health_check_flags(&self, id: &str) -> (bool, bool) {
        let config = self.stored_check_config(id).await;
        (
            config.inverted().unwrap_or(false),
            config.disabled().unwrap_or(false),
        )
    }

    async fn stored_check_config(&self, id: &str) -> aws_sdk_route53::types::HealthCheckConfig {
        let out = self
            .route53()
            .get_health_check()
            .health_check_id(id)
            .send()
            .await
            .unwrap();
        out.health_check()
            .unwrap()
            .health_check_config()
            .unwrap()
            .clone()
    }

    /// A failover record of the shared name (UPSERT: moto's DELETE with a SetIdentifier would
    /// delete every record of the zone with that identifier).
    pub async fn upsert_failover(
        &self,
        zone_id: &str,
        name: &str,
        role: Failover,
        set_identifier: &str,
        health_check_id: &str,
        target: Target,
    ) {
        use aws_sdk_route53::types::{
            AliasTarget, ResourceRecord, ResourceRecordSet, ResourceRecordSetFailover, RrType,
        };
        let mut record = ResourceRecordSet::builder()
            .name(name)
            .set_identifier(set_identifier)
            .failover(match role {
                Failover::Primary => ResourceRecordSetFailover::Primary,
                Failover::Secondary => ResourceRecordSetFailover::Secondary,
            })
            .health_check_id(health_check_id);
        record = match target {
            Target::Alias {
                dns_name,
                hosted_zone_id,
            } => record.r#type(RrType::A).alias_target(
                AliasTarget::builder()
                    .dns_name(dns_name)
                    .hosted_zone_id(hosted_zone_id)
                    .evaluate_target_health(false)
                    .build()
                    .unwrap(),
            ),
            Target::Cname(host) => record
                .r#type(RrType::Cname)
                .ttl(60)
                .resource_records(ResourceRecord::builder().value(host).build().unwrap()),
        };
        self.upsert(zone_id, record.build().unwrap()).await;
    }

    /// A plain CNAME (the regional names), created or replaced.
    pub async fn upsert_cname(&self, zone_id: &str, name: &str, target: &str) {
        use aws_sdk_route53::types::{ResourceRecord, ResourceRecordSet, RrType};
        let record = ResourceRecordSet::builder()
            .name(name)
            .r#type(RrType::Cname)
            .ttl(60)
            .resource_records(ResourceRecord::builder().value(target).build().unwrap())
            .build()
            .unwrap();
        self.upsert(zone_id, record).await;
    }

    async fn upsert(&self, zone_id: &str, record: aws_sdk_route53::types::ResourceRecordSet) {
        use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch};
        let batch = ChangeBatch::builder()
            .changes(
                Change::builder()
                    .action(ChangeAction::Upsert)
                    .resource_record_set(record)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        self.route53()
            .change_resource_record_sets()
            .hosted_zone_id(zone_id)
            .change_batch(batch)
            .send()
            .await
            .unwrap();
    }

    // --- API Gateway v1 ---

    /// A REST API with one MOCK method deployed to the `prod` stage (moto refuses a deployment
    /// of an API without methods, and a base path mapping to a stage that does not exist).
    pub async fn create_rest_api(&self, region: &str, name: &str) -> String {
        use aws_sdk_apigateway::types::IntegrationType;
        let client = self.apigateway(region);
        let api = client.create_rest_api().name(name).send().await.unwrap();
        let api_id = api.id().unwrap().to_string();
        let resources = client
            .get_resources()
            .rest_api_id(&api_id)
            .send()
            .await
            .unwrap();
        let root = resources
            .items()
            .iter()
            .find(|r| r.path() == Some("/"))
            .and_then(|r| r.id())
            .unwrap()
            .to_string();
        client
            .put_method()
            .rest_api_id(&api_id)
            .resource_id(&root)
            .http_method("GET")
            .authorization_type("NONE")
            .send()
            .await
            .unwrap();
        client
            .put_integration()
            .rest_api_id(&api_id)
            .resource_id(&root)
            .http_method("GET")
            .r#type(IntegrationType::Mock)
            .send()
            .await
            .unwrap();
        client
            .create_deployment()
            .rest_api_id(&api_id)
            .stage_name(STAGE)
            .send()
            .await
            .unwrap();
        api_id
    }

    /// A REGIONAL custom domain; returns (regionalDomainName, regionalHostedZoneId).
    pub async fn create_regional_domain(&self, region: &str, name: &str) -> (String, String) {
        use aws_sdk_apigateway::types::{EndpointConfiguration, EndpointType};
        let out = self
            .apigateway(region)
            .create_domain_name()
            .domain_name(name)
            .regional_certificate_arn(format!(
                "arn:aws:acm:{region}:123456789012:certificate/switchyard-test"
            ))
            .endpoint_configuration(
                EndpointConfiguration::builder()
                    .types(EndpointType::Regional)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        (
            out.regional_domain_name().unwrap().to_string(),
            out.regional_hosted_zone_id().unwrap().to_string(),
        )
    }

    /// A base path mapping to the API's `prod` stage; `None` maps the root ("(none)").
    pub async fn create_base_path_mapping(
        &self,
        region: &str,
        domain: &str,
        api_id: &str,
        base_path: Option<&str>,
    ) {
        self.apigateway(region)
            .create_base_path_mapping()
            .domain_name(domain)
            .rest_api_id(api_id)
            .stage(STAGE)
            .set_base_path(base_path.map(str::to_string))
            .send()
            .await
            .unwrap();
    }

    // --- IAM and Lambda ---

    /// A role Lambda and CodePipeline can assume (moto checks the role exists); returns its ARN.
    pub async fn create_role(&self, name: &str) -> String {
        // One statement per service: moto's CreatePipeline wants the principal as a plain
        // string "codepipeline.amazonaws.com", not inside a list.
        let policy = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"Service":"codepipeline.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let out = self
            .iam()
            .create_role()
            .role_name(name)
            .assume_role_policy_document(policy)
            .send()
            .await
            .unwrap();
        out.role().unwrap().arn().to_string()
    }

    /// A Python function from a zip; returns the CodeSha256 Lambda computed.
    pub async fn create_function(
        &self,
        region: &str,
        name: &str,
        role_arn: &str,
        zip: Vec<u8>,
    ) -> String {
        use aws_sdk_lambda::primitives::Blob;
        use aws_sdk_lambda::types::{FunctionCode, Runtime};
        let out = self
            .lambda(region)
            .create_function()
            .function_name(name)
            .runtime(Runtime::Python312)
            .role(role_arn)
            .handler("index.handler")
            .memory_size(512)
            .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
            .send()
            .await
            .unwrap();
        out.code_sha256().unwrap().to_string()
    }

    /// Publish `$LATEST` as a version and point alias `alias` at it; returns the version.
    pub async fn publish_alias(&self, region: &str, function: &str, alias: &str) -> String {
        let client = self.lambda(region);
        let version = client
            .publish_version()
            .function_name(function)
            .send()
            .await
            .unwrap()
            .version()
            .unwrap()
            .to_string();
        client
            .create_alias()
            .function_name(function)
            .name(alias)
            .function_version(&version)
            .send()
            .await
            .unwrap();
        version
    }

    /// New code for `$LATEST` (aliases and versions keep theirs); returns its CodeSha256.
    pub async fn update_code(&self, region: &str, function: &str, zip: Vec<u8>) -> String {
        use aws_sdk_lambda::primitives::Blob;
        let out = self
            .lambda(region)
            .update_function_code()
            .function_name(function)
            .zip_file(Blob::new(zip))
            .send()
            .await
            .unwrap();
        out.code_sha256().unwrap().to_string()
    }

    /// A `/orders` resource on the REST API whose ANY method is a Lambda proxy integration with
    /// `uri` (API Gateway Developer Guide, "Lambda proxy integrations").
    pub async fn add_lambda_integration(&self, region: &str, api_id: &str, uri: &str) {
        self.add_lambda_integration_at(region, api_id, "orders", uri)
            .await;
    }

    /// The same on a resource `/path_part`.
    pub async fn add_lambda_integration_at(
        &self,
        region: &str,
        api_id: &str,
        path_part: &str,
        uri: &str,
    ) {
        use aws_sdk_apigateway::types::IntegrationType;
        let client = self.apigateway(region);
        let resources = client
            .get_resources()
            .rest_api_id(api_id)
            .send()
            .await
            .unwrap();
        let root = resources
            .items()
            .iter()
            .find(|r| r.path() == Some("/"))
            .and_then(|r| r.id())
            .unwrap()
            .to_string();
        let orders = client
            .create_resource()
            .rest_api_id(api_id)
            .parent_id(root)
            .path_part(path_part)
            .send()
            .await
            .unwrap();
        let id = orders.id().unwrap().to_string();
        client
            .put_method()
            .rest_api_id(api_id)
            .resource_id(&id)
            .http_method("ANY")
            .authorization_type("NONE")
            .send()
            .await
            .unwrap();
        client
            .put_integration()
            .rest_api_id(api_id)
            .resource_id(&id)
            .http_method("ANY")
            .r#type(IntegrationType::AwsProxy)
            .integration_http_method("POST")
            .uri(uri)
            .send()
            .await
            .unwrap();
    }

    /// An HTTP API whose `$default` stage invokes `integration_uri` (a Lambda proxy integration,
    /// payload 2.0: API Gateway Developer Guide, "HTTP API Lambda integrations"); returns its ID.
    pub async fn create_http_api(&self, region: &str, name: &str, integration_uri: &str) -> String {
        use aws_sdk_apigatewayv2::types::{IntegrationType, ProtocolType};
        let client = self.apigatewayv2(region);
        let api = client
            .create_api()
            .name(name)
            .protocol_type(ProtocolType::Http)
            .send()
            .await
            .unwrap()
            .api_id()
            .unwrap()
            .to_string();
        client
            .create_integration()
            .api_id(&api)
            .integration_type(IntegrationType::AwsProxy)
            .integration_uri(integration_uri)
            .payload_format_version("2.0")
            .send()
            .await
            .unwrap();
        client
            .create_stage()
            .api_id(&api)
            .stage_name("$default")
            .send()
            .await
            .unwrap();
        api
    }

    /// A regional v2 custom domain mapping `api`'s `$default` stage at its root.
    pub async fn create_v2_domain(&self, region: &str, name: &str, api: &str) {
        use aws_sdk_apigatewayv2::types::{DomainNameConfiguration, EndpointType};
        let client = self.apigatewayv2(region);
        client
            .create_domain_name()
            .domain_name(name)
            .domain_name_configurations(
                DomainNameConfiguration::builder()
                    .certificate_arn(format!(
                        "arn:aws:acm:{region}:123456789012:certificate/{name}"
                    ))
                    .endpoint_type(EndpointType::Regional)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        client
            .create_api_mapping()
            .domain_name(name)
            .api_id(api)
            .stage("$default")
            .send()
            .await
            .unwrap();
    }

    // --- S3 ---

    /// A bucket with versioning on, in `region` (outside us-east-1 with its location constraint).
    pub async fn create_versioned_bucket(&self, region: &str, name: &str) {
        use aws_sdk_s3::types::{
            BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
            VersioningConfiguration,
        };
        let client = self.s3(region);
        let config = (region != "us-east-1").then(|| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build()
        });
        client
            .create_bucket()
            .bucket(name)
            .set_create_bucket_configuration(config)
            .send()
            .await
            .unwrap();
        client
            .put_bucket_versioning()
            .bucket(name)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    /// Replicate `prefix` of `source` (in `region`) to each of `destinations` (S3 User Guide,
    /// "Replicating objects": a rule per destination, with a filter prefix).
    pub async fn replicate(
        &self,
        region: &str,
        source: &str,
        prefix: &str,
        destinations: &[&str],
        role_arn: &str,
    ) {
        use aws_sdk_s3::types::{
            DeleteMarkerReplication, DeleteMarkerReplicationStatus, Destination,
            ReplicationConfiguration, ReplicationRule, ReplicationRuleFilter,
            ReplicationRuleStatus,
        };
        let mut config = ReplicationConfiguration::builder().role(role_arn);
        for (i, d) in destinations.iter().enumerate() {
            config = config.rules(
                ReplicationRule::builder()
                    .id(format!("to-{d}"))
                    .priority(i as i32 + 1)
                    .status(ReplicationRuleStatus::Enabled)
                    .filter(ReplicationRuleFilter::builder().prefix(prefix).build())
                    .delete_marker_replication(
                        DeleteMarkerReplication::builder()
                            .status(DeleteMarkerReplicationStatus::Disabled)
                            .build(),
                    )
                    .destination(
                        Destination::builder()
                            .bucket(format!("arn:aws:s3:::{d}"))
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            );
        }
        self.s3(region)
            .put_bucket_replication()
            .bucket(source)
            .replication_configuration(config.build().unwrap())
            .send()
            .await
            .unwrap();
    }

    /// Upload an object; returns its version.
    pub async fn put_object(&self, region: &str, bucket: &str, key: &str, body: &[u8]) -> Uploaded {
        let out = self
            .s3(region)
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(aws_sdk_s3::primitives::ByteStream::from(body.to_vec()))
            .send()
            .await
            .unwrap();
        let version_id = out.version_id().unwrap().to_string();
        let last_modified = self.last_modified(region, bucket, key, &version_id).await;
        Uploaded {
            version_id,
            etag: out.e_tag().unwrap().trim_matches('"').to_string(),
            last_modified,
        }
    }

    /// LastModified of one object version, in whole seconds since the epoch (what S3 lists).
    async fn last_modified(&self, region: &str, bucket: &str, key: &str, version_id: &str) -> i64 {
        let out = self
            .s3(region)
            .list_object_versions()
            .bucket(bucket)
            .prefix(key)
            .send()
            .await
            .unwrap();
        out.versions()
            .iter()
            .find(|v| v.version_id() == Some(version_id))
            .and_then(|v| v.last_modified())
            .unwrap()
            .secs()
    }

    // --- CodePipeline ---

    /// A pipeline Source (S3) -> Approval (manual) -> Deploy, storing artifacts in `bucket`.
    pub async fn create_pipeline(&self, region: &str, name: &str, role_arn: &str, bucket: &str) {
        use aws_sdk_codepipeline::types::{
            ActionCategory, ActionDeclaration, ActionOwner, ActionTypeId, ArtifactStore,
            ArtifactStoreType, InputArtifact, OutputArtifact, PipelineDeclaration,
            StageDeclaration,
        };
        let action = |name: &str, category: ActionCategory, provider: &str| {
            ActionDeclaration::builder().name(name).action_type_id(
                ActionTypeId::builder()
                    .category(category)
                    .owner(ActionOwner::Aws)
                    .provider(provider)
                    .version("1")
                    .build()
                    .unwrap(),
            )
        };
        let source = action("Source", ActionCategory::Source, "S3")
            .configuration("S3Bucket", bucket)
            .configuration("S3ObjectKey", "builds/sample-1234.zip")
            .configuration("PollForSourceChanges", "false")
            .output_artifacts(OutputArtifact::builder().name("build").build().unwrap())
            .build()
            .unwrap();
        let approval = action("Approve", ActionCategory::Approval, "Manual")
            .build()
            .unwrap();
        let deploy = action("Deploy", ActionCategory::Deploy, "S3")
            .configuration("BucketName", bucket)
            .configuration("Extract", "false")
            .configuration("ObjectKey", "deployed/sample.zip")
            .input_artifacts(InputArtifact::builder().name("build").build().unwrap())
            .build()
            .unwrap();
        // The AWS Lambda deploy action names the function it updates (CodePipeline User Guide,
        // "AWS Lambda deploy action reference": configuration FunctionName).
        let deploy_api = action("DeployApi", ActionCategory::Deploy, "Lambda")
            .configuration("FunctionName", "sample-api")
            .input_artifacts(InputArtifact::builder().name("build").build().unwrap())
            .build()
            .unwrap();
        let stage = |name: &str, action: ActionDeclaration| {
            StageDeclaration::builder()
                .name(name)
                .actions(action)
                .build()
                .unwrap()
        };
        let pipeline = PipelineDeclaration::builder()
            .name(name)
            .role_arn(role_arn)
            .artifact_store(
                ArtifactStore::builder()
                    .r#type(ArtifactStoreType::S3)
                    .location(bucket)
                    .build()
                    .unwrap(),
            )
            .stages(stage("Source", source))
            .stages(stage("Approval", approval))
            .stages(
                StageDeclaration::builder()
                    .name("Deploy")
                    .actions(deploy)
                    .actions(deploy_api)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        self.codepipeline(region)
            .create_pipeline()
            .pipeline(pipeline)
            .send()
            .await
            .unwrap();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failover {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Alias {
        dns_name: String,
        hosted_zone_id: String,
    },
    Cname(String),
}

/// One uploaded object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub version_id: String,
    /// Without quotes.
    pub etag: String,
    /// Seconds since the epoch (S3 lists whole seconds).
    pub last_modified: i64,
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A zip archive holding `name` with `data`, stored (method 0), no data descriptor.
pub fn zip_one_file(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = crc32(data);
    let size = u32::try_from(data.len()).unwrap();
    let name_len = u16::try_from(name.len()).unwrap();
    // 1980-01-01 00:00 in DOS time/date.
    let (dos_time, dos_date) = (0u16, 0x0021u16);
    let mut out = Vec::new();
    // Local file header.
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // version needed
    out.extend_from_slice(&0u16.to_le_bytes()); // flags
    out.extend_from_slice(&0u16.to_le_bytes()); // method: stored
    out.extend_from_slice(&dos_time.to_le_bytes());
    out.extend_from_slice(&dos_date.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes()); // compressed
    out.extend_from_slice(&size.to_le_bytes()); // uncompressed
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // extra length
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let central_offset = u32::try_from(out.len()).unwrap();
    // Central directory header.
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&0x031Eu16.to_le_bytes()); // version made by: Unix, 3.0
    out.extend_from_slice(&20u16.to_le_bytes()); // version needed
    out.extend_from_slice(&0u16.to_le_bytes()); // flags
    out.extend_from_slice(&0u16.to_le_bytes()); // method
    out.extend_from_slice(&dos_time.to_le_bytes());
    out.extend_from_slice(&dos_date.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // extra
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out.extend_from_slice(&0u16.to_le_bytes()); // disk number
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    out.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes()); // external: -rw-r--r--
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name.as_bytes());
    let central_size = u32::try_from(out.len()).unwrap() - central_offset;
    // End of central directory.
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // this disk
    out.extend_from_slice(&0u16.to_le_bytes()); // central directory disk
    out.extend_from_slice(&1u16.to_le_bytes()); // entries on this disk
    out.extend_from_slice(&1u16.to_le_bytes()); // entries
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}
