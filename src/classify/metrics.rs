//! How well a classifier does on labelled examples: accuracy, macro-F1, the
//! confusion matrix and the expected calibration error.
//!
//! - Single-label: the prediction is the most probable label (ties to the
//!   lower index); accuracy is the share of correct predictions; F1 is
//!   computed per label from the confusion matrix and macro-averaged over
//!   the labels that occur as gold or as prediction (scikit-learn's
//!   `f1_score(average="macro")`); the ECE bins the top probability into 10
//!   equal-width bins and averages `|accuracy − mean confidence|` weighted
//!   by bin size.
//! - Multi-label: a label is predicted when its probability is at least
//!   0.5; accuracy is subset accuracy (all labels right); macro-F1 averages
//!   the per-label F1 over the labels that occur as gold or prediction; the
//!   ECE bins every per-label probability and compares each bin's mean
//!   probability with the share of gold labels in it. There is no
//!   confusion matrix.

use std::fmt;

/// The measurements of a classifier on labelled examples.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The labels, in the order of the confusion matrix.
    pub labels: Vec<String>,
    /// Number of examples.
    pub examples: usize,
    /// Accuracy (subset accuracy for multi-label).
    pub accuracy: f64,
    /// Macro-averaged F1.
    pub macro_f1: f64,
    /// `confusion[gold][predicted]` counts; empty for multi-label.
    pub confusion: Vec<Vec<u32>>,
    /// Expected calibration error, 10 equal-width bins.
    pub ece: f64,
}

/// Number of ECE bins.
const BINS: usize = 10;

/// Accumulates (confidence, correct) pairs into equal-width bins.
#[derive(Default)]
struct Calibration {
    count: [u64; BINS],
    confidence: [f64; BINS],
    correct: [f64; BINS],
}

impl Calibration {
    fn add(&mut self, confidence: f64, correct: bool) {
        let confidence = if confidence.is_nan() {
            0.0
        } else {
            confidence.clamp(0.0, 1.0)
        };
        let bin = ((confidence * BINS as f64) as usize).min(BINS - 1);
        self.count[bin] += 1;
        self.confidence[bin] += confidence;
        self.correct[bin] += f64::from(u8::from(correct));
    }

    fn error(&self) -> f64 {
        let total: u64 = self.count.iter().sum();
        if total == 0 {
            return 0.0;
        }
        (0..BINS)
            .filter(|&b| self.count[b] > 0)
            .map(|b| (self.correct[b] - self.confidence[b]).abs() / total as f64)
            .sum()
    }
}

/// F1 from counts; 0 when undefined.
fn f1(tp: u64, fp: u64, fn_: u64) -> f64 {
    let denominator = 2 * tp + fp + fn_;
    if denominator == 0 {
        0.0
    } else {
        2.0 * tp as f64 / denominator as f64
    }
}

/// The most probable label, ties to the lower index.
fn top(probabilities: &[f64]) -> Option<(usize, f64)> {
    probabilities
        .iter()
        .enumerate()
        .fold(None, |best: Option<(usize, f64)>, (i, &p)| match best {
            Some((_, q)) if q >= p || p.is_nan() => best,
            _ => Some((i, p)),
        })
}

impl Evaluation {
    /// Measures predictions against gold labels. `gold[i]` holds the label
    /// indices of example `i`, `predicted[i]` a probability per label (as
    /// many as `labels`). Single-label gold uses its first label; an example
    /// without one counts as wrong and stays out of the confusion matrix.
    pub fn compute(
        labels: Vec<String>,
        gold: &[Vec<usize>],
        predicted: &[Vec<f64>],
        multi_label: bool,
    ) -> Evaluation {
        let n = labels.len();
        let examples = gold.len().min(predicted.len());
        let mut calibration = Calibration::default();
        if examples == 0 {
            return Evaluation {
                confusion: if multi_label {
                    Vec::new()
                } else {
                    vec![vec![0; n]; n]
                },
                labels,
                examples: 0,
                accuracy: 0.0,
                macro_f1: 0.0,
                ece: 0.0,
            };
        }
        if multi_label {
            let (mut tp, mut fp, mut fn_) = (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
            let mut exact = 0usize;
            for (g, p) in gold.iter().zip(predicted) {
                let mut all_right = true;
                for l in 0..n {
                    let probability = p.get(l).copied().unwrap_or(0.0);
                    let is_gold = g.contains(&l);
                    let is_predicted = probability >= 0.5;
                    calibration.add(probability, is_gold);
                    match (is_gold, is_predicted) {
                        (true, true) => tp[l] += 1,
                        (false, true) => fp[l] += 1,
                        (true, false) => fn_[l] += 1,
                        (false, false) => {}
                    }
                    all_right &= is_gold == is_predicted;
                }
                exact += usize::from(all_right);
            }
            let present: Vec<usize> = (0..n).filter(|&l| tp[l] + fp[l] + fn_[l] > 0).collect();
            let macro_f1 = if present.is_empty() {
                0.0
            } else {
                present
                    .iter()
                    .map(|&l| f1(tp[l], fp[l], fn_[l]))
                    .sum::<f64>()
                    / present.len() as f64
            };
            return Evaluation {
                labels,
                examples,
                accuracy: exact as f64 / examples as f64,
                macro_f1,
                confusion: Vec::new(),
                ece: calibration.error(),
            };
        }
        let mut confusion = vec![vec![0u32; n]; n];
        let mut correct = 0usize;
        for (g, p) in gold.iter().zip(predicted) {
            let (choice, confidence) = top(p).unwrap_or((usize::MAX, 0.0));
            let gold_label = g.first().copied().filter(|&l| l < n);
            let right = gold_label == Some(choice);
            correct += usize::from(right);
            calibration.add(confidence, right);
            if let Some(g) = gold_label
                && choice < n
            {
                confusion[g][choice] += 1;
            }
        }
        let scores = per_label(&confusion);
        let present: Vec<&LabelScores> = scores
            .iter()
            .filter(|s| s.support + s.predicted > 0)
            .collect();
        let macro_f1 = if present.is_empty() {
            0.0
        } else {
            present.iter().map(|s| s.f1).sum::<f64>() / present.len() as f64
        };
        Evaluation {
            labels,
            examples,
            accuracy: correct as f64 / examples as f64,
            macro_f1,
            confusion,
            ece: calibration.error(),
        }
    }
}

/// Precision, recall and F1 of one label.
struct LabelScores {
    precision: f64,
    recall: f64,
    f1: f64,
    support: u64,
    predicted: u64,
}

fn per_label(confusion: &[Vec<u32>]) -> Vec<LabelScores> {
    (0..confusion.len())
        .map(|l| {
            let tp = u64::from(confusion[l][l]);
            let support: u64 = confusion[l].iter().map(|&c| u64::from(c)).sum();
            let predicted: u64 = confusion
                .iter()
                .map(|row| u64::from(row.get(l).copied().unwrap_or(0)))
                .sum();
            let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
            LabelScores {
                precision: ratio(tp, predicted),
                recall: ratio(tp, support),
                f1: f1(tp, predicted - tp, support - tp),
                support,
                predicted,
            }
        })
        .collect()
}

/// Longest label shown; longer ones are cut with an ellipsis.
const LABEL_WIDTH: usize = 24;

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_WIDTH {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(LABEL_WIDTH - 1).collect();
        s.push('…');
        s
    }
}

/// Pads to `width` characters (not bytes), left-aligned.
fn pad(s: &str, width: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(s.chars().count()),
    ));
    out
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let multi = self.confusion.is_empty();
        writeln!(f, "examples  {}", self.examples)?;
        writeln!(
            f,
            "labels    {}{}",
            self.labels.len(),
            if multi { " (multi-label)" } else { "" }
        )?;
        writeln!(
            f,
            "accuracy  {:.4}{}",
            self.accuracy,
            if multi { " (subset accuracy)" } else { "" }
        )?;
        writeln!(f, "macro-F1  {:.4}", self.macro_f1)?;
        write!(f, "ECE       {:.4}", self.ece)?;
        if multi || self.labels.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = self.labels.iter().map(|l| shorten(l)).collect();
        let name_width = names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        let number_width = (self.labels.len() - 1).to_string().len();
        writeln!(f, "\n")?;
        writeln!(
            f,
            "{:>number_width$} {}  precision  recall      F1  support",
            "",
            pad("label", name_width)
        )?;
        for (i, (name, s)) in names.iter().zip(per_label(&self.confusion)).enumerate() {
            writeln!(
                f,
                "{i:>number_width$} {}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}",
                pad(name, name_width),
                s.precision,
                s.recall,
                s.f1,
                s.support
            )?;
        }
        writeln!(
            f,
            "\nconfusion matrix (rows: gold, columns: predicted, numbered as above)"
        )?;
        let largest = self.confusion.iter().flatten().copied().max().unwrap_or(0);
        let cell = largest.to_string().len().max(number_width).max(2);
        write!(f, "{:>number_width$} {}", "", pad("", name_width))?;
        for j in 0..self.labels.len() {
            write!(f, " {j:>cell$}")?;
        }
        for (i, (name, row)) in names.iter().zip(&self.confusion).enumerate() {
            write!(f, "\n{i:>number_width$} {}", pad(name, name_width))?;
            for count in row {
                write!(f, " {count:>cell$}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    /// A one-hot-ish distribution for `label` of `n` with confidence `p`.
    fn dist(label: usize, n: usize, p: f64) -> Vec<f64> {
        (0..n)
            .map(|l| {
                if l == label {
                    p
                } else {
                    (1.0 - p) / (n - 1) as f64
                }
            })
            .collect()
    }

    #[test]
    fn hand_computed_confusion_matrix() {
        // gold → predicted: a→a ×3, a→b ×1, b→b ×2, b→c ×1, c→c ×1, c→a ×2
        let pairs = [
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 1),
            (1, 1),
            (1, 1),
            (1, 2),
            (2, 2),
            (2, 0),
            (2, 0),
        ];
        let gold: Vec<Vec<usize>> = pairs.iter().map(|&(g, _)| vec![g]).collect();
        let predicted: Vec<Vec<f64>> = pairs.iter().map(|&(_, p)| dist(p, 3, 0.6)).collect();
        let e = Evaluation::compute(labels(&["a", "b", "c"]), &gold, &predicted, false);
        assert_eq!(
            e.confusion,
            vec![vec![3, 1, 0], vec![0, 2, 1], vec![2, 0, 1]]
        );
        assert_eq!(e.examples, 10);
        assert!((e.accuracy - 0.6).abs() < 1e-12);
        // F1: a = 2·3/(6+2+1) = 6/9, b = 4/(4+1+1) = 4/6, c = 2/(2+1+2) = 2/5.
        let expected = (6.0 / 9.0 + 4.0 / 6.0 + 2.0 / 5.0) / 3.0;
        assert!((e.macro_f1 - expected).abs() < 1e-12);
        // All confidences 0.6 in one bin, accuracy 0.6: perfectly calibrated.
        assert!(e.ece.abs() < 1e-12);
        let text = e.to_string();
        assert!(
            text.contains("accuracy  0.6000") && text.contains("confusion matrix"),
            "{text}"
        );
    }

    #[test]
    fn ece_of_a_calibrated_case_is_zero_and_of_an_overconfident_one_is_not() {
        // 80 % confident and right 8 times out of 10, in every group.
        let mut gold = Vec::new();
        let mut predicted = Vec::new();
        for i in 0..100 {
            gold.push(vec![if i % 10 < 8 { 0 } else { 1 }]);
            predicted.push(vec![0.8, 0.2]);
        }
        let e = Evaluation::compute(labels(&["x", "y"]), &gold, &predicted, false);
        assert!(e.ece < 1e-9, "{}", e.ece);
        let overconfident: Vec<Vec<f64>> = (0..100).map(|_| vec![0.99, 0.01]).collect();
        let e = Evaluation::compute(labels(&["x", "y"]), &gold, &overconfident, false);
        assert!((e.ece - 0.19).abs() < 1e-9, "{}", e.ece);
    }

    #[test]
    fn multi_label_uses_subset_accuracy() {
        let gold = vec![vec![0, 1], vec![1], vec![], vec![2]];
        let predicted = vec![
            vec![0.9, 0.8, 0.1], // exact
            vec![0.6, 0.7, 0.0], // extra label 0
            vec![0.1, 0.2, 0.3], // exact (nothing)
            vec![0.0, 0.0, 0.4], // misses label 2
        ];
        let e = Evaluation::compute(labels(&["a", "b", "c"]), &gold, &predicted, true);
        assert!(e.confusion.is_empty());
        assert!((e.accuracy - 0.5).abs() < 1e-12);
        // F1: a = 2/(2+1) , b = 1, c = 0.
        assert!((e.macro_f1 - (2.0 / 3.0 + 1.0 + 0.0) / 3.0).abs() < 1e-12);
        assert!(e.to_string().contains("subset accuracy"));
    }

    #[test]
    fn display_aligns_and_truncates_long_labels() {
        let names = labels(&["short", "a label far too long to show in full here"]);
        let gold = vec![vec![0], vec![1], vec![1]];
        let predicted = vec![vec![0.9, 0.1], vec![0.2, 0.8], vec![0.7, 0.3]];
        let text = Evaluation::compute(names, &gold, &predicted, false).to_string();
        assert!(text.contains("a label far too long to…"), "{text}");
        let rows: Vec<&str> = text.lines().rev().take(3).collect();
        let widths: Vec<usize> = rows.iter().map(|r| r.chars().count()).collect();
        assert!(widths.iter().all(|&w| w == widths[0]), "{text}");
    }

    #[test]
    fn no_examples_is_all_zero() {
        let e = Evaluation::compute(labels(&["a", "b"]), &[], &[], false);
        assert_eq!((e.examples, e.accuracy, e.ece), (0, 0.0, 0.0));
    }
}
