//! TextRank (Mihalcea & Tarau 2004): sentences are nodes of a graph whose
//! edges weigh how many words two sentences share, normalised by their
//! lengths, and a sentence's score is its PageRank in that graph. A sentence
//! that says what many others also say is central, so it is a good summary
//! sentence.
//!
//! The similarity is the paper's
//! `|{w : w ∈ Si ∧ w ∈ Sj}| / (ln |Si| + ln |Sj|)`, counted on the
//! analysed content terms (stemmed, stopwords removed): shared distinct
//! terms over the log lengths in content terms. The log keeps long
//! sentences, which share more words by chance, from dominating. The paper
//! leaves the denominator undefined for two one-word sentences (`ln 1 +
//! ln 1 = 0`) and makes it tiny for a one-word and a two-word sentence; it
//! is floored at 1 here, so no pair weighs more than the number of terms it
//! shares.
//!
//! The graph itself (candidate pairs from an inverted index, a cap on
//! frequent terms and on neighbours per sentence, PageRank) is shared with
//! LexRank in [`super::graph`], which explains why it is built that way and
//! why its cost stays close to linear in the document's length.

use super::graph::{self, PairStats, SentenceVectors};

/// PageRank centrality of every sentence over TextRank's word-overlap
/// similarity. Sentences without content terms score 0; every other score
/// is positive.
pub fn score(vectors: &SentenceVectors) -> Vec<f64> {
    let ln = ln_term_counts(vectors);
    graph::centrality(vectors, |_, i, j, stats| similarity(&ln, i, j, stats))
}

/// `ln` of each sentence's number of content terms (repeats included), 0
/// for a sentence without content terms: once per sentence rather than
/// per pair.
fn ln_term_counts(vectors: &SentenceVectors) -> Vec<f64> {
    (0..vectors.len())
        .map(|i| (vectors.term_count(i).max(1) as f64).ln())
        .collect()
}

/// TextRank's similarity of sentences `i` and `j`, given [`ln_term_counts`].
fn similarity(ln: &[f64], i: usize, j: usize, stats: PairStats) -> f64 {
    let denominator = ln[i] + ln[j];
    f64::from(stats.shared_terms) / denominator.max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Document, Language};

    #[test]
    fn similarity_follows_the_paper_with_a_floored_denominator() {
        let doc = Document::analyze(
            "Wheat prices rose sharply today. Wheat prices fell. Wheat.",
            Language::from_code("en"),
        );
        let v = SentenceVectors::new(&doc);
        let ln = ln_term_counts(&v);
        let stats = PairStats {
            shared_terms: 2,
            dot: 0.0,
        };
        assert_eq!((v.term_count(0), v.term_count(1)), (4, 3));
        let expected = 2.0 / (4f64.ln() + 3f64.ln());
        assert!((similarity(&ln, 0, 1, stats) - expected).abs() < 1e-12);
        // One-term sentences: ln 1 + ln 1 = 0, floored at 1.
        let one = PairStats {
            shared_terms: 1,
            dot: 0.0,
        };
        assert_eq!(similarity(&ln, 2, 2, one), 1.0);
    }
}
