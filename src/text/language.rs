//! Languages: validation of requested ISO 639-1 codes, detection when none is
//! given, and the stemmer and stopword list that go with each language.
//!
//! A language is *supported* when `whatlang` can detect it: those are the
//! languages the service can say something about. Stemming and stopwords are
//! applied where `rust-stemmers` and `stop-words` cover the language; the rest
//! are processed on case-folded words alone.

use std::collections::HashSet;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// How much of a document language detection reads. Detection is linear in
/// its input (about 50 ns a byte) and two kilobytes, some 300 words, are
/// plenty to tell languages apart, so long documents do not pay for it.
const DETECTION_PREFIX_BYTES: usize = 2 * 1024;

/// A language the pipeline can process, with its stemmer and stopwords.
#[derive(Clone, Copy)]
pub struct Language {
    /// ISO 639-1 code, or `"und"` when detection found nothing.
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
    /// The language used when detection cannot decide: no stemming, no
    /// stopwords, words are only case-folded.
    pub fn undetermined() -> Self {
        Self {
            code: "und",
            stemmer: None,
            stopwords: None,
        }
    }

    /// The language for an ISO 639-1 code (case-insensitive), if supported.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        supported_codes()
            .iter()
            .find(|c| **c == code)
            .map(|c| Self::for_supported(c))
    }

    /// Detects the language of `text`; [`Language::undetermined`] when the
    /// text gives no clue (digits, symbols) or its language is unsupported.
    pub fn detect(text: &str) -> Self {
        let mut end = text.len().min(DETECTION_PREFIX_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        whatlang::detect_lang(&text[..end])
            .and_then(|lang| iso_639_1(lang.code()))
            .and_then(Self::from_code)
            .unwrap_or_else(Self::undetermined)
    }

    /// The ISO 639-1 code (or `"und"`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// A stemmer for this language, if it has one. Stemmers are cheap to
    /// build; callers build one per document.
    pub fn stemmer(&self) -> Option<Stemmer> {
        self.stemmer.map(Stemmer::create)
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

/// Every ISO 639-1 code the service accepts, sorted.
pub fn supported_codes() -> &'static [&'static str] {
    static CODES: OnceLock<Vec<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes: Vec<&'static str> = whatlang::Lang::all()
            .iter()
            .filter_map(|lang| iso_639_1(lang.code()))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    })
}

/// ISO 639-1 code of a whatlang (ISO 639-3) code. whatlang names two
/// languages by individual codes that have no 639-1 code of their own; they
/// map to their macrolanguage's, which is what clients send.
fn iso_639_1(iso_639_3: &str) -> Option<&'static str> {
    match iso_639_3 {
        "cmn" => Some("zh"),
        "pes" => Some("fa"),
        code => isolang::Language::from_639_3(code).and_then(|l| l.to_639_1()),
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

/// Stopword sets, built on first use of each language and kept for the life
/// of the process (a few hundred words each).
fn stopwords_for(code: &'static str) -> Option<&'static HashSet<String>> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static SETS: OnceLock<Mutex<HashMap<&'static str, &'static HashSet<String>>>> = OnceLock::new();
    let words = stop_words::lookup(code)?;
    let sets = SETS.get_or_init(Default::default);
    // A poisoned lock only means another thread panicked while inserting; the
    // map itself is still consistent, so keep using it.
    let mut sets = sets.lock().unwrap_or_else(|e| e.into_inner());
    let set = sets.entry(code).or_insert_with(|| {
        Box::leak(Box::new(
            words
                .iter()
                .map(|w| crate::text::tokenize::fold(w))
                .collect(),
        ))
    });
    Some(*set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_validated_case_insensitively() {
        assert_eq!(Language::from_code("EN").map(|l| l.code()), Some("en"));
        assert!(Language::from_code("xx").is_none());
        assert!(Language::from_code("").is_none());
        assert!(Language::from_code("english").is_none());
    }

    #[test]
    fn english_has_stemmer_and_stopwords() {
        let en = Language::from_code("en").unwrap();
        assert!(en.is_stopword("the"));
        assert!(!en.is_stopword("militia"));
        assert_eq!(en.stemmer().unwrap().stem("running"), "run");
    }

    #[test]
    fn detects_common_languages() {
        let de = "Die Regierung hat am Montag in Wien über die wachsende Bedrohung gesprochen, \
                  die von der Gruppe ausgeht.";
        assert_eq!(Language::detect(de).code(), "de");
        let en = "The government said on Monday that the talks in Vienna would continue.";
        assert_eq!(Language::detect(en).code(), "en");
        assert_eq!(Language::detect("12345 !!!").code(), "und");
    }

    #[test]
    fn languages_without_stemmer_still_process() {
        let zh = Language::from_code("zh").unwrap();
        assert!(zh.stemmer().is_none());
        assert_eq!(
            Language::detect("今天下雨了。我们不去公园了！明天会晴吗？").code(),
            "zh"
        );
        assert!(Language::from_code("fa").is_some());
    }
}
