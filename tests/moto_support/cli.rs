//! The config for a seeded world, `switchyard` run on it, and reading the snapshot it prints.

use super::*;

/// What the written config watches besides health, domains and functions.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConfigSpec {
    /// `[service.artifacts]` with `sample-artifacts-{region}` and prefix `builds/`.
    pub artifacts: bool,
    /// `[service.pipeline]` named `sample-deploy` (in the primary region).
    pub pipeline: bool,
}

/// Writes `switchyard.toml` for the seeded `sample` service into `dir`: moto's endpoint,
/// us-east-1 as control region, both regions, both functions, no `health_checks` (they are found
/// from the failover records).
pub fn write_config(dir: &Path, port: u16, zone_id: &str, spec: ConfigSpec) -> PathBuf {
    let mut text = format!(
        r#"# Written by tests/moto_support for a moto server on port {port}.
[aws]
endpoint_url = "http://127.0.0.1:{port}"
control_region = "{PRIMARY}"

[[service]]
name = "{SERVICE}"
domain = "{DOMAIN}"
hosted_zone_id = "{zone_id}"
regions = ["{PRIMARY}", "{SECONDARY}"]
functions = ["{f0}", "{f1}"]
"#,
        f0 = FUNCTIONS[0],
        f1 = FUNCTIONS[1],
    );
    if spec.artifacts {
        text.push_str(
            r#"
[service.artifacts]
bucket = "sample-artifacts-{region}"
prefix = "builds/"
"#,
        );
    }
    if spec.pipeline {
        text.push_str(&format!("\n[service.pipeline]\nname = \"{PIPELINE}\"\n"));
    }
    let path = dir.join("switchyard.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `switchyard snapshot --config PATH --json`: the parsed JSON and the exit code. The CLI sees
/// only test credentials and a HOME/XDG tree of its own (next to the config), so nothing of the
/// developer's `~/.aws`, `AWS_PROFILE` or `AWS_ENDPOINT_URL` is read.
pub fn snapshot(config: &Path) -> (Value, i32) {
    let out = switchyard(config)
        .args(["snapshot", "--json", "--config"])
        .arg(config)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "snapshot did not print JSON ({e}); exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status.code()
        )
    });
    (value, out.status.code().unwrap())
}

/// The CLI with a clean environment: only PATH (and coverage's profile file) pass through.
pub fn switchyard(config: &Path) -> Command {
    let home = config.parent().unwrap().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::cargo_bin("switchyard").unwrap();
    cmd.env_clear();
    for keep in ["PATH", "LLVM_PROFILE_FILE", "CARGO_LLVM_COV"] {
        if let Some(value) = std::env::var_os(keep) {
            cmd.env(keep, value);
        }
    }
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ENDPOINT_URL")
        .current_dir(&home);
    cmd
}

// ---------------------------------------------------------------------------------------------
// Reading the snapshot

pub fn service<'a>(snap: &'a Value, name: &str) -> &'a Value {
    snap["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no service {name} in {snap:#}"))
}

pub fn region<'a>(service: &'a Value, name: &str) -> &'a Value {
    service["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == name)
        .unwrap_or_else(|| panic!("no region {name} in {service:#}"))
}

/// The source entry `kind@region`.
pub fn source<'a>(snap: &'a Value, kind: &str, region: &str) -> &'a Value {
    snap["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == kind && s["region"] == region)
        .unwrap_or_else(|| panic!("no source {kind}@{region} in {:#}", snap["sources"]))
}

/// (source, region) of every source whose `error` is set, sorted.
pub fn failed_sources(snap: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = snap["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["error"].is_null())
        .map(|s| {
            (
                s["source"].as_str().unwrap().to_string(),
                s["region"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The service's findings other than `source_error`, as (severity, code, region, message),
/// sorted.
pub fn findings(service: &Value) -> Vec<(String, String, Option<String>, String)> {
    let mut out: Vec<_> = service["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] != "source_error")
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["region"].as_str().map(str::to_string),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The regions of the service's `source_error` findings, sorted.
pub fn source_error_regions(service: &Value) -> Vec<String> {
    let mut out: Vec<String> = service["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "source_error")
        .map(|f| f["region"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}
