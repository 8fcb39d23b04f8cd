//! Stemmed content terms of two documents in one id space, their idf, and
//! the tf-idf vectors of the documents and of their sentences.
//!
//! Term ids are per document, so both vocabularies are interned once per
//! comparison into a joint table (keyed by the xxh3 of the term string).
//!
//! # Idf
//!
//! `idf(t) = ln(1 + 1 / rate(t))`, where `rate(t)` is the largest share of
//! sentences containing `t` in either document (`sf_A(t) / n_A` or
//! `sf_B(t) / n_B`, counted in the sentences compared: furniture removed).
//! This is [`Document::idf`]'s smoothed `ln(1 + n / sf)`, taken per
//! document and combined by the maximum, rather than computed over the
//! union of the two documents' sentences, for two reasons:
//!
//! - over the union, a term found once in each of two single-sentence
//!   documents gets `ln(1 + 2/2)` while a term found in only one gets
//!   `ln(1 + 2/1)`: sharing a term would make it *less* important, which
//!   inverts the evidence of similarity on short texts;
//! - a term that is background vocabulary of either document ("said" in a
//!   third of a story's sentences) stays background when the other document
//!   hardly uses it.
//!
//! For two single sentences every term gets `ln 2`, so the cosine is plain
//! term-frequency cosine over stemmed content words, and for long documents
//! it is the familiar within-document inverse sentence frequency.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::prepare::Prepared;

/// Hasher for keys that are already uniform 64-bit hashes.
#[derive(Default)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A hash map keyed by hashes.
pub type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

/// The joint term space of two documents.
#[derive(Debug, Clone)]
pub struct TermSpace {
    /// Joint id of each of A's term ids.
    pub a_ids: Vec<u32>,
    /// Joint id of each of B's term ids.
    pub b_ids: Vec<u32>,
    /// Idf of each joint id (see the module docs).
    pub idf: Vec<f64>,
}

impl TermSpace {
    /// Interns both vocabularies and computes the idf.
    pub fn new(a: &Prepared<'_, '_>, b: &Prepared<'_, '_>) -> Self {
        let mut table: HashKeyed<u32> = HashKeyed::default();
        table.reserve(a.doc.term_hashes.len() + b.doc.term_hashes.len());
        let mut rates: Vec<f64> =
            Vec::with_capacity(a.doc.term_hashes.len() + b.doc.term_hashes.len());
        let mut intern = |p: &Prepared<'_, '_>| -> Vec<u32> {
            let n = p.len().max(1) as f64;
            p.doc
                .term_hashes
                .iter()
                .enumerate()
                .map(|(term, &hash)| {
                    let next = rates.len() as u32;
                    let id = *table.entry(hash).or_insert(next);
                    if id == next {
                        rates.push(0.0);
                    }
                    // A term found only in removed furniture (sf 0) is in
                    // no compared sentence of this document: it says
                    // nothing of the term's rate here.
                    let sf = p.sentence_frequency.get(term).copied().unwrap_or(1);
                    if sf > 0 {
                        let rate = f64::from(sf) / n;
                        let slot = &mut rates[id as usize];
                        *slot = slot.max(rate);
                    }
                    id
                })
                .collect()
        };
        let a_ids = intern(a);
        let b_ids = intern(b);
        let idf = rates
            .into_iter()
            .map(|rate| (1.0 + 1.0 / rate.clamp(1e-9, 1.0)).ln())
            .collect();
        Self { a_ids, b_ids, idf }
    }

    /// Number of joint terms.
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    /// Whether neither document has a content term.
    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }
}

/// tf-idf cosine of the two whole documents, in `[0, 1]`; 0 when either has
/// no content term.
pub fn document_cosine(space: &TermSpace, a: &Prepared<'_, '_>, b: &Prepared<'_, '_>) -> f64 {
    let mut tf_a = vec![0u32; space.len()];
    let mut tf_b = vec![0u32; space.len()];
    let count = |p: &Prepared<'_, '_>, ids: &[u32], tf: &mut [u32]| {
        for s in p.sentences() {
            for &t in s.terms {
                if let Some(&j) = ids.get(t as usize) {
                    tf[j as usize] += 1;
                }
            }
        }
    };
    count(a, &space.a_ids, &mut tf_a);
    count(b, &space.b_ids, &mut tf_b);
    let (mut dot, mut na, mut nb) = (0.0, 0.0, 0.0);
    for ((&x, &y), &idf) in tf_a.iter().zip(&tf_b).zip(&space.idf) {
        let (x, y) = (f64::from(x) * idf, f64::from(y) * idf);
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    ratio(dot, (na * nb).sqrt())
}

/// `num / den` clamped to `[0, 1]`, 0 when `den` is 0 or not finite.
pub fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 && den.is_finite() && num.is_finite() {
        (num / den).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The tf-idf vectors of every sentence of one document in the joint term
/// space of the two documents compared, stored flat. (Summarize's
/// `SentenceVectors` are a single document's, in its own terms.)
#[derive(Debug, Clone)]
pub struct JointVectors {
    /// Sentence `i`'s entries are `offsets[i]..offsets[i + 1]`.
    offsets: Vec<usize>,
    /// Joint term ids, increasing within a sentence.
    terms: Vec<u32>,
    /// `tf · idf` of the term at the same position.
    weights: Vec<f64>,
    /// Euclidean norm of each sentence.
    norms: Vec<f64>,
}

impl JointVectors {
    /// Vectors of `p`'s sentences, with `ids` mapping its term ids to joint
    /// ids.
    pub fn new(p: &Prepared<'_, '_>, ids: &[u32], idf: &[f64]) -> Self {
        let n = p.len();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut terms = Vec::new();
        let mut weights = Vec::new();
        let mut norms = Vec::with_capacity(n);
        let mut sorted: Vec<u32> = Vec::new();
        for s in p.sentences() {
            sorted.clear();
            sorted.extend(s.terms.iter().filter_map(|&t| ids.get(t as usize).copied()));
            sorted.sort_unstable();
            let mut squares = 0.0;
            for run in sorted.chunk_by(|x, y| x == y) {
                let w = run.len() as f64 * idf.get(run[0] as usize).copied().unwrap_or(1.0);
                terms.push(run[0]);
                weights.push(w);
                squares += w * w;
            }
            offsets.push(terms.len());
            norms.push(squares.sqrt());
        }
        Self {
            offsets,
            terms,
            weights,
            norms,
        }
    }

    /// Number of sentences.
    pub fn len(&self) -> usize {
        self.norms.len()
    }

    /// Whether the document has no sentence.
    pub fn is_empty(&self) -> bool {
        self.norms.is_empty()
    }

    /// Terms and weights of sentence `i`.
    pub fn get(&self, i: usize) -> (&[u32], &[f64]) {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&s), Some(&e)) => (&self.terms[s..e], &self.weights[s..e]),
            _ => (&[], &[]),
        }
    }

    /// Norm of sentence `i`.
    pub fn norm(&self, i: usize) -> f64 {
        self.norms.get(i).copied().unwrap_or(0.0)
    }

    /// Cosine of sentence `i` of `self` and sentence `j` of `other`.
    pub fn cosine(&self, i: usize, other: &Self, j: usize) -> f64 {
        let (t1, w1) = self.get(i);
        let (t2, w2) = other.get(j);
        ratio(dot(t1, w1, t2, w2), self.norm(i) * other.norm(j))
    }

    /// Sum of sentences `i` and `i + 1`, as a sorted sparse vector.
    pub fn sum_of_two(&self, i: usize) -> (Vec<u32>, Vec<f64>, f64) {
        let (t1, w1) = self.get(i);
        let (t2, w2) = self.get(i + 1);
        let mut terms = Vec::with_capacity(t1.len() + t2.len());
        let mut weights = Vec::with_capacity(t1.len() + t2.len());
        let (mut x, mut y) = (0, 0);
        while x < t1.len() || y < t2.len() {
            let take_x = y >= t2.len() || (x < t1.len() && t1[x] <= t2[y]);
            let take_y = x >= t1.len() || (y < t2.len() && t2[y] <= t1[x]);
            let term = if take_x { t1[x] } else { t2[y] };
            let mut w = 0.0;
            if take_x {
                w += w1[x];
                x += 1;
            }
            if take_y {
                w += w2[y];
                y += 1;
            }
            terms.push(term);
            weights.push(w);
        }
        let norm = weights.iter().map(|w| w * w).sum::<f64>().sqrt();
        (terms, weights, norm)
    }
}

/// Dot product of two sparse vectors with increasing term ids.
pub fn dot(t1: &[u32], w1: &[f64], t2: &[u32], w2: &[f64]) -> f64 {
    let (mut x, mut y, mut sum) = (0, 0, 0.0);
    while x < t1.len() && y < t2.len() {
        match t1[x].cmp(&t2[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                sum += w1[x] * w2[y];
                x += 1;
                y += 1;
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Document, Language};

    #[test]
    fn shared_terms_are_not_made_less_important() {
        let a = Document::analyze("Militias fought in Tripoli.", Language::from_code("en"));
        let b = Document::analyze("Militias fought near Sirte.", Language::from_code("en"));
        let (pa, pb) = (Prepared::whole(&a), Prepared::whole(&b));
        let space = TermSpace::new(&pa, &pb);
        assert!(space.idf.iter().all(|&x| (x - 2f64.ln()).abs() < 1e-12));
        let c = document_cosine(&space, &pa, &pb);
        // Two of three stemmed terms shared, all weights equal.
        assert!((c - 2.0 / 3.0).abs() < 1e-9, "{c}");
    }

    #[test]
    fn sum_of_two_merges_terms() {
        let a = Document::analyze("Red blue. Blue green.", Language::from_code("en"));
        let pa = Prepared::whole(&a);
        let space = TermSpace::new(&pa, &pa);
        let v = JointVectors::new(&pa, &space.a_ids, &space.idf);
        let (terms, weights, norm) = v.sum_of_two(0);
        assert_eq!(terms.len(), 3);
        assert!(weights.iter().all(|w| *w > 0.0) && norm > 0.0);
    }
}
