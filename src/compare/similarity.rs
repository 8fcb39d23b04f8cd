//! Document-level similarity measures and the calibrated overall `score`.
//!
//! # Measures
//!
//! All in `[0, 1]`:
//!
//! - `cosine`: tf-idf cosine over stemmed content words (stopwords removed),
//!   idf as in [`super::vectors`];
//! - `word_cosine`: cosine of the counts of all normalised words, stopwords
//!   included (they carry negation, tense and number: "a man" / "no man");
//! - `char_cosine`: cosine of the counts of character trigrams of the
//!   normalised words, with word-boundary marks: morphology ("shreded" /
//!   "shredded", "kill" / "killed") and names written differently still
//!   overlap;
//! - `jaccard`, `containment_a`, `containment_b`: over the sets of
//!   [`SHINGLE_SIZE`](super::prepare::SHINGLE_SIZE)-word shingles;
//! - `numbers`: Jaccard of the sets of words holding a digit, 1 when neither
//!   text has any (a different figure changes the meaning of a sentence);
//! - `length_ratio`: shorter over longer text, in words.
//!
//! # Score
//!
//! `score = clamp(b + Σ wᵢ·fᵢ, 0, 1)`: a linear model fitted by least squares
//! to the STS Benchmark training pairs (`stsb_train.csv`, 5,749 sentence
//! pairs, gold similarity 0–5 divided by 5), by
//! `cargo run --release --example eval_compare -- <data> --fit`. Least
//! squares to `gold / 5` makes the score read as "human similarity / 5".
//! The same function serves sentences and whole documents: every feature is
//! a normalised overlap that means the same thing at both scales.

use super::prepare::Prepared;
use super::vectors::{TermSpace, document_cosine, ratio};

/// Number of features of the score model.
pub const FEATURES: usize = 9;

/// Names of the features, in model order.
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "cosine",
    "word_cosine",
    "char_cosine",
    "jaccard",
    "containment_min",
    "numbers",
    "length_ratio",
    "word_jaccard",
    "term_overlap",
];

/// Intercept of the score model (see the module docs for its origin).
pub const INTERCEPT: f64 = 0.0545;

/// Weights of the score model, in [`FEATURE_NAMES`] order; fitted on
/// `stsb_train.csv` by `examples/eval_compare.rs --fit`.
pub const WEIGHTS: [f64; FEATURES] = [
    0.4865, -0.0499, 0.1545, -0.1191, -0.0799, 0.0455, -0.0527, 0.4193, 0.0511,
];

/// The measures of one pair of documents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    /// tf-idf cosine over stemmed content words.
    pub cosine: f64,
    /// Cosine of all normalised word counts.
    pub word_cosine: f64,
    /// Cosine of character trigram counts.
    pub char_cosine: f64,
    /// Jaccard index of the shingle sets.
    pub jaccard: f64,
    /// Share of A's shingles found in B.
    pub containment_a: f64,
    /// Share of B's shingles found in A.
    pub containment_b: f64,
    /// Jaccard of the sets of numbers (1 when neither has any).
    pub numbers: f64,
    /// Shorter over longer length in words (1 when both are empty).
    pub length_ratio: f64,
    /// Jaccard index of the sets of normalised words, stopwords included.
    pub word_jaccard: f64,
    /// Share of the distinct stemmed content terms of the text with fewer
    /// of them that the other text has too (the overlap coefficient).
    pub term_overlap: f64,
}

impl Measures {
    /// Computes every measure of the pair.
    pub fn new(space: &TermSpace, a: &Prepared<'_, '_>, b: &Prepared<'_, '_>) -> Self {
        let cosine = document_cosine(space, a, b);
        let (word_cosine, word_jaccard) = {
            let mut x: Vec<u64> = a.words.iter().map(|w| w.hash).collect();
            let mut y: Vec<u64> = b.words.iter().map(|w| w.hash).collect();
            x.sort_unstable();
            y.sort_unstable();
            let cosine = count_cosine(&x, &y);
            x.dedup();
            y.dedup();
            let shared = intersection(&x, &y) as f64;
            let union = (x.len() + y.len()) as f64 - shared;
            (
                cosine,
                if union == 0.0 {
                    1.0
                } else {
                    ratio(shared, union)
                },
            )
        };
        let term_overlap = {
            let set = |p: &Prepared<'_, '_>, ids: &[u32]| {
                let mut v: Vec<u32> = p
                    .doc
                    .sentences
                    .iter()
                    .flat_map(|s| s.terms.iter())
                    .filter_map(|&t| ids.get(t as usize).copied())
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let (x, y) = (set(a, &space.a_ids), set(b, &space.b_ids));
            let shared = intersection(&x, &y) as f64;
            if x.is_empty() && y.is_empty() {
                1.0
            } else {
                ratio(shared, x.len().min(y.len()).max(1) as f64)
            }
        };
        let char_cosine = count_cosine(&a.trigrams, &b.trigrams);
        let shared = intersection(&a.shingles, &b.shingles) as f64;
        let union = (a.shingles.len() + b.shingles.len()) as f64 - shared;
        let (jaccard, containment_a, containment_b) = if union == 0.0 {
            // Neither text has a word: they are alike.
            (1.0, 1.0, 1.0)
        } else {
            (
                ratio(shared, union),
                ratio(shared, a.shingles.len() as f64),
                ratio(shared, b.shingles.len() as f64),
            )
        };
        let numbers = {
            let set = |p: &Prepared<'_, '_>| {
                let mut v: Vec<u64> = p
                    .words
                    .iter()
                    .filter(|w| w.numeric)
                    .map(|w| w.hash)
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let (x, y) = (set(a), set(b));
            let shared = intersection(&x, &y) as f64;
            let union = (x.len() + y.len()) as f64 - shared;
            if union == 0.0 {
                1.0
            } else {
                ratio(shared, union)
            }
        };
        let (la, lb) = (a.words.len(), b.words.len());
        let length_ratio = if la.max(lb) == 0 {
            1.0
        } else {
            la.min(lb) as f64 / la.max(lb) as f64
        };
        Self {
            cosine,
            word_cosine,
            char_cosine,
            jaccard,
            containment_a,
            containment_b,
            numbers,
            length_ratio,
            word_jaccard,
            term_overlap,
        }
    }

    /// The features of the score model, in [`FEATURE_NAMES`] order.
    pub fn features(&self) -> [f64; FEATURES] {
        [
            self.cosine,
            self.word_cosine,
            self.char_cosine,
            self.jaccard,
            self.containment_a.min(self.containment_b),
            self.numbers,
            self.length_ratio,
            self.word_jaccard,
            self.term_overlap,
        ]
    }

    /// The calibrated overall score, in `[0, 1]`.
    pub fn score(&self) -> f64 {
        score_with(&self.features(), INTERCEPT, &WEIGHTS)
    }
}

/// `clamp(intercept + Σ wᵢ·fᵢ, 0, 1)`; 0 if anything is not finite.
pub fn score_with(features: &[f64; FEATURES], intercept: f64, weights: &[f64; FEATURES]) -> f64 {
    let s = intercept
        + features
            .iter()
            .zip(weights)
            .map(|(f, w)| f * w)
            .sum::<f64>();
    if s.is_finite() {
        s.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Size of the intersection of two sorted, deduplicated lists.
pub fn intersection<T: Ord>(x: &[T], y: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Cosine of two multisets given as sorted lists (repeats are counts).
pub fn count_cosine<T: Ord>(x: &[T], y: &[T]) -> f64 {
    let runs = |v: &[T]| -> f64 {
        v.chunk_by(|p, q| p == q)
            .map(|r| (r.len() * r.len()) as f64)
            .sum()
    };
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let (si, sj) = (i, j);
                while i < x.len() && x[i] == x[si] {
                    i += 1;
                }
                while j < y.len() && y[j] == y[sj] {
                    j += 1;
                }
                dot += ((i - si) * (j - sj)) as f64;
            }
        }
    }
    ratio(dot, (runs(x) * runs(y)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Document, Language};

    fn measures(a: &str, b: &str) -> Measures {
        let (a, b) = (
            Document::analyze(a, Language::from_code("en")),
            Document::analyze(b, Language::from_code("en")),
        );
        let (pa, pb) = (Prepared::new(&a), Prepared::new(&b));
        Measures::new(&TermSpace::new(&pa, &pb), &pa, &pb)
    }

    #[test]
    fn identical_texts_score_high_and_unrelated_low() {
        let same = measures("A man is slicing a tomato.", "A man is slicing a tomato.");
        assert!(same.score() > 0.9, "{same:?}");
        let other = measures(
            "A man is slicing a tomato.",
            "The stock market fell sharply on Friday.",
        );
        assert!(other.score() < 0.3, "{other:?}");
        assert!(
            same.score()
                > measures("A man is slicing a tomato.", "A woman is slicing an onion.").score()
        );
    }

    #[test]
    fn containment_is_directional() {
        let m = measures(
            "The talks in Vienna went on for hours.",
            "The talks in Vienna went on for hours. Then everyone went home to sleep.",
        );
        assert!((m.containment_a - 1.0).abs() < 1e-12);
        assert!(m.containment_b < 0.6);
        assert!(m.jaccard <= m.containment_b);
    }

    #[test]
    fn empty_texts_are_finite() {
        for (a, b) in [("", ""), ("!!!", "Word"), ("Word", "")] {
            let m = measures(a, b);
            for f in m.features() {
                assert!(f.is_finite() && (0.0..=1.0).contains(&f));
            }
            assert!(m.score().is_finite());
        }
    }

    #[test]
    fn count_cosine_counts_repeats() {
        assert!((count_cosine(&[1, 1, 2], &[1, 1, 2]) - 1.0).abs() < 1e-12);
        assert_eq!(count_cosine::<u32>(&[], &[1]), 0.0);
        assert_eq!(intersection(&[1, 2, 3], &[2, 3, 4]), 2);
    }
}
