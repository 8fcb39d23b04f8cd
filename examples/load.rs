//! A load generator for the running server: N concurrent callers send the
//! same request for a fixed time, and the generator reports throughput, the
//! latency percentiles (HDR histogram) and the share of each status code.
//!
//! ```text
//! cargo run --release --example load -- --method summarize --text FILE \
//!     --concurrency 16 --seconds 5 [--addr 127.0.0.1:50051]
//! ```
//!
//! `--method` is `summarize`, `classify`, `pair` (Summarize with key
//! phrases, then Classify, of the text: a call is the pair), `analyze` (one
//! Analyze call asking for the same: a summary, topics and key phrases),
//! `compare` (the text against
//! itself with its first sentence dropped), `embed` (the text's embedding),
//! `embed-sentences` (the text's and each sentence's), `health` (an empty
//! health check: the cost of the gRPC plumbing itself) or `mixed`
//! (Summarize, Classify, Compare and health in turn). `--requests N` stops
//! after N calls instead of at the time limit. `--caller NAME` sends every
//! call with `l5d-client-id: NAME`, as Linkerd's proxy would, for a server
//! started with `--caller-header l5d-client-id` (two generators with two
//! names are two callers). One line of Markdown table goes to standard
//! output. `scripts/load.sh` runs the whole matrix;
//! `scripts/encoder-memory.sh` drives the encoder with `embed` and
//! `embed-sentences`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{
    AnalyzeRequest, ClassifyRequest, CompareRequest, EmbedRequest, KeyphrasesRequest,
    SummarizeRequest,
};
use tonic::transport::Channel;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

struct Args {
    addr: String,
    method: String,
    text: String,
    concurrency: usize,
    seconds: f64,
    requests: Option<u64>,
    caller: Option<tonic::metadata::AsciiMetadataValue>,
}

/// The methods `mixed` takes in turn.
const MIXED: [&str; 4] = ["summarize", "classify", "compare", "health"];

fn args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1:50051".into(),
        method: "health".into(),
        text: String::new(),
        concurrency: 1,
        seconds: 5.0,
        requests: None,
        caller: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => args.addr = value,
            "--method" => args.method = value,
            "--text" => {
                args.text = std::fs::read_to_string(&value)
                    .map_err(|e| format!("cannot read {value}: {e}"))?
            }
            "--concurrency" => args.concurrency = value.parse().map_err(|_| "bad --concurrency")?,
            "--seconds" => args.seconds = value.parse().map_err(|_| "bad --seconds")?,
            "--requests" => args.requests = Some(value.parse().map_err(|_| "bad --requests")?),
            "--caller" => args.caller = Some(value.parse().map_err(|_| "bad --caller")?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if args.method != "health" && args.text.is_empty() {
        return Err("--text FILE is needed for analyses".into());
    }
    Ok(args)
}

/// The header that names the caller, as Linkerd's proxy sets it.
const CALLER_HEADER: &str = "l5d-client-id";

/// One call, from `caller` when given; `Ok` or the status code's name.
async fn call(
    channel: &Channel,
    method: &str,
    text: &str,
    caller: Option<&tonic::metadata::AsciiMetadataValue>,
) -> Result<(), String> {
    let caller = caller.cloned();
    let named = move |mut request: tonic::Request<()>| {
        if let Some(caller) = &caller {
            request.metadata_mut().insert(CALLER_HEADER, caller.clone());
        }
        Ok(request)
    };
    let mut client = TextAnalysisServiceClient::with_interceptor(channel.clone(), named);
    let result = match method {
        "summarize" => client
            .summarize(SummarizeRequest {
                text: text.to_owned(),
                ..Default::default()
            })
            .await
            .map(|_| ()),
        "classify" => client
            .classify(ClassifyRequest {
                text: text.to_owned(),
                ..Default::default()
            })
            .await
            .map(|_| ()),
        "pair" => {
            let summary = client
                .summarize(SummarizeRequest {
                    text: text.to_owned(),
                    include_keyphrases: true,
                    ..Default::default()
                })
                .await;
            match summary {
                Ok(_) => client
                    .classify(ClassifyRequest {
                        text: text.to_owned(),
                        ..Default::default()
                    })
                    .await
                    .map(|_| ()),
                Err(status) => Err(status),
            }
        }
        "analyze" => client
            .analyze(AnalyzeRequest {
                text: text.to_owned(),
                summarize: Some(SummarizeRequest::default()),
                classify: Some(ClassifyRequest::default()),
                keyphrases: Some(KeyphrasesRequest::default()),
                ..Default::default()
            })
            .await
            .map(|_| ()),
        "embed" | "embed-sentences" => client
            .embed(EmbedRequest {
                text: text.to_owned(),
                include_sentences: method == "embed-sentences",
                ..Default::default()
            })
            .await
            .map(|_| ()),
        "compare" => {
            let edited = text.split_once(". ").map_or(text, |(_, rest)| rest);
            client
                .compare(CompareRequest {
                    text_a: text.to_owned(),
                    text_b: edited.to_owned(),
                    ..Default::default()
                })
                .await
                .map(|_| ())
        }
        _ => HealthClient::new(channel.clone())
            .check(HealthCheckRequest::default())
            .await
            .map(|_| ()),
    };
    result.map_err(|status| format!("{:?}", status.code()))
}

#[tokio::main]
async fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    let channel = Channel::from_shared(format!("http://{}", args.addr))
        .expect("address")
        .connect()
        .await
        .unwrap_or_else(|e| {
            eprintln!("load: cannot connect to {}: {e}", args.addr);
            std::process::exit(2)
        });
    let deadline = match args.requests {
        Some(_) => None,
        None => Some(Instant::now() + Duration::from_secs_f64(args.seconds)),
    };
    let budget = args.requests.unwrap_or(u64::MAX);
    let issued = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let callers: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (channel, method, text) = (channel.clone(), args.method.clone(), args.text.clone());
            let caller = args.caller.clone();
            let issued = issued.clone();
            tokio::spawn(async move {
                let mut ok = Histogram::<u64>::new(3).expect("histogram");
                let mut refused = Histogram::<u64>::new(3).expect("histogram");
                let mut codes: BTreeMap<String, u64> = BTreeMap::new();
                loop {
                    let n = issued.fetch_add(1, Ordering::Relaxed);
                    if n >= budget || deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let method = match method.as_str() {
                        "mixed" => MIXED[n as usize % MIXED.len()],
                        other => other,
                    };
                    let t = Instant::now();
                    let result = call(&channel, method, &text, caller.as_ref()).await;
                    let micros = t.elapsed().as_micros() as u64;
                    match result {
                        Ok(()) => ok.record(micros).expect("in range"),
                        Err(code) => {
                            refused.record(micros).expect("in range");
                            *codes.entry(code).or_default() += 1;
                        }
                    }
                }
                (ok, refused, codes)
            })
        })
        .collect();
    let mut ok = Histogram::<u64>::new(3).expect("histogram");
    let mut refused = Histogram::<u64>::new(3).expect("histogram");
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    for caller in callers {
        let (o, r, c) = caller.await.expect("caller");
        ok.add(o).expect("merge");
        refused.add(r).expect("merge");
        for (code, n) in c {
            *codes.entry(code).or_default() += n;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = ok.len() + refused.len();
    let ms = |h: &Histogram<u64>, q: f64| {
        if h.is_empty() {
            "–".to_owned()
        } else {
            format!("{:.2}", h.value_at_quantile(q) as f64 / 1e3)
        }
    };
    let others: Vec<String> = codes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    let label = match &args.caller {
        Some(caller) => format!("{} as {}", args.method, caller.to_str().unwrap_or("?")),
        None => args.method.clone(),
    };
    println!(
        "| {} | {} | {:.0} | {:.0} | {} | {} | {:.1}% | {} | {} |",
        label,
        args.concurrency,
        total as f64 / elapsed,
        ok.len() as f64 / elapsed,
        ms(&ok, 0.5),
        ms(&ok, 0.99),
        100.0 * refused.len() as f64 / total.max(1) as f64,
        ms(&refused, 0.99),
        if others.is_empty() {
            "–".to_owned()
        } else {
            others.join(", ")
        },
    );
}
