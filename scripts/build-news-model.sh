#!/usr/bin/env bash
# Rebuilds the built-in news model, models/news.tam, bit for bit, from
# ../shared/data (BBC News and AG News), with the project's own trainer.
#
#   scripts/build-news-model.sh [OUT]      (default: models/news.tam)
#
# TEXTANALYSIS_BIN=path uses that binary instead of building a release one
# (the test command passes its debug build: training is deterministic, so any
# build gives the same bytes).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/models/news.tam}"
data="$root/../shared/data"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 "$root/scripts/news_training_data.py" "$data" > "$tmp/news.jsonl"
bin="${TEXTANALYSIS_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --locked --bin textanalysis --manifest-path "$root/Cargo.toml" >&2
  bin="$root/target/release/textanalysis"
fi
"$bin" train --input "$tmp/news.jsonl" --out "$out" \
  --name news --version 2 --seed 42 --holdout 0.1 --c 1 \
  --training-data "BBC News (1,770 articles) and AG News (6,039) training splits, research and non-commercial use"
