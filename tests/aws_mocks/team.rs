//! The team bucket's answers that moto cannot give (tests/moto_team.rs has the rest): S3's 409
//! ConditionalRequestConflict, an answer lost so that the SDK's retry of our own put meets 412,
//! and a bucket that cannot be used (access denied, nothing listening).
//!
//! S3 User Guide, "Conditional writes": "If there's a conflict with a concurrent conditional
//! write on the same key, S3 returns 409 ConditionalRequestConflict; retry the request"; a put
//! with `If-None-Match: *` on an existing key returns 412 PreconditionFailed (S3 API Reference,
//! PutObject). moto 5.2.5 never answers 409 and never loses an answer, hence mocks. GetObject is
//! answered as raw HTTP, with S3's Date and Last-Modified headers: the lease's age is judged by
//! S3's clock (the `ServerDate` interceptor reads Date), never the laptop's.

use super::*;
use aws_smithy_mocks::Rule;
use std::sync::{Arc, Mutex};
use switchyard::action::audit::{AuditLog, Phase};
use switchyard::action::team::{CONFLICT_RETRIES, Holding, LeaseError, Taken};
use switchyard::action::{Execution, Status, Verification, plan};
use switchyard::model::{LEASE_SCHEMA, Lease, Timestamp};
use switchyard::source::aws::team::S3Team;
use switchyard::source::team::TeamStore;
use switchyard::source::{Backend, Clock};

const BUCKET: &str = "team-bucket";
const LOCK_KEY: &str = "switchyard/locks/sample.json";

/// S3's REST-XML error document, as S3 sends it.
fn s3_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>{code}</Code><Message>{message}</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>mock</HostId></Error>"#
    );
    let mut response =
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
    response
        .headers_mut()
        .insert("content-type", "application/xml");
    response
}

fn conflict() -> HttpResponse {
    s3_error(
        409,
        "ConditionalRequestConflict",
        "A conflicting conditional operation is currently in progress against this resource. \
         Please try again.",
    )
}

fn precondition_failed() -> HttpResponse {
    s3_error(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    )
}

/// PutObject's 200 with the new object's ETag.
fn put_ok(etag: &'static str) -> HttpResponse {
    let mut response = HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::empty());
    response.headers_mut().insert("etag", etag);
    response
}

/// HTTP-date, as S3 writes Date and Last-Modified (RFC 7231, IMF-fixdate).
fn http_date(t: Timestamp) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// GetObject's 200: the body, its ETag and LastModified, and S3's Date.
fn object(body: Vec<u8>, etag: &str, last_modified: Timestamp, date: Timestamp) -> HttpResponse {
    let length = body.len().to_string();
    let mut response = HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::from(body));
    let headers = response.headers_mut();
    headers.insert("etag", etag.to_string());
    headers.insert("last-modified", http_date(last_modified));
    headers.insert("date", http_date(date));
    headers.insert("content-type", "application/json");
    headers.insert("content-length", length);
    response
}

fn s3_client(rules: &[&Rule], retry: RetryConfig) -> aws_sdk_s3::Client {
    let mut interceptor = aws_smithy_mocks::MockResponseInterceptor::new();
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "AKIDMOCK",
                "mock-secret",
                None,
                None,
                "aws_mocks",
            ))
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .interceptor(interceptor)
            .retry_config(retry)
            .build(),
    )
}

fn team_store(client: aws_sdk_s3::Client) -> TeamStore {
    TeamStore::s3(
        S3Team::new(client, BUCKET, "us-east-1", None),
        "switchyard/".into(),
        Duration::from_secs(120),
    )
}

fn lease(who: &str) -> Lease {
    Lease {
        schema: LEASE_SCHEMA.into(),
        holder: format!("{who}-laptop/4242/{who}-id"),
        actor: Some(format!("arn:aws:sts::111122223333:assumed-role/ops/{who}")),
        host: format!("{who}-laptop"),
        action: "failover".into(),
        service: "sample".into(),
        target: "us-west-2".into(),
        plan_digest: String::new(),
        audit_id: format!("{who}-id"),
        since: now(),
        lease_seconds: 120,
        renewals: 0,
    }
}

/// Two 409s, then the put goes through: retried by switchyard after a random wait (the SDK's
/// retry strategy does not retry a 409, so it is off here and every attempt counted is ours).
#[tokio::test]
async fn a_409_conditional_request_conflict_is_retried_with_jitter_then_taken() {
    let put = mock!(aws_sdk_s3::Client::put_object)
        .match_requests(|input| input.if_none_match() == Some("*"))
        .sequence()
        .http_response(conflict)
        .times(2)
        .http_response(|| put_ok("\"e-1\""))
        .build();
    let store = team_store(s3_client(&[&put], RetryConfig::disabled()));
    let started = std::time::Instant::now();
    let (_holding, taken) = Holding::acquire(&store, lease("bob"), now()).await.unwrap();
    assert_eq!(taken, Taken::Fresh);
    assert_eq!(put.num_calls(), 3, "two 409s, then created");
    assert!(
        started.elapsed() >= Duration::from_millis(100 + 200),
        "waited (at least 100 ms, then 200 ms) between the attempts: {:?}",
        started.elapsed()
    );
}

/// A key that keeps answering 409 is given up after a bounded number of tries. S3 answered:
/// someone is writing the lease, so this is not an unusable bucket a reason could force past.
#[tokio::test]
async fn a_conflict_that_never_ends_gives_up_unsure() {
    let put = mock!(aws_sdk_s3::Client::put_object).then_http_response(conflict);
    let store = team_store(s3_client(&[&put], RetryConfig::disabled()));
    let refused = Holding::acquire(&store, lease("bob"), now()).await;
    let Err(LeaseError::Unsure(why)) = refused else {
        panic!("expected Unsure, got {:?}", refused.map(|r| r.1));
    };
    assert!(
        why.contains("s3://team-bucket/switchyard/") && why.contains("409"),
        "{why}"
    );
    assert_eq!(put.num_calls(), CONFLICT_RETRIES as usize + 1);
}

/// A key that churns under us (every create meets 412, and every read then finds it gone:
/// someone takes and releases it again and again) is given up after a bounded number of rounds,
/// refused (and not forceable: S3 answered), instead of holding the action in a loop.
#[tokio::test]
async fn a_lease_that_changes_under_every_attempt_is_given_up() {
    let put = mock!(aws_sdk_s3::Client::put_object).then_http_response(precondition_failed);
    let get = mock!(aws_sdk_s3::Client::get_object)
        .then_http_response(|| s3_error(404, "NoSuchKey", "The specified key does not exist."));
    let store = team_store(s3_client(&[&put, &get], RetryConfig::disabled()));
    let refused = Holding::acquire(&store, lease("bob"), now()).await;
    let Err(LeaseError::Unsure(why)) = refused else {
        panic!("expected Unsure, got {:?}", refused.map(|r| r.1));
    };
    assert!(why.contains("changed under every attempt"), "{why}");
    assert_eq!(put.num_calls(), 10, "ten rounds");
    assert_eq!(get.num_calls(), 10);
}

/// S3 answered 412 (the lease exists) but reading it failed (access denied on GetObject): who
/// holds it cannot be told, so the action is refused even when forced with a reason, as a live
/// lease of someone else's would be.
#[tokio::test]
async fn a_lease_that_exists_but_cannot_be_read_is_never_forced_past() {
    let put = mock!(aws_sdk_s3::Client::put_object).then_http_response(precondition_failed);
    let get = mock!(aws_sdk_s3::Client::get_object)
        .then_http_response(|| s3_error(403, "AccessDenied", "Access Denied"));
    let store = team_store(s3_client(&[&put, &get], RetryConfig::disabled()));
    let refused = Holding::acquire(&store, lease("bob"), now()).await;
    assert!(
        matches!(refused, Err(LeaseError::Unsure(_))),
        "{:?}",
        refused.map(|r| r.1)
    );
}

/// The first put was applied but its answer was lost (a 500 here; a timeout is the same to the
/// SDK): the SDK retries the same request, which now meets our own object (412). Reading the
/// lock shows our holder id: the lease is ours, not someone else's. Its release deletes the
/// ETag read back.
#[tokio::test]
async fn our_put_whose_answer_was_lost_meets_412_on_retry_and_is_recognised_as_ours() {
    let sent: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
    let put = {
        let sent = Arc::clone(&sent);
        mock!(aws_sdk_s3::Client::put_object)
            .match_requests(move |input| {
                *sent.lock().unwrap() = input.body().bytes().map(<[u8]>::to_vec);
                input.if_none_match() == Some("*") && input.key() == Some(LOCK_KEY)
            })
            .sequence()
            .http_response(internal_error)
            .http_response(precondition_failed)
            .build()
    };
    let get = {
        let sent = Arc::clone(&sent);
        mock!(aws_sdk_s3::Client::get_object)
            .match_requests(|input| input.key() == Some(LOCK_KEY))
            .then_http_response(move || {
                let body = sent.lock().unwrap().clone().expect("the put's body");
                object(
                    body,
                    "\"e-ours\"",
                    now(),
                    now() + chrono::Duration::seconds(1),
                )
            })
    };
    let delete = delete_if_match("\"e-ours\"");
    // As a client from the shared SDK config: the standard retry strategy (here with short
    // backoffs).
    let store = team_store(s3_client(&[&put, &get, &delete], sdk_retries()));
    let (holding, taken) = Holding::acquire(&store, lease("bob"), now()).await.unwrap();
    assert_eq!(taken, Taken::OwnLostAnswer);
    assert_eq!(put.num_calls(), 2, "the SDK's retry of the same put");
    assert_eq!(get.num_calls(), 1, "the holder read back");
    holding.release(now()).await;
    assert_eq!(
        delete.num_calls(),
        1,
        "released with If-Match on the ETag read"
    );
}

/// A renewal whose answer was lost: our `If-Match` put was applied (the ETag moved), the SDK's
/// retry of the same request then meets 412 (S3 API Reference, PutObject: `If-Match` fails when
/// the ETag differs). Reading the lock shows our own holder id with our renewal: the lease is
/// still ours, not taken over, and the release deletes the ETag read back (else the lease would
/// block the team until it lapsed).
#[tokio::test]
async fn a_renewal_whose_answer_was_lost_is_still_ours_and_released() {
    let sent: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
    let create = mock!(aws_sdk_s3::Client::put_object)
        .match_requests(|input| input.if_none_match() == Some("*"))
        .then_http_response(|| put_ok("\"e-1\""));
    let renew = {
        let sent = Arc::clone(&sent);
        mock!(aws_sdk_s3::Client::put_object)
            .match_requests(move |input| {
                *sent.lock().unwrap() = input.body().bytes().map(<[u8]>::to_vec);
                input.if_match() == Some("\"e-1\"")
            })
            .sequence()
            .http_response(internal_error)
            .http_response(precondition_failed)
            .build()
    };
    let get = {
        let sent = Arc::clone(&sent);
        mock!(aws_sdk_s3::Client::get_object).then_http_response(move || {
            let body = sent.lock().unwrap().clone().expect("the renewal's body");
            object(body, "\"e-2\"", now(), now())
        })
    };
    let delete = delete_if_match("\"e-2\"");
    let store = team_store(s3_client(&[&create, &renew, &get, &delete], sdk_retries()));
    let (holding, taken) = Holding::acquire(&store, lease("bob"), now()).await.unwrap();
    assert_eq!(taken, Taken::Fresh);
    holding
        .renew(now())
        .await
        .expect("our own renewal is not a takeover");
    assert_eq!(renew.num_calls(), 2, "the SDK's retry of the same put");
    assert_eq!(get.num_calls(), 1, "the holder read back");
    holding.release(now()).await;
    assert_eq!(
        delete.num_calls(),
        1,
        "released with If-Match on the ETag of our renewal"
    );
}

/// The same 412 when the holder read back is someone else, live by S3's clock (written 40 s
/// before S3's Date, whatever the caller's clock says): refused, naming them.
#[tokio::test]
async fn a_412_with_someone_elses_live_lease_is_refused_by_s3s_clock() {
    let put = mock!(aws_sdk_s3::Client::put_object).then_http_response(precondition_failed);
    let get = mock!(aws_sdk_s3::Client::get_object).then_http_response(|| {
        let s3_now = now() + chrono::Duration::seconds(40);
        object(
            serde_json::to_vec(&lease("alice")).unwrap(),
            "\"e-alice\"",
            now(),
            s3_now,
        )
    });
    let store = team_store(s3_client(&[&put, &get], RetryConfig::disabled()));
    // The laptop's clock is an hour ahead: it must not make alice's lease look expired.
    let laptop = now() + chrono::Duration::hours(1);
    let refused = Holding::acquire(&store, lease("bob"), laptop).await;
    let Err(LeaseError::Held(seen)) = refused else {
        panic!("expected Held, got {:?}", refused.map(|r| r.1));
    };
    assert_eq!(seen.age_s, 40, "S3's Date less LastModified");
    assert_eq!(seen.lease.holder, "alice-laptop/4242/alice-id");
    assert_eq!(put.num_calls(), 1);
}

// ---------------------------------------------------------------------------------------------
// An action whose team bucket cannot be used
// ---------------------------------------------------------------------------------------------

const HEALTH_TOML: &str = r#"
[[service]]
name = "sample"
domain = "sample.example.com"
hosted_zone_id = "ZSAMPLE"
regions = ["us-east-1", "us-west-2"]
functions = ["sample-api"]
health_checks = { "us-east-1" = "hc-east", "us-west-2" = "hc-west" }
"#;

/// Route 53 as a failback needs it: hc-east starts inverted (failed over to us-west-2); each
/// UpdateHealthCheck sets the flag it sends, and is counted.
struct Route53 {
    get: Rule,
    status: Rule,
    update: Rule,
}

fn route53() -> Route53 {
    use aws_sdk_route53::operation::get_health_check::GetHealthCheckOutput;
    use aws_sdk_route53::operation::update_health_check::UpdateHealthCheckOutput;
    use aws_sdk_route53::types::{HealthCheck as R53Check, HealthCheckConfig, HealthCheckType};
    let inverted = Arc::new(Mutex::new(true));
    let check = |id: &str, inverted: bool| {
        R53Check::builder()
            .id(id)
            .caller_reference(format!("ref-{id}"))
            .health_check_version(3)
            .health_check_config(
                HealthCheckConfig::builder()
                    .r#type(HealthCheckType::Https)
                    .fully_qualified_domain_name(format!("{id}.sample.example.com"))
                    .inverted(inverted)
                    .disabled(false)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    let get = {
        let inverted = Arc::clone(&inverted);
        mock!(aws_sdk_route53::Client::get_health_check).then_compute_output(move |r| {
            let id = r.health_check_id().unwrap_or("");
            let flag = id == "hc-east" && *inverted.lock().unwrap();
            GetHealthCheckOutput::builder()
                .health_check(check(id, flag))
                .build()
        })
    };
    let update = {
        let inverted = Arc::clone(&inverted);
        mock!(aws_sdk_route53::Client::update_health_check).then_compute_output(move |r| {
            assert_eq!(r.health_check_id(), Some("hc-east"));
            *inverted.lock().unwrap() = r.inverted().unwrap_or(false);
            UpdateHealthCheckOutput::builder()
                .health_check(check("hc-east", r.inverted().unwrap_or(false)))
                .build()
        })
    };
    let status = aws_mocks_support::route53_fleet::status_rule();
    Route53 {
        get,
        status,
        update,
    }
}

/// A directory under the system temp dir, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "switchyard-aws-mocks-team-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Fail back `sample` through the AWS backend whose team bucket is `team`, with or without a
/// forced reason: the report, the audit records and the UpdateHealthCheck calls made.
async fn failback_with_team(
    name: &str,
    team: aws_sdk_s3::Client,
    forced: Option<&str>,
) -> (
    switchyard::action::Report,
    Vec<switchyard::action::audit::AuditRecord>,
    usize,
) {
    let r53 = route53();
    let (cloudwatch, _) = fake_cloudwatch(MetricTable::new());
    let b = backend(
        HEALTH_TOML,
        ControlClients {
            route53: mocked!(
                aws_sdk_route53,
                RuleMode::MatchAny,
                [&r53.get, &r53.status, &r53.update]
            ),
            cloudwatch: mocked!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&cloudwatch]),
            ..unused_control()
        },
        vec![],
    )
    .with_team(team_store(team));
    let backend = Backend::Aws(b);
    let mut fleet = Fleet::new(
        backend.services(),
        &backend.schedule(),
        switchyard::config::Thresholds::default(),
    );
    fleet.apply(
        backend
            .fetch(&SourceKey::new(SourceKind::Health, "us-east-1"), now())
            .await,
    );
    let plan = plan::failback(&fleet, "sample", now()).unwrap();
    assert!(
        plan.preflight.passed(),
        "refusals here are the team's: {:?}",
        plan.preflight
    );
    let scratch = Scratch::new(name);
    let log = AuditLog::new(scratch.0.join("audit.jsonl"));
    let clock = Clock::fixed(now());
    let report = Execution {
        backend: &backend,
        log: &log,
        clock: &clock,
        actor: Some("arn:aws:sts::111122223333:assumed-role/ops/bob".into()),
        verification: Verification {
            attempts: 1,
            interval: Duration::from_millis(10),
        },
    }
    .run(&plan, forced.map(str::to_string))
    .await;
    let records = log.read().unwrap();
    (report, records, r53.update.num_calls())
}

/// The S3 client of a bucket that refuses every call (403 AccessDenied).
fn access_denied() -> aws_sdk_s3::Client {
    let denied = || s3_error(403, "AccessDenied", "Access Denied");
    let put = mock!(aws_sdk_s3::Client::put_object).then_http_response(denied);
    let get = mock!(aws_sdk_s3::Client::get_object).then_http_response(denied);
    let delete = mock!(aws_sdk_s3::Client::delete_object).then_http_response(denied);
    s3_client(&[&put, &get, &delete], RetryConfig::disabled())
}

/// The S3 client of an endpoint on 127.0.0.1 where nothing listens (the connection is refused),
/// with the real HTTP client (not a mock).
fn nothing_listening() -> aws_sdk_s3::Client {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .force_path_style(true)
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "AKIDMOCK",
                "mock-secret",
                None,
                None,
                "aws_mocks",
            ))
            .retry_config(RetryConfig::disabled())
            .build(),
    )
}

/// The S3 client of an endpoint on 127.0.0.1 that accepts connections and never answers, with
/// a short operation timeout (the real client's is 15 s, from the shared SDK config).
fn silent() -> aws_sdk_s3::Client {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Holds every connection open without reading or writing, until the test binary ends.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .force_path_style(true)
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "AKIDMOCK",
                "mock-secret",
                None,
                None,
                "aws_mocks",
            ))
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                aws_sdk_s3::config::timeout::TimeoutConfig::builder()
                    .operation_timeout(Duration::from_millis(300))
                    .build(),
            )
            .build(),
    )
}

/// A bucket that cannot be used refuses the action before its intent: nothing is sent to
/// Route 53, nothing is logged.
#[tokio::test]
async fn an_unusable_team_bucket_refuses_the_action_and_nothing_is_sent() {
    for (name, client, says) in [
        ("denied", access_denied(), "access denied (AccessDenied"),
        (
            "refused",
            nothing_listening(),
            "S3 PutObject in us-east-1: cannot reach the endpoint",
        ),
        ("silent", silent(), "S3 PutObject in us-east-1: timed out"),
    ] {
        let (report, records, updates) = failback_with_team(name, client, None).await;
        assert_eq!(report.status, Status::Refused, "{name}: {report:?}");
        assert_eq!(report.id, None, "{name}: no intent");
        let m = &report.message;
        for part in [
            "s3://team-bucket/switchyard/",
            says,
            "nothing was sent",
            "To act without the team lock",
            "--force --reason",
        ] {
            assert!(m.contains(part), "{name}: {part:?} not in {m}");
        }
        assert!(records.is_empty(), "{name}: nothing logged");
        assert_eq!(updates, 0, "{name}: no UpdateHealthCheck");
    }
}

/// Forced with a reason, the action runs without the team lock, and its intent says so.
#[tokio::test]
async fn an_unusable_team_bucket_forced_with_a_reason_acts_and_the_intent_says_not_held() {
    let (report, records, updates) = failback_with_team(
        "forced",
        access_denied(),
        Some("the team bucket is down; paged the owner"),
    )
    .await;
    assert_eq!(report.status, Status::Verified, "{report:?}");
    assert_eq!(updates, 1);
    let lock = report.team_lock.clone().unwrap();
    assert!(
        lock.starts_with("not held: s3://team-bucket/switchyard/") && lock.contains("AccessDenied"),
        "{lock}"
    );
    assert_eq!(
        records.iter().map(|r| r.phase).collect::<Vec<_>>(),
        [Phase::Intent, Phase::Result, Phase::Verified]
    );
    assert_eq!(records[0].team_lock.as_deref(), Some(lock.as_str()));
    assert_eq!(
        records[0].forced_reason.as_deref(),
        Some("the team bucket is down; paged the owner")
    );
    let waiting = report.team_error.clone().unwrap();
    assert!(
        waiting.contains("3 record(s) not yet in the team's bucket")
            && waiting.contains("sent at the next start"),
        "{waiting}"
    );
}

/// The SDK's standard retries (3 attempts), with short backoffs: what retries a put whose answer
/// was lost.
fn sdk_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(10))
}

/// 500 InternalError: what S3 answers when the answer to an applied put is lost, as the SDK
/// sees it (it retries).
fn internal_error() -> HttpResponse {
    s3_error(
        500,
        "InternalError",
        "We encountered an internal error. Please try again.",
    )
}

/// DeleteObject with `If-Match: etag`, answered with success.
fn delete_if_match(etag: &'static str) -> Rule {
    mock!(aws_sdk_s3::Client::delete_object)
        .match_requests(move |input| input.if_match() == Some(etag))
        .then_output(|| aws_sdk_s3::operation::delete_object::DeleteObjectOutput::builder().build())
}
