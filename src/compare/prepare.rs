//! What a comparison reads from each analysed [`Document`], computed once per
//! document and comparison: the document's words (with byte offsets, hashed
//! in their normal form), the words of each sentence, the word shingles, the
//! character trigrams and the hashes of the document's stemmed terms.
//!
//! Sentences are never re-segmented: the words of a sentence are those the
//! analysis found inside its span, so every word (and every diff span built
//! from words) lies inside a sentence of the document.
//!
//! # Normal form of a word
//!
//! A word is case-folded ([`tokenize::fold`]: NFKC, lowercase, plain
//! apostrophes) and stripped of every character that is not alphanumeric
//! ("U.S." → "us", "Libya’s" → "libyas"), then hashed with xxh3
//! ([`tokenize::normal_form`]). Two texts are duplicates when their
//! sequences of normal forms are equal. The words, their normal forms'
//! hashes and their flags come from the analysis ([`Document::words`],
//! worked out once per word form by the thread's [`crate::text::lexicon`]):
//! a comparison does not split the text into words again.

use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::radix;
use crate::text::{Document, tokenize};

/// Words per shingle. Three-word shingles are the usual choice for near-
/// duplicate detection of short documents (Broder's w-shingling uses 4 to
/// 10 on web pages; news sentences are short and edits frequent, so a
/// smaller window keeps edited sentences partly matching) and still say
/// something about word order, which bags of words do not.
pub const SHINGLE_SIZE: usize = 3;

/// Seed of the shingle hash, so that shingle hashes do not collide with the
/// word hashes they are built from.
const SHINGLE_SEED: u64 = 0x5348_494e_474c_4533; // "SHINGLE3"

/// Marks the start and end of a word in its character trigrams.
const WORD_BOUNDARY: u8 = 0x01;

pub use crate::text::document::Word;

/// A document prepared for comparison.
#[derive(Debug, Clone)]
pub struct Prepared<'d, 'a> {
    /// The analysed document.
    pub doc: &'d Document<'a>,
    /// Hashes of the word shingles, sorted and deduplicated.
    pub shingles: Vec<u64>,
    /// Byte trigrams of the content words' normal forms with boundary
    /// marks, packed into the low 24 bits, sorted (repeats kept: they are
    /// counts).
    pub trigrams: Vec<u32>,
}

impl<'d, 'a> Prepared<'d, 'a> {
    /// Prepares `doc`: one pass over the words of its sentences.
    pub fn new(doc: &'d Document<'a>) -> Self {
        let text = doc.text;
        let mut trigrams = Vec::with_capacity(text.len());
        let mut normal = Vec::with_capacity(32);
        for word in doc.words.iter().filter(|w| w.content) {
            // A span outside the text would be a pipeline bug: skip the
            // word rather than panic.
            if let Some(written) = text.get(word.start..word.end) {
                tokenize::normal_form(written, &mut normal);
                push_trigrams(&normal, &mut trigrams);
            }
        }
        radix_sort_u24(&mut trigrams);
        Self {
            doc,
            shingles: shingles(&doc.words),
            trigrams,
        }
    }

    /// Every word of every sentence, in text order: the document's.
    pub fn words(&self) -> &'d [Word] {
        &self.doc.words
    }

    /// The words of sentence `index` as a range of [`Self::words`] (empty
    /// when out of range).
    pub fn sentence_range(&self, index: usize) -> Range<usize> {
        self.doc
            .sentences
            .get(index)
            .map_or(0..0, |s| s.words.clone())
    }

    /// The words of sentence `index` (empty when out of range).
    pub fn sentence(&self, index: usize) -> &'d [Word] {
        self.words()
            .get(self.sentence_range(index))
            .unwrap_or_default()
    }

    /// Number of words of sentence `index`.
    pub fn sentence_len(&self, index: usize) -> usize {
        self.sentence_range(index).len()
    }
}

/// Sorts values below 2²⁴ (packed trigrams) by three passes of LSD radix
/// sort, one per byte: linear time, several times cheaper than a comparison
/// sort for the thousands of trigrams of an article.
fn radix_sort_u24(v: &mut Vec<u32>) {
    radix::sort::<_, 256>(v, &[0, 8, 16], u64::from);
}

/// Sorts 64-bit hashes (uniformly spread values): two radix passes on the
/// top 16 bits, then `sort_unstable` on each run of values sharing them,
/// which for uniform values is nearly every run of one. Some 25
/// instructions a value where `sort_unstable` alone takes 80 for the 800
/// words of an article, and a comparison takes eight such sorts. Values
/// that crowd into few runs (crafted words whose hashes share their top
/// bits) cost no more than `sort_unstable` on those runs, so the worst case
/// stays `O(n log n)`.
pub(crate) fn sort_hashes(v: &mut Vec<u64>) {
    // Short inputs come back fully sorted, and their runs sorted already.
    radix::sort::<_, 256>(v, &[48, 56], |x| x);
    for run in v.chunk_by_mut(|x, y| x >> 48 == y >> 48) {
        if run.len() > 1 {
            run.sort_unstable();
        }
    }
}

/// Appends the byte trigrams of `" word "` (boundary marks at both ends).
fn push_trigrams(normal: &[u8], out: &mut Vec<u32>) {
    let mut window = u32::from(WORD_BOUNDARY);
    for (i, &b) in normal
        .iter()
        .chain(std::iter::once(&WORD_BOUNDARY))
        .enumerate()
    {
        window = ((window << 8) | u32::from(b)) & 0x00ff_ffff;
        if i >= 1 {
            out.push(window);
        }
    }
    if normal.len() == 1 {
        // A one-letter word has no full trigram: keep " a " as one.
        out.push(window | (u32::from(WORD_BOUNDARY) << 16));
    }
}

/// Sorted, deduplicated hashes of the [`SHINGLE_SIZE`]-word shingles of
/// `words`; a text shorter than a shingle is one shingle of all its words,
/// a text without words has none.
pub fn shingles(words: &[Word]) -> Vec<u64> {
    let mut out: Vec<u64> = if words.is_empty() {
        Vec::new()
    } else if words.len() < SHINGLE_SIZE {
        vec![shingle_hash(words)]
    } else {
        words.windows(SHINGLE_SIZE).map(shingle_hash).collect()
    };
    sort_hashes(&mut out);
    out.dedup();
    out
}

fn shingle_hash(words: &[Word]) -> u64 {
    let mut bytes = [0u8; 8 * SHINGLE_SIZE];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.hash.to_le_bytes());
    }
    let len = 8 * words.len().min(SHINGLE_SIZE);
    xxh3_64_with_seed(&bytes[..len], SHINGLE_SEED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Language;
    use xxhash_rust::xxh3::xxh3_64;

    fn en(text: &str) -> Document<'_> {
        Document::analyze(text, Language::from_code("en"))
    }

    #[test]
    fn hashes_sort_like_sort_unstable() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (len, mask) in [
            (0, !0),
            (255, !0),
            (300, !0),
            (5_000, !0),
            (3_000, 0xFFFF_0000_0000_00FF),
        ] {
            // Uniform values, then values crowding into few runs.
            let mut v: Vec<u64> = (0..len).map(|_| next() & mask).collect();
            let mut expected = v.clone();
            expected.sort_unstable();
            sort_hashes(&mut v);
            assert_eq!(v, expected);
        }
    }

    #[test]
    fn words_are_normalised_and_keep_offsets() {
        let doc = en("The U.S. envoy met Libya’s leader. He left.");
        let p = Prepared::new(&doc);
        // Two sentences, whose words cover the text's; none past them.
        let ranges = [0, 1, 2].map(|i| p.sentence_range(i));
        assert_eq!(ranges, [0..6, 6..8, 0..0]);
        let texts: Vec<&str> = p
            .words()
            .iter()
            .map(|w| &doc.text[w.start..w.end])
            .collect();
        assert_eq!(texts[1], "U.S");
        assert_eq!(p.words()[1].hash, xxh3_64(b"us"));
        assert_eq!(p.words()[4].hash, xxh3_64(b"libyas"));
        assert_eq!(p.sentence(1).len(), 2);
    }

    #[test]
    fn case_and_punctuation_do_not_change_hashes() {
        let a = en("Hello, World! It's here.");
        let b = en("hello world -- its HERE");
        let (pa, pb) = (Prepared::new(&a), Prepared::new(&b));
        let ha: Vec<u64> = pa.words().iter().map(|w| w.hash).collect();
        let hb: Vec<u64> = pb.words().iter().map(|w| w.hash).collect();
        assert_eq!(ha, hb);
        assert_eq!(pa.shingles, pb.shingles);
        assert_eq!(pa.trigrams, pb.trigrams);
    }

    #[test]
    fn radix_sort_sorts_trigrams() {
        for n in [0, 5, 255, 256, 3000] {
            let mut state = 0x2545_F491_4F6C_DD1Du64;
            let mut v: Vec<u32> = (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % (1 << 24)) as u32
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_unstable();
            radix_sort_u24(&mut v);
            assert_eq!(v, expected, "{n}");
        }
    }

    #[test]
    fn negations_are_marked_in_english_only() {
        let doc = en("He didn’t go, and nobody cannot say no. Notably, he knows.");
        let p = Prepared::new(&doc);
        let marked: Vec<&str> = p
            .words()
            .iter()
            .filter(|w| w.negation)
            .map(|w| &doc.text[w.start..w.end])
            .collect();
        assert_eq!(marked, ["didn’t", "nobody", "cannot", "no"]);
        let german = Document::analyze("Er hat no nicht gesagt.", Language::from_code("de"));
        assert!(Prepared::new(&german).words().iter().all(|w| !w.negation));
    }

    #[test]
    fn short_texts_have_one_shingle_and_empty_ones_none() {
        let one = en("Hello!");
        assert_eq!(Prepared::new(&one).shingles.len(), 1);
        let none = en("... !!!");
        let p = Prepared::new(&none);
        assert!(p.shingles.is_empty() && p.words().is_empty() && p.trigrams.is_empty());
    }
}
