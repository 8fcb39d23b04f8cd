//! Dividing the examples: the held-out split and the cross-validation
//! folds. Both are stratified by label and seeded, and both move whole
//! near-duplicate groups ([`super::groups`]), never single examples, so no
//! text is measured while a near-copy of it is trained on. Stratifying by
//! each group's rarest label keeps every label on both sides where the
//! data allows, and the seed makes the division, and so the trained
//! model, reproducible.

use super::{TrainError, analyse, gold_indexes, labels_of};
use crate::classify::data::Example;
use crate::classify::linear::XorShift;

/// The split [`train`](super::train()) makes when it holds examples out:
/// (training, held-out) indices into `examples`, each in increasing order,
/// for a held-out `share` in `(0, 0.5]` and a seed; for reproducing a
/// measurement elsewhere.
pub fn holdout_split(
    examples: &[Example],
    share: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), TrainError> {
    let labels = labels_of(examples);
    let gold = gold_indexes(examples, &labels);
    let (_, groups) = analyse(examples, &mut |_| {});
    split(&gold, labels.len(), &groups, share, seed)
}

/// The near-duplicate groups of each stratum, the stratum being a group's
/// rarest label (by the number of examples carrying it, then by index);
/// the last stratum, index `labels`, holds the groups without a label.
/// Groups keep their order within a stratum.
fn strata(gold: &[Vec<usize>], labels: usize, groups: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut frequency = vec![0usize; labels];
    for g in gold {
        for &l in g {
            frequency[l] += 1;
        }
    }
    let mut strata: Vec<Vec<usize>> = vec![Vec::new(); labels + 1];
    for (k, group) in groups.iter().enumerate() {
        let stratum = group
            .iter()
            .flat_map(|&i| gold[i].iter().copied())
            .min_by_key(|&l| (frequency[l], l))
            .unwrap_or(labels);
        strata[stratum].push(k);
    }
    strata
}

/// A stratified split into (training, held-out) example indices, each in
/// increasing order. In each stratum the groups are shuffled by the seed
/// and held out in that order, each one that still fits, until
/// `round(share · examples)` of the stratum's examples are held out; at
/// least one example of a stratum stays in training. (Without
/// near-duplicates every group is one example and this holds out the first
/// `round(share · examples)` of the shuffled stratum.)
pub(super) fn split(
    gold: &[Vec<usize>],
    labels: usize,
    groups: &[Vec<usize>],
    share: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), TrainError> {
    let mut rng = XorShift::new(seed);
    let mut held_out = Vec::new();
    for mut stratum in strata(gold, labels, groups) {
        rng.shuffle(&mut stratum);
        let size: usize = stratum.iter().map(|&k| groups[k].len()).sum();
        let target = ((size as f64 * share).round() as usize).min(size.saturating_sub(1));
        let mut taken = 0;
        for &k in &stratum {
            if taken + groups[k].len() <= target {
                taken += groups[k].len();
                held_out.extend_from_slice(&groups[k]);
            }
        }
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

/// The cross-validation fold, in `0..folds`, of each example. In each
/// stratum the groups are shuffled by the seed, then each goes to the fold
/// holding the fewest of the stratum's examples so far (ties to the fold
/// with the fewest examples overall, then the lowest): the folds are as
/// even in size and label mix as whole groups allow.
pub(super) fn folds(
    gold: &[Vec<usize>],
    labels: usize,
    groups: &[Vec<usize>],
    folds: usize,
    seed: u64,
) -> Vec<usize> {
    let folds = folds.max(1);
    let mut rng = XorShift::new(seed);
    let mut fold_of = vec![0usize; gold.len()];
    let mut overall = vec![0usize; folds];
    for mut stratum in strata(gold, labels, groups) {
        rng.shuffle(&mut stratum);
        let mut here = vec![0usize; folds];
        for &k in &stratum {
            let fold = (0..folds)
                .min_by_key(|&f| (here[f], overall[f], f))
                .unwrap_or(0);
            here[fold] += groups[k].len();
            overall[fold] += groups[k].len();
            for &i in &groups[k] {
                fold_of[i] = fold;
            }
        }
    }
    fold_of
}
