//! The settings of the tool commands: `train`, `eval classify` and
//! `distill-static`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::DEFAULT_MODEL_DIR;
use crate::classify::FeatureKind;

/// Settings of `textanalysis train`.
#[derive(Debug, Clone, Args)]
pub struct TrainArgs {
    /// Labelled examples: JSONL (`text` with `label` or `labels`), CSV with a
    /// header (`text`, `label` or `labels`), or fastText lines
    /// (`__label__x text`).
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the model (`NAME.tam`).
    #[arg(long)]
    pub out: PathBuf,
    /// The model's name; the output file's stem when not given.
    #[arg(long)]
    pub name: Option<String>,
    /// The model's version.
    #[arg(long, default_value = "1")]
    pub version: String,
    /// What the model is trained on, as ListModels reports it; the input's
    /// file name when not given.
    #[arg(long)]
    pub training_data: Option<String>,
    /// Share of the examples held out to calibrate and measure the model,
    /// for data of 2,000 examples or more (smaller data is measured and
    /// calibrated by 5-fold cross-validation instead).
    #[arg(long, default_value_t = 0.1)]
    pub holdout: f64,
    /// Seed of the held-out split or the cross-validation folds, and of
    /// training's example order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Inverse regularisation strength of the linear SVM.
    #[arg(long, default_value_t = 1.0)]
    pub c: f64,
    /// What the model reads of a text: `lexical` (its words, tf-idf),
    /// `semantic` (the sentence encoder's embedding of the whole text) or
    /// `lexical+semantic` (both). A model that reads meaning needs
    /// `--semantic-model`, and a server with the same encoder to serve it.
    #[arg(long, default_value = "lexical")]
    pub features: FeatureKind,
    /// Directory of the sentence encoder's model, for `--features
    /// semantic` or `lexical+semantic`.
    #[arg(long)]
    pub semantic_model: Option<PathBuf>,
    /// A file of embeddings kept between runs: texts found there (by a
    /// hash of the text) are not embedded again, and the others are added.
    /// Embedding is nearly all the cost of training with semantic
    /// features; measuring several splits of one data set embeds each text
    /// once.
    #[arg(long)]
    pub embedding_cache: Option<PathBuf>,
    /// With `--features lexical+semantic`: the factor of the embedding
    /// beside the unit-length tf-idf vector; larger lets the embedding
    /// weigh more against the words.
    #[arg(long, default_value_t = crate::classify::train::SEMANTIC_SCALE)]
    pub semantic_scale: f64,
}

/// `textanalysis eval ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum EvalCommand {
    /// Accuracy, macro-F1, calibration and confusion matrix of a model.
    Classify(EvalClassifyArgs),
}

/// Settings of `textanalysis eval classify`.
#[derive(Debug, Clone, Args)]
pub struct EvalClassifyArgs {
    /// A model file, or `news` for the built-in model.
    #[arg(long)]
    pub model: String,
    /// Labelled examples, in any format `train` reads.
    #[arg(long)]
    pub data: PathBuf,
    /// Texts (any format `train` reads) to classify, untimed, before the
    /// timed steady-state pass: they fill the thread's lexicon of word
    /// forms as a serving process's traffic does (for instance the model's
    /// training data).
    #[arg(long)]
    pub warm_up: Option<PathBuf>,
    /// How many times each timed pass runs, each on a new thread (so each
    /// starts from the same lexicon: empty, or after the warm-up); the
    /// fastest is reported. A pass over a few hundred short texts takes a
    /// few milliseconds, which a busy or virtual machine stretches by half
    /// from one run to the next.
    #[arg(long, default_value_t = 5)]
    pub passes: usize,
    /// Directory of the sentence encoder's model, for a model trained with
    /// semantic features (the one it was trained with).
    #[arg(long)]
    pub semantic_model: Option<PathBuf>,
    /// A file of embeddings kept between runs (see `train
    /// --embedding-cache`).
    #[arg(long)]
    pub embedding_cache: Option<PathBuf>,
}

/// Settings of `textanalysis distill-static`.
#[derive(Debug, Clone, Args)]
pub struct DistillStaticArgs {
    /// Directory of the sentence encoder's model; the table is written
    /// there, as static.safetensors, where the server looks for it.
    #[arg(long, env = "TEXTANALYSIS_SEMANTIC_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub semantic_model: PathBuf,
    /// Distil even when the table exists.
    #[arg(long)]
    pub force: bool,
}
