//! gRPC health: SERVING once ready, NOT_SERVING as soon as shutdown begins.

use crate::common;

use common::TestServer;
use textanalysis::server::SERVICE_NAME;
use tonic_health::ServingStatus;
use tonic_health::pb::health_check_response::ServingStatus as Wire;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

#[tokio::test]
async fn serving_for_the_server_and_the_service() {
    let server = TestServer::start().await;
    let mut health = HealthClient::new(server.channel().await);
    for service in ["", SERVICE_NAME] {
        let response = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("check")
            .into_inner();
        assert_eq!(response.status, Wire::Serving as i32, "service {service:?}");
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "no.such.Service".into(),
        })
        .await
        .expect_err("unknown service");
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn not_serving_once_shutdown_begins_and_in_flight_calls_finish() {
    let mut server = TestServer::start().await;
    let mut health = HealthClient::new(server.channel().await);
    // A Watch stream is a call in flight for as long as the client keeps it.
    let mut watch = health
        .watch(HealthCheckRequest {
            service: SERVICE_NAME.into(),
        })
        .await
        .expect("watch")
        .into_inner();
    let first = watch
        .message()
        .await
        .expect("stream")
        .expect("first status");
    assert_eq!(first.status, Wire::Serving as i32);

    server.begin_shutdown();
    let next = watch.message().await.expect("stream").expect("next status");
    assert_eq!(next.status, Wire::NotServing as i32);
    let _ = ServingStatus::NotServing; // same enum, domain side

    // The server waits for the open stream; once the client lets go, it
    // finishes draining and returns cleanly.
    drop(watch);
    drop(health);
    server.stop().await.expect("clean stop after drain");
}
