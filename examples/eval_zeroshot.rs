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
use textanalysis::server::{self, ServerConfig};
use textanalysis::text::{Language, Lexicon};
use tonic::transport::Channel;

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
        let c =
            classify::classify(&row.text, against, &options, embedder, lexicon).expect("classify");
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

/// The CPU time this process (client and in-process server) has used,
/// from `/proc/self/stat` (user and system time, in Linux's fixed 100
/// ticks a second); zero where there is no such file.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis, from the third;
    // utime and stime are the 14th and 15th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// What the server's timed requests measured.
struct Timed {
    latencies: Vec<Duration>,
    /// The process's CPU time over all the requests: on a machine that
    /// other work keeps busy, wall-clock latency stretches and this much
    /// less.
    cpu: Duration,
    encoders: Vec<String>,
    /// The largest difference of a score from the in-process one.
    largest_difference: f64,
}

impl Timed {
    fn ms(&self, quantile: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let i = ((sorted.len() as f64 * quantile) as usize).min(sorted.len() - 1);
        sorted[i].as_secs_f64() * 1e3
    }

    fn mean_ms(&self) -> f64 {
        self.latencies.iter().sum::<Duration>().as_secs_f64() * 1e3 / self.latencies.len() as f64
    }

    fn cpu_ms(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e3 / self.latencies.len() as f64
    }
}

/// Sends each row as a Classify request against `topics`, one at a time,
/// and compares the scores with `expected`'s.
async fn timed(
    client: &mut TextAnalysisServiceClient<Channel>,
    rows: &[Row],
    topics: &[Topic],
    expected: &Pass,
) -> Timed {
    let mut out = Timed {
        latencies: Vec::with_capacity(rows.len()),
        cpu: Duration::ZERO,
        encoders: Vec::new(),
        largest_difference: 0.0,
    };
    let cpu = cpu_time();
    for (row, expected) in rows.iter().zip(&expected.scores) {
        let request = ClassifyRequest {
            text: row.text.clone(),
            topics: topics.to_vec(),
            language: "en".into(),
            ..Default::default()
        };
        let started = Instant::now();
        let response = client
            .classify(request)
            .await
            .expect("classify succeeds")
            .into_inner();
        out.latencies.push(started.elapsed());
        for t in &response.topics {
            let i = LABELS.iter().position(|l| *l == t.label).expect("a label");
            out.largest_difference = out.largest_difference.max((t.score - expected[i]).abs());
        }
        let encoder = response.model.map(|m| m.encoder).unwrap_or_default();
        if !out.encoders.contains(&encoder) {
            out.encoders.push(encoder);
        }
    }
    out.cpu = cpu_time().saturating_sub(cpu);
    out
}

/// Starts the server on an ephemeral port with `embedder` and connects.
async fn start(
    embedder: Option<Arc<dyn Embedder>>,
) -> (
    TextAnalysisServiceClient<Channel>,
    tokio::sync::oneshot::Sender<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let addr = listener.local_addr().expect("local address");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let defaults = ServerConfig::default();
    let config = ServerConfig {
        embedder,
        // The timed requests may take minutes on a busy machine: the
        // connection must outlive the age after which the server asks
        // clients to reconnect elsewhere.
        connections: Connections {
            max_connection_age: Duration::from_secs(24 * 3600),
            ..defaults.connections
        },
        ..defaults
    };
    tokio::spawn(server::run(listener, config, async {
        let _ = rx.await;
    }));
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("valid uri")
        .tcp_nodelay(true)
        .connect()
        .await
        .expect("connect to the server");
    (TextAnalysisServiceClient::new(channel), tx)
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

// ---------------------------------------------------------------------------
// The study: in-process, on the tuning rows.

/// xorshift64*, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Examples per label the study draws from the tuning rows.
const EXAMPLES: usize = 4;

/// One (text, topic) pair's evidence.
#[derive(Clone, Copy, Default)]
struct Evidence {
    /// Cosine with the description.
    description: f64,
    /// Cosine with the examples' centroid, with the description and
    /// examples' centroid, the best example's, the mean of the examples'.
    examples_centroid: f64,
    all_centroid: f64,
    examples_max: f64,
    examples_mean: f64,
    /// Lexical ad-hoc scores: the description's words, the keywords, both,
    /// the description's and the examples' words.
    lex_description: f64,
    lex_keywords: f64,
    lex_both: f64,
    lex_described: f64,
}

fn argmax(scores: impl Iterator<Item = f64>) -> usize {
    scores
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, s)| {
            if s > best.1 { (i, s) } else { best }
        })
        .0
}

fn accuracy(rows: &[(usize, [Evidence; 4])], score: impl Fn(&Evidence) -> f64) -> f64 {
    let correct = rows
        .iter()
        .filter(|(gold, ev)| argmax(ev.iter().map(&score)) == *gold)
        .count();
    100.0 * correct as f64 / rows.len() as f64
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Logistic regression of `y` on `x` (each row with a leading 1), by
/// Newton's method with a small ridge; returns the coefficients.
#[allow(clippy::needless_range_loop)]
fn logistic_fit(x: &[Vec<f64>], y: &[bool]) -> Vec<f64> {
    let n = x[0].len();
    let mut theta = vec![0.0; n];
    for _ in 0..50 {
        let mut h = vec![vec![0.0; n]; n];
        let mut g = vec![0.0; n];
        for (row, &t) in x.iter().zip(y) {
            let p = sigmoid(row.iter().zip(&theta).map(|(a, b)| a * b).sum());
            let w = p * (1.0 - p);
            for i in 0..n {
                g[i] += (p - f64::from(u8::from(t))) * row[i];
                for j in 0..n {
                    h[i][j] += w * row[i] * row[j];
                }
            }
        }
        for (i, row) in h.iter_mut().enumerate() {
            row[i] += 1e-6;
        }
        let step = solve(h, g);
        theta.iter_mut().zip(&step).for_each(|(t, s)| *t -= s);
        if step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-10 {
            break;
        }
    }
    theta
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)]
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        for r in 0..n {
            if r != c && a[c][c] != 0.0 {
                let f = a[r][c] / a[c][c];
                for k in c..n {
                    a[r][k] -= f * a[c][k];
                }
                b[r] -= f * b[c];
            }
        }
    }
    (0..n).map(|i| b[i] / a[i][i]).collect()
}

/// How one way of scoring reads a (text, topic) pair: its features.
type Features<'f> = &'f dyn Fn(&Evidence) -> Vec<f64>;

/// Fits σ(θ · (1, features)) on every (text, topic) pair of every way of
/// scoring in `ways` (pooled), and prints the coefficients, the log-loss,
/// the ECE and each way's accuracy.
fn fit(what: &str, rows: &[(usize, [Evidence; 4])], ways: &[Features<'_>]) -> Vec<f64> {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for features in ways {
        for (gold, ev) in rows {
            for (i, e) in ev.iter().enumerate() {
                let mut row = vec![1.0];
                row.extend(features(e));
                x.push(row);
                y.push(i == *gold);
            }
        }
    }
    let theta = logistic_fit(&x, &y);
    let p = |row: &[f64]| sigmoid(row.iter().zip(&theta).map(|(a, b)| a * b).sum());
    let pairs: Vec<(f64, bool)> = x.iter().zip(&y).map(|(r, &t)| (p(r), t)).collect();
    let loss = pairs
        .iter()
        .map(|&(p, t)| -(if t { p } else { 1.0 - p }).max(1e-12).ln())
        .sum::<f64>()
        / pairs.len() as f64;
    let accuracies: Vec<String> = ways
        .iter()
        .map(|features| {
            let acc = accuracy(rows, |e| {
                let mut row = vec![1.0];
                row.extend(features(e));
                p(&row)
            });
            format!("{acc:.2}")
        })
        .collect();
    println!(
        "| fit: {what} | {} | θ = {theta:.4?}, log-loss {loss:.4}, ECE {:.3} |",
        accuracies.join(" / "),
        ece(&pairs)
    );
    theta
}

fn study(tuning: &[Row], encoder: &Encoder) {
    // Examples: the first EXAMPLES rows of each label in a fixed shuffle;
    // the study measures on the others.
    let mut order: Vec<usize> = (0..tuning.len()).collect();
    let mut rng = Rng(0x5eed_2026);
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    let mut examples: [Vec<String>; 4] = Default::default();
    let mut texts: Vec<&Row> = Vec::new();
    for &i in &order {
        let row = &tuning[i];
        if examples[row.label].len() < EXAMPLES {
            examples[row.label].push(row.text.clone());
        } else {
            texts.push(row);
        }
    }

    let started = Instant::now();
    let mut inputs: Vec<&str> = DESCRIPTIONS.to_vec();
    for e in &examples {
        inputs.extend(e.iter().map(String::as_str));
    }
    inputs.extend(texts.iter().map(|r| r.text.as_str()));
    let embedded = encoder.embed(&inputs, Deadline::NONE).expect("embed");
    println!(
        "study: {} tuning texts, {} examples per label; embedded in {:.1?}\n",
        texts.len(),
        EXAMPLES,
        started.elapsed()
    );
    let (descriptions, rest) = embedded.split_at(4);
    let (example_vectors, documents) = rest.split_at(4 * EXAMPLES);
    let dim = encoder.dim();
    let examples_centroid: Vec<Embedding> = (0..4)
        .map(|i| {
            Embedding::weighted_mean(
                dim,
                example_vectors[i * EXAMPLES..(i + 1) * EXAMPLES]
                    .iter()
                    .map(|e| (e, 1.0)),
            )
        })
        .collect();
    let all_centroid: Vec<Embedding> = (0..4)
        .map(|i| {
            Embedding::weighted_mean(
                dim,
                example_vectors[i * EXAMPLES..(i + 1) * EXAMPLES]
                    .iter()
                    .chain(std::iter::once(&descriptions[i]))
                    .map(|e| (e, 1.0)),
            )
        })
        .collect();

    let model = registry::builtin().expect("the built-in model");
    let idf = |f| model.idf(f).unwrap_or_else(|| model.default_idf());
    let english = Language::from_code("en").expect("English");
    let lexicon = &mut Lexicon::new();
    let keywords: Vec<Vec<String>> = KEYWORDS.iter().map(|k| strings(k)).collect();
    let lexical = |text: &str, with: Parts, examples_too: bool, lexicon: &mut Lexicon| {
        let counts = textanalysis::classify::features::extract(text, english, lexicon);
        let topics: Vec<adhoc::Topic<'_>> = (0..4)
            .map(|i| adhoc::Topic {
                label: LABELS[i],
                keywords: if with.keywords { &keywords[i] } else { &[] },
                examples: if examples_too { &examples[i] } else { &[] },
                description: if with.description {
                    DESCRIPTIONS[i]
                } else {
                    ""
                },
            })
            .collect();
        adhoc::score(&counts, english, &topics, idf, lexicon)
    };

    let rows: Vec<(usize, [Evidence; 4])> = texts
        .iter()
        .zip(documents)
        .map(|(row, doc)| {
            let only = |description, keywords| Parts {
                description,
                keywords,
            };
            let lex_d = lexical(&row.text, only(true, false), false, lexicon);
            let lex_k = lexical(&row.text, only(false, true), false, lexicon);
            let lex_b = lexical(&row.text, only(true, true), false, lexicon);
            let lex_e = lexical(&row.text, only(true, false), true, lexicon);
            let ev = std::array::from_fn(|i| {
                let cos: Vec<f64> = example_vectors[i * EXAMPLES..(i + 1) * EXAMPLES]
                    .iter()
                    .map(|e| f64::from(cosine(doc, e)))
                    .collect();
                Evidence {
                    description: f64::from(cosine(doc, &descriptions[i])),
                    examples_centroid: f64::from(cosine(doc, &examples_centroid[i])),
                    all_centroid: f64::from(cosine(doc, &all_centroid[i])),
                    examples_max: cos.iter().copied().fold(f64::MIN, f64::max),
                    examples_mean: cos.iter().sum::<f64>() / cos.len() as f64,
                    lex_description: lex_d[i],
                    lex_keywords: lex_k[i],
                    lex_both: lex_b[i],
                    lex_described: lex_e[i],
                }
            });
            (row.label, ev)
        })
        .collect();

    println!("| scoring (argmax over the 4 topics) | accuracy % | notes |");
    println!("|---|---:|---|");
    let show = |what: &str, f: &dyn Fn(&Evidence) -> f64| {
        println!("| {what} | {:.2} | |", accuracy(&rows, f));
    };
    show("words: description", &|e| e.lex_description);
    show("words: keywords", &|e| e.lex_keywords);
    show("words: description and keywords", &|e| e.lex_both);
    show("words: description and examples", &|e| e.lex_described);
    show("meaning: description", &|e| e.description);
    show("meaning: examples' centroid", &|e| e.examples_centroid);
    show("meaning: best example", &|e| e.examples_max);
    show("meaning: mean of examples' cosines", &|e| e.examples_mean);
    show("meaning: centroid of description and examples", &|e| {
        e.all_centroid
    });
    show("meaning: max(description, best example)", &|e| {
        e.description.max(e.examples_max)
    });
    show("meaning: mean(description, examples' centroid)", &|e| {
        (e.description + e.examples_centroid) / 2.0
    });
    show("description: meaning + keywords' words", &|e| {
        e.description + e.lex_keywords
    });
    show("description: meaning + all words", &|e| {
        e.description + e.lex_both
    });
    show("description: max(meaning, all words)", &|e| {
        e.description.max(e.lex_both)
    });

    // Confusions of the description's meaning, to read the descriptions by.
    let mut confusion = [[0usize; 4]; 4];
    for (gold, ev) in &rows {
        confusion[*gold][argmax(ev.iter().map(|e| e.description))] += 1;
    }
    println!("\nmeaning of the descriptions, gold (rows) by predicted (columns): {LABELS:?}");
    for (label, counts) in LABELS.iter().zip(confusion) {
        println!("{label:>9}: {counts:?}");
    }
    println!();

    // The three ways a client describes a topic, as the core pools and
    // matches them: a description; a description and keywords; a
    // description and examples.
    let described: Features<'_> = &|e| vec![e.description, e.lex_description];
    let with_keywords: Features<'_> = &|e| vec![e.description, e.lex_both];
    let with_examples: Features<'_> = &|e| {
        let meaning = zeroshot::pooled(Some(e.description), Some(e.examples_centroid));
        vec![meaning.unwrap_or_default(), e.lex_described]
    };
    println!("| calibration, every (text, topic) pair | accuracy % | fit |");
    println!("|---|---:|---|");
    fit("description's meaning", &rows, &[&|e| vec![e.description]]);
    fit("description's meaning, its words", &rows, &[described]);
    fit(
        "description's meaning, description and keywords' words",
        &rows,
        &[with_keywords],
    );
    fit(
        "description's meaning, keywords' words",
        &rows,
        &[&|e| vec![e.description, e.lex_keywords]],
    );
    fit(
        "pooled meaning of description and examples, their words",
        &rows,
        &[with_examples],
    );
    let theta = fit(
        "the three above together (description; with keywords; with examples)",
        &rows,
        &[described, with_keywords, with_examples],
    );
    println!(
        "\nsrc/classify/zeroshot.rs: INTERCEPT = {:.2}, MEANING = {:.2}, WORDS = {:.2}\n",
        theta[0], theta[1], theta[2]
    );
    println!("zeroshot::calibrated as it stands, on the study's pairs:");
    for (what, features) in [
        ("description", described),
        ("description and keywords", with_keywords),
        ("description and examples", with_examples),
    ] {
        let score = |e: &Evidence| {
            let f = features(e);
            zeroshot::calibrated(f[0], f[1])
        };
        let pairs: Vec<(f64, bool)> = rows
            .iter()
            .flat_map(|(gold, ev)| {
                ev.iter()
                    .enumerate()
                    .map(move |(i, e)| (score(e), i == *gold))
            })
            .collect();
        println!(
            "  {what}: accuracy {:.2}%, ECE {:.3}",
            accuracy(&rows, score),
            ece(&pairs)
        );
    }
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
        study(&tuning, &encoder);
        return;
    }
    evaluate(&read_rows(heldout), encoder).await;
}
