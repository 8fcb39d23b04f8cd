//! Connections that hold a place without doing their part: handshakes that
//! stall, plaintext and TLS (`abuse stall-handshake`), connections beyond
//! the server's limit (`abuse connections`), and idle connections held
//! while the server is out of descriptors (`abuse hold`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tonic::Code;

use crate::cli::Flags;
use crate::metrics::Increase;
use crate::payload::frame;
use crate::report::{millis, row, secs};
use crate::wire::{HEALTH, call, closed_within, connect, grpc_request};
use crate::{Error, Result};

/// How a stalled connection stalls.
#[derive(Debug, Clone, Copy)]
enum Stall {
    /// Connects and sends nothing.
    Silent,
    /// Sends the first bytes of what the server waits for (the HTTP/2
    /// preface, or over TLS a ClientHello), then nothing.
    Partial,
    /// Finishes the TLS handshake, then sends no HTTP/2 preface.
    TlsNoPreface,
}

/// The first 10 bytes of the HTTP/2 preface (`PRI * HTTP/2.0...`).
const PREFACE_START: &[u8] = b"PRI * HTTP";
/// The first 10 bytes of a TLS handshake record that declares a 512-byte
/// ClientHello: a TLS server waits for the rest.
const CLIENT_HELLO_START: &[u8] = &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03];

/// One stalled connection: when the server closed it, counted from its
/// connect, or `None` if it was still open after `limit`.
async fn stall_one(
    addr: SocketAddr,
    stall: Stall,
    tls: Option<TlsConnector>,
    limit: Duration,
) -> Result<Option<Duration>> {
    let mut tcp = TcpStream::connect(addr).await?;
    let since = Instant::now();
    match (stall, tls) {
        (Stall::Silent, _) => Ok(closed_within(&mut tcp, since, limit).await),
        (Stall::Partial, tls) => {
            let start = if tls.is_some() {
                CLIENT_HELLO_START
            } else {
                PREFACE_START
            };
            tcp.write_all(start).await?;
            Ok(closed_within(&mut tcp, since, limit).await)
        }
        (Stall::TlsNoPreface, Some(tls)) => {
            let mut stream = tls.connect(ServerName::try_from("localhost")?, tcp).await?;
            Ok(closed_within(&mut stream, since, limit).await)
        }
        (Stall::TlsNoPreface, None) => Err("a TLS stall needs --ca".into()),
    }
}

/// A TLS client that trusts the CA in `ca` and offers HTTP/2.
fn tls_connector(ca: &str) -> Result<TlsConnector> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca)? {
        roots.add(cert?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// `abuse stall-handshake`: connections that never finish their handshake
/// (nothing sent, or the first 10 bytes of it; over TLS, with `--ca`, also
/// a finished TLS handshake and no HTTP/2 preface). Each must be closed by
/// the server once its handshake timeout passes.
pub async fn stall_handshake(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let limit = flags.duration("limit", Duration::from_secs(15))?;
    let tls = flags.optional("ca").map(tls_connector).transpose()?;
    let transport = if tls.is_some() { "TLS" } else { "plaintext" };
    let mut kinds = vec![
        (Stall::Silent, flags.number("silent", 100)?),
        (Stall::Partial, flags.number("partial", 100)?),
    ];
    if tls.is_some() {
        kinds.push((Stall::TlsNoPreface, flags.number("no-preface", 100)?));
    }
    let started = Instant::now();
    let mut groups = Vec::new();
    for (stall, n) in kinds {
        let tasks: Vec<_> = (0..n)
            .map(|_| tokio::spawn(stall_one(addr, stall, tls.clone(), limit)))
            .collect();
        groups.push((stall, n, tasks));
    }
    for (stall, n, tasks) in groups {
        let mut closed = Vec::new();
        for task in tasks {
            if let Some(at) = task.await?? {
                closed.push(at);
            }
        }
        let sent = match (stall, transport) {
            (Stall::Silent, _) => format!("{n} {transport} connections that send nothing"),
            (Stall::Partial, "TLS") => {
                format!("{n} TLS connections that send 10 bytes of a ClientHello")
            }
            (Stall::Partial, _) => {
                format!("{n} plaintext connections that send 10 bytes of the HTTP/2 preface")
            }
            (Stall::TlsNoPreface, _) => {
                format!("{n} connections that finish the TLS handshake, then send nothing")
            }
        };
        let figures = match (closed.iter().min(), closed.iter().max()) {
            (Some(first), Some(last)) => format!(
                "closed {}–{} after their connect; all done {} after the first connect",
                secs(*first),
                secs(*last),
                secs(started.elapsed())
            ),
            _ => format!("none closed within {}", secs(limit)),
        };
        row(
            &format!("stalled handshakes ({transport})"),
            &sent,
            &format!("closed by the server: {}/{n}", closed.len()),
            &figures,
        );
    }
    Ok(())
}

/// `abuse connections`: `--handshaked` HTTP/2 connections (handshake done,
/// so they hold their place), then `--extra` idle TCP connections beyond a
/// `--max-connections` of the former's number: each of those must be
/// closed at once, and the first ones must still serve.
pub async fn connections(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let handshaked: usize = flags.number("handshaked", 50)?;
    let extra: usize = flags.number("extra", 50)?;
    let at_once = flags.duration("at-once", Duration::from_secs(1))?;
    let refused =
        Increase::from_now(flags.metrics()?, "textanalysis_connections_refused_total").await?;
    let mut held = Vec::new();
    for _ in 0..handshaked {
        held.push(connect(addr).await?);
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..extra)
        .map(|_| {
            tokio::spawn(async move {
                let mut tcp = TcpStream::connect(addr).await?;
                Ok::<_, Error>(closed_within(&mut tcp, started, at_once).await)
            })
        })
        .collect();
    let mut closed = Vec::new();
    for task in tasks {
        if let Some(at) = task.await?? {
            closed.push(at);
        }
    }
    // Do the connections that got in still serve?
    let mut serving = 0;
    for send in &held {
        let answer = call(send, grpc_request(HEALTH, &[])?, frame(false, &[])).await?;
        serving += usize::from(answer.code == Some(Code::Ok));
    }
    let mut figures = match closed.iter().max() {
        Some(last) => format!("last closed {} after the first connect", millis(*last)),
        None => "none closed".into(),
    };
    figures.push_str(&refused.figure().await?);
    row(
        "connection limit",
        &format!("{handshaked} HTTP/2 connections, then {extra} more idle TCP connections"),
        &format!(
            "extra closed within {}: {}/{extra}; first {handshaked} still answer a health check: {serving}/{handshaked}",
            secs(at_once),
            closed.len()
        ),
        &figures,
    );
    Ok(())
}

/// `abuse hold`: `--connections` idle TCP connections held open for
/// `--seconds`, then closed: with the server's descriptors run out, what
/// the server does meanwhile is measured from outside (`scripts/abuse.sh`
/// reads its CPU time and log).
pub async fn hold(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let n: usize = flags.number("connections", 100)?;
    let seconds = flags.duration("seconds", Duration::from_secs(7))?;
    let mut open = Vec::new();
    let mut failed = 0;
    for _ in 0..n {
        match tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await {
            Ok(Ok(tcp)) => open.push(tcp),
            _ => failed += 1,
        }
    }
    tokio::time::sleep(seconds).await;
    // Which ones did the server close meanwhile?
    let mut closed = 0;
    for tcp in &mut open {
        let since = Instant::now();
        closed += usize::from(
            closed_within(tcp, since, Duration::from_millis(1))
                .await
                .is_some(),
        );
    }
    row(
        "out of descriptors",
        &format!("{n} idle TCP connections held {}", secs(seconds)),
        &format!(
            "connected {}/{n} (failed {failed}); closed by the server meanwhile: {closed}",
            open.len()
        ),
        "see the next row",
    );
    Ok(())
}
