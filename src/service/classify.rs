//! Classify and ListModels: validation, the choice between a model and
//! ad-hoc topics, and the response.

use std::collections::HashSet;
use std::sync::Arc;

use super::validate::{check_text, language, language_source};
use crate::classify::registry::Registry;
use crate::classify::{Model, adhoc, features};
use crate::config::Limits;
use crate::error::{Error, Violation};
use crate::proto::v1 as pb;
use crate::text::Language;
use crate::text::language::LanguageRequest;

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
    target: Target,
    top_k: usize,
    min_score: f64,
    multi_label: bool,
}

impl ClassifyCall {
    /// Checks the request against the limits and the loaded models.
    pub fn validate(
        request: pb::ClassifyRequest,
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
        if !(request.min_score.is_finite() && (0.0..=1.0).contains(&request.min_score)) {
            violations.push(Violation::new("min_score", "must be in [0, 1]"));
        }
        check_topics(&request.topics, limits, &mut violations);
        if !violations.is_empty() {
            return Err(Error::InvalidArgument(violations));
        }
        let target = if request.topics.is_empty() {
            match models.get(&request.model) {
                Some((name, model)) => Target::Model(name.to_owned(), model.clone()),
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
            text: request.text,
            language,
            target,
            top_k: request.top_k as usize,
            min_score: request.min_score,
            multi_label: request.multi_label,
        })
    }

    /// Reads the text's words once and scores them. Classification needs
    /// no sentences, so the text is not segmented (and the sentence limit,
    /// which bounds the sentence-level work of the other analyses, does not
    /// apply: this work is linear in the text, which is bounded).
    pub fn run(self, models: &Registry) -> Result<pb::ClassifyResponse, Error> {
        let (language, mut scores, model): (_, Vec<(String, f64)>, pb::ModelRef) = match &self
            .target
        {
            Target::Model(name, model) => {
                let labels = &model.meta().labels;
                let (language, ranked) =
                    model.classify_text(&self.text, self.language, self.multi_label);
                let scores = ranked
                    .into_iter()
                    .filter_map(|(i, p)| labels.get(i).map(|l| (l.clone(), p)))
                    .collect();
                let reference = pb::ModelRef {
                    name: name.clone(),
                    version: model.meta().version.clone(),
                    ad_hoc: false,
                };
                (language, scores, reference)
            }
            Target::Topics(topics) => {
                let (language, counts) = features::detect_and_extract(&self.text, self.language);
                let adhoc_topics: Vec<adhoc::Topic<'_>> = topics
                    .iter()
                    .map(|t| adhoc::Topic {
                        label: &t.label,
                        keywords: &t.keywords,
                        examples: &t.examples,
                        description: &t.description,
                    })
                    .collect();
                // General-purpose term weights from the built-in model's
                // training set; without it every term weighs the same.
                let idf = |f| {
                    models
                        .builtin()
                        .map_or(1.0, |m| m.idf(f).unwrap_or_else(|| m.default_idf()))
                };
                let scores = adhoc::score(&counts, language.language, &adhoc_topics, idf);
                let pairs = topics.iter().map(|t| t.label.clone()).zip(scores).collect();
                let reference = pb::ModelRef {
                    name: String::new(),
                    version: String::new(),
                    ad_hoc: true,
                };
                (language, pairs, reference)
            }
        };
        // Best first; ties keep the model's or the request's order.
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        let topics = scores
            .into_iter()
            .filter(|(_, score)| *score >= self.min_score)
            .take(if self.top_k == 0 {
                usize::MAX
            } else {
                self.top_k
            })
            .map(|(label, score)| pb::TopicScore { label, score })
            .collect();
        Ok(pb::ClassifyResponse {
            topics,
            model: Some(model),
            language: language.language.code().to_owned(),
            language_source: language_source(language.source).into(),
        })
    }
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

/// Every loaded model with what it was trained on and how well it measured.
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

pub fn list_models(models: &Registry) -> pb::ListModelsResponse {
    pb::ListModelsResponse {
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
                }
            })
            .collect(),
    }
}
