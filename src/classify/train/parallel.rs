//! A parallel map over indexes on all available cores. Results come back in
//! index order whatever the number of threads, which keeps training
//! deterministic; progress is reported on the calling thread so that the
//! caller's callback need not be `Send`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// `f(0..n)` on all cores, in index order; `progress(done)` runs on the
/// calling thread as results arrive. Each thread makes its own `state`
/// first and passes it to each of its calls of `f` (a lexicon, which
/// remembers the terms of the word forms the thread has met).
pub(super) fn parallel_map<S, T: Send>(
    n: usize,
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, usize) -> T + Sync,
    progress: &mut dyn FnMut(usize),
) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(n.max(1));
    let mut results: Vec<Option<T>> = std::iter::repeat_with(|| None).take(n).collect();
    if threads <= 1 {
        let mut state = state();
        for (i, slot) in results.iter_mut().enumerate() {
            *slot = Some(f(&mut state, i));
            progress(i + 1);
        }
        return results.into_iter().flatten().collect();
    }
    let next = AtomicUsize::new(0);
    let chunk = (n / (threads * 16)).clamp(1, 64);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, Vec<T>)>();
        for _ in 0..threads {
            let sender = sender.clone();
            let (next, f, state) = (&next, &f, &state);
            scope.spawn(move || {
                let mut state = state();
                loop {
                    let start = next.fetch_add(chunk, Ordering::Relaxed);
                    if start >= n {
                        break;
                    }
                    let end = (start + chunk).min(n);
                    let batch = (start..end).map(|i| f(&mut state, i)).collect();
                    if sender.send((start, batch)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut done = 0;
        for (start, batch) in receiver {
            done += batch.len();
            for (k, value) in batch.into_iter().enumerate() {
                results[start + k] = Some(value);
            }
            progress(done);
        }
    });
    results.into_iter().flatten().collect()
}
