//! Languages: validation of requested ISO 639-1 codes, detection when none is
//! given, and the stemmer and stopword list that go with each language.
//!
//! # Detection
//!
//! Detection looks at the first [`DETECTION_PREFIX_BYTES`] of a text. It
//! first counts, for every supported language with a stopword list, how
//! many of the prefix's words are its stopwords: function words ("the",
//! "und", "les") make up a third to a half of running text and are nearly
//! disjoint between languages, so when one language's stopwords clearly
//! dominate (at least [`STOPWORD_MIN_SHARE`] of at least
//! [`STOPWORD_MIN_WORDS`] words, and [`STOPWORD_MARGIN`] times the
//! runner-up's count) that is the answer; a landslide early in the prefix
//! ends the count there. Where the counts are close because short
//! stopwords are shared ("a", "in", "to" are English, Slovenian and Czech
//! stopwords alike), the stopwords of two letters or more that only one of
//! two languages lists decide ([`winner_by_own_words`]), which leaves far
//! fewer short English texts to `whatlang`, and fewer that it takes for
//! French, Danish or Latin. This costs one pass over the prefix's words and
//! a hash lookup per word, far less than `whatlang`'s trigram profiles,
//! which cost as much on a short prefix as on a long one. Every other text
//! (short ones, close languages such as Danish and Norwegian whose
//! stopwords overlap, scripts without stopword lists) goes to `whatlang`.
//! On English news the stopword path decides almost always and agrees with
//! `whatlang`; the tests check both paths on texts in a dozen languages.
//!
//! # When detection is unsure
//!
//! Short texts (a support ticket, a chat message, a headline) have too few
//! stopwords to decide, and `whatlang`'s trigram profiles are a guess on a
//! handful of words ("I forgot my password." reads as Bokmål). Where the
//! stopwords do not decide and `whatlang` does not call its own answer
//! reliable, the text gets the deployment's default language
//! ([`LanguageRequest::Detect`]), reported as [`LanguageSource::Default`],
//! unless the text itself speaks against it: it is written in a script the
//! default language does not use, or it holds more stopwords of
//! `whatlang`'s guess that the default language lacks than the other way
//! round ("Je ne trouve pas mon mot de passe" stays French under an English
//! default).
//!
//! A language is *supported* when `whatlang` can detect it: those are the
//! languages the service can say something about. Stemming and stopwords are
//! applied where `rust-stemmers` and `stop-words` cover the language; the rest
//! are processed on case-folded words alone.
//!
//! # Layout
//!
//! This file holds [`Language`], the detection prefix and the module's
//! public paths. `stopwords.rs` holds the stopword lists: each language's
//! set and the map of every stopword to the languages that list it.
//! `vote.rs` counts those languages over a prefix's words and applies the
//! rules above ([`StopwordVote`], [`PrefixVote`]). `trigrams.rs` holds
//! `whatlang`'s part (its trigram profiles decide what stopwords do not):
//! the supported codes, its candidates and the mapping of its languages to
//! ISO 639-1 codes.
//! `tests.rs` tests detection and the language API as a whole.
//!
//! [`STOPWORD_MIN_SHARE`]: vote::STOPWORD_MIN_SHARE
//! [`STOPWORD_MIN_WORDS`]: vote::STOPWORD_MIN_WORDS
//! [`STOPWORD_MARGIN`]: vote::STOPWORD_MARGIN
//! [`winner_by_own_words`]: vote::winner_by_own_words

use foldhash::HashSet;
use rust_stemmers::Algorithm;

use super::tokenize;

mod stopwords;
mod trigrams;
mod vote;

pub use self::trigrams::supported_codes;
pub use stopwords::{StopwordLanguages, stopword_languages};
pub use vote::{PrefixVote, StopwordVote};

/// How a caller wants a text's language chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LanguageRequest {
    /// This language, as the caller names it: nothing is detected.
    Given(Language),
    /// Detected, with `fallback` where detection is unsure (see the module
    /// documentation).
    Detect {
        /// The language of a text whose own words do not decide.
        fallback: Language,
    },
}

impl LanguageRequest {
    /// Detection with `fallback`, or `given` when there is one.
    pub fn given_or_detect(given: Option<Language>, fallback: Language) -> Self {
        given.map_or(Self::Detect { fallback }, Self::Given)
    }
}

impl Default for LanguageRequest {
    /// Detection with English where it is unsure: the service's default.
    fn default() -> Self {
        Self::Detect {
            fallback: Language::english(),
        }
    }
}

impl From<Option<Language>> for LanguageRequest {
    /// `Some` language is given; `None` is detected with English where
    /// detection is unsure ([`LanguageRequest::default`]).
    fn from(language: Option<Language>) -> Self {
        language.map_or_else(Self::default, Self::Given)
    }
}

impl From<Language> for LanguageRequest {
    fn from(language: Language) -> Self {
        Self::Given(language)
    }
}

/// Where the language a text was read in came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageSource {
    /// The caller named it.
    Requested,
    /// Detected from the text.
    Detected,
    /// Detection was unsure: the fallback of [`LanguageRequest::Detect`].
    Default,
}

/// A text's language and where it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageChoice {
    /// The language the text is read in.
    pub language: Language,
    /// Whether the caller named it, detection found it, or detection was
    /// unsure and it is the default.
    pub source: LanguageSource,
}

impl LanguageChoice {
    /// The choice for a language the caller named.
    pub fn requested(language: Language) -> Self {
        Self {
            language,
            source: LanguageSource::Requested,
        }
    }
}

use self::trigrams::whatlang_candidates;
use stopwords::stopwords_for;

/// How much of a document language detection reads. Detection is linear in
/// its input and two kilobytes, some 300 words, are plenty to tell
/// languages apart, so long documents do not pay for it.
const DETECTION_PREFIX_BYTES: usize = 2 * 1024;

/// A language the pipeline can process, with its stemmer and stopwords.
#[derive(Clone, Copy)]
pub struct Language {
    /// ISO 639-1 code.
    code: &'static str,
    /// Snowball stemmer algorithm, where rust-stemmers covers the language.
    stemmer: Option<Algorithm>,
    /// Index into the lazily built stopword sets.
    stopwords: Option<&'static HashSet<String>>,
}

impl std::fmt::Debug for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Language")
            .field("code", &self.code)
            .field("stemmer", &self.stemmer.is_some())
            .field("stopwords", &self.stopwords.map(HashSet::len))
            .finish()
    }
}

impl PartialEq for Language {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Language {
    /// English, the default where detection is unsure unless configured
    /// otherwise.
    pub fn english() -> Self {
        Self::for_supported("en")
    }

    /// The language for an ISO 639-1 code (case-insensitive), if supported.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        supported_codes()
            .iter()
            .find(|c| **c == code)
            .map(|c| Self::for_supported(c))
    }

    /// Detects the language of `text`, English where detection is unsure
    /// (see the module documentation).
    pub fn detect(text: &str) -> Self {
        Self::detect_or(text, Self::english()).language
    }

    /// Detects the language of `text`, `fallback` where detection is
    /// unsure, and says which of the two it is.
    pub fn detect_or(text: &str, fallback: Language) -> LanguageChoice {
        Self::detect_with_words(text, tokenize::words(text), fallback)
    }

    /// [`Language::detect_or`] for a caller that splits the text into
    /// words anyway: `words` are `text`'s words as [`tokenize::words`]
    /// gives them (only those of the prefix detection reads are taken).
    pub fn detect_with_words<'t>(
        text: &str,
        words: impl IntoIterator<Item = (usize, &'t str)>,
        fallback: Language,
    ) -> LanguageChoice {
        let prefix = prefix(text);
        let end = prefix.len();
        StopwordVote::of_words(
            words
                .into_iter()
                .take_while(|(offset, word)| offset + word.len() <= end)
                .map(|(_, word)| word),
        )
        .decide(prefix, fallback)
    }

    /// The ISO 639-1 code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The Snowball algorithm of the language's stemmer, if it has one.
    pub(super) fn stemmer(&self) -> Option<Algorithm> {
        self.stemmer
    }

    /// Whether `word` (already case-folded) is a stopword of this language.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.is_some_and(|set| set.contains(word))
    }

    fn for_supported(code: &'static str) -> Self {
        Self {
            code,
            stemmer: stemmer_for(code),
            stopwords: stopwords_for(code),
        }
    }
}

fn stemmer_for(code: &str) -> Option<Algorithm> {
    Some(match code {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    })
}

/// The part of `text` that detection reads: its first
/// [`DETECTION_PREFIX_BYTES`], cut back to a character boundary. Only the
/// words that end within it count.
pub fn prefix(text: &str) -> &str {
    let mut end = text.len().min(DETECTION_PREFIX_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Builds the process-wide tables of detection (every language's
/// stopwords, `whatlang`'s candidates), which are otherwise built by the
/// first text that needs them: since the lexicon records each new word
/// form's stopword languages, that is the first text of all, language
/// given or not. A server calls it before serving.
pub fn warm_up() {
    whatlang_candidates();
}

#[cfg(test)]
mod tests;
