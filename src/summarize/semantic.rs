//! SEMANTIC: PacSum's directed centrality with its position prior
//! ([`super::pacsum`]) over the cosines of sentence embeddings instead of
//! tf-idf vectors, as Zheng & Lapata's BERT variant does.
//!
//! Tf-idf links two sentences only through the words they share: a later
//! sentence that takes the lead up in other words ("the automobile" for
//! "the car", "the minister" for "Mr Okafor") does not count towards it.
//! The sentence encoder places sentences that say the same thing close
//! together whatever their words, so every later sentence about the lead
//! counts. Every pair of sentences within the window has a similarity,
//! where tf-idf leaves most pairs at 0, so the threshold `β` matters more
//! here, and the parameters ([`PARAMS`]) are chosen for these cosines
//! (`scripts/tune-pacsum.sh --semantic`, on the even-numbered articles of
//! the development data, as PACSUM's).
//!
//! The embeddings are made by the caller ([`super::summarize`] embeds every
//! sentence of the view in one call of the encoder); scoring them costs
//! `O(n · window · dimension)`, nothing beside the encoder's time.

use super::pacsum::{self, Params, Similarities, WINDOW};
use crate::deadline::Deadline;
use crate::semantic::{Embedding, cosine};
use crate::text::View;

/// The parameters SEMANTIC runs with: the best ROUGE-1 of
/// `scripts/tune-pacsum.sh --semantic` (420 settings) on the
/// even-numbered articles of the development data, reported on the
/// odd-numbered ones (`docs/performance.md`). Against PACSUM's: half the
/// penalty for repeating earlier sentences; a threshold halfway between
/// the weakest and the strongest link, so that of the many weak links
/// between sentences of one story only the close ones count; and a
/// lighter position prior.
pub const PARAMS: Params = Params {
    forward: 1.0,
    backward: -0.5,
    beta: 0.5,
    window: WINDOW,
    position: 2.0,
    decay: 2.0,
};

/// The sentences of a [`View`] and their embeddings, as PacSum's
/// centrality reads them.
#[derive(Debug, Clone)]
pub struct SentenceEmbeddings<'e> {
    embeddings: &'e [Embedding],
    /// Whether each sentence has no content term: such a sentence ("It is
    /// what it is.") scores 0 here as in every other algorithm.
    empty: Vec<bool>,
    deadline: Deadline,
}

impl<'e> SentenceEmbeddings<'e> {
    /// `embeddings[i]` is the embedding of `view`'s sentence `i`; a
    /// sentence without one (a shorter slice, a caller's bug) is treated
    /// as empty.
    pub fn new(view: &View<'_, '_>, embeddings: &'e [Embedding]) -> Self {
        let empty = (0..view.len())
            .map(|i| view.sentences[i].terms.is_empty() || i >= embeddings.len())
            .collect();
        Self {
            embeddings,
            empty,
            deadline: view.deadline(),
        }
    }
}

impl Similarities for SentenceEmbeddings<'_> {
    fn sentence_count(&self) -> usize {
        self.empty.len()
    }

    fn is_empty_sentence(&self, i: usize) -> bool {
        self.empty[i]
    }

    /// Every pair within the window with a positive cosine: sentences of
    /// one document are nearly all a little alike, and a negative cosine
    /// (opposite directions) links nothing.
    fn pairs_within(&self, window: usize, mut visit: impl FnMut(usize, usize, f64)) {
        let n = self.sentence_count();
        for i in 0..n {
            if self.deadline.expired_at_round(i) {
                break;
            }
            if self.empty[i] {
                continue;
            }
            for j in i + 1..n.min(i.saturating_add(window).saturating_add(1)) {
                if self.empty[j] {
                    continue;
                }
                let similarity = f64::from(cosine(&self.embeddings[i], &self.embeddings[j]));
                if similarity > 0.0 && similarity.is_finite() {
                    visit(i, j, similarity.min(1.0));
                }
            }
        }
    }
}

/// SEMANTIC scores of every sentence, in [0, 1]: the best sentence scores
/// 1, sentences without content terms 0.
pub fn score(sentences: &SentenceEmbeddings<'_>) -> Vec<f64> {
    pacsum::score_with(sentences, &PARAMS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::Embedder;
    use crate::semantic::fake::FakeEmbedder;
    use crate::text::{Document, Language};

    /// Only centrality, no position prior.
    const PURE: Params = Params {
        forward: 1.0,
        backward: -1.0,
        beta: 0.0,
        window: WINDOW,
        position: 0.0,
        decay: 1.0,
    };

    fn scores(text: &str, params: &Params) -> Vec<f64> {
        let doc = Document::analyze(text, Language::from_code("en"));
        let view = View::all(&doc);
        let texts: Vec<&str> = (0..view.len()).map(|i| view.text(i)).collect();
        let embeddings = FakeEmbedder::new().embed(&texts, Deadline::NONE).unwrap();
        pacsum::score_with(&SentenceEmbeddings::new(&view, &embeddings), params)
    }

    fn best(s: &[f64]) -> usize {
        (0..s.len())
            .max_by(|&a, &b| s[a].total_cmp(&s[b]).then(b.cmp(&a)))
            .unwrap()
    }

    /// Sentence 1 says what 2, 3 and 4 then say again in other words (the
    /// fake embedder reads the synonyms alike); by its words it shares
    /// nothing with them, and sentence 2 is the one 3 and 4 repeat.
    const PARAPHRASED: &str = "Rain fell on the hills overnight. \
        The doctor will buy a big car. \
        A physician will purchase a large automobile. \
        A physician will purchase a large automobile soon. \
        The physician plans to purchase an automobile. \
        Ferries sailed on time.";

    #[test]
    fn the_sentence_whose_paraphrases_fill_the_document_is_central() {
        let s = scores(PARAPHRASED, &PURE);
        assert_eq!(best(&s), 1, "{s:?}");
        assert!(s.iter().all(|x| (0.0..=1.0).contains(x)), "{s:?}");
        // By their words, sentence 2 is central and sentence 1 stands alone.
        let doc = Document::analyze(PARAPHRASED, Language::from_code("en"));
        let v = super::super::SentenceVectors::new(&doc);
        let lexical = pacsum::score_with(&v, &PURE);
        assert_eq!(best(&lexical), 2, "{lexical:?}");
    }

    #[test]
    fn sentences_without_content_score_zero_and_one_sentence_scores_one() {
        let s = scores("It is what it is. The doctor will buy a car.", &PURE);
        assert_eq!(s[0], 0.0);
        assert_eq!(scores("The doctor will buy a car.", &PARAMS), [1.0]);
        assert!(scores("", &PARAMS).is_empty());
    }

    #[test]
    fn pairs_are_those_within_the_window_with_a_positive_cosine() {
        let doc = Document::analyze(PARAPHRASED, Language::from_code("en"));
        let view = View::all(&doc);
        let texts: Vec<&str> = (0..view.len()).map(|i| view.text(i)).collect();
        let embeddings = FakeEmbedder::new().embed(&texts, Deadline::NONE).unwrap();
        let sentences = SentenceEmbeddings::new(&view, &embeddings);
        let mut pairs = Vec::new();
        sentences.pairs_within(2, |i, j, sim| {
            assert!(sim > 0.0 && sim <= 1.0);
            pairs.push((i, j));
        });
        assert!(pairs.iter().all(|&(i, j)| i < j && j <= i + 2), "{pairs:?}");
        assert!(pairs.contains(&(1, 2)) && pairs.contains(&(2, 4)));
        assert!(!pairs.contains(&(1, 4)), "beyond the window");
        // Too few embeddings: the sentences without one are left out.
        let short = SentenceEmbeddings::new(&view, &embeddings[..2]);
        assert!(short.is_empty_sentence(2));
        assert_eq!(pacsum::score_with(&short, &PARAMS).len(), view.len());
    }
}
