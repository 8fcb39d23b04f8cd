//! Measures Compare on real data through the running service, in lexical
//! mode and with the sentence encoder: the example starts two real gRPC
//! servers in-process on ephemeral ports ([`textanalysis::server::run`]),
//! one without the encoder and one with it, and sends every pair to each as
//! a `Compare` request with the generated client, `language: "en"`, four
//! requests in flight at a time over one channel. The table has one column
//! per server.
//!
//! 1. STS Benchmark (`stsb_dev.csv`): Pearson correlation of `score`, of
//!    `semantic` and of plain tf-idf `cosine` with the gold similarity;
//! 2. MSRP (`msrp_train.tsv`): `score` as a paraphrase detector, threshold
//!    chosen on the first half, accuracy and F1 on the second half;
//! 3. near-duplicates in BBC News (`bbc_news_train.jsonl`): articles with the
//!    same title (republished versions), 200 deterministic edited copies
//!    (recall of NearDuplicate/Duplicate), and random pairs of different
//!    stories of the same category (NearDuplicate count, must be 0) and of
//!    different categories (verdicts): 2,000 of each in lexical mode,
//!    [`SEMANTIC_RANDOM_PAIRS`] with the encoder, whose every pair embeds
//!    two whole articles sentence by sentence;
//! 4. the republished wire story of `wire_pair/`: verdict, score, and its
//!    alignment against the pairs read by hand in
//!    `tests/fixtures/wire_pair_alignment.txt`;
//! 5. the median latency of one Compare of the wire pair's two texts
//!    (4.7 and 4.2 KB) with alignment, one request at a time.
//!
//! ```text
//! cargo run --release --example eval_compare -- /work/shared/data [--semantic-model DIR]
//! cargo run --release --example eval_compare -- /work/shared/data --fit [--semantic-model DIR]
//! ```
//!
//! The encoder is read from `--semantic-model`, by default
//! `models/encoder/all-MiniLM-L6-v2` (`scripts/fetch-encoder.sh`).
//! `--fit` fits both score models in-process (it needs the raw features);
//! see [`fit`].

mod checks;
#[path = "../common/mod.rs"]
mod common;
mod fit;
#[path = "../../tests/fixtures/wire_pair_alignment.rs"]
mod wire_pair_alignment;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use textanalysis::config::Connections;
use textanalysis::encoder::Encoder;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{CompareRequest, CompareResponse, Similarity, Verdict};
use textanalysis::semantic::Embedder;
use textanalysis::server::{self, ServerConfig};
use tonic::transport::Channel;

/// Random different-story BBC pairs of each kind compared with the
/// encoder (2,000 without it): a pair of articles is some 40 sentences
/// and two whole articles to embed, about a second of a core.
pub const SEMANTIC_RANDOM_PAIRS: usize = 200;

/// Requests in flight at a time.
const IN_FLIGHT: usize = 4;

/// Requests timed for the latency row.
const LATENCY_REQUESTS: usize = 11;

/// One line of a server's results.
pub struct Row {
    pub what: String,
    pub value: String,
    pub target: String,
}

/// A client of a server this example started.
#[derive(Clone)]
pub struct Service {
    client: TextAnalysisServiceClient<Channel>,
    /// Whether the server has the encoder.
    pub semantic: bool,
}

/// What the evaluation reads from one Compare response.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub similarity: Similarity,
    pub verdict: Verdict,
}

impl Service {
    /// Compares every pair through the service, `IN_FLIGHT` requests at a
    /// time; the outcomes are in the order of `pairs`. Panics on any error:
    /// the service must answer every one of these requests.
    pub async fn compare_all(&self, pairs: Vec<(String, String)>) -> Vec<Outcome> {
        let pairs = Arc::new(pairs);
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..IN_FLIGHT {
            let (service, pairs) = (self.clone(), pairs.clone());
            tasks.spawn(async move {
                let mut out = Vec::new();
                for i in (worker..pairs.len()).step_by(IN_FLIGHT) {
                    let (a, b) = &pairs[i];
                    let response = service.compare(a, b, false).await;
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

    /// One Compare of `a` and `b`, in English.
    pub async fn compare(&self, a: &str, b: &str, alignment: bool) -> CompareResponse {
        let request = CompareRequest {
            text_a: a.to_owned(),
            text_b: b.to_owned(),
            include_alignment: Some(alignment),
            language: "en".into(),
            ..Default::default()
        };
        self.client
            .clone()
            .compare(request)
            .await
            .unwrap_or_else(|e| panic!("Compare failed: {e}"))
            .into_inner()
    }
}

/// Starts a server with `embedder` on an ephemeral port and connects a
/// client to it.
async fn start(embedder: Option<Arc<dyn Embedder>>) -> (Service, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let addr = listener.local_addr().expect("local address");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let semantic = embedder.is_some();
    // A run with the encoder takes many minutes over one connection, and
    // a request with four articles to embed seconds: neither the
    // connection's age nor the request's time is bounded here.
    let config = ServerConfig {
        embedder,
        request_timeout: Duration::from_secs(3600),
        connections: Connections {
            max_connection_age: Duration::from_secs(24 * 3600),
            ..Connections::default()
        },
        ..ServerConfig::default()
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
    (
        Service {
            client: TextAnalysisServiceClient::new(channel),
            semantic,
        },
        tx,
    )
}

/// The median time of one Compare of the wire pair, with alignment.
async fn latency(service: &Service, dir: &str, table: &mut Vec<Row>) {
    let (a, b) = checks::wire_texts(dir);
    let mut times: Vec<Duration> = Vec::with_capacity(LATENCY_REQUESTS);
    for _ in 0..LATENCY_REQUESTS {
        let start = Instant::now();
        service.compare(&a, &b, true).await;
        times.push(start.elapsed());
    }
    times.sort();
    table.push(Row {
        what: format!(
            "Latency of one Compare of the wire pair ({:.1} + {:.1} KB, alignment on), median of {LATENCY_REQUESTS}, one at a time",
            a.len() as f64 / 1000.0,
            b.len() as f64 / 1000.0
        ),
        value: format!("{:.1} ms", times[times.len() / 2].as_secs_f64() * 1e3),
        target: "reference".into(),
    });
}

/// Every measurement, through `service`.
async fn run(service: &Service, dir: &str) -> Vec<Row> {
    let mut table = Vec::new();
    checks::sts(service, dir, &mut table).await;
    checks::msrp(service, dir, &mut table).await;
    let random_pairs = if service.semantic {
        SEMANTIC_RANDOM_PAIRS
    } else {
        2000
    };
    checks::bbc(service, dir, random_pairs, &mut table).await;
    checks::wire_pair(service, dir, &mut table).await;
    latency(service, dir, &mut table).await;
    table
}

fn load_encoder(dir: &Path) -> Arc<Encoder> {
    let started = Instant::now();
    let encoder = Encoder::load(dir).unwrap_or_else(|e| {
        panic!(
            "the sentence encoder in {} (scripts/fetch-encoder.sh, or --semantic-model): {e}",
            dir.display()
        )
    });
    eprintln!("loaded {} in {:.2?}", dir.display(), started.elapsed());
    Arc::new(encoder)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "/work/shared/data".into());
    let model = args
        .iter()
        .position(|a| a == "--semantic-model")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/encoder/all-MiniLM-L6-v2")
        });
    let encoder = load_encoder(&model);
    if args.iter().any(|a| a == "--fit") {
        fit::fit(&dir, encoder.as_ref());
        return;
    }
    let start_time = Instant::now();
    let (lexical, stop_lexical) = start(None).await;
    let lexical_rows = run(&lexical, &dir).await;
    let _ = stop_lexical.send(());
    eprintln!("lexical: {:.1} s", start_time.elapsed().as_secs_f64());
    let semantic_start = Instant::now();
    let (semantic, stop_semantic) = start(Some(encoder)).await;
    let semantic_rows = run(&semantic, &dir).await;
    let _ = stop_semantic.send(());
    eprintln!(
        "with the encoder: {:.1} s",
        semantic_start.elapsed().as_secs_f64()
    );
    println!("| measurement | lexical | with the encoder | target |");
    println!("|---|---|---|---|");
    for (l, s) in lexical_rows.iter().zip(&semantic_rows) {
        assert_eq!(l.what, s.what, "both runs measure the same things");
        println!("| {} | {} | {} | {} |", l.what, l.value, s.value, l.target);
    }
}
