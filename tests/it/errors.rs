//! Bad input gets a precise status with field violations, and the server
//! keeps serving after each one.

use crate::common;

use common::TestServer;
use textanalysis::config::Limits;
use textanalysis::proto::v1::SummarizeRequest;
use textanalysis::server::ServerConfig;
use tonic::Code;
use tonic_types::StatusExt;

/// Sends `request`, expects INVALID_ARGUMENT naming `field`, then checks
/// that a good request on a fresh connection still succeeds.
async fn assert_rejected(server: &TestServer, request: SummarizeRequest, field: &str) {
    let status = server
        .client()
        .await
        .summarize(request)
        .await
        .expect_err("bad input is refused");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let details = status.get_error_details();
    let bad = details.bad_request().expect("BadRequest details");
    assert!(
        bad.field_violations.iter().any(|v| v.field == field),
        "violation for `{field}` in {:?}",
        bad.field_violations
    );
    assert_still_serving(server).await;
}

async fn assert_still_serving(server: &TestServer) {
    let ok = server
        .client()
        .await
        .summarize(SummarizeRequest {
            text: "The server still answers. It is fine.".into(),
            ..Default::default()
        })
        .await
        .expect("server still serving");
    assert!(!ok.into_inner().sentences.is_empty());
}

fn text(s: &str) -> SummarizeRequest {
    SummarizeRequest {
        text: s.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn empty_and_blank_text() {
    let server = TestServer::start().await;
    assert_rejected(&server, text(""), "text").await;
    assert_rejected(&server, text(" \n\t\u{3000} "), "text").await;
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn text_over_the_size_limit() {
    let limits = Limits {
        max_text_bytes: 1000,
        ..Limits::default()
    };
    let server = TestServer::start_with(ServerConfig {
        limits,
        ..ServerConfig::default()
    })
    .await;
    assert_rejected(&server, text(&"Too long. ".repeat(101)), "text").await;
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn default_size_limit_is_one_mebibyte() {
    let server = TestServer::start().await;
    let mut big = "All work and no play. ".repeat((1 << 20) / 22 + 1);
    big.truncate((1 << 20) + 1);
    assert_rejected(&server, text(&big), "text").await;
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn too_many_sentences_in_the_document() {
    let limits = Limits {
        max_document_sentences: 10,
        ..Limits::default()
    };
    let server = TestServer::start_with(ServerConfig {
        limits,
        ..ServerConfig::default()
    })
    .await;
    assert_rejected(&server, text(&"Short one. ".repeat(11)), "text").await;
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn ratio_outside_zero_one() {
    let server = TestServer::start().await;
    for ratio in [-0.5, 1.5, f64::NAN, f64::INFINITY] {
        let request = SummarizeRequest {
            ratio,
            ..text("One. Two.")
        };
        assert_rejected(&server, request, "ratio").await;
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn max_sentences_over_the_limit() {
    let server = TestServer::start().await;
    let request = SummarizeRequest {
        max_sentences: 1_000_001,
        ..text("One. Two.")
    };
    assert_rejected(&server, request, "max_sentences").await;
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn unknown_enum_values() {
    let server = TestServer::start().await;
    let base = text("One sentence. Another sentence.");
    let cases = [
        (
            SummarizeRequest {
                algorithm: 99,
                ..base.clone()
            },
            "algorithm",
        ),
        (
            SummarizeRequest {
                order: -1,
                ..base.clone()
            },
            "order",
        ),
        (
            SummarizeRequest {
                offset_unit: 7,
                ..base.clone()
            },
            "offset_unit",
        ),
    ];
    for (request, field) in cases {
        assert_rejected(&server, request, field).await;
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn unsupported_language() {
    let server = TestServer::start().await;
    for code in ["xx", "english", "e", "🙂"] {
        let request = SummarizeRequest {
            language: code.into(),
            ..text("One sentence. Another sentence.")
        };
        assert_rejected(&server, request, "language").await;
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn summary_options_out_of_range() {
    let server = TestServer::start().await;
    for diversity in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
        let request = SummarizeRequest {
            diversity: Some(diversity),
            ..text("Some text.")
        };
        assert_rejected(&server, request, "diversity").await;
    }
    let request = SummarizeRequest {
        query: "drought ".repeat(200),
        ..text("Some text.")
    };
    assert_rejected(&server, request, "query").await;
    let request = SummarizeRequest {
        include_keyphrases: true,
        max_keyphrases: 51,
        ..text("Some text.")
    };
    assert_rejected(&server, request, "max_keyphrases").await;
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once() {
    let server = TestServer::start().await;
    let status = server
        .client()
        .await
        .summarize(SummarizeRequest {
            text: String::new(),
            ratio: 2.0,
            algorithm: 42,
            ..Default::default()
        })
        .await
        .expect_err("refused");
    let details = status.get_error_details();
    let fields: Vec<String> = details
        .bad_request()
        .expect("BadRequest")
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect();
    assert_eq!(fields, ["text", "ratio", "algorithm"]);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn message_over_the_transport_limit_is_resource_exhausted() {
    let limits = Limits {
        max_message_bytes: 64 * 1024,
        ..Limits::default()
    };
    let server = TestServer::start_with(ServerConfig {
        limits,
        ..ServerConfig::default()
    })
    .await;
    let status = server
        .client()
        .await
        .summarize(text(&"x".repeat(100 * 1024)))
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert_still_serving(&server).await;
    server.stop().await.expect("clean stop");
}
