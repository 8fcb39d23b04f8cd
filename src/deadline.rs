//! The time a request may still take, as the analysis core sees it.
//!
//! A client that gives up (its `grpc-timeout` passes) gets its answer from
//! the gRPC layer at once, but the analysis runs on a worker thread that
//! no dropped future can stop: left alone, a 1 MiB document would keep a
//! core busy for tens of milliseconds after nobody waits for it, and under
//! load those abandoned analyses are what makes the next clients time out
//! too. So the analysed [`crate::text::Document`] carries the request's
//! deadline, and every stage that loops over a document's sentences
//! (analysis, graph building, PageRank, alignment) checks it every few
//! dozen sentences and stops early once it has passed. What an expired
//! analysis returns is incomplete but well-formed, and the caller discards
//! it: the gRPC layer answers DEADLINE_EXCEEDED.

use std::time::{Duration, Instant};

/// A deadline, or none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

/// How many loop rounds (sentences) pass between two looks at the clock:
/// reading it costs some 25 ns, a sentence's work a microsecond or more.
pub const CHECK_EVERY: usize = 32;

impl Deadline {
    /// No deadline: never expires.
    pub const NONE: Deadline = Deadline(None);

    /// Expires at `instant`.
    pub fn at(instant: Instant) -> Self {
        Self(Some(instant))
    }

    /// Expires `duration` from now (never, if that overflows the clock).
    pub fn after(duration: Duration) -> Self {
        Self(Instant::now().checked_add(duration))
    }

    /// The instant it expires at, if any.
    pub fn instant(&self) -> Option<Instant> {
        self.0
    }

    /// Whether it has passed.
    pub fn expired(&self) -> bool {
        self.0.is_some_and(|at| Instant::now() >= at)
    }

    /// Whether it has passed, looking at the clock only on every
    /// [`CHECK_EVERY`]th `round` of a loop.
    pub fn expired_at_round(&self, round: usize) -> bool {
        round.is_multiple_of(CHECK_EVERY) && self.expired()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_never_expires_and_past_instants_have() {
        assert!(!Deadline::NONE.expired());
        assert!(!Deadline::after(Duration::from_secs(3600)).expired());
        assert!(Deadline::at(Instant::now()).expired());
        assert!(Deadline::after(Duration::ZERO).expired_at_round(0));
        assert!(!Deadline::after(Duration::ZERO).expired_at_round(1));
        assert_eq!(Deadline::after(Duration::MAX), Deadline::NONE);
    }
}
