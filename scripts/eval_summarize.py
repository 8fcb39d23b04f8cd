#!/usr/bin/env python3
"""ROUGE of every Summarize algorithm on CNN/DailyMail, through the running service.

Sends each article of the data file to the server with grpcurl (3 sentences,
document order) and scores the summaries against the reference highlights
with Google's rouge-score (mean ROUGE-1, ROUGE-2 and ROUGE-Lsum F1, Porter
stemming, highlights and summaries split into sentences for Lsum), the field's reference implementation. LEAD is the service's own
LEAD-3 (first three sentences by its segmenter), the baseline every method
is compared with, scored in the same run.

Usage: eval_summarize.py ADDRESS DATA.jsonl   (run by scripts/eval-summarize.sh)
"""

import json
import re
import subprocess
import sys

from rouge_score import rouge_scorer

ALGORITHMS = ["SUMMARIZE_ALGORITHM_LEAD", "SUMMARIZE_ALGORITHM_TEXTRANK",
              "SUMMARIZE_ALGORITHM_LEXRANK", "SUMMARIZE_ALGORITHM_CENTROID",
              "SUMMARIZE_ALGORITHM_UNSPECIFIED"]


KEYS = ["rouge1", "rouge2", "rougeLsum"]


def highlight_lines(highlights):
    """The reference highlights, one per line: the data joins them with " . "."""
    return "\n".join(re.split(r"(?<=\s\.)\s+", highlights.strip()))


def summarize(address, text, algorithm):
    request = json.dumps({"text": text, "max_sentences": 3, "algorithm": algorithm})
    out = subprocess.run(
        ["grpcurl", "-plaintext", "-max-msg-sz", str(16 << 20), "-d", "@", address,
         "textanalysis.v1.TextAnalysisService/Summarize"],
        input=request, capture_output=True, text=True, check=True).stdout
    response = json.loads(out)
    return response.get("algorithm", ""), [s["text"] for s in response.get("sentences", [])]


def main():
    address, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    scorer = rouge_scorer.RougeScorer(KEYS, use_stemmer=True)
    print(f"{len(rows)} articles from {path}\n")
    print("| algorithm | ROUGE-1 F1 | ROUGE-2 F1 | ROUGE-Lsum F1 |")
    print("|---|---:|---:|---:|")
    for algorithm in ALGORITHMS:
        totals = {k: 0.0 for k in KEYS}
        ran = ""
        for row in rows:
            ran, sentences = summarize(address, row["article"], algorithm)
            # ROUGE-Lsum splits both sides into sentences on newlines.
            scores = scorer.score(highlight_lines(row["highlights"]), "\n".join(sentences))
            for k in KEYS:
                totals[k] += scores[k].fmeasure
        name = algorithm.removeprefix("SUMMARIZE_ALGORITHM_")
        if name == "UNSPECIFIED":
            name = f"default ({ran.removeprefix('SUMMARIZE_ALGORITHM_')})"
        elif name == "LEAD":
            name = "LEAD-3 (baseline)"
        cells = " | ".join(f"{100 * totals[k] / len(rows):.2f}" for k in KEYS)
        print(f"| {name} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
