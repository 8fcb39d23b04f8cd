#!/usr/bin/env bash
# Figures of Analyze and AnalyzeStream against the calls they replace, on
# the release server of this machine, with the generators on the same
# machine (examples/load.rs for unary calls, examples/feed.rs for streams):
#
# 1. Items per second on one connection, each item a summary with key
#    phrases and the built-in model's topics of the same text: unary
#    Summarize + Classify pairs and unary Analyze calls at 1 and 16 calls in
#    flight, against one AnalyzeStream.
# 2. Dedup within a stream on BBC News (scripts/make-dedup-stream.py: every
#    article once, about 10% repeated later with edits): repeats marked
#    with their original, and wrong marks.
# 3. A 100,000-item stream with dedup and every part, with the server's
#    resident memory sampled during the run.
#
#   scripts/load-feeds.sh [TEXT] [SECONDS]   (default: the wire story, 5 s a cell)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/tools.sh"
text="${1:-$root/../shared/data/wire_pair/a.txt}"
seconds="${2:-5}"
cargo build --release --locked --bin textanalysis --example load --example feed \
  --manifest-path "$root/Cargo.toml" >&2
target="${CARGO_TARGET_DIR:-$root/target}/release"
work="$(mktemp -d)"
trap 'kill -TERM "$SERVER_PID" 2>/dev/null || true; rm -rf "$work"' EXIT

start_server "$target/textanalysis"
# The text as a feed of 20,000 items, about as many as the unary cells send.
python3 - "$text" 20000 >"$work/same.jsonl" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
for i in range(int(sys.argv[2])):
    print(json.dumps({"id": str(i), "text": text}))
PY
echo "Text: $(wc -c <"$text") bytes."
echo
echo "| method | in flight | calls/s | OK/s | p50 ms | p99 ms | refused | refusal p99 ms | refusals |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
for method in pair analyze; do
  for n in 1 16; do
    "$target/examples/load" --addr "$SERVER_ADDR" --method "$method" --text "$text" \
      --concurrency "$n" --seconds "$seconds"
  done
done
echo
feed_header() {
  echo "| parts | dedup | items | seconds | items/s | statuses | repeats marked | wrong marks | server RSS MiB (10% → end, max) |"
  echo "|---|---|---:|---:|---:|---|---:|---:|---|"
}
feed_header
"$target/examples/feed" --addr "$SERVER_ADDR" --input "$work/same.jsonl" \
  --parts summarize,classify,keyphrases

echo
python3 "$root/scripts/make-dedup-stream.py" --seed 1 >"$work/bbc.jsonl"
feed_header
"$target/examples/feed" --addr "$SERVER_ADDR" --input "$work/bbc.jsonl" --parts none --dedup

echo
python3 "$root/scripts/make-dedup-stream.py" --seed 2 --repeat-until 100000 >"$work/long.jsonl"
feed_header
"$target/examples/feed" --addr "$SERVER_ADDR" --input "$work/long.jsonl" \
  --parts summarize,classify,keyphrases --dedup --pid "$SERVER_PID"
