//! Accepting connections: how many may be open, how long a new one may take
//! to say something, and what happens when the process runs out of file
//! descriptors.
//!
//! tonic's own accept loop has none of these bounds: a connection that
//! never completes its TLS handshake, or never sends its first bytes, stays
//! open for ever, and each holds a file descriptor; once the descriptors
//! run out, `accept` fails at once, and tonic retries at once, so the idle
//! server spins a core writing a debug line per retry. So the server
//! accepts connections itself and hands tonic only those that are ready:
//! - at most `max_connections` are open; the ones beyond are closed at once
//!   (the client sees the connection reset and may try another replica);
//! - a connection must finish its TLS handshake and send the HTTP/2
//!   preface (the first 24 bytes every HTTP/2 client sends) within
//!   `handshake_timeout`, or it is closed;
//! - when `accept` fails for want of descriptors (`EMFILE`, `ENFILE`) or
//!   memory, the loop backs off, from 10 ms up to a second, and warns at
//!   most every ten seconds.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Sleep;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

use crate::metrics::Metrics;

/// The bytes every HTTP/2 client sends first (`PRI * HTTP/2.0...`).
const PREFACE_BYTES: usize = 24;

/// Bounds on connections.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Longest time from accept to the end of the HTTP/2 preface (TLS
    /// handshake included).
    pub handshake_timeout: Duration,
}

/// Accepts connections on `listener`, runs `handshake` on each (the TLS
/// handshake, or nothing), and yields those that finished it in time.
/// Accepting stops, and the listening socket closes, when the stream is
/// dropped.
pub(super) fn incoming<IO, H, F>(
    listener: TcpListener,
    bounds: Bounds,
    metrics: Arc<Metrics>,
    handshake: H,
) -> ReceiverStream<io::Result<Conn<IO>>>
where
    IO: Send + 'static,
    H: Fn(TcpStream) -> F + Send + 'static,
    F: Future<Output = io::Result<IO>> + Send + 'static,
{
    // A few ready connections may wait for tonic to take them; more would
    // only hold descriptors.
    let (ready, connections) = mpsc::channel(16);
    tokio::spawn(accept_loop(listener, bounds, metrics, handshake, ready));
    ReceiverStream::new(connections)
}

async fn accept_loop<IO, H, F>(
    listener: TcpListener,
    bounds: Bounds,
    metrics: Arc<Metrics>,
    handshake: H,
    ready: mpsc::Sender<io::Result<Conn<IO>>>,
) where
    IO: Send + 'static,
    H: Fn(TcpStream) -> F,
    F: Future<Output = io::Result<IO>> + Send + 'static,
{
    let open = Arc::new(Semaphore::new(bounds.max_connections));
    let mut backoff = Backoff::default();
    let mut out_of_descriptors = RateLimited::default();
    let mut over_limit = RateLimited::default();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = ready.closed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                backoff.reset();
                accepted
            }
            Err(error) if is_resource_shortage(&error) => {
                let pause = backoff.next();
                out_of_descriptors.warn(|suppressed| {
                    tracing::warn!(%error, ?pause, suppressed, "cannot accept connections: out of file descriptors or memory; backing off");
                });
                tokio::select! {
                    () = tokio::time::sleep(pause) => continue,
                    () = ready.closed() => return,
                }
            }
            // Errors of one connection (reset before it was accepted).
            Err(error) => {
                tracing::debug!(%error, "accept failed");
                continue;
            }
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            metrics.connection_refused();
            over_limit.warn(|suppressed| {
                tracing::warn!(%peer, max_connections = bounds.max_connections, suppressed, "connection refused: too many open connections");
            });
            continue;
        };
        // tonic sets TCP_NODELAY only on listeners it binds itself; without
        // it, Nagle's algorithm holds a response's last segment until the
        // client's delayed ACK (tens of milliseconds per small response).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::warn!(%error, "could not set TCP_NODELAY");
        }
        let permit = ConnectionPermit::new(permit, metrics.clone());
        let deadline = Instant::now() + bounds.handshake_timeout;
        let handshake = handshake(stream);
        let ready = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout_at(deadline.into(), handshake).await {
                Ok(Ok(io)) => {
                    let _ = ready.send(Ok(Conn::new(io, deadline, permit))).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "handshake failed"),
                Err(_) => tracing::debug!(%peer, "handshake timed out"),
            }
        });
    }
}

/// Whether an `accept` error is the process's or the system's lack of
/// descriptors or memory, which retrying at once cannot cure.
fn is_resource_shortage(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// Exponential pauses, 10 ms to 1 s.
#[derive(Debug, Default)]
struct Backoff(Option<Duration>);

impl Backoff {
    fn next(&mut self) -> Duration {
        let pause = self.0.map_or(Duration::from_millis(10), |p| {
            (p * 2).min(Duration::from_secs(1))
        });
        self.0 = Some(pause);
        pause
    }

    fn reset(&mut self) {
        self.0 = None;
    }
}

/// A warning given at most every ten seconds, with the number of times it
/// was held back since it was last given.
#[derive(Debug, Default)]
struct RateLimited {
    last: Option<Instant>,
    suppressed: u64,
}

impl RateLimited {
    const EVERY: Duration = Duration::from_secs(10);

    fn warn(&mut self, log: impl FnOnce(u64)) {
        let now = Instant::now();
        if self.last.is_some_and(|last| now < last + Self::EVERY) {
            self.suppressed += 1;
            return;
        }
        log(self.suppressed);
        self.last = Some(now);
        self.suppressed = 0;
    }
}

/// A place among the open connections, counted in the metrics while held.
#[derive(Debug)]
pub(super) struct ConnectionPermit {
    _permit: OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl ConnectionPermit {
    fn new(permit: OwnedSemaphorePermit, metrics: Arc<Metrics>) -> Self {
        metrics.connection_opened();
        Self {
            _permit: permit,
            metrics,
        }
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        self.metrics.connection_closed();
    }
}

/// An accepted connection: its place among the open ones, and the time
/// by which its HTTP/2 preface must have arrived.
pub(super) struct Conn<IO> {
    io: IO,
    /// Preface bytes still to come, and when they are due.
    preface: Option<(usize, Pin<Box<Sleep>>)>,
    _permit: ConnectionPermit,
}

impl<IO> Conn<IO> {
    fn new(io: IO, preface_by: Instant, permit: ConnectionPermit) -> Self {
        Self {
            io,
            preface: Some((
                PREFACE_BYTES,
                Box::pin(tokio::time::sleep_until(preface_by.into())),
            )),
            _permit: permit,
        }
    }
}

impl<IO: Connected> Connected for Conn<IO> {
    type ConnectInfo = IO::ConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.io.connect_info()
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Conn<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if let Some((left, _)) = &mut this.preface {
                    let read = buf.filled().len() - before;
                    *left = left.saturating_sub(read);
                    if *left == 0 || read == 0 {
                        this.preface = None;
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => {
                let late = (this.preface.as_mut())
                    .is_some_and(|(_, due)| due.as_mut().poll(cx).is_ready());
                if !late {
                    return Poll::Pending;
                }
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no HTTP/2 preface within the handshake timeout",
                )))
            }
            error => error,
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Conn<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_second_and_resets() {
        let mut backoff = Backoff::default();
        let pauses: Vec<_> = (0..9).map(|_| backoff.next().as_millis()).collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.reset();
        assert_eq!(backoff.next(), Duration::from_millis(10));
    }

    #[test]
    fn a_rate_limited_warning_counts_what_it_held_back() {
        let mut limited = RateLimited::default();
        let mut given = Vec::new();
        for _ in 0..5 {
            limited.warn(|suppressed| given.push(suppressed));
        }
        assert_eq!(given, [0], "one warning in ten seconds");
        limited.last = Some(Instant::now() - RateLimited::EVERY);
        limited.warn(|suppressed| given.push(suppressed));
        assert_eq!(given, [0, 4]);
    }

    #[test]
    fn descriptor_and_memory_shortages_are_told_apart() {
        for code in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM] {
            assert!(is_resource_shortage(&io::Error::from_raw_os_error(code)));
        }
        assert!(!is_resource_shortage(&io::Error::from_raw_os_error(
            libc::ECONNABORTED
        )));
    }
}
