//! Words and their normal form.
//!
//! Word boundaries follow Unicode's word segmentation (UAX #29, through
//! `unicode-segmentation`): it keeps "al-Sarraj"'s parts, "3.5" and "U.S."
//! whole, drops punctuation and white space, and splits scripts written
//! without spaces (Chinese, Japanese) into single ideographs, which is a sane
//! unit when no dictionary is at hand.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::{UnicodeSegmentation, UnicodeWordIndices};

/// The words of `text` with their byte offsets in it.
///
/// `unicode-segmentation`'s state machine is general and slow; its
/// ASCII-only fast path is faster, but only when the whole string is
/// ASCII: one curly quote in a news story sends all of it down the slow
/// path. So [`Words`] cuts the text into pieces at spaces that cannot be
/// inside a word (see [`Words::next_piece`]): pieces of ASCII and the few
/// typographic characters of news copy ([`SIMPLE`]), most of a text, go
/// through a byte loop with UAX #29's rules for them, and only the few
/// words around other non-ASCII characters through `unicode-segmentation`.
/// The words are exactly those of segmenting the whole text with
/// `unicode-segmentation` (a randomised test below checks it).
pub fn words(text: &str) -> Words<'_> {
    Words {
        text,
        at: 0,
        end: 0,
        unicode: None,
    }
}

/// The iterator of [`words`]: one piece of the text at a time, either
/// scanned here (`at..end`) or by `unicode-segmentation` (`unicode`, with
/// the piece's offset).
pub struct Words<'t> {
    text: &'t str,
    at: usize,
    end: usize,
    unicode: Option<(usize, UnicodeWordIndices<'t>)>,
}

impl<'t> Iterator for Words<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(word) = self.next_simple_word() {
                return Some(word);
            }
            if let Some((start, words)) = &mut self.unicode {
                if let Some((offset, word)) = words.next() {
                    return Some((*start + offset, word));
                }
                self.unicode = None;
            }
            if self.end >= self.text.len() {
                return None;
            }
            self.next_piece();
        }
    }
}

impl<'t> Words<'t> {
    /// The next word of the simple piece `at..end`, by UAX #29's rules,
    /// which for ASCII and [`SIMPLE`] characters come down to: letters,
    /// digits and `_` join (WB5, WB8 to WB10, WB13a/b); a `:`, `.`, `'`
    /// or typographic apostrophe joins two letters (WB6/7: "U.S", "don't",
    /// "Libya’s"); a `,`, `;`, `.`, `'` or typographic apostrophe joins two
    /// digits (WB11/12: "3.5", "1,000"); anything else separates. Like
    /// `unicode_word_indices`, a segment with no letter or digit ("_") is
    /// no word.
    fn next_simple_word(&mut self) -> Option<(usize, &'t str)> {
        let bytes = &self.text.as_bytes()[..self.end];
        loop {
            let Some(skip) = bytes[self.at..].iter().position(|&b| class(b) & WORD != 0) else {
                self.at = bytes.len();
                return None;
            };
            let start = self.at + skip;
            let mut end = start;
            loop {
                end += bytes[end..]
                    .iter()
                    .position(|&b| class(b) & WORD == 0)
                    .unwrap_or(bytes.len() - end);
                match bytes.get(end).and_then(|&b| joiner(bytes, end, class(b))) {
                    Some(width) => end += width,
                    None => break,
                }
            }
            self.at = end;
            let word = &self.text[start..end];
            // Nearly every word starts with a letter or digit; only the
            // rest ("_", "__init") are read again.
            if class(bytes[start]) & (LETTER | DIGIT) != 0
                || word.bytes().any(|b| class(b) & (LETTER | DIGIT) != 0)
            {
                return Some((start, word));
            }
        }
    }

    /// Moves to the piece after `end`: it runs to the last safe cut (see
    /// [`safe_cut`]) before the first character that is neither ASCII nor
    /// [`SIMPLE`], and is scanned here; if there is no such cut, the piece
    /// runs to the first safe cut after that character and goes to
    /// `unicode-segmentation`.
    fn next_piece(&mut self) {
        let bytes = self.text.as_bytes();
        let from = self.end;
        match first_complex(bytes, from) {
            None => (self.at, self.end) = (from, bytes.len()),
            Some(first) => match (from + 1..first).rev().find(|&i| safe_cut(bytes, i)) {
                Some(cut) => (self.at, self.end) = (from, cut),
                None => {
                    let end = (first + 1..bytes.len())
                        .find(|&i| safe_cut(bytes, i))
                        .unwrap_or(bytes.len());
                    let piece = &self.text[from..end];
                    (self.at, self.end) = (end, end);
                    self.unicode = Some((from, piece.unicode_word_indices()));
                }
            },
        }
    }
}

/// The typographic characters of news copy that the byte loop of
/// [`Words`] handles besides ASCII, UTF-8 encoded, with their classes:
/// the curly apostrophes are MidNumLet in UAX #29 (they join like `.`),
/// the rest are Other (they separate).
const SIMPLE: [([u8; 3], u8); 7] = [
    ([0xE2, 0x80, 0x98], JOINS_LETTERS | JOINS_DIGITS), // ‘
    ([0xE2, 0x80, 0x99], JOINS_LETTERS | JOINS_DIGITS), // ’
    ([0xE2, 0x80, 0x9C], 0),                            // “
    ([0xE2, 0x80, 0x9D], 0),                            // ”
    ([0xE2, 0x80, 0x93], 0),                            // –
    ([0xE2, 0x80, 0x94], 0),                            // —
    ([0xE2, 0x80, 0xA6], 0),                            // …
];

/// The class of the [`SIMPLE`] character at `at`, if one starts there.
fn simple(bytes: &[u8], at: usize) -> Option<u8> {
    let char = bytes.get(at..at + 3)?;
    SIMPLE
        .iter()
        .find(|(encoded, _)| encoded == char)
        .map(|&(_, class)| class)
}

/// Where the first character from `from` on that is neither ASCII nor
/// [`SIMPLE`] starts.
fn first_complex(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at = first_non_ascii(bytes, at)?;
        if simple(bytes, at).is_none() {
            return Some(at);
        }
        at += 3;
    }
}

/// Where the first non-ASCII byte from `from` on is. Whole texts are
/// scanned for it, so it goes 32 bytes at a time with `is_ascii`, which
/// tests a machine word at once: a fifth of the instructions of testing
/// each byte.
fn first_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while at < bytes.len() {
        let chunk = &bytes[at..bytes.len().min(at + 32)];
        if let Some(i) = (!chunk.is_ascii())
            .then(|| chunk.iter().position(|b| !b.is_ascii()))
            .flatten()
        {
            return Some(at + i);
        }
        at += chunk.len();
    }
    None
}

/// The width of the punctuation at `at`, of class `c`, if it joins the
/// characters on both sides into one word: `None` if it separates.
fn joiner(bytes: &[u8], at: usize, c: u8) -> Option<usize> {
    let (c, width) = match c {
        NON_ASCII => (simple(bytes, at)?, 3),
        c => (c, 1),
    };
    if c & (JOINS_LETTERS | JOINS_DIGITS) == 0 {
        return None;
    }
    let before = *bytes.get(at.checked_sub(1)?)?;
    let after = *bytes.get(at + width)?;
    let both = class(before) & class(after);
    ((c & JOINS_LETTERS != 0 && both & LETTER != 0) || (c & JOINS_DIGITS != 0 && both & DIGIT != 0))
        .then_some(width)
}

/// Classes of a byte for [`Words`], as bits.
const WORD: u8 = 1; // a letter, a digit or `_`
const LETTER: u8 = 2;
const DIGIT: u8 = 4;
const JOINS_LETTERS: u8 = 8; // `:` `.` `'` (WB6/7)
const JOINS_DIGITS: u8 = 16; // `,` `;` `.` `'` (WB11/12)
const NON_ASCII: u8 = 32; // any byte of a non-ASCII character

/// The classes of every byte, computed at compile time.
static CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        classes[b] = if byte.is_ascii_alphabetic() {
            WORD | LETTER
        } else if byte.is_ascii_digit() {
            WORD | DIGIT
        } else {
            match byte {
                b'_' => WORD,
                b'.' | b'\'' => JOINS_LETTERS | JOINS_DIGITS,
                b':' => JOINS_LETTERS,
                b',' | b';' => JOINS_DIGITS,
                _ => 0,
            }
        };
        b += 1;
    }
    while b < 256 {
        classes[b] = NON_ASCII;
        b += 1;
    }
    classes
};

fn class(b: u8) -> u8 {
    CLASSES[usize::from(b)]
}

/// Whether a piece may end just before byte `i`: at an ASCII white-space
/// character that follows an ASCII character and precedes one (or the
/// end). UAX #29 never joins a word across such a point: white space is not
/// part of any word, the rules that look past a character (WB6, WB7, WB11,
/// WB12) never look across white space, and the one rule that attaches what
/// follows white space to it (WB4, for extending and format characters)
/// needs a non-ASCII character after it.
fn safe_cut(bytes: &[u8], i: usize) -> bool {
    bytes[i].is_ascii_whitespace()
        && bytes[i - 1].is_ascii()
        && bytes.get(i + 1).is_none_or(u8::is_ascii)
}

/// The normal form of a word: compatibility-normalised (NFKC, so full-width
/// letters and ligatures match their plain forms), case-folded, with
/// typographic apostrophes made plain so that "Libya’s" and "Libya's" stem
/// alike.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out);
    out
}

/// [`fold`] into a buffer the caller reuses, replacing its contents: loops
/// over many words then allocate once, not once per word.
pub fn fold_into(word: &str, out: &mut String) {
    out.clear();
    // ASCII is already in NFKC and has no apostrophe variants to map.
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    for c in word.nfkc() {
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{FF07}' => out.push('\''),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// The normal form of a word for duplicate detection, into `out`: case-
/// folded ([`fold`]) and stripped of every character that is not a letter
/// or digit ("U.S." → "us", "Libya’s" → "libyas"). A word with no letter
/// or digit (not a UAX #29 word) keeps its folded form rather than none.
pub fn normal_form(word: &str, out: &mut Vec<u8>) {
    out.clear();
    if word.is_ascii() {
        out.extend(
            word.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| b.to_ascii_lowercase()),
        );
    } else {
        let mut buf = [0u8; 4];
        for c in fold(word).chars().filter(|c| c.is_alphanumeric()) {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    if out.is_empty() {
        out.extend_from_slice(fold(word).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_offsets_and_skip_punctuation() {
        let text = "Hello, world! It's 3.5% — ok.";
        let got: Vec<_> = words(text).collect();
        assert_eq!(got[0], (0, "Hello"));
        assert_eq!(got[1], (7, "world"));
        assert!(got.iter().any(|(_, w)| *w == "3.5"));
        for (offset, word) in got {
            assert_eq!(&text[offset..offset + word.len()], word);
        }
    }

    #[test]
    fn fold_normalises_case_width_and_apostrophes() {
        assert_eq!(fold("Libya\u{2019}s"), "libya's");
        assert_eq!(fold("ＡＢＣ"), "abc");
        assert_eq!(fold("ÉCOLE"), "école");
        let mut buffer = String::from("left over");
        fold_into("Tripoli", &mut buffer);
        assert_eq!(buffer, "tripoli");
    }

    #[test]
    fn pieces_give_the_words_of_the_whole_text() {
        // Every boundary rule near white space: apostrophes and quotes,
        // numbers, combining marks and format characters after a space,
        // emoji with modifiers, ideographs, and runs of spaces.
        const PARTS: [&str; 39] = [
            " ",
            "  ",
            "\n",
            "\t",
            "Libya",
            "\u{2019}s",
            "’",
            "don't",
            "3.5",
            ",",
            ".",
            "“",
            "”",
            "\u{0301}",
            "\u{200D}",
            "\u{00AD}",
            "é",
            "naïve",
            "👍🏽",
            "🇫🇷",
            "会议",
            "a",
            "—",
            "'",
            "_",
            ":",
            ";",
            "1,000",
            "U.S.",
            "x",
            "7",
            "a:b",
            "b2_",
            "-",
            "–",
            "…",
            "\u{00A0}",
            "£",
            "1’000",
        ];
        // xorshift64, advanced before every draw (also the length's, so
        // that an empty text does not repeat for ever).
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut draw = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for round in 0..20_000 {
            let mut text = String::new();
            // Every fourth text runs to some hundreds of bytes, several
            // pieces and many words.
            for _ in 0..draw(if round % 4 == 0 { 200 } else { 40 }) {
                text.push_str(PARTS[draw(PARTS.len())]);
            }
            let expected: Vec<_> = text.unicode_word_indices().collect();
            assert_eq!(words(&text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }

    #[test]
    fn cjk_splits_into_ideographs() {
        let got: Vec<_> = words("我们今天开会").map(|(_, w)| w).collect();
        assert!(got.len() > 1);
    }
}
