//! switchyard: a terminal operations console for services that run AWS Lambda behind API Gateway
//! in several regions with Route 53 failover. The library holds everything; `main.rs` is thin.
//! The modules form layers that point one way (docs/ARCHITECTURE.md, checked by tests/layers.rs):
//! model, paths → config, logging → source → poll, init → fleet → assess → action, report → journal →
//! session →
//! state → ui → tui → cli.

pub mod action;
pub mod assess;
pub mod cli;
pub mod config;
pub mod fleet;
pub mod init;
pub mod journal;
pub mod logging;
pub mod model;
pub mod paths;
pub mod poll;
pub mod report;
pub mod session;
pub mod source;
pub mod state;
pub mod tui;
pub mod ui;
