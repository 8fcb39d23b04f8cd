//! Summarize through the real server and a real tonic client.

mod common;

use common::{TestServer, WIRE_STYLE};
use textanalysis::proto::v1::{
    OffsetUnit, SummarizeAlgorithm, SummarizeRequest, SummarizeResponse, SummaryOrder,
};

async fn summarize(server: &TestServer, request: SummarizeRequest) -> SummarizeResponse {
    server
        .client()
        .await
        .summarize(request)
        .await
        .expect("summarize succeeds")
        .into_inner()
}

fn slice(text: &str, unit: OffsetUnit, offset: u32, length: u32) -> String {
    let (offset, length) = (offset as usize, length as usize);
    match unit {
        OffsetUnit::Unspecified | OffsetUnit::Utf8Byte => text[offset..offset + length].to_owned(),
        OffsetUnit::CodePoint => text.chars().skip(offset).take(length).collect(),
        OffsetUnit::Utf16CodeUnit => {
            let units: Vec<u16> = text.encode_utf16().collect();
            String::from_utf16(&units[offset..offset + length]).expect("valid UTF-16 slice")
        }
    }
}

#[tokio::test]
async fn offsets_slice_the_input_exactly_in_every_unit() {
    let server = TestServer::start().await;
    let text =
        format!("{WIRE_STYLE}\nÉmilie’s café 👩‍👩‍👧 served naïve crêpes to 3 envoys. 会议明天继续。");
    for unit in [
        OffsetUnit::Unspecified,
        OffsetUnit::Utf8Byte,
        OffsetUnit::CodePoint,
        OffsetUnit::Utf16CodeUnit,
    ] {
        let response = summarize(
            &server,
            SummarizeRequest {
                text: text.clone(),
                max_sentences: 20,
                offset_unit: unit as i32,
                ..Default::default()
            },
        )
        .await;
        assert!(response.sentences.len() >= 8, "{unit:?}: {response:?}");
        for s in &response.sentences {
            assert_eq!(slice(&text, unit, s.offset, s.length), s.text, "{unit:?}");
        }
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn every_algorithm_answers_and_names_itself() {
    let server = TestServer::start().await;
    for algorithm in [
        SummarizeAlgorithm::Textrank,
        SummarizeAlgorithm::Lexrank,
        SummarizeAlgorithm::Centroid,
        SummarizeAlgorithm::Lead,
    ] {
        let response = summarize(
            &server,
            SummarizeRequest {
                text: WIRE_STYLE.into(),
                algorithm: algorithm as i32,
                order: SummaryOrder::Rank as i32,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(response.algorithm, algorithm as i32);
        assert_eq!(response.sentences.len(), 3);
        assert_eq!(response.language, "en");
        let ranks: Vec<u32> = response.sentences.iter().map(|s| s.rank).collect();
        assert_eq!(ranks, [1, 2, 3], "{algorithm:?} in rank order");
        assert!(response.sentences.iter().all(|s| s.score.is_finite()));
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn default_algorithm_is_reported_and_document_order_is_the_default() {
    let server = TestServer::start().await;
    let response = summarize(
        &server,
        SummarizeRequest {
            text: WIRE_STYLE.into(),
            ..Default::default()
        },
    )
    .await;
    assert_ne!(response.algorithm, SummarizeAlgorithm::Unspecified as i32);
    let indexes: Vec<u32> = response.sentences.iter().map(|s| s.index).collect();
    let mut sorted = indexes.clone();
    sorted.sort_unstable();
    assert_eq!(indexes, sorted);
    assert!(response.sentence_count >= 9);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn length_limits_take_the_tightest() {
    let server = TestServer::start().await;
    let lead = SummarizeAlgorithm::Lead as i32;
    let by_ratio = summarize(
        &server,
        SummarizeRequest {
            text: WIRE_STYLE.into(),
            max_sentences: 10,
            ratio: 0.2,
            algorithm: lead,
            ..Default::default()
        },
    )
    .await;
    let n = by_ratio.sentence_count as f64;
    assert_eq!(by_ratio.sentences.len(), (n * 0.2).ceil() as usize);

    let by_words = summarize(
        &server,
        SummarizeRequest {
            text: WIRE_STYLE.into(),
            max_sentences: 10,
            max_words: 30,
            algorithm: lead,
            ..Default::default()
        },
    )
    .await;
    let words: usize = by_words
        .sentences
        .iter()
        .map(|s| s.text.split_whitespace().count())
        .sum();
    assert!(words <= 30, "{words} words: {by_words:?}");
    assert!(!by_words.sentences.is_empty());

    let one = summarize(
        &server,
        SummarizeRequest {
            text: "Only one sentence here.".into(),
            max_sentences: 5,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(one.sentences.len(), 1);
    assert_eq!(one.sentences[0].text, "Only one sentence here.");
    assert_eq!(one.sentence_count, 1);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn explicit_and_detected_languages() {
    let server = TestServer::start().await;
    let german = "Die Minister trafen sich am Dienstag in Genf. Sie sprachen über die Dürre. \
                  Die Hilfsorganisationen warnen vor einer Hungersnot im Süden des Landes.";
    let detected = summarize(
        &server,
        SummarizeRequest {
            text: german.into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(detected.language, "de");
    let explicit = summarize(
        &server,
        SummarizeRequest {
            text: german.into(),
            language: "DE".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(explicit.language, "de");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn scripts_without_spaces_and_right_to_left_text_are_summarized() {
    let server = TestServer::start().await;
    for text in [
        "今天下雨了。我们不去公园了！明天会晴吗？",
        "اجتمع الوزراء في جنيف يوم الثلاثاء. وناقشوا الجفاف في الجنوب؟ وقالوا إن المساعدات ستصل قريبا.",
        "השרים נפגשו בז'נבה ביום שלישי. הם דנו בבצורת בדרום.",
        "👩‍👩‍👧 e\u{301}\u{301}\u{301} 🇫🇷!! ok.",
    ] {
        let response = summarize(
            &server,
            SummarizeRequest {
                text: text.into(),
                offset_unit: OffsetUnit::Utf16CodeUnit as i32,
                ..Default::default()
            },
        )
        .await;
        assert!(!response.sentences.is_empty(), "{text}");
        for s in &response.sentences {
            assert_eq!(
                slice(text, OffsetUnit::Utf16CodeUnit, s.offset, s.length),
                s.text
            );
        }
    }
    server.stop().await.expect("clean stop");
}
