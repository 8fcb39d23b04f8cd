//! Document-level similarity measures and the calibrated overall `score`.
//!
//! # Measures
//!
//! All in `[0, 1]`, computed from what [`Prepared`] holds (each text is
//! analysed and prepared once per comparison):
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
//! - `length_ratio`: shorter over longer text, in words;
//! - `word_jaccard`: Jaccard of the sets of normalised words;
//! - `term_overlap`: overlap coefficient of the sets of stemmed content terms;
//! - `content_ngram_min`, `content_ngram_max`: the clipped precision (BLEU's
//!   modified n-gram precision; ROUGE-N recall the other way round) of the
//!   [`CONTENT_NGRAM`]-grams of each text's content words in text order,
//!   the lower and the higher of the two directions: content words in the
//!   same order;
//! - `unmatched_content`, `unmatched_words`: for each text, the share of its
//!   content words (of all its words) that the other text does not have,
//!   each word weighed by its length; the larger of the two texts (an extra
//!   clause on either side, which makes a non-paraphrase);
//! - `negation_mismatch`: `|nₐ − n_b| / max(nₐ, n_b)` over the numbers of
//!   English negations ("not", "no", "never", "n't", … see
//!   [`crate::text::lexicon::NEGATIONS`]), 0 when neither has one;
//! - `lcs`: `2·LCS / (nₐ + n_b)` of the normalised word sequences, over the
//!   first [`LCS_MAX_WORDS`] words of each (all of any sentence).
//!
//! The model also reads `max(containment_a, containment_b)`.
//!
//! # Score
//!
//! `score = σ(b + Σ wᵢ·fᵢ)`, `σ(z) = 1 / (1 + e^−z)`: a logistic
//! regression with soft targets. There are two models:
//!
//! - the lexical model, over the 16 features of [`FEATURE_NAMES`]
//!   ([`INTERCEPT`], [`WEIGHTS`]), used in lexical mode;
//! - the semantic model, over the same and `semantic`, the cosine of the two
//!   documents' embeddings ([`SEMANTIC_FEATURE_NAMES`],
//!   [`SEMANTIC_INTERCEPT`], [`SEMANTIC_WEIGHTS`]), used whenever the
//!   comparison has it. The embeddings read meaning the words miss
//!   (paraphrases that share no word); the lexical features read what the
//!   embeddings blur (a different number, a negation, a clause one side
//!   lacks).
//!
//! Both are fitted jointly on
//!
//! - the STS Benchmark training pairs (`stsb_train.csv`, 5,749 sentence
//!   pairs), target gold similarity / 5, and
//! - the first half of MSRP (`msrp_train.tsv`, 2,038 pairs), target 0.95
//!   for a paraphrase and 0.3 for a non-paraphrase (pairs of this corpus
//!   share most of their words either way), the whole half weighing 4 times
//!   the whole of STS-B for the lexical model and as much as STS-B for the
//!   semantic model,
//!
//! minimising the weighted cross-entropy with a small ridge penalty by
//! Newton's method: `cargo run --release --example eval_compare -- <data>
//! --fit` prints the constants below. The MSRP weights and targets were
//! chosen by cross-validation on the training pairs (the semantic model's
//! weight by the cross-validation `--fit` prints: weighed 4 times, MSRP's
//! pairs, which all share most of their words, teach it to trust words
//! over meaning, and paraphrases without a shared word score low); neither
//! `stsb_dev.csv` nor MSRP's second half was used to choose anything. The
//! score reads as "human similarity / 5" bent towards the paraphrase
//! boundary (MSRP paraphrases score above about 0.6). The same function
//! serves sentences and whole documents: every feature is a normalised
//! overlap, ratio or cosine that means the same thing at both scales.
//!
//! The figures through the service are in the README's Comparison table
//! (`cargo run --release --example eval_compare -- <data>`).

use super::prepare::Prepared;
use super::vectors::{TermSpace, document_cosine, ratio};

mod overlap;

use overlap::{WORD_KEY, content_ngrams, sorted_words, unmatched};
pub use overlap::{count_cosine, intersection, lcs_len};

/// Number of features of the score model.
pub const FEATURES: usize = 16;

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
    "containment_max",
    "content_ngram_min",
    "content_ngram_max",
    "unmatched_content",
    "unmatched_words",
    "negation_mismatch",
    "lcs",
];

/// Words per n-gram of content words in `content_ngram_min` / `_max`.
pub const CONTENT_NGRAM: usize = 4;

/// Words of each text, from its start, over which `lcs` is computed: the
/// whole of any sentence or paragraph, the opening of a longer document
/// (about 3 KB of English), which bounds the cost (`O(n·m/64)`).
pub const LCS_MAX_WORDS: usize = 512;

/// Seed of the content n-gram hash (distinct from the shingle seed).
const CONTENT_NGRAM_SEED: u64 = 0x434f_4e54_454e_5434; // "CONTENT4"

/// Intercept of the score model (see the module docs for its origin).
pub const INTERCEPT: f64 = -2.2621;

/// Weights of the score model, in [`FEATURE_NAMES`] order; fitted on
/// `stsb_train.csv` and the first half of `msrp_train.tsv` by
/// `examples/eval_compare.rs --fit`. Several features are correlated
/// (containments, unmatched shares), so single weights are not read alone.
pub const WEIGHTS: [f64; FEATURES] = [
    1.2846, -0.8615, 1.3883, 1.6474, 1.1394, 0.3123, 0.5280, 0.6659, 0.9323, -3.1922, 0.5130,
    -0.6974, 2.1477, -3.2494, -0.5087, 2.0600,
];

/// Number of features of the semantic score model: the lexical ones, then
/// `semantic`.
pub const SEMANTIC_FEATURES: usize = FEATURES + 1;

/// Names of the semantic model's features, in model order: the lexical
/// model's, then `semantic` (derived, so the two lists cannot drift apart).
pub const SEMANTIC_FEATURE_NAMES: [&str; SEMANTIC_FEATURES] = {
    let mut names = [""; SEMANTIC_FEATURES];
    let mut i = 0;
    while i < FEATURES {
        names[i] = FEATURE_NAMES[i];
        i += 1;
    }
    names[FEATURES] = "semantic";
    names
};

/// Intercept of the semantic score model, used when the documents were
/// embedded: fitted as [`INTERCEPT`] is, on the same pairs, with
/// `semantic` as a seventeenth feature and MSRP's half weighing as much as
/// STS-B (see the module docs).
pub const SEMANTIC_INTERCEPT: f64 = -3.0588;

/// Weights of the semantic score model, in [`SEMANTIC_FEATURE_NAMES`]
/// order. `semantic` weighs most, and the lexical features it makes
/// redundant (tf-idf cosine, word overlaps, the common subsequence) lose
/// most of their weight; those it reads poorly (numbers, negations, words
/// one side lacks, shingles) keep theirs.
pub const SEMANTIC_WEIGHTS: [f64; SEMANTIC_FEATURES] = [
    0.2541, -0.1846, 0.5747, 0.5689, 1.0406, 0.4401, 0.0050, 0.3607, 0.5195, -1.6819, 0.6290,
    -0.4959, 1.2839, -1.9533, -0.3701, 0.2850, 3.7178,
];

/// The measures of one pair of documents (all 0 by default: a comparison
/// cut short by its deadline).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
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
    /// Lower of the two directional clipped precisions of content-word
    /// [`CONTENT_NGRAM`]-grams.
    pub content_ngram_min: f64,
    /// Higher of the two.
    pub content_ngram_max: f64,
    /// Larger, over the two texts, of the length-weighted share of a text's
    /// content words that the other text does not have.
    pub unmatched_content: f64,
    /// The same over all words, stopwords included.
    pub unmatched_words: f64,
    /// `|nₐ − n_b| / max(nₐ, n_b)` of the numbers of negation words, 0 when
    /// neither text has one.
    pub negation_mismatch: f64,
    /// Longest common subsequence of the normalised words, as
    /// `2·LCS / (nₐ + n_b)` over the first [`LCS_MAX_WORDS`] words of each.
    pub lcs: f64,
    /// Cosine of the two documents' embeddings, clamped to `[0, 1]`; `None`
    /// without an embedder (lexical mode). Not computed here: the
    /// comparison sets it once it has embedded the documents.
    pub semantic: Option<f64>,
}

impl Measures {
    /// Computes every measure of the pair.
    pub fn new(space: &TermSpace, a: &Prepared<'_, '_>, b: &Prepared<'_, '_>) -> Self {
        let cosine = document_cosine(space, a, b);
        let (word_cosine, word_jaccard, unmatched_content, unmatched_words) = {
            let (sa, sb) = (sorted_words(a), sorted_words(b));
            let mut x: Vec<u64> = sa.iter().map(|w| w & WORD_KEY).collect();
            let mut y: Vec<u64> = sb.iter().map(|w| w & WORD_KEY).collect();
            let cosine = count_cosine(&x, &y);
            x.dedup();
            y.dedup();
            let shared = intersection(&x, &y) as f64;
            let union = (x.len() + y.len()) as f64 - shared;
            let (content_a, words_a) = unmatched(&sa, &y);
            let (content_b, words_b) = unmatched(&sb, &x);
            (
                cosine,
                if union == 0.0 {
                    1.0
                } else {
                    ratio(shared, union)
                },
                content_a.max(content_b),
                words_a.max(words_b),
            )
        };
        let (content_ngram_min, content_ngram_max) = {
            let (x, y) = (content_ngrams(a), content_ngrams(b));
            if x.is_empty() && y.is_empty() {
                // Neither text has a content word: they are alike.
                (1.0, 1.0)
            } else {
                let shared = intersection(&x, &y) as f64;
                let (p, q) = (ratio(shared, x.len() as f64), ratio(shared, y.len() as f64));
                (p.min(q), p.max(q))
            }
        };
        let negation_mismatch = {
            let count = |p: &Prepared<'_, '_>| p.words().iter().filter(|w| w.negation).count();
            let (x, y) = (count(a), count(b));
            ratio(x.abs_diff(y) as f64, x.max(y) as f64)
        };
        let lcs = {
            let (x, y) = (
                &a.words()[..a.words().len().min(LCS_MAX_WORDS)],
                &b.words()[..b.words().len().min(LCS_MAX_WORDS)],
            );
            if x.is_empty() && y.is_empty() {
                1.0
            } else {
                ratio(2.0 * lcs_len(x, y) as f64, (x.len() + y.len()) as f64)
            }
        };
        let term_overlap = {
            let set = |p: &Prepared<'_, '_>, ids: &[u32]| {
                let mut v: Vec<u32> = p
                    .sentences()
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
                    .words()
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
        let (la, lb) = (a.words().len(), b.words().len());
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
            content_ngram_min,
            content_ngram_max,
            unmatched_content,
            unmatched_words,
            negation_mismatch,
            lcs,
            semantic: None,
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
            self.containment_a.max(self.containment_b),
            self.content_ngram_min,
            self.content_ngram_max,
            self.unmatched_content,
            self.unmatched_words,
            self.negation_mismatch,
            self.lcs,
        ]
    }

    /// The features of the semantic score model, in
    /// [`SEMANTIC_FEATURE_NAMES`] order; `None` without `semantic`.
    pub fn semantic_features(&self) -> Option<[f64; SEMANTIC_FEATURES]> {
        let semantic = self.semantic?;
        let lexical = self.features();
        Some(std::array::from_fn(|i| {
            lexical.get(i).copied().unwrap_or(semantic)
        }))
    }

    /// The calibrated overall score, in `[0, 1]`: the semantic model's
    /// when `semantic` is set, the lexical model's otherwise.
    pub fn score(&self) -> f64 {
        match self.semantic_features() {
            Some(f) => score_with(&f, SEMANTIC_INTERCEPT, &SEMANTIC_WEIGHTS),
            None => score_with(&self.features(), INTERCEPT, &WEIGHTS),
        }
    }
}

/// `σ(intercept + Σ wᵢ·fᵢ)`, with `σ(z) = 1 / (1 + e^−z)`; 0 if anything
/// is not finite.
pub fn score_with<const N: usize>(features: &[f64; N], intercept: f64, weights: &[f64; N]) -> f64 {
    let z = intercept
        + features
            .iter()
            .zip(weights)
            .map(|(f, w)| f * w)
            .sum::<f64>();
    if z.is_finite() { logistic(z) } else { 0.0 }
}

/// The logistic function, in `[0, 1]`.
pub fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests;
