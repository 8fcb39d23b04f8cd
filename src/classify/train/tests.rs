//! Tests of training and evaluation as a whole: a small invented data set
//! of three separable topics, trained end to end on a held-out split,
//! checked for accuracy, probabilities, determinism, multi-label data,
//! `holdout` 0, progress and the rejection of bad input. (`tests_small.rs`
//! trains the same data the way small data is trained, cross-validated.)

use super::*;

pub(super) const SPORT: [&str; 12] = [
    "The striker scored a late goal and the home team won the match.",
    "Our goalkeeper saved a penalty in the cup final.",
    "The coach praised the defenders after the league game.",
    "Fans cheered as the captain lifted the trophy.",
    "The midfielder was booked for a foul on the winger.",
    "The referee added five minutes of stoppage time.",
    "A hat-trick from the forward sealed the championship.",
    "The club signed a new striker before the season.",
    "Tennis players warmed up on the centre court.",
    "The runner broke the record in the marathon.",
    "The team trained hard before the derby.",
    "The boxer won the title fight on points.",
];
pub(super) const WEATHER: [&str; 12] = [
    "Heavy rain and strong wind are forecast for the coast.",
    "Temperatures will drop below freezing overnight.",
    "A thunderstorm brought hail to the valley.",
    "Sunny spells will follow the morning fog.",
    "Snow is expected on the hills this weekend.",
    "The forecast warns of gales and flooding.",
    "Humidity rose as the heatwave continued.",
    "Light drizzle will clear by the afternoon.",
    "Frost covered the fields at dawn.",
    "Clouds gathered and showers spread inland.",
    "The hurricane gained strength over warm water.",
    "A cold front will bring lower temperatures.",
];
pub(super) const COOKING: [&str; 12] = [
    "Simmer the onions in butter until soft and golden.",
    "Whisk the eggs with sugar and fold in the flour.",
    "Roast the chicken with garlic and rosemary.",
    "Season the soup with salt and black pepper.",
    "Knead the dough and let it rise for an hour.",
    "Chop the tomatoes and basil for the sauce.",
    "Bake the cake in a preheated oven.",
    "Fry the mushrooms in olive oil.",
    "Grate the cheese over the pasta.",
    "Marinate the beef overnight in soy sauce.",
    "Stir the risotto and add stock slowly.",
    "Peel the potatoes and boil them until tender.",
];

/// 36 examples per label: pairs of sentences of one topic.
pub(super) fn toy() -> Vec<Example> {
    let mut examples = Vec::new();
    for (label, sentences) in [("sport", SPORT), ("weather", WEATHER), ("cooking", COOKING)] {
        for step in [1, 5, 7] {
            for i in 0..12 {
                examples.push(Example {
                    text: format!("{} {}", sentences[i], sentences[(i + step) % 12]),
                    labels: vec![label.to_owned()],
                });
            }
        }
    }
    examples
}

/// Options that measure on a held-out split, however small the data.
pub(super) fn options() -> TrainOptions {
    TrainOptions {
        name: "toy".to_owned(),
        version: "0.1".to_owned(),
        training_data: "invented sentences".to_owned(),
        cross_validation_below: 0,
        ..TrainOptions::default()
    }
}

fn train_quietly(
    examples: &[Example],
    options: &TrainOptions,
) -> Result<(Model, Evaluation), TrainError> {
    train(examples, None, options, &mut |_| {}).map(|(model, report)| (model, report.evaluation))
}

#[test]
fn trains_to_full_accuracy_on_separable_toy_data() {
    let examples = toy();
    let (model, evaluation) = train_quietly(&examples, &options()).unwrap();
    assert_eq!(model.meta().labels, vec!["cooking", "sport", "weather"]);
    assert!(!model.meta().multi_label);
    assert_eq!(model.meta().examples, 108);
    assert_eq!(evaluation.examples, 12);
    assert_eq!(model.meta().accuracy, evaluation.accuracy);
    let on_training = evaluate(&model, &examples, None);
    assert_eq!(on_training.accuracy, 1.0, "{on_training}");
    assert_eq!(on_training.confusion[1], vec![0, 36, 0]);
    // Unseen text of each topic.
    for (text, label) in [
        ("The striker scored twice in the cup match.", 1),
        ("Rain and wind are forecast for tomorrow.", 2),
        ("Bake the bread and season the soup.", 0),
    ] {
        assert_eq!(
            model.classify(&features_of(text, &mut Lexicon::new()), false)[0].0,
            label,
            "{text}"
        );
    }
}

#[test]
fn probabilities_sum_to_one_and_lie_in_unit_interval() {
    let (model, _) = train_quietly(&toy(), &options()).unwrap();
    for text in [
        "The goalkeeper cooked pasta in the rain.",
        "",
        "zzz qqq",
        "Snow.",
    ] {
        let f = features_of(text, &mut Lexicon::new());
        let single = model.classify(&f, false);
        assert_eq!(single.len(), 3);
        assert!((single.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(single.windows(2).all(|w| w[0].1 >= w[1].1));
        for (_, p) in single.iter().chain(&model.classify(&f, true)) {
            assert!(p.is_finite() && (0.0..=1.0).contains(p));
        }
    }
}

#[test]
fn classifying_a_text_equals_classifying_its_counts_to_the_bit() {
    let (model, _) = train_quietly(&toy(), &options()).unwrap();
    let de = crate::text::Language::from_code("de");
    for text in SPORT.iter().chain(&WEATHER).copied().chain([
        "The striker scored twice; the striker scored again in the rain.",
        "Rain, rain and more rain: the match was off and the soup was cold.",
        "Der Stürmer traf zweimal im Regen.",
        "",
        "zzz qqq",
    ]) {
        for multi_label in [false, true] {
            let lexicon = &mut Lexicon::new();
            let (language, counts) = features::detect_and_extract(text, None, lexicon);
            let (detected, ranked) = model.classify_text(text, None, multi_label, None, lexicon);
            assert_eq!(detected, language, "{text}");
            let expected = model.classify(&counts, multi_label);
            let bits = |r: &[(usize, f64)]| -> Vec<(usize, u64)> {
                r.iter().map(|&(l, p)| (l, p.to_bits())).collect()
            };
            assert_eq!(bits(&ranked), bits(&expected), "{text}");
            let (_, given) = model.classify_text(text, de, multi_label, None, lexicon);
            let counts = features::extract(text, de.unwrap(), lexicon);
            assert_eq!(bits(&given), bits(&model.classify(&counts, multi_label)));
        }
    }
}

#[test]
fn training_is_deterministic_and_round_trips() {
    let examples = toy();
    let (a, _) = train_quietly(&examples, &options()).unwrap();
    let (b, _) = train_quietly(&examples, &options()).unwrap();
    let bytes = a.to_bytes();
    assert_eq!(bytes, b.to_bytes());
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    assert_eq!(back, a);
}

#[test]
fn multi_label_data_gives_a_multi_label_model() {
    let mut examples = toy();
    for i in 0..12 {
        examples.push(Example {
            text: format!("{} {}", SPORT[i], WEATHER[(i + 3) % 12]),
            labels: vec!["sport".to_owned(), "weather".to_owned()],
        });
    }
    let (model, evaluation) = train_quietly(&examples, &options()).unwrap();
    assert!(model.meta().multi_label);
    assert!(evaluation.confusion.is_empty());
    let p = model.classify(
        &features_of(
            "The match was stopped by heavy rain and wind.",
            &mut Lexicon::new(),
        ),
        false,
    );
    assert!(p.iter().all(|(_, p)| (0.0..=1.0).contains(p)));
    assert!(p[..2].iter().all(|(l, _)| *l == 1 || *l == 2), "{p:?}");
}

#[test]
fn holdout_zero_trains_on_everything() {
    let examples = toy();
    let (model, evaluation) = train_quietly(
        &examples,
        &TrainOptions {
            holdout: 0.0,
            ..options()
        },
    )
    .unwrap();
    assert_eq!(evaluation.examples, 12);
    let (held, _) = train_quietly(&examples, &options()).unwrap();
    // Same calibration, different (all-data) weights.
    assert_eq!(model.temperature(), held.temperature());
    assert_ne!(model.to_bytes(), held.to_bytes());
    assert_eq!(evaluate(&model, &examples, None).accuracy, 1.0);
}

#[test]
fn progress_reaches_every_stage() {
    let mut seen: Vec<Progress> = Vec::new();
    train(&toy(), None, &options(), &mut |p| seen.push(p)).unwrap();
    for stage in [
        Stage::Analysing,
        Stage::Training,
        Stage::Calibrating,
        Stage::Evaluating,
    ] {
        let last = seen.iter().rfind(|p| p.stage == stage).unwrap();
        assert_eq!(last.done, last.total, "{stage}");
    }
    assert!(seen.iter().all(|p| p.done <= p.total));
}

#[test]
fn rejects_bad_input() {
    let one_label: Vec<Example> = toy()
        .into_iter()
        .filter(|e| e.labels[0] == "sport")
        .collect();
    assert!(matches!(
        train_quietly(&one_label, &options()),
        Err(TrainError::TooFewLabels(1))
    ));
    let tiny: Vec<Example> = toy().into_iter().step_by(36).collect();
    let e = train_quietly(&tiny, &options()).unwrap_err();
    assert!(matches!(e, TrainError::TooFewExamples(_)), "{e}");
    for bad in [
        TrainOptions {
            holdout: 0.7,
            ..options()
        },
        TrainOptions {
            holdout: f64::NAN,
            ..options()
        },
        TrainOptions {
            c: 0.0,
            ..options()
        },
    ] {
        assert!(matches!(
            train_quietly(&toy(), &bad),
            Err(TrainError::Option(_))
        ));
    }
}

#[test]
fn evaluate_counts_unknown_labels_as_errors() {
    let (model, _) = train_quietly(&toy(), &options()).unwrap();
    let examples = vec![
        Example {
            text: SPORT[0].to_owned(),
            labels: vec!["sport".to_owned()],
        },
        Example {
            text: WEATHER[0].to_owned(),
            labels: vec!["politics".to_owned()],
        },
    ];
    let e = evaluate(&model, &examples, None);
    assert_eq!(e.labels.len(), 4);
    assert_eq!(e.labels[3], "politics");
    assert!((e.accuracy - 0.5).abs() < 1e-12);
}
