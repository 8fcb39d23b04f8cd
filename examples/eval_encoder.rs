//! Measures the sentence encoder (`textanalysis::encoder`) on the STS
//! Benchmark's dev set: the Pearson correlation of the two sentences'
//! cosine with the gold similarity, and the time an embedding takes:
//! one sentence at a time (a request's latency) and in batches of
//! [`BATCH_TOKENS`](textanalysis::encoder::BATCH_TOKENS) tokens (throughput).
//!
//! ```text
//! scripts/fetch-encoder.sh
//! cargo run --release --example eval_encoder -- /work/shared/data [MODEL_DIR]
//! ```
//!
//! `RAYON_NUM_THREADS=1` measures one core.

mod common;

use common::{pearson, read_sts};

use std::path::PathBuf;
use std::time::Instant;

use textanalysis::deadline::Deadline;
use textanalysis::encoder::{BATCH_TOKENS, Encoder, cosine};

/// How many sentences the one-at-a-time timing embeds.
const SINGLE: usize = 300;

fn main() {
    let mut args = std::env::args().skip(1);
    let data = args.next().unwrap_or_else(|| "/work/shared/data".into());
    let model = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/encoder/all-MiniLM-L6-v2")
    });

    let started = Instant::now();
    let encoder = Encoder::load(&model).unwrap_or_else(|e| panic!("{e}"));
    println!("loaded {} in {:.2?}", model.display(), started.elapsed());

    let rows = read_sts(&format!("{data}/stsb_dev.csv"));
    let sentences: Vec<&str> = rows
        .iter()
        .flat_map(|(_, a, b)| [a.as_str(), b.as_str()])
        .collect();

    let started = Instant::now();
    let embeddings = encoder.embed(&sentences, Deadline::NONE).expect("embed");
    let batched = started.elapsed();

    let gold: Vec<f64> = rows.iter().map(|(g, _, _)| *g).collect();
    let cosines: Vec<f64> = embeddings
        .chunks(2)
        .map(|pair| f64::from(cosine(&pair[0], &pair[1])))
        .collect();
    println!(
        "STS-B dev: {} pairs, Pearson r of cosine with gold = {:.4}",
        rows.len(),
        pearson(&cosines, &gold)
    );
    println!(
        "batched (up to {BATCH_TOKENS} tokens a call): {} sentences in {:.2?}, {:.2} ms a sentence",
        sentences.len(),
        batched,
        batched.as_secs_f64() * 1e3 / sentences.len() as f64
    );

    let single = &sentences[..SINGLE.min(sentences.len())];
    let started = Instant::now();
    for sentence in single {
        encoder.embed(&[sentence], Deadline::NONE).expect("embed");
    }
    let alone = started.elapsed();
    println!(
        "one at a time: {} sentences in {:.2?}, {:.2} ms a sentence",
        single.len(),
        alone,
        alone.as_secs_f64() * 1e3 / single.len() as f64
    );
}
