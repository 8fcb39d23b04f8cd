//! Measures zero-shot topics on AG News: Classify with ad-hoc topics, one
//! description per label written for this evaluation, no training.
//!
//! The texts are the held-out rows of `scripts/eval-classify.sh` (the union
//! of its five test parts, written by `scripts/classify_splits.py`), each
//! classified (`language: "en"`) with
//!
//! 1. the descriptions, with the encoder: zero-shot, scored by meaning;
//! 2. the descriptions and the keywords of [`KEYWORDS`], with the encoder;
//! 3. the keywords alone, and the descriptions alone, without the encoder:
//!    what ad-hoc topics matched before meaning was read.
//!
//! Accuracy is the share of texts whose best topic is their label; ECE is
//! the calibration error of every (text, topic) score read as the chance
//! that the topic is the text's (ten equal-width bins). Every text goes
//! through the core's entry point, `classify::classify`, as the server
//! calls it, with an embedder that remembers what it embedded: a request
//! embeds the same four descriptions again, which over thousands of texts
//! would cost most of the run and change no score.
//!
//! Then the real gRPC server, started in-process with the encoder, answers
//! the first [`TIMED`] texts as `Classify` requests, one at a time: the time
//! of a request (descriptions embedded anew each time) on an otherwise idle
//! server, the CPU time it takes (the process's, client included), and a
//! check that its scores are the in-process ones.
//!
//! `--study TUNING` measures, in-process and on the other rows (never the
//! held-out ones), the choices [`textanalysis::classify::zeroshot`] made:
//! how a topic's description and examples make one similarity, and how
//! that similarity and the keyword match are combined and calibrated (a
//! logistic regression fitted by Newton's method, whose constants it
//! prints).
//!
//! ```text
//! scripts/eval-zeroshot.sh            # builds, splits, runs
//! eval_zeroshot HELDOUT MODEL_DIR [--study TUNING]
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use textanalysis::classify::{self, Against, ClassifyOptions, Model, adhoc, registry, zeroshot};
use textanalysis::config::Connections;
use textanalysis::deadline::Deadline;
use textanalysis::encoder::{Embedding, Encoder, cosine};
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{ClassifyRequest, Topic};
use textanalysis::semantic::{EmbedError, Embedder, EmbedderInfo};
use textanalysis::server::ServerConfig;
use textanalysis::text::{Language, Lexicon};
use tonic::transport::Channel;

mod served;
mod study;

use served::{start, timed};

/// AG News's labels, in the order of [`DESCRIPTIONS`] and [`KEYWORDS`].
const LABELS: [&str; 4] = ["World", "Sports", "Business", "Sci/Tech"];

/// One sentence per label, as a client would describe its topics.
const DESCRIPTIONS: [&str; 4] = [
    "World news: international politics, governments and elections, diplomacy, wars, conflicts and terrorism.",
    "Sports: teams, players and athletes competing in games, matches, leagues and tournaments.",
    "Business and the economy: companies, markets, stocks, earnings, prices, trade and jobs.",
    "Science and technology: computers, software, the internet, space, research and new gadgets.",
];

/// Keywords per label, written without looking at the texts: general news
/// vocabulary, no names of the year's events.
const KEYWORDS: [&[&str]; 4] = [
    &[
        "government",
        "president",
        "prime minister",
        "election",
        "war",
        "troops",
        "military",
        "attack",
        "killed",
        "peace talks",
        "rebels",
        "united nations",
    ],
    &[
        "game",
        "team",
        "match",
        "season",
        "coach",
        "player",
        "win",
        "championship",
        "league",
        "tournament",
        "olympic",
        "cup",
    ],
    &[
        "company",
        "market",
        "stocks",
        "shares",
        "profit",
        "earnings",
        "sales",
        "economy",
        "oil prices",
        "bank",
        "investors",
        "deal",
    ],
    &[
        "software",
        "computer",
        "internet",
        "technology",
        "space",
        "scientists",
        "research",
        "web",
        "mobile phone",
        "online",
        "nasa",
        "microsoft",
    ],
];

/// One labelled text.
struct Row {
    text: String,
    label: usize,
}

fn read_rows(path: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON row");
            let label = v["label"].as_str().expect("a label");
            Row {
                text: v["text"].as_str().expect("a text").to_owned(),
                label: LABELS
                    .iter()
                    .position(|l| *l == label)
                    .unwrap_or_else(|| panic!("unknown label {label}")),
            }
        })
        .collect()
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// Which parts of each label's topic a request sends.
#[derive(Clone, Copy)]
struct Parts {
    description: bool,
    keywords: bool,
}

fn topics(parts: Parts) -> Vec<Topic> {
    (0..LABELS.len())
        .map(|i| Topic {
            label: LABELS[i].into(),
            keywords: if parts.keywords {
                strings(KEYWORDS[i])
            } else {
                Vec::new()
            },
            examples: Vec::new(),
            description: if parts.description {
                DESCRIPTIONS[i].into()
            } else {
                String::new()
            },
        })
        .collect()
}

/// Expected calibration error of probabilities against outcomes, in ten
/// equal-width bins.
fn ece(pairs: &[(f64, bool)]) -> f64 {
    // Each bin's sums of probabilities and of outcomes, and its size.
    let mut bins = [(0.0f64, 0.0f64, 0usize); 10];
    for &(p, hit) in pairs {
        let b = ((p * 10.0) as usize).min(9);
        bins[b].0 += p;
        bins[b].1 += f64::from(u8::from(hit));
        bins[b].2 += 1;
    }
    bins.iter()
        .filter(|b| b.2 > 0)
        .map(|&(p, h, _)| (p - h).abs() / pairs.len() as f64)
        .sum()
}

/// How many held-out texts the server answers, timed.
const TIMED: usize = 300;

/// The encoder, remembering every text it embedded (see the module's
/// documentation).
#[derive(Debug)]
struct Remembering {
    encoder: Arc<Encoder>,
    seen: Mutex<HashMap<String, Embedding>>,
}

impl Embedder for Remembering {
    fn info(&self) -> &EmbedderInfo {
        self.encoder.info()
    }

    fn embed(&self, texts: &[&str], deadline: Deadline) -> Result<Vec<Embedding>, EmbedError> {
        let mut seen = self.seen.lock().expect("not poisoned");
        let mut new: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| !seen.contains_key(*t))
            .collect();
        new.sort_unstable();
        new.dedup();
        if !new.is_empty() {
            let embedded = self.encoder.embed(&new, deadline)?;
            for (text, e) in new.iter().zip(embedded) {
                seen.insert((*text).to_owned(), e);
            }
        }
        Ok(texts.iter().map(|t| seen[*t].clone()).collect())
    }
}

/// What one way of classifying the held-out texts measured.
struct Pass {
    correct: usize,
    total: usize,
    pairs: Vec<(f64, bool)>,
    by_meaning: usize,
    /// Each text's scores, in the topics' order.
    scores: Vec<Vec<f64>>,
}

impl Pass {
    fn accuracy(&self) -> f64 {
        100.0 * self.correct as f64 / self.total as f64
    }
}

/// Classifies every row against `topics` with the core's entry point.
fn pass(rows: &[Row], topics: &[Topic], embedder: Option<&dyn Embedder>, weights: &Model) -> Pass {
    let topics_core: Vec<adhoc::Topic<'_>> = topics
        .iter()
        .map(|t| adhoc::Topic {
            label: &t.label,
            keywords: &t.keywords,
            examples: &t.examples,
            description: &t.description,
        })
        .collect();
    let options = ClassifyOptions {
        language: Language::from_code("en").into(),
        ..ClassifyOptions::default()
    };
    let lexicon = &mut Lexicon::new();
    let mut out = Pass {
        correct: 0,
        total: rows.len(),
        pairs: Vec::with_capacity(rows.len() * topics.len()),
        by_meaning: 0,
        scores: Vec::with_capacity(rows.len()),
    };
    for row in rows {
        let against = Against::Topics {
            topics: &topics_core,
            weights: Some(weights),
        };
        let c = classify::classify(
            classify::Input::Text(&row.text),
            against,
            &options,
            embedder,
            lexicon,
        )
        .expect("classify");
        let gold = LABELS[row.label];
        if c.topics.first().is_some_and(|t| t.label == gold) {
            out.correct += 1;
        }
        out.pairs
            .extend(c.topics.iter().map(|t| (t.score, t.label == gold)));
        out.by_meaning += usize::from(c.by_meaning);
        out.scores.push(
            LABELS
                .iter()
                .map(|l| {
                    c.topics
                        .iter()
                        .find(|t| t.label == *l)
                        .map_or(0.0, |t| t.score)
                })
                .collect(),
        );
    }
    out
}

async fn evaluate(heldout: &[Row], encoder: Arc<Encoder>) {
    let weights = registry::builtin().expect("the built-in model");
    let remembering = Remembering {
        encoder: encoder.clone(),
        seen: Mutex::new(HashMap::new()),
    };
    let started = Instant::now();
    let texts: Vec<&str> = heldout.iter().map(|r| r.text.as_str()).collect();
    remembering
        .embed(&texts, Deadline::NONE)
        .expect("embed the texts");
    eprintln!(
        "embedded {} texts in {:.1?}",
        texts.len(),
        started.elapsed()
    );
    let described = topics(Parts {
        description: true,
        keywords: false,
    });
    let both = topics(Parts {
        description: true,
        keywords: true,
    });
    let keywords = topics(Parts {
        description: false,
        keywords: true,
    });
    println!(
        "AG News, {} held-out texts, 4 ad-hoc topics, classify::classify in-process\n",
        heldout.len()
    );
    println!("| topics | accuracy % | ECE | read by meaning |");
    println!("|---|---:|---:|---:|");
    let row = |what: &str, p: &Pass| {
        println!(
            "| {what} | {:.2} | {:.3} | {} of {} |",
            p.accuracy(),
            ece(&p.pairs),
            p.by_meaning,
            p.total
        );
    };
    let zero_shot = pass(heldout, &described, Some(&remembering), &weights);
    row("descriptions, encoder (zero-shot)", &zero_shot);
    let combined = pass(heldout, &both, Some(&remembering), &weights);
    row("descriptions and keywords, encoder", &combined);
    let by_keywords = pass(heldout, &keywords, None, &weights);
    row("keywords, lexical mode", &by_keywords);
    let by_words = pass(heldout, &described, None, &weights);
    row("descriptions, lexical mode", &by_words);

    let sample = &heldout[..TIMED.min(heldout.len())];
    let (mut semantic, stop_semantic) = start(Some(encoder)).await;
    let (mut lexical, stop_lexical) = start(None).await;
    // One request first, so that no timing pays for the connection's or
    // the first batch's set-up.
    timed(&mut semantic, &sample[..1], &described, &zero_shot).await;
    timed(&mut lexical, &sample[..1], &keywords, &by_keywords).await;
    println!(
        "\nThrough the server, the first {} texts one request at a time:\n",
        sample.len()
    );
    println!(
        "| topics | ms/request mean / p50 / p95 | CPU ms/request | `model.encoder` | largest score difference from in-process |"
    );
    println!("|---|---:|---:|---|---:|");
    for (what, client, topics, expected) in [
        (
            "descriptions, encoder",
            semantic.clone(),
            &described,
            &zero_shot,
        ),
        (
            "descriptions and keywords, encoder",
            semantic.clone(),
            &both,
            &combined,
        ),
        (
            "keywords, lexical mode",
            lexical.clone(),
            &keywords,
            &by_keywords,
        ),
    ] {
        let mut client = client;
        let t = timed(&mut client, sample, topics, expected).await;
        let encoders = t.encoders.join(", ");
        println!(
            "| {what} | {:.1} / {:.1} / {:.1} | {:.1} | {} | {:.1e} |",
            t.mean_ms(),
            t.ms(0.5),
            t.ms(0.95),
            t.cpu_ms(),
            if encoders.is_empty() {
                "–"
            } else {
                &encoders
            },
            t.largest_difference
        );
    }
    let _ = (stop_semantic.send(()), stop_lexical.send(()));
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(heldout), Some(model)) = (args.first(), args.get(1)) else {
        eprintln!("usage: eval_zeroshot HELDOUT.jsonl MODEL_DIR [--study TUNING.jsonl]");
        std::process::exit(2);
    };
    let encoder =
        Arc::new(Encoder::load(std::path::Path::new(model)).unwrap_or_else(|e| panic!("{e}")));
    if let Some(i) = args.iter().position(|a| a == "--study") {
        let tuning = read_rows(args.get(i + 1).expect("--study TUNING.jsonl"));
        study::study(&tuning, &encoder);
        return;
    }
    evaluate(&read_rows(heldout), encoder).await;
}
