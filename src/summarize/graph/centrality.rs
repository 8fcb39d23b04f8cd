//! Step 5 of the module doc: ranking the sentences of a built graph.
//! [`Graph::pagerank`] is weighted PageRank by power iteration, and
//! [`centrality`], the entry point of TextRank and LexRank, builds the graph
//! with their similarity and ranks it, leaving sentences without content at
//! 0.

use super::{DAMPING, Graph, MAX_ITERATIONS, PairStats, SentenceVectors, TOLERANCE};

impl Graph {
    /// Weighted PageRank by power iteration: each node's score is
    /// `(1 − d) / n + d · (Σ_j w_ij / s_j · p_j + dangling / n)`, where `s_j`
    /// is node `j`'s total edge weight and `dangling` the score of nodes
    /// without edges, which teleport uniformly. The scores are positive and
    /// sum to 1; an empty graph gives an empty vector.
    pub fn pagerank(&self) -> Vec<f64> {
        let n = self.len();
        if n == 0 {
            return Vec::new();
        }
        let nf = n as f64;
        let mut rank = vec![1.0 / nf; n];
        let mut next = vec![0.0; n];
        let mut share = vec![0.0; n];
        for _ in 0..MAX_ITERATIONS {
            if self.deadline.expired() {
                break;
            }
            let mut dangling = 0.0;
            for ((s, &p), &strength) in share.iter_mut().zip(&rank).zip(&self.strength) {
                if strength > 0.0 {
                    *s = p / strength;
                } else {
                    *s = 0.0;
                    dangling += p;
                }
            }
            let base = (1.0 - DAMPING) / nf + DAMPING * dangling / nf;
            let mut change = 0.0;
            for (i, (out, &old)) in next.iter_mut().zip(&rank).enumerate() {
                let flow: f64 = self.neighbours(i).iter().map(|&(j, w)| w * share[j]).sum();
                *out = base + DAMPING * flow;
                change += (*out - old).abs();
            }
            std::mem::swap(&mut rank, &mut next);
            if change < TOLERANCE {
                break;
            }
        }
        rank
    }
}

/// Graph centrality of every sentence: PageRank over the sentence
/// graph whose edge weights `weight` gives (see [`Graph::build`]). Sentences
/// without content terms score 0 rather than the teleport share every
/// isolated sentence gets, so they rank below any sentence with content.
pub fn centrality(
    vectors: &SentenceVectors,
    weight: impl Fn(&SentenceVectors, usize, usize, PairStats) -> f64,
) -> Vec<f64> {
    let graph = Graph::build(vectors, |i, j, stats| weight(vectors, i, j, stats));
    let mut scores = graph.pagerank();
    for (i, score) in scores.iter_mut().enumerate() {
        if vectors.is_empty_sentence(i) {
            *score = 0.0;
        }
    }
    scores
}
