//! A trained classification model: what it knows ([`ModelMeta`]), how it
//! scores a document, and its file format.
//!
//! # File format, version 2
//!
//! All integers and floats are little-endian; there is no padding.
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `b"TAMODEL\0"` |
//! | 4 | `u32` format version, `2` |
//! | 4 | `u32` length `H` of the header |
//! | `H` | the header: a UTF-8 JSON object, described below |
//! | `4·F` | `u32` feature ids (hash buckets), strictly increasing |
//! | `4·F` | `f32` idf of each feature, in the same order |
//! | `4·F·L` | `f32` weights, feature-major: the `L` label weights of feature 0, then of feature 1, … |
//! | `4·L` | `f32` bias of each label |
//!
//! The file ends there: its length is exactly `16 + H + 4F(2 + L) + 4L`.
//! The header object has these fields (others are ignored, so later
//! versions of this format may add some):
//!
//! - `meta`: the [`ModelMeta`] object — `name`, `version`, `labels` (`L`
//!   strings, unique, in the order of every per-label array),
//!   `multi_label`, `training_data`, `examples`, `accuracy`, `macro_f1`,
//!   `ece`;
//! - `features`: `{"hash_bits": 20, "ngram_range": [1, 2],
//!   "sublinear_tf": true, "min_df": 2}`, how documents become features
//!   (see [`super::features`]; this build reads only these values, but
//!   `min_df` is informational);
//! - `feature_count`: `F`;
//! - `training_docs`: `N`, the number of training documents, for the idf
//!   of unseen features `ln((1 + N) / 1) + 1`;
//! - `temperature`: the softmax temperature of single-label probabilities;
//! - `platt`: `L` objects `{"a": A, "b": B}`, the per-label sigmoids
//!   `1 / (1 + exp(A·s + B))`.
//!
//! A document's decision value for label `l` is
//! `s_l = bias_l + Σ x_f · weight[f][l]`, where `x` is the document's
//! sublinear tf-idf vector over the model's features,
//! `(1 + ln count) · idf`, scaled to unit length (features the model does
//! not know are dropped before scaling).
//!
//! Writing is deterministic: the same model always gives the same bytes,
//! and reading then writing a file this crate wrote gives it back
//! unchanged.
//!
//! # Versions
//!
//! - 2: features read the text's words without segmenting it, and a
//!   bigram's bucket comes from the hash of its two words' hashes (see
//!   [`super::features`]).
//! - 1: bigrams stopped at sentence ends and hashed the second word with
//!   the first's hash as seed. The layout is the same, but the buckets
//!   differ, so version 1 files are refused as incompatible: retrain them
//!   with `textanalysis train`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::features::{BITS, Feature};
use super::linear::{self, Platt};
use crate::prefetch::prefetch;
use crate::text::Language;

/// The first bytes of every model file.
pub const MAGIC: &[u8; 8] = b"TAMODEL\0";

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 2;

/// The buckets of the lookup index: the top bits of a feature. A bucket
/// holds the position of its first feature and a mask of which of the 16
/// values of the remaining [`BITS`]` - INDEX_BITS` bits are features, so
/// a lookup reads one index entry and no feature id: the position is the
/// start plus the features below it in the mask. (A range of the sorted
/// feature ids searched took a cache miss a feature of a text on a 20
/// Newsgroups model's 1.3 MB of ids.) The index is built at load (512 KiB
/// a model), not stored in the file.
const INDEX_BITS: u32 = 16;
const _: () = assert!(BITS - INDEX_BITS == 4, "a bucket's mask has 16 bits");

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
}

/// How documents become features; fixed in this build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FeatureConfig {
    hash_bits: u32,
    ngram_range: [u32; 2],
    sublinear_tf: bool,
    min_df: u32,
}

impl FeatureConfig {
    fn current() -> Self {
        Self {
            hash_bits: BITS,
            ngram_range: [1, 2],
            sublinear_tf: true,
            min_df: linear::MIN_DF,
        }
    }
}

/// The JSON header of a model file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    meta: ModelMeta,
    features: FeatureConfig,
    feature_count: u64,
    training_docs: u64,
    temperature: f64,
    platt: Vec<Platt>,
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
    /// The format version is not the one this build reads.
    #[error("incompatible model format version {0}, this build reads {FORMAT_VERSION}")]
    IncompatibleVersion(u32),
    /// The bytes are truncated, inconsistent or hold invalid values.
    #[error("corrupt model: {0}")]
    Corrupt(String),
}

fn corrupt(message: impl Into<String>) -> ModelError {
    ModelError::Corrupt(message.into())
}

/// A sparse linear classifier with calibrated probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    meta: ModelMeta,
    features: Vec<Feature>,
    /// A row of `1 + labels` values for each feature: its idf, then its
    /// label weights. The file keeps idf and weights apart (the format
    /// above); in memory they sit together because a document's features
    /// fall all over the model, and the idf of a feature then its weights
    /// from two arrays were two cache misses where one row is one (a 20
    /// Newsgroups model takes 29 MB).
    rows: Vec<f32>,
    bias: Vec<f32>,
    temperature: f64,
    platt: Vec<Platt>,
    training_docs: u64,
    /// For the features whose top [`INDEX_BITS`] bits are `k`: the
    /// position of the first in the low 32 bits of `index[k]`, and bit `j`
    /// of the next 16 set when `k << 4 | j` is a feature.
    index: Vec<u64>,
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
        let mut index = vec![0u64; 1 << INDEX_BITS];
        for (position, &feature) in features.iter().enumerate().rev() {
            let entry = &mut index[(feature >> (BITS - INDEX_BITS)) as usize];
            let mask = (*entry >> 32) | 1 << (feature & 15);
            *entry = mask << 32 | position as u64;
        }
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
            index,
        })
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

    pub(crate) fn set_calibration(&mut self, temperature: f64, platt: Vec<Platt>) {
        debug_assert_eq!(platt.len(), self.meta.labels.len());
        if temperature.is_finite() && temperature > 0.0 {
            self.temperature = json_stable(temperature);
        }
        if platt.len() == self.platt.len()
            && platt.iter().all(|p| p.a.is_finite() && p.b.is_finite())
        {
            self.platt = platt
                .into_iter()
                .map(|p| Platt {
                    a: json_stable(p.a),
                    b: json_stable(p.b),
                })
                .collect();
        }
    }

    pub(crate) fn set_scores(&mut self, examples: usize, accuracy: f64, macro_f1: f64, ece: f64) {
        self.meta.examples = examples;
        let clean = |v: f64| if v.is_finite() { json_stable(v) } else { 0.0 };
        self.meta.accuracy = clean(accuracy);
        self.meta.macro_f1 = clean(macro_f1);
        self.meta.ece = clean(ece);
    }

    /// Index of a feature in the model's arrays.
    #[inline]
    fn position(&self, feature: Feature) -> Option<usize> {
        if feature >= 1 << BITS {
            return None;
        }
        let entry = self.index[(feature >> (BITS - INDEX_BITS)) as usize];
        let mask = (entry >> 32) as u16;
        let bit = 1u16 << (feature & 15);
        (mask & bit != 0).then(|| entry as u32 as usize + (mask & (bit - 1)).count_ones() as usize)
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
        self.position(feature).map(|i| self.row(i)[0])
    }

    /// The idf of a feature seen in no training document,
    /// `ln((1 + N) / 1) + 1`.
    pub fn default_idf(&self) -> f32 {
        linear::smooth_idf(self.training_docs, 0)
    }

    /// The raw decision value of each label for a document's feature
    /// counts (as [`super::features::extract`] gives them).
    pub fn decision_values(&self, features: &[(Feature, f32)]) -> Vec<f64> {
        let mut hits: Vec<(u32, f32)> = features
            .iter()
            .filter_map(|&(feature, count)| self.position(feature).map(|i| (i as u32, count)))
            .collect();
        self.decision_values_of_hits(&mut hits)
    }

    /// [`Model::decision_values`] of a document's features as
    /// [`super::features::detect_and_collect`] gives them, unsorted and
    /// repeated, the same to the last bit: the features the model does not
    /// know (most of a text's bigrams) are dropped before anything is
    /// sorted, and what is sorted and counted is the model's positions of
    /// the rest (in the same order as their features). On texts not met
    /// before, after the training texts, the fastest of 10 runs: 9% less
    /// time a text of AG News, 4% of 20 Newsgroups, than sorting and
    /// counting every feature first.
    fn decision_values_of_features(&self, mut features: Vec<Feature>) -> Vec<f64> {
        features.retain_mut(|feature| match self.position(*feature) {
            Some(i) => {
                *feature = i as u32;
                true
            }
            None => false,
        });
        // Positions are below the number of features, itself at most
        // 2^BITS (one a bucket), so they sort and count like features.
        self.decision_values_of_hits(&mut super::features::count(features))
    }

    /// The decision values of a document whose features are at model
    /// positions `hits` (ascending, each with its count): sublinear tf-idf,
    /// L2-normalised, dotted with each label's weights, plus its bias.
    ///
    /// The rows of a large model (20 Newsgroups': 29 MB) are mostly out of
    /// the caches, and each feature's row is read for its idf before the
    /// norm is known: so the row of the hit [`PREFETCH_AHEAD`] places on is
    /// asked for while this one is read (measured on 20 Newsgroups' texts
    /// not met before, the fastest of 12 runs each: 8% less time a text;
    /// reading all idfs in a loop of their own instead, for the processor
    /// to overlap the misses unasked, saved 3%).
    fn decision_values_of_hits(&self, hits: &mut [(u32, f32)]) -> Vec<f64> {
        let labels = self.bias.len();
        let mut norm = 0.0f64;
        for k in 0..hits.len() {
            if let Some(&(ahead, _)) = hits.get(k + PREFETCH_AHEAD) {
                let row = self.row(ahead as usize);
                prefetch(&row[0]);
                prefetch(&row[row.len() - 1]);
            }
            let (i, count) = &mut hits[k];
            // Drops nothing a model gives (idfs are at least 1, counts
            // positive) but keeps a bad value from poisoning the sum.
            *count = (linear::sublinear(*count) * self.row(*i as usize)[0]).max(0.0);
            norm += f64::from(*count) * f64::from(*count);
        }
        let mut sums = vec![0.0f32; labels];
        let scale = if norm > 0.0 && norm.is_finite() {
            (1.0 / norm.sqrt()) as f32
        } else {
            0.0
        };
        for &(i, x) in hits.iter() {
            let x = x * scale;
            for (s, w) in sums.iter_mut().zip(&self.row(i as usize)[1..]) {
                *s += x * w;
            }
        }
        sums.iter()
            .zip(&self.bias)
            .map(|(&s, &b)| {
                let v = f64::from(s) + f64::from(b);
                if v.is_finite() { v } else { 0.0 }
            })
            .collect()
    }

    /// Every label index with its probability, best first, ties by label
    /// index. For a single-label model asked for one label
    /// (`multi_label == false`) the probabilities sum to 1 (a softmax with
    /// the fitted temperature); otherwise each is an independent Platt
    /// sigmoid. Always finite and in [0, 1].
    pub fn classify(&self, features: &[(Feature, f32)], multi_label: bool) -> Vec<(usize, f64)> {
        self.rank(&self.decision_values(features), multi_label)
    }

    /// Reads `text` (in `language`, or the one detected) and classifies
    /// it: its language and [`Model::classify`]'s ranking of its features,
    /// the same, found without sorting the features the model does not
    /// know. What a server's request and `eval classify`'s timing run.
    pub fn classify_text(
        &self,
        text: &str,
        language: Option<Language>,
        multi_label: bool,
    ) -> (Language, Vec<(usize, f64)>) {
        let (language, features) = super::features::detect_and_collect(text, language);
        let scores = self.decision_values_of_features(features);
        (language, self.rank(&scores, multi_label))
    }

    /// Every label with its probability for the decision values `scores`
    /// (see [`Model::classify`]).
    fn rank(&self, scores: &[f64], multi_label: bool) -> Vec<(usize, f64)> {
        let mut probabilities = vec![0.0; scores.len()];
        if multi_label || self.meta.multi_label {
            for ((p, &s), platt) in probabilities.iter_mut().zip(scores).zip(&self.platt) {
                *p = platt.probability(s);
            }
        } else {
            linear::softmax(scores, self.temperature, &mut probabilities);
        }
        let mut ranked: Vec<(usize, f64)> = probabilities
            .into_iter()
            .map(|p| if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) })
            .enumerate()
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    }

    /// The model as a file's bytes (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            meta: self.meta.clone(),
            features: FeatureConfig::current(),
            feature_count: self.features.len() as u64,
            training_docs: self.training_docs,
            temperature: self.temperature,
            platt: self.platt.clone(),
        };
        let json = serde_json::to_vec(&header).expect("a model header always serialises");
        let (idf, weights) = self.idf_and_weights();
        let mut out = Vec::with_capacity(
            16 + json.len() + 4 * (self.features.len() + self.rows.len() + self.bias.len()),
        );
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        for f in &self.features {
            out.extend_from_slice(&f.to_le_bytes());
        }
        for v in idf.iter().chain(&weights).chain(&self.bias) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Reads and checks a model from a file's bytes; never panics, whatever
    /// the bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(MAGIC.len()).ok() != Some(&MAGIC[..]) {
            return Err(ModelError::BadMagic);
        }
        let version = reader
            .u32()
            .map_err(|_| corrupt("truncated before the format version"))?;
        if version != FORMAT_VERSION {
            return Err(ModelError::IncompatibleVersion(version));
        }
        let header_len = reader
            .u32()
            .map_err(|_| corrupt("truncated before the header length"))?;
        let json = reader.take(header_len as usize).map_err(|_| {
            corrupt(format!(
                "the header is {header_len} bytes long but only {} bytes follow",
                reader.remaining()
            ))
        })?;
        let header: Header =
            serde_json::from_slice(json).map_err(|e| corrupt(format!("invalid header: {e}")))?;
        if header.features != FeatureConfig::current() {
            let c = &header.features;
            if c.hash_bits != BITS {
                return Err(corrupt(format!(
                    "features hashed to {} bits; this build hashes to {BITS}",
                    c.hash_bits
                )));
            }
            if c.ngram_range != [1, 2] || !c.sublinear_tf {
                return Err(corrupt(
                    "unsupported feature configuration (this build makes sublinear-tf unigrams and bigrams)",
                ));
            }
        }
        let labels = header.meta.labels.len() as u64;
        if labels < 2 {
            return Err(corrupt(format!(
                "{labels} labels; a model needs at least 2"
            )));
        }
        let f = header.feature_count;
        // The exact length left, in u128 so that no header value overflows.
        let expected = 4 * (u128::from(f) * (2 + u128::from(labels)) + u128::from(labels));
        if expected != reader.remaining() as u128 {
            return Err(corrupt(format!(
                "{} bytes of arrays for {f} features and {labels} labels, which need {expected}",
                reader.remaining()
            )));
        }
        // The lengths fit the buffer, so these allocations are bounded by it.
        let f = f as usize;
        let labels = labels as usize;
        let features: Vec<u32> = reader.array(f, u32::from_le_bytes)?;
        let idf: Vec<f32> = reader.array(f, f32::from_le_bytes)?;
        let weights: Vec<f32> = reader.array(f * labels, f32::from_le_bytes)?;
        let bias: Vec<f32> = reader.array(labels, f32::from_le_bytes)?;
        Model::from_parts(Parts {
            meta: header.meta,
            features,
            idf,
            weights,
            bias,
            temperature: header.temperature,
            platt: header.platt,
            training_docs: header.training_docs,
        })
    }

    /// Reads a model file; errors name it.
    pub fn load(path: &Path) -> Result<Model, ModelError> {
        let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
            path: path.to_owned(),
            source,
        })?;
        Model::from_bytes(&bytes).map_err(|e| ModelError::File {
            path: path.to_owned(),
            source: Box::new(e),
        })
    }
}

/// `v`, or a value a few ulps from it, that JSON writes and reads back
/// exactly (serde_json's default float parsing is not always correctly
/// rounded, so not every `f64` survives the trip).
fn json_stable(v: f64) -> f64 {
    let survives = |x: f64| {
        serde_json::to_string(&x)
            .ok()
            .and_then(|t| serde_json::from_str::<f64>(&t).ok())
            == Some(x)
    };
    if !v.is_finite() || survives(v) {
        return v;
    }
    // Nearby values, nearest first.
    for k in 1..=256u64 {
        for candidate in [v.to_bits().wrapping_add(k), v.to_bits().wrapping_sub(k)] {
            let x = f64::from_bits(candidate);
            if x.is_finite() && x.signum() == v.signum() && survives(x) {
                return x;
            }
        }
    }
    v
}

/// A cursor over a model's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        if n > self.remaining() {
            return Err(corrupt("truncated"));
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn array<T>(&mut self, n: usize, decode: fn([u8; 4]) -> T) -> Result<Vec<T>, ModelError> {
        let len = n.checked_mul(4).ok_or_else(|| corrupt("array too long"))?;
        let bytes = self.take(len)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| decode([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

/// How many hits ahead [`Model::decision_values_of_hits`] asks for a row:
/// some 30 instructions a hit, so that a row arrives from memory (a few
/// hundred cycles) about when it is read.
const PREFETCH_AHEAD: usize = 8;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small valid model: 3 labels, 5 features.
    pub(crate) fn small() -> Model {
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
        })
        .unwrap()
    }

    #[test]
    fn classify_gives_ranked_probabilities() {
        let model = small();
        let doc = [(3, 2.0), (17, 1.0), (5, 4.0), (4096, 1.0)];
        let single = model.classify(&doc, false);
        assert_eq!(single.len(), 3);
        assert!((single.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(single.windows(2).all(|w| w[0].1 >= w[1].1));
        let multi = model.classify(&doc, true);
        assert!(multi.iter().all(|p| (0.0..=1.0).contains(&p.1)));
        // No known feature: the bias decides; ties go by label index.
        let empty = model.classify(&[(1 << 25, f32::NAN), (9, -1.0)], false);
        assert_eq!(empty[0].0, 2);
        let tied = Model::from_parts(Parts {
            bias: vec![0.0; 3],
            ..parts_of(&model)
        })
        .unwrap();
        assert_eq!(
            tied.classify(&[], false)
                .iter()
                .map(|p| p.0)
                .collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        // Absurd counts stay finite.
        for (_, p) in model.classify(&[(3, f32::MAX), (17, f32::INFINITY), (70_000, 1e-30)], true) {
            assert!(p.is_finite() && (0.0..=1.0).contains(&p));
        }
    }

    fn parts_of(model: &Model) -> Parts {
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
        }
    }

    #[test]
    fn every_feature_is_found_at_its_position_and_no_other() {
        // Dense buckets (all 16 low values), sparse ones, the first and
        // the last bucket.
        let mut features: Vec<Feature> = (0..16).chain([17, 31, 4096]).collect();
        features.extend((1..2000).map(|i| i * 523 % (1 << BITS)));
        features.extend(((1 << BITS) - 16)..(1 << BITS));
        features.sort_unstable();
        features.dedup();
        let n = features.len();
        let mut parts = parts_of(&small());
        parts.idf = (1..=n).map(|i| i as f32).collect();
        parts.weights = vec![0.0; n * 3];
        parts.features = features.clone();
        let model = Model::from_parts(parts).unwrap();
        for (i, &f) in features.iter().enumerate() {
            assert_eq!(model.idf(f), Some((i + 1) as f32), "feature {f}");
        }
        for f in 0..1 << BITS {
            if features.binary_search(&f).is_err() {
                assert_eq!(model.idf(f), None, "feature {f}");
            }
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

    #[test]
    fn bytes_round_trip_exactly() {
        let model = small();
        let bytes = model.to_bytes();
        assert_eq!(&bytes[..8], MAGIC);
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn json_stable_values_round_trip() {
        let mut rng = linear::XorShift::new(5);
        for _ in 0..10_000 {
            // Magnitudes from 1e-12 to 1e12: metrics, temperatures and
            // Platt parameters, and far beyond.
            let mantissa = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
            let v = sign * mantissa * 10f64.powi(rng.below(25) as i32 - 12);
            assert!((json_stable(v) - v).abs() <= v.abs() * 1e-13);
            let s = json_stable(v);
            let text = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<f64>(&text).unwrap(), s);
        }
    }

    #[test]
    fn rejects_bad_magic_and_unknown_versions() {
        let mut bytes = small().to_bytes();
        bytes[0] = b'X';
        assert!(matches!(
            Model::from_bytes(&bytes),
            Err(ModelError::BadMagic)
        ));
        let mut bytes = small().to_bytes();
        bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
        let e = Model::from_bytes(&bytes).unwrap_err();
        assert_eq!(
            e.to_string(),
            "incompatible model format version 7, this build reads 2"
        );
    }

    #[test]
    fn rejects_every_truncation_and_extra_bytes() {
        let bytes = small().to_bytes();
        for len in 0..bytes.len() {
            assert!(
                Model::from_bytes(&bytes[..len]).is_err(),
                "prefix of {len} bytes"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Model::from_bytes(&longer).is_err());
    }

    #[test]
    fn rejects_non_finite_and_unsorted_arrays() {
        let bytes = small().to_bytes();
        let header_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let arrays = 16 + header_len;
        let features = 5;
        // The first weight is NaN.
        let mut nan = bytes.clone();
        let w = arrays + 8 * features;
        nan[w..w + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(
            Model::from_bytes(&nan)
                .unwrap_err()
                .to_string()
                .contains("not finite")
        );
        // An infinite bias.
        let mut inf = bytes.clone();
        let b = bytes.len() - 4;
        inf[b..].copy_from_slice(&f32::INFINITY.to_le_bytes());
        assert!(Model::from_bytes(&inf).is_err());
        // Feature ids out of order.
        let mut unsorted = bytes.clone();
        unsorted[arrays..arrays + 4].copy_from_slice(&100u32.to_le_bytes());
        assert!(
            Model::from_bytes(&unsorted)
                .unwrap_err()
                .to_string()
                .contains("increasing")
        );
        // A zero idf.
        let mut idf = bytes.clone();
        let i = arrays + 4 * features;
        idf[i..i + 4].copy_from_slice(&0f32.to_le_bytes());
        assert!(Model::from_bytes(&idf).is_err());
    }

    /// Replaces the header of a model's bytes by `edit(header)`.
    fn with_header(edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
        let bytes = small().to_bytes();
        let header_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let mut header: serde_json::Value =
            serde_json::from_slice(&bytes[16..16 + header_len]).unwrap();
        edit(&mut header);
        let json = serde_json::to_vec(&header).unwrap();
        let mut out = bytes[..12].to_vec();
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(&bytes[16 + header_len..]);
        out
    }

    #[test]
    fn rejects_inconsistent_headers() {
        assert!(Model::from_bytes(&with_header(|_| {})).is_ok());
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|h| h["features"]["hash_bits"] = 18.into()),
                "18 bits",
            ),
            (
                Box::new(|h| h["feature_count"] = (u64::MAX / 2).into()),
                "need",
            ),
            (Box::new(|h| h["feature_count"] = 4.into()), "need"),
            (
                Box::new(|h| h["meta"]["labels"] = serde_json::json!(["a"])),
                "at least 2",
            ),
            (
                Box::new(|h| h["meta"]["labels"] = serde_json::json!(["a", "a", "b"])),
                "repeated",
            ),
            (
                Box::new(|h| h["temperature"] = (-1.0).into()),
                "temperature",
            ),
            (Box::new(|h| h["platt"] = serde_json::json!([])), "Platt"),
            (Box::new(|h| h["training_docs"] = 0.into()), "training"),
            (
                Box::new(|h| h["meta"] = serde_json::json!(null)),
                "invalid header",
            ),
        ];
        for (edit, message) in cases {
            let e = Model::from_bytes(&with_header(edit))
                .unwrap_err()
                .to_string();
            assert!(e.contains(message), "{e} should mention {message}");
        }
        // A header length beyond the buffer.
        let mut bytes = small().to_bytes();
        bytes[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            Model::from_bytes(&bytes)
                .unwrap_err()
                .to_string()
                .contains("only")
        );
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = linear::XorShift::new(1);
        let good = small().to_bytes();
        for round in 0..3000 {
            let mut bytes = good.clone();
            // Flip a few bytes anywhere, or write random bytes after the magic.
            if round % 2 == 0 {
                for _ in 0..1 + rng.below(4) {
                    let i = rng.below(bytes.len());
                    bytes[i] = rng.next_u64() as u8;
                }
            } else {
                let len = rng.below(64);
                bytes.truncate(8);
                bytes.extend((0..len).map(|_| rng.next_u64() as u8));
            }
            let _ = Model::from_bytes(&bytes);
        }
    }

    #[test]
    fn load_names_the_file() {
        let path =
            std::env::temp_dir().join(format!("textanalysis-model-{}.tam", std::process::id()));
        std::fs::write(&path, b"TAMODEL\0\x01\0\0\0").unwrap();
        let e = Model::load(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert!(
            e.contains(&path.display().to_string()) && e.contains("version 1"),
            "{e}"
        );
        let e = Model::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("cannot read") && e.contains(&path.display().to_string()),
            "{e}"
        );
    }
}
