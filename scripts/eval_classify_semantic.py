#!/usr/bin/env python3
"""Classification accuracy of models trained with semantic features, beside
the lexical model and scikit-learn's LinearSVC, on eval_classify.py's splits.

For each data set named (ag_news, 20news, bbc_news) and each of the five
splits of classify_splits.py (seeds 1-5, the same test rows as
eval_classify.py), on exactly the same texts:
  - `textanalysis train --holdout 0 --features F` for F in lexical,
    lexical+semantic and semantic, measured by `textanalysis eval classify`
    on the test part;
  - scikit-learn's LinearSVC on TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True), as eval_classify.py fits it.
With --scales, lexical+semantic is also trained at each of those embedding
scales (the measurement behind the default, SEMANTIC_SCALE).

Embedding is nearly all the cost, so every text is embedded once per data set:
the embedding cache (one file per data set in CACHE_DIR, kept between runs)
is filled first from all the data set's rows, and every train and eval run
reads it. "train s" excludes that embedding; the "embed" line says what it
cost. µs/text of a semantic model excludes the encoder too (eval classify
times words and scores with the embeddings made beforehand).

Usage: eval_classify_semantic.py BINARY SHARED_DATA_DIR WORK_DIR ENCODER_DIR
       CACHE_DIR [--scales 1,2,4] DATA_SET...
"""

import subprocess
import sys
import time

from classify_splits import SEEDS, load, split, write
from eval_classify import mean, ours, sklearn

NAMES = {"ag_news": "ag_news_train.jsonl", "20news": "20news_train.jsonl",
         "bbc_news": "bbc_news_train.jsonl"}


def main():
    binary, data, work, encoder, cache_dir = sys.argv[1:6]
    rest = sys.argv[6:]
    scales = []
    if rest and rest[0] == "--scales":
        scales = [s for s in rest[1].split(",") if s]
        rest = rest[2:]
    print(f"Mean over {len(SEEDS)} splits (seeds {SEEDS[0]}–{SEEDS[-1]}); accuracy of each split in brackets.\n")
    print("| data set | method | accuracy % | macro-F1 % | ECE | train s | µs/text, cold | µs/text, steady state |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    notes = []
    for stem in rest:
        rows = load(data, NAMES[stem])
        cache = f"{cache_dir}/{stem}.embeddings"
        # Every row's embedding, once: a semantic model trained on all rows
        # (then thrown away) fills the cache.
        write(rows, f"{work}/{stem}.all.jsonl")
        t0 = time.perf_counter()
        subprocess.run([binary, "train", "--input", f"{work}/{stem}.all.jsonl", "--out",
                        f"{work}/{stem}.all.tam", "--features", "semantic", "--semantic-model", encoder,
                        "--embedding-cache", cache],
                       check=True, capture_output=True, text=True)
        notes.append(f"{stem}: filling the embedding cache ({len(rows)} texts) took "
                     f"{time.perf_counter() - t0:.0f} s (nothing when already filled)")
        semantic = ["--semantic-model", encoder, "--embedding-cache", cache]
        methods = {
            "textanalysis, lexical": ([], []),
            "textanalysis, lexical+semantic": (["--features", "lexical+semantic", *semantic], semantic),
            "textanalysis, semantic": (["--features", "semantic", *semantic], semantic),
        }
        for scale in scales:
            methods[f"textanalysis, lexical+semantic, scale {scale}"] = (
                ["--features", "lexical+semantic", "--semantic-scale", scale, *semantic], semantic)
        runs = {method: [] for method in methods}
        runs["scikit-learn LinearSVC"] = []
        for seed in SEEDS:
            train, test = split(rows, seed)
            train_path, test_path = f"{work}/{stem}.train.jsonl", f"{work}/{stem}.test.jsonl"
            write(train, train_path)
            write(test, test_path)
            for method, (train_args, eval_args) in methods.items():
                runs[method].append(ours(binary, train_path, test_path, f"{work}/{stem}.tam",
                                         train_args, eval_args))
            runs["scikit-learn LinearSVC"].append(sklearn(train, test))
        n_train, n_test = len(train), len(test)
        for method, results in runs.items():
            acc, f1, ece, tr, cold, steady = (mean([r[i] for r in results]) for i in range(6))
            each = ", ".join(f"{100 * r[0]:.2f}" for r in results)
            ece_cell = "–" if ece != ece else f"{ece:.3f}"
            print(f"| {stem} ({n_train}/{n_test}) | {method} | {100 * acc:.2f} [{each}] | {100 * f1:.2f} "
                  f"| {ece_cell} | {tr:.1f} | {cold:.1f} | {steady:.1f} |", flush=True)
    print()
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
