//! Measures Summarize's query focus by words and by meaning on queries
//! written as paraphrases: each query of `examples/queries/paraphrases.jsonl`
//! asks, in words of its own, about one sentence of a CNN/DailyMail
//! article of `cnndm_dev100.jsonl` (named by the FNV-1a hash of its text,
//! so that no text of the data is kept here). Each article is summarized
//! with the default algorithm three ways: without the query, with the query
//! read by its words (lexical mode), and with it read by meaning (the
//! sentence encoder); the figures are how often the one-sentence summary is
//! the sentence asked about, and the target's mean reciprocal rank.
//!
//! Then each query is sent with the next article, which it is not about:
//! how often it still biases the summary (`query_used`) tells whether
//! [`MIN_QUERY_COSINE`] keeps unrelated queries out, and the largest
//! cosine of a query with a sentence, for its own article and for the
//! other, shows where that floor sits.
//!
//! ```text
//! cargo run --release --example eval_query -- ../shared/data [MODEL_DIR]
//! ```

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use textanalysis::deadline::Deadline;
use textanalysis::encoder::Encoder;
use textanalysis::semantic::{EmbedError, Embedder, EmbedderInfo, Embedding, cosine};
use textanalysis::summarize::query::MIN_QUERY_COSINE;
use textanalysis::summarize::{Order, SummarizeOptions, summarize};
use textanalysis::text::{Document, Language, View};

/// The queries, relative to the crate.
const QUERIES: &str = "examples/queries/paraphrases.jsonl";

/// The encoder with a cache: the three readings and the cross-article
/// check embed the same sentences again, which the encoder would redo.
#[derive(Debug)]
struct Cached {
    encoder: Encoder,
    cache: Mutex<HashMap<String, Embedding>>,
}

impl Embedder for Cached {
    fn info(&self) -> &EmbedderInfo {
        self.encoder.info()
    }

    fn embed(&self, texts: &[&str], deadline: Deadline) -> Result<Vec<Embedding>, EmbedError> {
        let mut cache = self.cache.lock().expect("no panic while holding the cache");
        let missing: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| !cache.contains_key(*t))
            .collect();
        if !missing.is_empty() {
            let embedded = self.encoder.embed(&missing, deadline)?;
            for (text, embedding) in missing.into_iter().zip(embedded) {
                cache.insert(text.to_owned(), embedding);
            }
        }
        Ok(texts.iter().map(|t| cache[*t].clone()).collect())
    }
}

/// FNV-1a, 64 bits, of `text`'s UTF-8 bytes, in hexadecimal: how the
/// queries file names a sentence without holding its text.
fn fnv(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    format!("{hash:016x}")
}

/// One query of the file, with its article.
struct Query {
    article: String,
    target: String,
    text: String,
}

/// How one reading of the queries did.
#[derive(Default)]
struct Tally {
    hits: usize,
    reciprocal_ranks: f64,
    used: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args.next().unwrap_or_else(|| "../shared/data".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let model = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("models/encoder/all-MiniLM-L6-v2"));
    let encoder = Cached {
        encoder: Encoder::load(&model)?,
        cache: Mutex::default(),
    };

    let mut articles = HashMap::new();
    for line in std::fs::read_to_string(format!("{data}/cnndm_dev100.jsonl"))?.lines() {
        let row: serde_json::Value = serde_json::from_str(line)?;
        let (Some(id), Some(article)) = (row["id"].as_str(), row["article"].as_str()) else {
            return Err("a row without `id` or `article`".into());
        };
        articles.insert(id.to_owned(), article.to_owned());
    }
    let mut queries = Vec::new();
    for line in std::fs::read_to_string(root.join(QUERIES))?.lines() {
        let row: serde_json::Value = serde_json::from_str(line)?;
        let field = |name: &str| {
            row[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("a query without `{name}`: {line}"))
        };
        let id = field("id")?;
        queries.push(Query {
            article: articles
                .get(&id)
                .cloned()
                .ok_or_else(|| format!("no article {id} in the data"))?,
            target: field("sentence")?,
            text: field("query")?,
        });
    }

    let english = Language::from_code("en");
    let docs: Vec<Document<'_>> = queries
        .iter()
        .map(|q| Document::analyze(&q.article, english))
        .collect();
    let ranking = |doc: &Document<'_>, query: Option<&str>, embedder: Option<&dyn Embedder>| {
        let options = SummarizeOptions {
            max_sentences: doc.sentences.len(),
            order: Order::Rank,
            query: query.map(str::to_owned),
            ..Default::default()
        };
        summarize(doc, &options, embedder).expect("the default algorithm summarizes")
    };

    let readings: [(&str, bool, Option<&dyn Embedder>); 3] = [
        ("none", false, None),
        ("by its words (lexical mode)", true, None),
        ("by meaning (sentence encoder)", true, Some(&encoder)),
    ];
    let mut tallies: Vec<Tally> = readings.iter().map(|_| Tally::default()).collect();
    let mut own_cosines = Vec::new();
    for (query, doc) in queries.iter().zip(&docs) {
        let view = View::without_furniture(doc);
        let target = (0..view.len())
            .find(|&i| fnv(view.text(i)) == query.target)
            .map(|i| view.sentences[i].index)
            .ok_or_else(|| {
                format!(
                    "no sentence {} in the article of \"{}\": has the segmentation changed?",
                    query.target, query.text
                )
            })?;
        for ((_, with_query, embedder), tally) in readings.iter().zip(&mut tallies) {
            let summary = ranking(doc, with_query.then_some(&query.text), *embedder);
            let rank = summary
                .sentences
                .iter()
                .position(|s| s.index == target)
                .map_or(0.0, |r| 1.0 / (r + 1) as f64);
            tally.hits += usize::from(rank == 1.0);
            tally.reciprocal_ranks += rank;
            tally.used += usize::from(summary.query_used);
        }
        own_cosines.push(largest_cosine(&encoder, &view, &query.text)?);
    }

    let n = queries.len();
    println!(
        "{n} queries, each a paraphrase of one sentence of its article; the default algorithm, \
         furniture removed\n"
    );
    println!(
        "| query read | the 1-sentence summary is the sentence asked about | mean reciprocal rank | query used |"
    );
    println!("|---|---:|---:|---:|");
    for ((name, _, _), tally) in readings.iter().zip(&tallies) {
        println!(
            "| {name} | {} of {n} ({:.0}%) | {:.3} | {} |",
            tally.hits,
            100.0 * tally.hits as f64 / n as f64,
            tally.reciprocal_ranks / n as f64,
            tally.used
        );
    }

    // Each query with the next article, which it is not about.
    let mut other_cosines = Vec::new();
    let (mut by_words, mut by_meaning, mut changed) = (0, 0, 0);
    for (k, query) in queries.iter().enumerate() {
        let doc = &docs[(k + 1) % n];
        let plain = ranking(doc, None, None);
        let words = ranking(doc, Some(&query.text), None);
        let meaning = ranking(doc, Some(&query.text), Some(&encoder));
        by_words += usize::from(words.query_used);
        by_meaning += usize::from(meaning.query_used);
        changed += usize::from(first(&meaning) != first(&plain));
        other_cosines.push(largest_cosine(
            &encoder,
            &View::without_furniture(doc),
            &query.text,
        )?);
    }
    println!(
        "\nEach query with the next article, which it is not about: it biased the summary by \
         words {by_words} times and by meaning {by_meaning} times of {n} (the first sentence \
         changed {changed} times)."
    );
    println!(
        "Largest cosine of a query with a sentence (the floor MIN_QUERY_COSINE is {MIN_QUERY_COSINE}): \
         its own article {}, another article {} (minimum / median / maximum).",
        spread(&mut own_cosines),
        spread(&mut other_cosines)
    );
    Ok(())
}

/// The index of a summary's best sentence.
fn first(summary: &textanalysis::summarize::Summary) -> Option<usize> {
    summary.sentences.first().map(|s| s.index)
}

/// The largest cosine of `query` with a sentence of `view`.
fn largest_cosine(encoder: &Cached, view: &View<'_, '_>, query: &str) -> Result<f64, EmbedError> {
    let mut texts: Vec<&str> = (0..view.len()).map(|i| view.text(i)).collect();
    texts.push(query);
    let embeddings = encoder.embed(&texts, Deadline::NONE)?;
    let (query, sentences) = embeddings.split_last().expect("the query's embedding");
    Ok(sentences
        .iter()
        .map(|s| f64::from(cosine(query, s)))
        .fold(f64::NEG_INFINITY, f64::max))
}

/// `min / median / max` of `values`, to two decimals.
fn spread(values: &mut [f64]) -> String {
    values.sort_by(f64::total_cmp);
    match values {
        [] => "–".into(),
        _ => format!(
            "{:.2} / {:.2} / {:.2}",
            values[0],
            values[values.len() / 2],
            values[values.len() - 1]
        ),
    }
}
