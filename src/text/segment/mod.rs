//! Sentence segmentation for news and web text.
//!
//! # Why hand-written
//!
//! Unicode's sentence boundaries (UAX #29, as `unicode-segmentation`'s
//! `split_sentence_bound_indices` implements them) are the wrong tool for
//! news copy: they break after "Mr." and inside "U.S. President", they run a
//! headline without final punctuation into the paragraph after it, and they
//! cannot split "…from Europe.IS has taken…", where a republished wire story
//! lost the space after a full stop. Statistical segmenters such as Punkt
//! need training data per language and return strings rather than offsets,
//! while every caller here needs byte ranges into the original text. So this
//! module is a small rule set over one linear scan, with no regex and no
//! allocation per character.
//!
//! # Rules
//!
//! 1. **Lines.** The text is first cut into blocks at line level. A blank
//!    line always ends a sentence. A single line break ends one when the next
//!    line starts with a list marker (`-`, `*`, `•`, `–`, `—`, `1.`, `1)`,
//!    `a)`), or when the line before it looks like a heading: short, without
//!    final punctuation, followed by a line starting like a sentence, and
//!    ended on purpose (the next line's first word would have fitted on it,
//!    which tells a heading from a hard-wrapped paragraph line). Any other
//!    line break is white space. A block that opens with a list marker
//!    (`1.`, `1)`, `1.)`, `a.`, `a)`, after an optional bullet) is cut
//!    before each later marker that continues its sequence ("1) flour 2)
//!    eggs", "• 9. First • 10. Second"), outside brackets and with a word in
//!    between.
//! 2. **Terminators.** Inside a block, `.` `!` `?` `…` (and runs like `?!` or
//!    `...`) end a sentence when followed by white space and then, past any
//!    opening quotes or brackets, something that is not a lowercase letter
//!    or continuing punctuation ("Yahoo! said", "prevented… we" do not
//!    break). Closing quotes and brackets after a terminator belong to the
//!    sentence that ends. CJK `。！？｡`, Arabic `؟` `۔` and Devanagari `।` `॥`
//!    (scripts without case) always end a sentence, space or not.
//!    Ellipses: the spaced ". . ." does not end a sentence before the pronoun
//!    "I" nor at a sentence's start; four dots after a word ("here. . . .
//!    Next") are a full stop and an ellipsis that opens the next sentence;
//!    "[...]" inside a quotation ends nothing.
//! 3. **Abbreviations** (a single `.` after a token, compared ASCII
//!    case-insensitively): capitalised titles (Mr, Dr, Gen, St, …) never end
//!    a sentence; months and "No", "Nos", "N°" do not before a digit; other
//!    abbreviations (Inc, etc, vs, Jr, …), dotted acronyms (U.S., e.g., a.m.,
//!    Ph.D.) and single-letter initials end one only when the next word is
//!    capitalised and a common sentence opener ("in the U.S. The president"
//!    breaks, "the U.S. President" does not), and not before a title after
//!    a short opening phrase ("At 5 a.m. Mr. Smith went"). "I" after a
//!    lowercase word other than a preposition is the pronoun and ends a
//!    sentence ("you and I. Did"). A number of up to three digits or a
//!    lowercase letter opening a sentence labels a list item ("1. First",
//!    "a. First").
//! 4. **Missing space.** A single `.` directly followed by an uppercase
//!    letter ends a sentence when the word before it is a plain word of three
//!    or more letters ending in lowercase and not an abbreviation
//!    ("Europe.IS"), and neither side looks like an address ("www.Example.com",
//!    "John.Smith@x.org"). A `.` directly followed by a digit or a lowercase
//!    letter never ends one ("3.5", "example.com", "node.js").
//! 5. **Results** are trimmed of white space; spans without any alphanumeric
//!    character (a lone "–", "***") are dropped. Everything else, however
//!    long, stays one sentence.
//!
//! # Layout
//!
//! This file holds the public entry points and the span helpers every rule
//! shares. `lines.rs` cuts the text into blocks (rule 1), `lists.rs` cuts
//! a block at its inline list items (rule 1 too), `terminators.rs`
//! scans each block for terminator runs and judges them (rules 2, 4 and
//! 5), and `abbreviations.rs` judges the word before a single full stop
//! (rule 3). `tests.rs` tests the whole segmenter through [`sentences`].

use std::ops::Range;

use crate::deadline::Deadline;

mod abbreviations;
mod lines;
mod lists;
mod terminators;

use lines::blocks;
use terminators::split_block;

/// Byte ranges of the sentences of `text`, in order, non-overlapping.
///
/// Every range is non-empty, on character boundaries, trimmed of white space
/// and holds at least one alphanumeric character. Runs in linear time and
/// never panics.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    sentences_until(text, Deadline::NONE)
}

/// [`sentences`], stopping (with the sentences found so far) once
/// `deadline` passes; see [`crate::deadline`].
pub fn sentences_until(text: &str, deadline: Deadline) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (round, block) in blocks(text).into_iter().enumerate() {
        if deadline.expired_at_round(round) {
            break;
        }
        lists::for_each_item(text, block, |item| split_block(text, item, &mut out));
    }
    out
}

/// `range` without leading and trailing white space.
fn trim(text: &str, range: Range<usize>) -> Range<usize> {
    let s = slice(text, &range);
    let start = range.start + (s.len() - s.trim_start_matches(is_space).len());
    let end = range.start + s.trim_end_matches(is_space).len();
    if start < end {
        start..end
    } else {
        start..start
    }
}

/// The char at `pos`, if `pos` is before `end`.
fn char_in(text: &str, pos: usize, end: usize) -> Option<char> {
    text.get(pos..end)?.chars().next()
}

/// `text[range]`, or "" for a range that is not valid (never happens: every
/// range here comes from char offsets).
fn slice<'t>(text: &'t str, range: &Range<usize>) -> &'t str {
    text.get(range.clone()).unwrap_or("")
}

/// White space, plus the invisible byte-order mark and zero-width space that
/// web text carries at line starts.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}' || c == '\u{200B}'
}

#[cfg(test)]
mod tests;
