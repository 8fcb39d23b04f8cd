//! Measures Compare on real data through the running service: the example
//! starts the real gRPC server in-process on an ephemeral port
//! ([`textanalysis::server::run`]) and sends every pair as a `Compare`
//! request with the generated client, `language: "en"`, four requests in
//! flight at a time over one channel.
//!
//! 1. MSRP (`msrp_train.tsv`): `score` as a paraphrase detector, threshold
//!    chosen on the first half, accuracy and F1 on the second half;
//! 2. STS Benchmark (`stsb_dev.csv`): Pearson correlation of `score` (and of
//!    plain tf-idf `cosine`) with the gold similarity;
//! 3. near-duplicates in BBC News (`bbc_news_train.jsonl`): articles with the
//!    same title (republished versions), 200 deterministic edited copies
//!    (recall of NearDuplicate/Duplicate), and 2,000 random pairs of
//!    different stories of the same category (NearDuplicate count, must be
//!    0) plus 2,000 of different categories (verdicts);
//! 4. the republished wire story of `wire_pair/` (verdict and score).
//!
//! ```text
//! cargo run --release --example eval_compare -- /work/shared/data
//! cargo run --release --example eval_compare -- /work/shared/data --fit
//! ```
//!
//! `--fit` fits the score model in-process (it needs the raw features):
//! a logistic regression with soft targets on `stsb_train.csv` (gold / 5)
//! and the first half of `msrp_train.tsv` (0.95 for a paraphrase, 0.3 for
//! not, the half weighing [`MSRP_WEIGHT`] times STS-B), by Newton's method;
//! it prints the constants to paste into `src/compare/similarity.rs`.
//! Neither `stsb_dev.csv` nor the second half of MSRP is used to fit.

mod common;

use common::{pearson, read_sts};

use std::time::Instant;

use textanalysis::compare::similarity::{FEATURE_NAMES, FEATURES, logistic, score_with};
use textanalysis::compare::{CompareOptions, Details, compare_detailed};
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{CompareRequest, CompareResponse, Similarity, Verdict};
use textanalysis::server::{self, ServerConfig};
use textanalysis::text::{Document, Language};
use tonic::transport::Channel;

/// xorshift64*, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn en() -> Option<Language> {
    Language::from_code("en")
}

/// In-process comparison, for `--fit` (which needs the raw features).
fn details(a: &str, b: &str) -> Details {
    let (da, db) = (Document::analyze(a, en()), Document::analyze(b, en()));
    compare_detailed(&da, &db, &CompareOptions::default(), None)
        .expect("a lexical comparison cannot fail")
        .1
}

/// Solves the `N × N` system `m · x = m[.., N]` (augmented matrix) by
/// Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)]
fn solve<const N: usize>(mut m: Vec<Vec<f64>>) -> [f64; N] {
    for c in 0..N {
        let p = (c..N)
            .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
            .unwrap();
        m.swap(c, p);
        for r in 0..N {
            if r != c {
                let f = m[r][c] / m[c][c];
                for k in c..=N {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
    }
    std::array::from_fn(|i| m[i][N] / m[i][i])
}

/// Weight of MSRP's first half against STS-B train in the fit (each data
/// set's weights sum to 1, then MSRP's are multiplied by this).
const MSRP_WEIGHT: f64 = 4.0;
/// Fitting targets of MSRP pairs: paraphrases are near-equivalent (4.75 on
/// the STS 0–5 scale), non-paraphrases of this corpus still share most
/// words and details (1.5).
const MSRP_TARGETS: (f64, f64) = (0.95, 0.3);
/// Ridge penalty on every coefficient.
const RIDGE: f64 = 1e-4;

/// Weighted logistic regression with soft targets in `[0, 1]`: minimises
/// `Σ wᵢ·CE(yᵢ, σ(θ·xᵢ)) + RIDGE·|θ|²/2` by Newton's method. `rows` hold
/// a leading 1 for the intercept.
#[allow(clippy::needless_range_loop)]
fn logistic_fit(rows: &[[f64; FEATURES + 1]], y: &[f64], w: &[f64]) -> [f64; FEATURES + 1] {
    const N: usize = FEATURES + 1;
    let mut theta = [0.0; N];
    for _ in 0..100 {
        let mut m = vec![vec![0.0; N + 1]; N];
        for ((r, &t), &wi) in rows.iter().zip(y).zip(w) {
            let z: f64 = r.iter().zip(&theta).map(|(a, b)| a * b).sum();
            let p = logistic(z);
            let h = wi * p * (1.0 - p);
            for i in 0..N {
                for j in 0..N {
                    m[i][j] += h * r[i] * r[j];
                }
                m[i][N] -= wi * (p - t) * r[i];
            }
        }
        for i in 0..N {
            m[i][i] += RIDGE;
            m[i][N] -= RIDGE * theta[i];
        }
        let step: [f64; N] = solve(m);
        for (t, s) in theta.iter_mut().zip(&step) {
            *t += s;
        }
        if step.iter().all(|s| s.abs() < 1e-10) {
            break;
        }
    }
    theta
}

/// Best accuracy of `score ≥ t` on `rows`, over `t` in steps of 0.005
/// (the grid the evaluation uses); returns (accuracy, t).
fn best_threshold(rows: &[(bool, f64)]) -> (f64, f64) {
    let mut best = (0.0, 0.0);
    for k in 0..=200 {
        let t = k as f64 / 200.0;
        let acc = rows.iter().filter(|r| (r.1 >= t) == r.0).count() as f64 / rows.len() as f64;
        if acc > best.0 {
            best = (acc, t);
        }
    }
    best
}

fn fit(dir: &str) {
    let features = |a: &str, b: &str| {
        let f = details(a, b).measures.features();
        let mut r = [1.0; FEATURES + 1];
        r[1..].copy_from_slice(&f);
        r
    };
    let sts = read_sts(&format!("{dir}/stsb_train.csv"));
    let msrp = read_msrp(dir);
    let msrp = &msrp[..msrp.len() / 2];
    let (mut x, mut y, mut w) = (Vec::new(), Vec::new(), Vec::new());
    for (gold, a, b) in &sts {
        x.push(features(a, b));
        y.push(gold / 5.0);
        w.push(1.0 / sts.len() as f64);
    }
    for (label, a, b) in msrp {
        x.push(features(a, b));
        y.push(if *label {
            MSRP_TARGETS.0
        } else {
            MSRP_TARGETS.1
        });
        w.push(MSRP_WEIGHT / msrp.len() as f64);
    }
    let theta = logistic_fit(&x, &y, &w);
    let mut weights = [0.0; FEATURES];
    weights.copy_from_slice(&theta[1..]);
    let score = |r: &[f64; FEATURES + 1]| {
        let mut f = [0.0; FEATURES];
        f.copy_from_slice(&r[1..]);
        score_with(&f, theta[0], &weights)
    };
    let n = sts.len();
    let pred: Vec<f64> = x[..n].iter().map(score).collect();
    let (acc, t) = best_threshold(
        &msrp
            .iter()
            .zip(&x[n..])
            .map(|((label, _, _), r)| (*label, score(r)))
            .collect::<Vec<_>>(),
    );
    println!(
        "fitted on {n} stsb_train pairs (train Pearson {:.4}) and the first {} MSRP pairs \
         (accuracy {:.1}% at score ≥ {t:.3})",
        pearson(&pred, &y[..n]),
        msrp.len(),
        100.0 * acc
    );
    for (i, name) in FEATURE_NAMES.iter().enumerate() {
        let col: Vec<f64> = x[..n].iter().map(|r| r[i + 1]).collect();
        println!(
            "  {name:>18}: weight {:+.4}, alone r on stsb_train = {:.4}",
            weights[i],
            pearson(&col, &y[..n])
        );
    }
    println!("pub const INTERCEPT: f64 = {:.4};", theta[0]);
    println!(
        "pub const WEIGHTS: [f64; FEATURES] = [{}];",
        weights
            .iter()
            .map(|w| format!("{w:.4}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

struct Row {
    what: String,
    value: String,
    target: String,
}

/// Requests in flight at a time.
const IN_FLIGHT: usize = 4;

/// A client of the server this example started.
#[derive(Clone)]
struct Service {
    client: TextAnalysisServiceClient<Channel>,
}

/// What the evaluation reads from one Compare response.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    similarity: Similarity,
    verdict: Verdict,
}

impl Service {
    /// Compares every pair through the service, `IN_FLIGHT` requests at a
    /// time; the outcomes are in the order of `pairs`. Panics on any error:
    /// the service must answer every one of these requests.
    async fn compare_all(&self, pairs: Vec<(String, String)>) -> Vec<Outcome> {
        let pairs = std::sync::Arc::new(pairs);
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..IN_FLIGHT {
            let (mut client, pairs) = (self.client.clone(), pairs.clone());
            tasks.spawn(async move {
                let mut out = Vec::new();
                for i in (worker..pairs.len()).step_by(IN_FLIGHT) {
                    let (a, b) = &pairs[i];
                    let request = CompareRequest {
                        text_a: a.clone(),
                        text_b: b.clone(),
                        include_alignment: Some(false),
                        language: "en".into(),
                        ..Default::default()
                    };
                    let response: CompareResponse = client
                        .compare(request)
                        .await
                        .unwrap_or_else(|e| panic!("Compare of pair {i} failed: {e}"))
                        .into_inner();
                    let outcome = Outcome {
                        similarity: response.similarity.expect("similarity is set"),
                        verdict: Verdict::try_from(response.verdict).expect("a known verdict"),
                    };
                    out.push((i, outcome));
                }
                out
            });
        }
        let mut all: Vec<(usize, Outcome)> = Vec::with_capacity(pairs.len());
        while let Some(part) = tasks.join_next().await {
            all.extend(part.expect("request task did not panic"));
        }
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, o)| o).collect()
    }
}

/// MSRP rows: (is a paraphrase, sentence 1, sentence 2).
fn read_msrp(dir: &str) -> Vec<(bool, String, String)> {
    let path = format!("{dir}/msrp_train.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let label = cols.first()?.trim_start_matches('\u{feff}').trim() == "1";
            Some((label, cols.get(3)?.to_string(), cols.get(4)?.to_string()))
        })
        .collect()
}

async fn msrp(service: &Service, dir: &str, table: &mut Vec<Row>) {
    let data = read_msrp(dir);
    let outcomes = service
        .compare_all(
            data.iter()
                .map(|(_, a, b)| (a.clone(), b.clone()))
                .collect(),
        )
        .await;
    let rows: Vec<(bool, f64, f64)> = data
        .iter()
        .zip(&outcomes)
        .map(|((label, _, _), o)| (*label, o.similarity.score, o.similarity.cosine))
        .collect();
    let half = rows.len() / 2;
    let (train, test) = rows.split_at(half);
    for (name, pick) in [("score", 0usize), ("cosine", 1usize)] {
        let value = |r: &(bool, f64, f64)| if pick == 0 { r.1 } else { r.2 };
        let (_, t) = best_threshold(&train.iter().map(|r| (r.0, value(r))).collect::<Vec<_>>());
        let (mut tp, mut fp, mut fneg, mut ok) = (0.0, 0.0, 0.0, 0.0);
        for r in test {
            let p = value(r) >= t;
            if p == r.0 {
                ok += 1.0;
            }
            match (p, r.0) {
                (true, true) => tp += 1.0,
                (true, false) => fp += 1.0,
                (false, true) => fneg += 1.0,
                _ => {}
            }
        }
        let f1 = 2.0 * tp / (2.0 * tp + fp + fneg);
        table.push(Row {
            what: format!(
                "MSRP paraphrase, `{name}` ≥ {t:.3} (threshold from first {half} pairs), second {} pairs",
                test.len()
            ),
            value: format!("accuracy {:.1}%, F1 {:.1}", 100.0 * ok / test.len() as f64, 100.0 * f1),
            target: if pick == 0 { "> 75%".into() } else { "reference".into() },
        });
    }
}

async fn sts(service: &Service, dir: &str, table: &mut Vec<Row>) {
    let rows = read_sts(&format!("{dir}/stsb_dev.csv"));
    let outcomes = service
        .compare_all(
            rows.iter()
                .map(|(_, a, b)| (a.clone(), b.clone()))
                .collect(),
        )
        .await;
    let gold: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let column = |f: fn(&Similarity) -> f64| -> Vec<f64> {
        outcomes.iter().map(|o| f(&o.similarity)).collect()
    };
    let n = rows.len();
    table.push(Row {
        what: format!("STS-B dev Pearson, `score` ({n} pairs)"),
        value: format!("{:.4}", pearson(&column(|s| s.score), &gold)),
        target: "≥ 0.72".into(),
    });
    table.push(Row {
        what: "STS-B dev Pearson, tf-idf `cosine`".into(),
        value: format!("{:.4}", pearson(&column(|s| s.cosine), &gold)),
        target: "reference".into(),
    });
    table.push(Row {
        what: "STS-B dev Pearson, shingle `jaccard`".into(),
        value: format!("{:.4}", pearson(&column(|s| s.jaccard), &gold)),
        target: "reference".into(),
    });
}
#[derive(serde::Deserialize)]
struct Article {
    id: String,
    category: String,
    title: String,
    body: String,
}

const BOILERPLATE: &[&str] = &[
    "Leave a comment",
    "Share this article on social media.",
    "Sign up for our daily newsletter.",
    "Your email address will not be published.",
];

const REPLACEMENTS: &[&str] = &[
    "reportedly",
    "new",
    "major",
    "local",
    "several",
    "also",
    "recently",
];

/// A deterministic edited copy: 1–2 sentences dropped, two swapped, a few
/// words changed, boilerplate appended.
fn edit(doc: &Document<'_>, rng: &mut Rng) -> String {
    let mut sentences: Vec<String> = (0..doc.sentences.len())
        .map(|i| doc.sentence_text(i).to_string())
        .collect();
    let drops = 1 + rng.below(2);
    for _ in 0..drops {
        if sentences.len() > 3 {
            let k = rng.below(sentences.len());
            sentences.remove(k);
        }
    }
    if sentences.len() >= 2 {
        let (x, y) = (rng.below(sentences.len()), rng.below(sentences.len()));
        sentences.swap(x, y);
    }
    for _ in 0..3 {
        let k = rng.below(sentences.len());
        let words: Vec<&str> = sentences[k].split(' ').collect();
        if words.len() > 3 {
            let w = 1 + rng.below(words.len() - 2);
            let mut changed: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            changed[w] = REPLACEMENTS[rng.below(REPLACEMENTS.len())].to_string();
            sentences[k] = changed.join(" ");
        }
    }
    let mut out = sentences.join("\n\n");
    for _ in 0..1 + rng.below(3) {
        out.push_str("\n\n");
        out.push_str(BOILERPLATE[rng.below(BOILERPLATE.len())]);
    }
    out
}

fn is_near_duplicate(v: Verdict) -> bool {
    matches!(v, Verdict::NearDuplicate | Verdict::Duplicate)
}

async fn bbc(service: &Service, dir: &str, table: &mut Vec<Row>) {
    let path = format!("{dir}/bbc_news_train.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let articles: Vec<Article> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let full: Vec<String> = articles
        .iter()
        .map(|a| format!("{}\n\n{}", a.title, a.body))
        .collect();

    // Republished versions: same normalised title, different id.
    let norm = |t: &str| {
        t.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut by_title: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, a) in articles.iter().enumerate() {
        by_title.entry(norm(&a.title)).or_default().push(i);
    }
    let mut same_title: Vec<(usize, usize)> = Vec::new();
    for ids in by_title.values().filter(|v| v.len() > 1) {
        for x in 0..ids.len() {
            for y in x + 1..ids.len() {
                same_title.push((ids[x], ids[y]));
            }
        }
    }
    let outcomes = service
        .compare_all(
            same_title
                .iter()
                .map(|&(x, y)| (full[x].clone(), full[y].clone()))
                .collect(),
        )
        .await;
    let (mut dup, mut nd, mut low) = (0, 0, Vec::new());
    for (&(x, y), o) in same_title.iter().zip(&outcomes) {
        match o.verdict {
            Verdict::Duplicate => dup += 1,
            Verdict::NearDuplicate => nd += 1,
            _ => low.push(format!(
                "{} / {} ({:?}, containment {:.2}/{:.2})",
                articles[x].id,
                articles[y].id,
                o.verdict,
                o.similarity.containment_a,
                o.similarity.containment_b
            )),
        }
    }
    table.push(Row {
        what: format!("BBC same-title article pairs ({})", same_title.len()),
        value: format!("{dup} Duplicate, {nd} NearDuplicate, {} other", low.len()),
        target: "republished → (Near)Duplicate".into(),
    });
    for l in low.iter().take(10) {
        eprintln!("same title, not near-duplicate: {l}");
    }

    // Edited copies, made in-process from each article's sentences.
    let mut rng = Rng(0x5EED_C0DE_2024);
    let mut edited: Vec<(String, String)> = Vec::new();
    let mut step = 0;
    while edited.len() < 200 && step < full.len() {
        let i = (step * 7919) % full.len();
        step += 1;
        let doc = Document::analyze(&full[i], en());
        if doc.sentences.len() < 5 {
            continue;
        }
        let copy = edit(&doc, &mut rng);
        edited.push((full[i].clone(), copy));
    }
    let total = edited.len();
    let outcomes = service.compare_all(edited).await;
    let found = outcomes
        .iter()
        .filter(|o| is_near_duplicate(o.verdict))
        .count();
    let mut scores: Vec<f64> = outcomes.iter().map(|o| o.similarity.score).collect();
    scores.sort_by(f64::total_cmp);
    table.push(Row {
        what: format!("BBC edited copies ({total}): recall of NearDuplicate/Duplicate"),
        value: format!(
            "{:.1}% (score min {:.2}, median {:.2})",
            100.0 * found as f64 / total as f64,
            scores.first().copied().unwrap_or(0.0),
            scores.get(total / 2).copied().unwrap_or(0.0)
        ),
        target: "≥ 98%".into(),
    });

    // Random different-story pairs.
    let mut rng = Rng(0x00D1_FF57_0121);
    for same_category in [true, false] {
        let mut pairs: Vec<(String, String)> = Vec::new();
        while pairs.len() < 2000 {
            let (x, y) = (rng.below(full.len()), rng.below(full.len()));
            if x == y
                || (articles[x].category == articles[y].category) != same_category
                || norm(&articles[x].title) == norm(&articles[y].title)
            {
                continue;
            }
            pairs.push((full[x].clone(), full[y].clone()));
        }
        let n = pairs.len();
        let start = Instant::now();
        let outcomes = service.compare_all(pairs).await;
        let per_pair = start.elapsed().as_secs_f64() / n as f64 * 1e6;
        let nd = outcomes
            .iter()
            .filter(|o| is_near_duplicate(o.verdict))
            .count();
        let related = outcomes
            .iter()
            .filter(|o| o.verdict == Verdict::Related)
            .count();
        let max_containment = outcomes
            .iter()
            .map(|o| o.similarity.containment_a.min(o.similarity.containment_b))
            .fold(0.0, f64::max);
        let mut scores: Vec<f64> = outcomes.iter().map(|o| o.similarity.score).collect();
        scores.sort_by(f64::total_cmp);
        let what = if same_category { "same" } else { "different" };
        table.push(Row {
            what: format!("BBC random different-story pairs, {what} category ({n})"),
            value: format!(
                "{nd} NearDuplicate, {related} Related; max min-containment {max_containment:.2}; score median {:.2}, p95 {:.2}; {per_pair:.0} µs/pair through the service",
                scores[n / 2],
                scores[n * 95 / 100]
            ),
            target: if same_category { "0 NearDuplicate".into() } else { "Unrelated".into() },
        });
    }
}

/// The republished wire story of `wire_pair/`.
async fn wire_pair(service: &Service, dir: &str, table: &mut Vec<Row>) {
    let read = |name: &str| {
        let path = format!("{dir}/wire_pair/{name}");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let outcome = service
        .compare_all(vec![(read("a.txt"), read("b.txt"))])
        .await[0];
    table.push(Row {
        what: "Wire pair (`wire_pair/a.txt`, `b.txt`)".into(),
        value: format!(
            "{:?}, score {:.2}",
            outcome.verdict, outcome.similarity.score
        ),
        target: "NearDuplicate".into(),
    });
}

/// Starts the server on an ephemeral port and connects a client to it.
async fn start() -> (Service, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let addr = listener.local_addr().expect("local address");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::run(listener, ServerConfig::default(), async {
        let _ = rx.await;
    }));
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("valid uri")
        .tcp_nodelay(true)
        .connect()
        .await
        .expect("connect to the server");
    (
        Service {
            client: TextAnalysisServiceClient::new(channel),
        },
        tx,
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .cloned()
        .unwrap_or_else(|| "/work/shared/data".into());
    if args.iter().any(|a| a == "--fit") {
        fit(&dir);
        return;
    }
    let start_time = Instant::now();
    let (service, shutdown) = start().await;
    let mut table = Vec::new();
    sts(&service, &dir, &mut table).await;
    msrp(&service, &dir, &mut table).await;
    bbc(&service, &dir, &mut table).await;
    wire_pair(&service, &dir, &mut table).await;
    let _ = shutdown.send(());
    println!("| measurement | result | target |");
    println!("|---|---|---|");
    for r in &table {
        println!("| {} | {} | {} |", r.what, r.value, r.target);
    }
    eprintln!("({:.1} s)", start_time.elapsed().as_secs_f64());
}
