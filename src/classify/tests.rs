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
        Input::Text(SPORT),
        Against::Model(&model),
        &ClassifyOptions::default(),
        None,
        &mut Lexicon::new(),
    )
    .unwrap();
    assert_eq!(all.topics.len(), model.meta().labels.len());
    assert_eq!(all.topics[0].label, "sport");
    assert!(all.topics.windows(2).all(|w| w[0].score >= w[1].score));
    let sum: f64 = all.topics.iter().map(|t| t.score).sum();
    assert!((sum - 1.0).abs() < 1e-9, "{sum}");
    assert_eq!(all.language.language.code(), "en");
    assert_eq!(all.language.source, LanguageSource::Detected);

    let cut = classify(
        Input::Text(SPORT),
        Against::Model(&model),
        &ClassifyOptions {
            top_k: 2,
            min_score: all.topics[1].score,
            language: Language::from_code("en").into(),
            ..ClassifyOptions::default()
        },
        None,
        &mut Lexicon::new(),
    )
    .unwrap();
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
        Input::Text(SPORT),
        against,
        &ClassifyOptions::default(),
        None,
        &mut Lexicon::new(),
    )
    .unwrap();
    let labels: Vec<&str> = ranked.topics.iter().map(|t| t.label).collect();
    assert_eq!(labels, ["football", "weather", "politics"]);
    assert!(ranked.topics[0].score > 0.0);
    assert_eq!(ranked.topics[1].score, 0.0);

    let matching = classify(
        Input::Text(SPORT),
        against,
        &ClassifyOptions {
            min_score: 0.01,
            ..ClassifyOptions::default()
        },
        None,
        &mut Lexicon::new(),
    )
    .unwrap();
    assert_eq!(matching.topics.len(), 1);
}

mod by_meaning {
    //! Ad-hoc topics with the fake embedder, which embeds the synonyms of
    //! [`SYNONYMS`](crate::semantic::fake::SYNONYMS) alike: a description
    //! can share a document's meaning and none of its words.

    use super::*;
    use crate::deadline::Deadline;
    use crate::semantic::EmbedError;
    use crate::semantic::fake::FakeEmbedder;

    /// Written for these tests; "buy", "big" and "car" have synonyms in the
    /// fake, the other words none.
    const TEXT: &str = "Yesterday my neighbour decided to buy a big car.";

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    fn run<'a>(
        topics: &'a [adhoc::Topic<'a>],
        embedder: Option<&dyn Embedder>,
        options: &ClassifyOptions,
    ) -> Result<Classification<'a>, ClassifyError> {
        classify(
            Input::Text(TEXT),
            Against::Topics {
                topics,
                weights: None,
            },
            options,
            embedder,
            &mut Lexicon::new(),
        )
    }

    fn labels<'a>(c: &Classification<'a>) -> Vec<&'a str> {
        c.topics.iter().map(|t| t.label).collect()
    }

    #[test]
    fn a_topic_described_in_other_words_wins_only_with_an_embedder() {
        let neighbour = strings(&["neighbour"]);
        let topics = [
            adhoc::Topic {
                label: "people",
                keywords: &neighbour,
                examples: &[],
                description: "",
            },
            adhoc::Topic {
                label: "vehicles",
                keywords: &[],
                examples: &[],
                description: "the purchase of a large automobile",
            },
        ];
        let options = ClassifyOptions::default();
        let words = run(&topics, None, &options).unwrap();
        assert_eq!(labels(&words), ["people", "vehicles"]);
        assert_eq!(words.topics[1].score, 0.0);
        assert!(!words.by_meaning);

        let fake = FakeEmbedder::new();
        let meaning = run(&topics, Some(&fake), &options).unwrap();
        assert_eq!(labels(&meaning), ["vehicles", "people"], "{meaning:?}");
        assert!(meaning.by_meaning);
        // A keyword-only topic is matched by words alone, as without the
        // encoder.
        assert_eq!(meaning.topics[1], words.topics[0]);
        assert!(
            meaning
                .topics
                .iter()
                .all(|t| t.score.is_finite() && (0.0..=1.0).contains(&t.score))
        );
    }

    #[test]
    fn keywords_still_count_beside_meaning() {
        let (yesterday, rain) = (strings(&["yesterday"]), strings(&["rain"]));
        let vehicles = |label, keywords| adhoc::Topic {
            label,
            keywords,
            examples: &[],
            description: "the purchase of a large automobile",
        };
        let topics = [
            vehicles("other keyword", &rain),
            vehicles("keyword used", &yesterday),
        ];
        let fake = FakeEmbedder::new();
        let ranked = run(&topics, Some(&fake), &ClassifyOptions::default()).unwrap();
        assert_eq!(labels(&ranked), ["keyword used", "other keyword"]);
        assert!(
            ranked.topics[0].score > ranked.topics[1].score,
            "{ranked:?}"
        );
    }

    #[test]
    fn examples_are_read_by_meaning_and_cuts_still_apply() {
        let (cars, rain) = (
            strings(&["I purchase a large automobile.", "Automobiles for sale."]),
            strings(&["Storms and rain all week."]),
        );
        let topics = [
            adhoc::Topic {
                label: "weather",
                keywords: &[],
                examples: &rain,
                description: "",
            },
            adhoc::Topic {
                label: "vehicles",
                keywords: &[],
                examples: &cars,
                description: "",
            },
        ];
        let fake = FakeEmbedder::new();
        let all = run(&topics, Some(&fake), &ClassifyOptions::default()).unwrap();
        assert_eq!(labels(&all), ["vehicles", "weather"]);
        assert!(all.topics[0].score > all.topics[1].score);
        let cut = run(
            &topics,
            Some(&fake),
            &ClassifyOptions {
                min_score: all.topics[1].score + 1e-9,
                ..ClassifyOptions::default()
            },
        )
        .unwrap();
        assert_eq!(labels(&cut), ["vehicles"]);
        let top = run(
            &topics,
            Some(&fake),
            &ClassifyOptions {
                top_k: 1,
                ..ClassifyOptions::default()
            },
        )
        .unwrap();
        assert_eq!(top.topics, all.topics[..1]);
    }

    #[test]
    fn keyword_only_topics_and_models_do_not_read_meaning() {
        let car = strings(&["car"]);
        let topics = [adhoc::Topic {
            label: "vehicles",
            keywords: &car,
            examples: &[],
            description: " ",
        }];
        let fake = FakeEmbedder::new();
        let options = ClassifyOptions::default();
        assert_eq!(
            run(&topics, Some(&fake), &options).unwrap(),
            run(&topics, None, &options).unwrap()
        );
        let model = registry::builtin().expect("built-in model");
        let with = classify(
            Input::Text(SPORT),
            Against::Model(&model),
            &options,
            Some(&fake),
            &mut Lexicon::new(),
        )
        .unwrap();
        assert!(!with.by_meaning);
        assert_eq!(
            with,
            classify(
                Input::Text(SPORT),
                Against::Model(&model),
                &options,
                None,
                &mut Lexicon::new()
            )
            .unwrap()
        );
    }

    #[test]
    fn a_passed_deadline_stops_meaning_and_only_meaning() {
        let topics = [adhoc::Topic {
            label: "vehicles",
            keywords: &[],
            examples: &[],
            description: "the purchase of a large automobile",
        }];
        let fake = FakeEmbedder::new();
        let past = ClassifyOptions {
            deadline: Deadline::at(std::time::Instant::now()),
            ..ClassifyOptions::default()
        };
        assert_eq!(
            run(&topics, Some(&fake), &past),
            Err(ClassifyError::Embed(EmbedError::DeadlineExceeded))
        );
        assert!(run(&topics, None, &past).is_ok());
    }
}
