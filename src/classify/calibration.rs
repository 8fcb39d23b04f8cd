//! Calibration: how the one-vs-rest SVMs' decision values
//! ([`super::linear`]) become probabilities.
//!
//! A single-label model's decision values `s` become probabilities by a
//! softmax with a temperature, `p_l = exp(s_l / T) / Σ exp(s_k / T)`, with
//! `T` minimising the cross-entropy of held-out (or out-of-fold) data
//! against Platt's smoothed targets carried over to several labels: an
//! example of label `g` wants `(N_g + 1)/(N_g + 2)` on `g` and the rest
//! shared evenly by the other labels, `N_g` being the calibration
//! examples of `g` (a golden-section search over `ln(1/T)`; the loss is
//! convex in `1/T`). Fitting hard 0/1 targets instead drives `T` towards 0
//! whenever the calibration examples happen to be all classified right,
//! which a few dozen examples of a small data set easily are, and the model
//! then claims certainties like 1 − 10⁻¹⁶. Each label also gets Platt's
//! sigmoid `1 / (1 + exp(A·s + B))`, fitted on the same data by Platt's
//! method with his smoothed targets (`(N+ + 1)/(N+ + 2)` and `1/(N- + 2)`)
//! and the Newton iteration of Lin, Lin and Weng (2007): multi-label models
//! use it always, single-label models when a client asks for independent
//! per-label probabilities.
//!
//! Both are then tempered ([`temper`]): mixed with the uniform distribution
//! at weight [`UNIFORM_WEIGHT`], so that of `L` outcomes (the labels of a
//! softmax, or the two of a sigmoid) none gets less than
//! `UNIFORM_WEIGHT / L` nor more than `1 − UNIFORM_WEIGHT · (L − 1) / L`.
//! A softmax of a linear score extrapolates without bound (a text far from
//! anything trained on got 10⁻⁴¹), while no calibration set here, a few
//! hundred examples for a small model and some 800 for the built-in one,
//! can support a probability much below one in a thousand. The mixture is
//! monotone, so it never changes which label ranks first, and it moves a
//! probability by at most [`UNIFORM_WEIGHT`], so calibration error by no
//! more either.

/// The weight of the uniform distribution in every probability a model
/// gives (see the module documentation).
pub const UNIFORM_WEIGHT: f64 = 0.001;

/// A probability `p` of one of `outcomes` outcomes, tempered: mixed with
/// the uniform distribution at weight [`UNIFORM_WEIGHT`]. Tempering every
/// outcome of a distribution keeps its sum.
pub fn temper(p: f64, outcomes: usize) -> f64 {
    (1.0 - UNIFORM_WEIGHT) * p + UNIFORM_WEIGHT / outcomes.max(1) as f64
}

/// Softmax of `scores / temperature`, into `out` (same length).
pub fn softmax(scores: &[f64], temperature: f64, out: &mut [f64]) {
    let beta = 1.0 / temperature;
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, &s) in out.iter_mut().zip(scores) {
        *o = ((s - max) * beta).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

/// Mean cross-entropy, under a softmax with inverse temperature `beta`,
/// against targets putting `target[g]` on the gold label `g` and the rest
/// evenly on the others.
fn softmax_loss(scores: &[Vec<f64>], gold: &[usize], target: &[f64], beta: f64) -> f64 {
    let mut total = 0.0;
    for (s, &g) in scores.iter().zip(gold) {
        let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = s
            .iter()
            .map(|&v| ((v - max) * beta).exp())
            .sum::<f64>()
            .ln();
        let on_gold = target.get(g).copied().unwrap_or(1.0);
        let others = if s.len() > 1 {
            (1.0 - on_gold) / (s.len() - 1) as f64
        } else {
            0.0
        };
        // Σ_k t_k · (−ln p_k), with Σ_k t_k = 1.
        let expected: f64 = s
            .iter()
            .enumerate()
            .map(|(k, &v)| (if k == g { on_gold } else { others }) * (v - max))
            .sum();
        total += lse - expected * beta;
    }
    total / scores.len().max(1) as f64
}

/// The softmax temperature in `[1e-3, 100]` minimising the cross-entropy
/// of decision values `scores` against the smoothed targets of their gold
/// labels `gold` (see the module documentation); 1 without data.
pub fn fit_temperature(scores: &[Vec<f64>], gold: &[usize]) -> f64 {
    if scores.is_empty() {
        return 1.0;
    }
    let labels = scores.iter().map(Vec::len).max().unwrap_or(0);
    let mut count = vec![0usize; labels];
    for &g in gold {
        if let Some(c) = count.get_mut(g) {
            *c += 1;
        }
    }
    let target: Vec<f64> = count
        .iter()
        .map(|&n| (n as f64 + 1.0) / (n as f64 + 2.0))
        .collect();
    // Golden-section search over ln(beta), beta = 1/T: the loss is convex
    // in beta, so unimodal in ln(beta).
    let f = |x: f64| softmax_loss(scores, gold, &target, x.exp());
    let (mut a, mut b) = (0.01f64.ln(), 1000.0f64.ln());
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut x1 = b - ratio * (b - a);
    let mut x2 = a + ratio * (b - a);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..80 {
        if f1 <= f2 {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - ratio * (b - a);
            f1 = f(x1);
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + ratio * (b - a);
            f2 = f(x2);
        }
    }
    1.0 / ((a + b) / 2.0).exp()
}

/// Platt's sigmoid `1 / (1 + exp(a·s + b))`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Platt {
    /// Slope (negative when higher scores mean more likely).
    pub a: f64,
    /// Offset.
    pub b: f64,
}

impl Platt {
    /// The probability of a decision value, in [0, 1].
    pub fn probability(&self, score: f64) -> f64 {
        let z = self.a * score + self.b;
        let p = if z >= 0.0 {
            let e = (-z).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + z.exp())
        };
        if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) }
    }
}

/// Fits Platt's sigmoid to decision values and outcomes, with Platt's
/// smoothed targets, by the Newton method with backtracking of Lin, Lin and
/// Weng (2007), "A note on Platt's probabilistic outputs for support vector
/// machines".
pub fn fit_platt(scores: &[f64], positive: &[bool]) -> Platt {
    let prior1 = positive.iter().filter(|&&p| p).count() as f64;
    let prior0 = positive.len() as f64 - prior1;
    let hi = (prior1 + 1.0) / (prior1 + 2.0);
    let lo = 1.0 / (prior0 + 2.0);
    let targets: Vec<f64> = positive.iter().map(|&p| if p { hi } else { lo }).collect();
    let objective = |a: f64, b: f64| {
        scores
            .iter()
            .zip(&targets)
            .map(|(&s, &t)| {
                let z = s * a + b;
                if z >= 0.0 {
                    t * z + (-z).exp().ln_1p()
                } else {
                    (t - 1.0) * z + z.exp().ln_1p()
                }
            })
            .sum::<f64>()
    };
    let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    let mut value = objective(a, b);
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (1e-12, 1e-12, 0.0, 0.0, 0.0);
        for (&s, &t) in scores.iter().zip(&targets) {
            let z = s * a + b;
            let (p, q) = if z >= 0.0 {
                let e = (-z).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = z.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += s * s * d2;
            h22 += d2;
            h21 += s * d2;
            let d1 = t - p;
            g1 += s * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nv = objective(na, nb);
            if nv < value + 1e-4 * step * gd {
                (a, b, value) = (na, nb, nv);
                break;
            }
            step /= 2.0;
        }
        if step < 1e-10 {
            break;
        }
    }
    if a.is_finite() && b.is_finite() {
        Platt { a, b }
    } else {
        Platt {
            a: 0.0,
            b: ((prior0 + 1.0) / (prior1 + 1.0)).ln(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_fits_overconfident_and_underconfident_scores() {
        // Correct 75 % of the time with a margin of 1: the right inverse
        // temperature makes the top probability 0.75, i.e. beta = ln 3.
        let mut scores = Vec::new();
        let mut gold = Vec::new();
        for i in 0..400 {
            scores.push(vec![1.0, 0.0]);
            gold.push(usize::from(i % 4 == 0));
        }
        let t = fit_temperature(&scores, &gold);
        assert!((1.0 / t - 3f64.ln()).abs() < 1e-3, "{t}");
        let mut p = [0.0; 2];
        softmax(&scores[0], t, &mut p);
        assert!((p[0] - 0.75).abs() < 1e-3 && (p[0] + p[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn temperature_does_not_collapse_on_separable_scores() {
        // Ten examples of each of three labels, all ranked right by a wide
        // margin: hard targets would drive T to its bound of 0.001 (a top
        // probability of 1 − 1e-400); the smoothed targets want 11/12.
        let mut scores = Vec::new();
        let mut gold = Vec::new();
        for i in 0..30 {
            let mut s = vec![-1.0; 3];
            s[i % 3] = 1.0;
            scores.push(s);
            gold.push(i % 3);
        }
        let t = fit_temperature(&scores, &gold);
        let mut p = [0.0; 3];
        softmax(&scores[0], t, &mut p);
        assert!((p[0] - 11.0 / 12.0).abs() < 1e-3, "{t}: {p:?}");
    }

    #[test]
    fn platt_is_monotone_and_bounded() {
        let scores: Vec<f64> = (0..200).map(|i| f64::from(i) / 50.0 - 2.0).collect();
        let positive: Vec<bool> = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| s > 0.0 || i % 7 == 0)
            .collect();
        let platt = fit_platt(&scores, &positive);
        assert!(platt.a < 0.0);
        assert!(platt.probability(2.0) > 0.9 && platt.probability(-2.0) < 0.3);
        for s in [f64::MAX, -f64::MAX, 0.0, 1e300] {
            let p = platt.probability(s);
            assert!((0.0..=1.0).contains(&p));
        }
        // No positives at all still gives finite parameters.
        let none = fit_platt(&scores, &[false; 200]);
        assert!(none.a.is_finite() && none.b.is_finite() && none.probability(0.0) < 0.05);
    }
}
