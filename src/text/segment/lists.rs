//! Inline lists: items written one after another inside one block, with no
//! line break between them ("1) flour 2) eggs", "a. The first b. The
//! second", "• 9. First • 10. Second"). An item need not end in a
//! terminator, so the terminator scan cannot find where it ends, and the
//! number of the next item would otherwise end the item before it ("item
//! 2." read as "in 2011."). A block that opens with a list marker is cut
//! before each later marker that continues its sequence: the next number,
//! or the next letter of the same case, with a word in between. Requiring
//! the sequence keeps ordinary text whole: a stray "3." or "b)" inside a
//! paragraph is not the item after the block's first. Lines that open with
//! a marker are cut in [`lines`](super::lines) already; this handles
//! markers met mid-line.

use std::ops::Range;

use super::{is_space, slice};

/// Bullets: they open a list item when followed by white space at a line's
/// start, and may stand before an inline list marker, glued or spaced ("•
/// 9.", "⁃9.").
pub(super) const BULLETS: &[char] = &['-', '*', '•', '–', '—', '‣', '◦', '▪', '·', '⁃'];

/// Most digits in a list number: longer numbers are years or amounts.
const MAX_LIST_DIGITS: usize = 3;

/// The label of a list item: its number, or its letter with its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Number(u32),
    Letter(u8),
}

impl Label {
    /// The label of the item after this one.
    fn next(self) -> Option<Self> {
        match self {
            Self::Number(n) => Some(Self::Number(n + 1)),
            Self::Letter(b'z' | b'Z') => None,
            Self::Letter(b) => Some(Self::Letter(b + 1)),
        }
    }
}

/// The list marker at the start of `s`, if there is one, with its length
/// in bytes: an optional bullet, then up to three digits or one ASCII
/// letter, then ".", ")" or ".)", then white space (not counted). A letter
/// with "." must be lowercase: "A." and "B." are far more often initials
/// than items.
fn marker(s: &str) -> Option<(Label, usize)> {
    let bytes = s.as_bytes();
    if bytes.first()?.is_ascii_alphabetic() && !matches!(bytes.get(1), Some(b'.' | b')')) {
        // A word: what almost every block opens with, told apart cheaply.
        return None;
    }
    let body = s
        .strip_prefix(|c: char| BULLETS.contains(&c))
        .map_or(s, |rest| rest.trim_start_matches(is_space));
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    let (label, rest) = if digits > 0 {
        if digits > MAX_LIST_DIGITS {
            return None;
        }
        (
            Label::Number(body.get(..digits)?.parse().ok()?),
            body.get(digits..)?,
        )
    } else {
        let letter = *body.as_bytes().first()?;
        if !letter.is_ascii_alphabetic() {
            return None;
        }
        (Label::Letter(letter), body.get(1..)?)
    };
    let after = if let Some(after) = rest.strip_prefix(".)") {
        after
    } else if let Some(after) = rest.strip_prefix(')') {
        after
    } else {
        let after = rest.strip_prefix('.')?;
        if matches!(label, Label::Letter(b) if b.is_ascii_uppercase()) {
            return None;
        }
        after
    };
    after
        .starts_with(is_space)
        .then_some((label, s.len() - after.len()))
}

/// Cuts `block` before each inline list item that continues the list its
/// first item opens, and hands each item to `each` in order; a block that
/// does not open with a marker is handed over whole, with no allocation.
/// Linear: each position after white space is tried once, and a marker is
/// read in a bounded number of bytes.
pub(super) fn for_each_item(text: &str, block: Range<usize>, mut each: impl FnMut(Range<usize>)) {
    let body = slice(text, &block);
    let Some((first, first_len)) = marker(body) else {
        each(block);
        return;
    };
    let mut expected = first.next();
    let mut item_start = block.start;
    // Whether the current item has a word yet: "a. b. c." has none between
    // its letters, so it is not a list.
    let mut has_word = false;
    // Parentheses open in the current item: the ")" of "(also known as
    // Pioneer 13)" closes one and marks no item.
    let mut open_parens = 0_usize;
    let mut after_space = false;
    let mut skip_to = first_len;
    for (at, c) in body.char_indices() {
        if at < skip_to {
            continue;
        }
        if after_space
            && has_word
            && open_parens == 0
            && let Some((label, len)) = body.get(at..).and_then(marker)
            && Some(label) == expected
        {
            each(item_start..block.start + at);
            item_start = block.start + at;
            expected = label.next();
            has_word = false;
            after_space = false;
            skip_to = at + len;
            continue;
        }
        has_word |= c.is_alphabetic();
        match c {
            '(' => open_parens += 1,
            ')' => open_parens = open_parens.saturating_sub(1),
            _ => {}
        }
        after_space = is_space(c);
    }
    each(item_start..block.end);
}
