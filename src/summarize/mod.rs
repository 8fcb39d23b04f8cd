//! Extractive summarization: score every sentence of a [`Document`] with one
//! algorithm, then pick the best sentences that fit the requested length.
//!
//! Scoring lives in one module per algorithm; this module owns what they
//! share: furniture removal ([`crate::text::view`]), query focus ([`query`]), ranking with
//! ties broken by position, the budgets and redundancy control
//! ([`select`]), the order of the result, and key phrases
//! ([`keyphrases`]).

mod centroid;
mod graph;
pub mod keyphrases;
mod lead;
mod lexrank;
pub mod pacsum;
pub mod query;
pub mod select;
mod textrank;

use std::ops::Range;

pub use graph::SentenceVectors;
pub use keyphrases::Keyphrase;
use select::Budget;

use crate::offsets::OffsetUnit;
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
}

impl Algorithm {
    /// Every algorithm, for evaluation and benchmarks.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::TextRank,
        Algorithm::LexRank,
        Algorithm::Centroid,
        Algorithm::Lead,
        Algorithm::PacSum,
    ];

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
    /// Bias the summary towards these words (see [`query`]).
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
    /// Whether a query was given and some of its terms occur in the
    /// sentences, so that it biased the summary.
    pub query_used: bool,
    /// Key phrases, best first (as many as asked for, or fewer).
    pub keyphrases: Vec<Keyphrase>,
}

/// Scores every sentence of `view` with `algorithm`: one finite,
/// non-negative score per sentence, higher is better.
pub fn score(view: &View<'_, '_>, algorithm: Algorithm) -> Vec<f64> {
    let vectors = (algorithm != Algorithm::Lead).then(|| SentenceVectors::of(view));
    score_with(view, vectors.as_ref(), algorithm)
}

/// [`score`] with the vectors already built (`None` only for LEAD).
fn score_with(
    view: &View<'_, '_>,
    vectors: Option<&SentenceVectors>,
    algorithm: Algorithm,
) -> Vec<f64> {
    let scores = match (algorithm, vectors) {
        (Algorithm::TextRank, Some(v)) => textrank::score(v),
        (Algorithm::LexRank, Some(v)) => lexrank::score(v),
        (Algorithm::Centroid, Some(v)) => centroid::score(v),
        (Algorithm::PacSum, Some(v)) => pacsum::score(v),
        _ => lead::score(view.len()),
    };
    debug_assert_eq!(scores.len(), view.len());
    scores
        .into_iter()
        .map(|s| if s.is_finite() { s.max(0.0) } else { 0.0 })
        .collect()
}

/// Summarizes an analysed document.
pub fn summarize(doc: &Document<'_>, options: &SummarizeOptions) -> Summary {
    let view = View::new(doc, options.keep_boilerplate);
    let n = view.len();
    let query = options
        .query
        .as_deref()
        .map(|q| query::terms(&view, q))
        .filter(|terms| !terms.is_empty());
    let needs_vectors =
        options.algorithm != Algorithm::Lead || options.diversity > 0.0 || query.is_some();
    let vectors = needs_vectors.then(|| SentenceVectors::of(&view));
    let mut scores = score_with(&view, vectors.as_ref(), options.algorithm);
    let relevance = query
        .as_deref()
        .zip(vectors.as_ref())
        .and_then(|(terms, v)| query::relevance(v, terms));
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
    Summary {
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
        algorithm: options.algorithm,
        query_used: relevance.is_some(),
        keyphrases: keyphrases::extract(&view, options.keyphrases),
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
        let v = SentenceVectors::new(&doc);
        match algorithm {
            Algorithm::TextRank => textrank::score(&v),
            Algorithm::LexRank => lexrank::score(&v),
            Algorithm::Centroid => centroid::score(&v),
            Algorithm::Lead => lead::score(doc.sentences.len()),
            Algorithm::PacSum => pacsum::score(&v),
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
        assert!(
            one_word.sentences.is_empty(),
            "no sentence fits, none is cut"
        );
    }

    fn lead(doc: &Document<'_>, options: SummarizeOptions) -> Vec<usize> {
        let options = SummarizeOptions {
            algorithm: Algorithm::Lead,
            ..options
        };
        summarize(doc, &options)
            .sentences
            .iter()
            .map(|s| s.index)
            .collect()
    }

    #[test]
    fn word_and_character_budgets_are_never_exceeded() {
        // Sentences of 5, 3 and 4 words; 30, 16 and 21 bytes.
        let text = "Ministers met in Geneva today. Talks went well. They meet again soon.";
        let doc = Document::analyze(text, Language::from_code("en"));
        let all = SummarizeOptions {
            max_sentences: 3,
            ..Default::default()
        };
        assert_eq!(lead(&doc, all.clone()), [0, 1, 2]);
        let words = |w| SummarizeOptions {
            max_words: Some(w),
            ..all.clone()
        };
        assert_eq!(lead(&doc, words(12)), [0, 1, 2]);
        assert_eq!(lead(&doc, words(11)), [0, 1], "the third no longer fits");
        assert_eq!(
            lead(&doc, words(4)),
            [1],
            "shorter sentences after one too long"
        );
        assert!(lead(&doc, words(2)).is_empty());
        let chars = |c, unit| SummarizeOptions {
            max_chars: Some(c),
            char_unit: unit,
            ..all.clone()
        };
        assert_eq!(lead(&doc, chars(67, OffsetUnit::Utf8Byte)), [0, 1, 2]);
        assert_eq!(lead(&doc, chars(66, OffsetUnit::Utf8Byte)), [0, 1]);
        assert_eq!(lead(&doc, chars(20, OffsetUnit::Utf8Byte)), [1]);
        assert!(lead(&doc, chars(15, OffsetUnit::Utf8Byte)).is_empty());

        // Counted in the unit asked for: "é" is 2 bytes, 1 code point and 1
        // UTF-16 unit; "👍" 4 bytes, 1 code point and 2 UTF-16 units.
        let text = "Café 👍 ok. Tea.";
        let doc = Document::analyze(text, Language::from_code("en"));
        let first = "Café 👍 ok.";
        assert_eq!(OffsetUnit::CodePoint.len(first), 10);
        assert_eq!(OffsetUnit::Utf16CodeUnit.len(first), 11);
        assert_eq!(lead(&doc, chars(10, OffsetUnit::CodePoint)), [0]);
        assert_eq!(lead(&doc, chars(10, OffsetUnit::Utf16CodeUnit)), [1]);
        assert_eq!(lead(&doc, chars(14, OffsetUnit::Utf8Byte)), [0]);
        assert_eq!(lead(&doc, chars(13, OffsetUnit::Utf8Byte)), [1]);
    }

    #[test]
    fn furniture_is_left_out_unless_kept() {
        let text = "Drought talks open\n\nFreedonia (NWS): Ministers met in Geneva. \
                    They discussed the drought.\n\nLeave a comment";
        let doc = Document::analyze(text, Language::from_code("en"));
        for algorithm in Algorithm::ALL {
            let options = SummarizeOptions {
                max_sentences: 10,
                algorithm,
                ..Default::default()
            };
            let summary = summarize(&doc, &options);
            assert_eq!(summary.removed_sentences, 2);
            let texts: Vec<&str> = summary
                .sentences
                .iter()
                .map(|s| &text[s.span.clone()])
                .collect();
            assert_eq!(
                texts,
                ["Ministers met in Geneva.", "They discussed the drought."]
            );
            assert_eq!(summary.sentences[0].index, 1);
            let kept = summarize(
                &doc,
                &SummarizeOptions {
                    keep_boilerplate: true,
                    ..options
                },
            );
            assert_eq!((kept.sentences.len(), kept.removed_sentences), (4, 0));
            assert_eq!(kept.sentences[1].span, doc.sentences[1].span);
        }
        // Position counts among the story's sentences: LEAD-1 is its first.
        let first = lead(
            &doc,
            SummarizeOptions {
                max_sentences: 1,
                ..Default::default()
            },
        );
        assert_eq!(first, [1]);
        // Nothing left: an empty summary.
        let doc = Document::analyze("Leave a comment", Language::from_code("en"));
        let summary = summarize(&doc, &SummarizeOptions::default());
        assert!(summary.sentences.is_empty());
        assert_eq!((summary.sentence_count, summary.removed_sentences), (1, 1));
    }

    /// Two near-copies of one sentence outscore the rest in centrality.
    const REPEATS: &str = "Floods closed the main bridge across the river on Monday. \
        Floods closed the main bridge across the river again on Monday. \
        The river bridge floods every spring. \
        Schools stayed open despite the floods. \
        Farmers moved cattle away from the river.";

    #[test]
    fn diversity_trades_score_for_novelty() {
        let doc = Document::analyze(REPEATS, Language::from_code("en"));
        let pick = |diversity| {
            let options = SummarizeOptions {
                max_sentences: 2,
                algorithm: Algorithm::LexRank,
                diversity,
                ..Default::default()
            };
            summarize(&doc, &options)
                .sentences
                .iter()
                .map(|s| s.index)
                .collect::<Vec<_>>()
        };
        assert_eq!(pick(0.0), [0, 1], "the two copies rank first");
        let diverse = pick(0.7);
        assert_eq!(diverse.len(), 2);
        assert!(diverse.contains(&0) || diverse.contains(&1));
        assert!(
            !(diverse.contains(&0) && diverse.contains(&1)),
            "{diverse:?}"
        );
    }

    #[test]
    fn a_query_pulls_the_summary_towards_it() {
        let doc = Document::analyze(REPEATS, Language::from_code("en"));
        let options = |query: Option<&str>| SummarizeOptions {
            max_sentences: 1,
            query: query.map(str::to_owned),
            ..Default::default()
        };
        let plain = summarize(&doc, &options(None));
        assert!(!plain.query_used);
        assert_eq!(plain.sentences[0].index, 0);
        let schools = summarize(&doc, &options(Some("Are the schools open?")));
        assert!(schools.query_used);
        assert_eq!(schools.sentences[0].index, 3);
        let cattle = summarize(&doc, &options(Some("cattle")));
        assert_eq!(cattle.sentences[0].index, 4);
        // Words the document does not use change nothing.
        let unknown = summarize(&doc, &options(Some("volcano eruption")));
        assert!(!unknown.query_used);
        assert_eq!(unknown.sentences, plain.sentences);
    }

    #[test]
    fn key_phrases_come_with_the_summary_when_asked() {
        let doc = Document::analyze(REPEATS, Language::from_code("en"));
        let none = summarize(&doc, &SummarizeOptions::default());
        assert!(none.keyphrases.is_empty());
        let some = summarize(
            &doc,
            &SummarizeOptions {
                keyphrases: 3,
                ..Default::default()
            },
        );
        assert_eq!(some.keyphrases.len(), 3);
        let first = &some.keyphrases[0];
        assert_eq!(first.score, 1.0);
        for o in &first.occurrences {
            assert!(REPEATS[o.clone()].eq_ignore_ascii_case(&REPEATS[first.first.clone()]));
        }
    }
}
