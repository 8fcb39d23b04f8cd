//! Choosing the summary's sentences from their scores: the length limits,
//! the word and character budgets, and redundancy control.
//!
//! Without redundancy control, sentences are taken best first, each that
//! still fits the budgets; a long high-ranked sentence that does not fit
//! does not block shorter ones after it. Budgets are never exceeded, so a
//! budget smaller than every sentence gives an empty summary: sentences are
//! never cut.
//!
//! With a `diversity` `d` in (0, 1], the choice is maximal marginal
//! relevance (Carbonell & Goldstein 1998): each next sentence maximises
//! `(1 − d) · score / best score − d · max cos(sentence, chosen)`, the
//! tf-idf cosine to the closest sentence already chosen. At `d = 0` this is
//! the plain ranking; at 1 only novelty counts after the first sentence.
//! Candidates are the [`pool_size`] best-ranked sentences, so the cost is
//! `O(summary sentences · pool · terms per sentence)` and does not grow
//! with the document beyond the pool.

use super::graph::SentenceVectors;
use crate::offsets::OffsetUnit;
use crate::text::View;

/// How long a summary may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Most sentences.
    pub sentences: usize,
    /// Most words, counted as [`crate::text::Sentence::word_count`].
    pub words: Option<usize>,
    /// Most characters, counted in `unit`: the sum of the chosen sentences'
    /// lengths, without anything between them.
    pub chars: Option<usize>,
    /// The unit of `chars`.
    pub unit: OffsetUnit,
}

/// The number of best-ranked sentences maximal marginal relevance chooses
/// among for a summary of `sentences` sentences: four times as many, and at
/// least 64 (which covers a whole news story).
pub fn pool_size(sentences: usize) -> usize {
    sentences.saturating_mul(4).max(64)
}

/// The chosen sentences (indices into `view`), in the order chosen.
/// `by_rank` lists every sentence best first; `vectors` is needed only when
/// `diversity` is above 0.
pub fn choose(
    view: &View<'_, '_>,
    scores: &[f64],
    by_rank: &[usize],
    budget: &Budget,
    diversity: f64,
    vectors: Option<&SentenceVectors>,
) -> Vec<usize> {
    let mut used = Used::default();
    let mut chosen = Vec::with_capacity(budget.sentences.min(by_rank.len()));
    let vectors = vectors.filter(|_| diversity > 0.0);
    let Some(vectors) = vectors else {
        for &i in by_rank {
            if chosen.len() >= budget.sentences {
                break;
            }
            if used.take(view, i, budget) {
                chosen.push(i);
            }
        }
        return chosen;
    };

    let diversity = diversity.min(1.0);
    let best = scores.iter().copied().fold(0.0f64, f64::max);
    let relevance = |i: usize| if best > 0.0 { scores[i] / best } else { 0.0 };
    let mut pool: Vec<usize> = by_rank[..by_rank.len().min(pool_size(budget.sentences))].to_vec();
    // The largest similarity of each candidate to a chosen sentence.
    let mut closest = vec![0.0f64; pool.len()];
    let mut weights = vec![0.0f64; vectors.vocabulary_len()];
    while chosen.len() < budget.sentences && !pool.is_empty() {
        if view.deadline().expired() {
            break;
        }
        // Best marginal relevance; ties go to the better-ranked candidate.
        let mut pick = 0;
        let mut pick_value = f64::NEG_INFINITY;
        for (k, &i) in pool.iter().enumerate() {
            let value = (1.0 - diversity) * relevance(i) - diversity * closest[k];
            if value > pick_value {
                pick = k;
                pick_value = value;
            }
        }
        // Removed in place, so that the pool stays in rank order for ties.
        let i = pool.remove(pick);
        closest.remove(pick);
        if !used.take(view, i, budget) {
            continue;
        }
        chosen.push(i);
        // Update each candidate's closest similarity with the new sentence.
        let norm_i = vectors.norm(i);
        if norm_i == 0.0 {
            continue;
        }
        for (&t, &w) in vectors.terms(i).iter().zip(vectors.weights(i)) {
            weights[t as usize] = w;
        }
        for (k, &j) in pool.iter().enumerate() {
            let norms = norm_i * vectors.norm(j);
            if norms > 0.0 {
                closest[k] = closest[k].max(vectors.dot_dense(j, &weights) / norms);
            }
        }
        for &t in vectors.terms(i) {
            weights[t as usize] = 0.0;
        }
    }
    chosen
}

/// What the chosen sentences have used of the budgets so far.
#[derive(Debug, Default)]
struct Used {
    words: usize,
    chars: usize,
}

impl Used {
    /// Counts sentence `i` in if it fits the word and character budgets.
    fn take(&mut self, view: &View<'_, '_>, i: usize, budget: &Budget) -> bool {
        let words = self.words + view.sentences[i].word_count();
        if budget.words.is_some_and(|limit| words > limit) {
            return false;
        }
        let chars = match budget.chars {
            Some(limit) => {
                let chars = self.chars + budget.unit.len(view.text(i));
                if chars > limit {
                    return false;
                }
                chars
            }
            None => 0,
        };
        self.words = words;
        self.chars = chars;
        true
    }
}
