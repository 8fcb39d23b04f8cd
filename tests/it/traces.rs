//! Distributed traces through the real binary: the caller's context from
//! W3C and B3 headers, the spans exported to an OTLP receiver run here, the
//! ids in the log lines, `x-request-id` echoed, and a collector that is
//! down costing spans, never calls. The binary, not an in-process server:
//! the trace pipeline is the process's (its global subscriber).

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use textanalysis::proto::v1::SummarizeRequest;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use tokio::sync::mpsc;
use tonic::transport::Channel;

use crate::common::process::{Running, start_with, wait_for_log};
use crate::common::raw::eventually;
use crate::common::{metric, scrape};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";
const TEXT: &str = "Ministers met in Geneva on Tuesday to discuss the drought. \
    The talks were chaired by the envoy. Aid agencies say thousands of families have left their farms.";

/// An OTLP trace receiver: every span it is sent goes to `spans`.
struct Receiver {
    spans: mpsc::UnboundedSender<Span>,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                for span in scope.spans {
                    let _ = self.spans.send(span);
                }
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

/// A receiver on an ephemeral port: its address and the spans it gets.
async fn receiver() -> (std::net::SocketAddr, mpsc::UnboundedReceiver<Span>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (spans, received) = mpsc::unbounded_channel();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(Receiver { spans }))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    (addr, received)
}

async fn client(server: &Running) -> TextAnalysisServiceClient<Channel> {
    TextAnalysisServiceClient::connect(format!("http://{}", server.addr))
        .await
        .expect("connect")
}

/// A Summarize call with `headers` as metadata; the response's metadata.
async fn summarize(
    server: &Running,
    headers: &[(&'static str, String)],
) -> tonic::metadata::MetadataMap {
    let mut request = tonic::Request::new(SummarizeRequest {
        text: TEXT.into(),
        max_sentences: 1,
        ..Default::default()
    });
    for (name, value) in headers {
        request
            .metadata_mut()
            .insert(*name, value.parse().expect("ASCII metadata"));
    }
    client(server)
        .await
        .summarize(request)
        .await
        .expect("Summarize answers")
        .metadata()
        .clone()
}

/// The spans received until one named `name` has come with its children
/// named `children`, all of one trace; keyed by name.
async fn spans_of_call(
    received: &mut mpsc::UnboundedReceiver<Span>,
    children: &[&str],
) -> HashMap<String, Span> {
    let mut spans = HashMap::new();
    let wanted = |spans: &HashMap<String, Span>| {
        spans.contains_key("textanalysis.v1.TextAnalysisService/Summarize")
            && children.iter().all(|c| spans.contains_key(*c))
    };
    while !wanted(&spans) {
        let span = tokio::time::timeout(Duration::from_secs(20), received.recv())
            .await
            .unwrap_or_else(|_| panic!("spans missing; received {:?}", spans.keys()))
            .expect("the receiver runs");
        spans.insert(span.name.clone(), span);
    }
    spans
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attribute<'a>(span: &'a Span, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.as_ref()?.value.as_ref())
}

/// The call's span is the caller's child and names the method and status;
/// the stages are its children.
fn assert_one_trace_under(spans: &HashMap<String, Span>, trace: &str, parent: &str) {
    let rpc = &spans["textanalysis.v1.TextAnalysisService/Summarize"];
    assert_eq!(hex(&rpc.trace_id), trace, "the caller's trace");
    assert_eq!(
        hex(&rpc.parent_span_id),
        parent,
        "a child of the caller's span"
    );
    assert_eq!(rpc.kind, SpanKind::Server as i32);
    assert_eq!(
        attribute(rpc, "rpc.system"),
        Some(&Value::StringValue("grpc".into()))
    );
    assert_eq!(
        attribute(rpc, "rpc.method"),
        Some(&Value::StringValue("Summarize".into()))
    );
    assert_eq!(
        attribute(rpc, "rpc.grpc.status_code"),
        Some(&Value::IntValue(0))
    );
    assert_eq!(
        attribute(rpc, "text_bytes"),
        Some(&Value::IntValue(TEXT.len() as i64))
    );
    assert_eq!(
        attribute(rpc, "language"),
        Some(&Value::StringValue("en".into()))
    );
    for stage in ["queue_wait", "analysis"] {
        assert_eq!(hex(&spans[stage].trace_id), trace, "{stage}");
        assert_eq!(
            spans[stage].parent_span_id, rpc.span_id,
            "{stage} is the call's child"
        );
    }
    assert_eq!(
        spans["scoring"].parent_span_id, spans["analysis"].span_id,
        "the core's stages are the analysis' children"
    );
}

#[tokio::test]
async fn a_call_with_a_traceparent_is_a_child_of_the_callers_span() {
    let (collector, mut received) = receiver().await;
    let endpoint = format!("http://{collector}");
    let server = start_with(&["--otlp-endpoint", &endpoint]);

    let metadata = summarize(
        &server,
        &[
            ("traceparent", format!("00-{TRACE}-{PARENT}-01")),
            ("x-request-id", "req-42".into()),
        ],
    )
    .await;
    assert_eq!(
        metadata.get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("req-42"),
        "the request id is echoed"
    );
    let spans = spans_of_call(&mut received, &["queue_wait", "analysis", "scoring"]).await;
    assert_one_trace_under(&spans, TRACE, PARENT);

    // The log line of the call carries its ids and the request id.
    let line = wait_for_log(&server.lines, "request finished\",\"code\":\"Ok\"");
    let log: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    let span = &log["span"];
    assert_eq!(span["trace_id"], TRACE, "{line}");
    assert_eq!(
        span["span_id"].as_str(),
        Some(hex(&spans["textanalysis.v1.TextAnalysisService/Summarize"].span_id).as_str())
    );
    assert_eq!(span["request_id"], "req-42");
}

#[tokio::test]
async fn b3_headers_single_or_multiple_carry_the_callers_trace() {
    let (collector, mut received) = receiver().await;
    let endpoint = format!("http://{collector}");
    let server = start_with(&["--otlp-endpoint", &endpoint]);

    summarize(&server, &[("b3", format!("{TRACE}-{PARENT}-1"))]).await;
    let spans = spans_of_call(&mut received, &["queue_wait", "analysis", "scoring"]).await;
    assert_one_trace_under(&spans, TRACE, PARENT);

    let (trace, parent) = ("a3ce929d0e0e47364bf92f3577b34da6", "b7ad6b7169203331");
    summarize(
        &server,
        &[
            ("x-b3-traceid", trace.into()),
            ("x-b3-spanid", parent.into()),
            ("x-b3-sampled", "1".into()),
        ],
    )
    .await;
    let spans = spans_of_call(&mut received, &["queue_wait", "analysis", "scoring"]).await;
    assert_one_trace_under(&spans, trace, parent);
}

#[tokio::test]
async fn a_call_without_a_trace_context_starts_a_trace() {
    let (collector, mut received) = receiver().await;
    let endpoint = format!("http://{collector}");
    let server = start_with(&["--otlp-endpoint", &endpoint]);
    summarize(&server, &[]).await;
    let spans = spans_of_call(&mut received, &[]).await;
    let rpc = &spans["textanalysis.v1.TextAnalysisService/Summarize"];
    assert_eq!(rpc.trace_id.len(), 16);
    assert!(rpc.trace_id.iter().any(|b| *b != 0), "a new trace id");
    assert!(rpc.parent_span_id.is_empty(), "a root span");
}

#[tokio::test]
async fn a_collector_that_is_down_costs_spans_never_calls() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let server = start_with(&[
        "--otlp-endpoint",
        &endpoint,
        "--metrics-listen",
        "127.0.0.1:0",
    ]);
    let metrics = server.logged_addr("serving metrics");
    for _ in 0..20 {
        summarize(
            &server,
            &[("traceparent", format!("00-{TRACE}-{PARENT}-01"))],
        )
        .await;
    }
    let dropped = async || {
        metric(
            &scrape(metrics).await,
            "textanalysis_trace_spans_dropped_total",
        ) > 0
    };
    assert!(
        eventually(Duration::from_secs(30), dropped).await,
        "spans that could not be exported are counted"
    );
    // And the server still answers at once.
    summarize(&server, &[]).await;
}
