//! Extractive summarization: score every sentence of a [`Document`] with one
//! algorithm, then pick the best sentences that fit the requested length.
//!
//! Scoring lives in one module per algorithm; this module owns what they
//! share: furniture removal ([`crate::text::view`]), the one call of the
//! sentence encoder a request makes (SEMANTIC, query focus by meaning),
//! query focus ([`query`]), ranking with ties broken by position, the
//! budgets and redundancy control ([`select`]), the order of the result,
//! and key phrases ([`keyphrases`]).

mod centroid;
mod graph;
pub mod keyphrases;
mod lead;
mod lexrank;
pub mod pacsum;
pub mod query;
pub mod select;
pub mod semantic;
mod textrank;

use std::ops::Range;

pub use graph::SentenceVectors;
pub use keyphrases::Keyphrase;
use select::Budget;

use crate::offsets::OffsetUnit;
use crate::semantic::{EmbedError, Embedder, Embedding};
use crate::text::{Document, View};

/// How sentences are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// PageRank over sentences linked by shared words (Mihalcea & Tarau 2004).
    TextRank,
    /// Continuous LexRank: PageRank over tf-idf cosine similarities (Erkan &
    /// Radev 2004).
    LexRank,
    /// Cosine similarity of each sentence to the document's tf-idf centroid.
    Centroid,
    /// Position: the first sentence scores highest.
    Lead,
    /// Directed centrality with a position prior (Zheng & Lapata 2019).
    PacSum,
    /// PacSum over the cosines of sentence embeddings: needs the sentence
    /// encoder.
    Semantic,
}

impl Algorithm {
    /// Every algorithm, for evaluation and tests.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::TextRank,
        Algorithm::LexRank,
        Algorithm::Centroid,
        Algorithm::Lead,
        Algorithm::PacSum,
        Algorithm::Semantic,
    ];

    /// The algorithms that read words alone, and so run without the
    /// sentence encoder (benchmarks, fuzzing).
    pub const LEXICAL: [Algorithm; 5] = [
        Algorithm::TextRank,
        Algorithm::LexRank,
        Algorithm::Centroid,
        Algorithm::Lead,
        Algorithm::PacSum,
    ];

    /// Whether it needs the sentence encoder.
    pub fn needs_embedder(self) -> bool {
        self == Algorithm::Semantic
    }

    /// The algorithm used when a request names none: the one with the best
    /// ROUGE on the development data (see the README's summary quality
    /// figures).
    pub const DEFAULT: Algorithm = Algorithm::PacSum;
}

/// Order of the returned sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// As they appear in the document.
    #[default]
    Document,
    /// Best first.
    Rank,
}

/// What to summarize and how long the summary may be. The tightest of the
/// given limits wins. Budgets (`max_words`, `max_chars`) are never
/// exceeded and sentences are never cut, so a budget below every sentence
/// gives an empty summary; otherwise a summary of a document with a
/// sentence left after furniture removal has at least one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct SummarizeOptions {
    /// Most sentences to return (at least 1).
    pub max_sentences: usize,
    /// Share of the sentences (those left after furniture removal), in
    /// (0, 1], rounded up.
    pub ratio: Option<f64>,
    /// Most words in the summary, counted as [`crate::text::Sentence::word_count`].
    pub max_words: Option<usize>,
    /// Most characters in the summary, counted in `char_unit`: the sum of
    /// the returned sentences' lengths.
    pub max_chars: Option<usize>,
    /// The unit `max_chars` counts in.
    pub char_unit: OffsetUnit,
    /// Scoring algorithm.
    pub algorithm: Algorithm,
    /// Order of the result.
    pub order: Order,
    /// Keep web furniture (datelines, captions, bylines, comment boxes,
    /// headings) among the sentences to choose from; by default it is
    /// removed first ([`crate::text::boilerplate`]).
    pub keep_boilerplate: bool,
    /// Redundancy control in [0, 1]: 0 ranks by score alone, higher values
    /// trade score for novelty (maximal marginal relevance, see [`select`]).
    pub diversity: f64,
    /// Bias the summary towards what this says: by meaning with the
    /// sentence encoder, by its words without (see [`query`]).
    pub query: Option<String>,
    /// How many key phrases to return; 0 for none.
    pub keyphrases: usize,
}

impl Default for SummarizeOptions {
    fn default() -> Self {
        Self {
            max_sentences: 3,
            ratio: None,
            max_words: None,
            max_chars: None,
            char_unit: OffsetUnit::Utf8Byte,
            algorithm: Algorithm::DEFAULT,
            order: Order::Document,
            keep_boilerplate: false,
            diversity: 0.0,
            query: None,
            keyphrases: 0,
        }
    }
}

/// One sentence of a summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SummarySentence {
    /// Position among all sentences of the document, from 0.
    pub index: usize,
    /// Byte range in the document's text: the sentence, without furniture
    /// cut off its start (a dateline, a caption run into it).
    pub span: Range<usize>,
    /// Score, comparable within one summary; higher is better.
    pub score: f64,
    /// 1 for the document's best sentence; ties broken by position.
    pub rank: usize,
}

/// An extractive summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The chosen sentences in the requested order.
    pub sentences: Vec<SummarySentence>,
    /// Sentences in the whole document.
    pub sentence_count: usize,
    /// Sentences removed whole as furniture (not counting those that only
    /// lost a dateline or caption at their start).
    pub removed_sentences: usize,
    /// The algorithm that ran.
    pub algorithm: Algorithm,
    /// Whether a query was given and biased the summary: some sentence is
    /// close enough to it in meaning, or, without the encoder, some of its
    /// terms occur in the sentences.
    pub query_used: bool,
    /// Key phrases, best first (as many as asked for, or fewer).
    pub keyphrases: Vec<Keyphrase>,
}

/// Why a document could not be summarized.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SummarizeError {
    /// The algorithm needs the sentence encoder and none was given.
    #[error("{0:?} needs the sentence encoder")]
    EncoderMissing(Algorithm),
    /// The encoder failed, or the deadline passed while it ran.
    #[error(transparent)]
    Embed(#[from] EmbedError),
}

/// Scores every sentence of `view` with a lexical `algorithm`: one finite,
/// non-negative score per sentence, higher is better. SEMANTIC, which
/// needs the sentences' embeddings, scores as LEAD here.
pub fn score(view: &View<'_, '_>, algorithm: Algorithm) -> Vec<f64> {
    let vectors = reads_vectors(algorithm).then(|| SentenceVectors::of(view));
    score_with(view, vectors.as_ref(), None, algorithm)
}

/// Whether `algorithm` scores by the sentences' tf-idf vectors.
fn reads_vectors(algorithm: Algorithm) -> bool {
    !matches!(algorithm, Algorithm::Lead | Algorithm::Semantic)
}

/// [`score`] with the vectors (`None` only for LEAD and SEMANTIC) and the
/// sentences' embeddings (`None` unless SEMANTIC) already made.
fn score_with(
    view: &View<'_, '_>,
    vectors: Option<&SentenceVectors>,
    embeddings: Option<&[Embedding]>,
    algorithm: Algorithm,
) -> Vec<f64> {
    let _stage = tracing::info_span!("scoring", algorithm = ?algorithm).entered();
    let scores = match (algorithm, vectors, embeddings) {
        (Algorithm::TextRank, Some(v), _) => textrank::score(v),
        (Algorithm::LexRank, Some(v), _) => lexrank::score(v),
        (Algorithm::Centroid, Some(v), _) => centroid::score(v),
        (Algorithm::PacSum, Some(v), _) => pacsum::score(v),
        (Algorithm::Semantic, _, Some(e)) => {
            semantic::score(&semantic::SentenceEmbeddings::new(view, e))
        }
        _ => lead::score(view.len()),
    };
    debug_assert_eq!(scores.len(), view.len());
    scores
        .into_iter()
        .map(|s| if s.is_finite() { s.max(0.0) } else { 0.0 })
        .collect()
}

/// What the sentence encoder made for one request: every sentence's
/// embedding, and the query's when there is one.
struct Meaning {
    sentences: Vec<Embedding>,
    query: Option<Embedding>,
}

/// Embeds every sentence of `view` and the query in one call of
/// `embedder`, under the document's deadline.
fn embed(
    view: &View<'_, '_>,
    embedder: &dyn Embedder,
    query: Option<&str>,
) -> Result<Meaning, EmbedError> {
    let mut texts: Vec<&str> = (0..view.len()).map(|i| view.text(i)).collect();
    texts.extend(query);
    let mut embeddings = embedder.embed(&texts, view.deadline())?;
    if embeddings.len() != texts.len() {
        return Err(EmbedError::Model(format!(
            "{} embeddings for {} texts",
            embeddings.len(),
            texts.len()
        )));
    }
    let query = query.and_then(|_| embeddings.pop());
    Ok(Meaning {
        sentences: embeddings,
        query,
    })
}

/// Summarizes an analysed document. `embedder` is the sentence encoder, if
/// the caller has one: SEMANTIC needs it (without it, an error), and with
/// it a query focuses the summary by meaning rather than by words. Every
/// embedding a summary needs is made in one call, which stops with the
/// document's deadline.
pub fn summarize(
    doc: &Document<'_>,
    options: &SummarizeOptions,
    embedder: Option<&dyn Embedder>,
) -> Result<Summary, SummarizeError> {
    let algorithm = options.algorithm;
    if algorithm.needs_embedder() && embedder.is_none() {
        return Err(SummarizeError::EncoderMissing(algorithm));
    }
    let view = View::new(doc, options.keep_boilerplate);
    let n = view.len();
    let query_text = options.query.as_deref().filter(|q| !q.trim().is_empty());
    // The encoder runs when SEMANTIC scores or a query is read by meaning,
    // and then embeds everything in one call; a view without sentences
    // needs nothing.
    let meaning = match embedder {
        Some(embedder) if n > 0 && (algorithm.needs_embedder() || query_text.is_some()) => {
            Some(embed(&view, embedder, query_text)?)
        }
        _ => None,
    };
    let query_embedding = meaning.as_ref().and_then(|m| m.query.as_ref());
    let query_terms = match (query_embedding, query_text) {
        (None, Some(q)) => Some(query::terms(&view, q)).filter(|terms| !terms.is_empty()),
        _ => None,
    };
    let needs_vectors =
        reads_vectors(algorithm) || options.diversity > 0.0 || query_terms.is_some();
    let vectors = needs_vectors.then(|| SentenceVectors::of(&view));
    let mut scores = score_with(
        &view,
        vectors.as_ref(),
        meaning.as_ref().map(|m| m.sentences.as_slice()),
        algorithm,
    );
    let relevance = match (query_embedding, &meaning) {
        (Some(q), Some(m)) => query::relevance_by_meaning(q, &m.sentences),
        _ => query_terms
            .as_deref()
            .zip(vectors.as_ref())
            .and_then(|(terms, v)| query::relevance(v, terms)),
    };
    if let Some(relevance) = &relevance {
        scores = query::focus(&scores, relevance);
    }

    // Rank: best score first, ties by position.
    let mut by_rank: Vec<usize> = (0..n).collect();
    by_rank.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut rank_of = vec![0; n];
    for (r, &i) in by_rank.iter().enumerate() {
        rank_of[i] = r + 1;
    }

    let mut limit = options.max_sentences.max(1).min(n);
    if let Some(ratio) = options.ratio {
        limit = limit.min(((n as f64 * ratio).ceil() as usize).max(1));
    }
    let budget = Budget {
        sentences: limit,
        words: options.max_words,
        chars: options.max_chars,
        unit: options.char_unit,
    };
    let mut chosen = select::choose(
        &view,
        &scores,
        &by_rank,
        &budget,
        options.diversity,
        vectors.as_ref(),
    );
    if options.order == Order::Document {
        chosen.sort_unstable();
    }
    Ok(Summary {
        sentences: chosen
            .into_iter()
            .map(|i| SummarySentence {
                index: view.sentences[i].index,
                span: view.sentences[i].span.clone(),
                score: scores[i],
                rank: rank_of[i],
            })
            .collect(),
        sentence_count: doc.sentences.len(),
        removed_sentences: view.removed,
        algorithm,
        query_used: relevance.is_some(),
        keyphrases: keyphrases::extract(&view, options.keyphrases),
    })
}

#[cfg(test)]
mod tests;
