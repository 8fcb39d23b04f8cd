//! What a comparison reads from each analysed [`Document`], computed once per
//! document and comparison: the document's words (with byte offsets, hashed
//! in their normal form), the words of each sentence, the word shingles, the
//! character trigrams and the hashes of the document's stemmed terms.
//!
//! Sentences are never re-segmented: the words of a sentence are those
//! [`tokenize::words`] finds inside its span, so every word (and every diff
//! span built from words) lies inside a sentence of the document.
//!
//! # Normal form of a word
//!
//! A word is case-folded ([`tokenize::fold`]: NFKC, lowercase, plain
//! apostrophes) and stripped of every character that is not alphanumeric
//! ("U.S." → "us", "Libya’s" → "libyas"), then hashed with xxh3. Pure ASCII
//! words, nearly all words of English copy, take a fast path that gives the
//! same result without allocating. Two texts are duplicates when their
//! sequences of normal forms are equal.

use std::ops::Range;

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

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

/// One word of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Byte range of the word in the document's text.
    pub start: usize,
    /// End of the byte range (exclusive).
    pub end: usize,
    /// xxh3 of the word's normal form.
    pub hash: u64,
    /// Whether the word holds a digit ("2011", "5,000", "3.5").
    pub numeric: bool,
    /// Whether the word is a content word (not a stopword of the document's
    /// language).
    pub content: bool,
    /// Whether the word is an English negation ([`is_negation`]); always
    /// false in documents of other languages.
    pub negation: bool,
}

/// A document prepared for comparison.
#[derive(Debug, Clone)]
pub struct Prepared<'d, 'a> {
    /// The analysed document.
    pub doc: &'d Document<'a>,
    /// Every word of every sentence, in text order.
    pub words: Vec<Word>,
    /// For each sentence, its words as a range of `words`.
    pub sentence_words: Vec<Range<usize>>,
    /// Hashes of the word shingles, sorted and deduplicated.
    pub shingles: Vec<u64>,
    /// Byte trigrams of the content words' normal forms with boundary
    /// marks, packed into the low 24 bits, sorted (repeats kept: they are
    /// counts).
    pub trigrams: Vec<u32>,
    /// xxh3 of each vocabulary term, by term id.
    pub term_hashes: Vec<u64>,
}

impl<'d, 'a> Prepared<'d, 'a> {
    /// Prepares `doc`: one pass over the words of its sentences.
    pub fn new(doc: &'d Document<'a>) -> Self {
        let text = doc.text;
        let mut words = Vec::with_capacity(text.len() / 6 + 1);
        let mut sentence_words = Vec::with_capacity(doc.sentences.len());
        let mut trigrams = Vec::with_capacity(text.len());
        let mut normal = Vec::with_capacity(32);
        let mut folded = String::with_capacity(32);
        let english = doc.language.code() == "en";
        for sentence in &doc.sentences {
            let first = words.len();
            // A span outside the text would be a pipeline bug: treat the
            // sentence as empty rather than panic.
            let Some(sentence_text) = text.get(sentence.span.clone()) else {
                sentence_words.push(first..first);
                continue;
            };
            for (offset, word) in tokenize::words(sentence_text) {
                normalise(word, &mut normal);
                folded.clear();
                if word.is_ascii() {
                    folded.extend(word.chars().map(|c| c.to_ascii_lowercase()));
                } else {
                    folded.push_str(&tokenize::fold(word));
                }
                let content = !doc.language.is_stopword(&folded);
                if content {
                    push_trigrams(&normal, &mut trigrams);
                }
                let start = sentence.span.start + offset;
                words.push(Word {
                    start,
                    end: start + word.len(),
                    hash: xxh3_64(&normal),
                    numeric: word.bytes().any(|b| b.is_ascii_digit()),
                    content,
                    negation: english && is_negation(&folded),
                });
            }
            sentence_words.push(first..words.len());
        }
        radix_sort_u24(&mut trigrams);
        let shingles = shingles(&words);
        let term_hashes = doc
            .vocabulary
            .iter()
            .map(|t| xxh3_64(t.as_bytes()))
            .collect();
        Self {
            doc,
            words,
            sentence_words,
            shingles,
            trigrams,
            term_hashes,
        }
    }

    /// The words of sentence `index` (empty when out of range).
    pub fn sentence(&self, index: usize) -> &[Word] {
        self.sentence_words
            .get(index)
            .and_then(|r| self.words.get(r.clone()))
            .unwrap_or_default()
    }

    /// Number of words of sentence `index`.
    pub fn sentence_len(&self, index: usize) -> usize {
        self.sentence_words.get(index).map_or(0, |r| r.len())
    }
}

/// English negation words: a verb form ending in "n't" ("didn't", "can't";
/// typographic apostrophes are already plain in `folded`), or one of the
/// words below.
pub const NEGATIONS: [&str; 10] = [
    "not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "cannot", "without",
];

/// Whether the case-folded word `folded` negates (see [`NEGATIONS`]).
pub fn is_negation(folded: &str) -> bool {
    // Most words fail the first test: every negation ends in 'e', 'g', 'o',
    // 'r', 't' or 'y'.
    match folded.as_bytes().last() {
        Some(b't') => folded.ends_with("n't") || NEGATIONS.contains(&folded),
        Some(b'e' | b'g' | b'o' | b'r' | b'y') => NEGATIONS.contains(&folded),
        _ => false,
    }
}

/// Writes the normal form of `word` into `out` (see the module docs).
fn normalise(word: &str, out: &mut Vec<u8>) {
    out.clear();
    if word.is_ascii() {
        out.extend(
            word.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| b.to_ascii_lowercase()),
        );
    } else {
        let mut buf = [0u8; 4];
        for c in tokenize::fold(word).chars().filter(|c| c.is_alphanumeric()) {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    if out.is_empty() {
        // Not reached for UAX #29 words, which hold an alphanumeric
        // character; keep the folded word rather than an empty one.
        out.extend_from_slice(tokenize::fold(word).as_bytes());
    }
}

/// Sorts values below 2²⁴ (packed trigrams) by three passes of LSD radix
/// sort, one per byte: linear time, several times cheaper than a comparison
/// sort for the thousands of trigrams of an article.
fn radix_sort_u24(v: &mut Vec<u32>) {
    if v.len() < 256 {
        v.sort_unstable();
        return;
    }
    let mut buf = vec![0u32; v.len()];
    for shift in [0, 8, 16] {
        let mut starts = [0usize; 256];
        for &x in v.iter() {
            starts[((x >> shift) & 0xff) as usize] += 1;
        }
        let mut sum = 0;
        for c in &mut starts {
            (*c, sum) = (sum, sum + *c);
        }
        for &x in v.iter() {
            let bucket = &mut starts[((x >> shift) & 0xff) as usize];
            buf[*bucket] = x;
            *bucket += 1;
        }
        std::mem::swap(v, &mut buf);
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
    out.sort_unstable();
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

    fn en(text: &str) -> Document<'_> {
        Document::analyze(text, Language::from_code("en"))
    }

    #[test]
    fn words_are_normalised_and_keep_offsets() {
        let doc = en("The U.S. envoy met Libya’s leader. He left.");
        let p = Prepared::new(&doc);
        assert_eq!(p.sentence_words.len(), 2);
        let texts: Vec<&str> = p.words.iter().map(|w| &doc.text[w.start..w.end]).collect();
        assert_eq!(texts[1], "U.S");
        assert_eq!(p.words[1].hash, xxh3_64(b"us"));
        assert_eq!(p.words[4].hash, xxh3_64(b"libyas"));
        assert_eq!(p.sentence(1).len(), 2);
    }

    #[test]
    fn case_and_punctuation_do_not_change_hashes() {
        let a = en("Hello, World! It's here.");
        let b = en("hello world -- its HERE");
        let (pa, pb) = (Prepared::new(&a), Prepared::new(&b));
        let ha: Vec<u64> = pa.words.iter().map(|w| w.hash).collect();
        let hb: Vec<u64> = pb.words.iter().map(|w| w.hash).collect();
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
            .words
            .iter()
            .filter(|w| w.negation)
            .map(|w| &doc.text[w.start..w.end])
            .collect();
        assert_eq!(marked, ["didn’t", "nobody", "cannot", "no"]);
        let german = Document::analyze("Er hat no nicht gesagt.", Language::from_code("de"));
        assert!(Prepared::new(&german).words.iter().all(|w| !w.negation));
    }

    #[test]
    fn short_texts_have_one_shingle_and_empty_ones_none() {
        let one = en("Hello!");
        assert_eq!(Prepared::new(&one).shingles.len(), 1);
        let none = en("... !!!");
        let p = Prepared::new(&none);
        assert!(p.shingles.is_empty() && p.words.is_empty() && p.trigrams.is_empty());
    }
}
