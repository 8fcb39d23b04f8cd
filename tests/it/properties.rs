//! Properties of the analysis core on arbitrary text (proptest): offsets
//! slice the input exactly in every unit, every score is finite and in its
//! range, and counts stay within their bounds. No analysis panics.

use crate::common;

use proptest::prelude::*;
use textanalysis::classify::{features, registry};
use textanalysis::compare::{CompareOptions, compare};
use textanalysis::offsets::{OffsetIndex, OffsetUnit};
use textanalysis::proto::v1 as pb;
use textanalysis::summarize::{Algorithm, SummarizeOptions, summarize};
use textanalysis::text::{Document, Language, Lexicon};

/// Text built from pieces that exercise the pipeline: words, sentence
/// ends, abbreviations, quotes, line breaks, accents, combining marks,
/// emoji, CJK and right-to-left scripts.
fn text() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "The",
        "talks",
        "ended",
        "in",
        "Geneva",
        "Dr.",
        "U.S.",
        "3.5",
        " ",
        " ",
        "  ",
        ". ",
        "? ",
        "! ",
        "\n",
        "\n\n",
        "\"",
        "“",
        "”",
        "’s",
        "—",
        "café",
        "e\u{301}",
        "👍🏽",
        "🇫🇷",
        "会议。",
        "مرحبا.",
        "Ünïcödé",
        "\t",
        "…",
        "(",
        ")",
        ",",
    ]);
    prop::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat())
}

/// Text of a few sentences, each in one of several languages and scripts,
/// long and short: what a worker serving mixed traffic meets.
fn multilingual_text() -> impl Strategy<Value = String> {
    let sentence = prop::sample::select(vec![
        "The talks in Geneva ended on Monday without an agreement. ",
        "I forgot my password. ",
        "Oil prices soar ",
        "Die Gespräche in Genf endeten am Montag ohne eine Einigung. ",
        "Passwort vergessen ",
        "Les discussions de Genève se sont terminées lundi sans accord. ",
        "Las conversaciones en Ginebra terminaron el lunes sin acuerdo. ",
        "Переговоры в Женеве закончились в понедельник без соглашения. ",
        "日内瓦的谈判周一结束，没有达成协议。",
        "Running runners ran; the runner's run was running late. ",
        "12345 !!! ",
        "\n\n",
    ]);
    prop::collection::vec(sentence, 0..12).prop_map(|pieces| pieces.concat())
}

/// Everything the pipeline gives for `text` with `lexicon`: the analysed
/// document's language, sentences, words and terms, and classification's
/// language, features and probabilities, each to the bit.
fn answers(text: &str, lexicon: &mut Lexicon) -> String {
    let model = registry::builtin().expect("the built-in model loads");
    let doc = Document::analyze_with(text, None, lexicon, Default::default());
    let (choice, counts) = features::detect_and_extract(text, None, lexicon);
    let (_, ranked) = model.classify_text(text, None, false, None, lexicon);
    let bits: Vec<(usize, u64)> = ranked.iter().map(|&(l, p)| (l, p.to_bits())).collect();
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {bits:?}",
        doc.language,
        doc.language_source,
        doc.sentences,
        doc.words,
        doc.vocabulary,
        doc.term_hashes,
        doc.sentence_frequency,
        choice,
        counts,
    )
}

/// [`common::slice`] for the core's offset units.
fn slice_in_unit(text: &str, unit: OffsetUnit, offset: usize, length: usize) -> String {
    let unit = match unit {
        OffsetUnit::Utf8Byte => pb::OffsetUnit::Utf8Byte,
        OffsetUnit::CodePoint => pb::OffsetUnit::CodePoint,
        OffsetUnit::Utf16CodeUnit => pb::OffsetUnit::Utf16CodeUnit,
    };
    common::slice(text, unit, offset as u32, length as u32)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sentences_slice_the_text_exactly_in_every_unit(text in text()) {
        let doc = Document::analyze(&text, Language::from_code("en"));
        let mut previous_end = 0;
        for sentence in &doc.sentences {
            let span = sentence.span.clone();
            prop_assert!(span.start >= previous_end && span.start < span.end);
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            let slice = &text[span.clone()];
            prop_assert_eq!(slice.trim(), slice);
            previous_end = span.end;
            for unit in [OffsetUnit::Utf8Byte, OffsetUnit::CodePoint, OffsetUnit::Utf16CodeUnit] {
                let index = OffsetIndex::new(&text, unit, doc.sentences.iter().map(|s| s.span.start));
                let (offset, length) = index.span(&span);
                prop_assert_eq!(slice_in_unit(&text, unit, offset, length), slice);
            }
        }
    }

    #[test]
    fn summaries_are_bounded_ranked_and_finite(
        text in text(),
        max in 1usize..5,
        keep_boilerplate: bool,
        diversity in 0.0f64..=1.0,
        max_chars in prop::option::of(0usize..200),
    ) {
        let doc = Document::analyze(&text, None);
        for algorithm in Algorithm::LEXICAL {
            let options = SummarizeOptions {
                max_sentences: max,
                algorithm,
                keep_boilerplate,
                diversity,
                max_chars,
                char_unit: OffsetUnit::Utf16CodeUnit,
                query: Some("talks in Geneva".into()),
                keyphrases: 5,
                ..Default::default()
            };
            let summary = summarize(&doc, &options, None).expect("no encoder needed");
            prop_assert_eq!(summary.sentence_count, doc.sentences.len());
            prop_assert!(summary.sentences.len() + summary.removed_sentences <= doc.sentences.len());
            prop_assert!(summary.sentences.len() <= max.min(doc.sentences.len()));
            let mut chars = 0;
            for s in &summary.sentences {
                prop_assert!(s.score.is_finite() && s.score >= 0.0);
                prop_assert!(s.rank >= 1 && s.rank <= doc.sentences.len());
                // The sentence, or its tail once furniture is cut off.
                let whole = &doc.sentences[s.index].span;
                prop_assert!(s.span.end == whole.end && s.span.start >= whole.start && s.span.start < s.span.end);
                prop_assert!(text.is_char_boundary(s.span.start));
                chars += OffsetUnit::Utf16CodeUnit.len(&text[s.span.clone()]);
            }
            prop_assert!(max_chars.is_none_or(|limit| chars <= limit));
            prop_assert!(summary.keyphrases.len() <= 5);
            for k in &summary.keyphrases {
                prop_assert!(k.score > 0.0 && k.score <= 1.0);
                prop_assert!(!k.occurrences.is_empty() && k.occurrences.len() <= k.count);
                for o in &k.occurrences {
                    prop_assert!(text.is_char_boundary(o.start) && text.is_char_boundary(o.end) && o.start < o.end);
                }
            }
        }
    }

    #[test]
    fn comparisons_stay_in_range(a in text(), b in text()) {
        let en = Language::from_code("en");
        let (da, db) = (Document::analyze(&a, en), Document::analyze(&b, en));
        let options = CompareOptions { alignment: true, diff: true, signatures: true, ..Default::default() };
        let c = compare(&da, &db, &options, None).expect("a lexical comparison cannot fail");
        let s = c.similarity;
        for value in [s.score, s.cosine, s.jaccard, s.containment_a, s.containment_b] {
            prop_assert!(value.is_finite() && (0.0..=1.0).contains(&value), "{:?}", s);
        }
        for alignment in &c.alignments {
            prop_assert!(alignment.similarity.is_finite());
            prop_assert!(alignment.a.iter().all(|&i| i < da.sentences.len()));
            prop_assert!(alignment.b.iter().all(|&j| j < db.sentences.len()));
        }
        prop_assert!(c.unique_a.iter().all(|&i| i < da.sentences.len()));
        prop_assert!(c.unique_b.iter().all(|&j| j < db.sentences.len()));
    }

    #[test]
    fn answers_do_not_depend_on_the_texts_analysed_before(
        history in prop::collection::vec(multilingual_text(), 0..6),
        text in multilingual_text(),
    ) {
        let alone = answers(&text, &mut Lexicon::new());
        let mut lexicon = Lexicon::new();
        for earlier in &history {
            answers(earlier, &mut lexicon);
        }
        prop_assert_eq!(answers(&text, &mut lexicon), alone);
    }

    #[test]
    fn classification_gives_probabilities(text in text()) {
        let model = registry::builtin().expect("the built-in model loads");
        let (_, counts) = features::detect_and_extract(&text, None, &mut Lexicon::new());
        let single = model.classify(&counts, false);
        let total: f64 = single.iter().map(|(_, p)| p).sum();
        prop_assert!((total - 1.0).abs() < 1e-9, "{:?}", single);
        for (_, p) in single.iter().chain(&model.classify(&counts, true)) {
            prop_assert!(p.is_finite() && (0.0..=1.0).contains(p));
        }
    }
}
