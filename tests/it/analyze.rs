//! Analyze through the real server: the parts answer as their own RPCs
//! do, on one reading of the document, and a part that fails fails alone.

use crate::common;

use common::{TestServer, WIRE_STYLE};
use textanalysis::proto::v1::{
    AnalyzePart, AnalyzeRequest, AnalyzeResponse, ClassifyRequest, CompareRequest, EmbedRequest,
    KeyphrasesRequest, OffsetUnit, SignatureRequest, SummarizeRequest,
};
use tonic::Code;
use tonic_types::RpcStatusExt;

async fn analyze(server: &TestServer, request: AnalyzeRequest) -> AnalyzeResponse {
    server
        .client()
        .await
        .analyze(request)
        .await
        .expect("analyze succeeds")
        .into_inner()
}

/// The status of `part` among the response's errors.
fn part_error(response: &AnalyzeResponse, part: AnalyzePart) -> &tonic_types::Status {
    response
        .errors
        .iter()
        .find(|e| e.part == part as i32)
        .and_then(|e| e.status.as_ref())
        .unwrap_or_else(|| panic!("an error for {part:?} in {:?}", response.errors))
}

#[tokio::test]
async fn every_part_answers_as_its_own_rpc() {
    let server = TestServer::start().await;
    // Analyze reads words sentence by sentence and Classify the whole
    // text, which differ only where a word runs across a sentence
    // boundary ("Europe.The"): not in this text.
    let text = WIRE_STYLE.replace("Europe.The", "Europe. The");
    let mut client = server.client().await;
    let unit = OffsetUnit::Utf16CodeUnit as i32;
    let summarize = SummarizeRequest {
        max_sentences: 2,
        include_keyphrases: true,
        ..Default::default()
    };
    let response = analyze(
        &server,
        AnalyzeRequest {
            text: text.clone(),
            offset_unit: unit,
            summarize: Some(summarize.clone()),
            classify: Some(ClassifyRequest::default()),
            keyphrases: Some(KeyphrasesRequest::default()),
            signature: Some(SignatureRequest::default()),
            ..Default::default()
        },
    )
    .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(response.language, "en");

    let alone = client
        .summarize(SummarizeRequest {
            text: text.clone(),
            offset_unit: unit,
            ..summarize
        })
        .await
        .expect("summarize")
        .into_inner();
    assert_eq!(response.summarize.as_ref(), Some(&alone));
    let keyphrases = response.keyphrases.expect("key phrases").keyphrases;
    assert_eq!(keyphrases, alone.keyphrases);

    let topics = client
        .classify(ClassifyRequest {
            text: text.clone(),
            ..Default::default()
        })
        .await
        .expect("classify")
        .into_inner();
    let analysed = response.classify.expect("topics");
    assert_eq!(analysed.model, topics.model);
    let labels = |r: &textanalysis::proto::v1::ClassifyResponse| {
        r.topics.iter().map(|t| t.label.clone()).collect::<Vec<_>>()
    };
    assert_eq!(labels(&analysed), labels(&topics));
    for (a, b) in analysed.topics.iter().zip(&topics.topics) {
        assert!((a.score - b.score).abs() < 1e-9, "{a:?} against {b:?}");
    }

    let compared = client
        .compare(CompareRequest {
            text_a: text.clone(),
            text_b: "Something else entirely.".into(),
            include_signatures: true,
            ..Default::default()
        })
        .await
        .expect("compare")
        .into_inner();
    let signature = response.signature.expect("signature");
    assert_eq!(Some(&signature), compared.signature_a.as_ref());
    assert!(signature.shingle_count > 10, "{signature:?}");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_bad_part_fails_alone_with_its_own_status() {
    let server = TestServer::start().await;
    let response = analyze(
        &server,
        AnalyzeRequest {
            text: WIRE_STYLE.into(),
            summarize: Some(SummarizeRequest::default()),
            classify: Some(ClassifyRequest {
                model: "no-such-model".into(),
                ..Default::default()
            }),
            keyphrases: Some(KeyphrasesRequest {
                max_keyphrases: 500,
                ..Default::default()
            }),
            embed: Some(EmbedRequest::default()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        response
            .summarize
            .as_ref()
            .expect("summary")
            .sentences
            .len(),
        3
    );
    assert!(response.classify.is_none() && response.keyphrases.is_none());
    assert_eq!(response.errors.len(), 3, "{:?}", response.errors);
    let classify = part_error(&response, AnalyzePart::Classify);
    assert_eq!(classify.code, Code::NotFound as i32);
    assert!(classify.message.contains("no-such-model"), "{classify:?}");
    let keyphrases = part_error(&response, AnalyzePart::Keyphrases);
    assert_eq!(keyphrases.code, Code::InvalidArgument as i32);
    let details = keyphrases.get_error_details();
    let violations = &details.bad_request().expect("BadRequest").field_violations;
    assert_eq!(violations[0].field, "keyphrases.max_keyphrases");
    // This server has no sentence encoder.
    let embed = part_error(&response, AnalyzePart::Embed);
    assert_eq!(embed.code, Code::FailedPrecondition as i32);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_part_may_not_contradict_the_request() {
    let server = TestServer::start().await;
    let response = analyze(
        &server,
        AnalyzeRequest {
            text: WIRE_STYLE.into(),
            language: "en".into(),
            summarize: Some(SummarizeRequest {
                text: "Another text.".into(),
                language: "de".into(),
                offset_unit: OffsetUnit::CodePoint as i32,
                ..Default::default()
            }),
            classify: Some(ClassifyRequest {
                language: "en".into(),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await;
    assert!(response.classify.is_some(), "the same language may repeat");
    let summarize = part_error(&response, AnalyzePart::Summarize);
    let details = summarize.get_error_details();
    let mut fields: Vec<_> = details
        .bad_request()
        .expect("BadRequest")
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "summarize.language",
            "summarize.offset_unit",
            "summarize.text"
        ]
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn the_request_itself_must_be_valid() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    for (request, field) in [
        (
            AnalyzeRequest {
                text: WIRE_STYLE.into(),
                ..Default::default()
            },
            "summarize",
        ),
        (
            AnalyzeRequest {
                text: " \n".into(),
                signature: Some(SignatureRequest::default()),
                ..Default::default()
            },
            "text",
        ),
        (
            AnalyzeRequest {
                text: WIRE_STYLE.into(),
                language: "xx".into(),
                signature: Some(SignatureRequest::default()),
                ..Default::default()
            },
            "language",
        ),
    ] {
        let status = client.analyze(request).await.expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        let details = tonic_types::StatusExt::get_error_details(&status);
        let violations = &details.bad_request().expect("BadRequest").field_violations;
        assert_eq!(violations[0].field, field, "{violations:?}");
    }
    server.stop().await.expect("clean stop");
}
