#!/usr/bin/env bash
# Chooses PACSUM's parameters: summarizes every article of the development
# data under a grid of parameters (examples/tune_pacsum.rs), scores each
# setting with ROUGE, picks the best ROUGE-1 on the even-numbered articles
# and reports it on the odd-numbered ones too.
#
#   scripts/tune-pacsum.sh [DATA.jsonl]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/cnndm_dev100.jsonl}"
source "$root/scripts/tools.sh"

summaries="$(mktemp)"
trap 'rm -f "$summaries"' EXIT
cargo run --release --locked --quiet --example tune_pacsum --manifest-path "$root/Cargo.toml" -- "$data" >"$summaries"
"$TOOLS_BIN/python" "$root/scripts/tune_pacsum.py" "$data" "$summaries"
