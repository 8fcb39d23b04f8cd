//! The held-out split: a stratified, seeded division of the examples into
//! a training part and a held-out part. Stratifying by each example's
//! rarest label keeps every label in both parts where the data allows, and
//! the seed makes the split, and so the trained model, reproducible.

use std::collections::BTreeSet;

use super::TrainError;
use crate::classify::data::Example;
use crate::classify::linear::XorShift;

/// The split [`train`](super::train()) makes: (training, held-out)
/// indices into `examples`, each in increasing order, for a held-out
/// `share` in `(0, 0.5]` and a seed; for reproducing a measurement
/// elsewhere.
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
pub(super) fn split(
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
