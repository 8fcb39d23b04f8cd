//! The study: in-process, on the tuning rows (never the held-out ones), the
//! choices `textanalysis::classify::zeroshot` made and its fitted constants.

use super::*;

/// xorshift64*, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Examples per label the study draws from the tuning rows.
const EXAMPLES: usize = 4;

/// One (text, topic) pair's evidence.
#[derive(Clone, Copy, Default)]
struct Evidence {
    /// Cosine with the description.
    description: f64,
    /// Cosine with the examples' centroid, with the description and
    /// examples' centroid, the best example's, the mean of the examples'.
    examples_centroid: f64,
    all_centroid: f64,
    examples_max: f64,
    examples_mean: f64,
    /// Lexical ad-hoc scores: the description's words, the keywords, both,
    /// the description's and the examples' words.
    lex_description: f64,
    lex_keywords: f64,
    lex_both: f64,
    lex_described: f64,
}

fn argmax(scores: impl Iterator<Item = f64>) -> usize {
    scores
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, s)| {
            if s > best.1 { (i, s) } else { best }
        })
        .0
}

fn accuracy(rows: &[(usize, [Evidence; 4])], score: impl Fn(&Evidence) -> f64) -> f64 {
    let correct = rows
        .iter()
        .filter(|(gold, ev)| argmax(ev.iter().map(&score)) == *gold)
        .count();
    100.0 * correct as f64 / rows.len() as f64
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Logistic regression of `y` on `x` (each row with a leading 1), by
/// Newton's method with a small ridge; returns the coefficients.
#[allow(clippy::needless_range_loop)]
fn logistic_fit(x: &[Vec<f64>], y: &[bool]) -> Vec<f64> {
    let n = x[0].len();
    let mut theta = vec![0.0; n];
    for _ in 0..50 {
        let mut h = vec![vec![0.0; n]; n];
        let mut g = vec![0.0; n];
        for (row, &t) in x.iter().zip(y) {
            let p = sigmoid(row.iter().zip(&theta).map(|(a, b)| a * b).sum());
            let w = p * (1.0 - p);
            for i in 0..n {
                g[i] += (p - f64::from(u8::from(t))) * row[i];
                for j in 0..n {
                    h[i][j] += w * row[i] * row[j];
                }
            }
        }
        for (i, row) in h.iter_mut().enumerate() {
            row[i] += 1e-6;
        }
        let step = solve(h, g);
        theta.iter_mut().zip(&step).for_each(|(t, s)| *t -= s);
        if step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-10 {
            break;
        }
    }
    theta
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)]
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        for r in 0..n {
            if r != c && a[c][c] != 0.0 {
                let f = a[r][c] / a[c][c];
                for k in c..n {
                    a[r][k] -= f * a[c][k];
                }
                b[r] -= f * b[c];
            }
        }
    }
    (0..n).map(|i| b[i] / a[i][i]).collect()
}

/// How one way of scoring reads a (text, topic) pair: its features.
type Features<'f> = &'f dyn Fn(&Evidence) -> Vec<f64>;

/// Fits σ(θ · (1, features)) on every (text, topic) pair of every way of
/// scoring in `ways` (pooled), and prints the coefficients, the log-loss,
/// the ECE and each way's accuracy.
fn fit(what: &str, rows: &[(usize, [Evidence; 4])], ways: &[Features<'_>]) -> Vec<f64> {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for features in ways {
        for (gold, ev) in rows {
            for (i, e) in ev.iter().enumerate() {
                let mut row = vec![1.0];
                row.extend(features(e));
                x.push(row);
                y.push(i == *gold);
            }
        }
    }
    let theta = logistic_fit(&x, &y);
    let p = |row: &[f64]| sigmoid(row.iter().zip(&theta).map(|(a, b)| a * b).sum());
    let pairs: Vec<(f64, bool)> = x.iter().zip(&y).map(|(r, &t)| (p(r), t)).collect();
    let loss = pairs
        .iter()
        .map(|&(p, t)| -(if t { p } else { 1.0 - p }).max(1e-12).ln())
        .sum::<f64>()
        / pairs.len() as f64;
    let accuracies: Vec<String> = ways
        .iter()
        .map(|features| {
            let acc = accuracy(rows, |e| {
                let mut row = vec![1.0];
                row.extend(features(e));
                p(&row)
            });
            format!("{acc:.2}")
        })
        .collect();
    println!(
        "| fit: {what} | {} | θ = {theta:.4?}, log-loss {loss:.4}, ECE {:.3} |",
        accuracies.join(" / "),
        ece(&pairs)
    );
    theta
}

pub(super) fn study(tuning: &[Row], encoder: &Encoder) {
    // Examples: the first EXAMPLES rows of each label in a fixed shuffle;
    // the study measures on the others.
    let mut order: Vec<usize> = (0..tuning.len()).collect();
    let mut rng = Rng(0x5eed_2026);
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    let mut examples: [Vec<String>; 4] = Default::default();
    let mut texts: Vec<&Row> = Vec::new();
    for &i in &order {
        let row = &tuning[i];
        if examples[row.label].len() < EXAMPLES {
            examples[row.label].push(row.text.clone());
        } else {
            texts.push(row);
        }
    }

    let started = Instant::now();
    let mut inputs: Vec<&str> = DESCRIPTIONS.to_vec();
    for e in &examples {
        inputs.extend(e.iter().map(String::as_str));
    }
    inputs.extend(texts.iter().map(|r| r.text.as_str()));
    let embedded = encoder.embed(&inputs, Deadline::NONE).expect("embed");
    println!(
        "study: {} tuning texts, {} examples per label; embedded in {:.1?}\n",
        texts.len(),
        EXAMPLES,
        started.elapsed()
    );
    let (descriptions, rest) = embedded.split_at(4);
    let (example_vectors, documents) = rest.split_at(4 * EXAMPLES);
    let dim = encoder.dim();
    let examples_centroid: Vec<Embedding> = (0..4)
        .map(|i| {
            Embedding::weighted_mean(
                dim,
                example_vectors[i * EXAMPLES..(i + 1) * EXAMPLES]
                    .iter()
                    .map(|e| (e, 1.0)),
            )
        })
        .collect();
    let all_centroid: Vec<Embedding> = (0..4)
        .map(|i| {
            Embedding::weighted_mean(
                dim,
                example_vectors[i * EXAMPLES..(i + 1) * EXAMPLES]
                    .iter()
                    .chain(std::iter::once(&descriptions[i]))
                    .map(|e| (e, 1.0)),
            )
        })
        .collect();

    let model = registry::builtin().expect("the built-in model");
    let idf = |f| model.idf(f).unwrap_or_else(|| model.default_idf());
    let english = Language::from_code("en").expect("English");
    let lexicon = &mut Lexicon::new();
    let keywords: Vec<Vec<String>> = KEYWORDS.iter().map(|k| strings(k)).collect();
    let lexical = |text: &str, with: Parts, examples_too: bool, lexicon: &mut Lexicon| {
        let counts = textanalysis::classify::features::extract(text, english, lexicon);
        let topics: Vec<adhoc::Topic<'_>> = (0..4)
            .map(|i| adhoc::Topic {
                label: LABELS[i],
                keywords: if with.keywords { &keywords[i] } else { &[] },
                examples: if examples_too { &examples[i] } else { &[] },
                description: if with.description {
                    DESCRIPTIONS[i]
                } else {
                    ""
                },
            })
            .collect();
        adhoc::score(&counts, english, &topics, idf, lexicon)
    };

    let rows: Vec<(usize, [Evidence; 4])> = texts
        .iter()
        .zip(documents)
        .map(|(row, doc)| {
            let only = |description, keywords| Parts {
                description,
                keywords,
            };
            let lex_d = lexical(&row.text, only(true, false), false, lexicon);
            let lex_k = lexical(&row.text, only(false, true), false, lexicon);
            let lex_b = lexical(&row.text, only(true, true), false, lexicon);
            let lex_e = lexical(&row.text, only(true, false), true, lexicon);
            let ev = std::array::from_fn(|i| {
                let cos: Vec<f64> = example_vectors[i * EXAMPLES..(i + 1) * EXAMPLES]
                    .iter()
                    .map(|e| f64::from(cosine(doc, e)))
                    .collect();
                Evidence {
                    description: f64::from(cosine(doc, &descriptions[i])),
                    examples_centroid: f64::from(cosine(doc, &examples_centroid[i])),
                    all_centroid: f64::from(cosine(doc, &all_centroid[i])),
                    examples_max: cos.iter().copied().fold(f64::MIN, f64::max),
                    examples_mean: cos.iter().sum::<f64>() / cos.len() as f64,
                    lex_description: lex_d[i],
                    lex_keywords: lex_k[i],
                    lex_both: lex_b[i],
                    lex_described: lex_e[i],
                }
            });
            (row.label, ev)
        })
        .collect();

    println!("| scoring (argmax over the 4 topics) | accuracy % | notes |");
    println!("|---|---:|---|");
    let show = |what: &str, f: &dyn Fn(&Evidence) -> f64| {
        println!("| {what} | {:.2} | |", accuracy(&rows, f));
    };
    show("words: description", &|e| e.lex_description);
    show("words: keywords", &|e| e.lex_keywords);
    show("words: description and keywords", &|e| e.lex_both);
    show("words: description and examples", &|e| e.lex_described);
    show("meaning: description", &|e| e.description);
    show("meaning: examples' centroid", &|e| e.examples_centroid);
    show("meaning: best example", &|e| e.examples_max);
    show("meaning: mean of examples' cosines", &|e| e.examples_mean);
    show("meaning: centroid of description and examples", &|e| {
        e.all_centroid
    });
    show("meaning: max(description, best example)", &|e| {
        e.description.max(e.examples_max)
    });
    show("meaning: mean(description, examples' centroid)", &|e| {
        (e.description + e.examples_centroid) / 2.0
    });
    show("description: meaning + keywords' words", &|e| {
        e.description + e.lex_keywords
    });
    show("description: meaning + all words", &|e| {
        e.description + e.lex_both
    });
    show("description: max(meaning, all words)", &|e| {
        e.description.max(e.lex_both)
    });

    // Confusions of the description's meaning, to read the descriptions by.
    let mut confusion = [[0usize; 4]; 4];
    for (gold, ev) in &rows {
        confusion[*gold][argmax(ev.iter().map(|e| e.description))] += 1;
    }
    println!("\nmeaning of the descriptions, gold (rows) by predicted (columns): {LABELS:?}");
    for (label, counts) in LABELS.iter().zip(confusion) {
        println!("{label:>9}: {counts:?}");
    }
    println!();

    // The three ways a client describes a topic, as the core pools and
    // matches them: a description; a description and keywords; a
    // description and examples.
    let described: Features<'_> = &|e| vec![e.description, e.lex_description];
    let with_keywords: Features<'_> = &|e| vec![e.description, e.lex_both];
    let with_examples: Features<'_> = &|e| {
        let meaning = zeroshot::pooled(Some(e.description), Some(e.examples_centroid));
        vec![meaning.unwrap_or_default(), e.lex_described]
    };
    println!("| calibration, every (text, topic) pair | accuracy % | fit |");
    println!("|---|---:|---|");
    fit("description's meaning", &rows, &[&|e| vec![e.description]]);
    fit("description's meaning, its words", &rows, &[described]);
    fit(
        "description's meaning, description and keywords' words",
        &rows,
        &[with_keywords],
    );
    fit(
        "description's meaning, keywords' words",
        &rows,
        &[&|e| vec![e.description, e.lex_keywords]],
    );
    fit(
        "pooled meaning of description and examples, their words",
        &rows,
        &[with_examples],
    );
    let theta = fit(
        "the three above together (description; with keywords; with examples)",
        &rows,
        &[described, with_keywords, with_examples],
    );
    println!(
        "\nsrc/classify/zeroshot.rs: INTERCEPT = {:.2}, MEANING = {:.2}, WORDS = {:.2}\n",
        theta[0], theta[1], theta[2]
    );
    println!("zeroshot::calibrated as it stands, on the study's pairs:");
    for (what, features) in [
        ("description", described),
        ("description and keywords", with_keywords),
        ("description and examples", with_examples),
    ] {
        let score = |e: &Evidence| {
            let f = features(e);
            zeroshot::calibrated(f[0], f[1])
        };
        let pairs: Vec<(f64, bool)> = rows
            .iter()
            .flat_map(|(gold, ev)| {
                ev.iter()
                    .enumerate()
                    .map(move |(i, e)| (score(e), i == *gold))
            })
            .collect();
        println!(
            "  {what}: accuracy {:.2}%, ECE {:.3}",
            accuracy(&rows, score),
            ece(&pairs)
        );
    }
}
