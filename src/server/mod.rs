//! Assembles and runs the server: the analysis service, gRPC health, server
//! reflection, request logging and graceful shutdown, in one place, so that
//! the binary and the integration tests run exactly the same server.
//!
//! Around tonic's router: [`listen`] accepts connections (their number,
//! handshakes and TLS bounded), and [`edge`] takes each call's admission
//! slot and deadline before its body is read, for the caller [`caller`]
//! names.

mod caller;
mod edge;
mod listen;
mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use tokio::net::TcpListener;
use tonic::codec::CompressionEncoding;
use tonic::transport::Server;
use tonic_health::server::HealthReporter;

pub use tls::{Tls, TlsError};

use crate::classify::registry::ModelStore;
use crate::config::{Callers, Concurrency, Connections, Limits};
use crate::metrics::{self, Metrics};
use crate::proto::v1 as pb;
use crate::semantic::Embedder;
use crate::service::{Admission, CallerPolicy, TextAnalysis};
use crate::telemetry::RequestLogLayer;
use crate::text::Language;

/// Full name of the analysis service, as health checks and probes name it.
pub const SERVICE_NAME: &str = "textanalysis.v1.TextAnalysisService";

/// What the server needs beyond its listener.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Request limits.
    pub limits: Limits,
    /// The language of texts whose language detection is unsure.
    pub default_language: Language,
    /// Analyses running at once and waiting.
    pub concurrency: Concurrency,
    /// How callers are named, weighted, limited and counted.
    pub callers: Callers,
    /// HTTP/2 connection settings.
    pub connections: Connections,
    /// Longest wait for in-flight requests once shutdown begins.
    pub shutdown_grace: Duration,
    /// Longest time a request may take when its client sets no shorter
    /// deadline.
    pub request_timeout: Duration,
    /// TLS, when the server terminates it itself.
    pub tls: Option<Tls>,
    /// The classification models, shared with whoever reloads them.
    pub models: Arc<ModelStore>,
    /// The sentence encoder; none in lexical mode.
    pub embedder: Option<Arc<dyn Embedder>>,
    /// Where tracing's export counts the spans it drops, for the metrics.
    pub spans_dropped: Counter,
    /// The static table distilled from the encoder, which Embed uses when
    /// asked for it; none when the encoder's directory has no table.
    pub static_embedder: Option<Arc<dyn Embedder>>,
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
            default_language: Language::english(),
            concurrency: Concurrency::default(),
            callers: Callers::default(),
            connections: Connections::default(),
            shutdown_grace: Duration::from_secs(25),
            request_timeout: Duration::from_secs(30),
            tls: None,
            models: Arc::new(models),
            embedder: None,
            spans_dropped: Counter::default(),
            static_embedder: None,
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
    run_with_metrics(listener, None, config, shutdown).await
}

/// [`run`], also serving Prometheus metrics at `/metrics` on
/// `metrics_listener` (if any) until the drain ends.
pub async fn run_with_metrics(
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    // Before the first request, not during it: the stopword tables of every
    // language take a debug build tens of milliseconds to build.
    crate::text::language::warm_up();
    let callers = &config.callers;
    let metrics = Arc::new(Metrics::with_caller_labels(
        config.spans_dropped.clone(),
        callers.caller_metrics,
    ));
    let admission = Arc::new(Admission::with_callers(
        config.concurrency.in_flight(),
        config.concurrency.queued(),
        CallerPolicy::new(
            callers.caller_weight.iter().cloned(),
            callers.caller_max_slots.iter().cloned(),
        ),
        metrics.clone(),
    ));
    let (metrics_stop, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
    if let Some(metrics_listener) = metrics_listener {
        if let Ok(addr) = metrics_listener.local_addr() {
            tracing::info!(%addr, "serving metrics at /metrics");
        }
        let gauges = admission.clone();
        let serve = metrics::serve(
            metrics_listener,
            metrics.clone(),
            move || gauges.gauges(),
            async {
                let _ = metrics_stopped.await;
            },
        );
        tokio::spawn(async move {
            if let Err(error) = serve.await {
                tracing::error!(%error, "metrics endpoint failed");
            }
        });
    }
    // Metrics stay up while the server drains, and stop with it.
    let _stop_metrics_on_return = metrics_stop;

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    let edge = edge::EdgeLayer {
        admission: admission.clone(),
        caller_headers: callers.caller_header.iter().cloned().collect(),
        request_timeout: config.request_timeout,
        read_timeout: config.connections.request_read_timeout,
    };
    let analysis =
        pb::text_analysis_service_server::TextAnalysisServiceServer::new(TextAnalysis::new(
            config.limits,
            config.default_language,
            config.models.clone(),
            config.embedder.clone(),
            config.static_embedder.clone(),
            admission,
            metrics.clone(),
        ))
        .max_decoding_message_size(config.limits.max_message_bytes)
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
        .send_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Zstd);

    let (drain_tx, drain_rx) = tokio::sync::oneshot::channel::<()>();
    let connections = config.connections;
    let router = Server::builder()
        .max_concurrent_streams(connections.max_concurrent_streams)
        .max_connection_age(connections.max_connection_age)
        .max_connection_age_grace(connections.max_connection_age_grace)
        .http2_keepalive_interval(Some(connections.keepalive_interval))
        .http2_keepalive_timeout(Some(connections.keepalive_timeout))
        .layer(RequestLogLayer::new(metrics.clone()))
        .layer(edge)
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
        tracing::info!(
            %addr,
            max_in_flight = config.concurrency.in_flight(),
            max_queued = config.concurrency.queued(),
            "serving"
        );
    }

    let bounds = listen::Bounds {
        max_connections: connections.max_connections,
        handshake_timeout: connections.handshake_timeout,
    };
    let drained = async {
        // A dropped sender also means "stop".
        let _ = drain_rx.await;
    };
    let mut serving: std::pin::Pin<Box<dyn Future<Output = _> + Send>> = match &config.tls {
        None => {
            let incoming = listen::incoming(listener, bounds, metrics, |tcp| async { Ok(tcp) });
            Box::pin(router.serve_with_incoming_shutdown(incoming, drained))
        }
        Some(tls) => {
            let acceptor = tls.acceptor();
            let incoming = listen::incoming(listener, bounds, metrics, move |tcp| {
                let handshake = acceptor.accept(tcp);
                async move { handshake.await.map(caller::Identified::new) }
            });
            Box::pin(router.serve_with_incoming_shutdown(incoming, drained))
        }
    };

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
