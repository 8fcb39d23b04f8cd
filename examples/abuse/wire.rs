//! A raw HTTP/2 client (`h2`): calls sent as a broken client would send
//! them (unfinished, reset, malformed), and the server's own answer read
//! from the wire; and whether the server closes a raw connection.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::SendStream;
use h2::client::{ResponseFuture, SendRequest};
use http::Request;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpStream;
use tonic::Code;

use crate::Result;

pub const SUMMARIZE: &str = "/textanalysis.v1.TextAnalysisService/Summarize";
pub const COMPARE: &str = "/textanalysis.v1.TextAnalysisService/Compare";
pub const HEALTH: &str = "/grpc.health.v1.Health/Check";

/// An HTTP/2 connection to `addr`, driven in the background. Its receive
/// windows are large, so that a big answer is not held up by our side.
pub async fn connect(addr: SocketAddr) -> Result<SendRequest<Bytes>> {
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
pub fn grpc_request(path: &str, extra: &[(&str, &str)]) -> Result<Request<()>> {
    let mut request = Request::post(format!("http://localhost{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers");
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    Ok(request.body(())?)
}

/// The server's answer to one call.
#[derive(Debug, Default)]
pub struct Answer {
    /// `grpc-status`, from the headers (trailers-only) or the trailers;
    /// `None` when there was none (the stream was reset).
    pub code: Option<Code>,
    /// `grpc-message`, or what went wrong on the way.
    pub message: String,
    /// The `grpc-encoding` of the response.
    pub encoding: Option<String>,
    /// Bytes of response body (gRPC frames).
    pub body_bytes: usize,
    /// The compressed flag of the first response frame.
    pub compressed: Option<bool>,
    /// When the answer ended, from the start of the call or scenario.
    pub at: Duration,
}

/// Sends the headers of a call and `body` (with END_STREAM when `end`);
/// with `end` false the stream stays open for as long as the returned
/// sender is kept: a stalled upload.
pub async fn send_call(
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
pub async fn read_answer(response: ResponseFuture, since: Instant) -> Answer {
    let mut answer = Answer::default();
    match receive(response, &mut answer).await {
        Ok(Some(status)) => {
            answer.code = Some(status.code());
            answer.message = status.message().to_owned();
        }
        Ok(None) => {}
        Err(e) => answer.message = format!("stream error: {e}"),
    }
    answer.at = since.elapsed();
    answer
}

/// Receives the response into `answer` (its encoding, the size and flag of
/// its body) and returns its `grpc-status`: from the headers of a
/// trailers-only answer, else from the trailers.
async fn receive(
    response: ResponseFuture,
    answer: &mut Answer,
) -> Result<Option<tonic::Status>, h2::Error> {
    let (parts, mut body) = response.await?.into_parts();
    answer.encoding = parts
        .headers
        .get("grpc-encoding")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if parts.headers.contains_key("grpc-status") {
        return Ok(tonic::Status::from_header_map(&parts.headers));
    }
    while let Some(data) = body.data().await {
        let data = data?;
        if answer.body_bytes == 0 && !data.is_empty() {
            answer.compressed = Some(data[0] == 1);
        }
        answer.body_bytes += data.len();
        let _ = body.flow_control().release_capacity(data.len());
    }
    Ok(body
        .trailers()
        .await?
        .and_then(|t| tonic::Status::from_header_map(&t)))
}

/// One whole call: headers, `body`, END_STREAM, answer.
pub async fn call(send: &SendRequest<Bytes>, request: Request<()>, body: Bytes) -> Result<Answer> {
    let started = Instant::now();
    let (response, _stream) = send_call(send, request, body, true).await?;
    Ok(read_answer(response, started).await)
}

/// Whether the server closes `stream` within `limit` (a read that ends or
/// fails), and when.
pub async fn closed_within<S: AsyncRead + Unpin>(
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
