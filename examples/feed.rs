//! Feeds a running server one AnalyzeStream of items read from a JSON lines
//! file, as an ingestion pipeline would, and reports the items per second,
//! the statuses, how dedup marked the items, and (with `--pid`) the
//! server's resident memory sampled during the run.
//!
//! ```text
//! cargo run --release --example feed -- --input FILE.jsonl \
//!     [--parts summarize,classify,keyphrases] [--dedup] [--pid PID] [--addr 127.0.0.1:50051]
//! ```
//!
//! Each line holds `id`, `text` and optionally `repeat_of`, the id of the
//! earlier item it repeats with edits (`scripts/make-dedup-stream.py`
//! writes such files). With `--dedup` every item asks for dedup, and the
//! report counts the repeats marked with their original, the repeats
//! missed, and the marks of an item that repeats nothing or of the wrong
//! original. `--parts` lists the analyses asked of each item (`none` for
//! dedup alone). Items are read from the file as the stream takes them,
//! so a long feed costs the client no memory. One line of Markdown table
//! goes to standard output; the marks' details go to standard error.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use textanalysis::proto::v1::analyze_stream_response::Result as Answer;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{
    AnalyzeRequest, AnalyzeStreamRequest, ClassifyRequest, DedupRequest, KeyphrasesRequest,
    SummarizeRequest,
};
use tokio_stream::StreamExt;
use tonic::transport::Channel;

struct Args {
    addr: String,
    input: String,
    parts: Vec<String>,
    dedup: bool,
    pid: Option<u32>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1:50051".into(),
        input: String::new(),
        parts: vec!["summarize".into(), "classify".into()],
        dedup: false,
        pid: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--dedup" {
            args.dedup = true;
            continue;
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => args.addr = value,
            "--input" => args.input = value,
            "--parts" => {
                args.parts = value
                    .split(',')
                    .filter(|p| *p != "none")
                    .map(str::to_owned)
                    .collect()
            }
            "--pid" => args.pid = Some(value.parse().map_err(|_| "bad --pid")?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if args.input.is_empty() {
        return Err("--input FILE.jsonl is needed".into());
    }
    Ok(args)
}

/// One line of the input.
#[derive(serde::Deserialize)]
struct Line {
    id: String,
    text: String,
    /// The earlier item this one repeats with edits.
    #[serde(default)]
    repeat_of: Option<String>,
    /// For the cycled items of a long stream: the article every earlier
    /// copy of which (ids `ARTICLE` and `ARTICLE~…`) this one repeats.
    #[serde(default)]
    copy_of: Option<String>,
}

/// What an item should be marked with.
#[derive(Clone)]
enum Truth {
    /// Nothing: it repeats no earlier item.
    Distinct,
    /// This earlier item.
    RepeatOf(String),
    /// Any earlier copy of this article.
    CopyOf(String),
}

impl Truth {
    fn of(line: &Line) -> Self {
        match (&line.repeat_of, &line.copy_of) {
            (Some(id), _) => Truth::RepeatOf(id.clone()),
            (None, Some(article)) => Truth::CopyOf(article.clone()),
            (None, None) => Truth::Distinct,
        }
    }

    fn accepts(&self, original: &str) -> bool {
        match self {
            Truth::Distinct => false,
            Truth::RepeatOf(id) => id == original,
            Truth::CopyOf(article) => {
                original == article
                    || original
                        .strip_prefix(article.as_str())
                        .is_some_and(|rest| rest.starts_with('~'))
            }
        }
    }
}

/// The stream item of `line`.
fn item(line: &Line, parts: &[String], dedup: bool) -> AnalyzeStreamRequest {
    let has = |part: &str| parts.iter().any(|p| p == part);
    AnalyzeStreamRequest {
        id: line.id.clone(),
        request: Some(AnalyzeRequest {
            text: line.text.clone(),
            summarize: has("summarize").then(SummarizeRequest::default),
            classify: has("classify").then(ClassifyRequest::default),
            keyphrases: has("keyphrases").then(KeyphrasesRequest::default),
            ..Default::default()
        }),
        dedup: dedup.then(DedupRequest::default),
    }
}

/// The server's resident memory in KiB, from `/proc`.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() {
    let args = args().unwrap_or_else(|e| {
        eprintln!("feed: {e}");
        std::process::exit(2)
    });
    let file = std::fs::File::open(&args.input).unwrap_or_else(|e| {
        eprintln!("feed: cannot read {}: {e}", args.input);
        std::process::exit(2)
    });
    let channel = Channel::from_shared(format!("http://{}", args.addr))
        .expect("address")
        .connect()
        .await
        .unwrap_or_else(|e| {
            eprintln!("feed: cannot connect to {}: {e}", args.addr);
            std::process::exit(2)
        });
    // What the answers are checked against: each line's `repeat_of`, kept
    // as the stream takes the lines (ids only, not texts).
    let expected: Arc<Mutex<HashMap<String, Truth>>> = Arc::default();
    let seen = expected.clone();
    let (parts, dedup) = (args.parts.clone(), args.dedup);
    let lines = std::io::BufReader::new(file).lines();
    let items = tokio_stream::iter(lines).map(move |line| {
        let line: Line =
            serde_json::from_str(&line.expect("a readable line")).expect("a JSON line");
        let item = item(&line, &parts, dedup);
        let truth = Truth::of(&line);
        seen.lock().expect("not poisoned").insert(line.id, truth);
        item
    });
    let samples: Arc<Mutex<Vec<u64>>> = Arc::default();
    let sampler = args.pid.map(|pid| {
        let samples = samples.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            while let Some(kib) = rss_kib(pid) {
                samples.lock().expect("not poisoned").push(kib);
                tick.tick().await;
            }
        })
    });
    let started = Instant::now();
    let mut answers = TextAnalysisServiceClient::new(channel)
        .analyze_stream(items)
        .await
        .expect("the stream opens")
        .into_inner();
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    let mut marks: Vec<(String, String, f64)> = Vec::new();
    let mut answered = 0u64;
    while let Some(answer) = answers.message().await.expect("the stream goes on") {
        answered += 1;
        let code = match &answer.result {
            Some(Answer::Response(_)) => "OK".to_owned(),
            Some(Answer::Error(status)) => format!("{:?}", tonic::Code::from(status.code)),
            None => "none".to_owned(),
        };
        *codes.entry(code).or_default() += 1;
        if let Some(original) = answer.duplicate_of {
            marks.push((answer.id, original.id, original.similarity));
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(sampler) = sampler {
        sampler.abort();
    }
    let expected = expected.lock().expect("not poisoned");
    let repeats = expected
        .values()
        .filter(|t| !matches!(t, Truth::Distinct))
        .count();
    let mut right = 0;
    let mut wrong = Vec::new();
    for (id, original, similarity) in &marks {
        match expected.get(id) {
            Some(truth) if truth.accepts(original) => right += 1,
            _ => wrong.push(format!("{id} marked as {original} ({similarity:.2})")),
        }
    }
    let marked: std::collections::HashSet<&str> =
        marks.iter().map(|(m, _, _)| m.as_str()).collect();
    let missed: Vec<&String> = expected
        .iter()
        .filter(|(id, t)| !matches!(t, Truth::Distinct) && !marked.contains(id.as_str()))
        .map(|(id, _)| id)
        .collect();
    for w in &wrong {
        eprintln!("feed: wrong mark: {w}");
    }
    for m in missed.iter().take(20) {
        eprintln!("feed: repeat not marked: {m}");
    }
    let samples = samples.lock().expect("not poisoned");
    let mib =
        |kib: Option<&u64>| kib.map_or("–".to_owned(), |k| format!("{:.0}", *k as f64 / 1024.0));
    let rss = if samples.is_empty() {
        "–".to_owned()
    } else {
        let tenth = samples.len() / 10;
        format!(
            "{} → {} (max {})",
            mib(samples.get(tenth)),
            mib(samples.last()),
            mib(samples.iter().max())
        )
    };
    let statuses: Vec<String> = codes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    println!(
        "| {} | {} | {answered} | {:.1} | {:.0} | {} | {right}/{repeats} | {} | {rss} |",
        if args.parts.is_empty() {
            "none".to_owned()
        } else {
            args.parts.join("+")
        },
        if args.dedup { "on" } else { "off" },
        elapsed,
        answered as f64 / elapsed,
        statuses.join(", "),
        wrong.len(),
    );
}
