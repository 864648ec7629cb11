//! switchyard: a terminal operations console for services that run AWS Lambda behind API Gateway
//! in several regions with Route 53 failover. The library holds everything; `main.rs` is thin.

pub mod action;
pub mod assess;
pub mod cli;
pub mod config;
pub mod model;
pub mod paths;
pub mod poll;
pub mod report;
pub mod source;
pub mod state;
pub mod tui;
pub mod ui;
