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
//! README's instruction counts).

use std::ops::Range;

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

/// Sentences equal to one of these (ignoring case, and punctuation around
/// them) are page furniture.
pub const PAGE_LINES: &[&str] = &[
    "leave a comment",
    "leave a reply",
    "post a comment",
    "add a comment",
    "add comment",
    "comments",
    "comment",
    "view comments",
    "show comments",
    "share",
    "share this",
    "share this article",
    "share this story",
    "share this post",
    "share or comment on this article",
    "tweet",
    "email",
    "print",
    "advertisement",
    "sponsored",
    "related",
    "related articles",
    "related stories",
    "read more",
    "more",
    "subscribe",
    "cancel reply",
    "click here",
    "top stories",
    "most read",
    "back to top",
];

/// Sentences starting with one of these (ignoring case) and at most
/// [`MAX_PAGE_LINE_WORDS`] words long are page furniture.
pub const PAGE_PREFIXES: &[&str] = &[
    "be the first to comment",
    "your email address will not be published",
    "required fields are marked",
    "you must be logged in to post a comment",
    "comments are closed",
    "comments (",
    "join the conversation",
    "share this article",
    "share on facebook",
    "share on twitter",
    "share on whatsapp",
    "share via email",
    "click to share",
    "click here to",
    "subscribe to our",
    "subscribe now",
    "sign up for our",
    "sign up to our",
    "sign up for the",
    "follow us on",
    "like us on facebook",
    "read more:",
    "related:",
    "all rights reserved",
    "copyright ©",
    "©",
    "this article was originally published",
    "this story has been shared",
    "we use cookies",
    "media playback is unsupported",
];

/// Sentences starting with one of these (ignoring case) and at most
/// [`MAX_PAGE_LINE_WORDS`] words long are bylines.
pub const BYLINE_PREFIXES: &[&str] = &[
    "published:",
    "updated:",
    "last updated",
    "posted by",
    "posted on",
    "written by",
    "reporting by",
    "additional reporting by",
    "editing by",
    "compiled by",
];

/// Sentences starting with one of these (ignoring case) open a caption
/// block: the sentence is a caption, or, if a story sentence ran into it,
/// keeps only that (rule 4).
pub const CAPTION_PREFIXES: &[&str] = &[
    "scroll down for video",
    "scroll down for videos",
    "watch the video",
    "click to play",
    "image copyright",
    "image caption",
    "photo:",
    "photograph:",
    "picture:",
    "pictured:",
    "image:",
    "credit:",
    "source:",
    "video:",
];

/// Labels that head a story's sentence rather than a caption ("Breaking:
/// …"): cut off, like a dateline, and the sentence kept.
pub const KICKERS: &[&str] = &[
    "breaking",
    "breaking news",
    "update",
    "exclusive",
    "analysis",
    "opinion",
    "editorial",
    "comment",
    "live",
    "news",
    "report",
    "correction",
    "clarification",
    "editor's note",
    "editor’s note",
];

/// Photo directions in brackets, as captions point at people in a picture;
/// matched after the opening bracket, ignoring case.
pub const PHOTO_DIRECTIONS: &[&str] = &[
    "pictured",
    "not pictured",
    "left",
    "right",
    "centre",
    "center",
    "above",
    "below",
    "far left",
    "far right",
    "second left",
    "second right",
    "inset",
    "circled",
    "top",
    "bottom",
    "file photo",
    "file picture",
    "stock image",
    "stock photo",
    "artist's impression",
    "artist’s impression",
    "main picture",
    "main image",
    "shown",
];

/// Verbs of saying: "He said: …" introduces a quote, not a caption label.
const SAYING: &[&str] = &[
    "said",
    "says",
    "say",
    "added",
    "adds",
    "continued",
    "explained",
    "explains",
    "stated",
    "states",
    "wrote",
    "writes",
    "read",
    "reads",
    "told",
    "tells",
    "asked",
    "asks",
    "replied",
    "warned",
    "insisted",
    "claimed",
    "noted",
    "tweeted",
    "posted",
    "reported",
    "announced",
    "declared",
    "admitted",
    "revealed",
    "concluded",
    "recalled",
    "joked",
    "argued",
    "commented",
    "urged",
    "confirmed",
];

/// Words that open a clause, not a caption label ("They were clear: …").
const CLAUSE_OPENERS: &[&str] = &[
    "he", "she", "it", "they", "we", "i", "you", "this", "that", "these", "those", "there", "who",
    "what", "which", "where", "when", "why", "how", "his", "her", "their", "its", "our", "my",
    "your", "a", "an", "the", "one",
];

/// Words after "A"/"An"/"The" that do not start a noun phrase ("from A to
/// B", "Patient A and"), so no run-in cut is made before them.
const NOT_AFTER_ARTICLE: &[&str] = &[
    "and", "or", "to", "of", "in", "is", "was", "on", "at", "by", "for", "with", "as",
];

/// Longest page, byline and caption-opener lines, in words: a longer
/// sentence starting like one is taken as text.
pub const MAX_PAGE_LINE_WORDS: usize = 25;

/// Longest heading, in words.
pub const MAX_HEADING_WORDS: usize = 20;

/// Longest caption label before its colon, in words ("Dry season:").
pub const MAX_LABEL_WORDS: usize = 3;

/// Fewest words before a run-in cut: shorter starts ("In The …") are not
/// caption text.
pub const MIN_RUN_IN_WORDS: usize = 4;

/// Longest dateline before the story starts, in bytes.
const MAX_DATELINE_BYTES: usize = 64;

/// Longest outlet name in an outlet tag, in bytes.
const MAX_OUTLET_BYTES: usize = 40;

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

/// Where a sentence sits among the text's lines.
#[derive(Debug, Clone, Copy)]
struct Line {
    /// Only white space between the line's start (or the text's) and the
    /// sentence.
    starts: bool,
    /// Only white space between the sentence and the line's end (or the
    /// text's).
    ends: bool,
    /// The sentence is a paragraph of its own: blank lines (or the text's
    /// ends) on both sides.
    paragraph: bool,
}

impl Line {
    fn of(text: &str, span: &Range<usize>) -> Self {
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

/// Where a run-in caption ends: the byte of the last "A", "An" or "The"
/// after a space that passes [`is_run_in_cut`], with at least
/// [`MIN_RUN_IN_WORDS`] words before it.
fn run_in_cut(sentence: &str) -> Option<usize> {
    let bytes = sentence.as_bytes();
    // From the articles' capitals, found by a SIMD search (a sentence has
    // few), the last first: the last cut that passes wins, and an earlier
    // one has fewer words before it, so if the last has too few, every one
    // has.
    let space = memchr::memrchr2_iter(b'A', b'T', bytes)
        .filter_map(|capital| capital.checked_sub(1))
        .find(|&space| bytes.get(space) == Some(&b' ') && is_run_in_cut(sentence, space))?;
    let words_before = sentence[..space].split_whitespace().count();
    (words_before >= MIN_RUN_IN_WORDS).then_some(space + 1)
}

/// Whether a run-in caption can end at the space at byte `space`: "A",
/// "An" or "The" after it, followed by a lowercase word or a number (not
/// one of [`NOT_AFTER_ARTICLE`]), and before it a lowercase letter, a
/// digit, or a closing bracket or quote. A lowercase word followed by
/// such an article never happens inside a well-formed sentence.
fn is_run_in_cut(sentence: &str, space: usize) -> bool {
    let rest = &sentence[space + 1..];
    let Some(article) = ["A ", "An ", "The "]
        .into_iter()
        .find(|a| rest.starts_with(a))
    else {
        return false;
    };
    let before_ok = sentence[..space].chars().next_back().is_some_and(|p| {
        p.is_lowercase() || p.is_ascii_digit() || matches!(p, ')' | '\'' | '’' | '"' | '”')
    });
    let next = rest[article.len()..].split(' ').next().unwrap_or("");
    let next_ok = next
        .chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
        && !NOT_AFTER_ARTICLE.contains(&next);
    before_ok && next_ok
}

/// The sentence without the quotes, brackets, dashes and punctuation
/// around it.
fn bare(sentence: &str) -> &str {
    sentence.trim_matches(|c: char| {
        // Curly quotes and dashes (General Punctuation, where no character
        // is a letter or a digit) answered without Unicode's tables.
        GENERAL_PUNCTUATION.contains(&c) || (!c.is_alphanumeric() && c != '©')
    })
}

/// Unicode's General Punctuation block: dashes, curly quotes, ellipsis,
/// spaces; no letters or digits.
const GENERAL_PUNCTUATION: std::ops::RangeInclusive<char> = '\u{2000}'..='\u{206F}';

/// ASCII-case-insensitive prefix test; `prefix` is lowercase.
fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A list of lowercase phrases, indexed by their first two bytes: a text
/// is compared only with the phrases that start with its own first two
/// bytes (lowercased), which for nearly every sentence is none of them
/// (by the first byte alone, a sentence starting with "The" or "S" was
/// compared with several).
struct Phrases {
    list: &'static [&'static str],
    /// Bit `k` of `by_first_byte[b]`: phrase `k` starts with byte `b`.
    by_first_byte: [u64; 256],
    /// Bit `k` of `by_second_byte[b]`: phrase `k`'s second byte is `b`.
    by_second_byte: [u64; 256],
    /// The longest phrase's length in bytes.
    longest: usize,
}

impl Phrases {
    /// Fails to compile on a phrase of less than two bytes (the index
    /// reads two) or a list of more than 64.
    const fn new(list: &'static [&'static str]) -> Self {
        assert!(list.len() <= 64, "more phrases than bits");
        let mut by_first_byte = [0u64; 256];
        let mut by_second_byte = [0u64; 256];
        let mut longest = 0;
        let mut k = 0;
        while k < list.len() {
            let phrase = list[k].as_bytes();
            assert!(phrase.len() >= 2, "a phrase of less than two bytes");
            by_first_byte[phrase[0] as usize] |= 1 << k;
            by_second_byte[phrase[1] as usize] |= 1 << k;
            if phrase.len() > longest {
                longest = phrase.len();
            }
            k += 1;
        }
        Self {
            list,
            by_first_byte,
            by_second_byte,
            longest,
        }
    }

    /// Whether `text` starts with one of the phrases, ignoring ASCII case.
    fn starts(&self, text: &str) -> bool {
        self.candidates(text)
            .any(|p| starts_with_ignore_case(text, p))
    }

    /// Whether `text` is one of the phrases, ignoring ASCII case.
    fn equals(&self, text: &str) -> bool {
        text.len() <= self.longest && self.candidates(text).any(|p| text.eq_ignore_ascii_case(p))
    }

    /// The phrases that start with the first two bytes of `text`,
    /// ignoring ASCII case.
    fn candidates<'p>(&'p self, text: &str) -> impl Iterator<Item = &'static str> + 'p {
        let mut bits = match text.as_bytes() {
            [first, second, ..] => {
                self.by_first_byte[usize::from(first.to_ascii_lowercase())]
                    & self.by_second_byte[usize::from(second.to_ascii_lowercase())]
            }
            _ => 0,
        };
        // One phrase a set bit, lowest first; none once the bits run out
        // (`trailing_zeros` of 0 is 64, past the end of the list).
        std::iter::from_fn(move || {
            let k = bits.trailing_zeros() as usize;
            bits &= bits.wrapping_sub(1);
            self.list.get(k).copied()
        })
    }
}

static PAGE_LINE_PHRASES: Phrases = Phrases::new(PAGE_LINES);
static PAGE_PREFIX_PHRASES: Phrases = Phrases::new(PAGE_PREFIXES);
static BYLINE_PREFIX_PHRASES: Phrases = Phrases::new(BYLINE_PREFIXES);
static CAPTION_PREFIX_PHRASES: Phrases = Phrases::new(CAPTION_PREFIXES);

/// Whether the sentence ends like a sentence: a terminator, possibly
/// inside closing quotes or brackets.
fn ends_with_terminator(sentence: &str) -> bool {
    sentence
        .trim_end_matches(|c: char| {
            matches!(
                c,
                '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '}' | '*' | '†'
            ) || c.is_whitespace()
        })
        .ends_with(['.', '!', '?', '…', ':', ';', '。', '！', '？', '؟', '।'])
}

/// "By Jane Smith", "By JANE SMITH and Tom Jones, Associated Press": "By"
/// then only capitalised words, initials and joiners, at most a dozen words.
fn is_byline(sentence: &str) -> bool {
    // A test of two bytes first: most sentences start otherwise.
    let start = sentence.trim_start();
    if !(start.starts_with("By") || start.starts_with("BY")) {
        return false;
    }
    let mut words = start.split_whitespace();
    if !matches!(words.next(), Some("By" | "BY" | "By:" | "BY:")) {
        return false;
    }
    let mut names = 0;
    for (i, word) in words.enumerate() {
        if i >= 12 {
            return false;
        }
        let w = word.trim_matches(|c: char| matches!(c, ',' | '.' | '|' | ';' | ':' | '(' | ')'));
        if w.is_empty()
            || matches!(
                w,
                "and" | "&" | "-" | "–" | "—" | "for" | "of" | "the" | "in"
            )
        {
            continue;
        }
        if !w.chars().next().is_some_and(char::is_uppercase) {
            return false;
        }
        names += 1;
    }
    names > 0
}

/// The byte where a label ends ("Dry season: …" → after the colon and
/// space): a colon after at most [`MAX_LABEL_WORDS`] words of letters, the
/// first capitalised and longer than one letter ("Q:" opens an answer), none
/// a verb of saying, not opening a clause, then a capitalised word or a
/// number. Kickers ([`KICKERS`]) are labels too.
fn label_end(sentence: &str) -> Option<usize> {
    // A byte search: no byte of a multi-byte char is a colon.
    let head = &sentence.as_bytes()[..sentence.len().min(48)];
    let colon = memchr::memchr(b':', head)?;
    let label = &sentence[..colon];
    let words: Vec<&str> = label.split_whitespace().collect();
    let first = words.first()?;
    if words.len() > MAX_LABEL_WORDS
        || label.ends_with(char::is_whitespace)
        || !first.chars().next().is_some_and(char::is_uppercase)
        || first.chars().count() < 2
        || CLAUSE_OPENERS.iter().any(|w| first.eq_ignore_ascii_case(w))
        || words
            .iter()
            .any(|w| SAYING.iter().any(|s| w.eq_ignore_ascii_case(s)))
        || !words
            .iter()
            .all(|w| w.chars().all(|c| c.is_alphabetic() || "'’-&".contains(c)))
    {
        return None;
    }
    let rest = &sentence[colon + 1..];
    let after = rest.trim_start();
    if after.len() == rest.len() {
        return None; // "10:30", "http:"
    }
    let opens = after
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    opens.then(|| sentence.len() - after.len())
}

/// Whether the sentence points at a picture: "(pictured)", "(left)", ….
fn has_photo_direction(sentence: &str) -> bool {
    sentence.match_indices('(').any(|(i, _)| {
        let inner = &sentence[i + 1..];
        let Some((close, _)) = inner
            .char_indices()
            .take_while(|&(j, _)| j < 32)
            .find(|&(_, c)| c == ')')
        else {
            return false;
        };
        let inner = inner[..close].trim();
        PHOTO_DIRECTIONS.iter().any(|d| {
            inner.eq_ignore_ascii_case(d)
                || (starts_with_ignore_case(inner, d) && inner[d.len()..].starts_with([' ', ',']))
        })
    })
}

/// Month names, for dates.
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// Whether the sentence reads like an agency photo caption: a date to the
/// day with its year, then "in" and the place ("… on May 1, 2016 in the
/// northern town of …", "… 1 May 2016 in Paris"), and no dateline.
fn is_dated_caption(sentence: &str) -> bool {
    // The year first: a search for digits rules out nearly every sentence
    // without reading its words.
    has_year(sentence) && has_dated_words(sentence) && dateline_end(sentence).is_none()
}

/// Whether four words in a row read "<month> <day> <year> in" or "<day>
/// <month> <year> in" (brackets, commas and full stops around them left
/// out).
fn has_dated_words(sentence: &str) -> bool {
    let words: Vec<&str> = sentence
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, ',' | '.' | '(' | ')')))
        .collect();
    let month = |w: &str| MONTHS.iter().any(|m| w.eq_ignore_ascii_case(m));
    let day = |w: &str| {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty()
            && digits.len() <= 2
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (1..=31).contains(&digits.parse::<u8>().unwrap_or(0))
    };
    let year = |w: &str| {
        w.len() == 4
            && w.bytes().all(|b| b.is_ascii_digit())
            && (w.starts_with("19") || w.starts_with("20"))
    };
    // "in" and the year first: they rule out nearly every window cheaply.
    words.windows(4).any(|w| {
        w[3] == "in" && year(w[2]) && ((month(w[0]) && day(w[1])) || (day(w[0]) && month(w[1])))
    })
}

/// Whether `sentence` has four digits starting "19" or "20" in a row, as
/// a dated caption's year: found by a SIMD search for the ones and twos
/// (few in a text) rather than by reading the sentence's words.
fn has_year(sentence: &str) -> bool {
    let bytes = sentence.as_bytes();
    memchr::memchr2_iter(b'1', b'2', bytes).any(|at| {
        bytes.get(at..at + 4).is_some_and(|w| {
            matches!(&w[..2], b"19" | b"20") && w[2].is_ascii_digit() && w[3].is_ascii_digit()
        })
    })
}

/// Where a dateline ends, if the sentence opens with one: "(CNN)",
/// "Libya (HRNW): ", "BEIRUT, Lebanon (AP) — ", "WASHINGTON — ".
fn dateline_end(sentence: &str) -> Option<usize> {
    let head = &sentence[..floor_char_boundary(sentence, MAX_DATELINE_BYTES)];
    // An outlet tag in brackets, with an optional place before it.
    if let Some(open) = memchr::memchr(b'(', head.as_bytes())
        && let Some(close) = head[open..].find(')').map(|c| open + c)
    {
        let place = &head[..open];
        let outlet = &head[open + 1..close];
        if is_place(place) && is_outlet(outlet) {
            let after = &sentence[close + 1..];
            let rest = after.trim_start_matches([' ', ':', '-', '–', '—', '\u{a0}']);
            let separated = after.len() != rest.len()
                && (place.trim().is_empty()
                    || after.trim_start().starts_with([':', '-', '–', '—']));
            let glued = after.starts_with(|c: char| c.is_uppercase() || c == '"' || c == '“');
            if separated || glued {
                return Some(sentence.len() - rest.len());
            }
        }
    }
    // A place in capitals, then a dash. Most sentences' second byte is a
    // lowercase ASCII letter, part of the first word: not in capitals.
    if head.as_bytes().get(1).is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    let space = memchr::memchr(b' ', head.as_bytes())?;
    let city = head[..space].trim_end_matches(',');
    // Capitals first: the first word of most sentences fails at its second
    // letter.
    let capitals = city.chars().all(|c| c.is_uppercase() || c == '.')
        && city.chars().count() >= 3
        && city.chars().any(char::is_alphabetic);
    if !capitals {
        return None;
    }
    let (dash, dash_len) = ["—", "–", " -- ", " - "]
        .into_iter()
        .filter_map(|d| head[space..].find(d).map(|at| (space + at, d.len())))
        .min()?;
    if !is_place(head[space..dash].trim_matches([',', ' '])) {
        return None;
    }
    let after = &sentence[dash + dash_len..];
    Some(sentence.len() - after.trim_start().len())
}

/// A place before an outlet tag: empty, or at most five words each
/// capitalised or a number ("BEIRUT, Lebanon, May 3"), without a full stop
/// ending it.
fn is_place(place: &str) -> bool {
    let mut words = 0;
    place.split_whitespace().all(|w| {
        words += 1;
        let w = w.trim_end_matches(',');
        words <= 5
            && w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
            && w.chars().all(|c| c.is_alphanumeric() || ".'’-".contains(c))
    })
}

/// An outlet's name in a tag: one to five capitalised words ("CNN", "The
/// Hollywood Reporter", "AFP"), at most [`MAX_OUTLET_BYTES`].
fn is_outlet(outlet: &str) -> bool {
    let mut words = 0;
    outlet.len() <= MAX_OUTLET_BYTES
        && outlet.split_whitespace().all(|w| {
            words += 1;
            words <= 5
                && w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphanumeric() || ".&'’-/".contains(c))
        })
        && words > 0
}

/// The largest char boundary at or below `i`.
fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use proptest::prelude::{Strategy, prop};

    use super::*;
    use crate::text::segment;

    /// The verdicts on `text`, with each sentence's kept text.
    fn judged(text: &str) -> Vec<(String, Verdict)> {
        let spans = segment::sentences(text);
        detect(text, &spans)
            .into_iter()
            .zip(&spans)
            .map(|(v, span)| (text[span.clone()].to_owned(), v))
            .collect()
    }

    /// The text each sentence keeps, `None` for removed ones.
    fn kept(text: &str) -> Vec<Option<String>> {
        let spans = segment::sentences(text);
        detect(text, &spans)
            .iter()
            .zip(&spans)
            .map(|(v, span)| v.kept(span).map(|k| text[k].to_owned()))
            .collect()
    }

    /// A page written for these tests: headline, agency caption, dateline,
    /// subhead, comment box.
    const PAGE: &str = "Dam talks stall in the valley

Farmers from the Popular Valley cooperative stand on a dry canal bed on June 3, 2021 in the southern town of Mirabel.

Valleyport (VNS): Engineers and farmers met on Friday to discuss the new dam. The talks ended without a deal.

– Water for whom –

The farmers want a larger share of the water.

By Ana Lima and Tom Berg

Share this article

Be the first to comment on \"DAM TALKS STALL\"

Leave a comment

Your email address will not be published. Required fields are marked *";

    #[test]
    fn a_web_page_keeps_only_its_story() {
        let got = kept(PAGE);
        let story: Vec<&str> = got.iter().flatten().map(String::as_str).collect();
        assert_eq!(
            story,
            [
                "Engineers and farmers met on Friday to discuss the new dam.",
                "The talks ended without a deal.",
                "The farmers want a larger share of the water.",
            ]
        );
        let kinds: Vec<Verdict> = judged(PAGE).into_iter().map(|(_, v)| v).collect();
        assert_eq!(kinds[0], Verdict::Remove(Furniture::Heading));
        assert_eq!(kinds[1], Verdict::Remove(Furniture::Caption));
        assert!(matches!(kinds[2], Verdict::Trim(_, Furniture::Dateline)));
        assert_eq!(kinds[4], Verdict::Remove(Furniture::Heading));
        assert_eq!(kinds[6], Verdict::Remove(Furniture::Byline));
        assert!(
            kinds[7..]
                .iter()
                .all(|v| *v == Verdict::Remove(Furniture::Page))
        );
    }

    #[test]
    fn trimmed_spans_keep_their_end_and_index_the_text() {
        let spans = segment::sentences(PAGE);
        for (v, span) in detect(PAGE, &spans).iter().zip(&spans) {
            if let Verdict::Trim(kept, _) = v {
                assert_eq!(kept.end, span.end);
                assert!(kept.start > span.start && PAGE.is_char_boundary(kept.start));
            }
        }
    }

    #[test]
    fn datelines_and_outlet_tags() {
        for (text, story) in [
            (
                "(NWS) Crops failed across the valley.",
                "Crops failed across the valley.",
            ),
            ("(Valley Times)Crops failed again.", "Crops failed again."),
            ("Mirabel (NWS)Crops failed.", "Crops failed."),
            ("Mirabel, Freedonia (NWS) — Crops failed.", "Crops failed."),
            ("MIRABEL — Crops failed.", "Crops failed."),
            ("MIRABEL, Freedonia -- Crops failed.", "Crops failed."),
        ] {
            assert_eq!(kept(text), [Some(story.to_owned())], "{text}");
        }
        // Not datelines: a ticker, a bracket in the text, capitals without a
        // dash, an aside.
        for text in [
            "Valleycorp (VLC) shares fell on Monday.",
            "The cooperative (VNS) said it would appeal.",
            "NASA launched the probe on Monday.",
            "(This was the third meeting.) Nobody came.",
        ] {
            let got = judged(text);
            assert!(
                got.iter().all(|(_, v)| *v == Verdict::Keep),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn captions_are_removed_or_cut_off() {
        // A label caption, a photo direction without a full stop, and a
        // caption opener remove the sentence.
        for text in [
            "Dry season: The canal has held no water since May.",
            "Ana Lima (left) and Tom Berg at the canal",
            "Scroll down for video Farmers walk along the dry canal.",
        ] {
            let got = judged(&format!("{text}\n\nThe farmers want water."));
            assert_eq!(got[0].1, Verdict::Remove(Furniture::Caption), "{text}");
        }
        // A caption that ran into the story: the story is kept.
        let text = "Farmers walk along the dry canal near Mirabel A farmer has sued the water board over the dam.";
        assert_eq!(
            kept(text),
            [Some(
                "A farmer has sued the water board over the dam.".to_owned()
            )]
        );
        // Quotes, answers, steps and ordinary sentences are no captions.
        for text in [
            "He said: 'We will sue the board.'",
            "Q: Who pays for the dam?",
            "Step 2: The board votes.",
            "The minister said: \"Nobody wants this dam.\"",
            "Ana Lima (left) met the board on Monday.",
            "They travelled from A to B by bus on the old road.",
            "The board met on June 3, 2021 to discuss the dam.",
        ] {
            assert_eq!(kept(text), [Some(text.to_owned())], "{text}");
        }
        // A dated lead paragraph under a headline is the story, not a
        // caption; the agency caption names the place after the date.
        let lead = "Dam talks stall

The board met on June 3, 2021 to discuss the dam.

Nobody came.";
        assert_eq!(
            kept(lead)[1].as_deref(),
            Some("The board met on June 3, 2021 to discuss the dam.")
        );
    }

    #[test]
    fn kickers_are_cut_off_and_the_sentence_kept() {
        assert_eq!(
            kept("Breaking: The board resigned."),
            [Some("The board resigned.".to_owned())]
        );
        assert!(matches!(
            judged("Update: The dam will open in May.")[0].1,
            Verdict::Trim(_, Furniture::Dateline)
        ));
    }

    #[test]
    fn page_lines_and_bylines_need_to_be_short() {
        let long = "Share this article with anyone who wants to know how the valley farmers \
            lost their water, their crops and their savings in a single dry season, and how \
            the board answered them.";
        assert_eq!(kept(long), [Some(long.to_owned())]);
        assert_eq!(
            kept("By the end of the day the talks had failed."),
            [Some(
                "By the end of the day the talks had failed.".to_owned()
            )]
        );
        assert_eq!(
            judged("Comments (3)")[0].1,
            Verdict::Remove(Furniture::Page)
        );
        assert_eq!(
            judged("Posted by Ana Lima on Monday")[0].1,
            Verdict::Remove(Furniture::Byline)
        );
    }

    #[test]
    fn a_text_of_headings_only_keeps_them() {
        assert_eq!(
            kept("Dam talks stall"),
            [Some("Dam talks stall".to_owned())]
        );
        assert_eq!(
            kept("Dam talks stall\n\nFarmers protest"),
            [
                Some("Dam talks stall".to_owned()),
                Some("Farmers protest".to_owned())
            ]
        );
        // But not comment boxes.
        assert_eq!(kept("Leave a comment"), [None]);
    }

    #[test]
    fn headings_are_lines_of_their_own() {
        // A line without a full stop inside a paragraph is no heading.
        let text = "The farmers marched to the board\nand asked for water.";
        assert!(kept(text).iter().all(Option::is_some));
        let text = "Water talks\n\nThe farmers marched. They asked for water.";
        assert_eq!(kept(text)[0], None);
    }

    /// Run-in cuts found the plain way: the last space that passes every
    /// test, its words before it counted afresh.
    fn run_in_at_every_space(sentence: &str) -> Option<usize> {
        sentence
            .match_indices(' ')
            .map(|(space, _)| space)
            .rfind(|&space| {
                sentence[..space].split_whitespace().count() >= MIN_RUN_IN_WORDS
                    && is_run_in_cut(sentence, space)
            })
            .map(|space| space + 1)
    }

    /// Words that the fast paths look for or stop at, and white space of
    /// several kinds between them.
    fn sentence() -> impl Strategy<Value = String> {
        let word = prop::sample::select(vec![
            "A", "An", "The", "the", "a", "an", "and", "to", "farmer", "canal", "Mirabel", "É",
            "élan", "’", "”", "(left)", "left)", "A.", "Tom", "TOM", "3", "31st", "June", "jun",
            "May", "2021", "1999", "2021,", "1870", "in", "In", "By", "BY", "by", "Dry", "season:",
            "MIRABEL", "—", "(NWS)", "“Quote", "12:30", "©", "Share", "this", "article", "Leave",
            "comment", "Photo:", "READ", "more:", "Scroll", "down", "for", "video",
        ]);
        let space = prop::sample::select(vec![
            " ", " ", " ", "  ", "\n", "\t", "\u{a0}", "\u{2009}", "",
        ]);
        prop::collection::vec((word, space), 0..24)
            .prop_map(|parts| parts.into_iter().flat_map(|(w, s)| [w, s]).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// The search from the articles' capitals finds the cut a scan of
        /// every space finds.
        #[test]
        fn run_in_cut_is_the_last_of_every_space(sentence in sentence()) {
            proptest::prop_assert_eq!(run_in_cut(&sentence), run_in_at_every_space(&sentence));
        }

        /// The first-byte index of a phrase list answers as reading the
        /// whole list does.
        #[test]
        fn phrase_index_answers_as_the_list(sentence in sentence()) {
            for text in [sentence.as_str(), bare(&sentence), sentence.trim()] {
                for phrases in [
                    &PAGE_LINE_PHRASES,
                    &PAGE_PREFIX_PHRASES,
                    &BYLINE_PREFIX_PHRASES,
                    &CAPTION_PREFIX_PHRASES,
                ] {
                    let list = phrases.list.iter();
                    proptest::prop_assert_eq!(
                        phrases.starts(text),
                        list.clone().any(|p| starts_with_ignore_case(text, p))
                    );
                    proptest::prop_assert_eq!(
                        phrases.equals(text),
                        list.clone().any(|p| text.eq_ignore_ascii_case(p))
                    );
                }
            }
        }

        /// A sentence without a year's digits has no date either, so the
        /// search for them may go first.
        #[test]
        fn dated_words_have_a_year(sentence in sentence()) {
            proptest::prop_assert!(!has_dated_words(&sentence) || has_year(&sentence));
        }
    }

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

    #[test]
    fn phrase_index_finds_every_phrase_in_any_case() {
        for list in [PAGE_LINES, PAGE_PREFIXES, BYLINE_PREFIXES, CAPTION_PREFIXES] {
            let phrases = Phrases::new(list);
            for phrase in list {
                for text in [phrase.to_string(), phrase.to_uppercase()] {
                    assert!(phrases.starts(&text), "{text}");
                    assert!(phrases.equals(&text), "{text}");
                    assert!(phrases.starts(&format!("{text} and more")), "{text}");
                }
            }
            assert!(!phrases.starts("") && !phrases.equals(""));
        }
    }

    #[test]
    fn general_punctuation_has_no_letters_or_digits() {
        // What `bare` relies on to skip Unicode's tables for these.
        assert!(
            GENERAL_PUNCTUATION
                .into_iter()
                .all(|c| !c.is_alphanumeric() && c != '©')
        );
    }
}
