#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::deploy::names_function;
use super::routing::template;
use super::*;
use crate::config::Config;
use crate::source::sim::SimInventory;
use crate::source::sim::scenario::Scenario;
use std::path::Path;

/// API Gateway Developer Guide, "Setting up a regional custom domain name": the target is
/// `d-….execute-api.REGION.amazonaws.com` (`.com.cn` in China).
#[test]
fn the_region_of_a_regional_target() {
    let cases = [
        (
            "d-abc.execute-api.us-east-1.amazonaws.com",
            Some("us-east-1"),
        ),
        (
            "d-abc.execute-api.eu-west-1.amazonaws.com.",
            Some("eu-west-1"),
        ),
        (
            "d-abc.execute-api.cn-north-1.amazonaws.com.cn",
            Some("cn-north-1"),
        ),
        ("abc.cloudfront.net", None),
        ("my-lb-1.us-east-1.elb.amazonaws.com", None),
        ("", None),
    ];
    for (target, region) in cases {
        assert_eq!(target_region(target).as_deref(), region, "{target}");
    }
}

#[test]
fn per_region_names_become_a_template() {
    assert_eq!(
        template(
            "us-east-1.sample.example.com",
            "us-east-1",
            "sample.example.com"
        ),
        "{region}.{domain}"
    );
    assert_eq!(
        template(
            "api-eu-west-1.shop.example.com",
            "eu-west-1",
            "api.shop.example.com"
        ),
        "api-{region}.shop.example.com"
    );
}

#[test]
fn a_configuration_value_names_a_function_as_a_whole_word() {
    assert!(names_function("sample-api", "sample-api"));
    assert!(names_function(
        "arn:aws:lambda:us-east-1:1:function:sample-api:live",
        "sample-api"
    ));
    assert!(!names_function("sample-api-v2", "sample-api"));
    assert!(!names_function("my-sample-api", "sample-api"));
}

async fn sim(domain: &str) -> Discovery {
    let inv = SimInventory::new(Scenario::built_in("steady").unwrap());
    let ask = Ask {
        domain: domain.into(),
        ..Ask::default()
    };
    discover(&inv, &ask).await.unwrap()
}

fn config(found: &Discovery) -> Config {
    let aws = AwsSettings {
        control_region: "us-east-1".into(),
        ..AwsSettings::default()
    };
    let text = render("switchyard init", &aws, std::slice::from_ref(found), true);
    Config::parse(&text, Path::new("switchyard.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The simulation answers discovery like an account. billing runs in three regions; its one
/// function has no alias in the scenario, which there means it is not behind API Gateway, so
/// no function (and no pipeline naming one) is found.
#[tokio::test]
async fn the_simulated_deployment_is_discovered_like_an_account() {
    let found = sim("sample.fed.dev").await;
    assert_eq!(found.region_names(), ["us-east-1", "us-west-2"]);
    assert_eq!(
        found.regional_hostname.as_ref().unwrap().value,
        "{region}.{domain}"
    );
    let items: Vec<String> = found
        .functions
        .as_ref()
        .unwrap()
        .value
        .iter()
        .map(FunctionFound::item)
        .collect();
    assert_eq!(items, ["sample-api:live"]);
    let pipeline = &found.pipeline.as_ref().unwrap().value;
    assert_eq!(pipeline.name, "sample-deploy");
    assert_eq!(
        pipeline.approval_action.as_ref().unwrap().value,
        "ManualApproval"
    );
    let artifacts = &found.artifacts.as_ref().unwrap().value;
    assert_eq!(
        (artifacts.bucket.as_str(), artifacts.prefix.as_str()),
        ("sample-artifacts-{region}", "builds/")
    );
    let c = config(&found);
    assert_eq!(
        check::compare(&c.services[0], &found),
        check::Comparison::default()
    );

    let billing = sim("billing.fed.dev").await;
    assert_eq!(
        billing.region_names(),
        ["us-east-1", "us-west-2", "eu-west-1"]
    );
    assert!(billing.functions.is_err(), "{:?}", billing.functions);
    assert!(
        billing.pipeline.is_err(),
        "no function found, so no pipeline names one"
    );
}

#[tokio::test]
async fn check_names_each_difference() {
    let found = sim("sample.fed.dev").await;
    let mut c = config(&found).services.remove(0);
    c.functions.push("sample-gone".into());
    c.regions.push("eu-central-1".into());
    c.health_checks
        .insert("us-east-1".into(), "0000-old-check".into());
    if let Some(a) = c.artifacts.as_mut() {
        a.prefix = "old/".into();
    }
    c.regional_hostname = "{region}-x.{domain}".into();
    let compared = check::compare(&c, &found);
    let diffs: Vec<(String, Option<String>, Option<String>)> = compared
        .differences
        .into_iter()
        .map(|d| (d.setting, d.config, d.account))
        .collect();
    let id = found.health_checks()["us-east-1"].clone();
    assert_eq!(
        diffs,
        [
            ("regions".into(), Some("eu-central-1".into()), None),
            (
                "health_checks.us-east-1".into(),
                Some("0000-old-check".into()),
                Some(id)
            ),
            (
                "regional_hostname".into(),
                Some("us-east-1-x.sample.fed.dev".into()),
                Some("us-east-1.sample.fed.dev".into())
            ),
            (
                "regional_hostname".into(),
                Some("us-west-2-x.sample.fed.dev".into()),
                Some("us-west-2.sample.fed.dev".into())
            ),
            (
                "artifacts.prefix".into(),
                Some("old/".into()),
                Some("builds/".into())
            ),
        ]
    );
}

/// What a config means, not its text: an unqualified function reads its qualifier from the
/// integrations, `regional_hostname` spelled out is the same names, a worker not behind the API
/// and a pipeline left out are notes.
#[tokio::test]
async fn check_compares_meanings_not_text() {
    let found = sim("sample.fed.dev").await;
    let mut c = config(&found).services.remove(0);
    c.qualifiers.clear(); // "sample-api" instead of "sample-api:live"
    c.functions.push("sample-worker".into());
    c.regional_hostname = "{region}.sample.fed.dev".into();
    c.health_checks.clear();
    c.pipeline = None;
    let compared = check::compare(&c, &found);
    assert_eq!(compared.differences, [], "{compared:#?}");
    assert_eq!(compared.notes.len(), 2, "{:#?}", compared.notes);
    assert!(compared.notes[0].contains("sample-worker"));
    assert!(compared.notes[1].contains("pipeline sample-deploy"));

    // Pinned to another qualifier: a difference.
    c.qualifiers.insert("sample-api".into(), "blue".into());
    let compared = check::compare(&c, &found);
    assert_eq!(compared.differences.len(), 1);
    assert_eq!(
        compared.differences[0].config.as_deref(),
        Some("sample-api:blue")
    );
    assert_eq!(
        compared.differences[0].account.as_deref(),
        Some("sample-api:live")
    );
}

#[test]
fn toml_strings_escape_what_toml_forbids() {
    let text = render::quote("a\"b\\c\nd\u{7f}e");
    let parsed: toml::Table = toml::from_str(&format!("v = {text}")).unwrap();
    assert_eq!(parsed["v"].as_str(), Some("a\"b\\c\nd\u{7f}e"));
}
