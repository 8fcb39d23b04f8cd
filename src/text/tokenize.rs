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
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.unicode_word_indices()
}

/// The normal form of a word: compatibility-normalised (NFKC, so full-width
/// letters and ligatures match their plain forms), case-folded, with
/// typographic apostrophes made plain so that "Libya’s" and "Libya's" stem
/// alike.
pub fn fold(word: &str) -> String {
    // ASCII is already in NFKC and has no apostrophe variants to map.
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(word.len());
    for c in word.nfkc() {
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{FF07}' => out.push('\''),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
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
    }

    #[test]
    fn cjk_splits_into_ideographs() {
        let got: Vec<_> = words("我们今天开会").map(|(_, w)| w).collect();
        assert!(got.len() > 1);
    }
}
