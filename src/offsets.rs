//! Offsets in the unit each client indexes its strings by.
//!
//! The core works in UTF-8 byte ranges. Go and Rust slice by bytes, Python by
//! code points, Java, JavaScript and C# by UTF-16 code units; a response
//! gives offsets in the unit the client asked for, so that it can slice its
//! own string without converting.

use std::ops::Range;

/// How offsets and lengths are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OffsetUnit {
    /// UTF-8 bytes.
    #[default]
    Utf8Byte,
    /// Unicode scalar values (code points).
    CodePoint,
    /// UTF-16 code units (a code point above U+FFFF counts 2).
    Utf16CodeUnit,
}

impl OffsetUnit {
    /// Length of `s` in this unit.
    pub fn len(self, s: &str) -> usize {
        match self {
            OffsetUnit::Utf8Byte => s.len(),
            OffsetUnit::CodePoint => s.chars().count(),
            OffsetUnit::Utf16CodeUnit => s.chars().map(char::len_utf16).sum(),
        }
    }
}

/// Converts byte positions of one text into a unit.
///
/// Built once per text with the positions the caller will ask about most
/// (sentence starts, in order): their counts in the unit are computed in one
/// pass over the text. Any other position is then counted from the nearest
/// mark before it, so converting every sentence and every word of a long
/// document stays linear in its length instead of quadratic.
#[derive(Debug)]
pub struct OffsetIndex<'a> {
    text: &'a str,
    unit: OffsetUnit,
    /// `(byte position, position in unit)`, sorted, starting at `(0, 0)`.
    marks: Vec<(usize, usize)>,
}

impl<'a> OffsetIndex<'a> {
    /// An index of `text` in `unit`, with marks at `positions` (byte
    /// positions in increasing order; others are ignored).
    pub fn new(
        text: &'a str,
        unit: OffsetUnit,
        positions: impl IntoIterator<Item = usize>,
    ) -> Self {
        let mut marks = vec![(0, 0)];
        if unit != OffsetUnit::Utf8Byte {
            for position in positions {
                let (last_byte, last_units) = marks[marks.len() - 1];
                let byte = floor_boundary(text, position);
                if byte > last_byte {
                    marks.push((byte, last_units + unit.len(&text[last_byte..byte])));
                }
            }
        }
        Self { text, unit, marks }
    }

    /// The position of byte `byte` in the unit. A position inside a
    /// character counts as that character's start rather than panicking.
    pub fn offset(&self, byte: usize) -> usize {
        if self.unit == OffsetUnit::Utf8Byte {
            return byte;
        }
        let byte = floor_boundary(self.text, byte);
        let i = self.marks.partition_point(|&(b, _)| b <= byte) - 1;
        let (mark_byte, mark_units) = self.marks[i];
        mark_units + self.unit.len(&self.text[mark_byte..byte])
    }

    /// `(offset, length)` of the byte range `span` in the unit.
    pub fn span(&self, span: &Range<usize>) -> (usize, usize) {
        let start = self.offset(span.start);
        (start, self.offset(span.end.max(span.start)) - start)
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Café 👩‍👩‍👧 naïve. 日本語です。Ok";

    fn slice_code_points(s: &str, offset: usize, len: usize) -> String {
        s.chars().skip(offset).take(len).collect()
    }

    fn slice_utf16(s: &str, offset: usize, len: usize) -> String {
        let units: Vec<u16> = s.encode_utf16().collect();
        String::from_utf16(&units[offset..offset + len]).unwrap()
    }

    #[test]
    fn every_unit_slices_the_same_text() {
        let spans: Vec<Range<usize>> = {
            let a = TEXT.find("naïve").unwrap();
            let b = TEXT.find("日本").unwrap();
            let c = TEXT.find("Ok").unwrap();
            vec![0..5, a..a + "naïve.".len(), b..c, c..TEXT.len()]
        };
        // Marks at some span starts only: the others count from a mark.
        let marks = || spans.iter().step_by(2).map(|s| s.start);
        let bytes = OffsetIndex::new(TEXT, OffsetUnit::Utf8Byte, marks());
        let cps = OffsetIndex::new(TEXT, OffsetUnit::CodePoint, marks());
        let u16s = OffsetIndex::new(TEXT, OffsetUnit::Utf16CodeUnit, marks());
        for span in spans.iter().rev() {
            let want = &TEXT[span.clone()];
            let (o, l) = bytes.span(span);
            assert_eq!(&TEXT[o..o + l], want);
            let (o, l) = cps.span(span);
            assert_eq!(slice_code_points(TEXT, o, l), want);
            let (o, l) = u16s.span(span);
            assert_eq!(slice_utf16(TEXT, o, l), want);
        }
    }

    #[test]
    fn units_differ_on_non_ascii() {
        let s = "é👍";
        assert_eq!(OffsetUnit::Utf8Byte.len(s), 6);
        assert_eq!(OffsetUnit::CodePoint.len(s), 2);
        assert_eq!(OffsetUnit::Utf16CodeUnit.len(s), 3);
    }

    #[test]
    fn unsorted_marks_and_bad_spans_do_not_panic() {
        let m = OffsetIndex::new(TEXT, OffsetUnit::CodePoint, [12, 3, 4, 9999]);
        assert_eq!(m.span(&(0..5)), (0, 4));
        // 4 is inside the two-byte 'é'; clamped, not a panic.
        let (_, len) = m.span(&(4..1000));
        assert_eq!(len, TEXT.chars().count() - 3);
        let reversed = Range { start: 8, end: 2 };
        assert_eq!(m.span(&reversed).1, 0);
    }
}
