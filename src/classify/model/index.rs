//! The lookup index: from a feature to its position in a model's arrays.
//! Scoring looks up every feature of every text, most of which the model
//! does not know, so a lookup must cost one memory read whatever the size
//! of the model. The index is derived from the sorted feature ids at load,
//! so its layout can change without touching the file format.

use crate::classify::features::{BITS, Feature};

/// The buckets of the lookup index: the top bits of a feature. A bucket
/// holds the position of its first feature and a mask of which of the 16
/// values of the remaining [`BITS`]` - INDEX_BITS` bits are features, so
/// a lookup reads one index entry and no feature id: the position is the
/// start plus the features below it in the mask. (Searching the sorted
/// feature ids instead costs a cache miss a feature of a text once they
/// outgrow the caches, as a 20 Newsgroups model's 1.3 MB of ids do.) The
/// index is built at load (512 KiB a model), not stored in the file.
const INDEX_BITS: u32 = 16;
const _: () = assert!(BITS - INDEX_BITS == 4, "a bucket's mask has 16 bits");

/// For the features whose top [`INDEX_BITS`] bits are `k`: the position
/// of the first in the low 32 bits of entry `k`, and bit `j` of the next
/// 16 set when `k << 4 | j` is a feature.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Index(Vec<u64>);

impl Index {
    /// The index of `features`, strictly increasing and below `2^BITS`.
    pub(super) fn new(features: &[Feature]) -> Index {
        let mut index = vec![0u64; 1 << INDEX_BITS];
        for (position, &feature) in features.iter().enumerate().rev() {
            let entry = &mut index[(feature >> (BITS - INDEX_BITS)) as usize];
            let mask = (*entry >> 32) | 1 << (feature & 15);
            *entry = mask << 32 | position as u64;
        }
        Index(index)
    }

    /// Index of a feature in the model's arrays.
    #[inline]
    pub(super) fn position(&self, feature: Feature) -> Option<usize> {
        if feature >= 1 << BITS {
            return None;
        }
        let entry = self.0[(feature >> (BITS - INDEX_BITS)) as usize];
        let mask = (entry >> 32) as u16;
        let bit = 1u16 << (feature & 15);
        (mask & bit != 0).then(|| entry as u32 as usize + (mask & (bit - 1)).count_ones() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Model;
    use super::super::tests::{parts_of, small};
    use super::*;

    #[test]
    fn every_feature_is_found_at_its_position_and_no_other() {
        // Dense buckets (all 16 low values), sparse ones, the first and
        // the last bucket.
        let mut features: Vec<Feature> = (0..16).chain([17, 31, 4096]).collect();
        features.extend((1..2000).map(|i| i * 523 % (1 << BITS)));
        features.extend(((1 << BITS) - 16)..(1 << BITS));
        features.sort_unstable();
        features.dedup();
        let n = features.len();
        let mut parts = parts_of(&small());
        parts.idf = (1..=n).map(|i| i as f32).collect();
        parts.weights = vec![0.0; n * 3];
        parts.features = features.clone();
        let model = Model::from_parts(parts).unwrap();
        for (i, &f) in features.iter().enumerate() {
            assert_eq!(model.idf(f), Some((i + 1) as f32), "feature {f}");
        }
        for f in 0..1 << BITS {
            if features.binary_search(&f).is_err() {
                assert_eq!(model.idf(f), None, "feature {f}");
            }
        }
    }
}
