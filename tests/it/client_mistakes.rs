//! What a client can get wrong is answered as the client's mistake, never
//! as the server's: undecodable requests are INVALID_ARGUMENT, a client
//! that gives up is CANCELLED, and neither is counted as Internal or
//! Unknown. Seen through a raw HTTP/2 client, which sends what a tonic
//! client never would.

use crate::common;

use std::time::Duration;

use bytes::Bytes;
use common::raw::{self, eventually};
use common::{TestServer, long_config, long_text, metric, scrape};
use prost::Message;
use textanalysis::proto::v1::SummarizeRequest;

/// How many calls to Summarize the metrics count under `code`.
fn summarize_calls(metrics: &str, code: &str) -> usize {
    let labels = format!(
        "grpc_server_handled_total{{grpc_service=\"textanalysis.v1.TextAnalysisService\",grpc_method=\"Summarize\",grpc_code=\"{code}\"}} "
    );
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&labels)?.parse().ok())
        .unwrap_or(0)
}

fn no_server_errors(metrics: &str) {
    for code in ["Internal", "Unknown"] {
        assert!(
            !metrics.contains(&format!("grpc_code=\"{code}\"")),
            "{code} counted:\n{metrics}"
        );
    }
}

#[tokio::test]
async fn undecodable_requests_are_invalid_argument() {
    let (server, metrics) = TestServer::start_with_metrics(Default::default()).await;
    let addr: std::net::SocketAddr = server.addr;
    let mut send = raw::connect(addr).await;
    let valid = SummarizeRequest {
        text: "A valid text. It has two sentences.".into(),
        ..Default::default()
    }
    .encode_to_vec();
    // What is wrong, the extra headers, the body.
    type Case<'a> = (&'a str, &'a [(&'static str, &'a str)], Bytes);
    let cases: [Case; 6] = [
        (
            "invalid UTF-8 in a string field",
            &[],
            raw::frame(false, &[0x0a, 0x03, 0xff, 0xfe, 0xfd]),
        ),
        ("a wrong wire type", &[], raw::frame(false, &[0x08, 0x01])),
        (
            "a truncated message",
            &[],
            raw::frame(false, &valid[..valid.len() - 4]),
        ),
        (
            "a truncated frame",
            &[],
            raw::frame(false, &valid).slice(..12),
        ),
        (
            "invalid gzip",
            &[("grpc-encoding", "gzip")],
            raw::frame(true, b"this is not gzip at all"),
        ),
        ("no message at all", &[], Bytes::new()),
    ];
    for (what, headers, body) in cases {
        let answer = raw::call(
            &mut send,
            raw::grpc_request("Summarize", headers),
            body,
            true,
        )
        .await;
        assert_eq!(
            answer.code,
            tonic::Code::InvalidArgument,
            "{what}: {answer:?}"
        );
        assert!(
            answer.message.starts_with("cannot decode the request"),
            "{what}: {answer:?}"
        );
    }
    // The connection still serves.
    let answer = raw::call(
        &mut send,
        raw::grpc_request("Summarize", &[]),
        raw::frame(false, &valid),
        true,
    )
    .await;
    assert_eq!(answer.code, tonic::Code::Ok, "{answer:?}");

    let text = scrape(metrics).await;
    assert_eq!(summarize_calls(&text, "InvalidArgument"), 6, "{text}");
    no_server_errors(&text);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_client_that_gives_up_is_cancelled_once_and_never_a_server_error() {
    let (server, metrics) = TestServer::start_with_metrics(long_config()).await;
    let send = raw::connect(server.addr).await;
    let counted = |n: usize| async move || summarize_calls(&scrape(metrics).await, "Canceled") == n;

    // A reset while the body is on its way.
    let mut stream = send.clone().ready().await.expect("ready");
    let (_response, mut body) = stream
        .send_request(raw::grpc_request("Summarize", &[]), false)
        .expect("headers");
    body.send_data(raw::frame(false, &[0x0a; 100]).slice(..20), false)
        .expect("part of the body");
    body.send_reset(h2::Reason::CANCEL);
    assert!(
        eventually(Duration::from_secs(10), counted(1)).await,
        "a reset during the upload is counted as Canceled"
    );

    // The connection closed while the body is on its way.
    {
        let tcp = tokio::net::TcpStream::connect(server.addr)
            .await
            .expect("connect");
        let (client, connection) = h2::client::handshake(tcp).await.expect("handshake");
        let driver = tokio::spawn(async move {
            let _ = connection.await;
        });
        let mut client = client.ready().await.expect("ready");
        let (_response, mut body) = client
            .send_request(raw::grpc_request("Summarize", &[]), false)
            .expect("headers");
        body.send_data(raw::frame(false, &[0x0a; 100]).slice(..20), false)
            .expect("part of the body");
        // Wait for the server to have the call (its slot taken) before
        // closing the connection.
        assert!(
            eventually(Duration::from_secs(10), async || {
                metric(&scrape(metrics).await, "textanalysis_analyses_admitted") == 1
            })
            .await
        );
        driver.abort();
    }
    assert!(
        eventually(Duration::from_secs(10), counted(2)).await,
        "a connection closed during the upload is counted as Canceled"
    );

    // A reset while the analysis runs, after the whole body was sent.
    let request = SummarizeRequest {
        text: long_text(),
        language: "en".into(),
        ..Default::default()
    };
    let mut stream = send.clone().ready().await.expect("ready");
    let (_response, mut body) = stream
        .send_request(raw::grpc_request("Summarize", &[]), false)
        .expect("headers");
    body.send_data(raw::frame(false, &request.encode_to_vec()), true)
        .expect("the whole body");
    assert!(
        eventually(Duration::from_secs(30), async || {
            metric(&scrape(metrics).await, "textanalysis_analyses_in_flight") == 1
        })
        .await,
        "the analysis runs"
    );
    body.send_reset(h2::Reason::CANCEL);
    assert!(
        eventually(Duration::from_secs(10), counted(3)).await,
        "a reset during the analysis is counted as Canceled"
    );

    let text = scrape(metrics).await;
    no_server_errors(&text);
    server.stop().await.expect("clean stop");
}
