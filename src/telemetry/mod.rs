//! Logs and traces: the subscriber set-up, one span per request, and the
//! export of spans to a trace collector.
//!
//! Every request gets an `rpc` span ([`request`]), a child of the caller's
//! span when its headers carry one (W3C `traceparent`, or B3 as Envoy sends
//! it), with the stages of the work as its children. Its log lines carry
//! the trace and span ids, so that a log line leads to its trace. With
//! `--otlp-endpoint`, spans are exported over OTLP ([`export`]), never
//! holding up a call.

mod b3;
pub mod export;
mod request;

use opentelemetry_sdk::trace::Tracer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

pub use request::{RequestLog, RequestLogLayer, note_language, note_text_bytes};

use crate::config::LogFormat;

/// Installs the global subscriber: log lines in `format`, and spans turned
/// into OpenTelemetry's by `tracer` (which decides which are sampled and
/// where they go). `filter` takes precedence over `RUST_LOG`; with neither,
/// `info`.
pub fn init(format: LogFormat, filter: Option<&str>, tracer: Tracer) -> Result<(), String> {
    let filter = match filter {
        Some(f) => EnvFilter::try_new(f).map_err(|e| format!("bad log filter `{f}`: {e}"))?,
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
    };
    // Colours only on a terminal: escape codes in a file or a log
    // collector are noise.
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let fmt: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Text => fmt.boxed(),
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    tracing_subscriber::registry()
        .with(fmt)
        // Only this crate's spans are traced: the exporter's own gRPC calls
        // (tonic's, h2's spans at debug level) must not become spans to
        // export in turn. Events stay in the logs: as span events they
        // would double what each span costs to export. So would the
        // attributes the layer adds by default (source location, thread,
        // target, busy and idle time), which a trace of this service does
        // not need.
        .with(
            tracing_opentelemetry::layer()
                .with_tracer(tracer)
                .with_location(false)
                .with_threads(false)
                .with_target(false)
                .with_tracked_inactivity(false)
                .with_filter(filter_fn(|meta| {
                    meta.is_span()
                        && meta.target().starts_with("textanalysis")
                        && *meta.level() <= tracing::Level::INFO
                })),
        )
        .with(filter)
        .try_init()
        .map_err(|e| format!("cannot install the log subscriber: {e}"))
}
