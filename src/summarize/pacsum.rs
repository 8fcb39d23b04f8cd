//! PACSUM: position-aware, direction-aware sentence centrality (Zheng &
//! Lapata 2019, "Sentence Centrality Revisited for Unsupervised
//! Summarization").
//!
//! Undirected centrality (TextRank, LexRank) asks how much a sentence has in
//! common with all the others. News does not work that way: the lead states
//! what the rest of the story then elaborates. PacSum turns the sentence
//! graph into a directed one: a sentence is central when the sentences
//! *after* it are about it, and less so when it merely repeats what came
//! *before* it:
//!
//! ```text
//! centrality(i) = λ1 · Σ_{j > i} e_ij + λ2 · Σ_{j < i} e_ij
//! e_ij = max(0, sim_ij − (min + β · (max − min)))
//! ```
//!
//! where `sim_ij` is the tf-idf cosine of sentences `i` and `j`, `min` and
//! `max` are the smallest and largest similarity among the pairs compared,
//! `β` thresholds weak links away, `λ1` is positive and `λ2` negative: a
//! sentence that repeats earlier ones loses. Zheng & Lapata fit these on
//! their validation set; the values here ([`PARAMS`]) were chosen on the
//! even-numbered articles of `cnndm_dev100.jsonl` and checked on the
//! odd-numbered ones (`scripts/tune-pacsum.sh`, `docs/performance.md`),
//! and add one feature the paper leaves implicit: a prior on position,
//! `μ · exp(−i / τ)`, added to the centrality scaled to a largest
//! magnitude of 1.
//!
//! The centrality reads the document only through [`Similarities`]: the
//! sentences and how alike two of them are. PACSUM reads the tf-idf
//! vectors ([`SentenceVectors`]); SEMANTIC ([`super::semantic`]) reads the
//! cosines of sentence embeddings, with parameters of its own, through the
//! same code.
//!
//! # Cost
//!
//! The paper compares every pair of sentences. Here a sentence is compared
//! only with the [`Params::window`] sentences after it (and so with as many
//! before it), which on a news story is every other sentence, and pairs are
//! found through posting lists of terms, so that only pairs sharing a term
//! cost anything: at most `window` postings per term of a sentence, so
//! scoring is `O(n · terms per sentence · window)`, linear in the length of
//! the document.

use super::graph::SentenceVectors;

/// What PacSum's centrality reads of a document: its sentences, which of
/// them have no content, and how alike each pair of nearby sentences is.
pub trait Similarities {
    /// Number of sentences.
    fn sentence_count(&self) -> usize;

    /// Whether sentence `i` has no content: it scores 0 and stays out of
    /// the position prior.
    fn is_empty_sentence(&self, i: usize) -> bool;

    /// Calls `visit(i, j, similarity)` once for every pair `i < j ≤ i +
    /// window` whose similarity, in (0, 1], is above 0; a pair not visited
    /// has similarity 0. Stops early once the document's deadline has
    /// passed.
    fn pairs_within(&self, window: usize, visit: impl FnMut(usize, usize, f64));
}

/// PacSum's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// `λ1`: weight of the similarities to later sentences.
    pub forward: f64,
    /// `λ2`: weight of the similarities to earlier sentences (negative:
    /// repeating what came before counts against a sentence).
    pub backward: f64,
    /// `β` in [0, 1): similarities below `min + β · (max − min)` do not
    /// count, and those above count only by their excess.
    pub beta: f64,
    /// How many following (and preceding) sentences a sentence is compared
    /// with.
    pub window: usize,
    /// `μ`: weight of the position prior, against the centrality scaled to
    /// a largest magnitude of 1.
    pub position: f64,
    /// `τ`: the position prior `exp(−i / τ)` falls to `1/e` after this many
    /// sentences.
    pub decay: f64,
}

/// The parameters PACSUM runs with (chosen on half of the development data,
/// see `docs/performance.md`).
pub const PARAMS: Params = Params {
    forward: 1.0,
    backward: -1.0,
    beta: 0.0,
    window: WINDOW,
    position: 3.0,
    decay: 2.0,
};

/// Sentences compared with each sentence on either side: a long news story
/// (60 sentences) is compared whole, and a longer document costs at most
/// this many comparisons per term of a sentence.
pub const WINDOW: usize = 64;

/// PacSum scores of every sentence, in [0, 1]: the best sentence
/// scores 1, sentences without content terms 0.
pub fn score(vectors: &SentenceVectors) -> Vec<f64> {
    score_with(vectors, &PARAMS)
}

/// PacSum scores under `params` of the sentences `similarities`
/// describes, in [0, 1] as [`score`]'s.
pub fn score_with(similarities: &impl Similarities, params: &Params) -> Vec<f64> {
    let n = similarities.sentence_count();
    if n == 0 {
        return Vec::new();
    }
    let window = params.window.max(1);
    let (mut scores, backward) = directed_sums(similarities, window, params.beta);
    // The centrality, in place of the forward sums.
    for (score, b) in scores.iter_mut().zip(&backward) {
        *score = params.forward * *score + params.backward * b;
    }
    let largest = scores.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    let scale = if largest > 0.0 { 1.0 / largest } else { 0.0 };
    let decay = params.decay.max(f64::MIN_POSITIVE);
    // With the position prior; sentences without content stay out of the
    // range and end at 0.
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, score) in scores.iter_mut().enumerate() {
        if similarities.is_empty_sentence(i) {
            continue;
        }
        *score = *score * scale + params.position * (-(i as f64) / decay).exp();
        (low, high) = (low.min(*score), high.max(*score));
    }
    // Into [0, 1].
    for (i, score) in scores.iter_mut().enumerate() {
        *score = if similarities.is_empty_sentence(i) {
            0.0
        } else if high > low {
            (*score - low) / (high - low)
        } else {
            1.0
        };
    }
    scores
}

/// For each sentence, the thresholded similarities to the sentences after
/// it and before it, within `window` sentences.
fn directed_sums(
    similarities: &impl Similarities,
    window: usize,
    beta: f64,
) -> (Vec<f64>, Vec<f64>) {
    let n = similarities.sentence_count();
    let mut forward = vec![0.0; n];
    let mut backward = vec![0.0; n];
    // Pairs within the window; those not visited (no shared term, no
    // likeness) have similarity 0, so `min` is 0 unless every pair is
    // visited.
    let pairs: usize = (0..n).map(|i| window.min(n - 1 - i)).sum();
    let mut linked = 0usize;
    let (mut min, mut max) = (f64::INFINITY, 0.0f64);
    if beta <= 0.0 {
        // The threshold is `min`, and `sim − min` is never negative: one
        // pass sums the similarities and counts the pairs, and `min` is
        // taken off each pair at the end. `min` is not 0 only when every
        // pair within the window was visited, and then each sentence was
        // paired with every sentence within the window on either side.
        similarities.pairs_within(window, |i, j, sim| {
            linked += 1;
            min = min.min(sim);
            forward[i] += sim;
            backward[j] += sim;
        });
        if linked == pairs && linked > 0 {
            for i in 0..n {
                let (later, earlier) = (window.min(n - 1 - i), window.min(i));
                forward[i] = (forward[i] - min * later as f64).max(0.0);
                backward[i] = (backward[i] - min * earlier as f64).max(0.0);
            }
        }
        return (forward, backward);
    }
    similarities.pairs_within(window, |_, _, sim| {
        linked += 1;
        min = min.min(sim);
        max = max.max(sim);
    });
    if linked < pairs {
        min = 0.0;
    }
    if linked == 0 {
        return (forward, backward);
    }
    let threshold = min + beta.min(1.0) * (max - min);
    // Pairs not visited would count `0 − threshold`, below zero: they
    // never add anything.
    similarities.pairs_within(window, |i, j, sim| {
        let e = (sim - threshold).max(0.0);
        forward[i] += e;
        backward[j] += e;
    });
    (forward, backward)
}

/// The tf-idf cosines: pairs that share no term have similarity 0, so the
/// pairs are found by walking posting lists of terms, and pairs without a
/// shared term cost nothing.
impl Similarities for SentenceVectors {
    fn sentence_count(&self) -> usize {
        self.len()
    }

    fn is_empty_sentence(&self, i: usize) -> bool {
        SentenceVectors::is_empty_sentence(self, i)
    }

    fn pairs_within(&self, window: usize, visit: impl FnMut(usize, usize, f64)) {
        tfidf_pairs_within(self, window, visit);
    }
}

/// [`Similarities::pairs_within`] of the tf-idf vectors.
fn tfidf_pairs_within(
    vectors: &SentenceVectors,
    window: usize,
    mut visit: impl FnMut(usize, usize, f64),
) {
    let n = vectors.len();
    let frequency = vectors.sentence_frequencies();
    let vocabulary_len = frequency.len();
    // Postings of each term, in sentence order: term t's are
    // `postings[starts[t]..starts[t + 1]]`, `(sentence, weight)`. A term
    // has one posting per sentence it is in (its sentence frequency), but
    // a term of one sentence pairs it with none: most terms of a document
    // are, and they get no postings at all.
    let paired = |t: usize| frequency[t] >= 2;
    let starts: Vec<usize> = std::iter::once(0)
        .chain((0..vocabulary_len).scan(0usize, |end, t| {
            if paired(t) {
                *end += frequency[t] as usize;
            }
            Some(*end)
        }))
        .collect();
    // Filled from the last sentence back, and each term's postings from
    // their end, so that `next[t]` ends at term t's first posting, where
    // the walk below starts. `next[t]`: the posting of term t after the
    // current sentence's own.
    let mut next: Vec<usize> = starts[1..].to_vec();
    // Sentence and weight of each posting, in two arrays: a third less
    // memory to clear and to read than pairs padded to 16 bytes.
    let mut sentences = vec![0u32; starts[vocabulary_len]];
    let mut weights = vec![0.0f64; starts[vocabulary_len]];
    for i in (0..n).rev() {
        for (&t, &w) in vectors.terms(i).iter().zip(vectors.weights(i)) {
            let t = t as usize;
            if paired(t) {
                next[t] -= 1;
                sentences[next[t]] = i as u32;
                weights[next[t]] = w;
            }
        }
    }
    let mut dot = vec![0.0f64; n];
    let mut touched: Vec<usize> = Vec::new();
    for i in 0..n {
        if vectors.deadline().expired_at_round(i) {
            break;
        }
        touched.clear();
        for (&t, &wi) in vectors.terms(i).iter().zip(vectors.weights(i)) {
            let t = t as usize;
            if !paired(t) {
                continue;
            }
            next[t] += 1; // past sentence i's own posting
            let postings = next[t]..starts[t + 1];
            for (&j, &wj) in sentences[postings.clone()].iter().zip(&weights[postings]) {
                let j = j as usize;
                if j > i + window {
                    break;
                }
                let d = &mut dot[j];
                if *d == 0.0 {
                    touched.push(j);
                }
                *d += wi * wj;
            }
        }
        let norm_i = vectors.norm(i);
        for &j in &touched {
            let norms = norm_i * vectors.norm(j);
            if norms > 0.0 {
                visit(i, j, (dot[j] / norms).min(1.0));
            }
            dot[j] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Document, Language};

    fn vectors(text: &str) -> SentenceVectors {
        SentenceVectors::new(&Document::analyze(text, Language::from_code("en")))
    }

    /// Only centrality, no position prior.
    const PURE: Params = Params {
        forward: 1.0,
        backward: -1.0,
        beta: 0.0,
        window: 64,
        position: 0.0,
        decay: 1.0,
    };

    /// Sentence 1 announces what 2, 3 and 4 then take up; 0 is unrelated;
    /// 4 also repeats 1.
    const STORY: &str = "The weather was mild. \
        Ministers agreed a drought plan for the southern farms. \
        The drought plan pays farms for lost harvests. \
        Southern farms lost most harvests this year. \
        Ministers said the drought plan helps southern farms.";

    #[test]
    fn a_sentence_the_later_ones_take_up_ranks_first() {
        let s = score_with(&vectors(STORY), &PURE);
        let best = (0..s.len()).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap();
        assert_eq!(best, 1, "{s:?}");
        // The last sentence only repeats: it has nothing after it and much
        // before it.
        assert_eq!(s[4], 0.0, "{s:?}");
        assert!(s.iter().all(|x| (0.0..=1.0).contains(x)));
    }

    #[test]
    fn direction_matters() {
        // The same sentences reversed: now the summary sentence comes last
        // and the sentence that opens the reversed story wins.
        let reversed = "Ministers said the drought plan helps southern farms. \
            Southern farms lost most harvests this year. \
            The drought plan pays farms for lost harvests. \
            Ministers agreed a drought plan for the southern farms. \
            The weather was mild.";
        let s = score_with(&vectors(reversed), &PURE);
        let best = (0..s.len()).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap();
        assert_eq!(best, 0, "{s:?}");
    }

    #[test]
    fn sums_match_all_pairs_computed_directly() {
        // In STORY some pairs share nothing (min = 0); in the second text
        // every pair shares "wheat" (min > 0).
        let all_linked =
            "Wheat prices rose in May. Wheat exports fell. Wheat farmers protested about prices.";
        for text in [STORY, all_linked] {
            let v = vectors(text);
            let n = v.len();
            let cos = |i: usize, j: usize| v.dot_by_search(i, j) / (v.norm(i) * v.norm(j));
            let all: Vec<f64> = (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                .map(|(i, j)| cos(i, j))
                .collect();
            let min = all.iter().copied().fold(f64::INFINITY, f64::min);
            let max = all.iter().copied().fold(0.0, f64::max);
            // β = 0 takes the one-pass path, β > 0 the two-pass one.
            for beta in [0.0, 0.3] {
                let (forward, backward) = directed_sums(&v, 64, beta);
                let threshold = min + beta * (max - min);
                for i in 0..n {
                    let f: f64 = (i + 1..n).map(|j| (cos(i, j) - threshold).max(0.0)).sum();
                    let b: f64 = (0..i).map(|j| (cos(i, j) - threshold).max(0.0)).sum();
                    assert!(
                        (forward[i] - f).abs() < 1e-9,
                        "{text}: beta {beta} forward {i}"
                    );
                    assert!(
                        (backward[i] - b).abs() < 1e-9,
                        "{text}: beta {beta} backward {i}"
                    );
                }
            }
            if text == all_linked {
                assert!(min > 0.0);
            }
        }
    }

    #[test]
    fn the_window_bounds_the_pairs() {
        let v = vectors(STORY);
        let (forward, _) = directed_sums(&v, 1, 0.0);
        let (all, _) = directed_sums(&v, 64, 0.0);
        // Sentence 1 shares terms with 2, 3 and 4, but sees only 2.
        assert!(forward[1] > 0.0 && forward[1] < all[1]);
    }

    #[test]
    fn position_prior_favours_the_start() {
        let text = "Stocks fell. Bonds rose. Gold held.";
        let s = score_with(
            &vectors(text),
            &Params {
                position: 1.0,
                ..PURE
            },
        );
        assert!(s[0] > s[1] && s[1] > s[2], "{s:?}");
        assert_eq!(s[0], 1.0);
    }
}
