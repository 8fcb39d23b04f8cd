//! Fitting the one-vs-rest linear SVMs on the training rows: tf-idf over
//! those rows (and, for a model with semantic features, the embedding's
//! dimensions after the kept buckets, or alone), then one binary SVM per
//! label, trained in parallel. The
//! result is an uncalibrated [`Model`]; [`super::train`] calibrates it on
//! the held-out part. Kept apart from `train` because it runs twice when
//! `holdout` is 0 (once on the training part, once on everything).

use super::parallel::parallel_map;
use super::{ExampleEmbeddings, Progress, Stage, TrainError, TrainOptions};
use crate::classify::calibration::Platt;
use crate::classify::features::FeatureCounts;
use crate::classify::linear::{self, Rows, Vectorizer, XorShift};
use crate::classify::model::{Model, ModelMeta, Parts, SemanticWeights};

/// Fits tf-idf and one SVM per label on the `rows` examples; the model is
/// returned uncalibrated (temperature 1, neutral sigmoids). With
/// `embeddings` (given only when `options.features` reads meaning), each
/// row's vector is followed by its embedding times
/// `options.semantic_scale`, and the model keeps those weights times the
/// scale, so that it scores the embedding as it is.
pub(super) fn fit(
    features: &[FeatureCounts],
    embeddings: Option<ExampleEmbeddings<'_>>,
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
    // A model of the embedding alone fits tf-idf on no words: no lexical
    // features, and the document count for the file.
    let no_words = FeatureCounts::new();
    let counts = |i: usize| {
        if options.features.lexical() {
            &features[i]
        } else {
            &no_words
        }
    };
    let vectorizer = Vectorizer::fit(rows.iter().map(|&i| counts(i)), linear::MIN_DF);
    let lexical = vectorizer.features.len();
    let dim = embeddings.map_or(0, |e| e.encoder.dim);
    let scale = options.semantic_scale;
    let vectors: Vec<_> = rows
        .iter()
        .map(|&i| {
            let mut v = vectorizer.transform(counts(i));
            if let Some(e) = embeddings.and_then(|e| e.of(i)) {
                v.extend(
                    e.iter()
                        .enumerate()
                        .map(|(d, &x)| ((lexical + d) as u32, (f64::from(x) * scale) as f32)),
                );
            }
            v
        })
        .collect();
    let matrix = Rows::new(&vectors);
    drop(vectors);
    let width = lexical + dim;
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
    let mut weights = vec![0.0f32; lexical * n];
    let mut dense = vec![0.0f32; dim * n];
    for (l, binary) in binaries.iter().enumerate() {
        for (f, &w) in binary.weights.iter().enumerate() {
            if f < lexical {
                weights[f * n + l] = w as f32;
            } else {
                dense[(f - lexical) * n + l] = (w * scale) as f32;
            }
        }
    }
    let semantic = embeddings.map(|e| SemanticWeights {
        kind: options.features,
        encoder: e.encoder.name.clone(),
        dim,
        scale,
        weights: dense,
    });
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
        semantic,
    })?)
}
