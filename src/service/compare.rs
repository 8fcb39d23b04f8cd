//! Compare: validation, one analysis of each text, the call into
//! [`crate::compare`] (with the sentence encoder when one is loaded and
//! both texts are within its size limit), and the response with offsets in
//! the client's unit.

use std::ops::Range;
use std::sync::Arc;

use super::validate::{
    check_sentence_count, check_text, language, language_source, offset_unit, to_u32,
};
use crate::compare::{self, CompareOptions, DiffOp, Thresholds, Verdict};
use crate::config::Limits;
use crate::deadline::Deadline;
use crate::error::{Error, Violation};
use crate::offsets::{OffsetIndex, OffsetUnit};
use crate::proto::v1 as pb;
use crate::semantic::Embedder;
use crate::text::language::LanguageRequest;
use crate::text::{Document, Language, Lexicon};

/// A Compare request that passed validation.
pub struct CompareCall {
    text_a: String,
    text_b: String,
    language: LanguageRequest,
    offset_unit: OffsetUnit,
    options: CompareOptions,
    /// The encoder, unless none is loaded or a text is over
    /// [`Limits::max_semantic_text_bytes`]: then the texts are compared by
    /// their words alone, as the limit's docs promise.
    embedder: Option<Arc<dyn Embedder>>,
}

impl CompareCall {
    /// Checks both texts, the enums, the language and the thresholds, and
    /// decides whether the encoder reads the texts.
    pub fn validate(
        request: pb::CompareRequest,
        limits: &Limits,
        default_language: Language,
        embedder: Option<&Arc<dyn Embedder>>,
    ) -> Result<Self, Error> {
        let mut violations = Vec::new();
        check_text("text_a", &request.text_a, limits, &mut violations);
        check_text("text_b", &request.text_b, limits, &mut violations);
        let offset_unit = offset_unit("offset_unit", request.offset_unit, &mut violations);
        let language = language(
            "language",
            &request.language,
            default_language,
            &mut violations,
        );
        let mut thresholds = Thresholds::default();
        if let Some(t) = &request.thresholds {
            for (field, value, slot) in [
                (
                    "thresholds.near_duplicate",
                    t.near_duplicate,
                    &mut thresholds.near_duplicate,
                ),
                ("thresholds.related", t.related, &mut thresholds.related),
            ] {
                match value {
                    Some(v) if v.is_finite() && (0.0..=1.0).contains(&v) => *slot = v,
                    Some(_) => violations.push(Violation::new(field, "must be in [0, 1]")),
                    None => {}
                }
            }
        }
        if !violations.is_empty() {
            return Err(Error::InvalidArgument(violations));
        }
        let within = |text: &str| text.len() <= limits.max_semantic_text_bytes;
        let embedder = embedder
            .filter(|_| within(&request.text_a) && within(&request.text_b))
            .cloned();
        Ok(Self {
            text_a: request.text_a,
            text_b: request.text_b,
            language,
            offset_unit,
            options: CompareOptions {
                alignment: request.include_alignment.unwrap_or(true),
                diff: request.include_diff,
                signatures: request.include_signatures,
                thresholds,
                keep_boilerplate: request.keep_boilerplate,
            },
            embedder,
        })
    }

    /// Analyses each text once and compares them.
    pub fn run(
        self,
        limits: &Limits,
        deadline: Deadline,
        lexicon: &mut Lexicon,
    ) -> Result<pb::CompareResponse, Error> {
        // Both texts are read in one language, so that their stems match:
        // the requested one, else the one detected in A.
        let a = Document::analyze_with(&self.text_a, self.language, lexicon, deadline);
        let b = Document::analyze_with(&self.text_b, a.language, lexicon, deadline);
        // An analysis cut short is answered DEADLINE_EXCEEDED: comparing
        // what there is would only keep the core busy for nobody.
        if deadline.expired() {
            return Err(Error::DeadlineExceeded);
        }
        check_sentence_count("text_a", &a, limits)?;
        check_sentence_count("text_b", &b, limits)?;
        let result = compare::compare(&a, &b, &self.options, self.embedder.as_deref())?;

        let refs_a = SentenceRefs::new(&a, &result.spans_a, self.offset_unit);
        let refs_b = SentenceRefs::new(&b, &result.spans_b, self.offset_unit);
        let alignments = result
            .alignments
            .iter()
            .map(|alignment| pb::SentencePair {
                a: Some(refs_a.joined(&alignment.a)),
                b: Some(refs_b.joined(&alignment.b)),
                similarity: alignment.similarity,
                diff: alignment
                    .diff
                    .iter()
                    .map(|span| {
                        let (a_offset, a_length) = refs_a.offsets.span(&span.a);
                        let (b_offset, b_length) = refs_b.offsets.span(&span.b);
                        let text = match span.op {
                            DiffOp::Insert => &self.text_b[span.b.clone()],
                            DiffOp::Equal | DiffOp::Delete => &self.text_a[span.a.clone()],
                        };
                        pb::DiffSpan {
                            op: match span.op {
                                DiffOp::Equal => pb::DiffOp::Equal,
                                DiffOp::Insert => pb::DiffOp::Insert,
                                DiffOp::Delete => pb::DiffOp::Delete,
                            } as i32,
                            a_offset: to_u32(a_offset),
                            a_length: to_u32(a_length),
                            b_offset: to_u32(b_offset),
                            b_length: to_u32(b_length),
                            text: text.to_owned(),
                        }
                    })
                    .collect(),
            })
            .collect();
        let signature = |s: &Option<compare::Signature>| {
            s.as_ref().map(|s| pb::MinHashSignature {
                values: s.values.clone(),
                seed: s.seed,
                shingle_size: to_u32(s.shingle_size),
                shingle_count: to_u32(s.shingle_count),
            })
        };
        let similarity = &result.similarity;
        Ok(pb::CompareResponse {
            similarity: Some(pb::Similarity {
                score: similarity.score,
                cosine: similarity.cosine,
                jaccard: similarity.jaccard,
                containment_a: similarity.containment_a,
                containment_b: similarity.containment_b,
                semantic: similarity.semantic,
            }),
            verdict: match result.verdict {
                Verdict::Duplicate => pb::Verdict::Duplicate,
                Verdict::NearDuplicate => pb::Verdict::NearDuplicate,
                Verdict::Related => pb::Verdict::Related,
                Verdict::Unrelated => pb::Verdict::Unrelated,
            } as i32,
            alignments,
            unique_a: result
                .unique_a
                .iter()
                .map(|&i| refs_a.joined(&[i]))
                .collect(),
            unique_b: result
                .unique_b
                .iter()
                .map(|&i| refs_b.joined(&[i]))
                .collect(),
            signature_a: signature(&result.signature_a),
            signature_b: signature(&result.signature_b),
            language: a.language.code().to_owned(),
            language_source: language_source(a.language_source).into(),
            removed_sentence_count_a: to_u32(result.removed_a),
            removed_sentence_count_b: to_u32(result.removed_b),
        })
    }
}

/// Sentence references of one document, with its offsets in the unit.
struct SentenceRefs<'d, 'a> {
    doc: &'d Document<'a>,
    /// The span of each sentence as compared ([`compare::Comparison::spans_a`]).
    compared: &'d [Range<usize>],
    offsets: OffsetIndex<'a>,
}

impl<'d, 'a> SentenceRefs<'d, 'a> {
    fn new(doc: &'d Document<'a>, compared: &'d [Range<usize>], unit: OffsetUnit) -> Self {
        let starts = doc.sentences.iter().map(|s| s.span.start);
        Self {
            doc,
            compared,
            offsets: OffsetIndex::new(doc.text, unit, starts),
        }
    }

    /// A reference to the sentences `indexes` (one, or two consecutive ones
    /// when a sentence was split) as compared: the first index and the span
    /// from the first's start to the last's end.
    fn joined(&self, indexes: &[usize]) -> pb::SentenceRef {
        let span = |i: usize| {
            self.compared
                .get(i)
                .or_else(|| self.doc.sentences.get(i).map(|s| &s.span))
        };
        let spans: Vec<&Range<usize>> = indexes.iter().filter_map(|&i| span(i)).collect();
        let start = spans.iter().map(|s| s.start).min().unwrap_or(0);
        let end = spans.iter().map(|s| s.end).max().unwrap_or(start);
        let (offset, length) = self.offsets.span(&(start..end));
        pb::SentenceRef {
            index: to_u32(indexes.first().copied().unwrap_or(0)),
            offset: to_u32(offset),
            length: to_u32(length),
            text: self.doc.text[start..end].to_owned(),
        }
    }
}
