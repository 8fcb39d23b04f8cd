//! Graceful shutdown under load: once shutdown begins, health turns
//! NOT_SERVING at once, and every accepted analysis still completes.

use crate::common;

use common::{TestServer, long_config, long_text, metric, scrape};
use textanalysis::proto::v1::SummarizeRequest;
use textanalysis::server::SERVICE_NAME;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_analyses_complete_after_shutdown_begins() {
    let (mut server, metrics) = TestServer::start_with_metrics(long_config()).await;
    let mut health = HealthClient::new(server.channel().await);
    let client = server.client().await;
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let mut client = client.clone();
            tokio::spawn(async move {
                client
                    .summarize(SummarizeRequest {
                        text: long_text(),
                        ..Default::default()
                    })
                    .await
            })
        })
        .collect();
    // Wait until the server has accepted every call (running or queued).
    loop {
        let text = scrape(metrics).await;
        let accepted = metric(&text, "textanalysis_analyses_in_flight")
            + metric(&text, "textanalysis_analyses_queued");
        if accepted == 6 {
            break;
        }
        assert!(
            !calls.iter().any(|c| c.is_finished()),
            "a call ended before all were accepted"
        );
        tokio::task::yield_now().await;
    }

    // A health stream opened before shutdown (new calls are refused after).
    let mut watch = health
        .watch(HealthCheckRequest {
            service: SERVICE_NAME.into(),
        })
        .await
        .expect("watch")
        .into_inner();
    let first = watch.message().await.expect("stream").expect("status");
    assert_eq!(first.status, ServingStatus::Serving as i32);
    server.begin_shutdown();
    let next = watch.message().await.expect("stream").expect("status");
    assert_eq!(next.status, ServingStatus::NotServing as i32);
    drop(watch);
    drop(health);

    for call in calls {
        let summary = call
            .await
            .expect("task")
            .expect("an accepted analysis completes during the drain");
        assert!(!summary.into_inner().sentences.is_empty());
    }
    drop(client);
    server
        .stop()
        .await
        .expect("drained within the grace period");
}
