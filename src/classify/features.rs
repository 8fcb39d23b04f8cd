//! Document features for classification: hashed, stemmed unigrams and
//! bigrams of content words, from the shared text pipeline's words, folding,
//! stopwords and stemmer.
//!
//! Features are hashed (xxh3, a stable, documented hash) instead of looked up
//! in a vocabulary: a model then stores only the buckets it learned weights
//! for, nothing has to be interned at classification time, and any client's
//! text maps to the same buckets on every machine and version. The 2^20
//! buckets are a tenth of what the largest training sets here fill with
//! their uni- and bigrams (20 Newsgroups: about 900,000 distinct n-grams,
//! two thirds of them seen once and dropped by `MIN_DF`), so collisions
//! cost nothing measurable.
//!
//! Classification reads words, not sentences: the text is not segmented,
//! and a bigram may join the last word of a sentence to the first of the
//! next (as scikit-learn's vectorizers do). Segmenting would double the
//! cost of classifying a document for no accuracy (`scripts/eval-classify.sh`
//! measures both). Stemming and stopword removal stay because surface
//! forms are less accurate on the same measure.

use xxhash_rust::xxh3::xxh3_64;

use crate::radix;
use crate::text::language::{LanguageChoice, LanguageRequest};
use crate::text::lexicon::{self, Lexicon, term_hash};
use crate::text::{Document, Language, reader, tokenize};

/// Number of hash bits: features fall into `2^BITS` buckets.
pub const BITS: u32 = 20;

/// A feature: a hash bucket, below `2^BITS`.
pub type Feature = u32;

/// Counts of each feature of a document, sorted by feature, no repeats.
pub type FeatureCounts = Vec<(Feature, f32)>;

/// The bucket of a unigram (a stemmed, case-folded content word).
pub fn unigram(term: &str) -> Feature {
    bucket(term_hash(term))
}

/// The bucket of a bigram of two adjacent content words.
pub fn bigram(first: &str, second: &str) -> Feature {
    bucket(pair_hash(term_hash(first), term_hash(second)))
}

/// The hash of a bigram: xxh3 of the two words' hashes (little-endian), so
/// that a bigram costs no string and no second look at the words.
fn pair_hash(first: u64, second: u64) -> u64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&first.to_le_bytes());
    bytes[8..].copy_from_slice(&second.to_le_bytes());
    xxh3_64(&bytes)
}

fn bucket(hash: u64) -> Feature {
    (hash >> (64 - BITS)) as Feature
}

/// Unigram and bigram counts of `text` read in `language`: each word that
/// is not a stopword, case-folded and stemmed, and each pair of adjacent
/// such words (stopwords between them are skipped). `lexicon` remembers
/// the terms of the word forms met.
pub fn extract(text: &str, language: Language, lexicon: &mut Lexicon) -> FeatureCounts {
    detect_and_extract(text, language, lexicon).1
}

/// The language of `text` (given, or detected as `language` asks) and
/// [`extract`]'s counts, reading the text's words once for both with
/// `lexicon`'s remembered terms.
pub fn detect_and_extract(
    text: &str,
    language: impl Into<LanguageRequest>,
    lexicon: &mut Lexicon,
) -> (LanguageChoice, FeatureCounts) {
    let (language, features) = detect_and_collect(text, language, lexicon);
    (language, count(features))
}

/// The language of `text` (given, or detected as `language` asks) and its
/// features as they come, one a unigram or bigram, unsorted and repeated:
/// [`count`] makes them [`extract`]'s counts, and a model scores them
/// without ([`crate::classify::Model::classify_text`]). The words are read
/// in one pass, detecting the language on the way
/// ([`crate::text::reader::read`]).
pub fn detect_and_collect(
    text: &str,
    language: impl Into<LanguageRequest>,
    lexicon: &mut Lexicon,
) -> (LanguageChoice, Vec<Feature>) {
    reader::read(text, language.into(), lexicon, |reader| {
        let mut features = with_room_for(text);
        let mut grams = Grams::default();
        for (offset, word) in tokenize::words(text) {
            let Some(known) = reader.word(word, offset + word.len()) else {
                break;
            };
            grams.add(known.term, &mut features);
        }
        features
    })
}

/// The features of an analysed document, as [`detect_and_collect`] gives
/// them for its text: its content terms in order, sentence after sentence,
/// each with the one before it as a bigram.
pub fn of_document(doc: &Document<'_>) -> Vec<Feature> {
    let mut features = with_room_for(doc.text);
    let mut grams = Grams::default();
    for sentence in &doc.sentences {
        for &term in &sentence.terms {
            if let Some(&hash) = doc.term_hashes.get(term as usize) {
                grams.add_hash(hash, &mut features);
            }
        }
    }
    features
}

/// An empty feature vector with room for `text`'s: a unigram and a bigram
/// for each content word, sized once for words of three letters and a
/// space on average (news copy averages six): growing the vector by
/// doubling cost a tenth of a short text's classification.
fn with_room_for(text: &str) -> Vec<Feature> {
    Vec::with_capacity(text.len() / 2 + 2)
}

/// The unigram of each content word and the bigram of each pair of
/// adjacent content words (stopwords between them are skipped), as the
/// words come.
#[derive(Default)]
struct Grams {
    previous: Option<u64>,
}

impl Grams {
    /// Adds the features of the next word, whose term is `term` (`None`
    /// for a stopword).
    fn add(&mut self, term: Option<lexicon::Term<'_>>, features: &mut Vec<Feature>) {
        if let Some(term) = term {
            self.add_hash(term.hash, features);
        }
    }

    /// Adds the features of the next content word, whose term hashes to
    /// `hash`.
    fn add_hash(&mut self, hash: u64, features: &mut Vec<Feature>) {
        features.push(bucket(hash));
        if let Some(first) = self.previous {
            features.push(bucket(pair_hash(first, hash)));
        }
        self.previous = Some(hash);
    }
}

/// Counts of each feature of `features` (any values below `2^BITS`),
/// sorted by feature.
pub fn count(mut features: Vec<Feature>) -> FeatureCounts {
    sort(&mut features);
    let mut counts: FeatureCounts = Vec::with_capacity(features.len());
    for f in features {
        match counts.last_mut() {
            Some((last, n)) if *last == f => *n += 1.0,
            _ => counts.push((f, 1.0)),
        }
    }
    counts
}

/// Sorts features (each below `2^BITS`) with two radix passes of
/// `BITS / 2` bits: on the thousand-odd features of a news story, less
/// than half the work of a comparison sort.
fn sort(features: &mut Vec<Feature>) {
    const _: () = assert!(BITS.is_multiple_of(2));
    radix::sort::<_, { 1 << (BITS / 2) }>(features, &[0, BITS / 2], u64::from);
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

    #[test]
    fn unigrams_and_bigrams_are_counted_once_each() {
        let en = Language::from_code("en").unwrap();
        let lexicon = &mut Lexicon::new();
        let counts = extract("Oil prices rose. Oil prices fell again.", en, lexicon);
        let get = |f: Feature| counts.iter().find(|(g, _)| *g == f).map(|(_, n)| *n);
        assert_eq!(get(unigram("oil")), Some(2.0));
        assert_eq!(get(bigram("oil", "price")), Some(2.0));
        assert_eq!(get(bigram("price", "rose")), Some(1.0));
        // Stopwords are skipped, and bigrams run on across sentences.
        assert_eq!(get(unigram("again")), None);
        assert_eq!(get(bigram("rose", "oil")), Some(1.0));
        assert_eq!(get(bigram("price", "fell")), Some(1.0));
        // Case, inflection and repeats fold together.
        assert_eq!(
            extract("OIL Prices", en, lexicon),
            extract("oil price", en, lexicon)
        );
        assert!(counts.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn detection_while_looking_words_up_agrees_with_detection_alone() {
        let texts = [
            "The government said on Monday that the talks in Vienna would continue \
             into the night, and that the ministers of both sides had agreed to meet again.",
            "Die Regierung hat am Montag in Wien über die wachsende Bedrohung gesprochen, \
             die von der Gruppe ausgeht, und die Minister wollen sich wieder treffen.",
            "Le gouvernement a déclaré lundi que les discussions de Vienne se poursuivraient \
             dans la nuit et que les ministres se retrouveraient mardi.",
            "Oil prices soar",
            "Fears for pension after talks with the parent firm",
            "12345 !!!",
            "",
        ];
        // Each text after each other, so that the lexicon's last language
        // (where the words are looked up first) is sometimes the text's
        // and sometimes not.
        let lexicon = &mut Lexicon::new();
        for first in texts {
            for text in texts {
                detect_and_extract(first, None, lexicon);
                let expected = Language::detect(text);
                let (choice, counts) = detect_and_extract(text, None, lexicon);
                assert_eq!(choice.language, expected, "{text:?} after {first:?}");
                let alone = extract(text, expected, &mut Lexicon::new());
                assert_eq!(counts, alone, "{text:?} after {first:?}");
                let given = Language::from_code("de");
                assert_eq!(
                    detect_and_extract(text, given, lexicon).1,
                    extract(text, given.unwrap(), &mut Lexicon::new())
                );
            }
        }
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
    fn radix_sort_sorts() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for len in [0, 1, 255, 256, 257, 5_000] {
            let mut features: Vec<Feature> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Few distinct values, so that repeats are sorted too.
                    (state % (1 << BITS)) as Feature & 0xF_F0FF
                })
                .collect();
            let mut expected = features.clone();
            expected.sort_unstable();
            sort(&mut features);
            assert_eq!(features, expected);
        }
    }

    #[test]
    fn buckets_are_stable() {
        // A model file stores buckets: these values must never change.
        assert_eq!(unigram("oil"), unigram("oil"));
        assert!(unigram("oil") < 1 << BITS);
        assert_ne!(bigram("oil", "price"), bigram("price", "oil"));
    }
}
