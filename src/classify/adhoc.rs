//! Ad-hoc topics: a document scored against topics the request describes,
//! with no model and no training.
//!
//! Each topic becomes one tf-idf vector over the same hashed features a
//! model uses: its keywords (each keyword or phrase analysed like text, so
//! it is stemmed, and a phrase contributes its bigrams), its description and
//! its examples, all in the document's language so that stems match. The
//! score is the cosine of the topic's vector and the document's: a
//! similarity in [0, 1], not a probability; scores of different topics are
//! independent and need not sum to 1. With the sentence encoder, a topic
//! with a description or examples is also read by meaning, and
//! [`zeroshot`](super::zeroshot) combines the two.
//!
//! Inverse document frequencies come from the caller, normally the built-in
//! news model's training statistics: general-purpose weights that make "the
//! militia" count for more than "said".

use super::features::{self, Feature, FeatureCounts};
use crate::text::{Language, Lexicon};

/// One ad-hoc topic. At least one of `keywords`, `examples` or
/// `description` must hold text for the topic to match anything.
#[derive(Debug, Clone, Copy)]
pub struct Topic<'a> {
    /// The topic's label.
    pub label: &'a str,
    /// Keywords or multi-word phrases.
    pub keywords: &'a [String],
    /// Example texts of the topic.
    pub examples: &'a [String],
    /// A free-text description.
    pub description: &'a str,
}

/// The cosine similarity of a document with each topic, in the topics'
/// order. `document` holds the document's feature counts
/// ([`features::extract`]) in `language`, the language the topics are read
/// in, with `lexicon`'s remembered terms.
pub fn score(
    document: &[(Feature, f32)],
    language: Language,
    topics: &[Topic<'_>],
    idf: impl Fn(Feature) -> f32,
    lexicon: &mut Lexicon,
) -> Vec<f64> {
    let weigh = |counts: &[(Feature, f32)]| features::tfidf(counts, |f| Some(idf(f)));
    let document = weigh(document);
    topics
        .iter()
        .map(|topic| {
            let vector = weigh(&topic_counts(topic, language, lexicon));
            f64::from(features::dot(&document, &vector)).clamp(0.0, 1.0)
        })
        .collect()
}

/// Feature counts of everything a topic says, analysed in `language`. Each
/// keyword counts once whatever its length, so a long phrase does not
/// outweigh a single word.
fn topic_counts(topic: &Topic<'_>, language: Language, lexicon: &mut Lexicon) -> FeatureCounts {
    let mut counts: FeatureCounts = Vec::new();
    let texts = topic
        .keywords
        .iter()
        .map(String::as_str)
        .chain(topic.examples.iter().map(String::as_str))
        .chain(std::iter::once(topic.description));
    for text in texts.filter(|t| !t.trim().is_empty()) {
        counts.extend(features::extract(text, language, lexicon));
    }
    counts.sort_unstable_by_key(|&(f, _)| f);
    let mut merged: FeatureCounts = Vec::with_capacity(counts.len());
    for (f, n) in counts {
        match merged.last_mut() {
            Some((last, total)) if *last == f => *total += n,
            _ => merged.push((f, n)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The striker scored twice as the home team won the cup final. \
        Fans cheered the goalkeeper after the penalty shoot-out.";

    fn english() -> Language {
        Language::from_code("en").unwrap()
    }

    fn en(text: &str) -> FeatureCounts {
        features::extract(text, english(), &mut Lexicon::new())
    }

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn keywords_pick_the_matching_topic() {
        let doc = en(TEXT);
        let football = strings(&["goal", "penalty shoot-out", "striker", "cup final"]);
        let markets = strings(&["stocks", "interest rates", "inflation"]);
        let topics = [
            Topic {
                label: "football",
                keywords: &football,
                examples: &[],
                description: "",
            },
            Topic {
                label: "markets",
                keywords: &markets,
                examples: &[],
                description: "",
            },
        ];
        let scores = score(&doc, english(), &topics, |_| 1.0, &mut Lexicon::new());
        assert!(scores[0] > 0.2, "{scores:?}");
        assert_eq!(scores[1], 0.0);
    }

    #[test]
    fn stems_match_inflected_keywords() {
        let doc = en("The goalkeepers were cheering.");
        let kw = strings(&["goalkeeper", "cheer"]);
        let topics = [Topic {
            label: "t",
            keywords: &kw,
            examples: &[],
            description: "",
        }];
        assert!(score(&doc, english(), &topics, |_| 1.0, &mut Lexicon::new())[0] > 0.5);
    }

    #[test]
    fn description_and_examples_count_and_scores_stay_in_range() {
        let doc = en(TEXT);
        let examples = strings(&["The team won the final after a late goal."]);
        let topics = [
            Topic {
                label: "by description",
                keywords: &[],
                examples: &[],
                description: "football matches, teams, goals and fans",
            },
            Topic {
                label: "by examples",
                keywords: &[],
                examples: &examples,
                description: "",
            },
            Topic {
                label: "empty",
                keywords: &[],
                examples: &[],
                description: "  ",
            },
        ];
        let scores = score(&doc, english(), &topics, |_| 2.0, &mut Lexicon::new());
        assert!(scores[0] > 0.0 && scores[1] > 0.0, "{scores:?}");
        assert_eq!(scores[2], 0.0);
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    }

    #[test]
    fn identical_text_scores_one() {
        let doc = en(TEXT);
        let examples = strings(&[TEXT]);
        let topics = [Topic {
            label: "same",
            keywords: &[],
            examples: &examples,
            description: "",
        }];
        assert!(
            (score(&doc, english(), &topics, |_| 1.0, &mut Lexicon::new())[0] - 1.0).abs() < 1e-4
        );
    }
}
