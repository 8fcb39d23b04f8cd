//! A fair share of admission for each caller: who holds the slots, whose
//! queued analysis runs next, and whose request gives way when the slots
//! run out.
//!
//! **Turns.** Each caller has its own queue, and the workers serve the
//! callers with queued analyses in turn by deficit round robin: a caller's
//! turn adds its weight to its credit, and each analysis taken costs one.
//! A caller of weight 2 runs two analyses a round where one of weight 1
//! runs one. The cost is counted in analyses, not in bytes or time: the
//! slot is taken before the text has arrived, and an analysis' time is
//! known only once it is over.
//!
//! **Shares.** The `max_in_flight + max_queued` slots are shared, not
//! split: a caller alone may hold all of them, so one caller's burst still
//! uses the whole server. When every slot is taken and a caller asks that
//! would still be within its share with one more slot (its share: the
//! slots times its weight, over the weights of the callers holding slots
//! and its own), the caller furthest over its share gives up its newest
//! slot that has not started running (still being read or queued): that
//! request is answered RESOURCE_EXHAUSTED, and the newcomer takes its
//! place. Any other caller is refused, as every request is when the
//! server is full and callers are not told apart. Either way one request
//! is refused; the share decides whose.
//!
//! Why eviction rather than fixed caps per caller: a steady caller that
//! sends one call at a time holds no slot between its calls, and a flood
//! takes every free slot within microseconds; caps fixed by the callers
//! seen would either leave slots idle or let the flood in first. Taking a
//! slot back only when someone under its share asks keeps every slot
//! usable and still gives the newcomer its place at once.
//!
//! **Limits.** A caller may also be held to at most N slots
//! (`--caller-max-slots`), refused beyond them even when slots are free:
//! for a batch job that must never take the server from the others.
//!
//! A request whose slot is given up leaves the count at once, though its
//! body stays in memory until its refusal is sent, a moment later: at most
//! one such request per newcomer admitted.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::caller::{Caller, CallerPolicy};

/// Why a reservation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// Every slot is taken, and one more would put the caller over its
    /// share (or nobody over theirs has a slot to give up).
    Full,
    /// The caller holds its `--caller-max-slots`.
    OverLimit,
}

/// A reservation's number: later reservations have larger ones.
pub(super) type Ticket = u64;

/// A slot that may still be given up: reserved and not yet running.
#[derive(Debug)]
struct Held<J> {
    ticket: Ticket,
    /// Set when the slot is given up, so that its request learns why.
    evicted: Arc<AtomicBool>,
    /// The analysis, once queued.
    job: Option<J>,
}

/// One caller's slots and queue.
#[derive(Debug)]
struct Account<J> {
    /// Slots held: reserved, queued, running or answering.
    held: usize,
    weight: u64,
    /// Analyses this caller may still take in its current turn.
    credit: u64,
    /// Reserved slots not yet running, oldest first.
    waiting: Vec<Held<J>>,
    /// Tickets of the queued ones among `waiting`, in the order they run.
    queue: VecDeque<Ticket>,
}

/// A reservation granted, and the caller that gave up a slot for it, with
/// that slot's analysis if it was queued (to be dropped once the lock is
/// released: dropping it releases its slot).
#[derive(Debug)]
pub(super) struct Granted<J> {
    pub ticket: Ticket,
    pub displaced: Option<Caller>,
    pub evicted: Option<J>,
}

/// The slots and per-caller queues; kept under admission's lock.
#[derive(Debug)]
pub(super) struct Ledger<J> {
    policy: CallerPolicy,
    capacity: usize,
    callers: HashMap<Caller, Account<J>>,
    /// Callers with queued analyses, in turn order; the first is served.
    turns: VecDeque<Caller>,
    /// Whether the first in `turns` has had its weight for this turn.
    turn_begun: bool,
    held: usize,
    queued: usize,
    next_ticket: Ticket,
}

impl<J> Ledger<J> {
    /// `capacity` slots shared by callers under `policy`.
    pub fn new(capacity: usize, policy: CallerPolicy) -> Self {
        Self {
            policy,
            capacity,
            callers: HashMap::new(),
            turns: VecDeque::new(),
            turn_begun: false,
            held: 0,
            queued: 0,
            next_ticket: 0,
        }
    }

    /// Analyses queued now.
    pub fn queued(&self) -> usize {
        self.queued
    }

    /// Slots held now.
    pub fn held(&self) -> usize {
        self.held
    }

    /// A slot for `caller`, whose request learns through `given_up` if it
    /// must give the slot up; when every slot is taken and `caller` is
    /// under its share, the slot of the caller furthest over its share.
    pub fn reserve(
        &mut self,
        caller: &Caller,
        given_up: Arc<AtomicBool>,
    ) -> Result<Granted<J>, Refusal> {
        let held = self.callers.get(caller).map_or(0, |a| a.held);
        if self.policy.max_slots(caller).is_some_and(|max| held >= max) {
            return Err(Refusal::OverLimit);
        }
        let (displaced, evicted) = if self.held >= self.capacity {
            let (victim, job) = self.evict_for(caller, held).ok_or(Refusal::Full)?;
            (Some(victim), job)
        } else {
            (None, None)
        };
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        let weight = self.policy.weight(caller);
        let account = self.callers.entry(caller.clone()).or_insert(Account {
            held: 0,
            weight,
            credit: 0,
            waiting: Vec::new(),
            queue: VecDeque::new(),
        });
        account.held += 1;
        account.waiting.push(Held {
            ticket,
            evicted: given_up,
            job: None,
        });
        self.held += 1;
        Ok(Granted {
            ticket,
            displaced,
            evicted,
        })
    }

    /// Takes back a slot for `caller`, which holds `held`, if one more
    /// keeps it within its share: the newest slot not yet running of the
    /// caller furthest over its own. That caller when a slot was taken back, with its
    /// analysis when it was queued.
    fn evict_for(&mut self, caller: &Caller, held: usize) -> Option<(Caller, Option<J>)> {
        let weight = self.policy.weight(caller);
        let mut total = if held == 0 { weight } else { 0 };
        total += self
            .callers
            .values()
            .filter(|a| a.held > 0)
            .map(|a| a.weight)
            .sum::<u64>();
        let capacity = self.capacity as u64;
        // Within its share once it has this slot too: (held + 1) / capacity
        // <= weight / total, in integers. Not merely under it before, or
        // two callers sharing an odd number of slots would take the odd
        // one from each other at every call.
        if (held as u64 + 1) * total > capacity * weight {
            return None;
        }
        let victim = self
            .callers
            .iter()
            .filter(|(c, a)| {
                *c != caller && !a.waiting.is_empty() && a.held as u64 * total > capacity * a.weight
            })
            // Furthest over: the largest held / weight.
            .max_by(|(_, a), (_, b)| (a.held as u64 * b.weight).cmp(&(b.held as u64 * a.weight)))
            .map(|(c, _)| c.clone())?;
        let account = self.callers.get_mut(&victim)?;
        let newest = account.waiting.pop()?;
        newest.evicted.store(true, Ordering::Release);
        account.held -= 1;
        self.held -= 1;
        if newest.job.is_some() {
            account.queue.retain(|t| *t != newest.ticket);
            self.queued -= 1;
            if account.queue.is_empty() {
                self.leave_turns(&victim);
            }
        }
        self.forget_if_idle(&victim);
        Some((victim, newest.job))
    }

    /// Queues `job` under its reservation; gives it back when that slot
    /// was taken back (or was never reserved).
    pub fn submit(&mut self, caller: &Caller, ticket: Ticket, job: J) -> Result<(), J> {
        let Some(account) = self.callers.get_mut(caller) else {
            return Err(job);
        };
        let Some(held) = account.waiting.iter_mut().find(|h| h.ticket == ticket) else {
            return Err(job);
        };
        if held.job.is_some() {
            return Err(job);
        }
        held.job = Some(job);
        account.queue.push_back(ticket);
        self.queued += 1;
        if account.queue.len() == 1 {
            self.turns.push_back(caller.clone());
        }
        Ok(())
    }

    /// The next analysis to run: the caller whose turn it is, by deficit
    /// round robin.
    pub fn next(&mut self) -> Option<J> {
        loop {
            let caller = self.turns.front()?.clone();
            let account = self.callers.get_mut(&caller)?;
            if !self.turn_begun {
                account.credit += account.weight;
                self.turn_begun = true;
            }
            if account.credit == 0 {
                // Turn over: the next caller's.
                self.turns.rotate_left(1);
                self.turn_begun = false;
                continue;
            }
            let ticket = account.queue.pop_front()?;
            account.credit -= 1;
            self.queued -= 1;
            let position = account.waiting.iter().position(|h| h.ticket == ticket)?;
            let job = account.waiting.remove(position).job;
            if account.queue.is_empty() {
                // No credit is saved while a caller has nothing queued.
                account.credit = 0;
                self.leave_turns(&caller);
            }
            return job;
        }
    }

    /// Removes the queued analyses `gone` says nobody waits for, and gives
    /// them back to be dropped once the lock is released (dropping one
    /// releases its slot unless its request still holds it).
    pub fn remove_queued(&mut self, gone: impl Fn(&J) -> bool) -> Vec<J> {
        let mut removed = Vec::new();
        let mut emptied = Vec::new();
        for (caller, account) in &mut self.callers {
            let before = removed.len();
            account.waiting.retain_mut(|held| match &held.job {
                Some(job) if gone(job) => {
                    removed.extend(held.job.take());
                    false
                }
                _ => true,
            });
            if removed.len() > before {
                let waiting = &account.waiting;
                account
                    .queue
                    .retain(|t| waiting.iter().any(|h| h.ticket == *t));
                if account.queue.is_empty() {
                    emptied.push(caller.clone());
                }
            }
        }
        self.queued -= removed.len();
        for caller in emptied {
            self.leave_turns(&caller);
        }
        removed
    }

    /// Releases `caller`'s slot `ticket` (its request has been answered
    /// and its analysis, if any, has stopped).
    pub fn release(&mut self, caller: &Caller, ticket: Ticket) {
        let Some(account) = self.callers.get_mut(caller) else {
            return;
        };
        // A slot whose analysis was never queued, or was removed unrun.
        account.waiting.retain(|h| h.ticket != ticket);
        account.held = account.held.saturating_sub(1);
        self.held = self.held.saturating_sub(1);
        self.forget_if_idle(caller);
    }

    /// Slots held and analyses queued by each caller holding a slot.
    pub fn by_caller(&self) -> Vec<(Caller, usize, usize)> {
        self.callers
            .iter()
            .map(|(c, a)| (c.clone(), a.held, a.queue.len()))
            .collect()
    }

    fn leave_turns(&mut self, caller: &Caller) {
        if let Some(at) = self.turns.iter().position(|c| c == caller) {
            self.turns.remove(at);
            if at == 0 {
                self.turn_begun = false;
            }
        }
        if let Some(account) = self.callers.get_mut(caller) {
            account.credit = 0;
        }
    }

    /// Forgets a caller holding nothing, so the map holds at most one
    /// entry per slot.
    fn forget_if_idle(&mut self, caller: &Caller) {
        if self
            .callers
            .get(caller)
            .is_some_and(|a| a.held == 0 && a.waiting.is_empty())
        {
            self.callers.remove(caller);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(name: &str) -> Caller {
        Caller::new(name).unwrap()
    }

    /// Reserves and queues job `job` for `who`.
    fn queue(ledger: &mut Ledger<&'static str>, who: &str, job: &'static str) -> Ticket {
        let granted = ledger.reserve(&caller(who), Arc::default()).unwrap();
        ledger.submit(&caller(who), granted.ticket, job).unwrap();
        granted.ticket
    }

    fn drain(ledger: &mut Ledger<&'static str>) -> Vec<&'static str> {
        std::iter::from_fn(|| ledger.next()).collect()
    }

    #[test]
    fn callers_take_turns_each_in_its_own_order() {
        let mut ledger = Ledger::new(10, CallerPolicy::default());
        for job in ["a1", "a2", "a3", "a4"] {
            queue(&mut ledger, "a", job);
        }
        queue(&mut ledger, "b", "b1");
        queue(&mut ledger, "b", "b2");
        queue(&mut ledger, "c", "c1");
        assert_eq!(ledger.queued(), 7);
        assert_eq!(
            drain(&mut ledger),
            ["a1", "b1", "c1", "a2", "b2", "a3", "a4"]
        );
        assert_eq!(ledger.queued(), 0);
    }

    #[test]
    fn a_newcomer_waits_for_its_turn_not_for_the_queue() {
        let mut ledger = Ledger::new(10, CallerPolicy::default());
        for job in ["a1", "a2", "a3"] {
            queue(&mut ledger, "a", job);
        }
        assert_eq!(ledger.next(), Some("a1"));
        queue(&mut ledger, "b", "b1");
        assert_eq!(drain(&mut ledger), ["b1", "a2", "a3"]);
    }

    #[test]
    fn weights_give_turns_in_proportion() {
        let policy = CallerPolicy::new([("heavy".to_owned(), 3)], []);
        let mut ledger = Ledger::new(20, policy);
        for job in ["h1", "h2", "h3", "h4", "h5", "h6"] {
            queue(&mut ledger, "heavy", job);
        }
        for job in ["l1", "l2", "l3"] {
            queue(&mut ledger, "light", job);
        }
        assert_eq!(
            drain(&mut ledger),
            ["h1", "h2", "h3", "l1", "h4", "h5", "h6", "l2", "l3"]
        );
    }

    #[test]
    fn a_caller_under_its_share_takes_the_newest_waiting_slot_of_the_one_over() {
        let mut ledger = Ledger::new(4, CallerPolicy::default());
        let flags: Vec<Arc<AtomicBool>> = (0..4).map(|_| Arc::default()).collect();
        for (i, flag) in flags.iter().enumerate() {
            let granted = ledger.reserve(&caller("flood"), flag.clone()).unwrap();
            // Three are queued, the last is still being read.
            if i < 3 {
                let job = ["running", "queued", "newest queued"][i];
                ledger
                    .submit(&caller("flood"), granted.ticket, job)
                    .unwrap();
            }
        }
        assert_eq!(ledger.next(), Some("running"));
        // Full: the steady caller (share 2 of 4) takes the newest slot.
        let first = ledger.reserve(&caller("steady"), Arc::default()).unwrap();
        assert_eq!(first.displaced, Some(caller("flood")));
        assert!(first.evicted.is_none(), "that slot had no analysis yet");
        assert!(flags[3].load(Ordering::Acquire));
        assert!(!flags[2].load(Ordering::Acquire));
        assert_eq!(ledger.held(), 4);
        // Its request learns it when it submits.
        assert_eq!(ledger.submit(&caller("flood"), 3, "late"), Err("late"));
        // A second slot: the newest queued analysis gives way.
        let second = ledger.reserve(&caller("steady"), Arc::default()).unwrap();
        assert_eq!(second.evicted, Some("newest queued"));
        assert!(flags[2].load(Ordering::Acquire));
        assert_eq!(ledger.queued(), 1);
        // Not a third: two of four is its share.
        assert_eq!(
            ledger
                .reserve(&caller("steady"), Arc::default())
                .unwrap_err(),
            Refusal::Full
        );
        // Nor may the flood take one back: it is at its share, and the
        // steady caller is not over its own.
        assert_eq!(
            ledger
                .reserve(&caller("flood"), Arc::default())
                .unwrap_err(),
            Refusal::Full
        );
        ledger
            .submit(&caller("steady"), second.ticket, "steady")
            .unwrap();
        // The flood has had its turn: the steady caller runs first.
        assert_eq!(drain(&mut ledger), ["steady", "queued"]);
    }

    #[test]
    fn two_floods_settle_instead_of_taking_the_odd_slot_in_turn() {
        let mut ledger: Ledger<&str> = Ledger::new(5, CallerPolicy::default());
        for _ in 0..5 {
            ledger.reserve(&caller("a"), Arc::default()).unwrap();
        }
        for _ in 0..2 {
            let granted = ledger.reserve(&caller("b"), Arc::default()).unwrap();
            assert_eq!(granted.displaced, Some(caller("a")));
        }
        // Three and two: one more would put either over two and a half.
        for who in ["b", "a"] {
            let refused = ledger.reserve(&caller(who), Arc::default());
            assert_eq!(refused.unwrap_err(), Refusal::Full, "{who}");
        }
    }

    #[test]
    fn the_share_counts_weights() {
        let policy = CallerPolicy::new([("big".to_owned(), 3)], []);
        let mut ledger: Ledger<&str> = Ledger::new(4, policy);
        for _ in 0..4 {
            ledger.reserve(&caller("small"), Arc::default()).unwrap();
        }
        // big's share is 3 of 4: it takes three slots, not a fourth.
        for _ in 0..3 {
            ledger.reserve(&caller("big"), Arc::default()).unwrap();
        }
        assert_eq!(
            ledger.reserve(&caller("big"), Arc::default()).unwrap_err(),
            Refusal::Full
        );
        let by: HashMap<_, _> = ledger
            .by_caller()
            .into_iter()
            .map(|(c, held, _)| (c.as_str().to_owned(), held))
            .collect();
        assert_eq!(by["big"], 3);
        assert_eq!(by["small"], 1);
    }

    #[test]
    fn a_limit_refuses_even_with_slots_free_and_releases_count() {
        let policy = CallerPolicy::new([], [("batch".to_owned(), 2)]);
        let mut ledger: Ledger<&str> = Ledger::new(10, policy);
        let first = ledger.reserve(&caller("batch"), Arc::default()).unwrap();
        ledger.reserve(&caller("batch"), Arc::default()).unwrap();
        assert_eq!(
            ledger
                .reserve(&caller("batch"), Arc::default())
                .unwrap_err(),
            Refusal::OverLimit
        );
        ledger.release(&caller("batch"), first.ticket);
        assert!(ledger.reserve(&caller("batch"), Arc::default()).is_ok());
        assert!(ledger.reserve(&caller("other"), Arc::default()).is_ok());
    }

    #[test]
    fn released_and_removed_slots_leave_nothing_behind() {
        let mut ledger = Ledger::new(10, CallerPolicy::default());
        let a = queue(&mut ledger, "a", "gone");
        let b = queue(&mut ledger, "b", "kept");
        let removed = ledger.remove_queued(|job| *job == "gone");
        assert_eq!(removed, ["gone"]);
        ledger.release(&caller("a"), a);
        assert_eq!(ledger.next(), Some("kept"));
        ledger.release(&caller("b"), b);
        assert_eq!(ledger.held(), 0);
        assert_eq!(ledger.queued(), 0);
        assert!(ledger.by_caller().is_empty());
        assert!(ledger.turns.is_empty());
    }
}
