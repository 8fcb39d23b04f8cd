//! The semantic layer as the analysis core sees it: [`Embedding`]s, unit
//! vectors whose cosine says how close two texts' meanings are, and the
//! [`Embedder`] that makes them.
//!
//! The analyses that read meaning (Compare's semantic similarity and
//! alignment, zero-shot topics, semantic summaries, Embed) take an
//! `Option<&dyn Embedder>`: the caller decides whether a model is loaded,
//! and the core neither finds nor owns one. The real embedder is the
//! sentence encoder ([`crate::encoder`], feature `semantic`), which most of
//! the core's builds (the fuzz targets) leave out; through this trait the
//! core compiles without it, and its unit tests run on a small fake whose
//! vectors they can reason about.

use std::fmt::Debug;

use crate::deadline::Deadline;
use crate::text::Document;

/// A text's embedding: a unit vector (L2 norm 1) of the embedder's
/// dimension, or the zero vector for a text that has none (an empty sum).
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding(Box<[f32]>);

impl Embedding {
    /// The unit vector in the direction of `values`; a zero vector stays
    /// zero, and its cosine with anything is 0.
    pub fn normalised(mut values: Vec<f32>) -> Embedding {
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 && norm.is_finite() {
            values.iter_mut().for_each(|v| *v /= norm);
        } else {
            values.iter_mut().for_each(|v| *v = 0.0);
        }
        Embedding(values.into_boxed_slice())
    }

    /// An embedding read back from storage: kept bit for bit when it is
    /// one already (unit length, or zero, to within rounding), so that a
    /// stored embedding is the one the encoder made; normalised otherwise.
    pub fn restored(values: Vec<f32>) -> Embedding {
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if values.iter().all(|v| v.is_finite()) && (norm == 0.0 || (norm - 1.0).abs() < 1e-4) {
            Embedding(values.into_boxed_slice())
        } else {
            Embedding::normalised(values)
        }
    }

    /// The direction of the weighted sum of `parts`: how a text embedded in
    /// pieces (chunks, sentences) is embedded whole. Weights are usually
    /// token or word counts, so that every token weighs the same whichever
    /// piece it fell in. No parts, or weights all zero, give the zero
    /// vector of dimension `dim`.
    pub fn weighted_mean<'e>(
        dim: usize,
        parts: impl IntoIterator<Item = (&'e Embedding, f32)>,
    ) -> Embedding {
        let mut sum = vec![0f32; dim];
        for (part, weight) in parts {
            for (s, v) in sum.iter_mut().zip(part.values()) {
                *s += weight * v;
            }
        }
        Embedding::normalised(sum)
    }

    /// The vector's components.
    pub fn values(&self) -> &[f32] {
        &self.0
    }

    /// Its dimension.
    pub fn dim(&self) -> usize {
        self.0.len()
    }
}

/// The cosine of two embeddings, in [-1, 1]: their dot product, since both
/// are unit vectors (0 when either is the zero vector). Embeddings of
/// different dimensions (two models) are compared on their common prefix,
/// which means nothing: don't.
pub fn cosine(a: &Embedding, b: &Embedding) -> f32 {
    debug_assert_eq!(a.dim(), b.dim(), "embeddings of different models");
    let dot: f32 = a.0.iter().zip(b.0.iter()).map(|(x, y)| x * y).sum();
    dot.clamp(-1.0, 1.0)
}

/// What an embedder is, as ListModels and Embed report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedderInfo {
    /// The model's name (its directory's, e.g. `all-MiniLM-L6-v2`).
    pub name: String,
    /// The embeddings' dimension.
    pub dim: usize,
    /// The most tokens the model reads at once; longer texts are embedded
    /// in pieces and pooled. 0: no limit.
    pub max_tokens: usize,
}

/// Turns texts into embeddings. Shared by every analysis worker, so `&self`
/// and thread-safe.
pub trait Embedder: Send + Sync + Debug {
    /// The model's name and dimensions.
    fn info(&self) -> &EmbedderInfo;

    /// Embeds each text, in order, batching them as it sees fit. Stops
    /// with [`EmbedError::DeadlineExceeded`] once `deadline` has passed,
    /// looking at the clock between batches.
    fn embed(&self, texts: &[&str], deadline: Deadline) -> Result<Vec<Embedding>, EmbedError>;
}

/// Why [`Embedder::embed`] failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmbedError {
    /// The deadline passed before every text was embedded.
    #[error("the deadline passed while embedding")]
    DeadlineExceeded,
    /// The tokenizer failed on a text.
    #[error("cannot tokenize text {index}: {reason}")]
    Tokenize {
        /// The text's index in the call.
        index: usize,
        /// The tokenizer's message.
        reason: String,
    },
    /// The model failed while running (a bug or an exhausted resource, not
    /// a property of the input).
    #[error("the encoder's model failed: {0}")]
    Model(String),
}

/// A document's embeddings, as [`embed`] returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentEmbedding {
    /// The whole text's embedding (in chunks when it is longer than the
    /// model reads at once, pooled by tokens).
    pub document: Embedding,
    /// Each sentence's, in document order; empty unless asked for.
    pub sentences: Vec<Embedding>,
}

/// Embeds an analysed document whole and, with `sentences`, each of its
/// sentences, all in one call of the embedder so that they share its
/// batches: the Embed call's core.
pub fn embed(
    doc: &Document<'_>,
    embedder: &dyn Embedder,
    sentences: bool,
) -> Result<DocumentEmbedding, EmbedError> {
    let mut texts = vec![doc.text];
    if sentences {
        texts.extend(doc.sentences.iter().map(|s| &doc.text[s.span.clone()]));
    }
    let mut embeddings = embedder.embed(&texts, doc.deadline)?.into_iter();
    let document = embeddings
        .next()
        .ok_or_else(|| EmbedError::Model("no embedding returned".into()))?;
    Ok(DocumentEmbedding {
        document,
        sentences: embeddings.collect(),
    })
}

#[cfg(test)]
pub(crate) mod fake {
    //! An embedder for the core's unit tests: each text's vector counts its
    //! lower-cased words in a few hashed buckets, with the synonyms of
    //! [`SYNONYMS`] sharing one bucket, so that tests can write
    //! paraphrases with no word in common that it embeds close together.

    use super::*;

    /// Word pairs the fake embeds as the same word.
    pub const SYNONYMS: [(&str, &str); 6] = [
        ("car", "automobile"),
        ("purchase", "buy"),
        ("physician", "doctor"),
        ("large", "big"),
        ("rapidly", "quickly"),
        ("inexpensive", "cheap"),
    ];

    /// The fake embedder, of dimension [`FakeEmbedder::DIM`].
    #[derive(Debug)]
    pub struct FakeEmbedder(EmbedderInfo);

    impl FakeEmbedder {
        /// Its dimension: enough buckets that a test's few words rarely
        /// collide.
        pub const DIM: usize = 256;

        pub fn new() -> Self {
            Self(EmbedderInfo {
                name: "fake".into(),
                dim: Self::DIM,
                max_tokens: 512,
            })
        }
    }

    fn bucket(word: &str) -> usize {
        let word = SYNONYMS
            .iter()
            .find(|(_, b)| *b == word)
            .map_or(word, |(a, _)| a);
        let hash = word.bytes().fold(0xcbf29ce484222325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
        });
        (hash % FakeEmbedder::DIM as u64) as usize
    }

    impl Embedder for FakeEmbedder {
        fn info(&self) -> &EmbedderInfo {
            &self.0
        }

        fn embed(&self, texts: &[&str], deadline: Deadline) -> Result<Vec<Embedding>, EmbedError> {
            if deadline.expired() {
                return Err(EmbedError::DeadlineExceeded);
            }
            Ok(texts
                .iter()
                .map(|text| {
                    let mut v = vec![0f32; Self::DIM];
                    for word in text
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                    {
                        v[bucket(&word.to_lowercase())] += 1.0;
                    }
                    Embedding::normalised(v)
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::FakeEmbedder;
    use super::*;

    #[test]
    fn normalised_vectors_have_unit_norm_and_zero_stays_zero() {
        let e = Embedding::normalised(vec![3.0, 4.0]);
        assert_eq!(e.values(), &[0.6, 0.8]);
        let zero = Embedding::normalised(vec![0.0, 0.0]);
        assert_eq!(zero.values(), &[0.0, 0.0]);
        assert_eq!(cosine(&zero, &e), 0.0);
        let nan = Embedding::normalised(vec![f32::NAN, 1.0]);
        assert_eq!(cosine(&nan, &e), 0.0);
        // A stored unit vector reads back as it was; anything else is
        // normalised.
        let stored = Embedding::normalised(vec![1.0, 1.0, 1.0]);
        assert_eq!(Embedding::restored(stored.values().to_vec()), stored);
        assert_eq!(Embedding::restored(vec![0.0; 3]).values(), &[0.0; 3]);
        assert_eq!(Embedding::restored(vec![3.0, 4.0]).values(), &[0.6, 0.8]);
    }

    #[test]
    fn weighted_mean_weighs_each_part() {
        let x = Embedding::normalised(vec![1.0, 0.0]);
        let y = Embedding::normalised(vec![0.0, 1.0]);
        let m = Embedding::weighted_mean(2, [(&x, 3.0), (&y, 4.0)]);
        assert_eq!(m.values(), &[0.6, 0.8]);
        assert_eq!(Embedding::weighted_mean(2, []).values(), &[0.0, 0.0]);
    }

    #[test]
    fn a_document_embeds_whole_and_by_sentence() {
        let fake = FakeEmbedder::new();
        let doc = Document::analyze(
            "I buy a big car. It rains.",
            crate::text::Language::english(),
        );
        let e = embed(&doc, &fake, true).unwrap();
        assert_eq!(e.sentences.len(), 2);
        let alone = fake
            .embed(&["I purchase a large automobile."], Deadline::NONE)
            .unwrap();
        assert!(cosine(&e.sentences[0], &alone[0]) > 0.999);
        assert!(cosine(&e.document, &e.sentences[0]) > 0.5);
        assert!(embed(&doc, &fake, false).unwrap().sentences.is_empty());
    }

    #[test]
    fn the_fake_embeds_synonyms_alike_and_stops_at_its_deadline() {
        let fake = FakeEmbedder::new();
        let e = fake
            .embed(
                &["I buy a big car", "I purchase a large automobile", "Rain"],
                Deadline::NONE,
            )
            .unwrap();
        assert!(cosine(&e[0], &e[1]) > 0.999);
        assert!(cosine(&e[0], &e[2]) < 0.5);
        let past = Deadline::at(std::time::Instant::now());
        assert_eq!(fake.embed(&["x"], past), Err(EmbedError::DeadlineExceeded));
    }
}
