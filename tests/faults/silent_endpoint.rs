//! (a) A silent Lambda endpoint: its sources time out, every other source is complete.

use super::*;

/// Lambda in every region accepts connections and never answers (`AWS_ENDPOINT_URL_LAMBDA`
/// points at a [`SilentListener`]); everything else is moto (`AWS_ENDPOINT_URL`). The config has
/// no `endpoint_url`: the endpoints come from the environment only, as aws-config reads them.
/// moto cannot answer the Rust SDK's CloudWatch client (docs/ARCHITECTURE.md, "Testing"), so the
/// health source's history is a partial error naming CloudWatch, which is asserted as such.
///
/// What is asserted: `snapshot` completes (within a generous 90 s; the SDK's operation timeout
/// is 15 s and a source's budget 20 s) with exit 1; both `lambda` sources report a timeout that
/// names Lambda, the API and the region, and have no code hashes (unknown, not made up); every
/// other source has no error and its data is complete: health of both regions, both custom
/// domains per region with their mappings, the artifacts in both buckets (S3 works with its
/// endpoint from `AWS_ENDPOINT_URL`, which aws-config puts in `SdkConfig::endpoint_url`, so
/// switchyard forces path-style addressing; with an IP-address host S3's endpoint rules would
/// pick path style anyway, so this cannot catch a host name that needs it).
#[tokio::test]
async fn a_silent_lambda_endpoint_times_out_alone_and_everything_else_arrives() {
    let SilentRun {
        moto: _moto,
        world,
        east,
        snap,
        exit,
        stderr,
        accepted,
        ..
    } = snapshot_with_silent("AWS_ENDPOINT_URL_LAMBDA", Duration::from_secs(90)).await;
    assert_eq!(exit, Some(1), "{stderr}");
    assert!(
        accepted >= 1,
        "the Lambda clients never connected to AWS_ENDPOINT_URL_LAMBDA"
    );

    // Only the Lambda sources failed, each with a timeout naming Lambda, the API and its region.
    assert_eq!(
        failed_sources(&snap),
        vec![
            ("lambda".to_string(), PRIMARY.to_string()),
            ("lambda".to_string(), SECONDARY.to_string()),
            ("route53".to_string(), PRIMARY.to_string()),
        ],
        "{:#}",
        snap["sources"]
    );
    for r in REGIONS {
        let lambda = source(&snap, "lambda", r);
        let error = lambda["error"].as_str().unwrap();
        // The SDK's operation timeout (15 s) ends the calls before the source's budget (20 s);
        // should that change, the poller's own timeout names the source instead.
        let sdk_timeout = error.contains(&format!("Lambda GetFunctionConfiguration in {r}"))
            && error.contains("timed out");
        let budget_timeout = error.starts_with(&format!("lambda@{r}: no answer within"));
        assert!(
            sdk_timeout || budget_timeout,
            "a timeout naming Lambda and {r}: {error}"
        );
    }
    // The health source arrived whole but for its history (CloudWatch, through moto).
    let health = source(&snap, "route53", PRIMARY);
    let error = health["error"].as_str().unwrap();
    assert!(
        error.starts_with("health history unavailable: CloudWatch GetMetricData in us-east-1"),
        "{error}"
    );
    for s in snap["sources"].as_array().unwrap() {
        if s["source"] != "lambda" {
            assert!(s["fetched_at"].is_string(), "{s}");
        }
        if s["source"] != "lambda" && s["source"] != "route53" {
            assert!(s["error"].is_null(), "{s}");
        }
    }

    let sample = service(&snap, SERVICE);
    assert_eq!(sample["serving_region"], PRIMARY);
    // The build is in both buckets: readiness is told without Lambda.
    assert_eq!(sample["ready_to_approve"], true);
    for r in REGIONS {
        let region = region(sample, r);
        let mut health = region["health"].clone();
        // When moto's (always "Success") observation was made.
        let at = health.as_object_mut().unwrap().remove("status_at").unwrap();
        assert!(at.is_string(), "{r}: {at}");
        assert_eq!(
            health,
            json!({
                "health_check_id": world.health_check(r),
                "status": "healthy",
                "effective_status": "healthy",
                "inverted": false,
                "disabled": false,
                "checkers_healthy_pct": 100.0,
                "check_type": "HTTPS",
                "status_source": "get_health_check_status",
                "status_note": null,
            }),
            "{r}"
        );
        let regional = regional_name(r);
        assert_eq!(
            region["domains"],
            json!([
                rest_domain(
                    DOMAIN,
                    world.target(r, DOMAIN),
                    world.api_id(r),
                    &["", "v1"],
                    true,
                ),
                rest_domain(
                    &regional,
                    world.target(r, &regional),
                    world.api_id(r),
                    &[""],
                    true,
                ),
            ]),
            "{r}"
        );
        let artifacts = region["artifacts"].as_array().unwrap();
        assert_eq!(artifacts.len(), 1, "{r}: {artifacts:?}");
        assert_eq!(artifacts[0]["key"], BUILD_KEY);
        assert_eq!(artifacts[0]["version_id"], east.version_id);
        assert_eq!(artifacts[0]["status"], "completed", "{r}");
        // Neither Lambda (silent) nor its metrics (CloudWatch, which moto does not serve to the
        // Rust SDK) answered: the functions are unknown, not made up. (A Lambda fetch whose
        // metrics arrive without the configurations is tested with mocks in tests/aws_mocks/.)
        assert!(
            region["functions"].is_null(),
            "{r}: {}",
            region["functions"]
        );
    }
    assert_eq!(findings(sample), vec![]);
}
