//! Calls through tonic, as a well-behaved client makes them: large Compare
//! answers with word-level diffs, compressed or not (`abuse diffs`), and a
//! health check on a new connection (`abuse health`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use prost::Message;
use textanalysis::proto::v1::CompareRequest;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use tonic::Code;
use tonic::codec::CompressionEncoding;
use tonic::transport::Channel;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

use crate::cli::Flags;
use crate::payload::{frame, text_of};
use crate::report::{code_name, millis, row, secs};
use crate::wire::{COMPARE, call, connect, grpc_request};
use crate::{Error, Result};

type CompareClient = TextAnalysisServiceClient<Channel>;

/// A tonic channel to `addr`, connected.
async fn channel(addr: SocketAddr) -> Result<Channel> {
    Ok(Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?)
}

/// `abuse health`: one health check through tonic, with a 5 s limit; the
/// row is headed `--scenario`.
pub async fn health(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let started = Instant::now();
    let check = async {
        let response = HealthClient::new(channel(addr).await?)
            .check(HealthCheckRequest::default())
            .await?;
        Ok::<_, Error>(response.into_inner().status)
    };
    let outcome = match tokio::time::timeout(Duration::from_secs(5), check).await {
        Ok(Ok(status)) => format!(
            "{:?}",
            tonic_health::pb::health_check_response::ServingStatus::try_from(status)
                .unwrap_or_default()
        ),
        Ok(Err(e)) => format!("failed: {e}"),
        Err(_) => "no answer in 5 s".into(),
    };
    row(
        flags.optional("scenario").unwrap_or("health"),
        "a health check on a new connection",
        &outcome,
        &format!("in {}", millis(started.elapsed())),
    );
    Ok(())
}

/// The Compare request of `abuse diffs`.
fn compare_request(text_a: &str, text_b: &str) -> CompareRequest {
    CompareRequest {
        text_a: text_a.to_owned(),
        text_b: text_b.to_owned(),
        include_diff: true,
        ..Default::default()
    }
}

/// One Compare call over raw HTTP/2 that accepts gzip: what the answer
/// looks like on the wire (its size, whether it came compressed).
async fn compare_probe(addr: SocketAddr, what: &str, text_a: &str, text_b: &str) -> Result<()> {
    let send = connect(addr).await?;
    let request = grpc_request(COMPARE, &[("grpc-accept-encoding", "gzip")])?;
    let body = frame(false, &compare_request(text_a, text_b).encode_to_vec());
    let answer = call(&send, request, body).await?;
    let compressed = match (answer.compressed, &answer.encoding) {
        (Some(true), Some(encoding)) => format!("compressed ({encoding})"),
        (Some(false), _) => "not compressed".to_owned(),
        (Some(true), None) => "flagged compressed without grpc-encoding".to_owned(),
        (None, _) => "no message".to_owned(),
    };
    row(
        "large compressed answers",
        &format!(
            "one Compare with include_diff of {what} ({} + {} KiB), `grpc-accept-encoding: gzip`",
            text_a.len() >> 10,
            text_b.len() >> 10
        ),
        &format!("{}, {compressed}", code_name(answer.code)),
        &format!(
            "answer {} KiB on the wire in {}",
            answer.body_bytes >> 10,
            millis(answer.at)
        ),
    );
    Ok(())
}

/// `abuse diffs`: `--callers` tonic clients that accept gzip, calling
/// Compare with word-level diffs of two large texts for `--seconds`
/// (`scripts/abuse.sh` measures health checks meanwhile): compressing big
/// answers runs on the threads that answer health checks. First, one raw
/// call each for a small and a large answer shows which come compressed.
pub async fn diffs(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let bytes = flags.number("bytes", 1 << 20)?;
    let callers: usize = flags.number("callers", 8)?;
    let seconds = flags.duration("seconds", Duration::from_secs(10))?;
    let (path_a, path_b) = (flags.required("a")?, flags.required("b")?);
    let small_a = std::fs::read_to_string(path_a)?;
    let small_b = std::fs::read_to_string(path_b)?;
    compare_probe(addr, "the two texts", &small_a, &small_b).await?;
    let text_a = Arc::new(text_of(path_a, bytes)?);
    let text_b = Arc::new(text_of(path_b, bytes)?);
    compare_probe(addr, "the two texts repeated", &text_a, &text_b).await?;

    let channel = channel(addr).await?;
    let until = Instant::now() + seconds;
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let client = TextAnalysisServiceClient::new(channel.clone())
                .accept_compressed(CompressionEncoding::Gzip)
                .max_decoding_message_size(usize::MAX);
            let (a, b) = (text_a.clone(), text_b.clone());
            tokio::spawn(compare_loop(client, a, b, until))
        })
        .collect();
    let mut latency = Histogram::<u64>::new(3)?;
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for task in tasks {
        let (h, c) = task.await??;
        latency.add(h)?;
        for (code, n) in c {
            *codes.entry(code).or_default() += n;
        }
    }
    let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    row(
        "large compressed answers",
        &format!(
            "{callers} tonic callers accepting gzip, Compare with include_diff of the repeated texts, for {}",
            secs(seconds)
        ),
        &codes.join(", "),
        &format!(
            "Compare p50 {} ms, p99 {} ms",
            latency.value_at_quantile(0.5) / 1000,
            latency.value_at_quantile(0.99) / 1000
        ),
    );
    Ok(())
}

/// One caller of `abuse diffs`: calls until `until`; latencies (µs) and
/// the count of each status.
async fn compare_loop(
    mut client: CompareClient,
    a: Arc<String>,
    b: Arc<String>,
    until: Instant,
) -> Result<(Histogram<u64>, BTreeMap<String, usize>)> {
    let mut latency = Histogram::<u64>::new(3)?;
    let mut codes = BTreeMap::new();
    while Instant::now() < until {
        let started = Instant::now();
        let code = match client.compare(compare_request(&a, &b)).await {
            Ok(_) => Code::Ok,
            Err(status) => status.code(),
        };
        latency.record(started.elapsed().as_micros() as u64)?;
        *codes.entry(code_name(Some(code))).or_default() += 1;
    }
    Ok((latency, codes))
}
