//! What each fuzz target feeds the analysis core and what it asserts of the
//! result. Shared by the cargo-fuzz targets (`fuzz/fuzz_targets/`) and by
//! `tests/it/fuzz_regressions.rs`, which replays every input the fuzzers ever
//! found (`fuzz/regressions/<target>/`) in the ordinary test run.
//!
//! Every check takes raw bytes: the first few choose options, the rest is
//! text (invalid UTF-8 replaced, as the gRPC layer can never pass it). A
//! panic, or an assertion below failing, is a finding.

#![allow(dead_code)] // each fuzz target uses one check

use std::sync::OnceLock;

use textanalysis::classify::model::Model;
use textanalysis::classify::{adhoc, features, registry};
use textanalysis::compare::{self as comparison, CompareOptions, Thresholds, Verdict};
use textanalysis::offsets::{OffsetIndex, OffsetUnit};
use textanalysis::summarize::{Algorithm, SummarizeOptions, summarize as summarize_doc};
use textanalysis::text::language::supported_codes;
use textanalysis::text::{Document, Language, Lexicon, segment, tokenize};

const UNITS: [OffsetUnit; 3] = [
    OffsetUnit::Utf8Byte,
    OffsetUnit::CodePoint,
    OffsetUnit::Utf16CodeUnit,
];

/// Sentence segmentation, word splitting, the analysed document and offset
/// conversion: spans are ordered, trimmed, on character boundaries, and
/// slice the text exactly in every offset unit.
pub fn segment(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    let spans = segment::sentences(text);
    let mut end = 0;
    for span in &spans {
        assert!(span.start >= end && span.start < span.end, "{spans:?}");
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        let slice = &text[span.clone()];
        assert_eq!(slice.trim(), slice, "sentence not trimmed");
        end = span.end;
    }

    let mut end = 0;
    for (offset, word) in tokenize::words(text) {
        assert!(offset >= end && !word.is_empty());
        assert_eq!(text.get(offset..offset + word.len()), Some(word));
        end = offset + word.len();
    }

    let doc = Document::analyze(text, None);
    let doc_spans: Vec<_> = doc.sentences.iter().map(|s| s.span.clone()).collect();
    assert_eq!(
        doc_spans, spans,
        "the document's sentences are the segmenter's"
    );
    assert_eq!(doc.sentence_frequency.len(), doc.vocabulary.len());
    for sentence in &doc.sentences {
        assert!(sentence.terms.len() <= sentence.word_count());
        assert!(
            sentence
                .terms
                .iter()
                .all(|&t| (t as usize) < doc.vocabulary.len())
        );
    }
    assert_spans_convert(text, &spans);
}

/// Summarize with options from the first seven bytes (algorithm, limits,
/// language, furniture, query, diversity, key phrases): the summary is
/// bounded by every limit and budget, ranked, finite, its spans lie in the
/// document's sentences, and its key phrases in the text.
pub fn summarize(data: &[u8]) {
    let Some((options, text)) = split_options::<7>(data) else {
        return;
    };
    // The algorithms that run without the sentence encoder, which the fuzz
    // targets do not load.
    let algorithm = Algorithm::LEXICAL[usize::from(options[0]) % Algorithm::LEXICAL.len()];
    let max_sentences = usize::from(options[1] % 16) + 1;
    let keyphrases = usize::from(options[1] >> 4);
    let max_words = (options[2] > 0).then(|| usize::from(options[2]));
    let ratio = (options[3] > 0).then(|| f64::from(options[3]) / 255.0);
    let flags = options[5];
    let query = (flags & 2 != 0).then(|| {
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    });
    let max_chars = (options[6] > 0).then(|| 4 * usize::from(options[6]));
    let unit = UNITS[usize::from(options[4]) % UNITS.len()];
    let doc = Document::analyze(&text, language(options[4]));
    let summary = summarize_doc(
        &doc,
        &SummarizeOptions {
            max_sentences,
            ratio,
            max_words,
            max_chars,
            char_unit: unit,
            algorithm,
            keep_boilerplate: flags & 1 != 0,
            diversity: f64::from(flags >> 2) / 63.0,
            query,
            keyphrases,
            ..Default::default()
        },
        None,
    )
    .expect("a lexical algorithm needs no encoder");
    let n = doc.sentences.len();
    assert_eq!(summary.sentence_count, n);
    assert!(summary.removed_sentences <= n);
    let candidates = n - summary.removed_sentences;
    assert!(summary.sentences.len() <= max_sentences.min(candidates));
    if candidates > 0 && max_words.is_none() && max_chars.is_none() {
        assert!(!summary.sentences.is_empty(), "a document has a summary");
    }
    if let Some(ratio) = ratio {
        let most = ((candidates as f64) * ratio).ceil().max(1.0) as usize;
        assert!(summary.sentences.len() <= most);
    }
    let texts = summary.sentences.iter().map(|s| &text[s.span.clone()]);
    if let Some(budget) = max_words {
        let words: usize = texts.clone().map(|t| tokenize::words(t).count()).sum();
        assert!(words <= budget, "{words} words over a budget of {budget}");
    }
    if let Some(budget) = max_chars {
        let chars: usize = texts.map(|t| unit.len(t)).sum();
        assert!(
            chars <= budget,
            "{chars} {unit:?} over a budget of {budget}"
        );
    }
    let mut ranks: Vec<usize> = summary.sentences.iter().map(|s| s.rank).collect();
    ranks.sort_unstable();
    ranks.dedup();
    assert_eq!(ranks.len(), summary.sentences.len(), "ranks are distinct");
    for s in &summary.sentences {
        assert!(s.score.is_finite() && s.score >= 0.0);
        assert!(s.rank >= 1 && s.rank <= n);
        let sentence = &doc.sentences[s.index].span;
        assert!(sentence.start <= s.span.start && s.span.end <= sentence.end && !s.span.is_empty());
    }
    assert!(summary.keyphrases.len() <= keyphrases);
    for phrase in &summary.keyphrases {
        assert!(phrase.score.is_finite() && phrase.score > 0.0 && phrase.score <= 1.0);
        assert!(phrase.count >= phrase.occurrences.len());
        for span in std::iter::once(&phrase.first).chain(&phrase.occurrences) {
            assert!(
                text.get(span.clone()).is_some_and(|t| !t.is_empty()),
                "{span:?}"
            );
        }
    }
}

/// Classify with the built-in model and with ad-hoc topics. The input is
/// one option byte, then the document, then topic keywords separated by
/// U+0001. Single-label probabilities sum to 1; every score is finite and
/// in [0, 1].
pub fn classify(data: &[u8]) {
    let Some(([choice], text)) = split_options::<1>(data) else {
        return;
    };
    let mut parts = text.split('\u{1}');
    let document = parts.next().unwrap_or_default();
    let keywords: Vec<String> = parts.map(str::to_owned).collect();

    let model = builtin();
    let given = language(choice);
    let lexicon = &mut Lexicon::new();
    let (language, counts) = features::detect_and_extract(document, given, lexicon);
    let single = model.classify(&counts, false);
    assert_eq!(single.len(), model.meta().labels.len());
    let total: f64 = single.iter().map(|(_, p)| p).sum();
    assert!((total - 1.0).abs() < 1e-9, "{single:?}");
    for (_, p) in single.iter().chain(&model.classify(&counts, true)) {
        assert!(p.is_finite() && (0.0..=1.0).contains(p), "{p}");
    }
    // The server's path, which never sorts the features the model lacks,
    // answers the same.
    assert_eq!(
        model.classify_text(document, given, false, None, lexicon),
        (language, single)
    );

    let topics: Vec<adhoc::Topic<'_>> = keywords
        .chunks(2)
        .map(|keywords| adhoc::Topic {
            label: "topic",
            keywords,
            examples: &[],
            description: keywords.first().map_or("", String::as_str),
        })
        .collect();
    let scores = adhoc::score(
        &counts,
        language.language,
        &topics,
        |f| model.idf(f).unwrap_or(model.default_idf()),
        lexicon,
    );
    assert_eq!(scores.len(), topics.len());
    assert!(
        scores
            .iter()
            .all(|s| s.is_finite() && (0.0..=1.0).contains(s)),
        "{scores:?}"
    );
}

/// Compare two texts separated by the first U+0000 (or the two halves of
/// the input), with options from the first three bytes (bit 16 of the
/// first keeps the furniture): every measure in [0, 1], every index and
/// diff span inside its text, every sentence compared inside its own span,
/// and a text compared with itself is a duplicate.
pub fn compare_texts(a: &str, b: &str, options: [u8; 3]) {
    let flags = options[0];
    let options = CompareOptions {
        alignment: flags & 1 != 0,
        diff: flags & 2 != 0,
        signatures: flags & 4 != 0,
        thresholds: Thresholds {
            near_duplicate: f64::from(options[1]) / 255.0,
            related: f64::from(options[2]) / 255.0,
        },
        keep_boilerplate: flags & 16 != 0,
    };
    let en = Language::from_code("en");
    let language = if flags & 8 != 0 { en } else { None };
    let da = Document::analyze(a, language);
    let db = Document::analyze(b, Some(da.language));
    let c =
        comparison::compare(&da, &db, &options, None).expect("a lexical comparison cannot fail");
    let s = c.similarity;
    for value in [
        s.score,
        s.cosine,
        s.jaccard,
        s.containment_a,
        s.containment_b,
    ] {
        assert!(value.is_finite() && (0.0..=1.0).contains(&value), "{s:?}");
    }
    for alignment in &c.alignments {
        assert!(alignment.similarity.is_finite());
        assert!(!alignment.a.is_empty() && !alignment.b.is_empty());
        assert!(alignment.a.iter().all(|&i| i < da.sentences.len()));
        assert!(alignment.b.iter().all(|&j| j < db.sentences.len()));
        for span in &alignment.diff {
            assert!(a.get(span.a.clone()).is_some(), "{span:?}");
            assert!(b.get(span.b.clone()).is_some(), "{span:?}");
        }
    }
    assert!(c.unique_a.iter().all(|&i| i < da.sentences.len()));
    assert!(c.unique_b.iter().all(|&j| j < db.sentences.len()));
    for (doc, spans, removed) in [
        (&da, &c.spans_a, c.removed_a),
        (&db, &c.spans_b, c.removed_b),
    ] {
        assert_eq!(spans.len(), doc.sentences.len());
        for (span, sentence) in spans.iter().zip(&doc.sentences) {
            assert!(span.start >= sentence.span.start && span.end <= sentence.span.end);
        }
        assert!(removed <= doc.sentences.len());
        assert!(!options.keep_boilerplate || removed == 0);
    }
    assert_eq!(c.signature_a.is_some(), options.signatures);

    let same = comparison::compare(&da, &da, &CompareOptions::default(), None)
        .expect("a lexical comparison cannot fail");
    if !da.sentences.is_empty() {
        assert_eq!(
            same.verdict,
            Verdict::Duplicate,
            "a text is its own duplicate"
        );
    }
}

/// [`compare_texts`] on raw bytes.
pub fn compare(data: &[u8]) {
    let Some((options, text)) = split_options::<3>(data) else {
        return;
    };
    let (a, b) = match text.split_once('\u{0}') {
        Some(pair) => pair,
        None => {
            let mut middle = text.len() / 2;
            while !text.is_char_boundary(middle) {
                middle -= 1;
            }
            text.split_at(middle)
        }
    };
    compare_texts(a, b, options);
}

/// A model file of arbitrary bytes either loads or is refused with an
/// error; a model that loads classifies with probabilities (summing to 1
/// for a single-label model).
pub fn model_file(data: &[u8]) {
    let Ok(model) = Model::from_bytes(data) else {
        return;
    };
    const TEXT: &str =
        "Parliament voted on the budget after a long debate about taxes and schools.";
    let english = Language::from_code("en").expect("English is supported");
    let lexicon = &mut Lexicon::new();
    let counts = features::extract(TEXT, english, lexicon);
    let single = model.classify(&counts, false);
    assert_eq!(single.len(), model.meta().labels.len());
    // A multi-label model always answers with independent probabilities.
    if !model.meta().multi_label {
        let total: f64 = single.iter().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 1e-6, "{single:?}");
    }
    for (_, p) in single.iter().chain(&model.classify(&counts, true)) {
        assert!(p.is_finite() && (0.0..=1.0).contains(p), "{p}");
    }
    // The server's path, which never sorts the features the model lacks,
    // answers the same, whatever the model.
    assert_eq!(
        model
            .classify_text(TEXT, Some(english), false, None, lexicon)
            .1,
        single
    );
}

/// The first `N` bytes as options and the rest as text.
fn split_options<const N: usize>(data: &[u8]) -> Option<([u8; N], String)> {
    let options = data.get(..N)?.try_into().ok()?;
    Some((options, String::from_utf8_lossy(&data[N..]).into_owned()))
}

/// A language chosen by `choice`: one of the supported ones, or `None`
/// (detect).
fn language(choice: u8) -> Option<Language> {
    let codes = supported_codes();
    codes
        .get(usize::from(choice) % (codes.len() + 1))
        .and_then(|code| Language::from_code(code))
}

/// The built-in news model, parsed once.
fn builtin() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| registry::builtin().expect("the built-in model loads"))
}

/// Each span converts to offsets that slice the text back exactly.
fn assert_spans_convert(text: &str, spans: &[std::ops::Range<usize>]) {
    let units: Vec<u16> = text.encode_utf16().collect();
    let chars: Vec<char> = text.chars().collect();
    for unit in UNITS {
        let index = OffsetIndex::new(text, unit, spans.iter().map(|s| s.start));
        for span in spans {
            let (offset, length) = index.span(span);
            let slice = match unit {
                OffsetUnit::Utf8Byte => text[offset..offset + length].to_owned(),
                OffsetUnit::CodePoint => chars[offset..offset + length].iter().collect(),
                OffsetUnit::Utf16CodeUnit => {
                    String::from_utf16(&units[offset..offset + length]).expect("whole characters")
                }
            };
            assert_eq!(slice, &text[span.clone()], "{unit:?}");
        }
    }
}
