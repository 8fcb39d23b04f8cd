//! Summaries of every article of a CNN/DailyMail-style JSON-lines file
//! (`article` field) by PACSUM under a grid of parameters, for
//! `scripts/tune-pacsum.sh`, which scores them with ROUGE and picks the
//! parameters on one half of the articles.
//!
//! ```sh
//! cargo run --release --example tune_pacsum -- DATA.jsonl > summaries.jsonl
//! ```
//!
//! Each output line is one setting: `{"params": {...}, "summaries": [[s1,
//! s2, s3], ...]}`, three sentences per article in document order, with
//! furniture removed as the service does by default.

use std::io::Write;

use textanalysis::summarize::SentenceVectors;
use textanalysis::summarize::pacsum::{self, Params};
use textanalysis::text::{Document, Language, View};

/// The grid: `λ2` (backward weight), `β` (threshold), `μ` (position
/// weight; 0 is the published method, centrality alone), `τ` (position
/// decay); `λ1` is 1 (only the ratios matter).
const BACKWARD: [f64; 3] = [-0.5, -1.0, -2.0];
const BETA: [f64; 2] = [0.0, 0.2];
const POSITION: [f64; 5] = [0.0, 1.0, 2.0, 3.0, 5.0];
const DECAY: [f64; 3] = [1.0, 2.0, 4.0];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: tune_pacsum DATA.jsonl")?;
    let raw = std::fs::read_to_string(&path)?;
    let mut articles = Vec::new();
    for line in raw.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line)?;
        let article = row["article"].as_str().ok_or("a row without `article`")?;
        articles.push(article.to_owned());
    }
    let english = Language::from_code("en");
    let docs: Vec<Document<'_>> = articles
        .iter()
        .map(|a| Document::analyze(a, english))
        .collect();
    let views: Vec<View<'_, '_>> = docs.iter().map(View::without_furniture).collect();
    let vectors: Vec<SentenceVectors> = views.iter().map(SentenceVectors::of).collect();

    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for backward in BACKWARD {
        for beta in BETA {
            for position in POSITION {
                for decay in DECAY {
                    let params = Params {
                        backward,
                        beta,
                        position,
                        decay,
                        ..pacsum::PARAMS
                    };
                    let summaries: Vec<Vec<&str>> = views
                        .iter()
                        .zip(&vectors)
                        .map(|(view, vectors)| {
                            let scores = pacsum::score_with(vectors, &params);
                            let mut best: Vec<usize> = (0..view.len()).collect();
                            best.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
                            best.truncate(3);
                            best.sort_unstable();
                            best.into_iter().map(|i| view.text(i)).collect()
                        })
                        .collect();
                    let line = serde_json::json!({
                        "params": {
                            "backward": backward,
                            "beta": beta,
                            "position": position,
                            "decay": decay,
                        },
                        "summaries": summaries,
                    });
                    writeln!(out, "{line}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}
