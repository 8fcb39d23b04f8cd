//! The edge of every call, before tonic reads its body and after the
//! handler answers: admission, deadlines, slow uploads, and the statuses of
//! what tonic refuses on its own.
//!
//! - **Admission before the body.** An analysis takes its admission slot
//!   ([`Slot`]) when its headers arrive, for its caller (see
//!   [`super::caller`]), whose identity goes to the handler too (a
//!   stream's items are admitted for it). Refused, it is answered
//!   RESOURCE_EXHAUSTED at once and its body is never read, so however many
//!   streams clients open, the bodies in memory are bounded by the slots.
//!   The slot is held until the answer's last byte is handed to HTTP/2.
//! - **One deadline for the whole call**, body read included: the client's
//!   `grpc-timeout`, capped by `--request-timeout`, counted from the
//!   headers' arrival. It is answered DEADLINE_EXCEEDED a little before it
//!   passes, because tonic runs a timer of its own on `grpc-timeout`, from
//!   the same moment, that would end the call with a bare CANCELLED
//!   "Timeout expired" which no layer of ours sees. The same instant goes
//!   to the handler (as a [`Deadline`] extension), which passes it to the
//!   analysis so that the analysis stops too.
//! - **Slow uploads.** A body that has not fully arrived within
//!   `--request-read-timeout` of the headers is answered DEADLINE_EXCEEDED.
//! - **Streams** ([`STREAMS`]) carry a feed for as long as the client
//!   wants: their deadline is the client's `grpc-timeout` alone, their body
//!   has no read timeout, and each item takes its own slot when it is read
//!   (the stream's handler does it), not the stream when it opens.
//! - **Client mistakes are not server errors.** tonic answers INTERNAL for
//!   a body it cannot decode (bad protobuf, a truncated frame, undecodable
//!   gzip) and OUT_OF_RANGE for an oversized message; those become
//!   INVALID_ARGUMENT and RESOURCE_EXHAUSTED. A client that resets its
//!   stream or closes its connection while uploading gets CANCELLED (in
//!   the logs and metrics: it hears nothing).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use http_body::{Frame, SizeHint};
use tokio::time::Sleep;
use tonic::body::Body;
use tonic::codegen::{Bytes, http};
use tonic::{Code, Status};
use tower::{Layer, Service};

use crate::deadline::Deadline;
use crate::error::{Error, INTERNAL_MESSAGE_PREFIX};
use crate::service::{ANALYSES, Admission, STREAMS, Slot};

use super::caller;

/// How long before its deadline a call is answered: a tenth of its timeout,
/// between 1 ms (tokio's timer resolution, so that this answer's timer
/// fires no later than tonic's) and 20 ms (time for the answer to reach the
/// client before the client's own timer fires).
fn answer_margin(timeout: Duration) -> Duration {
    (timeout / 10).clamp(Duration::from_millis(1), Duration::from_millis(20))
}

/// Settings and shared state of the [`Edge`] of every call.
#[derive(Debug, Clone)]
pub(super) struct EdgeLayer {
    /// Admission of analyses.
    pub admission: Arc<Admission>,
    /// Headers trusted to name the caller (`--caller-header`), in order.
    pub caller_headers: Arc<[http::HeaderName]>,
    /// Longest time a call may take when its client sets no shorter one.
    pub request_timeout: Duration,
    /// Longest time from a call's headers to the end of its body.
    pub read_timeout: Duration,
}

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Edge {
            inner,
            settings: Arc::new(self.clone()),
        }
    }
}

/// The service made by [`EdgeLayer`].
#[derive(Debug, Clone)]
pub(super) struct Edge<S> {
    inner: S,
    settings: Arc<EdgeLayer>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ResBody> Service<http::Request<Body>> for Edge<S>
where
    S: Service<http::Request<Body>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<tonic::codegen::StdError>,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        let arrival = Instant::now();
        let settings = &self.settings;
        let stream = STREAMS.contains(&request.uri().path());
        let cap = (!stream).then_some(settings.request_timeout);
        let deadline = deadline_of(request.headers(), arrival, cap);
        request.extensions_mut().insert(deadline);
        let analysis = ANALYSES.contains(&request.uri().path());
        let caller =
            (analysis || stream).then(|| caller::identify(&request, &settings.caller_headers));
        let slot = match &caller {
            Some(caller) if analysis => match settings.admission.reserve(caller) {
                Ok(slot) => Some(slot),
                Err(error) => {
                    let refusal = Status::from(error).into_http();
                    return Box::pin(async move { Ok(refusal) });
                }
            },
            _ => None,
        };
        if let Some(caller) = caller {
            request.extensions_mut().insert(caller);
        }
        if let Some(slot) = &slot {
            request.extensions_mut().insert(slot.clone());
        }
        let client_gone = Arc::new(AtomicBool::new(false));
        let read_by = (!stream).then(|| arrival + settings.read_timeout);
        let request = request.map(|body| Body::new(Upload::new(body, read_by, &client_gone)));
        // The clone that was made ready is the one that serves this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let answer = inner.call(request);
            let response = match deadline.instant() {
                None => answer.await?.map(Body::new),
                Some(at) => match tokio::time::timeout_at(at.into(), answer).await {
                    Ok(response) => response?.map(Body::new),
                    Err(_) => Status::from(Error::DeadlineExceeded).into_http(),
                },
            };
            let response = if client_gone.load(Ordering::Acquire) {
                Status::cancelled("the client cancelled the call while sending it").into_http()
            } else {
                as_client_mistake(response)
            };
            Ok(match slot {
                Some(slot) => response.map(|body| Body::new(Answer::new(body, slot))),
                None => response,
            })
        })
    }
}

/// The call's deadline: its `grpc-timeout` if it has one, capped by the
/// server's `request_timeout` when there is a `cap`, from `arrival`, less
/// the answer margin. None without either.
fn deadline_of(headers: &http::HeaderMap, arrival: Instant, cap: Option<Duration>) -> Deadline {
    let client = headers
        .get("grpc-timeout")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_grpc_timeout);
    let timeout = match (client, cap) {
        (Some(client), Some(cap)) => client.min(cap),
        (Some(only), None) | (None, Some(only)) => only,
        (None, None) => return Deadline::NONE,
    };
    arrival
        .checked_add(timeout.saturating_sub(answer_margin(timeout)))
        .map_or(Deadline::NONE, Deadline::at)
}

/// A `grpc-timeout` header value: at most 8 digits and a unit (`H`, `M`,
/// `S`, `m`, `u`, `n`), as the gRPC over HTTP/2 protocol defines it.
fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let unit = value.chars().last()?;
    let digits = &value[..value.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        'H' => Duration::from_secs(n * 3600),
        'M' => Duration::from_secs(n * 60),
        'S' => Duration::from_secs(n),
        'm' => Duration::from_millis(n),
        'u' => Duration::from_micros(n),
        'n' => Duration::from_nanos(n),
        _ => return None,
    })
}

/// tonic's own refusals of a request, in the codes our contract gives
/// them. A refusal is a trailers-only response: its status is in the
/// headers.
/// - OUT_OF_RANGE: a message over `max_decoding_message_size`; the gRPC
///   spec and our contract say RESOURCE_EXHAUSTED. The service itself
///   never answers OUT_OF_RANGE.
/// - INTERNAL without our own prefix: tonic could not decode the request
///   (invalid protobuf or UTF-8, a truncated frame, a bad compression flag
///   or undecodable compressed data, no message at all). Every INTERNAL of
///   ours comes from [`Error::Internal`] and carries its prefix.
fn as_client_mistake(response: http::Response<Body>) -> http::Response<Body> {
    let Some(status) = Status::from_header_map(response.headers()) else {
        return response;
    };
    match status.code() {
        Code::OutOfRange => Status::resource_exhausted(status.message()).into_http(),
        Code::Internal if !status.message().starts_with(INTERNAL_MESSAGE_PREFIX) => {
            Status::invalid_argument(format!("cannot decode the request: {}", status.message()))
                .into_http()
        }
        _ => response,
    }
}

/// A request body: flags a client that resets its stream or closes its
/// connection while sending it, and fails once its read time is up.
struct Upload {
    body: Body,
    read_by: ReadTimer,
    client_gone: Arc<AtomicBool>,
}

/// The read timeout of a body. The timer is made only when the body is
/// not all there at once: most calls' bodies arrive with their headers,
/// and a timer for each would cost every call, health checks included, an
/// allocation and a timer entry.
enum ReadTimer {
    /// Not yet waited for; due at this instant.
    Due(Instant),
    /// Waiting.
    Armed(Pin<Box<Sleep>>),
    /// The body ended, failed or ran out of time, or has no read timeout.
    Done,
}

impl ReadTimer {
    /// Whether the read time is up; arms the timer (and so wakes `cx` when
    /// it is) on the first wait.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        if let Self::Due(at) = *self {
            *self = Self::Armed(Box::pin(tokio::time::sleep_until(at.into())));
        }
        match self {
            Self::Armed(due) => due.as_mut().poll(cx).is_ready(),
            Self::Due(_) | Self::Done => false,
        }
    }
}

impl Upload {
    fn new(body: Body, read_by: Option<Instant>, client_gone: &Arc<AtomicBool>) -> Self {
        Self {
            body,
            read_by: read_by.map_or(ReadTimer::Done, ReadTimer::Due),
            client_gone: client_gone.clone(),
        }
    }
}

impl http_body::Body for Upload {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(None) => {
                this.read_by = ReadTimer::Done;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(_))) => {
                this.read_by = ReadTimer::Done;
                this.client_gone.store(true, Ordering::Release);
                Poll::Ready(Some(Err(Status::cancelled(
                    "the client cancelled the call while sending it",
                ))))
            }
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(Some(Ok(frame))),
            Poll::Pending => {
                if !this.read_by.expired(cx) {
                    return Poll::Pending;
                }
                this.read_by = ReadTimer::Done;
                Poll::Ready(Some(Err(Status::deadline_exceeded(
                    "the request did not arrive within the server's read timeout \
                     (--request-read-timeout)",
                ))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A response body that holds its call's admission slot until its last
/// frame has been taken: HTTP/2 takes the next frame only once the data
/// before it has been sent (within the flow-control window), so the slot
/// also bounds the answers waiting for slow readers.
struct Answer {
    body: Body,
    slot: Option<Slot>,
}

impl Answer {
    fn new(body: Body, slot: Slot) -> Self {
        Self {
            body,
            slot: Some(slot),
        }
    }
}

impl http_body::Body for Answer {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.get_mut();
        let frame = ready!(Pin::new(&mut this.body).poll_frame(cx));
        let last = match &frame {
            Some(Ok(frame)) => frame.is_trailers(),
            None | Some(Err(_)) => true,
        };
        if last {
            this.slot = None;
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse_as_the_protocol_defines_them() {
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("2M"), Some(Duration::from_secs(120)));
        assert_eq!(parse_grpc_timeout("30S"), Some(Duration::from_secs(30)));
        assert_eq!(parse_grpc_timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(parse_grpc_timeout("5u"), Some(Duration::from_micros(5)));
        assert_eq!(
            parse_grpc_timeout("99999999n"),
            Some(Duration::from_nanos(99_999_999))
        );
        for bad in ["", "m", "123456789m", "10x", "-1S", "1.5S", "10é"] {
            assert_eq!(parse_grpc_timeout(bad), None, "{bad}");
        }
    }

    #[test]
    fn deadlines_come_before_tonics_timer_by_the_margin() {
        let now = Instant::now();
        let mut headers = http::HeaderMap::new();
        let at =
            |headers: &http::HeaderMap| deadline_of(headers, now, Some(Duration::from_secs(30)));
        assert_eq!(
            at(&headers).instant(),
            Some(now + Duration::from_secs(30) - Duration::from_millis(20)),
            "the server's timeout without grpc-timeout"
        );
        headers.insert("grpc-timeout", http::HeaderValue::from_static("5m"));
        assert_eq!(
            at(&headers).instant(),
            Some(now + Duration::from_millis(4)),
            "at least a timer tick before"
        );
        headers.insert("grpc-timeout", http::HeaderValue::from_static("100m"));
        assert_eq!(
            at(&headers).instant(),
            Some(now + Duration::from_millis(90))
        );
        headers.insert("grpc-timeout", http::HeaderValue::from_static("1H"));
        assert_eq!(
            at(&headers).instant(),
            Some(now + Duration::from_secs(30) - Duration::from_millis(20)),
            "capped by the server's"
        );
    }

    #[test]
    fn tonics_refusals_become_the_clients_mistakes_and_ours_stay() {
        let code = |status: Status| {
            let response = as_client_mistake(status.into_http());
            Status::from_header_map(response.headers()).map(|s| s.code())
        };
        assert_eq!(
            code(Status::internal("failed to decode Protobuf message")),
            Some(Code::InvalidArgument)
        );
        assert_eq!(
            code(Status::internal("Unexpected EOF decoding stream.")),
            Some(Code::InvalidArgument)
        );
        assert_eq!(
            code(Status::out_of_range("message too large")),
            Some(Code::ResourceExhausted)
        );
        assert_eq!(
            code(Error::Internal("a bug".into()).into()),
            Some(Code::Internal)
        );
        assert_eq!(code(Status::not_found("no model")), Some(Code::NotFound));
    }
}
