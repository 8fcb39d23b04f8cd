//! Query focus: a summary biased towards what the caller asks about.
//!
//! Each sentence gets a relevance to the query, by meaning when the
//! sentence encoder is at hand, by words otherwise:
//!
//! - By meaning ([`relevance_by_meaning`]): how far the cosine of the
//!   query's embedding with the sentence's rises above [`MIN_QUERY_COSINE`],
//!   so that "the car maker's losses" finds the sentence about the
//!   automobile company's deficit. A query that no sentence comes that
//!   near is about something else and changes nothing.
//! - By words ([`terms`], [`relevance`]): the query is read like the
//!   document (words, case folding, stopwords, stems, in the document's
//!   language) and becomes a tf-idf vector with the document's inverse
//!   sentence frequencies, so that a rare query word the document uses in
//!   few sentences pulls harder than a common one. Each sentence's
//!   relevance is its cosine with that vector. A query none of whose terms
//!   occur in the document changes nothing.
//!
//! The summary then ranks by `(1 − QUERY_WEIGHT) · score / best score +
//! QUERY_WEIGHT · relevance / best relevance` ([`focus`]). With the query
//! weighing more than the algorithm, the sentence most about the query
//! wins over the document's central sentence when that says nothing about
//! it, and among sentences about the query alike the algorithm decides.

use foldhash::HashMap;

use super::graph::SentenceVectors;
use crate::semantic::{Embedding, cosine};
use crate::text::{Lexicon, TermId, View, tokenize};

/// Weight of query relevance against the algorithm's score, in [0, 1].
pub const QUERY_WEIGHT: f64 = 0.7;

/// The cosine of a query with a sentence below which the sentence counts
/// as not about the query. Any two texts are a little alike to the
/// encoder: a query about another story still comes near 0.2 with its
/// closest sentence, one about a sentence of the story well above this
/// (`examples/eval_query.rs` prints both spreads). Measuring relevance
/// from this floor up keeps that background out of the ranking, and a
/// query no sentence rises above changes nothing.
pub const MIN_QUERY_COSINE: f64 = 0.25;

/// The query's terms that occur in the document, with their counts in the
/// query, sorted by term.
pub fn terms(view: &View<'_, '_>, query: &str) -> Vec<(TermId, usize)> {
    let doc = view.doc;
    let index: HashMap<&str, TermId> = doc
        .vocabulary
        .iter()
        .enumerate()
        .map(|(id, term)| (term, id as TermId))
        .collect();
    // A query is a few words: a lexicon of its own costs less than
    // threading the worker's through every summarizer.
    let mut lexicon = Lexicon::new();
    let terms = lexicon.terms(doc.language);
    let mut found: Vec<TermId> = tokenize::words(query)
        .filter_map(|(_, word)| index.get(terms.term(word)?.text()).copied())
        .collect();
    found.sort_unstable();
    found
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len()))
        .collect()
}

/// Each sentence's cosine with the query, or `None` when no query term
/// occurs in the document's sentences.
pub fn relevance(vectors: &SentenceVectors, query: &[(TermId, usize)]) -> Option<Vec<f64>> {
    let weights: Vec<(TermId, f64)> = query
        .iter()
        .map(|&(t, count)| (t, count as f64 * vectors.idf(t)))
        .filter(|&(_, w)| w > 0.0)
        .collect();
    let norm = weights.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if norm == 0.0 {
        return None;
    }
    let relevance: Vec<f64> = (0..vectors.len())
        .map(|i| {
            let norms = norm * vectors.norm(i);
            if norms == 0.0 {
                return 0.0;
            }
            let dot: f64 = vectors
                .terms(i)
                .iter()
                .zip(vectors.weights(i))
                .filter_map(|(t, w)| {
                    let k = weights.binary_search_by_key(t, |&(q, _)| q).ok()?;
                    Some(w * weights[k].1)
                })
                .sum();
            (dot / norms).clamp(0.0, 1.0)
        })
        .collect();
    relevance.iter().any(|&r| r > 0.0).then_some(relevance)
}

/// Each sentence's relevance to the query by their embeddings: their
/// cosine less [`MIN_QUERY_COSINE`], 0 below it; `None` when no sentence
/// rises above it.
pub fn relevance_by_meaning(query: &Embedding, sentences: &[Embedding]) -> Option<Vec<f64>> {
    let relevance: Vec<f64> = sentences
        .iter()
        .map(|s| {
            let above = f64::from(cosine(query, s)) - MIN_QUERY_COSINE;
            if above.is_finite() {
                above.clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .collect();
    relevance.iter().any(|&r| r > 0.0).then_some(relevance)
}

/// `scores` biased towards `relevance` (see the module's documentation).
pub fn focus(scores: &[f64], relevance: &[f64]) -> Vec<f64> {
    let best = |v: &[f64]| v.iter().copied().fold(0.0f64, f64::max);
    let (best_score, best_relevance) = (best(scores), best(relevance));
    scores
        .iter()
        .zip(relevance)
        .map(|(&s, &r)| {
            let s = if best_score > 0.0 {
                s / best_score
            } else {
                0.0
            };
            let r = if best_relevance > 0.0 {
                r / best_relevance
            } else {
                0.0
            };
            (1.0 - QUERY_WEIGHT) * s + QUERY_WEIGHT * r
        })
        .collect()
}
