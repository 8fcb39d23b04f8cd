#!/usr/bin/env bash
# Near-duplicate detection within a stream, measured on the analysis core:
# writes a stream of the BBC News articles with about 10% of them repeated
# later with edits (scripts/make-dedup-stream.py) into a temporary directory
# and runs examples/eval_dedup.rs on it with the default window and
# threshold.
#
#   scripts/eval-dedup.sh [--seed N] [--data FILE]   (options go to the generator)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 "$root/scripts/make-dedup-stream.py" --data "$root/../shared/data/bbc_news_train.jsonl" "$@" > "$tmp/stream.jsonl"
# The example reads the analysis core alone: no server or encoder to build.
cargo run --release --locked --no-default-features --example eval_dedup --manifest-path "$root/Cargo.toml" -- "$tmp/stream.jsonl"
