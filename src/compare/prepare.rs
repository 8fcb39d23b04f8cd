//! What a comparison reads from each analysed [`Document`], computed once per
//! document and comparison: the sentences compared (a [`View`]: every
//! sentence, or those left after furniture removal), their words (with byte
//! offsets, hashed in their normal form), the words of each sentence, the
//! sentence frequencies of the terms, the word shingles and the character
//! trigrams.
//!
//! Sentences are never re-segmented: the words of a sentence are those the
//! analysis found inside its span (its tail, once furniture was cut off its
//! start), so every word (and every diff span built from words) lies inside
//! a sentence of the document. Removed furniture is left out of everything:
//! the words of the sentences on either side of a removed caption are
//! neighbours, as they are in the story.
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

use std::borrow::Cow;
use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::radix;
use crate::text::{Document, View, ViewSentence, tokenize};

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
    /// The sentences compared. Sentence indexes of a comparison are indexes
    /// of `view.sentences` until [`compare`](super::compare) maps them back
    /// to the document's ([`Self::index`]).
    pub view: View<'d, 'a>,
    /// The words of the compared sentences, in text order: the document's
    /// own when every sentence is compared whole.
    words: Cow<'d, [Word]>,
    /// The words of each compared sentence, as a range of `words`.
    sentence_words: Vec<Range<usize>>,
    /// For each term id, the number of compared sentences it occurs in.
    pub sentence_frequency: Cow<'d, [u32]>,
    /// Hashes of the word shingles, sorted and deduplicated.
    pub shingles: Vec<u64>,
    /// Byte trigrams of the content words' normal forms with boundary
    /// marks, packed into the low 24 bits, sorted (repeats kept: they are
    /// counts).
    pub trigrams: Vec<u32>,
}

impl<'d, 'a> Prepared<'d, 'a> {
    /// Prepares the sentences of `view`: one pass over their words.
    pub fn new(view: View<'d, 'a>) -> Self {
        let doc = view.doc;
        let (words, sentence_words, sentence_frequency) = view_words(&view);
        let text = doc.text;
        let mut trigrams = Vec::with_capacity(text.len());
        let mut normal = Vec::with_capacity(32);
        for word in words.iter().filter(|w| w.content) {
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
            view,
            shingles: shingles(&words),
            words,
            sentence_words,
            sentence_frequency,
            trigrams,
        }
    }

    /// Prepares every sentence of `doc`, as it is.
    #[cfg(test)]
    pub fn whole(doc: &'d Document<'a>) -> Self {
        Self::new(View::all(doc))
    }

    /// Number of sentences compared.
    pub fn len(&self) -> usize {
        self.view.len()
    }

    /// Whether no sentence is compared.
    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    /// The compared sentences, in text order.
    pub fn sentences(&self) -> &[ViewSentence<'d>] {
        &self.view.sentences
    }

    /// Position among all sentences of the document of compared sentence
    /// `index` (`index` itself when out of range).
    pub fn index(&self, index: usize) -> usize {
        self.view.sentences.get(index).map_or(index, |s| s.index)
    }

    /// Every word of every compared sentence, in text order.
    pub fn words(&self) -> &[Word] {
        &self.words
    }

    /// The words of compared sentence `index` as a range of [`Self::words`]
    /// (empty when out of range).
    pub fn sentence_range(&self, index: usize) -> Range<usize> {
        self.sentence_words.get(index).cloned().unwrap_or(0..0)
    }

    /// The words of compared sentence `index` (empty when out of range).
    pub fn sentence(&self, index: usize) -> &[Word] {
        self.words()
            .get(self.sentence_range(index))
            .unwrap_or_default()
    }

    /// Number of words of compared sentence `index`.
    pub fn sentence_len(&self, index: usize) -> usize {
        self.sentence_range(index).len()
    }
}

/// What [`view_words`] returns: the words, each sentence's range of them, the
/// sentence frequencies.
pub(crate) type ViewWords<'d> = (Cow<'d, [Word]>, Vec<Range<usize>>, Cow<'d, [u32]>);

/// The words of `view`'s sentences in text order, each sentence's words as
/// a range of them, and the sentence frequency of each term within them:
/// borrowed from the document when every sentence is read whole.
pub(crate) fn view_words<'d>(view: &View<'d, '_>) -> ViewWords<'d> {
    let doc = view.doc;
    let whole = view.len() == doc.sentences.len()
        && view
            .sentences
            .iter()
            .zip(&doc.sentences)
            .all(|(v, s)| v.words == s.words);
    if whole {
        (
            Cow::Borrowed(&doc.words[..]),
            view.sentences.iter().map(|s| s.words.clone()).collect(),
            Cow::Borrowed(&doc.sentence_frequency[..]),
        )
    } else {
        let (words, ranges, frequency) = compared(doc, &view.sentences);
        (Cow::Owned(words), ranges, Cow::Owned(frequency))
    }
}

/// The words of `sentences` (some of `doc`'s, some trimmed), each
/// sentence's words as a range of them, and the sentence frequency of each
/// of `doc`'s terms within them, as [`Document::sentence_frequency`] counts
/// it within the whole document.
fn compared(
    doc: &Document<'_>,
    sentences: &[ViewSentence<'_>],
) -> (Vec<Word>, Vec<Range<usize>>, Vec<u32>) {
    let mut words = Vec::with_capacity(doc.words.len());
    let mut ranges = Vec::with_capacity(sentences.len());
    let mut frequency = vec![0u32; doc.sentence_frequency.len()];
    // The last sentence each term was counted in, so that a term counts once
    // per sentence without sorting the sentence's terms.
    let mut counted_in = vec![usize::MAX; frequency.len()];
    for (i, sentence) in sentences.iter().enumerate() {
        let start = words.len();
        words.extend_from_slice(doc.words.get(sentence.words.clone()).unwrap_or_default());
        ranges.push(start..words.len());
        for &t in sentence.terms {
            if let (Some(last), Some(sf)) = (
                counted_in.get_mut(t as usize),
                frequency.get_mut(t as usize),
            ) && *last != i
            {
                *last = i;
                *sf += 1;
            }
        }
    }
    (words, ranges, frequency)
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
        let p = Prepared::whole(&doc);
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
        let (pa, pb) = (Prepared::whole(&a), Prepared::whole(&b));
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
        let p = Prepared::whole(&doc);
        let marked: Vec<&str> = p
            .words()
            .iter()
            .filter(|w| w.negation)
            .map(|w| &doc.text[w.start..w.end])
            .collect();
        assert_eq!(marked, ["didn’t", "nobody", "cannot", "no"]);
        let german = Document::analyze("Er hat no nicht gesagt.", Language::from_code("de"));
        assert!(Prepared::whole(&german).words().iter().all(|w| !w.negation));
    }

    #[test]
    fn short_texts_have_one_shingle_and_empty_ones_none() {
        let one = en("Hello!");
        assert_eq!(Prepared::whole(&one).shingles.len(), 1);
        let none = en("... !!!");
        let p = Prepared::whole(&none);
        assert!(p.shingles.is_empty() && p.words().is_empty() && p.trigrams.is_empty());
    }
}
