//! Distributed tracing's settings: where spans go, and how many of them.

use clap::Args;

/// Finished spans that may wait for export: a few seconds of a busy
/// replica's calls, a few megabytes at most.
pub const DEFAULT_TRACE_QUEUE: usize = 4096;

/// The tracing settings.
#[derive(Debug, Clone, Args, PartialEq)]
pub struct TracingArgs {
    /// OTLP/gRPC endpoint of a trace collector, e.g.
    /// `http://otel-collector:4317`. Unset: no spans are exported (log
    /// lines still carry the callers' trace ids).
    #[arg(long, env = "TEXTANALYSIS_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,

    /// Share of the traces that start here (calls with no caller's trace
    /// context) that are recorded, 0 to 1. A caller's own decision, from
    /// its `traceparent` or B3 headers, is always followed.
    #[arg(long, env = "TEXTANALYSIS_TRACE_SAMPLE_RATIO", default_value_t = 1.0, value_parser = parse_ratio)]
    pub trace_sample_ratio: f64,

    /// Most finished spans waiting for export. A collector that is down or
    /// slow never slows a call: beyond this, spans are dropped and counted
    /// (textanalysis_trace_spans_dropped_total).
    #[arg(long, env = "TEXTANALYSIS_TRACE_QUEUE", default_value_t = DEFAULT_TRACE_QUEUE, value_parser = parse_queue)]
    pub trace_queue: usize,
}

impl Default for TracingArgs {
    fn default() -> Self {
        Self {
            otlp_endpoint: None,
            trace_sample_ratio: 1.0,
            trace_queue: DEFAULT_TRACE_QUEUE,
        }
    }
}

fn parse_queue(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("`{s}` is not a positive number of spans")),
    }
}

fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("`{s}` is not a ratio between 0 and 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_is_between_zero_and_one() {
        assert_eq!(parse_ratio("0.25"), Ok(0.25));
        assert_eq!(parse_ratio("1"), Ok(1.0));
        assert!(parse_ratio("1.5").is_err());
        assert!(parse_ratio("-0.1").is_err());
        assert!(parse_ratio("NaN").is_err());
    }
}
