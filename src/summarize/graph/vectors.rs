//! Step 1 of the module doc: every sentence as a sparse tf-idf vector with
//! its norm. The vectors are computed once per document and shared by every
//! scorer that compares sentences (TextRank, LexRank, the centroid, PACSUM,
//! the query scorer and the selection's redundancy check), so they stand
//! apart from the graph built from them.

use crate::deadline::Deadline;
#[cfg(test)]
use crate::text::Document;
use crate::text::{TermId, View};

/// Every sentence of a document as a sparse tf-idf vector, stored flat.
#[derive(Debug, Clone)]
pub struct SentenceVectors {
    /// Sentence `i`'s entries are `offsets[i]..offsets[i + 1]`.
    offsets: Vec<usize>,
    /// Distinct term ids of each sentence, in the order of their first
    /// occurrence in it.
    terms: Vec<TermId>,
    /// `tf · idf` of the term at the same position.
    weights: Vec<f64>,
    /// Euclidean norm of each sentence's vector; 0 for a sentence without
    /// content terms.
    norms: Vec<f64>,
    /// Content terms of each sentence, repeats included.
    lengths: Vec<usize>,
    /// Sentence frequency of each term: in how many sentences it is.
    frequency: Vec<u32>,
    /// Inverse sentence frequency of each term within the sentences (0 for
    /// a term none of them has).
    idf: Vec<f64>,
    /// The document's deadline, for the graph built from these vectors.
    deadline: Deadline,
}

impl SentenceVectors {
    /// Builds the vectors of every sentence of `view`. Inverse sentence
    /// frequencies are counted within the view (`ln(1 + n / sf)`, as
    /// [`crate::text::Document::idf`] counts them in the whole document), so furniture
    /// left out of it does not weigh in.
    pub fn of(view: &View<'_, '_>) -> Self {
        let n = view.len();
        let total: usize = view.sentences.iter().map(|s| s.terms.len()).sum();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut terms = Vec::with_capacity(total);
        let mut weights = Vec::with_capacity(total);
        let mut lengths = Vec::with_capacity(n);
        let mut frequency = vec![0u32; view.doc.vocabulary.len()];
        // First the distinct terms of each sentence with their counts (in
        // `weights` for now) and the sentence frequencies, then the weights.
        // `slot[t]`: where term t was last put in `terms`; within the
        // current sentence's entries it is a repeat. (Sorting each
        // sentence's terms to find repeats would cost more than the rest of
        // this function, and nothing needs them in order.)
        let mut slot = vec![usize::MAX; frequency.len()];
        for sentence in &view.sentences {
            let start = terms.len();
            for &t in sentence.terms {
                if t as usize >= slot.len() {
                    // A term id outside the vocabulary would be a pipeline
                    // bug; the vocabulary grows to hold it rather than panic.
                    slot.resize(t as usize + 1, usize::MAX);
                    frequency.resize(t as usize + 1, 0);
                }
                let t_slot = &mut slot[t as usize];
                if (start..terms.len()).contains(t_slot) {
                    weights[*t_slot] += 1.0;
                } else {
                    *t_slot = terms.len();
                    terms.push(t);
                    weights.push(1.0);
                    frequency[t as usize] += 1;
                }
            }
            offsets.push(terms.len());
            lengths.push(sentence.terms.len());
        }
        // Terms share a few frequencies (most are in one or two sentences):
        // one logarithm per frequency, not per term. `sf ≤ n`, as a term
        // counts once per sentence.
        let mut idf_by_frequency: Vec<Option<f64>> = vec![None; n + 1];
        let idf: Vec<f64> = frequency
            .iter()
            .map(|&sf| {
                if sf == 0 {
                    return 0.0;
                }
                let idf = || (1.0 + n as f64 / f64::from(sf)).ln();
                match idf_by_frequency.get_mut(sf as usize) {
                    Some(cached) => *cached.get_or_insert_with(idf),
                    None => idf(),
                }
            })
            .collect();
        let mut norms = Vec::with_capacity(n);
        for i in 0..n {
            let mut squares = 0.0;
            for k in offsets[i]..offsets[i + 1] {
                weights[k] *= idf[terms[k] as usize];
                squares += weights[k] * weights[k];
            }
            norms.push(f64::sqrt(squares));
        }
        Self {
            offsets,
            terms,
            weights,
            norms,
            lengths,
            frequency,
            idf,
            deadline: view.deadline(),
        }
    }

    /// [`Self::of`] every sentence of `doc`.
    #[cfg(test)]
    pub fn new(doc: &Document<'_>) -> Self {
        Self::of(&View::all(doc))
    }

    /// Number of sentences.
    pub fn len(&self) -> usize {
        self.norms.len()
    }

    /// Whether there is no sentence.
    pub fn is_empty(&self) -> bool {
        self.norms.is_empty()
    }

    /// Size of the vocabulary: every term id is below it.
    pub fn vocabulary_len(&self) -> usize {
        self.frequency.len()
    }

    /// Distinct terms of sentence `i`, in the order of their first
    /// occurrence in it.
    pub fn terms(&self, i: usize) -> &[TermId] {
        &self.terms[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Weights of sentence `i`, aligned with [`Self::terms`].
    pub fn weights(&self, i: usize) -> &[f64] {
        &self.weights[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Dot product of sentence `i`'s vector with `dense`, a vector over
    /// the vocabulary.
    pub fn dot_dense(&self, i: usize, dense: &[f64]) -> f64 {
        self.terms(i)
            .iter()
            .zip(self.weights(i))
            .map(|(&t, &w)| w * dense.get(t as usize).copied().unwrap_or(0.0))
            .sum()
    }

    /// Dot product of sentences `i` and `j`, the slow way (a search per
    /// term), to check the fast ones against.
    #[cfg(test)]
    pub fn dot_by_search(&self, i: usize, j: usize) -> f64 {
        self.terms(i)
            .iter()
            .zip(self.weights(i))
            .filter_map(|(t, w)| {
                let p = self.terms(j).iter().position(|u| u == t)?;
                Some(w * self.weights(j)[p])
            })
            .sum()
    }

    /// Euclidean norm of sentence `i`'s vector.
    pub fn norm(&self, i: usize) -> f64 {
        self.norms[i]
    }

    /// Content terms of sentence `i`, repeats included.
    pub fn term_count(&self, i: usize) -> usize {
        self.lengths[i]
    }

    /// In how many sentences each term is (0 for a term none of them has),
    /// by term id.
    pub fn sentence_frequencies(&self) -> &[u32] {
        &self.frequency
    }

    /// Inverse sentence frequency of term `t` among these sentences, 0 for
    /// a term none of them has.
    pub fn idf(&self, t: TermId) -> f64 {
        self.idf.get(t as usize).copied().unwrap_or(0.0)
    }

    /// The document's deadline.
    pub fn deadline(&self) -> Deadline {
        self.deadline
    }

    /// Whether sentence `i` has no content term.
    pub fn is_empty_sentence(&self, i: usize) -> bool {
        self.lengths[i] == 0
    }
}
