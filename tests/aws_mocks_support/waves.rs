//! Which calls a fetch makes at the same time, without a clock: its mocked clients' requests
//! are held until the test lets them through. `in_waves` runs a fetch until it can go no
//! further without an answer, notes every call then in flight (a wave), answers them all, and
//! again until the fetch is done. Calls that do not depend on each other land in the same wave;
//! the number of waves is the longest chain of calls each waiting for the one before.
//!
//! The answers are still the `aws-smithy-mocks` rules' (the held request goes on to the mock
//! HTTP client); an interceptor names each request after its operation.

use std::future::Future;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, Metadata};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::oneshot;

const OPERATION: &str = "x-test-operation";

/// A request held: its operation's name, and what lets it through.
type Held = (String, oneshot::Sender<()>);

/// The requests held.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    held: Arc<Mutex<Vec<Held>>>,
}

impl Gate {
    /// An HTTP client for mocked SDK clients whose requests wait at this gate.
    pub fn client(&self) -> SharedHttpClient {
        SharedHttpClient::new(GatedClient {
            gate: self.clone(),
            inner: aws_smithy_mocks::create_mock_http_client(),
        })
    }

    fn take(&self) -> Vec<Held> {
        std::mem::take(&mut *self.held.lock().unwrap())
    }
}

#[derive(Debug)]
struct GatedClient {
    gate: Gate,
    inner: SharedHttpClient,
}

impl HttpClient for GatedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(GatedConnector {
            gate: self.gate.clone(),
            inner: self.inner.http_connector(settings, components),
        })
    }
}

#[derive(Debug)]
struct GatedConnector {
    gate: Gate,
    inner: SharedHttpConnector,
}

impl HttpConnector for GatedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let name = request
            .headers()
            .get(OPERATION)
            .unwrap_or("(unnamed)")
            .to_string();
        let (open, opened) = oneshot::channel();
        self.gate.held.lock().unwrap().push((name, open));
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            let _ = opened.await;
            inner.call(request).await
        })
    }
}

/// Names each request after its service and operation ("S3 HeadObject"), in a header the gate
/// reads.
#[derive(Debug)]
pub struct NameOperation;

impl Intercept for NameOperation {
    fn name(&self) -> &'static str {
        "NameOperation"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            let name = format!("{} {}", metadata.service(), metadata.name());
            context.request_mut().headers_mut().insert(OPERATION, name);
        }
        Ok(())
    }
}

/// A client of `$krate` answered by the rules, its requests held at `$gate` (see [`Gate`]).
/// (Each test binary compiles this module; not every one uses the macro.)
#[allow(unused_macros)]
macro_rules! gated {
    ($krate:ident, $gate:expr, [$($rule:expr),* $(,)?]) => {{
        #[allow(unused_mut)]
        let mut interceptor = ::aws_smithy_mocks::MockResponseInterceptor::new()
            .rule_mode(::aws_smithy_mocks::RuleMode::MatchAny);
        $(interceptor = interceptor.with_rule($rule);)*
        $krate::Client::from_conf(
            $krate::Config::builder()
                .behavior_version($krate::config::BehaviorVersion::latest())
                .region($krate::config::Region::new("us-east-1"))
                .credentials_provider($krate::config::Credentials::new(
                    "AKIDMOCK", "mock-secret", None, None, "waves",
                ))
                .http_client($gate.client())
                .interceptor(interceptor)
                .interceptor($crate::aws_mocks_support::waves::NameOperation)
                .retry_config(::aws_smithy_types::retry::RetryConfig::disabled())
                .build(),
        )
    }};
}
#[allow(unused_imports)]
pub(crate) use gated;

/// Polls that let every task the fetch woke run until it waits on a held request again. The
/// fetch runs on the test's own task: nothing here depends on time.
const SETTLE: usize = 200;

/// Run `fetch` answering its calls in waves; the waves (operation names, sorted) and its output.
pub async fn in_waves<F: Future>(gate: &Gate, fetch: F) -> (Vec<Vec<String>>, F::Output) {
    let mut fetch = std::pin::pin!(fetch);
    let mut waves = Vec::new();
    loop {
        let settled = async {
            for _ in 0..SETTLE {
                tokio::task::yield_now().await;
            }
        };
        tokio::select! {
            biased;
            output = &mut fetch => return (waves, output),
            () = settled => {}
        }
        let held = gate.take();
        assert!(
            !held.is_empty(),
            "the fetch waits on something other than a call (after waves {waves:?})"
        );
        let mut wave: Vec<String> = held.iter().map(|(name, _)| name.clone()).collect();
        wave.sort();
        waves.push(wave);
        for (_, open) in held {
            let _ = open.send(());
        }
    }
}
