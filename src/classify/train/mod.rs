//! Training a [`Model`] from labelled examples, and evaluating one.
//!
//! [`train`] detects multi-label data (any example with other than exactly
//! one label), splits the examples into a training part and a held-out part
//! (stratified by label, deterministic for a seed), analyses every text
//! once with the shared pipeline (language detected per document), fits
//! tf-idf and the one-vs-rest SVMs on the training part ([`super::linear`]),
//! fits the calibration on the held-out part, and measures the calibrated
//! model on that same held-out part: that measurement is the accuracy,
//! macro-F1 and ECE stored in the model's [`ModelMeta`]. (Calibration and
//! measurement share the held-out part; the calibration has one or two
//! parameters per label, so the optimism this adds is small.)
//!
//! `holdout` is the held-out share, in `[0, 0.5]`. With `0` the final
//! weights are trained on every example: the calibration and the reported
//! measurement then come from a first model trained with the default share
//! of [`DEFAULT_HOLDOUT`] held out, and the final model, retrained on
//! everything, keeps that calibration (its decision values have the same
//! scale). That costs a second training run and the reported numbers
//! describe the first model, slightly pessimistically for the final one.
//!
//! Texts are analysed and labels trained on all available cores; results do
//! not depend on the number of threads.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::data::Example;
use super::features::{self, FeatureCounts};
use super::linear::{self, Platt, Rows, Vectorizer, XorShift};
use super::metrics::Evaluation;
use super::model::{Model, ModelError, ModelMeta, Parts};

/// The held-out share used when none is given, and for calibration when
/// `holdout` is 0.
pub const DEFAULT_HOLDOUT: f64 = 0.1;

/// How to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The model's name.
    pub name: String,
    /// The model's version.
    pub version: String,
    /// A description of the training data, stored in the model.
    pub training_data: String,
    /// Held-out share in `[0, 0.5]`; see the module documentation for 0.
    pub holdout: f64,
    /// Seed of the split and of the training order.
    pub seed: u64,
    /// Inverse regularisation strength of the SVMs (> 0).
    pub c: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            name: "model".to_owned(),
            version: "1".to_owned(),
            training_data: String::new(),
            holdout: DEFAULT_HOLDOUT,
            seed: 42,
            c: 1.0,
        }
    }
}

/// What training is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Analysing texts (`done`/`total` texts).
    Analysing,
    /// Training the per-label SVMs (`done`/`total` labels).
    Training,
    /// Fitting probabilities on held-out data (`done`/`total` labels).
    Calibrating,
    /// Measuring on held-out data (`done`/`total` examples).
    Evaluating,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Analysing => "analysing",
            Stage::Training => "training",
            Stage::Calibrating => "calibrating",
            Stage::Evaluating => "evaluating",
        })
    }
}

/// A progress report: `done` of `total` units of `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The current stage.
    pub stage: Stage,
    /// Units done.
    pub done: usize,
    /// Units in the stage.
    pub total: usize,
}

/// Why a model cannot be trained.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// An option is out of range.
    #[error("invalid training option: {0}")]
    Option(String),
    /// The examples name fewer than two labels.
    #[error("training needs examples of at least 2 labels, found {0}")]
    TooFewLabels(usize),
    /// Too few examples to hold some out and still train every label.
    #[error("too few examples: {0}")]
    TooFewExamples(String),
    /// The trained model is unusable (a bug).
    #[error("the trained model is invalid: {0}")]
    Model(#[from] ModelError),
}

/// Trains a model on `examples`; returns it with its held-out evaluation.
/// `progress` is called from the calling thread.
pub fn train(
    examples: &[Example],
    options: &TrainOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Model, Evaluation), TrainError> {
    if !(options.c.is_finite() && options.c > 0.0) {
        return Err(TrainError::Option(format!(
            "c must be a positive number, not {}",
            options.c
        )));
    }
    if !(options.holdout.is_finite() && (0.0..=0.5).contains(&options.holdout)) {
        return Err(TrainError::Option(format!(
            "holdout must be in [0, 0.5], not {}",
            options.holdout
        )));
    }
    let labels: Vec<String> = examples
        .iter()
        .flat_map(|e| e.labels.iter().cloned())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    if labels.len() < 2 {
        return Err(TrainError::TooFewLabels(labels.len()));
    }
    let multi_label = examples.iter().any(|e| e.labels.len() != 1);
    let gold = gold_indexes(examples, &labels);
    let share = if options.holdout == 0.0 {
        DEFAULT_HOLDOUT
    } else {
        options.holdout
    };
    let (training, held_out) = split(&gold, labels.len(), share, options.seed)?;

    let total = examples.len();
    progress(Progress {
        stage: Stage::Analysing,
        done: 0,
        total,
    });
    let features = parallel_map(total, |i| features_of(&examples[i].text), &mut |done| {
        progress(Progress {
            stage: Stage::Analysing,
            done,
            total,
        })
    });

    let meta = ModelMeta {
        name: options.name.clone(),
        version: options.version.clone(),
        labels: labels.clone(),
        multi_label,
        training_data: options.training_data.clone(),
        examples: examples.len(),
        accuracy: 0.0,
        macro_f1: 0.0,
        ece: 0.0,
    };
    let mut model = fit(&features, &gold, &training, meta.clone(), options, progress)?;

    // Calibration on the held-out part.
    let n = labels.len();
    progress(Progress {
        stage: Stage::Calibrating,
        done: 0,
        total: n + 1,
    });
    let scores: Vec<Vec<f64>> = held_out
        .iter()
        .map(|&i| model.decision_values(&features[i]))
        .collect();
    let temperature = if multi_label {
        1.0
    } else {
        let first: Vec<usize> = held_out.iter().map(|&i| gold[i][0]).collect();
        linear::fit_temperature(&scores, &first)
    };
    progress(Progress {
        stage: Stage::Calibrating,
        done: 1,
        total: n + 1,
    });
    let mut platt = Vec::with_capacity(n);
    for l in 0..n {
        let s: Vec<f64> = scores.iter().map(|s| s[l]).collect();
        let positive: Vec<bool> = held_out.iter().map(|&i| gold[i].contains(&l)).collect();
        platt.push(linear::fit_platt(&s, &positive));
        progress(Progress {
            stage: Stage::Calibrating,
            done: l + 2,
            total: n + 1,
        });
    }
    model.set_calibration(temperature, platt.clone());

    // Measurement on the held-out part.
    let total = held_out.len();
    let mut predicted = Vec::with_capacity(total);
    for (done, &i) in held_out.iter().enumerate() {
        predicted.push(distribution(&model, &features[i], multi_label, n));
        if done % 64 == 0 {
            progress(Progress {
                stage: Stage::Evaluating,
                done,
                total,
            });
        }
    }
    progress(Progress {
        stage: Stage::Evaluating,
        done: total,
        total,
    });
    let held_gold: Vec<Vec<usize>> = held_out.iter().map(|&i| gold[i].clone()).collect();
    let evaluation = Evaluation::compute(labels, &held_gold, &predicted, multi_label);

    if options.holdout == 0.0 {
        let everything: Vec<usize> = (0..examples.len()).collect();
        model = fit(&features, &gold, &everything, meta, options, progress)?;
        model.set_calibration(temperature, platt);
    }
    model.set_scores(
        examples.len(),
        evaluation.accuracy,
        evaluation.macro_f1,
        evaluation.ece,
    );
    Ok((model, evaluation))
}

/// Each example's labels as sorted, distinct indexes into `labels`; labels
/// not in the list are left out.
fn gold_indexes(examples: &[Example], labels: &[String]) -> Vec<Vec<usize>> {
    let index: HashMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    examples
        .iter()
        .map(|e| {
            let mut g: Vec<usize> = e
                .labels
                .iter()
                .filter_map(|l| index.get(l.as_str()).copied())
                .collect();
            g.sort_unstable();
            g.dedup();
            g
        })
        .collect()
}

/// Measures `model` on `examples`. Gold labels the model does not know are
/// added after the model's labels (never predicted, so always wrong). The
/// measurement is multi-label when the model or the data is.
pub fn evaluate(model: &Model, examples: &[Example]) -> Evaluation {
    let mut labels = model.meta().labels.clone();
    let unknown: BTreeSet<&String> = examples
        .iter()
        .flat_map(|e| &e.labels)
        .filter(|l| !labels.contains(l))
        .collect();
    labels.extend(unknown.into_iter().cloned());
    let multi_label = model.meta().multi_label || examples.iter().any(|e| e.labels.len() != 1);
    let gold = gold_indexes(examples, &labels);
    let n = labels.len();
    let predicted = parallel_map(
        examples.len(),
        |i| distribution(model, &features_of(&examples[i].text), multi_label, n),
        &mut |_| {},
    );
    Evaluation::compute(labels, &gold, &predicted, multi_label)
}

/// The features of a training or evaluation text, in its detected
/// language, as the service extracts them.
pub fn features_of(text: &str) -> FeatureCounts {
    features::detect_and_extract(text, None).1
}

/// A probability for each of `n` labels (0 past the model's labels).
fn distribution(model: &Model, features: &[(u32, f32)], multi_label: bool, n: usize) -> Vec<f64> {
    let mut p = vec![0.0; n];
    for (l, probability) in model.classify(features, multi_label) {
        if let Some(slot) = p.get_mut(l) {
            *slot = probability;
        }
    }
    p
}

/// Fits tf-idf and one SVM per label on the `rows` examples; the model is
/// returned uncalibrated (temperature 1, neutral sigmoids).
fn fit(
    features: &[FeatureCounts],
    gold: &[Vec<usize>],
    rows: &[usize],
    meta: ModelMeta,
    options: &TrainOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Model, TrainError> {
    let n = meta.labels.len();
    progress(Progress {
        stage: Stage::Training,
        done: 0,
        total: n,
    });
    let vectorizer = Vectorizer::fit(rows.iter().map(|&i| &features[i]), linear::MIN_DF);
    let vectors: Vec<_> = rows
        .iter()
        .map(|&i| vectorizer.transform(&features[i]))
        .collect();
    let matrix = Rows::new(&vectors);
    drop(vectors);
    let width = vectorizer.features.len();
    let binaries = parallel_map(
        n,
        |l| {
            let positive: Vec<bool> = rows.iter().map(|&i| gold[i].contains(&l)).collect();
            let seed = XorShift::new(options.seed ^ (l as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
                .next_u64();
            linear::train_binary(&matrix, &positive, width, options.c, seed)
        },
        &mut |done| {
            progress(Progress {
                stage: Stage::Training,
                done,
                total: n,
            })
        },
    );
    let mut weights = vec![0.0f32; width * n];
    for (l, binary) in binaries.iter().enumerate() {
        for (f, &w) in binary.weights.iter().enumerate() {
            weights[f * n + l] = w as f32;
        }
    }
    let bias = binaries.iter().map(|b| b.bias as f32).collect();
    let Vectorizer {
        features: ids,
        idf,
        documents,
        ..
    } = vectorizer;
    Ok(Model::from_parts(Parts {
        meta,
        features: ids,
        idf,
        weights,
        bias,
        temperature: 1.0,
        platt: vec![Platt { a: -1.0, b: 0.0 }; n],
        training_docs: documents.max(1),
    })?)
}

/// The split [`train`] makes: (training, held-out) indices into
/// `examples`, each in increasing order, for a held-out `share` in
/// `(0, 0.5]` and a seed; for reproducing a measurement elsewhere.
pub fn holdout_split(
    examples: &[Example],
    share: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), TrainError> {
    let labels: Vec<&String> = examples
        .iter()
        .flat_map(|e| &e.labels)
        .collect::<BTreeSet<&String>>()
        .into_iter()
        .collect();
    let gold: Vec<Vec<usize>> = examples
        .iter()
        .map(|e| {
            let mut g: Vec<usize> = e
                .labels
                .iter()
                .filter_map(|l| labels.binary_search(&l).ok())
                .collect();
            g.sort_unstable();
            g.dedup();
            g
        })
        .collect();
    split(&gold, labels.len(), share, seed)
}

/// A stratified split into (training, held-out) example indices, each in
/// increasing order. Examples are grouped by their rarest label (multi-label
/// examples without a label form their own group); each group holds out
/// `round(share · size)` examples chosen by the seed, keeping at least one
/// for training.
fn split(
    gold: &[Vec<usize>],
    labels: usize,
    share: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), TrainError> {
    let mut frequency = vec![0usize; labels];
    for g in gold {
        for &l in g {
            frequency[l] += 1;
        }
    }
    // Group `labels` is the examples without a label.
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); labels + 1];
    for (i, g) in gold.iter().enumerate() {
        let group = g
            .iter()
            .copied()
            .min_by_key(|&l| (frequency[l], l))
            .unwrap_or(labels);
        groups[group].push(i);
    }
    let mut rng = XorShift::new(seed);
    let mut held_out = Vec::new();
    for group in &mut groups {
        rng.shuffle(group);
        let take =
            ((group.len() as f64 * share).round() as usize).min(group.len().saturating_sub(1));
        held_out.extend_from_slice(&group[..take]);
    }
    held_out.sort_unstable();
    if held_out.is_empty() {
        return Err(TrainError::TooFewExamples(format!(
            "{} examples leave none to hold out at a share of {share}; give more examples (at \
             least a few per label)",
            gold.len()
        )));
    }
    let mut is_held = vec![false; gold.len()];
    for &i in &held_out {
        is_held[i] = true;
    }
    let training: Vec<usize> = (0..gold.len()).filter(|&i| !is_held[i]).collect();
    let mut trained = vec![false; labels];
    for &i in &training {
        for &l in &gold[i] {
            trained[l] = true;
        }
    }
    if let Some(l) = trained.iter().position(|t| !t) {
        return Err(TrainError::TooFewExamples(format!(
            "label {l} has no training example left after holding out a share of {share}"
        )));
    }
    Ok((training, held_out))
}

/// `f(0..n)` on all cores, in index order; `progress(done)` runs on the
/// calling thread as results arrive.
fn parallel_map<T: Send>(
    n: usize,
    f: impl Fn(usize) -> T + Sync,
    progress: &mut dyn FnMut(usize),
) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(n.max(1));
    let mut results: Vec<Option<T>> = std::iter::repeat_with(|| None).take(n).collect();
    if threads <= 1 {
        for (i, slot) in results.iter_mut().enumerate() {
            *slot = Some(f(i));
            progress(i + 1);
        }
        return results.into_iter().flatten().collect();
    }
    let next = AtomicUsize::new(0);
    let chunk = (n / (threads * 16)).clamp(1, 64);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, Vec<T>)>();
        for _ in 0..threads {
            let sender = sender.clone();
            let (next, f) = (&next, &f);
            scope.spawn(move || {
                loop {
                    let start = next.fetch_add(chunk, Ordering::Relaxed);
                    if start >= n {
                        break;
                    }
                    let end = (start + chunk).min(n);
                    let batch = (start..end).map(f).collect();
                    if sender.send((start, batch)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut done = 0;
        for (start, batch) in receiver {
            done += batch.len();
            for (k, value) in batch.into_iter().enumerate() {
                results[start + k] = Some(value);
            }
            progress(done);
        }
    });
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPORT: [&str; 12] = [
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
    const WEATHER: [&str; 12] = [
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
    const COOKING: [&str; 12] = [
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
    fn toy() -> Vec<Example> {
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

    fn options() -> TrainOptions {
        TrainOptions {
            name: "toy".to_owned(),
            version: "0.1".to_owned(),
            training_data: "invented sentences".to_owned(),
            ..TrainOptions::default()
        }
    }

    fn train_quietly(
        examples: &[Example],
        options: &TrainOptions,
    ) -> Result<(Model, Evaluation), TrainError> {
        train(examples, options, &mut |_| {})
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
        let on_training = evaluate(&model, &examples);
        assert_eq!(on_training.accuracy, 1.0, "{on_training}");
        assert_eq!(on_training.confusion[1], vec![0, 36, 0]);
        // Unseen text of each topic.
        for (text, label) in [
            ("The striker scored twice in the cup match.", 1),
            ("Rain and wind are forecast for tomorrow.", 2),
            ("Bake the bread and season the soup.", 0),
        ] {
            assert_eq!(
                model.classify(&features_of(text), false)[0].0,
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
            let f = features_of(text);
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
                let (language, counts) = features::detect_and_extract(text, None);
                let (detected, ranked) = model.classify_text(text, None, multi_label);
                assert_eq!(detected, language, "{text}");
                let expected = model.classify(&counts, multi_label);
                let bits = |r: &[(usize, f64)]| -> Vec<(usize, u64)> {
                    r.iter().map(|&(l, p)| (l, p.to_bits())).collect()
                };
                assert_eq!(bits(&ranked), bits(&expected), "{text}");
                let (_, given) = model.classify_text(text, de, multi_label);
                let counts = features::extract(text, de.unwrap());
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
            &features_of("The match was stopped by heavy rain and wind."),
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
        assert_eq!(evaluate(&model, &examples).accuracy, 1.0);
    }

    #[test]
    fn progress_reaches_every_stage() {
        let mut seen: Vec<Progress> = Vec::new();
        train(&toy(), &options(), &mut |p| seen.push(p)).unwrap();
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
        let e = evaluate(&model, &examples);
        assert_eq!(e.labels.len(), 4);
        assert_eq!(e.labels[3], "politics");
        assert!((e.accuracy - 0.5).abs() < 1e-12);
    }
}
