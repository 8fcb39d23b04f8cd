//! A trained classification model: what it knows ([`ModelMeta`]), how it
//! scores a document, and its file format.
//!
//! This module holds the [`Model`] type, its parts as training produces
//! them, and the checks every model passes however it was made
//! ([`Model::from_parts`]). The rest is split along its seams, each a
//! concern of its own:
//!
//! - [`format`](mod@format): the file format (described there), reading
//!   and writing it, byte for byte;
//! - [`index`]: the lookup index from a feature to its row, built at load;
//! - [`score`]: a document's decision values and their calibrated
//!   probabilities;
//! - [`semantic`]: what a model reads ([`FeatureKind`]) and the weights of
//!   the encoder's embedding in a model trained with semantic features.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::calibration::Platt;
use super::features::{BITS, Feature};
use super::linear;

mod format;
mod index;
mod score;
mod semantic;

pub use format::{FORMAT_VERSION, MAGIC, SEMANTIC_FORMAT_VERSION};
pub use semantic::{FeatureKind, SemanticWeights};

use format::json_stable;
use index::Index;

/// What a model is and how well it measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// The model's name.
    pub name: String,
    /// Its version, free-form.
    pub version: String,
    /// The labels, in the order of every per-label array.
    pub labels: Vec<String>,
    /// Whether it was trained on multi-label data.
    pub multi_label: bool,
    /// A description of the training data.
    pub training_data: String,
    /// Number of examples it was trained and evaluated on.
    pub examples: usize,
    /// Held-out accuracy (subset accuracy for multi-label models).
    pub accuracy: f64,
    /// Held-out macro-averaged F1.
    pub macro_f1: f64,
    /// Held-out expected calibration error.
    pub ece: f64,
    /// How `accuracy`, `macro_f1` and `ece` were measured; `None` in files
    /// written before it was recorded (they were measured held out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<Measurement>,
}

/// How a model's figures were measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Measurement {
    /// On `examples` held-out examples, by the model trained on the rest.
    HeldOut {
        /// Examples measured.
        examples: usize,
    },
    /// By `folds`-fold cross-validation: each of `examples` examples
    /// measured by a model trained on the other folds.
    CrossValidation {
        /// Number of folds.
        folds: usize,
        /// Examples measured (all of them).
        examples: usize,
    },
}

impl Measurement {
    /// The number of examples measured.
    pub fn examples(&self) -> usize {
        match *self {
            Measurement::HeldOut { examples } | Measurement::CrossValidation { examples, .. } => {
                examples
            }
        }
    }
}

impl std::fmt::Display for Measurement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Measurement::HeldOut { examples } => write!(f, "on {examples} held-out examples"),
            Measurement::CrossValidation { folds, examples } => {
                write!(f, "by {folds}-fold cross-validation on {examples} examples")
            }
        }
    }
}

/// Why a model cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file cannot be read.
    #[error("cannot read model file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file's content is not a usable model.
    #[error("model file {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: Box<ModelError>,
    },
    /// The bytes do not start with the magic bytes.
    #[error("not a textanalysis model (bad magic bytes)")]
    BadMagic,
    /// The format version is not one this build reads.
    #[error(
        "incompatible model format version {0}, this build reads {FORMAT_VERSION} and {SEMANTIC_FORMAT_VERSION}"
    )]
    IncompatibleVersion(u32),
    /// The bytes are truncated, inconsistent or hold invalid values.
    #[error("corrupt model: {0}")]
    Corrupt(String),
}

fn corrupt(message: impl Into<String>) -> ModelError {
    ModelError::Corrupt(message.into())
}

/// The checks of a model's embedding weights, for `labels` labels and `f`
/// lexical features.
fn check_semantic(s: &SemanticWeights, labels: usize, f: usize) -> Result<(), ModelError> {
    if !s.kind.semantic() {
        return Err(corrupt("embedding weights in a lexical model"));
    }
    if s.kind == FeatureKind::Semantic && f > 0 {
        return Err(corrupt(
            "lexical features in a model of semantic features alone",
        ));
    }
    if s.encoder.is_empty() || s.dim == 0 {
        return Err(corrupt(
            "embedding weights of no named encoder or no dimension",
        ));
    }
    if s.weights.len() != s.dim.saturating_mul(labels) {
        return Err(corrupt(format!(
            "{} embedding weights for {} dimensions and {labels} labels",
            s.weights.len(),
            s.dim
        )));
    }
    if !s.weights.iter().all(|v| v.is_finite()) {
        return Err(corrupt("an embedding weight is not finite"));
    }
    if !(s.scale.is_finite() && s.scale > 0.0) {
        return Err(corrupt(
            "the embedding scale is not a positive finite number",
        ));
    }
    Ok(())
}

/// A sparse linear classifier with calibrated probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    meta: ModelMeta,
    features: Vec<Feature>,
    /// A row of `1 + labels` values for each feature: its idf, then its
    /// label weights. The file keeps idf and weights apart (see
    /// [`format`](mod@format)); in memory they sit together because a
    /// document's features fall all over the model, and the idf of a
    /// feature then its weights from two arrays were two cache misses where
    /// one row is one (a 20 Newsgroups model takes 29 MB).
    rows: Vec<f32>,
    bias: Vec<f32>,
    temperature: f64,
    platt: Vec<Platt>,
    training_docs: u64,
    /// The embedding's weights, for a model trained with semantic features.
    semantic: Option<SemanticWeights>,
    /// Where each feature's row is.
    index: Index,
}

/// The parts of a model, as training produces them.
#[derive(Debug, Clone)]
pub struct Parts {
    /// What the model is.
    pub meta: ModelMeta,
    /// Feature ids, strictly increasing, below `2^BITS`.
    pub features: Vec<Feature>,
    /// Their idf.
    pub idf: Vec<f32>,
    /// Weights, feature-major.
    pub weights: Vec<f32>,
    /// Per-label bias.
    pub bias: Vec<f32>,
    /// Softmax temperature.
    pub temperature: f64,
    /// Per-label sigmoids.
    pub platt: Vec<Platt>,
    /// Number of training documents.
    pub training_docs: u64,
    /// The embedding's weights, for a model trained with semantic features.
    pub semantic: Option<SemanticWeights>,
}

impl Model {
    /// Assembles and checks a model.
    pub fn from_parts(parts: Parts) -> Result<Model, ModelError> {
        let Parts {
            mut meta,
            features,
            idf,
            weights,
            bias,
            temperature,
            mut platt,
            training_docs,
            semantic,
        } = parts;
        let labels = meta.labels.len();
        if labels < 2 {
            return Err(corrupt(format!(
                "{labels} labels; a model needs at least 2"
            )));
        }
        for (i, label) in meta.labels.iter().enumerate() {
            if label.is_empty() {
                return Err(corrupt(format!("label {i} is empty")));
            }
            if meta.labels[..i].contains(label) {
                return Err(corrupt(format!("label `{label}` is repeated")));
            }
        }
        let f = features.len();
        if idf.len() != f || weights.len() != f.saturating_mul(labels) || bias.len() != labels {
            return Err(corrupt(
                "array lengths disagree with the feature and label counts",
            ));
        }
        if platt.len() != labels {
            return Err(corrupt(format!(
                "{} Platt sigmoids for {labels} labels",
                platt.len()
            )));
        }
        if let Some(w) = features.windows(2).find(|w| w[0] >= w[1]) {
            return Err(corrupt(format!(
                "feature ids are not strictly increasing at {}",
                w[1]
            )));
        }
        if features.last().is_some_and(|&last| last >= 1 << BITS) {
            return Err(corrupt(format!("a feature id is not below 2^{BITS}")));
        }
        if !idf.iter().all(|v| v.is_finite() && *v > 0.0) {
            return Err(corrupt("an idf is not a positive finite number"));
        }
        if !weights.iter().chain(&bias).all(|v| v.is_finite()) {
            return Err(corrupt("a weight or bias is not finite"));
        }
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(corrupt("the temperature is not a positive finite number"));
        }
        if !platt.iter().all(|p| p.a.is_finite() && p.b.is_finite()) {
            return Err(corrupt("a Platt parameter is not finite"));
        }
        if training_docs == 0 {
            return Err(corrupt("no training documents"));
        }
        if let Some(s) = &semantic {
            check_semantic(s, labels, f)?;
        }
        let semantic = semantic.map(|s| SemanticWeights {
            scale: json_stable(s.scale),
            ..s
        });
        if ![meta.accuracy, meta.macro_f1, meta.ece]
            .iter()
            .all(|v| v.is_finite())
        {
            return Err(corrupt("a metric is not finite"));
        }
        // Keep only values that survive a trip through JSON unchanged, so
        // that writing a model read from a file gives the same bytes.
        for v in [&mut meta.accuracy, &mut meta.macro_f1, &mut meta.ece] {
            *v = json_stable(*v);
        }
        let temperature = json_stable(temperature);
        for p in &mut platt {
            p.a = json_stable(p.a);
            p.b = json_stable(p.b);
        }
        let index = Index::new(&features);
        let mut rows = Vec::with_capacity(f * (1 + labels));
        for (&idf, weights) in idf.iter().zip(weights.chunks_exact(labels)) {
            rows.push(idf);
            rows.extend_from_slice(weights);
        }
        Ok(Model {
            meta,
            features,
            rows,
            bias,
            temperature,
            platt,
            training_docs,
            semantic,
            index,
        })
    }

    /// What the model reads of a text.
    pub fn features(&self) -> FeatureKind {
        self.semantic
            .as_ref()
            .map_or(FeatureKind::Lexical, |s| s.kind)
    }

    /// The embedding's weights, when the model reads the encoder's
    /// embedding (and so needs the encoder).
    pub fn semantic(&self) -> Option<&SemanticWeights> {
        self.semantic.as_ref()
    }

    /// What the model is and how well it measured.
    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// The softmax temperature of single-label probabilities.
    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    /// The per-label sigmoids.
    pub fn platt(&self) -> &[Platt] {
        &self.platt
    }

    /// Number of features with weights.
    pub fn feature_count(&self) -> usize {
        self.features.len()
    }

    pub(crate) fn set_scores(
        &mut self,
        examples: usize,
        measured: Measurement,
        accuracy: f64,
        macro_f1: f64,
        ece: f64,
    ) {
        self.meta.examples = examples;
        self.meta.measured = Some(measured);
        let clean = |v: f64| if v.is_finite() { json_stable(v) } else { 0.0 };
        self.meta.accuracy = clean(accuracy);
        self.meta.macro_f1 = clean(macro_f1);
        self.meta.ece = clean(ece);
    }

    /// The row of the feature at `position`: its idf, then its weights.
    #[inline]
    fn row(&self, position: usize) -> &[f32] {
        let stride = 1 + self.bias.len();
        &self.rows[position * stride..(position + 1) * stride]
    }

    /// The idf of each feature, then the weights, as the file stores them.
    fn idf_and_weights(&self) -> (Vec<f32>, Vec<f32>) {
        let stride = 1 + self.bias.len();
        let idf = self.rows.iter().step_by(stride).copied().collect();
        let weights = self
            .rows
            .chunks_exact(stride)
            .flat_map(|row| &row[1..])
            .copied()
            .collect();
        (idf, weights)
    }

    /// The training idf of a feature, `None` when the model does not know
    /// it.
    pub fn idf(&self, feature: Feature) -> Option<f32> {
        self.index.position(feature).map(|i| self.row(i)[0])
    }

    /// The idf of a feature seen in no training document,
    /// `ln((1 + N) / 1) + 1`.
    pub fn default_idf(&self) -> f32 {
        linear::smooth_idf(self.training_docs, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small valid model: 3 labels, 5 features.
    pub(super) fn small() -> Model {
        let labels = ["sport", "weather", "cooking"];
        Model::from_parts(Parts {
            meta: ModelMeta {
                name: "toy".to_owned(),
                version: "1.0".to_owned(),
                labels: labels.iter().map(|l| (*l).to_owned()).collect(),
                multi_label: false,
                training_data: "invented sentences".to_owned(),
                examples: 30,
                accuracy: 0.9,
                macro_f1: 0.8888888888888888,
                ece: 0.012345678901234567,
                measured: Some(Measurement::CrossValidation {
                    folds: 5,
                    examples: 30,
                }),
            },
            features: vec![3, 17, 4096, 70_000, (1 << BITS) - 1],
            idf: vec![1.5, 2.0, 1.25, 3.0, 1.0],
            weights: vec![
                0.5, -0.25, -0.25, //
                -0.1, 0.7, -0.6, //
                0.0, 0.0, 1.0, //
                -0.3, 0.2, 0.1, //
                0.05, 0.05, -0.1,
            ],
            bias: vec![-0.2, -0.3, -0.1],
            temperature: 0.123456789,
            platt: vec![
                Platt { a: -3.3, b: 0.7 },
                Platt { a: -2.9, b: 0.4 },
                Platt { a: -4.1, b: 1.1 },
            ],
            training_docs: 27,
            semantic: None,
        })
        .unwrap()
    }

    /// [`small`] with embedding weights of dimension 4 beside its words.
    pub(super) fn small_semantic() -> Model {
        Model::from_parts(Parts {
            semantic: Some(SemanticWeights {
                kind: FeatureKind::LexicalSemantic,
                encoder: "fake".to_owned(),
                dim: 4,
                scale: 1.5,
                weights: (0..12).map(|i| i as f32 / 8.0 - 0.7).collect(),
            }),
            ..parts_of(&small())
        })
        .unwrap()
    }

    /// The parts `model` was assembled from.
    pub(super) fn parts_of(model: &Model) -> Parts {
        let (idf, weights) = model.idf_and_weights();
        Parts {
            meta: model.meta.clone(),
            features: model.features.clone(),
            idf,
            weights,
            bias: model.bias.clone(),
            temperature: model.temperature,
            platt: model.platt.clone(),
            training_docs: model.training_docs,
            semantic: model.semantic.clone(),
        }
    }

    #[test]
    fn idf_lookup() {
        let model = small();
        assert_eq!(model.idf(4096), Some(1.25));
        assert_eq!(model.idf((1 << BITS) - 1), Some(1.0));
        assert_eq!(model.idf(4), None);
        assert_eq!(model.idf(u32::MAX), None);
        assert!((model.default_idf() - (28f32.ln() + 1.0)).abs() < 1e-6);
    }
}
