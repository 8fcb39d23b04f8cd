//! Compression: the service accepts gzip- and zstd-compressed requests and
//! compresses its responses for clients that accept it.

use crate::common;

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

#[tokio::test]
async fn answers_over_the_compression_limit_are_sent_uncompressed() {
    // Compression runs on the threads that answer health checks: above
    // the limit, an answer goes out as it is.
    let server = TestServer::start_with(textanalysis::server::ServerConfig {
        limits: textanalysis::config::Limits {
            max_compressed_response_bytes: 2_000,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    // The stream's `grpc-encoding` stays gzip; each message's first byte
    // says whether it is compressed, which only a raw client sees.
    let mut send = common::raw::connect(server.addr).await;
    let mut compressed = async |sentences: u32| {
        let request = SummarizeRequest {
            text: WIRE_STYLE.repeat(20),
            max_sentences: sentences,
            ..Default::default()
        };
        let answer = common::raw::call(
            &mut send,
            common::raw::grpc_request("Summarize", &[("grpc-accept-encoding", "gzip")]),
            common::raw::frame(false, &prost::Message::encode_to_vec(&request)),
            true,
        )
        .await;
        assert_eq!(answer.code, tonic::Code::Ok, "{answer:?}");
        let length = u32::from_be_bytes(answer.body[1..5].try_into().expect("a frame"));
        (answer.body[0] == 1, length)
    };
    let (small, small_size) = compressed(1).await;
    assert!(small, "a {small_size}-byte answer is compressed");
    let (large, large_size) = compressed(100).await;
    assert!(large_size > 2_000, "{large_size}");
    assert!(!large, "a {large_size}-byte answer is sent uncompressed");
    server.stop().await.expect("clean stop");
}
