//! STS: who the console acts as.

use super::AwsBackend;
use super::errors::{Operation, fail};
use crate::source::SourceError;

pub async fn caller(b: &AwsBackend) -> Result<String, SourceError> {
    let op = Operation {
        service: "STS",
        api: "GetCallerIdentity",
        region: &b.config.aws.control_region,
    };
    let out = b
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(fail(op, b.profile()))?;
    Ok(out.arn().unwrap_or("unknown caller").to_string())
}
