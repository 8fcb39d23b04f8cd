//! Classify and ListModels: validation (the text, the language, the
//! model or the ad-hoc topics), the call of the core's
//! [`classify::classify`] (with the encoder, when one is loaded and the
//! text is within its limit: for ad-hoc topics, and for models trained with
//! semantic features, which need it) and the response.

use std::collections::HashSet;
use std::sync::Arc;

use super::validate::{check_text, language, language_source};
use crate::classify::registry::Registry;
use crate::classify::{
    self, Against, ClassifyError, ClassifyOptions, FeatureKind, Input, Model, adhoc,
};
use crate::config::Limits;
use crate::deadline::Deadline;
use crate::error::{Error, Violation};
use crate::proto::v1 as pb;
use crate::semantic::Embedder;
use crate::text::language::LanguageRequest;
use crate::text::{Language, Lexicon};

/// What a valid Classify request scores against.
enum Target {
    /// A loaded model, by its registry name.
    Model(String, Arc<Model>),
    /// The request's own topics.
    Topics(Vec<pb::Topic>),
}

/// A Classify request that passed validation.
pub struct ClassifyCall {
    text: String,
    language: LanguageRequest,
    part: ClassifyPart,
}

/// What to score a document against, and how: a Classify request's
/// options, or those of an Analyze request's classify part, checked.
pub struct ClassifyPart {
    target: Target,
    top_k: usize,
    min_score: f64,
    multi_label: bool,
}

impl ClassifyCall {
    /// Checks the request against the limits and the loaded models.
    pub fn validate(
        mut request: pb::ClassifyRequest,
        limits: &Limits,
        models: &Registry,
        default_language: Language,
    ) -> Result<Self, Error> {
        let mut violations = Vec::new();
        check_text("text", &request.text, limits, &mut violations);
        let language = language(
            "language",
            &request.language,
            default_language,
            &mut violations,
        );
        let text = std::mem::take(&mut request.text);
        let part = ClassifyPart::validate(request, &text, limits, models, violations)?;
        Ok(Self {
            text,
            language,
            part,
        })
    }

    /// Classifies the text (see [`ClassifyPart::run`]).
    pub fn run(
        self,
        models: &Registry,
        embedder: Option<&dyn Embedder>,
        limits: &Limits,
        deadline: Deadline,
        lexicon: &mut Lexicon,
    ) -> Result<pb::ClassifyResponse, Error> {
        self.part.run(
            Input::Text(&self.text),
            self.language,
            (models, embedder),
            limits,
            deadline,
            lexicon,
        )
    }
}

impl ClassifyPart {
    /// Checks the options of `request` (its text and language are the
    /// caller's to check) for classifying `text`, against the limits and
    /// the loaded models, adding to `violations` found already.
    pub fn validate(
        request: pb::ClassifyRequest,
        text: &str,
        limits: &Limits,
        models: &Registry,
        mut violations: Vec<Violation>,
    ) -> Result<Self, Error> {
        if !(request.min_score.is_finite() && (0.0..=1.0).contains(&request.min_score)) {
            violations.push(Violation::new("min_score", "must be in [0, 1]"));
        }
        check_topics(&request.topics, limits, &mut violations);
        if !violations.is_empty() {
            return Err(Error::InvalidArgument(violations));
        }
        let target = if request.topics.is_empty() {
            match models.get(&request.model) {
                Some((name, model)) => {
                    check_semantic_model(name, model, text, limits)?;
                    Target::Model(name.to_owned(), model.clone())
                }
                None => {
                    return Err(Error::NotFound(format!(
                        "no model named `{}`; loaded: {} (ListModels lists them)",
                        shorten(&request.model),
                        loaded_names(models)
                    )));
                }
            }
        } else {
            Target::Topics(request.topics)
        };
        Ok(Self {
            target,
            top_k: request.top_k as usize,
            min_score: request.min_score,
            multi_label: request.multi_label,
        })
    }

    /// Classifies the text (see [`classify::classify`]) and converts the
    /// answer. The sentence limit, which bounds the sentence-level work of
    /// the other analyses, does not apply: classification reads words, not
    /// sentences, and the text is bounded.
    ///
    /// `embedder` reads the meaning of ad-hoc topics. A text over
    /// [`Limits::max_semantic_text_bytes`], or topics whose descriptions and
    /// examples together are, is scored by words alone, as in lexical mode,
    /// rather than refused: words still answer, and the limit keeps bounding
    /// the encoder's work (all topic text is only held to the larger
    /// `max_text_bytes`). A model with semantic features cannot score by
    /// words alone: validation refused such a text, and without an encoder
    /// the request fails with [`Error::EncoderMissing`].
    ///
    /// `input` is the text, or its analysed document (whose language
    /// `language` then does not change).
    pub fn run(
        &self,
        input: Input<'_>,
        language: LanguageRequest,
        (models, embedder): (&Registry, Option<&dyn Embedder>),
        limits: &Limits,
        deadline: Deadline,
        lexicon: &mut Lexicon,
    ) -> Result<pb::ClassifyResponse, Error> {
        let text = input.text();
        let options = ClassifyOptions {
            language,
            top_k: self.top_k,
            min_score: self.min_score,
            multi_label: self.multi_label,
            deadline,
        };
        let embedder = embedder.filter(|_| self.within_encoder_limit(text, limits));
        let topics: Vec<adhoc::Topic<'_>> = match &self.target {
            Target::Model(..) => Vec::new(),
            Target::Topics(topics) => topics
                .iter()
                .map(|t| adhoc::Topic {
                    label: &t.label,
                    keywords: &t.keywords,
                    examples: &t.examples,
                    description: &t.description,
                })
                .collect(),
        };
        let (against, model) = match &self.target {
            Target::Model(name, model) => (
                Against::Model(model),
                pb::ModelRef {
                    name: name.clone(),
                    version: model.meta().version.clone(),
                    ad_hoc: false,
                    encoder: String::new(),
                },
            ),
            Target::Topics(_) => (
                Against::Topics {
                    topics: &topics,
                    // General-purpose term weights, from the built-in
                    // model's training set.
                    weights: models.builtin().map(|m| &**m),
                },
                pb::ModelRef {
                    name: String::new(),
                    version: String::new(),
                    ad_hoc: true,
                    encoder: String::new(),
                },
            ),
        };
        let classification = classify::classify(input, against, &options, embedder, lexicon)
            .map_err(|e| match e {
                ClassifyError::EncoderMissing => Error::EncoderMissing(format!(
                    "Classify with model `{}`, which reads meaning,",
                    model.name
                )),
                // The registry refuses such models when it loads them.
                ClassifyError::EncoderMismatch(why) => Error::Internal(why),
                ClassifyError::Embed(e) => e.into(),
            })?;
        let model = match embedder {
            Some(embedder) if classification.by_meaning => pb::ModelRef {
                encoder: embedder.info().name.clone(),
                ..model
            },
            _ => model,
        };
        Ok(pb::ClassifyResponse {
            topics: classification
                .topics
                .iter()
                .map(|t| pb::TopicScore {
                    label: t.label.to_owned(),
                    score: t.score,
                })
                .collect(),
            model: Some(model),
            language: classification.language.language.code().to_owned(),
            language_source: language_source(classification.language.source).into(),
        })
    }

    /// Whether the encoder may read the text and the topics' descriptions
    /// and examples: each within [`Limits::max_semantic_text_bytes`].
    fn within_encoder_limit(&self, text: &str, limits: &Limits) -> bool {
        let topics: usize = match &self.target {
            Target::Model(..) => 0,
            Target::Topics(topics) => topics
                .iter()
                .flat_map(|t| t.examples.iter().chain(std::iter::once(&t.description)))
                .map(String::len)
                .sum(),
        };
        text.len() <= limits.max_semantic_text_bytes && topics <= limits.max_semantic_text_bytes
    }
}

/// A model that reads meaning cannot score a text the encoder may not
/// read (over [`Limits::max_semantic_text_bytes`]): words alone are not
/// what it was trained on.
fn check_semantic_model(
    name: &str,
    model: &Model,
    text: &str,
    limits: &Limits,
) -> Result<(), Error> {
    if model.features().semantic() && text.len() > limits.max_semantic_text_bytes {
        return Err(Error::InvalidArgument(vec![Violation::new(
            "text",
            format!(
                "is {} bytes, over the limit of {} bytes for the sentence encoder, which model \
                 `{}` needs (it reads meaning and cannot score by words alone)",
                text.len(),
                limits.max_semantic_text_bytes,
                shorten(name)
            ),
        )]));
    }
    Ok(())
}

/// Every ad-hoc topic needs a unique, non-empty label and something to
/// match; there are at most `limits.max_topics`, and all their text
/// together is held to the text size limit.
fn check_topics(topics: &[pb::Topic], limits: &Limits, violations: &mut Vec<Violation>) {
    if topics.len() > limits.max_topics {
        violations.push(Violation::new(
            "topics",
            format!(
                "has {} topics, over the limit of {}",
                topics.len(),
                limits.max_topics
            ),
        ));
        return;
    }
    let mut seen = HashSet::new();
    let mut bytes = 0usize;
    for (i, topic) in topics.iter().enumerate() {
        let label = topic.label.trim();
        if label.is_empty() {
            violations.push(Violation::new(
                format!("topics[{i}].label"),
                "must not be empty",
            ));
        } else if !seen.insert(label) {
            violations.push(Violation::new(
                format!("topics[{i}].label"),
                format!(
                    "`{}` is used by an earlier topic; labels must be unique",
                    shorten(label)
                ),
            ));
        }
        let texts = topic
            .keywords
            .iter()
            .chain(&topic.examples)
            .chain(std::iter::once(&topic.description));
        let mut has_text = false;
        for text in texts {
            bytes += text.len();
            has_text |= !text.trim().is_empty();
        }
        if !has_text {
            violations.push(Violation::new(
                format!("topics[{i}]"),
                "needs keywords, examples or a description",
            ));
        }
    }
    if bytes > limits.max_text_bytes {
        violations.push(Violation::new(
            "topics",
            format!(
                "hold {bytes} bytes of text, over the limit of {} bytes",
                limits.max_text_bytes
            ),
        ));
    }
}

/// At most a few characters of a client's string, for messages.
fn shorten(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The names of the loaded models, the first few of them, for a message.
fn loaded_names(models: &Registry) -> String {
    const SHOWN: usize = 5;
    let names: Vec<&str> = models.iter().map(|(name, _)| name).collect();
    let mut shown = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        shown.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    shown
}

/// Every loaded model with what it was trained on, what it reads and how
/// well it measured.
pub fn list_models(models: &Registry) -> pb::ListModelsResponse {
    pb::ListModelsResponse {
        encoder: None,
        static_encoder: None,
        models: models
            .iter()
            .map(|(name, model)| {
                let meta = model.meta();
                pb::ModelInfo {
                    name: name.to_owned(),
                    version: meta.version.clone(),
                    labels: meta.labels.clone(),
                    multi_label: meta.multi_label,
                    training_data: meta.training_data.clone(),
                    accuracy: meta.accuracy,
                    macro_f1: meta.macro_f1,
                    is_default: name == models.default_name(),
                    features: proto_features(model.features()).into(),
                    encoder: model
                        .semantic()
                        .map(|s| s.encoder.clone())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    }
}

fn proto_features(kind: FeatureKind) -> pb::ModelFeatures {
    match kind {
        FeatureKind::Lexical => pb::ModelFeatures::Lexical,
        FeatureKind::Semantic => pb::ModelFeatures::Semantic,
        FeatureKind::LexicalSemantic => pb::ModelFeatures::LexicalSemantic,
    }
}
