//! Rules 2, 4 and 5, inside one block: the scan for terminator runs
//! (`.` `!` `?` `…`, runs of them, and the terminators of scripts without
//! case), the closing quotes and brackets that stay with the sentence a run
//! ends, what must follow a run for it to end a sentence (white space and
//! no lowercase continuation, or a capital glued to a full stop that is not
//! an address), and the trimming of each sentence found. Whether a single
//! full stop after a word is an abbreviation's is judged in
//! [`abbreviations`](super::abbreviations).

use std::ops::Range;

use super::abbreviations::{dot_ends_sentence, is_abbreviation, token_before};
use super::{char_in, is_space, slice, trim};

/// Terminators of cased scripts: they end a sentence only when what follows
/// allows it (rule 2).
const SOFT_TERMINATORS: &[char] = &['.', '!', '?', '…', '‼', '⁇', '⁈', '⁉'];

/// Terminators of scripts without letter case (CJK, Arabic, Devanagari,
/// Ethiopic, Myanmar): nothing after them can say "this continues", and CJK
/// text puts no space after them, so they always end a sentence.
const HARD_TERMINATORS: &[char] = &['。', '！', '？', '｡', '؟', '۔', '।', '॥', '።', '။'];

/// Closing quotes and brackets that stay with the sentence a terminator ends.
const CLOSERS: &[char] = &[
    '"', '\'', '”', '’', '»', '›', ')', ']', '}', '」', '』', '）', '］', '｝', '〕', '》', '〉',
    '】', '〞', '＂', '＇',
];

/// Opening quotes and brackets skipped when looking at how the next sentence
/// starts.
const OPENERS: &[char] = &[
    '"', '\'', '“', '‘', '„', '‚', '«', '‹', '(', '[', '{', '¿', '¡', '「', '『', '（', '［', '｛',
    '〔', '《', '〈', '【', '〝', '＂', '＇',
];

/// Punctuation that cannot open a sentence, so a terminator before it is not
/// final (spaced ellipses ". . .", "etc. ,").
const CONTINUATION: &[char] = &[
    ',', ';', ':', '.', '…', '!', '?', '%', ')', ']', '}', '，', '、', '；', '：',
];

/// How far past a missing-space full stop to look for signs of an address.
const MAX_ADDRESS_BYTES: usize = 64;

/// A terminator run found inside a block, with what is needed to judge it.
pub(super) struct Candidate<'t> {
    /// The whole text.
    pub(super) text: &'t str,
    /// End of the block the run is in.
    pub(super) block_end: usize,
    /// Start of the sentence the run may end.
    pub(super) sentence_start: usize,
    /// Start of the terminator run.
    pub(super) start: usize,
    /// End of the terminator run.
    run_end: usize,
    /// End of the run and the closing quotes and brackets after it: where
    /// the sentence ends if it does.
    end: usize,
    /// Where to look for the start of the next sentence: `end`, except for
    /// a full stop before a spaced ellipsis, which opens the next sentence
    /// ("compounds. . . . The practice").
    look_from: usize,
}

impl Candidate<'_> {
    /// The first alphanumeric char of the sentence before the run.
    pub(super) fn first_alnum(&self) -> Option<usize> {
        let before = slice(self.text, &(self.sentence_start..self.start));
        before
            .char_indices()
            .find(|&(_, c)| c.is_alphanumeric())
            .map(|(at, _)| self.sentence_start + at)
    }
}

/// Splits one block at its terminators (rules 2 to 4) and pushes the
/// sentences to `out`.
pub(super) fn split_block(text: &str, block: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut sentence_start = block.start;
    let mut pos = block.start;
    while let Some(start) = next_terminator(text, pos, block.end) {
        let (run_end, look_from) = run_at(text, block.clone(), start);
        let end = skip_while(text, run_end, block.end, is_closer);
        let candidate = Candidate {
            text,
            block_end: block.end,
            sentence_start,
            start,
            run_end,
            end,
            look_from: look_from.unwrap_or(end),
        };
        if ends_sentence(&candidate) {
            push_sentence(text, sentence_start..end, out);
            sentence_start = end;
        }
        pos = end;
    }
    push_sentence(text, sentence_start..block.end, out);
}

/// The end of the terminator run at `start`, and, for a full stop that a
/// spaced ellipsis follows, the end of that ellipsis.
///
/// Dots separated by single spaces (". . .", the formal ellipsis) are one
/// run. Four of them right after a word ("compounds. . . .") are a full
/// stop and an ellipsis: the stop alone is the run when white space and
/// more text follow (the ellipsis then opens the next sentence, marking an
/// omission at its start), and all four when the ellipsis closes the
/// block, a quote, or leads to a price ("DISCOUNT. . . .$13").
fn run_at(text: &str, block: Range<usize>, start: usize) -> (usize, Option<usize>) {
    let (dots_end, dots) = spaced_dots(text, start, block.end);
    if dots == 4
        && start > block.start
        && text
            .get(..start)
            .and_then(|before| before.chars().next_back())
            .is_some_and(|before| !is_space(before))
        && char_in(text, dots_end, block.end).is_some_and(is_space)
        && next_significant(text, dots_end, block.end).is_some()
    {
        return (start + 1, Some(dots_end));
    }
    if dots >= 3 {
        return (dots_end, None);
    }
    (skip_while(text, start, block.end, is_terminator), None)
}

/// The end of the dots separated by single spaces from `start`, and how
/// many there are (1 when `start` is not followed by " .").
fn spaced_dots(text: &str, start: usize, end: usize) -> (usize, usize) {
    let bytes = text.as_bytes().get(..end).unwrap_or_default();
    let mut at = start;
    let mut dots = 0;
    while bytes.get(at) == Some(&b'.') {
        dots += 1;
        at += 1;
        if bytes.get(at) != Some(&b' ') || bytes.get(at + 1) != Some(&b'.') {
            break;
        }
        at += 1;
    }
    (at, dots)
}

/// Where the next terminator at or after `from` (and before `end`) starts.
///
/// The hot loop of segmentation: it looks at bytes, not chars, skips every
/// byte that cannot start a terminator with one table lookup, and decodes a
/// char only at a non-ASCII lead byte, as only three ASCII bytes can
/// terminate a sentence (a table lookup costs less than a byte-by-byte
/// `match`).
fn next_terminator(text: &str, from: usize, end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let mut at = from;
    loop {
        while at < end && !TERMINATOR_STARTS[usize::from(bytes[at])] {
            at += 1;
        }
        if at >= end {
            return None;
        }
        if bytes[at].is_ascii() {
            return Some(at);
        }
        let c = char_in(text, at, end)?;
        if is_terminator(c) {
            return Some(at);
        }
        at += c.len_utf8();
    }
}

/// The bytes a terminator can start with: `.`, `!`, `?` and the lead
/// byte of any non-ASCII char (decoded and checked).
static TERMINATOR_STARTS: [bool; 256] = {
    let mut starts = [false; 256];
    starts[b'.' as usize] = true;
    starts[b'!' as usize] = true;
    starts[b'?' as usize] = true;
    let mut b = 0xC0;
    while b < 256 {
        starts[b] = true;
        b += 1;
    }
    starts
};

fn ends_sentence(c: &Candidate) -> bool {
    let run = slice(c.text, &(c.start..c.run_end));
    if run.chars().any(|ch| HARD_TERMINATORS.contains(&ch)) {
        return true;
    }
    if run == ". . ." {
        // The spaced ellipsis, the formal mark of an omission: at a
        // sentence's start (". . . The practice", after a full stop) it
        // stays with that sentence. Before a capital it ends the sentence
        // as any ellipsis does, except before the pronoun "I", which is
        // capitalised anywhere and so does not show that a sentence starts
        // ("the thing is . . . I didn't mean it").
        if c.first_alnum().is_none() || next_is_pronoun_i(c) {
            return false;
        }
    }
    if c.end > c.run_end && is_elision(c, run) {
        return false;
    }
    match char_in(c.text, c.end, c.block_end) {
        None => true,
        Some(next) if is_space(next) => spaced_break(c, run),
        Some(next) if next.is_uppercase() => missing_space_break(c, run),
        // A digit, a lowercase letter or other punctuation right after the
        // run: "3.5", "example.com", "Yahoo!'s".
        Some(_) => false,
    }
}

/// Whether the next word after the run is the pronoun "I" ("I", "I'm").
fn next_is_pronoun_i(c: &Candidate) -> bool {
    let rest = c.text.get(c.look_from..c.block_end).unwrap_or("");
    let mut chars = rest.trim_start_matches(is_space).chars();
    chars.next() == Some('I') && !chars.next().is_some_and(char::is_alphanumeric)
}

/// Whether the run is an ellipsis in brackets inside a quotation, as in
/// `stairways [...]" (Smith 55).`: an omission mark whose quotation goes on
/// to its closing quote, so the mark ends no sentence. Alone ("down. [...]
/// From", or a line of its own in a quoted e-mail) it is read as any
/// ellipsis.
fn is_elision(c: &Candidate, run: &str) -> bool {
    let before = c
        .text
        .get(..c.start)
        .and_then(|before| before.chars().next_back());
    let mut after = c.text.get(c.run_end..c.end).unwrap_or("").chars();
    let bracketed = matches!(
        (before, after.next()),
        (Some('['), Some(']')) | (Some('('), Some(')'))
    );
    run.chars().all(|ch| matches!(ch, '.' | '…')) && bracketed && after.next().is_some()
}

/// Rule 2 and 3: a run followed by white space ends the sentence unless what
/// comes next continues it, or the run is the dot of an abbreviation.
fn spaced_break(c: &Candidate, run: &str) -> bool {
    let Some((next_at, next)) = next_significant(c.text, c.look_from, c.block_end) else {
        return true;
    };
    if next.is_lowercase() || CONTINUATION.contains(&next) {
        return false;
    }
    if run != "." {
        return true;
    }
    dot_ends_sentence(c, next_at, next)
}

/// Rule 4: whether a single "." directly followed by an uppercase letter
/// ends the sentence, as in "from Europe.IS has". Only a full stop: "!" glued
/// to a capital is more often a brand ("Yahoo!News") than a lost space.
fn missing_space_break(c: &Candidate, run: &str) -> bool {
    if run != "." {
        return false;
    }
    let Some((_, raw)) = token_before(c.text, c.sentence_start, c.start) else {
        return false;
    };
    let token = raw.trim_start_matches(is_opener);
    let wordlike = token
        .chars()
        .all(|ch| ch.is_alphabetic() || matches!(ch, '-' | '\'' | '’'));
    let word = token
        .rsplit(|ch: char| !ch.is_alphabetic())
        .next()
        .unwrap_or("");
    wordlike
        && word.chars().nth(2).is_some()
        && word.chars().next_back().is_some_and(char::is_lowercase)
        && !is_abbreviation(word)
        && !looks_like_address(c.text, c.end, c.block_end)
}

/// Whether the token starting at `from` looks like part of an address (an
/// e-mail, a URL or a file name: "@", "/", ":" or an inner dot before a
/// letter or digit), or is too long to tell.
fn looks_like_address(text: &str, from: usize, end: usize) -> bool {
    let rest = text.get(from..end).unwrap_or("");
    let mut chars = rest.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        if is_space(ch) {
            return false;
        }
        if at >= MAX_ADDRESS_BYTES || matches!(ch, '@' | '/' | ':' | '\\') {
            return true;
        }
        if ch == '.'
            && chars
                .peek()
                .is_some_and(|&(_, after)| after.is_alphanumeric())
        {
            return true;
        }
    }
    false
}

/// The first char from `from` that is neither white space nor an opening
/// quote or bracket, with its offset.
fn next_significant(text: &str, from: usize, end: usize) -> Option<(usize, char)> {
    text.get(from..end)?
        .char_indices()
        .find(|&(_, c)| !is_space(c) && !is_opener(c))
        .map(|(at, c)| (from + at, c))
}

/// The offset of the first char from `from` that does not satisfy `keep`.
fn skip_while(text: &str, from: usize, end: usize, keep: fn(char) -> bool) -> usize {
    let rest = text.get(from..end).unwrap_or("");
    rest.char_indices()
        .find(|&(_, c)| !keep(c))
        .map_or(from + rest.len(), |(at, _)| from + at)
}

/// Pushes `range` trimmed, if it holds any alphanumeric char.
fn push_sentence(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let span = trim(text, range);
    if slice(text, &span).chars().any(char::is_alphanumeric) {
        out.push(span);
    }
}

/// Any sentence terminator.
pub(super) fn is_terminator(c: char) -> bool {
    SOFT_TERMINATORS.contains(&c) || HARD_TERMINATORS.contains(&c)
}

/// A closing quote or bracket.
pub(super) fn is_closer(c: char) -> bool {
    CLOSERS.contains(&c)
}

/// An opening quote or bracket.
pub(super) fn is_opener(c: char) -> bool {
    OPENERS.contains(&c)
}
