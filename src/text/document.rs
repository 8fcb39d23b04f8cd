//! A document analysed once: its sentences, and for each sentence the
//! stemmed content words as ids into a per-document vocabulary.

use std::ops::Range;

use hashbrown::HashTable;

use super::language::{LanguageRequest, LanguageSource};
use super::lexicon::{Lexicon, Term, TermTexts};
use super::reader::{self, Reader};
use super::{Language, segment, tokenize};
use crate::deadline::Deadline;

/// Index of a term in a [`Document`]'s vocabulary.
pub type TermId = u32;

/// One sentence of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Byte range of the sentence in the document's text; never empty, never
    /// starting or ending with white space, always on character boundaries.
    pub span: Range<usize>,
    /// Content terms in order of appearance: words that are not stopwords,
    /// case-folded and stemmed, as vocabulary ids. Repeats are kept.
    pub terms: Vec<TermId>,
    /// The sentence's words, stopwords included, as a range of
    /// [`Document::words`].
    pub words: Range<usize>,
}

impl Sentence {
    /// Number of words in the sentence, stopwords included; what word
    /// budgets count.
    pub fn word_count(&self) -> usize {
        self.words.len()
    }
}

/// One word of a document, with what the pipeline knows of its form, so
/// that no later stage has to find the words again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Byte range of the word in the document's text.
    pub start: usize,
    /// End of the byte range (exclusive).
    pub end: usize,
    /// xxh3 of the word's normal form ([`tokenize::normal_form`]).
    pub hash: u64,
    /// Whether the word holds a digit ("2011", "5,000", "3.5").
    pub numeric: bool,
    /// Whether the word is a content word: it has a term (it is not a
    /// stopword of the document's language).
    pub content: bool,
    /// Whether the word is an English negation
    /// ([`crate::text::lexicon::is_negation`]); always false in documents of other
    /// languages.
    pub negation: bool,
}

/// A document analysed by the shared pipeline.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// The original text; every span indexes it.
    pub text: &'a str,
    /// The language used for stopwords and stemming.
    pub language: Language,
    /// Whether [`Document::language`] was requested, detected, or the
    /// default where detection was unsure.
    pub language_source: LanguageSource,
    /// The sentences, in document order.
    pub sentences: Vec<Sentence>,
    /// Every word of every sentence, in text order.
    pub words: Vec<Word>,
    /// Term strings by id (the stemmed, case-folded form).
    pub vocabulary: TermTexts,
    /// [`crate::text::lexicon::term_hash`] of each term, by id.
    pub term_hashes: Vec<u64>,
    /// For each term id, the number of sentences it occurs in.
    pub sentence_frequency: Vec<u32>,
    /// The deadline of the request that analyses this document: analysis
    /// and every later stage stop early once it passes (see
    /// [`crate::deadline`]).
    pub deadline: Deadline,
}

impl<'a> Document<'a> {
    /// Segments and tokenizes `text` in the language `language` gives or
    /// asks to detect (`None` detects, English where detection is unsure),
    /// with a lexicon of its own. A caller that analyses many texts keeps
    /// one [`Lexicon`] and calls [`Document::analyze_with`].
    pub fn analyze(text: &'a str, language: impl Into<LanguageRequest>) -> Self {
        Self::analyze_with(text, language, &mut Lexicon::new(), Deadline::NONE)
    }

    /// [`Document::analyze`] with `lexicon`'s remembered terms, for a
    /// request with a deadline: once it passes, analysis stops (the
    /// document then lacks its last sentences) and the document carries
    /// the deadline to the stages that use it.
    ///
    /// The words are read in one pass ([`reader::read`]), detecting the
    /// language on the way when it is not given. The vote reads the words
    /// of the sentences, which differ from those of the whole text only
    /// where a word would run across a sentence boundary ("Europe.IS").
    pub fn analyze_with(
        text: &'a str,
        language: impl Into<LanguageRequest>,
        lexicon: &mut Lexicon,
        deadline: Deadline,
    ) -> Self {
        let (choice, analysis) = reader::read(text, language.into(), lexicon, |reader| {
            Analysis::of(text, reader, deadline)
        });
        let Analysis {
            sentences,
            words,
            vocabulary,
        } = analysis;
        Self {
            text,
            language: choice.language,
            language_source: choice.source,
            sentences,
            words,
            vocabulary: vocabulary.terms,
            term_hashes: vocabulary.hashes,
            sentence_frequency: vocabulary.sentence_frequency,
            deadline,
        }
    }

    /// The text of sentence `index`.
    pub fn sentence_text(&self, index: usize) -> &'a str {
        &self.text[self.sentences[index].span.clone()]
    }

    /// Smoothed inverse sentence frequency of a term: `ln(1 + n / sf)`, where
    /// `n` is the number of sentences. Always positive, so every content word
    /// counts a little.
    pub fn idf(&self, term: TermId) -> f64 {
        let n = self.sentences.len() as f64;
        let sf = f64::from(self.sentence_frequency[term as usize]).max(1.0);
        (1.0 + n / sf).ln()
    }
}

/// What one pass over a text's sentences makes.
struct Analysis {
    sentences: Vec<Sentence>,
    words: Vec<Word>,
    vocabulary: Vocabulary,
}

impl Analysis {
    /// Segments `text` and reads its words through `reader`; stops early
    /// (with what it has) when the reader says so or `deadline` passes.
    fn of(text: &str, reader: &mut Reader<'_, '_>, deadline: Deadline) -> Self {
        let english = reader.language().code() == "en";
        let mut vocabulary = Vocabulary::with_capacity(text.len() / 20);
        // Buffers reused from sentence to sentence.
        let (mut terms, mut seen): (Vec<TermId>, Vec<TermId>) = Default::default();
        let mut sentences = Vec::new();
        let mut words = Vec::with_capacity(text.len() / 6);
        'sentences: for (round, span) in segment::sentences_until(text, deadline)
            .into_iter()
            .enumerate()
        {
            if deadline.expired_at_round(round) {
                break;
            }
            terms.clear();
            let first = words.len();
            for (offset, word) in tokenize::words(&text[span.clone()]) {
                let start = span.start + offset;
                let Some(known) = reader.word(word, start + word.len()) else {
                    break 'sentences;
                };
                if let Some(term) = known.term {
                    terms.push(vocabulary.id(term));
                }
                words.push(Word {
                    start,
                    end: start + word.len(),
                    hash: known.form.normal_hash,
                    numeric: known.form.numeric,
                    content: known.term.is_some(),
                    negation: english && known.form.negation,
                });
            }
            seen.clone_from(&terms);
            seen.sort_unstable();
            seen.dedup();
            for &id in &seen {
                vocabulary.sentence_frequency[id as usize] += 1;
            }
            sentences.push(Sentence {
                span,
                terms: terms.clone(),
                words: first..words.len(),
            });
        }
        Self {
            sentences,
            words,
            vocabulary,
        }
    }
}

/// A document's terms while it is analysed: each term string is stored
/// once, in `terms`, and found again through a table of ids hashed by the
/// term's [`crate::text::lexicon::term_hash`], which the lexicon worked out once per
/// word form (a map keyed by the string would store it twice and hash it
/// again for every word).
struct Vocabulary {
    terms: TermTexts,
    hashes: Vec<u64>,
    sentence_frequency: Vec<u32>,
    ids: HashTable<TermId>,
}

impl Vocabulary {
    fn with_capacity(terms: usize) -> Self {
        Self {
            terms: TermTexts::with_capacity(terms, terms * 6),
            hashes: Vec::with_capacity(terms),
            sentence_frequency: Vec::with_capacity(terms),
            ids: HashTable::with_capacity(terms),
        }
    }

    /// The id of `term`, added if new.
    #[inline]
    fn id(&mut self, term: Term<'_>) -> TermId {
        let Self {
            terms,
            hashes,
            sentence_frequency,
            ids,
        } = self;
        // Most words of a document repeat a term it has already met: look
        // it up first, and only a new term pays for an insertion.
        if let Some(&id) = ids.find(term.hash, |&id| &terms[id as usize] == term.text()) {
            return id;
        }
        let id = terms.push(term.text());
        hashes.push(term.hash);
        sentence_frequency.push(0);
        ids.insert_unique(term.hash, id, |&id| hashes[id as usize]);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyses_sentences_terms_and_frequencies() {
        let text = "The militias fought. The militia leaders met on Monday.";
        let doc = Document::analyze(text, Language::from_code("en"));
        assert_eq!(doc.sentences.len(), 2);
        assert_eq!(doc.sentence_text(0), "The militias fought.");
        assert_eq!(doc.sentences[1].word_count(), 6);
        let militia = doc.vocabulary.iter().position(|t| t == "militia").unwrap();
        assert_eq!(doc.sentence_frequency[militia], 2);
        assert!(!doc.vocabulary.iter().any(|t| t == "the"));
        assert!(doc.idf(militia as TermId) > 0.0);
    }

    #[test]
    fn detection_during_analysis_agrees_with_detection_alone() {
        let texts = [
            "The government said on Monday that the talks in Vienna would continue. \
             The ministers of both sides had agreed to meet again on Tuesday.",
            "Die Regierung hat am Montag in Wien über die Bedrohung gesprochen. \
             Die Minister wollen sich am Dienstag wieder treffen.",
            "Oil prices soar.",
            "",
        ];
        // Each text after each other, so that the lexicon's last language
        // (where the words are looked up first) is sometimes the text's
        // and sometimes not.
        let lexicon = &mut Lexicon::new();
        let analyze = |text, lexicon: &mut Lexicon| {
            Document::analyze_with(text, None, lexicon, Deadline::NONE)
        };
        for first in texts {
            for text in texts {
                analyze(first, lexicon);
                let detected = Language::detect(text);
                let doc = analyze(text, lexicon);
                assert_eq!(doc.language, detected, "{text:?} after {first:?}");
                let given = Document::analyze(text, Some(detected));
                assert_eq!(doc.sentences, given.sentences);
                assert_eq!(doc.words, given.words);
                assert_eq!(doc.vocabulary, given.vocabulary);
            }
        }
    }

    #[test]
    fn detects_language_when_not_given() {
        let doc = Document::analyze("The talks in Vienna went on for hours.", None);
        assert_eq!(doc.language.code(), "en");
    }
}
