//! How callers are told apart and shared among (see `service::admission`'s
//! `fair` module and `server`'s `caller` module).

use clap::Args;
use tonic::codegen::http::HeaderName;

use crate::metrics::DEFAULT_CALLER_LABELS;

/// Callers' identities, weights, limits and metrics.
#[derive(Debug, Clone, Args, PartialEq, Eq)]
pub struct Callers {
    /// A header that names the caller when the server does not terminate
    /// mTLS itself, set by a mesh's sidecar after its own mTLS handshake
    /// (`l5d-client-id` for Linkerd). Repeatable; the first present wins.
    /// Only these are read: configure one only when every call reaches the
    /// server through a proxy that sets or removes it.
    #[arg(long, env = "TEXTANALYSIS_CALLER_HEADERS", value_delimiter = ',', value_parser = parse_header_name)]
    pub caller_header: Vec<HeaderName>,

    /// `NAME=WEIGHT`: the caller's weight (1 to 1000, default 1) in turns
    /// and in its share of the slots when they run out. Repeatable.
    #[arg(long, env = "TEXTANALYSIS_CALLER_WEIGHTS", value_delimiter = ',', value_parser = parse_weight)]
    pub caller_weight: Vec<(String, u32)>,

    /// `NAME=N`: most admission slots the caller may hold; beyond them it
    /// is refused even when slots are free. Repeatable.
    #[arg(long, env = "TEXTANALYSIS_CALLER_MAX_SLOTS", value_delimiter = ',', value_parser = parse_max_slots)]
    pub caller_max_slots: Vec<(String, usize)>,

    /// Callers counted under their own name in the metrics: the first ones
    /// seen; later ones are counted as `other`.
    #[arg(long, env = "TEXTANALYSIS_CALLER_METRICS", default_value_t = DEFAULT_CALLER_LABELS)]
    pub caller_metrics: usize,
}

impl Default for Callers {
    fn default() -> Self {
        Self {
            caller_header: Vec::new(),
            caller_weight: Vec::new(),
            caller_max_slots: Vec::new(),
            caller_metrics: DEFAULT_CALLER_LABELS,
        }
    }
}

/// A header name, as HTTP/2 sends it (lower case).
pub fn parse_header_name(s: &str) -> Result<HeaderName, String> {
    HeaderName::from_bytes(s.trim().to_ascii_lowercase().as_bytes())
        .map_err(|_| format!("`{s}` is not a header name"))
}

fn name_and_number<T: std::str::FromStr>(s: &str, what: &str) -> Result<(String, T), String> {
    match s.rsplit_once('=') {
        Some((name, n)) if !name.trim().is_empty() => n
            .trim()
            .parse()
            .map(|n| (name.trim().to_owned(), n))
            .map_err(|_| format!("`{s}`: `{}` is not {what}", n.trim())),
        _ => Err(format!("`{s}` is not NAME={}", what.to_uppercase())),
    }
}

/// Parses `NAME=WEIGHT`, WEIGHT from 1 to 1000.
pub fn parse_weight(s: &str) -> Result<(String, u32), String> {
    let (name, weight) = name_and_number::<u32>(s, "a weight")?;
    if !(1..=crate::service::CallerPolicy::MAX_WEIGHT).contains(&weight) {
        return Err(format!("`{s}`: a weight is from 1 to 1000"));
    }
    Ok((name, weight))
}

/// Parses `NAME=N`.
pub fn parse_max_slots(s: &str) -> Result<(String, usize), String> {
    name_and_number(s, "a number")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cli;
    use clap::Parser;

    #[test]
    fn caller_flags_parse() {
        let args = Cli::parse_from([
            "textanalysis",
            "--caller-header",
            "L5d-Client-Id",
            "--caller-header",
            "x-caller",
            "--caller-weight",
            "spiffe://td/ns/a/sa/web=3",
            "--caller-max-slots",
            "batch=2",
        ])
        .into_serve_args()
        .unwrap();
        let callers = args.callers;
        assert_eq!(callers.caller_header, ["l5d-client-id", "x-caller"]);
        assert_eq!(
            callers.caller_weight,
            [("spiffe://td/ns/a/sa/web".into(), 3)]
        );
        assert_eq!(callers.caller_max_slots, [("batch".into(), 2)]);
        assert_eq!(callers.caller_metrics, DEFAULT_CALLER_LABELS);
        assert!(parse_weight("web=0").is_err());
        assert!(parse_weight("web=1001").is_err());
        assert!(parse_weight("=2").is_err());
        assert!(parse_max_slots("batch").is_err());
        assert!(parse_header_name("bad header").is_err());
    }
}
