//! Hostile and broken clients, replayed against a running server, to see
//! that the server's bounds hold: what a well-behaved tonic client never
//! sends (stalled bodies and handshakes, truncated or undecodable messages,
//! resets, too many connections) is sent here over raw TCP and a raw HTTP/2
//! client (`h2`), and the server's own answer (`grpc-status` from its
//! headers or trailers) is reported, not what a client library makes of it.
//!
//! ```text
//! abuse payload --text FILE --bytes 1048576 --out FILE
//! abuse cert --dir DIR
//! abuse deadline --addr A --text FILE [--bytes N] [--calls 10] [--timeout 5m]
//! abuse stall-body --addr A [--streams 200] [--per-connection 100] [--declared 4096]
//!     [--limit 15s] [--metrics M]
//! abuse stall-handshake --addr A [--silent 100] [--partial 100] [--limit 15s]
//!     [--ca FILE [--no-preface 100]]   (--ca: the server speaks TLS)
//! abuse connections --addr A [--handshaked 50] [--extra 50] [--at-once 1s] [--metrics M]
//! abuse hold --addr A [--connections 100] [--seconds 7]
//! abuse health --addr A [--scenario NAME]
//! abuse diffs --addr A --a FILE --b FILE [--bytes N] [--callers 8] [--seconds 10]
//! abuse mistakes --addr A [--metrics M]
//! ```
//!
//! Every subcommand but `payload` and `cert` prints Markdown table rows,
//! `| scenario | what was sent | outcome | figures |`, to standard output;
//! `scripts/abuse.sh` starts the release server with the bounds each
//! scenario needs and puts the rows together. `--metrics` is the address of
//! the server's Prometheus endpoint, read before and after a scenario.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::client::{ResponseFuture, SendRequest};
use h2::{RecvStream, SendStream};
use hdrhistogram::Histogram;
use http::{HeaderMap, Request};
use prost::Message;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{CompareRequest, SummarizeRequest};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tonic::Code;
use tonic::codec::CompressionEncoding;
use tonic::transport::Channel;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Result<T, E = Error> = std::result::Result<T, E>;

const USAGE: &str = "usage: abuse COMMAND [--flag value]...; commands: payload, cert, deadline, \
stall-body, stall-handshake, connections, hold, health, diffs, mistakes (see the file's doc)";

#[tokio::main]
async fn main() {
    let mut argv = std::env::args().skip(1);
    let command = argv.next().unwrap_or_default();
    let result = match Flags::parse(argv) {
        Err(e) => Err(e),
        Ok(flags) => match command.as_str() {
            "payload" => payload(&flags),
            "cert" => cert(&flags),
            "deadline" => deadline(&flags).await,
            "stall-body" => stall_body(&flags).await,
            "stall-handshake" => stall_handshake(&flags).await,
            "connections" => connections(&flags).await,
            "hold" => hold(&flags).await,
            "health" => health(&flags).await,
            "diffs" => diffs(&flags).await,
            "mistakes" => mistakes(&flags).await,
            _ => Err(USAGE.into()),
        },
    };
    if let Err(e) = result {
        eprintln!("abuse {command}: {e}");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------
// Command line

/// `--name value` pairs.
struct Flags(HashMap<String, String>);

impl Flags {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self> {
        let mut flags = HashMap::new();
        while let Some(flag) = args.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("expected a --flag, got `{flag}`; {USAGE}"))?;
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            flags.insert(name.to_owned(), value);
        }
        Ok(Self(flags))
    }

    fn required(&self, name: &str) -> Result<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("--{name} is required").into())
    }

    fn optional(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn number<T: FromStr>(&self, name: &str, default: T) -> Result<T> {
        match self.0.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: bad number `{v}`").into()),
        }
    }

    fn duration(&self, name: &str, default: Duration) -> Result<Duration> {
        match self.0.get(name) {
            None => Ok(default),
            Some(v) => {
                textanalysis::config::parse_duration(v).map_err(|e| format!("--{name}: {e}").into())
            }
        }
    }

    fn addr(&self, name: &str) -> Result<SocketAddr> {
        let v = self.required(name)?;
        v.parse()
            .map_err(|_| format!("--{name}: `{v}` is not HOST:PORT").into())
    }

    fn metrics(&self) -> Result<Option<SocketAddr>> {
        match self.optional("metrics") {
            None => Ok(None),
            Some(_) => self.addr("metrics").map(Some),
        }
    }
}

// ---------------------------------------------------------------------------
// Output

/// One row of the report.
fn row(scenario: &str, sent: &str, outcome: &str, figures: &str) {
    println!("| {scenario} | {sent} | {outcome} | {figures} |");
}

/// `DEADLINE_EXCEEDED`, as the gRPC spec spells codes; `no status` when
/// the server sent none (a reset stream or a closed connection).
fn code_name(code: Option<Code>) -> String {
    let Some(code) = code else {
        return "no status".into();
    };
    let camel = format!("{code:?}");
    let mut name = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Answers grouped by status: `DEADLINE_EXCEEDED 18 (2.00–2.01 s)`, so a
/// row shows both how many got each code and when.
fn by_code(answers: &[Answer], time: fn(Duration) -> String) -> String {
    let mut groups: BTreeMap<String, (usize, Duration, Duration)> = BTreeMap::new();
    for a in answers {
        let g = groups
            .entry(code_name(a.code))
            .or_insert((0, Duration::MAX, Duration::ZERO));
        g.0 += 1;
        g.1 = g.1.min(a.at);
        g.2 = g.2.max(a.at);
    }
    let parts: Vec<String> = groups
        .into_iter()
        .map(|(code, (n, first, last))| {
            if n == 1 {
                format!("{code} 1 (at {})", time(first))
            } else {
                format!("{code} {n} ({}–{})", time(first), time(last))
            }
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

// ---------------------------------------------------------------------------
// Texts and gRPC frames

/// `path`'s text repeated (paragraphs apart) to at most `bytes` bytes, cut
/// at a space so that no word or character is cut in two.
fn text_of(path: &str, bytes: usize) -> Result<String> {
    let unit = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let unit = unit.trim();
    if unit.is_empty() {
        return Err(format!("{path} is empty").into());
    }
    let mut text = String::with_capacity(bytes + unit.len());
    while text.len() < bytes {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(unit);
    }
    if text.len() > bytes {
        let mut cut = bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = text[..cut].rfind(char::is_whitespace).unwrap_or(cut);
        text.truncate(cut);
    }
    Ok(text)
}

/// A gRPC message frame: compressed flag, big-endian length, message.
fn frame(compressed: bool, message: &[u8]) -> Bytes {
    let mut framed = Vec::with_capacity(5 + message.len());
    framed.push(u8::from(compressed));
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(message);
    framed.into()
}

fn summarize_frame(text: String) -> Bytes {
    frame(
        false,
        &SummarizeRequest {
            text,
            ..Default::default()
        }
        .encode_to_vec(),
    )
}

/// `abuse payload`: the body of one Summarize call (a gRPC frame of a
/// SummarizeRequest), for h2load's `-d`.
fn payload(flags: &Flags) -> Result<()> {
    let bytes = flags.number("bytes", 1 << 20)?;
    let text = text_of(flags.required("text")?, bytes)?;
    let out = flags.required("out")?;
    let len = text.len();
    let body = summarize_frame(text);
    std::fs::write(out, &body).map_err(|e| format!("cannot write {out}: {e}"))?;
    eprintln!(
        "abuse payload: {out}: a {} byte gRPC frame, {len} bytes of text",
        body.len()
    );
    Ok(())
}

/// `abuse cert`: a CA (`ca.pem`) and a certificate for `localhost` that it
/// signed (`cert.pem`, `key.pem`) in `--dir`, for the TLS scenarios; made
/// here with rcgen so that the script needs no `openssl`.
fn cert(flags: &Flags) -> Result<()> {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let dir = Path::new(flags.required("dir")?);
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate()?;
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])?.signed_by(&key, &issuer)?;
    std::fs::write(dir.join("ca.pem"), ca.pem())?;
    std::fs::write(dir.join("cert.pem"), leaf.pem())?;
    std::fs::write(dir.join("key.pem"), key.serialize_pem())?;
    Ok(())
}

// ---------------------------------------------------------------------------
// A raw HTTP/2 client

/// An HTTP/2 connection to `addr`, driven in the background. Its receive
/// windows are large, so that a big answer is not held up by our side.
async fn connect(addr: SocketAddr) -> Result<SendRequest<Bytes>> {
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let (send, connection) = h2::client::Builder::new()
        .initial_window_size(1 << 20)
        .initial_connection_window_size(16 << 20)
        .handshake(tcp)
        .await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(send)
}

/// The headers of a gRPC call to `path`, with `extra` ones.
fn grpc_request(path: &str, extra: &[(&str, &str)]) -> Result<Request<()>> {
    let mut request = Request::post(format!("http://localhost{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers");
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    Ok(request.body(())?)
}

const SUMMARIZE: &str = "/textanalysis.v1.TextAnalysisService/Summarize";
const COMPARE: &str = "/textanalysis.v1.TextAnalysisService/Compare";
const HEALTH: &str = "/grpc.health.v1.Health/Check";

/// The server's answer to one call.
#[derive(Debug, Default)]
struct Answer {
    /// `grpc-status`, from the headers (trailers-only) or the trailers;
    /// `None` when there was none (the stream was reset).
    code: Option<Code>,
    /// `grpc-message`, or what went wrong on the way.
    message: String,
    /// The `grpc-encoding` of the response.
    encoding: Option<String>,
    /// Bytes of response body (gRPC frames).
    body_bytes: usize,
    /// The compressed flag of the first response frame.
    compressed: Option<bool>,
    /// When the answer ended, from the start of the call or scenario.
    at: Duration,
}

/// Sends the headers of a call and `body` (with END_STREAM when `end`);
/// with `end` false the stream stays open for as long as the returned
/// sender is kept: a stalled upload.
async fn send_call(
    send: &SendRequest<Bytes>,
    request: Request<()>,
    body: Bytes,
    end: bool,
) -> Result<(ResponseFuture, SendStream<Bytes>)> {
    let mut send = send.clone().ready().await?;
    let (response, mut stream) = send.send_request(request, false)?;
    stream.send_data(body, end)?;
    Ok((response, stream))
}

/// Reads an answer to its end; `at` is measured from `since`.
async fn read_answer(response: ResponseFuture, since: Instant) -> Answer {
    let mut answer = match response.await {
        Ok(response) => {
            let (parts, body) = response.into_parts();
            read_body(&parts.headers, body).await
        }
        Err(e) => Answer {
            message: format!("stream error: {e}"),
            ..Default::default()
        },
    };
    answer.at = since.elapsed();
    answer
}

async fn read_body(headers: &HeaderMap, mut body: RecvStream) -> Answer {
    let mut answer = Answer {
        encoding: headers
            .get("grpc-encoding")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ..Default::default()
    };
    let status = if headers.contains_key("grpc-status") {
        tonic::Status::from_header_map(headers)
    } else {
        while let Some(data) = body.data().await {
            match data {
                Ok(data) => {
                    if answer.body_bytes == 0 && !data.is_empty() {
                        answer.compressed = Some(data[0] == 1);
                    }
                    answer.body_bytes += data.len();
                    let _ = body.flow_control().release_capacity(data.len());
                }
                Err(e) => {
                    answer.message = format!("stream error: {e}");
                    return answer;
                }
            }
        }
        match body.trailers().await {
            Ok(trailers) => trailers.and_then(|t| tonic::Status::from_header_map(&t)),
            Err(e) => {
                answer.message = format!("stream error: {e}");
                return answer;
            }
        }
    };
    if let Some(status) = status {
        answer.code = Some(status.code());
        answer.message = status.message().to_owned();
    }
    answer
}

/// One whole call: headers, `body`, END_STREAM, answer.
async fn call(send: &SendRequest<Bytes>, request: Request<()>, body: Bytes) -> Result<Answer> {
    let started = Instant::now();
    let (response, _stream) = send_call(send, request, body, true).await?;
    Ok(read_answer(response, started).await)
}

/// Whether the server closes `stream` within `limit` (a read that ends or
/// fails), and when.
async fn closed_within<S: AsyncRead + Unpin>(
    stream: &mut S,
    since: Instant,
    limit: Duration,
) -> Option<Duration> {
    let mut buf = [0u8; 1024];
    let closed = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return since.elapsed(),
                // The server's own HTTP/2 preface (SETTINGS) may come first.
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, closed).await.ok()
}

// ---------------------------------------------------------------------------
// Metrics

/// The server's metrics, read over a plain HTTP/1.1 request.
async fn scrape(addr: SocketAddr) -> Result<String> {
    let mut tcp = TcpStream::connect(addr).await?;
    tcp.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_string(&mut response))
        .await
        .map_err(|_| "the metrics endpoint did not answer in 5 s")??;
    let (_, body) = response
        .split_once("\r\n\r\n")
        .ok_or("the metrics endpoint sent no body")?;
    Ok(body.to_owned())
}

/// The sum of the samples of `name` whose labels contain every one of
/// `labels` (`grpc_code="Internal"`).
fn metric(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let bare = series.split('{').next()?;
            (bare == name && labels.iter().all(|want| series.contains(want)))
                .then(|| value.parse::<f64>().ok())
                .flatten()
        })
        // Not `sum`, which starts from -0.
        .fold(0.0, |sum, v| sum + v)
}

/// Calls to Summarize counted under each code (the `grpc_code` label).
fn summarize_codes(text: &str) -> BTreeMap<String, f64> {
    let prefix = "grpc_server_handled_total{";
    text.lines()
        .filter(|l| l.starts_with(prefix) && l.contains("grpc_method=\"Summarize\""))
        .filter_map(|l| {
            let code = l.split("grpc_code=\"").nth(1)?.split('"').next()?;
            let value = l.rsplit_once(' ')?.1.parse().ok()?;
            Some((code.to_owned(), value))
        })
        .collect()
}

/// What changed between two readings of [`summarize_codes`].
fn code_changes(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> String {
    let changes: Vec<String> = after
        .iter()
        .filter_map(|(code, n)| {
            let d = n - before.get(code).copied().unwrap_or(0.0);
            (d > 0.0).then(|| format!("{code} +{d}"))
        })
        .collect();
    if changes.is_empty() {
        "none".into()
    } else {
        changes.join(", ")
    }
}

// ---------------------------------------------------------------------------
// Scenarios

/// `abuse deadline`: 1 MiB Summarize calls, one after another, with a
/// deadline (`grpc-timeout`) far shorter than the analysis takes: each must
/// be answered DEADLINE_EXCEEDED by the server itself, a little before the
/// deadline, and not by the transport's generic CANCELLED or not at all.
async fn deadline(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let bytes = flags.number("bytes", 1 << 20)?;
    let calls: usize = flags.number("calls", 10)?;
    let timeout = flags.optional("timeout").unwrap_or("5m").to_owned();
    let body = summarize_frame(text_of(flags.required("text")?, bytes)?);
    let send = connect(addr).await?;
    let mut answers = Vec::new();
    for _ in 0..calls {
        let request = grpc_request(SUMMARIZE, &[("grpc-timeout", &timeout)])?;
        answers.push(call(&send, request, body.clone()).await?);
    }
    let slowest = answers.iter().map(|a| a.at).max().unwrap_or_default();
    row(
        "deadline",
        &format!(
            "{calls} Summarize calls of {} KiB, one at a time, `grpc-timeout: {timeout}`",
            bytes >> 10
        ),
        &by_code(&answers, millis),
        &format!("slowest answer {}", millis(slowest)),
    );
    Ok(())
}

/// `abuse stall-body`: streams that send their headers and the first 5
/// bytes of a frame that declares `--declared` bytes, then nothing. Those
/// admitted must be answered DEADLINE_EXCEEDED once the read timeout
/// passes; the rest RESOURCE_EXHAUSTED at once, their bodies never read.
async fn stall_body(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let streams: usize = flags.number("streams", 200)?;
    let declared: u32 = flags.number("declared", 4096)?;
    let per_connection: usize = flags.number("per-connection", 100)?;
    let limit = flags.duration("limit", Duration::from_secs(15))?;
    let metrics = flags.metrics()?;
    let refused_before = match metrics {
        Some(m) => metric(
            &scrape(m).await?,
            "textanalysis_analyses_refused_total",
            &[],
        ),
        None => 0.0,
    };

    let mut header = vec![0u8];
    header.extend_from_slice(&declared.to_be_bytes());
    let header = Bytes::from(header);
    let mut connections = Vec::new();
    for _ in 0..streams.div_ceil(per_connection.max(1)) {
        connections.push(connect(addr).await?);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..streams {
        let send = connections[i / per_connection.max(1)].clone();
        let header = header.clone();
        tasks.push(tokio::spawn(async move {
            let request = grpc_request(SUMMARIZE, &[])?;
            // The sender is kept, unfinished, until the answer comes.
            let (response, _stalled) = send_call(&send, request, header, false).await?;
            Ok::<_, Error>(tokio::time::timeout(limit, read_answer(response, started)).await)
        }));
    }
    let mut answers = Vec::new();
    let mut unanswered = 0;
    for task in tasks {
        match task.await?? {
            Ok(answer) => answers.push(answer),
            Err(_) => unanswered += 1,
        }
    }
    let last = answers.iter().map(|a| a.at).max().unwrap_or_default();
    let mut figures = format!("last answer at {}", secs(last));
    if unanswered > 0 {
        figures.push_str(&format!("; {unanswered} unanswered after {}", secs(limit)));
    }
    if let Some(m) = metrics {
        let refused = metric(
            &scrape(m).await?,
            "textanalysis_analyses_refused_total",
            &[],
        );
        figures.push_str(&format!(
            "; analyses_refused_total +{}",
            refused - refused_before
        ));
    }
    row(
        "stalled bodies",
        &format!(
            "{streams} Summarize streams on {} connections: headers and 5 bytes of a frame that declares {declared} bytes, then nothing",
            connections.len()
        ),
        &by_code(&answers, secs),
        &figures,
    );
    Ok(())
}

/// How a stalled connection stalls.
#[derive(Debug, Clone, Copy)]
enum Stall {
    /// Connects and sends nothing.
    Silent,
    /// Sends the first bytes of what the server waits for (the HTTP/2
    /// preface, or over TLS a ClientHello), then nothing.
    Partial,
    /// Finishes the TLS handshake, then sends no HTTP/2 preface.
    TlsNoPreface,
}

/// The first 10 bytes of the HTTP/2 preface (`PRI * HTTP/2.0...`).
const PREFACE_START: &[u8] = b"PRI * HTTP";
/// The first 10 bytes of a TLS handshake record that declares a 512-byte
/// ClientHello: a TLS server waits for the rest.
const CLIENT_HELLO_START: &[u8] = &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03];

/// One stalled connection: when the server closed it, counted from its
/// connect, or `None` if it was still open after `limit`.
async fn stall_one(
    addr: SocketAddr,
    stall: Stall,
    tls: Option<TlsConnector>,
    limit: Duration,
) -> Result<Option<Duration>> {
    let mut tcp = TcpStream::connect(addr).await?;
    let since = Instant::now();
    match (stall, tls) {
        (Stall::Silent, _) => Ok(closed_within(&mut tcp, since, limit).await),
        (Stall::Partial, tls) => {
            let start = if tls.is_some() {
                CLIENT_HELLO_START
            } else {
                PREFACE_START
            };
            tcp.write_all(start).await?;
            Ok(closed_within(&mut tcp, since, limit).await)
        }
        (Stall::TlsNoPreface, Some(tls)) => {
            let mut stream = tls.connect(ServerName::try_from("localhost")?, tcp).await?;
            Ok(closed_within(&mut stream, since, limit).await)
        }
        (Stall::TlsNoPreface, None) => Err("a TLS stall needs --ca".into()),
    }
}

/// A TLS client that trusts the CA in `ca` and offers HTTP/2.
fn tls_connector(ca: &str) -> Result<TlsConnector> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca)? {
        roots.add(cert?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// `abuse stall-handshake`: connections that never finish their handshake
/// (nothing sent, or the first 10 bytes of it; over TLS, with `--ca`, also
/// a finished TLS handshake and no HTTP/2 preface). Each must be closed by
/// the server once its handshake timeout passes.
async fn stall_handshake(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let limit = flags.duration("limit", Duration::from_secs(15))?;
    let tls = flags.optional("ca").map(tls_connector).transpose()?;
    let transport = if tls.is_some() { "TLS" } else { "plaintext" };
    let mut kinds = vec![
        (Stall::Silent, flags.number("silent", 100)?),
        (Stall::Partial, flags.number("partial", 100)?),
    ];
    if tls.is_some() {
        kinds.push((Stall::TlsNoPreface, flags.number("no-preface", 100)?));
    }
    let started = Instant::now();
    let mut groups = Vec::new();
    for (stall, n) in kinds {
        let tasks: Vec<_> = (0..n)
            .map(|_| tokio::spawn(stall_one(addr, stall, tls.clone(), limit)))
            .collect();
        groups.push((stall, n, tasks));
    }
    for (stall, n, tasks) in groups {
        let mut closed = Vec::new();
        for task in tasks {
            if let Some(at) = task.await?? {
                closed.push(at);
            }
        }
        let sent = match (stall, transport) {
            (Stall::Silent, _) => format!("{n} {transport} connections that send nothing"),
            (Stall::Partial, "TLS") => {
                format!("{n} TLS connections that send 10 bytes of a ClientHello")
            }
            (Stall::Partial, _) => {
                format!("{n} plaintext connections that send 10 bytes of the HTTP/2 preface")
            }
            (Stall::TlsNoPreface, _) => {
                format!("{n} connections that finish the TLS handshake, then send nothing")
            }
        };
        let figures = match (closed.iter().min(), closed.iter().max()) {
            (Some(first), Some(last)) => format!(
                "closed {}–{} after their connect; all done {} after the first connect",
                secs(*first),
                secs(*last),
                secs(started.elapsed())
            ),
            _ => format!("none closed within {}", secs(limit)),
        };
        row(
            &format!("stalled handshakes ({transport})"),
            &sent,
            &format!("closed by the server: {}/{n}", closed.len()),
            &figures,
        );
    }
    Ok(())
}

/// `abuse connections`: `--handshaked` HTTP/2 connections (handshake done,
/// so they hold their place), then `--extra` idle TCP connections beyond a
/// `--max-connections` of the former's number: each of those must be
/// closed at once, and the first ones must still serve.
async fn connections(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let handshaked: usize = flags.number("handshaked", 50)?;
    let extra: usize = flags.number("extra", 50)?;
    let at_once = flags.duration("at-once", Duration::from_secs(1))?;
    let metrics = flags.metrics()?;
    let refused_before = match metrics {
        Some(m) => metric(
            &scrape(m).await?,
            "textanalysis_connections_refused_total",
            &[],
        ),
        None => 0.0,
    };
    let mut held = Vec::new();
    for _ in 0..handshaked {
        held.push(connect(addr).await?);
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..extra)
        .map(|_| {
            tokio::spawn(async move {
                let mut tcp = TcpStream::connect(addr).await?;
                Ok::<_, Error>(closed_within(&mut tcp, started, at_once).await)
            })
        })
        .collect();
    let mut closed = Vec::new();
    for task in tasks {
        if let Some(at) = task.await?? {
            closed.push(at);
        }
    }
    // Do the connections that got in still serve?
    let mut serving = 0;
    for send in &held {
        let answer = call(send, grpc_request(HEALTH, &[])?, frame(false, &[])).await?;
        serving += usize::from(answer.code == Some(Code::Ok));
    }
    let mut figures = match closed.iter().max() {
        Some(last) => format!("last closed {} after the first connect", millis(*last)),
        None => "none closed".into(),
    };
    if let Some(m) = metrics {
        let refused = metric(
            &scrape(m).await?,
            "textanalysis_connections_refused_total",
            &[],
        );
        figures.push_str(&format!(
            "; connections_refused_total +{}",
            refused - refused_before
        ));
    }
    row(
        "connection limit",
        &format!("{handshaked} HTTP/2 connections, then {extra} more idle TCP connections"),
        &format!(
            "extra closed within {}: {}/{extra}; first {handshaked} still answer a health check: {serving}/{handshaked}",
            secs(at_once),
            closed.len()
        ),
        &figures,
    );
    Ok(())
}

/// `abuse hold`: `--connections` idle TCP connections held open for
/// `--seconds`, then closed: with the server's descriptors run out, what
/// the server does meanwhile is measured from outside (`scripts/abuse.sh`
/// reads its CPU time and log).
async fn hold(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let n: usize = flags.number("connections", 100)?;
    let seconds = flags.duration("seconds", Duration::from_secs(7))?;
    let mut open = Vec::new();
    let mut failed = 0;
    for _ in 0..n {
        match tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await {
            Ok(Ok(tcp)) => open.push(tcp),
            _ => failed += 1,
        }
    }
    tokio::time::sleep(seconds).await;
    // Which ones did the server close meanwhile?
    let mut closed = 0;
    for tcp in &mut open {
        let since = Instant::now();
        closed += usize::from(
            closed_within(tcp, since, Duration::from_millis(1))
                .await
                .is_some(),
        );
    }
    row(
        "out of descriptors",
        &format!("{n} idle TCP connections held {}", secs(seconds)),
        &format!(
            "connected {}/{n} (failed {failed}); closed by the server meanwhile: {closed}",
            open.len()
        ),
        "see the next row",
    );
    Ok(())
}

/// `abuse health`: one health check through tonic, with a 5 s limit; the
/// row is headed `--scenario`.
async fn health(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let started = Instant::now();
    let check = async {
        let channel = Channel::from_shared(format!("http://{addr}"))?
            .connect()
            .await?;
        let response = HealthClient::new(channel)
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
async fn diffs(flags: &Flags) -> Result<()> {
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

    let channel = Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
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

type CompareClient = TextAnalysisServiceClient<Channel>;

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

/// A broken request: what it is, its extra headers, its body.
type Mistake<'a> = (&'a str, &'a [(&'a str, &'a str)], Bytes);

/// `abuse mistakes`: what a broken client sends, one call each; all but
/// the reset must be answered INVALID_ARGUMENT (the client's mistake, not
/// the server's INTERNAL), and none may be counted as Internal or Unknown.
async fn mistakes(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let metrics = flags.metrics()?;
    let before = match metrics {
        Some(m) => summarize_codes(&scrape(m).await?),
        None => BTreeMap::new(),
    };
    let send = connect(addr).await?;
    let valid = SummarizeRequest {
        text: "A valid text. It has two sentences.".into(),
        ..Default::default()
    }
    .encode_to_vec();
    let cases: [Mistake; 7] = [
        (
            "invalid UTF-8 in `text`",
            &[],
            frame(false, &[0x0a, 0x03, 0xff, 0xfe, 0xfd]),
        ),
        (
            "a wrong wire type (`text` as a varint)",
            &[],
            frame(false, &[0x08, 0x01]),
        ),
        (
            "a truncated protobuf (its last 4 bytes cut, frame length to match)",
            &[],
            frame(false, &valid[..valid.len() - 4]),
        ),
        (
            "a truncated gRPC frame (declares the whole message, 7 bytes sent, then END_STREAM)",
            &[],
            frame(false, &valid).slice(..12),
        ),
        (
            "invalid gzip, `grpc-encoding: gzip`, compressed flag set",
            &[("grpc-encoding", "gzip")],
            frame(true, b"this is not gzip at all"),
        ),
        (
            "the compressed flag set without `grpc-encoding`",
            &[],
            frame(true, &valid),
        ),
        (
            "no message at all (END_STREAM after the headers)",
            &[],
            Bytes::new(),
        ),
    ];
    for (what, headers, body) in cases {
        let answer = call(&send, grpc_request(SUMMARIZE, headers)?, body).await?;
        row(
            "client mistake",
            what,
            &code_name(answer.code),
            &format!("\"{}\"", shorten(&answer.message, 140)),
        );
    }
    cancel_mid_upload(&send).await?;
    // The connection still serves.
    let answer = call(&send, grpc_request(SUMMARIZE, &[])?, frame(false, &valid)).await?;
    row(
        "client mistake",
        "then a valid Summarize on the same connection",
        &code_name(answer.code),
        &format!("in {}", millis(answer.at)),
    );
    if let Some(m) = metrics {
        // The reset is counted when the server notices it: wait a moment.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let text = scrape(m).await?;
        let internal = metric(
            &text,
            "grpc_server_handled_total",
            &["grpc_code=\"Internal\""],
        );
        let unknown = metric(
            &text,
            "grpc_server_handled_total",
            &["grpc_code=\"Unknown\""],
        );
        row(
            "client mistakes: metrics",
            "grpc_server_handled_total since the server started, all methods",
            &format!("Internal {internal}, Unknown {unknown}"),
            &format!(
                "Summarize during this scenario: {}",
                code_changes(&before, &summarize_codes(&text))
            ),
        );
    }
    Ok(())
}

/// A Summarize upload reset by the client (RST_STREAM CANCEL) after 20
/// bytes: the client hears nothing; the server should count it CANCELLED.
async fn cancel_mid_upload(send: &SendRequest<Bytes>) -> Result<()> {
    let started = Instant::now();
    let request = grpc_request(SUMMARIZE, &[])?;
    let (response, mut stream) =
        send_call(send, request, frame(false, &[0x0a; 100]).slice(..20), false).await?;
    tokio::time::sleep(Duration::from_millis(50)).await;
    stream.send_reset(h2::Reason::CANCEL);
    let answer = read_answer(response, started).await;
    let outcome = match answer.code {
        Some(_) => code_name(answer.code),
        None => "no answer (the stream is reset)".into(),
    };
    row(
        "client mistake",
        "RST_STREAM(CANCEL) after 20 bytes of the body",
        &outcome,
        "the server's count: see the metrics row",
    );
    Ok(())
}

/// `s` cut to at most `max` characters, on one line, with no `|` to break
/// the table.
fn shorten(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' => ' ',
            '|' => '/',
            c => c,
        })
        .collect();
    match one_line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}
