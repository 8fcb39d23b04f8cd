//! Zero-shot topics through the real server with the real encoder: ad-hoc
//! topics described in words the text never uses, scored by meaning; the
//! encoder named in the answer; keywords still counted; and the answers of
//! lexical mode, of keyword-only topics and of texts or descriptions over
//! the encoder's limit exactly as without the encoder.

use crate::common;

use common::TestServer;
use common::semantic::semantic_config;
use textanalysis::config::Limits;
use textanalysis::proto::v1::{ClassifyRequest, ClassifyResponse, Topic};
use textanalysis::server::ServerConfig;

/// Written for this test: a purchase of a car, in words that none of the
/// descriptions below use.
const CAR: &str = "Last week my sister finally bought a second-hand Volvo estate. \
                   She test-drove three of them before paying the dealer.";

fn described(label: &str, description: &str) -> Topic {
    Topic {
        label: label.into(),
        description: description.into(),
        ..Default::default()
    }
}

fn request(text: &str, topics: Vec<Topic>) -> ClassifyRequest {
    ClassifyRequest {
        text: text.into(),
        topics,
        ..Default::default()
    }
}

async fn classify(server: &TestServer, request: ClassifyRequest) -> ClassifyResponse {
    server
        .client()
        .await
        .classify(request)
        .await
        .expect("classify succeeds")
        .into_inner()
}

fn encoder(response: &ClassifyResponse) -> &str {
    &response.model.as_ref().expect("model reference").encoder
}

fn labels(response: &ClassifyResponse) -> Vec<&str> {
    response.topics.iter().map(|t| t.label.as_str()).collect()
}

fn in_range(response: &ClassifyResponse) -> bool {
    response
        .topics
        .iter()
        .all(|t| t.score.is_finite() && (0.0..=1.0).contains(&t.score))
}

#[tokio::test]
async fn descriptions_are_read_by_meaning() {
    let topics = vec![
        described("cooking", "cooking and recipes"),
        described("cars", "automobiles and driving"),
    ];
    let semantic = TestServer::start_with(semantic_config()).await;
    let response = classify(&semantic, request(CAR, topics.clone())).await;
    assert_eq!(labels(&response), ["cars", "cooking"], "{response:?}");
    assert!(response.model.as_ref().expect("model").ad_hoc);
    assert_eq!(encoder(&response), "all-MiniLM-L6-v2");
    assert!(in_range(&response), "{response:?}");
    assert!(
        response.topics[0].score > 0.5 && response.topics[1].score < 0.1,
        "{response:?}"
    );

    // Lexical mode: no word in common, so both score 0, in the caller's
    // order, and no encoder is named.
    let lexical = TestServer::start().await;
    let words = classify(&lexical, request(CAR, topics)).await;
    assert_eq!(labels(&words), ["cooking", "cars"]);
    assert!(words.topics.iter().all(|t| t.score == 0.0), "{words:?}");
    assert_eq!(encoder(&words), "");
    semantic.stop().await.expect("clean stop");
    lexical.stop().await.expect("clean stop");
}

#[tokio::test]
async fn examples_are_read_by_meaning_and_keywords_still_count() {
    let semantic = TestServer::start_with(semantic_config()).await;
    let by_examples = classify(
        &semantic,
        request(
            CAR,
            vec![
                Topic {
                    label: "kitchen".into(),
                    examples: vec!["Whisk the eggs, then fold in the flour.".into()],
                    ..Default::default()
                },
                Topic {
                    label: "motoring".into(),
                    examples: vec!["He traded in his old hatchback for a new SUV.".into()],
                    ..Default::default()
                },
            ],
        ),
    )
    .await;
    assert_eq!(
        labels(&by_examples),
        ["motoring", "kitchen"],
        "{by_examples:?}"
    );
    assert_eq!(encoder(&by_examples), "all-MiniLM-L6-v2");

    // The same description twice: the topic whose keyword the text uses
    // scores higher, though it comes second.
    let keyworded = |label: &str, keyword: &str| Topic {
        keywords: vec![keyword.into()],
        ..described(label, "automobiles and driving")
    };
    let both = classify(
        &semantic,
        request(
            CAR,
            vec![keyworded("unused", "motorway"), keyworded("used", "dealer")],
        ),
    )
    .await;
    assert_eq!(labels(&both), ["used", "unused"], "{both:?}");
    assert!(both.topics[0].score > both.topics[1].score);
    assert!(in_range(&both));
    semantic.stop().await.expect("clean stop");
}

#[tokio::test]
async fn keyword_only_topics_and_texts_over_the_limit_answer_as_in_lexical_mode() {
    let limits = Limits {
        max_semantic_text_bytes: 100,
        ..Limits::default()
    };
    let semantic = TestServer::start_with(ServerConfig {
        limits,
        ..semantic_config()
    })
    .await;
    let lexical = TestServer::start_with(ServerConfig {
        limits,
        ..ServerConfig::default()
    })
    .await;
    let keywords = vec![
        Topic {
            label: "cars".into(),
            keywords: vec!["dealer".into(), "test-drove".into()],
            ..Default::default()
        },
        Topic {
            label: "cooking".into(),
            keywords: vec!["oven".into()],
            ..Default::default()
        },
    ];
    let short_descriptions = vec![
        described("cooking", "cooking and recipes, oven"),
        described("cars", "automobiles and driving, a car dealer"),
    ];
    let long_description = vec![
        described("cooking", "cooking and recipes"),
        described("cars", &"automobiles and driving, a car dealer; ".repeat(3)),
    ];
    // A text within the encoder's limit with keywords alone; one over it
    // with descriptions; one within it with descriptions over it.
    const SHORT: &str = "She bought the estate from a dealer.";
    assert!(SHORT.len() <= limits.max_semantic_text_bytes);
    assert!(CAR.len() > limits.max_semantic_text_bytes);
    for (text, topics) in [
        (SHORT, keywords),
        (CAR, short_descriptions),
        (SHORT, long_description),
    ] {
        let with = classify(&semantic, request(text, topics.clone())).await;
        let without = classify(&lexical, request(text, topics)).await;
        assert_eq!(with, without);
        assert_eq!(encoder(&with), "");
        assert!(with.topics.iter().any(|t| t.score > 0.0), "{with:?}");
    }
    semantic.stop().await.expect("clean stop");
    lexical.stop().await.expect("clean stop");
}
