//! The gRPC layer: turns proto messages into calls of the analysis core and
//! its results back into proto messages.
//!
//! Each handler validates the whole request first (every bad field is
//! reported at once, as `google.rpc.BadRequest` field violations), then runs
//! the analysis on the analysis workers so that the async reactor keeps
//! answering health checks and cheap calls while the cores are busy.

mod admission;
mod analyze;
mod classify;
mod compare;
mod embed;
mod stream;
mod summarize;
mod validate;

use std::sync::Arc;

use tonic::codec::SingleMessageCompressionOverride;
use tonic::{Request, Response, Status, Streaming};

pub use admission::{Admission, Caller, CallerPolicy, Slot};

use crate::classify::registry::ModelStore;
use crate::config::Limits;
use crate::deadline::Deadline;
use crate::error::Error;
use crate::metrics::Metrics;
use crate::proto::v1 as pb;
use crate::semantic::Embedder;
use crate::text::{Language, Lexicon};

pub use summarize::DEFAULT_SUMMARY_SENTENCES;

/// The `textanalysis.v1.TextAnalysisService` implementation.
#[derive(Debug, Clone)]
pub struct TextAnalysis {
    limits: Limits,
    default_language: Language,
    models: Arc<ModelStore>,
    embedder: Option<Arc<dyn Embedder>>,
    static_embedder: Option<Arc<dyn Embedder>>,
    admission: Arc<Admission>,
    metrics: Arc<Metrics>,
    streams: Arc<stream::OpenStreams>,
}

const SUMMARIZE: &str = "/textanalysis.v1.TextAnalysisService/Summarize";
const CLASSIFY: &str = "/textanalysis.v1.TextAnalysisService/Classify";
const COMPARE: &str = "/textanalysis.v1.TextAnalysisService/Compare";
const EMBED: &str = "/textanalysis.v1.TextAnalysisService/Embed";
const ANALYZE: &str = "/textanalysis.v1.TextAnalysisService/Analyze";
const ANALYZE_STREAM: &str = "/textanalysis.v1.TextAnalysisService/AnalyzeStream";

/// The paths of the calls that run an analysis, and so need admission.
pub const ANALYSES: [&str; 5] = [SUMMARIZE, CLASSIFY, COMPARE, EMBED, ANALYZE];

/// The paths of the streams of analyses, whose items each need admission.
pub const STREAMS: [&str; 1] = [ANALYZE_STREAM];

impl TextAnalysis {
    /// A service enforcing `limits`, reading texts whose language
    /// detection is unsure in `default_language`, classifying with
    /// `models`, reading meaning with `embedder` (none: lexical mode),
    /// embedding with `static_embedder` when Embed asks for the static
    /// table, and running analyses as `admission` lets them.
    pub fn new(
        limits: Limits,
        default_language: Language,
        models: Arc<ModelStore>,
        embedder: Option<Arc<dyn Embedder>>,
        static_embedder: Option<Arc<dyn Embedder>>,
        admission: Arc<Admission>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            limits,
            default_language,
            models,
            embedder,
            static_embedder,
            admission,
            metrics,
            streams: Arc::default(),
        }
    }

    /// What the server's edge gave the request when its headers arrived:
    /// its deadline and its admission slot. A service used without that
    /// edge has no deadline and takes its slot here.
    fn admitted<T>(&self, request: &Request<T>) -> Result<(Deadline, Slot), Status> {
        let deadline = request
            .extensions()
            .get::<Deadline>()
            .copied()
            .unwrap_or(Deadline::NONE);
        let slot = match request.extensions().get::<Slot>() {
            Some(slot) => slot.clone(),
            None => self.admission.reserve(&caller_of(request))?,
        };
        Ok((deadline, slot))
    }

    /// Counts a call's text, and notes its size in the call's trace.
    fn received(&self, method: &str, bytes: usize) {
        self.metrics.text_bytes(method, bytes);
        crate::telemetry::note_text_bytes(bytes);
    }

    /// `message` as the answer; sent uncompressed when it is larger than
    /// `max_compressed_response_bytes`, since tonic compresses on the
    /// async threads that also answer health checks.
    fn respond<M: Answer>(&self, message: M) -> Response<M> {
        crate::telemetry::note_language(message.language());
        let large = message.encoded_len() > self.limits.max_compressed_response_bytes;
        let mut response = Response::new(message);
        if large {
            response
                .extensions_mut()
                .insert(SingleMessageCompressionOverride::Disable);
        }
        response
    }

    /// Checks an Analyze request (or a stream item's, which may ask for
    /// no part when `parts_optional`).
    fn validate_analyze(
        &self,
        request: pb::AnalyzeRequest,
        parts_optional: bool,
    ) -> Result<analyze::AnalyzeCall, Error> {
        let models = self.models.current();
        let context = analyze::Context {
            limits: &self.limits,
            default_language: self.default_language,
            models: &models,
            embedders: embed::Embedders {
                transformer: self.embedder.as_ref(),
                fast: self.static_embedder.as_ref(),
            },
        };
        analyze::AnalyzeCall::validate(request, context, parts_optional)
    }

    /// Runs a checked Analyze request on the analysis workers.
    async fn run_analyze(
        &self,
        call: analyze::AnalyzeCall,
        admitted: (Deadline, Slot),
    ) -> Result<analyze::Analyzed, Status> {
        self.received(ANALYZE, call.text_len());
        let limits = self.limits;
        let models = self.models.current();
        let embedder = self.embedder.clone();
        let deadline = admitted.0;
        let analyzed = self
            .run_analysis(admitted, move |lexicon| {
                let server = analyze::Server {
                    limits: &limits,
                    models: &models,
                    embedder: embedder.as_deref(),
                };
                call.run(server, deadline, lexicon)
            })
            .await??;
        Ok(analyzed)
    }

    /// Runs CPU-bound analysis off the reactor, on the analysis workers
    /// ([`Admission`]), holding `slot`. A panic inside is a bug of ours,
    /// reported as INTERNAL; the server keeps serving.
    ///
    /// The server's edge answers DEADLINE_EXCEEDED when `deadline` passes
    /// and drops this future; a queued analysis is then skipped, and a
    /// running one, which carries the deadline, stops at its next check
    /// and only then frees its worker and slot. A result that comes after
    /// the deadline is discarded (it may be incomplete).
    ///
    /// Two spans, children of the call's, trace it: `queue_wait` until a
    /// worker takes the analysis, then `analysis`, the parent of the core's
    /// own stages.
    async fn run_analysis<T: Send + 'static>(
        &self,
        (deadline, slot): (Deadline, Slot),
        work: impl FnOnce(&mut Lexicon) -> T + Send + 'static,
    ) -> Result<T, Status> {
        let call = tracing::Span::current();
        let waiting = tracing::info_span!("queue_wait");
        let work = move |lexicon: &mut Lexicon| {
            drop(waiting);
            let _analysis = tracing::info_span!(parent: &call, "analysis").entered();
            work(lexicon)
        };
        let held = slot.clone();
        let result = self
            .admission
            .submit(slot, deadline, work)?
            .await
            // No outcome: the slot went to a caller under its share, or a
            // worker skipped the job because its deadline had passed (it
            // may take it a moment before the edge's own timer fires), or
            // the workers are gone.
            .map_err(|_| {
                if held.given_up() {
                    Error::OverShare
                } else if deadline.expired() {
                    Error::DeadlineExceeded
                } else {
                    Error::Internal("the analysis workers stopped".into())
                }
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
        let admitted = self.admitted(&request)?;
        let deadline = admitted.0;
        self.received(SUMMARIZE, request.get_ref().text.len());
        let call = summarize::SummarizeCall::validate(
            request.into_inner(),
            &limits,
            self.default_language,
            self.embedder.as_ref(),
        )?;
        let response = self
            .run_analysis(admitted, move |lexicon| {
                call.run(&limits, deadline, lexicon)
            })
            .await??;
        Ok(self.respond(response))
    }

    async fn classify(
        &self,
        request: Request<pb::ClassifyRequest>,
    ) -> Result<Response<pb::ClassifyResponse>, Status> {
        // The request keeps the model set it started with, even if a reload
        // swaps in another meanwhile.
        let models = self.models.current();
        let admitted = self.admitted(&request)?;
        self.received(CLASSIFY, request.get_ref().text.len());
        let call = classify::ClassifyCall::validate(
            request.into_inner(),
            &self.limits,
            &models,
            self.default_language,
        )?;
        // Classification reads the text's words once, linearly (some 30 ms
        // for 1 MiB), so it is not stopped midway; the encoder, which reads
        // ad-hoc topics' meaning, stops between its batches once the
        // deadline has passed.
        let limits = self.limits;
        let deadline = admitted.0;
        let embedder = self.embedder.clone();
        let response = self
            .run_analysis(admitted, move |lexicon| {
                call.run(&models, embedder.as_deref(), &limits, deadline, lexicon)
            })
            .await??;
        Ok(self.respond(response))
    }

    async fn list_models(
        &self,
        _request: Request<pb::ListModelsRequest>,
    ) -> Result<Response<pb::ListModelsResponse>, Status> {
        let mut response = classify::list_models(&self.models.current());
        response.encoder = self
            .embedder
            .as_ref()
            .map(|e| embed::encoder_info(e.info()));
        response.static_encoder = self
            .static_embedder
            .as_ref()
            .map(|e| embed::encoder_info(e.info()));
        Ok(Response::new(response))
    }

    async fn compare(
        &self,
        request: Request<pb::CompareRequest>,
    ) -> Result<Response<pb::CompareResponse>, Status> {
        let limits = self.limits;
        let admitted = self.admitted(&request)?;
        let deadline = admitted.0;
        let texts = request.get_ref().text_a.len() + request.get_ref().text_b.len();
        self.received(COMPARE, texts);
        let call = compare::CompareCall::validate(
            request.into_inner(),
            &limits,
            self.default_language,
            self.embedder.as_ref(),
        )?;
        let response = self
            .run_analysis(admitted, move |lexicon| {
                call.run(&limits, deadline, lexicon)
            })
            .await??;
        Ok(self.respond(response))
    }

    async fn embed(
        &self,
        request: Request<pb::EmbedRequest>,
    ) -> Result<Response<pb::EmbedResponse>, Status> {
        let limits = self.limits;
        let admitted = self.admitted(&request)?;
        let deadline = admitted.0;
        self.received(EMBED, request.get_ref().text.len());
        let embedders = embed::Embedders {
            transformer: self.embedder.as_ref(),
            fast: self.static_embedder.as_ref(),
        };
        let call = embed::EmbedCall::validate(
            request.into_inner(),
            &limits,
            self.default_language,
            embedders,
        )?;
        let response = self
            .run_analysis(admitted, move |lexicon| {
                call.run(&limits, deadline, lexicon)
            })
            .await??;
        Ok(self.respond(response))
    }

    async fn analyze(
        &self,
        request: Request<pb::AnalyzeRequest>,
    ) -> Result<Response<pb::AnalyzeResponse>, Status> {
        let admitted = self.admitted(&request)?;
        let call = self.validate_analyze(request.into_inner(), false)?;
        let analyzed = self.run_analyze(call, admitted).await?;
        Ok(self.respond(analyzed.response))
    }

    type AnalyzeStreamStream = stream::Answers;

    async fn analyze_stream(
        &self,
        request: Request<Streaming<pb::AnalyzeStreamRequest>>,
    ) -> Result<Response<Self::AnalyzeStreamStream>, Status> {
        let deadline = request
            .extensions()
            .get::<Deadline>()
            .copied()
            .unwrap_or(Deadline::NONE);
        let caller = caller_of(&request);
        let answers = stream::open(self, deadline, caller, request.into_inner())?;
        Ok(Response::new(answers))
    }
}

/// Who sends `request`, as the server's edge found it; `anonymous` when
/// the service is used without that edge.
fn caller_of<T>(request: &Request<T>) -> Caller {
    request
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_else(Caller::anonymous)
}

/// An analysis' answer, which names the language its text was read in (a
/// field of the call's span).
trait Answer: prost::Message {
    fn language(&self) -> &str;
}

macro_rules! answer {
    ($($response:ty),*) => {$(
        impl Answer for $response {
            fn language(&self) -> &str {
                &self.language
            }
        }
    )*};
}

answer!(
    pb::AnalyzeResponse,
    pb::SummarizeResponse,
    pb::ClassifyResponse,
    pb::CompareResponse,
    pb::EmbedResponse
);
