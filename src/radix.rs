//! Least-significant-digit radix sort for the integer keys the analyses
//! sort by the thousand in every request: hashed classification features,
//! packed character trigrams, word and shingle hashes. On the few thousand
//! keys of an article it is several times cheaper than `sort_unstable`.
//! Written here because the radix-sort crates sort whole
//! keys (four or eight byte passes), while these keys are fully ordered by
//! fewer digits (20 bits of a feature, 24 of a trigram) or need ordering by
//! their top bits only (uniform hashes, see
//! [`crate::compare::prepare::sort_hashes`]).

/// Inputs shorter than this go to `sort_unstable`: a counting pass costs
/// its counter array whatever the input's length.
const SMALL: usize = 256;

/// Sorts `v` by the digits `(key(x) >> shift) % BUCKETS`, one stable
/// counting pass per shift in `shifts`, least significant first. When the
/// digits cover every bit that distinguishes two values, `v` ends sorted
/// like `sort_unstable` would sort it, which short inputs use instead.
/// `BUCKETS`, a power of two, is a constant so that digits index the
/// counters without a bounds check, and the function is always inlined so
/// that each caller's constant shifts fold into the digit extraction,
/// which an out-of-line call cannot do.
#[inline(always)]
pub(crate) fn sort<T: Copy + Default + Ord, const BUCKETS: usize>(
    v: &mut Vec<T>,
    shifts: &[u32],
    key: impl Fn(T) -> u64,
) {
    const { assert!(BUCKETS.is_power_of_two()) };
    if v.len() < SMALL {
        v.sort_unstable();
        return;
    }
    let digit = |x: T, shift: u32| (key(x) >> shift) as usize & (BUCKETS - 1);
    let mut sorted = vec![T::default(); v.len()];
    for &shift in shifts {
        let mut starts = [0usize; BUCKETS];
        for &x in v.iter() {
            starts[digit(x, shift)] += 1;
        }
        let mut start = 0;
        for count in &mut starts {
            (start, *count) = (start + *count, start);
        }
        for &x in v.iter() {
            let slot = &mut starts[digit(x, shift)];
            sorted[*slot] = x;
            *slot += 1;
        }
        std::mem::swap(v, &mut sorted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_sort_unstable_when_the_digits_cover_the_keys() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for len in [0, 1, 255, 256, 257, 5_000] {
            // Few distinct values, so that repeats are sorted too.
            let mut v: Vec<u32> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % (1 << 24)) as u32 & 0xF0_F0FF
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_unstable();
            let mut by_bytes = v.clone();
            sort::<_, 256>(&mut by_bytes, &[0, 8, 16], u64::from);
            assert_eq!(by_bytes, expected);
            sort::<_, 4096>(&mut v, &[0, 12], u64::from);
            assert_eq!(v, expected);
        }
    }
}
