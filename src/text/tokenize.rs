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
/// `unicode-segmentation` runs an ASCII-only fast path, some ten times
/// faster than its full state machine, but only when the whole string is
/// ASCII: one curly quote in a news story sends all of it down the slow path
/// (4.7 KB of the wire story: 4 µs as ASCII, 60 µs as written). So the text
/// is cut into [`pieces`] at spaces that cannot be inside a word, and each
/// piece is segmented on its own: ASCII pieces take the fast path, and only
/// the few words around non-ASCII characters take the slow one. The words
/// are exactly those of segmenting the whole text (tested below).
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    pieces(text).flat_map(|(start, piece)| {
        piece
            .unicode_word_indices()
            .map(move |(offset, word)| (start + offset, word))
    })
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
        const PARTS: [&str; 24] = [
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
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..3000 {
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
