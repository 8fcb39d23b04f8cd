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

/// Converts byte ranges of one text into `(offset, length)` in a unit.
///
/// Conversions are cheapest in increasing order of position: the mapper
/// remembers where it stopped and counts on from there, so converting every
/// sentence of a document costs one pass over the text, not one per sentence.
/// Going backwards restarts the count from the beginning, which is correct,
/// only slower.
#[derive(Debug)]
pub struct OffsetMapper<'a> {
    text: &'a str,
    unit: OffsetUnit,
    /// Byte position of the last conversion.
    byte: usize,
    /// The same position in `unit`.
    units: usize,
}

impl<'a> OffsetMapper<'a> {
    /// A mapper for `text` in `unit`.
    pub fn new(text: &'a str, unit: OffsetUnit) -> Self {
        Self {
            text,
            unit,
            byte: 0,
            units: 0,
        }
    }

    /// `(offset, length)` of the byte range `span` in the mapper's unit.
    /// `span` must lie on character boundaries of the text, as every span
    /// the pipeline produces does; a span that does not is clamped to the
    /// nearest boundary below rather than panicking.
    pub fn map(&mut self, span: &Range<usize>) -> (usize, usize) {
        if self.unit == OffsetUnit::Utf8Byte {
            return (span.start, span.end.saturating_sub(span.start));
        }
        let start = floor_boundary(self.text, span.start);
        let end = floor_boundary(self.text, span.end).max(start);
        if start < self.byte {
            self.byte = 0;
            self.units = 0;
        }
        self.units += self.unit.len(&self.text[self.byte..start]);
        self.byte = start;
        (self.units, self.unit.len(&self.text[start..end]))
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
        let mut bytes = OffsetMapper::new(TEXT, OffsetUnit::Utf8Byte);
        let mut cps = OffsetMapper::new(TEXT, OffsetUnit::CodePoint);
        let mut u16s = OffsetMapper::new(TEXT, OffsetUnit::Utf16CodeUnit);
        for span in &spans {
            let want = &TEXT[span.clone()];
            let (o, l) = bytes.map(span);
            assert_eq!(&TEXT[o..o + l], want);
            let (o, l) = cps.map(span);
            assert_eq!(slice_code_points(TEXT, o, l), want);
            let (o, l) = u16s.map(span);
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
    fn out_of_order_and_bad_spans_do_not_panic() {
        let mut m = OffsetMapper::new(TEXT, OffsetUnit::CodePoint);
        let late = m.map(&(10..12));
        let early = m.map(&(0..5));
        assert_eq!(early, (0, 4));
        assert_eq!(m.map(&(10..12)), late);
        // 4 is inside the two-byte 'é'; clamped, not a panic.
        let _ = m.map(&(4..1000));
    }
}
