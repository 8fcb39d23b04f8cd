//! Document features for classification: hashed, stemmed unigrams and
//! bigrams of content words, from the shared text pipeline.
//!
//! Features are hashed (xxh3, a stable, documented hash) instead of looked up
//! in a vocabulary: a model then stores only the buckets it learned weights
//! for, nothing has to be interned at classification time, and any client's
//! text maps to the same buckets on every machine and version. With 2^20
//! buckets, collisions among the few hundred thousand n-grams of a training
//! set are rare and cost nothing measurable.

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::text::Document;

/// Number of hash bits: features fall into `2^BITS` buckets.
pub const BITS: u32 = 20;

/// A feature: a hash bucket, below `2^BITS`.
pub type Feature = u32;

/// Counts of each feature of a document, sorted by feature, no repeats.
pub type FeatureCounts = Vec<(Feature, f32)>;

/// The bucket of a unigram (a stemmed, case-folded content word).
pub fn unigram(term: &str) -> Feature {
    bucket(xxh3_64(term.as_bytes()))
}

/// The bucket of a bigram of two adjacent content words: the second word
/// hashed with the first word's hash as seed, so no string is built.
pub fn bigram(first: &str, second: &str) -> Feature {
    bucket(xxh3_64_with_seed(
        second.as_bytes(),
        xxh3_64(first.as_bytes()),
    ))
}

fn bucket(hash: u64) -> Feature {
    (hash >> (64 - BITS)) as Feature
}

/// Unigram and bigram counts of an analysed document. Bigrams join adjacent
/// content words within a sentence (stopwords already removed), never across
/// sentences.
pub fn extract(doc: &Document<'_>) -> FeatureCounts {
    let unigrams: Vec<u64> = doc
        .vocabulary
        .iter()
        .map(|t| xxh3_64(t.as_bytes()))
        .collect();
    let mut features: Vec<Feature> = Vec::new();
    for sentence in &doc.sentences {
        let mut previous: Option<u64> = None;
        for &term in &sentence.terms {
            let hash = unigrams[term as usize];
            features.push(bucket(hash));
            if let Some(first) = previous {
                let second = doc.vocabulary[term as usize].as_bytes();
                features.push(bucket(xxh3_64_with_seed(second, first)));
            }
            previous = Some(hash);
        }
    }
    features.sort_unstable();
    let mut counts: FeatureCounts = Vec::new();
    for f in features {
        match counts.last_mut() {
            Some((last, n)) if *last == f => *n += 1.0,
            _ => counts.push((f, 1.0)),
        }
    }
    counts
}

/// Sublinear tf-idf, L2-normalised: `(1 + ln tf) · idf(feature)` for each
/// feature, scaled to unit length (scikit-learn's `TfidfVectorizer` with
/// `sublinear_tf`). Features whose idf is `None` are dropped. Sorted by
/// feature, like its input.
pub fn tfidf(counts: &[(Feature, f32)], idf: impl Fn(Feature) -> Option<f32>) -> FeatureCounts {
    let mut weighted: FeatureCounts = counts
        .iter()
        .filter_map(|&(f, tf)| idf(f).map(|w| (f, (1.0 + tf.ln()) * w)))
        .collect();
    let norm = weighted.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 && norm.is_finite() {
        for (_, w) in &mut weighted {
            *w /= norm;
        }
    }
    weighted
}

/// Dot product of two feature vectors sorted by feature; the cosine when
/// both are L2-normalised.
pub fn dot(a: &[(Feature, f32)], b: &[(Feature, f32)]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Language;

    #[test]
    fn unigrams_and_bigrams_are_counted_once_each() {
        let doc = Document::analyze(
            "Oil prices rose. Oil prices fell again.",
            Language::from_code("en"),
        );
        let counts = extract(&doc);
        let get = |f: Feature| counts.iter().find(|(g, _)| *g == f).map(|(_, n)| *n);
        assert_eq!(get(unigram("oil")), Some(2.0));
        assert_eq!(get(bigram("oil", "price")), Some(2.0));
        assert_eq!(get(bigram("price", "rose")), Some(1.0));
        // No bigram across the sentence boundary.
        assert_eq!(get(bigram("rose", "oil")), None);
        assert!(counts.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn tfidf_is_sublinear_and_unit_length() {
        let v = tfidf(&[(1, 1.0), (2, std::f32::consts::E), (3, 5.0)], |f| {
            (f != 3).then_some(1.0)
        });
        assert_eq!(v.len(), 2);
        assert!((v[1].1 / v[0].1 - 2.0).abs() < 1e-5);
        assert!((dot(&v, &v) - 1.0).abs() < 1e-5);
        assert_eq!(dot(&v, &[(3, 1.0)]), 0.0);
    }

    #[test]
    fn buckets_are_stable() {
        // A model file stores buckets: these values must never change.
        assert_eq!(unigram("oil"), unigram("oil"));
        assert!(unigram("oil") < 1 << BITS);
        assert_ne!(bigram("oil", "price"), bigram("price", "oil"));
    }
}
