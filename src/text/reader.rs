//! One pass over a text's words in its language: the word pipeline that
//! the document analysis and classification share.
//!
//! A word's term depends on the language, which detection decides from the
//! stopwords of the text's first words ([`PrefixVote`]). Rather than read
//! the words once to detect and again to look them up, a pass looks each
//! word up in the lexicon of the worker's last language (nearly always the
//! text's, on a worker serving one language) and counts its stopwords as
//! the lexicon knows them. Once the vote names that language the pass goes
//! on, having folded and hashed no word twice; when it names another, the
//! pass stops and runs again in that language. The language decided is the
//! one [`crate::text::Language::detect_with_words`] decides on the same
//! words, so the answer never depends on the worker's last language, only
//! the cost does.

use super::Language;
use super::language::{LanguageChoice, LanguageRequest, PrefixVote};
use super::lexicon::{Lexicon, Terms, Word};

/// A pass's view of the words: each word's term and form, in the language
/// the pass runs in.
pub struct Reader<'a, 't> {
    terms: &'a mut Terms,
    language: Language,
    vote: Option<&'a mut PrefixVote<'t>>,
    stopped: bool,
}

impl Reader<'_, '_> {
    /// The language the words are looked up in.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The word `word` that ends at byte `end` of the text, looked up; or
    /// `None` once the language vote names another language than this
    /// pass's: the pass must then return at once (with anything), and it
    /// runs again in that language.
    #[inline]
    pub fn word(&mut self, word: &str, end: usize) -> Option<Word<'_>> {
        let known = self.terms.word(word);
        if let Some(vote) = self.vote.as_deref_mut()
            && let Some(other) = vote.add(end, known.form.stopwords)
            && other != self.language
        {
            self.stopped = true;
            return None;
        }
        Some(known)
    }
}

/// Runs `pass` over `text`'s words in the language `request` names or
/// detection decides, with `lexicon`'s remembered terms; the language and
/// what the pass made. A pass calls [`Reader::word`] for each word in text
/// order and returns when it gets `None`; when detecting, the first pass
/// may run in another language and be thrown away.
pub fn read<T>(
    text: &str,
    request: LanguageRequest,
    lexicon: &mut Lexicon,
    mut pass: impl FnMut(&mut Reader<'_, '_>) -> T,
) -> (LanguageChoice, T) {
    let choice = match request {
        LanguageRequest::Given(language) => LanguageChoice::requested(language),
        LanguageRequest::Detect { fallback } => {
            let mut vote = PrefixVote::new(text, fallback);
            let terms = lexicon.recent();
            let language = terms.language();
            let mut reader = Reader {
                terms,
                language,
                vote: Some(&mut vote),
                stopped: false,
            };
            let made = pass(&mut reader);
            let stopped = reader.stopped;
            let choice = vote.finish();
            if !stopped && choice.language == language {
                return (choice, made);
            }
            choice
        }
    };
    let mut reader = Reader {
        terms: lexicon.terms(choice.language),
        language: choice.language,
        vote: None,
        stopped: false,
    };
    (choice, pass(&mut reader))
}
