//! A document's fingerprint: what near-duplicate detection without the
//! texts reads of it ([`crate::dedup`]). It is the MinHash [`Signature`] of
//! the shingles Compare reads (furniture removed unless `keep_boilerplate`,
//! a document of nothing but furniture taken whole) and the number of
//! those shingles, so that a Jaccard estimate can be turned into the two
//! containments of Compare's resemblance.

use super::Signature;
use super::minhash::{self, SIGNATURE_SEED, SIGNATURE_SIZE};
use super::prepare::{self, SHINGLE_SIZE};
use crate::text::Document;

/// Minima in a fingerprint: twice a signature's, so that the Jaccard
/// estimate's standard error, `√(J(1 − J) / n)`, is `1/√2` of a
/// signature's (0.032 at most): dedup compares many pairs of a stream, and
/// with 128 values the few different stories that share some 40% of their
/// shingles would now and then be estimated over the threshold.
pub const FINGERPRINT_VALUES: usize = 2 * SIGNATURE_SIZE;

/// The MinHash minima of a document's distinct shingles, and their number.
/// Made only by [`fingerprint`], so that any two are comparable. Its first
/// [`SIGNATURE_SIZE`] values are the document's [`Signature`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    values: Box<[u32; FINGERPRINT_VALUES]>,
    shingles: usize,
}

impl Fingerprint {
    /// The [`FINGERPRINT_VALUES`] minima.
    pub fn values(&self) -> &[u32; FINGERPRINT_VALUES] {
        &self.values
    }

    /// Number of distinct shingles of the text compared (0 for a text
    /// without words).
    pub fn shingles(&self) -> usize {
        self.shingles
    }

    /// The signature Compare returns for the same text and furniture
    /// setting.
    pub fn into_signature(self) -> Signature {
        Signature {
            values: self.values[..SIGNATURE_SIZE]
                .iter()
                .map(|&v| u64::from(v))
                .collect(),
            seed: SIGNATURE_SEED,
            shingle_size: SHINGLE_SIZE,
            shingle_count: self.shingles,
        }
    }
}

/// The fingerprint of `doc` as Compare sees it: its sentences without
/// furniture unless `keep_boilerplate` ([`super::compared_view`]). Reads the
/// analysis' words; the text is not read again.
pub fn fingerprint(doc: &Document<'_>, keep_boilerplate: bool) -> Fingerprint {
    let view = super::compared_view(doc, keep_boilerplate);
    let (words, _, _) = prepare::view_words(&view);
    let shingles = prepare::shingles(&words);
    Fingerprint {
        values: Box::new(minhash::minima(&shingles)),
        shingles: shingles.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{CompareOptions, compare};
    use crate::text::Language;

    const STORY: &str = "Share this article\n\nThe city council approved a new budget for \
        the harbour on Tuesday. The plan sets aside money for dredging the old channel. \
        Local fishermen welcomed the decision after years of silt. Follow us on Twitter";

    #[test]
    fn is_the_signature_compare_returns() {
        let doc = Document::analyze(STORY, Language::from_code("en"));
        for keep_boilerplate in [false, true] {
            let options = CompareOptions {
                signatures: true,
                keep_boilerplate,
                ..CompareOptions::default()
            };
            let c = compare(&doc, &doc, &options, None).unwrap();
            let fp = fingerprint(&doc, keep_boilerplate);
            assert_eq!(Some(&fp.into_signature()), c.signature_a.as_ref());
        }
        // The furniture lines are shingles only when kept.
        let (bare, kept) = (fingerprint(&doc, false), fingerprint(&doc, true));
        assert!(bare.shingles() > 20 && kept.shingles() > bare.shingles());
    }

    #[test]
    fn all_furniture_is_taken_whole_and_no_words_have_no_shingle() {
        let doc = Document::analyze("Share this article", Language::from_code("en"));
        assert_eq!(fingerprint(&doc, false), fingerprint(&doc, true));
        assert!(fingerprint(&doc, false).shingles() > 0);
        let empty = Document::analyze("... !!!", Language::from_code("en"));
        assert_eq!(fingerprint(&empty, false).shingles(), 0);
    }
}
