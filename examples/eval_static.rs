//! Measures the static embedder (`textanalysis::encoder::StaticEmbedder`)
//! beside the transformer it is distilled from, on the STS Benchmark: the
//! Pearson correlation of two sentences' cosine with the gold similarity,
//! and the time an embedding takes.
//!
//! 1. With `--recipes`: distils the encoder's vocabulary (`distill::raw`),
//!    timed, and tries each recipe (rows normalised or not, centred or
//!    not; no weights, Zipf or SIF weights) on the *training* split: the
//!    dev split is never used to choose. `distill::Recipe::DEFAULT` is the
//!    best of them.
//! 2. Reports on the dev split the table the server loads (the model
//!    directory's `static.safetensors`, which `textanalysis distill-static`
//!    writes), the transformer, and a plain tf-idf cosine for scale.
//! 3. Times the static embedder and the transformer: the dev sentences in
//!    one call, one at a time, and a 4.7 KB news story.
//!
//! ```text
//! scripts/fetch-encoder.sh
//! cargo run --release --bin textanalysis -- distill-static
//! cargo run --release --example eval_static -- /work/shared/data [MODEL_DIR] [--recipes]
//! ```

mod common;

use common::{pearson, read_sts};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use textanalysis::deadline::Deadline;
use textanalysis::encoder::distill::{self, Recipe, Weighting};
use textanalysis::encoder::{Encoder, STATIC_FILE, StaticEmbedder, cosine};
use textanalysis::semantic::Embedder;

/// How many sentences the one-at-a-time timings embed.
const SINGLE: usize = 300;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--recipes");
    let data = args.next().unwrap_or_else(|| "/work/shared/data".into());
    let model = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/encoder/all-MiniLM-L6-v2")
    });
    let recipes = std::env::args().any(|a| a == "--recipes");
    let encoder = Encoder::load(&model).unwrap_or_else(|e| panic!("{e}"));
    let train = read_sts(&format!("{data}/stsb_train.csv"));
    if recipes {
        choose_recipe(&encoder, &model, &train);
    }

    let started = Instant::now();
    let embedder = StaticEmbedder::load(&model)
        .unwrap_or_else(|e| panic!("{e}: run textanalysis distill-static first"));
    let size = std::fs::metadata(model.join(STATIC_FILE)).map_or(0, |m| m.len());
    println!(
        "table: {} × {}, {:.1} MB, loaded in {:.2?}; recipe: {}",
        embedder.table().rows(),
        embedder.table().dim,
        size as f64 / 1e6,
        started.elapsed(),
        embedder
            .table()
            .metadata
            .get("recipe")
            .map_or("?", String::as_str)
    );

    let dev = read_sts(&format!("{data}/stsb_dev.csv"));
    println!(
        "STS-B dev, {} pairs, Pearson r of cosine with gold:",
        dev.len()
    );
    println!(
        "  static ({}): {:.4}",
        embedder.info().name,
        sts_pearson(&embedder, &dev)
    );
    println!(
        "  transformer ({}): {:.4}",
        encoder.info().name,
        sts_pearson(&encoder, &dev)
    );
    println!(
        "  tf-idf cosine (idf from train and dev): {:.4}",
        tfidf_pearson(&train, &dev)
    );

    let sentences: Vec<&str> = dev
        .iter()
        .flat_map(|(_, a, b)| [a.as_str(), b.as_str()])
        .collect();
    let story = std::fs::read_to_string(format!("{data}/wire_pair/a.txt")).expect("story");
    println!("time (this process's threads: RAYON_NUM_THREADS or all cores):");
    for (name, e) in [
        ("static", &embedder as &dyn Embedder),
        ("transformer", &encoder),
    ] {
        let (batched, alone, story_time) = timings(e, &sentences, &story);
        println!(
            "  {name}: {:.4} ms a sentence batched ({} in one call), {:.4} ms one at a time, \
             {:.3} ms for the {} B story",
            ms(batched) / sentences.len() as f64,
            sentences.len(),
            ms(alone) / SINGLE.min(sentences.len()) as f64,
            ms(story_time),
            story.len()
        );
    }
}

/// Distils once and prints each recipe's correlation on the training
/// split, best last.
fn choose_recipe(encoder: &Encoder, model: &Path, train: &[(f64, String, String)]) {
    let started = Instant::now();
    let raw = distill::raw(encoder, Deadline::NONE, &mut |_, _| {}).expect("distil");
    println!(
        "distilled {} token ids in {:.1?}",
        raw.rows.len(),
        started.elapsed()
    );
    println!("STS-B train, {} pairs (choosing the recipe):", train.len());
    let mut best: Option<(f64, Recipe)> = None;
    for normalise in [false, true] {
        for center in [false, true] {
            for weighting in [Weighting::None, Weighting::Zipf, Weighting::Sif(1e-4)] {
                let recipe = Recipe {
                    normalise,
                    center,
                    weighting,
                };
                let table = distill::build(&raw, &recipe);
                let embedder = StaticEmbedder::with_table(model, table).expect("tokenizer");
                let r = sts_pearson(&embedder, train);
                println!("  {:<60} r = {r:.4}", recipe.describe());
                if best.is_none_or(|(b, _)| r > b) {
                    best = Some((r, recipe));
                }
            }
        }
    }
    if let Some((r, recipe)) = best {
        println!("best: {} (r = {r:.4})", recipe.describe());
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The dev sentences in one call, the first [`SINGLE`] one at a time, and
/// the story (the best of three, it being short for the static table).
fn timings(e: &dyn Embedder, sentences: &[&str], story: &str) -> (Duration, Duration, Duration) {
    let started = Instant::now();
    e.embed(sentences, Deadline::NONE).expect("embed");
    let batched = started.elapsed();
    let started = Instant::now();
    for s in &sentences[..SINGLE.min(sentences.len())] {
        e.embed(&[s], Deadline::NONE).expect("embed");
    }
    let alone = started.elapsed();
    let story_time = (0..3)
        .map(|_| {
            let started = Instant::now();
            e.embed(&[story], Deadline::NONE).expect("embed");
            started.elapsed()
        })
        .min()
        .unwrap_or_default();
    (batched, alone, story_time)
}

fn sts_pearson(e: &dyn Embedder, rows: &[(f64, String, String)]) -> f64 {
    let sentences: Vec<&str> = rows
        .iter()
        .flat_map(|(_, a, b)| [a.as_str(), b.as_str()])
        .collect();
    let embeddings = e.embed(&sentences, Deadline::NONE).expect("embed");
    let cosines: Vec<f64> = embeddings
        .chunks(2)
        .map(|pair| f64::from(cosine(&pair[0], &pair[1])))
        .collect();
    let gold: Vec<f64> = rows.iter().map(|(g, _, _)| *g).collect();
    pearson(&cosines, &gold)
}

/// Lower-cased alphanumeric words.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Plain tf-idf cosine (raw counts, `ln(N / df)`), document frequencies
/// over every sentence of both splits.
fn tfidf_pearson(train: &[(f64, String, String)], dev: &[(f64, String, String)]) -> f64 {
    let mut df: HashMap<String, f64> = HashMap::new();
    let mut n = 0.0;
    for (_, a, b) in train.iter().chain(dev) {
        for s in [a, b] {
            n += 1.0;
            let mut seen = words(s);
            seen.sort();
            seen.dedup();
            for w in seen {
                *df.entry(w).or_default() += 1.0;
            }
        }
    }
    let vector = |s: &str| {
        let mut v: HashMap<String, f64> = HashMap::new();
        for w in words(s) {
            let idf = (n / df.get(&w).copied().unwrap_or(1.0)).ln();
            *v.entry(w).or_default() += idf;
        }
        v
    };
    let cosines: Vec<f64> = dev
        .iter()
        .map(|(_, a, b)| {
            let (va, vb) = (vector(a), vector(b));
            let dot: f64 = va.iter().map(|(w, x)| x * vb.get(w).unwrap_or(&0.0)).sum();
            let norm = |v: &HashMap<String, f64>| v.values().map(|x| x * x).sum::<f64>().sqrt();
            let d = norm(&va) * norm(&vb);
            if d > 0.0 { dot / d } else { 0.0 }
        })
        .collect();
    let gold: Vec<f64> = dev.iter().map(|(g, _, _)| *g).collect();
    pearson(&cosines, &gold)
}
