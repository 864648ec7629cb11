//! The `dns` source's name servers from the zone's delegation set (Route 53 API reference,
//! GetHostedZone: `DelegationSet.NameServers`), read once and kept: GetHostedZone is a Route 53
//! control-plane call, so once read, DNS truth must not need it again (AWS Fault Isolation
//! Boundaries whitepaper, Route 53 appendix: DNS answers are data plane). A mock, because moto
//! serves no DNS and its delegation set names no server anyone can ask. The delegation set here
//! names `localhost`, which resolves without a network; nothing answers DNS there, so the
//! truth's error names the server asked.

use super::*;
use aws_sdk_route53::operation::get_hosted_zone::{GetHostedZoneError, GetHostedZoneOutput};
use aws_sdk_route53::types::{DelegationSet, HostedZone};

const ZONE: &str = r#"
[[service]]
name = "api"
domain = "api.example.com"
hosted_zone_id = "ZAPI"
regions = ["us-east-1", "us-west-2"]
functions = ["api-fn"]
"#;

fn zone_with_delegation_set() -> GetHostedZoneOutput {
    GetHostedZoneOutput::builder()
        .hosted_zone(
            HostedZone::builder()
                .id("/hostedzone/ZAPI")
                .name("example.com.")
                .caller_reference("ref")
                .build()
                .unwrap(),
        )
        .delegation_set(
            DelegationSet::builder()
                .name_servers("localhost")
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn the_delegation_set_is_read_once_and_kept_while_the_route53_api_fails() {
    let get_zone = mock!(aws_sdk_route53::Client::get_hosted_zone)
        .match_requests(|r| r.id() == Some("ZAPI"))
        .sequence()
        .error(|| GetHostedZoneError::generic(meta("ServiceUnavailable", "unavailable")))
        .output(zone_with_delegation_set)
        // Any later GetHostedZone fails: the control plane is down from here on.
        .error(|| GetHostedZoneError::generic(meta("ServiceUnavailable", "unavailable")))
        .times(5)
        .build();
    let control = ControlClients {
        route53: mocked!(aws_sdk_route53, RuleMode::Sequential, [&get_zone]),
        ..unused_control()
    };
    let b = backend(ZONE, control, vec![]).with_delegation_lookup(true);
    let key = SourceKey::new(SourceKind::Dns, "global");
    let truth = |result: Result<Payload, SourceError>| match result {
        Ok(Payload::Dns(entries)) => entries[0].value.clone(),
        other => panic!("{other:?}"),
    };

    // GetHostedZone fails before it was ever read: no name server known, said so.
    let (tally, result) = b.fetch(&key, now()).await;
    assert_eq!(tally.route53_calls, 1);
    let first = truth(result);
    let error = first.error.unwrap();
    assert!(error.contains("GetHostedZone failed"), "{error}");
    assert!(
        tally.partial.is_some(),
        "the failure is the source's partial error"
    );

    // Read: the delegation set's name servers are asked (port 53).
    let (tally, result) = b.fetch(&key, now()).await;
    assert_eq!(tally.route53_calls, 1);
    assert_eq!(truth(result).nameserver.as_deref(), Some("localhost:53"));

    // Kept: later fetches ask the same name servers without calling Route 53 again.
    for _ in 0..2 {
        let (tally, result) = b.fetch(&key, now()).await;
        assert_eq!(tally.route53_calls, 0, "no GetHostedZone once read");
        assert_eq!(truth(result).nameserver.as_deref(), Some("localhost:53"));
    }
    assert_eq!(get_zone.num_calls(), 2);
}
