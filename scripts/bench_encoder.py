#!/usr/bin/env python3
"""The Python side of scripts/bench-encoder.sh: the same model (the directory
scripts/fetch-encoder.sh unpacks) run by the sentence-transformers package on
the same STS-B dev sentences as examples/eval_encoder.rs, in the same order,
with the same thread count and batch size, printed in the same form.

    python bench_encoder.py DATA_DIR MODEL_DIR THREADS
"""

import math
import sys
import time

import torch
from sentence_transformers import SentenceTransformer

# sentence-transformers' default batch size (it sorts by length too; the Rust
# side batches by tokens, textanalysis::encoder::BATCH_TOKENS), and as
# examples/eval_encoder.rs, how many sentences the one-at-a-time timing embeds.
BATCH = 32
SINGLE = 300


def read_sts(path):
    """(gold, sentence 1, sentence 2) rows, split on tabs as the Rust side does."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            cols = line.split("\t")
            try:
                rows.append((float(cols[4].strip()), cols[5], cols[6]))
            except (IndexError, ValueError):
                continue
    return rows


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def main(argv):
    data, model_dir, threads = argv[1], argv[2], int(argv[3])
    torch.set_num_threads(threads)
    started = time.perf_counter()
    model = SentenceTransformer(model_dir, device="cpu")
    print(f"loaded {model_dir} in {time.perf_counter() - started:.2f}s (torch {torch.__version__}, {threads} threads)")

    rows = read_sts(f"{data}/stsb_dev.csv")
    sentences = [s for _, a, b in rows for s in (a, b)]
    # One untimed batch: the first call allocates.
    model.encode(sentences[:BATCH], batch_size=BATCH)

    started = time.perf_counter()
    embeddings = model.encode(sentences, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True)
    batched = time.perf_counter() - started
    cosines = [float(embeddings[i] @ embeddings[i + 1]) for i in range(0, len(sentences), 2)]
    print(f"STS-B dev: {len(rows)} pairs, Pearson r of cosine with gold = {pearson(cosines, [g for g, _, _ in rows]):.4f}")
    print(
        f"batched (up to {BATCH} a call): {len(sentences)} sentences in {batched:.2f}s, "
        f"{batched * 1e3 / len(sentences):.2f} ms a sentence"
    )

    single = sentences[:SINGLE]
    started = time.perf_counter()
    for sentence in single:
        model.encode([sentence], batch_size=1)
    alone = time.perf_counter() - started
    print(f"one at a time: {len(single)} sentences in {alone:.2f}s, {alone * 1e3 / len(single):.2f} ms a sentence")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
