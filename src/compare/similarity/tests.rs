//! Tests of the measures and the score on pairs written for them, and of
//! the overlap primitives against naive versions.

use super::*;
use crate::compare::prepare::Word;
use crate::text::{Document, Language};

fn measures(a: &str, b: &str) -> Measures {
    let (a, b) = (
        Document::analyze(a, Language::from_code("en")),
        Document::analyze(b, Language::from_code("en")),
    );
    let (pa, pb) = (Prepared::whole(&a), Prepared::whole(&b));
    Measures::new(&TermSpace::new(&pa, &pb), &pa, &pb)
}

#[test]
fn identical_texts_score_high_and_unrelated_low() {
    let same = measures("A man is slicing a tomato.", "A man is slicing a tomato.");
    assert!(same.score() > 0.9, "{same:?}");
    let other = measures(
        "A man is slicing a tomato.",
        "The stock market fell sharply on Friday.",
    );
    assert!(other.score() < 0.3, "{other:?}");
    assert!(
        same.score()
            > measures("A man is slicing a tomato.", "A woman is slicing an onion.").score()
    );
}

#[test]
fn containment_is_directional() {
    let m = measures(
        "The talks in Vienna went on for hours.",
        "The talks in Vienna went on for hours. Then everyone went home to sleep.",
    );
    assert!((m.containment_a - 1.0).abs() < 1e-12);
    assert!(m.containment_b < 0.6);
    assert!(m.jaccard <= m.containment_b);
}

#[test]
fn empty_texts_are_finite() {
    for (a, b) in [("", ""), ("!!!", "Word"), ("Word", "")] {
        let m = measures(a, b);
        for f in m.features() {
            assert!(f.is_finite() && (0.0..=1.0).contains(&f));
        }
        assert!(m.score().is_finite());
    }
}

#[test]
fn a_negation_lowers_the_score() {
    let base = "The minister said the new plan would work.";
    let negated = measures(base, "The minister said the new plan would not work.");
    let reworded = measures(base, "The minister said the new plan would surely work.");
    assert_eq!(negated.negation_mismatch, 1.0);
    assert_eq!(reworded.negation_mismatch, 0.0);
    assert!(
        negated.score() < reworded.score(),
        "{negated:?} {reworded:?}"
    );
    // Negated on both sides: no mismatch.
    let both = measures(
        "The plan didn't work.",
        "The plan did not work, and nobody knew why.",
    );
    assert!((both.negation_mismatch - 0.5).abs() < 1e-12, "{both:?}");
}

#[test]
fn a_different_figure_lowers_the_score() {
    let base = "Sales at the bakery rose 5 percent in May.";
    let figure = measures(base, "Sales at the bakery rose 9 percent in May.");
    let word = measures(base, "Sales at the bakery rose 5 percent last May.");
    assert!(figure.numbers < word.numbers);
    assert!(figure.score() < word.score(), "{figure:?} {word:?}");
}

#[test]
fn an_extra_clause_is_unmatched_and_lowers_the_score() {
    let base = "The ferry left the harbour at dawn.";
    let same = measures(base, "At dawn the ferry left the harbour.");
    let extra = measures(
        base,
        "The ferry left the harbour at dawn, carrying three hundred stranded tourists.",
    );
    assert_eq!(same.unmatched_words, 0.0);
    assert_eq!(same.unmatched_content, 0.0);
    assert!(extra.unmatched_content > 0.4, "{extra:?}");
    assert!(extra.unmatched_words > 0.4, "{extra:?}");
    // Only the longer side has unmatched words: the pair is contained.
    assert_eq!(extra.containment_a.max(extra.containment_b), 1.0);
    assert!(extra.score() < same.score(), "{extra:?} {same:?}");
}

#[test]
fn word_order_shows_in_content_ngrams_and_lcs() {
    let a = "Heavy rain flooded old stone bridges near Lake Varn.";
    let same_order = measures(
        a,
        "Heavy rain flooded the old stone bridges near Lake Varn.",
    );
    let shuffled = measures(a, "Near Lake Varn, old stone bridges flooded heavy rain.");
    // Same content words either way...
    assert_eq!(shuffled.unmatched_content, 0.0);
    // ...but not in the same order.
    assert!(same_order.content_ngram_min > 0.99, "{same_order:?}");
    assert!(shuffled.content_ngram_max < 0.5, "{shuffled:?}");
    assert!(shuffled.lcs < same_order.lcs);
    assert!(shuffled.score() < same_order.score());
}

/// Plain dynamic-programming LCS, to check the bit-parallel one.
fn naive_lcs(x: &[u64], y: &[u64]) -> usize {
    let mut row = vec![0usize; y.len() + 1];
    for &a in x {
        let mut diagonal = 0;
        for (j, &b) in y.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if a == b { diagonal + 1 } else { up.max(row[j]) };
            diagonal = up;
        }
    }
    row[y.len()]
}

#[test]
fn bit_parallel_lcs_matches_dynamic_programming() {
    let words = |hashes: &[u64]| -> Vec<Word> {
        hashes
            .iter()
            .map(|&hash| Word {
                start: 0,
                end: 1,
                hash,
                numeric: false,
                content: true,
                negation: false,
            })
            .collect()
    };
    assert_eq!(lcs_len(&words(&[1, 2, 3, 4]), &words(&[2, 4, 3])), 2);
    assert_eq!(lcs_len(&words(&[]), &words(&[1])), 0);
    // Over several 64-bit blocks, with carries across them.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = |k: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % k
    };
    for (m, n, k) in [(70, 150, 5), (200, 130, 20), (129, 129, 3), (64, 65, 2)] {
        let x: Vec<u64> = (0..m).map(|_| next(k)).collect();
        let y: Vec<u64> = (0..n).map(|_| next(k)).collect();
        assert_eq!(
            lcs_len(&words(&x), &words(&y)),
            naive_lcs(&x, &y),
            "{m}x{n}"
        );
    }
}

#[test]
fn count_cosine_counts_repeats() {
    assert!((count_cosine(&[1, 1, 2], &[1, 1, 2]) - 1.0).abs() < 1e-12);
    assert_eq!(count_cosine::<u32>(&[], &[1]), 0.0);
    assert_eq!(intersection(&[1, 2, 3], &[2, 3, 4]), 2);
}
