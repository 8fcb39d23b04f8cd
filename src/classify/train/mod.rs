//! Training a [`Model`] from labelled examples, and evaluating one.
//!
//! [`train`] detects multi-label data (any example with other than exactly
//! one label), analyses every text once with the shared pipeline (language
//! detected per document), groups near-duplicate texts (`groups.rs`: a
//! group is never split between training and measurement), and then
//! measures, calibrates and trains in one of two ways:
//!
//! - **Small data** (fewer than [`CROSS_VALIDATION_BELOW`] examples, 2,000):
//!   [`FOLDS`]-fold cross-validation. The examples are divided into five
//!   folds (stratified by label, seeded, whole near-duplicate groups), and
//!   each fold's decision values come from tf-idf and SVMs fitted on the
//!   other four. The calibration is fitted on these out-of-fold decision
//!   values, every example's, and the calibrated out-of-fold
//!   probabilities are the measurement stored in the model's
//!   [`ModelMeta`]; the final model is then trained on every example and
//!   keeps that calibration. A held-out tenth of a small data set is a
//!   handful of texts: it measures nothing (one text of 15 is 7 points of
//!   accuracy) and calibrates less. Five folds measure every example
//!   once, at the cost of five more trainings, small ones at this size;
//!   from 2,000 on a held-out tenth is 200 texts or more, and the
//!   built-in model's build stays one training.
//! - **Large data**: a held-out split (stratified, seeded, whole groups)
//!   of `holdout` of the examples. Tf-idf and the SVMs are fitted on the
//!   rest, the calibration on the held-out part, and the calibrated model
//!   is measured on that same held-out part. (Calibration and measurement
//!   share it; the calibration has one or two parameters per label, so the
//!   optimism this adds is small, and the same holds for the out-of-fold
//!   values.) With `holdout` 0 the final weights are trained on every
//!   example: the calibration and the reported measurement then come from
//!   a first model trained with [`DEFAULT_HOLDOUT`] held out, and the final
//!   model, retrained on everything, keeps that calibration (its decision
//!   values have the same scale). That costs a second training, and the
//!   figures describe the first model, slightly pessimistically for the
//!   final one.
//!
//! Either way the result carries warnings ([`Warning`]) when a figure rests
//! on too few measured examples.
//!
//! # Semantic features
//!
//! With [`TrainOptions::features`] `semantic` or `lexical+semantic`, each
//! example also has the sentence encoder's embedding of its text
//! ([`ExampleEmbeddings`], made by the caller: this module never runs the
//! encoder, and embedding is nearly all the cost, so a caller measuring
//! several splits embeds each text once). The embedding's dimensions
//! become dense features of value `scale · e_d` beside the unit-length
//! tf-idf vector (or alone), and the same SVMs learn weights for both
//! (`fit.rs`). Everything else (splits, folds, calibration, measurement)
//! is unchanged.
//!
//! Texts are analysed and labels trained on all available cores; results do
//! not depend on the number of threads.
//!
//! # Layout
//!
//! This file holds the options, the progress reports, the errors, [`train`]
//! itself (the stages in order, the calibration and the measurement) and
//! [`evaluate`]. `groups.rs` finds the near-duplicate groups, `split.rs`
//! makes the held-out split (and [`holdout_split`], the same split for use
//! elsewhere) and the cross-validation folds, `cross.rs` computes the
//! out-of-fold decision values, `report.rs` holds what training reports
//! besides the model (the measurement and its warnings), `fit.rs` fits
//! tf-idf and the one-vs-rest SVMs on a set of rows, and `parallel.rs`
//! maps a function over indexes on all cores with progress on the calling
//! thread. `tests.rs` trains on a small invented data set and checks the
//! whole path; `tests_small.rs` checks what small data needs.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use super::calibration::{self, Platt};
use super::data::Example;
use super::features::{self, FeatureCounts};
use super::metrics::Evaluation;
use super::model::{FeatureKind, Measurement, Model, ModelError, ModelMeta};
use crate::semantic::{EmbedderInfo, Embedding};
use crate::text::Lexicon;

mod cross;
mod fit;
mod groups;
mod parallel;
mod report;
mod split;

use fit::fit;
use parallel::parallel_map;
pub use report::{MIN_MEASURED, MIN_MEASURED_PER_LABEL, TrainReport, Warning};
pub use split::holdout_split;
use split::split;

/// The held-out share used when none is given, and for calibration when
/// `holdout` is 0.
pub const DEFAULT_HOLDOUT: f64 = 0.1;

/// Data with fewer examples than this is measured and calibrated by
/// cross-validation rather than on a held-out part (see the module
/// documentation).
pub const CROSS_VALIDATION_BELOW: usize = 2000;

/// The number of cross-validation folds.
pub const FOLDS: usize = 5;

/// The factor a document's embedding is multiplied by beside its
/// unit-length tf-idf vector: 0.5, so that the embedding carries a fifth of
/// each document's squared norm and the words the rest. The SVM's L2
/// penalty on the embedding's weights grows as the factor shrinks (they
/// are divided by it): a larger factor lets the model lean on the
/// embedding's always-present, correlated dimensions rather than on the
/// words that name a class, a much smaller one starves the embedding.
/// `scripts/eval-classify-semantic.sh --scales` measures other factors on
/// the same splits (the README shows the figures).
pub const SEMANTIC_SCALE: f64 = 0.5;

/// The training examples' document embeddings, one per example in order,
/// and the encoder that made them: what a model with semantic features
/// learns from.
#[derive(Debug, Clone, Copy)]
pub struct ExampleEmbeddings<'a> {
    /// The encoder, whose name and dimension the model records.
    pub encoder: &'a EmbedderInfo,
    /// Each example's embedding of its whole text.
    pub vectors: &'a [Embedding],
}

impl<'a> ExampleEmbeddings<'a> {
    /// The embedding of example `i`.
    fn of(self, i: usize) -> Option<&'a [f32]> {
        self.vectors.get(i).map(Embedding::values)
    }
}

/// How to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The model's name.
    pub name: String,
    /// The model's version.
    pub version: String,
    /// A description of the training data, stored in the model.
    pub training_data: String,
    /// Held-out share in `[0, 0.5]` for data measured on a held-out part;
    /// see the module documentation for 0.
    pub holdout: f64,
    /// Data with fewer examples is cross-validated instead;
    /// [`CROSS_VALIDATION_BELOW`] unless a test wants otherwise.
    pub cross_validation_below: usize,
    /// Seed of the split or the folds, and of the training order.
    pub seed: u64,
    /// Inverse regularisation strength of the SVMs (> 0).
    pub c: f64,
    /// What the model reads: words, the encoder's embedding, or both.
    pub features: FeatureKind,
    /// The factor of the embedding beside the tf-idf vector (> 0); see
    /// [`SEMANTIC_SCALE`].
    pub semantic_scale: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            name: "model".to_owned(),
            version: "1".to_owned(),
            training_data: String::new(),
            holdout: DEFAULT_HOLDOUT,
            cross_validation_below: CROSS_VALIDATION_BELOW,
            seed: 42,
            c: 1.0,
            features: FeatureKind::Lexical,
            semantic_scale: SEMANTIC_SCALE,
        }
    }
}

/// What training is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Analysing texts (`done`/`total` texts).
    Analysing,
    /// Training and scoring the cross-validation folds (`done`/`total`
    /// folds).
    CrossValidating,
    /// Training the per-label SVMs (`done`/`total` labels).
    Training,
    /// Fitting probabilities on held-out or out-of-fold decision values
    /// (`done`/`total` labels).
    Calibrating,
    /// Measuring on held-out or out-of-fold decision values
    /// (`done`/`total` examples).
    Evaluating,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Analysing => "analysing",
            Stage::CrossValidating => "folds",
            Stage::Training => "training",
            Stage::Calibrating => "calibrating",
            Stage::Evaluating => "evaluating",
        })
    }
}

/// A progress report: `done` of `total` units of `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The current stage.
    pub stage: Stage,
    /// Units done.
    pub done: usize,
    /// Units in the stage.
    pub total: usize,
}

/// Why a model cannot be trained.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// An option is out of range.
    #[error("invalid training option: {0}")]
    Option(String),
    /// The examples name fewer than two labels.
    #[error("training needs examples of at least 2 labels, found {0}")]
    TooFewLabels(usize),
    /// Too few examples to measure the model and still train every label.
    #[error("too few examples: {0}")]
    TooFewExamples(String),
    /// The trained model is unusable (a bug).
    #[error("the trained model is invalid: {0}")]
    Model(#[from] ModelError),
}

/// Trains a model on `examples`; returns it with how it measured.
/// `embeddings` are the examples', needed when `options.features` reads
/// meaning and ignored otherwise. `progress` is called from the calling
/// thread.
pub fn train(
    examples: &[Example],
    embeddings: Option<ExampleEmbeddings<'_>>,
    options: &TrainOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Model, TrainReport), TrainError> {
    let embeddings = check_embeddings(examples.len(), embeddings, options)?;
    if !(options.c.is_finite() && options.c > 0.0) {
        return Err(TrainError::Option(format!(
            "c must be a positive number, not {}",
            options.c
        )));
    }
    if !(options.holdout.is_finite() && (0.0..=0.5).contains(&options.holdout)) {
        return Err(TrainError::Option(format!(
            "holdout must be in [0, 0.5], not {}",
            options.holdout
        )));
    }
    let labels = labels_of(examples);
    if labels.len() < 2 {
        return Err(TrainError::TooFewLabels(labels.len()));
    }
    let multi_label = examples.iter().any(|e| e.labels.len() != 1);
    let gold = gold_indexes(examples, &labels);
    let (features, groups) = analyse(examples, progress);

    let meta = ModelMeta {
        name: options.name.clone(),
        version: options.version.clone(),
        labels: labels.clone(),
        multi_label,
        training_data: options.training_data.clone(),
        examples: examples.len(),
        accuracy: 0.0,
        macro_f1: 0.0,
        ece: 0.0,
        measured: None,
    };
    let n = labels.len();
    let everything: Vec<usize> = (0..examples.len()).collect();
    let (mut model, measured, rows, scores) = if examples.len() < options.cross_validation_below {
        let (folds, scores) = cross::out_of_fold_scores(
            &features, embeddings, &gold, &labels, &groups, &meta, options, progress,
        )?;
        let (temperature, platt) = calibrate(&scores, &gold, multi_label, n, progress);
        let mut model = fit(
            &features,
            embeddings,
            &gold,
            &everything,
            meta,
            options,
            progress,
        )?;
        model.set_calibration(temperature, platt);
        let measured = Measurement::CrossValidation {
            folds,
            examples: examples.len(),
        };
        (model, measured, everything, scores)
    } else {
        let share = if options.holdout == 0.0 {
            DEFAULT_HOLDOUT
        } else {
            options.holdout
        };
        let (training, held_out) = split(&gold, n, &groups, share, options.seed)?;
        let mut model = fit(
            &features,
            embeddings,
            &gold,
            &training,
            meta.clone(),
            options,
            progress,
        )?;
        let scores: Vec<Vec<f64>> = held_out
            .iter()
            .map(|&i| model.decision_values(&features[i], embeddings.and_then(|e| e.of(i))))
            .collect();
        let held_gold: Vec<Vec<usize>> = held_out.iter().map(|&i| gold[i].clone()).collect();
        let (temperature, platt) = calibrate(&scores, &held_gold, multi_label, n, progress);
        model.set_calibration(temperature, platt.clone());
        if options.holdout == 0.0 {
            model = fit(
                &features,
                embeddings,
                &gold,
                &everything,
                meta,
                options,
                progress,
            )?;
            model.set_calibration(temperature, platt);
        }
        let measured = Measurement::HeldOut {
            examples: held_out.len(),
        };
        (model, measured, held_out, scores)
    };

    // The measurement: the calibrated model's probabilities of the
    // measured examples' held-out or out-of-fold decision values.
    let total = rows.len();
    let mut predicted = Vec::with_capacity(total);
    for (done, s) in scores.iter().enumerate() {
        predicted.push(distribution_of_scores(&model, s, multi_label, n));
        if done % 64 == 0 {
            progress(Progress {
                stage: Stage::Evaluating,
                done,
                total,
            });
        }
    }
    progress(Progress {
        stage: Stage::Evaluating,
        done: total,
        total,
    });
    let measured_gold: Vec<Vec<usize>> = rows.iter().map(|&i| gold[i].clone()).collect();
    let evaluation = Evaluation::compute(labels, &measured_gold, &predicted, multi_label);
    model.set_scores(
        examples.len(),
        measured,
        evaluation.accuracy,
        evaluation.macro_f1,
        evaluation.ece,
    );
    let warnings = report::warnings(&evaluation.labels, &measured_gold);
    Ok((
        model,
        TrainReport {
            evaluation,
            measured,
            warnings,
        },
    ))
}

/// The embeddings training uses: `embeddings` when `options.features`
/// reads meaning (one per example, each of the encoder's dimension), none
/// when it reads words alone.
fn check_embeddings<'a>(
    examples: usize,
    embeddings: Option<ExampleEmbeddings<'a>>,
    options: &TrainOptions,
) -> Result<Option<ExampleEmbeddings<'a>>, TrainError> {
    if !options.features.semantic() {
        return Ok(None);
    }
    let Some(e) = embeddings else {
        return Err(TrainError::Option(format!(
            "features `{}` need the examples' embeddings",
            options.features
        )));
    };
    if e.vectors.len() != examples {
        return Err(TrainError::Option(format!(
            "{} embeddings for {examples} examples",
            e.vectors.len()
        )));
    }
    if e.encoder.dim == 0 || e.vectors.iter().any(|v| v.dim() != e.encoder.dim) {
        return Err(TrainError::Option(format!(
            "an embedding is not of the encoder's dimension {}",
            e.encoder.dim
        )));
    }
    if !(options.semantic_scale.is_finite() && options.semantic_scale > 0.0) {
        return Err(TrainError::Option(format!(
            "the semantic scale must be a positive number, not {}",
            options.semantic_scale
        )));
    }
    Ok(Some(e))
}

/// The distinct labels of `examples`, sorted: a label's index is its place
/// here.
fn labels_of(examples: &[Example]) -> Vec<String> {
    examples
        .iter()
        .flat_map(|e| e.labels.iter().cloned())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect()
}

/// Every example's features, read on all cores, and the near-duplicate
/// groups they make: what every division of the examples starts from.
fn analyse(
    examples: &[Example],
    progress: &mut dyn FnMut(Progress),
) -> (Vec<FeatureCounts>, Vec<Vec<usize>>) {
    let total = examples.len();
    progress(Progress {
        stage: Stage::Analysing,
        done: 0,
        total,
    });
    let features = parallel_map(
        total,
        Lexicon::new,
        |lexicon, i| features_of(&examples[i].text, lexicon),
        &mut |done| {
            progress(Progress {
                stage: Stage::Analysing,
                done,
                total,
            })
        },
    );
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let groups = groups::near_duplicate_groups(&texts, &features);
    (features, groups)
}

/// The calibration fitted on decision values `scores` of examples with
/// labels `gold`: the softmax temperature (1 for multi-label data, which
/// does not use it) and each label's sigmoid.
fn calibrate(
    scores: &[Vec<f64>],
    gold: &[Vec<usize>],
    multi_label: bool,
    n: usize,
    progress: &mut dyn FnMut(Progress),
) -> (f64, Vec<Platt>) {
    progress(Progress {
        stage: Stage::Calibrating,
        done: 0,
        total: n + 1,
    });
    let temperature = if multi_label {
        1.0
    } else {
        let first: Vec<usize> = gold.iter().map(|g| g[0]).collect();
        calibration::fit_temperature(scores, &first)
    };
    progress(Progress {
        stage: Stage::Calibrating,
        done: 1,
        total: n + 1,
    });
    let mut platt = Vec::with_capacity(n);
    for l in 0..n {
        let s: Vec<f64> = scores.iter().map(|s| s[l]).collect();
        let positive: Vec<bool> = gold.iter().map(|g| g.contains(&l)).collect();
        platt.push(calibration::fit_platt(&s, &positive));
        progress(Progress {
            stage: Stage::Calibrating,
            done: l + 2,
            total: n + 1,
        });
    }
    (temperature, platt)
}

/// Each example's labels as sorted, distinct indexes into `labels`; labels
/// not in the list are left out.
fn gold_indexes(examples: &[Example], labels: &[String]) -> Vec<Vec<usize>> {
    let index: HashMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    examples
        .iter()
        .map(|e| {
            let mut g: Vec<usize> = e
                .labels
                .iter()
                .filter_map(|l| index.get(l.as_str()).copied())
                .collect();
            g.sort_unstable();
            g.dedup();
            g
        })
        .collect()
}

/// Measures `model` on `examples`. Gold labels the model does not know are
/// added after the model's labels (never predicted, so always wrong). The
/// measurement is multi-label when the model or the data is. A model with
/// semantic features needs `embeddings`, the examples' in order (without
/// them it is measured on words alone, which is not the model).
pub fn evaluate(
    model: &Model,
    examples: &[Example],
    embeddings: Option<&[Embedding]>,
) -> Evaluation {
    let mut labels = model.meta().labels.clone();
    let unknown: BTreeSet<&String> = examples
        .iter()
        .flat_map(|e| &e.labels)
        .filter(|l| !labels.contains(l))
        .collect();
    labels.extend(unknown.into_iter().cloned());
    let multi_label = model.meta().multi_label || examples.iter().any(|e| e.labels.len() != 1);
    let gold = gold_indexes(examples, &labels);
    let n = labels.len();
    let predicted = parallel_map(
        examples.len(),
        Lexicon::new,
        |lexicon, i| {
            let features = features_of(&examples[i].text, lexicon);
            let embedding = embeddings.and_then(|e| e.get(i)).map(Embedding::values);
            distribution(model, &features, embedding, multi_label, n)
        },
        &mut |_| {},
    );
    Evaluation::compute(labels, &gold, &predicted, multi_label)
}

/// The features of a training or evaluation text, in its detected
/// language, as the service extracts them.
pub fn features_of(text: &str, lexicon: &mut Lexicon) -> FeatureCounts {
    features::detect_and_extract(text, None, lexicon).1
}

/// A probability for each of `n` labels (0 past the model's labels).
fn distribution(
    model: &Model,
    features: &[(u32, f32)],
    embedding: Option<&[f32]>,
    multi_label: bool,
    n: usize,
) -> Vec<f64> {
    distribution_of_scores(
        model,
        &model.decision_values(features, embedding),
        multi_label,
        n,
    )
}

/// [`distribution`] of a document's decision values.
fn distribution_of_scores(model: &Model, scores: &[f64], multi_label: bool, n: usize) -> Vec<f64> {
    let mut p = vec![0.0; n];
    for (l, probability) in model.rank(scores, multi_label) {
        if let Some(slot) = p.get_mut(l) {
            *slot = probability;
        }
    }
    p
}

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod tests_semantic;
#[cfg(test)]
mod tests_small;
