//! What the evaluation examples share: reading the STS Benchmark files of
//! `../shared/data` and Pearson's correlation.

/// Pearson's correlation of `x` and `y`.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// STS rows: (gold, sentence 1, sentence 2). Split on tabs, no quoting; a
/// few rows carry extra columns after the sentences.
pub fn read_sts(path: &str) -> Vec<(f64, String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let gold = cols.get(4)?.trim().parse().ok()?;
            Some((gold, cols.get(5)?.to_string(), cols.get(6)?.to_string()))
        })
        .collect()
}
