//! The summarizer's tests: the scorers, the budgets, furniture, redundancy,
//! query focus by words and by meaning, SEMANTIC and key phrases.

use super::*;
use crate::deadline::Deadline;
use crate::semantic::Embedder;
use crate::semantic::fake::FakeEmbedder;
use crate::text::Language;

/// Summarizes without the encoder, where no algorithm needs it.
fn lexical(doc: &Document<'_>, options: &SummarizeOptions) -> Summary {
    summarize(doc, options, None).expect("a lexical summary")
}

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
    let view = View::all(&doc);
    match algorithm {
        Algorithm::TextRank => textrank::score(&v),
        Algorithm::LexRank => lexrank::score(&v),
        Algorithm::Centroid => centroid::score(&v),
        Algorithm::Lead => lead::score(doc.sentences.len()),
        Algorithm::PacSum => pacsum::score(&v),
        Algorithm::Semantic => {
            let texts: Vec<&str> = (0..view.len()).map(|i| view.text(i)).collect();
            let e = FakeEmbedder::new().embed(&texts, doc.deadline).unwrap();
            semantic::score(&semantic::SentenceEmbeddings::new(&view, &e))
        }
    }
}

const CENTRALITY: [Algorithm; 3] = [Algorithm::TextRank, Algorithm::LexRank, Algorithm::Centroid];

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
    let summary = lexical(&doc, &options);
    assert_eq!(summary.sentence_count, 5);
    assert_eq!(summary.sentences.len(), 2);
    assert_eq!(
        summary.sentences[0].index, 4,
        "the hub sentence ranks first"
    );
    assert_eq!(summary.sentences[0].rank, 1);
    let one_word = lexical(
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
    lexical(doc, &options)
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
    let fake = FakeEmbedder::new();
    for algorithm in Algorithm::ALL {
        let options = SummarizeOptions {
            max_sentences: 10,
            algorithm,
            ..Default::default()
        };
        let summary = summarize(&doc, &options, Some(&fake)).unwrap();
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
            Some(&fake),
        )
        .unwrap();
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
    let summary = lexical(&doc, &SummarizeOptions::default());
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
        lexical(&doc, &options)
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
    let plain = lexical(&doc, &options(None));
    assert!(!plain.query_used);
    assert_eq!(plain.sentences[0].index, 0);
    let schools = lexical(&doc, &options(Some("Are the schools open?")));
    assert!(schools.query_used);
    assert_eq!(schools.sentences[0].index, 3);
    let cattle = lexical(&doc, &options(Some("cattle")));
    assert_eq!(cattle.sentences[0].index, 4);
    // Words the document does not use change nothing.
    let unknown = lexical(&doc, &options(Some("volcano eruption")));
    assert!(!unknown.query_used);
    assert_eq!(unknown.sentences, plain.sentences);
}

#[test]
fn key_phrases_come_with_the_summary_when_asked() {
    let doc = Document::analyze(REPEATS, Language::from_code("en"));
    let none = lexical(&doc, &SummarizeOptions::default());
    assert!(none.keyphrases.is_empty());
    let some = lexical(
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

/// Sentence 1 says what 2, 3 and 4 then say again in other words (the
/// fake embedder reads the synonyms alike); by its words it shares nothing
/// with them.
const PARAPHRASED: &str = "Rain fell on the hills overnight. \
    The doctor will buy a big car. \
    A physician will purchase a large automobile. \
    A physician will purchase a large automobile soon. \
    The physician plans to purchase an automobile. \
    Ferries sailed on time.";

/// Where each sentence of `doc` ranks under `algorithm`, by index.
fn ranks(doc: &Document<'_>, algorithm: Algorithm, embedder: Option<&dyn Embedder>) -> Vec<usize> {
    let options = SummarizeOptions {
        max_sentences: doc.sentences.len(),
        algorithm,
        ..Default::default()
    };
    let summary = summarize(doc, &options, embedder).unwrap();
    assert_eq!(summary.algorithm, algorithm);
    let mut ranks = vec![0; doc.sentences.len()];
    for s in &summary.sentences {
        ranks[s.index] = s.rank;
    }
    ranks
}

#[test]
fn semantic_ranks_by_meaning_where_pacsum_reads_words() {
    let doc = Document::analyze(PARAPHRASED, Language::from_code("en"));
    let fake = FakeEmbedder::new();
    let semantic = ranks(&doc, Algorithm::Semantic, Some(&fake));
    let pacsum = ranks(&doc, Algorithm::PacSum, None);
    // The same position prior; only the centrality differs. By meaning
    // the paraphrased sentence leads all after it; by words it is alone.
    assert!(semantic[1] <= 2, "{semantic:?}");
    assert!(semantic[1] < semantic[2], "{semantic:?}");
    assert!(pacsum[1] > pacsum[2], "{pacsum:?}");
}

#[test]
fn semantic_without_the_encoder_is_an_error() {
    let doc = Document::analyze(PARAPHRASED, Language::from_code("en"));
    let options = SummarizeOptions {
        algorithm: Algorithm::Semantic,
        ..Default::default()
    };
    assert_eq!(
        summarize(&doc, &options, None),
        Err(SummarizeError::EncoderMissing(Algorithm::Semantic))
    );
    // A document with nothing left to summarize needs no encoder call,
    // but SEMANTIC still names what it lacks.
    let empty = Document::analyze("Leave a comment", Language::from_code("en"));
    assert!(summarize(&empty, &options, None).is_err());
    let fake = FakeEmbedder::new();
    let summary = summarize(&empty, &options, Some(&fake)).unwrap();
    assert!(summary.sentences.is_empty());
}

/// A story with one sentence about buying a car, which a query may ask
/// about in other words.
const RIVER: &str = "Floods closed the main bridge across the river on Monday. \
    Floods closed the main bridge across the river again on Monday. \
    The river bridge floods every spring. \
    Farmers buy a big car to cross the river. \
    Schools stayed open despite the floods.";

#[test]
fn with_the_encoder_a_query_is_read_by_meaning() {
    let doc = Document::analyze(RIVER, Language::from_code("en"));
    let fake = FakeEmbedder::new();
    let options = |query: &str| SummarizeOptions {
        max_sentences: 1,
        query: Some(query.to_owned()),
        ..Default::default()
    };
    // No word of the query is in the story: by words it changes nothing.
    let by_words = summarize(&doc, &options("purchase automobile"), None).unwrap();
    assert!(!by_words.query_used);
    assert_eq!(by_words.sentences[0].index, 0);
    let by_meaning = summarize(&doc, &options("purchase automobile"), Some(&fake)).unwrap();
    assert!(by_meaning.query_used);
    assert_eq!(by_meaning.sentences[0].index, 3);
    // Whatever the algorithm.
    let lead = SummarizeOptions {
        algorithm: Algorithm::Lead,
        ..options("purchase automobile")
    };
    let by_meaning = summarize(&doc, &lead, Some(&fake)).unwrap();
    assert_eq!(by_meaning.sentences[0].index, 3);
    // A query no sentence comes near changes nothing.
    let plain = summarize(&doc, &options("  "), Some(&fake)).unwrap();
    assert!(!plain.query_used);
    let unrelated = summarize(&doc, &options("volcano eruption"), Some(&fake)).unwrap();
    assert!(!unrelated.query_used);
    assert_eq!(unrelated.sentences, plain.sentences);
}

#[test]
fn the_encoder_stops_at_the_documents_deadline() {
    let mut doc = Document::analyze(RIVER, Language::from_code("en"));
    doc.deadline = Deadline::at(std::time::Instant::now());
    let fake = FakeEmbedder::new();
    let semantic = SummarizeOptions {
        algorithm: Algorithm::Semantic,
        ..Default::default()
    };
    assert_eq!(
        summarize(&doc, &semantic, Some(&fake)),
        Err(SummarizeError::Embed(EmbedError::DeadlineExceeded))
    );
    let query = SummarizeOptions {
        query: Some("cars".into()),
        ..Default::default()
    };
    assert_eq!(
        summarize(&doc, &query, Some(&fake)),
        Err(SummarizeError::Embed(EmbedError::DeadlineExceeded))
    );
}
