//! Deadlines: a client's `grpc-timeout` and the server's request timeout end
//! an analysis with DEADLINE_EXCEEDED, and the analysis really stops.

use crate::common;

use std::time::{Duration, Instant};

use common::{TestServer, WIRE_STYLE, long_config, long_text, with_concurrency};
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{SummarizeAlgorithm, SummarizeRequest};
use textanalysis::server::ServerConfig;
use tonic::Request;
use tonic::transport::Channel;

type Client = TextAnalysisServiceClient<Channel>;

/// A long analysis (see [`common::LONG_BYTES`]).
fn long_request() -> SummarizeRequest {
    SummarizeRequest {
        text: long_text(),
        algorithm: SummarizeAlgorithm::Textrank as i32,
        language: "en".into(),
        ..Default::default()
    }
}

/// A server that admits `max_in_flight` analyses with `max_queued` waiting,
/// and accepts texts of [`common::LONG_BYTES`].
async fn start(max_in_flight: usize, max_queued: usize) -> TestServer {
    TestServer::start_with(with_concurrency(long_config(), max_in_flight, max_queued)).await
}

/// How long a whole long analysis takes on this machine and build, so that
/// deadlines can be set as fractions of it whatever the machine's speed.
async fn time_long_analysis(client: &mut Client) -> Duration {
    let started = Instant::now();
    client
        .summarize(long_request())
        .await
        .expect("without a deadline the analysis completes");
    started.elapsed()
}

fn short_request() -> SummarizeRequest {
    SummarizeRequest {
        text: WIRE_STYLE.to_owned(),
        language: "en".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_analysis_answers_deadline_exceeded_and_frees_its_slot() {
    // One slot, one place in the queue: the request after the expired one
    // waits exactly until the expired analysis has stopped.
    let server = start(1, 1).await;
    let mut client = server.client().await;

    let full = time_long_analysis(&mut client).await;

    let mut request = Request::new(long_request());
    request.set_timeout(full / 4);
    let status = client.summarize(request).await.expect_err("deadline");
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    let answered = Instant::now();

    client
        .summarize(short_request())
        .await
        .expect("the next request is served once the slot is free");
    let freed = answered.elapsed();
    assert!(
        freed < full / 2,
        "the expired analysis kept its slot for {freed:?} (a whole one takes {full:?})"
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_request_timeout_applies_without_a_client_deadline() {
    let server = TestServer::start_with(ServerConfig {
        request_timeout: Duration::from_millis(20),
        ..long_config()
    })
    .await;
    let mut client = server.client().await;
    let status = client
        .summarize(long_request())
        .await
        .expect_err("server timeout");
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    assert!(status.message().contains("stopped"), "{status:?}");
    // Short requests still fit in the timeout.
    client
        .summarize(short_request())
        .await
        .expect("a short analysis finishes in time");
    server.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_a_turn_counts_against_the_deadline() {
    let server = start(1, 4).await;
    // The short request's deadline is a quarter of a long analysis, so that
    // it passes while the short request waits for the slot.
    let mut client = server.client().await;
    let full = time_long_analysis(&mut client).await;

    let mut long_client = server.client().await;
    let long = tokio::spawn(async move { long_client.summarize(long_request()).await });
    // Retry until the short request finds the slot taken: then it waits in
    // the queue, and its deadline passes there.
    let status = loop {
        assert!(!long.is_finished(), "the long analysis ended first");
        let mut request = Request::new(short_request());
        request.set_timeout(full / 4);
        match client.summarize(request).await {
            Ok(_) => continue,
            Err(status) => break status,
        }
    };
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    long.await
        .expect("task")
        .expect("the long analysis, with no deadline, completes");
    server.stop().await.expect("clean stop");
}

/// A Summarize request of about 1 MiB, framed for a raw HTTP/2 client.
fn mebibyte_frame() -> bytes::Bytes {
    use prost::Message;
    let request = SummarizeRequest {
        text: WIRE_STYLE.repeat((1 << 20) / WIRE_STYLE.len()),
        language: "en".into(),
        ..Default::default()
    };
    common::raw::frame(false, &request.encode_to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_client_deadlines_answer_deadline_exceeded_and_are_counted() {
    // The server's own answers, seen with a raw client: tonic's client
    // would report its own timer's CANCELLED whatever the server said.
    let (server, metrics) = common::TestServer::start_with_metrics(long_config()).await;
    let mut send = common::raw::connect(server.addr).await;
    let body = mebibyte_frame();
    for _ in 0..10 {
        let answer = common::raw::call(
            &mut send,
            common::raw::grpc_request("Summarize", &[("grpc-timeout", "5m")]),
            body.clone(),
            true,
        )
        .await;
        assert_eq!(answer.code, tonic::Code::DeadlineExceeded, "{answer:?}");
    }
    let text = common::scrape(metrics).await;
    assert!(
        text.contains("grpc_method=\"Summarize\",grpc_code=\"DeadlineExceeded\"} 10"),
        "each one counted under its code:\n{text}"
    );
    assert!(!text.contains("grpc_code=\"Canceled\""), "{text}");
    server.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_that_passes_while_the_body_arrives_answers_deadline_exceeded() {
    let server = start(1, 0).await;
    let mut send = common::raw::connect(server.addr).await;
    let started = Instant::now();
    // Half a message, and then nothing: the call's deadline passes while
    // the server still reads.
    let answer = common::raw::call(
        &mut send,
        common::raw::grpc_request("Summarize", &[("grpc-timeout", "200m")]),
        mebibyte_frame().slice(..1000),
        false,
    )
    .await;
    assert_eq!(answer.code, tonic::Code::DeadlineExceeded, "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The stalled call's slot is free again.
    server
        .client()
        .await
        .summarize(short_request())
        .await
        .expect("the only slot is free once the stalled call is answered");
    server.stop().await.expect("clean stop");
}
