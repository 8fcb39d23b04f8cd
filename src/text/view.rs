//! The sentences an analysis reads: every sentence of the document, or,
//! after furniture removal ([`crate::text::boilerplate`]), the story's
//! sentences with the furniture cut off their starts. Summarize and Compare
//! both read a [`View`], chosen by their `keep_boilerplate` switch
//! ([`View::new`]), so that furniture is removed the same way in both.
//!
//! In Summarize, furniture thus neither takes part in centrality (a caption
//! restates the story and would be its most central sentence), nor counts
//! in positions (LEAD's first sentence is the story's first, not the
//! headline), nor in inverse sentence frequencies. In Compare, a comment
//! box or a caption on one page is not a sentence the other page lacks, and
//! does not weigh in the similarity. A view borrows the document's terms
//! and words: a trimmed sentence's terms and words are the tail of its own,
//! since both are kept in the order of their words.

use std::ops::Range;

use crate::deadline::Deadline;
use crate::text::boilerplate::{self, Verdict};
use crate::text::{Document, TermId};

/// One sentence of a [`View`].
#[derive(Debug, Clone, PartialEq)]
pub struct ViewSentence<'d> {
    /// Position among all sentences of the document.
    pub index: usize,
    /// Byte range in the document's text: the sentence's own, or its tail
    /// once furniture was cut off its start.
    pub span: Range<usize>,
    /// Content terms within `span`, in order.
    pub terms: &'d [TermId],
    /// Words within `span`, stopwords included, as a range of
    /// [`Document::words`].
    pub words: Range<usize>,
}

impl ViewSentence<'_> {
    /// Number of words within `span`, stopwords included; what word budgets
    /// count.
    pub fn word_count(&self) -> usize {
        self.words.len()
    }
}

/// The sentences an analysis reads, in document order.
#[derive(Debug, Clone)]
pub struct View<'d, 'a> {
    /// The analysed document.
    pub doc: &'d Document<'a>,
    /// The sentences, in document order.
    pub sentences: Vec<ViewSentence<'d>>,
    /// Sentences of the document removed whole as furniture.
    pub removed: usize,
}

impl<'d, 'a> View<'d, 'a> {
    /// The sentences of `doc` an analysis reads: every one with
    /// `keep_boilerplate`, else those that are not furniture
    /// ([`Self::without_furniture`]).
    pub fn new(doc: &'d Document<'a>, keep_boilerplate: bool) -> Self {
        if keep_boilerplate {
            Self::all(doc)
        } else {
            Self::without_furniture(doc)
        }
    }

    /// Every sentence of `doc`, as it is.
    pub fn all(doc: &'d Document<'a>) -> Self {
        let sentences = doc
            .sentences
            .iter()
            .enumerate()
            .map(|(index, s)| ViewSentence {
                index,
                span: s.span.clone(),
                terms: &s.terms,
                words: s.words.clone(),
            })
            .collect();
        Self {
            doc,
            sentences,
            removed: 0,
        }
    }

    /// The sentences of `doc` that are not furniture, with furniture cut
    /// off their starts.
    pub fn without_furniture(doc: &'d Document<'a>) -> Self {
        let verdicts = boilerplate::detect(doc.text, doc.sentences.iter().map(|s| &s.span));
        let mut sentences = Vec::with_capacity(doc.sentences.len());
        let mut removed = 0;
        for (index, (sentence, verdict)) in doc.sentences.iter().zip(&verdicts).enumerate() {
            match verdict {
                Verdict::Keep => sentences.push(ViewSentence {
                    index,
                    span: sentence.span.clone(),
                    terms: &sentence.terms,
                    words: sentence.words.clone(),
                }),
                Verdict::Trim(kept, _) => {
                    // The words of the cut-off part, as the analysis found
                    // them, and how many of them are terms.
                    let cut_off = doc
                        .words
                        .get(sentence.words.clone())
                        .unwrap_or_default()
                        .iter()
                        .take_while(|w| w.start < kept.start);
                    let (words, terms) = cut_off.fold((0, 0), |(words, terms), w| {
                        (words + 1, terms + usize::from(w.content))
                    });
                    sentences.push(ViewSentence {
                        index,
                        span: kept.clone(),
                        terms: sentence.terms.get(terms..).unwrap_or_default(),
                        words: (sentence.words.start + words).min(sentence.words.end)
                            ..sentence.words.end,
                    });
                }
                Verdict::Remove(_) => removed += 1,
            }
        }
        Self {
            doc,
            sentences,
            removed,
        }
    }

    /// Number of sentences.
    pub fn len(&self) -> usize {
        self.sentences.len()
    }

    /// Whether the view has no sentence.
    pub fn is_empty(&self) -> bool {
        self.sentences.is_empty()
    }

    /// The document's deadline.
    pub fn deadline(&self) -> Deadline {
        self.doc.deadline
    }

    /// The text of sentence `i`.
    pub fn text(&self, i: usize) -> &'a str {
        &self.doc.text[self.sentences[i].span.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Language;

    #[test]
    fn furniture_is_removed_and_datelines_cut_with_their_terms() {
        let text = "Drought talks open\n\nFreedonia (NWS): Ministers met in Geneva. \
                    They discussed the drought.\n\nLeave a comment";
        let doc = Document::analyze(text, Language::from_code("en"));
        assert_eq!(doc.sentences.len(), 4);
        let view = View::without_furniture(&doc);
        assert_eq!(view.removed, 2, "the headline and the comment box");
        assert_eq!(view.len(), 2);
        assert_eq!(view.text(0), "Ministers met in Geneva.");
        assert_eq!(view.sentences[0].index, 1);
        assert_eq!(view.sentences[0].word_count(), 4);
        assert_eq!(
            view.sentences[0].words,
            doc.sentences[1].words.start + 2..doc.sentences[1].words.end
        );
        let terms: Vec<&str> = view.sentences[0]
            .terms
            .iter()
            .map(|&t| &doc.vocabulary[t as usize])
            .collect();
        assert_eq!(terms, ["minist", "met", "geneva"]);
        assert_eq!(view.sentences[1].terms, &doc.sentences[2].terms[..]);

        let all = View::all(&doc);
        assert_eq!((all.len(), all.removed), (4, 0));
        assert_eq!(all.text(1), doc.sentence_text(1));
    }
}
