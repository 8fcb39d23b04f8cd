//! The term of each word form, remembered per thread.
//!
//! Turning a word into a term (fold its case and width, drop it if it is a
//! stopword or has no letter or digit, stem it) costs some 300 instructions
//! for a short ASCII word and 3,000 more with Snowball's stemmer; looking up
//! the word as it appears in the text costs some 50. Word forms repeat
//! within a document and from one request to the next (a news story's are
//! nearly all in the last few hundred stories'), so each thread remembers
//! the term of every form it has met, by language. A per-document map
//! would pay for learning each distinct form of every document again, and
//! a map shared between threads for a lock on every word.
//!
//! Memory stays bounded by the number of threads: a thread keeps at most
//! [`MAX_FORMS`] forms of each of at most [`MAX_LANGUAGES`] languages
//! (a few megabytes), and starts that part afresh when it is full.

use std::cell::RefCell;

use foldhash::HashMap;
use rust_stemmers::Stemmer;
use xxhash_rust::xxh3::xxh3_64;

use super::{Language, tokenize};

/// Most word forms a thread remembers for one language.
pub const MAX_FORMS: usize = 20_000;

/// Most languages a thread remembers forms of; a thread that meets one
/// more forgets them all.
pub const MAX_LANGUAGES: usize = 4;

/// A content word's term: its case-folded, stemmed form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term<'l> {
    /// The term's text.
    pub text: &'l str,
    /// [`term_hash`] of `text`, worked out once per form.
    pub hash: u64,
}

/// The hash of a term's text: xxh3, stable across processes, machines and
/// versions, because the classifier's model files store buckets made from
/// it.
pub fn term_hash(text: &str) -> u64 {
    xxh3_64(text.as_bytes())
}

thread_local! {
    static LEXICON: RefCell<Vec<Terms>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with this thread's remembered terms of `language`. Calls do
/// not nest: a nested call (which nothing makes) gets an empty, throw-away
/// lexicon instead of a panic.
pub fn with<R>(language: Language, f: impl FnOnce(&mut Terms) -> R) -> R {
    LEXICON.with(|lexicon| match lexicon.try_borrow_mut() {
        Ok(mut languages) => {
            let index = match languages.iter().position(|t| t.language == language) {
                Some(index) => index,
                None => {
                    if languages.len() >= MAX_LANGUAGES {
                        languages.clear();
                    }
                    languages.push(Terms::new(language));
                    languages.len() - 1
                }
            };
            f(&mut languages[index])
        }
        Err(_) => f(&mut Terms::new(language)),
    })
}

/// One language's remembered terms (see the module documentation).
pub struct Terms {
    language: Language,
    stemmer: Option<Stemmer>,
    /// Word forms as they appear in texts, with their term (an index into
    /// `terms`), `None` for stopwords and words with no letter or digit.
    forms: HashMap<Box<str>, Option<u32>>,
    /// The same for case-folded forms, so that "Oil" and "OIL" are stemmed
    /// once.
    folded: HashMap<Box<str>, Option<u32>>,
    /// Term texts with their hashes.
    terms: Vec<(Box<str>, u64)>,
    /// A buffer for folding.
    buffer: String,
}

impl Terms {
    fn new(language: Language) -> Self {
        Self {
            language,
            stemmer: language.stemmer().map(Stemmer::create),
            forms: HashMap::default(),
            folded: HashMap::default(),
            terms: Vec::new(),
            buffer: String::new(),
        }
    }

    /// The term of `word` (as it appears in a text), `None` for a stopword
    /// or a word with no letter or digit.
    pub fn term(&mut self, word: &str) -> Option<Term<'_>> {
        let id = match self.forms.get(word) {
            Some(&id) => id,
            None => self.learn(word),
        };
        id.map(|id| {
            let (text, hash) = &self.terms[id as usize];
            Term { text, hash: *hash }
        })
    }

    /// Works out the term of a form met for the first time and remembers
    /// it.
    fn learn(&mut self, word: &str) -> Option<u32> {
        if self.forms.len() >= MAX_FORMS {
            self.forms.clear();
            self.folded.clear();
            self.terms.clear();
        }
        tokenize::fold_into(word, &mut self.buffer);
        let folded = self.buffer.as_str();
        let id = match self.folded.get(folded) {
            Some(&id) => id,
            None => {
                let content =
                    !self.language.is_stopword(folded) && folded.chars().any(char::is_alphanumeric);
                let id = content.then(|| {
                    let stem = match &self.stemmer {
                        Some(stemmer) => stemmer.stem(folded),
                        None => folded.into(),
                    };
                    self.terms.push((stem.as_ref().into(), term_hash(&stem)));
                    (self.terms.len() - 1) as u32
                });
                self.folded.insert(folded.into(), id);
                id
            }
        };
        self.forms.insert(word.into(), id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(language: Language, word: &str) -> Option<String> {
        with(language, |terms| {
            terms.term(word).map(|t| t.text.to_owned())
        })
    }

    #[test]
    fn terms_are_folded_stemmed_and_hashed() {
        let en = Language::from_code("en").unwrap();
        assert_eq!(text_of(en, "Running"), Some("run".into()));
        // Again, from what the thread remembers.
        assert_eq!(text_of(en, "Running"), Some("run".into()));
        assert_eq!(text_of(en, "RUNNING"), Some("run".into()));
        assert_eq!(text_of(en, "Libya\u{2019}s"), Some("libya".into()));
        assert_eq!(text_of(en, "The"), None);
        assert_eq!(text_of(en, "_"), None);
        let hash = with(en, |terms| terms.term("militias").map(|t| t.hash));
        assert_eq!(hash, Some(term_hash("militia")));
        // Languages are kept apart; one without a stemmer keeps the form.
        let de = Language::from_code("de").unwrap();
        assert_eq!(text_of(de, "Häuser"), Some("haus".into()));
        assert_eq!(text_of(en, "houses"), Some("hous".into()));
        let zh = Language::from_code("zh").unwrap();
        assert_eq!(text_of(zh, "Running"), Some("running".into()));
    }

    #[test]
    fn memory_stays_bounded_and_answers_stay_right() {
        let en = Language::from_code("en").unwrap();
        with(en, |terms| {
            for i in 0..MAX_FORMS + 10 {
                terms.term(&format!("walking{i}"));
                assert!(terms.forms.len() <= MAX_FORMS);
                assert!(terms.terms.len() <= MAX_FORMS);
            }
            assert_eq!(terms.term("walking").map(|t| t.text), Some("walk"));
        });
        for code in ["de", "fr", "es", "it", "nl", "en"] {
            let language = Language::from_code(code).unwrap();
            with(language, |terms| terms.term("x1").is_some());
            LEXICON.with(|l| assert!(l.borrow().len() <= MAX_LANGUAGES));
        }
        assert_eq!(text_of(en, "walking"), Some("walk".into()));
    }

    #[test]
    fn nested_use_does_not_panic() {
        let en = Language::from_code("en").unwrap();
        let inner = with(en, |_| text_of(en, "houses"));
        assert_eq!(inner, Some("hous".into()));
    }
}
