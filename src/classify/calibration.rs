//! Calibration: how the one-vs-rest SVMs' decision values
//! ([`super::linear`]) become probabilities.
//!
//! A single-label model's decision values `s` become probabilities by a
//! softmax with a temperature, `p_l = exp(s_l / T) / Σ exp(s_k / T)`, with
//! `T` minimising the negative log-likelihood of held-out data (a
//! golden-section search over `ln(1/T)`; the likelihood is convex in
//! `1/T`). Each label also gets Platt's sigmoid `1 / (1 + exp(A·s + B))`,
//! fitted on held-out data by Platt's method with his smoothed targets
//! (`(N+ + 1)/(N+ + 2)` and `1/(N- + 2)`) and the Newton iteration of Lin,
//! Lin and Weng (2007): multi-label models use it always, single-label
//! models when a client asks for independent per-label probabilities.

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

/// Mean negative log-likelihood of the gold labels under a softmax with
/// inverse temperature `beta`.
fn softmax_nll(scores: &[Vec<f64>], gold: &[usize], beta: f64) -> f64 {
    let mut total = 0.0;
    for (s, &g) in scores.iter().zip(gold) {
        let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = s
            .iter()
            .map(|&v| ((v - max) * beta).exp())
            .sum::<f64>()
            .ln();
        total += lse - (s[g] - max) * beta;
    }
    total / scores.len().max(1) as f64
}

/// The softmax temperature in `[1e-3, 100]` minimising the negative
/// log-likelihood of `gold` given decision values `scores`; 1 without
/// data.
pub fn fit_temperature(scores: &[Vec<f64>], gold: &[usize]) -> f64 {
    if scores.is_empty() {
        return 1.0;
    }
    // Golden-section search over ln(beta), beta = 1/T: the NLL is convex
    // in beta, so unimodal in ln(beta).
    let f = |x: f64| softmax_nll(scores, gold, x.exp());
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
