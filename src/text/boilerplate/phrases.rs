//! The phrase lists, the English the rules look for (page chrome, bylines,
//! caption openers, kickers, photo directions, verbs of saying, months),
//! and the [`Phrases`] index, which compares a sentence only with the
//! phrases that share its first two bytes. Sentences are compared
//! [`bare`], without the punctuation around them.

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
/// [`MAX_PAGE_LINE_WORDS`](super::MAX_PAGE_LINE_WORDS) words long are page furniture.
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
/// [`MAX_PAGE_LINE_WORDS`](super::MAX_PAGE_LINE_WORDS) words long are bylines.
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
pub(super) const SAYING: &[&str] = &[
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
pub(super) const CLAUSE_OPENERS: &[&str] = &[
    "he", "she", "it", "they", "we", "i", "you", "this", "that", "these", "those", "there", "who",
    "what", "which", "where", "when", "why", "how", "his", "her", "their", "its", "our", "my",
    "your", "a", "an", "the", "one",
];

/// Words after "A"/"An"/"The" that do not start a noun phrase ("from A to
/// B", "Patient A and"), so no run-in cut is made before them.
pub(super) const NOT_AFTER_ARTICLE: &[&str] = &[
    "and", "or", "to", "of", "in", "is", "was", "on", "at", "by", "for", "with", "as",
];

/// Month names, for dates.
pub(super) const MONTHS: &[&str] = &[
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

/// The sentence without the quotes, brackets, dashes and punctuation
/// around it.
pub(super) fn bare(sentence: &str) -> &str {
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
pub(super) fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A list of lowercase phrases, indexed by their first two bytes: a text
/// is compared only with the phrases that start with its own first two
/// bytes (lowercased), which for nearly every sentence is none of them
/// (by the first byte alone, a sentence starting with "The" or "S" was
/// compared with several).
pub(super) struct Phrases {
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
    pub(super) fn starts(&self, text: &str) -> bool {
        self.candidates(text)
            .any(|p| starts_with_ignore_case(text, p))
    }

    /// Whether `text` is one of the phrases, ignoring ASCII case.
    pub(super) fn equals(&self, text: &str) -> bool {
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

pub(super) static PAGE_LINE_PHRASES: Phrases = Phrases::new(PAGE_LINES);
pub(super) static PAGE_PREFIX_PHRASES: Phrases = Phrases::new(PAGE_PREFIXES);
pub(super) static BYLINE_PREFIX_PHRASES: Phrases = Phrases::new(BYLINE_PREFIXES);
pub(super) static CAPTION_PREFIX_PHRASES: Phrases = Phrases::new(CAPTION_PREFIXES);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::boilerplate::tests::sentence;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

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
