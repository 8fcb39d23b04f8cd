//! Fitting the one-vs-rest linear SVMs on the training rows: tf-idf over
//! those rows, then one binary SVM per label, trained in parallel. The
//! result is an uncalibrated [`Model`]; [`super::train`] calibrates it on
//! the held-out part. Kept apart from `train` because it runs twice when
//! `holdout` is 0 (once on the training part, once on everything).

use super::parallel::parallel_map;
use super::{Progress, Stage, TrainError, TrainOptions};
use crate::classify::calibration::Platt;
use crate::classify::features::FeatureCounts;
use crate::classify::linear::{self, Rows, Vectorizer, XorShift};
use crate::classify::model::{Model, ModelMeta, Parts};

/// Fits tf-idf and one SVM per label on the `rows` examples; the model is
/// returned uncalibrated (temperature 1, neutral sigmoids).
pub(super) fn fit(
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
        || (),
        |_, l| {
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
