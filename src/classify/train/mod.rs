//! Training a [`Model`] from labelled examples, and evaluating one.
//!
//! [`train`] detects multi-label data (any example with other than exactly
//! one label), splits the examples into a training part and a held-out part
//! (stratified by label, deterministic for a seed), analyses every text
//! once with the shared pipeline (language detected per document), fits
//! tf-idf and the one-vs-rest SVMs on the training part ([`super::linear`]),
//! fits the calibration on the held-out part, and measures the calibrated
//! model on that same held-out part: that measurement is the accuracy,
//! macro-F1 and ECE stored in the model's [`ModelMeta`]. (Calibration and
//! measurement share the held-out part; the calibration has one or two
//! parameters per label, so the optimism this adds is small.)
//!
//! `holdout` is the held-out share, in `[0, 0.5]`. With `0` the final
//! weights are trained on every example: the calibration and the reported
//! measurement then come from a first model trained with the default share
//! of [`DEFAULT_HOLDOUT`] held out, and the final model, retrained on
//! everything, keeps that calibration (its decision values have the same
//! scale). That costs a second training run and the reported numbers
//! describe the first model, slightly pessimistically for the final one.
//!
//! Texts are analysed and labels trained on all available cores; results do
//! not depend on the number of threads.
//!
//! # Layout
//!
//! This file holds the options, the progress reports, the errors, [`train`]
//! itself (the stages in order, with the calibration and the measurement on
//! the held-out part) and [`evaluate`]. `split.rs` makes the stratified,
//! seeded held-out split (and [`holdout_split`], the same split for use
//! elsewhere), `fit.rs` fits tf-idf and the one-vs-rest SVMs on a set of
//! rows, and `parallel.rs` maps a function over indexes on all cores with
//! progress on the calling thread. `tests.rs` trains on a small invented
//! data set and checks the whole path.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use super::calibration;
use super::data::Example;
use super::features::{self, FeatureCounts};
use super::metrics::Evaluation;
use super::model::{Model, ModelError, ModelMeta};
use crate::text::Lexicon;

mod fit;
mod parallel;
mod split;

use fit::fit;
use parallel::parallel_map;
pub use split::holdout_split;
use split::split;

/// The held-out share used when none is given, and for calibration when
/// `holdout` is 0.
pub const DEFAULT_HOLDOUT: f64 = 0.1;

/// How to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The model's name.
    pub name: String,
    /// The model's version.
    pub version: String,
    /// A description of the training data, stored in the model.
    pub training_data: String,
    /// Held-out share in `[0, 0.5]`; see the module documentation for 0.
    pub holdout: f64,
    /// Seed of the split and of the training order.
    pub seed: u64,
    /// Inverse regularisation strength of the SVMs (> 0).
    pub c: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            name: "model".to_owned(),
            version: "1".to_owned(),
            training_data: String::new(),
            holdout: DEFAULT_HOLDOUT,
            seed: 42,
            c: 1.0,
        }
    }
}

/// What training is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Analysing texts (`done`/`total` texts).
    Analysing,
    /// Training the per-label SVMs (`done`/`total` labels).
    Training,
    /// Fitting probabilities on held-out data (`done`/`total` labels).
    Calibrating,
    /// Measuring on held-out data (`done`/`total` examples).
    Evaluating,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Analysing => "analysing",
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
    /// Too few examples to hold some out and still train every label.
    #[error("too few examples: {0}")]
    TooFewExamples(String),
    /// The trained model is unusable (a bug).
    #[error("the trained model is invalid: {0}")]
    Model(#[from] ModelError),
}

/// Trains a model on `examples`; returns it with its held-out evaluation.
/// `progress` is called from the calling thread.
pub fn train(
    examples: &[Example],
    options: &TrainOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Model, Evaluation), TrainError> {
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
    let labels: Vec<String> = examples
        .iter()
        .flat_map(|e| e.labels.iter().cloned())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    if labels.len() < 2 {
        return Err(TrainError::TooFewLabels(labels.len()));
    }
    let multi_label = examples.iter().any(|e| e.labels.len() != 1);
    let gold = gold_indexes(examples, &labels);
    let share = if options.holdout == 0.0 {
        DEFAULT_HOLDOUT
    } else {
        options.holdout
    };
    let (training, held_out) = split(&gold, labels.len(), share, options.seed)?;

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
    };
    let mut model = fit(&features, &gold, &training, meta.clone(), options, progress)?;

    // Calibration on the held-out part.
    let n = labels.len();
    progress(Progress {
        stage: Stage::Calibrating,
        done: 0,
        total: n + 1,
    });
    let scores: Vec<Vec<f64>> = held_out
        .iter()
        .map(|&i| model.decision_values(&features[i]))
        .collect();
    let temperature = if multi_label {
        1.0
    } else {
        let first: Vec<usize> = held_out.iter().map(|&i| gold[i][0]).collect();
        calibration::fit_temperature(&scores, &first)
    };
    progress(Progress {
        stage: Stage::Calibrating,
        done: 1,
        total: n + 1,
    });
    let mut platt = Vec::with_capacity(n);
    for l in 0..n {
        let s: Vec<f64> = scores.iter().map(|s| s[l]).collect();
        let positive: Vec<bool> = held_out.iter().map(|&i| gold[i].contains(&l)).collect();
        platt.push(calibration::fit_platt(&s, &positive));
        progress(Progress {
            stage: Stage::Calibrating,
            done: l + 2,
            total: n + 1,
        });
    }
    model.set_calibration(temperature, platt.clone());

    // Measurement on the held-out part.
    let total = held_out.len();
    let mut predicted = Vec::with_capacity(total);
    for (done, &i) in held_out.iter().enumerate() {
        predicted.push(distribution(&model, &features[i], multi_label, n));
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
    let held_gold: Vec<Vec<usize>> = held_out.iter().map(|&i| gold[i].clone()).collect();
    let evaluation = Evaluation::compute(labels, &held_gold, &predicted, multi_label);

    if options.holdout == 0.0 {
        let everything: Vec<usize> = (0..examples.len()).collect();
        model = fit(&features, &gold, &everything, meta, options, progress)?;
        model.set_calibration(temperature, platt);
    }
    model.set_scores(
        examples.len(),
        evaluation.accuracy,
        evaluation.macro_f1,
        evaluation.ece,
    );
    Ok((model, evaluation))
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
/// measurement is multi-label when the model or the data is.
pub fn evaluate(model: &Model, examples: &[Example]) -> Evaluation {
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
            distribution(model, &features, multi_label, n)
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
fn distribution(model: &Model, features: &[(u32, f32)], multi_label: bool, n: usize) -> Vec<f64> {
    let mut p = vec![0.0; n];
    for (l, probability) in model.classify(features, multi_label) {
        if let Some(slot) = p.get_mut(l) {
            *slot = probability;
        }
    }
    p
}

#[cfg(test)]
mod tests;
