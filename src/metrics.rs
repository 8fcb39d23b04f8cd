//! Prometheus metrics, served on their own port (`--metrics-listen`).
//!
//! The names and labels are those of the Go gRPC ecosystem's interceptors
//! (`grpc_server_handled_total`, `grpc_server_handling_seconds` with
//! `grpc_service`, `grpc_method`, `grpc_code`), which existing dashboards
//! and alerts expect, plus the service's own: analyses running and waiting,
//! refusals for load, and bytes of text analysed. Labels come from a fixed
//! set of method names (anything else is `unknown`), so no client can grow
//! the number of series.
//!
//! Admission is also counted by caller (`caller` label): the first
//! `--caller-metrics` callers seen since the start get a label of their
//! own, every later one is counted as `other`. First come rather than by
//! volume, because a label that moves from one caller to another would
//! make every series' history meaningless; the callers a service has are
//! few and steady, and a burst of new identities cannot grow the series.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

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

/// A caller's labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ByCaller {
    caller: String,
}

/// What admission reports when the metrics are read (a snapshot: the
/// service's admission control fills it in, so this module needs none of
/// the service).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdmissionGauges {
    /// Analyses running.
    pub in_flight: usize,
    /// Analyses waiting for a worker.
    pub queued: usize,
    /// Calls holding an admission slot.
    pub admitted: usize,
    /// The same by caller, for the callers holding slots.
    pub callers: Vec<CallerGauges>,
}

/// One caller's share of [`AdmissionGauges`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerGauges {
    /// The caller's identity.
    pub caller: String,
    /// Slots it holds.
    pub held: usize,
    /// Its analyses waiting for a worker.
    pub queued: usize,
}

/// Callers given a label of their own: the first `max` seen.
#[derive(Debug)]
struct CallerLabels {
    max: usize,
    named: Mutex<HashSet<String>>,
}

impl CallerLabels {
    /// The label value that counts `caller`.
    fn label(&self, caller: &str) -> ByCaller {
        let mut named = self.named.lock().unwrap_or_else(|e| e.into_inner());
        let own = named.contains(caller) || (named.len() < self.max && named.insert(caller.into()));
        ByCaller {
            caller: if own { caller.into() } else { OTHER.into() },
        }
    }

    fn all(&self) -> Vec<String> {
        let named = self.named.lock().unwrap_or_else(|e| e.into_inner());
        named.iter().cloned().chain([OTHER.to_owned()]).collect()
    }
}

/// The label of the callers beyond the named ones.
const OTHER: &str = "other";

/// Callers with a label of their own when the server is not told.
pub const DEFAULT_CALLER_LABELS: usize = 10;

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
    caller_labels: CallerLabels,
    caller_admitted: Family<ByCaller, Counter>,
    caller_refused: Family<ByCaller, Counter>,
    caller_held: Family<ByCaller, Gauge>,
    caller_queued: Family<ByCaller, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new(Counter::default())
    }
}

impl Metrics {
    /// The server's metrics, with `spans_dropped`: the spans that tracing's
    /// export could not send (its queue full, or the collector unavailable),
    /// counted where the export runs; the first [`DEFAULT_CALLER_LABELS`]
    /// callers have labels of their own.
    pub fn new(spans_dropped: Counter) -> Self {
        Self::with_caller_labels(spans_dropped, DEFAULT_CALLER_LABELS)
    }

    /// [`Metrics::new`], with labels of their own for the first
    /// `caller_labels` callers.
    pub fn with_caller_labels(spans_dropped: Counter, caller_labels: usize) -> Self {
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
        let caller_admitted = Family::<ByCaller, Counter>::default();
        registry.register(
            "textanalysis_caller_admitted",
            "Analyses given an admission slot, by caller (the first --caller-metrics callers seen, the rest as other)",
            caller_admitted.clone(),
        );
        let caller_refused = Family::<ByCaller, Counter>::default();
        registry.register(
            "textanalysis_caller_refused",
            "Analyses refused for load, by caller: every slot taken, the caller over its share (its slot given to another caller), or at its --caller-max-slots",
            caller_refused.clone(),
        );
        let caller_held = Family::<ByCaller, Gauge>::default();
        registry.register(
            "textanalysis_caller_slots",
            "Admission slots held now, by caller",
            caller_held.clone(),
        );
        let caller_queued = Family::<ByCaller, Gauge>::default();
        registry.register(
            "textanalysis_caller_queued",
            "Analyses waiting for a worker now, by caller",
            caller_queued.clone(),
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
            caller_labels: CallerLabels {
                max: caller_labels,
                named: Mutex::default(),
            },
            caller_admitted,
            caller_refused,
            caller_held,
            caller_queued,
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

    /// Counts an analysis of `caller` given a slot.
    pub fn admitted(&self, caller: &str) {
        self.caller_admitted
            .get_or_create(&self.caller_labels.label(caller))
            .inc();
    }

    /// Counts an analysis of `caller` refused for load.
    pub fn refused(&self, caller: &str) {
        self.refused.inc();
        self.caller_refused
            .get_or_create(&self.caller_labels.label(caller))
            .inc();
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
        // Callers holding nothing now read 0; several may share `other`.
        let mut by_label: std::collections::HashMap<String, (i64, i64)> = self
            .caller_labels
            .all()
            .into_iter()
            .map(|label| (label, (0, 0)))
            .collect();
        for gauges in &admission.callers {
            let label = self.caller_labels.label(&gauges.caller).caller;
            let entry = by_label.entry(label).or_default();
            entry.0 += gauges.held as i64;
            entry.1 += gauges.queued as i64;
        }
        for (caller, (held, queued)) in by_label {
            let label = ByCaller { caller };
            self.caller_held.get_or_create(&label).set(held);
            self.caller_queued.get_or_create(&label).set(queued);
        }
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

    #[test]
    fn the_first_callers_have_labels_and_the_rest_are_other() {
        let metrics = Metrics::with_caller_labels(Counter::default(), 2);
        for caller in ["a", "b", "c", "d", "a"] {
            metrics.admitted(caller);
        }
        metrics.refused("d");
        let gauges = AdmissionGauges {
            callers: ["a", "c", "d"]
                .map(|caller| CallerGauges {
                    caller: caller.into(),
                    held: 1,
                    queued: 1,
                })
                .into(),
            ..Default::default()
        };
        let text = metrics.encode(gauges);
        for line in [
            "textanalysis_caller_admitted_total{caller=\"a\"} 2",
            "textanalysis_caller_admitted_total{caller=\"b\"} 1",
            "textanalysis_caller_admitted_total{caller=\"other\"} 2",
            "textanalysis_caller_refused_total{caller=\"other\"} 1",
            "textanalysis_analyses_refused_total 1",
            "textanalysis_caller_queued{caller=\"a\"} 1",
            "textanalysis_caller_queued{caller=\"b\"} 0",
            "textanalysis_caller_slots{caller=\"other\"} 2",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
        assert!(!text.contains("caller=\"c\""), "{text}");
    }
}
