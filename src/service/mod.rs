//! The gRPC layer: turns proto messages into calls of the analysis core and
//! its results back into proto messages.
//!
//! Each handler validates the whole request first (every bad field is
//! reported at once, as `google.rpc.BadRequest` field violations), then runs
//! the analysis on the analysis workers so that the async reactor keeps
//! answering health checks and cheap calls while the cores are busy.

mod admission;
mod classify;
mod compare;
mod summarize;
mod validate;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tonic::{Request, Response, Status};

pub use admission::Admission;

use crate::classify::registry::ModelStore;
use crate::config::Limits;
use crate::deadline::Deadline;
use crate::error::Error;
use crate::metrics::Metrics;
use crate::proto::v1 as pb;

pub use summarize::DEFAULT_SUMMARY_SENTENCES;

/// The `textanalysis.v1.TextAnalysisService` implementation.
#[derive(Debug, Clone)]
pub struct TextAnalysis {
    limits: Limits,
    models: Arc<ModelStore>,
    admission: Arc<Admission>,
    request_timeout: Duration,
    metrics: Arc<Metrics>,
}

const SUMMARIZE: &str = "/textanalysis.v1.TextAnalysisService/Summarize";
const CLASSIFY: &str = "/textanalysis.v1.TextAnalysisService/Classify";
const COMPARE: &str = "/textanalysis.v1.TextAnalysisService/Compare";

/// How long before a client's deadline the server answers
/// DEADLINE_EXCEEDED (at most a tenth of the timeout): at the deadline
/// itself tonic's timers, the server's and the client's, end the call with
/// a generic CANCELLED "Timeout expired"; the answer needs time to travel
/// back, and on busy cores a timer fires a few milliseconds late.
pub const ANSWER_MARGIN: Duration = Duration::from_millis(20);

/// When a request's headers arrived (before its body was read and
/// decoded): deadlines count from there, as the client's does. Set by
/// [`crate::server`].
#[derive(Debug, Clone, Copy)]
pub struct Arrival(pub Instant);

impl TextAnalysis {
    /// A service enforcing `limits`, classifying with `models`, running
    /// analyses as `admission` lets them, and giving each request at most
    /// `request_timeout` (less if its `grpc-timeout` says so).
    pub fn new(
        limits: Limits,
        models: Arc<ModelStore>,
        admission: Arc<Admission>,
        request_timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            limits,
            models,
            admission,
            request_timeout,
            metrics,
        }
    }

    /// The request's deadline: its `grpc-timeout` if it has one, capped by
    /// the server's request timeout, counted from its arrival, less the
    /// [`ANSWER_MARGIN`].
    fn deadline_of<T>(&self, request: &Request<T>) -> Deadline {
        let client = request
            .metadata()
            .get("grpc-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_grpc_timeout);
        let timeout = client.map_or(self.request_timeout, |c| c.min(self.request_timeout));
        let arrival = request
            .extensions()
            .get::<Arrival>()
            .map_or_else(Instant::now, |a| a.0);
        let margin = ANSWER_MARGIN.min(timeout / 10);
        arrival
            .checked_add(timeout - margin)
            .map_or(Deadline::NONE, Deadline::at)
    }

    /// Runs CPU-bound analysis off the reactor, on the analysis workers
    /// ([`Admission`]), or refuses it at once when they are busy and their
    /// queue full. A panic inside is a bug of ours, reported as INTERNAL;
    /// the server keeps serving.
    ///
    /// Waiting for a worker and running both count against `deadline`: when
    /// it is about to pass, the caller gets DEADLINE_EXCEEDED at once; a
    /// queued analysis is then skipped, and a running one, which carries the
    /// deadline, stops at its next check and only then frees its worker. A
    /// result that comes after the deadline is discarded (it may be
    /// incomplete).
    async fn run_analysis<T: Send + 'static>(
        &self,
        deadline: Deadline,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Status> {
        let outcome = self.admission.submit(deadline, work).inspect_err(|e| {
            if matches!(e, Error::Overloaded { .. }) {
                self.metrics.refused();
            }
        })?;
        let result = within(deadline.instant(), outcome)
            .await?
            // No outcome: a worker skipped the job because its deadline
            // had passed (it may take it a moment before this call's own
            // timer fires), or the workers are gone.
            .map_err(|_| match deadline.expired() {
                true => Error::DeadlineExceeded,
                false => Error::Internal("the analysis workers stopped".into()),
            })?
            .map_err(|_| {
                tracing::error!("analysis panicked");
                Status::from(Error::Internal("analysis task failed".into()))
            })?;
        if deadline.expired() {
            return Err(Error::DeadlineExceeded.into());
        }
        Ok(result)
    }
}

#[tonic::async_trait]
impl pb::text_analysis_service_server::TextAnalysisService for TextAnalysis {
    async fn summarize(
        &self,
        request: Request<pb::SummarizeRequest>,
    ) -> Result<Response<pb::SummarizeResponse>, Status> {
        let limits = self.limits;
        let deadline = self.deadline_of(&request);
        self.metrics
            .text_bytes(SUMMARIZE, request.get_ref().text.len());
        let call = summarize::SummarizeCall::validate(request.into_inner(), &limits)?;
        let response = self
            .run_analysis(deadline, move || call.run(&limits, deadline))
            .await??;
        Ok(Response::new(response))
    }

    async fn classify(
        &self,
        request: Request<pb::ClassifyRequest>,
    ) -> Result<Response<pb::ClassifyResponse>, Status> {
        // The request keeps the model set it started with, even if a reload
        // swaps in another meanwhile.
        let models = self.models.current();
        let deadline = self.deadline_of(&request);
        self.metrics
            .text_bytes(CLASSIFY, request.get_ref().text.len());
        let call = classify::ClassifyCall::validate(request.into_inner(), &self.limits, &models)?;
        // Classification reads the text once, linearly (some 30 ms for
        // 1 MiB), so it is not stopped midway; its answer still respects
        // the deadline.
        let response = self
            .run_analysis(deadline, move || call.run(&models))
            .await??;
        Ok(Response::new(response))
    }

    async fn list_models(
        &self,
        _request: Request<pb::ListModelsRequest>,
    ) -> Result<Response<pb::ListModelsResponse>, Status> {
        Ok(Response::new(classify::list_models(&self.models.current())))
    }

    async fn compare(
        &self,
        request: Request<pb::CompareRequest>,
    ) -> Result<Response<pb::CompareResponse>, Status> {
        let limits = self.limits;
        let deadline = self.deadline_of(&request);
        let texts = request.get_ref().text_a.len() + request.get_ref().text_b.len();
        self.metrics.text_bytes(COMPARE, texts);
        let call = compare::CompareCall::validate(request.into_inner(), &limits)?;
        let response = self
            .run_analysis(deadline, move || call.run(&limits, deadline))
            .await??;
        Ok(Response::new(response))
    }
}

/// `future`'s output, or DEADLINE_EXCEEDED if `answer_by` comes first.
async fn within<F: Future>(answer_by: Option<Instant>, future: F) -> Result<F::Output, Status> {
    match answer_by {
        None => Ok(future.await),
        Some(at) => tokio::time::timeout_at(at.into(), future)
            .await
            .map_err(|_| Error::DeadlineExceeded.into()),
    }
}

/// A `grpc-timeout` header value: at most 8 digits and a unit (`H`, `M`,
/// `S`, `m`, `u`, `n`), as the gRPC over HTTP/2 protocol defines it.
fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let unit = value.chars().last()?;
    let digits = &value[..value.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        'H' => Duration::from_secs(n * 3600),
        'M' => Duration::from_secs(n * 60),
        'S' => Duration::from_secs(n),
        'm' => Duration::from_millis(n),
        'u' => Duration::from_micros(n),
        'n' => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse_as_the_protocol_defines_them() {
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("2M"), Some(Duration::from_secs(120)));
        assert_eq!(parse_grpc_timeout("30S"), Some(Duration::from_secs(30)));
        assert_eq!(parse_grpc_timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(parse_grpc_timeout("5u"), Some(Duration::from_micros(5)));
        assert_eq!(
            parse_grpc_timeout("99999999n"),
            Some(Duration::from_nanos(99_999_999))
        );
        for bad in ["", "m", "123456789m", "10x", "-1S", "1.5S", "10é"] {
            assert_eq!(parse_grpc_timeout(bad), None, "{bad}");
        }
    }
}
