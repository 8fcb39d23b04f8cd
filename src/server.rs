//! Assembles and runs the server: the analysis service, gRPC health, server
//! reflection, request logging and graceful shutdown, in one place, so that
//! the binary and the integration tests run exactly the same server.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::codec::CompressionEncoding;
use tonic::transport::Server;
use tonic_health::server::HealthReporter;

use crate::classify::registry::ModelStore;
use crate::config::Limits;
use crate::proto::v1 as pb;
use crate::service::TextAnalysis;
use crate::telemetry::RequestLogLayer;

/// Full name of the analysis service, as health checks and probes name it.
pub const SERVICE_NAME: &str = "textanalysis.v1.TextAnalysisService";

/// What the server needs beyond its listener.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Request limits.
    pub limits: Limits,
    /// Longest wait for in-flight requests once shutdown begins.
    pub shutdown_grace: Duration,
    /// The classification models, shared with whoever reloads them.
    pub models: Arc<ModelStore>,
}

impl Default for ServerConfig {
    /// Default limits and the built-in model alone.
    ///
    /// # Panics
    /// If the built-in model does not parse, which is a build defect that
    /// `classify::registry`'s tests catch; this runs at start-up only.
    fn default() -> Self {
        let models = ModelStore::load(Default::default())
            .unwrap_or_else(|e| panic!("the built-in model must load: {e}"));
        Self {
            limits: Limits::default(),
            shutdown_grace: Duration::from_secs(25),
            models: Arc::new(models),
        }
    }
}

/// Errors that stop the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Reflection could not load a descriptor set (a build problem).
    #[error("cannot build the reflection service: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The transport failed.
    #[error("transport error: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// In-flight requests did not finish within the grace period.
    #[error("in-flight requests did not finish within {0:?}; exiting anyway")]
    DrainTimeout(Duration),
}

/// Serves on `listener` until `shutdown` completes, then drains.
///
/// On shutdown, health turns NOT_SERVING at once (for `""` and for the
/// service), the server stops accepting connections and tells clients to go
/// away, and in-flight requests finish, for at most `shutdown_grace`.
pub async fn run(
    listener: TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    let analysis = pb::text_analysis_service_server::TextAnalysisServiceServer::new(
        TextAnalysis::new(config.limits, config.models.clone()),
    )
    .max_decoding_message_size(config.limits.max_message_bytes)
    .accept_compressed(CompressionEncoding::Gzip)
    .accept_compressed(CompressionEncoding::Zstd)
    .send_compressed(CompressionEncoding::Gzip)
    .send_compressed(CompressionEncoding::Zstd);

    let (drain_tx, drain_rx) = tokio::sync::oneshot::channel::<()>();
    let router = Server::builder()
        .layer(RequestLogLayer)
        .layer(tower::util::MapResponseLayer::new(
            oversized_is_resource_exhausted,
        ))
        .add_service(health_service)
        .add_service(reflection_v1()?)
        .add_service(reflection_v1alpha()?)
        .add_service(analysis);

    health_reporter
        .set_service_status(SERVICE_NAME, tonic_health::ServingStatus::Serving)
        .await;
    health_reporter
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving");
    }

    // tonic applies its `tcp_nodelay` setting only to listeners it binds
    // itself: set it on each accepted connection, or Nagle's algorithm holds
    // a response's last segment until the client's delayed ACK (tens of
    // milliseconds per small response).
    let incoming = TcpListenerStream::new(listener).map(|conn| {
        if let Ok(stream) = &conn
            && let Err(e) = stream.set_nodelay(true)
        {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
        conn
    });
    let serving = router.serve_with_incoming_shutdown(incoming, async {
        // A dropped sender also means "stop".
        let _ = drain_rx.await;
    });
    tokio::pin!(serving);

    tokio::select! {
        result = &mut serving => return result.map_err(ServeError::from),
        () = shutdown => {}
    }
    tracing::info!(grace = ?config.shutdown_grace, "shutting down: draining in-flight requests");
    set_not_serving(&health_reporter).await;
    let _ = drain_tx.send(());
    match tokio::time::timeout(config.shutdown_grace, serving).await {
        Ok(result) => {
            tracing::info!("drained; bye");
            result.map_err(ServeError::from)
        }
        Err(_) => Err(ServeError::DrainTimeout(config.shutdown_grace)),
    }
}

/// tonic refuses a message over `max_decoding_message_size` with
/// OUT_OF_RANGE; the gRPC spec and our contract say RESOURCE_EXHAUSTED. The
/// refusal is a trailers-only response, so its status is in the headers.
/// The service itself never answers OUT_OF_RANGE, so the rewrite cannot hide
/// one of ours.
fn oversized_is_resource_exhausted<B>(
    mut response: tonic::codegen::http::Response<B>,
) -> tonic::codegen::http::Response<B> {
    use tonic::codegen::http::HeaderValue;
    let out_of_range = (tonic::Code::OutOfRange as i32).to_string();
    if response
        .headers()
        .get("grpc-status")
        .is_some_and(|v| v.as_bytes() == out_of_range.as_bytes())
    {
        let code = (tonic::Code::ResourceExhausted as i32).to_string();
        if let Ok(value) = HeaderValue::from_str(&code) {
            response.headers_mut().insert("grpc-status", value);
        }
    }
    response
}

async fn set_not_serving(reporter: &HealthReporter) {
    for name in ["", SERVICE_NAME] {
        reporter
            .set_service_status(name, tonic_health::ServingStatus::NotServing)
            .await;
    }
}

/// The descriptor sets reflection serves: the contract, health (so that
/// `grpcurl describe grpc.health.v1.Health` works) and the rich error types
/// (so that grpcurl can print `google.rpc.BadRequest` details).
const DESCRIPTOR_SETS: [&[u8]; 3] = [
    pb::FILE_DESCRIPTOR_SET,
    tonic_health::pb::FILE_DESCRIPTOR_SET,
    tonic_types::pb::FILE_DESCRIPTOR_SET,
];

fn reflection_builder() -> tonic_reflection::server::Builder<'static> {
    DESCRIPTOR_SETS.iter().fold(
        tonic_reflection::server::Builder::configure(),
        |builder, set| builder.register_encoded_file_descriptor_set(set),
    )
}

fn reflection_v1() -> Result<
    tonic_reflection::server::v1::ServerReflectionServer<
        impl tonic_reflection::server::v1::ServerReflection,
    >,
    ServeError,
> {
    Ok(reflection_builder().build_v1()?)
}

/// grpcurl 1.8 speaks only the v1alpha reflection protocol.
fn reflection_v1alpha() -> Result<
    tonic_reflection::server::v1alpha::ServerReflectionServer<
        impl tonic_reflection::server::v1alpha::ServerReflection,
    >,
    ServeError,
> {
    Ok(reflection_builder().build_v1alpha()?)
}
