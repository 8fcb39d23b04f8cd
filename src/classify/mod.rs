//! Topic classification: linear models trained by the service's own
//! tooling, a built-in news model, and ad-hoc topics scored without a model.
//!
//! [`classify`] is the one entry point: a text, what to score it against
//! (a model or ad-hoc topics), the options and the sentence encoder if one
//! is loaded, in; its language and its ranked scores out. Both ways read
//! the text's words once, through the shared pipeline's folding, stopwords
//! and stemmer ([`features`]); ad-hoc topics with a description or examples
//! are also scored by meaning when there is an encoder ([`zeroshot`]), and
//! a model trained with semantic features reads the encoder's embedding of
//! the text beside (or instead of) its words ([`model::FeatureKind`]).

pub mod adhoc;
pub mod calibration;
pub mod data;
pub mod features;
pub mod linear;
pub mod metrics;
pub mod model;
pub mod registry;
pub mod train;
pub mod zeroshot;

pub use model::{FeatureKind, Measurement, Model, ModelError, ModelMeta};

use crate::deadline::Deadline;
use crate::semantic::{EmbedError, Embedder};
use crate::text::language::{LanguageChoice, LanguageRequest};
use crate::text::{Document, Lexicon};

/// What a document is scored against.
#[derive(Debug, Clone, Copy)]
pub enum Against<'a> {
    /// A trained model: a probability for each of its labels.
    Model(&'a Model),
    /// Ad-hoc topics: a cosine similarity of words for each, with term
    /// weights from `weights` (normally the built-in model's training
    /// statistics), or every term weighing the same without it; with an
    /// encoder, topics with a description or examples are scored by meaning
    /// and words together ([`zeroshot`]).
    Topics {
        /// The topics, in the caller's order.
        topics: &'a [adhoc::Topic<'a>],
        /// The model whose inverse document frequencies weigh the terms.
        weights: Option<&'a Model>,
    },
}

/// How to classify.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifyOptions {
    /// The text's language, or how to detect it.
    pub language: LanguageRequest,
    /// Most topics to return; 0 returns every one.
    pub top_k: usize,
    /// Lowest score returned, in [0, 1].
    pub min_score: f64,
    /// For a single-label model: an independent probability per label
    /// instead of one distribution.
    pub multi_label: bool,
    /// When embedding (the one step that may take long) gives up.
    pub deadline: Deadline,
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        Self {
            language: LanguageRequest::default(),
            top_k: 0,
            min_score: 0.0,
            multi_label: false,
            deadline: Deadline::NONE,
        }
    }
}

/// Why a text cannot be classified.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClassifyError {
    /// The model reads the text's meaning and no encoder was given.
    #[error("the model reads meaning and needs the sentence encoder")]
    EncoderMissing,
    /// The model was trained on another encoder's embeddings.
    #[error("the model cannot read this encoder's embeddings: {0}")]
    EncoderMismatch(String),
    /// Embedding failed: the deadline passed, or the encoder failed.
    #[error(transparent)]
    Embed(#[from] EmbedError),
}

/// A label and its score: a probability for a model's label; for an ad-hoc
/// topic, a similarity of words, or with meaning read, the calibrated
/// probability of [`zeroshot::calibrated`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicScore<'a> {
    /// The model's label or the topic's.
    pub label: &'a str,
    /// In [0, 1].
    pub score: f64,
}

/// A document's classification.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification<'a> {
    /// The language the text was read in, and where it came from.
    pub language: LanguageChoice,
    /// Best first, ties in the model's or the caller's order; at most
    /// `top_k`, none below `min_score`.
    pub topics: Vec<TopicScore<'a>>,
    /// Whether the encoder read the text's meaning (ad-hoc topics with a
    /// description or examples and an encoder given, or a model with
    /// semantic features).
    pub by_meaning: bool,
}

/// What [`classify`] reads: a text, or a document the shared pipeline has
/// already analysed for another analysis of the same request.
#[derive(Debug, Clone, Copy)]
pub enum Input<'t> {
    /// A text, read in [`ClassifyOptions::language`]: its words only, not
    /// segmented into sentences.
    Text(&'t str),
    /// An analysed document, read in its own language: its content terms,
    /// sentence after sentence. A word run across a sentence boundary
    /// ("Europe.IS") is two words here and one in the text, the only
    /// difference.
    Document(&'t Document<'t>),
}

impl<'t> Input<'t> {
    /// The text read: the document's own for an analysed document.
    pub fn text(self) -> &'t str {
        match self {
            Input::Text(text) => text,
            Input::Document(doc) => doc.text,
        }
    }

    /// The language and the features (unsorted, repeated) of the input.
    fn features(
        self,
        language: LanguageRequest,
        lexicon: &mut Lexicon,
    ) -> (LanguageChoice, Vec<features::Feature>) {
        match self {
            Input::Text(text) => features::detect_and_collect(text, language, lexicon),
            Input::Document(doc) => (
                LanguageChoice {
                    language: doc.language,
                    source: doc.language_source,
                },
                features::of_document(doc),
            ),
        }
    }
}

/// Classifies `input` against a model or ad-hoc topics, with `lexicon`'s
/// remembered terms and `embedder` for ad-hoc topics with a description or
/// examples (none: words alone) and for a model with semantic features
/// (which needs it). Classification reads the text's words once and needs
/// no sentences, so the text is not segmented: its cost is linear in the
/// text, and with an encoder, one embedding call of the text (and of the
/// topics' texts).
///
/// Fails when a model with semantic features gets no encoder, or one of
/// another name or dimension than it was trained with, and when embedding
/// fails: past `options.deadline`, or an encoder fault.
pub fn classify<'a>(
    input: Input<'_>,
    against: Against<'a>,
    options: &ClassifyOptions,
    embedder: Option<&dyn Embedder>,
    lexicon: &mut Lexicon,
) -> Result<Classification<'a>, ClassifyError> {
    let mut by_meaning = false;
    let (language, mut topics): (_, Vec<TopicScore<'a>>) = match against {
        Against::Model(model) => {
            let labels = &model.meta().labels;
            let embedding = match model.semantic() {
                None => None,
                Some(semantic) => {
                    let embedder = embedder.ok_or(ClassifyError::EncoderMissing)?;
                    let info = embedder.info();
                    if let Some(why) = semantic.mismatch(&info.name, info.dim) {
                        return Err(ClassifyError::EncoderMismatch(why));
                    }
                    by_meaning = true;
                    embedder
                        .embed(&[input.text()], options.deadline)?
                        .into_iter()
                        .next()
                }
            };
            let (language, features) = input.features(options.language, lexicon);
            let ranked = model.classify_features(
                features,
                options.multi_label,
                embedding.as_ref().map(|e| e.values()),
            );
            let topics = ranked
                .into_iter()
                .filter_map(|(i, score)| {
                    labels.get(i).map(|label| TopicScore {
                        label: label.as_str(),
                        score,
                    })
                })
                .collect();
            (language, topics)
        }
        Against::Topics { topics, weights } => {
            let (language, features) = input.features(options.language, lexicon);
            let counts = features::count(features);
            let idf = |f| weights.map_or(1.0, |m| m.idf(f).unwrap_or_else(|| m.default_idf()));
            let mut scores = adhoc::score(&counts, language.language, topics, idf, lexicon);
            if let Some(embedder) = embedder.filter(|_| topics.iter().any(zeroshot::has_meaning)) {
                let meanings =
                    zeroshot::similarities(input.text(), topics, embedder, options.deadline)?;
                for (score, meaning) in scores.iter_mut().zip(meanings) {
                    if let Some(meaning) = meaning {
                        *score = zeroshot::calibrated(meaning, *score);
                    }
                }
                by_meaning = true;
            }
            let scored = topics
                .iter()
                .zip(scores)
                .map(|(topic, score)| TopicScore {
                    label: topic.label,
                    score,
                })
                .collect();
            (language, scored)
        }
    };
    // Stable: ties keep the model's or the caller's order.
    topics.sort_by(|a, b| b.score.total_cmp(&a.score));
    topics.retain(|t| t.score >= options.min_score);
    if options.top_k > 0 {
        topics.truncate(options.top_k);
    }
    Ok(Classification {
        language,
        topics,
        by_meaning,
    })
}

#[cfg(test)]
mod tests;
