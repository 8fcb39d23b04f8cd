//! Logs: the subscriber set-up and one span per request.
//!
//! Each request gets an `rpc` span with the method; when it ends, one event
//! records its gRPC status code and latency, and the same goes to the
//! [`Metrics`]. Request text is never logged at
//! info level (texts are users' data and can be a megabyte each).

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use tonic::codegen::http;
use tower::{Layer, Service};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::metrics::Metrics;

/// Installs the global subscriber. `filter` takes precedence over
/// `RUST_LOG`; with neither, `info`.
pub fn init(format: LogFormat, filter: Option<&str>) -> Result<(), String> {
    let filter = match filter {
        Some(f) => EnvFilter::try_new(f).map_err(|e| format!("bad log filter `{f}`: {e}"))?,
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
    };
    // Colours only on a terminal: escape codes in a file or a log
    // collector are noise.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    result.map_err(|e| format!("cannot install the log subscriber: {e}"))
}

/// Tower layer that wraps every request in a span, logs its outcome and
/// records it in the metrics.
#[derive(Debug, Clone)]
pub struct RequestLogLayer {
    metrics: Arc<Metrics>,
}

impl RequestLogLayer {
    /// A layer recording into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl<S> Layer<S> for RequestLogLayer {
    type Service = RequestLog<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestLog {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service made by [`RequestLogLayer`].
#[derive(Debug, Clone)]
pub struct RequestLog<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for RequestLog<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display,
    ReqBody: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let method = request.uri().path().to_owned();
        let span = tracing::info_span!("rpc", method = %method);
        let mut outcome = Outcome {
            method,
            started: Instant::now(),
            metrics: self.metrics.clone(),
            span: span.clone(),
            recorded: false,
        };
        // The clone that was made ready is the one that serves this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(
            async move {
                let result = inner.call(request).await;
                match &result {
                    Ok(response) => {
                        // Errors of unary calls travel in the headers of a
                        // trailers-only response; a response without
                        // grpc-status in its headers is a success whose
                        // status 0 follows in the trailers.
                        let code = response
                            .headers()
                            .get("grpc-status")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse::<i32>().ok())
                            .unwrap_or(0);
                        outcome.record(tonic::Code::from_i32(code), "request finished");
                    }
                    Err(error) => {
                        outcome.recorded = true;
                        let latency_ms = milliseconds(outcome.started.elapsed().as_secs_f64());
                        tracing::warn!(%error, latency_ms, "request failed in transport");
                    }
                }
                result
            }
            .instrument(span),
        )
    }
}

/// `seconds` in milliseconds, rounded to the microsecond: finer digits are
/// float noise in a log line.
fn milliseconds(seconds: f64) -> f64 {
    (seconds * 1e6).round() / 1e3
}

/// A call's outcome, recorded once: when its answer is ready, or as
/// CANCELLED when the call is dropped before (the client reset its stream
/// or closed its connection, and hyper dropped the call).
struct Outcome {
    method: String,
    started: Instant,
    metrics: Arc<Metrics>,
    span: tracing::Span,
    recorded: bool,
}

impl Outcome {
    fn record(&mut self, code: tonic::Code, event: &str) {
        let seconds = self.started.elapsed().as_secs_f64();
        self.metrics.record(&self.method, code, seconds);
        let latency_ms = milliseconds(seconds);
        tracing::info!(parent: &self.span, code = ?code, latency_ms, "{event}");
        self.recorded = true;
    }
}

impl Drop for Outcome {
    fn drop(&mut self) {
        if !self.recorded {
            self.record(tonic::Code::Cancelled, "request cancelled by the client");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_are_logged_to_the_microsecond() {
        assert_eq!(milliseconds(0.000_081_292), 0.081);
        assert_eq!(milliseconds(1.5), 1500.0);
        assert_eq!(format!("{}", milliseconds(0.012_345_678)), "12.346");
    }
}
