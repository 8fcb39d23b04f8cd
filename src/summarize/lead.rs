//! LEAD: position alone. News puts its essentials first, so the first
//! sentences are a strong baseline (LEAD-3 on CNN/DailyMail).

/// `1 / (1 + index)` for each of `n` sentences: strictly decreasing, so
/// ranks follow position.
pub fn score(n: usize) -> Vec<f64> {
    (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect()
}
