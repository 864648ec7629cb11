//! A real authoritative DNS server for tests: hickory-server in-process on 127.0.0.1, UDP and
//! TCP on one ephemeral port, serving a zone built here (no mock of the resolver side). Also a
//! name server that never answers (a bound UDP socket nobody reads).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use hickory_server::Server;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::rdata::{A, CNAME, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub struct DnsServer {
    pub addr: SocketAddr,
    zone: Arc<InMemoryZoneHandler<TokioRuntimeProvider>>,
    server: Server<Catalog>,
    serial: std::sync::atomic::AtomicU32,
}

fn name(text: &str) -> Name {
    Name::from_str(&format!("{}.", text.trim_end_matches('.'))).unwrap()
}

pub fn cname(owner: &str, ttl: u32, target: &str) -> Record {
    Record::from_rdata(name(owner), ttl, RData::CNAME(CNAME(name(target))))
}

pub fn a(owner: &str, ttl: u32, addr: Ipv4Addr) -> Record {
    Record::from_rdata(name(owner), ttl, RData::A(A(addr)))
}

impl DnsServer {
    /// Serve zone `origin` with `records` (an SOA is added) until [`DnsServer::stop`].
    pub async fn start(origin: &str, records: Vec<Record>) -> DnsServer {
        let zone = Arc::new(InMemoryZoneHandler::<TokioRuntimeProvider>::empty(
            name(origin),
            ZoneType::Primary,
            AxfrPolicy::Deny,
        ));
        let soa = SOA::new(
            name(&format!("ns1.{origin}")),
            name(&format!("hostmaster.{origin}")),
            1,
            3600,
            600,
            86_400,
            60,
        );
        assert!(
            zone.upsert(Record::from_rdata(name(origin), 900, RData::SOA(soa)), 1)
                .await
        );
        for r in records {
            assert!(zone.upsert(r, 1).await, "record refused by the zone");
        }
        let mut catalog = Catalog::new();
        let handler: Arc<dyn ZoneHandler> = zone.clone();
        catalog.upsert(LowerName::new(&name(origin)), vec![handler]);
        let mut server = Server::new(catalog);
        // UDP and TCP on the same ephemeral port (retry if another process holds the TCP one).
        let (udp, tcp) = loop {
            let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let port = udp.local_addr().unwrap().port();
            if let Ok(tcp) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                break (udp, tcp);
            }
        };
        let addr = udp.local_addr().unwrap();
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 64);
        DnsServer {
            addr,
            zone,
            server,
            serial: std::sync::atomic::AtomicU32::new(1),
        }
    }

    /// Replace (or add) a record, as Route 53 does when an answer changes.
    pub async fn upsert(&self, record: Record) {
        let serial = self
            .serial
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        assert!(self.zone.upsert(record, serial).await);
    }

    pub async fn stop(mut self) {
        self.server.shutdown_gracefully().await.unwrap();
    }
}

/// A name server that never answers: a UDP socket bound and never read (and no TCP listener).
pub struct Silent {
    pub addr: SocketAddr,
    _socket: std::net::UdpSocket,
}

impl Silent {
    pub fn bind() -> Silent {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        Silent {
            addr: socket.local_addr().unwrap(),
            _socket: socket,
        }
    }
}
