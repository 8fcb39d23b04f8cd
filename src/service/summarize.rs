//! Summarize: validation, the call into [`crate::summarize`], and the
//! response with offsets in the client's unit.
//!
//! The sentence encoder, when the server has one, goes to the core with
//! the text: SEMANTIC needs it (FAILED_PRECONDITION in lexical mode, a
//! field violation for a text over `max_semantic_text_bytes`), and a query
//! is then read by meaning. A text over that limit is summarized with its
//! query read by words, as in lexical mode.

use std::sync::Arc;

use super::embed::check_semantic_text;
use super::validate::{
    analyze_text, check_text, language, language_source, offset_unit, to_u32, unknown_enum,
};
use crate::config::Limits;
use crate::deadline::Deadline;
use crate::error::{Error, Violation};
use crate::offsets::{OffsetIndex, OffsetUnit};
use crate::proto::v1 as pb;
use crate::semantic::Embedder;
use crate::summarize::{self, Algorithm, Keyphrase, Order, SummarizeError, SummarizeOptions};
use crate::text::language::LanguageRequest;
use crate::text::{Document, Language, Lexicon};

/// Default number of summary sentences when a request sets none.
pub const DEFAULT_SUMMARY_SENTENCES: usize = 3;

/// Default number of key phrases when a request asks for them without a
/// number.
pub const DEFAULT_KEYPHRASES: usize = 10;

/// A Summarize request that passed validation.
pub struct SummarizeCall {
    text: String,
    language: LanguageRequest,
    part: SummarizePart,
}

/// What to summarize a document into: a Summarize request's options, or
/// those of an Analyze request's summary part, checked.
pub struct SummarizePart {
    offset_unit: OffsetUnit,
    options: SummarizeOptions,
    /// The encoder, when the server has one and the text is not over its
    /// limit.
    embedder: Option<Arc<dyn Embedder>>,
}

impl SummarizeCall {
    /// Checks every field, and that SEMANTIC has the encoder and a text it
    /// may read.
    pub fn validate(
        mut request: pb::SummarizeRequest,
        limits: &Limits,
        default_language: Language,
        embedder: Option<&Arc<dyn Embedder>>,
    ) -> Result<Self, Error> {
        let mut violations = Vec::new();
        check_text("text", &request.text, limits, &mut violations);
        let offset_unit = offset_unit("offset_unit", request.offset_unit, &mut violations);
        let language = language(
            "language",
            &request.language,
            default_language,
            &mut violations,
        );
        let text = std::mem::take(&mut request.text);
        let part =
            SummarizePart::validate(request, &text, offset_unit, limits, embedder, violations)?;
        Ok(Self {
            text,
            language,
            part,
        })
    }

    pub fn run(
        self,
        limits: &Limits,
        deadline: Deadline,
        lexicon: &mut Lexicon,
    ) -> Result<pb::SummarizeResponse, Error> {
        let doc = analyze_text(&self.text, self.language, limits, deadline, lexicon)?;
        self.part.run(&doc)
    }
}

impl SummarizePart {
    /// Checks the options of `request` (its text, language and offset
    /// unit are the caller's to check) for a summary of `text` with
    /// offsets in `offset_unit`, adding to `violations` found already.
    pub fn validate(
        request: pb::SummarizeRequest,
        text: &str,
        offset_unit: OffsetUnit,
        limits: &Limits,
        embedder: Option<&Arc<dyn Embedder>>,
        mut violations: Vec<Violation>,
    ) -> Result<Self, Error> {
        // A length asked for in another way (a ratio, a word or character
        // budget) decides alone; the default applies only when none is.
        let other_length = request.ratio != 0.0 || request.max_words > 0 || request.max_chars > 0;
        let max_sentences = match request.max_sentences as usize {
            0 if other_length => limits.max_summary_sentences,
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
            Ok(pb::SummarizeAlgorithm::Pacsum) => Some(Algorithm::PacSum),
            Ok(pb::SummarizeAlgorithm::Semantic) => Some(Algorithm::Semantic),
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
        let diversity = match request.diversity {
            None => 0.0,
            Some(d) if d.is_finite() && (0.0..=1.0).contains(&d) => d,
            Some(_) => {
                violations.push(Violation::new("diversity", "must be in [0, 1]"));
                0.0
            }
        };
        if request.query.len() > limits.max_query_bytes {
            violations.push(Violation::new(
                "query",
                format!(
                    "is {} bytes, over the limit of {} bytes",
                    request.query.len(),
                    limits.max_query_bytes
                ),
            ));
        }
        let query = (!request.query.trim().is_empty()).then_some(request.query);
        let keyphrases = match request.max_keyphrases as usize {
            n if n > limits.max_keyphrases => {
                violations.push(Violation::new(
                    "max_keyphrases",
                    format!("must be at most {}", limits.max_keyphrases),
                ));
                0
            }
            _ if !request.include_keyphrases => 0,
            0 => DEFAULT_KEYPHRASES.min(limits.max_keyphrases),
            n => n,
        };
        let semantic = algorithm.is_some_and(Algorithm::needs_embedder);
        if semantic && embedder.is_none() {
            return Err(missing_encoder());
        }
        let within_limit = text.len() <= limits.max_semantic_text_bytes;
        if semantic && violations.is_empty() {
            check_semantic_text("text", text, limits, &mut violations);
        }
        match algorithm {
            Some(algorithm) if violations.is_empty() => Ok(Self {
                embedder: embedder.filter(|_| within_limit).cloned(),
                offset_unit,
                options: SummarizeOptions {
                    max_sentences,
                    ratio,
                    max_words: (request.max_words > 0).then_some(request.max_words as usize),
                    max_chars: (request.max_chars > 0).then_some(request.max_chars as usize),
                    char_unit: offset_unit,
                    algorithm,
                    order,
                    keep_boilerplate: request.keep_boilerplate,
                    diversity,
                    query,
                    keyphrases,
                },
            }),
            _ => Err(Error::InvalidArgument(violations)),
        }
    }

    /// Summarizes `doc`, analysed from the request's text.
    pub fn run(&self, doc: &Document<'_>) -> Result<pb::SummarizeResponse, Error> {
        let text = doc.text;
        let summary = summarize::summarize(doc, &self.options, self.embedder.as_deref()).map_err(
            |e| match e {
                SummarizeError::EncoderMissing(_) => missing_encoder(),
                SummarizeError::Embed(e) => e.into(),
            },
        )?;
        // Marks at every position the response converts, in order, so that
        // conversion stays linear.
        let mut starts: Vec<usize> = summary
            .sentences
            .iter()
            .map(|s| s.span.start)
            .chain(
                summary
                    .keyphrases
                    .iter()
                    .flat_map(|k| k.occurrences.iter().map(|o| o.start)),
            )
            .collect();
        starts.sort_unstable();
        let offsets = OffsetIndex::new(text, self.offset_unit, starts);
        let keyphrases = keyphrases_to_proto(text, &summary.keyphrases, &offsets);
        let sentences = summary
            .sentences
            .iter()
            .map(|s| (s, offsets.span(&s.span)))
            .map(|(s, (offset, length))| pb::SummarySentence {
                text: text[s.span.clone()].to_owned(),
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
            language_source: language_source(doc.language_source).into(),
            sentence_count: to_u32(summary.sentence_count),
            algorithm: proto_algorithm(summary.algorithm) as i32,
            removed_sentence_count: to_u32(summary.removed_sentences),
            keyphrases,
            query_used: summary.query_used,
        })
    }
}

/// The proto form of `keyphrases` of `text`, with offsets from `offsets`,
/// which marks every occurrence's start.
pub fn keyphrases_to_proto(
    text: &str,
    keyphrases: &[Keyphrase],
    offsets: &OffsetIndex<'_>,
) -> Vec<pb::Keyphrase> {
    keyphrases
        .iter()
        .map(|k| pb::Keyphrase {
            text: text[k.first.clone()].to_owned(),
            score: k.score,
            occurrence_count: to_u32(k.count),
            occurrences: k
                .occurrences
                .iter()
                .map(|o| {
                    let (offset, length) = offsets.span(o);
                    pb::TextSpan {
                        offset: to_u32(offset),
                        length: to_u32(length),
                    }
                })
                .collect(),
        })
        .collect()
}

/// FAILED_PRECONDITION for SEMANTIC on a server without the encoder.
fn missing_encoder() -> Error {
    Error::EncoderMissing("Summarize with SUMMARIZE_ALGORITHM_SEMANTIC".into())
}

fn proto_algorithm(algorithm: Algorithm) -> pb::SummarizeAlgorithm {
    match algorithm {
        Algorithm::TextRank => pb::SummarizeAlgorithm::Textrank,
        Algorithm::LexRank => pb::SummarizeAlgorithm::Lexrank,
        Algorithm::Centroid => pb::SummarizeAlgorithm::Centroid,
        Algorithm::Lead => pb::SummarizeAlgorithm::Lead,
        Algorithm::PacSum => pb::SummarizeAlgorithm::Pacsum,
        Algorithm::Semantic => pb::SummarizeAlgorithm::Semantic,
    }
}
