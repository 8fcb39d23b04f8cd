//! Steps 2 to 4 of the module doc: building the graph from the sentence
//! vectors. An inverted index of the terms under the postings cap yields
//! each sentence's candidate neighbours, dense scratch arrays accumulate
//! their [`PairStats`], the caller's weight function turns those into edge
//! weights, and each sentence keeps its strongest
//! [`super::MAX_NEIGHBOURS`]. This is where the cost stays linear in the
//! number of sentences.

use super::{Graph, Limits, SentenceVectors};

/// What the graph builder knows about a candidate pair when it asks for its
/// weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairStats {
    /// Distinct terms the two sentences share (at least 1).
    pub shared_terms: u32,
    /// Dot product of the two tf-idf vectors.
    pub dot: f64,
}

impl Graph {
    /// Builds the graph of `vectors` with the default [`Limits`]. `weight`
    /// maps a candidate pair `(i, j)` and its [`PairStats`] to an edge
    /// weight; it must be symmetric, and pairs weighing 0, less or NaN get
    /// no edge.
    pub fn build(
        vectors: &SentenceVectors,
        weight: impl Fn(usize, usize, PairStats) -> f64,
    ) -> Self {
        Self::build_with(vectors, Limits::DEFAULT, weight)
    }

    /// [`Graph::build`] with explicit limits.
    pub fn build_with(
        vectors: &SentenceVectors,
        limits: Limits,
        weight: impl Fn(usize, usize, PairStats) -> f64,
    ) -> Self {
        let n = vectors.len();
        let vocabulary_len = vectors.vocabulary_len();

        // Which terms are indexed, by their sentence frequency.
        let frequency = vectors.sentence_frequencies();
        let indexed = |f: u32| f >= 2 && f as usize <= limits.max_postings;

        // Inverted index, compressed: term t's postings are
        // `postings[starts[t]..starts[t + 1]]`, each `(sentence, weight)`.
        let mut starts = vec![0usize; vocabulary_len + 1];
        for (t, &f) in frequency.iter().enumerate() {
            starts[t + 1] = starts[t] + if indexed(f) { f as usize } else { 0 };
        }
        let mut cursor = starts.clone();
        let mut postings = vec![(0usize, 0.0f64); starts[vocabulary_len]];
        for i in 0..n {
            for (&term, &w) in vectors.terms(i).iter().zip(vectors.weights(i)) {
                let t = term as usize;
                if indexed(frequency[t]) {
                    postings[cursor[t]] = (i, w);
                    cursor[t] += 1;
                }
            }
        }

        // The terms over the cap of each sentence, compressed the same way:
        // sentence i's are `capped[capped_starts[i]..capped_starts[i + 1]]`.
        let mut capped_starts = Vec::with_capacity(n + 1);
        capped_starts.push(0);
        let mut capped: Vec<(usize, f64)> = Vec::new();
        for i in 0..n {
            for (&term, &w) in vectors.terms(i).iter().zip(vectors.weights(i)) {
                if frequency[term as usize] as usize > limits.max_postings {
                    capped.push((term as usize, w));
                }
            }
            capped_starts.push(capped.len());
        }

        // Scratch, reused for every sentence: per-candidate accumulators
        // (dense, indexed by sentence), the candidates touched, the weights
        // of the current sentence's capped terms (dense, indexed by term; 0
        // elsewhere, and tf-idf weights are always positive) and its scored
        // candidates.
        let mut dot = vec![0.0f64; n];
        let mut shared = vec![0u32; n];
        let mut touched: Vec<usize> = Vec::new();
        let mut capped_weight = vec![0.0f64; vocabulary_len];
        let mut scored: Vec<(usize, f64)> = Vec::new();
        let mut kept: Vec<(usize, usize, f64)> =
            Vec::with_capacity(n.saturating_mul(limits.max_neighbours.min(n)));

        for i in 0..n {
            if vectors.deadline().expired_at_round(i) {
                break;
            }
            touched.clear();
            for (&term, &wi) in vectors.terms(i).iter().zip(vectors.weights(i)) {
                let t = term as usize;
                if !indexed(frequency[t]) {
                    continue;
                }
                for &(j, wj) in &postings[starts[t]..starts[t + 1]] {
                    if j == i {
                        continue;
                    }
                    if shared[j] == 0 {
                        touched.push(j);
                    }
                    shared[j] += 1;
                    dot[j] += wi * wj;
                }
            }

            let own_capped = &capped[capped_starts[i]..capped_starts[i + 1]];
            for &(t, wi) in own_capped {
                capped_weight[t] = wi;
            }
            scored.clear();
            for &j in &touched {
                let mut stats = PairStats {
                    shared_terms: shared[j],
                    dot: dot[j],
                };
                shared[j] = 0;
                dot[j] = 0.0;
                if !own_capped.is_empty() {
                    for &(t, wj) in &capped[capped_starts[j]..capped_starts[j + 1]] {
                        let wi = capped_weight[t];
                        if wi > 0.0 {
                            stats.shared_terms += 1;
                            stats.dot += wi * wj;
                        }
                    }
                }
                let w = weight(i, j, stats);
                if w.is_finite() && w > 0.0 {
                    scored.push((j, w));
                }
            }

            if scored.len() > limits.max_neighbours {
                // Strongest first, ties to the earlier sentence, so that the
                // graph does not depend on the order of the postings.
                scored.select_nth_unstable_by(limits.max_neighbours, |a, b| {
                    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
                });
                scored.truncate(limits.max_neighbours);
            }
            for &(t, _) in own_capped {
                capped_weight[t] = 0.0;
            }
            kept.extend(scored.iter().map(|&(j, w)| (i, j, w)));
        }
        let mut graph = Self::from_edges(n, &kept);
        graph.deadline = vectors.deadline();
        graph
    }
}
