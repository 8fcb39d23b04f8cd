//! Benchmarks of classification with the built-in news model on synthetic
//! news copy (`common`): the whole in-process path (analyse the text,
//! extract features, score) and its parts, and ad-hoc topics.
//!
//! Run with `cargo bench --bench classify`.

mod common;

use std::hint::black_box;

use common::news;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use textanalysis::classify::{adhoc, features, registry};
use textanalysis::text::{Language, Lexicon};

fn benches(c: &mut Criterion) {
    let model = registry::builtin().expect("the built-in model loads");
    let en = Language::from_code("en").expect("English is supported");
    // One lexicon for every run, as a server's worker keeps one: the
    // figures are steady state.
    let lexicon = &mut Lexicon::new();
    let mut group = c.benchmark_group("classify");
    for (label, size) in [("1KB", 1_000), ("5KB", 5_000)] {
        let text = news(size);
        common::configure(&mut group, text.len());
        group.bench_with_input(BenchmarkId::new("whole", label), &text, |b, text| {
            b.iter(|| model.classify_text(black_box(text), None, false, None, lexicon))
        });
        group.bench_with_input(BenchmarkId::new("detect", label), &text, |b, text| {
            b.iter(|| Language::detect(black_box(text)))
        });
        group.bench_with_input(
            BenchmarkId::new("features+model", label),
            &text,
            |b, text| {
                b.iter(|| model.classify(&features::extract(black_box(text), en, lexicon), false))
            },
        );
        let counts = features::extract(&text, en, lexicon);
        group.bench_with_input(BenchmarkId::new("model", label), &counts, |b, counts| {
            b.iter(|| model.classify(black_box(counts), false))
        });
        let keywords: Vec<String> = ["election", "minister", "parliament vote", "oil prices"]
            .iter()
            .map(|k| (*k).to_owned())
            .collect();
        let topics = [
            adhoc::Topic {
                label: "politics",
                keywords: &keywords[..3],
                examples: &[],
                description: "",
            },
            adhoc::Topic {
                label: "energy",
                keywords: &keywords[3..],
                examples: &[],
                description: "energy markets and fuel",
            },
        ];
        group.bench_with_input(
            BenchmarkId::new("adhoc-2-topics", label),
            &counts,
            |b, counts| {
                b.iter(|| {
                    adhoc::score(
                        black_box(counts),
                        en,
                        &topics,
                        |f| model.idf(f).unwrap_or_else(|| model.default_idf()),
                        lexicon,
                    )
                })
            },
        );
    }
    group.finish();
}

criterion_group!(classify_benches, benches);
criterion_main!(classify_benches);
