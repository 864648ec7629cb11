//! DNS truth, asked of the hosted zone's authoritative name servers directly (hickory's client:
//! no resolver, no cache, recursion not desired): over UDP, again over TCP when the answer is
//! truncated, one name server after another until one answers. Route 53 answers DNS from its
//! data plane, so this keeps working when the Route 53 API does not (README, "Against AWS").

use super::Entry;
use crate::model::{DnsData, DnsTruth, RegionTargets, ResolverAnswer, Timestamp, answer_region};
use futures::future::join_all;
use hickory_net::proto::op::{DnsRequest, DnsRequestOptions, DnsResponse, Query, ResponseCode};
use hickory_net::proto::rr::{Name, RData, RecordType};
use hickory_net::runtime::TokioRuntimeProvider;
use hickory_net::tcp::TcpClientStream;
use hickory_net::udp::UdpClientStream;
use hickory_net::xfer::{DnsExchange, DnsHandle, DnsMultiplexer, FirstAnswer};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How long one name server gets for one question, per transport.
pub const NAMESERVER_TIMEOUT: Duration = Duration::from_secs(2);

/// A name server to ask: how it is shown, and where it listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameServer {
    pub label: String,
    pub addr: SocketAddr,
}

/// One service's question: its shared name, the name servers to ask (or why there are none),
/// and each region's target names, to tell which region an answer leads to.
#[derive(Debug, Clone, PartialEq)]
pub struct DnsQuestion {
    pub service: String,
    pub name: String,
    pub nameservers: Result<Vec<NameServer>, String>,
    /// (region, names the shared name's record may point at in that region)
    pub targets: Vec<(String, Vec<String>)>,
    /// Recursive resolvers to ask too (`[dns] resolvers`): how far the change has spread.
    pub resolvers: Vec<NameServer>,
}

/// Every service's DNS truth, asked at once. A service whose name servers all fail carries the
/// error in its own entry; the others are answered all the same.
pub async fn ask_all(
    questions: &[DnsQuestion],
    region: &str,
    now: Timestamp,
) -> Vec<Entry<DnsTruth>> {
    join_all(questions.iter().map(|q| async move {
        Entry {
            service: q.service.clone(),
            region: region.to_string(),
            value: ask(q, now).await,
        }
    }))
    .await
}

/// One service's DNS truth, stamped `now`: the authoritative answer, and the resolvers' if
/// any are set (asked at the same time).
pub async fn ask(q: &DnsQuestion, now: Timestamp) -> DnsTruth {
    let (mut truth, resolvers) = tokio::join!(authoritative(q, now), ask_resolvers(q));
    truth.resolvers = resolvers;
    truth
}

/// Each resolver of `q` asked once, recursion desired (what the users behind it get now, with
/// the TTL left in its cache), all at once.
async fn ask_resolvers(q: &DnsQuestion) -> Vec<ResolverAnswer> {
    let Ok(name) = Name::from_ascii(fqdn(&q.name)) else {
        return Vec::new();
    };
    let name = &name;
    join_all(q.resolvers.iter().map(|r| async move {
        let (answer_region, ttl_s, error) = match lookup(r.addr, name, true).await {
            Ok(Answer::NoSuchName) => (None, None, None),
            Ok(Answer::Records(answers, ttl)) => {
                let targets = resolve_targets(r.addr, true, q, &answers).await;
                (answer_region(&answers, &targets).ok(), ttl, None)
            }
            Err(e) => (None, None, Some(e)),
        };
        ResolverAnswer {
            resolver: r.label.clone(),
            answer_region,
            ttl_s,
            error,
        }
    }))
    .await
}

async fn authoritative(q: &DnsQuestion, now: Timestamp) -> DnsTruth {
    let servers = match &q.nameservers {
        Ok(servers) if !servers.is_empty() => servers,
        Ok(_) => {
            return DnsTruth::failed(&q.name, None, now, "no name servers known".into());
        }
        Err(e) => return DnsTruth::failed(&q.name, None, now, e.clone()),
    };
    let Ok(name) = Name::from_ascii(fqdn(&q.name)) else {
        return DnsTruth::failed(&q.name, None, now, format!("{:?} is no DNS name", q.name));
    };
    let mut failures = Vec::new();
    for server in servers {
        match lookup(server.addr, &name, false).await {
            Ok(Answer::NoSuchName) => {
                return DnsTruth {
                    name: q.name.clone(),
                    answer_region: None,
                    answers: Vec::new(),
                    ttl_s: None,
                    nameserver: Some(server.label.clone()),
                    checked_at: now,
                    note: Some("no such name (NXDOMAIN)".into()),
                    error: None,
                    resolvers: Vec::new(),
                };
            }
            Ok(Answer::Records(answers, ttl)) => {
                let targets = resolve_targets(server.addr, false, q, &answers).await;
                let (answer_region, note) = match answer_region(&answers, &targets) {
                    Ok(region) => (Some(region), None),
                    Err(why) => (None, Some(why)),
                };
                return DnsTruth {
                    name: q.name.clone(),
                    answer_region,
                    answers,
                    ttl_s: ttl,
                    nameserver: Some(server.label.clone()),
                    checked_at: now,
                    note,
                    error: None,
                    resolvers: Vec::new(),
                };
            }
            Err(e) => failures.push(format!("{}: {e}", server.label)),
        }
    }
    DnsTruth::failed(
        &q.name,
        servers.last().map(|s| s.label.clone()),
        now,
        format!(
            "no name server answered for {} ({})",
            q.name,
            failures.join("; ")
        ),
    )
}

/// What one name server said.
enum Answer {
    NoSuchName,
    /// The records (CNAME, A, AAAA) and their smallest TTL.
    Records(Vec<DnsData>, Option<u32>),
}

fn fqdn(name: &str) -> String {
    format!("{}.", name.trim_end_matches('.'))
}

/// Ask one server for `name` (`recursion`: a resolver, else an authoritative name server): A
/// first; a name with no A (and no CNAME) is asked for AAAA.
async fn lookup(server: SocketAddr, name: &Name, recursion: bool) -> Result<Answer, String> {
    let a = query(server, name, RecordType::A, recursion).await?;
    if a.metadata.response_code == ResponseCode::NXDomain {
        return Ok(Answer::NoSuchName);
    }
    let mut records = records_of(&a);
    if records.0.is_empty() {
        let aaaa = query(server, name, RecordType::AAAA, recursion).await?;
        records = records_of(&aaaa);
    }
    Ok(Answer::Records(records.0, records.1))
}

fn records_of(response: &DnsResponse) -> (Vec<DnsData>, Option<u32>) {
    let mut ttl: Option<u32> = None;
    let mut out = Vec::new();
    for r in &response.answers {
        let data = match &r.data {
            RData::CNAME(target) => {
                DnsData::Cname(target.0.to_ascii().trim_end_matches('.').to_string())
            }
            RData::A(a) => DnsData::Addr(IpAddr::V4(a.0)),
            RData::AAAA(a) => DnsData::Addr(IpAddr::V6(a.0)),
            _ => continue,
        };
        ttl = Some(ttl.map_or(r.ttl, |t| t.min(r.ttl)));
        out.push(data);
    }
    (out, ttl)
}

/// One question to one server: UDP, then TCP when the UDP answer is truncated (TC bit). An
/// answer other than NOERROR or NXDOMAIN (SERVFAIL, REFUSED: not authoritative here) is this
/// server failing.
async fn query(
    server: SocketAddr,
    name: &Name,
    kind: RecordType,
    recursion: bool,
) -> Result<DnsResponse, String> {
    let mut options = DnsRequestOptions::default();
    options.recursion_desired = recursion;
    let request = || DnsRequest::from_query(Query::query(name.clone(), kind), options);
    let udp = UdpClientStream::builder(server, TokioRuntimeProvider::default())
        .with_timeout(Some(NAMESERVER_TIMEOUT))
        .with_max_retries(0)
        .exchange();
    let mut response = first(udp.send(request())).await?;
    if response.metadata.truncation {
        let (connect, handle) = TcpClientStream::new(
            server,
            None,
            Some(NAMESERVER_TIMEOUT),
            TokioRuntimeProvider::default(),
        );
        let stream = tokio::time::timeout(NAMESERVER_TIMEOUT, connect)
            .await
            .map_err(|_| {
                "timed out connecting over TCP (after a truncated UDP answer)".to_string()
            })?
            .map_err(|e| format!("TCP (after a truncated UDP answer): {e}"))?;
        let (exchange, background) = DnsExchange::<TokioRuntimeProvider>::from_stream(
            DnsMultiplexer::new(stream, handle).with_timeout(NAMESERVER_TIMEOUT),
        );
        let background = tokio::spawn(background);
        let answer = first(exchange.send(request())).await;
        background.abort();
        response = answer.map_err(|e| format!("TCP (after a truncated UDP answer): {e}"))?;
    }
    match response.metadata.response_code {
        ResponseCode::NoError | ResponseCode::NXDomain => Ok(response),
        code => Err(format!("answered {code}")),
    }
}

async fn first<S>(stream: S) -> Result<DnsResponse, String>
where
    S: futures::Stream<Item = Result<DnsResponse, hickory_net::NetError>> + Unpin,
{
    match tokio::time::timeout(
        NAMESERVER_TIMEOUT + Duration::from_millis(500),
        stream.first_answer(),
    )
    .await
    {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(hickory_net::NetError::Timeout)) | Err(_) => Err(format!(
            "no answer within {}s",
            NAMESERVER_TIMEOUT.as_secs()
        )),
        Ok(Err(e)) => Err(e.to_string()),
    }
}

/// Each region's targets, with their addresses resolved now (from the server that answered)
/// when the answer has addresses to compare; without addresses the names suffice.
async fn resolve_targets(
    server: SocketAddr,
    recursion: bool,
    q: &DnsQuestion,
    answers: &[DnsData],
) -> Vec<RegionTargets> {
    let need_addrs = answers.iter().any(|a| matches!(a, DnsData::Addr(_)));
    join_all(q.targets.iter().map(|(region, names)| async move {
        let mut addrs = Vec::new();
        if need_addrs {
            for n in names {
                let Ok(name) = Name::from_ascii(fqdn(n)) else {
                    continue;
                };
                if let Ok(Answer::Records(found, _)) = lookup(server, &name, recursion).await {
                    addrs.extend(found.into_iter().filter_map(|d| match d {
                        DnsData::Addr(ip) => Some(ip),
                        DnsData::Cname(_) => None,
                    }));
                }
            }
        }
        RegionTargets {
            region: region.clone(),
            names: names.clone(),
            addrs,
        }
    }))
    .await
}

/// `host:port` entries as name servers: addresses as they are, host names resolved once (by the
/// system's resolver). An entry that does not resolve is left out and named in the error when
/// none is left.
pub async fn name_servers(entries: &[String]) -> Result<Vec<NameServer>, String> {
    let mut out = Vec::new();
    let mut failed = Vec::new();
    for entry in entries {
        let found: Result<Vec<SocketAddr>, String> = tokio::net::lookup_host(entry.as_str())
            .await
            .map(Iterator::collect)
            .map_err(|e| e.to_string());
        // An IPv4 address where there is one (hosts without IPv6 routes are common).
        match found.map(|addrs| {
            addrs
                .iter()
                .find(|a| a.is_ipv4())
                .or(addrs.first())
                .copied()
        }) {
            Ok(Some(addr)) => out.push(NameServer {
                label: entry.clone(),
                addr,
            }),
            Ok(None) => failed.push(format!("{entry}: no address")),
            Err(e) => failed.push(format!("{entry}: {e}")),
        }
    }
    if out.is_empty() {
        Err(format!(
            "no name server address could be found ({})",
            failed.join("; ")
        ))
    } else {
        Ok(out)
    }
}
