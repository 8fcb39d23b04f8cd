#!/usr/bin/env bash
# Zero-shot topics on AG News: Classify with ad-hoc topics (one written
# description per label, no training) on the held-out rows of
# eval-classify.sh, with the sentence encoder and without it; accuracy, ECE
# and the time of a request (see examples/eval_zeroshot/).
#
#   scripts/eval-zeroshot.sh [--study]
#
# --study measures, on the other rows, the choices of
# src/classify/zeroshot.rs (how descriptions and examples are pooled, the
# calibration) instead. Needs the encoder: scripts/fetch-encoder.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${DATA:-$root/../shared/data}"
model="${TEXTANALYSIS_SEMANTIC_MODEL:-$root/models/encoder/all-MiniLM-L6-v2}"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release --locked --example eval_zeroshot --manifest-path "$root/Cargo.toml" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$root/scripts/classify_splits.py" "$data" ag_news_train.jsonl "$work/heldout.jsonl" "$work/others.jsonl"
if [ "${1:-}" = "--study" ]; then
  "$target/release/examples/eval_zeroshot" "$work/heldout.jsonl" "$model" --study "$work/others.jsonl"
else
  "$target/release/examples/eval_zeroshot" "$work/heldout.jsonl" "$model"
fi
