//! What the graph-based scorers share: sparse tf-idf vectors of the
//! sentences, a sparse symmetric weighted sentence graph, and weighted
//! PageRank over it.
//!
//! TextRank and LexRank both rank sentences by their centrality in a graph
//! whose edges are pairwise sentence similarities; they differ only in the
//! similarity. The textbook construction compares every pair of sentences,
//! which is `n²/2` similarity computations and a dense `n × n` matrix for
//! PageRank: 70 million comparisons and 140 million matrix cells for the
//! ~12,000 sentences of a 1 MiB document. This module builds the graph
//! without ever looking at pairs that share nothing.
//!
//! # Construction
//!
//! 1. [`SentenceVectors`]: every sentence as a sparse tf-idf vector (term ids
//!    sorted, `tf` = occurrences in the sentence, `idf` = [`crate::text::Document::idf`]),
//!    with its norm, computed once and shared by TextRank, LexRank and the
//!    centroid scorer.
//! 2. An inverted index term → sentences, holding only terms found in at
//!    least 2 and at most [`MAX_POSTINGS`] sentences. A sentence's
//!    candidate neighbours are the sentences on the posting lists of its
//!    terms. Terms in more sentences than the cap ("said", "year" in a long
//!    news feed) generate no candidates: they link nearly everything to
//!    nearly everything, carry little information (low idf), and would make
//!    candidate generation quadratic again. They still count in the
//!    similarity of every pair found through another term, so on short
//!    documents, where the cap never bites, the graph holds exactly the
//!    pairs with a shared term and their exact weights.
//! 3. For one sentence at a time, a walk over the posting lists accumulates,
//!    per candidate, the number of shared terms and the tf-idf dot product in
//!    dense scratch arrays indexed by sentence, with a list of the candidates
//!    touched (no hashing, no allocation per pair). Capped terms are then
//!    added by looking each candidate's capped terms up in a dense array of
//!    the current sentence's capped-term weights. The caller's
//!    weight function turns these [`PairStats`] into an edge weight.
//! 4. Each sentence keeps only its [`MAX_NEIGHBOURS`] strongest edges; the
//!    graph is the union of the kept edges (an edge stays when either end
//!    kept it), stored as symmetric compressed rows.
//! 5. [`Graph::pagerank`]: weighted PageRank by power iteration, damping
//!    [`DAMPING`], until the L1 change is below [`TOLERANCE`] or after
//!    [`MAX_ITERATIONS`] rounds. Sentences without edges are dangling nodes:
//!    their rank is spread uniformly (teleport), so scores always sum to 1.
//!
//! # Cost
//!
//! With `T` distinct indexed terms per sentence (10 to 15 in news copy), the
//! walk of step 3 visits at most `T · (MAX_POSTINGS − 1)` postings per
//! sentence, about 1,500 whatever the document's length, and each of those
//! at most as many candidates costs one weight computation plus one look-up
//! per capped term of the candidate (at most `T`). Building thus costs
//! `O(n · T² · MAX_POSTINGS)` instead of `O(n² · T)`: linear in `n`, and
//! the cap only makes the bound tighter as documents grow. The graph has at most
//! `n · MAX_NEIGHBOURS` edges, at most 60 row entries per sentence on
//! average, so one PageRank round is `O(n · MAX_NEIGHBOURS)` and the whole
//! ranking at most 100 such rounds (20 to 40 in practice). Memory is linear
//! too: vectors and postings hold one entry per distinct term per sentence,
//! the scratch arrays one slot per sentence or term.
//!
//! On the synthetic news of `benches/summarize.rs`, a ten times longer input
//! takes fewer posting visits a sentence, not more (the cap bites on most of
//! the longer input's content terms), so scoring time grows about as the
//! number of sentences, where the pairs all-pairs comparison looks at grow
//! as its square.
//!
//! # Layout
//!
//! This file holds the module's tunables (the caps and [`Limits`] of the
//! construction, the constants of PageRank), next to the reasoning above
//! that sets them, and [`Graph`] itself: the compressed symmetric rows and
//! [`Graph::from_edges`] that fills them, here so that the construction and
//! the ranking, in child modules, can read its private fields. `vectors.rs`
//! holds [`SentenceVectors`] (step 1), `build.rs` the candidate search and
//! pruning that turn them into a graph (steps 2 to 4, [`Graph::build`]), and
//! `centrality.rs` PageRank (step 5) and [`centrality`], the entry point of
//! the scorers. `tests.rs` tests the whole module.

use crate::deadline::Deadline;

mod build;
mod centrality;
mod vectors;

pub use build::PairStats;
pub use centrality::centrality;
pub use vectors::SentenceVectors;

/// Terms found in more sentences than this generate no candidate pairs (they
/// still weigh in pairs found through other terms). 100 sentences is a
/// long article or five short ones: a term spread wider than that is
/// background vocabulary of the feed rather than a link between two
/// particular sentences, and the cap bounds the pair work per term.
pub const MAX_POSTINGS: usize = 100;

/// Edges each sentence keeps, strongest first. PageRank centrality is
/// carried by the strongest links; 30 is well above the handful of close
/// paraphrases a sentence has in a news story, so short documents keep every
/// edge, and it bounds the graph to `30 · n` edges.
pub const MAX_NEIGHBOURS: usize = 30;

/// PageRank damping factor: the probability of following an edge rather
/// than jumping to a random sentence (the usual 0.85 of Brin & Page, also
/// used by TextRank and LexRank).
pub const DAMPING: f64 = 0.85;

/// Power iteration stops once the L1 change of the score vector falls below
/// this.
pub const TOLERANCE: f64 = 1e-6;

/// Power iteration stops after this many rounds whatever the change; with
/// damping 0.85 the error shrinks by at least 0.85 a round, so 100 rounds
/// leave it below 1e-7 of the start.
pub const MAX_ITERATIONS: usize = 100;

/// Limits of the graph construction; [`Limits::DEFAULT`] is what the
/// scorers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Terms in more sentences generate no candidates.
    pub max_postings: usize,
    /// Edges each sentence keeps.
    pub max_neighbours: usize,
}

impl Limits {
    /// [`MAX_POSTINGS`] and [`MAX_NEIGHBOURS`].
    pub const DEFAULT: Limits = Limits {
        max_postings: MAX_POSTINGS,
        max_neighbours: MAX_NEIGHBOURS,
    };
}

/// A sparse, symmetric, weighted sentence graph without self-loops.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Row `i` is `edges[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    /// `(neighbour, weight)`, each neighbour once per row, weights
    /// finite and positive; `(j, w)` in row `i` iff `(i, w)` in row `j`.
    edges: Vec<(usize, f64)>,
    /// Sum of the weights of each row.
    strength: Vec<f64>,
    /// Building and ranking stop early once it passes (see
    /// [`crate::deadline`]).
    deadline: Deadline,
}

impl Graph {
    /// The undirected graph on `n` nodes holding every edge of `edges` (in
    /// either direction). An edge given twice keeps its larger weight;
    /// self-loops, out-of-range ends and weights that are not finite and
    /// positive are dropped.
    pub fn from_edges(n: usize, edges: &[(usize, usize, f64)]) -> Self {
        let valid = |&&(i, j, w): &&(usize, usize, f64)| {
            i != j && i < n && j < n && w.is_finite() && w > 0.0
        };
        let mut offsets = vec![0usize; n + 1];
        for &(i, j, _) in edges.iter().filter(valid) {
            offsets[i + 1] += 1;
            offsets[j + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut cursor = offsets.clone();
        let mut rows = vec![(0usize, 0.0f64); offsets[n]];
        for &(i, j, w) in edges.iter().filter(valid) {
            rows[cursor[i]] = (j, w);
            cursor[i] += 1;
            rows[cursor[j]] = (i, w);
            cursor[j] += 1;
        }

        // Merge duplicates (an edge both ends kept) row by row, compacting
        // in place without sorting: `seen[j]` is where neighbour j was last
        // written, which is in the current row iff it is at or after the
        // row's start and still holds j.
        let mut seen = vec![usize::MAX; n];
        let mut write = 0;
        let mut compact_offsets = Vec::with_capacity(n + 1);
        compact_offsets.push(0);
        let mut strength = Vec::with_capacity(n);
        for i in 0..n {
            let row_start = write;
            for read in offsets[i]..offsets[i + 1] {
                let (j, w) = rows[read];
                let p = seen[j];
                if p >= row_start && p < write && rows[p].0 == j {
                    rows[p].1 = rows[p].1.max(w);
                } else {
                    seen[j] = write;
                    rows[write] = (j, w);
                    write += 1;
                }
            }
            compact_offsets.push(write);
            strength.push(rows[row_start..write].iter().map(|&(_, w)| w).sum());
        }
        rows.truncate(write);
        Self {
            offsets: compact_offsets,
            edges: rows,
            strength,
            deadline: Deadline::NONE,
        }
    }

    /// Number of nodes (sentences).
    pub fn len(&self) -> usize {
        self.strength.len()
    }

    /// Neighbours of node `i` with the edge weights, each once, in no
    /// particular order.
    pub fn neighbours(&self, i: usize) -> &[(usize, f64)] {
        &self.edges[self.offsets[i]..self.offsets[i + 1]]
    }
}

#[cfg(test)]
mod tests;
