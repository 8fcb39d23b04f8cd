//! Benchmarks of `compare` on synthetic English news copy (`common`) of
//! about 5 KB and 1 MiB: the copy and an edited version of it (sentences
//! dropped, paragraphs swapped, words changed, boilerplate added).
//! Documents are analysed once outside the timed loop, as the service does
//! per request.
//!
//! Run with `cargo bench --bench compare`; `-- --test` runs each once.

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{Rng, news};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use textanalysis::compare::{CompareOptions, Thresholds, compare};
use textanalysis::text::{Document, Language, segment};

const SIZES: [(&str, usize); 2] = [("5KB", 5_000), ("1MiB", 1 << 20)];

/// `common::news` copy as sentences grouped by paragraph.
fn article(size: usize) -> Vec<Vec<String>> {
    news(size)
        .split("\n\n")
        .map(|p| {
            segment::sentences(p)
                .into_iter()
                .map(|span| p[span].to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// The edited copy: about 5% of sentences dropped, 5% of paragraphs swapped
/// with their neighbour, a word changed in 10% of sentences, boilerplate
/// after every 20th paragraph.
fn edited(paragraphs: &[Vec<String>], seed: u64) -> Vec<Vec<String>> {
    let mut rng = Rng(seed);
    let mut out: Vec<Vec<String>> = Vec::new();
    for (k, p) in paragraphs.iter().enumerate() {
        let mut q = Vec::new();
        for s in p {
            match rng.below(20) {
                0 => {}
                1 | 2 => q.push(s.replacen(" the ", " a ", 1).replacen("for", "over", 1)),
                _ => q.push(s.clone()),
            }
        }
        if !q.is_empty() {
            out.push(q);
        }
        if k % 20 == 19 {
            out.push(vec!["Leave a comment".to_string()]);
        }
    }
    for k in 0..out.len().saturating_sub(1) {
        if rng.below(20) == 0 {
            out.swap(k, k + 1);
        }
    }
    out
}

fn join(paragraphs: &[Vec<String>]) -> String {
    paragraphs
        .iter()
        .map(|p| p.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn benches(c: &mut Criterion) {
    let en = Language::from_code("en");
    let mut group = c.benchmark_group("compare");
    for (label, size) in SIZES {
        let original = article(size);
        let (a, b) = (join(&original), join(&edited(&original, 0xED17)));
        let (da, db) = (Document::analyze(&a, en), Document::analyze(&b, en));
        if size > 100_000 {
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(10));
        }
        group.throughput(Throughput::Bytes((a.len() + b.len()) as u64));
        let plain = CompareOptions::default();
        let all = CompareOptions {
            alignment: true,
            diff: true,
            signatures: true,
            thresholds: Thresholds::default(),
            keep_boilerplate: false,
        };
        group.bench_with_input(BenchmarkId::new("verdict", label), &(), |bench, _| {
            bench.iter(|| compare(black_box(&da), black_box(&db), &plain, None))
        });
        group.bench_with_input(BenchmarkId::new("everything", label), &(), |bench, _| {
            bench.iter(|| compare(black_box(&da), black_box(&db), &all, None))
        });
        let result = compare(&da, &db, &all, None).expect("a lexical comparison cannot fail");
        eprintln!(
            "{label}: {} + {} sentences, verdict {:?}, {} alignments, score {:.3}",
            da.sentences.len(),
            db.sentences.len(),
            result.verdict,
            result.alignments.len(),
            result.similarity.score
        );
    }
    group.finish();
}

criterion_group!(compare_benches, benches);
criterion_main!(compare_benches);
