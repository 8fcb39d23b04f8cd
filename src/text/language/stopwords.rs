//! The stopword lists of detection and processing: each language's set of
//! case-folded stopwords, which [`Language`] filters words with, and the
//! map of every supported language's stopwords to the languages that list
//! them, which the stopword vote counts. Both are built once per process,
//! on first use, from the `stop-words` lists.
//!
//! [`Language`]: super::Language

use std::collections::HashMap;
use std::sync::OnceLock;

use foldhash::HashSet;

use super::{supported_codes, tokenize};

/// The languages that list a case-folded word as a stopword, as a
/// [`StopwordVote`] counts them: bit `i` for the `i`-th language of the
/// stopword profiles, and whether the word has two letters or more (only
/// those count for the rule on own words: one letter is as often an
/// initial, a grade or a column of a table as the Spanish "y" or the
/// Italian "e"). Worked out once per word form by the lexicon, so that a
/// caller that looks words up there anyway counts stopwords without folding
/// or hashing a word again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StopwordLanguages {
    pub(super) mask: u64,
    pub(super) long: bool,
}

/// [`StopwordLanguages`] of the case-folded word `folded`.
pub fn stopword_languages(folded: &str) -> StopwordLanguages {
    match stopword_profiles().languages.get(folded) {
        Some(&mask) => StopwordLanguages {
            mask,
            long: folded.chars().nth(1).is_some(),
        },
        None => StopwordLanguages::default(),
    }
}

/// Every supported language's stopwords in one map, for detection: a
/// case-folded stopword to the set of languages (bits indexing `codes`)
/// that list it.
pub(super) struct StopwordProfiles {
    pub(super) codes: Vec<&'static str>,
    languages: foldhash::HashMap<String, u64>,
}

pub(super) fn stopword_profiles() -> &'static StopwordProfiles {
    static PROFILES: OnceLock<StopwordProfiles> = OnceLock::new();
    PROFILES.get_or_init(|| {
        let codes: Vec<&'static str> = supported_codes()
            .iter()
            .copied()
            .filter(|code| stop_words::lookup(code).is_some())
            .take(u64::BITS as usize)
            .collect();
        let mut languages: foldhash::HashMap<String, u64> = Default::default();
        for (bit, code) in codes.iter().enumerate() {
            for word in stop_words::lookup(code).unwrap_or_default() {
                *languages.entry(tokenize::fold(word)).or_default() |= 1 << bit;
            }
        }
        StopwordProfiles { codes, languages }
    })
}

/// Stopword sets, built on first use of each language and kept for the life
/// of the process (a few hundred words each).
pub(super) fn stopwords_for(code: &'static str) -> Option<&'static HashSet<String>> {
    use std::sync::Mutex;
    static SETS: OnceLock<Mutex<HashMap<&'static str, &'static HashSet<String>>>> = OnceLock::new();
    let words = stop_words::lookup(code)?;
    let sets = SETS.get_or_init(Default::default);
    // A poisoned lock only means another thread panicked while inserting; the
    // map itself is still consistent, so keep using it.
    let mut sets = sets.lock().unwrap_or_else(|e| e.into_inner());
    let set = sets
        .entry(code)
        .or_insert_with(|| Box::leak(Box::new(words.iter().map(|w| tokenize::fold(w)).collect())));
    Some(*set)
}
