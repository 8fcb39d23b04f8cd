//! The overlap measures of two word sequences that [`Measures`] reads:
//! packed sorted words and what each text lacks of the other, content
//! n-grams, the longest common subsequence, and the intersection and
//! cosine of two sorted multisets.
//!
//! [`Measures`]: super::Measures

use super::super::prepare::{Prepared, Word, sort_hashes};
use super::super::vectors::{HashKeyed, ratio};
use super::{CONTENT_NGRAM, CONTENT_NGRAM_SEED};

/// The bits of a word hash that identify the word in [`sorted_words`]; the
/// low 16 bits carry the word's length and kind instead. Two distinct words
/// of a pair share the 48 bits with a probability of about `n² / 2⁴⁹`.
pub(super) const WORD_KEY: u64 = !0xffff;

/// The words of `p`, sorted by hash, each as one `u64`: the [`WORD_KEY`]
/// bits of its hash, its length in bytes as written (at most 2¹⁵ − 1) in
/// bits 1 to 15, and whether it is a content word in bit 0. Packing keeps
/// the sort a plain integer sort.
pub(super) fn sorted_words(p: &Prepared<'_, '_>) -> Vec<u64> {
    let mut v: Vec<u64> = p
        .words()
        .iter()
        .map(|w| {
            let len = (w.end - w.start).min(0x7fff) as u64;
            (w.hash & WORD_KEY) | (len << 1) | u64::from(w.content)
        })
        .collect();
    sort_hashes(&mut v);
    v
}

/// Length-weighted shares of a text's content words and of all its words
/// (`words`, by [`sorted_words`]) whose normal form is not in `other`
/// (sorted, deduplicated [`WORD_KEY`] bits of the other text's words); 0
/// for a text without such words. A word weighs its length in bytes as
/// written: long words are the rarer, more telling ones.
pub(super) fn unmatched(words: &[u64], other: &[u64]) -> (f64, f64) {
    let (mut content, mut content_total, mut all, mut all_total) = (0u64, 0u64, 0u64, 0u64);
    let mut j = 0;
    for &w in words {
        let key = w & WORD_KEY;
        while j < other.len() && other[j] < key {
            j += 1;
        }
        let missing = other.get(j) != Some(&key);
        let len = (w >> 1) & 0x7fff;
        let content_len = if w & 1 == 1 { len } else { 0 };
        all_total += len;
        content_total += content_len;
        if missing {
            all += len;
            content += content_len;
        }
    }
    (
        ratio(content as f64, content_total as f64),
        ratio(all as f64, all_total as f64),
    )
}

/// Sorted hashes (repeats kept) of the [`CONTENT_NGRAM`]-grams of `p`'s
/// content words in text order; fewer content words than that make one
/// n-gram of them all, none make none.
pub(super) fn content_ngrams(p: &Prepared<'_, '_>) -> Vec<u64> {
    let words: Vec<u64> = p
        .words()
        .iter()
        .filter(|w| w.content)
        .map(|w| w.hash)
        .collect();
    // The words are already uniform 64-bit hashes: a multiply-rotate mix
    // of them (order-sensitive) is enough.
    let hash = |window: &[u64]| {
        window.iter().fold(CONTENT_NGRAM_SEED, |h, &w| {
            (h ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
        })
    };
    let mut out: Vec<u64> = if words.is_empty() {
        Vec::new()
    } else if words.len() < CONTENT_NGRAM {
        vec![hash(&words)]
    } else {
        words.windows(CONTENT_NGRAM).map(hash).collect()
    };
    sort_hashes(&mut out);
    out
}

/// Length of the longest common subsequence of the two word sequences (by
/// normal form), by the bit-parallel algorithm of Allison and Dix (1986) in
/// Hyyrö's formulation: `O(n·⌈m/64⌉)` for texts of `m` and `n` words.
pub fn lcs_len(x: &[Word], y: &[Word]) -> usize {
    // The shorter text indexes the bits.
    let (x, y) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    if x.is_empty() {
        return 0;
    }
    let blocks = x.len().div_ceil(64);
    // Match masks: for each distinct word of x, the positions it holds.
    let mut index: HashKeyed<usize> = HashKeyed::default();
    index.reserve(x.len());
    let mut masks: Vec<u64> = Vec::with_capacity(x.len() * blocks);
    for (i, w) in x.iter().enumerate() {
        let next = masks.len() / blocks;
        let k = *index.entry(w.hash).or_insert(next);
        if k == next {
            masks.resize(masks.len() + blocks, 0);
        }
        masks[k * blocks + i / 64] |= 1 << (i % 64);
    }
    // V has a 0 at each position that ends a common subsequence step; words
    // of y absent from x leave it unchanged. V' = (V + U) | (V − U) with
    // U = V & M, and V − U = V & !M since U ⊆ V; a block without a match
    // and without an incoming carry stays as it is.
    let mut v = vec![u64::MAX; blocks];
    for w in y {
        let Some(&k) = index.get(&w.hash) else {
            continue;
        };
        let m = &masks[k * blocks..(k + 1) * blocks];
        let mut carry = false;
        for (vb, &mb) in v.iter_mut().zip(m) {
            if mb == 0 && !carry {
                continue;
            }
            let u = *vb & mb;
            let (sum, c1) = vb.overflowing_add(u);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            carry = c1 || c2;
            *vb = sum | (*vb & !mb);
        }
    }
    let tail = x.len() % 64;
    v.iter()
        .enumerate()
        .map(|(i, &b)| {
            let b = if i + 1 == blocks && tail != 0 {
                b | (u64::MAX << tail)
            } else {
                b
            };
            b.count_zeros() as usize
        })
        .sum()
}

/// Size of the intersection of two sorted lists. With repeats it is the
/// multiset intersection: a value counts as often as the list that holds it
/// fewer times holds it (the clipped counts of BLEU and ROUGE).
pub fn intersection<T: Ord>(x: &[T], y: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Cosine of two multisets given as sorted lists (repeats are counts).
pub fn count_cosine<T: Ord>(x: &[T], y: &[T]) -> f64 {
    let runs = |v: &[T]| -> f64 {
        v.chunk_by(|p, q| p == q)
            .map(|r| (r.len() * r.len()) as f64)
            .sum()
    };
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let (si, sj) = (i, j);
                while i < x.len() && x[i] == x[si] {
                    i += 1;
                }
                while j < y.len() && y[j] == y[sj] {
                    j += 1;
                }
                dot += ((i - si) * (j - sj)) as f64;
            }
        }
    }
    ratio(dot, (runs(x) * runs(y)).sqrt())
}
