//! Line analysis: where a sentence sits among the text's lines, at a
//! line's start, at its end, or as a paragraph of its own. The rules for
//! headings and datelines and the one for agency captions read this, not
//! the sentence's words.

use std::ops::Range;

/// Where a sentence sits among the text's lines.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    /// Only white space between the line's start (or the text's) and the
    /// sentence.
    pub(super) starts: bool,
    /// Only white space between the sentence and the line's end (or the
    /// text's).
    pub(super) ends: bool,
    /// The sentence is a paragraph of its own: blank lines (or the text's
    /// ends) on both sides.
    pub(super) paragraph: bool,
}

impl Line {
    pub(super) fn of(text: &str, span: &Range<usize>) -> Self {
        let before = &text[..span.start];
        let after = &text[span.end..];
        let text_before = before.trim_end();
        let text_after = after.trim_start();
        // The white space between the sentence and its neighbours.
        let gap_before = &before[text_before.len()..];
        let gap_after = &after[..after.len() - text_after.len()];
        let breaks = |gap: &str| {
            // "\r\n" is one break.
            if gap.is_ascii() {
                // Most gaps: a space or two line feeds.
                let bytes = gap.as_bytes();
                return bytes
                    .iter()
                    .enumerate()
                    .filter(|&(i, &b)| {
                        matches!(b, b'\n' | 0x0B | 0x0C)
                            || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
                    })
                    .count();
            }
            let mut chars = gap.chars().peekable();
            let mut count = 0;
            while let Some(c) = chars.next() {
                if is_line_break(c) && !(c == '\r' && chars.peek() == Some(&'\n')) {
                    count += 1;
                }
            }
            count
        };
        // The text's ends count as the breaks of a paragraph.
        let count = |text: &str, gap: &str| if text.is_empty() { 2 } else { breaks(gap) };
        let (before_breaks, after_breaks) =
            (count(text_before, gap_before), count(text_after, gap_after));
        Self {
            starts: before_breaks > 0,
            ends: after_breaks > 0,
            paragraph: before_breaks >= 2 && after_breaks >= 2,
        }
    }
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crlf_is_one_line_break_and_unicode_separators_count() {
        let text = "Head\r\nBody one.\r\n\r\nTail\u{2029}\u{2029}End";
        let head = Line::of(text, &(0..4));
        assert!(head.starts && head.ends && !head.paragraph, "{head:?}");
        let body = Line::of(text, &(6..15));
        assert!(body.starts && body.ends && !body.paragraph, "{body:?}");
        let tail = Line::of(text, &(19..23));
        assert!(tail.paragraph, "{tail:?}");
    }
}
