//! Prometheus metrics, served on their own port (`--metrics-listen`).
//!
//! The names and labels are those of the Go gRPC ecosystem's interceptors
//! (`grpc_server_handled_total`, `grpc_server_handling_seconds` with
//! `grpc_service`, `grpc_method`, `grpc_code`), which existing dashboards
//! and alerts expect, plus the service's own: analyses running and waiting,
//! refusals for load, and bytes of text analysed. Labels come from a fixed
//! set of method names (anything else is `unknown`), so no client can grow
//! the number of series.

use std::future::Future;
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

/// Every gRPC method the server has, as `(service, method)`.
const METHODS: [(&str, &str); 9] = [
    ("textanalysis.v1.TextAnalysisService", "Summarize"),
    ("textanalysis.v1.TextAnalysisService", "Classify"),
    ("textanalysis.v1.TextAnalysisService", "ListModels"),
    ("textanalysis.v1.TextAnalysisService", "Compare"),
    ("textanalysis.v1.TextAnalysisService", "Embed"),
    ("grpc.health.v1.Health", "Check"),
    ("grpc.health.v1.Health", "Watch"),
    (
        "grpc.reflection.v1.ServerReflection",
        "ServerReflectionInfo",
    ),
    (
        "grpc.reflection.v1alpha.ServerReflection",
        "ServerReflectionInfo",
    ),
];

/// A call's labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Call {
    grpc_service: &'static str,
    grpc_method: &'static str,
}

/// A finished call's labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Handled {
    grpc_service: &'static str,
    grpc_method: &'static str,
    grpc_code: &'static str,
}

/// What admission reports when the metrics are read (a snapshot: the
/// service's admission control fills it in, so this module needs none of
/// the service).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdmissionGauges {
    /// Analyses running.
    pub in_flight: usize,
    /// Analyses waiting for a worker.
    pub queued: usize,
    /// Calls holding an admission slot.
    pub admitted: usize,
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    handled: Family<Handled, Counter>,
    handling: Family<Call, Histogram>,
    text_bytes: Family<Call, Counter>,
    refused: Counter,
    in_flight: Gauge,
    queued: Gauge,
    admitted: Gauge,
    connections_open: Gauge,
    connections_refused: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new(Counter::default())
    }
}

impl Metrics {
    /// The server's metrics, with `spans_dropped`: the spans that tracing's
    /// export could not send (its queue full, or the collector unavailable),
    /// counted where the export runs.
    pub fn new(spans_dropped: Counter) -> Self {
        let mut registry = Registry::default();
        let handled = Family::<Handled, Counter>::default();
        registry.register(
            "grpc_server_handled",
            "Calls completed, by method and status code",
            handled.clone(),
        );
        // 100 µs to about 26 s: a health check to a 1 MiB comparison.
        let handling = Family::<Call, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.0001, 4.0, 10))) as fn() -> Histogram,
        );
        registry.register(
            "grpc_server_handling_seconds",
            "Time from a call's arrival to its response, by method",
            handling.clone(),
        );
        let text_bytes = Family::<Call, Counter>::default();
        registry.register(
            "textanalysis_text_bytes",
            "Bytes of text received for analysis, by method",
            text_bytes.clone(),
        );
        let refused = Counter::default();
        registry.register(
            "textanalysis_analyses_refused",
            "Analyses refused because every slot and the queue were full",
            refused.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "textanalysis_analyses_in_flight",
            "Analyses running now",
            in_flight.clone(),
        );
        let queued = Gauge::default();
        registry.register(
            "textanalysis_analyses_queued",
            "Analyses waiting for a slot now",
            queued.clone(),
        );
        let admitted = Gauge::default();
        registry.register(
            "textanalysis_analyses_admitted",
            "Analysis calls holding an admission slot now: reading their request, waiting, running or sending their answer",
            admitted.clone(),
        );
        let connections_open = Gauge::default();
        registry.register(
            "textanalysis_connections_open",
            "Connections open now, those still in their handshake included",
            connections_open.clone(),
        );
        let connections_refused = Counter::default();
        registry.register(
            "textanalysis_connections_refused",
            "Connections closed at once because --max-connections were open",
            connections_refused.clone(),
        );
        registry.register(
            "textanalysis_trace_spans_dropped",
            "Spans not exported to the trace collector: its queue was full, or the collector refused them or did not answer",
            spans_dropped,
        );
        Self {
            registry,
            handled,
            handling,
            text_bytes,
            refused,
            in_flight,
            queued,
            admitted,
            connections_open,
            connections_refused,
        }
    }
}

impl Metrics {
    /// Records a finished call to `path` (`/package.Service/Method`).
    pub fn record(&self, path: &str, code: tonic::Code, seconds: f64) {
        let (grpc_service, grpc_method) = known(path);
        self.handled
            .get_or_create(&Handled {
                grpc_service,
                grpc_method,
                grpc_code: code_name(code),
            })
            .inc();
        self.handling
            .get_or_create(&Call {
                grpc_service,
                grpc_method,
            })
            .observe(seconds);
    }

    /// Counts `bytes` of text received by `path`.
    pub fn text_bytes(&self, path: &str, bytes: usize) {
        let (grpc_service, grpc_method) = known(path);
        self.text_bytes
            .get_or_create(&Call {
                grpc_service,
                grpc_method,
            })
            .inc_by(bytes as u64);
    }

    /// Counts an analysis refused for load.
    pub fn refused(&self) {
        self.refused.inc();
    }

    /// Counts a connection opened.
    pub fn connection_opened(&self) {
        self.connections_open.inc();
    }

    /// Counts a connection closed.
    pub fn connection_closed(&self) {
        self.connections_open.dec();
    }

    /// Counts a connection refused for the connection limit.
    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    /// The metrics in Prometheus' text format, with the admission gauges
    /// as `admission` reads now.
    pub fn encode(&self, admission: AdmissionGauges) -> String {
        self.in_flight.set(admission.in_flight as i64);
        self.queued.set(admission.queued as i64);
        self.admitted.set(admission.admitted as i64);
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// The `(service, method)` of a request path, or `("unknown", "unknown")`.
fn known(path: &str) -> (&'static str, &'static str) {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let (service, method) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    METHODS
        .iter()
        .find(|(s, m)| *s == service && *m == method)
        .copied()
        .unwrap_or(("unknown", "unknown"))
}

/// The code's name as gRPC's other implementations print it.
fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code::*;
    match code {
        Ok => "OK",
        Cancelled => "Canceled",
        Unknown => "Unknown",
        InvalidArgument => "InvalidArgument",
        DeadlineExceeded => "DeadlineExceeded",
        NotFound => "NotFound",
        AlreadyExists => "AlreadyExists",
        PermissionDenied => "PermissionDenied",
        ResourceExhausted => "ResourceExhausted",
        FailedPrecondition => "FailedPrecondition",
        Aborted => "Aborted",
        OutOfRange => "OutOfRange",
        Unimplemented => "Unimplemented",
        Internal => "Internal",
        Unavailable => "Unavailable",
        DataLoss => "DataLoss",
        Unauthenticated => "Unauthenticated",
    }
}

/// Serves `GET /metrics` on `listener` until `shutdown` completes, with the
/// admission gauges `admission` reads at each scrape.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    admission: impl Fn() -> AdmissionGauges + Clone + Send + Sync + 'static,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let body = metrics.encode(admission());
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    body,
                )
            }
        }),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_the_known_methods_only() {
        assert_eq!(
            known("/textanalysis.v1.TextAnalysisService/Summarize"),
            ("textanalysis.v1.TextAnalysisService", "Summarize")
        );
        assert_eq!(
            known("/textanalysis.v1.TextAnalysisService/Nope"),
            ("unknown", "unknown")
        );
        assert_eq!(known("/x"), ("unknown", "unknown"));
        let metrics = Metrics::default();
        metrics.record("/grpc.health.v1.Health/Check", tonic::Code::Ok, 0.001);
        metrics.record("/attacker/1", tonic::Code::Unimplemented, 0.001);
        metrics.record("/attacker/2", tonic::Code::Unimplemented, 0.001);
        let text = metrics.encode(AdmissionGauges::default());
        assert!(text.contains(
            "grpc_server_handled_total{grpc_service=\"grpc.health.v1.Health\",grpc_method=\"Check\",grpc_code=\"OK\"} 1"
        ), "{text}");
        assert!(text.contains(
            "grpc_server_handled_total{grpc_service=\"unknown\",grpc_method=\"unknown\",grpc_code=\"Unimplemented\"} 2"
        ), "{text}");
        assert!(text.contains("textanalysis_analyses_in_flight 0"), "{text}");
    }
}
