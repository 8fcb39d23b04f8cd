//! LEAD: position alone. News puts its essentials first, so the first
//! sentences are a strong baseline (LEAD-3 on CNN/DailyMail).

use crate::text::Document;

/// `1 / (1 + index)`: strictly decreasing, so ranks follow position.
pub fn score(doc: &Document<'_>) -> Vec<f64> {
    (0..doc.sentences.len())
        .map(|i| 1.0 / (1.0 + i as f64))
        .collect()
}
