//! The term of each word form, remembered by each analysis worker.
//!
//! Turning a word into a term (fold its case and width, drop it if it is a
//! stopword or has no letter or digit, stem it) costs several times, and
//! with Snowball's stemmer tens of times, what looking the word up as it
//! appears in the text costs. Word forms repeat within a document and from
//! one request to the next (a news story's are nearly all in the last few
//! hundred stories'), so each worker keeps a [`Lexicon`], the term of every
//! form it has met, by language, and passes it to the analyses it runs. A
//! per-document map would pay for learning each distinct form of every
//! document again, and a map shared between workers for a lock on every
//! word.
//!
//! Memory stays bounded by the number of workers: a lexicon keeps at most
//! [`MAX_FORMS`] forms of each of at most [`MAX_LANGUAGES`] languages,
//! and starts a language afresh when it is full. Keeping only the forms met
//! most often instead would save stemming but cost more in the passes over
//! the forms and the frees of the rest: most new forms are met once. A form
//! takes some 130 bytes with its term (its key is kept in the table entry,
//! term texts share one buffer), so a full language takes some 13 MB a
//! lexicon; a server has one per analysis in flight.

use compact_str::CompactString;
use foldhash::HashMap;
use hashbrown::HashTable;
use rust_stemmers::Stemmer;
use std::hash::BuildHasher;
use xxhash_rust::xxh3::xxh3_64;

use super::language::{StopwordLanguages, stopword_languages};
use super::{Language, tokenize};

/// Most word forms a lexicon remembers for one language: enough for the
/// whole vocabulary of a news feed and most of a forum's, so that a worker
/// in steady state rarely clears its forms and relearns the common ones,
/// for some 13 MB a full language takes in a lexicon.
pub const MAX_FORMS: usize = 100_000;

/// Most languages a lexicon remembers forms of; a lexicon that meets one
/// more forgets the one it knows the fewest forms of.
pub const MAX_LANGUAGES: usize = 4;

/// A content word's term: its case-folded, stemmed form.
///
/// The text is read only when asked for ([`Term::text`]): classification
/// needs the hash alone, and reading the text from the lexicon's buffer
/// for every word was a cache miss a word.
#[derive(Debug, Clone, Copy)]
pub struct Term<'l> {
    /// [`term_hash`] of the text, worked out once per form.
    pub hash: u64,
    id: u32,
    texts: &'l TermTexts,
}

impl<'l> Term<'l> {
    /// The term's text.
    pub fn text(&self) -> &'l str {
        // Every id a form holds was given by the lexicon's `TermTexts`
        // since both were last cleared (they are cleared together), so the
        // text is there; the empty string stands in rather than a panic if
        // it ever were not.
        self.texts.get(self.id as usize).unwrap_or_default()
    }
}

impl PartialEq for Term<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.text() == other.text()
    }
}

impl Eq for Term<'_> {}

/// Term strings by id, in one buffer: a document's vocabulary and a
/// lexicon's terms. A document has some hundreds of terms, and a `String`
/// each would cost an allocation to make and one to free, a noticeable
/// share of analysing a news story; a lexicon has up to [`MAX_FORMS`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermTexts {
    text: String,
    /// Where each term ends in `text` (each starts where the one before
    /// ends).
    ends: Vec<u32>,
}

impl TermTexts {
    /// Room for `terms` terms of `bytes` bytes in all.
    pub(crate) fn with_capacity(terms: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(terms),
        }
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no term.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Term `id`'s text, if there is such a term.
    pub fn get(&self, id: usize) -> Option<&str> {
        let end = *self.ends.get(id)? as usize;
        let start = match id {
            0 => 0,
            _ => self.ends[id - 1] as usize,
        };
        self.text.get(start..end)
    }

    /// The terms' texts in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|id| self.get(id))
    }

    /// Adds a term; its id.
    pub(crate) fn push(&mut self, term: &str) -> u32 {
        self.text.push_str(term);
        self.ends.push(self.text.len() as u32);
        (self.ends.len() - 1) as u32
    }

    /// Forgets every term.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }
}

impl std::ops::Index<usize> for TermTexts {
    type Output = str;

    /// Term `id`'s text; panics past the last term, like a slice. It
    /// cannot on a request's path: every id a document holds was given by
    /// its own vocabulary, which stores the term before it returns the id,
    /// and the analyses index a document's terms with its own ids only
    /// (`get` is there for any other id; the lexicon uses it).
    fn index(&self, id: usize) -> &str {
        match self.get(id) {
            Some(text) => text,
            None => panic!("term {id} of {}", self.len()),
        }
    }
}

/// The hash of a term's text: xxh3, stable across processes, machines and
/// versions, because the classifier's model files store buckets made from
/// it.
pub fn term_hash(text: &str) -> u64 {
    xxh3_64(text.as_bytes())
}

/// The remembered word forms of a few languages: the state an analysis
/// worker keeps from one text to the next (see the module documentation).
/// It is a cache and nothing more: a word's term and form depend on the
/// word and the language alone, never on what the lexicon met before, so
/// an answer is the same whatever texts a worker analysed earlier (the
/// property tests check it).
#[derive(Default)]
pub struct Lexicon {
    /// The language used last is kept last, for [`Lexicon::recent`].
    languages: Vec<Terms>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.languages
                    .iter()
                    .map(|t| (t.language().code(), t.forms.len())),
            )
            .finish()
    }
}

impl Lexicon {
    /// A lexicon that knows no form yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The remembered terms of `language`, which becomes the most recent.
    pub fn terms(&mut self, language: Language) -> &mut Terms {
        let languages = &mut self.languages;
        match languages
            .iter()
            .position(|t| t.learner.language == language)
        {
            Some(index) => {
                let last = languages.len() - 1;
                languages.swap(index, last);
            }
            None => {
                // Forget the language with the fewest forms: the one the
                // worker's traffic is mostly in stays, however many others
                // short texts are detected as.
                if languages.len() >= MAX_LANGUAGES
                    && let Some(smallest) =
                        (0..languages.len()).min_by_key(|&i| languages[i].forms.len())
                {
                    languages.swap_remove(smallest);
                }
                languages.push(Terms::new(language));
            }
        }
        let last = languages.len() - 1;
        &mut languages[last]
    }

    /// The remembered terms of the language used last (English on a
    /// lexicon that has been used for none): where a text's language is
    /// not known yet, its words are most likely in the language of the
    /// worker's last text, so looking them up there first lets language
    /// detection read their [`Form::stopwords`] instead of folding and
    /// hashing each word again (see [`crate::text::words`]).
    pub fn recent(&mut self) -> &mut Terms {
        let language = self
            .languages
            .last()
            .map_or_else(Language::english, Terms::language);
        self.terms(language)
    }
}

/// What the pipeline knows of a word form besides its term.
#[derive(Debug)]
pub struct Form {
    /// The form's term, an index into [`Terms`]'s term texts; `None` for
    /// stopwords and words with no letter or digit.
    term: Option<u32>,
    /// [`term_hash`] of the term (0 without one): kept here, beside the
    /// form, so that a lookup touches no memory but the form's entry.
    term_hash: u64,
    /// xxh3 of the word's normal form ([`tokenize::normal_form`]): what
    /// duplicate detection compares.
    pub normal_hash: u64,
    /// Whether the word holds an ASCII digit ("2011", "5,000", "3.5").
    pub numeric: bool,
    /// Whether the case-folded word is an English negation
    /// ([`is_negation`]), whatever the language.
    pub negation: bool,
    /// The languages whose stopwords the case-folded word is, whatever
    /// the lexicon's language: what language detection counts.
    pub stopwords: StopwordLanguages,
}

/// A word looked up in [`Terms`]: its term and its form.
#[derive(Debug, Clone, Copy)]
pub struct Word<'l> {
    /// The term, `None` for stopwords and words with no letter or digit.
    pub term: Option<Term<'l>>,
    /// Everything else known of the form.
    pub form: &'l Form,
}

/// One language's remembered word forms (see the module documentation).
pub struct Terms {
    /// Word forms as they appear in texts. A `CompactString` keeps forms of
    /// up to 24 bytes (nearly all) in the map's own entry: with a `String`,
    /// comparing the key read it from its own allocation, a cache miss a
    /// word that took a fifth of classifying a text in steady state.
    forms: HashTable<(CompactString, Form)>,
    /// The hasher of `forms`.
    hasher: foldhash::fast::RandomState,
    learner: Learner,
}

/// What [`Terms`] needs to learn a new form.
struct Learner {
    language: Language,
    stemmer: Option<Stemmer>,
    /// The term (id and hash) of each case-folded form, so that "Oil" and
    /// "OIL" are stemmed once.
    folded: HashMap<CompactString, Option<(u32, u64)>>,
    /// Term texts.
    terms: TermTexts,
    /// Buffers for folding and normal forms.
    buffer: String,
    normal: Vec<u8>,
}

impl Terms {
    fn new(language: Language) -> Self {
        Self {
            forms: HashTable::new(),
            hasher: Default::default(),
            learner: Learner {
                language,
                stemmer: language.stemmer().map(Stemmer::create),
                folded: HashMap::default(),
                terms: TermTexts::default(),
                buffer: String::new(),
                normal: Vec::new(),
            },
        }
    }

    /// The language whose terms these are.
    pub fn language(&self) -> Language {
        self.learner.language
    }

    /// The term of `word` (as it appears in a text), `None` for a stopword
    /// or a word with no letter or digit.
    pub fn term(&mut self, word: &str) -> Option<Term<'_>> {
        self.word(word).term
    }

    /// Everything known of `word` (as it appears in a text).
    pub fn word(&mut self, word: &str) -> Word<'_> {
        let Self {
            forms,
            hasher,
            learner,
        } = self;
        let hash = hasher.hash_one(word);
        let eq = |(form, _): &(CompactString, Form)| form == word;
        if forms.len() >= MAX_FORMS && forms.find(hash, eq).is_none() {
            forms.clear();
            learner.folded.clear();
            learner.terms.clear();
        }
        let (_, form) = forms
            .entry(hash, eq, |(form, _)| hasher.hash_one(form.as_str()))
            .or_insert_with(|| (word.into(), learner.learn(word)))
            .into_mut();
        let term = form.term.map(|id| Term {
            hash: form.term_hash,
            id,
            texts: &learner.terms,
        });
        Word { term, form }
    }
}

impl Learner {
    /// Works out what the pipeline knows of a form met for the first time.
    fn learn(&mut self, word: &str) -> Form {
        tokenize::fold_into(word, &mut self.buffer);
        let folded = self.buffer.as_str();
        let term = match self.folded.get(folded) {
            Some(&term) => term,
            None => {
                let content =
                    !self.language.is_stopword(folded) && folded.chars().any(char::is_alphanumeric);
                let term = content.then(|| {
                    let stem = match &self.stemmer {
                        Some(stemmer) => stemmer.stem(folded),
                        None => folded.into(),
                    };
                    (self.terms.push(&stem), term_hash(&stem))
                });
                self.folded.insert(folded.into(), term);
                term
            }
        };
        tokenize::normal_form(word, &mut self.normal);
        Form {
            term: term.map(|(id, _)| id),
            term_hash: term.map_or(0, |(_, hash)| hash),
            normal_hash: xxh3_64(&self.normal),
            numeric: word.bytes().any(|b| b.is_ascii_digit()),
            negation: is_negation(folded),
            stopwords: stopword_languages(folded),
        }
    }
}

/// English negation words: a verb form ending in "n't" ("didn't", "can't";
/// typographic apostrophes are already plain in folded words), or one of
/// the words below.
pub const NEGATIONS: [&str; 10] = [
    "not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "cannot", "without",
];

/// Whether the case-folded word `folded` negates (see [`NEGATIONS`]).
pub fn is_negation(folded: &str) -> bool {
    // Most words fail the first test: every negation ends in 'e', 'g', 'o',
    // 'r', 't' or 'y'.
    match folded.as_bytes().last() {
        Some(b't') => folded.ends_with("n't") || NEGATIONS.contains(&folded),
        Some(b'e' | b'g' | b'o' | b'r' | b'y') => NEGATIONS.contains(&folded),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(lexicon: &mut Lexicon, language: Language, word: &str) -> Option<String> {
        lexicon
            .terms(language)
            .term(word)
            .map(|t| t.text().to_owned())
    }

    #[test]
    fn terms_are_folded_stemmed_and_hashed() {
        let lexicon = &mut Lexicon::new();
        let en = Language::from_code("en").unwrap();
        assert_eq!(text_of(lexicon, en, "Running"), Some("run".into()));
        // Again, from what the lexicon remembers.
        assert_eq!(text_of(lexicon, en, "Running"), Some("run".into()));
        assert_eq!(text_of(lexicon, en, "RUNNING"), Some("run".into()));
        assert_eq!(text_of(lexicon, en, "Libya\u{2019}s"), Some("libya".into()));
        assert_eq!(text_of(lexicon, en, "The"), None);
        assert_eq!(text_of(lexicon, en, "_"), None);
        let hash = lexicon.terms(en).term("militias").map(|t| t.hash);
        assert_eq!(hash, Some(term_hash("militia")));
        // Languages are kept apart; one without a stemmer keeps the form.
        let de = Language::from_code("de").unwrap();
        assert_eq!(text_of(lexicon, de, "Häuser"), Some("haus".into()));
        assert_eq!(text_of(lexicon, en, "houses"), Some("hous".into()));
        let zh = Language::from_code("zh").unwrap();
        assert_eq!(text_of(lexicon, zh, "Running"), Some("running".into()));
    }

    #[test]
    fn memory_stays_bounded_and_answers_stay_right() {
        let lexicon = &mut Lexicon::new();
        let en = Language::from_code("en").unwrap();
        let terms = lexicon.terms(en);
        for i in 0..MAX_FORMS + 10 {
            terms.term(&format!("walking{i}"));
            assert!(terms.forms.len() <= MAX_FORMS);
            assert!(terms.learner.terms.len() <= MAX_FORMS);
        }
        assert_eq!(terms.term("walking").map(|t| t.text()), Some("walk"));
        let known = |lexicon: &mut Lexicon| lexicon.terms(en).forms.len();
        let before = known(lexicon);
        assert!(before > 1);
        // Texts in many other languages evict each other, not the
        // language the lexicon knows most forms of.
        for code in ["de", "fr", "es", "it", "nl", "pt", "de"] {
            let language = Language::from_code(code).unwrap();
            lexicon.terms(language).term("x1");
            assert!(lexicon.languages.len() <= MAX_LANGUAGES);
        }
        assert_eq!(known(lexicon), before);
        assert_eq!(text_of(lexicon, en, "walking"), Some("walk".into()));
    }

    #[test]
    fn forms_know_their_normal_form_digits_and_negation() {
        let lexicon = &mut Lexicon::new();
        let en = Language::from_code("en").unwrap();
        {
            let terms = lexicon.terms(en);
            let word = terms.word("U.S.");
            assert_eq!(word.form.normal_hash, xxh3_64(b"us"));
            assert!(!word.form.numeric && !word.form.negation);
            let word = terms.word("Didn\u{2019}t");
            assert!(word.form.negation);
            assert_eq!(word.term, None, "a stopword");
            assert!(terms.word("5,000").form.numeric);
            assert!(terms.word("Without").form.negation);
        }
    }
}
