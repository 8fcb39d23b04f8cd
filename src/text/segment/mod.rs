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
//!    line break is white space.
//! 2. **Terminators.** Inside a block, `.` `!` `?` `…` (and runs like `?!` or
//!    `...`) end a sentence when followed by white space and then, past any
//!    opening quotes or brackets, something that is not a lowercase letter
//!    or continuing punctuation ("Yahoo! said", "prevented… we" do not
//!    break). Closing quotes and brackets after a terminator belong to the
//!    sentence that ends. CJK `。！？｡`, Arabic `؟` `۔` and Devanagari `।` `॥`
//!    (scripts without case) always end a sentence, space or not.
//! 3. **Abbreviations** (a single `.` after a token, compared ASCII
//!    case-insensitively): capitalised titles (Mr, Dr, Gen, St, …) never end
//!    a sentence; months and "No" do not before a digit; other abbreviations
//!    (Inc, etc, vs, Jr, …), dotted acronyms (U.S., e.g., a.m., Ph.D.) and
//!    single-letter initials end one only when the next word is capitalised
//!    and a common sentence opener ("in the U.S. The president" breaks, "the
//!    U.S. President" does not). A number of up to three digits opening a
//!    sentence is a list number ("1. First").
//! 4. **Missing space.** A single `.` directly followed by an uppercase
//!    letter ends a sentence when the word before it is a plain word of three
//!    or more letters ending in lowercase and not an abbreviation
//!    ("Europe.IS"), and neither side looks like an address ("www.Example.com",
//!    "John.Smith@x.org"). A `.` directly followed by a digit or a lowercase
//!    letter never ends one ("3.5", "example.com", "node.js").
//! 5. **Results** are trimmed of white space; spans without any alphanumeric
//!    character (a lone "–", "***") are dropped. Everything else, however
//!    long, stays one sentence.

use std::ops::Range;

use crate::deadline::Deadline;

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

/// Bullets that open a list item when followed by white space.
const BULLETS: &[char] = &['-', '*', '•', '–', '—', '‣', '◦', '▪', '·'];

/// Titles written before a name: capitalised, they never end a sentence
/// ("Mr. Kerry", "Gen. Haftar", "St. Louis"). Jr and Sr come after a name and
/// do end sentences, so they are in [`ABBREVIATIONS`].
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "messrs", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cpt", "maj",
    "adm", "gov", "sen", "rep", "rev", "hon", "st", "mt", "ft", "pres", "supt", "insp", "det",
    "fr", "cmdr", "cpl", "pvt", "atty",
];

/// Month abbreviations: not final before a day or year ("Jan. 5").
const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

/// Abbreviations that can end a sentence but usually do not; they end one
/// only before a common sentence opener ("Apple Inc. shares", "Inc. The").
const ABBREVIATIONS: &[&str] = &[
    "co", "corp", "inc", "ltd", "llc", "plc", "bros", "vs", "etc", "approx", "dept", "est", "fig",
    "figs", "vol", "vols", "al", "jr", "sr", "cf", "esp", "incl", "ave", "blvd", "univ", "assn",
    "intl", "govt",
];

/// Words that commonly open an English sentence. After an abbreviation a
/// capitalised word is most often a name ("U.S. President", "U.N. General
/// Assembly"); one of these is most often a new sentence. This is a curated
/// list of closed-class words rather than the `stop-words` English list,
/// which also holds "state", "general", "new", "world" and "group" and so
/// would split "U.S. State Department" and "U.N. General Assembly".
const SENTENCE_OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "this",
    "that",
    "these",
    "those",
    "there",
    "but",
    "and",
    "or",
    "so",
    "yet",
    "in",
    "on",
    "at",
    "for",
    "with",
    "from",
    "by",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
    "your",
    "as",
    "if",
    "when",
    "after",
    "before",
    "while",
    "since",
    "although",
    "though",
    "however",
    "meanwhile",
    "then",
    "now",
    "also",
    "still",
    "some",
    "many",
    "most",
    "both",
    "what",
    "who",
    "how",
    "why",
    "where",
    "mr",
    "mrs",
    "ms",
    "dr",
];

/// Lines at least this long are not headings.
const MAX_HEADING_CHARS: usize = 80;

/// Smallest line width assumed for hard-wrapped text, so that a short block
/// (a title over a byline) is not mistaken for a narrow wrapped paragraph.
const MIN_WRAP_WIDTH: usize = 60;

/// Longest token examined before a full stop; longer ones are no
/// abbreviation, and the bound keeps the scan linear on dot-riddled input.
const MAX_TOKEN_BYTES: usize = 48;

/// How far past a missing-space full stop to look for signs of an address.
const MAX_ADDRESS_BYTES: usize = 64;

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
        split_block(text, block, &mut out);
    }
    out
}

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

/// Cuts `text` into blocks that no sentence crosses (rule 1): paragraphs
/// between blank lines, further cut before list items and after headings.
fn blocks(text: &str) -> Vec<Range<usize>> {
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

/// A terminator run found inside a block, with what is needed to judge it.
struct Candidate<'t> {
    /// The whole text.
    text: &'t str,
    /// End of the block the run is in.
    block_end: usize,
    /// Start of the sentence the run may end.
    sentence_start: usize,
    /// Start of the terminator run.
    start: usize,
    /// End of the terminator run.
    run_end: usize,
    /// End of the run and the closing quotes and brackets after it: where
    /// the sentence ends if it does.
    end: usize,
}

impl Candidate<'_> {
    /// The first alphanumeric char of the sentence before the run.
    fn first_alnum(&self) -> Option<usize> {
        let before = slice(self.text, &(self.sentence_start..self.start));
        before
            .char_indices()
            .find(|&(_, c)| c.is_alphanumeric())
            .map(|(at, _)| self.sentence_start + at)
    }
}

/// Splits one block at its terminators (rules 2 to 4) and pushes the
/// sentences to `out`.
fn split_block(text: &str, block: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut sentence_start = block.start;
    let mut pos = block.start;
    while let Some(start) = next_terminator(text, pos, block.end) {
        let run_end = skip_while(text, start, block.end, is_terminator);
        let end = skip_while(text, run_end, block.end, is_closer);
        let candidate = Candidate {
            text,
            block_end: block.end,
            sentence_start,
            start,
            run_end,
            end,
        };
        if ends_sentence(&candidate) {
            push_sentence(text, sentence_start..end, out);
            sentence_start = end;
        }
        pos = end;
    }
    push_sentence(text, sentence_start..block.end, out);
}

/// Where the next terminator at or after `from` (and before `end`) starts.
///
/// The hot loop of segmentation: it looks at bytes, not chars, skips every
/// byte that cannot start a terminator with one table lookup, and decodes a
/// char only at a non-ASCII lead byte, as only three ASCII bytes can
/// terminate a sentence (a byte-by-byte `match` took twice the
/// instructions).
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

fn ends_sentence(c: &Candidate) -> bool {
    let run = slice(c.text, &(c.start..c.run_end));
    if run.chars().any(|ch| HARD_TERMINATORS.contains(&ch)) {
        return true;
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

/// Rule 2 and 3: a run followed by white space ends the sentence unless what
/// comes next continues it, or the run is the dot of an abbreviation.
fn spaced_break(c: &Candidate, run: &str) -> bool {
    let Some((next_at, next)) = next_significant(c.text, c.end, c.block_end) else {
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

/// Rule 3: whether a single full stop followed by white space, then `next`
/// (neither lowercase nor continuing punctuation), ends the sentence.
fn dot_ends_sentence(c: &Candidate, next_at: usize, next: char) -> bool {
    let Some((token_start, token)) = token_before(c.text, c.sentence_start, c.start)
        .map(|(start, raw)| strip_leading_punctuation(start, raw))
    else {
        return true;
    };
    if !token.chars().next_back().is_some_and(char::is_alphanumeric) {
        // "(IS).", "— .": the dot does not follow a word.
        return true;
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        // "1. First item" numbers a list item; "in 2011. The" ends.
        return !(token.len() <= 3 && c.first_alnum() == Some(token_start));
    }
    if is_in(MONTHS, token) || token.eq_ignore_ascii_case("no") {
        return !next.is_ascii_digit();
    }
    if is_in(TITLES, token) && token.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    if is_in(ABBREVIATIONS, token)
        || is_in(TITLES, token)
        || is_dotted_acronym(token)
        || is_single_letter(token)
    {
        return opens_sentence(c.text, next_at, c.block_end);
    }
    true
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

/// The white-space-delimited token that ends at `dot`, not reaching before
/// `floor`, with its start; `None` when longer than [`MAX_TOKEN_BYTES`].
fn token_before(text: &str, floor: usize, dot: usize) -> Option<(usize, &str)> {
    let before = text.get(floor..dot)?;
    let mut start = dot;
    for (at, ch) in before.char_indices().rev() {
        if is_space(ch) {
            break;
        }
        if dot - (floor + at) > MAX_TOKEN_BYTES {
            return None;
        }
        start = floor + at;
    }
    Some((start, text.get(start..dot)?))
}

/// Drops opening quotes, brackets and dashes glued to the front of a token.
fn strip_leading_punctuation(start: usize, raw: &str) -> (usize, &str) {
    let token = raw.trim_start_matches(|ch: char| !ch.is_alphanumeric());
    (start + raw.len() - token.len(), token)
}

/// Whether `token` is one of the known abbreviations, any case.
fn is_abbreviation(token: &str) -> bool {
    is_in(TITLES, token) || is_in(MONTHS, token) || is_in(ABBREVIATIONS, token)
}

/// Whether `list` holds `word`, ASCII case-insensitively.
fn is_in(list: &[&str], word: &str) -> bool {
    list.iter().any(|entry| entry.eq_ignore_ascii_case(word))
}

/// Whether `token` is letters in dotted groups of one or two: "U.S", "e.g",
/// "a.m", "Ph.D" (its final dot is the one being judged).
fn is_dotted_acronym(token: &str) -> bool {
    token.contains('.')
        && token.split('.').all(|part| {
            let mut letters = part.chars();
            letters.next().is_some_and(char::is_alphabetic)
                && letters.next().is_none_or(char::is_alphabetic)
                && letters.next().is_none()
        })
}

/// Whether `token` is a single letter, like the initial in "John F. Kennedy".
fn is_single_letter(token: &str) -> bool {
    let mut chars = token.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
}

/// Whether the word at `at` is capitalised and a common sentence opener.
fn opens_sentence(text: &str, at: usize, end: usize) -> bool {
    let rest = text.get(at..end).unwrap_or("");
    let len = rest
        .bytes()
        .take(MAX_TOKEN_BYTES)
        .take_while(u8::is_ascii_alphabetic)
        .count();
    let word = rest.get(..len).unwrap_or("");
    word.starts_with(|c: char| c.is_ascii_uppercase()) && is_in(SENTENCE_OPENERS, word)
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

/// Any sentence terminator.
fn is_terminator(c: char) -> bool {
    SOFT_TERMINATORS.contains(&c) || HARD_TERMINATORS.contains(&c)
}

/// A closing quote or bracket.
fn is_closer(c: char) -> bool {
    CLOSERS.contains(&c)
}

/// An opening quote or bracket.
fn is_opener(c: char) -> bool {
    OPENERS.contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sentences of `text` as strings.
    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    /// Asserts the segmentation contract on `text`.
    fn check_contract(text: &str) {
        let mut previous_end = 0;
        for range in sentences(text) {
            assert!(range.start < range.end, "empty range in {text:?}");
            assert!(range.start >= previous_end, "overlap in {text:?}");
            assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
            let s = &text[range.clone()];
            assert!(!s.starts_with(char::is_whitespace), "untrimmed {s:?}");
            assert!(!s.ends_with(char::is_whitespace), "untrimmed {s:?}");
            assert!(s.chars().any(char::is_alphanumeric), "no alnum {s:?}");
            previous_end = range.end;
        }
    }

    #[test]
    fn empty_and_blank_input_have_no_sentences() {
        assert!(sentences("").is_empty());
        assert!(sentences(" \n\t\r\n  \u{2029} ").is_empty());
        assert!(sentences("***\n\n–\n\n…").is_empty());
    }

    #[test]
    fn basic_terminators_split() {
        assert_eq!(
            split("It rained. Did it stop? No! Well... Maybe so."),
            ["It rained.", "Did it stop?", "No!", "Well...", "Maybe so."]
        );
        assert_eq!(split("Really?! Yes."), ["Really?!", "Yes."]);
        assert_eq!(split("Wait… Then go."), ["Wait…", "Then go."]);
    }

    #[test]
    fn closing_quotes_and_brackets_stay_with_their_sentence() {
        assert_eq!(
            split("He said: \"Go.\" Then he left. (It was late.) Fine."),
            [
                "He said: \"Go.\"",
                "Then he left.",
                "(It was late.)",
                "Fine."
            ]
        );
        assert_eq!(
            split("“…to combat (IS).” The talks ended."),
            ["“…to combat (IS).”", "The talks ended."]
        );
    }

    #[test]
    fn lowercase_continuation_does_not_split() {
        assert_eq!(
            split("It must be prevented… we can no longer wait."),
            ["It must be prevented… we can no longer wait."]
        );
        assert_eq!(split("Yahoo! said it grew."), ["Yahoo! said it grew."]);
        assert_eq!(
            split("Pens, paper, etc. and ink."),
            ["Pens, paper, etc. and ink."]
        );
        assert_eq!(split("“Why?” he asked."), ["“Why?” he asked."]);
    }

    #[test]
    fn comma_inside_quote_does_not_split() {
        assert_eq!(
            split("“We have a lot to do,” US State Secretary John Kerry told reporters."),
            ["“We have a lot to do,” US State Secretary John Kerry told reporters."]
        );
    }

    #[test]
    fn titles_never_split() {
        assert_eq!(
            split("Mr. Smith met Dr. Jones and Gen. Haftar in St. Louis. They talked."),
            [
                "Mr. Smith met Dr. Jones and Gen. Haftar in St. Louis.",
                "They talked."
            ]
        );
        assert_eq!(
            split("Prof. Lee and Sgt. Ray left."),
            ["Prof. Lee and Sgt. Ray left."]
        );
    }

    #[test]
    fn lowercase_title_like_word_follows_abbreviation_rule() {
        assert_eq!(
            split("It is 6 ft. He is tall."),
            ["It is 6 ft.", "He is tall."]
        );
    }

    #[test]
    fn months_do_not_split_before_a_digit() {
        assert_eq!(
            split("It opened on Jan. 5 and closed Sept. 30, 2016. Then it reopened."),
            [
                "It opened on Jan. 5 and closed Sept. 30, 2016.",
                "Then it reopened."
            ]
        );
    }

    #[test]
    fn number_abbreviation_does_not_split_before_a_digit() {
        assert_eq!(
            split("He lives at No. 5 and she at no. 7. He said no. Then left."),
            [
                "He lives at No. 5 and she at no. 7.",
                "He said no.",
                "Then left."
            ]
        );
    }

    #[test]
    fn other_abbreviations_split_only_before_sentence_openers() {
        assert_eq!(
            split("Apple Inc. shares rose. Apple Inc. The rest fell."),
            ["Apple Inc. shares rose.", "Apple Inc.", "The rest fell."]
        );
        assert_eq!(
            split("Smith et al. Reported it. See Jones et al. They agree."),
            [
                "Smith et al. Reported it.",
                "See Jones et al.",
                "They agree."
            ]
        );
        assert_eq!(
            split("Fig. 3 shows it, approx. 5,000 vs. 3."),
            ["Fig. 3 shows it, approx. 5,000 vs. 3."]
        );
    }

    #[test]
    fn dotted_acronyms_split_only_before_sentence_openers() {
        assert_eq!(
            split("It is in the U.S. The president said so."),
            ["It is in the U.S.", "The president said so."]
        );
        assert_eq!(
            split("The U.S. President and the U.N. General Assembly met."),
            ["The U.S. President and the U.N. General Assembly met."]
        );
        assert_eq!(
            split("At 5 p.m. He left, e.g. by car, i.e. fast. A Ph.D. Student came."),
            [
                "At 5 p.m.",
                "He left, e.g. by car, i.e. fast.",
                "A Ph.D. Student came."
            ]
        );
    }

    #[test]
    fn initials_do_not_split() {
        assert_eq!(
            split("John F. Kennedy read J. R. R. Tolkien. He liked it."),
            ["John F. Kennedy read J. R. R. Tolkien.", "He liked it."]
        );
        assert_eq!(
            split("It got grade A. The end."),
            ["It got grade A.", "The end."]
        );
    }

    #[test]
    fn numbers_do_not_split() {
        assert_eq!(
            split("Growth was 3.5% or 1,215.50 dollars in v2.0 today."),
            ["Growth was 3.5% or 1,215.50 dollars in v2.0 today."]
        );
        assert_eq!(
            split("It began at 1215 GMT. Then it ended."),
            ["It began at 1215 GMT.", "Then it ended."]
        );
        assert_eq!(
            split("It was 2011. 5,000 left."),
            ["It was 2011.", "5,000 left."]
        );
    }

    #[test]
    fn missing_space_after_full_stop_splits() {
        assert_eq!(
            split("It lies across the sea from Europe.IS has taken advantage."),
            [
                "It lies across the sea from Europe.",
                "IS has taken advantage."
            ]
        );
        assert_eq!(split("Read Yahoo!News daily."), ["Read Yahoo!News daily."]);
    }

    #[test]
    fn missing_space_exceptions_do_not_split() {
        for text in [
            "See example.com and node.js now.",
            "He flew to St.Louis today.",
            "Read http://example.org/Page.Html or www.Example.com today.",
            "Write to John.Smith@mail.org today.",
            "The U.S.A. won.",
        ] {
            assert_eq!(split(text), [text]);
        }
    }

    #[test]
    fn blank_line_ends_a_sentence() {
        assert_eq!(
            split("World powers discuss threat in Libya\n\nThe talks began"),
            ["World powers discuss threat in Libya", "The talks began"]
        );
        assert_eq!(
            split("It went on and\n \t\nthen stopped"),
            ["It went on and", "then stopped"]
        );
    }

    #[test]
    fn hard_wrapped_lines_are_white_space() {
        let text = "The Vienna conference is being co-chaired by the United States and\n\
                    Italy, the former colonial ruler which has faced a major influx of\n\
                    migrants from the North African nation braving the perilous sea.\n\
                    It ended late.";
        assert_eq!(
            split(text),
            [
                "The Vienna conference is being co-chaired by the United States and\n\
                 Italy, the former colonial ruler which has faced a major influx of\n\
                 migrants from the North African nation braving the perilous sea.",
                "It ended late."
            ]
        );
        assert_eq!(
            split("short line\nthat goes on."),
            ["short line\nthat goes on."]
        );
    }

    #[test]
    fn heading_line_is_its_own_sentence() {
        assert_eq!(
            split("World powers discuss IS threat\nMajor powers met in Vienna on Monday."),
            [
                "World powers discuss IS threat",
                "Major powers met in Vienna on Monday."
            ]
        );
        assert_eq!(
            split("– ‘No boots on the ground’ –\n\nThe leader spoke."),
            ["– ‘No boots on the ground’ –", "The leader spoke."]
        );
        assert_eq!(
            split(
                "Be the first to comment on \"WORLD POWERS IN TALKS\"\n\nLeave a comment\n\nBye."
            ),
            [
                "Be the first to comment on \"WORLD POWERS IN TALKS\"",
                "Leave a comment",
                "Bye."
            ]
        );
    }

    #[test]
    fn list_items_are_sentences() {
        assert_eq!(
            split("The plan has three parts:\n- arms\n* training\n• intelligence"),
            [
                "The plan has three parts:",
                "- arms",
                "* training",
                "• intelligence"
            ]
        );
        assert_eq!(
            split("Steps\n1. Mix the flour\n2) Bake it\na) Eat it"),
            ["Steps", "1. Mix the flour", "2) Bake it", "a) Eat it"]
        );
        assert_eq!(
            split("1. Mix it. Then bake.\n2. Eat it."),
            ["1. Mix it.", "Then bake.", "2. Eat it."]
        );
    }

    #[test]
    fn colon_in_dateline_does_not_split() {
        assert_eq!(
            split("Libya (HRNW): Major powers met in Vienna on Monday."),
            ["Libya (HRNW): Major powers met in Vienna on Monday."]
        );
    }

    #[test]
    fn long_unpunctuated_run_is_one_sentence() {
        let text = "word ".repeat(5000);
        assert_eq!(split(&text), [text.trim_end()]);
    }

    #[test]
    fn chinese_splits_at_cjk_terminators() {
        assert_eq!(
            split("今天下雨了。我们不去了！好吗？"),
            ["今天下雨了。", "我们不去了！", "好吗？"]
        );
        assert_eq!(
            split("他说：「走。」然后走了。"),
            ["他说：「走。」", "然后走了。"]
        );
    }

    #[test]
    fn arabic_hebrew_and_devanagari_split() {
        assert_eq!(
            split("هل أنت بخير؟ أنا بخير."),
            ["هل أنت بخير؟", "أنا بخير."]
        );
        assert_eq!(split("שלום עולם. מה שלומך?"), ["שלום עולם.", "מה שלומך?"]);
        assert_eq!(split("यह घर है। वह कहाँ है॥"), ["यह घर है।", "वह कहाँ है॥"]);
    }

    #[test]
    fn emoji_and_combining_marks_are_kept_whole() {
        assert_eq!(split("We 👩‍👩‍👧 met. They left."), ["We 👩‍👩‍👧 met.", "They left."]);
        assert_eq!(
            split("Cafe\u{301} opened. It closed."),
            ["Cafe\u{301} opened.", "It closed."]
        );
        assert_eq!(split("\u{301}"), Vec::<&str>::new());
        check_contract("\u{301}. \u{301}a.\u{200D}");
    }

    #[test]
    fn contract_holds_on_every_prefix_of_awkward_text() {
        let tricky = "\u{FEFF}Mr. X.\u{301} 今天。«Hi!»\r\n\r\n– ‘N’ –\n1. a)\u{0}\t\
                      \u{200D}👩‍👩‍👧 U.S. The… we. Europe.IS x@y.Co http://a.b/C.D?E!F \
                      3.5%. ؟ مرحبا۔ שלום. \u{2029}* * *\n\u{85}“(IS).” No. 5 ...\"'";
        let mut cases = vec![
            String::new(),
            ".".repeat(1000),
            "a.".repeat(1000),
            "A. ".repeat(1000),
            "\n".repeat(100),
            "\u{301}".repeat(50),
        ];
        for (at, _) in tricky.char_indices() {
            cases.push(tricky[..at].to_owned());
            cases.push(tricky[at..].to_owned());
        }
        for case in &cases {
            check_contract(case);
        }
    }
}
