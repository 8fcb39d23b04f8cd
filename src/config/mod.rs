//! Command line and environment configuration.
//!
//! Every setting is a flag with an environment variable of the same name
//! (`--max-text-bytes` / `TEXTANALYSIS_MAX_TEXT_BYTES`), so that the same
//! binary runs by hand and from a Kubernetes ConfigMap. Defaults protect the
//! service: they are what a replica can take without tuning.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::text::Language;

mod callers;
mod encoder;
mod tools;
mod trace;

pub use callers::Callers;
pub use encoder::{DEFAULT_MODEL_DIR, EncoderArgs, ModelChoice};
pub use tools::{DistillStaticArgs, EvalClassifyArgs, EvalCommand, TrainArgs};
pub use trace::{DEFAULT_TRACE_QUEUE, TracingArgs};

/// Default address: loopback only, so a first run exposes nothing.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:50051";

/// The `textanalysis` command line.
#[derive(Debug, Parser)]
#[command(
    name = "textanalysis",
    version,
    about = "gRPC text-analysis service: extractive summaries, topic scores, document comparison",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do; without a subcommand the server runs (as `serve`).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Server settings for the bare `textanalysis` form.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
// Parsed once at start-up: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gRPC server (the default).
    Serve(ServeArgs),
    /// Train a classification model from labelled examples.
    Train(TrainArgs),
    /// Measure a model on labelled data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Distil the sentence encoder into a static token table
    /// (static.safetensors in its directory), which Embed uses when asked
    /// for EMBEDDING_MODEL_STATIC.
    DistillStatic(DistillStaticArgs),
}

impl Cli {
    /// The command to run: bare `textanalysis` is `serve`.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }

    /// The server settings, when the command is `serve`.
    pub fn into_serve_args(self) -> Option<ServeArgs> {
        match self.into_command() {
            Command::Serve(args) => Some(args),
            _ => None,
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Settings of `textanalysis serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on: IP:PORT or HOST:PORT (`localhost:50051`).
    #[arg(long, env = "TEXTANALYSIS_LISTEN", default_value = DEFAULT_LISTEN, value_parser = parse_socket_addr)]
    pub listen: SocketAddr,

    /// Address to serve Prometheus metrics on, at `/metrics` (e.g.
    /// `0.0.0.0:9090`); none are served when unset.
    #[arg(long, env = "TEXTANALYSIS_METRICS_LISTEN", value_parser = parse_socket_addr)]
    pub metrics_listen: Option<SocketAddr>,

    /// PEM certificate chain to serve TLS with (with `--tls-key`);
    /// plaintext when unset, for meshes whose sidecars terminate mTLS.
    #[arg(long, env = "TEXTANALYSIS_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of `--tls-cert`.
    #[arg(long, env = "TEXTANALYSIS_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// PEM certificates of the CAs whose client certificates are accepted:
    /// mutual TLS, every client must present a certificate they signed.
    #[arg(long, env = "TEXTANALYSIS_TLS_CLIENT_CA", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,

    /// Log format.
    #[arg(long, env = "TEXTANALYSIS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter in `RUST_LOG` syntax (`info`, `textanalysis=debug`); the
    /// `RUST_LOG` variable is read when this is not given.
    #[arg(long, env = "TEXTANALYSIS_LOG")]
    pub log: Option<String>,

    #[command(flatten)]
    pub limits: Limits,

    #[command(flatten)]
    pub concurrency: Concurrency,

    #[command(flatten)]
    pub callers: Callers,

    #[command(flatten)]
    pub connections: Connections,

    #[command(flatten)]
    pub encoder: EncoderArgs,

    #[command(flatten)]
    pub tracing: TracingArgs,

    /// Directory of models to load, each `NAME.tam` as model NAME (a
    /// ConfigMap or volume in Kubernetes). Reloaded on SIGHUP.
    #[arg(long, env = "TEXTANALYSIS_MODELS_DIR")]
    pub models_dir: Option<PathBuf>,

    /// A model to load, as NAME=PATH; repeatable (comma-separated in the
    /// environment). Reloaded on SIGHUP.
    #[arg(long = "model", env = "TEXTANALYSIS_MODELS", value_delimiter = ',', value_parser = parse_model_arg)]
    pub models: Vec<(String, PathBuf)>,

    /// ISO 639-1 code of the language of texts whose language detection is
    /// unsure (short texts with few clues) and whose request names none;
    /// responses report it as LANGUAGE_SOURCE_DEFAULT.
    #[arg(long, env = "TEXTANALYSIS_DEFAULT_LANGUAGE", default_value = "en", value_parser = parse_language)]
    pub default_language: Language,

    /// Model used when a request names none; the built-in `news` when unset.
    #[arg(long, env = "TEXTANALYSIS_DEFAULT_MODEL")]
    pub default_model: Option<String>,

    /// Longest wait, after SIGTERM or SIGINT, for in-flight requests to
    /// finish before the process exits anyway (e.g. `30s`, `500ms`). Keep it
    /// below Kubernetes' terminationGracePeriodSeconds.
    #[arg(long, env = "TEXTANALYSIS_SHUTDOWN_GRACE", default_value = "25s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,

    /// Longest time a request may take, waiting included, when its client
    /// sets no shorter deadline (`grpc-timeout`); past it the analysis is
    /// stopped and the request ends with DEADLINE_EXCEEDED.
    #[arg(long, env = "TEXTANALYSIS_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
}

/// Request limits. A request over one of them is refused with a status that
/// names the field, never analysed in part.
#[derive(Debug, Clone, Copy, Args, PartialEq, Eq)]
pub struct Limits {
    /// Largest text accepted in a text field, in UTF-8 bytes.
    #[arg(long, env = "TEXTANALYSIS_MAX_TEXT_BYTES", default_value_t = 1 << 20)]
    pub max_text_bytes: usize,

    /// Most sentences a document may have.
    #[arg(
        long,
        env = "TEXTANALYSIS_MAX_DOCUMENT_SENTENCES",
        default_value_t = 50_000
    )]
    pub max_document_sentences: usize,

    /// Largest `max_sentences` a Summarize request may ask for.
    #[arg(
        long,
        env = "TEXTANALYSIS_MAX_SUMMARY_SENTENCES",
        default_value_t = 1_000
    )]
    pub max_summary_sentences: usize,

    /// Most ad-hoc topics in one Classify request.
    #[arg(long, env = "TEXTANALYSIS_MAX_TOPICS", default_value_t = 64)]
    pub max_topics: usize,

    /// Largest `max_keyphrases` a Summarize request may ask for.
    #[arg(long, env = "TEXTANALYSIS_MAX_KEYPHRASES", default_value_t = 50)]
    pub max_keyphrases: usize,

    /// Largest Summarize `query`, in UTF-8 bytes.
    #[arg(long, env = "TEXTANALYSIS_MAX_QUERY_BYTES", default_value_t = 1024)]
    pub max_query_bytes: usize,

    /// Largest gRPC message accepted, in bytes; larger messages are refused
    /// with RESOURCE_EXHAUSTED before they are decoded. Must leave room for
    /// the text limit (Compare carries two texts).
    #[arg(long, env = "TEXTANALYSIS_MAX_MESSAGE_BYTES", default_value_t = 4 << 20)]
    pub max_message_bytes: usize,

    /// Largest answer, in bytes, that is compressed when the client accepts
    /// compression; larger ones are sent as they are. Compression runs on
    /// the async threads that also answer health checks, at some 30 MB/s
    /// for gzip.
    #[arg(
        long,
        env = "TEXTANALYSIS_MAX_COMPRESSED_RESPONSE_BYTES",
        default_value_t = 256 << 10
    )]
    pub max_compressed_response_bytes: usize,

    /// Largest text the sentence encoder reads, in UTF-8 bytes: an Embed or
    /// semantic Summarize text over it is refused; Compare and Classify
    /// score a text over it by its words alone. The encoder takes
    /// about a second of a core per 4.7 KB news story, so 256 KiB is a minute.
    #[arg(
        long,
        env = "TEXTANALYSIS_MAX_SEMANTIC_TEXT_BYTES",
        default_value_t = 256 << 10
    )]
    pub max_semantic_text_bytes: usize,

    /// Most AnalyzeStream calls open at once; more are refused with
    /// RESOURCE_EXHAUSTED. Each holds its items in flight and its dedup
    /// window, so this bounds the memory streams take together.
    #[arg(long, env = "TEXTANALYSIS_MAX_STREAMS", default_value_t = 4)]
    pub max_streams: usize,

    /// Most items of one AnalyzeStream read and not yet answered; the
    /// server reads no further until an answer is taken, so HTTP/2 flow
    /// control slows a client that sends faster than it reads.
    #[arg(long, env = "TEXTANALYSIS_STREAM_IN_FLIGHT", default_value_t = 8)]
    pub stream_in_flight: usize,

    /// Most items of one AnalyzeStream remembered for dedup: the last ones
    /// sent with `dedup`. At most 4 KiB each (`dedup::approx_bytes_per_item`),
    /// so 40 MB for a full window of 10,000.
    #[arg(long, env = "TEXTANALYSIS_DEDUP_WINDOW", default_value_t = 10_000)]
    pub dedup_window: usize,
}

/// How many analyses run at once and how many may wait for a turn (see
/// `service::admission`).
#[derive(Debug, Clone, Copy, Args, PartialEq, Eq, Default)]
pub struct Concurrency {
    /// Most analyses running at once [default: the number of cores].
    #[arg(long, env = "TEXTANALYSIS_MAX_IN_FLIGHT")]
    pub max_in_flight: Option<usize>,

    /// Most analyses waiting for a turn; beyond them requests are refused
    /// at once with RESOURCE_EXHAUSTED [default: 8 per analysis in flight].
    #[arg(long, env = "TEXTANALYSIS_MAX_QUEUED")]
    pub max_queued: Option<usize>,
}

/// Connection settings: how many connections may be open, how long a
/// connection may live, how many calls it may carry at once, how idle ones
/// are checked, and how long slow clients may take.
#[derive(Debug, Clone, Copy, Args, PartialEq, Eq)]
pub struct Connections {
    /// Most connections open at once; more are closed as soon as they are
    /// accepted.
    #[arg(long, env = "TEXTANALYSIS_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Longest time a new connection may take to finish its TLS handshake
    /// and send the HTTP/2 connection preface; it is closed past it.
    #[arg(long, env = "TEXTANALYSIS_HANDSHAKE_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub handshake_timeout: Duration,

    /// Longest time from a call's headers to the end of its request body;
    /// past it the call ends with DEADLINE_EXCEEDED.
    #[arg(long, env = "TEXTANALYSIS_REQUEST_READ_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub request_read_timeout: Duration,

    /// Most concurrent calls (HTTP/2 streams) on one connection.
    #[arg(
        long,
        env = "TEXTANALYSIS_MAX_CONCURRENT_STREAMS",
        default_value_t = 128
    )]
    pub max_concurrent_streams: u32,

    /// Age after which a connection is asked to go away (GOAWAY) once its
    /// calls finish, so that clients reconnect and load spreads over new
    /// replicas (L4 load balancing pins a connection to one pod).
    #[arg(long, env = "TEXTANALYSIS_MAX_CONNECTION_AGE", default_value = "5m", value_parser = parse_duration)]
    pub max_connection_age: Duration,

    /// How long calls on an aged connection may still take before it is
    /// closed.
    #[arg(long, env = "TEXTANALYSIS_MAX_CONNECTION_AGE_GRACE", default_value = "30s", value_parser = parse_duration)]
    pub max_connection_age_grace: Duration,

    /// Interval of the server's HTTP/2 keepalive pings.
    #[arg(long, env = "TEXTANALYSIS_KEEPALIVE_INTERVAL", default_value = "60s", value_parser = parse_duration)]
    pub keepalive_interval: Duration,

    /// How long a keepalive ping may go unanswered before the connection
    /// is closed.
    #[arg(long, env = "TEXTANALYSIS_KEEPALIVE_TIMEOUT", default_value = "20s", value_parser = parse_duration)]
    pub keepalive_timeout: Duration,
}

impl Default for Connections {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            handshake_timeout: Duration::from_secs(10),
            request_read_timeout: Duration::from_secs(10),
            max_concurrent_streams: 128,
            max_connection_age: Duration::from_secs(300),
            max_connection_age_grace: Duration::from_secs(30),
            keepalive_interval: Duration::from_secs(60),
            keepalive_timeout: Duration::from_secs(20),
        }
    }
}

/// Waiting analyses allowed per running one when `--max-queued` is unset:
/// a news-sized analysis takes about a millisecond, so a full queue costs a
/// newcomer some 10 ms of waiting, not seconds.
pub const QUEUED_PER_IN_FLIGHT: usize = 8;

impl Concurrency {
    /// The limit on running analyses, at least 1.
    pub fn in_flight(&self) -> usize {
        self.max_in_flight
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .max(1)
    }

    /// The limit on waiting analyses.
    pub fn queued(&self) -> usize {
        self.max_queued
            .unwrap_or(QUEUED_PER_IN_FLIGHT * self.in_flight())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_text_bytes: 1 << 20,
            max_document_sentences: 50_000,
            max_summary_sentences: 1_000,
            max_topics: 64,
            max_keyphrases: 50,
            max_query_bytes: 1024,
            max_message_bytes: 4 << 20,
            max_compressed_response_bytes: 256 << 10,
            max_semantic_text_bytes: 256 << 10,
            max_streams: 4,
            stream_in_flight: 8,
            dedup_window: 10_000,
        }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            metrics_listen: None,
            tls_cert: None,
            tls_key: None,
            tls_client_ca: None,
            log_format: LogFormat::Text,
            log: None,
            limits: Limits::default(),
            concurrency: Concurrency::default(),
            callers: Callers::default(),
            connections: Connections::default(),
            encoder: EncoderArgs::default(),
            tracing: TracingArgs::default(),
            models_dir: None,
            models: Vec::new(),
            default_language: Language::english(),
            default_model: None,
            shutdown_grace: Duration::from_secs(25),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Parses `NAME=PATH`.
pub fn parse_model_arg(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, path)) if !name.trim().is_empty() && !path.trim().is_empty() => {
            Ok((name.trim().to_owned(), PathBuf::from(path.trim())))
        }
        _ => Err(format!("`{s}` is not NAME=PATH")),
    }
}

/// Parses `IP:PORT` or `HOST:PORT`; a host name is resolved once, at
/// start-up, and its first address taken.
pub fn parse_socket_addr(s: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(addr) = s.parse() {
        return Ok(addr);
    }
    s.to_socket_addrs()
        .map_err(|e| {
            format!("`{s}` is not an address like 127.0.0.1:50051 or localhost:50051: {e}")
        })?
        .next()
        .ok_or_else(|| format!("`{s}` resolves to no address"))
}

/// Parses `250ms`, `30s`, `2m` or a bare number of seconds.
/// A supported ISO 639-1 code, for `--default-language`.
pub fn parse_language(s: &str) -> Result<Language, String> {
    Language::from_code(s).ok_or_else(|| {
        format!(
            "`{s}` is not a supported ISO 639-1 code; supported: {}",
            crate::text::language::supported_codes().join(", ")
        )
    })
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else {
        (s, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like 500ms, 30s or 2m"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("`{s}` is not a non-negative duration"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_and_serve_forms_agree() {
        let bare = Cli::parse_from(["textanalysis", "--listen", "0.0.0.0:9000"])
            .into_serve_args()
            .unwrap();
        let serve = Cli::parse_from(["textanalysis", "serve", "--listen", "0.0.0.0:9000"])
            .into_serve_args()
            .unwrap();
        assert_eq!(bare.listen, serve.listen);
        assert_eq!(bare.listen.port(), 9000);
    }

    #[test]
    fn defaults_match_the_readme() {
        let args = Cli::parse_from(["textanalysis"]).into_serve_args().unwrap();
        assert_eq!(args.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(args.limits, Limits::default());
        assert_eq!(args.limits.max_text_bytes, 1_048_576);
        assert_eq!(args.shutdown_grace, Duration::from_secs(25));
        assert_eq!(args.connections, Connections::default());
    }

    #[test]
    fn models_parse_from_flags() {
        let args = Cli::parse_from([
            "textanalysis",
            "serve",
            "--model",
            "legal=/m/legal.tam",
            "--model",
            "hr = /m/hr.tam",
            "--default-model",
            "legal",
        ])
        .into_serve_args()
        .unwrap();
        assert_eq!(
            args.models,
            [
                ("legal".to_owned(), PathBuf::from("/m/legal.tam")),
                ("hr".to_owned(), PathBuf::from("/m/hr.tam")),
            ]
        );
        assert_eq!(args.default_model.as_deref(), Some("legal"));
        assert!(parse_model_arg("noequals").is_err());
        assert!(parse_model_arg("=x").is_err());
    }

    #[test]
    fn train_and_eval_parse() {
        let cli = Cli::parse_from([
            "textanalysis",
            "train",
            "--input",
            "d.jsonl",
            "--out",
            "m.tam",
        ]);
        let Some(Command::Train(train)) = cli.command else {
            panic!("train parsed as {cli:?}");
        };
        assert_eq!(train.holdout, 0.1);
        let cli = Cli::parse_from([
            "textanalysis",
            "eval",
            "classify",
            "--model",
            "news",
            "--data",
            "d.csv",
        ]);
        assert!(matches!(
            cli.command,
            Some(Command::Eval(EvalCommand::Classify(_)))
        ));
    }

    #[test]
    fn addresses_parse_with_ip_or_host_name() {
        assert_eq!(
            parse_socket_addr("127.0.0.1:50051"),
            Ok(SocketAddr::from(([127, 0, 0, 1], 50051)))
        );
        let local = parse_socket_addr("localhost:50051").expect("localhost resolves");
        assert!(local.ip().is_loopback() && local.port() == 50051, "{local}");
        assert!(parse_socket_addr("localhost").is_err(), "a port is needed");
        assert!(parse_socket_addr("nonsense:port").is_err());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
