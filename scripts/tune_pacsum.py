#!/usr/bin/env python3
"""Scores the parameter grid of PACSUM or SEMANTIC (from examples/tune_pacsum.rs) with ROUGE.

Tunes on the even-numbered articles (0, 2, 4, ...) of the data file and
reports every setting on the odd-numbered ones as well, so that the chosen
setting's figure on data it was not chosen on can be read off: the best ten
settings by ROUGE-1 F1 on the even half, then the chosen one, and the best
without the position prior (the published method). Scoring as in
eval_summarize.py (rouge-score, Porter stemming, highlights split into
sentences for ROUGE-Lsum).

Usage: tune_pacsum.py DATA.jsonl SUMMARIES.jsonl   (run by scripts/tune-pacsum.sh)
"""

import json
import sys

from rouge_score import rouge_scorer

from eval_summarize import KEYS, highlight_lines


def main():
    data, summaries = sys.argv[1], sys.argv[2]
    with open(data, encoding="utf-8") as f:
        references = [highlight_lines(json.loads(line)["highlights"]) for line in f if line.strip()]
    scorer = rouge_scorer.RougeScorer(KEYS, use_stemmer=True)
    # Many settings choose the same sentences for an article: each
    # (article, summary) is scored once.
    cache = {}

    def score(i, sentences):
        key = (i, tuple(sentences))
        if key not in cache:
            cache[key] = scorer.score(references[i], "\n".join(sentences))
        return cache[key]

    results = []
    with open(summaries, encoding="utf-8") as f:
        for line in f:
            setting = json.loads(line)
            halves = [{k: 0.0 for k in KEYS}, {k: 0.0 for k in KEYS}]
            for i, sentences in enumerate(setting["summaries"][:len(references)]):
                scores = score(i, sentences)
                for k in KEYS:
                    halves[i % 2][k] += scores[k].fmeasure
            sizes = [len(references[0::2]), len(references[1::2])]
            means = [{k: 100 * h[k] / n for k in KEYS} for h, n in zip(halves, sizes)]
            results.append((setting["params"], means[0], means[1]))
    results.sort(key=lambda r: -r[1]["rouge1"])
    print("| λ2 | β | μ | τ | even R-1 | even R-2 | even R-Lsum | odd R-1 | odd R-2 | odd R-Lsum |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for params, even, odd in results[:10]:
        cells = " | ".join(f"{m[k]:.2f}" for m in (even, odd) for k in KEYS)
        print(f"| {params['backward']} | {params['beta']} | {params['position']} | {params['decay']} | {cells} |")
    best = results[0][0]
    print(f"\nchosen on the even half: {json.dumps(best)}")
    # The published method: centrality alone, without the position prior.
    params, even, odd = next(r for r in results if r[0]["position"] == 0)
    print(f"best without the position prior (μ = 0): {json.dumps(params)}: ROUGE-1 "
          f"{even['rouge1']:.2f} on the even half, {odd['rouge1']:.2f} on the odd half")


if __name__ == "__main__":
    main()
