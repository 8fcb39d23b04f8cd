//! Cross-validation on small data: every example's decision values from a
//! model that was not trained on it (nor on any near-duplicate of it).
//! [`super::train`] calibrates on these out-of-fold values and measures
//! the calibrated probabilities they give.

use super::split::folds;
use super::{ExampleEmbeddings, FOLDS, Progress, Stage, TrainError, TrainOptions, fit};
use crate::classify::features::FeatureCounts;
use crate::classify::model::ModelMeta;

/// The number of folds used and each example's out-of-fold decision
/// values: the examples are divided into up to [`FOLDS`] folds of whole
/// near-duplicate `groups`, and each fold is scored by tf-idf and SVMs
/// fitted on the others. Fails when a label has fewer than two groups: it
/// could not be both trained on and measured.
#[allow(clippy::too_many_arguments)]
pub(super) fn out_of_fold_scores(
    features: &[FeatureCounts],
    embeddings: Option<ExampleEmbeddings<'_>>,
    gold: &[Vec<usize>],
    labels: &[String],
    groups: &[Vec<usize>],
    meta: &ModelMeta,
    options: &TrainOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<(usize, Vec<Vec<f64>>), TrainError> {
    let mut groups_of_label = vec![0usize; labels.len()];
    for group in groups {
        let mut seen: Vec<usize> = group.iter().flat_map(|&i| gold[i].clone()).collect();
        seen.sort_unstable();
        seen.dedup();
        for l in seen {
            groups_of_label[l] += 1;
        }
    }
    if let Some(l) = groups_of_label.iter().position(|&count| count < 2) {
        return Err(TrainError::TooFewExamples(format!(
            "label `{}` has {} example(s), near-duplicates counted once; cross-validation \
             needs at least 2 to train on one and measure another",
            labels[l], groups_of_label[l]
        )));
    }
    let k = FOLDS.min(groups.len());
    let fold_of = folds(gold, labels.len(), groups, k, options.seed);
    let mut scores = vec![Vec::new(); gold.len()];
    progress(Progress {
        stage: Stage::CrossValidating,
        done: 0,
        total: k,
    });
    for fold in 0..k {
        let rows: Vec<usize> = (0..gold.len()).filter(|&i| fold_of[i] != fold).collect();
        let model = fit(
            features,
            embeddings,
            gold,
            &rows,
            meta.clone(),
            options,
            &mut |_| {},
        )?;
        for (i, s) in scores.iter_mut().enumerate() {
            if fold_of[i] == fold {
                *s = model.decision_values(&features[i], embeddings.and_then(|e| e.of(i)));
            }
        }
        progress(Progress {
            stage: Stage::CrossValidating,
            done: fold + 1,
            total: k,
        });
    }
    Ok((k, scores))
}
