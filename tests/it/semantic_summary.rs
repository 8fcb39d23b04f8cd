//! Summarize with the real sentence encoder through the server: SEMANTIC
//! with exact offsets, its refusal in lexical mode and over the encoder's
//! text limit, and a query read by meaning.

use crate::common;

use common::semantic::semantic_config;
use common::{TestServer, WIRE_STYLE, slice};
use textanalysis::config::Limits;
use textanalysis::proto::v1::{
    OffsetUnit, SummarizeAlgorithm, SummarizeRequest, SummarizeResponse, SummaryOrder,
};
use textanalysis::server::ServerConfig;
use tonic::Code;
use tonic_types::StatusExt;

async fn summarize(server: &TestServer, request: SummarizeRequest) -> SummarizeResponse {
    server
        .client()
        .await
        .summarize(request)
        .await
        .expect("summarize succeeds")
        .into_inner()
}

/// Written for this test: sentence 2 says that families leave their farms
/// for the cities, and no other sentence says anything like it.
const DROUGHT: &str = "Ministers from six countries met in Geneva on Tuesday to discuss the drought. \
    The talks were chaired by the envoy Maria Okafor. \
    Aid agencies say thousands of families have abandoned their farms and moved to the cities. \
    Officials said rainfall was the lowest since records began. \
    The ministers will meet again in May.";

/// Asks about sentence 2 of [`DROUGHT`] without any of its words.
const PARAPHRASE: &str = "people leaving the countryside for urban areas";

#[tokio::test]
async fn semantic_names_itself_and_its_offsets_slice_the_input_in_every_unit() {
    let server = TestServer::start_with(semantic_config()).await;
    let text = format!("{WIRE_STYLE}\nÉmilie’s café 👩‍👩‍👧 served naïve crêpes to 3 envoys.");
    for unit in [
        OffsetUnit::Utf8Byte,
        OffsetUnit::CodePoint,
        OffsetUnit::Utf16CodeUnit,
    ] {
        let response = summarize(
            &server,
            SummarizeRequest {
                text: text.clone(),
                max_sentences: 20,
                algorithm: SummarizeAlgorithm::Semantic.into(),
                order: SummaryOrder::Rank.into(),
                offset_unit: unit.into(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(response.algorithm(), SummarizeAlgorithm::Semantic);
        assert!(response.sentences.len() >= 6, "{unit:?}: {response:?}");
        assert!(response.removed_sentence_count >= 2, "furniture is removed");
        for (r, s) in response.sentences.iter().enumerate() {
            assert_eq!(slice(&text, unit, s.offset, s.length), s.text, "{unit:?}");
            assert_eq!(s.rank as usize, r + 1);
            assert!(s.score.is_finite() && (0.0..=1.0).contains(&s.score));
        }
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn lexical_mode_refuses_semantic_naming_the_flag() {
    let server = TestServer::start().await;
    let status = server
        .client()
        .await
        .summarize(SummarizeRequest {
            text: DROUGHT.into(),
            algorithm: SummarizeAlgorithm::Semantic.into(),
            ..Default::default()
        })
        .await
        .expect_err("no encoder");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(status.message().contains("--semantic-model"), "{status:?}");
    assert!(status.message().contains("SEMANTIC"), "{status:?}");
    // The other algorithms still answer.
    let response = summarize(
        &server,
        SummarizeRequest {
            text: DROUGHT.into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(response.algorithm(), SummarizeAlgorithm::Pacsum);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_query_is_read_by_meaning_with_the_encoder_and_by_words_without() {
    let request = SummarizeRequest {
        text: DROUGHT.into(),
        max_sentences: 1,
        query: PARAPHRASE.into(),
        ..Default::default()
    };
    let semantic = TestServer::start_with(semantic_config()).await;
    for algorithm in [
        SummarizeAlgorithm::Unspecified,
        SummarizeAlgorithm::Lead,
        SummarizeAlgorithm::Semantic,
    ] {
        let response = summarize(
            &semantic,
            SummarizeRequest {
                algorithm: algorithm.into(),
                ..request.clone()
            },
        )
        .await;
        assert!(response.query_used, "{algorithm:?}");
        assert_eq!(
            response.sentences[0].index, 2,
            "{algorithm:?}: {response:?}"
        );
    }
    semantic.stop().await.expect("clean stop");

    // No word of the query is in the text: by words it changes nothing.
    let lexical = TestServer::start().await;
    let response = summarize(&lexical, request).await;
    assert!(!response.query_used);
    assert_eq!(response.sentences[0].index, 0);
    lexical.stop().await.expect("clean stop");
}

#[tokio::test]
async fn over_the_encoders_limit_semantic_is_refused_and_a_query_read_by_words() {
    let server = TestServer::start_with(ServerConfig {
        limits: Limits {
            max_semantic_text_bytes: 100,
            ..Limits::default()
        },
        ..semantic_config()
    })
    .await;
    let status = server
        .client()
        .await
        .summarize(SummarizeRequest {
            text: DROUGHT.into(),
            algorithm: SummarizeAlgorithm::Semantic.into(),
            ..Default::default()
        })
        .await
        .expect_err("over the encoder's limit");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let details = status.get_error_details();
    let bad = details.bad_request().expect("BadRequest details");
    assert_eq!(bad.field_violations.len(), 1, "{bad:?}");
    assert_eq!(bad.field_violations[0].field, "text");
    assert!(
        bad.field_violations[0]
            .description
            .contains("--max-semantic-text-bytes"),
        "{bad:?}"
    );
    // The default algorithm needs no encoder: the query is read by its
    // words, as in lexical mode.
    let by_words = summarize(
        &server,
        SummarizeRequest {
            text: DROUGHT.into(),
            max_sentences: 1,
            query: PARAPHRASE.into(),
            ..Default::default()
        },
    )
    .await;
    assert!(!by_words.query_used);
    let farms = summarize(
        &server,
        SummarizeRequest {
            text: DROUGHT.into(),
            max_sentences: 1,
            query: "farms".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(farms.query_used);
    assert_eq!(farms.sentences[0].index, 2);
    server.stop().await.expect("clean stop");
}
