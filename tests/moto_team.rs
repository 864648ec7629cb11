//! Working as a team (README, "Working as a team") against moto's S3: switchyard processes with
//! `[team]` and local state folders of their own (`XDG_STATE_HOME`), as two operators' laptops
//! would be, share one bucket.
//!
//! The rules tested are S3's conditional writes (S3 User Guide, "Conditional writes" and "How to
//! prevent object overwrites with conditional writes"; S3 API Reference, PutObject `If-None-Match`
//! / `If-Match` and DeleteObject `If-Match`): a put with `If-None-Match: *` on an existing key
//! answers 412 PreconditionFailed, a put or delete with `If-Match` on another ETag answers 412.
//! moto 5.2.5 serves these; it never answers 409 ConditionalRequestConflict and cannot lose an
//! answer, which `tests/aws_mocks/team.rs` covers with mocks.
//!
//! Two processes are made to press at the same moment with the debug-build hook
//! `SWITCHYARD_TEST_LEASE_AT` (Unix ms: the lease request waits until then); a crash right after
//! the intent is `SWITCHYARD_TEST_DIE_AFTER_INTENT`. Failovers are forced with a reason because
//! moto serves no CloudWatch metrics (see tests/moto_actions.rs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod moto_support;

use moto_support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use switchyard::action::team::{Holding, LeaseError, Taken};
use switchyard::model::{LEASE_SCHEMA, Lease, short_actor};
use switchyard::source::aws::team::S3Team;
use switchyard::source::team::TeamStore;

const TEAM_BUCKET: &str = "sample-team";
const PREFIX: &str = "switchyard/";
const LOCK_KEY: &str = "switchyard/locks/sample.json";
const REASON: &str = "moto serves no CloudWatch metrics";
/// How far ahead of now two racing processes are told to press: more than a debug build needs
/// to read the world from moto before it asks for the lease.
const PRESS_AHEAD: Duration = Duration::from_millis(3000);

/// `failover --execute` of the sample service to the secondary, forced, JSON out.
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
    REASON,
    "--json",
];

/// moto with the sample service seeded and the team's bucket, and a config with `[team]`.
struct Team {
    moto: Moto,
    /// The config without `[team]`.
    base: PathBuf,
    config: PathBuf,
    primary_check: String,
}

async fn team() -> Team {
    let moto = Moto::start();
    let world = moto.seed(&Spec::default()).await;
    moto.s3(PRIMARY)
        .create_bucket()
        .bucket(TEAM_BUCKET)
        .send()
        .await
        .unwrap();
    let base = write_config(
        moto.dir(),
        moto.port(),
        &world.zone_id,
        ConfigSpec::default(),
    );
    let config = with_team(&base, "team.toml", None);
    Team {
        primary_check: world.health_check(PRIMARY).to_string(),
        moto,
        base,
        config,
    }
}

/// A copy of `config` named `name`, with `[team] bucket` (and `lease`), before the services.
fn with_team(config: &Path, name: &str, lease: Option<&str>) -> PathBuf {
    let text = std::fs::read_to_string(config).unwrap();
    let (head, services) = text.split_once("[[service]]").unwrap();
    let mut table = format!("[team]\nbucket = \"{TEAM_BUCKET}\"\n");
    if let Some(lease) = lease {
        table.push_str(&format!("lease = \"{lease}\"\n"));
    }
    let path = config.with_file_name(name);
    std::fs::write(&path, format!("{head}{table}\n[[service]]{services}")).unwrap();
    path
}

/// One operator: a local state folder of its own (audit log, locks, outbox), as a laptop has.
struct Operator {
    state: PathBuf,
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}); exit {}\nstdout:\n{}\nstderr:\n{}",
                self.code, self.stdout, self.stderr
            )
        })
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Operator {
    fn new(team: &Team, name: &str) -> Operator {
        Operator {
            state: team.moto.dir().join(name).join("state"),
        }
    }

    fn run(&self, config: &Path, args: &[&str], env: &[(&str, String)]) -> Run {
        let mut cmd = switchyard(config);
        cmd.env("XDG_STATE_HOME", &self.state)
            .arg("--config")
            .arg(config)
            .args(args);
        for (name, value) in env {
            cmd.env(name, value);
        }
        let out = cmd.output().unwrap();
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    fn audit(&self) -> Vec<Value> {
        match std::fs::read_to_string(self.state.join("switchyard/audit.jsonl")) {
            Ok(text) => text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The files waiting in `team-outbox/` (next to the audit log).
    fn outbox(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.state.join("switchyard/team-outbox")) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// The library's view of the team bucket in moto (what `Holding` uses).
fn store(moto: &Moto, lease: Duration) -> TeamStore {
    let s3 = S3Team::new(moto.s3(PRIMARY), TEAM_BUCKET, PRIMARY, None);
    TeamStore::s3(s3, PREFIX.into(), lease)
}

/// The object's body and LastModified, or `None` when there is no such key.
async fn object(moto: &Moto, key: &str) -> Option<(Value, String, i64)> {
    match moto
        .s3(PRIMARY)
        .get_object()
        .bucket(TEAM_BUCKET)
        .key(key)
        .send()
        .await
    {
        Ok(out) => {
            let etag = out.e_tag().unwrap().to_string();
            let modified = out.last_modified().unwrap().secs();
            let body = out.body.collect().await.unwrap().into_bytes();
            Some((serde_json::from_slice(&body).unwrap(), etag, modified))
        }
        Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => None,
        Err(e) => panic!("GetObject {key}: {e:?}"),
    }
}

async fn keys(moto: &Moto, prefix: &str) -> Vec<String> {
    let out = moto
        .s3(PRIMARY)
        .list_objects_v2()
        .bucket(TEAM_BUCKET)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    let mut keys: Vec<String> = out
        .contents()
        .iter()
        .map(|o| o.key().unwrap().to_string())
        .collect();
    keys.sort();
    keys
}

/// `PREFIX/audit/YYYY/MM/DD/<id>-<phase>.json`, dated by the record's time.
fn audit_key(record: &Value) -> String {
    let ts: chrono::DateTime<chrono::Utc> = record["ts"].as_str().unwrap().parse().unwrap();
    format!(
        "{PREFIX}audit/{}/{}-{}.json",
        ts.format("%Y/%m/%d"),
        record["id"].as_str().unwrap(),
        record["phase"].as_str().unwrap()
    )
}

fn phases(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["phase"].as_str().unwrap())
        .collect()
}

/// UpdateHealthCheck requests moto received (POST /2013-04-01/healthcheck/ID).
fn health_check_updates(moto: &Moto) -> usize {
    moto.recorded()
        .iter()
        .filter(|(method, url)| method == "POST" && url.contains("/healthcheck/"))
        .count()
}

fn press_at() -> String {
    (chrono::Utc::now() + PRESS_AHEAD)
        .timestamp_millis()
        .to_string()
}

/// Two operators press "failover" at the same millisecond: S3 lets exactly one `If-None-Match: *`
/// put create the lock; the other gets 412, reads the lease and is refused naming the holder,
/// before its intent, so it sends nothing. The winner releases the lease at the end (a
/// conditional delete) and its records are in the bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_racing_a_failover_one_acts_the_other_is_refused_naming_the_holder() {
    let team = team().await;
    let (alice, bob) = (Operator::new(&team, "alice"), Operator::new(&team, "bob"));
    team.moto.start_recording();
    let at = press_at();
    let env = [("SWITCHYARD_TEST_LEASE_AT", at)];
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| alice.run(&team.config, FAILOVER, &env));
        let b = s.spawn(|| bob.run(&team.config, FAILOVER, &env));
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut codes = [a.code, b.code];
    codes.sort();
    assert_eq!(codes, [0, 1], "exactly one acts\nalice: {a}\nbob: {b}");
    let (winner, won, loser, lost) = if a.code == 0 {
        (&alice, &a, &bob, &b)
    } else {
        (&bob, &b, &alice, &a)
    };

    // The winner: held the lease, acted, verified; its intent says so.
    let report = &won.json()["report"];
    assert_eq!(report["status"], "verified", "{won}");
    assert_eq!(report["team_lock"], format!("held: {LOCK_KEY}"), "{won}");
    let records = winner.audit();
    assert_eq!(phases(&records), ["intent", "result", "verified"]);
    assert_eq!(records[0]["team_lock"], format!("held: {LOCK_KEY}"));
    let actor = records[0]["actor"].as_str().unwrap();

    // The loser: refused before any intent, naming who holds it, what and since when.
    let refused = &lost.json()["report"];
    assert_eq!(refused["status"], "refused", "{lost}");
    assert_eq!(refused["id"], Value::Null, "no intent: {lost}");
    let message = refused["message"].as_str().unwrap();
    let host = switchyard::action::team::host();
    for part in [
        "sample is being changed by someone else:",
        "failover sample → us-west-2",
        &format!("by {} on {host}", short_actor(Some(actor))),
        "by S3's clock",
        "nothing was sent",
    ] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert!(loser.audit().is_empty(), "the loser logged nothing");
    assert!(loser.outbox().is_empty());

    // Moto saw one change of the flags, and both lease requests.
    assert_eq!(health_check_updates(&team.moto), 1, "one UpdateHealthCheck");
    assert!(
        team.moto.health_check_flags(&team.primary_check).await.0,
        "the primary's check is inverted"
    );
    let lock_puts = team
        .moto
        .recorded()
        .iter()
        .filter(|(m, url)| m == "PUT" && url.contains(LOCK_KEY))
        .count();
    assert_eq!(lock_puts, 2, "each process asked for the lease once");

    // Released (DeleteObject If-Match), and the winner's records are the team's trail.
    assert_eq!(
        object(&team.moto, LOCK_KEY).await,
        None,
        "the lease is gone"
    );
    let mut expected: Vec<String> = records.iter().map(audit_key).collect();
    expected.sort();
    assert_eq!(keys(&team.moto, &format!("{PREFIX}audit/")).await, expected);
    assert!(winner.outbox().is_empty(), "everything was sent");
    let (intent, _, _) = object(&team.moto, &audit_key(&records[0])).await.unwrap();
    assert_eq!(intent, records[0], "the object is the local record");
}

/// A holder that dies after its intent leaves its lease: while it is live (by S3's clock) the
/// next operator is refused; once it has lapsed, the next operator takes it over with
/// `If-Match` on its ETag, and its intent (locally and in the bucket) records from whom. The
/// dead process's queued intent is sent at its next start (`audit --team`), and the merged trail
/// of both operators flags it unfinished.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_holders_lease_is_kept_while_live_taken_over_once_expired_and_audited() {
    const LEASE_S: u64 = 8;
    let team = team().await;
    let short = with_team(&team.base, "team-short-lease.toml", Some("8s"));
    let (crashed, next) = (
        Operator::new(&team, "crashed"),
        Operator::new(&team, "next"),
    );

    let died = crashed.run(
        &short,
        FAILOVER,
        &[("SWITCHYARD_TEST_DIE_AFTER_INTENT", "1".into())],
    );
    assert_eq!(died.code, 137, "{died}");
    let left = crashed.audit();
    assert_eq!(phases(&left), ["intent"]);
    let dead_id = left[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        crashed.outbox(),
        [format!("{dead_id}-intent.json")],
        "the intent waits in the outbox"
    );
    let (lease, _, _) = object(&team.moto, LOCK_KEY)
        .await
        .expect("the lease is left");
    assert_eq!(lease["audit_id"], dead_id.as_str());
    assert_eq!(lease["lease_seconds"], LEASE_S);

    // Live: the process is gone, but nobody can know that from the bucket. Refused.
    let started = Instant::now();
    let refused = next.run(&team.config, FAILOVER, &[]);
    assert_eq!(refused.code, 1, "{refused}");
    let message = refused.json()["report"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("sample is being changed by someone else")
            && message.contains("lapses after 8 s"),
        "{message}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(LEASE_S),
        "the refusal came before the lease could lapse"
    );
    assert!(next.audit().is_empty());

    // Wait until S3's clock says it lapsed (the Date of a read less its LastModified).
    let store = store(&team.moto, Duration::from_secs(LEASE_S));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let leases = store.leases(chrono::Utc::now()).await.unwrap();
        assert_eq!(leases.len(), 1);
        if leases[0].expired() {
            break;
        }
        assert!(Instant::now() < deadline, "never expired: {leases:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let took = next.run(&team.config, FAILOVER, &[]);
    assert_eq!(took.code, 0, "{took}");
    let team_lock = took.json()["report"]["team_lock"]
        .as_str()
        .unwrap()
        .to_string();
    let records = next.audit();
    assert_eq!(phases(&records), ["intent", "result", "verified"]);
    let actor = records[0]["actor"].as_str().unwrap();
    let from = format!(
        "taken over: {LOCK_KEY} from failover sample → us-west-2 by {actor} on {}",
        switchyard::action::team::host()
    );
    assert!(team_lock.starts_with(&from), "{team_lock}");
    assert!(
        team_lock.contains(&dead_id),
        "names the action whose lease it took: {team_lock}"
    );
    assert!(team_lock.contains("it lapses after 8 s"), "{team_lock}");
    assert_eq!(
        records[0]["team_lock"],
        team_lock.as_str(),
        "in the local log"
    );
    let (shared, _, _) = object(&team.moto, &audit_key(&records[0])).await.unwrap();
    assert_eq!(
        shared["team_lock"],
        team_lock.as_str(),
        "in the team's bucket"
    );
    assert_eq!(object(&team.moto, LOCK_KEY).await, None, "released");
    let next_id = records[0]["id"].as_str().unwrap().to_string();

    // The dead process's intent is not in the bucket yet; its next start sends it.
    let dead_key = audit_key(&left[0]);
    assert_eq!(object(&team.moto, &dead_key).await, None);
    let listed = crashed.run(&team.config, &["audit", "--team", "--json"], &[]);
    assert_eq!(listed.code, 0, "{listed}");
    let trail = listed.json();
    assert_eq!(trail["outbox"]["sent"], 1, "{listed}");
    assert_eq!(trail["outbox"]["left"], 0);
    assert!(crashed.outbox().is_empty(), "the outbox is empty");
    // The id starts with the intent's time (YYYYMMDDT…): the key's date folders are its day.
    assert_eq!(
        dead_key,
        format!(
            "{PREFIX}audit/{}/{}/{}/{dead_id}-intent.json",
            &dead_id[0..4],
            &dead_id[4..6],
            &dead_id[6..8]
        )
    );
    let (sent, _, _) = object(&team.moto, &dead_key).await.expect("sent");
    assert_eq!(sent, left[0]);

    // Both operators' records, newest first, with where each was found; the dead intent is
    // unfinished (its lease is gone), nothing runs.
    let entries = |trail: &Value| -> Vec<(String, String, bool, bool)> {
        trail["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["phase"].as_str().unwrap().to_string(),
                    r["team"].as_bool().unwrap(),
                    r["local"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let e = |id: &str, phase: &str, team: bool, local: bool| {
        (id.to_string(), phase.to_string(), team, local)
    };
    assert_eq!(
        entries(&trail),
        [
            e(&next_id, "verified", true, false),
            e(&next_id, "result", true, false),
            e(&next_id, "intent", true, false),
            e(&dead_id, "intent", true, true),
        ],
        "{listed}"
    );
    assert_eq!(trail["unfinished"], serde_json::json!([dead_id]));
    assert_eq!(trail["running"], serde_json::json!([]));
    let ts: Vec<&str> = trail["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ts"].as_str().unwrap())
        .collect();
    let mut newest_first = ts.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(ts, newest_first);

    let seen_by_next = next.run(&team.config, &["audit", "--team", "--json"], &[]);
    assert_eq!(seen_by_next.code, 0, "{seen_by_next}");
    let trail = seen_by_next.json();
    assert_eq!(trail["outbox"]["sent"], 0, "nothing was left in its outbox");
    assert_eq!(
        entries(&trail),
        [
            e(&next_id, "verified", true, true),
            e(&next_id, "result", true, true),
            e(&next_id, "intent", true, true),
            e(&dead_id, "intent", true, false),
        ]
    );
    assert_eq!(trail["unfinished"], serde_json::json!([dead_id]));

    // The second operator checked AWS and closes the crashed operator's action for the team:
    // the `acknowledged` record reaches the bucket, and nobody's trail flags it any more.
    let ack = next.run(
        &team.config,
        &[
            "audit",
            "--team",
            "--ack",
            &dead_id,
            "--reason",
            "checked Route 53: the flags were never changed",
        ],
        &[],
    );
    assert_eq!(ack.code, 0, "{ack}");
    assert!(
        ack.stdout.contains(&format!("acknowledged {dead_id}")),
        "{ack}"
    );
    let acked = object(
        &team.moto,
        &dead_key.replace("-intent.json", "-acknowledged.json"),
    )
    .await
    .expect("the acknowledgement is in the team's bucket");
    assert_eq!(acked.0["phase"], "acknowledged");
    let seen_by_crashed = crashed.run(&team.config, &["audit", "--team", "--json"], &[]);
    assert_eq!(seen_by_crashed.json()["unfinished"], serde_json::json!([]));
    let again = next.run(
        &team.config,
        &["audit", "--team", "--ack", &dead_id, "--reason", "twice"],
        &[],
    );
    assert_eq!(
        again.code, 2,
        "only an unfinished action can be acknowledged: {again}"
    );
}

fn lease_of(who: &str) -> Lease {
    Lease {
        schema: LEASE_SCHEMA.into(),
        holder: format!("{who}-laptop/1/{who}-id"),
        actor: Some(format!("arn:aws:sts::123456789012:assumed-role/ops/{who}")),
        host: format!("{who}-laptop"),
        action: "failover".into(),
        service: SERVICE.into(),
        target: SECONDARY.into(),
        plan_digest: String::new(),
        audit_id: format!("{who}-id"),
        since: chrono::Utc::now(),
        lease_seconds: 3,
        renewals: 0,
    }
}

/// The lease through the library against moto's S3: a renewal (PutObject `If-Match` on the ETag
/// last written) rewrites the object, so its LastModified, ETag and `renewals` move; a holder
/// whose lease was replaced meanwhile learns it at its next renewal (412), and its release
/// (DeleteObject `If-Match`) leaves the new holder's lease alone.
#[tokio::test]
async fn renewal_moves_the_lease_and_release_deletes_only_our_version() {
    let moto = Moto::start();
    moto.s3(PRIMARY)
        .create_bucket()
        .bucket(TEAM_BUCKET)
        .send()
        .await
        .unwrap();
    let store = store(&moto, Duration::from_secs(3));
    let now = chrono::Utc::now;
    let (holding, taken) = Holding::acquire(&store, lease_of("bob"), now())
        .await
        .unwrap();
    assert_eq!(taken, Taken::Fresh);
    let (first, first_etag, first_written) = object(&moto, LOCK_KEY).await.unwrap();
    assert_eq!(first["renewals"], 0);

    let refused = Holding::acquire(&store, lease_of("carol"), now()).await;
    let Err(LeaseError::Held(seen)) = refused else {
        panic!("expected Held, got {:?}", refused.map(|r| r.1));
    };
    assert_eq!(seen.lease.holder, "bob-laptop/1/bob-id");
    assert!(seen.age_s <= 1, "{seen:?}");

    // S3 keeps LastModified in whole seconds: renew in a later second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    holding.renew(now()).await.unwrap();
    let (renewed, etag, written) = object(&moto, LOCK_KEY).await.unwrap();
    assert_eq!(renewed["renewals"], 1);
    assert_ne!(etag, first_etag);
    assert!(written > first_written, "{written} > {first_written}");

    // Carol replaces it (as a takeover of an expired lease does: If-Match on its ETag).
    let carols = serde_json::to_vec(&lease_of("carol")).unwrap();
    store.replace(LOCK_KEY, carols, &etag, now()).await.unwrap();
    let lost = holding.renew(now()).await.expect_err("taken over");
    assert!(lost.contains("taken over by someone else"), "{lost}");
    holding.release(now()).await;
    let (kept, carols_etag, _) = object(&moto, LOCK_KEY).await.unwrap();
    assert_eq!(kept["holder"], "carol-laptop/1/carol-id", "not deleted");

    // Carol's own release deletes it.
    store.delete(LOCK_KEY, &carols_etag, now()).await.unwrap();
    assert_eq!(object(&moto, LOCK_KEY).await, None);
}
