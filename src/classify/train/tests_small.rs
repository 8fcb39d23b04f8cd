//! Tests of what small data needs: near-duplicates kept on one side of
//! every split, cross-validated measurement, warnings when a figure rests
//! on too few examples, and probabilities that never claim certainty.

use super::groups::near_duplicate_groups;
use super::split::folds;
use super::tests::{COOKING, SPORT, WEATHER, options, toy};
use super::*;

fn example(text: &str, label: &str) -> Example {
    Example {
        text: text.to_owned(),
        labels: vec![label.to_owned()],
    }
}

/// Every sentence of the three topics twice, once with a sign-off added,
/// and a few exact repeats: the shape of data that measured a perfect
/// score on near-copies of its training texts.
fn with_copies() -> Vec<Example> {
    let mut examples = Vec::new();
    for (label, sentences) in [("sport", SPORT), ("weather", WEATHER), ("cooking", COOKING)] {
        for (i, s) in sentences.iter().enumerate() {
            examples.push(example(s, label));
            examples.push(example(&format!("{s} Thanks for your help."), label));
            if i % 4 == 0 {
                examples.push(example(s, label));
            }
        }
    }
    examples
}

/// The text an example copies: its sentence without the sign-off.
fn original(text: &str) -> &str {
    text.trim_end_matches(" Thanks for your help.")
}

fn groups_of(examples: &[Example]) -> Vec<Vec<usize>> {
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let features: Vec<FeatureCounts> = examples
        .iter()
        .map(|e| features_of(&e.text, &mut Lexicon::new()))
        .collect();
    near_duplicate_groups(&texts, &features)
}

#[test]
fn near_duplicates_are_grouped_and_other_texts_are_not() {
    let examples = with_copies();
    let groups = groups_of(&examples);
    // One group per sentence: its copies, and nothing else.
    assert_eq!(groups.len(), 36);
    for group in &groups {
        let first = original(&examples[group[0]].text);
        assert!(
            group.iter().all(|&i| original(&examples[i].text) == first),
            "{group:?}"
        );
    }
    let texts = [
        "Heavy rain and strong wind are forecast for the coast.",
        "HEAVY rain and strong   wind are forecast for the coast.",
        // Most of the first, a word changed.
        "Heavy rain and strong winds are forecast for the north coast.",
        // A short text inside a long one is not a copy of it.
        "Heavy rain.",
        "Heavy rain and strong wind are forecast for the coast, and the ferries to the \
         islands are cancelled until the storm has passed over the mountains tomorrow.",
        "",
        "",
    ];
    let examples: Vec<Example> = texts.iter().map(|t| example(t, "weather")).collect();
    let groups = groups_of(&examples);
    assert_eq!(groups, vec![vec![0, 1, 2], vec![3], vec![4], vec![5, 6]]);
}

#[test]
fn no_held_out_text_has_a_near_copy_in_training() {
    let examples = with_copies();
    for seed in 0..20 {
        let (training, held_out) = holdout_split(&examples, 0.2, seed).unwrap();
        assert!(!held_out.is_empty());
        for &h in &held_out {
            let text = original(&examples[h].text);
            assert!(
                training
                    .iter()
                    .all(|&t| original(&examples[t].text) != text),
                "seed {seed}: `{text}` is on both sides"
            );
        }
    }
}

#[test]
fn folds_keep_groups_whole_and_labels_even() {
    let examples = with_copies();
    let labels = ["cooking", "sport", "weather"];
    let gold: Vec<Vec<usize>> = examples
        .iter()
        .map(|e| vec![labels.iter().position(|l| *l == e.labels[0]).unwrap()])
        .collect();
    let groups = groups_of(&examples);
    let fold_of = folds(&gold, 3, &groups, 5, 7);
    assert_eq!(fold_of, folds(&gold, 3, &groups, 5, 7));
    assert_ne!(fold_of, folds(&gold, 3, &groups, 5, 8));
    for group in &groups {
        assert!(group.iter().all(|&i| fold_of[i] == fold_of[group[0]]));
    }
    // Singletons: every fold gets 7 or 8 of a label's 36.
    let singles: Vec<Vec<usize>> = (0..108).map(|i| vec![i]).collect();
    let gold: Vec<Vec<usize>> = (0..108).map(|i| vec![i / 36]).collect();
    let fold_of = folds(&gold, 3, &singles, 5, 7);
    for l in 0..3 {
        for f in 0..5 {
            let n = (0..108)
                .filter(|&i| gold[i][0] == l && fold_of[i] == f)
                .count();
            assert!(n == 7 || n == 8, "label {l}, fold {f}: {n}");
        }
    }
}

#[test]
fn small_data_is_cross_validated_on_every_example() {
    let examples = toy();
    let options = TrainOptions {
        cross_validation_below: CROSS_VALIDATION_BELOW,
        ..options()
    };
    let mut stages = Vec::new();
    let (model, report) = train(&examples, None, &options, &mut |p| stages.push(p.stage)).unwrap();
    let measured = Measurement::CrossValidation {
        folds: 5,
        examples: 108,
    };
    assert_eq!(report.measured, measured);
    assert_eq!(report.evaluation.examples, 108);
    assert_eq!(model.meta().measured, Some(measured));
    assert_eq!(model.meta().examples, 108);
    assert_eq!(model.meta().accuracy, report.evaluation.accuracy);
    assert!(report.evaluation.accuracy > 0.9, "{}", report.evaluation);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(stages.contains(&Stage::CrossValidating));
    // The final model is trained on every example, and says how it
    // measured in its file.
    assert_eq!(evaluate(&model, &examples, None).accuracy, 1.0);
    let back = Model::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(back.meta().measured, Some(measured));
    // Deterministic.
    let (again, _) = train(&examples, None, &options, &mut |_| {}).unwrap();
    assert_eq!(again.to_bytes(), model.to_bytes());
    // Large data keeps the held-out split.
    let (_, held) = train(&examples, None, &super::tests::options(), &mut |_| {}).unwrap();
    assert_eq!(held.measured, Measurement::HeldOut { examples: 12 });
}

#[test]
fn cross_validation_refuses_a_label_it_cannot_measure() {
    let mut examples = toy();
    examples.retain(|e| e.labels[0] != "cooking");
    examples.push(example(COOKING[0], "cooking"));
    examples.push(example(
        &format!("{} Thanks for your help.", COOKING[0]),
        "cooking",
    ));
    let options = TrainOptions {
        cross_validation_below: CROSS_VALIDATION_BELOW,
        ..options()
    };
    let e = train(&examples, None, &options, &mut |_| {}).unwrap_err();
    assert!(matches!(e, TrainError::TooFewExamples(_)), "{e}");
    assert!(e.to_string().contains("`cooking`"), "{e}");
}

#[test]
fn warns_when_a_figure_rests_on_few_examples() {
    let options = TrainOptions {
        cross_validation_below: CROSS_VALIDATION_BELOW,
        ..options()
    };
    // 36 sport and weather examples, 6 cooking ones: 78 measured in all.
    let mut examples = toy();
    let mut cooking = 0;
    examples.retain(|e| {
        cooking += usize::from(e.labels[0] == "cooking");
        e.labels[0] != "cooking" || cooking <= 6
    });
    let (_, report) = train(&examples, None, &options, &mut |_| {}).unwrap();
    assert_eq!(
        report.warnings,
        vec![Warning::FewOfLabel {
            label: "cooking".to_owned(),
            measured: 6
        }]
    );
    // 8 of each: too few overall and of every label.
    let few: Vec<Example> = toy()
        .chunks(36)
        .flat_map(|label| label[..8].to_vec())
        .collect();
    let (_, report) = train(&few, None, &options, &mut |_| {}).unwrap();
    assert_eq!(report.warnings[0], Warning::FewExamples { measured: 24 });
    assert_eq!(report.warnings.len(), 4, "{:?}", report.warnings);
    // A held-out tenth of the toy data is 12 examples, 4 a label.
    let (_, report) = train(&toy(), None, &super::tests::options(), &mut |_| {}).unwrap();
    assert_eq!(report.warnings.len(), 4, "{:?}", report.warnings);
}

#[test]
fn probabilities_never_claim_certainty() {
    let floor = 0.001 / 3.0;
    for options in [
        options(),
        TrainOptions {
            cross_validation_below: CROSS_VALIDATION_BELOW,
            ..options()
        },
    ] {
        let (model, _) = train(&toy(), None, &options, &mut |_| {}).unwrap();
        let far = "striker goal striker goal match cup final penalty striker goal ".repeat(30);
        for text in SPORT
            .iter()
            .chain(&WEATHER)
            .chain(&COOKING)
            .copied()
            .chain([far.as_str(), "", "zzz"])
        {
            let f = features_of(text, &mut Lexicon::new());
            let single = model.classify(&f, false);
            assert!((single.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-9);
            for &(_, p) in &single {
                assert!(
                    p >= floor - 1e-15 && p <= 1.0 - 2.0 * floor + 1e-15,
                    "{text}: {p}"
                );
            }
            for (_, p) in model.classify(&f, true) {
                assert!(
                    (0.0005 - 1e-15..=0.9995 + 1e-15).contains(&p),
                    "{text}: {p}"
                );
            }
        }
    }
}

#[test]
fn the_support_example_answers_sensibly() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/support/support.jsonl"
    );
    let examples = crate::classify::data::read(std::path::Path::new(path)).unwrap();
    // Texts of their own, enough of each label to measure it.
    assert_eq!(groups_of(&examples).len(), examples.len());
    for label in ["account", "billing", "technical"] {
        let n = examples.iter().filter(|e| e.labels[0] == label).count();
        assert!(n >= 40, "{label}: {n}");
    }
    let (model, report) = train(&examples, None, &TrainOptions::default(), &mut |_| {}).unwrap();
    assert!(
        matches!(report.measured, Measurement::CrossValidation { .. }),
        "{report}"
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let labels = &model.meta().labels;
    let ranked = model.classify(
        &features_of(
            "I forgot my password and cannot log in.",
            &mut Lexicon::new(),
        ),
        false,
    );
    assert_eq!(labels[ranked[0].0], "account", "{ranked:?}");
    assert!(ranked[0].1 > 0.5 && ranked[0].1 < 0.99, "{ranked:?}");
    assert!(ranked.iter().all(|&(_, p)| p > 0.002), "{ranked:?}");
}

#[test]
fn multi_label_small_data_is_cross_validated() {
    let mut examples = toy();
    for i in 0..12 {
        examples.push(Example {
            text: format!("{} {}", SPORT[i], WEATHER[(i + 3) % 12]),
            labels: vec!["sport".to_owned(), "weather".to_owned()],
        });
    }
    let options = TrainOptions {
        cross_validation_below: CROSS_VALIDATION_BELOW,
        ..options()
    };
    let (model, report) = train(&examples, None, &options, &mut |_| {}).unwrap();
    assert!(model.meta().multi_label);
    assert_eq!(
        report.measured,
        Measurement::CrossValidation {
            folds: 5,
            examples: 120
        }
    );
    let features = features_of("The match was stopped by heavy rain.", &mut Lexicon::new());
    let p = model.classify(&features, false);
    assert!(
        p.iter().all(|(_, p)| (0.0005..=0.9995).contains(p)),
        "{p:?}"
    );
    assert!(p[..2].iter().all(|(l, _)| *l == 1 || *l == 2), "{p:?}");
}
