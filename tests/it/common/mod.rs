//! Starts the real server on an ephemeral port for a test, with a shutdown
//! the test controls, and connects real tonic clients to it.
#![allow(dead_code)] // each test file uses a different part

pub mod process;
pub mod raw;
pub mod semantic;

use std::net::SocketAddr;

use textanalysis::config::Limits;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::server::{self, ServeError, ServerConfig};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;

/// Size of a long analysis: large enough (about half a second or more in a
/// debug build) that deadlines of a fraction of it are tens of
/// milliseconds, well above the server's answer margin and timer jitter,
/// and that a test has time to observe the server while it runs.
pub const LONG_BYTES: usize = 6 << 20;

/// A long text of [`LONG_BYTES`] at most.
pub fn long_text() -> String {
    WIRE_STYLE.repeat(LONG_BYTES / WIRE_STYLE.len())
}

/// The default configuration, but accepting texts of [`LONG_BYTES`].
pub fn long_config() -> ServerConfig {
    ServerConfig {
        limits: Limits {
            max_text_bytes: LONG_BYTES,
            max_message_bytes: 2 * LONG_BYTES,
            max_document_sentences: 1_000_000,
            ..Limits::default()
        },
        ..ServerConfig::default()
    }
}

/// `config` but for the number of analyses in flight and waiting.
pub fn with_concurrency(
    config: ServerConfig,
    max_in_flight: usize,
    max_queued: usize,
) -> ServerConfig {
    ServerConfig {
        concurrency: textanalysis::config::Concurrency {
            max_in_flight: Some(max_in_flight),
            max_queued: Some(max_queued),
        },
        ..config
    }
}

/// A server running in the test's runtime.
pub struct TestServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<Result<(), ServeError>>>,
}

impl TestServer {
    /// Starts a server with the default configuration.
    pub async fn start() -> Self {
        Self::start_with(ServerConfig::default()).await
    }

    /// Starts a server with default settings but for the number of
    /// analyses in flight and waiting.
    pub async fn start_with_concurrency(max_in_flight: usize, max_queued: usize) -> Self {
        Self::start_with(with_concurrency(
            ServerConfig::default(),
            max_in_flight,
            max_queued,
        ))
        .await
    }

    /// Starts a server with `config` on 127.0.0.1:0.
    pub async fn start_with(config: ServerConfig) -> Self {
        Self::start_serving(config, None).await
    }

    /// Starts a server with `config` that also serves metrics, on another
    /// ephemeral port, whose address it returns.
    pub async fn start_with_metrics(config: ServerConfig) -> (Self, SocketAddr) {
        let metrics = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind an ephemeral port");
        let metrics_addr = metrics.local_addr().expect("local address");
        (
            Self::start_serving(config, Some(metrics)).await,
            metrics_addr,
        )
    }

    async fn start_serving(config: ServerConfig, metrics: Option<TcpListener>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind an ephemeral port");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(server::run_with_metrics(listener, metrics, config, async {
            let _ = rx.await;
        }));
        Self {
            addr,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    /// A channel to the server. Connecting succeeds as soon as the listener
    /// exists, which it does before `start` returns.
    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .expect("valid uri")
            .connect()
            .await
            .expect("connect to the test server")
    }

    /// A client of the analysis service.
    pub async fn client(&self) -> TextAnalysisServiceClient<Channel> {
        TextAnalysisServiceClient::new(self.channel().await)
    }

    /// Begins shutdown without waiting for it.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Shuts down and returns what the server returned.
    pub async fn stop(mut self) -> Result<(), ServeError> {
        self.begin_shutdown();
        self.handle
            .take()
            .expect("not stopped twice")
            .await
            .expect("server task did not panic")
    }
}

/// A news-style text written for these tests, with the traps of a
/// republished wire story: a headline without punctuation, a dateline, a
/// missing space after a full stop, abbreviations, quotes, a subhead line,
/// non-ASCII punctuation and comment-box lines.
pub const WIRE_STYLE: &str = "Ministers meet to discuss the drought in Freedonia

Freedonia (NWS): Ministers from six countries met in Geneva on Tuesday to discuss the drought in Freedonia, just across the sea from Europe.The drought has ruined harvests across the south since the spring.

The talks, under way since 0930 GMT, are chaired by the U.N. envoy Dr. Maria Okafor and Gen. Tomas Berg.

“We have a lot of work to do,” Okafor told reporters at the city’s old Hotel Bristol.

– ‘No water, no peace’ –

Aid agencies say 5,000 families have left their farms… and the number is still rising.

Officials said rainfall was 3.5% of the usual level, the lowest since records began.

Leave a comment
";

/// Invented labelled texts for training small models in tests: three
/// topics with distinct vocabularies, `per_label` examples each.
pub fn toy_examples(per_label: usize) -> Vec<textanalysis::classify::data::Example> {
    const TOPICS: [(&str, [&str; 6], [&str; 4]); 3] = [
        (
            "sport",
            [
                "striker",
                "goalkeeper",
                "referee",
                "league",
                "penalty",
                "stadium",
            ],
            ["scored", "saved", "won", "lost"],
        ),
        (
            "weather",
            ["rain", "storm", "forecast", "temperature", "wind", "snow"],
            ["fell", "rose", "swept", "cleared"],
        ),
        (
            "cooking",
            ["recipe", "oven", "flour", "garlic", "sauce", "butter"],
            ["baked", "stirred", "roasted", "simmered"],
        ),
    ];
    let mut examples = Vec::new();
    for (label, nouns, verbs) in TOPICS {
        for i in 0..per_label {
            let a = nouns[i % 6];
            let b = nouns[(i * 5 + 1) % 6];
            let v = verbs[i % 4];
            examples.push(textanalysis::classify::data::Example {
                text: format!(
                    "The {a} {v} near the {b} on day {i}. Everyone talked about the {b}."
                ),
                labels: vec![label.to_owned()],
            });
        }
    }
    examples
}

/// Trains a small model on [`toy_examples`] and writes it to `path`.
pub fn write_toy_model(path: &std::path::Path, name: &str) {
    use textanalysis::classify::train::{TrainOptions, train};
    let options = TrainOptions {
        name: name.to_owned(),
        version: "7".to_owned(),
        training_data: "invented test texts".to_owned(),
        holdout: 0.2,
        seed: 1,
        c: 1.0,
        ..TrainOptions::default()
    };
    let (model, _) =
        train(&toy_examples(30), None, &options, &mut |_| {}).expect("toy model trains");
    std::fs::write(path, model.to_bytes()).expect("write the toy model");
}

/// GETs `/metrics` with a plain HTTP/1.1 request.
pub async fn scrape(addr: std::net::SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connect to the metrics port");
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .expect("send");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("read the response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
}

/// The value on the metrics line that starts with `name ` (a metric
/// without labels).
pub fn metric(metrics: &str, name: &str) -> i64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{metrics}"))
}

/// The part of `text` at `offset` and `length`, counted in `unit` as a
/// response counts them: what a client in that language would slice.
pub fn slice(
    text: &str,
    unit: textanalysis::proto::v1::OffsetUnit,
    offset: u32,
    length: u32,
) -> String {
    use textanalysis::proto::v1::OffsetUnit;
    let (offset, length) = (offset as usize, length as usize);
    match unit {
        OffsetUnit::CodePoint => text.chars().skip(offset).take(length).collect(),
        OffsetUnit::Utf16CodeUnit => {
            let units: Vec<u16> = text.encode_utf16().collect();
            String::from_utf16(&units[offset..offset + length]).expect("a valid UTF-16 slice")
        }
        OffsetUnit::Unspecified | OffsetUnit::Utf8Byte => text[offset..offset + length].to_owned(),
    }
}
