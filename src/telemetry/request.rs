//! One span per request, a child of the caller's span, and its outcome.
//!
//! Each request gets an `rpc` span named after its method, following
//! OpenTelemetry's conventions for RPC servers (`rpc.system`,
//! `rpc.service`, `rpc.method`, `rpc.grpc.status_code`); when it ends, one
//! event records its gRPC status code and latency, and the same goes to the
//! [`Metrics`]. The span's trace and span ids, and the caller's
//! `x-request-id`, are fields of the span, so every log line of the request
//! carries them; the request id is echoed in the response's metadata.
//! Request text is never logged at info level (texts are users' data and
//! can be a megabyte each).

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_http::HeaderExtractor;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tonic::codegen::http;
use tower::{Layer, Service};
use tracing::Instrument;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::b3::B3;
use crate::metrics::Metrics;

/// The header a caller (or its mesh) names a request by.
const REQUEST_ID: &str = "x-request-id";

/// Tower layer that wraps every request in a span, logs its outcome and
/// records it in the metrics.
#[derive(Clone)]
pub struct RequestLogLayer {
    metrics: Arc<Metrics>,
    propagator: Arc<TextMapCompositePropagator>,
}

impl std::fmt::Debug for RequestLogLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestLogLayer").finish_non_exhaustive()
    }
}

impl RequestLogLayer {
    /// A layer recording into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        // B3 (single header or `X-B3-*`, as Envoy sends them), then W3C
        // trace context, which wins when a call carries both.
        let propagator = TextMapCompositePropagator::new(vec![
            Box::new(B3),
            Box::new(TraceContextPropagator::new()),
        ]);
        Self {
            metrics,
            propagator: Arc::new(propagator),
        }
    }
}

impl<S> Layer<S> for RequestLogLayer {
    type Service = RequestLog<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestLog {
            inner,
            metrics: self.metrics.clone(),
            propagator: self.propagator.clone(),
        }
    }
}

/// The service made by [`RequestLogLayer`].
#[derive(Clone)]
pub struct RequestLog<S> {
    inner: S,
    metrics: Arc<Metrics>,
    propagator: Arc<TextMapCompositePropagator>,
}

impl<S> std::fmt::Debug for RequestLog<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestLog").finish_non_exhaustive()
    }
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
        let span = rpc_span(&method);
        let caller = self.propagator.extract(&HeaderExtractor(request.headers()));
        if caller.span().span_context().is_valid() {
            let _ = span.set_parent(caller);
        }
        let ids = span.context().span().span_context().clone();
        if ids.is_valid() {
            span.record("trace_id", tracing::field::display(ids.trace_id()));
            span.record("span_id", tracing::field::display(ids.span_id()));
        }
        let request_id = request.headers().get(REQUEST_ID).cloned();
        if let Some(id) = request_id.as_ref().and_then(|v| v.to_str().ok()) {
            span.record("request_id", id);
        }
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
                let mut result = inner.call(request).await;
                match &mut result {
                    Ok(response) => {
                        if let Some(id) = request_id {
                            response.headers_mut().insert(REQUEST_ID, id);
                        }
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

/// The span of a call to `path` (`/package.Service/Method`), with the
/// fields filled in as the call goes: its ids once its parent is known, its
/// status when it ends, its text's size and language when the handler
/// reads them.
fn rpc_span(path: &str) -> tracing::Span {
    let name = path.trim_start_matches('/');
    let (service, method) = name.split_once('/').unwrap_or((name, ""));
    tracing::info_span!(
        "rpc",
        otel.name = name,
        otel.kind = "server",
        otel.status_code = Empty,
        rpc.system = "grpc",
        rpc.service = service,
        rpc.method = method,
        rpc.grpc.status_code = Empty,
        method = path,
        trace_id = Empty,
        span_id = Empty,
        request_id = Empty,
        text_bytes = Empty,
        language = Empty,
    )
}

/// Whether `code` is the server's failure rather than the caller's, as
/// OpenTelemetry's conventions for gRPC servers mark a span's status.
fn server_error(code: tonic::Code) -> bool {
    use tonic::Code::*;
    matches!(
        code,
        Unknown | DeadlineExceeded | Unimplemented | Internal | Unavailable | DataLoss
    )
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
        self.span.record("rpc.grpc.status_code", code as i64);
        if server_error(code) {
            self.span.record("otel.status_code", "ERROR");
        }
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
