//! switchyard: a terminal operations console for multi-region AWS Lambda services behind API
//! Gateway with Route 53 failover.

pub mod config;
