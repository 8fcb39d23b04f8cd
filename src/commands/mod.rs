//! The tool commands of the binary: `train`, `eval classify` and
//! `distill-static`. They print
//! for people (progress bar, report) and return the process's exit code.
//! A model with semantic features needs the examples' embeddings, made by
//! the encoder the binary loaded (`--semantic-model`), through the cache
//! of [`embeddings`].

pub mod embeddings;

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

use crate::classify::registry::{self, BUILTIN_NAME};
use crate::classify::train::{self, ExampleEmbeddings, Progress, TrainOptions};
use crate::classify::{Model, data};
use crate::config::{DistillStaticArgs, EvalClassifyArgs, TrainArgs};
use crate::semantic::{Embedder, Embedding};
use crate::text::Lexicon;

/// `textanalysis train`: reads examples, trains, reports the measurement
/// (held out or cross-validated, with warnings when it rests on too few
/// examples) and writes the model. `embedder` is the encoder of
/// `--semantic-model`, which `--features semantic` and
/// `lexical+semantic` need.
pub fn train(args: &TrainArgs, embedder: Option<&dyn Embedder>) -> ExitCode {
    let examples = match data::read(&args.input) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let vectors = if args.features.semantic() {
        let Some(embedder) = embedder else {
            return fail(&format!(
                "--features {} needs the sentence encoder: --semantic-model DIR",
                args.features
            ));
        };
        match embed_examples(&examples, embedder, args.embedding_cache.as_deref()) {
            Ok(v) => Some((embedder, v)),
            Err(e) => return fail(&e),
        }
    } else {
        None
    };
    let embeddings = vectors
        .as_ref()
        .map(|(embedder, vectors)| ExampleEmbeddings {
            encoder: embedder.info(),
            vectors,
        });
    let file_name = |p: &std::path::Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let options = TrainOptions {
        name: args.name.clone().unwrap_or_else(|| {
            args.out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "model".to_owned())
        }),
        version: args.version.clone(),
        training_data: args
            .training_data
            .clone()
            .unwrap_or_else(|| file_name(&args.input)),
        holdout: args.holdout,
        seed: args.seed,
        c: args.c,
        features: args.features,
        semantic_scale: args.semantic_scale,
        ..TrainOptions::default()
    };
    eprintln!(
        "training on {} examples from {}",
        examples.len(),
        args.input.display()
    );
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut on_progress = |p: Progress| {
        bar.set_message(p.stage.to_string());
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    };
    let result = train::train(&examples, embeddings, &options, &mut on_progress);
    bar.finish_and_clear();
    let (model, report) = match result {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    println!("{report}");
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if let Err(e) = std::fs::write(&args.out, model.to_bytes()) {
        return fail(&format!("cannot write {}: {e}", args.out.display()));
    }
    println!(
        "model `{}` written to {}",
        model.meta().name,
        args.out.display()
    );
    ExitCode::SUCCESS
}

/// `textanalysis eval classify`: measures a model on labelled data.
/// `embedder` is the encoder of `--semantic-model`, which a model with
/// semantic features needs (the one it was trained with).
pub fn eval_classify(args: &EvalClassifyArgs, embedder: Option<&dyn Embedder>) -> ExitCode {
    let path = std::path::Path::new(&args.model);
    let model = if args.model == BUILTIN_NAME && !path.exists() {
        registry::builtin()
    } else {
        Model::load(path)
    };
    let model = match model {
        Ok(m) => m,
        Err(e) => return fail(&e),
    };
    let examples = match data::read(&args.data) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let vectors = match model.semantic() {
        None => None,
        Some(semantic) => {
            let Some(embedder) = embedder else {
                return fail(&format!(
                    "model `{}` reads meaning ({}): give its encoder, --semantic-model DIR",
                    model.meta().name,
                    model.features()
                ));
            };
            let info = embedder.info();
            if let Some(why) = semantic.mismatch(&info.name, info.dim) {
                return fail(&format!("model `{}` was {why}", model.meta().name));
            }
            match embed_examples(&examples, embedder, args.embedding_cache.as_deref()) {
                Ok(v) => Some(v),
                Err(e) => return fail(&e),
            }
        }
    };
    println!("{}", train::evaluate(&model, &examples, vectors.as_deref()));
    let warm_up = match args.warm_up.as_deref().map(data::read).transpose() {
        Ok(w) => w,
        Err(e) => return fail(&e),
    };
    // Speed as a server's analysis worker sees it: language detection,
    // features and scores of each text in turn, on one thread. Cold: the
    // worker's lexicon of word forms starts empty and fills as it goes.
    // Steady state: it first classifies the warm-up texts, untimed. Each
    // pass runs `passes` times on new threads with new lexicons; the
    // fastest counts. A model with semantic features is timed with the
    // texts' embeddings made beforehand: the encoder's time is its own
    // (the embedding step above reports it).
    let once = |warm_up: &[data::Example]| {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut lexicon = Lexicon::new();
                    let mut classify = |text: &str, embedding: Option<&Embedding>| {
                        std::hint::black_box(model.classify_text(
                            text,
                            None,
                            false,
                            embedding.map(Embedding::values),
                            &mut lexicon,
                        ));
                    };
                    for example in warm_up {
                        classify(&example.text, None);
                    }
                    let start = std::time::Instant::now();
                    for (i, example) in examples.iter().enumerate() {
                        classify(&example.text, vectors.as_ref().and_then(|v| v.get(i)));
                    }
                    start.elapsed()
                })
                .join()
        })
    };
    let time = |warm_up: &[data::Example]| {
        (0..args.passes.max(1))
            .map(|_| once(warm_up))
            .try_fold(std::time::Duration::MAX, |fastest, pass| {
                pass.map(|elapsed| fastest.min(elapsed))
            })
    };
    let mut passes = vec![("cold", time(&[]))];
    if let Some(warm_up) = &warm_up {
        passes.push(("steady state", time(warm_up)));
    }
    for (pass, elapsed) in passes {
        let Ok(elapsed) = elapsed else {
            return fail(&"the timing thread failed");
        };
        println!(
            "speed, {pass}: {} texts in {:.1} ms on one thread (fastest of {} passes), {:.1} µs a text",
            examples.len(),
            elapsed.as_secs_f64() * 1e3,
            args.passes.max(1),
            elapsed.as_secs_f64() * 1e6 / examples.len().max(1) as f64
        );
    }
    ExitCode::SUCCESS
}

/// `textanalysis distill-static`: loads the encoder, reads its vocabulary
/// token by token ([`crate::encoder::distill`]) and writes the table beside
/// the model. A table already there is kept unless `--force`.
pub fn distill_static(args: &DistillStaticArgs) -> ExitCode {
    use crate::encoder::distill::{self, Recipe};
    use crate::encoder::{Encoder, STATIC_FILE};

    let out = args.semantic_model.join(STATIC_FILE);
    if out.exists() && !args.force {
        eprintln!("{} exists; --force distils it again", out.display());
        return ExitCode::SUCCESS;
    }
    let started = std::time::Instant::now();
    let encoder = match Encoder::load(&args.semantic_model) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("tokens");
    let raw = distill::raw(
        &encoder,
        crate::deadline::Deadline::NONE,
        &mut |done, all| {
            bar.set_length(all as u64);
            bar.set_position(done as u64);
        },
    );
    bar.finish_and_clear();
    let raw = match raw {
        Ok(raw) => raw,
        Err(e) => return fail(&e),
    };
    let table = distill::build(&raw, &Recipe::DEFAULT);
    // Written aside and renamed, so that a server never loads half a table.
    let partial = out.with_extension("safetensors.partial");
    if let Err(e) = table
        .save(&partial)
        .and_then(|()| std::fs::rename(&partial, &out).map_err(|e| e.to_string()))
    {
        return fail(&e);
    }
    let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "wrote {} ({} tokens × {} dimensions, {:.1} MB) in {:.1?}",
        out.display(),
        table.rows(),
        table.dim,
        bytes as f64 / 1e6,
        started.elapsed()
    );
    ExitCode::SUCCESS
}

/// The embedding of each example's text, through the cache file if one
/// is named.
fn embed_examples(
    examples: &[data::Example],
    embedder: &dyn Embedder,
    cache: Option<&std::path::Path>,
) -> Result<Vec<Embedding>, String> {
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    embeddings::embed_texts(&texts, embedder, cache)
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("textanalysis: {error}");
    ExitCode::from(2)
}
