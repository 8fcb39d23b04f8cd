//! Rule 1, lines: the text is cut into blocks that no sentence crosses,
//! before any terminator is looked at. A block ends at a blank line, before
//! a list item and after a heading; any other line break is white space.
//! These rules look at whole lines (their length, first and last chars, and
//! the width of the paragraph they are in), never inside a sentence, so
//! they stand apart from the terminator scan that runs on each block.

use std::ops::Range;

use super::lists::BULLETS;
use super::terminators::{is_closer, is_opener, is_terminator};
use super::{char_in, is_space, slice, trim};

/// Lines at least this long are not headings.
const MAX_HEADING_CHARS: usize = 80;

/// Smallest line width assumed for hard-wrapped text, so that a short block
/// (a title over a byline) is not mistaken for a narrow wrapped paragraph.
const MIN_WRAP_WIDTH: usize = 60;

/// One line of the text: its trimmed content and its length in chars.
#[derive(Debug, Clone)]
struct Line {
    /// Trimmed byte range; empty for a blank line.
    span: Range<usize>,
    /// Number of chars in `span`.
    chars: usize,
}

impl Line {
    /// The line at `raw`, trimmed.
    fn new(text: &str, raw: Range<usize>) -> Self {
        let span = trim(text, raw);
        let chars = slice(text, &span).chars().count();
        Self { span, chars }
    }

    /// Whether the line holds only white space.
    fn is_blank(&self) -> bool {
        self.span.is_empty()
    }

    /// The line's content.
    fn text<'t>(&self, text: &'t str) -> &'t str {
        slice(text, &self.span)
    }
}

/// Splits `text` into lines at any line terminator ("\r\n" counts once).
fn lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut at = 0;
    // Bytes, not chars: one table lookup skips a byte that cannot start a
    // line terminator, and a char is decoded only at a lead byte that can.
    while at < bytes.len() {
        if !LINE_END_STARTS[usize::from(bytes[at])] {
            at += 1;
            continue;
        }
        let (ends_line, len) = match bytes[at] {
            b'\n' | 0x0B | 0x0C => (true, 1),
            b'\r' => (bytes.get(at + 1) != Some(&b'\n'), 1),
            _ => match char_in(text, at, text.len()) {
                Some(c @ ('\u{85}' | '\u{2028}' | '\u{2029}')) => (true, c.len_utf8()),
                Some(c) => (false, c.len_utf8()),
                None => (false, 1),
            },
        };
        if ends_line {
            lines.push(Line::new(text, start..at));
            start = at + len;
        }
        at += len;
    }
    lines.push(Line::new(text, start..text.len()));
    lines
}

/// The bytes a line terminator can start with: `\n`, `\v`, `\f`, `\r`, and
/// the lead bytes of U+0085 (`C2`) and of U+2028 and U+2029 (`E2`). No
/// continuation byte is either lead byte, so a scan byte by byte finds
/// them on char boundaries.
static LINE_END_STARTS: [bool; 256] = {
    let mut starts = [false; 256];
    let mut b = 0x0A;
    while b <= 0x0D {
        starts[b] = true;
        b += 1;
    }
    starts[0xC2] = true;
    starts[0xE2] = true;
    starts
};

/// Cuts `text` into blocks that no sentence crosses (rule 1): paragraphs
/// between blank lines, further cut before list items and after headings.
pub(super) fn blocks(text: &str) -> Vec<Range<usize>> {
    let lines = lines(text);
    let mut blocks = Vec::new();
    let mut rest = lines.as_slice();
    while let Some(first) = rest.iter().position(|line| !line.is_blank()) {
        let tail = rest.get(first..).unwrap_or_default();
        let len = tail.iter().position(Line::is_blank).unwrap_or(tail.len());
        let (run, after) = tail.split_at(len);
        split_run(text, run, &mut blocks);
        rest = after;
    }
    blocks
}

/// Cuts one run of non-blank lines at its hard line breaks.
fn split_run(text: &str, run: &[Line], blocks: &mut Vec<Range<usize>>) {
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return;
    };
    let width = run
        .iter()
        .map(|line| line.chars)
        .fold(MIN_WRAP_WIDTH, usize::max);
    let mut start = first.span.start;
    for pair in run.windows(2) {
        if let [line, next] = pair
            && is_hard_line_break(text, line, next, width)
        {
            blocks.push(start..line.span.end);
            start = next.span.start;
        }
    }
    blocks.push(start..last.span.end);
}

/// Whether the line break between `line` and `next` ends a sentence.
fn is_hard_line_break(text: &str, line: &Line, next: &Line, width: usize) -> bool {
    let next_text = next.text(text);
    starts_with_list_marker(next_text) || is_heading(text, line, next_text, width)
}

/// Whether `line` opens with a bullet, "1." / "12)" or "a)", then a space.
fn starts_with_list_marker(line: &str) -> bool {
    let mut chars = line.chars();
    match chars.next() {
        Some(c) if BULLETS.contains(&c) => chars.next().is_some_and(is_space),
        Some(c) if c.is_ascii_digit() => {
            let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
            let digits = line.len() - rest.len();
            let mut rest = rest.chars();
            digits <= 3
                && matches!(rest.next(), Some('.' | ')'))
                && rest.next().is_some_and(is_space)
        }
        Some(c) if c.is_ascii_alphabetic() => {
            chars.next() == Some(')') && chars.next().is_some_and(is_space)
        }
        _ => false,
    }
}

/// Whether `line` is a heading-like line that ends its sentence although it
/// has no final punctuation: short, not ending in punctuation that ends or
/// continues a sentence, followed by a line that starts like a sentence, and
/// broken on purpose: the next line's first word would have fitted within
/// the run's width, which a hard-wrapped line's would not.
fn is_heading(text: &str, line: &Line, next: &str, width: usize) -> bool {
    let first_word = next
        .chars()
        .take_while(|&c| !is_space(c))
        .take(MAX_HEADING_CHARS)
        .count();
    line.chars < MAX_HEADING_CHARS
        && !ends_with_punctuation(line.text(text))
        && starts_like_sentence(next)
        && line.chars + 1 + first_word <= width
}

/// Whether `line`, closing quotes aside, ends in a terminator or in
/// punctuation that announces more (",", ";", ":").
fn ends_with_punctuation(line: &str) -> bool {
    line.trim_end_matches(is_closer)
        .chars()
        .next_back()
        .is_some_and(|c| {
            is_terminator(c) || matches!(c, ',' | ';' | ':' | '，' | '；' | '：' | '、')
        })
}

/// Whether `line` starts like a sentence: not lowercase, and a letter, digit
/// or opening quote or bracket.
fn starts_like_sentence(line: &str) -> bool {
    line.chars()
        .next()
        .is_some_and(|c| !c.is_lowercase() && (c.is_alphanumeric() || is_opener(c)))
}
