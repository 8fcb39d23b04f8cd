//! Admission control: how many analyses run at once, and how many may wait.
//!
//! Analyses are CPU-bound, so running more of them than there are cores
//! only makes each slower; and a queue without end turns a burst into
//! minutes of latency for everyone and then into memory exhaustion. So at
//! most `max_in_flight` analyses run (each on the blocking pool), at most
//! `max_queued` more wait for a turn, and any request beyond that is
//! refused at once with RESOURCE_EXHAUSTED and a retry hint, in
//! microseconds, without reading its text any further. Cheap calls
//! (health, reflection, ListModels) are not counted: they keep answering
//! while the analyses saturate the cores.
//!
//! This lives in the service rather than in a tower layer in front of the
//! router because it must count analyses only, not every gRPC call, and
//! because the permit has to be held by the blocking task itself, until the
//! analysis really stops, not merely until its future is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::Error;

/// Admission of analyses; cheap to share (one per server).
#[derive(Debug)]
pub struct Admission {
    running: Arc<Semaphore>,
    max_in_flight: usize,
    waiting: AtomicUsize,
    max_queued: usize,
}

/// The right to run one analysis; dropping it lets the next one in.
#[derive(Debug)]
pub struct Permit(#[allow(dead_code)] OwnedSemaphorePermit);

impl Admission {
    /// At most `max_in_flight` (at least 1) analyses at once and
    /// `max_queued` waiting.
    pub fn new(max_in_flight: usize, max_queued: usize) -> Self {
        let max_in_flight = max_in_flight.max(1);
        Self {
            running: Arc::new(Semaphore::new(max_in_flight)),
            max_in_flight,
            waiting: AtomicUsize::new(0),
            max_queued,
        }
    }

    /// A permit to run now, or after a wait in the queue; refused with
    /// [`Error::Overloaded`] when the queue is full.
    pub async fn admit(&self) -> Result<Permit, Error> {
        if let Ok(permit) = self.running.clone().try_acquire_owned() {
            return Ok(Permit(permit));
        }
        let queued = self.waiting.fetch_add(1, Ordering::AcqRel);
        let _place = Place(&self.waiting);
        if queued >= self.max_queued {
            return Err(Error::Overloaded {
                in_flight: self.max_in_flight,
                queued,
            });
        }
        // The semaphore is never closed, so this cannot fail; map it anyway
        // rather than unwrap on a request path.
        self.running
            .clone()
            .acquire_owned()
            .await
            .map(Permit)
            .map_err(|_| Error::Internal("admission closed".into()))
    }

    /// Analyses running now.
    pub fn in_flight(&self) -> usize {
        self.max_in_flight - self.running.available_permits()
    }

    /// Requests waiting for a turn now.
    pub fn queued(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }
}

/// A place in the queue, given back when the wait ends, however it ends
/// (admitted, refused, or the caller gave up and dropped the future).
struct Place<'a>(&'a AtomicUsize);

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_the_limit_queues_the_next_and_refuses_the_rest() {
        let admission = Arc::new(Admission::new(2, 1));
        let first = admission.admit().await.unwrap();
        let _second = admission.admit().await.unwrap();
        assert_eq!(admission.in_flight(), 2);
        // The third waits for a turn...
        let waiting = tokio::spawn({
            let admission = admission.clone();
            async move { admission.admit().await.map(|_| ()) }
        });
        while admission.queued() == 0 {
            tokio::task::yield_now().await;
        }
        // ...and the fourth finds the queue full.
        let refused = admission.admit().await.unwrap_err();
        assert_eq!(
            refused,
            Error::Overloaded {
                in_flight: 2,
                queued: 1
            }
        );
        drop(first);
        waiting.await.unwrap().unwrap();
        assert_eq!(admission.queued(), 0);
    }

    #[tokio::test]
    async fn a_caller_that_gives_up_leaves_the_queue() {
        let admission = Admission::new(1, 1);
        let _running = admission.admit().await.unwrap();
        let gave_up = tokio::time::timeout(std::time::Duration::ZERO, admission.admit()).await;
        assert!(gave_up.is_err());
        assert_eq!(admission.queued(), 0);
        // Its place is free again: the next caller queues instead of being refused.
        assert!(
            tokio::time::timeout(std::time::Duration::ZERO, admission.admit())
                .await
                .is_err()
        );
    }

    #[test]
    fn at_least_one_runs() {
        assert_eq!(Admission::new(0, 0).max_in_flight, 1);
    }
}
