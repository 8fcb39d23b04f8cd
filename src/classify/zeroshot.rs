//! Ad-hoc topics scored by meaning (zero-shot): a topic described in words
//! the document never uses still matches when the two mean the same, which
//! the word match of [`adhoc`](super::adhoc) cannot see.
//!
//! The document (whole; the encoder chunks a long one) and every topic's
//! description and examples are embedded in one call of the embedder, so
//! that they share its batches. A topic's similarity ([`pooled`]) is the
//! mean of the document's cosine with its description and its cosine with
//! the centroid of its examples, or the one of the two the topic has. The
//! description weighs as much as all the examples together: a description
//! says what the topic is about as a whole, while each example tells one
//! story of it. On AG News (`examples/eval_zeroshot --study`) the
//! description alone beats four examples, and the half-and-half mean beats
//! both, one centroid of all five texts, and the best single match. The
//! examples' centroid, not their best match, keeps one odd example from
//! deciding alone.
//!
//! A cosine is not a score: a text and a one-sentence description of its
//! topic are far from being the same text, and the fit below puts an even
//! chance at a cosine of 0.16, which read as a score would look like a
//! poor match. [`calibrated`] turns the
//! similarity and the topic's word match ([`adhoc::score`](super::adhoc::score),
//! over its keywords, description and examples) into the estimated
//! probability that the topic is the document's, by a logistic regression
//! of both, fitted on AG News topics described in the three ways a client
//! would (a description; with keywords; with examples) on rows that the
//! evaluation leaves out (`examples/eval_zeroshot --study`). Combined
//! in one regression, the word match adds what meaning misses (a keyword
//! the text uses raises its topic) and its weight is learnt rather than
//! guessed; on the same texts it beats meaning alone, a plain sum and the
//! larger of the two. Every score is in [0, 1]. Topics stay independent,
//! as word matches are: their scores need not sum to 1.

use super::adhoc::Topic;
use crate::deadline::Deadline;
use crate::semantic::{EmbedError, Embedder, Embedding, cosine};

/// Whether `topic` says anything the encoder can read: a description or an
/// example that holds text. Keywords alone are matched as words only.
pub fn has_meaning(topic: &Topic<'_>) -> bool {
    texts(topic).next().is_some()
}

/// The texts of `topic` that are embedded: its description, then its
/// examples, those that hold text.
fn texts<'t>(topic: &Topic<'t>) -> impl Iterator<Item = &'t str> {
    std::iter::once(topic.description)
        .chain(topic.examples.iter().map(String::as_str))
        .filter(|t| !t.trim().is_empty())
}

/// The similarity of `text` with each topic ([`pooled`]), in the topics'
/// order; `None` for a topic with neither description nor examples. One
/// call of `embedder`, which stops with [`EmbedError::DeadlineExceeded`]
/// once `deadline` has passed.
pub fn similarities(
    text: &str,
    topics: &[Topic<'_>],
    embedder: &dyn Embedder,
    deadline: Deadline,
) -> Result<Vec<Option<f64>>, EmbedError> {
    let mut inputs = vec![text];
    // Each topic's description (if any), then its examples: a contiguous
    // run of `inputs`.
    let mut runs = Vec::with_capacity(topics.len());
    for topic in topics {
        let start = inputs.len();
        let described = !topic.description.trim().is_empty();
        inputs.extend(texts(topic));
        runs.push((start, described, inputs.len()));
    }
    if inputs.len() == 1 {
        return Ok(vec![None; topics.len()]);
    }
    let embeddings = embedder.embed(&inputs, deadline)?;
    let Some(document) = embeddings
        .first()
        .filter(|_| embeddings.len() == inputs.len())
    else {
        return Err(EmbedError::Model(format!(
            "{} embeddings returned for {} texts",
            embeddings.len(),
            inputs.len()
        )));
    };
    let similarity = |e: &Embedding| f64::from(cosine(document, e));
    Ok(runs
        .into_iter()
        .map(|(start, described, end)| {
            let description = described.then(|| similarity(&embeddings[start]));
            let examples = &embeddings[start + usize::from(described)..end];
            let examples = (!examples.is_empty()).then(|| {
                let centroid =
                    Embedding::weighted_mean(document.dim(), examples.iter().map(|e| (e, 1.0)));
                similarity(&centroid)
            });
            pooled(description, examples)
        })
        .collect())
}

/// A topic's similarity from the document's cosine with its `description`
/// and with the centroid of its `examples`: their mean when the topic has
/// both, either alone otherwise, `None` when it has neither.
pub fn pooled(description: Option<f64>, examples: Option<f64>) -> Option<f64> {
    match (description, examples) {
        (Some(d), Some(e)) => Some((d + e) / 2.0),
        (one, other) => one.or(other),
    }
}

/// The logistic regression's intercept and its weights of the similarity
/// and of the word match, as `eval_zeroshot --study` fits them; see
/// [`calibrated`]. With no word in common, a similarity of 0.16 is an even
/// chance. The word match weighs nearly three times as much as meaning
/// because its tf-idf cosines are small: a text shares few of its words
/// with a topic's.
const INTERCEPT: f64 = -2.84;
const MEANING: f64 = 17.93;
const WORDS: f64 = 49.55;

/// The score of a topic whose similarity with the document is `meaning` (a
/// cosine, in [-1, 1]) and whose word match is `words` (in [0, 1]): the
/// estimated probability that the topic is the document's,
/// `σ(INTERCEPT + MEANING · meaning + WORDS · words)`, in [0, 1].
pub fn calibrated(meaning: f64, words: f64) -> f64 {
    let z = INTERCEPT + MEANING * meaning + WORDS * words;
    let p = 1.0 / (1.0 + (-z).exp());
    if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::semantic::EmbedderInfo;
    use crate::semantic::fake::FakeEmbedder;

    /// The fake, counting its calls.
    #[derive(Debug)]
    struct Counting(FakeEmbedder, AtomicUsize);

    impl Embedder for Counting {
        fn info(&self) -> &EmbedderInfo {
            self.0.info()
        }

        fn embed(&self, texts: &[&str], deadline: Deadline) -> Result<Vec<Embedding>, EmbedError> {
            self.1.fetch_add(1, Ordering::Relaxed);
            self.0.embed(texts, deadline)
        }
    }

    fn topic<'a>(
        description: &'a str,
        examples: &'a [String],
        keywords: &'a [String],
    ) -> Topic<'a> {
        Topic {
            label: "t",
            keywords,
            examples,
            description,
        }
    }

    #[test]
    fn one_call_embeds_the_text_and_every_topic() {
        let examples = vec!["Rain and storms.".to_owned(), "  ".to_owned()];
        let keywords = vec!["car".to_owned()];
        let topics = [
            topic("the purchase of a large automobile", &[], &[]),
            topic("", &examples, &[]),
            topic(" ", &[], &keywords),
        ];
        assert!(has_meaning(&topics[0]) && has_meaning(&topics[1]));
        assert!(!has_meaning(&topics[2]));
        let counting = Counting(FakeEmbedder::new(), AtomicUsize::new(0));
        let found = similarities("I buy a big car.", &topics, &counting, Deadline::NONE).unwrap();
        assert_eq!(counting.1.load(Ordering::Relaxed), 1);
        assert!(found[0].unwrap() > 0.5, "{found:?}");
        assert!(found[1].unwrap() < found[0].unwrap());
        assert_eq!(found[2], None);

        let none = similarities("I buy a big car.", &topics[2..], &counting, Deadline::NONE);
        assert_eq!(none, Ok(vec![None]));
        assert_eq!(counting.1.load(Ordering::Relaxed), 1, "nothing to embed");
    }

    #[test]
    fn description_and_examples_weigh_half_each() {
        let fake = FakeEmbedder::new();
        let text = "I buy a big car.";
        let same = vec![text.to_owned()];
        let similarity = |topic| similarities(text, &[topic], &fake, Deadline::NONE).unwrap()[0];
        assert!((similarity(topic("", &same, &[])).unwrap() - 1.0).abs() < 1e-6);
        // Two examples: the cosine with their centroid, not the best one's.
        let two = vec![text.to_owned(), "rain and storms".to_owned()];
        let centroid = similarity(topic("", &two, &[])).unwrap();
        assert!(centroid > 0.5 && centroid < 0.9, "{centroid}");
        // An unrelated description halves an example's perfect match.
        let mixed = similarity(topic("rain and storms", &same, &[])).unwrap();
        assert!((mixed - 0.5).abs() < 1e-6, "{mixed}");
        assert_eq!(pooled(Some(0.2), Some(0.6)), Some(0.4));
        assert_eq!(pooled(None, Some(0.6)), Some(0.6));
        assert_eq!(pooled(Some(0.2), None), Some(0.2));
        assert_eq!(pooled(None, None), None);
    }

    #[test]
    fn calibrated_scores_are_probabilities_rising_with_meaning_and_words() {
        let grid = [-1.0, -0.2, 0.0, 0.1, 0.3, 0.5, 1.0];
        for &m in &grid {
            for &w in &[0.0, 0.2, 0.5, 1.0] {
                let p = calibrated(m, w);
                assert!(p.is_finite() && (0.0..=1.0).contains(&p), "{m} {w} {p}");
                assert!(calibrated(m + 0.1, w) > p || p == 1.0);
                assert!(calibrated(m, w + 0.1) > p || p == 1.0);
            }
        }
        assert!(calibrated(0.0, 0.0) < 0.1);
        assert!(calibrated(0.4, 0.0) > 0.9);
        assert_eq!(calibrated(f64::NAN, 0.0), 0.0);
    }
}
