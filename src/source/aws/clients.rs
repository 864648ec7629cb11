//! The SDK clients: per region, and for the control region (Route 53, its CloudWatch, STS), each
//! API's from its credential set, all through one HTTP client; and each set's SDK configuration.

use crate::config::AwsApi;
use aws_config::{Region, SdkConfig};
use aws_sdk_sts::config::SharedHttpClient;

/// Clients for the services that live in each region.
pub struct RegionClients {
    pub apigateway: aws_sdk_apigateway::Client,
    pub apigatewayv2: aws_sdk_apigatewayv2::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub s3: aws_sdk_s3::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub codepipeline: aws_sdk_codepipeline::Client,
}

impl RegionClients {
    pub fn new(sdk: &SdkConfig, region: Region, path_style: bool) -> RegionClients {
        RegionClients::for_apis(&|_| sdk, region, path_style)
    }

    /// Each API's client from the SDK configuration `sdk_for` gives it (README, "Several
    /// accounts"); CloudWatch here reads the Lambda (and replication) metrics, with Lambda's.
    pub fn for_apis<'a>(
        sdk_for: &dyn Fn(AwsApi) -> &'a SdkConfig,
        region: Region,
        path_style: bool,
    ) -> RegionClients {
        RegionClients {
            apigateway: aws_sdk_apigateway::Client::from_conf(
                aws_sdk_apigateway::config::Builder::from(sdk_for(AwsApi::ApiGateway))
                    .region(region.clone())
                    .build(),
            ),
            apigatewayv2: aws_sdk_apigatewayv2::Client::from_conf(
                aws_sdk_apigatewayv2::config::Builder::from(sdk_for(AwsApi::ApiGateway))
                    .region(region.clone())
                    .build(),
            ),
            lambda: aws_sdk_lambda::Client::from_conf(
                aws_sdk_lambda::config::Builder::from(sdk_for(AwsApi::Lambda))
                    .region(region.clone())
                    .build(),
            ),
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(sdk_for(AwsApi::S3))
                    .region(region.clone())
                    .force_path_style(path_style)
                    .build(),
            ),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(
                aws_sdk_cloudwatch::config::Builder::from(sdk_for(AwsApi::Lambda))
                    .region(region.clone())
                    .build(),
            ),
            codepipeline: aws_sdk_codepipeline::Client::from_conf(
                aws_sdk_codepipeline::config::Builder::from(sdk_for(AwsApi::CodePipeline))
                    .region(region)
                    .build(),
            ),
        }
    }
}

/// Clients for what lives in the control region.
pub struct ControlClients {
    pub route53: aws_sdk_route53::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub sts: aws_sdk_sts::Client,
}

/// One HTTP client for every SDK client of the backend: one connection pool, one TLS setup. An
/// `SdkConfig` without an HTTP client makes each service client build its own default one, each
/// with its own pool (counted on a local keep-alive server: four calls in turn through four
/// clients opened four connections, one with this). This is that default (hyper 1, rustls with
/// aws-lc, the proxy from the environment, as for the SDK's current behavior version), which the
/// SDK does not expose. Its pool is keyed by the connect and read timeouts, which every client
/// here shares.
pub(super) fn shared_http_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// One credential set's SDK configuration: `[aws]`'s settings with the set's profile, and the
/// set's role assumed with those credentials (STS AssumeRole through the same endpoint and HTTP
/// client).
pub(super) async fn load_sdk(
    aws: &crate::config::AwsConfig,
    credentials: &crate::config::Credentials,
    http: SharedHttpClient,
) -> SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(Region::new(aws.control_region.clone()))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(3))
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(super::CONNECT_TIMEOUT)
                .read_timeout(super::READ_TIMEOUT)
                .operation_attempt_timeout(std::time::Duration::from_secs(8))
                .operation_timeout(std::time::Duration::from_secs(15))
                .build(),
        );
    if let Some(profile) = &credentials.profile {
        loader = loader.profile_name(profile);
        // An `[aws.API] profile` of its own is that profile's credentials, never the
        // environment's keys, which come first in the standard chain (they would silently
        // read another account). `[aws] profile` keeps the standard chain, as before.
        if aws.profile.as_ref() != Some(profile) {
            loader = loader.credentials_provider(
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .profile_name(profile)
                    .build(),
            );
        }
    }
    if let Some(endpoint) = &aws.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let sdk = loader.http_client(http).load().await;
    let Some(role) = &credentials.role_arn else {
        return sdk;
    };
    let provider = aws_config::sts::AssumeRoleProvider::builder(role)
        .session_name("switchyard")
        .configure(&sdk)
        .build()
        .await;
    sdk.into_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            provider,
        ))
        .build()
}
