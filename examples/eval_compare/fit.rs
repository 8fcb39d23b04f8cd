//! `--fit`: the constants of both score models and the threshold of the
//! alignment by meaning, measured in-process (the fit needs the raw
//! features, which the service does not return).
//!
//! Each model is a logistic regression with soft targets on
//! `stsb_train.csv` (gold / 5) and the first half of `msrp_train.tsv`
//! (0.95 for a paraphrase, 0.3 for not), fitted by Newton's method: the
//! lexical model on the lexical features, the half of MSRP weighing
//! [`MSRP_WEIGHT`] times STS-B; the semantic model on the same and
//! `semantic`, the cosine of the two texts' embeddings, MSRP weighing
//! [`SEMANTIC_MSRP_WEIGHT`] times STS-B. It prints the constants to paste
//! into `src/compare/similarity/mod.rs`, and the 5-fold cross-validation on
//! the same pairs that chose the semantic model's MSRP weight. Neither
//! `stsb_dev.csv` nor the second half of MSRP is used.
//!
//! The alignment threshold is read off the STS-B training pairs the
//! lexical alignment would leave apart (tf-idf cosine below
//! `MIN_ALIGNMENT_SIMILARITY`): for each threshold on the embeddings'
//! cosine, how many such pairs it aligns and how many of those people
//! judged equivalent or nearly (gold ≥ 4) or not close (gold < 3).

use textanalysis::compare::align::MIN_ALIGNMENT_SIMILARITY;
use textanalysis::compare::similarity::{
    FEATURE_NAMES, FEATURES, SEMANTIC_FEATURE_NAMES, SEMANTIC_FEATURES, logistic,
};
use textanalysis::compare::{CompareOptions, compare_detailed};
use textanalysis::semantic::Embedder;
use textanalysis::text::{Document, Language};

use crate::checks::read_msrp;
use crate::common::{pearson, read_sts};

/// Weight of MSRP's first half against STS-B train in the lexical model's
/// fit (each data set's weights sum to 1, then MSRP's are multiplied by
/// this).
const MSRP_WEIGHT: f64 = 4.0;
/// The same in the semantic model's fit. MSRP's pairs share most of their
/// words and all mean much the same, so the more they weigh, the more the
/// model leans on words where `semantic` says little: at 4, paraphrases
/// that share no word score low. Chosen by the cross-validation [`fit`]
/// prints: STS-B Pearson falls as MSRP weighs more, MSRP accuracy stays
/// within half a point whatever the weight, and of the two best sums of
/// the two (at 0.5 and 1, 0.004 apart) 1 has the better MSRP accuracy.
const SEMANTIC_MSRP_WEIGHT: f64 = 1.0;
/// MSRP weights the cross-validation tries for the semantic model.
const CV_MSRP_WEIGHTS: [f64; 5] = [0.5, 1.0, 2.0, 3.0, 4.0];
/// Folds of the cross-validation.
const FOLDS: usize = 5;
/// Fitting targets of MSRP pairs: paraphrases are near-equivalent (4.75 on
/// the STS 0–5 scale), non-paraphrases of this corpus still share most
/// words and details (1.5).
const MSRP_TARGETS: (f64, f64) = (0.95, 0.3);
/// Ridge penalty on every coefficient.
const RIDGE: f64 = 1e-4;

/// Solves the `N × N` system `m · x = m[.., N]` (augmented matrix) by
/// Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)]
fn solve<const N: usize>(mut m: Vec<Vec<f64>>) -> [f64; N] {
    for c in 0..N {
        let p = (c..N)
            .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
            .unwrap();
        m.swap(c, p);
        for r in 0..N {
            if r != c {
                let f = m[r][c] / m[c][c];
                for k in c..=N {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
    }
    std::array::from_fn(|i| m[i][N] / m[i][i])
}

/// Weighted logistic regression with soft targets in `[0, 1]`: minimises
/// `Σ wᵢ·CE(yᵢ, σ(θ·xᵢ)) + RIDGE·|θ|²/2` by Newton's method. `rows` hold
/// a leading 1 for the intercept.
#[allow(clippy::needless_range_loop)]
fn logistic_fit<const N: usize>(rows: &[[f64; N]], y: &[f64], w: &[f64]) -> [f64; N] {
    let mut theta = [0.0; N];
    for _ in 0..100 {
        let mut m = vec![vec![0.0; N + 1]; N];
        for ((r, &t), &wi) in rows.iter().zip(y).zip(w) {
            let z: f64 = r.iter().zip(&theta).map(|(a, b)| a * b).sum();
            let p = logistic(z);
            let h = wi * p * (1.0 - p);
            for i in 0..N {
                for j in 0..N {
                    m[i][j] += h * r[i] * r[j];
                }
                m[i][N] -= wi * (p - t) * r[i];
            }
        }
        for i in 0..N {
            m[i][i] += RIDGE;
            m[i][N] -= RIDGE * theta[i];
        }
        let step: [f64; N] = solve(m);
        for (t, s) in theta.iter_mut().zip(&step) {
            *t += s;
        }
        if step.iter().all(|s| s.abs() < 1e-10) {
            break;
        }
    }
    theta
}

/// Best accuracy of `score ≥ t` on `rows`, over `t` in steps of 0.005
/// (the grid the evaluation uses); returns (accuracy, t).
pub fn best_threshold(rows: &[(bool, f64)]) -> (f64, f64) {
    let mut best = (0.0, 0.0);
    for k in 0..=200 {
        let t = k as f64 / 200.0;
        let acc = rows.iter().filter(|r| (r.1 >= t) == r.0).count() as f64 / rows.len() as f64;
        if acc > best.0 {
            best = (acc, t);
        }
    }
    best
}

/// `[1, features…]`: a row of the regression.
fn row<const F: usize, const N: usize>(features: [f64; F]) -> [f64; N] {
    let mut r = [1.0; N];
    r[1..].copy_from_slice(&features);
    r
}

/// Fits one model on `x` (STS-B rows first, `n_sts` of them, then MSRP's)
/// and prints its constants, its fit and each feature's weight.
fn fit_model<const N: usize>(
    title: &str,
    names: &[&str],
    x: &[[f64; N]],
    y: &[f64],
    w: &[f64],
    n_sts: usize,
    msrp_labels: &[bool],
) {
    let theta = logistic_fit(x, y, w);
    let score = |r: &[f64; N]| {
        let z: f64 = r.iter().zip(&theta).map(|(a, b)| a * b).sum();
        if z.is_finite() { logistic(z) } else { 0.0 }
    };
    let pred: Vec<f64> = x[..n_sts].iter().map(score).collect();
    let (acc, t) = best_threshold(
        &msrp_labels
            .iter()
            .zip(&x[n_sts..])
            .map(|(label, r)| (*label, score(r)))
            .collect::<Vec<_>>(),
    );
    println!(
        "{title}: fitted on {n_sts} stsb_train pairs (train Pearson {:.4}) and the first {} MSRP \
         pairs (accuracy {:.1}% at score ≥ {t:.3})",
        pearson(&pred, &y[..n_sts]),
        msrp_labels.len(),
        100.0 * acc
    );
    for (i, name) in names.iter().enumerate() {
        let col: Vec<f64> = x[..n_sts].iter().map(|r| r[i + 1]).collect();
        println!(
            "  {name:>18}: weight {:+.4}, alone r on stsb_train = {:.4}",
            theta[i + 1],
            pearson(&col, &y[..n_sts])
        );
    }
    println!("intercept {:.4}", theta[0]);
    println!(
        "weights [{}]",
        theta[1..]
            .iter()
            .map(|w| format!("{w:.4}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// What the fit reads from one pair, compared with the encoder: the
/// lexical features and the semantic ones (the first is the tf-idf
/// cosine, the last the embeddings' cosine).
struct Pair {
    lexical: [f64; FEATURES],
    semantic: [f64; SEMANTIC_FEATURES],
}

fn measure(a: &str, b: &str, embedder: &dyn Embedder) -> Pair {
    let en = Language::from_code("en");
    let (da, db) = (Document::analyze(a, en), Document::analyze(b, en));
    let (_, details) = compare_detailed(&da, &db, &CompareOptions::default(), Some(embedder))
        .unwrap_or_else(|e| panic!("embedding failed: {e}"));
    let m = details.measures;
    Pair {
        lexical: m.features(),
        semantic: m.semantic_features().expect("compared with the encoder"),
    }
}

/// The alignment threshold table (see the module docs).
fn alignment_threshold(sts: &[(f64, String, String)], pairs: &[Pair]) {
    // (gold, embeddings' cosine) of the pairs the lexical alignment misses.
    let missed: Vec<(f64, f64)> = sts
        .iter()
        .zip(pairs)
        .filter(|(_, p)| p.lexical[0] < MIN_ALIGNMENT_SIMILARITY)
        .map(|((gold, _, _), p)| (*gold, p.semantic[SEMANTIC_FEATURES - 1]))
        .collect();
    let close = missed.iter().filter(|(g, _)| *g >= 4.0).count();
    println!(
        "alignment by meaning: {} stsb_train pairs under the lexical alignment's {MIN_ALIGNMENT_SIMILARITY}, \
         {close} of them with gold ≥ 4",
        missed.len()
    );
    println!("| threshold | aligned | gold ≥ 4 | gold < 3 | share of the gold ≥ 4 pairs aligned |");
    println!("|---:|---:|---:|---:|---:|");
    for k in 10..=18 {
        let t = k as f64 * 0.05;
        let aligned: Vec<f64> = missed
            .iter()
            .filter(|(_, s)| *s >= t)
            .map(|(g, _)| *g)
            .collect();
        let good = aligned.iter().filter(|g| **g >= 4.0).count();
        let bad = aligned.iter().filter(|g| **g < 3.0).count();
        let share = |k: usize| 100.0 * k as f64 / aligned.len().max(1) as f64;
        println!(
            "| {t:.2} | {} | {good} ({:.0}%) | {bad} ({:.0}%) | {:.0}% |",
            aligned.len(),
            share(good),
            share(bad),
            100.0 * good as f64 / close.max(1) as f64
        );
    }
}

/// Weights of the rows of a fit: the STS-B rows (`n_sts`, first) and the
/// MSRP rows (`n_msrp`) among those `keep` selects each sum to 1, MSRP's
/// then multiplied by `msrp_weight`; rows left out weigh 0.
fn weights(
    n_sts: usize,
    n_msrp: usize,
    msrp_weight: f64,
    keep: impl Fn(usize) -> bool,
) -> Vec<f64> {
    let kept = |range: std::ops::Range<usize>| range.filter(|&i| keep(i)).count().max(1) as f64;
    let (sts, msrp) = (kept(0..n_sts), kept(n_sts..n_sts + n_msrp));
    (0..n_sts + n_msrp)
        .map(|i| match (keep(i), i < n_sts) {
            (false, _) => 0.0,
            (true, true) => 1.0 / sts,
            (true, false) => msrp_weight / msrp,
        })
        .collect()
}

/// 5-fold cross-validation of the semantic model for each MSRP weight of
/// [`CV_MSRP_WEIGHTS`]: the mean over the folds of the held-out STS-B
/// pairs' Pearson and of the held-out MSRP pairs' accuracy at the
/// threshold best on the fold's training pairs (row `i` is in fold
/// `i % FOLDS`).
fn cross_validate<const N: usize>(x: &[[f64; N]], y: &[f64], n_sts: usize, labels: &[bool]) {
    println!("semantic model, {FOLDS}-fold cross-validation on the same pairs:");
    println!("| MSRP weight | STS-B Pearson | MSRP accuracy | sum |");
    println!("|---:|---:|---:|---:|");
    for msrp_weight in CV_MSRP_WEIGHTS {
        let (mut pearsons, mut accuracies) = (0.0, 0.0);
        for fold in 0..FOLDS {
            let w = weights(n_sts, labels.len(), msrp_weight, |i| i % FOLDS != fold);
            let theta = logistic_fit(x, y, &w);
            let score = |r: &[f64; N]| logistic(r.iter().zip(&theta).map(|(a, b)| a * b).sum());
            let held: Vec<usize> = (0..n_sts).filter(|i| i % FOLDS == fold).collect();
            let pred: Vec<f64> = held.iter().map(|&i| score(&x[i])).collect();
            let gold: Vec<f64> = held.iter().map(|&i| y[i]).collect();
            pearsons += pearson(&pred, &gold);
            let msrp = |train: bool| -> Vec<(bool, f64)> {
                (n_sts..x.len())
                    .filter(|i| (i % FOLDS != fold) == train)
                    .map(|i| (labels[i - n_sts], score(&x[i])))
                    .collect()
            };
            let (_, t) = best_threshold(&msrp(true));
            let test = msrp(false);
            accuracies +=
                test.iter().filter(|(l, s)| (*s >= t) == *l).count() as f64 / test.len() as f64;
        }
        let (p, a) = (pearsons / FOLDS as f64, accuracies / FOLDS as f64);
        println!(
            "| {msrp_weight} | {p:.4} | {:.1}% | {:.4} |",
            100.0 * a,
            p + a
        );
    }
}

/// Fits both models and measures the alignment threshold.
pub fn fit(dir: &str, embedder: &dyn Embedder) {
    let sts = read_sts(&format!("{dir}/stsb_train.csv"));
    let msrp = read_msrp(dir);
    let msrp = &msrp[..msrp.len() / 2];
    let started = std::time::Instant::now();
    let pairs: Vec<Pair> = sts
        .iter()
        .map(|(_, a, b)| (a, b))
        .chain(msrp.iter().map(|(_, a, b)| (a, b)))
        .map(|(a, b)| measure(a, b, embedder))
        .collect();
    eprintln!(
        "measured {} pairs in {:.1} s",
        pairs.len(),
        started.elapsed().as_secs_f64()
    );
    let n_sts = sts.len();
    let y: Vec<f64> = sts
        .iter()
        .map(|(gold, _, _)| gold / 5.0)
        .chain(msrp.iter().map(|(label, _, _)| {
            if *label {
                MSRP_TARGETS.0
            } else {
                MSRP_TARGETS.1
            }
        }))
        .collect();
    let labels: Vec<bool> = msrp.iter().map(|(label, _, _)| *label).collect();
    let lexical: Vec<[f64; FEATURES + 1]> = pairs.iter().map(|p| row(p.lexical)).collect();
    fit_model(
        "lexical model (INTERCEPT, WEIGHTS)",
        &FEATURE_NAMES,
        &lexical,
        &y,
        &weights(n_sts, labels.len(), MSRP_WEIGHT, |_| true),
        n_sts,
        &labels,
    );
    let semantic: Vec<[f64; SEMANTIC_FEATURES + 1]> =
        pairs.iter().map(|p| row(p.semantic)).collect();
    fit_model(
        "semantic model (SEMANTIC_INTERCEPT, SEMANTIC_WEIGHTS)",
        &SEMANTIC_FEATURE_NAMES,
        &semantic,
        &y,
        &weights(n_sts, labels.len(), SEMANTIC_MSRP_WEIGHT, |_| true),
        n_sts,
        &labels,
    );
    cross_validate(&semantic, &y, n_sts, &labels);
    alignment_threshold(&sts, &pairs);
}
