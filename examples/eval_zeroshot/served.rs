//! The real gRPC server answering held-out texts as Classify requests, timed.

use super::*;

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
pub(super) struct Timed {
    pub(super) latencies: Vec<Duration>,
    /// The process's CPU time over all the requests: on a machine that
    /// other work keeps busy, wall-clock latency stretches and this much
    /// less.
    pub(super) cpu: Duration,
    pub(super) encoders: Vec<String>,
    /// The largest difference of a score from the in-process one.
    pub(super) largest_difference: f64,
}

impl Timed {
    pub(super) fn ms(&self, quantile: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let i = ((sorted.len() as f64 * quantile) as usize).min(sorted.len() - 1);
        sorted[i].as_secs_f64() * 1e3
    }

    pub(super) fn mean_ms(&self) -> f64 {
        self.latencies.iter().sum::<Duration>().as_secs_f64() * 1e3 / self.latencies.len() as f64
    }

    pub(super) fn cpu_ms(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e3 / self.latencies.len() as f64
    }
}

/// Sends each row as a Classify request against `topics`, one at a time,
/// and compares the scores with `expected`'s.
pub(super) async fn timed(
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
pub(super) async fn start(
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
    tokio::spawn(textanalysis::server::run(listener, config, async {
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
