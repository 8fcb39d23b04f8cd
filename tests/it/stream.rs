//! AnalyzeStream through the real server: answers by id, errors per item,
//! dedup within the stream, flow control, the stream's deadline and the
//! limit on open streams.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common;

use common::{TestServer, WIRE_STYLE};
use textanalysis::config::Limits;
use textanalysis::proto::v1::analyze_stream_response::Result as Answer;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{
    AnalyzeRequest, AnalyzeStreamRequest, AnalyzeStreamResponse, ClassifyRequest, DedupRequest,
    SignatureRequest, SummarizeRequest,
};
use textanalysis::server::ServerConfig;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

const STORY: &str = "The harbour authority of Port Elwyn approved a new ferry terminal on \
Tuesday after two years of hearings. The terminal will take ferries from three islands and \
replace a pier that storms damaged in 2019. Construction starts in the spring and should \
last eighteen months, the authority said. Residents had objected to the traffic the \
terminal would bring to the old town. The authority promised a bypass road and a bus \
line before the terminal opens. Ferry operators welcomed the decision and said they would \
add two sailings a day.";

/// `STORY` republished: a sentence dropped, a word changed, page furniture.
const EDITED: &str = "Share this article\n\nThe harbour authority of Port Elwyn approved a \
new ferry terminal on Tuesday after two years of hearings. The terminal will take ferries from \
three islands and replace a pier that storms damaged in 2019. Construction begins in the \
spring and should last eighteen months, the authority said. Residents had objected to the \
traffic the terminal would bring to the old town. Ferry operators welcomed the decision and \
said they would add two sailings a day.\n\nFollow us on Twitter";

/// `STORY` with two words changed: every shingle of one text is not in the
/// other.
const RETOLD: &str = "The harbour authority of Port Elwyn approved a new ferry terminal on \
Monday after two years of hearings. The terminal will take ferries from three islands and \
replace a pier that storms damaged in 2019. Construction starts in the spring and should \
last twenty months, the authority said. Residents had objected to the traffic the \
terminal would bring to the old town. The authority promised a bypass road and a bus \
line before the terminal opens. Ferry operators welcomed the decision and said they would \
add two sailings a day.";

const OTHER: &str = "The city council of Port Elwyn voted to close two libraries on \
Monday to save money. Librarians said the closures would hurt children most. The council \
will keep the central library open on weekends. A petition against the closures has \
gathered four thousand signatures. The mayor said no other savings were possible this year.";

fn item(id: &str, text: &str, dedup: bool) -> AnalyzeStreamRequest {
    AnalyzeStreamRequest {
        id: id.into(),
        request: Some(AnalyzeRequest {
            text: text.into(),
            summarize: Some(SummarizeRequest::default()),
            ..Default::default()
        }),
        dedup: dedup.then(DedupRequest::default),
    }
}

/// Sends `items` as one stream and collects every answer by id.
async fn run(
    server: &TestServer,
    items: Vec<AnalyzeStreamRequest>,
) -> HashMap<String, AnalyzeStreamResponse> {
    let mut answers = server
        .client()
        .await
        .analyze_stream(tokio_stream::iter(items))
        .await
        .expect("stream opens")
        .into_inner();
    let mut by_id = HashMap::new();
    while let Some(answer) = answers.message().await.expect("stream goes on") {
        by_id.insert(answer.id.clone(), answer);
    }
    by_id
}

fn error_code(answer: &AnalyzeStreamResponse) -> Option<i32> {
    match &answer.result {
        Some(Answer::Error(status)) => Some(status.code),
        _ => None,
    }
}

#[tokio::test]
async fn each_item_is_answered_by_id_and_a_bad_one_fails_alone() {
    let server = TestServer::start().await;
    let mut bad_part = item("bad-model", STORY, false);
    bad_part.request.as_mut().expect("request").classify = Some(ClassifyRequest {
        model: "no-such-model".into(),
        ..Default::default()
    });
    let items = vec![
        item("one", STORY, false),
        item("blank", "  ", false),
        bad_part,
        AnalyzeStreamRequest {
            id: "x".repeat(300),
            ..item("", STORY, false)
        },
        item("two", WIRE_STYLE, false),
    ];
    let answers = run(&server, items).await;
    assert_eq!(answers.len(), 5, "{:?}", answers.keys());
    for id in ["one", "two"] {
        let Some(Answer::Response(response)) = &answers[id].result else {
            panic!("{id}: {:?}", answers[id]);
        };
        assert!(
            !response
                .summarize
                .as_ref()
                .expect("summary")
                .sentences
                .is_empty()
        );
    }
    assert_eq!(
        error_code(&answers["blank"]),
        Some(Code::InvalidArgument as i32)
    );
    let Some(Answer::Response(response)) = &answers["bad-model"].result else {
        panic!(
            "a bad part leaves the item's other parts: {:?}",
            answers["bad-model"]
        );
    };
    assert!(response.summarize.is_some() && response.errors.len() == 1);
    // An id over the limit is answered under its first 256 bytes.
    assert_eq!(
        error_code(&answers[&"x".repeat(256)]),
        Some(Code::InvalidArgument as i32)
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_republished_copy_is_marked_with_its_original() {
    let server = TestServer::start().await;
    let items = vec![
        item("story", STORY, true),
        item("other", OTHER, true),
        item("not-indexed", STORY, false),
        AnalyzeStreamRequest {
            id: "dedup-only".into(),
            request: Some(AnalyzeRequest {
                text: EDITED.into(),
                ..Default::default()
            }),
            dedup: Some(DedupRequest::default()),
        },
        AnalyzeStreamRequest {
            dedup: Some(DedupRequest {
                near_duplicate: Some(0.99),
                ..Default::default()
            }),
            ..item("strict", RETOLD, false)
        },
    ];
    let answers = run(&server, items).await;
    assert!(answers["story"].duplicate_of.is_none());
    assert!(answers["other"].duplicate_of.is_none());
    assert!(answers["not-indexed"].duplicate_of.is_none());
    let copy = answers["dedup-only"]
        .duplicate_of
        .as_ref()
        .expect("the copy is marked");
    assert_eq!(copy.id, "story");
    assert!(copy.similarity > 0.5 && copy.similarity < 1.0, "{copy:?}");
    assert!(
        answers["strict"].duplicate_of.is_none(),
        "a threshold of 0.99 lets an edited copy through: {:?}",
        answers["strict"]
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_client_that_stops_reading_stops_the_server_reading() {
    let server = TestServer::start().await;
    const ITEMS: usize = 6_000;
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let text = STORY.repeat(2);
    let items = tokio_stream::iter(0..ITEMS).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        AnalyzeStreamRequest {
            id: i.to_string(),
            request: Some(AnalyzeRequest {
                text: text.clone(),
                signature: Some(SignatureRequest::default()),
                ..Default::default()
            }),
            dedup: None,
        }
    });
    // A client that takes at most 64 KiB of answers it has not read (the
    // protocol's default window; tonic's is larger).
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.addr))
        .expect("valid uri")
        .initial_stream_window_size(65_535)
        .initial_connection_window_size(65_535)
        .connect()
        .await
        .expect("connect");
    let mut answers = TextAnalysisServiceClient::new(channel)
        .analyze_stream(items)
        .await
        .expect("stream opens")
        .into_inner();
    // Not reading: within two seconds the client must be held up long
    // before it has sent everything (some 6 MB; the server's window takes
    // 1 MiB of it, the client's send buffer less).
    let all_sent = async {
        while pulled.load(Ordering::SeqCst) < ITEMS {
            tokio::task::yield_now().await;
        }
    };
    let held = tokio::time::timeout(Duration::from_secs(2), all_sent).await;
    assert!(held.is_err(), "every item was read with no answer taken");
    let before = pulled.load(Ordering::SeqCst);
    assert!(before < ITEMS / 2, "{before} items read ahead");
    // Reading again, every item is answered.
    let mut answered = 0;
    while let Some(answer) = answers.message().await.expect("stream goes on") {
        assert!(matches!(answer.result, Some(Answer::Response(_))));
        answered += 1;
    }
    assert_eq!(answered, ITEMS);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn the_deadline_ends_the_whole_stream() {
    let server = TestServer::start().await;
    let (sender, receiver) = mpsc::channel(4);
    sender
        .send(item("first", STORY, false))
        .await
        .expect("queued");
    let mut request = tonic::Request::new(ReceiverStream::new(receiver));
    request.set_timeout(Duration::from_millis(500));
    let mut answers = server
        .client()
        .await
        .analyze_stream(request)
        .await
        .expect("stream opens")
        .into_inner();
    let first = answers.message().await.expect("first answer");
    assert_eq!(first.expect("an answer").id, "first");
    // The sender stays open: only the deadline ends the stream.
    let end = answers.message().await.expect_err("the stream fails");
    assert_eq!(end.code(), Code::DeadlineExceeded, "{end:?}");
    drop(sender);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn streams_beyond_the_limit_are_refused() {
    let server = TestServer::start_with(ServerConfig {
        limits: Limits {
            max_streams: 1,
            ..Limits::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let (sender, receiver) = mpsc::channel(1);
    sender.send(item("a", STORY, false)).await.expect("queued");
    let mut open = server
        .client()
        .await
        .analyze_stream(ReceiverStream::new(receiver))
        .await
        .expect("the first stream opens")
        .into_inner();
    open.message().await.expect("an answer").expect("answered");
    let refused = server
        .client()
        .await
        .analyze_stream(tokio_stream::iter(vec![item("b", STORY, false)]))
        .await
        .expect_err("a second stream is refused");
    assert_eq!(refused.code(), Code::ResourceExhausted);
    drop(sender);
    assert!(open.message().await.expect("clean end").is_none());
    // The place is free once the first stream has ended.
    let answers = run(&server, vec![item("c", STORY, false)]).await;
    assert!(answers.contains_key("c"));
    server.stop().await.expect("clean stop");
}
