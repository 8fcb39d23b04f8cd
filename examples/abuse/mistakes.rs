//! A broken client's mistakes over raw HTTP/2 (`abuse mistakes`): messages
//! that do not decode, truncated frames, bad compression, a reset upload;
//! and what the server's metrics made of them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::client::SendRequest;
use prost::Message;
use textanalysis::proto::v1::SummarizeRequest;

use crate::Result;
use crate::cli::Flags;
use crate::metrics::{code_changes, metric, scrape, summarize_codes};
use crate::payload::frame;
use crate::report::{code_name, millis, row, shorten};
use crate::wire::{SUMMARIZE, call, connect, grpc_request, read_answer, send_call};

/// A broken request: what it is, its extra headers, its body.
type Mistake<'a> = (&'a str, &'a [(&'a str, &'a str)], Bytes);

/// `abuse mistakes`: what a broken client sends, one call each; all but
/// the reset must be answered INVALID_ARGUMENT (the client's mistake, not
/// the server's INTERNAL), and none may be counted as Internal or Unknown.
pub async fn mistakes(flags: &Flags) -> Result<()> {
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
