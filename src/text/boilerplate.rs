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
//! so its span still indexes the original text. Every rule reads at most a
//! sentence's own text once, so detection is linear in the text's length.

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
            let mut chars = gap.chars().peekable();
            let mut count = 0;
            while let Some(c) = chars.next() {
                if is_line_break(c) && !(c == '\r' && chars.peek() == Some(&'\n')) {
                    count += 1;
                }
            }
            count
        };
        let starts = text_before.is_empty() || breaks(gap_before) > 0;
        let ends = text_after.is_empty() || breaks(gap_after) > 0;
        Self {
            starts,
            ends,
            paragraph: (text_before.is_empty() || breaks(gap_before) >= 2)
                && (text_after.is_empty() || breaks(gap_after) >= 2),
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
fn judge(sentence: &str, span: &Range<usize>, line: Line, under_heading: bool) -> Verdict {
    let words = sentence.split_whitespace().count();
    let short = words <= MAX_PAGE_LINE_WORDS;
    let trim = |kept_from: usize, kind: Furniture| {
        let start = span.start + kept_from;
        if start >= span.end || !sentence[kept_from..].chars().any(char::is_alphanumeric) {
            Verdict::Remove(kind)
        } else {
            Verdict::Trim(start..span.end, kind)
        }
    };
    let core = bare(sentence);
    if PAGE_LINES.iter().any(|p| core.eq_ignore_ascii_case(p))
        || (short
            && PAGE_PREFIXES
                .iter()
                .any(|p| starts_with_ignore_case(core, p)))
    {
        return Verdict::Remove(Furniture::Page);
    }
    if short
        && (is_byline(sentence)
            || BYLINE_PREFIXES
                .iter()
                .any(|p| starts_with_ignore_case(core, p)))
    {
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
    let caption = CAPTION_PREFIXES
        .iter()
        .any(|p| starts_with_ignore_case(core, p))
        || label.is_some()
        || (has_photo_direction(sentence) && !ends_with_terminator(sentence))
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
    if line.starts && line.ends && words <= MAX_HEADING_WORDS && !ends_with_terminator(sentence) {
        return Verdict::Remove(Furniture::Heading);
    }
    Verdict::Keep
}

/// The sentence without the quotes, brackets, dashes and punctuation
/// around it.
fn bare(sentence: &str) -> &str {
    sentence.trim_matches(|c: char| !c.is_alphanumeric() && c != '©')
}

/// ASCII-case-insensitive prefix test; `prefix` is lowercase.
fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

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
    let mut words = sentence.split_whitespace();
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
    let (colon, _) = sentence
        .char_indices()
        .take_while(|&(i, _)| i < 48)
        .find(|&(_, c)| c == ':')?;
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
    let dated = words.windows(4).any(|w| {
        ((month(w[0]) && day(w[1])) || (day(w[0]) && month(w[1]))) && year(w[2]) && w[3] == "in"
    });
    dated && dateline_end(sentence).is_none()
}

/// Where a run-in caption ends: the byte of the last "A", "An" or "The"
/// that follows a lowercase word, a digit or a closing bracket or quote,
/// and precedes a lowercase word or a number, with at least
/// [`MIN_RUN_IN_WORDS`] words before it.
fn run_in_cut(sentence: &str) -> Option<usize> {
    let mut cut = None;
    // Words before the current space, counted as the scan goes, so that the
    // scan stays linear however many candidates a sentence has.
    let mut words_before = 0;
    let mut in_word = false;
    let mut previous: Option<char> = None;
    for (i, c) in sentence.char_indices() {
        if !c.is_whitespace() {
            if !in_word {
                words_before += 1;
                in_word = true;
            }
            previous = Some(c);
            continue;
        }
        in_word = false;
        if c != ' ' || words_before < MIN_RUN_IN_WORDS {
            previous = Some(c);
            continue;
        }
        let before_ok = previous.is_some_and(|p| {
            p.is_lowercase() || p.is_ascii_digit() || matches!(p, ')' | '\'' | '’' | '"' | '”')
        });
        previous = Some(c);
        if !before_ok {
            continue;
        }
        let rest = &sentence[i + 1..];
        let Some(article) = ["A ", "An ", "The "]
            .into_iter()
            .find(|a| rest.starts_with(a))
        else {
            continue;
        };
        let next = rest[article.len()..].split(' ').next().unwrap_or("");
        let next_ok = next
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
            && !NOT_AFTER_ARTICLE.contains(&next);
        if next_ok {
            cut = Some(i + 1);
        }
    }
    cut
}

/// Where a dateline ends, if the sentence opens with one: "(CNN)",
/// "Libya (HRNW): ", "BEIRUT, Lebanon (AP) — ", "WASHINGTON — ".
fn dateline_end(sentence: &str) -> Option<usize> {
    let head = &sentence[..floor_char_boundary(sentence, MAX_DATELINE_BYTES)];
    // An outlet tag in brackets, with an optional place before it.
    if let Some(open) = head.find('(')
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
    // A place in capitals, then a dash.
    let space = head.find(' ')?;
    let city = head[..space].trim_end_matches(',');
    let capitals = city.chars().count() >= 3
        && city.chars().any(char::is_alphabetic)
        && city.chars().all(|c| c.is_uppercase() || c == '.');
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
    let words: Vec<&str> = place.split_whitespace().collect();
    words.len() <= 5
        && words.iter().all(|w| {
            let w = w.trim_end_matches(',');
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                && w.chars().all(|c| c.is_alphanumeric() || ".'’-".contains(c))
        })
}

/// An outlet's name in a tag: one to five capitalised words ("CNN", "The
/// Hollywood Reporter", "AFP"), at most [`MAX_OUTLET_BYTES`].
fn is_outlet(outlet: &str) -> bool {
    let words: Vec<&str> = outlet.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 5
        && outlet.len() <= MAX_OUTLET_BYTES
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphanumeric() || ".&'’-/".contains(c))
        })
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
}
