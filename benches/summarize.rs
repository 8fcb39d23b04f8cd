//! Benchmarks of the text pipeline, of furniture removal, of every
//! summarization algorithm (default options: furniture removed, 3
//! sentences) and of the default with key phrases, on synthetic English
//! news copy (`common`) of about 5 KB, 100 KB and 1 MiB.
//!
//! Run with `cargo bench --bench summarize`; `-- --test` runs every
//! benchmark once as a smoke test.

mod common;

use std::hint::black_box;

use common::{SIZES, configure, news};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use textanalysis::summarize::{Algorithm, SummarizeOptions, summarize};
use textanalysis::text::{Document, Language, Lexicon, View, segment};

fn benches(c: &mut Criterion) {
    let inputs: Vec<(&str, String)> = SIZES
        .iter()
        .map(|&(label, size)| (label, news(size)))
        .collect();
    let english = Language::from_code("en");

    let mut group = c.benchmark_group("segment");
    for (label, text) in &inputs {
        configure(&mut group, text.len());
        group.bench_with_input(
            BenchmarkId::from_parameter(label),
            text.as_str(),
            |b, text| b.iter(|| segment::sentences(black_box(text))),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("analyze");
    // One lexicon for every run, as a server's worker keeps one: the
    // figures are steady state.
    let lexicon = &mut Lexicon::new();
    for (label, text) in &inputs {
        configure(&mut group, text.len());
        group.bench_with_input(
            BenchmarkId::from_parameter(label),
            text.as_str(),
            |b, text| {
                b.iter(|| {
                    Document::analyze_with(black_box(text), english, lexicon, Default::default())
                })
            },
        );
    }
    group.finish();

    let docs: Vec<(&str, Document<'_>)> = inputs
        .iter()
        .map(|(label, text)| (*label, Document::analyze(text, english)))
        .collect();
    // Furniture removal alone (every `summarize/*` below includes it, as
    // the service's default does).
    let mut group = c.benchmark_group("furniture");
    for (label, doc) in &docs {
        configure(&mut group, doc.text.len());
        group.bench_with_input(BenchmarkId::from_parameter(label), doc, |b, doc| {
            b.iter(|| View::without_furniture(black_box(doc)))
        });
    }
    group.finish();

    // Each algorithm with the default options, then the default summary
    // with 10 key phrases: what Analyze's summary part and Summarize with
    // `max_keyphrases` run; its difference from `summarize/PacSum` is the
    // key phrases' cost.
    let cases = Algorithm::LEXICAL
        .into_iter()
        .map(|algorithm| {
            let options = SummarizeOptions {
                algorithm,
                ..Default::default()
            };
            (format!("summarize/{algorithm:?}"), options)
        })
        .chain(std::iter::once((
            "summarize/PacSum+keyphrases".to_owned(),
            SummarizeOptions {
                keyphrases: 10,
                ..Default::default()
            },
        )));
    for (name, options) in cases {
        let mut group = c.benchmark_group(name);
        for (label, doc) in &docs {
            configure(&mut group, doc.text.len());
            group.bench_with_input(BenchmarkId::from_parameter(label), doc, |b, doc| {
                b.iter(|| summarize(black_box(doc), &options, None))
            });
        }
        group.finish();
    }
}

criterion_group!(summarize_benches, benches);
criterion_main!(summarize_benches);
