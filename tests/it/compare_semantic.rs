//! Compare with the sentence encoder, through the real server and the real
//! model: paraphrases that share few words become related, `semantic` is
//! set only when the encoder reads both texts, and lexical mode is left as
//! it is.

use crate::common;

use common::semantic::semantic_config;
use common::{TestServer, WIRE_STYLE};
use textanalysis::config::Limits;
use textanalysis::proto::v1::{CompareRequest, CompareResponse, Verdict};
use textanalysis::server::ServerConfig;

/// Pairs written for this test that say the same thing in other words,
/// sharing no content word.
const PARAPHRASES: [(&str, &str); 2] = [
    (
        "The physician told the patient to stop smoking immediately.",
        "A doctor advised the sick man to quit cigarettes right away.",
    ),
    (
        "The movie was extremely boring.",
        "That film was incredibly dull.",
    ),
];

async fn compare(server: &TestServer, a: &str, b: &str) -> CompareResponse {
    server
        .client()
        .await
        .compare(CompareRequest {
            text_a: a.into(),
            text_b: b.into(),
            ..Default::default()
        })
        .await
        .expect("compare succeeds")
        .into_inner()
}

#[tokio::test]
async fn paraphrases_with_few_shared_words_are_related_only_with_the_encoder() {
    let lexical = TestServer::start().await;
    let semantic = TestServer::start_with(semantic_config()).await;
    for (a, b) in PARAPHRASES {
        let without = compare(&lexical, a, b).await;
        let with = compare(&semantic, a, b).await;
        let (sw, sl) = (
            with.similarity.expect("similarity"),
            without.similarity.expect("similarity"),
        );
        assert_eq!(
            without.verdict,
            Verdict::Unrelated as i32,
            "{a} / {b}: {sl:?}"
        );
        assert_eq!(with.verdict, Verdict::Related as i32, "{a} / {b}: {sw:?}");
        // The lexical measures are the same either way; the encoder adds
        // `semantic`, which `score` reads.
        assert_eq!((sw.cosine, sw.jaccard), (sl.cosine, sl.jaccard));
        assert_eq!(sl.semantic, None);
        let s = sw.semantic.expect("semantic is set with the encoder");
        assert!(s > 0.5 && s <= 1.0, "{s}");
        assert!(sw.score > sl.score, "{sw:?} {sl:?}");
    }
    lexical.stop().await.expect("clean stop");
    semantic.stop().await.expect("clean stop");
}

#[tokio::test]
async fn semantic_is_set_only_when_the_encoder_reads_both_texts() {
    let limit = 600;
    assert!(WIRE_STYLE.len() > limit);
    let short = "Ministers met in Geneva on Tuesday to discuss the drought.";
    let config = ServerConfig {
        limits: Limits {
            max_semantic_text_bytes: limit,
            ..Limits::default()
        },
        ..semantic_config()
    };
    let semantic = TestServer::start_with(config).await;
    let lexical = TestServer::start().await;
    let within = compare(&semantic, short, short).await;
    let s = within.similarity.expect("similarity").semantic;
    assert!(s.is_some_and(|s| (s - 1.0).abs() < 1e-6), "{s:?}");
    // A text over the encoder's limit is compared by its words alone, as
    // in lexical mode, and not refused.
    for (a, b) in [(WIRE_STYLE, short), (short, WIRE_STYLE)] {
        let over = compare(&semantic, a, b).await;
        let words = compare(&lexical, a, b).await;
        assert_eq!(over.similarity.expect("similarity").semantic, None);
        assert_eq!(over, words);
    }
    let lexical_mode = compare(&lexical, short, short).await;
    assert_eq!(lexical_mode.similarity.expect("similarity").semantic, None);
    semantic.stop().await.expect("clean stop");
    lexical.stop().await.expect("clean stop");
}
