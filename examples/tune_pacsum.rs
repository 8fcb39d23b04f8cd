//! Summaries of every article of a CNN/DailyMail-style JSON-lines file
//! (`article` field) by PACSUM under a grid of parameters, for
//! `scripts/tune-pacsum.sh`, which scores them with ROUGE and picks the
//! parameters on one half of the articles. With `--semantic MODEL_DIR`,
//! the same centrality over the cosines of sentence embeddings (SEMANTIC),
//! each article's sentences embedded once by the encoder in `MODEL_DIR`.
//!
//! ```sh
//! cargo run --release --example tune_pacsum -- DATA.jsonl [--semantic MODEL_DIR] > summaries.jsonl
//! ```
//!
//! Each output line is one setting: `{"params": {...}, "summaries": [[s1,
//! s2, s3], ...]}`, three sentences per article in document order, with
//! furniture removed as the service does by default.

use std::io::Write;
use std::path::PathBuf;

use textanalysis::deadline::Deadline;
use textanalysis::encoder::Encoder;
use textanalysis::semantic::Embedding;
use textanalysis::summarize::SentenceVectors;
use textanalysis::summarize::pacsum::{self, Params};
use textanalysis::summarize::semantic::SentenceEmbeddings;
use textanalysis::text::{Document, Language, View};

/// The grid: `λ2` (backward weight), `β` (threshold), `μ` (position
/// weight; 0 is the published method, centrality alone), `τ` (position
/// decay); `λ1` is 1 (only the ratios matter).
const BACKWARD: [f64; 3] = [-0.5, -1.0, -2.0];
const BETA: [f64; 2] = [0.0, 0.2];
const POSITION: [f64; 5] = [0.0, 1.0, 2.0, 3.0, 5.0];
const DECAY: [f64; 3] = [1.0, 2.0, 4.0];

/// SEMANTIC's grid: every pair of sentences has a cosine, most of them
/// weak, so the threshold `β` reaches higher, and `λ2` also takes 0 (the
/// forward links alone).
const SEMANTIC_BACKWARD: [f64; 4] = [0.0, -0.5, -1.0, -2.0];
const SEMANTIC_BETA: [f64; 7] = [0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut model = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--semantic" => model = Some(PathBuf::from(args.next().ok_or("--semantic MODEL_DIR")?)),
            _ => path = Some(arg),
        }
    }
    let path = path.ok_or("usage: tune_pacsum DATA.jsonl [--semantic MODEL_DIR]")?;
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

    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match model {
        None => {
            let vectors: Vec<SentenceVectors> = views.iter().map(SentenceVectors::of).collect();
            grid(
                &BACKWARD,
                &BETA,
                &pacsum::PARAMS,
                &views,
                &mut out,
                |k, params| pacsum::score_with(&vectors[k], params),
            )?;
        }
        Some(dir) => {
            let encoder = Encoder::load(&dir)?;
            let embeddings = views
                .iter()
                .map(|view| {
                    let texts: Vec<&str> = (0..view.len()).map(|i| view.text(i)).collect();
                    encoder.embed(&texts, Deadline::NONE)
                })
                .collect::<Result<Vec<Vec<Embedding>>, _>>()?;
            let sentences: Vec<SentenceEmbeddings<'_>> = views
                .iter()
                .zip(&embeddings)
                .map(|(view, e)| SentenceEmbeddings::new(view, e))
                .collect();
            let defaults = textanalysis::summarize::semantic::PARAMS;
            grid(
                &SEMANTIC_BACKWARD,
                &SEMANTIC_BETA,
                &defaults,
                &views,
                &mut out,
                |k, params| pacsum::score_with(&sentences[k], params),
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Writes one line per setting of the grid: the three best sentences of
/// each article by `score(article, params)`, in document order.
fn grid(
    backwards: &[f64],
    betas: &[f64],
    defaults: &Params,
    views: &[View<'_, '_>],
    out: &mut impl Write,
    score: impl Fn(usize, &Params) -> Vec<f64>,
) -> std::io::Result<()> {
    for &backward in backwards {
        for &beta in betas {
            for position in POSITION {
                for decay in DECAY {
                    let params = Params {
                        backward,
                        beta,
                        position,
                        decay,
                        ..*defaults
                    };
                    let summaries: Vec<Vec<&str>> = views
                        .iter()
                        .enumerate()
                        .map(|(k, view)| {
                            let scores = score(k, &params);
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
    Ok(())
}
