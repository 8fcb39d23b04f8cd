//! Tests of the entry point, [`classify`]: a model's labels and ad-hoc
//! topics ranked, cut by `min_score` and `top_k`, with the language used.

use super::*;
use crate::text::Language;
use crate::text::language::LanguageSource;

const SPORT: &str = "The striker scored twice in the second half as the home side won the \
    league title, and the goalkeeper saved a late penalty.";

#[test]
fn a_model_ranks_its_labels_best_first() {
    let model = registry::builtin().expect("built-in model");
    let all = classify(
        SPORT,
        Against::Model(&model),
        &ClassifyOptions::default(),
        &mut Lexicon::new(),
    );
    assert_eq!(all.topics.len(), model.meta().labels.len());
    assert_eq!(all.topics[0].label, "sport");
    assert!(all.topics.windows(2).all(|w| w[0].score >= w[1].score));
    let sum: f64 = all.topics.iter().map(|t| t.score).sum();
    assert!((sum - 1.0).abs() < 1e-9, "{sum}");
    assert_eq!(all.language.language.code(), "en");
    assert_eq!(all.language.source, LanguageSource::Detected);

    let cut = classify(
        SPORT,
        Against::Model(&model),
        &ClassifyOptions {
            top_k: 2,
            min_score: all.topics[1].score,
            language: Language::from_code("en").into(),
            ..ClassifyOptions::default()
        },
        &mut Lexicon::new(),
    );
    assert_eq!(cut.topics, all.topics[..2]);
    assert_eq!(cut.language.source, LanguageSource::Requested);
}

#[test]
fn ad_hoc_topics_are_ranked_and_ties_keep_the_callers_order() {
    let keywords = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
    let (football, weather, none) = (
        keywords(&["striker", "penalty"]),
        keywords(&["rain", "storm"]),
        keywords(&["parliament"]),
    );
    let topic = |label, keywords| adhoc::Topic {
        label,
        keywords,
        examples: &[],
        description: "",
    };
    let topics = [
        topic("weather", &weather),
        topic("politics", &none),
        topic("football", &football),
    ];
    let against = Against::Topics {
        topics: &topics,
        weights: None,
    };
    let ranked = classify(
        SPORT,
        against,
        &ClassifyOptions::default(),
        &mut Lexicon::new(),
    );
    let labels: Vec<&str> = ranked.topics.iter().map(|t| t.label).collect();
    assert_eq!(labels, ["football", "weather", "politics"]);
    assert!(ranked.topics[0].score > 0.0);
    assert_eq!(ranked.topics[1].score, 0.0);

    let matching = classify(
        SPORT,
        against,
        &ClassifyOptions {
            min_score: 0.01,
            ..ClassifyOptions::default()
        },
        &mut Lexicon::new(),
    );
    assert_eq!(matching.topics.len(), 1);
}
