//! Unit tests for the config model: defaults, templates, env overrides, the example config and
//! error placement for cases that need no fixture file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::diagnostic::line_column;
use super::validate::looks_like_region;
use super::*;

mod accounts;
mod service_accounts;

const MINIMAL: &str = r#"
[[service]]
name = "sample"
domain = "sample.example.com"
hosted_zone_id = "Z0123456789ABC"
regions = ["us-east-1", "us-west-2"]
functions = ["sample-api"]
"#;

fn parse(text: &str) -> Config {
    Config::parse(text, Path::new("test.toml")).unwrap_or_else(|error| panic!("{error}"))
}

/// (line, column, message) of a config that must be invalid.
fn invalid(text: &str) -> (usize, usize, String) {
    match Config::parse(text, Path::new("test.toml")) {
        Err(ConfigError::Invalid {
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn minimal_with(extra: &str) -> String {
    format!("{MINIMAL}{extra}")
}

#[test]
fn defaults_match_the_design() {
    let refresh = RefreshConfig::default();
    assert_eq!(refresh.health, Duration::from_secs(15));
    assert_eq!(refresh.lambda, Duration::from_secs(60));
    assert_eq!(refresh.replication, Duration::from_secs(30));
    assert_eq!(refresh.domains, Duration::from_secs(300));
    assert_eq!(refresh.pipeline, Duration::from_secs(20));
    assert_eq!(refresh.dns, Duration::from_secs(15));
    let thresholds = Thresholds::default();
    assert_eq!(thresholds.error_rate_warn_pct, 1.0);
    assert_eq!(thresholds.error_rate_crit_pct, 5.0);
    assert_eq!(thresholds.replication_lag_warn, Duration::from_secs(300));
    assert_eq!(thresholds.replication_lag_crit, Duration::from_secs(900));
    let aws = AwsConfig::default();
    assert_eq!(aws.profile, None);
    assert_eq!(aws.endpoint_url, None);
    assert_eq!(aws.control_region, "us-east-1");
}

#[test]
fn minimal_config_gets_every_default() {
    let config = parse(MINIMAL);
    assert_eq!(config.aws, AwsConfig::default());
    assert!(!config.read_only);
    assert_eq!(config.refresh, RefreshConfig::default());
    assert_eq!(config.thresholds, Thresholds::default());
    let service = &config.services[0];
    assert_eq!(service.regional_hostname, "{region}.{domain}");
    assert!(service.health_checks.is_empty());
    assert_eq!(service.artifacts, None);
    assert_eq!(service.pipeline, None);
    assert_eq!(service.failover, FailoverConfig::default());
    assert_eq!(service.failover.mechanism, Mechanism::InvertHealthCheck);
}

#[test]
fn optional_sub_tables_default_to_the_primary_region() {
    let config = parse(&minimal_with(
        "[service.artifacts]\nbucket = \"b-{region}\"\n[service.pipeline]\nname = \"p\"\n",
    ));
    let service = &config.services[0];
    let artifacts = service.artifacts.as_ref().unwrap();
    assert_eq!(artifacts.prefix, "");
    assert_eq!(artifacts.source_region, "us-east-1");
    assert_eq!(artifacts.latest, 5);
    let pipeline = service.pipeline.as_ref().unwrap();
    assert_eq!(pipeline.region, "us-east-1");
    assert_eq!(pipeline.approval_action, None);
}

#[test]
fn templates_expand_region_and_domain() {
    let mut service = parse(MINIMAL).services.remove(0);
    assert_eq!(service.primary_region(), "us-east-1");
    assert!(service.is_primary("us-east-1"));
    assert!(!service.is_primary("us-west-2"));
    assert!(!service.is_primary("eu-west-1"));
    assert_eq!(
        service.regional_hostname_for("us-west-2"),
        "us-west-2.sample.example.com"
    );
    service.regional_hostname = "api-{region}.internal.{domain}".to_owned();
    assert_eq!(
        service.regional_hostname_for("us-east-1"),
        "api-us-east-1.internal.sample.example.com"
    );
    let artifacts = ArtifactsConfig {
        bucket: "builds-{region}-{region}".to_owned(),
        prefix: String::new(),
        source_region: "us-east-1".to_owned(),
        latest: 5,
    };
    assert_eq!(
        artifacts.bucket_for("eu-west-1"),
        "builds-eu-west-1-eu-west-1"
    );
}

#[test]
fn example_config_has_the_design_values() {
    let config = parse(include_str!("../../../assets/switchyard.example.toml"));
    let expected = Config {
        aws: AwsConfig::default(),
        read_only: false,
        refresh: RefreshConfig::default(),
        thresholds: Thresholds::default(),
        dns: DnsConfig::default(),
        team: None,
        services: vec![ServiceConfig {
            name: "sample".to_owned(),
            domain: "sample.fed.dev".to_owned(),
            hosted_zone_id: "Z0123456789ABC".to_owned(),
            regions: vec!["us-gov-west-1".to_owned(), "us-gov-east-1".to_owned()],
            regional_hostname: "{region}.{domain}".to_owned(),
            functions: vec!["sample-api".to_owned(), "sample-worker".to_owned()],
            qualifiers: BTreeMap::new(),
            health_checks: BTreeMap::new(),
            artifacts: Some(ArtifactsConfig {
                bucket: "sample-artifacts-{region}".to_owned(),
                prefix: "builds/".to_owned(),
                source_region: "us-gov-west-1".to_owned(),
                latest: 5,
            }),
            pipeline: Some(PipelineConfig {
                name: "sample-deploy".to_owned(),
                region: "us-gov-west-1".to_owned(),
                approval_action: None,
            }),
            failover: FailoverConfig::default(),
            account_id: None,
            profile: None,
            role_arn: None,
        }],
    };
    assert_eq!(config, expected);
    let service = &config.services[0];
    assert_eq!(
        service.regional_hostname_for("us-gov-east-1"),
        "us-gov-east-1.sample.fed.dev"
    );
    let artifacts = service.artifacts.as_ref().unwrap();
    assert_eq!(
        artifacts.bucket_for("us-gov-east-1"),
        "sample-artifacts-us-gov-east-1"
    );
}

#[test]
fn arc_failover_is_read_in_full() {
    let config = parse(&minimal_with(
        r#"[service.failover]
mechanism = "arc"
cluster_endpoints = ["https://a.example.aws/v1", "https://b.example.aws/v1"]
routing_controls = { "us-east-1" = "arn:aws:rc/e", "us-west-2" = "arn:aws:rc/w" }
"#,
    ));
    let failover = &config.services[0].failover;
    assert_eq!(failover.mechanism, Mechanism::Arc);
    assert_eq!(failover.cluster_endpoints.len(), 2);
    assert_eq!(failover.routing_controls["us-west-2"], "arn:aws:rc/w");
}

#[test]
fn pin_unhealthy_is_a_mechanism_without_arc_keys() {
    let config = parse(&minimal_with(
        "[service.failover]\nmechanism = \"pin-unhealthy\"\n",
    ));
    let failover = &config.services[0].failover;
    assert_eq!(failover.mechanism, Mechanism::PinUnhealthy);
    assert!(failover.cluster_endpoints.is_empty());
}

/// (case, profile in the file, read_only in the file, environment, then after apply_env:
/// profile, endpoint_url, control_region, read_only).
type EnvCase = (
    &'static str,
    Option<&'static str>,
    bool,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    bool,
);

#[test]
fn apply_env_table() {
    const EAST: &str = "us-east-1";
    const MOTO: &str = "http://127.0.0.1:5000";
    #[rustfmt::skip]
    let cases: &[EnvCase] = &[
        ("nothing set", None, false, &[],
            None, None, EAST, false),
        ("SWITCHYARD_PROFILE beats the file and AWS_PROFILE", Some("file"), false,
            &[("SWITCHYARD_PROFILE", "ops"), ("AWS_PROFILE", "aws")],
            Some("ops"), None, EAST, false),
        ("AWS_PROFILE fills a gap", None, false, &[("AWS_PROFILE", "aws")],
            Some("aws"), None, EAST, false),
        ("AWS_PROFILE leaves the file's profile", Some("file"), false, &[("AWS_PROFILE", "aws")],
            Some("file"), None, EAST, false),
        ("empty values count as unset", Some("file"), false,
            &[("SWITCHYARD_PROFILE", ""), ("SWITCHYARD_CONTROL_REGION", " ")],
            Some("file"), None, EAST, false),
        ("endpoint and control region", None, false,
            &[("SWITCHYARD_ENDPOINT_URL", MOTO), ("SWITCHYARD_CONTROL_REGION", "us-gov-west-1")],
            None, Some(MOTO), "us-gov-west-1", false),
        ("AWS_ENDPOINT_URL is left to the SDK", None, false, &[("AWS_ENDPOINT_URL", MOTO)],
            None, None, EAST, false),
        ("read-only 1", None, false, &[("SWITCHYARD_READ_ONLY", "1")],
            None, None, EAST, true),
        ("read-only TRUE", None, false, &[("SWITCHYARD_READ_ONLY", "TRUE")],
            None, None, EAST, true),
        ("read-only yes", None, false, &[("SWITCHYARD_READ_ONLY", "yes")],
            None, None, EAST, true),
        ("other values do nothing", None, false, &[("SWITCHYARD_READ_ONLY", "maybe")],
            None, None, EAST, false),
        ("env cannot turn read-only off", None, true, &[("SWITCHYARD_READ_ONLY", "0")],
            None, None, EAST, true),
    ];
    for &(case, file_profile, file_read_only, env, profile, endpoint_url, region, read_only) in
        cases
    {
        let mut config = parse(MINIMAL);
        config.aws.profile = file_profile.map(str::to_owned);
        config.read_only = file_read_only;
        let env: BTreeMap<&str, &str> = env.iter().copied().collect();
        config.apply_env(|name| env.get(name).map(|value| (*value).to_owned()));
        assert_eq!(config.aws.profile.as_deref(), profile, "{case}");
        assert_eq!(config.aws.endpoint_url.as_deref(), endpoint_url, "{case}");
        assert_eq!(config.aws.control_region, region, "{case}");
        assert_eq!(config.read_only, read_only, "{case}");
    }
}

#[test]
fn default_path_candidates() {
    use std::ffi::OsString;
    let lookup = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        }
    };
    let local = PathBuf::from("switchyard.toml");
    assert_eq!(env::candidates(lookup(&[])), vec![local.clone()]);
    assert_eq!(
        env::candidates(lookup(&[("HOME", "/home/ops")])),
        vec![
            local.clone(),
            PathBuf::from("/home/ops/.config/switchyard/switchyard.toml")
        ]
    );
    assert_eq!(
        env::candidates(lookup(&[
            ("HOME", "/home/ops"),
            ("XDG_CONFIG_HOME", "/xdg")
        ])),
        vec![
            local.clone(),
            PathBuf::from("/xdg/switchyard/switchyard.toml")
        ]
    );
    // The XDG spec says relative values are to be ignored.
    assert_eq!(
        env::candidates(lookup(&[("HOME", "/home/ops"), ("XDG_CONFIG_HOME", "rel")])),
        vec![
            local,
            PathBuf::from("/home/ops/.config/switchyard/switchyard.toml")
        ]
    );
}

#[test]
fn errors_read_well() {
    let error = Config::load(Path::new("/nonexistent/switchyard.toml")).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }));
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/switchyard.toml: cannot read: ")
    );
    let error = ConfigError::NotFound {
        looked: vec![
            PathBuf::from("switchyard.toml"),
            PathBuf::from("/x/switchyard.toml"),
        ],
    };
    assert_eq!(
        error.to_string(),
        "no config file: looked for switchyard.toml, /x/switchyard.toml"
    );
    let error = Config::parse("read_only = 1\n", Path::new("conf/s.toml")).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("conf/s.toml:1:13: `read_only`"),
        "{error}"
    );
}

#[test]
fn line_and_column_count_characters() {
    let text = "a = 1\r\nbé = \"ü\"\n\nx";
    assert_eq!(line_column(text, 0), (1, 1));
    assert_eq!(line_column(text, 7), (2, 1));
    assert_eq!(line_column(text, text.find('=').unwrap()), (1, 3));
    assert_eq!(line_column(text, text.rfind('=').unwrap()), (2, 4));
    assert_eq!(line_column(text, text.len()), (4, 2));
    assert_eq!(line_column(text, text.len() + 10), (4, 2));
    // Inside a multi-byte character: clamped to its start.
    assert_eq!(line_column(text, text.find('é').unwrap() + 1), (2, 2));
}

#[test]
fn region_names() {
    let good = "us-east-1 eu-central-2 ap-southeast-5 us-gov-west-1 us-iso-east-1 us-isob-east-1 \
                cn-north-1 il-central-1";
    for name in good.split_whitespace() {
        assert!(looks_like_region(name), "{name}");
    }
    let bad = "us-east useast-1 US-EAST-1 us-east-1a usa-east-1 us--1 us-gov-west- global \
               us-isx-east-1 us-east-1-1 x";
    for name in bad.split_whitespace().chain(["", "us-east-1 "]) {
        assert!(!looks_like_region(name), "{name:?}");
    }
}

#[test]
fn errors_without_a_fixture() {
    // An empty file has no services.
    assert_eq!(invalid("").0, 1);
    // Windows line endings do not shift lines or columns (kept out of fixture files, which
    // git may convert).
    let (line, column, _) = invalid(&minimal_with("bogus = 1\n").replace('\n', "\r\n"));
    assert_eq!((line, column), (8, 1));
}

#[test]
fn the_first_problem_in_the_file_is_reported() {
    let text = format!(
        "[aws]\ncontrol_region = \"nowhere\"\n{}",
        MINIMAL.replace("us-west-2", "us-west2")
    );
    let (line, _, message) = invalid(&text);
    assert_eq!(line, 2, "{message}");
    // "No services" sits at 1:1, so it waits until nothing more specific is wrong.
    let (line, _, message) = invalid("[refresh]\nhealth = \"15\"\n");
    assert_eq!(line, 2, "{message}");
}

/// `"NAME:QUALIFIER"` names the alias or version to compare, the form Lambda's FunctionName
/// takes (Lambda API reference, GetFunctionConfiguration); plain names stay as they were.
#[test]
fn functions_may_carry_a_qualifier() {
    let config = parse(&MINIMAL.replace(
        r#"functions = ["sample-api"]"#,
        r#"functions = ["sample-api:live", "sample-worker", "sample-cron:7", "arn:aws:lambda:us-east-1:123456789012:function:old"]"#,
    ));
    let service = &config.services[0];
    assert_eq!(
        service.functions,
        [
            "sample-api",
            "sample-worker",
            "sample-cron",
            "arn:aws:lambda:us-east-1:123456789012:function:old"
        ]
    );
    assert_eq!(
        service.qualifiers,
        BTreeMap::from([
            ("sample-api".to_owned(), "live".to_owned()),
            ("sample-cron".to_owned(), "7".to_owned()),
        ])
    );
    assert!(parse(MINIMAL).services[0].qualifiers.is_empty());
}

#[test]
fn a_bad_qualifier_is_refused_where_it_is_written() {
    for (item, needle) in [
        (
            "sample-api:",
            "expected a Lambda function name, or NAME:ALIAS",
        ),
        (
            "sample-api:a b",
            "expected a Lambda function name, or NAME:ALIAS",
        ),
        (":live", "expected a Lambda function name, or NAME:ALIAS"),
        (
            "sample-api:live:2",
            "expected a Lambda function name, or NAME:ALIAS",
        ),
    ] {
        let text = MINIMAL.replace(
            r#"functions = ["sample-api"]"#,
            &format!(r#"functions = ["{item}"]"#),
        );
        let (line, column, message) = invalid(&text);
        assert_eq!((line, column), (7, 14), "{item}: {message}");
        assert!(message.contains(needle), "{item}: {message}");
    }
    let text = MINIMAL.replace(
        r#"functions = ["sample-api"]"#,
        r#"functions = ["sample-api:live", "sample-api:blue"]"#,
    );
    let (_, _, message) = invalid(&text);
    assert!(message.contains(r#"lists "sample-api" twice"#), "{message}");
}

#[test]
fn dns_table_is_optional_and_takes_host_port_lists() {
    assert_eq!(parse(MINIMAL).dns, DnsConfig::default());
    let config = parse(&format!(
        "[dns]\nnameservers = [\"127.0.0.1:5353\", \"ns-1.awsdns-01.org:53\", \"[::1]:53\"]\n\
         resolvers = [\"10.0.0.2:53\"]\n[refresh]\ndns = \"30s\"\n{MINIMAL}"
    ));
    assert_eq!(
        config.dns.nameservers,
        ["127.0.0.1:5353", "ns-1.awsdns-01.org:53", "[::1]:53"]
    );
    assert_eq!(config.dns.resolvers, ["10.0.0.2:53"]);
    assert_eq!(config.refresh.dns, Duration::from_secs(30));
}

#[test]
fn dns_entries_and_keys_are_checked_with_their_place() {
    let (line, column, message) = invalid(&format!(
        "[dns]\nnameservers = [\"127.0.0.1:5353\", \"ns-1.example\"]\n{MINIMAL}"
    ));
    assert_eq!((line, column), (2, 34), "{message}");
    assert!(message.contains("expected host:port"), "{message}");
    let (line, column, message) = invalid(&format!("[dns]\nnameserver = []\n{MINIMAL}"));
    assert_eq!((line, column), (2, 1), "{message}");
    assert!(message.contains("nameserver"), "{message}");
    for bad in [
        "",
        ":53",
        "host:0",
        "host:99999",
        "::1:53",
        "[::1]",
        "a b:53",
    ] {
        assert!(!validate::looks_like_host_port(bad), "{bad}");
    }
    for good in ["127.0.0.1:53", "[::1]:5353", "ns-1.awsdns-01.org:53"] {
        assert!(validate::looks_like_host_port(good), "{good}");
    }
}
