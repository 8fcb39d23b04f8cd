//! The gRPC layer: turns proto messages into calls of the analysis core and
//! its results back into proto messages.
//!
//! Each handler validates the whole request first (every bad field is
//! reported at once, as `google.rpc.BadRequest` field violations), then runs
//! the analysis on the blocking pool so that the async reactor keeps
//! answering health checks and cheap calls while the cores are busy.

mod admission;
mod classify;
mod compare;
mod summarize;
mod validate;

use std::sync::Arc;

use tonic::{Request, Response, Status};

pub use admission::Admission;

use crate::classify::registry::ModelStore;
use crate::config::Limits;
use crate::error::Error;
use crate::proto::v1 as pb;

pub use summarize::DEFAULT_SUMMARY_SENTENCES;

/// The `textanalysis.v1.TextAnalysisService` implementation.
#[derive(Debug, Clone)]
pub struct TextAnalysis {
    limits: Limits,
    models: Arc<ModelStore>,
    admission: Arc<Admission>,
}

impl TextAnalysis {
    /// A service enforcing `limits`, classifying with `models` and running
    /// analyses as `admission` lets them.
    pub fn new(limits: Limits, models: Arc<ModelStore>, admission: Arc<Admission>) -> Self {
        Self {
            limits,
            models,
            admission,
        }
    }

    /// Runs CPU-bound analysis off the reactor once admitted, holding the
    /// permit until the analysis has returned. A panic inside is a bug of
    /// ours, reported as INTERNAL; the server keeps serving.
    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Status> {
        let permit = self.admission.admit().await?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "analysis task failed");
            Status::from(Error::Internal("analysis task failed".into()))
        })
    }
}

#[tonic::async_trait]
impl pb::text_analysis_service_server::TextAnalysisService for TextAnalysis {
    async fn summarize(
        &self,
        request: Request<pb::SummarizeRequest>,
    ) -> Result<Response<pb::SummarizeResponse>, Status> {
        let limits = self.limits;
        let call = summarize::SummarizeCall::validate(request.into_inner(), &limits)?;
        let response = self.run_blocking(move || call.run(&limits)).await??;
        Ok(Response::new(response))
    }

    async fn classify(
        &self,
        request: Request<pb::ClassifyRequest>,
    ) -> Result<Response<pb::ClassifyResponse>, Status> {
        // The request keeps the model set it started with, even if a reload
        // swaps in another meanwhile.
        let models = self.models.current();
        let call = classify::ClassifyCall::validate(request.into_inner(), &self.limits, &models)?;
        let response = self.run_blocking(move || call.run(&models)).await??;
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
        let call = compare::CompareCall::validate(request.into_inner(), &limits)?;
        let response = self.run_blocking(move || call.run(&limits)).await??;
        Ok(Response::new(response))
    }
}
