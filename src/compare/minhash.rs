//! MinHash signatures of a document's word shingles.
//!
//! Each of the [`SIGNATURE_SIZE`] values is the minimum, over the document's
//! shingle hashes `x` (folded to 32 bits), of a bijective 32-bit mix
//! `hᵢ(x) = mix((x ⊕ kᵢ) · mᵢ)` with keys `kᵢ` and odd multipliers `mᵢ` drawn from
//! [`SIGNATURE_SEED`] by SplitMix64. For two documents the probability that
//! value `i` agrees is the Jaccard index of their shingle sets, so the share
//! of agreeing values estimates it with standard error
//! `√(J(1 − J) / 128) ≤ 0.045`. Signatures can be stored and compared later
//! without the texts, provided seed, size and shingle size match.

use super::Signature;
use super::prepare::SHINGLE_SIZE;

/// Values in a signature: the error of the Jaccard estimate is at most
/// `0.5 / √128 ≈ 0.044` (one standard deviation), for 1 KiB a signature.
pub const SIGNATURE_SIZE: usize = 128;

/// Seed of the signature's hash functions. Changing it makes signatures
/// incomparable with stored ones.
pub const SIGNATURE_SEED: u64 = 0x7465_7874_616e_616c; // "textanal"

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The signature of a set of shingle hashes.
///
/// The mixes run on 32-bit lanes (each shingle hash folded to 32 bits
/// first), so that the 128 mixes of one shingle vectorise: eight lanes per
/// AVX2 multiply instead of one 64-bit multiply each, which makes a 5 KB
/// document's signature several times cheaper. 32-bit minima collide with
/// probability about `n / 2³²` for `n` shingles, far below the estimate's
/// own error.
pub fn signature(shingles: &[u64]) -> Signature {
    let values: [u32; SIGNATURE_SIZE] = minima(shingles);
    Signature {
        values: values.iter().map(|&v| u64::from(v)).collect(),
        seed: SIGNATURE_SEED,
        shingle_size: SHINGLE_SIZE,
        shingle_count: shingles.len(),
    }
}

/// The first `N` minima of the hash family behind [`signature`]: the
/// functions are drawn one after the other from the seed, so the first
/// [`SIGNATURE_SIZE`] of any longer run are the signature's values, and a
/// longer run only adds functions (a finer estimate, as
/// [`crate::compare::Fingerprint`] keeps).
pub(crate) fn minima<const N: usize>(shingles: &[u64]) -> [u32; N] {
    let mut state = SIGNATURE_SEED;
    let mut keys = [0u32; N];
    let mut mults = [0u32; N];
    for (k, m) in keys.iter_mut().zip(mults.iter_mut()) {
        *k = splitmix(&mut state) as u32;
        *m = (splitmix(&mut state) as u32) | 1;
    }
    let mut values = [u32::MAX; N];
    for &x in shingles {
        let x = (x ^ (x >> 32)) as u32;
        for ((v, &k), &m) in values.iter_mut().zip(&keys).zip(&mults) {
            let mut h = (x ^ k).wrapping_mul(m);
            h ^= h >> 15;
            h = h.wrapping_mul(0x2C1B_3C6D);
            h ^= h >> 12;
            *v = (*v).min(h);
        }
    }
    values
}

/// Estimated Jaccard index of the shingle sets behind two signatures: the
/// share of equal values. `None` when the signatures are not comparable
/// (different seeds, shingle sizes or lengths, or no values).
pub fn estimate_jaccard(a: &Signature, b: &Signature) -> Option<f64> {
    if a.seed != b.seed
        || a.shingle_size != b.shingle_size
        || a.values.len() != b.values.len()
        || a.values.is_empty()
    {
        return None;
    }
    let equal = a
        .values
        .iter()
        .zip(&b.values)
        .filter(|(x, y)| x == y)
        .count();
    Some(equal as f64 / a.values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_jaccard_of_sets() {
        // Two sets of 300 with 200 in common: Jaccard 200 / 400 = 0.5.
        let mix = |i: u64| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes());
        let a: Vec<u64> = (0..300).map(mix).collect();
        let b: Vec<u64> = (100..400).map(mix).collect();
        let e = estimate_jaccard(&signature(&a), &signature(&b)).unwrap();
        assert!((e - 0.5).abs() < 0.1, "{e}");
        assert_eq!(estimate_jaccard(&signature(&a), &signature(&a)), Some(1.0));
    }

    #[test]
    fn estimates_are_unbiased_with_the_expected_error() {
        // 300 pairs of 200-shingle sets sharing 130: Jaccard 130 / 270.
        let (mut squares, mut sum) = (0.0, 0.0);
        for t in 0..300u64 {
            let mix = |i: u64| xxhash_rust::xxh3::xxh3_64(&(i + t * 1_000_000).to_le_bytes());
            let a: Vec<u64> = (0..200).map(mix).collect();
            let b: Vec<u64> = (70..270).map(mix).collect();
            let e = estimate_jaccard(&signature(&a), &signature(&b)).unwrap() - 130.0 / 270.0;
            squares += e * e;
            sum += e;
        }
        let (rmse, bias) = ((squares / 300.0f64).sqrt(), sum / 300.0);
        // Theory: √(J(1 − J) / 128) = 0.044.
        assert!(
            rmse < 0.055 && bias.abs() < 0.015,
            "rmse {rmse} bias {bias}"
        );
    }

    #[test]
    fn incomparable_signatures_give_none() {
        let a = signature(&[1, 2, 3]);
        let mut b = a.clone();
        b.seed ^= 1;
        assert_eq!(estimate_jaccard(&a, &b), None);
        let mut c = a.clone();
        c.values.pop();
        assert_eq!(estimate_jaccard(&a, &c), None);
    }
}
