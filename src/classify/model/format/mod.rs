//! The model file: its format, reading it ([`Model::from_bytes`],
//! [`Model::load`]) and writing it ([`Model::to_bytes`]). The bytes are
//! defined here and nowhere else: reading checks what the file claims
//! (magic, version, header, lengths) before [`Model::from_parts`] checks
//! the model itself, and [`json_stable`] keeps the header's floats to
//! values that read back exactly, so that a model read then written gives
//! the same bytes.
//!
//! # File format, versions 2 and 3
//!
//! Version 2 is a lexical model (tf-idf features); version 3 is a model
//! trained with semantic features, and is version 2 with an extra header
//! field and an extra array (below). A lexical model is always written as
//! version 2, so that its bytes do not depend on whether this build can
//! write the other kind. All integers and floats are little-endian; there
//! is no padding.
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
//! | `4·D·L` | version 3 only: `f32` embedding weights, dimension-major: the `L` label weights of dimension 0, then of dimension 1, … |
//!
//! The file ends there: its length is exactly `16 + H + 4F(2 + L) + 4L`,
//! plus `4DL` in version 3.
//! The header object has these fields (others are ignored, so later
//! versions of this format may add some):
//!
//! - `meta`: the [`ModelMeta`] object — `name`, `version`, `labels` (`L`
//!   strings, unique, in the order of every per-label array),
//!   `multi_label`, `training_data`, `examples`, `accuracy`, `macro_f1`,
//!   `ece`, and `measured`, how those three were measured: `{"method":
//!   "cross_validation", "folds": K, "examples": N}` or `{"method":
//!   "held_out", "examples": N}` (absent in files written before it was
//!   recorded, which were measured held out);
//! - `features`: `{"hash_bits": 20, "ngram_range": [1, 2],
//!   "sublinear_tf": true, "min_df": 2}`, how documents become features
//!   (see [`crate::classify::features`]; this build reads only these
//!   values, but `min_df` is informational);
//! - `feature_count`: `F`;
//! - `training_docs`: `N`, the number of training documents, for the idf
//!   of unseen features `ln((1 + N) / 1) + 1`;
//! - `temperature`: the softmax temperature of single-label probabilities;
//! - `platt`: `L` objects `{"a": A, "b": B}`, the per-label sigmoids
//!   `1 / (1 + exp(A·s + B))`;
//! - `semantic` (version 3 only, required there): `{"features":
//!   "semantic" | "lexical+semantic", "encoder": NAME, "dimensions": D,
//!   "scale": S}`, what the model reads, the sentence encoder whose
//!   document embeddings it was trained on (a server with another encoder,
//!   or one of another dimension, refuses the file), and the factor the
//!   embedding was multiplied by in training (already folded into the
//!   weights; informational). A `"semantic"` model has no lexical
//!   features (`F` is 0).
//!
//! A document's decision value for label `l` is
//! `s_l = bias_l + Σ x_f · weight[f][l] + Σ e_d · embedding_weight[d][l]`,
//! where `x` is the document's sublinear tf-idf vector over the model's
//! features, `(1 + ln count) · idf`, scaled to unit length (features the
//! model does not know are dropped before scaling), and `e` (version 3) is
//! the encoder's embedding of the whole text, unit length.
//!
//! A single-label model's probabilities are the softmax of `s / temperature`
//! over the `L` labels; a multi-label model's (and a single-label one's
//! when independent per-label probabilities are asked for) are each label's
//! sigmoid `1 / (1 + exp(A·s_l + B))`. Each is then tempered, mixed with the
//! uniform distribution at weight 0.001 (of the `L` labels, or of the two
//! outcomes of a sigmoid), so that nothing is certain: a softmax gives every
//! label at least `0.001 / L` and at most `1 − 0.001 · (L − 1) / L` (with
//! 3 labels, 0.00033 and 0.99933), a sigmoid at least 0.0005 and at most
//! 0.9995. The weight is fixed by this version of the format, not stored.
//!
//! Writing is deterministic: the same model always gives the same bytes,
//! and reading then writing a file this crate wrote gives it back
//! unchanged.
//!
//! # Versions
//!
//! - 3: a model trained with semantic features: version 2 with the
//!   `semantic` header field and the embedding weights.
//! - 2: features read the text's words without segmenting it, and a
//!   bigram's bucket comes from the hash of its two words' hashes (see
//!   [`crate::classify::features`]).
//! - 1: bigrams stopped at sentence ends and hashed the second word with
//!   the first's hash as seed. The layout is the same, but the buckets
//!   differ, so version 1 files are refused as incompatible: retrain them
//!   with `textanalysis train`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{FeatureKind, Model, ModelError, ModelMeta, Parts, SemanticWeights, corrupt};
use crate::classify::calibration::Platt;
use crate::classify::features::BITS;
use crate::classify::linear;

/// The first bytes of every model file.
pub const MAGIC: &[u8; 8] = b"TAMODEL\0";

/// The format version of lexical models, which this build writes and
/// reads.
pub const FORMAT_VERSION: u32 = 2;

/// The format version of models trained with semantic features, which
/// this build writes and reads too.
pub const SEMANTIC_FORMAT_VERSION: u32 = 3;

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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    semantic: Option<SemanticHeader>,
}

/// What a version 3 header says of the embedding features.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SemanticHeader {
    features: FeatureKind,
    encoder: String,
    dimensions: u64,
    scale: f64,
}

impl Model {
    /// The model as a file's bytes (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            meta: self.meta.clone(),
            features: FeatureConfig::current(),
            feature_count: self.features.len() as u64,
            training_docs: self.training_docs,
            temperature: self.temperature,
            platt: self.platt.clone(),
            semantic: self.semantic.as_ref().map(|s| SemanticHeader {
                features: s.kind,
                encoder: s.encoder.clone(),
                dimensions: s.dim as u64,
                scale: s.scale,
            }),
        };
        let json = serde_json::to_vec(&header).expect("a model header always serialises");
        let (idf, weights) = self.idf_and_weights();
        let dense: &[f32] = self.semantic.as_ref().map_or(&[], |s| &s.weights);
        let mut out = Vec::with_capacity(
            16 + json.len()
                + 4 * (self.features.len() + self.rows.len() + self.bias.len() + dense.len()),
        );
        let version = if self.semantic.is_some() {
            SEMANTIC_FORMAT_VERSION
        } else {
            FORMAT_VERSION
        };
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        for f in &self.features {
            out.extend_from_slice(&f.to_le_bytes());
        }
        for v in idf.iter().chain(&weights).chain(&self.bias).chain(dense) {
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
        if version != FORMAT_VERSION && version != SEMANTIC_FORMAT_VERSION {
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
        let dim = match (&header.semantic, version) {
            (None, FORMAT_VERSION) => 0,
            (Some(s), SEMANTIC_FORMAT_VERSION) => s.dimensions,
            (None, _) => {
                return Err(corrupt(format!(
                    "a version {version} model without its `semantic` header field"
                )));
            }
            (Some(_), _) => {
                return Err(corrupt(format!(
                    "a `semantic` header field in a version {version} model"
                )));
            }
        };
        let f = header.feature_count;
        // The exact length left, in u128 so that no header value overflows.
        let expected = 4
            * (u128::from(f) * (2 + u128::from(labels))
                + u128::from(labels)
                + u128::from(dim) * u128::from(labels));
        if expected != reader.remaining() as u128 {
            return Err(corrupt(format!(
                "{} bytes of arrays for {f} features, {dim} embedding dimensions and {labels} \
                 labels, which need {expected}",
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
        let semantic = match header.semantic {
            Some(s) => Some(SemanticWeights {
                kind: s.features,
                encoder: s.encoder,
                dim: dim as usize,
                scale: s.scale,
                weights: reader.array(dim as usize * labels, f32::from_le_bytes)?,
            }),
            None => None,
        };
        Model::from_parts(Parts {
            meta: header.meta,
            features,
            idf,
            weights,
            bias,
            temperature: header.temperature,
            platt: header.platt,
            training_docs: header.training_docs,
            semantic,
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
pub(super) fn json_stable(v: f64) -> f64 {
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

#[cfg(test)]
mod tests;
