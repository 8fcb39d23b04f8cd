//! A raw HTTP/2 client, to send what a tonic client never would (stalled
//! or truncated bodies, resets, undecodable bytes) and to read the
//! server's own answer, not what a client library makes of it.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use h2::client::SendRequest;
use http::{HeaderMap, Request};

/// The path of a method of the analysis service.
pub fn path(method: &str) -> String {
    format!("/textanalysis.v1.TextAnalysisService/{method}")
}

/// An HTTP/2 connection to `addr`, driven in the background.
pub async fn connect(addr: SocketAddr) -> SendRequest<Bytes> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connect to the server");
    let (send, connection) = h2::client::handshake(tcp).await.expect("HTTP/2 handshake");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    send
}

/// The headers of a gRPC call to `method`, with `extra` ones.
pub fn grpc_request(method: &str, extra: &[(&'static str, &str)]) -> Request<()> {
    let mut request = Request::post(format!("http://test{}", path(method)))
        .header("content-type", "application/grpc")
        .header("te", "trailers");
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.body(()).expect("a valid request")
}

/// A gRPC message frame: flag, big-endian length, message.
pub fn frame(compressed: bool, message: &[u8]) -> Bytes {
    let mut framed = Vec::with_capacity(5 + message.len());
    framed.push(u8::from(compressed));
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(message);
    framed.into()
}

/// The answer to a call, as the server sent it.
#[derive(Debug)]
pub struct Answer {
    /// The response headers.
    pub headers: HeaderMap,
    /// `grpc-status`, from the headers (trailers-only) or the trailers.
    pub code: tonic::Code,
    /// `grpc-message`, percent-decoded.
    pub message: String,
    /// The response body (gRPC frames).
    pub body: Vec<u8>,
}

/// Sends `body` (with END_STREAM when `end`) and reads the answer to the
/// end; with `end` false the stream stays open, as a stalled client's.
pub async fn call(
    send: &mut SendRequest<Bytes>,
    request: Request<()>,
    body: Bytes,
    end: bool,
) -> Answer {
    let mut send = send.clone().ready().await.expect("a stream is available");
    let (response, mut stream) = send.send_request(request, false).expect("send the headers");
    stream.send_data(body, end).expect("send the body");
    // The stream stays open on our side until the answer is read.
    let answer = read(response).await;
    drop(stream);
    answer
}

/// Reads an answer to its trailers.
pub async fn read(response: h2::client::ResponseFuture) -> Answer {
    let response = response.await.expect("a response");
    let (parts, mut body) = response.into_parts();
    let mut bytes = Vec::new();
    let status = if parts.headers.contains_key("grpc-status") {
        tonic::Status::from_header_map(&parts.headers)
    } else {
        while let Some(data) = body.data().await {
            let data = data.expect("response data");
            let _ = body.flow_control().release_capacity(data.len());
            bytes.extend_from_slice(&data);
        }
        let trailers = body.trailers().await.expect("trailers").unwrap_or_default();
        tonic::Status::from_header_map(&trailers)
    }
    .expect("a grpc-status");
    Answer {
        headers: parts.headers,
        code: status.code(),
        message: status.message().to_owned(),
        body: bytes,
    }
}

/// Polls `condition` every few milliseconds until it holds, for at most
/// `limit`; whether it held.
pub async fn eventually(limit: Duration, mut condition: impl AsyncFnMut() -> bool) -> bool {
    let until = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < until {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    condition().await
}

/// Whether the server closes `stream` within `limit` (a read that ends or
/// fails), sending nothing more on it.
pub async fn closed_within(stream: &mut tokio::net::TcpStream, limit: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                // The server's own preface (SETTINGS) may come first.
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, read).await.is_ok()
}
