//! Web furniture: the parts of a page's text that are not the story.
//!
//! Text copied from a news page carries more than the article: a dateline
//! and outlet tag before the first sentence ("Libya (HRNW): Major powers
//! …"), the headline and subheads as lines of their own, photo captions,
//! bylines, and the comment box, share and subscribe lines after the end.
//! Centrality methods like them (a caption restates the story in one line),
//! and a summary must never show them. This module finds them, sentence by
//! sentence, from the text alone; it knows nothing about HTML.
//!
//! # What is furniture
//!
//! Each rule looks at one sentence as the segmenter cut it (its text, and
//! whether it stands on a line of its own), in this order:
//!
//! 1. **Page lines** ([`Furniture::Page`]): a sentence that is, or short
//!    and starting with, a known phrase of comment boxes, share and
//!    subscribe buttons and page chrome ("Leave a comment", "Your email
//!    address will not be published", "Share this article", "Follow us on
//!    Twitter", "Read more", "Advertisement", "All rights reserved"). The
//!    phrases are English ([`PAGE_LINES`], [`PAGE_PREFIXES`]).
//! 2. **Bylines** ([`Furniture::Byline`]): "By Jane Smith, Associated
//!    Press"; a short sentence made of "By" and names, or starting with
//!    "Published:", "Updated:", "Reporting by", ….
//! 3. **Captions** ([`Furniture::Caption`]): "Scroll down for video" and
//!    other caption openers ([`CAPTION_PREFIXES`]); a short label and a
//!    colon ("Dry season: the canal bed at Mirabel …", not "He said: …"); a
//!    photo direction in brackets ("(pictured)", "(left)", "(file photo)")
//!    in a sentence without final punctuation; and a one-sentence paragraph
//!    right under a heading with a date to the day, its year and a place
//!    ("… stand on a dry canal bed on June 3, 2021 in the town of …"),
//!    the form of agency photo captions.
//! 4. **Run-in captions** ([`Furniture::Caption`], trimmed): a web page's
//!    caption loses its line break and runs into the paragraph under it:
//!    "… along the dry canal near Mirabel A farmer has sued the board …". A
//!    lowercase word followed by "A", "An" or "The" and a lowercase word
//!    never happens inside a well-formed sentence; what comes before it (at
//!    least [`MIN_RUN_IN_WORDS`] words) is cut off, and the sentence keeps
//!    the rest. The same cut keeps the body sentence a caption of rules 3
//!    ran into.
//! 5. **Datelines** ([`Furniture::Dateline`], trimmed): at the start of a
//!    paragraph, an outlet tag with or without a place before it, "(CNN)",
//!    "Libya (HRNW):", "BEIRUT, Lebanon (AP) —", or a place in capitals and
//!    a dash, "WASHINGTON — "; and anywhere, a kicker label ("Breaking:",
//!    "Update:", [`KICKERS`]). The sentence keeps what follows.
//! 6. **Headings** ([`Furniture::Heading`]): a line of its own without
//!    final punctuation and at most [`MAX_HEADING_WORDS`] words: headlines,
//!    subheads ("– Race for Sirte –"), a headline repeated above the text.
//!    Headings are removed only when the text has other sentences left, so
//!    a one-line text without a full stop is still summarized.
//!
//! A trimmed sentence keeps its end and starts where the furniture stops,
//! so its span still indexes the original text.
//!
//! # Cost
//!
//! Every rule reads at most a sentence's own text once, so detection is
//! linear in the text's length. And since nearly every sentence of a text
//! is story, the rules are written so that a story sentence is not read
//! once per rule: the phrase lists are indexed by their first bytes, a
//! run-in cut is looked for only at the capitals "A" and "T" after a space
//! and a dated caption only around a year's digits (both found by SIMD
//! byte searches), a dateline only in the first 64 bytes of a line, and
//! words are counted only where a length limit decides. Furniture removal
//! thus costs a small fraction of the analysis it follows (see the
//! instruction counts in `docs/performance.md`).

use std::ops::Range;

mod lines;
mod phrases;
mod rules;

use lines::Line;
use phrases::{
    BYLINE_PREFIX_PHRASES, CAPTION_PREFIX_PHRASES, PAGE_LINE_PHRASES, PAGE_PREFIX_PHRASES, bare,
};
pub use phrases::{
    BYLINE_PREFIXES, CAPTION_PREFIXES, KICKERS, PAGE_LINES, PAGE_PREFIXES, PHOTO_DIRECTIONS,
};
pub use rules::{MAX_LABEL_WORDS, MIN_RUN_IN_WORDS};
use rules::{
    dateline_end, ends_with_terminator, has_photo_direction, is_byline, is_dated_caption,
    label_end, run_in_cut,
};

/// The kinds of furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Furniture {
    /// Comment boxes, share and subscribe lines, page chrome.
    Page,
    /// "By Jane Smith", "Published: …".
    Byline,
    /// Photo and video captions.
    Caption,
    /// Place and outlet tags before the first words of a story.
    Dateline,
    /// Headlines and subheads standing as lines of their own.
    Heading,
}

/// What becomes of one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The sentence is text of the story.
    Keep,
    /// Furniture ran into the sentence: the story's text is the byte range
    /// given (the same end, a later start).
    Trim(Range<usize>, Furniture),
    /// The whole sentence is furniture.
    Remove(Furniture),
}

impl Verdict {
    /// The part of the sentence at `span` that is story text, if any.
    pub fn kept(&self, span: &Range<usize>) -> Option<Range<usize>> {
        match self {
            Verdict::Keep => Some(span.clone()),
            Verdict::Trim(kept, _) => Some(kept.clone()),
            Verdict::Remove(_) => None,
        }
    }
}

/// Longest page, byline and caption-opener lines, in words: a longer
/// sentence starting like one is taken as text.
pub const MAX_PAGE_LINE_WORDS: usize = 25;

/// Longest heading, in words.
pub const MAX_HEADING_WORDS: usize = 20;

/// The verdict on every sentence of `text` (`spans` as the segmenter cut
/// them, in order).
pub fn detect<'s>(text: &str, spans: impl IntoIterator<Item = &'s Range<usize>>) -> Vec<Verdict> {
    let spans = spans.into_iter();
    let mut verdicts: Vec<Verdict> = Vec::with_capacity(spans.size_hint().0);
    // Whether the line before is a heading: agency captions sit under the
    // headline.
    let mut after_heading = false;
    for span in spans {
        let sentence = &text[span.clone()];
        let line = Line::of(text, span);
        let verdict = judge(sentence, span, line, after_heading);
        after_heading = matches!(verdict, Verdict::Remove(Furniture::Heading));
        verdicts.push(verdict);
    }
    // A text that is only headings (a list of titles, one line without a
    // full stop) keeps them: they are all it says.
    let all_removed = verdicts.iter().all(|v| matches!(v, Verdict::Remove(_)));
    if all_removed {
        for v in &mut verdicts {
            if *v == Verdict::Remove(Furniture::Heading) {
                *v = Verdict::Keep;
            }
        }
    }
    verdicts
}

/// The verdict on one sentence. `under_heading`: right under a heading,
/// where agency captions sit.
///
/// The rules run in the order of the module's documentation, but a story
/// sentence, nearly all of a text, is not read once per rule: each test
/// reads a few bytes at one end of the sentence, or runs only once a cheap
/// test it depends on has passed (a phrase's first letter, a capitalised
/// article after a space, a sentence without final punctuation), and words
/// are counted only when a length limit decides.
fn judge(sentence: &str, span: &Range<usize>, line: Line, under_heading: bool) -> Verdict {
    let words = || sentence.split_whitespace().count();
    let short = || words() <= MAX_PAGE_LINE_WORDS;
    let trim = |kept_from: usize, kind: Furniture| {
        let start = span.start + kept_from;
        if start >= span.end || !sentence[kept_from..].chars().any(char::is_alphanumeric) {
            Verdict::Remove(kind)
        } else {
            Verdict::Trim(start..span.end, kind)
        }
    };
    let core = bare(sentence);
    if PAGE_LINE_PHRASES.equals(core) || (PAGE_PREFIX_PHRASES.starts(core) && short()) {
        return Verdict::Remove(Furniture::Page);
    }
    if (is_byline(sentence) || BYLINE_PREFIX_PHRASES.starts(core)) && short() {
        return Verdict::Remove(Furniture::Byline);
    }
    let label = label_end(sentence);
    if let Some(end) = label
        && KICKERS.iter().any(|k| {
            sentence[..end]
                .trim_end()
                .trim_end_matches(':')
                .eq_ignore_ascii_case(k)
        })
    {
        return trim(end, Furniture::Dateline);
    }
    let run_in = run_in_cut(sentence);
    let terminated = ends_with_terminator(sentence);
    let caption = CAPTION_PREFIX_PHRASES.starts(core)
        || label.is_some()
        || (!terminated && has_photo_direction(sentence))
        || (under_heading && line.paragraph && is_dated_caption(sentence));
    if caption {
        return match run_in {
            Some(cut) => trim(cut, Furniture::Caption),
            None => Verdict::Remove(Furniture::Caption),
        };
    }
    if let Some(cut) = run_in {
        return trim(cut, Furniture::Caption);
    }
    if line.starts
        && let Some(end) = dateline_end(sentence)
    {
        return trim(end, Furniture::Dateline);
    }
    if line.starts && line.ends && !terminated && words() <= MAX_HEADING_WORDS {
        return Verdict::Remove(Furniture::Heading);
    }
    Verdict::Keep
}

#[cfg(test)]
mod tests;
