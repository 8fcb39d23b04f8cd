#!/usr/bin/env python3
"""ROUGE of every Summarize algorithm on CNN/DailyMail, through the running service.

Sends each article of the data file to the server with grpcurl (3 sentences,
document order; the server runs with the sentence encoder, for SEMANTIC)
and scores the summaries against the reference highlights
with Google's rouge-score (mean ROUGE-1, ROUGE-2 and ROUGE-Lsum F1, Porter
stemming, highlights and summaries split into sentences for Lsum), the
field's reference implementation. Every algorithm runs twice: with the
service's default furniture removal, and with `keep_boilerplate` (the text
as it is); PACSUM also with redundancy control (`diversity` 0.3). LEAD with
`keep_boilerplate` is the classic LEAD-3 baseline (the first three sentences
by the service's segmenter), scored in the same run. Each run's median
latency per article is the server's own (the `latency_ms` of its log line
for each call), free of grpcurl's start-up.

A second table gives ROUGE-1 on the even- and odd-numbered articles
separately: PACSUM's parameters were chosen on the even half
(scripts/tune-pacsum.sh), so the odd half is data they were not chosen on.

Usage: eval_summarize.py ADDRESS DATA.jsonl SERVER_LOG   (run by scripts/eval-summarize.sh)
"""

import json
import os
import re
import subprocess
import sys

from rouge_score import rouge_scorer

ALGORITHMS = ["SUMMARIZE_ALGORITHM_LEAD", "SUMMARIZE_ALGORITHM_TEXTRANK",
              "SUMMARIZE_ALGORITHM_LEXRANK", "SUMMARIZE_ALGORITHM_CENTROID",
              "SUMMARIZE_ALGORITHM_PACSUM", "SUMMARIZE_ALGORITHM_SEMANTIC"]

# (algorithm, keep_boilerplate, diversity): every algorithm with furniture
# removed and kept, PACSUM with redundancy control, and the default.
RUNS = ([(a, keep, None) for a in ALGORITHMS for keep in (False, True)]
        + [("SUMMARIZE_ALGORITHM_PACSUM", False, 0.3), ("SUMMARIZE_ALGORITHM_UNSPECIFIED", False, None)])


KEYS = ["rouge1", "rouge2", "rougeLsum"]


def highlight_lines(highlights):
    """The reference highlights, one per line: the data joins them with " . "."""
    return "\n".join(re.split(r"(?<=\s\.)\s+", highlights.strip()))


def summarize(address, text, algorithm, keep_boilerplate, diversity):
    request = {"text": text, "max_sentences": 3, "algorithm": algorithm,
               "keep_boilerplate": keep_boilerplate}
    if diversity is not None:
        request["diversity"] = diversity
    request = json.dumps(request)
    out = subprocess.run(
        ["grpcurl", "-plaintext", "-max-msg-sz", str(16 << 20), "-d", "@", address,
         "textanalysis.v1.TextAnalysisService/Summarize"],
        input=request, capture_output=True, text=True, check=True).stdout
    response = json.loads(out)
    return response.get("algorithm", ""), [s["text"] for s in response.get("sentences", [])]


def latencies(log, start):
    """The latency of every Summarize call the server logged from byte `start` of its log on."""
    with open(log, encoding="utf-8") as f:
        f.seek(start)
        lines = f.read().splitlines()
    out = []
    for line in lines:
        if '"request finished"' not in line or "/Summarize" not in line:
            continue
        out.append(json.loads(line)["latency_ms"])
    return out


def median(values):
    values = sorted(values)
    n = len(values)
    if n == 0:
        return float("nan")
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def main():
    address, path, log = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    scorer = rouge_scorer.RougeScorer(KEYS, use_stemmer=True)
    print(f"{len(rows)} articles from {path}\n")
    print("| algorithm | furniture | ROUGE-1 F1 | ROUGE-2 F1 | ROUGE-Lsum F1 | median ms per article |")
    print("|---|---|---:|---:|---:|---:|")
    halves = []
    per_article = {}
    for algorithm, keep, diversity in RUNS:
        totals = {k: 0.0 for k in KEYS}
        half_r1 = [0.0, 0.0]
        r1 = []
        ran = ""
        log_start = os.path.getsize(log)
        for i, row in enumerate(rows):
            ran, sentences = summarize(address, row["article"], algorithm, keep, diversity)
            # ROUGE-Lsum splits both sides into sentences on newlines.
            scores = scorer.score(highlight_lines(row["highlights"]), "\n".join(sentences))
            for k in KEYS:
                totals[k] += scores[k].fmeasure
            half_r1[i % 2] += scores["rouge1"].fmeasure
            r1.append(100 * scores["rouge1"].fmeasure)
        name = algorithm.removeprefix("SUMMARIZE_ALGORITHM_")
        if name == "UNSPECIFIED":
            name = f"default ({ran.removeprefix('SUMMARIZE_ALGORITHM_')})"
        elif name == "LEAD" and keep:
            name = "LEAD-3 (baseline)"
        if diversity is not None:
            name += f", diversity {diversity}"
        furniture = "kept" if keep else "removed"
        cells = " | ".join(f"{100 * totals[k] / len(rows):.2f}" for k in KEYS)
        ms = median(latencies(log, log_start))
        print(f"| {name} | {furniture} | {cells} | {ms:.1f} |", flush=True)
        sizes = [len(rows[0::2]), len(rows[1::2])]
        halves.append((name, furniture, [100 * h / n for h, n in zip(half_r1, sizes)]))
        per_article[(name, furniture)] = r1
    print("\n| algorithm | furniture | ROUGE-1 F1, even articles | ROUGE-1 F1, odd articles |")
    print("|---|---|---:|---:|")
    for name, furniture, (even, odd) in halves:
        print(f"| {name} | {furniture} | {even:.2f} | {odd:.2f} |")

    # The default against each LEAD, and SEMANTIC against PACSUM, article
    # by article: the mean difference and its standard error.
    default = next(k for k in per_article if k[0].startswith("default"))
    print()
    for better, baseline in [(default, ("LEAD-3 (baseline)", "kept")),
                             (default, ("LEAD", "removed")),
                             (("SEMANTIC", "removed"), ("PACSUM", "removed"))]:
        diffs = [d - b for d, b in zip(per_article[better], per_article[baseline])]
        n = len(diffs)
        mean = sum(diffs) / n
        se = (sum((x - mean) ** 2 for x in diffs) / (n - 1) / n) ** 0.5 if n > 1 else 0.0
        print(f"{better[0]} minus {baseline[0]}, furniture {baseline[1]}: ROUGE-1 {mean:+.2f} "
              f"(standard error {se:.2f}, {n} articles)")

if __name__ == "__main__":
    main()
