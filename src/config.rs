//! Command line and environment configuration.
//!
//! Every setting is a flag with an environment variable of the same name
//! (`--max-text-bytes` / `TEXTANALYSIS_MAX_TEXT_BYTES`), so that the same
//! binary runs by hand and from a Kubernetes ConfigMap. Defaults protect the
//! service: they are what a replica can take without tuning.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gRPC server (the default).
    Serve(ServeArgs),
}

impl Cli {
    /// The server settings, whichever form was used.
    pub fn into_serve_args(self) -> ServeArgs {
        match self.command {
            Some(Command::Serve(args)) => args,
            None => self.serve,
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
    /// Address to listen on.
    #[arg(long, env = "TEXTANALYSIS_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,

    /// Log format.
    #[arg(long, env = "TEXTANALYSIS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter in `RUST_LOG` syntax (`info`, `textanalysis=debug`); the
    /// `RUST_LOG` variable is read when this is not given.
    #[arg(long, env = "TEXTANALYSIS_LOG")]
    pub log: Option<String>,

    #[command(flatten)]
    pub limits: Limits,

    /// Longest wait, after SIGTERM or SIGINT, for in-flight requests to
    /// finish before the process exits anyway (e.g. `30s`, `500ms`). Keep it
    /// below Kubernetes' terminationGracePeriodSeconds.
    #[arg(long, env = "TEXTANALYSIS_SHUTDOWN_GRACE", default_value = "25s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,
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

    /// Largest gRPC message accepted, in bytes; larger messages are refused
    /// with RESOURCE_EXHAUSTED before they are decoded. Must leave room for
    /// the text limit (Compare carries two texts).
    #[arg(long, env = "TEXTANALYSIS_MAX_MESSAGE_BYTES", default_value_t = 4 << 20)]
    pub max_message_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_text_bytes: 1 << 20,
            max_document_sentences: 50_000,
            max_summary_sentences: 1_000,
            max_message_bytes: 4 << 20,
        }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            log_format: LogFormat::Text,
            log: None,
            limits: Limits::default(),
            shutdown_grace: Duration::from_secs(25),
        }
    }
}

/// Parses `250ms`, `30s`, `2m` or a bare number of seconds.
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
        let bare = Cli::parse_from(["textanalysis", "--listen", "0.0.0.0:9000"]).into_serve_args();
        let serve = Cli::parse_from(["textanalysis", "serve", "--listen", "0.0.0.0:9000"])
            .into_serve_args();
        assert_eq!(bare.listen, serve.listen);
        assert_eq!(bare.listen.port(), 9000);
    }

    #[test]
    fn defaults_match_the_readme() {
        let args = Cli::parse_from(["textanalysis"]).into_serve_args();
        assert_eq!(args.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(args.limits, Limits::default());
        assert_eq!(args.limits.max_text_bytes, 1_048_576);
        assert_eq!(args.shutdown_grace, Duration::from_secs(25));
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
