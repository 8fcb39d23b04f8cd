//! Backpressure: beyond the analyses in flight and the queue, requests are
//! refused at once with RESOURCE_EXHAUSTED and a retry hint, while health
//! checks and cheap calls keep answering and accepted work completes.

use crate::common;

use common::{TestServer, WIRE_STYLE, long_config, long_text, metric, scrape, with_concurrency};
use textanalysis::proto::v1::{ListModelsRequest, SummarizeAlgorithm, SummarizeRequest};
use textanalysis::server::SERVICE_NAME;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
use tonic_types::StatusExt;

fn summarize(text: String) -> SummarizeRequest {
    SummarizeRequest {
        text,
        algorithm: SummarizeAlgorithm::Textrank as i32,
        language: "en".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn beyond_the_queue_requests_are_refused_at_once_and_accepted_work_completes() {
    let (server, metrics) =
        TestServer::start_with_metrics(with_concurrency(long_config(), 1, 0)).await;
    // A long analysis holds the only slot while the test looks around.
    let long_text = long_text();
    let mut client = server.client().await;
    // Short requests go through until the long one is admitted; from then
    // on the next one is refused (no queue), and that must happen while
    // the long one still runs. (The long one may itself be refused if it
    // arrives while a short one runs: then it is sent again.)
    let (refused, long) = 'attempt: loop {
        let mut long_client = server.client().await;
        let text = long_text.clone();
        let long = tokio::spawn(async move { long_client.summarize(summarize(text)).await });
        loop {
            if long.is_finished() {
                match long.await.expect("task") {
                    Err(status) if status.code() == tonic::Code::ResourceExhausted => {
                        continue 'attempt;
                    }
                    other => panic!("the long analysis ended first: {:?}", other.map(|_| ())),
                }
            }
            if let Err(status) = client.summarize(summarize(WIRE_STYLE.to_owned())).await {
                break 'attempt (status, long);
            }
        }
    };
    assert_eq!(
        refused.code(),
        tonic::Code::ResourceExhausted,
        "{refused:?}"
    );
    assert!(refused.message().contains("server busy"), "{refused:?}");
    let retry = refused
        .get_details_retry_info()
        .expect("a RetryInfo detail");
    assert!(retry.retry_delay.is_some_and(|d| !d.is_zero()));

    // The metrics show the admitted analysis (its text may still be on its
    // way) and count the refusal (and any refusal of the long request
    // itself).
    let text = scrape(metrics).await;
    assert_eq!(metric(&text, "textanalysis_analyses_admitted"), 1);
    assert!(metric(&text, "textanalysis_analyses_in_flight") <= 1);
    assert!(metric(&text, "textanalysis_analyses_refused_total") >= 1);

    // Health and ListModels are not analyses: they answer meanwhile.
    let mut health = HealthClient::new(server.channel().await);
    let status = health
        .check(HealthCheckRequest {
            service: SERVICE_NAME.into(),
        })
        .await
        .expect("health answers under load")
        .into_inner()
        .status;
    assert_eq!(status, ServingStatus::Serving as i32);
    assert!(!long.is_finished(), "checked while the analysis ran");
    client
        .list_models(ListModelsRequest {})
        .await
        .expect("ListModels answers under load");

    // The accepted analysis completes, and then the slot is free again.
    let summary = long
        .await
        .expect("task")
        .expect("the long analysis succeeds");
    assert!(!summary.into_inner().sentences.is_empty());
    client
        .summarize(summarize(WIRE_STYLE.to_owned()))
        .await
        .expect("admitted once the slot is free");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn queued_requests_wait_for_a_turn_instead_of_failing() {
    let server = TestServer::start_with_concurrency(1, 16).await;
    let mut calls = Vec::new();
    for _ in 0..8 {
        let mut client = server.client().await;
        calls.push(tokio::spawn(async move {
            client.summarize(summarize(WIRE_STYLE.repeat(20))).await
        }));
    }
    for call in calls {
        call.await
            .expect("task")
            .expect("every queued request is served");
    }
    server.stop().await.expect("clean stop");
}
