#!/usr/bin/env bash
# Key phrases beside YAKE's on ../shared/data/cnndm_dev100.jsonl (or the
# file given): split names, overlap with the reference highlights and the
# multi-word share (scripts/eval_keyphrases.py says how each is counted).
# YAKE is installed into a throwaway virtual environment.
#
#   scripts/eval-keyphrases.sh [DATA.jsonl] [LIMIT]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/cnndm_dev100.jsonl}"
limit="${2:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --example eval_keyphrases --manifest-path "$root/Cargo.toml" >&2
"${CARGO_TARGET_DIR:-$root/target}/release/examples/eval_keyphrases" "$data" "$limit" > "$work/ours.jsonl"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check yake==0.7.3 snowballstemmer==3.1.1 >&2
"$work/venv/bin/python" "$root/scripts/eval_keyphrases.py" "$work/ours.jsonl" "$data" "$limit"
