//! Continuous LexRank (Erkan & Radev 2004): sentences are nodes of a graph
//! whose edges weigh the cosine similarity of their tf-idf vectors, and a
//! sentence's score is its PageRank in that graph.
//!
//! Compared with TextRank's plain word overlap, idf weighting makes a shared
//! rare word (a name, a place) link two sentences far more strongly than a
//! shared common one, and the cosine normalises for sentence length. The
//! continuous variant keeps the cosine as the edge weight instead of
//! thresholding it into 0/1 edges, which the paper found at least as good
//! and which needs no threshold to tune. Here `tf` is a term's number of
//! occurrences in the sentence and `idf` is [`crate::text::Document::idf`]; both vectors
//! are computed once per document in [`super::graph::SentenceVectors`].
//!
//! The graph construction and PageRank are shared with TextRank in
//! [`super::graph`], which explains why the graph is sparse (candidate pairs
//! from an inverted index, capped frequent terms and neighbours) and why the
//! cost stays close to linear in the document's length.

use super::graph::{self, PairStats, SentenceVectors};

/// PageRank centrality of every sentence over tf-idf cosine similarity.
/// Sentences without content terms score 0; every other score is positive.
pub fn score(vectors: &SentenceVectors) -> Vec<f64> {
    graph::centrality(vectors, similarity)
}

/// Cosine of the tf-idf vectors of sentences `i` and `j`; 0 when either has
/// no content term.
fn similarity(vectors: &SentenceVectors, i: usize, j: usize, stats: PairStats) -> f64 {
    let norms = vectors.norm(i) * vectors.norm(j);
    if norms > 0.0 { stats.dot / norms } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Document, Language};

    fn analyze(text: &str) -> Document<'_> {
        Document::analyze(text, Language::from_code("en"))
    }

    fn cosine(v: &SentenceVectors, i: usize, j: usize) -> f64 {
        let stats = PairStats {
            shared_terms: 1,
            dot: v.dot_by_search(i, j),
        };
        similarity(v, i, j, stats)
    }

    #[test]
    fn similarity_is_the_tf_idf_cosine() {
        let doc = analyze("Wheat prices rose. Wheat prices fell. Weather was mild.");
        let v = SentenceVectors::new(&doc);
        let cos = cosine(&v, 0, 1);
        assert!((cos - v.dot_by_search(0, 1) / (v.norm(0) * v.norm(1))).abs() < 1e-12);
        assert!(cos > 0.0 && cos < 1.0);
        assert!((cosine(&v, 0, 0) - 1.0).abs() < 1e-12);
        assert_eq!(cosine(&v, 0, 2), 0.0);
    }

    #[test]
    fn rare_shared_words_weigh_more_than_common_ones() {
        // Sentences 0 and 1 share the rare "Zurich", 4 and 5 the common
        // "market"; otherwise the pairs look alike.
        let doc = analyze(
            "Zurich bankers met. Zurich regulators waited. \
             Market bankers rose. Market regulators fell. Market traders slept. Market closed.",
        );
        let v = SentenceVectors::new(&doc);
        assert!(cosine(&v, 0, 1) > cosine(&v, 4, 5));
    }
}
