//! The wire story republished by two outlets (`../shared/data/wire_pair/`,
//! beside the checkout, as in CI): summaries slice the original exactly in
//! every offset unit and carry none of the pages' furniture, and a
//! comparison of the two leaves it out. The texts are read at test time,
//! never copied here.

use crate::common;

use common::semantic::semantic_config;
use common::{TestServer, slice};
use textanalysis::proto::v1::{OffsetUnit, SummarizeAlgorithm, SummarizeRequest};

fn wire_text(name: &str) -> String {
    let path = format!(
        "{}/../shared/data/wire_pair/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (the shared data must sit beside the checkout)"))
}

#[tokio::test]
async fn wire_pair_summaries_slice_exactly_in_every_unit() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    for name in ["a.txt", "b.txt"] {
        let text = wire_text(name);
        for unit in [
            OffsetUnit::Utf8Byte,
            OffsetUnit::CodePoint,
            OffsetUnit::Utf16CodeUnit,
        ] {
            for (algorithm, keep_boilerplate) in [
                (SummarizeAlgorithm::Unspecified, false),
                (SummarizeAlgorithm::Textrank, true),
                (SummarizeAlgorithm::Lexrank, false),
                (SummarizeAlgorithm::Centroid, true),
                (SummarizeAlgorithm::Pacsum, true),
            ] {
                let response = client
                    .summarize(SummarizeRequest {
                        text: text.clone(),
                        max_sentences: 50,
                        offset_unit: unit as i32,
                        algorithm: algorithm as i32,
                        keep_boilerplate,
                        ..Default::default()
                    })
                    .await
                    .expect("summarize")
                    .into_inner();
                assert_eq!(response.language, "en");
                assert!(response.sentence_count >= 20, "{name}");
                // Every sentence is returned, or removed as furniture.
                let removed = response.removed_sentence_count as usize;
                assert_eq!(removed == 0, keep_boilerplate, "{name}");
                assert_eq!(
                    response.sentences.len() + removed,
                    response.sentence_count as usize
                );
                for s in &response.sentences {
                    assert_eq!(
                        slice(&text, unit, s.offset, s.length),
                        s.text,
                        "{name} {unit:?}"
                    );
                }
            }
        }
    }
    server.stop().await.expect("clean stop");
}

/// Furniture of the two pages: the dateline, headline and subheads, the
/// photo caption and the comment box.
const FURNITURE: [&str; 9] = [
    "HRNW",
    "World powers discuss mounting IS threat in Libya",
    "No boots on the ground",
    "Race for Sirte",
    "Iraqi Kurdish and Turkmen",
    "tank on May 1, 2016",
    "Be the first to comment",
    "Leave a comment",
    "Your email address",
];

#[tokio::test]
async fn wire_pair_summaries_carry_no_furniture() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    for name in ["a.txt", "b.txt"] {
        let text = wire_text(name);
        for algorithm in [
            SummarizeAlgorithm::Unspecified,
            SummarizeAlgorithm::Textrank,
            SummarizeAlgorithm::Lexrank,
            SummarizeAlgorithm::Centroid,
            SummarizeAlgorithm::Lead,
            SummarizeAlgorithm::Pacsum,
        ] {
            for max_sentences in [3, 50] {
                let response = client
                    .summarize(SummarizeRequest {
                        text: text.clone(),
                        max_sentences,
                        algorithm: algorithm as i32,
                        include_keyphrases: true,
                        ..Default::default()
                    })
                    .await
                    .expect("summarize")
                    .into_inner();
                assert!(!response.sentences.is_empty());
                for s in &response.sentences {
                    for furniture in FURNITURE {
                        assert!(
                            !s.text.contains(furniture),
                            "{name} {algorithm:?}: {furniture:?} in {:?}",
                            s.text
                        );
                    }
                    assert_eq!(
                        &text[s.offset as usize..(s.offset + s.length) as usize],
                        s.text
                    );
                }
                for k in &response.keyphrases {
                    assert!(
                        !k.text.contains("HRNW") && !k.text.contains("Kurdish"),
                        "{k:?}"
                    );
                }
            }
        }
        // The first sentence of A keeps its story and loses its dateline.
        if name == "a.txt" {
            let lead = client
                .summarize(SummarizeRequest {
                    text: text.clone(),
                    max_sentences: 1,
                    algorithm: SummarizeAlgorithm::Lead as i32,
                    ..Default::default()
                })
                .await
                .expect("summarize")
                .into_inner();
            assert!(
                lead.sentences[0]
                    .text
                    .starts_with("Major powers including the US")
            );
            assert_eq!(lead.sentences[0].index, 0);
        }
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn wire_pair_is_world_or_politics_news() {
    use textanalysis::proto::v1::ClassifyRequest;
    let server = TestServer::start().await;
    let mut client = server.client().await;
    for name in ["a.txt", "b.txt"] {
        let response = client
            .classify(ClassifyRequest {
                text: wire_text(name),
                ..Default::default()
            })
            .await
            .expect("classify")
            .into_inner();
        let top = &response.topics[0].label;
        assert!(
            top == "world" || top == "politics",
            "{name}: {:?}",
            response.topics
        );
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn wire_pair_is_a_near_duplicate_with_its_edits_and_extras() {
    use textanalysis::proto::v1::{CompareRequest, DiffOp, Verdict};
    let server = TestServer::start().await;
    let (a, b) = (wire_text("a.txt"), wire_text("b.txt"));
    let response = server
        .client()
        .await
        .compare(CompareRequest {
            text_a: a.clone(),
            text_b: b.clone(),
            include_diff: true,
            ..Default::default()
        })
        .await
        .expect("compare")
        .into_inner();
    assert_eq!(response.verdict, Verdict::NearDuplicate as i32);

    let edited = response
        .alignments
        .iter()
        .find(|p| {
            p.a.as_ref()
                .is_some_and(|r| r.text.contains("which left rival militias"))
        })
        .expect("the militias sentence is aligned");
    assert!(
        edited
            .b
            .as_ref()
            .expect("b")
            .text
            .contains("which led to rival militias")
    );
    let has = |op: DiffOp, word: &str| {
        edited
            .diff
            .iter()
            .any(|d| d.op == op as i32 && d.text.contains(word))
    };
    assert!(has(DiffOp::Delete, "left"), "{:#?}", edited.diff);
    assert!(has(DiffOp::Insert, "led to"), "{:#?}", edited.diff);

    // The pages' furniture is left out of the comparison, counted: A's two
    // subheads and three comment-box lines, B's headline and photo caption.
    // What is left unique is story one outlet has and the other not
    // ("A total of 25 top diplomats were in attendance", "More than 20 top
    // diplomats are set to attend").
    assert_eq!(
        (
            response.removed_sentence_count_a,
            response.removed_sentence_count_b
        ),
        (5, 2)
    );
    let unique_a: Vec<&str> = response.unique_a.iter().map(|r| r.text.as_str()).collect();
    let unique_b: Vec<&str> = response.unique_b.iter().map(|r| r.text.as_str()).collect();
    let refs = response
        .alignments
        .iter()
        .flat_map(|p| [p.a.as_ref(), p.b.as_ref()])
        .flatten()
        .map(|r| r.text.as_str())
        .chain(unique_a.iter().copied())
        .chain(unique_b.iter().copied());
    for text in refs {
        for furniture in FURNITURE {
            assert!(!text.contains(furniture), "{furniture:?} in {text:?}");
        }
    }
    assert!(
        unique_a
            .iter()
            .any(|t| t.starts_with("A total of 25 top diplomats")),
        "{unique_a:#?}"
    );
    assert!(
        unique_b
            .iter()
            .any(|t| t.starts_with("More than 20 top diplomats")),
        "{unique_b:#?}"
    );
    // The lead of A is aligned without its dateline.
    assert!(
        response.alignments[0]
            .a
            .as_ref()
            .is_some_and(|r| r.index == 0 && r.text.starts_with("Major powers including the US"))
    );
    // Every sentence is aligned, unique or removed, on both sides.
    let aligned_a =
        response.alignments.len() + unique_a.len() + response.removed_sentence_count_a as usize;
    assert!(aligned_a >= 25, "{aligned_a}");
    server.stop().await.expect("clean stop");
}

#[path = "../fixtures/wire_pair_alignment.rs"]
mod alignment;
use alignment::pairs_read_by_hand;

#[tokio::test]
async fn wire_pair_aligns_every_pair_read_by_hand_and_no_other_with_or_without_the_encoder() {
    use textanalysis::proto::v1::{CompareRequest, Verdict};
    let expected = pairs_read_by_hand();
    assert_eq!(expected.len(), 22);
    let (a, b) = (wire_text("a.txt"), wire_text("b.txt"));
    for (config, semantic) in [
        (textanalysis::server::ServerConfig::default(), false),
        (semantic_config(), true),
    ] {
        let server = TestServer::start_with(config).await;
        let response = server
            .client()
            .await
            .compare(CompareRequest {
                text_a: a.clone(),
                text_b: b.clone(),
                ..Default::default()
            })
            .await
            .expect("compare")
            .into_inner();
        let aligned: Vec<(u32, u32)> = response
            .alignments
            .iter()
            .map(|p| {
                (
                    p.a.as_ref().expect("a").index,
                    p.b.as_ref().expect("b").index,
                )
            })
            .collect();
        assert_eq!(aligned, expected, "with the encoder: {semantic}");
        assert_eq!(response.verdict, Verdict::NearDuplicate as i32);
        let similarity = response.similarity.expect("similarity");
        assert_eq!(similarity.semantic.is_some(), semantic);
        for pair in &response.alignments {
            assert!((0.0..=1.0).contains(&pair.similarity), "{pair:?}");
        }
        server.stop().await.expect("clean stop");
    }
}
