//! The gRPC layer: turns proto messages into calls of the analysis core and
//! its results back into proto messages.
//!
//! Each handler validates the whole request first (every bad field is
//! reported at once, as `google.rpc.BadRequest` field violations), then runs
//! the analysis on the blocking pool so that the async reactor keeps
//! answering health checks and cheap calls while the cores are busy.

use tonic::{Request, Response, Status};

use crate::config::Limits;
use crate::error::{Error, Violation};
use crate::offsets::{OffsetMapper, OffsetUnit};
use crate::proto::v1 as pb;
use crate::summarize::{self, Algorithm, Order, SummarizeOptions};
use crate::text::{Document, Language};

/// Default number of summary sentences when a request sets none.
pub const DEFAULT_SUMMARY_SENTENCES: usize = 3;

/// The `textanalysis.v1.TextAnalysisService` implementation.
#[derive(Debug, Clone, Default)]
pub struct TextAnalysis {
    limits: Limits,
}

impl TextAnalysis {
    /// A service enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self { limits }
    }
}

#[tonic::async_trait]
impl pb::text_analysis_service_server::TextAnalysisService for TextAnalysis {
    async fn summarize(
        &self,
        request: Request<pb::SummarizeRequest>,
    ) -> Result<Response<pb::SummarizeResponse>, Status> {
        let request = request.into_inner();
        let limits = self.limits;
        let checked = SummarizeCall::validate(request, &limits)?;
        let response = run_blocking(move || checked.run(&limits)).await??;
        Ok(Response::new(response))
    }

    async fn classify(
        &self,
        _request: Request<pb::ClassifyRequest>,
    ) -> Result<Response<pb::ClassifyResponse>, Status> {
        Err(Error::Unimplemented("Classify").into())
    }

    async fn list_models(
        &self,
        _request: Request<pb::ListModelsRequest>,
    ) -> Result<Response<pb::ListModelsResponse>, Status> {
        Err(Error::Unimplemented("ListModels").into())
    }

    async fn compare(
        &self,
        _request: Request<pb::CompareRequest>,
    ) -> Result<Response<pb::CompareResponse>, Status> {
        Err(Error::Unimplemented("Compare").into())
    }
}

/// Runs CPU-bound analysis off the reactor. A panic inside is a bug of ours,
/// reported as INTERNAL; the server keeps serving.
async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "analysis task failed");
        Status::from(Error::Internal("analysis task failed".into()))
    })
}

/// A Summarize request that passed validation.
struct SummarizeCall {
    text: String,
    language: Option<Language>,
    offset_unit: OffsetUnit,
    options: SummarizeOptions,
}

impl SummarizeCall {
    fn validate(request: pb::SummarizeRequest, limits: &Limits) -> Result<Self, Error> {
        let mut violations = Vec::new();
        check_text("text", &request.text, limits, &mut violations);
        let max_sentences = match request.max_sentences as usize {
            0 => DEFAULT_SUMMARY_SENTENCES,
            n if n > limits.max_summary_sentences => {
                violations.push(Violation::new(
                    "max_sentences",
                    format!("must be at most {}", limits.max_summary_sentences),
                ));
                n
            }
            n => n,
        };
        let ratio = if request.ratio == 0.0 {
            None
        } else if request.ratio.is_finite() && request.ratio > 0.0 && request.ratio <= 1.0 {
            Some(request.ratio)
        } else {
            violations.push(Violation::new(
                "ratio",
                "must be in (0, 1], or 0 for no ratio",
            ));
            None
        };
        let algorithm = match pb::SummarizeAlgorithm::try_from(request.algorithm) {
            Ok(pb::SummarizeAlgorithm::Unspecified) => Some(Algorithm::DEFAULT),
            Ok(pb::SummarizeAlgorithm::Textrank) => Some(Algorithm::TextRank),
            Ok(pb::SummarizeAlgorithm::Lexrank) => Some(Algorithm::LexRank),
            Ok(pb::SummarizeAlgorithm::Centroid) => Some(Algorithm::Centroid),
            Ok(pb::SummarizeAlgorithm::Lead) => Some(Algorithm::Lead),
            Err(_) => {
                violations.push(unknown_enum("algorithm", request.algorithm));
                None
            }
        };
        let order = match pb::SummaryOrder::try_from(request.order) {
            Ok(pb::SummaryOrder::Unspecified | pb::SummaryOrder::Document) => Order::Document,
            Ok(pb::SummaryOrder::Rank) => Order::Rank,
            Err(_) => {
                violations.push(unknown_enum("order", request.order));
                Order::Document
            }
        };
        let offset_unit = offset_unit("offset_unit", request.offset_unit, &mut violations);
        let language = language("language", &request.language, &mut violations);
        match algorithm {
            Some(algorithm) if violations.is_empty() => Ok(Self {
                text: request.text,
                language,
                offset_unit,
                options: SummarizeOptions {
                    max_sentences,
                    ratio,
                    max_words: (request.max_words > 0).then_some(request.max_words as usize),
                    algorithm,
                    order,
                },
            }),
            _ => Err(Error::InvalidArgument(violations)),
        }
    }

    fn run(self, limits: &Limits) -> Result<pb::SummarizeResponse, Error> {
        let doc = Document::analyze(&self.text, self.language);
        check_sentence_count("text", &doc, limits)?;
        let summary = summarize::summarize(&doc, &self.options);
        // The mapper counts forward, so convert in document order and put
        // the sentences back in the requested order afterwards.
        let mut by_position: Vec<usize> = (0..summary.sentences.len()).collect();
        by_position.sort_by_key(|&i| summary.sentences[i].span.start);
        let mut mapper = OffsetMapper::new(&self.text, self.offset_unit);
        let mut positions = vec![(0, 0); summary.sentences.len()];
        for i in by_position {
            positions[i] = mapper.map(&summary.sentences[i].span);
        }
        let sentences = summary
            .sentences
            .iter()
            .zip(positions)
            .map(|(s, (offset, length))| pb::SummarySentence {
                text: self.text[s.span.clone()].to_owned(),
                score: s.score,
                rank: to_u32(s.rank),
                index: to_u32(s.index),
                offset: to_u32(offset),
                length: to_u32(length),
            })
            .collect();
        Ok(pb::SummarizeResponse {
            sentences,
            language: doc.language.code().to_owned(),
            sentence_count: to_u32(summary.sentence_count),
            algorithm: proto_algorithm(summary.algorithm) as i32,
        })
    }
}

fn proto_algorithm(algorithm: Algorithm) -> pb::SummarizeAlgorithm {
    match algorithm {
        Algorithm::TextRank => pb::SummarizeAlgorithm::Textrank,
        Algorithm::LexRank => pb::SummarizeAlgorithm::Lexrank,
        Algorithm::Centroid => pb::SummarizeAlgorithm::Centroid,
        Algorithm::Lead => pb::SummarizeAlgorithm::Lead,
    }
}

/// Texts are limited far below 4 GiB, so every count fits; saturate rather
/// than wrap if a limit is ever raised past that.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn unknown_enum(field: &str, value: i32) -> Violation {
    Violation::new(field, format!("unknown enum value {value}"))
}

/// Checks a document text: present, not blank, within the size limit.
fn check_text(field: &str, text: &str, limits: &Limits, violations: &mut Vec<Violation>) {
    if text.len() > limits.max_text_bytes {
        violations.push(Violation::new(
            field,
            format!(
                "is {} bytes, over the limit of {} bytes",
                text.len(),
                limits.max_text_bytes
            ),
        ));
    } else if text.trim().is_empty() {
        violations.push(Violation::new(
            field,
            "must contain text, not only white space",
        ));
    }
}

/// Checks the number of sentences, which is known only after segmentation.
fn check_sentence_count(field: &str, doc: &Document<'_>, limits: &Limits) -> Result<(), Error> {
    if doc.sentences.len() > limits.max_document_sentences {
        return Err(Error::InvalidArgument(vec![Violation::new(
            field,
            format!(
                "has {} sentences, over the limit of {}",
                doc.sentences.len(),
                limits.max_document_sentences
            ),
        )]));
    }
    Ok(())
}

fn offset_unit(field: &str, value: i32, violations: &mut Vec<Violation>) -> OffsetUnit {
    match pb::OffsetUnit::try_from(value) {
        Ok(pb::OffsetUnit::Unspecified | pb::OffsetUnit::Utf8Byte) => OffsetUnit::Utf8Byte,
        Ok(pb::OffsetUnit::CodePoint) => OffsetUnit::CodePoint,
        Ok(pb::OffsetUnit::Utf16CodeUnit) => OffsetUnit::Utf16CodeUnit,
        Err(_) => {
            violations.push(unknown_enum(field, value));
            OffsetUnit::Utf8Byte
        }
    }
}

/// An empty code means "detect"; anything else must be a supported code.
fn language(field: &str, code: &str, violations: &mut Vec<Violation>) -> Option<Language> {
    if code.is_empty() {
        return None;
    }
    let language = Language::from_code(code);
    if language.is_none() {
        // Echo at most a few characters of what the client sent.
        let shown: String = code.chars().take(16).collect();
        violations.push(Violation::new(
            field,
            format!(
                "`{shown}` is not a supported ISO 639-1 code; supported: {}",
                crate::text::language::supported_codes().join(", ")
            ),
        ));
    }
    language
}
