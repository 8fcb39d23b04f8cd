//! An analysis waiting for a worker, and how a worker runs it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tokio::sync::oneshot;

use super::{Outcome, Slot};
use crate::deadline::Deadline;
use crate::text::Lexicon;

/// An analysis waiting for a worker.
pub(super) trait Job: Send {
    /// Whether nobody waits for the result any more.
    fn abandoned(&self) -> bool;
    /// Runs the analysis and sends its outcome, unless abandoned; calls
    /// `done` when the work is over and before the outcome is sent, so that
    /// a caller who sends its next request the moment it has the answer
    /// finds the worker free. The analysis uses the worker's `lexicon`.
    fn run(self: Box<Self>, done: &dyn Fn(), lexicon: &mut Lexicon);
}

/// A queued analysis: its work, where its outcome goes, and the slot it
/// holds.
pub(super) struct Pending<T, F> {
    /// Held until the analysis is over: its text is in `work`.
    pub slot: Slot,
    pub deadline: Deadline,
    pub result: oneshot::Sender<Outcome<T>>,
    pub work: F,
}

impl<T: Send, F: FnOnce(&mut Lexicon) -> T + Send> Job for Pending<T, F> {
    fn abandoned(&self) -> bool {
        self.result.is_closed() || self.deadline.expired()
    }

    fn run(self: Box<Self>, done: &dyn Fn(), lexicon: &mut Lexicon) {
        if self.abandoned() {
            done();
            return;
        }
        let Pending {
            result, work, slot, ..
        } = *self;
        // A panic is a bug of ours; the caller reports it as INTERNAL and
        // the worker goes on serving, with a new lexicon in case the panic
        // left the old one half-updated.
        let outcome = catch_unwind(AssertUnwindSafe(|| work(lexicon)));
        if outcome.is_err() {
            *lexicon = Lexicon::new();
        }
        done();
        drop(slot);
        let _ = result.send(outcome);
    }
}
