//! Calls that take too long: 1 MiB Summarize calls with a deadline far
//! shorter than their analysis (`abuse deadline`), and request bodies that
//! stall after their first bytes (`abuse stall-body`).

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::cli::Flags;
use crate::metrics::Increase;
use crate::payload::{frame_header, summarize_frame, text_of};
use crate::report::{by_code, millis, row, secs};
use crate::wire::{SUMMARIZE, call, connect, grpc_request, read_answer, send_call};
use crate::{Error, Result};

/// `abuse deadline`: 1 MiB Summarize calls, one after another, with a
/// deadline (`grpc-timeout`) far shorter than the analysis takes: each must
/// be answered DEADLINE_EXCEEDED by the server itself, a little before the
/// deadline, and not by the transport's generic CANCELLED or not at all.
pub async fn deadline(flags: &Flags) -> Result<()> {
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
pub async fn stall_body(flags: &Flags) -> Result<()> {
    let addr = flags.addr("addr")?;
    let streams: usize = flags.number("streams", 200)?;
    let declared: u32 = flags.number("declared", 4096)?;
    let per_connection: usize = flags.number("per-connection", 100)?;
    let limit = flags.duration("limit", Duration::from_secs(15))?;
    let refused =
        Increase::from_now(flags.metrics()?, "textanalysis_analyses_refused_total").await?;

    let header = Bytes::copy_from_slice(&frame_header(false, declared));
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
    figures.push_str(&refused.figure().await?);
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
