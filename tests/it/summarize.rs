//! Summarize through the real server and a real tonic client.

use crate::common;

use common::{TestServer, WIRE_STYLE, slice};
use textanalysis::proto::v1::{
    Keyphrase, OffsetUnit, SummarizeAlgorithm, SummarizeRequest, SummarizeResponse, SummaryOrder,
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
        SummarizeAlgorithm::Pacsum,
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
async fn a_ratio_or_a_budget_alone_decides_the_length() {
    let server = TestServer::start().await;
    let text = WIRE_STYLE.repeat(3);
    let ask = |ratio: f64, max_words: u32| SummarizeRequest {
        text: text.clone(),
        ratio,
        max_words,
        algorithm: SummarizeAlgorithm::Lead as i32,
        keep_boilerplate: true,
        ..Default::default()
    };
    let whole = summarize(&server, ask(1.0, 0)).await;
    assert!(whole.sentence_count > 3);
    assert_eq!(
        whole.sentences.len(),
        whole.sentence_count as usize,
        "ratio 1 without max_sentences is every sentence, not the default 3"
    );
    let half = summarize(&server, ask(0.5, 0)).await;
    let expected = (f64::from(half.sentence_count) * 0.5).ceil() as usize;
    assert_eq!(half.sentences.len(), expected);
    let by_words = summarize(&server, ask(0.0, 200)).await;
    assert!(by_words.sentences.len() > 3, "{by_words:?}");
    // Nothing asked: the default of 3.
    assert_eq!(summarize(&server, ask(0.0, 0)).await.sentences.len(), 3);
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

fn length_in(unit: OffsetUnit, s: &str) -> usize {
    match unit {
        OffsetUnit::CodePoint => s.chars().count(),
        OffsetUnit::Utf16CodeUnit => s.encode_utf16().count(),
        _ => s.len(),
    }
}

#[tokio::test]
async fn furniture_is_removed_by_default_and_kept_on_request() {
    let server = TestServer::start().await;
    let request = |keep_boilerplate| SummarizeRequest {
        text: WIRE_STYLE.into(),
        max_sentences: 50,
        keep_boilerplate,
        offset_unit: OffsetUnit::Utf16CodeUnit as i32,
        ..Default::default()
    };
    let clean = summarize(&server, request(false)).await;
    // The headline, the subhead and the comment box.
    assert_eq!(clean.removed_sentence_count, 3, "{clean:?}");
    assert_eq!(clean.sentences.len() + 3, clean.sentence_count as usize);
    for s in &clean.sentences {
        for furniture in [
            "NWS",
            "Leave a comment",
            "No water, no peace",
            "Ministers meet",
        ] {
            assert!(!s.text.contains(furniture), "{furniture:?} in {:?}", s.text);
        }
        assert_eq!(
            slice(WIRE_STYLE, OffsetUnit::Utf16CodeUnit, s.offset, s.length),
            s.text
        );
    }
    // The dateline is cut off the first story sentence, which keeps its
    // index among all sentences.
    let first = &clean.sentences[0];
    assert!(
        first
            .text
            .starts_with("Ministers from six countries met in Geneva"),
        "{first:?}"
    );
    assert_eq!(first.index, 1);

    let kept = summarize(&server, request(true)).await;
    assert_eq!(kept.removed_sentence_count, 0);
    assert_eq!(kept.sentences.len(), kept.sentence_count as usize);
    assert!(
        kept.sentences[1]
            .text
            .starts_with("Freedonia (NWS): Ministers")
    );
    assert!(kept.sentences.iter().any(|s| s.text == "Leave a comment"));
    server.stop().await.expect("clean stop");
}

/// Two near-copies of one sentence, which centrality ranks first.
const REPEATS: &str = "Floods closed the main bridge across the river on Monday. \
    Floods closed the main bridge across the river again on Monday. \
    The river bridge floods every spring. \
    Schools stayed open despite the floods. \
    Farmers moved cattle away from the river.";

#[tokio::test]
async fn diversity_leaves_out_repeats() {
    let server = TestServer::start().await;
    let pick = |diversity| SummarizeRequest {
        text: REPEATS.into(),
        max_sentences: 2,
        algorithm: SummarizeAlgorithm::Lexrank as i32,
        diversity,
        ..Default::default()
    };
    let indexes = |r: &SummarizeResponse| r.sentences.iter().map(|s| s.index).collect::<Vec<_>>();
    let plain = summarize(&server, pick(None)).await;
    assert_eq!(indexes(&plain), [0, 1]);
    assert_eq!(indexes(&summarize(&server, pick(Some(0.0))).await), [0, 1]);
    let diverse = indexes(&summarize(&server, pick(Some(0.7))).await);
    assert_eq!(diverse.len(), 2);
    assert!(
        diverse.contains(&0) != diverse.contains(&1),
        "one copy only: {diverse:?}"
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_query_biases_the_summary() {
    let server = TestServer::start().await;
    let ask = |query: &str| SummarizeRequest {
        text: REPEATS.into(),
        max_sentences: 1,
        query: query.into(),
        ..Default::default()
    };
    let plain = summarize(&server, ask("")).await;
    assert!(!plain.query_used);
    assert_eq!(plain.sentences[0].index, 0);
    let schools = summarize(&server, ask("Did the schools stay open?")).await;
    assert!(schools.query_used);
    assert_eq!(schools.sentences[0].index, 3);
    let unknown = summarize(&server, ask("volcano")).await;
    assert!(!unknown.query_used);
    assert_eq!(unknown.sentences, plain.sentences);
    server.stop().await.expect("clean stop");
}

const UNITS: [OffsetUnit; 3] = [
    OffsetUnit::Utf8Byte,
    OffsetUnit::CodePoint,
    OffsetUnit::Utf16CodeUnit,
];

/// The default number of key phrases of `text`, with offsets in `unit`.
async fn keyphrases_in(server: &TestServer, text: &str, unit: OffsetUnit) -> Vec<Keyphrase> {
    let request = SummarizeRequest {
        text: text.into(),
        include_keyphrases: true,
        offset_unit: unit as i32,
        ..Default::default()
    };
    summarize(server, request).await.keyphrases
}

#[tokio::test]
async fn keyphrases_with_their_occurrences_in_every_unit() {
    let server = TestServer::start().await;
    let text = format!(
        "{WIRE_STYLE}\nÉmilie’s café 👩‍👩‍👧 served the envoys. The envoys left Freedonia on Friday."
    );
    let none = summarize(
        &server,
        SummarizeRequest {
            text: text.clone(),
            ..Default::default()
        },
    )
    .await;
    assert!(none.keyphrases.is_empty());
    for unit in UNITS {
        let phrases = &keyphrases_in(&server, &text, unit).await;
        assert_eq!(phrases.len(), 10, "the default number");
        assert_eq!(phrases[0].text, "Freedonia", "{phrases:#?}");
        assert_eq!(phrases[0].score, 1.0);
        assert!(
            phrases
                .windows(2)
                .all(|w| w[0].score >= w[1].score && w[1].score > 0.0)
        );
        for phrase in phrases {
            assert_eq!(phrase.occurrences.len() as u32, phrase.occurrence_count);
            let first = &phrase.occurrences[0];
            assert_eq!(slice(&text, unit, first.offset, first.length), phrase.text);
            // Each occurrence is the phrase, inflected, or a name's short
            // form: never more words than the phrase.
            for o in &phrase.occurrences {
                let found = slice(&text, unit, o.offset, o.length);
                assert!(
                    (1..=phrase.text.split_whitespace().count())
                        .contains(&found.split_whitespace().count()),
                    "{found:?} for {phrase:?}"
                );
            }
        }
        let freedonia = &phrases[0];
        // "the drought in Freedonia" and "left Freedonia"; not the headline
        // nor the dateline: furniture takes no part.
        assert_eq!(freedonia.occurrence_count, 2, "{freedonia:?}");
    }
    let two = summarize(
        &server,
        SummarizeRequest {
            text: text.clone(),
            include_keyphrases: true,
            max_keyphrases: 2,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(two.keyphrases.len(), 2);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn keyphrases_keep_names_whole_in_every_unit() {
    let server = TestServer::start().await;
    let text = "Zoë Ångström’s lab in Tromsø mapped the fjord 🌊 in March. \
        Ångström said the fjord was warming. \
        Students from Tromsø joined Ångström on the boat.";
    for unit in UNITS {
        let phrases = keyphrases_in(&server, text, unit).await;
        let name = phrases
            .iter()
            .find(|k| k.text == "Zoë Ångström")
            .unwrap_or_else(|| panic!("the name, whole: {phrases:#?}"));
        // Without the possessive, then its short form twice.
        let found: Vec<String> = name
            .occurrences
            .iter()
            .map(|o| slice(text, unit, o.offset, o.length))
            .collect();
        assert_eq!(found, ["Zoë Ångström", "Ångström", "Ångström"]);
        assert_eq!(name.occurrence_count, 3);
        assert!(!phrases.iter().any(|k| k.text == "Ångström"));
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn character_budget_counts_in_the_offset_unit() {
    let server = TestServer::start().await;
    // Sentences of 12, 14 and 12 code points, 12, 17 and 12 UTF-16 units,
    // 13, 27 and 12 bytes ("👩‍👩‍👧" is 5 code points, 8 UTF-16 units, 18
    // bytes). Sentences that do not fit are skipped, never cut.
    let text = "Café opened. 👩‍👩‍👧 came by. Envoys left.";
    for (unit, budget, expected) in [
        (OffsetUnit::CodePoint, 26, vec![0, 1]),
        (OffsetUnit::Utf16CodeUnit, 26, vec![0, 2]),
        (OffsetUnit::Utf16CodeUnit, 41, vec![0, 1, 2]),
        (OffsetUnit::Utf16CodeUnit, 40, vec![0, 1]),
        (OffsetUnit::Utf8Byte, 13, vec![0]),
        (OffsetUnit::Utf8Byte, 12, vec![2]),
        (OffsetUnit::Utf8Byte, 11, vec![]),
    ] {
        let response = summarize(
            &server,
            SummarizeRequest {
                text: text.into(),
                max_sentences: 3,
                max_chars: budget,
                offset_unit: unit as i32,
                algorithm: SummarizeAlgorithm::Lead as i32,
                ..Default::default()
            },
        )
        .await;
        let indexes: Vec<u32> = response.sentences.iter().map(|s| s.index).collect();
        assert_eq!(indexes, expected, "{unit:?} {budget}: {response:?}");
        let used: usize = response
            .sentences
            .iter()
            .map(|s| length_in(unit, &s.text))
            .sum();
        assert!(used <= budget as usize);
        assert_eq!(
            used,
            response
                .sentences
                .iter()
                .map(|s| s.length as usize)
                .sum::<usize>()
        );
    }
    server.stop().await.expect("clean stop");
}
