//! Extractive summarization: score every sentence of a [`Document`] with one
//! algorithm, then pick the best sentences that fit the requested length.
//!
//! Scoring lives in one module per algorithm; this module owns what they
//! share: the length budget, ranking with ties broken by position, and the
//! order of the result.

mod centroid;
mod graph;
mod lead;
mod lexrank;
mod textrank;

use std::ops::Range;

use crate::text::Document;

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
}

impl Algorithm {
    /// Every algorithm, for evaluation and benchmarks.
    pub const ALL: [Algorithm; 4] = [
        Algorithm::TextRank,
        Algorithm::LexRank,
        Algorithm::Centroid,
        Algorithm::Lead,
    ];

    /// The algorithm used when a request names none: the one with the best
    /// ROUGE on the development data (see the README's evaluation table).
    pub const DEFAULT: Algorithm = Algorithm::Lead;
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
/// given limits wins; a summary of a non-empty document always has at least
/// one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct SummarizeOptions {
    /// Most sentences to return (at least 1).
    pub max_sentences: usize,
    /// Share of the document's sentences, in (0, 1], rounded up.
    pub ratio: Option<f64>,
    /// Most words in the summary, counted as [`crate::text::Sentence::word_count`].
    pub max_words: Option<usize>,
    /// Scoring algorithm.
    pub algorithm: Algorithm,
    /// Order of the result.
    pub order: Order,
}

impl Default for SummarizeOptions {
    fn default() -> Self {
        Self {
            max_sentences: 3,
            ratio: None,
            max_words: None,
            algorithm: Algorithm::DEFAULT,
            order: Order::Document,
        }
    }
}

/// One sentence of a summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SummarySentence {
    /// Position among all sentences of the document, from 0.
    pub index: usize,
    /// Byte range in the document's text.
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
    /// The algorithm that ran.
    pub algorithm: Algorithm,
}

/// Scores every sentence of `doc` with `algorithm`: one finite, non-negative
/// score per sentence, higher is better.
pub fn score(doc: &Document<'_>, algorithm: Algorithm) -> Vec<f64> {
    let scores = match algorithm {
        Algorithm::TextRank => textrank::score(doc),
        Algorithm::LexRank => lexrank::score(doc),
        Algorithm::Centroid => centroid::score(doc),
        Algorithm::Lead => lead::score(doc),
    };
    debug_assert_eq!(scores.len(), doc.sentences.len());
    scores
        .into_iter()
        .map(|s| if s.is_finite() { s.max(0.0) } else { 0.0 })
        .collect()
}

/// Summarizes an analysed document.
pub fn summarize(doc: &Document<'_>, options: &SummarizeOptions) -> Summary {
    let n = doc.sentences.len();
    let scores = score(doc, options.algorithm);

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

    // Greedy by rank: take each sentence that still fits the word budget, so
    // a long high-ranked sentence does not block shorter good ones. The best
    // sentence is always taken, even alone over budget, so that a summary is
    // never empty.
    let mut chosen: Vec<usize> = Vec::with_capacity(limit);
    let mut words = 0usize;
    for &i in &by_rank {
        if chosen.len() == limit {
            break;
        }
        let w = doc.sentences[i].word_count;
        match options.max_words {
            Some(budget) if !chosen.is_empty() && words + w > budget => continue,
            _ => {}
        }
        words += w;
        chosen.push(i);
    }
    if options.order == Order::Document {
        chosen.sort_unstable();
    }
    Summary {
        sentences: chosen
            .into_iter()
            .map(|i| SummarySentence {
                index: i,
                span: doc.sentences[i].span.clone(),
                score: scores[i],
                rank: rank_of[i],
            })
            .collect(),
        sentence_count: n,
        algorithm: options.algorithm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Language;

    /// The last sentence shares terms with every other; the others share
    /// nothing with each other.
    const HUB: &str = "Farmers harvested the wheat early. \
        Heavy rain flooded the valley. \
        The central bank raised interest rates. \
        Tourists visited the old castle. \
        Farmers fear heavy rain, higher interest rates and fewer tourists at the castle.";

    /// The centrality scorers' raw scores, before [`score`] cleans them.
    fn raw(algorithm: Algorithm, text: &str) -> Vec<f64> {
        let doc = Document::analyze(text, Language::from_code("en"));
        match algorithm {
            Algorithm::TextRank => textrank::score(&doc),
            Algorithm::LexRank => lexrank::score(&doc),
            Algorithm::Centroid => centroid::score(&doc),
            Algorithm::Lead => lead::score(&doc),
        }
    }

    const CENTRALITY: [Algorithm; 3] =
        [Algorithm::TextRank, Algorithm::LexRank, Algorithm::Centroid];

    #[test]
    fn sentence_sharing_terms_with_all_others_ranks_first() {
        for algorithm in CENTRALITY {
            let s = raw(algorithm, HUB);
            assert_eq!(s.len(), 5);
            let best = (0..s.len()).max_by(|&a, &b| s[a].total_cmp(&s[b]).then(b.cmp(&a)));
            assert_eq!(best, Some(4), "{algorithm:?}: {s:?}");
            // The leaves are alike; none is far from another.
            assert!(s[..4].iter().all(|&x| x > 0.0 && x < s[4]), "{algorithm:?}");
        }
    }

    #[test]
    fn sentences_without_content_terms_score_zero() {
        for algorithm in CENTRALITY {
            let s = raw(
                algorithm,
                "Markets fell sharply on Monday. It is what it is. Markets recovered.",
            );
            assert_eq!(s[1], 0.0, "{algorithm:?}");
            assert!(s[0] > 0.0 && s[2] > 0.0, "{algorithm:?}");
        }
    }

    #[test]
    fn one_sentence_document_scores_one() {
        for algorithm in Algorithm::ALL {
            let s = raw(algorithm, "Markets fell sharply on Monday.");
            assert_eq!(s.len(), 1);
            assert!((s[0] - 1.0).abs() < 1e-12, "{algorithm:?}: {s:?}");
        }
    }

    #[test]
    fn all_stopword_and_empty_documents() {
        for algorithm in CENTRALITY {
            assert_eq!(
                raw(algorithm, "It is what it is. We were there."),
                [0.0, 0.0]
            );
            assert!(raw(algorithm, "").is_empty());
        }
    }

    #[test]
    fn scores_are_finite_and_bounded() {
        for algorithm in [Algorithm::TextRank, Algorithm::LexRank] {
            let s = raw(algorithm, HUB);
            assert!(
                s.iter().all(|x| x.is_finite() && *x >= 0.0),
                "{algorithm:?}"
            );
            // PageRank scores are a distribution.
            assert!(s.iter().sum::<f64>() <= 1.0 + 1e-9, "{algorithm:?}");
        }
        let s = raw(Algorithm::Centroid, HUB);
        assert!(s.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)));
    }

    #[test]
    fn summary_budgets_and_ranks() {
        let doc = Document::analyze(HUB, Language::from_code("en"));
        let options = SummarizeOptions {
            max_sentences: 2,
            algorithm: Algorithm::TextRank,
            order: Order::Rank,
            ..Default::default()
        };
        let summary = summarize(&doc, &options);
        assert_eq!(summary.sentence_count, 5);
        assert_eq!(summary.sentences.len(), 2);
        assert_eq!(
            summary.sentences[0].index, 4,
            "the hub sentence ranks first"
        );
        assert_eq!(summary.sentences[0].rank, 1);
        let one_word = summarize(
            &doc,
            &SummarizeOptions {
                max_words: Some(1),
                ..options
            },
        );
        assert_eq!(
            one_word.sentences.len(),
            1,
            "the best sentence, even over budget"
        );
    }
}
