//! Admission control and the threads analyses run on: how many analyses
//! run at once, and how many may wait.
//!
//! Analyses are CPU-bound, so running more of them than there are cores
//! only makes each slower; and a queue without end turns a burst into
//! minutes of latency for everyone and then into memory exhaustion. So
//! `max_in_flight` worker threads run the analyses, at most `max_queued`
//! more wait in a queue in front of them, and any request beyond that is
//! refused at once with RESOURCE_EXHAUSTED and a retry hint, in
//! microseconds. Cheap calls (health, reflection, ListModels) are not
//! counted: they keep answering on the reactor while the analyses saturate
//! the cores.
//!
//! A request takes its place ([`Slot`]) when its headers arrive, before
//! its body is read (`crate::server`'s edge layer does it), and keeps it
//! until its analysis has stopped and its answer is sent. So the request
//! bodies in memory, the analyses' texts and the answers being sent are
//! bounded together: at most `max_in_flight + max_queued` of each, however
//! many streams clients open. A request refused for load is answered
//! without its body ever being read.
//!
//! The queue holds the analyses themselves, and a worker that finishes one
//! takes the next at once, so an analysis costs one thread wake-up for
//! its result, not the three of a semaphore in front of a blocking pool
//! (the permit waking the request's task, which hands the analysis to a
//! blocking thread, which wakes the task again): under load that hand-over
//! was a large part of a news-sized Summarize call. A queued analysis whose
//! caller has gone (its deadline passed, or it cancelled) is skipped when
//! its turn comes, and gives up its slot when the slots run out.
//!
//! The slots are taken at the server's edge, which sees a call before tonic
//! reads its body and counts the analysis paths only; the workers live
//! here because an analysis holds its worker until it really stops, not
//! merely until the request's future is dropped. Each worker keeps its own
//! [`Lexicon`] of word forms and lends it to each analysis it runs, so
//! their memory is bounded by `max_in_flight`.
//!
//! Each request belongs to a [`Caller`], and the slots and the queue are
//! shared fairly among callers ([`fair`]): the workers serve the callers'
//! queues in turn, and when the slots run out a caller under its share
//! takes one back from a caller over its own. With one caller (nobody
//! identified, all `anonymous`) this is the plain first-come queue.

mod caller;
mod fair;
mod job;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tokio::sync::oneshot;

pub use caller::{Caller, CallerPolicy};

use crate::deadline::Deadline;
use crate::error::Error;
use crate::metrics::{AdmissionGauges, CallerGauges, Metrics};
use crate::text::Lexicon;
use fair::{Ledger, Refusal, Ticket};
use job::{Job, Pending};

/// The analysis workers and their queue; one per server. Dropping it lets
/// the workers finish what is queued and exit.
#[derive(Debug)]
pub struct Admission {
    shared: Arc<Shared>,
    max_in_flight: usize,
}

/// A request's place among the `max_in_flight + max_queued` admitted ones;
/// the place is free again when the last clone is dropped (the request's
/// answer is sent, and its analysis, if any, has stopped), or when its
/// caller was over its share and it was given to another caller.
#[derive(Debug, Clone)]
pub struct Slot {
    held: Arc<Reservation>,
}

#[derive(Debug)]
struct Reservation {
    shared: Arc<Shared>,
    caller: Caller,
    ticket: Ticket,
    /// Set when the slot was given to a caller under its share.
    given_up: Arc<AtomicBool>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        // A slot given up was counted out when it was.
        if self.given_up.load(Ordering::Acquire) {
            return;
        }
        let mut queue = self.shared.lock();
        queue.ledger.release(&self.caller, self.ticket);
        self.shared.counted(&queue);
    }
}

impl Slot {
    /// Whose request holds it.
    pub fn caller(&self) -> &Caller {
        &self.held.caller
    }

    /// Whether it was given to a caller under its share: its request is
    /// answered RESOURCE_EXHAUSTED ([`Error::OverShare`]).
    pub fn given_up(&self) -> bool {
        self.held.given_up.load(Ordering::Acquire)
    }
}

/// The result of an analysis: its value, or the panic it ended with.
pub type Outcome<T> = std::thread::Result<T>;

#[derive(Debug)]
struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when a job is queued or the pool closes.
    ready: Condvar,
    /// Workers running an analysis now.
    running: AtomicUsize,
    /// Jobs in the queue now (its length, readable without the lock).
    queued: AtomicUsize,
    /// Slots held now.
    reserved: AtomicUsize,
    /// Where admissions and refusals are counted, by caller.
    metrics: Arc<Metrics>,
}

/// The slots, the callers' queues, and whether the pool is closing. A
/// [`Slot`] or a job (which holds one) is never dropped under this lock:
/// dropping the last clone of a slot takes it.
struct Queue {
    ledger: Ledger<Box<dyn Job>>,
    closed: bool,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("held", &self.ledger.held())
            .field("queued", &self.ledger.queued())
            .field("closed", &self.closed)
            .finish()
    }
}

impl Admission {
    /// `max_in_flight` (at least 1) workers and at most `max_queued`
    /// analyses waiting for them, every caller alike, counted nowhere.
    pub fn new(max_in_flight: usize, max_queued: usize) -> Self {
        Self::with_callers(
            max_in_flight,
            max_queued,
            CallerPolicy::default(),
            Arc::default(),
        )
    }

    /// [`Admission::new`], with callers' weights and limits from `policy`,
    /// and admissions and refusals counted in `metrics`.
    pub fn with_callers(
        max_in_flight: usize,
        max_queued: usize,
        policy: CallerPolicy,
        metrics: Arc<Metrics>,
    ) -> Self {
        let max_in_flight = max_in_flight.max(1);
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                ledger: Ledger::new(max_in_flight + max_queued, policy),
                closed: false,
            }),
            ready: Condvar::new(),
            running: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            reserved: AtomicUsize::new(0),
            metrics,
        });
        for i in 0..max_in_flight {
            let shared = shared.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("analysis-{i}"))
                .spawn(move || shared.work());
            if let Err(e) = spawned {
                // Fewer workers only mean fewer analyses at once; none at
                // all would leave every request waiting, so say so.
                tracing::error!(error = %e, worker = i, "cannot start an analysis worker");
            }
        }
        Self {
            shared,
            max_in_flight,
        }
    }

    /// A place for one more request of `caller`, or [`Error::Overloaded`]
    /// when all `max_in_flight + max_queued` are taken and `caller` holds
    /// its share or more, or [`Error::OverShare`] when it holds its
    /// `--caller-max-slots`. Queued analyses whose callers have gone give
    /// theirs up first; then a caller over its share gives one up to a
    /// caller under its own.
    pub fn reserve(&self, caller: &Caller) -> Result<Slot, Error> {
        let mut refusal = self.try_reserve(caller);
        if let Err(Refusal::Full) = refusal {
            let gone = {
                let mut queue = self.shared.lock();
                let gone = queue.ledger.remove_queued(|job| job.abandoned());
                self.shared.counted(&queue);
                gone
            };
            // Dropping a job frees its slot, unless its request still
            // holds it.
            drop(gone);
            refusal = self.try_reserve(caller);
        }
        let metrics = &self.shared.metrics;
        match refusal {
            Ok(slot) => {
                metrics.admitted(caller.as_str());
                Ok(slot)
            }
            Err(refusal) => {
                metrics.refused(caller.as_str());
                Err(match refusal {
                    Refusal::Full => Error::Overloaded {
                        in_flight: self.max_in_flight,
                        queued: self.queued(),
                    },
                    Refusal::OverLimit => Error::OverShare,
                })
            }
        }
    }

    fn try_reserve(&self, caller: &Caller) -> Result<Slot, Refusal> {
        let given_up = Arc::new(AtomicBool::new(false));
        let (granted, evicted) = {
            let mut queue = self.shared.lock();
            let mut granted = queue.ledger.reserve(caller, given_up.clone())?;
            self.shared.counted(&queue);
            let evicted = granted.evicted.take();
            (granted, evicted)
        };
        if let Some(displaced) = &granted.displaced {
            self.shared.metrics.refused(displaced.as_str());
        }
        // Its request is answered once the job (and its sender) is gone.
        drop(evicted);
        Ok(Slot {
            held: Arc::new(Reservation {
                shared: self.shared.clone(),
                caller: caller.clone(),
                ticket: granted.ticket,
                given_up,
            }),
        })
    }

    /// Queues `work`, which holds `slot` until it is over, for a worker,
    /// which runs it with its lexicon when its caller's turn comes; its
    /// outcome arrives on the receiver. If the receiver is dropped or
    /// `deadline` passes before a worker takes it, it never runs; if its
    /// slot is given to another caller meanwhile, the receiver gets no
    /// outcome and [`Slot::given_up`] says so. [`Error::OverShare`] when
    /// the slot was given up before the work came. The slots bound the
    /// queue: there is always room.
    pub fn submit<T, F>(
        &self,
        slot: Slot,
        deadline: Deadline,
        work: F,
    ) -> Result<oneshot::Receiver<Outcome<T>>, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Lexicon) -> T + Send + 'static,
    {
        let (result, outcome) = oneshot::channel();
        let caller = slot.caller().clone();
        let ticket = slot.held.ticket;
        let job: Box<dyn Job> = Box::new(Pending {
            slot,
            deadline,
            result,
            work,
        });
        let refused = {
            let mut queue = self.shared.lock();
            let submitted = queue.ledger.submit(&caller, ticket, job);
            self.shared.counted(&queue);
            submitted.err()
        };
        if let Some(job) = refused {
            drop(job);
            return Err(Error::OverShare);
        }
        self.shared.ready.notify_one();
        Ok(outcome)
    }

    /// Requests holding a slot now: reading their request, waiting,
    /// running or sending their answer.
    pub fn admitted(&self) -> usize {
        self.shared.reserved.load(Ordering::Acquire)
    }

    /// The three counts above, and slots and queue by caller, for the
    /// metrics.
    pub fn gauges(&self) -> AdmissionGauges {
        let by_caller = self.shared.lock().ledger.by_caller();
        AdmissionGauges {
            in_flight: self.in_flight(),
            queued: self.queued(),
            admitted: self.admitted(),
            callers: by_caller
                .into_iter()
                .map(|(caller, held, queued)| CallerGauges {
                    caller: caller.as_str().to_owned(),
                    held,
                    queued,
                })
                .collect(),
        }
    }

    /// Analyses running now, or queued with a worker free to take them (a
    /// worker that was just woken has not taken its job yet).
    pub fn in_flight(&self) -> usize {
        let running = self.shared.running.load(Ordering::Acquire);
        let queued = self.shared.queued.load(Ordering::Acquire);
        (running + queued).min(self.max_in_flight)
    }

    /// Analyses waiting for a worker now: queued beyond the idle workers
    /// that will take them.
    pub fn queued(&self) -> usize {
        let running = self.shared.running.load(Ordering::Acquire);
        let queued = self.shared.queued.load(Ordering::Acquire);
        (queued + running).saturating_sub(self.max_in_flight)
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_all();
    }
}

impl Shared {
    /// The queue; a worker that panicked holding the lock (which nothing
    /// does: jobs run outside it) leaves it consistent.
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Copies the ledger's counts where they are read without the lock.
    fn counted(&self, queue: &Queue) {
        self.queued.store(queue.ledger.queued(), Ordering::Release);
        self.reserved.store(queue.ledger.held(), Ordering::Release);
    }

    /// A worker: the next job, until the pool is closed and its queue empty.
    fn work(&self) {
        let mut lexicon = Lexicon::new();
        loop {
            let job = {
                let mut queue = self.lock();
                loop {
                    if let Some(job) = queue.ledger.next() {
                        // Counted under the lock, so that admission never
                        // sees a job neither queued nor running.
                        self.running.fetch_add(1, Ordering::AcqRel);
                        self.counted(&queue);
                        break job;
                    }
                    if queue.closed {
                        return;
                    }
                    queue = self.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
                }
            };
            job.run(
                &|| {
                    self.running.fetch_sub(1, Ordering::AcqRel);
                },
                &mut lexicon,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Reserves a slot and submits `work` with it.
    impl Admission {
        fn try_submit<T: Send + 'static>(
            &self,
            deadline: Deadline,
            work: impl FnOnce() -> T + Send + 'static,
        ) -> Result<oneshot::Receiver<Outcome<T>>, Error> {
            self.submit(self.reserve(&Caller::anonymous())?, deadline, |_| work())
        }
    }

    /// A job that runs until told to stop, and says when it started.
    fn blocker(admission: &Admission) -> (mpsc::Sender<()>, oneshot::Receiver<Outcome<()>>) {
        let (stop, stopped) = mpsc::channel::<()>();
        let (started, start) = mpsc::channel();
        let outcome = admission
            .try_submit(Deadline::NONE, move || {
                started.send(()).unwrap();
                stopped.recv().unwrap();
            })
            .unwrap();
        start.recv().unwrap();
        (stop, outcome)
    }

    #[tokio::test]
    async fn runs_the_limit_queues_the_next_and_refuses_the_rest() {
        let admission = Admission::new(2, 1);
        let (stop_first, first) = blocker(&admission);
        let (stop_second, second) = blocker(&admission);
        assert_eq!(admission.in_flight(), 2);
        // The third waits for a worker...
        let third = admission.try_submit(Deadline::NONE, || 3).unwrap();
        assert_eq!(admission.queued(), 1);
        // ...and the fourth finds the queue full.
        let refused = admission.try_submit(Deadline::NONE, || 4).unwrap_err();
        assert_eq!(
            refused,
            Error::Overloaded {
                in_flight: 2,
                queued: 1
            }
        );
        stop_first.send(()).unwrap();
        first.await.unwrap().unwrap();
        assert_eq!(third.await.unwrap().unwrap(), 3);
        assert_eq!(admission.queued(), 0);
        stop_second.send(()).unwrap();
        second.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_caller_that_gives_up_leaves_the_queue() {
        let admission = Admission::new(1, 1);
        let (stop, running) = blocker(&admission);
        let ran = Arc::new(AtomicUsize::new(0));
        let gave_up = admission
            .try_submit(Deadline::NONE, {
                let ran = ran.clone();
                move || ran.fetch_add(1, Ordering::SeqCst)
            })
            .unwrap();
        drop(gave_up);
        // Its place is free again: the next caller queues instead of being
        // refused...
        let next = admission.try_submit(Deadline::NONE, || "next").unwrap();
        // ...which now holds the queue's one place.
        assert!(admission.try_submit(Deadline::NONE, || "more").is_err());
        stop.send(()).unwrap();
        running.await.unwrap().unwrap();
        assert_eq!(next.await.unwrap().unwrap(), "next");
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the abandoned job never ran");
    }

    #[tokio::test]
    async fn an_expired_job_is_skipped_and_a_panic_is_an_outcome() {
        let admission = Admission::new(1, 4);
        let (stop, running) = blocker(&admission);
        let late = admission
            .try_submit(Deadline::after(std::time::Duration::ZERO), || "late")
            .unwrap();
        let panics = admission
            .try_submit(Deadline::NONE, || -> u8 { panic!("a bug") })
            .unwrap();
        stop.send(()).unwrap();
        running.await.unwrap().unwrap();
        assert!(late.await.is_err(), "skipped: the sender is dropped unsent");
        assert!(panics.await.unwrap().is_err());
        // The worker survived the panic.
        assert_eq!(
            admission
                .try_submit(Deadline::NONE, || 7)
                .unwrap()
                .await
                .unwrap()
                .unwrap(),
            7
        );
    }

    #[tokio::test]
    async fn without_a_queue_an_idle_worker_still_takes_a_job() {
        let admission = Admission::new(1, 0);
        assert_eq!(
            admission
                .try_submit(Deadline::NONE, || 1)
                .unwrap()
                .await
                .unwrap()
                .unwrap(),
            1
        );
        let (stop, running) = blocker(&admission);
        assert!(admission.try_submit(Deadline::NONE, || 2).is_err());
        stop.send(()).unwrap();
        running.await.unwrap().unwrap();
    }

    #[test]
    fn a_slot_is_held_until_its_last_clone_is_dropped() {
        let admission = Admission::new(1, 1);
        let anonymous = Caller::anonymous();
        let first = admission.reserve(&anonymous).unwrap();
        let kept = first.clone();
        let _second = admission.reserve(&anonymous).unwrap();
        assert!(
            admission.reserve(&anonymous).is_err(),
            "two places, both taken"
        );
        drop(first);
        assert!(
            admission.reserve(&anonymous).is_err(),
            "a clone still holds it"
        );
        drop(kept);
        assert!(admission.reserve(&anonymous).is_ok());
    }

    #[tokio::test]
    async fn a_caller_under_its_share_takes_places_that_are_not_yet_running() {
        let admission = Admission::new(1, 3);
        let flood = Caller::anonymous();
        let (stop, running) = blocker(&admission);
        let unread = admission.reserve(&flood).unwrap();
        let queued_slot = admission.reserve(&flood).unwrap();
        let queued_held = queued_slot.clone();
        let queued = admission
            .submit(queued_slot, Deadline::NONE, |_| "queued")
            .unwrap();
        let newest = admission.reserve(&flood).unwrap();
        // The flood holds all four places; the steady caller's share is
        // two. The newest place gives way first: its request learns it
        // when it brings its work.
        let steady = Caller::new("steady").unwrap();
        let first = admission.reserve(&steady).unwrap();
        assert!(newest.given_up() && !queued_held.given_up());
        let refused = admission.submit(newest, Deadline::NONE, |_| "newest");
        assert_eq!(refused.unwrap_err(), Error::OverShare);
        // Then the queued one, whose call gets no outcome.
        let second = admission.reserve(&steady).unwrap();
        assert!(queued_held.given_up() && !unread.given_up());
        assert!(queued.await.is_err());
        // Two each: a third would put either over its share.
        assert!(admission.reserve(&steady).is_err());
        assert!(admission.reserve(&flood).is_err());
        let answer = admission
            .submit(first, Deadline::NONE, |_| "steady")
            .unwrap();
        drop((second, unread));
        stop.send(()).unwrap();
        running.await.unwrap().unwrap();
        assert_eq!(answer.await.unwrap().unwrap(), "steady");
        assert_eq!(admission.admitted(), 0);
    }

    #[test]
    fn at_least_one_runs() {
        assert_eq!(Admission::new(0, 0).max_in_flight, 1);
    }
}
