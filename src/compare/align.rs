//! Sentence alignment of two documents without comparing every pair.
//!
//! # Method
//!
//! 1. Every sentence is a tf-idf vector over the joint stemmed terms
//!    ([`JointVectors`]); the similarity of two sentences is their cosine.
//! 2. **Candidates.** An inverted index maps each term to the B sentences
//!    holding it, keeping only terms found in at most [`MAX_POSTINGS`] B
//!    sentences (as in `summarize::graph`: terms spread wider are background
//!    vocabulary, link everything to everything and would make candidate
//!    generation quadratic). For each A sentence, the B sentences on its
//!    terms' posting lists are its candidates; only those are scored, with
//!    the exact cosine over all their terms. A sentence has 10 to 20
//!    distinct terms, so at most `20 · MAX_POSTINGS` candidates whatever the
//!    documents' lengths: the work is linear in the number of sentences.
//!    Each A sentence keeps its [`MAX_CANDIDATES`] best candidates above
//!    [`MIN_PART_SIMILARITY`].
//! 3. **Splits and merges.** For an A sentence with two consecutive B
//!    candidates `j` and `j + 1`, the cosine with the sum of their vectors is
//!    computed; when it makes up at least [`SPLIT_GAIN`] of what the better
//!    part misses of a perfect match, the three sentences become one
//!    candidate group. The reverse (two
//!    consecutive A sentences against one B sentence) is found the same way
//!    from the transposed candidate lists.
//! 4. **Matching.** Groups and single pairs at or above
//!    [`MIN_ALIGNMENT_SIMILARITY`] are taken greedily, best first (ties by
//!    position, so results are deterministic), skipping any that reuses a
//!    sentence. Order does not matter, so reordered paragraphs align.

use super::vectors::JointVectors;
use crate::deadline::Deadline;

/// Terms in more B sentences than this generate no candidates (they still
/// count in the cosine of candidates found through other terms). Same
/// reasoning and value as `summarize::graph::MAX_POSTINGS`.
pub const MAX_POSTINGS: usize = 100;

/// Candidates each A sentence keeps, best first. A sentence has one
/// counterpart, two when split; 8 leaves room for near-identical
/// boilerplate sentences without letting a long document keep thousands.
pub const MAX_CANDIDATES: usize = 8;

/// Smallest cosine for a pair to be kept as a candidate, and for a sentence
/// to count as one part of a split. Below it two sentences share a name or
/// two at most.
pub const MIN_PART_SIMILARITY: f64 = 0.2;

/// Smallest cosine for two sentences (or a sentence and a split pair) to be
/// aligned. Measured on hand-written and wire edits: word changes and cut
/// clauses stay above 0.6, a rewritten lead sentence of a republished wire
/// story scores 0.48, while sentences of the same story that say different
/// things (a headline against the lead, "20 diplomats are set to attend" /
/// "25 diplomats were in attendance, including…") stay below 0.37.
pub const MIN_ALIGNMENT_SIMILARITY: f64 = 0.45;

/// Share of the similarity the better part is missing (`1 − best`) that the
/// union of two consecutive sentences must make up to be aligned with a
/// sentence as a split (or merge). A real split makes up most of it (a
/// clause cut off as its own sentence: 0.88 → 0.98, four fifths of the
/// gap); a neighbouring sentence that merely shares a name or two makes up
/// a few hundredths of it.
pub const SPLIT_GAIN: f64 = 0.5;

/// Whether a union with similarity `union` beats parts `s1` and `s2` enough
/// (see [`SPLIT_GAIN`]).
fn is_split(union: f64, s1: f64, s2: f64) -> bool {
    let best = s1.max(s2);
    union >= MIN_ALIGNMENT_SIMILARITY && union - best >= SPLIT_GAIN * (1.0 - best) && union > best
}

/// A group of aligned sentences: usually one on each side, two consecutive
/// on one side for a split or a merge.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Sentence indexes in A, increasing.
    pub a: Vec<usize>,
    /// Sentence indexes in B, increasing.
    pub b: Vec<usize>,
    /// Cosine of the group's A and B vectors.
    pub similarity: f64,
}

/// The alignment and what it cost.
#[derive(Debug, Clone, Default)]
pub struct AlignResult {
    /// Aligned groups, by first A sentence.
    pub groups: Vec<Group>,
    /// Sentence pairs whose similarity was computed (the cost measure:
    /// far below `n_A · n_B` on long documents).
    pub pairs_evaluated: usize,
}

/// Aligns the sentences of A (`va`) with those of B (`vb`); `terms` is the
/// size of the joint term space. Once `deadline` passes, the remaining A
/// sentences get no candidates (see [`crate::deadline`]).
pub fn align(
    va: &JointVectors,
    vb: &JointVectors,
    terms: usize,
    deadline: Deadline,
) -> AlignResult {
    let (na, nb) = (va.len(), vb.len());
    // Inverted index of B, compressed rows by term.
    let mut counts = vec![0usize; terms + 1];
    for j in 0..nb {
        for &t in vb.get(j).0 {
            if let Some(c) = counts.get_mut(t as usize) {
                *c += 1;
            }
        }
    }
    let mut starts = Vec::with_capacity(terms + 1);
    let mut total = 0;
    for &c in &counts {
        starts.push(total);
        if c <= MAX_POSTINGS {
            total += c;
        }
    }
    let mut fill = starts.clone();
    let mut postings = vec![0u32; total];
    for j in 0..nb {
        for &t in vb.get(j).0 {
            let t = t as usize;
            if counts.get(t).is_some_and(|&c| c <= MAX_POSTINGS) {
                postings[fill[t]] = j as u32;
                fill[t] += 1;
            }
        }
    }

    // Candidates of each A sentence, sorted by B index.
    let mut pairs_evaluated = 0;
    let mut mark = vec![usize::MAX; nb];
    let mut touched: Vec<u32> = Vec::new();
    let mut candidates: Vec<Vec<(usize, f64)>> = Vec::with_capacity(na);
    let mut stopped = false;
    for i in 0..na {
        stopped = stopped || deadline.expired_at_round(i);
        if stopped {
            candidates.push(Vec::new());
            continue;
        }
        touched.clear();
        for &t in va.get(i).0 {
            let t = t as usize;
            if counts.get(t).is_none_or(|&c| c > MAX_POSTINGS) {
                continue;
            }
            for &j in &postings[starts[t]..starts[t] + counts[t]] {
                if mark[j as usize] != i {
                    mark[j as usize] = i;
                    touched.push(j);
                }
            }
        }
        let mut local: Vec<(usize, f64)> = touched
            .iter()
            .map(|&j| (j as usize, va.cosine(i, vb, j as usize)))
            .filter(|&(_, s)| s >= MIN_PART_SIMILARITY)
            .collect();
        pairs_evaluated += touched.len();
        local.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        local.truncate(MAX_CANDIDATES);
        local.sort_by_key(|&(j, _)| j);
        candidates.push(local);
    }

    let mut groups: Vec<Group> = Vec::new();
    // Single pairs, and A sentences split in two in B.
    for (i, local) in candidates.iter().enumerate() {
        for (k, &(j, s)) in local.iter().enumerate() {
            if s >= MIN_ALIGNMENT_SIMILARITY {
                groups.push(Group {
                    a: vec![i],
                    b: vec![j],
                    similarity: s,
                });
            }
            if let Some(&(j2, s2)) = local.get(k + 1)
                && j2 == j + 1
            {
                let (terms, weights, norm) = vb.sum_of_two(j);
                let (ta, wa) = va.get(i);
                let union = super::vectors::ratio(
                    super::vectors::dot(ta, wa, &terms, &weights),
                    va.norm(i) * norm,
                );
                pairs_evaluated += 1;
                if is_split(union, s, s2) {
                    groups.push(Group {
                        a: vec![i],
                        b: vec![j, j2],
                        similarity: union,
                    });
                }
            }
        }
    }
    // Two consecutive A sentences merged into one B sentence.
    let mut by_b: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nb];
    for (i, local) in candidates.iter().enumerate() {
        for &(j, s) in local {
            by_b[j].push((i, s));
        }
    }
    for (j, local) in by_b.iter().enumerate() {
        for pair in local.windows(2) {
            let [(i, s), (i2, s2)] = [pair[0], pair[1]];
            if i2 != i + 1 {
                continue;
            }
            let (terms, weights, norm) = va.sum_of_two(i);
            let (tb, wb) = vb.get(j);
            let union = super::vectors::ratio(
                super::vectors::dot(&terms, &weights, tb, wb),
                norm * vb.norm(j),
            );
            pairs_evaluated += 1;
            if is_split(union, s, s2) {
                groups.push(Group {
                    a: vec![i, i2],
                    b: vec![j],
                    similarity: union,
                });
            }
        }
    }

    groups.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then_with(|| x.a.cmp(&y.a))
            .then_with(|| x.b.cmp(&y.b))
    });
    let mut used_a = vec![false; na];
    let mut used_b = vec![false; nb];
    let mut kept = Vec::new();
    for group in groups {
        if group.a.iter().any(|&i| used_a[i]) || group.b.iter().any(|&j| used_b[j]) {
            continue;
        }
        group.a.iter().for_each(|&i| used_a[i] = true);
        group.b.iter().for_each(|&j| used_b[j] = true);
        kept.push(group);
    }
    kept.sort_by(|x, y| x.a.cmp(&y.a).then_with(|| x.b.cmp(&y.b)));
    AlignResult {
        groups: kept,
        pairs_evaluated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::prepare::Prepared;
    use crate::compare::vectors::TermSpace;
    use crate::text::{Document, Language};

    fn run(a: &str, b: &str) -> (AlignResult, usize, usize) {
        let (a, b) = (
            Document::analyze(a, Language::from_code("en")),
            Document::analyze(b, Language::from_code("en")),
        );
        let (pa, pb) = (Prepared::whole(&a), Prepared::whole(&b));
        let space = TermSpace::new(&pa, &pb);
        let va = JointVectors::new(&pa, &space.a_ids, &space.idf);
        let vb = JointVectors::new(&pb, &space.b_ids, &space.idf);
        (
            align(&va, &vb, space.len(), Deadline::NONE),
            a.sentences.len(),
            b.sentences.len(),
        )
    }

    #[test]
    fn reordered_sentences_align() {
        let (r, _, _) = run(
            "Ships docked at Valletta. Farmers protested in Lyon. Snow closed Alpine passes.",
            "Snow closed Alpine passes. Ships docked at Valletta. Farmers protested in Lyon.",
        );
        let pairs: Vec<(Vec<usize>, Vec<usize>)> = r
            .groups
            .iter()
            .map(|g| (g.a.clone(), g.b.clone()))
            .collect();
        assert_eq!(
            pairs,
            vec![(vec![0], vec![1]), (vec![1], vec![2]), (vec![2], vec![0])]
        );
    }

    #[test]
    fn split_and_merged_sentences_align_as_groups() {
        let long = "The mayor of Trieste opened the new harbour bridge on Tuesday, \
                    and thousands of residents crossed it on foot before nightfall.";
        let split = "The mayor of Trieste opened the new harbour bridge on Tuesday. \
                     Thousands of residents crossed it on foot before nightfall.";
        let (r, _, _) = run(long, split);
        assert_eq!(r.groups.len(), 1);
        assert_eq!(
            (r.groups[0].a.clone(), r.groups[0].b.clone()),
            (vec![0], vec![0, 1])
        );
        let (r, _, _) = run(split, long);
        assert_eq!(
            (r.groups[0].a.clone(), r.groups[0].b.clone()),
            (vec![0, 1], vec![0])
        );
        assert!(r.groups[0].similarity > 0.9);
    }

    #[test]
    fn unrelated_sentences_stay_unaligned() {
        let (r, _, _) = run("Leave a comment.", "The harbour bridge opened on Tuesday.");
        assert!(r.groups.is_empty());
    }

    #[test]
    fn long_documents_are_not_compared_pair_by_pair() {
        // 2,000 sentences a side, each with its own rare name and a few
        // words from a small shared vocabulary.
        let common = [
            "council", "market", "river", "school", "budget", "police", "harbour",
        ];
        let mut a = String::new();
        let mut b = String::new();
        for k in 0..2000usize {
            let name = format!("Zorvak{k}x");
            let s = format!(
                "{name} visited the {} and the {} near the {}. ",
                common[k % 7],
                common[(k / 7) % 7],
                common[(k / 49) % 7]
            );
            a.push_str(&s);
            b.push_str(&s);
        }
        let (r, na, nb) = run(&a, &b);
        assert_eq!(na, 2000);
        assert!(
            r.pairs_evaluated < na * nb / 100,
            "{} pairs",
            r.pairs_evaluated
        );
        assert!(r.groups.len() >= 1990, "{}", r.groups.len());
        assert!(r.groups.iter().all(|g| g.a == g.b));
    }
}
