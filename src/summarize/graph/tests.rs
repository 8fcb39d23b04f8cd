//! Tests of the whole module: the vectors, the edges the builder finds
//! and keeps under each cap, the rows [`Graph::from_edges`] merges, and
//! PageRank and centrality on small graphs and documents.

use super::*;
use crate::text::{Document, Language, TermId};

fn analyze(text: &str) -> Document<'_> {
    Document::analyze(text, Language::from_code("en"))
}

fn term(doc: &Document<'_>, word: &str) -> TermId {
    doc.vocabulary.iter().position(|t| t == word).unwrap() as TermId
}

fn cosine(v: &SentenceVectors, i: usize, j: usize, stats: PairStats) -> f64 {
    stats.dot / (v.norm(i) * v.norm(j))
}

fn shares_a_term(v: &SentenceVectors, i: usize, j: usize) -> bool {
    v.terms(i).iter().any(|t| v.terms(j).contains(t))
}

/// Ten sentences about markets, each sharing words with several others.
const MARKETS: &str = "Stock markets rallied in Tokyo. \
    Tokyo traders bought bank shares. \
    Bank shares climbed after profits rose. \
    Profits at the largest bank doubled. \
    Investors cheered the bank profits. \
    Markets in London followed Tokyo. \
    London traders sold mining shares. \
    Mining profits fell sharply. \
    Investors in London stayed cautious. \
    Cautious traders waited for the central bank.";

#[test]
fn vectors_hold_distinct_tf_idf_and_norms() {
    let doc = analyze("Cats chase cats and mice. Dogs sleep.");
    let v = SentenceVectors::new(&doc);
    assert_eq!(v.len(), 2);
    let cat = term(&doc, "cat");
    let terms = v.terms(0);
    assert_eq!(terms, [cat, term(&doc, "chase"), term(&doc, "mice")]);
    let p = terms.iter().position(|&t| t == cat).unwrap();
    assert!((v.weights(0)[p] - 2.0 * doc.idf(cat)).abs() < 1e-12);
    assert_eq!(v.term_count(0), 4);
    let norm: f64 = v.weights(0).iter().map(|w| w * w).sum::<f64>().sqrt();
    assert!((v.norm(0) - norm).abs() < 1e-12);
}

#[test]
fn edges_join_only_sentences_that_share_a_term() {
    let doc = analyze(MARKETS);
    let v = SentenceVectors::new(&doc);
    let graph = Graph::build(&v, |i, j, s| cosine(&v, i, j, s));
    let mut edges = 0;
    for i in 0..graph.len() {
        for &(j, w) in graph.neighbours(i) {
            assert_ne!(i, j);
            assert!(shares_a_term(&v, i, j), "edge {i}-{j} without shared term");
            assert!(w.is_finite() && w > 0.0);
            let back = graph.neighbours(j).iter().find(|&&(k, _)| k == i);
            assert_eq!(back.map(|&(_, w)| w), Some(w), "edge {i}-{j} not symmetric");
            edges += 1;
        }
    }
    // Short document: the caps never bite, so every pair with a shared
    // term is linked.
    let pairs = (0..v.len())
        .flat_map(|i| (0..v.len()).map(move |j| (i, j)))
        .filter(|&(i, j)| i != j && shares_a_term(&v, i, j))
        .count();
    assert_eq!(edges, pairs);
}

#[test]
fn pair_stats_count_shared_terms_and_dot_product() {
    let doc = analyze("Bank profits rose. Bank profits fell. Weather was mild.");
    let v = SentenceVectors::new(&doc);
    let graph = Graph::build(&v, |i, j, s| {
        let expected = v.dot_by_search(i, j);
        assert_eq!(s.shared_terms, 2);
        assert!((s.dot - expected).abs() < 1e-12);
        1.0
    });
    assert_eq!(graph.neighbours(0), &[(1, 1.0)]);
    assert!(graph.neighbours(2).is_empty());
}

#[test]
fn capped_terms_generate_no_candidates_but_still_weigh() {
    // "market" is in 4 sentences, over a cap of 3; "bond" in 2.
    let doc = analyze(
        "Market bond yields rose. Market traders slept. \
         Market bond buyers left. Market closed early.",
    );
    let v = SentenceVectors::new(&doc);
    let limits = Limits {
        max_postings: 3,
        max_neighbours: MAX_NEIGHBOURS,
    };
    let graph = Graph::build_with(&v, limits, |_, _, s| f64::from(s.shared_terms));
    // Only the pair linked by "bond" is an edge, and "market" counts in it.
    assert_eq!(graph.neighbours(0), &[(2, 2.0)]);
    assert_eq!(graph.neighbours(2), &[(0, 2.0)]);
    assert!(graph.neighbours(1).is_empty());
    assert!(graph.neighbours(3).is_empty());
    // Without the cap "market" links everything.
    let uncapped = Graph::build(&v, |_, _, s| f64::from(s.shared_terms));
    assert_eq!(uncapped.neighbours(1).len(), 3);
}

#[test]
fn each_sentence_keeps_at_most_max_neighbours() {
    let doc = analyze(MARKETS);
    let v = SentenceVectors::new(&doc);
    let n = v.len();
    for k in [0, 1, 2, 3] {
        let limits = Limits {
            max_postings: MAX_POSTINGS,
            max_neighbours: k,
        };
        let graph = Graph::build_with(&v, limits, |i, j, s| cosine(&v, i, j, s));
        let entries: usize = (0..n).map(|i| graph.neighbours(i).len()).sum();
        // Each sentence contributes at most k edges, each stored twice.
        assert!(entries <= 2 * n * k, "k = {k}: {entries} row entries");
        // And every edge is among the k strongest of one of its ends.
        let full = Graph::build(&v, |i, j, s| cosine(&v, i, j, s));
        for i in 0..n {
            for &(j, w) in graph.neighbours(i) {
                let stronger =
                    |a: usize| full.neighbours(a).iter().filter(|&&(_, x)| x > w).count();
                assert!(stronger(i) < k || stronger(j) < k);
            }
        }
    }
}

#[test]
fn default_cap_bounds_edges_on_a_long_repetitive_document() {
    let text = "Officials met traders in Tokyo. ".repeat(300);
    let doc = analyze(&text);
    let v = SentenceVectors::new(&doc);
    assert_eq!(v.len(), 300);
    // Every term is in 300 sentences, over the cap: no candidates at all.
    let graph = Graph::build(&v, |i, j, s| cosine(&v, i, j, s));
    assert!((0..300).all(|i| graph.neighbours(i).is_empty()));
    let ranks = graph.pagerank();
    assert!(ranks.iter().all(|&r| (r - 1.0 / 300.0).abs() < 1e-12));
}

#[test]
fn pagerank_sums_to_one_and_favours_the_hub() {
    // A star 0–{1..5} plus a separate pair 6–7 and an isolated node 8.
    let mut edges: Vec<(usize, usize, f64)> = (1..6).map(|j| (0, j, 1.0)).collect();
    edges.push((6, 7, 2.0));
    let graph = Graph::from_edges(9, &edges);
    let ranks = graph.pagerank();
    assert_eq!(ranks.len(), 9);
    assert!((ranks.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(ranks.iter().all(|r| r.is_finite() && *r > 0.0));
    assert!((1..9).all(|i| ranks[0] > ranks[i]));
    assert!((ranks[6] - ranks[7]).abs() < 1e-9);
    // The isolated (dangling) node keeps only the teleport share.
    assert!((1..8).all(|i| ranks[8] < ranks[i]));
}

#[test]
fn from_edges_merges_duplicates_and_drops_bad_edges() {
    let graph = Graph::from_edges(
        3,
        &[
            (0, 1, 0.5),
            (1, 0, 0.7),
            (1, 1, 1.0),
            (0, 2, f64::NAN),
            (0, 2, 0.0),
            (2, 9, 1.0),
        ],
    );
    assert_eq!(graph.neighbours(0), &[(1, 0.7)]);
    assert_eq!(graph.neighbours(1), &[(0, 0.7)]);
    assert!(graph.neighbours(2).is_empty());
}

#[test]
fn pagerank_of_tiny_graphs() {
    assert!(Graph::from_edges(0, &[]).pagerank().is_empty());
    assert_eq!(Graph::from_edges(1, &[]).pagerank(), vec![1.0]);
    let two = Graph::from_edges(2, &[(0, 1, 3.0)]).pagerank();
    assert!((two[0] - 0.5).abs() < 1e-12 && (two[1] - 0.5).abs() < 1e-12);
}

#[test]
fn centrality_zeroes_sentences_without_content() {
    let doc = analyze("Banks rallied. It is what it is. Banks rallied again.");
    let scores = centrality(&SentenceVectors::new(&doc), cosine);
    assert_eq!(scores.len(), 3);
    assert_eq!(scores[1], 0.0);
    assert!(scores[0] > 0.0 && scores[2] > 0.0);
    let empty = analyze("");
    assert!(centrality(&SentenceVectors::new(&empty), cosine).is_empty());
}
