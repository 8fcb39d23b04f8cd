//! A fair share for each caller: a caller that floods the server is
//! refused part of the time while a steady caller keeps being served
//! promptly, whether callers are named by a header the mesh sets or by
//! their client certificates; a header the server was not told to trust
//! names nobody.
//!
//! A binary of its own, unlike the other integration tests (`tests/it`):
//! it compares latencies, and cargo runs test binaries one after another,
//! so no other test's server competes for the cores while it measures.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// The integration tests' helpers.
#[path = "it/common/mod.rs"]
mod common;

use common::{TestServer, WIRE_STYLE, scrape, with_concurrency};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, SanType};
use textanalysis::config::Callers;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{SummarizeAlgorithm, SummarizeRequest};
use textanalysis::server::{ServerConfig, Tls};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic_types::StatusExt;

/// Concurrent calls of the flooding caller.
const FLOOD: usize = 32;
/// Calls of the steady caller, one at a time, alone and then beside the
/// flood.
const STEADY_CALLS: usize = 300;

/// A text whose summary takes a debug build a few milliseconds, so that
/// the flood's analyses really stand between the steady caller and a
/// worker.
fn text() -> String {
    WIRE_STYLE.repeat(12)
}

/// The setting: one analysis at a time, four waiting.
fn config(callers: Callers) -> ServerConfig {
    ServerConfig {
        callers,
        ..with_concurrency(ServerConfig::default(), 1, 4)
    }
}

fn trusting(header: &str) -> Callers {
    Callers {
        caller_header: vec![header.parse().expect("a header name")],
        ..Callers::default()
    }
}

/// A Summarize request, naming its caller in `l5d-client-id` if given.
fn summarize(text: &str, caller: Option<&str>) -> tonic::Request<SummarizeRequest> {
    let mut request = tonic::Request::new(SummarizeRequest {
        text: text.to_owned(),
        algorithm: SummarizeAlgorithm::Textrank as i32,
        language: "en".into(),
        ..Default::default()
    });
    if let Some(caller) = caller {
        let value = caller.parse().expect("an ASCII caller");
        request.metadata_mut().insert("l5d-client-id", value);
    }
    request
}

/// How the steady caller fared: its calls that succeeded, and the 99th
/// percentile of their latencies.
struct Steady {
    succeeded: usize,
    p99: Duration,
}

async fn steady(client: &mut TextAnalysisServiceClient<Channel>, who: Option<&str>) -> Steady {
    let text = text();
    let mut latencies = Vec::with_capacity(STEADY_CALLS);
    let mut succeeded = 0;
    for _ in 0..STEADY_CALLS {
        let started = Instant::now();
        match client.summarize(summarize(&text, who)).await {
            Ok(_) => {
                succeeded += 1;
                latencies.push(started.elapsed());
            }
            Err(status) => assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}"),
        }
    }
    latencies.sort();
    let p99 = latencies
        .get((latencies.len() * 99).div_ceil(100).saturating_sub(1))
        .copied()
        .unwrap_or(Duration::MAX);
    Steady { succeeded, p99 }
}

/// What the flood got: calls served and refused.
#[derive(Debug, Default)]
struct Flood {
    served: AtomicUsize,
    refused: AtomicUsize,
    /// Told at the first refusal: the flood has taken every place.
    under_way: tokio::sync::Notify,
}

/// A client connecting, to run on the flood's own thread (a channel's
/// connection runs on the runtime that made it).
type Connect = Pin<Box<dyn Future<Output = TextAnalysisServiceClient<Channel>> + Send>>;

/// Starts [`FLOOD`] calls that each send calls back to back until `stop`,
/// from a thread and runtime of their own, as a caller on another machine
/// would: on the test's runtime, the flood's tasks would queue ahead of
/// the steady caller's, and the test would measure its own client.
///
/// Each waits after a refusal for the retry delay the server asks for (its
/// `google.rpc.RetryInfo`), as gRPC clients' retry policies do. The flood
/// still keeps every place taken: a place frees every few milliseconds and
/// dozens of calls wait to retry. Without the delay, in this one process,
/// the refused calls' round trips (microseconds each in a release build,
/// far more in a debug one) would take the cores the analyses need.
fn flood(
    connect: Connect,
    who: Option<&'static str>,
    stop: &Arc<AtomicBool>,
) -> (Arc<Flood>, std::thread::JoinHandle<()>) {
    let counts = Arc::new(Flood::default());
    let (flood, stop) = (counts.clone(), stop.clone());
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("the flood's runtime");
        runtime.block_on(async move {
            let client = connect.await;
            let tasks: Vec<_> = (0..FLOOD)
                .map(|_| {
                    let (mut client, counts, stop) = (client.clone(), flood.clone(), stop.clone());
                    tokio::spawn(async move {
                        let text = text();
                        while !stop.load(Ordering::Acquire) {
                            let Err(status) = client.summarize(summarize(&text, who)).await else {
                                counts.served.fetch_add(1, Ordering::Relaxed);
                                continue;
                            };
                            assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
                            counts.refused.fetch_add(1, Ordering::Relaxed);
                            counts.under_way.notify_one();
                            let retry = status.get_details_retry_info().and_then(|r| r.retry_delay);
                            tokio::time::sleep(retry.expect("a retry delay")).await;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("a flooding call");
            }
        });
    });
    (counts, thread)
}

/// One flood at a time: two at once would halve each other's cores and
/// make both steady callers' figures meaningless.
static ONE_FLOOD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Measures the steady caller alone, then beside the flood, and checks
/// that it kept its share.
async fn steady_keeps_its_share(
    mut steady_client: TextAnalysisServiceClient<Channel>,
    flood_client: Connect,
    names: (Option<&'static str>, Option<&'static str>),
) {
    let (flooder, steady_one) = names;
    let _alone_on_the_machine = ONE_FLOOD.lock().await;
    let alone = steady(&mut steady_client, steady_one).await;
    assert_eq!(alone.succeeded, STEADY_CALLS, "alone, every call is served");

    let stop = Arc::new(AtomicBool::new(false));
    let (flooded, thread) = flood(flood_client, flooder, &stop);
    flooded.under_way.notified().await;
    let beside = steady(&mut steady_client, steady_one).await;
    stop.store(true, Ordering::Release);
    tokio::task::spawn_blocking(move || thread.join())
        .await
        .expect("joined")
        .expect("the flood's thread");
    let (served, refused) = (
        flooded.served.load(Ordering::Acquire),
        flooded.refused.load(Ordering::Acquire),
    );
    eprintln!(
        "steady caller: {} of {STEADY_CALLS} served beside the flood, p99 {:?} against {:?} alone; \
         flood: {served} served, {refused} refused",
        beside.succeeded, beside.p99, alone.p99
    );
    assert!(
        beside.succeeded * 100 >= STEADY_CALLS * 95,
        "the steady caller was served {} of {STEADY_CALLS} times beside the flood",
        beside.succeeded
    );
    assert!(
        beside.p99 <= alone.p99 * 3,
        "p99 {:?} beside the flood against {:?} alone",
        beside.p99,
        alone.p99
    );
    assert!(
        served > 0 && refused > 0,
        "flood: {served} served, {refused} refused"
    );
}

/// A plaintext client of the server at `addr`.
fn plaintext(addr: SocketAddr) -> Connect {
    Box::pin(async move {
        let channel = Channel::from_shared(format!("http://{addr}"))
            .expect("uri")
            .connect()
            .await
            .expect("connect");
        TextAnalysisServiceClient::new(channel)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_caller_named_by_header_does_not_starve_a_steady_one() {
    let server = TestServer::start_with(config(trusting("l5d-client-id"))).await;
    steady_keeps_its_share(
        server.client().await,
        plaintext(server.addr),
        (Some("backfill"), Some("checkout")),
    )
    .await;
    server.stop().await.expect("clean stop");
}

/// A CA, a server certificate for `localhost`, and two client certificates
/// named by URI SANs, as a mesh's workload certificates are.
struct Pki {
    ca: String,
    server: (String, String),
    flood: (String, String),
    steady: (String, String),
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf = |san: SanType| {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.subject_alt_names = vec![san];
        let cert = params.signed_by(&key, &issuer).expect("certificate");
        (cert.pem(), key.serialize_pem())
    };
    let uri = |u: &str| SanType::URI(u.try_into().expect("an IA5 URI"));
    Pki {
        ca: ca.pem(),
        server: leaf(SanType::DnsName(
            "localhost".try_into().expect("a DNS name"),
        )),
        flood: leaf(uri("spiffe://test.local/ns/jobs/sa/backfill")),
        steady: leaf(uri("spiffe://test.local/ns/shop/sa/checkout")),
    }
}

/// A client of the server at `addr` over mutual TLS, trusting `ca`, with
/// the certificate and key `identity`.
fn tls_client(addr: SocketAddr, ca: &str, (cert, key): &(String, String)) -> Connect {
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost")
        .identity(Identity::from_pem(cert, key));
    Box::pin(async move {
        let channel = Channel::from_shared(format!("https://{addr}"))
            .expect("uri")
            .tls_config(tls)
            .expect("TLS settings")
            .connect()
            .await
            .expect("connect over mTLS");
        TextAnalysisServiceClient::new(channel)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_caller_named_by_its_certificate_does_not_starve_a_steady_one() {
    let pki = pki();
    let tls = Tls::from_pem(
        pki.server.0.as_bytes(),
        pki.server.1.as_bytes(),
        Some(pki.ca.as_bytes()),
    )
    .expect("the generated PEM files are usable");
    // The header is trusted too, but a certificate's name comes first: the
    // flood's header cannot pass it for the steady caller.
    let server = TestServer::start_with(ServerConfig {
        tls: Some(tls),
        ..config(trusting("l5d-client-id"))
    })
    .await;
    steady_keeps_its_share(
        tls_client(server.addr, &pki.ca, &pki.steady).await,
        tls_client(server.addr, &pki.ca, &pki.flood),
        (Some("spiffe://test.local/ns/shop/sa/checkout"), None),
    )
    .await;
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn only_the_trusted_header_names_the_caller() {
    let (server, metrics) = TestServer::start_with_metrics(config(trusting("l5d-client-id"))).await;
    let mut client = server.client().await;
    client
        .summarize(summarize(WIRE_STYLE, Some("checkout")))
        .await
        .expect("served");
    let mut untrusted = summarize(WIRE_STYLE, None);
    untrusted
        .metadata_mut()
        .insert("x-caller", "backfill".parse().expect("ASCII"));
    client.summarize(untrusted).await.expect("served");
    let text = scrape(metrics).await;
    for line in [
        "textanalysis_caller_admitted_total{caller=\"checkout\"} 1",
        "textanalysis_caller_admitted_total{caller=\"anonymous\"} 1",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    assert!(!text.contains("backfill"), "{text}");
    server.stop().await.expect("clean stop");
}
