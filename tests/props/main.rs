#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests.
//!
//! 1. Config parsing never panics and always points inside the file: arbitrary strings, strings
//!    of TOML-ish tokens, and mutations of every config fixture (characters and whole lines
//!    deleted, inserted, replaced, duplicated, swapped; truncation; unicode and control
//!    characters). `Config::parse` returns Ok (and then the config keeps every promise
//!    validation makes) or `ConfigError::Invalid` at a line and column that exist in the text,
//!    displayed as `x.toml:LINE:COLUMN: ...`.
//! 2. The AWS backend survives whatever the services answer: for each source kind, every API it
//!    calls is mocked (aws-smithy-mocks raw HTTP responses) with arbitrary status codes, headers
//!    and bodies: hand-written bodies of the right shape with arbitrary field values, mutated
//!    and truncated ones, modeled error bodies, random bytes and strings. The fetch must return
//!    Ok with the payload of its kind or Err naming the service, API and region (partial
//!    failures too); and the console must take the result (state update, JSON snapshot and
//!    check, a full render) without panicking.
//!
//! Two bugs these found are kept as tests with the inputs they shrank to:
//! `pipeline_approval_in_the_last_week_of_time_does_not_panic` and
//! `pagination_stops_when_a_token_repeats`.

#[path = "../aws_mocks_support/mod.rs"]
mod aws_mocks_support;
mod config;
#[macro_use]
mod fetches;
mod pagination;
mod replies;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use aws_mocks_support::{backend, mocked, no_domains_region, now, unused_control, unused_region};
use aws_smithy_mocks::{RuleMode, mock};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{TestCaseError, TestRunner};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use switchyard::config::{Config, ConfigError, Mechanism, Thresholds};
use switchyard::fleet::Fleet;
use switchyard::report;
use switchyard::source::aws::{AwsBackend, ControlClients, RegionClients, Tally};
use switchyard::source::{Fetched, Payload, SourceError, SourceKey, SourceKind};
use switchyard::state::{Msg, State, update};
use switchyard::ui::{self, Theme};

/// Cases per config property: each parse takes microseconds.
const CONFIG_CASES: u32 = 256;
/// Cases per fetch property: each builds a dozen mocked SDK clients.
const FETCH_CASES: u32 = 64;

fn proptest_config(cases: u32) -> ProptestConfig {
    // A fixed seed, so CI runs the same cases every time; `SWITCHYARD_PROPTEST_SEED=N` explores
    // others (a failure prints the seed's shrunk input either way).
    let seed = std::env::var("SWITCHYARD_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5717_c4ad);
    ProptestConfig {
        cases,
        // Nothing written to disk; a failure prints its shrunk input instead.
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}
