//! Slow and silent clients are timed out, and connections are bounded: a
//! body that stalls, a connection that never sends its HTTP/2 preface,
//! connections beyond the limit, and a process out of file descriptors.

use crate::common;

use std::time::{Duration, Instant};

use common::raw::{self, closed_within};
use common::{TestServer, WIRE_STYLE, metric, scrape, with_concurrency};
use textanalysis::config::Connections;
use textanalysis::proto::v1::SummarizeRequest;
use textanalysis::server::ServerConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const SHORT: Duration = Duration::from_millis(200);

fn config(connections: Connections) -> ServerConfig {
    ServerConfig {
        connections,
        ..with_concurrency(ServerConfig::default(), 1, 0)
    }
}

fn short_request() -> SummarizeRequest {
    SummarizeRequest {
        text: WIRE_STYLE.to_owned(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_stalled_body_is_answered_at_the_read_timeout_and_frees_its_slot() {
    let server = TestServer::start_with(config(Connections {
        request_read_timeout: SHORT,
        ..Connections::default()
    }))
    .await;
    let mut send = raw::connect(server.addr).await;
    let started = Instant::now();
    // Five bytes of a message that declares 4 KiB, and then nothing.
    let answer = raw::call(
        &mut send,
        raw::grpc_request("Summarize", &[]),
        raw::frame(false, &[0x0a; 4096]).slice(..5),
        false,
    )
    .await;
    let waited = started.elapsed();
    assert_eq!(answer.code, tonic::Code::DeadlineExceeded, "{answer:?}");
    assert!(answer.message.contains("read timeout"), "{answer:?}");
    assert!(
        waited >= SHORT && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    // The server admits one analysis at a time: the stalled one has let go.
    server
        .client()
        .await
        .summarize(short_request())
        .await
        .expect("the slot is free again");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn connections_that_do_not_start_http2_in_time_are_closed() {
    let server = TestServer::start_with(config(Connections {
        handshake_timeout: SHORT,
        ..Connections::default()
    }))
    .await;
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");
    let mut partial = TcpStream::connect(server.addr).await.expect("connect");
    partial
        .write_all(&b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"[..10])
        .await
        .expect("part of the preface");
    assert!(closed_within(&mut silent, Duration::from_secs(5)).await);
    assert!(closed_within(&mut partial, Duration::from_secs(5)).await);

    // A client that starts in time keeps its connection past the timeout.
    let mut client = server.client().await;
    client.summarize(short_request()).await.expect("served");
    tokio::time::sleep(SHORT * 2).await;
    client
        .summarize(short_request())
        .await
        .expect("still served after the handshake timeout");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn connections_beyond_the_limit_are_closed_at_once_and_counted() {
    let (server, metrics) = TestServer::start_with_metrics(config(Connections {
        max_connections: 2,
        ..Connections::default()
    }))
    .await;
    // The metrics scrape has a port of its own, outside the limit.
    let mut first = server.client().await;
    let mut second = server.client().await;
    first
        .summarize(short_request())
        .await
        .expect("first served");
    second
        .summarize(short_request())
        .await
        .expect("second served");
    let mut third = TcpStream::connect(server.addr).await.expect("connect");
    assert!(closed_within(&mut third, Duration::from_secs(5)).await);
    let text = scrape(metrics).await;
    assert_eq!(metric(&text, "textanalysis_connections_refused_total"), 1);
    assert_eq!(metric(&text, "textanalysis_connections_open"), 2);
    // The first two keep working, and a place frees when one closes.
    first
        .summarize(short_request())
        .await
        .expect("still served");
    drop(second);
    assert!(
        raw::eventually(Duration::from_secs(5), async || {
            metric(&scrape(metrics).await, "textanalysis_connections_open") < 2
        })
        .await
    );
    server
        .client()
        .await
        .summarize(short_request())
        .await
        .expect("a new connection is served once a place is free");
    server.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_file_descriptors_the_server_backs_off_and_recovers() {
    use common::process::{cpu_ticks, start_with_file_limit, wait_for_log};
    // With 64 descriptors, the process's own (runtime, listeners, pipes)
    // leave room for a few dozen connections; 100 exhaust them.
    let running = start_with_file_limit(64, &[]);
    let pid = running.pid();
    let addr: std::net::SocketAddr = running.addr.parse().expect("address");
    let mut idle = Vec::new();
    for _ in 0..100 {
        idle.push(TcpStream::connect(addr).await.expect("connect"));
    }
    wait_for_log(&running.lines, "out of file descriptors");
    // Over a second out of descriptors the server mostly sleeps.
    let before = cpu_ticks(pid);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let ticks = cpu_ticks(pid) - before;
    // Clock ticks are 1/100 s: under a tenth of a core.
    assert!(ticks < 10, "{ticks} ticks of CPU in a second");
    let lines = running.lines.try_iter().count();
    assert!(lines < 20, "{lines} log lines in a second");

    drop(idle);
    let mut client =
        textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient::connect(
            format!("http://{addr}"),
        )
        .await
        .expect("connect once descriptors are free");
    client
        .summarize(short_request())
        .await
        .expect("served once descriptors are free");
    running.signal("TERM");
    drop(client);
    assert_eq!(running.exit_code().await, Some(0));
}
