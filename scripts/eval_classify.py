#!/usr/bin/env python3
"""Classification accuracy of textanalysis beside scikit-learn, on the same split.

For each data set (20 Newsgroups, AG News, BBC News from ../shared/data) this
makes five deterministic stratified splits (90% train, 10% test, seeds 1-5;
one split's test set is too small to tell methods apart: one AG News text is
0.17 points), then on exactly the same texts of each split:
  - trains `textanalysis train --holdout 0` on the whole training part (its
    calibration comes from an inner split of it) and measures it with
    `textanalysis eval classify` on the test part;
  - fits scikit-learn's LinearSVC on TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True) features of the training part and measures it on the
    test part (the reference the issue names).
Prints one Markdown table of means: accuracy (and each split's), macro-F1,
ECE, training time, and classification time per text (ours: one thread,
text in, scores out, as `eval classify` reports it, once with the thread's
lexicon of word forms empty (cold) and once after classifying the training
texts untimed (steady state, as a serving process runs); scikit-learn:
transform and predict of the whole test set, divided by its size, in both
columns). Both times are the fastest of PASSES passes.

Usage: eval_classify.py TEXTANALYSIS_BINARY SHARED_DATA_DIR WORK_DIR
"""

import re
import subprocess
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

from classify_splits import SEEDS, load, split, write

# Timed passes of each method's classification of a test set, the fastest
# reported: one pass over AG News's 604 short texts takes a few
# milliseconds, which this virtual machine stretched by half from one run
# to the next.
PASSES = 5


def ours(binary, train_path, test_path, model_path, train_args=(), eval_args=()):
    """Trains on train_path and measures on test_path; `train_args` and
    `eval_args` are added to the two commands (eval_classify_semantic.py's
    features, encoder and embedding cache)."""
    t0 = time.perf_counter()
    subprocess.run([binary, "train", "--input", train_path, "--out", model_path, "--holdout", "0",
                    *train_args],
                   check=True, capture_output=True, text=True)
    train_s = time.perf_counter() - t0
    out = subprocess.run([binary, "eval", "classify", "--model", model_path, "--data", test_path,
                          "--warm-up", train_path, "--passes", str(PASSES), *eval_args],
                         check=True, capture_output=True, text=True).stdout
    acc = float(re.search(r"accuracy\D*([0-9.]+)", out).group(1))
    f1 = float(re.search(r"macro-F1\D*([0-9.]+)", out).group(1))
    ece = float(re.search(r"ECE\D*([0-9.]+)", out).group(1))
    cold = float(re.search(r"cold:.* ([0-9.]+) µs a text", out).group(1))
    steady = float(re.search(r"steady state:.* ([0-9.]+) µs a text", out).group(1))
    return acc, f1, ece, train_s, cold, steady


def sklearn(train, test):
    t0 = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    x = vec.fit_transform([t for t, _ in train])
    clf = LinearSVC().fit(x, [l for _, l in train])
    train_s = time.perf_counter() - t0
    # The fastest of PASSES runs, as `eval classify` reports its own.
    pred_s = float("inf")
    for _ in range(PASSES):
        t0 = time.perf_counter()
        pred = clf.predict(vec.transform([t for t, _ in test]))
        pred_s = min(pred_s, time.perf_counter() - t0)
    gold = [l for _, l in test]
    return (accuracy_score(gold, pred), f1_score(gold, pred, average="macro"), float("nan"),
            train_s, pred_s / len(test) * 1e6, pred_s / len(test) * 1e6)


def mean(values):
    return sum(values) / len(values)


def main():
    binary, data, work = sys.argv[1:4]
    print(f"Mean over {len(SEEDS)} splits (seeds {SEEDS[0]}–{SEEDS[-1]}); accuracy of each split in brackets.\n")
    print("| data set | method | accuracy % | macro-F1 % | ECE | train s | µs/text, cold | µs/text, steady state |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    ratios = {}
    for name in ["20news_train.jsonl", "ag_news_train.jsonl", "bbc_news_train.jsonl"]:
        rows = load(data, name)
        stem = name.removesuffix("_train.jsonl")
        runs = {"textanalysis": [], "scikit-learn LinearSVC": []}
        for seed in SEEDS:
            train, test = split(rows, seed)
            train_path, test_path = f"{work}/{stem}.train.jsonl", f"{work}/{stem}.test.jsonl"
            write(train, train_path)
            write(test, test_path)
            runs["textanalysis"].append(ours(binary, train_path, test_path, f"{work}/{stem}.tam"))
            runs["scikit-learn LinearSVC"].append(sklearn(train, test))
        n_train, n_test = len(train), len(test)
        for method, results in runs.items():
            acc, f1, ece, tr, cold, steady = (mean([r[i] for r in results]) for i in range(6))
            each = ", ".join(f"{100 * r[0]:.2f}" for r in results)
            ece_cell = "–" if ece != ece else f"{ece:.3f}"
            print(f"| {stem} ({n_train}/{n_test}) | {method} | {100 * acc:.2f} [{each}] | {100 * f1:.2f} "
                  f"| {ece_cell} | {tr:.1f} | {cold:.1f} | {steady:.1f} |", flush=True)
        ours_steady = mean([r[5] for r in runs["textanalysis"]])
        theirs = mean([r[5] for r in runs["scikit-learn LinearSVC"]])
        ratios[stem] = theirs / ours_steady
    print("\nSteady state, scikit-learn's µs a text over textanalysis's (means over the splits): "
          + ", ".join(f"{stem} {ratio:.1f}x" for stem, ratio in ratios.items()))


if __name__ == "__main__":
    main()
