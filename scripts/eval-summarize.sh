#!/usr/bin/env bash
# Builds the release server, starts it with the sentence encoder (from
# $TEXTANALYSIS_SEMANTIC_MODEL or models/encoder/all-MiniLM-L6-v2, which
# scripts/fetch-encoder.sh fetches), and prints the ROUGE table of every
# Summarize algorithm, SEMANTIC included, with furniture removed and kept,
# and each one's median latency per article, on
# ../shared/data/cnndm_dev100.jsonl (or the file given).
#
#   scripts/eval-summarize.sh [DATA.jsonl]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/cnndm_dev100.jsonl}"
source "$root/scripts/tools.sh"
export PATH="$TOOLS_BIN:$PATH"

cargo build --release --locked --bin textanalysis --manifest-path "$root/Cargo.toml" >&2
start_server "${CARGO_TARGET_DIR:-$root/target}/release/textanalysis" \
  --semantic-model "${TEXTANALYSIS_SEMANTIC_MODEL:-$root/models/encoder/all-MiniLM-L6-v2}"
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
"$TOOLS_BIN/python" "$root/scripts/eval_summarize.py" "$SERVER_ADDR" "$data" "$SERVER_LOG"
