//! Embed: validation, one analysis of the text (its language and
//! sentences), the call into [`crate::semantic::embed`], and the response
//! with sentence offsets in the client's unit.

use std::sync::Arc;

use super::validate::{
    analyze_text, check_text, language, language_source, offset_unit, to_u32, unknown_enum,
};
use crate::config::Limits;
use crate::error::{Error, Violation};
use crate::offsets::{OffsetIndex, OffsetUnit};
use crate::proto::v1 as pb;
use crate::semantic::{self, Embedder, EmbedderInfo};
use crate::text::language::LanguageRequest;
use crate::text::{Document, Language, Lexicon};

/// The embedders a server holds, as Embed chooses among them.
#[derive(Debug, Clone, Copy)]
pub struct Embedders<'a> {
    /// The sentence encoder; none in lexical mode.
    pub transformer: Option<&'a Arc<dyn Embedder>>,
    /// The static table distilled from it, when the server has one.
    pub fast: Option<&'a Arc<dyn Embedder>>,
}

/// An Embed request that passed validation, with the encoder to run it.
pub struct EmbedCall {
    text: String,
    language: LanguageRequest,
    part: EmbedPart,
}

/// How to embed a document: an Embed request's options, or those of an
/// Analyze request's embed part, checked, with the encoder they chose.
pub struct EmbedPart {
    sentences: bool,
    offset_unit: OffsetUnit,
    embedder: Arc<dyn Embedder>,
}

/// Refuses a text the encoder may not read: a violation of `field` when it
/// is over [`Limits::max_semantic_text_bytes`].
pub fn check_semantic_text(
    field: &str,
    text: &str,
    limits: &Limits,
    violations: &mut Vec<Violation>,
) {
    if text.len() > limits.max_semantic_text_bytes {
        violations.push(Violation::new(
            field,
            format!(
                "is {} bytes, over the sentence encoder's limit of {} bytes (--max-semantic-text-bytes)",
                text.len(),
                limits.max_semantic_text_bytes
            ),
        ));
    }
}

/// The proto form of an encoder's description.
pub fn encoder_info(info: &EmbedderInfo) -> pb::EncoderInfo {
    pb::EncoderInfo {
        name: info.name.clone(),
        dimensions: to_u32(info.dim),
        normalization: pb::EmbeddingNormalization::L2.into(),
        max_tokens: to_u32(info.max_tokens),
    }
}

impl EmbedCall {
    /// Checks the model asked for and that it is loaded, then the text,
    /// its size against the encoder's limit, the offset unit and the
    /// language.
    pub fn validate(
        mut request: pb::EmbedRequest,
        limits: &Limits,
        default_language: Language,
        embedders: Embedders<'_>,
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
            EmbedPart::validate(&request, &text, offset_unit, limits, embedders, violations)?;
        Ok(Self {
            text,
            language,
            part,
        })
    }

    /// Analyses the text once and embeds it (and its sentences).
    pub fn run(
        self,
        limits: &Limits,
        deadline: crate::deadline::Deadline,
        lexicon: &mut Lexicon,
    ) -> Result<pb::EmbedResponse, Error> {
        let doc = analyze_text(&self.text, self.language, limits, deadline, lexicon)?;
        self.part.run(&doc)
    }
}

impl EmbedPart {
    /// Checks the model `request` asks for and that it is loaded, then
    /// `text`'s size against the encoder's limit (when `violations`, the
    /// caller's findings so far, are none), for embeddings with sentence
    /// offsets in `offset_unit`.
    pub fn validate(
        request: &pb::EmbedRequest,
        text: &str,
        offset_unit: OffsetUnit,
        limits: &Limits,
        embedders: Embedders<'_>,
        mut violations: Vec<Violation>,
    ) -> Result<Self, Error> {
        let embedder = match pb::EmbeddingModel::try_from(request.model) {
            Ok(pb::EmbeddingModel::Unspecified | pb::EmbeddingModel::Transformer) => embedders
                .transformer
                .ok_or_else(|| Error::EncoderMissing("Embed".into()))?,
            Ok(pb::EmbeddingModel::Static) => embedders.fast.ok_or(Error::StaticTableMissing)?,
            Err(_) => {
                violations.push(unknown_enum("model", request.model));
                return Err(Error::InvalidArgument(violations));
            }
        };
        if violations.is_empty() {
            check_semantic_text("text", text, limits, &mut violations);
        }
        if !violations.is_empty() {
            return Err(Error::InvalidArgument(violations));
        }
        Ok(Self {
            sentences: request.include_sentences,
            offset_unit,
            embedder: embedder.clone(),
        })
    }

    /// Embeds `doc` (and its sentences, when asked).
    pub fn run(&self, doc: &Document<'_>) -> Result<pb::EmbedResponse, Error> {
        let embedded = semantic::embed(doc, self.embedder.as_ref(), self.sentences)?;
        let offsets = OffsetIndex::new(
            doc.text,
            self.offset_unit,
            doc.sentences.iter().map(|s| s.span.start),
        );
        let sentences = doc
            .sentences
            .iter()
            .zip(embedded.sentences)
            .enumerate()
            .map(|(index, (sentence, embedding))| {
                let (offset, length) = offsets.span(&sentence.span);
                pb::SentenceEmbedding {
                    index: to_u32(index),
                    offset: to_u32(offset),
                    length: to_u32(length),
                    text: doc.text[sentence.span.clone()].to_owned(),
                    embedding: embedding.values().to_vec(),
                }
            })
            .collect();
        Ok(pb::EmbedResponse {
            embedding: embedded.document.values().to_vec(),
            sentences,
            encoder: Some(encoder_info(self.embedder.info())),
            language: doc.language.code().to_owned(),
            language_source: language_source(doc.language_source).into(),
        })
    }
}
