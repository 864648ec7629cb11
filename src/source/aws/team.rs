//! The team bucket on S3 (see `source/team`): PutObject with `If-None-Match: *` or `If-Match`,
//! GetObject with S3's own time of the answer (its Date header), DeleteObject with `If-Match`,
//! ListObjectsV2. 412 and 409 are told apart from a bucket that cannot be used.

use super::errors::{Operation, describe};
use crate::model::Timestamp;
use crate::source::team::{Object, StoreError};
use aws_sdk_s3::config::interceptors::BeforeDeserializationInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::{BoxError, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use std::sync::{Arc, Mutex};

/// The S3 client of the team bucket's region, and the bucket.
#[derive(Clone)]
pub struct S3Team {
    client: aws_sdk_s3::Client,
    bucket: String,
    region: String,
    profile: Option<String>,
}

impl S3Team {
    pub fn new(
        client: aws_sdk_s3::Client,
        bucket: impl Into<String>,
        region: impl Into<String>,
        profile: Option<String>,
    ) -> Self {
        S3Team {
            client,
            bucket: bucket.into(),
            region: region.into(),
            profile,
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    fn op<'a>(&'a self, api: &'a str) -> Operation<'a> {
        Operation {
            service: "S3",
            api,
            region: &self.region,
        }
    }

    /// What a failed call means here: 412 and 409 are answers about the object; anything else
    /// is the bucket being out of reach (worded with what to do).
    fn team_fail<E>(
        &self,
        api: &str,
        err: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    ) -> StoreError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        if let SdkError::ServiceError(e) = err {
            match e.raw().status().as_u16() {
                412 => return StoreError::Precondition,
                409 if e.err().code() == Some("ConditionalRequestConflict") => {
                    return StoreError::Conflict;
                }
                _ => {}
            }
        }
        let described = describe(self.op(api), err, self.profile.as_deref());
        StoreError::Unavailable(format!("bucket {}: {}", self.bucket, described.message))
    }

    pub async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        if_match: Option<&str>,
    ) -> Result<String, StoreError> {
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body));
        let request = match if_match {
            Some(etag) => request.if_match(etag),
            None => request.if_none_match("*"),
        };
        let out = request
            .send()
            .await
            .map_err(|e| self.team_fail("PutObject", &e))?;
        Ok(out.e_tag().unwrap_or_default().to_string())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        let date = ServerDate::default();
        let sent = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .customize()
            .interceptor(date.clone())
            .send()
            .await;
        let out = match sent {
            Ok(out) => out,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => return Ok(None),
            Err(e) => return Err(self.team_fail("GetObject", &e)),
        };
        let etag = out.e_tag().unwrap_or_default().to_string();
        let last_modified = out.last_modified().and_then(super::timestamp);
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| {
                StoreError::Unavailable(format!(
                    "bucket {}: S3 GetObject {key}: the body was cut off: {e}",
                    self.bucket
                ))
            })?
            .into_bytes()
            .to_vec();
        let server_time = date.get();
        let (Some(last_modified), Some(server_time)) = (last_modified, server_time) else {
            return Err(StoreError::Unavailable(format!(
                "bucket {}: S3 GetObject {key} answered without LastModified or Date",
                self.bucket
            )));
        };
        Ok(Some(Object {
            body,
            etag,
            last_modified,
            server_time,
        }))
    }

    pub async fn delete(&self, key: &str, etag: &str) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .if_match(etag)
            .send()
            .await
            .map_err(|e| self.team_fail("DeleteObject", &e))?;
        Ok(())
    }

    /// Every key under `prefix` with its LastModified (ListObjectsV2, all pages).
    pub async fn list(&self, prefix: &str) -> Result<Vec<(String, Option<Timestamp>)>, StoreError> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| self.team_fail("ListObjectsV2", &e))?;
            keys.extend(out.contents().iter().filter_map(|o| {
                let written = o.last_modified().and_then(super::timestamp);
                o.key().map(|k| (k.to_string(), written))
            }));
            match out.next_continuation_token() {
                Some(next) if out.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => break,
            }
        }
        Ok(keys)
    }
}

/// Keeps the Date header of the response it sees: S3's clock at the moment it answered.
#[derive(Debug, Clone, Default)]
struct ServerDate(Arc<Mutex<Option<Timestamp>>>);

impl ServerDate {
    fn get(&self) -> Option<Timestamp> {
        self.0.lock().ok().and_then(|d| *d)
    }
}

impl Intercept for ServerDate {
    fn name(&self) -> &'static str {
        "ServerDate"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let date = context
            .response()
            .headers()
            .get("date")
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .map(|d| d.with_timezone(&chrono::Utc));
        if let (Some(date), Ok(mut slot)) = (date, self.0.lock()) {
            *slot = Some(date);
        }
        Ok(())
    }
}
