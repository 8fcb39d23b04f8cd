//! Word-level differences of an aligned group, as byte ranges into the
//! original texts.
//!
//! The words of the group's A sentences and of its B sentences are diffed
//! by their normal forms (so case and punctuation changes are not edits)
//! with `similar`'s Myers diff. Each operation is mapped back to the words'
//! byte offsets: an `Equal` or `Delete` covers A from its first word's start
//! to its last word's end, an `Insert` likewise in B; a `Replace` becomes a
//! `Delete` then an `Insert`. The side an operation does not touch gets an
//! empty range at the start of the next word of that side (the end of the
//! last word when none follows), which is where the text would go. Runs of
//! the same operation are merged, so the spans of a group alternate and
//! together cover every word of its sentences on both sides.

use similar::{Algorithm, capture_diff_slices};

use super::prepare::Word;
use super::{DiffOp, DiffSpan};

/// The diff of the words `a` (from text A) and `b` (from text B).
pub fn diff(a: &[Word], b: &[Word]) -> Vec<DiffSpan> {
    // Most aligned sentences of an edited copy are unchanged: one span,
    // without running the diff.
    if !a.is_empty() && a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.hash == y.hash) {
        return vec![DiffSpan {
            op: DiffOp::Equal,
            a: range(a, 0, a.len()),
            b: range(b, 0, b.len()),
        }];
    }
    let ka: Vec<u64> = a.iter().map(|w| w.hash).collect();
    let kb: Vec<u64> = b.iter().map(|w| w.hash).collect();
    let ops = capture_diff_slices(Algorithm::Myers, &ka, &kb);
    let mut out: Vec<DiffSpan> = Vec::with_capacity(ops.len() + 1);
    for op in ops {
        match op {
            similar::DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => push(
                &mut out,
                DiffOp::Equal,
                range(a, old_index, len),
                range(b, new_index, len),
            ),
            similar::DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => push(
                &mut out,
                DiffOp::Delete,
                range(a, old_index, old_len),
                gap(b, new_index),
            ),
            similar::DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => push(
                &mut out,
                DiffOp::Insert,
                gap(a, old_index),
                range(b, new_index, new_len),
            ),
            similar::DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                push(
                    &mut out,
                    DiffOp::Delete,
                    range(a, old_index, old_len),
                    gap(b, new_index),
                );
                push(
                    &mut out,
                    DiffOp::Insert,
                    gap(a, old_index + old_len),
                    range(b, new_index, new_len),
                );
            }
        }
    }
    out
}

/// Appends a span, merging it into the previous one when the operation is
/// the same.
fn push(out: &mut Vec<DiffSpan>, op: DiffOp, a: std::ops::Range<usize>, b: std::ops::Range<usize>) {
    if let Some(last) = out.last_mut()
        && last.op == op
    {
        last.a = last.a.start.min(a.start)..last.a.end.max(a.end);
        last.b = last.b.start.min(b.start)..last.b.end.max(b.end);
        return;
    }
    out.push(DiffSpan { op, a, b });
}

/// Byte range from the start of `words[index]` to the end of
/// `words[index + len - 1]`.
fn range(words: &[Word], index: usize, len: usize) -> std::ops::Range<usize> {
    match (words.get(index), words.get(index + len.max(1) - 1)) {
        (Some(first), Some(last)) => first.start..last.end,
        _ => gap(words, index),
    }
}

/// Empty range where words would be inserted before `words[index]`.
fn gap(words: &[Word], index: usize) -> std::ops::Range<usize> {
    let at = match words.get(index) {
        Some(w) => w.start,
        None => words.last().map_or(0, |w| w.end),
    };
    at..at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::prepare::Prepared;
    use crate::text::{Document, Language};

    fn spans<'t>(a: &'t str, b: &'t str) -> Vec<(DiffOp, &'t str, &'t str)> {
        let (da, db) = (
            Document::analyze(a, Language::from_code("en")),
            Document::analyze(b, Language::from_code("en")),
        );
        let (pa, pb) = (Prepared::whole(&da), Prepared::whole(&db));
        diff(pa.words(), pb.words())
            .into_iter()
            .map(|s| (s.op, &a[s.a], &b[s.b]))
            .collect()
    }

    #[test]
    fn replaced_words_become_delete_then_insert() {
        let got = spans(
            "The coup of 1999, which left rival clans vying for power.",
            "The coup of 1999, which led to rival clans vying for power!",
        );
        assert_eq!(
            got,
            vec![
                (
                    DiffOp::Equal,
                    "The coup of 1999, which",
                    "The coup of 1999, which"
                ),
                (DiffOp::Delete, "left", ""),
                (DiffOp::Insert, "", "led to"),
                (
                    DiffOp::Equal,
                    "rival clans vying for power",
                    "rival clans vying for power"
                ),
            ]
        );
    }

    #[test]
    fn case_and_punctuation_are_not_edits_and_gaps_are_placed() {
        let got = spans("Talks ended. In Vienna", "TALKS ended in Vienna today");
        assert_eq!(
            got,
            vec![
                (
                    DiffOp::Equal,
                    "Talks ended. In Vienna",
                    "TALKS ended in Vienna"
                ),
                (DiffOp::Insert, "", "today"),
            ]
        );
    }

    #[test]
    fn empty_sides_do_not_panic() {
        assert!(diff(&[], &[]).is_empty());
        let got = spans("", "One two");
        assert_eq!(got, vec![(DiffOp::Insert, "", "One two")]);
    }
}
