//! The measurements of [`crate::run`], each through one server: every
//! function appends its rows to the table, the same rows whether the
//! server has the encoder or not.

use std::time::Instant;

use textanalysis::proto::v1::{Similarity, Verdict};
use textanalysis::text::{Document, Language};

use crate::common::{pearson, read_sts};
use crate::fit::best_threshold;
use crate::wire_pair_alignment::pairs_read_by_hand;
use crate::{Row, Service};

/// xorshift64*, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn en() -> Option<Language> {
    Language::from_code("en")
}

/// MSRP rows: (is a paraphrase, sentence 1, sentence 2).
pub fn read_msrp(dir: &str) -> Vec<(bool, String, String)> {
    let path = format!("{dir}/msrp_train.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let label = cols.first()?.trim_start_matches('\u{feff}').trim() == "1";
            Some((label, cols.get(3)?.to_string(), cols.get(4)?.to_string()))
        })
        .collect()
}

/// `MSRP`: `score` as a paraphrase detector.
pub async fn msrp(service: &Service, dir: &str, table: &mut Vec<Row>) {
    let data = read_msrp(dir);
    let outcomes = service
        .compare_all(
            data.iter()
                .map(|(_, a, b)| (a.clone(), b.clone()))
                .collect(),
        )
        .await;
    let rows: Vec<(bool, f64, f64)> = data
        .iter()
        .zip(&outcomes)
        .map(|((label, _, _), o)| (*label, o.similarity.score, o.similarity.cosine))
        .collect();
    let half = rows.len() / 2;
    let (train, test) = rows.split_at(half);
    for (name, pick) in [("score", 0usize), ("cosine", 1usize)] {
        let value = |r: &(bool, f64, f64)| if pick == 0 { r.1 } else { r.2 };
        let (_, t) = best_threshold(&train.iter().map(|r| (r.0, value(r))).collect::<Vec<_>>());
        let (mut tp, mut fp, mut fneg, mut ok) = (0.0, 0.0, 0.0, 0.0);
        for r in test {
            let p = value(r) >= t;
            if p == r.0 {
                ok += 1.0;
            }
            match (p, r.0) {
                (true, true) => tp += 1.0,
                (true, false) => fp += 1.0,
                (false, true) => fneg += 1.0,
                _ => {}
            }
        }
        let f1 = 2.0 * tp / (2.0 * tp + fp + fneg);
        table.push(Row {
            what: format!(
                "MSRP paraphrase, `{name}` ≥ threshold chosen on the first {half} pairs, measured on the other {}",
                test.len()
            ),
            value: format!(
                "accuracy {:.1}%, F1 {:.1} (threshold {t:.3})",
                100.0 * ok / test.len() as f64,
                100.0 * f1
            ),
            target: if pick == 0 { "> 75%".into() } else { "reference".into() },
        });
    }
}

/// STS-B dev: Pearson of each measure with the gold similarity.
pub async fn sts(service: &Service, dir: &str, table: &mut Vec<Row>) {
    let rows = read_sts(&format!("{dir}/stsb_dev.csv"));
    let outcomes = service
        .compare_all(
            rows.iter()
                .map(|(_, a, b)| (a.clone(), b.clone()))
                .collect(),
        )
        .await;
    let gold: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let column = |f: fn(&Similarity) -> Option<f64>| -> Option<Vec<f64>> {
        outcomes.iter().map(|o| f(&o.similarity)).collect()
    };
    let n = rows.len();
    for (what, f, target) in [
        (
            format!("STS-B dev Pearson, `score` ({n} pairs)"),
            (|s: &Similarity| Some(s.score)) as fn(&Similarity) -> Option<f64>,
            "≥ 0.72; ≥ 0.80 with the encoder",
        ),
        (
            "STS-B dev Pearson, `semantic`".into(),
            |s: &Similarity| s.semantic,
            "reference",
        ),
        (
            "STS-B dev Pearson, tf-idf `cosine`".into(),
            |s: &Similarity| Some(s.cosine),
            "reference",
        ),
        (
            "STS-B dev Pearson, shingle `jaccard`".into(),
            |s: &Similarity| Some(s.jaccard),
            "reference",
        ),
    ] {
        table.push(Row {
            what,
            value: column(f).map_or("–".into(), |c| format!("{:.4}", pearson(&c, &gold))),
            target: target.into(),
        });
    }
}

#[derive(serde::Deserialize)]
struct Article {
    id: String,
    category: String,
    title: String,
    body: String,
}

const BOILERPLATE: &[&str] = &[
    "Leave a comment",
    "Share this article on social media.",
    "Sign up for our daily newsletter.",
    "Your email address will not be published.",
];

const REPLACEMENTS: &[&str] = &[
    "reportedly",
    "new",
    "major",
    "local",
    "several",
    "also",
    "recently",
];

/// A deterministic edited copy: 1–2 sentences dropped, two swapped, a few
/// words changed, boilerplate appended.
fn edit(doc: &Document<'_>, rng: &mut Rng) -> String {
    let mut sentences: Vec<String> = (0..doc.sentences.len())
        .map(|i| doc.sentence_text(i).to_string())
        .collect();
    let drops = 1 + rng.below(2);
    for _ in 0..drops {
        if sentences.len() > 3 {
            let k = rng.below(sentences.len());
            sentences.remove(k);
        }
    }
    if sentences.len() >= 2 {
        let (x, y) = (rng.below(sentences.len()), rng.below(sentences.len()));
        sentences.swap(x, y);
    }
    for _ in 0..3 {
        let k = rng.below(sentences.len());
        let words: Vec<&str> = sentences[k].split(' ').collect();
        if words.len() > 3 {
            let w = 1 + rng.below(words.len() - 2);
            let mut changed: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            changed[w] = REPLACEMENTS[rng.below(REPLACEMENTS.len())].to_string();
            sentences[k] = changed.join(" ");
        }
    }
    let mut out = sentences.join("\n\n");
    for _ in 0..1 + rng.below(3) {
        out.push_str("\n\n");
        out.push_str(BOILERPLATE[rng.below(BOILERPLATE.len())]);
    }
    out
}

fn is_near_duplicate(v: Verdict) -> bool {
    matches!(v, Verdict::NearDuplicate | Verdict::Duplicate)
}

/// BBC News: republished, edited and different stories.
pub async fn bbc(service: &Service, dir: &str, random_pairs: usize, table: &mut Vec<Row>) {
    let path = format!("{dir}/bbc_news_train.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let articles: Vec<Article> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let full: Vec<String> = articles
        .iter()
        .map(|a| format!("{}\n\n{}", a.title, a.body))
        .collect();

    // Republished versions: same normalised title, different id.
    let norm = |t: &str| {
        t.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut by_title: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, a) in articles.iter().enumerate() {
        by_title.entry(norm(&a.title)).or_default().push(i);
    }
    let mut same_title: Vec<(usize, usize)> = Vec::new();
    for ids in by_title.values().filter(|v| v.len() > 1) {
        for x in 0..ids.len() {
            for y in x + 1..ids.len() {
                same_title.push((ids[x], ids[y]));
            }
        }
    }
    let outcomes = service
        .compare_all(
            same_title
                .iter()
                .map(|&(x, y)| (full[x].clone(), full[y].clone()))
                .collect(),
        )
        .await;
    let (mut dup, mut nd, mut low) = (0, 0, Vec::new());
    for (&(x, y), o) in same_title.iter().zip(&outcomes) {
        match o.verdict {
            Verdict::Duplicate => dup += 1,
            Verdict::NearDuplicate => nd += 1,
            _ => low.push(format!(
                "{} / {} ({:?}, containment {:.2}/{:.2})",
                articles[x].id,
                articles[y].id,
                o.verdict,
                o.similarity.containment_a,
                o.similarity.containment_b
            )),
        }
    }
    table.push(Row {
        what: format!("BBC same-title article pairs ({})", same_title.len()),
        value: format!("{dup} Duplicate, {nd} NearDuplicate, {} other", low.len()),
        target: "republished → (Near)Duplicate".into(),
    });
    for l in low.iter().take(10) {
        eprintln!("same title, not near-duplicate: {l}");
    }

    // Edited copies, made in-process from each article's sentences.
    let mut rng = Rng(0x5EED_C0DE_2024);
    let mut edited: Vec<(String, String)> = Vec::new();
    let mut step = 0;
    while edited.len() < 200 && step < full.len() {
        let i = (step * 7919) % full.len();
        step += 1;
        let doc = Document::analyze(&full[i], en());
        if doc.sentences.len() < 5 {
            continue;
        }
        let copy = edit(&doc, &mut rng);
        edited.push((full[i].clone(), copy));
    }
    let total = edited.len();
    let outcomes = service.compare_all(edited).await;
    let found = outcomes
        .iter()
        .filter(|o| is_near_duplicate(o.verdict))
        .count();
    let mut scores: Vec<f64> = outcomes.iter().map(|o| o.similarity.score).collect();
    scores.sort_by(f64::total_cmp);
    table.push(Row {
        what: format!("BBC edited copies ({total}): recall of NearDuplicate/Duplicate"),
        value: format!(
            "{:.1}% (score min {:.2}, median {:.2})",
            100.0 * found as f64 / total as f64,
            scores.first().copied().unwrap_or(0.0),
            scores.get(total / 2).copied().unwrap_or(0.0)
        ),
        target: "≥ 98%".into(),
    });

    // Random different-story pairs.
    let mut rng = Rng(0x00D1_FF57_0121);
    for same_category in [true, false] {
        let mut pairs: Vec<(String, String)> = Vec::new();
        while pairs.len() < 2000 {
            let (x, y) = (rng.below(full.len()), rng.below(full.len()));
            if x == y
                || (articles[x].category == articles[y].category) != same_category
                || norm(&articles[x].title) == norm(&articles[y].title)
            {
                continue;
            }
            pairs.push((full[x].clone(), full[y].clone()));
        }
        // Drawn 2,000 at a time whatever `random_pairs`, so that a shorter
        // run compares the first pairs of the longer one.
        pairs.truncate(random_pairs);
        let n = pairs.len();
        let start = Instant::now();
        let outcomes = service.compare_all(pairs).await;
        let per_pair = start.elapsed().as_secs_f64() / n as f64 * 1e3;
        let nd = outcomes
            .iter()
            .filter(|o| is_near_duplicate(o.verdict))
            .count();
        let related = outcomes
            .iter()
            .filter(|o| o.verdict == Verdict::Related)
            .count();
        let max_containment = outcomes
            .iter()
            .map(|o| o.similarity.containment_a.min(o.similarity.containment_b))
            .fold(0.0, f64::max);
        let mut scores: Vec<f64> = outcomes.iter().map(|o| o.similarity.score).collect();
        scores.sort_by(f64::total_cmp);
        let semantic = {
            let mut v: Vec<f64> = outcomes
                .iter()
                .filter_map(|o| o.similarity.semantic)
                .collect();
            v.sort_by(f64::total_cmp);
            match v.len() {
                0 => String::new(),
                k => format!(
                    "; `semantic` median {:.2}, p95 {:.2}",
                    v[k / 2],
                    v[k * 95 / 100]
                ),
            }
        };
        let what = if same_category { "same" } else { "different" };
        table.push(Row {
            what: format!("BBC random different-story pairs, {what} category"),
            value: format!(
                "{n} pairs: {nd} NearDuplicate, {related} Related; max min-containment {max_containment:.2}; score median {:.2}, p95 {:.2}{semantic}; {per_pair:.2} ms/pair through the service",
                scores[n / 2],
                scores[n * 95 / 100]
            ),
            target: if same_category { "0 NearDuplicate".into() } else { "Unrelated".into() },
        });
    }
}

/// The two texts of the wire pair.
pub fn wire_texts(dir: &str) -> (String, String) {
    let read = |name: &str| {
        let path = format!("{dir}/wire_pair/{name}");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    (read("a.txt"), read("b.txt"))
}

/// The republished wire story of `wire_pair/`: verdict, score, and the
/// alignment against the pairs read by hand.
pub async fn wire_pair(service: &Service, dir: &str, table: &mut Vec<Row>) {
    let (a, b) = wire_texts(dir);
    let response = service.compare(&a, &b, true).await;
    let similarity = response.similarity.expect("similarity is set");
    let gold = pairs_read_by_hand();
    let aligned: Vec<(u32, u32)> = response
        .alignments
        .iter()
        .filter_map(|p| Some((p.a.as_ref()?.index, p.b.as_ref()?.index)))
        .collect();
    let found = gold.iter().filter(|g| aligned.contains(g)).count();
    let wrong = aligned.iter().filter(|p| !gold.contains(p)).count();
    table.push(Row {
        what: "Wire pair (`wire_pair/a.txt`, `b.txt`)".into(),
        value: format!(
            "{:?}, score {:.2}{}; {found} of the {} pairs read by hand aligned, {wrong} other",
            Verdict::try_from(response.verdict).expect("a known verdict"),
            similarity.score,
            similarity
                .semantic
                .map_or(String::new(), |s| format!(", `semantic` {s:.2}")),
            gold.len()
        ),
        target: "NearDuplicate, all aligned, 0 other".into(),
    });
}
