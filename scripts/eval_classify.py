#!/usr/bin/env python3
"""Classification accuracy of textanalysis beside scikit-learn, on the same split.

For each data set (20 Newsgroups, AG News, BBC News from ../shared/data) this
makes one deterministic stratified split (90% train, 10% test, seed 42),
then on exactly the same texts:
  - trains `textanalysis train` on the training part and measures it with
    `textanalysis eval classify` on the test part;
  - fits scikit-learn's LinearSVC on TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True) features of the training part and measures it on the
    test part (the reference the issue names).
Prints one Markdown table: accuracy, macro-F1, training time, and predict
time per document.

Usage: eval_classify.py TEXTANALYSIS_BINARY SHARED_DATA_DIR WORK_DIR
"""

import json
import random
import re
import subprocess
import sys
import time
from collections import defaultdict

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

SEED = 42


def load(data, name):
    rows = []
    with open(f"{data}/{name}", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if name.startswith("bbc"):
                rows.append((r["title"] + "\n\n" + r["body"], r["category"]))
            elif name.startswith("ag"):
                rows.append((r["title"] + "\n\n" + r["text"], r["label"]))
            else:
                rows.append((r["text"], r["label"]))
    return rows


def split(rows):
    by_label = defaultdict(list)
    for i, (_, label) in enumerate(rows):
        by_label[label].append(i)
    rng = random.Random(SEED)
    test = set()
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        test.update(idx[: max(1, round(len(idx) * 0.1))])
    train = [rows[i] for i in range(len(rows)) if i not in test]
    held = [rows[i] for i in sorted(test)]
    return train, held


def write(rows, path):
    with open(path, "w", encoding="utf-8") as f:
        for text, label in rows:
            f.write(json.dumps({"text": text, "label": label}) + "\n")


def ours(binary, train_path, test_path, model_path, n_test):
    t0 = time.perf_counter()
    subprocess.run([binary, "train", "--input", train_path, "--out", model_path],
                   check=True, capture_output=True, text=True)
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = subprocess.run([binary, "eval", "classify", "--model", model_path, "--data", test_path],
                         check=True, capture_output=True, text=True).stdout
    eval_s = time.perf_counter() - t0
    acc = float(re.search(r"accuracy\D*([0-9.]+)", out).group(1))
    f1 = float(re.search(r"macro-F1\D*([0-9.]+)", out).group(1))
    ece = re.search(r"ECE\D*([0-9.]+)", out)
    return acc, f1, train_s, eval_s / n_test, float(ece.group(1)) if ece else float("nan")


def sklearn(train, test):
    t0 = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    x = vec.fit_transform([t for t, _ in train])
    clf = LinearSVC().fit(x, [l for _, l in train])
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = clf.predict(vec.transform([t for t, _ in test]))
    pred_s = time.perf_counter() - t0
    gold = [l for _, l in test]
    return accuracy_score(gold, pred), f1_score(gold, pred, average="macro"), train_s, pred_s / len(test)


def main():
    binary, data, work = sys.argv[1:4]
    print("| data set | method | accuracy | macro-F1 | ECE | train s | predict µs/doc |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in ["20news_train.jsonl", "ag_news_train.jsonl", "bbc_news_train.jsonl"]:
        train, test = split(load(data, name))
        stem = name.removesuffix("_train.jsonl")
        train_path, test_path = f"{work}/{stem}.train.jsonl", f"{work}/{stem}.test.jsonl"
        write(train, train_path)
        write(test, test_path)
        acc, f1, tr, pr, ece = ours(binary, train_path, test_path, f"{work}/{stem}.tam", len(test))
        print(f"| {stem} ({len(train)}/{len(test)}) | textanalysis | {100*acc:.2f} | {100*f1:.2f} "
              f"| {ece:.3f} | {tr:.1f} | {pr*1e6:.0f} (whole command) |", flush=True)
        acc, f1, tr, pr = sklearn(train, test)
        print(f"| {stem} ({len(train)}/{len(test)}) | scikit-learn LinearSVC | {100*acc:.2f} | {100*f1:.2f} "
              f"| – | {tr:.1f} | {pr*1e6:.0f} |", flush=True)


if __name__ == "__main__":
    main()
