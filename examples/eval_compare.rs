//! Measures `compare` on real data, in-process:
//!
//! 1. MSRP (`msrp_train.tsv`): `score` as a paraphrase detector, threshold
//!    chosen on the first half, accuracy and F1 on the second half;
//! 2. STS Benchmark (`stsb_dev.csv`): Pearson correlation of `score` (and of
//!    plain tf-idf `cosine`) with the gold similarity;
//! 3. near-duplicates in BBC News (`bbc_news_train.jsonl`): articles with the
//!    same title (republished versions), 200 deterministic edited copies
//!    (recall of NearDuplicate/Duplicate), and 2,000 random pairs of
//!    different stories of the same category (NearDuplicate count, must be
//!    0) plus 2,000 of different categories (verdicts).
//!
//! ```text
//! cargo run --release --example eval_compare -- /work/shared/data
//! cargo run --release --example eval_compare -- /work/shared/data --fit
//! ```
//!
//! `--fit` fits the score model on `stsb_train.csv` only (least squares of
//! gold / 5 on the features) and prints the constants to paste into
//! `src/compare/similarity.rs`. Every sentence is analysed as English.

use std::time::Instant;

use textanalysis::compare::similarity::{FEATURE_NAMES, FEATURES, score_with};
use textanalysis::compare::{
    CompareOptions, Comparison, Details, Verdict, compare, compare_detailed,
};
use textanalysis::text::{Document, Language};

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

fn pair(a: &str, b: &str) -> (Comparison, Details) {
    let (da, db) = (Document::analyze(a, en()), Document::analyze(b, en()));
    compare_detailed(&da, &db, &CompareOptions::default())
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// STS rows: (gold, sentence 1, sentence 2). Split on tabs, no quoting.
fn read_sts(path: &str) -> Vec<(f64, String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let gold = cols.get(4)?.trim().parse().ok()?;
            Some((gold, cols.get(5)?.to_string(), cols.get(6)?.to_string()))
        })
        .collect()
}

/// Solves `(XᵀX + λI) w = Xᵀy` by Gaussian elimination.
#[allow(clippy::needless_range_loop)]
fn least_squares(rows: &[[f64; FEATURES + 1]], y: &[f64]) -> [f64; FEATURES + 1] {
    const N: usize = FEATURES + 1;
    let mut m = [[0.0; N + 1]; N];
    for (r, &t) in rows.iter().zip(y) {
        for i in 0..N {
            for j in 0..N {
                m[i][j] += r[i] * r[j];
            }
            m[i][N] += r[i] * t;
        }
    }
    for (i, row) in m.iter_mut().enumerate() {
        row[i] += 1e-6 * rows.len() as f64;
    }
    for c in 0..N {
        let p = (c..N)
            .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
            .unwrap();
        m.swap(c, p);
        for r in 0..N {
            if r != c {
                let f = m[r][c] / m[c][c];
                for k in c..=N {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
    }
    std::array::from_fn(|i| m[i][N] / m[i][i])
}

fn fit(dir: &str) {
    let rows = read_sts(&format!("{dir}/stsb_train.csv"));
    let mut x = Vec::with_capacity(rows.len());
    let mut y = Vec::with_capacity(rows.len());
    for (gold, a, b) in &rows {
        let (_, d) = pair(a, b);
        let f = d.measures.features();
        let mut r = [1.0; FEATURES + 1];
        r[1..].copy_from_slice(&f);
        x.push(r);
        y.push(gold / 5.0);
    }
    let w = least_squares(&x, &y);
    let mut weights = [0.0; FEATURES];
    weights.copy_from_slice(&w[1..]);
    let pred: Vec<f64> = x
        .iter()
        .map(|r| {
            let mut f = [0.0; FEATURES];
            f.copy_from_slice(&r[1..]);
            score_with(&f, w[0], &weights)
        })
        .collect();
    println!(
        "fitted on {} stsb_train pairs; train Pearson {:.4}",
        rows.len(),
        pearson(&pred, &y)
    );
    for (i, name) in FEATURE_NAMES.iter().enumerate() {
        let col: Vec<f64> = x.iter().map(|r| r[i + 1]).collect();
        println!(
            "  {name:>16}: weight {:+.4}, alone r = {:.4}",
            weights[i],
            pearson(&col, &y)
        );
    }
    println!("pub const INTERCEPT: f64 = {:.4};", w[0]);
    println!(
        "pub const WEIGHTS: [f64; FEATURES] = [{}];",
        weights
            .iter()
            .map(|w| format!("{w:.4}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

struct Row {
    what: String,
    value: String,
    target: String,
}

fn msrp(dir: &str, table: &mut Vec<Row>) {
    let path = format!("{dir}/msrp_train.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rows: Vec<(bool, f64, f64)> = text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let label = cols.first()?.trim_start_matches('\u{feff}').trim() == "1";
            let (c, _) = pair(cols.get(3)?, cols.get(4)?);
            Some((label, c.similarity.score, c.similarity.cosine))
        })
        .collect();
    let half = rows.len() / 2;
    let (train, test) = rows.split_at(half);
    for (name, pick) in [("score", 0usize), ("cosine", 1usize)] {
        let value = |r: &(bool, f64, f64)| if pick == 0 { r.1 } else { r.2 };
        let mut best = (0.0, 0.0);
        for k in 0..=200 {
            let t = k as f64 / 200.0;
            let acc =
                train.iter().filter(|r| (value(r) >= t) == r.0).count() as f64 / train.len() as f64;
            if acc > best.0 {
                best = (acc, t);
            }
        }
        let t = best.1;
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
                "MSRP paraphrase, `{name}` ≥ {t:.3} (threshold from first {half} pairs), second {} pairs",
                test.len()
            ),
            value: format!("accuracy {:.1}%, F1 {:.1}", 100.0 * ok / test.len() as f64, 100.0 * f1),
            target: if pick == 0 { "> 75%".into() } else { "reference".into() },
        });
    }
}

fn sts(dir: &str, table: &mut Vec<Row>) {
    let rows = read_sts(&format!("{dir}/stsb_dev.csv"));
    let mut gold = Vec::new();
    let mut score = Vec::new();
    let mut cosine = Vec::new();
    let mut jaccard = Vec::new();
    for (g, a, b) in &rows {
        let (c, _) = pair(a, b);
        gold.push(*g);
        score.push(c.similarity.score);
        cosine.push(c.similarity.cosine);
        jaccard.push(c.similarity.jaccard);
    }
    let n = rows.len();
    table.push(Row {
        what: format!("STS-B dev Pearson, `score` ({n} pairs)"),
        value: format!("{:.4}", pearson(&score, &gold)),
        target: "≥ 0.72".into(),
    });
    table.push(Row {
        what: "STS-B dev Pearson, tf-idf `cosine`".into(),
        value: format!("{:.4}", pearson(&cosine, &gold)),
        target: "reference".into(),
    });
    table.push(Row {
        what: "STS-B dev Pearson, shingle `jaccard`".into(),
        value: format!("{:.4}", pearson(&jaccard, &gold)),
        target: "reference".into(),
    });
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

fn bbc(dir: &str, table: &mut Vec<Row>) {
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
    let docs: Vec<Document<'_>> = full.iter().map(|t| Document::analyze(t, en())).collect();
    let opts = CompareOptions::default();

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
    let (mut same_title, mut same_title_nd, mut same_title_dup) = (0, 0, 0);
    let mut same_title_low: Vec<String> = Vec::new();
    for ids in by_title.values().filter(|v| v.len() > 1) {
        for x in 0..ids.len() {
            for y in x + 1..ids.len() {
                let c = compare(&docs[ids[x]], &docs[ids[y]], &opts);
                same_title += 1;
                match c.verdict {
                    Verdict::Duplicate => same_title_dup += 1,
                    Verdict::NearDuplicate => same_title_nd += 1,
                    _ => same_title_low.push(format!(
                        "{} / {} ({:?}, containment {:.2}/{:.2})",
                        articles[ids[x]].id,
                        articles[ids[y]].id,
                        c.verdict,
                        c.similarity.containment_a,
                        c.similarity.containment_b
                    )),
                }
            }
        }
    }
    table.push(Row {
        what: format!("BBC same-title article pairs ({same_title})"),
        value: format!(
            "{same_title_dup} Duplicate, {same_title_nd} NearDuplicate, {} other",
            same_title_low.len()
        ),
        target: "republished → (Near)Duplicate".into(),
    });
    for l in same_title_low.iter().take(10) {
        eprintln!("same title, not near-duplicate: {l}");
    }

    // Edited copies.
    let mut rng = Rng(0x5EED_C0DE_2024);
    let (mut found, mut total) = (0, 0);
    let mut resemblance = Vec::new();
    let mut step = 0;
    while total < 200 && step < docs.len() {
        let i = (step * 7919) % docs.len();
        step += 1;
        if docs[i].sentences.len() < 5 {
            continue;
        }
        let edited = edit(&docs[i], &mut rng);
        let de = Document::analyze(&edited, en());
        let (c, d) = compare_detailed(&docs[i], &de, &opts);
        total += 1;
        resemblance.push(d.resemblance());
        if matches!(c.verdict, Verdict::NearDuplicate | Verdict::Duplicate) {
            found += 1;
        }
    }
    resemblance.sort_by(f64::total_cmp);
    table.push(Row {
        what: format!("BBC edited copies ({total}): recall of NearDuplicate/Duplicate"),
        value: format!(
            "{:.1}% (resemblance min {:.2}, median {:.2})",
            100.0 * found as f64 / total as f64,
            resemblance.first().copied().unwrap_or(0.0),
            resemblance
                .get(resemblance.len() / 2)
                .copied()
                .unwrap_or(0.0)
        ),
        target: "high".into(),
    });

    // Random different-story pairs.
    let mut rng = Rng(0x00D1_FF57_0121);
    for same_category in [true, false] {
        let (mut n, mut nd, mut related) = (0, 0, 0);
        let mut max_res: f64 = 0.0;
        let mut scores = Vec::new();
        let start = Instant::now();
        while n < 2000 {
            let (x, y) = (rng.below(docs.len()), rng.below(docs.len()));
            if x == y
                || (articles[x].category == articles[y].category) != same_category
                || norm(&articles[x].title) == norm(&articles[y].title)
            {
                continue;
            }
            let (c, d) = compare_detailed(&docs[x], &docs[y], &opts);
            n += 1;
            max_res = max_res.max(d.resemblance());
            scores.push(c.similarity.score);
            match c.verdict {
                Verdict::NearDuplicate | Verdict::Duplicate => nd += 1,
                Verdict::Related => related += 1,
                Verdict::Unrelated => {}
            }
        }
        let per_pair = start.elapsed().as_secs_f64() / n as f64 * 1e6;
        scores.sort_by(f64::total_cmp);
        let what = if same_category { "same" } else { "different" };
        table.push(Row {
            what: format!("BBC random different-story pairs, {what} category ({n})"),
            value: format!(
                "{nd} NearDuplicate, {related} Related; max resemblance {max_res:.2}; score median {:.2}, p95 {:.2}; {per_pair:.0} µs/pair",
                scores[n / 2],
                scores[n * 95 / 100]
            ),
            target: if same_category { "0 NearDuplicate".into() } else { "Unrelated".into() },
        });
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .cloned()
        .unwrap_or_else(|| "/work/shared/data".into());
    if args.iter().any(|a| a == "--fit") {
        fit(&dir);
        return;
    }
    let start = Instant::now();
    let mut table = Vec::new();
    sts(&dir, &mut table);
    msrp(&dir, &mut table);
    bbc(&dir, &mut table);
    println!("| measurement | result | target |");
    println!("|---|---|---|");
    for r in &table {
        println!("| {} | {} | {} |", r.what, r.value, r.target);
    }
    eprintln!("({:.1} s)", start.elapsed().as_secs_f64());
}
