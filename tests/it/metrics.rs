//! Metrics: `/metrics` on its own port shows calls by method and status
//! code, latency histograms, analyses in flight and refused, and bytes of
//! text analysed.

use crate::common;

use common::{TestServer, WIRE_STYLE, scrape};
use textanalysis::proto::v1::SummarizeRequest;
use textanalysis::server::ServerConfig;

#[tokio::test]
async fn metrics_count_calls_codes_latency_and_text() {
    let (server, metrics_addr) = TestServer::start_with_metrics(ServerConfig::default()).await;
    let mut client = server.client().await;
    client
        .summarize(SummarizeRequest {
            text: WIRE_STYLE.to_owned(),
            ..Default::default()
        })
        .await
        .expect("summarize");
    let refused = client
        .summarize(SummarizeRequest::default())
        .await
        .expect_err("empty text");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);

    let text = scrape(metrics_addr).await;
    let summarize = r#"grpc_service="textanalysis.v1.TextAnalysisService",grpc_method="Summarize""#;
    for line in [
        format!(r#"grpc_server_handled_total{{{summarize},grpc_code="OK"}} 1"#),
        format!(r#"grpc_server_handled_total{{{summarize},grpc_code="InvalidArgument"}} 1"#),
        format!(r#"grpc_server_handling_seconds_count{{{summarize}}} 2"#),
        format!(
            "textanalysis_text_bytes_total{{{summarize}}} {}",
            WIRE_STYLE.len()
        ),
        "textanalysis_analyses_in_flight 0".to_owned(),
        "textanalysis_analyses_queued 0".to_owned(),
        "textanalysis_analyses_refused_total 0".to_owned(),
    ] {
        assert!(text.contains(&line), "missing `{line}` in\n{text}");
    }
    assert!(
        text.contains("grpc_server_handling_seconds_bucket{"),
        "{text}"
    );
    server.stop().await.expect("clean stop");
}
