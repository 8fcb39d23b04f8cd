#!/usr/bin/env bash
# Chooses PACSUM's parameters: summarizes every article of the development
# data under a grid of parameters (examples/tune_pacsum.rs), scores each
# setting with ROUGE, picks the best ROUGE-1 on the even-numbered articles
# and reports it on the odd-numbered ones too. With --semantic, SEMANTIC's
# (the same centrality over sentence embeddings), with the encoder in
# $TEXTANALYSIS_SEMANTIC_MODEL or models/encoder/all-MiniLM-L6-v2.
#
#   scripts/tune-pacsum.sh [--semantic] [DATA.jsonl]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
semantic=()
if [ "${1:-}" = "--semantic" ]; then
  semantic=(--semantic "${TEXTANALYSIS_SEMANTIC_MODEL:-$root/models/encoder/all-MiniLM-L6-v2}")
  shift
fi
data="${1:-$root/../shared/data/cnndm_dev100.jsonl}"
source "$root/scripts/tools.sh"

summaries="$(mktemp)"
trap 'rm -f "$summaries"' EXIT
cargo run --release --locked --quiet --example tune_pacsum --manifest-path "$root/Cargo.toml" -- "$data" "${semantic[@]}" >"$summaries"
"$TOOLS_BIN/python" "$root/scripts/tune_pacsum.py" "$data" "$summaries"
