//! The dense half of a model trained with semantic features: what a model
//! reads of a text ([`FeatureKind`]), and the weights of the sentence
//! encoder's document embedding beside (or instead of) the hashed tf-idf
//! features ([`SemanticWeights`]).
//!
//! An embedding is the encoder's vector of the whole text, unit length. In
//! training it becomes `dim` dense features of value `scale · e_d`
//! appended to the document's unit-length tf-idf vector (see
//! [`crate::classify::train`]); the stored weights have the scale folded
//! in, so that scoring adds `Σ_d e_d · weight[d][l]` to a label's sum and
//! needs no scale. The scale is recorded all the same: it says how the
//! model was trained, and a model trained at another scale is another
//! model.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a model reads of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum FeatureKind {
    /// Hashed unigrams and bigrams, tf-idf weighted: words alone.
    #[default]
    #[serde(rename = "lexical")]
    Lexical,
    /// The sentence encoder's document embedding alone.
    #[serde(rename = "semantic")]
    Semantic,
    /// Both, side by side in one linear model.
    #[serde(rename = "lexical+semantic")]
    LexicalSemantic,
}

impl FeatureKind {
    /// Every kind, in the order of their names.
    pub const ALL: [FeatureKind; 3] = [
        FeatureKind::Lexical,
        FeatureKind::Semantic,
        FeatureKind::LexicalSemantic,
    ];

    /// Whether the model reads words (tf-idf features).
    pub fn lexical(self) -> bool {
        self != FeatureKind::Semantic
    }

    /// Whether the model reads the encoder's embedding, and so needs the
    /// encoder to score a text.
    pub fn semantic(self) -> bool {
        self != FeatureKind::Lexical
    }

    /// The name the command line, the model file and ListModels use.
    pub fn name(self) -> &'static str {
        match self {
            FeatureKind::Lexical => "lexical",
            FeatureKind::Semantic => "semantic",
            FeatureKind::LexicalSemantic => "lexical+semantic",
        }
    }
}

impl fmt::Display for FeatureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FeatureKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FeatureKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown features `{s}`: lexical, semantic or lexical+semantic"))
    }
}

/// The embedding features of a model: which encoder's vectors they are
/// and their weights.
#[derive(Debug, Clone, PartialEq)]
pub struct SemanticWeights {
    /// [`FeatureKind::Semantic`] or [`FeatureKind::LexicalSemantic`].
    pub kind: FeatureKind,
    /// The encoder's name (`all-MiniLM-L6-v2`): a server with another
    /// encoder refuses the model, whose weights mean nothing for another
    /// model's vectors.
    pub encoder: String,
    /// The embeddings' dimension.
    pub dim: usize,
    /// The factor the embedding was multiplied by in training.
    pub scale: f64,
    /// `dim × labels` weights, dimension-major, the scale folded in.
    pub weights: Vec<f32>,
}

impl SemanticWeights {
    /// Adds the embedding's contribution to each label's sum. An embedding
    /// of another dimension adds nothing: the callers check the encoder
    /// first, and scoring never panics.
    pub fn add_to(&self, embedding: &[f32], sums: &mut [f32]) {
        let labels = sums.len();
        if embedding.len() != self.dim || self.weights.len() != self.dim * labels {
            return;
        }
        for (&e, row) in embedding.iter().zip(self.weights.chunks_exact(labels)) {
            if !e.is_finite() {
                continue;
            }
            for (s, w) in sums.iter_mut().zip(row) {
                *s += e * w;
            }
        }
    }

    /// Why the model cannot be used with the encoder `name` of dimension
    /// `dim`, if it cannot.
    pub fn mismatch(&self, name: &str, dim: usize) -> Option<String> {
        (self.encoder != name || self.dim != dim).then(|| {
            format!(
                "trained on the embeddings of encoder `{}` ({} dimensions), but the loaded \
                 encoder is `{name}` ({dim} dimensions): retrain it with this encoder",
                self.encoder, self.dim
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_and_print_their_names() {
        for kind in FeatureKind::ALL {
            assert_eq!(kind.name().parse::<FeatureKind>(), Ok(kind));
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.name())
            );
        }
        assert!("words".parse::<FeatureKind>().is_err());
        assert!(FeatureKind::Lexical.lexical() && !FeatureKind::Lexical.semantic());
        assert!(!FeatureKind::Semantic.lexical() && FeatureKind::Semantic.semantic());
        assert!(FeatureKind::LexicalSemantic.lexical() && FeatureKind::LexicalSemantic.semantic());
    }

    #[test]
    fn weights_add_the_embedding_and_ignore_another_dimension() {
        let w = SemanticWeights {
            kind: FeatureKind::Semantic,
            encoder: "fake".into(),
            dim: 2,
            scale: 1.0,
            weights: vec![1.0, -1.0, 0.5, 2.0],
        };
        let mut sums = [0.0, 0.0];
        w.add_to(&[0.6, 0.8], &mut sums);
        assert!((sums[0] - 1.0).abs() < 1e-6 && (sums[1] - 1.0).abs() < 1e-6);
        let mut untouched = [0.0, 0.0];
        w.add_to(&[1.0, 0.0, 0.0], &mut untouched);
        assert_eq!(untouched, [0.0, 0.0]);
        assert!(w.mismatch("fake", 2).is_none());
        assert!(
            w.mismatch("fake", 3)
                .unwrap()
                .contains("`fake` (2 dimensions)")
        );
        assert!(w.mismatch("other", 2).is_some());
    }
}
