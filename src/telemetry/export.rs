//! Spans to a trace collector over OTLP/gRPC, without ever holding up a
//! call.
//!
//! The SDK's own batch processor drops spans when its queue is full but
//! keeps the count to itself; an operator must see it, so the processor
//! here is ours: a span that ends goes into a bounded queue without
//! waiting ([`BoundedQueue`]), or is dropped and counted in
//! `textanalysis_trace_spans_dropped_total`; one task sends the queue to
//! the collector in batches. A batch the collector refuses, or does not
//! take within [`EXPORT_TIMEOUT`], is dropped and counted too: a collector
//! that is down costs spans, never latency.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    Sampler, SdkTracerProvider, Span, SpanData, SpanExporter, SpanProcessor, Tracer,
};
use prometheus_client::metrics::counter::Counter;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::config::TracingArgs;

/// Most spans sent to the collector in one request.
const MAX_BATCH: usize = 512;

/// How long the first span of a batch waits for others to join it.
const BATCH_DELAY: Duration = Duration::from_millis(500);

/// Longest a collector may take to accept a batch.
pub const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

/// The service's name in its spans' resource, unless `OTEL_SERVICE_NAME`
/// names it otherwise.
const SERVICE: &str = "textanalysis";

/// The tracer provider of the process, and the task exporting its spans
/// when there is a collector.
#[derive(Debug)]
pub struct Traces {
    provider: SdkTracerProvider,
    exporting: Option<Exporting>,
}

#[derive(Debug)]
struct Exporting {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Traces {
    /// Traces as `args` configure them; spans that cannot be exported are
    /// counted in `dropped`. With a collector, this starts the exporting
    /// task, so it must run inside the Tokio runtime.
    ///
    /// Without a collector no span is recorded, but every span still gets
    /// its trace id (the caller's, or a new one) for the log lines.
    pub fn start(args: &TracingArgs, dropped: Counter) -> Result<Self, String> {
        let builder = SdkTracerProvider::builder().with_resource(resource());
        let Some(endpoint) = &args.otlp_endpoint else {
            return Ok(Self {
                provider: builder.with_sampler(Sampler::AlwaysOff).build(),
                exporting: None,
            });
        };
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint.clone())
            .with_timeout(EXPORT_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot export spans to {endpoint}: {e}"))?;
        let (queue, spans) = mpsc::channel(args.trace_queue);
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(export(spans, stopped, exporter, dropped.clone()));
        let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            args.trace_sample_ratio,
        )));
        let provider = builder
            .with_sampler(sampler)
            .with_span_processor(BoundedQueue { queue, dropped })
            .build();
        Ok(Self {
            provider,
            exporting: Some(Exporting { stop, task }),
        })
    }

    /// The tracer that turns the process's spans into OpenTelemetry's.
    pub fn tracer(&self) -> Tracer {
        self.provider.tracer(SERVICE)
    }

    /// Sends the spans still queued, waiting at most `grace`.
    pub async fn shutdown(self, grace: Duration) {
        if let Some(Exporting { stop, task }) = self.exporting {
            let _ = stop.send(());
            if tokio::time::timeout(grace, task).await.is_err() {
                tracing::warn!(?grace, "spans still queued at exit were not exported");
            }
        }
    }
}

/// The resource every span carries: the service, its version, and where it
/// runs in Kubernetes (from the downward API's variables, when set).
/// `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` are read as usual.
fn resource() -> Resource {
    let mut attributes = vec![KeyValue::new("service.version", env!("CARGO_PKG_VERSION"))];
    for (variable, key) in [
        ("POD_NAME", "k8s.pod.name"),
        ("POD_NAMESPACE", "k8s.namespace.name"),
        ("NODE_NAME", "k8s.node.name"),
    ] {
        if let Ok(value) = std::env::var(variable)
            && !value.is_empty()
        {
            attributes.push(KeyValue::new(key, value));
        }
    }
    let builder = Resource::builder().with_attributes(attributes);
    match std::env::var("OTEL_SERVICE_NAME") {
        Ok(name) if !name.is_empty() => builder.build(),
        _ => builder.with_service_name(SERVICE).build(),
    }
}

/// The span processor: ended spans into a bounded queue, never waiting.
#[derive(Debug)]
struct BoundedQueue {
    queue: mpsc::Sender<SpanData>,
    dropped: Counter,
}

impl SpanProcessor for BoundedQueue {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if self.queue.try_send(span).is_err() {
            self.dropped.inc();
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// Sends the queued spans to the collector in batches until `stop`, then
/// what is left in the queue.
async fn export(
    mut spans: mpsc::Receiver<SpanData>,
    mut stop: oneshot::Receiver<()>,
    exporter: impl SpanExporter,
    dropped: Counter,
) {
    loop {
        let first = tokio::select! {
            span = spans.recv() => span,
            _ = &mut stop => break,
        };
        let Some(first) = first else { return };
        let mut batch = vec![first];
        let full = tokio::time::sleep(BATCH_DELAY);
        tokio::pin!(full);
        while batch.len() < MAX_BATCH {
            tokio::select! {
                span = spans.recv() => match span {
                    Some(span) => batch.push(span),
                    None => break,
                },
                () = &mut full => break,
            }
        }
        send(&exporter, batch, &dropped).await;
    }
    let mut rest = Vec::new();
    while let Ok(span) = spans.try_recv() {
        rest.push(span);
        if rest.len() == MAX_BATCH {
            send(&exporter, std::mem::take(&mut rest), &dropped).await;
        }
    }
    if !rest.is_empty() {
        send(&exporter, rest, &dropped).await;
    }
}

async fn send(exporter: &impl SpanExporter, batch: Vec<SpanData>, dropped: &Counter) {
    let count = batch.len() as u64;
    match tokio::time::timeout(EXPORT_TIMEOUT, exporter.export(batch)).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            dropped.inc_by(count);
            tracing::debug!(%error, count, "spans not exported");
        }
        Err(_) => {
            dropped.inc_by(count);
            tracing::debug!(
                count,
                "spans not exported: the collector did not answer in time"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{Span as _, Tracer as _};

    use super::*;

    #[test]
    fn spans_beyond_the_queue_are_dropped_and_counted_without_waiting() {
        // Nobody takes spans from this queue: a collector that hangs.
        let (queue, _spans) = mpsc::channel(2);
        let dropped = Counter::default();
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BoundedQueue {
                queue,
                dropped: dropped.clone(),
            })
            .build();
        let tracer = provider.tracer("test");
        for _ in 0..5 {
            tracer.start("call").end();
        }
        assert_eq!(dropped.get(), 3);
    }
}
