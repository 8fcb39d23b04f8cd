//! Server reflection, v1 and v1alpha, lists the service, health and
//! reflection, and serves their descriptors.

use crate::common;

use common::TestServer;
use tokio_stream::StreamExt;

#[tokio::test]
async fn v1alpha_lists_and_describes_services() {
    use tonic_reflection::pb::v1alpha::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let server = TestServer::start().await;
    let mut client = ServerReflectionClient::new(server.channel().await);
    let requests = vec![
        MessageRequest::ListServices(String::new()),
        MessageRequest::FileContainingSymbol("grpc.health.v1.Health".into()),
        MessageRequest::FileContainingSymbol("google.rpc.BadRequest".into()),
    ]
    .into_iter()
    .map(|m| ServerReflectionRequest {
        host: String::new(),
        message_request: Some(m),
    });
    let mut responses = client
        .server_reflection_info(tokio_stream::iter(requests))
        .await
        .expect("reflection call")
        .into_inner();

    let listed = match responses.next().await {
        Some(Ok(r)) => r.message_response,
        other => panic!("no list response: {other:?}"),
    };
    let Some(MessageResponse::ListServicesResponse(list)) = listed else {
        panic!("unexpected {listed:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for want in [
        "textanalysis.v1.TextAnalysisService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    for _ in 0..2 {
        match responses.next().await {
            Some(Ok(r)) => assert!(
                matches!(
                    r.message_response,
                    Some(MessageResponse::FileDescriptorResponse(_))
                ),
                "{r:?}"
            ),
            other => panic!("no descriptor response: {other:?}"),
        }
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn v1_lists_services() {
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let server = TestServer::start().await;
    let mut client = ServerReflectionClient::new(server.channel().await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection call")
        .into_inner();
    let response = responses.next().await.expect("a response").expect("ok");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected {response:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names
            .iter()
            .any(|n| n == "textanalysis.v1.TextAnalysisService")
    );
    assert!(
        names
            .iter()
            .any(|n| n == "grpc.reflection.v1.ServerReflection")
    );
    server.stop().await.expect("clean stop");
}
