//! Centroid scoring (Radev et al. 2000/2004, the centroid feature of MEAD):
//! the document's centroid is the average of its sentences' tf-idf vectors,
//! cut down to its heaviest terms, and a sentence scores the cosine of its
//! vector with the centroid. Sentences made of the words the whole document
//! keeps coming back to, weighted by how distinctive those words are, are
//! the ones that best stand for it.
//!
//! MEAD keeps only the centroid terms above a weight threshold, so that the
//! centroid holds the topic words rather than every word of the document;
//! a threshold on raw weights depends on document length, so this module
//! keeps the [`CENTROID_TERMS`] heaviest terms instead. Sentence vectors
//! (`tf` = occurrences in the sentence, `idf` = [`crate::text::Document::idf`]) are the
//! ones TextRank and LexRank use, from [`super::graph::SentenceVectors`].
//!
//! No sentence is compared with another: one pass sums the vectors into a
//! dense array over the vocabulary, one selection keeps the top terms, one
//! pass scores the sentences. The cost is linear in the number of term
//! occurrences plus the vocabulary size, so it is the cheapest of the
//! content-based scorers.

use super::graph::SentenceVectors;

/// Terms kept in the centroid: the heaviest 100. A news story's topic is
/// carried by a few dozen names and content words; keeping 100 leaves room
/// for several sub-topics in long documents while dropping the long tail of
/// words used once, which would otherwise reward sentences merely for being
/// long. Documents with fewer terms keep them all.
pub const CENTROID_TERMS: usize = 100;

/// Cosine of every sentence's tf-idf vector with the document's centroid:
/// in `[0, 1]`, 0 for sentences without content terms or without any
/// centroid term.
pub fn score(vectors: &SentenceVectors) -> Vec<f64> {
    score_vectors(vectors, CENTROID_TERMS)
}

/// [`score`], keeping the `keep` heaviest terms.
fn score_vectors(vectors: &SentenceVectors, keep: usize) -> Vec<f64> {
    let n = vectors.len();
    if n == 0 {
        return Vec::new();
    }
    let centroid = centroid(vectors, keep);
    let centroid_norm = centroid.iter().map(|w| w * w).sum::<f64>().sqrt();
    (0..n)
        .map(|i| {
            let norms = vectors.norm(i) * centroid_norm;
            if norms <= 0.0 {
                return 0.0;
            }
            (vectors.dot_dense(i, &centroid) / norms).clamp(0.0, 1.0)
        })
        .collect()
}

/// The centroid as a dense vector over the vocabulary: the mean of the
/// sentence vectors, with every term but the `keep` heaviest set to 0.
fn centroid(vectors: &SentenceVectors, keep: usize) -> Vec<f64> {
    let mut sum = vec![0.0f64; vectors.vocabulary_len()];
    for i in 0..vectors.len() {
        for (&t, &w) in vectors.terms(i).iter().zip(vectors.weights(i)) {
            sum[t as usize] += w;
        }
    }
    let n = vectors.len().max(1) as f64;
    let mut weighted: Vec<(usize, f64)> = sum
        .iter()
        .enumerate()
        .filter(|&(_, &w)| w > 0.0)
        .map(|(t, &w)| (t, w / n))
        .collect();
    if weighted.len() > keep {
        // Heaviest first, ties to the earlier term, for a deterministic cut.
        weighted.select_nth_unstable_by(keep, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        weighted.truncate(keep);
    }
    let mut centroid = vec![0.0f64; sum.len()];
    for (t, w) in weighted {
        centroid[t] = w;
    }
    centroid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Document, Language};

    fn analyze(text: &str) -> Document<'_> {
        Document::analyze(text, Language::from_code("en"))
    }

    fn scores(text: &str) -> Vec<f64> {
        score(&SentenceVectors::new(&analyze(text)))
    }

    #[test]
    fn centroid_is_the_mean_vector_cut_to_the_heaviest_terms() {
        let doc = analyze("Wheat prices rose. Wheat prices fell. Exports grew.");
        let v = SentenceVectors::new(&doc);
        let id = |word: &str| doc.vocabulary.iter().position(|t| t == word).unwrap();
        let full = centroid(&v, usize::MAX);
        // "wheat" is in 2 of 3 sentences: mean weight 2/3 · idf.
        assert!((full[id("wheat")] - 2.0 / 3.0 * doc.idf(id("wheat") as u32)).abs() < 1e-12);
        assert_eq!(full.iter().filter(|&&w| w > 0.0).count(), 6);
        // The two heaviest are the words of two sentences (2/3 · ln 2.5),
        // over the words of one (1/3 · ln 4).
        let top = centroid(&v, 2);
        assert_eq!(top.iter().filter(|&&w| w > 0.0).count(), 2);
        assert!(top[id("wheat")] > 0.0 && top[id("price")] > 0.0);
        // A sentence without centroid terms scores 0.
        let s = score_vectors(&v, 2);
        assert_eq!(s[2], 0.0);
        assert!(s[0] > 0.0 && s[1] > 0.0);
    }

    #[test]
    fn identical_sentences_match_the_centroid_exactly() {
        let s = scores("Wheat prices rose. Wheat prices rose.");
        assert!(s.iter().all(|x| (x - 1.0).abs() < 1e-12), "{s:?}");
    }
}
