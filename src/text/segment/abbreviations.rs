//! Rule 3, abbreviations: whether a single full stop after a word, followed
//! by white space, ends the sentence. It holds the word lists (titles,
//! months, other abbreviations, and the words that commonly open a
//! sentence), the checks for dotted acronyms, initials and list numbers, and
//! the token-before-the-dot reading that rule 4 also uses. The lists are
//! English (news copy's abbreviations), compared ASCII case-insensitively:
//! the one part of the segmenter tied to a language, kept apart from the
//! scan that does not depend on one.

use super::is_space;
use super::terminators::Candidate;

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

/// Abbreviations of "number" ("No. 5", "N°. 12"): not final before a digit.
const NUMBER_SIGNS: &[&str] = &["no", "nos", "n°", "nº"];

/// Prepositions that open an introductory phrase ("At 5 a.m.", "In the
/// U.S."): such a phrase of a few words is no sentence on its own.
const INTRO_PREPOSITIONS: &[&str] = &[
    "at", "by", "in", "on", "from", "until", "till", "after", "before", "around", "since", "near",
];

/// Prepositions after which "I." is an initial ("Translated by I. Shahak"):
/// the pronoun after a preposition is "me".
const PREPOSITIONS: &[&str] = &[
    "by", "of", "to", "from", "with", "for", "at", "in", "on", "about", "per", "via",
];

/// Most words, the abbreviation included, of an introductory phrase.
const MAX_INTRO_WORDS: usize = 4;

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

/// Longest token examined before a full stop; longer ones are no
/// abbreviation, and the bound keeps the scan linear on dot-riddled input.
const MAX_TOKEN_BYTES: usize = 48;

/// Rule 3: whether a single full stop followed by white space, then `next`
/// (neither lowercase nor continuing punctuation), ends the sentence.
pub(super) fn dot_ends_sentence(c: &Candidate, next_at: usize, next: char) -> bool {
    let Some((token_start, token)) = token_before(c.text, c.sentence_start, c.start)
        .map(|(start, raw)| strip_leading_punctuation(start, raw))
    else {
        return true;
    };
    if is_in(NUMBER_SIGNS, token) || is_in(MONTHS, token) {
        return !next.is_ascii_digit();
    }
    if !token.chars().next_back().is_some_and(char::is_alphanumeric) {
        // "(IS).", "— .": the dot does not follow a word.
        return true;
    }
    if is_list_label(token) && c.first_alnum() == Some(token_start) {
        return false;
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        // "in 2011. The" ends.
        return true;
    }
    if is_in(TITLES, token) && token.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    if token == "I" && follows_pronoun_context(c, token_start) {
        // The pronoun ("you and I. Did"), not an initial ("Albert I. Jones").
        return true;
    }
    if is_in(ABBREVIATIONS, token)
        || is_in(TITLES, token)
        || is_dotted_acronym(token)
        || is_single_letter(token)
    {
        let word = word_at(c.text, next_at, c.block_end);
        return opens_sentence(word)
            && !(is_in(TITLES, word) && is_intro_phrase(c.text, c.sentence_start, c.start));
    }
    true
}

/// Whether `token`, opening a sentence before a full stop, labels a list
/// item or a section: a number of up to three digits ("1. First") or a
/// lowercase letter ("a. First"; sentences open with a capital).
fn is_list_label(token: &str) -> bool {
    let digits = token.bytes().all(|b| b.is_ascii_digit());
    (digits && token.len() <= 3)
        || (is_single_letter(token) && token.starts_with(char::is_lowercase))
}

/// Whether the word before the token at `token_start` is one that the
/// pronoun "I" follows: a lowercase word ("you and I.") other than a
/// preposition ("by I. Shahak"); names stand before an initial ("Albert I.
/// Jones", "A. Smith & I. Ray").
fn follows_pronoun_context(c: &Candidate, token_start: usize) -> bool {
    let before = c.text.get(c.sentence_start..token_start).unwrap_or("");
    let floor = c.sentence_start;
    let end = floor + before.trim_end_matches(is_space).len();
    token_before(c.text, floor, end).is_some_and(|(_, word)| {
        let word = word.trim_start_matches(|ch: char| !ch.is_alphanumeric());
        word.starts_with(char::is_lowercase) && !is_in(PREPOSITIONS, word)
    })
}

/// Whether `text[start..dot]`, the sentence so far, is a short introductory
/// phrase ("At 5 a.m.", "In the U.S."): then a name after the abbreviation
/// is the subject the phrase introduces, not a new sentence's.
fn is_intro_phrase(text: &str, start: usize, dot: usize) -> bool {
    let phrase = text.get(start..dot).unwrap_or("");
    let mut words = phrase.split(is_space).filter(|word| !word.is_empty());
    let first = words
        .next()
        .unwrap_or("")
        .trim_start_matches(|ch: char| !ch.is_alphanumeric());
    first.starts_with(|ch: char| ch.is_ascii_uppercase())
        && is_in(INTRO_PREPOSITIONS, first)
        && words.take(MAX_INTRO_WORDS).count() < MAX_INTRO_WORDS
}

/// The white-space-delimited token that ends at `dot`, not reaching before
/// `floor`, with its start; `None` when longer than [`MAX_TOKEN_BYTES`].
pub(super) fn token_before(text: &str, floor: usize, dot: usize) -> Option<(usize, &str)> {
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
pub(super) fn is_abbreviation(token: &str) -> bool {
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

/// The run of ASCII letters at `at` (before `end`): the next word, as far
/// as the lists here need it.
fn word_at(text: &str, at: usize, end: usize) -> &str {
    let rest = text.get(at..end).unwrap_or("");
    let len = rest
        .bytes()
        .take(MAX_TOKEN_BYTES)
        .take_while(u8::is_ascii_alphabetic)
        .count();
    rest.get(..len).unwrap_or("")
}

/// Whether `word` is capitalised and a common sentence opener.
fn opens_sentence(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_uppercase()) && is_in(SENTENCE_OPENERS, word)
}
