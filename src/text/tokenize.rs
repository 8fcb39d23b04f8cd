//! Words and their normal form.
//!
//! Word boundaries follow Unicode's word segmentation (UAX #29, through
//! `unicode-segmentation`): it keeps "al-Sarraj"'s parts, "3.5" and "U.S."
//! whole, drops punctuation and white space, and splits scripts written
//! without spaces (Chinese, Japanese) into single ideographs, which is a sane
//! unit when no dictionary is at hand.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// The words of `text` with their byte offsets in it.
///
/// `unicode-segmentation`'s state machine is general and slow; its
/// ASCII-only fast path is faster, but only when the whole string is
/// ASCII: one curly quote in a news story sends all of it down the slow
/// path. So the text is cut into [`pieces`] at spaces that cannot be inside
/// a word: ASCII pieces, most of a text, go through [`AsciiWords`], a byte
/// loop with UAX #29's rules for ASCII, and only the few words around
/// non-ASCII characters through `unicode-segmentation`. The words are
/// exactly those of segmenting the whole text with `unicode-segmentation`
/// (a randomised test below checks it).
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    pieces(text).flat_map(|(start, piece)| {
        let (ascii, unicode) = if piece.is_ascii() {
            (Some(AsciiWords { piece, at: 0 }), None)
        } else {
            (None, Some(piece.unicode_word_indices()))
        };
        ascii
            .into_iter()
            .flatten()
            .chain(unicode.into_iter().flatten())
            .map(move |(offset, word)| (start + offset, word))
    })
}

/// The words of an ASCII string by UAX #29's rules, which for ASCII come
/// down to: letters, digits and `_` join (WB5, WB8 to WB10, WB13a/b); a
/// `:`, `.` or `'` joins two letters (WB6/7: "U.S", "don't"); a `,`, `;`,
/// `.` or `'` joins two digits (WB11/12: "3.5", "1,000"); anything else
/// separates. Like `unicode_word_indices`, a segment with no letter or
/// digit ("_") is no word.
struct AsciiWords<'t> {
    piece: &'t str,
    at: usize,
}

impl<'t> Iterator for AsciiWords<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.piece.as_bytes();
        loop {
            let start = self.at
                + bytes
                    .get(self.at..)?
                    .iter()
                    .position(|&b| class(b) & WORD != 0)?;
            let mut end = start;
            let mut seen = 0;
            while let Some(&b) = bytes.get(end) {
                let c = class(b);
                if c & WORD == 0 && !joins(bytes, end, c) {
                    break;
                }
                seen |= c;
                end += 1;
            }
            self.at = end;
            if seen & (LETTER | DIGIT) != 0 {
                return Some((start, &self.piece[start..end]));
            }
        }
    }
}

/// Classes of an ASCII byte for [`AsciiWords`], as bits.
const WORD: u8 = 1; // a letter, a digit or `_`
const LETTER: u8 = 2;
const DIGIT: u8 = 4;
const JOINS_LETTERS: u8 = 8; // `:` `.` `'` (WB6/7)
const JOINS_DIGITS: u8 = 16; // `,` `;` `.` `'` (WB11/12)

/// The classes of every byte, computed at compile time.
const CLASSES: [u8; 256] = {
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
    classes
};

fn class(b: u8) -> u8 {
    CLASSES[usize::from(b)]
}

/// Whether the punctuation at `at`, of class `c`, joins the characters on
/// both sides.
fn joins(bytes: &[u8], at: usize, c: u8) -> bool {
    if c & (JOINS_LETTERS | JOINS_DIGITS) == 0 {
        return false;
    }
    let (Some(&before), Some(&after)) = (bytes.get(at.wrapping_sub(1)), bytes.get(at + 1)) else {
        return false;
    };
    let both = class(before) & class(after);
    (c & JOINS_LETTERS != 0 && both & LETTER != 0) || (c & JOINS_DIGITS != 0 && both & DIGIT != 0)
}

/// Cuts `text` into pieces, with their offsets, alternating between long
/// ASCII runs and short runs around non-ASCII characters. A piece ends just
/// before an ASCII white-space character that follows an ASCII character
/// and precedes one (or the end). UAX #29 never joins a word across such a
/// point: white space is not part of any word, the rules that look past a
/// character (WB6, WB7, WB11, WB12) never look across white space, and the
/// one rule that attaches what follows white space to it (WB4, for
/// extending and format characters) needs a non-ASCII character after it.
fn pieces(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let from = start;
        let end = match bytes[from..].iter().position(|b| !b.is_ascii()) {
            None => bytes.len(),
            Some(first) => {
                let first = from + first;
                // The ASCII run ends at the last safe cut before the first
                // non-ASCII byte; if there is none, the run is taken with
                // the non-ASCII piece.
                match (from + 1..first).rev().find(|&i| safe_cut(bytes, i)) {
                    Some(cut) => cut,
                    None => (first + 1..bytes.len())
                        .find(|&i| safe_cut(bytes, i))
                        .unwrap_or(bytes.len()),
                }
            }
        };
        start = end;
        Some((from, &text[from..end]))
    })
}

/// Whether a piece may end just before byte `i` (see [`pieces`]).
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
        const PARTS: [&str; 34] = [
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
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..state % 40 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(PARTS[(state % PARTS.len() as u64) as usize]);
            }
            let expected: Vec<_> = text.unicode_word_indices().collect();
            assert_eq!(words(&text).collect::<Vec<_>>(), expected, "{text:?}");
            let rebuilt: String = pieces(&text).map(|(_, p)| p).collect();
            assert_eq!(rebuilt, text);
        }
    }

    #[test]
    fn cjk_splits_into_ideographs() {
        let got: Vec<_> = words("我们今天开会").map(|(_, w)| w).collect();
        assert!(got.len() > 1);
    }
}
