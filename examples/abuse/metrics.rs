//! The server's Prometheus endpoint, read before and after a scenario: a
//! counter's sum, Summarize calls by code, and what changed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Result;

/// The server's metrics, read over a plain HTTP/1.1 request.
pub async fn scrape(addr: SocketAddr) -> Result<String> {
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

/// The samples of a scrape: each series (name and labels) and its value;
/// comments and lines without a number are left out.
fn samples(text: &str) -> impl Iterator<Item = (&str, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series, value.parse().ok()?))
        })
}

/// The sum of the samples of `name` whose labels contain every one of
/// `labels` (`grpc_code="Internal"`).
pub fn metric(text: &str, name: &str, labels: &[&str]) -> f64 {
    samples(text)
        .filter(|(series, _)| {
            series.split('{').next() == Some(name)
                && labels.iter().all(|want| series.contains(want))
        })
        // Not `sum`, which starts from -0.
        .fold(0.0, |sum, (_, v)| sum + v)
}

/// Calls to Summarize counted under each code (the `grpc_code` label).
pub fn summarize_codes(text: &str) -> BTreeMap<String, f64> {
    samples(text)
        .filter(|(series, _)| {
            series.starts_with("grpc_server_handled_total{")
                && series.contains("grpc_method=\"Summarize\"")
        })
        .filter_map(|(series, value)| {
            let code = series.split("grpc_code=\"").nth(1)?.split('"').next()?;
            Some((code.to_owned(), value))
        })
        .collect()
}

/// What changed between two readings of [`summarize_codes`].
pub fn code_changes(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> String {
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

/// A counter of the server's, read when a scenario starts so that its
/// increase can be told when it ends; nothing is read without an endpoint.
pub struct Increase {
    metrics: Option<SocketAddr>,
    name: &'static str,
    before: f64,
}

impl Increase {
    /// `name`'s value now, from the endpoint at `metrics` if there is one.
    pub async fn from_now(metrics: Option<SocketAddr>, name: &'static str) -> Result<Self> {
        let before = match metrics {
            Some(m) => metric(&scrape(m).await?, name, &[]),
            None => 0.0,
        };
        Ok(Self {
            metrics,
            name,
            before,
        })
    }

    /// `; analyses_refused_total +238`: the increase so far, for a row's
    /// figures (the name without its `textanalysis_` prefix); empty
    /// without an endpoint.
    pub async fn figure(&self) -> Result<String> {
        let Some(m) = self.metrics else {
            return Ok(String::new());
        };
        let now = metric(&scrape(m).await?, self.name, &[]);
        let short = self.name.strip_prefix("textanalysis_").unwrap_or(self.name);
        Ok(format!("; {short} +{}", now - self.before))
    }
}
