//! One span per request, a child of the caller's span, and its outcome.
//!
//! Each request gets an `rpc` span named after its method, following
//! OpenTelemetry's conventions for RPC servers (`rpc.system`,
//! `rpc.service`, `rpc.method`, `rpc.grpc.status_code`); when it ends, one
//! event records its gRPC status code and latency, and the same goes to the
//! [`Metrics`]. The span's trace and span ids, and the caller's
//! `x-request-id`, are fields of the span, so every log line of the request
//! carries them; the request id is echoed in the response's metadata. The
//! text's size and language are the trace's ([`note_text_bytes`],
//! [`note_language`]).
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
        let request_id = request.headers().get(REQUEST_ID).cloned();
        let span = rpc_span(&method, request_id.as_ref().and_then(|v| v.to_str().ok()));
        let caller = self.propagator.extract(&HeaderExtractor(request.headers()));
        if caller.span().span_context().is_valid() {
            let _ = span.set_parent(caller);
        }
        let ids = span.context().span().span_context().clone();
        if ids.is_valid() {
            record_ids(&span, &ids);
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

/// The span of a call to `path` (`/package.Service/Method`).
///
/// Its fields are what every log line of the call shows; they are few, and
/// filled in at most once after the span opens (its ids), because the JSON
/// log format rewrites a span's fields each time one is recorded. The
/// attributes only the trace needs (OpenTelemetry's RPC conventions, the
/// status, the text's size and language) go to the trace alone
/// ([`OpenTelemetrySpanExt::set_attribute`]).
fn rpc_span(path: &str, request_id: Option<&str>) -> tracing::Span {
    let name = path.trim_start_matches('/');
    let (service, method) = name.split_once('/').unwrap_or((name, ""));
    let span = tracing::info_span!(
        "rpc",
        otel.name = name,
        otel.kind = "server",
        method = path,
        request_id,
        trace_id = Empty,
        span_id = Empty,
    );
    span.set_attribute("rpc.system", "grpc");
    span.set_attribute("rpc.service", service.to_owned());
    span.set_attribute("rpc.method", method.to_owned());
    span
}

/// Records the span's trace and span ids, in one record.
fn record_ids(span: &tracing::Span, ids: &opentelemetry::trace::SpanContext) {
    let Some(fields) = span.metadata().map(|m| m.fields()) else {
        return;
    };
    let (Some(trace), Some(own)) = (fields.field("trace_id"), fields.field("span_id")) else {
        return;
    };
    let trace_id = tracing::field::display(ids.trace_id());
    let span_id = tracing::field::display(ids.span_id());
    span.record_all(&fields.value_set(&[
        (&trace, Some(&trace_id as &dyn tracing::Value)),
        (&own, Some(&span_id as &dyn tracing::Value)),
    ]));
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
        self.span.set_attribute("rpc.grpc.status_code", code as i64);
        if server_error(code) {
            self.span
                .set_status(opentelemetry::trace::Status::error(code.description()));
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

/// Notes in the current call's span, for its trace, the size of its text.
pub fn note_text_bytes(bytes: usize) {
    // As i64: OpenTelemetry has no unsigned attributes.
    let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
    tracing::Span::current().set_attribute("text_bytes", bytes);
}

/// Notes in the current call's span, for its trace, the language its text
/// was read in.
pub fn note_language(language: &str) {
    tracing::Span::current().set_attribute("language", language.to_owned());
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
