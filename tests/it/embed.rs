//! Embed and the encoder's presence through the real server: vectors that
//! are the encoder's own, sentence offsets in every unit, meaning read
//! across different words, ListModels naming the encoder, and the precise
//! statuses of lexical mode and of texts over the encoder's limit.

use crate::common;

use common::TestServer;
use common::semantic::{encoder, semantic_config};
use textanalysis::config::Limits;
use textanalysis::deadline::Deadline;
use textanalysis::encoder::{Embedding, cosine};
use textanalysis::proto::v1::{
    EmbedRequest, EmbedResponse, EmbeddingNormalization, LanguageSource, ListModelsRequest,
    OffsetUnit,
};
use textanalysis::server::ServerConfig;
use tonic::Code;
use tonic_types::StatusExt;

/// Written for this test: non-ASCII before and inside the sentences, so
/// that offsets differ in each unit.
const TEXT: &str = "Zoë bought a new car in Malmö. The automobile cost her €20,000. \
                    It rained all week in the north.";

async fn embed(server: &TestServer, request: EmbedRequest) -> EmbedResponse {
    server
        .client()
        .await
        .embed(request)
        .await
        .expect("embed succeeds")
        .into_inner()
}

fn vector(values: &[f32]) -> Embedding {
    Embedding::normalised(values.to_vec())
}

fn norm(values: &[f32]) -> f32 {
    values.iter().map(|v| v * v).sum::<f32>().sqrt()
}

#[tokio::test]
async fn embed_returns_the_encoders_vectors_with_sentences_in_every_unit() {
    let server = TestServer::start_with(semantic_config()).await;
    let own = encoder()
        .embed(
            &[
                TEXT,
                "Zoë bought a new car in Malmö.",
                "The automobile cost her €20,000.",
            ],
            Deadline::NONE,
        )
        .expect("embed directly");
    for unit in [
        OffsetUnit::Utf8Byte,
        OffsetUnit::CodePoint,
        OffsetUnit::Utf16CodeUnit,
    ] {
        let response = embed(
            &server,
            EmbedRequest {
                text: TEXT.into(),
                include_sentences: true,
                offset_unit: unit.into(),
                ..Default::default()
            },
        )
        .await;
        let info = response.encoder.clone().expect("encoder info");
        assert_eq!(info.name, "all-MiniLM-L6-v2");
        assert_eq!(info.dimensions, 384);
        assert_eq!(info.normalization(), EmbeddingNormalization::L2);
        assert_eq!(info.max_tokens, 256);
        assert_eq!(response.embedding.len(), 384);
        assert!((norm(&response.embedding) - 1.0).abs() < 1e-4);
        assert!(cosine(&vector(&response.embedding), &own[0]) > 0.9999);
        assert_eq!(response.language, "en");
        assert_eq!(response.language_source(), LanguageSource::Detected);

        assert_eq!(response.sentences.len(), 3);
        for (i, s) in response.sentences.iter().enumerate() {
            assert_eq!(s.index as usize, i);
            assert_eq!(s.embedding.len(), 384);
            let (offset, length) = (s.offset as usize, s.length as usize);
            let slice: String = match unit {
                OffsetUnit::CodePoint => TEXT.chars().skip(offset).take(length).collect(),
                OffsetUnit::Utf16CodeUnit => {
                    let units: Vec<u16> = TEXT.encode_utf16().collect();
                    String::from_utf16(&units[offset..offset + length]).unwrap()
                }
                _ => TEXT[offset..offset + length].to_owned(),
            };
            assert_eq!(slice, s.text, "{unit:?}");
        }
        let first = vector(&response.sentences[0].embedding);
        let second = vector(&response.sentences[1].embedding);
        assert!(cosine(&first, &own[1]) > 0.9999);
        assert!(cosine(&second, &own[2]) > 0.9999);
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn sentence_vectors_read_meaning_not_shared_words() {
    let server = TestServer::start_with(semantic_config()).await;
    let response = embed(
        &server,
        EmbedRequest {
            text: "The physician examined the child. A doctor looked at the kid. \
                   The physician examined the invoice."
                .into(),
            include_sentences: true,
            ..Default::default()
        },
    )
    .await;
    let v: Vec<Embedding> = response
        .sentences
        .iter()
        .map(|s| vector(&s.embedding))
        .collect();
    assert_eq!(v.len(), 3);
    // The paraphrase shares no content word, the other sentence all but
    // one; meaning decides.
    assert!(
        cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]),
        "{} vs {}",
        cosine(&v[0], &v[1]),
        cosine(&v[0], &v[2])
    );
    let without = embed(
        &server,
        EmbedRequest {
            text: "One sentence. Another one.".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(without.sentences.is_empty());
    assert_eq!(without.embedding.len(), 384);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn list_models_names_the_encoder_only_when_loaded() {
    let semantic = TestServer::start_with(semantic_config()).await;
    let listed = semantic
        .client()
        .await
        .list_models(ListModelsRequest {})
        .await
        .expect("list models")
        .into_inner();
    let info = listed.encoder.expect("the encoder is listed");
    assert_eq!(info.name, "all-MiniLM-L6-v2");
    assert_eq!(info.dimensions, 384);
    semantic.stop().await.expect("clean stop");

    let lexical = TestServer::start().await;
    let listed = lexical
        .client()
        .await
        .list_models(ListModelsRequest {})
        .await
        .expect("list models")
        .into_inner();
    assert_eq!(listed.encoder, None);
    assert!(!listed.models.is_empty());
    lexical.stop().await.expect("clean stop");
}

#[tokio::test]
async fn lexical_mode_refuses_embed_naming_the_flag_and_the_setup() {
    let server = TestServer::start().await;
    let status = server
        .client()
        .await
        .embed(EmbedRequest {
            text: "Anything at all.".into(),
            ..Default::default()
        })
        .await
        .expect_err("no encoder");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(status.message().contains("--semantic-model"), "{status:?}");
    assert!(
        status.message().contains("scripts/fetch-encoder.sh"),
        "{status:?}"
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn bad_embed_requests_name_their_fields() {
    let server = TestServer::start_with(ServerConfig {
        limits: Limits {
            max_semantic_text_bytes: 100,
            ..Limits::default()
        },
        ..semantic_config()
    })
    .await;
    for (request, field) in [
        (
            EmbedRequest {
                text: "Long enough. ".repeat(10),
                ..Default::default()
            },
            "text",
        ),
        (
            EmbedRequest {
                text: "   ".into(),
                ..Default::default()
            },
            "text",
        ),
        (
            EmbedRequest {
                text: "Fine.".into(),
                language: "xx".into(),
                ..Default::default()
            },
            "language",
        ),
        (
            EmbedRequest {
                text: "Fine.".into(),
                offset_unit: 42,
                ..Default::default()
            },
            "offset_unit",
        ),
    ] {
        let status = server
            .client()
            .await
            .embed(request)
            .await
            .expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        let details = status.get_error_details();
        let bad = details.bad_request().expect("BadRequest details");
        assert!(
            bad.field_violations.iter().any(|v| v.field == field),
            "{field}: {:?}",
            bad.field_violations
        );
    }
    let status = server
        .client()
        .await
        .embed(EmbedRequest {
            text: "x".repeat(101),
            ..Default::default()
        })
        .await
        .expect_err("over the encoder's limit");
    assert!(
        status.message().contains("--max-semantic-text-bytes"),
        "{status:?}"
    );
    // Still serving.
    let ok = embed(
        &server,
        EmbedRequest {
            text: "Still here.".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(ok.embedding.len(), 384);
    server.stop().await.expect("clean stop");
}
