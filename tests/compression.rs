//! Compression: the service accepts gzip- and zstd-compressed requests and
//! compresses its responses for clients that accept it.

mod common;

use common::{TestServer, WIRE_STYLE};
use textanalysis::proto::v1::SummarizeRequest;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use tonic::codec::CompressionEncoding;

#[tokio::test]
async fn gzip_and_zstd_both_ways() {
    let server = TestServer::start().await;
    for (encoding, name) in [
        (CompressionEncoding::Gzip, "gzip"),
        (CompressionEncoding::Zstd, "zstd"),
    ] {
        let mut client = TextAnalysisServiceClient::new(server.channel().await)
            .send_compressed(encoding)
            .accept_compressed(encoding);
        let response = client
            .summarize(SummarizeRequest {
                text: WIRE_STYLE.repeat(4),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("{name} request refused: {s:?}"));
        assert_eq!(
            response
                .metadata()
                .get("grpc-encoding")
                .and_then(|v| v.to_str().ok()),
            Some(name),
            "the response is {name}-compressed"
        );
        assert!(!response.into_inner().sentences.is_empty());
    }
    // A client that accepts no compression gets plain responses.
    let plain = server
        .client()
        .await
        .summarize(SummarizeRequest {
            text: WIRE_STYLE.to_owned(),
            ..Default::default()
        })
        .await
        .expect("plain request");
    assert!(plain.metadata().get("grpc-encoding").is_none());
    server.stop().await.expect("clean stop");
}
