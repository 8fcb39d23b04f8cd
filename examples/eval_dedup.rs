//! Measures near-duplicate detection within a stream ([`textanalysis::dedup`])
//! on a stream that `scripts/make-dedup-stream.py` writes: every item is
//! analysed with one [`Lexicon`], fingerprinted as Compare sees it (furniture
//! removed), and checked against the window of the items before it, with the
//! default window and threshold. Prints:
//!
//! - edited repeats marked with the right original, of all edited repeats;
//! - wrong marks: a distinct article marked, or a repeat marked with another
//!   item than its original;
//! - the estimated resemblance of each repeat with its original (min,
//!   median), whether or not the window found it;
//! - the highest resemblance of a false candidate: the best earlier item
//!   the window offers that is not the item's original (only the best
//!   candidate of each item is seen);
//! - items per second of the dedup step alone (the analysis and the
//!   fingerprint are timed apart), and the index's bytes at the end.
//!
//! ```text
//! scripts/eval-dedup.sh
//! cargo run --release --example eval_dedup -- STREAM.jsonl [--capacity N]
//! ```

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use textanalysis::compare::{FINGERPRINT_VALUES, Fingerprint, fingerprint};
use textanalysis::deadline::Deadline;
use textanalysis::dedup::{
    DEFAULT_CAPACITY, DEFAULT_THRESHOLD, DedupWindow, approx_bytes_per_item, resemblance,
};
use textanalysis::text::{Document, Language, Lexicon};

#[derive(serde::Deserialize)]
struct Item {
    id: String,
    text: String,
    repeat_of: Option<String>,
    /// Set on the copies `--repeat-until` cycles through: the base
    /// article's id, which begins the id of each of its copies.
    #[serde(default)]
    copy_of: Option<String>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--") && !a.chars().all(|c| c.is_ascii_digit()))
        .expect("usage: eval_dedup STREAM.jsonl [--capacity N]");
    let capacity = args
        .iter()
        .position(|a| a == "--capacity")
        .and_then(|i| args.get(i + 1))
        .map_or(DEFAULT_CAPACITY, |n| n.parse().expect("--capacity N"));
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let items: Vec<Item> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a stream item"))
        .collect();
    // The fingerprints of originals are kept to measure each repeat's
    // resemblance, found or not.
    let originals: HashSet<&str> = items
        .iter()
        .filter_map(|i| i.repeat_of.as_deref())
        .collect();
    let mut kept: HashMap<&str, Fingerprint> = HashMap::new();

    let mut lexicon = Lexicon::new();
    let mut window = DedupWindow::new(capacity);
    let (mut analysis, mut dedup) = (Duration::ZERO, Duration::ZERO);
    let (mut repeats, mut found, mut wrong_original, mut distinct_marked) = (0, 0, 0, 0);
    let mut repeat_resemblance = Vec::new();
    let mut false_best: Option<(f64, String, String)> = None;
    let mut key_bytes = 0usize;
    let (mut copies, mut copies_found) = (0, 0);
    for item in &items {
        let start = Instant::now();
        let doc = Document::analyze_with(
            &item.text,
            Language::from_code("en"),
            &mut lexicon,
            Deadline::NONE,
        );
        let fp = fingerprint(&doc, false);
        analysis += start.elapsed();

        // Threshold 0 returns the best candidate whatever its resemblance;
        // the default threshold is applied here, so the false candidates'
        // resemblances are seen too.
        let start = Instant::now();
        let best = window.check_and_insert(item.id.clone(), &fp, 0.0);
        dedup += start.elapsed();
        key_bytes = key_bytes.max(item.id.len());

        let marked = best.as_ref().filter(|m| m.resemblance >= DEFAULT_THRESHOLD);
        if let Some(base) = &item.copy_of {
            copies += 1;
            if marked.is_some_and(|m| m.key.split('~').next() == Some(base.as_str())) {
                copies_found += 1;
            }
            continue;
        }
        match (&item.repeat_of, marked) {
            (Some(original), Some(m)) if &m.key == original => found += 1,
            (Some(original), Some(m)) => {
                wrong_original += 1;
                println!(
                    "wrong original: {} marked with {} ({:.3}), not {original}",
                    item.id, m.key, m.resemblance
                );
            }
            (Some(original), None) => println!("missed: {} (original {original})", item.id),
            (None, Some(m)) => {
                distinct_marked += 1;
                println!(
                    "distinct marked: {} with {} ({:.3})",
                    item.id, m.key, m.resemblance
                );
            }
            (None, None) => {}
        }
        if let Some(b) = &best
            && item.repeat_of.as_deref() != Some(b.key.as_str())
            && false_best
                .as_ref()
                .is_none_or(|(r, _, _)| b.resemblance > *r)
        {
            false_best = Some((b.resemblance, item.id.clone(), b.key.clone()));
        }
        if let Some(original) = &item.repeat_of {
            repeats += 1;
            if let Some(o) = kept.get(original.as_str()) {
                let equal = o
                    .values()
                    .iter()
                    .zip(fp.values())
                    .filter(|(a, b)| a == b)
                    .count();
                let j = equal as f64 / FINGERPRINT_VALUES as f64;
                repeat_resemblance.push(resemblance(j, o.shingles(), fp.shingles()));
            }
        }
        if originals.contains(item.id.as_str()) {
            kept.insert(&item.id, fp);
        }
    }

    repeat_resemblance.sort_by(f64::total_cmp);
    let n = items.len() as f64;
    println!(
        "items: {}, window {capacity}, threshold {DEFAULT_THRESHOLD}",
        items.len()
    );
    println!("edited repeats marked with their original: {found} / {repeats}");
    if copies > 0 {
        println!("cycled copies marked with a copy of their article: {copies_found} / {copies}");
    }
    println!(
        "wrong marks: {} ({distinct_marked} distinct articles marked, {wrong_original} repeats marked with another item)",
        distinct_marked + wrong_original
    );
    if let (Some(min), Some(median)) = (
        repeat_resemblance.first(),
        repeat_resemblance.get(repeat_resemblance.len() / 2),
    ) {
        println!("resemblance of repeats with their originals: min {min:.3}, median {median:.3}");
    }
    match false_best {
        Some((r, item, key)) => println!("highest false candidate: {r:.3} ({item} with {key})"),
        None => println!("highest false candidate: none"),
    }
    println!(
        "dedup step: {:.0} items/s ({:.1} µs an item); analysis and fingerprint: {:.0} items/s",
        n / dedup.as_secs_f64(),
        dedup.as_secs_f64() * 1e6 / n,
        n / analysis.as_secs_f64()
    );
    println!(
        "index at the end: {} items, {:.2} MB ({} bytes an item, keys' heap not counted; bound {} bytes an item with 16-byte keys; longest key {key_bytes} bytes)",
        window.len(),
        window.approx_bytes() as f64 / 1e6,
        window.approx_bytes() / window.len().max(1),
        approx_bytes_per_item::<String>()
    );
}
