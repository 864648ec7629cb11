//! Several accounts against moto (README, "Several accounts"): the hosted zone and health
//! checks in one account, the Lambda functions in another, read together through a role the
//! config names; and an `account_id` pin that refuses an action before anything is sent. With
//! `[[service]] role_arn` and `profile`: each service read and acted on with its own
//! credentials.
//!
//! moto keys its state by account: credentials from sts:AssumeRole on a role ARN in another
//! account act in that account's separate state, and GetCallerIdentity reports that account
//! (moto's multi-account support; it does not check that the role exists there, and accepts
//! any role session). An access key moto issued (IAM CreateAccessKey) acts in the account of its
//! user. Checked with moto 5.2.5, December 2026. What moto 5.2.5 cannot do is as in tests/moto.rs: CloudWatch fails from
//! the Rust SDK, so Lambda metrics are unknown and a failover needs --force --reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod moto_support;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use moto_support::*;
use serde_json::Value;
use std::path::Path;

/// moto's default account (static test credentials act in it).
const NETWORK: &str = "123456789012";
const WORKLOAD: &str = "111111111111";
const WORKLOAD_ROLE: &str = "arn:aws:iam::111111111111:role/workload";

/// An SDK configuration acting in the role's account: STS AssumeRole against moto (AWS STS
/// API reference, AssumeRole: the temporary credentials act as the role, in its account).
async fn assumed(moto: &Moto, role: &str, region: &str) -> SdkConfig {
    let sts = aws_sdk_sts::Client::new(&moto.sdk_config(PRIMARY));
    let out = sts
        .assume_role()
        .role_arn(role)
        .role_session_name("seed")
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(moto.endpoint())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "assumed",
        )))
        .build()
}

/// The seeded world with its functions moved to the workload account: deleted from the
/// default one, created in the other with other code. Returns (region, function) -> CodeSha256.
async fn functions_in_workload(moto: &Moto) -> Vec<(String, String, String)> {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let iam = aws_sdk_iam::Client::new(&assumed(moto, WORKLOAD_ROLE, PRIMARY).await);
    let role = iam
        .create_role()
        .role_name("workload-lambda")
        .assume_role_policy_document(policy)
        .send()
        .await
        .unwrap();
    let role_arn = role.role().unwrap().arn().to_string();
    assert!(role_arn.contains(WORKLOAD), "{role_arn}");
    let mut made = Vec::new();
    for region in REGIONS {
        let workload = aws_sdk_lambda::Client::new(&assumed(moto, WORKLOAD_ROLE, region).await);
        for function in FUNCTIONS {
            moto.lambda(region)
                .delete_function()
                .function_name(function)
                .send()
                .await
                .unwrap();
            let source = format!(
                "# {function}, workload account build\ndef handler(event, context):\n    return 200\n"
            );
            use aws_sdk_lambda::primitives::Blob;
            use aws_sdk_lambda::types::{FunctionCode, Runtime};
            let out = workload
                .create_function()
                .function_name(function)
                .runtime(Runtime::Python312)
                .role(&role_arn)
                .handler("index.handler")
                .code(
                    FunctionCode::builder()
                        .zip_file(Blob::new(lambda_zip(&source)))
                        .build(),
                )
                .send()
                .await
                .unwrap();
            made.push((
                region.to_string(),
                function.to_string(),
                out.code_sha256().unwrap().to_string(),
            ));
        }
    }
    made
}

/// The CodeSha256 of `function` in `region` as `functions_in_workload` made it.
fn code_in<'a>(made: &'a [(String, String, String)], region: &str, function: &str) -> &'a str {
    &made
        .iter()
        .find(|(r, f, _)| r == region && f == function)
        .unwrap()
        .2
}

/// Each region of `sample` shows its health check (read in the zone's account) and both
/// functions with the code made in the workload account: read together in one snapshot.
fn assert_read_together(sample: &Value, world: &World, made: &[(String, String, String)]) {
    for region_name in REGIONS {
        let r = region(sample, region_name);
        assert_eq!(
            r["health"]["health_check_id"],
            world.health_check(region_name),
            "{r:#}"
        );
        for (i, function) in FUNCTIONS.iter().enumerate() {
            assert_eq!(r["functions"][i]["name"], *function, "{r:#}");
            assert_eq!(
                r["functions"][i]["code_sha256"],
                code_in(made, region_name, function),
                "{r:#}"
            );
        }
    }
}

/// The service's `wrong_account` findings (severity, code, region, message).
fn wrong_account(service: &Value) -> Vec<(String, String, Option<String>, String)> {
    findings(service)
        .into_iter()
        .filter(|f| f.1 == "wrong_account")
        .collect()
}

fn append(config: &Path, text: &str) {
    let mut all = std::fs::read_to_string(config).unwrap();
    all.push_str(text);
    std::fs::write(config, all).unwrap();
}

fn callers(snap: &Value) -> Vec<(String, Vec<String>, String)> {
    snap["callers"]
        .as_array()
        .unwrap_or_else(|| panic!("no callers: {snap:#}"))
        .iter()
        .map(|c| {
            (
                c["credentials"].as_str().unwrap().to_string(),
                c["apis"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect(),
                c["account"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect()
}

/// `[aws.lambda] role_arn`: Lambda is read with the role's temporary credentials (AWS STS API
/// reference, AssumeRole), in its account; Route 53 with the default credentials; each set's
/// caller (GetCallerIdentity `Account`) in the snapshot's `callers`.
#[tokio::test]
async fn the_zone_in_one_account_and_the_functions_in_another_are_read_together() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let made = functions_in_workload(&moto).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    append(
        &config,
        &format!("\n[aws.lambda]\nrole_arn = \"{WORKLOAD_ROLE}\"\naccount_id = \"{WORKLOAD}\"\n"),
    );

    let (snap, _) = snapshot(&config);
    let sample = service(&snap, SERVICE);
    // Route 53 (the default account) and Lambda (the workload account, through the role) in
    // one snapshot.
    assert_read_together(sample, &world, &made);
    for region_name in REGIONS {
        for function in FUNCTIONS {
            assert_ne!(
                code_in(&made, region_name, function),
                world.code(region_name, function)
            );
        }
    }
    assert_eq!(
        callers(&snap),
        vec![
            (
                "default credentials".to_string(),
                ["route53", "s3", "apigateway", "codepipeline"]
                    .map(String::from)
                    .to_vec(),
                NETWORK.to_string()
            ),
            (
                format!("role {WORKLOAD_ROLE}"),
                vec!["lambda".to_string()],
                WORKLOAD.to_string()
            ),
        ]
    );
    let wrong = wrong_account(sample);
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[tokio::test]
async fn without_the_role_the_functions_are_not_found() {
    // The control case: the same world read with one credential set finds no functions (they
    // live in the workload account), so the test above did read through the role.
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    functions_in_workload(&moto).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    let (snap, _) = snapshot(&config);
    assert!(
        snap.get("callers").is_none(),
        "no accounts keys, no callers"
    );
    let r = region(service(&snap, SERVICE), PRIMARY);
    assert!(
        r["functions"][0]["code_sha256"].is_null(),
        "{:#}",
        r["functions"]
    );
}

const FAILOVER: &[&str] = &[
    "failover",
    "--service",
    SERVICE,
    "--to",
    SECONDARY,
    "--execute",
    "--confirm",
    "sample/us-west-2",
    "--force",
    "--reason",
    "moto serves no CloudWatch metrics",
];

/// `[aws.route53] account_id` names another account than the caller's (GetCallerIdentity
/// `Account`, AWS STS API reference): a critical finding, and the failover is refused before
/// its intent, with no request to Route 53 (moto's recorder).
#[tokio::test]
async fn an_account_pin_refuses_the_action_before_anything_is_sent() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    // The zone is in moto's default account; the config says it must be in another.
    append(&config, "\n[aws.route53]\naccount_id = \"222222222222\"\n");
    let primary_check = world.health_check(PRIMARY).to_string();
    let before = moto.health_check_config(&primary_check).await;

    // Reads from the wrong account: a critical finding naming the pin.
    let (snap, _) = snapshot(&config);
    let wrong = wrong_account(service(&snap, SERVICE));
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert_eq!(wrong[0].0, "critical");
    assert!(
        wrong[0].3.contains("in account 123456789012")
            && wrong[0]
                .3
                .contains("aws.route53.account_id pins 222222222222"),
        "{}",
        wrong[0].3
    );
    assert_eq!(
        snap["callers"][0]["wrong_account"][0]["account_id"],
        "222222222222"
    );

    moto.start_recording();
    let out = switchyard(&config)
        .arg("--config")
        .arg(&config)
        .args(FAILOVER)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("REFUSED: wrong account: route53 calls would act as")
            && stdout.contains("aws.route53.account_id pins 222222222222"),
        "{stdout}"
    );
    // Nothing sent: no mutating request reached moto, the check is as it was.
    let mutating: Vec<_> = moto
        .recorded()
        .into_iter()
        .filter(|(method, url)| method == "POST" && url.contains("/healthcheck/"))
        .collect();
    assert!(mutating.is_empty(), "{mutating:?}");
    assert_eq!(moto.health_check_config(&primary_check).await, before);
    // Refused before the intent: the audit log has one `refused` record saying why (no
    // intent, so nothing is unfinished); the journal keeps the refusal too.
    let state = config
        .parent()
        .unwrap()
        .join("home/.local/state/switchyard");
    let audit = std::fs::read_to_string(state.join("audit.jsonl")).unwrap();
    let records: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 1, "{audit}");
    assert_eq!(records[0]["phase"], "refused");
    assert_eq!(records[0]["action"], "failover");
    let error = records[0]["error"].as_str().unwrap();
    assert!(
        error.contains("222222222222") && error.contains("nothing was sent"),
        "{error}"
    );
    let journal = std::fs::read_to_string(state.join("events.jsonl")).unwrap();
    let refusal = journal
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["kind"] == "action")
        .unwrap_or_else(|| panic!("no action event:\n{journal}"));
    let message = refusal["message"].as_str().unwrap();
    assert!(
        message.contains("refused: wrong account") && message.contains("222222222222"),
        "{message}"
    );
}

/// `[aws.lambda] profile`: the functions read with a profile's keys, those of an IAM user of the
/// workload account (moto maps an access key it issued to the account of its user), written
/// to the CLI's own `~/.aws/credentials`; Route 53 still with the default credentials. The CLI
/// runs with `AWS_ACCESS_KEY_ID` set (the default account's keys), which come first in the
/// standard chain: the API's profile must win over them.
#[tokio::test]
async fn a_profile_per_api_reads_the_functions_in_its_account() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let made = functions_in_workload(&moto).await;
    let iam = aws_sdk_iam::Client::new(&assumed(&moto, WORKLOAD_ROLE, PRIMARY).await);
    iam.create_user().user_name("reader").send().await.unwrap();
    let key = iam
        .create_access_key()
        .user_name("reader")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    append(&config, "\n[aws.lambda]\nprofile = \"workload\"\n");
    let aws_dir = moto.dir().join("home/.aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    std::fs::write(
        aws_dir.join("credentials"),
        format!(
            "[workload]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            key.access_key_id(),
            key.secret_access_key()
        ),
    )
    .unwrap();

    let (snap, _) = snapshot(&config);
    let r = region(service(&snap, SERVICE), PRIMARY);
    assert_eq!(r["health"]["health_check_id"], world.health_check(PRIMARY));
    let sha = &made
        .iter()
        .find(|(r, f, _)| r == PRIMARY && f == FUNCTIONS[0])
        .unwrap()
        .2;
    assert_eq!(r["functions"][0]["code_sha256"], sha.as_str(), "{r:#}");
    let callers = callers(&snap);
    assert_eq!(
        callers[1],
        (
            "profile workload".to_string(),
            vec!["lambda".to_string()],
            WORKLOAD.to_string()
        )
    );
}

const OTHER: &str = "333333333333";
const OTHER_ROLE: &str = "arn:aws:iam::333333333333:role/other";
/// A role in moto's default account, where the seeded zone and API Gateway domains live.
const NETWORK_ROLE: &str = "arn:aws:iam::123456789012:role/network";
const OTHER_SERVICE: &str = "other";
const OTHER_FUNCTION: &str = "other-api";

/// A function created in `role`'s account (through the role, AssumeRole), with its own
/// execution role there; returns its CodeSha256.
async fn function_in(moto: &Moto, role: &str, region: &str, name: &str, source: &str) -> String {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    let sdk = assumed(moto, role, region).await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let execution = match iam.get_role().role_name("fn").send().await {
        Ok(out) => out.role().unwrap().arn().to_string(),
        Err(_) => iam
            .create_role()
            .role_name("fn")
            .assume_role_policy_document(policy)
            .send()
            .await
            .unwrap()
            .role()
            .unwrap()
            .arn()
            .to_string(),
    };
    aws_sdk_lambda::Client::new(&sdk)
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(execution)
        .handler("index.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(lambda_zip(source)))
                .build(),
        )
        .send()
        .await
        .unwrap()
        .code_sha256()
        .unwrap()
        .to_string()
}

/// Two services whose functions live in two workload accounts, each read through its own
/// `[[service]] role_arn` (AWS STS API reference, AssumeRole: the temporary credentials act in
/// the role's account), the zone and domains through `[aws.route53]` and `[aws.apigateway]`
/// (which win over a service's role), all in one snapshot. The `other` account also holds a
/// decoy `sample-api`: `sample` must not see it.
#[tokio::test]
async fn each_service_reads_its_functions_through_its_own_role() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let made = functions_in_workload(&moto).await;
    let other_sha = function_in(
        &moto,
        OTHER_ROLE,
        PRIMARY,
        OTHER_FUNCTION,
        "# other\ndef handler(event, context):\n    return 200\n",
    )
    .await;
    let decoy_sha = function_in(
        &moto,
        OTHER_ROLE,
        PRIMARY,
        FUNCTIONS[0],
        "# a decoy in the wrong account\ndef handler(event, context):\n    return 500\n",
    )
    .await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    // The written config ends in `sample`'s [[service]] table.
    append(
        &config,
        &format!(
            "role_arn = \"{WORKLOAD_ROLE}\"\naccount_id = \"{WORKLOAD}\"\n\n\
             [[service]]\nname = \"{OTHER_SERVICE}\"\ndomain = \"other.{ZONE}\"\n\
             hosted_zone_id = \"{zone}\"\nregions = [\"{PRIMARY}\"]\n\
             functions = [\"{OTHER_FUNCTION}\"]\nrole_arn = \"{OTHER_ROLE}\"\n\n\
             [aws.route53]\nrole_arn = \"{NETWORK_ROLE}\"\naccount_id = \"{NETWORK}\"\n\
             [aws.apigateway]\nrole_arn = \"{NETWORK_ROLE}\"\naccount_id = \"{NETWORK}\"\n",
            zone = world.zone_id
        ),
    );

    moto.start_recording();
    let (snap, _) = snapshot(&config);
    // The two services' groups read Route 53 with the same role: the zone's records once for
    // both (one page, as in a snapshot of one service).
    let zone_reads = moto
        .recorded()
        .into_iter()
        .filter(|(method, url)| method == "GET" && url.contains("/rrset"))
        .count();
    assert_eq!(zone_reads, 1, "{:?}", moto.recorded());
    let sample = service(&snap, SERVICE);
    // Route 53 through the network role, Lambda through the service's role, in its account.
    assert_read_together(sample, &world, &made);
    assert_ne!(
        region(sample, PRIMARY)["functions"][0]["code_sha256"],
        decoy_sha.as_str(),
        "sample read the other account's function"
    );
    let other = region(service(&snap, OTHER_SERVICE), PRIMARY);
    assert_eq!(other["functions"][0]["name"], OTHER_FUNCTION, "{other:#}");
    assert_eq!(
        other["functions"][0]["code_sha256"],
        other_sha.as_str(),
        "{other:#}"
    );
    // Each distinct set's caller, once, in its account.
    let callers = callers(&snap);
    let account_of = |credentials: &str| {
        callers
            .iter()
            .find(|c| c.0 == credentials)
            .unwrap_or_else(|| panic!("no caller {credentials}: {callers:?}"))
            .2
            .clone()
    };
    assert_eq!(account_of(&format!("role {NETWORK_ROLE}")), NETWORK);
    assert_eq!(account_of(&format!("role {WORKLOAD_ROLE}")), WORKLOAD);
    assert_eq!(account_of(&format!("role {OTHER_ROLE}")), OTHER);
    let mut labels: Vec<&str> = callers.iter().map(|c| c.0.as_str()).collect();
    labels.dedup();
    assert_eq!(labels.len(), callers.len(), "{callers:?}");
    let wrong = wrong_account(sample);
    assert!(wrong.is_empty(), "{wrong:?}");
}

/// `[[service]] profile` and the service's `account_id` pinning another account than the one
/// the profile's keys act in: the failover's Route 53 calls would be made with the service's
/// credentials, whose caller (GetCallerIdentity `Account`, AWS STS API reference) is in another
/// account, so it is refused before anything is sent, the refusal naming the service's profile
/// and pin. (Keys moto did not issue act in its default account, where the zone is, so the
/// plan can be read; a service `role_arn` in another account than its pin is refused when the
/// config is loaded, as the role's account is known: the next test.)
#[tokio::test]
async fn a_service_pin_refuses_an_action_made_with_the_services_credentials() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let aws_dir = moto.dir().join("home/.aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    std::fs::write(
        aws_dir.join("credentials"),
        "[sample-ops]\naws_access_key_id = sampleopskey\naws_secret_access_key = sampleopssecret\n",
    )
    .unwrap();
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    append(
        &config,
        "profile = \"sample-ops\"\naccount_id = \"222222222222\"\n",
    );
    let primary_check = world.health_check(PRIMARY).to_string();
    let before = moto.health_check_config(&primary_check).await;

    // Reads with the service's profile: the pin's finding names the service's key.
    let (snap, _) = snapshot(&config);
    let wrong = wrong_account(service(&snap, SERVICE));
    assert!(!wrong.is_empty(), "{snap:#}");
    assert!(
        wrong[0]
            .3
            .contains("account_id of service \"sample\" pins 222222222222"),
        "{wrong:?}"
    );

    moto.start_recording();
    let out = switchyard(&config)
        .arg("--config")
        .arg(&config)
        .args(FAILOVER)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("REFUSED: wrong account: route53 calls would act as")
            && stdout.contains("(profile sample-ops), in account 123456789012")
            && stdout.contains("account_id of service \"sample\" pins 222222222222"),
        "{stdout}\n{stderr}"
    );
    let mutating: Vec<_> = moto
        .recorded()
        .into_iter()
        .filter(|(method, url)| method == "POST" && url.contains("/healthcheck/"))
        .collect();
    assert!(mutating.is_empty(), "{mutating:?}");
    assert_eq!(moto.health_check_config(&primary_check).await, before);
}

/// A service's `role_arn` in another account than the service's `account_id`: the config is
/// refused where the role is written (the role's credentials act in its own account, AWS STS
/// API reference, AssumeRole), before anything is read or sent.
#[tokio::test]
async fn a_service_role_against_its_pin_is_a_config_error() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    append(
        &config,
        &format!("account_id = \"{NETWORK}\"\nrole_arn = \"{WORKLOAD_ROLE}\"\n"),
    );
    moto.start_recording();
    let out = switchyard(&config)
        .arg("--config")
        .arg(&config)
        .args(FAILOVER)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("switchyard.toml:13:")
            && stderr.contains("is a role in account 111111111111"),
        "{stderr}"
    );
    assert!(moto.recorded().is_empty(), "{:?}", moto.recorded());
}

/// An action on a service with a role of its own goes with the service's credentials: the
/// failover's UpdateHealthCheck is sent and read back (GetHealthCheck, for the verification)
/// through the service's group, the role assumed in the zone's account (AWS STS API reference,
/// AssumeRole), and the check is inverted (Route 53 API reference, UpdateHealthCheck).
#[tokio::test]
async fn an_action_goes_with_the_services_role() {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    let config = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    append(&config, &format!("role_arn = \"{NETWORK_ROLE}\"\n"));
    let primary_check = world.health_check(PRIMARY).to_string();

    moto.start_recording();
    let out = switchyard(&config)
        .arg("--config")
        .arg(&config)
        .args(FAILOVER)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("DONE, VERIFIED"), "{stdout}");
    // Every health check request (the update, and its read back) was signed with the role's
    // temporary credentials (a session token), not the environment's keys (`[aws]`'s).
    let raw = std::fs::read_to_string(moto.dir().join("recording.jsonl")).unwrap();
    let checks: Vec<Value> = raw
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["url"].as_str().unwrap().contains("/healthcheck/"))
        .collect();
    assert!(
        checks.iter().any(|r| r["method"] == "POST"),
        "no UpdateHealthCheck: {checks:#?}"
    );
    for request in &checks {
        let headers = &request["headers"];
        let authorization = headers["Authorization"].as_str().unwrap();
        assert!(
            !authorization.contains("Credential=test/")
                && headers["X-Amz-Security-Token"].is_string(),
            "{} {} signed with {authorization}",
            request["method"],
            request["url"]
        );
    }
    assert!(moto.health_check_config(&primary_check).await.0, "inverted");
}
