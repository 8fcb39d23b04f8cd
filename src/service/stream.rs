//! AnalyzeStream: a feed of items, each analysed as Analyze analyses a
//! request, answered as each finishes, with near-duplicates of earlier
//! items marked.
//!
//! One task drives a stream. It reads an item only while fewer than
//! `--stream-in-flight` are read and unanswered, and an item stays counted
//! until its answer is handed to the response channel, whose room is the
//! same number. So a client that stops reading answers stops the server
//! reading its items, HTTP/2 flow control stops the client, and the
//! server holds at most that many items and answers per stream, however
//! long the stream runs.
//!
//! Each item takes its own admission slot, for the stream's caller, when it
//! is read, as a unary call takes one when it arrives: refused, the item is answered
//! RESOURCE_EXHAUSTED and the stream goes on. The call's deadline (the
//! client's `grpc-timeout`) bounds the whole stream: when it passes, the
//! items in flight are dropped and the stream ends DEADLINE_EXCEEDED.
//!
//! Dedup compares an item with the earlier items that asked for it, in the
//! order the client sent them, whatever order they finish in: a finished
//! dedup item waits until every earlier dedup item has been checked and
//! remembered, so that a repeat is found even when it overtakes its
//! original. That wait holds at most the items in flight.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Status, Streaming};

use super::analyze::{Analyzed, rpc_status};
use super::{Caller, TextAnalysis};
use crate::compare::{DEFAULT_NEAR_DUPLICATE, Fingerprint};
use crate::deadline::Deadline;
use crate::dedup::DedupWindow;
use crate::error::{Error, Violation};
use crate::proto::v1 as pb;

/// The answers of a stream, as tonic sends them.
pub type Answers = ReceiverStream<Result<pb::AnalyzeStreamResponse, Status>>;

/// Longest item id accepted, in UTF-8 bytes: ids are kept in the dedup
/// window, so their size bounds its memory.
pub const MAX_ID_BYTES: usize = 256;

/// The streams open now, against `--max-streams`.
#[derive(Debug, Default)]
pub struct OpenStreams(AtomicUsize);

/// A place among the open streams, given up when the stream ends.
struct StreamPlace(Arc<OpenStreams>);

impl Drop for StreamPlace {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl OpenStreams {
    fn enter(self: &Arc<Self>, max: usize) -> Result<StreamPlace, Status> {
        let open = self.0.fetch_add(1, Ordering::AcqRel);
        let place = StreamPlace(self.clone());
        if open >= max {
            return Err(Status::resource_exhausted(format!(
                "{max} streams are open, the server's limit (--max-streams); retry later"
            )));
        }
        Ok(place)
    }
}

/// Opens a stream: its driver runs on a task of its own, and the answers
/// come out of the returned channel.
pub fn open(
    service: &TextAnalysis,
    deadline: Deadline,
    caller: Caller,
    items: Streaming<pb::AnalyzeStreamRequest>,
) -> Result<Answers, Status> {
    let place = service.streams.enter(service.limits.max_streams)?;
    let in_flight = service.limits.stream_in_flight.max(1);
    let (answers, receiver) = mpsc::channel(in_flight);
    let driver = Driver {
        _place: place,
        service: service.clone(),
        deadline,
        caller,
        in_flight,
        answers,
        window: DedupWindow::new(service.limits.dedup_window.max(1)),
        next: 0,
        unchecked: BTreeSet::new(),
        finished: BTreeMap::new(),
    };
    tokio::spawn(driver.run(items));
    Ok(ReceiverStream::new(receiver))
}

/// An item as its analysis left it.
struct Finished {
    /// Its place in the stream.
    seq: u64,
    id: String,
    /// Its answer, and its fingerprint when it asked for dedup; or why the
    /// whole item failed.
    result: Result<Analyzed, Status>,
    /// Its dedup threshold, when it asked for dedup.
    dedup: Option<f64>,
}

struct Driver {
    /// The stream's place among the open ones: the first field, so that it
    /// is free before the answers end (their sender is dropped after it).
    _place: StreamPlace,
    service: TextAnalysis,
    deadline: Deadline,
    /// Whose items these are, for their admission.
    caller: Caller,
    in_flight: usize,
    answers: mpsc::Sender<Result<pb::AnalyzeStreamResponse, Status>>,
    window: DedupWindow<String>,
    /// The next item's place in the stream.
    next: u64,
    /// The dedup items not yet checked against the window.
    unchecked: BTreeSet<u64>,
    /// Finished dedup items waiting for an earlier one to be checked.
    finished: BTreeMap<u64, Finished>,
}

impl Driver {
    async fn run(mut self, mut items: Streaming<pb::AnalyzeStreamRequest>) {
        let mut running: JoinSet<Finished> = JoinSet::new();
        let mut reading = true;
        let expiry = self.deadline.instant();
        let timeout = async {
            match expiry {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(timeout);
        while reading || !running.is_empty() {
            let room = running.len() + self.finished.len() < self.in_flight;
            tokio::select! {
                biased;
                () = &mut timeout => {
                    let _ = self.answers.send(Err(Error::DeadlineExceeded.into())).await;
                    return;
                }
                Some(done) = running.join_next(), if !running.is_empty() => {
                    let Ok(done) = done else {
                        // An item task ends only by finishing: it is never
                        // aborted while the set is alive, and the analysis
                        // catches its own panics.
                        continue;
                    };
                    if !self.answer(done).await {
                        return;
                    }
                }
                item = items.message(), if reading && room => match item {
                    Ok(Some(item)) => match self.start(item) {
                        Ok(task) => {
                            running.spawn(task);
                        }
                        Err(answer) => {
                            if self.answers.send(Ok(answer)).await.is_err() {
                                return;
                            }
                        }
                    },
                    Ok(None) => reading = false,
                    Err(status) => {
                        let _ = self.answers.send(Err(status)).await;
                        return;
                    }
                },
            }
        }
    }

    /// Validates an item and makes the task that analyses it, or answers
    /// at once the item that cannot be analysed.
    #[allow(clippy::result_large_err)]
    fn start(
        &mut self,
        item: pb::AnalyzeStreamRequest,
    ) -> Result<impl Future<Output = Finished> + Send + 'static, pb::AnalyzeStreamResponse> {
        let seq = self.next;
        self.next += 1;
        let pb::AnalyzeStreamRequest { id, request, dedup } = item;
        let refuse = |id: String, error: Error| pb::AnalyzeStreamResponse {
            id,
            result: Some(pb::analyze_stream_response::Result::Error(rpc_status(
                error.into(),
            ))),
            duplicate_of: None,
        };
        if id.len() > MAX_ID_BYTES {
            let error = Error::InvalidArgument(vec![Violation::new(
                "id",
                format!("is {} bytes, over the limit of {MAX_ID_BYTES}", id.len()),
            )]);
            return Err(refuse(shorten(id), error));
        }
        let threshold = match dedup.as_ref().map(|d| d.near_duplicate) {
            None => None,
            Some(None) => Some(DEFAULT_NEAR_DUPLICATE),
            Some(Some(t)) if t.is_finite() && (0.0..=1.0).contains(&t) => Some(t),
            Some(Some(_)) => {
                let error = Error::InvalidArgument(vec![Violation::new(
                    "dedup.near_duplicate",
                    "must be in [0, 1]",
                )]);
                return Err(refuse(id, error));
            }
        };
        let service = self.service.clone();
        let call = service.validate_analyze(request.unwrap_or_default(), dedup.is_some());
        let call = match call {
            Ok(call) => match &dedup {
                Some(d) => call.with_fingerprint(d.keep_boilerplate),
                None => call,
            },
            Err(error) => return Err(refuse(id, error)),
        };
        if threshold.is_some() {
            self.unchecked.insert(seq);
        }
        let deadline = self.deadline;
        let caller = self.caller.clone();
        Ok(async move {
            let result = match service.admission.reserve(&caller) {
                Ok(slot) => service.run_analyze(call, (deadline, slot)).await,
                Err(error) => Err(error.into()),
            };
            Finished {
                seq,
                id,
                result,
                dedup: threshold,
            }
        })
    }

    /// Answers a finished item, and the dedup items it was holding back.
    /// False when the client has gone.
    async fn answer(&mut self, done: Finished) -> bool {
        if done.dedup.is_none() {
            return self.send(done, None).await;
        }
        self.finished.insert(done.seq, done);
        // The dedup items that may be checked now: those with no unchecked
        // dedup item before them.
        while let Some(&first) = self.unchecked.first() {
            let Some(done) = self.finished.remove(&first) else {
                break;
            };
            self.unchecked.remove(&first);
            let duplicate = self.check(&done);
            if !self.send(done, duplicate).await {
                return false;
            }
        }
        true
    }

    /// The earlier item `done` nearly duplicates, if any; and remembers it.
    fn check(&mut self, done: &Finished) -> Option<pb::DuplicateOf> {
        let (Ok(analyzed), Some(threshold)) = (&done.result, done.dedup) else {
            return None;
        };
        let fingerprint: &Fingerprint = analyzed.fingerprint.as_ref()?;
        self.window
            .check_and_insert(done.id.clone(), fingerprint, threshold)
            .map(|m| pb::DuplicateOf {
                id: m.key,
                similarity: m.resemblance,
            })
    }

    async fn send(&self, done: Finished, duplicate_of: Option<pb::DuplicateOf>) -> bool {
        let result = match done.result {
            Ok(analyzed) => pb::analyze_stream_response::Result::Response(analyzed.response),
            Err(status) => pb::analyze_stream_response::Result::Error(rpc_status(status)),
        };
        let answer = pb::AnalyzeStreamResponse {
            id: done.id,
            result: Some(result),
            duplicate_of,
        };
        self.answers.send(Ok(answer)).await.is_ok()
    }
}

/// At most [`MAX_ID_BYTES`] of `id`, cut at a character boundary.
fn shorten(mut id: String) -> String {
    let mut end = MAX_ID_BYTES;
    while !id.is_char_boundary(end) {
        end -= 1;
    }
    id.truncate(end);
    id
}
