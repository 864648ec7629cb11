//! The AWS backend end to end against moto: seeded through the real SDK clients, read back
//! through the real `switchyard snapshot --json` (the `switchyard.snapshot/1` contract).
//!
//! One moto server per test (about a second to start), so tests share no state and run in
//! parallel. What moto 5.2.5 cannot do is said in each test; two limits apply to all of them:
//! - The Rust CloudWatch SDK speaks Smithy RPC v2 CBOR, which moto does not: every GetMetricData
//!   fails. So the `route53` source (health history) and every `lambda` source (metrics) report
//!   a partial error naming CloudWatch, the metrics are null, and `snapshot` exits 1 in every
//!   test here. Metric values are covered with aws-smithy-mocks instead.
//! - GetHealthCheckStatus always answers one "Success" observation: every check is healthy with
//!   100 % of checkers, and only Inverted/Disabled (which moto stores) can move traffic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod moto_support;

use moto_support::*;
use serde_json::{Value, json};

/// The sources that fail in every moto run because CloudWatch cannot be reached (see above).
fn cloudwatch_failures() -> Vec<(String, String)> {
    vec![
        ("lambda".to_string(), PRIMARY.to_string()),
        ("lambda".to_string(), SECONDARY.to_string()),
        ("route53".to_string(), PRIMARY.to_string()),
    ]
}

/// The CloudWatch partial errors are what they claim to be, and nothing else failed.
fn assert_only_cloudwatch_failed(snap: &Value) {
    assert_eq!(
        failed_sources(snap),
        cloudwatch_failures(),
        "{:#}",
        snap["sources"]
    );
    assert_cloudwatch_errors(snap);
}

fn assert_cloudwatch_errors(snap: &Value) {
    let health = source(snap, "route53", PRIMARY);
    let text = health["error"].as_str().unwrap();
    assert!(
        text.starts_with("health history unavailable: CloudWatch GetMetricData in us-east-1"),
        "{text}"
    );
    // A partial failure: the rest of the fetch arrived, so the source has a fetch time.
    assert!(health["fetched_at"].is_string(), "{health}");
    for r in REGIONS {
        let lambda = source(snap, "lambda", r);
        let text = lambda["error"].as_str().unwrap();
        assert!(
            text.starts_with(&format!(
                "Lambda metrics unavailable: CloudWatch GetMetricData in {r}"
            )),
            "{text}"
        );
        assert!(lambda["fetched_at"].is_string(), "{lambda}");
    }
    // Each failing source is also a source_error finding of the service it covers.
    let mut expected = vec![
        PRIMARY.to_string(),
        PRIMARY.to_string(),
        SECONDARY.to_string(),
    ];
    for s in snap["sources"].as_array().unwrap() {
        if s["source"] == "codepipeline" && !s["error"].is_null() {
            expected.push(s["region"].as_str().unwrap().to_string());
        }
    }
    expected.sort();
    assert_eq!(source_error_regions(service(snap, SERVICE)), expected);
}

fn healthy(id: &str) -> Value {
    json!({
        "health_check_id": id,
        "status": "healthy",
        "effective_status": "healthy",
        "inverted": false,
        "disabled": false,
        "checkers_healthy_pct": 100.0,
        "check_type": "HTTPS",
        "status_source": "get_health_check_status",
        "status_note": null,
    })
}

/// A region's `health` without `status_at` (the time of moto's observation), which must be set:
/// moto always answers GetHealthCheckStatus with one "Success" observation.
fn health(region: &Value) -> Value {
    let mut health = region["health"].clone();
    let at = health
        .as_object_mut()
        .and_then(|h| h.remove("status_at"))
        .unwrap_or(Value::Null);
    assert!(at.is_string(), "status_at: {at}");
    health
}

fn domain(
    name: &str,
    regional_target: &str,
    dns_target: &str,
    drift: bool,
    api_id: &str,
    paths: &[&str],
) -> Value {
    json!({
        "name": name,
        "api": "rest",
        "regional_target": regional_target,
        "dns_target": dns_target,
        "drift": drift,
        "mappings": paths
            .iter()
            .map(|p| json!({ "path": p, "api_id": api_id, "stage": STAGE }))
            .collect::<Vec<_>>(),
    })
}

/// (a) Health checks are found from the failover records when the config names none.
/// moto is enough: it stores failover records (SetIdentifier, Failover, HealthCheckId, CNAME
/// values) and health check configs faithfully. Its checker verdict is fixed at "Success".
#[tokio::test]
async fn health_checks_are_found_from_the_failover_records() {
    let moto = Moto::start();
    let world = moto
        .seed(&Spec {
            failover_records: RecordKind::Cname,
            ..Spec::default()
        })
        .await;
    assert_ne!(world.health_check(PRIMARY), world.health_check(SECONDARY));
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    assert!(
        !std::fs::read_to_string(&config)
            .unwrap()
            .contains("health_checks")
    );

    let (snap, code) = snapshot(&config);
    assert_eq!(
        code, 1,
        "CloudWatch fails against moto, so snapshot reports a failed source"
    );
    assert_eq!(snap["schema"], "switchyard.snapshot/1");
    assert_only_cloudwatch_failed(&snap);
    let sample = service(&snap, SERVICE);
    assert_eq!(sample["domain"], DOMAIN);
    assert_eq!(sample["primary_region"], PRIMARY);
    assert_eq!(sample["serving_region"], PRIMARY);
    // No artifacts configured: readiness cannot be told.
    assert_eq!(sample["ready_to_approve"], Value::Null);
    assert_eq!(sample["pipeline"], Value::Null);
    for (r, role) in [(PRIMARY, "primary"), (SECONDARY, "secondary")] {
        let region = region(sample, r);
        assert_eq!(region["role"], role);
        assert_eq!(health(region), healthy(world.health_check(r)), "{r}");
        assert_eq!(region["artifacts"], Value::Null);
        // The CNAME failover record's value is what the shared name resolves to.
        let shared = &region["domains"][0];
        assert_eq!(shared["name"], DOMAIN);
        assert_eq!(shared["dns_target"], world.target(r, DOMAIN));
        assert_eq!(shared["drift"], false);
    }
    assert_eq!(findings(sample), vec![]);
}

/// (b) Manual failover by inverting the primary's health check, and back.
/// moto is enough for the flag: update_health_check stores Inverted (the helper always sends
/// Regions, which moto would otherwise wipe). It cannot make a check fail by itself, so the only
/// way to move traffic here is the flag.
#[tokio::test]
async fn inverting_the_primary_health_check_moves_the_shared_name() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    let primary_check = world.health_check(PRIMARY).to_string();

    let (before, code) = snapshot(&config);
    assert_eq!(code, 1);
    assert_only_cloudwatch_failed(&before);
    let sample = service(&before, SERVICE);
    assert_eq!(sample["serving_region"], PRIMARY);
    assert_eq!(health(region(sample, PRIMARY)), healthy(&primary_check));
    assert_eq!(findings(sample), vec![]);

    moto.set_inverted(&primary_check, true).await;
    let (inverted, checkers) = moto.health_check_config(&primary_check).await;
    assert!(inverted);
    assert_eq!(checkers, CHECKER_REGIONS, "moto kept the checker regions");

    let (after, code) = snapshot(&config);
    assert_eq!(code, 1);
    assert_only_cloudwatch_failed(&after);
    let sample = service(&after, SERVICE);
    assert_eq!(sample["serving_region"], SECONDARY);
    assert_eq!(
        health(region(sample, PRIMARY)),
        json!({
            "health_check_id": primary_check,
            "status": "healthy",
            "effective_status": "unhealthy",
            "inverted": true,
            "disabled": false,
            "checkers_healthy_pct": 100.0,
            "check_type": "HTTPS",
            "status_source": "get_health_check_status",
            "status_note": null,
        })
    );
    assert_eq!(
        health(region(sample, SECONDARY)),
        healthy(world.health_check(SECONDARY))
    );
    assert_eq!(
        findings(sample),
        vec![(
            "warning".to_string(),
            "health_inverted".to_string(),
            Some(PRIMARY.to_string()),
            format!(
                "health check {primary_check} is inverted: Route 53 treats us-east-1 as unhealthy (manual failover in effect)"
            ),
        )]
    );

    // Restoring the flag gives the primary back.
    moto.set_inverted(&primary_check, false).await;
    let (restored, _) = snapshot(&config);
    assert_eq!(service(&restored, SERVICE)["serving_region"], PRIMARY);
}

/// (c) REST (v1) custom domains with base path mappings at the root ("(none)" in API Gateway,
/// "" in the snapshot) and at "v1", for the shared and the regional name in both regions.
/// moto is enough for v1: REGIONAL domains get a regionalDomainName d-….execute-api.REGION…,
/// mappings round-trip. (moto's GetBasePathMappings answers 500 for a domain without any
/// mapping, so every seeded domain has one; v2 domains lack their target in moto.)
#[tokio::test]
async fn rest_custom_domains_and_their_base_path_mappings() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );

    let (snap, code) = snapshot(&config);
    assert_eq!(code, 1);
    assert_only_cloudwatch_failed(&snap);
    for r in REGIONS {
        let apigateway = source(&snap, "apigateway", r);
        assert!(apigateway["error"].is_null(), "{apigateway}");
        assert!(apigateway["fetched_at"].is_string(), "{apigateway}");
    }
    let sample = service(&snap, SERVICE);
    for r in REGIONS {
        let shared = world.target(r, DOMAIN);
        let regional_name = regional_name(r);
        let regional = world.target(r, &regional_name);
        assert!(
            shared.starts_with("d-")
                && shared.ends_with(&format!(".execute-api.{r}.amazonaws.com")),
            "{shared}"
        );
        assert_ne!(shared, regional);
        assert_eq!(
            region(sample, r)["domains"],
            json!([
                // The shared name: its failover record is an alias to the domain's target.
                domain(DOMAIN, shared, shared, false, world.api_id(r), &["", "v1"]),
                // The regional name: a CNAME to its own domain's target.
                domain(
                    &regional_name,
                    regional,
                    regional,
                    false,
                    world.api_id(r),
                    &[""]
                ),
            ]),
            "{r}"
        );
    }
    assert_eq!(findings(sample), vec![]);
}

/// (d) DNS drift: the regional record still points at an old d-… target after the custom domain
/// was recreated. moto is enough: records and regionalDomainName are plain data.
#[tokio::test]
async fn a_record_pointing_at_an_old_target_is_dns_drift() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let stale = "d-stale00000.execute-api.us-west-2.amazonaws.com";
    let name = regional_name(SECONDARY);
    moto.upsert_cname(&world.zone_id, &name, stale).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );

    let (snap, code) = snapshot(&config);
    assert_eq!(code, 1);
    assert_only_cloudwatch_failed(&snap);
    let sample = service(&snap, SERVICE);
    let current = world.target(SECONDARY, &name);
    assert_eq!(
        region(sample, SECONDARY)["domains"][1],
        domain(&name, current, stale, true, world.api_id(SECONDARY), &[""])
    );
    // The shared name and the other region are untouched.
    assert_eq!(region(sample, SECONDARY)["domains"][0]["drift"], false);
    for d in region(sample, PRIMARY)["domains"].as_array().unwrap() {
        assert_eq!(d["drift"], false, "{d}");
    }
    assert_eq!(
        findings(sample),
        vec![(
            "critical".to_string(),
            "dns_drift".to_string(),
            Some(SECONDARY.to_string()),
            format!(
                "Route 53 record for {name} in us-west-2 points at {stale}, but the custom domain's target is {current}"
            ),
        )]
    );
}

/// (e) The shared custom domain does not exist in us-west-2 (its failover record still points
/// at the old target): traffic failed over there would fail. moto is enough: a domain that was
/// never created is simply absent from GetDomainNames.
#[tokio::test]
async fn a_region_without_the_shared_custom_domain() {
    let moto = Moto::start();
    let world = moto
        .seed(&Spec {
            shared_domain_missing_in: Some(SECONDARY),
            ..Spec::default()
        })
        .await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );

    let (snap, code) = snapshot(&config);
    assert_eq!(code, 1);
    // Not a source failure: the domain's absence is data.
    assert_only_cloudwatch_failed(&snap);
    let sample = service(&snap, SERVICE);
    let name = regional_name(SECONDARY);
    assert_eq!(
        region(sample, SECONDARY)["domains"],
        json!([domain(
            &name,
            world.target(SECONDARY, &name),
            world.target(SECONDARY, &name),
            false,
            world.api_id(SECONDARY),
            &[""]
        )])
    );
    assert_eq!(
        region(sample, PRIMARY)["domains"].as_array().unwrap().len(),
        2
    );
    // The health check is still found from the record, which exists.
    assert_eq!(
        health(region(sample, SECONDARY)),
        healthy(world.health_check(SECONDARY))
    );
    assert_eq!(
        findings(sample),
        vec![(
            "critical".to_string(),
            "domain_missing".to_string(),
            Some(SECONDARY.to_string()),
            "sample.fed.dev has no API Gateway custom domain in us-west-2: traffic sent there fails"
                .to_string(),
        )]
    );
}

/// (f) A function runs different code in us-west-2. moto is enough for CodeSha256 (it hashes the
/// uploaded zip like Lambda), not for metrics: no CloudWatch call works, so every metric is null
/// (never a made-up 0) while the code comparison still comes through.
#[tokio::test]
async fn different_code_in_a_region_is_a_mismatch_even_without_metrics() {
    let moto = Moto::start();
    let world = moto
        .seed(&Spec {
            different_code: Some((SECONDARY, "sample-api")),
            ..Spec::default()
        })
        .await;
    assert_ne!(
        world.code(PRIMARY, "sample-api"),
        world.code(SECONDARY, "sample-api")
    );
    assert_eq!(
        world.code(PRIMARY, "sample-worker"),
        world.code(SECONDARY, "sample-worker")
    );
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );

    let (snap, code) = snapshot(&config);
    assert_eq!(code, 1);
    assert_only_cloudwatch_failed(&snap);
    let sample = service(&snap, SERVICE);
    let function = |r: &str, name: &str, matches: bool| {
        json!({
            "name": name,
            "window_s": 300,
            "invocations": null,
            "errors": null,
            "error_rate_pct": null,
            "throttles": null,
            "p99_ms": null,
            "code_sha256": world.code(r, name),
            "code_matches_primary": matches,
            "cost_per_hour_usd": null,
            "window_end": null,
            "architecture": "x86_64",
            // The seeded API's only integration is a MOCK: nothing names an alias.
            "qualifier": null,
            "qualifier_source": "unqualified",
            "cost_basis": "list_price",
        })
    };
    assert_eq!(
        region(sample, PRIMARY)["functions"],
        json!([
            function(PRIMARY, "sample-api", true),
            function(PRIMARY, "sample-worker", true)
        ])
    );
    assert_eq!(
        region(sample, SECONDARY)["functions"],
        json!([
            function(SECONDARY, "sample-api", false),
            function(SECONDARY, "sample-worker", true)
        ])
    );
    let west = world.code(SECONDARY, "sample-api");
    let east = world.code(PRIMARY, "sample-api");
    assert_eq!(
        findings(sample),
        vec![(
            "warning".to_string(),
            "code_mismatch".to_string(),
            Some(SECONDARY.to_string()),
            format!(
                "sample-api in us-west-2 runs different code than in us-east-1 (CodeSha256 {} vs {})",
                &west[..8],
                &east[..8]
            ),
        )]
    );
}

/// API Gateway invokes alias `live` (its REST integration URI ends in `:live/invocations`, API
/// Gateway Developer Guide, "Lambda proxy integrations"), which points at the build published in
/// both regions; `$LATEST` of the primary has newer code, not yet published. The code compared
/// is the alias's (GetFunctionConfiguration with `Qualifier`, Lambda API reference), so the
/// regions run the same code and there is no mismatch; `$LATEST` would have reported one.
/// moto stores versions, aliases and REST integrations faithfully.
#[tokio::test]
async fn the_code_compared_is_that_of_the_alias_api_gateway_invokes() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    for r in REGIONS {
        moto.publish_alias(r, "sample-api", "live").await;
        let uri = format!(
            "arn:aws:apigateway:{r}:lambda:path/2015-03-31/functions/arn:aws:lambda:{r}:123456789012:function:sample-api:live/invocations"
        );
        moto.add_lambda_integration(r, world.api_id(r), &uri).await;
    }
    let newer = moto
        .update_code(
            PRIMARY,
            "sample-api",
            lambda_zip("# sample-api, build 1235 (not published)\n"),
        )
        .await;
    let published = world.code(PRIMARY, "sample-api").to_string();
    assert_ne!(newer, published);
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );

    let (snap, _) = snapshot(&config);
    assert_only_cloudwatch_failed(&snap);
    let sample = service(&snap, SERVICE);
    for r in REGIONS {
        let api = &region(sample, r)["functions"][0];
        assert_eq!(api["name"], "sample-api");
        assert_eq!(
            api["code_sha256"],
            published.as_str(),
            "{r}: the alias's code"
        );
        assert_eq!(api["qualifier"], "live", "{r}");
        assert_eq!(api["qualifier_source"], "integration", "{r}");
        assert_eq!(api["code_matches_primary"], true, "{r}");
        let worker = &region(sample, r)["functions"][1];
        assert_eq!(worker["qualifier"], Value::Null, "{r}");
        assert_eq!(worker["qualifier_source"], "unqualified", "{r}");
    }
    assert!(
        findings(sample).iter().all(|f| f.1 != "code_mismatch"),
        "{:?}",
        findings(sample)
    );
}

/// (g) Artifact versions: the newest build in the source bucket, present in the destination
/// (same key and content) or not. moto keeps versioned buckets in both regions but replicates
/// nothing, and HeadObject has no ReplicationStatus; a copy uploaded to the destination gets its
/// own version ID, so switchyard matches it by key and ETag (content), as for a copy made by
/// hand. Replication status (pending/failed) needs aws-smithy-mocks.
#[tokio::test]
async fn the_newest_build_is_completed_where_it_was_copied_and_missing_elsewhere() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    for r in REGIONS {
        moto.create_versioned_bucket(r, &bucket(r)).await;
    }
    let older_key = "builds/sample-1233.zip";
    let newer_key = "builds/sample-1234.zip";
    let older_east = moto
        .put_object(PRIMARY, &bucket(PRIMARY), older_key, b"build 1233")
        .await;
    let older_west = moto
        .put_object(SECONDARY, &bucket(SECONDARY), older_key, b"build 1233")
        .await;
    assert_ne!(
        older_east.version_id, older_west.version_id,
        "moto gives the copy its own version"
    );
    assert_eq!(older_east.etag, older_west.etag);
    // S3 lists whole seconds: make "newest" unambiguous.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let newer_east = moto
        .put_object(PRIMARY, &bucket(PRIMARY), newer_key, b"build 1234")
        .await;
    assert!(newer_east.last_modified > older_east.last_modified);
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec {
            artifacts: true,
            pipeline: false,
        },
    );
    // A copy's lag is never its LastModified minus the source's (S3 keeps the source's on a
    // replica: S3 User Guide, "What does Amazon S3 replicate?"). Without a ReplicationLatency
    // metric (moto has no CloudWatch for the Rust SDK) and with each `snapshot` listing the
    // bucket once, the console never saw a copy arrive: its lag is unknown (null), not 0 s.
    let unknown = || json!({ "lag_s": null, "lag_source": null, "lag_resolution_s": null });
    let artifact = |key: &str, version_id: &str, status: &str| {
        let mut a = json!({ "key": key, "version_id": version_id, "status": status });
        a.as_object_mut()
            .unwrap()
            .extend(unknown().as_object().unwrap().clone());
        a
    };

    // 1234 is only in us-east-1.
    let (snap, code) = snapshot(&config);
    assert_eq!(code, 1);
    assert_only_cloudwatch_failed(&snap);
    for r in REGIONS {
        assert!(source(&snap, "s3", r)["error"].is_null());
    }
    let sample = service(&snap, SERVICE);
    assert_eq!(sample["ready_to_approve"], false);
    assert_eq!(
        region(sample, PRIMARY)["artifacts"],
        json!([
            artifact(newer_key, &newer_east.version_id, "completed"),
            artifact(older_key, &older_east.version_id, "completed"),
        ])
    );
    assert_eq!(
        region(sample, SECONDARY)["artifacts"],
        json!([
            artifact(newer_key, &newer_east.version_id, "missing"),
            artifact(older_key, &older_east.version_id, "completed"),
        ])
    );
    assert_eq!(
        findings(sample),
        vec![(
            "warning".to_string(),
            "artifact_missing".to_string(),
            Some(SECONDARY.to_string()),
            format!(
                "{newer_key} ({}) is missing in us-west-2",
                &newer_east.version_id[..8]
            ),
        )]
    );

    // Copy 1234 by hand: now it is everywhere and the build may be approved.
    moto.put_object(SECONDARY, &bucket(SECONDARY), newer_key, b"build 1234")
        .await;
    let (snap, code) = snapshot(&config);
    assert_eq!(code, 1);
    assert_only_cloudwatch_failed(&snap);
    let sample = service(&snap, SERVICE);
    assert_eq!(sample["ready_to_approve"], true);
    assert_eq!(
        region(sample, SECONDARY)["artifacts"][0],
        artifact(newer_key, &newer_east.version_id, "completed")
    );
    assert_eq!(findings(sample), vec![]);
}

/// (h) A source moto does not implement: CodePipeline GetPipelineState (moto answers with an
/// HTML error page although the pipeline exists). That source fails alone: the pipeline's
/// pending approval is unknown (null), every other section is complete, and the exit code is 1.
/// Pipeline states and approvals need aws-smithy-mocks.
#[tokio::test]
async fn an_unimplemented_api_fails_only_its_own_source() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    for r in REGIONS {
        moto.create_versioned_bucket(r, &bucket(r)).await;
    }
    let key = "builds/sample-1234.zip";
    let east = moto
        .put_object(PRIMARY, &bucket(PRIMARY), key, b"build 1234")
        .await;
    moto.put_object(SECONDARY, &bucket(SECONDARY), key, b"build 1234")
        .await;
    moto.create_pipeline(PRIMARY, PIPELINE, &world.role_arn, &bucket(PRIMARY))
        .await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec {
            artifacts: true,
            pipeline: true,
        },
    );

    let (snap, code) = snapshot(&config);
    assert_eq!(code, 1);
    let mut expected = cloudwatch_failures();
    expected.push(("codepipeline".to_string(), PRIMARY.to_string()));
    expected.sort();
    assert_eq!(failed_sources(&snap), expected, "{:#}", snap["sources"]);
    assert_cloudwatch_errors(&snap);
    let pipeline = source(&snap, "codepipeline", PRIMARY);
    let error = pipeline["error"].as_str().unwrap();
    assert!(
        error.starts_with("CodePipeline GetPipelineState in us-east-1: "),
        "{error}"
    );
    assert!(pipeline["fetched_at"].is_null(), "{pipeline}");
    for r in REGIONS {
        for kind in ["apigateway", "s3"] {
            let s = source(&snap, kind, r);
            assert!(s["error"].is_null() && s["fetched_at"].is_string(), "{s}");
        }
    }

    let sample = service(&snap, SERVICE);
    assert_eq!(
        sample["pipeline"],
        json!({
            "name": PIPELINE,
            "pending_approval": null,
            "last_answer": null,
            "approvals_known": false,
        })
    );
    // Everything else arrived.
    assert_eq!(sample["serving_region"], PRIMARY);
    // No pending approval known: the newest build decides, and it is in both regions.
    assert_eq!(sample["ready_to_approve"], true);
    for r in REGIONS {
        let region = region(sample, r);
        assert_eq!(health(region), healthy(world.health_check(r)), "{r}");
        assert_eq!(region["domains"].as_array().unwrap().len(), 2, "{r}");
        for (i, f) in FUNCTIONS.iter().enumerate() {
            assert_eq!(region["functions"][i]["name"], *f);
            assert_eq!(region["functions"][i]["code_sha256"], world.code(r, f));
            assert_eq!(region["functions"][i]["code_matches_primary"], true);
        }
        assert_eq!(region["artifacts"][0]["key"], key);
        assert_eq!(region["artifacts"][0]["version_id"], east.version_id);
        assert_eq!(region["artifacts"][0]["status"], "completed");
    }
    assert_eq!(findings(sample), vec![]);
}

/// The `team` source against S3 (moto): with `[team]`, the snapshot lists the lease another
/// operator holds (its body, its age by S3's clock from the object's LastModified and the
/// response's Date: S3 User Guide, "Conditional writes", and Amazon S3 API reference,
/// GetObject's Last-Modified and the Date response header) and the team's recent audit records
/// (ListObjectsV2 under `PREFIX/audit/YYYY/MM/DD/`), and a `team` source in `global`.
#[tokio::test]
async fn the_team_source_reads_the_leases_and_recent_records_from_the_bucket() {
    use switchyard::model::{AuditRecord, LEASE_SCHEMA, Lease, Phase};
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[team]\nbucket = \"ops-team\"\n");
    std::fs::write(&config, text).unwrap();
    let s3 = moto.s3(PRIMARY);
    s3.create_bucket().bucket("ops-team").send().await.unwrap();
    let now = chrono::Utc::now();
    let id = format!("{}-777-1", now.format("%Y%m%dT%H%M%S%.3fZ"));
    let lease = Lease {
        schema: LEASE_SCHEMA.into(),
        holder: format!("alice-laptop/777/{id}"),
        actor: Some("arn:aws:sts::123456789012:assumed-role/oncall/alice".into()),
        host: "alice-laptop".into(),
        action: "failover".into(),
        service: SERVICE.into(),
        target: SECONDARY.into(),
        plan_digest: "ab".into(),
        audit_id: id.clone(),
        since: now,
        lease_seconds: 120,
        renewals: 0,
    };
    let intent = AuditRecord {
        ts: now,
        id: id.clone(),
        phase: Phase::Intent,
        action: "failover".into(),
        service: SERVICE.into(),
        target: SECONDARY.into(),
        request: json!([]),
        actor: lease.actor.clone(),
        outcome: None,
        error: None,
        forced_reason: None,
        drill: false,
        team_lock: Some(format!("held: switchyard/locks/{SERVICE}.json")),
    };
    for (key, body) in [
        (
            format!("switchyard/locks/{SERVICE}.json"),
            serde_json::to_vec(&lease).unwrap(),
        ),
        (
            format!(
                "switchyard/audit/{}/{id}-intent.json",
                now.format("%Y/%m/%d")
            ),
            serde_json::to_vec(&intent).unwrap(),
        ),
    ] {
        s3.put_object()
            .bucket("ops-team")
            .key(key)
            .body(body.into())
            .send()
            .await
            .unwrap();
    }

    let (snap, _) = snapshot(&config);
    let team = &snap["team"];
    assert_eq!(team["error"], Value::Null, "{team}");
    let leases = team["leases"].as_array().unwrap();
    assert_eq!(leases.len(), 1, "{team}");
    assert_eq!(leases[0]["service"], SERVICE);
    assert_eq!(leases[0]["host"], "alice-laptop");
    assert_eq!(leases[0]["audit_id"], id.as_str());
    assert_eq!(leases[0]["expired"], false);
    let age = leases[0]["age_s"].as_i64().unwrap();
    assert!((0..60).contains(&age), "age by S3's clock: {age}");
    let recent = team["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 1, "{team}");
    assert_eq!(recent[0]["id"], id.as_str());
    assert_eq!(recent[0]["phase"], "intent");
    let source = source(&snap, "team", "global");
    assert_eq!(source["error"], Value::Null, "{source}");
    assert!(source["calls"].as_u64().unwrap() >= 4, "{source}");
}
