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
//! Measured on the synthetic news of `benches/summarize.rs` (8 distinct
//! content terms a sentence): the 100 KB input has 1,133 sentences, 169
//! posting visits a sentence and 44,000 row entries; the 1 MiB input has
//! 11,824 sentences (10.4 times more), 49 visits a sentence (the cap now
//! bites: 6 of the 8 terms are over it) and 295,000 row entries, about 25 a
//! sentence. Scoring takes about 3.3 ms and 30 ms for TextRank and LexRank
//! alike (9 times more), where all-pairs comparison would have grown from
//! 640,000 to 70 million pairs (108 times more).

use super::view::View;
use crate::deadline::Deadline;
#[cfg(test)]
use crate::text::Document;
use crate::text::TermId;

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

/// Every sentence of a document as a sparse tf-idf vector, stored flat.
#[derive(Debug, Clone)]
pub struct SentenceVectors {
    /// Sentence `i`'s entries are `offsets[i]..offsets[i + 1]`.
    offsets: Vec<usize>,
    /// Distinct term ids of each sentence, in the order of their first
    /// occurrence in it.
    terms: Vec<TermId>,
    /// `tf · idf` of the term at the same position.
    weights: Vec<f64>,
    /// Euclidean norm of each sentence's vector; 0 for a sentence without
    /// content terms.
    norms: Vec<f64>,
    /// Content terms of each sentence, repeats included.
    lengths: Vec<usize>,
    /// Sentence frequency of each term: in how many sentences it is.
    frequency: Vec<u32>,
    /// Inverse sentence frequency of each term within the sentences (0 for
    /// a term none of them has).
    idf: Vec<f64>,
    /// The document's deadline, for the graph built from these vectors.
    deadline: Deadline,
}

impl SentenceVectors {
    /// Builds the vectors of every sentence of `view`. Inverse sentence
    /// frequencies are counted within the view (`ln(1 + n / sf)`, as
    /// [`crate::text::Document::idf`] counts them in the whole document), so furniture
    /// left out of it does not weigh in.
    pub fn of(view: &View<'_, '_>) -> Self {
        let n = view.len();
        let total: usize = view.sentences.iter().map(|s| s.terms.len()).sum();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut terms = Vec::with_capacity(total);
        let mut weights = Vec::with_capacity(total);
        let mut lengths = Vec::with_capacity(n);
        let mut frequency = vec![0u32; view.doc.vocabulary.len()];
        // First the distinct terms of each sentence with their counts (in
        // `weights` for now) and the sentence frequencies, then the weights.
        // `slot[t]`: where term t was last put in `terms`; within the
        // current sentence's entries it is a repeat. (Sorting each
        // sentence's terms to find repeats cost more than the rest of this
        // function, and nothing needs them in order.)
        let mut slot = vec![usize::MAX; frequency.len()];
        for sentence in &view.sentences {
            let start = terms.len();
            for &t in sentence.terms {
                if t as usize >= slot.len() {
                    // A term id outside the vocabulary would be a pipeline
                    // bug; the vocabulary grows to hold it rather than panic.
                    slot.resize(t as usize + 1, usize::MAX);
                    frequency.resize(t as usize + 1, 0);
                }
                let t_slot = &mut slot[t as usize];
                if (start..terms.len()).contains(t_slot) {
                    weights[*t_slot] += 1.0;
                } else {
                    *t_slot = terms.len();
                    terms.push(t);
                    weights.push(1.0);
                    frequency[t as usize] += 1;
                }
            }
            offsets.push(terms.len());
            lengths.push(sentence.terms.len());
        }
        // Terms share a few frequencies (most are in one or two sentences):
        // one logarithm per frequency, not per term. `sf ≤ n`, as a term
        // counts once per sentence.
        let mut idf_by_frequency: Vec<Option<f64>> = vec![None; n + 1];
        let idf: Vec<f64> = frequency
            .iter()
            .map(|&sf| {
                if sf == 0 {
                    return 0.0;
                }
                let idf = || (1.0 + n as f64 / f64::from(sf)).ln();
                match idf_by_frequency.get_mut(sf as usize) {
                    Some(cached) => *cached.get_or_insert_with(idf),
                    None => idf(),
                }
            })
            .collect();
        let mut norms = Vec::with_capacity(n);
        for i in 0..n {
            let mut squares = 0.0;
            for k in offsets[i]..offsets[i + 1] {
                weights[k] *= idf[terms[k] as usize];
                squares += weights[k] * weights[k];
            }
            norms.push(f64::sqrt(squares));
        }
        Self {
            offsets,
            terms,
            weights,
            norms,
            lengths,
            frequency,
            idf,
            deadline: view.deadline(),
        }
    }

    /// [`Self::of`] every sentence of `doc`.
    #[cfg(test)]
    pub fn new(doc: &Document<'_>) -> Self {
        Self::of(&View::all(doc))
    }

    /// Number of sentences.
    pub fn len(&self) -> usize {
        self.norms.len()
    }

    /// Whether there is no sentence.
    pub fn is_empty(&self) -> bool {
        self.norms.is_empty()
    }

    /// Size of the vocabulary: every term id is below it.
    pub fn vocabulary_len(&self) -> usize {
        self.frequency.len()
    }

    /// Distinct terms of sentence `i`, in the order of their first
    /// occurrence in it.
    pub fn terms(&self, i: usize) -> &[TermId] {
        &self.terms[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Weights of sentence `i`, aligned with [`Self::terms`].
    pub fn weights(&self, i: usize) -> &[f64] {
        &self.weights[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Dot product of sentence `i`'s vector with `dense`, a vector over
    /// the vocabulary.
    pub fn dot_dense(&self, i: usize, dense: &[f64]) -> f64 {
        self.terms(i)
            .iter()
            .zip(self.weights(i))
            .map(|(&t, &w)| w * dense.get(t as usize).copied().unwrap_or(0.0))
            .sum()
    }

    /// Dot product of sentences `i` and `j`, the slow way (a search per
    /// term), to check the fast ones against.
    #[cfg(test)]
    pub fn dot_by_search(&self, i: usize, j: usize) -> f64 {
        self.terms(i)
            .iter()
            .zip(self.weights(i))
            .filter_map(|(t, w)| {
                let p = self.terms(j).iter().position(|u| u == t)?;
                Some(w * self.weights(j)[p])
            })
            .sum()
    }

    /// Euclidean norm of sentence `i`'s vector.
    pub fn norm(&self, i: usize) -> f64 {
        self.norms[i]
    }

    /// Content terms of sentence `i`, repeats included.
    pub fn term_count(&self, i: usize) -> usize {
        self.lengths[i]
    }

    /// In how many sentences each term is (0 for a term none of them has),
    /// by term id.
    pub fn sentence_frequencies(&self) -> &[u32] {
        &self.frequency
    }

    /// Inverse sentence frequency of term `t` among these sentences, 0 for
    /// a term none of them has.
    pub fn idf(&self, t: TermId) -> f64 {
        self.idf.get(t as usize).copied().unwrap_or(0.0)
    }

    /// The document's deadline.
    pub fn deadline(&self) -> Deadline {
        self.deadline
    }

    /// Whether sentence `i` has no content term.
    pub fn is_empty_sentence(&self, i: usize) -> bool {
        self.lengths[i] == 0
    }
}

/// What the graph builder knows about a candidate pair when it asks for its
/// weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairStats {
    /// Distinct terms the two sentences share (at least 1).
    pub shared_terms: u32,
    /// Dot product of the two tf-idf vectors.
    pub dot: f64,
}

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
        let frequency = &vectors.frequency;
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
            if vectors.deadline.expired_at_round(i) {
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
        graph.deadline = vectors.deadline;
        graph
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Language;

    fn analyze(text: &str) -> Document<'_> {
        Document::analyze(text, Language::from_code("en"))
    }

    fn term(doc: &Document<'_>, word: &str) -> TermId {
        doc.vocabulary.iter().position(|t| t == word).unwrap() as TermId
    }

    fn cosine(v: &SentenceVectors, i: usize, j: usize, stats: PairStats) -> f64 {
        stats.dot / (v.norm(i) * v.norm(j))
    }

    fn shares_a_term(v: &SentenceVectors, i: usize, j: usize) -> bool {
        v.terms(i).iter().any(|t| v.terms(j).contains(t))
    }

    /// Ten sentences about markets, each sharing words with several others.
    const MARKETS: &str = "Stock markets rallied in Tokyo. \
        Tokyo traders bought bank shares. \
        Bank shares climbed after profits rose. \
        Profits at the largest bank doubled. \
        Investors cheered the bank profits. \
        Markets in London followed Tokyo. \
        London traders sold mining shares. \
        Mining profits fell sharply. \
        Investors in London stayed cautious. \
        Cautious traders waited for the central bank.";

    #[test]
    fn vectors_hold_distinct_tf_idf_and_norms() {
        let doc = analyze("Cats chase cats and mice. Dogs sleep.");
        let v = SentenceVectors::new(&doc);
        assert_eq!(v.len(), 2);
        let cat = term(&doc, "cat");
        let terms = v.terms(0);
        assert_eq!(terms, [cat, term(&doc, "chase"), term(&doc, "mice")]);
        let p = terms.iter().position(|&t| t == cat).unwrap();
        assert!((v.weights(0)[p] - 2.0 * doc.idf(cat)).abs() < 1e-12);
        assert_eq!(v.term_count(0), 4);
        let norm: f64 = v.weights(0).iter().map(|w| w * w).sum::<f64>().sqrt();
        assert!((v.norm(0) - norm).abs() < 1e-12);
    }

    #[test]
    fn edges_join_only_sentences_that_share_a_term() {
        let doc = analyze(MARKETS);
        let v = SentenceVectors::new(&doc);
        let graph = Graph::build(&v, |i, j, s| cosine(&v, i, j, s));
        let mut edges = 0;
        for i in 0..graph.len() {
            for &(j, w) in graph.neighbours(i) {
                assert_ne!(i, j);
                assert!(shares_a_term(&v, i, j), "edge {i}-{j} without shared term");
                assert!(w.is_finite() && w > 0.0);
                let back = graph.neighbours(j).iter().find(|&&(k, _)| k == i);
                assert_eq!(back.map(|&(_, w)| w), Some(w), "edge {i}-{j} not symmetric");
                edges += 1;
            }
        }
        // Short document: the caps never bite, so every pair with a shared
        // term is linked.
        let pairs = (0..v.len())
            .flat_map(|i| (0..v.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| i != j && shares_a_term(&v, i, j))
            .count();
        assert_eq!(edges, pairs);
    }

    #[test]
    fn pair_stats_count_shared_terms_and_dot_product() {
        let doc = analyze("Bank profits rose. Bank profits fell. Weather was mild.");
        let v = SentenceVectors::new(&doc);
        let graph = Graph::build(&v, |i, j, s| {
            let expected = v.dot_by_search(i, j);
            assert_eq!(s.shared_terms, 2);
            assert!((s.dot - expected).abs() < 1e-12);
            1.0
        });
        assert_eq!(graph.neighbours(0), &[(1, 1.0)]);
        assert!(graph.neighbours(2).is_empty());
    }

    #[test]
    fn capped_terms_generate_no_candidates_but_still_weigh() {
        // "market" is in 4 sentences, over a cap of 3; "bond" in 2.
        let doc = analyze(
            "Market bond yields rose. Market traders slept. \
             Market bond buyers left. Market closed early.",
        );
        let v = SentenceVectors::new(&doc);
        let limits = Limits {
            max_postings: 3,
            max_neighbours: MAX_NEIGHBOURS,
        };
        let graph = Graph::build_with(&v, limits, |_, _, s| f64::from(s.shared_terms));
        // Only the pair linked by "bond" is an edge, and "market" counts in it.
        assert_eq!(graph.neighbours(0), &[(2, 2.0)]);
        assert_eq!(graph.neighbours(2), &[(0, 2.0)]);
        assert!(graph.neighbours(1).is_empty());
        assert!(graph.neighbours(3).is_empty());
        // Without the cap "market" links everything.
        let uncapped = Graph::build(&v, |_, _, s| f64::from(s.shared_terms));
        assert_eq!(uncapped.neighbours(1).len(), 3);
    }

    #[test]
    fn each_sentence_keeps_at_most_max_neighbours() {
        let doc = analyze(MARKETS);
        let v = SentenceVectors::new(&doc);
        let n = v.len();
        for k in [0, 1, 2, 3] {
            let limits = Limits {
                max_postings: MAX_POSTINGS,
                max_neighbours: k,
            };
            let graph = Graph::build_with(&v, limits, |i, j, s| cosine(&v, i, j, s));
            let entries: usize = (0..n).map(|i| graph.neighbours(i).len()).sum();
            // Each sentence contributes at most k edges, each stored twice.
            assert!(entries <= 2 * n * k, "k = {k}: {entries} row entries");
            // And every edge is among the k strongest of one of its ends.
            let full = Graph::build(&v, |i, j, s| cosine(&v, i, j, s));
            for i in 0..n {
                for &(j, w) in graph.neighbours(i) {
                    let stronger =
                        |a: usize| full.neighbours(a).iter().filter(|&&(_, x)| x > w).count();
                    assert!(stronger(i) < k || stronger(j) < k);
                }
            }
        }
    }

    #[test]
    fn default_cap_bounds_edges_on_a_long_repetitive_document() {
        let text = "Officials met traders in Tokyo. ".repeat(300);
        let doc = analyze(&text);
        let v = SentenceVectors::new(&doc);
        assert_eq!(v.len(), 300);
        // Every term is in 300 sentences, over the cap: no candidates at all.
        let graph = Graph::build(&v, |i, j, s| cosine(&v, i, j, s));
        assert!((0..300).all(|i| graph.neighbours(i).is_empty()));
        let ranks = graph.pagerank();
        assert!(ranks.iter().all(|&r| (r - 1.0 / 300.0).abs() < 1e-12));
    }

    #[test]
    fn pagerank_sums_to_one_and_favours_the_hub() {
        // A star 0–{1..5} plus a separate pair 6–7 and an isolated node 8.
        let mut edges: Vec<(usize, usize, f64)> = (1..6).map(|j| (0, j, 1.0)).collect();
        edges.push((6, 7, 2.0));
        let graph = Graph::from_edges(9, &edges);
        let ranks = graph.pagerank();
        assert_eq!(ranks.len(), 9);
        assert!((ranks.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(ranks.iter().all(|r| r.is_finite() && *r > 0.0));
        assert!((1..9).all(|i| ranks[0] > ranks[i]));
        assert!((ranks[6] - ranks[7]).abs() < 1e-9);
        // The isolated (dangling) node keeps only the teleport share.
        assert!((1..8).all(|i| ranks[8] < ranks[i]));
    }

    #[test]
    fn from_edges_merges_duplicates_and_drops_bad_edges() {
        let graph = Graph::from_edges(
            3,
            &[
                (0, 1, 0.5),
                (1, 0, 0.7),
                (1, 1, 1.0),
                (0, 2, f64::NAN),
                (0, 2, 0.0),
                (2, 9, 1.0),
            ],
        );
        assert_eq!(graph.neighbours(0), &[(1, 0.7)]);
        assert_eq!(graph.neighbours(1), &[(0, 0.7)]);
        assert!(graph.neighbours(2).is_empty());
    }

    #[test]
    fn pagerank_of_tiny_graphs() {
        assert!(Graph::from_edges(0, &[]).pagerank().is_empty());
        assert_eq!(Graph::from_edges(1, &[]).pagerank(), vec![1.0]);
        let two = Graph::from_edges(2, &[(0, 1, 3.0)]).pagerank();
        assert!((two[0] - 0.5).abs() < 1e-12 && (two[1] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn centrality_zeroes_sentences_without_content() {
        let doc = analyze("Banks rallied. It is what it is. Banks rallied again.");
        let scores = centrality(&SentenceVectors::new(&doc), cosine);
        assert_eq!(scores.len(), 3);
        assert_eq!(scores[1], 0.0);
        assert!(scores[0] > 0.0 && scores[2] > 0.0);
        let empty = analyze("");
        assert!(centrality(&SentenceVectors::new(&empty), cosine).is_empty());
    }
}
