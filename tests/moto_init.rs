//! `switchyard init` against moto: a deployment seeded through the real SDK (failover records
//! with health checks, REST APIs on regional custom domains with Lambda integrations, versioned
//! buckets with a replication rule, a pipeline with a manual approval and a Lambda deploy
//! action), discovered by the CLI; the config it writes must watch the same thing as the
//! hand-written config of the same deployment. `init --check` then catches drift.
//!
//! moto's API Gateway v2 gives custom domains without their target (see the mocked test in
//! tests/aws_mocks/init.rs), so the domains here are v1 (REST).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod moto_support;

use moto_support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The invoke URI of a REST API's Lambda proxy integration (API Gateway Developer Guide,
/// "Set up Lambda proxy integrations").
fn invoke_uri(region: &str, function: &str) -> String {
    format!(
        "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/\
         arn:aws:lambda:{region}:123456789012:function:{function}/invocations"
    )
}

/// The default world plus what discovery follows past the domains: each region's API invokes
/// both functions, the primary's bucket replicates `builds/` to the secondary's, and a pipeline
/// deploys `sample-api` from the primary's bucket.
async fn deploy(moto: &Moto) -> World {
    let world = moto.seed(&Spec::default()).await;
    for r in REGIONS {
        for (i, f) in FUNCTIONS.iter().enumerate() {
            moto.add_lambda_integration_at(r, world.api_id(r), &format!("r{i}"), &invoke_uri(r, f))
                .await;
        }
        moto.create_versioned_bucket(r, &bucket(r)).await;
        moto.put_object(r, &bucket(r), "builds/sample-1234.zip", b"build 1234")
            .await;
    }
    moto.replicate(
        PRIMARY,
        &bucket(PRIMARY),
        "builds/",
        &[&bucket(SECONDARY)],
        &world.role_arn,
    )
    .await;
    moto.create_pipeline(PRIMARY, PIPELINE, &world.role_arn, &bucket(PRIMARY))
        .await;
    world
}

/// `switchyard init ARGS` with moto's endpoint, in the test's clean environment.
fn init(moto: &Moto, args: &[&str]) -> (i32, String, String) {
    let anchor = moto.dir().join("anchor.toml");
    let out = switchyard(&anchor)
        .arg("init")
        .args(args)
        .args(["--endpoint-url", &moto.endpoint()])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(moto: &Moto, config: &Path) -> (i32, Value) {
    let out = switchyard(config)
        .args(["init", "--check", "--json", "--config"])
        .arg(config)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "init --check printed no JSON ({e}): {stdout}\n{}\nmoto: {}",
            String::from_utf8_lossy(&out.stderr),
            moto.log_tail()
        )
    });
    (out.status.code().unwrap(), value)
}

/// `init` writes `discovered.toml`; `pin`: with `--pin-health-checks`.
fn discovered(moto: &Moto, pin: bool) -> PathBuf {
    let path = moto.dir().join("discovered.toml");
    let mut args = vec!["--domain", DOMAIN, "--out", path.to_str().unwrap()];
    if pin {
        args.push("--pin-health-checks");
    }
    let (code, stdout, stderr) = init(moto, &args);
    assert_eq!(
        code,
        0,
        "init failed: {stdout}\n{stderr}\nmoto: {}",
        moto.log_tail()
    );
    path
}

/// (setting, config, account) of each difference of the one service.
fn differences(report: &Value) -> Vec<(String, Value, Value)> {
    report["services"][0]["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["setting"].as_str().unwrap().to_string(),
                d["config"].clone(),
                d["account"].clone(),
            )
        })
        .collect()
}

async fn records(moto: &Moto, world: &World) -> Vec<aws_sdk_route53::types::ResourceRecordSet> {
    moto.route53()
        .list_resource_record_sets()
        .hosted_zone_id(&world.zone_id)
        .send()
        .await
        .unwrap()
        .resource_record_sets()
        .to_vec()
}

#[tokio::test]
async fn init_writes_a_config_that_watches_what_the_hand_written_one_does() {
    let moto = Moto::start();
    let world = deploy(&moto).await;
    let path = discovered(&moto, false);
    let text = std::fs::read_to_string(&path).unwrap();

    // What it found, each with where it came from.
    for expected in [
        format!("hosted_zone_id = \"{}\"", world.zone_id),
        format!("regions = [\"{PRIMARY}\", \"{SECONDARY}\"]"),
        "regional_hostname = \"{region}.{domain}\"".to_string(),
        "functions = [\"sample-api\", \"sample-worker\"]".to_string(),
        // Not pinned: switchyard follows the records (a comment says what they hold today).
        format!(
            "# health_checks = {{ \"{PRIMARY}\" = \"{}\", \"{SECONDARY}\" = \"{}\" }}",
            world.health_check(PRIMARY),
            world.health_check(SECONDARY)
        ),
        format!("name = \"{PIPELINE}\""),
        "approval_action = \"Approve\"".to_string(),
        "bucket = \"sample-artifacts-{region}\"".to_string(),
        // The replication rule's filter prefix (`builds/`) would be the prefix, but moto 5.2.5
        // returns the rule's Filter with an empty Prefix (checked with boto3 too), so it falls
        // back to the pipeline source's key; tests/aws_mocks/init.rs has the rule's prefix.
        "prefix = \"builds/sample-1234.zip\"".to_string(),
        format!("source_region = \"{PRIMARY}\""),
    ] {
        assert!(text.contains(&expected), "{expected} not in:\n{text}");
    }
    assert!(text.contains("# From ListHostedZonesByName"), "{text}");
    assert!(text.contains("its action Deploy/DeployApi"), "{text}");
    assert!(!text.contains("# NOT FOUND:"), "{text}");

    // The same findings and serving region as the hand-written config of this deployment.
    let hand = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec {
            artifacts: true,
            pipeline: true,
        },
    );
    let (by_hand, hand_code) = snapshot(&hand);
    let (by_init, init_code) = snapshot(&path);
    assert_eq!(init_code, hand_code);
    let (h, i) = (service(&by_hand, SERVICE), service(&by_init, SERVICE));
    assert_eq!(i["serving_region"], h["serving_region"]);
    assert_eq!(i["serving_region"], PRIMARY);
    assert_eq!(findings(i), findings(h));
    assert_eq!(source_error_regions(i), source_error_regions(h));
    for r in REGIONS {
        assert_eq!(
            region(i, r)["health"]["health_check_id"],
            region(h, r)["health"]["health_check_id"]
        );
    }

    // A file in the way is not overwritten without --force.
    let (code, _, stderr) = init(
        &moto,
        &["--domain", DOMAIN, "--out", path.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    // And the account matches it, and the hand-written config (functions unqualified, prefix
    // `builds/`, no approval action named): what they mean is compared, not their text.
    for config in [&path, &hand] {
        let (code, report) = check(&moto, config);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(differences(&report), []);
    }
}

#[tokio::test]
async fn init_check_reports_a_function_added_a_region_removed_and_a_health_check_replaced() {
    let moto = Moto::start();
    let world = deploy(&moto).await;
    let path = discovered(&moto, true);

    // A function added behind the API in both regions.
    for r in REGIONS {
        moto.add_lambda_integration_at(r, world.api_id(r), "extra", &invoke_uri(r, "sample-extra"))
            .await;
    }
    let (code, report) = check(&moto, &path);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        differences(&report),
        [(
            "functions".to_string(),
            Value::Null,
            Value::from("sample-extra")
        )]
    );

    // The primary's health check replaced on its failover record.
    let replacement = moto
        .create_health_check(&format!("replacement.{}", regional_name(PRIMARY)))
        .await;
    let alias_zone = records(&moto, &world)
        .await
        .iter()
        .find(|r| r.set_identifier() == Some(PRIMARY))
        .and_then(|r| r.alias_target())
        .map(|a| a.hosted_zone_id().to_string())
        .unwrap();
    moto.upsert_failover(
        &world.zone_id,
        DOMAIN,
        Failover::Primary,
        PRIMARY,
        &replacement,
        Target::Alias {
            dns_name: world.failover_targets[PRIMARY].clone(),
            hosted_zone_id: alias_zone,
        },
    )
    .await;
    let (code, report) = check(&moto, &path);
    assert_eq!(code, 1, "{report:#}");
    assert!(differences(&report).contains(&(
        format!("health_checks.{PRIMARY}"),
        Value::from(world.health_check(PRIMARY)),
        Value::from(replacement.as_str())
    )));

    // The secondary region removed: its failover record deleted.
    let secondary = records(&moto, &world)
        .await
        .iter()
        .find(|r| r.set_identifier() == Some(SECONDARY))
        .unwrap()
        .clone();
    moto.route53()
        .change_resource_record_sets()
        .hosted_zone_id(&world.zone_id)
        .change_batch(
            aws_sdk_route53::types::ChangeBatch::builder()
                .changes(
                    aws_sdk_route53::types::Change::builder()
                        .action(aws_sdk_route53::types::ChangeAction::Delete)
                        .resource_record_set(secondary)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let (code, report) = check(&moto, &path);
    assert_eq!(code, 1, "{report:#}");
    let diffs = differences(&report);
    assert!(
        diffs.contains(&("regions".to_string(), Value::from(SECONDARY), Value::Null)),
        "{report:#}"
    );
    assert!(
        diffs.iter().any(|(s, _, _)| s == "health_checks.us-west-2"),
        "{report:#}"
    );
}

#[tokio::test]
async fn a_domain_without_failover_records_is_not_a_service_and_nothing_is_written() {
    let moto = Moto::start();
    deploy(&moto).await;
    let path = moto.dir().join("nothing.toml");
    let (code, _, stderr) = init(
        &moto,
        &[
            "--domain",
            &regional_name(PRIMARY),
            "--out",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no failover records named"), "{stderr}");
    assert!(!path.exists());
    let (code, _, stderr) = init(&moto, &["--domain", "sample.nowhere.example"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no hosted zone"), "{stderr}");
}

/// An HTTP API service on API Gateway v2 custom domains (`orders.fed.dev`, and
/// `orders-REGION.fed.dev` per region) invoking `orders:live`, next to the seeded REST one.
/// moto's v2 custom domains have no target (no ApiGatewayDomainName), so the records point at
/// made-up targets in each region: discovery finds the domains by the names the zone sends to a
/// region, and their mappings, without the target. (tests/aws_mocks/init.rs has a v2 domain with
/// its target.) No pipeline names `orders`: that is said, not guessed.
#[tokio::test]
async fn an_http_api_on_v2_custom_domains_is_discovered_too() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let domain = "orders.fed.dev";
    for (i, r) in REGIONS.iter().enumerate() {
        moto.create_function(r, "orders", &world.role_arn, lambda_zip("# orders\n"))
            .await;
        moto.publish_alias(r, "orders", "live").await;
        let api = moto
            .create_http_api(
                r,
                "orders-http",
                &format!("arn:aws:lambda:{r}:123456789012:function:orders:live"),
            )
            .await;
        let regional = format!("orders-{r}.fed.dev");
        moto.create_v2_domain(r, domain, &api).await;
        moto.create_v2_domain(r, &regional, &api).await;
        moto.upsert_cname(
            &world.zone_id,
            &regional,
            &format!("d-ordersr{i}.execute-api.{r}.amazonaws.com"),
        )
        .await;
        let check = moto.create_health_check(&regional).await;
        moto.upsert_failover(
            &world.zone_id,
            domain,
            if i == 0 {
                Failover::Primary
            } else {
                Failover::Secondary
            },
            &format!("orders-{r}"),
            &check,
            Target::Cname(format!("d-orders{i}.execute-api.{r}.amazonaws.com")),
        )
        .await;
    }
    let path = moto.dir().join("orders.toml");
    let (code, stdout, stderr) = init(
        &moto,
        &["--domain", domain, "--out", path.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}\nmoto: {}", moto.log_tail());
    let text = std::fs::read_to_string(&path).unwrap();
    for expected in [
        "name = \"orders\"",
        "regions = [\"us-east-1\", \"us-west-2\"]",
        "regional_hostname = \"orders-{region}.fed.dev\"",
        "functions = [\"orders:live\"]",
        "# NOT FOUND: [service.pipeline]: no pipeline in us-east-1, us-west-2",
    ] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
    assert!(!text.contains("\n[service.artifacts]"), "{text}");
    // The same as by hand.
    let hand = moto.dir().join("orders-by-hand.toml");
    std::fs::write(
        &hand,
        format!(
            "[aws]\nendpoint_url = \"{}\"\ncontrol_region = \"{PRIMARY}\"\n\n[[service]]\n\
             name = \"orders\"\ndomain = \"{domain}\"\nhosted_zone_id = \"{}\"\n\
             regions = [\"{PRIMARY}\", \"{SECONDARY}\"]\n\
             regional_hostname = \"orders-{{region}}.fed.dev\"\nfunctions = [\"orders:live\"]\n",
            moto.endpoint(),
            world.zone_id
        ),
    )
    .unwrap();
    let (by_hand, hand_code) = snapshot(&hand);
    let (by_init, init_code) = snapshot(&path);
    assert_eq!(init_code, hand_code);
    let (h, i) = (service(&by_hand, "orders"), service(&by_init, "orders"));
    assert_eq!(i["serving_region"], h["serving_region"]);
    assert_eq!(findings(i), findings(h));
    for r in REGIONS {
        let domains = &region(i, r)["domains"];
        assert_eq!(
            domains,
            &region(h, r)["domains"],
            "the v2 domains and mappings"
        );
        let names: Vec<(&str, &str)> = domains
            .as_array()
            .unwrap_or_else(|| panic!("no domains in {r}: {by_init:#}"))
            .iter()
            .map(|d| (d["name"].as_str().unwrap(), d["api"].as_str().unwrap()))
            .collect();
        let regional = format!("orders-{r}.fed.dev");
        assert_eq!(names, [(domain, "http"), (regional.as_str(), "http")]);
    }
}
