//! The rules that judge one sentence by its own text: bylines, caption
//! labels and photo directions, run-in captions, agency captions with a
//! date, datelines and outlet tags, and whether the sentence ends like a
//! sentence. The order they run in, and what their answers make of the
//! sentence, are [`judge`](super::judge)'s.

use super::phrases::{
    CLAUSE_OPENERS, MONTHS, NOT_AFTER_ARTICLE, PHOTO_DIRECTIONS, SAYING, starts_with_ignore_case,
};

/// Longest caption label before its colon, in words ("Dry season:").
pub const MAX_LABEL_WORDS: usize = 3;

/// Fewest words before a run-in cut: shorter starts ("In The …") are not
/// caption text.
pub const MIN_RUN_IN_WORDS: usize = 4;

/// Longest dateline before the story starts, in bytes.
const MAX_DATELINE_BYTES: usize = 64;

/// Longest outlet name in an outlet tag, in bytes.
const MAX_OUTLET_BYTES: usize = 40;

/// Where a run-in caption ends: the byte of the last "A", "An" or "The"
/// after a space that passes [`is_run_in_cut`], with at least
/// [`MIN_RUN_IN_WORDS`] words before it.
pub(super) fn run_in_cut(sentence: &str) -> Option<usize> {
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

/// Whether the sentence ends like a sentence: a terminator, possibly
/// inside closing quotes or brackets.
pub(super) fn ends_with_terminator(sentence: &str) -> bool {
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
pub(super) fn is_byline(sentence: &str) -> bool {
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
/// number. Kickers ([`KICKERS`](super::KICKERS)) are labels too.
pub(super) fn label_end(sentence: &str) -> Option<usize> {
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
pub(super) fn has_photo_direction(sentence: &str) -> bool {
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

/// Whether the sentence reads like an agency photo caption: a date to the
/// day with its year, then "in" and the place ("… on May 1, 2016 in the
/// northern town of …", "… 1 May 2016 in Paris"), and no dateline.
pub(super) fn is_dated_caption(sentence: &str) -> bool {
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
pub(super) fn dateline_end(sentence: &str) -> Option<usize> {
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
    use super::*;
    use crate::text::boilerplate::tests::sentence;

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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// The search from the articles' capitals finds the cut a scan of
        /// every space finds.
        #[test]
        fn run_in_cut_is_the_last_of_every_space(sentence in sentence()) {
            proptest::prop_assert_eq!(run_in_cut(&sentence), run_in_at_every_space(&sentence));
        }

        /// A sentence without a year's digits has no date either, so the
        /// search for them may go first.
        #[test]
        fn dated_words_have_a_year(sentence in sentence()) {
            proptest::prop_assert!(!has_dated_words(&sentence) || has_year(&sentence));
        }
    }
}
