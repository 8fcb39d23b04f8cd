//! Key phrases: the names and noun phrases a document keeps coming back to,
//! with every place they occur.
//!
//! Candidates are whole units ([`candidates`]): names as the document
//! writes them ("Bayern Munich", "Bank of England"), with a name's later
//! short forms ("Rode" after "Sebastian Rode") counted as the name, and
//! noun phrases between stopwords.
//!
//! # Scores
//!
//! A phrase scores `Σ p(s) · max w(t)`: its occurrences, each weighing
//! `p(s) = 1 / (1 + ln(1 + s))` by the index `s` of its sentence, times the
//! weight of its most telling term `t`, `w(t) = ln(1 + tf(t)) · (1 +
//! named(t) / tf(t))`. `tf` counts a term's occurrences in the summarized
//! sentences; `named` those written capitalised other than where a sentence
//! or quotation opens (names and acronyms), so names weigh up to double, as
//! YAKE (Campos et al. 2020) weighs casing.
//!
//! A single document has no corpus to weigh words against: recurrence is
//! what marks its topic, stopwords already took out the words every text
//! recurs, and the people, places and organisations a story is about are
//! written as names. Position counts because news and reports state their
//! subject first (YAKE and TextRank's successors weigh it too). A phrase is
//! weighed by its most telling term, not the mean of its terms, so that a
//! whole name ("Wayne Rooney") is worth what its recurring part ("Rooney")
//! is, and a noun phrase is not worth less than its best word for holding
//! a rarer one: whole phrases and single words compete on their own
//! occurrences.
//!
//! Phrases are taken best first, leaving out any that contains or is
//! contained in a phrase already taken, and scores are divided by the best,
//! so the first scores 1. Removed furniture takes no part: a caption or
//! comment box does not make a phrase key. The cost is linear in the number
//! of words.

mod candidates;

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::ops::Range;

use crate::text::View;

use candidates::{Candidates, Key, terms};
pub use candidates::{MAX_NAME_WORDS, MAX_PHRASE_WORDS};

/// Most occurrences listed per phrase; [`Keyphrase::count`] gives them all.
pub const MAX_OCCURRENCES: usize = 100;

/// One key phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyphrase {
    /// Byte range of its first occurrence, whose text is the phrase as the
    /// document first writes it.
    pub first: Range<usize>,
    /// In (0, 1]: 1 for the best phrase of the document.
    pub score: f64,
    /// Byte ranges of its occurrences in document order, at most
    /// [`MAX_OCCURRENCES`].
    pub occurrences: Vec<Range<usize>>,
    /// Number of occurrences.
    pub count: usize,
}

/// What scoring knows of a candidate.
#[derive(Debug, Clone, Default)]
struct Tally {
    count: usize,
    first: Range<usize>,
    /// Occurrences, each discounted by its position ([`position_weight`]).
    weighted: f64,
}

/// The `limit` best key phrases of the sentences of `view`.
pub fn extract(view: &View<'_, '_>, limit: usize) -> Vec<Keyphrase> {
    if limit == 0 {
        return Vec::new();
    }
    let mut candidates = Candidates::of(view);
    candidates.absorb_short_forms();
    let Candidates {
        keys,
        occurrences,
        stats,
        ..
    } = candidates;
    // A view has a few dozen sentences and each holds many occurrences:
    // the logarithms are taken once a sentence.
    let positions: Vec<f64> = (0..view.sentences.len()).map(position_weight).collect();
    let mut tallies = vec![Tally::default(); keys.len()];
    for o in &occurrences {
        let t = &mut tallies[o.candidate];
        if t.count == 0 {
            t.first = o.span.clone();
        }
        t.count += 1;
        t.weighted += positions.get(o.sentence).copied().unwrap_or_default();
    }
    // Each term's weight, and whether it has a letter, once. A phrase of
    // no letter (a number) is no key phrase. Stopwords inside names have
    // ids above the vocabulary, and letters.
    let vocabulary = &view.doc.vocabulary;
    let weights: Vec<(f64, bool)> = stats
        .iter()
        .enumerate()
        .map(|(t, s)| {
            let tf = s.tf.max(1) as f64;
            let has_letter = vocabulary
                .get(t)
                .is_none_or(|w| w.chars().any(char::is_alphabetic));
            ((1.0 + tf).ln() * (1.0 + s.named as f64 / tf), has_letter)
        })
        .collect();
    // Only the best few are read, and most candidates are noun phrases met
    // once: a heap orders lazily what a sort would order entirely.
    let mut ranking: BinaryHeap<Ranked> = tallies
        .iter()
        .enumerate()
        .filter(|(_, t)| t.count > 0)
        .filter_map(|(c, t)| {
            let (mut best, mut letters) = (0.0, false);
            for &term in terms(&keys[c]) {
                let (weight, has_letter) = weights.get(term as usize).copied().unwrap_or_default();
                best = f64::max(best, weight);
                letters |= has_letter;
            }
            letters.then_some(Ranked {
                score: t.weighted * best,
                words: keys[c].0,
                first: t.first.start,
                candidate: c,
            })
        })
        .collect();

    let mut taken: Vec<(usize, f64)> = Vec::with_capacity(limit);
    while taken.len() < limit
        && let Some(next) = ranking.pop()
    {
        let key = &keys[next.candidate];
        let overlaps = taken
            .iter()
            .any(|(c, _)| contains(&keys[*c], key) || contains(key, &keys[*c]));
        if !overlaps {
            taken.push((next.candidate, next.score));
        }
    }

    // Where the phrases occur.
    let mut slot = vec![usize::MAX; keys.len()];
    for (k, (c, _)) in taken.iter().enumerate() {
        slot[*c] = k;
    }
    let mut listed: Vec<Vec<Range<usize>>> = vec![Vec::new(); taken.len()];
    for o in &occurrences {
        if let Some(list) = listed.get_mut(slot[o.candidate])
            && list.len() < MAX_OCCURRENCES
        {
            list.push(o.span.clone());
        }
    }
    let best = taken.first().map_or(1.0, |(_, s)| *s);
    taken
        .into_iter()
        .zip(listed)
        .map(|((c, score), occurrences)| Keyphrase {
            first: tallies[c].first.clone(),
            score: if best > 0.0 { score / best } else { 1.0 },
            occurrences,
            count: tallies[c].count,
        })
        .collect()
}

/// A candidate's rank: the best score first; on a tie the longer phrase
/// (one that always occurs whole ties with its best word), then the one the
/// document names first.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: f64,
    /// Number of words.
    words: u8,
    /// Where its first occurrence starts.
    first: usize,
    candidate: usize,
}

impl Ord for Ranked {
    /// Greater is better: [`BinaryHeap`] pops the greatest.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(self.words.cmp(&other.words))
            .then(other.first.cmp(&self.first))
            .then(other.candidate.cmp(&self.candidate))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

/// How much an occurrence in the view's `sentence`th sentence counts: 1 in
/// the first, about 0.3 in the tenth. News and reports state their subject
/// first.
fn position_weight(sentence: usize) -> f64 {
    1.0 / (1.0 + (1.0 + sentence as f64).ln())
}

/// Whether phrase `outer` contains phrase `inner` as consecutive words.
fn contains(outer: &Key, inner: &Key) -> bool {
    let (outer, inner) = (terms(outer), terms(inner));
    inner.len() <= outer.len() && outer.windows(inner.len()).any(|w| w == inner)
}

#[cfg(test)]
mod tests;
